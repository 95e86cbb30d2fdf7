//! The closed list of item fields that a layout can map a column to.
//!
//! Layout files (in `templates/`) name fields by [`Field::name`], e.g.
//! `weakness_name` or `risk.original`.

use crate::{Item, Milestone, Rating, RawSeverity, Status, Text, YesNo};
use chrono::NaiveDate;

/// What kind of value a field holds; decides how a cell is read and written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldKind {
    /// Free text.
    Text,
    /// Control identifiers.
    Controls,
    /// One entry per line.
    Lines,
    /// CVE identifiers (split on commas, spaces, new lines).
    Cves,
    /// DISA CCIs (`CCI-000366`).
    Ccis,
    /// A date.
    Date,
    /// A risk rating.
    Rating,
    /// Yes, no or pending.
    YesNo,
    /// A status.
    Status,
    /// Milestones.
    Milestones,
    /// A DISA severity category.
    RawSeverity,
    /// A value kept by its header text in a map (eMASS Army cost columns).
    Keyed,
    /// One part of one milestone, in layouts with a milestone per row.
    MilestonePart,
}

/// A typed value of one field.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// Nothing.
    Empty,
    /// Text.
    Text(Text),
    /// A date.
    Date(NaiveDate),
    /// A rating.
    Rating(Rating),
    /// A yes/no/pending answer.
    YesNo(YesNo),
    /// A status.
    Status(Status),
    /// A list of strings.
    List(Vec<Text>),
    /// Milestones.
    Milestones(Vec<Milestone>),
    /// A DISA severity category.
    RawSeverity(RawSeverity),
}

macro_rules! fields {
    ($( $variant:ident = $name:literal, $kind:ident, $doc:literal; )*) => {
        /// A field of [`Item`] that a column can hold.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Field {
            $( #[doc = $doc] $variant, )*
        }

        impl Field {
            /// Every field, in model order.
            pub const ALL: &'static [Field] = &[ $( Field::$variant, )* ];

            /// The name used in layout files and in the JSON (`risk.original`).
            pub fn name(self) -> &'static str {
                match self { $( Field::$variant => $name, )* }
            }

            /// The kind of value it holds.
            pub fn kind(self) -> FieldKind {
                match self { $( Field::$variant => FieldKind::$kind, )* }
            }

            /// A short label for messages (`Auto-approve`).
            pub fn label(self) -> &'static str {
                match self { $( Field::$variant => $doc.trim_end_matches('.'), )* }
            }

            /// Looks a field up by its name.
            pub fn from_name(name: &str) -> Option<Field> {
                match name { $( $name => Some(Field::$variant), )* _ => None }
            }
        }
    };
}

