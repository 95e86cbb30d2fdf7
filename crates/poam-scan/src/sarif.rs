//! SARIF 2.1.0 (the OASIS static analysis results format) as code and
//! dependency scanners write it: CodeQL, Semgrep, Flawfinder, Grype,
//! OWASP dependency-check. Each run's results name a rule (`ruleId`, or
//! the rule at `ruleIndex`) and the file they are in; the rule holds the
//! title, description, help and tags (CWE ids, `security-severity`).
//!
//! The asset of a result is its file (the artifact's URI), so one item
//! lists the files a rule fires in. The files a run says it analyzed
//! (`artifacts`) are covered by the scan whether a rule fired in them or
//! not; a run that lists none covers only the files with results.

use crate::cves_in;
use crate::json::{arr, asset_index, s};
use crate::{Finding, IdKind, Outcome, Scan, ScanError, ScanNote, Severity};
use serde_json::Value;
use std::collections::HashMap;

/// `security-severity` (GitHub's convention: a CVSS-like score, or a word).
fn security_severity(v: &Value) -> Option<Severity> {
    let text = match v {
        Value::String(t) => t.trim().to_string(),
        Value::Number(n) => n.to_string(),
        _ => return None,
    };
    if let Ok(score) = text.parse::<f32>() {
        return Some(match score {
            s if s >= 9.0 => Severity::Critical,
            s if s >= 7.0 => Severity::High,
            s if s >= 4.0 => Severity::Medium,
            s if s > 0.0 => Severity::Low,
            _ => Severity::Info,
        });
    }
    word_severity(&text)
}

fn word_severity(word: &str) -> Option<Severity> {
    Some(match word.trim().to_ascii_lowercase().as_str() {
        "critical" => Severity::Critical,
        "high" | "error" => Severity::High,
        "medium" | "moderate" | "warning" => Severity::Medium,
        "low" | "note" => Severity::Low,
        "none" | "info" | "informational" => Severity::Info,
        _ => return None,
    })
}

/// The `text` of a SARIF message object.
fn text<'a>(v: &'a Value, key: &str) -> Option<&'a str> {
    v.get(key).and_then(|m| s(m, "text"))
}

/// A file's name as the run gives it: its URI without `file://`.
fn uri_of(location: &Value) -> Option<String> {
    let uri = s(location, "uri")?;
    let uri = uri.strip_prefix("file://").unwrap_or(uri);
    // `file:////src/x` is `/src/x`; `./src/x` is `src/x`.
    let uri = uri
        .strip_prefix('/')
        .filter(|u| u.starts_with('/'))
        .unwrap_or(uri);
    Some(uri.strip_prefix("./").unwrap_or(uri).to_string())
}

