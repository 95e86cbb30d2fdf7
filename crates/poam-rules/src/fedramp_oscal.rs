//! FedRAMP's rev 5 rules for an OSCAL POA&M, checked on the document itself.
//!
//! FedRAMP validates an OSCAL POA&M with Schematron rules (GSA's
//! fedramp-automation, `rules/rev5/poam.sch`) before a person reads it. This
//! module checks the same requirements on the JSON form of the document (an
//! XML or YAML document read into the same shape), with FedRAMP's rule ids,
//! so that a user sees what FedRAMP's validator would say before submitting;
//! and the requirements of FedRAMP's newer constraints (`fedramp-version`,
//! `marking`, the allowed values of FedRAMP's props).
//!
//! Each finding is a [`Finding`] whose `rule` is FedRAMP's id, whose item is
//! the poam-item's POA&M ID (or `document`), and whose location is the JSON
//! path of what breaks the rule.

use crate::{Finding, Level, Policy};
use chrono::{DateTime, NaiveDate};
use poam_layout::oscal::{DEVIATION_VALUES, NS_FEDRAMP, NS_FEDRAMP_HTTP, VENDOR_VALUES};
use poam_model::{Item, Rating};
use serde_json::Value;
use std::collections::{BTreeMap, HashMap};
use std::path::Path;

/// Every rule this module checks: FedRAMP's id, its level, what it asks.
pub const RULES: &[(&str, Level, &str)] = &[
    ("has-import-ssp", Level::Error, "the document has an import-ssp"),
    ("has-import-ssp-href", Level::Error, "import-ssp has an href"),
    ("has-import-ssp-internal-href", Level::Error, "an href starting with # names a back-matter resource of the document"),
    ("has-import-ssp-external-href", Level::Error, "an external href names a document that can be found"),
    ("import-ssp-has-available-document", Level::Warning, "the SSP the href names can be opened"),
    ("import-ssp-resolves-to-ssp", Level::Warning, "what the href names is an OSCAL SSP"),
    ("has-system-security-plan-resource", Level::Error, "an internal import-ssp names a resource declared as the SSP (or as FedRAMP's no-oscal-ssp)"),
    ("has-ssp-rlink", Level::Error, "the SSP resource has exactly one rlink"),
    ("has-acceptable-system-security-plan-rlink-media-type", Level::Error, "the SSP rlink's media type is text/xml or application/json"),
    ("has-no-base64", Level::Error, "the SSP resource carries no base64"),
    ("poam-item-has-associated-risk", Level::Error, "every poam-item names a risk"),
    ("poam-item-has-one-associated-risk", Level::Warning, "every poam-item names only one risk"),
    ("poam-item-has-related-observation", Level::Error, "every poam-item names an observation"),
    ("associated-risk-has-target", Level::Error, "the risk a poam-item names is in the document"),
    ("associated-risk-has-planned-response", Level::Error, "the risk a poam-item names has a planned response"),
    ("related-observation-has-observation", Level::Error, "the observation a poam-item names is in the document"),
    ("risk-has-deadline", Level::Error, "every risk has a deadline"),
    ("risk-has-recommendation", Level::Error, "every risk has a recommendation response"),
    ("risk-has-planned-response", Level::Error, "every risk has a planned response"),
    ("risk-has-milestones", Level::Error, "a poam-item's risk has at least one milestone task"),
    ("has-risk-impact-characterization-facet", Level::Error, "a risk has a characterization facet named impact"),
    ("has-timely-completion-date", Level::Error, "the deadline is within FedRAMP's time for the impact (30/90/180 days from detection)"),
    ("milestone-has-description", Level::Error, "every milestone has a description"),
    ("milestone-has-timing", Level::Error, "every milestone has timing"),
    ("milestone-has-timing-within-date-range", Level::Error, "a milestone's timing is within-date-range or on-date"),
    ("deadline-is-valid-datetime", Level::Error, "a deadline is a date-time with its time zone"),
    ("on-date-date-is-valid-datetime", Level::Error, "an on-date is a date-time with its time zone"),
    ("within-date-range-start-is-valid-datetime", Level::Error, "a date range's start is a date-time with its time zone"),
    ("within-date-range-end-is-valid-datetime", Level::Error, "a date range's end is a date-time with its time zone"),
    ("within-date-range-start-precedes-end", Level::Error, "a date range's start is not after its end"),
    ("risk-log-entry-has-title", Level::Error, "every risk-log entry has a title"),
    ("risk-log-entry-has-start", Level::Error, "every risk-log entry has a start"),
    ("has-fedramp-version", Level::Warning, "metadata names the release of FedRAMP's rules (fedramp-version)"),
    ("has-marking", Level::Warning, "metadata carries the document's marking"),
    ("fedramp-allowed-value", Level::Error, "a FedRAMP prop holds one of FedRAMP's values"),
];

