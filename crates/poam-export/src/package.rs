//! The supplier POA&M package for a prime contractor's supplier assessment:
//! the NIST SP 800-171 plan of action (NIST's Word template and a
//! workbook), an assessment summary with the SPRS score, the score as data,
//! and a contents page that says what was left out and why, all in one zip.
//!
//! Only the open items naming an SP 800-171 requirement (or its CMMC
//! practice) go in: a plant's quality items (ISO 9001 clauses) and closed
//! items stay in the POA&M the package was made from, and the contents page
//! names them.

use crate::format::{write, Output, WriteOptions};
use crate::report::{build, ReportOptions};
use crate::ExportError;
use chrono::NaiveDate;
use poam_layout::catalog::catalogs;
use poam_model::{Item, Poam, State};
use std::io::{Cursor, Write};
use std::sync::Arc;

/// What the package is made for.
#[derive(Debug, Clone)]
pub struct PackageOptions {
    /// The day the package is prepared (what is overdue, the report's date).
    pub as_of: NaiveDate,
    /// The Conditional CMMC Status date the 180-day closeout counts from.
    pub conditional_date: NaiveDate,
    /// The file the POA&M was read from, as the contents page names it.
    pub source: String,
    /// NIST's own Word plan-of-action template (the user's copy), to fill
    /// in place of the drawn plan.
    pub nist_template: Option<Vec<u8>>,
}

/// One item the package does not carry, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LeftOut {
    /// The item's id or name.
    pub item: String,
    /// Why (`names no SP 800-171 requirement (ISO 9001:2015 7.1.5.2)`).
    pub reason: String,
}

/// The package, built in memory.
#[derive(Debug)]
pub struct Package {
    /// The zip's bytes.
    pub bytes: Vec<u8>,
    /// The files in it, in order, with what each holds.
    pub files: Vec<(String, String)>,
    /// The items in the plan of action.
    pub items: usize,
    /// Open items left out (no SP 800-171 requirement).
    pub left_out: Vec<LeftOut>,
    /// Closed items left out.
    pub closed: usize,
    /// The SPRS score and the Conditional Level 2 verdict.
    pub score: poam_rules::ScoreReport,
}

/// Whether an item names an SP 800-171 requirement (CMMC practices are read
/// as their requirement).
fn names_sp800_171(item: &Item) -> bool {
    let cat = catalogs();
    item.controls.iter().any(|c| cat.requirement(c).is_some())
}

/// What an item names instead, for the contents page.
fn what_it_names(item: &Item) -> String {
    let titles: std::collections::HashMap<&str, &str> = catalogs()
        .frameworks()
        .map(|f| (f.name.as_str(), f.title.as_str()))
        .collect();
    let mut ids: Vec<String> = item.controls.iter().map(|c| c.to_string()).collect();
    ids.extend(item.other_controls.iter().map(|o| {
        format!(
            "{} {}",
            titles
                .get(o.framework.as_str())
                .unwrap_or(&o.framework.as_str()),
            o.id
        )
    }));
    if ids.is_empty() {
        "names no requirement".into()
    } else {
        format!("names no SP 800-171 requirement ({})", ids.join(", "))
    }
}

/// Builds the supplier package from a POA&M.
///
/// # Errors
///
/// [`ExportError::Empty`] when no open item names an SP 800-171
/// requirement (there is no plan of action to hand in); a writer's error.
pub fn supplier_package(poam: &Poam, opts: &PackageOptions) -> Result<Package, ExportError> {
    let mut plan = Poam {
        system: poam.system.clone(),
        items: Vec::new(),
    };
    let mut left_out = Vec::new();
    let mut closed = 0;
    for item in &poam.items {
        if item.state != State::Open {
            closed += 1;
        } else if names_sp800_171(item) {
            plan.items.push(item.clone());
        } else {
            left_out.push(LeftOut {
                item: item.display_name().to_string(),
                reason: what_it_names(item),
            });
        }
    }
    if plan.items.is_empty() {
        return Err(ExportError::Empty(format!(
            "{}: no open item names an SP 800-171 requirement or CMMC practice, so there is no plan of action to hand in",
            opts.source
        )));
    }
    let score = poam_rules::score(
        &plan,
        &poam_rules::ScoreOptions {
            conditional_date: opts.conditional_date,
            ..Default::default()
        },
    );
    let nist = poam_layout::builtin()
        .find("nist-171", None)
        .ok_or_else(|| ExportError::Fill("the NIST SP 800-171 layout is missing".into()))?;
    let write_opts = WriteOptions {
        xlsx: crate::xlsx::XlsxOptions {
            default_poam_date: Some(opts.as_of),
            ..Default::default()
        },
        ..Default::default()
    };
    let plan_docx = match &opts.nist_template {
        Some(template) => crate::fill_docx::fill_nist_plan(template, &plan)?.bytes,
        None => write(&plan, Output::Nist171Docx, &write_opts)?.bytes,
    };
    let plan_xlsx = write(&plan, Output::Workbook(nist), &write_opts)?.bytes;
    let data = build(
        Arc::new(plan),
        &ReportOptions {
            as_of: opts.as_of,
            score: Some(score.summary()),
            title: Some("Supplier assessment: NIST SP 800-171 plan of action".into()),
            ..Default::default()
        },
    );
    let summary = crate::docx_out::write_report_docx(&data)?.bytes;
    let score_json = serde_json::to_vec_pretty(&score)?;
    let items = data.open;
    let files = vec![
        (
            "plan-of-action.docx".to_string(),
            format!(
                "the NIST SP 800-171 plan of action {}, {items} open item(s)",
                if opts.nist_template.is_some() {
                    "filled into NIST's Word template"
                } else {
                    "in the shape of NIST's Word template"
                }
            ),
        ),
        (
            "plan-of-action.xlsx".to_string(),
            "the same items as a workbook, in the plan's columns".to_string(),
        ),
        (
            "assessment-summary.docx".to_string(),
            "the SPRS score and the Conditional Level 2 verdict, with each item and its plan"
                .to_string(),
        ),
        (
            "sprs-score.json".to_string(),
            "the score and the Conditional CMMC Level 2 verdict as data".to_string(),
        ),
        ("README.txt".to_string(), "this page".to_string()),
    ];
    let readme = contents_page(poam, opts, &files, &score, &left_out, closed);
    let bytes = zip_of(
        opts.as_of,
        &[
            (&files[0].0, &plan_docx),
            (&files[1].0, &plan_xlsx),
            (&files[2].0, &summary),
            (&files[3].0, &score_json),
            (&files[4].0, readme.as_bytes()),
        ],
    )?;
    Ok(Package {
        bytes,
        files,
        items,
        left_out,
        closed,
        score,
    })
}

