//! `poam convert` to a file reads and writes at once (items handed from the
//! reader to a writer thread). What it writes must be what the whole-model
//! writers make of the whole model, and a read that fails half-way must
//! leave nothing behind.

use super::poam;
use calamine::{Data, Reader};
use std::path::{Path, PathBuf};

/// Every workbook and table fixture.
fn inputs() -> Vec<PathBuf> {
    let mut files = Vec::new();
    for dir in [
        "fixtures/fedramp",
        "fixtures/emass",
        "fixtures/legacy",
        "fixtures/nist",
        "fixtures/oscal",
    ] {
        for entry in std::fs::read_dir(super::root().join(dir)).unwrap() {
            let path = entry.unwrap().path();
            let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("");
            if ["xlsx", "xlsm", "ods", "csv", "docx", "json"].contains(&ext) {
                files.push(path);
            }
        }
    }
    files.sort();
    assert!(files.len() >= 15, "fixtures missing: {files:?}");
    files
}

/// `poam convert INPUT ARGS... -o OUT`.
fn convert(input: &Path, args: &[&str], out: &Path) -> assert_cmd::assert::Assert {
    poam()
        .arg("convert")
        .arg(input)
        .args(args)
        .arg("-o")
        .arg(out)
        .assert()
}

/// Every sheet's cells, as text.
fn cells(path: &Path) -> Vec<(String, Vec<Vec<String>>)> {
    let mut wb = calamine::open_workbook_auto(path).unwrap();
    wb.sheet_names()
        .into_iter()
        .map(|name| {
            let range = wb.worksheet_range(&name).unwrap();
            let rows = range
                .rows()
                .map(|r| {
                    r.iter()
                        .map(|d| match d {
                            Data::Empty => String::new(),
                            other => other.to_string(),
                        })
                        .collect()
                })
                .collect();
            (name, rows)
        })
        .collect()
}

#[test]
fn streamed_workbooks_are_what_the_whole_model_writer_makes() {
    let dir = tempfile::tempdir().unwrap();
    let targets = [
        ("fedramp", "3.0"),
        ("fedramp", "2.1"),
        ("emass", "rmf-classic"),
        ("emass", "navy-2026"),
    ];
    for input in inputs() {
        let mut imported =
            poam_import::import_path(&input, &poam_import::ImportOptions::default()).unwrap();
        // The CLI writes today's date where an input has none: both given one.
        imported.poam.system.poam_date = chrono::NaiveDate::from_ymd_opt(2025, 1, 2);
        for (family, version) in targets {
            let layout = poam_layout::builtin().find(family, Some(version)).unwrap();
            let whole = dir.path().join("whole.xlsx");
            let written =
                poam_export::xlsx::write_xlsx(&imported.poam, layout, &Default::default()).unwrap();
            std::fs::write(&whole, &written.bytes).unwrap();
            let streamed = dir.path().join("streamed.xlsx");
            let _ = std::fs::remove_file(&streamed);
            convert(
                &input,
                &[
                    "--to",
                    family,
                    "--template-version",
                    version,
                    "--poam-date",
                    "2025-01-02",
                ],
                &streamed,
            )
            .success();
            assert_eq!(
                cells(&streamed),
                cells(&whole),
                "{} to {family} {version}",
                input.display()
            );
        }
    }
}

#[test]
fn streamed_csv_and_json_are_what_goes_to_standard_output() {
    let dir = tempfile::tempdir().unwrap();
    for input in inputs() {
        for to in ["csv", "json"] {
            let file = dir.path().join(format!("out.{to}"));
            let _ = std::fs::remove_file(&file);
            convert(&input, &["--to", to], &file).success();
            let stdout = poam()
                .arg("convert")
                .arg(&input)
                .args(["--to", to])
                .output()
                .unwrap()
                .stdout;
            assert_eq!(
                String::from_utf8_lossy(&std::fs::read(&file).unwrap()),
                String::from_utf8_lossy(&stdout),
                "{} to {to}",
                input.display()
            );
        }
    }
}

#[test]
fn a_long_workbook_streams_whole_and_a_read_failing_half_way_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("long.xlsx");
    poam_fixtures::write_large_fedramp(2_000, &input).unwrap();
    for (to, name) in [
        ("fedramp", "out.xlsx"),
        ("csv", "out.csv"),
        ("json", "out.json"),
    ] {
        let out = dir.path().join(name);
        convert(&input, &["--to", to], &out)
            .success()
            .stderr(predicates::str::contains("2000 open, 0 closed"));
        let back = poam_import::import_path(&out, &Default::default()).unwrap();
        assert_eq!(back.poam.items.len(), 2_000, "{to}");
        assert_eq!(back.poam.items[1_999].id.as_deref(), Some("POAM-002000"));
        std::fs::remove_file(&out).unwrap();
        // The rows below the first 60 go past the cell limit: the reader
        // stops half-way, after the writer has had items.
        let assert = convert(&input, &["--to", to, "--max-cells", "20000"], &out).code(2);
        let stderr = String::from_utf8_lossy(&assert.get_output().stderr).to_string();
        assert!(stderr.contains("long.xlsx"), "{stderr}");
        assert!(stderr.contains("--max-cells"), "{stderr}");
        assert!(!out.exists(), "{to}: a half-written output was left");
        let left: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .filter(|n| n != "long.xlsx")
            .collect();
        assert!(left.is_empty(), "{to}: left behind {left:?}");
    }
}

#[test]
fn an_output_folder_that_does_not_exist_is_said_at_once_with_exit_3() {
    let dir = tempfile::tempdir().unwrap();
    let input = super::root().join("fixtures/fedramp/fedramp-2.1.xlsx");
    for (to, name) in [
        ("fedramp", "out.xlsx"),
        ("csv", "out.csv"),
        ("json", "out.json"),
    ] {
        let out = dir.path().join("missing").join(name);
        let assert = convert(&input, &["--to", to], &out).code(3);
        let stderr = String::from_utf8_lossy(&assert.get_output().stderr).to_string();
        assert!(stderr.contains(&out.display().to_string()), "{stderr}");
        assert!(stderr.contains("does not exist"), "{stderr}");
        assert!(!stderr.contains(".poam-"), "{stderr}");
    }
}
