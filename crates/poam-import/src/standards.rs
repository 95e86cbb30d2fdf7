//! The framework of each requirement id from the row itself: a "Standard" /
//! "Framework" column (`quality.standard`) decides which framework an id
//! belongs to, instead of the id's shape (4.1 is an ISO 9001 clause in one
//! row and an ISO/IEC 27001 clause in another; 8.7.1 is an ISO 9001 clause,
//! 3.8.4 an SP 800-171 requirement). Applied once the whole file is read,
//! so the column may come before or after the ids.

use crate::Imported;
use poam_layout::catalog::Framework;
use poam_model::diag::{DiagKind, Diagnostic, Location};
use poam_model::{Item, OtherControl, Text};

/// Whether a Standard cell names a NIST or CMMC catalog, whose ids the
/// reader already reads by their shape.
fn names_nist(text: &str) -> bool {
    let t = poam_layout::mapping::squash(text);
    ["nist", "80053", "800171", "cmmc", "dfars", "fedramp", "cui"]
        .iter()
        .any(|w| t.contains(w))
}

fn location(file: &str, item: &Item) -> Location {
    match item.origin.as_ref() {
        Some(o) => match (o.sheet.as_deref(), o.row) {
            (Some(sheet), Some(row)) => Location::row(file, sheet, row),
            _ => Location::file(file),
        },
        None => Location::file(file),
    }
}

/// Adds an id of another framework once.
fn add_other(item: &mut Item, framework: &str, id: String) {
    let o = OtherControl {
        framework: framework.to_string(),
        id,
    };
    if !item.other_controls.contains(&o) {
        item.other_controls.push(o);
    }
}

/// Re-reads each item's ids under the framework its Standard cell names.
pub(crate) fn apply(imported: &mut Imported, file: &str, user: &[Framework]) {
    let builtin = poam_layout::catalog::catalogs().frameworks();
    let all: Vec<&Framework> = user.iter().chain(builtin).collect();
    let mut notes = Vec::new();
    let mut resolved: Vec<(Option<u32>, String)> = Vec::new();
    for item in &mut imported.poam.items {
        let Some(standard) = item
            .quality
            .standard
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_string)
        else {
            continue;
        };
        let Some(f) = all.iter().find(|f| f.is_named_by(&standard)) else {
            if !names_nist(&standard) {
                notes.push(Diagnostic::new(
                    DiagKind::ControlAssumption {
                        note: format!(
                            "Standard \"{standard}\" is not a framework poam knows; the row's ids are read by their shape (give --framework FILE for it)"
                        ),
                    },
                    location(file, item),
                ));
            }
            continue;
        };
        let mut moved: Vec<String> = Vec::new();
        // Ids another framework's pattern took first.
        for o in &mut item.other_controls {
            if o.framework != f.name {
                if let Some(id) = f.parse_named(&o.id) {
                    moved.push(o.id.clone());
                    o.framework = f.name.clone();
                    o.id = id;
                }
            }
        }
        // Ids no pattern took (ISO 9001's four-level clauses before).
        let mut kept = Vec::new();
        for raw in std::mem::take(&mut item.unparsed_controls) {
            match f.parse_named(&raw) {
                Some(id) => {
                    add_other(item, &f.name, id);
                    resolved.push((item.origin.as_ref().and_then(|o| o.row), raw.to_string()));
                    moved.push(raw.to_string());
                }
                None => kept.push(raw),
            }
        }
        item.unparsed_controls = kept;
        // Ids read as NIST controls by their shape in a row whose Standard
        // is not NIST's.
        let mut nist: Vec<Text> = Vec::new();
        for c in std::mem::take(&mut item.controls) {
            match f.parse_named(&c) {
                Some(id) => {
                    add_other(item, &f.name, id);
                    moved.push(c.to_string());
                }
                None => nist.push(c),
            }
        }
        item.controls = nist;
        if !moved.is_empty() {
            notes.push(Diagnostic::new(
                DiagKind::ControlAssumption {
                    note: format!(
                        "{}: {} read as {} ids, as the row's Standard \"{standard}\" says",
                        item.display_name(),
                        moved.join(", "),
                        f.title
                    ),
                },
                location(file, item),
            ));
        }
    }
    // A doubt the Standard settled is no longer one.
    imported.diagnostics.retain(|d| {
        !matches!(&d.kind, DiagKind::UnparsedControl { raw }
            if resolved.iter().any(|(row, r)| r == raw && *row == d.location.row))
    });
    imported.diagnostics.extend(notes);
}
