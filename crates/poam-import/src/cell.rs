//! Reading one cell into one field, with diagnostics instead of failures.

use crate::grid::Cell;
use poam_layout::text::{parse_milestones, split_cves, split_lines};
use poam_model::control::parse_controls;
use poam_model::date::{parse_date_text, DateOrder};
use poam_model::vocab::is_not_applicable;
use poam_model::{
    DiagKind, Diagnostic, Field, FieldKind, Item, Location, Milestone, Rating, RawSeverity, Status,
    YesNo,
};

/// Puts a raw value in `extra` under its header, keeping earlier text.
pub fn keep_extra(item: &mut Item, header: &str, text: String) {
    match item.extra.get_mut(header) {
        Some(old) => {
            old.push('\n');
            old.push_str(&text);
        }
        None => {
            item.extra.insert(header.into(), text.into());
        }
    }
}

/// Reads `cell` into `field` of `item`. Anything that cannot be read keeps its
/// raw text in `extra` under `header` and adds a diagnostic.
pub fn fill(
    item: &mut Item,
    field: Field,
    header: &str,
    cell: &Cell,
    location: &dyn Fn() -> Location,
    opts: &crate::ImportOptions,
    diags: &mut Vec<Diagnostic>,
) {
    if cell.is_blank() {
        return;
    }
    let order = opts.date_order;
    let text = cell.text_ref();
    if let Cell::Error(e) = cell {
        diags.push(Diagnostic::new(
            DiagKind::CellError {
                value: e.to_string(),
                header: header.to_string(),
            },
            location(),
        ));
        keep_extra(item, header, text.into_owned());
        return;
    }
    match field.kind() {
        FieldKind::Text => {
            if let Field::Id = field {
                item.id = Some(text.into_owned().into());
            } else {
                // STIG-based tools name CCIs in the comments, source and
                // security-checks cells: kept on the item, the text as written.
                if poam_model::control::CCI_TEXT_FIELDS.contains(&field) {
                    add_ccis(
                        item,
                        poam_model::control::find_ccis(&text)
                            .into_iter()
                            .map(|(_, c)| c),
                    );
                }
                item.set_text(field, cell_text_keep_lines(cell));
            }
        }
        FieldKind::Lines => item.set_list(field, split_lines(&cell_text_keep_lines(cell))),
        FieldKind::Cves => item.set_list(field, split_cves(&text)),
        FieldKind::Ccis => {
            let (rest, ccis) = poam_model::control::take_ccis(&text);
            add_ccis(item, ccis);
            let rest = rest.trim_matches(|c: char| c.is_whitespace() || matches!(c, ',' | ';'));
            if !rest.is_empty() {
                unknown(
                    item,
                    header,
                    text.into_owned(),
                    "CCI (CCI-000366)",
                    location(),
                    diags,
                );
            }
        }
        FieldKind::Controls => {
            // CCIs in a controls cell: kept on the item; their controls are
            // the item's when no cell names one (see `controls_from_ccis`).
            let (rest, ccis) = poam_model::control::take_ccis(&text);
            let rest = (!ccis.is_empty()).then(|| rest.into_owned());
            add_ccis(item, ccis);
            let text = rest.map_or(text, std::borrow::Cow::Owned);
            // eMASS's "Controls / APs": `CM-6.5` is assessment procedure 5
            // of CM-6, not the enhancement CM-6(5). The procedures are kept,
            // their controls read with the rest.
            let text = if poam_model::control::names_procedures(header) {
                // Each procedure token replaced by its control, the rest of
                // the text (separators, other ids) as written.
                let mut rest = String::with_capacity(text.len());
                let mut token = String::new();
                let flush = |token: &mut String, rest: &mut String, item: &mut Item| {
                    match poam_model::control::parse_procedure(token) {
                        Some((control, procedure)) => {
                            if !item.procedures.contains(&procedure) {
                                item.procedures.push(procedure);
                            }
                            rest.push_str(&control);
                        }
                        None => rest.push_str(token),
                    }
                    token.clear();
                };
                for c in text.chars() {
                    if matches!(c, ',' | ';') || c.is_whitespace() {
                        flush(&mut token, &mut rest, item);
                        rest.push(c);
                    } else {
                        token.push(c);
                    }
                }
                flush(&mut token, &mut rest, item);
                std::borrow::Cow::Owned(rest)
            } else {
                text
            };
            let parsed = parse_controls_cached(&text);
            for c in parsed.controls {
                if !item.controls.contains(&c) {
                    item.controls.push(c);
                }
            }
            for p in parsed.parts {
                if !item.control_parts.contains(&p) {
                    item.control_parts.push(p);
                }
            }
            for note in parsed.notes {
                diags.push(Diagnostic::new(
                    DiagKind::ControlAssumption { note },
                    location(),
                ));
            }
            for raw in parsed.unparsed {
                // An id after its catalog's name (`NIST SP 800-171 3.10.4`,
                // `800-53 AC-2`), as quality registers write them.
                if let Some(rest) = after_nist_catalog(&raw) {
                    let again = parse_controls_cached(rest);
                    if again.unparsed.is_empty() && !again.controls.is_empty() {
                        for c in again.controls {
                            if !item.controls.contains(&c) {
                                item.controls.push(c);
                            }
                        }
                        continue;
                    }
                }
                // The user's frameworks (--framework), then ISO, CIS and the
                // others kept as data in templates/frameworks/.
                let builtin = poam_layout::catalog::catalogs().frameworks();
                let other = opts.frameworks.iter().chain(builtin).find_map(|f| {
                    f.parse(&raw).map(|id| poam_model::OtherControl {
                        framework: f.name.clone(),
                        id,
                    })
                });
                if let Some(o) = other {
                    if !item.other_controls.contains(&o) {
                        item.other_controls.push(o);
                    }
                    continue;
                }
                diags.push(Diagnostic::new(
                    DiagKind::UnparsedControl {
                        raw: raw.to_string(),
                    },
                    location(),
                ));
                item.unparsed_controls.push(raw);
            }
        }
        FieldKind::Date => match cell.date(order) {
            Some(d) => item.set_date(field, d),
            None if is_not_applicable(&text) => {
                placeholder(item, header, text.into_owned(), location(), diags)
            }
            None => {
                diags.push(Diagnostic::new(bad_date(&text, header), location()));
                keep_extra(item, header, text.into_owned());
            }
        },
        FieldKind::Rating => word(
            item,
            header,
            text,
            "risk rating",
            Rating::parse,
            |item, r| item.set_rating(field, r),
            location,
            diags,
        ),
        FieldKind::YesNo => word(
            item,
            header,
            text,
            "Yes/No/Pending answer",
            YesNo::parse,
            |item, v| item.set_yes_no(field, v),
            location,
            diags,
        ),
        FieldKind::Status => match Status::parse(&text) {
            Some(s) => {
                item.status = Some(s);
                item.state = s.state();
            }
            None => match status_with_date(&text, order) {
                // `Completed 11/13/2018`: a status and its date in one cell.
                Some((s, d)) => {
                    item.status = Some(s);
                    item.state = s.state();
                    if s == Status::Completed {
                        item.completed_on.get_or_insert(d);
                    } else {
                        item.status_date.get_or_insert(d);
                    }
                    diags.push(Diagnostic::new(
                        DiagKind::StatusWithDate {
                            raw: text.to_string(),
                            status: s,
                            date: d,
                        },
                        location(),
                    ));
                }
                None => unknown(item, header, text.into_owned(), "status", location(), diags),
            },
        },
        FieldKind::Milestones => {
            let parsed = parse_milestones(&cell_text_keep_lines(cell), order);
            for block in &parsed.undated {
                diags.push(Diagnostic::new(
                    DiagKind::UnparsedMilestone {
                        text: first_line(block).to_string(),
                    },
                    location(),
                ));
            }
            item.milestones.extend(parsed.milestones);
        }
        FieldKind::RawSeverity => match RawSeverity::parse(&text) {
            Some(r) => item.emass.raw_severity = Some(r),
            None => unknown(
                item,
                header,
                text.into_owned(),
                "raw severity (CAT I, II or III)",
                location(),
                diags,
            ),
        },
        FieldKind::Keyed => {
            item.emass
                .costs
                .insert(header.into(), text.into_owned().into());
        }
        FieldKind::MilestonePart => {
            let mut m = item.milestones.pop().unwrap_or_default();
            fill_milestone_part(item, &mut m, field, header, cell, location, order, diags);
            item.milestones.push(m);
        }
    }
}

