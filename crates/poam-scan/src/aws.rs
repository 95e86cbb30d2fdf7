//! AWS findings as the AWS CLI exports them: Amazon Inspector v2's
//! `list-findings` (`{"findings": [...]}`: package, code and network
//! reachability findings on EC2 instances, ECR images and Lambda
//! functions) and the AWS Security Finding Format (ASFF) of Security Hub's
//! `get-findings` (`{"Findings": [...]}`, also lower-case), Prowler's bare
//! array or one finding per line, and Trivy's ASFF template.
//!
//! The asset is the finding's first resource: its ARN or id, with a
//! shorter name a person knows it by (the instance id, `repository:tag`,
//! the function's name). A package vulnerability is named by its CVE (or
//! other vulnerability id), a configuration check by its generator or rule.
//! Only resources with findings are known: the note says so.

use crate::json::{arr, s, severity, unknown_note};
use crate::{
    Asset, Cvss, CvssVersion, Finding, IdKind, Outcome, Scan, ScanError, ScanNote, Severity,
};
use serde_json::Value;

fn asset_of(scan: &mut Scan, id: &str, short: Option<String>) -> usize {
    if let Some(n) = scan.assets.iter().position(|a| a.name == id) {
        return n;
    }
    scan.assets.push(Asset {
        name: id.to_string(),
        host_name: short.filter(|s| s != id),
        ..Asset::default()
    });
    scan.assets.len() - 1
}

fn aws_severity(word: &str, unknown: &mut usize) -> Severity {
    match word.trim().to_ascii_uppercase().as_str() {
        "INFORMATIONAL" => Severity::Info,
        _ => severity(word, unknown),
    }
}

fn version_of(text: &str) -> CvssVersion {
    match text.trim().trim_start_matches(['v', 'V']) {
        v if v.starts_with('2') => CvssVersion::V2,
        v if v.starts_with('4') => CvssVersion::V4,
        _ => CvssVersion::V3,
    }
}

fn push_cvss(f: &mut Finding, version: CvssVersion, score: Option<f64>, vector: Option<&str>) {
    if let Some(score) = score {
        if !f.cvss.iter().any(|c| c.version == version) {
            f.cvss.push(Cvss {
                version,
                score: score as f32,
                vector: vector.map(str::to_string),
            });
        }
    }
}

fn number(v: &Value) -> Option<f64> {
    v.as_f64()
        .or_else(|| v.as_str().and_then(|t| t.trim().parse().ok()))
}

fn note_coverage(scan: &mut Scan) {
    scan.notes.push(ScanNote {
        position: "the whole file".into(),
        message: "AWS findings name only the resources with findings: a resource found clean is not known to be covered, so no item of it closes".into(),
    });
}

/// The short name of an Inspector v2 resource.
fn inspector_short(resource: &Value) -> Option<String> {
    let d = &resource["details"];
    if let Some(image) = d.get("awsEcrContainerImage") {
        let repo = s(image, "repositoryName")?;
        return Some(
            match arr(image, "imageTags").first().and_then(Value::as_str) {
                Some(tag) => format!("{repo}:{tag}"),
                None => repo.to_string(),
            },
        );
    }
    if let Some(f) = d.get("awsLambdaFunction") {
        return s(f, "functionName").map(str::to_string);
    }
    // An EC2 instance's id ends its ARN (`...:instance/i-0abc`).
    let id = s(resource, "id")?;
    id.rsplit('/').next().map(str::to_string)
}

