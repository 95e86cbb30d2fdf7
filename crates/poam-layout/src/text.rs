//! Cell text forms shared by readers and writers.

use chrono::NaiveDate;
use poam_model::date::{parse_date_text, DateOrder};
use poam_model::Milestone;
use regex::Regex;
use std::sync::OnceLock;

fn re(cell: &'static OnceLock<Regex>, pattern: &str) -> &'static Regex {
    cell.get_or_init(|| Regex::new(pattern).expect("valid pattern"))
}

/// Splits a one-per-line cell (assets, service names) into its lines.
pub fn split_lines(text: &str) -> Vec<poam_model::Text> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(poam_model::Text::from)
        .collect()
}

/// Splits a CVE cell on commas, semicolons, white space and new lines.
pub fn split_cves(text: &str) -> Vec<poam_model::Text> {
    text.split(|c: char| c == ',' || c == ';' || c.is_whitespace())
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(poam_model::Text::from)
        .collect()
}

/// The result of reading a milestones cell.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ParsedMilestones {
    /// The milestones, in order.
    pub milestones: Vec<Milestone>,
    /// Blocks that had no readable date (kept with `due: None`).
    pub undated: Vec<String>,
}

/// Reads a FedRAMP `Planned Milestones` cell: numbered blocks
/// (`(1) 2024-05-23: text`) separated by blank lines, or one per line when
/// every line starts with a number.
pub fn parse_milestones(text: &str, order: DateOrder) -> ParsedMilestones {
    static BLANK: OnceLock<Regex> = OnceLock::new();
    static NUMBERED: OnceLock<Regex> = OnceLock::new();
    static LEAD: OnceLock<Regex> = OnceLock::new();
    let blank = re(&BLANK, r"\r?\n[ \t]*\r?\n");
    let numbered = re(&NUMBERED, r"^\s*\(?\d{1,3}[).]");
    let lead = re(&LEAD, r"^\s*(?:\(\s*\d{1,3}\s*\)|\d{1,3}[).])\s*");
    let text = text.replace("\r\n", "\n");
    let mut blocks: Vec<String> = blank
        .split(&text)
        .map(|b| b.trim().to_string())
        .filter(|b| !b.is_empty())
        .collect();
    // One block holding several numbered lines, or several lines that each
    // carry a date ("Step A 05/01/2024" on one, "Step B 06/01/2024" on the
    // next): one milestone per line. The same for `;` between dated parts.
    if blocks.len() == 1 {
        let dated = |l: &str| split_dated(lead.replace(l, "").as_ref(), order).0.is_some();
        let lines: Vec<&str> = blocks[0].lines().filter(|l| !l.trim().is_empty()).collect();
        if lines.len() > 1
            && (lines.iter().all(|l| numbered.is_match(l)) || lines.iter().all(|l| dated(l)))
        {
            blocks = lines.iter().map(|l| l.trim().to_string()).collect();
        } else if lines.len() == 1 {
            let parts: Vec<&str> = lines[0]
                .split(';')
                .filter(|p| !p.trim().is_empty())
                .collect();
            if parts.len() > 1 && parts.iter().all(|p| dated(p)) {
                blocks = parts.iter().map(|p| p.trim().to_string()).collect();
            }
        }
    }
    let mut out = ParsedMilestones::default();
    for block in blocks {
        let body = lead.replace(&block, "").to_string();
        let (due, description) = split_dated(&body, order);
        if due.is_none() {
            out.undated.push(block.clone());
        }
        out.milestones.push(Milestone {
            description: description.into(),
            due,
            ..Milestone::default()
        });
    }
    out
}

/// Splits a milestone's text from its date, as people write them:
/// `2024-05-23: text`, `05/01/2024 - text`, `text 11/13/2018`,
/// `text = 05/01/2024`, `text (05/01/2024)`, `text (due May 1, 2024)`.
fn split_dated(body: &str, order: DateOrder) -> (Option<NaiveDate>, String) {
    if let Some(pos) = body.find(':') {
        let head = body[..pos].trim();
        // Times (`10:00`) have digits on both sides of the colon.
        if let Some(date) = parse_date_text(head, order) {
            return (Some(date), body[pos + 1..].trim().to_string());
        }
    }
    static HEAD: OnceLock<Regex> = OnceLock::new();
    let head = re(
        &HEAD,
        r"^\s*(\d{1,4}[/\-.]\d{1,2}[/\-.]\d{1,4})\s*[-–=]\s*(.+)$",
    );
    if let Some(c) = head.captures(body) {
        if let Some(date) = parse_date_text(&c[1], order) {
            return (Some(date), c[2].trim().to_string());
        }
    }
    static PARENS: OnceLock<Regex> = OnceLock::new();
    let parens = re(
        &PARENS,
        r"(?i)^(.*?)\s*[\(\[]\s*(?:(?:due|by|target|ecd|est\.?|estimated|scheduled|completed?|on)\b[\s:]*)?([^()\[\]]+?)\s*[\)\]]\s*\.?$",
    );
    if let Some(c) = parens.captures(body) {
        if let Some(date) = parse_date_text(&c[2], order) {
            return (
                Some(date),
                c[1].trim()
                    .trim_end_matches([',', '-', ':'])
                    .trim()
                    .to_string(),
            );
        }
    }
    static TAIL: OnceLock<Regex> = OnceLock::new();
    let tail = re(
        &TAIL,
        r"^(.*?)[\s,\-–:=]+(\d{1,4}[/\-.]\d{1,2}[/\-.]\d{1,4})\s*\.?$",
    );
    if let Some(c) = tail.captures(body) {
        if let Some(date) = parse_date_text(&c[2], order) {
            return (Some(date), c[1].trim().to_string());
        }
    }
    (None, body.trim().to_string())
}

