//! OSCAL 1.1.2 plan-of-action-and-milestones JSON, with the FedRAMP
//! extensions. One poam-item per item, with one observation (detection date,
//! detector, assets) and one risk (weakness, controls, ratings, deviations,
//! deadline, remediation with milestone tasks, risk log). UUIDs are v5 UUIDs
//! from the POA&M ID (or the item's position and name), so the same input
//! always gives the same document.

use crate::{ExportError, Written};
use chrono::NaiveDate;
use poam_layout::oscal::{deviation_value, vendor_value, NS_FEDRAMP, NS_POAMKIT, OSCAL_VERSION};
use poam_model::control::parse_control;
use poam_model::field::Value as FieldValue;
use poam_model::{Category, Field, Item, Poam, State, Status};
use serde::ser::{Serialize, SerializeMap, Serializer};
use serde_json::{json, Map, Value};
use std::collections::BTreeMap;
use uuid::Uuid;

/// The namespace of poamkit's v5 UUIDs.
const UUID_NAMESPACE: Uuid = Uuid::from_u128(0x5d8e_4a1c_9b3f_4e27_a6d0_c1b2_e3f4_a5b6);

fn uuid(parts: &[&str]) -> String {
    Uuid::new_v5(&UUID_NAMESPACE, parts.join("\u{1f}").as_bytes()).to_string()
}

fn datetime(d: NaiveDate) -> String {
    format!("{}T00:00:00Z", d.format("%Y-%m-%d"))
}

fn fr(name: &str, value: &str) -> Value {
    json!({"name": name, "ns": NS_FEDRAMP, "value": value})
}

fn pk(name: &str, value: &str) -> Value {
    json!({"name": name, "ns": NS_POAMKIT, "value": value})
}

/// A poamkit prop whose `remarks` carry a label (an `extra` header).
fn pk_labelled(name: &str, value: &str, label: &str) -> Value {
    json!({"name": name, "ns": NS_POAMKIT, "value": value, "remarks": label})
}

/// The OSCAL control id of a canonical id (`AC-2(1)` → `ac-2.1`,
/// `CM-6b` → `cm-6_smt.b`); SP 800-171 ids stay as they are.
fn oscal_control_id(text: &str) -> String {
    let Some(id) = parse_control(text).and_then(|p| p.ids.into_iter().next()) else {
        return text.to_string();
    };
    if id.catalog != poam_model::control::Catalog::Sp80053 {
        return id.canonical_with_part().to_string();
    }
    let mut out = format!("{}-{}", id.family.to_lowercase(), id.number);
    if let Some(e) = id.enhancement {
        out.push_str(&format!(".{e}"));
    }
    if !id.part.is_empty() {
        out.push_str("_smt.");
        out.push_str(&id.part.join("."));
    }
    out
}

/// Parties, tools and assets named in the document (their UUIDs are v5
/// UUIDs of their names, so any item can name one without a lookup).
#[derive(Default)]
struct Definitions {
    parties: BTreeMap<String, String>,
    tools: BTreeMap<String, String>,
    assets: BTreeMap<String, String>,
}

fn party_uuid(name: &str) -> String {
    uuid(&["party", name])
}
fn tool_uuid(name: &str) -> String {
    uuid(&["tool", name])
}
fn asset_uuid(name: &str) -> String {
    uuid(&["asset", name])
}

impl Definitions {
    fn collect(poam: &Poam, org: &str) -> Definitions {
        let mut defs = Definitions::default();
        defs.parties.insert(org.to_string(), party_uuid(org));
        for item in &poam.items {
            if let Some(t) = &item.detector_source {
                defs.tools
                    .entry(t.to_string())
                    .or_insert_with(|| tool_uuid(t));
            }
            for a in &item.assets {
                defs.assets
                    .entry(a.to_string())
                    .or_insert_with(|| asset_uuid(a));
            }
            if let Some(p) = &item.point_of_contact {
                defs.parties
                    .entry(p.to_string())
                    .or_insert_with(|| party_uuid(p));
            }
        }
        defs
    }
}

/// A JSON array serialized from an iterator as it goes, so that a document of
/// 100,000 items is never built whole in memory.
struct Lazy<F>(F);

impl<F, I> Serialize for Lazy<F>
where
    F: Fn() -> I,
    I: Iterator<Item = Value>,
{
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq((self.0)())
    }
}

