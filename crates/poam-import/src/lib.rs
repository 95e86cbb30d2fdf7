//! Readers: POA&M files into the [`poam_model::Poam`] model.
//!
//! [`import_path`] opens a file, picks the reader by content and extension
//! (workbooks through calamine: xlsx, xlsm, xls, xlsb, ods; poamkit CSV; the
//! model's JSON), detects the layout and version of a workbook from its
//! header text, and returns the model, every diagnostic with its sheet and
//! cell, and a [`ReadReport`] of how the file was read.
//!
//! Readers never stop at a bad cell: a value that cannot be read keeps its
//! raw text in the item's `extra` under its header and adds a
//! [`poam_model::Diagnostic`]. Only a file that cannot be read at all (not a
//! spreadsheet, corrupt, encrypted, no POA&M header) is an [`ImportError`].
//!
//! ```no_run
//! let imported = poam_import::import_path(
//!     std::path::Path::new("fixtures/fedramp/v3.0.xlsx"),
//!     &poam_import::ImportOptions::default(),
//! ).unwrap();
//! println!("{} items", imported.poam.items.len());
//! ```
#![deny(missing_docs)]

mod cell;
mod csv_in;
mod docx;
mod grid;
mod json_in;
mod legacy;
pub mod lists;
mod oscal_in;
mod oscal_xml;
mod report;
mod sheet;
mod standards;
mod workbook;

pub use csv_in::unguard as csv_unguard;
pub use grid::{number_text, Cell, Grid, Limits};
pub use report::{Candidate, ColumnReport, ReadReport, SheetReport};

use poam_model::date::DateOrder;
use poam_model::{Diagnostic, Item, Poam, SystemInfo, Text};
use std::collections::HashMap;
use std::io::Cursor;
use std::path::Path;

/// How to read.
#[derive(Debug, Clone, Default)]
pub struct ImportOptions {
    /// Numeric date order for text dates (`--day-first`).
    pub date_order: DateOrder,
    /// Only consider this layout family (`fedramp`), from `--from`.
    pub family: Option<String>,
    /// Only consider this version (`2.1`), from `--from fedramp:2.1`.
    pub version: Option<String>,
    /// A mapping file (`--mapping`) and its name for messages.
    pub mapping: Option<(poam_layout::mapping::Mapping, String)>,
    /// Limits on cells and inflated size (`--max-cells`, `--max-inflated-mb`).
    pub limits: grid::Limits,
    /// Read on the calling thread only: no reader thread for large sheets
    /// (`poam batch` reads files in parallel instead, one per core).
    pub one_thread: bool,
    /// The layouts to detect and read with: the built-in ones when `None`,
    /// else these (the built-in ones plus a user's, from `--layout`).
    pub layouts: Option<std::sync::Arc<poam_layout::Registry>>,
    /// Control-id frameworks of the user's own (`--framework`), recognized
    /// before the built-in ones.
    pub frameworks: Vec<poam_layout::catalog::Framework>,
    /// What the user says about the system (`--system-name`, `--marking`...),
    /// in place of what the file says.
    pub system: SystemSettings,
}

/// The system's fields a user sets on the command line; each one set takes
/// the place of the file's.
#[derive(Debug, Clone, Default)]
pub struct SystemSettings {
    /// `--system-name`.
    pub name: Option<String>,
    /// `--organization`.
    pub organization: Option<String>,
    /// `--impact-level`.
    pub impact_level: Option<String>,
    /// `--poam-date`.
    pub poam_date: Option<chrono::NaiveDate>,
    /// `--marking`.
    pub marking: Option<String>,
    /// eMASS header fields by label (`POC Name:`), from `--emass-field`.
    pub extra: Vec<(String, String)>,
}

impl SystemSettings {
    /// Sets the fields given; a marking that replaces another one the file
    /// carries is said (`Some((read, set))`).
    pub fn apply(&self, system: &mut SystemInfo) -> Option<(String, String)> {
        let mut replaced = None;
        if let Some(m) = &self.marking {
            if let Some(old) = &system.marking {
                if !poam_model::marking::same(old, m) {
                    replaced = Some((old.clone(), m.clone()));
                }
            }
            system.marking = Some(poam_model::marking::bare(m).to_string());
        }
        for (slot, value) in [
            (&mut system.name, &self.name),
            (&mut system.organization, &self.organization),
            (&mut system.impact_level, &self.impact_level),
        ] {
            if let Some(v) = value {
                *slot = Some(v.clone());
            }
        }
        if let Some(d) = self.poam_date {
            system.poam_date = Some(d);
        }
        for (label, value) in &self.extra {
            system.extra.insert(label.clone(), value.clone());
        }
        replaced
    }

