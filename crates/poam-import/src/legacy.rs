//! Legacy and home-grown trackers: the header row is found on its own and
//! columns are matched by header synonyms, or by the user's mapping file.

use crate::grid::{Grid, HEADER_SEARCH_ROWS};
use crate::report::{Candidate, ReadReport, SheetReport};
use crate::sheet::{read_sheet, RowMarks, SheetSpec};
use crate::ImportOptions;
use poam_layout::mapping::{synonyms, Mapping};
use poam_layout::{normalize_header, SheetRole};
use poam_model::{Field, Poam};
use std::collections::BTreeSet;

/// A sheet where a header row was found.
#[derive(Debug, Clone)]
pub(crate) struct Found {
    pub grid: usize,
    pub header_row: u32,
    pub first_col: u32,
    pub role: SheetRole,
    /// Distinct fields matched.
    pub fields: usize,
    /// Non-empty header cells.
    pub cells: usize,
    /// Which header went to which field.
    pub matched: Vec<(String, Field)>,
}

impl Found {
    /// Enough to read without asking: six fields; or four that are at least
    /// a quarter of the header row; or three that are most of it. A table of
    /// another kind that shares a few column names with a POA&M (a FedRAMP
    /// deviation request: 5 of its 35 headers) stops with the choices.
    pub fn confident(&self) -> bool {
        self.fields >= 6
            || (self.fields >= 4 && self.fields * 4 >= self.cells)
            || (self.fields >= 3 && self.fields * 5 >= self.cells * 3)
    }
}

/// Fields that mark a table as a POA&M rather than any list.
fn is_anchor(f: Field) -> bool {
    matches!(
        f,
        Field::WeaknessName | Field::WeaknessDescription | Field::Controls
    )
}

/// The role a sheet's name suggests.
pub(crate) fn role_from_name(name: &str) -> SheetRole {
    let n = name.to_lowercase();
    if n.contains("closed")
        || n.contains("complete")
        || n.contains("resolved")
        || n.contains("archive")
    {
        SheetRole::Closed
    } else if n.contains("config") {
        SheetRole::Configuration
    } else {
        SheetRole::Open
    }
}

/// Finds the best header row of a grid for a resolver.
fn find_header(
    g: usize,
    grid: &Grid,
    resolve: &dyn Fn(&str) -> Option<Option<Field>>,
    min_fields: usize,
    need_anchor: bool,
) -> Option<Found> {
    let mut best: Option<Found> = None;
    for r in 0..grid.height().min(HEADER_SEARCH_ROWS) {
        let row = &grid.rows[r as usize];
        let mut fields = BTreeSet::new();
        let mut matched = Vec::new();
        let mut cells = 0;
        let mut first_col = None;
        for (c, cell) in row.iter().enumerate() {
            let text = cell.text();
            if text.is_empty() {
                continue;
            }
            cells += 1;
            first_col.get_or_insert(c as u32);
            if let Some(Some(f)) = resolve(&text) {
                if fields.insert(f) {
                    matched.push((text, f));
                }
            }
        }
        if fields.len() < min_fields || (need_anchor && !fields.iter().any(|f| is_anchor(*f))) {
            continue;
        }
        if best.as_ref().is_none_or(|b| fields.len() > b.fields) {
            best = Some(Found {
                grid: g,
                header_row: r,
                first_col: first_col.unwrap_or(0),
                role: role_from_name(&grid.name),
                fields: fields.len(),
                cells,
                matched,
            });
        }
    }
    best
}

/// Sheets that look like a legacy tracker under the built-in synonyms.
pub(crate) fn guess(grids: &[Grid]) -> Vec<Found> {
    let syn = synonyms();
    let resolve = |h: &str| syn.field(h).map(Some);
    grids
        .iter()
        .enumerate()
        .filter(|(_, g)| {
            let n = g.name.to_lowercase();
            !n.contains("instruction") && !n.contains("example")
        })
        .filter_map(|(g, grid)| find_header(g, grid, &resolve, 3, true))
        .collect()
}

