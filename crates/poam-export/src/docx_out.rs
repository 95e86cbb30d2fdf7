//! Word deliverables, written with docx-rs: the NIST SP 800-171 plan of
//! action as NIST's template lays it out, and the POA&M report.
//!
//! docx-rs cannot mark a table row as a header row that Word repeats on
//! every page (`w:tblHeader`); [`repeat_header_rows`] adds it to the first
//! row of every table in `word/document.xml` after docx-rs has written it.
//! Landscape pages need `page_size` before `page_orient` (docx-rs drops the
//! orientation otherwise).

use crate::report::ReportData;
use crate::{ExportError, Written};
use docx_rs::{
    AlignmentType, BreakType, Docx, Footer, Header, PageMargin, PageOrientationType, Paragraph,
    Run, Shading, Style, StyleType, Table, TableCell, TableOfContents, TableRow, WidthType,
};
use poam_model::{Poam, State};
use std::io::{Cursor, Read, Write};

/// Letter size in twentieths of a point.
const LETTER_LONG: u32 = 15840;
const LETTER_SHORT: u32 = 12240;

thread_local! {
    /// Texts of the document being written that held control characters.
    static CLEANED: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
}

/// Text as XML 1.0 can hold it: a vertical tab or form feed (Word's soft
/// line and page breaks, which a workbook stores as `_x000B_`) becomes a
/// line break, and the other control characters it forbids (NUL ...) go.
/// A Word file with one of them is refused by Word and LibreOffice.
pub(crate) fn xml_safe(text: &str) -> std::borrow::Cow<'_, str> {
    let forbidden = |c: char| matches!(c, '\u{0}'..='\u{8}' | '\u{b}' | '\u{c}' | '\u{e}'..='\u{1f}' | '\u{fffe}' | '\u{ffff}');
    if !text.contains(forbidden) {
        return std::borrow::Cow::Borrowed(text);
    }
    CLEANED.with(|n| n.set(n.get() + 1));
    std::borrow::Cow::Owned(
        text.chars()
            .filter_map(|c| match c {
                '\u{b}' | '\u{c}' => Some('\n'),
                c if forbidden(c) => None,
                c => Some(c),
            })
            .collect(),
    )
}

/// Starts counting the texts cleaned for one document.
fn begin_cleaning() {
    CLEANED.with(|n| n.set(0));
}

/// The warning for the texts cleaned in the document, if any.
fn cleaned(target: &str) -> Option<poam_model::Diagnostic> {
    let n = CLEANED.with(std::cell::Cell::get);
    (n > 0).then(|| {
        poam_model::Diagnostic::unplaced(poam_model::DiagKind::DroppedField {
            count: n,
            lost: poam_model::diag::Lost::ControlCharacters,
            target: target.to_string(),
        })
    })
}

/// The most items a Word file is built with: the document is built whole
/// in memory before it is written, at about 45 KB an item for the plan's
/// table and 160 KB for the report (its table rows and an item section each),
/// so these keep a Word file within about 1.3 GB. Said before any work.
const NIST_PLAN_ITEMS: usize = 30_000;
const REPORT_ITEMS: usize = 8_000;

fn check_word_size(
    items: usize,
    most: usize,
    what: &str,
    instead: &str,
) -> Result<(), ExportError> {
    if items <= most {
        return Ok(());
    }
    Err(ExportError::TooBig(format!(
        "a {what} in Word takes {most} items at most, and this POA&M has {items}; write {instead}, or split the POA&M (a file per business unit, or the open items only)"
    )))
}

fn cell_text(text: &str, bold: bool) -> TableCell {
    cell_sized(text, bold, 18)
}

/// A cell of text, one paragraph per line, in `size` half-points.
fn cell_sized(text: &str, bold: bool, size: usize) -> TableCell {
    let mut cell = TableCell::new();
    let text = xml_safe(text);
    for line in text.split('\n') {
        let mut run = Run::new().add_text(line).size(size);
        if bold {
            run = run.bold();
        }
        cell = cell.add_paragraph(Paragraph::new().add_run(run));
    }
    cell
}

fn header_cell(text: &str) -> TableCell {
    cell_text(text, true).shading(Shading::new().fill("CCECFC"))
}

/// The marking, centered and bold, in the page header and footer of every
/// page, as a security office looks for it.
fn marked(docx: Docx, marking: Option<&str>) -> Docx {
    let Some(m) = marking else {
        return docx;
    };
    docx.header(Header::new().add_paragraph(centered_bold(m)))
        .footer(Footer::new().add_paragraph(centered_bold(m)))
}

