//! Reading one sheet into items, whatever told us its columns: a built-in
//! layout, the header synonyms of legacy trackers, or a user's mapping file.

use crate::cell::{fill, fill_milestone_part, keep_extra};
use crate::grid::{Cell, Grid, LoadError, Row};
use crate::report::{ColumnReport, SheetReport};
use crate::ImportOptions;
use poam_layout::text::{parse_milestones, unfold_plan};
use poam_layout::{column_letters, normalize_header, FixedRow, RowMode, SheetRole};
use poam_model::{Category, DiagKind, Diagnostic, Field, Item, Location, Milestone, Origin, State};
use std::collections::HashMap;
use std::sync::Arc;

/// What the reader needs to know about a sheet.
pub(crate) struct SheetSpec<'a> {
    /// What the sheet holds.
    pub role: SheetRole,
    /// 0-based header row.
    pub header_row: u32,
    /// 0-based first column of the table; header cells left of it are ignored.
    pub first_col: u32,
    /// Header text → field (`Some(None)`: a known column kept in `extra`;
    /// `None`: unknown, kept in `extra` with a note).
    pub resolve: &'a dyn Fn(&str) -> Option<Option<Field>>,
    /// The template's own guidance rows, skipped when found in the data.
    pub fixed_rows: &'a [FixedRow],
    /// How rows become items.
    pub row_mode: RowMode,
    /// Name of the layout's sheet when it differs from the file's.
    pub read_as: Option<String>,
    /// Find requirement ids in the weakness text when no column gave any.
    pub controls_in_text: bool,
    /// What marks the template's own rows (guidance labels, example ids).
    pub marks: &'a RowMarks,
    /// How a header was matched when not exactly (for the report).
    pub explain: &'a dyn Fn(&str) -> Option<String>,
    /// The field a header would have gone to but for its values or a better
    /// header (for the report).
    pub runner_up: &'a dyn Fn(&str) -> Option<Field>,
}

/// Whether a cell's value fits its field, and what the field's values are
/// called (`dates`); `None` for free text.
fn value_fits(
    field: Field,
    cell: &Cell,
    order: poam_model::date::DateOrder,
) -> Option<(bool, &'static str)> {
    use poam_model::FieldKind;
    let text = || cell.text_ref();
    Some(match field.kind() {
        FieldKind::Date => (cell.date(order).is_some(), "dates"),
        FieldKind::Controls => {
            let text = text();
            let (rest, ccis) = poam_model::control::take_ccis(&text);
            let p = poam_model::control::parse_controls(&rest);
            (
                (!p.controls.is_empty() || !ccis.is_empty()) && p.unparsed.is_empty(),
                "control ids",
            )
        }
        FieldKind::Ccis => (!poam_model::control::find_ccis(&text()).is_empty(), "CCIs"),
        FieldKind::Status => (poam_model::Status::parse(&text()).is_some(), "status words"),
        FieldKind::Rating => (poam_model::Rating::parse(&text()).is_some(), "ratings"),
        FieldKind::YesNo => (poam_model::YesNo::parse(&text()).is_some(), "yes or no"),
        FieldKind::RawSeverity => (
            poam_model::RawSeverity::parse(&text()).is_some(),
            "severities",
        ),
        _ => return None,
    })
}

/// What marks a template's own rows in the data, normalized: labels in the
/// column before the table, and texts of the ID column (the layout's
/// `[rules]` `guidance_labels`, `example_contains`, `example_ids`).
#[derive(Debug, Default)]
pub(crate) struct RowMarks {
    labels: Vec<String>,
    contains: Vec<String>,
    ids: Vec<String>,
}

impl RowMarks {
    /// The marks of one layout.
    pub fn of(rules: &poam_layout::Rules) -> RowMarks {
        let mut marks = RowMarks::default();
        marks.add(rules);
        marks
    }

    /// The marks of every layout of a registry: a home-grown tracker is often
    /// a template copy, guidance rows and all.
    pub fn of_all(registry: &poam_layout::Registry) -> RowMarks {
        let mut marks = RowMarks::default();
        for layout in registry.all() {
            marks.add(&layout.rules);
        }
        marks
    }

    fn add(&mut self, rules: &poam_layout::Rules) {
        for (to, from) in [
            (&mut self.labels, &rules.guidance_labels),
            (&mut self.contains, &rules.example_contains),
            (&mut self.ids, &rules.example_ids),
        ] {
            for text in from {
                let t = normalize_header(text);
                if !to.contains(&t) {
                    to.push(t);
                }
            }
        }
    }
}

