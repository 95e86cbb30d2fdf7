//! Deliverables: Word (NIST plan of action, report), Markdown and HTML
//! reports, the conversion report, and files that LibreOffice opens.

use super::{item, model, poam, root};
use serde_json::Value;
use std::io::Read;
use std::path::{Path, PathBuf};

pub(crate) fn part(path: &Path, name: &str) -> String {
    let mut zip = zip::ZipArchive::new(std::fs::File::open(path).unwrap()).unwrap();
    let mut text = String::new();
    zip.by_name(name)
        .unwrap()
        .read_to_string(&mut text)
        .unwrap();
    text
}

pub(crate) fn on_path(name: &str) -> Option<PathBuf> {
    std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|p| p.join(name))
            .find(|p| p.is_file())
    })
}

/// Every page of the PDF LibreOffice prints of `file`, as text.
pub(crate) fn pdf_pages(file: &Path, dir: &Path) -> Option<Vec<String>> {
    let Some(soffice) = on_path("soffice") else {
        crate::require::missing("LibreOffice is not installed; .ci/run installs it");
        return None;
    };
    let Some(pdftotext) = on_path("pdftotext") else {
        crate::require::missing("pdftotext (poppler-utils) is not installed; .ci/run installs it");
        return None;
    };
    let out = dir.join("pdf");
    let status = std::process::Command::new(soffice)
        .args(["--headless", "--convert-to", "pdf", "--outdir"])
        .arg(&out)
        .arg(file)
        .env("HOME", dir)
        .output()
        .unwrap();
    assert!(status.status.success());
    let pdf = out.join(file.with_extension("pdf").file_name().unwrap());
    let text = std::process::Command::new(pdftotext)
        .arg(&pdf)
        .arg("-")
        .output()
        .unwrap();
    Some(
        String::from_utf8_lossy(&text.stdout)
            .split('\u{c}')
            .filter(|p| !p.trim().is_empty())
            .map(str::to_string)
            .collect(),
    )
}

#[test]
fn the_nist_plan_of_action_in_word_reads_back() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("plan.docx");
    poam()
        .args([
            "convert",
            "fixtures/nist/plan-of-action.xlsx",
            "--to",
            "nist171-docx",
            "-o",
        ])
        .arg(&out)
        .assert()
        .success();
    let xml = part(&out, "word/document.xml");
    assert!(xml.contains("w:orient=\"landscape\""), "landscape page");
    assert_eq!(
        xml.matches("<w:tblHeader/>").count(),
        1,
        "the header row repeats on every page"
    );
    let before = model("fixtures/nist/plan-of-action.xlsx", &[]);
    let after = model(out.to_str().unwrap(), &[]);
    for (a, b) in before["items"]
        .as_array()
        .unwrap()
        .iter()
        .zip(after["items"].as_array().unwrap())
    {
        for key in [
            "controls",
            "weakness_description",
            "point_of_contact",
            "resources_required",
            "scheduled_completion",
            "milestones",
            "milestone_changes",
            "detector_source",
            "state",
        ] {
            assert_eq!(a[key], b[key], "{key}");
        }
    }
    // A FedRAMP POA&M becomes a NIST plan too, requirement ids leading the weakness.
    let fed = dir.path().join("fed.docx");
    poam()
        .args([
            "convert",
            "fixtures/fedramp/fedramp-2.1.xlsx",
            "--to",
            "nist171-docx",
            "-o",
        ])
        .arg(&fed)
        .assert()
        .success();
    let m = model(fed.to_str().unwrap(), &[]);
    assert_eq!(m["items"].as_array().unwrap().len(), 5);
    let closed = m["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["state"] == "closed")
        .unwrap();
    assert_eq!(closed["controls"], serde_json::json!(["3.1.1", "3.1.2"]));
    assert_eq!(closed["status"], "completed");
    // What the NIST plan has no column for is said.
    let out = poam()
        .args([
            "convert",
            "fixtures/fedramp/fedramp-2.1.xlsx",
            "--to",
            "nist171-docx",
            "-o",
        ])
        .arg(&fed)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("(risk.original) has no place in the NIST SP 800-171 plan of action"),
        "{stderr}"
    );
}

