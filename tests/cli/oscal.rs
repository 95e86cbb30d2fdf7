//! OSCAL plan-of-action-and-milestones JSON.

use super::{item, model, poam, root};
use serde_json::json;

#[test]
fn an_oscal_poam_reads_with_its_fedramp_extensions() {
    let m = model("fixtures/oscal/poam.json", &[]);
    assert_eq!(m["system"]["name"], "Example Cloud POA&M");
    assert_eq!(m["system"]["organization"], "Example CSP");
    assert_eq!(m["system"]["poam_date"], "2024-09-01");
    assert_eq!(m["system"]["extra"]["system-id"], "F1234567890");
    let a = item(&m, "OSC-1");
    assert_eq!(a["state"], "open");
    assert_eq!(a["controls"], json!(["SI-2", "RA-5(2)"]));
    assert_eq!(a["weakness_name"], "OpenSSL out of date");
    assert_eq!(
        a["weakness_description"],
        "The installed OpenSSL has known vulnerabilities."
    );
    assert_eq!(a["detector_source"], "Nessus");
    assert_eq!(a["source_identifier"], "19506");
    assert_eq!(a["assets"], json!(["web-01.example.cloud", "10.0.0.7"]));
    assert_eq!(a["point_of_contact"], "Jane Doe");
    assert_eq!(a["resources_required"], "One change window");
    assert_eq!(
        a["remediation_plan"],
        "Upgrade OpenSSL with the vendor's next release."
    );
    assert_eq!(a["detected_on"], "2024-05-05");
    assert_eq!(a["scheduled_completion"], "2024-11-02");
    assert_eq!(
        a["milestones"],
        json!([
            {"description": "Vendor release available", "due": "2024-08-15", "comments": "Tracked with the vendor"},
            {"description": "Upgrade deployed", "due": "2024-10-15"}
        ])
    );
    assert_eq!(
        a["milestone_changes"],
        "2024-08-21: Milestone 2 moved: Vendor slipped"
    );
    assert_eq!(a["risk"]["original"], "high");
    assert_eq!(a["risk"]["adjusted"], "moderate");
    assert_eq!(a["risk"]["adjustment"], "yes");
    assert_eq!(a["risk"]["false_positive"], "pending");
    assert_eq!(a["risk"]["operational_requirement"], "no");
    assert_eq!(
        a["risk"]["deviation_rationale"],
        "TLS 1.3 only on the public side.\n\nrisk-adjustment: Only reachable from the management VLAN."
    );
    assert_eq!(a["vendor"]["dependency"], "yes");
    assert_eq!(a["vendor"]["last_checkin"], "2024-08-20");
    assert_eq!(a["cves"], json!(["CVE-2024-1111"]));
    assert_eq!(a["kev"], json!({"listed": "yes", "due": "2024-09-30"}));
    let b = item(&m, "OSC-2");
    assert_eq!(b["state"], "closed");
    assert_eq!(b["completed_on"], "2024-03-01");
    assert_eq!(b["detector_source"], "Manual review");
    assert_eq!(b["risk"]["original"], "low");
}

#[test]
fn the_real_oscal_examples_read_and_report_broken_links() {
    let dir = root().join("../shared/reference/real-files/oscal");
    if !dir.is_dir() {
        crate::require::missing(&format!("{} is absent", dir.display()));
        return;
    }
    let fedramp = model(
        dir.join("FedRAMP-rev5-POAM-OSCAL-Template.json")
            .to_str()
            .unwrap(),
        &[],
    );
    assert_eq!(item(&fedramp, "V-1")["controls"], json!(["AC-2"]));
    let v2 = item(&fedramp, "V-2");
    assert_eq!(v2["risk"]["adjusted"], "moderate");
    assert_eq!(v2["risk"]["operational_requirement"], "yes");
    assert_eq!(v2["vendor"]["last_checkin"], "2020-07-07");
    assert_eq!(v2["cves"], json!(["CVE-2020-00000"]));
    // NIST's example links its first item to a uuid that is no risk: said, not hidden.
    let out = poam()
        .args(["inspect"])
        .arg(dir.join("nist-example-ifa-poam.json"))
        .output()
        .unwrap();
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("layout:  oscal poam 1.1.2"), "{text}");
    assert!(text.contains("poam-items[0]: related risk 401c15c9-ad6b-4d4a-a591-7d53a3abb3b6 is not in the document"), "{text}");
}

