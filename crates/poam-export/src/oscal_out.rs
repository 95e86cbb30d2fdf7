//! OSCAL 1.1.2 plan-of-action-and-milestones JSON, with the FedRAMP
//! extensions. One poam-item per item, with one observation (detection date,
//! detector, assets) and one risk (weakness, controls, ratings, deviations,
//! deadline, remediation with milestone tasks, risk log). UUIDs are v5 UUIDs
//! from the POA&M ID (or the item's position and name), so the same input
//! always gives the same document.

use crate::{ExportError, Written};
use chrono::NaiveDate;
use poam_layout::oscal::{
    deviation_value, document_uuid, identity, item_key, kept_text, merge_entries, put_back,
    vendor_value, Kept, FEDRAMP_VERSION, KEPT, NS_FEDRAMP, NS_FEDRAMP_HTTP, NS_POAMKIT,
    OSCAL_VERSION,
};
use poam_model::control::parse_control;
use poam_model::field::Value as FieldValue;
use poam_model::{Category, Field, Item, Poam, State, Status, YesNo};
use serde::ser::{Serialize, SerializeMap, Serializer};
use serde_json::{json, Map, Value};
use std::collections::BTreeMap;

use poam_layout::oscal::{derived_uuid as uuid, midnight as datetime};

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

/// The UUID of a party, tool (component) or asset (inventory item) by its
/// name: the one an OSCAL input kept (`party:NAME`), else one derived from
/// the kind and the name, as the reader derives it to know it again.
fn kept_uuid(document: &Kept, kind: &str, name: &str) -> String {
    document
        .get(&format!("{kind}:{name}"))
        .map_or_else(|| uuid(&[kind, name]), str::to_string)
}

impl Definitions {
    fn collect(poam: &Poam, org: &str, document: &Kept) -> Definitions {
        let mut defs = Definitions::default();
        defs.parties
            .insert(org.to_string(), kept_uuid(document, "party", org));
        for item in &poam.items {
            if let Some(t) = &item.detector_source {
                defs.tools
                    .entry(t.to_string())
                    .or_insert_with(|| kept_uuid(document, "tool", t));
            }
            let kept = Kept::parse(item.extra.get(KEPT).map(|t| t.as_str()));
            for a in item
                .assets
                .iter()
                .filter(|a| kept_subject(&kept, a).is_none())
            {
                defs.assets
                    .entry(a.to_string())
                    .or_insert_with(|| kept_uuid(document, "asset", a));
            }
            if let Some(p) = &item.point_of_contact {
                defs.parties
                    .entry(p.to_string())
                    .or_insert_with(|| kept_uuid(document, "party", p));
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
    tail: Vec<(String, Value)>,
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
        for (k, v) in &root.tail {
            map.serialize_entry(k, v)?;
        }
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

/// One item as the writer sees it: its key, the details an OSCAL input kept
/// (UUIDs, date-times...), its FedRAMP deadline.
struct Entry<'a> {
    item: &'a Item,
    /// What the item's UUIDs derive from: the document's UUID and the
    /// item's own key, so that two systems' items never share a UUID.
    key: String,
    kept: Kept,
    /// What the input kept for the whole document (its parties' UUIDs).
    document: &'a Kept,
}

impl<'a> Entry<'a> {
    fn new(n: usize, item: &'a Item, document: &'a Kept, seed: &str) -> Entry<'a> {
        Entry {
            item,
            key: format!("{seed}\u{1f}{}", item_key(n, item)),
            kept: Kept::parse(item.extra.get(KEPT).map(|t| t.as_str())),
            document,
        }
    }
    /// A party's UUID: the input's, else one derived from its name.
    fn party(&self, name: &str) -> String {
        kept_uuid(self.document, "party", name)
    }
    /// A UUID the input kept, else one derived from the item's key.
    fn uuid(&self, what: &str) -> String {
        match self.kept.get(&format!("uuid:{what}")) {
            Some(u) => u.to_string(),
            None => uuid(&[what, &self.key]),
        }
    }
    /// A date-time: the input's own while its day is the model's.
    fn time(&self, what: &str, d: NaiveDate) -> String {
        self.kept
            .time_on(&format!("time:{what}"), d)
            .map_or_else(|| datetime(d), str::to_string)
    }
    fn extra(&self, key: &str) -> Option<&str> {
        self.item.extra.get(key).map(|t| t.as_str())
    }
    /// The risk's deadline, and how it was derived when the item has no
    /// scheduled completion date (FedRAMP requires one on every risk).
    fn deadline(&self, fallback: NaiveDate) -> (NaiveDate, Option<&'static str>) {
        let item = self.item;
        if let Some(d) = item.scheduled_completion {
            return (d, None);
        }
        if let (State::Closed, Some(d)) = (item.state, item.completed_on) {
            return (d, Some("completed-on"));
        }
        if let Some((d, _)) = fedramp_policy().and_then(|p| p.deadline(item)) {
            return (d, Some("fedramp-policy"));
        }
        (item.detected_on.unwrap_or(fallback), Some("detected-on"))
    }
}

fn fedramp_policy() -> Option<&'static poam_rules::Policy> {
    static POLICY: std::sync::OnceLock<Option<poam_rules::Policy>> = std::sync::OnceLock::new();
    POLICY
        .get_or_init(|| poam_rules::Policy::builtin("fedramp").ok())
        .as_ref()
}

/// An asset the input named by an OSCAL subject it did not define (a
/// component of its SSP): written back as that subject.
fn kept_subject<'k>(kept: &'k Kept, asset: &str) -> Option<&'k str> {
    kept.get(&format!("subject:{asset}"))
}