    /// Whether nothing is set.
    pub fn is_empty(&self) -> bool {
        self.name.is_none()
            && self.organization.is_none()
            && self.impact_level.is_none()
            && self.poam_date.is_none()
            && self.marking.is_none()
            && self.extra.is_empty()
    }
}

/// The user's settings applied to what was read, a replaced marking said.
fn settle(imported: &mut Imported, opts: &ImportOptions) {
    if opts.system.is_empty() {
        return;
    }
    if let Some((read, set)) = opts.system.apply(&mut imported.poam.system) {
        imported.diagnostics.push(Diagnostic::new(
            poam_model::DiagKind::MarkingSet { read, set },
            poam_model::Location::default(),
        ));
    }
}

impl ImportOptions {
    /// The layouts to detect and read with.
    pub fn registry(&self) -> &poam_layout::Registry {
        self.layouts
            .as_deref()
            .unwrap_or_else(|| poam_layout::builtin())
    }
}

/// What a reader returns.
#[derive(Debug, Clone)]
pub struct Imported {
    /// The model.
    pub poam: Poam,
    /// Every doubt, with its place.
    pub diagnostics: Vec<Diagnostic>,
    /// How the file was read.
    pub report: ReadReport,
}

/// A file that cannot be read at all.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    /// The file cannot be opened or read.
    #[error("{file}: cannot read the file")]
    Io {
        /// The file.
        file: String,
        /// What the system said.
        #[source]
        source: std::io::Error,
    },
    /// The file goes past a limit set against hostile or broken files.
    #[error("{file}: {reason}")]
    Limit {
        /// The file.
        file: String,
        /// Which limit.
        limit: LimitKind,
        /// By how much.
        reason: String,
    },
    /// The workbook is encrypted with a password.
    #[error("{file}: the workbook is password-protected; open it in Excel, remove the password (File > Info > Protect Workbook) and save a copy")]
    Encrypted {
        /// The file.
        file: String,
    },
    /// The file is not a spreadsheet poamkit can read, or it is corrupt.
    #[error("{file}: not a readable spreadsheet: {reason}")]
    NotSpreadsheet {
        /// The file.
        file: String,
        /// Why.
        reason: String,
    },
    /// The file is a spreadsheet but holds no POA&M poamkit recognizes.
    #[error("{file}: no POA&M found: {reason}")]
    NotPoam {
        /// The file.
        file: String,
        /// Why.
        reason: String,
    },
    /// The JSON is not poamkit's model.
    #[error("{file}: line {line}, column {column}: not a poamkit JSON model: {reason}")]
    Json {
        /// The file.
        file: String,
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
        /// What the parser said.
        reason: String,
    },
    /// `--from` named a layout poamkit does not have.
    #[error("unknown layout \"{0}\"; run `poam layouts` to list them")]
    UnknownLayout(String),
    /// The layout cannot be told with confidence.
    #[error(
        "{file}: cannot tell with confidence how this file is laid out. Candidates: {candidates}"
    )]
    Ambiguous {
        /// The file.
        file: String,
        /// What partly fit.
        candidates: String,
    },
    /// The mapping file does not fit the workbook.
    #[error("{file}: {reason}")]
    Mapping {
        /// The file.
        file: String,
        /// Why.
        reason: String,
    },
}

/// Which of the [`Limits`] a file went past.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LimitKind {
    /// The cells of a sheet (`Limits::max_cells`).
    Cells,
    /// The inflated size of a zip's parts (`Limits::max_inflated_bytes`).
    InflatedSize,
}

/// A file read with a layout, or why its rows could not be loaded.
type ReadResult = Result<(Poam, Vec<Diagnostic>, ReadReport), grid::LoadError>;

/// The kinds of input, told apart by content first and extension second.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Workbook,
    Word,
    Csv,
    Json,
    Yaml,
    Xml,
}

/// A JSON or YAML file's text, without the byte-order mark that Notepad and
/// some tools start UTF-8 files with.
fn utf8_text<'b>(file: &str, bytes: &'b [u8]) -> Result<&'b str, ImportError> {
    let text = std::str::from_utf8(bytes).map_err(|e| ImportError::NotPoam {
        file: file.to_string(),
        reason: format!("not UTF-8 text: {e}"),
    })?;
    Ok(text.strip_prefix('\u{feff}').unwrap_or(text))
}

