//! Many business units' POA&Ms rolled up into one.
//!
//! Every item keeps its business unit (`business_unit`, which the caller sets
//! from the folder, the file, the sheet or a column). POA&M IDs stay unique by
//! one rule: **when two or more units used the same POA&M ID, each of those
//! items gets the ID `UNIT-ID`** (the unit name, a hyphen, the original ID);
//! the original ID is kept in `extra` under `Original POA&M ID`. IDs used by
//! one unit only are kept as they are.
//!
//! With `dedupe`, items of different units with the same source identifier
//! (plugin id, STIG vulnerability id) and the same controls are one weakness:
//! the first is kept with the assets and units of all, and the merge is
//! reported.

use chrono::NaiveDate;
use poam_model::{format_compact, Item, Poam, Rating, State, SystemInfo, Text};
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// Header under which a renamed item keeps its original POA&M ID.
pub const ORIGINAL_ID: &str = "Original POA&M ID";
/// Header under which a merged item lists the POA&M IDs merged into it.
pub const MERGED_IDS: &str = "Merged POA&M IDs";

/// How to roll up.
#[derive(Debug, Clone)]
pub struct RollupOptions {
    /// Merge the same weakness reported by several units.
    pub dedupe: bool,
    /// The date that decides what is overdue in the summary.
    pub as_of: NaiveDate,
}

/// One unit's line of the summary.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct UnitSummary {
    /// The business unit.
    pub unit: String,
    /// Open items.
    pub open: usize,
    /// Closed items.
    pub closed: usize,
    /// Open items past their scheduled completion on the as-of date.
    pub overdue: usize,
    /// Open items by rating (the adjusted rating where there is one).
    pub by_rating: BTreeMap<Rating, usize>,
    /// Open items with no rating.
    pub not_rated: usize,
}

impl UnitSummary {
    /// Open items with any of these ratings.
    pub fn rated(&self, ratings: &[Rating]) -> usize {
        ratings
            .iter()
            .map(|r| self.by_rating.get(r).copied().unwrap_or(0))
            .sum()
    }
}

/// The summary by unit as a table (header row first), as the roll-up
/// workbook's "Summary by Unit" sheet and the terminal show it: Very High
/// counts with Critical, Very Low with Low.
pub fn unit_table(units: &[UnitSummary]) -> Vec<Vec<String>> {
    let mut rows = vec![[
        "Business unit",
        "Open",
        "Overdue",
        "Closed",
        "Critical",
        "High",
        "Moderate",
        "Low",
        "Not rated",
    ]
    .map(String::from)
    .to_vec()];
    for u in units {
        rows.push(vec![
            u.unit.clone(),
            u.open.to_string(),
            u.overdue.to_string(),
            u.closed.to_string(),
            u.rated(&[Rating::Critical, Rating::VeryHigh]).to_string(),
            u.rated(&[Rating::High]).to_string(),
            u.rated(&[Rating::Moderate]).to_string(),
            u.rated(&[Rating::Low, Rating::VeryLow]).to_string(),
            u.not_rated.to_string(),
        ]);
    }
    rows
}

/// An item whose POA&M ID was changed to keep IDs unique.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Renamed {
    /// The unit.
    pub unit: String,
    /// The ID in the unit's file.
    pub from: String,
    /// The ID in the roll-up.
    pub to: String,
}

/// Items merged into one by `dedupe`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Merged {
    /// The item kept.
    pub kept: String,
    /// The items merged into it.
    pub merged: Vec<String>,
    /// The units involved.
    pub units: Vec<String>,
    /// The source identifier they share.
    pub source_identifier: String,
    /// The controls they share.
    pub controls: Vec<String>,
}

/// The result of a roll-up.
#[derive(Debug, Clone, Default)]
pub struct Rollup {
    /// All items in one POA&M.
    pub poam: Poam,
    /// The summary by unit, in the order the units came.
    pub units: Vec<UnitSummary>,
    /// IDs changed to keep them unique.
    pub renamed: Vec<Renamed>,
    /// Items merged by `dedupe`.
    pub merged: Vec<Merged>,
}

fn unit_of(item: &Item) -> String {
    item.business_unit
        .as_deref()
        .unwrap_or("(no unit)")
        .to_string()
}

