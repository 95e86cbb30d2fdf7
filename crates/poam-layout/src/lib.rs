//! Government POA&M layouts as data.
//!
//! A layout is one version of one template (FedRAMP v3.0, FedRAMP v2.1, ...):
//! its sheets, where each sheet's header row is, which header text maps to
//! which model field, the allowed values of drop-down columns, column widths,
//! and the fixed rows (title, metadata, guidance) around the data. Layouts are
//! TOML files under `templates/` in the repository, compiled into the binary
//! so that `poam` works from any folder; both the reader (`poam-import`) and
//! the writer (`poam-export`) use the same [`Layout`].
//!
//! The [`text`] module holds the cell text forms that several layouts share
//! (milestone blocks, one-per-line lists), so that readers and writers agree.
//!
//! ```
//! let fedramp = poam_layout::builtin().find("fedramp", Some("2.1")).unwrap();
//! let open = fedramp.sheet_by_role(poam_layout::SheetRole::Open).unwrap();
//! assert_eq!(open.header_row, 5);
//! assert_eq!(open.headers[0], "POAM ID");
//! ```
#![deny(missing_docs)]

pub mod catalog;
pub mod flat;
pub mod form;
pub mod mapping;
pub mod oscal;
pub mod text;

use poam_model::Field;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::sync::OnceLock;

/// A layout file could not be read.
///
/// Every variant names the file and, where the text has one, the line
/// (1-based) of the key at fault, so that a user's typo is found at once.
#[derive(Debug, thiserror::Error)]
pub enum LayoutError {
    /// The file cannot be read from disk.
    #[error("{name}: cannot read the layout file")]
    Io {
        /// The file's name.
        name: String,
        /// What the system said.
        #[source]
        source: std::io::Error,
    },
    /// The TOML is malformed, or has an unknown key, a misspelled key or a
    /// value of the wrong kind.
    #[error("{name}:{line}:{column}: {message}")]
    Toml {
        /// The file's name.
        name: String,
        /// 1-based line of the fault (0 when the parser gave no place).
        line: usize,
        /// 1-based column of the fault.
        column: usize,
        /// What the TOML parser said, on one line (its excerpt of the file
        /// left out: the line and column say where).
        message: String,
    },
    /// A column names a field the model does not have.
    #[error("{name}:{line}: column \"{header}\" maps to unknown field \"{field}\"")]
    UnknownField {
        /// The file's name.
        name: String,
        /// 1-based line of the column.
        line: usize,
        /// The header text.
        header: String,
        /// The field name given.
        field: String,
    },
    /// A pattern or table in a data file is malformed.
    #[error("data file {name}: {reason}")]
    Pattern {
        /// The file's name.
        name: String,
        /// What is wrong.
        reason: String,
    },
    /// A sheet lists a header that has no `[columns]` entry.
    #[error("{name}:{line}: sheet \"{sheet}\" lists header \"{header}\" with no [columns] entry")]
    UndefinedHeader {
        /// The file's name.
        name: String,
        /// 1-based line of the header text.
        line: usize,
        /// The sheet.
        sheet: String,
        /// The header text.
        header: String,
    },
    /// A value that parses but cannot be right: a bad cell reference, a row
    /// that is not below the header, a rule that names no column.
    #[error("{name}:{line}: {reason}")]
    Invalid {
        /// The file's name.
        name: String,
        /// 1-based line of the value (0 when unknown).
        line: usize,
        /// What is wrong.
        reason: String,
    },
    /// Two layout files give the same family and version.
    #[error("{name}: {family} {version} is already given by {other}")]
    Duplicate {
        /// The file's name.
        name: String,
        /// The family.
        family: String,
        /// The version.
        version: String,
        /// Where the first one came from.
        other: String,
    },
}

impl LayoutError {
    /// A TOML error of the file `name` whose text is `text`, with its line.
    pub fn toml(name: &str, text: &str, source: toml::de::Error) -> LayoutError {
        let (line, column) = source
            .span()
            .map_or((0, 0), |span| line_col(text, span.start));
        LayoutError::Toml {
            name: name.to_string(),
            line,
            column,
            message: source.message().trim().replace('\n', " "),
        }
    }
}

/// The 1-based line of the first line of `text` that holds `needle`
/// (0 when none does).
fn line_of(text: &str, needle: &str) -> usize {
    text.lines()
        .position(|l| l.contains(needle))
        .map_or(0, |i| i + 1)
}

/// A 0-based byte offset to a 1-based line and column.
fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let column = before
        .rfind('\n')
        .map_or(before.len(), |i| before.len() - i - 1)
        + 1;
    (line, column)
}

/// A field of the system described above the header (`SystemInfo`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SystemField {
    /// The system's name.
    Name,
    /// The organization, CSP or component.
    Organization,
    /// The impact level.
    ImpactLevel,
    /// The POA&M date (eMASS: Date Exported).
    PoamDate,
}

impl SystemField {
    /// The `poam` option that sets this field.
    pub fn flag(self) -> &'static str {
        match self {
            SystemField::Name => "--system-name",
            SystemField::Organization => "--organization",
            SystemField::ImpactLevel => "--impact-level",
            SystemField::PoamDate => "--poam-date",
        }
    }

    /// Whether the system has this field set.
    pub fn is_set(self, sys: &poam_model::SystemInfo) -> bool {
        let text = |v: &Option<String>| v.as_deref().is_some_and(|t| !t.trim().is_empty());
        match self {
            SystemField::Name => text(&sys.name),
            SystemField::Organization => text(&sys.organization),
            SystemField::ImpactLevel => text(&sys.impact_level),
            SystemField::PoamDate => sys.poam_date.is_some(),
        }
    }
}

