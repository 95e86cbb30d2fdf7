//! poamkit's own JSON (the model).

use crate::{ImportError, Imported, ReadReport};
use poam_model::Poam;

/// Reads the model, or an OSCAL POA&M, from JSON text.
pub(crate) fn read(file: &str, text: &str) -> Result<Imported, ImportError> {
    let value: serde_json::Value = serde_json::from_str(text).map_err(|e| ImportError::Json {
        file: file.to_string(),
        line: e.line(),
        column: e.column(),
        reason: e.to_string(),
    })?;
    if crate::oscal_in::is_oscal(&value) {
        return crate::oscal_in::read(file, &value);
    }
    let poam: Poam = serde_json::from_value(value).map_err(|e| ImportError::Json {
        file: file.to_string(),
        line: e.line(),
        column: e.column(),
        reason: e.to_string(),
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
