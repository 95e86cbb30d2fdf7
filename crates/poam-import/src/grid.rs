//! Sheets as read: the top rows of each in memory (cells by absolute
//! position, plus which cells hold formulas), and for a large .xlsx sheet the
//! rows below them streamed by a reader thread while they become items.

use calamine::{Data, Reader};
use chrono::NaiveDate;
use std::collections::{HashMap, HashSet};
use std::sync::mpsc::{Receiver, SyncSender};
use std::sync::Arc;

/// One cell's value, format-neutral.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    /// Nothing.
    Empty,
    /// Text; shared, since a sheet repeats the same text on many rows
    /// (an .xlsx keeps it once in its shared-string table).
    Text(Arc<str>),
    /// A number.
    Number(f64),
    /// A real date cell.
    Date(NaiveDate),
    /// TRUE or FALSE.
    Bool(bool),
    /// An error value such as `#N/A`.
    Error(String),
}

impl Cell {
    /// The date a cell holds: a real Excel date, a serial number, or text
    /// read in `order`.
    /// Dates before 1900 or after 9999 (a typo, a program's empty date
    /// `0001-01-01`) are not taken: `cell::bad_date` says why.
    pub fn date(&self, order: poam_model::date::DateOrder) -> Option<NaiveDate> {
        let date = match self {
            Cell::Date(d) => Some(*d),
            Cell::Number(n) => poam_model::date::from_excel_serial(*n),
            _ => poam_model::date::parse_date_text(&self.text_ref(), order),
        };
        date.filter(|d| poam_model::date::in_range(*d))
    }

    /// Whether the cell holds nothing (or only white space).
    pub fn is_blank(&self) -> bool {
        match self {
            Cell::Empty => true,
            Cell::Text(t) => t.trim().is_empty(),
            _ => false,
        }
    }

    /// The cell as text, the way a person reads it, borrowed when the cell
    /// holds text.
    pub fn text_ref(&self) -> std::borrow::Cow<'_, str> {
        match self {
            Cell::Text(t) => std::borrow::Cow::Borrowed(t.trim()),
            other => std::borrow::Cow::Owned(other.text()),
        }
    }

    /// The cell as text, the way a person reads it.
    pub fn text(&self) -> String {
        match self {
            Cell::Empty => String::new(),
            Cell::Text(t) => t.trim().to_string(),
            Cell::Number(n) => number_text(*n),
            Cell::Date(d) => d.format("%Y-%m-%d").to_string(),
            Cell::Bool(b) => if *b { "TRUE" } else { "FALSE" }.to_string(),
            Cell::Error(e) => e.clone(),
        }
    }
}

/// A number as text: integers without `.0`.
pub fn number_text(n: f64) -> String {
    if n.fract() == 0.0 && n.abs() < 1e15 {
        format!("{}", n as i64)
    } else {
        format!("{n}")
    }
}

/// How many rows from the top a header row is looked for in; also how much
/// of each sheet is loaded before the layout is chosen (the rest of an
/// .xlsx sheet is streamed while it is read).
pub const HEADER_SEARCH_ROWS: u32 = 60;

/// In a workbook of up to [`WHOLE_WORKBOOK_BYTES`], sheets up to this many
/// rows are loaded whole, with their merged cells, hyperlinks and number
/// formats; longer ones are streamed below this row, and those are not read
/// in them.
pub const WHOLE_SHEET_ROWS: u32 = 5_000;

/// Workbooks up to this size (about 10,000 rows) are read for merged cells,
/// hyperlinks and number formats in sheets of up to [`WHOLE_SHEET_ROWS`];
/// larger ones, machine exports, are streamed from row
/// [`HEADER_SEARCH_ROWS`] on, and only their sheets that short are.
pub const WHOLE_WORKBOOK_BYTES: usize = 1024 * 1024;

