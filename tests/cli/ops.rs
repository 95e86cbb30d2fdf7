//! `poam batch`, `poam rollup` and `poam diff`.

use super::{model, poam, root};
use calamine::{open_workbook_auto, Data, Reader};
use serde_json::{json, Value};
use std::path::{Path, PathBuf};

fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    if let Ok(entries) = std::fs::read_dir(dir) {
        for e in entries.flatten() {
            let p = e.path();
            if p.is_dir() {
                out.extend(files_under(&p));
            } else {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

#[test]
fn batch_converts_a_tree_of_units_and_reports_the_broken_files() {
    let dir = tempfile::tempdir().unwrap();
    let tree = dir.path().join("units");
    let inputs = poam_fixtures::write_unit_tree(&tree, 50, 2).unwrap();
    assert_eq!(inputs.len(), 52);
    let out = dir.path().join("out");
    let summary = dir.path().join("summary.json");
    let run = poam()
        .arg("batch")
        .arg(&tree)
        .args(["--to", "fedramp", "--to", "json", "-j", "2", "--out-dir"])
        .arg(&out)
        .arg("--summary-json")
        .arg(&summary)
        .output()
        .unwrap();
    assert_eq!(run.status.code(), Some(1), "not every file converted");
    let table = String::from_utf8(run.stdout).unwrap();
    assert!(
        table.contains("50 of 52 file(s) converted, 2 failed"),
        "{table}"
    );
    let s: Value = serde_json::from_slice(&std::fs::read(&summary).unwrap()).unwrap();
    assert_eq!(s["converted"], 50);
    assert_eq!(s["failed"], 2);
    let failed: Vec<&Value> = s["files"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["result"] == "failed")
        .collect();
    assert!(failed[0]["input"]
        .as_str()
        .unwrap()
        .ends_with("truncated.xlsx"));
    assert!(failed[0]["error"]
        .as_str()
        .unwrap()
        .contains("corrupt or truncated"));
    assert!(failed[1]["input"]
        .as_str()
        .unwrap()
        .ends_with("budget.xlsx"));
    assert!(failed[1]["error"]
        .as_str()
        .unwrap()
        .contains("no POA&M found"));
    // Nothing written for the broken ones, two outputs for each good one.
    assert!(files_under(&out.join("bu-broken-1")).is_empty());
    assert!(files_under(&out.join("bu-broken-2")).is_empty());
    let written = files_under(&out);
    assert_eq!(written.len(), 100, "{written:?}");
    // The tree is mirrored and what was written reads back with the same items.
    for f in s["files"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["result"] == "converted")
    {
        let input = PathBuf::from(f["input"].as_str().unwrap());
        let rel = input.strip_prefix(&tree).unwrap();
        let stem = rel.file_stem().unwrap().to_string_lossy().to_string();
        let xlsx = out.join(rel.parent().unwrap()).join(format!("{stem}.xlsx"));
        assert!(xlsx.is_file(), "{}", xlsx.display());
        let m = model(xlsx.to_str().unwrap(), &[]);
        let n = f["open_items"].as_u64().unwrap() + f["closed_items"].as_u64().unwrap();
        assert_eq!(
            m["items"].as_array().unwrap().len() as u64,
            n,
            "{}",
            input.display()
        );
    }
    // A second run refuses to replace the outputs, and --force replaces them.
    let again = poam()
        .arg("batch")
        .arg(tree.join("bu-01"))
        .args(["--to", "json", "-q", "--out-dir"])
        .arg(out.join("bu-01"))
        .output()
        .unwrap();
    assert_eq!(again.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&again.stdout).contains("exists already (--force replaces it)"));
    poam()
        .arg("batch")
        .arg(tree.join("bu-01"))
        .args(["--to", "json", "-q", "--force", "--out-dir"])
        .arg(out.join("bu-01"))
        .assert()
        .code(0);
    // Glob patterns keep the tree under the part before the wildcard.
    let pattern = format!("{}/bu-0*/*.xlsm", tree.display());
    let globbed = dir.path().join("globbed");
    poam()
        .args(["batch", &pattern, "--to", "csv", "-q", "--out-dir"])
        .arg(&globbed)
        .assert()
        .code(0);
    let csvs = files_under(&globbed);
    assert!(!csvs.is_empty());
    assert!(csvs.iter().all(|p| p.extension().unwrap() == "csv"
        && p.parent()
            .unwrap()
            .file_name()
            .unwrap()
            .to_string_lossy()
            .starts_with("bu-0")));
    // No input at all is a usage error.
    poam()
        .args(["batch", "no-such-folder/*.xlsx", "--to", "csv", "--out-dir"])
        .arg(&globbed)
        .assert()
        .code(2)
        .stderr(predicates::str::contains("no file matches"));
}

#[test]
fn batch_applies_a_mapping_per_unit() {
    let dir = tempfile::tempdir().unwrap();
    let east = dir.path().join("in/east");
    std::fs::create_dir_all(&east).unwrap();
    std::fs::copy(
        root().join("fixtures/legacy/unit-tracker.xlsx"),
        east.join("tracker.xlsx"),
    )
    .unwrap();
    let emitted = poam()
        .args([
            "inspect",
            "fixtures/legacy/unit-tracker.xlsx",
            "--emit-mapping",
            "-",
        ])
        .output()
        .unwrap();
    let mapping = String::from_utf8(emitted.stdout).unwrap().replace(
        "\"Internal Ref\" = \"extra\"",
        "\"Internal Ref\" = \"business_unit\"",
    );
    let maps = dir.path().join("maps");
    std::fs::create_dir_all(&maps).unwrap();
    std::fs::write(maps.join("east.toml"), mapping).unwrap();
    let out = dir.path().join("out");
    poam()
        .arg("batch")
        .arg(dir.path().join("in"))
        .args(["--to", "json", "-q", "--mapping-dir"])
        .arg(&maps)
        .arg("--out-dir")
        .arg(&out)
        .assert()
        .code(0);
    let m: Value =
        serde_json::from_slice(&std::fs::read(out.join("east/tracker.json")).unwrap()).unwrap();
    let units: Vec<&Value> = m["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| &i["business_unit"])
        .collect();
    assert!(
        units.iter().any(|u| u.is_string()),
        "the mapping was applied: {units:?}"
    );
    assert!(m["items"]
        .as_array()
        .unwrap()
        .iter()
        .all(|i| i["extra"].get("Internal Ref").is_none()));
    // The roll-up takes the unit from that column with --unit-from column.
    let rolled = dir.path().join("rolled.json");
    poam()
        .arg("rollup")
        .arg(dir.path().join("in"))
        .args(["--to", "json", "--unit-from", "column", "--mapping-dir"])
        .arg(&maps)
        .arg("-o")
        .arg(&rolled)
        .assert()
        .success();
    let r: Value = serde_json::from_slice(&std::fs::read(&rolled).unwrap()).unwrap();
    for (a, b) in r["items"]
        .as_array()
        .unwrap()
        .iter()
        .zip(m["items"].as_array().unwrap())
    {
        match b["business_unit"].as_str() {
            Some(unit) => assert_eq!(a["business_unit"], unit),
            // No value in the column: the folder's name.
            None => assert_eq!(a["business_unit"], "east"),
        }
    }
}

fn sheet_rows(path: &Path, sheet: &str) -> Vec<Vec<String>> {
    let mut wb = open_workbook_auto(path).unwrap();
    let range = wb.worksheet_range(sheet).unwrap();
    range
        .rows()
        .map(|r| {
            r.iter()
                .map(|c| match c {
                    Data::Empty => String::new(),
                    other => other.to_string(),
                })
                .collect()
        })
        .collect()
}

#[test]
fn rollup_tags_units_keeps_ids_unique_and_merges_the_same_weakness() {
    let dir = tempfile::tempdir().unwrap();
    for unit in ["east", "west"] {
        let d = dir.path().join("units").join(unit);
        std::fs::create_dir_all(&d).unwrap();
        std::fs::copy(
            root().join("fixtures/fedramp/fedramp-3.0.xlsx"),
            d.join("poam.xlsx"),
        )
        .unwrap();
    }
    let units = dir.path().join("units");
    let one = model("fixtures/fedramp/fedramp-3.0.xlsx", &[]);
    let n = one["items"].as_array().unwrap().len();
    // Without dedupe: every item of both units, IDs prefixed since both used them.
    let json_out = dir.path().join("all.json");
    let run = poam()
        .arg("rollup")
        .arg(&units)
        .args(["--to", "json", "--as-of", "2030-01-01", "-o"])
        .arg(&json_out)
        .output()
        .unwrap();
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let all: Value = serde_json::from_slice(&std::fs::read(&json_out).unwrap()).unwrap();
    let items = all["items"].as_array().unwrap();
    assert_eq!(items.len(), 2 * n);
    let first_id = one["items"][0]["id"].as_str().unwrap();
    assert_eq!(items[0]["id"], format!("east-{first_id}"));
    assert_eq!(items[0]["business_unit"], "east");
    assert_eq!(items[0]["extra"]["Original POA&M ID"], first_id);
    assert_eq!(items[n]["id"], format!("west-{first_id}"));
    let ids: std::collections::BTreeSet<&str> =
        items.iter().map(|i| i["id"].as_str().unwrap()).collect();
    assert_eq!(ids.len(), items.len(), "IDs are unique");
    // The summary by unit goes to stdout and into reports.
    let stdout = String::from_utf8(run.stdout).unwrap();
    assert!(stdout.lines().any(|l| l.starts_with("east\t")), "{stdout}");
    let report = poam()
        .arg("report")
        .arg(&json_out)
        .args(["--format", "md", "--as-of", "2030-01-01"])
        .output()
        .unwrap();
    let md = String::from_utf8(report.stdout).unwrap();
    assert!(md.contains("## By business unit"), "{md}");
    assert!(md.contains("| east |"));

    // With dedupe: the same weakness (source identifier and controls) once.
    let xlsx_out = dir.path().join("all.xlsx");
    let run = poam()
        .arg("rollup")
        .arg(&units)
        .args(["--to", "fedramp", "--dedupe", "--as-of", "2030-01-01", "-o"])
        .arg(&xlsx_out)
        .output()
        .unwrap();
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let stderr = String::from_utf8(run.stderr).unwrap();
    assert!(stderr.contains("merged west-"), "{stderr}");
    let merged = model(xlsx_out.to_str().unwrap(), &[]);
    let with_source = one["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|i| {
            i["source_identifier"].is_string() && !i["controls"].as_array().unwrap().is_empty()
        })
        .count();
    assert!(with_source > 0);
    assert_eq!(
        merged["items"].as_array().unwrap().len(),
        2 * n - with_source
    );
    // A merged item lists the assets of both units.
    let m0 = merged["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["source_identifier"].is_string())
        .unwrap();
    let o0 = one["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["source_identifier"] == m0["source_identifier"])
        .unwrap();
    assert_eq!(
        m0["assets"], o0["assets"],
        "the same assets are listed once"
    );
    // The workbook has the summary sheet: a title block, the units with a
    // total, and each input with the metadata its header gave.
    let all = sheet_rows(&xlsx_out, "Summary by Unit");
    assert_eq!(all[0][0], "POA&M roll-up of 2 business unit(s)");
    assert!(all.iter().any(|r| r[0] == "Units: east, west"), "{all:?}");
    assert!(all.iter().any(|r| r[0] == "As of: 2030-01-01"), "{all:?}");
    let at = all.iter().position(|r| r[0] == "Business unit").unwrap();
    let rows = &all[at..];
    assert_eq!(rows[1][0], "east");
    assert_eq!(rows[2][0], "west");
    assert_eq!(rows[3][0], "Total");
    let cell = |r: &Vec<String>, c: usize| r[c].parse::<usize>().unwrap();
    assert_eq!(cell(&rows[3], 1), cell(&rows[1], 1) + cell(&rows[2], 1));
    let inputs = all
        .iter()
        .position(|r| r[0] == "Business unit" && r[1] == "File")
        .unwrap();
    assert_eq!(all[inputs + 1][0], "east");
    assert!(
        all[inputs + 1][1].ends_with("poam.xlsx"),
        "{:?}",
        all[inputs + 1]
    );
    assert_eq!(all[inputs + 1][2], one["system"]["name"].as_str().unwrap());
    // Every item's unit is in a Business Unit column of the POA&M sheets.
    let open = sheet_rows(&xlsx_out, "Open POA&M Items");
    let header = open
        .iter()
        .find(|r| r.iter().any(|c| c == "POAM ID"))
        .unwrap();
    let unit_col = header.iter().position(|c| c == "Business Unit").unwrap();
    let id_col = header.iter().position(|c| c == "POAM ID").unwrap();
    for row in &open {
        // A merged item names both units.
        if row[id_col].starts_with("east-") {
            assert!(row[unit_col].split("; ").any(|u| u == "east"), "{row:?}");
        }
    }
    assert!(open.iter().any(|r| r[unit_col] == "west"));
    let open_east: usize = rows[1][1].parse().unwrap();
    assert_eq!(
        open_east,
        one["items"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|i| i["state"] == "open")
            .count()
    );

    // Units by sheet.
    let by_sheet = dir.path().join("by-sheet.json");
    poam()
        .arg("rollup")
        .arg(units.join("east"))
        .args(["--to", "json", "--unit-from", "sheet", "-o"])
        .arg(&by_sheet)
        .assert()
        .success();
    let v: Value = serde_json::from_slice(&std::fs::read(&by_sheet).unwrap()).unwrap();
    assert!(v["items"]
        .as_array()
        .unwrap()
        .iter()
        .any(|i| i["business_unit"] == "Open POA&M Items"));

    // One unreadable input stops the roll-up and nothing is written.
    std::fs::write(units.join("west/broken.xlsx"), b"not a workbook").unwrap();
    let out = dir.path().join("never.json");
    poam()
        .arg("rollup")
        .arg(&units)
        .args(["--to", "json", "-o"])
        .arg(&out)
        .assert()
        .code(2)
        .stderr(predicates::str::contains("broken.xlsx"));
    assert!(!out.exists());
}

fn item(id: &str, patch: Value) -> Value {
    let mut v = json!({
        "id": id, "state": "open", "controls": ["AC-2"], "weakness_name": format!("weakness {id}"),
        "scheduled_completion": "2025-01-31", "detected_on": "2024-10-01",
        "risk": {"original": "moderate", "operational_requirement": "no"},
        "status": "ongoing",
        "milestones": [{"description": "Patch", "due": "2024-12-01"}]
    });
    if let (Value::Object(a), Value::Object(b)) = (&mut v, patch) {
        for (k, val) in b {
            a.insert(k, val);
        }
    }
    v
}

fn write_poam(path: &Path, items: Vec<Value>) {
    let doc = json!({"system": {"name": "S"}, "items": items});
    std::fs::write(path, serde_json::to_vec(&doc).unwrap()).unwrap();
}

#[test]
fn diff_lists_every_category_and_the_changed_fields() {
    let dir = tempfile::tempdir().unwrap();
    let old = dir.path().join("october.json");
    let new = dir.path().join("november.json");
    write_poam(
        &old,
        vec![
            item("SAME", json!({})),
            item("CLOSE", json!({})),
            item("REOPEN", json!({"state": "closed", "status": "completed"})),
            item("GONE", json!({})),
            item("MOVED", json!({})),
        ],
    );
    write_poam(
        &new,
        vec![
            item("SAME", json!({})),
            item(
                "CLOSE",
                json!({"state": "closed", "status": "completed", "completed_on": "2024-11-20"}),
            ),
            item("REOPEN", json!({})),
            item(
                "MOVED",
                json!({
                    "scheduled_completion": "2025-03-02",
                    "risk": {"original": "high", "operational_requirement": "yes"},
                    "status": "delayed",
                    "milestones": [{"description": "Patch", "due": "2024-12-15"}, {"description": "Rescan", "due": "2025-01-10"}]
                }),
            ),
            item("NEW", json!({})),
        ],
    );
    let out = poam()
        .args([
            "diff",
            old.to_str().unwrap(),
            new.to_str().unwrap(),
            "--format",
            "json",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "they differ");
    let d: Value = serde_json::from_slice(&out.stdout).unwrap();
    let ids = |k: &str| -> Vec<String> {
        d[k].as_array()
            .unwrap()
            .iter()
            .map(|i| i["id"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(ids("added"), ["NEW"]);
    assert_eq!(ids("closed"), ["CLOSE"]);
    assert_eq!(ids("reopened"), ["REOPEN"]);
    assert_eq!(ids("disappeared"), ["GONE"]);
    assert_eq!(d["counts"]["unchanged"], 1);
    let moved = d["changed"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == "MOVED")
        .unwrap();
    let change = |field: &str| -> Vec<&Value> {
        moved["changes"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|c| c["field"] == field)
            .collect()
    };
    let sched = change("scheduled_completion");
    assert_eq!(sched[0]["old"], "2025-01-31");
    assert_eq!(sched[0]["new"], "2025-03-02");
    assert_eq!(sched[0]["days"], 30);
    assert_eq!(change("risk.original")[0]["new"], "High");
    assert_eq!(change("status")[0]["old"], "Ongoing");
    assert_eq!(change("risk.operational_requirement")[0]["new"], "Yes");
    let ms = change("milestones");
    assert!(ms
        .iter()
        .any(|c| c["label"] == "Milestone changed" && c["days"] == 14));
    assert!(ms.iter().any(
        |c| c["label"] == "Milestone added" && c["new"].as_str().unwrap().starts_with("Rescan")
    ));
    // Text and Markdown say the same, counts first.
    let md = poam()
        .args([
            "diff",
            old.to_str().unwrap(),
            new.to_str().unwrap(),
            "--format",
            "md",
        ])
        .output()
        .unwrap();
    let md = String::from_utf8(md.stdout).unwrap();
    assert!(
        md.contains("| Disappeared without being closed | 1 |"),
        "{md}"
    );
    assert!(
        md.contains("Scheduled completion date: 2025-01-31 -> 2025-03-02 (30 days later)"),
        "{md}"
    );
    // The workbook form.
    let xlsx = dir.path().join("changes.xlsx");
    poam()
        .args([
            "diff",
            old.to_str().unwrap(),
            new.to_str().unwrap(),
            "--format",
            "xlsx",
            "-o",
        ])
        .arg(&xlsx)
        .assert()
        .code(1);
    let summary = sheet_rows(&xlsx, "Summary");
    assert!(summary
        .iter()
        .any(|r| r[0] == "Disappeared without being closed" && r[1] == "1"));
    let changes = sheet_rows(&xlsx, "Changes");
    assert!(changes
        .iter()
        .any(|r| r[0] == "MOVED" && r[2] == "Scheduled completion date" && r[5] == "30"));
    assert_eq!(sheet_rows(&xlsx, "Disappeared")[1][0], "GONE");
    // A title block naming the files; no sheet for a category that is
    // empty; dates as real dates.
    assert_eq!(summary[0][0], "POA&M changes");
    assert!(summary[1][0].starts_with("OLD: ") && summary[2][0].starts_with("NEW: "));
    let mut wb = open_workbook_auto(&xlsx).unwrap();
    let names = wb.sheet_names().to_vec();
    assert!(names.iter().any(|n| n == "Reopened"), "{names:?}");
    assert!(
        !names.iter().any(|n| n == "Renumbered"),
        "an empty category's sheet: {names:?}"
    );
    let range = wb.worksheet_range("Changes").unwrap();
    let moved = range
        .rows()
        .find(|r| r[0] == "MOVED" && r[2] == "Scheduled completion date")
        .unwrap();
    assert!(matches!(moved[3], Data::DateTime(_)), "{:?}", moved[3]);
    // The same POA&M in two layouts is identical: exit 0.
    let csv = dir.path().join("same.csv");
    poam()
        .args([
            "convert",
            "fixtures/fedramp/fedramp-3.0.xlsx",
            "--to",
            "csv",
            "-o",
        ])
        .arg(&csv)
        .assert()
        .success();
    poam()
        .args([
            "diff",
            "fixtures/fedramp/fedramp-3.0.xlsx",
            csv.to_str().unwrap(),
        ])
        .assert()
        .code(0)
        .stdout(predicates::str::contains("0 changed"));
    // An unreadable side is exit 2.
    poam()
        .args(["diff", old.to_str().unwrap(), "fixtures/missing.xlsx"])
        .assert()
        .code(2);
}

#[test]
fn batch_never_reads_its_own_outputs() {
    let dir = tempfile::tempdir().unwrap();
    let units = dir.path().join("units");
    std::fs::create_dir_all(units.join("east")).unwrap();
    std::fs::copy(
        root().join("fixtures/fedramp/fedramp-3.0.xlsx"),
        units.join("east/poam.xlsx"),
    )
    .unwrap();
    // The output folder inside the input tree, run twice.
    for extra in [&[][..], &["--force"][..]] {
        let out = poam()
            .arg("batch")
            .arg(&units)
            .args(["--to", "fedramp", "-q", "--out-dir"])
            .arg(units.join("converted"))
            .args(extra)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(0));
        assert!(String::from_utf8_lossy(&out.stdout).contains("1 of 1 file(s) converted"));
    }
    assert_eq!(files_under(&units.join("converted")).len(), 1);
}

#[test]
fn diff_never_replaces_a_poam_it_compares() {
    let dir = tempfile::tempdir().unwrap();
    let a = dir.path().join("october.xlsx");
    let b = dir.path().join("november.xlsx");
    std::fs::copy(super::root().join("fixtures/fedramp/fedramp-2.1.xlsx"), &a).unwrap();
    std::fs::copy(super::root().join("fixtures/fedramp/fedramp-3.0.xlsx"), &b).unwrap();
    let before = std::fs::read(&a).unwrap();
    for target in [&a, &b] {
        let out = super::poam()
            .arg("diff")
            .arg(&a)
            .arg(&b)
            .args(["--format", "xlsx", "-o"])
            .arg(target)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2));
        assert!(String::from_utf8_lossy(&out.stderr)
            .contains("would replace one of the POA&Ms compared"));
    }
    assert_eq!(std::fs::read(&a).unwrap(), before);
}

#[test]
fn rollup_with_force_never_replaces_a_units_own_poam() {
    let dir = tempfile::tempdir().unwrap();
    for (unit, fixture) in [("u1", "fedramp-2.1.xlsx"), ("u2", "fedramp-3.0.xlsx")] {
        std::fs::create_dir_all(dir.path().join(unit)).unwrap();
        std::fs::copy(
            super::root().join("fixtures/fedramp").join(fixture),
            dir.path().join(unit).join("poam.xlsx"),
        )
        .unwrap();
    }
    let unit_file = dir.path().join("u1/poam.xlsx");
    let before = std::fs::read(&unit_file).unwrap();
    let out = super::poam()
        .arg("rollup")
        .arg(dir.path())
        .args(["--to", "fedramp", "--force", "-o"])
        .arg(&unit_file)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("the output would replace an input"));
    assert_eq!(std::fs::read(&unit_file).unwrap(), before);
    // A previous roll-up in the tree is replaced, and not read as an input.
    let all = dir.path().join("all.xlsx");
    for _ in 0..2 {
        super::poam()
            .arg("rollup")
            .arg(dir.path())
            .args(["--to", "fedramp", "--force", "-o"])
            .arg(&all)
            .assert()
            .success()
            .stderr(predicates::str::contains("from 2 unit(s)"));
    }
}
