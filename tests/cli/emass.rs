//! eMASS workbooks: the classic RMF layout with continuation rows, Navy 2024,
//! and the 2026 milestone-per-row layouts.

use super::{item, model, poam};
use serde_json::{json, Value};

fn emass(version: &str) -> String {
    let layout = poam_layout::builtin()
        .find("emass", Some(version))
        .expect("layout");
    format!("fixtures/emass/{}", poam_fixtures::fixture_name(layout))
}

fn items_without_id(m: &Value) -> Vec<&Value> {
    m["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|i| i["id"].is_null())
        .collect()
}

#[test]
fn classic_and_navy_2024_read_every_field_and_continuation_rows() {
    for version in ["rmf-classic", "navy-2024"] {
        let m = model(&emass(version), &[]);
        assert_eq!(m["system"]["name"], "Example Enclave", "{version}");
        assert_eq!(m["system"]["organization"], "Navy");
        assert_eq!(m["system"]["poam_date"], "2024-10-01");
        assert_eq!(m["system"]["extra"]["POC Name:"], "Jane Doe");
        assert_eq!(m["system"]["extra"]["Security Costs:"], "25000");
        assert_eq!(m["items"].as_array().unwrap().len(), 3, "{version}");

        let a = item(&m, "1");
        assert_eq!(a["state"], "open");
        assert_eq!(a["status"], "ongoing");
        assert_eq!(a["controls"], json!(["AU-6", "AU-6(1)", "CM-6"]));
        assert_eq!(a["control_parts"], json!(["CM-6b"]));
        assert_eq!(
            a["weakness_description"],
            "Audit records are not reviewed weekly."
        );
        assert_eq!(
            a["point_of_contact"],
            "DoD, Jane Doe, 555-0100, jane.doe@example.mil"
        );
        assert_eq!(
            a["source_identifier"],
            "SV-230222r627750_rule; SV-230223r627750_rule"
        );
        assert_eq!(a["resources_required"], "SIEM licence");
        assert_eq!(a["scheduled_completion"], "2024-11-30");
        assert_eq!(a["detector_source"], "Annual assessment");
        assert_eq!(a["comments"], "Tracked in the ISSM weekly meeting.");
        assert_eq!(
            a["milestone_changes"],
            "Licence purchase moved by two weeks"
        );
        // Three milestones: one on the item's row, two on continuation rows.
        let ms = a["milestones"].as_array().unwrap();
        assert_eq!(ms.len(), 3, "{version}: {ms:?}");
        assert_eq!(ms[0]["description"], "Buy the SIEM licence");
        assert_eq!(ms[0]["due"], "2024-10-15");
        assert_eq!(ms[2]["description"], "Verify with a test incident");
        assert_eq!(ms[2]["due"], "2024-11-20");
        let e = &a["emass"];
        assert_eq!(e["raw_severity"], "cat-ii");
        assert_eq!(e["severity"], "moderate");
        assert_eq!(e["relevance_of_threat"], "high");
        assert_eq!(e["likelihood"], "low");
        assert_eq!(e["impact"], "very-high");
        assert_eq!(e["impact_description"], "Loss of audit trail.");
        assert_eq!(e["residual_risk"], "moderate");
        assert_eq!(e["mitigations"], "Manual log review monthly.");
        assert_eq!(e["recommendations"], "Automate the review.");
        if version == "navy-2024" {
            assert_eq!(ms[1]["id"], "2", "Milestone ID joins the text milestone");
            assert_eq!(a["assets"], json!(["siem-01", "log-02"]));
            assert_eq!(e["predisposing_conditions"], "Single log server.");
            assert_eq!(e["threat_description"], "Undetected intrusion.");
            assert_eq!(e["resulting_residual_risk"], "low");
        }

        // A row with a description and a control but no id yet is an item.
        let no_id = items_without_id(&m);
        assert_eq!(no_id.len(), 1, "{version}");
        assert_eq!(no_id[0]["controls"], json!(["AC-8"]));
        assert_eq!(no_id[0]["scheduled_completion"], "2024-12-15");
        assert_eq!(no_id[0]["emass"]["raw_severity"], "cat-iii");

        let c = item(&m, "3");
        assert_eq!(c["state"], "closed");
        assert_eq!(c["status"], "completed");
        assert_eq!(c["completed_on"], "2024-09-30");
        assert_eq!(c["controls"], json!(["SC-13"]));
        assert_eq!(c["emass"]["raw_severity"], "cat-i");
        assert_eq!(c["emass"]["severity"], "critical");
    }
}

#[test]
fn milestone_per_row_layouts_group_rows_by_item_id() {
    for version in ["navy-2026", "army-2026", "marine-2026"] {
        let m = model(&emass(version), &[]);
        assert_eq!(m["items"].as_array().unwrap().len(), 3, "{version}");
        let a = item(&m, "10");
        assert_eq!(a["status"], "ongoing");
        assert_eq!(a["scheduled_completion"], "2024-12-31");
        assert_eq!(
            a["extra"]["Scheduled completion date (row 10)"], "2025-01-31",
            "{version}: {a}"
        );
        assert_eq!(a["detector_source"], "Vulnerability Management");
        assert_eq!(
            a["emass"]["identification_source_details"],
            "ACAS scan of September"
        );
        assert_eq!(
            a["point_of_contact"],
            "NAVWAR, John Roe, 555-0101, john.roe@example.mil"
        );
        assert_eq!(a["assets"], json!(["ws-001", "ws-002"]));
        let ms = a["milestones"].as_array().unwrap();
        assert_eq!(ms.len(), 3);
        assert_eq!(
            ms[0],
            json!({"description": "Write the account script", "due": "2024-10-01", "id": "1",
                   "status": "completed", "completed_on": "2024-09-28", "comments": "Script reviewed."})
        );
        assert_eq!(ms[1]["due"], "2024-11-15");
        assert_eq!(ms[1]["status"], "ongoing");
        assert_eq!(ms[2]["description"], "Rescan");
        let b = item(&m, "11");
        assert_eq!(b["status"], "risk-accepted");
        assert_eq!(b["state"], "open");
        assert_eq!(b["emass"]["risk_accepted_expiration"], "2025-06-30");
        assert_eq!(b["emass"]["raw_severity"], "cat-iii");
        let c = item(&m, "12");
        assert_eq!(c["state"], "closed");
        assert_eq!(c["completed_on"], "2024-08-15");
        assert_eq!(c["milestones"][0]["completed_on"], "2024-08-14");
        if version == "army-2026" {
            assert_eq!(a["emass"]["cfo_audit"], "No");
            assert_eq!(
                a["emass"]["costs"]["Personnel Resources: \nCost Code"],
                "CC-100"
            );
            assert_eq!(
                a["emass"]["costs"]["Personnel Resources: Funded Base Hours"],
                "40"
            );
            assert_eq!(
                a["emass"]["costs"]["Non-Personnel Resources: Funded Amount"],
                "1200.5"
            );
        }
        if version != "army-2026" {
            assert_eq!(a["emass"]["mitigations"], "Accounts reviewed monthly.");
        }
    }
}

#[test]
fn emass_to_fedramp_says_how_categories_became_ratings() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("fedramp.xlsx");
    let result = poam()
        .args(["convert", &emass("rmf-classic"), "--to", "fedramp", "-o"])
        .arg(&out)
        .output()
        .unwrap();
    assert!(result.status.success());
    let stderr = String::from_utf8_lossy(&result.stderr);
    assert!(
        stderr.contains("'Raw Severity' CAT II converted to Original Risk Rating Moderate"),
        "{stderr}"
    );
    assert!(
        stderr.contains("'Raw Severity' CAT III converted to Original Risk Rating Low"),
        "{stderr}"
    );
    assert!(
        stderr.contains("(emass.mitigations) has no place in FedRAMP"),
        "{stderr}"
    );
    let m = model(out.to_str().unwrap(), &[]);
    assert_eq!(item(&m, "1")["risk"]["original"], "moderate");
    // The closed item went to the Closed tab.
    assert_eq!(item(&m, "3")["origin"]["sheet"], "Closed POA&M Items");
}

#[test]
fn the_real_emass_templates_are_detected() {
    let dir = super::root().join("../shared/reference/real-files/emass");
    if !dir.is_dir() {
        eprintln!("skipped: {} is absent", dir.display());
        return;
    }
    for (file, layout) in [
        ("eMASS-POAM-Template-RMF-classic.xlsm", "emass rmf-classic"),
        ("eMASS-POAM-Template-Navy-2024.xlsx", "emass navy-2024"),
        ("eMASS-POAM-Template-Navy-2026.xlsx", "emass navy-2026"),
    ] {
        let out = poam()
            .args(["inspect", "--format", "json"])
            .arg(dir.join(file))
            .output()
            .unwrap();
        assert!(out.status.success(), "{file}");
        let v: Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(v["read"]["layout"], layout, "{file}");
        assert_eq!(v["open_items"], 0, "{file}: the Example sheet is not data");
    }
}
