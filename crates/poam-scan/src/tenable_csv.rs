//! Tenable's CSV exports: Nessus Professional (default and all columns,
//! the 2025 layout with CVSS v4), Tenable.sc's vulnerability detail list
//! and Tenable Vulnerability Management's exports (its web export, and the
//! API's `;`-separated dotted fields). Columns are found by their header
//! text; a row is one plugin on one host and port, written once for each
//! CVE of the plugin by Nessus, so the rows of the same plugin, host and
//! port are one finding with all their CVEs.

use crate::{
    Asset, Cvss, CvssVersion, Finding, IdKind, Outcome, Scan, ScanError, ScanNote, Severity,
};
use std::collections::HashMap;

/// Header texts of each field, as the exports spell them.
const ID: &[&str] = &["plugin id", "plugin", "definition.id"];
const NAME: &[&str] = &["name", "plugin name", "definition.name"];
const HOST: &[&str] = &[
    "host",
    "ip address",
    "asset.display_ipv4_address",
    "asset.name",
];
const IP: &[&str] = &["ip address", "asset.display_ipv4_address"];
const FQDN: &[&str] = &["fqdn", "dns name", "asset.display_fqdn"];
const HOST_NAME: &[&str] = &["asset.host_name"];
const NETBIOS: &[&str] = &["netbios name", "netbios", "asset.netbios_name"];
const RISK: &[&str] = &["risk", "severity", "risk factor"];
const PORT: &[&str] = &["port"];
const PROTOCOL: &[&str] = &["protocol"];
const CVE: &[&str] = &["cve", "definition.cve"];
const CVSS2: &[&str] = &[
    "cvss",
    "cvss v2.0 base score",
    "cvss v2 base score",
    "cvss base score",
    "definition.cvss2.base_score",
];
const CVSS3: &[&str] = &[
    "cvss v3.0 base score",
    "cvss v3 base score",
    "cvss3 base score",
    "definition.cvss3.base_score",
];
const CVSS4: &[&str] = &["cvss v4.0 base score"];
const SYNOPSIS: &[&str] = &["synopsis", "definition.synopsis"];
const DESCRIPTION: &[&str] = &["description", "definition.description"];
const SOLUTION: &[&str] = &["solution", "steps to remediate", "definition.solution"];
const OUTPUT: &[&str] = &["plugin output", "plugin text", "output"];
const STIG: &[&str] = &["stig severity", "definition.stig_severity"];
const STATE: &[&str] = &["vulnerability state", "state"];

fn column(header: &[String], names: &[&str]) -> Option<usize> {
    names
        .iter()
        .find_map(|n| header.iter().position(|h| h.trim().eq_ignore_ascii_case(n)))
}

/// Whether a CSV's header row is a Tenable export's.
pub(crate) fn looks_like(first_line: &str) -> bool {
    let delim = delimiter(first_line);
    let header: Vec<String> = first_line
        .split(delim as char)
        .map(|h| h.trim().trim_matches('"').to_string())
        .collect();
    // A POA&M tracker may carry a Plugin ID and a Host column too: one that
    // names POA&M fields is a POA&M, not a scan.
    let poam_words = [
        "poam",
        "poa&m",
        "weakness",
        "milestone",
        "scheduled completion",
        "remediation plan",
    ];
    let tracker = header.iter().any(|h| {
        poam_words
            .iter()
            .any(|w| h.to_ascii_lowercase().contains(w))
    });
    !tracker && column(&header, ID).is_some() && column(&header, HOST).is_some()
}

fn delimiter(first_line: &str) -> u8 {
    if first_line.matches(';').count() > first_line.matches(',').count() {
        b';'
    } else {
        b','
    }
}

fn severity(word: &str) -> Option<Severity> {
    Some(match word.trim().to_ascii_lowercase().as_str() {
        "critical" | "4" => Severity::Critical,
        "high" | "3" => Severity::High,
        "medium" | "2" => Severity::Medium,
        "low" | "1" => Severity::Low,
        "none" | "info" | "informational" | "0" => Severity::Info,
        _ => return None,
    })
}