fn level_of(rule: &str) -> Level {
    RULES
        .iter()
        .find(|(id, _, _)| *id == rule)
        .map_or(Level::Error, |(_, l, _)| *l)
}

fn s<'a>(v: &'a Value, key: &str) -> Option<&'a str> {
    v.get(key).and_then(Value::as_str)
}

fn arr<'a>(v: &'a Value, key: &str) -> &'a [Value] {
    v.get(key)
        .and_then(Value::as_array)
        .map_or(&[], Vec::as_slice)
}

fn is_fedramp(p: &Value) -> bool {
    matches!(s(p, "ns"), Some(NS_FEDRAMP) | Some(NS_FEDRAMP_HTTP))
}

/// The value of a FedRAMP prop named `name`.
fn fedramp_prop<'a>(v: &'a Value, name: &str) -> Option<&'a str> {
    arr(v, "props")
        .iter()
        .find(|p| s(p, "name") == Some(name) && is_fedramp(p))
        .and_then(|p| s(p, "value"))
}

/// OSCAL's date-time-with-timezone: RFC 3339 with an offset.
fn is_datetime(t: &str) -> bool {
    DateTime::parse_from_rfc3339(t).is_ok()
}

fn day(t: &str) -> Option<NaiveDate> {
    DateTime::parse_from_rfc3339(t)
        .ok()
        .map(|d| d.date_naive())
        .or_else(|| t.get(..10).and_then(|d| d.parse().ok()))
}

struct Check<'a> {
    out: Vec<Finding>,
    /// The POA&M ID of the poam-item that names each risk, by risk UUID.
    risk_items: HashMap<&'a str, String>,
}

impl Check<'_> {
    fn fail(&mut self, rule: &str, item: &str, path: String, message: String) {
        self.out.push(Finding {
            item: item.to_string(),
            rule: rule.to_string(),
            severity: level_of(rule),
            message: if item == "document" {
                message
            } else {
                format!("{item}: {message}")
            },
            dates: BTreeMap::new(),
            location: Some(path),
        });
    }
}