/// Whether a row is the template's own guidance, format hints or example.
/// `guidance` holds, per column of `cols`, the normalized texts the layout's
/// fixed rows put there (computed once per sheet).
fn is_guidance_row(
    row: &Row,
    spec: &SheetSpec<'_>,
    cols: &[(u32, String)],
    guidance: &[Vec<String>],
) -> bool {
    let first_col = spec.first_col;
    let marks = spec.marks;
    // v3.0 labels its guidance rows in the column before the table.
    if first_col > 0 && !marks.labels.is_empty() {
        let label = normalize_header(&row.get(first_col - 1).text());
        if marks.labels.contains(&label) {
            return true;
        }
    }
    let id_text = row.get(cols.first().map_or(first_col, |c| c.0)).text();
    // Only short cells can be an example id or an identifier hint. In an ID
    // column a mark anywhere counts (`VS-001-Example`); in a text column
    // (NIST's Weaknesses) only as the first word, so that a weakness that
    // mentions an example host is read.
    let id_column = cols
        .first()
        .is_some_and(|(_, h)| (spec.resolve)(h).flatten() == Some(Field::Id));
    if id_text.len() < 200 {
        let id_norm = normalize_header(&id_text);
        let marked = |m: &String| {
            if id_column {
                id_norm.contains(m.as_str())
            } else {
                id_norm.starts_with(m.as_str())
            }
        };
        if marks.contains.iter().any(marked) || marks.ids.contains(&id_norm) {
            return true;
        }
    }
    // Rows whose cells equal the layout's fixed rows (guidance texts).
    let mut filled = 0;
    let mut same = 0;
    if guidance.is_empty() {
        return false;
    }
    for ((c, _), texts) in cols.iter().zip(guidance) {
        let cell = row.get(*c);
        if cell.is_blank() {
            continue;
        }
        filled += 1;
        let text = cell.text();
        // A fixed row's text ("Mandatory", a guidance sentence): normalizing
        // costs, so only cells of a plausible length are normalized.
        let longest = texts.iter().map(String::len).max().unwrap_or(0);
        if text.len() > longest.max(16) * 2 + 16 {
            continue;
        }
        let t = normalize_header(&text);
        if texts.contains(&t) {
            same += 1;
        }
    }
    filled > 0 && same * 2 >= filled
}

/// A heading written across a table: `3.1 ACCESS CONTROL`, `ACCESS CONTROL
/// (AC)`, `Section 2: Configuration Management`: capitals after an optional
/// section number, or a "Section" prefix.
fn is_section_heading(text: &str) -> bool {
    let t = text.trim();
    if t.len() > 80 || t.contains('\n') {
        return false;
    }
    let lower = t.to_lowercase();
    if lower.starts_with("section ") || lower.starts_with("family: ") {
        return true;
    }
    let words = t.trim_start_matches(|c: char| c.is_ascii_digit() || c == '.' || c == ' ');
    let letters: Vec<char> = words.chars().filter(|c| c.is_alphabetic()).collect();
    letters.len() >= 6
        && letters.iter().all(|c| c.is_uppercase())
        && words.split_whitespace().count() >= 2
}

/// What a line under a table is when it is not an item: a total, a note, a
/// legend, a signature block.
fn trailer_line(text: &str) -> Option<&'static str> {
    let t = text.trim().to_lowercase();
    // A single word must stand alone or end in a colon ("Total", "Notes:"),
    // so that "Key rotation not enforced" stays an item; a phrase such as
    // "Approved by" may go on.
    let starts = |w: &str| {
        t.strip_prefix(w).is_some_and(|rest| {
            rest.is_empty()
                || rest.starts_with([':', '='])
                || (w.contains(' ') && rest.starts_with(' '))
        })
    };
    if ["total", "totals", "grand total", "subtotal", "count"]
        .iter()
        .any(|w| starts(w))
    {
        Some("a total")
    } else if ["note", "notes", "nb", "footnote"]
        .iter()
        .any(|w| starts(w))
        || t.starts_with('*')
    {
        Some("a note")
    } else if starts("legend") || starts("key") {
        Some("a legend")
    } else if [
        "approved by",
        "prepared by",
        "reviewed by",
        "certified by",
        "signature",
        "signed",
        "date signed",
        "authorizing official",
    ]
    .iter()
    .any(|w| starts(w))
    {
        Some("a signature line")
    } else {
        None
    }
}

/// Whether a date written with slashes or dashes can only be day first: its
/// first number is a day past 12 and its second a month (`30/06/2024`).
fn only_day_first(text: &str) -> bool {
    let parts: Vec<&str> = text.trim().split(['/', '-']).collect();
    if parts.len() != 3 || parts[0].len() > 2 || parts.iter().any(|p| p.parse::<u32>().is_err()) {
        return false;
    }
    let (a, b): (u32, u32) = (parts[0].parse().unwrap_or(0), parts[1].parse().unwrap_or(0));
    (13..=31).contains(&a) && (1..=12).contains(&b)
}