/// The document: small parts as values, the three per-item arrays lazily.
struct Root<F1, F2, F3> {
    head: Vec<(&'static str, Value)>,
    observations: Lazy<F1>,
    risks: Lazy<F2>,
    items: Lazy<F3>,
    empty: bool,
}

impl<F1, F2, F3, I1, I2, I3> Serialize for Root<F1, F2, F3>
where
    F1: Fn() -> I1,
    I1: Iterator<Item = Value>,
    F2: Fn() -> I2,
    I2: Iterator<Item = Value>,
    F3: Fn() -> I3,
    I3: Iterator<Item = Value>,
{
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut outer = serializer.serialize_map(Some(1))?;
        outer.serialize_entry("plan-of-action-and-milestones", &Inner(self))?;
        outer.end()
    }
}

struct Inner<'a, F1, F2, F3>(&'a Root<F1, F2, F3>);

impl<F1, F2, F3, I1, I2, I3> Serialize for Inner<'_, F1, F2, F3>
where
    F1: Fn() -> I1,
    I1: Iterator<Item = Value>,
    F2: Fn() -> I2,
    I2: Iterator<Item = Value>,
    F3: Fn() -> I3,
    I3: Iterator<Item = Value>,
{
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let root = self.0;
        let mut map = serializer.serialize_map(None)?;
        for (k, v) in &root.head {
            map.serialize_entry(k, v)?;
        }
        if !root.empty {
            map.serialize_entry("observations", &root.observations)?;
            map.serialize_entry("risks", &root.risks)?;
        }
        map.serialize_entry("poam-items", &root.items)?;
        map.end()
    }
}

/// The document part with every one-line place holding one line, as
/// OSCAL's patterns ask (a prop or facet value, a title, a party's name):
/// multi-line text is written in its one-line form there, and whole in the
/// remarks beside it (after the label a prop's remarks already hold, and a
/// blank line), where OSCAL allows markup; the reader takes it back from
/// there. A prop whose value is blank is left out.
fn single_lines(mut v: Value) -> Value {
    fn walk(v: &mut Value) {
        match v {
            Value::Object(map) => {
                for key in ["props", "facets"] {
                    if let Some(Value::Array(list)) = map.get_mut(key) {
                        list.retain_mut(fix_value);
                    }
                }
                for key in ["title", "name"] {
                    // A prop's or facet's name is a token; a title or a
                    // party's name is text.
                    if key == "name" && map.get("type").is_none() {
                        continue;
                    }
                    if let Some(Value::String(t)) = map.get(key) {
                        let line = poam_layout::text::one_line(t);
                        if line != *t {
                            if key == "name" && !map.contains_key("remarks") {
                                map.insert("remarks".into(), Value::String(t.clone()));
                            }
                            map.insert(key.into(), Value::String(line));
                        }
                    }
                }
                for (_, child) in map.iter_mut() {
                    walk(child);
                }
            }
            Value::Array(list) => list.iter_mut().for_each(walk),
            _ => {}
        }
    }
    /// Puts one prop or facet on one line; false when its value is blank.
    fn fix_value(p: &mut Value) -> bool {
        let Some(Value::String(value)) = p.get("value") else {
            return true;
        };
        let line = poam_layout::text::one_line(value);
        if line == *value {
            return true;
        }
        if line.is_empty() {
            return false;
        }
        let whole = value.clone();
        let remarks = match p.get("remarks").and_then(Value::as_str) {
            Some(label) => format!("{label}\n\n{whole}"),
            None => whole,
        };
        p["remarks"] = Value::String(remarks);
        p["value"] = Value::String(line);
        true
    }
    walk(&mut v);
    v
}

/// The key an item's UUIDs derive from.
fn item_key(n: usize, item: &Item) -> String {
    match &item.id {
        Some(id) => format!("id:{id}"),
        None => format!(
            "row:{n}:{}",
            item.weakness_name.as_deref().unwrap_or_default()
        ),
    }
}

fn observation_json(n: usize, item: &Item, fallback_date: NaiveDate) -> Value {
    let key = item_key(n, item);
    let mut obs = json!({
        "uuid": uuid(&["observation", &key]),
        "description": item.weakness_description.clone().or_else(|| item.weakness_name.clone()).unwrap_or_else(|| "Finding".into()),
        "methods": ["TEST"],
        "types": ["finding"],
        "collected": datetime(item.detected_on.unwrap_or(fallback_date)),
    });
    let mut obs_props = Vec::new();
    if item.detected_on.is_none() {
        obs_props.push(pk("collected-unknown", "true"));
    }
    if item.detector_source.is_none() {
        obs_props.push(pk("no-detector", "true"));
    }
    if !obs_props.is_empty() {
        obs["props"] = Value::Array(obs_props);
    }
    if let Some(tool) = &item.detector_source {
        obs["origins"] = json!([{"actors": [{"type": "tool", "actor-uuid": tool_uuid(tool)}]}]);
    }
    if !item.assets.is_empty() {
        let subjects: Vec<Value> = item
            .assets
            .iter()
            .map(|a| json!({"subject-uuid": asset_uuid(a), "type": "inventory-item"}))
            .collect();
        obs["subjects"] = Value::Array(subjects);
    }
    obs
}

