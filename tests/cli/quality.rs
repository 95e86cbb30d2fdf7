//! Corrective-action (CAPA) logs and audit-finding registers read as
//! POA&Ms: their vocabulary, the framework of each id from the row's
//! Standard column, and the corrective-action fields kept through every
//! format that can hold them.

use super::poam;
use serde_json::Value;

/// The log a new user tried (issue 19): CAPA No., Finding, Standard,
/// Clause / Control, Source, Owner, Target Date, Status, Root Cause,
/// Corrective Action.
const CAPA_LOG: &str = "CAPA No.,Finding,Standard,Clause / Control,Source,Owner,Target Date,Status,Root Cause,Corrective Action
CAPA-2026-001,Calibration records missing for torque wrenches,ISO 9001:2015,7.1.5.2,Internal audit,J. Ortiz,2026-12-15,Open,No recall schedule,Add torque tools to the recall schedule
CAPA-2026-002,Nonconforming parts shipped without disposition,ISO 9001:2015,8.7.1,Customer audit,M. Chen,2026-11-30,In progress,Hold tags not required,Require hold tags
CAPA-2026-003,Media not sanitized before disposal,NIST SP 800-171,3.8.4,Supplier assessment,IT Security,2027-01-31,Open,No procedure,Write the sanitization procedure
CAPA-2026-004,Supplier access agreements not reviewed,ISO/IEC 27001:2022,A.5.18,Registrar,Procurement,2027-02-28,Pending verification,Review not scheduled,Annual access review
CAPA-2026-005,Supplier flow-down of key characteristics missing,AS9100D,8.4.3,Customer audit,Purchasing,2026-10-31,Verified,Template lacks the clause,Add the flow-down to the PO template
";

/// An item's ids of other frameworks, as `framework id`.
fn other_ids(item: &Value) -> Vec<String> {
    item["other_controls"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|o| {
            format!(
                "{} {}",
                o["framework"].as_str().unwrap(),
                o["id"].as_str().unwrap()
            )
        })
        .collect()
}

fn json_of(path: &std::path::Path, extra: &[&str]) -> Value {
    let run = poam()
        .arg("convert")
        .arg(path)
        .args(["--to", "json"])
        .args(extra)
        .assert()
        .success();
    serde_json::from_slice(&run.get_output().stdout).unwrap()
}

/// Read without a mapping file: every column to its field, every id under
/// the framework its row's Standard names (a four-level ISO 9001 clause, an
/// AS9100D clause that would read as ISO 9001 by its shape), the CAPA
/// statuses understood; inspect says how it decided.
#[test]
fn a_corrective_action_log_reads_without_a_mapping() {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("capa-log.csv");
    std::fs::write(&log, CAPA_LOG).unwrap();
    let m = json_of(&log, &[]);
    let items = m["items"].as_array().unwrap();
    let ids = |i: &Value| -> (Vec<String>, Vec<String>) {
        let nist = i["controls"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c.as_str().unwrap().to_string())
            .collect();
        let other = other_ids(i);
        (nist, other)
    };
    let got: Vec<_> = items.iter().map(ids).collect();
    let s = |v: &[&str]| v.iter().map(|x| x.to_string()).collect::<Vec<_>>();
    assert_eq!(got[0], (vec![], s(&["iso-9001 7.1.5.2"])));
    assert_eq!(got[1], (vec![], s(&["iso-9001 8.7.1"])));
    assert_eq!(got[2], (s(&["3.8.4"]), vec![]));
    assert_eq!(got[3], (vec![], s(&["iso-27001 A.5.18"])));
    assert_eq!(got[4], (vec![], s(&["as9100 8.4.3"])));
    let first = &items[0];
    assert_eq!(first["id"], "CAPA-2026-001");
    assert_eq!(
        first["weakness_name"],
        "Calibration records missing for torque wrenches"
    );
    assert_eq!(first["quality"]["standard"], "ISO 9001:2015");
    assert_eq!(first["quality"]["root_cause"], "No recall schedule");
    assert_eq!(
        first["remediation_plan"],
        "Add torque tools to the recall schedule"
    );
    assert_eq!(first["detector_source"], "Internal audit");
    assert_eq!(
        items[3]["status"], "ongoing",
        "pending verification is still open"
    );
    assert_eq!(items[3]["state"], "open");
    assert_eq!(items[4]["state"], "closed", "verified is closed");
    let run = poam().arg("inspect").arg(&log).assert().success();
    let out = String::from_utf8_lossy(&run.get_output().stdout).to_string();
    assert!(out.contains("'Standard' = quality.standard"), "{out}");
    assert!(
        out.contains(
            "CAPA-2026-005: 8.4.3 read as AS9100D ids, as the row's Standard \"AS9100D\" says"
        ),
        "{out}"
    );
    assert!(!out.contains("is not a control identifier"), "{out}");
}

