//! System Security Plans: sections, links and the consistency report.

use super::{model, poam, root};
use serde_json::{json, Value};

fn link_json(poam_file: &str, ssp: &str) -> (i32, Value) {
    let out = poam()
        .args(["link", poam_file, "--ssp", ssp, "--format", "json"])
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        serde_json::from_slice(&out.stdout).unwrap_or(Value::Null),
    )
}

#[test]
fn the_consistency_report_finds_each_kind_of_disagreement() {
    let (code, v) = link_json("fixtures/ssp/poam.json", "fixtures/ssp/appendix-a.docx");
    assert_eq!(code, 1, "findings exist");
    assert_eq!(v["ssp_kind"], "fedramp-rev5-appendix-a");
    assert_eq!(v["ssp_sections"], 8);
    let found: Vec<(String, String, Option<String>)> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["kind"].as_str().unwrap().to_string(),
                f["control"].as_str().unwrap().to_string(),
                f["item"].as_str().map(String::from),
            )
        })
        .collect();
    let want: Vec<(String, String, Option<String>)> = [
        ("gap-without-item", "SC-13", None),
        ("gap-without-item", "SC-7", None),
        ("item-without-section", "IA-5", Some("P-5")),
        ("item-without-section", "RA-5", Some("P-6")),
        ("closed-but-gap", "SC-13", Some("P-4")),
        ("open-but-implemented", "AC-2(1)", Some("P-1")),
        ("date-mismatch", "AC-6(5)", Some("P-3")),
    ]
    .iter()
    .map(|(k, c, i)| (k.to_string(), c.to_string(), i.map(String::from)))
    .collect();
    assert_eq!(found, want);
    assert_eq!(v["counts"]["gap-without-item"], 2);
    assert_eq!(v["counts"]["date-mismatch"], 1);
    // The links: a part-level id links to its control's section and names the part.
    let p7 = v["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["id"] == "P-7")
        .unwrap();
    assert_eq!(p7["ssp_refs"][0]["control"], "AC-2");
    assert_eq!(p7["ssp_refs"][0]["part"], "AC-2b");
    assert_eq!(
        p7["ssp_refs"][0]["section"],
        "AC-2 Account Management (L)(M)(H)"
    );
    assert_eq!(
        p7["ssp_refs"][0]["status"],
        json!(["Partially Implemented"])
    );
    let p6 = v["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["id"] == "P-6")
        .unwrap();
    assert_eq!(p6["ssp_refs"][0]["section"], Value::Null);
    assert_eq!(
        p6["ssp_refs"][0]["note"],
        "fixtures/ssp/appendix-a.docx has no section for RA-5"
    );

    let text = poam()
        .args([
            "link",
            "fixtures/ssp/poam.json",
            "--ssp",
            "fixtures/ssp/appendix-a.docx",
        ])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&text.stdout);
    assert!(text.contains("Closed POA&M items whose control the SSP still marks Planned or Partially Implemented (1)"), "{text}");
    assert!(
        text.contains("item P-4 is closed but the SSP still marks SC-13 Partially Implemented"),
        "{text}"
    );
    let md = poam()
        .args([
            "link",
            "fixtures/ssp/poam.json",
            "--ssp",
            "fixtures/ssp/appendix-a.docx",
            "--format",
            "md",
        ])
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&md.stdout)
        .contains("## Planned completion dates that differ between the SSP and the POA&M (1)"));
}

#[test]
fn checkboxes_in_all_three_forms_are_read() {
    let index = poam_ssp::read_ssp(&root().join("fixtures/ssp/appendix-a.docx")).unwrap();
    let status = |c: &str| index.section(c).unwrap().status.clone();
    use poam_ssp::ImplStatus::*;
    assert_eq!(
        status("AC-2"),
        vec![PartiallyImplemented],
        "content control, stale glyph"
    );
    assert_eq!(status("AC-2(1)"), vec![Implemented], "legacy form field");
    assert_eq!(status("AC-6(5)"), vec![Planned], "typed glyph");
    let ac2 = index.section("AC-2").unwrap();
    assert_eq!(ac2.responsible_role.as_deref(), Some("ISSO"));
    assert_eq!(
        ac2.origination,
        vec!["Service Provider System Specific".to_string()]
    );
    assert_eq!(ac2.title.as_deref(), Some("Account Management"));
    assert_eq!(ac2.parts, vec!["a".to_string(), "b".to_string()]);
    assert_eq!(
        index.section("AC-2(1)").unwrap().path,
        vec![
            "Access Control",
            "AC-2 Account Management (L)(M)(H)",
            "AC-2(1) Automated System Account Management (M)(H)"
        ]
    );
    assert_eq!(
        index
            .section("AC-6(5)")
            .unwrap()
            .planned_completion
            .map(|d| d.to_string()),
        Some("2025-06-30".into())
    );
    assert!(index.section("CM-6").unwrap().mentions_poam);
    assert_eq!(
        index.sections.len(),
        8,
        "the table of contents is not read as sections"
    );
}