/// A sheet: its top rows in memory, and for a large .xlsx sheet the rows
/// below them streamed from a reader thread as they are read.
#[derive(Debug, Default)]
pub struct Grid {
    /// Sheet name.
    pub name: String,
    /// Rows from row 0 (Excel row 1), each from column 0 (A): the whole
    /// sheet, or its top rows when the rest is streamed.
    pub rows: Vec<Vec<Cell>>,
    /// (row, column) of the cells of `rows` that hold formulas, 0-based.
    pub formulas: HashSet<(u32, u32)>,
    /// The rows below `rows`, in batches, when the sheet is streamed.
    pub(crate) tail: Option<Receiver<Batch>>,
    /// Whether the workbook hides the sheet (hidden or very hidden: an old
    /// tab, a lookup list).
    pub hidden: bool,
    /// Merged cells, (first row, first column) to (last row, last column),
    /// 0-based: read from an .xlsx sheet loaded whole.
    pub merges: Vec<((u32, u32), (u32, u32))>,
    /// Hyperlink targets by (row, column), 0-based: read from an .xlsx
    /// sheet loaded whole.
    pub links: HashMap<(u32, u32), String>,
}

impl Grid {
    /// The cell at a 0-based position among the loaded rows.
    pub fn get(&self, row: u32, col: u32) -> &Cell {
        static EMPTY: Cell = Cell::Empty;
        self.rows
            .get(row as usize)
            .and_then(|r| r.get(col as usize))
            .unwrap_or(&EMPTY)
    }

    /// Number of loaded rows.
    pub fn height(&self) -> u32 {
        self.rows.len() as u32
    }

    /// Stops the stream of rows below the loaded ones: the sheet will not be
    /// read, so its reader skips it.
    pub(crate) fn skip_tail(&mut self) {
        self.tail = None;
    }

    /// The rows below `row`, loaded then streamed, each taken out of the
    /// grid as it is read (a large sheet is never held whole).
    pub(crate) fn rows_below(&mut self, row: u32) -> RowsBelow<'_> {
        let mut formulas: HashMap<u32, Vec<u32>> = HashMap::new();
        for &(r, c) in &self.formulas {
            if r > row {
                formulas.entry(r).or_default().push(c);
            }
        }
        RowsBelow {
            next: row as usize + 1,
            grid: self,
            formulas,
            batch: RawBatch::default(),
            at: 0,
        }
    }
}

/// One row of a sheet, as read.
#[derive(Debug, Default)]
pub(crate) struct Row {
    /// 0-based row number.
    pub r: u32,
    /// Cells from column A.
    pub cells: Vec<Cell>,
    /// 0-based columns whose cells hold formulas.
    pub formulas: Vec<u32>,
}

impl Row {
    /// The cell at a 0-based column.
    pub fn get(&self, col: u32) -> &Cell {
        static EMPTY: Cell = Cell::Empty;
        self.cells.get(col as usize).unwrap_or(&EMPTY)
    }
}

/// Rows as the reader thread sends them.
type Batch = Result<RawBatch, LoadError>;

/// Where a reader thread sends a grid's rows below the loaded ones.
pub(crate) type TailTx = SyncSender<Batch>;

/// A channel for a grid's tail: a few batches in flight keep the reader
/// ahead and memory flat.
pub(crate) fn tail_channel() -> (TailTx, Receiver<Batch>) {
    std::sync::mpsc::sync_channel(8)
}

/// The cells of a few hundred rows as the reader thread sends them: their
/// text in one buffer, so that the reader allocates nothing per cell (the
/// cells are made on the receiving side, which frees them too).
#[derive(Default)]
pub(crate) struct RawBatch {
    text: String,
    cells: Vec<RawCell>,
    /// Rows begun (kept by [`RawBatch::push_text`]).
    rows: usize,
}

impl RawBatch {
    /// Adds a text cell (rows in order).
    pub(crate) fn push_text(&mut self, r: u32, c: u32, text: &str) {
        let start = self.text.len();
        self.text.push_str(text);
        if self.cells.last().is_none_or(|l| l.r != r) {
            self.rows += 1;
        }
        self.cells.push(RawCell {
            r,
            c,
            formula: false,
            value: RawValue::Text(start, self.text.len()),
        });
    }

    /// Rows begun in the batch.
    pub(crate) fn rows(&self) -> usize {
        self.rows
    }

    /// Whether the batch holds no cell.
    pub(crate) fn is_empty(&self) -> bool {
        self.cells.is_empty()
    }
}