/// Whether a cell's text is a template's placeholder for a value.
fn is_placeholder(text: &str) -> bool {
    let t = text.trim();
    let lower = t.to_lowercase();
    (t.starts_with("${") && t.ends_with('}'))
        || (t.starts_with("{{") && t.ends_with("}}"))
        || (t.starts_with('<')
            && t.ends_with('>')
            && ["enter", "insert", "name", "date", "type"]
                .iter()
                .any(|w| lower.contains(w)))
        || lower.starts_with("[insert")
        || lower.starts_with("[enter")
}

/// Fields that only describe milestones: a row holding nothing else continues
/// the item above it.
fn is_milestone_field(f: Field) -> bool {
    matches!(
        f,
        Field::Milestones
            | Field::MilestoneChanges
            | Field::MilestoneId
            | Field::MilestoneDescription
            | Field::MilestoneStatus
            | Field::MilestoneComments
            | Field::MilestoneDue
            | Field::MilestoneCompletedOn
    )
}

/// One column of the table.
struct Column {
    col: u32,
    header: String,
    field: Option<Field>,
    /// One of a set of wide milestone columns: `Milestone 2` (its text) or
    /// `Milestone 2 Date` (its due date).
    wide: Option<(u32, bool)>,
}

/// `Milestone 3`, `Milestone 3 Date`, `Milestone #3 Due Date`: the number and
/// whether the column holds the date.
pub(crate) fn wide_milestone(header: &str) -> Option<(u32, bool)> {
    let h = header.trim().to_lowercase();
    let rest = h
        .strip_prefix("milestone")?
        .trim_start()
        .trim_start_matches(['#', '-']);
    let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
    if digits.is_empty() {
        return None;
    }
    let n = digits.parse().ok()?;
    let after = rest[digits.len()..]
        .trim()
        .trim_start_matches([':', '-'])
        .trim();
    match after {
        "" | "description" | "text" | "task" => Some((n, false)),
        "date"
        | "due"
        | "due date"
        | "completion date"
        | "target date"
        | "scheduled completion date" => Some((n, true)),
        _ => None,
    }
}

