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
    for version in variants(poam_layout::RowMode::Continuation) {
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
    for version in variants(poam_layout::RowMode::MilestonePerRow) {
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
        crate::require::missing(&format!("{} is absent", dir.display()));
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

#[test]
fn every_emass_variant_round_trips_through_its_own_writer() {
    let dir = tempfile::tempdir().unwrap();
    for version in super::versions("emass") {
        let out = dir.path().join(format!("{version}.xlsx"));
        let result = poam()
            .args([
                "convert",
                &emass(version),
                "--to",
                "emass",
                "--keep-extra",
                "--template-version",
                version,
                "-o",
            ])
            .arg(&out)
            .output()
            .unwrap();
        assert!(result.status.success(), "{version}");
        let stderr = String::from_utf8_lossy(&result.stderr);
        assert!(
            stderr.contains("--keep-extra ignored: eMASS rejects workbooks with extra columns"),
            "{stderr}"
        );
        let mut before = super::without_origin(model(&emass(version), &[]));
        let mut after = super::without_origin(model(out.to_str().unwrap(), &[]));
        if version.ends_with("2026") {
            // The conflicting later row was kept in extra, which eMASS has no
            // column for: the conversion says so.
            assert!(
                stderr.contains("extra column 'Scheduled completion date (row 10)' has no place"),
                "{stderr}"
            );
            for m in [&mut before, &mut after] {
                for i in m["items"].as_array_mut().unwrap() {
                    i["extra"] = json!({});
                }
            }
        }
        if version == "navy-2026" {
            // Navy 2026 lists milestone statuses as Completed, In Progress
            // and Open: the fixture's Ongoing is written as In Progress, said,
            // and read back as the same status in that word.
            assert!(
                stderr.contains("'Milestone Status' Ongoing written as In Progress"),
                "{stderr}"
            );
            let words: Vec<Value> = after["items"]
                .as_array_mut()
                .unwrap()
                .iter_mut()
                .flat_map(|i| i["milestones"].as_array_mut().unwrap().iter_mut())
                .filter_map(|m| m.as_object_mut().unwrap().remove("status_text"))
                .collect();
            assert_eq!(words, [json!("In Progress")], "{version}");
        }
        // A rating the variant's list does not have (its fixture's Severity
        // Critical, where the list ends at Very High) is written as the
        // list's nearest word, and said.
        for item in before["items"].as_array_mut().unwrap() {
            for (key, header) in [("severity", "Severity"), ("impact", "Impact")] {
                if item["emass"][key] == "critical" {
                    let list = poam_layout::builtin()
                        .find("emass", Some(version))
                        .and_then(|l| l.column(header).map(|c| c.list.clone()))
                        .unwrap_or_default();
                    if !list.is_empty() && !list.iter().any(|w| w == "Critical") {
                        assert!(
                            stderr.contains(&format!("'{header}' Critical written as Very High")),
                            "{version}: {stderr}"
                        );
                        item["emass"][key] = json!("very-high");
                    }
                }
            }
        }
        assert_eq!(after, before, "{version}");
    }
}

#[test]
fn classic_milestones_become_rows_in_the_2026_layout() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("navy.xlsx");
    poam()
        .args([
            "convert",
            &emass("rmf-classic"),
            "--to",
            "emass",
            "--template-version",
            "navy-2026",
            "-o",
        ])
        .arg(&out)
        .assert()
        .success();
    // Item 1's three milestones are three rows; the item's fields only on the first.
    let mut wb: calamine::Xlsx<_> = calamine::open_workbook(&out).unwrap();
    use calamine::Reader;
    let range = wb.worksheet_range("POA&M").unwrap();
    let cell = |r: u32, c: u32| {
        range
            .get_value((r, c))
            .map(|d| d.to_string())
            .unwrap_or_default()
    };
    assert_eq!(cell(7, 1), "1");
    assert_eq!(cell(7, 10), "Buy the SIEM licence");
    assert_eq!(cell(8, 1), "", "no id on a further milestone row");
    assert_eq!(cell(8, 10), "Configure weekly review reports");
    assert_eq!(cell(9, 10), "Verify with a test incident");
    let m = model(out.to_str().unwrap(), &[]);
    let a = item(&m, "1");
    assert_eq!(a["milestones"].as_array().unwrap().len(), 3);
    assert_eq!(a["milestones"][2]["due"], "2024-11-20");
    assert_eq!(a["emass"]["raw_severity"], "cat-ii");
}

#[test]
fn fedramp_items_into_emass_get_a_status_and_say_what_does_not_fit() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("emass.xlsx");
    let result = poam()
        .args([
            "convert",
            "fixtures/fedramp/fedramp-2.1.xlsx",
            "--to",
            "emass",
            "-o",
        ])
        .arg(&out)
        .output()
        .unwrap();
    assert!(result.status.success());
    let stderr = String::from_utf8_lossy(&result.stderr);
    assert!(
        stderr.contains("status written as Completed from the item's state"),
        "{stderr}"
    );
    assert!(
        stderr.contains("status written as Ongoing from the item's state"),
        "{stderr}"
    );
    assert!(
        stderr.contains("'Weakness name.' (weakness_name) has no place in DoD eMASS")
            || stderr.contains("(weakness_name) has no place in DoD eMASS"),
        "{stderr}"
    );
    let m = model(out.to_str().unwrap(), &[]);
    assert_eq!(item(&m, "POAM-000")["state"], "closed");
    assert_eq!(item(&m, "POAM-001")["controls"], json!(["AC-2(1)", "CM-6"]));
    assert_eq!(item(&m, "POAM-001")["control_parts"], json!(["CM-6b"]));
    assert_eq!(
        item(&m, "POAM-001")["milestones"].as_array().unwrap().len(),
        2
    );
}

