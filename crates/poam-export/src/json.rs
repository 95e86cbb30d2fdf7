//! The model as JSON.

use crate::{ExportError, Written};
use poam_model::Poam;

/// Writes the model as pretty-printed JSON (the documented public contract).
///
/// # Errors
///
/// [`ExportError::Json`] if serialization fails (it does not for valid models).
pub fn write_json(poam: &Poam) -> Result<Written, ExportError> {
    let mut bytes = Vec::new();
    write_json_to(poam, &mut bytes)?;
    Ok(Written {
        bytes,
        diagnostics: Vec::new(),
    })
}

/// Streams the model as pretty-printed JSON to `out` (a large POA&M never
/// sits in memory twice).
///
/// # Errors
///
/// [`ExportError::Json`] when writing fails.
pub fn write_json_to(poam: &Poam, out: &mut impl std::io::Write) -> Result<(), ExportError> {
    let mut buffered = std::io::BufWriter::new(out);
    serde_json::to_writer_pretty(&mut buffered, poam)?;
    std::io::Write::write_all(&mut buffered, b"\n").map_err(serde_json::Error::io)?;
    std::io::Write::flush(&mut buffered).map_err(serde_json::Error::io)?;
    Ok(())
}
