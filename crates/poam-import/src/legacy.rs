//! Legacy and home-grown trackers: the header row is found on its own and
//! columns are matched by header synonyms, or by the user's mapping file.

use crate::grid::{Cell, Grid, HEADER_SEARCH_ROWS};
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
    /// Distinct fields matched by a header that is one of the synonyms (not
    /// guessed from its last words or a typo): what confidence is judged on.
    pub exact_fields: usize,
    /// Non-empty header cells.
    pub cells: usize,
    /// Which header went to which field.
    pub matched: Vec<(String, Field)>,
    /// Fields the sheet's own evidence gives a header instead of its
    /// synonym's (normalized header → field, or `None` for `extra`), with why.
    pub settled: Vec<(String, Option<Field>, String)>,
}

impl Found {
    /// Enough to read without asking: six fields; or four that are at least
    /// a quarter of the header row; or three that are most of it. A table of
    /// another kind that shares a few column names with a POA&M (a FedRAMP
    /// deviation request: 5 of its 35 headers) stops with the choices.
    pub fn confident(&self) -> bool {
        let n = self.exact_fields;
        n >= 6 || (n >= 4 && n * 4 >= self.cells) || (n >= 3 && n * 5 >= self.cells * 3)
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
    exact: &dyn Fn(&str) -> bool,
    min_fields: usize,
    need_anchor: bool,
) -> Option<Found> {
    let mut best: Option<Found> = None;
    for r in 0..grid.height().min(HEADER_SEARCH_ROWS) {
        let row = &grid.rows[r as usize];
        let mut fields = BTreeSet::new();
        let mut exact_fields = BTreeSet::new();
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
            // Wide milestone columns (Milestone 1, Milestone 1 Date ...) are
            // one field, the milestones.
            if crate::sheet::wide_milestone(&text).is_some() {
                exact_fields.insert(Field::Milestones);
                if fields.insert(Field::Milestones) {
                    matched.push((text, Field::Milestones));
                }
                cells -= 1;
                continue;
            }
            if let Some(Some(f)) = resolve(&text) {
                if exact(&text) {
                    exact_fields.insert(f);
                }
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
                exact_fields: exact_fields.len(),
                cells,
                matched,
                settled: described_dates(grid, r, resolve),
            });
        }
    }
    best
}

/// The system a tracker's title block or cover sheet names: cells such as
/// `System Name:` followed by their value, above the table's header row or
/// on a sheet that holds no table. A label poamkit has no field for (ISSO,
/// POC) is kept in `system.extra`.
fn read_title_block(
    grids: &[Grid],
    found: &[Found],
    system: &mut poam_model::SystemInfo,
    opts: &ImportOptions,
) {
    for (g, grid) in grids.iter().enumerate() {
        if grid.hidden || is_template_sheet(opts.registry(), &grid.name) {
            continue;
        }
        let cover = ["cover", "system", "info", "general", "title"]
            .iter()
            .any(|w| grid.name.to_lowercase().contains(w));
        let rows = match found.iter().find(|f| f.grid == g) {
            Some(f) => f.header_row,
            None if cover => 30.min(grid.height()),
            None => continue,
        };
        if system.marking.is_none() {
            system.marking = crate::grid::marking_above(grid, rows);
        }
        for r in 0..rows {
            let Some(row) = grid.rows.get(r as usize) else {
                continue;
            };
            for (c, cell) in row.iter().enumerate() {
                let label = cell.text();
                let Some(bare) = label.trim().strip_suffix(':') else {
                    continue;
                };
                let key = poam_layout::mapping::squash(bare);
                let Some(value) = row.iter().skip(c + 1).find(|v| !v.is_blank()) else {
                    continue;
                };
                let text = value.text();
                if text.trim_end().ends_with(':') {
                    continue;
                }
                match key.as_str() {
                    "systemname"
                    | "system"
                    | "informationsystem"
                    | "informationsystemname"
                    | "systemprojectname"
                    | "projectname"
                    | "applicationname" => {
                        system.name.get_or_insert(text);
                    }
                    "organization"
                    | "organisation"
                    | "agency"
                    | "component"
                    | "department"
                    | "company"
                    | "csp"
                    | "cloudserviceprovider"
                    | "dodcomponent" => {
                        system.organization.get_or_insert(text);
                    }
                    "impactlevel"
                    | "fips199categorization"
                    | "categorization"
                    | "securitycategorization"
                    | "fipscategorization" => {
                        system.impact_level.get_or_insert(text);
                    }
                    "poamdate" | "date" | "asof" | "reportdate" | "dateprepared" => {
                        match value.date(opts.date_order) {
                            Some(d) => {
                                system.poam_date.get_or_insert(d);
                            }
                            None => {
                                system.extra.entry(bare.trim().to_string()).or_insert(text);
                            }
                        }
                    }
                    _ => {
                        system.extra.entry(bare.trim().to_string()).or_insert(text);
                    }
                }
            }
        }
    }
}