#[test]
fn written_emass_workbooks_match_the_official_banner_labels_and_headers() {
    let dir = super::root().join("../shared/reference/real-files/emass");
    if !dir.is_dir() {
        crate::require::missing(&format!("{} is absent", dir.display()));
        return;
    }
    use calamine::Reader;
    let tmp = tempfile::tempdir().unwrap();
    for (file, version) in [
        ("eMASS-POAM-Template-RMF-classic.xlsm", "rmf-classic"),
        ("eMASS-POAM-Template-Navy-2024.xlsx", "navy-2024"),
        ("eMASS-POAM-Template-Navy-2026.xlsx", "navy-2026"),
    ] {
        let out = tmp.path().join(format!("{version}.xlsx"));
        poam()
            .args([
                "convert",
                &emass(version),
                "--to",
                "emass",
                "--keep-extra",
                "--template-version",
                version,
                "-o",
            ])
            .arg(&out)
            .assert()
            .success();
        let mut theirs = calamine::open_workbook_auto(dir.join(file)).unwrap();
        let mut ours = calamine::open_workbook_auto(&out).unwrap();
        let a = theirs.worksheet_range("POA&M").unwrap();
        let b = ours.worksheet_range("POA&M").unwrap();
        let text = |r: &calamine::Range<calamine::Data>, row: u32, col: u32| {
            r.get_value((row, col))
                .map(|d| d.to_string())
                .unwrap_or_default()
        };
        // Banner, metadata labels (rows 1-6) and the header row (7), exactly,
        // stray spaces included; column A of the classic header is the
        // template's own leftover and not written.
        for row in 0..7u32 {
            for col in 1..45u32 {
                let want = text(&a, row, col);
                if row < 6 && (want.is_empty() || !want.ends_with(':')) && row != 0 {
                    continue;
                }
                assert_eq!(
                    text(&b, row, col),
                    want,
                    "{version} {}",
                    poam_layout::cell_ref(col as u16, row + 1)
                );
            }
        }
        assert_eq!(text(&b, 0, 0), text(&a, 0, 0), "{version} banner");
        // No column beyond the template's last, even with --keep-extra.
        let last = (1..60u32)
            .rev()
            .find(|c| !text(&a, 6, *c).is_empty())
            .unwrap();
        for r in 6..b.height() as u32 {
            assert_eq!(
                text(&b, r, last + 1),
                "",
                "{version}: a column after the last header"
            );
        }
    }
}

