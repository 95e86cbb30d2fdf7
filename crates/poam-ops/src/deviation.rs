//! Deviation requests: the items of a POA&M that ask FedRAMP for one (a
//! false positive, an operational requirement or a risk adjustment marked
//! Pending), one request per item, as FedRAMP's Vulnerability Deviation
//! Request form asks ("Include only one POA&M item per row"), and what each
//! still lacks before it can be sent.

use poam_model::{Poam, YesNo};
use serde::Serialize;

/// The type of a deviation request, as the form's drop-down words it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum DrType {
    /// A false positive (`FP`).
    FalsePositive,
    /// An operational requirement (`OR`).
    OperationalRequirement,
    /// A risk adjustment (`RA`).
    RiskAdjustment,
    /// An operational requirement with a risk adjustment (`OR RA`).
    OperationalRequirementAndRiskAdjustment,
}

impl DrType {
    /// The form's word for it.
    pub fn code(self) -> &'static str {
        match self {
            DrType::FalsePositive => "FP",
            DrType::OperationalRequirement => "OR",
            DrType::RiskAdjustment => "RA",
            DrType::OperationalRequirementAndRiskAdjustment => "OR RA",
        }
    }
}

/// One request: an item and its type.
#[derive(Debug, Clone, Serialize)]
pub struct Request {
    /// The item's index in the POA&M.
    pub item: usize,
    /// The item's name for a person (its POA&M ID).
    pub name: String,
    /// The type of deviation.
    pub kind: DrType,
    /// What it still lacks before it can be sent (a rationale, the rating
    /// asked for).
    pub missing: Vec<String>,
}

/// The requests of a POA&M.
pub fn requests(poam: &Poam) -> Vec<Request> {
    let mut out = Vec::new();
    for (n, item) in poam.items.iter().enumerate() {
        let pending = |v: Option<YesNo>| v == Some(YesNo::Pending);
        let r = &item.risk;
        let kind = if pending(r.false_positive) {
            DrType::FalsePositive
        } else {
            match (pending(r.operational_requirement), pending(r.adjustment)) {
                (true, true) => DrType::OperationalRequirementAndRiskAdjustment,
                (true, false) => DrType::OperationalRequirement,
                (false, true) => DrType::RiskAdjustment,
                (false, false) => continue,
            }
        };
        let mut missing = Vec::new();
        if r.deviation_rationale
            .as_deref()
            .is_none_or(|t| t.trim().is_empty())
        {
            missing.push("a deviation rationale".to_string());
        }
        if matches!(
            kind,
            DrType::RiskAdjustment | DrType::OperationalRequirementAndRiskAdjustment
        ) && r.adjusted.is_none()
        {
            missing.push("the adjusted risk rating asked for".to_string());
        }
        if kind == DrType::FalsePositive
            && item
                .supporting_documents
                .as_deref()
                .is_none_or(|t| t.trim().is_empty())
        {
            missing.push("the evidence (supporting documents) of the false positive".to_string());
        }
        out.push(Request {
            item: n,
            name: item.display_name(),
            kind,
            missing,
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use poam_model::{Item, Rating, Text};

    fn item(id: &str) -> Item {
        Item {
            id: Some(id.into()),
            ..Item::default()
        }
    }

    #[test]
    fn pending_deviations_are_requests_and_what_they_lack_is_said() {
        let mut fp = item("V-1");
        fp.risk.false_positive = Some(YesNo::Pending);
        fp.risk.adjustment = Some(YesNo::Pending);
        fp.risk.deviation_rationale = Some(Text::from("Not installed"));
        fp.supporting_documents = Some(Text::from("rpm -qa output"));
        let mut both = item("V-2");
        both.risk.operational_requirement = Some(YesNo::Pending);
        both.risk.adjustment = Some(YesNo::Pending);
        let mut approved = item("V-3");
        approved.risk.adjustment = Some(YesNo::Yes);
        approved.risk.adjusted = Some(Rating::Low);
        let poam = Poam {
            items: vec![fp, both, approved, item("V-4")],
            ..Poam::default()
        };
        let r = requests(&poam);
        assert_eq!(r.len(), 2, "approved and plain items ask for nothing");
        assert_eq!((r[0].kind.code(), r[0].missing.len()), ("FP", 0));
        assert_eq!(r[1].kind.code(), "OR RA");
        assert_eq!(
            r[1].missing,
            [
                "a deviation rationale",
                "the adjusted risk rating asked for"
            ]
        );
    }
}