fn all_fixtures() -> Vec<String> {
    let mut files = Vec::new();
    for family in ["fedramp", "emass", "legacy", "nist", "oscal"] {
        for entry in std::fs::read_dir(root().join("fixtures").join(family)).unwrap() {
            files.push(format!(
                "fixtures/{family}/{}",
                entry.unwrap().file_name().to_string_lossy()
            ));
        }
    }
    files.sort();
    files
}

#[test]
fn every_fixture_round_trips_through_oscal_with_stable_uuids() {
    let dir = tempfile::tempdir().unwrap();
    for (n, f) in all_fixtures().iter().enumerate() {
        let out = dir.path().join(format!("{n}.json"));
        poam()
            .args(["convert", f, "--to", "oscal", "-o"])
            .arg(&out)
            .assert()
            .success();
        let first = std::fs::read(&out).unwrap();
        poam()
            .args(["convert", f, "--to", "oscal", "-o"])
            .arg(&out)
            .assert()
            .success();
        assert_eq!(
            std::fs::read(&out).unwrap(),
            first,
            "{f}: the same input gives the same document"
        );
        let doc: serde_json::Value = serde_json::from_slice(&first).unwrap();
        let root_uuid = doc["plan-of-action-and-milestones"]["uuid"]
            .as_str()
            .unwrap();
        if f.starts_with("fixtures/oscal/") {
            // An OSCAL input's own UUID is kept.
            let input = std::fs::read_to_string(root().join(f)).unwrap();
            assert!(input.contains(root_uuid), "{f}: the input's UUID");
        } else {
            assert_eq!(&root_uuid[14..15], "5", "{f}: a version 5 UUID");
        }
        let back = super::without_origin(model(out.to_str().unwrap(), &[]));
        assert_eq!(back, super::without_origin(model(f, &[])), "{f}");
    }
}