#[test]
fn the_word_report_uses_heading_styles_and_lists_every_open_item() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("report.docx");
    poam()
        .args([
            "report",
            "fixtures/fedramp/fedramp-2.1.xlsx",
            "--format",
            "docx",
            "--as-of",
            "2024-10-01",
            "-o",
        ])
        .arg(&out)
        .assert()
        .success();
    let xml = part(&out, "word/document.xml");
    let styles = part(&out, "word/styles.xml");
    assert!(
        styles.contains("w:styleId=\"Heading1\"") && styles.contains("w:outlineLvl w:val=\"0\""),
        "heading styles"
    );
    for heading in ["Summary", "Overdue items", "Items"] {
        assert!(xml.contains(&format!("<w:pStyle w:val=\"Heading1\" /></w:pPr><w:r><w:rPr /><w:t xml:space=\"preserve\">{heading}</w:t>"))
            || xml.contains(&format!(">{heading}</w:t>")), "{heading}");
    }
    assert!(
        xml.contains("PAGEREF _Toc0 \\h") && xml.contains("w:name=\"_Toc0\""),
        "a table of contents whose page numbers refer to the headings"
    );
    for open in [
        "POAM-001: Open port on example firewall",
        "POAM-002: Shared administrator account",
        "CFG-001: SSH permits root login",
    ] {
        assert!(xml.contains(open), "{open}");
    }
    assert!(
        !xml.contains("POAM-000: Guest account enabled"),
        "closed items get no section"
    );
    assert!(xml.contains("2024-08-03 (59 days overdue)"));
}

/// The Word report as LibreOffice prints it: the table of contents gives
/// each heading's real page, every page carries the marking at top and
/// bottom and "Page N of M", an item's block never starts at the foot of a
/// page apart from its heading; Word is asked to update fields on opening;
/// the document names its title and author; paragraph properties follow the
/// schema's order.
#[test]
fn the_word_report_prints_with_page_numbers_markings_and_whole_items() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("report.docx");
    poam()
        .args([
            "report",
            "fixtures/fedramp/fedramp-3.0.xlsx",
            "--format",
            "docx",
            "--marking",
            "CUI",
            "--author",
            "A. Analyst",
            "--as-of",
            "2024-10-01",
            "-o",
        ])
        .arg(&out)
        .assert()
        .success();
    let settings = part(&out, "word/settings.xml");
    assert!(
        settings.contains("<w:updateFields w:val=\"true\"/>"),
        "{settings}"
    );
    assert!(
        settings.find("<w:zoom").unwrap() < settings.find("<w:defaultTabStop").unwrap(),
        "settings in the schema's order"
    );
    let core = part(&out, "docProps/core.xml");
    assert!(
        core.contains("<dc:title>Plan of Action and Milestones: Example Cloud</dc:title>"),
        "{core}"
    );
    assert!(
        core.contains("<dc:creator>A. Analyst</dc:creator>"),
        "{core}"
    );
    assert!(!core.contains("1970-01-01"), "{core}");
    let xml = part(&out, "word/document.xml");
    for ppr in xml.split("<w:pPr>").skip(1) {
        let ppr = &ppr[..ppr.find("</w:pPr>").unwrap()];
        if let Some(at) = ppr.find("<w:rPr") {
            assert!(
                !ppr[at..].contains("<w:pStyle") && !ppr[at..].contains("<w:keepNext"),
                "w:rPr comes last in w:pPr: {ppr}"
            );
        }
    }
    // The HTML report's three charts, as images.
    let zip = zip::ZipArchive::new(std::fs::File::open(&out).unwrap()).unwrap();
    let images: Vec<String> = zip
        .file_names()
        .map(|n| n.unwrap().into_owned())
        .filter(|n| n.starts_with("word/media/") && n.ends_with(".png"))
        .collect();
    assert_eq!(images.len(), 3, "{images:?}");
    assert_eq!(xml.matches("<pic:pic").count(), 3);
    let Some(pages) = pdf_pages(&out, dir.path()) else {
        return;
    };
    let total = pages.len();
    assert!(total >= 2, "{pages:?}");
    for (n, page) in pages.iter().enumerate() {
        assert!(page.matches("CUI").count() >= 2, "page {}: {page}", n + 1);
        assert!(
            page.contains(&format!("Page {} of {total}", n + 1)),
            "page {}: {page}",
            n + 1
        );
    }
    // The contents give each heading the page it is printed on.
    let contents = &pages[0];
    for heading in [
        "Summary",
        "POAM-002: Shared administrator account",
        "CFG-001: SSH permits root login",
    ] {
        let line = contents
            .lines()
            .find(|l| l.starts_with(heading) || l.trim_start().starts_with(heading))
            .unwrap_or_else(|| panic!("{heading} in the contents: {contents}"));
        let page: usize = line
            .trim_end()
            .rsplit(|c: char| !c.is_ascii_digit())
            .next()
            .and_then(|d| d.parse().ok())
            .unwrap_or_else(|| panic!("no page number: {line}"));
        assert!(
            pages[page - 1].lines().any(|l| l.trim() == heading),
            "{heading} is not on page {page}"
        );
    }
    // No page ends on an item's heading with its block on the next.
    for page in &pages {
        let lines: Vec<&str> = page
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .collect();
        let body: Vec<&&str> = lines
            .iter()
            .filter(|l| !l.starts_with("Page ") && **l != "CUI")
            .collect();
        if let Some(last) = body.last() {
            assert!(
                !(last.contains(": ") && last.starts_with("POAM-")),
                "a page ends on the heading {last}"
            );
        }
    }
}

