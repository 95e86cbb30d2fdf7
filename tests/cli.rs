//! End-to-end tests of the `poam` binary on the project's own fixtures.
//!
//! Each test runs `poam` the way a user does and reads back what it wrote.

use assert_cmd::Command;
use serde_json::Value;
use std::path::{Path, PathBuf};

#[path = "cli/cells.rs"]
mod cells;
#[path = "cli/deliverables.rs"]
mod deliverables;
#[path = "cli/deviation.rs"]
mod deviation;
#[path = "cli/emass.rs"]
mod emass;
#[path = "cli/fill.rs"]
mod fill;
#[path = "cli/golden.rs"]
mod golden;
#[path = "cli/hostile.rs"]
mod hostile;
#[path = "cli/layouts.rs"]
mod layouts;
#[path = "cli/legacy.rs"]
mod legacy;
#[path = "support/lists.rs"]
mod lists;
#[path = "cli/markings.rs"]
mod markings;
#[path = "cli/nist.rs"]
mod nist;
#[path = "cli/ops.rs"]
mod ops;
#[path = "cli/oscal.rs"]
mod oscal;
#[path = "cli/pipeline.rs"]
mod pipeline;
#[path = "cli/quality.rs"]
mod quality;
#[path = "support/require.rs"]
mod require;
#[path = "cli/rules.rs"]
mod rules;
#[path = "cli/safety.rs"]
mod safety;
#[path = "cli/serve.rs"]
mod serve;
#[path = "cli/shapes.rs"]
mod shapes;
#[path = "cli/ssp.rs"]
mod ssp;
#[path = "cli/update.rs"]
mod update;

pub(crate) fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

pub(crate) fn poam() -> Command {
    let mut cmd = Command::cargo_bin("poam").expect("poam binary");
    cmd.current_dir(root());
    cmd
}

fn fixture(version: &str) -> String {
    let layout = poam_layout::builtin()
        .find("fedramp", Some(version))
        .expect("layout");
    format!("fixtures/fedramp/{}", poam_fixtures::fixture_name(layout))
}

/// The versions of a family in the registry, newest first: a new layout
/// file is tested without editing a list.
pub(crate) fn versions(family: &str) -> Vec<&'static str> {
    poam_layout::builtin().versions(family)
}

/// `poam convert FILE --to json`, parsed.
pub(crate) fn model(path: &str, extra: &[&str]) -> Value {
    let out = poam()
        .args(["convert", path, "--to", "json"])
        .args(extra)
        .output()
        .expect("run");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("json")
}

pub(crate) fn item<'a>(m: &'a Value, id: &str) -> &'a Value {
    m["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["id"] == id)
        .unwrap_or_else(|| panic!("no item {id}"))
}

pub(crate) fn without_origin(mut m: Value) -> Value {
    for i in m["items"].as_array_mut().unwrap() {
        i["origin"] = Value::Null;
    }
    m
}

