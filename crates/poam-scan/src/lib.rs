//! Scanner outputs read into one findings model.
//!
//! A [`Scan`] is what one scanner file says: the assets it covered (every
//! host scanned, with or without findings), and its [`Finding`]s, one per
//! result on one asset, with the scanner's identifier of the weakness
//! (plugin id, compliance check, QID, STIG rule, CVE), its severity and CVSS
//! scores, CVEs, CCIs and controls where the scanner gives them, and the
//! outcome (open, passed, not applicable, not reviewed...). What a reader
//! cannot read is a [`ScanNote`] with the file and its position, never a
//! panic: the rest of the file is still read.
//!
//! Readers stream: a finding is handed to the caller's sink as soon as it is
//! read ([`read_scan_into`]), so a large file is read in flat memory.
//!
//! Formats: Tenable Nessus `.nessus` (v2, including compliance audits, and
//! Tenable Web App Scanning's export in the same root); DISA STIG
//! checklists `.ckl` (STIG Viewer 2) and `.cklb` (STIG Viewer 3); Trivy and
//! Grype JSON; Tenable's CSV exports (Nessus, Tenable.sc, Tenable VM) and
//! Qualys's (scan report, VMDR, PCI); Qualys's XML (scan results, asset
//! data report); SCAP results (XCCDF 1.1 / 1.2, ARF); SARIF 2.1.0; Amazon
//! Inspector v2 findings and the AWS Security Finding Format.
#![deny(missing_docs)]

mod aws;
mod container;
mod csv_exports;
mod csv_mapping;
mod json;
mod kev;
mod nessus;
mod qualys_xml;
mod sarif;
mod stig;
mod xccdf;

pub use csv_mapping::CsvMapping;
pub use kev::{read_kev, Kev, KevEntry};

use chrono::NaiveDate;
use serde::Serialize;
use std::path::Path;

/// How a scanner rates a finding, on the common five steps.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Informational: no weakness (a scan's facts).
    Info,
    /// Low.
    Low,
    /// Medium (Moderate).
    Medium,
    /// High.
    High,
    /// Critical.
    Critical,
}

impl Severity {
    /// The word for a person.
    pub fn label(self) -> &'static str {
        match self {
            Severity::Info => "Info",
            Severity::Low => "Low",
            Severity::Medium => "Medium",
            Severity::High => "High",
            Severity::Critical => "Critical",
        }
    }
}

/// What a finding says of its asset.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Outcome {
    /// The weakness is there: a POA&M item's matter.
    Open,
    /// Checked and not found (a compliance check passed, NotAFinding).
    Passed,
    /// Does not apply to the asset.
    NotApplicable,
    /// Needs a person's review (a compliance WARNING, Not_Reviewed).
    NotReviewed,
    /// The check could not run.
    Error,
    /// A fact the scan records, not a weakness (severity 0 plugins).
    Informational,
}

impl Outcome {
    /// The word for a person (`not reviewed`).
    pub fn label(self) -> &'static str {
        match self {
            Outcome::Open => "open",
            Outcome::Passed => "passed",
            Outcome::NotApplicable => "not applicable",
            Outcome::NotReviewed => "not reviewed",
            Outcome::Error => "error",
            Outcome::Informational => "informational",
        }
    }
}

/// What kind of identifier names the weakness.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum IdKind {
    /// A scanner plugin (Nessus plugin id).
    Plugin,
    /// A Qualys QID.
    Qid,
    /// A compliance audit check (Nessus `compliance-check-id`).
    ComplianceCheck,
    /// A STIG vulnerability id (`V-230373`).
    StigVuln,
    /// A vulnerability of a package (a CVE, GHSA, ALAS... id).
    Vulnerability,
    /// A configuration or secret rule of a scanner (Trivy's `AVD-...`).
    Rule,
}

/// A CVSS version.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum CvssVersion {
    /// CVSS v2.
    V2,
    /// CVSS v3.x.
    V3,
    /// CVSS v4.0.
    V4,
}

