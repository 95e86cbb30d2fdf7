//! A sheet loaded into memory: cells by absolute position, plus which cells
//! hold formulas.

use calamine::{Data, Reader};
use chrono::NaiveDate;
use std::collections::HashSet;
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
    /// Whether the cell holds nothing (or only white space).
    pub fn is_blank(&self) -> bool {
        match self {
            Cell::Empty => true,
            Cell::Text(t) => t.trim().is_empty(),
            _ => false,
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

/// A sheet.
#[derive(Debug, Clone, Default)]
pub struct Grid {
    /// Sheet name.
    pub name: String,
    /// Rows from row 0 (Excel row 1), each from column 0 (A).
    pub rows: Vec<Vec<Cell>>,
    /// (row, column) of cells that hold formulas, 0-based.
    pub formulas: HashSet<(u32, u32)>,
}

impl Grid {
    /// The cell at a 0-based position.
    pub fn get(&self, row: u32, col: u32) -> &Cell {
        static EMPTY: Cell = Cell::Empty;
        self.rows
            .get(row as usize)
            .and_then(|r| r.get(col as usize))
            .unwrap_or(&EMPTY)
    }

    /// Number of rows.
    pub fn height(&self) -> u32 {
        self.rows.len() as u32
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

/// Loads every sheet of a workbook. An .xlsx/.xlsm is streamed cell by cell
/// (values and formula positions in one pass, no rectangle of empty cells);
/// the other formats go through calamine's ranges, whose size is checked
/// before they are copied.
pub fn load_sheets<RS: std::io::Read + std::io::Seek>(
    workbook: &mut calamine::Sheets<RS>,
    limits: &Limits,
) -> Result<Vec<Grid>, LoadError> {
    let mut budget = Budget {
        used: 0,
        limit: limits.max_cells,
    };
    if let calamine::Sheets::Xlsx(xlsx) = workbook {
        let mut grids = Vec::new();
        for name in xlsx.sheet_names() {
            grids.push(load_xlsx_sheet(xlsx, &name, &mut budget)?);
        }
        return Ok(grids);
    }
    let mut grids = Vec::new();
    for name in workbook.sheet_names() {
        let range = workbook.worksheet_range(&name)?;
        let mut grid = Grid {
            name: name.clone(),
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
    Ok(grids)
}

fn load_xlsx_sheet<RS: std::io::Read + std::io::Seek>(
    xlsx: &mut calamine::Xlsx<RS>,
    name: &str,
    budget: &mut Budget,
) -> Result<Grid, LoadError> {
    let xlsx_error = |e: calamine::XlsxError| LoadError::Calamine(calamine::Error::Xlsx(e));
    let mut grid = Grid {
        name: name.to_string(),
        ..Grid::default()
    };
    let mut reader = xlsx.worksheet_cells_reader(name).map_err(xlsx_error)?;
    // One Arc per distinct text of the sheet: rows repeat statuses, controls,
    // contacts, scanner descriptions.
    let mut texts: HashSet<Arc<str>> = HashSet::new();
    let mut intern = |s: &str| -> Arc<str> {
        match texts.get(s) {
            Some(a) => a.clone(),
            None => {
                let a: Arc<str> = Arc::from(s);
                texts.insert(a.clone());
                a
            }
        }
    };
    while let Some(rec) = reader
        .next_cell_with_formula_metadata()
        .map_err(xlsx_error)?
    {
        let (r, c) = (rec.pos.0 as usize, rec.pos.1 as usize);
        if rec.formula.is_some() {
            grid.formulas.insert(rec.pos);
        }
        let cell = match rec.value {
            calamine::DataRef::SharedString(s) if !s.trim().is_empty() => Cell::Text(intern(s)),
            calamine::DataRef::String(s) if !s.trim().is_empty() => Cell::Text(intern(&s)),
            other => convert(&Data::from(other)),
        };
        if cell.is_blank() {
            continue;
        }
        if grid.rows.len() <= r {
            // Row slots are cheap (an empty Vec each), but still counted.
            budget.take(((r + 1 - grid.rows.len()) as u64) / 64, name)?;
            grid.rows.resize_with(r + 1, Vec::new);
        }
        let row = &mut grid.rows[r];
        if row.len() <= c {
            budget.take((c + 1 - row.len()) as u64, name)?;
            row.resize(c + 1, Cell::Empty);
        }
        row[c] = cell;
    }
    Ok(grid)
}
