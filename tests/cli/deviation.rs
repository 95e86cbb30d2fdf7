//! `poam deviation`: FedRAMP's deviation request form, filled and read back.

use super::poam;
use calamine::{Data, Reader};

const POAM: &str = r#"{"system": {"name": "Example Cloud", "organization": "Example CSP", "impact_level": "Moderate"},
 "items": [
  {"id": "V-0001", "state": "open", "weakness_name": "OpenSSL 1.0.2 end of life", "weakness_description": "The installed OpenSSL is no longer supported.", "detector_source": "Nessus", "source_identifier": "58987", "assets": ["web-01 (443/TCP)", "web-02 (443/TCP)"], "cves": ["CVE-2022-0778"], "detected_on": "2026-10-05", "remediation_plan": "Upgrade OpenSSL", "risk": {"original": "high", "adjusted": "moderate", "adjustment": "pending", "deviation_rationale": "Reachable only from the management VLAN."}},
  {"id": "V-0002", "state": "open", "weakness_name": "Apache Tomcat default files", "detector_source": "Nessus", "source_identifier": "12085", "assets": ["app-01"], "detected_on": "2026-10-05", "risk": {"original": "moderate", "false_positive": "pending", "deviation_rationale": "Tomcat is not installed; the banner comes from the WAF."}, "supporting_documents": "rpm -qa listing"},
  {"id": "V-0003", "state": "open", "weakness_name": "SMBv1 enabled", "detector_source": "Nessus", "source_identifier": "96982", "assets": ["legacy-01"], "risk": {"original": "moderate", "operational_requirement": "pending", "adjustment": "pending"}},
  {"id": "V-0004", "state": "open", "weakness_name": "Weak cipher", "risk": {"original": "low", "adjustment": "yes", "adjusted": "low"}}
 ]}"#;

fn text(range: &calamine::Range<Data>, cell: &str) -> String {
    let (col, row) = poam_layout::parse_cell_ref(cell).unwrap();
    match range.get_value((row, u32::from(col))) {
        Some(Data::String(s)) => s.clone(),
        Some(Data::DateTime(d)) => d
            .as_datetime()
            .map(|d| d.date().to_string())
            .unwrap_or_default(),
        Some(Data::Empty) | None => String::new(),
        Some(other) => other.to_string(),
    }
}

/// The items that ask for a deviation fill one row each, in the form's
/// columns, with the form's words; an approved adjustment and an item
/// without a request are not on it; a request without a rationale is
/// written and listed, and the exit code says so.
#[test]
fn the_form_is_filled_for_the_items_that_ask_and_reads_back() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("poam.json");
    std::fs::write(&input, POAM).unwrap();
    let form = dir.path().join("dr.xlsx");
    let run = poam()
        .arg("deviation")
        .arg(&input)
        .arg("-o")
        .arg(&form)
        .args(["--as-of", "2026-12-03"])
        .assert()
        .code(1);
    let out = String::from_utf8_lossy(&run.get_output().stdout).to_string();
    assert!(
        out.contains("Deviation requests: 3 (1 incomplete)"),
        "{out}"
    );
    assert!(
        out.contains("V-0003 (OR RA): needs a deviation rationale"),
        "{out}"
    );
    let mut wb: calamine::Xlsx<_> = calamine::open_workbook(&form).unwrap();
    assert_eq!(
        wb.sheet_names(),
        ["DR Sheet", "Data Dictionary - Do Not Remove"]
    );
    let s = wb.worksheet_range("DR Sheet").unwrap();
    assert_eq!(text(&s, "A1"), "FedRAMP DR Request Form");
    assert_eq!(
        [
            text(&s, "A3"),
            text(&s, "B3"),
            text(&s, "C3"),
            text(&s, "E3")
        ],
        ["Example CSP", "Example Cloud", "Moderate", "2026-12-03"]
    );
    assert_eq!(text(&s, "B10"), "POA&M ID");
    assert_eq!(text(&s, "N10"), "Type of DR");
    assert_eq!(text(&s, "AP10"), "Deviation Status");
    // Row 12: the risk adjustment.
    let row = |r: u32, cols: &[&str]| -> Vec<String> {
        cols.iter().map(|c| text(&s, &format!("{c}{r}"))).collect()
    };
    let cols = [
        "A", "B", "C", "D", "E", "G", "H", "J", "N", "O", "Q", "R", "S", "AP",
    ];
    assert_eq!(
        row(12, &cols),
        [
            "1",
            "V-0001",
            "58987",
            "CVE-2022-0778",
            "web-01 (443/TCP)\nweb-02 (443/TCP)",
            "Nessus",
            "High",
            "2026-10-05",
            "RA",
            "Moderate",
            "2026-12-03",
            "Reachable only from the management VLAN.",
            "",
            "Pending"
        ]
    );
    // Row 13: the false positive, with its evidence and no rating asked.
    let fp = row(13, &cols);
    assert_eq!((fp[1].as_str(), fp[8].as_str()), ("V-0002", "FP"));
    assert_eq!((fp[9].as_str(), fp[12].as_str()), ("", "rpm -qa listing"));
    // Row 14: an operational requirement with a risk adjustment.
    assert_eq!(text(&s, "B14"), "V-0003");
    assert_eq!(text(&s, "N14"), "OR RA");
    assert_eq!(text(&s, "B15"), "", "the approved adjustment asks nothing");
    let d = wb
        .worksheet_range("Data Dictionary - Do Not Remove")
        .unwrap();
    assert_eq!(text(&d, "N1"), "Type of DR");
    assert_eq!(
        [
            text(&d, "N3"),
            text(&d, "N4"),
            text(&d, "N5"),
            text(&d, "N6")
        ],
        ["FP", "OR", "OR RA", "RA"]
    );
}

/// No request: no form, and the reason; the input is never the output.
#[test]
fn no_request_no_form_and_never_over_the_input() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("poam.json");
    std::fs::write(
        &input,
        r#"{"system": {"name": "S"}, "items": [{"id": "V-1", "state": "open", "weakness_name": "x"}]}"#,
    )
    .unwrap();
    let form = dir.path().join("dr.xlsx");
    let run = poam()
        .arg("deviation")
        .arg(&input)
        .arg("-o")
        .arg(&form)
        .assert()
        .failure();
    let err = String::from_utf8_lossy(&run.get_output().stderr).to_string();
    assert!(err.contains("no item asks for a deviation"), "{err}");
    assert!(!form.exists());
    let before = std::fs::read(&input).unwrap();
    poam()
        .arg("deviation")
        .arg(&input)
        .arg("-o")
        .arg(&input)
        .assert()
        .failure();
    assert_eq!(std::fs::read(&input).unwrap(), before);
}
