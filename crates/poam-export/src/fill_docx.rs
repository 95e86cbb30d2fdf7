//! `convert --into PLAN.docx`: the items written into the user's copy of
//! NIST's blank SP 800-171 plan-of-action template, everything else of it
//! kept. Part by part, as [`crate::fill`] fills workbooks: every part is
//! copied as it is but `word/document.xml`, whose plan table gets one row
//! per item in place of its blank rows (each made from the template's own
//! blank row, its cell widths, paragraph spacing and run size, alternating
//! as the table's banding does), and the page header, whose
//! `[SYSTEM NAME]` takes the system's name.

use crate::docx_out::{nist_cells, xml_safe};
use crate::{ExportError, Written};
use poam_model::{DiagKind, Diagnostic, Poam};
use std::io::{Cursor, Write};

fn bad(reason: impl std::fmt::Display) -> ExportError {
    ExportError::Fill(reason.to_string())
}

/// The plan table's header texts, as NIST's template has them (words of
/// each header cell, run together).
const HEADERS: [&str; 8] = [
    "Weaknesses",
    "Responsible",
    "Resource Estimate",
    "Scheduled Completion Date",
    "Milestones with Interim Completion Dates",
    "Changes to Milestones",
    "How was the weakness identified?",
    "Status",
];

/// Whether `docx` is NIST's plan-of-action template (its table's header
/// row names the plan's eight columns).
pub fn is_nist_plan_template(docx: &[u8]) -> bool {
    let Ok(mut zip) = zip::ZipArchive::new(Cursor::new(docx)) else {
        return false;
    };
    let Ok(xml) = read(&mut zip, "word/document.xml") else {
        return false;
    };
    let Some(table) = first_table(&xml) else {
        return false;
    };
    let rows = rows_of(&xml[table.0..table.1]);
    rows.first().is_some_and(|header| {
        let text = texts(header);
        HEADERS.iter().all(|h| text.contains(h))
    })
}

/// A part of the package as text (Word's parts are UTF-8 XML).
fn read(zip: &mut zip::ZipArchive<Cursor<&[u8]>>, name: &str) -> Result<String, ExportError> {
    String::from_utf8(crate::fill::read_part(zip, name)?).map_err(bad)
}

/// The byte range of the first `<w:tbl>` … `</w:tbl>` (the template has no
/// nested table).
fn first_table(xml: &str) -> Option<(usize, usize)> {
    let start = xml.find("<w:tbl>")?;
    let end = xml[start..].find("</w:tbl>")? + start + "</w:tbl>".len();
    Some((start, end))
}

/// The `<w:tr>` elements of a table, as written.
fn rows_of(table: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut rest = table;
    while let Some(at) = rest.find("<w:tr").filter(|&at| {
        // `<w:tr>` or `<w:tr `, not `<w:trPr>`.
        matches!(rest.as_bytes().get(at + 5), Some(b'>') | Some(b' '))
    }) {
        let Some(len) = rest[at..].find("</w:tr>") else {
            break;
        };
        let end = at + len + "</w:tr>".len();
        out.push(&rest[at..end]);
        rest = &rest[end..];
    }
    out
}

/// The text of an XML fragment's `w:t` elements, run together.
fn texts(xml: &str) -> String {
    let mut out = String::new();
    for piece in xml.split("<w:t").skip(1) {
        if !(piece.starts_with('>') || piece.starts_with(' ')) {
            continue;
        }
        if let Some((_, rest)) = piece.split_once('>') {
            if let Some((text, _)) = rest.split_once("</w:t>") {
                out.push_str(text);
            }
        }
    }
    out
}

/// The part of `xml` from `open` to its `close`, if any.
fn element<'a>(xml: &'a str, open: &str, close: &str) -> Option<&'a str> {
    let start = xml.find(open)?;
    let end = xml[start..].find(close)? + start + close.len();
    Some(&xml[start..end])
}

