//! FedRAMP's Vulnerability Deviation Request form, filled: one row per
//! request (`poam_ops::deviation`), in the form's sheet, rows and columns
//! (`poam_layout::form`), with its drop-down lists on the form's data
//! dictionary sheet and as validations of its columns. What the POA&M
//! holds fills the vulnerability information and the request summary; the
//! CVSS environmental metrics, attachments and the PMO's columns are left
//! for people.

use crate::ExportError;
use chrono::NaiveDate;
use poam_layout::column_index;
use poam_layout::form::Form;
use poam_model::{Item, Poam, Rating};
use poam_ops::deviation::{DrType, Request};
use rust_xlsxwriter::{
    Color, DataValidation, Format, FormatAlign, FormatBorder, Workbook, Worksheet,
};

/// A value of a cell: text or a day.
enum Value {
    Text(String),
    Day(NaiveDate),
}

/// The form's three ratings (it has no Critical or Very High).
fn form_rating(r: Rating) -> &'static str {
    match r {
        Rating::Critical | Rating::VeryHigh | Rating::High => "High",
        Rating::Moderate => "Moderate",
        Rating::Low | Rating::VeryLow => "Low",
    }
}

fn joined<T: AsRef<str>>(list: &[T], sep: &str) -> Option<String> {
    let parts: Vec<&str> = list
        .iter()
        .map(AsRef::as_ref)
        .filter(|t| !t.trim().is_empty())
        .collect();
    (!parts.is_empty()).then(|| parts.join(sep))
}

/// The CVSS base score an item carries in a column of its own, if any.
fn cvss_of(item: &Item) -> Option<String> {
    item.extra.iter().find_map(|(k, v)| {
        let k = k.to_ascii_lowercase();
        (k.contains("cvss") && !k.contains("vector") && !v.trim().is_empty()).then(|| v.to_string())
    })
}

/// What fills a column of a request.
fn value_of(key: &str, n: usize, item: &Item, kind: DrType, day: NaiveDate) -> Option<Value> {
    let text = |t: Option<&str>| {
        t.map(str::trim)
            .filter(|t| !t.is_empty())
            .map(|t| Value::Text(t.to_string()))
    };
    match key {
        "number" => Some(Value::Text((n + 1).to_string())),
        "id" => text(item.id.as_deref()),
        "source_identifier" => text(item.source_identifier.as_deref()),
        "cves" => joined(&item.cves, ", ").map(Value::Text),
        "assets" => joined(&item.assets, "\n").map(Value::Text),
        "weakness_name" => text(item.weakness_name.as_deref()),
        "detector_source" => text(item.detector_source.as_deref()),
        "original_rating" => item
            .risk
            .original
            .map(|r| Value::Text(form_rating(r).into())),
        "cvss" => cvss_of(item).map(Value::Text),
        "detected_on" => item.detected_on.map(Value::Day),
        "weakness_description" => text(item.weakness_description.as_deref()),
        "remediation_plan" => text(item.remediation_plan.as_deref()),
        "type" => Some(Value::Text(kind.code().into())),
        "requested_rating" => match kind {
            // A false positive asks that the finding be withdrawn, not rated.
            DrType::FalsePositive => None,
            _ => item
                .risk
                .adjusted
                .or(item.risk.original)
                .map(|r| Value::Text(form_rating(r).into())),
        },
        "submission_date" => Some(Value::Day(day)),
        "rationale" => text(item.risk.deviation_rationale.as_deref()),
        "evidence" if kind == DrType::FalsePositive => text(item.supporting_documents.as_deref()),
        "operational_impact"
            if matches!(
                kind,
                DrType::OperationalRequirement | DrType::OperationalRequirementAndRiskAdjustment
            ) =>
        {
            text(item.risk.deviation_rationale.as_deref())
        }
        "comments" => text(item.comments.as_deref()),
        "status" => Some(Value::Text("Pending".into())),
        _ => None,
    }
}

fn write_value(
    ws: &mut Worksheet,
    row: u32,
    col: u16,
    v: &Value,
    text: &Format,
    date: &Format,
) -> Result<(), ExportError> {
    match v {
        Value::Text(t) => ws.write_string_with_format(row, col, t, text)?,
        Value::Day(d) => {
            ws.write_datetime_with_format(row, col, crate::xlsx::excel_date(*d)?, date)?
        }
    };
    Ok(())
}

