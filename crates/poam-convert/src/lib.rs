//! `poam convert` as a pipeline: the reader hands each item to the writer as
//! soon as it is complete, so a large POA&M's items are never all held, and
//! reading and writing overlap on two cores.
//!
//! The import already parses a large sheet's XML on a thread of its own. CSV
//! and JSON are written on the thread that turns rows into items (writing
//! them costs less than parsing). A workbook costs more to write than to
//! read: items are turned into cells on that same thread, and the cells are
//! written on a third one.
//!
//! The output is only put in place when the whole input was read; otherwise
//! nothing is written.
#![deny(missing_docs)]

pub mod template;

use poam_export::{csv_out, json, xlsx, ExportError};
use poam_import::{ImportError, ImportOptions, Imported, ItemSink};
use poam_layout::Layout;
use poam_model::{Diagnostic, Item, State, SystemInfo};
use std::fs::File;
use std::path::Path;
use std::sync::mpsc::{sync_channel, Receiver, SyncSender};

/// What the writer makes: the outputs that can be written item by item.
#[derive(Debug, Clone, Copy)]
pub enum Streamed<'l> {
    /// A workbook in this layout, with the POA&M date to write when the
    /// input has none (see [`xlsx::XlsxOptions::default_poam_date`]).
    Xlsx(&'l Layout, Option<chrono::NaiveDate>),
    /// poamkit's CSV.
    Csv {
        /// Start with a UTF-8 byte order mark.
        excel_bom: bool,
    },
    /// The model as JSON.
    Json,
}

/// A conversion done.
#[derive(Debug)]
pub struct Piped {
    /// The read, its items gone to the writer.
    pub imported: Imported,
    /// What the target lost or moved.
    pub written: Vec<Diagnostic>,
    /// Open items written.
    pub open: usize,
    /// Closed items written.
    pub closed: usize,
}

/// Why a conversion failed: reading (nothing written) or writing.
#[derive(Debug, thiserror::Error)]
pub enum PipeError {
    /// The input could not be read; no output was put in place.
    #[error(transparent)]
    Read(ImportError),
    /// The output could not be written.
    #[error(transparent)]
    Write(ExportError),
}

/// Open and closed items handed over.
#[derive(Default, Clone, Copy)]
struct Counts {
    open: usize,
    closed: usize,
}

impl Counts {
    fn add(&mut self, item: &Item) {
        match item.state {
            State::Open => self.open += 1,
            State::Closed => self.closed += 1,
        }
    }
}

/// Reads `input` and writes `out`, the two at once.
///
/// # Errors
///
/// [`PipeError::Read`] when the input cannot be read (nothing is written),
/// [`PipeError::Write`] when the output cannot be.
pub fn convert(
    input: &Path,
    opts: &ImportOptions,
    output: Streamed<'_>,
    out: &Path,
) -> Result<Piped, PipeError> {
    convert_inspecting(input, opts, output, out, &mut |_| {})
}

/// [`convert`], showing each item to `inspect` as it goes to the writer
/// (the checks of the system the output is for, which need every item but
/// not all at once).
///
/// # Errors
///
/// As [`convert`].
pub fn convert_inspecting(
    input: &Path,
    opts: &ImportOptions,
    output: Streamed<'_>,
    out: &Path,
    inspect: &mut dyn FnMut(&Item),
) -> Result<Piped, PipeError> {
    poam_export::check_output_folder(out).map_err(PipeError::Write)?;
    match output {
        Streamed::Xlsx(layout, options) => workbook(input, opts, layout, options, out, inspect),
        text => text_file(input, opts, text, out, inspect),
    }
}

/// The error a writer stops with when the reader stopped first (the
/// reader's error is the one reported).
fn stopped(out: &Path) -> ExportError {
    ExportError::Io {
        path: out.display().to_string(),
        source: std::io::Error::other("the input could not be read to its end; nothing written"),
    }
}

/// A CSV or JSON file, written as the items come.
enum TextStream<'f> {
    Csv(Box<csv_out::CsvStream<&'f mut File>>),
    Json(json::JsonStream<&'f mut File>),
}

/// Writes each item as it comes, on the reading thread.
struct TextSink<'f> {
    file: Option<&'f mut File>,
    output: &'f Streamed<'f>,
    stream: Option<TextStream<'f>>,
    /// The first write error; the items after it are dropped.
    error: Option<ExportError>,
    counts: Counts,
    inspect: &'f mut dyn FnMut(&Item),
}

impl TextSink<'_> {
    fn finish(self) -> Result<(), ExportError> {
        if let Some(e) = self.error {
            return Err(e);
        }
        match self.stream {
            Some(TextStream::Csv(s)) => s.finish(),
            Some(TextStream::Json(s)) => s.finish(),
            None => Ok(()),
        }
    }
}

