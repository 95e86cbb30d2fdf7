//! Tenable Nessus `.nessus` files (`NessusClientData_v2`): one `ReportHost`
//! per asset scanned (its `HostProperties` tags name it and date the scan),
//! one `ReportItem` per plugin result on it, and for compliance audits the
//! `cm:compliance-*` elements (check id, name, result, references). Tenable
//! Web App Scanning writes the same root with a URL as the host and
//! ISO-8601 dates, CVSS in `cvss` / `cvssv3`.
//!
//! Read with a streaming XML reader: each finding goes to the sink as soon
//! as its `ReportItem` ends; memory stays flat whatever the file's size.

use crate::{
    Asset, Cvss, CvssVersion, Finding, IdKind, Outcome, Scan, ScanError, ScanNote, Severity,
};
use chrono::{NaiveDate, NaiveDateTime};
use quick_xml::events::{BytesStart, Event};
use quick_xml::Reader;
use std::io::BufRead;

use crate::xml_attr as attr;

/// The element's name without its namespace prefix (`cm:compliance-result`
/// is `compliance-result`).
fn local(name: &str) -> &str {
    name.rsplit_once(':').map_or(name, |(_, l)| l)
}

/// A Nessus date: `Wed Mar 24 21:03:39 2021`, or ISO-8601 (Web App Scanning).
fn day(text: &str) -> Option<NaiveDate> {
    let t = text.trim();
    NaiveDateTime::parse_from_str(t, "%a %b %e %H:%M:%S %Y")
        .map(|d| d.date())
        .ok()
        .or_else(|| {
            t.get(..10)
                .and_then(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok())
        })
}

/// A `ReportItem` being read: its attributes and its children's text.
#[derive(Default)]
struct Item {
    line: usize,
    plugin: String,
    name: String,
    severity: String,
    port: Option<String>,
    fields: Vec<(String, String)>,
}

impl Item {
    fn get(&self, key: &str) -> Option<&str> {
        self.fields
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.trim())
            .filter(|v| !v.is_empty())
    }
    fn all<'a>(&'a self, key: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.fields
            .iter()
            .filter(move |(k, _)| k == key)
            .map(|(_, v)| v.trim())
            .filter(|v| !v.is_empty())
    }
}

fn severity_of(level: &str) -> Option<Severity> {
    Some(match level.trim() {
        "0" => Severity::Info,
        "1" => Severity::Low,
        "2" => Severity::Medium,
        "3" => Severity::High,
        "4" => Severity::Critical,
        _ => return None,
    })
}

/// Controls and CCIs of a compliance reference
/// (`800-53|CM-6,800-171|3.4.2,CCI|CCI-000366,CSCv7|5.1`).
fn references(text: &str, controls: &mut Vec<String>, ccis: &mut Vec<String>) {
    for part in text.split(',') {
        let Some((framework, id)) = part.split_once('|') else {
            continue;
        };
        let (framework, id) = (framework.trim(), id.trim());
        if id.is_empty() {
            continue;
        }
        let target = if framework.eq_ignore_ascii_case("CCI") {
            &mut *ccis
        } else if framework.starts_with("800-53") || framework.starts_with("800-171") {
            &mut *controls
        } else {
            continue;
        };
        if !target.iter().any(|t| t == id) {
            target.push(id.to_string());
        }
    }
}

