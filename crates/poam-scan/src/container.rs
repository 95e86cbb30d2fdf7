//! Container and package scanners' JSON: Trivy (schema 2 reports, the older
//! list of targets, Kubernetes cluster reports; vulnerabilities,
//! misconfigurations and secrets) and Grype (`matches[]`). The asset is the
//! image, directory or Kubernetes resource scanned; each vulnerability of
//! each package is a finding named by its id (a CVE, GHSA, ALAS...), its
//! package and versions in the output.

use crate::json::{arr, asset_index, s, severity, unknown_note};
use crate::{Cvss, CvssVersion, Finding, IdKind, Outcome, Scan, ScanError};
use serde_json::Value;

/// Trivy's results of one asset.
fn trivy_results(
    scan: &mut Scan,
    asset: &str,
    results: &[Value],
    at: &str,
    unknown: &mut usize,
    sink: &mut dyn FnMut(Finding),
) {
    let a = asset_index(scan, asset);
    for (r, result) in results.iter().enumerate() {
        let target = s(result, "Target").unwrap_or("");
        for (n, v) in arr(result, "Vulnerabilities").iter().enumerate() {
            let Some(id) = s(v, "VulnerabilityID") else {
                continue;
            };
            let mut f = Finding::new(
                id,
                IdKind::Vulnerability,
                a,
                format!("{at}Results[{r}].Vulnerabilities[{n}]"),
            );
            f.title = s(v, "Title").unwrap_or(id).to_string();
            f.description = s(v, "Description").map(str::to_string);
            f.raw_severity = s(v, "Severity").unwrap_or("UNKNOWN").to_string();
            f.severity = severity(&f.raw_severity, unknown);
            if let Some(cvss) = v.get("CVSS").and_then(Value::as_object) {
                // The NVD's scores first, then the severity source's, then any.
                let mut sources: Vec<&Value> = Vec::new();
                sources.extend(cvss.get("nvd"));
                sources.extend(s(v, "SeveritySource").and_then(|src| cvss.get(src)));
                sources.extend(cvss.values());
                for (version, score, vector) in [
                    (CvssVersion::V3, "V3Score", "V3Vector"),
                    (CvssVersion::V4, "V40Score", "V40Vector"),
                    (CvssVersion::V2, "V2Score", "V2Vector"),
                ] {
                    if let Some(src) = sources
                        .iter()
                        .find(|c| c.get(score).and_then(Value::as_f64).is_some())
                    {
                        f.cvss.push(Cvss {
                            version,
                            score: src.get(score).and_then(Value::as_f64).unwrap_or(0.0) as f32,
                            vector: s(src, vector).map(str::to_string),
                        });
                    }
                }
            }
            if s(v, "Status") == Some("not_affected") {
                f.outcome = Outcome::NotApplicable;
            }
            let pkg = s(v, "PkgName").unwrap_or("");
            let installed = s(v, "InstalledVersion").unwrap_or("");
            f.solution = s(v, "FixedVersion").map(|fixed| format!("Upgrade {pkg} to {fixed}"));
            f.output = Some(format!("{pkg} {installed} in {target}").trim().to_string());
            sink(f);
        }
        for (n, m) in arr(result, "Misconfigurations").iter().enumerate() {
            let Some(id) = s(m, "ID").or(s(m, "AVDID")) else {
                continue;
            };
            let mut f = Finding::new(
                id,
                IdKind::Rule,
                a,
                format!("{at}Results[{r}].Misconfigurations[{n}]"),
            );
            f.title = s(m, "Title").unwrap_or(id).to_string();
            f.description = s(m, "Description").or(s(m, "Message")).map(str::to_string);
            f.solution = s(m, "Resolution").map(str::to_string);
            f.raw_severity = s(m, "Severity").unwrap_or("UNKNOWN").to_string();
            f.severity = severity(&f.raw_severity, unknown);
            f.outcome = match s(m, "Status") {
                Some("PASS") => Outcome::Passed,
                Some("EXCEPTION") => Outcome::NotApplicable,
                _ => Outcome::Open,
            };
            f.output = Some(target.to_string());
            sink(f);
        }
        for (n, sec) in arr(result, "Secrets").iter().enumerate() {
            let Some(id) = s(sec, "RuleID") else { continue };
            let mut f = Finding::new(
                id,
                IdKind::Rule,
                a,
                format!("{at}Results[{r}].Secrets[{n}]"),
            );
            f.title = s(sec, "Title").unwrap_or(id).to_string();
            f.raw_severity = s(sec, "Severity").unwrap_or("UNKNOWN").to_string();
            f.severity = severity(&f.raw_severity, unknown);
            f.output = Some(format!(
                "{target} line {}",
                sec.get("StartLine").and_then(Value::as_u64).unwrap_or(0)
            ));
            sink(f);
        }
    }
}

