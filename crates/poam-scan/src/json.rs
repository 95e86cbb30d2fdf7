//! What the JSON readers share: text and lists of a JSON value, the common
//! severity words, the assets of a scan by name, and reading the file.

use crate::{Asset, Finding, IdKind, Scan, ScanError, ScanNote, Severity};
use serde_json::Value;

/// A JSON document, or the line and reason it is not one.
pub(crate) fn parse(file: &str, text: &str) -> Result<Value, ScanError> {
    serde_json::from_str(text.trim_start_matches('\u{feff}')).map_err(|e| ScanError::Broken {
        file: file.to_string(),
        position: format!("line {}", e.line()),
        reason: format!("not readable JSON ({e})"),
    })
}

pub(crate) fn s<'a>(v: &'a Value, key: &str) -> Option<&'a str> {
    v.get(key)
        .and_then(Value::as_str)
        .filter(|t| !t.trim().is_empty())
}

pub(crate) fn arr<'a>(v: &'a Value, key: &str) -> &'a [Value] {
    v.get(key)
        .and_then(Value::as_array)
        .map_or(&[], Vec::as_slice)
}

/// A scanner's severity word; Unknown is read as Medium and counted.
pub(crate) fn severity(word: &str, unknown: &mut usize) -> Severity {
    match word.trim().to_ascii_lowercase().as_str() {
        "critical" => Severity::Critical,
        "high" => Severity::High,
        "medium" | "moderate" => Severity::Medium,
        "low" | "negligible" => Severity::Low,
        _ => {
            *unknown += 1;
            Severity::Medium
        }
    }
}

pub(crate) fn asset_index(scan: &mut Scan, name: &str) -> usize {
    match scan.assets.iter().position(|a| a.name == name) {
        Some(n) => n,
        None => {
            scan.assets.push(Asset {
                name: name.to_string(),
                ..Asset::default()
            });
            scan.assets.len() - 1
        }
    }
}

pub(crate) fn base(id: &str, kind: IdKind, asset: usize, position: String) -> Finding {
    Finding::new(id, kind, asset, position)
}

pub(crate) fn unknown_note(scan: &mut Scan, unknown: usize) {
    if unknown > 0 {
        scan.notes.push(ScanNote {
            position: "the whole file".into(),
            message: format!("{unknown} finding(s) of unknown severity, read as Medium: rate them"),
        });
    }
}
