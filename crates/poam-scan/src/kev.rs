//! CISA's Known Exploited Vulnerabilities catalog, as CISA publishes it
//! (JSON with `vulnerabilities[]`, or the CSV of the same columns): each
//! CVE with the day it was added and the due date BOD 22-01 sets. Read from
//! a file the user gives; never fetched.

use crate::ScanError;
use chrono::NaiveDate;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::Path;

/// One catalog entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KevEntry {
    /// When CISA added it.
    pub date_added: Option<NaiveDate>,
    /// The remediation due date (BOD 22-01).
    pub due: Option<NaiveDate>,
    /// Whether it is known to be used in ransomware campaigns.
    pub ransomware: bool,
}

/// The catalog.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Kev {
    /// The catalog's version (`2025.08.25`), where the file says it.
    pub version: Option<String>,
    /// The entries by CVE id (upper case).
    pub entries: BTreeMap<String, KevEntry>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Row {
    #[serde(rename = "cveID")]
    cve_id: String,
    #[serde(default)]
    date_added: Option<String>,
    #[serde(default)]
    due_date: Option<String>,
    #[serde(default)]
    known_ransomware_campaign_use: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Catalog {
    #[serde(default)]
    catalog_version: Option<String>,
    vulnerabilities: Vec<Row>,
}

impl Kev {
    /// The entry of a CVE.
    pub fn get(&self, cve: &str) -> Option<&KevEntry> {
        self.entries.get(&cve.trim().to_ascii_uppercase())
    }

    fn add(&mut self, row: Row) {
        let day = |t: &Option<String>| {
            t.as_deref()
                .and_then(|d| NaiveDate::parse_from_str(d.get(..10).unwrap_or(d), "%Y-%m-%d").ok())
        };
        self.entries.insert(
            row.cve_id.trim().to_ascii_uppercase(),
            KevEntry {
                date_added: day(&row.date_added),
                due: day(&row.due_date),
                ransomware: row
                    .known_ransomware_campaign_use
                    .as_deref()
                    .is_some_and(|r| r.eq_ignore_ascii_case("known")),
            },
        );
    }
}

/// Reads CISA's KEV catalog (JSON or CSV).
///
/// # Errors
///
/// [`ScanError::Io`] when the file cannot be read, [`ScanError::NotScan`]
/// when it is not the catalog.
pub fn read_kev(path: &Path) -> Result<Kev, ScanError> {
    let file = path.display().to_string();
    let bytes = std::fs::read(path).map_err(|source| ScanError::Io {
        file: file.clone(),
        source,
    })?;
    let text = String::from_utf8_lossy(&bytes);
    let text = text.trim_start_matches('\u{feff}');
    let not = |reason: String| ScanError::NotScan {
        file: file.clone(),
        reason,
    };
    let mut kev = Kev::default();
    if text.trim_start().starts_with('{') {
        let catalog: Catalog = serde_json::from_str(text).map_err(|e| {
            not(format!(
                "not CISA's KEV catalog (JSON with vulnerabilities[] of cveID, dueDate): {e}"
            ))
        })?;
        kev.version = catalog.catalog_version;
        for row in catalog.vulnerabilities {
            kev.add(row);
        }
    } else {
        let mut reader = csv::Reader::from_reader(text.as_bytes());
        let has_cve = reader
            .headers()
            .map(|h| h.iter().any(|c| c == "cveID"))
            .unwrap_or(false);
        if !has_cve {
            return Err(not(
                "not CISA's KEV catalog: no cveID column (give the catalog's JSON or CSV)".into(),
            ));
        }
        for (n, row) in reader.deserialize::<Row>().enumerate() {
            let row = row.map_err(|e| not(format!("row {}: {e}", n + 2)))?;
            kev.add(row);
        }
    }
    Ok(kev)
}