fn sniff(path: &Path, bytes: &[u8]) -> Option<Kind> {
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase)
        .unwrap_or_default();
    if bytes.starts_with(b"PK\x03\x04") && (ext == "docx" || ext == "docm") {
        return Some(Kind::Word);
    }
    if bytes.starts_with(b"PK\x03\x04") || bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0]) {
        return Some(Kind::Workbook);
    }
    let text_start = bytes
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .map(|p| bytes[p]);
    match ext.as_str() {
        "json" => Some(Kind::Json),
        "yaml" | "yml" => Some(Kind::Yaml),
        "xml" => Some(Kind::Xml),
        "csv" | "txt" => Some(Kind::Csv),
        "xlsx" | "xlsm" | "xls" | "xlsb" | "ods" => Some(Kind::Workbook),
        "docx" | "docm" => Some(Kind::Word),
        _ if text_start == Some(b'{') => Some(Kind::Json),
        _ if text_start == Some(b'<')
            && oscal_xml::looks_like(&String::from_utf8_lossy(&bytes[..bytes.len().min(4096)])) =>
        {
            Some(Kind::Xml)
        }
        _ => None,
    }
}

/// The OSCAL POA&M document in a file (JSON, YAML or XML), in the shape of
/// its JSON form, for checks on the document itself (FedRAMP's rules);
/// `None` when the file is not an OSCAL POA&M.
pub fn oscal_document(path: &Path, bytes: &[u8]) -> Option<serde_json::Value> {
    let file = path.display().to_string();
    let text = utf8_text(&file, bytes).ok()?;
    let doc = match sniff(path, bytes)? {
        Kind::Json => serde_json::from_str(text).ok()?,
        Kind::Yaml => serde_saphyr::from_str(text).ok()?,
        Kind::Xml => oscal_xml::document(&file, text).ok()?,
        _ => return None,
    };
    oscal_in::is_oscal(&doc).then_some(doc)
}

/// Reads a POA&M file.
///
/// # Errors
///
/// [`ImportError::Io`] when the file cannot be read, [`ImportError::Encrypted`]
/// for a password-protected workbook, [`ImportError::NotSpreadsheet`] for a
/// file of another kind or a corrupt one, [`ImportError::NotPoam`] when no
/// layout's header row is found, [`ImportError::Json`] for JSON that is not
/// the model, [`ImportError::UnknownLayout`] for a bad `--from`.
pub fn import_path(path: &Path, opts: &ImportOptions) -> Result<Imported, ImportError> {
    let file = path.display().to_string();
    let mut out = Items::new(None);
    if let Some(read) = csv_in::read_file(&file, path, opts, &mut out, &|grids, bytes, out| {
        read_grids(&file, bytes, grids, opts, out)
    }) {
        let mut imported = read?;
        standards::apply(&mut imported, &file, &opts.frameworks);
        add_equivalents(&mut imported.poam);
        settle(&mut imported, opts);
        return Ok(imported);
    }
    let bytes = std::fs::read(path).map_err(|source| ImportError::Io {
        file: file.clone(),
        source,
    })?;
    import_bytes(&file, path, &bytes, opts)
}

/// Reads a POA&M from bytes; `path` gives the name for messages and the
/// extension used when the content does not tell.
///
/// # Errors
///
/// As [`import_path`].
pub fn import_bytes(
    file: &str,
    path: &Path,
    bytes: &[u8],
    opts: &ImportOptions,
) -> Result<Imported, ImportError> {
    let mut imported = import_any(file, path, bytes, opts, &mut Items::new(None))?;
    standards::apply(&mut imported, file, &opts.frameworks);
    add_equivalents(&mut imported.poam);
    settle(&mut imported, opts);
    Ok(imported)
}

/// Fills each item's `equivalents` from the built-in crosswalks, catalogs
/// in alphabetical order, each list exactly its size (a large POA&M holds
/// many of them).
pub fn add_equivalents(poam: &mut Poam) {
    let mut equivalents = Equivalents::default();
    for item in &mut poam.items {
        equivalents.fill(item);
    }
}