/// A centered bold line (a page header's or footer's).
fn centered_bold(text: &str) -> Paragraph {
    Paragraph::new()
        .align(AlignmentType::Center)
        .add_run(Run::new().add_text(xml_safe(text)).bold())
}

fn styles(docx: Docx) -> Docx {
    // Calibri, the NIST template's body font (its theme's minor font).
    docx.default_fonts(
        docx_rs::RunFonts::new()
            .ascii("Calibri")
            .hi_ansi("Calibri")
            .east_asia("Calibri")
            .cs("Calibri"),
    )
    .add_style(
        Style::new("Title", StyleType::Paragraph)
            .name("Title")
            .size(48)
            .bold(),
    )
    .add_style(
        Style::new("Heading1", StyleType::Paragraph)
            .name("heading 1")
            .size(32)
            .bold()
            .outline_lvl(0),
    )
    .add_style(
        Style::new("Heading2", StyleType::Paragraph)
            .name("heading 2")
            .size(26)
            .bold()
            .outline_lvl(1),
    )
}

fn heading(text: &str, level: usize) -> Paragraph {
    Paragraph::new()
        .add_run(Run::new().add_text(xml_safe(text)))
        .style(if level == 1 { "Heading1" } else { "Heading2" })
}

fn para(text: &str) -> Paragraph {
    Paragraph::new().add_run(Run::new().add_text(xml_safe(text)))
}

fn pack(docx: Docx) -> Result<Vec<u8>, ExportError> {
    let mut out = Cursor::new(Vec::new());
    docx.build()
        .pack(&mut out)
        .map_err(|e| ExportError::Docx(e.to_string()))?;
    repeat_header_rows(&out.into_inner())
}

/// Marks the first row of every top-level table as a header row that Word
/// repeats at the top of each page.
///
/// # Errors
///
/// [`ExportError::Docx`] when the package is not a readable zip.
pub fn repeat_header_rows(docx: &[u8]) -> Result<Vec<u8>, ExportError> {
    let bad = |e: String| ExportError::Docx(e);
    let mut zip = zip::ZipArchive::new(Cursor::new(docx)).map_err(|e| bad(e.to_string()))?;
    let mut out = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for i in 0..zip.len() {
        let mut file = zip.by_index(i).map_err(|e| bad(e.to_string()))?;
        let name = file.name().map_err(|e| bad(e.to_string()))?.to_string();
        let mut data = Vec::new();
        file.read_to_end(&mut data)
            .map_err(|e| bad(e.to_string()))?;
        if name == "word/document.xml" {
            let xml = String::from_utf8(data).map_err(|e| bad(e.to_string()))?;
            data = mark_header_rows(&xml).into_bytes();
        }
        out.start_file(name, options)
            .map_err(|e| bad(e.to_string()))?;
        out.write_all(&data).map_err(|e| bad(e.to_string()))?;
    }
    Ok(out.finish().map_err(|e| bad(e.to_string()))?.into_inner())
}

fn mark_header_rows(xml: &str) -> String {
    let mut out = String::with_capacity(xml.len() + 256);
    let mut rest = xml;
    while let Some(t) = rest.find("<w:tbl>") {
        out.push_str(&rest[..t + 7]);
        rest = &rest[t + 7..];
        let Some(tr) = rest.find("<w:tr") else { break };
        let Some(end) = rest[tr..].find('>') else {
            break;
        };
        let after = tr + end + 1;
        out.push_str(&rest[..after]);
        rest = &rest[after..];
        if let Some(stripped) = rest.strip_prefix("<w:trPr>") {
            out.push_str("<w:trPr><w:tblHeader/>");
            rest = stripped;
        } else if let Some(stripped) = rest
            .strip_prefix("<w:trPr />")
            .or_else(|| rest.strip_prefix("<w:trPr/>"))
        {
            out.push_str("<w:trPr><w:tblHeader/></w:trPr>");
            rest = stripped;
        } else {
            out.push_str("<w:trPr><w:tblHeader/></w:trPr>");
        }
    }
    out.push_str(rest);
    out
}