/// Rolls up the POA&Ms of several units; every item should carry its
/// `business_unit` already.
pub fn rollup(parts: Vec<Poam>, opts: &RollupOptions) -> Rollup {
    let mut system = SystemInfo::default();
    let mut impact: BTreeSet<String> = BTreeSet::new();
    let mut organizations: BTreeSet<String> = BTreeSet::new();
    let mut markings: BTreeSet<String> = BTreeSet::new();
    let mut items: Vec<Item> = Vec::new();
    // Which input each item came from.
    let mut part_of: Vec<usize> = Vec::new();
    for (p, part) in parts.into_iter().enumerate() {
        part_of.extend(std::iter::repeat_n(p, part.items.len()));
        if let Some(o) = &part.system.organization {
            organizations.insert(o.clone());
        }
        if let Some(m) = &part.system.marking {
            markings.insert(m.clone());
        }
        if let Some(l) = &part.system.impact_level {
            impact.insert(l.clone());
        }
        system.poam_date = system.poam_date.max(part.system.poam_date);
        items.extend(part.items);
    }
    // A header field the units agree on is the roll-up's; one they differ
    // on is left blank rather than taken from one unit.
    if impact.len() == 1 {
        system.impact_level = impact.into_iter().next();
    }
    if organizations.len() == 1 {
        system.organization = organizations.into_iter().next();
    }
    // The units' marking, when they carry one (`--marking` sets it when
    // they differ).
    if markings.len() == 1 {
        system.marking = markings.into_iter().next();
    }
    let mut out = Rollup::default();
    // Unique IDs: which inputs use each ID (two units, or two files of one
    // unit; duplicates inside one file are the file's own, for validate).
    let mut users: HashMap<Text, BTreeSet<usize>> = HashMap::new();
    for (item, part) in items.iter().zip(&part_of) {
        if let Some(id) = &item.id {
            users.entry(id.clone()).or_default().insert(*part);
        }
    }
    let mut taken: BTreeSet<Text> = items.iter().filter_map(|i| i.id.clone()).collect();
    for item in &mut items {
        let Some(id) = item.id.clone() else { continue };
        if users.get(&id).is_some_and(|u| u.len() > 1) {
            let unit = unit_of(item);
            let mut new_id = format_compact!("{unit}-{id}");
            let mut n = 2;
            while taken.contains(&new_id) {
                new_id = format_compact!("{unit}-{id}-{n}");
                n += 1;
            }
            taken.insert(new_id.clone());
            item.extra.insert(ORIGINAL_ID.into(), id.clone());
            out.renamed.push(Renamed {
                unit,
                from: id.to_string(),
                to: new_id.to_string(),
            });
            item.id = Some(new_id);
        }
    }
    // Units in the order their inputs came.
    let mut order: Vec<String> = Vec::new();
    for item in &items {
        let unit = unit_of(item);
        if !order.contains(&unit) {
            order.push(unit);
        }
    }
    if opts.dedupe {
        items = dedupe(items, &mut out.merged);
    }
    out.units = summarize(&items, opts.as_of, &order);
    system.name = Some(format!("Roll-up of {} business unit(s)", out.units.len()));
    out.poam = Poam { system, items };
    out
}

/// The summary by unit of items that carry their `business_unit` (a merged
/// item counts for each of its units), in the order of `order`, then any
/// other unit in the order first seen.
pub fn summarize(items: &[Item], as_of: NaiveDate, order: &[String]) -> Vec<UnitSummary> {
    let mut order: Vec<String> = order.to_vec();
    let mut by_unit: HashMap<String, UnitSummary> = HashMap::new();
    for item in items {
        for unit in item_units(item) {
            if !order.contains(&unit) {
                order.push(unit.clone());
            }
            let s = by_unit.entry(unit.clone()).or_insert_with(|| UnitSummary {
                unit,
                ..UnitSummary::default()
            });
            match item.state {
                State::Closed => s.closed += 1,
                State::Open => {
                    s.open += 1;
                    if item.scheduled_completion.is_some_and(|d| d < as_of) {
                        s.overdue += 1;
                    }
                    match item.effective_rating() {
                        Some(r) => *s.by_rating.entry(r).or_default() += 1,
                        None => s.not_rated += 1,
                    }
                }
            }
        }
    }
    order
        .into_iter()
        .filter_map(|u| by_unit.remove(&u))
        .collect()
}

/// The units of an item (a merged item has several, `A; B`).
fn item_units(item: &Item) -> Vec<String> {
    unit_of(item).split("; ").map(String::from).collect()
}

/// What makes reports of several units one weakness: the source
/// identifier, the controls and the original detection date (FedRAMP: one
/// item per vulnerability and detection date, so reports first seen on
/// different days stay apart).
type DedupeKey = (String, Vec<Text>, Option<NaiveDate>);