/// A mixed item (an ISO 9001 clause and an SP 800-171 requirement) and its
/// corrective-action fields keep both through CSV, JSON, OSCAL and back.
#[test]
fn a_mixed_item_keeps_both_frameworks_through_every_format() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let log = d.join("mixed.csv");
    std::fs::write(
        &log,
        "CAPA No.,Finding,Clause / Control,Owner,Target Date,Status,Root Cause,Containment,Corrective Action,Verification of Effectiveness,Effectiveness Check Date,Verified By\n\
         CAPA-7,Uncontrolled copies of work instructions,\"ISO 9001 7.5.3; 3.8.4\",Quality,2027-01-15,Pending verification,No document control on the share,Removed the copies,Move work instructions to the DMS,Spot check of 20 stations,2027-01-10,A. Patel\n",
    )
    .unwrap();
    let first = json_of(&log, &[]);
    let item = |m: &Value| m["items"][0].clone();
    let a = item(&first);
    assert_eq!(a["controls"], serde_json::json!(["3.8.4"]));
    assert_eq!(
        a["other_controls"],
        serde_json::json!([{"framework": "iso-9001", "id": "7.5.3"}])
    );
    assert_eq!(a["quality"]["effectiveness_checked_on"], "2027-01-10");
    // poamkit CSV, then OSCAL, each read back.
    let csv = d.join("round.csv");
    poam()
        .arg("convert")
        .arg(&log)
        .args(["--to", "csv", "-o"])
        .arg(&csv)
        .assert()
        .success();
    let oscal = d.join("round.oscal.json");
    poam()
        .arg("convert")
        .arg(&csv)
        .args(["--to", "oscal", "-o"])
        .arg(&oscal)
        .assert()
        .success();
    for (label, back) in [("csv", json_of(&csv, &[])), ("oscal", json_of(&oscal, &[]))] {
        let b = item(&back);
        for key in ["controls", "other_controls", "quality"] {
            assert_eq!(b[key], a[key], "{label}: {key}");
        }
    }
}

