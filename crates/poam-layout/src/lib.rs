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
pub mod mapping;
pub mod oscal;
pub mod text;

use poam_model::Field;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::sync::OnceLock;

/// A layout file could not be read.
#[derive(Debug, thiserror::Error)]
pub enum LayoutError {
    /// The TOML is malformed or has unknown keys.
    #[error("{name}: not a valid data file")]
    Toml {
        /// The file's name.
        name: String,
        /// What the TOML parser said.
        source: toml::de::Error,
    },
    /// A column names a field the model does not have.
    #[error("layout file {name}: column \"{header}\" maps to unknown field \"{field}\"")]
    UnknownField {
        /// The file's name.
        name: String,
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
    #[error(
        "layout file {name}: sheet \"{sheet}\" lists header \"{header}\" with no [columns] entry"
    )]
    UndefinedHeader {
        /// The file's name.
        name: String,
        /// The sheet.
        sheet: String,
        /// The header text.
        header: String,
    },
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
    pub field: Option<String>,
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
    /// The allowed values of the official drop-down list, if any.
    #[serde(default)]
    pub list: Vec<String>,
    /// Whether the official file has a date validation on the column.
    #[serde(default)]
    pub date_validation: bool,
    /// Synonyms of the header seen in real files (matched like the header).
    #[serde(default)]
    pub aliases: Vec<String>,
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
    /// Model fields of the labels: `organization`, `name`, `impact_level`, `poam_date`.
    pub fields: Vec<String>,
    /// Allowed impact levels (drop-down), if the official file has one.
    #[serde(default)]
    pub impact_list: Vec<String>,
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
    aliases: Vec<String>,
    #[serde(default)]
    default: bool,
    columns: BTreeMap<String, ColumnDef>,
    sheets: Vec<SheetDef>,
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
    /// Other names the version goes by (`rev4`, `v3`).
    pub aliases: Vec<String>,
    /// Whether this is the version written when none is asked for.
    pub default: bool,
    /// Columns by header text.
    pub columns: BTreeMap<String, ColumnDef>,
    /// Sheets, in workbook order.
    pub sheets: Vec<SheetDef>,
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

impl Layout {
    /// Parses a layout file.
    ///
    /// # Errors
    ///
    /// [`LayoutError::Toml`] for malformed TOML, [`LayoutError::UnknownField`]
    /// for a field name the model lacks, [`LayoutError::UndefinedHeader`] for a
    /// sheet header without a column entry.
    pub fn from_toml(name: &str, text: &str) -> Result<Layout, LayoutError> {
        let file: LayoutFile = toml::from_str(text).map_err(|source| LayoutError::Toml {
            name: name.to_string(),
            source,
        })?;
        let mut fields = BTreeMap::new();
        for (header, col) in &file.columns {
            let field = match &col.field {
                Some(f) => Some(
                    Field::from_name(f).ok_or_else(|| LayoutError::UnknownField {
                        name: name.to_string(),
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
        }
        for sheet in &file.sheets {
            for header in &sheet.headers {
                if !file.columns.contains_key(header) {
                    return Err(LayoutError::UndefinedHeader {
                        name: name.to_string(),
                        sheet: sheet.name.clone(),
                        header: header.clone(),
                    });
                }
            }
        }
        Ok(Layout {
            family: file.family,
            version: file.version,
            released: file.released,
            name: file.name,
            aliases: file.aliases,
            default: file.default,
            columns: file.columns,
            sheets: file.sheets,
            fields,
        })
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

    /// Whether any sheet of the layout has a column for the field.
    pub fn holds(&self, field: Field) -> bool {
        self.sheets.iter().any(|s| {
            s.headers
                .iter()
                .any(|h| self.field_for_header(h) == Some(Some(field)))
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

/// A set of layouts.
#[derive(Debug, Clone, Default)]
pub struct Registry {
    layouts: Vec<Layout>,
}

impl Registry {
    /// All layouts, in registration order.
    pub fn all(&self) -> &[Layout] {
        &self.layouts
    }

    /// Adds a layout.
    pub fn add(&mut self, layout: Layout) {
        self.layouts.push(layout);
    }

    /// Finds a family's version (its default version when `version` is `None`).
    pub fn find(&self, family: &str, version: Option<&str>) -> Option<&Layout> {
        let family = family.to_lowercase();
        let mut candidates = self.layouts.iter().filter(|l| l.family == family);
        match version {
            Some(v) => candidates.find(|l| l.answers_to(v)),
            None => candidates.find(|l| l.default),
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
}

const BUILTIN: &[(&str, &str)] = &[
    (
        "fedramp/v3.0.toml",
        include_str!("../../../templates/fedramp/v3.0.toml"),
    ),
    (
        "fedramp/v2.1.toml",
        include_str!("../../../templates/fedramp/v2.1.toml"),
    ),
    (
        "fedramp/v2.0.toml",
        include_str!("../../../templates/fedramp/v2.0.toml"),
    ),
    (
        "fedramp/2022-06-23.toml",
        include_str!("../../../templates/fedramp/2022-06-23.toml"),
    ),
    (
        "fedramp/2021-11-23.toml",
        include_str!("../../../templates/fedramp/2021-11-23.toml"),
    ),
    (
        "fedramp/2018-01-29.toml",
        include_str!("../../../templates/fedramp/2018-01-29.toml"),
    ),
    (
        "emass/rmf-classic.toml",
        include_str!("../../../templates/emass/rmf-classic.toml"),
    ),
    (
        "emass/navy-2024.toml",
        include_str!("../../../templates/emass/navy-2024.toml"),
    ),
    (
        "emass/navy-2026.toml",
        include_str!("../../../templates/emass/navy-2026.toml"),
    ),
    (
        "emass/army-2026.toml",
        include_str!("../../../templates/emass/army-2026.toml"),
    ),
    (
        "emass/marine-2026.toml",
        include_str!("../../../templates/emass/marine-2026.toml"),
    ),
    (
        "nist/cui-plan-of-action.toml",
        include_str!("../../../templates/nist/cui-plan-of-action.toml"),
    ),
];

/// The layouts compiled into poamkit.
pub fn builtin() -> &'static Registry {
    static REGISTRY: OnceLock<Registry> = OnceLock::new();
    REGISTRY.get_or_init(|| {
        let mut reg = Registry::default();
        for (name, text) in BUILTIN {
            // The built-in files are checked by the tests below; a broken one
            // is a build defect, not a user error.
            let layout = Layout::from_toml(name, text).unwrap_or_else(|e| panic!("{e}"));
            reg.add(layout);
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
    let mut n = index as u32 + 1;
    let mut out = Vec::new();
    while n > 0 {
        let rem = (n - 1) % 26;
        out.push((b'A' + rem as u8) as char);
        n = (n - 1) / 26;
    }
    out.iter().rev().collect()
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
