//! What a reader found, for `poam inspect`.

use serde::Serialize;

/// How a file was read.
#[derive(Debug, Clone, Default, Serialize)]
pub struct ReadReport {
    /// `workbook`, `csv` or `json`.
    pub format: String,
    /// The layout and version detected (`fedramp 3.0`).
    pub layout: Option<String>,
    /// Its human name.
    pub layout_name: Option<String>,
    /// Why that layout: which headers matched where.
    pub evidence: Vec<String>,
    /// Every layout that fit at all, best first, with its score.
    pub candidates: Vec<Candidate>,
    /// Each sheet of the file.
    pub sheets: Vec<SheetReport>,
}

/// A layout that fit the file.
#[derive(Debug, Clone, Serialize)]
pub struct Candidate {
    /// `fedramp 2.1`.
    pub layout: String,
    /// Higher fits better.
    pub score: i64,
}

/// One sheet of the file.
#[derive(Debug, Clone, Serialize)]
pub struct SheetReport {
    /// Sheet name.
    pub name: String,
    /// `open`, `closed`, `configuration`, or none when not read.
    pub role: Option<String>,
    /// 1-based header row.
    pub header_row: Option<u32>,
    /// Each column and the field it went to.
    pub columns: Vec<ColumnReport>,
    /// Items read from it.
    pub items: usize,
    /// Rows under the header that hold anything and were read into items
    /// (an item's own row, a continuation or milestone row).
    #[serde(default)]
    pub rows_read: usize,
    /// Rows under the header that hold something and were not read, each
    /// reported with its reason: with `rows_read`, every such row.
    #[serde(default)]
    pub rows_skipped: usize,
    /// Anything else to say.
    pub note: Option<String>,
    /// The layout's sheet it was read as, when its own name is another
    /// (renamed by its owner): where `--into` writes that sheet's items.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub read_as: Option<String>,
}

/// One column and where its cells went.
#[derive(Debug, Clone, Serialize)]
pub struct ColumnReport {
    /// Column letter.
    pub column: String,
    /// Header text as in the file.
    pub header: String,
    /// The model field, or none when kept in `extra`.
    pub field: Option<String>,
    /// How the header was matched when not by its exact text (a typo, its
    /// last words, the row under it), for a person to check.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub evidence: Option<String>,
    /// How many of its values fit the field (`9 of 10 values are dates`),
    /// among the rows loaded first.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub values: Option<String>,
    /// The field it would have gone to otherwise (its header's synonym, when
    /// its values or a better header decided), for a person to check.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub runner_up: Option<String>,
}
