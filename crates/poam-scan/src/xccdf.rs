//! SCAP results: XCCDF 1.1 and 1.2 `TestResult`s as OpenSCAP and DISA's
//! SCC write them (a results file holding the benchmark and its results),
//! and the Asset Reporting Format (ARF) wrapping them. The benchmark's
//! `Rule`s give the title, description, fix text, severity and identifiers
//! (DISA's CCIs, CVEs, 800-53 references); each `rule-result` of a
//! `TestResult` is a finding on the `TestResult`'s target.
//!
//! A DISA rule (`xccdf_mil.disa.stig_rule_SV-230221r743913_rule`) is named
//! by its STIG vulnerability id (`V-230221`, the id a checklist uses), its
//! rule id and version kept as aliases; any other rule by its id without
//! the `xccdf_..._rule_` prefix.
//!
//! Read with a streaming XML reader: the rules and results are gathered as
//! the file is read (a benchmark's rules, not the file, in memory).

use crate::{xml_text, Asset, Finding, IdKind, Outcome, Scan, ScanError, ScanNote, Severity};
use quick_xml::events::{BytesStart, Event};
use quick_xml::Reader;
use std::collections::HashMap;
use std::io::BufRead;

use crate::xml_attr as attr;

fn local(e: &BytesStart<'_>) -> String {
    e.local_name().into_inner().to_string()
}

/// A benchmark rule.
#[derive(Default)]
struct RuleDef {
    group: Option<String>,
    version: Option<String>,
    title: Option<String>,
    description: Option<String>,
    fix: Option<String>,
    severity: Option<String>,
    ccis: Vec<String>,
    cves: Vec<String>,
    controls: Vec<String>,
}

/// A rule's result on a target.
struct RuleResult {
    idref: String,
    asset: usize,
    severity: Option<String>,
    version: Option<String>,
    result: String,
    ccis: Vec<String>,
    cves: Vec<String>,
    position: String,
}

/// What an element's text is for.
#[derive(Clone, Copy, PartialEq)]
enum Field {
    Title,
    Description,
    Fix,
    Version,
    Ident,
    Reference,
    Result,
    Target,
    Address,
    Fact,
}

/// A CCI, from an ident (`CCI-000366`) or a reference (`1499`).
fn cci_of(text: &str) -> Option<String> {
    let t = text.trim();
    let digits = t.strip_prefix("CCI-").unwrap_or(t);
    (!digits.is_empty() && digits.len() <= 6 && digits.chars().all(|c| c.is_ascii_digit()))
        .then(|| format!("CCI-{digits:0>6}"))
}

/// The discussion of a DISA description (`<VulnDiscussion>...`), else the
/// description itself.
fn discussion(text: &str) -> String {
    let t = text.trim();
    match t
        .split_once("<VulnDiscussion>")
        .and_then(|(_, rest)| rest.split_once("</VulnDiscussion>"))
    {
        Some((d, _)) => d.trim().to_string(),
        None => t.to_string(),
    }
}

/// The finding's id and kind from a rule's idref and its group.
fn id_of(idref: &str, group: Option<&str>) -> (String, IdKind, Vec<String>) {
    let short = idref
        .split_once("_rule_")
        .map_or(idref, |(_, r)| r)
        .trim_end_matches("_rule");
    let vuln = |n: &str| {
        let digits: String = n.chars().take_while(char::is_ascii_digit).collect();
        (!digits.is_empty()).then(|| format!("V-{digits}"))
    };
    let from_group = group
        .and_then(|g| g.rsplit_once("_group_V-").map(|(_, n)| n))
        .and_then(vuln);
    let from_rule = short.strip_prefix("SV-").and_then(vuln);
    match from_group.or(from_rule) {
        Some(v) => (v, IdKind::StigVuln, vec![short.to_string()]),
        None => (short.to_string(), IdKind::Rule, Vec::new()),
    }
}

