//! Rules over a POA&M, before a reviewer applies them.
//!
//! - [`Policy`]: remediation time frames and rules as data
//!   (`templates/policies/*.toml`: `fedramp`, `dod`, `cms`, `cmmc`; or a
//!   user's file of the same shape).
//! - [`validate`]: late items (`overdue`), schedules beyond the policy,
//!   vendor check-ins, deviations, the template's mandatory fields, `N/A`
//!   where blank belongs, duplicate ids, dates out of order, values outside
//!   the allowed lists, and control ids unknown to the catalogs.
//! - [`system`]: the business rules of a system that takes uploads (eMASS:
//!   fields by status, character limits, dates), as data.
//! - [`score`]: the NIST SP 800-171 DoD Assessment (SPRS) score of an 800-171
//!   / CMMC POA&M and its eligibility for Conditional CMMC Level 2 status
//!   under 32 CFR 170.21.
//!
//! - [`fedramp_oscal`]: FedRAMP's rev 5 rules on an OSCAL POA&M document.
//!
//! Every finding names its item, its rule, a severity and the dates involved.
#![deny(missing_docs)]

pub mod escalation;
pub mod fedramp_oscal;
mod score;
pub mod system;
mod validate;

pub use score::{is_sp800_171, score, Ineligible, ScoreOptions, ScoreReport, ScoreSummary};
pub use validate::{by_rule, validate, ValidateOptions};

use chrono::NaiveDate;
use poam_model::{Item, Rating, YesNo};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// How serious a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    /// Breaks a rule a reviewer enforces.
    Error,
    /// Should be fixed.
    Warning,
    /// Worth knowing.
    Info,
}

/// One finding.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Finding {
    /// The item's POA&M ID (or a description when it has none).
    pub item: String,
    /// The rule (`overdue`, `mandatory-field`, `duplicate-id`...).
    pub rule: String,
    /// How serious.
    pub severity: Level,
    /// What is wrong, for a person.
    pub message: String,
    /// Dates involved, by name (`detected`, `due`, `deadline`, `as_of`).
    pub dates: BTreeMap<String, NaiveDate>,
    /// Where the item is (`'Open POA&M Items' row 9`).
    pub location: Option<String>,
}

/// What starts a deadline's clock.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Clock {
    /// Days by risk rating.
    Rating,
    /// Days by DISA category (CAT I/II/III), else by rating.
    RawSeverity,
    /// Days by the auditor's grade (`major`, `minor`, `observation`,
    /// `ofi`), else by rating (quality systems).
    Grade,
    /// No deadlines (CMMC).
    None,
}

/// Policy rules beyond the deadlines.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PolicyRules {
    /// The adjusted rating counts only when the risk adjustment is Yes.
    #[serde(default)]
    pub adjusted_rating_needs_adjustment: bool,
    /// Vendor-dependent items need a vendor check-in at least this often.
    #[serde(default)]
    pub vendor_checkin_days: Option<i64>,
    /// Ratings that may not carry an operational requirement.
    #[serde(default)]
    pub no_operational_requirement_on: Vec<String>,
    /// An approved false positive belongs on the Closed tab.
    #[serde(default)]
    pub false_positive_must_close: bool,
    /// A KEV item is due by its KEV due date when that is earlier.
    #[serde(default)]
    pub kev_due_date: bool,
    /// Vendor-dependent and operational-requirement items stay on the Open
    /// tab (FedRAMP's playbook): one on the Closed tab is an error.
    #[serde(default)]
    pub deviations_stay_open: bool,
    /// One vulnerability id per item: an item whose source identifier names
    /// several is an error.
    #[serde(default)]
    pub one_vulnerability_per_item: bool,
    /// One original detection date per item: an item whose detection date
    /// cell names several dates groups findings first seen on different
    /// days, an error.
    #[serde(default)]
    pub one_detection_date_per_item: bool,
    /// A High vendor dependency older than this many days must be mitigated
    /// to Moderate (an approved risk adjustment to Moderate or below).
    #[serde(default)]
    pub vendor_high_mitigate_days: Option<i64>,
    /// A closed corrective action's effectiveness is verified within this
    /// many days of its completion (quality systems).
    #[serde(default)]
    pub effectiveness_check_days: Option<i64>,
    /// A corrective action closes only once its root cause is recorded.
    #[serde(default)]
    pub root_cause_before_close: bool,
}