/// The form filled with `requests` of `poam`, submitted on `day`.
///
/// # Errors
///
/// [`ExportError`] when the workbook cannot be built.
pub fn write_deviation_form(
    form: &Form,
    poam: &Poam,
    requests: &[Request],
    day: NaiveDate,
) -> Result<Vec<u8>, ExportError> {
    let mut wb = Workbook::new();
    let title = Format::new().set_bold().set_font_size(14);
    let label = Format::new()
        .set_bold()
        .set_background_color(Color::RGB(0xD9E1F2))
        .set_border(FormatBorder::Thin)
        .set_text_wrap()
        .set_align(FormatAlign::Top);
    let group = label
        .clone()
        .set_background_color(Color::RGB(0x1F3864))
        .set_font_color(Color::White)
        .set_align(FormatAlign::Center);
    let guidance = Format::new()
        .set_italic()
        .set_font_color(Color::RGB(0x595959))
        .set_text_wrap()
        .set_border(FormatBorder::Thin)
        .set_align(FormatAlign::Top);
    let text = Format::new()
        .set_text_wrap()
        .set_border(FormatBorder::Thin)
        .set_align(FormatAlign::Top);
    let date = text.clone().set_num_format("yyyy-mm-dd");
    let last_row = form.first_row - 1 + requests.len().max(1) as u32 + 200;
    {
        let ws = wb.add_worksheet();
        ws.set_name(&form.sheet)?;
        ws.merge_range(0, 0, 0, 4, &form.title, &title)?;
        for cell in &form.system {
            let Some((col, row)) = poam_layout::parse_cell_ref(&cell.cell) else {
                continue;
            };
            ws.write_string_with_format(row, col, &cell.label, &label)?;
            let s = &poam.system;
            let v = match cell.value.as_str() {
                "organization" => s.organization.clone().map(Value::Text),
                "system_name" => s.name.clone().map(Value::Text),
                "impact_level" => s.impact_level.clone().map(Value::Text),
                "submission_date" => Some(Value::Day(day)),
                _ => None,
            };
            match v {
                Some(v) => write_value(ws, row + 1, col, &v, &text, &date)?,
                None => {
                    ws.write_blank(row + 1, col, &text)?;
                }
            }
        }
        ws.merge_range(4, 0, 4, 4, "CSP Primary POC ", &label)?;
        for (col, word) in ["Name", "Title", "Phone", "Email"].iter().enumerate() {
            ws.write_string_with_format(5, col as u16, *word, &label)?;
            ws.write_blank(6, col as u16, &text)?;
        }
        for g in &form.group {
            let (Some(a), Some(b)) = (column_index(&g.from), column_index(&g.to)) else {
                continue;
            };
            let r = form.group_row - 1;
            if a == b {
                // One column under its own label: the label stands over
                // the group and header rows, as the form has it.
                ws.merge_range(r, a, form.header_row - 1, a, &g.label, &group)?;
            } else {
                ws.merge_range(r, a, r, b, &g.label, &group)?;
            }
        }
        let header = form.header_row - 1;
        let hint = form.guidance_row - 1;
        ws.set_row_height(header, 45)?;
        for c in &form.column {
            let Some(col) = column_index(&c.letter) else {
                continue;
            };
            let under_own_label = form
                .group
                .iter()
                .any(|g| g.from == c.letter && g.to == c.letter);
            if !under_own_label {
                ws.write_string_with_format(header, col, &c.header, &label)?;
            }
            let note = match (c.list.is_some(), c.value.as_deref()) {
                (true, _) => "Choose from the list",
                (false, Some("detected_on" | "submission_date")) => "Date",
                _ => "Text",
            };
            ws.write_string_with_format(hint, col, note, &guidance)?;
            ws.set_column_width(col, if c.value.is_some() { 24 } else { 18 })?;
            if let Some(list) = c.list.as_ref().and_then(|l| form.lists.get(l)) {
                let dv = DataValidation::new().allow_list_strings(list)?;
                ws.add_data_validation(form.first_row - 1, col, last_row, col, &dv)?;
            }
        }
        for (n, req) in requests.iter().enumerate() {
            let item = &poam.items[req.item];
            let row = form.first_row - 1 + n as u32;
            for c in &form.column {
                let Some(col) = column_index(&c.letter) else {
                    continue;
                };
                match c
                    .value
                    .as_deref()
                    .and_then(|k| value_of(k, n, item, req.kind, day))
                {
                    Some(v) => write_value(ws, row, col, &v, &text, &date)?,
                    None => {
                        ws.write_blank(row, col, &text)?;
                    }
                }
            }
        }
        ws.set_freeze_panes(form.first_row - 1, 2)?;
        ws.set_landscape();
        ws.set_repeat_rows(form.group_row - 1, form.header_row - 1)?;
    }
    {
        // The form's data dictionary: each listed column's header and its
        // values, as FedRAMP's own sheet has them.
        let ws = wb.add_worksheet();
        ws.set_name(&form.dictionary_sheet)?;
        for c in &form.column {
            let Some(col) = column_index(&c.letter) else {
                continue;
            };
            ws.write_string_with_format(0, col, &c.header, &label)?;
            if let Some(list) = c.list.as_ref().and_then(|l| form.lists.get(l)) {
                for (k, v) in list.iter().enumerate() {
                    ws.write_string(2 + k as u32, col, v)?;
                }
            }
        }
    }
    Ok(wb.save_to_buffer()?)
}