#[test]
fn every_fedramp_version_imports_with_every_field() {
    for version in versions("fedramp") {
        let layout = poam_layout::builtin()
            .find("fedramp", Some(version))
            .unwrap();
        let holds = |name: &str| layout.holds(poam_model::Field::from_name(name).unwrap());
        let m = model(&fixture(version), &[]);
        assert_eq!(m["system"]["organization"], "Example CSP", "{version}");
        assert_eq!(m["system"]["name"], "Example Cloud", "{version}");
        assert_eq!(m["system"]["impact_level"], "Moderate", "{version}");
        assert_eq!(m["system"]["poam_date"], "2024-08-31", "{version}");
        let has_config = layout
            .sheet_by_role(poam_layout::SheetRole::Configuration)
            .is_some();
        assert_eq!(
            m["items"].as_array().unwrap().len(),
            if has_config { 5 } else { 4 },
            "{version}"
        );

        let a = item(&m, "POAM-001");
        assert_eq!(a["state"], "open");
        assert_eq!(a["controls"], serde_json::json!(["AC-2(1)", "CM-6"]));
        assert_eq!(a["control_parts"], serde_json::json!(["CM-6b"]));
        assert_eq!(a["weakness_name"], "Open port on example firewall");
        assert_eq!(
            a["weakness_description"],
            "Port 80 is open on the edge firewall.\nIt serves no purpose."
        );
        assert_eq!(a["detector_source"], "Nessus");
        assert_eq!(a["source_identifier"], "12345");
        assert_eq!(
            a["assets"],
            serde_json::json!(["10.0.0.1 (80/TCP)", "10.0.0.2 (80/TCP)"])
        );
        assert_eq!(a["point_of_contact"], "Jane Doe - Example CSP");
        assert_eq!(a["resources_required"], "Two engineer days");
        assert_eq!(
            a["remediation_plan"],
            "Close the port and verify with a rescan."
        );
        assert_eq!(a["detected_on"], "2024-05-05", "real Excel date");
        assert_eq!(a["scheduled_completion"], "2024-08-03", "text date");
        assert_eq!(a["status_date"], "2024-08-06", "serial number");
        assert_eq!(a["vendor"]["dependency"], "yes");
        assert_eq!(a["vendor"]["last_checkin"], "2024-08-05", "DD-Mon-YYYY");
        assert_eq!(a["vendor"]["product"], "Example Firewall");
        assert_eq!(a["risk"]["original"], "high");
        assert_eq!(a["risk"]["adjusted"], "moderate", "Mod");
        assert_eq!(a["risk"]["adjustment"], "yes");
        assert_eq!(a["risk"]["false_positive"], "no");
        assert_eq!(a["risk"]["operational_requirement"], "pending");
        assert_eq!(
            a["risk"]["deviation_rationale"],
            "Risk Adjustment : the port faces an internal network only"
        );
        assert_eq!(a["supporting_documents"], "Deviation Request : DR-001.docx");
        assert_eq!(a["comments"], "Raised at the monthly review.");
        assert_eq!(a["extra"]["Internal Ticket"], "JIRA-77");
        assert_eq!(a["origin"]["sheet"], "Open POA&M Items");
        if holds("milestones") {
            assert_eq!(a["milestones"][0]["description"], "Change request approved");
            assert_eq!(a["milestones"][0]["due"], "2024-05-23");
            assert_eq!(a["milestones"][1]["due"], "2024-06-12");
            assert_eq!(
                a["milestone_changes"],
                "(2) Update 2024-06-18 : delayed by a vendor patch"
            );
        } else {
            assert_eq!(a["milestones"], serde_json::json!([]));
        }
        if holds("risk.auto_approve") {
            assert_eq!(a["risk"]["auto_approve"], "no");
        }
        if holds("kev.listed") {
            assert_eq!(a["kev"]["listed"], "yes");
        }
        if holds("kev.due") {
            assert_eq!(a["kev"]["due"], "2024-09-01");
            assert_eq!(
                a["cves"],
                serde_json::json!(["CVE-2024-1234", "CVE-2024-5678"])
            );
        }
        if holds("service_names") {
            assert_eq!(
                a["service_names"],
                serde_json::json!(["Example Portal", "Example API"])
            );
        }

        // Bad cells keep their raw text in extra.
        let b = item(&m, "POAM-002");
        assert_eq!(b["controls"], serde_json::json!(["AC-6(5)"]));
        assert_eq!(b["detected_on"], Value::Null);
        assert_eq!(b["extra"]["Original Detection Date"], "13/45/2024");
        assert_eq!(b["extra"]["Original Risk Rating"], "Severe");
        assert_eq!(b["scheduled_completion"], "2024-12-31");
        assert_eq!(b["risk"]["adjusted"], Value::Null);

        let c = item(&m, "3");
        assert_eq!(c["controls"], serde_json::json!(["SI-2", "RA-5"]));
        assert_eq!(c["detected_on"], "2024-07-01");
        assert_eq!(c["risk"]["original"], "moderate");

        let closed = item(&m, "POAM-000");
        assert_eq!(closed["state"], "closed");
        assert_eq!(closed["controls"], serde_json::json!(["3.1.1", "3.1.2"]));
        assert_eq!(closed["origin"]["sheet"], "Closed POA&M Items");

        if has_config {
            let cfg = item(&m, "CFG-001");
            assert_eq!(cfg["category"], "configuration");
            assert_eq!(cfg["origin"]["sheet"], "Configuration Findings");
        }
        // No example, guidance or formula-only row became an item.
        for i in m["items"].as_array().unwrap() {
            assert_ne!(i["id"], "V-1Example");
            assert_ne!(i["id"], Value::Null, "{version}: {i}");
        }
    }
}

