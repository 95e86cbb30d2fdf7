//! The flat, one-row-per-item form used by poamkit's CSV: stable column
//! names and the text each field is written as.
//!
//! Columns are the model's field names (`risk.original`) plus `state`,
//! `category`, `control_parts`, `unparsed_controls`, `procedures` (eMASS
//! assessment procedures), `origin.*`, `extra` and
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
    "procedures",
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
    "ccis",
    "kev.listed",
    "kev.due",
    "service_names",
    "supporting_documents",
    "comments",
    "quality.standard",
    "quality.grade",
    "quality.root_cause",
    "quality.containment",
    "quality.preventive_action",
    "quality.effectiveness_checked_on",
    "quality.effectiveness_result",
    "quality.verified_by",
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
    "system.marking",
    "system.poam_date",
    "system.extra",
];

fn json_map<K: serde::Serialize, V: serde::Serialize>(map: &indexmap::IndexMap<K, V>) -> String {
    if map.is_empty() {
        String::new()
    } else {
        serde_json::to_string(map).unwrap_or_default()
    }
}

fn has_details(m: &Milestone) -> bool {
    m.id.is_some() || m.status.is_some() || m.completed_on.is_some() || m.comments.is_some()
}

/// `YYYY-MM-DD` (chrono's `format` parses its pattern on every call).
fn iso_date(d: chrono::NaiveDate) -> String {
    use chrono::Datelike;
    format!("{:04}-{:02}-{:02}", d.year(), d.month(), d.day())
}

/// The text of a typed value as a cell shows it.
pub fn value_text(value: &Value) -> String {
    match value {
        Value::Empty => String::new(),
        Value::Text(t) => t.to_string(),
        Value::Date(d) => iso_date(*d),
        Value::Rating(r) => r.label().to_string(),
        Value::YesNo(y) => y.label().to_string(),
        Value::Status(s) => s.label().to_string(),
        Value::List(l) => l.join("\n"),
        Value::Milestones(m) => format_milestones(m),
        Value::RawSeverity(r) => r.label().to_string(),
    }
}

/// What a column of [`COLUMNS`] holds, worked out once rather than by name
/// for every row.
#[derive(Clone, Copy)]
enum Column {
    State,
    Category,
    Controls,
    ControlParts,
    UnparsedControls,
    Procedures,
    OtherControls,
    OriginFile,
    OriginSheet,
    OriginRow,
    Extra,
    Costs,
    SspRefs,
    Milestones,
    SystemName,
    SystemOrganization,
    SystemImpactLevel,
    SystemMarking,
    SystemExtra,
    SystemPoamDate,
    Field(Field),
    Unknown,
}

fn columns() -> &'static [Column] {
    static ALL: std::sync::OnceLock<Vec<Column>> = std::sync::OnceLock::new();
    ALL.get_or_init(|| {
        COLUMNS
            .iter()
            .map(|name| match *name {
                "state" => Column::State,
                "category" => Column::Category,
                "controls" => Column::Controls,
                "control_parts" => Column::ControlParts,
                "unparsed_controls" => Column::UnparsedControls,
                "procedures" => Column::Procedures,
                "other_controls" => Column::OtherControls,
                "origin.file" => Column::OriginFile,
                "origin.sheet" => Column::OriginSheet,
                "origin.row" => Column::OriginRow,
                "extra" => Column::Extra,
                "emass.costs" => Column::Costs,
                "ssp_refs" => Column::SspRefs,
                "milestones" => Column::Milestones,
                "system.name" => Column::SystemName,
                "system.organization" => Column::SystemOrganization,
                "system.impact_level" => Column::SystemImpactLevel,
                "system.marking" => Column::SystemMarking,
                "system.extra" => Column::SystemExtra,
                "system.poam_date" => Column::SystemPoamDate,
                name => Field::from_name(name).map_or(Column::Unknown, Column::Field),
            })
            .collect()
    })
}

/// The cells of one item, aligned with [`COLUMNS`]. The system columns repeat
/// on every row so that the CSV stands alone.
pub fn to_record(system: &SystemInfo, item: &Item) -> Vec<String> {
    columns()
        .iter()
        .map(|col| match *col {
            Column::State => match item.state {
                State::Open => "open".to_string(),
                State::Closed => "closed".to_string(),
            },
            Column::Category => item
                .category
                .map(|_| "configuration".to_string())
                .unwrap_or_default(),
            Column::Controls => item.controls.join("\n"),
            Column::ControlParts => item.control_parts.join("\n"),
            Column::UnparsedControls => item.unparsed_controls.join("\n"),
            Column::Procedures => item.procedures.join("\n"),
            Column::OtherControls => item
                .other_controls
                .iter()
                .map(|o| format!("{}: {}", o.framework, o.id))
                .collect::<Vec<_>>()
                .join("\n"),
            Column::OriginFile => item
                .origin
                .as_ref()
                .map(|o| o.file.to_string())
                .unwrap_or_default(),
            Column::OriginSheet => item
                .origin
                .as_ref()
                .and_then(|o| o.sheet.as_deref().map(str::to_string))
                .unwrap_or_default(),
            Column::OriginRow => item
                .origin
                .as_ref()
                .and_then(|o| o.row)
                .map(|r| r.to_string())
                .unwrap_or_default(),
            Column::Extra => json_map(&item.extra),
            Column::Costs => json_map(&item.emass.costs),
            Column::SspRefs if !item.ssp_refs.is_empty() => {
                serde_json::to_string(&item.ssp_refs).unwrap_or_default()
            }
            Column::SspRefs | Column::Unknown => String::new(),
            // Milestones with eMASS details (id, status...) go as JSON, others as text.
            Column::Milestones if item.milestones.iter().any(has_details) => {
                serde_json::to_string(&item.milestones).unwrap_or_default()
            }
            Column::Milestones => format_milestones(&item.milestones),
            Column::SystemName => system.name.clone().unwrap_or_default(),
            Column::SystemOrganization => system.organization.clone().unwrap_or_default(),
            Column::SystemImpactLevel => system.impact_level.clone().unwrap_or_default(),
            Column::SystemMarking => system.marking.clone().unwrap_or_default(),
            Column::SystemExtra => json_map(&system.extra),
            Column::SystemPoamDate => system
                .poam_date
                .map(|d| d.format("%Y-%m-%d").to_string())
                .unwrap_or_default(),
            Column::Field(f) => value_text(&item.get(f)),
        })
        .collect()
}