/// Reads the sheets found with the given resolver.
#[allow(clippy::too_many_arguments)]
fn read_found(
    file: &str,
    grids: &mut [Grid],
    found: &[Found],
    resolve: &dyn Fn(&str) -> Option<Option<Field>>,
    layout: String,
    evidence: Vec<String>,
    candidates: Vec<Candidate>,
    opts: &ImportOptions,
    out: &mut crate::Items<'_>,
) -> crate::ReadResult {
    let mut poam = Poam::default();
    out.begin(&poam.system);
    let marks = RowMarks::of_all(opts.registry());
    let mut diags = Vec::new();
    let mut report = ReadReport {
        format: "workbook".into(),
        layout: Some(layout),
        layout_name: None,
        evidence,
        candidates,
        sheets: Vec::new(),
    };
    for (g, grid) in grids.iter_mut().enumerate() {
        if !found.iter().any(|f| f.grid == g) {
            grid.skip_tail();
        }
    }
    for (g, grid) in grids.iter_mut().enumerate() {
        match found.iter().find(|f| f.grid == g) {
            Some(f) => {
                let spec = SheetSpec {
                    role: f.role,
                    header_row: f.header_row,
                    first_col: f.first_col,
                    resolve,
                    fixed_rows: &[],
                    row_mode: poam_layout::RowMode::Continuation,
                    read_as: None,
                    controls_in_text: true,
                    marks: &marks,
                };
                let sheet_report = read_sheet(file, grid, &spec, opts, &mut diags, out)?;
                report.sheets.push(sheet_report);
            }
            None => report.sheets.push(SheetReport {
                name: grid.name.clone(),
                role: None,
                header_row: None,
                columns: Vec::new(),
                items: 0,
                note: Some("not read: no POA&M header row".into()),
            }),
        }
    }
    poam.items = std::mem::take(&mut out.list);
    Ok((poam, diags, report))
}

/// Reads a legacy tracker whose sheets [`guess`] found.
pub(crate) fn read_guessed(
    file: &str,
    grids: &mut [Grid],
    found: &[Found],
    candidates: Vec<Candidate>,
    opts: &ImportOptions,
    out: &mut crate::Items<'_>,
) -> crate::ReadResult {
    let syn = synonyms();
    let resolve = |h: &str| syn.field(h).map(Some);
    let evidence = found
        .iter()
        .map(|f| {
            let pairs: Vec<String> = f
                .matched
                .iter()
                .map(|(h, field)| format!("'{}' = {}", h.replace('\n', " "), field.name()))
                .collect();
            format!(
                "sheet '{}': header row {} matched {} field(s) by synonym: {}",
                grids[f.grid].name,
                f.header_row + 1,
                f.fields,
                pairs.join(", ")
            )
        })
        .collect();
    read_found(
        file,
        grids,
        found,
        &resolve,
        "legacy tracker (header synonyms)".into(),
        evidence,
        candidates,
        opts,
        out,
    )
}

/// Reads a workbook with the user's mapping file.
pub(crate) fn read_mapped(
    file: &str,
    grids: &mut [Grid],
    mapping: &Mapping,
    mapping_name: &str,
    opts: &ImportOptions,
    out: &mut crate::Items<'_>,
) -> Result<crate::ReadResult, String> {
    let resolve = |h: &str| mapping.resolve(h);
    let mut found = Vec::new();
    if mapping.sheets.is_empty() {
        for (g, grid) in grids.iter().enumerate() {
            if let Some(f) = find_header(g, grid, &resolve, 2.min(mapping.len()).max(1), false) {
                found.push(f);
            }
        }
    } else {
        for sheet in &mapping.sheets {
            let Some(g) = grids
                .iter()
                .position(|gr| normalize_header(&gr.name) == normalize_header(&sheet.name))
            else {
                let names: Vec<String> = grids.iter().map(|g| format!("'{}'", g.name)).collect();
                return Err(format!(
                    "the mapping {mapping_name} names sheet '{}', which the file lacks (it has {})",
                    sheet.name,
                    names.join(", ")
                ));
            };
            let grid = &grids[g];
            let mut f = match sheet.header_row {
                Some(row) if row >= 1 => {
                    let r = row - 1;
                    let first_col = grid
                        .rows
                        .get(r as usize)
                        .and_then(|cells| cells.iter().position(|c| !c.is_blank()))
                        .unwrap_or(0) as u32;
                    Found {
                        grid: g,
                        header_row: r,
                        first_col,
                        role: role_from_name(&grid.name),
                        fields: 0,
                        cells: 0,
                        matched: Vec::new(),
                    }
                }
                _ => find_header(g, grid, &resolve, 1, false).ok_or_else(|| {
                    format!(
                        "sheet '{}': no row in the first {HEADER_SEARCH_ROWS} has a header that the mapping {mapping_name} names",
                        grid.name
                    )
                })?,
            };
            if let Some(role) = sheet.role {
                f.role = role;
            }
            found.push(f);
        }
    }
    if found.is_empty() {
        return Err(format!(
            "no sheet has a header row with the columns the mapping {mapping_name} names"
        ));
    }
    let evidence = found
        .iter()
        .map(|f| {
            format!(
                "sheet '{}': header row {} from the mapping",
                grids[f.grid].name,
                f.header_row + 1
            )
        })
        .collect();
    Ok(read_found(
        file,
        grids,
        &found,
        &resolve,
        format!("mapping {mapping_name}"),
        evidence,
        Vec::new(),
        opts,
        out,
    ))
}
