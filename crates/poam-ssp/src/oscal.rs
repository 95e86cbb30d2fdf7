//! OSCAL SSP JSON: `control-implementation.implemented-requirements`, with
//! the implementation status from FedRAMP props (`implementation-status`,
//! `planned-completion-date`, `control-origination`) or from core OSCAL
//! (`by-components[].implementation-status.state`, also under statements).

use crate::{ImplStatus, Section, SspIndex};
use chrono::NaiveDate;
use poam_model::control::parse_controls;
use poam_model::{DiagKind, Diagnostic, Location};
use serde_json::Value;

fn s<'a>(v: &'a Value, key: &str) -> Option<&'a str> {
    v.get(key)
        .and_then(Value::as_str)
        .map(str::trim)
        .filter(|t| !t.is_empty())
}

fn arr<'a>(v: &'a Value, key: &str) -> &'a [Value] {
    v.get(key)
        .and_then(Value::as_array)
        .map_or(&[], Vec::as_slice)
}

fn props<'a>(v: &'a Value, name: &str) -> Vec<&'a str> {
    arr(v, "props")
        .iter()
        .filter(|p| s(p, "name") == Some(name))
        .filter_map(|p| s(p, "value"))
        .collect()
}

fn push(section: &mut Section, status: Option<ImplStatus>) {
    if let Some(st) = status {
        if !section.status.contains(&st) {
            section.status.push(st);
        }
    }
}

/// Builds the index of an OSCAL SSP; `None` when the JSON is no SSP.
pub(crate) fn index(file: &str, doc: &Value) -> Option<SspIndex> {
    let ssp = doc.get("system-security-plan")?;
    let mut index = SspIndex {
        kind: "oscal-ssp".into(),
        ..SspIndex::default()
    };
    for (n, req) in arr(&ssp["control-implementation"], "implemented-requirements")
        .iter()
        .enumerate()
    {
        let path = format!("control-implementation.implemented-requirements[{n}]");
        let Some(id) = s(req, "control-id") else {
            index.diagnostics.push(Diagnostic::new(
                DiagKind::MissingControlId,
                Location::path(file, path),
            ));
            continue;
        };
        let parsed = parse_controls(id);
        let Some(control) = parsed.controls.first().cloned() else {
            index.diagnostics.push(Diagnostic::new(
                DiagKind::BadControlId { id: id.to_string() },
                Location::path(file, path),
            ));
            continue;
        };
        let mut section = Section {
            control: control.to_string(),
            heading: id.to_string(),
            location: path.clone(),
            ..Section::default()
        };
        for v in props(req, "implementation-status") {
            push(&mut section, ImplStatus::parse(v));
        }
        for v in props(req, "control-origination") {
            section.origination.push(v.to_string());
        }
        section.planned_completion = props(req, "planned-completion-date")
            .first()
            .and_then(|d| d.get(..10))
            .and_then(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok());
        let by_components = arr(req, "by-components").iter().chain(
            arr(req, "statements")
                .iter()
                .flat_map(|st| arr(st, "by-components")),
        );
        for bc in by_components {
            push(
                &mut section,
                bc.get("implementation-status")
                    .and_then(|x| s(x, "state"))
                    .and_then(ImplStatus::parse),
            );
            for v in props(bc, "implementation-status") {
                push(&mut section, ImplStatus::parse(v));
            }
            if s(bc, "description").is_some_and(|d| d.to_lowercase().contains("poa&m")) {
                section.mentions_poam = true;
            }
        }
        for st in arr(req, "statements") {
            if let Some(part) = s(st, "statement-id")
                .and_then(|sid| sid.split_once("_smt."))
                .map(|(_, p)| p.to_string())
            {
                section.parts.push(part);
            }
        }
        if s(req, "remarks").is_some_and(|r| r.to_lowercase().contains("poa&m")) {
            section.mentions_poam = true;
        }
        for role in arr(req, "responsible-roles") {
            if let Some(r) = s(role, "role-id") {
                section
                    .responsible_role
                    .get_or_insert_with(|| r.to_string());
            }
        }
        index.sections.push(section);
    }
    Some(index)
}