/// Reads Inspector v2's `list-findings` output.
pub(crate) fn read_inspector(
    file: &str,
    path: &std::path::Path,
    sink: &mut dyn FnMut(Finding),
) -> Result<Scan, ScanError> {
    let mut scan = Scan::new(file, "inspector2", "Amazon Inspector");
    let mut unknown = 0;
    crate::json::stream_list(file, path, &["findings"], false, &mut |n, x| {
        let x = &x;
        let position = format!("findings[{n}]");
        let resource = arr(x, "resources").first().unwrap_or(&Value::Null);
        let Some(rid) = s(resource, "id") else {
            scan.notes.push(ScanNote {
                position,
                message: "a finding without a resource; left out".into(),
            });
            return;
        };
        let asset = asset_of(&mut scan, rid, inspector_short(resource));
        let pkg = &x["packageVulnerabilityDetails"];
        let code = &x["codeVulnerabilityDetails"];
        let title = s(x, "title").unwrap_or("");
        let (id, kind) = if let Some(v) = s(pkg, "vulnerabilityId") {
            (v, IdKind::Vulnerability)
        } else if let Some(r) = s(code, "ruleId").or(s(code, "detectorId")) {
            (r, IdKind::Rule)
        } else if !title.is_empty() {
            (title, IdKind::Rule)
        } else {
            scan.notes.push(ScanNote {
                position,
                message: "a finding without a vulnerability id or title; left out".into(),
            });
            return;
        };
        let mut f = Finding::new(id, kind, asset, position);
        if !title.is_empty() {
            f.title = title.to_string();
        }
        f.description = s(x, "description").map(str::to_string);
        f.solution = x
            .pointer("/remediation/recommendation/text")
            .and_then(Value::as_str)
            .filter(|t| *t != "None Provided")
            .map(str::to_string);
        f.raw_severity = s(x, "severity").unwrap_or("UNTRIAGED").to_string();
        f.severity = aws_severity(&f.raw_severity, &mut unknown);
        for c in arr(pkg, "cvss") {
            push_cvss(
                &mut f,
                version_of(s(c, "version").unwrap_or("3")),
                c.get("baseScore").and_then(number),
                s(c, "scoringVector"),
            );
        }
        if let Some(adj) = x.pointer("/inspectorScoreDetails/adjustedCvss") {
            push_cvss(
                &mut f,
                version_of(s(adj, "version").unwrap_or("3")),
                adj.get("score").and_then(number),
                s(adj, "scoringVector"),
            );
        }
        for r in arr(pkg, "relatedVulnerabilities")
            .iter()
            .filter_map(Value::as_str)
        {
            if r.starts_with("CVE-") && !f.cves.iter().any(|c| c == r) {
                f.cves.push(r.to_string());
            }
        }
        let packages: Vec<String> = arr(pkg, "vulnerablePackages")
            .iter()
            .filter_map(|p| {
                let name = s(p, "name")?;
                Some(match (s(p, "version"), s(p, "fixedInVersion")) {
                    (Some(v), Some(fix)) => format!("{name} {v} (fixed in {fix})"),
                    (Some(v), None) => format!("{name} {v}"),
                    _ => name.to_string(),
                })
            })
            .collect();
        if f.solution.is_none() {
            // The fixed versions are the remediation where Inspector gives
            // no recommendation.
            let mut fixes: Vec<String> = arr(pkg, "vulnerablePackages")
                .iter()
                .filter_map(|p| {
                    let fix = s(p, "fixedInVersion").filter(|v| *v != "NotAvailable")?;
                    let how = s(p, "remediation")
                        .map(|r| format!(" ({r})"))
                        .unwrap_or_default();
                    Some(format!("Update {} to {fix}{how}", s(p, "name")?))
                })
                .collect();
            // One line per package, whatever its architectures.
            let mut seen = std::collections::HashSet::new();
            fixes.retain(|x| seen.insert(x.clone()));
            if !fixes.is_empty() {
                f.solution = Some(fixes.join("; "));
            }
        }
        if !packages.is_empty() {
            f.output = Some(packages.join("; "));
        } else if let Some(path) = code.pointer("/filePath/filePath").and_then(Value::as_str) {
            let line = code.pointer("/filePath/startLine").and_then(Value::as_u64);
            f.output = Some(match line {
                Some(l) => format!("{path}:{l}"),
                None => path.to_string(),
            });
        }
        for cwe in arr(code, "cwes").iter().filter_map(Value::as_str) {
            f.aliases.push(cwe.to_string());
        }
        f.outcome = match s(x, "status").unwrap_or("ACTIVE") {
            "CLOSED" => Outcome::Passed,
            "SUPPRESSED" => Outcome::NotApplicable,
            _ if f.severity == Severity::Info => Outcome::Informational,
            _ => Outcome::Open,
        };
        f.first_seen = s(x, "firstObservedAt").and_then(crate::day_of);
        f.last_seen = s(x, "lastObservedAt")
            .or(s(x, "updatedAt"))
            .and_then(crate::day_of);
        scan.scanned_on = scan.scanned_on.max(f.last_seen);
        sink(f);
    })?;
    unknown_note(&mut scan, unknown);
    note_coverage(&mut scan);
    Ok(scan)
}

