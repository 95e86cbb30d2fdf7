//! `poam inspect`: how a file is read, and the mapping file to edit.

use super::*;

#[derive(Clone, Copy, ValueEnum)]
pub(crate) enum InspectFormat {
    Text,
    Json,
}

#[derive(clap::Args)]
pub(crate) struct InspectArgs {
    /// The POA&M file to read.
    input: PathBuf,
    /// Output format.
    #[arg(long, value_enum, default_value = "text")]
    format: InspectFormat,
    /// Exit with code 1 when there are warnings.
    #[arg(long)]
    strict: bool,
    /// Write the column mapping used (or guessed) as a mapping file to edit;
    /// `-` prints it.
    #[arg(long, value_name = "FILE")]
    emit_mapping: Option<PathBuf>,
    /// Read a scanner's CSV poam does not know with this mapping file of its
    /// columns (docs/formats.md, "Another scanner's CSV").
    #[arg(long, value_name = "FILE")]
    scan_mapping: Option<PathBuf>,
    #[command(flatten)]
    read: ReadArgs,
}

pub(crate) fn inspect(args: &InspectArgs) -> Result<u8, Failure> {
    if let Some(target) = args
        .emit_mapping
        .as_deref()
        .filter(|t| t.as_os_str() != "-")
    {
        crate::guard_output(target, &[&args.input], "--emit-mapping")?;
    }
    // A scanner's output: what it covered and found.
    if args.scan_mapping.is_some() || poam_scan::detect(&args.input).is_some() {
        return inspect_scan(args);
    }
    let imported = read_input(&args.input, &args.read)?;
    if let Some(target) = &args.emit_mapping {
        let text = emit_mapping(&args.input, &imported);
        if target.as_os_str() == "-" {
            std::io::stdout()
                .lock()
                .write_all(text.as_bytes())
                .map_err(output_failure)?;
            return Ok(0);
        }
        save_atomic(target, text.as_bytes()).map_err(output_failure)?;
        eprintln!(
            "wrote {}: edit it, then use `--mapping {}`",
            target.display(),
            target.display()
        );
    }
    let mut out = String::new();
    match args.format {
        InspectFormat::Json => {
            let value = serde_json::json!({
                "format_version": JSON_FORMAT_VERSION,
                "file": args.input.display().to_string(),
                "read": imported.report,
                "open_items": imported.poam.open_count(),
                "closed_items": imported.poam.closed_count(),
                "system": imported.poam.system,
                "diagnostics": imported.diagnostics,
            });
            out.push_str(&serde_json::to_string_pretty(&value).map_err(output_failure)?);
            out.push('\n');
        }
        InspectFormat::Text => out = inspect_text(&args.input, &imported),
    }
    print_out(out.as_bytes())?;
    Ok(if args.strict && warnings(&imported.diagnostics) > 0 {
        EXIT_STRICT
    } else {
        0
    })
}

/// The mapping a file was read with, as a mapping file to edit.
pub(crate) fn emit_mapping(path: &Path, imported: &Imported) -> String {
    let mut columns = Vec::new();
    let mut sheets = Vec::new();
    for sheet in &imported.report.sheets {
        let (Some(row), Some(role)) = (sheet.header_row, sheet.role.as_deref()) else {
            continue;
        };
        let role = match role {
            "closed" => poam_layout::SheetRole::Closed,
            "configuration" => poam_layout::SheetRole::Configuration,
            _ => poam_layout::SheetRole::Open,
        };
        sheets.push((sheet.name.clone(), row, role));
        for c in &sheet.columns {
            columns.push((c.header.clone(), c.field.clone()));
        }
    }
    poam_layout::mapping::mapping_toml(&path.display().to_string(), &columns, &sheets)
}

pub(crate) fn inspect_text(path: &Path, imported: &Imported) -> String {
    use std::fmt::Write as _;
    let r = &imported.report;
    let mut s = String::new();
    let _ = writeln!(s, "file:    {}", path.display());
    let _ = writeln!(
        s,
        "layout:  {}",
        match (&r.layout, &r.layout_name) {
            (Some(l), Some(n)) => format!("{l} ({n})"),
            (Some(l), None) => l.clone(),
            _ => "unknown".into(),
        }
    );
    for e in &r.evidence {
        let _ = writeln!(s, "         evidence: {e}");
    }
    if r.candidates.len() > 1 {
        let others: Vec<String> = r
            .candidates
            .iter()
            .skip(1)
            .take(3)
            .map(|c| format!("{} ({})", c.layout, c.score))
            .collect();
        let _ = writeln!(
            s,
            "         score {} against {}",
            r.candidates[0].score,
            others.join(", ")
        );
    }
    let sys = &imported.poam.system;
    let _ = writeln!(
        s,
        "system:  {} / {} / impact {} / POA&M date {}",
        sys.organization.as_deref().unwrap_or("-"),
        sys.name.as_deref().unwrap_or("-"),
        sys.impact_level.as_deref().unwrap_or("-"),
        sys.poam_date.map_or("-".to_string(), |d| d.to_string())
    );
    let _ = writeln!(
        s,
        "items:   {} open, {} closed",
        imported.poam.open_count(),
        imported.poam.closed_count()
    );
    for sheet in &r.sheets {
        let _ = writeln!(s);
        let _ = write!(s, "sheet '{}'", sheet.name);
        if let Some(role) = &sheet.role {
            let _ = write!(s, " ({role})");
        }
        if let Some(h) = sheet.header_row {
            let _ = write!(s, ": header row {h}, {} item(s)", sheet.items);
            if sheet.rows_skipped > 0 {
                let _ = write!(
                    s,
                    " from {} row(s), {} row(s) not read (below)",
                    sheet.rows_read, sheet.rows_skipped
                );
            }
        }
        if let Some(note) = &sheet.note {
            let _ = write!(s, " [{note}]");
        }
        let _ = writeln!(s);
        for c in &sheet.columns {
            let why: Vec<String> = [
                c.evidence.clone(),
                c.values.clone(),
                c.runner_up.as_ref().map(|r| format!("else {r}")),
            ]
            .into_iter()
            .flatten()
            .collect();
            let _ = writeln!(
                s,
                "  {:>3}  {:<45} -> {}{}",
                c.column,
                c.header.replace('\n', " "),
                c.field.as_deref().unwrap_or("extra"),
                if why.is_empty() {
                    String::new()
                } else {
                    format!("  ({})", why.join("; "))
                }
            );
        }
    }
    let _ = writeln!(s);
    if imported.diagnostics.is_empty() {
        let _ = writeln!(s, "diagnostics: none");
    } else {
        let _ = writeln!(
            s,
            "diagnostics: {} ({} warning(s))",
            imported.diagnostics.len(),
            warnings(&imported.diagnostics)
        );
        for d in &imported.diagnostics {
            let level = match d.severity() {
                Severity::Warning => "warning",
                Severity::Info => "note",
            };
            let _ = writeln!(s, "  {level}: {d}");
        }
    }
    s
}