/// The eMASS variants of the registry whose sheet reads rows this way.
fn variants(mode: poam_layout::RowMode) -> Vec<&'static str> {
    let found: Vec<&str> = poam_layout::builtin()
        .all()
        .iter()
        .filter(|l| l.family == "emass" && l.sheets.iter().any(|s| s.row_mode == mode))
        .map(|l| l.version.as_str())
        .collect();
    assert!(
        found.len() >= 2,
        "eMASS variants read as {mode:?}: {found:?}"
    );
    found
}

/// The Navy templates list Raw Severity on the five-level scale (their own
/// Example sheets say High and Low): a DISA category is written as its
/// rating, the drop-down is the five levels, and reading it back gives the
/// category again.
#[test]
fn navy_raw_severity_is_written_on_the_templates_own_scale() {
    let dir = tempfile::tempdir().unwrap();
    for version in ["navy-2024", "navy-2026"] {
        let out = dir.path().join(format!("{version}.xlsx"));
        super::poam()
            .args([
                "convert",
                "fixtures/emass/emass-rmf-classic.xlsm",
                "--to",
                "emass",
                "--template-version",
                version,
                "-o",
            ])
            .arg(&out)
            .assert()
            .success();
        use calamine::Reader as _;
        let mut book: calamine::Xlsx<_> = calamine::open_workbook(&out).unwrap();
        let range = book.worksheet_range("POA&M").unwrap();
        let header = range
            .rows()
            .position(|r| r.iter().any(|c| *c == "Raw Severity"))
            .unwrap();
        let col = range
            .rows()
            .nth(header)
            .unwrap()
            .iter()
            .position(|c| *c == "Raw Severity")
            .unwrap();
        let values: Vec<String> = range
            .rows()
            .skip(header + 1)
            .map(|r| r[col].to_string())
            .filter(|v| !v.is_empty())
            .collect();
        assert!(!values.is_empty(), "{version}");
        assert!(
            values
                .iter()
                .all(|v| ["Low", "Moderate", "High"].contains(&v.as_str())),
            "{version}: {values:?}"
        );
        let sheet = super::xml_part(&out, "xl/worksheets/sheet1.xml");
        assert!(
            sheet.contains("\"Very Low,Low,Moderate,High,Very High\""),
            "{version}"
        );
        let json = |p: &std::path::Path| {
            let o = super::poam()
                .arg("convert")
                .arg(p)
                .args(["--to", "json"])
                .output()
                .unwrap();
            let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
            v["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|i| i["emass"]["raw_severity"].clone())
                .collect::<Vec<_>>()
        };
        assert_eq!(
            json(&out),
            json(&super::root().join("fixtures/emass/emass-rmf-classic.xlsm")),
            "{version}"
        );
    }
}

/// A milestone status goes into each variant's Milestone Status column in
/// that variant's own words: Navy 2026's Open stays Open there, and becomes
/// Ongoing (said) in the Army 2026 layout, whose list has no Open; the
/// status read back is the same.
#[test]
fn milestone_status_words_follow_each_variants_list() {
    let dir = tempfile::tempdir().unwrap();
    let mut m = model("fixtures/emass/emass-navy-2026.xlsx", &[]);
    let first = &mut m["items"][0]["milestones"][1];
    assert_eq!(first["status"], "ongoing");
    first["status_text"] = json!("Open");
    let input = dir.path().join("open.json");
    std::fs::write(&input, serde_json::to_vec(&m).unwrap()).unwrap();
    for (version, word, note) in [
        ("navy-2026", "Open", None),
        (
            "army-2026",
            "Ongoing",
            Some("'Milestone Status' Open written as Ongoing"),
        ),
    ] {
        let out = dir.path().join(format!("{version}.xlsx"));
        let run = poam()
            .arg("convert")
            .arg(&input)
            .args(["--to", "emass", "--template-version", version, "-o"])
            .arg(&out)
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&run.stderr);
        assert!(run.status.success(), "{version}: {err}");
        match note {
            Some(note) => assert!(err.contains(note), "{version}: {err}"),
            None => assert!(!err.contains("'Milestone Status'"), "{version}: {err}"),
        }
        let back = model(out.to_str().unwrap(), &[]);
        let milestone = &back["items"][0]["milestones"][1];
        assert_eq!(milestone["status"], "ongoing", "{version}");
        let written = milestone["status_text"].as_str().unwrap_or("Ongoing");
        assert_eq!(written, word, "{version}");
    }
}

