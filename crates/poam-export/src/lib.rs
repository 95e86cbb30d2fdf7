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

mod chart_png;
pub mod csv_out;
pub mod deviation_out;
pub mod diff_out;
pub mod docx_out;
pub mod fill;
pub mod fill_docx;
pub mod format;
pub mod json;
pub mod oscal_out;
pub mod package;
pub mod report;
mod save;
pub mod update_out;
pub mod xlsx;

pub use format::{write, Format, Output, WriteOptions};
use poam_model::Diagnostic;
pub use save::{
    check_output_folder, remove_temporaries, save_atomic, save_atomic_with, stage, stage_bytes,
    Staged,
};

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
    #[error("cannot build the workbook")]
    Xlsx(#[from] rust_xlsxwriter::XlsxError),
    /// CSV output failed.
    #[error("cannot write CSV")]
    Csv(#[from] csv::Error),
    /// JSON output failed.
    #[error("cannot write JSON")]
    Json(#[from] serde_json::Error),
    /// A report template is missing, malformed, or names unknown data.
    #[error("report template {template}: {reason}")]
    Template {
        /// The template's path or name.
        template: String,
        /// What went wrong.
        reason: String,
    },
    /// The output would go past a limit of its format (a sheet's rows or
    /// columns): said with the sheet, the count and how to split.
    #[error("{0}")]
    TooBig(String),
    /// The format cannot hold a POA&M without items (OSCAL asks for at
    /// least one poam-item).
    #[error("{0}")]
    Empty(String),
    /// The template given to fill (`--into`) cannot be filled: a part is
    /// missing, or its XML does not parse.
    #[error("{0}")]
    Fill(String),
    /// A zip package could not be built.
    #[error("cannot build the zip: {0}")]
    Zip(String),
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

impl ExportError {
    /// The error as a user needs it for the output at `path`: a failure of
    /// the disk (full, gone) names the output, once.
    #[must_use]
    pub fn at(self, path: &std::path::Path) -> ExportError {
        let io = |source: std::io::Error| ExportError::Io {
            path: path.display().to_string(),
            source,
        };
        match self {
            ExportError::Csv(e) if e.is_io_error() => match e.into_kind() {
                csv::ErrorKind::Io(source) => io(source),
                other => ExportError::Csv(csv::Error::from(std::io::Error::other(format!(
                    "{other:?}"
                )))),
            },
            ExportError::Json(e) if e.io_error_kind().is_some() => io(std::io::Error::from(e)),
            ExportError::Xlsx(rust_xlsxwriter::XlsxError::IoError(source)) => io(source),
            ExportError::Io { path, source } if path.is_empty() => io(source),
            other => other,
        }
    }
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
            if held.contains(field) || item.is_blank(*field) {
                continue;
            }
            // CCIs named in a held comments or source cell go with it.
            let kept_in_text = *field == Field::Ccis
                && poam_model::control::ccis_in_text(item, |f| held.contains(&f));
            if !kept_in_text {
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
