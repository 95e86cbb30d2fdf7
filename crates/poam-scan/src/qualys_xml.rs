//! Qualys's XML: the scan results of `scan-1.dtd` (`<SCAN>`: one `<IP>` per
//! host, its `VULNS`, `PRACTICES` (potential vulnerabilities), `INFOS` and
//! `SERVICES` in categories, each result with its QID, severity, CVSS and
//! CVEs) and the asset data report of `asset_data_report.dtd`
//! (`<ASSET_DATA_REPORT>`: one `HOST` per asset with its `VULN_INFO`s, their
//! first and last found dates and status, the QIDs' details in the
//! `GLOSSARY` at the end).
//!
//! Read with a streaming XML reader; an asset data report's results are
//! kept until its glossary is read.

use crate::csv_exports::{qualys_severity, score};
use crate::{
    xml_text, Asset, Cvss, CvssVersion, Finding, IdKind, Outcome, Scan, ScanError, ScanNote,
    Severity,
};
use quick_xml::events::{BytesStart, Event};
use quick_xml::Reader;
use std::collections::HashMap;
use std::io::BufRead;

fn attr(e: &BytesStart<'_>, name: &str) -> Option<String> {
    crate::xml_attr(e, name).filter(|v| !v.trim().is_empty())
}

/// One result or glossary entry being read: its attributes and the text of
/// its child elements, CVE ids gathered apart.
#[derive(Default, Clone)]
struct Record {
    attrs: HashMap<String, String>,
    fields: HashMap<String, String>,
    cves: Vec<String>,
    line: usize,
    asset: usize,
    /// The section it is in (`VULNS`, `INFOS`...), for scan-1 results.
    section: String,
    /// Its category's port and protocol, for scan-1 results.
    port: Option<String>,
}

impl Record {
    fn get(&self, key: &str) -> Option<&str> {
        self.fields
            .get(key)
            .map(|v| v.trim())
            .filter(|v| !v.is_empty() && *v != "-" && *v != "N/A")
    }
}

/// Qualys's markup in its texts (`<P>`, `<BR>`) as plain lines.
fn plain(text: &str) -> String {
    let mut out = text.to_string();
    for tag in ["<P>", "<p>", "<BR>", "<br>", "<br/>", "<BR/>"] {
        out = out.replace(tag, "\n");
    }
    out.lines()
        .map(str::trim_end)
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join("\n")
}

fn cvss_of(r: &Record, f: &mut Finding) {
    for (version, keys) in [
        (
            CvssVersion::V3,
            ["CVSS3_BASE", "CVSS3_SCORE", "CVSS3_FINAL"],
        ),
        (CvssVersion::V2, ["CVSS_BASE", "CVSS_SCORE", "CVSS_FINAL"]),
    ] {
        if let Some((score, vector)) = keys.iter().find_map(|k| r.get(k).and_then(score)) {
            if !f.cvss.iter().any(|c| c.version == version) {
                f.cvss.push(Cvss {
                    version,
                    score,
                    vector,
                });
            }
        }
    }
}

