//! OSCAL plan-of-action-and-milestones JSON (1.0.x and 1.1.x), with the
//! FedRAMP extensions (`POAM-ID`, `impacted-control-id`, `risk-adjustment`,
//! `false-positive`, `operational-requirement`, `vendor-dependency`,
//! `kev-catalog`, `kev-due-date`, initial and adjusted `risk` facets).
//!
//! Each poam-item becomes an item; its related risk gives the weakness, the
//! controls, the ratings, the deviations, the deadline and the remediation
//! with its milestone tasks; its related observations give the detection
//! date, the detector and the assets.

use crate::report::{ReadReport, SheetReport};
use crate::{ImportError, Imported};
use chrono::NaiveDate;
use poam_layout::oscal::{
    derived_uuid, document_uuid, identity, item_key, kept_text, known, rest, Kept, FEDRAMP_VERSION,
    KEPT, NS_POAMKIT, OSCAL_VERSION,
};
use poam_model::control::parse_controls;
use poam_model::{
    DiagKind, Diagnostic, Item, Location, Milestone, Origin, Poam, Rating, State, Status, Text,
    YesNo,
};
use serde_json::Value;
use std::collections::HashMap;

/// Whether parsed JSON is an OSCAL POA&M document.
pub(crate) fn is_oscal(doc: &Value) -> bool {
    doc.get("plan-of-action-and-milestones").is_some()
}

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

/// The value of a prop by name (any namespace).
use poam_layout::text::full_text;

fn prop<'a>(v: &'a Value, name: &str) -> Vec<&'a str> {
    arr(v, "props")
        .iter()
        .filter(|p| s(p, "name") == Some(name))
        .filter_map(|p| Some(full_text(s(p, "value")?, s(p, "remarks")).0))
        .collect()
}

/// The date part of an OSCAL date or date-time.
fn date(text: &str) -> Option<NaiveDate> {
    text.get(..10)
        .and_then(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok())
}

/// A FedRAMP deviation state as yes/no/pending.
fn deviation(value: &str) -> Option<YesNo> {
    poam_layout::oscal::read_deviation(value)
}

/// poamkit's own props (written for what OSCAL has no field for):
/// (name, value, remarks).
fn own_props(v: &Value) -> Vec<(&str, &str, Option<&str>)> {
    arr(v, "props")
        .iter()
        .filter(|p| s(p, "ns") == Some(NS_POAMKIT))
        .filter_map(|p| {
            // Multi-line text is written on one line with the whole text in
            // the remarks (after a label, where the prop has one).
            let (value, label) = full_text(
                p.get("value")?.as_str()?,
                p.get("remarks").and_then(Value::as_str),
            );
            Some((s(p, "name")?, value, label))
        })
        .collect()
}