/// A metadata cell the template asks to be filled and the system leaves
/// blank.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BlankMetadata {
    /// The cell's label in the template (`Impact Level`, `POC Name:`).
    pub label: String,
    /// The option that fills it (`--impact-level`, `--header-field "POC Name=..."`).
    pub how: String,
}

/// The extension a written workbook takes.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Extension {
    /// `.xlsx`.
    #[default]
    Xlsx,
    /// `.xlsm` (a macro-enabled workbook; poamkit writes none).
    Xlsm,
}

impl Extension {
    /// The extension without its dot.
    pub fn as_str(self) -> &'static str {
        match self {
            Extension::Xlsx => "xlsx",
            Extension::Xlsm => "xlsm",
        }
    }
}

/// The rules of a template that are not columns: what the writer, the reader
/// and `poam validate` do differently for it.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Rules {
    /// Headers the template marks mandatory: an open item without a value
    /// there is an error for `poam validate --template`.
    #[serde(default)]
    pub mandatory: Vec<String>,
    /// Whether columns after the template's last may be written
    /// (`--keep-extra`); eMASS rejects a workbook that has any.
    #[serde(default = "yes")]
    pub extra_columns: bool,
    /// Whether `N/A` and `None` are left blank on writing, as the template asks.
    #[serde(default)]
    pub blank_not_applicable: bool,
    /// Whether a Completed item's date goes into its status cell
    /// (`Completed 11/13/2018`) when no column holds the completion date.
    #[serde(default)]
    pub completed_with_date: bool,
    /// The extension of a written workbook.
    #[serde(default)]
    pub extension: Extension,
    /// Texts in the column before the table that mark the template's own
    /// rows (`Guidance`, `Examples`, `Mandatory or Situational`).
    #[serde(default)]
    pub guidance_labels: Vec<String>,
    /// Texts of the first column that mark an example or hint row: a cell
    /// that contains one of `example_contains`, or equals one of `example_ids`.
    #[serde(default)]
    pub example_contains: Vec<String>,
    /// See `example_contains`.
    #[serde(default)]
    pub example_ids: Vec<String>,
    /// Words in a renamed sheet's name that say it holds closed items
    /// (`closed`, `complete`), configuration findings, or open items; and
    /// words of the template's own sheets that never hold data (`example`,
    /// `instruction`). Matched case-insensitively inside the name.
    #[serde(default)]
    pub sheet_words: SheetWords,
}

/// See [`Rules::sheet_words`].
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SheetWords {
    /// A sheet of closed items.
    #[serde(default)]
    pub closed: Vec<String>,
    /// A sheet of configuration findings.
    #[serde(default)]
    pub configuration: Vec<String>,
    /// A sheet of open items.
    #[serde(default)]
    pub open: Vec<String>,
    /// A sheet of the template's own that holds no items.
    #[serde(default)]
    pub skip: Vec<String>,
}

impl SheetWords {
    /// The role a renamed sheet's name says, if any: closed first (an
    /// "Open and Closed" sheet is rare, "Closed POA&M Items" is not).
    pub fn role_of(&self, sheet_name: &str) -> Option<SheetRole> {
        let name = sheet_name.to_lowercase();
        let has = |words: &[String]| words.iter().any(|w| name.contains(&w.to_lowercase()));
        if has(&self.closed) {
            Some(SheetRole::Closed)
        } else if has(&self.configuration) {
            Some(SheetRole::Configuration)
        } else if has(&self.open) {
            Some(SheetRole::Open)
        } else {
            None
        }
    }

    /// Whether a sheet is the template's own (examples, instructions).
    pub fn skips(&self, sheet_name: &str) -> bool {
        let name = sheet_name.to_lowercase();
        self.skip.iter().any(|w| name.contains(&w.to_lowercase()))
    }
}

fn yes() -> bool {
    true
}

impl Default for Rules {
    fn default() -> Rules {
        Rules {
            mandatory: Vec::new(),
            extra_columns: true,
            blank_not_applicable: false,
            completed_with_date: false,
            extension: Extension::Xlsx,
            guidance_labels: Vec::new(),
            example_contains: Vec::new(),
            example_ids: Vec::new(),
            sheet_words: SheetWords::default(),
        }
    }
}

/// How a written workbook looks: fonts and fills. Absent keys keep what
/// poamkit wrote before they existed.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Style {
    /// The font of every cell (`Arial`); the workbook's default when absent.
    #[serde(default)]
    pub font: Option<String>,
    /// The font size of every cell but the title, in points.
    #[serde(default)]
    pub font_size: Option<f64>,
    /// The title's font size, in points.
    #[serde(default = "title_size")]
    pub title_size: f64,
    /// The title's font colour (`1F3864`).
    #[serde(default)]
    pub title_color: Option<Rgb>,
    /// The fill of header and label cells.
    #[serde(default = "header_fill")]
    pub header_fill: Rgb,
    /// The fill of the template's guidance rows.
    #[serde(default = "guidance_fill")]
    pub guidance_fill: Rgb,
    /// The fill of the classification banner, if any.
    #[serde(default)]
    pub banner_fill: Option<Rgb>,
    /// The fill of every other data row (alternating shading), if any.
    #[serde(default)]
    pub band_fill: Option<Rgb>,
    /// The banner's font (eMASS: Calibri), when not the cells' own.
    #[serde(default)]
    pub banner_font: Option<String>,
    /// The banner's font size, in points.
    #[serde(default)]
    pub banner_size: Option<f64>,
    /// The banner's font colour (eMASS: white on green).
    #[serde(default)]
    pub banner_color: Option<Rgb>,
    /// The header and label cells' font size, when not the cells' own.
    #[serde(default)]
    pub header_size: Option<f64>,
    /// The fill of label cells (eMASS's metadata labels), when not the
    /// header fill.
    #[serde(default)]
    pub label_fill: Option<Rgb>,
}