#[test]
fn written_oscal_has_the_fedramp_shape() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("poam.json");
    poam()
        .args([
            "convert",
            "fixtures/fedramp/fedramp-2.1.xlsx",
            "--to",
            "oscal",
            "-o",
        ])
        .arg(&out)
        .assert()
        .success();
    let doc: serde_json::Value = serde_json::from_slice(&std::fs::read(&out).unwrap()).unwrap();
    let p = &doc["plan-of-action-and-milestones"];
    assert_eq!(p["metadata"]["oscal-version"], "1.1.2");
    let item = &p["poam-items"][0];
    assert_eq!(
        item["props"][0],
        json!({"name": "POAM-ID", "ns": "https://fedramp.gov/ns/oscal", "value": "POAM-001"})
    );
    let risk = p["risks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["uuid"] == item["related-risks"][0]["risk-uuid"])
        .unwrap();
    let props = risk["props"].as_array().unwrap();
    let has = |name: &str, value: &str| {
        props
            .iter()
            .any(|x| x["name"] == name && x["value"] == value)
    };
    assert!(has("impacted-control-id", "ac-2.1"));
    // CM-6b is part b of cm-6: the control in the control slot, never the
    // statement id cm-6_smt.b; the part beside it.
    assert!(has("impacted-control-id", "cm-6"));
    assert!(!props
        .iter()
        .any(|x| x["value"].as_str().is_some_and(|v| v.contains("_smt"))));
    assert!(has("control-part", "CM-6b"));
    assert!(has("risk-adjustment", "approved"));
    // No (no false positive claimed) has no FedRAMP value: `withdrawn`
    // would say a claim was taken back. It is poamkit's own prop.
    assert!(!props
        .iter()
        .any(|x| x["name"] == "false-positive" && x["ns"] == "https://fedramp.gov/ns/oscal"));
    assert!(props.iter().any(|x| x["name"] == "false-positive"
        && x["ns"] == "urn:poamkit:oscal"
        && x["value"] == "no"));
    assert!(has("operational-requirement", "pending"));
    assert!(has("vendor-dependency", "tracking"));
    assert!(has("kev-catalog", "yes"));
    assert!(has("kev-due-date", "2024-09-01"));
    assert_eq!(risk["deadline"], "2024-08-03T00:00:00Z");
    // FedRAMP: the plan as the recommendation, the milestones as the
    // planned response, each milestone with a description and timing.
    let remediations = risk["remediations"].as_array().unwrap();
    let lifecycle = |l: &str| remediations.iter().find(|r| r["lifecycle"] == l).unwrap();
    assert_eq!(
        lifecycle("recommendation")["description"],
        "Close the port and verify with a rescan."
    );
    let tasks = lifecycle("planned")["tasks"].as_array().unwrap();
    assert_eq!(tasks[0]["title"], "Change request approved");
    assert!(tasks[0]["description"]
        .as_str()
        .is_some_and(|d| !d.is_empty()));
    assert_eq!(
        tasks[0]["timing"]["on-date"]["date"],
        "2024-05-23T00:00:00Z"
    );
    let import = p["import-ssp"]["href"].as_str().unwrap();
    let resource = p["back-matter"]["resources"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| format!("#{}", r["uuid"].as_str().unwrap()) == import)
        .unwrap();
    assert!(resource["props"]
        .as_array()
        .unwrap()
        .iter()
        .any(|x| x["name"] == "type" && x["value"] == "no-oscal-ssp"));
    assert!(p["metadata"]["props"]
        .as_array()
        .unwrap()
        .iter()
        .any(|x| x["name"] == "fedramp-version"));
}

/// compliance-trestle, when installed (`.ci/run` installs it).
fn trestle() -> Option<std::path::PathBuf> {
    std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|p| p.join("trestle"))
            .find(|p| p.is_file())
    })
}

#[test]
fn written_oscal_passes_compliance_trestle() {
    let Some(trestle) = trestle() else {
        crate::require::missing("compliance-trestle is not installed; .ci/run installs it");
        return;
    };
    let files = tempfile::tempdir().unwrap();
    let workspace = tempfile::tempdir().unwrap();
    let init = std::process::Command::new(&trestle)
        .arg("init")
        .current_dir(workspace.path())
        .output()
        .unwrap();
    assert!(
        init.status.success(),
        "trestle init: {}",
        String::from_utf8_lossy(&init.stderr)
    );
    for (n, f) in all_fixtures().iter().enumerate() {
        let out = files.path().join(format!("poam-{n}.json"));
        poam()
            .args(["convert", f, "--to", "oscal", "-o"])
            .arg(&out)
            .assert()
            .success();
        let result = std::process::Command::new(&trestle)
            .args(["import", "-f"])
            .arg(&out)
            .args(["-o", &format!("poam{n}")])
            .current_dir(workspace.path())
            .output()
            .unwrap();
        assert!(
            result.status.success(),
            "{f}: trestle rejects the OSCAL document:\n{}{}",
            String::from_utf8_lossy(&result.stdout),
            String::from_utf8_lossy(&result.stderr)
        );
    }
}