/// `validate --policy quality`: overdue corrective actions by the
/// auditor's grade, closed items without an effectiveness check (an error
/// past the window, a warning within it), items closed before their root
/// cause was recorded; each rule broken and kept.
#[test]
fn the_quality_policy_judges_a_corrective_action_log() {
    let dir = tempfile::tempdir().unwrap();
    let item = |id: &str, patch: Value| {
        let mut v = serde_json::json!({"id": id, "state": "open", "weakness_name": "w",
            "controls": [], "other_controls": [{"framework": "iso-9001", "id": "8.7.1"}],
            "detected_on": "2026-11-01", "quality": {"grade": "Minor NC", "root_cause": "cause"}});
        for (k, x) in patch.as_object().unwrap() {
            v[k] = x.clone();
        }
        v
    };
    let items = vec![
        item(
            "major-late",
            serde_json::json!({"detected_on": "2026-09-01", "quality": {"grade": "Major nonconformity"}}),
        ),
        item("minor-in-time", serde_json::json!({})),
        item(
            "closed-no-cause",
            serde_json::json!({"state": "closed", "completed_on": "2026-11-25",
            "quality": {"grade": "Minor", "effectiveness_checked_on": "2026-11-28"}}),
        ),
        item(
            "closed-unverified",
            serde_json::json!({"state": "closed", "completed_on": "2026-07-01",
            "quality": {"grade": "Minor", "root_cause": "cause"}}),
        ),
        item(
            "closed-verify-soon",
            serde_json::json!({"state": "closed", "completed_on": "2026-11-20",
            "quality": {"grade": "Minor", "root_cause": "cause"}}),
        ),
        item(
            "closed-verified",
            serde_json::json!({"state": "closed", "completed_on": "2026-07-01",
            "quality": {"grade": "Minor", "root_cause": "cause", "effectiveness_result": "No recurrence in 3 audits"}}),
        ),
    ];
    let file = dir.path().join("capa.json");
    std::fs::write(
        &file,
        serde_json::to_vec(&serde_json::json!({"system": {"name": "Plant 4"}, "items": items}))
            .unwrap(),
    )
    .unwrap();
    let run = poam()
        .arg("validate")
        .arg(&file)
        .args([
            "--policy",
            "quality",
            "--as-of",
            "2026-12-01",
            "--format",
            "json",
        ])
        .output()
        .unwrap();
    let v: Value = serde_json::from_slice(&run.stdout).unwrap();
    let found: Vec<(String, String)> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["item"].as_str().unwrap().to_string(),
                f["rule"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let has = |item: &str, rule: &str| found.iter().any(|(i, r)| i == item && r == rule);
    assert!(has("major-late", "overdue"), "{found:?}");
    assert!(!has("minor-in-time", "overdue"), "{found:?}");
    assert!(
        has("closed-no-cause", "closed-without-root-cause"),
        "{found:?}"
    );
    assert!(
        !has("closed-verified", "closed-without-root-cause"),
        "{found:?}"
    );
    assert!(
        has("closed-unverified", "no-effectiveness-check"),
        "{found:?}"
    );
    assert!(
        has("closed-verify-soon", "effectiveness-check-due"),
        "{found:?}"
    );
    assert!(
        !has("closed-verify-soon", "no-effectiveness-check"),
        "{found:?}"
    );
    assert!(
        !has("closed-verified", "no-effectiveness-check"),
        "{found:?}"
    );
    let late = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["item"] == "major-late" && f["rule"] == "overdue")
        .unwrap();
    assert!(
        late["message"]
            .as_str()
            .unwrap()
            .contains("Major nonconformity: 30 days"),
        "{late}"
    );
    // FedRAMP's policy asks none of this.
    let run = poam()
        .arg("validate")
        .arg(&file)
        .args([
            "--policy",
            "fedramp",
            "--as-of",
            "2026-12-01",
            "--format",
            "json",
        ])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&run.stdout);
    assert!(
        !text.contains("effectiveness") && !text.contains("root-cause"),
        "{text}"
    );
}

/// The grade column of an audit-finding register is read as the grade.
#[test]
fn an_audit_register_s_grade_is_read() {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("register.csv");
    std::fs::write(
        &log,
        "NCR No.,Nonconformity,Clause,Grade,Raised By,Date Opened,Due Date,Status\nNCR-31,Training records incomplete,ISO 9001 7.2,Minor,Registrar,2026-10-02,2026-12-31,Open\n",
    )
    .unwrap();
    let m = json_of(&log, &[]);
    let i = &m["items"][0];
    assert_eq!(i["id"], "NCR-31");
    assert_eq!(i["weakness_name"], "Training records incomplete");
    assert_eq!(i["quality"]["grade"], "Minor");
    assert_eq!(i["detected_on"], "2026-10-02");
    assert_eq!(i["detector_source"], "Registrar");
    assert_eq!(
        i["other_controls"],
        serde_json::json!([{"framework": "iso-9001", "id": "7.2"}])
    );
}

/// `report` groups a quality POA&M's open items by framework and clause,
/// and says what a POA&M is not.
#[test]
fn the_report_groups_by_framework_and_clause() {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("capa-log.csv");
    std::fs::write(&log, CAPA_LOG).unwrap();
    let run = poam()
        .arg("report")
        .arg(&log)
        .args([
            "--format",
            "md",
            "--policy",
            "quality",
            "--as-of",
            "2026-12-20",
        ])
        .assert()
        .success();
    let md = String::from_utf8_lossy(&run.get_output().stdout).to_string();
    assert!(md.contains("## By framework and clause"), "{md}");
    assert!(
        md.contains("| ISO 9001:2015 | 2 | 2 | 7.1.5.2 Measurement traceability (1), 8.7.1 in 8.7 Control of nonconforming outputs (1) |"),
        "{md}"
    );
    assert!(
        md.contains("| NIST SP 800-171 | 1 | 0 | 3.8.4 (1) |"),
        "{md}"
    );
    assert!(
        md.contains("| ISO/IEC 27001:2022 | 1 | 0 | A.5.18 in A.5 Organizational controls (1) |"),
        "{md}"
    );
    assert!(
        md.contains("it is not evidence that the requirements are met"),
        "{md}"
    );
    // Each item's corrective action: its grade, root cause, framework ids.
    assert!(md.contains("- Root cause: No recall schedule"), "{md}");
    assert!(md.contains("- Controls: ISO 9001:2015 7.1.5.2"), "{md}");
    // Closed items awaiting their effectiveness check.
    let run = poam()
        .arg("report")
        .arg(super::root().join("fixtures/quality/capa-log.xlsx"))
        .args([
            "--format",
            "md",
            "--policy",
            "quality",
            "--as-of",
            "2026-12-01",
        ])
        .assert()
        .success();
    let md = String::from_utf8_lossy(&run.get_output().stdout).to_string();
    assert!(
        md.contains("## Closed, effectiveness not yet verified\n\n- CAPA-2026-006:"),
        "{md}"
    );
    assert!(!md.contains("- CAPA-2026-005:"), "verified: {md}");
    // The grade gives the rating the counts use (major High, minor
    // Moderate); the item without a grade stays unrated.
    assert!(
        md.contains("| High | 1 |\n| Moderate | 2 |\n| Not rated | 1 |"),
        "{md}"
    );
    let err = String::from_utf8_lossy(&run.get_output().stderr).to_string();
    assert!(
        err.contains("5 item(s) without a rating rated by their grade"),
        "{err}"
    );
}