/// Milestones as the plan's column shows them: one per line, each with its
/// date as the plan writes dates, numbered only when the source numbered
/// them (the text then carries its number).
fn nist_milestones(milestones: &[poam_model::Milestone]) -> String {
    milestones
        .iter()
        .map(|m| match m.due {
            Some(d) => format!("{}: {}", d.format("%m/%d/%Y"), m.description),
            None => m.description.to_string(),
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// The NIST SP 800-171 plan of action: landscape, NIST's eight columns with
/// the header row repeated on every page, one row per item, milestones with
/// their dates in their column.
///
/// # Errors
///
/// [`ExportError::Docx`] when the document cannot be packed.
pub fn write_nist171(poam: &Poam) -> Result<Written, ExportError> {
    check_word_size(
        poam.items.len(),
        NIST_PLAN_ITEMS,
        "NIST SP 800-171 plan of action",
        "the workbook form (--to nist-171), CSV or JSON",
    )?;
    begin_cleaning();
    let headers = [
        "Weaknesses",
        "Responsible Office/ Organization",
        "Resource Estimate (funded/ unfunded/ reallocation)",
        "Scheduled Completion Date",
        "Milestones with Interim Completion Dates",
        "Changes to Milestones",
        "How was the weakness identified?",
        "Status (Ongoing or Complete)",
    ];
    // The template's own column widths (twentieths of a point).
    let widths = [1728usize, 1774, 1440, 1260, 3420, 1800, 1440, 1026];
    let mut rows = vec![TableRow::new(
        // The template's header row: 10 pt, so that no header word breaks.
        headers
            .iter()
            .map(|h| cell_sized(h, true, 16).shading(Shading::new().fill("CCECFC")))
            .collect(),
    )];
    for item in &poam.items {
        // A weakness name (FedRAMP's, a scanner's) leads its description.
        let mut weakness: poam_model::Text = match (&item.weakness_name, &item.weakness_description)
        {
            (Some(n), Some(d)) if !d.starts_with(n.as_str()) => {
                poam_model::format_compact!("{n}: {d}")
            }
            (_, Some(d)) => d.clone(),
            (Some(n), None) => n.clone(),
            (None, None) => poam_model::Text::default(),
        };
        // The requirement ids lead the weakness text, as NIST's reader expects.
        if !item.controls.is_empty() && !item.controls.iter().all(|c| weakness.contains(c.as_str()))
        {
            weakness = format!("{}: {weakness}", item.controls.join(", ")).into();
        }
        let status = match (item.state, item.status) {
            (State::Closed, _) => "Complete".to_string(),
            (_, Some(s)) if s != poam_model::Status::Ongoing => s.label().to_string(),
            _ => "Ongoing".to_string(),
        };
        let cells = [
            weakness,
            item.point_of_contact.clone().unwrap_or_default(),
            item.resources_required.clone().unwrap_or_default(),
            item.scheduled_completion
                .map(|d| d.format("%m/%d/%Y").to_string())
                .unwrap_or_default()
                .into(),
            nist_milestones(&item.milestones).into(),
            item.milestone_changes.clone().unwrap_or_default(),
            item.detector_source.clone().unwrap_or_default(),
            status.into(),
        ];
        rows.push(TableRow::new(
            cells.iter().map(|t| cell_text(t, false)).collect(),
        ));
    }
    let table = Table::new(rows)
        .set_grid(widths.to_vec())
        .width(widths.iter().sum(), WidthType::Dxa);
    let title = match &poam.system.name {
        Some(n) => format!("Plan of Action: {n}"),
        None => "Plan of Action".to_string(),
    };
    // The template's page header: the marking (CUI, the plan's own), "Plan
    // of Action for" the system; its footer: the page number.
    let header = format!(
        "{} Plan of Action{}",
        poam.system
            .marking
            .as_deref()
            .unwrap_or("Controlled Unclassified Information"),
        poam.system
            .name
            .as_deref()
            .map(|n| format!(" for {n}"))
            .unwrap_or_default()
    );
    let mut docx = styles(Docx::new())
        .header(Header::new().add_paragraph(centered_bold(&header)))
        .footer(
            Footer::new().add_paragraph(
                Paragraph::new()
                    .align(AlignmentType::Center)
                    .add_run(Run::new().add_text("Page "))
                    .add_page_num(docx_rs::PageNum::new()),
            ),
        )
        .page_size(LETTER_LONG, LETTER_SHORT)
        .page_orient(PageOrientationType::Landscape)
        .page_margin(
            PageMargin::new()
                .top(720)
                .bottom(720)
                .left(1080)
                .right(1080)
                .header(432)
                .footer(720),
        )
        .add_paragraph(
            Paragraph::new()
                .add_run(Run::new().add_text(xml_safe(&title)))
                .style("Title"),
        );
    if let Some(org) = &poam.system.organization {
        docx = docx.add_paragraph(para(&format!("Organization: {org}")));
    }
    if let Some(d) = poam.system.poam_date {
        docx = docx.add_paragraph(para(&format!("Date: {}", d.format("%m/%d/%Y"))));
    }
    let docx = docx.add_table(table);
    use poam_model::Field;
    let held = [
        Field::WeaknessDescription,
        Field::Controls,
        Field::PointOfContact,
        Field::ResourcesRequired,
        Field::ScheduledCompletion,
        Field::Milestones,
        Field::MilestoneChanges,
        Field::DetectorSource,
        Field::Status,
    ];
    let mut diagnostics =
        crate::dropped_fields(&poam.items, &held, "the NIST SP 800-171 plan of action");
    // The weakness name stands in for a missing description.
    diagnostics.retain(|d| {
        let name_lost = matches!(
            &d.kind,
            poam_model::DiagKind::DroppedField {
                lost: poam_model::diag::Lost::Field(Field::WeaknessName),
                ..
            }
        );
        !(name_lost
            && poam
                .items
                .iter()
                .all(|i| i.weakness_description.is_none() || i.weakness_name.is_none()))
    });
    diagnostics.extend(cleaned("the NIST SP 800-171 plan of action"));
    Ok(Written {
        bytes: pack(docx)?,
        diagnostics,
    })
}

/// The POA&M report: title page, summary, overdue items, the items table,
/// then one section per open item. Headings use Word's heading styles, so the
/// navigation pane and the table of contents work.
///
/// # Errors
///
/// [`ExportError::Docx`] when the document cannot be packed.
pub fn write_report_docx(data: &ReportData) -> Result<Written, ExportError> {
    check_word_size(
        data.total,
        REPORT_ITEMS,
        "report",
        "the HTML or Markdown report (--format html), which has no such limit",
    )?;
    begin_cleaning();
    let mut docx = marked(styles(Docx::new()), data.marking.as_deref())
        .page_size(LETTER_LONG, LETTER_SHORT)
        .page_orient(PageOrientationType::Landscape)
        .add_paragraph(
            Paragraph::new()
                .add_run(Run::new().add_text(xml_safe(&data.title)))
                .style("Title"),
        );
    for (label, value) in [
        ("System", &data.system),
        ("Organization", &data.organization),
        ("Impact level", &data.impact_level),
        ("POA&M date", &data.poam_date),
    ] {
        docx = docx.add_paragraph(para(&format!(
            "{label}: {}",
            value.as_deref().unwrap_or("-")
        )));
    }
    docx = docx
        .add_paragraph(para(&format!("As of: {}", data.as_of)))
        .add_table_of_contents(TableOfContents::new().heading_styles_range(1, 2).auto())
        .add_paragraph(Paragraph::new().add_run(Run::new().add_break(BreakType::Page)))
        .add_paragraph(heading("Summary", 1))
        .add_paragraph(para(&format!(
            "{} items: {} open, {} closed. {} open items are past their {}scheduled completion date.",
            data.total,
            data.open,
            data.closed,
            data.overdue,
            data.policy.as_ref().map(|p| format!("{p} deadline or ")).unwrap_or_default()
        )));
    if let Some(sc) = &data.score {
        docx = docx.add_paragraph(para(&format!(
            "NIST SP 800-171 (SPRS) score: {}. Conditional CMMC Level 2: {} ({} ineligible item(s); minimum score {}; closeout by {}).",
            sc.score.map_or("none (no system security plan)".to_string(), |s| format!("{s} of {}", sc.maximum)),
            if sc.eligible { "eligible" } else { "not eligible" },
            sc.ineligible,
            sc.minimum,
            sc.closeout
        )));
    }
    let mut rows = vec![TableRow::new(vec![
        header_cell("Risk (open items)"),
        header_cell("Count"),
    ])];
    for c in &data.by_risk {
        rows.push(TableRow::new(vec![
            cell_text(&c.label, false),
            cell_text(&c.count.to_string(), false),
        ]));
    }
    docx = docx.add_table(Table::new(rows)).add_paragraph(para(""));
    let mut rows = vec![TableRow::new(vec![
        header_cell("Status"),
        header_cell("Count"),
    ])];
    for c in &data.by_status {
        rows.push(TableRow::new(vec![
            cell_text(&c.label, false),
            cell_text(&c.count.to_string(), false),
        ]));
    }
    docx = docx.add_table(Table::new(rows));
    if !data.units.is_empty() {
        docx = docx.add_paragraph(heading("By business unit", 1));
        let mut rows = vec![TableRow::new(
            ["Business unit", "Open", "Overdue", "Closed", "Open by risk"]
                .iter()
                .map(|h| header_cell(h))
                .collect(),
        )];
        for u in &data.units {
            rows.push(TableRow::new(vec![
                cell_text(&u.unit, false),
                cell_text(&u.open.to_string(), false),
                cell_text(&u.overdue.to_string(), false),
                cell_text(&u.closed.to_string(), false),
                cell_text(&u.risks, false),
            ]));
        }
        docx = docx.add_table(Table::new(rows));
    }
    docx = docx.add_paragraph(heading("Overdue items", 1));
    if data.overdue_items.is_empty() {
        docx = docx.add_paragraph(para("None."));
    } else {
        let mut rows = vec![TableRow::new(
            ["POA&M ID", "Weakness", "Risk", "Due", "Days overdue"]
                .iter()
                .map(|h| header_cell(h))
                .collect(),
        )];
        for i in data.overdue_items.iter() {
            rows.push(TableRow::new(
                [
                    i.id.clone(),
                    i.title.clone(),
                    i.risk.clone().unwrap_or_default(),
                    i.due.clone().unwrap_or_default(),
                    i.days_overdue.map(|d| d.to_string()).unwrap_or_default(),
                ]
                .iter()
                .map(|t| cell_text(t, false))
                .collect(),
            ));
        }
        docx = docx.add_table(Table::new(rows));
    }
    docx = docx.add_paragraph(heading("Items", 1));
    let mut rows = vec![TableRow::new(
        ["POA&M ID", "Weakness", "Controls", "State", "Risk", "Due"]
            .iter()
            .map(|h| header_cell(h))
            .collect(),
    )];
    for i in data.items.iter() {
        rows.push(TableRow::new(
            [
                i.id.clone(),
                i.title.clone(),
                i.controls.clone(),
                i.state.clone(),
                i.risk.clone().unwrap_or_default(),
                i.due.clone().unwrap_or_default(),
            ]
            .iter()
            .map(|t| cell_text(t, false))
            .collect(),
        ));
    }
    docx = docx.add_table(Table::new(rows));
    for i in data.open_items.iter() {
        docx = docx.add_paragraph(heading(&format!("{}: {}", i.id, i.title), 2));
        let mut facts = vec![
            ("Controls", i.controls.clone()),
            ("Risk", i.risk.clone().unwrap_or_else(|| "-".into())),
            (
                "Detected",
                i.detected_on.clone().unwrap_or_else(|| "-".into()),
            ),
            (
                "Scheduled completion",
                match (&i.due, i.days_overdue) {
                    (Some(d), Some(n)) => format!("{d} ({n} days overdue)"),
                    (Some(d), None) => d.clone(),
                    _ => "-".into(),
                },
            ),
            (
                "Point of contact",
                i.point_of_contact.clone().unwrap_or_else(|| "-".into()),
            ),
        ];
        if let Some(d) = &i.description {
            facts.push(("Description", d.clone()));
        }
        if let Some(p) = &i.remediation_plan {
            facts.push(("Remediation plan", p.clone()));
        }
        if let Some(d) = &i.deviation {
            facts.push(("Deviation", d.clone()));
        }
        if !i.ssp.is_empty() {
            facts.push(("System Security Plan", i.ssp.join("\n")));
        }
        if !i.milestones.is_empty() {
            let text: Vec<String> = i
                .milestones
                .iter()
                .map(|m| match (&m.due, &m.status) {
                    (Some(d), Some(s)) => format!("{} (due {d}, {s})", m.description),
                    (Some(d), None) => format!("{} (due {d})", m.description),
                    (None, Some(s)) => format!("{} ({s})", m.description),
                    (None, None) => m.description.clone(),
                })
                .collect();
            facts.push(("Milestones", text.join("\n")));
        }
        let rows: Vec<TableRow> = facts
            .iter()
            .map(|(k, v)| TableRow::new(vec![header_cell(k), cell_text(v, false)]))
            .collect();
        docx = docx
            .add_table(Table::new(rows).set_grid(vec![2600, 10000]))
            .add_paragraph(para(""));
    }
    Ok(Written {
        bytes: pack(docx)?,
        diagnostics: cleaned("the Word report").into_iter().collect(),
    })
}