/// A row made from a template row: its row properties, each cell's
/// properties, and each cell's first paragraph's properties (their
/// paragraph-mark run properties becoming the runs'), with `cells` as the
/// cells' text, a paragraph a line.
fn item_row(model: &str, cells: &[poam_model::Text]) -> String {
    let mut out = String::from("<w:tr>");
    if let Some(tr_pr) = element(model, "<w:trPr>", "</w:trPr>") {
        out.push_str(tr_pr);
    }
    let mut rest = model;
    let mut k = 0;
    while let Some(at) = rest.find("<w:tc>") {
        let Some(len) = rest[at..].find("</w:tc>") else {
            break;
        };
        let cell = &rest[at..at + len];
        rest = &rest[at + len + "</w:tc>".len()..];
        out.push_str("<w:tc>");
        if let Some(tc_pr) = element(cell, "<w:tcPr>", "</w:tcPr>") {
            out.push_str(tc_pr);
        }
        let p_pr = element(cell, "<w:pPr>", "</w:pPr>").unwrap_or("");
        let r_pr = element(p_pr, "<w:rPr>", "</w:rPr>").unwrap_or("");
        let text = cells.get(k).map(|t| t.as_str()).unwrap_or("");
        let text = xml_safe(text);
        for line in text.split('\n') {
            out.push_str("<w:p>");
            out.push_str(p_pr);
            if !line.is_empty() {
                out.push_str("<w:r>");
                out.push_str(r_pr);
                out.push_str("<w:t xml:space=\"preserve\">");
                out.push_str(&quick_xml::escape::escape(line));
                out.push_str("</w:t></w:r>");
            }
            out.push_str("</w:p>");
        }
        out.push_str("</w:tc>");
        k += 1;
    }
    out.push_str("</w:tr>");
    out
}

/// Writes the items of `poam` into `template`, a copy of NIST's blank plan
/// of action (checked with [`is_nist_plan_template`]).
///
/// # Errors
///
/// [`ExportError::Fill`] when the file is not a Word package poam can fill.
pub fn fill_nist_plan(template: &[u8], poam: &Poam) -> Result<Written, ExportError> {
    let mut zip = zip::ZipArchive::new(Cursor::new(template)).map_err(bad)?;
    let document = read(&mut zip, "word/document.xml")?;
    let (start, end) = first_table(&document).ok_or_else(|| bad("it has no table"))?;
    let table = &document[start..end];
    let rows = rows_of(table);
    let (header, blank) = rows
        .split_first()
        .ok_or_else(|| bad("its table has no rows"))?;
    let models: Vec<&str> = blank.iter().take(2).copied().collect();
    let model = |i: usize| -> &str {
        if models.is_empty() {
            header
        } else {
            models[i % models.len()]
        }
    };
    let mut diagnostics = Vec::new();
    let filled = blank.iter().filter(|r| !texts(r).trim().is_empty()).count();
    if filled > 0 {
        diagnostics.push(Diagnostic::unplaced(DiagKind::TemplateRowsCleared {
            sheet: "the plan's table".into(),
            rows: filled,
        }));
    }
    // The table: up to its first row's end, the header, the items, then the
    // table's end.
    let header_at = table.find(header).unwrap_or(0);
    let mut new_table = String::with_capacity(table.len() + poam.items.len() * 4096);
    new_table.push_str(&table[..header_at + header.len()]);
    for (i, item) in poam.items.iter().enumerate() {
        new_table.push_str(&item_row(model(i), &nist_cells(item)));
    }
    let last = rows.last().copied().unwrap_or(header);
    let after_rows = table
        .rfind(last)
        .map_or(header_at + header.len(), |at| at + last.len());
    new_table.push_str(&table[after_rows..]);
    let document = format!("{}{new_table}{}", &document[..start], &document[end..]);

    let mut out = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let deflate = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    let names = crate::fill::entry_names(&mut zip)?;
    let mut named = false;
    for (i, name) in names.iter().enumerate() {
        if name == "word/document.xml" {
            out.start_file(name.as_str(), deflate).map_err(bad)?;
            out.write_all(document.as_bytes()).map_err(bad)?;
            continue;
        }
        if name.starts_with("word/header") && name.ends_with(".xml") {
            let xml = read(&mut zip, name)?;
            if xml.contains(">SYSTEM NAME<") {
                if let Some(system) = poam.system.name.as_deref() {
                    let system =
                        quick_xml::escape::escape(xml_safe(system).into_owned()).into_owned();
                    let xml = xml
                        .replace(">[<", "><")
                        .replace(">]<", "><")
                        .replace(">SYSTEM NAME<", &format!(">{system}<"));
                    out.start_file(name.as_str(), deflate).map_err(bad)?;
                    out.write_all(xml.as_bytes()).map_err(bad)?;
                    named = true;
                    continue;
                }
            }
        }
        let entry = zip.by_index_raw(i).map_err(bad)?;
        out.raw_copy_file(entry).map_err(bad)?;
    }
    if !named {
        diagnostics.push(Diagnostic::unplaced(DiagKind::MetadataBlank {
            label: "SYSTEM NAME".into(),
            how: "--system-name".into(),
            template: "NIST SP 800-171 plan of action".into(),
        }));
    }
    let bytes = out.finish().map_err(bad)?.into_inner();
    Ok(Written { bytes, diagnostics })
}