/// Reads the sheet's items onto the end of `items` (one vector for the
/// whole file: a sheet's items are never copied); returns its report.
pub(crate) fn read_sheet(
    file: &str,
    grid: &mut Grid,
    spec: &SheetSpec<'_>,
    opts: &ImportOptions,
    diags: &mut Vec<Diagnostic>,
    out: &mut crate::Items<'_>,
) -> Result<SheetReport, LoadError> {
    let sheet_name = grid.name.clone();
    let sheet = sheet_name.as_str();
    let loc = |c: u32, r: u32| Location::cell(file, sheet, c, r + 1);
    let header_row = spec.header_row;
    // Column map from the header row.
    let mut columns: Vec<Column> = Vec::new();
    let mut seen: HashMap<Field, u32> = HashMap::new();
    let mut column_reports = Vec::new();
    let header_cells = grid
        .rows
        .get(header_row as usize)
        .cloned()
        .unwrap_or_default();
    for (c, cell) in header_cells.iter().enumerate() {
        let c = c as u32;
        if c < spec.first_col {
            continue;
        }
        let header = cell.text();
        if header.is_empty() {
            continue;
        }
        let wide = wide_milestone(&header);
        let mut field = if wide.is_some() {
            None
        } else {
            (spec.resolve)(&header).flatten()
        };
        if wide.is_some() {
            // Read into the item's milestones, in their number's order.
        } else if let Some(f) = field {
            if f.kind() == poam_model::FieldKind::Keyed {
                // Several columns share a keyed field by design.
            } else if let Some(prev) = seen.get(&f) {
                diags.push(Diagnostic::new(
                    DiagKind::DuplicateColumn {
                        header: header.to_string(),
                        field: f,
                        first: column_letters(*prev as u16),
                    },
                    loc(c, header_row),
                ));
                field = None;
            } else {
                seen.insert(f, c);
            }
        } else {
            diags.push(Diagnostic::new(
                DiagKind::ExtraColumn {
                    header: header.to_string(),
                },
                loc(c, header_row),
            ));
        }
        column_reports.push(ColumnReport {
            column: column_letters(c as u16),
            header: header.clone(),
            field: match wide {
                Some((n, false)) => Some(format!("milestones[{n}].description")),
                Some((n, true)) => Some(format!("milestones[{n}].due")),
                None => field.map(|f| f.name().to_string()),
            },
            evidence: match wide {
                Some(_) => Some("a numbered milestone column".into()),
                None => (spec.explain)(&header),
            },
            values: None,
            runner_up: (spec.runner_up)(&header)
                .filter(|r| Some(*r) != field)
                .map(|r| r.name().to_string()),
        });
        columns.push(Column {
            col: c,
            header,
            field,
            wide,
        });
    }
    let cols: Vec<(u32, String)> = columns.iter().map(|c| (c.col, c.header.clone())).collect();
    let guidance: Vec<Vec<String>> = cols
        .iter()
        .map(|(_, header)| {
            spec.fixed_rows
                .iter()
                .filter_map(|f| f.cells.get(header.as_str()))
                .map(|g| normalize_header(g))
                .collect()
        })
        .collect();
    let grouping = spec.row_mode != RowMode::Item;
    // A cell merged down over rows is that value in each of them (a person
    // reads it so), in the rows that hold an item's own cells: over rows
    // holding only milestones, the merge is the item continued.
    let item_cols: Vec<u32> = columns
        .iter()
        .filter(|c| c.wide.is_none() && !c.field.is_some_and(is_milestone_field))
        .map(|c| c.col)
        .collect();
    spread_merges_down(grid, header_row, &item_cols);
    let links = std::mem::take(&mut grid.links);
    let header_norm: Vec<(u32, String)> = columns
        .iter()
        .map(|c| (c.col, normalize_header(&c.header)))
        .collect();
    let second = second_table(grid, header_row, spec, &header_norm);
    let date_cols: Vec<u32> = columns
        .iter()
        .filter(|c| {
            c.wide.is_some_and(|w| w.1)
                || c.field
                    .is_some_and(|f| matches!(f.kind(), poam_model::FieldKind::Date))
        })
        .map(|c| c.col)
        .collect();
    // Columns whose values a description row would not hold: ids, control
    // ids, statuses.
    let value_cols: Vec<(u32, Field)> = columns
        .iter()
        .filter_map(|c| c.field.map(|f| (c.col, f)))
        .filter(|(_, f)| matches!(f, Field::Id | Field::Controls | Field::Status))
        .collect();
    let mut first_filled = true;
    // Per column: values read, values that fit the field, what they are.
    let mut fit: Vec<(usize, usize, &str)> = vec![(0, 0, ""); columns.len()];
    let has_status_column = columns.iter().any(|c| c.field == Some(Field::Status));
    // A date column whose loaded values include one that can only be day
    // first (30/06/2024) is read day first throughout, and said once.
    let mut day_first_cols: Vec<u32> = Vec::new();
    if opts.date_order == poam_model::date::DateOrder::MonthFirst {
        for column in &columns {
            let is_date = column.field.is_some_and(|f| {
                matches!(f.kind(), poam_model::FieldKind::Date)
                    || f == Field::MilestoneDue
                    || f == Field::MilestoneCompletedOn
            });
            if !is_date {
                continue;
            }
            let example = grid
                .rows
                .iter()
                .skip(header_row as usize + 1)
                .filter_map(|r| r.get(column.col as usize))
                .map(|c| c.text())
                .find(|t| only_day_first(t));
            if let Some(example) = example {
                day_first_cols.push(column.col);
                diags.push(Diagnostic::new(
                    DiagKind::DayFirstColumn {
                        header: column.header.clone(),
                        example,
                    },
                    loc(column.col, header_row),
                ));
            }
        }
    }
    let day_first_opts = (!day_first_cols.is_empty()).then(|| ImportOptions {
        date_order: poam_model::date::DateOrder::DayFirst,
        ..opts.clone()
    });
    let opts_for = |col: u32| match &day_first_opts {
        Some(o) if day_first_cols.contains(&col) => o,
        _ => opts,
    };
    // This sheet's items still kept: those after `start` (with a sink,
    // those a later row may still add to).
    let start = out.list.len();
    let mut count = 0;
    let (mut rows_read, mut rows_skipped) = (0usize, 0usize);
    let mut skip = |reason: String, r: u32, diags: &mut Vec<Diagnostic>| {
        rows_skipped += 1;
        diags.push(Diagnostic::new(
            DiagKind::SkippedRow { reason },
            Location::row(file, sheet, r + 1),
        ));
    };
    let mut by_id: HashMap<poam_model::Text, usize> = HashMap::new();
    // Every item of the sheet points at one copy of its file and sheet names.
    let (file_name, sheet_name): (Arc<str>, Arc<str>) = (file.into(), sheet.into());
    // Rows are taken out of the grid (or come from the reader thread) as
    // items grow, so that a large sheet is never held twice.
    for row in grid.rows_below(header_row) {
        let row = row?;
        let r = row.r;
        let filled: Vec<u32> = row
            .cells
            .iter()
            .enumerate()
            .filter(|(_, c)| !c.is_blank())
            .map(|(c, _)| c as u32)
            .collect();
        if filled.is_empty() || filled.iter().all(|c| row.formulas.contains(c)) {
            continue;
        }
        let first = std::mem::replace(&mut first_filled, false);
        if let Some((at, header_at)) = second {
            if r >= at {
                skip(
                    format!(
                        "a second table under the POA&M (its header in row {})",
                        header_at + 1
                    ),
                    r,
                    diags,
                );
                continue;
            }
        }
        if is_same_header(&row.cells, &header_norm) {
            skip("the header repeated".into(), r, diags);
            continue;
        }
        // The template's guidance rows sit between the header and the first
        // item: once an item is read, only the cheap checks remain.
        let guidance: &[Vec<String>] = if count == 0 { &guidance } else { &[] };
        if is_guidance_row(&row, spec, &cols, guidance) {
            skip(poam_model::diag::TEMPLATE_ROW.into(), r, diags);
            continue;
        }
        if first && describes_columns(&row, &filled, &date_cols, &value_cols, opts.date_order) {
            skip(
                "a row under the header describing the columns".into(),
                r,
                diags,
            );
            continue;
        }
        // A report template's or a form's placeholders (`${table:vuln.name}`,
        // `<enter system name>`, `[Insert date]`) in every filled cell.
        if filled.iter().all(|c| is_placeholder(&row.get(*c).text())) {
            skip(
                "placeholder row (every filled cell is a template placeholder)".into(),
                r,
                diags,
            );
            continue;
        }
        // A section heading across the table ("3.1 ACCESS CONTROL").
        if filled.len() == 1
            && cols.first().is_some_and(|(c, _)| *c == filled[0])
            && is_section_heading(&row.get(filled[0]).text())
        {
            skip("a section heading inside the table".into(), r, diags);
            continue;
        }
        // A note, total, legend or signature line under the table: one or two
        // cells, the first starting with what such lines start with.
        if filled.len() <= 2 {
            if let Some(what) = trailer_line(&row.get(filled[0]).text()) {
                skip(format!("{what} under the table"), r, diags);
                continue;
            }
        }
        let mut item = Item {
            state: match spec.role {
                SheetRole::Closed => State::Closed,
                _ => State::Open,
            },
            category: (spec.role == SheetRole::Configuration).then_some(Category::Configuration),
            origin: Some(Origin {
                file: file_name.clone(),
                sheet: Some(sheet_name.clone()),
                row: Some(r + 1),
            }),
            ..Item::default()
        };
        let mut row_milestone = Milestone::default();
        let mut has_row_milestone = false;
        let mut only_milestones = true;
        let mut wide: std::collections::BTreeMap<u32, Milestone> = Default::default();
        for (i, column) in columns.iter().enumerate() {
            let cell = row.get(column.col);
            if let Some(f) = column.field {
                let seen = &mut fit[i];
                if seen.0 < 50 && !cell.is_blank() {
                    if let Some((ok, what)) = value_fits(f, cell, opts_for(column.col).date_order) {
                        *seen = (seen.0 + 1, seen.1 + usize::from(ok), what);
                    }
                }
            }
            if cell.is_blank() {
                // A formula whose value the file does not hold (saved by a
                // tool that does not compute): said, not read as empty.
                if row.formulas.contains(&column.col) {
                    diags.push(Diagnostic::new(
                        DiagKind::FormulaWithoutValue {
                            header: column.header.clone(),
                        },
                        loc(column.col, r),
                    ));
                }
                continue;
            }
            if let Some((n, is_date)) = column.wide {
                let m = wide.entry(n).or_default();
                if !is_date {
                    m.description = cell.text().into();
                    continue;
                }
                match cell.date(opts.date_order) {
                    Some(d) => m.due = Some(d),
                    None => {
                        let text = cell.text();
                        diags.push(Diagnostic::new(
                            crate::cell::bad_date(&text, &column.header),
                            loc(column.col, r),
                        ));
                        keep_extra(&mut item, &column.header, text);
                    }
                }
                continue;
            }
            match column.field {
                Some(f) if f.kind() == poam_model::FieldKind::MilestonePart => {
                    has_row_milestone = true;
                    fill_milestone_part(
                        &mut item,
                        &mut row_milestone,
                        f,
                        &column.header,
                        cell,
                        &|| loc(column.col, r),
                        opts_for(column.col).date_order,
                        diags,
                    );
                }
                Some(f) => {
                    only_milestones &= is_milestone_field(f);
                    fill(
                        &mut item,
                        f,
                        &column.header,
                        cell,
                        &|| loc(column.col, r),
                        opts_for(column.col),
                        diags,
                    );
                }
                None => {
                    only_milestones = false;
                    keep_extra(&mut item, &column.header, cell.text());
                }
            }
            // A hyperlink's target, when the cell shows something else.
            if let Some(target) = (!links.is_empty())
                .then(|| links.get(&(r, column.col)))
                .flatten()
            {
                let text = cell.text();
                if *target != text && target.strip_prefix("mailto:") != Some(text.as_str()) {
                    keep_extra(
                        &mut item,
                        &format!("{} (link)", column.header),
                        target.clone(),
                    );
                }
            }
        }
        // Cells outside the header's columns still count.
        for c in &filled {
            if !columns.iter().any(|m| m.col == *c) {
                only_milestones = false;
                let header = format!("Column {}", column_letters(*c as u16));
                if *c >= spec.first_col {
                    diags.push(Diagnostic::new(
                        DiagKind::CellOutsideTable {
                            header: header.clone(),
                        },
                        loc(*c, r),
                    ));
                }
                keep_extra(&mut item, &header, row.get(*c).text());
            }
        }
        // Wide milestone columns, in their numbers' order.
        item.milestones.extend(
            wide.into_values()
                .filter(|m| !m.description.is_empty() || m.due.is_some()),
        );
        if has_row_milestone {
            let only_id = Milestone {
                id: row_milestone.id.clone(),
                ..Milestone::default()
            } == row_milestone;
            match item.milestones.last_mut() {
                // Navy 2024: `Milestone ID` beside a milestone written as text.
                Some(last) if only_id && last.id.is_none() => last.id = row_milestone.id,
                _ => item.milestones.push(row_milestone),
            }
        }
        // A lone milestone row: the item's a continuation of the one above.
        if grouping && only_milestones {
            if let Some(prev) = out.list[start..].last_mut() {
                merge_milestones(prev, item);
                rows_read += 1;
                continue;
            }
        }
        // A Closed tab closes its items whatever their status says; with no
        // status column, a completion date does.
        if spec.role == SheetRole::Closed
            || (!has_status_column && item.status.is_none() && item.completed_on.is_some())
        {
            item.state = State::Closed;
        }
        unfold(&mut item, opts);
        if spec.controls_in_text && item.controls.is_empty() && item.unparsed_controls.is_empty() {
            let text = [&item.weakness_name, &item.weakness_description]
                .into_iter()
                .flatten()
                .cloned()
                .collect::<Vec<_>>()
                .join("\n");
            item.controls = poam_model::control::find_in_text(&text).controls;
            // `3.1.1, 3.1.2: text`, as poam and many plans lead the cell
            // with its requirement ids: the ids go to `controls`, the rest
            // is the description (written back, the cell is the same).
            if let Some(d) = &item.weakness_description {
                let lead = format!("{}: ", item.controls.join(", "));
                if !item.controls.is_empty() && d.starts_with(&lead) && d.len() > lead.len() {
                    item.weakness_description = Some(d[lead.len()..].into());
                }
            }
        }
        crate::cell::controls_from_ccis(&mut item, Location::row(file, sheet, r + 1), diags);
        if item.is_empty() {
            skip("nothing in it poamkit could keep".into(), r, diags);
            continue;
        }
        rows_read += 1;
        // Milestone-per-row: more rows of an item already read.
        if spec.row_mode == RowMode::MilestonePerRow {
            if let Some(id) = item.id.clone() {
                if let Some(&at) = by_id.get(&id) {
                    merge_rows(&mut out.list[at], item, diags, file, sheet, r);
                    continue;
                }
                by_id.insert(id, out.list.len());
            }
        }
        item.shrink_to_fit();
        out.list.push(item);
        count += 1;
        // With a sink, items go as soon as no later row can change them:
        // at once, or when the next item starts (continuation rows), or at
        // the end of the sheet (rows of one item anywhere in it).
        if out.streaming() {
            match spec.row_mode {
                RowMode::Item => out.release(out.list.len()),
                RowMode::Continuation => out.release(out.list.len() - 1),
                RowMode::MilestonePerRow => {}
            }
        }
    }
    // One report per column, in the order of `columns` and `fit`.
    for (report, (n, ok, what)) in column_reports.iter_mut().zip(&fit) {
        let said = report
            .evidence
            .as_deref()
            .is_some_and(|e| e.contains("values are"));
        if *n > 0 && !said {
            report.values = Some(format!("{ok} of {n} values are {what}"));
        }
    }
    let report = SheetReport {
        name: sheet.to_string(),
        role: Some(
            match spec.role {
                SheetRole::Open => "open",
                SheetRole::Closed => "closed",
                SheetRole::Configuration => "configuration",
            }
            .to_string(),
        ),
        header_row: Some(header_row + 1),
        columns: column_reports,
        items: count,
        rows_read,
        rows_skipped,
        note: spec.read_as.clone().map(|n| format!("read as '{n}'")),
        read_as: spec.read_as.clone(),
    };
    out.release(out.list.len());
    Ok(report)
}