/// One CVSS score of a finding.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Cvss {
    /// Its version.
    pub version: CvssVersion,
    /// The base score, 0.0 to 10.0.
    pub score: f32,
    /// The vector, where given.
    pub vector: Option<String>,
}

/// An asset a scan covered.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Asset {
    /// How the scanner names it (Nessus: the `ReportHost` name).
    pub name: String,
    /// Its IP address.
    pub ip: Option<String>,
    /// Its fully qualified domain name.
    pub fqdn: Option<String>,
    /// Its host name.
    pub host_name: Option<String>,
    /// Its NetBIOS name.
    pub netbios: Option<String>,
    /// Its operating system, as the scanner reports it.
    pub os: Option<String>,
    /// When the scan of it started.
    pub scanned_on: Option<NaiveDate>,
}

impl Asset {
    /// The name a POA&M lists it by: the host name or FQDN where known,
    /// else the IP, else the scanner's name for it.
    pub fn label(&self) -> &str {
        self.host_name
            .as_deref()
            .or(self.fqdn.as_deref())
            .or(self.ip.as_deref())
            .unwrap_or(&self.name)
    }
}

/// One result on one asset.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Finding {
    /// The scanner's identifier of the weakness.
    pub id: String,
    /// What kind of identifier it is.
    pub id_kind: IdKind,
    /// The weakness's name.
    pub title: String,
    /// What it is.
    pub description: Option<String>,
    /// A one-line summary.
    pub synopsis: Option<String>,
    /// How to fix it.
    pub solution: Option<String>,
    /// The scanner's severity on the common five steps.
    pub severity: Severity,
    /// The severity in the scanner's own words (`3`, `High`, `CAT II`).
    pub raw_severity: String,
    /// DISA's STIG severity, where the scanner gives it (`I`, `II`, `III`).
    pub stig_severity: Option<String>,
    /// CVSS scores, every version given.
    pub cvss: Vec<Cvss>,
    /// CVE ids.
    pub cves: Vec<String>,
    /// DISA CCIs.
    pub ccis: Vec<String>,
    /// Controls the scanner names (`CM-6`, `AC-2(1)`, `3.4.2`).
    pub controls: Vec<String>,
    /// Other ids of the same weakness (a STIG rule's id and version).
    pub aliases: Vec<String>,
    /// The asset: its index in [`Scan::assets`].
    pub asset: usize,
    /// The port and protocol (`443/tcp`), where it matters.
    pub port: Option<String>,
    /// The outcome.
    pub outcome: Outcome,
    /// What the scanner saw (plugin output, actual value).
    pub output: Option<String>,
    /// Where in the file it is (`line 1204`).
    pub position: String,
    /// The day the scanner first saw it on this asset, where it says.
    pub first_seen: Option<NaiveDate>,
    /// The day the scanner last saw it, where it says.
    pub last_seen: Option<NaiveDate>,
}

impl Finding {
    /// A finding of `id` on the asset at `asset`, open and of Medium
    /// severity until the reader says more; a CVE id is its own CVE.
    pub fn new(id: &str, id_kind: IdKind, asset: usize, position: String) -> Finding {
        Finding {
            id: id.to_string(),
            id_kind,
            title: id.to_string(),
            description: None,
            synopsis: None,
            solution: None,
            severity: Severity::Medium,
            raw_severity: String::new(),
            stig_severity: None,
            cvss: Vec::new(),
            cves: if is_cve(id) {
                vec![id.to_string()]
            } else {
                Vec::new()
            },
            ccis: Vec::new(),
            controls: Vec::new(),
            aliases: Vec::new(),
            asset,
            port: None,
            outcome: Outcome::Open,
            output: None,
            position,
            first_seen: None,
            last_seen: None,
        }
    }

    /// The highest CVSS score of a version.
    pub fn cvss_score(&self, version: CvssVersion) -> Option<f32> {
        self.cvss
            .iter()
            .filter(|c| c.version == version)
            .map(|c| c.score)
            .reduce(f32::max)
    }
}