/// Writes milestones in the FedRAMP form: `(1) 2024-05-23: text`, blocks
/// separated by a blank line.
pub fn format_milestones(milestones: &[Milestone]) -> String {
    milestones
        .iter()
        .enumerate()
        .map(|(i, m)| match m.due {
            Some(d) => format!("({}) {}: {}", i + 1, d.format("%Y-%m-%d"), m.description),
            None => format!("({}) {}", i + 1, m.description),
        })
        .collect::<Vec<_>>()
        .join("\n\n")
}

/// Heading that introduces milestones folded into a remediation plan.
pub const FOLDED_MILESTONES: &str = "Planned Milestones:";
/// Heading that introduces milestone changes folded into a remediation plan.
pub const FOLDED_CHANGES: &str = "Milestone Changes:";

/// Folds milestones and milestone changes into remediation plan text, for
/// layouts (FedRAMP v3.0) that have no column for them.
pub fn fold_into_plan(
    plan: Option<&str>,
    milestones: &[Milestone],
    changes: Option<&str>,
) -> Option<String> {
    let mut parts: Vec<String> = Vec::new();
    if let Some(p) = plan.filter(|p| !p.trim().is_empty()) {
        parts.push(p.to_string());
    }
    if !milestones.is_empty() {
        parts.push(format!(
            "{FOLDED_MILESTONES}\n{}",
            format_milestones(milestones)
        ));
    }
    if let Some(c) = changes.filter(|c| !c.trim().is_empty()) {
        parts.push(format!("{FOLDED_CHANGES}\n{c}"));
    }
    if parts.is_empty() {
        None
    } else {
        Some(parts.join("\n\n"))
    }
}

