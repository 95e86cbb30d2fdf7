//! `poam update LAST --scan FILE... -o THIS`: the month's POA&M.

use super::*;
use poam_ops::update::{update as do_update, Change, UpdateOptions, UpdateSummary};

#[derive(clap::Args)]
pub(crate) struct UpdateArgs {
    /// Last month's POA&M (any layout poam reads).
    last: PathBuf,
    /// This month's scanner output: Nessus .nessus, a Tenable or Qualys CSV
    /// export, Qualys XML, a STIG checklist (.ckl, .cklb), SCAP results
    /// (XCCDF, ARF), SARIF, Trivy or Grype JSON, Amazon Inspector or
    /// Security Hub (ASFF) findings. May be repeated.
    #[arg(long = "scan", value_name = "FILE", required = true)]
    scans: Vec<PathBuf>,
    /// Read a scanner's CSV poam does not know with this mapping file of its
    /// columns; applies to each --scan CSV whose header has the mapping's
    /// id and host columns.
    #[arg(long, value_name = "FILE")]
    scan_mapping: Option<PathBuf>,
    /// This month's POA&M, in last month's layout (or --to's).
    #[arg(short, long, value_name = "OUT")]
    output: Option<PathBuf>,
    /// Write another format or template than last month's.
    #[arg(long, value_name = "FORMAT")]
    to: Option<String>,
    /// With --to: the template version.
    #[arg(long, value_name = "VERSION")]
    template_version: Option<String>,
    /// The policy that sets a new item's scheduled completion: fedramp
    /// (30/90/180 days by rating), dod (by DISA category), cms, or a policy
    /// file. By default dod for an eMASS layout, fedramp otherwise.
    #[arg(long, value_name = "POLICY")]
    policy: Option<String>,
    /// The day of the update (YYYY-MM-DD); today by default.
    #[arg(long, value_name = "DATE")]
    as_of: Option<String>,
    /// The prefix of new POA&M IDs (by default the one last month's use).
    #[arg(long, value_name = "TEXT")]
    id_prefix: Option<String>,
    /// The point of contact of new items (FedRAMP and eMASS ask for one).
    #[arg(long, value_name = "NAME")]
    poc: Option<String>,
    /// CISA's KEV catalog (its JSON or CSV, downloaded by you; never fetched):
    /// items with a listed CVE are marked with the BOD 22-01 due date.
    #[arg(long, value_name = "FILE")]
    kev: Option<PathBuf>,
    /// Show what would change; write nothing.
    #[arg(long)]
    dry_run: bool,
    /// How the change summary is printed.
    #[arg(long, value_enum, default_value = "text")]
    format: CheckFormat,
    /// Also write the change summary as JSON to this file.
    #[arg(long, value_name = "FILE")]
    summary_json: Option<PathBuf>,
    /// Also write the change summary as a workbook (a Summary and a
    /// Changes sheet) to this file.
    #[arg(long, value_name = "FILE")]
    summary_xlsx: Option<PathBuf>,
    #[command(flatten)]
    read: ReadArgs,
}

