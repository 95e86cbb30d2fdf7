//! The drop-down lists of a workbook template, as Excel applies them: each
//! list data validation (Excel 2007's `dataValidation` and Excel 2010's
//! `x14:dataValidation`) with its values, written inline (`"I,II,III"`) or
//! in a range, most often of a lists sheet (`Sheet1!$C$1:$C$4`). Filling a
//! template (`--into`) writes each value in the words of the template's own
//! list, which differ between eMASS variants.

use calamine::{Data, Reader};
use quick_xml::events::{BytesStart, Event};
use std::collections::HashMap;
use std::io::{Cursor, Read};

/// The largest worksheet part read for its lists (a guard against zip bombs).
const MAX_PART: u64 = 256 * 1024 * 1024;

/// One list drop-down of a sheet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DropDown {
    /// The sheet it is on.
    pub sheet: String,
    /// The cell ranges it covers: (first column, first row, last column,
    /// last row), 0-based.
    pub areas: Vec<(u32, u32, u32, u32)>,
    /// The values it allows, in order.
    pub values: Vec<String>,
}

impl DropDown {
    /// Whether it covers this cell (0-based).
    pub fn covers(&self, column: u32, row: u32) -> bool {
        self.areas
            .iter()
            .any(|&(c1, r1, c2, r2)| (c1..=c2).contains(&column) && (r1..=r2).contains(&row))
    }
}

fn attr(e: &BytesStart, name: &str) -> String {
    e.attributes()
        .flatten()
        .find(|a| a.key.as_ref() == name)
        .map(|a| a.value.to_string())
        .unwrap_or_default()
}

fn part(zip: &mut zip::ZipArchive<Cursor<&[u8]>>, name: &str) -> Option<String> {
    let file = zip.by_name(name).ok()?;
    let mut text = String::new();
    file.take(MAX_PART).read_to_string(&mut text).ok()?;
    Some(text)
}

