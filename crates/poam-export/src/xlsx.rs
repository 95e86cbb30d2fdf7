//! Workbooks in a template layout (FedRAMP), written with rust_xlsxwriter.

use crate::{ExportError, Written};
use chrono::Datelike;
use poam_layout::text::{fold_into_plan, format_milestones};
use poam_layout::{column_index, parse_cell_ref, Layout, SheetDef, SheetRole};
use poam_model::field::Value;
use poam_model::{Category, DiagKind, Diagnostic, Field, Item, Location, Poam, State};
use rust_xlsxwriter::{
    Color, DataValidation, DataValidationRule, ExcelDateTime, Format, FormatAlign, FormatBorder,
    Workbook, Worksheet,
};
use std::collections::BTreeMap;

/// Workbook options.
#[derive(Debug, Clone, Default)]
pub struct XlsxOptions {
    /// Add the `extra` columns after the template's last column.
    pub keep_extra: bool,
}

/// Excel's limit on the characters of one cell.
const MAX_CELL: usize = 32_767;

struct Formats {
    title: Format,
    label: Format,
    header: Format,
    guidance: Format,
    text: Format,
    date: Format,
}

fn formats() -> Formats {
    let header_fill = Color::RGB(0xCCECFC);
    Formats {
        title: Format::new().set_bold().set_font_size(14),
        label: Format::new()
            .set_bold()
            .set_background_color(header_fill)
            .set_border(FormatBorder::Thin),
        header: Format::new()
            .set_bold()
            .set_text_wrap()
            .set_align(FormatAlign::Top)
            .set_background_color(header_fill)
            .set_border(FormatBorder::Thin),
        guidance: Format::new()
            .set_text_wrap()
            .set_align(FormatAlign::Top)
            .set_background_color(Color::RGB(0xF2F2F2))
            .set_border(FormatBorder::Thin),
        text: Format::new().set_text_wrap().set_align(FormatAlign::Top),
        date: Format::new()
            .set_num_format("mm/dd/yyyy")
            .set_align(FormatAlign::Top),
    }
}

/// Which sheet of the layout an item goes to.
fn target_sheet(layout: &Layout, item: &Item) -> Option<usize> {
    let role = match (item.state, item.category) {
        (State::Open, Some(Category::Configuration))
            if layout.sheet_by_role(SheetRole::Configuration).is_some() =>
        {
            SheetRole::Configuration
        }
        (State::Open, _) => SheetRole::Open,
        (State::Closed, _) => SheetRole::Closed,
    };
    layout.sheets.iter().position(|s| s.role == role)
}

/// Counts, per field or header, how many items lost or moved something.
#[derive(Default)]
struct Tally {
    dropped: BTreeMap<String, usize>,
    moved: BTreeMap<String, usize>,
}

fn excel_date(d: chrono::NaiveDate) -> Result<ExcelDateTime, ExportError> {
    Ok(ExcelDateTime::from_ymd(
        d.year() as u16,
        d.month() as u8,
        d.day() as u8,
    )?)
}

fn write_text(
    ws: &mut Worksheet,
    row: u32,
    col: u16,
    text: &str,
    fmt: &Format,
    tally: &mut Tally,
    header: &str,
) -> Result<(), ExportError> {
    if text.chars().count() > MAX_CELL {
        let cut: String = text.chars().take(MAX_CELL).collect();
        *tally
            .dropped
            .entry(format!(
                "text past Excel's 32,767-character cell limit in '{header}'"
            ))
            .or_default() += 1;
        ws.write_string_with_format(row, col, &cut, fmt)?;
    } else {
        ws.write_string_with_format(row, col, text, fmt)?;
    }
    Ok(())
}

/// Writes the model as a workbook in `layout`.
///
/// Open items go to the layout's open sheet, closed items to its closed
/// sheet, open configuration findings to its configuration sheet when it has
/// one. Fields the layout has no column for are reported in the returned
/// diagnostics (milestones move into the remediation plan when the layout has
/// no milestone column); `extra` cells whose header is a template column fill
/// that column when the field is empty.
///
/// # Errors
///
/// [`ExportError::Xlsx`] when rust_xlsxwriter rejects the workbook.
pub fn write_xlsx(
    poam: &Poam,
    layout: &Layout,
    opts: &XlsxOptions,
) -> Result<Written, ExportError> {
    let f = formats();
    let mut workbook = Workbook::new();
    let mut tally = Tally::default();
    let mut per_sheet: Vec<Vec<&Item>> = vec![Vec::new(); layout.sheets.len()];
    for item in &poam.items {
        if let Some(s) = target_sheet(layout, item) {
            per_sheet[s].push(item);
        }
    }
    // Extra headers that become columns with --keep-extra, in first-seen order.
    for (s, def) in layout.sheets.iter().enumerate() {
        let ws = workbook.add_worksheet();
        ws.set_name(&def.name)?;
        write_sheet(ws, poam, layout, def, &per_sheet[s], opts, &f, &mut tally)?;
    }
    let bytes = workbook.save_to_buffer()?;
    let mut diagnostics = Vec::new();
    let target = layout.name.clone();
    for (what, n) in tally.moved {
        diagnostics.push(Diagnostic::info(
            DiagKind::MovedField,
            Location::default(),
            format!("{n} item{}: {what}", if n == 1 { "" } else { "s" }),
        ));
    }
    for (what, n) in tally.dropped {
        diagnostics.push(Diagnostic::warning(
            DiagKind::DroppedField,
            Location::default(),
            format!(
                "{n} item{}: {what} has no place in {target}{}",
                if n == 1 { "" } else { "s" },
                if what.starts_with("extra column") {
                    "; --keep-extra adds it after the last column"
                } else {
                    ""
                }
            ),
        ));
    }
    Ok(Written { bytes, diagnostics })
}

