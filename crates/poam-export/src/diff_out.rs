//! The month-to-month diff as a workbook: a summary sheet, one sheet per
//! category of item, and a sheet of changed fields.

use crate::ExportError;
use poam_ops::diff::{Diff, ItemRef};
use rust_xlsxwriter::{Format, Workbook, Worksheet};

fn header(ws: &mut Worksheet, cells: &[&str], widths: &[f64]) -> Result<(), ExportError> {
    let bold = Format::new().set_bold().set_background_color("#CCECFC");
    for (c, (text, w)) in cells.iter().zip(widths).enumerate() {
        ws.write_string_with_format(0, c as u16, *text, &bold)?;
        ws.set_column_width(c as u16, *w)?;
    }
    ws.set_freeze_panes(1, 0)?;
    Ok(())
}

fn refs(wb: &mut Workbook, name: &str, list: &[ItemRef]) -> Result<(), ExportError> {
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
        header(ws, &["", "Count"], &[40.0, 10.0])?;
        for (r, (label, n)) in diff.counts.rows().iter().enumerate() {
            ws.write_string(r as u32 + 1, 0, *label)?;
            ws.write_number(r as u32 + 1, 1, *n as f64)?;
        }
        let below = diff.counts.rows().len() as u32 + 2;
        ws.write_string(below, 0, format!("OLD: {old_name}"))?;
        ws.write_string(below + 1, 0, format!("NEW: {new_name}"))?;
        for (k, dup) in diff.duplicate_ids.iter().enumerate() {
            ws.write_string(
                below + 3 + k as u32,
                0,
                format!("ID held by more than one item (paired by content, else position): {dup}"),
            )?;
        }
    }
    refs(&mut wb, "New", &diff.added)?;
    refs(&mut wb, "Closed", &diff.closed)?;
    refs(&mut wb, "Reopened", &diff.reopened)?;
    refs(&mut wb, "Disappeared", &diff.disappeared)?;
    {
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
    let mut r = 1u32;
    for item in &diff.changed {
        for ch in &item.changes {
            ws.write_string(r, 0, &item.item.id)?;
            ws.write_string(r, 1, item.item.weakness.as_deref().unwrap_or(""))?;
            ws.write_string(r, 2, &ch.label)?;
            ws.write_string_with_format(r, 3, &ch.old, &wrap)?;
            ws.write_string_with_format(r, 4, &ch.new, &wrap)?;
            if let Some(d) = ch.days {
                ws.write_number(r, 5, d as f64)?;
            }
            r += 1;
        }
    }
    Ok(wb.save_to_buffer()?)
}
