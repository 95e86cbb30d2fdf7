//! What changed between two POA&Ms of one system (last month's and this
//! month's), whatever their layouts.
//!
//! Items are matched by POA&M ID (an item without one by its weakness name and
//! controls). Items that share an ID on one side are said, and paired with
//! the other side's items of that ID by content (weakness, controls, source
//! identifier, assets, detection date), else by position. An item whose ID
//! changed (a unit renumbered its items) is recognized by the same source
//! identifier, assets and detection date, or the same weakness and controls,
//! and reported as renumbered rather than as added and disappeared. An item is *added* when only NEW has it, *closed* when it was
//! open in OLD and is closed in NEW, *reopened* the other way round, and
//! *disappeared* when NEW lacks it altogether (a reviewer expects closed items
//! to move to the Closed tab, not to vanish). Every matched item also lists
//! the fields whose values changed.

use poam_layout::flat::value_text;
use poam_model::{Field, FieldKind, Item, Milestone, Poam, State, Text};
use serde::Serialize;
use std::collections::HashMap;

/// How to compare.
#[derive(Debug, Clone, Copy, Default)]
pub struct DiffOptions {
    /// Report a field that is empty on one side only. True when both files
    /// have the same layout; across layouts a field one layout lacks would
    /// otherwise show as a change on every item.
    pub compare_absent: bool,
}

/// An item as listed in a category.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ItemRef {
    /// POA&M ID (or weakness name when it has none).
    pub id: String,
    /// Weakness name.
    pub weakness: Option<Text>,
    /// Where it is in OLD.
    pub old_location: Option<String>,
    /// Where it is in NEW.
    pub new_location: Option<String>,
}

/// One field that changed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Change {
    /// Field name (`scheduled_completion`, `risk.original`, `milestones`).
    pub field: String,
    /// What a person calls it.
    pub label: String,
    /// Old value as text (empty when none).
    pub old: String,
    /// New value as text (empty when none).
    pub new: String,
    /// For dates: how many days later (negative: earlier).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub days: Option<i64>,
}

/// The changed fields of one item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ItemChanges {
    /// The item.
    #[serde(flatten)]
    pub item: ItemRef,
    /// What changed.
    pub changes: Vec<Change>,
}

/// An item whose POA&M ID changed between OLD and NEW.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Renumbered {
    /// Its ID in OLD.
    pub old_id: String,
    /// Its ID in NEW.
    pub new_id: String,
    /// Weakness name.
    pub weakness: Option<Text>,
    /// What tells it is the same item.
    pub by: String,
}

/// Counts, for the top of the report.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Counts {
    /// Items in OLD.
    pub old_items: usize,
    /// Items in NEW.
    pub new_items: usize,
    /// Items only NEW has.
    pub added: usize,
    /// Open in OLD, closed in NEW.
    pub closed: usize,
    /// Closed in OLD, open in NEW.
    pub reopened: usize,
    /// In OLD, not in NEW at all.
    pub disappeared: usize,
    /// Matched items with at least one changed field.
    pub changed: usize,
    /// Matched items with nothing changed, state included.
    pub unchanged: usize,
    /// Items whose ID changed (matched by their content).
    pub renumbered: usize,
}

impl Counts {
    /// The counts with the labels the reports show, in order.
    pub fn rows(&self) -> [(&'static str, usize); 9] {
        [
            ("Items in OLD", self.old_items),
            ("Items in NEW", self.new_items),
            ("New items", self.added),
            ("Closed since OLD", self.closed),
            ("Reopened", self.reopened),
            ("Disappeared without being closed", self.disappeared),
            ("Renumbered (same item, new ID)", self.renumbered),
            ("Items with changed fields", self.changed),
            ("Unchanged items", self.unchanged),
        ]
    }
}

/// The difference between two POA&Ms.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Diff {
    /// Counts.
    pub counts: Counts,
    /// Items only NEW has.
    pub added: Vec<ItemRef>,
    /// Items closed since OLD.
    pub closed: Vec<ItemRef>,
    /// Items reopened since OLD.
    pub reopened: Vec<ItemRef>,
    /// Items NEW lacks without having closed them.
    pub disappeared: Vec<ItemRef>,
    /// Matched items whose fields changed.
    pub changed: Vec<ItemChanges>,
    /// Items whose ID changed.
    pub renumbered: Vec<Renumbered>,
    /// IDs that more than one item holds in OLD or NEW, said so that a
    /// person checks how they were paired (`OLD: POAM-7 × 2`).
    pub duplicate_ids: Vec<String>,
}

