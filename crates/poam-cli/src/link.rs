//! `poam link`: the POA&M and its System Security Plan checked against each other.

use super::*;

#[derive(clap::Args)]
pub(crate) struct LinkArgs {
    /// The POA&M file to read.
    input: PathBuf,
    /// The System Security Plan: Word (.docx: FedRAMP Rev 5 Appendix A, Rev 4 SSP, NIST SP 800-171) or OSCAL JSON.
    #[arg(long, value_name = "SSP")]
    ssp: PathBuf,
    /// Output format.
    #[arg(long, value_enum, default_value = "text")]
    format: CheckFormat,
    #[command(flatten)]
    read: ReadArgs,
}

/// Exit code of `poam link` when the SSP and the POA&M disagree.
pub(crate) const EXIT_FINDINGS: u8 = 1;

pub(crate) fn link(args: &LinkArgs) -> Result<u8, Failure> {
    let mut imported = read_input(&args.input, &args.read)?;
    let index = poam_ssp::read_ssp(&args.ssp).map_err(input_failure)?;
    poam_ssp::link(&mut imported.poam, &index);
    let findings = poam_ssp::check(&imported.poam, &index);
    let kinds = [
        poam_ssp::FindingKind::GapWithoutItem,
        poam_ssp::FindingKind::ItemWithoutSection,
        poam_ssp::FindingKind::ClosedButGap,
        poam_ssp::FindingKind::OpenButImplemented,
        poam_ssp::FindingKind::DateMismatch,
    ];
    let (controls, enhancements) = index.counts();
    let linked = poam_ssp::links(&imported.poam);
    let out = match args.format {
        CheckFormat::Json => {
            let counts: serde_json::Map<String, serde_json::Value> = kinds
                .iter()
                .map(|k| {
                    (
                        serde_json::to_value(k)
                            .ok()
                            .and_then(|v| v.as_str().map(String::from))
                            .unwrap_or_default(),
                        serde_json::json!(findings.iter().filter(|f| f.kind == *k).count()),
                    )
                })
                .collect();
            let v = serde_json::json!({
                "poam": args.input.display().to_string(),
                "ssp": args.ssp.display().to_string(),
                "ssp_kind": index.kind,
                "ssp_sections": index.sections.len(),
                "links": linked,
                "counts": counts,
                "findings": findings,
                "items": imported.poam.items.iter().map(|i| serde_json::json!({"id": i.id, "ssp_refs": i.ssp_refs})).collect::<Vec<_>>(),
            });
            serde_json::to_string_pretty(&v).map_err(output_failure)? + "\n"
        }
        CheckFormat::Text | CheckFormat::Md => {
            let mut page = Page::new(matches!(args.format, CheckFormat::Md));
            page.title(&format!(
                "SSP {} ({}): {} sections ({controls} controls, {enhancements} enhancements); {linked} control link(s) found",
                args.ssp.display(),
                index.kind,
                index.sections.len()
            ));
            page.para(&format!("{} finding(s)", findings.len()));
            for kind in kinds {
                let mine: Vec<&poam_ssp::Finding> =
                    findings.iter().filter(|f| f.kind == kind).collect();
                page.section(&format!("{} ({})", kind.title(), mine.len()));
                for f in mine {
                    page.item(&f.message);
                }
            }
            page.finish()
        }
    };
    print_out(out.as_bytes())?;
    Ok(if findings.is_empty() {
        0
    } else {
        EXIT_FINDINGS
    })
}
