//! `poam validate` and `poam score`: every rule with an item that breaks it
//! and one that keeps it.

use super::poam;
use serde_json::{json, Value};
use std::path::Path;

/// A minimal open item; `patch` overrides fields.
fn item(id: &str, patch: Value) -> Value {
    let mut v = json!({
        "id": id, "state": "open", "status": null, "controls": ["AC-2"], "control_parts": [],
        "unparsed_controls": [], "weakness_name": "w", "weakness_description": "d", "detector_source": "Nessus",
        "source_identifier": null, "assets": ["host"], "point_of_contact": "poc", "resources_required": null,
        "remediation_plan": "plan", "detected_on": "2024-01-01", "scheduled_completion": "2024-03-31",
        "status_date": "2024-01-15", "completed_on": null, "milestones": [], "milestone_changes": null,
        "risk": {"original": "moderate", "adjusted": null, "adjustment": null, "false_positive": null,
                 "operational_requirement": null, "deviation_rationale": null},
        "vendor": {"dependency": "no", "last_checkin": null, "product": null}, "cves": [],
        "kev": {"listed": null, "due": null}, "service_names": [], "supporting_documents": null,
        "comments": null, "origin": null, "extra": {}
    });
    merge(&mut v, patch);
    v
}

fn merge(a: &mut Value, b: Value) {
    match (a, b) {
        (Value::Object(a), Value::Object(b)) => {
            for (k, v) in b {
                merge(a.entry(k).or_insert(Value::Null), v);
            }
        }
        (a, b) => *a = b,
    }
}

fn write(dir: &Path, name: &str, items: Vec<Value>, impact: &str) -> String {
    let doc = json!({"system": {"name": "S", "organization": "O", "impact_level": impact, "poam_date": "2024-06-01"}, "items": items});
    let path = dir.join(name);
    std::fs::write(&path, serde_json::to_vec(&doc).unwrap()).unwrap();
    path.to_str().unwrap().to_string()
}