/// `poam inspect` of a scanner output: the assets it covered, its results by
/// outcome, the open findings by severity and distinct id, and what could
/// not be read.
fn inspect_scan(args: &InspectArgs) -> Result<u8, Failure> {
    use poam_scan::Outcome;
    use std::collections::{BTreeMap, BTreeSet};
    // Counted as the findings stream by: a scan of any size in flat memory.
    let mut results = 0usize;
    let mut by_outcome: BTreeMap<&str, usize> = BTreeMap::new();
    let mut by_severity: BTreeMap<poam_scan::Severity, usize> = BTreeMap::new();
    let mut open_ids = BTreeSet::new();
    let mut open_assets = BTreeSet::new();
    let mut cves = BTreeSet::new();
    let mapping = crate::scan_mapping(args.scan_mapping.as_deref())?;
    let scan = poam_scan::read_scan_into_mapped(&args.input, mapping.as_ref(), &mut |f| {
        results += 1;
        *by_outcome.entry(f.outcome.label()).or_default() += 1;
        if f.outcome == Outcome::Open {
            *by_severity.entry(f.severity).or_default() += 1;
            open_assets.insert(f.asset);
            cves.extend(f.cves);
            open_ids.insert(f.id);
        }
    })
    .map_err(input_failure)?;
    let open = by_outcome.get("open").copied().unwrap_or(0);
    let out = match args.format {
        InspectFormat::Json => {
            let value = serde_json::json!({
                "format_version": JSON_FORMAT_VERSION,
                "file": args.input.display().to_string(),
                "scan": {
                    "format": scan.format,
                    "scanner": scan.scanner,
                    "name": scan.name,
                    "scanned_on": scan.scanned_on,
                    "assets": scan.assets,
                },
                "results": results,
                "by_outcome": by_outcome,
                "open": {
                    "results": open,
                    "distinct_ids": open_ids.len(),
                    "assets": open_assets.len(),
                    "cves": cves.len(),
                    "by_severity": by_severity.iter().map(|(s, n)| (s.label(), *n)).collect::<BTreeMap<_, _>>(),
                },
                "notes": scan.notes,
            });
            serde_json::to_string_pretty(&value).map_err(output_failure)? + "\n"
        }
        InspectFormat::Text => {
            use std::fmt::Write as _;
            let mut s = String::new();
            let _ = writeln!(s, "file:    {}", args.input.display());
            let _ = writeln!(
                s,
                "scan:    {} ({}){}{}",
                scan.scanner.as_deref().unwrap_or("scanner"),
                scan.format,
                scan.name
                    .as_deref()
                    .map(|n| format!(", \"{n}\""))
                    .unwrap_or_default(),
                scan.scanned_on
                    .map(|d| format!(", run {d}"))
                    .unwrap_or_default()
            );
            let names: Vec<String> = scan
                .assets
                .iter()
                .take(5)
                .map(|a| match &a.ip {
                    Some(ip) if ip != a.label() => format!("{} ({ip})", a.label()),
                    _ => a.label().to_string(),
                })
                .collect();
            let _ = writeln!(
                s,
                "assets:  {} covered: {}{}",
                scan.assets.len(),
                names.join(", "),
                if scan.assets.len() > 5 { ", ..." } else { "" }
            );
            let _ = writeln!(
                s,
                "results: {}: {}",
                results,
                by_outcome
                    .iter()
                    .map(|(o, n)| format!("{n} {o}"))
                    .collect::<Vec<_>>()
                    .join(", ")
            );
            let _ = writeln!(
                s,
                "open:    {open} on {} asset(s), {} distinct id(s), {} CVE(s); {}",
                open_assets.len(),
                open_ids.len(),
                cves.len(),
                by_severity
                    .iter()
                    .rev()
                    .map(|(sev, n)| format!("{n} {}", sev.label()))
                    .collect::<Vec<_>>()
                    .join(", ")
            );
            for n in &scan.notes {
                let _ = writeln!(
                    s,
                    "warning: {}: {}: {}",
                    args.input.display(),
                    n.position,
                    n.message
                );
            }
            s
        }
    };
    print_out(out.as_bytes())?;
    Ok(if args.strict && !scan.notes.is_empty() {
        EXIT_STRICT
    } else {
        0
    })
}
