//! The monthly update's change summary as a workbook: a Summary sheet of
//! counts and a Changes sheet with one row per decision.

use crate::diff_out::{header, header_at};
use crate::ExportError;
use poam_ops::update::{Change, UpdateSummary};
use rust_xlsxwriter::{Format, Workbook};

/// The change summary as an .xlsx workbook, in memory. Every value is
/// written as text, so nothing a scanner wrote becomes a formula.
///
/// # Errors
///
/// [`ExportError`] when the workbook cannot be built.
pub fn write_update_xlsx(s: &UpdateSummary) -> Result<Vec<u8>, ExportError> {
    let groups: [(&str, &[Change]); 7] = [
        ("New", &s.new),
        ("Closed", &s.closed),
        ("Reopened", &s.reopened),
        ("Not covered (left open)", &s.not_covered),
        (
            "False positive found again (left closed)",
            &s.false_positives_found,
        ),
        ("In CISA's KEV catalog", &s.kev_marked),
        ("Still open", &s.still_open),
    ];
    let mut wb = Workbook::new();
    {
        let ws = wb.add_worksheet();
        ws.set_name("Summary")?;
        let title = Format::new().set_bold().set_font_size(14);
        ws.write_string_with_format(
            0,
            0,
            format!(
                "This month's POA&M{}",
                s.as_of.map(|d| format!(" as of {d}")).unwrap_or_default()
            ),
            &title,
        )?;
        for (k, scan) in s.scans.iter().enumerate() {
            ws.write_string(1 + k as u32, 0, format!("Scan {scan}"))?;
        }
        let top = s.scans.len() as u32 + 2;
        header_at(ws, top, &["", "Count"], &[48.0, 10.0])?;
        let mut rows: Vec<(&str, usize)> = groups.iter().map(|(l, c)| (*l, c.len())).collect();
        rows.push(("Assets added to items", s.assets_added));
        rows.push((
            "Assets removed (scanned, no longer affected)",
            s.assets_removed,
        ));
        rows.push((
            "New items given the policy's default controls",
            s.default_controls,
        ));
        rows.push(("Open items due in the next 30 days", s.due_soon.len()));
        rows.push(("Open items past due", s.past_due.len()));
        for (k, (label, n)) in rows.iter().enumerate() {
            ws.write_string(top + 1 + k as u32, 0, *label)?;
            ws.write_number(top + 1 + k as u32, 1, *n as f64)?;
        }
    }
    let ws = wb.add_worksheet();
    ws.set_name("Changes")?;
    header(
        ws,
        &["Change", "POA&M ID", "Vulnerability", "Note"],
        &[34.0, 18.0, 24.0, 80.0],
    )?;
    let wrap = Format::new().set_text_wrap();
    let mut r = 1u32;
    for (label, changes) in groups {
        for c in changes {
            ws.write_string(r, 0, label)?;
            ws.write_string(r, 1, &c.item)?;
            ws.write_string(r, 2, &c.finding)?;
            ws.write_string_with_format(r, 3, &c.note, &wrap)?;
            r += 1;
        }
    }
    for (label, ids) in [
        ("Due in the next 30 days", &s.due_soon),
        ("Past due", &s.past_due),
    ] {
        for id in ids {
            ws.write_string(r, 0, label)?;
            ws.write_string(r, 1, id)?;
            r += 1;
        }
    }
    ws.autofilter(0, 0, r.saturating_sub(1).max(1), 3)?;
    Ok(wb.save_to_buffer()?)
}