/// Reads an OSCAL POA&M document.
pub(crate) fn read(file: &str, doc: &Value) -> Result<Imported, ImportError> {
    let root = &doc["plan-of-action-and-milestones"];
    if !root.is_object() {
        return Err(ImportError::NotPoam {
            file: file.to_string(),
            reason: "plan-of-action-and-milestones is not an object".into(),
        });
    }
    let mut diags = Vec::new();
    let at = |path: String| Location::path(file, path);
    let meta = &root["metadata"];
    let mut poam = Poam::default();
    poam.system.name = s(meta, "title").map(str::to_string);
    poam.system.poam_date = s(meta, "published")
        .or_else(|| s(meta, "last-modified"))
        .and_then(date);
    // What the model has no field for, kept to be written back: the
    // document's UUID, versions, date-times as written, parties' UUIDs,
    // system-id type, back-matter.
    let mut doc_kept = Kept::default();
    if let Some(u) = s(root, "uuid") {
        doc_kept.set("uuid:document", u);
    }
    for key in ["oscal-version", "version"] {
        if let Some(v) = s(meta, key) {
            doc_kept.set(key, v);
        }
    }
    for key in ["published", "last-modified"] {
        match s(meta, key) {
            Some(t) => doc_kept.set(format!("time:{key}"), t),
            None => doc_kept.set(format!("no-{key}"), "true"),
        }
    }
    if let Some(v) = prop(meta, "fedramp-version").first() {
        doc_kept.set("fedramp-version", *v);
    }
    // Metadata props of other producers (FedRAMP's resolution-resource...),
    // kept as they are.
    let others: Vec<&Value> = arr(meta, "props")
        .iter()
        .filter(|p| s(p, "ns") != Some(NS_POAMKIT))
        .filter(|p| !matches!(s(p, "name"), Some("marking" | "fedramp-version")))
        .collect();
    if !others.is_empty() {
        doc_kept.set(
            "metadata-props",
            serde_json::to_string(&others).unwrap_or_default(),
        );
    }
    if let Some(id) = root.get("system-id").and_then(|v| s(v, "id")) {
        poam.system.extra.insert("system-id".into(), id.to_string());
        if let Some(t) = s(&root["system-id"], "identifier-type") {
            doc_kept.set("system-id-type", t);
        }
    }
    let mut resources: Vec<Value> = arr(&root["back-matter"], "resources").to_vec();
    if let Some(href) = root.get("import-ssp").and_then(|v| s(v, "href")) {
        match href.strip_prefix('#') {
            Some(target) => {
                // The resource poamkit writes when no SSP was named is not
                // an SSP: reading it back names none.
                let generated = resources.iter().position(|r| {
                    s(r, "uuid") == Some(target)
                        && own_props(r).iter().any(|(n, _, _)| *n == "generated")
                });
                match generated {
                    Some(at) => {
                        resources.remove(at);
                    }
                    None => {
                        poam.system
                            .extra
                            .insert("import-ssp".into(), href.to_string());
                    }
                }
            }
            None => {
                poam.system
                    .extra
                    .insert("import-ssp".into(), href.to_string());
                doc_kept.set("import-ssp-direct", "true");
            }
        }
    }
    if !resources.is_empty() {
        doc_kept.set(
            "back-matter",
            serde_json::to_string(&resources).unwrap_or_default(),
        );
    }
    // Names of parties and components, for actors and subjects.
    let mut names: HashMap<&str, String> = HashMap::new();
    for party in arr(meta, "parties") {
        if let (Some(uuid), Some(name)) = (s(party, "uuid"), s(party, "name")) {
            // A multi-line name is written on one line, whole in the remarks.
            let name = full_text(name, s(party, "remarks")).0.to_string();
            doc_kept.set(format!("party:{name}"), uuid);
            names.insert(uuid, name);
        }
    }
    let csp = arr(meta, "responsible-parties")
        .iter()
        .find(|r| s(r, "role-id") == Some("cloud-service-provider"))
        .and_then(|r| arr(r, "party-uuids").first())
        .and_then(Value::as_str)
        .and_then(|u| names.get(u).cloned());
    poam.system.organization = csp;
    // OSCAL's own `marking` property (no namespace) carries the marking.
    poam.system.marking = arr(meta, "props")
        .iter()
        .find(|p| s(p, "name") == Some("marking") && p.get("ns").is_none())
        .and_then(|p| s(p, "value"))
        .map(str::to_string);
    for (name, value, remarks) in own_props(meta) {
        match name {
            "no-system-name" => poam.system.name = None,
            "no-organization" => poam.system.organization = None,
            "no-poam-date" => poam.system.poam_date = None,
            "generated-system-id" => {
                poam.system.extra.shift_remove("system-id");
            }
            "impact-level" => poam.system.impact_level = Some(value.to_string()),
            "system-extra" => {
                poam.system
                    .extra
                    .insert(remarks.unwrap_or("?").to_string(), value.to_string());
            }
            _ => {}
        }
    }
    let local = &root["local-definitions"];
    // What the document says beyond what the model holds, kept whole.
    for (key, v, known) in [
        ("rest:root", root, known::ROOT),
        ("rest:metadata", meta, known::METADATA),
        ("rest:import-ssp", &root["import-ssp"], known::IMPORT_SSP),
        ("rest:local-definitions", local, known::LOCAL_DEFINITIONS),
    ] {
        if let Some(r) = rest(v, known) {
            doc_kept.set(key, r);
        }
    }
    keep_lists(&mut doc_kept, meta, local);
    for comp in arr(local, "components") {
        if let Some(uuid) = s(comp, "uuid") {
            let name = prop(comp, "name")
                .first()
                .map(|n| n.to_string())
                .or_else(|| s(comp, "title").map(str::to_string))
                .unwrap_or_default();
            doc_kept.set(format!("tool:{name}"), uuid);
            names.insert(uuid, name);
        }
    }
    let mut assets: HashMap<&str, String> = HashMap::new();
    for inv in arr(local, "inventory-items") {
        if let Some(uuid) = s(inv, "uuid") {
            let name = ["asset-id", "fqdn", "ipv4-address", "ipv6-address", "uri"]
                .iter()
                .find_map(|p| prop(inv, p).first().map(|v| v.to_string()))
                .or_else(|| s(inv, "description").map(str::to_string))
                .unwrap_or_else(|| uuid.to_string());
            doc_kept.set(format!("asset:{name}"), uuid);
            assets.insert(uuid, name);
        }
    }
    if !doc_kept.is_empty() {
        poam.system.extra.insert(KEPT.into(), doc_kept.text());
    }
    let observations: HashMap<&str, &Value> = arr(root, "observations")
        .iter()
        .filter_map(|o| s(o, "uuid").map(|u| (u, o)))
        .collect();
    let risks: HashMap<&str, &Value> = arr(root, "risks")
        .iter()
        .filter_map(|r| s(r, "uuid").map(|u| (u, r)))
        .collect();

    for (n, pi) in arr(root, "poam-items").iter().enumerate() {
        let path = format!("poam-items[{n}]");
        let mut item = Item {
            origin: Some(Origin {
                file: file.into(),
                sheet: Some("poam-items".into()),
                row: Some(n as u32 + 1),
            }),
            ..Item::default()
        };
        let mut kept = Kept::default();
        if let Some(u) = s(pi, "uuid") {
            kept.set("uuid:poam-item", u);
        }
        if let Some(r) = rest(pi, known::POAM_ITEM) {
            kept.set("rest:poam-item", r);
        }
        item.id = prop(pi, "POAM-ID").first().map(|v| Text::from(*v));
        item.weakness_name = s(pi, "title").map(Text::from);
        item.weakness_description = s(pi, "description").map(Text::from);
        let (own_title, own_description) = (
            item.weakness_name.clone(),
            item.weakness_description.clone(),
        );
        item.comments = s(pi, "remarks").map(Text::from);
        // Props of other producers (any namespace but poamkit's own, which
        // are read below): kept in `extra` as `prop NAME`, so that nothing a
        // poam-item says is dropped.
        for p in arr(pi, "props") {
            let (Some(name), Some(value)) = (s(p, "name"), s(p, "value")) else {
                continue;
            };
            if name == "POAM-ID" || s(p, "ns") == Some(NS_POAMKIT) {
                continue;
            }
            let key = format!("prop {name}");
            match item.extra.get_mut(key.as_str()) {
                Some(v) => {
                    v.push('\n');
                    v.push_str(value);
                }
                None => {
                    item.extra.insert(key.into(), value.into());
                }
            }
        }
        // The risk: weakness, controls, ratings, deviations, remediation.
        let risk_refs: Vec<&str> = arr(pi, "related-risks")
            .iter()
            .chain(arr(pi, "associated-risks"))
            .filter_map(|r| s(r, "risk-uuid"))
            .collect();
        if risk_refs.len() > 1 {
            diags.push(Diagnostic::new(
                DiagKind::ManyRelatedRisks {
                    count: risk_refs.len(),
                },
                at(path.clone()),
            ));
        }
        let item_observations: Vec<&str> = arr(pi, "related-observations")
            .iter()
            .filter_map(|r| s(r, "observation-uuid"))
            .collect();
        if let Some(uuid) = risk_refs.first() {
            // A link to something else than a risk (NIST's own example links
            // a mitigating factor): the risk of the item's observation.
            let by_observation = || {
                arr(root, "risks").iter().find(|r| {
                    arr(r, "related-observations")
                        .iter()
                        .filter_map(|o| s(o, "observation-uuid"))
                        .any(|o| item_observations.contains(&o))
                })
            };
            match risks.get(uuid).copied() {
                Some(risk) => read_risk(&mut item, &mut kept, risk, &names, &path, &at, &mut diags),
                None => match by_observation() {
                    Some(risk) => {
                        diags.push(Diagnostic::new(
                            DiagKind::RiskFoundByObservation {
                                uuid: uuid.to_string(),
                                risk: s(risk, "uuid").unwrap_or("?").to_string(),
                            },
                            at(path.clone()),
                        ));
                        read_risk(&mut item, &mut kept, risk, &names, &path, &at, &mut diags)
                    }
                    None => diags.push(Diagnostic::new(
                        DiagKind::BrokenReference {
                            target: "risk".into(),
                            uuid: uuid.to_string(),
                        },
                        at(path.clone()),
                    )),
                },
            }
        }
        // The poam-item's own words where the risk's are others.
        let risk_title = item
            .weakness_name
            .as_deref()
            .map(poam_layout::text::one_line);
        if own_title.is_some()
            && own_title.as_deref() != risk_title.as_deref()
            && own_title.as_deref() != Some("POA&M item")
        {
            item.extra
                .insert(kept_text::ITEM_TITLE.into(), own_title.unwrap_or_default());
        }
        if own_description.is_some()
            && own_description != item.weakness_description
            && own_description.as_deref() != Some("See the related risk.")
        {
            item.extra.insert(
                kept_text::ITEM_DESCRIPTION.into(),
                own_description.unwrap_or_default(),
            );
        }
        // Observations: detection date, detector, assets, deviation evidence.
        for r in arr(pi, "related-observations") {
            let Some(uuid) = s(r, "observation-uuid") else {
                continue;
            };
            let Some(obs) = observations.get(uuid) else {
                diags.push(Diagnostic::new(
                    DiagKind::BrokenReference {
                        target: "observation".into(),
                        uuid: uuid.to_string(),
                    },
                    at(path.clone()),
                ));
                continue;
            };
            let types: Vec<&str> = arr(obs, "types").iter().filter_map(Value::as_str).collect();
            let deviation_evidence = types.iter().any(|t| {
                matches!(
                    *t,
                    "risk-adjustment" | "operational-requirement" | "false-positive"
                )
            });
            if deviation_evidence {
                if let Some(d) = s(obs, "description") {
                    append(
                        &mut item.risk.deviation_rationale,
                        &format!("{}: {d}", types.join(", ")),
                    );
                }
                continue;
            }
            if kept.get("uuid:observation").is_none() {
                kept.set("uuid:observation", uuid);
                if let Some(t) = s(obs, "collected") {
                    kept.set("time:collected", t);
                }
                let methods: Vec<&str> = arr(obs, "methods")
                    .iter()
                    .filter_map(Value::as_str)
                    .collect();
                if !methods.is_empty() && methods != ["TEST"] {
                    kept.set("methods", methods.join(","));
                }
                if !types.is_empty() && types != ["finding"] {
                    kept.set("types", types.join(","));
                }
                if let Some(t) = s(obs, "title") {
                    item.extra
                        .insert(kept_text::OBSERVATION_TITLE.into(), t.into());
                }
                if let Some(r) = s(obs, "remarks") {
                    item.extra
                        .insert(kept_text::OBSERVATION_REMARKS.into(), r.into());
                }
                if let Some(t) = s(obs, "expires") {
                    kept.set("time:expires", t);
                }
                if let Some(r) = rest(obs, known::OBSERVATION) {
                    kept.set("rest:observation", r);
                }
                // Kept while it says other than the weakness (below).
                if let Some(d) = s(obs, "description") {
                    item.extra
                        .insert(kept_text::OBSERVATION_DESCRIPTION.into(), d.into());
                }
            }
            let placeholder = own_props(obs)
                .iter()
                .any(|(n, _, _)| *n == "collected-unknown");
            if item.detected_on.is_none() && !placeholder {
                item.detected_on = s(obs, "collected").and_then(date);
            }
            let no_detector = own_props(obs).iter().any(|(n, _, _)| *n == "no-detector");
            if item.detector_source.is_none() && !no_detector {
                let actors: Vec<String> = arr(obs, "origins")
                    .iter()
                    .flat_map(|o| arr(o, "actors"))
                    .filter(|a| s(a, "type") == Some("tool"))
                    .filter_map(|a| s(a, "actor-uuid").and_then(|u| names.get(u).cloned()))
                    .collect();
                item.detector_source = actors
                    .first()
                    .cloned()
                    .or_else(|| s(obs, "title").map(str::to_string))
                    .or_else(|| {
                        s(obs, "description")
                            .filter(|d| d.len() <= 80)
                            .map(str::to_string)
                    })
                    .or_else(|| {
                        let methods: Vec<&str> = arr(obs, "methods")
                            .iter()
                            .filter_map(Value::as_str)
                            .collect();
                        (!methods.is_empty()).then(|| methods.join(", "))
                    })
                    .map(Text::from);
            }
            for subject in arr(obs, "subjects") {
                if let Some(u) = s(subject, "subject-uuid") {
                    let name = assets
                        .get(u)
                        .cloned()
                        .or_else(|| names.get(u).cloned())
                        .or_else(|| s(subject, "title").map(str::to_string))
                        .unwrap_or_else(|| {
                            // A subject the document does not define (a
                            // component of its SSP): kept as it is.
                            kept.set(
                                format!("subject:{u}"),
                                s(subject, "type").unwrap_or("component"),
                            );
                            u.to_string()
                        });
                    if !item.assets.iter().any(|a| *a == name) {
                        item.assets.push(name.into());
                    }
                }
            }
        }
        // The observation's description, when the writer would write the
        // weakness's own (or its name) in its place, is not kept.
        let written = item
            .weakness_description
            .as_deref()
            .or(item.weakness_name.as_deref())
            .unwrap_or("Finding");
        if item
            .extra
            .get(kept_text::OBSERVATION_DESCRIPTION)
            .is_some_and(|d| d.as_str() == written)
        {
            item.extra.shift_remove(kept_text::OBSERVATION_DESCRIPTION);
        }
        if !kept.is_empty() {
            item.extra.insert(KEPT.into(), kept.text().into());
        }
        poam.items.push(item);
    }
    forget_derived(&mut poam);
    let report = ReadReport {
        format: "oscal".into(),
        layout: Some(format!(
            "oscal poam {}",
            s(meta, "oscal-version").unwrap_or("(no oscal-version)")
        )),
        layout_name: None,
        evidence: vec![format!(
            "{} poam-items, {} risks, {} observations",
            arr(root, "poam-items").len(),
            risks.len(),
            observations.len()
        )],
        candidates: Vec::new(),
        sheets: vec![SheetReport {
            name: "poam-items".into(),
            role: None,
            header_row: None,
            columns: Vec::new(),
            items: poam.items.len(),
            rows_read: 0,
            rows_skipped: 0,
            read_as: None,
            note: None,
        }],
    };
    Ok(Imported {
        poam,
        diagnostics: diags,
        report,
    })
}