/// Undoes [`fold_into_plan`]: returns the plan, the milestones text and the
/// changes text found after the headings.
pub fn unfold_plan(text: &str) -> (Option<String>, Option<String>, Option<String>) {
    let text = text.replace("\r\n", "\n");
    let find = |heading: &str| -> Option<usize> {
        if text.starts_with(&format!("{heading}\n")) {
            Some(0)
        } else {
            text.find(&format!("\n\n{heading}\n")).map(|p| p + 2)
        }
    };
    let m = find(FOLDED_MILESTONES);
    let c = find(FOLDED_CHANGES);
    if m.is_none() && c.is_none() {
        return (
            Some(text.clone()).filter(|t| !t.trim().is_empty()),
            None,
            None,
        );
    }
    let plan_end = [m, c].into_iter().flatten().min().unwrap_or(text.len());
    let plan = text[..plan_end].trim_end().to_string();
    let milestones = m.map(|start| {
        let body_start = start + FOLDED_MILESTONES.len() + 1;
        let end = c.filter(|&c| c > start).map_or(text.len(), |c| c);
        text[body_start..end].trim_end().to_string()
    });
    let changes = c.map(|start| {
        let body_start = start + FOLDED_CHANGES.len() + 1;
        let end = m.filter(|&m| m > start).map_or(text.len(), |m| m);
        text[body_start..end].trim_end().to_string()
    });
    (Some(plan).filter(|p| !p.is_empty()), milestones, changes)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> Option<NaiveDate> {
        NaiveDate::from_ymd_opt(y, m, day)
    }

    #[test]
    fn fedramp_example_milestones() {
        let cell =
            "(1) 2014/05/23: Milestone Description\n\n(2) 2014-06-12: Milestone \nDescription";
        let got = parse_milestones(cell, DateOrder::MonthFirst);
        assert_eq!(got.milestones.len(), 2);
        assert_eq!(got.milestones[0].due, d(2014, 5, 23));
        assert_eq!(got.milestones[0].description, "Milestone Description");
        assert_eq!(got.milestones[1].due, d(2014, 6, 12));
        assert!(got.undated.is_empty());
    }

    #[test]
    fn milestones_as_people_write_them() {
        type Expected<'a> = &'a [(&'a str, Option<NaiveDate>)];
        let cases: &[(&str, Expected)] = &[
            (
                "Step A 05/01/2024\nStep B 06/01/2024",
                &[("Step A", d(2024, 5, 1)), ("Step B", d(2024, 6, 1))],
            ),
            (
                "Order parts (05/01/2024)\nInstall (due June 1, 2024)",
                &[("Order parts", d(2024, 5, 1)), ("Install", d(2024, 6, 1))],
            ),
            (
                "05/01/2024 - Order parts; 06/01/2024 = Install",
                &[("Order parts", d(2024, 5, 1)), ("Install", d(2024, 6, 1))],
            ),
            (
                "Install patches = 2024-07-15",
                &[("Install patches", d(2024, 7, 15))],
            ),
            ("Review logs (weekly)", &[("Review logs (weekly)", None)]),
        ];
        for (cell, want) in cases {
            let got = parse_milestones(cell, DateOrder::MonthFirst);
            let got: Vec<(&str, Option<NaiveDate>)> = got
                .milestones
                .iter()
                .map(|m| (m.description.as_str(), m.due))
                .collect();
            assert_eq!(&got, want, "{cell}");
        }
    }

    #[test]
    fn other_milestone_forms() {
        let got = parse_milestones(
            "1. 05/01/2024: Order parts\n2) 06/01/2024: Install",
            DateOrder::MonthFirst,
        );
        assert_eq!(got.milestones.len(), 2);
        assert_eq!(got.milestones[1].description, "Install");
        let got = parse_milestones("Patch servers 11/13/2018", DateOrder::MonthFirst);
        assert_eq!(got.milestones[0].due, d(2018, 11, 13));
        assert_eq!(got.milestones[0].description, "Patch servers");
        let got = parse_milestones("(1) Phase 1: plan the work", DateOrder::MonthFirst);
        assert_eq!(got.milestones[0].due, None);
        assert_eq!(got.milestones[0].description, "Phase 1: plan the work");
        assert_eq!(got.undated.len(), 1);
    }

    #[test]
    fn milestones_round_trip() {
        let ms = vec![
            Milestone {
                description: "Order".into(),
                due: d(2024, 1, 2),
                ..Milestone::default()
            },
            Milestone {
                description: "Install: all hosts".into(),
                due: None,
                ..Milestone::default()
            },
        ];
        let back = parse_milestones(&format_milestones(&ms), DateOrder::MonthFirst);
        assert_eq!(back.milestones, ms);
    }

    #[test]
    fn folding_round_trips() {
        let ms = vec![Milestone {
            description: "Order".into(),
            due: d(2024, 1, 2),
            ..Milestone::default()
        }];
        let folded = fold_into_plan(
            Some("Replace the firewall."),
            &ms,
            Some("(1) Update 2024-02-01: moved"),
        )
        .unwrap();
        let (plan, m, c) = unfold_plan(&folded);
        assert_eq!(plan.as_deref(), Some("Replace the firewall."));
        assert_eq!(
            parse_milestones(&m.unwrap(), DateOrder::MonthFirst).milestones,
            ms
        );
        assert_eq!(c.as_deref(), Some("(1) Update 2024-02-01: moved"));
        let (plan, m, c) = unfold_plan("Just a plan.");
        assert_eq!((plan.as_deref(), m, c), (Some("Just a plan."), None, None));
    }
}

/// The one-line form of a cell's text, for a place that holds one line (an
/// OSCAL prop value, title or name): each line trimmed, blank lines dropped,
/// the lines joined by `; ` (by a space after a line that ends in `;` or
/// `,`). The same text always gives the same line.
pub fn one_line(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for line in text.lines().map(str::trim).filter(|l| !l.is_empty()) {
        if !out.is_empty() {
            out.push_str(if out.ends_with([';', ',']) { " " } else { "; " });
        }
        out.push_str(line);
    }
    out
}

/// What a one-line place written by [`one_line`] holds, given the `remarks`
/// beside it: the full text when the remarks are that text (or a label, a
/// blank line, and that text), and the label; otherwise `value` and the
/// remarks as they are.
pub fn full_text<'a>(value: &'a str, remarks: Option<&'a str>) -> (&'a str, Option<&'a str>) {
    let Some(r) = remarks else {
        return (value, None);
    };
    if r != value && r.contains('\n') && one_line(r) == value {
        return (r, None);
    }
    for (i, _) in r.match_indices("\n\n") {
        let tail = &r[i + 2..];
        if tail != value && one_line(tail) == value {
            return (tail, Some(&r[..i]));
        }
    }
    (value, Some(r))
}

#[cfg(test)]
mod one_line_tests {
    use super::*;

    #[test]
    fn multi_line_text_has_one_line_and_comes_back() {
        let text = "  Jane Doe\n\njane@example.gov;\nISSO  ";
        assert_eq!(one_line(text), "Jane Doe; jane@example.gov; ISSO");
        let line = one_line(text);
        assert_eq!(full_text(&line, Some(text)), (text, None));
        let labelled = format!("Internal Ticket\n\n{text}");
        assert_eq!(
            full_text(&line, Some(&labelled)),
            (text, Some("Internal Ticket"))
        );
        assert_eq!(full_text("x", Some("Notes")), ("x", Some("Notes")));
        assert_eq!(full_text("Notes", Some("Notes")), ("Notes", Some("Notes")));
    }
}