fn title_size() -> f64 {
    14.0
}
fn header_fill() -> Rgb {
    Rgb(0xCCECFC)
}
fn guidance_fill() -> Rgb {
    Rgb(0xF2F2F2)
}

impl Default for Style {
    fn default() -> Style {
        Style {
            font: None,
            font_size: None,
            title_size: title_size(),
            title_color: None,
            header_fill: header_fill(),
            guidance_fill: guidance_fill(),
            banner_fill: None,
            band_fill: None,
            banner_font: None,
            banner_size: None,
            banner_color: None,
            header_size: None,
            label_fill: None,
        }
    }
}

/// A colour written as six hex digits (`CCECFC`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rgb(pub u32);

impl<'de> Deserialize<'de> for Rgb {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Rgb, D::Error> {
        let text = String::deserialize(d)?;
        let hex = text.trim().trim_start_matches('#');
        if hex.len() != 6 {
            return Err(serde::de::Error::custom(format!(
                "\"{text}\" is not a colour of six hex digits (CCECFC)"
            )));
        }
        u32::from_str_radix(hex, 16).map(Rgb).map_err(|_| {
            serde::de::Error::custom(format!("\"{text}\" is not a colour of six hex digits"))
        })
    }
}

/// The paper a workbook prints on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Paper {
    /// US Letter.
    Letter,
    /// US Legal.
    Legal,
    /// Tabloid (11 × 17 in).
    Tabloid,
    /// A4.
    A4,
    /// A3.
    A3,
}

impl Paper {
    /// Excel's paper size code.
    pub fn code(self) -> u8 {
        match self {
            Paper::Letter => 1,
            Paper::Tabloid => 3,
            Paper::Legal => 5,
            Paper::A3 => 8,
            Paper::A4 => 9,
        }
    }
}

/// Page orientation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Orientation {
    /// Taller than wide.
    Portrait,
    /// Wider than tall.
    Landscape,
}

/// How every sheet of a written workbook prints. Absent keys leave Excel's
/// defaults.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Print {
    /// Portrait or landscape.
    #[serde(default)]
    pub orientation: Option<Orientation>,
    /// The paper.
    #[serde(default)]
    pub paper: Option<Paper>,
    /// Fit the columns to one page wide (as many pages down as needed).
    #[serde(default)]
    pub fit_to_width: bool,
    /// The page header, in Excel's header codes (`&C***** CUI *****`): the
    /// marking a security office checks first.
    #[serde(default)]
    pub header: Option<String>,
    /// The page footer, in Excel's header codes.
    #[serde(default)]
    pub footer: Option<String>,
    /// Print the header row on every page.
    #[serde(default)]
    pub repeat_header: bool,
}

/// Where a layout came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// Compiled into poamkit, from this file under `templates/`.
    Builtin(&'static str),
    /// A user's layout file, read at run time.
    File(std::path::PathBuf),
}

impl std::fmt::Display for Source {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Source::Builtin(name) => write!(f, "built-in (templates/{name})"),
            Source::File(path) => write!(f, "{}", path.display()),
        }
    }
}

/// What a sheet holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum SheetRole {
    /// Open items.
    Open,
    /// Closed items.
    Closed,
    /// Individual configuration findings.
    Configuration,
}

/// How rows become items.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum RowMode {
    /// One row, one item (FedRAMP).
    #[default]
    Item,
    /// One row, one item; a following row that holds only milestone cells
    /// adds milestones to the item above (classic eMASS).
    Continuation,
    /// One row per milestone: rows with the same POA&M ID are one item
    /// (eMASS 2026 layouts). Continuation rows are read as above.
    MilestonePerRow,
}

/// A metadata cell written as `label` then value to its right (eMASS).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LabelValue {
    /// The label text (`System / Project Name:`).
    pub label: String,
    /// Where the label goes when written (`A5`).
    pub label_cell: String,
    /// Where the value goes when written (`D5`).
    pub value_cell: String,
    /// Merged range of the label, if any (`A5:C5`).
    #[serde(default)]
    pub label_merge: Option<String>,
    /// Merged range of the value, if any (`D5:I5`).
    #[serde(default)]
    pub value_merge: Option<String>,
    /// System field: `name`, `organization`, `impact_level`, `poam_date`; absent
    /// for cells kept in `system.extra` by label.
    #[serde(default)]
    pub field: Option<SystemField>,
    /// Whether the template (or the system it feeds) needs this cell
    /// filled: left blank, a write warns and `validate` finds it.
    #[serde(default)]
    pub mandatory: bool,
}

/// How one column is read and written.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ColumnDef {
    /// The model field (`risk.original`); absent for columns kept in `extra`.
    pub field: Option<String>,
    /// Width in Excel character units when written.
    #[serde(default = "default_width")]
    pub width: f64,
    /// The allowed values of the column, as the official file's lists (its
    /// drop-down, or its lists sheet) give them: values are written in
    /// these words.
    #[serde(default)]
    pub list: Vec<String>,
    /// Whether the official file checks the column against `list` with a
    /// drop-down (the default); `false` where the list is the template's
    /// vocabulary but the official file applies no drop-down there.
    #[serde(default = "yes")]
    pub drop_down: bool,
    /// Whether the official file has a date validation on the column.
    #[serde(default)]
    pub date_validation: bool,
    /// Synonyms of the header seen in real files (matched like the header).
    #[serde(default)]
    pub aliases: Vec<String>,
    /// Whether a plain integer is written as a number (the template's
    /// number-formatted columns), not as text.
    #[serde(default)]
    pub numeric: bool,
    /// The deadline policy (`fedramp`) whose days the official template's
    /// own formula in this column counts from the detection date. Filling
    /// the template (`--into`) keeps the formula and says which items' own
    /// dates differ from it.
    #[serde(default)]
    pub computed_by: Option<String>,
}