fn finish(item: Item, asset: usize, notes: &mut Vec<ScanNote>) -> Finding {
    let position = format!("line {}", item.line);
    let mut controls = Vec::new();
    let mut ccis = Vec::new();
    let check = item.get("compliance-check-id").map(str::to_string);
    let result = item.get("compliance-result").map(str::to_ascii_uppercase);
    let outcome = match result.as_deref() {
        Some("FAILED") => Outcome::Open,
        Some("PASSED") => Outcome::Passed,
        Some("WARNING") => Outcome::NotReviewed,
        Some("ERROR") => Outcome::Error,
        Some(_) => Outcome::NotApplicable,
        // Severity 0, or a risk factor of None (Nessus 4 gave its notes
        // severity 1 with risk factor None): a fact, not a weakness.
        None if item.severity.trim() == "0"
            || item
                .get("risk_factor")
                .is_some_and(|r| r.eq_ignore_ascii_case("none")) =>
        {
            Outcome::Informational
        }
        None => Outcome::Open,
    };
    if let Some(r) = item.get("compliance-reference") {
        references(r, &mut controls, &mut ccis);
    }
    let severity = severity_of(&item.severity).unwrap_or_else(|| {
        notes.push(ScanNote {
            position: position.clone(),
            message: format!(
                "plugin {}: severity \"{}\" is not 0 to 4; read as Medium",
                item.plugin, item.severity
            ),
        });
        Severity::Medium
    });
    let mut cvss = Vec::new();
    for (version, score, vector) in [
        (CvssVersion::V2, "cvss_base_score", "cvss_vector"),
        (CvssVersion::V2, "cvss", "cvss_vector"),
        (CvssVersion::V3, "cvss3_base_score", "cvss3_vector"),
        (CvssVersion::V3, "cvssv3", "cvss3_vector"),
        (CvssVersion::V4, "cvss4_base_score", "cvss4_vector"),
    ] {
        let Some(text) = item.get(score) else {
            continue;
        };
        match text.parse::<f32>() {
            Ok(s) if (0.0..=10.0).contains(&s) => {
                if !cvss.iter().any(|c: &Cvss| c.version == version) {
                    cvss.push(Cvss {
                        version,
                        score: s,
                        vector: item.get(vector).map(str::to_string),
                    });
                }
            }
            _ => notes.push(ScanNote {
                position: position.clone(),
                message: format!(
                    "plugin {}: {score} \"{text}\" is not a CVSS score",
                    item.plugin
                ),
            }),
        }
    }
    let mut cves: Vec<String> = Vec::new();
    for c in item.all("cve") {
        if !cves.iter().any(|x| x == c) {
            cves.push(c.to_string());
        }
    }
    let (id, id_kind, title) = match check {
        Some(c) => (
            c,
            IdKind::ComplianceCheck,
            item.get("compliance-check-name")
                .unwrap_or(&item.name)
                .to_string(),
        ),
        None => (item.plugin.clone(), IdKind::Plugin, item.name.clone()),
    };
    Finding {
        id,
        id_kind,
        title,
        description: item
            .get("compliance-info")
            .or(item.get("description"))
            .map(str::to_string),
        synopsis: item.get("synopsis").map(str::to_string),
        solution: item
            .get("compliance-solution")
            .or(item.get("solution"))
            .map(str::to_string),
        severity,
        raw_severity: item.severity.clone(),
        stig_severity: item.get("stig_severity").map(str::to_string),
        cvss,
        cves,
        ccis,
        controls,
        aliases: Vec::new(),
        asset,
        port: item.port.clone(),
        outcome,
        output: item
            .get("compliance-actual-value")
            .or(item.get("plugin_output"))
            .map(str::to_string),
        position,
        first_seen: None,
        last_seen: None,
    }
}