/// Findings of `poam validate` as (item, rule) pairs, and the exit code.
fn findings(file: &str, extra: &[&str]) -> (i32, Vec<(String, String)>, Value) {
    let out = poam()
        .args(["validate", file, "--format", "json"])
        .args(extra)
        .output()
        .unwrap();
    let v: Value = serde_json::from_slice(&out.stdout).unwrap_or(Value::Null);
    let pairs = v["findings"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|f| {
                    (
                        f["item"].as_str().unwrap().to_string(),
                        f["rule"].as_str().unwrap().to_string(),
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    (out.status.code().unwrap_or(-1), pairs, v)
}

fn has(pairs: &[(String, String)], item: &str, rule: &str) -> bool {
    pairs.iter().any(|(i, r)| i == item && r == rule)
}

#[test]
fn fedramp_policy_rules_break_and_keep() {
    let dir = tempfile::tempdir().unwrap();
    let items = vec![
        // overdue: due 2024-03-31 (Moderate: detection + 90 days = 2024-03-31), as of 2024-06-01.
        item("late", json!({})),
        item(
            "in-time",
            json!({"detected_on": "2024-05-01", "scheduled_completion": "2024-07-30", "status_date": "2024-05-02"}),
        ),
        // The adjusted rating counts only with a risk adjustment.
        item(
            "adj-no",
            json!({"detected_on": "2024-05-01", "scheduled_completion": "2024-07-30", "status_date": "2024-05-02",
            "risk": {"original": "high", "adjusted": "low", "adjustment": "no"}}),
        ),
        item(
            "adj-yes",
            json!({"detected_on": "2024-05-01", "scheduled_completion": "2024-07-30", "status_date": "2024-05-02",
            "risk": {"original": "high", "adjusted": "low", "adjustment": "yes"}}),
        ),
        // Scheduled beyond the policy: High is 30 days.
        item(
            "beyond",
            json!({"detected_on": "2024-05-20", "scheduled_completion": "2024-09-30", "status_date": "2024-05-21",
            "risk": {"original": "high"}}),
        ),
        // Vendor check-ins every 30 days.
        item(
            "vendor-stale",
            json!({"detected_on": "2024-05-01", "scheduled_completion": "2024-07-30", "status_date": "2024-05-02",
            "vendor": {"dependency": "yes", "last_checkin": "2024-03-01", "product": "X"}}),
        ),
        item(
            "vendor-fresh",
            json!({"detected_on": "2024-05-01", "scheduled_completion": "2024-07-30", "status_date": "2024-05-02",
            "vendor": {"dependency": "yes", "last_checkin": "2024-05-20", "product": "X"}}),
        ),
        // No operational requirement on a High item.
        item(
            "or-high",
            json!({"detected_on": "2024-05-25", "scheduled_completion": "2024-06-20", "status_date": "2024-05-26",
            "risk": {"original": "high", "operational_requirement": "yes"}}),
        ),
        item(
            "or-moderate",
            json!({"detected_on": "2024-05-01", "scheduled_completion": "2024-07-30", "status_date": "2024-05-02",
            "risk": {"original": "moderate", "operational_requirement": "yes"}}),
        ),
        // An approved false positive belongs on the Closed tab.
        item(
            "fp-open",
            json!({"detected_on": "2024-05-01", "scheduled_completion": "2024-07-30", "status_date": "2024-05-02",
            "risk": {"false_positive": "yes"}}),
        ),
        item(
            "fp-closed",
            json!({"state": "closed", "risk": {"false_positive": "yes"}}),
        ),
        // KEV items are due by their KEV due date when earlier.
        item(
            "kev-late",
            json!({"detected_on": "2024-05-01", "scheduled_completion": "2024-07-30", "status_date": "2024-05-02",
            "kev": {"listed": "yes", "due": "2024-05-15"}}),
        ),
        item(
            "kev-later",
            json!({"detected_on": "2024-05-01", "scheduled_completion": "2024-07-30", "status_date": "2024-05-02",
            "kev": {"listed": "yes", "due": "2024-12-15"}}),
        ),
    ];
    let file = write(dir.path(), "fedramp.json", items, "Moderate");
    let (code, f, v) = findings(
        &file,
        &[
            "--policy",
            "fedramp",
            "--as-of",
            "2024-06-01",
            "--template",
            "fedramp",
        ],
    );
    assert_eq!(code, 1);
    assert!(has(&f, "late", "overdue"), "{f:?}");
    assert!(!has(&f, "in-time", "overdue"));
    assert!(
        has(&f, "adj-no", "overdue"),
        "High counts (adjustment No): 30 days from 2024-05-01"
    );
    assert!(
        !has(&f, "adj-yes", "overdue"),
        "Low counts (adjustment Yes): 180 days"
    );
    assert!(has(&f, "beyond", "schedule-beyond-policy"));
    assert!(!has(&f, "in-time", "schedule-beyond-policy"));
    assert!(has(&f, "vendor-stale", "vendor-checkin"));
    assert!(!has(&f, "vendor-fresh", "vendor-checkin"));
    assert!(has(&f, "or-high", "operational-requirement-on-high"));
    assert!(!has(&f, "or-moderate", "operational-requirement-on-high"));
    assert!(has(&f, "fp-open", "false-positive-open"));
    assert!(!has(&f, "fp-closed", "false-positive-open"));
    assert!(has(&f, "kev-late", "overdue"));
    assert!(!has(&f, "kev-later", "overdue"));
    // Every finding names its item, rule, severity and dates.
    let late = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["item"] == "late" && x["rule"] == "overdue")
        .unwrap();
    assert_eq!(late["severity"], "error");
    assert_eq!(late["dates"]["deadline"], "2024-03-31");
    assert_eq!(late["dates"]["as_of"], "2024-06-01");
    assert_eq!(late["dates"]["detected"], "2024-01-01");
}

/// FedRAMP's reviewer rules from its playbook: deviations stay on the Open
/// tab, one vulnerability id and one detection date per item, a High vendor
/// dependency older than 30 days mitigated to Moderate.
#[test]
fn fedramp_reviewer_rules_break_and_keep() {
    let dir = tempfile::tempdir().unwrap();
    let fresh = json!({"detected_on": "2024-05-20", "scheduled_completion": "2024-06-19", "status_date": "2024-05-21"});
    let with = |patch: Value| {
        let mut v = fresh.clone();
        merge(&mut v, patch);
        v
    };
    let items = vec![
        item(
            "vd-closed",
            with(json!({"state": "closed", "completed_on": "2024-05-25",
            "vendor": {"dependency": "yes", "last_checkin": "2024-05-25", "product": "X"}})),
        ),
        item(
            "or-closed",
            with(json!({"state": "closed", "completed_on": "2024-05-25",
            "risk": {"operational_requirement": "yes"}})),
        ),
        item(
            "plain-closed",
            with(json!({"state": "closed", "completed_on": "2024-05-25"})),
        ),
        item(
            "two-ids",
            with(json!({"source_identifier": "12345; 67890"})),
        ),
        item("one-id", with(json!({"source_identifier": "12345"}))),
        // Findings first seen on two days grouped in one item: the reader
        // keeps such a cell in `extra` under its header.
        item(
            "two-dates",
            json!({"detected_on": null, "scheduled_completion": "2024-06-19", "status_date": "2024-05-21",
            "extra": {"Original Detection Date": "05/01/2024; 05/20/2024"}}),
        ),
        item(
            "same-date-twice",
            json!({"detected_on": null, "scheduled_completion": "2024-06-19", "status_date": "2024-05-21",
            "extra": {"Original Detection Date": "05/20/2024, 2024-05-20"}}),
        ),
        item(
            "vd-high-old",
            json!({"detected_on": "2024-04-01", "scheduled_completion": "2024-05-01", "status_date": "2024-04-02",
            "risk": {"original": "high"}, "vendor": {"dependency": "yes", "last_checkin": "2024-05-25", "product": "X"}}),
        ),
        item(
            "vd-high-mitigated",
            json!({"detected_on": "2024-04-01", "scheduled_completion": "2024-09-28", "status_date": "2024-04-02",
            "risk": {"original": "high", "adjusted": "moderate", "adjustment": "yes"},
            "vendor": {"dependency": "yes", "last_checkin": "2024-05-25", "product": "X"}}),
        ),
        item(
            "vd-high-new",
            with(json!({"risk": {"original": "high"},
            "vendor": {"dependency": "yes", "last_checkin": "2024-05-25", "product": "X"}})),
        ),
    ];
    let file = write(dir.path(), "reviewer.json", items, "Moderate");
    let (_, f, _) = findings(&file, &["--policy", "fedramp", "--as-of", "2024-06-01"]);
    assert!(has(&f, "vd-closed", "deviation-on-closed-tab"), "{f:?}");
    assert!(has(&f, "or-closed", "deviation-on-closed-tab"), "{f:?}");
    assert!(!has(&f, "plain-closed", "deviation-on-closed-tab"), "{f:?}");
    assert!(has(&f, "two-ids", "several-vulnerability-ids"), "{f:?}");
    assert!(!has(&f, "one-id", "several-vulnerability-ids"), "{f:?}");
    assert!(has(&f, "two-dates", "several-detection-dates"), "{f:?}");
    assert!(!has(&f, "one-id", "several-detection-dates"), "{f:?}");
    assert!(
        !has(&f, "same-date-twice", "several-detection-dates"),
        "{f:?}"
    );
    assert!(has(&f, "vd-high-old", "vendor-high-not-mitigated"), "{f:?}");
    assert!(
        !has(&f, "vd-high-mitigated", "vendor-high-not-mitigated"),
        "{f:?}"
    );
    assert!(
        !has(&f, "vd-high-new", "vendor-high-not-mitigated"),
        "{f:?}"
    );
    // Another policy does not ask for them.
    let (_, f, _) = findings(&file, &["--policy", "dod", "--as-of", "2024-06-01"]);
    assert!(
        !f.iter().any(|(_, r)| r == "deviation-on-closed-tab"
            || r == "several-vulnerability-ids"
            || r == "several-detection-dates"),
        "{f:?}"
    );
}

#[test]
fn template_rules_break_and_keep() {
    let dir = tempfile::tempdir().unwrap();
    let items = vec![
        item("complete", json!({})),
        item("no-poc", json!({"point_of_contact": null})),
        item("na-text", json!({"source_identifier": "N/A"})),
        item("dup", json!({})),
        item("dup", json!({"weakness_name": "second"})),
        item("early", json!({"scheduled_completion": "2023-12-01"})),
        item(
            "bad-rating",
            json!({"risk": {"original": null}, "extra": {"Original Risk Rating": "Severe"}}),
        ),
        item(
            "product-no-vendor",
            json!({"vendor": {"dependency": "no", "product": "Widget"}}),
        ),
        item(
            "product-vendor",
            json!({"vendor": {"dependency": "yes", "last_checkin": "2024-05-30", "product": "Widget"}}),
        ),
    ];
    let file = write(dir.path(), "template.json", items, "Moderate");
    let (_, f, _) = findings(&file, &["--template", "fedramp", "--as-of", "2024-01-02"]);
    assert!(!f.iter().any(|(i, _)| i == "complete"), "{f:?}");
    assert!(has(&f, "no-poc", "mandatory-field"));
    assert!(has(&f, "na-text", "placeholder"));
    assert!(has(&f, "dup", "duplicate-id"));
    assert!(has(&f, "early", "date-order"));
    assert!(has(&f, "bad-rating", "allowed-values"));
    assert!(has(
        &f,
        "product-no-vendor",
        "vendor-product-without-dependency"
    ));
    assert!(!has(
        &f,
        "product-vendor",
        "vendor-product-without-dependency"
    ));
}

/// eMASS's business rules (the eMASS API's field rules, which its import
/// enforces): each with an item that breaks it and one that keeps it.
#[test]
fn emass_business_rules_break_and_keep() {
    let dir = tempfile::tempdir().unwrap();
    let milestone = json!([{"description": "Patch", "due": "2024-03-01"}]);
    // An item eMASS takes in each status; `patch` breaks one rule.
    let emass = |id: &str, status: &str, patch: Value| {
        let mut base = match status {
            "ongoing" => {
                json!({"status": "ongoing", "resources_required": "Staff time", "milestones": milestone})
            }
            "completed" => {
                json!({"status": "completed", "state": "closed", "resources_required": "Staff time",
                "milestones": milestone, "completed_on": "2024-03-15", "comments": "Patched and rescanned."})
            }
            _ => {
                json!({"status": "risk-accepted", "resources_required": "AO review", "scheduled_completion": null,
                "comments": "Accepted by the AO."})
            }
        };
        merge(&mut base, patch);
        item(id, base)
    };
    let long = |n: usize| "x".repeat(n);
    let items = vec![
        emass("ongoing-ok", "ongoing", json!({})),
        emass("completed-ok", "completed", json!({})),
        emass("ra-ok", "risk-accepted", json!({})),
        // Required on every item.
        emass(
            "no-resources",
            "ongoing",
            json!({"resources_required": null}),
        ),
        emass("no-source", "ongoing", json!({"detector_source": null})),
        // Ongoing: a scheduled completion date and a milestone.
        emass(
            "ongoing-no-date",
            "ongoing",
            json!({"scheduled_completion": null}),
        ),
        emass("ongoing-none", "ongoing", json!({"milestones": []})),
        // Completed: a completion date, not in the future, and comments.
        emass(
            "completed-no-date",
            "completed",
            json!({"completed_on": null}),
        ),
        emass(
            "completed-future",
            "completed",
            json!({"completed_on": "2030-01-01"}),
        ),
        emass(
            "completed-no-comments",
            "completed",
            json!({"comments": null}),
        ),
        // Risk Accepted: comments; no scheduled completion date, no milestones.
        emass("ra-no-comments", "risk-accepted", json!({"comments": null})),
        emass(
            "ra-scheduled",
            "risk-accepted",
            json!({"scheduled_completion": "2024-12-31"}),
        ),
        emass("ra-ms", "risk-accepted", json!({"milestones": milestone})),
        // eMASS has no Delayed: written and checked as Ongoing, said.
        emass("delayed", "ongoing", json!({"status": "delayed"})),
        // Not Applicable cannot be created.
        item(
            "na",
            json!({"status": "not-applicable", "state": "closed", "resources_required": "r"}),
        ),
        // Milestones within the scheduled completion date.
        emass(
            "ms-late",
            "ongoing",
            json!({"milestones": [{"description": "Patch", "due": "2024-04-15"}]}),
        ),
        // Character limits.
        emass(
            "desc-2000",
            "ongoing",
            json!({"weakness_description": long(2000)}),
        ),
        emass(
            "desc-2001",
            "ongoing",
            json!({"weakness_description": long(2001)}),
        ),
        emass(
            "resources-251",
            "ongoing",
            json!({"resources_required": long(251)}),
        ),
        emass("poc-101", "ongoing", json!({"point_of_contact": long(101)})),
        emass("comments-2001", "ongoing", json!({"comments": long(2001)})),
        emass(
            "ms-2001",
            "ongoing",
            json!({"milestones": [{"description": long(2001), "due": "2024-03-01"}]}),
        ),
    ];
    let file = write(dir.path(), "emass.json", items, "Moderate");
    let (_, f, _) = findings(&file, &["--template", "emass", "--as-of", "2024-06-01"]);
    for ok in ["ongoing-ok", "completed-ok", "ra-ok", "desc-2000"] {
        assert!(!f.iter().any(|(i, _)| i == ok), "{ok}: {f:?}");
    }
    for (id, rule) in [
        ("no-resources", "status-needs"),
        ("no-source", "status-needs"),
        ("ongoing-no-date", "status-needs"),
        ("ongoing-none", "milestone-missing"),
        ("completed-no-date", "status-needs"),
        ("completed-future", "date-in-future"),
        ("completed-no-comments", "status-needs"),
        ("ra-no-comments", "status-needs"),
        ("ra-scheduled", "status-forbids"),
        ("ra-ms", "risk-accepted-with-milestones"),
        ("na", "status-refused"),
        ("delayed", "status-not-in-system"),
        ("ms-late", "milestone-after-schedule"),
        ("desc-2001", "too-long"),
        ("resources-251", "too-long"),
        ("poc-101", "too-long"),
        ("comments-2001", "too-long"),
        ("ms-2001", "too-long"),
    ] {
        assert!(has(&f, id, rule), "{id} should break {rule}: {f:?}");
        // The one rule it breaks, and no other.
        assert_eq!(f.iter().filter(|(i, _)| i == id).count(), 1, "{id}: {f:?}");
    }
    // The same rules, said before an eMASS workbook is written.
    let out = dir.path().join("emass.xlsx");
    let run = poam()
        .args(["convert", &file, "--to", "emass", "-o"])
        .arg(&out)
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&run.stderr);
    assert!(run.status.success(), "{err}");
    assert!(
        err.contains("1 item breaks eMASS's rule date-in-future (completed-future)"),
        "{err}"
    );
    assert!(err.contains("5 items break eMASS's rule too-long"), "{err}");
}

#[test]
fn control_validity_and_other_frameworks() {
    let dir = tempfile::tempdir().unwrap();
    let items = vec![
        item("good", json!({"controls": ["AC-2(1)"]})),
        item("outside", json!({"controls": ["AC-2(6)"]})),
        item("made-up", json!({"controls": ["AC-26"]})),
        item("withdrawn", json!({"controls": ["AC-3(1)"]})),
        item("bad-171", json!({"controls": ["3.1.23"]})),
        item("good-171", json!({"controls": ["3.1.22"]})),
        item(
            "garbage",
            json!({"controls": [], "unparsed_controls": ["TBD"]}),
        ),
        item(
            "iso",
            json!({"controls": [], "other_controls": [{"framework": "iso-27001", "id": "A.5.15"}]}),
        ),
        item("not-fedramp", json!({"controls": ["AC-2(11)"]})),
    ];
    let file = write(dir.path(), "controls.json", items, "Moderate");
    let (_, f, _) = findings(&file, &["--policy", "fedramp", "--as-of", "2024-01-02"]);
    assert!(!has(&f, "good", "unknown-control"));
    assert!(
        !has(&f, "outside", "unknown-control"),
        "AC-2(6) is in no baseline but is a real enhancement"
    );
    assert!(has(&f, "made-up", "unknown-control"), "there is no AC-26");
    assert!(has(&f, "withdrawn", "withdrawn-control"));
    assert!(!has(&f, "withdrawn", "unknown-control"));
    assert!(!has(&f, "good", "withdrawn-control"));
    assert!(has(&f, "bad-171", "unknown-control"));
    assert!(!has(&f, "good-171", "unknown-control"));
    assert!(has(&f, "garbage", "unknown-control"));
    assert!(
        !has(&f, "iso", "unknown-control"),
        "ISO ids are not unknown 800-53 ids"
    );
    assert!(
        has(&f, "not-fedramp", "not-in-baseline"),
        "AC-2(11) is in the FedRAMP High baseline only"
    );
    assert!(!has(&f, "good", "not-in-baseline"));
    // The baseline follows the system's impact level.
    let items = vec![
        item("high-only", json!({"controls": ["AC-2(11)"]})),
        item("moderate-only", json!({"controls": ["AC-2(1)"]})),
    ];
    let high = write(dir.path(), "high.json", items.clone(), "High");
    let (_, f, _) = findings(&high, &["--policy", "fedramp", "--as-of", "2024-01-02"]);
    assert!(!has(&f, "high-only", "not-in-baseline"));
    assert!(!has(&f, "moderate-only", "not-in-baseline"));
    let low = write(dir.path(), "low.json", items, "Low");
    let (_, f, v) = findings(&low, &["--policy", "fedramp", "--as-of", "2024-01-02"]);
    assert!(has(&f, "high-only", "not-in-baseline"));
    assert!(
        has(&f, "moderate-only", "not-in-baseline"),
        "AC-2(1) is not in FedRAMP Low"
    );
    assert!(v.to_string().contains("FedRAMP Rev 5 Low baseline"));

    // ISO, CIS and ISO 9001 ids in a controls cell are recognized by their patterns.
    let wb_path = dir.path().join("mixed.xlsx");
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    for (c, h) in [
        "POAM ID",
        "Controls",
        "Weakness Name",
        "Weakness Description",
        "Status",
    ]
    .iter()
    .enumerate()
    {
        ws.write_string(0, c as u16, *h).unwrap();
    }
    for (c, v) in [
        "M-1",
        "AC-2; A.5.15; CIS 4.1; ISO 9001 8.7",
        "Mixed",
        "A finding",
        "Open",
    ]
    .iter()
    .enumerate()
    {
        ws.write_string(1, c as u16, *v).unwrap();
    }
    wb.save(&wb_path).unwrap();
    let m = super::model(wb_path.to_str().unwrap(), &["--from", "legacy"]);
    assert_eq!(m["items"][0]["controls"], json!(["AC-2"]));
    assert_eq!(
        m["items"][0]["other_controls"],
        json!([{"framework": "iso-27001", "id": "A.5.15"}, {"framework": "cis-v8", "id": "CIS 4.1"}, {"framework": "iso-9001", "id": "8.7"}])
    );
    assert_eq!(m["items"][0]["unparsed_controls"], json!([]));
    assert!(m["items"][0]["equivalents"]["sp800-171"]
        .as_array()
        .unwrap()
        .contains(&json!("3.1.1")));

    // A framework of one's own, from a data file.
    let soc2 = dir.path().join("soc2.toml");
    std::fs::write(
        &soc2,
        "name = \"soc2\"\ntitle = \"SOC 2\"\npattern = '^(?:SOC ?2 )?(CC\\d\\.\\d)$'\ncanonical = \"{1}\"\n",
    )
    .unwrap();
    let wb_path = dir.path().join("soc2.xlsx");
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    for (r, row) in [
        [
            "POAM ID",
            "Controls",
            "Weakness Name",
            "Weakness Description",
            "Status",
        ],
        ["S-1", "AC-2; SOC 2 CC6.1", "Mixed", "A finding", "Open"],
    ]
    .iter()
    .enumerate()
    {
        for (c, v) in row.iter().enumerate() {
            ws.write_string(r as u32, c as u16, *v).unwrap();
        }
    }
    wb.save(&wb_path).unwrap();
    let without = super::model(wb_path.to_str().unwrap(), &["--from", "legacy"]);
    assert_eq!(
        without["items"][0]["unparsed_controls"],
        json!(["SOC 2 CC6.1"])
    );
    let with = super::model(
        wb_path.to_str().unwrap(),
        &["--from", "legacy", "--framework", soc2.to_str().unwrap()],
    );
    assert_eq!(
        with["items"][0]["other_controls"],
        json!([{"framework": "soc2", "id": "CC6.1"}])
    );
    assert_eq!(with["items"][0]["unparsed_controls"], json!([]));
    // A broken framework file is named in the error.
    std::fs::write(&soc2, "name = \"x\"\n").unwrap();
    poam()
        .args([
            "inspect",
            wb_path.to_str().unwrap(),
            "--framework",
            soc2.to_str().unwrap(),
        ])
        .assert()
        .code(2)
        .stderr(predicates::str::contains("soc2.toml"));
}

#[test]
fn dod_and_cms_policies_count_their_own_days() {
    let dir = tempfile::tempdir().unwrap();
    let items = vec![
        item(
            "cat1",
            json!({"detected_on": "2024-04-15", "scheduled_completion": "2024-12-31", "emass": {"raw_severity": "cat-i"}}),
        ),
        item(
            "cat2",
            json!({"detected_on": "2024-04-15", "scheduled_completion": "2024-12-31", "emass": {"raw_severity": "cat-ii"}}),
        ),
        item(
            "crit",
            json!({"detected_on": "2024-05-10", "scheduled_completion": "2024-12-31", "risk": {"original": "critical"}}),
        ),
        item(
            "high",
            json!({"detected_on": "2024-05-10", "scheduled_completion": "2024-12-31", "risk": {"original": "high"}}),
        ),
    ];
    let file = write(dir.path(), "dod.json", items, "Moderate");
    let (_, f, _) = findings(&file, &["--policy", "dod", "--as-of", "2024-06-01"]);
    assert!(has(&f, "cat1", "overdue"), "CAT I: 30 days");
    assert!(!has(&f, "cat2", "overdue"), "CAT II: 180 days");
    let (_, f, _) = findings(&file, &["--policy", "cms", "--as-of", "2024-06-01"]);
    assert!(has(&f, "crit", "overdue"), "CMS Critical: 15 days");
    assert!(!has(&f, "high", "overdue"), "CMS High: 30 days");
    // A policy of one's own.
    let own = dir.path().join("strict.toml");
    std::fs::write(&own, "name = \"strict\"\ntitle = \"Strict\"\nclock = \"rating\"\n[days]\nhigh = 7\ncritical = 7\nmoderate = 7\nlow = 7\n").unwrap();
    let (_, f, _) = findings(
        &file,
        &["--policy", own.to_str().unwrap(), "--as-of", "2024-06-01"],
    );
    assert!(has(&f, "high", "overdue"));
    poam()
        .args(["validate", &file, "--policy", "nonsense"])
        .assert()
        .code(2)
        .stderr(predicates::str::contains("unknown policy \"nonsense\""));
}

/// A POA&M with one open item per listed requirement.
fn plan(dir: &Path, name: &str, reqs: &[(&str, &str)], due: &str) -> String {
    let items = reqs
        .iter()
        .enumerate()
        .map(|(n, (r, text))| {
            item(
                &format!("R-{n}"),
                json!({"controls": [r], "weakness_name": text, "scheduled_completion": due}),
            )
        })
        .collect();
    write(dir, name, items, "Moderate")
}

fn score(file: &str, extra: &[&str]) -> (i32, Value) {
    let out = poam()
        .args(["score", file, "--format", "json"])
        .args(extra)
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        serde_json::from_slice(&out.stdout).unwrap(),
    )
}

