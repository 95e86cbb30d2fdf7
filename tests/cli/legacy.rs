//! Legacy and home-grown trackers: header synonyms, mapping files, CSV.

use super::{item, model, poam, root};
use serde_json::json;

const TRACKER: &str = "fixtures/legacy/unit-tracker.xlsx";

#[test]
fn a_home_grown_tracker_reads_without_a_mapping() {
    let m = model(TRACKER, &[]);
    assert_eq!(m["items"].as_array().unwrap().len(), 4);
    let a = item(&m, "BU7-001");
    assert_eq!(a["state"], "open");
    assert_eq!(a["status"], "ongoing");
    assert_eq!(a["weakness_name"], "Unsupported Java runtime");
    assert_eq!(a["controls"], json!(["SI-2", "CM-8(1)"]));
    assert_eq!(a["risk"]["original"], "high");
    assert_eq!(a["point_of_contact"], "A. Analyst");
    assert_eq!(a["detected_on"], "2024-03-15");
    assert_eq!(a["scheduled_completion"], "2024-06-15");
    assert_eq!(a["remediation_plan"], "Upgrade to a supported runtime.");
    assert_eq!(a["extra"]["Internal Ref"], "CHG-1");
    assert_eq!(
        a["origin"],
        json!({"file": TRACKER, "sheet": "Open Findings", "row": 5})
    );
    let b = item(&m, "BU7-002");
    assert_eq!(b["risk"]["original"], "moderate", "Med");
    assert_eq!(b["controls"], json!(["SC-8(1)"]));
    assert_eq!(b["detected_on"], "2024-04-02");
    // A Closed status on the Open sheet closes the item.
    let c = item(&m, "BU7-003");
    assert_eq!(c["state"], "closed");
    assert_eq!(c["detected_on"], "2024-04-20");
    assert_eq!(c["extra"]["Est. Completion"], "TBD");
    // The Closed sheet's items are closed.
    let d = item(&m, "BU7-000");
    assert_eq!(d["state"], "closed");
    assert_eq!(d["completed_on"], "2024-01-30");
    assert_eq!(d["comments"], "Verified by rescan.");

    let out = poam().args(["inspect", TRACKER]).output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("layout:  legacy tracker (header synonyms)"),
        "{text}"
    );
    assert!(
        text.contains("header row 4 matched 9 field(s) by synonym: 'Finding #' = id"),
        "{text}"
    );
    assert!(
        text.contains("sheet 'Lists' [not read: no POA&M header row]"),
        "{text}"
    );
    assert!(
        text.contains("'Open Findings'!H7: cannot read date \"TBD\""),
        "{text}"
    );
}

#[test]
fn emitted_mapping_can_be_edited_and_used() {
    let dir = tempfile::tempdir().unwrap();
    let map = dir.path().join("bu7.toml");
    poam()
        .args(["inspect", TRACKER, "--emit-mapping"])
        .arg(&map)
        .assert()
        .success();
    let text = std::fs::read_to_string(&map).unwrap();
    assert!(text.contains("\"Finding #\" = \"id\""), "{text}");
    assert!(text.contains("\"Internal Ref\" = \"extra\""), "{text}");
    assert!(
        text.contains("name = \"Closed\"\nheader_row = 1\nrole = \"closed\""),
        "{text}"
    );
    std::fs::write(
        &map,
        text.replace(
            "\"Internal Ref\" = \"extra\"",
            "\"Internal Ref\" = \"source_identifier\"",
        ),
    )
    .unwrap();
    let m = model(TRACKER, &["--mapping", map.to_str().unwrap()]);
    assert_eq!(item(&m, "BU7-001")["source_identifier"], "CHG-1");
    assert_eq!(item(&m, "BU7-001")["extra"], json!({}));
    assert_eq!(item(&m, "BU7-000")["state"], "closed");

    // A mapping with an unknown field is refused with its name.
    std::fs::write(&map, "[columns]\n\"Finding #\" = \"identifier\"\n").unwrap();
    poam()
        .args(["convert", TRACKER, "--to", "json", "--mapping"])
        .arg(&map)
        .assert()
        .code(2)
        .stderr(predicates::str::contains(
            "maps to unknown field \"identifier\"",
        ));
}