impl Diff {
    /// True when the two POA&Ms hold the same items with the same values.
    pub fn is_identical(&self) -> bool {
        self.added.is_empty()
            && self.closed.is_empty()
            && self.reopened.is_empty()
            && self.disappeared.is_empty()
            && self.changed.is_empty()
            && self.renumbered.is_empty()
    }
}

/// The key items are matched by: the POA&M ID, or for an item without one
/// its weakness name and controls.
fn key(item: &Item) -> String {
    match item.id.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        Some(id) => format!("id:{id}"),
        None => format!(
            "w:{}|{}",
            item.weakness_name
                .as_deref()
                .unwrap_or("")
                .trim()
                .to_lowercase(),
            item.controls.join(",")
        ),
    }
}

/// How alike two items of one ID are: the weakness and controls weigh most,
/// then the source identifier, assets and detection date.
fn likeness(a: &Item, b: &Item) -> u32 {
    let same = |x: &Option<Text>, y: &Option<Text>| {
        x.as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .is_some()
            && x == y
    };
    3 * u32::from(same(&a.weakness_name, &b.weakness_name))
        + 2 * u32::from(!a.controls.is_empty() && a.controls == b.controls)
        + 2 * u32::from(same(&a.source_identifier, &b.source_identifier))
        + u32::from(!a.assets.is_empty() && a.assets == b.assets)
        + u32::from(a.detected_on.is_some() && a.detected_on == b.detected_on)
}

/// What an item is whatever its ID, for finding a renumbered one: its
/// source identifier, assets and detection date; else its weakness and
/// controls. `None` when it has neither.
fn fingerprint(item: &Item) -> Option<(String, &'static str)> {
    let text = |v: &Option<Text>| v.as_deref().map(str::trim).unwrap_or("").to_lowercase();
    let source = text(&item.source_identifier);
    if !source.is_empty() {
        return Some((
            format!(
                "s:{source}|{}|{:?}",
                item.assets.join(",").to_lowercase(),
                item.detected_on
            ),
            "same source identifier, assets and detection date",
        ));
    }
    let weakness = text(&item.weakness_name);
    (!weakness.is_empty()).then(|| {
        (
            format!("w:{weakness}|{}", item.controls.join(",")),
            "same weakness and controls",
        )
    })
}