/// One cell in a [`RawBatch`].
struct RawCell {
    r: u32,
    c: u32,
    formula: bool,
    value: RawValue,
}

enum RawValue {
    /// Text at this range of the batch's buffer.
    Text(usize, usize),
    Value(Cell),
    /// No value (a formula cell without a cached result).
    Blank,
}

/// How many rows go in one message from the reader thread.
pub(crate) const BATCH_ROWS: usize = 256;

/// Iterator of [`Grid::rows_below`].
pub(crate) struct RowsBelow<'g> {
    grid: &'g mut Grid,
    next: usize,
    formulas: HashMap<u32, Vec<u32>>,
    batch: RawBatch,
    at: usize,
}

impl Iterator for RowsBelow<'_> {
    type Item = Result<Row, LoadError>;

    fn next(&mut self) -> Option<Self::Item> {
        while self.next < self.grid.rows.len() {
            let r = self.next as u32;
            self.next += 1;
            let cells = std::mem::take(&mut self.grid.rows[r as usize]);
            if !cells.is_empty() {
                let formulas = self.formulas.remove(&r).unwrap_or_default();
                return Some(Ok(Row { r, cells, formulas }));
            }
        }
        loop {
            if let Some(row) = self.next_raw_row() {
                return Some(Ok(row));
            }
            let received = self.grid.tail.as_ref()?.recv();
            match received {
                Ok(Ok(batch)) => {
                    self.batch = batch;
                    self.at = 0;
                }
                Ok(Err(e)) => {
                    self.grid.tail = None;
                    return Some(Err(e));
                }
                // The reader thread finished the sheet.
                Err(_) => {
                    self.grid.tail = None;
                    return None;
                }
            }
        }
    }
}

impl RowsBelow<'_> {
    /// The next row of the current batch that holds a value or a formula.
    fn next_raw_row(&mut self) -> Option<Row> {
        let batch = &mut self.batch;
        while self.at < batch.cells.len() {
            let r = batch.cells[self.at].r;
            let mut row = Row {
                r,
                ..Row::default()
            };
            while let Some(raw) = batch.cells.get_mut(self.at).filter(|raw| raw.r == r) {
                self.at += 1;
                if raw.formula {
                    row.formulas.push(raw.c);
                }
                let cell = match std::mem::replace(&mut raw.value, RawValue::Blank) {
                    RawValue::Text(a, b) => match &batch.text[a..b] {
                        t if t.trim().is_empty() => continue,
                        t => Cell::Text(t.into()),
                    },
                    RawValue::Value(cell) if !cell.is_blank() => cell,
                    RawValue::Value(_) | RawValue::Blank => continue,
                };
                let c = raw.c as usize;
                if row.cells.len() <= c {
                    row.cells.resize(c + 1, Cell::Empty);
                }
                row.cells[c] = cell;
            }
            if !(row.cells.is_empty() && row.formulas.is_empty()) {
                return Some(row);
            }
        }
        None
    }
}

fn convert(data: &Data) -> Cell {
    match data {
        Data::Empty => Cell::Empty,
        Data::String(s) => Cell::Text(s.as_str().into()),
        Data::Int(i) => Cell::Number(*i as f64),
        Data::Float(f) => Cell::Number(*f),
        Data::Bool(b) => Cell::Bool(*b),
        Data::DateTime(dt) => match dt.as_datetime() {
            Some(d) if dt.is_datetime() => Cell::Date(d.date()),
            _ => Cell::Number(dt.as_f64()),
        },
        Data::DateTimeIso(s) => match s
            .get(..10)
            .and_then(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok())
        {
            Some(d) => Cell::Date(d),
            None => Cell::Text(s.as_str().into()),
        },
        Data::DurationIso(s) => Cell::Text(s.as_str().into()),
        Data::Error(e) => Cell::Error(format!("{e}")),
    }
}

/// Limits that keep a hostile or broken file from exhausting memory.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Cells a workbook may hold (counting the empty cells inside each row up
    /// to its last value), over all sheets.
    pub max_cells: u64,
    /// Bytes a zip-based file (xlsx, xlsm, ods, docx) may inflate to.
    pub max_inflated_bytes: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_cells: 10_000_000,
            max_inflated_bytes: 1024 * 1024 * 1024,
        }
    }
}