#[test]
fn sprs_scores_match_the_dod_methodology() {
    let dir = tempfile::tempdir().unwrap();
    // All 110 met: nothing open.
    let (code, v) = score(
        &plan(dir.path(), "none.json", &[], "2024-12-31"),
        &["--conditional-date", "2024-10-01"],
    );
    assert_eq!(v["score"], 110);
    assert_eq!(code, 0);
    // Every requirement but 3.12.4 unmet: the lowest possible score.
    let all: Vec<(String, &str)> = poam_layout::catalog::catalogs()
        .requirements()
        .filter(|r| r.id != "3.12.4")
        .map(|r| (r.id.clone(), "not met"))
        .collect();
    let refs: Vec<(&str, &str)> = all.iter().map(|(a, b)| (a.as_str(), *b)).collect();
    let (_, v) = score(&plan(dir.path(), "all.json", &refs, "2024-12-31"), &[]);
    assert_eq!(v["score"], -203);
    // With 3.12.4 unmet, no score can be given.
    let (code, v) = score(
        &plan(
            dir.path(),
            "nossp.json",
            &[("3.12.4", "no SSP")],
            "2024-12-31",
        ),
        &[],
    );
    assert_eq!(v["score"], Value::Null);
    assert_eq!(code, 1);
    // 3.5.3 partly implemented: 3 points; not at all: 5.
    let (_, v) = score(
        &plan(
            dir.path(),
            "mfa.json",
            &[("IA.L2-3.5.3", "MFA for remote and privileged users only")],
            "2024-12-31",
        ),
        &[],
    );
    assert_eq!(v["score"], 107);
    assert_eq!(v["unmet"][0]["partial"], true);
    let (_, v) = score(
        &plan(
            dir.path(),
            "nomfa.json",
            &[("3.5.3", "No MFA at all")],
            "2024-12-31",
        ),
        &[],
    );
    assert_eq!(v["score"], 105);
}

