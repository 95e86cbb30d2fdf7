//! Conformance against the real government files in ../shared/reference.
//!
//! These tests read the official templates from `../shared/reference/real-files`
//! when that folder exists and print why they skip when it does not.

#[path = "support/lists.rs"]
mod lists;
#[path = "support/require.rs"]
mod require;

use assert_cmd::Command;
use calamine::{Data, Reader};
use serde_json::Value;
use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn real_files() -> Option<PathBuf> {
    let dir = root().join("../shared/reference/real-files");
    if dir.is_dir() {
        Some(dir)
    } else {
        require::missing(&format!("{} is absent", dir.display()));
        None
    }
}

fn poam() -> Command {
    let mut cmd = Command::cargo_bin("poam").expect("poam binary");
    cmd.current_dir(root());
    cmd
}

/// `poam convert INPUT --to fedramp --template-version VERSION -o OUT`.
fn write_fedramp(input: &Path, version: &str, out: &Path) {
    poam()
        .arg("convert")
        .arg(input)
        .args(["--to", "fedramp", "--template-version", version, "-o"])
        .arg(out)
        .assert()
        .success();
}

fn inspect(path: &Path) -> (Option<i32>, Value, String) {
    let out = poam()
        .args(["inspect", "--format", "json"])
        .arg(path)
        .output()
        .unwrap();
    let v = serde_json::from_slice(&out.stdout).unwrap_or(Value::Null);
    (
        out.status.code(),
        v,
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn blank_fedramp_templates_are_detected_and_empty() {
    let Some(dir) = real_files() else { return };
    for (file, layout) in [
        (
            "fedramp/FedRAMP-POAM-Template-v2.1-2024-03-29.xlsx",
            "fedramp 2.1",
        ),
        (
            "fedramp/FedRAMP-POAM-Template-v3.0-2025-11-17.xlsx",
            "fedramp 3.0",
        ),
    ] {
        let (code, v, stderr) = inspect(&dir.join(file));
        assert_eq!(code, Some(0), "{file}: {stderr}");
        assert_eq!(v["read"]["layout"], layout, "{file}");
        assert_eq!(
            v["open_items"], 0,
            "{file}: the example and guidance rows are not items"
        );
        assert_eq!(v["closed_items"], 0, "{file}");
        let warnings: Vec<&Value> = v["diagnostics"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|d| d["severity"] == "warning")
            .collect();
        assert!(warnings.is_empty(), "{file}: {warnings:?}");
    }
}

#[test]
fn every_real_file_is_read_or_refused_with_a_reason() {
    let Some(dir) = real_files() else { return };
    let mut seen = 0;
    for sub in ["fedramp", "emass", "nist", "oscal", "ssp"] {
        let Ok(entries) = std::fs::read_dir(dir.join(sub)) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            let out = poam().arg("inspect").arg(&path).output().unwrap();
            let code = out.status.code();
            let stderr = String::from_utf8_lossy(&out.stderr);
            assert!(
                matches!(code, Some(0) | Some(2)),
                "{}: {code:?} {stderr}",
                path.display()
            );
            if code == Some(2) {
                assert_eq!(stderr.lines().count(), 1, "{}: {stderr}", path.display());
                assert!(stderr.contains(&path.display().to_string()), "{stderr}");
                // A line a person reads: an SSP's 700 tables are not listed.
                assert!(stderr.len() < 1_000, "{}: {stderr}", path.display());
            }
            seen += 1;
        }
    }
    assert!(seen >= 10, "only {seen} real files found");
}

#[test]
fn a_deviation_request_form_is_not_taken_for_a_poam() {
    // It shares five column names with a POA&M (POA&M ID, CVE, Vulnerability
    // Name, Original Detection Date, Justification) among its 56: poam stops
    // and names the choices; `--from legacy` still reads it on purpose.
    let Some(dir) = real_files() else { return };
    let path = dir.join("fedramp/FedRAMP-Vulnerability-Deviation-Request-Form.xlsx");
    let (code, _, stderr) = inspect(&path);
    assert_eq!(code, Some(2), "{stderr}");
    assert!(stderr.contains("cannot tell with confidence"), "{stderr}");
    assert!(stderr.contains("sheet 'DR Sheet' row 10"), "{stderr}");
    assert!(stderr.contains("--from"), "{stderr}");
    let out = poam()
        .args(["inspect", "--from", "legacy"])
        .arg(&path)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
}

/// Non-empty cells of the first `rows` rows of a sheet, as (row, col, text).
fn top_cells(path: &Path, sheet: &str, rows: u32) -> Vec<(u32, u32, String)> {
    let mut wb = calamine::open_workbook_auto(path).unwrap();
    let range = wb.worksheet_range(sheet).unwrap();
    let mut out = Vec::new();
    for (r, c, d) in range.used_cells() {
        let (r0, c0) = range.start().unwrap();
        let (r, c) = (r as u32 + r0, c as u32 + c0);
        if r < rows {
            let text = match d {
                Data::String(s) => s.trim().to_string(),
                _ => continue,
            };
            if !text.is_empty() {
                out.push((r, c, text));
            }
        }
    }
    out.sort();
    out
}

#[test]
fn written_workbooks_match_the_official_layout() {
    let Some(dir) = real_files() else { return };
    let tmp = tempfile::tempdir().unwrap();
    for (version, file) in [
        ("2.1", "fedramp/FedRAMP-POAM-Template-v2.1-2024-03-29.xlsx"),
        ("3.0", "fedramp/FedRAMP-POAM-Template-v3.0-2025-11-17.xlsx"),
    ] {
        let official = dir.join(file);
        let ours = tmp.path().join(format!("{version}.xlsx"));
        // Write the blank template's (empty) model in the same version.
        write_fedramp(&official, version, &ours);
        let layout = poam_layout::builtin()
            .find("fedramp", Some(version))
            .unwrap();
        let theirs_names = calamine::open_workbook_auto(&official)
            .unwrap()
            .sheet_names();
        let ours_names = calamine::open_workbook_auto(&ours).unwrap().sheet_names();
        for def in &layout.sheets {
            assert!(
                theirs_names.contains(&def.name),
                "{version}: official lacks {}",
                def.name
            );
            assert!(
                ours_names.contains(&def.name),
                "{version}: ours lacks {}",
                def.name
            );
            // Title, metadata labels, header row and guidance rows: the same
            // text in the same cells.
            let depth = def.header_row + def.fixed_rows.len() as u32;
            let theirs = top_cells(&official, &def.name, depth);
            let mine = top_cells(&ours, &def.name, depth);
            let ignore = |cells: Vec<(u32, u32, String)>| -> Vec<(u32, u32, String)> {
                // The blank template's placeholder values (Text, Date, Low) are not layout.
                cells
                    .into_iter()
                    .filter(|(r, _, _)| {
                        def.metadata
                            .as_ref()
                            .is_none_or(|m| *r != m.value_row - 1 || m.value_row == m.label_row + 2)
                    })
                    .collect()
            };
            let (theirs, mine) = (ignore(theirs), ignore(mine));
            for cell in &theirs {
                // v2.1's example row (V-1Example) is not written back.
                if cell.0 + 1 >= def.first_data_row {
                    continue;
                }
                assert!(
                    mine.contains(cell),
                    "{version} '{}': official cell {:?} missing in ours",
                    def.name,
                    cell
                );
            }
        }
    }
}

/// (type, formula1, first column letters) of each data validation in a sheet XML.
fn validations(xml: &str) -> Vec<(String, String, Vec<String>)> {
    let mut out = Vec::new();
    for chunk in xml.split("<dataValidation ").skip(1) {
        let attr = |name: &str| {
            chunk
                .split_once(&format!(" {name}=\""))
                .or_else(|| chunk.split_once(&format!("{name}=\"")))
                .and_then(|(_, rest)| rest.split_once('"'))
                .map(|(v, _)| v.to_string())
                .unwrap_or_default()
        };
        let kind = attr("type");
        let sqref = attr("sqref");
        let formula = chunk
            .split_once("<formula1>")
            .and_then(|(_, r)| r.split_once("</formula1>"))
            .map(|(f, _)| f.replace("&quot;", "\"").replace(' ', ""))
            .unwrap_or_default();
        let cols = sqref
            .split_whitespace()
            .map(|r| {
                r.trim_start_matches(|c: char| !c.is_ascii_alphabetic())
                    .chars()
                    .take_while(|c| c.is_ascii_alphabetic())
                    .collect()
            })
            .collect();
        out.push((kind, formula, cols));
    }
    out
}

fn sheet_xml(path: &Path, index: usize) -> String {
    use std::io::Read;
    let mut zip = zip::ZipArchive::new(std::fs::File::open(path).unwrap()).unwrap();
    let mut text = String::new();
    zip.by_name(&format!("xl/worksheets/sheet{index}.xml"))
        .unwrap()
        .read_to_string(&mut text)
        .unwrap();
    text
}

#[test]
fn written_workbooks_have_the_official_drop_downs_and_frozen_panes() {
    let Some(dir) = real_files() else { return };
    let tmp = tempfile::tempdir().unwrap();
    // (version, official file, [(sheet index in the official file, in ours)]):
    // the same, now that the drawn workbook has the official tabs in order.
    for (version, file, sheets) in [
        (
            "2.1",
            "fedramp/FedRAMP-POAM-Template-v2.1-2024-03-29.xlsx",
            vec![(1, 1), (2, 2), (3, 3)],
        ),
        (
            "3.0",
            "fedramp/FedRAMP-POAM-Template-v3.0-2025-11-17.xlsx",
            vec![(2, 2), (3, 3), (4, 4)],
        ),
    ] {
        let ours = tmp.path().join(format!("{version}.xlsx"));
        write_fedramp(
            Path::new("fixtures/fedramp/fedramp-2.1.xlsx"),
            version,
            &ours,
        );
        for (theirs_idx, ours_idx) in sheets {
            let theirs = sheet_xml(&dir.join(file), theirs_idx);
            let mine = sheet_xml(&ours, ours_idx);
            let mine_dv = validations(&mine);
            for (kind, formula, cols) in validations(&theirs) {
                if kind != "list" {
                    continue;
                }
                for col in cols {
                    assert!(
                        mine_dv
                            .iter()
                            .any(|(k, f, c)| k == "list" && *f == formula && c.contains(&col)),
                        "{version} sheet {ours_idx}: no {formula} list on column {col}"
                    );
                }
            }
            let pane = |xml: &str| {
                xml.split_once("topLeftCell=\"")
                    .and_then(|(_, r)| r.split_once('"'))
                    .map(|(v, _)| v.to_string())
            };
            assert_eq!(
                pane(&mine),
                pane(&theirs),
                "{version} sheet {ours_idx}: frozen panes"
            );
        }
    }
}

#[test]
fn real_ssps_yield_their_control_sections() {
    let Some(dir) = real_files() else { return };
    let start = std::time::Instant::now();
    let rev5 =
        poam_ssp::read_ssp(&dir.join("ssp/FedRAMP-rev5-SSP-Appendix-A-Moderate.docx")).unwrap();
    let elapsed = start.elapsed();
    eprintln!("Rev 5 Appendix A Moderate read in {elapsed:?}");
    assert_eq!(rev5.kind, "fedramp-rev5-appendix-a");
    assert_eq!(
        rev5.counts(),
        (181, 142),
        "323 sections: 181 controls, 142 enhancements"
    );
    assert!(rev5.diagnostics.is_empty(), "{:?}", rev5.diagnostics);
    let ac2_1 = rev5.section("AC-2(1)").unwrap();
    assert_eq!(
        ac2_1.title.as_deref(),
        Some("Automated System Account Management")
    );
    assert_eq!(ac2_1.path[0], "Access Control");
    assert_eq!(
        rev5.section("MA-3(2)").unwrap().title.as_deref(),
        Some("Inspect Media"),
        "the trailing-space heading"
    );
    assert!(
        rev5.sections.iter().all(|s| s.title.is_some()),
        "every section has its title"
    );
    assert!(
        rev5.sections.iter().all(|s| s.status.is_empty()),
        "the blank template ticks no box"
    );

    let rev4 = poam_ssp::read_ssp(&dir.join("ssp/FedRAMP-rev4-SSP-Moderate.docx")).unwrap();
    assert_eq!(rev4.kind, "fedramp-rev4-ssp");
    assert_eq!(rev4.sections.len(), 325, "the Rev 4 Moderate baseline");
    assert!(
        rev4.section("AC-6(5)").is_some(),
        "the AC 6 (5) typo is read"
    );
    assert_eq!(
        rev4.section("AC-2").unwrap().path[..2],
        [
            "Minimum Security Controls".to_string(),
            "Access Control (AC)".to_string()
        ]
    );

    let fedramp_oscal =
        poam_ssp::read_ssp(&dir.join("oscal/FedRAMP-rev5-SSP-OSCAL-Template.json")).unwrap();
    assert_eq!(fedramp_oscal.kind, "oscal-ssp");
    assert!(fedramp_oscal.sections.len() >= 20);
    assert!(fedramp_oscal
        .section("AC-2")
        .is_some_and(|s| !s.status.is_empty()));
    let nist = poam_ssp::read_ssp(&dir.join("oscal/nist-example-ifa-ssp.json")).unwrap();
    assert_eq!(
        nist.section("AC-6(1)").unwrap().status,
        vec![poam_ssp::ImplStatus::Implemented]
    );
}

#[test]
fn catalogs_match_the_reference_lists() {
    let Some(dir) = real_files() else { return };
    let cat = poam_layout::catalog::catalogs();
    // SP 800-171 rev 2: ids, points, CMMC ids, eligibility, Appendix D mapping.
    let mut reader = csv::Reader::from_path(
        dir.join("nist/nist-800-171r2_requirements_points_cmmc_mapping.csv"),
    )
    .unwrap();
    let headers = reader.headers().unwrap().clone();
    let col = |name: &str| headers.iter().position(|h| h == name).unwrap();
    let mut n = 0;
    for rec in reader.records() {
        let r = rec.unwrap();
        let id = &r[col("req_id_r2")];
        let ours = cat
            .requirement(id)
            .unwrap_or_else(|| panic!("{id} missing"));
        assert_eq!(ours.cmmc, r[col("cmmc_l2_id")], "{id}");
        assert_eq!(
            ours.points,
            r[col("points_max")].parse::<i64>().ok(),
            "{id} points"
        );
        let min = r[col("points_min")].parse::<i64>().ok();
        assert_eq!(ours.partial.or(ours.points), min, "{id} partial points");
        let elig = &r[col("cmmc_l2_poam_eligible")];
        assert_eq!(
            ours.poam == "yes",
            elig.starts_with("yes"),
            "{id} eligibility"
        );
        assert_eq!(
            ours.sp800_53.join(";"),
            r[col("sp800_53r4_appendix_d")],
            "{id} Appendix D"
        );
        n += 1;
    }
    assert_eq!(n, 110);
    // SP 800-53 rev 5 baselines.
    let mut reader =
        csv::Reader::from_path(dir.join("nist/nist-sp800-53r5_baseline-controls_ids.csv")).unwrap();
    let mut n = 0;
    for rec in reader.records() {
        let r = rec.unwrap();
        let ours = cat
            .control(&r[1])
            .unwrap_or_else(|| panic!("{} missing", &r[1]));
        assert_eq!(ours.title, r[5], "{}", &r[1]);
        for (word, letter) in [
            ("LOW", 'L'),
            ("MODERATE", 'M'),
            ("HIGH", 'H'),
            ("PRIVACY", 'P'),
        ] {
            assert_eq!(
                r[7].split(';').any(|b| b == word),
                ours.baselines.contains(letter),
                "{} {word}",
                &r[1]
            );
        }
        n += 1;
    }
    assert_eq!(n, cat.baseline_control_count());
    assert!(
        cat.control_count() > 1150,
        "every control and enhancement, withdrawn ones too"
    );
    // The FedRAMP Moderate baseline is the Appendix A Moderate's sections.
    let appendix =
        poam_ssp::read_ssp(&dir.join("ssp/FedRAMP-rev5-SSP-Appendix-A-Moderate.docx")).unwrap();
    let ids: Vec<&str> = appendix
        .sections
        .iter()
        .map(|s| s.control.as_str())
        .collect();
    assert_eq!(
        ids,
        cat.fedramp_moderate()
            .iter()
            .map(String::as_str)
            .collect::<Vec<_>>()
    );
}

/// The layout files' `[rules]` say what the official documents say: the
/// FedRAMP v3.0 template's "Mandatory or Situational" row, and eMASS's field
/// rules for milestones (the eMASS API's POA&M mapper in ../shared/reference/docs).
#[test]
fn layout_rules_match_the_official_documents() {
    let Some(dir) = real_files() else { return };
    // FedRAMP v3.0: the headers marked "Mandatory" under the Open tab's header row.
    let layout = poam_layout::builtin().find("fedramp", Some("3.0")).unwrap();
    let open = layout.sheet_by_role(poam_layout::SheetRole::Open).unwrap();
    let official = dir.join("fedramp/FedRAMP-POAM-Template-v3.0-2025-11-17.xlsx");
    let cells = top_cells(&official, &open.name, open.first_data_row);
    let marks_row = cells
        .iter()
        .find(|(_, _, t)| t.trim().eq_ignore_ascii_case("Mandatory or Situational"))
        .map(|(r, _, _)| *r)
        .expect("the template's Mandatory or Situational row");
    let header_row = open.header_row - 1;
    let header_at = |c: u32| {
        cells
            .iter()
            .find(|(r, cc, _)| *r == header_row && *cc == c)
            .map(|(_, _, t)| t.trim().to_string())
    };
    let mut theirs: Vec<String> = cells
        .iter()
        .filter(|(r, _, t)| *r == marks_row && t.trim().eq_ignore_ascii_case("Mandatory"))
        .filter_map(|(_, c, _)| header_at(*c))
        .collect();
    let mut ours = layout.rules.mandatory.clone();
    theirs.sort();
    ours.sort();
    assert!(theirs.len() >= 10, "{theirs:?}");
    assert_eq!(ours, theirs, "v3.0 mandatory columns");

    // eMASS: the fields each status needs, as the eMASS API's rules list
    // them, are the ones poam's eMASS rules file asks for.
    let doc = std::fs::read_to_string(
        root().join("../shared/reference/docs/mitre-emasser_poam_post_mapper.md"),
    )
    .expect("the eMASS POA&M field rules");
    let rules = poam_rules::system::for_family("emass").expect("eMASS rules");
    let field_of = |api: &str| match api.trim() {
        "scheduledCompletionDate" => "scheduled_completion",
        "completionDate" => "completed_on",
        "comments" => "comments",
        "milestones (at least 1)" => "milestones",
        other => panic!("the eMASS rules name a field poam does not map: {other}"),
    };
    let mut statuses = 0;
    for (status, fields) in doc
        .lines()
        .filter_map(|l| l.trim().strip_prefix('|'))
        .filter_map(|l| l.split_once('|'))
        .map(|(s, f)| (s.trim(), f.trim()))
        .filter(|(s, _)| poam_model::Status::parse(s).is_some())
    {
        statuses += 1;
        let ours = &rules.status[status];
        if fields.contains("can not be created") {
            assert!(ours.refused.is_some(), "{status}");
            continue;
        }
        let mut theirs: Vec<&str> = fields.split(',').map(field_of).collect();
        let mut mine: Vec<&str> = ours.needs.iter().map(String::as_str).collect();
        theirs.sort();
        mine.sort();
        assert_eq!(mine, theirs, "{status}");
    }
    assert_eq!(statuses, 4, "the status table of the eMASS rules");
    assert!(doc.contains(
        "Risk Accepted POA&M Item cannot be saved with a Scheduled Completion Date or Milestones"
    ));
    let ra = &rules.status["Risk Accepted"];
    assert!(ra.forbids.contains(&"scheduled_completion".to_string()));
    assert!(ra.forbids.contains(&"milestones".to_string()));
    assert!(
        doc.contains("Completed POA&M Item cannot be saved if Completion Date is in the future")
    );
    assert_eq!(rules.status["Completed"].not_in_future, ["completed_on"]);
    // Each character limit: the API field's own line says its number.
    for (api, ours) in [
        ("vulnerabilityDescription", "weakness_description"),
        ("sourceIdentifyingVulnerability", "detector_source"),
        ("pocOrganization", "point_of_contact"),
        ("resources ", "resources_required"),
        ("comments ", "comments"),
        ("mitigation ", "emass.mitigations"),
        ("recommendations ", "emass.recommendations"),
    ] {
        let line = doc
            .lines()
            .find(|l| l.starts_with(api))
            .unwrap_or_else(|| panic!("{api} in the eMASS rules"));
        let limit: usize = line
            .split(|c: char| !c.is_ascii_digit() && c != ',')
            .filter_map(|w| w.replace(',', "").parse().ok())
            .next_back()
            .unwrap_or_else(|| panic!("{line}"));
        assert_eq!(rules.max_chars[ours], limit, "{api}: {line}");
        // The fields eMASS requires on every item.
        assert_eq!(
            line.contains("[Required]"),
            rules.every.needs.iter().any(|f| f == ours),
            "{api}: {line}"
        );
    }
    assert!(doc.contains("Milestone Description exceeds 2000 characters"));
    assert_eq!(rules.max_chars["milestone.description"], 2000);
    let emass: Vec<_> = poam_layout::builtin()
        .all()
        .iter()
        .filter(|l| l.family == "emass")
        .collect();
    assert!(emass.len() >= 5);
    for l in emass {
        assert!(
            !l.rules.extra_columns,
            "{}: eMASS rejects extra columns",
            l.label()
        );
    }
}

/// `poam convert FILE --to json` and `poam inspect FILE --format json` of a
/// real tracker: (exit code, model, inspect JSON, stderr).
fn tracker(name: &str) -> (Option<i32>, Value, Value, String) {
    let path = root()
        .join("../shared/reference/real-files/trackers")
        .join(name);
    let out = poam()
        .args(["convert"])
        .arg(&path)
        .args(["--to", "json"])
        .output()
        .unwrap();
    let model = serde_json::from_slice(&out.stdout).unwrap_or(Value::Null);
    let (_, inspected, _) = inspect(&path);
    (
        out.status.code(),
        model,
        inspected,
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn items(m: &Value) -> &Vec<Value> {
    m["items"].as_array().expect("items")
}

/// The field a header went to, from `inspect --format json`.
fn column_field(inspected: &Value, header: &str) -> String {
    inspected["read"]["sheets"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|s| s["columns"].as_array().cloned().unwrap_or_default())
        .find(|c| c["header"].as_str().map(str::trim) == Some(header))
        .map(|c| c["field"].as_str().unwrap_or("extra").to_string())
        .unwrap_or_else(|| panic!("no column {header:?}"))
}

fn has_diag(inspected: &Value, kind: &str) -> bool {
    inspected["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .any(|d| d["kind"] == kind)
}

/// Every real tracker in ../shared/reference/real-files/trackers reads as its
/// NOTES.md says a person reads it.
#[test]
fn real_trackers_read_as_their_notes_say() {
    if real_files().is_none() {
        return;
    }
    // complyscan: 7 open items, ids POAM-001.., requirement ids, plan, dates.
    let (code, m, i, _) = tracker("complyscan_poam.csv");
    assert_eq!(code, Some(0));
    assert_eq!(items(&m).len(), 7);
    assert!(items(&m).iter().all(|it| it["state"] == "open"));
    assert_eq!(items(&m)[0]["id"], "POAM-001");
    assert_eq!(items(&m)[0]["controls"], serde_json::json!(["3.11.2"]));
    assert!(items(&m)[0]["remediation_plan"]
        .as_str()
        .unwrap()
        .starts_with("Scan for"));
    assert_eq!(items(&m)[0]["scheduled_completion"], "2026-08-22");
    assert_eq!(column_field(&i, "planned_remediation"), "remediation_plan");

    // zico: 3 items, poam-3 closed, "In Progress" and "Planned" open, ISO date-times.
    let (_, m, i, _) = tracker("zico_poam.csv");
    let by_id = |id: &str| items(&m).iter().find(|it| it["id"] == id).unwrap().clone();
    assert_eq!(items(&m).len(), 3);
    assert_eq!(by_id("poam-3")["state"], "closed");
    for id in ["poam-1", "poam-2"] {
        assert_eq!(by_id(id)["state"], "open", "{id}");
        assert_eq!(by_id(id)["status"], "ongoing", "{id}");
    }
    assert_eq!(by_id("poam-1")["scheduled_completion"], "2026-10-26");
    assert!(!has_diag(&i, "unknown-value"), "{}", i["diagnostics"]);

    // securedocs: a blank tracker; relative due dates kept and said.
    let (code, m, _, _) = tracker("securedocs_POAM.xlsx");
    assert_eq!((code, items(&m).len()), (Some(0), 0));
    let (_, m, i, _) = tracker("securedocs_Advanced_POAM.xlsx");
    assert_eq!(items(&m).len(), 1);
    assert_eq!(items(&m)[0]["extra"]["Due Date"], "30 days");
    assert!(has_diag(&i, "relative-date"));
    let (_, m, i, _) = tracker("securedocs_CopyOf_SecureDocs_POAM.xlsx");
    assert_eq!(items(&m).len(), 5);
    assert!(items(&m).iter().all(|it| it["state"] == "open"));
    assert!(items(&m)
        .iter()
        .any(|it| it["risk"]["original"] == "moderate"));
    assert!(has_diag(&i, "relative-date") && !has_diag(&i, "bad-date"));
    let (_, m, i, _) = tracker("securedocs_eMASS_POAM.xlsx");
    assert_eq!(items(&m).len(), 5);
    assert!(items(&m).iter().all(|it| it["state"] == "open"));
    assert_eq!(column_field(&i, "Planned Remediation"), "remediation_plan");
    assert!(items(&m)
        .iter()
        .all(|it| it["remediation_plan"].is_string()));
    assert!(has_diag(&i, "relative-date"));

    // beginsolutions: a template; the row under the header describes the columns.
    let (code, m, i, _) = tracker("beginsolutions_POAM_Template.xlsx");
    assert_eq!((code, items(&m).len()), (Some(0), 0));
    for (header, field) in [
        ("Control Weakness or Deficiency", "weakness_name"),
        ("Identifying Source", "detector_source"),
        ("Completion Date", "scheduled_completion"),
        ("Milestones with Dates", "milestones"),
        ("Resources Needed", "resources_required"),
        ("Risk Level", "risk.original"),
    ] {
        assert_eq!(column_field(&i, header), field, "{header}");
    }

    // clickingfrog: a blank DIACAP-era export.
    let (code, m, i, _) = tracker("clickingfrog_POAM.xlsx");
    assert_eq!((code, items(&m).len()), (Some(0), 0));
    assert_eq!(column_field(&i, "CAT"), "emass.raw_severity");
    assert_eq!(
        column_field(&i, "Source Identifying Weakness"),
        "source_identifier"
    );

    // heimdall2: the classic eMASS layout with its banner filled in.
    let (code, m, i, _) = tracker("heimdall2_POAM.xlsx");
    assert_eq!((code, items(&m).len()), (Some(0), 0));
    assert_eq!(m["system"]["name"], "MITRE Imagine PPP");
    assert_eq!(m["system"]["organization"], "DHA");
    assert_eq!(m["system"]["poam_date"], "2021-06-09");
    let example = i["read"]["sheets"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["name"] == "Example")
        .unwrap()
        .clone();
    assert!(
        example["note"]
            .as_str()
            .unwrap()
            .contains("example or instructions"),
        "{example}"
    );

    // Not POA&Ms: refused, saying why.
    for (name, why) in [
        ("heimdall2_emass-test-result-import.xlsx", "no POA&M found"),
        ("securedocs_Advanced_SAR.docx", "no POA&M found"),
        ("foxxdev_poamtool_poams.json", "neither poamkit's model"),
    ] {
        let (code, _, _, stderr) = tracker(name);
        assert_eq!(code, Some(2), "{name}: {stderr}");
        assert!(stderr.contains(why), "{name}: {stderr}");
        assert_eq!(stderr.lines().count(), 1, "{name}: {stderr}");
    }

    // stig-manager's MCCAST template: the MCCAST layout, its placeholder row skipped and said.
    let (code, m, i, _) = tracker("stigman_poam-template-mccast.xlsx");
    assert_eq!((code, items(&m).len()), (Some(0), 0), "{i}");
    assert!(i["read"]["layout"].as_str().unwrap().starts_with("mccast"));
    assert!(has_diag(&i, "skipped-row"));
    assert_eq!(
        column_field(&i, "Allocated Control (Allocated Control ID)"),
        "controls"
    );

    // C-PAT's early eMASS template: Navy columns, the classic controls header.
    let (code, m, i, _) = tracker("cpat_eMASS_Template_2024-06-04.xlsx");
    assert_eq!((code, items(&m).len()), (Some(0), 0));
    assert_eq!(
        column_field(&i, "Security Control Number (NC/NA controls only)"),
        "controls"
    );

    // OSCAL POA&Ms, in JSON and in YAML: two items each.
    for name in [
        "gooscal_fedramp-poam-template-2.0.0.json",
        "gooscal_rev5_poam.yaml",
    ] {
        let (code, m, _, stderr) = tracker(name);
        assert_eq!(code, Some(0), "{name}: {stderr}");
        assert_eq!(items(&m).len(), 2, "{name}");
    }
    // A file added to the folder is added here too, with what NOTES.md says of it.
    let checked = [
        "complyscan_poam.csv",
        "zico_poam.csv",
        "securedocs_POAM.xlsx",
        "securedocs_Advanced_POAM.xlsx",
        "securedocs_CopyOf_SecureDocs_POAM.xlsx",
        "securedocs_eMASS_POAM.xlsx",
        "beginsolutions_POAM_Template.xlsx",
        "clickingfrog_POAM.xlsx",
        "heimdall2_POAM.xlsx",
        "heimdall2_emass-test-result-import.xlsx",
        "securedocs_Advanced_SAR.docx",
        "foxxdev_poamtool_poams.json",
        "stigman_poam-template-mccast.xlsx",
        "cpat_eMASS_Template_2024-06-04.xlsx",
        "gooscal_fedramp-poam-template-2.0.0.json",
        "gooscal_rev5_poam.yaml",
    ];
    for entry in std::fs::read_dir(root().join("../shared/reference/real-files/trackers")).unwrap()
    {
        let name = entry.unwrap().file_name().to_string_lossy().into_owned();
        assert!(
            name == "NOTES.md" || checked.contains(&name.as_str()),
            "{name} is in trackers/ but not checked here"
        );
    }
}

/// Rows under a header that hold anything, counted by calamine (or the csv
/// crate) on its own: what a person counts when they check a conversion.
fn filled_rows_below(path: &Path, sheet: &str, header_row: u32) -> usize {
    use calamine::Reader;
    let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("");
    if ext == "csv" {
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .from_path(path)
            .unwrap();
        return reader
            .records()
            .skip(header_row as usize)
            .filter_map(Result::ok)
            .filter(|r| r.iter().any(|c| !c.trim().is_empty()))
            .count();
    }
    let mut wb = calamine::open_workbook_auto(path).unwrap();
    let range = wb.worksheet_range(sheet).unwrap();
    let start = range.start().map_or(0, |s| s.0);
    range
        .rows()
        .enumerate()
        .filter(|(i, _)| start + *i as u32 >= header_row)
        .filter(|(_, row)| {
            row.iter().any(|c| match c {
                calamine::Data::Empty => false,
                calamine::Data::String(s) => !s.trim().is_empty(),
                _ => true,
            })
        })
        .count()
}

/// No real file converts with a row dropped silently: for every sheet poam
/// reads, the rows under its header that hold anything are the rows read
/// into items plus the rows reported as not read, each with its reason.
#[test]
fn every_filled_row_of_every_real_file_is_read_or_reported() {
    let Some(dir) = real_files() else { return };
    let mut files = Vec::new();
    for sub in ["emass", "fedramp", "trackers"] {
        for e in std::fs::read_dir(dir.join(sub)).unwrap() {
            let p = e.unwrap().path();
            let ext = p.extension().and_then(|e| e.to_str()).unwrap_or("");
            if ["xlsx", "xlsm", "csv"].contains(&ext) {
                files.push(p);
            }
        }
    }
    files.sort();
    let mut checked = 0;
    for path in &files {
        let (code, v, stderr) = inspect(path);
        if code != Some(0) {
            // Refused files (not a POA&M) say so; they are checked elsewhere.
            assert!(!stderr.is_empty(), "{}: no message", path.display());
            continue;
        }
        let skipped_diags = v["diagnostics"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|d| d["kind"] == "skipped-row")
            .count();
        let mut skipped_total = 0;
        for sheet in v["read"]["sheets"].as_array().unwrap() {
            let Some(h) = sheet["header_row"].as_u64() else {
                continue;
            };
            let name = sheet["name"].as_str().unwrap();
            let read = sheet["rows_read"].as_u64().unwrap() as usize;
            let skipped = sheet["rows_skipped"].as_u64().unwrap() as usize;
            skipped_total += skipped;
            let items = sheet["items"].as_u64().unwrap() as usize;
            let person = filled_rows_below(path, name, h as u32);
            assert_eq!(
                read + skipped,
                person,
                "{} sheet '{name}': {person} filled rows under the header, {read} read + {skipped} reported",
                path.display()
            );
            assert!(
                read >= items,
                "{}: {read} rows for {items} items",
                path.display()
            );
            checked += 1;
        }
        assert_eq!(
            skipped_total,
            skipped_diags,
            "{}: every row not read has its diagnostic",
            path.display()
        );
    }
    assert!(checked >= 15, "only {checked} sheets checked");
}

/// OSCAL's XML, its third official format: the XML fixture (written from
/// the JSON one by OSCAL's XML rules) is valid against NIST's OSCAL 1.1.2
/// POA&M XML schema, and poam reads it exactly as the JSON.
#[test]
fn oscal_xml_is_valid_against_nists_schema_and_reads_as_its_json() {
    let xsd = root().join("../shared/reference/oscal-validation/oscal_poam_schema_1.1.2.xsd");
    if !xsd.is_file() {
        require::missing(&format!("{} is absent", xsd.display()));
        return;
    }
    let has_xmlschema = std::process::Command::new("python3")
        .args(["-c", "import xmlschema"])
        .status()
        .is_ok_and(|s| s.success());
    if !has_xmlschema {
        require::missing("the Python package xmlschema is not installed");
        return;
    }
    let xml = root().join("fixtures/oscal/poam.xml");
    let out = std::process::Command::new("python3")
        .args([
            "-c",
            "import sys, xmlschema\n\
             errs = list(xmlschema.XMLSchema(sys.argv[1]).iter_errors(sys.argv[2]))\n\
             [print(e.path, e.reason) for e in errs]\n\
             sys.exit(1 if errs else 0)",
        ])
        .arg(&xsd)
        .arg(&xml)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "poam.xml fails NIST's schema:\n{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let read = |name: &str| {
        let out = poam()
            .arg("convert")
            .arg(root().join("fixtures/oscal").join(name))
            .args(["--to", "json"])
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{name}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout)
            .unwrap()
            .replace(name, "poam.*")
    };
    assert_eq!(read("poam.xml"), read("poam.json"));
}

/// The Word plan of action in ../shared: its table's filled rows (text in
/// any cell, counted from the document's XML on its own) are the items read
/// plus the rows reported as not read; and every real OSCAL POA&M, JSON or
/// YAML, gives one item per poam-item.
#[test]
fn every_word_row_and_oscal_poam_item_of_the_real_files_is_read_or_reported() {
    use std::io::Read;
    let Some(dir) = real_files() else { return };
    let path = dir.join("nist/NIST-CUI-Plan-of-Action-Template.docx");
    let mut xml = String::new();
    zip::ZipArchive::new(std::fs::File::open(&path).unwrap())
        .unwrap()
        .by_name("word/document.xml")
        .unwrap()
        .read_to_string(&mut xml)
        .unwrap();
    let filled = xml
        .split("<w:tr")
        .skip(1)
        .filter(|row| {
            row.split("<w:t")
                .skip(1)
                .filter_map(|t| t.split_once('>').map(|(_, rest)| rest))
                .any(|rest| !rest.split('<').next().unwrap_or("").trim().is_empty())
        })
        .count();
    let (code, v, _) = inspect(&path);
    assert_eq!(code, Some(0));
    let sheet = &v["read"]["sheets"][0];
    let read = sheet["rows_read"].as_u64().unwrap() as usize;
    let skipped = sheet["rows_skipped"].as_u64().unwrap() as usize;
    // The header row is the first filled one.
    assert_eq!(read + skipped + 1, filled, "{path:?}: {filled} filled rows");

    for (name, poam_items) in [
        ("oscal/FedRAMP-rev5-POAM-OSCAL-Template.json", None),
        ("oscal/nist-example-ifa-poam.json", None),
        ("trackers/gooscal_fedramp-poam-template-2.0.0.json", None),
        ("trackers/gooscal_rev5_poam.yaml", Some(2)),
    ] {
        let path = dir.join(name);
        let expected = poam_items.unwrap_or_else(|| {
            let doc: Value =
                serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
            doc["plan-of-action-and-milestones"]["poam-items"]
                .as_array()
                .map_or(0, Vec::len)
        });
        let out = poam()
            .arg("convert")
            .arg(&path)
            .args(["--to", "json"])
            .output()
            .unwrap();
        let m: Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(m["items"].as_array().unwrap().len(), expected, "{name}");
    }
}

/// Every entry of a workbook, inflated, by name.
fn zip_parts(path: &Path) -> std::collections::BTreeMap<String, Vec<u8>> {
    use std::io::Read;
    let mut zip = zip::ZipArchive::new(std::fs::File::open(path).unwrap()).unwrap();
    let mut out = std::collections::BTreeMap::new();
    for i in 0..zip.len() {
        let mut entry = zip.by_index(i).unwrap();
        let mut bytes = Vec::new();
        entry.read_to_end(&mut bytes).unwrap();
        out.insert(entry.name().unwrap().to_string(), bytes);
    }
    out
}

/// The part of a sheet, by name, from the workbook and its relationships.
fn sheet_part(workbook: &str, rels: &str, name: &str) -> Option<String> {
    // The sheet's relationship id, from its tag in workbook.xml.
    let escaped = name.replace('&', "&amp;");
    let at = workbook.find(&format!("name=\"{escaped}\""))?;
    let tag = &workbook[workbook[..at].rfind('<')?..];
    let tag = &tag[..tag.find('>')?];
    let id = tag.split("r:id=\"").nth(1)?.split('"').next()?;
    // That relationship's target, from its tag in the rels.
    let at = rels.find(&format!("Id=\"{id}\""))?;
    let rel = &rels[rels[..at].rfind('<')?..];
    let rel = &rel[..rel.find("/>")?];
    let target = rel.split("Target=\"").nth(1)?.split('"').next()?;
    Some(match target.strip_prefix('/') {
        Some(abs) => abs.to_string(),
        None => format!("xl/{target}"),
    })
}

/// The `<row>` elements of a sheet's XML, by row number.
fn xml_rows(xml: &str) -> std::collections::BTreeMap<u32, String> {
    let mut out = std::collections::BTreeMap::new();
    let mut rest = xml;
    while let Some(at) = rest.find("<row ") {
        let tail = &rest[at..];
        let head_end = tail.find('>').unwrap();
        let end = if tail[..head_end].ends_with('/') {
            head_end + 1
        } else {
            tail.find("</row>").unwrap() + "</row>".len()
        };
        let row = &tail[..end];
        let r: u32 = row
            .split("r=\"")
            .nth(1)
            .and_then(|v| v.split('"').next())
            .and_then(|v| v.parse().ok())
            .unwrap();
        out.insert(r, row.to_string());
        rest = &tail[end..];
    }
    out
}

fn items_without_origin(path: &Path) -> Value {
    let out = poam()
        .arg("convert")
        .arg(path)
        .args(["--to", "json"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut v: Value = serde_json::from_slice(&out.stdout).unwrap();
    for item in v["items"].as_array_mut().unwrap() {
        item.as_object_mut().unwrap().remove("origin");
    }
    v
}

/// `convert --into` the official blank templates (FedRAMP v3.0 and v2.1, the
/// eMASS classic .xlsm and Navy 2024 and 2026): every part of the official
/// file is in the output unchanged except the sheets' data rows, the
/// workbook's recalculation flag and the cell formats added after the
/// template's own; the rows above the data (title, metadata labels, header,
/// guidance) are the template's; the items read back as the drawn workbook's.
#[test]
fn filling_an_official_template_keeps_every_part_but_the_rows_written() {
    let Some(real) = real_files() else { return };
    let dir = tempfile::tempdir().unwrap();
    let cases = [
        (
            "fedramp/FedRAMP-POAM-Template-v3.0-2025-11-17.xlsx",
            "fixtures/fedramp/fedramp-2.1.xlsx",
            9,
            "fedramp",
            "3.0",
        ),
        (
            "fedramp/FedRAMP-POAM-Template-v2.1-2024-03-29.xlsx",
            "fixtures/fedramp/fedramp-3.0.xlsx",
            9,
            "fedramp",
            "2.1",
        ),
        (
            "emass/eMASS-POAM-Template-RMF-classic.xlsm",
            "fixtures/emass/emass-rmf-classic.xlsm",
            0,
            "emass",
            "rmf-classic",
        ),
        (
            "emass/eMASS-POAM-Template-Navy-2024.xlsx",
            "fixtures/emass/emass-navy-2024.xlsx",
            0,
            "emass",
            "navy-2024",
        ),
        (
            "emass/eMASS-POAM-Template-Navy-2026.xlsx",
            "fixtures/emass/emass-navy-2026.xlsx",
            0,
            "emass",
            "navy-2026",
        ),
    ];
    for (template, input, _, family, version) in cases {
        let template = real.join(template);
        let ext = template.extension().unwrap().to_str().unwrap();
        let out = dir.path().join(format!("filled-{version}.{ext}"));
        let run = poam()
            .arg("convert")
            .arg(input)
            .arg("--into")
            .arg(&template)
            .arg("-o")
            .arg(&out)
            .output()
            .unwrap();
        assert!(
            run.status.success(),
            "{version}: {}",
            String::from_utf8_lossy(&run.stderr)
        );
        let before = zip_parts(&template);
        let after = zip_parts(&out);
        let (_, inspected, _) = inspect(&out);
        assert_eq!(
            inspected["read"]["layout"]
                .as_str()
                .map(|l| l == format!("{family} {version}")),
            Some(true),
            "{version}: {}",
            inspected["read"]["layout"]
        );
        let sheets_written: Vec<String> = inspected["read"]["sheets"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|s| s["items"].as_u64().unwrap_or(0) > 0)
            .map(|s| s["name"].as_str().unwrap().to_string())
            .collect();
        assert!(!sheets_written.is_empty(), "{version}");
        let mut changed = Vec::new();
        for (name, bytes) in &before {
            if name.ends_with("calcChain.xml") {
                assert!(!after.contains_key(name), "{version}: {name} kept");
                continue;
            }
            let Some(new) = after.get(name) else {
                panic!("{version}: {name} is missing from the filled file");
            };
            if new != bytes {
                changed.push(name.clone());
            }
        }
        assert_eq!(
            after.len(),
            before.len() - usize::from(before.keys().any(|n| n.ends_with("calcChain.xml"))),
            "{version}: parts added"
        );
        for name in &changed {
            let old = String::from_utf8_lossy(&before[name]).into_owned();
            let new = String::from_utf8_lossy(&after[name]).into_owned();
            if name.ends_with("workbook.xml") {
                assert!(new.contains("fullCalcOnLoad=\"1\""), "{version}");
                let sheets = |x: &str| {
                    x[x.find("<sheets").unwrap()..x.find("</sheets>").unwrap()].to_string()
                };
                assert_eq!(
                    sheets(&old),
                    sheets(&new),
                    "{version}: the sheet list changed"
                );
            } else if name.ends_with("styles.xml") {
                let cut = old.find("</cellXfs>").unwrap();
                let head = old.find("<cellXfs").unwrap();
                assert!(
                    new.starts_with(&old[..head]),
                    "{version}: styles before cellXfs changed"
                );
                assert!(
                    new.ends_with(&old[cut..]),
                    "{version}: styles after cellXfs changed"
                );
                let start_tag_end = old[head..].find('>').unwrap() + head + 1;
                assert!(
                    new.contains(&old[start_tag_end..cut]),
                    "{version}: a cell format changed"
                );
            } else if name.contains("worksheets/") {
                // The dimension grows with the rows written; the rest is the template's.
                let head = |x: &str| {
                    let h = x[..x.find("<sheetData").unwrap()].to_string();
                    match h.find("<dimension ") {
                        Some(at) => {
                            let end = at + h[at..].find("/>").unwrap() + 2;
                            format!("{}{}", &h[..at], &h[end..])
                        }
                        None => h,
                    }
                };
                assert_eq!(head(&old), head(&new), "{version}: {name} above the rows");
                let (old_tail, new_tail) = (
                    &old[old.find("</sheetData>").unwrap()..],
                    &new[new.find("</sheetData>").unwrap()..],
                );
                assert_eq!(old_tail, new_tail, "{version}: {name} below the rows (validations, formats, print setup, header and footer)");
            } else if name.ends_with("[Content_Types].xml") || name.ends_with("workbook.xml.rels") {
                // Only the calculation chain's entry is gone (Excel rebuilds it).
                let at = old
                    .find("calcChain")
                    .unwrap_or_else(|| panic!("{version}: {name} changed"));
                let start = old[..at].rfind('<').unwrap();
                let end = old[at..].find("/>").unwrap() + at + 2;
                assert_eq!(
                    format!("{}{}", &old[..start], &old[end..]),
                    new,
                    "{version}: {name}"
                );
            } else {
                panic!("{version}: {name} changed");
            }
        }
        // Above the data, each row is the template's, but the rows that take
        // the system's metadata values.
        let layout = poam_layout::builtin().find(family, Some(version)).unwrap();
        let workbook = String::from_utf8_lossy(&before["xl/workbook.xml"]).into_owned();
        let rels = String::from_utf8_lossy(&before["xl/_rels/workbook.xml.rels"]).into_owned();
        for def in &layout.sheets {
            let Some(part) = sheet_part(&workbook, &rels, &def.name) else {
                continue;
            };
            let (old_rows, new_rows) = (
                xml_rows(&String::from_utf8_lossy(&before[&part])),
                xml_rows(&String::from_utf8_lossy(&after[&part])),
            );
            let metadata: Vec<u32> = def
                .metadata
                .iter()
                .map(|m| m.value_row)
                .chain(def.label_values.iter().filter_map(|lv| {
                    lv.value_cell
                        .trim_start_matches(char::is_alphabetic)
                        .parse()
                        .ok()
                }))
                .collect();
            for (r, row) in old_rows.range(..def.first_data_row) {
                if !metadata.contains(r) {
                    assert_eq!(
                        new_rows.get(r),
                        Some(row),
                        "{version}: '{}' row {r}",
                        def.name
                    );
                }
            }
            assert!(
                old_rows.contains_key(&def.header_row),
                "{version}: '{}'",
                def.name
            );
        }
        // Each filled sheet's print area takes in every row written (the
        // Navy templates' stopped at their blank rows, leaving the items
        // off the printed copy); the other defined names are the template's.
        let new_workbook = String::from_utf8_lossy(&after["xl/workbook.xml"]).into_owned();
        let names_of = |x: &str| -> Vec<(String, String)> {
            x.split("<definedName ")
                .skip(1)
                .map(|d| {
                    let (head, rest) = d.split_once('>').unwrap();
                    (
                        head.to_string(),
                        rest.split('<').next().unwrap().to_string(),
                    )
                })
                .collect()
        };
        let sheet_names: Vec<String> = workbook
            .split("<sheet ")
            .skip(1)
            .map(|s| {
                s.split("name=\"")
                    .nth(1)
                    .unwrap()
                    .split('"')
                    .next()
                    .unwrap()
                    .replace("&amp;", "&")
            })
            .collect();
        let (old_names, new_names) = (names_of(&workbook), names_of(&new_workbook));
        assert_eq!(old_names.len(), new_names.len(), "{version}: defined names");
        for ((old_head, old_text), (new_head, new_text)) in old_names.iter().zip(&new_names) {
            assert_eq!(old_head, new_head, "{version}");
            let sheet = old_head
                .split("localSheetId=\"")
                .nth(1)
                .and_then(|v| v.split('"').next())
                .and_then(|v| v.parse::<usize>().ok())
                .map(|at| sheet_names[at].clone());
            let filled = sheet.as_ref().filter(|s| sheets_written.contains(s));
            match filled {
                Some(sheet) if old_head.contains("_xlnm.Print_Area") => {
                    let part = sheet_part(&workbook, &rels, sheet).unwrap();
                    let last = *xml_rows(&String::from_utf8_lossy(&after[&part]))
                        .keys()
                        .last()
                        .unwrap();
                    let end: u32 = new_text
                        .rsplit('$')
                        .next()
                        .and_then(|v| v.parse().ok())
                        .unwrap_or_else(|| panic!("{version}: print area {new_text}"));
                    assert!(
                        end >= last,
                        "{version}: '{sheet}' prints {new_text} (was {old_text}), its rows end at {last}"
                    );
                }
                _ => assert_eq!(old_text, new_text, "{version}: {old_head}"),
            }
        }
        // Which sheet parts changed: the ones items went to, no other.
        let sheet_parts = changed.iter().filter(|n| n.contains("worksheets/")).count();
        assert_eq!(sheet_parts, sheets_written.len(), "{version}: {changed:?}");
        // The items read back as those of the drawn workbook of the same layout.
        let drawn = dir.path().join(format!("drawn-{version}.{ext}"));
        poam()
            .arg("convert")
            .arg(input)
            .args(["--to", family, "--template-version", version, "-o"])
            .arg(&drawn)
            .assert()
            .success();
        let (a, b) = (items_without_origin(&drawn), items_without_origin(&out));
        assert_eq!(
            a["items"], b["items"],
            "{version}: the items read back differ"
        );
        assert_eq!(
            a["system"], b["system"],
            "{version}: the system read back differs"
        );
    }
}

/// The drawn FedRAMP v3.0 and v2.1 workbooks take the official file's look, read
/// from the official file itself: the title's font, size and color, the
/// header row's font, the body font, and the columns' widths.
#[test]
fn the_drawn_v30_workbook_has_the_official_fonts_and_widths() {
    let Some(real) = real_files() else { return };
    for (official, version) in [
        ("fedramp/FedRAMP-POAM-Template-v3.0-2025-11-17.xlsx", "3.0"),
        ("fedramp/FedRAMP-POAM-Template-v2.1-2024-03-29.xlsx", "2.1"),
    ] {
        drawn_fedramp_has_the_official_look(&real.join(official), version);
    }
}

/// The `<fonts>` list of a workbook's styles part.
fn fonts_of(path: &Path) -> String {
    let styles = String::from_utf8_lossy(&zip_parts(path)["xl/styles.xml"]).into_owned();
    styles[styles.find("<fonts").unwrap()..styles.find("</fonts>").unwrap()].to_string()
}

fn drawn_fedramp_has_the_official_look(official: &Path, version: &str) {
    let official = official.to_path_buf();
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("drawn.xlsx");
    write_fedramp(
        &root().join("fixtures/fedramp/fedramp-2.1.xlsx"),
        version,
        &out,
    );
    // The official title font: bold Arial 18 in 1A4480.
    for (what, path) in [("official", &official), ("drawn", &out)] {
        let fonts = fonts_of(path);
        assert!(
            fonts.split("<font>").any(|f| f.contains("<b/>")
                && f.contains("val=\"18")
                && f.contains("1A4480")
                && f.contains("Arial")),
            "{version} {what}: no bold 18-point dark-blue Arial title font"
        );
        assert!(
            fonts
                .split("<font>")
                .any(|f| f.contains("val=\"10") && f.contains("Arial")),
            "{version} {what}: no Arial 10 body font"
        );
    }
    let part_of = |p: &Path, sheet: &str| {
        let all = zip_parts(p);
        let text = |n: &str| String::from_utf8_lossy(&all[n]).into_owned();
        sheet_part(
            &text("xl/workbook.xml"),
            &text("xl/_rels/workbook.xml.rels"),
            sheet,
        )
        .unwrap()
    };
    let (o_open, d_open) = (
        part_of(&official, "Open POA&M Items"),
        part_of(&out, "Open POA&M Items"),
    );
    // v2.1 colours the impact level cell by the level it holds.
    let sheet_text =
        |p: &Path, part: &str| String::from_utf8_lossy(&zip_parts(p)[part]).into_owned();
    let (o_xml, d_xml) = (sheet_text(&official, &o_open), sheet_text(&out, &d_open));
    for word in ["Low", "Moderate", "High"] {
        let rule = format!("text=\"{word}\"");
        let colours = |x: &str| {
            x.split("<conditionalFormatting sqref=\"C3\"")
                .nth(1)
                .is_some_and(|c| {
                    c.split("</conditionalFormatting>")
                        .next()
                        .unwrap()
                        .contains(&rule)
                })
        };
        assert_eq!(
            colours(&d_xml),
            colours(&o_xml),
            "{version}: the impact level's {word} colour"
        );
    }
    let (o_widths, _) = widths_and_heights(&official, "Open POA&M Items");
    let (d_widths, _) = widths_and_heights(&out, "Open POA&M Items");
    for col in [2, 3, 10, 28] {
        let (o, d) = (
            o_widths.get(&col).copied().unwrap_or(0.0),
            d_widths.get(&col).copied().unwrap_or(0.0),
        );
        assert!(
            (o - d).abs() < 0.2,
            "{version} column {col}: official {o}, drawn {d}"
        );
    }
}

/// The visible tabs of a workbook, in order.
fn visible_sheets(path: &Path) -> Vec<String> {
    let workbook = String::from_utf8_lossy(&zip_parts(path)["xl/workbook.xml"]).into_owned();
    workbook
        .split("<sheet ")
        .skip(1)
        .filter(|s| {
            let head = &s[..s.find('>').unwrap()];
            !head.contains("state=\"hidden\"") && !head.contains("state=\"veryHidden\"")
        })
        .map(|s| {
            s.split("name=\"")
                .nth(1)
                .unwrap()
                .split('"')
                .next()
                .unwrap()
                .replace("&amp;", "&")
        })
        .collect()
}

/// The workbook poam draws has the official file's visible tabs, named and
/// ordered as there, for every layout with an official file in ../shared
/// (FedRAMP's Instructions, PL-2 Findings and Record of Changes; eMASS's
/// Example and Instructions); the tabs that hold no items point to the
/// official instructions rather than copy them, and take the official
/// column widths.
#[test]
fn drawn_workbooks_have_the_official_tabs_in_order() {
    let Some(real) = real_files() else { return };
    let dir = tempfile::tempdir().unwrap();
    for (official, family, version, input) in [
        (
            "fedramp/FedRAMP-POAM-Template-v3.0-2025-11-17.xlsx",
            "fedramp",
            "3.0",
            "fixtures/fedramp/fedramp-2.1.xlsx",
        ),
        (
            "fedramp/FedRAMP-POAM-Template-v2.1-2024-03-29.xlsx",
            "fedramp",
            "2.1",
            "fixtures/fedramp/fedramp-3.0.xlsx",
        ),
        (
            "emass/eMASS-POAM-Template-RMF-classic.xlsm",
            "emass",
            "rmf-classic",
            "fixtures/emass/emass-rmf-classic.xlsm",
        ),
        (
            "emass/eMASS-POAM-Template-Navy-2024.xlsx",
            "emass",
            "navy-2024",
            "fixtures/emass/emass-navy-2024.xlsx",
        ),
        (
            "emass/eMASS-POAM-Template-Navy-2026.xlsx",
            "emass",
            "navy-2026",
            "fixtures/emass/emass-navy-2026.xlsx",
        ),
    ] {
        let official = real.join(official);
        let out = dir.path().join(format!("{version}.xlsx"));
        let run = poam()
            .arg("convert")
            .arg(root().join(input))
            .args(["--to", family, "--template-version", version, "-o"])
            .arg(&out)
            .output()
            .unwrap();
        assert!(
            run.status.success(),
            "{version}: {}",
            String::from_utf8_lossy(&run.stderr)
        );
        assert_eq!(visible_sheets(&out), visible_sheets(&official), "{version}");
        // Items still read back from the item tabs only.
        let (code, inspected, _) = inspect(&out);
        assert_eq!(code, Some(0), "{version}");
        assert_eq!(
            inspected["read"]["layout"],
            format!("{family} {version}"),
            "{version}"
        );
    }
    // The PL-2 Findings tab's header cells and widths are the official ones.
    let official = real.join("fedramp/FedRAMP-POAM-Template-v3.0-2025-11-17.xlsx");
    let drawn = dir.path().join("3.0.xlsx");
    assert_eq!(
        top_cells(&drawn, "PL-2 Findings", 1),
        top_cells(&official, "PL-2 Findings", 1)
    );
    let instructions = top_cells(&drawn, "Instructions", 6);
    assert!(
        instructions
            .iter()
            .any(|(_, _, t)| t.contains("https://www.fedramp.gov/")),
        "{instructions:?}"
    );
}

/// `convert --into` NIST's blank SP 800-171 plan of action: every part of
/// the official file is kept byte for byte but the document (whose table
/// gets one row per item in place of its blank rows, everything around the
/// table as it was) and the page header whose `[SYSTEM NAME]` takes the
/// system's name; the items read back as those of the plan poam draws.
#[test]
fn filling_nists_plan_of_action_keeps_the_template_and_reads_back() {
    let Some(real) = real_files() else { return };
    let template = real.join("nist/NIST-CUI-Plan-of-Action-Template.docx");
    let dir = tempfile::tempdir().unwrap();
    let input = root().join("fixtures/nist/plan-of-action.xlsx");
    let out = dir.path().join("filled.docx");
    let run = poam()
        .arg("convert")
        .arg(&input)
        .args(["--system-name", "Example Enclave", "--into"])
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
    let (before, after) = (zip_parts(&template), zip_parts(&out));
    assert_eq!(
        before.keys().collect::<Vec<_>>(),
        after.keys().collect::<Vec<_>>(),
        "the same parts"
    );
    let text = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
    for (name, bytes) in &before {
        let new = &after[name];
        if name == "word/document.xml" {
            let (old, new) = (text(bytes), text(new));
            let cut = |x: &str| {
                let a = x.find("<w:tbl>").unwrap();
                let b = x.find("</w:tbl>").unwrap();
                (x[..a].to_string(), x[b..].to_string())
            };
            assert_eq!(cut(&old), cut(&new), "the document around the table");
            // The header row is the template's.
            let first_row = |x: &str| {
                let a = x.find("<w:tr ").unwrap();
                x[a..a + x[a..].find("</w:tr>").unwrap()].to_string()
            };
            assert_eq!(first_row(&old), first_row(&new));
        } else if text(bytes).contains(">SYSTEM NAME<") {
            let new = text(new);
            assert!(
                new.contains(">Example Enclave<") && !new.contains("SYSTEM NAME"),
                "{name}"
            );
        } else {
            assert_eq!(bytes, new, "{name} changed");
        }
    }
    // The items read back as the drawn plan's.
    let drawn = dir.path().join("drawn.docx");
    poam()
        .arg("convert")
        .arg(&input)
        .args(["--to", "nist171-docx", "-o"])
        .arg(&drawn)
        .assert()
        .success();
    let (a, b) = (items_without_origin(&drawn), items_without_origin(&out));
    assert_eq!(a["items"], b["items"]);
    assert_eq!(a["items"].as_array().unwrap().len(), 3);
}

/// A sheet's column widths (by 1-based column) and row heights (by row),
/// from its XML.
fn widths_and_heights(
    path: &Path,
    sheet: &str,
) -> (
    std::collections::BTreeMap<u32, f64>,
    std::collections::BTreeMap<u32, f64>,
) {
    let all = zip_parts(path);
    let text = |n: &str| String::from_utf8_lossy(&all[n]).into_owned();
    let part = sheet_part(
        &text("xl/workbook.xml"),
        &text("xl/_rels/workbook.xml.rels"),
        sheet,
    )
    .unwrap();
    let xml = text(&part);
    let attr = |tag: &str, k: &str| -> Option<String> {
        Some(
            tag.split(&format!(" {k}=\""))
                .nth(1)?
                .split('"')
                .next()?
                .to_string(),
        )
    };
    let mut widths = std::collections::BTreeMap::new();
    for col in xml.split("<col ").skip(1) {
        let tag = format!(" {}", &col[..col.find('>').unwrap()]);
        let tag = tag.as_str();
        let (Some(min), Some(max), Some(w)) =
            (attr(tag, "min"), attr(tag, "max"), attr(tag, "width"))
        else {
            continue;
        };
        for c in min.parse::<u32>().unwrap()..=max.parse::<u32>().unwrap() {
            widths.insert(c, w.parse::<f64>().unwrap());
        }
    }
    let mut heights = std::collections::BTreeMap::new();
    for row in xml.split("<row ").skip(1) {
        let tag = format!(" {}", &row[..row.find('>').unwrap()]);
        if let (Some(r), Some(h)) = (attr(&tag, "r"), attr(&tag, "ht")) {
            heights.insert(r.parse::<u32>().unwrap(), h.parse::<f64>().unwrap());
        }
    }
    (widths, heights)
}

/// The drawn eMASS workbooks take the official files' look, read from the
/// official files: every header column's width, the heights of the rows
/// above the data, and the banner's white bold 14-point Calibri on green.
#[test]
fn drawn_emass_workbooks_have_the_official_widths_heights_and_banner() {
    let Some(real) = real_files() else { return };
    let dir = tempfile::tempdir().unwrap();
    for (official, version, input) in [
        (
            "emass/eMASS-POAM-Template-RMF-classic.xlsm",
            "rmf-classic",
            "fixtures/emass/emass-rmf-classic.xlsm",
        ),
        (
            "emass/eMASS-POAM-Template-Navy-2024.xlsx",
            "navy-2024",
            "fixtures/emass/emass-navy-2024.xlsx",
        ),
        (
            "emass/eMASS-POAM-Template-Navy-2026.xlsx",
            "navy-2026",
            "fixtures/emass/emass-navy-2026.xlsx",
        ),
    ] {
        let official = real.join(official);
        let out = dir.path().join(format!("{version}.xlsx"));
        poam()
            .arg("convert")
            .arg(root().join(input))
            .args(["--to", "emass", "--template-version", version, "-o"])
            .arg(&out)
            .assert()
            .success();
        let layout = poam_layout::builtin().find("emass", Some(version)).unwrap();
        let def = &layout.sheets[0];
        let (ow, oh) = widths_and_heights(&official, "POA&M");
        let (dw, dh) = widths_and_heights(&out, "POA&M");
        let c0 = poam_layout::column_index(&def.first_column).unwrap() as u32 + 1;
        for i in 0..def.headers.len() as u32 {
            let c = c0 + i;
            let (o, d) = (
                ow.get(&c).copied().unwrap_or(0.0),
                dw.get(&c).copied().unwrap_or(0.0),
            );
            assert!(
                (o - d).abs() < 0.2,
                "{version} column {c} ({}): official {o}, drawn {d}",
                def.headers[i as usize]
            );
        }
        // Heights within a pixel (rust_xlsxwriter stores whole pixels).
        for r in 1..=def.header_row {
            let (o, d) = (
                oh.get(&r).copied().unwrap_or(15.0),
                dh.get(&r).copied().unwrap_or(15.0),
            );
            assert!(
                (o - d).abs() <= 0.75,
                "{version} row {r} height: official {o}, drawn {d}"
            );
        }
        let styles = String::from_utf8_lossy(&zip_parts(&out)["xl/styles.xml"]).into_owned();
        let fonts = fonts_of(&out);
        assert!(
            fonts.split("<font>").any(|f| f.contains("<b/>")
                && f.contains("val=\"14\"")
                && f.contains("FFFFFFFF")
                && f.contains("Calibri")),
            "{version}: no white bold 14-point Calibri banner font: {fonts}"
        );
        assert!(
            styles.contains("FF007A3D"),
            "{version}: no green banner fill"
        );
    }
}

/// DISA's CCI list as its XML says: id → (deprecated, rev 4 controls, rev 5
/// controls), each control `AC-2` or `AC-2(3)` (statement parts left off).
fn xml_attr(e: &quick_xml::events::BytesStart, name: &str) -> String {
    e.attributes()
        .flatten()
        .find(|a| a.key.as_ref() == name)
        .map(|a| a.value.to_string())
        .unwrap_or_default()
}

fn disa_ccis(path: &Path) -> std::collections::BTreeMap<String, (bool, Vec<String>, Vec<String>)> {
    use quick_xml::events::Event;
    let text = std::fs::read_to_string(path).unwrap();
    let mut reader = quick_xml::Reader::from_str(&text);
    let mut out = std::collections::BTreeMap::new();
    let mut current: Option<(String, bool, Vec<String>, Vec<String>)> = None;
    let mut in_status = false;
    let control = |index: &str| -> Option<String> {
        let (family, rest) = index.trim().split_once('-')?;
        let number: String = rest.chars().take_while(char::is_ascii_digit).collect();
        let rest = rest[number.len()..].trim_start();
        let enhancement: Option<u32> = rest
            .strip_prefix('(')
            .and_then(|r| r.split_once(')'))
            .and_then(|(e, _)| e.trim().parse().ok());
        let base = format!("{family}-{}", number.parse::<u32>().ok()?);
        Some(match enhancement {
            Some(e) => format!("{base}({e})"),
            None => base,
        })
    };
    loop {
        match reader.read_event().unwrap() {
            Event::Start(e) if e.name().as_ref() == "cci_item" => {
                let id = xml_attr(&e, "id");
                current = Some((id, false, Vec::new(), Vec::new()));
            }
            Event::Start(e) if e.name().as_ref() == "status" => in_status = true,
            Event::Text(t) if in_status => {
                if let Some(c) = current.as_mut() {
                    c.1 = t.xml10_content().trim() == "deprecated";
                }
            }
            Event::End(e) if e.name().as_ref() == "status" => in_status = false,
            Event::Empty(e) | Event::Start(e) if e.name().as_ref() == "reference" => {
                let attr = |n: &str| xml_attr(&e, n);
                let Some(c) = current.as_mut() else { continue };
                if !attr("title").starts_with("NIST SP 800-53 Revision") {
                    continue;
                }
                let Some(id) = control(&attr("index")) else {
                    continue;
                };
                let list = match attr("version").as_str() {
                    "4" => &mut c.2,
                    "5" => &mut c.3,
                    _ => continue,
                };
                if !list.contains(&id) {
                    list.push(id);
                }
            }
            Event::End(e) if e.name().as_ref() == "cci_item" => {
                if let Some((id, dep, r4, r5)) = current.take() {
                    out.insert(id, (dep, r4, r5));
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    out
}

#[test]
fn cci_catalog_is_disas_list_and_checklist_ccis_read_as_their_controls() {
    let Some(_) = real_files() else { return };
    let scans = root().join("../shared/reference/scans");
    let cat = poam_layout::catalog::catalogs();
    // Every CCI of DISA's current list, with its status and both mappings.
    let current = disa_ccis(&scans.join("cci/U_CCI_List_2025-01-23.xml"));
    assert_eq!(current.len(), 5137);
    assert_eq!(cat.cci_count(), current.len());
    for (id, (deprecated, rev4, rev5)) in &current {
        let ours = cat.cci(id).unwrap_or_else(|| panic!("{id} missing"));
        assert_eq!(ours.deprecated, *deprecated, "{id} deprecated");
        assert_eq!(&ours.rev4, rev4, "{id} rev 4");
        assert_eq!(&ours.rev5, rev5, "{id} rev 5");
    }
    // Files made against the 2016 list cite its CCIs: DISA deprecates,
    // never removes, so each one is known.
    let old = disa_ccis(&scans.join("cci/U_CCI_List_2016-06-27.xml"));
    assert!(old.len() > 3000);
    for id in old.keys() {
        assert!(cat.cci(id).is_some(), "{id} of the 2016 list unknown");
    }

    // Real STIG checklists' findings, as an ISSO's tracker holds them: the
    // rule in Security Checks, the CCIs in Comments (one sheet) or a CCI
    // column (another), no control. Each item's controls are the ones DISA
    // maps its CCIs to.
    let mut vulns: Vec<(String, String, Vec<String>)> = Vec::new();
    for ckl in [
        "stig/ckl_heimdall_rhel8_oneOfEachStatus.ckl",
        "stig/ckl_evaluate_stig_COMBINED_trimmed.ckl",
    ] {
        use quick_xml::events::Event;
        let text = std::fs::read_to_string(scans.join(ckl)).unwrap();
        let mut reader = quick_xml::Reader::from_str(&text);
        let (mut tag, mut attribute) = (String::new(), String::new());
        let mut rule = String::new();
        let mut title = String::new();
        let mut refs = Vec::new();
        loop {
            match reader.read_event().unwrap() {
                Event::Start(e) => tag = e.name().as_ref().to_string(),
                Event::Text(t) => {
                    let value = t.xml10_content().trim().to_string();
                    match tag.as_str() {
                        "VULN_ATTRIBUTE" => attribute = value,
                        "ATTRIBUTE_DATA" => match attribute.as_str() {
                            "Rule_ID" => rule = value,
                            "Rule_Title" => title = value,
                            "CCI_REF" => refs.push(value),
                            _ => {}
                        },
                        _ => {}
                    }
                }
                Event::End(e) if e.name().as_ref() == "VULN" => {
                    vulns.push((
                        std::mem::take(&mut rule),
                        std::mem::take(&mut title),
                        std::mem::take(&mut refs),
                    ));
                }
                Event::End(_) => tag.clear(),
                Event::Eof => break,
                _ => {}
            }
        }
    }
    assert!(vulns.len() > 20, "{} findings", vulns.len());
    let tmp = tempfile::tempdir().unwrap();
    let tracker = tmp.path().join("stig-tracker.xlsx");
    let mut book = rust_xlsxwriter::Workbook::new();
    let headers = [
        "POA&M ID",
        "Weakness Name",
        "Security Checks",
        "Comments",
        "CCI",
        "Status",
        "Scheduled Completion Date",
    ];
    let sheet = book.add_worksheet();
    for (c, h) in headers.iter().enumerate() {
        sheet.write(0, c as u16, *h).unwrap();
    }
    for (n, (rule, title, refs)) in vulns.iter().enumerate() {
        let r = n as u32 + 1;
        sheet.write(r, 0, format!("STIG-{r}")).unwrap();
        sheet.write(r, 1, title.as_str()).unwrap();
        sheet.write(r, 2, rule.as_str()).unwrap();
        if n % 2 == 0 {
            sheet
                .write(
                    r,
                    3,
                    format!("Open in the checklist. CCI_REF: {}", refs.join(", ")),
                )
                .unwrap();
        } else {
            sheet.write(r, 4, refs.join("\n")).unwrap();
        }
        sheet.write(r, 5, "Ongoing").unwrap();
        sheet.write(r, 6, "2027-03-31").unwrap();
    }
    book.save(&tracker).unwrap();
    let out = tmp.path().join("items.csv");
    poam()
        .arg("convert")
        .arg(&tracker)
        .args(["--to", "csv", "-o"])
        .arg(&out)
        .assert()
        .success();
    let mut reader = csv::Reader::from_path(&out).unwrap();
    let headers = reader.headers().unwrap().clone();
    let col = |name: &str| headers.iter().position(|h| h == name).unwrap();
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), vulns.len());
    for (row, (rule, _, refs)) in rows.iter().zip(&vulns) {
        let ccis: Vec<&str> = row[col("ccis")].lines().collect();
        assert_eq!(ccis, *refs, "{rule}");
        let mut want: Vec<String> = Vec::new();
        for id in refs {
            let (_, rev4, rev5) = &current[id];
            for c in if rev5.is_empty() { rev4 } else { rev5 } {
                if !want.contains(c) {
                    want.push(c.clone());
                }
            }
        }
        let got: Vec<&str> = row[col("controls")].lines().collect();
        assert_eq!(got, want, "{rule}: controls from {refs:?}");
        assert_eq!(&row[col("source_identifier")], rule);
    }
    // validate agrees: a checklist's CCIs are DISA's, and map to the item's
    // controls (no unknown-cci, no cci-mismatch).
    let out = poam()
        .args(["validate", "--format", "json"])
        .arg(&tracker)
        .output()
        .unwrap();
    let findings: Value = serde_json::from_slice(&out.stdout).unwrap();
    let rules: Vec<&str> = findings["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|f| f["rule"].as_str())
        .collect();
    assert!(
        !rules
            .iter()
            .any(|r| *r == "unknown-cci" || *r == "cci-mismatch"),
        "{rules:?}"
    );
}

/// eMASS's drop-downs as the official files apply them (lists resolved from
/// their lists sheet): the workbook poam draws has the same list on the same
/// column, and none the official file does not have; and a workbook filled
/// into each official template (`--into`, the early C-PAT template among
/// them, whose Raw Severity list is I, II, III where Navy's is Very Low …
/// Very High) holds no value outside the template's own lists.
#[test]
fn emass_drop_downs_are_the_official_ones_and_hold_every_value() {
    let Some(dir) = real_files() else { return };
    let tmp = tempfile::tempdir().unwrap();
    for (version, file) in [
        ("navy-2024", "emass/eMASS-POAM-Template-Navy-2024.xlsx"),
        ("rmf-classic", "emass/eMASS-POAM-Template-RMF-classic.xlsm"),
    ] {
        let ours = tmp.path().join(format!("{version}.xlsx"));
        poam()
            .args([
                "convert",
                "fixtures/emass/emass-navy-2024.xlsx",
                "--to",
                "emass",
            ])
            .args(["--template-version", version, "-o"])
            .arg(&ours)
            .assert()
            .success();
        let theirs = lists::header_lists(&dir.join(file), "POA&M", 7);
        let mine = lists::header_lists(&ours, "POA&M", 7);
        assert!(theirs.len() >= 3, "{version}: {theirs:?}");
        assert_eq!(mine, theirs, "{version}: drop-downs by header");
    }
    // Filled into each official template, from every eMASS fixture and from
    // values no eMASS list has.
    let odd = tmp.path().join("odd.csv");
    std::fs::write(&odd, lists::ODD_EMASS_CSV).unwrap();
    let mut inputs: Vec<PathBuf> = std::fs::read_dir(root().join("fixtures/emass"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    inputs.sort();
    inputs.push(odd);
    for template in [
        "emass/eMASS-POAM-Template-Navy-2024.xlsx",
        "emass/eMASS-POAM-Template-RMF-classic.xlsm",
        "emass/eMASS-POAM-Template-Navy-2026.xlsx",
        "trackers/cpat_eMASS_Template_2024-06-04.xlsx",
    ] {
        for input in &inputs {
            let name = input.file_stem().unwrap().to_string_lossy();
            let ext = if template.ends_with(".xlsm") {
                "xlsm"
            } else {
                "xlsx"
            };
            let out = tmp.path().join(format!("into-{name}.{ext}"));
            let run = poam()
                .arg("convert")
                .arg(input)
                .arg("--into")
                .arg(dir.join(template))
                .arg("-o")
                .arg(&out)
                .output()
                .unwrap();
            assert!(
                run.status.success(),
                "{template} from {name}: {}",
                String::from_utf8_lossy(&run.stderr)
            );
            let (outside, _) = lists::outside_lists(&out);
            assert!(
                outside.is_empty(),
                "{template} from {name}: {:#?}",
                &outside[..outside.len().min(4)]
            );
            std::fs::remove_file(&out).unwrap();
        }
    }
}

/// Every file under `dir`, recursively, in order.
fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

/// The OSCAL poam writes from every fixture and every real file in ../shared
/// that holds a POA&M passes NIST's OSCAL 1.1.2 POA&M JSON schema, checked
/// by the validator beside it (`validate-oscal-poam`: formats and Unicode
/// patterns as OSCAL's consumers check them). Multi-line cells (points of
/// contact, sources, milestone changes) are the usual failure.
#[test]
fn oscal_from_every_fixture_and_real_file_passes_nists_schema() {
    let Some(dir) = real_files() else { return };
    let validator = root().join("../shared/reference/oscal-validation/validate-oscal-poam");
    let ready = std::process::Command::new("python3")
        .args(["-c", "import jsonschema, regex, rfc3339_validator, rfc3987"])
        .status()
        .is_ok_and(|s| s.success());
    if !ready {
        require::missing(
            "validate-oscal-poam's Python packages are not installed; .ci/run installs them",
        );
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let ssp = dir.join("oscal/nist-example-ifa-ssp.json");
    let mut written = Vec::new();
    let mut inputs = files_under(&root().join("fixtures"));
    inputs.extend(files_under(&dir));
    for (n, input) in inputs.iter().enumerate() {
        let ext = input.extension().and_then(|e| e.to_str()).unwrap_or("");
        if !["xlsx", "xlsm", "xls", "csv", "json", "yaml", "xml", "docx"].contains(&ext) {
            continue;
        }
        let out = tmp.path().join(format!("{n}.oscal.json"));
        // As a FedRAMP package goes out: with its SSP and its marking.
        let run = poam()
            .arg("convert")
            .arg(input)
            .args(["--to", "oscal", "--marking", "CUI", "--ssp"])
            .arg(&ssp)
            .arg("-o")
            .arg(&out)
            .output()
            .unwrap();
        if run.status.success() {
            written.push((input.clone(), out));
        } else {
            // What does not convert says why, and leaves nothing behind.
            assert!(!out.exists(), "{}", input.display());
        }
    }
    assert!(written.len() >= 25, "{} OSCAL files written", written.len());
    let run = std::process::Command::new("python3")
        .arg(&validator)
        .args(written.iter().map(|(_, o)| o))
        .output()
        .unwrap();
    let report = String::from_utf8_lossy(&run.stdout);
    let mut failures = Vec::new();
    for (input, out) in &written {
        let line = report
            .lines()
            .find(|l| l.starts_with(&format!("{}:", out.display())))
            .unwrap_or("no verdict");
        if !line.ends_with(": valid") {
            failures.push(format!("{}: {line}", input.display()));
        }
    }
    assert!(
        failures.is_empty() && run.status.success(),
        "{failures:#?}\n{}",
        &report[..report.len().min(4000)]
    );
    // FedRAMP's rules (poam validate --policy fedramp checks them on an
    // OSCAL input, findings located by JSON path): none fails, but those
    // FedRAMP's own rev 5 template fails too (FEDRAMP-POAM-RULES.md): the
    // data's own late deadlines and missing ratings, and what depends on
    // the SSP named (the IFA example SSP is beside the outputs' sources).
    let allowed = [
        "has-acceptable-system-security-plan-rlink-media-type",
        "has-risk-impact-characterization-facet",
        "has-timely-completion-date",
        "import-ssp-has-available-document",
        "import-ssp-resolves-to-ssp",
    ];
    let mut broken = Vec::new();
    let mut checked = std::collections::BTreeSet::new();
    // Nothing OSCAL requires is written empty (its XML form requires text in
    // a description, a title, remarks).
    fn empty_text(v: &Value, path: &str, out: &mut Vec<String>) {
        match v {
            Value::Object(m) => {
                for (k, v) in m {
                    let here = format!("{path}.{k}");
                    match v {
                        Value::String(t)
                            if matches!(
                                k.as_str(),
                                "description" | "title" | "remarks" | "statement"
                            ) && t.trim().is_empty() =>
                        {
                            out.push(here)
                        }
                        _ => empty_text(v, &here, out),
                    }
                }
            }
            Value::Array(a) => a
                .iter()
                .enumerate()
                .for_each(|(n, v)| empty_text(v, &format!("{path}[{n}]"), out)),
            _ => {}
        }
    }
    for (input, out) in &written {
        let doc: Value = serde_json::from_slice(&std::fs::read(out).unwrap()).unwrap();
        let mut empty = Vec::new();
        empty_text(&doc, "$", &mut empty);
        if !empty.is_empty() {
            broken.push(format!("{}: empty {}", input.display(), empty.join(", ")));
        }
    }
    for (input, out) in &written {
        let run = poam()
            .arg("validate")
            .arg(out)
            .args(["--policy", "fedramp", "--format", "json"])
            .output()
            .unwrap();
        let report: serde_json::Value = serde_json::from_slice(&run.stdout).unwrap_or_else(|_| {
            panic!(
                "{}: {}",
                input.display(),
                String::from_utf8_lossy(&run.stderr)
            )
        });
        for f in report["findings"].as_array().unwrap() {
            let at = f["location"].as_str().unwrap_or_default();
            if !at.starts_with('$') {
                continue;
            }
            let rule = f["rule"].as_str().unwrap().to_string();
            checked.insert(rule.clone());
            if !allowed.contains(&rule.as_str()) {
                broken.push(format!("{}: {rule}: {}", input.display(), f["message"]));
            }
        }
    }
    assert!(broken.is_empty(), "{broken:#?}");
    // The checker ran: the real files' data gives it late deadlines.
    assert!(
        checked.contains("has-timely-completion-date"),
        "{checked:?}"
    );
}

/// What of `input` is not in `output`, by JSON path: every key with the
/// same value, every array entry found among the output's entries (in any
/// order, as the writer may add entries of its own).
fn not_in(input: &Value, output: &Value, path: &str, out: &mut Vec<String>) {
    match (input, output) {
        (Value::Object(a), Value::Object(b)) => {
            for (k, v) in a {
                match b.get(k) {
                    Some(w) => not_in(v, w, &format!("{path}.{k}"), out),
                    None => out.push(format!("{path}.{k} is lost")),
                }
            }
        }
        (Value::Array(a), Value::Array(b)) => {
            for (n, v) in a.iter().enumerate() {
                let found = b.iter().any(|w| {
                    let mut lost = Vec::new();
                    not_in(v, w, "", &mut lost);
                    lost.is_empty()
                });
                if !found {
                    // Name what differs against the entry of the same UUID,
                    // else the one at the same place.
                    let twin = v
                        .get("uuid")
                        .and_then(|u| b.iter().find(|w| w.get("uuid") == Some(u)))
                        .or_else(|| b.get(n));
                    match twin {
                        Some(w) => not_in(v, w, &format!("{path}[{n}]"), out),
                        None => out.push(format!("{path}[{n}] is lost")),
                    }
                }
            }
        }
        (a, b) if a != b => out.push(format!("{path}: {a} became {b}")),
        _ => {}
    }
}

/// NIST's IFA example POA&M read and written back as OSCAL keeps all it
/// says: its UUIDs, date-times with their offsets, OSCAL 1.1, the system-id
/// type, risk statements and statuses (deviation-approved), likelihood and
/// impact facets, milestone dates, observations' titles, methods, remarks
/// and expiry, deadlines and mitigating factors. The one change is the
/// repair poam reports: a poam-item's link to a risk that is not in the
/// document goes to the risk of the item's observation.
#[test]
fn nists_ifa_poam_round_trips_through_oscal_keeping_everything() {
    let Some(dir) = real_files() else { return };
    let tmp = tempfile::tempdir().unwrap();
    let (said, a, b) = oscal_twice(&dir.join("oscal/nist-example-ifa-poam.json"), tmp.path());
    assert!(
        said.contains("related risk 401c15c9-ad6b-4d4a-a591-7d53a3abb3b6 is not in the document"),
        "{said}"
    );
    let mut lost = Vec::new();
    not_in(&a, &b, "$", &mut lost);
    assert_eq!(
        lost,
        [
            r#"$.plan-of-action-and-milestones.poam-items[0].related-risks[0].risk-uuid: "401c15c9-ad6b-4d4a-a591-7d53a3abb3b6" became "8b8bae66-b28c-4fa5-9a20-b79e7322fc00""#
        ],
    );
    // What the issue named, said plainly.
    let p = &b["plan-of-action-and-milestones"];
    let input = &a["plan-of-action-and-milestones"];
    assert_eq!(
        p["metadata"]["last-modified"],
        input["metadata"]["last-modified"]
    );
    assert!(p["metadata"]["last-modified"]
        .as_str()
        .unwrap()
        .ends_with("-04:00"));
    assert_eq!(p["metadata"]["oscal-version"], "1.1.2");
    assert_eq!(p["uuid"], input["uuid"]);
}

/// FedRAMP's rev 5 OSCAL POA&M template says far more than a POA&M's
/// fields (locations, roles, parties' details, remarks on every part,
/// relevant evidence): what the model has no field for is kept and written
/// back, and what still has no place is named in one warning, by path.
#[test]
fn fedramps_oscal_template_keeps_its_details_and_names_what_it_cannot() {
    let Some(dir) = real_files() else { return };
    let tmp = tempfile::tempdir().unwrap();
    let (said, a, b) = oscal_twice(
        &dir.join("oscal/FedRAMP-rev5-POAM-OSCAL-Template.json"),
        tmp.path(),
    );
    let line = said
        .lines()
        .find(|l| l.contains("have no place in poam's model"))
        .unwrap_or_else(|| panic!("{said}"));
    assert!(
        line.contains("risks[].characterizations[].facets[]"),
        "{line}"
    );
    let (a, b) = (
        &a["plan-of-action-and-milestones"],
        &b["plan-of-action-and-milestones"],
    );
    for path in [
        "/metadata/locations",
        "/metadata/roles",
        "/metadata/parties",
        "/metadata/responsible-parties",
        "/import-ssp/remarks",
        "/local-definitions/remarks",
        "/local-definitions/components",
        "/observations/0/relevant-evidence",
    ] {
        let (x, y) = (a.pointer(path), b.pointer(path));
        assert!(x.is_some(), "{path} is in the template");
        if let (Some(Value::Array(x)), Some(Value::Array(y))) = (x, y) {
            for e in x {
                assert!(y.contains(e), "{path}: {e} is lost");
            }
        } else {
            assert_eq!(x, y, "{path}");
        }
    }
    // Every response's remarks and required assets' subjects, by UUID.
    for (ra, rb) in a["risks"]
        .as_array()
        .unwrap()
        .iter()
        .zip(b["risks"].as_array().unwrap())
    {
        for x in ra["remediations"].as_array().unwrap() {
            let y = rb["remediations"]
                .as_array()
                .unwrap()
                .iter()
                .find(|y| y["uuid"] == x["uuid"])
                .unwrap_or_else(|| panic!("response {} is lost", x["uuid"]));
            assert_eq!(x["remarks"], y["remarks"]);
            if let Some(assets) = x["required-assets"].as_array() {
                for (n, asset) in assets.iter().enumerate() {
                    assert_eq!(asset["subjects"], y["required-assets"][n]["subjects"]);
                }
            }
        }
    }
    // The FedRAMP resolution resource prop stays.
    assert!(b["metadata"]["props"]
        .as_array()
        .unwrap()
        .iter()
        .any(|p| p["name"] == "resolution-resource"));
}

/// Converts an OSCAL POA&M to OSCAL in `dir` and checks that the output,
/// converted again, gives the same file; what convert said, the input and
/// the output.
fn oscal_twice(input: &Path, dir: &Path) -> (String, Value, Value) {
    let out = dir.join("once.json");
    let run = poam()
        .arg("convert")
        .arg(input)
        .args(["--to", "oscal", "-o"])
        .arg(&out)
        .assert()
        .success();
    let said = String::from_utf8_lossy(&run.get_output().stderr).to_string();
    let again = dir.join("twice.json");
    poam()
        .arg("convert")
        .arg(&out)
        .args(["--to", "oscal", "-o"])
        .arg(&again)
        .assert()
        .success();
    assert_eq!(
        std::fs::read(&again).unwrap(),
        std::fs::read(&out).unwrap(),
        "{}",
        input.display()
    );
    let read = |p: &Path| serde_json::from_slice::<Value>(&std::fs::read(p).unwrap()).unwrap();
    (said, read(input), read(&out))
}

/// Every Nessus sample in ../shared/reference/scans/nessus read as a person
/// counts it (counts taken with an XML tool, independently of poam): the
/// hosts covered, the results by outcome, the open findings by severity,
/// their distinct ids and CVEs. The v1 format is refused with a way out.
#[test]
fn nessus_samples_read_as_a_person_counts_them() {
    let Some(dir) = real_files() else { return };
    let scans = dir.join("../scans/nessus");
    // file: assets, results, open, passed, not reviewed, informational,
    // distinct open ids, open CVEs, open by severity (critical, high, medium, low).
    let expected: [(&str, [usize; 8], [usize; 4]); 5] = [
        (
            "nessus_v2_compliance_CIS_Ubuntu1804_L2_3hosts.nessus",
            [3, 420, 333, 42, 6, 39, 111, 0],
            [0, 333, 0, 0],
        ),
        (
            "nessus_v2_defectdojo_with_cvssv3.nessus",
            [1, 49, 26, 0, 0, 23, 25, 135],
            [2, 10, 13, 1],
        ),
        (
            "nessus_v2_libnessus_localpci_1host.nessus",
            [1, 167, 73, 0, 0, 94, 73, 155],
            [3, 21, 44, 5],
        ),
        (
            // Nessus 4 wrote its notes as severity 1 with the risk factor None.
            "nessus_v2_rubynessus_example_2hosts.nessus",
            [2, 69, 17, 0, 0, 52, 8, 2],
            [0, 0, 3, 14],
        ),
        (
            "tenable_was_defectdojo_many_vuln.xml",
            [1, 5, 4, 0, 0, 1, 4, 0],
            [0, 1, 0, 3],
        ),
    ];
    let inspect = |file: &str| inspect_scan(&scans.join(file));
    for (file, counts, severities) in expected {
        let v = inspect(file);
        let n = count;
        let got = [
            v["scan"]["assets"].as_array().unwrap().len(),
            n(&v["results"]),
            n(&v["by_outcome"]["open"]),
            n(&v["by_outcome"]["passed"]),
            n(&v["by_outcome"]["not reviewed"]),
            n(&v["by_outcome"]["informational"]),
            n(&v["open"]["distinct_ids"]),
            n(&v["open"]["cves"]),
        ];
        assert_eq!(got, counts, "{file}");
        let sev = &v["open"]["by_severity"];
        let got = [
            n(&sev["Critical"]),
            n(&sev["High"]),
            n(&sev["Medium"]),
            n(&sev["Low"]),
        ];
        assert_eq!(got, severities, "{file}");
        assert!(
            v["notes"].as_array().unwrap().is_empty(),
            "{file}: {}",
            v["notes"]
        );
    }
    // Hosts as their tags name them, and the day each was scanned.
    let v = inspect("nessus_v2_compliance_CIS_Ubuntu1804_L2_3hosts.nessus");
    let host = &v["scan"]["assets"][0];
    assert_eq!(host["name"], "ip-10-10-23-102");
    assert_eq!(host["ip"], "10.10.23.102");
    assert_eq!(host["scanned_on"], "2021-03-24");
    assert_eq!(v["scan"]["scanned_on"], "2021-03-24");
    // The old format: refused, saying what to do.
    poam()
        .arg("inspect")
        .arg(scans.join("nessus_v1_legacy_rubynessus_example.nessus"))
        .assert()
        .code(2)
        .stderr(predicates::str::contains(
            "export the scan again as .nessus (v2)",
        ));
}

/// CISA's KEV catalog as CISA publishes it (the snapshots in
/// ../shared/reference/scans/kev, JSON and CSV): `poam update --kev` marks
/// an item whose CVE is listed, with CISA's due date, and a new item is due
/// no later than that date (BOD 22-01). Both forms say the same.
#[test]
fn kev_catalog_marks_listed_cves_with_their_due_date() {
    let Some(dir) = real_files() else { return };
    let kev = dir.join("../scans/kev");
    // The scanned snapshot counts 1,404 entries, as its own "count" says.
    for file in ["cisa_kev_2025.08.25.json", "cisa_kev_2025.08.25.csv"] {
        let catalog = poam_scan::read_kev(&kev.join(file)).unwrap();
        assert_eq!(catalog.entries.len(), 1404, "{file}");
        let log4j = catalog.get("cve-2021-44228").unwrap();
        assert_eq!(log4j.due.unwrap().to_string(), "2021-12-24", "{file}");
    }
    let tmp = tempfile::tempdir().unwrap();
    let last = tmp.path().join("empty.json");
    std::fs::write(&last, r#"{"system": {"name": "Example"}, "items": []}"#).unwrap();
    let scan = tmp.path().join("s.nessus");
    let found = [
        poam_fixtures::scans::Result {
            host: 0,
            plugin: "156032",
            name: "Apache Log4j RCE (Log4Shell)",
            severity: 4,
            cvss3: Some(10.0),
            cves: &["CVE-2021-44228"],
        },
        poam_fixtures::scans::Result {
            host: 0,
            plugin: "10001",
            name: "Not in the catalog",
            severity: 2,
            cvss3: Some(5.0),
            cves: &["CVE-1999-0001"],
        },
    ];
    let hosts = [poam_fixtures::scans::Host {
        name: "app-01",
        ip: "10.1.0.1",
    }];
    let day = chrono::NaiveDate::from_ymd_opt(2021, 12, 20).unwrap();
    std::fs::write(
        &scan,
        poam_fixtures::scans::nessus("December", day, &hosts, &found),
    )
    .unwrap();
    for file in ["cisa_kev_2025.08.25.json", "cisa_kev_2025.08.25.csv"] {
        let out = tmp.path().join("out.json");
        let run = poam()
            .arg("update")
            .arg(&last)
            .arg("--scan")
            .arg(&scan)
            .arg("--kev")
            .arg(kev.join(file))
            .args([
                "--to",
                "json",
                "--as-of",
                "2021-12-21",
                "--format",
                "json",
                "-o",
            ])
            .arg(&out)
            .assert()
            .success();
        let summary: Value = serde_json::from_slice(&run.get_output().stdout).unwrap();
        assert_eq!(summary["kev_marked"].as_array().unwrap().len(), 1, "{file}");
        let m: Value = serde_json::from_slice(&std::fs::read(&out).unwrap()).unwrap();
        let log4shell = m["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|i| i["source_identifier"] == "156032")
            .unwrap();
        assert_eq!(log4shell["kev"]["listed"], "yes");
        assert_eq!(log4shell["kev"]["due"], "2021-12-24");
        // High: 30 days from 2021-12-20, but CISA's date comes first.
        assert_eq!(log4shell["scheduled_completion"], "2021-12-24");
        let other = m["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|i| i["source_identifier"] == "10001")
            .unwrap();
        assert!(other["kev"]["listed"].is_null());
        assert_eq!(
            other["scheduled_completion"], "2022-03-20",
            "Moderate: 90 days"
        );
    }
}

/// Every STIG checklist sample in ../shared/reference/scans/stig (STIG
/// Viewer 2 .ckl, STIG Viewer 3 .cklb, from STIG Manager, Evaluate-STIG,
/// Heimdall and STIG Viewer) read as a person counts it: the asset, the
/// rules by status, the open ones by severity and distinct vulnerability
/// id. Not-reviewed rules are reported; the malformed checklist is refused
/// with its line.
#[test]
fn stig_checklists_read_as_a_person_counts_them() {
    let Some(dir) = real_files() else { return };
    let stig = dir.join("../scans/stig");
    // file, asset, [rules, open, passed, not applicable, not reviewed,
    // distinct open ids], open [high, medium, low].
    let expected: [(&str, &str, [usize; 6], [usize; 3]); 14] = [
        (
            "ckl_evaluate_stig_COMBINED_trimmed.ckl",
            "CA1294WK16078",
            [59, 0, 57, 0, 2, 0],
            [0, 0, 0],
        ),
        (
            "ckl_heimdall_converted_from_nessus.ckl",
            "ckl_heimdall_converted_from_nessus",
            [51, 3, 0, 48, 0, 3],
            [1, 2, 0],
        ),
        (
            "ckl_heimdall_rhel8_oneOfEachStatus.ckl",
            "ckl_heimdall_rhel8_oneOfEachStatus",
            [4, 1, 1, 1, 1, 1],
            [0, 1, 0],
        ),
        (
            "ckl_stigmanager_Asset_a_VPN_V2R5.ckl",
            "Asset_aaaaaaaaaa",
            [10, 2, 3, 1, 4, 2],
            [0, 2, 0],
        ),
        (
            "ckl_stigmanager_Asset_b_multi_stig.ckl",
            "Asset_bbbbbbbbb",
            [30, 6, 3, 3, 18, 6],
            [1, 5, 0],
        ),
        (
            "ckl_stigmanager_GoodStatistics.ckl",
            "Asset_aaaaaaaaaa",
            [8, 2, 2, 2, 2, 2],
            [0, 1, 1],
        ),
        // HOST_NAME '=' and three addresses, one a line: the first address.
        (
            "ckl_stigviewer2.17_CiscoASA_multiple_ip.ckl",
            "10.1.11.12",
            [3, 0, 0, 0, 3, 0],
            [0, 0, 0],
        ),
        (
            "ckl_stigviewer3.7.0_ASD_V6R4_blank.ckl",
            "ckl_stigviewer3.7.0_ASD_V6R4_blank",
            [286, 0, 0, 0, 286, 0],
            [0, 0, 0],
        ),
        (
            "cklb_evaluate_stig_COMBINED.cklb",
            "CA1294WK16078",
            [2, 0, 2, 0, 0, 0],
            [0, 0, 0],
        ),
        (
            "cklb_heimdall_rhel8_oneOfEachStatus.cklb",
            "cklb_heimdall_rhel8_oneOfEachStatus",
            [4, 1, 1, 1, 1, 1],
            [0, 1, 0],
        ),
        (
            "cklb_stigmanager_Asset_a_VPN_V2R5.cklb",
            "Asset_aaaaaaaaaa",
            [10, 2, 3, 1, 4, 2],
            [0, 2, 0],
        ),
        (
            "cklb_stigmanager_Asset_b_multi_stig.cklb",
            "Asset_bbbbbbbbb",
            [30, 6, 3, 3, 18, 6],
            [1, 5, 0],
        ),
        (
            "cklb_stigmanager_all_possible_results.cklb",
            "Asset",
            [4, 1, 1, 1, 1, 1],
            [0, 1, 0],
        ),
        (
            "cklb_stigviewer3.7.0_ASD_V6R4_blank.cklb",
            "cklb_stigviewer3.7.0_ASD_V6R4_blank",
            [286, 0, 0, 0, 286, 0],
            [0, 0, 0],
        ),
    ];
    for (file, asset, counts, severities) in expected {
        let v = inspect_scan(&stig.join(file));
        let n = count;
        assert_eq!(v["scan"]["assets"][0]["name"], asset, "{file}");
        let got = [
            n(&v["results"]),
            n(&v["by_outcome"]["open"]),
            n(&v["by_outcome"]["passed"]),
            n(&v["by_outcome"]["not applicable"]),
            n(&v["by_outcome"]["not reviewed"]),
            n(&v["open"]["distinct_ids"]),
        ];
        assert_eq!(got, counts, "{file}");
        let sev = &v["open"]["by_severity"];
        assert_eq!(
            [n(&sev["High"]), n(&sev["Medium"]), n(&sev["Low"])],
            severities,
            "{file}"
        );
        // Rules not reviewed are said, with how many.
        let notes = v["notes"].to_string();
        assert_eq!(
            counts[4] > 0,
            notes.contains("not reviewed"),
            "{file}: {notes}"
        );
    }
    poam()
        .arg("inspect")
        .arg(stig.join("ckl_stigmanager_all_possible_results_MALFORMED.ckl"))
        .assert()
        .code(2)
        .stderr(predicates::str::contains(
            "line 255: the checklist is not well-formed XML",
        ));
    // A month's update from a checklist: an item per open rule, named by
    // its vulnerability id, its CCIs kept and their controls from DISA's
    // CCI list.
    let tmp = tempfile::tempdir().unwrap();
    let last = tmp.path().join("empty.json");
    std::fs::write(&last, r#"{"system": {"name": "Example"}, "items": []}"#).unwrap();
    let out = tmp.path().join("out.json");
    poam()
        .arg("update")
        .arg(&last)
        .arg("--scan")
        .arg(stig.join("ckl_stigmanager_Asset_b_multi_stig.ckl"))
        .args(["--to", "json", "--as-of", "2026-12-01", "-o"])
        .arg(&out)
        .assert()
        .success();
    let m: Value = serde_json::from_slice(&std::fs::read(&out).unwrap()).unwrap();
    let items = m["items"].as_array().unwrap();
    assert_eq!(items.len(), 6);
    for i in items {
        assert!(
            i["source_identifier"].as_str().unwrap().starts_with("V-"),
            "{i}"
        );
        assert_eq!(i["assets"], serde_json::json!(["Asset_bbbbbbbbb"]));
        assert!(!i["ccis"].as_array().unwrap().is_empty(), "{i}");
        assert!(!i["controls"].as_array().unwrap().is_empty(), "{i}");
    }
}

/// Every Trivy and Grype sample in ../shared/reference/scans/container read
/// as a person counts it: the assets (image, directory, Kubernetes
/// resource), the open findings (vulnerabilities of packages, failed
/// misconfigurations, secrets; Trivy's not_affected is not open), their
/// distinct ids and CVEs, by severity (an unknown severity is Medium, and
/// said).
#[test]
fn container_scans_read_as_a_person_counts_them() {
    let Some(dir) = real_files() else { return };
    let scans = dir.join("../scans/container");
    // file, first asset, [assets, results, open, distinct open ids, CVEs,
    // unknown severities], open [critical, high, medium, low].
    let expected: [(&str, &str, [usize; 6], [usize; 4]); 9] = [
        (
            "grype_amazon_image_heimdall2.json",
            "cloudwatch_to_s3:latest",
            [1, 16, 16, 16, 17, 3],
            [0, 6, 9, 1],
        ),
        (
            "grype_busybox_epss.json",
            "busybox:1.32.1",
            [1, 15, 15, 15, 15, 0],
            [1, 10, 2, 2],
        ),
        (
            "grype_directory_scan.json",
            ".",
            [1, 9, 9, 9, 9, 0],
            [2, 2, 5, 0],
        ),
        (
            "grype_golang1.12_alpine_heimdall2.json",
            "golang:1.12-alpine",
            [1, 89, 89, 47, 47, 2],
            [13, 44, 30, 2],
        ),
        (
            "trivy_k8s_cluster.json",
            "default/Deployment/redis-follower",
            [4, 20, 20, 10, 5, 0],
            [0, 0, 6, 14],
        ),
        (
            "trivy_legacy_list_many_vulns.json",
            "debian (debian 10.8)",
            [1, 93, 93, 60, 55, 1],
            [0, 18, 10, 65],
        ),
        (
            "trivy_misconfig_and_secrets.json",
            ".",
            [1, 5, 5, 4, 2, 0],
            [2, 2, 1, 0],
        ),
        (
            "trivy_schema2_all_statuses.json",
            "artifact",
            [1, 8, 7, 7, 6, 0],
            [0, 0, 0, 7],
        ),
        (
            "trivy_schema2_cvssv4_filesystem.json",
            "lib/catalina.jar",
            [1, 3, 3, 3, 3, 0],
            [0, 0, 1, 2],
        ),
    ];
    for (file, asset, counts, severities) in expected {
        let v = inspect_scan(&scans.join(file));
        let n = count;
        assert_eq!(v["scan"]["assets"][0]["name"], asset, "{file}");
        let unknown = v["notes"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|note| note["message"].as_str())
            .find_map(|m| {
                m.strip_suffix(" finding(s) of unknown severity, read as Medium: rate them")
            })
            .map_or(0, |k| k.parse().unwrap());
        let got = [
            v["scan"]["assets"].as_array().unwrap().len(),
            n(&v["results"]),
            n(&v["by_outcome"]["open"]),
            n(&v["open"]["distinct_ids"]),
            n(&v["open"]["cves"]),
            unknown,
        ];
        assert_eq!(got, counts, "{file}");
        let sev = &v["open"]["by_severity"];
        let got = [
            n(&sev["Critical"]),
            n(&sev["High"]),
            n(&sev["Medium"]),
            n(&sev["Low"]),
        ];
        assert_eq!(got, severities, "{file}");
    }
}

/// `poam inspect SCAN --format json`.
fn inspect_scan(path: &Path) -> Value {
    let run = poam()
        .arg("inspect")
        .arg(path)
        .args(["--format", "json"])
        .assert()
        .success();
    serde_json::from_slice(&run.get_output().stdout).unwrap()
}

/// A count in a JSON summary (0 when absent).
fn count(v: &Value) -> usize {
    v.as_u64().unwrap_or(0) as usize
}

/// Every Tenable CSV sample in ../shared/reference/scans/tenable_csv
/// (Nessus Professional's default, all-columns and 2025 layouts,
/// Tenable.sc's vulnerability detail list, Tenable VM's web and API
/// exports) read as a person counts it: one finding per plugin, host and
/// port (Nessus writes a row per CVE), blank rows skipped, `;`-separated
/// exports too.
#[test]
fn tenable_csv_exports_read_as_a_person_counts_them() {
    let Some(dir) = real_files() else { return };
    let scans = dir.join("../scans/tenable_csv");
    // file, [hosts, results, open, distinct open ids, open CVEs],
    // open [critical, high, medium, low].
    let expected: [(&str, [usize; 5], [usize; 4]); 7] = [
        (
            "nessus_pro_csv_all_columns_defectdojo.csv",
            [1, 29, 1, 1, 0],
            [0, 0, 1, 0],
        ),
        (
            "nessus_pro_csv_cvss4_vpr_epss_defectdojo.csv",
            [2, 5, 5, 5, 5],
            [1, 1, 3, 0],
        ),
        (
            "nessus_pro_csv_default_columns_defectdojo.csv",
            [1, 29, 1, 1, 0],
            [0, 0, 1, 0],
        ),
        (
            "tenable_sc_vulndetail_defectdojo_issue_11102.csv",
            [2, 3, 3, 1, 1],
            [0, 3, 0, 0],
        ),
        (
            "tenable_sc_vulndetail_defectdojo_many_vuln.csv",
            [2, 4, 4, 4, 3],
            [0, 0, 4, 0],
        ),
        (
            "tenable_vm_csv_defectdojo_many_vuln.csv",
            [2, 9, 9, 7, 18],
            [0, 3, 6, 0],
        ),
        (
            "tenable_vm_export_semicolon_defectdojo.csv",
            [99, 99, 99, 25, 38],
            [0, 0, 0, 99],
        ),
    ];
    for v in scan_counts(&scans, &expected) {
        // The export knows only the hosts with results: said.
        assert!(v["notes"]
            .to_string()
            .contains("lists only the hosts with results"));
    }
}

/// Checks the counts of each scanner file of `expected` in `dir` (hosts,
/// results, open, distinct open ids, open CVEs; open by severity), and
/// gives back what inspect said of each.
fn scan_counts(dir: &Path, expected: &[(&str, [usize; 5], [usize; 4])]) -> Vec<Value> {
    let mut out = Vec::new();
    for (file, counts, severities) in expected {
        let v = inspect_scan(&dir.join(file));
        let got = [
            v["scan"]["assets"].as_array().unwrap().len(),
            count(&v["results"]),
            count(&v["by_outcome"]["open"]),
            count(&v["open"]["distinct_ids"]),
            count(&v["open"]["cves"]),
        ];
        assert_eq!(&got, counts, "{file}");
        let sev = &v["open"]["by_severity"];
        let got = [
            count(&sev["Critical"]),
            count(&sev["High"]),
            count(&sev["Medium"]),
            count(&sev["Low"]),
        ];
        assert_eq!(&got, severities, "{file}");
        out.push(v);
    }
    out
}

/// Every Qualys CSV sample in ../shared/reference/scans/qualys (the scan
/// report, VMDR's asset vulnerability data list by QID and by CVE after its
/// three title lines, the PCI report) read as a person counts it: Qualys's
/// five severity levels (5 urgent is Critical, 4 High, 3 Medium, 2 and 1
/// Low), a FIXED status not open.
#[test]
fn qualys_csv_exports_read_as_a_person_counts_them() {
    let Some(dir) = real_files() else { return };
    let scans = dir.join("../scans/qualys");
    // file, [hosts, results, open, distinct open ids, open CVEs],
    // open [critical, high, medium, low].
    let expected: [(&str, [usize; 5], [usize; 4]); 4] = [
        (
            "qualys_scan_report_csv_defectdojo.csv",
            [4, 6, 6, 3, 23],
            [6, 0, 0, 0],
        ),
        (
            "qualys_vmdr_asset_vuln_datalist_qid.csv",
            [5, 5, 4, 4, 0],
            [1, 1, 0, 2],
        ),
        (
            "qualys_vmdr_asset_vuln_datalist_cve.csv",
            [5, 5, 4, 4, 4],
            [1, 1, 0, 2],
        ),
        ("qualys_monthly_pci_csv.csv", [1, 1, 1, 1, 0], [0, 0, 1, 0]),
    ];
    for v in scan_counts(&scans, &expected) {
        assert_eq!(v["scan"]["scanner"], "Qualys");
    }
}

/// Both Qualys XML samples in ../shared/reference/scans/qualys: the scan
/// results of scan-1.dtd (VULNS and PRACTICES open; INFOS and SERVICES
/// informational) and the asset data report (results by host, the QIDs'
/// titles and severities from the glossary at its end; Ig informational).
#[test]
fn qualys_xml_reads_as_a_person_counts_it() {
    let Some(dir) = real_files() else { return };
    let scans = dir.join("../scans/qualys");
    let expected: [(&str, [usize; 5], [usize; 4]); 2] = [
        (
            "qualys_asset_data_report_training.xml",
            [7, 301, 92, 38, 50],
            [7, 6, 32, 47],
        ),
        (
            "qualys_scan_xml_scan1dtd_2hosts.xml",
            [2, 24, 8, 4, 21],
            [4, 0, 0, 4],
        ),
    ];
    let got = scan_counts(&scans, &expected);
    assert_eq!(got[0]["scan"]["scanned_on"], "2019-08-01");
    assert_eq!(
        got[0]["scan"]["assets"][0]["fqdn"],
        "demo13.s02.sjc01.qualys.com"
    );
    assert_eq!(got[1]["scan"]["assets"][0]["fqdn"], "host1.example.com");
    assert_eq!(got[1]["scan"]["scanned_on"], "2019-04-02");
}

/// Every SCAP results sample in ../shared/reference/scans/xccdf (XCCDF 1.1
/// and 1.2, OpenSCAP, DISA's SCC and STIG Manager, and an ARF report): one
/// result per rule on the target; fail open; pass and fixed passed;
/// notchecked and unknown for a person to review; notselected not run.
#[test]
fn scap_results_read_as_a_person_counts_them() {
    let Some(dir) = real_files() else { return };
    let scans = dir.join("../scans/xccdf");
    let expected: [(&str, [usize; 5], [usize; 4]); 9] = [
        (
            "arf_openscap_test_xccdf_overrides.arf.xml",
            [1, 24, 12, 12, 0],
            [0, 1, 8, 3],
        ),
        ("xccdf11_ios_sample.xml", [1, 2, 1, 1, 0], [0, 0, 1, 0]),
        (
            "xccdf11_openscap_rhsa_oval_one_vuln.xml",
            [1, 8, 1, 1, 1],
            [0, 0, 0, 1],
        ),
        (
            "xccdf12_openscap_disa_rhel7_results.xml",
            [1, 180, 137, 137, 0],
            [0, 6, 124, 7],
        ),
        (
            "xccdf12_openscap_disa_rhel8_results.xml",
            [1, 248, 166, 166, 0],
            [0, 3, 148, 15],
        ),
        (
            "xccdf12_scc_rhel8_results.xml",
            [1, 248, 175, 175, 0],
            [0, 5, 156, 14],
        ),
        (
            "xccdf12_scc_ubuntu_stigmanager.xml",
            [1, 34, 30, 30, 0],
            [0, 2, 26, 2],
        ),
        (
            "xccdf12_stigmanager_Asset_b_RHEL8_truncated.xml",
            [1, 10, 2, 2, 0],
            [0, 1, 1, 0],
        ),
        (
            "xccdf12_stigmanager_all_possible_results.xml",
            [1, 7, 1, 1, 0],
            [0, 1, 0, 0],
        ),
    ];
    let got = scan_counts(&scans, &expected);
    assert_eq!(got[0]["scan"]["format"], "arf");
    assert!(got[0]["notes"]
        .to_string()
        .contains("4 rule(s) not selected"));
    assert_eq!(got[4]["by_outcome"]["error"], 21);
    assert_eq!(got[5]["scan"]["scanner"], "SCC 5.4.2");
    assert_eq!(got[5]["scan"]["assets"][0]["name"], "LOCALHOST.LOCALDOMAIN");
    assert_eq!(got[5]["scan"]["assets"][0]["ip"], "192.168.158.30");
}

/// Every SARIF sample in ../shared/reference/scans/code (CodeQL, Semgrep,
/// Flawfinder, Grype, dependency-check): one finding per result, on its
/// file; a package scanner's result named by its CVE (or GHSA) id.
#[test]
fn sarif_logs_read_as_a_person_counts_them() {
    let Some(dir) = real_files() else { return };
    let scans = dir.join("../scans/code");
    // Assets: the files the log lists as analyzed, else those with results.
    let expected: [(&str, [usize; 5], [usize; 4]); 5] = [
        (
            "sarif_codeql_2.5.4.sarif",
            [37, 72, 72, 13, 0],
            [0, 11, 4, 57],
        ),
        (
            "sarif_dependency_check_6.1.2.sarif",
            [220, 13, 13, 9, 5],
            [0, 9, 3, 1],
        ),
        (
            "sarif_flawfinder_heimdall2.sarif",
            [3, 77, 77, 21, 0],
            [0, 35, 7, 35],
        ),
        (
            "sarif_grype_0.34.7_cxf.sarif",
            [6, 22, 22, 12, 11],
            [1, 11, 4, 6],
        ),
        (
            "sarif_semgrep_oss_1.69.0.sarif",
            [36, 77, 77, 17, 0],
            [34, 1, 42, 0],
        ),
    ];
    let got = scan_counts(&scans, &expected);
    assert_eq!(got[0]["scan"]["scanner"], "CodeQL 2.5.4");
    // CodeQL lists what it analyzed; Semgrep does not, and that is said.
    assert!(!got[0]["notes"].to_string().contains("does not list"));
    assert!(got[4]["notes"]
        .to_string()
        .contains("does not list the files it analyzed"));
}

/// Every AWS sample in ../shared/reference/scans/aws: Inspector v2's
/// findings (package and code vulnerabilities; CLOSED fixed) and ASFF as
/// Security Hub, Prowler (a bare array, one finding per line) and Trivy's
/// template write it (PASSED and RESOLVED fixed, INFORMATIONAL not open).
#[test]
fn aws_findings_read_as_a_person_counts_them() {
    let Some(dir) = real_files() else { return };
    let scans = dir.join("../scans/aws");
    let expected: [(&str, [usize; 5], [usize; 4]); 8] = [
        (
            "asff_prowler_bare_array_with_nist_fedramp.json",
            [81, 731, 286, 61, 0],
            [3, 29, 199, 55],
        ),
        (
            "asff_prowler_ndjson_heimdall2.asff-json",
            [1, 10, 10, 2, 0],
            [0, 10, 0, 0],
        ),
        (
            "asff_securityhub_config_lowercase_findings_key.json",
            [1, 3, 0, 0, 0],
            [0, 0, 0, 0],
        ),
        (
            "asff_securityhub_fsbp_heimdall2.json",
            [2, 18, 17, 17, 0],
            [0, 0, 2, 15],
        ),
        (
            "asff_securityhub_inspector_ecr.json",
            [7, 7, 7, 7, 7],
            [1, 5, 1, 0],
        ),
        (
            "asff_trivy_template_golang_alpine_heimdall2.json",
            [1, 44, 44, 23, 23],
            [3, 29, 10, 2],
        ),
        (
            "inspector2_findings_many_vul.json",
            [2, 8, 7, 7, 7],
            [0, 2, 4, 1],
        ),
        (
            "inspector2_findings_package_and_code.json",
            [2, 28, 28, 28, 27],
            [1, 13, 13, 1],
        ),
    ];
    let got = scan_counts(&scans, &expected);
    assert_eq!(got[0]["by_outcome"]["passed"], 441);
    assert_eq!(got[0]["by_outcome"]["informational"], 4);
    assert_eq!(
        got[4]["scan"]["assets"][0]["host_name"], "repo-os:2023-08-23",
        "an ECR image by its repository and tag"
    );
    assert!(got[6]["notes"].to_string().contains("unknown severity"));
}

/// `poam update` from real scanner files: a Qualys scan report whose QID
/// 105971 was first detected on four hosts on four days gives four items
/// (FedRAMP: one item per vulnerability and original detection date), each
/// dated by the scanner's first-detected day; DISA's SCC results give
/// items named by STIG vulnerability id with their CCIs' controls.
#[test]
fn update_from_real_scans_groups_by_id_and_detection_date() {
    let Some(dir) = real_files() else { return };
    let scans = dir.join("../scans");
    let tmp = tempfile::tempdir().unwrap();
    let empty = tmp.path().join("empty.json");
    std::fs::write(&empty, r#"{"system": {"name": "Example"}, "items": []}"#).unwrap();
    let out = tmp.path().join("this.json");
    poam()
        .arg("update")
        .arg(&empty)
        .arg("--scan")
        .arg(scans.join("qualys/qualys_scan_report_csv_defectdojo.csv"))
        .arg("--scan")
        .arg(scans.join("xccdf/xccdf12_scc_rhel8_results.xml"))
        .arg("-o")
        .arg(&out)
        .args(["--as-of", "2021-12-20", "--format", "json"])
        .assert()
        .success();
    let m: Value = serde_json::from_slice(&std::fs::read(&out).unwrap()).unwrap();
    let items = m["items"].as_array().unwrap();
    let mut dates: Vec<(&str, &str)> = items
        .iter()
        .filter(|i| i["source_identifier"] == "105971")
        .map(|i| {
            (
                i["detected_on"].as_str().unwrap(),
                i["assets"][0].as_str().unwrap(),
            )
        })
        .collect();
    dates.sort();
    assert_eq!(
        dates,
        [
            ("2021-05-13", "10.98.57.180"),
            ("2021-05-25", "10.98.57.151"),
            ("2021-05-26", "10.98.49.209"),
            ("2021-06-02", "10.98.35.11"),
        ]
    );
    let stig: Vec<&Value> = items
        .iter()
        .filter(|i| {
            i["detector_source"]
                .as_str()
                .is_some_and(|d| d.starts_with("SCC"))
        })
        .collect();
    assert_eq!(stig.len(), 175, "one item per failed rule");
    let vendor = stig
        .iter()
        .find(|i| i["source_identifier"] == "V-230221")
        .expect("RHEL 8 must be a vendor-supported release");
    assert_eq!(vendor["ccis"], serde_json::json!(["CCI-000366"]));
    assert_eq!(vendor["controls"], serde_json::json!(["CM-6"]));
    assert_eq!(vendor["detected_on"], "2021-12-17");
    assert_eq!(
        vendor["assets"],
        serde_json::json!(["LOCALHOST.LOCALDOMAIN"])
    );
}

/// The deviation request form poam writes against FedRAMP's own
/// (../shared/reference/real-files/fedramp/FedRAMP-Vulnerability-Deviation-Request-Form.xlsx):
/// the same sheets, the same header in every column of the DR Sheet's
/// header row, the same system block labels, and the same drop-down words
/// on the data dictionary sheet, column by column.
#[test]
fn the_deviation_form_matches_fedramps() {
    let Some(dir) = real_files() else { return };
    let official = dir.join("fedramp/FedRAMP-Vulnerability-Deviation-Request-Form.xlsx");
    let tmp = tempfile::tempdir().unwrap();
    let input = tmp.path().join("poam.json");
    std::fs::write(
        &input,
        r#"{"system": {"name": "S"}, "items": [{"id": "V-1", "state": "open", "weakness_name": "x", "risk": {"original": "high", "adjusted": "moderate", "adjustment": "pending", "deviation_rationale": "Internal only."}}]}"#,
    )
    .unwrap();
    let ours = tmp.path().join("dr.xlsx");
    poam()
        .arg("deviation")
        .arg(&input)
        .arg("-o")
        .arg(&ours)
        .assert()
        .success();
    let cell = |r: &calamine::Range<Data>, row: u32, col: u32| match r.get_value((row, col)) {
        Some(Data::String(s)) => s.trim().to_string(),
        _ => String::new(),
    };
    let mut theirs: calamine::Xlsx<_> = calamine::open_workbook(&official).unwrap();
    let mut mine: calamine::Xlsx<_> = calamine::open_workbook(&ours).unwrap();
    for sheet in ["DR Sheet", "Data Dictionary - Do Not Remove"] {
        assert!(theirs.sheet_names().iter().any(|s| s == sheet), "{sheet}");
    }
    let (t, m) = (
        theirs.worksheet_range("DR Sheet").unwrap(),
        mine.worksheet_range("DR Sheet").unwrap(),
    );
    for col in 0..57 {
        assert_eq!(cell(&m, 9, col), cell(&t, 9, col), "header of column {col}");
    }
    for col in [0, 1, 2, 4] {
        assert_eq!(cell(&m, 1, col), cell(&t, 1, col), "system block");
    }
    let (t, m) = (
        theirs
            .worksheet_range("Data Dictionary - Do Not Remove")
            .unwrap(),
        mine.worksheet_range("Data Dictionary - Do Not Remove")
            .unwrap(),
    );
    let mut lists = 0;
    for col in 0..57 {
        let words = |r: &calamine::Range<Data>| -> Vec<String> {
            (2..12)
                .map(|row| cell(r, row, col))
                .filter(|w| !w.is_empty())
                .collect()
        };
        let theirs_words = words(&t);
        if theirs_words.is_empty() {
            continue;
        }
        lists += 1;
        // FedRAMP's sheet spells one word "Offical Fix"; its validation
        // list (and poam) say "Official Fix".
        let theirs_words: Vec<String> = theirs_words
            .into_iter()
            .map(|w| w.replace("Offical", "Official"))
            .collect();
        assert_eq!(words(&m), theirs_words, "drop-down of column {col}");
    }
    assert_eq!(lists, 15, "every list of FedRAMP's dictionary");
}

/// A real scanner CSV read with a mapping file of its columns (as a user
/// writes one for a scanner poam has no built-in reader of) gives what the
/// built-in reader gives: Tenable VM's `;`-separated API export, its
/// dotted field names named in the mapping.
#[test]
fn a_mapped_scanner_csv_reads_like_the_built_in_reader() {
    let Some(dir) = real_files() else { return };
    let file = dir.join("../scans/tenable_csv/tenable_vm_export_semicolon_defectdojo.csv");
    let tmp = tempfile::tempdir().unwrap();
    let mapping = tmp.path().join("tenable-api.toml");
    std::fs::write(
        &mapping,
        r#"scanner = "Tenable VM API"
kind = "plugin"
[columns]
id = "definition.id"
host = "asset.display_ipv4_address"
name = "definition.name"
fqdn = "asset.display_fqdn"
severity = "severity"
cve = "definition.cve"
cvss3 = "definition.cvss3.base_score"
state = "state"
first_seen = "first_observed"
last_seen = "last_seen"
"#,
    )
    .unwrap();
    let mapped = {
        let run = poam()
            .arg("inspect")
            .arg(&file)
            .arg("--scan-mapping")
            .arg(&mapping)
            .args(["--format", "json"])
            .assert()
            .success();
        serde_json::from_slice::<Value>(&run.get_output().stdout).unwrap()
    };
    let built_in = inspect_scan(&file);
    assert_eq!(mapped["scan"]["scanner"], "Tenable VM API");
    assert_eq!(mapped["scan"]["format"], "mapped-csv");
    for key in ["results", "by_outcome", "open"] {
        assert_eq!(mapped[key], built_in[key], "{key}");
    }
    assert_eq!(
        mapped["scan"]["assets"].as_array().unwrap().len(),
        99,
        "hosts"
    );
    assert_eq!(
        mapped["scan"]["scanned_on"], "2023-07-13",
        "its last seen day"
    );
}

/// The supplier package from a real SP 800-171 tracker (ComplyScan's export)
/// with NIST's own Word template: the plan inside is NIST's document with
/// the tracker's seven items, each under its requirement, and the score it
/// carries is the one `poam score` gives.
#[test]
fn a_real_trackers_supplier_package_fills_nists_template_and_scores_it() {
    let Some(real) = real_files() else { return };
    let tracker = real.join("trackers/complyscan_poam.csv");
    let template = real.join("nist/NIST-CUI-Plan-of-Action-Template.docx");
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("supplier.zip");
    poam()
        .arg("package")
        .arg(&tracker)
        .arg("--into")
        .arg(&template)
        .arg("-o")
        .arg(&out)
        .assert()
        .success();
    let parts = zip_parts(&out);
    let plan = dir.path().join("plan-of-action.docx");
    std::fs::write(&plan, &parts["plan-of-action.docx"]).unwrap();
    // NIST's document: its parts, its header row.
    let official = zip_parts(&template);
    assert_eq!(
        official.keys().collect::<Vec<_>>(),
        zip_parts(&plan).keys().collect::<Vec<_>>()
    );
    let items = items_without_origin(&plan);
    let requirements: Vec<&str> = items["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["controls"][0].as_str().unwrap())
        .collect();
    assert_eq!(
        requirements,
        ["3.11.2", "3.13.11", "3.1.5", "3.2.1", "3.3.8", "3.4.6", "3.1.20"]
    );
    let packaged: Value = serde_json::from_slice(&parts["sprs-score.json"]).unwrap();
    let scored = poam()
        .arg("score")
        .arg(&tracker)
        .args(["--format", "json"])
        .output()
        .unwrap();
    let scored: Value = serde_json::from_slice(&scored.stdout).unwrap();
    assert_eq!(packaged["score"], scored["score"]);
    assert_eq!(packaged["unmet"], scored["unmet"]);
    let readme = String::from_utf8(parts["README.txt"].clone()).unwrap();
    assert!(
        readme.contains("filled into NIST's Word template, 7 open item(s)"),
        "{readme}"
    );
}
