//! `poam update`: the month's POA&M from last month's and the month's scans.

use super::{model, poam};
use poam_fixtures::scans::{nessus, Host, Result as Found};
use serde_json::Value;
use std::path::Path;

fn day(text: &str) -> chrono::NaiveDate {
    text.parse().unwrap()
}

const HOSTS: [Host<'static>; 3] = [
    Host {
        name: "web-01",
        ip: "10.0.0.1",
    },
    Host {
        name: "web-02",
        ip: "10.0.0.2",
    },
    Host {
        name: "db-01",
        ip: "10.0.0.3",
    },
];

fn found(
    host: usize,
    plugin: &'static str,
    name: &'static str,
    severity: u8,
    cvss3: Option<f32>,
) -> Found<'static> {
    Found {
        host,
        plugin,
        name,
        severity,
        cvss3,
        cves: &[],
    }
}

/// Runs `poam update` and gives its summary (JSON).
fn month(dir: &Path, last: &Path, scan: &str, out: &str, as_of: &str, extra: &[&str]) -> Value {
    let scan_path = dir.join(format!("{out}.nessus"));
    std::fs::write(&scan_path, scan).unwrap();
    let run = poam()
        .arg("update")
        .arg(last)
        .arg("--scan")
        .arg(&scan_path)
        .arg("-o")
        .arg(dir.join(out))
        .args(["--as-of", as_of, "--format", "json"])
        .args(extra)
        .output()
        .unwrap();
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    serde_json::from_slice(&run.stdout).unwrap()
}

fn ids(v: &Value, key: &str) -> Vec<String> {
    v[key]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            format!(
                "{} {}",
                c["item"].as_str().unwrap(),
                c["finding"].as_str().unwrap()
            )
        })
        .collect()
}

fn item<'a>(m: &'a Value, id: &str) -> &'a Value {
    m["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["id"] == id)
        .unwrap_or_else(|| panic!("{id} is not in {m}"))
}