pub(crate) fn update(args: &UpdateArgs) -> Result<u8, Failure> {
    let as_of = parse_day("--as-of", &args.as_of)?;
    let mut inputs: Vec<&Path> = vec![args.last.as_path()];
    inputs.extend(args.scans.iter().map(PathBuf::as_path));
    inputs.extend(args.kev.as_deref());
    inputs.extend(args.scan_mapping.as_deref());
    if let Some(out) = &args.output {
        crate::guard_output(out, &inputs, "-o")?;
    } else if !args.dry_run {
        return Err(input_failure(anyhow::anyhow!(
            "add -o THIS-MONTH.xlsx for this month's POA&M (or --dry-run to see the changes only)"
        )));
    }
    for (path, flag) in [
        (&args.summary_json, "--summary-json"),
        (&args.summary_xlsx, "--summary-xlsx"),
    ] {
        if let Some(path) = path {
            let mut all = inputs.clone();
            all.extend(args.output.as_deref());
            crate::guard_output(path, &all, flag)?;
        }
    }
    let kev = args
        .kev
        .as_deref()
        .map(poam_scan::read_kev)
        .transpose()
        .map_err(input_failure)?;
    let mapping = crate::scan_mapping(args.scan_mapping.as_deref())?;
    let imported = read_input(&args.last, &args.read)?;
    let mut scans = Vec::new();
    for path in &args.scans {
        let scan = poam_scan::read_scan_mapped(path, mapping.as_ref()).map_err(input_failure)?;
        for n in &scan.notes {
            eprintln!("warning: {}: {}: {}", path.display(), n.position, n.message);
        }
        scans.push(scan);
    }
    // Last month's layout, unless --to says otherwise.
    let own = crate::layout_read_as(&imported.report);
    let output = match &args.to {
        Some(to) => {
            let format = parse_format(to)?;
            target_output(&format, args.template_version.as_deref())?
        }
        None => match own {
            Some(l) => poam_export::Output::Workbook(l),
            None => {
                let format = parse_format(&imported.report.format).map_err(|_| {
                    input_failure(anyhow::anyhow!(
                        "{}: read as {}, which poam cannot write back; add --to (fedramp, emass, csv, json...)",
                        args.last.display(),
                        imported.report.format
                    ))
                })?;
                target_output(&format, None)?
            }
        },
    };
    let layout = match output {
        poam_export::Output::Workbook(l) => Some(l),
        _ => None,
    };
    let emass = layout.is_some_and(|l| l.family.eq_ignore_ascii_case("emass"));
    let policy =
        load_policy(
            args.policy
                .as_deref()
                .unwrap_or(if emass { "dod" } else { "fedramp" }),
        )?;
    let updated = do_update(
        &imported.poam,
        &scans,
        &UpdateOptions {
            as_of,
            policy: Some(&policy),
            emass,
            id_prefix: args.id_prefix.clone(),
            kev: kev.as_ref(),
            point_of_contact: args.poc.clone(),
        },
    );
    if let (Some(out), false) = (&args.output, args.dry_run) {
        let written = poam_export::write(&updated.poam, output, &write_options(false, false))
            .map_err(output_failure)?;
        save_atomic(out, &written.bytes).map_err(output_failure)?;
        print_diagnostics(&args.last, &written.diagnostics, false, layout);
        eprintln!(
            "wrote {}: {} open, {} closed item(s)",
            out.display(),
            updated.poam.open_count(),
            updated.poam.closed_count()
        );
    }
    let s = &updated.summary;
    if let Some(path) = &args.summary_json {
        let text = serde_json::to_vec_pretty(s).map_err(output_failure)?;
        save_atomic(path, &text).map_err(output_failure)?;
    }
    if let Some(path) = &args.summary_xlsx {
        let bytes = poam_export::update_out::write_update_xlsx(s).map_err(output_failure)?;
        save_atomic(path, &bytes).map_err(output_failure)?;
    }
    let out = match args.format {
        CheckFormat::Json => serde_json::to_string_pretty(s).map_err(output_failure)? + "\n",
        CheckFormat::Text | CheckFormat::Md => {
            summary_text(s, matches!(args.format, CheckFormat::Md))
        }
    };
    print_out(out.as_bytes())?;
    Ok(0)
}

fn summary_text(s: &UpdateSummary, md: bool) -> String {
    let mut page = crate::page::Page::new(md);
    page.title(&format!(
        "This month's POA&M{}: {} new, {} closed, {} reopened, {} still open, {} not covered",
        s.as_of.map(|d| format!(" as of {d}")).unwrap_or_default(),
        s.new.len(),
        s.closed.len(),
        s.reopened.len(),
        s.still_open.len(),
        s.not_covered.len()
    ));
    for scan in &s.scans {
        page.line(&format!("scan {scan}"));
    }
    let list = |page: &mut crate::page::Page, title: &str, changes: &[Change]| {
        if changes.is_empty() {
            return;
        }
        page.section(&format!("{title} ({})", changes.len()));
        for c in changes {
            page.item(&format!("{} ({}): {}", c.item, c.finding, c.note));
        }
    };
    list(&mut page, "New", &s.new);
    list(&mut page, "Closed", &s.closed);
    list(&mut page, "Reopened", &s.reopened);
    list(
        &mut page,
        "Not covered: left open, assets not scanned",
        &s.not_covered,
    );
    list(
        &mut page,
        "Approved false positives found again: left closed",
        &s.false_positives_found,
    );
    list(&mut page, "In CISA's KEV catalog", &s.kev_marked);
    list(&mut page, "Still open", &s.still_open);
    page.section("Assets");
    page.line(&format!(
        "{} added to items, {} removed (scanned, no longer affected)",
        s.assets_added, s.assets_removed
    ));
    if s.default_controls > 0 {
        page.section("Controls");
        page.line(&format!(
            "{} new item(s) name no control from their scanner: given the policy's default (their comments say so); check them",
            s.default_controls
        ));
    }
    if !s.due_soon.is_empty() {
        page.section(&format!("Due in the next 30 days ({})", s.due_soon.len()));
        page.line(&s.due_soon.join(", "));
    }
    if !s.past_due.is_empty() {
        page.section(&format!("Past due ({})", s.past_due.len()));
        page.line(&s.past_due.join(", "));
    }
    if !s.not_findings.is_empty() {
        page.section("Scan results that are not open weaknesses");
        page.line(
            &s.not_findings
                .iter()
                .map(|(k, n)| format!("{n} {k}"))
                .collect::<Vec<_>>()
                .join(", "),
        );
    }
    page.finish()
}
