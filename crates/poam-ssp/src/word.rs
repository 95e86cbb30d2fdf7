//! Control sections of a Word SSP.
//!
//! A section starts at a heading whose text begins with a control id
//! (`AC-2 Account Management (L)(M)(H)`, `AC-2 (1) Control Enhancement (M)
//! (H)`, `3.1.1 Limit system access...`, `AC.L2-3.1.1 ...`). Tables of
//! contents are skipped. The FedRAMP "Control Summary Information" and "What
//! is the solution and how is it implemented?" tables anchor the section: their
//! first row names the control, which is checked against the heading, and a
//! summary table with no heading before it still makes a section.

use crate::flow::{cell_text, Block, Para, CHECKED, UNCHECKED};
use crate::{ImplStatus, Section, SspIndex};
use poam_model::control::parse_control;
use poam_model::date::{parse_date_text, DateOrder};
use poam_model::{DiagKind, Diagnostic, Location};
use regex::Regex;
use std::sync::OnceLock;

fn re(cell: &'static OnceLock<Regex>, pattern: &str) -> &'static Regex {
    cell.get_or_init(|| Regex::new(pattern).expect("valid pattern"))
}

/// The control id a heading or table title starts with, and the rest.
fn leading_control(text: &str) -> Option<(String, String)> {
    static ID: OnceLock<Regex> = OnceLock::new();
    let id = re(
        &ID,
        r"^\s*((?:[A-Za-z]{2}[.\-]L[123]-\s?)?0?3\.\d{1,2}\.\d{1,2}e?|[A-Z]{2}[\s\-\u{2013}]?\d{1,3}(?:\s*\(\s*\d{1,3}\s*\))?)(?:\s+|$|[:.])(.*)$",
    );
    let c = id.captures(text.trim_start())?;
    let parsed = parse_control(&c[1])?;
    let control = parsed.ids.first()?.canonical();
    Some((control.to_string(), c[2].trim().to_string()))
}

/// The heading level of a paragraph style (`Heading2` → 2).
fn heading_level(style: Option<&str>) -> Option<usize> {
    let s = style?.to_ascii_lowercase().replace(' ', "");
    s.strip_prefix("heading")?.parse().ok()
}

fn is_toc(style: Option<&str>) -> bool {
    style.is_some_and(|s| s.to_ascii_lowercase().replace(' ', "").starts_with("toc"))
}

/// Title without the baseline markers (`(L)(M)(H)`, `(L) (M)`).
fn title_of(rest: &str) -> Option<String> {
    static MARKS: OnceLock<Regex> = OnceLock::new();
    let marks = re(&MARKS, r"(?:\s*\([LMH]\))+\s*$");
    let t = marks.replace(rest, "").trim().to_string();
    (!t.is_empty()).then_some(t)
}

/// Checkbox labels of a line: (checked, label) for each box.
fn boxes(text: &str) -> Vec<(bool, String)> {
    let mut out = Vec::new();
    let t = text.trim();
    // A typed X stands for a ticked box: `X Implemented`.
    if let Some(rest) = t.strip_prefix("X ").or_else(|| t.strip_prefix("x ")) {
        if !rest.contains([CHECKED, UNCHECKED]) {
            return vec![(true, rest.trim().to_string())];
        }
    }
    let mut current: Option<(bool, String)> = None;
    for ch in t.chars() {
        if ch == CHECKED || ch == UNCHECKED {
            if let Some(c) = current.take() {
                out.push(c);
            }
            current = Some((ch == CHECKED, String::new()));
        } else if let Some((_, label)) = current.as_mut() {
            label.push(ch);
        }
    }
    if let Some(c) = current {
        out.push(c);
    }
    out.into_iter()
        .map(|(c, l)| (c, l.trim().trim_end_matches(',').trim().to_string()))
        .filter(|(_, l)| !l.is_empty())
        .collect()
}

fn mentions_poam(text: &str) -> bool {
    let t = text.to_lowercase();
    t.contains("poa&m") || t.contains("poam") || t.contains("plan of action")
}

/// What a label line opens in a summary table.
#[derive(Clone, Copy, PartialEq)]
enum Mode {
    None,
    Status,
    Origination,
}

/// Reads statuses, originations, the responsible role and a planned date
/// from the paragraphs of a summary table (or of a section's body).
fn read_summary(
    section: &mut Section,
    paras: &[&Para],
    diags: &mut Vec<Diagnostic>,
    location: &Location,
) {
    let mut mode = Mode::None;
    for p in paras {
        let text = p.text.trim();
        let lower = text.to_lowercase();
        if lower.starts_with("implementation status") {
            mode = Mode::Status;
        } else if lower.starts_with("control origination") {
            mode = Mode::Origination;
        } else if lower.starts_with("responsible role") {
            mode = Mode::None;
            let role = text.split_once(':').map_or("", |(_, r)| r).trim();
            if !role.is_empty() {
                section.responsible_role = Some(role.to_string());
            }
        } else if lower.starts_with("parameter ") {
            mode = Mode::None;
        }
        if let Some(rest) = [
            "planned completion date",
            "planned implementation date",
            "planned completion",
        ]
        .iter()
        .find_map(|k| lower.strip_prefix(k).map(|_| &text[k.len()..]))
        {
            let value = rest.trim_start_matches([':', ' ', '\t']).trim();
            match parse_date_text(value, DateOrder::MonthFirst) {
                Some(d) => section.planned_completion = Some(d),
                None if !value.is_empty() => diags.push(Diagnostic::new(
                    DiagKind::BadSspDate {
                        control: section.control.clone(),
                        raw: value.to_string(),
                    },
                    location.clone(),
                )),
                None => {}
            }
        }
        for (checked, label) in boxes(text) {
            if !checked {
                continue;
            }
            match (mode, ImplStatus::parse(&label)) {
                (Mode::Origination, _) => section.origination.push(label),
                (_, Some(s)) => {
                    if !section.status.contains(&s) {
                        section.status.push(s);
                    }
                }
                (_, None) => section.origination.push(label),
            }
        }
        if mentions_poam(text) {
            section.mentions_poam = true;
        }
    }
}

/// Builds the index from the flow of a Word SSP.
pub(crate) fn index(file: &str, blocks: &[Block]) -> SspIndex {
    let mut index = SspIndex::default();
    let mut diags = Vec::new();
    // Headings above the current one, by level: (level, text).
    let mut stack: Vec<(usize, String)> = Vec::new();
    let mut current: Option<(usize, usize)> = None; // (section index, heading level)
    let mut summary_tables = 0;
    let mut rev4 = false;
    let mut rev5_marks = false;
    for block in blocks {
        match block {
            Block::Para(n, p) => {
                if is_toc(p.style.as_deref()) || p.text.trim().is_empty() {
                    continue;
                }
                let level = heading_level(p.style.as_deref());
                if let Some(level) = level {
                    while stack.last().is_some_and(|(l, _)| *l >= level) {
                        stack.pop();
                    }
                    match leading_control(&p.text) {
                        Some((control, rest)) => {
                            if p.text.contains(")(") {
                                rev5_marks = true;
                            }
                            if rest.to_lowercase().starts_with("control enhancement") {
                                rev4 = true;
                            }
                            let mut path: Vec<String> =
                                stack.iter().map(|(_, t)| t.trim().to_string()).collect();
                            path.push(p.text.trim().to_string());
                            index.sections.push(Section {
                                control,
                                heading: p.text.trim().to_string(),
                                title: title_of(&rest),
                                path,
                                number: None,
                                location: format!("paragraph {n}"),
                                ..Section::default()
                            });
                            current = Some((index.sections.len() - 1, level));
                        }
                        None => {
                            // A heading that is no control closes the section at its level.
                            if current.is_some_and(|(_, l)| level <= l) {
                                current = None;
                            }
                        }
                    }
                    stack.push((level, p.text.trim().to_string()));
                    continue;
                }
                if let Some((i, _)) = current {
                    let loc = Location::path(file, format!("paragraph {n}"));
                    read_summary(&mut index.sections[i], &[p], &mut diags, &loc);
                }
            }
            Block::Table(n, rows) => {
                let Some(first) = rows.first() else { continue };
                let title: String = first
                    .iter()
                    .map(|c| cell_text(c))
                    .collect::<Vec<_>>()
                    .join(" ")
                    .split_whitespace()
                    .collect::<Vec<_>>()
                    .join(" ");
                let lower = title.to_lowercase();
                let is_summary = lower.contains("summary information");
                let is_solution = lower.contains("what is the solution");
                let loc = Location::path(file, format!("table {n}"));
                let paras: Vec<&Para> = rows.iter().flatten().flatten().collect();
                if is_summary || is_solution {
                    let Some((control, _)) = leading_control(&title) else {
                        diags.push(Diagnostic::new(
                            DiagKind::TableWithoutControl {
                                title: title.clone(),
                            },
                            loc,
                        ));
                        continue;
                    };
                    if first.len() == 2 {
                        rev4 = true;
                    }
                    let i = match current {
                        Some((i, _)) if index.sections[i].control == control => i,
                        other => {
                            if let Some((i, _)) = other {
                                diags.push(Diagnostic::new(
                                    DiagKind::TableUnderOtherHeading {
                                        control: control.clone(),
                                        heading: index.sections[i].control.clone(),
                                    },
                                    loc.clone(),
                                ));
                            }
                            match index.sections.iter().position(|s| s.control == control) {
                                Some(i) => i,
                                None => {
                                    index.sections.push(Section {
                                        control: control.clone(),
                                        heading: control.clone(),
                                        location: format!("table {n}"),
                                        ..Section::default()
                                    });
                                    let i = index.sections.len() - 1;
                                    current = Some((i, usize::MAX));
                                    i
                                }
                            }
                        }
                    };
                    if is_summary {
                        summary_tables += 1;
                        // Rev 4 puts the role in the second cell of its row.
                        let mut flat: Vec<Para> = Vec::new();
                        for row in rows.iter().skip(1) {
                            let texts: Vec<String> = row.iter().map(|c| cell_text(c)).collect();
                            if row.len() == 2
                                && texts[0].to_lowercase().starts_with("responsible role")
                                && !texts[0].contains(':')
                            {
                                flat.push(Para {
                                    style: None,
                                    text: format!("Responsible Role: {}", texts[1]),
                                });
                                continue;
                            }
                            flat.extend(row.iter().flatten().cloned());
                        }
                        let refs: Vec<&Para> = flat.iter().collect();
                        read_summary(&mut index.sections[i], &refs, &mut diags, &loc);
                    } else {
                        // The solution text may give a planned date or a POA&M remark.
                        read_summary(&mut index.sections[i], &paras, &mut diags, &loc);
                        static PART: OnceLock<Regex> = OnceLock::new();
                        let part = re(&PART, r"(?i)^\s*part\s+([a-z]+)\b:?\s*(.*)$");
                        for row in rows.iter().skip(1) {
                            let texts: Vec<String> = row.iter().map(|c| cell_text(c)).collect();
                            let joined = texts.join("\n");
                            for line in joined.lines() {
                                if let Some(c) = part.captures(line) {
                                    let p = c[1].to_lowercase();
                                    if !c[2].trim().is_empty()
                                        && !index.sections[i].parts.contains(&p)
                                    {
                                        index.sections[i].parts.push(p);
                                    }
                                }
                            }
                            if mentions_poam(&joined) {
                                index.sections[i].mentions_poam = true;
                            }
                        }
                    }
                } else if let Some((i, _)) = current {
                    read_summary(&mut index.sections[i], &paras, &mut diags, &loc);
                }
            }
        }
    }
    let nist = index
        .sections
        .first()
        .is_some_and(|s| s.control.starts_with("3.") || s.control.starts_with("03."));
    index.kind = if summary_tables > 0 && rev4 {
        "fedramp-rev4-ssp".into()
    } else if summary_tables > 0 && rev5_marks {
        "fedramp-rev5-appendix-a".into()
    } else if summary_tables > 0 {
        "fedramp-word".into()
    } else if nist {
        "nist-800-171-ssp".into()
    } else {
        "word".into()
    };
    index.diagnostics = diags;
    index
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headings_and_boxes() {
        assert_eq!(
            leading_control("AC-2(1) Automated System Account Management (M)(H)"),
            Some((
                "AC-2(1)".into(),
                "Automated System Account Management (M)(H)".into()
            ))
        );
        assert_eq!(
            leading_control("AC 6 (5) Control Enhancement (M) (H)").map(|x| x.0),
            Some("AC-6(5)".into())
        );
        assert_eq!(
            leading_control("AC.L2-3.1.1 Authorized Access Control").map(|x| x.0),
            Some("3.1.1".into())
        );
        assert_eq!(leading_control("Access Control (AC)"), None);
        assert_eq!(
            title_of("Account Management (L)(M)(H)"),
            Some("Account Management".into())
        );
        assert_eq!(
            boxes("☒ Implemented ☐ Planned"),
            vec![(true, "Implemented".into()), (false, "Planned".into())]
        );
        assert_eq!(
            boxes("X Not Applicable"),
            vec![(true, "Not Applicable".into())]
        );
    }
}
