//! Scanners' CSV exports, one [`Spec`] each: Tenable's (Nessus
//! Professional default and all columns, the 2025 layout with CVSS v4;
//! Tenable.sc's vulnerability detail list; Tenable Vulnerability
//! Management's web export and the API's `;`-separated dotted fields) and
//! Qualys's (the scan report, VMDR's asset vulnerability data list by QID or
//! by CVE after its title lines, the PCI report). Columns are found by their
//! header text; a row is one weakness on one host and port, written once for
//! each CVE by some exports, so the rows of the same id, host and port are
//! one finding with all their CVEs.

use crate::{
    Asset, Cvss, CvssVersion, Finding, IdKind, Outcome, Scan, ScanError, ScanNote, Severity,
};
use std::collections::HashMap;

/// A scanner's CSV export: the header texts of each field as it spells
/// them (compared without case), and how it words severity.
pub(crate) struct Spec<'a> {
    pub(crate) format: &'a str,
    pub(crate) scanner: &'a str,
    pub(crate) id: &'a [&'a str],
    pub(crate) name: &'a [&'a str],
    pub(crate) host: &'a [&'a str],
    pub(crate) ip: &'a [&'a str],
    pub(crate) fqdn: &'a [&'a str],
    pub(crate) host_name: &'a [&'a str],
    pub(crate) netbios: &'a [&'a str],
    pub(crate) risk: &'a [&'a str],
    pub(crate) port: &'a [&'a str],
    pub(crate) protocol: &'a [&'a str],
    pub(crate) cve: &'a [&'a str],
    pub(crate) cvss2: &'a [&'a str],
    pub(crate) cvss3: &'a [&'a str],
    pub(crate) cvss4: &'a [&'a str],
    pub(crate) synopsis: &'a [&'a str],
    pub(crate) description: &'a [&'a str],
    pub(crate) solution: &'a [&'a str],
    pub(crate) output: &'a [&'a str],
    pub(crate) stig: &'a [&'a str],
    pub(crate) state: &'a [&'a str],
    /// The kind of result (Qualys: Vuln, Potential, Ig for information
    /// gathered).
    pub(crate) kind: &'a [&'a str],
    pub(crate) first_seen: &'a [&'a str],
    pub(crate) last_seen: &'a [&'a str],
    pub(crate) severity: &'a dyn Fn(&str) -> Option<Severity>,
    /// What kind of id names a weakness.
    pub(crate) id_kind: IdKind,
}

impl Spec<'_> {
    /// The format's name (`tenable-csv`).
    pub(crate) fn format(&self) -> &str {
        self.format
    }
}

const TENABLE: Spec<'static> = Spec {
    format: "tenable-csv",
    scanner: "Nessus",
    id: &["plugin id", "plugin", "definition.id"],
    name: &["name", "plugin name", "definition.name"],
    host: &[
        "host",
        "ip address",
        "asset.display_ipv4_address",
        "asset.name",
    ],
    ip: &["ip address", "asset.display_ipv4_address"],
    fqdn: &["fqdn", "dns name", "asset.display_fqdn"],
    host_name: &["asset.host_name"],
    netbios: &["netbios name", "netbios", "asset.netbios_name"],
    risk: &["risk", "severity", "risk factor"],
    port: &["port"],
    protocol: &["protocol"],
    cve: &["cve", "definition.cve"],
    cvss2: &[
        "cvss",
        "cvss v2.0 base score",
        "cvss v2 base score",
        "cvss base score",
        "definition.cvss2.base_score",
    ],
    cvss3: &[
        "cvss v3.0 base score",
        "cvss v3 base score",
        "cvss3 base score",
        "definition.cvss3.base_score",
    ],
    cvss4: &["cvss v4.0 base score"],
    synopsis: &["synopsis", "definition.synopsis"],
    description: &["description", "definition.description"],
    solution: &["solution", "steps to remediate", "definition.solution"],
    output: &["plugin output", "plugin text", "output"],
    stig: &["stig severity", "definition.stig_severity"],
    state: &["vulnerability state", "state"],
    kind: &[],
    first_seen: &[
        "first discovered",
        "first found",
        "first_observed",
        "first seen",
    ],
    last_seen: &["last observed", "last found", "last_seen", "last seen"],
    severity: &tenable_severity,
    id_kind: IdKind::Plugin,
};

