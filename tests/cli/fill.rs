//! `convert --into`: the items written into the user's own copy of an
//! official blank template (the official files in ../shared), the template
//! refused when it is not one, the formulas kept or replaced, and more items
//! than the template has rows.

use crate::{poam, require, root};
use std::path::PathBuf;

fn template(name: &str) -> Option<PathBuf> {
    let path = root().join("../shared/reference/real-files").join(name);
    if path.is_file() {
        Some(path)
    } else {
        require::missing(&format!("{} is absent", path.display()));
        None
    }
}

const V30: &str = "fedramp/FedRAMP-POAM-Template-v3.0-2025-11-17.xlsx";

/// The cell element of `reference` in a sheet's XML.
fn cell<'a>(xml: &'a str, reference: &str) -> &'a str {
    let at = xml
        .find(&format!("<c r=\"{reference}\""))
        .unwrap_or_else(|| panic!("no cell {reference}"));
    let rest = &xml[at..];
    let head = rest.find('>').unwrap();
    if rest[..head].ends_with('/') {
        &rest[..=head]
    } else {
        &rest[..rest.find("</c>").unwrap() + 4]
    }
}

#[test]
fn into_refuses_what_is_not_a_template_and_never_replaces_it() {
    let Some(v30) = template(V30) else { return };
    let dir = tempfile::tempdir().unwrap();
    let copy = dir.path().join("blank.xlsx");
    std::fs::copy(&v30, &copy).unwrap();
    let before = std::fs::read(&copy).unwrap();
    let out = dir.path().join("out.xlsx");
    let input = "fixtures/fedramp/fedramp-3.0.xlsx";
    let cases: Vec<(Vec<std::ffi::OsString>, &str)> = vec![
        (
            vec![
                "--into".into(),
                root().join("fixtures/legacy/unit-tracker.xlsx").into(),
                "-o".into(),
                out.clone().into(),
            ],
            "a template to fill is a copy of an official blank",
        ),
        (
            vec![
                "--into".into(),
                copy.clone().into(),
                "--to".into(),
                "fedramp".into(),
                "--template-version".into(),
                "2.1".into(),
                "-o".into(),
                out.clone().into(),
            ],
            "is the FedRAMP Rev 5 POA&M template v3.0 (2025-11-17) template, and --to asks for",
        ),
        (
            vec![
                "--into".into(),
                copy.clone().into(),
                "-o".into(),
                copy.clone().into(),
            ],
            "the output would replace the template given to --into",
        ),
        (
            vec!["--into".into(), copy.clone().into()],
            "add -o OUT.xlsx",
        ),
    ];
    for (args, words) in cases {
        let run = poam()
            .args(["convert", input])
            .args(&args)
            .output()
            .unwrap();
        assert_eq!(run.status.code(), Some(2), "{args:?}");
        let err = String::from_utf8_lossy(&run.stderr);
        assert!(err.contains(words), "{args:?}: {err}");
        assert!(!out.exists(), "{args:?}");
        assert_eq!(
            std::fs::read(&copy).unwrap(),
            before,
            "{args:?}: the template changed"
        );
    }
}