/// Whether a text is one CVE id (`CVE-2021-44228`).
pub(crate) fn is_cve(text: &str) -> bool {
    let Some(rest) = text.strip_prefix("CVE-") else {
        return false;
    };
    match rest.split_once('-') {
        Some((year, num)) => {
            year.len() == 4
                && num.len() >= 4
                && year.chars().chain(num.chars()).all(|c| c.is_ascii_digit())
        }
        None => false,
    }
}

/// CVE ids named in a text (Grype's rule ids `CVE-2008-0732-geronimo...`).
pub(crate) fn cves_in(text: &str, out: &mut Vec<String>) {
    let mut rest = text;
    while let Some(at) = rest.find("CVE-") {
        let tail = &rest[at + 4..];
        let year: String = tail.chars().take_while(char::is_ascii_digit).collect();
        let after = &tail[year.len()..];
        let num: String = after
            .strip_prefix('-')
            .map(|n| n.chars().take_while(char::is_ascii_digit).collect())
            .unwrap_or_default();
        if year.len() == 4 && num.len() >= 4 {
            let cve = format!("CVE-{year}-{num}");
            if !out.contains(&cve) {
                out.push(cve);
            }
        }
        rest = tail;
    }
}

/// Something a reader could not read, or a doubt, with where it is.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ScanNote {
    /// Where (`line 88`).
    pub position: String,
    /// What, for a person.
    pub message: String,
}

/// What one scanner file says.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Scan {
    /// The file.
    pub file: String,
    /// The format read (`nessus`).
    pub format: String,
    /// The scanner, as the file names it (`Nessus 10.1.1`).
    pub scanner: Option<String>,
    /// The scan's name, where the file gives one.
    pub name: Option<String>,
    /// The day the scan ran (its first host's start).
    pub scanned_on: Option<NaiveDate>,
    /// Every asset the scan covered, with or without findings.
    pub assets: Vec<Asset>,
    /// The findings, when read whole ([`read_scan`]).
    pub findings: Vec<Finding>,
    /// What could not be read.
    pub notes: Vec<ScanNote>,
}

/// Why a scanner file could not be read at all.
#[derive(Debug, thiserror::Error)]
pub enum ScanError {
    /// The file cannot be opened or read.
    #[error("{file}: cannot read the file: {source}")]
    Io {
        /// The file.
        file: String,
        /// Why.
        source: std::io::Error,
    },
    /// Not a scanner output poamkit reads.
    #[error("{file}: {reason}")]
    NotScan {
        /// The file.
        file: String,
        /// Why, for a person.
        reason: String,
    },
    /// Broken where nothing after can be read.
    #[error("{file}: {position}: {reason}")]
    Broken {
        /// The file.
        file: String,
        /// Where.
        position: String,
        /// Why.
        reason: String,
    },
}

/// Reads a scanner file whole.
///
/// # Errors
///
/// [`ScanError`] when the file is not a scanner output poamkit reads or
/// cannot be read at all; what a readable file holds that cannot be read is
/// in [`Scan::notes`].
pub fn read_scan(path: &Path) -> Result<Scan, ScanError> {
    read_scan_mapped(path, None)
}

/// Reads a scanner file whole, a CSV with `mapping`'s columns where its
/// header has the mapping's id and host columns.
///
/// # Errors
///
/// As [`read_scan`].
pub fn read_scan_mapped(path: &Path, mapping: Option<&CsvMapping>) -> Result<Scan, ScanError> {
    let mut findings = Vec::new();
    let mut scan = read_scan_into_mapped(path, mapping, &mut |f| findings.push(f))?;
    scan.findings = findings;
    Ok(scan)
}

