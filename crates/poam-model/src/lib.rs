//! The normalized Plan of Action and Milestones (POA&M) model.
//!
//! Every importer in poamkit turns a file into a [`Poam`]; every exporter turns
//! a [`Poam`] into a file. This crate is the meeting point and knows nothing
//! about any file format or government template.
//!
//! # Topics
//!
//! - [`Poam`], [`SystemInfo`] and [`Item`]: the model. Its serde form is the
//!   public JSON contract documented in `docs/model.md`.
//! - [`control`]: control identifiers (NIST SP 800-53, SP 800-171 rev 2 and
//!   rev 3, CMMC) read from every form seen in real files and printed in one
//!   canonical form.
//! - [`date`]: dates typed by people (`5/23/24`, `23-May-2024`, Excel serial
//!   numbers).
//! - [`vocab`]: risk ratings, yes/no/pending answers and statuses.
//! - [`field`]: the closed list of model fields that layouts map columns to.
//! - [`diag`]: diagnostics with the file, sheet and cell they concern.
//!
//! # Invariant
//!
//! This crate does no I/O: it cannot fail for I/O reasons, and parsing
//! functions return a value plus diagnostics rather than failing.
//!
//! ```
//! use poam_model::control::parse_controls;
//! let parsed = parse_controls("AC-02(01); ac-2.1, CM-6b");
//! assert_eq!(parsed.controls, vec!["AC-2(1)", "CM-6"]);
//! assert_eq!(parsed.parts, vec!["CM-6b"]);
//! ```
#![deny(missing_docs)]

pub mod control;
pub mod date;
pub mod diag;
pub mod field;
pub mod marking;
pub mod vocab;

use chrono::NaiveDate;
use indexmap::IndexMap;
use serde::{Deserialize, Serialize};
use std::sync::Arc;

/// The model's text: a string of up to 24 bytes is held in place, with no
/// allocation of its own. Most of an item's values (ids, controls, assets,
/// dates' neighbours such as `Nessus`, CVE ids) are that short, and a large
/// POA&M is mostly such values: this halves the memory of a million items.
pub type Text = compact_str::CompactString;
pub use compact_str::{format_compact, ToCompactString};

pub use diag::{DiagKind, Diagnostic, Location, Severity};
pub use field::{Field, FieldKind};
pub use vocab::{Rating, State, Status, YesNo};

/// A whole POA&M: the system it covers and its items.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Poam {
    /// The system (cloud service offering, information system) the POA&M covers.
    #[serde(default)]
    pub system: SystemInfo,
    /// The items, in the order they were read. Required on reading, so that
    /// JSON of another kind (an SSP) is not taken for an empty POA&M.
    pub items: Vec<Item>,
}

impl Poam {
    /// Number of items whose state is open.
    pub fn open_count(&self) -> usize {
        self.items.iter().filter(|i| i.state == State::Open).count()
    }

    /// Number of items whose state is closed.
    pub fn closed_count(&self) -> usize {
        self.items
            .iter()
            .filter(|i| i.state == State::Closed)
            .count()
    }
}

/// Facts about the system the POA&M covers.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct SystemInfo {
    /// System or cloud service offering name.
    pub name: Option<String>,
    /// The organization or cloud service provider.
    pub organization: Option<String>,
    /// Impact level as written (`Low`, `Moderate`, `High`, `LI-SaaS`).
    pub impact_level: Option<String>,
    /// Date of the POA&M submission (eMASS: the export date).
    pub poam_date: Option<NaiveDate>,
    /// The classification or CUI marking the file carries (`CONTROLLED
    /// UNCLASSIFIED INFORMATION`), without its decoration: read from a
    /// banner or title row, or set with `--marking`; every output carries it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub marking: Option<String>,
    /// Other metadata cells (eMASS `POC Name:`, `System Type:`...), by label.
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    pub extra: IndexMap<String, String>,
}

/// Whether an item is a general POA&M finding or one of the individual
/// configuration findings that FedRAMP keeps on a tab of their own.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Category {
    /// An individual configuration (STIG, benchmark) finding.
    Configuration,
}

