//! DISA STIG checklists: `.ckl` (STIG Viewer 2, XML) and `.cklb` (STIG
//! Viewer 3, JSON). One checklist is one asset (its `ASSET` or
//! `target_data`) with the rules of one or more STIGs; each rule is a
//! finding named by its vulnerability id (`V-230373`), with its rule id and
//! version beside it, its severity (high, medium, low: CAT I, II, III; an
//! override counts), CCIs, and its status: Open is a weakness, NotAFinding
//! passed, Not_Applicable, Not_Reviewed (reported).

use crate::{Asset, Finding, IdKind, Outcome, Scan, ScanError, ScanNote, Severity};
use quick_xml::events::Event;
use quick_xml::Reader;
use serde_json::Value;
use std::collections::BTreeMap;
use std::io::BufRead;

fn severity(word: &str) -> Option<(Severity, &'static str)> {
    Some(match word.trim().to_ascii_lowercase().as_str() {
        "high" | "cat i" | "i" => (Severity::High, "I"),
        "medium" | "cat ii" | "ii" => (Severity::Medium, "II"),
        "low" | "cat iii" | "iii" => (Severity::Low, "III"),
        _ => return None,
    })
}

fn outcome(status: &str) -> Option<Outcome> {
    Some(
        match status
            .trim()
            .to_ascii_lowercase()
            .replace(['_', ' '], "")
            .as_str()
        {
            "open" => Outcome::Open,
            "notafinding" => Outcome::Passed,
            "notapplicable" => Outcome::NotApplicable,
            "notreviewed" => Outcome::NotReviewed,
            _ => return None,
        },
    )
}

/// The asset of a checklist: its host name (`=` and blanks are none), FQDN
/// and first IP (STIG Viewer writes several, one a line).
fn asset(file: &str, host: &str, ip: &str, fqdn: &str) -> Asset {
    let clean = |t: &str| {
        let t = t.trim();
        (!t.is_empty() && t != "=").then(|| t.to_string())
    };
    let ip = ip.split(['\n', ',', ';']).find_map(clean);
    let host_name = clean(host);
    let fqdn = clean(fqdn);
    let stem = std::path::Path::new(file)
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    Asset {
        name: host_name
            .clone()
            .or(fqdn.clone())
            .or(ip.clone())
            .unwrap_or(stem),
        ip,
        fqdn,
        host_name,
        ..Asset::default()
    }
}

/// A rule as both forms give it.
#[derive(Default)]
struct Rule {
    position: String,
    vuln: String,
    rule_id: Option<String>,
    rule_version: Option<String>,
    title: String,
    discussion: Option<String>,
    fix: Option<String>,
    severity: String,
    override_severity: Option<String>,
    ccis: Vec<String>,
    status: String,
    details: Option<String>,
    stig: String,
}

fn finish(
    rule: Rule,
    notes: &mut Vec<ScanNote>,
    not_reviewed: &mut BTreeMap<String, usize>,
) -> Option<Finding> {
    let Some(outcome) = outcome(&rule.status) else {
        notes.push(ScanNote {
            position: rule.position.clone(),
            message: format!(
                "{}: status \"{}\" is not a checklist status; the rule is not read",
                rule.vuln, rule.status
            ),
        });
        return None;
    };
    if outcome == Outcome::NotReviewed {
        *not_reviewed.entry(rule.stig.clone()).or_default() += 1;
    }
    let word = rule
        .override_severity
        .as_deref()
        .filter(|s| severity(s).is_some())
        .unwrap_or(&rule.severity);
    let (sev, cat) = severity(word).unwrap_or_else(|| {
        notes.push(ScanNote {
            position: rule.position.clone(),
            message: format!(
                "{}: severity \"{}\" is not high, medium or low; read as medium",
                rule.vuln, rule.severity
            ),
        });
        (Severity::Medium, "II")
    });
    let mut aliases = Vec::new();
    aliases.extend(rule.rule_id.clone());
    aliases.extend(rule.rule_version.clone());
    Some(Finding {
        id: rule.vuln,
        id_kind: IdKind::StigVuln,
        title: rule.title,
        description: rule.discussion,
        synopsis: None,
        solution: rule.fix,
        severity: sev,
        raw_severity: word.to_string(),
        stig_severity: Some(cat.to_string()),
        cvss: Vec::new(),
        cves: Vec::new(),
        ccis: rule.ccis,
        controls: Vec::new(),
        aliases,
        asset: 0,
        port: None,
        outcome,
        output: rule.details,
        position: rule.position,
        first_seen: None,
        last_seen: None,
    })
}

