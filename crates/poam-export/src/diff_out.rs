//! The month-to-month diff as a workbook: a summary sheet, one sheet per
//! category of item, and a sheet of changed fields.

use crate::ExportError;
use poam_ops::diff::{Diff, ItemRef};
use rust_xlsxwriter::{ExcelDateTime, Format, FormatBorder, Workbook, Worksheet};

pub(crate) fn header(
    ws: &mut Worksheet,
    cells: &[&str],
    widths: &[f64],
) -> Result<(), ExportError> {
    header_at(ws, 0, cells, widths)?;
    ws.set_freeze_panes(1, 0)?;
    // Printed one page wide, landscape, the header row on every page.
    ws.set_repeat_rows(0, 0)?;
    Ok(())
}

pub(crate) fn header_at(
    ws: &mut Worksheet,
    row: u32,
    cells: &[&str],
    widths: &[f64],
) -> Result<(), ExportError> {
    let bold = Format::new()
        .set_bold()
        .set_background_color("#CCECFC")
        .set_border(FormatBorder::Thin);
    for (c, (text, w)) in cells.iter().zip(widths).enumerate() {
        ws.write_string_with_format(row, c as u16, *text, &bold)?;
        ws.set_column_width(c as u16, *w)?;
    }
    ws.set_landscape();
    ws.set_print_fit_to_pages(1, 0);
    Ok(())
}

/// A value of the Changes sheet: a date as a real date, else text.
fn value(
    ws: &mut Worksheet,
    r: u32,
    c: u16,
    text: &str,
    wrap: &Format,
    date: &Format,
) -> Result<(), ExportError> {
    let as_date = chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .ok()
        .filter(|d| (1900..=9999).contains(&chrono::Datelike::year(d)));
    match as_date {
        Some(d) => {
            let day = ExcelDateTime::from_ymd(
                chrono::Datelike::year(&d) as u16,
                chrono::Datelike::month(&d) as u8,
                chrono::Datelike::day(&d) as u8,
            )?;
            ws.write_datetime_with_format(r, c, &day, date)?;
        }
        None => {
            ws.write_string_with_format(r, c, text, wrap)?;
        }
    }
    Ok(())
}

/// One sheet of items in one category; none when the category is empty
/// (the Summary still counts it).
fn refs(wb: &mut Workbook, name: &str, list: &[ItemRef]) -> Result<(), ExportError> {
    if list.is_empty() {
        return Ok(());
    }
    let ws = wb.add_worksheet();
    ws.set_name(name)?;
    header(
        ws,
        &["POA&M ID", "Weakness", "In OLD", "In NEW"],
        &[18.0, 60.0, 30.0, 30.0],
    )?;
    for (r, item) in list.iter().enumerate() {
        let r = r as u32 + 1;
        ws.write_string(r, 0, &item.id)?;
        ws.write_string(r, 1, item.weakness.as_deref().unwrap_or(""))?;
        ws.write_string(r, 2, item.old_location.as_deref().unwrap_or(""))?;
        ws.write_string(r, 3, item.new_location.as_deref().unwrap_or(""))?;
    }
    Ok(())
}

/// The diff as an .xlsx workbook, in memory. Every value is written as text,
/// so nothing a user typed becomes a formula.
///
/// # Errors
///
/// [`ExportError`] when the workbook cannot be built.
pub fn write_diff_xlsx(
    diff: &Diff,
    old_name: &str,
    new_name: &str,
) -> Result<Vec<u8>, ExportError> {
    let mut wb = Workbook::new();
    {
        let ws = wb.add_worksheet();
        ws.set_name("Summary")?;
        // A title block: what was compared.
        let title = Format::new().set_bold().set_font_size(14);
        ws.write_string_with_format(0, 0, "POA&M changes", &title)?;
        ws.write_string(1, 0, format!("OLD: {old_name}"))?;
        ws.write_string(2, 0, format!("NEW: {new_name}"))?;
        header_at(ws, 4, &["", "Count"], &[48.0, 10.0])?;
        for (r, (label, n)) in diff.counts.rows().iter().enumerate() {
            ws.write_string(r as u32 + 5, 0, *label)?;
            ws.write_number(r as u32 + 5, 1, *n as f64)?;
        }
        let below = diff.counts.rows().len() as u32 + 6;
        for (k, dup) in diff.duplicate_ids.iter().enumerate() {
            ws.write_string(
                below + k as u32,
                0,
                format!("ID held by more than one item (paired by content, else position): {dup}"),
            )?;
        }
    }
    refs(&mut wb, "New", &diff.added)?;
    refs(&mut wb, "Closed", &diff.closed)?;
    refs(&mut wb, "Reopened", &diff.reopened)?;
    refs(&mut wb, "Disappeared", &diff.disappeared)?;
    if !diff.renumbered.is_empty() {
        let ws = wb.add_worksheet();
        ws.set_name("Renumbered")?;
        header(
            ws,
            &["Old ID", "New ID", "Weakness", "Matched by"],
            &[18.0, 18.0, 40.0, 40.0],
        )?;
        for (r, item) in diff.renumbered.iter().enumerate() {
            let r = r as u32 + 1;
            ws.write_string(r, 0, &item.old_id)?;
            ws.write_string(r, 1, &item.new_id)?;
            ws.write_string(r, 2, item.weakness.as_deref().unwrap_or(""))?;
            ws.write_string(r, 3, &item.by)?;
        }
    }
    if diff.changed.is_empty() {
        return Ok(wb.save_to_buffer()?);
    }
    let ws = wb.add_worksheet();
    ws.set_name("Changes")?;
    header(
        ws,
        &[
            "POA&M ID",
            "Weakness",
            "Field",
            "Old value",
            "New value",
            "Days moved",
        ],
        &[18.0, 40.0, 28.0, 40.0, 40.0, 12.0],
    )?;
    let wrap = Format::new().set_text_wrap();
    let date = Format::new().set_num_format("yyyy-mm-dd");
    let mut r = 1u32;
    for item in &diff.changed {
        for ch in &item.changes {
            ws.write_string(r, 0, &item.item.id)?;
            ws.write_string(r, 1, item.item.weakness.as_deref().unwrap_or(""))?;
            ws.write_string(r, 2, &ch.label)?;
            value(ws, r, 3, &ch.old, &wrap, &date)?;
            value(ws, r, 4, &ch.new, &wrap, &date)?;
            if let Some(d) = ch.days {
                ws.write_number(r, 5, d as f64)?;
            }
            r += 1;
        }
    }
    Ok(wb.save_to_buffer()?)
}
