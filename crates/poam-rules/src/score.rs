//! The NIST SP 800-171 DoD Assessment (SPRS) score, and eligibility for
//! Conditional CMMC Level 2 status under 32 CFR 170.21.
//!
//! Every requirement with an open item is not met. Its DoD value (5, 3 or 1)
//! is subtracted from 110; 3.5.3 and 3.13.11 subtract 3 when partly met (MFA
//! for remote and privileged users only; encryption that is not
//! FIPS-validated) and 5 otherwise; an open 3.12.4 (no SSP) means no score can
//! be given. An item says it is partial when its status or text says
//! "partial", or for 3.13.11 "not FIPS", or for 3.5.3 "remote and privileged".

use chrono::NaiveDate;
use poam_layout::catalog::catalogs;
use poam_model::{Item, Poam, State, Text};
use serde::Serialize;

/// Scoring options.
#[derive(Debug, Clone)]
pub struct ScoreOptions {
    /// The Conditional CMMC Status date: items must close within 180 days of it.
    pub conditional_date: NaiveDate,
    /// Minimum score for Conditional Level 2 (88, 80 % of 110).
    pub minimum_score: i64,
    /// Days to close out the POA&M.
    pub closeout_days: i64,
    /// Requirements that may never be on a POA&M.
    pub never_on_poam: Vec<String>,
}

impl Default for ScoreOptions {
    fn default() -> ScoreOptions {
        ScoreOptions {
            conditional_date: NaiveDate::from_ymd_opt(2000, 1, 1).unwrap_or_default(),
            minimum_score: 88,
            closeout_days: 180,
            never_on_poam: ["3.1.20", "3.1.22", "3.12.4", "3.10.3", "3.10.4", "3.10.5"]
                .iter()
                .map(|s| s.to_string())
                .collect(),
        }
    }
}

/// A requirement not met.
#[derive(Debug, Clone, Serialize)]
pub struct Unmet {
    /// `3.1.1`.
    pub requirement: String,
    /// CMMC practice.
    pub cmmc: String,
    /// Points subtracted (none for 3.12.4).
    pub points: Option<i64>,
    /// Whether it counted as partly met.
    pub partial: bool,
    /// The open items that name it.
    pub items: Vec<String>,
}

/// An item that may not be on a Conditional Level 2 POA&M.
#[derive(Debug, Clone, Serialize)]
pub struct Ineligible {
    /// The requirement.
    pub requirement: String,
    /// The item.
    pub item: String,
    /// Why.
    pub reason: String,
    /// Where the item is.
    pub location: Option<String>,
}

/// The SPRS score as the reports show it.
#[derive(Debug, Clone, Serialize)]
pub struct ScoreSummary {
    /// The score, or none when 3.12.4 is not met.
    pub score: Option<i64>,
    /// 110.
    pub maximum: i64,
    /// 88.
    pub minimum: i64,
    /// Whether Conditional CMMC Level 2 is possible.
    pub eligible: bool,
    /// Items that may not be on the POA&M (each counted once).
    pub ineligible: usize,
    /// Each reason an item may not be on the POA&M, as `score` names it
    /// (`P-3: 3.1.1 (5 points) may not be on a POA&M ...`).
    pub ineligible_reasons: Vec<String>,
    /// POA&M closeout deadline, ISO.
    pub closeout: String,
}

/// Whether any item names a NIST SP 800-171 requirement: a plan of action
/// that the SPRS score applies to.
pub fn is_sp800_171(poam: &Poam) -> bool {
    let cat = catalogs();
    poam.items
        .iter()
        .any(|i| i.controls.iter().any(|c| cat.requirement(c).is_some()))
}

/// The score and the eligibility verdict.
#[derive(Debug, Clone, Serialize)]
pub struct ScoreReport {
    /// The SPRS score, or none when 3.12.4 (the SSP) is not met.
    pub score: Option<i64>,
    /// Why there is no score, if there is none.
    pub no_score_reason: Option<String>,
    /// 110.
    pub maximum: i64,
    /// The minimum for Conditional Level 2 (88).
    pub minimum: i64,
    /// Whether the score reaches the minimum.
    pub passes: bool,
    /// Requirements not met.
    pub unmet: Vec<Unmet>,
    /// Items that may not be on the POA&M, with reasons.
    pub ineligible: Vec<Ineligible>,
    /// The date by which every item must be closed.
    pub closeout_deadline: NaiveDate,
    /// Whether the POA&M allows Conditional Level 2 status.
    pub eligible: bool,
    /// Items naming no SP 800-171 or CMMC requirement (not scored).
    pub unscored_items: Vec<String>,
}

fn partial_hint(item: &Item, requirement: &str) -> bool {
    let text = [
        item.weakness_name.as_deref(),
        item.weakness_description.as_deref(),
        item.remediation_plan.as_deref(),
        item.comments.as_deref(),
    ]
    .iter()
    .flatten()
    .map(|s| s.to_lowercase())
    .collect::<Vec<_>>()
    .join(" ");
    text.contains("partial")
        || (requirement == "3.13.11" && (text.contains("not fips") || text.contains("non-fips")))
        || (requirement == "3.5.3" && text.contains("remote and privileged"))
}

/// The SP 800-171 rev 2 requirements an item names (directly, or through its
/// CMMC equivalents).
fn requirements_of(item: &Item) -> Vec<Text> {
    let cat = catalogs();
    let mut out: Vec<Text> = item
        .controls
        .iter()
        .flat_map(|c| {
            poam_model::control::parse_control(c).map_or_else(Vec::new, |p| {
                p.ids.iter().map(|id| id.canonical()).collect()
            })
        })
        .filter(|c| cat.requirement(c).is_some())
        .collect();
    out.sort();
    out.dedup();
    out
}