/// Three months of one system, in the layout given to the first month:
/// findings become items numbered in turn, with their FedRAMP deadline; a
/// finding fixed on one host loses that host; an item whose host was not
/// scanned stays open; an item not found on any of its scanned hosts closes
/// on the scan's day; a closed item found again reopens; an approved false
/// positive found again stays closed.
fn three_months(
    layout: &[&str],
    ext: &str,
    has_detection_date: bool,
    has_false_positive: bool,
    medium_due: &str,
) {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let empty = d.join("empty.json");
    std::fs::write(
        &empty,
        r#"{"system": {"name": "Example Cloud", "organization": "Example CSP"}, "items": []}"#,
    )
    .unwrap();
    // Month 1: three hosts; 1001 (High, CVSS 8.1) on both web hosts, 1002
    // (Medium) on the database.
    let scan1 = nessus(
        "December",
        day("2026-12-01"),
        &HOSTS,
        &[
            found(0, "1001", "Apache HTTP Server < 2.4.60", 3, Some(8.1)),
            found(1, "1001", "Apache HTTP Server < 2.4.60", 3, Some(8.1)),
            found(2, "1002", "PostgreSQL weak TLS", 2, Some(5.3)),
        ],
    );
    let out1 = format!("m1.{ext}");
    let mut args = vec!["--id-prefix", "V-", "--poc", "Jane Doe, ISSO"];
    args.extend(layout);
    let s = month(d, &empty, &scan1, &out1, "2026-12-02", &args);
    assert_eq!(ids(&s, "new"), ["V-0001 1001", "V-0002 1002"]);
    let m1 = model(d.join(&out1).to_str().unwrap(), &[]);
    let a = item(&m1, "V-0001");
    assert_eq!(a["assets"], serde_json::json!(["web-01", "web-02"]));
    if has_detection_date {
        assert_eq!(a["detected_on"], "2026-12-01");
    }
    assert_eq!(a["scheduled_completion"], "2026-12-31", "High: 30 days");
    assert_eq!(a["source_identifier"], "1001");
    // A plugin names no control: the policy's default for a missing patch,
    // said in the comments; the point of contact given; no vendor
    // dependency until someone says so.
    assert_eq!(a["controls"], serde_json::json!(["SI-2"]));
    assert!(a["comments"]
        .as_str()
        .unwrap()
        .contains("controls SI-2 from the"));
    assert_eq!(a["point_of_contact"], "Jane Doe, ISSO");
    if has_false_positive {
        // FedRAMP's deviation columns (eMASS has none).
        assert_eq!(a["vendor"]["dependency"], "no");
    }
    // The policy's default milestones: plan a week before, fix and rescan by
    // the deadline.
    let milestones = a["milestones"].as_array().unwrap();
    assert_eq!(milestones.len(), 2, "{milestones:?}");
    assert!(milestones[1]["description"]
        .as_str()
        .unwrap()
        .contains("verify the fix with a rescan"));
    assert_eq!(milestones[0]["due"], "2026-12-24", "{milestones:?}");
    assert_eq!(
        item(&m1, "V-0002")["scheduled_completion"],
        medium_due,
        "the Medium finding"
    );
    // Month 2: the database is not scanned; 1001 is fixed on web-02; 1003 is new.
    let scan2 = nessus(
        "January",
        day("2027-01-05"),
        &HOSTS[..2],
        &[
            found(0, "1001", "Apache HTTP Server < 2.4.60", 3, Some(8.1)),
            found(1, "1003", "OpenSSH < 9.8 (regreSSHion)", 4, Some(9.8)),
        ],
    );
    let out2 = format!("m2.{ext}");
    let s = month(d, &d.join(&out1), &scan2, &out2, "2027-01-06", &[]);
    assert_eq!(ids(&s, "new"), ["V-0003 1003"]);
    assert_eq!(ids(&s, "still_open"), ["V-0001 1001"]);
    assert_eq!(ids(&s, "not_covered"), ["V-0002 1002"]);
    assert!(ids(&s, "closed").is_empty());
    assert_eq!(s["assets_removed"], 1);
    let m2 = model(d.join(&out2).to_str().unwrap(), &[]);
    let a = item(&m2, "V-0001");
    assert_eq!(a["assets"], serde_json::json!(["web-01"]));
    assert!(a["comments"]
        .as_str()
        .unwrap()
        .contains("no longer affected (scanned, not found): web-02"));
    assert_eq!(item(&m2, "V-0002")["state"], "open");
    // Month 3: every host scanned; 1001 and 1002 are gone, 1003 stays.
    let scan3 = nessus(
        "February",
        day("2027-02-02"),
        &HOSTS,
        &[found(
            1,
            "1003",
            "OpenSSH < 9.8 (regreSSHion)",
            4,
            Some(9.8),
        )],
    );
    let out3 = format!("m3.{ext}");
    let s = month(d, &d.join(&out2), &scan3, &out3, "2027-02-03", &[]);
    assert_eq!(ids(&s, "closed"), ["V-0001 1001", "V-0002 1002"]);
    assert_eq!(ids(&s, "still_open"), ["V-0003 1003"]);
    let m3 = model(d.join(&out3).to_str().unwrap(), &[]);
    assert_eq!(item(&m3, "V-0001")["state"], "closed");
    // The closing day: the completion date, or the status date where the
    // layout has no completion-date column (FedRAMP v3.0's Closed tab).
    let closed = item(&m3, "V-0001");
    let on = if closed["completed_on"].is_null() {
        &closed["status_date"]
    } else {
        &closed["completed_on"]
    };
    assert_eq!(on, "2027-02-02", "{closed}");
    // Month 4: 1001 is back on web-01: the closed item reopens, same ID.
    let scan4 = nessus(
        "March",
        day("2027-03-02"),
        &HOSTS,
        &[
            found(0, "1001", "Apache HTTP Server < 2.4.60", 3, Some(8.1)),
            found(1, "1003", "OpenSSH < 9.8 (regreSSHion)", 4, Some(9.8)),
        ],
    );
    // Between months 3 and 4 the analyst has 1003 approved as a false
    // positive and closes it (in a layout that holds the flag).
    let mut last4 = d.join(&out3);
    if has_false_positive {
        let json = d.join("m3.json");
        poam()
            .arg("convert")
            .arg(d.join(&out3))
            .args(["--to", "json", "-o"])
            .arg(&json)
            .assert()
            .success();
        let mut m: Value = serde_json::from_slice(&std::fs::read(&json).unwrap()).unwrap();
        for i in m["items"].as_array_mut().unwrap() {
            if i["id"] == "V-0003" {
                i["state"] = "closed".into();
                i["completed_on"] = "2027-02-10".into();
                i["risk"]["false_positive"] = "yes".into();
                i["risk"]["deviation_rationale"] = "Backported fix; the banner is stale".into();
            }
        }
        std::fs::write(&json, serde_json::to_vec(&m).unwrap()).unwrap();
        last4 = d.join(format!("m3-fp.{ext}"));
        poam()
            .arg("convert")
            .arg(&json)
            .args(layout)
            .arg("-o")
            .arg(&last4)
            .assert()
            .success();
    }
    let out4 = format!("m4.{ext}");
    let summary = d.join("m4-summary.xlsx");
    let s = month(
        d,
        &last4,
        &scan4,
        &out4,
        "2027-03-03",
        &["--summary-xlsx", summary.to_str().unwrap()],
    );
    // The summary workbook: a Changes row for the reopened item.
    let mut wb: calamine::Xlsx<_> = calamine::open_workbook(&summary).unwrap();
    let changes = calamine::Reader::worksheet_range(&mut wb, "Changes").unwrap();
    assert!(
        changes
            .rows()
            .any(|r| r[0] == "Reopened" && r[1] == "V-0001"),
        "{changes:?}"
    );
    assert_eq!(ids(&s, "reopened"), ["V-0001 1001"]);
    assert!(ids(&s, "new").is_empty());
    if has_false_positive {
        // The approved false positive found again stays closed, and is said.
        assert_eq!(ids(&s, "false_positives_found"), ["V-0003 1003"]);
        let m4 = model(d.join(&out4).to_str().unwrap(), &[]);
        assert_eq!(item(&m4, "V-0003")["state"], "closed");
    }
    let m4 = model(d.join(&out4).to_str().unwrap(), &[]);
    let a = item(&m4, "V-0001");
    assert_eq!(a["state"], "open");
    assert!(a["completed_on"].is_null());
    assert!(a["comments"]
        .as_str()
        .unwrap()
        .contains("reopened: found again"));
}