#[test]
fn a_nist_800_171_plan_links_to_a_nist_ssp() {
    let (code, v) = link_json(
        "fixtures/nist/plan-of-action.docx",
        "fixtures/ssp/nist-171-ssp.docx",
    );
    assert_eq!(code, 1);
    assert_eq!(v["ssp_kind"], "nist-800-171-ssp");
    let kinds: Vec<&str> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["gap-without-item", "closed-but-gap"]);
    let first = &v["items"][0]["ssp_refs"][0];
    assert_eq!(first["control"], "3.1.1");
    assert_eq!(first["status"], json!(["Planned"]));
}

#[test]
fn a_consistent_pair_exits_zero_and_links_travel_in_json_csv_and_reports() {
    let dir = tempfile::tempdir().unwrap();
    let mut m = model("fixtures/ssp/poam.json", &[]);
    // Keep only the item that agrees with the SSP (P-2, CM-6), and make the SSP's
    // planned and partial controls someone's open item.
    let items = m["items"].as_array().unwrap().clone();
    let mut keep: Vec<Value> = items
        .into_iter()
        .filter(|i| i["id"] == "P-2" || i["id"] == "P-7" || i["id"] == "P-3")
        .collect();
    keep[1]["scheduled_completion"] = json!("2025-06-30");
    for (id, control) in [("P-8", "SC-7"), ("P-9", "SC-13")] {
        let mut extra = keep[0].clone();
        extra["id"] = json!(id);
        extra["controls"] = json!([control]);
        keep.push(extra);
    }
    m["items"] = Value::Array(keep);
    let input = dir.path().join("consistent.json");
    std::fs::write(&input, serde_json::to_vec(&m).unwrap()).unwrap();
    let (code, v) = link_json(input.to_str().unwrap(), "fixtures/ssp/appendix-a.docx");
    assert_eq!(v["findings"], json!([]), "{v}");
    assert_eq!(code, 0);

    let json_out = model(
        input.to_str().unwrap(),
        &["--ssp", "fixtures/ssp/appendix-a.docx"],
    );
    assert_eq!(
        json_out["items"][0]["ssp_refs"][0]["section"],
        "CM-6 Configuration Settings (L)(M)(H)"
    );
    let csv = dir.path().join("linked.csv");
    poam()
        .args([
            "convert",
            input.to_str().unwrap(),
            "--ssp",
            "fixtures/ssp/appendix-a.docx",
            "--to",
            "csv",
            "-o",
        ])
        .arg(&csv)
        .assert()
        .success();
    assert_eq!(
        model(csv.to_str().unwrap(), &[])["items"],
        json_out["items"]
    );
    let report = poam()
        .args([
            "report",
            input.to_str().unwrap(),
            "--ssp",
            "fixtures/ssp/appendix-a.docx",
            "--format",
            "md",
        ])
        .output()
        .unwrap();
    let report = String::from_utf8_lossy(&report.stdout);
    assert!(
        report
            .contains("- CM-6: SSP section \"CM-6 Configuration Settings (L)(M)(H)\", Implemented"),
        "{report}"
    );
    assert!(report.contains("- AC-2 (part AC-2b): SSP section \"AC-2 Account Management (L)(M)(H)\", Partially Implemented"), "{report}");
    // The Word report cites the section under the item; OSCAL keeps the links.
    let docx = dir.path().join("report.docx");
    poam()
        .args([
            "report",
            input.to_str().unwrap(),
            "--ssp",
            "fixtures/ssp/appendix-a.docx",
            "--format",
            "docx",
            "-o",
        ])
        .arg(&docx)
        .assert()
        .success();
    let mut zip = zip::ZipArchive::new(std::fs::File::open(&docx).unwrap()).unwrap();
    let mut xml = String::new();
    std::io::Read::read_to_string(&mut zip.by_name("word/document.xml").unwrap(), &mut xml)
        .unwrap();
    assert!(
        xml.contains("System Security Plan") && xml.contains("CM-6: SSP section"),
        "the Word report cites the SSP"
    );
    let oscal = dir.path().join("linked.json");
    poam()
        .args([
            "convert",
            input.to_str().unwrap(),
            "--ssp",
            "fixtures/ssp/appendix-a.docx",
            "--to",
            "oscal",
            "-o",
        ])
        .arg(&oscal)
        .assert()
        .success();
    assert_eq!(
        model(oscal.to_str().unwrap(), &[])["items"][0]["ssp_refs"],
        json_out["items"][0]["ssp_refs"]
    );
}

#[test]
fn an_unreadable_ssp_exits_two() {
    poam()
        .args([
            "link",
            "fixtures/ssp/poam.json",
            "--ssp",
            "fixtures/fedramp/fedramp-2.1.xlsx",
        ])
        .assert()
        .code(2)
        .stderr(predicates::str::contains(
            "fixtures/fedramp/fedramp-2.1.xlsx: not an SSP poamkit can read",
        ));
}