fields! {
    Id = "id", Text, "The POA&M ID.";
    Status = "status", Status, "Status.";
    Controls = "controls", Controls, "Control identifiers.";
    WeaknessName = "weakness_name", Text, "Weakness name.";
    WeaknessDescription = "weakness_description", Text, "Weakness description.";
    DetectorSource = "detector_source", Text, "Weakness detector source.";
    SourceIdentifier = "source_identifier", Text, "Weakness source identifier.";
    BusinessUnit = "business_unit", Text, "Business unit (set by a roll-up, or read from a column).";
    Assets = "assets", Lines, "Asset identifiers.";
    PointOfContact = "point_of_contact", Text, "Point of contact.";
    ResourcesRequired = "resources_required", Text, "Resources required.";
    RemediationPlan = "remediation_plan", Text, "Remediation plan.";
    DetectedOn = "detected_on", Date, "Original detection date.";
    ScheduledCompletion = "scheduled_completion", Date, "Scheduled completion date.";
    StatusDate = "status_date", Date, "Status date.";
    CompletedOn = "completed_on", Date, "Completion date.";
    Milestones = "milestones", Milestones, "Planned milestones.";
    MilestoneChanges = "milestone_changes", Text, "Milestone changes.";
    RiskOriginal = "risk.original", Rating, "Original risk rating.";
    RiskAdjusted = "risk.adjusted", Rating, "Adjusted risk rating.";
    RiskAdjustment = "risk.adjustment", YesNo, "Risk adjustment.";
    FalsePositive = "risk.false_positive", YesNo, "False positive.";
    OperationalRequirement = "risk.operational_requirement", YesNo, "Operational requirement.";
    DeviationRationale = "risk.deviation_rationale", Text, "Deviation rationale.";
    AutoApprove = "risk.auto_approve", YesNo, "Auto-approve.";
    VendorDependency = "vendor.dependency", YesNo, "Vendor dependency.";
    VendorLastCheckin = "vendor.last_checkin", Date, "Last vendor check-in date.";
    VendorProduct = "vendor.product", Text, "Vendor dependent product name.";
    Cves = "cves", Cves, "CVE identifiers.";
    Ccis = "ccis", Ccis, "DISA Control Correlation Identifiers (CCIs).";
    KevListed = "kev.listed", YesNo, "Listed in CISA's KEV catalog (BOD 22-01).";
    KevDue = "kev.due", Date, "BOD 22-01 due date.";
    ServiceNames = "service_names", Lines, "Service names.";
    SupportingDocuments = "supporting_documents", Text, "Supporting documents.";
    Comments = "comments", Text, "Comments.";
    Standard = "quality.standard", Text, "Standard or framework of the requirement ids.";
    Grade = "quality.grade", Text, "Grade of the finding (major, minor, observation, opportunity for improvement).";
    RootCause = "quality.root_cause", Text, "Root cause.";
    Containment = "quality.containment", Text, "Containment action.";
    PreventiveAction = "quality.preventive_action", Text, "Preventive action.";
    EffectivenessCheckedOn = "quality.effectiveness_checked_on", Date, "Verification of effectiveness date.";
    EffectivenessResult = "quality.effectiveness_result", Text, "Verification of effectiveness result.";
    VerifiedBy = "quality.verified_by", Text, "Effectiveness verified by.";
    RawSeverity = "emass.raw_severity", RawSeverity, "Raw severity (CAT I/II/III).";
    Severity = "emass.severity", Rating, "Severity.";
    RelevanceOfThreat = "emass.relevance_of_threat", Rating, "Relevance of threat.";
    Likelihood = "emass.likelihood", Rating, "Likelihood.";
    Impact = "emass.impact", Rating, "Impact.";
    ImpactDescription = "emass.impact_description", Text, "Impact description.";
    ResidualRisk = "emass.residual_risk", Rating, "Residual risk level.";
    ResultingResidualRisk = "emass.resulting_residual_risk", Rating, "Resulting residual risk after proposed mitigations.";
    Mitigations = "emass.mitigations", Text, "Mitigations.";
    PredisposingConditions = "emass.predisposing_conditions", Text, "Predisposing conditions.";
    ThreatDescription = "emass.threat_description", Text, "Threat description.";
    Recommendations = "emass.recommendations", Text, "Recommendations.";
    IdentificationSourceDetails = "emass.identification_source_details", Text, "Identification source details.";
    RiskAcceptedExpiration = "emass.risk_accepted_expiration", Date, "Requested risk-accepted expiration date.";
    CfoAudit = "emass.cfo_audit", Text, "Identified in a CFO audit or other review.";
    Costs = "emass.costs", Keyed, "Resource and cost columns.";
    MilestoneId = "milestone.id", MilestonePart, "Milestone ID.";
    MilestoneDescription = "milestone.description", MilestonePart, "Milestone description.";
    MilestoneStatus = "milestone.status", MilestonePart, "Milestone status.";
    MilestoneComments = "milestone.comments", MilestonePart, "Milestone status comments.";
    MilestoneDue = "milestone.due", MilestonePart, "Milestone scheduled completion date.";
    MilestoneCompletedOn = "milestone.completed_on", MilestonePart, "Milestone completion date.";
}

fn text(v: &Option<Text>) -> Value {
    v.clone().map_or(Value::Empty, Value::Text)
}

fn date(v: &Option<NaiveDate>) -> Value {
    v.map_or(Value::Empty, Value::Date)
}

fn rating(v: &Option<Rating>) -> Value {
    v.map_or(Value::Empty, Value::Rating)
}

fn yes_no(v: &Option<YesNo>) -> Value {
    v.map_or(Value::Empty, Value::YesNo)
}

fn list(v: &[Text]) -> Value {
    if v.is_empty() {
        Value::Empty
    } else {
        Value::List(v.to_vec())
    }
}

