//! Operations over whole POA&Ms, independent of any file format.
//!
//! - [`rollup`]: many business units' POA&Ms into one, with unique POA&M IDs,
//!   a summary by unit, and optional merging of the same weakness.
//! - [`diff`]: what changed between two POA&Ms of one system.

pub mod diff;
pub mod rollup;

use poam_model::Item;

/// The name of an item for people: its POA&M ID, else its weakness name.
pub(crate) fn item_name(item: &Item) -> String {
    item.id
        .clone()
        .or_else(|| item.weakness_name.clone())
        .unwrap_or_else(|| "(no id)".to_string())
}

/// Where an item was read (`'Open POA&M Items' row 9`).
pub(crate) fn item_location(item: &Item) -> Option<String> {
    let o = item.origin.as_ref()?;
    Some(match (&o.sheet, o.row) {
        (Some(s), Some(r)) => format!("'{s}' row {r}"),
        (Some(s), None) => format!("'{s}'"),
        (None, Some(r)) => format!("row {r}"),
        (None, None) => o.file.clone(),
    })
}