#[test]
fn json_output_matches_the_published_schema() {
    let schema: Value = serde_json::from_str(
        &std::fs::read_to_string(root().join("docs/poam.schema.json")).unwrap(),
    )
    .unwrap();
    let validator = jsonschema::validator_for(&schema).expect("schema compiles");
    let mut files: Vec<String> = versions("fedramp").iter().map(|v| fixture(v)).collect();
    for family in ["emass", "legacy", "nist", "oscal"] {
        for entry in std::fs::read_dir(root().join("fixtures").join(family)).unwrap() {
            files.push(format!(
                "fixtures/{family}/{}",
                entry.unwrap().file_name().to_string_lossy()
            ));
        }
    }
    assert!(files.len() >= 16);
    for version in files {
        let m = model(&version, &[]);
        let errors: Vec<String> = validator
            .iter_errors(&m)
            .map(|e| format!("{} at {}", e, e.instance_path()))
            .collect();
        assert!(errors.is_empty(), "{version}: {errors:?}");
    }
}

#[test]
fn fedramp_round_trip_in_every_version() {
    let dir = tempfile::tempdir().unwrap();
    for version in versions("fedramp") {
        let before = model(&fixture(version), &[]);
        let out = dir.path().join(format!("{version}.xlsx"));
        poam()
            .args([
                "convert",
                &fixture(version),
                "--to",
                "fedramp",
                "--keep-extra",
                "--template-version",
                version,
                "-o",
            ])
            .arg(&out)
            .assert()
            .success();
        let after = model(out.to_str().unwrap(), &[]);
        assert_eq!(without_origin(after), without_origin(before), "{version}");
    }
}

#[test]
fn csv_and_json_round_trip() {
    let dir = tempfile::tempdir().unwrap();
    for version in ["3.0", "2.1"] {
        let before = model(&fixture(version), &[]);
        for (to, ext) in [("csv", "csv"), ("json", "json")] {
            let out = dir.path().join(format!("out-{version}.{ext}"));
            poam()
                .args(["convert", &fixture(version), "--to", to, "-o"])
                .arg(&out)
                .assert()
                .success();
            let after = model(out.to_str().unwrap(), &[]);
            assert_eq!(after, before, "{version} via {to}");
        }
    }
}

#[test]
fn v21_to_v30_and_back_keeps_shared_fields_and_folds_milestones() {
    let dir = tempfile::tempdir().unwrap();
    let v3 = dir.path().join("v3.xlsx");
    let back = dir.path().join("back.xlsx");
    let out = poam()
        .args(["convert", &fixture("2.1"), "--to", "fedramp", "-o"])
        .arg(&v3)
        .output()
        .unwrap();
    assert!(out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("'Planned Milestones' moved into the remediation plan"),
        "{stderr}"
    );
    assert!(
        stderr.contains(
            "'Auto-approve' (risk.auto_approve) has no place in FedRAMP Rev 5 POA&M template v3.0"
        ),
        "{stderr}"
    );
    assert!(
        stderr.contains("'Service names' (service_names) has no place"),
        "{stderr}"
    );
    assert!(stderr.contains("extra column 'Internal Ticket' has no place in FedRAMP Rev 5 POA&M template v3.0 (2025-11-17); --keep-extra adds it"), "{stderr}");

    // In v3.0 the milestones are readable text in the remediation plan.
    let in_v3 = model(v3.to_str().unwrap(), &[]);
    let mut wb: calamine::Xlsx<_> = calamine::open_workbook(&v3).unwrap();
    use calamine::Reader;
    let range = wb.worksheet_range("Open POA&M Items").unwrap();
    let plan = range.get_value((8, 10)).unwrap().to_string();
    assert!(plan.starts_with("Close the port and verify with a rescan.\n\nPlanned Milestones:\n(1) 2024-05-23: Change request approved"), "{plan}");
    assert_eq!(
        item(&in_v3, "POAM-001")["milestones"][1]["due"],
        "2024-06-12"
    );

    poam()
        .args([
            "convert",
            v3.to_str().unwrap(),
            "--to",
            "fedramp",
            "--template-version",
            "2.1",
            "-o",
        ])
        .arg(&back)
        .assert()
        .success();
    let original = model(&fixture("2.1"), &[]);
    let round = model(back.to_str().unwrap(), &[]);
    for (a, b) in original["items"]
        .as_array()
        .unwrap()
        .iter()
        .zip(round["items"].as_array().unwrap())
    {
        for key in [
            "id",
            "state",
            "controls",
            "control_parts",
            "weakness_name",
            "weakness_description",
            "detector_source",
            "source_identifier",
            "assets",
            "point_of_contact",
            "resources_required",
            "remediation_plan",
            "detected_on",
            "scheduled_completion",
            "status_date",
            "milestones",
            "milestone_changes",
            "vendor",
            "cves",
            "kev",
            "supporting_documents",
            "comments",
            "category",
        ] {
            assert_eq!(a[key], b[key], "{} {key}", a["id"]);
        }
        for key in [
            "original",
            "adjusted",
            "adjustment",
            "false_positive",
            "operational_requirement",
            "deviation_rationale",
        ] {
            assert_eq!(a["risk"][key], b["risk"][key], "{} risk.{key}", a["id"]);
        }
    }
    assert_eq!(original["system"], round["system"]);
}