fn workbook(path: &std::path::Path, sheet: &str, rows: &[&[&str]]) {
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    ws.set_name(sheet).unwrap();
    for (r, row) in rows.iter().enumerate() {
        for (c, v) in row.iter().enumerate() {
            ws.write_string(r as u32, c as u16, *v).unwrap();
        }
    }
    wb.save(path).unwrap();
}

#[test]
fn unknown_headers_need_a_mapping_and_doubtful_ones_stop_with_the_choices() {
    let dir = tempfile::tempdir().unwrap();
    let odd = dir.path().join("odd.xlsx");
    workbook(
        &odd,
        "Q3",
        &[
            &["Nº", "Problem", "Ctl", "Who", "When due"],
            &["7", "Guest Wi-Fi open", "AC-18", "Net team", "10/31/2024"],
        ],
    );
    poam()
        .args(["convert", odd.to_str().unwrap(), "--to", "json"])
        .assert()
        .code(2)
        .stderr(predicates::str::contains("no POA&M found"));
    let map = dir.path().join("odd.toml");
    std::fs::write(
        &map,
        "[columns]\n\"Nº\" = \"id\"\n\"Problem\" = \"weakness_name\"\n\"Ctl\" = \"controls\"\n\"Who\" = \"point_of_contact\"\n\"When due\" = \"scheduled_completion\"\n",
    )
    .unwrap();
    let m = model(odd.to_str().unwrap(), &["--mapping", map.to_str().unwrap()]);
    let a = item(&m, "7");
    assert_eq!(a["weakness_name"], "Guest Wi-Fi open");
    assert_eq!(a["controls"], json!(["AC-18"]));
    assert_eq!(a["scheduled_completion"], "2024-10-31");

    let doubtful = dir.path().join("doubtful.xlsx");
    workbook(
        &doubtful,
        "Projects",
        &[
            &[
                "ID",
                "Title",
                "Owner",
                "Budget",
                "Quarter",
                "Region",
                "Cost centre",
            ],
            &[
                "1",
                "New lobby",
                "Facilities",
                "10000",
                "Q1",
                "East",
                "F-100",
            ],
        ],
    );
    let out = poam()
        .args(["convert", doubtful.to_str().unwrap(), "--to", "json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("cannot tell with confidence"), "{stderr}");
    assert!(
        stderr.contains("legacy tracker (sheet 'Projects' row 1: 3 of 7 headers recognized)"),
        "{stderr}"
    );
    assert!(
        stderr.contains("--from LAYOUT") && stderr.contains("--mapping FILE"),
        "{stderr}"
    );
    // --from legacy settles it.
    let m = model(doubtful.to_str().unwrap(), &["--from", "legacy"]);
    assert_eq!(item(&m, "1")["weakness_name"], "New lobby");
    assert_eq!(item(&m, "1")["extra"]["Budget"], "10000");
}

#[test]
fn a_tracker_saved_as_csv_reads_like_the_workbook() {
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("tracker.csv");
    std::fs::write(
        &csv,
        "Finding ID,Vulnerability,Risk Level,NIST Control,Responsible POC,Discovery Date,Target Date,Status\n\
         F-1,Outdated OpenSSL,Critical,\"SC-8, SC-13\",Ops,2024-02-01,2024-02-16,Open\n\
         F-2,Old report,Low,AU-6,Audit,01/10/2024,03/10/2024,Completed\n",
    )
    .unwrap();
    let m = model(csv.to_str().unwrap(), &[]);
    let a = item(&m, "F-1");
    assert_eq!(a["risk"]["original"], "critical");
    assert_eq!(a["controls"], json!(["SC-8", "SC-13"]));
    assert_eq!(a["scheduled_completion"], "2024-02-16");
    assert_eq!(item(&m, "F-2")["state"], "closed");
    assert_eq!(a["origin"]["sheet"], "csv");
    let _ = root();
}

#[test]
fn the_same_tracker_saved_as_ods_reads_the_same() {
    let xlsx = model(TRACKER, &[]);
    let ods = model("fixtures/legacy/unit-tracker.ods", &[]);
    assert_eq!(
        super::without_origin(ods.clone()),
        super::without_origin(xlsx)
    );
    assert_eq!(
        item(&ods, "BU7-002")["detected_on"],
        "2024-04-02",
        "an ods date cell"
    );
}

/// LibreOffice, when installed (`.ci/run` installs it): it writes the real
/// Excel 97 (BIFF8) files that poamkit must read like xlsx.
fn soffice() -> Option<std::path::PathBuf> {
    ["soffice", "libreoffice"].iter().find_map(|name| {
        std::env::var_os("PATH").and_then(|paths| {
            std::env::split_paths(&paths)
                .map(|p| p.join(name))
                .find(|p| p.is_file())
        })
    })
}

#[test]
fn the_same_tracker_saved_as_xls_by_libreoffice_reads_the_same() {
    let Some(soffice) = soffice() else {
        crate::require::missing("LibreOffice (soffice) is not installed; .ci/run installs it");
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let profile = format!(
        "-env:UserInstallation=file://{}/profile",
        dir.path().display()
    );
    let status = std::process::Command::new(soffice)
        .args(["--headless", &profile, "--convert-to", "xls", "--outdir"])
        .arg(dir.path())
        .arg(root().join(TRACKER))
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status()
        .unwrap();
    assert!(status.success());
    let xls = dir.path().join("unit-tracker.xls");
    assert!(
        std::fs::read(&xls)
            .unwrap()
            .starts_with(&[0xD0, 0xCF, 0x11, 0xE0]),
        "an OLE (BIFF) file"
    );
    let from_xls = model(xls.to_str().unwrap(), &[]);
    assert_eq!(
        super::without_origin(from_xls),
        super::without_origin(model(TRACKER, &[]))
    );
}

#[test]
fn hidden_sheets_and_chart_sheets_are_not_items() {
    use rust_xlsxwriter::{Chart, ChartType, Workbook};
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("tracker.xlsx");
    let header = ["POA&M ID", "Weakness", "Control", "Status", "Due Date"];
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet().set_name("Tracker").unwrap();
    for (c, h) in header.iter().enumerate() {
        ws.write_string(0, c as u16, *h).unwrap();
    }
    for (c, v) in ["V-1", "Weak passwords", "IA-5", "Open", "2025-03-01"]
        .iter()
        .enumerate()
    {
        ws.write_string(1, c as u16, *v).unwrap();
    }
    // Last year's tab, hidden by its owner, with the same columns.
    let old = wb.add_worksheet().set_name("Old 2023").unwrap();
    old.set_hidden(true);
    for (c, h) in header.iter().enumerate() {
        old.write_string(0, c as u16, *h).unwrap();
    }
    for (c, v) in ["V-0", "Old finding", "AC-2", "Closed", "2023-01-01"]
        .iter()
        .enumerate()
    {
        old.write_string(1, c as u16, *v).unwrap();
    }
    // A chart sheet: no cells at all.
    let mut chart = Chart::new(ChartType::Column);
    chart.add_series().set_values("Tracker!$A$1:$A$2");
    wb.add_chartsheet().insert_chart(0, 0, &chart).unwrap();
    wb.save(&path).unwrap();

    let m = model(path.to_str().unwrap(), &[]);
    let ids: Vec<&str> = m["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["V-1"]);
    let out = poam().arg("inspect").arg(&path).output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("sheet 'Old 2023' [not read: a hidden sheet"),
        "{text}"
    );
}

#[test]
fn status_decides_state_and_a_completion_date_does_without_a_status_column() {
    let dir = tempfile::tempdir().unwrap();
    let with_status = dir.path().join("status.csv");
    std::fs::write(
        &with_status,
        "POA&M ID,Weakness,Control,POAM Status\nV-1,a,AC-2,Resolved\nV-2,b,AC-3,In-Progress\nV-3,c,AC-6,Fixed\nV-4,d,CM-6,Planned\n",
    )
    .unwrap();
    let m = model(with_status.to_str().unwrap(), &[]);
    for (id, state) in [
        ("V-1", "closed"),
        ("V-2", "open"),
        ("V-3", "closed"),
        ("V-4", "open"),
    ] {
        assert_eq!(item(&m, id)["state"], state, "{id}");
    }
    let no_status = dir.path().join("dates.csv");
    std::fs::write(
        &no_status,
        "POA&M ID,Weakness,Control,Completion Date\nV-1,a,AC-2,2024-05-01\nV-2,b,AC-3,\n",
    )
    .unwrap();
    let m = model(no_status.to_str().unwrap(), &[]);
    assert_eq!(item(&m, "V-1")["state"], "closed");
    assert_eq!(item(&m, "V-2")["state"], "open");
}

#[test]
fn european_and_unicode_text_files_read_like_any_csv() {
    let dir = tempfile::tempdir().unwrap();
    // European Excel: semicolons, a sep= line, a dotted day-first date.
    let semi = dir.path().join("eu.csv");
    std::fs::write(
        &semi,
        "sep=;\nPOA&M ID;Weakness;Control;Due Date\nV-1;Caf\u{e9} kiosk;AC-2;04.03.2025\n",
    )
    .unwrap();
    let m = model(semi.to_str().unwrap(), &[]);
    assert_eq!(item(&m, "V-1")["weakness_name"], "Caf\u{e9} kiosk");
    assert_eq!(item(&m, "V-1")["scheduled_completion"], "2025-03-04");
    // Excel's "Unicode Text": UTF-16 LE with a byte-order mark, tab-separated.
    let mut utf16 = vec![0xFF, 0xFE];
    for u in "POA&M ID\tWeakness\tControl\tStatus\r\nV-9\tWeak TLS\tSC-8\tOpen\r\n".encode_utf16() {
        utf16.extend(u.to_le_bytes());
    }
    let text = dir.path().join("unicode.txt");
    std::fs::write(&text, utf16).unwrap();
    let m = model(text.to_str().unwrap(), &[]);
    assert_eq!(item(&m, "V-9")["controls"], json!(["SC-8"]));
}

#[test]
fn notes_totals_and_signatures_under_the_table_are_not_items() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("t.xlsx");
    workbook(
        &path,
        "POAM",
        &[
            &["POA&M ID", "Weakness", "Control", "Status"],
            &["V-1", "Weak passwords", "IA-5", "Open"],
            &["", "Key rotation not enforced", "SC-12", ""],
            &[],
            &["Total: 2"],
            &["Notes:", "red items are overdue"],
            &["Approved by", "J. Smith, ISSM"],
        ],
    );
    let m = model(path.to_str().unwrap(), &[]);
    assert_eq!(m["items"].as_array().unwrap().len(), 2, "{m}");
    let out = poam().arg("inspect").arg(&path).output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    for why in [
        "a total under the table",
        "a note under the table",
        "a signature line under the table",
    ] {
        assert!(text.contains(why), "{why}: {text}");
    }
}

#[test]
fn a_title_block_and_a_cover_sheet_name_the_system() {
    use rust_xlsxwriter::Workbook;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("t.xlsx");
    let mut wb = Workbook::new();
    let cover = wb.add_worksheet().set_name("Cover").unwrap();
    cover.write_string(1, 0, "Organization:").unwrap();
    cover.write_string(1, 1, "Example Agency").unwrap();
    cover.write_string(2, 0, "ISSO:").unwrap();
    cover.write_string(2, 1, "Pat Lee").unwrap();
    let ws = wb.add_worksheet().set_name("POAM").unwrap();
    ws.write_string(0, 0, "Plan of Action and Milestones")
        .unwrap();
    ws.write_string(1, 0, "System Name:").unwrap();
    ws.write_string(1, 2, "Payroll Enclave").unwrap();
    ws.write_string(2, 0, "POAM Date:").unwrap();
    ws.write_string(2, 1, "03/31/2025").unwrap();
    for (c, h) in ["POA&M ID", "Weakness", "Control", "Status"]
        .iter()
        .enumerate()
    {
        ws.write_string(4, c as u16, *h).unwrap();
    }
    for (c, v) in ["V-1", "Weak passwords", "IA-5", "Open"].iter().enumerate() {
        ws.write_string(5, c as u16, *v).unwrap();
    }
    wb.save(&path).unwrap();
    let m = model(path.to_str().unwrap(), &[]);
    assert_eq!(m["system"]["name"], "Payroll Enclave");
    assert_eq!(m["system"]["organization"], "Example Agency");
    assert_eq!(m["system"]["poam_date"], "2025-03-31");
    assert_eq!(m["system"]["extra"]["ISSO"], "Pat Lee");
    assert_eq!(m["items"].as_array().unwrap().len(), 1);
}

#[test]
fn wide_milestone_columns_are_milestones() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("wide.csv");
    std::fs::write(
        &path,
        "POA&M ID,Weakness,Control,Milestone 1,Milestone 1 Date,Milestone 2,Milestone 2 Date\n\
         V-1,Weak TLS,SC-8,Order certificates,05/01/2025,Deploy,06/15/2025\n\
         V-2,No MFA,IA-2,Buy tokens,30 days,,\n",
    )
    .unwrap();
    let m = model(path.to_str().unwrap(), &[]);
    assert_eq!(
        item(&m, "V-1")["milestones"],
        json!([
            {"description": "Order certificates", "due": "2025-05-01"},
            {"description": "Deploy", "due": "2025-06-15"}
        ])
    );
    assert_eq!(
        item(&m, "V-2")["milestones"],
        json!([{"description": "Buy tokens", "due": null}])
    );
    assert_eq!(item(&m, "V-2")["extra"]["Milestone 1 Date"], "30 days");
}

#[test]
fn convert_says_how_many_rows_it_did_not_read_and_why() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("t.csv");
    std::fs::write(
        &path,
        "POA&M ID,Weakness,Control,Status\nV-1,a,AC-2,Open\nV-2,b,AC-3,Open\nTotal: 2\nNotes:,see the SSP\n",
    )
    .unwrap();
    let out = dir.path().join("t.json");
    let run = poam()
        .arg("convert")
        .arg(&path)
        .args(["--to", "json", "-o"])
        .arg(&out)
        .output()
        .unwrap();
    assert!(run.status.success());
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(
        stderr.contains(
            "2 row(s) not read as items: 1 × a note under the table; 1 × a total under the table"
        ),
        "{stderr}"
    );
}