fn default_width() -> f64 {
    20.0
}

/// A row written between the header and the data (guidance, examples).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FixedRow {
    /// 1-based row number.
    pub row: u32,
    /// Text of the column before the first header column (v3.0: `Guidance`).
    #[serde(default)]
    pub label: Option<String>,
    /// Cell texts by header.
    #[serde(default)]
    pub cells: BTreeMap<String, String>,
}

/// The title cell of a sheet.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Title {
    /// The text.
    pub text: String,
    /// Merged range (`A1:F1`), if any.
    #[serde(default)]
    pub merge: Option<String>,
}

/// The system metadata block above the header.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Metadata {
    /// Row of the labels (1-based).
    pub label_row: u32,
    /// Row where the values are written (1-based).
    pub value_row: u32,
    /// Column letter of the first label.
    pub first_column: String,
    /// Label texts, left to right.
    pub labels: Vec<String>,
    /// System fields of the labels: `organization`, `name`, `impact_level`, `poam_date`.
    pub fields: Vec<SystemField>,
    /// Allowed impact levels (drop-down), if the official file has one.
    #[serde(default)]
    pub impact_list: Vec<String>,
    /// The fill the official file gives the impact level cell for each
    /// level it holds (a conditional format, white text), if any.
    #[serde(default)]
    pub impact_colors: BTreeMap<String, Rgb>,
    /// Placeholder texts of the blank template (`Text`, `Date`), never values.
    #[serde(default)]
    pub placeholders: Vec<String>,
    /// Row of guidance texts under the labels (v3.0: row 3), if any.
    #[serde(default)]
    pub guidance_row: Option<u32>,
    /// Text in column A of the guidance row (`Guidance`).
    #[serde(default)]
    pub guidance_label: Option<String>,
    /// Guidance texts, aligned with the labels.
    #[serde(default)]
    pub guidance: Vec<String>,
}

/// One sheet of a layout.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SheetDef {
    /// The sheet name, exactly.
    pub name: String,
    /// What it holds.
    pub role: SheetRole,
    /// 1-based row of the header.
    pub header_row: u32,
    /// Column letter of the first header.
    pub first_column: String,
    /// 1-based row where data starts when written.
    pub first_data_row: u32,
    /// Freeze panes at this cell (`A6`), if the official file does.
    #[serde(default)]
    pub freeze: Option<String>,
    /// Last row that the official drop-downs cover.
    #[serde(default = "default_validation_rows")]
    pub validation_last_row: u32,
    /// Title cell, if any (always in A1).
    #[serde(default)]
    pub title: Option<Title>,
    /// Metadata block, if any.
    #[serde(default)]
    pub metadata: Option<Metadata>,
    /// Header texts, left to right, exactly as the official file has them.
    pub headers: Vec<String>,
    /// Rows between header and data.
    #[serde(default)]
    pub fixed_rows: Vec<FixedRow>,
    /// How rows become items.
    #[serde(default)]
    pub row_mode: RowMode,
    /// A classification banner in row 1 (eMASS), merged over the table.
    #[serde(default)]
    pub banner: Option<Title>,
    /// Label/value metadata cells above the header (eMASS).
    #[serde(default)]
    pub label_values: Vec<LabelValue>,
    /// Find requirement ids in the weakness text when no column holds them
    /// (NIST SP 800-171 plans of action).
    #[serde(default)]
    pub controls_in_text: bool,
    /// Row heights in points, by 1-based row (the title, the header, the
    /// guidance rows), as the official file has them.
    #[serde(default)]
    pub row_heights: BTreeMap<u32, f64>,
    /// The height of every data row, in points, if the official file sets one.
    #[serde(default)]
    pub data_row_height: Option<f64>,
}

fn default_validation_rows() -> u32 {
    4022
}

/// A layout file as written.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct LayoutFile {
    family: String,
    version: String,
    released: String,
    name: String,
    #[serde(default)]
    family_label: Option<String>,
    #[serde(default)]
    aliases: Vec<String>,
    #[serde(default)]
    default: bool,
    #[serde(default)]
    rules: Rules,
    #[serde(default)]
    style: Style,
    #[serde(default)]
    print: Print,
    columns: BTreeMap<String, ColumnDef>,
    sheets: Vec<SheetDef>,
    #[serde(default)]
    tabs: Vec<Tab>,
}

/// A tab of the official workbook that holds no items (FedRAMP's
/// Instructions and Record of Changes), written in its place so that the
/// workbook has the official tabs in the official order. Its text is
/// poamkit's own (a pointer to the official instructions), never a copy of
/// the template's prose.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Tab {
    /// The tab's name.
    pub name: String,
    /// Its place among the workbook's tabs (0 is the first).
    pub position: usize,
    /// Column widths by letter, in Excel's character units.
    #[serde(default)]
    pub widths: BTreeMap<String, f64>,
    /// Row heights by row number (1-based), in points.
    #[serde(default)]
    pub heights: BTreeMap<u32, f64>,
    /// The cells written.
    #[serde(default)]
    pub cells: Vec<TabCell>,
    /// Landscape printing.
    #[serde(default)]
    pub landscape: bool,
}

/// One cell of a [`Tab`].
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TabCell {
    /// Where (`B2`).
    pub cell: String,
    /// The text.
    pub text: String,
    /// How it looks.
    #[serde(default)]
    pub style: TabStyle,
    /// A merged range it fills (`B2:E2`).
    #[serde(default)]
    pub merge: Option<String>,
}

