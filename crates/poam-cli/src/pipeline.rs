//! `poam convert` as a pipeline: the reader hands each item, as soon as it
//! is complete, to the writer on a second thread. Reading and writing
//! overlap on two cores, and a large POA&M's items are never all held.
//!
//! The output is only put in place when the reader finished without error
//! (it says so with [`Msg::End`]); otherwise the writer stops and nothing is
//! written.

use poam_export::{csv_out, json, xlsx, ExportError};
use poam_import::{ImportError, ImportOptions, Imported, ItemSink};
use poam_layout::Layout;
use poam_model::{Diagnostic, Item, State, SystemInfo};
use std::path::Path;
use std::sync::mpsc::{sync_channel, Receiver, SyncSender};

/// What the reader sends the writer.
enum Msg {
    System(SystemInfo),
    Item(Box<Item>),
    /// An item already turned into a workbook's cells (on the reader's side,
    /// which has time to spare while the writer zips and formats).
    Cells(xlsx::PreparedItem),
    /// The whole file was read.
    End,
}

/// What the writer makes.
pub(crate) enum Output {
    Xlsx(&'static Layout),
    Csv { excel_bom: bool },
    Json,
}

/// A conversion done.
pub(crate) struct Piped {
    /// The read, its items gone to the writer.
    pub imported: Imported,
    /// What the target lost or moved.
    pub written: Vec<Diagnostic>,
    pub open: usize,
    pub closed: usize,
}

/// Why a conversion failed: reading (nothing written) or writing.
pub(crate) enum PipeError {
    Read(ImportError),
    Write(ExportError),
}

/// The reader's side of the channel.
struct Sink {
    tx: SyncSender<Msg>,
    /// For a workbook: how items become its cells.
    cells: Option<xlsx::XlsxPlan<'static>>,
    open: usize,
    closed: usize,
}

impl ItemSink for Sink {
    fn system(&mut self, system: &SystemInfo) {
        let _ = self.tx.send(Msg::System(system.clone()));
    }

    fn item(&mut self, item: Item) {
        match item.state {
            State::Open => self.open += 1,
            State::Closed => self.closed += 1,
        }
        let msg = match &self.cells {
            Some(plan) => Msg::Cells(plan.prepare(&item)),
            None => Msg::Item(Box::new(item)),
        };
        // A writer that stopped has its own error to tell.
        let _ = self.tx.send(msg);
    }
}

/// Reads `input` and writes `out`, the two at once.
pub(crate) fn convert(
    input: &Path,
    opts: &ImportOptions,
    output: Output,
    out: &Path,
) -> Result<Piped, PipeError> {
    std::thread::scope(|s| {
        // Enough items in flight to keep both threads busy, few enough to
        // keep memory flat.
        let (tx, rx) = sync_channel(256);
        let cells = match output {
            Output::Xlsx(layout) => Some(xlsx::XlsxPlan::new(layout)),
            _ => None,
        };
        let writer = s.spawn(move || write(rx, output, out));
        let mut sink = Sink {
            tx,
            cells,
            open: 0,
            closed: 0,
        };
        let read = poam_import::import_path_into(input, opts, &mut sink);
        if read.is_ok() {
            let _ = sink.tx.send(Msg::End);
        }
        let (open, closed) = (sink.open, sink.closed);
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
            open,
            closed,
        })
    })
}

/// The error a writer stops with when the reader stopped first (the
/// reader's error is the one reported).
fn stopped(out: &Path) -> ExportError {
    ExportError::Io {
        path: out.display().to_string(),
        reason: "the input could not be read to its end; nothing written".into(),
    }
}

/// Items until [`Msg::End`].
fn drain(
    rx: &Receiver<Msg>,
    out: &Path,
    mut push: impl FnMut(Msg) -> Result<(), ExportError>,
) -> Result<(), ExportError> {
    loop {
        match rx.recv() {
            Ok(Msg::End) => return Ok(()),
            Ok(Msg::System(_)) => {}
            Ok(msg) => push(msg)?,
            Err(_) => return Err(stopped(out)),
        }
    }
}

/// The item of a message, for the writers that take items.
fn item(msg: Msg) -> Option<Box<Item>> {
    match msg {
        Msg::Item(item) => Some(item),
        _ => None,
    }
}

/// The writer's side: the file is put in place after [`Msg::End`] only.
fn write(rx: Receiver<Msg>, output: Output, out: &Path) -> Result<Vec<Diagnostic>, ExportError> {
    let Ok(Msg::System(system)) = rx.recv() else {
        return Err(stopped(out));
    };
    match output {
        Output::Xlsx(layout) => {
            let mut stream = xlsx::XlsxStream::new(&system, layout, &xlsx::XlsxOptions::default())?;
            drain(&rx, out, |msg| match msg {
                Msg::Cells(cells) => stream.push_prepared(cells),
                Msg::Item(item) => stream.push(&item),
                _ => Ok(()),
            })?;
            let written = stream.finish()?;
            poam_export::save_atomic(out, &written.bytes)?;
            Ok(written.diagnostics)
        }
        Output::Csv { excel_bom } => {
            poam_export::save_atomic_with(out, |f| {
                let opts = csv_out::CsvOptions { excel_bom };
                let mut stream = csv_out::CsvStream::new(f, &system, &opts)?;
                drain(&rx, out, |msg| item(msg).map_or(Ok(()), |i| stream.push(&i)))?;
                stream.finish()
            })?;
            Ok(Vec::new())
        }
        Output::Json => {
            poam_export::save_atomic_with(out, |f| {
                let mut stream = json::JsonStream::new(f, &system)?;
                drain(&rx, out, |msg| item(msg).map_or(Ok(()), |i| stream.push(&i)))?;
                stream.finish()
            })?;
            Ok(Vec::new())
        }
    }
}