#[test]
fn inspect_shows_layout_mapping_and_diagnostics_with_places() {
    let out = poam().args(["inspect", &fixture("2.1")]).output().unwrap();
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("layout:  fedramp 2.1"), "{text}");
    assert!(
        text.contains("sheet 'Open POA&M Items' (open): header row 5, 3 item(s)"),
        "{text}"
    );
    assert!(
        text.contains("sheet 'Configuration Findings' (configuration): header row 5, 1 item(s)"),
        "{text}"
    );
    assert!(
        text.contains("Internal Ticket                               -> extra"),
        "{text}"
    );
    assert!(
        text.contains("S  Original Risk Rating                          -> risk.original"),
        "{text}"
    );
    assert!(
        text.contains("'Open POA&M Items'!K10: cannot read date \"13/45/2024\""),
        "{text}"
    );
    assert!(
        text.contains("'Open POA&M Items'!S10: \"Severe\" is not a risk rating"),
        "{text}"
    );
    assert!(text.contains("items:   4 open, 1 closed"), "{text}");

    let out = poam()
        .args(["inspect", &fixture("3.0"), "--format", "json"])
        .output()
        .unwrap();
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["read"]["layout"], "fedramp 3.0");
    assert_eq!(v["read"]["sheets"][0]["header_row"], 5);
    assert_eq!(v["read"]["sheets"][1]["header_row"], 2);
    assert_eq!(
        v["read"]["sheets"][0]["columns"][9]["header"],
        "Remediation Plan"
    );
    assert_eq!(
        v["read"]["sheets"][1]["columns"][9]["header"],
        "Overall Remediation Plan"
    );

    // --strict turns the warnings into exit code 1.
    poam()
        .args(["inspect", &fixture("3.0"), "--strict"])
        .assert()
        .code(1);
}

#[test]
fn from_flag_forces_a_version() {
    let v: Value = serde_json::from_slice(
        &poam()
            .args([
                "inspect",
                &fixture("2.1"),
                "--from",
                "fedramp:2.0",
                "--format",
                "json",
            ])
            .output()
            .unwrap()
            .stdout,
    )
    .unwrap();
    assert_eq!(v["read"]["layout"], "fedramp 2.0");
    poam()
        .args(["inspect", &fixture("2.1"), "--from", "emass:9"])
        .assert()
        .code(2)
        .stderr(predicates::str::contains("unknown layout \"emass:9\""));
}

fn write_workbook(path: &Path, rows: &[(u32, u16, &str)]) {
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    ws.set_name("Open POA&M Items").unwrap();
    for (r, c, t) in rows {
        ws.write_string(*r, *c, *t).unwrap();
    }
    wb.save(path).unwrap();
}

