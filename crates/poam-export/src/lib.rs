//! Writers: the [`poam_model::Poam`] model out to files.
//!
//! - [`xlsx::write_xlsx`]: a workbook in a template layout (FedRAMP v3.0 by
//!   default, any FedRAMP version from `templates/`), with the official sheet
//!   names, title and metadata rows, header row, guidance rows, drop-down
//!   lists, frozen panes, widths and real Excel dates.
//! - [`csv_out::write_csv`]: poamkit's flat CSV, guarded against formula
//!   injection.
//! - [`json::write_json`]: the model as JSON (the public contract).
//!
//! [`Format`] is the one list of outputs (a workbook family of the layout
//! registry, CSV, JSON, OSCAL, the NIST Word plan) and [`write`] the one entry
//! point that writes any of them.
//!
//! Every writer returns the bytes plus [`Diagnostic`]s naming what the target
//! could not hold; [`save_atomic`] writes bytes through a temporary file in
//! the same folder and renames it into place, so that no half-written file is
//! ever left behind.
#![deny(missing_docs)]

pub mod csv_out;
pub mod diff_out;
pub mod docx_out;
pub mod format;
pub mod json;
pub mod oscal_out;
pub mod report;
pub mod xlsx;

pub use format::{write, Format, Output, WriteOptions};
use poam_model::Diagnostic;
use std::io::Write;
use std::path::Path;

/// A writer's output: the bytes and what the target could not hold.
#[derive(Debug, Clone)]
pub struct Written {
    /// The file's content.
    pub bytes: Vec<u8>,
    /// Fields moved or dropped, with counts.
    pub diagnostics: Vec<Diagnostic>,
}

/// Something went wrong while writing.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    /// The workbook library refused something.
    #[error("cannot build the workbook: {0}")]
    Xlsx(#[from] rust_xlsxwriter::XlsxError),
    /// CSV output failed.
    #[error("cannot write CSV: {0}")]
    Csv(#[from] csv::Error),
    /// JSON output failed.
    #[error("cannot write JSON: {0}")]
    Json(#[from] serde_json::Error),
    /// A report template is missing, malformed, or names unknown data.
    #[error("report template {template}: {reason}")]
    Template {
        /// The template's path or name.
        template: String,
        /// What went wrong.
        reason: String,
    },
    /// The Word document could not be built.
    #[error("cannot build the Word document: {0}")]
    Docx(String),
    /// The output file could not be written.
    #[error("{path}: cannot write the file")]
    Io {
        /// The path.
        path: String,
        /// What the system said (or why poamkit did not try).
        #[source]
        source: std::io::Error,
    },
}

/// Counts, for each field the items fill that `held` does not list, how many
/// items lose it, as diagnostics naming `target`.
pub fn dropped_fields(
    items: &[poam_model::Item],
    held: &[poam_model::Field],
    target: &str,
) -> Vec<Diagnostic> {
    use poam_model::diag::Lost;
    use poam_model::{DiagKind, Field};
    let mut counts: std::collections::BTreeMap<Field, usize> = std::collections::BTreeMap::new();
    let mut extra = 0;
    for item in items {
        for field in Field::ALL {
            if !held.contains(field) && !item.is_blank(*field) {
                *counts.entry(*field).or_default() += 1;
            }
        }
        if !item.extra.is_empty() {
            extra += 1;
        }
    }
    let mut out: Vec<Diagnostic> = counts
        .into_iter()
        .map(|(f, n)| {
            Diagnostic::unplaced(DiagKind::DroppedField {
                count: n,
                lost: Lost::Field(f),
                target: target.to_string(),
            })
        })
        .collect();
    if extra > 0 {
        out.push(Diagnostic::unplaced(DiagKind::DroppedField {
            count: extra,
            lost: Lost::ExtraColumns,
            target: target.to_string(),
        }));
    }
    out
}

/// The folder an output goes to.
fn folder_of(path: &Path) -> &Path {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    }
}

/// Whether an output's folder exists: checked before a long conversion, so
/// that a mistyped folder is said at once.
///
/// # Errors
///
/// [`ExportError::Io`] naming the missing folder.
pub fn check_output_folder(path: &Path) -> Result<(), ExportError> {
    let dir = folder_of(path);
    if dir.is_dir() {
        return Ok(());
    }
    Err(ExportError::Io {
        path: path.display().to_string(),
        source: std::io::Error::new(
            std::io::ErrorKind::NotFound,
            format!("the folder {} does not exist", dir.display()),
        ),
    })
}

/// A temporary file in the folder of `path`, or why there cannot be one
/// (said without the temporary file's name, which means nothing to a user).
fn temp_beside(path: &Path) -> Result<tempfile::NamedTempFile, ExportError> {
    check_output_folder(path)?;
    let dir = folder_of(path);
    let fail = |reason: String| ExportError::Io {
        path: path.display().to_string(),
        source: std::io::Error::other(reason),
    };
    tempfile::Builder::new()
        .prefix(".poam-")
        .suffix(".tmp")
        .tempfile_in(dir)
        .map_err(|e| {
            fail(format!(
                "cannot create a file in the folder {}: {}",
                dir.display(),
                std::io::Error::from(e.kind())
            ))
        })
}

/// Streams a file to `path` through a temporary file in the same folder:
/// `write` fills it, and it is renamed into place only when `write`
/// succeeded. On failure nothing is left behind.
///
/// # Errors
///
/// [`ExportError::Io`] when the folder is missing or not writable or the
/// rename fails; whatever `write` returns.
pub fn save_atomic_with(
    path: &Path,
    write: impl FnOnce(&mut std::fs::File) -> Result<(), ExportError>,
) -> Result<(), ExportError> {
    let io = |source: std::io::Error| ExportError::Io {
        path: path.display().to_string(),
        source,
    };
    let mut tmp = temp_beside(path)?;
    write(tmp.as_file_mut())?;
    // A temporary file is private (0600); the output gets ordinary permissions.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        tmp.as_file()
            .set_permissions(std::fs::Permissions::from_mode(0o644))
            .map_err(io)?;
    }
    tmp.as_file().sync_all().map_err(io)?;
    tmp.persist(path).map_err(|e| io(e.error))?;
    Ok(())
}

/// Writes `bytes` to `path` through a temporary file in the same folder,
/// renamed into place when complete.
///
/// # Errors
///
/// [`ExportError::Io`] when the folder is missing or not writable or the
/// rename fails.
pub fn save_atomic(path: &Path, bytes: &[u8]) -> Result<(), ExportError> {
    save_atomic_with(path, |file| {
        file.write_all(bytes).map_err(|source| ExportError::Io {
            path: path.display().to_string(),
            source,
        })
    })
}