fn append(slot: &mut Option<Text>, text: &str) {
    match slot {
        Some(old) => {
            old.push_str("\n\n");
            old.push_str(text);
        }
        None => *slot = Some(text.into()),
    }
}

fn read_risk(
    item: &mut Item,
    kept: &mut Kept,
    risk: &Value,
    names: &HashMap<&str, String>,
    path: &str,
    at: &dyn Fn(String) -> Location,
    diags: &mut Vec<Diagnostic>,
) {
    if let Some(u) = s(risk, "uuid") {
        kept.set("uuid:risk", u);
    }
    if let Some(r) = rest(risk, known::RISK) {
        kept.set("rest:risk", r);
    }
    if let Some(t) = s(risk, "statement").filter(|t| *t != NO_RISK_STATEMENT) {
        item.extra
            .insert(kept_text::RISK_STATEMENT.into(), t.into());
    }
    if let Some(t) = s(risk, "deadline") {
        kept.set("time:deadline", t);
    }
    // FedRAMP's own words for the deviations and the vendor dependency,
    // written back while they mean the same answer.
    for name in [
        "risk-adjustment",
        "false-positive",
        "operational-requirement",
        "vendor-dependency",
    ] {
        if let Some(v) = arr(risk, "props")
            .iter()
            .find(|p| s(p, "name") == Some(name) && s(p, "ns") != Some(NS_POAMKIT))
            .and_then(|p| s(p, "value"))
        {
            // Kept only where the writer would not write the same word.
            let ours =
                poam_layout::oscal::read_deviation(v).and_then(if name == "vendor-dependency" {
                    poam_layout::oscal::vendor_value
                } else {
                    poam_layout::oscal::deviation_value
                });
            if ours != Some(v) {
                kept.set(format!("prop:{name}"), v);
            }
        }
    }
    if let Some(t) = s(risk, "title") {
        item.weakness_name = Some(t.into());
    }
    if let Some(d) = s(risk, "description") {
        item.weakness_description = Some(d.into());
    }
    for id in prop(risk, "impacted-control-id") {
        let parsed = parse_controls(id);
        for c in parsed.controls {
            if !item.controls.contains(&c) {
                item.controls.push(c);
            }
        }
        for p in parsed.parts {
            if !item.control_parts.contains(&p) {
                item.control_parts.push(p);
            }
        }
        for u in parsed.unparsed {
            diags.push(Diagnostic::new(
                DiagKind::UnparsedControl { raw: u.to_string() },
                at(format!("{path} impacted-control-id")),
            ));
            item.unparsed_controls.push(u);
        }
    }
    let yes_no = |name: &str| prop(risk, name).first().and_then(|v| deviation(v));
    item.risk.adjustment = yes_no("risk-adjustment");
    item.risk.false_positive = yes_no("false-positive");
    item.risk.operational_requirement = yes_no("operational-requirement");
    item.vendor.dependency = yes_no("vendor-dependency");
    item.kev.listed = prop(risk, "kev-catalog")
        .first()
        .and_then(|v| YesNo::parse(v));
    item.kev.due = prop(risk, "kev-due-date").first().and_then(|v| date(v));
    match s(risk, "status") {
        Some("closed") => {
            item.state = State::Closed;
            item.status = Some(Status::Completed);
        }
        Some("deviation-approved") => item.status = Some(Status::RiskAccepted),
        Some(other) if other != "open" => {
            item.extra
                .insert(kept_text::RISK_STATUS.into(), other.into());
        }
        _ => {}
    }
    // A deadline poamkit derived (the item had no scheduled completion).
    let derived = own_props(risk)
        .iter()
        .any(|(n, _, _)| *n == "deadline-derived");
    if !derived {
        item.scheduled_completion = s(risk, "deadline").and_then(date);
    }
    // Ratings and tool identifiers.
    for ch in arr(risk, "characterizations") {
        for actor in arr(&ch["origin"], "actors") {
            if s(actor, "type") == Some("tool") {
                let ids: Vec<&str> = prop(actor, "plugin-id")
                    .into_iter()
                    .chain(prop(actor, "vulnerability-id"))
                    .collect();
                if item.source_identifier.is_none() && !ids.is_empty() {
                    item.source_identifier = Some(ids.join("; ").into());
                }
                if item.detector_source.is_none() {
                    item.detector_source =
                        s(actor, "actor-uuid").and_then(|u| names.get(u).map(Text::from));
                }
            }
        }
        for facet in arr(ch, "facets") {
            if own_props(facet).iter().any(|(n, _, _)| *n == "derived") {
                continue;
            }
            let name = s(facet, "name").unwrap_or("");
            let value = full_text(s(facet, "value").unwrap_or(""), s(facet, "remarks")).0;
            let state = prop(facet, "state").first().copied();
            match name {
                "risk" => match (Rating::parse(value), state) {
                    (Some(r), Some("adjusted")) => item.risk.adjusted = Some(r),
                    (Some(r), _) => item.risk.original = Some(r),
                    (None, _) => {
                        item.extra.insert("OSCAL risk facet".into(), value.into());
                    }
                },
                "cve-id" if !item.cves.iter().any(|c| c == value) => item.cves.push(value.into()),
                "vulnerability-id"
                    if s(facet, "system").is_some_and(|x| x.contains("cve"))
                        && !item.cves.iter().any(|c| c == value) =>
                {
                    item.cves.push(value.into())
                }
                "likelihood" | "impact" if state.is_none() => {
                    let label = if name == "impact" {
                        kept_text::IMPACT
                    } else {
                        kept_text::LIKELIHOOD
                    };
                    item.extra.insert(label.into(), value.into());
                    if let Some(system) = s(facet, "system") {
                        kept.set(format!("facet-system:{name}"), system);
                    }
                    if let Some(actor) = arr(&ch["origin"], "actors")
                        .iter()
                        .find_map(|a| s(a, "actor-uuid"))
                    {
                        kept.set("facet-actor", actor);
                    }
                }
                "likelihood" | "impact" | "severity" | "iavm-severity" | "priority" => {
                    let key = match state {
                        Some(st) => format!("OSCAL {name} ({st})"),
                        None => format!("OSCAL {name}"),
                    };
                    item.extra.insert(key.into(), value.into());
                }
                _ => {}
            }
        }
    }
    for mf in arr(risk, "mitigating-factors") {
        if let (Some(u), None) = (s(mf, "uuid"), kept.get("uuid:mitigating-factor")) {
            kept.set("uuid:mitigating-factor", u);
        }
        if let Some(d) = s(mf, "description") {
            append(&mut item.risk.deviation_rationale, d);
        }
    }
    // The planned remediation: plan, resources, milestones, owner.
    let planned = arr(risk, "remediations")
        .iter()
        .chain(arr(risk, "responses"))
        .find(|r| s(r, "lifecycle") == Some("planned"));
    // The recommendation: the input's own (a tool's, an assessor's), not
    // the one poamkit writes from the plan.
    let recommendation = arr(risk, "remediations")
        .iter()
        .chain(arr(risk, "responses"))
        .find(|r| s(r, "lifecycle") == Some("recommendation"));
    // Responses beyond the first recommendation and the planned one (an
    // assessor's beside a tool's), kept whole.
    let others: Vec<&Value> = arr(risk, "remediations")
        .iter()
        .chain(arr(risk, "responses"))
        .filter(|r| !std::ptr::eq(*r, planned.unwrap_or(&Value::Null)))
        .filter(|r| !std::ptr::eq(*r, recommendation.unwrap_or(&Value::Null)))
        .collect();
    if !others.is_empty() {
        kept.set(
            "responses",
            serde_json::to_string(&others).unwrap_or_default(),
        );
    }
    if let Some(rec) = recommendation {
        if let Some(u) = s(rec, "uuid") {
            kept.set("uuid:recommendation", u);
        }
        let derived = own_props(rec)
            .iter()
            .any(|(n, _, _)| *n == "recommendation-from");
        if !derived {
            if let Some(r) = rest(rec, known::RESPONSE) {
                kept.set("rest:recommendation", r);
            }
            if let Some(d) = s(rec, "description") {
                item.extra
                    .insert(kept_text::RECOMMENDATION.into(), d.into());
            }
            if let Some(t) = s(rec, "title") {
                kept.set("recommendation-title", t);
            }
        }
    }
    if let Some(plan) = planned {
        if let Some(u) = s(plan, "uuid") {
            kept.set("uuid:remediation", u);
        }
        if let Some(r) = rest(plan, known::RESPONSE) {
            kept.set("rest:planned", r);
        }
        if let Some(t) = s(plan, "title").filter(|t| *t != "Remediation plan") {
            kept.set("remediation-title", t);
        }
        let others: Vec<&Value> = arr(plan, "props")
            .iter()
            .filter(|p| s(p, "ns") != Some(NS_POAMKIT))
            .collect();
        if !others.is_empty() {
            kept.set(
                "remediation-props",
                serde_json::to_string(&others).unwrap_or_default(),
            );
        }
        if let Some(asset) = arr(plan, "required-assets").first() {
            if let Some(u) = s(asset, "uuid") {
                kept.set("uuid:required-asset", u);
            }
            if let Some(r) = rest(asset, &["uuid", "description"]) {
                kept.set("rest:required-asset", r);
            }
        }
        let no_plan = own_props(plan)
            .iter()
            .any(|(n, _, _)| *n == "no-remediation-plan");
        if !no_plan {
            item.remediation_plan = s(plan, "description").map(Text::from);
        }
        let resources: Vec<&str> = arr(plan, "required-assets")
            .iter()
            .filter_map(|a| s(a, "description"))
            .collect();
        if !resources.is_empty() {
            item.resources_required = Some(resources.join("\n").into());
        }
        let owners: Vec<String> = arr(plan, "origins")
            .iter()
            .flat_map(|o| arr(o, "actors"))
            .filter(|a| s(a, "type") == Some("party"))
            .filter_map(|a| s(a, "actor-uuid").and_then(|u| names.get(u).cloned()))
            .collect();
        if !owners.is_empty() {
            item.point_of_contact = Some(owners.join("; ").into());
        }
        for task in arr(plan, "tasks") {
            let own = own_props(task);
            let says = |flag: &str| own.iter().any(|(n, _, _)| *n == flag);
            // The milestone poamkit adds where an item has none.
            if says("derived") {
                continue;
            }
            let k = item.milestones.len();
            if let Some(u) = s(task, "uuid") {
                kept.set(format!("uuid:task.{k}"), u);
            }
            if let Some(r) = rest(task, known::TASK) {
                kept.set(format!("rest:task.{k}"), r);
            }
            let timing = &task["timing"];
            let on = timing.get("on-date").and_then(|d| s(d, "date"));
            let range = timing.get("within-date-range");
            if let Some(t) = on {
                kept.set(format!("time:task.{k}.date"), t);
            }
            if let Some(range) = range {
                if let Some(t) = s(range, "start") {
                    kept.set(format!("time:task.{k}.start"), t);
                }
                if let Some(t) = s(range, "end") {
                    kept.set(format!("time:task.{k}.end"), t);
                }
            }
            let due = on
                .or_else(|| range.and_then(|d| s(d, "end")))
                .and_then(date)
                .filter(|_| !says("no-due-date"));
            let description = if says("no-milestone-text") {
                Text::default()
            } else {
                s(task, "title").unwrap_or_default().into()
            };
            let comments = s(task, "description")
                .filter(|_| !says("description-is-title"))
                .map(Text::from);
            let mut m = Milestone {
                description,
                due,
                comments,
                ..Milestone::default()
            };
            for (name, value, _) in own {
                match name {
                    "milestone-id" => m.id = Some(value.into()),
                    "milestone-status" => m.status = Status::parse(value),
                    "milestone-completed-on" => m.completed_on = date(value),
                    _ => {}
                }
            }
            item.milestones.push(m);
        }
    }
    // The risk log: vendor check-ins, closure, other changes.
    let mut changes = Vec::new();
    for entry in arr(&risk["risk-log"], "entries") {
        let start = s(entry, "start").and_then(date);
        let title_says =
            s(entry, "title").is_some_and(|t| t.to_lowercase().contains("vendor check-in"));
        if prop(entry, "vendor-dependency").contains(&"vendor-check-in") || title_says {
            if let Some(d) = start {
                if item.vendor.last_checkin.is_none_or(|old| d > old) {
                    item.vendor.last_checkin = Some(d);
                }
            }
            continue;
        }
        if s(entry, "status-change") == Some("closed") {
            item.completed_on = start;
            continue;
        }
        let title = s(entry, "title").unwrap_or("entry");
        let line = match (start, s(entry, "description")) {
            (Some(d), Some(desc)) => format!("{d}: {title}: {desc}"),
            (Some(d), None) => format!("{d}: {title}"),
            (None, Some(desc)) => format!("{title}: {desc}"),
            (None, None) => title.to_string(),
        };
        changes.push(line);
    }
    if !changes.is_empty() {
        item.milestone_changes = Some(changes.join("\n").into());
    }
    read_own_props(item, risk);
}