fn poam_item_json(n: usize, item: &Item) -> Value {
    let key = item_key(n, item);
    let mut pi = json!({
        "uuid": uuid(&["poam-item", &key]),
        "title": item.weakness_name.clone().unwrap_or_else(|| "POA&M item".into()),
        "description": item.weakness_description.clone().unwrap_or_else(|| "See the related risk.".into()),
        "related-observations": [{"observation-uuid": uuid(&["observation", &key])}],
        "related-risks": [{"risk-uuid": uuid(&["risk", &key])}],
    });
    if let Some(id) = &item.id {
        pi["props"] = json!([fr("POAM-ID", id)]);
    }
    if let Some(c) = &item.comments {
        pi["remarks"] = json!(c);
    }
    pi
}

/// Writes the model as an OSCAL POA&M.
///
/// Fields OSCAL and FedRAMP have no place for (eMASS fields, service names,
/// supporting documents, `extra` cells...) are written as props in
/// poamkit's own namespace, which other tools ignore and poamkit reads back.
///
/// # Errors
///
/// [`ExportError::Json`] if serialization fails (it does not for valid models).
pub fn write_oscal(poam: &Poam) -> Result<Written, ExportError> {
    let mut bytes = Vec::new();
    write_oscal_to(poam, &mut bytes)?;
    Ok(Written {
        bytes,
        diagnostics: Vec::new(),
    })
}