#[test]
fn three_months_in_the_fedramp_workbook() {
    // FedRAMP's policy: Moderate in 90 days.
    three_months(&["--to", "fedramp"], "xlsx", true, true, "2027-03-01");
}

#[test]
fn three_months_in_the_navy_2026_emass_workbook() {
    // Navy 2026 has no detection-date column; DoD's policy by default: the
    // Medium finding is CAT II, 180 days.
    three_months(
        &["--to", "emass", "--template-version", "navy-2026"],
        "xlsx",
        false,
        // eMASS has no false-positive column: the flag has no place there.
        false,
        "2027-05-30",
    );
}

#[test]
fn update_needs_an_output_and_never_replaces_its_inputs() {
    let dir = tempfile::tempdir().unwrap();
    let scan = dir.path().join("s.nessus");
    std::fs::write(&scan, nessus("x", day("2026-12-01"), &HOSTS[..1], &[])).unwrap();
    poam()
        .args(["update", "fixtures/fedramp/fedramp-3.0.xlsx", "--scan"])
        .arg(&scan)
        .assert()
        .code(2)
        .stderr(predicates::str::contains("add -o"));
    poam()
        .args(["update", "fixtures/fedramp/fedramp-3.0.xlsx", "--scan"])
        .arg(&scan)
        .arg("-o")
        .arg(&scan)
        .assert()
        .code(2);
    // --dry-run: the summary, nothing written.
    poam()
        .args([
            "update",
            "fixtures/fedramp/fedramp-3.0.xlsx",
            "--dry-run",
            "--scan",
        ])
        .arg(&scan)
        .assert()
        .success()
        .stdout(predicates::str::contains("This month's POA&M"));
}

