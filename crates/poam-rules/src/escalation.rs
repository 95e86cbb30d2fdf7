//! A policy's escalation triggers (FedRAMP's continuous monitoring
//! performance management: late remediation of High and Moderate
//! vulnerabilities, growth of the unique vulnerability count), counted on a
//! POA&M as an agency's reviewer counts them.

use crate::Policy;
use chrono::NaiveDate;
use poam_model::{Poam, State};
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;

/// A policy's escalation triggers.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EscalationRules {
    /// Late remediation triggers.
    #[serde(default)]
    pub late: Vec<LateTrigger>,
    /// The unique vulnerability count's growth trigger.
    #[serde(default)]
    pub unique_increase: Option<IncreaseTrigger>,
}

/// At least `at_least` unique vulnerabilities of these ratings open longer
/// than `older_than_days` since detection.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LateTrigger {
    /// Its name for a person.
    pub name: String,
    /// The ratings counted (`high`, `critical`).
    pub ratings: Vec<String>,
    /// Days since detection.
    pub older_than_days: i64,
    /// How many trigger it.
    pub at_least: usize,
    /// The escalation it leads to (`DFR`, `CAP`).
    pub level: String,
}

/// The unique vulnerability count grown by `percent` of the baseline or
/// `at_least`, whichever is greater.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IncreaseTrigger {
    /// Its name for a person.
    pub name: String,
    /// Growth in percent of the baseline.
    pub percent: u32,
    /// The least growth that counts.
    pub at_least: usize,
    /// The escalation it leads to.
    pub level: String,
}

/// One trigger counted.
#[derive(Debug, Clone, Serialize)]
pub struct Trigger {
    /// Its name.
    pub name: String,
    /// The escalation it leads to.
    pub level: String,
    /// What was counted.
    pub count: usize,
    /// The count that triggers it.
    pub threshold: usize,
    /// Whether it is met.
    pub met: bool,
    /// What was counted, for a person.
    pub detail: String,
}

/// The triggers of a POA&M.
#[derive(Debug, Clone, Serialize)]
pub struct EscalationSummary {
    /// The policy's title.
    pub policy: String,
    /// Each trigger.
    pub triggers: Vec<Trigger>,
    /// Unique vulnerabilities open now.
    pub unique_open: usize,
    /// The baseline's, when given.
    pub baseline: Option<usize>,
    /// Open items without a detection date, which no age can be counted
    /// for.
    pub undated: usize,
    /// Whether any trigger is met.
    pub any_met: bool,
}

/// An open item's vulnerability: its source identifier (lower case), else
/// the item itself.
fn vulnerability(n: usize, source: Option<&str>) -> String {
    match source.map(str::trim).filter(|s| !s.is_empty()) {
        Some(s) => s.to_lowercase(),
        None => format!("#item {n}"),
    }
}

/// The unique vulnerabilities open in a POA&M: distinct source identifiers
/// (a plugin id, a CVE...) of open items; an item without one counts alone.
pub fn unique_open(poam: &Poam) -> usize {
    poam.items
        .iter()
        .enumerate()
        .filter(|(_, i)| i.state == State::Open)
        .map(|(n, i)| vulnerability(n, i.source_identifier.as_deref()))
        .collect::<BTreeSet<_>>()
        .len()
}

/// Counts a policy's triggers on `poam` on `as_of`, against the baseline's
/// unique vulnerability count where given; `None` when the policy has none.
pub fn escalation(
    poam: &Poam,
    policy: &Policy,
    as_of: NaiveDate,
    baseline: Option<usize>,
) -> Option<EscalationSummary> {
    let rules = policy.escalation.as_ref()?;
    let open: Vec<(usize, &poam_model::Item)> = poam
        .items
        .iter()
        .enumerate()
        .filter(|(_, i)| i.state == State::Open)
        .collect();
    let mut triggers = Vec::new();
    for t in &rules.late {
        let late: BTreeSet<String> = open
            .iter()
            .filter(|(_, i)| {
                i.effective_rating()
                    .is_some_and(|r| t.ratings.iter().any(|k| k == r.key()))
                    && i.detected_on
                        .is_some_and(|d| (as_of - d).num_days() > t.older_than_days)
            })
            .map(|(n, i)| vulnerability(*n, i.source_identifier.as_deref()))
            .collect();
        triggers.push(Trigger {
            name: t.name.clone(),
            level: t.level.clone(),
            count: late.len(),
            threshold: t.at_least,
            met: late.len() >= t.at_least,
            detail: format!(
                "{} unique vulnerabilit{} open more than {} days since detection ({} or more trigger a {})",
                late.len(),
                if late.len() == 1 { "y" } else { "ies" },
                t.older_than_days,
                t.at_least,
                t.level
            ),
        });
    }
    let now = unique_open(poam);
    if let (Some(t), Some(base)) = (&rules.unique_increase, baseline) {
        let by_percent = (base * t.percent as usize).div_ceil(100);
        let threshold = by_percent.max(t.at_least);
        let grown = now.saturating_sub(base);
        triggers.push(Trigger {
            name: t.name.clone(),
            level: t.level.clone(),
            count: grown,
            threshold,
            met: grown >= threshold,
            detail: format!(
                "{now} unique vulnerabilities open against {base} in the baseline: up {grown} ({}% of the baseline or {}, whichever is greater, trigger a {}: {threshold})",
                t.percent, t.at_least, t.level
            ),
        });
    }
    let undated = open.iter().filter(|(_, i)| i.detected_on.is_none()).count();
    Some(EscalationSummary {
        policy: policy.title.clone(),
        any_met: triggers.iter().any(|t| t.met),
        triggers,
        unique_open: now,
        baseline,
        undated,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use poam_model::{Item, Rating};

    fn item(source: &str, rating: Rating, detected: &str) -> Item {
        let mut i = Item {
            source_identifier: Some(source.into()),
            detected_on: detected.parse().ok(),
            ..Item::default()
        };
        i.risk.original = Some(rating);
        i
    }

    #[test]
    fn late_high_and_moderate_and_growth_are_counted_as_fedramp_says() {
        let policy = Policy::builtin("fedramp").unwrap();
        let as_of: NaiveDate = "2025-06-30".parse().unwrap();
        let mut items: Vec<Item> = (0..5)
            .map(|n| item(&format!("h{n}"), Rating::High, "2025-05-20"))
            .collect();
        // The same plugin on two items is one unique vulnerability.
        items.push(item("h0", Rating::High, "2025-05-01"));
        items.extend((0..9).map(|n| item(&format!("m{n}"), Rating::Moderate, "2025-03-01")));
        let poam = Poam {
            items,
            ..Poam::default()
        };
        let s = escalation(&poam, &policy, as_of, Some(3)).unwrap();
        let t = |name: &str| s.triggers.iter().find(|t| t.name.contains(name)).unwrap();
        let high30 = t("High, more than 30 days");
        assert_eq!((high30.count, high30.met), (5, true));
        assert_eq!(t("High, more than 60 days").count, 0);
        let mod90 = t("Moderate, more than 90 days");
        assert_eq!((mod90.count, mod90.met), (9, false), "ten trigger it");
        let growth = t("Unique vulnerability");
        assert_eq!(s.unique_open, 14);
        assert_eq!((growth.count, growth.threshold, growth.met), (11, 10, true));
        assert!(s.any_met);
    }
}