fn add_ccis(item: &mut Item, ccis: impl IntoIterator<Item = poam_model::Text>) {
    for c in ccis {
        if !item.ccis.contains(&c) {
            item.ccis.push(c);
        }
    }
}

/// An item whose cells named no control but named CCIs gets the controls
/// DISA's CCI list maps them to (rev 5 where DISA gives one, else rev 4),
/// with a note at `location`.
pub fn controls_from_ccis(item: &mut Item, location: Location, diags: &mut Vec<Diagnostic>) {
    if item.ccis.is_empty() || !item.controls.is_empty() || !item.unparsed_controls.is_empty() {
        return;
    }
    let cat = poam_layout::catalog::catalogs();
    let mut used = Vec::new();
    for id in &item.ccis {
        let Some(cci) = cat.cci(id) else { continue };
        if cci.controls().is_empty() {
            continue;
        }
        used.push(id.to_string());
        for c in cci.controls() {
            let c = poam_model::Text::from(c.as_str());
            if !item.controls.contains(&c) {
                item.controls.push(c);
            }
        }
    }
    if !used.is_empty() {
        diags.push(Diagnostic::new(
            DiagKind::ControlsFromCcis {
                ccis: used.join(", "),
                controls: item.controls.join(", "),
            },
            location,
        ));
    }
}