/// The generator's corrective-action log (with a Standard column) and
/// audit-finding register (the standard written before each clause), as
/// .xlsx and .csv, read without a mapping file: every id under its
/// framework, the same from either format.
#[test]
fn the_generators_quality_logs_read_without_a_mapping() {
    let root = super::root().join("fixtures/quality");
    let frameworks = |m: &Value| -> Vec<String> {
        m["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| {
                let mut ids: Vec<String> = i["controls"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|c| format!("nist {}", c.as_str().unwrap()))
                    .collect();
                ids.extend(other_ids(i));
                format!("{}: {}", i["id"].as_str().unwrap(), ids.join(", "))
            })
            .collect()
    };
    let capa = frameworks(&json_of(&root.join("capa-log.xlsx"), &[]));
    assert_eq!(
        capa,
        [
            "CAPA-2026-001: iso-9001 7.1.5.2",
            "CAPA-2026-002: iso-9001 8.7.1",
            "CAPA-2026-003: nist 3.8.4",
            "CAPA-2026-004: iso-27001 A.5.18",
            "CAPA-2026-005: nist 3.5.3",
            "CAPA-2026-006: nist 3.8.9, iso-9001 7.5.3",
        ]
    );
    assert_eq!(capa, frameworks(&json_of(&root.join("capa-log.csv"), &[])));
    let register = frameworks(&json_of(&root.join("audit-register.xlsx"), &[]));
    assert_eq!(
        register,
        [
            "NCR-31: iso-9001 7.2",
            "NCR-32: as9100 8.4.3",
            "NCR-33: iatf-16949 9.2.2.3",
            "NCR-34: iso-13485 8.2.2",
            "NCR-35: nist 3.10.4",
        ]
    );
    assert_eq!(
        register,
        frameworks(&json_of(&root.join("audit-register.csv"), &[]))
    );
    // Judged by the quality policy: the Major item past its 30 days, the
    // item closed without a root cause.
    let run = poam()
        .arg("validate")
        .arg(root.join("capa-log.xlsx"))
        .args(["--policy", "quality", "--as-of", "2026-12-01"])
        .output()
        .unwrap();
    let out = String::from_utf8_lossy(&run.stdout);
    assert!(out.contains("overdue: CAPA-2026-002"), "{out}");
    assert!(
        out.contains("closed-without-root-cause: CAPA-2026-006"),
        "{out}"
    );
    assert!(
        !out.contains("closed-without-root-cause: CAPA-2026-005"),
        "{out}"
    );
    assert!(
        !out.contains("no-effectiveness-check: CAPA-2026-005"),
        "{out}"
    );
}

