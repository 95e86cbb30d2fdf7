//! The model as JSON.

use crate::{ExportError, Written};
use poam_model::Poam;

/// Writes the model as pretty-printed JSON (the documented public contract).
///
/// # Errors
///
/// [`ExportError::Json`] if serialization fails (it does not for valid models).
pub fn write_json(poam: &Poam) -> Result<Written, ExportError> {
    let mut bytes = serde_json::to_vec_pretty(poam)?;
    bytes.push(b'\n');
    Ok(Written {
        bytes,
        diagnostics: Vec::new(),
    })
}
