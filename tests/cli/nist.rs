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

/// A Word file holding only `body` (the reader needs nothing else).
fn word_file(path: &std::path::Path, body: &str) {
    use std::io::Write;
    let mut zip = zip::ZipWriter::new(std::fs::File::create(path).unwrap());
    zip.start_file(
        "word/document.xml",
        zip::write::SimpleFileOptions::default(),
    )
    .unwrap();
    let xml = format!(
        r#"<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>{body}</w:body></w:document>"#
    );
    zip.write_all(xml.as_bytes()).unwrap();
    zip.finish().unwrap();
}

fn word_row(cells: &[&str]) -> String {
    let cells: String = cells
        .iter()
        .map(|c| format!("<w:tc><w:p><w:r><w:t>{c}</w:t></w:r></w:p></w:tc>"))
        .collect();
    format!("<w:tr>{cells}</w:tr>")
}

#[test]
fn a_word_table_with_section_rows_continued_in_a_second_table_reads_whole() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("plan.docx");
    let header = word_row(&[
        "Weakness",
        "Responsible Organization",
        "Resources",
        "Scheduled Completion Date",
        "Milestones with Interim Completion Dates",
        "Changes to Milestones",
        "How was the weakness identified?",
        "Status (Ongoing or Complete)",
    ]);
    let section = r#"<w:tr><w:tc><w:tcPr><w:gridSpan w:val="8"/></w:tcPr><w:p><w:r><w:t>3.1 ACCESS CONTROL</w:t></w:r></w:p></w:tc></w:tr>"#;
    let first = word_row(&[
        "3.1.1 Shared accounts on the file server",
        "IT",
        "None",
        "06/30/2025",
        "Remove shared accounts (05/31/2025)",
        "",
        "Self-assessment",
        "Ongoing",
    ]);
    let second = word_row(&[
        "3.1.5 Admins use their accounts for email",
        "IT",
        "None",
        "07/31/2025",
        "",
        "",
        "Self-assessment",
        "Ongoing",
    ]);
    let body = format!(
        "<w:tbl>{header}{section}{first}</w:tbl><w:p><w:r><w:t>(continued)</w:t></w:r></w:p><w:tbl>{header}{second}</w:tbl>"
    );
    word_file(&path, &body);
    let m = super::model(path.to_str().unwrap(), &[]);
    let items = m["items"].as_array().unwrap();
    assert_eq!(items.len(), 2, "{m}");
    assert_eq!(items[0]["controls"], serde_json::json!(["3.1.1"]));
    assert_eq!(items[0]["milestones"][0]["due"], "2025-05-31");
    assert_eq!(items[1]["controls"], serde_json::json!(["3.1.5"]));
    let out = poam().arg("inspect").arg(&path).output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("a section heading inside the table"),
        "{text}"
    );
}
