//! System Security Plans: the control sections of an SSP, the links from
//! POA&M items to them, and the checks of one against the other.
//!
//! - [`read_ssp`] reads a Word SSP (FedRAMP Rev 5 Appendix A, the FedRAMP
//!   Rev 4 single-document SSP, a NIST SP 800-171 / CMMC SSP) or an OSCAL SSP
//!   into an [`SspIndex`]: one [`Section`] per control with its heading, path,
//!   implementation status, origination and responsible role.
//! - [`link`] gives each POA&M item one [`poam_model::SspRef`] per control.
//! - [`check`] lists where the two disagree.
//!
//! Word files are read with a streaming XML reader over the zip (see
//! [`flow`]): the FedRAMP Rev 5 Moderate Appendix A (9 MB of XML) parses in a
//! fraction of a second.
#![deny(missing_docs)]

pub mod flow;
mod oscal;
mod word;

use chrono::NaiveDate;
use poam_model::control::parse_control;
use poam_model::{Diagnostic, Poam, SspRef, State, Text};
use serde::Serialize;
use std::io::{Cursor, Read};
use std::path::Path;

/// Implementation status of a control in an SSP.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ImplStatus {
    /// Implemented.
    Implemented,
    /// Partially implemented.
    PartiallyImplemented,
    /// Planned (to be implemented).
    Planned,
    /// An alternative implementation.
    Alternative,
    /// Not applicable.
    NotApplicable,
    /// Inherited from another authorization.
    Inherited,
}

impl ImplStatus {
    /// Reads a status label (`Partially implemented`, `Planned to be
    /// Implemented`, `partial`, `not-applicable`, `Met`, `Not Met`).
    pub fn parse(text: &str) -> Option<ImplStatus> {
        let t: String = text
            .chars()
            .filter(|c| c.is_alphanumeric())
            .flat_map(char::to_lowercase)
            .collect();
        Some(match t.as_str() {
            "implemented" | "met" | "fullyimplemented" => ImplStatus::Implemented,
            "partiallyimplemented" | "partial" | "partiallymet" => ImplStatus::PartiallyImplemented,
            "planned" | "plannedtobeimplemented" | "notmet" | "notimplemented" => {
                ImplStatus::Planned
            }
            "alternative" | "alternativeimplementation" | "alternate" => ImplStatus::Alternative,
            "notapplicable" | "na" => ImplStatus::NotApplicable,
            "inherited" => ImplStatus::Inherited,
            _ => return None,
        })
    }

    /// The words an SSP uses.
    pub fn label(self) -> &'static str {
        match self {
            ImplStatus::Implemented => "Implemented",
            ImplStatus::PartiallyImplemented => "Partially Implemented",
            ImplStatus::Planned => "Planned",
            ImplStatus::Alternative => "Alternative Implementation",
            ImplStatus::NotApplicable => "Not Applicable",
            ImplStatus::Inherited => "Inherited",
        }
    }

    /// Whether the status says the control is not (fully) in place.
    pub fn is_gap(self) -> bool {
        matches!(
            self,
            ImplStatus::PartiallyImplemented | ImplStatus::Planned | ImplStatus::Alternative
        )
    }
}

/// One control's section of an SSP.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Section {
    /// Canonical control id (`AC-2(1)`, `3.1.1`).
    pub control: String,
    /// The heading as written (`AC-2(1) Automated System Account Management (M)(H)`).
    pub heading: String,
    /// The control's title, without id and baseline markers.
    pub title: Option<String>,
    /// Family, control and enhancement headings leading to it.
    pub path: Vec<String>,
    /// Heading number, where the document numbers headings (`13.1.2`).
    pub number: Option<String>,
    /// Checked implementation statuses.
    pub status: Vec<ImplStatus>,
    /// Checked control originations, as labelled.
    pub origination: Vec<String>,
    /// Responsible role.
    pub responsible_role: Option<String>,
    /// Planned completion date, where the SSP gives one.
    pub planned_completion: Option<NaiveDate>,
    /// Whether the section's text mentions a POA&M (a remark on a gap).
    pub mentions_poam: bool,
    /// Where it is in the file (`paragraph 1203`, `table 41`, a JSON path).
    pub location: String,
    /// Statement parts with a response (`a`, `b`).
    pub parts: Vec<String>,
}

