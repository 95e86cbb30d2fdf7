//! Markings and system metadata (issue 15): the marking read from the input
//! is carried to every output, never replaced by another; `--marking` and
//! the system flags set what the file does not say.

use crate::{model, poam, require, root};
use std::io::Read;
use std::path::Path;

fn all_parts(path: &Path) -> String {
    let mut zip = zip::ZipArchive::new(std::fs::File::open(path).unwrap()).unwrap();
    let mut text = String::new();
    for i in 0..zip.len() {
        let mut entry = zip.by_index(i).unwrap();
        if entry.name().unwrap().ends_with(".xml") {
            let mut part = String::new();
            let _ = entry.read_to_string(&mut part);
            text.push_str(&part);
        }
    }
    text
}

/// A CUI-marked Army POA&M converted to the classic RMF layout (whose
/// template says UNCLASSIFIED//FOR OFFICIAL USE ONLY) keeps CUI: in the
/// banner and in the page header and footer of every printed page, drawn
/// or filled into the official template; FOUO appears nowhere.
#[test]
fn a_cui_input_stays_cui_in_every_emass_output() {
    let dir = tempfile::tempdir().unwrap();
    let input = "fixtures/emass/emass-army-2026.xlsx";
    let drawn = dir.path().join("drawn.xlsm");
    let run = poam()
        .args([
            "convert",
            input,
            "--to",
            "emass",
            "--template-version",
            "rmf-classic",
            "-o",
        ])
        .arg(&drawn)
        .output()
        .unwrap();
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let mut outputs = vec![drawn];
    let template =
        root().join("../shared/reference/real-files/emass/eMASS-POAM-Template-RMF-classic.xlsm");
    if template.is_file() {
        let filled = dir.path().join("filled.xlsm");
        let run = poam()
            .args(["convert", input, "--into"])
            .arg(&template)
            .arg("-o")
            .arg(&filled)
            .output()
            .unwrap();
        assert!(run.status.success());
        let err = String::from_utf8_lossy(&run.stderr);
        assert!(
            err.contains("the template is marked \"UNCLASSIFIED//FOR OFFICIAL USE ONLY\" and the input \"CONTROLLED UNCLASSIFIED INFORMATION\""),
            "{err}"
        );
        outputs.push(filled);
    } else {
        require::missing(&format!("{} is absent", template.display()));
    }
    for out in &outputs {
        let xml = all_parts(out);
        assert!(
            !xml.contains("FOR OFFICIAL USE ONLY"),
            "{}: FOUO written",
            out.display()
        );
        let sheet = crate::xml_part(out, "xl/worksheets/sheet1.xml");
        assert!(
            sheet.contains("CONTROLLED UNCLASSIFIED INFORMATION *****</oddHeader>"),
            "{}: page header",
            out.display()
        );
        assert!(sheet.contains("CONTROLLED UNCLASSIFIED INFORMATION *****</oddFooter>"));
        let back = poam()
            .arg("convert")
            .arg(out)
            .args(["--to", "json"])
            .output()
            .unwrap();
        let v: serde_json::Value = serde_json::from_slice(&back.stdout).unwrap();
        assert_eq!(
            v["system"]["marking"],
            "CONTROLLED UNCLASSIFIED INFORMATION"
        );
        if let Some(pages) = crate::deliverables::pdf_pages(out, dir.path()) {
            // The POA&M sheet's pages (the template's other tabs print too).
            let poam_pages: Vec<&String> = pages
                .iter()
                .filter(|p| p.contains("Local accounts") || p.contains("Legacy protocol"))
                .collect();
            assert!(!poam_pages.is_empty(), "{}: {pages:?}", out.display());
            for p in poam_pages {
                // The page header and footer, and the banner on the first page.
                assert!(
                    p.matches("CONTROLLED UNCLASSIFIED INFORMATION").count() >= 2,
                    "{}: a page without its marking: {p}",
                    out.display()
                );
                assert!(!p.contains("FOR OFFICIAL USE ONLY"));
            }
        }
    }
}