/// The crosswalk lookups of one file: many items name the same controls,
/// so each control is looked up once, and each set of controls makes one
/// map that its items share.
#[derive(Default)]
struct Equivalents {
    memo: HashMap<Text, Vec<(&'static str, Vec<String>)>>,
    shared: HashMap<Vec<Text>, poam_model::Equivalents>,
}

impl Equivalents {
    fn fill(&mut self, item: &mut Item) {
        if item.controls.is_empty() {
            item.equivalents = poam_model::Equivalents::default();
            return;
        }
        if let Some(e) = self.shared.get(&item.controls) {
            item.equivalents = e.clone();
            return;
        }
        let cat = poam_layout::catalog::catalogs();
        let mut lists: Vec<(&'static str, Vec<Text>)> = Vec::new();
        for control in &item.controls {
            let memo = self
                .memo
                .entry(control.clone())
                .or_insert_with(|| cat.equivalents(control));
            for (framework, ids) in memo.iter() {
                let at = match lists.iter().position(|(f, _)| f == framework) {
                    Some(at) => at,
                    None => {
                        lists.push((framework, Vec::new()));
                        lists.len() - 1
                    }
                };
                for id in ids {
                    if !lists[at].1.iter().any(|x| x == id)
                        && !item.controls.iter().any(|x| x == id)
                    {
                        lists[at].1.push(id.as_str().into());
                    }
                }
            }
        }
        lists.sort_by_key(|(framework, _)| *framework);
        let map = lists
            .into_iter()
            .filter(|(_, ids)| !ids.is_empty())
            .map(|(framework, mut ids)| {
                ids.shrink_to_fit();
                (Text::from(framework), ids)
            })
            .collect();
        let shared = poam_model::Equivalents::new(map);
        self.shared.insert(item.controls.clone(), shared.clone());
        item.equivalents = shared;
    }
}

/// Takes the items of a file one by one, as the reader completes them (see
/// [`import_path_into`]).
pub trait ItemSink {
    /// The system's fields: given once, before the first item.
    fn system(&mut self, system: &SystemInfo);
    /// One item, complete, its `equivalents` filled.
    fn item(&mut self, item: Item);
}

/// The items a reader has completed: kept in `list`, or with a sink, handed
/// over as soon as no later row can change them.
pub(crate) struct Items<'s> {
    /// Items kept (all of them without a sink; with one, those that a later
    /// row may still add to).
    pub list: Vec<Item>,
    sink: Option<&'s mut dyn ItemSink>,
    begun: bool,
    equivalents: Equivalents,
    /// The user's settings for the system, applied to what the sink is given.
    settings: Option<SystemSettings>,
}

impl<'s> Items<'s> {
    fn new(sink: Option<&'s mut dyn ItemSink>) -> Self {
        Items {
            list: Vec::new(),
            sink,
            begun: false,
            equivalents: Equivalents::default(),
            settings: None,
        }
    }

    /// Whether items are handed over as they are read.
    pub fn streaming(&self) -> bool {
        self.sink.is_some()
    }

    /// Gives the sink the system's fields, once, before any item.
    pub fn begin(&mut self, system: &SystemInfo) {
        if let (Some(sink), false) = (self.sink.as_deref_mut(), self.begun) {
            match &self.settings {
                Some(settings) if !settings.is_empty() => {
                    let mut system = system.clone();
                    settings.apply(&mut system);
                    sink.system(&system);
                }
                _ => sink.system(system),
            }
            self.begun = true;
        }
    }

