//! The drop-down lists of a written workbook, as Excel applies them: each
//! list data validation (inline `"a,b,c"`, a range of a lists sheet such as
//! `Sheet1!$B$1:$B$6`, or a range of its own sheet), and every cell under it
//! whose value is not in the list.

// Shared by the cli and conformance tests, which use different parts; an
// `Outside` is read through its Debug form in assertion messages.
#![allow(dead_code)]

use calamine::Reader;
use quick_xml::events::Event;
use std::io::Read;
use std::path::Path;

/// A POA&M whose values are in no eMASS list as written: a FedRAMP status
/// (Delayed), FedRAMP's Critical, DISA categories written as CAT I, ratings
/// as Medium.
pub const ODD_EMASS_CSV: &str = "POA&M Item ID,Control Vulnerability Description,Controls / APs,POA&M Status,\
Scheduled Completion Date,Raw Severity,Severity,Likelihood,Impact,Residual Risk Level,Relevance of Threat,\
Milestone with Completion Dates\n\
1,Late patch,SI-2,Delayed,12/31/2026,CAT I,Critical,very high,Critical,Very Low,High,Patch 11/30/2026\n\
2,Closed item,AC-2,Closed,12/31/2026,CAT III,Low,Low,Moderate,Low,Low,Done 10/01/2026\n\
3,Pending,CM-6,Pending,12/31/2026,II,Medium,Medium,Medium,Medium,Medium,Start 12/01/2026\n";

/// One value outside its column's list.
#[derive(Debug)]
pub struct Outside {
    pub sheet: String,
    pub cell: String,
    pub value: String,
    pub allowed: Vec<String>,
}

fn attr(e: &quick_xml::events::BytesStart, name: &str) -> String {
    e.attributes()
        .flatten()
        .find(|a| a.key.as_ref() == name)
        .map(|a| a.value.to_string())
        .unwrap_or_default()
}

fn part(zip: &mut zip::ZipArchive<std::fs::File>, name: &str) -> String {
    let mut text = String::new();
    if let Ok(mut f) = zip.by_name(name) {
        f.read_to_string(&mut text).unwrap();
    }
    text
}

