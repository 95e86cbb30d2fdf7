//! A user's layout file: read and written with no rebuild, listed by
//! `poam layouts`, refused with its file and line when wrong.

use super::{model, poam, root};
use calamine::Reader;
use std::path::{Path, PathBuf};

/// The Navy 2024 layout under a new family and version, with two headers
/// renamed, as an agency's new template would arrive.
fn agency_layout(dir: &Path) -> PathBuf {
    let text = std::fs::read_to_string(root().join("templates/emass/navy-2024.toml")).unwrap();
    let text = text
        .replace("family = \"emass\"", "family = \"dla\"")
        .replace("family_label = \"eMASS\"", "family_label = \"DLA\"")
        .replace("version = \"navy-2024\"", "version = \"2026-12\"")
        .replace("aliases = [\"navy2024\"]", "aliases = []")
        .replace("\"POA&M Item ID\"", "\"Finding Number\"")
        .replace(
            "\"Control Vulnerability Description\"",
            "\"Description of the Finding\"",
        );
    assert!(text.contains("\"Finding Number\""));
    let path = dir.join("dla-2026-12.toml");
    std::fs::write(&path, text).unwrap();
    path
}

/// `poam convert` of the Navy 2024 fixture to the `dla` family of `layout`.
fn write_with(layout: &Path, out: &Path) {
    poam()
        .args([
            "convert",
            "fixtures/emass/emass-navy-2024.xlsx",
            "--to",
            "dla",
        ])
        .arg("--layout")
        .arg(layout)
        .arg("-o")
        .arg(out)
        .assert()
        .success();
}

#[test]
fn a_users_layout_file_reads_and_writes_with_no_rebuild() {
    let dir = tempfile::tempdir().unwrap();
    let layout = agency_layout(dir.path());
    let out = dir.path().join("dla.xlsx");
    write_with(&layout, &out);
    // The written workbook carries the renamed headers where the layout says.
    let mut wb = calamine::open_workbook_auto(&out).unwrap();
    let range = wb.worksheet_range("POA&M").unwrap();
    let header: Vec<String> = (1..4)
        .map(|c| {
            range
                .get_value((6, c))
                .map(|v| v.to_string())
                .unwrap_or_default()
        })
        .collect();
    assert_eq!(
        header,
        [
            "Finding Number",
            "Description of the Finding",
            "Controls / APs"
        ]
    );
    // Read back with the layout: detected as the user's layout, same items.
    let layout_arg = layout.to_str().unwrap();
    let back = model(out.to_str().unwrap(), &["--layout", layout_arg]);
    let before = model("fixtures/emass/emass-navy-2024.xlsx", &[]);
    let ids = |m: &serde_json::Value| -> Vec<String> {
        m["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["id"].as_str().unwrap_or_default().to_string())
            .collect()
    };
    assert_eq!(ids(&back), ids(&before));
    assert_eq!(
        super::without_origin(back.clone())["items"][0]["weakness_description"],
        before["items"][0]["weakness_description"]
    );
    let inspect = poam()
        .args(["inspect"])
        .arg(&out)
        .args(["--layout", layout_arg])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&inspect.stdout);
    assert!(text.contains("layout:  dla 2026-12"), "{text}");
    // Without the layout file, `--to dla` is not a format.
    poam()
        .args([
            "convert",
            "fixtures/emass/emass-navy-2024.xlsx",
            "--to",
            "dla",
            "-o",
        ])
        .arg(dir.path().join("x.xlsx"))
        .assert()
        .code(2)
        .stderr(predicates::str::contains(
            "unknown output format \"dla\"; choose one of: emass, fedramp, mccast, nist-171, csv",
        ));
}

#[test]
fn poam_layouts_says_where_each_layout_comes_from() {
    let dir = tempfile::tempdir().unwrap();
    let layout = agency_layout(dir.path());
    let out = poam()
        .arg("layouts")
        .arg("--layout")
        .arg(&layout)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success());
    assert!(
        text.contains(&format!("from: your layout file {}", layout.display())),
        "{text}"
    );
    assert!(
        text.contains("from: built-in (templates/fedramp/v3.0.toml)"),
        "{text}"
    );
    // The same from a folder named by POAM_LAYOUT_DIR.
    let out = poam()
        .arg("layouts")
        .env("POAM_LAYOUT_DIR", dir.path())
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("dla        2026-12"), "{text}");
    // A folder that does not exist is said, not ignored.
    poam()
        .arg("layouts")
        .env("POAM_LAYOUT_DIR", dir.path().join("nowhere"))
        .assert()
        .code(2)
        .stderr(predicates::str::contains("POAM_LAYOUT_DIR"));
}