/// Each events' element name, attributes and text, read with one closure.
fn each_event(xml: &str, mut on: impl FnMut(Event<'_>)) -> Option<()> {
    let mut reader = quick_xml::Reader::from_str(xml);
    loop {
        match reader.read_event().ok()? {
            Event::Eof => return Some(()),
            e => on(e),
        }
    }
}

/// (sheet name, worksheet part) in workbook order.
fn sheet_parts(zip: &mut zip::ZipArchive<Cursor<&[u8]>>) -> Option<Vec<(String, String)>> {
    let rels = part(zip, "xl/_rels/workbook.xml.rels")?;
    let mut targets: HashMap<String, String> = HashMap::new();
    each_event(&rels, |e| {
        if let Event::Empty(e) | Event::Start(e) = e {
            if e.local_name().as_ref() == "Relationship" {
                let t = attr(&e, "Target");
                let t = t.trim_start_matches('/');
                let t = t.strip_prefix("xl/").unwrap_or(t);
                targets.insert(attr(&e, "Id"), format!("xl/{t}"));
            }
        }
    })?;
    let workbook = part(zip, "xl/workbook.xml")?;
    let mut out = Vec::new();
    each_event(&workbook, |e| {
        if let Event::Empty(e) | Event::Start(e) = e {
            if e.local_name().as_ref() == "sheet" {
                if let Some(t) = targets.get(&attr(&e, "r:id")) {
                    let name = quick_xml::escape::unescape(&attr(&e, "name"))
                        .map(|n| n.into_owned())
                        .unwrap_or_else(|_| attr(&e, "name"));
                    out.push((name, t.clone()));
                }
            }
        }
    })?;
    Some(out)
}

/// (formula, sqref) of each list validation of a worksheet.
fn list_validations(xml: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    // (formula, sqref, is a list) of the validation being read.
    let mut current: Option<(String, String, bool)> = None;
    let mut inside = String::new();
    let is_validation = |name: &str| name == "dataValidation";
    each_event(xml, |e| match e {
        Event::Start(e) => {
            let name = e.local_name().as_ref().to_string();
            if is_validation(&name) {
                current = Some((String::new(), attr(&e, "sqref"), attr(&e, "type") == "list"));
            } else {
                inside = name;
            }
        }
        Event::Text(t) => {
            if let Some(c) = current.as_mut() {
                match inside.as_str() {
                    "formula1" | "f" => c.0.push_str(&t.xml10_content()),
                    "sqref" => c.1.push_str(&t.xml10_content()),
                    _ => {}
                }
            }
        }
        Event::GeneralRef(r) => {
            if let Some(c) = current.as_mut() {
                if matches!(inside.as_str(), "formula1" | "f") {
                    let name = format!("&{};", r.as_ref());
                    if let Ok(text) = quick_xml::escape::unescape(&name) {
                        c.0.push_str(&text);
                    }
                }
            }
        }
        Event::End(e) => {
            if is_validation(e.local_name().as_ref()) {
                if let Some((formula, sqref, true)) = current.take() {
                    out.push((formula, sqref));
                }
                current = None;
            }
            inside.clear();
        }
        _ => {}
    });
    out
}

/// `$B$1:$B$6`, `B8`, `S8:S` → (first column, first row, last column, last
/// row), 0-based; a range without a row number runs to the sheet's end.
fn area(text: &str) -> Option<(u32, u32, u32, u32)> {
    let cell = |t: &str| -> Option<(u32, u32)> {
        let t = t.replace('$', "");
        let letters: String = t.chars().take_while(char::is_ascii_alphabetic).collect();
        let digits = &t[letters.len()..];
        let col = poam_layout::column_index(&letters)?;
        let row: u32 = if digits.is_empty() {
            1_048_576
        } else {
            digits.parse().ok()?
        };
        (row > 0).then(|| (u32::from(col), row - 1))
    };
    let (a, b) = text.split_once(':').unwrap_or((text, text));
    let (c1, r1) = cell(a)?;
    let (c2, r2) = cell(b)?;
    Some((c1, r1, c2, r2))
}

/// Every list drop-down of a workbook whose values can be read; a list
/// whose formula points nowhere (`#REF!`, as in the Navy 2026 template) or
/// at a name is passed over, and so is a workbook whose parts do not parse
/// (its layout's own lists are used then).
pub fn drop_downs(bytes: &[u8]) -> Vec<DropDown> {
    let Ok(mut zip) = zip::ZipArchive::new(Cursor::new(bytes)) else {
        return Vec::new();
    };
    let Some(sheets) = sheet_parts(&mut zip) else {
        return Vec::new();
    };
    let mut book: Option<calamine::Sheets<_>> = None;
    let mut ranges: HashMap<String, calamine::Range<Data>> = HashMap::new();
    let mut out = Vec::new();
    for (name, part_name) in &sheets {
        let Some(xml) = part(&mut zip, part_name) else {
            continue;
        };
        for (formula, sqref) in list_validations(&xml) {
            let formula = formula.trim().trim_start_matches('=');
            let values: Vec<String> =
                if let Some(inline) = formula.strip_prefix('"').and_then(|f| f.strip_suffix('"')) {
                    inline.split(',').map(|s| s.trim().to_string()).collect()
                } else if formula.contains("#REF!") {
                    continue;
                } else {
                    let (sheet, range) = match formula.rsplit_once('!') {
                        Some((s, a)) => (s.trim_matches('\'').replace("''", "'"), a),
                        None => (name.clone(), formula),
                    };
                    let Some((c1, r1, c2, r2)) = area(range) else {
                        continue;
                    };
                    if book.is_none() {
                        book = calamine::open_workbook_auto_from_rs(Cursor::new(bytes)).ok();
                    }
                    let Some(b) = book.as_mut() else { continue };
                    if !ranges.contains_key(&sheet) {
                        let Ok(r) = b.worksheet_range(&sheet) else {
                            continue;
                        };
                        ranges.insert(sheet.clone(), r);
                    }
                    let cells = &ranges[&sheet];
                    let mut values = Vec::new();
                    for r in r1..=r2.min(r1 + 1000) {
                        for c in c1..=c2.min(c1 + 100) {
                            if let Some(v) = cells.get_value((r, c)) {
                                let v = v.to_string();
                                if !v.trim().is_empty() {
                                    values.push(v.trim().to_string());
                                }
                            }
                        }
                    }
                    values
                };
            if values.is_empty() {
                continue;
            }
            out.push(DropDown {
                sheet: name.clone(),
                areas: sqref.split_whitespace().filter_map(area).collect(),
                values,
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn areas_read_as_excel_writes_them() {
        assert_eq!(area("$B$1:$B$6"), Some((1, 0, 1, 5)));
        assert_eq!(area("N8:N1048576"), Some((13, 7, 13, 1_048_575)));
        assert_eq!(area("S8:S"), Some((18, 7, 18, 1_048_575)));
        assert_eq!(area("AA8"), Some((26, 7, 26, 7)));
    }

    #[test]
    fn both_kinds_of_validation_are_read() {
        let xml = r#"<worksheet><dataValidations><dataValidation type="list" sqref="F8:F20"><formula1>&quot;Yes,No&quot;</formula1></dataValidation><dataValidation type="date" sqref="G8"><formula1>1</formula1></dataValidation></dataValidations><extLst><ext><x14:dataValidations><x14:dataValidation type="list"><x14:formula1><xm:f>Sheet1!$C$1:$C$4</xm:f></x14:formula1><xm:sqref>N8:N1048576</xm:sqref></x14:dataValidation></x14:dataValidations></ext></extLst></worksheet>"#;
        assert_eq!(
            list_validations(xml),
            vec![
                ("\"Yes,No\"".to_string(), "F8:F20".to_string()),
                ("Sheet1!$C$1:$C$4".to_string(), "N8:N1048576".to_string()),
            ]
        );
    }
}