/// The control sections of one SSP.
#[derive(Debug, Clone, Default, Serialize)]
pub struct SspIndex {
    /// The file.
    pub file: String,
    /// What kind of SSP it was read as (`fedramp-rev5-appendix-a`, `oscal`...).
    pub kind: String,
    /// Sections, in document order.
    pub sections: Vec<Section>,
    /// Doubts met while reading.
    pub diagnostics: Vec<Diagnostic>,
}

impl SspIndex {
    /// The section of a canonical control id.
    pub fn section(&self, control: &str) -> Option<&Section> {
        self.sections.iter().find(|s| s.control == control)
    }

    /// Number of sections for base controls and for enhancements.
    pub fn counts(&self) -> (usize, usize) {
        let enh = self
            .sections
            .iter()
            .filter(|s| s.control.contains('('))
            .count();
        (self.sections.len() - enh, enh)
    }
}

/// An SSP that cannot be read at all.
#[derive(Debug, thiserror::Error)]
pub enum SspError {
    /// The file cannot be read.
    #[error("{file}: cannot read the SSP")]
    Io {
        /// The file.
        file: String,
        /// What the system said.
        #[source]
        source: std::io::Error,
    },
    /// Not a Word or OSCAL SSP.
    #[error("{file}: not an SSP poamkit can read: {reason}")]
    Format {
        /// The file.
        file: String,
        /// Why.
        reason: String,
    },
}

/// The largest XML or JSON part read, inflated (a guard against zip bombs).
const MAX_PART: u64 = 256 * 1024 * 1024;

/// Reads an SSP: Word (.docx) or OSCAL JSON.
///
/// # Errors
///
/// [`SspError::Io`] when the file cannot be read; [`SspError::Format`] when
/// it is neither a Word document nor an OSCAL SSP, or holds no control
/// section.
pub fn read_ssp(path: &Path) -> Result<SspIndex, SspError> {
    let file = path.display().to_string();
    let bytes = std::fs::read(path).map_err(|source| SspError::Io {
        file: file.clone(),
        source,
    })?;
    read_ssp_bytes(&file, &bytes)
}

/// Reads an SSP from bytes; `file` names it in messages.
///
/// # Errors
///
/// As [`read_ssp`], except that it reads no file.
pub fn read_ssp_bytes(file: &str, bytes: &[u8]) -> Result<SspIndex, SspError> {
    let file = file.to_string();
    let bad = |reason: String| SspError::Format {
        file: file.clone(),
        reason,
    };
    let mut index = if bytes.starts_with(b"PK\x03\x04") {
        let mut zip = zip::ZipArchive::new(Cursor::new(bytes))
            .map_err(|e| bad(format!("a corrupt or truncated zip: {e}")))?;
        let part = zip
            .by_name("word/document.xml")
            .map_err(|_| bad("a zip without word/document.xml is not a Word document".into()))?;
        if part.size() > MAX_PART {
            return Err(bad(format!(
                "word/document.xml inflates to over {} MB",
                MAX_PART >> 20
            )));
        }
        let mut xml = String::new();
        part.take(MAX_PART)
            .read_to_string(&mut xml)
            .map_err(|e| bad(format!("cannot read word/document.xml: {e}")))?;
        let blocks = flow::parse(&xml)
            .map_err(|e| bad(format!("word/document.xml is not well-formed: {e}")))?;
        word::index(&file, &blocks)
    } else {
        let value: serde_json::Value = serde_json::from_slice(bytes).map_err(|e| {
            bad(format!(
                "neither a .docx nor JSON (line {}, column {}: {e})",
                e.line(),
                e.column()
            ))
        })?;
        oscal::index(&file, &value)
            .ok_or_else(|| bad("JSON without a system-security-plan".into()))?
    };
    index.file = file.clone();
    if index.sections.is_empty() {
        return Err(bad(
            "no control section found (no heading or table names a control)".into(),
        ));
    }
    Ok(index)
}