    /// Hands the first `n` kept items to the sink (without a sink, keeps
    /// them).
    pub fn release(&mut self, n: usize) {
        let Some(sink) = self.sink.as_deref_mut() else {
            return;
        };
        debug_assert!(self.begun, "items before the system");
        for mut item in self.list.drain(..n) {
            self.equivalents.fill(&mut item);
            sink.item(item);
        }
    }
}

/// Reads a POA&M file, handing each item to `sink` as soon as the reader
/// has completed it instead of keeping it: a large workbook's items are
/// never held together, and the sink (a writer on another thread) works
/// while the file is still being read. The returned model has no items;
/// its diagnostics and report are complete.
///
/// When reading fails, the sink may already have been given some of the
/// items: whatever it wrote must be thrown away.
///
/// # Errors
///
/// As [`import_path`].
pub fn import_path_into(
    path: &Path,
    opts: &ImportOptions,
    sink: &mut dyn ItemSink,
) -> Result<Imported, ImportError> {
    let file = path.display().to_string();
    let mut out = Items::new(Some(sink));
    out.settings = Some(opts.system.clone());
    if let Some(read) = csv_in::read_file(&file, path, opts, &mut out, &|grids, bytes, out| {
        read_grids(&file, bytes, grids, opts, out)
    }) {
        let mut imported = read?;
        out.begin(&imported.poam.system);
        out.list = std::mem::take(&mut imported.poam.items);
        out.release(out.list.len());
        settle(&mut imported, opts);
        return Ok(imported);
    }
    let bytes = std::fs::read(path).map_err(|source| ImportError::Io {
        file: file.clone(),
        source,
    })?;
    let mut imported = import_any(&file, path, &bytes, opts, &mut out)?;
    // Readers of whole files (JSON, poamkit CSV, OSCAL) keep their items.
    out.begin(&imported.poam.system);
    out.list = std::mem::take(&mut imported.poam.items);
    out.release(out.list.len());
    settle(&mut imported, opts);
    Ok(imported)
}

fn import_any(
    file: &str,
    path: &Path,
    bytes: &[u8],
    opts: &ImportOptions,
    out: &mut Items<'_>,
) -> Result<Imported, ImportError> {
    if let Some(family) = &opts.family {
        let reg = opts.registry();
        let known = family.eq_ignore_ascii_case("legacy")
            || reg
                .all()
                .iter()
                .any(|l| l.family.eq_ignore_ascii_case(family))
                && opts
                    .version
                    .as_deref()
                    .is_none_or(|v| reg.find(family, Some(v)).is_some());
        if !known {
            let mut name = family.clone();
            if let Some(v) = &opts.version {
                name = format!("{name}:{v}");
            }
            return Err(ImportError::UnknownLayout(name));
        }
    }
    match sniff(path, bytes) {
        Some(Kind::Json) => json_in::read(file, utf8_text(file, bytes)?),
        Some(Kind::Yaml) => json_in::read_yaml(file, utf8_text(file, bytes)?),
        Some(Kind::Xml) => oscal_xml::read(file, utf8_text(file, bytes)?),
        Some(Kind::Csv) if opts.mapping.is_none() && csv_in::is_poamkit(bytes) => {
            csv_in::read(file, bytes, opts, out)
        }
        Some(Kind::Csv) => {
            let text = csv_in::prepare(file, bytes)?;
            csv_in::read_sheet(file, text.reader(), bytes, out, &|grids, bytes, out| {
                read_grids(file, bytes, grids, opts, out)
            })
        }
        Some(Kind::Workbook) => read_workbook(file, bytes, opts, out),
        Some(Kind::Word) => {
            check_inflated(file, bytes, &opts.limits)?;
            let grids = docx::tables(file, bytes)?;
            if grids.is_empty() {
                return Err(ImportError::NotPoam {
                    file: file.to_string(),
                    reason: "the Word document has no table".into(),
                });
            }
            let mut imported = read_grids(file, bytes, grids, opts, out)?;
            imported.report.format = "word".into();
            Ok(imported)
        }
        None => Err(ImportError::NotSpreadsheet {
            file: file.to_string(),
            reason: "unknown file type (expected .xlsx, .xlsm, .xls, .xlsb, .ods, .csv or .json)"
                .into(),
        }),
    }
}

/// An .xlsx whose shared-strings part has another name than the one
/// calamine looks for (`xl/sharedStrings.xml`), as the workbook's
/// relationships say some writers name it: the same package with the part
/// under the usual name (entries copied, not inflated). `None` when nothing
/// needs renaming.
fn with_usual_part_names(bytes: &[u8]) -> Option<Vec<u8>> {
    use std::io::Read;
    const USUAL: &str = "xl/sharedStrings.xml";
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).ok()?;
    if zip.index_for_name(USUAL).is_some() {
        return None;
    }
    let mut rels = String::new();
    zip.by_name("xl/_rels/workbook.xml.rels")
        .ok()?
        .take(1 << 20)
        .read_to_string(&mut rels)
        .ok()?;
    // The target of the relationship whose type ends in /sharedStrings.
    let target = rels.split("<Relationship").find_map(|r| {
        let attr = |name: &str| {
            let at = r.find(&format!("{name}=\""))? + name.len() + 2;
            r[at..].split('"').next()
        };
        attr("Type")
            .filter(|t| t.ends_with("/sharedStrings"))
            .and_then(|_| attr("Target"))
    })?;
    let path = match target.strip_prefix('/') {
        Some(absolute) => absolute.to_string(),
        None => format!("xl/{target}"),
    };
    let index = zip.index_for_name(&path)?;
    let mut out = zip::ZipWriter::new(Cursor::new(Vec::new()));
    for i in 0..zip.len() {
        let entry = zip.by_index_raw(i).ok()?;
        if i == index {
            out.raw_copy_file_rename(entry, USUAL).ok()?;
        } else {
            out.raw_copy_file(entry).ok()?;
        }
    }
    Some(out.finish().ok()?.into_inner())
}