/// Another scanner's CSV, read with a mapping file of its columns: its
/// findings become items with the scanner's own severity words, its
/// first-seen days as detection dates (one item per id and detection day),
/// its name as detector; a bad mapping is refused with its file and reason.
#[test]
fn a_scanner_csv_with_a_mapping_makes_the_month() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let empty = d.join("empty.json");
    std::fs::write(&empty, r#"{"system": {"name": "S"}, "items": []}"#).unwrap();
    let mapping = d.join("acme.toml");
    std::fs::write(
        &mapping,
        "scanner = \"Acme Cloud Scanner\"\n[columns]\nid = \"Check\"\nhost = \"Resource\"\nname = \"Title\"\nseverity = \"Priority\"\nfirst_seen = \"First Seen\"\n[severity]\nP1 = \"critical\"\nP3 = \"medium\"\n",
    )
    .unwrap();
    let scan = d.join("acme.csv");
    std::fs::write(
        &scan,
        "Check,Title,Resource,Priority,First Seen\nS3-001,Public bucket,bucket-a,P1,2026-11-03\nS3-001,Public bucket,bucket-b,P1,2026-11-20\nIAM-7,Old access key,user-x,P3,2026-10-01\n",
    )
    .unwrap();
    let out = d.join("this.json");
    poam()
        .arg("update")
        .arg(&empty)
        .arg("--scan")
        .arg(&scan)
        .arg("--scan-mapping")
        .arg(&mapping)
        .arg("-o")
        .arg(&out)
        .args(["--as-of", "2026-12-01", "--id-prefix", "V-"])
        .assert()
        .success();
    let m = model(out.to_str().unwrap(), &[]);
    let items = m["items"].as_array().unwrap();
    let got: Vec<(String, String, String, String)> = items
        .iter()
        .map(|i| {
            (
                i["source_identifier"].as_str().unwrap().to_string(),
                i["assets"][0].as_str().unwrap().to_string(),
                i["detected_on"].as_str().unwrap().to_string(),
                i["scheduled_completion"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            (
                "S3-001".into(),
                "bucket-a".into(),
                "2026-11-03".into(),
                "2026-12-03".into()
            ),
            (
                "S3-001".into(),
                "bucket-b".into(),
                "2026-11-20".into(),
                "2026-12-20".into()
            ),
            (
                "IAM-7".into(),
                "user-x".into(),
                "2026-10-01".into(),
                "2026-12-30".into()
            ),
        ]
    );
    assert_eq!(items[0]["detector_source"], "Acme Cloud Scanner");
    assert_eq!(
        items[0]["risk"]["original"], "high",
        "P1 is critical: FedRAMP's High"
    );
    // A mapping with a word it does not know is refused, nothing written.
    std::fs::write(&mapping, "scanner = \"x\"\n[columns]\nid = \"Check\"\nhost = \"Resource\"\n[severity]\nP1 = \"urgent\"\n").unwrap();
    let again = d.join("again.json");
    let run = poam()
        .arg("update")
        .arg(&empty)
        .arg("--scan")
        .arg(&scan)
        .arg("--scan-mapping")
        .arg(&mapping)
        .arg("-o")
        .arg(&again)
        .assert()
        .code(2);
    let err = String::from_utf8_lossy(&run.get_output().stderr).to_string();
    assert!(
        err.contains("acme.toml") && err.contains("P1 = \"urgent\""),
        "{err}"
    );
    assert!(!again.exists());
}