/// Why sheets could not be loaded.
#[derive(Debug)]
pub enum LoadError {
    /// calamine could not read the workbook.
    Calamine(calamine::Error),
    /// calamine failed in a way it does not report as an error (a panic,
    /// caught): the workbook is broken in a way it did not expect.
    Broken(String),
    /// A delimited text file's record could not be read (its row).
    Text(String),
    /// The workbook holds more cells than [`Limits::max_cells`].
    TooManyCells {
        /// The sheet being read when the limit was reached.
        sheet: String,
        /// The limit.
        limit: u64,
    },
}

impl From<calamine::Error> for LoadError {
    fn from(e: calamine::Error) -> Self {
        LoadError::Calamine(e)
    }
}

/// Counts cells against the limit as rows grow.
#[derive(Debug)]
struct Budget {
    used: u64,
    limit: u64,
}

impl Budget {
    fn take(&mut self, n: u64, sheet: &str) -> Result<(), LoadError> {
        self.used += n;
        if self.used > self.limit {
            return Err(LoadError::TooManyCells {
                sheet: sheet.to_string(),
                limit: self.limit,
            });
        }
        Ok(())
    }
}

/// Loads every sheet of a workbook: an .xlsx/.xlsm sheet down to row `head`
/// (values and formula positions in one streamed pass, no rectangle of empty
/// cells), with the [`Tails`] that [`stream_tails`] sends the rest through
/// when some sheet goes further; the other formats whole through calamine's
/// ranges, whose size is checked before they are copied.
pub fn load_sheets<RS: std::io::Read + std::io::Seek>(
    workbook: &mut calamine::Sheets<RS>,
    limits: &Limits,
    head: u32,
) -> Result<(Vec<Grid>, Option<Tails>), LoadError> {
    let mut budget = Budget {
        used: 0,
        limit: limits.max_cells,
    };
    // Worksheets only: a chart sheet holds no cells. Each remembers whether
    // it is hidden.
    let worksheets: Vec<(String, bool)> = workbook
        .sheets_metadata()
        .iter()
        .filter(|s| s.typ == calamine::SheetType::WorkSheet)
        .map(|s| (s.name.clone(), s.visible != calamine::SheetVisible::Visible))
        .collect();
    if let calamine::Sheets::Xlsx(xlsx) = workbook {
        let mut grids = Vec::new();
        let mut senders = Vec::new();
        for (name, hidden) in &worksheets {
            let mut grid = load_xlsx_head(xlsx, name, &mut budget, head, &mut senders)?;
            grid.hidden = *hidden;
            if grid.tail.is_none() {
                read_xlsx_extras(xlsx, &mut grid);
            }
            grids.push(grid);
        }
        let tails = (!senders.is_empty()).then_some(Tails {
            senders,
            budget,
            head,
        });
        return Ok((grids, tails));
    }
    let mut grids = Vec::new();
    for (name, hidden) in worksheets {
        let range = workbook.worksheet_range(&name)?;
        let mut grid = Grid {
            name: name.clone(),
            hidden,
            ..Grid::default()
        };
        if let Some((r0, c0)) = range.start() {
            let (r0, c0) = (r0 as usize, c0 as usize);
            grid.rows = vec![Vec::new(); r0];
            for row in range.rows() {
                let mut cells = vec![Cell::Empty; c0];
                cells.extend(row.iter().map(convert));
                while cells.last().is_some_and(Cell::is_blank) {
                    cells.pop();
                }
                budget.take(cells.len() as u64, &name)?;
                grid.rows.push(cells);
            }
            while grid.rows.last().is_some_and(|r| r.is_empty()) {
                grid.rows.pop();
            }
        }
        // Formula positions, where the format exposes them.
        if let Ok(formulas) = workbook.worksheet_formula(&name) {
            for (r, c, f) in formulas.used_cells() {
                if !f.is_empty() {
                    if let Some((fr, fc)) = formulas.start() {
                        grid.formulas.insert((fr + r as u32, fc + c as u32));
                    }
                }
            }
        }
        grids.push(grid);
    }
    Ok((grids, None))
}