/// CMMC settings of a policy.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CmmcRules {
    /// Level (2).
    pub level: u8,
    /// Minimum score for Conditional status.
    pub minimum_score: i64,
    /// Days after the conditional status date by which items must close.
    pub closeout_days: i64,
    /// Requirements that may never be on the POA&M.
    pub never_on_poam: Vec<String>,
}

/// A remediation policy.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Policy {
    /// Short name (`fedramp`).
    pub name: String,
    /// Human title.
    pub title: String,
    /// What starts the clock.
    pub clock: Clock,
    /// The title `report --policy` gives its report (`Corrective-action
    /// report`), when not the POA&M's own.
    #[serde(default)]
    pub report_title: Option<String>,
    /// Days from detection, by rating key (`high`) or category (`cat-i`).
    #[serde(default)]
    pub days: BTreeMap<String, i64>,
    /// Other rules.
    #[serde(default)]
    pub rules: PolicyRules,
    /// CMMC eligibility settings.
    #[serde(default)]
    pub cmmc: Option<CmmcRules>,
    /// Escalation triggers (FedRAMP's performance management).
    #[serde(default)]
    pub escalation: Option<escalation::EscalationRules>,
    /// The rating an item without one takes from its auditor's grade
    /// (`major = "high"`), for reports and counts.
    #[serde(default)]
    pub grade_ratings: BTreeMap<String, String>,
    /// The milestones `poam update` gives a new item.
    #[serde(default)]
    pub milestones: Vec<DefaultMilestone>,
    /// The controls `poam update` gives a new item whose scanner names
    /// none, by kind of finding (`vulnerability`: a missing patch or a
    /// vulnerable package or code; `configuration`: a failed benchmark,
    /// STIG or cloud configuration check).
    #[serde(default)]
    pub default_controls: BTreeMap<String, Vec<String>>,
}

/// A milestone a new item gets, due so many days before its scheduled
/// completion.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DefaultMilestone {
    /// What will be done.
    pub description: String,
    /// Days before the scheduled completion it is due (0: on that day).
    #[serde(default)]
    pub before_deadline_days: i64,
}

/// A policy file could not be read.
#[derive(Debug, thiserror::Error)]
pub enum PolicyError {
    /// No built-in policy has this name and no such file exists.
    #[error(
        "unknown policy \"{0}\" (built in: fedramp, dod, cms, cmmc, quality; or a path to a policy file)"
    )]
    Unknown(String),
    /// The file is not a policy.
    #[error("policy file {name}: {reason}")]
    Malformed {
        /// The file.
        name: String,
        /// Why.
        reason: String,
    },
}

const BUILTIN: &[(&str, &str)] = &[
    (
        "fedramp",
        include_str!("../../../templates/policies/fedramp.toml"),
    ),
    ("dod", include_str!("../../../templates/policies/dod.toml")),
    ("cms", include_str!("../../../templates/policies/cms.toml")),
    (
        "quality",
        include_str!("../../../templates/policies/quality.toml"),
    ),
    (
        "cmmc",
        include_str!("../../../templates/policies/cmmc.toml"),
    ),
];

impl Policy {
    /// Parses a policy file.
    ///
    /// # Errors
    ///
    /// [`PolicyError::Malformed`] when the TOML is wrong.
    pub fn from_toml(name: &str, text: &str) -> Result<Policy, PolicyError> {
        toml::from_str(text).map_err(|e| PolicyError::Malformed {
            name: name.to_string(),
            reason: e.to_string(),
        })
    }

