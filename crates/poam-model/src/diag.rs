//! Diagnostics: what a reader or writer doubted, and where.

use serde::{Deserialize, Serialize};
use std::fmt;

/// How serious a diagnostic is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Worth knowing; nothing was lost or guessed.
    Info,
    /// A value was kept as raw text, guessed, or could not be placed.
    Warning,
}

/// The closed list of things poamkit reports about a file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum DiagKind {
    /// A date cell that is not a date.
    BadDate,
    /// A rating, yes/no or status cell outside its vocabulary.
    UnknownValue,
    /// Control text that is not a control identifier.
    UnparsedControl,
    /// A control identifier read with an assumption (zero padding, `AC-2.1`).
    ControlAssumption,
    /// A milestone block without a date or number.
    UnparsedMilestone,
    /// A column that maps to no field; its cells go to `extra`.
    ExtraColumn,
    /// A formula cell without a saved value.
    FormulaWithoutValue,
    /// A sheet the layout expects but the file lacks.
    MissingSheet,
    /// A field the target format has no place for.
    DroppedField,
    /// A field moved into another one on export.
    MovedField,
    /// `N/A` or `None` in a cell that should be blank.
    PlaceholderValue,
}

/// A place in a file: the file, the sheet and the cell (`K12`) or row.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Location {
    /// The file path as given.
    pub file: Option<String>,
    /// The sheet name.
    pub sheet: Option<String>,
    /// The cell reference (`K12`) or row (`12`).
    pub cell: Option<String>,
}

impl Location {
    /// A location in a sheet cell.
    pub fn cell(file: &str, sheet: &str, cell: String) -> Location {
        Location {
            file: Some(file.to_string()),
            sheet: Some(sheet.to_string()),
            cell: Some(cell),
        }
    }
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (&self.sheet, &self.cell) {
            (Some(s), Some(c)) => write!(f, "'{s}'!{c}"),
            (Some(s), None) => write!(f, "'{s}'"),
            (None, Some(c)) => write!(f, "{c}"),
            (None, None) => match &self.file {
                Some(file) => write!(f, "{file}"),
                None => Ok(()),
            },
        }
    }
}

/// One doubt, with its place.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Diagnostic {
    /// How serious.
    pub severity: Severity,
    /// What kind.
    pub kind: DiagKind,
    /// Where.
    pub location: Location,
    /// What happened, for a person.
    pub message: String,
}

impl Diagnostic {
    /// A warning at a place.
    pub fn warning(kind: DiagKind, location: Location, message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Warning,
            kind,
            location,
            message: message.into(),
        }
    }

    /// An informational note at a place.
    pub fn info(kind: DiagKind, location: Location, message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Info,
            kind,
            location,
            message: message.into(),
        }
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let place = self.location.to_string();
        if place.is_empty() {
            write!(f, "{}", self.message)
        } else {
            write!(f, "{place}: {}", self.message)
        }
    }
}
