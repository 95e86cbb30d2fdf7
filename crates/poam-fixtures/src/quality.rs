//! Quality-system files: a corrective-action (CAPA) log with a Standard
//! column (as .xlsx and .csv) and an audit-finding register without one,
//! its standards written before the clause in the cell ("AS9100D 8.4.1").
//! The shapes of issue 19: ISO 9001's four-level clauses, SP 800-171, CMMC
//! and ISO/IEC 27001 ids side by side, CAPA statuses, the auditor's grade,
//! root causes and effectiveness checks.

use anyhow::Result;
use rust_xlsxwriter::{DocProperties, ExcelDateTime, Format, Workbook};

/// The CAPA log's header.
pub const CAPA_HEADER: [&str; 13] = [
    "CAPA No.",
    "Finding",
    "Standard",
    "Clause / Control",
    "Source",
    "Grade",
    "Owner",
    "Date Opened",
    "Target Date",
    "Status",
    "Root Cause",
    "Corrective Action",
    "Verification of Effectiveness",
];

/// The CAPA log's rows (dates ISO).
pub fn capa_rows() -> Vec<[&'static str; 13]> {
    vec![
        [
            "CAPA-2026-001",
            "Calibration records missing for torque wrenches",
            "ISO 9001:2015",
            "7.1.5.2",
            "Internal audit",
            "Minor",
            "J. Ortiz",
            "2026-09-15",
            "2026-12-15",
            "Open",
            "No recall schedule in the calibration system",
            "Add all torque tools to the recall schedule",
            "",
        ],
        [
            "CAPA-2026-002",
            "Nonconforming parts shipped without disposition",
            "ISO 9001:2015",
            "8.7.1",
            "Customer audit",
            "Major",
            "M. Chen",
            "2026-10-01",
            "2026-10-31",
            "In progress",
            "Hold tags not required at final inspection",
            "Require hold tags and a disposition record",
            "",
        ],
        [
            "CAPA-2026-003",
            "Media not sanitized before disposal",
            "NIST SP 800-171",
            "3.8.4",
            "Supplier assessment",
            "",
            "IT Security",
            "2026-10-20",
            "2027-01-31",
            "Open",
            "No media disposal procedure",
            "Write and train the media sanitization procedure",
            "",
        ],
        [
            "CAPA-2026-004",
            "Supplier access agreements not reviewed",
            "ISO/IEC 27001:2022",
            "A.5.18",
            "Registrar",
            "Minor",
            "Procurement",
            "2026-08-01",
            "2026-10-30",
            "Pending verification",
            "Review not scheduled",
            "Annual access review in the supplier calendar",
            "",
        ],
        [
            "CAPA-2026-005",
            "Shared accounts on the shop-floor HMI",
            "CMMC",
            "IA.L2-3.5.3",
            "Internal audit",
            "Major",
            "OT Engineering",
            "2026-06-01",
            "2026-07-01",
            "Closed",
            "Vendor default accounts kept",
            "Named accounts with MFA on the HMI",
            "Checked 12 HMIs: named accounts only",
        ],
        [
            "CAPA-2026-006",
            "Work instructions uncontrolled on the shared drive",
            "ISO 9001:2015",
            "7.5.3; 3.8.9",
            "Internal audit",
            "Minor",
            "Quality",
            "2026-07-01",
            "2026-09-29",
            "Closed",
            "",
            "Move work instructions to the document system",
            "",
        ],
    ]
}

/// The register's header (no Standard column).
pub const REGISTER_HEADER: [&str; 8] = [
    "NCR No.",
    "Nonconformity",
    "Clause",
    "Grade",
    "Raised By",
    "Date Opened",
    "Due Date",
    "Status",
];