impl Item {
    /// The value of one field.
    ///
    /// For [`Field::Controls`] the list holds part-level references where the
    /// item has them (`CM-6b`), then the other controls, then unparsed text, so
    /// that writing the list back loses nothing.
    pub fn get(&self, field: Field) -> Value {
        match field {
            Field::Id => text(&self.id),
            Field::Status => self.status.map_or(Value::Empty, Value::Status),
            Field::Controls => {
                let mut all = crate::control::controls_for_display(
                    &self.controls,
                    &self.control_parts,
                    &self.unparsed_controls,
                );
                all.extend(
                    self.other_controls
                        .iter()
                        .map(|o| Text::from(o.id.as_str())),
                );
                list(&all)
            }
            Field::WeaknessName => text(&self.weakness_name),
            Field::WeaknessDescription => text(&self.weakness_description),
            Field::DetectorSource => text(&self.detector_source),
            Field::SourceIdentifier => text(&self.source_identifier),
            Field::BusinessUnit => text(&self.business_unit),
            Field::Assets => list(&self.assets),
            Field::PointOfContact => text(&self.point_of_contact),
            Field::ResourcesRequired => text(&self.resources_required),
            Field::RemediationPlan => text(&self.remediation_plan),
            Field::DetectedOn => date(&self.detected_on),
            Field::ScheduledCompletion => date(&self.scheduled_completion),
            Field::StatusDate => date(&self.status_date),
            Field::CompletedOn => date(&self.completed_on),
            Field::Milestones => {
                if self.milestones.is_empty() {
                    Value::Empty
                } else {
                    Value::Milestones(self.milestones.clone())
                }
            }
            Field::MilestoneChanges => text(&self.milestone_changes),
            Field::RiskOriginal => self.risk.original.map_or(Value::Empty, Value::Rating),
            Field::RiskAdjusted => self.risk.adjusted.map_or(Value::Empty, Value::Rating),
            Field::RiskAdjustment => yes_no(&self.risk.adjustment),
            Field::FalsePositive => yes_no(&self.risk.false_positive),
            Field::OperationalRequirement => yes_no(&self.risk.operational_requirement),
            Field::DeviationRationale => text(&self.risk.deviation_rationale),
            Field::AutoApprove => yes_no(&self.risk.auto_approve),
            Field::VendorDependency => yes_no(&self.vendor.dependency),
            Field::VendorLastCheckin => date(&self.vendor.last_checkin),
            Field::VendorProduct => text(&self.vendor.product),
            Field::Cves => list(&self.cves),
            Field::Ccis => list(&self.ccis),
            Field::KevListed => yes_no(&self.kev.listed),
            Field::KevDue => date(&self.kev.due),
            Field::ServiceNames => list(&self.service_names),
            Field::SupportingDocuments => text(&self.supporting_documents),
            Field::Comments => text(&self.comments),
            Field::Standard => text(&self.quality.standard),
            Field::Grade => text(&self.quality.grade),
            Field::RootCause => text(&self.quality.root_cause),
            Field::Containment => text(&self.quality.containment),
            Field::PreventiveAction => text(&self.quality.preventive_action),
            Field::EffectivenessCheckedOn => date(&self.quality.effectiveness_checked_on),
            Field::EffectivenessResult => text(&self.quality.effectiveness_result),
            Field::VerifiedBy => text(&self.quality.verified_by),
            Field::RawSeverity => self
                .emass
                .raw_severity
                .map_or(Value::Empty, Value::RawSeverity),
            Field::Severity => rating(&self.emass.severity),
            Field::RelevanceOfThreat => rating(&self.emass.relevance_of_threat),
            Field::Likelihood => rating(&self.emass.likelihood),
            Field::Impact => rating(&self.emass.impact),
            Field::ImpactDescription => text(&self.emass.impact_description),
            Field::ResidualRisk => rating(&self.emass.residual_risk),
            Field::ResultingResidualRisk => rating(&self.emass.resulting_residual_risk),
            Field::Mitigations => text(&self.emass.mitigations),
            Field::PredisposingConditions => text(&self.emass.predisposing_conditions),
            Field::ThreatDescription => text(&self.emass.threat_description),
            Field::Recommendations => text(&self.emass.recommendations),
            Field::IdentificationSourceDetails => text(&self.emass.identification_source_details),
            Field::RiskAcceptedExpiration => date(&self.emass.risk_accepted_expiration),
            Field::CfoAudit => text(&self.emass.cfo_audit),
            Field::Costs => {
                if self.emass.costs.is_empty() {
                    Value::Empty
                } else {
                    Value::List(
                        self.emass
                            .costs
                            .iter()
                            .map(|(k, v)| crate::format_compact!("{k}: {v}"))
                            .collect(),
                    )
                }
            }
            // Milestone parts live in `milestones`; see `Field::Milestones`.
            Field::MilestoneId
            | Field::MilestoneDescription
            | Field::MilestoneStatus
            | Field::MilestoneComments
            | Field::MilestoneDue
            | Field::MilestoneCompletedOn => Value::Empty,
        }
    }

    /// Whether a field holds nothing.
    pub fn is_blank(&self, field: Field) -> bool {
        self.get(field) == Value::Empty
    }