pub(crate) fn read<R: BufRead>(
    file: &str,
    input: R,
    sink: &mut dyn FnMut(Finding),
) -> Result<Scan, ScanError> {
    let mut reader = Reader::from_reader(input);
    let mut scan = Scan::new(file, "nessus", "Nessus");
    let mut buf = Vec::new();
    let mut line = 1usize;
    // Where we are: the open host, the item inside it, the tag or child
    // element whose text is being read.
    let mut host: Option<usize> = None;
    let mut item: Option<Item> = None;
    let mut tag: Option<(String, String)> = None;
    let mut child: Option<(String, String)> = None;
    let mut in_properties = false;
    loop {
        let event = crate::xml_event(
            &mut reader,
            &mut buf,
            file,
            line,
            "the .nessus file",
            " (export it again from Nessus)",
        )?;
        let at = line;
        match event {
            Event::Start(e) => {
                let name = e.name().as_ref().to_string();
                match local(&name) {
                    "Report" => scan.name = attr(&e, "name"),
                    "ReportHost" => {
                        scan.assets.push(Asset {
                            name: attr(&e, "name").unwrap_or_default(),
                            ..Asset::default()
                        });
                        host = Some(scan.assets.len() - 1);
                    }
                    "HostProperties" => in_properties = true,
                    "tag" if in_properties => {
                        tag = Some((attr(&e, "name").unwrap_or_default(), String::new()));
                    }
                    "ReportItem" if host.is_some() => item = Some(report_item(&e, at)),
                    other if item.is_some() && child.is_none() => {
                        child = Some((other.to_string(), String::new()));
                    }
                    _ => {}
                }
            }
            // An element without content: a plugin result with nothing to
            // say (severity 0 facts), a host without items, an empty tag.
            Event::Empty(e) => {
                let name = e.name().as_ref().to_string();
                match local(&name) {
                    "ReportHost" => scan.assets.push(Asset {
                        name: attr(&e, "name").unwrap_or_default(),
                        ..Asset::default()
                    }),
                    "ReportItem" => {
                        if let Some(h) = host {
                            let i = report_item(&e, at);
                            sink(finish(i, h, &mut scan.notes));
                        }
                    }
                    _ => {}
                }
            }
            // Lines are counted in the text between and inside elements,
            // where a .nessus file's line breaks are.
            Event::Text(_) | Event::CData(_) | Event::GeneralRef(_) => {
                if let (Some(text), Some((_, v))) = (
                    crate::xml_text(&event, &mut line),
                    child.as_mut().or(tag.as_mut()),
                ) {
                    v.push_str(&text);
                }
            }
            Event::End(e) => {
                let name = e.name().as_ref().to_string();
                match local(&name) {
                    "tag" => {
                        if let (Some((key, value)), Some(h)) = (tag.take(), host) {
                            host_tag(&mut scan, h, &key, value.trim(), at);
                        }
                    }
                    "HostProperties" => in_properties = false,
                    "ReportItem" => {
                        if let (Some(i), Some(h)) = (item.take(), host) {
                            sink(finish(i, h, &mut scan.notes));
                        }
                    }
                    "ReportHost" => host = None,
                    other => {
                        if child.as_ref().is_some_and(|(n, _)| n == other) {
                            if let (Some((k, v)), Some(i)) = (child.take(), item.as_mut()) {
                                i.fields.push((k, v));
                            }
                        }
                    }
                }
            }
            Event::Eof => break,
            _ => {}
        }
        buf.clear();
    }
    scan.scanned_on = scan.assets.iter().filter_map(|a| a.scanned_on).min();
    if scan.assets.is_empty() {
        scan.notes.push(ScanNote {
            position: "the whole file".into(),
            message: "the scan covers no host (no ReportHost)".into(),
        });
    }
    Ok(scan)
}

/// A `ReportItem`'s attributes: plugin, name, severity, port.
fn report_item(e: &BytesStart<'_>, line: usize) -> Item {
    let port = match (attr(e, "port"), attr(e, "protocol")) {
        (Some(p), Some(proto)) if p != "0" => Some(format!("{p}/{proto}")),
        _ => None,
    };
    Item {
        line,
        plugin: attr(e, "pluginID").unwrap_or_default(),
        name: attr(e, "pluginName").unwrap_or_default(),
        severity: attr(e, "severity").unwrap_or_default(),
        port,
        fields: Vec::new(),
    }
}

fn host_tag(scan: &mut Scan, h: usize, key: &str, value: &str, line: usize) {
    if value.is_empty() {
        return;
    }
    let asset = &mut scan.assets[h];
    let v = Some(value.to_string());
    match key {
        "host-ip" => asset.ip = v,
        "host-fqdn" => asset.fqdn = v,
        "hostname" => asset.host_name = v,
        "netbios-name" => asset.netbios = v,
        "operating-system" => asset.os = v,
        "HOST_START" => match day(value) {
            Some(d) => asset.scanned_on = Some(d),
            None => scan.notes.push(ScanNote {
                position: format!("line {line}"),
                message: format!(
                    "host {}: HOST_START \"{value}\" is not a date poamkit reads",
                    asset.name
                ),
            }),
        },
        "HOST_START_TIMESTAMP" if asset.scanned_on.is_none() => {
            asset.scanned_on = value
                .parse::<i64>()
                .ok()
                .and_then(|s| chrono::DateTime::from_timestamp(s, 0))
                .map(|d| d.date_naive());
        }
        _ => {}
    }
}