/// Two columns named for one field ("Weakness ID" and "POA&M ID" for the
/// id, "Estimated Completion Date" and "Scheduled Completion Date"): the one
/// whose header stands first in the field's synonyms is read, the others are
/// kept in `extra`, and `inspect` says why.
fn prefer_best_synonym(grid: &Grid, f: &mut Found, syn: &poam_layout::mapping::Synonyms) {
    let Some(header) = grid.rows.get(f.header_row as usize) else {
        return;
    };
    let mut by_field: std::collections::BTreeMap<Field, Vec<String>> = Default::default();
    for cell in header.iter().skip(f.first_col as usize) {
        let h = cell.text();
        let key = normalize_header(&h);
        if h.is_empty()
            || crate::sheet::wide_milestone(&h).is_some()
            || f.settled.iter().any(|(k, _, _)| *k == key)
        {
            continue;
        }
        if let Some(field) = syn.field(&h) {
            if field.kind() != poam_model::FieldKind::Keyed {
                by_field.entry(field).or_default().push(h);
            }
        }
    }
    // Columns no synonym names, told by their values: requirement or control
    // ids, POA&M-like ids, status words (when no other column holds them).
    // A header matched only by its last words or a typo yields to what its
    // values say.
    let exact_only = |h: &str| syn.is_exact(h);
    let mut taken: BTreeSet<Field> = by_field
        .iter()
        .filter(|(_, hs)| hs.iter().any(|h| exact_only(h)))
        .map(|(f, _)| *f)
        .collect();
    for (c, cell) in header.iter().enumerate().skip(f.first_col as usize) {
        let h = cell.text();
        if h.is_empty() || exact_only(&h) || crate::sheet::wide_milestone(&h).is_some() {
            continue;
        }
        let values: Vec<String> = grid
            .rows
            .iter()
            .skip(f.header_row as usize + 1)
            .take(30)
            .map(|r| r.get(c).map(|v| v.text()).unwrap_or_default())
            .filter(|t| !t.trim().is_empty())
            .collect();
        if values.len() < 2 {
            continue;
        }
        let share = |ok: &dyn Fn(&str) -> bool| values.iter().filter(|v| ok(v)).count();
        let controls = share(&|v| {
            let p = poam_model::control::parse_controls(v);
            !p.controls.is_empty() && p.unparsed.is_empty()
        });
        let ids = share(&|v| looks_like_id(v));
        let statuses = share(&|v| poam_model::Status::parse(v).is_some());
        let categories = share(&|v| {
            let t = v.trim().to_uppercase();
            t.starts_with("CAT") && poam_model::RawSeverity::parse(v).is_some()
        });
        let dates = grid
            .rows
            .iter()
            .skip(f.header_row as usize + 1)
            .filter_map(|r| r.get(c))
            .filter(|v| !v.is_blank())
            .take(30)
            .filter(|v| v.date(poam_model::date::DateOrder::MonthFirst).is_some())
            .count();
        let most = |n: usize| n * 5 >= values.len() * 4;
        // A column of dates under a header no synonym names: which date, by
        // the words of its header.
        let date_field = most(dates)
            .then(|| date_by_words(&h))
            .flatten()
            .filter(|d| !taken.contains(d));
        let pick = if most(controls) && !taken.contains(&Field::Controls) {
            Some((Field::Controls, controls, "control ids"))
        } else if most(ids) && !taken.contains(&Field::Id) {
            let distinct: BTreeSet<&String> = values.iter().collect();
            (distinct.len() == values.len()).then_some((Field::Id, ids, "POA&M ids"))
        } else if most(statuses) && !taken.contains(&Field::Status) {
            Some((Field::Status, statuses, "status words"))
        } else if most(categories) && !taken.contains(&Field::RawSeverity) {
            Some((
                Field::RawSeverity,
                categories,
                "DISA categories (CAT I, II, III)",
            ))
        } else {
            date_field.map(|d| (d, dates, "dates"))
        };
        if let Some((field, n, what)) = pick {
            taken.insert(field);
            // Values that fit this well are as good as a header that names it.
            f.exact_fields += 1;
            f.settled.push((
                normalize_header(&h),
                Some(field),
                format!("{n} of its first {} values are {what}", values.len()),
            ));
        }
    }
    for (field, headers) in by_field {
        if headers.len() < 2 {
            continue;
        }
        let best = headers
            .iter()
            .enumerate()
            .min_by_key(|(i, h)| (syn.rank(h), *i))
            .map(|(_, h)| h.clone())
            .unwrap_or_default();
        for h in headers.iter().filter(|h| **h != best) {
            f.settled.push((
                normalize_header(h),
                None,
                format!("'{best}' is the better match for {}", field.name()),
            ));
        }
    }
}