/// Whether a row is all short labels, none a date or a number, at least one
/// a header name (for the resolver): a header row.
fn is_header_like(row: &[Cell], spec: &SheetSpec<'_>) -> bool {
    let mut labels = 0;
    let mut named = false;
    for cell in row {
        match cell {
            c if c.is_blank() => {}
            Cell::Text(t) => {
                let t = t.trim();
                if t.chars().count() > 40
                    || t.chars()
                        .all(|c| c.is_ascii_digit() || c == '.' || c == '-')
                    || poam_model::date::parse_date_text(t, poam_model::date::DateOrder::MonthFirst)
                        .is_some()
                {
                    return false;
                }
                labels += 1;
                named |= matches!((spec.resolve)(t), Some(Some(_))) || wide_milestone(t).is_some();
            }
            _ => return false,
        }
    }
    labels >= 2 && named
}

/// Where a second table starts under the sheet's table, among the loaded
/// rows: after a blank row, a header row that is not this table's (with
/// the one-cell title right above it, if any). (first row, its header row).
fn second_table(
    grid: &Grid,
    header_row: u32,
    spec: &SheetSpec<'_>,
    header: &[(u32, String)],
) -> Option<(u32, u32)> {
    let filled = |r: usize| {
        grid.rows
            .get(r)
            .map_or(0, |row| row.iter().filter(|c| !c.is_blank()).count())
    };
    let mut seen_data = false;
    let mut gap = false;
    for r in header_row as usize + 1..grid.rows.len() {
        let n = filled(r);
        if n == 0 {
            gap |= seen_data;
            continue;
        }
        // A total, a note, a signature line: neither data nor a header.
        let first = grid.rows[r].iter().find(|c| !c.is_blank()).map(Cell::text);
        if first.is_some_and(|t| trailer_line(&t).is_some()) {
            continue;
        }
        if gap && is_header_like(&grid.rows[r], spec) && !is_same_header(&grid.rows[r], header) {
            let title = r > 0 && filled(r - 1) == 1 && (r < 2 || filled(r - 2) == 0);
            let start = if title { r - 1 } else { r };
            return Some((start as u32, r as u32));
        }
        // A one-cell title after the gap may head the next table.
        if gap && n == 1 && filled(r - 1) == 0 {
            continue;
        }
        seen_data = true;
        gap = false;
    }
    None
}