/// Reads a Qualys scan (`scan-1.dtd`) or asset data report XML.
pub(crate) fn read<R: BufRead>(
    file: &str,
    input: R,
    sink: &mut dyn FnMut(Finding),
) -> Result<Scan, ScanError> {
    let mut reader = Reader::from_reader(input);
    let mut buf = Vec::new();
    let mut line = 1usize;
    let mut scan = Scan::new(file, "qualys-xml", "Qualys");
    let mut stack: Vec<String> = Vec::new();
    let mut text = String::new();
    let mut record: Option<Record> = None;
    let mut host: Option<usize> = None;
    let mut section = String::new();
    let mut port: Option<String> = None;
    let mut header_key: Option<String> = None;
    let mut report = false;
    let mut pending: Vec<Record> = Vec::new();
    let mut glossary: HashMap<String, Record> = HashMap::new();
    let mut unknown = 0usize;
    loop {
        let at = line;
        let event = crate::xml_event(&mut reader, &mut buf, file, at, "the Qualys XML", "")?;
        if let Some(t) = xml_text(&event, &mut line) {
            text.push_str(&t);
            buf.clear();
            continue;
        }
        match &event {
            Event::Start(e) | Event::Empty(e) => {
                let name = e.name().as_ref().to_string();
                text.clear();
                match name.as_str() {
                    "ASSET_DATA_REPORT" => {
                        report = true;
                        scan.format = "qualys-asset-data-report".into();
                    }
                    "KEY" => header_key = attr(e, "value"),
                    "IP" if !report && stack.last().is_some_and(|p| p == "SCAN") => {
                        scan.assets.push(Asset {
                            name: attr(e, "value").unwrap_or_default(),
                            ip: attr(e, "value"),
                            fqdn: attr(e, "name").filter(|n| n != "No registered hostname"),
                            ..Asset::default()
                        });
                        host = Some(scan.assets.len() - 1);
                    }
                    "HOST" if report => {
                        scan.assets.push(Asset::default());
                        host = Some(scan.assets.len() - 1);
                    }
                    "VULNS" | "INFOS" | "SERVICES" | "PRACTICES" => section = name.clone(),
                    "CAT" => {
                        port = match (attr(e, "port"), attr(e, "protocol")) {
                            (Some(p), Some(proto)) => Some(format!("{p}/{proto}")),
                            (Some(p), None) => Some(p),
                            _ => None,
                        }
                    }
                    "VULN" | "INFO" | "SERVICE" | "PRACTICE"
                        if !report && host.is_some() && record.is_none() =>
                    {
                        record = Some(Record {
                            attrs: e
                                .attributes()
                                .flatten()
                                .filter_map(|a| {
                                    let v = a
                                        .normalized_value(quick_xml::XmlVersion::Implicit1_0)
                                        .ok()?;
                                    Some((a.key.as_ref().to_string(), v.into_owned()))
                                })
                                .collect(),
                            line: at,
                            asset: host.unwrap_or(0),
                            section: section.clone(),
                            port: port.clone(),
                            ..Record::default()
                        });
                    }
                    "VULN_INFO" if report && host.is_some() => {
                        record = Some(Record {
                            line: at,
                            asset: host.unwrap_or(0),
                            ..Record::default()
                        });
                    }
                    "VULN_DETAILS" if report => {
                        record = Some(Record {
                            line: at,
                            ..Record::default()
                        });
                    }
                    _ => {}
                }
                if matches!(event, Event::Start(_)) {
                    stack.push(name);
                }
            }
            Event::End(e) => {
                let name = e.name().as_ref().to_string();
                stack.pop();
                let value = text.trim().to_string();
                match name.as_str() {
                    "KEY" => {
                        if header_key.as_deref() == Some("DATE") {
                            scan.scanned_on = crate::day_of(&value);
                        }
                        header_key = None;
                    }
                    "GENERATION_DATETIME" => scan.scanned_on = crate::day_of(&value),
                    "TITLE" if stack.last().is_some_and(|p| p == "HEADER") => {
                        scan.name = Some(value.clone())
                    }
                    "IP" | "DNS" | "NETBIOS" | "OPERATING_SYSTEM" | "OS"
                        if record.is_none() && !value.is_empty() =>
                    {
                        if let Some(a) = host.and_then(|h| scan.assets.get_mut(h)) {
                            match name.as_str() {
                                "IP" if report => {
                                    a.ip = Some(value.clone());
                                    a.name = value.clone();
                                }
                                "DNS" => a.fqdn = Some(value.clone()),
                                "NETBIOS" => a.netbios = Some(value.clone()),
                                "OPERATING_SYSTEM" | "OS" => a.os = Some(value.clone()),
                                _ => {}
                            }
                        }
                    }
                    "ID" if stack.last().is_some_and(|p| p == "CVE_ID") => {
                        if let Some(r) = record.as_mut() {
                            if crate::is_cve(&value) && !r.cves.contains(&value) {
                                r.cves.push(value.clone());
                            }
                        }
                    }
                    "VULN" | "INFO" | "SERVICE" | "PRACTICE" if !report => {
                        if let Some(r) = record.take() {
                            sink(finding_of_scan(&r, &mut unknown));
                        }
                    }
                    "VULN_INFO" if report => pending.extend(record.take()),
                    "VULN_DETAILS" if report => {
                        if let Some(r) = record.take() {
                            if let Some(q) = r.get("QID").map(str::to_string) {
                                glossary.insert(q, r);
                            }
                        }
                    }
                    "HOST" | "IP" if record.is_none() && stack.len() <= 2 => host = None,
                    _ => {
                        if let Some(r) = record.as_mut() {
                            if !value.is_empty() && !r.fields.contains_key(&name) {
                                r.fields.insert(name, value);
                            }
                        }
                    }
                }
                text.clear();
            }
            Event::Eof => break,
            _ => {}
        }
        buf.clear();
    }
    if scan.assets.is_empty() {
        return Err(ScanError::NotScan {
            file: file.to_string(),
            reason: "a Qualys XML file without a host".into(),
        });
    }
    let mut missing = 0usize;
    for r in pending {
        let details = r.get("QID").and_then(|q| glossary.get(q));
        if details.is_none() {
            missing += 1;
        }
        if let Some(f) = finding_of_report(&r, details, &mut unknown) {
            sink(f);
        }
    }
    if missing > 0 {
        scan.notes.push(ScanNote {
            position: "GLOSSARY".into(),
            message: format!(
                "{missing} result(s) whose QID the glossary does not describe: read without title or severity"
            ),
        });
    }
    if unknown > 0 {
        scan.notes.push(ScanNote {
            position: "the whole file".into(),
            message: format!("{unknown} result(s) of unknown severity, read as Medium: rate them"),
        });
    }
    Ok(scan)
}