fn observation_json(e: &Entry, fallback_date: NaiveDate) -> Value {
    let item = e.item;
    let methods: Vec<&str> = e
        .kept
        .get("methods")
        .map_or(vec!["TEST"], |m| m.split(',').collect());
    let types: Vec<&str> = e
        .kept
        .get("types")
        .map_or(vec!["finding"], |m| m.split(',').collect());
    let mut obs = json!({
        "uuid": e.uuid("observation"),
        "description": e.extra(kept_text::OBSERVATION_DESCRIPTION).map(str::to_string)
            .or_else(|| item.weakness_description.as_deref().or(item.weakness_name.as_deref()).map(str::to_string))
            .unwrap_or_else(|| "Finding".into()),
        "methods": methods,
        "types": types,
        "collected": e.time("collected", item.detected_on.unwrap_or(fallback_date)),
    });
    if let Some(t) = e.extra(kept_text::OBSERVATION_TITLE) {
        obs["title"] = json!(t);
    }
    if let Some(t) = e.kept.get("time:expires") {
        obs["expires"] = json!(t);
    }
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
        obs["origins"] = json!([{"actors": [{"type": "tool", "actor-uuid": kept_uuid(e.document, "tool", tool)}]}]);
    }
    if !item.assets.is_empty() {
        let subjects: Vec<Value> = item
            .assets
            .iter()
            .map(|a| match kept_subject(&e.kept, a) {
                Some(kind) => json!({"subject-uuid": a.as_str(), "type": kind}),
                None => {
                    json!({"subject-uuid": kept_uuid(e.document, "asset", a), "type": "inventory-item"})
                }
            })
            .collect();
        obs["subjects"] = Value::Array(subjects);
    }
    if let Some(r) = e.extra(kept_text::OBSERVATION_REMARKS) {
        obs["remarks"] = json!(r);
    }
    put_back(&mut obs, e.kept.get("rest:observation"));
    obs
}

fn poam_item_json(e: &Entry) -> Value {
    let item = e.item;
    let title = e
        .extra(kept_text::ITEM_TITLE)
        .map(str::to_string)
        .or_else(|| item.weakness_name.as_deref().map(str::to_string))
        .unwrap_or_else(|| "POA&M item".into());
    let description = e
        .extra(kept_text::ITEM_DESCRIPTION)
        .map(str::to_string)
        .or_else(|| item.weakness_description.as_deref().map(str::to_string))
        .unwrap_or_else(|| "See the related risk.".into());
    let mut pi = json!({
        "uuid": e.uuid("poam-item"),
        "title": title,
        "description": description,
        "related-observations": [{"observation-uuid": e.uuid("observation")}],
        "related-risks": [{"risk-uuid": e.uuid("risk")}],
    });
    if let Some(id) = &item.id {
        pi["props"] = json!([fr("POAM-ID", id)]);
    }
    if let Some(c) = &item.comments {
        pi["remarks"] = json!(c);
    }
    put_back(&mut pi, e.kept.get("rest:poam-item"));
    pi
}