/// A cell that holds one word of a vocabulary (a rating, an answer): set,
/// or left empty for a placeholder (`N/A`), or kept raw with a note.
#[allow(clippy::too_many_arguments)]
fn word<T>(
    item: &mut Item,
    header: &str,
    text: std::borrow::Cow<'_, str>,
    what: &str,
    parse: impl Fn(&str) -> Option<T>,
    set: impl FnOnce(&mut Item, T),
    location: &dyn Fn() -> Location,
    diags: &mut Vec<Diagnostic>,
) {
    match parse(&text) {
        Some(v) => set(item, v),
        None if is_not_applicable(&text) => {
            placeholder(item, header, text.into_owned(), location(), diags)
        }
        None => unknown(item, header, text.into_owned(), what, location(), diags),
    }
}

/// Reads one cell of a milestone-per-row layout into `milestone`.
#[allow(clippy::too_many_arguments)]
pub fn fill_milestone_part(
    item: &mut Item,
    milestone: &mut Milestone,
    field: Field,
    header: &str,
    cell: &Cell,
    location: &dyn Fn() -> Location,
    order: DateOrder,
    diags: &mut Vec<Diagnostic>,
) {
    let text = cell.text();
    match field {
        Field::MilestoneId => milestone.id = Some(text.into()),
        Field::MilestoneDescription => milestone.description = cell_text_keep_lines(cell).into(),
        Field::MilestoneComments => milestone.comments = Some(cell_text_keep_lines(cell).into()),
        Field::MilestoneStatus => match Status::parse(&text) {
            Some(s) => {
                milestone.status = Some(s);
                let word = text.trim();
                milestone.status_text = (word != s.label()).then(|| word.into());
            }
            None => unknown(item, header, text, "milestone status", location(), diags),
        },
        Field::MilestoneDue | Field::MilestoneCompletedOn => match cell.date(order) {
            Some(d) if field == Field::MilestoneDue => milestone.due = Some(d),
            Some(d) => milestone.completed_on = Some(d),
            None => {
                diags.push(Diagnostic::new(bad_date(&text, header), location()));
                keep_extra(item, header, text);
            }
        },
        _ => {}
    }
}

fn first_line(text: &str) -> &str {
    text.lines().next().unwrap_or("")
}

/// Text of a cell with its inner new lines kept (only the ends trimmed).
fn cell_text_keep_lines(cell: &Cell) -> String {
    match cell {
        Cell::Text(t) => t.trim().replace("\r\n", "\n"),
        other => other.text(),
    }
}

/// `N/A` or `None` where a value or nothing belongs: the field stays empty.
fn placeholder(
    item: &mut Item,
    header: &str,
    text: String,
    location: Location,
    diags: &mut Vec<Diagnostic>,
) {
    // The official FedRAMP list for Adjusted Risk Rating includes N/A: it
    // means "no adjustment" and needs no note, but it is kept as written.
    if header.trim().eq_ignore_ascii_case("Adjusted Risk Rating")
        && text.eq_ignore_ascii_case("n/a")
    {
        keep_extra(item, header, text);
        return;
    }
    diags.push(Diagnostic::new(
        DiagKind::PlaceholderValue {
            raw: text.clone(),
            header: header.to_string(),
        },
        location,
    ));
    keep_extra(item, header, text);
}