/// As [`read_scan_into`], a CSV with `mapping`'s columns where its header
/// has the mapping's id and host columns.
///
/// # Errors
///
/// As [`read_scan`].
pub fn read_scan_into_mapped(
    path: &Path,
    mapping: Option<&CsvMapping>,
    sink: &mut dyn FnMut(Finding),
) -> Result<Scan, ScanError> {
    if let Some(m) = mapping {
        let file = path.display().to_string();
        let head = {
            use std::io::Read;
            let mut head = Vec::with_capacity(8192);
            std::fs::File::open(path)
                .and_then(|f| f.take(8192).read_to_end(&mut head))
                .map_err(|source| ScanError::Io {
                    file: file.clone(),
                    source,
                })?;
            String::from_utf8_lossy(&head).into_owned()
        };
        if csv_mapping::applies(m, head.trim_start_matches('\u{feff}')) {
            let bytes = std::fs::read(path).map_err(|source| ScanError::Io {
                file: file.clone(),
                source,
            })?;
            return csv_mapping::read(&file, m, &String::from_utf8_lossy(&bytes), sink);
        }
    }
    read_scan_into(path, sink)
}

impl Scan {
    /// An empty scan of a file in a format, by a scanner.
    pub(crate) fn new(file: &str, format: &str, scanner: &str) -> Scan {
        Scan {
            file: file.to_string(),
            format: format.to_string(),
            scanner: Some(scanner.to_string()),
            ..Scan::default()
        }
    }
}

/// An XML element's attribute by its name (with or without a namespace
/// prefix), its value unescaped and normalized.
pub(crate) fn xml_attr(e: &quick_xml::events::BytesStart<'_>, name: &str) -> Option<String> {
    e.attributes()
        .flatten()
        .find(|a| a.key.as_ref() == name || a.key.local_name().into_inner() == name)
        .and_then(|a| {
            a.normalized_value(quick_xml::XmlVersion::Implicit1_0)
                .ok()
                .map(|v| v.into_owned())
        })
}

/// The next XML event, or the file refused at its line: a month's
/// decisions must not rest on half a scan. `what` names the file for a
/// person (`the checklist`), `again` says what to do.
pub(crate) fn xml_event<'b, R: std::io::BufRead>(
    reader: &mut quick_xml::Reader<R>,
    buf: &'b mut Vec<u8>,
    file: &str,
    line: usize,
    what: &str,
    again: &str,
) -> Result<quick_xml::events::Event<'b>, ScanError> {
    reader.read_event_into(buf).map_err(|e| ScanError::Broken {
        file: file.to_string(),
        position: format!("line {line}"),
        reason: format!(
            "{what} is not well-formed XML ({e}); nothing after this point can be read, so it is not used{again}"
        ),
    })
}

/// The text an XML event holds (text, CDATA, a character or predefined
/// entity reference), the lines it spans counted into `line`: how the XML
/// readers gather an element's content and say where they are.
pub(crate) fn xml_text<'i>(
    event: &quick_xml::events::Event<'i>,
    line: &mut usize,
) -> Option<std::borrow::Cow<'i, str>> {
    use quick_xml::events::Event;
    match event {
        Event::Text(t) => {
            *line += t.matches('\n').count();
            Some(t.xml10_content())
        }
        Event::CData(t) => {
            *line += t.matches('\n').count();
            Some(t.xml10_content())
        }
        Event::GeneralRef(r) => match r.resolve_char_ref() {
            Ok(Some(ch)) => Some(ch.to_string().into()),
            _ => quick_xml::escape::resolve_predefined_entity(r).map(Into::into),
        },
        _ => None,
    }
}