#[test]
fn day_first_flag_flips_numeric_dates() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("uk.xlsx");
    let v21 = poam_layout::builtin().find("fedramp", Some("2.1")).unwrap();
    let headers = &v21.sheets[0].headers;
    let mut cells: Vec<(u32, u16, &str)> = headers
        .iter()
        .enumerate()
        .map(|(i, h)| (4, i as u16, h.as_str()))
        .collect();
    cells.extend([
        (5, 0, "UK-1"),
        (5, 1, "AC-2"),
        (5, 2, "w"),
        (5, 10, "03/04/2024"),
    ]);
    write_workbook(&path, &cells);
    let us = model(path.to_str().unwrap(), &[]);
    let uk = model(path.to_str().unwrap(), &["--day-first"]);
    assert_eq!(item(&us, "UK-1")["detected_on"], "2024-03-04");
    assert_eq!(item(&uk, "UK-1")["detected_on"], "2024-04-03");
}

#[test]
fn unreadable_inputs_fail_cleanly_and_write_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let not_sheet = dir.path().join("notes.xlsx");
    std::fs::write(&not_sheet, "these are meeting notes, not a workbook").unwrap();
    let truncated = dir.path().join("truncated.xlsx");
    let bytes = std::fs::read(root().join(fixture("3.0"))).unwrap();
    std::fs::write(&truncated, &bytes[..bytes.len() / 2]).unwrap();
    let no_header = dir.path().join("budget.xlsx");
    write_workbook(
        &no_header,
        &[(0, 0, "Budget"), (1, 0, "Item"), (1, 1, "Cost")],
    );
    let unknown_ext = dir.path().join("poam.pdf");
    std::fs::write(&unknown_ext, "%PDF-1.4").unwrap();
    for (path, reason) in [
        (&not_sheet, "not a readable spreadsheet"),
        (&truncated, "not a readable spreadsheet"),
        (
            &no_header,
            "no POA&M found: no sheet has a POA&M header row",
        ),
        (&unknown_ext, "unknown file type"),
    ] {
        hostile::fails_cleanly(path, &[], reason);
    }
    poam()
        .args(["convert", "missing.xlsx", "--to", "json"])
        .assert()
        .code(2)
        .stderr(predicates::str::contains(
            "missing.xlsx: cannot read the file",
        ));
}

#[test]
fn workbook_output_needs_a_file_and_never_replaces_the_input() {
    poam()
        .args(["convert", &fixture("3.0"), "--to", "fedramp"])
        .assert()
        .code(2)
        .stderr(predicates::str::contains("add -o OUT.xlsx"));
    let dir = tempfile::tempdir().unwrap();
    let copy = dir.path().join("mine.xlsx");
    std::fs::copy(root().join(fixture("3.0")), &copy).unwrap();
    let before = std::fs::read(&copy).unwrap();
    poam()
        .args([
            "convert",
            copy.to_str().unwrap(),
            "--to",
            "fedramp",
            "-o",
            copy.to_str().unwrap(),
        ])
        .assert()
        .code(2)
        .stderr(predicates::str::contains(
            "the output would replace the input",
        ));
    assert_eq!(std::fs::read(&copy).unwrap(), before);
    poam()
        .args([
            "convert",
            &fixture("3.0"),
            "--to",
            "fedramp",
            "--template-version",
            "9.9",
            "-o",
        ])
        .arg(dir.path().join("x.xlsx"))
        .assert()
        .code(2)
        .stderr(predicates::str::contains(
            "unknown fedramp template version \"9.9\"; available: 3.0, 2.1, 2.0, 2022-06-23, 2021-11-23, 2018-01-29",
        ));
}