#[test]
fn markdown_and_html_reports_from_templates() {
    let md = poam()
        .args([
            "report",
            "fixtures/fedramp/fedramp-2.1.xlsx",
            "--format",
            "md",
            "--as-of",
            "2024-10-01",
        ])
        .output()
        .unwrap();
    assert!(md.status.success());
    let md = String::from_utf8(md.stdout).unwrap();
    assert!(md.contains("- Items: 5 (4 open, 1 closed)"), "{md}");
    assert!(
        md.contains("| POAM-001 | Open port on example firewall | Moderate | 2024-08-03 | 59 |"),
        "{md}"
    );
    let html = poam()
        .args([
            "report",
            "fixtures/emass/emass-navy-2026.xlsx",
            "--format",
            "html",
            "--as-of",
            "2025-02-01",
        ])
        .output()
        .unwrap();
    let html = String::from_utf8(html.stdout).unwrap();
    assert_eq!(html.matches("<svg").count(), 3, "three inline charts");
    assert!(!html.contains("http://") || html.matches("http://").all(|_| true));
    assert!(
        !html.contains("<script src") && !html.contains("<link "),
        "self-contained: no external resources"
    );
    assert!(html.contains("Overdue items by month due"));

    // A user's own template replaces the built-in one; a typo is reported with its line.
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("report.md"),
        "Open: {{ open }} of {{ total }}\n",
    )
    .unwrap();
    poam()
        .args([
            "report",
            "fixtures/fedramp/fedramp-2.1.xlsx",
            "--format",
            "md",
            "--template-dir",
        ])
        .arg(dir.path())
        .assert()
        .success()
        .stdout("Open: 4 of 5\n");
    std::fs::write(dir.path().join("report.md"), "line one\n{{ opne }}\n").unwrap();
    poam()
        .args([
            "report",
            "fixtures/fedramp/fedramp-2.1.xlsx",
            "--format",
            "md",
            "--template-dir",
        ])
        .arg(dir.path())
        .assert()
        .code(2)
        .stderr(predicates::str::contains("report.md: line 2"));
}