/// Checks FedRAMP's rules on an OSCAL POA&M document (the JSON form, with
/// `plan-of-action-and-milestones` at its root). `base` is the folder of the
/// file, against which an external `import-ssp` or an SSP resource's link is
/// found; without it, those links are not followed.
pub fn check(doc: &Value, base: Option<&Path>) -> Vec<Finding> {
    let root = &doc["plan-of-action-and-milestones"];
    let mut c = Check {
        out: Vec::new(),
        risk_items: HashMap::new(),
    };
    let items = arr(root, "poam-items");
    let label = |n: usize, pi: &Value| {
        fedramp_prop(pi, "POAM-ID")
            .map(str::to_string)
            .or_else(|| s(pi, "title").map(str::to_string))
            .unwrap_or_else(|| format!("poam-items[{n}]"))
    };
    for (n, pi) in items.iter().enumerate() {
        for r in arr(pi, "related-risks") {
            if let Some(u) = s(r, "risk-uuid") {
                c.risk_items.entry(u).or_insert_with(|| label(n, pi));
            }
        }
    }
    metadata(&mut c, root);
    import_ssp(&mut c, root, base);
    let risks: HashMap<&str, (usize, &Value)> = arr(root, "risks")
        .iter()
        .enumerate()
        .filter_map(|(n, r)| s(r, "uuid").map(|u| (u, (n, r))))
        .collect();
    let observations: HashMap<&str, &Value> = arr(root, "observations")
        .iter()
        .filter_map(|o| s(o, "uuid").map(|u| (u, o)))
        .collect();
    for (n, pi) in items.iter().enumerate() {
        let name = label(n, pi);
        let at = format!("$.poam-items[{n}]");
        let linked = arr(pi, "related-risks");
        if linked.is_empty() {
            c.fail(
                "poam-item-has-associated-risk",
                &name,
                format!("{at}.related-risks"),
                "the poam-item names no risk (related-risks)".into(),
            );
        }
        if linked.len() > 1 {
            c.fail(
                "poam-item-has-one-associated-risk",
                &name,
                format!("{at}.related-risks"),
                format!(
                    "the poam-item names {} risks; FedRAMP expects one",
                    linked.len()
                ),
            );
        }
        for (k, r) in linked.iter().enumerate() {
            let u = s(r, "risk-uuid").unwrap_or_default();
            match risks.get(u) {
                None => c.fail(
                    "associated-risk-has-target",
                    &name,
                    format!("{at}.related-risks[{k}]"),
                    format!("the risk {u} is not in the document"),
                ),
                Some((_, risk)) => {
                    if !has_lifecycle(risk, "planned") {
                        c.fail(
                            "associated-risk-has-planned-response",
                            &name,
                            format!("{at}.related-risks[{k}]"),
                            format!("the risk {u} has no planned response"),
                        );
                    }
                    let milestones = arr(risk, "remediations")
                        .iter()
                        .flat_map(|r| arr(r, "tasks"))
                        .any(|t| s(t, "type") == Some("milestone"));
                    if !milestones {
                        c.fail("risk-has-milestones", &name, format!("{at}.related-risks[{k}]"),
                            format!("the risk {u} has no milestone (a remediation task of type milestone)"));
                    }
                }
            }
        }
        let seen = arr(pi, "related-observations");
        if seen.is_empty() {
            c.fail(
                "poam-item-has-related-observation",
                &name,
                format!("{at}.related-observations"),
                "the poam-item names no observation (related-observations)".into(),
            );
        }
        for (k, o) in seen.iter().enumerate() {
            let u = s(o, "observation-uuid").unwrap_or_default();
            if !observations.contains_key(u) {
                c.fail(
                    "related-observation-has-observation",
                    &name,
                    format!("{at}.related-observations[{k}]"),
                    format!("the observation {u} is not in the document"),
                );
            }
        }
    }
    let policy = Policy::builtin("fedramp").ok();
    for (n, risk) in arr(root, "risks").iter().enumerate() {
        let u = s(risk, "uuid").unwrap_or_default();
        let name = c
            .risk_items
            .get(u)
            .cloned()
            .or_else(|| s(risk, "title").map(str::to_string))
            .unwrap_or_else(|| format!("risks[{n}]"));
        risk_rules(&mut c, risk, n, &name, &observations, policy.as_ref());
    }
    c.out
}

fn has_lifecycle(risk: &Value, lifecycle: &str) -> bool {
    arr(risk, "remediations")
        .iter()
        .any(|r| s(r, "lifecycle") == Some(lifecycle))
}

fn metadata(c: &mut Check, root: &Value) {
    let meta = &root["metadata"];
    let props = arr(meta, "props");
    if !props
        .iter()
        .any(|p| s(p, "name") == Some("fedramp-version") && is_fedramp(p))
    {
        c.fail("has-fedramp-version", "document", "$.metadata.props".into(),
            "metadata has no fedramp-version prop naming the release of FedRAMP's rules the document follows".into());
    }
    if !props.iter().any(|p| s(p, "name") == Some("marking")) {
        c.fail(
            "has-marking",
            "document",
            "$.metadata.props".into(),
            "metadata has no marking prop (the document's marking, e.g. CUI); add --marking".into(),
        );
    }
}

