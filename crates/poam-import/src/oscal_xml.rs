//! OSCAL POA&M written as XML, OSCAL's third official format: the document
//! is turned into the JSON form by OSCAL's XML-to-JSON rules (flags and
//! fields become properties, repeated elements their JSON group's array,
//! markup its text), then read as any OSCAL JSON.

use crate::{ImportError, Imported};
use quick_xml::events::Event;
use quick_xml::Reader;
use serde_json::{Map, Value};

/// An element as read: its local name, flags, and content in order.
#[derive(Debug, Default)]
struct Node {
    name: String,
    attrs: Vec<(String, String)>,
    content: Vec<Content>,
}

#[derive(Debug)]
enum Content {
    Element(Node),
    Text(String),
}

/// XML element name → the JSON property of its group (an array), for the
/// elements of the OSCAL POA&M model and the metadata and back matter it
/// shares with every model (OSCAL 1.1.2's `group-as` names).
const GROUPS: &[(&str, &str)] = &[
    ("action", "actions"),
    ("activity", "activities"),
    ("actor", "actors"),
    ("addr-line", "addr-lines"),
    ("address", "addresses"),
    ("assessment-platform", "assessment-platforms"),
    ("associated-activity", "associated-activities"),
    // A POA&M item's and a finding's risks (`related-risks` in JSON).
    ("associated-risk", "related-risks"),
    ("authorized-privilege", "authorized-privileges"),
    ("characterization", "characterizations"),
    ("component", "components"),
    ("constraint", "constraints"),
    (
        "control-objective-selection",
        "control-objective-selections",
    ),
    ("control-selection", "control-selections"),
    ("dependency", "dependencies"),
    ("document-id", "document-ids"),
    ("email-address", "email-addresses"),
    ("entry", "entries"),
    ("exclude-control", "exclude-controls"),
    ("exclude-objective", "exclude-objectives"),
    ("exclude-subject", "exclude-subjects"),
    ("external-id", "external-ids"),
    ("facet", "facets"),
    ("finding", "findings"),
    ("function-performed", "functions-performed"),
    ("guideline", "guidelines"),
    ("hash", "hashes"),
    ("implemented-component", "implemented-components"),
    ("include-control", "include-controls"),
    ("include-objective", "include-objectives"),
    ("include-subject", "include-subjects"),
    ("inventory-item", "inventory-items"),
    ("link", "links"),
    ("location", "locations"),
    ("location-uuid", "location-uuids"),
    ("logged-by", "logged-by"),
    ("member-of-organization", "member-of-organizations"),
    ("method", "methods"),
    ("mitigating-factor", "mitigating-factors"),
    ("observation", "observations"),
    ("origin", "origins"),
    ("part", "parts"),
    ("party", "parties"),
    ("party-uuid", "party-uuids"),
    ("poam-item", "poam-items"),
    ("port-range", "port-ranges"),
    ("prop", "props"),
    ("protocol", "protocols"),
    ("related-finding", "related-findings"),
    ("related-observation", "related-observations"),
    ("related-response", "related-responses"),
    ("related-risk", "related-risks"),
    ("related-task", "related-tasks"),
    ("relevant-evidence", "relevant-evidence"),
    ("required-asset", "required-assets"),
    ("resource", "resources"),
    ("response", "remediations"),
    ("responsible-party", "responsible-parties"),
    ("responsible-role", "responsible-roles"),
    ("revision", "revisions"),
    ("risk", "risks"),
    ("rlink", "rlinks"),
    ("role", "roles"),
    ("role-id", "role-ids"),
    ("source", "sources"),
    ("statement-id", "statement-ids"),
    ("step", "steps"),
    ("subject", "subjects"),
    ("task", "tasks"),
    ("telephone-number", "telephone-numbers"),
    ("test", "tests"),
    ("threat-id", "threat-ids"),
    ("type", "types"),
    ("url", "urls"),
    ("user", "users"),
    ("uses-component", "uses-components"),
];

/// Elements whose content is OSCAL markup (prose): their text, paragraphs
/// apart.
const MARKUP: &[&str] = &[
    "description",
    "remarks",
    "statement",
    "title",
    "purpose",
    "prose",
];

/// The JSON property an element's own text goes to when it also has flags
/// (`<system-id identifier-type="…">F0001</system-id>` → `"id"`).
fn value_key(name: &str) -> &'static str {
    match name {
        "system-id" | "threat-id" => "id",
        "document-id" => "identifier",
        "link" => "text",
        "telephone-number" => "number",
        _ => "value",
    }
}