/// No eMASS workbook poam draws holds a value outside its template's lists:
/// each written workbook's own drop-downs are read back, and every cell
/// under one is in its list, whatever the input (every eMASS variant,
/// FedRAMP, values no eMASS list has).
#[test]
fn every_written_emass_value_is_in_its_columns_list() {
    let dir = tempfile::tempdir().unwrap();
    let mut inputs: Vec<std::path::PathBuf> =
        std::fs::read_dir(super::root().join("fixtures/emass"))
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
    inputs.sort();
    inputs.push(super::root().join("fixtures/fedramp/fedramp-3.0.xlsx"));
    let odd = dir.path().join("odd.csv");
    std::fs::write(&odd, super::lists::ODD_EMASS_CSV).unwrap();
    inputs.push(odd);
    let versions: Vec<&str> = poam_layout::builtin()
        .all()
        .iter()
        .filter(|l| l.family == "emass")
        .map(|l| l.version.as_str())
        .collect();
    assert!(versions.len() >= 5, "{versions:?}");
    for version in &versions {
        for input in &inputs {
            let name = input.file_stem().unwrap().to_string_lossy();
            let out = dir.path().join(format!("{version}-{name}.xlsx"));
            let run = poam()
                .arg("convert")
                .arg(input)
                .args(["--to", "emass", "--template-version", version, "-o"])
                .arg(&out)
                .output()
                .unwrap();
            assert!(
                run.status.success(),
                "{version} from {name}: {}",
                String::from_utf8_lossy(&run.stderr)
            );
            let (outside, checked) = super::lists::outside_lists(&out);
            assert!(checked > 0, "{version}: no drop-down read");
            assert!(
                outside.is_empty(),
                "{version} from {name}: {:#?}",
                &outside[..outside.len().min(5)]
            );
        }
    }
}

/// eMASS's "Controls / APs" holds controls or assessment procedures:
/// `CM-6.5` is procedure 5 of CM-6, not the enhancement CM-6(5). The item
/// keeps the procedure and its control; an eMASS workbook writes the
/// procedure back as read; a target with no place for procedures writes
/// the control and says so.
#[test]
fn assessment_procedures_are_not_read_as_enhancements() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("aps.csv");
    std::fs::write(
        &input,
        "POA&M Item ID,Controls / APs,Control Vulnerability Description,POA&M Status,Scheduled Completion Date\n\
         1,\"CM-6.5, AC-2(1)\",Baseline not applied,Ongoing,12/31/2026\n\
         2,SC-8(2).2; IA-11.3,Weak TLS,Ongoing,12/31/2026\n",
    )
    .unwrap();
    let m = model(input.to_str().unwrap(), &[]);
    assert_eq!(item(&m, "1")["controls"], json!(["CM-6", "AC-2(1)"]));
    assert_eq!(item(&m, "1")["procedures"], json!(["CM-6.5"]));
    assert_eq!(item(&m, "2")["controls"], json!(["SC-8(2)", "IA-11"]));
    assert_eq!(item(&m, "2")["procedures"], json!(["SC-8(2).2", "IA-11.3"]));
    // validate under the DoD policy finds no made-up enhancement.
    let check = poam()
        .arg("validate")
        .arg(&input)
        .args(["--policy", "dod", "--format", "json"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&check.stdout);
    assert!(
        !text.contains("CM-6(5)") && !text.contains("IA-11(3)"),
        "{text}"
    );
    // Written to Navy 2026, the procedures come back as read.
    let out = dir.path().join("navy.xlsx");
    poam()
        .arg("convert")
        .arg(&input)
        .args(["--to", "emass", "--template-version", "navy-2026", "-o"])
        .arg(&out)
        .assert()
        .success();
    let mut wb = calamine::open_workbook_auto(&out).unwrap();
    let range = calamine::Reader::worksheet_range(&mut wb, "POA&M").unwrap();
    let cells: Vec<String> = range.rows().flatten().map(|c| c.to_string()).collect();
    assert!(cells.iter().any(|c| c == "CM-6.5, AC-2(1)"), "{cells:?}");
    assert!(cells.iter().any(|c| c == "SC-8(2).2, IA-11.3"), "{cells:?}");
    let back = model(out.to_str().unwrap(), &[]);
    assert_eq!(item(&back, "1")["procedures"], json!(["CM-6.5"]));
    // FedRAMP has no place for them: the controls, and a warning.
    let fed = poam()
        .arg("convert")
        .arg(&input)
        .args(["--to", "fedramp", "-o"])
        .arg(dir.path().join("fed.xlsx"))
        .output()
        .unwrap();
    assert!(
        String::from_utf8_lossy(&fed.stderr)
            .contains("assessment procedures (CM-6.5; their controls are written) has no place"),
        "{}",
        String::from_utf8_lossy(&fed.stderr)
    );
    // CSV keeps them.
    let csv = dir.path().join("round.csv");
    poam()
        .arg("convert")
        .arg(&input)
        .args(["--to", "csv", "-o"])
        .arg(&csv)
        .assert()
        .success();
    assert_eq!(
        item(&model(csv.to_str().unwrap(), &[]), "2")["procedures"],
        json!(["SC-8(2).2", "IA-11.3"])
    );
}