/// Gives each item one reference per control (and per part) it names: the
/// SSP section found, or a note that the SSP has no section for it.
pub fn link(poam: &mut Poam, ssp: &SspIndex) {
    for item in &mut poam.items {
        let mut refs = Vec::new();
        let parts: Vec<(Text, Text)> = item
            .control_parts
            .iter()
            .filter_map(|p| {
                let id = parse_control(p)?.ids.into_iter().next()?;
                Some((id.canonical(), p.clone()))
            })
            .collect();
        for control in &item.controls {
            let mine: Vec<&Text> = parts
                .iter()
                .filter(|(c, _)| c == control)
                .map(|(_, p)| p)
                .collect();
            // The control's own section, or one of its crosswalk equivalents'
            // (an 800-171 POA&M against an 800-53 SSP, and the other way round).
            let (section, via) = match ssp.section(control) {
                Some(s) => (Some(s), None),
                None => item
                    .equivalents
                    .values()
                    .flatten()
                    .find_map(|e| ssp.section(e).map(|s| (Some(s), Some(e.clone()))))
                    .unwrap_or((None, None)),
            };
            let make = |part: Option<String>| match section {
                Some(s) => SspRef {
                    control: control.to_string(),
                    part,
                    section: Some(s.heading.clone()),
                    status: s.status.iter().map(|x| x.label().to_string()).collect(),
                    location: Some(format!("{} {}", ssp.file, s.location)),
                    note: via.as_ref().map(|e| {
                        format!("linked through the crosswalk: {control} is covered by {e}")
                    }),
                },
                None => SspRef {
                    control: control.to_string(),
                    part,
                    section: None,
                    status: Vec::new(),
                    location: None,
                    note: Some(format!("{} has no section for {control}", ssp.file)),
                },
            };
            if mine.is_empty() {
                refs.push(make(None));
            } else {
                refs.extend(mine.into_iter().map(|p| make(Some(p.to_string()))));
            }
        }
        item.ssp_refs = refs;
    }
}

/// The kinds of disagreement between an SSP and a POA&M.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum FindingKind {
    /// The SSP marks a control planned, partial or alternative, and no open item names it.
    GapWithoutItem,
    /// An item names a control the SSP does not have (or has only as not applicable).
    ItemWithoutSection,
    /// A closed item's control is still planned or partial in the SSP.
    ClosedButGap,
    /// An open item's control is implemented in the SSP, with no remark on it.
    OpenButImplemented,
    /// The SSP's planned completion date differs from the item's scheduled completion.
    DateMismatch,
}

impl FindingKind {
    /// A heading for the kind.
    pub fn title(self) -> &'static str {
        match self {
            FindingKind::GapWithoutItem => "Controls the SSP marks as not implemented that have no open POA&M item",
            FindingKind::ItemWithoutSection => "POA&M items whose controls the SSP does not contain",
            FindingKind::ClosedButGap => "Closed POA&M items whose control the SSP still marks Planned or Partially Implemented",
            FindingKind::OpenButImplemented => "Open POA&M items whose control the SSP marks Implemented with no remark",
            FindingKind::DateMismatch => "Planned completion dates that differ between the SSP and the POA&M",
        }
    }
}

/// One disagreement.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Finding {
    /// Which kind.
    pub kind: FindingKind,
    /// The control.
    pub control: String,
    /// The POA&M item, if one is involved.
    pub item: Option<String>,
    /// What is wrong, for a person.
    pub message: String,
}

/// How many of the POA&M's control references found their SSP section
/// (after [`link`]).
pub fn links(poam: &Poam) -> usize {
    poam.items
        .iter()
        .flat_map(|i| &i.ssp_refs)
        .filter(|r| r.section.is_some())
        .count()
}