const QUALYS: Spec<'static> = Spec {
    format: "qualys-csv",
    scanner: "Qualys",
    id: &["qid"],
    name: &["title", "vuln title"],
    host: &["ip", "asset name", "asset ipv4"],
    ip: &["ip", "asset ipv4"],
    fqdn: &["fqdn", "dns"],
    host_name: &["hostname", "asset name"],
    netbios: &["netbios"],
    risk: &["severity", "q_severity"],
    port: &["port"],
    protocol: &["protocol"],
    cve: &["cve id", "cveid", "cve"],
    cvss2: &["cvss_base", "cvssv2 base (nvd)", "cvss base"],
    cvss3: &["cvss3 base", "cvssv3.1 base (nvd)", "cvss3"],
    cvss4: &[],
    synopsis: &["impact"],
    description: &["threat", "cve-description"],
    solution: &["solution"],
    output: &["results", "result"],
    stig: &[],
    state: &["vuln status", "status"],
    kind: &["type", "type detected"],
    first_seen: &["first detected"],
    last_seen: &["last detected", "last scan"],
    severity: &qualys_severity,
    id_kind: IdKind::Qid,
};

/// The exports known, in the order tried.
const SPECS: [&Spec<'static>; 2] = [&QUALYS, &TENABLE];

fn column(header: &[String], names: &[&str]) -> Option<usize> {
    names
        .iter()
        .find_map(|n| header.iter().position(|h| h.trim().eq_ignore_ascii_case(n)))
}

fn delimiter(line: &str) -> u8 {
    if line.matches(';').count() > line.matches(',').count() {
        b';'
    } else {
        b','
    }
}

pub(crate) fn header_of(line: &str) -> Vec<String> {
    line.split(delimiter(line) as char)
        .map(|h| h.trim().trim_matches('"').to_string())
        .collect()
}

pub(crate) fn looks_like(header: &[String], spec: &Spec<'_>) -> bool {
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
    !tracker && column(header, spec.id).is_some() && column(header, spec.host).is_some()
}

/// The export whose header row is among a CSV's first lines, and how many
/// lines come before it (Qualys VMDR writes three title lines).
pub(crate) fn find_header(head: &str) -> Option<(&'static Spec<'static>, usize)> {
    head.lines().take(12).enumerate().find_map(|(n, line)| {
        let header = header_of(line);
        SPECS
            .into_iter()
            .find(|spec| looks_like(&header, spec))
            .map(|spec| (spec, n))
    })
}

/// The export a CSV is, if any, from its first bytes.
pub(crate) fn detect(head: &str) -> Option<&'static Spec<'static>> {
    find_header(head).map(|(spec, _)| spec)
}

pub(crate) fn tenable_severity(word: &str) -> Option<Severity> {
    Some(match word.trim().to_ascii_lowercase().as_str() {
        "critical" | "4" => Severity::Critical,
        "high" | "3" => Severity::High,
        "medium" | "2" => Severity::Medium,
        "low" | "1" => Severity::Low,
        "none" | "info" | "informational" | "0" => Severity::Info,
        _ => return None,
    })
}

/// Qualys's five levels (5 urgent, 4 critical, 3 serious, 2 medium, 1
/// minimal), or its words.
pub(crate) fn qualys_severity(word: &str) -> Option<Severity> {
    Some(match word.trim().to_ascii_lowercase().as_str() {
        "5" | "urgent" | "critical" => Severity::Critical,
        "4" | "high" => Severity::High,
        "3" | "serious" | "medium" => Severity::Medium,
        "2" | "1" | "minimal" | "low" => Severity::Low,
        "0" | "info" => Severity::Info,
        _ => return None,
    })
}

/// A score cell: `8.1`, or `8.1 (AV:N/AC:H/...)` with its vector after it.
pub(crate) fn score(text: &str) -> Option<(f32, Option<String>)> {
    let t = text.trim();
    let (number, rest) = t.split_once(' ').unwrap_or((t, ""));
    let vector = rest.trim().trim_start_matches('(').trim_end_matches(')');
    number
        .parse::<f32>()
        .ok()
        .filter(|s| (0.0..=10.0).contains(s))
        .map(|s| (s, (!vector.is_empty()).then(|| vector.to_string())))
}

/// Reads an export whose header row, found by [`find_header`], comes after
/// `skip` title lines.
pub(crate) fn read(
    file: &str,
    spec: &Spec<'_>,
    skip: usize,
    text: &str,
    sink: &mut dyn FnMut(Finding),
) -> Result<Scan, ScanError> {
    let text = text.trim_start_matches('\u{feff}');
    let body = text.splitn(skip + 1, '\n').last().unwrap_or(text);
    let first = body.lines().next().unwrap_or("");
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter(first))
        .flexible(true)
        .from_reader(body.as_bytes());
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
    let (Some(id_col), Some(host_col)) = (col(spec.id), col(spec.host)) else {
        return Err(ScanError::NotScan {
            file: file.to_string(),
            reason: format!(
                "a CSV without an id and a host column: not a {} export",
                spec.scanner
            ),
        });
    };
    let mut scan = Scan::new(file, spec.format, spec.scanner);
    // Findings by id, host and port, in the order first seen.
    let mut order: Vec<Finding> = Vec::new();
    let mut seen: HashMap<(String, usize, Option<String>), usize> = HashMap::new();
    let mut hosts: HashMap<String, usize> = HashMap::new();
    for (n, record) in reader.records().enumerate() {
        let line = n + 2 + skip;
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
        if record.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        let get = |c: Option<usize>| {
            c.and_then(|c| record.get(c))
                .map(str::trim)
                .filter(|v| !v.is_empty() && *v != "'-")
        };
        let (Some(id), Some(host)) = (get(Some(id_col)), get(Some(host_col))) else {
            scan.notes.push(ScanNote {
                position: format!("row {line}"),
                message: "a row without an id or a host; left out".into(),
            });
            continue;
        };
        let asset = *hosts.entry(host.to_string()).or_insert_with(|| {
            scan.assets.push(Asset {
                name: host.to_string(),
                ip: get(col(spec.ip)).map(str::to_string),
                fqdn: get(col(spec.fqdn)).map(str::to_string),
                host_name: get(col(spec.host_name)).map(str::to_string),
                netbios: get(col(spec.netbios)).map(str::to_string),
                ..Asset::default()
            });
            scan.assets.len() - 1
        });
        let port = match (get(col(spec.port)), get(col(spec.protocol))) {
            (Some(p), Some(proto)) if p != "0" => {
                Some(format!("{p}/{}", proto.to_ascii_lowercase()))
            }
            (Some(p), None) if p != "0" => Some(p.to_string()),
            _ => None,
        };
        let key = (id.to_string(), asset, port.clone());
        let cves: Vec<String> = get(col(spec.cve))
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
        let raw = get(col(spec.risk)).unwrap_or("").to_string();
        let sev = if col(spec.risk).is_none() {
            // No severity column at all: said once, below.
            Severity::Medium
        } else {
            (spec.severity)(&raw).unwrap_or_else(|| {
                scan.notes.push(ScanNote {
                    position: format!("row {line}"),
                    message: format!(
                        "{id}: severity \"{raw}\" is not one {} writes; read as Medium",
                        spec.scanner
                    ),
                });
                Severity::Medium
            })
        };
        let mut cvss = Vec::new();
        for (version, names) in [
            (CvssVersion::V3, spec.cvss3),
            (CvssVersion::V4, spec.cvss4),
            (CvssVersion::V2, spec.cvss2),
        ] {
            if let Some((score, vector)) = get(col(names)).and_then(score) {
                cvss.push(Cvss {
                    version,
                    score,
                    vector,
                });
            }
        }
        let state = get(col(spec.state)).map(str::to_ascii_lowercase);
        let kind = get(col(spec.kind)).map(str::to_ascii_lowercase);
        let gathered = matches!(
            kind.as_deref(),
            Some("ig" | "info" | "information gathered")
        );
        let outcome = if state.as_deref() == Some("fixed") {
            Outcome::Passed
        } else if sev == Severity::Info || gathered {
            Outcome::Informational
        } else {
            Outcome::Open
        };
        seen.insert(key, order.len());
        order.push(Finding {
            id: id.to_string(),
            id_kind: spec.id_kind,
            title: get(col(spec.name)).unwrap_or(id).to_string(),
            description: get(col(spec.description)).map(str::to_string),
            synopsis: get(col(spec.synopsis)).map(str::to_string),
            solution: get(col(spec.solution)).map(str::to_string),
            severity: sev,
            raw_severity: raw,
            stig_severity: get(col(spec.stig)).map(str::to_string),
            cvss,
            cves,
            ccis: Vec::new(),
            controls: Vec::new(),
            aliases: Vec::new(),
            asset,
            port,
            outcome,
            output: get(col(spec.output)).map(str::to_string),
            position: format!("row {line}"),
            first_seen: get(col(spec.first_seen)).and_then(crate::day_of),
            last_seen: get(col(spec.last_seen)).and_then(crate::day_of),
        });
    }
    if scan.assets.is_empty() {
        return Err(ScanError::NotScan {
            file: file.to_string(),
            reason: format!("a {} CSV export without a row", spec.scanner),
        });
    }
    if col(spec.risk).is_none() {
        scan.notes.push(ScanNote {
            position: "the header row".into(),
            message: "no severity column: every finding read as Medium; rate them".into(),
        });
    }
    // The export's day: the last day it saw a finding.
    scan.scanned_on = order.iter().filter_map(|f| f.last_seen).max();
    for f in order {
        sink(f);
    }
    scan.notes.push(ScanNote {
        position: "the whole file".into(),
        message: "a CSV export lists only the hosts with results: a host the scan found clean is not known to be covered, so no item of it closes".into(),
    });
    Ok(scan)
}