/// The template's Scheduled Completion formula stays, and the items whose
/// own date it does not give are named; with --keep-dates their dates are
/// written, and the formula goes on from the next row.
#[test]
fn the_templates_formula_is_kept_or_replaced_by_the_items_dates() {
    let Some(v30) = template(V30) else { return };
    let dir = tempfile::tempdir().unwrap();
    let input = "fixtures/fedramp/fedramp-2.1.xlsx";
    let kept = dir.path().join("kept.xlsx");
    let run = poam()
        .args(["convert", input, "--into"])
        .arg(&v30)
        .arg("-o")
        .arg(&kept)
        .output()
        .unwrap();
    assert!(run.status.success());
    let err = String::from_utf8_lossy(&run.stderr);
    assert!(
        err.contains("1 item(s) have a \"Scheduled Completion Date\" other than the template's formula gives (POAM-002: 2024-12-31, the formula none"),
        "{err}"
    );
    let sheet = crate::xml_part(&kept, "xl/worksheets/sheet2.xml");
    // Row 10 is the template's first formula row (the shared formula's master).
    let m10 = cell(&sheet, "M10");
    assert!(
        m10.contains("<f t=\"shared\" ref=\"M10:M1252\" si=\"1\">IF("),
        "{m10}"
    );
    assert!(crate::xml_part(&kept, "xl/workbook.xml").contains("fullCalcOnLoad=\"1\""));

    let values = dir.path().join("values.xlsx");
    let run = poam()
        .args(["convert", input, "--keep-dates", "--into"])
        .arg(&v30)
        .arg("-o")
        .arg(&values)
        .output()
        .unwrap();
    assert!(run.status.success());
    assert!(String::from_utf8_lossy(&run.stderr)
        .contains("their own dates are written in place of the formula (--keep-dates)"));
    let sheet = crate::xml_part(&values, "xl/worksheets/sheet2.xml");
    let m10 = cell(&sheet, "M10");
    assert!(!m10.contains("<f"), "{m10}");
    assert!(
        m10.contains("<v>45657</v>"),
        "2024-12-31 as Excel's serial: {m10}"
    );
    // The shared formula's master moved to the next row that keeps the
    // formula (the third open item has no date of its own), its references
    // with it; the rows below still share it.
    let m11 = cell(&sheet, "M11");
    assert!(
        m11.contains("<f t=\"shared\" ref=\"M11:M1252\" si=\"1\">IF((S11=&quot;N/A&quot;)"),
        "{m11}"
    );
    assert!(cell(&sheet, "M12").contains("<f t=\"shared\" si=\"1\"/>"));
    // Both read back with the items' own dates.
    for file in [&kept, &values] {
        let out = poam()
            .arg("convert")
            .arg(file)
            .args(["--to", "json"])
            .output()
            .unwrap();
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        let item = v["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|i| i["id"] == "POAM-002")
            .unwrap();
        assert_eq!(
            item["scheduled_completion"],
            "2024-12-31",
            "{}",
            file.display()
        );
    }
}

/// More items than the template has rows: the rows past its last one are
/// made like it, its formula moved to each, and the validations and the
/// banding grown over them. LibreOffice opens the file and computes the
/// formula on every row as the items' dates.
#[test]
fn more_items_than_the_template_has_rows_are_written_like_its_last_row() {
    let Some(v30) = template(V30) else { return };
    let dir = tempfile::tempdir().unwrap();
    let large = dir.path().join("large.xlsx");
    poam_fixtures::write_large_fedramp(4_500, &large).unwrap();
    let out = dir.path().join("filled.xlsx");
    let run = poam()
        .arg("convert")
        .arg(&large)
        .arg("--into")
        .arg(&v30)
        .arg("-o")
        .arg(&out)
        .output()
        .unwrap();
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    // The generator's dates are the FedRAMP formula's: nothing differs.
    assert!(!String::from_utf8_lossy(&run.stderr).contains("formula gives"));
    let sheet = crate::xml_part(&out, "xl/worksheets/sheet2.xml");
    let last = 9 + 4_500 - 1;
    let m = cell(&sheet, &format!("M{last}"));
    assert!(
        m.contains(&format!("<f>IF(OR(S{last}=&quot;N/A&quot;")),
        "{m}"
    );
    assert!(sheet.contains(&format!("B9:AB{last}")), "the banding grows");
    assert!(
        sheet.contains(&format!("L9:L{last}")),
        "the date validation grows"
    );
    let read = poam().arg("inspect").arg(&out).output().unwrap();
    assert!(String::from_utf8_lossy(&read.stdout).contains("items:   4500 open, 0 closed"));

    // LibreOffice recalculates on opening: its copy holds the formula's
    // results, which are the items' dates on the last row too.
    let Some(soffice) = crate::deliverables::on_path("soffice") else {
        require::missing("LibreOffice is not installed; .ci/run installs it");
        return;
    };
    let converted = dir.path().join("lo");
    let status = std::process::Command::new(soffice)
        .args(["--headless", "--convert-to", "xlsx", "--outdir"])
        .arg(&converted)
        .arg(&out)
        .env("HOME", dir.path())
        .output()
        .unwrap();
    assert!(status.status.success());
    let again = converted.join("filled.xlsx");
    let json = poam()
        .arg("convert")
        .arg(&again)
        .args(["--to", "json"])
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    let items = v["items"].as_array().unwrap();
    assert_eq!(items.len(), 4_500);
    let original = poam()
        .arg("convert")
        .arg(&large)
        .args(["--to", "json"])
        .output()
        .unwrap();
    let w: serde_json::Value = serde_json::from_slice(&original.stdout).unwrap();
    for n in [0, 4_012, 4_013, 4_499] {
        assert_eq!(
            items[n]["scheduled_completion"], w["items"][n]["scheduled_completion"],
            "item {n}: LibreOffice's result of the template's formula"
        );
    }
}