#[test]
fn a_third_party_oscal_poam_keeps_its_titles_descriptions_and_props() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("acme.json");
    std::fs::write(
        &path,
        r#"{"plan-of-action-and-milestones": {"uuid": "11111111-1111-4111-8111-111111111111",
 "metadata": {"title": "Acme POA&M", "last-modified": "2025-01-01T00:00:00Z", "version": "1", "oscal-version": "1.1.2"},
 "poam-items": [{"uuid": "22222222-2222-4222-8222-222222222222", "title": "Weak TLS on portal",
   "description": "TLS 1.0 enabled",
   "props": [{"name": "POAM-ID", "value": "ACME-7"}, {"name": "priority", "ns": "https://acme.example/ns", "value": "P1"}],
   "remarks": "tracked in Jira"}]}}"#,
    )
    .unwrap();
    let m = model(path.to_str().unwrap(), &[]);
    let i = &m["items"][0];
    assert_eq!(i["id"], "ACME-7");
    assert_eq!(i["weakness_name"], "Weak TLS on portal");
    assert_eq!(i["weakness_description"], "TLS 1.0 enabled");
    assert_eq!(i["comments"], "tracked in Jira");
    assert_eq!(i["extra"]["prop priority"], "P1");
}

#[test]
fn json_that_starts_with_a_byte_order_mark_reads() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bom.json");
    std::fs::write(&path, "\u{feff}{\"items\": [{\"id\": \"V-1\"}]}").unwrap();
    let m = model(path.to_str().unwrap(), &[]);
    assert_eq!(m["items"][0]["id"], "V-1");
}

/// Every place OSCAL holds on one line (prop and facet values, titles,
/// party names) holds one line, whatever the cells held.
fn one_line_everywhere(v: &serde_json::Value, path: &str, bad: &mut Vec<String>) {
    match v {
        serde_json::Value::Object(map) => {
            for (k, child) in map {
                let at = format!("{path}.{k}");
                let one_line = matches!(k.as_str(), "value" | "title")
                    || (k == "name" && map.contains_key("type"));
                if let (true, Some(t)) = (one_line, child.as_str()) {
                    if t.contains('\n') || t.trim() != t || t.is_empty() {
                        bad.push(format!("{at}: {t:?}"));
                    }
                }
                one_line_everywhere(child, &at, bad);
            }
        }
        serde_json::Value::Array(list) => {
            for (i, child) in list.iter().enumerate() {
                one_line_everywhere(child, &format!("{path}[{i}]"), bad);
            }
        }
        _ => {}
    }
}

/// Cells with line breaks (a point of contact on three lines, two sources,
/// milestone changes, a vendor product, supporting documents, a column of
/// the user's own) are written where OSCAL takes one line in their one-line
/// form, whole beside it, and read back whole.
#[test]
fn multi_line_cells_stay_whole_in_oscal_and_schema_patterns_hold() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("lines.csv");
    std::fs::write(
        &input,
        "POA&M ID,Weakness Name,Controls,Point of Contact,Source,Plugin ID,Milestone Changes,\
         Vendor Product,Supporting Documents,Internal Ticket,Status,Scheduled Completion Date\n\
         L-1,Old TLS,SC-8,\"Jane Doe\nISSO\njane@example.gov\",\"Nessus\nManual review\",\"10001\n10002\",\
         \"2024-05-01: moved to June\n2024-06-01: moved to July\",\"Web server\n(vendor patch due)\",\
         \"scan.pdf\nticket.png\",\"TCK-1\n  priority: high  \",Ongoing,2024-09-30\n",
    )
    .unwrap();
    let before = model(input.to_str().unwrap(), &[]);
    let out = dir.path().join("lines.oscal.json");
    poam()
        .arg("convert")
        .arg(&input)
        .args(["--to", "oscal", "-o"])
        .arg(&out)
        .assert()
        .success();
    let doc: serde_json::Value = serde_json::from_slice(&std::fs::read(&out).unwrap()).unwrap();
    let mut bad = Vec::new();
    one_line_everywhere(&doc, "$", &mut bad);
    assert!(bad.is_empty(), "{bad:#?}");
    let after = model(out.to_str().unwrap(), &[]);
    let (a, b) = (item(&after, "L-1"), item(&before, "L-1"));
    for field in [
        "point_of_contact",
        "detector_source",
        "source_identifier",
        "milestone_changes",
        "supporting_documents",
    ] {
        assert_eq!(a[field], b[field], "{field}");
        assert!(b[field].as_str().unwrap().contains('\n'), "{field}");
    }
    assert_eq!(a["vendor"]["product"], b["vendor"]["product"]);
    assert_eq!(a["extra"]["Internal Ticket"], b["extra"]["Internal Ticket"]);
}