/// An OLD item's index, the NEW item's it is paired with, and how it was
/// recognized when renumbered.
type Pair = (usize, usize, Option<&'static str>);

/// Pairs OLD's items with NEW's: by key, the items of a shared key by
/// likeness (else position); then, among those left, renumbered items by
/// fingerprint. Returns (old index, new index, how, when renumbered).
fn pair(old: &Poam, new: &Poam) -> (Vec<Pair>, Vec<String>) {
    let mut old_by_key: HashMap<String, Vec<usize>> = HashMap::new();
    for (i, item) in old.items.iter().enumerate() {
        old_by_key.entry(key(item)).or_default().push(i);
    }
    let mut new_by_key: HashMap<String, Vec<usize>> = HashMap::new();
    for (i, item) in new.items.iter().enumerate() {
        new_by_key.entry(key(item)).or_default().push(i);
    }
    let mut duplicates = Vec::new();
    for (side, by_key) in [("OLD", &old_by_key), ("NEW", &new_by_key)] {
        let mut dups: Vec<String> = by_key
            .iter()
            .filter(|(k, v)| k.starts_with("id:") && v.len() > 1)
            .map(|(k, v)| format!("{side}: {} × {}", &k[3..], v.len()))
            .collect();
        dups.sort();
        duplicates.extend(dups);
    }
    let mut pairs = Vec::new();
    let mut old_taken = vec![false; old.items.len()];
    let mut new_taken = vec![false; new.items.len()];
    for (j, item) in new.items.iter().enumerate() {
        let Some(candidates) = old_by_key.get(&key(item)) else {
            continue;
        };
        // The most alike of the OLD items of this key still free; the first
        // on a tie (position).
        let best = candidates
            .iter()
            .copied()
            .filter(|i| !old_taken[*i])
            .max_by_key(|i| (likeness(&old.items[*i], item), std::cmp::Reverse(*i)));
        if let Some(i) = best {
            old_taken[i] = true;
            new_taken[j] = true;
            pairs.push((i, j, None));
        }
    }
    // Renumbered: what is left on both sides, by fingerprint.
    let mut left: HashMap<String, Vec<usize>> = HashMap::new();
    for (i, item) in old.items.iter().enumerate() {
        if !old_taken[i] && item.id.is_some() {
            if let Some((f, _)) = fingerprint(item) {
                left.entry(f).or_default().push(i);
            }
        }
    }
    for (j, item) in new.items.iter().enumerate() {
        if new_taken[j] || item.id.is_none() {
            continue;
        }
        let Some((f, how)) = fingerprint(item) else {
            continue;
        };
        if let Some(list) = left.get_mut(&f) {
            if !list.is_empty() {
                let i = list.remove(0);
                old_taken[i] = true;
                new_taken[j] = true;
                pairs.push((i, j, Some(how)));
            }
        }
    }
    pairs.sort_by_key(|(_, j, _)| *j);
    (pairs, duplicates)
}

fn item_ref(old: Option<&Item>, new: Option<&Item>) -> ItemRef {
    let either = new.or(old).expect("one side");
    ItemRef {
        id: either.display_name(),
        weakness: either.weakness_name.clone(),
        old_location: old.and_then(Item::location_text),
        new_location: new.and_then(Item::location_text),
    }
}

/// Compares OLD with NEW.
pub fn diff(old: &Poam, new: &Poam, opts: &DiffOptions) -> Diff {
    let (pairs, duplicate_ids) = pair(old, new);
    let mut out = Diff {
        duplicate_ids,
        ..Diff::default()
    };
    let mut old_paired = vec![false; old.items.len()];
    let mut new_paired = vec![false; new.items.len()];
    for &(i, j, _) in &pairs {
        old_paired[i] = true;
        new_paired[j] = true;
    }
    let mut pairs = pairs.into_iter();
    for (j, n) in new.items.iter().enumerate() {
        if !new_paired[j] {
            out.added.push(item_ref(None, Some(n)));
            continue;
        }
        let Some((i, _, renumbered)) = pairs.next() else {
            continue;
        };
        let o = &old.items[i];
        if let Some(by) = renumbered {
            out.renumbered.push(Renumbered {
                old_id: o.display_name(),
                new_id: n.display_name(),
                weakness: n.weakness_name.clone(),
                by: by.to_string(),
            });
        }
        match (o.state, n.state) {
            (State::Open, State::Closed) => out.closed.push(item_ref(Some(o), Some(n))),
            (State::Closed, State::Open) => out.reopened.push(item_ref(Some(o), Some(n))),
            _ => {}
        }
        let mut changes = item_changes(o, n, opts);
        // The new ID is said under renumbered, not as a change of every item.
        if renumbered.is_some() {
            changes.retain(|c| c.field != Field::Id.name());
        }
        if changes.is_empty() {
            if o.state == n.state {
                out.counts.unchanged += 1;
            }
        } else {
            out.changed.push(ItemChanges {
                item: item_ref(Some(o), Some(n)),
                changes,
            });
        }
    }
    for (i, o) in old.items.iter().enumerate() {
        if !old_paired[i] {
            out.disappeared.push(item_ref(Some(o), None));
        }
    }
    out.counts.old_items = old.items.len();
    out.counts.new_items = new.items.len();
    out.counts.added = out.added.len();
    out.counts.closed = out.closed.len();
    out.counts.reopened = out.reopened.len();
    out.counts.disappeared = out.disappeared.len();
    out.counts.changed = out.changed.len();
    out.counts.renumbered = out.renumbered.len();
    out
}

/// The fields of two matched items that differ.
fn item_changes(old: &Item, new: &Item, opts: &DiffOptions) -> Vec<Change> {
    let mut out = Vec::new();
    for &field in Field::ALL {
        if matches!(
            field.kind(),
            FieldKind::MilestonePart | FieldKind::Milestones
        ) || field == Field::Id
        {
            continue;
        }
        let a = value_text(&old.get(field));
        let b = value_text(&new.get(field));
        if a == b || (!opts.compare_absent && (a.is_empty() || b.is_empty())) {
            continue;
        }
        let days = match field.kind() {
            FieldKind::Date => match (date(old, field), date(new, field)) {
                (Some(x), Some(y)) => Some((y - x).num_days()),
                _ => None,
            },
            _ => None,
        };
        out.push(Change {
            field: field.name().to_string(),
            label: field.label().to_string(),
            old: a,
            new: b,
            days,
        });
    }
    milestone_changes(&old.milestones, &new.milestones, opts, &mut out);
    out
}

fn date(item: &Item, field: Field) -> Option<chrono::NaiveDate> {
    match item.get(field) {
        poam_model::field::Value::Date(d) => Some(d),
        _ => None,
    }
}

fn milestone_text(m: &Milestone) -> String {
    let mut parts = vec![m.description.trim().to_string()];
    if let Some(d) = m.due {
        parts.push(format!("due {d}"));
    }
    if let Some(s) = m.status {
        parts.push(s.label().to_string());
    }
    if let Some(d) = m.completed_on {
        parts.push(format!("completed {d}"));
    }
    parts.join(", ")
}

/// Milestones added, changed (same description, other date or status) and removed.
fn milestone_changes(
    old: &[Milestone],
    new: &[Milestone],
    opts: &DiffOptions,
    out: &mut Vec<Change>,
) {
    let norm = |m: &Milestone| {
        m.description
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
            .to_lowercase()
    };
    let find = |list: &[Milestone], m: &Milestone| -> Option<usize> {
        // The same milestone id, else the same description.
        list.iter()
            .position(|x| m.id.is_some() && x.id == m.id)
            .or_else(|| list.iter().position(|x| norm(x) == norm(m)))
    };
    for m in new {
        match find(old, m) {
            None => out.push(Change {
                field: "milestones".into(),
                label: "Milestone added".into(),
                old: String::new(),
                new: milestone_text(m),
                days: None,
            }),
            Some(i) => {
                let o = &old[i];
                let same = o.due == m.due
                    && o.status == m.status
                    && o.completed_on == m.completed_on
                    && norm(o) == norm(m);
                if !same {
                    out.push(Change {
                        field: "milestones".into(),
                        label: "Milestone changed".into(),
                        old: milestone_text(o),
                        new: milestone_text(m),
                        days: match (o.due, m.due) {
                            (Some(x), Some(y)) if x != y => Some((y - x).num_days()),
                            _ => None,
                        },
                    });
                }
            }
        }
    }
    if opts.compare_absent || !new.is_empty() {
        for m in old {
            if find(new, m).is_none() {
                out.push(Change {
                    field: "milestones".into(),
                    label: "Milestone removed".into(),
                    old: milestone_text(m),
                    new: String::new(),
                    days: None,
                });
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;
    use poam_model::Rating;

    fn item(id: &str, state: State) -> Item {
        Item {
            id: Some(id.into()),
            state,
            weakness_name: Some(format!("weakness {id}").into()),
            scheduled_completion: NaiveDate::from_ymd_opt(2025, 1, 31),
            ..Item::default()
        }
    }

    #[test]
    fn categories_and_changes() {
        let old = Poam {
            items: vec![
                item("A", State::Open),
                item("B", State::Open),
                item("C", State::Closed),
                item("D", State::Open),
                item("E", State::Open),
            ],
            ..Poam::default()
        };
        let mut e = item("E", State::Open);
        e.scheduled_completion = NaiveDate::from_ymd_opt(2025, 3, 2);
        e.risk.original = Some(Rating::High);
        let new = Poam {
            items: vec![
                item("A", State::Open),
                item("B", State::Closed),
                item("C", State::Open),
                e,
                item("F", State::Open),
            ],
            ..Poam::default()
        };
        let d = diff(
            &old,
            &new,
            &DiffOptions {
                compare_absent: true,
            },
        );
        let ids = |l: &[ItemRef]| l.iter().map(|r| r.id.clone()).collect::<Vec<_>>();
        assert_eq!(ids(&d.added), ["F"]);
        assert_eq!(ids(&d.closed), ["B"]);
        assert_eq!(ids(&d.reopened), ["C"]);
        assert_eq!(ids(&d.disappeared), ["D"]);
        let e = d.changed.iter().find(|c| c.item.id == "E").unwrap();
        let moved = e
            .changes
            .iter()
            .find(|c| c.field == "scheduled_completion")
            .unwrap();
        assert_eq!(moved.days, Some(30));
        assert!(e
            .changes
            .iter()
            .any(|c| c.field == "risk.original" && c.new == "High"));
        assert_eq!(d.counts.unchanged, 1, "A");
        assert!(!d.is_identical());
        assert!(diff(&old, &old, &DiffOptions::default()).is_identical());
    }
}
