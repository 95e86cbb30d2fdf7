//! No silent loss: every non-empty data cell of every workbook and CSV
//! fixture is found in its item, in the field its column maps to or in `extra`.

use super::{poam, root};
use calamine::{Data, Reader};
use serde_json::Value;
use std::collections::HashMap;

fn json(args: &[&str]) -> Value {
    let out = poam().args(args).output().unwrap();
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

fn text(d: &Data) -> Option<String> {
    let t = match d {
        Data::Empty => return None,
        Data::String(s) => s.trim().to_string(),
        Data::Float(f) if f.fract() == 0.0 => format!("{}", *f as i64),
        Data::Float(f) => f.to_string(),
        Data::Int(i) => i.to_string(),
        Data::Bool(b) => b.to_string(),
        Data::DateTime(dt) => dt
            .as_datetime()
            .map(|d| d.date().to_string())
            .unwrap_or_default(),
        other => other.to_string(),
    };
    (!t.is_empty()).then_some(t)
}

/// The value at a dotted field path (`risk.original`).
fn at<'a>(item: &'a Value, path: &str) -> &'a Value {
    path.split('.').fold(item, |v, k| &v[k])
}

fn filled(v: &Value) -> bool {
    match v {
        Value::Null => false,
        Value::String(s) => !s.is_empty(),
        Value::Array(a) => !a.is_empty(),
        Value::Object(o) => !o.is_empty(),
        _ => true,
    }
}

/// The template's own guidance, example and label texts.
fn guidance_texts() -> Vec<String> {
    let mut out = vec![
        "Guidance".to_string(),
        "Examples".into(),
        "Mandatory or Situational".into(),
        "V-1Example".into(),
    ];
    for layout in poam_layout::builtin().all() {
        for sheet in &layout.sheets {
            for fixed in &sheet.fixed_rows {
                out.extend(fixed.cells.values().map(|t| t.trim().to_string()));
            }
        }
    }
    out.extend(["AC-1", "Open port on Example Firewall"].map(String::from));
    out
}

/// The non-empty cells of a sheet (or of a CSV file), row by row:
/// (1-based row, [(column letter, text)]), read independently of poamkit.
fn rows_of(path: &str, sheet: &str) -> Vec<(u64, Vec<(String, String)>)> {
    let full = root().join(path);
    if path.ends_with(".csv") {
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .from_path(full)
            .unwrap();
        return reader
            .records()
            .enumerate()
            .map(|(r, rec)| {
                let cells = rec
                    .unwrap()
                    .iter()
                    .enumerate()
                    .filter(|(_, v)| !v.trim().is_empty())
                    .map(|(c, v)| (poam_layout::column_letters(c as u16), v.trim().to_string()))
                    .collect();
                (r as u64 + 1, cells)
            })
            .collect();
    }
    let mut wb = calamine::open_workbook_auto(full).unwrap();
    let range = wb.worksheet_range(sheet).unwrap();
    let (r0, c0) = range.start().unwrap();
    range
        .rows()
        .enumerate()
        .map(|(ri, row)| {
            let cells = row
                .iter()
                .enumerate()
                .filter_map(|(ci, d)| {
                    text(d).map(|t| (poam_layout::column_letters(c0 as u16 + ci as u16), t))
                })
                .collect();
            (r0 as u64 + ri as u64 + 1, cells)
        })
        .collect()
}

fn check(path: &str) -> usize {
    let report = json(&["inspect", path, "--format", "json"]);
    let model = json(&["convert", path, "--to", "json"]);
    let items = model["items"].as_array().unwrap();
    let guidance = guidance_texts();
    let mut checked = 0;
    for sheet in report["read"]["sheets"].as_array().unwrap() {
        let Some(header_row) = sheet["header_row"].as_u64() else {
            continue;
        };
        let name = sheet["name"].as_str().unwrap();
        let columns: HashMap<String, (String, Option<String>)> = sheet["columns"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| {
                (
                    c["column"].as_str().unwrap().to_string(),
                    (
                        c["header"].as_str().unwrap().to_string(),
                        c["field"].as_str().map(String::from),
                    ),
                )
            })
            .collect();
        for (excel_row, cells) in rows_of(path, name) {
            if excel_row <= header_row {
                continue;
            }
            if cells.is_empty() || cells.iter().all(|(_, t)| guidance.contains(t)) {
                continue;
            }
            // The row's item: the one read from it, else the one its POA&M ID
            // names (milestone-per-row), else the one above (continuation row).
            let id_cell = cells.iter().find(|(col, _)| {
                columns
                    .get(col)
                    .is_some_and(|(_, f)| f.as_deref() == Some("id"))
            });
            let item = items
                .iter()
                .find(|i| {
                    i["origin"]["sheet"] == name && i["origin"]["row"].as_u64() == Some(excel_row)
                })
                .or_else(|| {
                    id_cell.and_then(|(_, id)| {
                        items.iter().find(|i| i["id"].as_str() == Some(id.as_str()))
                    })
                })
                .or_else(|| {
                    items.iter().rev().find(|i| {
                        i["origin"]["sheet"] == name
                            && i["origin"]["row"].as_u64() < Some(excel_row)
                    })
                });
            for (col, cell) in &cells {
                checked += 1;
                let (header, field) = columns
                    .get(col)
                    .cloned()
                    .unwrap_or_else(|| (format!("Column {col}"), None));
                let found = match item {
                    Some(item) => {
                        let raw = item["extra"].as_object().is_some_and(|e| {
                            e.iter().any(|(k, v)| {
                                k.starts_with(&header)
                                    || v.as_str().is_some_and(|v| v.contains(cell.as_str()))
                            })
                        });
                        raw || match field.as_deref() {
                            None => false,
                            Some(f) if f.starts_with("milestone") => {
                                filled(&item["milestones"]) || filled(&item["milestone_changes"])
                            }
                            Some("emass.costs") => item["emass"]["costs"][&header].is_string(),
                            Some(f) => filled(at(item, f)),
                        }
                    }
                    None => false,
                };
                assert!(found, "{path} '{name}'!{col}{excel_row}: \"{cell}\" ({header} -> {field:?}) not found in any field or extra");
            }
        }
    }
    checked
}

#[test]
fn every_data_cell_of_every_workbook_fixture_lands_somewhere() {
    let mut total = 0;
    let mut files = Vec::new();
    for family in ["fedramp", "emass", "legacy", "nist"] {
        for entry in std::fs::read_dir(root().join("fixtures").join(family)).unwrap() {
            let path = entry.unwrap().path();
            if matches!(
                path.extension().and_then(|e| e.to_str()),
                Some("xlsx" | "xlsm" | "ods" | "csv")
            ) {
                files.push(format!(
                    "fixtures/{family}/{}",
                    path.file_name().unwrap().to_string_lossy()
                ));
            }
        }
    }
    files.sort();
    assert!(files.len() >= 15, "{files:?}");
    for f in &files {
        let n = check(f);
        assert!(n >= 10, "{f}: only {n} cells checked");
        total += n;
    }
    assert!(total > 500, "{total}");
}
