//! poamkit's own CSV (see `poam_layout::flat`).

use crate::cell::{fill, keep_extra};
use crate::grid::Cell;
use crate::report::{ColumnReport, SheetReport};
use crate::{ImportError, ImportOptions, Imported, ReadReport};
use indexmap::IndexMap;
use poam_layout::{column_letters, flat};
use poam_model::date::parse_date_text;
use poam_model::{Category, DiagKind, Diagnostic, Field, Item, Location, Origin, Poam, State};

/// Undoes the formula-injection guard of the CSV writer: a leading `'` before
/// `=`, `+`, `-`, `@`, tab or carriage return.
pub fn unguard(text: &str) -> &str {
    match text.strip_prefix('\'') {
        Some(rest) if rest.starts_with(['=', '+', '-', '@', '\t', '\r']) => rest,
        _ => text,
    }
}

fn split(text: &str) -> Vec<String> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(str::to_string)
        .collect()
}

/// Whether the CSV's header row is poamkit's own.
pub(crate) fn is_poamkit(bytes: &[u8]) -> bool {
    let mut reader = csv::ReaderBuilder::new().flexible(true).from_reader(bytes);
    match reader.headers() {
        Ok(h) => {
            let headers: Vec<String> = h
                .iter()
                .map(|x| x.trim().trim_start_matches('\u{feff}').to_string())
                .collect();
            headers.iter().any(|x| x == "id")
                && headers
                    .iter()
                    .filter(|x| flat::COLUMNS.contains(&x.as_str()))
                    .count()
                    >= 3
        }
        Err(_) => false,
    }
}

/// Loads any CSV as a one-sheet grid, for layout detection.
pub(crate) fn to_grid(file: &str, bytes: &[u8]) -> Result<crate::grid::Grid, ImportError> {
    let text = match std::str::from_utf8(bytes) {
        Ok(t) => t.trim_start_matches('\u{feff}').to_string(),
        // Excel on Windows saves CSV as Windows-1252: read it byte by byte.
        Err(_) => bytes.iter().map(|&b| windows_1252(b)).collect(),
    };
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .has_headers(false)
        .from_reader(text.as_bytes());
    let mut grid = crate::grid::Grid {
        name: "csv".into(),
        ..Default::default()
    };
    for (n, record) in reader.records().enumerate() {
        let record = record.map_err(|e| ImportError::NotPoam {
            file: file.to_string(),
            reason: format!("row {}: {e}", n + 1),
        })?;
        grid.rows.push(
            record
                .iter()
                .map(|v| {
                    let v = unguard(v);
                    if v.is_empty() {
                        Cell::Empty
                    } else {
                        Cell::Text(v.into())
                    }
                })
                .collect(),
        );
    }
    Ok(grid)
}

/// One Windows-1252 byte as a character.
fn windows_1252(b: u8) -> char {
    const HIGH: [char; 32] = [
        '€', '\u{81}', '‚', 'ƒ', '„', '…', '†', '‡', 'ˆ', '‰', 'Š', '‹', 'Œ', '\u{8d}', 'Ž',
        '\u{8f}', '\u{90}', '‘', '’', '“', '”', '•', '–', '—', '˜', '™', 'š', '›', 'œ', '\u{9d}',
        'ž', 'Ÿ',
    ];
    match b {
        0x80..=0x9f => HIGH[(b - 0x80) as usize],
        _ => b as char,
    }
}