/// The look of a [`TabCell`], from the layout's `[style]`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TabStyle {
    /// Body text, wrapped.
    #[default]
    Text,
    /// The title's font, size and colour.
    Title,
    /// Bold, on the header fill, bordered.
    Header,
    /// Bold.
    Label,
}

/// One version of one template.
#[derive(Debug, Clone)]
pub struct Layout {
    /// Template family (`fedramp`).
    pub family: String,
    /// Version (`3.0`, `2.1`, `2018-01-29`).
    pub version: String,
    /// Release date of the template (`2025-11-17`).
    pub released: String,
    /// Human name.
    pub name: String,
    /// How messages name the family (`FedRAMP`), when not its key.
    pub family_label: Option<String>,
    /// Other names the version goes by (`rev4`, `v3`).
    pub aliases: Vec<String>,
    /// Whether this is the version written when none is asked for.
    pub default: bool,
    /// Columns by header text.
    pub columns: BTreeMap<String, ColumnDef>,
    /// Sheets, in workbook order.
    pub sheets: Vec<SheetDef>,
    /// What differs between templates beyond their columns.
    pub rules: Rules,
    /// Fonts and fills of a written workbook.
    pub style: Style,
    /// Page setup of a written workbook.
    pub print: Print,
    /// The official tabs that hold no items, written in their places.
    pub tabs: Vec<Tab>,
    /// Where the layout came from.
    pub source: Source,
    /// Fields resolved by normalized header text.
    fields: BTreeMap<String, Option<Field>>,
}

/// Normalizes header text for matching: trimmed, case-folded, inner white
/// space collapsed, `®` dropped.
pub fn normalize_header(text: &str) -> String {
    text.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .replace('®', "")
        .to_lowercase()
}

/// Names `--to` takes for formats that are not workbook families; a layout
/// family may not take one of them.
pub const RESERVED_FAMILIES: &[&str] = &["csv", "json", "oscal", "nist171-docx", "legacy"];

impl Layout {
    /// Parses a layout file's text; `name` names it in messages.
    ///
    /// # Errors
    ///
    /// [`LayoutError::Toml`] for malformed TOML or an unknown key (with the
    /// line), [`LayoutError::UnknownField`] for a field name the model lacks,
    /// [`LayoutError::UndefinedHeader`] for a sheet header without a column
    /// entry, [`LayoutError::Invalid`] for values that cannot be right.
    pub fn from_toml(name: &str, text: &str) -> Result<Layout, LayoutError> {
        Layout::parse(name, text, Source::File(name.into()))
    }