fn dedupe(items: Vec<Item>, merged: &mut Vec<Merged>) -> Vec<Item> {
    let key = |i: &Item| -> Option<DedupeKey> {
        let source = i.source_identifier.as_deref()?.trim().to_lowercase();
        if source.is_empty() || i.controls.is_empty() {
            return None;
        }
        let mut controls = i.controls.clone();
        controls.sort();
        Some((source, controls, i.detected_on))
    };
    // Group by key; merge only groups that span units.
    let mut groups: HashMap<DedupeKey, Vec<usize>> = HashMap::new();
    for (n, item) in items.iter().enumerate() {
        if let Some(k) = key(item) {
            groups.entry(k).or_default().push(n);
        }
    }
    let mut into: HashMap<usize, usize> = HashMap::new();
    for members in groups.values() {
        let units: BTreeSet<String> = members.iter().map(|&n| unit_of(&items[n])).collect();
        if members.len() > 1 && units.len() > 1 {
            for &n in &members[1..] {
                into.insert(n, members[0]);
            }
        }
    }
    if into.is_empty() {
        return items;
    }
    let mut slots: Vec<Option<Item>> = items.into_iter().map(Some).collect();
    let mut record: BTreeMap<usize, Merged> = BTreeMap::new();
    let mut sources: Vec<(usize, usize)> = into.iter().map(|(&a, &b)| (a, b)).collect();
    sources.sort_unstable();
    for (from, to) in sources {
        let Some(gone) = slots[from].take() else {
            continue;
        };
        let Some(kept) = slots[to].as_mut() else {
            continue;
        };
        let entry = record.entry(to).or_insert_with(|| Merged {
            kept: kept.display_name(),
            merged: Vec::new(),
            units: vec![unit_of(kept)],
            source_identifier: kept
                .source_identifier
                .as_deref()
                .unwrap_or_default()
                .to_string(),
            controls: kept.controls.iter().map(|c| c.to_string()).collect(),
        });
        entry.merged.push(gone.display_name());
        let unit = unit_of(&gone);
        if !entry.units.contains(&unit) {
            entry.units.push(unit);
        }
        for a in gone.assets {
            if !kept.assets.contains(&a) {
                kept.assets.push(a);
            }
        }
        // The merged item stays open while any of its reports is open.
        if gone.state == State::Open {
            kept.state = State::Open;
        }
        kept.scheduled_completion = match (kept.scheduled_completion, gone.scheduled_completion) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
    }
    for (to, m) in &record {
        if let Some(kept) = slots[*to].as_mut() {
            kept.business_unit = Some(m.units.join("; ").into());
            kept.extra
                .insert(MERGED_IDS.into(), m.merged.join("; ").into());
        }
    }
    merged.extend(record.into_values());
    slots.into_iter().flatten().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item(unit: &str, id: &str, source: &str, asset: &str) -> Item {
        Item {
            id: Some(id.into()),
            business_unit: Some(unit.into()),
            source_identifier: Some(source.into()),
            controls: vec!["SI-2".into()],
            assets: vec![asset.into()],
            risk: poam_model::Risk {
                original: Some(Rating::High),
                ..Default::default()
            },
            scheduled_completion: NaiveDate::from_ymd_opt(2024, 1, 31),
            ..Item::default()
        }
    }

    fn opts(dedupe: bool) -> RollupOptions {
        RollupOptions {
            dedupe,
            as_of: NaiveDate::from_ymd_opt(2024, 6, 1).unwrap(),
        }
    }

    #[test]
    fn ids_stay_unique_and_units_are_summed() {
        let a = Poam {
            items: vec![
                item("east", "V-1", "19506", "a1"),
                item("east", "V-2", "1", "a2"),
            ],
            ..Poam::default()
        };
        let b = Poam {
            items: vec![item("west", "V-1", "19506", "b1")],
            ..Poam::default()
        };
        let r = rollup(vec![a.clone(), b.clone()], &opts(false));
        let ids: Vec<_> = r.poam.items.iter().map(|i| i.id.clone().unwrap()).collect();
        assert_eq!(ids, ["east-V-1", "V-2", "west-V-1"]);
        assert_eq!(r.poam.items[0].extra[ORIGINAL_ID], "V-1");
        assert_eq!(r.renamed.len(), 2);
        assert_eq!(r.units.len(), 2);
        assert_eq!(r.units[0].open, 2);
        assert_eq!(r.units[0].overdue, 2);
        assert_eq!(r.units[0].by_rating[&Rating::High], 2);
        assert_eq!(unit_table(&r.units)[1][5], "2");

        let r = rollup(vec![a, b], &opts(true));
        assert_eq!(r.poam.items.len(), 2);
        assert_eq!(r.poam.items[0].assets, ["a1", "b1"]);
        assert_eq!(r.poam.items[0].business_unit.as_deref(), Some("east; west"));
        assert_eq!(r.merged[0].merged, ["west-V-1"]);
        assert_eq!(r.units[1].unit, "west");
        assert_eq!(r.units[1].open, 1);
    }

    #[test]
    fn reports_of_different_detection_dates_are_not_merged() {
        let on = |mut i: Item, day: u32| {
            i.detected_on = NaiveDate::from_ymd_opt(2024, 1, day);
            i
        };
        let units = |east: u32, west: u32| {
            vec![
                Poam {
                    items: vec![on(item("east", "V-1", "19506", "a1"), east)],
                    ..Poam::default()
                },
                Poam {
                    items: vec![on(item("west", "V-1", "19506", "b1"), west)],
                    ..Poam::default()
                },
            ]
        };
        assert_eq!(rollup(units(5, 5), &opts(true)).poam.items.len(), 1);
        let r = rollup(units(5, 19), &opts(true));
        assert_eq!(r.poam.items.len(), 2, "first seen on different days");
        assert!(r.merged.is_empty());
    }
}