#[test]
fn csv_neutralizes_formulas_and_reads_them_back() {
    let dir = tempfile::tempdir().unwrap();
    let mut m = model(&fixture("3.0"), &[]);
    m["items"][0]["weakness_name"] = Value::from("=HYPERLINK(\"http://x\",\"click\")");
    m["items"][0]["comments"] = Value::from("@SUM(1,2)");
    let json_path = dir.path().join("hostile.json");
    std::fs::write(&json_path, serde_json::to_vec(&m).unwrap()).unwrap();
    let csv_path = dir.path().join("hostile.csv");
    poam()
        .args([
            "convert",
            json_path.to_str().unwrap(),
            "--to",
            "csv",
            "--excel-bom",
            "-o",
        ])
        .arg(&csv_path)
        .assert()
        .success();
    let text = std::fs::read_to_string(&csv_path).unwrap();
    assert!(text.starts_with('\u{feff}'));
    assert!(
        text.contains("\"'=HYPERLINK(\"\"http://x\"\",\"\"click\"\")\""),
        "{text}"
    );
    assert!(
        text.contains(",'@SUM(1,2),") || text.contains("\"'@SUM(1,2)\""),
        "{text}"
    );
    assert_eq!(model(csv_path.to_str().unwrap(), &[]), m);
}

#[test]
fn layouts_lists_every_fedramp_version() {
    let out = poam().arg("layouts").output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    for v in versions("fedramp") {
        assert!(text.contains(&format!("fedramp    {v}")), "{text}");
    }
    assert!(text.contains("[default]"));
}

#[test]
fn committed_fixtures_match_the_generator() {
    let dir = tempfile::tempdir().unwrap();
    for name in poam_fixtures::write_all(dir.path()).unwrap() {
        let fresh = std::fs::read(dir.path().join(&name)).unwrap();
        let committed = std::fs::read(root().join("fixtures").join(&name)).unwrap_or_default();
        assert!(
            fresh == committed,
            "fixtures/{name} is stale: run `cargo run -p poam-fixtures -- fixtures`"
        );
    }
}

/// The XML of one part of a written workbook.
pub(crate) fn xml_part(path: &Path, part: &str) -> String {
    use std::io::Read;
    let mut archive = zip::ZipArchive::new(std::fs::File::open(path).unwrap()).unwrap();
    let mut text = String::new();
    archive
        .by_name(part)
        .unwrap()
        .read_to_string(&mut text)
        .unwrap();
    text
}

#[test]
fn written_fedramp_workbook_has_drop_downs_frozen_panes_and_real_dates() {
    let dir = tempfile::tempdir().unwrap();
    for (version, sheet1, list_range, pane) in [
        // v3.0: Open tab is the second sheet (after Instructions); Original
        // Risk Rating is column R, data from row 9.
        ("3.0", "xl/worksheets/sheet2.xml", "R9:R4021", "A6"),
        // v2.1: Original Risk Rating is column S, data from row 8.
        ("2.1", "xl/worksheets/sheet1.xml", "S8:S4022", "A6"),
    ] {
        let out = dir.path().join(format!("{version}.xlsx"));
        poam()
            .args([
                "convert",
                &fixture("2.1"),
                "--to",
                "fedramp",
                "--template-version",
                version,
                "-o",
            ])
            .arg(&out)
            .assert()
            .success();
        let xml = xml_part(&out, sheet1);
        assert!(
            xml.contains(&format!("sqref=\"{list_range}\"")),
            "{version}: no validation on {list_range}"
        );
        assert!(
            xml.contains("<formula1>\"Low,Moderate,High\"</formula1>"),
            "{version}"
        );
        assert!(
            xml.contains("<formula1>\"Low,Moderate,High,N/A\"</formula1>"),
            "{version}"
        );
        assert!(
            xml.contains("<formula1>\"Yes,No,Pending\"</formula1>"),
            "{version}"
        );
        assert!(xml.contains("<formula1>\"Yes,No\"</formula1>"), "{version}");
        assert!(
            xml.contains(&format!("topLeftCell=\"{pane}\"")),
            "{version}: panes not frozen at {pane}"
        );
        // Dates are numbers with a date format, not text.
        let mut wb = calamine::open_workbook_auto(&out).unwrap();
        use calamine::Reader;
        let range = wb.worksheet_range("Open POA&M Items").unwrap();
        let found_date = range
            .used_cells()
            .any(|(_, _, d)| matches!(d, calamine::Data::DateTime(_)));
        assert!(found_date, "{version}: no real date cell");
        // No formula anywhere in the data.
        assert!(!xml.contains("<f>"), "{version}: a formula was written");
    }
}