/// One milestone of an item's remediation.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Milestone {
    /// What will be done.
    pub description: Text,
    /// When it is due, if a date was given.
    pub due: Option<NaiveDate>,
    /// The milestone's own id (eMASS `Milestone ID`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<Text>,
    /// Its status (eMASS `Milestone Status`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<Status>,
    /// The status word as the file wrote it, when it is not the status's
    /// own label (Navy 2026's `Open`, `In Progress`): written back where
    /// the target's list has it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status_text: Option<Text>,
    /// When it was completed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub completed_on: Option<NaiveDate>,
    /// Comments on its status.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comments: Option<Text>,
}

/// DISA severity category of a finding before mitigation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum RawSeverity {
    /// CAT I: high.
    #[serde(rename = "cat-i")]
    CatI,
    /// CAT II: medium.
    #[serde(rename = "cat-ii")]
    CatII,
    /// CAT III: low.
    #[serde(rename = "cat-iii")]
    CatIII,
}

impl RawSeverity {
    /// Reads `I`, `CAT I`, `Cat II`, `CAT-III`, and the DISA words (`High`,
    /// `Medium`, `Low`).
    pub fn parse(text: &str) -> Option<RawSeverity> {
        let t: String = text
            .chars()
            .filter(|c| c.is_alphanumeric())
            .flat_map(char::to_lowercase)
            .collect();
        let t = t
            .strip_prefix("category")
            .or_else(|| t.strip_prefix("cat"))
            .unwrap_or(&t);
        Some(match t {
            // The Navy templates' five-level scale: CAT I covers both top levels.
            "i" | "1" | "high" | "veryhigh" | "critical" => RawSeverity::CatI,
            "ii" | "2" | "medium" | "moderate" => RawSeverity::CatII,
            "iii" | "3" | "low" | "verylow" => RawSeverity::CatIII,
            _ => return None,
        })
    }

    /// The roman numeral eMASS writes (`I`).
    pub fn label(self) -> &'static str {
        match self {
            RawSeverity::CatI => "I",
            RawSeverity::CatII => "II",
            RawSeverity::CatIII => "III",
        }
    }

    /// The FedRAMP rating a category converts to: CAT I → High, CAT II →
    /// Moderate, CAT III → Low.
    pub fn to_rating(self) -> Rating {
        match self {
            RawSeverity::CatI => Rating::High,
            RawSeverity::CatII => Rating::Moderate,
            RawSeverity::CatIII => Rating::Low,
        }
    }
}

/// What a corrective-action (CAPA) log or an audit-finding register records
/// beyond a POA&M: the standard the item's requirement ids belong to, the
/// root cause, containment and preventive action, and the verification of
/// effectiveness (ISO 9001 10.2, IATF 16949, AS9100).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Quality {
    /// The standard or framework the row names for its ids (`ISO
    /// 9001:2015`), as written.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub standard: Option<Text>,
    /// The auditor's grade, as written (`Major`, `Minor NC`, `Observation`,
    /// `OFI`); see [`Quality::grade_key`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub grade: Option<Text>,
    /// The root cause found.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub root_cause: Option<Text>,
    /// The containment (immediate) action.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub containment: Option<Text>,
    /// The preventive action.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub preventive_action: Option<Text>,
    /// The day the effectiveness of the action was verified.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub effectiveness_checked_on: Option<NaiveDate>,
    /// What the verification of effectiveness found.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub effectiveness_result: Option<Text>,
    /// Who verified it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub verified_by: Option<Text>,
}

impl Quality {
    /// Whether the effectiveness of the corrective action is verified: a
    /// verification date, or a result written.
    pub fn effectiveness_verified(&self) -> bool {
        self.effectiveness_checked_on.is_some()
            || self
                .effectiveness_result
                .as_deref()
                .is_some_and(|r| !r.trim().is_empty())
    }

