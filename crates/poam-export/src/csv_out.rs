//! poamkit's flat CSV: one row per item, columns of `poam_layout::flat`.

use crate::{ExportError, Written};
use poam_layout::flat;
use poam_model::{Item, Poam, SystemInfo};

/// CSV options.
#[derive(Debug, Clone, Default)]
pub struct CsvOptions {
    /// Start with a UTF-8 byte order mark so that Excel shows non-ASCII text right.
    pub excel_bom: bool,
}

/// Neutralizes text that a spreadsheet would run as a formula: a leading
/// `=`, `+`, `-`, `@`, tab or carriage return gets a `'` in front.
pub fn guard(text: &str) -> String {
    if needs_guard(text) {
        format!("'{text}")
    } else {
        text.to_string()
    }
}

fn needs_guard(text: &str) -> bool {
    text.starts_with(['=', '+', '-', '@', '\t', '\r'])
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
    out: &mut impl std::io::Write,
) -> Result<(), ExportError> {
    let mut stream = CsvStream::new(out, &poam.system, opts)?;
    for item in &poam.items {
        stream.push(item)?;
    }
    stream.finish()
}

/// The CSV written item by item, as a reader hands them over.
pub struct CsvStream<W: std::io::Write> {
    writer: csv::Writer<W>,
    system: SystemInfo,
}

impl<W: std::io::Write> CsvStream<W> {
    /// Starts the file: the byte order mark when asked, and the header row.
    ///
    /// # Errors
    ///
    /// [`ExportError::Csv`] when writing fails.
    pub fn new(mut out: W, system: &SystemInfo, opts: &CsvOptions) -> Result<Self, ExportError> {
        if opts.excel_bom {
            out.write_all("\u{feff}".as_bytes())
                .map_err(csv::Error::from)?;
        }
        let mut writer = csv::WriterBuilder::new().from_writer(out);
        writer.write_record(flat::COLUMNS)?;
        Ok(CsvStream {
            writer,
            system: system.clone(),
        })
    }

    /// Writes an item's row.
    ///
    /// # Errors
    ///
    /// [`ExportError::Csv`] when writing fails.
    pub fn push(&mut self, item: &Item) -> Result<(), ExportError> {
        for cell in flat::to_record(&self.system, item) {
            if needs_guard(&cell) {
                self.writer.write_field(guard(&cell))?;
            } else {
                self.writer.write_field(cell)?;
            }
        }
        // An empty record ends the one written field by field.
        self.writer.write_record(std::iter::empty::<&[u8]>())?;
        Ok(())
    }

    /// Flushes the file.
    ///
    /// # Errors
    ///
    /// [`ExportError::Csv`] when writing fails.
    pub fn finish(mut self) -> Result<(), ExportError> {
        self.writer.flush().map_err(csv::Error::from)?;
        Ok(())
    }
}