/// The JSON property and whether it is an array, for a child element of
/// `parent`.
fn group(parent: &str, name: &str) -> (String, bool) {
    // A location has one address, a party a list of them; a risk's
    // characterization has one origin, an observation a list of them.
    if (name == "address" && parent == "location")
        || (name == "origin" && parent == "characterization")
    {
        return (name.to_string(), false);
    }
    match GROUPS.iter().find(|(x, _)| *x == name) {
        Some((_, json)) => (json.to_string(), true),
        None => (name.to_string(), false),
    }
}

/// OSCAL markup as plain text: blocks (paragraphs, headings, list items,
/// table rows) on lines of their own, a blank line between paragraphs.
fn markup_text(node: &Node) -> String {
    fn walk(node: &Node, out: &mut String) {
        for c in &node.content {
            match c {
                Content::Text(t) => out.push_str(t),
                Content::Element(e) => {
                    let block = matches!(
                        e.name.as_str(),
                        "p" | "h1"
                            | "h2"
                            | "h3"
                            | "h4"
                            | "h5"
                            | "h6"
                            | "li"
                            | "pre"
                            | "tr"
                            | "blockquote"
                    );
                    if block && !out.trim_end().is_empty() {
                        let trimmed = out.trim_end_matches([' ', '\n']).len();
                        out.truncate(trimmed);
                        out.push_str(if e.name == "li" || e.name == "tr" {
                            "\n"
                        } else {
                            "\n\n"
                        });
                    }
                    if e.name == "li" {
                        out.push_str("- ");
                    }
                    walk(e, out);
                }
            }
        }
    }
    let mut out = String::new();
    walk(node, &mut out);
    out.trim().to_string()
}

/// An element in OSCAL's JSON form.
fn to_json(node: &Node) -> Value {
    if MARKUP.contains(&node.name.as_str()) && node.attrs.is_empty() {
        return Value::String(markup_text(node));
    }
    let children: Vec<&Node> = node
        .content
        .iter()
        .filter_map(|c| match c {
            Content::Element(e) => Some(e),
            Content::Text(_) => None,
        })
        .collect();
    let text: String = node
        .content
        .iter()
        .filter_map(|c| match c {
            Content::Text(t) => Some(t.as_str()),
            Content::Element(_) => None,
        })
        .collect();
    let text = text.trim();
    if children.is_empty() && node.attrs.is_empty() {
        return Value::String(text.to_string());
    }
    let mut obj = Map::new();
    for (k, v) in &node.attrs {
        obj.insert(k.clone(), Value::String(v.clone()));
    }
    for child in children {
        let (key, array) = group(&node.name, &child.name);
        let value = to_json(child);
        match obj.get_mut(&key) {
            Some(Value::Array(list)) if array => list.push(value),
            // An element repeated that OSCAL does not group: a list anyway,
            // so that nothing is lost.
            Some(existing) => {
                let first = existing.take();
                *existing = match first {
                    Value::Array(mut list) if !array => {
                        list.push(value);
                        Value::Array(list)
                    }
                    other => Value::Array(vec![other, value]),
                };
            }
            None => {
                obj.insert(
                    key,
                    if array {
                        Value::Array(vec![value])
                    } else {
                        value
                    },
                );
            }
        }
    }
    if !text.is_empty() {
        obj.insert(
            value_key(&node.name).to_string(),
            Value::String(text.to_string()),
        );
    }
    Value::Object(obj)
}

/// A name without its namespace prefix.
fn local(name: &str) -> String {
    match name.rsplit_once(':') {
        Some((_, l)) => l.to_string(),
        None => name.to_string(),
    }
}

/// An element's name and flags (namespace declarations left out).
fn element(e: &quick_xml::events::BytesStart<'_>) -> Result<Node, String> {
    let mut node = Node {
        name: local(e.local_name().as_ref()),
        ..Node::default()
    };
    for a in e.attributes() {
        let a = a.map_err(|e| e.to_string())?;
        let key = local(a.key.as_ref());
        if a.key.as_ref().starts_with("xmlns") || key == "schemaLocation" {
            continue;
        }
        let value = a
            .normalized_value(quick_xml::XmlVersion::Implicit1_0)
            .map_err(|e| e.to_string())?;
        node.attrs.push((key, value.into_owned()));
    }
    Ok(node)
}