fn import_ssp(c: &mut Check, root: &Value, base: Option<&Path>) {
    let Some(import) = root.get("import-ssp") else {
        c.fail(
            "has-import-ssp",
            "document",
            "$.import-ssp".into(),
            "the document has no import-ssp (FedRAMP asks every POA&M to name its SSP)".into(),
        );
        return;
    };
    let Some(href) = s(import, "href") else {
        c.fail(
            "has-import-ssp-href",
            "document",
            "$.import-ssp.href".into(),
            "import-ssp has no href".into(),
        );
        return;
    };
    let resources = arr(&root["back-matter"], "resources");
    match href.strip_prefix('#') {
        Some(target) => {
            let Some((n, resource)) = resources
                .iter()
                .enumerate()
                .find(|(_, r)| s(r, "uuid") == Some(target))
            else {
                c.fail(
                    "has-import-ssp-internal-href",
                    "document",
                    "$.import-ssp.href".into(),
                    format!("import-ssp names {href}, which is no resource of the back-matter"),
                );
                return;
            };
            let at = format!("$.back-matter.resources[{n}]");
            match fedramp_prop(resource, "type") {
                Some("system-security-plan") => ssp_resource(c, resource, &at, base),
                // FedRAMP's resource for a system without an OSCAL SSP.
                Some("no-oscal-ssp") => {}
                other => c.fail("has-system-security-plan-resource", "document", at,
                    format!("the resource import-ssp names is not declared as the SSP (its FedRAMP type is {}, not system-security-plan or no-oscal-ssp)",
                        other.unwrap_or("not given"))),
            }
        }
        None => {
            if !href.contains("://") {
                let found = base.map(|b| b.join(decode(href)));
                if let Some(path) = found {
                    if !path.is_file() {
                        c.fail(
                            "has-import-ssp-external-href",
                            "document",
                            "$.import-ssp.href".into(),
                            format!(
                                "import-ssp names {href}, which is not found beside the POA&M ({})",
                                path.display()
                            ),
                        );
                    } else {
                        resolves_to_ssp(c, &path, "$.import-ssp.href");
                    }
                }
            }
        }
    }
}

/// A relative href as a file path (its percent-encoded bytes decoded).
fn decode(href: &str) -> String {
    percent_encoding::percent_decode_str(href)
        .decode_utf8_lossy()
        .into_owned()
}

fn ssp_resource(c: &mut Check, resource: &Value, at: &str, base: Option<&Path>) {
    let rlinks = arr(resource, "rlinks");
    if rlinks.len() != 1 {
        c.fail(
            "has-ssp-rlink",
            "document",
            format!("{at}.rlinks"),
            format!(
                "the SSP resource has {} rlinks; FedRAMP asks for exactly one",
                rlinks.len()
            ),
        );
    }
    if resource.get("base64").is_some() {
        c.fail(
            "has-no-base64",
            "document",
            format!("{at}.base64"),
            "the SSP resource carries the SSP itself (base64); FedRAMP asks for a link only".into(),
        );
    }
    for (k, link) in rlinks.iter().enumerate() {
        let media = s(link, "media-type");
        if !matches!(media, Some("text/xml") | Some("application/json")) {
            c.fail(
                "has-acceptable-system-security-plan-rlink-media-type",
                "document",
                format!("{at}.rlinks[{k}].media-type"),
                format!(
                    "the SSP link's media type is {}, not text/xml or application/json",
                    media.unwrap_or("not given")
                ),
            );
        }
        let Some(href) = s(link, "href") else {
            continue;
        };
        if href.contains("://") {
            continue;
        }
        if let Some(path) = base.map(|b| b.join(decode(href))) {
            if path.is_file() {
                resolves_to_ssp(c, &path, &format!("{at}.rlinks[{k}].href"));
            } else {
                c.fail(
                    "import-ssp-has-available-document",
                    "document",
                    format!("{at}.rlinks[{k}].href"),
                    format!(
                        "the SSP {href} is not found beside the POA&M ({})",
                        path.display()
                    ),
                );
                c.fail(
                    "import-ssp-resolves-to-ssp",
                    "document",
                    format!("{at}.rlinks[{k}].href"),
                    format!(
                        "the SSP {href} cannot be read, so it cannot be checked to be an OSCAL SSP"
                    ),
                );
            }
        }
    }
}

/// Whether the file is an OSCAL SSP (JSON, YAML or XML), by its root.
fn resolves_to_ssp(c: &mut Check, path: &Path, at: &str) {
    let head = std::fs::read(path)
        .map(|b| String::from_utf8_lossy(&b[..b.len().min(4096)]).into_owned())
        .unwrap_or_default();
    if !head.contains("system-security-plan") {
        c.fail(
            "import-ssp-resolves-to-ssp",
            "document",
            at.to_string(),
            format!(
                "{} is not an OSCAL SSP (no system-security-plan at its start)",
                path.display()
            ),
        );
    }
}