#[test]
fn a_layout_file_with_a_typo_is_refused_with_its_file_and_line() {
    let dir = tempfile::tempdir().unwrap();
    let layout = agency_layout(dir.path());
    let text = std::fs::read_to_string(&layout).unwrap();
    let line = text
        .lines()
        .position(|l| l.starts_with("row_mode"))
        .unwrap()
        + 1;
    let cases = [
        (
            text.replace("row_mode = ", "row_mod = "),
            format!("{}:{line}:1: unknown field `row_mod`", layout.display()),
        ),
        (
            text.replace(
                "field = \"source_identifier\"",
                "field = \"source_identifer\"",
            ),
            "maps to unknown field \"source_identifer\"".to_string(),
        ),
        (
            text.replace("field = \"poam_date\"", "field = \"poam_dates\""),
            "unknown variant `poam_dates`".to_string(),
        ),
        (
            text.replace("first_column = \"B\"", "first_column = \"B2\""),
            "first_column \"B2\" is not a column letter".to_string(),
        ),
    ];
    for (bad, want) in cases {
        std::fs::write(&layout, &bad).unwrap();
        let out = poam()
            .args([
                "convert",
                "fixtures/emass/emass-navy-2024.xlsx",
                "--to",
                "json",
            ])
            .arg("--layout")
            .arg(&layout)
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{stderr}");
        assert!(stderr.contains(&want), "want {want:?} in {stderr}");
        assert!(
            stderr.contains(&format!("{}:", layout.display())),
            "{stderr}"
        );
        assert!(out.stdout.is_empty());
    }
}

#[test]
fn a_layouts_style_and_page_setup_reach_the_written_workbook() {
    let dir = tempfile::tempdir().unwrap();
    let layout = agency_layout(dir.path());
    let text = std::fs::read_to_string(&layout).unwrap();
    // The style and print tables, and row heights on the sheet (in place of
    // the print table the layout copied from has).
    let without = |text: String, table: &str| match text.find(table) {
        Some(at) => {
            let end = at + 1 + text[at + 1..].find("\n\n").unwrap();
            format!("{}{}", &text[..at], &text[end..])
        }
        None => text,
    };
    let text = without(without(text, "\n[print]\n"), "\n[style]\n");
    let text: String = text
        .lines()
        .filter(|l| !l.starts_with("row_heights = "))
        .map(|l| format!("{l}\n"))
        .collect();
    let text = text.replacen(
        "[columns]",
        "[style]\nfont = \"Arial\"\nfont_size = 10\ntitle_size = 18\ntitle_color = \"1F3864\"\nband_fill = \"DDEBF7\"\n\n[print]\norientation = \"landscape\"\npaper = \"legal\"\nfit_to_width = true\nheader = \"&C***** CONTROLLED UNCLASSIFIED INFORMATION *****\"\nfooter = \"&CPage &P of &N\"\nrepeat_header = true\n\n[columns]",
        1,
    );
    let text = text.replacen(
        "row_mode = \"continuation\"",
        "row_mode = \"continuation\"\nrow_heights = { 7 = 30 }\ndata_row_height = 45",
        1,
    );
    std::fs::write(&layout, text).unwrap();
    let out = dir.path().join("styled.xlsx");
    write_with(&layout, &out);
    let mut zip = zip::ZipArchive::new(std::fs::File::open(&out).unwrap()).unwrap();
    let mut part = |name: &str| {
        let mut s = String::new();
        std::io::Read::read_to_string(&mut zip.by_name(name).unwrap(), &mut s).unwrap();
        s
    };
    let sheet = part("xl/worksheets/sheet1.xml");
    assert!(sheet.contains("orientation=\"landscape\""), "{sheet}");
    assert!(sheet.contains("paperSize=\"5\""), "{sheet}");
    assert!(sheet.contains("fitToHeight=\"0\""), "{sheet}");
    assert!(
        sheet.contains(
            "<oddHeader>&amp;C***** CONTROLLED UNCLASSIFIED INFORMATION *****</oddHeader>"
        ),
        "{sheet}"
    );
    assert!(sheet.contains("<oddFooter>&amp;CPage &amp;P of &amp;N</oddFooter>"));
    assert!(
        sheet.contains("<row r=\"7\"") && sheet.contains("ht=\"30\""),
        "{sheet}"
    );
    assert!(sheet.contains("ht=\"45\""), "{sheet}");
    let styles = part("xl/styles.xml");
    assert!(styles.contains("<name val=\"Arial\"/>"), "{styles}");
    assert!(styles.contains("<sz val=\"10\"/>"), "{styles}");
    assert!(styles.contains("FFDDEBF7"), "{styles}");
    let workbook = part("xl/workbook.xml");
    assert!(workbook.contains("_xlnm.Print_Titles"), "{workbook}");
}