/// Two unrelated POA&Ms without a system name get different document UUIDs
/// and system-ids; the same input written twice gets the same ones.
#[test]
fn unnamed_systems_get_their_own_identity() {
    let dir = tempfile::tempdir().unwrap();
    let write = |name: &str, rows: &str| {
        let input = dir.path().join(format!("{name}.csv"));
        std::fs::write(
            &input,
            format!("POA&M ID,Weakness Name,Weakness Description,Controls,Status\n{rows}"),
        )
        .unwrap();
        input
    };
    let a = write("a", "1,Old TLS,TLS 1.0 enabled,SC-8,Ongoing\n");
    let b = write("b", "1,No MFA,Admins log in without MFA,IA-2(1),Ongoing\n");
    let identity = |input: &std::path::Path, n: usize| {
        let out = dir.path().join(format!("{n}.oscal.json"));
        poam()
            .arg("convert")
            .arg(input)
            .args(["--to", "oscal", "-o"])
            .arg(&out)
            .assert()
            .success();
        let v: serde_json::Value = serde_json::from_slice(&std::fs::read(&out).unwrap()).unwrap();
        let root = &v["plan-of-action-and-milestones"];
        (
            root["uuid"].as_str().unwrap().to_string(),
            root["system-id"]["id"].as_str().unwrap().to_string(),
        )
    };
    let (a1, a2, b1) = (identity(&a, 1), identity(&a, 2), identity(&b, 3));
    assert_eq!(a1, a2, "the same input, the same identity");
    assert_ne!(a1.0, b1.0, "document UUIDs of unrelated files");
    assert_ne!(a1.1, b1.1, "system-ids of unrelated files");
}