/// The risk statement poamkit writes where an item has none.
const NO_RISK_STATEMENT: &str = "No Risk Statement";

/// Restores what poamkit wrote in its own namespace.
fn read_own_props(item: &mut Item, risk: &Value) {
    use poam_model::{Field, FieldKind, RawSeverity};
    for (name, value, remarks) in own_props(risk) {
        match name {
            "status" => {
                item.status = Status::parse(value);
            }
            "category" => item.category = Some(poam_model::Category::Configuration),
            "unparsed-control" => item.unparsed_controls.push(value.into()),
            "assessment-procedure" => item.procedures.push(value.into()),
            "cci" => item.ccis.push(value.into()),
            "control-part" if !item.control_parts.iter().any(|p| p == value) => {
                item.control_parts.push(value.into())
            }
            "weakness-name" => item.weakness_name = Some(value.into()),
            "source-identifier" => item.source_identifier = Some(value.into()),
            "status-date" => item.status_date = date(value),
            "completed-on" => item.completed_on = date(value),
            "milestone-changes" => item.milestone_changes = Some(value.into()),
            "auto-approve" => item.risk.auto_approve = YesNo::parse(value),
            "vendor-product" => item.vendor.product = Some(value.into()),
            "service-name" => item.service_names.push(value.into()),
            "supporting-documents" => item.supporting_documents = Some(value.into()),
            "no-weakness-name" => item.weakness_name = None,
            "no-weakness-description" => item.weakness_description = None,
            "extra" => {
                item.extra
                    .insert(remarks.unwrap_or("?").into(), value.into());
            }
            "ssp-refs" => {
                if let Ok(refs) = serde_json::from_str(value) {
                    item.ssp_refs = refs;
                }
            }
            "other-control" => {
                let o = poam_model::OtherControl {
                    framework: remarks.unwrap_or("?").to_string(),
                    id: value.to_string(),
                };
                if !item.other_controls.contains(&o) {
                    item.other_controls.push(o);
                }
            }
            "emass.costs" => {
                item.emass
                    .costs
                    .insert(remarks.unwrap_or("?").into(), value.into());
            }
            other => {
                let Some(field) = Field::from_name(other) else {
                    continue;
                };
                match field.kind() {
                    FieldKind::Text => item.set_text(field, value.to_string()),
                    FieldKind::Date => {
                        if let Some(d) = date(value) {
                            item.set_date(field, d);
                        }
                    }
                    FieldKind::Rating => {
                        if let Some(r) = Rating::parse(value) {
                            item.set_rating(field, r);
                        }
                    }
                    FieldKind::RawSeverity => item.emass.raw_severity = RawSeverity::parse(value),
                    _ => {}
                }
            }
        }
    }
}