/// Parses the XML into a tree of elements (namespace prefixes dropped).
fn parse(text: &str) -> Result<Node, (u64, String)> {
    let mut reader = Reader::from_str(text);
    let mut stack: Vec<Node> = vec![Node::default()];
    let position = |r: &Reader<&[u8]>| r.buffer_position();
    loop {
        let event = reader
            .read_event()
            .map_err(|e| (position(&reader), e.to_string()))?;
        match event {
            Event::Start(e) => {
                let node = element(&e).map_err(|m| (position(&reader), m))?;
                stack.push(node);
            }
            Event::Empty(e) => {
                let node = element(&e).map_err(|m| (position(&reader), m))?;
                if let Some(parent) = stack.last_mut() {
                    parent.content.push(Content::Element(node));
                }
            }
            Event::End(_) => {
                let node = stack
                    .pop()
                    .ok_or((position(&reader), "unbalanced end tag".into()))?;
                match stack.last_mut() {
                    Some(parent) => parent.content.push(Content::Element(node)),
                    None => return Err((position(&reader), "unbalanced end tag".into())),
                }
            }
            Event::Text(t) => {
                if let Some(node) = stack.last_mut() {
                    node.content
                        .push(Content::Text(t.xml10_content().into_owned()));
                }
            }
            Event::CData(t) => {
                if let Some(node) = stack.last_mut() {
                    node.content.push(Content::Text(t.to_string()));
                }
            }
            Event::GeneralRef(r) => {
                let text = match r.resolve_char_ref() {
                    Ok(Some(ch)) => ch.to_string(),
                    _ => quick_xml::escape::resolve_predefined_entity(&r)
                        .unwrap_or_default()
                        .to_string(),
                };
                if let Some(node) = stack.last_mut() {
                    node.content.push(Content::Text(text));
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    let top = stack.pop().unwrap_or_default();
    if !stack.is_empty() {
        return Err((
            text.len() as u64,
            "the document ends inside an element".into(),
        ));
    }
    let root = top.content.into_iter().find_map(|c| match c {
        Content::Element(e) => Some(e),
        Content::Text(_) => None,
    });
    root.ok_or((0, "no root element".into()))
}

/// Whether a text looks like an OSCAL POA&M in XML.
pub(crate) fn looks_like(text: &str) -> bool {
    let head: String = text.chars().take(4096).collect();
    head.trim_start_matches('\u{feff}')
        .trim_start()
        .starts_with('<')
        && head.contains("plan-of-action-and-milestones")
}

/// Reads an OSCAL POA&M written as XML.
pub(crate) fn read(file: &str, text: &str) -> Result<Imported, ImportError> {
    crate::oscal_in::read(file, &document(file, text)?)
}

/// An OSCAL POA&M written as XML, in the shape of its JSON form.
pub(crate) fn document(file: &str, text: &str) -> Result<Value, ImportError> {
    let text = text.trim_start_matches('\u{feff}');
    let root = parse(text).map_err(|(at, reason)| {
        let line = text[..(at as usize).min(text.len())].matches('\n').count() + 1;
        ImportError::NotPoam {
            file: file.to_string(),
            reason: format!("not readable XML (line {line}): {reason}"),
        }
    })?;
    if root.name != "plan-of-action-and-milestones" {
        return Err(ImportError::NotPoam {
            file: file.to_string(),
            reason: format!(
                "this XML is not an OSCAL POA&M: its root element is <{}>, not <plan-of-action-and-milestones>",
                root.name
            ),
        });
    }
    let mut doc = Map::new();
    doc.insert(root.name.clone(), to_json(&root));
    Ok(Value::Object(doc))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn oscal_xml_takes_its_json_form() {
        let xml = r#"<?xml version="1.0" encoding="UTF-8"?>
<plan-of-action-and-milestones xmlns="http://csrc.nist.gov/ns/oscal/1.0" uuid="u1">
  <metadata><title>A <em>POA&amp;M</em></title><party uuid="p1" type="person"><name>Jane</name><email-address>j@x.org</email-address></party>
  <responsible-party role-id="owner"><party-uuid>p1</party-uuid></responsible-party></metadata>
  <system-id identifier-type="https://fedramp.gov">F1</system-id>
  <risk uuid="r1"><title>T</title><description><p>One.</p><p>Two.</p></description>
    <prop name="a" value="1"/><prop name="b" value="2"/><status>open</status>
    <response uuid="m1" lifecycle="planned"><title>Plan</title></response></risk>
</plan-of-action-and-milestones>"#;
        let root = parse(xml).unwrap();
        let v = to_json(&root);
        assert_eq!(v["uuid"], "u1");
        assert_eq!(v["metadata"]["title"], "A POA&M");
        assert_eq!(v["metadata"]["parties"][0]["email-addresses"][0], "j@x.org");
        assert_eq!(
            v["metadata"]["responsible-parties"][0]["party-uuids"][0],
            "p1"
        );
        assert_eq!(v["system-id"]["id"], "F1");
        assert_eq!(v["risks"][0]["description"], "One.\n\nTwo.");
        assert_eq!(v["risks"][0]["props"][1]["value"], "2");
        assert_eq!(v["risks"][0]["status"], "open");
        assert_eq!(v["risks"][0]["remediations"][0]["lifecycle"], "planned");
    }
}