#[test]
fn import_ssp_names_the_ssp_given_or_the_fedramp_id() {
    let dir = tempfile::tempdir().unwrap();
    let input = "fixtures/fedramp/fedramp-2.1.xlsx";
    // Neither: FedRAMP's no-oscal-ssp resource, and a warning saying how.
    let out = dir.path().join("plain.json");
    let run = poam()
        .args(["convert", input, "--to", "oscal", "-o"])
        .arg(&out)
        .assert()
        .success();
    let said = String::from_utf8_lossy(&run.get_output().stderr).to_string();
    assert!(said.contains("add --ssp SSP.json"), "{said}");
    // --system-id: the system-id is the FedRAMP id, also on the resource.
    let out = dir.path().join("id.json");
    let run = poam()
        .args([
            "convert",
            input,
            "--to",
            "oscal",
            "--system-id",
            "F1234567890",
            "-o",
        ])
        .arg(&out)
        .assert()
        .success();
    let said = String::from_utf8_lossy(&run.get_output().stderr).to_string();
    assert!(!said.contains("add --ssp SSP.json"), "{said}");
    let doc: serde_json::Value = serde_json::from_slice(&std::fs::read(&out).unwrap()).unwrap();
    let p = &doc["plan-of-action-and-milestones"];
    assert_eq!(
        p["system-id"],
        json!({"identifier-type": "https://fedramp.gov", "id": "F1234567890"})
    );
    let resource = &p["back-matter"]["resources"][0];
    assert_eq!(
        format!("#{}", resource["uuid"].as_str().unwrap()),
        p["import-ssp"]["href"]
    );
    assert!(resource["props"]
        .as_array()
        .unwrap()
        .iter()
        .any(|x| x["name"] == "system-id" && x["value"] == "F1234567890"));
    poam()
        .args([
            "convert",
            input,
            "--to",
            "oscal",
            "--system-id",
            "F1 2",
            "-o",
        ])
        .arg(dir.path().join("bad.json"))
        .assert()
        .code(2)
        .stderr(predicates::str::contains(
            "--system-id \"F1 2\": give the system's identifier as one word",
        ));
    // --ssp: a back-matter resource linking the SSP by its path from the
    // output's folder, percent-encoded; FedRAMP's import-ssp rules pass.
    let ssp_dir = dir.path().join("the ssp");
    std::fs::create_dir(&ssp_dir).unwrap();
    let ssp = ssp_dir.join("my ssp.json");
    std::fs::write(&ssp, r#"{"system-security-plan": {"uuid": "9b1f0e3a-2c4d-4e5f-8a6b-7c8d9e0f1a2b", "control-implementation": {"implemented-requirements": [{"uuid": "1b1f0e3a-2c4d-4e5f-8a6b-7c8d9e0f1a2b", "control-id": "ac-2.1"}]}}}"#).unwrap();
    let out_dir = dir.path().join("out");
    std::fs::create_dir(&out_dir).unwrap();
    let out = out_dir.join("poam.json");
    poam()
        .args([
            "convert",
            input,
            "--to",
            "oscal",
            "--marking",
            "CUI",
            "--ssp",
        ])
        .arg(&ssp)
        .arg("-o")
        .arg(&out)
        .assert()
        .success();
    let doc: serde_json::Value = serde_json::from_slice(&std::fs::read(&out).unwrap()).unwrap();
    let p = &doc["plan-of-action-and-milestones"];
    let resource = p["back-matter"]["resources"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| format!("#{}", r["uuid"].as_str().unwrap()) == p["import-ssp"]["href"])
        .unwrap();
    assert_eq!(
        resource["rlinks"],
        json!([{"href": "../the%20ssp/my%20ssp.json", "media-type": "application/json"}])
    );
    let run = poam()
        .arg("validate")
        .arg(&out)
        .args(["--policy", "fedramp", "--format", "json"])
        .output()
        .unwrap();
    let report: serde_json::Value = serde_json::from_slice(&run.stdout).unwrap();
    let ssp_rules: Vec<&serde_json::Value> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"].as_str().unwrap().contains("ssp"))
        .collect();
    assert!(ssp_rules.is_empty(), "{ssp_rules:#?}");
    // The SSP moved away: FedRAMP's availability rule says so.
    std::fs::remove_file(&ssp).unwrap();
    let run = poam()
        .arg("validate")
        .arg(&out)
        .args(["--policy", "fedramp"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&run.stdout);
    assert!(text.contains("import-ssp-has-available-document"), "{text}");
    // A Word SSP is no OSCAL SSP: linked from FedRAMP's no-oscal-ssp
    // resource, as FedRAMP asks.
    let out = out_dir.join("word.json");
    poam()
        .args([
            "convert",
            input,
            "--to",
            "oscal",
            "--ssp",
            "fixtures/ssp/appendix-a.docx",
            "-o",
        ])
        .arg(&out)
        .assert()
        .success();
    let doc: serde_json::Value = serde_json::from_slice(&std::fs::read(&out).unwrap()).unwrap();
    let p = &doc["plan-of-action-and-milestones"];
    let resource = &p["back-matter"]["resources"][0];
    assert_eq!(
        format!("#{}", resource["uuid"].as_str().unwrap()),
        p["import-ssp"]["href"]
    );
    assert_eq!(resource["props"][0]["value"], "no-oscal-ssp");
    assert!(resource["rlinks"][0]["href"]
        .as_str()
        .unwrap()
        .ends_with("fixtures/ssp/appendix-a.docx"));
}