/// Refuses an OpenDocument spreadsheet whose repeated cells (a value cell
/// with `table:number-columns-repeated`, in rows with
/// `table:number-rows-repeated`) come to more than the cell limit, counted
/// from its `content.xml` before the spreadsheet reader expands them: a
/// 15 KB file can ask for billions. Empty repeated cells (the padding every
/// saved sheet ends with) are not counted; the reader does not keep them.
fn check_ods_cells(file: &str, bytes: &[u8], limits: &grid::Limits) -> Result<(), ImportError> {
    use quick_xml::events::Event;
    use std::io::Read;
    let Ok(mut zip) = zip::ZipArchive::new(Cursor::new(bytes)) else {
        return Ok(());
    };
    let is_ods = zip.by_name("mimetype").ok().is_some_and(|mut f| {
        let mut m = String::new();
        f.read_to_string(&mut m).is_ok()
            && m.trim() == "application/vnd.oasis.opendocument.spreadsheet"
    });
    if !is_ods {
        return Ok(());
    }
    let Ok(content) = zip.by_name("content.xml") else {
        return Ok(());
    };
    let mut reader = quick_xml::Reader::from_reader(std::io::BufReader::new(
        content.take(limits.max_inflated_bytes),
    ));
    let number = |e: &quick_xml::events::BytesStart<'_>, name: &str| -> Option<u64> {
        e.attributes()
            .flatten()
            .find(|a| a.key.as_ref() == name)
            .and_then(|a| a.value.trim().parse().ok())
    };
    let mut buf = Vec::new();
    let (mut total, mut rows_repeat, mut row_cells) = (0u64, 1u64, 0u64);
    let mut sheet = String::new();
    loop {
        let event = match reader.read_event_into(&mut buf) {
            Ok(e) => e,
            // A broken document is the reader's to report.
            Err(_) => return Ok(()),
        };
        match event {
            Event::Start(e) | Event::Empty(e) => match e.name().as_ref() {
                "table:table" => {
                    sheet = e
                        .attributes()
                        .flatten()
                        .find(|a| a.key.as_ref() == "table:name")
                        .map(|a| a.value.into_owned())
                        .unwrap_or_default();
                }
                "table:table-row" => {
                    rows_repeat = number(&e, "table:number-rows-repeated").unwrap_or(1);
                    row_cells = 0;
                }
                "table:table-cell" | "table:covered-table-cell" => {
                    let has_value = e
                        .attributes()
                        .flatten()
                        .any(|a| a.key.as_ref() == "office:value-type");
                    if has_value {
                        let repeat = number(&e, "table:number-columns-repeated").unwrap_or(1);
                        row_cells = row_cells.saturating_add(repeat);
                    }
                }
                _ => {}
            },
            Event::End(e) if e.name().as_ref() == "table:table-row" => {
                total = total.saturating_add(rows_repeat.saturating_mul(row_cells));
                if total > limits.max_cells {
                    return Err(ImportError::Limit {
                        file: file.to_string(),
                        limit: LimitKind::Cells,
                        reason: format!(
                            "sheet '{sheet}' goes past the limit of {} cells (its repeated cells come to more, counted before they are expanded)",
                            limits.max_cells
                        ),
                    });
                }
                rows_repeat = 1;
                row_cells = 0;
            }
            Event::Eof => return Ok(()),
            _ => {}
        }
        buf.clear();
    }
}

