//! Scanner outputs for tests of the monthly update: `.nessus` v2 files with
//! the hosts a scan covered and the plugin results on each.

use crate::xml_escape as escape;
use std::fmt::Write as _;

/// A host a scan covers.
pub struct Host<'a> {
    /// Its `ReportHost` name.
    pub name: &'a str,
    /// Its IP address.
    pub ip: &'a str,
}

/// One plugin result on one host.
pub struct Result<'a> {
    /// The host's index in the scan's hosts.
    pub host: usize,
    /// The plugin id.
    pub plugin: &'a str,
    /// The plugin's name.
    pub name: &'a str,
    /// Nessus severity, 0 (informational) to 4 (critical).
    pub severity: u8,
    /// The CVSS v3 base score, where the plugin has one.
    pub cvss3: Option<f32>,
    /// CVE ids.
    pub cves: &'a [&'a str],
}

/// A `.nessus` (v2) file: a scan run on `day` (written as Nessus writes
/// it, `Tue Dec  1 10:00:00 2026`) of `hosts`, with `results`.
pub fn nessus(name: &str, day: chrono::NaiveDate, hosts: &[Host], results: &[Result]) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "<?xml version=\"1.0\" ?>");
    let _ = writeln!(s, "<NessusClientData_v2>");
    let _ = writeln!(
        s,
        "<Report name=\"{}\" xmlns:cm=\"http://www.nessus.org/cm\">",
        escape(name)
    );
    for (n, h) in hosts.iter().enumerate() {
        let _ = writeln!(
            s,
            "<ReportHost name=\"{}\"><HostProperties>",
            escape(h.name)
        );
        let _ = writeln!(
            s,
            "<tag name=\"HOST_START\">{}</tag>",
            day.format("%a %b %e 10:00:00 %Y")
        );
        let _ = writeln!(s, "<tag name=\"host-ip\">{}</tag>", escape(h.ip));
        let _ = writeln!(s, "<tag name=\"hostname\">{}</tag>", escape(h.name));
        let _ = writeln!(s, "</HostProperties>");
        let _ = writeln!(
            s,
            "<ReportItem port=\"0\" svc_name=\"general\" protocol=\"tcp\" severity=\"0\" pluginID=\"19506\" pluginName=\"Nessus Scan Information\"><risk_factor>None</risk_factor></ReportItem>"
        );
        for r in results.iter().filter(|r| r.host == n) {
            let _ = writeln!(
                s,
                "<ReportItem port=\"443\" svc_name=\"www\" protocol=\"tcp\" severity=\"{}\" pluginID=\"{}\" pluginName=\"{}\">",
                r.severity,
                escape(r.plugin),
                escape(r.name)
            );
            let _ = writeln!(
                s,
                "<description>{} found on the host.</description>",
                escape(r.name)
            );
            let _ = writeln!(
                s,
                "<solution>Apply the vendor's fix for {}.</solution>",
                escape(r.name)
            );
            let risk =
                ["None", "Low", "Medium", "High", "Critical"][usize::from(r.severity.min(4))];
            let _ = writeln!(s, "<risk_factor>{risk}</risk_factor>");
            if let Some(c) = r.cvss3 {
                let _ = writeln!(s, "<cvss3_base_score>{c:.1}</cvss3_base_score>");
            }
            for cve in r.cves {
                let _ = writeln!(s, "<cve>{cve}</cve>");
            }
            let _ = writeln!(s, "</ReportItem>");
        }
        let _ = writeln!(s, "</ReportHost>");
    }
    let _ = writeln!(s, "</Report>\n</NessusClientData_v2>");
    s
}

/// A large `.nessus` file for benchmarks: `hosts` hosts (10.x.y.z) and
/// `findings` results spread over them, of `ids` distinct plugins (plugin
/// 12345 among them, the large FedRAMP workbook's source identifier), each
/// with a description of about `text` bytes.
pub fn large_nessus(hosts: usize, findings: usize, ids: usize, text: usize) -> String {
    let day = chrono::NaiveDate::from_ymd_opt(2026, 12, 1).unwrap_or_default();
    let names: Vec<(String, String)> = (0..hosts)
        .map(|h| {
            (
                format!("host-{h:05}"),
                format!("10.{}.{}.{}", h / 65536 % 256, h / 256 % 256, h % 256),
            )
        })
        .collect();
    let host_list: Vec<Host> = names.iter().map(|(n, ip)| Host { name: n, ip }).collect();
    let plugins: Vec<(String, String)> = (0..ids.max(1))
        .map(|k| {
            let id = if k == 0 {
                "12345".to_string()
            } else {
                (100_000 + k).to_string()
            };
            let name = format!("Weakness {k} {}", "x".repeat(text.saturating_sub(40)));
            (id, name)
        })
        .collect();
    let results: Vec<Result> = (0..findings)
        .map(|n| {
            let (plugin, name) = &plugins[n % plugins.len()];
            Result {
                host: n % hosts.max(1),
                plugin,
                name,
                severity: (n % 4 + 1) as u8,
                cvss3: Some(((n % 100) as f32) / 10.0),
                cves: &[],
            }
        })
        .collect();
    nessus("Benchmark", day, &host_list, &results)
}
