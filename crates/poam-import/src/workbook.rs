//! Reading workbooks laid out by a [`Layout`]: detection of the layout and
//! version from header text, then one item per data row.

use crate::cell::{fill, keep_extra};
use crate::grid::{Cell, Grid};
use crate::report::{Candidate, ColumnReport, ReadReport, SheetReport};
use crate::ImportOptions;
use poam_layout::text::{parse_milestones, unfold_plan};
use poam_layout::{
    cell_ref, column_letters, normalize_header, Layout, Registry, SheetDef, SheetRole,
};
use poam_model::date::{from_excel_serial, parse_date_text};
use poam_model::{Category, DiagKind, Diagnostic, Field, Item, Location, Origin, Poam, State};
use std::collections::{BTreeSet, HashMap};

/// How many rows from the top a header row is looked for in.
const HEADER_SEARCH_ROWS: u32 = 60;

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
    // Sheets renamed by their owner: match by headers alone.
    for (g, grid) in grids.iter().enumerate() {
        if used.contains(&g) {
            continue;
        }
        let role = role_from_name(&grid.name);
        let candidates = layout
            .sheets
            .iter()
            .enumerate()
            .filter(|(_, d)| Some(d.role) == role || role.is_none());
        let best = candidates
            .filter_map(|(d, def)| best_header_row(grid, layout, def).map(|(r, s, m)| (d, r, s, m)))
            .filter(|(d, _, _, m)| *m * 2 > layout.sheets[*d].headers.len())
            .max_by_key(|(_, _, s, _)| *s);
        if let Some((d, row, s, matched)) = best {
            score += s;
            evidence.push(format!(
                "sheet '{}' (renamed; read as '{}'): {} of {} headers in row {}",
                grid.name,
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

fn role_from_name(name: &str) -> Option<SheetRole> {
    let n = name.to_lowercase();
    if n.contains("closed") || n.contains("complete") {
        Some(SheetRole::Closed)
    } else if n.contains("config") {
        Some(SheetRole::Configuration)
    } else if n.contains("open") || n.contains("poa") {
        Some(SheetRole::Open)
    } else {
        None
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
fn is_guidance_row(
    grid: &Grid,
    r: u32,
    def: &SheetDef,
    cols: &[(u32, String)],
    first_col: u32,
) -> bool {
    // v3.0 labels its guidance rows in the column before the table.
    if first_col > 0 {
        let label = normalize_header(&grid.get(r, first_col - 1).text());
        if matches!(
            label.as_str(),
            "guidance" | "examples" | "example" | "mandatory or situational"
        ) {
            return true;
        }
    }
    let id = grid.get(r, first_col).text();
    let id_norm = normalize_header(&id);
    if id_norm.contains("example")
        || id_norm == "unique identifier"
        || id_norm == "unique identifier for each poam item"
    {
        return true;
    }
    // Rows whose cells equal the layout's fixed rows (guidance texts).
    let mut filled = 0;
    let mut same = 0;
    for (c, header) in cols {
        let text = grid.get(r, *c).text();
        if text.is_empty() {
            continue;
        }
        filled += 1;
        let t = normalize_header(&text);
        if def.fixed_rows.iter().any(|f| {
            f.cells
                .get(header.as_str())
                .is_some_and(|g| normalize_header(g) == t)
        }) || matches!(t.as_str(), "mandatory" | "situational")
        {
            same += 1;
        }
    }
    filled > 0 && same * 2 >= filled
}

/// Reads a workbook with the best-fitting layout.
pub(crate) fn read(
    file: &str,
    grids: &[Grid],
    best: &Fit<'_>,
    candidates: &[Fit<'_>],
    opts: &ImportOptions,
) -> (Poam, Vec<Diagnostic>, ReadReport) {
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
            diags.push(Diagnostic::info(
                DiagKind::MissingSheet,
                Location {
                    file: Some(file.to_string()),
                    ..Location::default()
                },
                format!("the file has no '{}' sheet", def.name),
            ));
        }
    }
    let mut matches = best.sheets.clone();
    matches.sort_by_key(|m| m.grid);
    for m in &matches {
        let grid = &grids[m.grid];
        let def = &layout.sheets[m.def];
        let (sheet_report, items) = read_sheet(
            file,
            grid,
            layout,
            def,
            m.header_row,
            opts,
            &mut poam,
            &mut diags,
        );
        report.sheets.push(sheet_report);
        poam.items.extend(items);
    }
    for (g, grid) in grids.iter().enumerate() {
        if !matches.iter().any(|m| m.grid == g) {
            report.sheets.push(SheetReport {
                name: grid.name.clone(),
                role: None,
                header_row: None,
                columns: Vec::new(),
                items: 0,
                note: Some("not read: no POA&M header row".into()),
            });
        }
    }
    (poam, diags, report)
}

#[allow(clippy::too_many_arguments)]
fn read_sheet(
    file: &str,
    grid: &Grid,
    layout: &Layout,
    def: &SheetDef,
    header_row: u32,
    opts: &ImportOptions,
    poam: &mut Poam,
    diags: &mut Vec<Diagnostic>,
) -> (SheetReport, Vec<Item>) {
    let sheet = grid.name.as_str();
    let loc = |c: u32, r: u32| Location::cell(file, sheet, cell_ref(c as u16, r + 1));
    // Column map from the header row.
    let mut cols: Vec<(u32, String)> = Vec::new();
    let mut mapping: Vec<(u32, String, Option<Field>)> = Vec::new();
    let mut seen: HashMap<Field, u32> = HashMap::new();
    let header_cells = grid
        .rows
        .get(header_row as usize)
        .cloned()
        .unwrap_or_default();
    let mut column_reports = Vec::new();
    for (c, cell) in header_cells.iter().enumerate() {
        let c = c as u32;
        let header = match cell {
            Cell::Empty => continue,
            other => other.text(),
        };
        if header.is_empty() {
            continue;
        }
        cols.push((c, header.clone()));
        let mut field = layout.field_for_header(&header).flatten();
        if let Some(f) = field {
            if let Some(prev) = seen.get(&f) {
                diags.push(Diagnostic::warning(
                    DiagKind::ExtraColumn,
                    loc(c, header_row),
                    format!(
                        "column \"{header}\" maps to {} like column {}; its cells are kept in extra",
                        f.name(),
                        column_letters(*prev as u16)
                    ),
                ));
                field = None;
            } else {
                seen.insert(f, c);
            }
        } else {
            diags.push(Diagnostic::info(
                DiagKind::ExtraColumn,
                loc(c, header_row),
                format!(
                    "column \"{header}\" has no field in the model; its cells are kept in extra"
                ),
            ));
        }
        column_reports.push(ColumnReport {
            column: column_letters(c as u16),
            header: header.clone(),
            field: field.map(|f| f.name().to_string()),
        });
        mapping.push((c, header, field));
    }
    let first_col = mapping.first().map_or(0, |m| m.0);
    // System metadata above the header.
    if let Some(meta) = &def.metadata {
        read_metadata(file, grid, meta, header_row, poam, diags, opts);
    }
    let mut items = Vec::new();
    for r in header_row + 1..grid.height() {
        let row = &grid.rows[r as usize];
        let filled: Vec<u32> = row
            .iter()
            .enumerate()
            .filter(|(_, c)| !c.is_blank())
            .map(|(c, _)| c as u32)
            .collect();
        if filled.is_empty() {
            continue;
        }
        if filled.iter().all(|c| grid.formulas.contains(&(r, *c))) {
            continue;
        }
        if is_guidance_row(grid, r, def, &cols, first_col) {
            continue;
        }
        let mut item = Item {
            state: match def.role {
                SheetRole::Closed => State::Closed,
                _ => State::Open,
            },
            category: (def.role == SheetRole::Configuration).then_some(Category::Configuration),
            origin: Some(Origin {
                file: file.to_string(),
                sheet: Some(sheet.to_string()),
                row: Some(r + 1),
            }),
            ..Item::default()
        };
        for (c, header, field) in &mapping {
            let cell = grid.get(r, *c);
            if cell.is_blank() {
                continue;
            }
            match field {
                Some(f) => fill(
                    &mut item,
                    *f,
                    header,
                    cell,
                    loc(*c, r),
                    opts.date_order,
                    diags,
                ),
                None => keep_extra(&mut item, header, cell.text()),
            }
        }
        // Cells outside the header's columns still count.
        for c in &filled {
            if !mapping.iter().any(|m| m.0 == *c) && *c >= first_col {
                let header = format!("Column {}", column_letters(*c as u16));
                diags.push(Diagnostic::warning(
                    DiagKind::ExtraColumn,
                    loc(*c, r),
                    format!("cell outside the table's columns; kept in extra as \"{header}\""),
                ));
                keep_extra(&mut item, &header, grid.get(r, *c).text());
            } else if *c < first_col {
                let header = format!("Column {}", column_letters(*c as u16));
                keep_extra(&mut item, &header, grid.get(r, *c).text());
            }
        }
        unfold(&mut item, opts);
        if !item.is_empty() {
            items.push(item);
        }
    }
    let report = SheetReport {
        name: sheet.to_string(),
        role: Some(
            match def.role {
                SheetRole::Open => "open",
                SheetRole::Closed => "closed",
                SheetRole::Configuration => "configuration",
            }
            .to_string(),
        ),
        header_row: Some(header_row + 1),
        columns: column_reports,
        items: items.len(),
        note: (normalize_header(sheet) != normalize_header(&def.name))
            .then(|| format!("read as '{}'", def.name)),
    };
    (report, items)
}

/// Restores milestones that a writer folded into the remediation plan.
fn unfold(item: &mut Item, opts: &ImportOptions) {
    if !item.milestones.is_empty() || item.milestone_changes.is_some() {
        return;
    }
    let Some(plan) = &item.remediation_plan else {
        return;
    };
    let (p, m, c) = unfold_plan(plan);
    if m.is_none() && c.is_none() {
        return;
    }
    item.remediation_plan = p;
    if let Some(m) = m {
        item.milestones = parse_milestones(&m, opts.date_order).milestones;
    }
    item.milestone_changes = c;
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
            let guidance_row = c0 > 0 && normalize_header(&grid.get(r, 0).text()) == "guidance";
            if text.is_empty() || guidance_row || meta.placeholders.iter().any(|p| p == &text) {
                continue;
            }
            value = Some((r, cell.clone()));
            break;
        }
        let Some((r, cell)) = value else { continue };
        let text = cell.text();
        match field.as_str() {
            "organization" => poam.system.organization.get_or_insert(text),
            "name" => poam.system.name.get_or_insert(text),
            "impact_level" => poam.system.impact_level.get_or_insert(text),
            "poam_date" => {
                let date = match &cell {
                    Cell::Date(d) => Some(*d),
                    Cell::Number(n) => from_excel_serial(*n),
                    _ => parse_date_text(&text, opts.date_order),
                };
                match date {
                    Some(d) => {
                        poam.system.poam_date.get_or_insert(d);
                    }
                    None => diags.push(Diagnostic::warning(
                        DiagKind::BadDate,
                        Location::cell(file, &grid.name, cell_ref(col as u16, r + 1)),
                        format!("cannot read POA&M date \"{text}\""),
                    )),
                }
                continue;
            }
            _ => continue,
        };
    }
}