/// Roll-ups across plants work as across business units: each plant's
/// items under its folder, their frameworks and corrective-action fields
/// kept.
#[test]
fn plants_roll_up_like_business_units() {
    let dir = tempfile::tempdir().unwrap();
    let fixtures = super::root().join("fixtures/quality");
    for (plant, file) in [
        ("plant-a", "capa-log.xlsx"),
        ("plant-b", "audit-register.xlsx"),
    ] {
        std::fs::create_dir_all(dir.path().join(plant)).unwrap();
        std::fs::copy(fixtures.join(file), dir.path().join(plant).join(file)).unwrap();
    }
    let out = dir.path().join("all-plants.json");
    poam()
        .arg("rollup")
        .arg(dir.path())
        .args(["--to", "json", "-o"])
        .arg(&out)
        .assert()
        .success();
    let m: Value = serde_json::from_slice(&std::fs::read(&out).unwrap()).unwrap();
    let items = m["items"].as_array().unwrap();
    assert_eq!(items.len(), 11);
    let ncr = items.iter().find(|i| i["id"] == "NCR-32").unwrap();
    assert_eq!(ncr["business_unit"], "plant-b");
    assert_eq!(ncr["quality"]["grade"], "Major");
    assert_eq!(
        ncr["other_controls"],
        serde_json::json!([{"framework": "as9100", "id": "8.4.3"}])
    );
    let capa = items.iter().find(|i| i["id"] == "CAPA-2026-001").unwrap();
    assert_eq!(capa["business_unit"], "plant-a");
    assert_eq!(
        capa["quality"]["root_cause"],
        "No recall schedule in the calibration system"
    );
}

/// ISO/IEC 27001:2022's management-system clauses: a bare 6.1.2 is an ISO
/// 9001 clause by its shape, an ISO/IEC 27001 one where the row's Standard
/// says so or the cell names the standard; Annex A stops at the real last
/// control of each theme.
#[test]
fn iso_27001_clauses_follow_the_row() {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("isms.csv");
    std::fs::write(
        &log,
        "Finding No.,Finding,Standard,Clause,Status\n\
         F-1,Risk treatment plan not approved,ISO/IEC 27001:2022,6.1.3,Open\n\
         F-2,Internal audit programme incomplete,,ISO 27001 9.2,Open\n\
         F-3,Quality objectives not measured,ISO 9001:2015,6.2,Open\n\
         F-4,Clause without a standard,,6.1.2,Open\n\
         F-5,No such Annex A control,ISO/IEC 27001:2022,A.5.38,Open\n",
    )
    .unwrap();
    let json = json_of(&log, &[]);
    let ids: Vec<Vec<String>> = json["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| {
            let mut v = other_ids(i);
            v.extend(
                i["unparsed_controls"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .map(|u| format!("unparsed {}", u.as_str().unwrap())),
            );
            v
        })
        .collect();
    assert_eq!(ids[0], ["iso-27001 6.1.3"]);
    assert_eq!(ids[1], ["iso-27001 9.2"]);
    assert_eq!(ids[2], ["iso-9001 6.2"]);
    assert_eq!(ids[3], ["iso-9001 6.1.2"]);
    assert_eq!(ids[4], ["unparsed A.5.38"]);
}

