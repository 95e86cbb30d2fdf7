//! Control catalogs, crosswalks and other frameworks, as data in
//! `templates/catalogs/` and `templates/frameworks/`.
//!
//! - NIST SP 800-171 rev 2: the 110 requirements with their DoD assessment
//!   points, CMMC practice ids, POA&M eligibility and SP 800-53 mapping.
//! - NIST SP 800-53 rev 5: every control and enhancement, with its title,
//!   its NIST SP 800-53B baselines, and, for a withdrawn one, where it went.
//! - FedRAMP Rev 5 Low, Moderate and High baselines.
//! - DISA's Control Correlation Identifiers (CCIs) with the SP 800-53 rev 4
//!   and rev 5 controls each maps to.
//! - Other frameworks (ISO/IEC 27001, ISO 9001, CIS Controls): a pattern and a
//!   canonical form each; a user adds one with a file of the same shape.

use crate::LayoutError;
use regex::Regex;
use serde::Deserialize;
use std::collections::{BTreeMap, HashMap};
use std::sync::OnceLock;

/// One SP 800-171 rev 2 requirement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Requirement {
    /// `3.1.1`.
    pub id: String,
    /// SP 800-53 family code of its family (`AC`).
    pub family: String,
    /// CMMC Level 2 practice (`AC.L2-3.1.1`).
    pub cmmc: String,
    /// CMMC Level 1 practice, if any (`AC.L1-b.1.i`).
    pub cmmc_l1: Option<String>,
    /// A basic (rather than derived) requirement.
    pub basic: bool,
    /// Points subtracted when not met; `None` for 3.12.4 (no score without an SSP).
    pub points: Option<i64>,
    /// Points subtracted when partly met (3.5.3, 3.13.11).
    pub partial: Option<i64>,
    /// POA&M eligibility: `yes`, `no`, or `encryption-not-fips`.
    pub poam: String,
    /// SP 800-53 (rev 4) controls of SP 800-171 Appendix D.
    pub sp800_53: Vec<String>,
    /// Requirement text.
    pub text: String,
}

/// One SP 800-53 rev 5 control or enhancement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Control {
    /// `AC-2(1)`.
    pub id: String,
    /// Its title.
    pub title: String,
    /// Baselines: `L`, `M`, `H`, `P`; empty when in none.
    pub baselines: String,
    /// For a withdrawn control, where its content went (`incorporated into AC-6`).
    pub withdrawn: Option<String>,
}

/// One DISA Control Correlation Identifier (CCI).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cci {
    /// `CCI-000366`.
    pub id: String,
    /// DISA has deprecated it.
    pub deprecated: bool,
    /// The SP 800-53 rev 4 controls or enhancements it maps to.
    pub rev4: Vec<String>,
    /// The SP 800-53 rev 5 controls or enhancements it maps to.
    pub rev5: Vec<String>,
}

impl Cci {
    /// The controls it maps to: rev 5 where DISA gives one, rev 4 otherwise.
    pub fn controls(&self) -> &[String] {
        if self.rev5.is_empty() {
            &self.rev4
        } else {
            &self.rev5
        }
    }

    /// Whether it maps to this control in either revision.
    pub fn maps_to(&self, control: &str) -> bool {
        self.rev5.iter().chain(&self.rev4).any(|c| c == control)
    }
}

/// A FedRAMP Rev 5 baseline.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FedrampBaseline {
    /// Low.
    Low,
    /// Moderate.
    Moderate,
    /// High.
    High,
}

impl FedrampBaseline {
    /// The baseline of a system's impact level (`Moderate`, `FIPS 199 High`), if it names one.
    pub fn from_impact_level(level: &str) -> Option<FedrampBaseline> {
        let l = level.to_lowercase();
        if l.contains("high") {
            Some(FedrampBaseline::High)
        } else if l.contains("moderate") {
            Some(FedrampBaseline::Moderate)
        } else if l.contains("low") {
            Some(FedrampBaseline::Low)
        } else {
            None
        }
    }