/// CCIs where STIG-based tools write them: in the controls cell, in the
/// comments and in the security checks. The item keeps them, a row without a
/// control gets DISA's mapping, and every writer keeps or reports them.
#[test]
fn ccis_are_read_mapped_to_their_controls_and_kept() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("ccis.csv");
    std::fs::write(
        &input,
        "POA&M Item ID,Controls / APs,Control Vulnerability Description,Security Checks,Comments,POA&M Status,Scheduled Completion Date\n\
         1,CCI-000048,Logon banner missing,V-230225,,Ongoing,12/31/2026\n\
         2,CM-6.5,Baseline not applied,SV-230221r1 CCI-000366,,Ongoing,12/31/2026\n\
         3,,Audit records,V-230386,\"From the STIG checklist; CCI 130, CCI-000131\",Ongoing,12/31/2026\n",
    )
    .unwrap();
    let m = model(input.to_str().unwrap(), &[]);
    // No control named: the CCIs' controls.
    assert_eq!(item(&m, "1")["controls"], json!(["AC-8"]));
    assert_eq!(item(&m, "1")["ccis"], json!(["CCI-000048"]));
    assert_eq!(item(&m, "3")["controls"], json!(["AU-3"]));
    assert_eq!(item(&m, "3")["ccis"], json!(["CCI-000130", "CCI-000131"]));
    // A control named: kept, the CCI beside it, the text as written.
    assert_eq!(item(&m, "2")["controls"], json!(["CM-6"]));
    assert_eq!(item(&m, "2")["procedures"], json!(["CM-6.5"]));
    assert_eq!(item(&m, "2")["ccis"], json!(["CCI-000366"]));
    assert_eq!(item(&m, "2")["source_identifier"], "SV-230221r1 CCI-000366");
    // inspect says where the controls came from.
    let inspect = poam()
        .args(["inspect", "--format", "json"])
        .arg(&input)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&inspect.stdout);
    assert!(
        text.contains("AC-8 read from CCI-000048 (DISA's CCI list)"),
        "{text}"
    );
    // eMASS: comments and security checks keep theirs; the CCI that was
    // only in the controls cell cannot be written, and that is said.
    let out = dir.path().join("emass.xlsx");
    let run = poam()
        .arg("convert")
        .arg(&input)
        .args(["--to", "emass", "-o"])
        .arg(&out)
        .output()
        .unwrap();
    assert!(run.status.success());
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(
        stderr
            .contains("1 item: 'DISA Control Correlation Identifiers (CCIs)' (ccis) has no place"),
        "{stderr}"
    );
    let back = model(out.to_str().unwrap(), &[]);
    assert_eq!(item(&back, "1")["controls"], json!(["AC-8"]));
    assert_eq!(item(&back, "2")["ccis"], json!(["CCI-000366"]));
    assert_eq!(
        item(&back, "3")["ccis"],
        json!(["CCI-000130", "CCI-000131"])
    );
    // CSV, JSON and OSCAL keep every CCI and procedure.
    for (to, name) in [
        ("csv", "round.csv"),
        ("json", "round.json"),
        ("oscal", "round.oscal.json"),
    ] {
        let path = dir.path().join(name);
        poam()
            .arg("convert")
            .arg(&input)
            .args(["--to", to, "-o"])
            .arg(&path)
            .assert()
            .success();
        let back = model(path.to_str().unwrap(), &[]);
        assert_eq!(item(&back, "1")["ccis"], json!(["CCI-000048"]), "{to}");
        assert_eq!(item(&back, "2")["procedures"], json!(["CM-6.5"]), "{to}");
        assert_eq!(
            item(&back, "3")["ccis"],
            json!(["CCI-000130", "CCI-000131"]),
            "{to}"
        );
    }
}