#[test]
fn the_html_report_renders_its_charts_in_chromium() {
    let Some(chromium) = on_path("chromium").or_else(|| on_path("chromium-browser")) else {
        crate::require::missing("Chromium is not installed; .ci/run installs it");
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let html = dir.path().join("report.html");
    poam()
        .args([
            "report",
            "fixtures/fedramp/fedramp-2.1.xlsx",
            "--format",
            "html",
            "--as-of",
            "2024-10-01",
            "-o",
        ])
        .arg(&html)
        .assert()
        .success();
    let profile = dir.path().join("profile");
    let base = [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
    ];
    let url = format!("file://{}", html.display());
    let dom = std::process::Command::new(&chromium)
        .args(base)
        .arg(format!("--user-data-dir={}", profile.display()))
        .args(["--dump-dom", &url])
        .output()
        .unwrap();
    let dom = String::from_utf8_lossy(&dom.stdout);
    assert!(
        dom.contains("data-rendered-charts=\"3\""),
        "the browser laid out three charts"
    );
    let shot = dir.path().join("report.png");
    let status = std::process::Command::new(&chromium)
        .args(base)
        .arg(format!("--user-data-dir={}", profile.display()))
        .arg(format!("--screenshot={}", shot.display()))
        .args(["--window-size=1200,1600", &url])
        .stderr(std::process::Stdio::null())
        .status()
        .unwrap();
    assert!(status.success());
    let png = std::fs::read(&shot).unwrap();
    assert!(png.starts_with(b"\x89PNG"), "a PNG screenshot");
    assert!(
        png.len() > 20_000,
        "the page drew something: {} bytes",
        png.len()
    );
}

#[test]
fn libreoffice_opens_every_deliverable() {
    let Some(soffice) = on_path("soffice") else {
        crate::require::missing("LibreOffice is not installed; .ci/run installs it");
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let mut files = Vec::new();
    for (args, name) in [
        (
            vec![
                "convert",
                "fixtures/fedramp/fedramp-2.1.xlsx",
                "--to",
                "fedramp",
            ],
            "fedramp.xlsx",
        ),
        (
            vec![
                "convert",
                "fixtures/emass/emass-navy-2026.xlsx",
                "--to",
                "emass",
                "--template-version",
                "navy-2026",
            ],
            "emass.xlsx",
        ),
        (
            vec![
                "convert",
                "fixtures/nist/plan-of-action.docx",
                "--to",
                "nist171-docx",
            ],
            "nist.docx",
        ),
        (
            vec![
                "report",
                "fixtures/fedramp/fedramp-2.1.xlsx",
                "--format",
                "docx",
            ],
            "report.docx",
        ),
        (
            vec![
                "report",
                "fixtures/quality/capa-log.xlsx",
                "--policy",
                "quality",
                "--format",
                "docx",
            ],
            "corrective-action-report.docx",
        ),
    ] {
        let out = dir.path().join(name);
        poam().args(&args).arg("-o").arg(&out).assert().success();
        files.push(out);
    }
    // The monthly update's workbook and its change summary.
    let empty = dir.path().join("empty.json");
    std::fs::write(&empty, r#"{"system": {"name": "S"}, "items": []}"#).unwrap();
    let scan = dir.path().join("month.nessus");
    let hosts = [poam_fixtures::scans::Host {
        name: "web-01",
        ip: "10.0.0.1",
    }];
    let found = [poam_fixtures::scans::Result {
        host: 0,
        plugin: "1001",
        name: "Apache HTTP Server < 2.4.60",
        severity: 3,
        cvss3: Some(8.1),
        cves: &["CVE-2024-38476"],
    }];
    let day = chrono::NaiveDate::from_ymd_opt(2026, 12, 1).unwrap();
    std::fs::write(
        &scan,
        poam_fixtures::scans::nessus("December", day, &hosts, &found),
    )
    .unwrap();
    let (update, summary) = (
        dir.path().join("update.xlsx"),
        dir.path().join("update-summary.xlsx"),
    );
    poam()
        .arg("update")
        .arg(&empty)
        .arg("--scan")
        .arg(&scan)
        .args(["--to", "fedramp", "--as-of", "2026-12-02", "-o"])
        .arg(&update)
        .arg("--summary-xlsx")
        .arg(&summary)
        .assert()
        .success();
    files.push(update);
    files.push(summary);
    // The deviation request form.
    let dr_in = dir.path().join("dr.json");
    std::fs::write(
        &dr_in,
        r#"{"system": {"name": "S"}, "items": [{"id": "V-1", "state": "open", "weakness_name": "x", "risk": {"original": "high", "adjusted": "moderate", "adjustment": "pending", "deviation_rationale": "Internal only."}}]}"#,
    )
    .unwrap();
    let dr = dir.path().join("deviation-request.xlsx");
    poam()
        .arg("deviation")
        .arg(&dr_in)
        .arg("-o")
        .arg(&dr)
        .assert()
        .success();
    files.push(dr);
    // The supplier package's Word and workbook files.
    let package = dir.path().join("supplier.zip");
    poam()
        .args(["package", "fixtures/quality/capa-log.xlsx", "-o"])
        .arg(&package)
        .assert()
        .success();
    let mut zip = zip::ZipArchive::new(std::fs::File::open(&package).unwrap()).unwrap();
    for name in [
        "plan-of-action.docx",
        "plan-of-action.xlsx",
        "assessment-summary.docx",
    ] {
        let mut bytes = Vec::new();
        std::io::Read::read_to_end(&mut zip.by_name(name).unwrap(), &mut bytes).unwrap();
        let out = dir.path().join(format!("supplier-{name}"));
        std::fs::write(&out, bytes).unwrap();
        files.push(out);
    }
    let profile = format!("-env:UserInstallation=file://{}/lo", dir.path().display());
    let pdfs = dir.path().join("pdf");
    let status = std::process::Command::new(soffice)
        .args(["--headless", &profile, "--convert-to", "pdf", "--outdir"])
        .arg(&pdfs)
        .args(&files)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status()
        .unwrap();
    assert!(status.success());
    for f in &files {
        let pdf = pdfs.join(f.with_extension("pdf").file_name().unwrap());
        let bytes = std::fs::read(&pdf).unwrap_or_default();
        assert!(
            bytes.starts_with(b"%PDF") && bytes.len() > 1000,
            "LibreOffice could not open {}",
            f.display()
        );
    }
}

#[test]
fn report_json_lists_what_the_target_could_not_hold() {
    let dir = tempfile::tempdir().unwrap();
    let report = dir.path().join("conversion.json");
    poam()
        .args([
            "convert",
            "fixtures/emass/emass-rmf-classic.xlsm",
            "--to",
            "fedramp",
            "-o",
        ])
        .arg(dir.path().join("out.xlsx"))
        .arg("--report-json")
        .arg(&report)
        .assert()
        .success();
    let v: Value = serde_json::from_slice(&std::fs::read(&report).unwrap()).unwrap();
    assert_eq!(v["target"], "fedramp");
    assert_eq!(v["template"], "fedramp 3.0");
    assert_eq!(v["read_as"], "emass rmf-classic");
    let messages: Vec<&str> = v["conversion"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["message"].as_str().unwrap())
        .collect();
    assert!(
        messages
            .iter()
            .any(|m| m.contains("(emass.mitigations) has no place in FedRAMP")),
        "{messages:?}"
    );
    assert!(
        messages
            .iter()
            .any(|m| m.contains("CAT II converted to Original Risk Rating Moderate")),
        "{messages:?}"
    );
    let _ = (item, root);
}

#[test]
fn fedramp_cells_stay_blank_rather_than_n_a() {
    let dir = tempfile::tempdir().unwrap();
    let mut m = model("fixtures/fedramp/fedramp-3.0.xlsx", &[]);
    m["items"][0]["vendor"]["dependency"] = Value::Null;
    m["items"][0]["extra"]["Vendor Dependency"] = Value::from("N/A");
    let input = dir.path().join("in.json");
    std::fs::write(&input, serde_json::to_vec(&m).unwrap()).unwrap();
    let out = dir.path().join("out.xlsx");
    let result = poam()
        .args(["convert", input.to_str().unwrap(), "--to", "fedramp", "-o"])
        .arg(&out)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&result.stderr);
    assert!(
        stderr.contains("'N/A' in 'Vendor Dependency' left blank, as the FedRAMP template asks"),
        "{stderr}"
    );
    let back = model(out.to_str().unwrap(), &[]);
    assert_eq!(back["items"][0]["vendor"]["dependency"], Value::Null);
    assert!(back["items"][0]["extra"].get("Vendor Dependency").is_none());
    // The official N/A of the Adjusted Risk Rating list is kept.
    assert_eq!(
        item(&back, "POAM-002")["extra"]["Adjusted Risk Rating"],
        "N/A"
    );
}

/// The NIST plan as NIST's template lays it out: its page header (the
/// marking, "Plan of Action for" the system) and page-number footer, its
/// margins and column widths, a FedRAMP weakness name kept before its
/// description, milestones dated as read and not numbered; LibreOffice
/// prints it with the header and page number.
#[test]
fn the_nist_plan_has_the_templates_header_footer_margins_and_widths() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("plan.docx");
    poam()
        .args([
            "convert",
            "fixtures/fedramp/fedramp-2.1.xlsx",
            "--to",
            "nist171-docx",
            "-o",
        ])
        .arg(&out)
        .assert()
        .success();
    let doc = crate::xml_part(&out, "word/document.xml");
    assert!(
        doc.contains("w:top=\"720\"") && doc.contains("w:left=\"1080\""),
        "margins"
    );
    for w in [1728, 1774, 1440, 1260, 3420, 1800, 1440, 1026] {
        assert!(
            doc.contains(&format!("<w:gridCol w:w=\"{w}\"")),
            "column width {w}"
        );
    }
    assert!(
        doc.contains("Open port on example firewall: Port 80 is open"),
        "the weakness name"
    );
    assert!(!doc.contains("(1) "), "milestones numbered by poam");
    let mut zip = zip::ZipArchive::new(std::fs::File::open(&out).unwrap()).unwrap();
    let mut header = String::new();
    let mut footer = String::new();
    for i in 0..zip.len() {
        let mut entry = zip.by_index(i).unwrap();
        let name = entry.name().unwrap().to_string();
        let mut text = String::new();
        std::io::Read::read_to_string(&mut entry, &mut text).unwrap();
        if name.starts_with("word/header") {
            header.push_str(&text);
        } else if name.starts_with("word/footer") {
            footer.push_str(&text);
        }
    }
    assert!(
        header.contains("Controlled Unclassified Information Plan of Action for Example Cloud"),
        "{header}"
    );
    assert!(footer.contains("PAGE"), "{footer}");
    // Every item reads back, the one whose weakness names an example host too.
    let m = model(out.to_str().unwrap(), &[]);
    assert_eq!(m["items"].as_array().unwrap().len(), 5);
    let Some(pages) = pdf_pages(&out, dir.path()) else {
        return;
    };
    let first = &pages[0];
    assert!(
        first.contains("Plan of Action for Example Cloud"),
        "{first}"
    );
    assert!(first.contains("Page 1"), "{first}");
}

/// The age chart counts every open item: those detected after `--as-of`
/// and those without a detection date have buckets of their own; a long
/// weakness line is shown whole.
#[test]
fn the_age_chart_counts_every_open_item() {
    let run = poam()
        .args([
            "report",
            "fixtures/fedramp/fedramp-2.1.xlsx",
            "--format",
            "html",
            "--as-of",
            "2024-06-01",
        ])
        .output()
        .unwrap();
    assert!(run.status.success());
    let html = String::from_utf8_lossy(&run.stdout);
    let chart = &html[html.find("Age of open items").unwrap()..];
    let chart = &chart[..chart.find("</svg>").unwrap()];
    assert!(chart.contains("detected after the as-of date"), "{chart}");
    assert!(chart.contains("no detection date"), "{chart}");
}

/// A value kept raw on import ("Severe", "13/45/2024") goes back into its
/// column as read, never lost, and the warning names the item and column
/// whose template check refuses it; `validate` flags it too.
#[test]
fn values_the_templates_checks_refuse_are_written_and_said() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("v30.xlsx");
    let run = poam()
        .args([
            "convert",
            "fixtures/fedramp/fedramp-2.1.xlsx",
            "--to",
            "fedramp",
            "-o",
        ])
        .arg(&out)
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&run.stderr);
    assert!(err.contains("POAM-002: \"Severe\" written in 'Original Risk Rating', which the template's check refuses (it takes Low, Moderate, High)"), "{err}");
    assert!(
        err.contains("POAM-002: \"13/45/2024\" written in 'Original Detection Date'"),
        "{err}"
    );
    let sheet = crate::xml_part(&out, "xl/sharedStrings.xml");
    assert!(
        sheet.contains("Severe") && sheet.contains("13/45/2024"),
        "written as read"
    );
    let validate = poam()
        .args(["validate", "fixtures/fedramp/fedramp-2.1.xlsx"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&validate.stdout);
    assert!(text.contains("\"Severe\""), "{text}");
}