    /// The grade as a policy keys it: `major`, `minor`, `observation` or
    /// `ofi` (opportunity for improvement); `None` for other words.
    pub fn grade_key(&self) -> Option<&'static str> {
        let g: String = self
            .grade
            .as_deref()?
            .chars()
            .filter(|c| c.is_alphanumeric())
            .flat_map(char::to_lowercase)
            .collect();
        if g.starts_with("major") || g.ends_with("major") {
            Some("major")
        } else if g.starts_with("minor") || g.ends_with("minor") {
            Some("minor")
        } else if g.starts_with("obs") {
            Some("observation")
        } else if g == "ofi"
            || g == "oi"
            || g.starts_with("opportunity")
            || g.contains("improvement")
        {
            Some("ofi")
        } else {
            None
        }
    }
}

impl EmptyPart for Quality {
    fn empty() -> &'static Self {
        static EMPTY: std::sync::LazyLock<Quality> = std::sync::LazyLock::new(Quality::default);
        &EMPTY
    }
}

/// What DoD eMASS records beyond the FedRAMP fields, so that eMASS → eMASS
/// loses nothing.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Emass {
    /// Raw severity (CAT I/II/III).
    pub raw_severity: Option<RawSeverity>,
    /// Severity on the five-level scale.
    pub severity: Option<Rating>,
    /// Relevance of threat.
    pub relevance_of_threat: Option<Rating>,
    /// Likelihood.
    pub likelihood: Option<Rating>,
    /// Impact.
    pub impact: Option<Rating>,
    /// Impact description.
    pub impact_description: Option<Text>,
    /// Residual risk level.
    pub residual_risk: Option<Rating>,
    /// Resulting residual risk after proposed mitigations (Navy).
    pub resulting_residual_risk: Option<Rating>,
    /// Mitigations in place.
    pub mitigations: Option<Text>,
    /// Predisposing conditions.
    pub predisposing_conditions: Option<Text>,
    /// Threat description.
    pub threat_description: Option<Text>,
    /// Recommendations.
    pub recommendations: Option<Text>,
    /// Identification source details (2026 layouts).
    pub identification_source_details: Option<Text>,
    /// Requested risk-accepted expiration date (2026 layouts).
    pub risk_accepted_expiration: Option<NaiveDate>,
    /// Identified in a CFO audit or other review (Army).
    pub cfo_audit: Option<Text>,
    /// Army resource and cost columns, by header text.
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    pub costs: IndexMap<Text, Text>,
}

impl Emass {
    /// Whether nothing is set.
    pub fn is_empty(&self) -> bool {
        *self == Emass::default()
    }
}

/// Risk ratings and deviations of an item.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Risk {
    /// Rating from the scanner or assessor.
    pub original: Option<Rating>,
    /// Rating after an approved risk adjustment.
    pub adjusted: Option<Rating>,
    /// Whether a risk adjustment was requested or approved.
    pub adjustment: Option<YesNo>,
    /// Whether the weakness is a false positive.
    pub false_positive: Option<YesNo>,
    /// Whether the weakness is an operational requirement.
    pub operational_requirement: Option<YesNo>,
    /// Why a deviation is requested.
    pub deviation_rationale: Option<Text>,
    /// Whether the deviation request was auto-approved (FedRAMP up to v2.1).
    pub auto_approve: Option<YesNo>,
}

/// Vendor dependency of an item.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Vendor {
    /// Whether remediation waits on a vendor.
    pub dependency: Option<YesNo>,
    /// Date of the last check-in with the vendor.
    pub last_checkin: Option<NaiveDate>,
    /// The product that depends on the vendor.
    pub product: Option<Text>,
}

/// CISA Known Exploited Vulnerabilities (BOD 22-01) tracking.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Kev {
    /// Whether the vulnerability is in the KEV catalog.
    pub listed: Option<YesNo>,
    /// The due date CISA gives.
    pub due: Option<NaiveDate>,
}

/// A control of another framework (ISO/IEC 27001, ISO 9001, CIS Controls).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct OtherControl {
    /// The framework (`iso-27001`, `iso-9001`, `cis-v8`, or a user's own).
    pub framework: String,
    /// The id in that framework's canonical form (`A.5.15`).
    pub id: String,
}