fn report_not_reviewed(scan: &mut Scan, counts: BTreeMap<String, usize>) {
    for (stig, n) in counts {
        scan.notes.push(ScanNote {
            position: if stig.is_empty() { "the checklist".into() } else { format!("STIG {stig}") },
            message: format!("{n} rule(s) not reviewed: neither a finding nor passed, so they make no item; review them"),
        });
    }
}

/// Reads a `.ckl` (XML).
pub(crate) fn read_ckl<R: BufRead>(
    file: &str,
    input: R,
    sink: &mut dyn FnMut(Finding),
) -> Result<Scan, ScanError> {
    let mut reader = Reader::from_reader(input);
    let mut buf = Vec::new();
    let mut line = 1usize;
    let mut scan = Scan::new(file, "ckl", "STIG checklist");
    let mut text = String::new();
    let mut host = (String::new(), String::new(), String::new());
    let mut in_asset = false;
    let mut rule: Option<Rule> = None;
    let mut attribute = String::new();
    let mut sid_name = String::new();
    let mut stig = String::new();
    let mut notes = Vec::new();
    let mut not_reviewed = BTreeMap::new();
    let mut asset_pushed = false;
    loop {
        let at = line;
        let event = crate::xml_event(&mut reader, &mut buf, file, at, "the checklist", "")?;
        match event {
            Event::Start(e) => {
                text.clear();
                match e.name().as_ref() {
                    "ASSET" => in_asset = true,
                    "VULN" => {
                        rule = Some(Rule {
                            position: format!("line {at}"),
                            stig: stig.clone(),
                            ..Rule::default()
                        })
                    }
                    _ => {}
                }
            }
            Event::Text(_) | Event::CData(_) | Event::GeneralRef(_) => {
                if let Some(t) = crate::xml_text(&event, &mut line) {
                    text.push_str(&t);
                }
            }
            Event::End(e) => {
                let value = std::mem::take(&mut text);
                let v = value.trim();
                match e.name().as_ref() {
                    "HOST_NAME" if in_asset => host.0 = v.to_string(),
                    "HOST_IP" if in_asset => host.1 = v.to_string(),
                    "HOST_FQDN" if in_asset => host.2 = v.to_string(),
                    "ASSET" => {
                        in_asset = false;
                        scan.assets.push(asset(file, &host.0, &host.1, &host.2));
                        asset_pushed = true;
                    }
                    "SID_NAME" => sid_name = v.to_string(),
                    "SID_DATA"
                        if sid_name == "title" || (sid_name == "stigid" && stig.is_empty()) =>
                    {
                        stig = v.to_string();
                    }
                    "iSTIG" => stig.clear(),
                    "VULN_ATTRIBUTE" => attribute = v.to_string(),
                    "ATTRIBUTE_DATA" => {
                        if let Some(r) = rule.as_mut() {
                            let some = (!v.is_empty()).then(|| v.to_string());
                            match attribute.as_str() {
                                "Vuln_Num" => r.vuln = v.to_string(),
                                "Severity" => r.severity = v.to_string(),
                                "Rule_ID" => r.rule_id = some,
                                "Rule_Ver" => r.rule_version = some,
                                "Rule_Title" => r.title = v.to_string(),
                                "Vuln_Discuss" => r.discussion = some,
                                "Fix_Text" => r.fix = some,
                                "CCI_REF" if !v.is_empty() => r.ccis.push(v.to_string()),
                                _ => {}
                            }
                        }
                    }
                    "STATUS" => {
                        if let Some(r) = rule.as_mut() {
                            r.status = v.to_string();
                        }
                    }
                    "FINDING_DETAILS" => {
                        if let Some(r) = rule.as_mut() {
                            r.details = (!v.is_empty()).then(|| v.to_string());
                        }
                    }
                    "SEVERITY_OVERRIDE" => {
                        if let Some(r) = rule.as_mut() {
                            r.override_severity = (!v.is_empty()).then(|| v.to_string());
                        }
                    }
                    "VULN" => {
                        if let Some(r) = rule.take() {
                            if !asset_pushed {
                                scan.assets.push(asset(file, "", "", ""));
                                asset_pushed = true;
                            }
                            if let Some(f) = finish(r, &mut notes, &mut not_reviewed) {
                                sink(f);
                            }
                        }
                    }
                    _ => {}
                }
            }
            Event::Eof => break,
            _ => {}
        }
        buf.clear();
    }
    if !asset_pushed {
        return Err(ScanError::NotScan {
            file: file.to_string(),
            reason: "a CHECKLIST without an ASSET or any VULN: not a STIG checklist poamkit reads"
                .into(),
        });
    }
    scan.notes.extend(notes);
    report_not_reviewed(&mut scan, not_reviewed);
    Ok(scan)
}