/// Under the DoD policy a report names risks as DISA categories (CAT I/II/
/// III), as the policy counts them; without it, as ratings.
#[test]
fn the_dod_report_speaks_in_categories() {
    let report = |args: &[&str]| {
        let out = poam()
            .args([
                "report",
                "fixtures/emass/emass-navy-2026.xlsx",
                "--format",
                "md",
                "--as-of",
                "2024-12-01",
            ])
            .args(args)
            .output()
            .unwrap();
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    let dod = report(&["--policy", "dod"]);
    assert!(
        dod.contains("| CAT II | 1 |") && dod.contains("| CAT III | 1 |"),
        "{dod}"
    );
    assert!(dod.contains("- Risk: CAT II"), "{dod}");
    let plain = report(&[]);
    assert!(!plain.contains("CAT II"), "{plain}");
    assert!(plain.contains("| Moderate | 1 |"), "{plain}");
}

/// A PDF's pages: each page's text and whether it is landscape.
fn pdf_read(pdf: &Path) -> Vec<(String, bool)> {
    let pdftotext = on_path("pdftotext").expect("pdftotext");
    let pdfinfo = on_path("pdfinfo").expect("pdfinfo (poppler-utils)");
    let text = std::process::Command::new(pdftotext)
        .arg(pdf)
        .arg("-")
        .output()
        .unwrap();
    let pages: Vec<String> = String::from_utf8_lossy(&text.stdout)
        .split('\u{c}')
        .map(str::to_string)
        .collect();
    let info = std::process::Command::new(pdfinfo)
        .args(["-f", "1", "-l", "100000"])
        .arg(pdf)
        .output()
        .unwrap();
    let sizes: Vec<bool> = String::from_utf8_lossy(&info.stdout)
        .lines()
        .filter(|l| l.starts_with("Page") && l.contains(" size:"))
        .map(|l| {
            let n: Vec<f64> = l
                .split_whitespace()
                .filter_map(|w| w.parse().ok())
                .collect();
            // "Page    1 size: 792 x 612 pts": the page number, then w and h.
            n.len() >= 3 && n[1] > n[2]
        })
        .collect();
    sizes
        .into_iter()
        .enumerate()
        .map(|(i, landscape)| (pages.get(i).cloned().unwrap_or_default(), landscape))
        .collect()
}

/// Every deliverable printed as a reviewer prints it (LibreOffice for
/// workbooks and Word files, Chromium for the HTML report): each page of a
/// marked POA&M carries its marking, the landscape layouts print landscape,
/// and a three-item POA&M prints on the few pages it needs (the Navy 2026
/// template once printed on 14 A4 portrait pages).
#[test]
fn every_deliverable_prints_marked_on_every_page_in_its_orientation() {
    let Some(soffice) = on_path("soffice") else {
        crate::require::missing("LibreOffice is not installed; .ci/run installs it");
        return;
    };
    if on_path("pdfinfo").is_none() || on_path("pdftotext").is_none() {
        crate::require::missing("poppler-utils is not installed; .ci/run installs it");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let input = "fixtures/emass/emass-navy-2026.xlsx"; // 3 items, marked CUI
    let marking = "CONTROLLED UNCLASSIFIED INFORMATION";
    let run = |args: &[&str], out: &Path| {
        let r = poam().args(args).arg("-o").arg(out).output().unwrap();
        assert!(
            r.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&r.stderr)
        );
    };
    // (file, landscape on every page, most pages)
    let mut cases: Vec<(PathBuf, Option<bool>, usize)> = Vec::new();
    for v in [
        "rmf-classic",
        "navy-2024",
        "navy-2026",
        "army-2026",
        "marine-2026",
    ] {
        let out = d.join(format!("{v}.xlsx"));
        run(
            &["convert", input, "--to", "emass", "--template-version", v],
            &out,
        );
        cases.push((out, Some(true), 3));
    }
    for v in ["3.0", "2.1"] {
        let out = d.join(format!("fedramp-{v}.xlsx"));
        run(
            &["convert", input, "--to", "fedramp", "--template-version", v],
            &out,
        );
        // FedRAMP's own print setup: its item tabs portrait, unscaled.
        cases.push((out, None, 40));
    }
    let nist = d.join("nist.docx");
    run(&["convert", input, "--to", "nist171-docx"], &nist);
    cases.push((nist, Some(true), 1));
    let report = d.join("report.docx");
    run(&["report", input, "--format", "docx"], &report);
    cases.push((report, Some(true), 4));
    let units = d.join("units");
    for unit in ["east", "west"] {
        std::fs::create_dir_all(units.join(unit)).unwrap();
        std::fs::copy(root().join(input), units.join(unit).join("poam.xlsx")).unwrap();
    }
    let rollup = d.join("rollup.xlsx");
    run(
        &[
            "rollup",
            units.to_str().unwrap(),
            "--to",
            "emass",
            "--template-version",
            "navy-2026",
        ],
        &rollup,
    );
    cases.push((rollup, Some(true), 4));
    for (file, landscape, most) in &cases {
        let out = d.join("pdf");
        let status = std::process::Command::new(&soffice)
            .args(["--headless", "--convert-to", "pdf", "--outdir"])
            .arg(&out)
            .arg(file)
            .env("HOME", d)
            .output()
            .unwrap();
        assert!(status.status.success());
        let pdf = out.join(file.with_extension("pdf").file_name().unwrap());
        let pages = pdf_read(&pdf);
        let name = file.file_name().unwrap().to_string_lossy();
        assert!(
            !pages.is_empty() && pages.len() <= *most,
            "{name}: {} pages",
            pages.len()
        );
        for (n, (text, is_landscape)) in pages.iter().enumerate() {
            assert!(text.contains(marking), "{name} page {}: no marking", n + 1);
            if let Some(l) = landscape {
                assert_eq!(is_landscape, l, "{name} page {}: orientation", n + 1);
            }
        }
    }
    // The HTML report printed by Chromium: the marking on every page.
    let Some(chromium) = on_path("chromium").or_else(|| on_path("chromium-browser")) else {
        crate::require::missing("Chromium is not installed; .ci/run installs it");
        return;
    };
    let html = d.join("report.html");
    run(&["report", input, "--format", "html"], &html);
    let pdf = d.join("report-html.pdf");
    let status = std::process::Command::new(&chromium)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--disable-background-networking",
            "--no-pdf-header-footer",
        ])
        .arg(format!("--user-data-dir={}", d.join("profile").display()))
        .arg(format!("--print-to-pdf={}", pdf.display()))
        .arg(format!("file://{}", html.display()))
        .stderr(std::process::Stdio::null())
        .status()
        .unwrap();
    assert!(status.success());
    let pages = pdf_read(&pdf);
    assert!(!pages.is_empty());
    let pages: Vec<&String> = pages
        .iter()
        .map(|(t, _)| t)
        .filter(|t| !t.trim().is_empty())
        .collect();
    let total = pages.len();
    for (n, text) in pages.iter().enumerate() {
        // In the page's margins: the marking above and below, the number.
        assert!(
            text.matches(marking).count() >= 2,
            "HTML report page {}: {text}",
            n + 1
        );
        assert!(
            text.contains(&format!("Page {} of {total}", n + 1)),
            "HTML report page {}: {text}",
            n + 1
        );
    }
}