/// Refuses a zip whose entries inflate past the limit (a zip bomb).
fn check_inflated(file: &str, bytes: &[u8], limits: &grid::Limits) -> Result<(), ImportError> {
    if !bytes.starts_with(b"PK\x03\x04") {
        return Ok(());
    }
    // An unreadable zip is left for the reader to report.
    let Ok(mut zip) = zip::ZipArchive::new(Cursor::new(bytes)) else {
        return Ok(());
    };
    let mut total: u64 = 0;
    for i in 0..zip.len() {
        if let Ok(entry) = zip.by_index_raw(i) {
            total = total.saturating_add(entry.size());
        }
    }
    if total > limits.max_inflated_bytes {
        return Err(ImportError::Limit {
            file: file.to_string(),
            limit: LimitKind::InflatedSize,
            reason: format!(
                "its parts inflate to {} MB, over the limit of {} MB (a zip bomb, or a very large file)",
                total / (1024 * 1024),
                limits.max_inflated_bytes / (1024 * 1024)
            ),
        });
    }
    Ok(())
}

fn read_workbook(
    file: &str,
    bytes: &[u8],
    opts: &ImportOptions,
    out: &mut Items<'_>,
) -> Result<Imported, ImportError> {
    check_inflated(file, bytes, &opts.limits)?;
    check_ods_cells(file, bytes, &opts.limits)?;
    let renamed = bytes
        .starts_with(b"PK\x03\x04")
        .then(|| with_usual_part_names(bytes))
        .flatten();
    let bytes = renamed.as_deref().unwrap_or(bytes);
    // A panic in calamine on a broken file is that file's error.
    let opened =
        std::panic::catch_unwind(|| calamine::open_workbook_auto_from_rs(Cursor::new(bytes)));
    let mut workbook = match opened {
        Ok(Ok(wb)) => wb,
        Ok(Err(e)) => return Err(open_error(file, bytes, e)),
        Err(panic) => {
            return Err(load_error(
                file,
                bytes,
                grid::LoadError::Broken(grid::panic_text(&panic)),
            ))
        }
    };
    // Enough rows for the layout to be found: the header search, or a
    // mapping's header row further down. A small workbook (a person's
    // tracker) is loaded whole, with its merged cells, hyperlinks and number
    // formats; a large one (a machine export) is streamed from row 60 on.
    let first_rows = if bytes.len() <= grid::WHOLE_WORKBOOK_BYTES {
        grid::WHOLE_SHEET_ROWS
    } else {
        grid::HEADER_SEARCH_ROWS
    };
    // On one thread, whole sheets.
    let head = if opts.one_thread {
        u32::MAX
    } else {
        opts.mapping
            .iter()
            .flat_map(|(m, _)| m.sheets.iter().filter_map(|s| s.header_row))
            .fold(first_rows, |h, r| h.max(r.saturating_add(1)))
    };
    let loaded = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        grid::load_sheets(&mut workbook, &opts.limits, head)
    }));
    let (grids, tails) = loaded
        .unwrap_or_else(|panic| Err(grid::LoadError::Broken(grid::panic_text(&panic))))
        .map_err(|e| load_error(file, bytes, e))?;
    let Some(tails) = tails else {
        return read_grids(file, bytes, grids, opts, out);
    };
    // Large sheets: one thread parses the rest of their XML while this one
    // turns rows into items. `grids` is dropped inside the scope, which
    // stops the reader thread should reading end early.
    std::thread::scope(|s| {
        s.spawn(move || grid::stream_tails(workbook, tails));
        read_grids(file, bytes, grids, opts, out)
    })
}

fn load_error(file: &str, bytes: &[u8], e: grid::LoadError) -> ImportError {
    match e {
        grid::LoadError::Calamine(e) => open_error(file, bytes, e),
        grid::LoadError::Text(reason) => ImportError::NotPoam {
            file: file.to_string(),
            reason,
        },
        grid::LoadError::Broken(reason) => ImportError::NotSpreadsheet {
            file: file.to_string(),
            reason: format!("the workbook is corrupt (the spreadsheet reader failed: {reason})"),
        },
        grid::LoadError::TooManyCells { sheet, limit } => ImportError::Limit {
            file: file.to_string(),
            limit: LimitKind::Cells,
            reason: format!(
                "sheet '{sheet}' goes past the limit of {limit} cells (a cell far down or to the right makes every row that long)"
            ),
        },
    }
}

