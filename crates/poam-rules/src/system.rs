//! The business rules of a system that takes POA&M uploads (eMASS), as data
//! (`templates/rules/<family>.toml`): the fields each status needs or
//! forbids, statuses that cannot be created, dates that cannot be in the
//! future, milestones within the item's schedule, character limits.

use crate::{Finding, Level};
use chrono::NaiveDate;
use poam_layout::Layout;
use poam_model::field::Value;
use poam_model::{Field, Item, Poam, Status};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::sync::OnceLock;

/// A system's rules, as its file says them.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SystemRules {
    /// The system's name in messages (`eMASS`).
    pub system: String,
    /// What every item needs.
    #[serde(default)]
    pub every: StatusRule,
    /// What each status needs, by its word (`Ongoing`, `Risk Accepted`).
    #[serde(default)]
    pub status: BTreeMap<String, StatusRule>,
    /// Milestone rules.
    #[serde(default)]
    pub milestones: MilestoneRules,
    /// Characters at most, by field name (`milestone.description` for each
    /// milestone's description).
    #[serde(default)]
    pub max_chars: BTreeMap<String, usize>,
}

/// What items of one status need and may not have.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StatusRule {
    /// Fields that must hold a value.
    #[serde(default)]
    pub needs: Vec<String>,
    /// Fields that must be empty.
    #[serde(default)]
    pub forbids: Vec<String>,
    /// Date fields that cannot be after the day of the check.
    #[serde(default)]
    pub not_in_future: Vec<String>,
    /// Why items in this status cannot be created at all, if so.
    #[serde(default)]
    pub refused: Option<String>,
    /// For a status the system does not have: the status of its own that
    /// the item is written as (and checked as), and why.
    #[serde(default)]
    pub written_as: Option<(String, String)>,
}

/// See [`SystemRules::milestones`].
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MilestoneRules {
    /// No milestone due after the item's scheduled completion date.
    #[serde(default)]
    pub within_schedule: bool,
}

const BUILTIN: &[(&str, &str)] = &[("emass", include_str!("../../../templates/rules/emass.toml"))];

/// The built-in rules of a layout family's system (`emass`), if it has any.
pub fn for_family(family: &str) -> Option<&'static SystemRules> {
    static RULES: OnceLock<Vec<(&'static str, SystemRules)>> = OnceLock::new();
    let all = RULES.get_or_init(|| {
        BUILTIN
            .iter()
            .map(|(family, text)| {
                // Checked by the tests below: a broken file is a build defect.
                let rules: SystemRules = toml::from_str(text)
                    .unwrap_or_else(|e| panic!("templates/rules/{family}.toml: {e}"));
                (*family, rules)
            })
            .collect()
    });
    all.iter()
        .find(|(f, _)| f.eq_ignore_ascii_case(family))
        .map(|(_, r)| r)
}

impl SystemRules {
    /// The findings of every item against these rules on `as_of`, fields
    /// named by the headers of `layout` where it has them.
    pub fn check(&self, poam: &Poam, as_of: NaiveDate, layout: Option<&Layout>) -> Vec<Finding> {
        let mut out = Vec::new();
        for item in &poam.items {
            self.check_item(item, as_of, layout, &mut out);
        }
        out
    }

    fn status_rule(&self, status: Status) -> Option<&StatusRule> {
        self.status
            .iter()
            .find(|(word, _)| Status::parse(word) == Some(status))
            .map(|(_, r)| r)
    }