    /// Sets a text field. Ignored for fields of other kinds.
    pub fn set_text(&mut self, field: Field, value: impl Into<Text>) {
        let slot = match field {
            Field::Id => &mut self.id,
            Field::WeaknessName => &mut self.weakness_name,
            Field::WeaknessDescription => &mut self.weakness_description,
            Field::DetectorSource => &mut self.detector_source,
            Field::SourceIdentifier => &mut self.source_identifier,
            Field::BusinessUnit => &mut self.business_unit,
            Field::PointOfContact => &mut self.point_of_contact,
            Field::ResourcesRequired => &mut self.resources_required,
            Field::RemediationPlan => &mut self.remediation_plan,
            Field::MilestoneChanges => &mut self.milestone_changes,
            Field::DeviationRationale => &mut self.risk.deviation_rationale,
            Field::VendorProduct => &mut self.vendor.product,
            Field::SupportingDocuments => &mut self.supporting_documents,
            Field::Comments => &mut self.comments,
            Field::Standard => &mut self.quality.standard,
            Field::Grade => &mut self.quality.grade,
            Field::RootCause => &mut self.quality.root_cause,
            Field::Containment => &mut self.quality.containment,
            Field::PreventiveAction => &mut self.quality.preventive_action,
            Field::EffectivenessResult => &mut self.quality.effectiveness_result,
            Field::VerifiedBy => &mut self.quality.verified_by,
            Field::ImpactDescription => &mut self.emass.impact_description,
            Field::Mitigations => &mut self.emass.mitigations,
            Field::PredisposingConditions => &mut self.emass.predisposing_conditions,
            Field::ThreatDescription => &mut self.emass.threat_description,
            Field::Recommendations => &mut self.emass.recommendations,
            Field::IdentificationSourceDetails => &mut self.emass.identification_source_details,
            Field::CfoAudit => &mut self.emass.cfo_audit,
            _ => return,
        };
        *slot = Some(value.into());
    }

    /// Sets a date field. Ignored for fields of other kinds.
    pub fn set_date(&mut self, field: Field, value: NaiveDate) {
        let slot = match field {
            Field::DetectedOn => &mut self.detected_on,
            Field::ScheduledCompletion => &mut self.scheduled_completion,
            Field::StatusDate => &mut self.status_date,
            Field::CompletedOn => &mut self.completed_on,
            Field::VendorLastCheckin => &mut self.vendor.last_checkin,
            Field::KevDue => &mut self.kev.due,
            Field::RiskAcceptedExpiration => &mut self.emass.risk_accepted_expiration,
            Field::EffectivenessCheckedOn => &mut self.quality.effectiveness_checked_on,
            _ => return,
        };
        *slot = Some(value);
    }

    /// Sets a rating field. Ignored for fields of other kinds.
    pub fn set_rating(&mut self, field: Field, value: Rating) {
        let slot = match field {
            Field::RiskOriginal => &mut self.risk.original,
            Field::RiskAdjusted => &mut self.risk.adjusted,
            Field::Severity => &mut self.emass.severity,
            Field::RelevanceOfThreat => &mut self.emass.relevance_of_threat,
            Field::Likelihood => &mut self.emass.likelihood,
            Field::Impact => &mut self.emass.impact,
            Field::ResidualRisk => &mut self.emass.residual_risk,
            Field::ResultingResidualRisk => &mut self.emass.resulting_residual_risk,
            _ => return,
        };
        *slot = Some(value);
    }

    /// Sets a yes/no/pending field. Ignored for fields of other kinds.
    pub fn set_yes_no(&mut self, field: Field, value: YesNo) {
        let slot = match field {
            Field::RiskAdjustment => &mut self.risk.adjustment,
            Field::FalsePositive => &mut self.risk.false_positive,
            Field::OperationalRequirement => &mut self.risk.operational_requirement,
            Field::AutoApprove => &mut self.risk.auto_approve,
            Field::VendorDependency => &mut self.vendor.dependency,
            Field::KevListed => &mut self.kev.listed,
            _ => return,
        };
        *slot = Some(value);
    }

    /// Sets a list field (assets, CVEs, service names). Ignored otherwise.
    pub fn set_list(&mut self, field: Field, value: Vec<Text>) {
        match field {
            Field::Assets => self.assets = value,
            Field::Cves => self.cves = value,
            Field::Ccis => self.ccis = value,
            Field::ServiceNames => self.service_names = value,
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for f in Field::ALL {
            assert_eq!(Field::from_name(f.name()), Some(*f));
        }
        assert_eq!(Field::from_name("nope"), None);
    }

    #[test]
    fn setters_and_getters_agree() {
        let mut item = Item::default();
        let day = NaiveDate::from_ymd_opt(2024, 1, 2).unwrap();
        for f in Field::ALL {
            match f.kind() {
                FieldKind::Text => item.set_text(*f, "x"),
                FieldKind::Date => item.set_date(*f, day),
                FieldKind::YesNo => item.set_yes_no(*f, YesNo::Yes),
                FieldKind::Rating => item.set_rating(*f, Rating::Low),
                FieldKind::Lines | FieldKind::Cves | FieldKind::Ccis => {
                    item.set_list(*f, vec!["a".into()])
                }
                FieldKind::RawSeverity => item.emass.raw_severity = Some(RawSeverity::CatI),
                _ => continue,
            }
            assert!(!item.is_blank(*f), "{}", f.name());
        }
    }
}
