//! Names shared by the OSCAL reader and writer.
//!
//! FedRAMP's extension props live in [`NS_FEDRAMP`]. What neither OSCAL nor
//! FedRAMP has a place for (eMASS fields, service names, `extra` cells...) is
//! written as props in [`NS_POAMKIT`], so that an OSCAL file poamkit writes
//! reads back to the same model; other OSCAL tools ignore them.
//!
//! What an OSCAL input says that the model cannot hold (its UUIDs, its
//! date-times with their offsets, the systems of its facets...) is kept in
//! the item's (or the system's) `extra` under [`KEPT`], as [`Kept`], and
//! written back in its place.

use poam_model::{Item, Poam, YesNo};
use std::collections::BTreeMap;
use uuid::Uuid;

/// FedRAMP's OSCAL extension namespace, as its rev 5 rules and templates
/// spell it.
pub const NS_FEDRAMP: &str = "https://fedramp.gov/ns/oscal";
/// The spelling of FedRAMP's namespace in its newer constraints
/// (`fedramp-version`); read as the same namespace.
pub const NS_FEDRAMP_HTTP: &str = "http://fedramp.gov/ns/oscal";
/// poamkit's own namespace for props OSCAL has no field for.
pub const NS_POAMKIT: &str = "urn:poamkit:oscal";
/// The OSCAL version poamkit writes.
pub const OSCAL_VERSION: &str = "1.1.2";
/// The release of FedRAMP's OSCAL resources (a tag of GSA/fedramp-automation)
/// whose rules poamkit writes to, the value of the `fedramp-version` prop.
pub const FEDRAMP_VERSION: &str = "fedramp-3.0.0rc1-oscal-1.1.2";

/// The namespace of poamkit's v5 UUIDs.
const UUID_NAMESPACE: Uuid = Uuid::from_u128(0x5d8e_4a1c_9b3f_4e27_a6d0_c1b2_e3f4_a5b6);

/// A v5 UUID derived from `parts`: the same parts always give the same UUID.
/// The writer derives every UUID it has not kept from an input this way, and
/// the reader recognises a UUID it would derive again (and does not keep it).
pub fn derived_uuid(parts: &[&str]) -> String {
    Uuid::new_v5(&UUID_NAMESPACE, parts.join("\u{1f}").as_bytes()).to_string()
}

/// The date-time the writer gives a day of the model: its midnight, UTC.
pub fn midnight(d: chrono::NaiveDate) -> String {
    format!("{}T00:00:00Z", d.format("%Y-%m-%d"))
}

/// What an item's UUIDs derive from: its POA&M ID, else its position and
/// weakness name.
pub fn item_key(n: usize, item: &Item) -> String {
    match &item.id {
        Some(id) => format!("id:{id}"),
        None => format!(
            "row:{n}:{}",
            item.weakness_name.as_deref().unwrap_or_default()
        ),
    }
}

/// What the document's UUID and a generated system-id derive from: the
/// system's name, the same every month; without one, the input itself (its
/// items), so that unrelated files never share them.
pub fn identity(poam: &Poam) -> String {
    match &poam.system.name {
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
                derived_uuid(&keys.iter().map(String::as_str).collect::<Vec<_>>())
            )
        }
    }
}

/// The document UUID the writer gives a POA&M of this [`identity`]: the one
/// kept from its OSCAL input, else one derived from the identity. Every UUID
/// of an item derives from it, so that two systems' items never share one.
pub fn document_uuid(identity: &str, kept: &Kept) -> String {
    kept.get("uuid:document")
        .map_or_else(|| derived_uuid(&["poam", identity]), str::to_string)
}

/// The `extra` key under which an OSCAL input's machine details are kept.
pub const KEPT: &str = "OSCAL ids";

/// `extra` keys of what an OSCAL input says in words that the model has no
/// field for; a person reads them in any output that keeps `extra`, and the
/// OSCAL writer puts each back in its place.
pub mod kept_text {
    /// The risk's statement.
    pub const RISK_STATEMENT: &str = "OSCAL risk statement";
    /// The risk's status when OSCAL's (investigating, remediating...) says
    /// more than open or closed.
    pub const RISK_STATUS: &str = "OSCAL risk status";
    /// The observation's title.
    pub const OBSERVATION_TITLE: &str = "OSCAL observation title";
    /// The observation's remarks.
    pub const OBSERVATION_REMARKS: &str = "OSCAL observation remarks";
    /// The observation's description, where it is not the weakness's.
    pub const OBSERVATION_DESCRIPTION: &str = "OSCAL observation description";
    /// The poam-item's own title, where it is not the risk's.
    pub const ITEM_TITLE: &str = "OSCAL poam-item title";
    /// The poam-item's own description, where it is not the risk's.
    pub const ITEM_DESCRIPTION: &str = "OSCAL poam-item description";
    /// The recommended remediation, where it is not the plan.
    pub const RECOMMENDATION: &str = "OSCAL recommendation";
    /// A likelihood facet's value.
    pub const LIKELIHOOD: &str = "OSCAL likelihood";
    /// An impact facet's value.
    pub const IMPACT: &str = "OSCAL impact";
    /// Every key above, for writers that place them.
    pub const ALL: [&str; 10] = [
        RISK_STATEMENT,
        RISK_STATUS,
        OBSERVATION_TITLE,
        OBSERVATION_REMARKS,
        OBSERVATION_DESCRIPTION,
        ITEM_TITLE,
        ITEM_DESCRIPTION,
        RECOMMENDATION,
        LIKELIHOOD,
        IMPACT,
    ];
}