/// The date field a header's words point to, for a column of dates whose
/// header is no synonym ("Fix By", "Found", "Closed On").
fn date_by_words(header: &str) -> Option<Field> {
    let h = header.to_lowercase();
    let has = |words: &[&str]| {
        h.split(|c: char| !c.is_alphanumeric())
            .any(|w| words.contains(&w))
    };
    if has(&[
        "due",
        "target",
        "deadline",
        "by",
        "ecd",
        "planned",
        "scheduled",
        "eta",
    ]) {
        Some(Field::ScheduledCompletion)
    } else if has(&[
        "closed",
        "resolved",
        "fixed",
        "remediated",
        "completed",
        "actual",
    ]) {
        Some(Field::CompletedOn)
    } else if has(&[
        "found",
        "identified",
        "discovered",
        "detected",
        "opened",
        "reported",
        "raised",
        "logged",
    ]) {
        Some(Field::DetectedOn)
    } else if has(&["updated", "modified", "reviewed", "changed"]) {
        Some(Field::StatusDate)
    } else {
        None
    }
}

/// An identifier as trackers number their items: `POAM-001`, `V-12`,
/// `POA&M 7`, `FND_0042`.
fn looks_like_id(text: &str) -> bool {
    let t = text.trim();
    let letters = t
        .chars()
        .take_while(|c| c.is_ascii_alphabetic() || *c == '&')
        .count();
    let rest = t[letters..].trim_start_matches(['-', '_', ' ', '#']);
    (1..=8).contains(&letters)
        && !rest.is_empty()
        && rest.len() <= 8
        && rest
            .chars()
            .all(|c| c.is_ascii_digit() || c == '-' || c == '.')
        && rest.starts_with(|c: char| c.is_ascii_digit())
}

/// A row under the header that describes each column ("Estimated completion
/// date of remediation plan") says what a date column means better than its
/// header: a "Completion Date" described as estimated or planned is the
/// scheduled completion, not the actual one.
fn described_dates(
    grid: &Grid,
    header_row: u32,
    resolve: &dyn Fn(&str) -> Option<Option<Field>>,
) -> Vec<(String, Option<Field>, String)> {
    let (Some(header), Some(below)) = (
        grid.rows.get(header_row as usize),
        grid.rows.get(header_row as usize + 1),
    ) else {
        return Vec::new();
    };
    // A description row: most filled cells are phrases of several words.
    let texts: Vec<String> = below.iter().map(|c| c.text()).collect();
    let filled = texts.iter().filter(|t| !t.is_empty()).count();
    let phrases = texts
        .iter()
        .filter(|t| t.split_whitespace().count() >= 4)
        .count();
    if filled < 3 || phrases * 3 < filled * 2 {
        return Vec::new();
    }
    let mut out = Vec::new();
    for (c, cell) in header.iter().enumerate() {
        let h = cell.text();
        let about = texts.get(c).map(|t| t.to_lowercase()).unwrap_or_default();
        let planned = ["estimated", "planned", "target", "scheduled", "expected"]
            .iter()
            .any(|w| about.contains(w));
        if resolve(&h) == Some(Some(Field::CompletedOn)) && planned {
            out.push((
                normalize_header(&h),
                Some(Field::ScheduledCompletion),
                format!(
                    "the row under the header describes it: \"{}\"",
                    texts[c].trim()
                ),
            ));
        }
    }
    out
}