/// What a FedRAMP reviewer should hear about an OSCAL POA&M before it goes
/// out: no SSP named, deadlines and milestones poamkit had to derive, risks
/// without the impact FedRAMP's rules require.
pub fn fedramp_notes(poam: &Poam) -> Vec<poam_model::Diagnostic> {
    use poam_model::{DiagKind, Diagnostic};
    let mut out = Vec::new();
    // FedRAMP accepts a no-oscal-ssp resource that carries the system's
    // FedRAMP id in place of an SSP.
    if !poam.system.extra.contains_key("import-ssp") && !poam.system.extra.contains_key("system-id")
    {
        out.push(Diagnostic::unplaced(DiagKind::OscalWithoutSsp));
    }
    let name = |i: &Item| {
        i.id.as_deref()
            .or(i.weakness_name.as_deref())
            .unwrap_or("an item without id")
            .to_string()
    };
    let first = |ids: &[String]| {
        let mut text = ids.iter().take(3).cloned().collect::<Vec<_>>().join(", ");
        if ids.len() > 3 {
            text.push_str(", ...");
        }
        text
    };
    let fallback = NaiveDate::from_ymd_opt(2000, 1, 1).unwrap_or_default();
    let (mut deadlines, mut milestones, mut impact) = (Vec::new(), Vec::new(), Vec::new());
    let document = Kept::default();
    for (n, item) in poam.items.iter().enumerate() {
        if Entry::new(n, item, &document, "")
            .deadline(fallback)
            .1
            .is_some()
        {
            deadlines.push(name(item));
        }
        if item.milestones.is_empty() {
            milestones.push(name(item));
        }
        if item.risk.original.is_none()
            && item.risk.adjusted.is_none()
            && !item.extra.contains_key(kept_text::IMPACT)
        {
            impact.push(name(item));
        }
    }
    if !deadlines.is_empty() {
        out.push(Diagnostic::unplaced(DiagKind::OscalDeadlineDerived {
            count: deadlines.len(),
            first: first(&deadlines),
        }));
    }
    if !milestones.is_empty() {
        out.push(Diagnostic::unplaced(DiagKind::OscalMilestoneDerived {
            count: milestones.len(),
            first: first(&milestones),
        }));
    }
    if !impact.is_empty() {
        out.push(Diagnostic::unplaced(DiagKind::OscalNoImpact {
            count: impact.len(),
            first: first(&impact),
        }));
    }
    out
}

/// Whether an SSP's file name is an OSCAL one (JSON, XML, YAML).
fn is_oscal_file(href: &str) -> bool {
    let lower = href.to_ascii_lowercase();
    [".json", ".xml", ".yaml", ".yml"]
        .iter()
        .any(|e| lower.ends_with(e))
}