impl ItemSink for TextSink<'_> {
    fn system(&mut self, system: &SystemInfo) {
        let Some(file) = self.file.take() else {
            return;
        };
        let stream = match self.output {
            Streamed::Csv { excel_bom } => {
                let opts = csv_out::CsvOptions {
                    excel_bom: *excel_bom,
                };
                csv_out::CsvStream::new(file, system, &opts).map(|s| TextStream::Csv(Box::new(s)))
            }
            _ => json::JsonStream::new(file, system).map(TextStream::Json),
        };
        match stream {
            Ok(stream) => self.stream = Some(stream),
            Err(e) => self.error = Some(e),
        }
    }

    fn item(&mut self, item: Item) {
        self.counts.add(&item);
        (self.inspect)(&item);
        if self.error.is_some() {
            return;
        }
        let written = match &mut self.stream {
            Some(TextStream::Csv(s)) => s.push(&item),
            Some(TextStream::Json(s)) => s.push(&item),
            None => Ok(()),
        };
        if let Err(e) = written {
            self.error = Some(e);
        }
    }
}

fn text_file(
    input: &Path,
    opts: &ImportOptions,
    output: Streamed<'_>,
    out: &Path,
    inspect: &mut dyn FnMut(&Item),
) -> Result<Piped, PipeError> {
    let mut read = None;
    let mut counts = Counts::default();
    let saved = poam_export::save_atomic_with(out, |file| {
        let mut sink = TextSink {
            file: Some(file),
            output: &output,
            stream: None,
            error: None,
            counts: Counts::default(),
            inspect,
        };
        let result = poam_import::import_path_into(input, opts, &mut sink);
        counts = sink.counts;
        let complete = result.is_ok();
        read = Some(result);
        if !complete {
            // The temporary file is removed.
            return Err(stopped(out));
        }
        sink.finish()
    });
    // A read that failed is the error to tell; else the write's, which may
    // also have kept the read from starting (a missing output folder).
    let imported = match (read, saved) {
        (Some(Err(e)), _) => return Err(PipeError::Read(e)),
        (_, Err(e)) => return Err(PipeError::Write(e)),
        (Some(Ok(imported)), Ok(())) => imported,
        (None, Ok(())) => return Err(PipeError::Write(stopped(out))),
    };
    Ok(Piped {
        imported,
        written: Vec::new(),
        open: counts.open,
        closed: counts.closed,
    })
}

/// What the reading side sends the workbook writer.
enum Msg {
    System(SystemInfo),
    /// An item turned into its cells.
    Cells(xlsx::PreparedItem),
    /// The whole file was read.
    End,
}

/// Turns items into cells and sends them to the writer thread.
struct CellSink<'l, 'i> {
    tx: SyncSender<Msg>,
    plan: xlsx::XlsxPlan<'l>,
    counts: Counts,
    inspect: &'i mut dyn FnMut(&Item),
}

impl ItemSink for CellSink<'_, '_> {
    fn system(&mut self, system: &SystemInfo) {
        let _ = self.tx.send(Msg::System(system.clone()));
    }

    fn item(&mut self, item: Item) {
        self.counts.add(&item);
        (self.inspect)(&item);
        // A writer that stopped has its own error to tell.
        let _ = self.tx.send(Msg::Cells(self.plan.prepare(&item)));
    }
}

fn workbook(
    input: &Path,
    opts: &ImportOptions,
    layout: &Layout,
    default_poam_date: Option<chrono::NaiveDate>,
    out: &Path,
    inspect: &mut dyn FnMut(&Item),
) -> Result<Piped, PipeError> {
    std::thread::scope(|s| {
        // Enough items in flight to keep both threads busy, few enough to
        // keep memory flat.
        let (tx, rx) = sync_channel(256);
        let writer = s.spawn(move || write_workbook(rx, layout, default_poam_date, out));
        let mut sink = CellSink {
            tx,
            plan: xlsx::XlsxPlan::new(layout),
            counts: Counts::default(),
            inspect,
        };
        let read = poam_import::import_path_into(input, opts, &mut sink);
        if read.is_ok() {
            let _ = sink.tx.send(Msg::End);
        }
        let counts = sink.counts;
        // Closes the channel: a writer still waiting stops.
        drop(sink);
        let written = writer
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
        let imported = read.map_err(PipeError::Read)?;
        let written = written.map_err(PipeError::Write)?;
        Ok(Piped {
            imported,
            written,
            open: counts.open,
            closed: counts.closed,
        })
    })
}

/// The writer's thread: the file is put in place after [`Msg::End`] only.
fn write_workbook(
    rx: Receiver<Msg>,
    layout: &Layout,
    default_poam_date: Option<chrono::NaiveDate>,
    out: &Path,
) -> Result<Vec<Diagnostic>, ExportError> {
    let Ok(Msg::System(system)) = rx.recv() else {
        return Err(stopped(out));
    };
    let options = xlsx::XlsxOptions {
        default_poam_date,
        ..xlsx::XlsxOptions::default()
    };
    let mut stream = xlsx::XlsxStream::new(&system, layout, &options)?;
    loop {
        match rx.recv() {
            Ok(Msg::Cells(cells)) => stream.push_prepared(cells)?,
            Ok(Msg::End) => break,
            Ok(Msg::System(_)) => {}
            Err(_) => return Err(stopped(out)),
        }
    }
    let written = stream.finish()?;
    poam_export::save_atomic(out, &written.bytes)?;
    Ok(written.diagnostics)
}
