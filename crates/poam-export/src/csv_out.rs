//! poamkit's flat CSV: one row per item, columns of `poam_layout::flat`.

use crate::{ExportError, Written};
use poam_layout::flat;
use poam_model::Poam;

/// CSV options.
#[derive(Debug, Clone, Default)]
pub struct CsvOptions {
    /// Start with a UTF-8 byte order mark so that Excel shows non-ASCII text right.
    pub excel_bom: bool,
}

/// Neutralizes text that a spreadsheet would run as a formula: a leading
/// `=`, `+`, `-`, `@`, tab or carriage return gets a `'` in front.
pub fn guard(text: &str) -> String {
    if text.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{text}")
    } else {
        text.to_string()
    }
}

/// Writes the model as CSV (RFC 4180, UTF-8).
///
/// # Errors
///
/// [`ExportError::Csv`] if the CSV writer fails.
pub fn write_csv(poam: &Poam, opts: &CsvOptions) -> Result<Written, ExportError> {
    let mut out = Vec::new();
    write_csv_to(poam, opts, &mut out)?;
    Ok(Written {
        bytes: out,
        diagnostics: Vec::new(),
    })
}

/// Streams the CSV to `out` (a large POA&M never sits in memory twice).
///
/// # Errors
///
/// [`ExportError::Csv`] when a record cannot be written.
pub fn write_csv_to(
    poam: &Poam,
    opts: &CsvOptions,
    mut out: &mut impl std::io::Write,
) -> Result<(), ExportError> {
    if opts.excel_bom {
        out.write_all("\u{feff}".as_bytes())
            .map_err(csv::Error::from)?;
    }
    {
        let mut w = csv::WriterBuilder::new().from_writer(&mut out);
        w.write_record(flat::COLUMNS)?;
        for item in &poam.items {
            let record: Vec<String> = flat::to_record(&poam.system, item)
                .iter()
                .map(|c| guard(c))
                .collect();
            w.write_record(&record)?;
        }
        w.flush().map_err(csv::Error::from)?;
    }
    Ok(())
}