/// Reads poamkit CSV.
pub(crate) fn read(
    file: &str,
    bytes: &[u8],
    opts: &ImportOptions,
) -> Result<Imported, ImportError> {
    let bad = |reason: String| ImportError::NotPoam {
        file: file.to_string(),
        reason,
    };
    let mut reader = csv::ReaderBuilder::new().flexible(true).from_reader(bytes);
    let headers: Vec<String> = reader
        .headers()
        .map_err(|e| bad(format!("cannot read the CSV header: {e}")))?
        .iter()
        .map(|h| h.trim().trim_start_matches('\u{feff}').to_string())
        .collect();
    let known = headers
        .iter()
        .filter(|h| flat::COLUMNS.contains(&h.as_str()))
        .count();
    if known < 3 || !headers.iter().any(|h| h == "id") {
        return Err(bad(
            "the CSV header is not poamkit's (expected columns such as id, state, controls, weakness_name)".into(),
        ));
    }
    let mut poam = Poam::default();
    let mut diags = Vec::new();
    for (n, record) in reader.records().enumerate() {
        let row = n as u32 + 2;
        let record = record.map_err(|e| bad(format!("row {row}: {e}")))?;
        let mut item = Item::default();
        let mut origin = Origin::default();
        for (c, value) in record.iter().enumerate() {
            let value = unguard(value);
            if value.trim().is_empty() {
                continue;
            }
            let header = headers
                .get(c)
                .cloned()
                .unwrap_or_else(|| format!("Column {}", column_letters(c as u16)));
            let location = Location::cell(file, "csv", c as u32, row);
            match header.as_str() {
                "state" => {
                    item.state = if value.trim().eq_ignore_ascii_case("closed") {
                        State::Closed
                    } else {
                        State::Open
                    }
                }
                "category" => item.category = Some(Category::Configuration),
                "controls" => item.controls = split(value),
                "control_parts" => item.control_parts = split(value),
                "unparsed_controls" => item.unparsed_controls = split(value),
                "other_controls" => {
                    item.other_controls = split(value)
                        .into_iter()
                        .filter_map(|l| {
                            let (f, id) = l.split_once(": ")?;
                            Some(poam_model::OtherControl {
                                framework: f.to_string(),
                                id: id.to_string(),
                            })
                        })
                        .collect()
                }
                "origin.file" => origin.file = value.to_string(),
                "system.name" => poam.system.name = Some(value.to_string()),
                "system.organization" => poam.system.organization = Some(value.to_string()),
                "system.impact_level" => poam.system.impact_level = Some(value.to_string()),
                "system.poam_date" => match parse_date_text(value, opts.date_order) {
                    Some(d) => poam.system.poam_date = Some(d),
                    None => diags.push(Diagnostic::new(
                        DiagKind::BadSystemDate {
                            label: "POA&M date".into(),
                            raw: value.to_string(),
                            kept: false,
                        },
                        location,
                    )),
                },
                "origin.sheet" => origin.sheet = Some(value.to_string()),
                "origin.row" => origin.row = value.trim().parse().ok(),
                "extra" => match serde_json::from_str::<IndexMap<String, String>>(value) {
                    Ok(map) => item.extra.extend(map),
                    Err(_) => keep_extra(&mut item, "extra", value.to_string()),
                },
                "emass.costs" => match serde_json::from_str::<IndexMap<String, String>>(value) {
                    Ok(map) => item.emass.costs.extend(map),
                    Err(_) => keep_extra(&mut item, "emass.costs", value.to_string()),
                },
                "system.extra" => match serde_json::from_str::<IndexMap<String, String>>(value) {
                    Ok(map) => poam.system.extra.extend(map),
                    Err(_) => keep_extra(&mut item, "system.extra", value.to_string()),
                },
                "ssp_refs" => match serde_json::from_str::<Vec<poam_model::SspRef>>(value) {
                    Ok(list) => item.ssp_refs = list,
                    Err(_) => keep_extra(&mut item, "ssp_refs", value.to_string()),
                },
                "milestones" if value.trim_start().starts_with('[') => {
                    match serde_json::from_str::<Vec<poam_model::Milestone>>(value) {
                        Ok(list) => item.milestones = list,
                        Err(_) => keep_extra(&mut item, "milestones", value.to_string()),
                    }
                }
                name => match Field::from_name(name) {
                    Some(f) => fill(
                        &mut item,
                        f,
                        name,
                        &Cell::Text(value.into()),
                        &|| location.clone(),
                        opts,
                        &mut diags,
                    ),
                    None => keep_extra(&mut item, name, value.to_string()),
                },
            }
        }
        if !origin.file.is_empty() || origin.sheet.is_some() || origin.row.is_some() {
            item.origin = Some(origin);
        }
        poam.items.push(item);
    }
    let report = ReadReport {
        format: "csv".into(),
        layout: Some("poamkit csv".into()),
        sheets: vec![SheetReport {
            name: "csv".into(),
            role: None,
            header_row: Some(1),
            columns: headers
                .iter()
                .enumerate()
                .map(|(c, h)| ColumnReport {
                    column: column_letters(c as u16),
                    header: h.clone(),
                    field: flat::COLUMNS.contains(&h.as_str()).then(|| h.clone()),
                })
                .collect(),
            items: poam.items.len(),
            note: None,
        }],
        ..ReadReport::default()
    };
    Ok(Imported {
        poam,
        diagnostics: diags,
        report,
    })
}