    /// Reads a user's layout file.
    ///
    /// # Errors
    ///
    /// [`LayoutError::Io`] when the file cannot be read, else as
    /// [`Layout::from_toml`].
    pub fn from_file(path: &std::path::Path) -> Result<Layout, LayoutError> {
        let name = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|source| LayoutError::Io {
            name: name.clone(),
            source,
        })?;
        Layout::parse(&name, &text, Source::File(path.to_path_buf()))
    }

    fn parse(name: &str, text: &str, source: Source) -> Result<Layout, LayoutError> {
        let file: LayoutFile =
            toml::from_str(text).map_err(|e| LayoutError::toml(name, text, e))?;
        let invalid = |needle: &str, reason: String| LayoutError::Invalid {
            name: name.to_string(),
            line: line_of(text, needle),
            reason,
        };
        let family_ok = !file.family.is_empty()
            && file
                .family
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
        if !family_ok {
            return Err(invalid(
                "family",
                format!(
                    "family \"{}\" must be lowercase letters, digits and dashes (it is what --to takes)",
                    file.family
                ),
            ));
        }
        if RESERVED_FAMILIES.contains(&file.family.as_str()) {
            return Err(invalid(
                "family",
                format!(
                    "family \"{}\" is the name of another output format; choose another",
                    file.family
                ),
            ));
        }
        if file.version.trim().is_empty() {
            return Err(invalid("version", "version is empty".into()));
        }
        let mut fields = BTreeMap::new();
        for (header, col) in &file.columns {
            let field = match &col.field {
                Some(f) => Some(
                    Field::from_name(f).ok_or_else(|| LayoutError::UnknownField {
                        name: name.to_string(),
                        line: line_of(text, &format!("\"{header}\"")),
                        header: header.clone(),
                        field: f.clone(),
                    })?,
                ),
                None => None,
            };
            fields.insert(normalize_header(header), field);
            for alias in &col.aliases {
                fields.insert(normalize_header(alias), field);
            }
            if !col.width.is_finite() || col.width <= 0.0 || col.width > 255.0 {
                return Err(invalid(
                    &format!("\"{header}\""),
                    format!(
                        "column \"{header}\": width {} is not between 0 and 255",
                        col.width
                    ),
                ));
            }
        }
        if !file.sheets.iter().any(|s| s.role == SheetRole::Open) {
            return Err(invalid(
                "[[sheets]]",
                "no sheet has role = \"open\"; one must hold the open items".into(),
            ));
        }
        for sheet in &file.sheets {
            let at = format!("\"{}\"", sheet.name);
            for header in &sheet.headers {
                if !file.columns.contains_key(header) {
                    return Err(LayoutError::UndefinedHeader {
                        name: name.to_string(),
                        line: text
                            .lines()
                            .enumerate()
                            .filter(|(_, l)| l.contains(&format!("\"{header}\"")))
                            .map(|(i, _)| i + 1)
                            .next()
                            .unwrap_or(0),
                        sheet: sheet.name.clone(),
                        header: header.clone(),
                    });
                }
            }
            if sheet.headers.is_empty() {
                return Err(invalid(
                    &at,
                    format!("sheet \"{}\" lists no headers", sheet.name),
                ));
            }
            if column_index(&sheet.first_column).is_none() {
                return Err(invalid(
                    "first_column",
                    format!(
                        "sheet \"{}\": first_column \"{}\" is not a column letter",
                        sheet.name, sheet.first_column
                    ),
                ));
            }
            if sheet.header_row == 0 || sheet.first_data_row <= sheet.header_row {
                return Err(invalid(
                    "first_data_row",
                    format!(
                        "sheet \"{}\": first_data_row {} must be below header_row {}",
                        sheet.name, sheet.first_data_row, sheet.header_row
                    ),
                ));
            }
            for fixed in &sheet.fixed_rows {
                if fixed.row <= sheet.header_row || fixed.row >= sheet.first_data_row {
                    return Err(invalid(
                        &format!("row = {}", fixed.row),
                        format!(
                            "sheet \"{}\": fixed row {} is not between the header row and the first data row",
                            sheet.name, fixed.row
                        ),
                    ));
                }
                if let Some(h) = fixed.cells.keys().find(|h| !sheet.headers.contains(h)) {
                    return Err(invalid(
                        &format!("\"{h}\""),
                        format!(
                            "sheet \"{}\": fixed row {} has a cell for \"{h}\", which is not one of the sheet's headers",
                            sheet.name, fixed.row
                        ),
                    ));
                }
            }
            let cells = sheet.freeze.iter().chain(
                sheet
                    .label_values
                    .iter()
                    .flat_map(|l| [&l.label_cell, &l.value_cell]),
            );
            for cell in cells {
                if parse_cell_ref(cell).is_none() {
                    return Err(invalid(
                        &format!("\"{cell}\""),
                        format!(
                            "sheet \"{}\": \"{cell}\" is not a cell reference",
                            sheet.name
                        ),
                    ));
                }
            }
            let merges = sheet
                .title
                .iter()
                .chain(&sheet.banner)
                .filter_map(|t| t.merge.as_ref())
                .chain(
                    sheet
                        .label_values
                        .iter()
                        .flat_map(|l| l.label_merge.iter().chain(&l.value_merge)),
                );
            for merge in merges {
                let ok = merge.split_once(':').is_some_and(|(a, b)| {
                    parse_cell_ref(a).is_some() && parse_cell_ref(b).is_some()
                });
                if !ok {
                    return Err(invalid(
                        &format!("\"{merge}\""),
                        format!(
                            "sheet \"{}\": \"{merge}\" is not a cell range (A1:F1)",
                            sheet.name
                        ),
                    ));
                }
            }
            if let Some(meta) = &sheet.metadata {
                if meta.labels.len() != meta.fields.len() {
                    return Err(invalid(
                        "labels",
                        format!(
                            "sheet \"{}\": metadata has {} labels but {} fields",
                            sheet.name,
                            meta.labels.len(),
                            meta.fields.len()
                        ),
                    ));
                }
                if column_index(&meta.first_column).is_none() || meta.label_row == 0 {
                    return Err(invalid(
                        "label_row",
                        format!(
                            "sheet \"{}\": metadata first_column or label_row is not a place",
                            sheet.name
                        ),
                    ));
                }
            }
        }
        let sizes = file
            .style
            .font_size
            .iter()
            .chain([&file.style.title_size])
            .chain(
                file.sheets
                    .iter()
                    .flat_map(|s| s.row_heights.values().chain(&s.data_row_height)),
            );
        for size in sizes {
            if !(*size > 0.0 && *size <= 409.0) {
                return Err(invalid(
                    &size.to_string(),
                    format!("{size} is not a size in points between 0 and 409"),
                ));
            }
        }
        for header in &file.rules.mandatory {
            if !file.sheets.iter().any(|s| s.headers.contains(header)) {
                return Err(invalid(
                    "mandatory",
                    format!("rules.mandatory names \"{header}\", which no sheet has"),
                ));
            }
        }
        Ok(Layout {
            family: file.family,
            version: file.version,
            released: file.released,
            name: file.name,
            family_label: file.family_label,
            aliases: file.aliases,
            default: file.default,
            columns: file.columns,
            sheets: file.sheets,
            rules: file.rules,
            style: file.style,
            print: file.print,
            tabs: file.tabs,
            source,
            fields,
        })
    }

    /// The template's mandatory metadata cells (every label of a
    /// `[sheets.metadata]` block, and the `label_values` marked
    /// `mandatory`) that `sys` leaves blank, each once.
    pub fn blank_metadata(&self, sys: &poam_model::SystemInfo) -> Vec<BlankMetadata> {
        let mut out: Vec<BlankMetadata> = Vec::new();
        let mut push = |label: &str, how: String| {
            if !out.iter().any(|b| b.label == label) {
                out.push(BlankMetadata {
                    label: label.to_string(),
                    how,
                });
            }
        };
        for sheet in &self.sheets {
            if let Some(meta) = &sheet.metadata {
                for (label, field) in meta.labels.iter().zip(&meta.fields) {
                    if !field.is_set(sys) {
                        push(label, field.flag().to_string());
                    }
                }
            }
            for lv in sheet.label_values.iter().filter(|lv| lv.mandatory) {
                let set = match lv.field {
                    Some(field) => field.is_set(sys),
                    None => sys
                        .extra
                        .get(&lv.label)
                        .is_some_and(|v| !v.trim().is_empty()),
                };
                if !set {
                    let how = match lv.field {
                        Some(field) => field.flag().to_string(),
                        None => {
                            format!("--header-field \"{}=...\"", lv.label.trim_end_matches(':'))
                        }
                    };
                    push(&lv.label, how);
                }
            }
        }
        out
    }

    /// The headers the template marks mandatory, as fields.
    pub fn mandatory_fields(&self) -> Vec<Field> {
        self.rules
            .mandatory
            .iter()
            .filter_map(|h| self.field_for_header(h).flatten())
            .collect()
    }

    /// How messages name the family: the layout file's `family_label`
    /// (`FedRAMP`, `eMASS`), else the family itself.
    pub fn family_label(&self) -> &str {
        self.family_label.as_deref().unwrap_or(&self.family)
    }

    /// `fedramp 3.0`.
    pub fn label(&self) -> String {
        format!("{} {}", self.family, self.version)
    }

    /// The field a header maps to: `Some(Some(f))` for a field, `Some(None)`
    /// for a known column kept in `extra`, `None` for a header this layout
    /// does not know.
    pub fn field_for_header(&self, header: &str) -> Option<Option<Field>> {
        self.fields.get(&normalize_header(header)).copied()
    }

    /// The column definition of a header text.
    pub fn column(&self, header: &str) -> Option<&ColumnDef> {
        self.columns.get(header)
    }

    /// The first sheet with a role.
    pub fn sheet_by_role(&self, role: SheetRole) -> Option<&SheetDef> {
        self.sheets.iter().find(|s| s.role == role)
    }

    /// The sheet with this name (trimmed, case-insensitive).
    pub fn sheet_by_name(&self, name: &str) -> Option<&SheetDef> {
        let want = normalize_header(name);
        self.sheets
            .iter()
            .find(|s| normalize_header(&s.name) == want)
    }

    /// The header of the first column that holds a field, as the template
    /// writes it (trimmed), for messages in the template's own words.
    pub fn header_of(&self, field: Field) -> Option<&str> {
        // A sheet's headers are keys of `columns` (checked on load): looked
        // up as they are, without normalizing (messages ask per item).
        self.sheets
            .iter()
            .flat_map(|s| &s.headers)
            .find(|h| self.column_field(h) == Some(field.name()))
            .map(|h| h.trim())
    }

    fn column_field(&self, header: &str) -> Option<&str> {
        self.columns.get(header).and_then(|c| c.field.as_deref())
    }

    /// Whether any sheet of the layout has a column for the field.
    pub fn holds(&self, field: Field) -> bool {
        self.sheets.iter().any(|s| {
            s.headers
                .iter()
                .any(|h| self.column_field(h) == Some(field.name()))
        })
    }

    /// Whether the version matches a name the user typed (`3.0`, `v3`, `rev4`).
    pub fn answers_to(&self, version: &str) -> bool {
        let v = version.trim().to_lowercase();
        let v = v.strip_prefix('v').unwrap_or(&v);
        self.version.to_lowercase() == v
            || self.released == v
            || self.aliases.iter().any(|a| a.to_lowercase() == v)
    }
}