pub(crate) fn read(
    file: &str,
    text: &str,
    sink: &mut dyn FnMut(Finding),
) -> Result<Scan, ScanError> {
    let text = text.trim_start_matches('\u{feff}');
    let first = text.lines().next().unwrap_or("");
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter(first))
        .flexible(true)
        .from_reader(text.as_bytes());
    let header: Vec<String> = reader
        .headers()
        .map_err(|e| ScanError::NotScan {
            file: file.to_string(),
            reason: format!("not a readable CSV header: {e}"),
        })?
        .iter()
        .map(str::to_string)
        .collect();
    let col = |names: &[&str]| column(&header, names);
    let (Some(id_col), Some(host_col)) = (col(ID), col(HOST)) else {
        return Err(ScanError::NotScan {
            file: file.to_string(),
            reason:
                "a CSV without a Plugin ID and a Host / IP Address column: not a Tenable export"
                    .into(),
        });
    };
    let mut scan = Scan {
        file: file.to_string(),
        format: "tenable-csv".into(),
        scanner: Some("Nessus".into()),
        ..Scan::default()
    };
    // Findings by plugin, host and port, in the order first seen.
    let mut order: Vec<Finding> = Vec::new();
    let mut seen: HashMap<(String, usize, Option<String>), usize> = HashMap::new();
    let mut hosts: HashMap<String, usize> = HashMap::new();
    for (n, record) in reader.records().enumerate() {
        let line = n + 2;
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                scan.notes.push(ScanNote {
                    position: format!("row {line}"),
                    message: format!("not a readable CSV row ({e}); left out"),
                });
                continue;
            }
        };
        let get = |c: Option<usize>| {
            c.and_then(|c| record.get(c))
                .map(str::trim)
                .filter(|v| !v.is_empty())
        };
        if record.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        let (Some(id), Some(host)) = (get(Some(id_col)), get(Some(host_col))) else {
            scan.notes.push(ScanNote {
                position: format!("row {line}"),
                message: "a row without a plugin id or a host; left out".into(),
            });
            continue;
        };
        let asset = *hosts.entry(host.to_string()).or_insert_with(|| {
            scan.assets.push(Asset {
                name: host.to_string(),
                ip: get(col(IP)).map(str::to_string),
                fqdn: get(col(FQDN)).map(str::to_string),
                host_name: get(col(HOST_NAME)).map(str::to_string),
                netbios: get(col(NETBIOS)).map(str::to_string),
                ..Asset::default()
            });
            scan.assets.len() - 1
        });
        let port = match (get(col(PORT)), get(col(PROTOCOL))) {
            (Some(p), Some(proto)) if p != "0" => {
                Some(format!("{p}/{}", proto.to_ascii_lowercase()))
            }
            (Some(p), None) if p != "0" => Some(p.to_string()),
            _ => None,
        };
        let key = (id.to_string(), asset, port.clone());
        let cves: Vec<String> = get(col(CVE))
            .map(|c| {
                c.split([',', ';', ' ', '\n'])
                    .map(str::trim)
                    .filter(|c| c.starts_with("CVE-"))
                    .map(str::to_string)
                    .collect()
            })
            .unwrap_or_default();
        if let Some(&k) = seen.get(&key) {
            for c in cves {
                if !order[k].cves.contains(&c) {
                    order[k].cves.push(c);
                }
            }
            continue;
        }
        let raw = get(col(RISK)).unwrap_or("").to_string();
        let sev = severity(&raw).unwrap_or_else(|| {
            scan.notes.push(ScanNote {
                position: format!("row {line}"),
                message: format!("plugin {id}: severity \"{raw}\" is not Critical, High, Medium, Low or None; read as Medium"),
            });
            Severity::Medium
        });
        let mut cvss = Vec::new();
        for (version, names) in [
            (CvssVersion::V3, CVSS3),
            (CvssVersion::V4, CVSS4),
            (CvssVersion::V2, CVSS2),
        ] {
            if let Some(score) = get(col(names))
                .and_then(|v| v.parse::<f32>().ok())
                .filter(|s| (0.0..=10.0).contains(s))
            {
                cvss.push(Cvss {
                    version,
                    score,
                    vector: None,
                });
            }
        }
        let state = get(col(STATE)).map(str::to_ascii_lowercase);
        let outcome = if state.as_deref() == Some("fixed") {
            Outcome::Passed
        } else if sev == Severity::Info {
            Outcome::Informational
        } else {
            Outcome::Open
        };
        seen.insert(key, order.len());
        order.push(Finding {
            id: id.to_string(),
            id_kind: IdKind::Plugin,
            title: get(col(NAME)).unwrap_or(id).to_string(),
            description: get(col(DESCRIPTION)).map(str::to_string),
            synopsis: get(col(SYNOPSIS)).map(str::to_string),
            solution: get(col(SOLUTION)).map(str::to_string),
            severity: sev,
            raw_severity: raw,
            stig_severity: get(col(STIG)).map(str::to_string),
            cvss,
            cves,
            ccis: Vec::new(),
            controls: Vec::new(),
            aliases: Vec::new(),
            asset,
            port,
            outcome,
            output: get(col(OUTPUT)).map(str::to_string),
            position: format!("row {line}"),
        });
    }
    if scan.assets.is_empty() {
        return Err(ScanError::NotScan {
            file: file.to_string(),
            reason: "a Tenable CSV export without a row".into(),
        });
    }
    for f in order {
        sink(f);
    }
    scan.notes.push(ScanNote {
        position: "the whole file".into(),
        message: "a CSV export lists only the hosts with results: a host the scan found clean is not known to be covered, so no item of it closes".into(),
    });
    Ok(scan)
}