/// Whether a kept date-time is the one the writer would give its day anyway
/// (midnight UTC): kept only when it says more.
fn is_midnight_utc(t: &str) -> bool {
    t.len() == 20 && t.ends_with("T00:00:00Z")
}

/// Drops from what was kept what the writer would write again without it:
/// the UUIDs it derives, midnight-UTC times, its own versions. An OSCAL file
/// poamkit wrote reads back to the model it was written from; another
/// producer's UUIDs and times stay kept.
fn forget_derived(poam: &mut Poam) {
    let mut doc = Kept::parse(poam.system.extra.get(KEPT).map(String::as_str));
    let identity = identity(poam);
    let seed = document_uuid(&identity, &doc);
    if doc.get("uuid:document") == Some(derived_uuid(&["poam", &identity]).as_str()) {
        doc.0.remove("uuid:document");
    }
    let has_id = poam.system.extra.contains_key("system-id");
    doc.0.retain(|key, value| {
        let derived = match key.as_str() {
            "oscal-version" => value == OSCAL_VERSION,
            "version" => value == "1.0",
            "fedramp-version" => value == FEDRAMP_VERSION,
            "system-id-type" => !has_id || value == "https://fedramp.gov",
            k if k.starts_with("time:") => is_midnight_utc(value),
            k => k.split_once(':').is_some_and(|(kind, name)| {
                matches!(kind, "party" | "tool" | "asset") && *value == derived_uuid(&[kind, name])
            }),
        };
        !derived
    });
    if doc.is_empty() {
        poam.system.extra.shift_remove(KEPT);
    } else {
        poam.system.extra.insert(KEPT.into(), doc.text());
    }
    for (n, item) in poam.items.iter_mut().enumerate() {
        let Some(text) = item.extra.get(KEPT) else {
            continue;
        };
        let mut kept = Kept::parse(Some(text.as_str()));
        let key = item_key(n, item);
        kept.0.retain(|k, value| {
            // An expiry, and a milestone's date range, are written only when
            // kept.
            let written_anyway =
                k != "time:expires" && !(k.starts_with("time:task.") && k.ends_with(".start"));
            let derived = if k.starts_with("time:") && written_anyway {
                is_midnight_utc(value)
            } else if let Some(what) = k.strip_prefix("uuid:") {
                // Tasks are written as task.N, derived from ("task", N).
                let parts: Vec<&str> = match what.strip_prefix("task.") {
                    Some(n) => vec!["task", &seed, &key, n],
                    None => vec![what, &seed, &key],
                };
                *value == derived_uuid(&parts)
            } else {
                false
            };
            !derived
        });
        if kept.is_empty() {
            item.extra.shift_remove(KEPT);
        } else {
            item.extra.insert(KEPT.into(), kept.text().into());
        }
    }
}