/// The package's contents page, in plain text a reviewer opens anywhere.
fn contents_page(
    poam: &Poam,
    opts: &PackageOptions,
    files: &[(String, String)],
    score: &poam_rules::ScoreReport,
    left_out: &[LeftOut],
    closed: usize,
) -> String {
    use std::fmt::Write as _;
    let mut page = String::new();
    let who = [
        poam.system.organization.as_deref(),
        poam.system.name.as_deref(),
    ]
    .into_iter()
    .flatten()
    .collect::<Vec<_>>()
    .join(", ");
    let _ = writeln!(
        page,
        "Supplier POA&M package{}",
        if who.is_empty() {
            String::new()
        } else {
            format!(": {who}")
        }
    );
    let _ = writeln!(
        page,
        "Prepared {} from {}\r\n",
        opts.as_of.format("%Y-%m-%d"),
        opts.source
    );
    let _ = writeln!(
        page,
        "NIST SP 800-171 DoD Assessment score (SPRS): {}",
        match score.score {
            Some(s) => format!("{s} of {}", score.maximum),
            None => "none".into(),
        }
    );
    match &score.no_score_reason {
        Some(reason) => {
            let _ = writeln!(page, "  {reason}");
        }
        None => {
            let _ = writeln!(
                page,
                "  Counted from the open items below: every requirement without one is taken as met, as the system security plan must show."
            );
        }
    }
    let _ = writeln!(
        page,
        "Conditional CMMC Level 2: {} (score {} the minimum {}; {} ineligible item(s)); POA&M closeout by {}\r\n",
        if score.eligible { "eligible" } else { "not eligible" },
        if score.passes { "meets" } else { "is below" },
        score.minimum,
        score.ineligible.len(),
        score.closeout_deadline.format("%Y-%m-%d")
    );
    let _ = writeln!(page, "Files");
    for (name, what) in files {
        let _ = writeln!(page, "  {name:<25} {what}");
    }
    if !left_out.is_empty() || closed > 0 {
        let _ = writeln!(
            page,
            "\r\nNot in this package (they stay in {})",
            opts.source
        );
        for l in left_out {
            let _ = writeln!(page, "  {}: {}", l.item, l.reason);
        }
        if closed > 0 {
            let _ = writeln!(page, "  {closed} closed item(s)");
        }
    }
    let _ = writeln!(
        page,
        "\r\nA POA&M records known gaps and the plan to close them; it is not evidence that the requirements are met."
    );
    // Notepad and every other reader show CRLF lines right.
    page.replace("\r\n", "\n").replace('\n', "\r\n")
}

/// The files in one zip, each dated the day the package is prepared.
fn zip_of(day: NaiveDate, files: &[(&String, &[u8])]) -> Result<Vec<u8>, ExportError> {
    use chrono::Datelike;
    let bad = |e: zip::result::ZipError| ExportError::Zip(e.to_string());
    let mut out = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let mut options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    if let Ok(at) = zip::DateTime::from_date_and_time(
        u16::try_from(day.year()).unwrap_or(1980),
        day.month() as u8,
        day.day() as u8,
        12,
        0,
        0,
    ) {
        options = options.last_modified_time(at);
    }
    for (name, bytes) in files {
        out.start_file(name.as_str(), options).map_err(bad)?;
        out.write_all(bytes).map_err(|e| bad(e.into()))?;
    }
    Ok(out.finish().map_err(bad)?.into_inner())
}