fn risk_rules(
    c: &mut Check,
    risk: &Value,
    n: usize,
    name: &str,
    observations: &HashMap<&str, &Value>,
    policy: Option<&Policy>,
) {
    let at = format!("$.risks[{n}]");
    let deadline = s(risk, "deadline");
    match deadline {
        None => c.fail(
            "risk-has-deadline",
            name,
            format!("{at}.deadline"),
            "the risk has no deadline".into(),
        ),
        Some(d) if !is_datetime(d) => c.fail(
            "deadline-is-valid-datetime",
            name,
            format!("{at}.deadline"),
            format!("the deadline \"{d}\" is not a date-time with a time zone"),
        ),
        Some(_) => {}
    }
    if !has_lifecycle(risk, "recommendation") {
        c.fail(
            "risk-has-recommendation",
            name,
            format!("{at}.remediations"),
            "the risk has no recommendation response (the remediation plan)".into(),
        );
    }
    if !has_lifecycle(risk, "planned") {
        c.fail(
            "risk-has-planned-response",
            name,
            format!("{at}.remediations"),
            "the risk has no planned response (the milestones)".into(),
        );
    }
    let impact = arr(risk, "characterizations")
        .iter()
        .flat_map(|ch| arr(ch, "facets"))
        .find(|f| s(f, "name") == Some("impact"))
        .and_then(|f| s(f, "value"));
    if impact.is_none() {
        c.fail(
            "has-risk-impact-characterization-facet",
            name,
            format!("{at}.characterizations"),
            "the risk has no characterization facet named impact (its rating)".into(),
        );
    }
    // FedRAMP's response time by the impact, from the detection (the
    // related observations' collection date).
    if let (Some(policy), Some(impact), Some(deadline)) = (policy, impact, deadline.and_then(day)) {
        let detected = arr(risk, "related-observations")
            .iter()
            .filter_map(|o| observations.get(s(o, "observation-uuid").unwrap_or_default()))
            .filter_map(|o| s(o, "collected").and_then(day))
            .min();
        let rated = Item {
            detected_on: detected,
            risk: poam_model::Risk {
                original: Rating::parse(impact),
                ..Default::default()
            },
            ..Item::default()
        };
        if let (Some(d), Some((days, why))) = (detected, policy.days_for(&rated)) {
            if (deadline - d).num_days() > days {
                c.fail("has-timely-completion-date", name, format!("{at}.deadline"),
                    format!("the deadline {deadline} is {} days after the detection ({d}); FedRAMP allows {days} days for {why}",
                        (deadline - d).num_days()));
            }
        }
    }
    for (k, rem) in arr(risk, "remediations").iter().enumerate() {
        for (t, task) in arr(rem, "tasks").iter().enumerate() {
            if s(task, "type") != Some("milestone") {
                continue;
            }
            let tat = format!("{at}.remediations[{k}].tasks[{t}]");
            if s(task, "description").is_none_or(|d| d.trim().is_empty()) {
                c.fail(
                    "milestone-has-description",
                    name,
                    format!("{tat}.description"),
                    "the milestone has no description".into(),
                );
            }
            let Some(timing) = task.get("timing") else {
                c.fail(
                    "milestone-has-timing",
                    name,
                    format!("{tat}.timing"),
                    "the milestone has no timing".into(),
                );
                continue;
            };
            if let Some(on) = timing.get("on-date") {
                let d = s(on, "date").unwrap_or_default();
                if !is_datetime(d) {
                    c.fail(
                        "on-date-date-is-valid-datetime",
                        name,
                        format!("{tat}.timing.on-date.date"),
                        format!("\"{d}\" is not a date-time with a time zone"),
                    );
                }
            } else if let Some(range) = timing.get("within-date-range") {
                let (start, end) = (
                    s(range, "start").unwrap_or_default(),
                    s(range, "end").unwrap_or_default(),
                );
                for (rule, t, which) in [
                    ("within-date-range-start-is-valid-datetime", start, "start"),
                    ("within-date-range-end-is-valid-datetime", end, "end"),
                ] {
                    if !is_datetime(t) {
                        c.fail(
                            rule,
                            name,
                            format!("{tat}.timing.within-date-range.{which}"),
                            format!("\"{t}\" is not a date-time with a time zone"),
                        );
                    }
                }
                if let (Ok(a), Ok(b)) = (
                    DateTime::parse_from_rfc3339(start),
                    DateTime::parse_from_rfc3339(end),
                ) {
                    if a > b {
                        c.fail(
                            "within-date-range-start-precedes-end",
                            name,
                            format!("{tat}.timing.within-date-range"),
                            format!("the range starts ({start}) after it ends ({end})"),
                        );
                    }
                }
            } else {
                c.fail(
                    "milestone-has-timing-within-date-range",
                    name,
                    format!("{tat}.timing"),
                    "the milestone's timing is neither on-date nor within-date-range".into(),
                );
            }
        }
    }
    for (k, entry) in arr(&risk["risk-log"], "entries").iter().enumerate() {
        let eat = format!("{at}.risk-log.entries[{k}]");
        if s(entry, "title").is_none() {
            c.fail(
                "risk-log-entry-has-title",
                name,
                format!("{eat}.title"),
                "the risk-log entry has no title".into(),
            );
        }
        if s(entry, "start").is_none() {
            c.fail(
                "risk-log-entry-has-start",
                name,
                format!("{eat}.start"),
                "the risk-log entry has no start".into(),
            );
        }
    }
    for (k, p) in arr(risk, "props").iter().enumerate() {
        if !is_fedramp(p) {
            continue;
        }
        let allowed: &[&str] = match s(p, "name") {
            Some("vendor-dependency") => &VENDOR_VALUES,
            Some("risk-adjustment" | "false-positive" | "operational-requirement") => {
                &DEVIATION_VALUES
            }
            _ => continue,
        };
        let v = s(p, "value").unwrap_or_default();
        if !allowed.contains(&v) {
            c.fail(
                "fedramp-allowed-value",
                name,
                format!("{at}.props[{k}]"),
                format!(
                    "{} is \"{v}\", which is not one of FedRAMP's values ({})",
                    s(p, "name").unwrap_or_default(),
                    allowed.join(", ")
                ),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// A document that keeps every rule.
    fn good() -> Value {
        json!({"plan-of-action-and-milestones": {
            "uuid": "11111111-1111-4111-8111-111111111111",
            "metadata": {"title": "T", "props": [
                {"name": "marking", "value": "CUI"},
                {"name": "fedramp-version", "ns": NS_FEDRAMP_HTTP, "value": "fedramp-3.0.0rc1-oscal-1.1.2"}]},
            "import-ssp": {"href": "#r1"},
            "observations": [{"uuid": "o1", "collected": "2024-01-01T00:00:00Z"}],
            "risks": [{"uuid": "k1", "deadline": "2024-03-01T00:00:00-05:00",
                "props": [{"name": "vendor-dependency", "ns": NS_FEDRAMP, "value": "tracking"}],
                "characterizations": [{"facets": [{"name": "impact", "system": "https://fedramp.gov", "value": "moderate"}]}],
                "related-observations": [{"observation-uuid": "o1"}],
                "remediations": [
                    {"lifecycle": "recommendation", "description": "Patch."},
                    {"lifecycle": "planned", "tasks": [
                        {"type": "milestone", "title": "m", "description": "d",
                         "timing": {"within-date-range": {"start": "2024-01-02T00:00:00Z", "end": "2024-02-01T00:00:00Z"}}}]}],
                "risk-log": {"entries": [{"title": "Opened", "start": "2024-01-01T00:00:00Z"}]}}],
            "poam-items": [{"uuid": "p1", "props": [{"name": "POAM-ID", "ns": NS_FEDRAMP, "value": "V-1"}],
                "related-observations": [{"observation-uuid": "o1"}],
                "related-risks": [{"risk-uuid": "k1"}]}],
            "back-matter": {"resources": [{"uuid": "r1",
                "props": [{"name": "type", "ns": NS_FEDRAMP, "value": "system-security-plan"}],
                "rlinks": [{"href": "https://example.gov/ssp.json", "media-type": "application/json"}]}]}
        }})
    }

    fn rules(doc: &Value) -> Vec<String> {
        check(doc, None).into_iter().map(|f| f.rule).collect()
    }

    fn broken(change: impl Fn(&mut Value)) -> Vec<String> {
        let mut doc = good();
        change(&mut doc["plan-of-action-and-milestones"]);
        rules(&doc)
    }

    #[test]
    fn a_document_that_keeps_the_rules_has_no_finding() {
        assert_eq!(rules(&good()), Vec::<String>::new());
    }

    #[test]
    fn each_broken_rule_is_named() {
        type Change = Box<dyn Fn(&mut Value)>;
        let cases: Vec<(&str, Change)> = vec![
            (
                "has-import-ssp",
                Box::new(|p| {
                    p.as_object_mut().unwrap().remove("import-ssp");
                }),
            ),
            (
                "has-import-ssp-href",
                Box::new(|p| p["import-ssp"] = json!({})),
            ),
            (
                "has-import-ssp-internal-href",
                Box::new(|p| p["import-ssp"]["href"] = json!("#nowhere")),
            ),
            (
                "has-system-security-plan-resource",
                Box::new(|p| p["back-matter"]["resources"][0]["props"] = json!([])),
            ),
            (
                "has-ssp-rlink",
                Box::new(|p| p["back-matter"]["resources"][0]["rlinks"] = json!([])),
            ),
            (
                "has-acceptable-system-security-plan-rlink-media-type",
                Box::new(|p| {
                    p["back-matter"]["resources"][0]["rlinks"][0]["media-type"] = json!("text/json")
                }),
            ),
            (
                "has-no-base64",
                Box::new(|p| p["back-matter"]["resources"][0]["base64"] = json!({"value": "AA=="})),
            ),
            (
                "poam-item-has-associated-risk",
                Box::new(|p| p["poam-items"][0]["related-risks"] = json!([])),
            ),
            (
                "poam-item-has-one-associated-risk",
                Box::new(|p| {
                    p["poam-items"][0]["related-risks"] =
                        json!([{"risk-uuid": "k1"}, {"risk-uuid": "k1"}])
                }),
            ),
            (
                "associated-risk-has-target",
                Box::new(|p| p["poam-items"][0]["related-risks"][0]["risk-uuid"] = json!("k9")),
            ),
            (
                "poam-item-has-related-observation",
                Box::new(|p| p["poam-items"][0]["related-observations"] = json!([])),
            ),
            (
                "related-observation-has-observation",
                Box::new(|p| {
                    p["poam-items"][0]["related-observations"][0]["observation-uuid"] = json!("o9")
                }),
            ),
            (
                "risk-has-deadline",
                Box::new(|p| {
                    p["risks"][0].as_object_mut().unwrap().remove("deadline");
                }),
            ),
            (
                "deadline-is-valid-datetime",
                Box::new(|p| p["risks"][0]["deadline"] = json!("2024-03-01")),
            ),
            (
                "risk-has-recommendation",
                Box::new(|p| {
                    p["risks"][0]["remediations"]
                        .as_array_mut()
                        .unwrap()
                        .remove(0);
                }),
            ),
            (
                "risk-has-planned-response",
                Box::new(|p| {
                    p["risks"][0]["remediations"]
                        .as_array_mut()
                        .unwrap()
                        .remove(1);
                }),
            ),
            (
                "associated-risk-has-planned-response",
                Box::new(|p| {
                    p["risks"][0]["remediations"]
                        .as_array_mut()
                        .unwrap()
                        .remove(1);
                }),
            ),
            (
                "risk-has-milestones",
                Box::new(|p| {
                    p["risks"][0]["remediations"][1]["tasks"][0]["type"] = json!("action")
                }),
            ),
            (
                "has-risk-impact-characterization-facet",
                Box::new(|p| {
                    p["risks"][0]["characterizations"][0]["facets"][0]["name"] = json!("risk")
                }),
            ),
            (
                "has-timely-completion-date",
                Box::new(|p| p["risks"][0]["deadline"] = json!("2024-06-01T00:00:00Z")),
            ),
            (
                "milestone-has-description",
                Box::new(|p| {
                    p["risks"][0]["remediations"][1]["tasks"][0]
                        .as_object_mut()
                        .unwrap()
                        .remove("description");
                }),
            ),
            (
                "milestone-has-timing",
                Box::new(|p| {
                    p["risks"][0]["remediations"][1]["tasks"][0]
                        .as_object_mut()
                        .unwrap()
                        .remove("timing");
                }),
            ),
            (
                "milestone-has-timing-within-date-range",
                Box::new(|p| {
                    p["risks"][0]["remediations"][1]["tasks"][0]["timing"] =
                        json!({"at-frequency": {"period": 1, "unit": "days"}})
                }),
            ),
            (
                "on-date-date-is-valid-datetime",
                Box::new(|p| {
                    p["risks"][0]["remediations"][1]["tasks"][0]["timing"] =
                        json!({"on-date": {"date": "2024-13-01T00:00:00Z"}})
                }),
            ),
            (
                "within-date-range-start-is-valid-datetime",
                Box::new(|p| {
                    p["risks"][0]["remediations"][1]["tasks"][0]["timing"]["within-date-range"]
                        ["start"] = json!("soon")
                }),
            ),
            (
                "within-date-range-end-is-valid-datetime",
                Box::new(|p| {
                    p["risks"][0]["remediations"][1]["tasks"][0]["timing"]["within-date-range"]
                        ["end"] = json!("2024-02-01T00:00:00")
                }),
            ),
            (
                "within-date-range-start-precedes-end",
                Box::new(|p| {
                    p["risks"][0]["remediations"][1]["tasks"][0]["timing"]["within-date-range"]
                        ["start"] = json!("2024-03-01T00:00:00Z")
                }),
            ),
            (
                "risk-log-entry-has-title",
                Box::new(|p| {
                    p["risks"][0]["risk-log"]["entries"][0]
                        .as_object_mut()
                        .unwrap()
                        .remove("title");
                }),
            ),
            (
                "risk-log-entry-has-start",
                Box::new(|p| {
                    p["risks"][0]["risk-log"]["entries"][0]
                        .as_object_mut()
                        .unwrap()
                        .remove("start");
                }),
            ),
            (
                "has-fedramp-version",
                Box::new(|p| {
                    p["metadata"]["props"].as_array_mut().unwrap().remove(1);
                }),
            ),
            (
                "has-marking",
                Box::new(|p| {
                    p["metadata"]["props"].as_array_mut().unwrap().remove(0);
                }),
            ),
            (
                "fedramp-allowed-value",
                Box::new(|p| p["risks"][0]["props"][0]["value"] = json!("pending")),
            ),
        ];
        for (rule, change) in &cases {
            let found = broken(change);
            assert!(found.iter().any(|r| r == rule), "{rule}: {found:?}");
        }
        // Every rule of the table has its case.
        for (id, _, _) in RULES {
            if matches!(
                *id,
                "has-import-ssp-external-href"
                    | "import-ssp-has-available-document"
                    | "import-ssp-resolves-to-ssp"
            ) {
                continue;
            }
            assert!(cases.iter().any(|(r, _)| r == id), "no case for {id}");
        }
    }

    #[test]
    fn links_are_followed_from_the_documents_folder() {
        let dir = tempfile::tempdir().unwrap();
        let mut doc = good();
        let p = &mut doc["plan-of-action-and-milestones"];
        p["back-matter"]["resources"][0]["rlinks"][0]["href"] = json!("my%20ssp.json");
        assert!(rules(&doc).is_empty(), "not followed without a folder");
        let found: Vec<String> = check(&doc, Some(dir.path()))
            .into_iter()
            .map(|f| f.rule)
            .collect();
        assert!(
            found.contains(&"import-ssp-has-available-document".to_string()),
            "{found:?}"
        );
        std::fs::write(
            dir.path().join("my ssp.json"),
            r#"{"system-security-plan": {}}"#,
        )
        .unwrap();
        assert!(check(&doc, Some(dir.path())).is_empty());
        std::fs::write(dir.path().join("my ssp.json"), r#"{"catalog": {}}"#).unwrap();
        let found: Vec<String> = check(&doc, Some(dir.path()))
            .into_iter()
            .map(|f| f.rule)
            .collect();
        assert_eq!(found, ["import-ssp-resolves-to-ssp"]);
        // An SSP outside the document: found beside it, or said missing.
        let p = &mut doc["plan-of-action-and-milestones"];
        p["import-ssp"]["href"] = json!("other.json");
        let found: Vec<String> = check(&doc, Some(dir.path()))
            .into_iter()
            .map(|f| f.rule)
            .collect();
        assert_eq!(found, ["has-import-ssp-external-href"]);
        std::fs::write(
            dir.path().join("other.json"),
            r#"{"system-security-plan": {}}"#,
        )
        .unwrap();
        assert!(check(&doc, Some(dir.path())).is_empty());
    }
}
