//! The flat, one-row-per-item form used by poamkit's CSV: stable column
//! names and the text each field is written as.
//!
//! Columns are the model's field names (`risk.original`) plus `state`,
//! `category`, `control_parts`, `unparsed_controls`, `origin.*`, `extra` and
//! `system.*` (repeated on every row).
//! Lists are joined by new lines inside the cell, dates are ISO
//! `YYYY-MM-DD`, ratings and answers use the template words (`Moderate`,
//! `Yes`), milestones use the FedRAMP block form, and `extra` is a JSON
//! object, as are `emass.costs` and milestones that carry eMASS details (id,
//! status, completion date, comments).

use crate::text::format_milestones;
use poam_model::field::Value;
use poam_model::{Field, Item, Milestone, State, SystemInfo};

/// Column names, in order.
pub const COLUMNS: &[&str] = &[
    "id",
    "state",
    "status",
    "category",
    "controls",
    "control_parts",
    "unparsed_controls",
    "other_controls",
    "weakness_name",
    "weakness_description",
    "detector_source",
    "source_identifier",
    "assets",
    "point_of_contact",
    "resources_required",
    "remediation_plan",
    "detected_on",
    "scheduled_completion",
    "status_date",
    "completed_on",
    "milestones",
    "milestone_changes",
    "risk.original",
    "risk.adjusted",
    "risk.adjustment",
    "risk.false_positive",
    "risk.operational_requirement",
    "risk.deviation_rationale",
    "risk.auto_approve",
    "vendor.dependency",
    "vendor.last_checkin",
    "vendor.product",
    "cves",
    "kev.listed",
    "kev.due",
    "service_names",
    "supporting_documents",
    "comments",
    "emass.raw_severity",
    "emass.severity",
    "emass.relevance_of_threat",
    "emass.likelihood",
    "emass.impact",
    "emass.impact_description",
    "emass.residual_risk",
    "emass.resulting_residual_risk",
    "emass.mitigations",
    "emass.predisposing_conditions",
    "emass.threat_description",
    "emass.recommendations",
    "emass.identification_source_details",
    "emass.risk_accepted_expiration",
    "emass.cfo_audit",
    "emass.costs",
    "ssp_refs",
    "business_unit",
    "origin.file",
    "origin.sheet",
    "origin.row",
    "extra",
    "system.name",
    "system.organization",
    "system.impact_level",
    "system.poam_date",
    "system.extra",
];

fn json_map(map: &indexmap::IndexMap<String, String>) -> String {
    if map.is_empty() {
        String::new()
    } else {
        serde_json::to_string(map).unwrap_or_default()
    }
}

fn has_details(m: &Milestone) -> bool {
    m.id.is_some() || m.status.is_some() || m.completed_on.is_some() || m.comments.is_some()
}

/// The text of a typed value as a cell shows it.
pub fn value_text(value: &Value) -> String {
    match value {
        Value::Empty => String::new(),
        Value::Text(t) => t.clone(),
        Value::Date(d) => d.format("%Y-%m-%d").to_string(),
        Value::Rating(r) => r.label().to_string(),
        Value::YesNo(y) => y.label().to_string(),
        Value::Status(s) => s.label().to_string(),
        Value::List(l) => l.join("\n"),
        Value::Milestones(m) => format_milestones(m),
        Value::RawSeverity(r) => r.label().to_string(),
    }
}

/// The cells of one item, aligned with [`COLUMNS`]. The system columns repeat
/// on every row so that the CSV stands alone.
pub fn to_record(system: &SystemInfo, item: &Item) -> Vec<String> {
    COLUMNS
        .iter()
        .map(|col| match *col {
            "state" => match item.state {
                State::Open => "open".to_string(),
                State::Closed => "closed".to_string(),
            },
            "category" => item
                .category
                .map(|_| "configuration".to_string())
                .unwrap_or_default(),
            "controls" => item.controls.join("\n"),
            "control_parts" => item.control_parts.join("\n"),
            "unparsed_controls" => item.unparsed_controls.join("\n"),
            "other_controls" => item
                .other_controls
                .iter()
                .map(|o| format!("{}: {}", o.framework, o.id))
                .collect::<Vec<_>>()
                .join("\n"),
            "origin.file" => item
                .origin
                .as_ref()
                .map(|o| o.file.clone())
                .unwrap_or_default(),
            "origin.sheet" => item
                .origin
                .as_ref()
                .and_then(|o| o.sheet.clone())
                .unwrap_or_default(),
            "origin.row" => item
                .origin
                .as_ref()
                .and_then(|o| o.row)
                .map(|r| r.to_string())
                .unwrap_or_default(),
            "extra" => json_map(&item.extra),
            "emass.costs" => json_map(&item.emass.costs),
            "ssp_refs" if !item.ssp_refs.is_empty() => {
                serde_json::to_string(&item.ssp_refs).unwrap_or_default()
            }
            // Milestones with eMASS details (id, status...) go as JSON, others as text.
            "milestones" if item.milestones.iter().any(has_details) => {
                serde_json::to_string(&item.milestones).unwrap_or_default()
            }
            "system.name" => system.name.clone().unwrap_or_default(),
            "system.organization" => system.organization.clone().unwrap_or_default(),
            "system.impact_level" => system.impact_level.clone().unwrap_or_default(),
            "system.extra" => json_map(&system.extra),
            "system.poam_date" => system
                .poam_date
                .map(|d| d.format("%Y-%m-%d").to_string())
                .unwrap_or_default(),
            name => Field::from_name(name)
                .map(|f| value_text(&item.get(f)))
                .unwrap_or_default(),
        })
        .collect()
}