fn severity_of(word: &str) -> Option<(Severity, &'static str)> {
    match word.trim().to_ascii_lowercase().as_str() {
        "high" => Some((Severity::High, "I")),
        "medium" => Some((Severity::Medium, "II")),
        "low" => Some((Severity::Low, "III")),
        "info" => Some((Severity::Info, "")),
        _ => None,
    }
}

/// Whether an address names no host of the network (loopback, empty).
fn loopback(ip: &str) -> bool {
    let ip = ip.split('/').next().unwrap_or(ip).trim();
    ip.is_empty() || ip.starts_with("127.") || ip == "::1" || ip == "0:0:0:0:0:0:0:1"
}

/// Reads an XCCDF results file or an ARF report.
pub(crate) fn read<R: BufRead>(
    file: &str,
    input: R,
    sink: &mut dyn FnMut(Finding),
) -> Result<Scan, ScanError> {
    let mut reader = Reader::from_reader(input);
    let mut buf = Vec::new();
    let mut line = 1usize;
    let mut scan = Scan::new(file, "xccdf", "SCAP");
    let mut rules: HashMap<String, RuleDef> = HashMap::new();
    let mut results: Vec<RuleResult> = Vec::new();
    let mut groups: Vec<String> = Vec::new();
    let mut rule: Option<(String, RuleDef, usize)> = None;
    let mut result: Option<(RuleResult, usize)> = None;
    let mut test_result: Option<usize> = None;
    let mut depth = 0usize;
    // The element whose text is gathered, at its depth, with its
    // `system`/`href`/`name` attribute.
    let mut capture: Option<(Field, usize, String)> = None;
    let mut text = String::new();
    let mut skipped = 0usize;
    let mut arf = false;
    loop {
        let at = line;
        let event = crate::xml_event(&mut reader, &mut buf, file, at, "the results file", "")?;
        if let Some(t) = xml_text(&event, &mut line) {
            if capture.is_some() {
                text.push_str(&t);
            }
            buf.clear();
            continue;
        }
        let (start, empty) = match &event {
            Event::Start(e) => (Some(e.clone()), false),
            Event::Empty(e) => (Some(e.clone()), true),
            _ => (None, false),
        };
        if let Some(e) = start {
            depth += 1;
            let name = local(&e);
            let field = match name.as_str() {
                "asset-report-collection" => {
                    arf = true;
                    None
                }
                "Group" => {
                    groups.push(attr(&e, "id").unwrap_or_default());
                    None
                }
                "Rule" => {
                    let id = attr(&e, "id").unwrap_or_default();
                    let def = RuleDef {
                        group: groups.last().cloned(),
                        severity: attr(&e, "severity"),
                        ..RuleDef::default()
                    };
                    rule = Some((id, def, depth));
                    None
                }
                "TestResult" => {
                    scan.assets.push(Asset {
                        name: String::new(),
                        scanned_on: attr(&e, "start-time")
                            .or(attr(&e, "end-time"))
                            .and_then(|t| crate::day_of(&t)),
                        ..Asset::default()
                    });
                    let n = scan.assets.len() - 1;
                    scan.scanned_on = scan.scanned_on.max(scan.assets[n].scanned_on);
                    if let Some(system) = attr(&e, "test-system") {
                        scan.scanner = Some(scanner_of(&system));
                    }
                    test_result = Some(n);
                    None
                }
                "rule-result" if test_result.is_some() => {
                    result = Some((
                        RuleResult {
                            idref: attr(&e, "idref").unwrap_or_default(),
                            asset: test_result.unwrap_or(0),
                            severity: attr(&e, "severity"),
                            version: attr(&e, "version"),
                            result: String::new(),
                            ccis: Vec::new(),
                            cves: Vec::new(),
                            position: format!("line {at}"),
                        },
                        depth,
                    ));
                    None
                }
                "result" if result.is_some() => Some(Field::Result),
                "ident" if result.is_some() || rule.is_some() => Some(Field::Ident),
                "title" if rule.is_some() => Some(Field::Title),
                "description" if rule.is_some() => Some(Field::Description),
                "fixtext" if rule.is_some() => Some(Field::Fix),
                "version" if rule.is_some() => Some(Field::Version),
                "reference" if rule.is_some() => Some(Field::Reference),
                "target" if test_result.is_some() && result.is_none() => Some(Field::Target),
                "target-address" if test_result.is_some() => Some(Field::Address),
                "fact" if test_result.is_some() => Some(Field::Fact),
                _ => None,
            };
            if let Some(f) = field.filter(|_| capture.is_none()) {
                let key = attr(&e, "system")
                    .or(attr(&e, "href"))
                    .or(attr(&e, "name"))
                    .unwrap_or_default();
                capture = Some((f, depth, key));
                text.clear();
            }
            if !empty {
                buf.clear();
                continue;
            }
        }
        // The end of an element (or an empty one, just begun).
        let end = matches!(event, Event::End(_)) || empty;
        if matches!(event, Event::Eof) {
            break;
        }
        if !end {
            buf.clear();
            continue;
        }
        let name = match &event {
            Event::End(e) => e.local_name().into_inner().to_string(),
            Event::Empty(e) => local(e),
            _ => String::new(),
        };
        if let Some((field, _, key)) = capture.take_if(|(_, d, _)| *d == depth) {
            let value = text.trim().to_string();
            let key_l = key.to_ascii_lowercase();
            match field {
                Field::Result => {
                    if let Some((r, _)) = result.as_mut() {
                        r.result = value.to_ascii_lowercase();
                    }
                }
                Field::Ident => {
                    let lists = match (result.as_mut(), rule.as_mut()) {
                        (Some((r, _)), _) => Some((&mut r.ccis, &mut r.cves)),
                        (None, Some((_, def, _))) => Some((&mut def.ccis, &mut def.cves)),
                        _ => None,
                    };
                    if let Some((ccis, cves)) = lists {
                        if key_l.contains("cci") {
                            ccis.extend(cci_of(&value));
                        } else if key_l.contains("cve") && crate::is_cve(&value) {
                            cves.push(value);
                        }
                    }
                }
                Field::Reference => {
                    if let Some((_, def, _)) = rule.as_mut() {
                        if key_l.contains("cci") {
                            def.ccis.extend(cci_of(&value));
                        } else if key_l.contains("800-53") {
                            for c in value
                                .split([',', ' '])
                                .map(str::trim)
                                .filter(|c| !c.is_empty())
                            {
                                if !def.controls.iter().any(|x| x == c) {
                                    def.controls.push(c.to_string());
                                }
                            }
                        }
                    }
                }
                Field::Title | Field::Description | Field::Fix | Field::Version => {
                    if let Some((_, def, _)) = rule.as_mut() {
                        let slot = match field {
                            Field::Title => &mut def.title,
                            Field::Description => &mut def.description,
                            Field::Fix => &mut def.fix,
                            _ => &mut def.version,
                        };
                        if slot.is_none() && !value.is_empty() {
                            *slot = Some(value);
                        }
                    }
                }
                Field::Target | Field::Address | Field::Fact => {
                    if let Some(a) = test_result.and_then(|n| scan.assets.get_mut(n)) {
                        match field {
                            Field::Target if a.name.is_empty() => a.name = value,
                            Field::Address if a.ip.is_none() && !loopback(&value) => {
                                a.ip = Some(value)
                            }
                            Field::Fact if key_l.ends_with(":fqdn") && a.fqdn.is_none() => {
                                a.fqdn = Some(value)
                            }
                            Field::Fact if key_l.ends_with(":host_name") => {
                                a.host_name = Some(value)
                            }
                            _ => {}
                        }
                    }
                }
            }
        }
        match name.as_str() {
            "Group" => {
                groups.pop();
            }
            "Rule" if rule.as_ref().is_some_and(|(_, _, d)| *d == depth) => {
                if let Some((id, def, _)) = rule.take() {
                    rules.insert(id, def);
                }
            }
            "rule-result" if result.as_ref().is_some_and(|(_, d)| *d == depth) => {
                if let Some((r, _)) = result.take() {
                    if r.result == "notselected" {
                        skipped += 1;
                    } else {
                        results.push(r);
                    }
                }
            }
            "TestResult" => test_result = None,
            _ => {}
        }
        depth = depth.saturating_sub(1);
        buf.clear();
    }
    if arf {
        scan.format = "arf".into();
    }
    if scan.assets.is_empty() {
        return Err(ScanError::NotScan {
            file: file.to_string(),
            reason: "an XCCDF benchmark without a TestResult: no results to read (run the scan and export its results)".into(),
        });
    }
    for (n, a) in scan.assets.iter_mut().enumerate() {
        if a.name.is_empty() {
            a.name = a
                .fqdn
                .clone()
                .or(a.ip.clone())
                .unwrap_or_else(|| format!("target {}", n + 1));
        }
    }
    let mut unknown = 0usize;
    for r in results {
        let def = rules.get(&r.idref);
        let (id, kind, mut aliases) = id_of(&r.idref, def.and_then(|d| d.group.as_deref()));
        if let Some(v) = r.version.clone().or(def.and_then(|d| d.version.clone())) {
            if !aliases.contains(&v) {
                aliases.push(v);
            }
        }
        let mut f = Finding::new(&id, kind, r.asset, r.position);
        f.aliases = aliases;
        if let Some(d) = def {
            f.title = d.title.clone().unwrap_or_else(|| id.clone());
            f.description = d.description.as_deref().map(discussion);
            f.solution = d.fix.clone();
            f.controls = d.controls.clone();
        }
        let word = r
            .severity
            .clone()
            .or(def.and_then(|d| d.severity.clone()))
            .unwrap_or_else(|| "unknown".into());
        let (sev, cat) = severity_of(&word).unwrap_or_else(|| {
            unknown += 1;
            (Severity::Medium, "II")
        });
        f.severity = sev;
        f.raw_severity = word;
        if kind == IdKind::StigVuln && !cat.is_empty() {
            f.stig_severity = Some(cat.to_string());
        }
        for c in r.ccis.iter().chain(def.map_or(&[][..], |d| &d.ccis)) {
            if !f.ccis.contains(c) {
                f.ccis.push(c.clone());
            }
        }
        for c in r.cves.iter().chain(def.map_or(&[][..], |d| &d.cves)) {
            if !f.cves.contains(c) {
                f.cves.push(c.clone());
            }
        }
        f.outcome = match r.result.as_str() {
            "fail" => Outcome::Open,
            "pass" | "fixed" => Outcome::Passed,
            "notapplicable" => Outcome::NotApplicable,
            "error" => Outcome::Error,
            "informational" => Outcome::Informational,
            // notchecked, unknown: a person must look.
            _ => Outcome::NotReviewed,
        };
        sink(f);
    }
    if skipped > 0 {
        scan.notes.push(ScanNote {
            position: "the whole file".into(),
            message: format!("{skipped} rule(s) not selected by the profile: not run, not read"),
        });
    }
    if unknown > 0 {
        scan.notes.push(ScanNote {
            position: "the whole file".into(),
            message: format!("{unknown} result(s) of unknown severity, read as medium: rate them"),
        });
    }
    Ok(scan)
}

/// The scanner a `test-system` CPE names (`cpe:/a:redhat:openscap:1.3.5`
/// is `OpenSCAP 1.3.5`, `cpe:/a:spawar:scc:5.4.2` is `SCC 5.4.2`).
fn scanner_of(cpe: &str) -> String {
    let parts: Vec<&str> = cpe.trim_start_matches("cpe:/a:").split(':').collect();
    match parts.as_slice() {
        [_, "openscap", v, ..] => format!("OpenSCAP {v}"),
        [_, "scc", v, ..] => format!("SCC {v}"),
        [_, name, v, ..] => format!("{name} {v}"),
        _ => cpe.to_string(),
    }
}
