//! `poam validate`: deadlines by policy, template rules, control ids.

use super::*;

#[derive(clap::Args)]
pub(crate) struct ValidateArgs {
    /// The POA&M file to read.
    input: PathBuf,
    /// Remediation policy: fedramp, dod, cms, cmmc, or a policy file (TOML).
    #[arg(long, value_name = "POLICY")]
    policy: Option<String>,
    /// The day that decides what is overdue (YYYY-MM-DD); today by default.
    #[arg(long, value_name = "DATE")]
    as_of: Option<String>,
    /// Template rules to apply: a layout family (fedramp, emass, or your own), or
    /// family:version; by default the layout the input was read with.
    #[arg(long, value_name = "TEMPLATE")]
    template: Option<String>,
    /// Output format.
    #[arg(long, value_enum, default_value = "text")]
    format: CheckFormat,
    #[command(flatten)]
    read: ReadArgs,
}

pub(crate) fn load_policy(name: &str) -> Result<poam_rules::Policy, Failure> {
    let path = Path::new(name);
    if path.is_file() {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("{name}: cannot read the policy file"))
            .map_err(input_failure)?;
        return poam_rules::Policy::from_toml(name, &text).map_err(input_failure);
    }
    poam_rules::Policy::builtin(name).map_err(input_failure)
}

pub(crate) fn validate(args: &ValidateArgs) -> Result<u8, Failure> {
    let as_of = parse_day("--as-of", &args.as_of)?;
    let policy = args.policy.as_deref().map(load_policy).transpose()?;
    let imported = read_input(&args.input, &args.read)?;
    let registry = &config().registry;
    // The input's own layout when it is of the family asked for (or when no
    // family is asked for), else that family's default version.
    let own = crate::layout_read_as(&imported.report);
    let template = match args.template.as_deref() {
        None => own,
        Some(name) => {
            let (family, version) = match name.split_once(':') {
                Some((f, v)) => (f.trim(), Some(v.trim())),
                None => (name.trim(), None),
            };
            let own = own.filter(|l| version.is_none() && l.family.eq_ignore_ascii_case(family));
            Some(own.map_or_else(
                || {
                    registry.find(family, version).ok_or_else(|| {
                        input_failure(anyhow::anyhow!(
                            "--template {name}: no such layout; choose one of: {}",
                            registry.families().join(", ")
                        ))
                    })
                },
                Ok,
            )?)
        }
    };
    let mut findings = poam_rules::validate(
        &imported.poam,
        &poam_rules::ValidateOptions {
            as_of,
            policy: policy.clone(),
            template,
            registry,
        },
    );
    // An OSCAL POA&M checked for FedRAMP: FedRAMP's own rules on the
    // document as written (import-ssp, responses, milestones, facets...).
    if policy.as_ref().is_some_and(|p| p.name == "fedramp") && imported.report.format == "oscal" {
        let bytes = std::fs::read(&args.input)
            .with_context(|| format!("{}: cannot read the file", args.input.display()))
            .map_err(input_failure)?;
        if let Some(doc) = poam_import::oscal_document(&args.input, &bytes) {
            let base = args.input.parent().map(|d| {
                if d.as_os_str().is_empty() {
                    Path::new(".")
                } else {
                    d
                }
            });
            findings.extend(poam_rules::fedramp_oscal::check(&doc, base));
        }
    }
    let errors = findings
        .iter()
        .filter(|f| f.severity == poam_rules::Level::Error)
        .count();
    let out = match args.format {
        CheckFormat::Json => {
            let v = serde_json::json!({
                "file": args.input.display().to_string(),
                "policy": policy.as_ref().map(|p| p.name.clone()),
                "as_of": as_of.to_string(),
                "counts": poam_rules::by_rule(&findings),
                "findings": findings,
            });
            serde_json::to_string_pretty(&v).map_err(output_failure)? + "\n"
        }
        CheckFormat::Text | CheckFormat::Md => {
            let mut page = Page::new(matches!(args.format, CheckFormat::Md));
            page.title(&format!(
                "{}: {} finding(s), {errors} error(s){}, as of {as_of}",
                args.input.display(),
                findings.len(),
                policy
                    .as_ref()
                    .map(|p| format!(", policy {}", p.title))
                    .unwrap_or_default()
            ));
            for level in [
                poam_rules::Level::Error,
                poam_rules::Level::Warning,
                poam_rules::Level::Info,
            ] {
                let mine: Vec<&poam_rules::Finding> =
                    findings.iter().filter(|f| f.severity == level).collect();
                if mine.is_empty() {
                    continue;
                }
                let word = match level {
                    poam_rules::Level::Error => "Errors",
                    poam_rules::Level::Warning => "Warnings",
                    poam_rules::Level::Info => "Notes",
                };
                page.section(&format!("{word} ({})", mine.len()));
                for f in mine {
                    let place = f
                        .location
                        .as_ref()
                        .map(|l| format!(" [{l}]"))
                        .unwrap_or_default();
                    page.item(&format!("{}: {}{place}", f.rule, f.message));
                }
            }
            page.finish()
        }
    };
    print_out(out.as_bytes())?;
    Ok(if errors > 0 { EXIT_FINDINGS } else { 0 })
}