/// One shared copy of each distinct text: rows repeat statuses, controls,
/// contacts, scanner descriptions. Bounded, so that a streamed sheet's
/// unique texts are not all kept.
#[derive(Default)]
struct Interner(HashSet<Arc<str>>);

impl Interner {
    fn get(&mut self, s: &str) -> Arc<str> {
        if let Some(a) = self.0.get(s) {
            return a.clone();
        }
        if self.0.len() >= 20_000 {
            self.0.clear();
        }
        let a: Arc<str> = Arc::from(s);
        self.0.insert(a.clone());
        a
    }
}

fn xlsx_error(e: calamine::XlsxError) -> LoadError {
    LoadError::Calamine(calamine::Error::Xlsx(e))
}

/// One cell of an .xlsx as read: its value, or `None` when blank.
fn xlsx_cell(value: calamine::DataRef<'_>, texts: &mut Interner) -> Option<Cell> {
    let cell = match value {
        calamine::DataRef::SharedString(s) if !s.trim().is_empty() => Cell::Text(texts.get(s)),
        calamine::DataRef::String(s) if !s.trim().is_empty() => Cell::Text(texts.get(&s)),
        other => convert(&Data::from(other)),
    };
    (!cell.is_blank()).then_some(cell)
}

/// Puts a cell in its row, counting the row's growth against the budget.
fn place(
    row: &mut Vec<Cell>,
    c: usize,
    cell: Cell,
    budget: &mut Budget,
    sheet: &str,
) -> Result<(), LoadError> {
    if row.len() <= c {
        budget.take((c + 1 - row.len()) as u64, sheet)?;
        row.resize(c + 1, Cell::Empty);
    }
    row[c] = cell;
    Ok(())
}

/// The top `head` rows of an .xlsx sheet; a sheet with rows below them gets
/// a tail for [`stream_tails`] to fill.
fn load_xlsx_head<RS: std::io::Read + std::io::Seek>(
    xlsx: &mut calamine::Xlsx<RS>,
    name: &str,
    budget: &mut Budget,
    head: u32,
    tails: &mut Vec<TailSender>,
) -> Result<Grid, LoadError> {
    let mut grid = Grid {
        name: name.to_string(),
        ..Grid::default()
    };
    let mut reader = xlsx.worksheet_cells_reader(name).map_err(xlsx_error)?;
    let mut texts = Interner::default();
    while let Some(rec) = reader
        .next_cell_with_formula_metadata()
        .map_err(xlsx_error)?
    {
        let (r, c) = (rec.pos.0 as usize, rec.pos.1 as usize);
        if rec.pos.0 >= head {
            // More below: connect the grid to the reader thread's channel.
            // A few batches in flight keep the reader ahead and memory flat.
            let (tx, rx) = std::sync::mpsc::sync_channel(8);
            grid.tail = Some(rx);
            tails.push(TailSender {
                name: name.to_string(),
                tx,
            });
            break;
        }
        if rec.formula.is_some() {
            grid.formulas.insert(rec.pos);
        }
        let Some(cell) = xlsx_cell(rec.value, &mut texts) else {
            continue;
        };
        if grid.rows.len() <= r {
            grid.rows.resize_with(r + 1, Vec::new);
        }
        place(&mut grid.rows[r], c, cell, budget, name)?;
    }
    Ok(grid)
}