#[test]
fn competing_headers_are_settled_by_which_names_the_field_best() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("t.csv");
    std::fs::write(
        &path,
        "Weakness ID,POA&M ID,Weakness,Control,Initial Scheduled Completion Date,Updated Scheduled Completion Date\n\
         W-17,POAM-001,Weak TLS,SC-8,03/31/2025,05/31/2025\n",
    )
    .unwrap();
    let m = model(path.to_str().unwrap(), &[]);
    let i = &m["items"][0];
    assert_eq!(i["id"], "POAM-001");
    assert_eq!(i["extra"]["Weakness ID"], "W-17");
    assert_eq!(i["scheduled_completion"], "2025-03-31");
    assert_eq!(i["milestone_changes"], "05/31/2025");
    let out = poam().arg("inspect").arg(&path).output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("'POA&M ID' is the better match for id"),
        "{text}"
    );
}

#[test]
fn columns_no_header_names_are_told_by_their_values() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("t.csv");
    std::fs::write(
        &path,
        "Key,Weakness,Baseline Item,Family,Status,Due Date,Level\n\
         POAM-001,Shared accounts,AC-2,AC,Open,2025-05-01,CAT I\n\
         POAM-002,No MFA,IA-2(1),IA,Open,2025-06-01,CAT II\n\
         POAM-003,Old TLS,SC-8,SC,Closed,2025-01-01,CAT III\n",
    )
    .unwrap();
    let m = model(path.to_str().unwrap(), &[]);
    assert_eq!(item(&m, "POAM-002")["controls"], json!(["IA-2(1)"]));
    assert_eq!(item(&m, "POAM-001")["emass"]["raw_severity"], "cat-i");
    // "Family" (AC, IA, SC) is not a control column.
    assert_eq!(item(&m, "POAM-002")["extra"]["Family"], "IA");
    let out = poam().arg("inspect").arg(&path).output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("3 of its first 3 values are control ids"),
        "{text}"
    );
    assert!(
        text.contains("3 of its first 3 values are POA&M ids"),
        "{text}"
    );
}

#[test]
fn a_date_column_that_can_only_be_day_first_is_read_day_first_and_said() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("uk.csv");
    std::fs::write(
        &path,
        "POA&M ID,Weakness,Control,Due Date\nV-1,a,AC-2,03/04/2025\nV-2,b,AC-3,30/06/2025\n",
    )
    .unwrap();
    let m = model(path.to_str().unwrap(), &[]);
    assert_eq!(item(&m, "V-1")["scheduled_completion"], "2025-04-03");
    assert_eq!(item(&m, "V-2")["scheduled_completion"], "2025-06-30");
    let out = poam().arg("inspect").arg(&path).output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("dates in \"Due Date\" read day first (DD/MM/YYYY): \"30/06/2025\""),
        "{text}"
    );
}