/// A link from an item's control to the section of the System Security Plan
/// that covers it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct SspRef {
    /// The control (`AC-2(1)`).
    pub control: String,
    /// The part the item names (`AC-2a`), if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub part: Option<String>,
    /// The SSP section's heading, or none when the SSP has no section for it.
    pub section: Option<String>,
    /// The implementation statuses the SSP checks for it.
    #[serde(default)]
    pub status: Vec<String>,
    /// Where the section is (file and paragraph, table or JSON path).
    pub location: Option<String>,
    /// A note, such as "the SSP has no section for AC-99".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// An item's controls in the other NIST/CMMC catalogs: catalog name to
/// ids. Read-only once made, and shared by the items that name the same
/// controls (a million items name a few hundred sets of controls), so an
/// item holds one pointer, or nothing when there are none.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Equivalents(Option<Arc<IndexMap<Text, Vec<Text>>>>);

impl Equivalents {
    /// The map, to share between items.
    pub fn new(map: IndexMap<Text, Vec<Text>>) -> Self {
        Equivalents((!map.is_empty()).then(|| Arc::new(map)))
    }

    /// Whether no catalog is listed.
    pub fn is_empty(&self) -> bool {
        self.0.is_none()
    }

    /// The catalogs and their ids, in order.
    pub fn iter(&self) -> impl Iterator<Item = (&Text, &Vec<Text>)> {
        self.0.iter().flat_map(|m| m.iter())
    }

    /// The id lists, in catalog order.
    pub fn values(&self) -> impl Iterator<Item = &Vec<Text>> {
        self.iter().map(|(_, v)| v)
    }

    /// The ids in one catalog (`cmmc`, `sp800-53`, `sp800-171`).
    pub fn get(&self, catalog: &str) -> Option<&Vec<Text>> {
        self.0.as_ref()?.get(catalog)
    }

    /// Number of catalogs listed.
    pub fn len(&self) -> usize {
        self.0.as_ref().map_or(0, |m| m.len())
    }
}

impl Serialize for Equivalents {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_map(self.iter())
    }
}

impl<'de> Deserialize<'de> for Equivalents {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        IndexMap::deserialize(d).map(Equivalents::new)
    }
}

/// A part of an item that most items leave empty (eMASS's own fields on
/// a FedRAMP POA&M, cells no column holds), kept behind a pointer: an item
/// without it holds one null pointer instead of the part's few hundred
/// bytes. It reads as the part itself (an empty one when unset) and is
/// made on the first write through it.
#[derive(Clone, Default)]
pub struct Rare<T>(Option<Box<T>>);

/// The empty value a [`Rare`] part reads as while unset.
pub trait EmptyPart: Default + PartialEq + 'static {
    /// The shared empty value.
    fn empty() -> &'static Self;
}

impl EmptyPart for Emass {
    fn empty() -> &'static Self {
        static EMPTY: std::sync::LazyLock<Emass> = std::sync::LazyLock::new(Emass::default);
        &EMPTY
    }
}

impl EmptyPart for IndexMap<Text, Text> {
    fn empty() -> &'static Self {
        static EMPTY: std::sync::LazyLock<IndexMap<Text, Text>> =
            std::sync::LazyLock::new(IndexMap::new);
        &EMPTY
    }
}

impl<T: EmptyPart> Rare<T> {
    /// Whether the part holds nothing.
    pub fn is_empty(&self) -> bool {
        self.0.as_deref().is_none_or(|v| *v == T::default())
    }
}

impl<T: EmptyPart> std::ops::Deref for Rare<T> {
    type Target = T;
    fn deref(&self) -> &T {
        match &self.0 {
            Some(v) => v,
            None => T::empty(),
        }
    }
}

impl<T: EmptyPart> std::ops::DerefMut for Rare<T> {
    fn deref_mut(&mut self) -> &mut T {
        self.0.get_or_insert_with(Box::default)
    }
}

