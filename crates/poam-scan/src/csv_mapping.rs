//! A scanner's CSV poamkit does not know, read with a mapping file that
//! names its columns (`--scan-mapping FILE`): the same reader as the
//! built-in exports', the columns given by the user instead of by a
//! built-in spec. A mapping applies to a CSV whose header has its id and
//! host columns.
//!
//! ```toml
//! scanner = "Acme Scanner"
//! kind = "rule"                 # plugin, qid, rule, vulnerability, stig
//!
//! [columns]
//! id = "Finding ID"             # required
//! host = ["Hostname", "IP"]     # required; the first found
//! name = "Title"
//! severity = "Priority"
//! first_seen = "Found On"
//!
//! [severity]                    # the scanner's words, if not the usual ones
//! P1 = "critical"
//! P2 = "high"
//! ```

use crate::csv_exports::{header_of, looks_like, tenable_severity, Spec};
use crate::{Finding, IdKind, Scan, ScanError, Severity};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::Path;

/// One header text or several (the first found is used).
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
enum Names {
    One(String),
    Many(Vec<String>),
}

impl Names {
    fn list(&self) -> Vec<&str> {
        match self {
            Names::One(n) => vec![n.as_str()],
            Names::Many(v) => v.iter().map(String::as_str).collect(),
        }
    }
}

/// The columns of a mapped CSV: each field's header text(s).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct Columns {
    id: Names,
    host: Names,
    name: Option<Names>,
    ip: Option<Names>,
    fqdn: Option<Names>,
    host_name: Option<Names>,
    netbios: Option<Names>,
    severity: Option<Names>,
    port: Option<Names>,
    protocol: Option<Names>,
    cve: Option<Names>,
    cvss2: Option<Names>,
    cvss3: Option<Names>,
    cvss4: Option<Names>,
    synopsis: Option<Names>,
    description: Option<Names>,
    solution: Option<Names>,
    output: Option<Names>,
    stig_severity: Option<Names>,
    state: Option<Names>,
    kind: Option<Names>,
    first_seen: Option<Names>,
    last_seen: Option<Names>,
}

/// A mapping file for a scanner's CSV.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CsvMapping {
    /// The scanner's name, written as the items' detector.
    scanner: String,
    /// What kind of id names a weakness (`rule` by default).
    #[serde(default)]
    kind: Option<String>,
    columns: Columns,
    /// The scanner's severity words and the common step each is.
    #[serde(default)]
    severity: BTreeMap<String, String>,
    /// The file, for messages.
    #[serde(skip)]
    file: String,
}

fn step(word: &str) -> Option<Severity> {
    Some(match word.trim().to_ascii_lowercase().as_str() {
        "critical" => Severity::Critical,
        "high" => Severity::High,
        "medium" | "moderate" => Severity::Medium,
        "low" => Severity::Low,
        "info" | "informational" | "none" => Severity::Info,
        _ => return None,
    })
}

impl CsvMapping {
    /// Reads a mapping file.
    ///
    /// # Errors
    ///
    /// [`ScanError::NotScan`] naming the file, the line and the reason when
    /// the file cannot be read or is not a mapping.
    pub fn from_file(path: &Path) -> Result<CsvMapping, ScanError> {
        let file = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|source| ScanError::Io {
            file: file.clone(),
            source,
        })?;
        CsvMapping::parse(&file, &text)
    }

    /// Reads a mapping from its text.
    ///
    /// # Errors
    ///
    /// As [`CsvMapping::from_file`].
    pub fn parse(file: &str, text: &str) -> Result<CsvMapping, ScanError> {
        let mut m: CsvMapping = toml::from_str(text).map_err(|e| ScanError::NotScan {
            file: file.to_string(),
            reason: format!("not a scan mapping: {}", e.to_string().trim()),
        })?;
        for (word, to) in &m.severity {
            if step(to).is_none() {
                return Err(ScanError::NotScan {
                    file: file.to_string(),
                    reason: format!(
                        "[severity] {word} = \"{to}\": say critical, high, medium, low or info"
                    ),
                });
            }
        }
        if let Some(k) = &m.kind {
            if kind_of(k).is_none() {
                return Err(ScanError::NotScan {
                    file: file.to_string(),
                    reason: format!("kind = \"{k}\": say plugin, qid, rule, vulnerability or stig"),
                });
            }
        }
        m.file = file.to_string();
        Ok(m)
    }

    /// The scanner's severity word as a step: the file's own words first,
    /// then the usual words and Tenable's numbers.
    fn severity_of(&self, word: &str) -> Option<Severity> {
        let w = word.trim();
        self.severity
            .iter()
            .find(|(k, _)| k.trim().eq_ignore_ascii_case(w))
            .and_then(|(_, to)| step(to))
            .or_else(|| tenable_severity(w))
            .or_else(|| step(w))
    }
}

fn kind_of(word: &str) -> Option<IdKind> {
    Some(match word.trim().to_ascii_lowercase().as_str() {
        "plugin" => IdKind::Plugin,
        "qid" => IdKind::Qid,
        "rule" | "check" => IdKind::Rule,
        "vulnerability" | "cve" => IdKind::Vulnerability,
        "stig" => IdKind::StigVuln,
        _ => return None,
    })
}

