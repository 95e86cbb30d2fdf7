//! The flat, one-row-per-item form used by poamkit's CSV: stable column
//! names and the text each field is written as.
//!
//! Columns are the model's field names (`risk.original`) plus `state`,
//! `category`, `control_parts`, `unparsed_controls`, `origin.*`, `extra` and
//! `system.*` (repeated on every row).
//! Lists are joined by new lines inside the cell, dates are ISO
//! `YYYY-MM-DD`, ratings and answers use the template words (`Moderate`,
//! `Yes`), milestones use the FedRAMP block form, and `extra` is a JSON
//! object.

use crate::text::format_milestones;
use poam_model::field::Value;
use poam_model::{Field, Item, State, SystemInfo};

/// Column names, in order.
pub const COLUMNS: &[&str] = &[
    "id",
    "state",
    "status",
    "category",
    "controls",
    "control_parts",
    "unparsed_controls",
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
    "origin.file",
    "origin.sheet",
    "origin.row",
    "extra",
    "system.name",
    "system.organization",
    "system.impact_level",
    "system.poam_date",
];

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
            "extra" => {
                if item.extra.is_empty() {
                    String::new()
                } else {
                    serde_json::to_string(&item.extra).unwrap_or_default()
                }
            }
            "system.name" => system.name.clone().unwrap_or_default(),
            "system.organization" => system.organization.clone().unwrap_or_default(),
            "system.impact_level" => system.impact_level.clone().unwrap_or_default(),
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