/// An OSCAL input's details kept for writing it back: UUIDs
/// (`uuid:risk`), date-times as written (`time:deadline`), facet systems,
/// FedRAMP prop values as written... by key. Serialized as one line of JSON.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Kept(pub BTreeMap<String, String>);

impl Kept {
    /// Reads the kept details from their `extra` text (empty when absent or
    /// not readable).
    pub fn parse(text: Option<&str>) -> Kept {
        Kept(
            text.and_then(|t| serde_json::from_str(t).ok())
                .unwrap_or_default(),
        )
    }
    /// The details as one line of JSON.
    pub fn text(&self) -> String {
        serde_json::to_string(&self.0).unwrap_or_default()
    }
    /// One detail.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.0.get(key).map(String::as_str)
    }
    /// Keeps one detail.
    pub fn set(&mut self, key: impl Into<String>, value: impl Into<String>) {
        self.0.insert(key.into(), value.into());
    }
    /// Whether nothing is kept.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
    /// A date-time kept under `key`, when its date is still `date` (the
    /// model holds the day; the time and offset come back only while the
    /// day is the same).
    pub fn time_on(&self, key: &str, date: chrono::NaiveDate) -> Option<&str> {
        self.get(key)
            .filter(|t| t.get(..10) == Some(date.format("%Y-%m-%d").to_string().as_str()))
    }
}

/// A FedRAMP deviation prop value (`risk-adjustment`, `false-positive`,
/// `operational-requirement`) for a workbook's answer: Yes is an approved
/// deviation, Pending one asked for and awaiting FedRAMP. No (no deviation
/// asked for) has no FedRAMP value: `withdrawn` says a request was taken
/// back, which No does not say.
pub fn deviation_value(answer: YesNo) -> Option<&'static str> {
    match answer {
        YesNo::Yes => Some("approved"),
        YesNo::Pending => Some("pending"),
        YesNo::No => None,
    }
}

/// The `vendor-dependency` prop value (FedRAMP allows investigating,
/// tracking, resolved and withdrawn) for a workbook's answer: Yes is a
/// dependency being tracked, Pending one still being looked into. No (no
/// dependency) has no FedRAMP value: `resolved` and `withdrawn` say a
/// dependency there was has ended, which No does not say.
pub fn vendor_value(answer: YesNo) -> Option<&'static str> {
    match answer {
        YesNo::Yes => Some("tracking"),
        YesNo::Pending => Some("investigating"),
        YesNo::No => None,
    }
}

/// FedRAMP's allowed values of `vendor-dependency`.
pub const VENDOR_VALUES: [&str; 4] = ["investigating", "tracking", "resolved", "withdrawn"];
/// FedRAMP's allowed values of the deviation props.
pub const DEVIATION_VALUES: [&str; 4] = ["investigating", "pending", "approved", "withdrawn"];

/// Reads a FedRAMP deviation or vendor-dependency prop value as the
/// workbook's answer: approved and tracking as Yes; investigating, pending
/// and submitted as Pending; withdrawn, denied, resolved (nothing asked for
/// or depended on any longer) as No.
pub fn read_deviation(value: &str) -> Option<YesNo> {
    match value.to_ascii_lowercase().as_str() {
        "approved" | "yes" | "tracking" => Some(YesNo::Yes),
        "pending" | "investigating" | "submitted" => Some(YesNo::Pending),
        "withdrawn" | "denied" | "no" | "resolved" => Some(YesNo::No),
        _ => None,
    }
}

/// What an OSCAL object says beyond the keys the model holds (`known`):
/// those keys and their values as one line of JSON, kept to be put back by
/// [`put_back`]; `None` when there are none.
pub fn rest(v: &serde_json::Value, known: &[&str]) -> Option<String> {
    let map = v.as_object()?;
    let rest: serde_json::Map<String, serde_json::Value> = map
        .iter()
        .filter(|(k, _)| !known.contains(&k.as_str()))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    (!rest.is_empty()).then(|| serde_json::Value::Object(rest).to_string())
}