/// STIG Manager's MCCAST template (one sheet, `Sheet1`, a `${table:...}`
/// placeholder row under the header) filled with real values: the
/// placeholder row becomes the first item, no placeholder is left, the
/// sheet keeps its own name, and the file reads back with the values given.
#[test]
fn mccast_template_is_filled_in_place_and_reads_back() {
    let template = super::root()
        .join("../shared/reference/real-files/trackers/stigman_poam-template-mccast.xlsx");
    if !template.is_file() {
        super::require::missing(&format!("{} is absent", template.display()));
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("items.csv");
    std::fs::write(
        &input,
        "id,status,weakness_name,weakness_description,controls,detector_source,source_identifier,detected_on,scheduled_completion,completed_on,comments,assets,emass.mitigations,emass.resulting_residual_risk\n\
         V-230222,ongoing,RHEL 8 must audit sudo,The audit rule for sudo is missing.,AU-12,RHEL 8 STIG V1R12,SV-230222r627750_rule,2026-10-01,2026-12-31,,Rule added in the next build.,\"web-01\nweb-02\",Logs forwarded to the SIEM.,low\n\
         V-230223,completed,FIPS mode,FIPS mode is disabled.,SC-13,RHEL 8 STIG V1R12,SV-230223r627750_rule,2026-09-01,2026-10-30,2026-10-15,Enabled and verified.,db-01,,\n",
    )
    .unwrap();
    let out = dir.path().join("mccast.xlsx");
    let run = poam()
        .arg("convert")
        .arg(&input)
        .arg("--into")
        .arg(&template)
        .arg("-o")
        .arg(&out)
        .output()
        .unwrap();
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    use calamine::Reader as _;
    let mut book: calamine::Xlsx<_> = calamine::open_workbook(&out).unwrap();
    assert_eq!(book.sheet_names(), vec!["Sheet1".to_string()]);
    let range = book.worksheet_range("Sheet1").unwrap();
    let rows: Vec<Vec<String>> = range
        .rows()
        .map(|r| r.iter().map(|c| c.to_string()).collect())
        .collect();
    assert!(
        rows.iter().flatten().all(|c| !c.contains("${")),
        "a placeholder is left: {rows:?}"
    );
    assert_eq!(rows[1][1], "RHEL 8 must audit sudo");
    assert_eq!(rows[1][4], "Ongoing");
    assert_eq!(rows[1][9], "AU-12");
    assert_eq!(rows[2][4], "Completed");
    let back = model(out.to_str().unwrap(), &[]);
    let items = back["items"].as_array().unwrap();
    assert_eq!(items.len(), 2);
    let first = &items[0];
    assert_eq!(first["weakness_name"], "RHEL 8 must audit sudo");
    assert_eq!(first["controls"], json!(["AU-12"]));
    assert_eq!(first["source_identifier"], "SV-230222r627750_rule");
    assert_eq!(first["detected_on"], "2026-10-01");
    assert_eq!(first["scheduled_completion"], "2026-12-31");
    assert_eq!(first["assets"], json!(["web-01", "web-02"]));
    assert_eq!(first["emass"]["resulting_residual_risk"], "low");
    assert_eq!(items[1]["state"], "closed");
    assert_eq!(items[1]["completed_on"], "2026-10-15");
}