/// What a person sees in an .xlsx sheet beyond the cell values: merged
/// cells, hyperlink targets, and numbers shown with leading zeros by their
/// format (`000` shows 7 as `007`, `"POAM-"000` as `POAM-007`). Read for a
/// sheet loaded whole (each is one more pass over its XML); a part that
/// cannot be read leaves the values as they are.
fn read_xlsx_extras<RS: std::io::Read + std::io::Seek>(
    xlsx: &mut calamine::Xlsx<RS>,
    grid: &mut Grid,
) {
    if let Ok(merges) = xlsx.merge_cells_by_sheet_name(&grid.name) {
        grid.merges = merges.iter().map(|d| (d.start, d.end)).collect();
    }
    if let Ok(links) = xlsx.hyperlinks_by_sheet_name(&grid.name) {
        for link in links {
            let target = link
                .target
                .or_else(|| link.location.map(|l| format!("#{l}")));
            if let Some(t) = target.filter(|t| !t.trim().is_empty()) {
                grid.links.insert(link.range.start, t);
            }
        }
    }
    let has_numbers = grid
        .rows
        .iter()
        .flatten()
        .any(|c| matches!(c, Cell::Number(_)));
    if !has_numbers {
        return;
    }
    let Ok(styles) = xlsx.worksheet_style(&grid.name) else {
        return;
    };
    for (r, row) in grid.rows.iter_mut().enumerate() {
        for (c, cell) in row.iter_mut().enumerate() {
            let Cell::Number(n) = cell else { continue };
            let code = styles
                .get((r as u32, c as u32))
                .and_then(|s| s.number_format.as_ref())
                .map(|f| f.format_code.as_str());
            if let Some(shown) = code.and_then(|code| zero_padded(code, *n)) {
                *cell = Cell::Text(shown.into());
            }
        }
    }
}

/// A whole number as a zero-padding number format shows it: `000` and
/// `00000`, with literal text before or after (`"POAM-"000`, `\V\-0000`).
/// `None` for every other format (decimals, thousands, dates, `General`),
/// whose value reads the same without it, and for a format that would not
/// add a zero.
pub(crate) fn zero_padded(code: &str, n: f64) -> Option<String> {
    if n.fract() != 0.0 || !(0.0..1e15).contains(&n) {
        return None;
    }
    // The first section is the one for positive numbers.
    let code = code.split(';').next()?;
    let (mut before, mut after) = (String::new(), String::new());
    let (mut zeros, mut digits_ended) = (0usize, false);
    let mut chars = code.chars();
    while let Some(ch) = chars.next() {
        let literal = match ch {
            '"' => Some(chars.by_ref().take_while(|q| *q != '"').collect::<String>()),
            '\\' => Some(chars.next()?.to_string()),
            // A colour, a condition or a locale: `[Red]`, `[<100]`, `[$-409]`.
            '[' => {
                chars.by_ref().take_while(|q| *q != ']').for_each(drop);
                None
            }
            '0' | '#' if !digits_ended => {
                zeros += usize::from(ch == '0');
                None
            }
            '-' | ' ' | '(' | ')' | ':' | '/' => Some(ch.to_string()),
            _ => return None,
        };
        if let Some(text) = literal {
            if zeros > 0 {
                digits_ended = true;
                after.push_str(&text);
            } else {
                before.push_str(&text);
            }
        }
    }
    let digits = format!("{}", n as u64);
    if zeros < 2 || (digits.len() >= zeros && before.is_empty() && after.is_empty()) {
        return None;
    }
    Some(format!("{before}{digits:0>zeros$}{after}"))
}

/// Where the reader thread sends one sheet's rows below its head.
struct TailSender {
    name: String,
    tx: SyncSender<Batch>,
}

/// The rows below the loaded ones, still to be read from an .xlsx: what
/// [`stream_tails`] needs.
pub struct Tails {
    senders: Vec<TailSender>,
    budget: Budget,
    head: u32,
}

/// Streams the rows below row `head` of each sheet to its grid, sheet after
/// sheet; a sheet whose grid stopped listening is skipped. Meant for a
/// thread of its own, so that the XML is parsed while rows become items.
pub fn stream_tails<RS: std::io::Read + std::io::Seek>(
    workbook: calamine::Sheets<RS>,
    tails: Tails,
) {
    let calamine::Sheets::Xlsx(mut xlsx) = workbook else {
        return;
    };
    let Tails {
        senders,
        mut budget,
        head,
    } = tails;
    for TailSender { name, tx } in senders {
        // A panic in calamine on a broken file is this sheet's error, not
        // the end of the program.
        let streamed = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            stream_tail(&mut xlsx, &name, &tx, &mut budget, head)
        }));
        match streamed {
            Ok(Ok(())) => {}
            Ok(Err(e)) => {
                let _ = tx.send(Err(e));
            }
            Err(panic) => {
                let _ = tx.send(Err(LoadError::Broken(panic_text(&panic))));
                return;
            }
        }
    }
}