/// Puts into `obj` what [`rest`] kept, where the writer wrote nothing of
/// its own under the same key.
pub fn put_back(obj: &mut serde_json::Value, kept: Option<&str>) {
    let Some(serde_json::Value::Object(rest)) = kept.and_then(|k| serde_json::from_str(k).ok())
    else {
        return;
    };
    if let Some(map) = obj.as_object_mut() {
        for (k, v) in rest {
            map.entry(k).or_insert(v);
        }
    }
}

/// The keys of each OSCAL object that the model holds; the rest of the
/// object is kept whole ([`rest`]).
pub mod known {
    /// The document's root.
    pub const ROOT: &[&str] = &[
        "uuid",
        "metadata",
        "import-ssp",
        "system-id",
        "local-definitions",
        "observations",
        "risks",
        "poam-items",
        "back-matter",
    ];
    /// Metadata (roles, parties and responsible parties are kept as lists).
    pub const METADATA: &[&str] = &[
        "title",
        "published",
        "last-modified",
        "version",
        "oscal-version",
        "props",
        "roles",
        "parties",
        "responsible-parties",
    ];
    /// `import-ssp`.
    pub const IMPORT_SSP: &[&str] = &["href"];
    /// Local definitions (components and inventory items kept as lists).
    pub const LOCAL_DEFINITIONS: &[&str] = &["components", "inventory-items"];
    /// An observation.
    pub const OBSERVATION: &[&str] = &[
        "uuid",
        "title",
        "description",
        "props",
        "methods",
        "types",
        "origins",
        "subjects",
        "collected",
        "expires",
        "remarks",
    ];
    /// A risk.
    pub const RISK: &[&str] = &[
        "uuid",
        "title",
        "description",
        "statement",
        "props",
        "status",
        "characterizations",
        "mitigating-factors",
        "deadline",
        "remediations",
        "responses",
        "risk-log",
        "related-observations",
    ];
    /// A poam-item.
    pub const POAM_ITEM: &[&str] = &[
        "uuid",
        "title",
        "description",
        "props",
        "related-observations",
        "related-risks",
        "remarks",
    ];
    /// A response (recommendation or planned).
    pub const RESPONSE: &[&str] = &[
        "uuid",
        "lifecycle",
        "title",
        "description",
        "props",
        "origins",
        "required-assets",
        "tasks",
    ];
    /// A milestone task.
    pub const TASK: &[&str] = &["uuid", "type", "title", "description", "props", "timing"];
}

/// The role poamkit writes: the cloud service provider, the organization.
pub fn csp_role() -> serde_json::Value {
    serde_json::json!({"id": "cloud-service-provider", "title": "Cloud Service Provider"})
}

/// A party as poamkit writes it.
pub fn party_json(uuid: &str, name: &str, kind: &str) -> serde_json::Value {
    serde_json::json!({"uuid": uuid, "type": kind, "name": name})
}

/// A weakness detector's component as poamkit writes it.
pub fn component_json(uuid: &str, name: &str) -> serde_json::Value {
    serde_json::json!({"uuid": uuid, "type": "software", "title": name,
        "description": format!("Weakness detector: {name}"),
        "props": [{"name": "name", "ns": NS_FEDRAMP, "value": name}],
        "status": {"state": "operational"}})
}

/// An asset's inventory item as poamkit writes it.
pub fn inventory_json(uuid: &str, name: &str) -> serde_json::Value {
    serde_json::json!({"uuid": uuid, "description": name,
        "props": [{"name": "asset-id", "value": name}]})
}

/// The entries of a list as written: each generated entry, or the input's
/// own entry of the same UUID in its place; then the input's entries the
/// model does not name, as they were. `kept` is the input's list as JSON.
pub fn merge_entries(
    generated: Vec<serde_json::Value>,
    kept: Option<&str>,
) -> Vec<serde_json::Value> {
    let raw: Vec<serde_json::Value> = kept
        .and_then(|k| serde_json::from_str(k).ok())
        .unwrap_or_default();
    let uuid = |v: &serde_json::Value| v.get("uuid").and_then(|u| u.as_str()).map(str::to_string);
    let mut out: Vec<serde_json::Value> = generated
        .into_iter()
        .map(|g| {
            raw.iter()
                .find(|r| uuid(r).is_some() && uuid(r) == uuid(&g))
                .cloned()
                .unwrap_or(g)
        })
        .collect();
    for r in raw {
        if !out.iter().any(|o| uuid(o).is_some() && uuid(o) == uuid(&r)) {
            out.push(r);
        }
    }
    out
}