impl<T: EmptyPart> From<T> for Rare<T> {
    fn from(value: T) -> Self {
        Rare((value != T::default()).then(|| Box::new(value)))
    }
}

impl<T: EmptyPart> PartialEq for Rare<T> {
    fn eq(&self, other: &Self) -> bool {
        **self == **other
    }
}

impl<T: EmptyPart + std::fmt::Debug> std::fmt::Debug for Rare<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        (**self).fmt(f)
    }
}

impl<T: EmptyPart> Rare<T> {
    /// The part itself (an empty one when unset).
    pub fn into_inner(self) -> T {
        self.0.map_or_else(T::default, |v| *v)
    }
}

impl<T: EmptyPart + IntoIterator> IntoIterator for Rare<T> {
    type Item = T::Item;
    type IntoIter = T::IntoIter;
    fn into_iter(self) -> Self::IntoIter {
        self.into_inner().into_iter()
    }
}

impl<'a, T: EmptyPart> IntoIterator for &'a Rare<T>
where
    &'a T: IntoIterator,
{
    type Item = <&'a T as IntoIterator>::Item;
    type IntoIter = <&'a T as IntoIterator>::IntoIter;
    fn into_iter(self) -> Self::IntoIter {
        (**self).into_iter()
    }
}

impl<T: EmptyPart + Serialize> Serialize for Rare<T> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        (**self).serialize(s)
    }
}

impl<'de, T: EmptyPart + Deserialize<'de>> Deserialize<'de> for Rare<T> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        T::deserialize(d).map(Rare::from)
    }
}

/// Where an item was read from.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Origin {
    /// The file, as given on the command line.
    pub file: Arc<str>,
    /// The sheet, when the file has sheets.
    pub sheet: Option<Arc<str>>,
    /// The 1-based row (Excel numbering).
    pub row: Option<u32>,
}

/// One POA&M item: a weakness, its plan and its milestones.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Item {
    /// The POA&M ID.
    pub id: Option<Text>,
    /// Open or closed.
    pub state: State,
    /// Normalized status, when the source has one.
    pub status: Option<Status>,
    /// Set for configuration findings.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub category: Option<Category>,
    /// Canonical control ids (`AC-2(1)`, `3.1.1`), without parts, in order.
    pub controls: Vec<Text>,
    /// Part-level references as canonical text (`CM-6b`, `AC-2h.1`).
    #[serde(default)]
    pub control_parts: Vec<Text>,
    /// Control text that could not be read as a control id, kept as written.
    #[serde(default)]
    pub unparsed_controls: Vec<Text>,
    /// eMASS assessment procedures as read (`CM-6.5`: procedure 5 of CM-6;
    /// `SC-8(2).2`); each one's control is in `controls`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub procedures: Vec<Text>,
    /// DISA Control Correlation Identifiers named in the item's cells
    /// (`CCI-000366`), six digits, in order; each maps to a control in
    /// DISA's CCI list.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ccis: Vec<Text>,
    /// Controls of other frameworks (ISO, CIS) named beside the NIST ones.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub other_controls: Vec<OtherControl>,
    /// The same controls in the other NIST/CMMC catalogs, by catalog
    /// (`cmmc`, `sp800-53`, `sp800-171`), from the built-in crosswalks;
    /// catalogs in alphabetical order. Items that name the same controls
    /// share one map.
    #[serde(default, skip_serializing_if = "Equivalents::is_empty")]
    pub equivalents: Equivalents,
    /// Short name of the weakness.
    pub weakness_name: Option<Text>,
    /// Full description of the weakness.
    pub weakness_description: Option<Text>,
    /// The scanner or source that detected it.
    pub detector_source: Option<Text>,
    /// The scanner's identifier (plugin id, STIG vuln id).
    pub source_identifier: Option<Text>,
    /// Affected assets, one per line of the source cell.
    pub assets: Vec<Text>,
    /// Person or office responsible.
    pub point_of_contact: Option<Text>,
    /// Resources needed beyond current ones.
    pub resources_required: Option<Text>,
    /// The remediation plan.
    pub remediation_plan: Option<Text>,
    /// Original detection date.
    pub detected_on: Option<NaiveDate>,
    /// Scheduled completion date.
    pub scheduled_completion: Option<NaiveDate>,
    /// Date the item last changed or was closed.
    pub status_date: Option<NaiveDate>,
    /// Date the item was completed.
    pub completed_on: Option<NaiveDate>,
    /// Planned milestones.
    pub milestones: Vec<Milestone>,
    /// Changes to the milestones, as written.
    pub milestone_changes: Option<Text>,
    /// Risk ratings and deviations.
    pub risk: Risk,
    /// Vendor dependency.
    pub vendor: Vendor,
    /// CVE identifiers.
    pub cves: Vec<Text>,
    /// KEV tracking.
    pub kev: Kev,
    /// Services of the offering the weakness affects.
    pub service_names: Vec<Text>,
    /// Supporting documents.
    pub supporting_documents: Option<Text>,
    /// Free comments.
    pub comments: Option<Text>,
    /// eMASS fields.
    #[serde(default, skip_serializing_if = "Rare::is_empty")]
    pub emass: Rare<Emass>,
    /// Corrective-action fields (quality systems).
    #[serde(default, skip_serializing_if = "Rare::is_empty")]
    pub quality: Rare<Quality>,
    /// The business unit the item belongs to: set by `poam rollup`, or read
    /// from a column such as `Business Unit`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub business_unit: Option<Text>,
    /// Links to the SSP sections of its controls (`--ssp`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ssp_refs: Vec<SspRef>,
    /// Where the item was read from.
    pub origin: Option<Origin>,
    /// Cells that map to no field (or could not be parsed), by original header text.
    pub extra: Rare<IndexMap<Text, Text>>,
}