#[test]
fn cmmc_level_2_eligibility() {
    let dir = tempfile::tempdir().unwrap();
    let file = plan(
        dir.path(),
        "cmmc.json",
        &[
            ("3.1.3", "flow control"), // 1 point: allowed
            ("3.13.11", "encryption is used but not FIPS-validated"), // 3 points, allowed
            ("3.1.1", "shared accounts"), // 5 points: not allowed
            ("3.1.20", "external connections"), // never allowed
        ],
        "2025-01-31",
    );
    let (code, v) = score(&file, &["--conditional-date", "2024-10-01"]);
    assert_eq!(v["score"], 110 - 1 - 3 - 5 - 1);
    assert_eq!(v["passes"], true, "100 >= 88");
    assert_eq!(v["closeout_deadline"], "2025-03-30");
    assert_eq!(v["eligible"], false);
    assert_eq!(code, 1);
    let reasons: Vec<(String, String)> = v["ineligible"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| {
            (
                i["requirement"].as_str().unwrap().to_string(),
                i["reason"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(reasons.len(), 2, "{reasons:?}");
    assert!(reasons
        .iter()
        .any(|(r, why)| r == "3.1.1" && why.contains("only 1-point requirements")));
    assert!(reasons
        .iter()
        .any(|(r, why)| r == "3.1.20" && why.contains("may never be on a POA&M")));
    // Not FIPS-validated encryption is allowed at 3 points, no encryption at 5 is not.
    let file = plan(
        dir.path(),
        "enc.json",
        &[("3.13.11", "no encryption at all")],
        "2025-01-31",
    );
    let (_, v) = score(&file, &["--conditional-date", "2024-10-01"]);
    assert!(v["ineligible"][0]["reason"]
        .as_str()
        .unwrap()
        .contains("only when encryption is employed but not FIPS-validated"));
    // Items must close within 180 days of the conditional status date.
    let file = plan(dir.path(), "late.json", &[("3.1.3", "flow")], "2025-06-30");
    let (_, v) = score(&file, &["--conditional-date", "2024-10-01"]);
    assert!(v["ineligible"][0]["reason"]
        .as_str()
        .unwrap()
        .contains("after the closeout deadline 2025-03-30"));
    // A score under 88 fails.
    let many: Vec<(&str, &str)> = ["3.1.1", "3.1.2", "3.2.1", "3.2.2", "3.3.1"]
        .iter()
        .map(|r| (*r, "x"))
        .collect();
    let (_, v) = score(
        &plan(dir.path(), "low.json", &many, "2025-01-31"),
        &["--conditional-date", "2024-10-01"],
    );
    assert_eq!(v["score"], 85);
    assert_eq!(v["passes"], false);
    // validate --policy cmmc reports the same as findings.
    let (code, f, _) = findings(
        &plan(dir.path(), "cmmc2.json", &[("3.1.20", "x")], "2025-01-31"),
        &["--policy", "cmmc", "--as-of", "2024-10-01"],
    );
    assert_eq!(code, 1);
    assert!(has(&f, "R-0", "cmmc-eligibility"), "{f:?}");
}

#[test]
fn reports_carry_the_policy_and_the_score() {
    let dir = tempfile::tempdir().unwrap();
    let file = plan(
        dir.path(),
        "plan.json",
        &[
            ("3.5.3", "No MFA at all"),
            ("3.1.1", "Accounts not reviewed"),
        ],
        "2025-12-31",
    );
    let out = poam()
        .args([
            "report",
            &file,
            "--format",
            "md",
            "--policy",
            "cmmc",
            "--as-of",
            "2024-10-01",
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    // 3.5.3 (5 points) and 3.1.1 (5 points) unmet.
    assert!(
        text.contains("NIST SP 800-171 (SPRS) score: 100 of 110"),
        "{text}"
    );
    // 3.1.1 is a 5-point requirement CMMC does not allow on a POA&M.
    assert!(
        text.contains("Conditional CMMC Level 2: not eligible (2 ineligible item(s)"),
        "{text}"
    );
    // Each ineligible requirement is named, as `poam score` names it.
    let named: Vec<&str> = text
        .lines()
        .filter(|l| l.trim_start().starts_with("- not eligible: "))
        .collect();
    // Two items, each with two reasons: 5 points, and past the closeout.
    assert_eq!(named.len(), 4, "{text}");
    assert!(named.iter().any(|l| l.contains("3.1.1")), "{named:?}");
    assert!(named.iter().any(|l| l.contains("3.5.3")), "{named:?}");
    // The Word and HTML reports carry them too.
    let docx = dir.path().join("report.docx");
    poam()
        .args([
            "report",
            &file,
            "--format",
            "docx",
            "--policy",
            "cmmc",
            "--as-of",
            "2024-10-01",
            "-o",
        ])
        .arg(&docx)
        .assert()
        .success();
    let xml = super::deliverables::part(&docx, "word/document.xml");
    assert!(
        xml.contains("100 of 110"),
        "the Word report shows the score"
    );
    assert_eq!(
        xml.matches("Not eligible: ").count(),
        4,
        "the Word report names them"
    );
    let out = poam()
        .args([
            "report",
            &file,
            "--format",
            "html",
            "--policy",
            "cmmc",
            "--as-of",
            "2024-10-01",
        ])
        .output()
        .unwrap();
    let html = String::from_utf8(out.stdout).unwrap();
    assert!(html.contains("<strong>100 of 110</strong>"));
    assert_eq!(
        html.split("<ul class=\"ineligible\">").nth(1).map(|l| l
            .split("</ul>")
            .next()
            .unwrap()
            .matches("<li>")
            .count()),
        Some(4),
        "the HTML report names them"
    );
    assert!(html.contains("CMMC Level 2 (32 CFR 170.21) deadline"));
    // Overdue by the policy's deadline even when the scheduled date is later.
    let late = write(
        dir.path(),
        "late.json",
        vec![item(
            "H-1",
            json!({"risk": {"original": "high"}, "scheduled_completion": "2025-12-31"}),
        )],
        "Moderate",
    );
    let md = |extra: &[&str]| {
        let out = poam()
            .args(["report", &late, "--format", "md", "--as-of", "2024-10-01"])
            .args(extra)
            .output()
            .unwrap();
        String::from_utf8(out.stdout).unwrap()
    };
    assert!(md(&["--policy", "fedramp"]).contains("deadline or scheduled completion: 1"));
    assert!(md(&[]).contains("scheduled completion: 0"));
    // Without a policy neither line appears.
    let out = poam()
        .args(["report", &file, "--format", "md"])
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(!text.contains("SPRS"), "{text}");
    assert!(!text.contains("deadline or"), "{text}");
}

#[test]
fn cci_rules_break_and_keep() {
    let dir = tempfile::tempdir().unwrap();
    let items = vec![
        // CCI-000366 is CM-6 in DISA's list.
        item(
            "agrees",
            json!({"controls": ["CM-6"], "ccis": ["CCI-000366"]}),
        ),
        item(
            "mismatch",
            json!({"controls": ["AC-2"], "ccis": ["CCI-000366"]}),
        ),
        // CCI-000015 is AC-2(1): an item naming AC-2 agrees with it.
        item(
            "base",
            json!({"controls": ["AC-2"], "ccis": ["CCI-000015"]}),
        ),
        item(
            "unknown",
            json!({"controls": ["CM-6"], "ccis": ["CCI-999999"]}),
        ),
        item(
            "deprecated",
            json!({"controls": ["AC-2"], "ccis": ["CCI-000191"]}),
        ),
    ];
    let file = write(dir.path(), "ccis.json", items, "Moderate");
    let (code, f, _) = findings(&file, &["--as-of", "2024-01-02"]);
    assert!(has(&f, "mismatch", "cci-mismatch"), "{f:?}");
    assert!(!has(&f, "agrees", "cci-mismatch"));
    assert!(!has(&f, "base", "cci-mismatch"));
    assert!(has(&f, "unknown", "unknown-cci"));
    assert!(!has(&f, "agrees", "unknown-cci"));
    assert!(has(&f, "deprecated", "deprecated-cci"));
    assert!(!has(&f, "agrees", "deprecated-cci"));
    assert!(!has(&f, "deprecated", "unknown-cci"));
    assert_ne!(code, 0, "an unknown CCI is an error");
}

/// `report --policy fedramp`: FedRAMP's escalation triggers counted (five
/// High unique vulnerabilities open more than 30 days since detection is a
/// DFR; the unique count up 20 % of the baseline or 10, whichever is
/// greater), and kept when under the thresholds.
#[test]
fn fedramp_report_counts_escalation_triggers() {
    let dir = tempfile::tempdir().unwrap();
    let high = |n: usize, detected: &str| {
        item(
            &format!("H-{n}"),
            json!({"source_identifier": format!("10{n}"), "detected_on": detected,
            "risk": {"original": "high"}}),
        )
    };
    // Five High findings 45 days old; one more on the same plugin.
    let mut items: Vec<Value> = (0..5).map(|n| high(n, "2024-04-17")).collect();
    items.push(item(
        "H-dup",
        json!({"source_identifier": "100", "detected_on": "2024-04-17", "risk": {"original": "high"}}),
    ));
    let file = write(dir.path(), "month.json", items.clone(), "Moderate");
    let base = write(dir.path(), "ato.json", items[..2].to_vec(), "Moderate");
    let report = |file: &str, extra: &[&str]| {
        let out = poam()
            .args([
                "report",
                file,
                "--format",
                "md",
                "--policy",
                "fedramp",
                "--as-of",
                "2024-06-01",
            ])
            .args(extra)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    };
    let md = report(&file, &["--baseline", &base]);
    assert!(md.contains("escalation triggers"), "{md}");
    assert!(md.contains("**A trigger is met.**"), "{md}");
    assert!(
        md.contains("| Late remediation: High, more than 30 days | DFR | 5 | 5 | **yes** |"),
        "{md}"
    );
    assert!(
        md.contains("| Late remediation: High, more than 60 days | CAP | 0 | 5 | no |"),
        "{md}"
    );
    // 5 unique open against 2: up 3, under the 10 that trigger it.
    assert!(md.contains("(baseline 2)"), "{md}");
    assert!(
        md.contains("| Unique vulnerability count increase | DFR | 3 | 10 | no |"),
        "{md}"
    );
    // Four High findings: no trigger; a number as the baseline.
    let four = write(dir.path(), "four.json", items[..4].to_vec(), "Moderate");
    let md = report(&four, &["--baseline", "4"]);
    assert!(md.contains("No trigger is met."), "{md}");
    // Another policy has no triggers, and --baseline says what it needs.
    let out = poam()
        .args(["report", &file, "--format", "md", "--baseline", "3"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--baseline needs --policy fedramp"));
}