/// Reads a SARIF log.
pub(crate) fn read(
    file: &str,
    doc: &Value,
    sink: &mut dyn FnMut(Finding),
) -> Result<Scan, ScanError> {
    let runs = arr(doc, "runs");
    if runs.is_empty() {
        return Err(ScanError::NotScan {
            file: file.to_string(),
            reason: "a SARIF log without a run".into(),
        });
    }
    let mut scan = Scan {
        file: file.to_string(),
        format: "sarif".into(),
        ..Scan::default()
    };
    let mut scanners: Vec<String> = Vec::new();
    let mut suppressed = 0usize;
    let mut without_artifacts = false;
    for (r, run) in runs.iter().enumerate() {
        let driver = &run["tool"]["driver"];
        let name = s(driver, "name").unwrap_or("SARIF");
        let version = s(driver, "semanticVersion").or(s(driver, "version"));
        let scanner = match version {
            Some(v) => format!("{name} {v}"),
            None => name.to_string(),
        };
        if !scanners.contains(&scanner) {
            scanners.push(scanner);
        }
        if scan.scanned_on.is_none() {
            scan.scanned_on = arr(run, "invocations").iter().find_map(|i| {
                s(i, "startTimeUtc")
                    .or(s(i, "endTimeUtc"))
                    .and_then(crate::day_of)
            });
        }
        // The rules of the driver and its extensions, by id and by index.
        let rules: Vec<&Value> = arr(driver, "rules")
            .iter()
            .chain(
                arr(&run["tool"], "extensions")
                    .iter()
                    .flat_map(|e| arr(e, "rules")),
            )
            .collect();
        let by_id: HashMap<&str, &Value> = rules
            .iter()
            .filter_map(|rule| s(rule, "id").map(|id| (id, *rule)))
            .collect();
        let artifacts = arr(run, "artifacts");
        for a in artifacts {
            if let Some(uri) = uri_of(&a["location"]) {
                asset_index(&mut scan, &uri);
            }
        }
        without_artifacts |= artifacts.is_empty();
        for (n, result) in arr(run, "results").iter().enumerate() {
            let position = format!("runs[{r}].results[{n}]");
            let rule = s(result, "ruleId")
                .and_then(|id| by_id.get(id).copied())
                .or_else(|| {
                    result
                        .get("ruleIndex")
                        .and_then(Value::as_u64)
                        .and_then(|i| rules.get(i as usize).copied())
                });
            let Some(id) = s(result, "ruleId")
                .or_else(|| result.get("rule").and_then(|r| s(r, "id")))
                .or_else(|| rule.and_then(|r| s(r, "id")))
            else {
                scan.notes.push(ScanNote {
                    position,
                    message: "a result without a rule id; left out".into(),
                });
                continue;
            };
            let location = arr(result, "locations")
                .first()
                .map(|l| &l["physicalLocation"]);
            let uri = location
                .and_then(|l| uri_of(&l["artifactLocation"]))
                .or_else(|| {
                    // A result may point at its artifact by index only.
                    let i = location?
                        .pointer("/artifactLocation/index")
                        .and_then(Value::as_u64)?;
                    uri_of(&artifacts.get(i as usize)?["location"])
                })
                .unwrap_or_else(|| "(no location)".to_string());
            let asset = asset_index(&mut scan, &uri);
            // A package scanner's rule is a vulnerability of a package
            // (Grype's `CVE-2008-0732-geronimo-jms_1.1_spec`): named by the
            // vulnerability, the package in the output.
            let mut named = Vec::new();
            cves_in(id, &mut named);
            let vuln = named
                .first()
                .filter(|c| id.starts_with(c.as_str()))
                .cloned()
                .or_else(|| {
                    id.starts_with("GHSA-")
                        .then(|| id.get(..19).map(str::to_string))
                        .flatten()
                });
            let mut f = match &vuln {
                Some(v) => {
                    let mut f = Finding::new(v, IdKind::Vulnerability, asset, position);
                    if v != id {
                        f.aliases.push(id.to_string());
                    }
                    f
                }
                None => Finding::new(id, IdKind::Rule, asset, position),
            };
            let empty = Value::Null;
            let rule = rule.unwrap_or(&empty);
            let message = text(result, "message");
            f.title = text(rule, "shortDescription")
                .or(s(rule, "name").filter(|n| *n != id && !n.contains('.')))
                .or(message.and_then(|m| m.lines().next()))
                .unwrap_or(id)
                .trim()
                .to_string();
            f.description = text(rule, "fullDescription")
                .or(message)
                .map(|t| t.trim().to_string());
            f.solution = text(rule, "help").map(|t| t.trim().to_string());
            let line = location
                .and_then(|l| l.pointer("/region/startLine"))
                .and_then(Value::as_u64);
            f.port = line.map(|l| format!("line {l}"));
            f.output = message.map(|m| match line {
                Some(l) => format!("{uri}:{l}: {}", m.trim()),
                None => m.trim().to_string(),
            });
            // Severity: the rule's security-severity, else the result's own
            // severity property, else its level (or the rule's default).
            let props = &rule["properties"];
            let level = s(result, "level")
                .or_else(|| {
                    rule.pointer("/defaultConfiguration/level")
                        .and_then(Value::as_str)
                })
                .unwrap_or("warning");
            let (sev, raw) =
                if let Some(sev) = props.get("security-severity").and_then(security_severity) {
                    (
                        sev,
                        format!(
                            "security-severity {}",
                            props["security-severity"].to_string().trim_matches('"')
                        ),
                    )
                } else if let Some((sev, w)) = result
                    .pointer("/properties/severity")
                    .and_then(Value::as_str)
                    .and_then(|w| word_severity(w).map(|s| (s, w)))
                {
                    (sev, w.to_string())
                } else {
                    (
                        word_severity(level).unwrap_or(Severity::Medium),
                        level.to_string(),
                    )
                };
            f.severity = sev;
            f.raw_severity = raw;
            f.outcome = match s(result, "kind").unwrap_or("fail") {
                "pass" => Outcome::Passed,
                "notApplicable" => Outcome::NotApplicable,
                "review" => Outcome::NotReviewed,
                "informational" => Outcome::Informational,
                _ if sev == Severity::Info => Outcome::Informational,
                _ => Outcome::Open,
            };
            // A suppression a person accepted: not a weakness to track.
            let suppressions = arr(result, "suppressions");
            if !suppressions.is_empty()
                && suppressions
                    .iter()
                    .all(|x| s(x, "status").unwrap_or("accepted") == "accepted")
                && f.outcome == Outcome::Open
            {
                f.outcome = Outcome::NotApplicable;
                suppressed += 1;
            }
            cves_in(id, &mut f.cves);
            if let Some(t) = text(rule, "shortDescription") {
                cves_in(t, &mut f.cves);
            }
            // CWE and NIST ids: the rule's relationships and tags.
            for rel in arr(rule, "relationships") {
                let (Some(target), Some(tool)) = (
                    rel.get("target").and_then(|t| s(t, "id")),
                    rel.pointer("/target/toolComponent/name")
                        .and_then(Value::as_str),
                ) else {
                    continue;
                };
                let list = if tool.eq_ignore_ascii_case("NIST") {
                    &mut f.controls
                } else {
                    &mut f.aliases
                };
                if !list.iter().any(|x| x == target) {
                    list.push(target.to_string());
                }
            }
            for tag in arr(props, "tags").iter().filter_map(Value::as_str) {
                let lower = tag.to_ascii_lowercase();
                let cwe = lower
                    .strip_prefix("external/cwe/cwe-")
                    .or(lower.strip_prefix("cwe-"))
                    .map(|n| {
                        n.chars()
                            .take_while(char::is_ascii_digit)
                            .collect::<String>()
                    })
                    .filter(|n| !n.is_empty());
                if let Some(n) = cwe {
                    let alias = format!("CWE-{}", n.trim_start_matches('0'));
                    if !f.aliases.contains(&alias) {
                        f.aliases.push(alias);
                    }
                }
            }
            sink(f);
        }
    }
    scan.scanner = Some(scanners.join(", "));
    if suppressed > 0 {
        scan.notes.push(ScanNote {
            position: "the whole file".into(),
            message: format!(
                "{suppressed} result(s) suppressed in the code (accepted): not read as findings"
            ),
        });
    }
    if without_artifacts {
        scan.notes.push(ScanNote {
            position: "the whole file".into(),
            message: "the log does not list the files it analyzed: only files with results are known to be covered, so an item whose files had no result this month stays open as not covered".into(),
        });
    }
    Ok(scan)
}