/// Whether a row repeats the header (a table printed in pages, or pasted
/// twice): most header cells are there again, in their columns.
fn is_same_header(cells: &[Cell], header: &[(u32, String)]) -> bool {
    if header.len() < 2 {
        return false;
    }
    // Checked on every row: a cell is normalized only when its first letter
    // is the header's, and the check stops once too many cells differ.
    let allowed = header.len() / 5;
    let mut misses = 0;
    for (c, h) in header {
        let same = match cells.get(*c as usize) {
            Some(Cell::Text(t)) => {
                let first = t
                    .trim_start()
                    .chars()
                    .next()
                    .map(|c| c.to_lowercase().next());
                first == Some(h.chars().next()) && normalize_header(t) == *h
            }
            _ => false,
        };
        if !same {
            misses += 1;
            if misses > allowed {
                return false;
            }
        }
    }
    true
}

/// A row right under the header that says what each column holds ("Date
/// the weakness will be corrected"): three or more cells, all text, most of
/// them phrases of four or more words, no date in a date column.
fn describes_columns(
    row: &Row,
    filled: &[u32],
    date_cols: &[u32],
    value_cols: &[(u32, Field)],
    order: poam_model::date::DateOrder,
) -> bool {
    if filled.len() < 3 || filled.iter().any(|c| !matches!(row.get(*c), Cell::Text(_))) {
        return false;
    }
    if date_cols.iter().any(|c| row.get(*c).date(order).is_some()) {
        return false;
    }
    // An item's id is a word or two; its controls and status parse.
    for (c, f) in value_cols {
        let text = row.get(*c).text();
        if text.is_empty() {
            continue;
        }
        let is_value = match f {
            Field::Id => text.split_whitespace().count() < 3,
            Field::Controls => !poam_model::control::parse_controls(&text)
                .controls
                .is_empty(),
            _ => poam_model::Status::parse(&text).is_some(),
        };
        if is_value {
            return false;
        }
    }
    let phrases = filled
        .iter()
        .filter(|c| row.get(**c).text().split_whitespace().count() >= 4)
        .count();
    phrases * 3 >= filled.len() * 2
}