/// The day a scanner's date names, in the shapes exports write: ISO-8601
/// (`2023-06-08T01:58:56.166Z`, `2026-02-18 12:01:00+01:00`), `Jan 5, 2021
/// 10:24:08 MST`, `Feb 03, 2026 07:00 AM`, `05/13/2021 07:08:28` (month
/// first, unless the first number cannot be a month: `22/09/2022`), `Wed
/// Mar 24 21:03:39 2021`, `Sun, 20 Jun 2021 09:30:00`.
pub(crate) fn day_of(text: &str) -> Option<NaiveDate> {
    let t = text.trim();
    if let Some(d) = t
        .get(..10)
        .and_then(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok())
    {
        return Some(d);
    }
    let words: Vec<&str> = t.split_whitespace().collect();
    let month_word = |w: &str| NaiveDate::parse_from_str(&format!("1 {w} 2000"), "%d %b %Y").ok();
    // `Jan 5, 2021 ...` / `Feb 03, 2026 ...`
    if let [m, d, y, ..] = words.as_slice() {
        if month_word(m).is_some() {
            let s = format!("{m} {} {y}", d.trim_end_matches(','));
            if let Ok(day) = NaiveDate::parse_from_str(&s, "%b %d %Y") {
                return Some(day);
            }
        }
    }
    // `Wed Mar 24 21:03:39 2021`
    if let [_, m, d, _, y, ..] = words.as_slice() {
        if let Ok(day) = NaiveDate::parse_from_str(&format!("{m} {d} {y}"), "%b %d %Y") {
            return Some(day);
        }
    }
    // `Sun, 20 Jun 2021 09:30:00`
    if let [_, d, m, y, ..] = words.as_slice() {
        if let Ok(day) = NaiveDate::parse_from_str(&format!("{d} {m} {y}"), "%d %b %Y") {
            return Some(day);
        }
    }
    // `05/13/2021 ...`, `22/09/2022 ...`
    let first = words.first()?;
    let parts: Vec<u32> = first
        .split(['/', '-', '.'])
        .map(|p| p.parse().ok())
        .collect::<Option<_>>()?;
    if let [a, b, y] = parts[..] {
        let y = if y < 100 { y + 2000 } else { y } as i32;
        return if a > 12 {
            NaiveDate::from_ymd_opt(y, b, a)
        } else {
            NaiveDate::from_ymd_opt(y, a, b)
        };
    }
    None
}

/// The scanner format of a file by its first bytes (`nessus`, or
/// `nessus-v1` for the old format poamkit refuses), `None` when it is no
/// scanner output poamkit knows.
pub fn detect(path: &Path) -> Option<&'static str> {
    use std::io::Read;
    let mut head = Vec::with_capacity(4096);
    std::fs::File::open(path)
        .ok()?
        .take(4096)
        .read_to_end(&mut head)
        .ok()?;
    let head = String::from_utf8_lossy(&head);
    if head.contains("<NessusClientData_v2") {
        Some("nessus")
    } else if head.contains("<NessusClientData") {
        Some("nessus-v1")
    } else if head.contains("<ASSET_DATA_REPORT")
        || head.contains("scan-1.dtd")
        || head.contains("<SCAN value=")
    {
        Some("qualys-xml")
    } else if head.contains("<asset-report-collection")
        || head.contains(":asset-report-collection")
        || head.contains("TestResult")
        || head.contains("<Benchmark")
        || head.contains(":Benchmark")
    {
        Some("xccdf")
    } else if head.contains("<CHECKLIST") {
        Some("ckl")
    } else if let Some(spec) = csv_exports::detect(head.trim_start_matches('\u{feff}')) {
        Some(spec.format())
    } else if head.contains("\"runs\"")
        && (head.contains("sarif") || head.contains("\"version\": \"2.1.0\""))
    {
        Some("sarif")
    } else if head.contains("\"findingArn\"") {
        Some("inspector2")
    } else if head.contains("\"ProductArn\"")
        || head.contains("\"SchemaVersion\":\"2018-10-08\"")
        || head.contains("\"SchemaVersion\": \"2018-10-08\"")
    {
        Some("asff")
    } else if head.contains("\"matches\"") && head.contains("\"vulnerability\"") {
        Some("grype")
    } else if head.contains("\"VulnerabilityID\"")
        || head.contains("\"ArtifactName\"")
        || head.contains("\"ClusterName\"")
        || head.contains("\"SchemaVersion\"")
    {
        Some("trivy")
    } else if head
        .trim_start_matches('\u{feff}')
        .trim_start()
        .starts_with('{')
        && head.contains("\"stigs\"")
        || path
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("cklb"))
    {
        Some("cklb")
    } else {
        None
    }
}