    /// A built-in policy by name.
    ///
    /// # Errors
    ///
    /// [`PolicyError::Unknown`] for a name that is not built in.
    pub fn builtin(name: &str) -> Result<Policy, PolicyError> {
        let (n, text) = BUILTIN
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .ok_or_else(|| PolicyError::Unknown(name.to_string()))?;
        Policy::from_toml(&format!("templates/policies/{n}.toml"), text)
    }

    /// The rating a deadline counts from.
    pub fn effective_rating(&self, item: &Item) -> Option<Rating> {
        let adjusted_counts = !self.rules.adjusted_rating_needs_adjustment
            || item.risk.adjustment == Some(YesNo::Yes);
        match (item.risk.adjusted, adjusted_counts) {
            (Some(r), true) => Some(r),
            _ => item
                .risk
                .original
                .or_else(|| item.emass.raw_severity.map(|c| c.to_rating())),
        }
    }

    /// Days allowed from detection to completion for an item, and what they
    /// were chosen by (`high`, `cat-ii`).
    pub fn days_for(&self, item: &Item) -> Option<(i64, String)> {
        match self.clock {
            Clock::None => None,
            Clock::RawSeverity => {
                let by_cat = item.emass.raw_severity.and_then(|c| {
                    let key = match c {
                        poam_model::RawSeverity::CatI => "cat-i",
                        poam_model::RawSeverity::CatII => "cat-ii",
                        poam_model::RawSeverity::CatIII => "cat-iii",
                    };
                    self.days
                        .get(key)
                        .map(|d| (*d, format!("CAT {}", c.label())))
                });
                by_cat.or_else(|| self.by_rating(item))
            }
            Clock::Rating => self.by_rating(item),
            Clock::Grade => {
                let by_grade = item.quality.grade_key().and_then(|g| {
                    self.days
                        .get(g)
                        .map(|d| (*d, item.quality.grade.as_deref().unwrap_or(g).to_string()))
                });
                by_grade.or_else(|| self.by_rating(item))
            }
        }
    }

    fn by_rating(&self, item: &Item) -> Option<(i64, String)> {
        let r = self.effective_rating(item)?;
        self.days.get(r.key()).map(|d| (*d, r.label().to_string()))
    }

    /// Gives the items without a rating the one their grade maps to
    /// (`grade_ratings`); says how many.
    pub fn rate_by_grade(&self, poam: &mut poam_model::Poam) -> usize {
        let mut n = 0;
        for item in &mut poam.items {
            if item.risk.original.is_some() {
                continue;
            }
            let rating = item
                .quality
                .grade_key()
                .and_then(|g| self.grade_ratings.get(g))
                .and_then(|r| poam_model::Rating::parse(r));
            if let Some(r) = rating {
                item.risk.original = Some(r);
                n += 1;
            }
        }
        n
    }

    /// The day an item is due: the policy's deadline or its scheduled
    /// completion date, whichever comes first.
    pub fn due(&self, item: &Item) -> Option<NaiveDate> {
        match (self.deadline(item).map(|d| d.0), item.scheduled_completion) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }

    /// The deadline of an item: detection plus the policy's days, or the KEV
    /// due date when the policy says so and it is earlier.
    pub fn deadline(&self, item: &Item) -> Option<(NaiveDate, String)> {
        let by_days = match (item.detected_on, self.days_for(item)) {
            (Some(d), Some((days, why))) => Some((
                d + chrono::Duration::days(days),
                format!("{why}: {days} days from detection"),
            )),
            _ => None,
        };
        let kev = item
            .kev
            .due
            .filter(|_| self.rules.kev_due_date && item.kev.listed != Some(YesNo::No))
            .map(|d| (d, "the BOD 22-01 KEV due date".to_string()));
        match (by_days, kev) {
            (Some(a), Some(b)) => Some(if b.0 < a.0 { b } else { a }),
            (a, b) => a.or(b),
        }
    }
}