    /// `Low`, `Moderate`, `High`.
    pub fn name(self) -> &'static str {
        match self {
            FedrampBaseline::Low => "Low",
            FedrampBaseline::Moderate => "Moderate",
            FedrampBaseline::High => "High",
        }
    }
}

/// Another framework that a POA&M may name (ISO, CIS).
#[derive(Debug, Clone)]
pub struct Framework {
    /// Short name (`iso-27001`).
    pub name: String,
    /// Human title.
    pub title: String,
    /// How a row's Standard / Framework column names it.
    pub aliases: Vec<String>,
    forms: Vec<IdForm>,
    titles: BTreeMap<String, String>,
}

/// One way a framework's ids are written: a pattern and the canonical form
/// built from its groups.
#[derive(Debug, Clone)]
struct IdForm {
    pattern: Regex,
    canonical: String,
    /// Claimed only where the row's Standard names the framework (ISO/IEC
    /// 27001's bare clause 6.1.2 would otherwise be ISO 9001's).
    named_only: bool,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FrameworkFile {
    name: String,
    title: String,
    #[serde(default)]
    aliases: Vec<String>,
    pattern: Option<String>,
    canonical: Option<String>,
    #[serde(default)]
    ids: Vec<IdFormFile>,
    #[serde(default)]
    titles: BTreeMap<String, String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct IdFormFile {
    pattern: String,
    canonical: String,
    #[serde(default)]
    when: When,
}

#[derive(Deserialize, Default, PartialEq)]
#[serde(rename_all = "kebab-case")]
enum When {
    /// Whatever the row says.
    #[default]
    Always,
    /// Only where the row's Standard names the framework.
    Named,
}

impl Framework {
    /// Parses a framework file: `pattern` and `canonical` at the top, or one
    /// `[[ids]]` table per way its ids are written; `[titles]` by id.
    ///
    /// # Errors
    ///
    /// [`LayoutError::Toml`] for malformed TOML; [`LayoutError::Pattern`] for
    /// a pattern that is not a regular expression, or a file with no pattern.
    pub fn from_toml(name: &str, text: &str) -> Result<Framework, LayoutError> {
        let f: FrameworkFile =
            toml::from_str(text).map_err(|e| LayoutError::toml(name, text, e))?;
        let bad = |reason: String| LayoutError::Pattern {
            name: name.to_string(),
            reason,
        };
        let mut raw = Vec::new();
        match (f.pattern, f.canonical) {
            (Some(pattern), Some(canonical)) => raw.push(IdFormFile {
                pattern,
                canonical,
                when: When::Always,
            }),
            (None, None) => {}
            _ => return Err(bad("give both `pattern` and `canonical`".into())),
        }
        raw.extend(f.ids);
        if raw.is_empty() {
            return Err(bad(
                "no id pattern: give `pattern` and `canonical`, or [[ids]] tables".into(),
            ));
        }
        let forms = raw
            .into_iter()
            .map(|r| {
                Ok(IdForm {
                    pattern: Regex::new(&format!("(?i){}", r.pattern))
                        .map_err(|e| bad(e.to_string()))?,
                    canonical: r.canonical,
                    named_only: r.when == When::Named,
                })
            })
            .collect::<Result<Vec<_>, LayoutError>>()?;
        Ok(Framework {
            name: f.name,
            title: f.title,
            aliases: f.aliases,
            forms,
            titles: f.titles,
        })
    }

    /// Whether a Standard / Framework cell (`ISO 9001:2015`, `AS9100 Rev
    /// D`) names this framework: its name, title or an alias, compared
    /// without case, spaces or punctuation.
    pub fn is_named_by(&self, text: &str) -> bool {
        let cell = crate::mapping::squash(text);
        !cell.is_empty()
            && std::iter::once(&self.name)
                .chain(std::iter::once(&self.title))
                .chain(&self.aliases)
                .map(|a| crate::mapping::squash(a))
                .any(|a| !a.is_empty() && (cell == a || cell.starts_with(&a)))
    }

    /// The canonical id when `token` is one of this framework's ids, read by
    /// its shape alone.
    pub fn parse(&self, token: &str) -> Option<String> {
        self.parse_forms(token, false)
    }

    /// The canonical id when `token` is one of this framework's ids in a row
    /// whose Standard names the framework: also the forms only such a row
    /// claims.
    pub fn parse_named(&self, token: &str) -> Option<String> {
        self.parse_forms(token, true)
    }

    fn parse_forms(&self, token: &str, named: bool) -> Option<String> {
        self.forms
            .iter()
            .filter(|f| named || !f.named_only)
            .find_map(|f| f.build(token.trim()))
    }

    /// The title of a clause or control, or of the nearest clause above it
    /// that has one, with that clause's id (`7.1.5.2` gives `7.1.5.2`,
    /// `Measurement traceability`; `A.5.18` gives `A.5`, `Organizational
    /// controls`).
    pub fn title_of(&self, id: &str) -> Option<(&str, &str)> {
        let mut at = id;
        loop {
            if let Some((k, t)) = self.titles.get_key_value(at) {
                return Some((k.as_str(), t.as_str()));
            }
            at = &at[..at.rfind('.')?];
        }
    }
}

impl IdForm {
    fn build(&self, token: &str) -> Option<String> {
        let c = self.pattern.captures(token)?;
        let mut out = self.canonical.clone();
        for i in (1..c.len()).rev() {
            let value = c.get(i).map_or("", |m| m.as_str());
            // `{.3}`: the group with a dot before it, only when present.
            out = out.replace(
                &format!("{{.{i}}}"),
                &if value.is_empty() {
                    String::new()
                } else {
                    format!(".{value}")
                },
            );
            out = out.replace(&format!("{{{i}}}"), value);
        }
        Some(out)
    }
}

/// All catalogs.
#[derive(Debug, Default)]
pub struct Catalogs {
    requirements: BTreeMap<String, Requirement>,
    controls: HashMap<String, Control>,
    fedramp_low: Vec<String>,
    fedramp_moderate: Vec<String>,
    fedramp_high: Vec<String>,
    frameworks: Vec<Framework>,
    ccis: HashMap<String, Cci>,
    reverse_53: HashMap<String, Vec<String>>,
}

fn strip_comments(text: &str) -> String {
    text.lines()
        .filter(|l| !l.starts_with('#'))
        .collect::<Vec<_>>()
        .join("\n")
}

impl Catalogs {
    fn load() -> Result<Catalogs, LayoutError> {
        let mut cat = Catalogs::default();
        let bad = |name: &str, e: csv::Error| LayoutError::Pattern {
            name: name.to_string(),
            reason: e.to_string(),
        };
        let text = strip_comments(include_str!("../../../templates/catalogs/sp800-171r2.csv"));
        let mut reader = csv::Reader::from_reader(text.as_bytes());
        for rec in reader.records() {
            let r = rec.map_err(|e| bad("sp800-171r2.csv", e))?;
            let get = |i: usize| r.get(i).unwrap_or("").to_string();
            let req = Requirement {
                id: get(0),
                family: get(1),
                cmmc: get(2),
                cmmc_l1: Some(get(3)).filter(|s| !s.is_empty()),
                basic: get(4) == "yes",
                points: get(5).parse().ok(),
                partial: get(6).parse().ok(),
                poam: get(7),
                sp800_53: get(8)
                    .split(';')
                    .filter(|s| !s.is_empty())
                    .map(String::from)
                    .collect(),
                text: get(9),
            };
            for c in &req.sp800_53 {
                cat.reverse_53
                    .entry(c.clone())
                    .or_default()
                    .push(req.id.clone());
            }
            cat.requirements.insert(req.id.clone(), req);
        }
        let text = strip_comments(include_str!("../../../templates/catalogs/sp800-53r5.csv"));
        let mut reader = csv::Reader::from_reader(text.as_bytes());
        for rec in reader.records() {
            let r = rec.map_err(|e| bad("sp800-53r5.csv", e))?;
            let c = Control {
                id: r.get(0).unwrap_or("").to_string(),
                title: r.get(1).unwrap_or("").to_string(),
                baselines: r.get(2).unwrap_or("").to_string(),
                withdrawn: r.get(3).filter(|w| !w.is_empty()).map(String::from),
            };
            cat.controls.insert(c.id.clone(), c);
        }
        let split = |s: &str| -> Vec<String> {
            s.split(';')
                .filter(|s| !s.is_empty())
                .map(String::from)
                .collect()
        };
        let text = strip_comments(include_str!("../../../templates/catalogs/cci.csv"));
        let mut reader = csv::Reader::from_reader(text.as_bytes());
        for rec in reader.records() {
            let r = rec.map_err(|e| bad("cci.csv", e))?;
            let c = Cci {
                id: r.get(0).unwrap_or("").to_string(),
                deprecated: r.get(1) == Some("deprecated"),
                rev4: split(r.get(2).unwrap_or("")),
                rev5: split(r.get(3).unwrap_or("")),
            };
            cat.ccis.insert(c.id.clone(), c);
        }
        let list = |text: &str| -> Vec<String> {
            strip_comments(text)
                .lines()
                .map(str::trim)
                .filter(|l| !l.is_empty())
                .map(String::from)
                .collect()
        };
        cat.fedramp_low = list(include_str!(
            "../../../templates/catalogs/fedramp-rev5-low.txt"
        ));
        cat.fedramp_moderate = list(include_str!(
            "../../../templates/catalogs/fedramp-rev5-moderate.txt"
        ));
        cat.fedramp_high = list(include_str!(
            "../../../templates/catalogs/fedramp-rev5-high.txt"
        ));
        for (name, text) in [
            (
                "iso-27001-2022.toml",
                include_str!("../../../templates/frameworks/iso-27001-2022.toml"),
            ),
            (
                "iso-9001-2015.toml",
                include_str!("../../../templates/frameworks/iso-9001-2015.toml"),
            ),
            (
                "cis-controls-v8.toml",
                include_str!("../../../templates/frameworks/cis-controls-v8.toml"),
            ),
            (
                "iatf-16949-2016.toml",
                include_str!("../../../templates/frameworks/iatf-16949-2016.toml"),
            ),
            (
                "as9100d.toml",
                include_str!("../../../templates/frameworks/as9100d.toml"),
            ),
            (
                "iso-13485-2016.toml",
                include_str!("../../../templates/frameworks/iso-13485-2016.toml"),
            ),
        ] {
            cat.frameworks.push(Framework::from_toml(name, text)?);
        }
        Ok(cat)
    }

    /// The SP 800-171 rev 2 requirement with this id (`3.1.1`).
    pub fn requirement(&self, id: &str) -> Option<&Requirement> {
        self.requirements.get(id)
    }

    /// All 110 requirements, in order.
    pub fn requirements(&self) -> impl Iterator<Item = &Requirement> {
        let mut all: Vec<&Requirement> = self.requirements.values().collect();
        all.sort_by_key(|r| {
            r.id.split('.')
                .map(|p| p.parse::<u32>().unwrap_or(0))
                .collect::<Vec<_>>()
        });
        all.into_iter()
    }

    /// The SP 800-53 rev 5 control or enhancement with this canonical id (withdrawn ones too).
    pub fn control(&self, id: &str) -> Option<&Control> {
        self.controls.get(id)
    }

    /// The CCI with this id, written `CCI-000366` (six digits).
    pub fn cci(&self, id: &str) -> Option<&Cci> {
        self.ccis.get(id)
    }

    /// Number of CCIs in DISA's list, deprecated ones included.
    pub fn cci_count(&self) -> usize {
        self.ccis.len()
    }

    /// Number of SP 800-53 controls and enhancements known, withdrawn ones included.
    pub fn control_count(&self) -> usize {
        self.controls.len()
    }

    /// Number of SP 800-53 controls and enhancements in at least one NIST baseline.
    pub fn baseline_control_count(&self) -> usize {
        self.controls
            .values()
            .filter(|c| !c.baselines.is_empty())
            .count()
    }

    /// Whether a control is in a FedRAMP Rev 5 baseline.
    pub fn in_fedramp(&self, baseline: FedrampBaseline, id: &str) -> bool {
        self.fedramp(baseline).iter().any(|c| c == id)
    }

    /// A FedRAMP Rev 5 baseline's controls and enhancements, in catalog order.
    pub fn fedramp(&self, baseline: FedrampBaseline) -> &[String] {
        match baseline {
            FedrampBaseline::Low => &self.fedramp_low,
            FedrampBaseline::Moderate => &self.fedramp_moderate,
            FedrampBaseline::High => &self.fedramp_high,
        }
    }

    /// The FedRAMP Rev 5 Moderate baseline.
    pub fn fedramp_moderate(&self) -> &[String] {
        self.fedramp(FedrampBaseline::Moderate)
    }

    /// The built-in other frameworks (a user's come through the reader's
    /// options, before these).
    pub fn frameworks(&self) -> impl Iterator<Item = &Framework> {
        self.frameworks.iter()
    }

    /// Equivalent ids of a canonical control id in the other catalogs:
    /// (framework, ids). SP 800-171 rev 2 ↔ CMMC Level 2 one to one, SP 800-171
    /// → SP 800-53 (Appendix D), and SP 800-53 → the SP 800-171 requirements
    /// that map to it.
    pub fn equivalents(&self, id: &str) -> Vec<(&'static str, Vec<String>)> {
        let mut out = Vec::new();
        if let Some(r) = self.requirement(id) {
            out.push(("cmmc", vec![r.cmmc.clone()]));
            out.push(("sp800-53", r.sp800_53.clone()));
        } else if let Some(reqs) = self.reverse_53.get(id) {
            out.push(("sp800-171", reqs.clone()));
            out.push((
                "cmmc",
                reqs.iter()
                    .filter_map(|r| self.requirement(r))
                    .map(|r| r.cmmc.clone())
                    .collect(),
            ));
        }
        out
    }
}

/// The catalogs compiled into poamkit.
pub fn catalogs() -> &'static Catalogs {
    static CAT: OnceLock<Catalogs> = OnceLock::new();
    CAT.get_or_init(|| Catalogs::load().unwrap_or_else(|e| panic!("{e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn catalogs_load() {
        let c = catalogs();
        assert_eq!(c.requirements().count(), 110);
        assert_eq!(c.requirement("3.5.3").unwrap().partial, Some(3));
        assert_eq!(c.requirement("3.12.4").unwrap().points, None);
        assert_eq!(c.fedramp_moderate().len(), 323);
        assert_eq!(c.fedramp(FedrampBaseline::Low).len(), 156);
        assert_eq!(c.fedramp(FedrampBaseline::High).len(), 410);
        assert_eq!(c.baseline_control_count(), 424);
        assert_eq!(
            c.control("AC-3(1)").unwrap().withdrawn.as_deref(),
            Some("incorporated into AC-6")
        );
        assert!(c.control("AC-2(6)").unwrap().withdrawn.is_none());
        assert!(c.control("AC-26").is_none());
        for b in [
            FedrampBaseline::Low,
            FedrampBaseline::Moderate,
            FedrampBaseline::High,
        ] {
            for id in c.fedramp(b) {
                let ctl = c.control(id).unwrap_or_else(|| panic!("{id} unknown"));
                assert!(ctl.withdrawn.is_none(), "{id} withdrawn");
            }
        }
        assert_eq!(
            c.control("AC-2(1)").unwrap().title,
            "Automated System Account Management"
        );
        assert_eq!(
            c.equivalents("3.1.1"),
            vec![
                ("cmmc", vec!["AC.L2-3.1.1".to_string()]),
                (
                    "sp800-53",
                    vec!["AC-2".into(), "AC-3".into(), "AC-17".into()]
                )
            ]
        );
        assert!(c.equivalents("AC-2")[0].1.contains(&"3.1.1".to_string()));
        assert_eq!(c.cci_count(), 5137);
        let cci = c.cci("CCI-000366").unwrap();
        assert_eq!(cci.controls(), ["CM-6".to_string()]);
        assert!(cci.maps_to("CM-6") && !cci.deprecated);
        assert!(c.cci("CCI-999999").is_none());
    }

    #[test]
    fn other_frameworks() {
        let c = catalogs();
        let find = |t: &str| {
            c.frameworks()
                .find_map(|f| f.parse(t).map(|id| (f.name.clone(), id)))
        };
        assert_eq!(find("A.5.15"), Some(("iso-27001".into(), "A.5.15".into())));
        assert_eq!(
            find("ISO 27001 A.8.7"),
            Some(("iso-27001".into(), "A.8.7".into()))
        );
        assert_eq!(find("8.7"), Some(("iso-9001".into(), "8.7".into())));
        assert_eq!(
            find("ISO 9001 8.5.1"),
            Some(("iso-9001".into(), "8.5.1".into()))
        );
        assert_eq!(find("CIS 4.1"), Some(("cis-v8".into(), "CIS 4.1".into())));
        assert_eq!(
            find("cis control 16.11"),
            Some(("cis-v8".into(), "CIS 16.11".into()))
        );
        assert_eq!(find("XY-1"), None);
        // ISO/IEC 27001's clauses: after its name, or bare where the row
        // names it; Annex A within each theme's real range.
        assert_eq!(
            find("ISO/IEC 27001:2022 6.1.2"),
            Some(("iso-27001".into(), "6.1.2".into()))
        );
        assert_eq!(find("6.1.2"), Some(("iso-9001".into(), "6.1.2".into())));
        let iso27001 = c.frameworks().find(|f| f.name == "iso-27001").unwrap();
        assert_eq!(iso27001.parse_named("6.1.2").as_deref(), Some("6.1.2"));
        assert_eq!(iso27001.parse_named("A.8.34").as_deref(), Some("A.8.34"));
        assert_eq!(iso27001.parse_named("A.8.35"), None);
        assert_eq!(iso27001.parse_named("A.6.9"), None);
        assert_eq!(
            iso27001.title_of("6.1.2"),
            Some(("6.1.2", "Information security risk assessment"))
        );
        assert_eq!(
            iso27001.title_of("A.5.18"),
            Some(("A.5", "Organizational controls"))
        );
        let iso9001 = c.frameworks().find(|f| f.name == "iso-9001").unwrap();
        assert_eq!(
            iso9001.title_of("8.7.1"),
            Some(("8.7", "Control of nonconforming outputs"))
        );
        assert_eq!(iso9001.title_of("11.1"), None);
    }

    #[test]
    fn a_framework_file_needs_a_pattern() {
        let err = Framework::from_toml("x.toml", "name = \"x\"\ntitle = \"X\"\n").unwrap_err();
        assert!(err.to_string().contains("no id pattern"), "{err}");
        let err =
            Framework::from_toml("x.toml", "name = \"x\"\ntitle = \"X\"\npattern = \"^x$\"\n")
                .unwrap_err();
        assert!(err.to_string().contains("canonical"), "{err}");
    }
}