/// Writes the model as an OSCAL POA&M to `out` as it goes (pretty-printed
/// JSON): the per-item arrays are never held whole in memory.
///
/// # Errors
///
/// [`ExportError::Json`] when writing to `out` fails.
pub fn write_oscal_to<W: std::io::Write>(poam: &Poam, out: W) -> Result<(), ExportError> {
    if poam.items.is_empty() {
        return Err(ExportError::Empty(
            "an OSCAL POA&M needs at least one item (NIST's schema requires poam-items), and this POA&M has none; \
             a blank template has nothing to convert"
                .into(),
        ));
    }
    let sys = &poam.system;
    let org = sys
        .organization
        .clone()
        .unwrap_or_else(|| "Organization not named".to_string());
    let org_uuid = party_uuid(&org);
    let defs = Definitions::collect(poam, &org);
    let fallback_date = sys
        .poam_date
        .or_else(|| {
            poam.items
                .iter()
                .filter_map(|i| i.status_date.or(i.detected_on))
                .max()
        })
        .unwrap_or_else(|| NaiveDate::from_ymd_opt(2000, 1, 1).unwrap_or_default());
    let title = sys
        .name
        .clone()
        .unwrap_or_else(|| "Plan of Action and Milestones".to_string());
    // What the document's UUID and generated system-id derive from: the
    // system's name, the same every month; without one, the input itself
    // (its items), so that unrelated files never share them.
    let identity = match &sys.name {
        Some(name) => name.clone(),
        None => {
            let mut keys: Vec<String> = poam
                .items
                .iter()
                .enumerate()
                .map(|(n, i)| {
                    format!(
                        "{}\u{1f}{}",
                        item_key(n, i),
                        i.weakness_description.as_deref().unwrap_or_default()
                    )
                })
                .collect();
            keys.sort();
            format!(
                "unnamed:{}",
                uuid(&keys.iter().map(String::as_str).collect::<Vec<_>>())
            )
        }
    };
    let mut meta_props = Vec::new();
    for (missing, flag) in [
        (sys.name.is_none(), "no-system-name"),
        (sys.organization.is_none(), "no-organization"),
        (sys.poam_date.is_none(), "no-poam-date"),
        (!sys.extra.contains_key("system-id"), "generated-system-id"),
    ] {
        if missing {
            meta_props.push(pk(flag, "true"));
        }
    }
    if let Some(level) = &sys.impact_level {
        meta_props.push(pk("impact-level", level));
    }
    // OSCAL's own property for a document's marking.
    if let Some(marking) = &sys.marking {
        meta_props.insert(0, json!({"name": "marking", "value": marking}));
    }
    for (label, value) in &sys.extra {
        if label != "system-id" && label != "import-ssp" {
            meta_props.push(pk_labelled("system-extra", value, label));
        }
    }
    let parties: Vec<Value> = defs
        .parties
        .iter()
        .map(|(name, u)| {
            let kind = if *name == org {
                "organization"
            } else {
                "person"
            };
            json!({"uuid": u, "type": kind, "name": name})
        })
        .collect();
    let mut metadata = json!({
        "title": title,
        "published": datetime(fallback_date),
        "last-modified": datetime(fallback_date),
        "version": "1.0",
        "oscal-version": OSCAL_VERSION,
        "roles": [{"id": "cloud-service-provider", "title": "Cloud Service Provider"}],
        "parties": parties,
        "responsible-parties": [{"role-id": "cloud-service-provider", "party-uuids": [org_uuid]}],
    });
    if !meta_props.is_empty() {
        metadata["props"] = Value::Array(meta_props);
    }
    let mut head: Vec<(&'static str, Value)> = vec![
        ("uuid", json!(uuid(&["poam", &identity]))),
        ("metadata", metadata),
    ];
    if let Some(href) = sys.extra.get("import-ssp") {
        head.push(("import-ssp", json!({"href": href})));
    }
    let (id_type, system_id) = match sys.extra.get("system-id") {
        Some(id) => ("https://fedramp.gov".to_string(), id.clone()),
        None => (
            "http://ietf.org/rfc/rfc4122".to_string(),
            uuid(&["system", &identity]),
        ),
    };
    head.push((
        "system-id",
        json!({"identifier-type": id_type, "id": system_id}),
    ));
    let mut local = Map::new();
    if !defs.tools.is_empty() {
        let comps: Vec<Value> = defs
            .tools
            .iter()
            .map(|(name, u)| {
                json!({"uuid": u, "type": "software", "title": name, "description": format!("Weakness detector: {name}"),
                       "props": [fr("name", name)], "status": {"state": "operational"}})
            })
            .collect();
        local.insert("components".into(), Value::Array(comps));
    }
    if !defs.assets.is_empty() {
        let inv: Vec<Value> = defs
            .assets
            .iter()
            .map(|(name, u)| json!({"uuid": u, "description": name, "props": [{"name": "asset-id", "value": name}]}))
            .collect();
        local.insert("inventory-items".into(), Value::Array(inv));
    }
    if !local.is_empty() {
        head.push(("local-definitions", Value::Object(local)));
    }
    for (_, v) in head.iter_mut() {
        *v = single_lines(std::mem::take(v));
    }
    let items = &poam.items;
    let root = Root {
        head,
        observations: Lazy(|| {
            items
                .iter()
                .enumerate()
                .map(|(n, i)| single_lines(observation_json(n, i, fallback_date)))
        }),
        risks: Lazy(|| {
            items.iter().enumerate().map(|(n, i)| {
                single_lines(risk_json(
                    i,
                    &uuid(&["risk", &item_key(n, i)]),
                    &item_key(n, i),
                    &org_uuid,
                ))
            })
        }),
        items: Lazy(|| {
            items
                .iter()
                .enumerate()
                .map(|(n, i)| single_lines(poam_item_json(n, i)))
        }),
        empty: items.is_empty(),
    };
    let mut out = std::io::BufWriter::new(out);
    serde_json::to_writer_pretty(&mut out, &root)?;
    std::io::Write::write_all(&mut out, b"\n").map_err(serde_json::Error::io)?;
    std::io::Write::flush(&mut out).map_err(serde_json::Error::io)?;
    Ok(())
}