    /// The findings of one item, added to `out`.
    pub fn check_item(
        &self,
        item: &Item,
        as_of: NaiveDate,
        layout: Option<&Layout>,
        out: &mut Vec<Finding>,
    ) {
        let name = item.display_name();
        // A field in the template's words.
        let label = |field: Field| {
            layout
                .and_then(|l| l.header_of(field))
                .unwrap_or(field.label())
                .to_string()
        };
        let system = &self.system;
        let mut rule = item.status.and_then(|s| self.status_rule(s));
        let mut status = item.status.map(Status::label).unwrap_or_default();
        if let Some((word, why)) = rule.and_then(|r| r.written_as.as_ref()) {
            out.push(crate::validate::finding(
                item,
                "status-not-in-system",
                Level::Warning,
                format!("{name} is {status}, which {system} does not have: it is written as {word} ({why})"),
                &[],
            ));
            let own = Status::parse(word);
            rule = own.and_then(|s| self.status_rule(s));
            status = own.map(Status::label).unwrap_or_default();
        }
        if let (Some(why), Some(_)) = (rule.and_then(|r| r.refused.as_ref()), item.status) {
            out.push(crate::validate::finding(
                item,
                "status-refused",
                Level::Error,
                format!("{name} is {status}: {why}"),
                &[],
            ));
            return;
        }
        let has = |field: Field| !blank(item, field);
        for (field, needed_by) in self.every.needs.iter().map(|f| (f, None)).chain(
            rule.into_iter()
                .flat_map(|r| r.needs.iter().map(|f| (f, Some(status)))),
        ) {
            let Some(field) = Field::from_name(field) else {
                continue;
            };
            if has(field) {
                continue;
            }
            let (id, message) = match (field, needed_by) {
                (Field::Milestones, Some(s)) => (
                    "milestone-missing",
                    format!("{name} is {s} but has no milestone; {system} needs at least one"),
                ),
                (_, Some(s)) => (
                    "status-needs",
                    format!(
                        "{name} is {s} and has no '{}'; {system} needs one on {s} items",
                        label(field)
                    ),
                ),
                (_, None) => (
                    "status-needs",
                    format!(
                        "{name} has no '{}'; {system} needs one on every item",
                        label(field)
                    ),
                ),
            };
            out.push(crate::validate::finding(
                item,
                id,
                Level::Error,
                message,
                &[],
            ));
        }
        for field in rule.into_iter().flat_map(|r| &r.forbids) {
            let Some(field) = Field::from_name(field) else {
                continue;
            };
            if !has(field) {
                continue;
            }
            let (id, message) = if field == Field::Milestones {
                (
                    "risk-accepted-with-milestones",
                    format!(
                        "{name} is {status} but has milestones; {system} takes none on such items"
                    ),
                )
            } else {
                (
                    "status-forbids",
                    format!(
                        "{name} is {status} and has a '{}'; {system} takes none on {status} items",
                        label(field)
                    ),
                )
            };
            out.push(crate::validate::finding(
                item,
                id,
                Level::Error,
                message,
                &[],
            ));
        }
        for field in rule.into_iter().flat_map(|r| &r.not_in_future) {
            let Some(field) = Field::from_name(field) else {
                continue;
            };
            if let Value::Date(d) = item.get(field) {
                if d > as_of {
                    out.push(crate::validate::finding(
                        item,
                        "date-in-future",
                        Level::Error,
                        format!(
                            "{name} is {status} with a '{}' of {d}, after {as_of}; {system} refuses a date in the future",
                            label(field)
                        ),
                        &[(field.name(), Some(d)), ("as_of", Some(as_of))],
                    ));
                }
            }
        }
        if self.milestones.within_schedule {
            if let Some(scheduled) = item.scheduled_completion {
                for m in &item.milestones {
                    if let Some(due) = m.due.filter(|d| *d > scheduled) {
                        out.push(crate::validate::finding(
                            item,
                            "milestone-after-schedule",
                            Level::Warning,
                            format!(
                                "{name}: the milestone \"{}\" is due {due}, after the item's scheduled completion date {scheduled}; {system} refuses it until the item is approved",
                                short(&m.description)
                            ),
                            &[("due", Some(due)), ("scheduled_completion", Some(scheduled))],
                        ));
                    }
                }
            }
        }
        for (field, max) in &self.max_chars {
            let lengths: Vec<usize> = if field == Field::MilestoneDescription.name() {
                item.milestones
                    .iter()
                    .map(|m| m.description.chars().count())
                    .collect()
            } else {
                match Field::from_name(field).map(|f| (f, item.get(f))) {
                    Some((_, Value::Text(t))) => vec![t.chars().count()],
                    _ => Vec::new(),
                }
            };
            let label = Field::from_name(field).map_or_else(|| field.clone(), label);
            for len in lengths.into_iter().filter(|n| n > max) {
                out.push(crate::validate::finding(
                    item,
                    "too-long",
                    Level::Error,
                    format!("{name}: '{label}' has {len} characters; {system} takes at most {max}"),
                    &[],
                ));
            }
        }
    }
}

/// Whether a field is empty for the rules' purpose: milestones count as a
/// field.
fn blank(item: &Item, field: Field) -> bool {
    match field {
        Field::Milestones => item.milestones.is_empty(),
        f => item.is_blank(f),
    }
}

/// The first words of a text, for a message.
fn short(text: &str) -> String {
    let mut s: String = text.chars().take(60).collect();
    if s.len() < text.len() {
        s.push('…');
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_rules_load_and_name_known_fields_and_statuses() {
        for (family, _) in BUILTIN {
            let rules = for_family(family).expect("loads");
            let mut fields: Vec<&String> = rules.every.needs.iter().collect();
            for (word, r) in &rules.status {
                assert!(Status::parse(word).is_some(), "{family}: status {word}");
                fields.extend(r.needs.iter().chain(&r.forbids).chain(&r.not_in_future));
            }
            fields.extend(rules.max_chars.keys());
            for f in fields {
                assert!(Field::from_name(f).is_some(), "{family}: field {f}");
            }
        }
    }
}