/// The media type of an SSP file by its name, as FedRAMP's rules list them
/// (`application/json`, `text/xml`).
fn ssp_media_type(href: &str) -> &'static str {
    let lower = href.to_ascii_lowercase();
    if lower.ends_with(".xml") {
        "text/xml"
    } else if lower.ends_with(".docx") {
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    } else if lower.ends_with(".yaml") || lower.ends_with(".yml") {
        "application/yaml"
    } else {
        "application/json"
    }
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
        diagnostics: fedramp_notes(poam),
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
    let kept = Kept::parse(sys.extra.get(KEPT).map(String::as_str));
    let org = sys
        .organization
        .clone()
        .unwrap_or_else(|| "Organization not named".to_string());
    let party = |name: &str| kept_uuid(&kept, "party", name);
    let org_uuid = party(&org);
    let defs = Definitions::collect(poam, &org, &kept);
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
    let identity = identity(poam);
    let doc_uuid = document_uuid(&identity, &kept);
    let mut meta_props = Vec::new();
    // OSCAL's own property for a document's marking, and the release of
    // FedRAMP's rules the document is written to.
    if let Some(marking) = &sys.marking {
        meta_props.push(json!({"name": "marking", "value": marking}));
    }
    meta_props.push(json!({"name": "fedramp-version", "ns": NS_FEDRAMP_HTTP,
        "value": kept.get("fedramp-version").unwrap_or(FEDRAMP_VERSION)}));
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
    if let Some(others) = kept
        .get("metadata-props")
        .and_then(|p| serde_json::from_str::<Vec<Value>>(p).ok())
    {
        meta_props.extend(others);
    }
    for (label, value) in &sys.extra {
        if !matches!(label.as_str(), "system-id" | "import-ssp" | KEPT) {
            meta_props.push(pk_labelled("system-extra", value, label));
        }
    }
    let parties: Vec<Value> = defs
        .parties
        .keys()
        .map(|name| {
            let kind = if *name == org {
                "organization"
            } else {
                "person"
            };
            poam_layout::oscal::party_json(&party(name), name, kind)
        })
        .collect();
    // An input's own parties in their place, and those no item names.
    let parties = merge_entries(parties, kept.get("parties"));
    let day = |key: &str, d: NaiveDate| {
        kept.time_on(&format!("time:{key}"), d)
            .map_or_else(|| datetime(d), str::to_string)
    };
    let mut metadata = json!({"title": title});
    // A document read without `published` is written without it.
    if kept.get("no-published").is_none() {
        metadata["published"] = json!(day("published", fallback_date));
    }
    metadata["last-modified"] = json!(day("last-modified", fallback_date));
    metadata["version"] = json!(kept.get("version").unwrap_or("1.0"));
    // The OSCAL 1.1 version a document came in; poamkit writes 1.1's
    // structure (related-risks...), so an older document is written as 1.1.2.
    metadata["oscal-version"] = json!(kept
        .get("oscal-version")
        .filter(|v| v.starts_with("1.1."))
        .unwrap_or(OSCAL_VERSION));
    metadata["props"] = Value::Array(meta_props);
    // An input's own roles and responsible parties, with the cloud service
    // provider's where they have none.
    let keyed = |list: Option<&str>, key: &str, ours: Value| {
        let mut list: Vec<Value> = list
            .and_then(|l| serde_json::from_str(l).ok())
            .unwrap_or_default();
        if !list.iter().any(|v| v.get(key) == ours.get(key)) {
            list.insert(0, ours);
        }
        Value::Array(list)
    };
    metadata["roles"] = keyed(kept.get("roles"), "id", poam_layout::oscal::csp_role());
    metadata["parties"] = Value::Array(parties);
    metadata["responsible-parties"] = keyed(
        kept.get("responsible-parties"),
        "role-id",
        json!({"role-id": "cloud-service-provider", "party-uuids": [org_uuid]}),
    );
    put_back(&mut metadata, kept.get("rest:metadata"));
    let mut head: Vec<(&'static str, Value)> =
        vec![("uuid", json!(doc_uuid)), ("metadata", metadata)];
    // import-ssp: a back-matter resource naming the SSP (`--ssp`), an
    // input's own link as it was, or FedRAMP's `no-oscal-ssp` resource.
    let mut resources: Vec<Value> = kept
        .get("back-matter")
        .and_then(|b| serde_json::from_str::<Vec<Value>>(b).ok())
        .unwrap_or_default();
    let (id_type, system_id) = match sys.extra.get("system-id") {
        Some(id) => (
            kept.get("system-id-type")
                .unwrap_or("https://fedramp.gov")
                .to_string(),
            id.clone(),
        ),
        None => (
            "http://ietf.org/rfc/rfc4122".to_string(),
            uuid(&["system", &identity]),
        ),
    };
    match sys.extra.get("import-ssp") {
        Some(href) if href.starts_with('#') || kept.get("import-ssp-direct").is_some() => {
            let mut import = json!({"href": href});
            put_back(&mut import, kept.get("rest:import-ssp"));
            head.push(("import-ssp", import));
        }
        // An OSCAL SSP: FedRAMP's system-security-plan resource.
        Some(href) if is_oscal_file(href) => {
            let r = uuid(&["ssp", href]);
            resources.push(json!({
                "uuid": r,
                "title": format!("{} System Security Plan", sys.name.as_deref().unwrap_or("The system's")),
                "props": [fr("type", "system-security-plan")],
                "rlinks": [{"href": href, "media-type": ssp_media_type(href)}],
            }));
            head.push(("import-ssp", json!({"href": format!("#{r}")})));
        }
        // A Word SSP is no OSCAL SSP: FedRAMP's no-oscal-ssp resource,
        // linking the document.
        Some(href) => {
            let r = uuid(&["ssp", href]);
            let mut props = vec![fr("type", "no-oscal-ssp")];
            if sys.extra.contains_key("system-id") {
                props.push(fr("system-id", &system_id));
            }
            resources.push(json!({
                "uuid": r,
                "title": format!("{} System Security Plan", sys.name.as_deref().unwrap_or("The system's")),
                "description": "The system's SSP is not in OSCAL: it is the document linked here.",
                "props": props,
                "rlinks": [{"href": href, "media-type": ssp_media_type(href)}],
            }));
            head.push(("import-ssp", json!({"href": format!("#{r}")})));
        }
        None => {
            let r = uuid(&["no-oscal-ssp", &identity]);
            let mut props = vec![fr("type", "no-oscal-ssp"), pk("generated", "true")];
            if sys.extra.contains_key("system-id") {
                props.push(fr("system-id", &system_id));
            }
            resources.push(json!({
                "uuid": r,
                "title": sys.name.clone().unwrap_or_else(|| "System not named".into()),
                "description": "No OSCAL SSP was named when this POA&M was written.",
                "props": props,
            }));
            head.push(("import-ssp", json!({"href": format!("#{r}")})));
        }
    }
    head.push((
        "system-id",
        json!({"identifier-type": id_type, "id": system_id}),
    ));
    let mut local = Map::new();
    let comps: Vec<Value> = defs
        .tools
        .iter()
        .map(|(name, u)| poam_layout::oscal::component_json(u, name))
        .collect();
    let comps = merge_entries(comps, kept.get("components"));
    if !comps.is_empty() {
        local.insert("components".into(), Value::Array(comps));
    }
    let inv: Vec<Value> = defs
        .assets
        .iter()
        .map(|(name, u)| poam_layout::oscal::inventory_json(u, name))
        .collect();
    let inv = merge_entries(inv, kept.get("inventory-items"));
    if !inv.is_empty() {
        local.insert("inventory-items".into(), Value::Array(inv));
    }
    let mut local = Value::Object(local);
    put_back(&mut local, kept.get("rest:local-definitions"));
    if local.as_object().is_some_and(|m| !m.is_empty()) {
        head.push(("local-definitions", local));
    }
    for (_, v) in head.iter_mut() {
        *v = single_lines(std::mem::take(v));
    }
    let mut tail = if resources.is_empty() {
        Vec::new()
    } else {
        vec![(
            "back-matter".to_string(),
            single_lines(json!({ "resources": resources })),
        )]
    };
    // What the input's root says beyond the model, after the rest.
    if let Some(Value::Object(rest)) = kept
        .get("rest:root")
        .and_then(|r| serde_json::from_str(r).ok())
    {
        tail.extend(rest);
    }
    let items = &poam.items;
    let org_uuid = &org_uuid;
    let kept = &kept;
    let doc_uuid = doc_uuid.as_str();
    let root = Root {
        head,
        tail,
        observations: Lazy(|| {
            items.iter().enumerate().map(|(n, i)| {
                single_lines(observation_json(
                    &Entry::new(n, i, kept, doc_uuid),
                    fallback_date,
                ))
            })
        }),
        risks: Lazy(|| {
            items.iter().enumerate().map(move |(n, i)| {
                single_lines(risk_json(
                    &Entry::new(n, i, kept, doc_uuid),
                    org_uuid,
                    fallback_date,
                ))
            })
        }),
        items: Lazy(|| {
            items
                .iter()
                .enumerate()
                .map(|(n, i)| single_lines(poam_item_json(&Entry::new(n, i, kept, doc_uuid))))
        }),
        empty: items.is_empty(),
    };
    let mut out = std::io::BufWriter::new(out);
    serde_json::to_writer_pretty(&mut out, &root)?;
    std::io::Write::write_all(&mut out, b"\n").map_err(serde_json::Error::io)?;
    std::io::Write::flush(&mut out).map_err(serde_json::Error::io)?;
    Ok(())
}