/// Reads a scanner file, handing each finding to `sink` as it is read; the
/// [`Scan`] returned has the assets and notes (its findings are empty).
///
/// # Errors
///
/// As [`read_scan`].
pub fn read_scan_into(path: &Path, sink: &mut dyn FnMut(Finding)) -> Result<Scan, ScanError> {
    let file = path.display().to_string();
    let io = |source| ScanError::Io {
        file: file.clone(),
        source,
    };
    match detect(path) {
        Some("nessus") => {
            let reader = std::io::BufReader::new(std::fs::File::open(path).map_err(io)?);
            nessus::read(&file, reader, sink)
        }
        Some("ckl") => {
            let reader = std::io::BufReader::new(std::fs::File::open(path).map_err(io)?);
            stig::read_ckl(&file, reader, sink)
        }
        Some("qualys-xml") => {
            let reader = std::io::BufReader::new(std::fs::File::open(path).map_err(io)?);
            qualys_xml::read(&file, reader, sink)
        }
        Some("xccdf") => {
            let reader = std::io::BufReader::new(std::fs::File::open(path).map_err(io)?);
            xccdf::read(&file, reader, sink)
        }
        Some("cklb") => {
            let bytes = std::fs::read(path).map_err(io)?;
            stig::read_cklb(&file, &String::from_utf8_lossy(&bytes), sink)
        }
        Some("tenable-csv" | "qualys-csv") => {
            let bytes = std::fs::read(path).map_err(io)?;
            let text = String::from_utf8_lossy(&bytes);
            let text = text.trim_start_matches('\u{feff}');
            let (spec, skip) =
                csv_exports::find_header(text).ok_or_else(|| ScanError::NotScan {
                    file: file.clone(),
                    reason: "no scanner's header row".into(),
                })?;
            csv_exports::read(&file, spec, skip, text, sink)
        }
        // Streamed: a Security Hub export can be large.
        Some("asff") => aws::read_asff(&file, path, sink),
        Some("inspector2") => aws::read_inspector(&file, path, sink),
        Some(kind @ ("trivy" | "grype" | "sarif")) => {
            let bytes = std::fs::read(path).map_err(io)?;
            let doc = json::parse(&file, &String::from_utf8_lossy(&bytes))?;
            match kind {
                "grype" => container::read_grype(&file, &doc, sink),
                "sarif" => sarif::read(&file, &doc, sink),
                _ => container::read_trivy(&file, &doc, sink),
            }
        }
        Some(_) => Err(ScanError::NotScan {
            file,
            reason: "a Nessus v1 file (NessusClientData, written by Nessus 4.0 and older); export the scan again as .nessus (v2)".into(),
        }),
        None => {
            // Said plainly when the file cannot even be opened.
            std::fs::metadata(path).map_err(io)?;
            Err(ScanError::NotScan {
                file,
                reason: "not a scanner output poamkit reads (it reads Nessus .nessus v2 files, Tenable and Qualys CSV exports, Qualys XML, STIG checklists .ckl and .cklb, SCAP results (XCCDF, ARF), SARIF, Trivy and Grype JSON, Amazon Inspector and Security Hub (ASFF) findings; another scanner's CSV with --scan-mapping FILE)".into(),
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scan_of(text: &str) -> Result<Scan, ScanError> {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("scan.nessus");
        std::fs::write(&path, text).unwrap();
        read_scan(&path)
    }

    const SAMPLE: &str = r#"<?xml version="1.0" ?>
<NessusClientData_v2>
<Report name="Monthly &amp; weekly" xmlns:cm="http://www.nessus.org/cm">
<ReportHost name="web-01"><HostProperties>
<tag name="HOST_START">Tue Jan  7 08:19:20 2025</tag>
<tag name="host-ip">10.0.0.5</tag>
<tag name="hostname">web-01.example</tag>
</HostProperties>
<ReportItem port="443" svc_name="www" protocol="tcp" severity="3" pluginID="104743" pluginName="TLS &lt;1.2 Detection">
<description><![CDATA[Old TLS <enabled>.]]></description>
<cvss_base_score>6.1</cvss_base_score>
<cvss3_base_score>6.5</cvss3_base_score>
<cvss3_vector>CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:U/C:L/I:L/A:N</cvss3_vector>
<cve>CVE-2011-3389</cve><cve>CVE-2015-0204</cve><cve>CVE-2011-3389</cve>
</ReportItem>
<ReportItem port="0" svc_name="general" protocol="tcp" severity="0" pluginID="19506" pluginName="Nessus Scan Information"/>
<ReportItem port="0" svc_name="general" protocol="tcp" severity="3" pluginID="21157" pluginName="Unix Compliance Checks">
<cm:compliance-check-name>1.1 Ensure /tmp is separate</cm:compliance-check-name>
<cm:compliance-check-id>abc123</cm:compliance-check-id>
<cm:compliance-result>FAILED</cm:compliance-result>
<cm:compliance-reference>800-53|CM-6,800-53|CM-7(1),800-171|3.4.2,CCI|CCI-000366,CSCv7|5.1</cm:compliance-reference>
</ReportItem>
</ReportHost>
<ReportHost name="db-01"><HostProperties><tag name="host-ip">10.0.0.6</tag></HostProperties></ReportHost>
</Report>
</NessusClientData_v2>
"#;

    #[test]
    fn a_nessus_file_gives_its_hosts_findings_and_references() {
        let scan = scan_of(SAMPLE).unwrap();
        assert_eq!(scan.name.as_deref(), Some("Monthly & weekly"));
        assert_eq!(scan.scanned_on, NaiveDate::from_ymd_opt(2025, 1, 7));
        // Both hosts are covered, the one without findings too.
        assert_eq!(scan.assets.len(), 2);
        assert_eq!(scan.assets[0].label(), "web-01.example");
        assert_eq!(scan.assets[1].label(), "10.0.0.6");
        assert_eq!(scan.findings.len(), 3);
        let tls = &scan.findings[0];
        assert_eq!(tls.title, "TLS <1.2 Detection");
        assert_eq!(tls.description.as_deref(), Some("Old TLS <enabled>."));
        assert_eq!(tls.port.as_deref(), Some("443/tcp"));
        assert_eq!(tls.severity, Severity::High);
        assert_eq!(tls.cvss_score(CvssVersion::V3), Some(6.5));
        assert_eq!(tls.cvss_score(CvssVersion::V2), Some(6.1));
        assert_eq!(tls.cves, ["CVE-2011-3389", "CVE-2015-0204"]);
        assert_eq!(tls.outcome, Outcome::Open);
        assert_eq!(scan.findings[1].outcome, Outcome::Informational);
        let check = &scan.findings[2];
        assert_eq!(
            (check.id.as_str(), check.id_kind),
            ("abc123", IdKind::ComplianceCheck)
        );
        assert_eq!(check.title, "1.1 Ensure /tmp is separate");
        assert_eq!(check.controls, ["CM-6", "CM-7(1)", "3.4.2"]);
        assert_eq!(check.ccis, ["CCI-000366"]);
        assert_eq!(check.position, "line 17");
        assert!(scan.notes.is_empty(), "{:?}", scan.notes);
    }

    #[test]
    fn a_broken_file_is_refused_with_its_line() {
        let broken = SAMPLE.replace("</ReportItem>\n<ReportItem port=\"0\" svc_name=\"general\" protocol=\"tcp\" severity=\"0\"", "</ReportHost>\n<ReportItem port=\"0\" svc_name=\"general\" protocol=\"tcp\" severity=\"0\"");
        match scan_of(&broken) {
            Err(ScanError::Broken {
                position, reason, ..
            }) => {
                assert_eq!(position, "line 15");
                assert!(reason.contains("not well-formed"), "{reason}");
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn odd_values_are_noted_not_fatal() {
        let odd = SAMPLE
            .replace(
                "<cvss3_base_score>6.5</cvss3_base_score>",
                "<cvss3_base_score>high</cvss3_base_score>",
            )
            .replace("Tue Jan  7 08:19:20 2025", "yesterday");
        let scan = scan_of(&odd).unwrap();
        assert_eq!(scan.findings.len(), 3);
        let notes: Vec<&str> = scan.notes.iter().map(|n| n.message.as_str()).collect();
        assert!(
            notes
                .iter()
                .any(|n| n.contains("cvss3_base_score \"high\" is not a CVSS score")),
            "{notes:?}"
        );
        assert!(
            notes.iter().any(|n| n.contains("HOST_START \"yesterday\"")),
            "{notes:?}"
        );
    }

    #[test]
    fn other_files_are_not_scans() {
        assert!(matches!(
            scan_of("Plugin ID,Name\n1,x\n"),
            Err(ScanError::NotScan { .. })
        ));
        assert!(matches!(
            scan_of("<NessusClientData><Report/></NessusClientData>"),
            Err(ScanError::NotScan { .. })
        ));
    }

    proptest::proptest! {
        /// Whatever bytes follow a .nessus root, reading never panics.
        #[test]
        fn any_bytes_never_panic(tail in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..400)) {
            let mut text = b"<NessusClientData_v2><Report name=\"x\"><ReportHost name=\"h\">".to_vec();
            text.extend(tail);
            let dir = tempfile::tempdir().unwrap();
            let path = dir.path().join("scan.nessus");
            std::fs::write(&path, &text).unwrap();
            let _ = read_scan(&path);
        }

        /// Nor after a checklist's root, in either form, nor in Trivy's,
        /// Grype's, SARIF, Inspector's or ASFF JSON, SCAP results or
        /// Qualys's XML.
        #[test]
        fn any_checklist_bytes_never_panic(tail in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..400)) {
            let dir = tempfile::tempdir().unwrap();
            for (name, head) in [
                ("c.ckl", &b"<CHECKLIST><ASSET><HOST_NAME>h</HOST_NAME></ASSET><STIGS><iSTIG><VULN>"[..]),
                ("c.cklb", &b"{\"target_data\": {}, \"stigs\": [{\"rules\": [{\"status\": "[..]),
                ("t.json", &b"{\"SchemaVersion\": 2, \"ArtifactName\": \"x\", \"Results\": [{\"Vulnerabilities\": "[..]),
                ("g.json", &b"{\"matches\": [{\"vulnerability\": "[..]),
                ("s.sarif", &b"{\"version\": \"2.1.0\", \"runs\": [{\"tool\": {\"driver\": {\"name\": \"x\"}}, \"results\": [{\"ruleId\": "[..]),
                ("i.json", &b"{\"findings\": [{\"findingArn\": \"a\", \"resources\": "[..]),
                ("a.json", &b"{\"SchemaVersion\": \"2018-10-08\", \"ProductArn\": \"p\", \"Resources\": "[..]),
                ("a.asff-json", &b"{\"SchemaVersion\":\"2018-10-08\",\"Id\":\"x\"}\n{\"ProductArn\": "[..]),
                ("x.xml", &b"<Benchmark><Group id=\"g_group_V-1\"><Rule id=\"r\"><title>t</title></Rule></Group><TestResult><target>h</target><rule-result idref=\"r\"><result>"[..]),
                ("q.xml", &b"<!DOCTYPE SCAN SYSTEM \"scan-1.dtd\"><SCAN value=\"s\"><IP value=\"10.0.0.1\"><VULNS><CAT value=\"c\"><VULN number=\"1\" severity=\"3\">"[..]),
                ("r.xml", &b"<ASSET_DATA_REPORT><HOST_LIST><HOST><IP>10.0.0.1</IP><VULN_INFO_LIST><VULN_INFO><QID>"[..]),
                ("t.csv", &b"Plugin ID,CVE,CVSS,Risk,Host,Protocol,Port,Name\n1,CVE-2020-0001,5.0,Medium,h,tcp,443,"[..]),
                ("v.csv", &b"Title,\"Asset Vuln Datalist\"\nx\n\nIP,QID,Title,Severity,First Detected\n10.0.0.1,1,"[..]),
            ] {
                let mut text = head.to_vec();
                text.extend(&tail);
                let path = dir.path().join(name);
                std::fs::write(&path, &text).unwrap();
                let _ = read_scan(&path);
            }
        }
    }
}