fn severity(word: Option<&str>, unknown: &mut usize) -> Severity {
    word.and_then(qualys_severity).unwrap_or_else(|| {
        *unknown += 1;
        Severity::Medium
    })
}

/// A scan-1 result.
fn finding_of_scan(r: &Record, unknown: &mut usize) -> Finding {
    let qid = r.attrs.get("number").cloned().unwrap_or_default();
    let mut f = Finding::new(&qid, IdKind::Qid, r.asset, format!("line {}", r.line));
    f.title = r.get("TITLE").unwrap_or(&qid).to_string();
    f.description = r.get("DIAGNOSIS").map(plain);
    f.synopsis = r.get("CONSEQUENCE").map(plain);
    f.solution = r.get("SOLUTION").map(plain);
    f.output = r.get("RESULT").map(str::to_string);
    f.port = r.port.clone();
    let word = r.attrs.get("severity").map(String::as_str);
    f.raw_severity = word.unwrap_or("").to_string();
    f.severity = severity(word, unknown);
    cvss_of(r, &mut f);
    f.cves = r.cves.clone();
    if let Some(c) = r.attrs.get("cveid") {
        for c in c.split(',').map(str::trim).filter(|c| crate::is_cve(c)) {
            if !f.cves.iter().any(|x| x == c) {
                f.cves.push(c.to_string());
            }
        }
    }
    f.outcome = match r.section.as_str() {
        "VULNS" | "PRACTICES" => Outcome::Open,
        _ => Outcome::Informational,
    };
    if f.severity == Severity::Info {
        f.outcome = Outcome::Informational;
    }
    f
}

/// An asset data report's result, with its QID's glossary entry.
fn finding_of_report(r: &Record, details: Option<&Record>, unknown: &mut usize) -> Option<Finding> {
    let qid = r.get("QID")?;
    let mut f = Finding::new(qid, IdKind::Qid, r.asset, format!("line {}", r.line));
    let empty = Record::default();
    let d = details.unwrap_or(&empty);
    f.title = d.get("TITLE").unwrap_or(qid).to_string();
    f.description = d.get("THREAT").map(plain);
    f.synopsis = d.get("IMPACT").map(plain);
    f.solution = d.get("SOLUTION").map(plain);
    f.output = r.get("RESULT").map(str::to_string);
    f.port = match (r.get("PORT"), r.get("PROTOCOL")) {
        (Some(p), Some(proto)) => Some(format!("{p}/{}", proto.to_ascii_lowercase())),
        (Some(p), None) => Some(p.to_string()),
        _ => None,
    };
    let word = d.get("SEVERITY");
    f.raw_severity = word.unwrap_or("").to_string();
    f.severity = severity(word, unknown);
    cvss_of(r, &mut f);
    cvss_of(d, &mut f);
    f.cves = d.cves.clone();
    f.first_seen = r.get("FIRST_FOUND").and_then(crate::day_of);
    f.last_seen = r.get("LAST_FOUND").and_then(crate::day_of);
    let kind = r.get("TYPE").unwrap_or("Vuln").to_ascii_lowercase();
    let status = r.get("VULN_STATUS").unwrap_or("").to_ascii_lowercase();
    f.outcome = if status == "fixed" {
        Outcome::Passed
    } else if kind == "ig" || f.severity == Severity::Info {
        Outcome::Informational
    } else {
        Outcome::Open
    };
    Some(f)
}