/// `--marking` on a FedRAMP conversion (the template has no banner): every
/// output carries it, and replacing the file's own is said.
#[test]
fn a_marking_given_reaches_every_format() {
    let dir = tempfile::tempdir().unwrap();
    let marking = "CUI//SP-PRVCY";
    let input = "fixtures/fedramp/fedramp-3.0.xlsx";
    let outputs = [
        ("fedramp", "out.xlsx"),
        ("csv", "out.csv"),
        ("oscal", "out.oscal.json"),
        ("nist171-docx", "out.docx"),
    ];
    for (to, name) in outputs {
        let out = dir.path().join(name);
        let run = poam()
            .args(["convert", input, "--marking", marking, "--to", to, "-o"])
            .arg(&out)
            .output()
            .unwrap();
        assert!(
            run.status.success(),
            "{to}: {}",
            String::from_utf8_lossy(&run.stderr)
        );
        match to {
            "fedramp" => {
                let sheet = crate::xml_part(&out, "xl/worksheets/sheet1.xml");
                assert!(
                    sheet.contains(&format!("<oddHeader>&amp;C{marking}</oddHeader>")),
                    "{sheet:.300}"
                );
            }
            "csv" | "oscal" => {
                let back = poam()
                    .arg("convert")
                    .arg(&out)
                    .args(["--to", "json"])
                    .output()
                    .unwrap();
                let v: serde_json::Value = serde_json::from_slice(&back.stdout).unwrap();
                assert_eq!(v["system"]["marking"], marking, "{to}");
            }
            _ => {
                // The plan's page header, as NIST's template has it: the
                // marking, then "Plan of Action for" the system.
                let xml = all_parts(&out);
                assert!(
                    xml.contains(&format!("{marking} Plan of Action")),
                    "{to}: the page header"
                );
            }
        }
    }
    let report = poam()
        .args(["report", input, "--format", "md", "--marking", marking])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&report.stdout);
    assert!(text.starts_with(&format!("**{marking}**")), "{text:.200}");
    assert!(text.trim_end().ends_with(&format!("**{marking}**")));
    // Over a file marked otherwise: written, and said.
    let run = poam()
        .args([
            "convert",
            "fixtures/emass/emass-navy-2026.xlsx",
            "--marking",
            marking,
            "--to",
            "json",
        ])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&run.stderr);
    assert!(
        err.contains(&format!("the file is marked \"CONTROLLED UNCLASSIFIED INFORMATION\"; --marking writes \"{marking}\"")),
        "{err}"
    );
}

/// The system flags fill the metadata cells of the templates: FedRAMP's
/// CSP, offering, impact level and date; eMASS's header fields by label.
#[test]
fn system_flags_fill_the_metadata_of_every_layout() {
    let dir = tempfile::tempdir().unwrap();
    let flags = [
        "--system-name",
        "Example Offering",
        "--organization",
        "Example CSP",
        "--impact-level",
        "High",
        "--poam-date",
        "2026-11-30",
        "--header-field",
        "POC Name=Pat Smith",
    ];
    for (to, version, ext) in [
        ("fedramp", "3.0", "xlsx"),
        ("fedramp", "2.1", "xlsx"),
        ("emass", "navy-2026", "xlsx"),
    ] {
        let out = dir.path().join(format!("{version}.{ext}"));
        let run = poam()
            .args([
                "convert",
                "fixtures/legacy/unit-tracker.xlsx",
                "--to",
                to,
                "--template-version",
                version,
            ])
            .args(flags)
            .arg("-o")
            .arg(&out)
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&run.stderr);
        assert!(run.status.success(), "{version}: {err}");
        assert!(!err.contains("left blank"), "{version}: {err}");
        let back = poam()
            .arg("convert")
            .arg(&out)
            .args(["--to", "json"])
            .output()
            .unwrap();
        let v: serde_json::Value = serde_json::from_slice(&back.stdout).unwrap();
        let system = &v["system"];
        assert_eq!(system["name"], "Example Offering", "{version}");
        assert_eq!(system["organization"], "Example CSP", "{version}");
        assert_eq!(system["poam_date"], "2026-11-30", "{version}");
        if to == "fedramp" {
            assert_eq!(system["impact_level"], "High", "{version}");
        } else {
            assert_eq!(system["extra"]["POC Name:"], "Pat Smith", "{version}");
        }
    }
    let bad = poam()
        .args([
            "convert",
            "fixtures/fedramp/fedramp-3.0.xlsx",
            "--to",
            "json",
            "--poam-date",
            "soon",
        ])
        .output()
        .unwrap();
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("--poam-date: \"soon\" is not a date"));
}