fn risk_json(item: &Item, risk_uuid: &str, key: &str, org_uuid: &str) -> Value {
    let mut props = Vec::new();
    // The controls in the control slot (`cm-6`), a statement part named
    // beside them (`CM-6b` is part b of cm-6, not a control id).
    for c in &item.controls {
        props.push(fr("impacted-control-id", &oscal_control_id(c)));
    }
    for p in &item.control_parts {
        props.push(pk("control-part", p));
    }
    for u in &item.unparsed_controls {
        props.push(pk("unparsed-control", u));
    }
    // eMASS assessment procedures beside their controls (`CM-6.5` is
    // procedure 5 of cm-6, whose impacted-control-id is above), and the
    // DISA CCIs named.
    for p in &item.procedures {
        props.push(pk("assessment-procedure", p));
    }
    for c in &item.ccis {
        props.push(pk("cci", c));
    }
    // A title holds one line: a weakness name on several is kept whole here.
    if let Some(n) = item.weakness_name.as_deref().filter(|n| n.contains('\n')) {
        props.push(pk("weakness-name", n));
    }
    if let Some(v) = item.risk.adjustment {
        props.push(fr("risk-adjustment", deviation_value(v)));
    }
    if let Some(v) = item.risk.false_positive {
        props.push(fr("false-positive", deviation_value(v)));
    }
    if let Some(v) = item.risk.operational_requirement {
        props.push(fr("operational-requirement", deviation_value(v)));
    }
    if let Some(v) = item.vendor.dependency {
        props.push(fr("vendor-dependency", vendor_value(v)));
    }
    if let Some(v) = item.kev.listed {
        props.push(fr("kev-catalog", v.key()));
    }
    if let Some(d) = item.kev.due {
        props.push(fr("kev-due-date", &d.format("%Y-%m-%d").to_string()));
    }
    // What OSCAL has no field for, in poamkit's namespace.
    props.push(pk("status", item.status.map_or("unset", |s| s.key())));
    if item.category == Some(Category::Configuration) {
        props.push(pk("category", "configuration"));
    }
    if item.detector_source.is_none() {
        if let Some(s) = &item.source_identifier {
            props.push(pk("source-identifier", s));
        }
    }
    if let Some(d) = item.status_date {
        props.push(pk("status-date", &d.format("%Y-%m-%d").to_string()));
    }
    if let Some(c) = &item.milestone_changes {
        props.push(pk("milestone-changes", c));
    }
    if let Some(v) = item.risk.auto_approve {
        props.push(pk("auto-approve", v.key()));
    }
    if let Some(p) = &item.vendor.product {
        props.push(pk("vendor-product", p));
    }
    for s in &item.service_names {
        props.push(pk("service-name", s));
    }
    if let Some(s) = &item.supporting_documents {
        props.push(pk("supporting-documents", s));
    }
    if let Some(d) = item.completed_on {
        if item.state != State::Closed {
            props.push(pk("completed-on", &d.format("%Y-%m-%d").to_string()));
        }
    }
    for field in Field::ALL.iter().filter(|f| f.name().starts_with("emass.")) {
        match (field, item.get(*field)) {
            (_, FieldValue::Empty) => {}
            (Field::Costs, _) => {
                for (k, v) in &item.emass.costs {
                    props.push(pk_labelled("emass.costs", v, k));
                }
            }
            (_, FieldValue::Date(d)) => {
                props.push(pk(field.name(), &d.format("%Y-%m-%d").to_string()))
            }
            (_, FieldValue::Rating(r)) => props.push(pk(field.name(), r.key())),
            (_, FieldValue::RawSeverity(r)) => props.push(pk(field.name(), r.label())),
            (_, other) => props.push(pk(field.name(), &poam_layout::flat::value_text(&other))),
        }
    }
    for (header, value) in &item.extra {
        props.push(pk_labelled("extra", value, header));
    }
    if !item.ssp_refs.is_empty() {
        props.push(pk(
            "ssp-refs",
            &serde_json::to_string(&item.ssp_refs).unwrap_or_default(),
        ));
    }
    let status = match (item.state, item.status) {
        (State::Closed, _) => "closed",
        (_, Some(Status::RiskAccepted)) => "deviation-approved",
        _ => "open",
    };
    // Characterizations: the ratings from the organization, the CVEs and
    // identifiers from the tool. OSCAL wants at least one facet in each.
    let mut characterizations = Vec::new();
    let tool = item.detector_source.as_deref().map(tool_uuid);
    let cve_facets: Vec<Value> = item
        .cves
        .iter()
        .map(|c| json!({"name": "cve-id", "system": "http://cve.mitre.org", "value": c}))
        .collect();
    let mut rating_facets = Vec::new();
    for (rating, state) in [
        (item.risk.original, "initial"),
        (item.risk.adjusted, "adjusted"),
    ] {
        if let Some(r) = rating {
            rating_facets.push(
                json!({"name": "risk", "system": NS_FEDRAMP, "value": r.key(),
                                      "props": [{"name": "state", "value": state}]}),
            );
        }
    }
    match &tool {
        Some(t) => {
            let mut actor = json!({"type": "tool", "actor-uuid": t});
            if let Some(s) = &item.source_identifier {
                actor["props"] = json!([fr("plugin-id", s)]);
            }
            let mut facets = cve_facets;
            if facets.is_empty() && item.source_identifier.is_some() {
                facets.push(
                    json!({"name": "weakness-source-identifier", "system": NS_POAMKIT,
                                   "value": item.source_identifier.clone().unwrap_or_default()}),
                );
            }
            if !facets.is_empty() {
                characterizations.push(json!({"origin": {"actors": [actor]}, "facets": facets}));
            }
        }
        None => rating_facets.extend(cve_facets),
    }
    if !rating_facets.is_empty() {
        characterizations.push(json!({"origin": {"actors": [{"type": "party", "actor-uuid": org_uuid}]}, "facets": rating_facets}));
    }
    let mut risk = json!({
        "uuid": risk_uuid,
        "title": item.weakness_name.clone().unwrap_or_else(|| "Weakness".into()),
        "description": item.weakness_description.clone().unwrap_or_else(|| item.weakness_name.clone().unwrap_or_else(|| "Weakness".into())),
        "statement": "No Risk Statement",
        "status": status,
    });
    if item.weakness_name.is_none() {
        props.push(pk("no-weakness-name", "true"));
    }
    if item.weakness_description.is_none() {
        props.push(pk("no-weakness-description", "true"));
    }
    if !props.is_empty() {
        risk["props"] = Value::Array(props);
    }
    if !characterizations.is_empty() {
        risk["characterizations"] = Value::Array(characterizations);
    }
    if let Some(d) = &item.risk.deviation_rationale {
        risk["mitigating-factors"] =
            json!([{"uuid": uuid(&["mitigating-factor", key]), "description": d}]);
    }
    if let Some(d) = item.scheduled_completion {
        risk["deadline"] = json!(datetime(d));
    }
    // The planned remediation: plan, owner, resources, milestone tasks.
    let has_plan = item.remediation_plan.is_some()
        || item.point_of_contact.is_some()
        || item.resources_required.is_some()
        || !item.milestones.is_empty();
    if has_plan {
        let mut plan = json!({
            "uuid": uuid(&["remediation", key]),
            "lifecycle": "planned",
            "title": "Remediation plan",
            "description": item.remediation_plan.clone().unwrap_or_default(),
        });
        if let Some(poc) = &item.point_of_contact {
            let p = party_uuid(poc);
            plan["origins"] = json!([{"actors": [{"type": "party", "actor-uuid": p}]}]);
        }
        if let Some(r) = &item.resources_required {
            plan["required-assets"] =
                json!([{"uuid": uuid(&["required-asset", key]), "description": r}]);
        }
        let tasks: Vec<Value> = item
            .milestones
            .iter()
            .enumerate()
            .map(|(k, m)| {
                let mut task = json!({
                    "uuid": uuid(&["task", key, &k.to_string()]),
                    "type": "milestone",
                    "title": m.description,
                });
                if let Some(c) = &m.comments {
                    task["description"] = json!(c);
                }
                if let Some(d) = m.due {
                    task["timing"] = json!({"on-date": {"date": datetime(d)}});
                }
                let mut tprops = Vec::new();
                if let Some(id) = &m.id {
                    tprops.push(pk("milestone-id", id));
                }
                if let Some(s) = m.status {
                    tprops.push(pk("milestone-status", s.key()));
                }
                if let Some(d) = m.completed_on {
                    tprops.push(pk(
                        "milestone-completed-on",
                        &d.format("%Y-%m-%d").to_string(),
                    ));
                }
                if !tprops.is_empty() {
                    task["props"] = Value::Array(tprops);
                }
                task
            })
            .collect();
        if !tasks.is_empty() {
            plan["tasks"] = Value::Array(tasks);
        }
        risk["remediations"] = json!([plan]);
    }
    // The risk log: vendor check-in and closure.
    let mut entries = Vec::new();
    if let Some(d) = item.vendor.last_checkin {
        entries.push(json!({"uuid": uuid(&["log", key, "vendor"]), "title": "Vendor Check-in", "start": datetime(d),
                            "props": [fr("vendor-dependency", "vendor-check-in")]}));
    }
    if let (State::Closed, Some(d)) = (item.state, item.completed_on) {
        entries.push(json!({"uuid": uuid(&["log", key, "closed"]), "title": "Risk Closed", "start": datetime(d),
                            "status-change": "closed"}));
    }
    if !entries.is_empty() {
        risk["risk-log"] = json!({"entries": entries});
    }
    risk
}
