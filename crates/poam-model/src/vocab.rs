//! Controlled vocabularies: risk ratings, yes/no/pending answers, statuses.
//!
//! Matching ignores case, spaces, hyphens and underscores, so `Mod`,
//! `moderate`, ` MEDIUM ` all read as [`Rating::Moderate`].

use serde::{Deserialize, Serialize};

/// Squeezes text for lenient matching: lower case, letters and digits only.
fn squeeze(text: &str) -> String {
    text.chars()
        .filter(|c| c.is_alphanumeric() || *c == '/')
        .flat_map(char::to_lowercase)
        .collect()
}

/// Whether a cell says "nothing here" (`N/A`, `None`, `-`): these read as empty.
pub fn is_not_applicable(text: &str) -> bool {
    matches!(squeeze(text).as_str(), "n/a" | "na" | "none" | "")
}

/// Open or closed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum State {
    /// Still being worked on.
    #[default]
    Open,
    /// Remediated, accepted or otherwise closed.
    Closed,
}

/// A five-level (plus critical) risk rating.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Rating {
    /// Very low.
    VeryLow,
    /// Low.
    Low,
    /// Moderate (also "Medium").
    Moderate,
    /// High.
    High,
    /// Very high.
    VeryHigh,
    /// Critical.
    Critical,
}

impl Rating {
    /// Reads a rating written by a person; `None` when it is not one.
    pub fn parse(text: &str) -> Option<Rating> {
        Some(match squeeze(text).as_str() {
            "verylow" | "vl" => Rating::VeryLow,
            "low" | "l" | "lo" => Rating::Low,
            "moderate" | "mod" | "medium" | "med" | "m" => Rating::Moderate,
            "high" | "h" | "hi" => Rating::High,
            "veryhigh" | "vh" => Rating::VeryHigh,
            "critical" | "crit" | "c" => Rating::Critical,
            _ => return None,
        })
    }

    /// The word a template shows (`Moderate`).
    pub fn label(self) -> &'static str {
        match self {
            Rating::VeryLow => "Very Low",
            Rating::Low => "Low",
            Rating::Moderate => "Moderate",
            Rating::High => "High",
            Rating::VeryHigh => "Very High",
            Rating::Critical => "Critical",
        }
    }

    /// The JSON name (`moderate`).
    pub fn key(self) -> &'static str {
        match self {
            Rating::VeryLow => "very-low",
            Rating::Low => "low",
            Rating::Moderate => "moderate",
            Rating::High => "high",
            Rating::VeryHigh => "very-high",
            Rating::Critical => "critical",
        }
    }
}

/// Yes, no, or pending.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum YesNo {
    /// Yes.
    Yes,
    /// No.
    No,
    /// Pending a decision.
    Pending,
}

impl YesNo {
    /// Reads an answer written by a person; `None` when it is not one.
    pub fn parse(text: &str) -> Option<YesNo> {
        Some(match squeeze(text).as_str() {
            "yes" | "y" | "true" | "x" => YesNo::Yes,
            "no" | "n" | "false" => YesNo::No,
            "pending" | "p" | "tbd" => YesNo::Pending,
            _ => return None,
        })
    }

    /// The word a template shows.
    pub fn label(self) -> &'static str {
        match self {
            YesNo::Yes => "Yes",
            YesNo::No => "No",
            YesNo::Pending => "Pending",
        }
    }

    /// The JSON name.
    pub fn key(self) -> &'static str {
        match self {
            YesNo::Yes => "yes",
            YesNo::No => "no",
            YesNo::Pending => "pending",
        }
    }
}

/// The normalized status of an item.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Status {
    /// Work is going on.
    Ongoing,
    /// Remediated.
    Completed,
    /// The risk was accepted.
    RiskAccepted,
    /// Past its date.
    Delayed,
    /// The weakness does not apply.
    NotApplicable,
    /// Archived.
    Archived,
}

impl Status {
    /// Reads a status written by a person; `None` when it is not one.
    pub fn parse(text: &str) -> Option<Status> {
        Some(match squeeze(text).as_str() {
            "ongoing" | "open" | "inprogress" | "inprocess" | "active" | "planned" | "pending"
            | "notstarted" | "new" | "started" | "underway"
            // A corrective action done, its effectiveness not yet verified.
            | "pendingverification" | "awaitingverification" | "verificationpending" => Status::Ongoing,
            "completed" | "complete" | "closed" | "done" | "remediated" | "resolved" | "fixed"
            | "verified" | "verifiedeffective" | "closedverified" => {
                Status::Completed
            }
            "riskaccepted" | "accepted" => Status::RiskAccepted,
            "delayed" | "late" | "overdue" => Status::Delayed,
            "notapplicable" | "n/a" | "na" => Status::NotApplicable,
            "archived" => Status::Archived,
            _ => return None,
        })
    }

    /// The state an item with this status is in: completed, archived and
    /// not-applicable items are closed.
    pub fn state(self) -> State {
        match self {
            Status::Completed | Status::Archived | Status::NotApplicable => State::Closed,
            _ => State::Open,
        }
    }

    /// The words eMASS shows.
    pub fn label(self) -> &'static str {
        match self {
            Status::Ongoing => "Ongoing",
            Status::Completed => "Completed",
            Status::RiskAccepted => "Risk Accepted",
            Status::Delayed => "Delayed",
            Status::NotApplicable => "Not Applicable",
            Status::Archived => "Archived",
        }
    }

    /// The JSON name.
    pub fn key(self) -> &'static str {
        match self {
            Status::Ongoing => "ongoing",
            Status::Completed => "completed",
            Status::RiskAccepted => "risk-accepted",
            Status::Delayed => "delayed",
            Status::NotApplicable => "not-applicable",
            Status::Archived => "archived",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ratings_are_read_leniently() {
        for (text, want) in [
            ("Mod", Rating::Moderate),
            ("Medium", Rating::Moderate),
            (" MODERATE ", Rating::Moderate),
            ("high", Rating::High),
            ("Very High", Rating::VeryHigh),
            ("very-low", Rating::VeryLow),
            ("Critical", Rating::Critical),
            ("L", Rating::Low),
        ] {
            assert_eq!(Rating::parse(text), Some(want), "{text}");
        }
        assert_eq!(Rating::parse("Severe"), None);
    }

    #[test]
    fn answers_and_statuses() {
        assert_eq!(YesNo::parse(" yes"), Some(YesNo::Yes));
        assert_eq!(YesNo::parse("PENDING"), Some(YesNo::Pending));
        assert_eq!(YesNo::parse("maybe"), None);
        assert_eq!(Status::parse("Risk Accepted"), Some(Status::RiskAccepted));
        for open in [
            "In Progress",
            "In-Progress",
            "In-Process",
            "Planned",
            "Pending",
            "Open",
        ] {
            assert_eq!(
                Status::parse(open).map(Status::state),
                Some(State::Open),
                "{open}"
            );
        }
        for closed in [
            "Completed",
            "Closed",
            "Resolved",
            "Remediated",
            "Fixed",
            "Done",
        ] {
            assert_eq!(
                Status::parse(closed).map(Status::state),
                Some(State::Closed),
                "{closed}"
            );
        }
        assert_eq!(Status::parse("not applicable"), Some(Status::NotApplicable));
        assert!(is_not_applicable(" N/A "));
        assert!(is_not_applicable("None"));
        assert!(!is_not_applicable("No"));
    }
}