/// Joins a header written on two rows, a group over its sub-headers
/// ("Milestone 1" merged or written over "Description | Date"), into one
/// row of full names ("Milestone 1 Description", "Milestone 1 Date"), kept
/// in the lower row (where the header ends) while the upper one is emptied.
/// Returns the 0-based row of the joined header.
pub(crate) fn join_two_row_header(grid: &mut Grid) -> Option<u32> {
    let last = grid.height().min(HEADER_SEARCH_ROWS);
    for r in 0..last.saturating_sub(1) {
        if let Some(joined) = two_row_header(grid, r) {
            grid.rows[r as usize].clear();
            grid.rows[r as usize + 1] = joined;
            return Some(r + 1);
        }
    }
    None
}

/// Row `r` and the row under it as one header, when they are one: both hold
/// only short labels, the upper row has a group (a cell merged across
/// columns, or followed by blank cells) with two or more labels under it,
/// and no label stands under a single-column header (that is a value under
/// its header, a data or description row).
fn two_row_header(grid: &Grid, r: u32) -> Option<Vec<Cell>> {
    let top = &grid.rows[r as usize];
    let below = &grid.rows[r as usize + 1];
    let is_label = |c: &Cell| match c {
        Cell::Text(t) => {
            let t = t.trim();
            t.chars().count() <= 60
                && !t.contains('\n')
                && poam_model::date::parse_date_text(t, poam_model::date::DateOrder::MonthFirst)
                    .is_none()
        }
        _ => false,
    };
    let filled = |row: &Vec<Cell>| row.iter().filter(|c| !c.is_blank()).count();
    if filled(top) < 2 || filled(below) < 2 {
        return None;
    }
    if top
        .iter()
        .chain(below)
        .any(|c| !c.is_blank() && !is_label(c))
    {
        return None;
    }
    let width = top.len().max(below.len());
    let at = |row: &Vec<Cell>, c: usize| row.get(c).cloned().unwrap_or(Cell::Empty);
    // The upper row's cells and the columns each spans.
    let mut spans: Vec<(usize, usize)> = Vec::new();
    let mut c = 0;
    while c < width {
        if at(top, c).is_blank() {
            c += 1;
            continue;
        }
        let merged = grid
            .merges
            .iter()
            .find(|((r0, c0), _)| *r0 == r && *c0 as usize == c)
            .map(|(_, (_, c1))| *c1 as usize);
        let end = merged.unwrap_or_else(|| {
            let mut e = c;
            while e + 1 < width && at(top, e + 1).is_blank() && !at(below, e + 1).is_blank() {
                e += 1;
            }
            e
        });
        spans.push((c, end.max(c)));
        c = end.max(c) + 1;
    }
    let span_of = |c: usize| spans.iter().copied().find(|(s, e)| *s <= c && c <= *e);
    let mut grouped = 0;
    for (s, e) in &spans {
        let under = (*s..=*e).filter(|c| !at(below, *c).is_blank()).count();
        if e > s && under >= 2 {
            grouped += 1;
        }
    }
    if grouped == 0 {
        return None;
    }
    let mut joined = Vec::with_capacity(width);
    for c in 0..width {
        let sub = at(below, c);
        let cell = match span_of(c) {
            Some((s, e)) if e > s => {
                let group = at(top, s).text();
                if sub.is_blank() {
                    if c == s {
                        Cell::Text(group.into())
                    } else {
                        Cell::Empty
                    }
                } else {
                    Cell::Text(format!("{group} {}", sub.text()).into())
                }
            }
            // A label under a single-column header: not a header's second row.
            Some(_) if !sub.is_blank() => return None,
            Some(_) => at(top, c),
            None => sub,
        };
        joined.push(cell);
    }
    Some(joined)
}