/// The register's rows: each clause written after its standard.
pub fn register_rows() -> Vec<[&'static str; 8]> {
    vec![
        [
            "NCR-31",
            "Training records incomplete for new inspectors",
            "ISO 9001 7.2",
            "Minor",
            "Registrar",
            "2026-10-02",
            "2026-12-31",
            "Open",
        ],
        [
            "NCR-32",
            "Key characteristics not flowed down to suppliers",
            "AS9100D 8.4.3",
            "Major",
            "Customer audit",
            "2026-10-10",
            "2026-11-09",
            "Open",
        ],
        [
            "NCR-33",
            "Layered process audits not performed on line 2",
            "IATF 16949 9.2.2.3",
            "Minor",
            "Internal audit",
            "2026-09-12",
            "2026-12-11",
            "Open",
        ],
        [
            "NCR-34",
            "Complaint files missing the investigation record",
            "ISO 13485 8.2.2",
            "Observation",
            "Regulator",
            "2026-08-20",
            "2027-02-16",
            "Open",
        ],
        [
            "NCR-35",
            "Visitor log not reviewed",
            "NIST SP 800-171 3.10.4",
            "Observation",
            "Supplier assessment",
            "2026-09-01",
            "2027-02-28",
            "Open",
        ],
    ]
}

fn props(wb: &mut Workbook) -> Result<()> {
    let created = ExcelDateTime::from_ymd(2026, 11, 2)?;
    wb.set_properties(
        &DocProperties::new()
            .set_creation_datetime(&created)
            .set_author("poamkit fixtures"),
    );
    Ok(())
}

/// A sheet of a header and rows: dates as dates (columns named in `dates`).
fn sheet<const N: usize>(
    wb: &mut Workbook,
    name: &str,
    header: &[&str; N],
    rows: &[[&str; N]],
    dates: &[&str],
) -> Result<()> {
    let bold = Format::new().set_bold();
    let day = Format::new().set_num_format("yyyy-mm-dd");
    let ws = wb.add_worksheet();
    ws.set_name(name)?;
    for (c, h) in header.iter().enumerate() {
        ws.write_string_with_format(0, c as u16, *h, &bold)?;
        ws.set_column_width(c as u16, 18)?;
    }
    for (r, row) in rows.iter().enumerate() {
        for (c, v) in row.iter().enumerate() {
            let (row1, col) = (r as u32 + 1, c as u16);
            if v.is_empty() {
                continue;
            }
            match v.parse::<chrono::NaiveDate>() {
                Ok(d) if dates.contains(&header[c]) => {
                    use chrono::Datelike;
                    let x =
                        ExcelDateTime::from_ymd(d.year() as u16, d.month() as u8, d.day() as u8)?;
                    ws.write_datetime_with_format(row1, col, &x, &day)?;
                }
                _ => {
                    ws.write_string(row1, col, *v)?;
                }
            }
        }
    }
    Ok(())
}

/// The CAPA log as a workbook.
///
/// # Errors
///
/// When the workbook cannot be built.
pub fn capa_log_xlsx() -> Result<Vec<u8>> {
    let mut wb = Workbook::new();
    props(&mut wb)?;
    sheet(
        &mut wb,
        "CAPA Log",
        &CAPA_HEADER,
        &capa_rows(),
        &["Date Opened", "Target Date"],
    )?;
    Ok(wb.save_to_buffer()?)
}

fn csv_of<const N: usize>(header: &[&str; N], rows: &[[&str; N]]) -> Result<String> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(header)?;
    for r in rows {
        w.write_record(r)?;
    }
    Ok(String::from_utf8(w.into_inner()?)?)
}

/// The CAPA log as CSV.
///
/// # Errors
///
/// When the CSV cannot be written.
pub fn capa_log_csv() -> Result<String> {
    csv_of(&CAPA_HEADER, &capa_rows())
}

/// The audit-finding register as a workbook.
///
/// # Errors
///
/// When the workbook cannot be built.
pub fn register_xlsx() -> Result<Vec<u8>> {
    let mut wb = Workbook::new();
    props(&mut wb)?;
    sheet(
        &mut wb,
        "Findings",
        &REGISTER_HEADER,
        &register_rows(),
        &["Date Opened", "Due Date"],
    )?;
    Ok(wb.save_to_buffer()?)
}

/// The audit-finding register as CSV.
///
/// # Errors
///
/// When the CSV cannot be written.
pub fn register_csv() -> Result<String> {
    csv_of(&REGISTER_HEADER, &register_rows())
}
