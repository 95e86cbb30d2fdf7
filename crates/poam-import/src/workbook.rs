//! Reading workbooks laid out by a [`Layout`]: detection of the layout and
//! version from header text, then one item per data row.

use crate::grid::{Cell, Grid, HEADER_SEARCH_ROWS};
use crate::report::{Candidate, ReadReport, SheetReport};
use crate::sheet::{read_sheet, RowMarks, SheetSpec};
use crate::ImportOptions;
use poam_layout::{normalize_header, Layout, Registry, SheetDef, SystemField};
use poam_model::{DiagKind, Diagnostic, Location, Poam};
use std::collections::BTreeSet;

/// Where a layout sheet was found in the file.
#[derive(Debug, Clone)]
struct SheetMatch {
    grid: usize,
    def: usize,
    header_row: u32,
    matched: usize,
}

/// A layout's fit to the file.
#[derive(Debug, Clone)]
pub(crate) struct Fit<'l> {
    pub layout: &'l Layout,
    pub score: i64,
    sheets: Vec<SheetMatch>,
    pub evidence: Vec<String>,
}

/// Best header row of a grid for a sheet definition: (row, score, matched).
fn best_header_row(grid: &Grid, layout: &Layout, def: &SheetDef) -> Option<(u32, i64, usize)> {
    let wanted: BTreeSet<String> = def.headers.iter().map(|h| normalize_header(h)).collect();
    let mut best: Option<(u32, i64, usize)> = None;
    for r in 0..grid.height().min(HEADER_SEARCH_ROWS) {
        let row = &grid.rows[r as usize];
        let mut matched = BTreeSet::new();
        let mut unknown = 0i64;
        for cell in row {
            if let Cell::Text(t) = cell {
                let n = normalize_header(t);
                if n.is_empty() {
                    continue;
                }
                if wanted.contains(&n) {
                    matched.insert(n);
                } else if layout.field_for_header(t).is_none() {
                    unknown += 1;
                }
            }
        }
        if matched.len() < 3 {
            continue;
        }
        let missing = (wanted.len() - matched.len()) as i64;
        let score = matched.len() as i64 * 2 - unknown - missing;
        if best.is_none_or(|(_, s, _)| score > s) {
            best = Some((r, score, matched.len()));
        }
    }
    best
}

/// How well a layout fits the workbook.
fn fit<'l>(grids: &[Grid], layout: &'l Layout) -> Fit<'l> {
    let mut sheets = Vec::new();
    let mut evidence = Vec::new();
    let mut score = 0i64;
    let mut used = BTreeSet::new();
    for (d, def) in layout.sheets.iter().enumerate() {
        let by_name = grids
            .iter()
            .position(|g| normalize_header(&g.name) == normalize_header(&def.name));
        let Some(g) = by_name else { continue };
        if let Some((row, s, matched)) = best_header_row(&grids[g], layout, def) {
            used.insert(g);
            score += s + 2;
            evidence.push(format!(
                "sheet '{}': {} of {} headers in row {}",
                def.name,
                matched,
                def.headers.len(),
                row + 1
            ));
            // The title and metadata labels tell apart versions with the same columns.
            if let Some(t) = &def.title {
                if grids[g].get(0, 0).text() == t.text.trim() {
                    score += 1;
                }
            }
            if let Some(m) = &def.metadata {
                let c0 = poam_layout::column_index(&m.first_column).unwrap_or(0) as u32;
                for (i, label) in m.labels.iter().enumerate() {
                    if grids[g].get(m.label_row - 1, c0 + i as u32).text() == label.trim()
                        && !label.trim().is_empty()
                    {
                        score += 1;
                    }
                }
            }
            sheets.push(SheetMatch {
                grid: g,
                def: d,
                header_row: row,
                matched,
            });
        }
    }
    // Sheets renamed by their owner: match by headers alone, for the roles
    // no sheet was found for by name. Example and instruction sheets are
    // the template's own, never data.
    let found_roles: BTreeSet<usize> = sheets.iter().map(|s| s.def).collect();
    for (g, grid) in grids.iter().enumerate() {
        let words = &layout.rules.sheet_words;
        // A hidden sheet is read only under its official name.
        if used.contains(&g) || words.skips(&grid.name) || grid.hidden {
            continue;
        }
        let role = words.role_of(&grid.name);
        let candidates = layout
            .sheets
            .iter()
            .enumerate()
            .filter(|(_, def)| Some(def.role) == role || role.is_none());
        // A role already found takes a second sheet only when nearly all its
        // headers are there: the table continued on another sheet.
        let best = candidates
            .filter_map(|(d, def)| best_header_row(grid, layout, def).map(|(r, s, m)| (d, r, s, m)))
            .filter(|(d, _, _, m)| {
                let wanted = layout.sheets[*d].headers.len();
                if found_roles.contains(d) {
                    *m * 5 >= wanted * 4
                } else {
                    *m * 2 > wanted
                }
            })
            .max_by_key(|(d, _, s, _)| (!found_roles.contains(d), *s));
        if let Some((d, row, s, matched)) = best {
            score += s;
            evidence.push(format!(
                "sheet '{}' ({} '{}'): {} of {} headers in row {}",
                grid.name,
                if found_roles.contains(&d) {
                    "the table continued; read as"
                } else {
                    "renamed; read as"
                },
                layout.sheets[d].name,
                matched,
                layout.sheets[d].headers.len(),
                row + 1
            ));
            sheets.push(SheetMatch {
                grid: g,
                def: d,
                header_row: row,
                matched,
            });
        }
    }
    if !sheets
        .iter()
        .any(|s| s.matched * 2 > layout.sheets[s.def].headers.len())
    {
        score = i64::MIN / 2;
    }
    Fit {
        layout,
        score,
        sheets,
        evidence,
    }
}