/// A template's own sheet that holds no items (examples, instructions), by
/// the words any layout's `[rules.sheet_words] skip` gives: a home-grown
/// tracker is often a template's copy.
fn is_template_sheet(registry: &poam_layout::Registry, name: &str) -> bool {
    registry
        .all()
        .iter()
        .any(|l| l.rules.sheet_words.skips(name))
}

/// Sheets that look like a legacy tracker under the built-in synonyms.
pub(crate) fn guess(grids: &[Grid], registry: &poam_layout::Registry) -> Vec<Found> {
    let syn = synonyms();
    let resolve = |h: &str| syn.field(h).map(Some);
    let exact = |h: &str| syn.is_exact(h);
    grids
        .iter()
        .enumerate()
        .filter(|(_, g)| !is_template_sheet(registry, &g.name) && !g.hidden)
        .filter_map(|(g, grid)| find_header(g, grid, &resolve, &exact, 3, true))
        .map(|mut f| {
            prefer_best_synonym(&grids[f.grid], &mut f, syn);
            f
        })
        .collect()
}

/// Reads the sheets found with the given resolver.
#[allow(clippy::too_many_arguments)]
fn read_found(
    file: &str,
    grids: &mut [Grid],
    found: &[Found],
    resolve: &dyn Fn(&str) -> Option<Option<Field>>,
    explain: &dyn Fn(&str) -> Option<String>,
    layout: String,
    evidence: Vec<String>,
    candidates: Vec<Candidate>,
    opts: &ImportOptions,
    out: &mut crate::Items<'_>,
) -> crate::ReadResult {
    let mut poam = Poam::default();
    read_title_block(grids, found, &mut poam.system, opts);
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
                let local = |h: &str| {
                    let key = normalize_header(h);
                    f.settled
                        .iter()
                        .find(|(k, _, _)| *k == key)
                        .map(|(_, field, _)| *field)
                        .or_else(|| resolve(h))
                };
                let why = |h: &str| {
                    let key = normalize_header(h);
                    f.settled
                        .iter()
                        .find(|(k, _, _)| *k == key)
                        .map(|(_, _, why)| why.clone())
                        .or_else(|| explain(h))
                };
                // A header whose values or a better header decided: the
                // field its own words gave.
                let runner_up = |h: &str| {
                    let key = normalize_header(h);
                    f.settled
                        .iter()
                        .any(|(k, _, _)| *k == key)
                        .then(|| resolve(h).flatten())
                        .flatten()
                };
                let spec = SheetSpec {
                    role: f.role,
                    header_row: f.header_row,
                    first_col: f.first_col,
                    explain: &why,
                    runner_up: &runner_up,
                    resolve: &local,
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
                rows_read: 0,
                rows_skipped: 0,
                read_as: None,
                note: Some(if is_template_sheet(opts.registry(), &grid.name) {
                    "not read: the template's own example or instructions, not data".into()
                } else if grid.hidden {
                    "not read: a hidden sheet (an old tab or a list of values); unhide it to have it read".into()
                } else {
                    "not read: no POA&M header row".into()
                }),
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
            let mut line = format!(
                "sheet '{}': header row {} matched {} field(s) by synonym: {}",
                grids[f.grid].name,
                f.header_row + 1,
                f.fields,
                pairs.join(", ")
            );
            for (header, field, why) in &f.settled {
                let to = field.map_or("extra", |f| f.name());
                line.push_str(&format!("; '{header}' read as {to} ({why})"));
            }
            line
        })
        .collect();
    read_found(
        file,
        grids,
        found,
        &resolve,
        &|h: &str| syn.how(h),
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
            if let Some(f) = find_header(
                g,
                grid,
                &resolve,
                &|_| true,
                2.min(mapping.len()).max(1),
                false,
            ) {
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
                        exact_fields: 0,
                        cells: 0,
                        matched: Vec::new(),
                        settled: Vec::new(),
                    }
                }
                _ => find_header(g, grid, &resolve, &|_| true, 1, false).ok_or_else(|| {
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
        &|_| None,
        format!("mapping {mapping_name}"),
        evidence,
        Vec::new(),
        opts,
        out,
    ))
}