/// (sheet name, worksheet part) in workbook order.
fn sheets(zip: &mut zip::ZipArchive<std::fs::File>) -> Vec<(String, String)> {
    let rels = part(zip, "xl/_rels/workbook.xml.rels");
    let mut targets = Vec::new();
    let mut reader = quick_xml::Reader::from_str(&rels);
    loop {
        match reader.read_event().unwrap() {
            Event::Empty(e) | Event::Start(e) if e.name().as_ref() == "Relationship" => {
                let t = attr(&e, "Target");
                let t = t.trim_start_matches('/').trim_start_matches("xl/");
                targets.push((attr(&e, "Id"), format!("xl/{t}")));
            }
            Event::Eof => break,
            _ => {}
        }
    }
    let workbook = part(zip, "xl/workbook.xml");
    let mut out = Vec::new();
    let mut reader = quick_xml::Reader::from_str(&workbook);
    loop {
        match reader.read_event().unwrap() {
            Event::Empty(e) | Event::Start(e) if e.name().as_ref() == "sheet" => {
                let id = attr(&e, "r:id");
                if let Some((_, t)) = targets.iter().find(|(i, _)| *i == id) {
                    out.push((attr(&e, "name").replace("&amp;", "&"), t.clone()));
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    out
}

/// (list formula, sqref) of each list validation of a worksheet part, both
/// the plain `dataValidation` and Excel 2010's `x14:dataValidation`.
fn list_validations(xml: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut reader = quick_xml::Reader::from_str(xml);
    let mut current: Option<(String, String, bool)> = None;
    let mut field = String::new();
    loop {
        match reader.read_event().unwrap() {
            Event::Start(e) => {
                let name = e.name().as_ref().to_string();
                if name == "dataValidation" || name == "x14:dataValidation" {
                    current = Some((String::new(), attr(&e, "sqref"), attr(&e, "type") == "list"));
                } else {
                    field = name;
                }
            }
            Event::Text(t) => {
                if let Some(c) = current.as_mut() {
                    let text = t.xml10_content().to_string();
                    match field.as_str() {
                        "formula1" | "xm:f" => c.0.push_str(&text),
                        "xm:sqref" => c.1.push_str(&text),
                        _ => {}
                    }
                }
            }
            Event::GeneralRef(r) => {
                if let Some(c) = current.as_mut() {
                    if field == "formula1" || field == "xm:f" {
                        c.0.push_str(match r.as_ref() {
                            "quot" => "\"",
                            "amp" => "&",
                            "lt" => "<",
                            "gt" => ">",
                            "apos" => "'",
                            _ => "",
                        });
                    }
                }
            }
            Event::End(e) => {
                let name = e.name().as_ref().to_string();
                if name == "dataValidation" || name == "x14:dataValidation" {
                    if let Some((formula, sqref, true)) = current.take() {
                        out.push((formula, sqref));
                    }
                    current = None;
                }
                field.clear();
            }
            Event::Eof => break,
            _ => {}
        }
    }
    out
}

/// `$B$1:$B$6` or `B8` → (first column, first row, last column, last row),
/// 0-based.
fn range(text: &str) -> Option<(u32, u32, u32, u32)> {
    let cell = |t: &str| -> Option<(u32, u32)> {
        let t = t.replace('$', "");
        let letters: String = t.chars().take_while(char::is_ascii_alphabetic).collect();
        let digits = &t[letters.len()..];
        let col = letters.bytes().fold(0u32, |n, b| {
            n * 26 + u32::from(b.to_ascii_uppercase() - b'A' + 1)
        });
        let row: u32 = if digits.is_empty() {
            1_048_576
        } else {
            digits.parse().ok()?
        };
        (col > 0 && row > 0).then(|| (col - 1, row - 1))
    };
    let (a, b) = text.split_once(':').unwrap_or((text, text));
    let (c1, r1) = cell(a)?;
    let (c2, r2) = cell(b)?;
    Some((c1, r1, c2, r2))
}

/// One resolved list validation: its sheet, its values, its areas
/// (first column, first row, last column, last row; 0-based).
pub struct List {
    pub sheet: String,
    pub allowed: Vec<String>,
    pub areas: Vec<(u32, u32, u32, u32)>,
}

/// Every list validation of a workbook with its values; lists that do not
/// resolve (`#REF!`) are passed over.
pub fn lists(path: &Path) -> Vec<List> {
    let mut zip = zip::ZipArchive::new(std::fs::File::open(path).unwrap()).unwrap();
    let sheets = sheets(&mut zip);
    let mut book = calamine::open_workbook_auto(path).unwrap();
    let mut out = Vec::new();
    for (name, part_name) in &sheets {
        let xml = part(&mut zip, part_name);
        for (formula, sqref) in list_validations(&xml) {
            let allowed: Vec<String> =
                if let Some(inline) = formula.strip_prefix('"').and_then(|f| f.strip_suffix('"')) {
                    inline.split(',').map(|s| s.trim().to_string()).collect()
                } else if formula.contains("#REF!") {
                    continue;
                } else {
                    let (sheet, area) = match formula.rsplit_once('!') {
                        Some((s, a)) => (s.trim_matches('\'').to_string(), a.to_string()),
                        None => (name.clone(), formula.clone()),
                    };
                    let Some((c1, r1, c2, r2)) = range(&area) else {
                        continue;
                    };
                    let Ok(list) = book.worksheet_range(&sheet) else {
                        continue;
                    };
                    let mut values = Vec::new();
                    for r in r1..=r2 {
                        for c in c1..=c2 {
                            if let Some(v) = list.get_value((r, c)) {
                                let v = v.to_string();
                                if !v.trim().is_empty() {
                                    values.push(v.trim().to_string());
                                }
                            }
                        }
                    }
                    values
                };
            if allowed.is_empty() {
                continue;
            }
            out.push(List {
                sheet: name.clone(),
                allowed,
                areas: sqref.split_whitespace().filter_map(range).collect(),
            });
        }
    }
    out
}

/// Each header of a sheet's header row (1-based) whose column has a
/// drop-down on the first data row, with the drop-down's values; sorted.
pub fn header_lists(path: &Path, sheet: &str, header_row: u32) -> Vec<(String, Vec<String>)> {
    let all = lists(path);
    let mut book = calamine::open_workbook_auto(path).unwrap();
    let cells = book.worksheet_range(sheet).unwrap();
    let (r0, c0) = cells.start().unwrap_or((0, 0));
    // 0-based: the header row is header_row - 1, the first data row header_row.
    let data = header_row;
    let mut out = Vec::new();
    for (r, c, v) in cells.used_cells() {
        let (r, c) = (r as u32 + r0, c as u32 + c0);
        if r + 1 != header_row || v.to_string().trim().is_empty() {
            continue;
        }
        let list = all.iter().filter(|l| l.sheet == sheet).find(|l| {
            l.areas
                .iter()
                .any(|(c1, r1, c2, r2)| (*c1..=*c2).contains(&c) && (*r1..=*r2).contains(&data))
        });
        if let Some(l) = list {
            out.push((v.to_string().trim().to_string(), l.allowed.clone()));
        }
    }
    out.sort();
    out
}

/// Every cell of a workbook under a list validation whose value is not in
/// the list. Also the number of areas checked, so that a test can tell it
/// checked.
pub fn outside_lists(path: &Path) -> (Vec<Outside>, usize) {
    let mut book = calamine::open_workbook_auto(path).unwrap();
    let mut out = Vec::new();
    let mut checked = 0;
    for list in lists(path) {
        let cells = book.worksheet_range(&list.sheet).unwrap();
        let (r0, c0) = cells.start().unwrap_or((0, 0));
        for &(c1, r1, c2, r2) in &list.areas {
            checked += 1;
            for (r, c, v) in cells.used_cells() {
                let (r, c) = (r as u32 + r0, c as u32 + c0);
                if r < r1 || r > r2 || c < c1 || c > c2 {
                    continue;
                }
                let v = v.to_string();
                if v.trim().is_empty() || list.allowed.iter().any(|a| *a == v.trim()) {
                    continue;
                }
                out.push(Outside {
                    sheet: list.sheet.clone(),
                    cell: format!("{}{}", poam_layout::column_letters(c as u16), r + 1),
                    value: v,
                    allowed: list.allowed.clone(),
                });
            }
        }
    }
    (out, checked)
}