/// Reads a Trivy JSON report.
pub(crate) fn read_trivy(
    file: &str,
    doc: &Value,
    sink: &mut dyn FnMut(Finding),
) -> Result<Scan, ScanError> {
    let mut scan = Scan::new(file, "trivy", "Trivy");
    scan.scanned_on = s(doc, "CreatedAt")
        .and_then(|t| t.get(..10))
        .and_then(|d| d.parse().ok());
    let mut unknown = 0;
    match doc {
        // Before schema 2: a list of targets.
        Value::Array(list) => {
            for (n, t) in list.iter().enumerate() {
                let name = s(t, "Target").unwrap_or("target").to_string();
                trivy_results(
                    &mut scan,
                    &name,
                    std::slice::from_ref(t),
                    &format!("[{n}]."),
                    &mut unknown,
                    sink,
                );
            }
        }
        _ if doc.get("ClusterName").is_some() => {
            scan.name = s(doc, "ClusterName").map(str::to_string);
            for section in ["Vulnerabilities", "Misconfigurations"] {
                for (n, res) in arr(doc, section).iter().enumerate() {
                    let name = format!(
                        "{}/{}/{}",
                        s(res, "Namespace").unwrap_or("-"),
                        s(res, "Kind").unwrap_or("-"),
                        s(res, "Name").unwrap_or("-")
                    );
                    trivy_results(
                        &mut scan,
                        &name,
                        arr(res, "Results"),
                        &format!("{section}[{n}]."),
                        &mut unknown,
                        sink,
                    );
                }
            }
        }
        _ => {
            let name = s(doc, "ArtifactName").unwrap_or("artifact").to_string();
            scan.name = Some(name.clone());
            trivy_results(
                &mut scan,
                &name,
                arr(doc, "Results"),
                "",
                &mut unknown,
                sink,
            );
        }
    }
    unknown_note(&mut scan, unknown);
    Ok(scan)
}

/// Reads a Grype JSON report.
pub(crate) fn read_grype(
    file: &str,
    doc: &Value,
    sink: &mut dyn FnMut(Finding),
) -> Result<Scan, ScanError> {
    let source = &doc["source"];
    let target = match source.get("target") {
        // Older Grype writes a directory target with its quotes (`"."`).
        Some(Value::String(t)) => t.trim_matches('"').to_string(),
        Some(t) => s(t, "userInput")
            .or(s(t, "imageID"))
            .unwrap_or("target")
            .to_string(),
        None => "target".to_string(),
    };
    let mut scan = Scan {
        file: file.to_string(),
        format: "grype".into(),
        scanner: Some("Grype".into()),
        name: Some(target.clone()),
        ..Scan::default()
    };
    scan.scanned_on = doc
        .pointer("/descriptor/timestamp")
        .and_then(Value::as_str)
        .and_then(|t| t.get(..10))
        .and_then(|d| d.parse().ok());
    let a = asset_index(&mut scan, &target);
    let mut unknown = 0;
    for (n, m) in arr(doc, "matches").iter().enumerate() {
        let v = &m["vulnerability"];
        let Some(id) = s(v, "id") else { continue };
        let mut f = Finding::new(id, IdKind::Vulnerability, a, format!("matches[{n}]"));
        f.description = s(v, "description").map(str::to_string);
        f.raw_severity = s(v, "severity").unwrap_or("Unknown").to_string();
        f.severity = severity(&f.raw_severity, &mut unknown);
        for related in arr(m, "relatedVulnerabilities") {
            if let Some(r) = s(related, "id") {
                if r.starts_with("CVE-") && !f.cves.iter().any(|c| c == r) {
                    f.cves.push(r.to_string());
                }
                if f.description.is_none() {
                    f.description = s(related, "description").map(str::to_string);
                }
            }
        }
        for c in arr(v, "cvss").iter().chain(
            arr(m, "relatedVulnerabilities")
                .iter()
                .flat_map(|r| arr(r, "cvss")),
        ) {
            let version = match s(c, "version").unwrap_or("") {
                v if v.starts_with('2') => CvssVersion::V2,
                v if v.starts_with('4') => CvssVersion::V4,
                _ => CvssVersion::V3,
            };
            if let Some(score) = c.pointer("/metrics/baseScore").and_then(Value::as_f64) {
                if !f.cvss.iter().any(|x| x.version == version) {
                    f.cvss.push(Cvss {
                        version,
                        score: score as f32,
                        vector: s(c, "vector").map(str::to_string),
                    });
                }
            }
        }
        let art = &m["artifact"];
        let pkg = s(art, "name").unwrap_or("");
        let fixes: Vec<&str> = arr(&v["fix"], "versions")
            .iter()
            .filter_map(Value::as_str)
            .collect();
        if !fixes.is_empty() {
            f.solution = Some(format!("Upgrade {pkg} to {}", fixes.join(" or ")));
        }
        f.title = format!("{id} in {pkg}");
        f.output = Some(
            format!("{pkg} {}", s(art, "version").unwrap_or(""))
                .trim()
                .to_string(),
        );
        sink(f);
    }
    unknown_note(&mut scan, unknown);
    Ok(scan)
}