/// Whether a CSV's first lines have the mapping's id and host columns.
pub(crate) fn applies(mapping: &CsvMapping, head: &str) -> bool {
    with_spec(mapping, |spec| {
        head.lines()
            .take(12)
            .any(|line| looks_like(&header_of(line), spec))
    })
}

/// The header texts of an optional column.
fn names(n: &Option<Names>) -> Vec<&str> {
    n.as_ref().map(Names::list).unwrap_or_default()
}

/// Hands `f` the reading spec the mapping makes.
fn with_spec<T>(m: &CsvMapping, f: impl FnOnce(&Spec<'_>) -> T) -> T {
    let c = &m.columns;
    let (id, host) = (c.id.list(), c.host.list());
    let lists: Vec<Vec<&str>> = [
        &c.name,
        &c.ip,
        &c.fqdn,
        &c.host_name,
        &c.netbios,
        &c.severity,
        &c.port,
        &c.protocol,
        &c.cve,
        &c.cvss2,
        &c.cvss3,
        &c.cvss4,
        &c.synopsis,
        &c.description,
        &c.solution,
        &c.output,
        &c.stig_severity,
        &c.state,
        &c.kind,
        &c.first_seen,
        &c.last_seen,
    ]
    .into_iter()
    .map(names)
    .collect();
    let severity = |w: &str| m.severity_of(w);
    let spec = Spec {
        format: "mapped-csv",
        scanner: &m.scanner,
        id: &id,
        name: &lists[0],
        host: &host,
        ip: &lists[1],
        fqdn: &lists[2],
        host_name: &lists[3],
        netbios: &lists[4],
        risk: &lists[5],
        port: &lists[6],
        protocol: &lists[7],
        cve: &lists[8],
        cvss2: &lists[9],
        cvss3: &lists[10],
        cvss4: &lists[11],
        synopsis: &lists[12],
        description: &lists[13],
        solution: &lists[14],
        output: &lists[15],
        stig: &lists[16],
        state: &lists[17],
        kind: &lists[18],
        first_seen: &lists[19],
        last_seen: &lists[20],
        severity: &severity,
        id_kind: m.kind.as_deref().and_then(kind_of).unwrap_or(IdKind::Rule),
    };
    f(&spec)
}

/// Reads a CSV with a mapping.
pub(crate) fn read(
    file: &str,
    mapping: &CsvMapping,
    text: &str,
    sink: &mut dyn FnMut(Finding),
) -> Result<Scan, ScanError> {
    let text = text.trim_start_matches('\u{feff}');
    with_spec(mapping, |spec| {
        let skip = text
            .lines()
            .take(12)
            .position(|line| looks_like(&header_of(line), spec))
            .ok_or_else(|| ScanError::NotScan {
                file: file.to_string(),
                reason: format!(
                    "none of its first lines has the columns {} names for the id ({}) and the host ({})",
                    mapping.file,
                    spec.id.join(" or "),
                    spec.host.join(" or ")
                ),
            })?;
        crate::csv_exports::read(file, spec, skip, text, sink)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const MAPPING: &str = r#"
scanner = "Acme Scanner"
kind = "rule"
[columns]
id = "Finding ID"
host = ["Hostname", "IP"]
name = "Title"
severity = "Priority"
first_seen = "Found On"
state = "State"
[severity]
P1 = "critical"
P2 = "high"
"#;

    #[test]
    fn a_mapped_csv_reads_with_its_words_and_dates() {
        let m = CsvMapping::parse("acme.toml", MAPPING).unwrap();
        let csv = "Acme export\nFinding ID,Title,Hostname,Priority,Found On,State\nA-1,Open bucket,web-01,P1,2026-11-02,open\nA-2,Old TLS,web-02,P2,11/20/2026,open\nA-3,Fixed thing,web-01,Low,2026-10-01,Fixed\n";
        assert!(applies(&m, csv));
        let mut found = Vec::new();
        let scan = read("acme.csv", &m, csv, &mut |f| found.push(f)).unwrap();
        assert_eq!(scan.scanner.as_deref(), Some("Acme Scanner"));
        assert_eq!(scan.assets.len(), 2);
        assert_eq!(found.len(), 3);
        assert_eq!(
            (found[0].id.as_str(), found[0].severity),
            ("A-1", Severity::Critical)
        );
        assert_eq!(found[1].severity, Severity::High);
        assert_eq!(found[1].first_seen, "2026-11-20".parse().ok());
        assert_eq!(found[2].outcome, crate::Outcome::Passed);
        assert!(!applies(&m, "Plugin ID,Host\n1,x\n"));
    }

    #[test]
    fn a_bad_mapping_says_what_is_wrong() {
        let e =
            CsvMapping::parse("m.toml", "scanner = \"x\"\n[columns]\nid = \"ID\"\n").unwrap_err();
        assert!(e.to_string().contains("missing field `host`"), "{e}");
        let e = CsvMapping::parse("m.toml", &MAPPING.replace("\"critical\"", "\"urgent\""))
            .unwrap_err();
        assert!(e.to_string().contains("P1 = \"urgent\""), "{e}");
    }
}