/// Copies each cell merged down over rows under the header into the rows
/// below it that hold an item's own cells (`item_cols`, other than the
/// merged one): a row holding only the merge is the merged cell's height,
/// and one holding only milestones continues the item above.
fn spread_merges_down(grid: &mut Grid, header_row: u32, item_cols: &[u32]) {
    for &((r0, c0), (r1, _)) in &grid.merges {
        if r0 <= header_row || r1 <= r0 {
            continue;
        }
        let value = grid.get(r0, c0).clone();
        if value.is_blank() {
            continue;
        }
        for r in r0 + 1..=r1 {
            let Some(row) = grid.rows.get_mut(r as usize) else {
                break;
            };
            let c = c0 as usize;
            let others = item_cols
                .iter()
                .any(|&i| i != c0 && row.get(i as usize).is_some_and(|cell| !cell.is_blank()));
            if others && row.get(c).is_none_or(Cell::is_blank) {
                if row.len() <= c {
                    row.resize(c + 1, Cell::Empty);
                }
                row[c] = value.clone();
            }
        }
    }
}

/// Appends a continuation row's milestones (and changes) to the item above.
fn merge_milestones(prev: &mut Item, row: Item) {
    prev.milestones.extend(row.milestones);
    if let Some(changes) = row.milestone_changes {
        match &mut prev.milestone_changes {
            Some(old) => {
                old.push('\n');
                old.push_str(&changes);
            }
            None => prev.milestone_changes = Some(changes),
        }
    }
    for (k, v) in row.extra {
        crate::cell::keep_extra(prev, &k, v.to_string());
    }
}

