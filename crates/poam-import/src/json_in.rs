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

/// Reads the model, or an OSCAL POA&M, from JSON text.
pub(crate) fn read(file: &str, text: &str) -> Result<Imported, ImportError> {
    let value: serde_json::Value = serde_json::from_str(text).map_err(|e| json_error(file, &e))?;
    if crate::oscal_in::is_oscal(&value) {
        return crate::oscal_in::read(file, &value);
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