/// A set of layouts: the built-in ones and a user's.
#[derive(Debug, Clone, Default)]
pub struct Registry {
    layouts: Vec<Layout>,
}

/// The environment variable naming a folder of the user's layout files.
pub const LAYOUT_DIR_ENV: &str = "POAM_LAYOUT_DIR";

impl Registry {
    /// The built-in layouts, as a registry the caller may add to.
    pub fn with_builtin() -> Registry {
        builtin().clone()
    }

    /// All layouts, in registration order.
    pub fn all(&self) -> &[Layout] {
        &self.layouts
    }

    /// Adds a layout. One with the family and version of a built-in layout
    /// takes its place (a corrected template before poamkit's next release);
    /// a second user layout of the same family and version is refused. A
    /// layout marked `default` becomes its family's default.
    ///
    /// # Errors
    ///
    /// [`LayoutError::Duplicate`] when two user files give one version.
    pub fn add(&mut self, layout: Layout) -> Result<(), LayoutError> {
        let same = self.layouts.iter().position(|l| {
            l.family == layout.family && l.version.eq_ignore_ascii_case(&layout.version)
        });
        if layout.default {
            for l in self
                .layouts
                .iter_mut()
                .filter(|l| l.family == layout.family)
            {
                l.default = false;
            }
        }
        match same {
            Some(i) if matches!(self.layouts[i].source, Source::Builtin(_)) => {
                self.layouts[i] = layout;
            }
            Some(i) => {
                return Err(LayoutError::Duplicate {
                    name: layout.source.to_string(),
                    family: layout.family,
                    version: layout.version,
                    other: self.layouts[i].source.to_string(),
                })
            }
            None => self.layouts.push(layout),
        }
        Ok(())
    }

    /// Reads a user's layout file and adds it.
    ///
    /// # Errors
    ///
    /// As [`Layout::from_file`] and [`Registry::add`].
    pub fn add_file(&mut self, path: &std::path::Path) -> Result<(), LayoutError> {
        self.add(Layout::from_file(path)?)
    }

    /// Reads every `.toml` file in a folder (and its subfolders, in name
    /// order) as a layout; returns how many were added.
    ///
    /// # Errors
    ///
    /// [`LayoutError::Io`] when the folder cannot be listed, else as
    /// [`Registry::add_file`] for the first file at fault.
    pub fn add_dir(&mut self, dir: &std::path::Path) -> Result<usize, LayoutError> {
        let mut files = Vec::new();
        collect_toml(dir, &mut files)?;
        files.sort();
        for f in &files {
            self.add_file(f)?;
        }
        Ok(files.len())
    }

    /// Finds a family's version (its default version when `version` is
    /// `None`, else its first).
    pub fn find(&self, family: &str, version: Option<&str>) -> Option<&Layout> {
        let family = family.to_lowercase();
        let mut candidates = self.layouts.iter().filter(|l| l.family == family);
        match version {
            Some(v) => candidates.find(|l| l.answers_to(v)),
            None => {
                let first = candidates.clone().next();
                candidates.find(|l| l.default).or(first)
            }
        }
    }

