//! poamkit's own JSON (the model).

use crate::{ImportError, Imported, ReadReport};
use poam_model::Poam;

/// A JSON error with its place given once (serde_json's message repeats it).
fn json_error(file: &str, e: &serde_json::Error) -> ImportError {
    let text = e.to_string();
    let reason = match text.rfind(" at line ") {
        Some(i) if e.line() > 0 => text[..i].to_string(),
        _ => text,
    };
    ImportError::Json {
        file: file.to_string(),
        line: e.line(),
        column: e.column(),
        reason,
    }
}

/// What a JSON or YAML document is when it is neither poamkit's model nor an
/// OSCAL POA&M: said with its top-level keys, so that a user sees what the
/// file holds instead.
fn not_a_poam(file: &str, value: &serde_json::Value, syntax: &str) -> Option<ImportError> {
    let keys: Vec<&str> = match value {
        serde_json::Value::Object(map) if !map.contains_key("items") => {
            map.keys().map(String::as_str).take(8).collect()
        }
        serde_json::Value::Object(_) => return None,
        _ => Vec::new(),
    };
    Some(ImportError::NotPoam {
        file: file.to_string(),
        reason: format!(
            "this {syntax} is neither poamkit's model (an object with \"items\") nor an OSCAL POA&M (an object with \"plan-of-action-and-milestones\"); {}",
            if keys.is_empty() {
                "it is not an object".to_string()
            } else {
                format!("its top-level keys are {}", keys.join(", "))
            }
        ),
    })
}

/// Reads an OSCAL POA&M written as YAML.
pub(crate) fn read_yaml(file: &str, text: &str) -> Result<Imported, ImportError> {
    let value: serde_json::Value =
        serde_saphyr::from_str(text).map_err(|e| ImportError::NotPoam {
            file: file.to_string(),
            reason: format!(
                "not readable YAML: {}",
                e.to_string().lines().next().unwrap_or("")
            ),
        })?;
    if crate::oscal_in::is_oscal(&value) {
        return crate::oscal_in::read(file, &value);
    }
    Err(
        not_a_poam(file, &value, "YAML").unwrap_or_else(|| ImportError::NotPoam {
            file: file.to_string(),
            reason: "YAML is read only as an OSCAL POA&M; poamkit's own model is JSON".into(),
        }),
    )
}

/// Reads the model, or an OSCAL POA&M, from JSON text.
pub(crate) fn read(file: &str, text: &str) -> Result<Imported, ImportError> {
    let value: serde_json::Value = serde_json::from_str(text).map_err(|e| json_error(file, &e))?;
    if crate::oscal_in::is_oscal(&value) {
        return crate::oscal_in::read(file, &value);
    }
    if let Some(e) = not_a_poam(file, &value, "JSON") {
        return Err(e);
    }
    let poam: Poam = serde_json::from_value(value).map_err(|_| {
        // A Value has no positions: parse the text again, on this failure
        // path only, for an error that says where.
        let e = serde_json::from_str::<Poam>(text)
            .err()
            .unwrap_or_else(|| serde::de::Error::custom("not the model"));
        json_error(file, &e)
    })?;
    Ok(Imported {
        poam,
        diagnostics: Vec::new(),
        report: ReadReport {
            format: "json".into(),
            layout: Some("poamkit json".into()),
            ..ReadReport::default()
        },
    })
}