impl Item {
    /// The rating that counts: the adjusted one when the adjustment is
    /// approved, else the original, else the one of the eMASS category.
    pub fn effective_rating(&self) -> Option<Rating> {
        match (self.risk.adjustment, self.risk.adjusted) {
            (Some(YesNo::Yes), Some(r)) => Some(r),
            _ => self
                .risk
                .original
                .or_else(|| self.emass.raw_severity.map(|c| c.to_rating())),
        }
    }

    /// A name for the item in messages: its POA&M ID, or `(no id)` and the
    /// start of its weakness.
    pub fn display_name(&self) -> String {
        match &self.id {
            Some(id) => id.to_string(),
            None => {
                let text = self
                    .weakness_name
                    .as_deref()
                    .or(self.weakness_description.as_deref())
                    .unwrap_or("");
                let short: String = text.chars().take(40).collect();
                format!("(no id) {short}")
            }
        }
    }

    /// Where the item was read, for messages (`'Open POA&M Items' row 9`).
    pub fn location_text(&self) -> Option<String> {
        let o = self.origin.as_ref()?;
        Some(match (&o.sheet, o.row) {
            (Some(s), Some(r)) => format!("'{s}' row {r}"),
            (Some(s), None) => format!("'{s}'"),
            (None, Some(r)) => format!("row {r}"),
            (None, None) => o.file.to_string(),
        })
    }

    /// Gives back the spare room of the item's lists once it is read (a list
    /// grown by pushes holds room for more): a large POA&M is mostly lists.
    pub fn shrink_to_fit(&mut self) {
        for list in [
            &mut self.controls,
            &mut self.control_parts,
            &mut self.unparsed_controls,
            &mut self.procedures,
            &mut self.ccis,
            &mut self.assets,
            &mut self.cves,
            &mut self.service_names,
        ] {
            list.shrink_to_fit();
        }
        self.milestones.shrink_to_fit();
    }

    /// True when no field and no extra cell holds anything.
    pub fn is_empty(&self) -> bool {
        let blank = Item {
            state: self.state,
            origin: self.origin.clone(),
            category: self.category,
            ..Item::default()
        };
        *self == blank
    }
}