impl ScoreReport {
    /// The figures a report shows.
    pub fn summary(&self) -> ScoreSummary {
        ScoreSummary {
            score: self.score,
            maximum: self.maximum,
            minimum: self.minimum,
            eligible: self.eligible,
            ineligible: self
                .ineligible
                .iter()
                .map(|i| &i.item)
                .collect::<std::collections::BTreeSet<_>>()
                .len(),
            ineligible_reasons: self
                .ineligible
                .iter()
                .map(|i| format!("{}: {}", i.item, i.reason))
                .collect(),
            closeout: self.closeout_deadline.to_string(),
        }
    }

    /// Eligibility as validation findings: each ineligible item, and a score
    /// below the minimum.
    pub fn findings(&self) -> Vec<crate::Finding> {
        let mut out: Vec<crate::Finding> = self
            .ineligible
            .iter()
            .map(|i| crate::Finding {
                item: i.item.clone(),
                rule: "cmmc-eligibility".into(),
                severity: crate::Level::Error,
                message: format!("{}: {}", i.item, i.reason),
                dates: Default::default(),
                location: i.location.clone(),
            })
            .collect();
        if !self.passes {
            out.push(crate::Finding {
                item: "(POA&M)".into(),
                rule: "cmmc-score".into(),
                severity: crate::Level::Error,
                message: match self.score {
                    Some(s) => format!(
                        "the SPRS score {s} is below the {} Conditional Level 2 needs",
                        self.minimum
                    ),
                    None => self.no_score_reason.clone().unwrap_or_default(),
                },
                dates: Default::default(),
                location: None,
            });
        }
        out
    }
}

/// Scores a POA&M.
pub fn score(poam: &Poam, opts: &ScoreOptions) -> ScoreReport {
    let cat = catalogs();
    let mut unmet: Vec<Unmet> = Vec::new();
    let mut unscored = Vec::new();
    for item in poam.items.iter().filter(|i| i.state == State::Open) {
        let reqs = requirements_of(item);
        if reqs.is_empty() {
            unscored.push(item.display_name());
        }
        for r in reqs {
            let Some(req) = cat.requirement(&r) else {
                continue;
            };
            let partial = req.partial.is_some() && partial_hint(item, &r);
            match unmet.iter_mut().find(|u| u.requirement == r) {
                Some(u) => {
                    u.items.push(item.display_name());
                    // Any item saying "not implemented at all" wins over a partial one.
                    if !partial && u.partial {
                        u.partial = false;
                        u.points = req.points;
                    }
                }
                None => unmet.push(Unmet {
                    requirement: r.to_string(),
                    cmmc: req.cmmc.clone(),
                    points: if partial { req.partial } else { req.points },
                    partial,
                    items: vec![item.display_name()],
                }),
            }
        }
    }
    unmet.sort_by_key(|u| {
        u.requirement
            .split('.')
            .map(|p| p.parse::<u32>().unwrap_or(0))
            .collect::<Vec<_>>()
    });
    let no_ssp = unmet.iter().any(|u| u.requirement == "3.12.4");
    let score = (!no_ssp).then(|| 110 - unmet.iter().filter_map(|u| u.points).sum::<i64>());
    let closeout_deadline = opts.conditional_date + chrono::Duration::days(opts.closeout_days);
    let mut ineligible = Vec::new();
    for item in poam.items.iter().filter(|i| i.state == State::Open) {
        for r in requirements_of(item) {
            let Some(req) = cat.requirement(&r) else {
                continue;
            };
            let u = unmet.iter().find(|u| u.requirement == r);
            let points = u.and_then(|u| u.points);
            let reason = if opts.never_on_poam.iter().any(|n| *n == r) {
                Some(format!(
                    "{} may never be on a POA&M (32 CFR 170.21(a)(2)(iii))",
                    req.cmmc
                ))
            } else if req.poam == "encryption-not-fips" {
                (points != Some(3)).then(|| {
                    format!(
                        "{} may be on a POA&M only when encryption is employed but not FIPS-validated (3 points); this item is scored {} points",
                        req.cmmc,
                        points.unwrap_or(5)
                    )
                })
            } else if points.unwrap_or(0) > 1 {
                Some(format!(
                    "{} is worth {} points; only 1-point requirements may be on a POA&M (32 CFR 170.21(a)(2)(ii))",
                    req.cmmc,
                    points.unwrap_or(0)
                ))
            } else {
                None
            };
            if let Some(reason) = reason {
                ineligible.push(Ineligible {
                    requirement: r.to_string(),
                    item: item.display_name(),
                    reason,
                    location: item.location_text(),
                });
            }
            if let Some(due) = item.scheduled_completion.filter(|d| *d > closeout_deadline) {
                ineligible.push(Ineligible {
                    requirement: r.to_string(),
                    item: item.display_name(),
                    reason: format!(
                        "scheduled for {due}, after the closeout deadline {closeout_deadline} ({} days after the conditional status date)",
                        opts.closeout_days
                    ),
                    location: item.location_text(),
                });
            }
        }
    }
    let passes = score.is_some_and(|s| s >= opts.minimum_score);
    ScoreReport {
        no_score_reason: no_ssp.then(|| {
            "3.12.4 (a system security plan) is not met: no score can be given".to_string()
        }),
        score,
        maximum: 110,
        minimum: opts.minimum_score,
        passes,
        eligible: passes && ineligible.is_empty(),
        unmet,
        ineligible,
        closeout_deadline,
        unscored_items: unscored,
    }
}