/// An 800-53 or 800-171 id as Prowler writes it (`ac_2_6`, `ac-17-1`,
/// `ac_17_b`, `3_1_1`) in the form a POA&M writes it (`AC-2(6)`,
/// `AC-17(1)`, `AC-17b`, `3.1.1`); `None` for a truncated or odd one.
fn control_token(token: &str) -> Option<String> {
    let parts: Vec<&str> = token.split(['_', '-']).filter(|p| !p.is_empty()).collect();
    let first = parts.first()?;
    if first.chars().all(|c| c.is_ascii_digit()) {
        return (parts.len() == 3 && parts.iter().all(|p| p.chars().all(|c| c.is_ascii_digit())))
            .then(|| parts.join("."));
    }
    let number = parts
        .get(1)
        .filter(|n| n.chars().all(|c| c.is_ascii_digit()))?;
    if first.len() != 2 || !first.chars().all(|c| c.is_ascii_alphabetic()) {
        return None;
    }
    let mut out = format!("{}-{number}", first.to_ascii_uppercase());
    for p in &parts[2..] {
        if p.chars().all(|c| c.is_ascii_digit()) {
            out.push_str(&format!("({p})"));
        } else if p.len() == 1 && p.chars().all(|c| c.is_ascii_lowercase()) {
            out.push_str(p);
        } else {
            return None;
        }
    }
    Some(out)
}

/// The controls of an ASFF finding's related requirements: Security Hub's
/// `NIST.800-53.r5 AC-2(1)`, Prowler's `NIST-800-53-Revision-5 ac_2_6 ...`
/// and `NIST-800-171-Revision-2 3_1_1 ...`. Revision 5 where given, else
/// revision 4 and FedRAMP's (revision 4) baselines.
fn requirement_controls(requirements: &[Value]) -> Vec<String> {
    let mut rev5 = Vec::new();
    let mut older = Vec::new();
    let mut other = Vec::new();
    for req in requirements.iter().filter_map(Value::as_str) {
        let Some((standard, ids)) = req.trim().split_once(' ') else {
            continue;
        };
        let standard = standard.to_ascii_lowercase();
        let list = if standard == "nist.800-53.r5" || standard == "nist-800-53-revision-5" {
            &mut rev5
        } else if standard.starts_with("nist.800-53")
            || standard.starts_with("nist-800-53")
            || standard.starts_with("fedramp")
        {
            &mut older
        } else if standard.starts_with("nist-800-171") || standard.starts_with("nist.800-171") {
            &mut other
        } else {
            continue;
        };
        for token in ids.split_whitespace() {
            // Security Hub writes the control as such (`AC-2(1)`).
            let c = if token.contains('(') || token.chars().any(|c| c.is_ascii_uppercase()) {
                Some(token.to_string())
            } else {
                control_token(token)
            };
            if let Some(c) = c {
                if !list.contains(&c) {
                    list.push(c);
                }
            }
        }
    }
    let mut out = if rev5.is_empty() { older } else { rev5 };
    out.extend(other);
    out
}

/// The short name of an ASFF resource.
fn asff_short(resource: &Value) -> Option<String> {
    let d = &resource["Details"];
    if let Some(image) = d.get("AwsEcrContainerImage") {
        let repo = s(image, "RepositoryName")?;
        return Some(
            match arr(image, "ImageTags").first().and_then(Value::as_str) {
                Some(tag) => format!("{repo}:{tag}"),
                None => repo.to_string(),
            },
        );
    }
    if let Some(name) = d.pointer("/Container/ImageName").and_then(Value::as_str) {
        return Some(name.to_string());
    }
    let id = s(resource, "Id")?;
    if let Some(account) = id.strip_prefix("AWS::::Account:") {
        return Some(format!("AWS account {account}"));
    }
    id.starts_with("arn:")
        .then(|| id.rsplit(['/', ':']).next().map(str::to_string))
        .flatten()
}