/// The message of a caught panic.
pub(crate) fn panic_text(panic: &Box<dyn std::any::Any + Send>) -> String {
    panic
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "unexpected content".into())
}

/// Streams one sheet; `Ok` also when its grid stopped listening.
fn stream_tail<RS: std::io::Read + std::io::Seek>(
    xlsx: &mut calamine::Xlsx<RS>,
    name: &str,
    tx: &SyncSender<Batch>,
    budget: &mut Budget,
    head: u32,
) -> Result<(), LoadError> {
    let mut reader = xlsx.worksheet_cells_reader(name).map_err(xlsx_error)?;
    let mut batch = RawBatch::default();
    // Rows begun in this batch; the current row and how wide it has grown.
    let mut rows = 0;
    let mut row = u32::MAX;
    let mut width = 0u32;
    while let Some(rec) = reader
        .next_cell_with_formula_metadata()
        .map_err(xlsx_error)?
    {
        let (r, c) = rec.pos;
        if r < head {
            continue;
        }
        let formula = rec.formula.is_some();
        if !formula && matches!(rec.value, calamine::DataRef::Empty) {
            continue;
        }
        if r != row {
            // A row never spans two batches.
            if rows == BATCH_ROWS {
                let full = std::mem::take(&mut batch);
                if tx.send(Ok(full)).is_err() {
                    return Ok(());
                }
                rows = 0;
            }
            rows += 1;
            row = r;
            width = 0;
        }
        // (After the batch is chosen: the text goes in its buffer.)
        let value = match rec.value {
            calamine::DataRef::Empty => RawValue::Blank,
            calamine::DataRef::SharedString(s) => {
                let start = batch.text.len();
                batch.text.push_str(s);
                RawValue::Text(start, batch.text.len())
            }
            calamine::DataRef::String(s) => {
                let start = batch.text.len();
                batch.text.push_str(&s);
                RawValue::Text(start, batch.text.len())
            }
            other => RawValue::Value(convert(&Data::from(other))),
        };
        // Each row costs its width up to its last cell, as when loaded.
        if c + 1 > width {
            budget.take(u64::from(c + 1 - width), name)?;
            width = c + 1;
        }
        batch.cells.push(RawCell {
            r,
            c,
            formula,
            value,
        });
    }
    if !batch.cells.is_empty() {
        let _ = tx.send(Ok(batch));
    }
    Ok(())
}

/// The marking (banner, title line) in the rows of a sheet above `rows`,
/// the first one found: a cell whose whole text is a marking.
pub(crate) fn marking_above(grid: &Grid, rows: u32) -> Option<String> {
    (0..rows).find_map(|r| {
        grid.rows
            .get(r as usize)?
            .iter()
            .find_map(|cell| poam_model::marking::marking_of(&cell.text_ref()))
    })
}

#[cfg(test)]
mod tests {
    use super::zero_padded;

    #[test]
    fn numbers_keep_the_zeros_their_format_shows() {
        assert_eq!(zero_padded("000", 7.0).as_deref(), Some("007"));
        assert_eq!(zero_padded("00000", 42.0).as_deref(), Some("00042"));
        assert_eq!(
            zero_padded("\"POAM-\"000", 7.0).as_deref(),
            Some("POAM-007")
        );
        assert_eq!(zero_padded("\\V\\-0000", 12.0).as_deref(), Some("V-0012"));
        assert_eq!(
            zero_padded("[Blue]000;[Red]-000", 5.0).as_deref(),
            Some("005")
        );
        // Formats that add nothing, or are not zero padding.
        assert_eq!(zero_padded("000", 1234.0), None);
        assert_eq!(zero_padded("General", 7.0), None);
        assert_eq!(zero_padded("0", 7.0), None);
        assert_eq!(zero_padded("0.00", 7.0), None);
        assert_eq!(zero_padded("#,##0", 7.0), None);
        assert_eq!(zero_padded("mm/dd/yyyy", 45000.0), None);
        assert_eq!(zero_padded("000", 7.5), None);
        assert_eq!(zero_padded("0%", 7.0), None);
    }
}