/// A FedRAMP deviation or vendor prop: the input's own value while it still
/// means the model's answer, else FedRAMP's value for the answer; an answer
/// FedRAMP has no value for (No) in poamkit's namespace.
fn fedramp_answer(
    props: &mut Vec<Value>,
    e: &Entry,
    name: &str,
    answer: Option<YesNo>,
    value: fn(YesNo) -> Option<&'static str>,
) {
    let Some(v) = answer else { return };
    let own = e
        .kept
        .get(&format!("prop:{name}"))
        .filter(|own| poam_layout::oscal::read_deviation(own) == Some(v));
    match own.or_else(|| value(v)) {
        Some(text) => props.push(fr(name, text)),
        None => props.push(pk(name, v.key())),
    }
}

fn risk_json(e: &Entry, org_uuid: &str, fallback_date: NaiveDate) -> Value {
    let item = e.item;
    let key = e.key.as_str();
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
    fedramp_answer(
        &mut props,
        e,
        "risk-adjustment",
        item.risk.adjustment,
        deviation_value,
    );
    fedramp_answer(
        &mut props,
        e,
        "false-positive",
        item.risk.false_positive,
        deviation_value,
    );
    fedramp_answer(
        &mut props,
        e,
        "operational-requirement",
        item.risk.operational_requirement,
        deviation_value,
    );
    fedramp_answer(
        &mut props,
        e,
        "vendor-dependency",
        item.vendor.dependency,
        vendor_value,
    );
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
    // Ids of other frameworks (ISO 9001, ISO/IEC 27001...), the framework
    // in the remarks: OSCAL's impacted-control-id names NIST controls only.
    for o in &item.other_controls {
        props.push(pk_labelled("other-control", &o.id, &o.framework));
    }
    for field in Field::ALL
        .iter()
        .filter(|f| f.name().starts_with("emass.") || f.name().starts_with("quality."))
    {
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
    // `extra` cells, but those an OSCAL input kept for their own places.
    for (header, value) in &item.extra {
        if header == KEPT || kept_text::ALL.contains(&header.as_str()) {
            continue;
        }
        props.push(pk_labelled("extra", value, header));
    }
    if !item.ssp_refs.is_empty() {
        props.push(pk(
            "ssp-refs",
            &serde_json::to_string(&item.ssp_refs).unwrap_or_default(),
        ));
    }
    let status = match (item.state, item.status, e.extra(kept_text::RISK_STATUS)) {
        (State::Closed, _, _) => "closed",
        (_, Some(Status::RiskAccepted), _) => "deviation-approved",
        (_, _, Some(own)) => own,
        _ => "open",
    };
    // Characterizations: the ratings from the organization, the CVEs and
    // identifiers from the tool. OSCAL wants at least one facet in each.
    let mut characterizations = Vec::new();
    let tool = item
        .detector_source
        .as_deref()
        .map(|t| kept_uuid(e.document, "tool", t));
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
    // An input's own likelihood and impact facets, in their own system.
    let mut own_facets = Vec::new();
    for (label, name) in [
        (kept_text::LIKELIHOOD, "likelihood"),
        (kept_text::IMPACT, "impact"),
    ] {
        if let Some(v) = e.extra(label) {
            let system = e
                .kept
                .get(&format!("facet-system:{name}"))
                .unwrap_or(NS_FEDRAMP);
            own_facets.push(json!({"name": name, "system": system, "value": v}));
        }
    }
    // FedRAMP's rules ask every risk for an impact facet: the risk rating
    // (adjusted, else initial) where the input had none of its own.
    if own_facets.iter().all(|f| f["name"] != "impact") {
        if let Some(r) = item.risk.adjusted.or(item.risk.original) {
            rating_facets.push(
                json!({"name": "impact", "system": NS_FEDRAMP, "value": r.key(),
                "props": [pk("derived", "risk-rating")]}),
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
    if !own_facets.is_empty() {
        let actor = e.kept.get("facet-actor").unwrap_or(org_uuid);
        characterizations.push(json!({"origin": {"actors": [{"type": "party", "actor-uuid": actor}]}, "facets": own_facets}));
    }
    let statement = e
        .extra(kept_text::RISK_STATEMENT)
        .unwrap_or(NO_RISK_STATEMENT);
    let mut risk = json!({
        "uuid": e.uuid("risk"),
        "title": item.weakness_name.clone().unwrap_or_else(|| "Weakness".into()),
        "description": item.weakness_description.clone().unwrap_or_else(|| item.weakness_name.clone().unwrap_or_else(|| "Weakness".into())),
        "statement": statement,
    });
    if item.weakness_name.is_none() {
        props.push(pk("no-weakness-name", "true"));
    }
    if item.weakness_description.is_none() {
        props.push(pk("no-weakness-description", "true"));
    }
    let (deadline, derived) = e.deadline(fallback_date);
    if let Some(how) = derived {
        props.push(pk("deadline-derived", how));
    }
    risk["props"] = Value::Array(props);
    risk["status"] = json!(status);
    if !characterizations.is_empty() {
        risk["characterizations"] = Value::Array(characterizations);
    }
    if let Some(d) = &item.risk.deviation_rationale {
        risk["mitigating-factors"] =
            json!([{"uuid": e.uuid("mitigating-factor"), "description": d}]);
    }
    risk["deadline"] = json!(e.time("deadline", deadline));
    let mut responses = vec![recommendation_json(e, org_uuid), planned_json(e, deadline)];
    if let Some(others) = e
        .kept
        .get("responses")
        .and_then(|r| serde_json::from_str::<Vec<Value>>(r).ok())
    {
        responses.extend(others);
    }
    risk["remediations"] = Value::Array(responses);
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
    risk["related-observations"] = json!([{"observation-uuid": e.uuid("observation")}]);
    put_back(&mut risk, e.kept.get("rest:risk"));
    risk
}

/// The risk statement written where the input had none (OSCAL requires one).
pub const NO_RISK_STATEMENT: &str = "No Risk Statement";

/// The `recommendation` response FedRAMP requires on every risk: the input's
/// own recommendation, else the remediation plan as what is recommended.
fn recommendation_json(e: &Entry, org_uuid: &str) -> Value {
    let item = e.item;
    let (description, from) = match (
        e.extra(kept_text::RECOMMENDATION),
        item.remediation_plan.as_deref(),
    ) {
        (Some(own), _) => (own.to_string(), None),
        (None, Some(plan)) => (plan.to_string(), Some("remediation-plan")),
        (None, None) => (
            "No remediation plan was recorded for this weakness.".to_string(),
            Some("none"),
        ),
    };
    let actor = match &item.detector_source {
        Some(tool) if from.is_none() => {
            json!({"type": "tool", "actor-uuid": kept_uuid(e.document, "tool", tool)})
        }
        _ => json!({"type": "party", "actor-uuid": org_uuid}),
    };
    let mut rec = json!({
        "uuid": e.uuid("recommendation"),
        "lifecycle": "recommendation",
        "title": e.kept.get("recommendation-title").unwrap_or("Recommendation"),
        "description": description,
        "origins": [{"actors": [actor]}],
    });
    if let Some(from) = from {
        rec["props"] = json!([pk("recommendation-from", from)]);
    }
    put_back(&mut rec, e.kept.get("rest:recommendation"));
    rec
}

/// The `planned` response: the plan, its owner and resources, and its
/// milestones (at least one: the scheduled completion where there is none).
fn planned_json(e: &Entry, deadline: NaiveDate) -> Value {
    let item = e.item;
    let key = e.key.as_str();
    let mut props: Vec<Value> = e
        .kept
        .get("remediation-props")
        .and_then(|p| serde_json::from_str(p).ok())
        .unwrap_or_default();
    let description = match &item.remediation_plan {
        Some(p) => p.to_string(),
        None => {
            props.push(pk("no-remediation-plan", "true"));
            "No remediation plan was recorded for this weakness.".to_string()
        }
    };
    let mut plan = json!({
        "uuid": e.uuid("remediation"),
        "lifecycle": "planned",
        "title": e.kept.get("remediation-title").unwrap_or("Remediation plan"),
        "description": description,
    });
    if !props.is_empty() {
        plan["props"] = Value::Array(props);
    }
    if let Some(poc) = &item.point_of_contact {
        let p = e.party(poc);
        plan["origins"] = json!([{"actors": [{"type": "party", "actor-uuid": p}]}]);
    }
    if let Some(r) = &item.resources_required {
        let mut asset = json!({"uuid": e.uuid("required-asset"), "description": r});
        put_back(&mut asset, e.kept.get("rest:required-asset"));
        plan["required-assets"] = json!([asset]);
    }
    let mut tasks: Vec<Value> = item
        .milestones
        .iter()
        .enumerate()
        .map(|(k, m)| {
            let task_key = format!("task.{k}");
            let title = if m.description.trim().is_empty() {
                format!("Milestone {}", k + 1)
            } else {
                m.description.to_string()
            };
            let mut tprops = Vec::new();
            // FedRAMP asks every milestone for a description: its comments,
            // else its own words again.
            let description = match &m.comments {
                Some(c) => c.to_string(),
                None => {
                    tprops.push(pk("description-is-title", "true"));
                    title.clone()
                }
            };
            let mut task = json!({
                "uuid": e.kept.get(&format!("uuid:{task_key}")).map_or_else(|| uuid(&["task", key, &k.to_string()]), str::to_string),
                "type": "milestone",
                "title": title,
                "description": description,
            });
            let due = m.due.unwrap_or(deadline);
            if m.due.is_none() {
                tprops.push(pk("no-due-date", "true"));
            }
            task["timing"] = match e.kept.get(&format!("time:{task_key}.start")) {
                Some(start) => json!({"within-date-range": {"start": start, "end": e.time(&format!("{task_key}.end"), due)}}),
                None => json!({"on-date": {"date": e.time(&format!("{task_key}.date"), due)}}),
            };
            if m.description.trim().is_empty() {
                tprops.push(pk("no-milestone-text", "true"));
            }
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
            put_back(&mut task, e.kept.get(&format!("rest:{task_key}")));
            task
        })
        .collect();
    if tasks.is_empty() {
        tasks.push(json!({
            "uuid": uuid(&["task", key, "completion"]),
            "type": "milestone",
            "title": "Scheduled completion",
            "description": "The remediation of this weakness is scheduled to be complete by this date.",
            "timing": {"on-date": {"date": datetime(deadline)}},
            "props": [pk("derived", "scheduled-completion")],
        }));
    }
    plan["tasks"] = Value::Array(tasks);
    put_back(&mut plan, e.kept.get("rest:planned"));
    plan
}

/// What of an OSCAL input the model cannot hold: the parts of `input` (the
/// document as read) that the OSCAL written from `poam` (the model read from
/// it) does not carry, or carries otherwise, each as a path with its
/// entries' positions left out (`observations[].relevant-evidence`) and how
/// many times it occurs. Empty when the model holds the whole document.
///
/// # Errors
///
/// The writer's [`ExportError`] (a POA&M without items).
pub fn not_kept(input: &Value, poam: &Poam) -> Result<Vec<(String, usize)>, ExportError> {
    let mut bytes = Vec::new();
    write_oscal_to(poam, &mut bytes)?;
    let written: Value = serde_json::from_slice(&bytes)?;
    let mut lost = BTreeMap::new();
    let root = "plan-of-action-and-milestones";
    compare(&input[root], &written[root], "", &mut lost);
    Ok(lost.into_iter().collect())
}

/// Records under `path` what of `a` is not in `b` (see [`not_kept`]).
fn compare(a: &Value, b: &Value, path: &str, lost: &mut BTreeMap<String, usize>) {
    match (a, b) {
        (Value::Object(a), Value::Object(b)) => {
            for (k, v) in a {
                let here = if path.is_empty() {
                    k.clone()
                } else {
                    format!("{path}.{k}")
                };
                match b.get(k) {
                    Some(w) => compare(v, w, &here, lost),
                    None => *lost.entry(here).or_default() += 1,
                }
            }
        }
        (Value::Array(a), Value::Array(b)) => {
            let here = format!("{path}[]");
            let holds = |v: &Value, w: &Value| {
                let mut none = BTreeMap::new();
                compare(v, w, "", &mut none);
                none.is_empty()
            };
            for (n, v) in a.iter().enumerate() {
                // The written entry of the same UUID, else at the same place;
                // an entry without a UUID may be anywhere in a short list
                // (props, facets), as the writer adds its own.
                // An entry whose UUID is not written is lost whole.
                let twin = match v.get("uuid") {
                    Some(u) => b.iter().find(|w| w.get("uuid") == Some(u)),
                    None => b.get(n),
                };
                if twin.is_some_and(|w| holds(v, w)) {
                    continue;
                }
                if v.get("uuid").is_none() && b.len() <= 64 && b.iter().any(|w| holds(v, w)) {
                    continue;
                }
                match twin {
                    Some(w) => compare(v, w, &here, lost),
                    None => *lost.entry(here.clone()).or_default() += 1,
                }
            }
        }
        (a, b) if a != b => *lost.entry(path.to_string()).or_default() += 1,
        _ => {}
    }
}