/// Reads ASFF findings.
pub(crate) fn read_asff(
    file: &str,
    path: &std::path::Path,
    sink: &mut dyn FnMut(Finding),
) -> Result<Scan, ScanError> {
    let mut scan = Scan {
        file: file.to_string(),
        format: "asff".into(),
        ..Scan::default()
    };
    let mut products: Vec<String> = Vec::new();
    let mut unknown = 0;
    let mut archived = 0;
    let count =
        crate::json::stream_list(file, path, &["Findings", "findings"], true, &mut |n, x| {
            let x = &x;
            let position = format!("finding {}", n + 1);
            let product = x
                .pointer("/ProductFields/ProviderName")
                .and_then(Value::as_str)
                .or(s(x, "ProductName"))
                .or(x
                    .pointer("/ProductFields/Product Name")
                    .and_then(Value::as_str))
                .or(x
                    .pointer("/ProductFields/aws~1securityhub~1ProductName")
                    .and_then(Value::as_str))
                .unwrap_or("Security Hub");
            if !products.iter().any(|p| p == product) {
                products.push(product.to_string());
            }
            let resource = arr(x, "Resources").first().unwrap_or(&Value::Null);
            let Some(rid) = s(resource, "Id") else {
                scan.notes.push(ScanNote {
                    position,
                    message: "a finding without a resource; left out".into(),
                });
                return;
            };
            let asset = asset_of(&mut scan, rid, asff_short(resource));
            let vulns = arr(x, "Vulnerabilities");
            let title = s(x, "Title").unwrap_or("");
            let mut cves = Vec::new();
            crate::cves_in(s(x, "Id").unwrap_or(""), &mut cves);
            crate::cves_in(title, &mut cves);
            let (id, kind) = if let Some(v) = vulns.first().and_then(|v| s(v, "Id")) {
                (v.to_string(), IdKind::Vulnerability)
            } else if x
                .pointer("/Types/0")
                .and_then(Value::as_str)
                .is_some_and(|t| t.ends_with("/CVE"))
                && !cves.is_empty()
            {
                (cves[0].clone(), IdKind::Vulnerability)
            } else if let Some(g) = s(x, "GeneratorId") {
                (g.to_string(), IdKind::Rule)
            } else {
                scan.notes.push(ScanNote {
                    position,
                    message: "a finding without a generator or vulnerability id; left out".into(),
                });
                return;
            };
            let mut f = Finding::new(&id, kind, asset, position);
            for c in cves {
                if !f.cves.contains(&c) {
                    f.cves.push(c);
                }
            }
            if !title.is_empty() {
                f.title = title.to_string();
            }
            f.description = s(x, "Description").map(str::to_string);
            f.solution = x
                .pointer("/Remediation/Recommendation/Text")
                .and_then(Value::as_str)
                .map(|t| {
                    match x
                        .pointer("/Remediation/Recommendation/Url")
                        .and_then(Value::as_str)
                    {
                        Some(url) => format!("{t} {url}"),
                        None => t.to_string(),
                    }
                });
            let label = x
                .pointer("/Severity/Label")
                .and_then(Value::as_str)
                .or(x.pointer("/Severity/Original").and_then(Value::as_str))
                .unwrap_or("");
            f.raw_severity = label.to_string();
            f.severity = if label.is_empty() {
                match x.pointer("/Severity/Normalized").and_then(Value::as_f64) {
                    Some(n) if n >= 90.0 => Severity::Critical,
                    Some(n) if n >= 70.0 => Severity::High,
                    Some(n) if n >= 40.0 => Severity::Medium,
                    Some(n) if n >= 1.0 => Severity::Low,
                    Some(_) => Severity::Info,
                    None => aws_severity("", &mut unknown),
                }
            } else {
                aws_severity(label, &mut unknown)
            };
            for v in vulns {
                if let Some(cve) = s(v, "Id").filter(|i| i.starts_with("CVE-")) {
                    if !f.cves.iter().any(|c| c == cve) {
                        f.cves.push(cve.to_string());
                    }
                }
                for c in arr(v, "Cvss") {
                    push_cvss(
                        &mut f,
                        version_of(s(c, "Version").unwrap_or("3")),
                        c.get("BaseScore").and_then(number),
                        s(c, "BaseVector"),
                    );
                }
            }
            // Trivy's template puts the NVD's scores among the resource details.
            let other = &resource["Details"]["Other"];
            push_cvss(
                &mut f,
                CvssVersion::V3,
                other.get("NvdCvssScoreV3").and_then(number),
                s(other, "NvdCvssVectorV3"),
            );
            push_cvss(
                &mut f,
                CvssVersion::V2,
                other.get("NvdCvssScoreV2").and_then(number),
                s(other, "NvdCvssVectorV2"),
            );
            if let Some(pkg) = s(other, "PkgName") {
                f.output = Some(
                    match (s(other, "Installed Package"), s(other, "Patched Package")) {
                        (Some(v), Some(fix)) => format!("{pkg} {v} (fixed in {fix})"),
                        (Some(v), None) => format!("{pkg} {v}"),
                        _ => pkg.to_string(),
                    },
                );
            }
            f.controls = requirement_controls(arr(&x["Compliance"], "RelatedRequirements"));
            let compliance = x.pointer("/Compliance/Status").and_then(Value::as_str);
            let workflow = x
                .pointer("/Workflow/Status")
                .and_then(Value::as_str)
                .or(s(x, "WorkflowState"));
            f.outcome = match (compliance, workflow) {
                (Some("PASSED"), _) => Outcome::Passed,
                (Some("WARNING"), _) => Outcome::NotReviewed,
                (Some("NOT_AVAILABLE"), _) => Outcome::Error,
                // Prowler writes its informational checks so.
                (Some("INFOED" | "INFO"), _) => Outcome::Informational,
                (_, Some("RESOLVED")) => Outcome::Passed,
                (_, Some("SUPPRESSED")) => Outcome::NotApplicable,
                _ if f.severity == Severity::Info => Outcome::Informational,
                _ => Outcome::Open,
            };
            if s(x, "RecordState") == Some("ARCHIVED") && f.outcome == Outcome::Open {
                // Security Hub archives a finding its product no longer reports.
                f.outcome = Outcome::Passed;
                archived += 1;
            }
            f.first_seen = s(x, "FirstObservedAt")
                .or(s(x, "CreatedAt"))
                .and_then(crate::day_of);
            f.last_seen = s(x, "LastObservedAt")
                .or(s(x, "UpdatedAt"))
                .and_then(crate::day_of);
            scan.scanned_on = scan.scanned_on.max(f.last_seen);
            sink(f);
        })?;
    if count == 0 {
        return Err(ScanError::NotScan {
            file: file.to_string(),
            reason: "ASFF without a finding".into(),
        });
    }
    scan.scanner = Some(products.join(", "));
    if archived > 0 {
        scan.notes.push(ScanNote {
            position: "the whole file".into(),
            message: format!("{archived} archived finding(s) (no longer reported by their product) read as fixed"),
        });
    }
    unknown_note(&mut scan, unknown);
    note_coverage(&mut scan);
    Ok(scan)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prowler_and_security_hub_requirements_give_controls() {
        assert_eq!(control_token("ac_2_6").as_deref(), Some("AC-2(6)"));
        assert_eq!(control_token("ac-17-1").as_deref(), Some("AC-17(1)"));
        assert_eq!(control_token("ac_17_b").as_deref(), Some("AC-17b"));
        assert_eq!(control_token("3_1_1").as_deref(), Some("3.1.1"));
        assert_eq!(control_token("au_"), None);
        let reqs: Vec<Value> = [
            "NIST-800-53-Revision-4 ac_4 sc_7_3",
            "NIST-800-53-Revision-5 ac_2_6 ac_17_b au_",
            "NIST-800-171-Revision-2 3_1_1",
            "CIS-1.5 1.20",
        ]
        .iter()
        .map(|r| Value::from(*r))
        .collect();
        assert_eq!(requirement_controls(&reqs), ["AC-2(6)", "AC-17b", "3.1.1"]);
        let hub = [Value::from("NIST.800-53.r5 AC-2(1) AC-3")];
        assert_eq!(requirement_controls(&hub), ["AC-2(1)", "AC-3"]);
    }
}