/// The corrective-action report, as a registrar's auditor opens it in a
/// browser: titled so, open items by framework and clause with their
/// headings, the closed items awaiting their effectiveness check, and the
/// sentence that a POA&M is not evidence.
#[test]
fn the_corrective_action_report_renders_in_chromium() {
    let Some(chromium) = on_path("chromium").or_else(|| on_path("chromium-browser")) else {
        crate::require::missing("Chromium is not installed; .ci/run installs it");
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let html = dir.path().join("car.html");
    poam()
        .args([
            "report",
            "fixtures/quality/capa-log.xlsx",
            "--policy",
            "quality",
            "--format",
            "html",
            "--as-of",
            "2026-12-06",
            "-o",
        ])
        .arg(&html)
        .assert()
        .success();
    let dom = std::process::Command::new(&chromium)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
        ])
        .arg(format!(
            "--user-data-dir={}",
            dir.path().join("profile").display()
        ))
        .arg("--dump-dom")
        .arg(format!("file://{}", html.display()))
        .output()
        .unwrap();
    let dom = String::from_utf8_lossy(&dom.stdout);
    assert!(dom.contains("<h1>Corrective-action report</h1>"), "{dom}");
    assert!(
        dom.contains("8.7.1 in 8.7 Control of nonconforming outputs (1)"),
        "{dom}"
    );
    assert!(
        dom.contains("Closed, effectiveness not yet verified"),
        "{dom}"
    );
    assert!(dom.contains("it is not evidence that the requirements are met"));
    assert!(
        dom.contains("data-rendered-charts=\"3\""),
        "the charts laid out"
    );
}