/// Checks an SSP and a POA&M against each other.
pub fn check(poam: &Poam, ssp: &SspIndex) -> Vec<Finding> {
    let mut out = Vec::new();
    let id_of = |i: &poam_model::Item| match &i.id {
        Some(id) => id.to_string(),
        None => {
            let text = i
                .weakness_name
                .as_deref()
                .or(i.weakness_description.as_deref())
                .unwrap_or("");
            let short: String = text.chars().take(40).collect();
            format!(
                "without id (\"{short}{}\")",
                if text.chars().count() > 40 { "…" } else { "" }
            )
        }
    };
    // 1. Gaps in the SSP without an open item.
    for s in &ssp.sections {
        if !s.status.iter().any(|x| x.is_gap()) {
            continue;
        }
        let open = poam.items.iter().any(|i| {
            i.state == State::Open
                && (i.controls.iter().any(|c| *c == s.control)
                    || i.equivalents.values().flatten().any(|e| *e == s.control))
        });
        if !open {
            let labels: Vec<&str> = s.status.iter().map(|x| x.label()).collect();
            out.push(Finding {
                kind: FindingKind::GapWithoutItem,
                control: s.control.clone(),
                item: None,
                message: format!(
                    "{} is {} in the SSP ({}) but no open POA&M item names it",
                    s.control,
                    labels.join(", "),
                    s.location
                ),
            });
        }
    }
    for item in &poam.items {
        for control in &item.controls {
            let section = ssp.section(control).or_else(|| {
                item.equivalents
                    .values()
                    .flatten()
                    .find_map(|e| ssp.section(e))
            });
            let only_na = section.is_some_and(|s| {
                !s.status.is_empty() && s.status.iter().all(|x| *x == ImplStatus::NotApplicable)
            });
            // 2. Items whose controls the SSP lacks.
            if section.is_none() || only_na {
                out.push(Finding {
                    kind: FindingKind::ItemWithoutSection,
                    control: control.to_string(),
                    item: Some(id_of(item)),
                    message: if only_na {
                        format!(
                            "item {} names {control}, which the SSP marks Not Applicable",
                            id_of(item)
                        )
                    } else {
                        format!(
                            "item {} names {control}, which the SSP has no section for",
                            id_of(item)
                        )
                    },
                });
                continue;
            }
            let Some(s) = section else { continue };
            let gap = s
                .status
                .iter()
                .any(|x| matches!(x, ImplStatus::Planned | ImplStatus::PartiallyImplemented));
            // 3. State against status.
            if item.state == State::Closed && gap {
                out.push(Finding {
                    kind: FindingKind::ClosedButGap,
                    control: control.to_string(),
                    item: Some(id_of(item)),
                    message: format!(
                        "item {} is closed but the SSP still marks {control} {}",
                        id_of(item),
                        s.status
                            .iter()
                            .map(|x| x.label())
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                });
            }
            let implemented_only =
                !s.status.is_empty() && s.status.iter().all(|x| *x == ImplStatus::Implemented);
            if item.state == State::Open && implemented_only && !s.mentions_poam {
                out.push(Finding {
                    kind: FindingKind::OpenButImplemented,
                    control: control.to_string(),
                    item: Some(id_of(item)),
                    message: format!(
                        "item {} is open but the SSP marks {control} Implemented and says nothing of a POA&M",
                        id_of(item)
                    ),
                });
            }
            // 4. Dates.
            if let (Some(planned), Some(due)) = (s.planned_completion, item.scheduled_completion) {
                if planned != due {
                    out.push(Finding {
                        kind: FindingKind::DateMismatch,
                        control: control.to_string(),
                        item: Some(id_of(item)),
                        message: format!(
                            "the SSP plans {control} for {planned}, item {} is scheduled for {due}",
                            id_of(item)
                        ),
                    });
                }
            }
        }
    }
    out.sort_by(|a, b| (a.kind, &a.control, &a.item).cmp(&(b.kind, &b.control, &b.item)));
    out
}