    /// The versions a family has, for error messages.
    pub fn versions(&self, family: &str) -> Vec<&str> {
        self.layouts
            .iter()
            .filter(|l| l.family == family)
            .map(|l| l.version.as_str())
            .collect()
    }

    /// The families, in registration order, each once.
    pub fn families(&self) -> Vec<&str> {
        let mut out: Vec<&str> = Vec::new();
        for l in &self.layouts {
            if !out.contains(&l.family.as_str()) {
                out.push(&l.family);
            }
        }
        out
    }

    /// Whether a family has a layout.
    pub fn has_family(&self, family: &str) -> bool {
        self.layouts
            .iter()
            .any(|l| l.family.eq_ignore_ascii_case(family))
    }

    /// The field a header names in any layout of the registry.
    pub fn field_for_header(&self, header: &str) -> Option<Field> {
        self.layouts
            .iter()
            .find_map(|l| l.field_for_header(header).flatten())
    }
}

fn collect_toml(
    dir: &std::path::Path,
    out: &mut Vec<std::path::PathBuf>,
) -> Result<(), LayoutError> {
    let io = |source| LayoutError::Io {
        name: dir.display().to_string(),
        source,
    };
    for entry in std::fs::read_dir(dir).map_err(io)? {
        let path = entry.map_err(io)?.path();
        if path.is_dir() {
            collect_toml(&path, out)?;
        } else if path.extension().is_some_and(|e| e == "toml") {
            out.push(path);
        }
    }
    Ok(())
}

// `BUILTIN`: every layout file under `templates/` (a TOML file with a
// `family` key), listed by build.rs.
include!(concat!(env!("OUT_DIR"), "/builtin_layouts.rs"));

/// The layouts compiled into poamkit.
pub fn builtin() -> &'static Registry {
    static REGISTRY: OnceLock<Registry> = OnceLock::new();
    REGISTRY.get_or_init(|| {
        let mut reg = Registry::default();
        // The built-in files are checked by the tests below; a broken one
        // is a build defect, not a user error.
        let mut layouts: Vec<Layout> = BUILTIN
            .iter()
            .map(|(name, text)| {
                Layout::parse(name, text, Source::Builtin(name)).unwrap_or_else(|e| panic!("{e}"))
            })
            .collect();
        // Families in name order; in each, the newest release first (as help
        // and messages list the versions).
        layouts.sort_by(|a, b| {
            (&a.family, &b.released, &a.version).cmp(&(&b.family, &a.released, &b.version))
        });
        for layout in layouts {
            reg.add(layout).unwrap_or_else(|e| panic!("{e}"));
        }
        reg
    })
}

/// Column letters (`A`, `AB`) to a 0-based index.
pub fn column_index(letters: &str) -> Option<u16> {
    let mut n: u32 = 0;
    for c in letters.trim().chars() {
        if !c.is_ascii_alphabetic() {
            return None;
        }
        n = n * 26 + (c.to_ascii_uppercase() as u32 - 'A' as u32 + 1);
    }
    if n == 0 || n > 16_384 {
        None
    } else {
        Some((n - 1) as u16)
    }
}

/// A 0-based column index to letters (`0` → `A`).
pub fn column_letters(index: u16) -> String {
    poam_model::diag::column_letters(u32::from(index))
}

/// A cell reference (`K12`) from a 0-based column and a 1-based row.
pub fn cell_ref(col: u16, row1: u32) -> String {
    format!("{}{}", column_letters(col), row1)
}

/// Splits a cell reference (`A6`) into 0-based column and 0-based row.
pub fn parse_cell_ref(cell: &str) -> Option<(u16, u32)> {
    let split = cell.find(|c: char| c.is_ascii_digit())?;
    let col = column_index(&cell[..split])?;
    let row: u32 = cell[split..].parse().ok()?;
    Some((col, row.checked_sub(1)?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_layouts_load_and_map_every_header() {
        let reg = builtin();
        assert_eq!(reg.versions("fedramp").len(), 6);
        for layout in reg.all() {
            for sheet in &layout.sheets {
                for h in &sheet.headers {
                    assert!(
                        layout.field_for_header(h).is_some(),
                        "{} {h}",
                        layout.label()
                    );
                }
                assert!(column_index(&sheet.first_column).is_some());
            }
        }
        assert_eq!(reg.find("fedramp", None).unwrap().version, "3.0");
        assert_eq!(reg.find("FedRAMP", Some("v2.1")).unwrap().version, "2.1");
        assert_eq!(
            reg.find("fedramp", Some("rev4")).unwrap().version,
            "2022-06-23"
        );
    }

    #[test]
    fn v30_open_tab_differs_from_closed_tab() {
        let v3 = builtin().find("fedramp", Some("3.0")).unwrap();
        let open = v3.sheet_by_role(SheetRole::Open).unwrap();
        let closed = v3.sheet_by_role(SheetRole::Closed).unwrap();
        assert_eq!((open.header_row, open.first_column.as_str()), (5, "B"));
        assert_eq!((closed.header_row, closed.first_column.as_str()), (2, "A"));
        assert!(open.headers.contains(&"Remediation Plan".to_string()));
        assert!(closed
            .headers
            .contains(&"Overall Remediation Plan".to_string()));
        assert_eq!(
            v3.field_for_header("  remediation   plan "),
            Some(Some(Field::RemediationPlan))
        );
        assert!(!v3.holds(Field::Milestones));
    }

    #[test]
    fn cell_refs() {
        assert_eq!(column_letters(0), "A");
        assert_eq!(column_letters(27), "AB");
        assert_eq!(column_index("AB"), Some(27));
        assert_eq!(cell_ref(10, 12), "K12");
        assert_eq!(parse_cell_ref("A6"), Some((0, 5)));
    }
}