/// Keeps the entries of the document's lists of roles, parties,
/// responsible parties, components and inventory items that say more than
/// poamkit would write from the model (their details, entries no item
/// names), ordered by UUID so that reading a document poamkit wrote from
/// them keeps the same.
fn keep_lists(kept: &mut Kept, meta: &Value, local: &Value) {
    use poam_layout::oscal::{component_json, csp_role, inventory_json};
    let mut keep = |key: &str, list: &[Value], ours: &dyn Fn(&Value) -> bool| {
        let mut rest: Vec<&Value> = list.iter().filter(|v| !ours(v)).collect();
        rest.sort_by_key(|v| s(v, "uuid").unwrap_or_default().to_string());
        if !rest.is_empty() {
            kept.set(key, serde_json::to_string(&rest).unwrap_or_default());
        }
    };
    keep("roles", arr(meta, "roles"), &|r| *r == csp_role());
    let plain_party = |p: &Value| {
        let name = s(p, "name").unwrap_or_default();
        let remarks = s(p, "remarks");
        p.as_object().is_some_and(|m| {
            m.keys().all(|k| match k.as_str() {
                "uuid" | "type" | "name" => true,
                // A multi-line name, whole in the remarks.
                "remarks" => poam_layout::text::one_line(remarks.unwrap_or_default()) == name,
                _ => false,
            })
        }) && matches!(s(p, "type"), Some("person" | "organization"))
    };
    keep("parties", arr(meta, "parties"), &plain_party);
    keep(
        "responsible-parties",
        arr(meta, "responsible-parties"),
        &|r| {
            s(r, "role-id") == Some("cloud-service-provider")
                && arr(r, "party-uuids").len() == 1
                && r.as_object().is_some_and(|m| m.len() == 2)
        },
    );
    keep("components", arr(local, "components"), &|c| {
        *c == component_json(
            s(c, "uuid").unwrap_or_default(),
            s(c, "title").unwrap_or_default(),
        )
    });
    keep("inventory-items", arr(local, "inventory-items"), &|c| {
        *c == inventory_json(
            s(c, "uuid").unwrap_or_default(),
            s(c, "description").unwrap_or_default(),
        )
    });
}
