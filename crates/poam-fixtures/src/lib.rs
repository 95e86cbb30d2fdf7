//! poamkit's fixture generator.
//!
//! Writes small POA&M workbooks in each FedRAMP template version, laid out
//! as the official file (sheet names, title, metadata, header row, guidance
//! rows taken from `templates/`), and filled the way people fill them: real
//! dates beside text dates and serial numbers, `Mod` for Moderate, zero-padded
//! and OSCAL-style control ids, a bad date, an unknown rating, a blank row, a
//! formula-only row, a column the template does not have, and the example row
//! left in place. The files are deterministic (fixed creation date), so the
//! committed fixtures can be checked against a fresh run.
//!
//! Run `cargo run -p poam-fixtures -- fixtures` to rewrite them.

pub mod quality;
pub mod scans;
pub mod shapes;

use anyhow::{Context, Result};
use poam_layout::{column_index, Layout, SheetDef, SheetRole};
use rust_xlsxwriter::{DocProperties, ExcelDateTime, Format, Workbook, Worksheet};
use std::path::Path;

/// One cell as a person typed it.
#[derive(Debug, Clone)]
pub enum Raw {
    /// Text.
    Text(&'static str),
    /// A number.
    Number(f64),
    /// A real Excel date (year, month, day).
    Date(u16, u8, u8),
    /// A formula with no saved value.
    Formula(&'static str),
}

/// One row: header text → cell.
pub type Row = Vec<(&'static str, Raw)>;

/// The open items every FedRAMP fixture holds (headers the layout lacks are skipped).
pub fn open_rows() -> Vec<Row> {
    use Raw::*;
    vec![
        vec![
            ("POAM ID", Text("POAM-001")),
            ("Controls", Text("AC-02(01), ac-2.1; CM-6b")),
            ("Weakness Name", Text("Open port on example firewall")),
            (
                "Weakness Description",
                Text("Port 80 is open on the edge firewall.\nIt serves no purpose."),
            ),
            ("Weakness Detector Source", Text("Nessus")),
            ("Weakness Source Identifier", Number(12345.0)),
            (
                "Asset Identifier",
                Text("10.0.0.1 (80/TCP)\n10.0.0.2 (80/TCP)"),
            ),
            ("Point of Contact", Text("Jane Doe - Example CSP")),
            ("Resources Required", Text("Two engineer days")),
            (
                "Overall Remediation Plan",
                Text("Close the port and verify with a rescan."),
            ),
            (
                "Remediation Plan",
                Text("Close the port and verify with a rescan."),
            ),
            ("Original Detection Date", Date(2024, 5, 5)),
            ("Scheduled Completion Date", Text("08/03/2024")),
            (
                "Planned Milestones",
                Text("(1) 2024/05/23: Change request approved\n\n(2) 2024-06-12: Port closed"),
            ),
            (
                "Milestone Changes",
                Text("(2) Update 2024-06-18 : delayed by a vendor patch"),
            ),
            ("Status Date", Number(45510.0)),
            ("Vendor Dependency", Text("yes")),
            ("Last Vendor Check-in Date", Text("5-Aug-2024")),
            ("Vendor Dependent Product Name", Text("Example Firewall")),
            ("Original Risk Rating", Text("High")),
            ("Adjusted Risk Rating", Text("Mod")),
            ("Risk Adjustment", Text("Yes")),
            ("False Positive", Text("No")),
            ("Operational Requirement", Text("Pending")),
            (
                "Deviation Rationale",
                Text("Risk Adjustment : the port faces an internal network only"),
            ),
            (
                "Supporting Documents",
                Text("Deviation Request : DR-001.docx"),
            ),
            ("Comments", Text("Raised at the monthly review.")),
            ("Auto-Approve", Text("No")),
            ("Binding Operational Directive 22-01 tracking", Text("Yes")),
            (
                "Binding Operational Directive 22-01 Due Date",
                Date(2024, 9, 1),
            ),
            ("CVE", Text("CVE-2024-1234, CVE-2024-5678")),
            ("Service Name", Text("Example Portal\nExample API")),
            ("Internal Ticket", Text("JIRA-77")),
        ],
        vec![
            ("POAM ID", Text("POAM-002")),
            ("Controls", Text("AC 6 (5)")),
            ("Weakness Name", Text("Shared administrator account")),
            (
                "Weakness Description",
                Text("Two administrators share one account."),
            ),
            (
                "Weakness Detector Source",
                Text("Security Assessment Report"),
            ),
            ("Asset Identifier", Text("admin-console")),
            ("Point of Contact", Text("John Roe")),
            ("Overall Remediation Plan", Text("Issue named accounts.")),
            ("Remediation Plan", Text("Issue named accounts.")),
            ("Original Detection Date", Text("13/45/2024")),
            ("Scheduled Completion Date", Text("Dec 31, 2024")),
            ("Status Date", Text("2024-09-30")),
            ("Vendor Dependency", Text("No")),
            ("Original Risk Rating", Text("Severe")),
            ("Adjusted Risk Rating", Text("N/A")),
        ],
        // A row holding only a formula without a saved value: not an item.
        vec![(
            "Scheduled Completion Date",
            Formula("=IF(ISBLANK(A1),\"\",A1+30)"),
        )],
        // A blank row follows, then an item with a numeric id.
        vec![],
        vec![
            ("POAM ID", Number(3.0)),
            ("Controls", Text("SI-2 and RA-5")),
            ("Weakness Name", Text("Missing patches")),
            ("Weakness Detector Source", Text("Qualys")),
            ("Weakness Source Identifier", Text("QID-91234")),
            ("Asset Identifier", Text("web-01")),
            ("Original Detection Date", Text("2024-07-01 00:00:00")),
            ("Original Risk Rating", Text("moderate")),
        ],
    ]
}

/// The closed items.
pub fn closed_rows() -> Vec<Row> {
    use Raw::*;
    vec![vec![
        ("POAM ID", Text("POAM-000")),
        ("Controls", Text("3.1.1, AC.L2-3.1.2")),
        ("Weakness Name", Text("Guest account enabled")),
        ("Weakness Detector Source", Text("Manual review")),
        ("Asset Identifier", Text("hr-app")),
        ("Original Detection Date", Date(2024, 1, 10)),
        ("Scheduled Completion Date", Date(2024, 4, 9)),
        ("Status Date", Date(2024, 3, 1)),
        ("Original Risk Rating", Text("Low")),
        ("Comments", Text("Closed after retest.")),
    ]]
}

/// The configuration findings (for layouts with that tab).
pub fn configuration_rows() -> Vec<Row> {
    use Raw::*;
    vec![vec![
        ("POAM ID", Text("CFG-001")),
        ("Controls", Text("CM-6")),
        ("Weakness Name", Text("SSH permits root login")),
        (
            "Weakness Description",
            Text("The SSH daemon permits root login."),
        ),
        ("Weakness Detector Source", Text("RHEL 9 STIG")),
        ("Weakness Source Identifier", Text("V-257985")),
        ("Asset Identifier", Text("web-01")),
        ("Original Detection Date", Date(2024, 6, 1)),
        ("Original Risk Rating", Text("Moderate")),
    ]]
}

fn write_raw(ws: &mut Worksheet, r: u32, c: u16, raw: &Raw, date_fmt: &Format) -> Result<()> {
    match raw {
        Raw::Text(t) => {
            ws.write_string(r, c, *t)?;
        }
        Raw::Number(n) => {
            ws.write_number(r, c, *n)?;
        }
        Raw::Date(y, m, d) => {
            ws.write_datetime_with_format(r, c, ExcelDateTime::from_ymd(*y, *m, *d)?, date_fmt)?;
        }
        Raw::Formula(f) => {
            ws.write_formula(r, c, *f)?;
        }
    }
    Ok(())
}

fn write_sheet(ws: &mut Worksheet, def: &SheetDef, rows: &[Row], example: bool) -> Result<()> {
    let date_fmt = Format::new().set_num_format("mm/dd/yyyy");
    let c0 = column_index(&def.first_column).unwrap_or(0);
    if let Some(t) = &def.title {
        ws.write_string(0, 0, &t.text)?;
    }
    if let Some(m) = &def.metadata {
        let m0 = column_index(&m.first_column).unwrap_or(0);
        let values = [
            Raw::Text("Example CSP"),
            Raw::Text("Example Cloud"),
            Raw::Text("Moderate"),
            Raw::Date(2024, 8, 31),
        ];
        if let Some(g) = m.guidance_row {
            if let Some(label) = &m.guidance_label {
                ws.write_string(g - 1, 0, label)?;
            }
            for (i, text) in m.guidance.iter().enumerate() {
                ws.write_string(g - 1, m0 + i as u16, text)?;
            }
        }
        for (i, label) in m.labels.iter().enumerate() {
            ws.write_string(m.label_row - 1, m0 + i as u16, label)?;
            if let Some(v) = values.get(i) {
                write_raw(ws, m.value_row - 1, m0 + i as u16, v, &date_fmt)?;
            }
        }
    }
    for (i, h) in def.headers.iter().enumerate() {
        ws.write_string(def.header_row - 1, c0 + i as u16, h)?;
    }
    // A column the template lacks, after the last one.
    let extra_col = c0 + def.headers.len() as u16;
    ws.write_string(def.header_row - 1, extra_col, "Internal Ticket")?;
    for fixed in &def.fixed_rows {
        if let (Some(label), true) = (&fixed.label, c0 > 0) {
            ws.write_string(fixed.row - 1, c0 - 1, label)?;
        }
        for (i, h) in def.headers.iter().enumerate() {
            if let Some(t) = fixed.cells.get(h) {
                ws.write_string(fixed.row - 1, c0 + i as u16, t)?;
            }
        }
    }
    let mut r = def.first_data_row - 1;
    if example {
        // People leave the template's example row in place.
        ws.write_string(r, c0, "V-1Example")?;
        ws.write_string(r, c0 + 1, "AC-1")?;
        ws.write_string(r, c0 + 2, "Open port on Example Firewall")?;
        r += 1;
    }
    for row in rows {
        for (header, raw) in row {
            let col = if *header == "Internal Ticket" {
                Some(extra_col)
            } else {
                def.headers
                    .iter()
                    .position(|h| h == header)
                    .map(|i| c0 + i as u16)
            };
            if let Some(col) = col {
                write_raw(ws, r, col, raw, &date_fmt)?;
            }
        }
        r += 1;
    }
    Ok(())
}

/// Rows of the classic eMASS fixture (also used for Navy 2024).
pub fn emass_classic_rows() -> Vec<Row> {
    use Raw::*;
    vec![
        vec![
            ("POA&M Item ID", Number(1.0)),
            (
                "Control Vulnerability Description",
                Text("Audit records are not reviewed weekly."),
            ),
            (
                "Security Control Number (NC/NA controls only)",
                Text("AU-6, AU-6(1); CM-6 b"),
            ),
            ("Controls / APs", Text("AU-6, AU-6(1); CM-6 b")),
            (
                "Office/Org",
                Text("DoD, Jane Doe, 555-0100, jane.doe@example.mil"),
            ),
            (
                "Security Checks",
                Text("SV-230222r627750_rule; SV-230223r627750_rule"),
            ),
            ("Resources Required", Text("SIEM licence")),
            ("Scheduled Completion Date", Text("11/30/2024")),
            ("Milestone ID", Number(1.0)),
            (
                "Milestone with Completion Dates",
                Text("Buy the SIEM licence 10/15/2024"),
            ),
            (
                "Milestone Changes",
                Text("Licence purchase moved by two weeks"),
            ),
            (
                "Source Identifying Vulnerability ",
                Text("Annual assessment"),
            ),
            ("Status", Text("Ongoing")),
            ("Comments", Text("Tracked in the ISSM weekly meeting.")),
            (" Raw Severity", Text("CAT II")),
            ("Raw Severity", Text("CAT II")),
            ("Devices Affected", Text("siem-01\nlog-02")),
            ("Mitigations", Text("Manual log review monthly.")),
            (
                "Mitigations (in-house and in conjunction with the Navy CSSP)",
                Text("Manual log review monthly."),
            ),
            ("Predisposing Conditions", Text("Single log server.")),
            ("Severity", Text("Moderate")),
            ("Relevance of Threat", Text("High")),
            ("Threat Description", Text("Undetected intrusion.")),
            ("Likelihood", Text("Low")),
            ("Impact", Text("Very High")),
            ("Impact Description", Text("Loss of audit trail.")),
            ("Residual Risk Level", Text("Moderate")),
            ("Recommendations", Text("Automate the review.")),
            (
                "Resulting Residual Risk after Proposed Mitigations",
                Text("Low"),
            ),
        ],
        // Continuation rows: only milestone cells.
        vec![
            ("Milestone ID", Number(2.0)),
            (
                "Milestone with Completion Dates",
                Text("Configure weekly review reports 11/01/2024"),
            ),
        ],
        vec![
            ("Milestone ID", Number(3.0)),
            (
                "Milestone with Completion Dates",
                Text("Verify with a test incident 11/20/2024"),
            ),
        ],
        // Written before eMASS assigned an id: a description and a control make it an item.
        vec![
            (
                "Control Vulnerability Description",
                Text("Banner text missing on the VPN portal."),
            ),
            (
                "Security Control Number (NC/NA controls only)",
                Text("AC-8"),
            ),
            ("Controls / APs", Text("AC-8")),
            ("Scheduled Completion Date", Date(2024, 12, 15)),
            ("Status", Text("Ongoing")),
            (" Raw Severity", Text("III")),
            ("Raw Severity", Text("III")),
        ],
        vec![
            ("POA&M Item ID", Number(3.0)),
            (
                "Control Vulnerability Description",
                Text("FIPS mode disabled on web servers."),
            ),
            (
                "Security Control Number (NC/NA controls only)",
                Text("SC 13"),
            ),
            ("Controls / APs", Text("SC 13")),
            ("Status", Text("Completed 09/30/2024")),
            (" Raw Severity", Text("Cat I")),
            ("Raw Severity", Text("Cat I")),
            ("Severity", Text("Critical")),
        ],
    ]
}

/// Rows of the 2026 milestone-per-row fixtures (Navy, Army, Marine Corps).
pub fn emass_2026_rows() -> Vec<Row> {
    use Raw::*;
    vec![
        vec![
            ("POA&M Item ID", Text("10")),
            (
                "Control Vulnerability Description",
                Text("Local accounts are not disabled after 35 days."),
            ),
            ("Controls / APs", Text("AC-2(3)")),
            ("Security Checks", Text("SV-230373r627750_rule")),
            ("POA&M Status", Text("Ongoing")),
            ("POA&M Scheduled Completion Date", Text("12/31/2024")),
            ("Milestone ID", Number(1.0)),
            ("Milestone Description", Text("Write the account script")),
            ("Milestone Status", Text("Completed")),
            ("Milestone Status Comments", Text("Script reviewed.")),
            ("Milestone Scheduled Completion Date", Date(2024, 10, 1)),
            ("Milestone Completion Date", Text("2024-09-28")),
            ("Identification Source", Text("Vulnerability Management")),
            ("Identification Source ", Text("Vulnerability Management")),
            (
                "Identification Source Details",
                Text("ACAS scan of September"),
            ),
            (
                "Office/Org",
                Text("NAVWAR, John Roe, 555-0101, john.roe@example.mil"),
            ),
            ("Resources Required", Text("None beyond staff time")),
            ("Comments", Text("First milestone done.")),
            ("Raw Severity", Text("II")),
            ("Devices Affected", Text("ws-001\nws-002")),
            ("Mitigations", Text("Accounts reviewed monthly.")),
            (
                "Mitigations (in-house and in conjunction with the Navy CSSP)",
                Text("Accounts reviewed monthly."),
            ),
            ("Severity", Text("Moderate")),
            ("Likelihood", Text("Moderate")),
            ("Impact", Text("Moderate")),
            ("Residual Risk Level", Text("Low")),
            ("Identified in CFO Audit or other review", Text("No")),
            ("Personnel Resources: \nCost Code", Text("CC-100")),
            ("Personnel Resources: Funded Base Hours", Number(40.0)),
            ("Non-Personnel Resources: Funded Amount", Number(1200.5)),
        ],
        vec![
            ("POA&M Item ID", Text("10")),
            ("Milestone ID", Number(2.0)),
            ("Milestone Description", Text("Deploy the script")),
            ("Milestone Status", Text("Ongoing")),
            ("Milestone Scheduled Completion Date", Text("11/15/2024")),
        ],
        vec![
            ("POA&M Item ID", Text("10")),
            // A later row that disagrees with the first: reported, kept in extra.
            ("POA&M Scheduled Completion Date", Text("01/31/2025")),
            ("Milestone ID", Number(3.0)),
            ("Milestone Description", Text("Rescan")),
            ("Milestone Scheduled Completion Date", Date(2024, 12, 20)),
        ],
        vec![
            ("POA&M Item ID", Text("11")),
            (
                "Control Vulnerability Description",
                Text("Legacy protocol required by a mission system."),
            ),
            ("Controls / APs", Text("CM-7")),
            ("POA&M Status", Text("Risk Accepted")),
            (
                "POA&M Requested Risk Accepted Expiration Date",
                Text("06/30/2025"),
            ),
            ("Milestone ID", Number(1.0)),
            ("Milestone Description", Text("Annual risk review")),
            ("Milestone Scheduled Completion Date", Text("03/01/2025")),
            ("Raw Severity", Text("CAT III")),
        ],
        vec![
            ("POA&M Item ID", Text("12")),
            (
                "Control Vulnerability Description",
                Text("Patch backlog closed."),
            ),
            ("Controls / APs", Text("SI-2")),
            ("POA&M Status", Text("Completed")),
            ("POA&M Completion Date", Date(2024, 8, 15)),
            ("Milestone ID", Number(1.0)),
            ("Milestone Description", Text("Apply patches")),
            ("Milestone Status", Text("Completed")),
            ("Milestone Completion Date", Date(2024, 8, 14)),
        ],
    ]
}

/// Builds an eMASS fixture workbook in `layout`: banner, metadata cells,
/// header row 7, rows from [`emass_classic_rows`] or [`emass_2026_rows`].
///
/// # Errors
///
/// When rust_xlsxwriter rejects a cell.
pub fn emass_fixture(layout: &Layout) -> Result<Vec<u8>> {
    use Raw::*;
    let mut wb = Workbook::new();
    let created = ExcelDateTime::from_ymd(2024, 9, 1)?;
    wb.set_properties(
        &DocProperties::new()
            .set_creation_datetime(&created)
            .set_author("poamkit fixtures"),
    );
    let date_fmt = Format::new().set_num_format("mm/dd/yyyy");
    for def in &layout.sheets {
        let ws = wb.add_worksheet();
        ws.set_name(&def.name)?;
        if let Some(b) = &def.banner {
            ws.write_string(0, 0, &b.text)?;
        }
        for lv in &def.label_values {
            let (lc, lr) = poam_layout::parse_cell_ref(&lv.label_cell).unwrap_or((0, 0));
            let (vc, vr) = poam_layout::parse_cell_ref(&lv.value_cell).unwrap_or((0, 0));
            ws.write_string(lr, lc, &lv.label)?;
            let value = match lv.label.as_str() {
                "Date Exported:" => Text("10/01/2024"),
                "System / Project Name:" => Text("Example Enclave"),
                "DoD Component:" | "CC/S/A/FA:" => Text("Navy"),
                "POC Name:" => Text("Jane Doe"),
                "Security Costs:" => Number(25000.0),
                _ => continue,
            };
            write_raw(ws, vr, vc, &value, &date_fmt)?;
        }
        let c0 = column_index(&def.first_column).unwrap_or(0);
        for (i, h) in def.headers.iter().enumerate() {
            ws.write_string(def.header_row - 1, c0 + i as u16, h)?;
        }
        let rows = match def.row_mode {
            poam_layout::RowMode::MilestonePerRow => emass_2026_rows(),
            _ => emass_classic_rows(),
        };
        for (r, row) in (def.first_data_row - 1..).zip(rows) {
            for (header, raw) in &row {
                if let Some(i) = def.headers.iter().position(|h| h == header) {
                    write_raw(ws, r, c0 + i as u16, raw, &date_fmt)?;
                }
            }
        }
    }
    Ok(wb.save_to_buffer()?)
}

/// One cell of a fixture: sheet, 0-based row and column, value.
pub type Placed = (&'static str, u32, u16, Raw);

/// The cells of a business unit's home-grown tracker: a title block, renamed
/// columns in their own order starting at column B, text dates, a status
/// column, a separate Closed sheet, and a lookup sheet that is not data.
pub fn legacy_cells() -> Vec<Placed> {
    use Raw::*;
    let open = "Open Findings";
    let mut cells: Vec<Placed> = vec![
        (
            open,
            0,
            0,
            Text("Business Unit 7 - Security Findings Tracker"),
        ),
        (
            open,
            1,
            0,
            Text("Prepared by the unit ISSO; reviewed monthly"),
        ),
    ];
    let headers = [
        "Finding #",
        "Finding Title",
        "Criticality",
        "Security Control(s)",
        "Assigned To",
        "Date Identified",
        "Est. Completion",
        "Corrective Action",
        "Status",
        "Internal Ref",
    ];
    cells.extend(
        headers
            .iter()
            .enumerate()
            .map(|(i, h)| (open, 3, 1 + i as u16, Text(h))),
    );
    let rows: Vec<Vec<Raw>> = vec![
        vec![
            Text("BU7-001"),
            Text("Unsupported Java runtime"),
            Text("High"),
            Text("SI-2, CM-8 (1)"),
            Text("A. Analyst"),
            Text("3/15/2024"),
            Text("15-Jun-2024"),
            Text("Upgrade to a supported runtime."),
            Text("Open"),
            Text("CHG-1"),
        ],
        vec![
            Text("BU7-002"),
            Text("Weak TLS ciphers on intranet"),
            Text("Med"),
            Text("sc-8.1"),
            Text("B. Builder"),
            Date(2024, 4, 2),
            Text("2024-07-31"),
            Text("Disable CBC ciphers."),
            Text("In Progress"),
            Text(""),
        ],
        vec![
            Text("BU7-003"),
            Text("Stale accounts"),
            Text("Low"),
            Text("AC-2(3)"),
            Text("C. Checker"),
            Text("April 20, 2024"),
            Text("TBD"),
            Text("Run the quarterly review."),
            Text("Closed"),
            Text(""),
        ],
    ];
    for (r, row) in (4u32..).zip(rows) {
        for (i, raw) in row.into_iter().enumerate() {
            if !matches!(raw, Text("")) {
                cells.push((open, r, 1 + i as u16, raw));
            }
        }
    }
    let closed_headers = [
        "ID",
        "Weakness",
        "Severity",
        "NIST Control",
        "Owner",
        "Discovery Date",
        "Due Date",
        "Date Closed",
        "Notes",
    ];
    cells.extend(
        closed_headers
            .iter()
            .enumerate()
            .map(|(i, h)| ("Closed", 0, i as u16, Text(h))),
    );
    let row = [
        Text("BU7-000"),
        Text("Default SNMP community"),
        Text("Moderate"),
        Text("IA-5"),
        Text("D. Doer"),
        Text("01/05/2024"),
        Text("02/04/2024"),
        Text("01/30/2024"),
        Text("Verified by rescan."),
    ];
    cells.extend(
        row.into_iter()
            .enumerate()
            .map(|(i, raw)| ("Closed", 1, i as u16, raw)),
    );
    cells.extend(
        ["High", "Moderate", "Low"]
            .iter()
            .enumerate()
            .map(|(r, v)| ("Lists", r as u32, 0, Text(v))),
    );
    cells
}

/// The home-grown tracker as an Excel workbook, its title merged over the
/// table and its headers bold.
///
/// # Errors
///
/// When rust_xlsxwriter rejects a cell.
pub fn legacy_fixture() -> Result<Vec<u8>> {
    let mut wb = Workbook::new();
    let created = ExcelDateTime::from_ymd(2024, 9, 1)?;
    wb.set_properties(
        &DocProperties::new()
            .set_creation_datetime(&created)
            .set_author("poamkit fixtures"),
    );
    let date_fmt = Format::new().set_num_format("d-mmm-yyyy");
    let bold = Format::new().set_bold();
    let cells = legacy_cells();
    let mut sheets: Vec<&str> = Vec::new();
    for (sheet, _, _, _) in &cells {
        if !sheets.contains(sheet) {
            sheets.push(sheet);
        }
    }
    for sheet in sheets {
        let ws = wb.add_worksheet();
        ws.set_name(sheet)?;
        for (_, r, c, raw) in cells.iter().filter(|x| x.0 == sheet) {
            match (sheet, r, c, raw) {
                ("Open Findings", 0, 0, Raw::Text(t)) => {
                    ws.merge_range(0, 0, 0, 8, t, &bold)?;
                }
                (_, r, c, Raw::Text(t))
                    if (sheet == "Open Findings" && *r == 3) || (sheet == "Closed" && *r == 0) =>
                {
                    ws.write_string_with_format(*r, *c, *t, &bold)?;
                }
                _ => write_raw(ws, *r, *c, raw, &date_fmt)?,
            }
        }
    }
    Ok(wb.save_to_buffer()?)
}

/// The home-grown tracker as an OpenDocument spreadsheet (.ods), as
/// LibreOffice saves it: a stored `mimetype`, a manifest, `content.xml`
/// with one `table:table` per sheet.
///
/// # Errors
///
/// When the zip cannot be written.
pub fn legacy_ods() -> Result<Vec<u8>> {
    use std::io::Write;
    use zip::write::SimpleFileOptions;
    let esc = |t: &str| {
        t.replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;")
            .replace('"', "&quot;")
    };
    let cells = legacy_cells();
    let mut sheets: Vec<&str> = Vec::new();
    for (sheet, _, _, _) in &cells {
        if !sheets.contains(sheet) {
            sheets.push(sheet);
        }
    }
    let mut content = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<office:document-content \
         xmlns:office=\"urn:oasis:names:tc:opendocument:xmlns:office:1.0\" \
         xmlns:table=\"urn:oasis:names:tc:opendocument:xmlns:table:1.0\" \
         xmlns:text=\"urn:oasis:names:tc:opendocument:xmlns:text:1.0\" office:version=\"1.2\">\
         <office:body><office:spreadsheet>",
    );
    for sheet in sheets {
        content.push_str(&format!("<table:table table:name=\"{}\">", esc(sheet)));
        let mine: Vec<&Placed> = cells.iter().filter(|x| x.0 == sheet).collect();
        let last_row = mine.iter().map(|x| x.1).max().unwrap_or(0);
        for r in 0..=last_row {
            content.push_str("<table:table-row>");
            let row: Vec<&&Placed> = mine.iter().filter(|x| x.1 == r).collect();
            let last_col = row.iter().map(|x| x.2).max();
            if let Some(last_col) = last_col {
                for c in 0..=last_col {
                    match row.iter().find(|x| x.2 == c).map(|x| &x.3) {
                        Some(Raw::Text(t)) => content.push_str(&format!(
                            "<table:table-cell office:value-type=\"string\"><text:p>{}</text:p></table:table-cell>",
                            esc(t)
                        )),
                        Some(Raw::Number(n)) => content.push_str(&format!(
                            "<table:table-cell office:value-type=\"float\" office:value=\"{n}\"><text:p>{n}</text:p></table:table-cell>"
                        )),
                        Some(Raw::Date(y, m, d)) => content.push_str(&format!(
                            "<table:table-cell office:value-type=\"date\" office:date-value=\"{y:04}-{m:02}-{d:02}\"><text:p>{y:04}-{m:02}-{d:02}</text:p></table:table-cell>"
                        )),
                        _ => content.push_str("<table:table-cell/>"),
                    }
                }
            }
            content.push_str("</table:table-row>");
        }
        content.push_str("</table:table>");
    }
    content.push_str("</office:spreadsheet></office:body></office:document-content>\n");
    let manifest = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<manifest:manifest \
        xmlns:manifest=\"urn:oasis:names:tc:opendocument:xmlns:manifest:1.0\" manifest:version=\"1.2\">\
        <manifest:file-entry manifest:full-path=\"/\" manifest:media-type=\"application/vnd.oasis.opendocument.spreadsheet\"/>\
        <manifest:file-entry manifest:full-path=\"content.xml\" manifest:media-type=\"text/xml\"/>\
        </manifest:manifest>\n";
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let stored = SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    let deflated =
        SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    zip.start_file("mimetype", stored)?;
    zip.write_all(b"application/vnd.oasis.opendocument.spreadsheet")?;
    zip.start_file("META-INF/manifest.xml", deflated)?;
    zip.write_all(manifest.as_bytes())?;
    zip.start_file("content.xml", deflated)?;
    zip.write_all(content.as_bytes())?;
    Ok(zip.finish()?.into_inner())
}

/// The NIST SP 800-171 plan of action rows: the template's eight columns,
/// requirement ids inside the weakness text, milestones one per paragraph.
pub fn nist_rows() -> Vec<[&'static str; 8]> {
    vec![
        [
            "3.1.1 Authorized access: two shared accounts remain on the file server.",
            "IT Operations",
            "Funded: 16 staff hours",
            "06/30/2025",
            "1. 03/31/2025: Inventory shared accounts\n2. 05/31/2025: Replace them with named accounts",
            "",
            "Self-assessment (DoD Assessment Methodology)",
            "Ongoing",
        ],
        [
            "AC.L2-3.5.3: multifactor authentication is not enforced for local access to privileged accounts.",
            "Security Office",
            "Unfunded: hardware tokens",
            "2025-03-31",
            "Deploy tokens 02/15/2025",
            "Token delivery slipped two weeks",
            "Third-party assessment",
            "Complete",
        ],
        [
            "3.13.11 The backup appliance does not use FIPS-validated cryptography.",
            "Infrastructure",
            "Reallocation from the refresh budget",
            "September 30, 2025",
            "Replace the appliance 09/30/2025",
            "",
            "Vulnerability scan",
            "Ongoing",
        ],
    ]
}

/// The NIST template's header row.
pub const NIST_HEADERS: [&str; 8] = [
    "Weaknesses",
    "Responsible Office/ Organization",
    "Resource Estimate (funded/ unfunded/ reallocation)",
    "Scheduled Completion Date",
    "Milestones with Interim Completion Dates",
    "Changes to Milestones",
    "How was the weakness identified?",
    "Status (Ongoing or Complete)",
];

/// The NIST plan of action as a Word document: a title paragraph, then one
/// table with the template's header row (two paragraphs in some header cells,
/// as in the official file) and one row per weakness.
///
/// # Errors
///
/// When docx-rs cannot write the package.
pub fn nist_docx() -> Result<Vec<u8>> {
    use docx_rs::{Paragraph, Run, Table, TableCell, TableRow};
    let cell = |text: &str| {
        let mut c = TableCell::new();
        for line in text.split('\n') {
            c = c.add_paragraph(Paragraph::new().add_run(Run::new().add_text(line)));
        }
        c
    };
    let header = [
        "Weaknesses",
        "Responsible\nOffice/ Organization",
        "Resource Estimate\n(funded/ unfunded/ reallocation)",
        "Scheduled Completion Date",
        "Milestones with Interim Completion Dates",
        "Changes to Milestones",
        "How was the weakness identified?",
        "Status\n(Ongoing or Complete)",
    ];
    let mut rows = vec![TableRow::new(header.iter().map(|h| cell(h)).collect())];
    for row in nist_rows() {
        rows.push(TableRow::new(row.iter().map(|t| cell(t)).collect()));
    }
    let docx = word_document(0)
        .add_paragraph(
            Paragraph::new().add_run(Run::new().add_text("Plan of Action for Example Contractor")),
        )
        .add_table(Table::new(rows));
    let mut out = std::io::Cursor::new(Vec::new());
    docx.build().pack(&mut out)?;
    Ok(out.into_inner())
}

/// The same plan of action as a workbook, with a title row above the table.
///
/// # Errors
///
/// When rust_xlsxwriter rejects a cell.
pub fn nist_xlsx() -> Result<Vec<u8>> {
    let mut wb = Workbook::new();
    let created = ExcelDateTime::from_ymd(2024, 9, 1)?;
    wb.set_properties(
        &DocProperties::new()
            .set_creation_datetime(&created)
            .set_author("poamkit fixtures"),
    );
    let ws = wb.add_worksheet();
    ws.set_name("POA&M")?;
    ws.write_string(0, 0, "Plan of Action for Example Contractor")?;
    for (i, h) in NIST_HEADERS.iter().enumerate() {
        ws.write_string(2, i as u16, *h)?;
    }
    for (r, row) in (3u32..).zip(nist_rows()) {
        for (i, t) in row.iter().enumerate() {
            if !t.is_empty() {
                ws.write_string(r, i as u16, *t)?;
            }
        }
    }
    Ok(wb.save_to_buffer()?)
}

/// The same plan of action as CSV.
pub fn nist_csv() -> String {
    let quote = |t: &str| format!("\"{}\"", t.replace('"', "\"\""));
    let mut out = NIST_HEADERS
        .iter()
        .map(|h| quote(h))
        .collect::<Vec<_>>()
        .join(",");
    out.push_str("\r\n");
    for row in nist_rows() {
        out.push_str(&row.iter().map(|t| quote(t)).collect::<Vec<_>>().join(","));
        out.push_str("\r\n");
    }
    out
}

/// An OSCAL 1.1.2 POA&M with the FedRAMP extensions: one open item with
/// every property the reader knows, one closed item.
pub fn oscal_poam() -> String {
    let fr = "https://fedramp.gov/ns/oscal";
    let doc = serde_json::json!({
      "plan-of-action-and-milestones": {
        "uuid": "11111111-1111-4111-8111-111111111111",
        "metadata": {
          "title": "Example Cloud POA&M",
          "published": "2024-09-01T00:00:00Z",
          "last-modified": "2024-09-01T00:00:00Z",
          "version": "1.0",
          "oscal-version": "1.1.2",
          "parties": [
            {"uuid": "22222222-2222-4222-8222-222222222222", "type": "organization", "name": "Example CSP"},
            {"uuid": "33333333-3333-4333-8333-333333333333", "type": "person", "name": "Jane Doe"}
          ],
          "responsible-parties": [
            {"role-id": "cloud-service-provider", "party-uuids": ["22222222-2222-4222-8222-222222222222"]}
          ]
        },
        "import-ssp": {"href": "ssp.json"},
        "system-id": {"identifier-type": fr, "id": "F1234567890"},
        "local-definitions": {
          "components": [
            {"uuid": "44444444-4444-4444-8444-444444444444", "type": "software", "title": "Scanner",
             "description": "Vulnerability scanner", "props": [{"name": "name", "ns": fr, "value": "Nessus"}],
             "status": {"state": "operational"}}
          ],
          "inventory-items": [
            {"uuid": "55555555-5555-4555-8555-555555555555", "description": "web server",
             "props": [{"name": "fqdn", "value": "web-01.example.cloud"}]},
            {"uuid": "66666666-6666-4666-8666-666666666666", "description": "db server",
             "props": [{"name": "ipv4-address", "value": "10.0.0.7"}]}
          ]
        },
        "observations": [
          {"uuid": "77777777-7777-4777-8777-777777777777", "description": "Scan finding", "methods": ["TEST"],
           "types": ["finding"],
           "origins": [{"actors": [{"type": "tool", "actor-uuid": "44444444-4444-4444-8444-444444444444"}]}],
           "subjects": [
             {"subject-uuid": "55555555-5555-4555-8555-555555555555", "type": "inventory-item"},
             {"subject-uuid": "66666666-6666-4666-8666-666666666666", "type": "inventory-item"}
           ],
           "collected": "2024-05-05T00:00:00Z"},
          {"uuid": "88888888-8888-4888-8888-888888888888", "description": "Only reachable from the management VLAN.",
           "methods": ["EXAMINE"], "types": ["risk-adjustment"], "collected": "2024-06-01T00:00:00Z"},
          {"uuid": "99999999-9999-4999-8999-999999999999", "description": "Manual review", "methods": ["EXAMINE"],
           "types": ["finding"], "collected": "2024-01-10T00:00:00Z"}
        ],
        "risks": [
          {"uuid": "aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa", "title": "OpenSSL out of date",
           "description": "The installed OpenSSL has known vulnerabilities.", "statement": "Remote attackers may decrypt traffic.",
           "props": [
             {"name": "impacted-control-id", "ns": fr, "value": "si-2"},
             {"name": "impacted-control-id", "ns": fr, "value": "ra-5.2"},
             {"name": "risk-adjustment", "ns": fr, "value": "approved"},
             {"name": "false-positive", "ns": fr, "value": "pending"},
             {"name": "operational-requirement", "ns": fr, "value": "withdrawn"},
             {"name": "vendor-dependency", "ns": fr, "value": "tracking"},
             {"name": "kev-catalog", "ns": fr, "value": "yes"},
             {"name": "kev-due-date", "ns": fr, "value": "2024-09-30"}
           ],
           "status": "open",
           "characterizations": [
             {"origin": {"actors": [{"type": "tool", "actor-uuid": "44444444-4444-4444-8444-444444444444",
                "props": [{"name": "plugin-id", "ns": fr, "value": "19506"}]}]},
              "facets": [{"name": "cve-id", "system": "http://cve.mitre.org", "value": "CVE-2024-1111"}]},
             {"origin": {"actors": [{"type": "party", "actor-uuid": "33333333-3333-4333-8333-333333333333"}]},
              "facets": [
                {"name": "risk", "system": fr, "value": "high", "props": [{"name": "state", "value": "initial"}]},
                {"name": "risk", "system": fr, "value": "moderate", "props": [{"name": "state", "value": "adjusted"}]}
              ]}
           ],
           "mitigating-factors": [{"uuid": "bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb", "description": "TLS 1.3 only on the public side."}],
           "deadline": "2024-11-02T00:00:00Z",
           "remediations": [
             {"uuid": "cccccccc-cccc-4ccc-8ccc-cccccccccccc", "lifecycle": "planned", "title": "Plan",
              "description": "Upgrade OpenSSL with the vendor's next release.",
              "origins": [{"actors": [{"type": "party", "actor-uuid": "33333333-3333-4333-8333-333333333333"}]}],
              "required-assets": [{"uuid": "dddddddd-dddd-4ddd-8ddd-dddddddddddd", "description": "One change window"}],
              "tasks": [
                {"uuid": "eeeeeeee-eeee-4eee-8eee-eeeeeeeeeeee", "type": "milestone", "title": "Vendor release available",
                 "description": "Tracked with the vendor", "timing": {"on-date": {"date": "2024-08-15T00:00:00Z"}}},
                {"uuid": "ffffffff-ffff-4fff-8fff-ffffffffffff", "type": "milestone", "title": "Upgrade deployed",
                 "timing": {"within-date-range": {"start": "2024-09-01T00:00:00Z", "end": "2024-10-15T00:00:00Z"}}}
              ]}
           ],
           "risk-log": {"entries": [
             {"uuid": "12121212-1212-4212-8212-121212121212", "title": "Vendor Check-in", "start": "2024-08-20T00:00:00Z",
              "props": [{"name": "vendor-dependency", "ns": fr, "value": "vendor-check-in"}]},
             {"uuid": "13131313-1313-4313-8313-131313131313", "title": "Milestone 2 moved", "description": "Vendor slipped",
              "start": "2024-08-21T00:00:00Z"}
           ]}},
          {"uuid": "abababab-abab-4bab-8bab-abababababab", "title": "Guest account enabled",
           "description": "A guest account was enabled.", "statement": "No Risk Statement",
           "props": [{"name": "impacted-control-id", "ns": fr, "value": "ac-2"}],
           "status": "closed",
           "characterizations": [{"origin": {"actors": [{"type": "party", "actor-uuid": "33333333-3333-4333-8333-333333333333"}]},
              "facets": [{"name": "risk", "system": fr, "value": "low", "props": [{"name": "state", "value": "initial"}]}]}],
           "deadline": "2024-04-09T00:00:00Z",
           "risk-log": {"entries": [{"uuid": "14141414-1414-4414-8414-141414141414", "title": "Risk Closed",
              "description": "Account disabled", "start": "2024-03-01T00:00:00Z", "status-change": "closed"}]}}
        ],
        "poam-items": [
          {"uuid": "15151515-1515-4515-8515-151515151515", "title": "OpenSSL out of date", "description": "See the risk.",
           "props": [{"name": "POAM-ID", "ns": fr, "value": "OSC-1"}],
           "related-observations": [
             {"observation-uuid": "77777777-7777-4777-8777-777777777777"},
             {"observation-uuid": "88888888-8888-4888-8888-888888888888"}
           ],
           "related-risks": [{"risk-uuid": "aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa"}]},
          {"uuid": "16161616-1616-4616-8616-161616161616", "title": "Guest account", "description": "See the risk.",
           "props": [{"name": "POAM-ID", "ns": fr, "value": "OSC-2"}],
           "related-observations": [{"observation-uuid": "99999999-9999-4999-8999-999999999999"}],
           "related-risks": [{"risk-uuid": "abababab-abab-4bab-8bab-abababababab"}]}
        ]
      }
    });
    let mut text = serde_json::to_string_pretty(&doc).unwrap_or_default();
    text.push('\n');
    text
}

/// Builds a fixture workbook in `layout`.
///
/// # Errors
///
/// When rust_xlsxwriter rejects a cell (it does not for these rows).
pub fn fedramp_fixture(layout: &Layout) -> Result<Vec<u8>> {
    let mut wb = Workbook::new();
    let created = ExcelDateTime::from_ymd(2024, 9, 1)?;
    wb.set_properties(
        &DocProperties::new()
            .set_creation_datetime(&created)
            .set_author("poamkit fixtures"),
    );
    for def in &layout.sheets {
        let ws = wb.add_worksheet();
        ws.set_name(&def.name)?;
        let (rows, example) = match def.role {
            SheetRole::Open => (open_rows(), def.fixed_rows.len() < 3),
            SheetRole::Closed => (closed_rows(), false),
            SheetRole::Configuration => (configuration_rows(), false),
        };
        write_sheet(ws, def, &rows, example)?;
    }
    // A sheet that is not part of the POA&M, as in the official files.
    let ws = wb.add_worksheet();
    ws.set_name("Record of Changes")?;
    ws.write_string(1, 1, "Record of Changes for Template")?;
    Ok(wb.save_to_buffer()?)
}

/// Rewrites `word/document.xml` of a .docx package.
fn patch_document_xml(docx: &[u8], patch: impl Fn(&str) -> String) -> Result<Vec<u8>> {
    use std::io::{Read, Write};
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(docx))?;
    let mut out = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for i in 0..zip.len() {
        let mut file = zip.by_index(i)?;
        let name = file.name()?.to_string();
        let mut data = Vec::new();
        file.read_to_end(&mut data)?;
        if name == "word/document.xml" {
            data = patch(&String::from_utf8(data)?).into_bytes();
        }
        out.start_file(name, options)?;
        out.write_all(&data)?;
    }
    Ok(out.finish()?.into_inner())
}

/// Turns checkbox tokens in run text into the three forms real SSPs use:
/// `[[CC1]]`/`[[CC0]]` content controls (checked/unchecked), `[[FF1]]`/`[[FF0]]`
/// legacy form fields. Typed `☒` needs no token.
fn checkboxes(xml: &str) -> String {
    let cc = |on: bool| {
        format!(
            "</w:t></w:r><w:sdt><w:sdtPr><w14:checkbox><w14:checked w14:val=\"{}\"/><w14:checkedState w14:val=\"2612\"/><w14:uncheckedState w14:val=\"2610\"/></w14:checkbox></w:sdtPr><w:sdtContent><w:r><w:t>{}</w:t></w:r></w:sdtContent></w:sdt><w:r><w:t xml:space=\"preserve\">",
            u8::from(on),
            // A stale glyph, as Word leaves when a box is ticked by script: the state wins.
            if on { '\u{2610}' } else { '\u{2612}' }
        )
    };
    let ff = |on: bool| {
        format!(
            "</w:t></w:r><w:r><w:fldChar w:fldCharType=\"begin\"><w:ffData><w:name w:val=\"Check1\"/><w:enabled/><w:calcOnExit w:val=\"0\"/><w:checkBox><w:sizeAuto/><w:default w:val=\"{}\"/></w:checkBox></w:ffData></w:fldChar></w:r><w:r><w:instrText xml:space=\"preserve\"> FORMCHECKBOX </w:instrText></w:r><w:r><w:fldChar w:fldCharType=\"end\"/></w:r><w:r><w:t xml:space=\"preserve\">",
            u8::from(on)
        )
    };
    xml.replace("[[CC1]]", &cc(true))
        .replace("[[CC0]]", &cc(false))
        .replace("[[FF1]]", &ff(true))
        .replace("[[FF0]]", &ff(false))
}

/// A FedRAMP Rev 5 Appendix A-like SSP: family and control headings, the
/// Control Summary Information and solution tables, checkboxes ticked in
/// all three forms, one planned completion date and one POA&M remark.
///
/// # Errors
///
/// When docx-rs or the zip rewrite fails.
pub fn fedramp_ssp_docx() -> Result<Vec<u8>> {
    use docx_rs::{Paragraph, Run, Style, StyleType, Table, TableCell, TableRow};
    let para = |t: &str| Paragraph::new().add_run(Run::new().add_text(t));
    let heading = |t: &str, level: usize| para(t).style(&format!("Heading{level}"));
    let one_col = |lines: Vec<String>| {
        Table::new(
            lines
                .into_iter()
                .map(|l| {
                    let mut cell = TableCell::new();
                    for p in l.split('\n') {
                        cell = cell.add_paragraph(para(p));
                    }
                    TableRow::new(vec![cell])
                })
                .collect(),
        )
    };
    // (heading level, control, title, status boxes, origination, role, solution)
    let sections: Vec<(usize, &str, &str, &str, &str, &str)> = vec![
        (2, "AC-2", "Account Management (L)(M)(H)", "[[CC0]] Implemented\n[[CC1]] Partially Implemented\n[[CC0]] Planned", "ISSO", "Part a: Accounts are reviewed quarterly.\nPart b: Part of the review is not automated yet."),
        (3, "AC-2(1)", "Automated System Account Management (M)(H)", "[[FF1]] Implemented\n[[FF0]] Planned", "System Administrator", "The directory service disables accounts."),
        (2, "AC-6", "Least Privilege (M)(H)", "☒ Implemented\n☐ Planned", "ISSO", "Privileges follow roles."),
        (3, "AC-6(5)", "Privileged Accounts (M)(H)", "☐ Implemented\n☒ Planned", "ISSO", "Planned completion date: 06/30/2025\nNamed administrator accounts will replace the shared one."),
        (2, "CM-6", "Configuration Settings (L)(M)(H)", "[[CC1]] Implemented", "Configuration Manager", "Baselines are enforced; deviations are tracked in the POA&M."),
        (2, "IA-5", "Authenticator Management (L)(M)(H)", "[[CC1]] Not Applicable", "ISSO", "No passwords are used."),
        (2, "SC-7", "Boundary Protection (L)(M)(H)", "[[CC1]] Planned", "Network Engineer", "A new firewall is being procured."),
        (2, "SC-13", "Cryptographic Protection (L)(M)(H)", "[[CC1]] Partially Implemented\n[[CC0]] Implemented", "ISSO", "FIPS mode is on for most servers."),
    ];
    let mut docx = word_document(3)
        .add_style(Style::new("TOC2", StyleType::Paragraph).name("toc 2"))
        .add_paragraph(para("Example Cloud FedRAMP Security Controls"))
        // A table of contents that names the controls again: skipped.
        .add_paragraph(para("AC-2 Account Management (L)(M)(H)\t4").style("TOC2"))
        .add_paragraph(para("AC-6 Least Privilege (M)(H)\t6").style("TOC2"))
        .add_paragraph(heading("Access Control", 1));
    let mut family = "AC";
    for (level, control, title, status, role, solution) in sections {
        if !control.starts_with(family) {
            family = &control[..2];
            let name = match family {
                "CM" => "Configuration Management",
                "IA" => "Identification and Authentication",
                _ => "System and Communications Protection",
            };
            docx = docx.add_paragraph(heading(name, 1));
        }
        docx = docx
            .add_paragraph(heading(&format!("{control} {title}"), level))
            .add_paragraph(para("The organization shall do what the control requires."))
            .add_table(one_col(vec![
                format!("{control} Control Summary Information"),
                format!("Responsible Role: {role}"),
                format!("Parameter {control}(a): as stated"),
                format!("Implementation Status (check all that apply):\n{status}"),
                "Control Origination (check all that apply):\n[[CC1]] Service Provider System Specific\n[[CC0]] Shared (Service Provider and Customer Responsibility)".to_string(),
            ]))
            .add_paragraph(para(""))
            .add_table(one_col(vec![
                format!("{control} What is the solution and how is it implemented?"),
                solution.to_string(),
            ]));
    }
    let mut out = std::io::Cursor::new(Vec::new());
    docx.build().pack(&mut out)?;
    patch_document_xml(&out.into_inner(), checkboxes)
}

/// A NIST SP 800-171 SSP: one heading per requirement, its status as typed
/// boxes, one planned implementation date.
///
/// # Errors
///
/// When docx-rs fails.
pub fn nist_ssp_docx() -> Result<Vec<u8>> {
    use docx_rs::{Paragraph, Run};
    let para = |t: &str| Paragraph::new().add_run(Run::new().add_text(t));
    let mut docx = word_document(2)
        .add_paragraph(para("System Security Plan for Example Contractor"))
        .add_paragraph(para("3. REQUIREMENTS").style("Heading1"));
    for (req, status, extra) in [
        ("3.1.1 Limit system access to authorized users, processes acting on behalf of authorized users, and devices.", "☐ Implemented ☒ Planned to be Implemented ☐ Not Applicable", "Shared accounts remain; see the plan of action."),
        ("AC.L2-3.1.2 Transaction & Function Control", "☒ Implemented ☐ Planned to be Implemented ☐ Not Applicable", "Role-based access control."),
        ("3.5.3 Use multifactor authentication for local and network access to privileged accounts.", "☐ Implemented ☒ Planned to be Implemented ☐ Not Applicable", "Planned implementation date: 2025-03-31"),
        ("3.13.11 Employ FIPS-validated cryptography when used to protect the confidentiality of CUI.", "☐ Implemented ☒ Planned to be Implemented ☐ Not Applicable", "Planned implementation date: 2025-09-30"),
    ] {
        docx = docx
            .add_paragraph(para(req).style("Heading2"))
            .add_paragraph(para(&format!("Implementation status: {status}")))
            .add_paragraph(para(extra));
    }
    let mut out = std::io::Cursor::new(Vec::new());
    docx.build().pack(&mut out)?;
    Ok(out.into_inner())
}

/// A POA&M in poamkit's JSON to check against [`fedramp_ssp_docx`]: each
/// kind of disagreement once, and one item that agrees.
pub fn ssp_poam_json() -> String {
    let item = |id: &str,
                state: &str,
                controls: &[&str],
                parts: &[&str],
                name: &str,
                due: Option<&str>| {
        serde_json::json!({
            "id": id, "state": state, "status": null, "controls": controls, "control_parts": parts,
            "unparsed_controls": [], "weakness_name": name, "weakness_description": null, "detector_source": null,
            "source_identifier": null, "assets": [], "point_of_contact": null, "resources_required": null,
            "remediation_plan": null, "detected_on": "2024-06-01", "scheduled_completion": due, "status_date": null,
            "completed_on": null, "milestones": [], "milestone_changes": null,
            "risk": {"original": "moderate", "adjusted": null, "adjustment": null, "false_positive": null,
                     "operational_requirement": null, "deviation_rationale": null},
            "vendor": {"dependency": null, "last_checkin": null, "product": null}, "cves": [],
            "kev": {"listed": null, "due": null}, "service_names": [], "supporting_documents": null,
            "comments": null, "origin": null, "extra": {}
        })
    };
    let doc = serde_json::json!({
        "system": {"name": "Example Cloud", "organization": "Example CSP", "impact_level": "Moderate", "poam_date": "2024-09-01"},
        "items": [
            item("P-1", "open", &["AC-2(1)"], &[], "Stale accounts not disabled", Some("2024-12-31")),
            item("P-2", "open", &["CM-6"], &[], "Baseline deviation on web servers", Some("2024-11-30")),
            item("P-3", "open", &["AC-6(5)"], &[], "Shared administrator account", Some("2025-03-31")),
            item("P-4", "closed", &["SC-13"], &[], "FIPS mode off on the database", Some("2024-08-01")),
            item("P-5", "open", &["IA-5"], &[], "Default passwords on printers", Some("2024-10-31")),
            item("P-6", "open", &["RA-5"], &[], "Scanner credentials expired", Some("2024-10-15")),
            item("P-7", "open", &["AC-2"], &["AC-2b"], "Account review not automated", Some("2025-01-31")),
        ]
    });
    let mut text = serde_json::to_string_pretty(&doc).unwrap_or_default();
    text.push('\n');
    text
}

/// A large FedRAMP v3.0 workbook of `n` open items, for benchmarks: the
/// fixture's first item repeated with its own POA&M ID. Written in
/// constant-memory mode, so any size fits.
///
/// # Errors
///
/// When rust_xlsxwriter rejects a cell or the file cannot be written.
pub fn write_large_fedramp(n: usize, path: &Path) -> Result<()> {
    let layout = poam_layout::builtin()
        .find("fedramp", Some("3.0"))
        .context("the FedRAMP v3.0 layout")?;
    let def = layout
        .sheet_by_role(SheetRole::Open)
        .context("the Open sheet")?;
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet_with_constant_memory()?;
    ws.set_name(&def.name)?;
    let date_fmt = Format::new().set_num_format("mm/dd/yyyy");
    let c0 = column_index(&def.first_column).unwrap_or(0);
    for (i, h) in def.headers.iter().enumerate() {
        ws.write_string(def.header_row - 1, c0 + i as u16, h)?;
    }
    let template = open_rows().remove(0);
    let ids: Vec<String> = (0..n).map(|k| format!("POAM-{:06}", k + 1)).collect();
    for (k, id) in ids.iter().enumerate() {
        let r = def.first_data_row - 1 + k as u32;
        for (header, raw) in &template {
            let Some(i) = def.headers.iter().position(|h| h == header) else {
                continue;
            };
            let col = c0 + i as u16;
            if *header == "POAM ID" {
                ws.write_string(r, col, id)?;
            } else {
                write_raw(ws, r, col, raw, &date_fmt)?;
            }
        }
    }
    wb.save(path)?;
    Ok(())
}

/// The fixture file name of a layout (`fedramp-v3.0.xlsx`).
pub fn fixture_name(layout: &Layout) -> String {
    let ext = if layout.version.starts_with("20")
        || layout.version == "2.0"
        || layout.version == "rmf-classic"
    {
        "xlsm"
    } else {
        "xlsx"
    };
    format!("{}-{}.{ext}", layout.family, layout.version)
}

/// Writes every fixture under `dir/<family>/`.
///
/// # Errors
///
/// When a file cannot be written.
pub fn write_all(dir: &Path) -> Result<Vec<String>> {
    let mut names = Vec::new();
    for layout in poam_layout::builtin().all() {
        let bytes = match layout.family.as_str() {
            "fedramp" => fedramp_fixture(layout)?,
            "emass" => emass_fixture(layout)?,
            _ => continue,
        };
        let sub = dir.join(&layout.family);
        std::fs::create_dir_all(&sub).with_context(|| format!("creating {}", sub.display()))?;
        let name = fixture_name(layout);
        let path = sub.join(&name);
        std::fs::write(&path, bytes).with_context(|| format!("writing {}", path.display()))?;
        names.push(format!("{}/{name}", layout.family));
    }
    let sub = dir.join("legacy");
    std::fs::create_dir_all(&sub).with_context(|| format!("creating {}", sub.display()))?;
    std::fs::write(sub.join("unit-tracker.xlsx"), legacy_fixture()?)
        .context("writing the legacy fixture")?;
    std::fs::write(sub.join("unit-tracker.ods"), legacy_ods()?)
        .context("writing the legacy ods fixture")?;
    names.push("legacy/unit-tracker.xlsx".into());
    names.push("legacy/unit-tracker.ods".into());
    let sub = dir.join("nist");
    std::fs::create_dir_all(&sub).with_context(|| format!("creating {}", sub.display()))?;
    std::fs::write(sub.join("plan-of-action.docx"), nist_docx()?)
        .context("writing the NIST docx")?;
    std::fs::write(sub.join("plan-of-action.xlsx"), nist_xlsx()?)
        .context("writing the NIST workbook")?;
    std::fs::write(sub.join("plan-of-action.csv"), nist_csv()).context("writing the NIST csv")?;
    names.extend([
        "nist/plan-of-action.docx".into(),
        "nist/plan-of-action.xlsx".into(),
        "nist/plan-of-action.csv".into(),
    ]);
    let sub = dir.join("oscal");
    std::fs::create_dir_all(&sub).with_context(|| format!("creating {}", sub.display()))?;
    std::fs::write(sub.join("poam.json"), oscal_poam()).context("writing the OSCAL fixture")?;
    std::fs::write(sub.join("poam.xml"), oscal_poam_xml()?)
        .context("writing the OSCAL XML fixture")?;
    names.push("oscal/poam.json".into());
    names.push("oscal/poam.xml".into());
    let sub = dir.join("ssp");
    std::fs::create_dir_all(&sub).with_context(|| format!("creating {}", sub.display()))?;
    std::fs::write(sub.join("appendix-a.docx"), fedramp_ssp_docx()?)
        .context("writing the SSP fixture")?;
    std::fs::write(sub.join("nist-171-ssp.docx"), nist_ssp_docx()?)
        .context("writing the NIST SSP fixture")?;
    std::fs::write(sub.join("poam.json"), ssp_poam_json())
        .context("writing the SSP POA&M fixture")?;
    let sub = dir.join("quality");
    std::fs::create_dir_all(&sub).with_context(|| format!("creating {}", sub.display()))?;
    for (name, bytes) in [
        ("capa-log.xlsx", quality::capa_log_xlsx()?),
        ("capa-log.csv", quality::capa_log_csv()?.into_bytes()),
        ("audit-register.xlsx", quality::register_xlsx()?),
        ("audit-register.csv", quality::register_csv()?.into_bytes()),
    ] {
        std::fs::write(sub.join(name), bytes).with_context(|| format!("writing quality/{name}"))?;
        names.push(format!("quality/{name}"));
    }
    let sub = dir.join("shapes");
    std::fs::create_dir_all(&sub).with_context(|| format!("creating {}", sub.display()))?;
    std::fs::create_dir_all(sub.join("refused"))?;
    for shape in shapes::all()? {
        std::fs::write(sub.join(shape.file), &shape.bytes)
            .with_context(|| format!("writing shapes/{}", shape.file))?;
        names.push(format!("shapes/{}", shape.file));
    }
    names.extend([
        "ssp/appendix-a.docx".into(),
        "ssp/nist-171-ssp.docx".into(),
        "ssp/poam.json".into(),
    ]);
    Ok(names)
}

/// One input of a business-unit tree: the folder (the unit), the file name and
/// the bytes.
pub struct TreeFile {
    /// The unit's folder name (`bu-07`).
    pub unit: String,
    /// File name.
    pub name: String,
    /// Content.
    pub bytes: Vec<u8>,
}

/// A tree of `units` business units, each with one POA&M in a layout taken in
/// turn from every layout poamkit reads (FedRAMP, eMASS, legacy xlsx and ods,
/// NIST xlsx/csv/docx, OSCAL), plus `broken` files that cannot be read (a
/// truncated workbook, a workbook with no POA&M, a text file named .xlsx).
///
/// # Errors
///
/// When a fixture cannot be built.
pub fn unit_tree(units: usize, broken: usize) -> Result<Vec<TreeFile>> {
    type Make = Box<dyn Fn() -> Result<(String, Vec<u8>)>>;
    let mut makers: Vec<Make> = Vec::new();
    for layout in poam_layout::builtin().all() {
        let layout = layout.clone();
        match layout.family.as_str() {
            "fedramp" => makers.push(Box::new(move || {
                Ok((fixture_name(&layout), fedramp_fixture(&layout)?))
            })),
            "emass" => makers.push(Box::new(move || {
                Ok((fixture_name(&layout), emass_fixture(&layout)?))
            })),
            _ => {}
        }
    }
    makers.push(Box::new(|| Ok(("tracker.xlsx".into(), legacy_fixture()?))));
    makers.push(Box::new(|| Ok(("tracker.ods".into(), legacy_ods()?))));
    makers.push(Box::new(|| Ok(("plan.xlsx".into(), nist_xlsx()?))));
    makers.push(Box::new(|| {
        Ok(("plan.csv".into(), nist_csv().into_bytes()))
    }));
    makers.push(Box::new(|| Ok(("plan.docx".into(), nist_docx()?))));
    makers.push(Box::new(|| {
        Ok(("poam.json".into(), oscal_poam().into_bytes()))
    }));
    let mut out = Vec::new();
    for k in 0..units {
        let (name, bytes) = makers[k % makers.len()]()?;
        out.push(TreeFile {
            unit: format!("bu-{:02}", k + 1),
            name,
            bytes,
        });
    }
    let good = fedramp_fixture(
        poam_layout::builtin()
            .find("fedramp", Some("3.0"))
            .context("the FedRAMP v3.0 layout")?,
    )?;
    for k in 0..broken {
        let (name, bytes) = match k % 3 {
            // Cut off by an email gateway.
            0 => (
                "truncated.xlsx".to_string(),
                good[..good.len() / 2].to_vec(),
            ),
            // A workbook, but a budget rather than a POA&M.
            1 => {
                let mut wb = Workbook::new();
                let ws = wb.add_worksheet();
                ws.write_string(0, 0, "Budget line")?;
                ws.write_string(0, 1, "Amount")?;
                ws.write_string(1, 0, "Licenses")?;
                ws.write_number(1, 1, 1200.0)?;
                ("budget.xlsx".to_string(), wb.save_to_buffer()?)
            }
            _ => (
                "notes.xlsx".to_string(),
                b"meeting notes, not a workbook\n".to_vec(),
            ),
        };
        out.push(TreeFile {
            unit: format!("bu-broken-{}", k + 1),
            name,
            bytes,
        });
    }
    Ok(out)
}

/// Writes [`unit_tree`] under `dir/<unit>/<file>`; returns the paths written.
///
/// # Errors
///
/// When a fixture cannot be built or written.
pub fn write_unit_tree(dir: &Path, units: usize, broken: usize) -> Result<Vec<std::path::PathBuf>> {
    let mut paths = Vec::new();
    for f in unit_tree(units, broken)? {
        let sub = dir.join(&f.unit);
        std::fs::create_dir_all(&sub).with_context(|| format!("creating {}", sub.display()))?;
        let path = sub.join(&f.name);
        std::fs::write(&path, &f.bytes).with_context(|| format!("writing {}", path.display()))?;
        paths.push(path);
    }
    Ok(paths)
}

/// A Word document with fixed dates (so that fixtures are the same on every
/// run) and the heading styles of levels 1 to `headings`.
fn word_document(headings: usize) -> docx_rs::Docx {
    use docx_rs::{Docx, Style, StyleType};
    (1..=headings).fold(
        Docx::new()
            .created_at("2024-09-01T00:00:00Z")
            .updated_at("2024-09-01T00:00:00Z"),
        |docx, level| {
            docx.add_style(
                Style::new(format!("Heading{level}"), StyleType::Paragraph)
                    .name(format!("heading {level}"))
                    .outline_lvl(level - 1),
            )
        },
    )
}

/// An element's flags, and its children as (JSON property, XML element).
type XmlShape = (
    &'static [&'static str],
    &'static [(&'static str, &'static str)],
);

/// OSCAL's XML for an element: its flags, then its children in the order
/// OSCAL 1.1.2's XML schema sequences them, each as (JSON property, XML
/// element). Only the elements the fixtures use.
fn oscal_xml_shape(element: &str) -> Option<XmlShape> {
    Some(match element {
        "plan-of-action-and-milestones" => (
            &["uuid"],
            &[
                ("metadata", "metadata"),
                ("import-ssp", "import-ssp"),
                ("system-id", "system-id"),
                ("local-definitions", "local-definitions"),
                ("observations", "observation"),
                ("risks", "risk"),
                ("findings", "finding"),
                ("poam-items", "poam-item"),
                ("back-matter", "back-matter"),
            ],
        ),
        "metadata" => (
            &[],
            &[
                ("title", "title"),
                ("published", "published"),
                ("last-modified", "last-modified"),
                ("version", "version"),
                ("oscal-version", "oscal-version"),
                ("props", "prop"),
                ("parties", "party"),
                ("responsible-parties", "responsible-party"),
                ("remarks", "remarks"),
            ],
        ),
        "party" => (
            &["uuid", "type"],
            &[("name", "name"), ("props", "prop"), ("remarks", "remarks")],
        ),
        "responsible-party" => (
            &["role-id"],
            &[
                ("props", "prop"),
                ("party-uuids", "party-uuid"),
                ("remarks", "remarks"),
            ],
        ),
        "import-ssp" => (&["href"], &[("remarks", "remarks")]),
        "local-definitions" => (
            &[],
            &[
                ("components", "component"),
                ("inventory-items", "inventory-item"),
                ("remarks", "remarks"),
            ],
        ),
        "component" => (
            &["uuid", "type"],
            &[
                ("title", "title"),
                ("description", "description"),
                ("props", "prop"),
                ("status", "status"),
                ("remarks", "remarks"),
            ],
        ),
        "status" => (&["state"], &[("remarks", "remarks")]),
        "inventory-item" => (
            &["uuid"],
            &[
                ("description", "description"),
                ("props", "prop"),
                ("remarks", "remarks"),
            ],
        ),
        "prop" => (
            &["name", "uuid", "ns", "value", "class", "group"],
            &[("remarks", "remarks")],
        ),
        "observation" => (
            &["uuid"],
            &[
                ("title", "title"),
                ("description", "description"),
                ("props", "prop"),
                ("methods", "method"),
                ("types", "type"),
                ("origins", "origin"),
                ("subjects", "subject"),
                ("collected", "collected"),
                ("expires", "expires"),
                ("remarks", "remarks"),
            ],
        ),
        "origin" => (&[], &[("actors", "actor")]),
        "actor" => (&["type", "actor-uuid", "role-id"], &[("props", "prop")]),
        "subject" => (
            &["subject-uuid", "type"],
            &[
                ("title", "title"),
                ("props", "prop"),
                ("remarks", "remarks"),
            ],
        ),
        "risk" => (
            &["uuid"],
            &[
                ("title", "title"),
                ("description", "description"),
                ("statement", "statement"),
                ("props", "prop"),
                ("status", "status"),
                ("origins", "origin"),
                ("characterizations", "characterization"),
                ("mitigating-factors", "mitigating-factor"),
                ("deadline", "deadline"),
                ("remediations", "response"),
                ("risk-log", "risk-log"),
                ("related-observations", "related-observation"),
            ],
        ),
        "characterization" => (
            &[],
            &[("props", "prop"), ("origin", "origin"), ("facets", "facet")],
        ),
        "facet" => (
            &["name", "system", "value"],
            &[("props", "prop"), ("remarks", "remarks")],
        ),
        "mitigating-factor" => (
            &["uuid", "implementation-uuid"],
            &[("description", "description"), ("props", "prop")],
        ),
        "response" => (
            &["uuid", "lifecycle"],
            &[
                ("title", "title"),
                ("description", "description"),
                ("props", "prop"),
                ("origins", "origin"),
                ("required-assets", "required-asset"),
                ("tasks", "task"),
                ("remarks", "remarks"),
            ],
        ),
        "required-asset" => (
            &["uuid"],
            &[
                ("title", "title"),
                ("description", "description"),
                ("props", "prop"),
            ],
        ),
        "task" => (
            &["uuid", "type"],
            &[
                ("title", "title"),
                ("description", "description"),
                ("props", "prop"),
                ("timing", "timing"),
            ],
        ),
        "timing" => (
            &[],
            &[
                ("on-date", "on-date"),
                ("within-date-range", "within-date-range"),
            ],
        ),
        "on-date" => (&["date"], &[]),
        "within-date-range" => (&["start", "end"], &[]),
        "risk-log" => (&[], &[("entries", "entry")]),
        "entry" => (
            &["uuid"],
            &[
                ("title", "title"),
                ("description", "description"),
                ("start", "start"),
                ("end", "end"),
                ("props", "prop"),
                ("status-change", "status-change"),
                ("remarks", "remarks"),
            ],
        ),
        "poam-item" => (
            &["uuid"],
            &[
                ("title", "title"),
                ("description", "description"),
                ("props", "prop"),
                ("related-observations", "related-observation"),
                ("related-risks", "associated-risk"),
                ("remarks", "remarks"),
            ],
        ),
        "related-observation" => (&["observation-uuid"], &[]),
        "associated-risk" => (&["risk-uuid"], &[]),
        _ => return None,
    })
}

pub(crate) fn xml_escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// Writes one element of OSCAL's XML from its JSON form.
fn oscal_xml_element(
    name: &str,
    value: &serde_json::Value,
    depth: usize,
    out: &mut String,
) -> Result<()> {
    use serde_json::Value;
    let pad = "  ".repeat(depth);
    match value {
        Value::String(text) if ["description", "remarks", "statement"].contains(&name) => {
            out.push_str(&format!(
                "{pad}<{name}><p>{}</p></{name}>\n",
                xml_escape(text)
            ));
        }
        Value::String(text) => {
            out.push_str(&format!("{pad}<{name}>{}</{name}>\n", xml_escape(text)))
        }
        Value::Object(map) if name == "system-id" => {
            let kind = map
                .get("identifier-type")
                .and_then(Value::as_str)
                .unwrap_or_default();
            let id = map.get("id").and_then(Value::as_str).unwrap_or_default();
            out.push_str(&format!(
                "{pad}<system-id identifier-type=\"{}\">{}</system-id>\n",
                xml_escape(kind),
                xml_escape(id)
            ));
        }
        Value::Object(map) => {
            let (flags, children) = oscal_xml_shape(name)
                .ok_or_else(|| anyhow::anyhow!("no XML shape for <{name}>"))?;
            for key in map.keys() {
                if !flags.contains(&key.as_str()) && !children.iter().any(|(j, _)| j == key) {
                    anyhow::bail!("<{name}>: no XML place for \"{key}\"");
                }
            }
            out.push_str(&format!("{pad}<{name}"));
            if depth == 0 {
                out.push_str(" xmlns=\"http://csrc.nist.gov/ns/oscal/1.0\"");
            }
            for flag in flags.iter() {
                if let Some(v) = map.get(*flag).and_then(Value::as_str) {
                    out.push_str(&format!(" {flag}=\"{}\"", xml_escape(v)));
                }
            }
            let present: Vec<&(&str, &str)> = children
                .iter()
                .filter(|(j, _)| map.contains_key(*j))
                .collect();
            if present.is_empty() {
                out.push_str("/>\n");
                return Ok(());
            }
            out.push_str(">\n");
            for (json, xml) in present {
                match &map[*json] {
                    Value::Array(list) => {
                        for v in list {
                            oscal_xml_element(xml, v, depth + 1, out)?;
                        }
                    }
                    v => oscal_xml_element(xml, v, depth + 1, out)?,
                }
            }
            out.push_str(&format!("{pad}</{name}>\n"));
        }
        other => anyhow::bail!("<{name}>: cannot write {other}"),
    }
    Ok(())
}

/// The OSCAL fixture ([`oscal_poam`]) in OSCAL's XML format, as OSCAL's
/// XML-to-JSON rules make it from the JSON (flags, element order, markup).
///
/// # Errors
///
/// When the JSON holds a property that has no place in the XML.
pub fn oscal_poam_xml() -> Result<String> {
    let doc: serde_json::Value = serde_json::from_str(&oscal_poam())?;
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    oscal_xml_element(
        "plan-of-action-and-milestones",
        &doc["plan-of-action-and-milestones"],
        0,
        &mut out,
    )?;
    Ok(out)
}