/// What a date cell that is not a date holds: a duration, or something else.
pub(crate) fn bad_date(text: &str, header: &str) -> DiagKind {
    use poam_model::date::{from_excel_serial, in_range, parse_date_text, DateOrder};
    let (raw, header) = (text.to_string(), header.to_string());
    let as_date = parse_date_text(text, DateOrder::MonthFirst)
        .or_else(|| parse_date_text(text, DateOrder::DayFirst))
        .or_else(|| text.trim().parse::<f64>().ok().and_then(from_excel_serial));
    if as_date.is_some_and(|d| !in_range(d)) {
        DiagKind::DateOutOfRange { raw, header }
    } else if poam_model::date::is_relative_date(text) {
        DiagKind::RelativeDate { raw, header }
    } else if poam_model::date::is_month_only(text) {
        DiagKind::MonthOnlyDate { raw, header }
    } else {
        DiagKind::BadDate { raw, header }
    }
}

fn unknown(
    item: &mut Item,
    header: &str,
    text: String,
    what: &str,
    location: Location,
    diags: &mut Vec<Diagnostic>,
) {
    diags.push(Diagnostic::new(
        DiagKind::UnknownValue {
            raw: text.clone(),
            expected: what.to_string(),
            header: header.to_string(),
        },
        location,
    ));
    keep_extra(item, header, text);
}

/// Splits `Completed 11/13/2018` into a status and a date.
fn status_with_date(text: &str, order: DateOrder) -> Option<(Status, chrono::NaiveDate)> {
    let (head, tail) = text
        .trim()
        .rsplit_once(|c: char| c.is_whitespace() || c == ',' || c == '-')?;
    let status = Status::parse(head.trim_end_matches([',', '-', ':', ' ']))?;
    let date = parse_date_text(tail, order)?;
    Some((status, date))
}

/// [`parse_controls`] with a per-thread memo: a POA&M repeats the same
/// controls cell on many rows. The memo is bounded and cleared when full.
/// The text after a NIST catalog's name (`NIST SP 800-171 Rev 2 3.10.4`
/// gives `3.10.4`), if it starts with one.
fn after_nist_catalog(text: &str) -> Option<&str> {
    let mut rest = text.trim();
    for word in ["NIST", "SP"] {
        if let Some(r) = rest
            .get(..word.len())
            .filter(|w| w.eq_ignore_ascii_case(word))
            .map(|_| &rest[word.len()..])
        {
            rest = r.trim_start();
        }
    }
    for catalog in ["800-171", "800-53"] {
        if let Some(r) = rest.strip_prefix(catalog) {
            rest = r.trim_start();
            // `Rev 2`, `r5`, `Revision 5`
            let lower = rest.to_ascii_lowercase();
            for rev in ["revision", "rev.", "rev", "r"] {
                if let Some(after) = lower.strip_prefix(rev) {
                    let digits = after.trim_start();
                    if digits.starts_with(|c: char| c.is_ascii_digit()) {
                        let skip = rest.len() - digits.len();
                        let n = digits.chars().take_while(char::is_ascii_digit).count();
                        rest = rest[skip + n..].trim_start();
                    }
                    break;
                }
            }
            return (!rest.is_empty()).then_some(rest);
        }
    }
    None
}

fn parse_controls_cached(text: &str) -> poam_model::control::ParsedControls {
    use std::cell::RefCell;
    use std::collections::HashMap;
    thread_local! {
        static MEMO: RefCell<HashMap<String, poam_model::control::ParsedControls>> =
            RefCell::new(HashMap::new());
    }
    MEMO.with(|memo| {
        if let Some(p) = memo.borrow().get(text) {
            return p.clone();
        }
        let parsed = parse_controls(text);
        let mut memo = memo.borrow_mut();
        if memo.len() >= 4096 {
            memo.clear();
        }
        memo.insert(text.to_string(), parsed.clone());
        parsed
    })
}
