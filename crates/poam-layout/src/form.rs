//! Forms poamkit fills besides POA&Ms, as data: FedRAMP's Vulnerability
//! Deviation Request form (`templates/forms/fedramp-deviation-request.toml`).

use serde::Deserialize;
use std::collections::BTreeMap;
use std::sync::OnceLock;

/// A form: one sheet of a header block and a table, and the sheet of its
/// drop-down lists.
#[derive(Debug, Clone, Deserialize)]
pub struct Form {
    /// The title in the first cell.
    pub title: String,
    /// The sheet of the table.
    pub sheet: String,
    /// The sheet holding the drop-down lists.
    pub dictionary_sheet: String,
    /// 1-based row of the column groups' labels.
    pub group_row: u32,
    /// 1-based row of the column headers.
    pub header_row: u32,
    /// 1-based row of the guidance under the headers.
    pub guidance_row: u32,
    /// 1-based row of the first request.
    pub first_row: u32,
    /// The system block: a label and, under it, its value.
    pub system: Vec<FormCell>,
    /// Groups of columns with a label over them.
    pub group: Vec<FormGroup>,
    /// The table's columns, in order.
    pub column: Vec<FormColumn>,
    /// Drop-down lists by name.
    pub lists: BTreeMap<String, Vec<String>>,
}

/// A labelled cell of the header block.
#[derive(Debug, Clone, Deserialize)]
pub struct FormCell {
    /// The label's cell (`A2`); the value goes under it.
    pub cell: String,
    /// The label.
    pub label: String,
    /// What fills it.
    pub value: String,
}

/// Columns with one label over them.
#[derive(Debug, Clone, Deserialize)]
pub struct FormGroup {
    /// First column's letters.
    pub from: String,
    /// Last column's letters.
    pub to: String,
    /// The label.
    pub label: String,
}

/// A column of the table.
#[derive(Debug, Clone, Deserialize)]
pub struct FormColumn {
    /// Its letters (`AB`).
    pub letter: String,
    /// Its header, as the form writes it.
    pub header: String,
    /// What fills it from an item, if anything.
    #[serde(default)]
    pub value: Option<String>,
    /// The drop-down list it takes its values from, if any.
    #[serde(default)]
    pub list: Option<String>,
}

/// FedRAMP's Vulnerability Deviation Request form.
///
/// # Panics
///
/// Never at run time: the built-in form is checked by a test.
pub fn deviation_request_form() -> &'static Form {
    static FORM: OnceLock<Form> = OnceLock::new();
    FORM.get_or_init(|| {
        toml::from_str(include_str!(
            "../../../templates/forms/fedramp-deviation-request.toml"
        ))
        .expect("the built-in deviation request form is valid")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_deviation_form_reads_and_its_lists_exist() {
        let form = deviation_request_form();
        assert_eq!(form.sheet, "DR Sheet");
        assert_eq!(form.column.len(), 57, "A to BE");
        assert_eq!(form.column[1].header, "POA&M ID");
        for c in &form.column {
            if let Some(l) = &c.list {
                assert!(form.lists.contains_key(l), "{l}");
            }
        }
    }
}