/// The supplier POA&M package: the SP 800-171 items of a plant's mixed log
/// in NIST's plan of action (Word and workbook, read back with their
/// requirement and weakness), the SPRS score as data, and a contents page
/// that names every item left out and says the package is not evidence.
#[test]
fn the_supplier_package_holds_the_800_171_plan_and_the_score() {
    use std::io::Read;
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("capa-log.csv");
    std::fs::write(&log, CAPA_LOG).unwrap();
    let out = dir.path().join("supplier.zip");
    let run = poam()
        .arg("package")
        .arg(&log)
        .arg("-o")
        .arg(&out)
        .args(["--as-of", "2026-12-06"])
        .assert()
        .success();
    let stderr = String::from_utf8_lossy(&run.get_output().stderr).to_string();
    assert!(
        stderr.contains("1 open item(s), SPRS score 109 of 110"),
        "{stderr}"
    );
    let mut zip = zip::ZipArchive::new(std::fs::File::open(&out).unwrap()).unwrap();
    let names: Vec<String> = zip.file_names().map(|n| n.unwrap().into_owned()).collect();
    for want in [
        "plan-of-action.docx",
        "plan-of-action.xlsx",
        "assessment-summary.docx",
        "sprs-score.json",
        "README.txt",
    ] {
        assert!(names.iter().any(|n| n == want), "{names:?}");
    }
    let mut take = |name: &str| {
        let mut bytes = Vec::new();
        zip.by_name(name).unwrap().read_to_end(&mut bytes).unwrap();
        let path = dir.path().join(name);
        std::fs::write(&path, &bytes).unwrap();
        path
    };
    // The plan, in both forms, reads back as the one SP 800-171 item.
    for plan in [take("plan-of-action.xlsx"), take("plan-of-action.docx")] {
        let json = json_of(&plan, &[]);
        let items = json["items"].as_array().unwrap();
        assert_eq!(items.len(), 1, "{}: {json}", plan.display());
        assert_eq!(items[0]["controls"][0], "3.8.4");
        assert!(items[0]["weakness_description"]
            .as_str()
            .unwrap()
            .contains("Media not sanitized before disposal"));
        assert_eq!(items[0]["point_of_contact"], "IT Security");
    }
    let score: Value =
        serde_json::from_slice(&std::fs::read(take("sprs-score.json")).unwrap()).unwrap();
    assert_eq!(score["score"], 109);
    assert_eq!(score["unmet"][0]["requirement"], "3.8.4");
    let readme = std::fs::read_to_string(take("README.txt")).unwrap();
    assert!(readme.contains("(SPRS): 109 of 110"), "{readme}");
    assert!(
        readme.contains("CAPA-2026-001: names no SP 800-171 requirement (ISO 9001:2015 7.1.5.2)"),
        "{readme}"
    );
    assert!(readme.contains("1 closed item(s)"), "{readme}");
    assert!(readme.contains("it is not evidence that the requirements are met"));
    let summary = take("assessment-summary.docx");
    let xml = crate::deliverables::part(&summary, "word/document.xml");
    assert!(xml.contains("Supplier assessment"), "{xml}");
    assert!(xml.contains("109"), "{xml}");
    // A log with no SP 800-171 item has no plan to hand in: said, nothing written.
    let quality_only = dir.path().join("quality-only.csv");
    let lines: Vec<&str> = CAPA_LOG.lines().collect();
    std::fs::write(&quality_only, format!("{}\n{}\n", lines[0], lines[1])).unwrap();
    let none = dir.path().join("none.zip");
    poam()
        .arg("package")
        .arg(&quality_only)
        .arg("-o")
        .arg(&none)
        .assert()
        .code(2)
        .stderr(predicates::str::contains(
            "no open item names an SP 800-171 requirement",
        ));
    assert!(!none.exists());
}

/// With `--keep-extra`, a FedRAMP workbook gets the corrective-
/// action fields in columns of their own after the template's (Root Cause,
/// Effectiveness Check Date …), and reads them back into the same fields.
#[test]
fn keep_extra_gives_corrective_action_fields_columns_that_read_back() {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("capa.json");
    std::fs::write(
        &log,
        r#"{"items": [{"id": "CAPA-7", "state": "closed", "status": "completed",
            "weakness_name": "Work instructions uncontrolled", "controls": ["3.8.9"],
            "completed_on": "2026-09-29", "scheduled_completion": "2026-09-30",
            "quality": {"standard": "ISO 9001:2015", "grade": "Minor",
              "root_cause": "No document control on the shared drive",
              "containment": "Printed copies withdrawn",
              "preventive_action": "Quarterly document audit",
              "effectiveness_checked_on": "2026-11-15",
              "effectiveness_result": "No uncontrolled copies found",
              "verified_by": "QA Manager"}}]}"#,
    )
    .unwrap();
    let before = json_of(&log, &[]);
    let quality = |v: &Value| -> Vec<Value> {
        v["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["quality"].clone())
            .collect()
    };
    assert_eq!(quality(&before)[0].as_object().unwrap().len(), 8);
    for (to, version) in [("fedramp", "3.0"), ("fedramp", "2.1")] {
        let out = dir.path().join(format!("{to}-{version}.xlsx"));
        poam()
            .arg("convert")
            .arg(&log)
            .args([
                "--to",
                to,
                "--template-version",
                version,
                "--keep-extra",
                "-o",
            ])
            .arg(&out)
            .assert()
            .success()
            .stderr(predicates::prelude::PredicateBooleanExt::not(
                predicates::str::contains("Root cause"),
            ));
        let after = json_of(&out, &[]);
        assert_eq!(quality(&after), quality(&before), "{to} {version}");
    }
    // eMASS refuses workbooks with columns of their own: what it cannot
    // hold is said, field by field.
    poam()
        .arg("convert")
        .arg(&log)
        .args(["--to", "emass", "--keep-extra", "-o"])
        .arg(dir.path().join("emass.xlsx"))
        .assert()
        .success()
        .stderr(predicates::str::contains(
            "'Root cause' (quality.root_cause) has no place in DoD eMASS",
        ));
}