/// Merges a further row of the same POA&M ID into the item: its milestone
/// is added; its other cells fill what the item lacks, and a cell that
/// disagrees is reported and kept in `extra`.
fn merge_rows(
    into: &mut Item,
    row: Item,
    diags: &mut Vec<Diagnostic>,
    file: &str,
    sheet: &str,
    r: u32,
) {
    into.milestones.extend(row.milestones.iter().cloned());
    let mut conflicts = Vec::new();
    for f in Field::ALL {
        if matches!(f, Field::Milestones) || f.kind() == poam_model::FieldKind::MilestonePart {
            continue;
        }
        let theirs = row.get(*f);
        if theirs == poam_model::field::Value::Empty {
            continue;
        }
        let mine = into.get(*f);
        if mine == poam_model::field::Value::Empty {
            copy_field(into, &row, *f);
        } else if mine != theirs {
            conflicts.push(f.name());
            let text = poam_layout::flat::value_text(&theirs);
            crate::cell::keep_extra(into, &format!("{} (row {})", f.label(), r + 1), text);
        }
    }
    for (k, v) in row.extra {
        crate::cell::keep_extra(into, &k, v.to_string());
    }
    if !conflicts.is_empty() {
        diags.push(Diagnostic::new(
            DiagKind::ConflictingRow {
                item: into.id.clone().unwrap_or_else(|| "?".into()).to_string(),
                fields: conflicts.iter().map(|f| f.to_string()).collect(),
            },
            Location::row(file, sheet, r + 1),
        ));
    }
}

/// Copies one field from `from` to `to`.
fn copy_field(to: &mut Item, from: &Item, f: Field) {
    use poam_model::FieldKind;
    match f.kind() {
        FieldKind::Text => {
            if let poam_model::field::Value::Text(t) = from.get(f) {
                to.set_text(f, t);
            }
        }
        FieldKind::Date => {
            if let poam_model::field::Value::Date(d) = from.get(f) {
                to.set_date(f, d);
            }
        }
        FieldKind::Rating => {
            if let poam_model::field::Value::Rating(v) = from.get(f) {
                to.set_rating(f, v);
            }
        }
        FieldKind::YesNo => {
            if let poam_model::field::Value::YesNo(v) = from.get(f) {
                to.set_yes_no(f, v);
            }
        }
        FieldKind::Lines | FieldKind::Cves | FieldKind::Ccis => {
            if let poam_model::field::Value::List(v) = from.get(f) {
                to.set_list(f, v);
            }
        }
        FieldKind::Controls => {
            to.controls = from.controls.clone();
            to.control_parts = from.control_parts.clone();
            to.unparsed_controls = from.unparsed_controls.clone();
            for c in &from.ccis {
                if !to.ccis.contains(c) {
                    to.ccis.push(c.clone());
                }
            }
        }
        FieldKind::Status => {
            to.status = from.status;
            to.state = from.state;
        }
        FieldKind::RawSeverity => to.emass.raw_severity = from.emass.raw_severity,
        FieldKind::Keyed => {
            for (k, v) in &from.emass.costs {
                to.emass.costs.entry(k.clone()).or_insert_with(|| v.clone());
            }
        }
        FieldKind::Milestones | FieldKind::MilestonePart => {}
    }
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
    item.remediation_plan = p.map(Into::into);
    if let Some(m) = m {
        item.milestones = parse_milestones(&m, opts.date_order).milestones;
    }
    item.milestone_changes = c.map(Into::into);
}