fn text_of(v: &Value, key: &str) -> Option<String> {
    match v.get(key)? {
        Value::String(s) if !s.trim().is_empty() && s != "None" => Some(s.trim().to_string()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// The CCIs of a CKLB rule: a JSON list, or the list written as text
/// (`"['CCI-001414']"`, as STIG Manager exports it).
fn ccis_of(v: &Value) -> Vec<String> {
    match v.get("ccis") {
        Some(Value::Array(a)) => a
            .iter()
            .filter_map(Value::as_str)
            .map(str::to_string)
            .collect(),
        Some(Value::String(s)) => s
            .split(|c: char| !(c.is_ascii_alphanumeric() || c == '-'))
            .filter(|p| p.starts_with("CCI-"))
            .map(str::to_string)
            .collect(),
        _ => Vec::new(),
    }
}

/// Reads a `.cklb` (JSON).
pub(crate) fn read_cklb(
    file: &str,
    text: &str,
    sink: &mut dyn FnMut(Finding),
) -> Result<Scan, ScanError> {
    let doc: Value = serde_json::from_str(text.trim_start_matches('\u{feff}')).map_err(|e| {
        ScanError::Broken {
            file: file.to_string(),
            position: format!("line {}", e.line()),
            reason: format!("the checklist is not readable JSON ({e})"),
        }
    })?;
    let Some(stigs) = doc.get("stigs").and_then(Value::as_array) else {
        return Err(ScanError::NotScan {
            file: file.to_string(),
            reason: "JSON without stigs[]: not a STIG Viewer 3 checklist (.cklb)".into(),
        });
    };
    let target = doc.get("target_data").cloned().unwrap_or(Value::Null);
    let get = |k: &str| text_of(&target, k).unwrap_or_default();
    let mut scan = Scan {
        file: file.to_string(),
        format: "cklb".into(),
        scanner: Some("STIG checklist".into()),
        name: text_of(&doc, "title"),
        assets: vec![asset(
            file,
            &get("host_name"),
            &get("ip_address"),
            &get("fqdn"),
        )],
        ..Scan::default()
    };
    let mut notes = Vec::new();
    let mut not_reviewed = BTreeMap::new();
    for (s, stig) in stigs.iter().enumerate() {
        let name = text_of(stig, "display_name")
            .or_else(|| text_of(stig, "stig_name"))
            .unwrap_or_default();
        for (n, r) in stig
            .get("rules")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .enumerate()
        {
            let rule = Rule {
                position: format!("stigs[{s}].rules[{n}]"),
                vuln: text_of(r, "group_id").unwrap_or_default(),
                rule_id: text_of(r, "rule_id_src").or_else(|| text_of(r, "rule_id")),
                rule_version: text_of(r, "rule_version"),
                title: text_of(r, "rule_title").unwrap_or_default(),
                discussion: text_of(r, "discussion"),
                fix: text_of(r, "fix_text"),
                severity: text_of(r, "severity").unwrap_or_default(),
                override_severity: r
                    .get("overrides")
                    .and_then(|o| o.get("severity"))
                    .and_then(|o| text_of(o, "severity")),
                ccis: ccis_of(r),
                status: text_of(r, "status").unwrap_or_default(),
                details: text_of(r, "finding_details"),
                stig: name.clone(),
            };
            if let Some(f) = finish(rule, &mut notes, &mut not_reviewed) {
                sink(f);
            }
        }
    }
    scan.notes.extend(notes);
    report_not_reviewed(&mut scan, not_reviewed);
    Ok(scan)
}