/// Ranks the layouts of the registry (optionally one family, one version).
pub(crate) fn rank<'l>(
    grids: &[Grid],
    registry: &'l Registry,
    opts: &ImportOptions,
) -> Vec<Fit<'l>> {
    let mut fits: Vec<Fit<'l>> = registry
        .all()
        .iter()
        .filter(|l| {
            opts.family
                .as_deref()
                .is_none_or(|f| l.family.eq_ignore_ascii_case(f))
        })
        .filter(|l| opts.version.as_deref().is_none_or(|v| l.answers_to(v)))
        .map(|l| fit(grids, l))
        .collect();
    fits.sort_by_key(|f| std::cmp::Reverse(f.score));
    fits
}

/// Whether a row is the template's own guidance, format hints or example.
/// Reads a workbook with the best-fitting layout.
pub(crate) fn read(
    file: &str,
    grids: &mut [Grid],
    best: &Fit<'_>,
    candidates: &[Fit<'_>],
    opts: &ImportOptions,
    out: &mut crate::Items<'_>,
) -> crate::ReadResult {
    let layout = best.layout;
    let mut poam = Poam::default();
    let mut diags = Vec::new();
    let mut report = ReadReport {
        format: "workbook".into(),
        layout: Some(layout.label()),
        layout_name: Some(layout.name.clone()),
        evidence: best.evidence.clone(),
        candidates: candidates
            .iter()
            .filter(|f| f.score > i64::MIN / 2)
            .map(|f| Candidate {
                layout: f.layout.label(),
                score: f.score,
            })
            .collect(),
        sheets: Vec::new(),
    };
    for def in &layout.sheets {
        if !best
            .sheets
            .iter()
            .any(|s| layout.sheets[s.def].name == def.name)
        {
            diags.push(Diagnostic::new(
                DiagKind::MissingSheet {
                    sheet: def.name.clone(),
                },
                Location::file(file),
            ));
        }
    }
    let mut matches = best.sheets.clone();
    matches.sort_by_key(|m| m.grid);
    for (g, grid) in grids.iter_mut().enumerate() {
        if !matches.iter().any(|m| m.grid == g) {
            grid.skip_tail();
        }
    }
    // Every sheet's metadata first (all in the top rows): the system is
    // whole before the first item is handed over.
    for m in &matches {
        let def = &layout.sheets[m.def];
        let grid = &grids[m.grid];
        if let Some(meta) = &def.metadata {
            read_metadata(file, grid, meta, m.header_row, &mut poam, &mut diags, opts);
        }
        if !def.label_values.is_empty() {
            read_label_values(file, grid, def, m.header_row, &mut poam, &mut diags, opts);
        }
        if poam.system.marking.is_none() {
            poam.system.marking = crate::grid::marking_above(grid, m.header_row);
        }
    }
    out.begin(&poam.system);
    let marks = RowMarks::of(&layout.rules);
    for m in &matches {
        let def = &layout.sheets[m.def];
        // A grid read for one sheet definition only: its rows may be freed.
        let grid = &mut grids[m.grid];
        // A column the template lacks that names a corrective-action field
        // (`Root Cause`, as `--keep-extra` writes them) or the unit (a
        // roll-up's `Business Unit`) goes to that field.
        let resolve = |h: &str| {
            layout.field_for_header(h).or_else(|| {
                poam_layout::mapping::synonyms()
                    .field(h)
                    .filter(|f| {
                        f.name().starts_with("quality.") || *f == poam_model::Field::BusinessUnit
                    })
                    .map(Some)
            })
        };
        let spec = SheetSpec {
            role: def.role,
            header_row: m.header_row,
            first_col: poam_layout::column_index(&def.first_column).unwrap_or(0) as u32,
            resolve: &resolve,
            fixed_rows: &def.fixed_rows,
            row_mode: def.row_mode,
            controls_in_text: def.controls_in_text,
            marks: &marks,
            explain: &|_| None,
            runner_up: &|_| None,
            read_as: (normalize_header(&grid.name) != normalize_header(&def.name))
                .then(|| def.name.clone()),
        };
        let sheet_report = read_sheet(file, grid, &spec, opts, &mut diags, out)?;
        report.sheets.push(sheet_report);
    }
    poam.items = std::mem::take(&mut out.list);
    for (g, grid) in grids.iter().enumerate() {
        if !matches.iter().any(|m| m.grid == g) {
            report.sheets.push(SheetReport {
                name: grid.name.clone(),
                role: None,
                header_row: None,
                columns: Vec::new(),
                items: 0,
                rows_read: 0,
                rows_skipped: 0,
                read_as: None,
                note: Some(if layout.rules.sheet_words.skips(&grid.name) {
                    "not read: the template's own example or instructions, not data".into()
                } else if grid.hidden {
                    "not read: a hidden sheet (an old tab or a list of values); unhide it to have it read".into()
                } else {
                    "not read: no POA&M header row".into()
                }),
            });
        }
    }
    Ok((poam, diags, report))
}

fn read_metadata(
    file: &str,
    grid: &Grid,
    meta: &poam_layout::Metadata,
    header_row: u32,
    poam: &mut Poam,
    diags: &mut Vec<Diagnostic>,
    opts: &ImportOptions,
) {
    let c0 = poam_layout::column_index(&meta.first_column).unwrap_or(0) as u32;
    for (i, field) in meta.fields.iter().enumerate() {
        let col = c0 + i as u32;
        // The value sits under the label; in a filled v3.0 file it may be in
        // the guidance row or the row after it.
        let mut value = None;
        for r in meta.label_row..header_row {
            let cell = grid.get(r, col);
            let text = cell.text();
            // The metadata's guidance row, labelled in column A (v3.0).
            let guidance_row = c0 > 0
                && meta.guidance_label.as_deref().is_some_and(|label| {
                    normalize_header(&grid.get(r, 0).text()) == normalize_header(label)
                });
            if text.is_empty() || guidance_row || meta.placeholders.iter().any(|p| p == &text) {
                continue;
            }
            value = Some((r, cell.clone()));
            break;
        }
        let Some((r, cell)) = value else { continue };
        let text = cell.text();
        match field {
            SystemField::Organization => poam.system.organization.get_or_insert(text),
            SystemField::Name => poam.system.name.get_or_insert(text),
            SystemField::ImpactLevel => poam.system.impact_level.get_or_insert(text),
            SystemField::PoamDate => {
                match cell.date(opts.date_order) {
                    Some(d) => {
                        poam.system.poam_date.get_or_insert(d);
                    }
                    None => diags.push(Diagnostic::new(
                        DiagKind::BadSystemDate {
                            label: "POA&M date".into(),
                            raw: text.clone(),
                            kept: false,
                        },
                        Location::cell(file, &grid.name, col, r + 1),
                    )),
                }
                continue;
            }
        };
    }
}

/// Reads eMASS-style metadata: a label, then its value in the next filled
/// cell to the right (a merged range in the official file).
#[allow(clippy::too_many_arguments)]
fn read_label_values(
    file: &str,
    grid: &Grid,
    def: &SheetDef,
    header_row: u32,
    poam: &mut Poam,
    diags: &mut Vec<Diagnostic>,
    opts: &ImportOptions,
) {
    let labels: Vec<String> = def
        .label_values
        .iter()
        .map(|l| label_key(&l.label))
        .collect();
    for r in 0..header_row {
        let Some(row) = grid.rows.get(r as usize) else {
            continue;
        };
        for (c, cell) in row.iter().enumerate() {
            let key = label_key(&cell.text());
            let Some(i) = labels.iter().position(|l| *l == key && !key.is_empty()) else {
                continue;
            };
            let lv = &def.label_values[i];
            // The value: the next filled cell to the right that is not a label.
            let value = row
                .iter()
                .enumerate()
                .skip(c + 1)
                .find(|(_, v)| !v.is_blank())
                .filter(|(_, v)| {
                    let t = v.text();
                    !t.trim_end().ends_with(':') && !labels.contains(&label_key(&t))
                });
            let Some((vc, value)) = value else { continue };
            let text = value.text();
            match lv.field {
                Some(SystemField::Name) => poam.system.name = Some(text),
                Some(SystemField::Organization) => poam.system.organization = Some(text),
                Some(SystemField::ImpactLevel) => poam.system.impact_level = Some(text),
                Some(SystemField::PoamDate) => match value.date(opts.date_order) {
                    Some(d) => poam.system.poam_date = Some(d),
                    None => {
                        diags.push(Diagnostic::new(
                            DiagKind::BadSystemDate {
                                label: lv.label.clone(),
                                raw: text.clone(),
                                kept: true,
                            },
                            Location::cell(file, &grid.name, vc as u32, r + 1),
                        ));
                        poam.system.extra.insert(lv.label.clone(), text);
                    }
                },
                None => {
                    poam.system.extra.insert(lv.label.clone(), text);
                }
            }
        }
    }
}

fn label_key(text: &str) -> String {
    normalize_header(text.trim().trim_end_matches(':'))
}