#[allow(clippy::too_many_arguments)]
fn write_sheet(
    ws: &mut Worksheet,
    poam: &Poam,
    layout: &Layout,
    def: &SheetDef,
    items: &[&Item],
    opts: &XlsxOptions,
    f: &Formats,
    tally: &mut Tally,
) -> Result<(), ExportError> {
    let c0 = column_index(&def.first_column).unwrap_or(0);
    let header_row = def.header_row - 1;
    // Title.
    if let Some(title) = &def.title {
        match title.merge.as_deref().and_then(|m| m.split_once(':')) {
            Some((a, b)) => {
                let (ac, ar) = parse_cell_ref(a).unwrap_or((0, 0));
                let (bc, br) = parse_cell_ref(b).unwrap_or((5, 0));
                ws.merge_range(ar, ac, br, bc, &title.text, &f.title)?;
            }
            None => {
                ws.write_string_with_format(0, 0, &title.text, &f.title)?;
            }
        }
    }
    // System metadata.
    if let Some(meta) = &def.metadata {
        let m0 = column_index(&meta.first_column).unwrap_or(0);
        if let Some(g) = meta.guidance_row {
            if let Some(label) = &meta.guidance_label {
                ws.write_string_with_format(g - 1, 0, label, &f.label)?;
            }
            for (i, text) in meta.guidance.iter().enumerate() {
                ws.write_string_with_format(g - 1, m0 + i as u16, text, &f.guidance)?;
            }
        }
        for (i, (label, field)) in meta.labels.iter().zip(&meta.fields).enumerate() {
            let col = m0 + i as u16;
            ws.write_string_with_format(meta.label_row - 1, col, label, &f.label)?;
            let vrow = meta.value_row - 1;
            let sys = &poam.system;
            match field.as_str() {
                "organization" => opt_text(ws, vrow, col, &sys.organization, f)?,
                "name" => opt_text(ws, vrow, col, &sys.name, f)?,
                "impact_level" => {
                    opt_text(ws, vrow, col, &sys.impact_level, f)?;
                    if !meta.impact_list.is_empty() {
                        let dv = DataValidation::new().allow_list_strings(&meta.impact_list)?;
                        ws.add_data_validation(vrow, col, vrow, col, &dv)?;
                    }
                }
                "poam_date" => {
                    if let Some(d) = sys.poam_date {
                        ws.write_datetime_with_format(vrow, col, excel_date(d)?, &f.date)?;
                    }
                }
                _ => {}
            }
        }
    }
    // Header row.
    let mut widths = Vec::new();
    for (i, header) in def.headers.iter().enumerate() {
        let col = c0 + i as u16;
        ws.write_string_with_format(header_row, col, header, &f.header)?;
        let width = layout.column(header).map_or(20.0, |c| c.width);
        ws.set_column_width(col, width)?;
        widths.push(width);
    }
    // Guidance and example rows.
    for fixed in &def.fixed_rows {
        let r = fixed.row - 1;
        if let (Some(label), true) = (&fixed.label, c0 > 0) {
            ws.write_string_with_format(r, c0 - 1, label, &f.label)?;
        }
        for (i, header) in def.headers.iter().enumerate() {
            if let Some(text) = fixed.cells.get(header) {
                ws.write_string_with_format(r, c0 + i as u16, text, &f.guidance)?;
            }
        }
    }
    // Which fields the sheet holds.
    let fields: Vec<Option<Field>> = def
        .headers
        .iter()
        .map(|h| layout.field_for_header(h).flatten())
        .collect();
    let holds = |fd: Field| fields.contains(&Some(fd));
    // Extra columns (with --keep-extra): headers not already template columns.
    let mut extra_headers: Vec<String> = Vec::new();
    if opts.keep_extra {
        for item in items {
            for key in item.extra.keys() {
                if !def.headers.contains(key) && !extra_headers.contains(key) {
                    extra_headers.push(key.clone());
                }
            }
        }
        for (i, h) in extra_headers.iter().enumerate() {
            let col = c0 + (def.headers.len() + i) as u16;
            ws.write_string_with_format(header_row, col, h, &f.header)?;
            ws.set_column_width(col, 20)?;
        }
    }
    // Data.
    let first = def.first_data_row - 1;
    for (n, item) in items.iter().enumerate() {
        let r = first + n as u32;
        let fold = !holds(Field::Milestones) && holds(Field::RemediationPlan);
        for (i, header) in def.headers.iter().enumerate() {
            let col = c0 + i as u16;
            let Some(field) = fields[i] else {
                if let Some(raw) = item.extra.get(header) {
                    write_text(ws, r, col, raw, &f.text, tally, header)?;
                }
                continue;
            };
            let value = if field == Field::RiskOriginal
                && item.risk.original.is_none()
                && item.emass.raw_severity.is_some()
            {
                // eMASS items carry a DISA category, not a FedRAMP rating.
                let cat = item
                    .emass
                    .raw_severity
                    .unwrap_or(poam_model::RawSeverity::CatII);
                *tally
                    .moved
                    .entry(format!(
                        "'Raw Severity' CAT {} converted to Original Risk Rating {}",
                        cat.label(),
                        cat.to_rating().label()
                    ))
                    .or_default() += 1;
                Value::Rating(cat.to_rating())
            } else if field == Field::RemediationPlan && fold {
                let plan = fold_into_plan(
                    item.remediation_plan.as_deref(),
                    &item.milestones,
                    item.milestone_changes.as_deref(),
                );
                if !item.milestones.is_empty() {
                    *tally
                        .moved
                        .entry(format!("'Planned Milestones' moved into the remediation plan (no such column in {})", layout.name))
                        .or_default() += 1;
                }
                if item.milestone_changes.is_some() {
                    *tally
                        .moved
                        .entry(format!("'Milestone Changes' moved into the remediation plan (no such column in {})", layout.name))
                        .or_default() += 1;
                }
                plan.map_or(Value::Empty, Value::Text)
            } else {
                item.get(field)
            };
            match value {
                Value::Empty => {
                    // A value kept raw on import (a bad date, N/A) goes back where it was.
                    if let Some(raw) = item.extra.get(header) {
                        write_text(ws, r, col, raw, &f.text, tally, header)?;
                    }
                }
                Value::Date(d) => {
                    ws.write_datetime_with_format(r, col, excel_date(d)?, &f.date)?;
                }
                Value::Text(t) if field == Field::SourceIdentifier && is_plain_integer(&t) => {
                    ws.write_number_with_format(r, col, t.parse::<f64>().unwrap_or(0.0), &f.text)?;
                }
                Value::List(list) => {
                    let sep = match field {
                        Field::Controls | Field::Cves => ", ",
                        _ => "\n",
                    };
                    write_text(ws, r, col, &list.join(sep), &f.text, tally, header)?;
                }
                Value::Milestones(m) => {
                    write_text(ws, r, col, &format_milestones(&m), &f.text, tally, header)?
                }
                other => write_text(
                    ws,
                    r,
                    col,
                    &poam_layout::flat::value_text(&other),
                    &f.text,
                    tally,
                    header,
                )?,
            }
        }
        // Fields the sheet cannot hold.
        for field in Field::ALL {
            if holds(*field) || item.is_blank(*field) {
                continue;
            }
            if matches!(field, Field::Milestones | Field::MilestoneChanges) && fold {
                continue;
            }
            *tally
                .dropped
                .entry(format!("'{}' ({})", field.label(), field.name()))
                .or_default() += 1;
        }
        for (key, raw) in &item.extra {
            if def.headers.contains(key) {
                continue;
            }
            match extra_headers.iter().position(|h| h == key) {
                Some(i) => {
                    let col = c0 + (def.headers.len() + i) as u16;
                    write_text(ws, r, col, raw, &f.text, tally, key)?;
                }
                None => {
                    *tally
                        .dropped
                        .entry(format!("extra column '{key}'"))
                        .or_default() += 1
                }
            }
        }
    }
    // Drop-down lists and date checks, as in the official file.
    let last = def.validation_last_row.max(first + items.len() as u32) - 1;
    for (i, header) in def.headers.iter().enumerate() {
        let col = c0 + i as u16;
        let Some(column) = layout.column(header) else {
            continue;
        };
        if !column.list.is_empty() {
            let dv = DataValidation::new()
                .allow_list_strings(&column.list)?
                .set_input_message(column.list.join(", "))?;
            ws.add_data_validation(first, col, last, col, &dv)?;
        } else if column.date_validation {
            let dv = DataValidation::new()
                .allow_date(DataValidationRule::GreaterThan(ExcelDateTime::from_ymd(
                    1980, 1, 1,
                )?))
                .set_input_message("Date")?;
            ws.add_data_validation(first, col, last, col, &dv)?;
        }
    }
    if let Some((fc, fr)) = def.freeze.as_deref().and_then(parse_cell_ref) {
        ws.set_freeze_panes(fr, fc)?;
    }
    Ok(())
}

fn is_plain_integer(t: &str) -> bool {
    !t.is_empty()
        && t.len() < 15
        && t.chars().all(|c| c.is_ascii_digit())
        && !(t.len() > 1 && t.starts_with('0'))
}

fn opt_text(
    ws: &mut Worksheet,
    row: u32,
    col: u16,
    value: &Option<String>,
    f: &Formats,
) -> Result<(), ExportError> {
    if let Some(v) = value {
        ws.write_string_with_format(row, col, v, &f.text)?;
    }
    Ok(())
}