/// Reads loaded sheets: with the mapping file when given, else with the
/// best-fitting built-in layout, else as a legacy tracker by header synonyms.
fn read_grids(
    file: &str,
    bytes: &[u8],
    mut grids: Vec<Grid>,
    opts: &ImportOptions,
    out: &mut Items<'_>,
) -> Result<Imported, ImportError> {
    let grids = grids.as_mut_slice();
    // A header on two rows is one header to a person; built-in layouts have
    // one-row headers, and their title and label blocks are not headers.
    let join_headers = |grids: &mut [Grid]| {
        for grid in grids.iter_mut() {
            legacy::join_two_row_header(grid);
        }
    };
    let done = |read: ReadResult| {
        read.map(|(poam, diagnostics, report)| Imported {
            poam,
            diagnostics,
            report,
        })
        .map_err(|e| load_error(file, bytes, e))
    };
    if let Some((mapping, name)) = &opts.mapping {
        join_headers(grids);
        return match legacy::read_mapped(file, grids, mapping, name, opts, out) {
            Ok(read) => done(read),
            Err(reason) => Err(ImportError::Mapping {
                file: file.to_string(),
                reason,
            }),
        };
    }
    let legacy_only = opts
        .family
        .as_deref()
        .is_some_and(|f| f.eq_ignore_ascii_case("legacy"));
    let registry = opts.registry();
    let fits = if legacy_only {
        Vec::new()
    } else {
        workbook::rank(grids, registry, opts)
    };
    let candidates: Vec<Candidate> = fits
        .iter()
        .filter(|f| f.score > i64::MIN / 2)
        .map(|f| Candidate {
            layout: f.layout.label(),
            score: f.score,
        })
        .collect();
    if let Some(best) = fits.first().filter(|f| f.score > i64::MIN / 2) {
        return done(workbook::read(file, grids, best, &fits, opts, out));
    }
    // No template fits: a legacy tracker?
    let found = if opts.family.is_none() || legacy_only {
        join_headers(grids);
        legacy::guess(grids, opts.registry())
    } else {
        Vec::new()
    };
    if found.iter().any(|f| f.confident()) || (legacy_only && !found.is_empty()) {
        return done(legacy::read_guessed(
            file, grids, &found, candidates, opts, out,
        ));
    }
    let mut partial: Vec<String> = fits
        .iter()
        .filter(|f| !f.evidence.is_empty())
        .take(3)
        .map(|f| format!("{} ({})", f.layout.label(), f.evidence.join("; ")))
        .collect();
    partial.extend(found.iter().map(|f| {
        format!(
            "legacy tracker (sheet '{}' row {}: {} of {} headers recognized)",
            grids[f.grid].name,
            f.header_row + 1,
            f.fields,
            f.cells
        )
    }));
    if !partial.is_empty() {
        return Err(ImportError::Ambiguous {
            file: file.to_string(),
            candidates: partial.join("; "),
        });
    }
    // A Word file may hold hundreds of tables: name a few.
    const NAMED: usize = 5;
    let mut sheets: Vec<String> = grids
        .iter()
        .take(NAMED)
        .map(|g| format!("'{}'", g.name))
        .collect();
    if grids.len() > NAMED {
        sheets.push(format!("{} more", grids.len() - NAMED));
    }
    Err(ImportError::NotPoam {
        file: file.to_string(),
        reason: format!(
            "no sheet has a POA&M header row (looked for headers such as 'POAM ID', 'Controls', 'Weakness Name' in the first 60 rows of {})",
            if sheets.is_empty() {
                "the workbook".to_string()
            } else {
                sheets.join(", ")
            }
        ),
    })
}

fn open_error(file: &str, bytes: &[u8], e: calamine::Error) -> ImportError {
    let text = e.to_string();
    let is_ole = bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0]);
    // An encrypted Office file is an OLE container with an `EncryptedPackage`
    // stream; its directory stores the name in UTF-16.
    let utf16: Vec<u8> = "EncryptedPackage"
        .encode_utf16()
        .flat_map(u16::to_le_bytes)
        .collect();
    let encrypted_ole = is_ole && bytes.windows(utf16.len()).any(|w| w == utf16.as_slice());
    let password = matches!(
        e,
        calamine::Error::Xls(calamine::XlsError::Password)
            | calamine::Error::Ods(calamine::OdsError::Password)
    );
    if password || encrypted_ole {
        return ImportError::Encrypted {
            file: file.to_string(),
        };
    }
    ImportError::NotSpreadsheet {
        file: file.to_string(),
        reason: if bytes.starts_with(b"PK\x03\x04") {
            format!("the file looks like a zip but is not a readable workbook (corrupt or truncated?): {text}")
        } else {
            text
        },
    }
}
