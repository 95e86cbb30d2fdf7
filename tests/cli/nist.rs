//! NIST SP 800-171 / CMMC plans of action in Word, Excel and CSV.

use super::{model, poam, root, without_origin};
use serde_json::json;

#[test]
fn the_plan_of_action_reads_alike_from_word_excel_and_csv() {
    let docx = model("fixtures/nist/plan-of-action.docx", &[]);
    let items = docx["items"].as_array().unwrap();
    assert_eq!(items.len(), 3);
    let a = &items[0];
    assert_eq!(
        a["controls"],
        json!(["3.1.1"]),
        "requirement id from the weakness text"
    );
    assert_eq!(
        a["weakness_description"],
        "3.1.1 Authorized access: two shared accounts remain on the file server."
    );
    assert_eq!(a["point_of_contact"], "IT Operations");
    assert_eq!(a["resources_required"], "Funded: 16 staff hours");
    assert_eq!(a["scheduled_completion"], "2025-06-30");
    assert_eq!(
        a["milestones"],
        json!([
            {"description": "Inventory shared accounts", "due": "2025-03-31"},
            {"description": "Replace them with named accounts", "due": "2025-05-31"}
        ])
    );
    assert_eq!(
        a["detector_source"],
        "Self-assessment (DoD Assessment Methodology)"
    );
    assert_eq!(a["status"], "ongoing");
    assert_eq!(a["state"], "open");
    assert_eq!(a["origin"]["sheet"], "Table 1");
    let b = &items[1];
    assert_eq!(
        b["controls"],
        json!(["3.5.3"]),
        "CMMC AC.L2-3.5.3 is requirement 3.5.3"
    );
    assert_eq!(b["status"], "completed");
    assert_eq!(b["state"], "closed");
    assert_eq!(b["milestone_changes"], "Token delivery slipped two weeks");
    assert_eq!(b["milestones"][0]["due"], "2025-02-15");
    assert_eq!(items[2]["scheduled_completion"], "2025-09-30");
    assert_eq!(items[2]["controls"], json!(["3.13.11"]));

    let xlsx = model("fixtures/nist/plan-of-action.xlsx", &[]);
    let csv = model("fixtures/nist/plan-of-action.csv", &[]);
    assert_eq!(without_origin(xlsx), without_origin(docx.clone()));
    assert_eq!(without_origin(csv), without_origin(docx));
}

#[test]
fn the_official_nist_template_is_detected() {
    let file =
        root().join("../shared/reference/real-files/nist/NIST-CUI-Plan-of-Action-Template.docx");
    if !file.exists() {
        crate::require::missing(&format!("{} is absent", file.display()));
        return;
    }
    let out = poam()
        .args(["inspect", "--format", "json"])
        .arg(&file)
        .output()
        .unwrap();
    assert!(out.status.success());
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["read"]["layout"], "nist-171 cui-template");
    assert_eq!(v["read"]["format"], "word");
    assert_eq!(
        v["open_items"], 0,
        "the blank rows of the template are not items"
    );
    assert_eq!(
        v["read"]["sheets"][0]["columns"].as_array().unwrap().len(),
        8
    );
}

#[test]
fn a_zip_that_is_not_a_word_file_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let fake = dir.path().join("plan.docx");
    std::fs::copy(root().join("fixtures/nist/plan-of-action.xlsx"), &fake).unwrap();
    poam()
        .args(["inspect"])
        .arg(&fake)
        .assert()
        .code(2)
        .stderr(predicates::str::contains(
            "a zip without word/document.xml is not a Word document",
        ));
}