/// A tracker without the system's metadata written to a template that asks
/// for it: each blank mandatory cell is a warning naming the option that
/// fills it, `validate` finds it too, and the POA&M date is today's, said.
#[test]
fn blank_metadata_is_warned_and_the_poam_date_defaults_to_today() {
    let dir = tempfile::tempdir().unwrap();
    let days = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
        / 86_400;
    let today = chrono::NaiveDate::from_ymd_opt(1970, 1, 1).unwrap() + chrono::Days::new(days);
    for (to, version, blanks) in [
        (
            "fedramp",
            "3.0",
            &[
                ("Cloud Service Provider", "--organization"),
                ("Cloud Service Offering", "--system-name"),
                ("Impact Level", "--impact-level"),
            ][..],
        ),
        (
            "emass",
            "navy-2026",
            &[
                ("System / Project Name", "--system-name"),
                ("POC Name", "--header-field \"POC Name=...\""),
            ][..],
        ),
    ] {
        let out = dir.path().join(format!("{version}.xlsx"));
        let run = poam()
            .args([
                "convert",
                "fixtures/legacy/unit-tracker.xlsx",
                "--to",
                to,
                "--template-version",
                version,
                "-o",
            ])
            .arg(&out)
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&run.stderr);
        assert!(run.status.success(), "{version}: {err}");
        for (label, how) in blanks {
            assert!(
                err.contains(&format!("'{label}' is left blank")) && err.contains(how),
                "{version}: {label}: {err}"
            );
        }
        assert!(
            err.contains(&format!(
                "the input has no POA&M date: {} (today) is written",
                today.format("%Y-%m-%d")
            )),
            "{version}: {err}"
        );
        let back = model(out.to_str().unwrap(), &[]);
        assert_eq!(
            back["system"]["poam_date"],
            today.format("%Y-%m-%d").to_string(),
            "{version}"
        );
        // validate with the template finds the same blanks in the input.
        let check = poam()
            .args([
                "validate",
                "fixtures/legacy/unit-tracker.xlsx",
                "--template",
            ])
            .arg(format!("{to}:{version}"))
            .args(["--format", "json"])
            .output()
            .unwrap();
        let findings: serde_json::Value = serde_json::from_slice(&check.stdout)
            .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&check.stderr)));
        let blank: Vec<&str> = findings["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["rule"] == "metadata-blank")
            .map(|f| f["message"].as_str().unwrap())
            .collect();
        for (label, _) in blanks {
            assert!(
                blank
                    .iter()
                    .any(|m| m.contains(&format!("'{label}' is blank"))),
                "{version}: {blank:?}"
            );
        }
    }
}

/// Filling a template that carries no marking (FedRAMP's) with a marked
/// POA&M: the marking goes in the page header and footer of the sheets
/// filled, and prints on their pages.
#[test]
fn a_marking_reaches_a_filled_template_that_has_none() {
    let template = root()
        .join("../shared/reference/real-files/fedramp/FedRAMP-POAM-Template-v3.0-2025-11-17.xlsx");
    if !template.is_file() {
        require::missing(&format!("{} is absent", template.display()));
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("filled.xlsx");
    let run = poam()
        .args([
            "convert",
            "fixtures/fedramp/fedramp-2.1.xlsx",
            "--marking",
            "CUI",
            "--into",
        ])
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
    let sheet = crate::xml_part(&out, "xl/worksheets/sheet2.xml");
    assert!(
        sheet.contains("<headerFooter><oddHeader>&amp;CCUI</oddHeader><oddFooter>&amp;CCUI</oddFooter></headerFooter><drawing"),
        "{}",
        &sheet[sheet.find("</sheetData>").unwrap()..]
    );
    if let Some(pages) = crate::deliverables::pdf_pages(&out, dir.path()) {
        let filled: Vec<&String> = pages.iter().filter(|p| p.contains("POAM-001")).collect();
        assert!(!filled.is_empty());
        assert!(
            filled.iter().all(|p| p.contains("CUI")),
            "a filled page without the marking"
        );
    }
}
