//! `poam validate`: policy deadlines, template rules and control validity.

use crate::{Finding, Level, Policy};
use chrono::NaiveDate;
use poam_layout::catalog::{catalogs, FedrampBaseline};
use poam_layout::{Layout, Registry};
use poam_model::control::{parse_control, Catalog};
use poam_model::vocab::is_not_applicable;
use poam_model::{Field, FieldKind, Item, Poam, State, YesNo};
use std::collections::{BTreeMap, HashMap};

/// What to check.
#[derive(Debug, Clone)]
pub struct ValidateOptions<'l> {
    /// The day that decides what is overdue.
    pub as_of: NaiveDate,
    /// The remediation policy, if any.
    pub policy: Option<Policy>,
    /// The template whose rules apply (its `[rules]`: mandatory columns,
    /// milestone rules), if any.
    pub template: Option<&'l Layout>,
    /// The layouts whose header texts name fields: a raw value kept in
    /// `extra` under such a header is checked as that field.
    pub registry: &'l Registry,
}

pub(crate) fn finding(
    item: &Item,
    rule: &str,
    severity: Level,
    message: String,
    dates: &[(&str, Option<NaiveDate>)],
) -> Finding {
    Finding {
        item: item.display_name(),
        rule: rule.to_string(),
        severity,
        message,
        dates: dates
            .iter()
            .filter_map(|(k, v)| v.map(|d| (k.to_string(), d)))
            .collect(),
        location: item.location_text(),
    }
}

/// Checks a POA&M. Findings come sorted by severity, then by item.
pub fn validate(poam: &Poam, opts: &ValidateOptions) -> Vec<Finding> {
    let mut out = Vec::new();
    let as_of = opts.as_of;
    // Duplicate POA&M IDs.
    let mut seen: HashMap<&str, usize> = HashMap::new();
    for item in &poam.items {
        if let Some(id) = &item.id {
            *seen.entry(id.as_str()).or_default() += 1;
        }
    }
    let mut reported = std::collections::HashSet::new();
    for item in &poam.items {
        if let Some(id) = &item.id {
            if seen[id.as_str()] > 1 && reported.insert(id.clone()) {
                out.push(finding(
                    item,
                    "duplicate-id",
                    Level::Error,
                    format!("POA&M ID {id} is used by {} items", seen[id.as_str()]),
                    &[],
                ));
            }
        }
        let baseline = poam
            .system
            .impact_level
            .as_deref()
            .and_then(FedrampBaseline::from_impact_level);
        check_item(item, opts, as_of, baseline, &mut out);
    }
    // The template's mandatory metadata cells (above the header).
    if let Some(layout) = opts.template {
        for blank in layout.blank_metadata(&poam.system) {
            out.push(Finding {
                item: "POA&M header".to_string(),
                rule: "metadata-blank".to_string(),
                severity: Level::Warning,
                message: format!(
                    "'{}' is blank, and the {} template asks for it; set it with {}",
                    blank.label.trim_end_matches(':'),
                    layout.family_label(),
                    blank.how
                ),
                dates: BTreeMap::new(),
                location: None,
            });
        }
    }
    // CMMC: eligibility and the score, judged on the as-of date.
    if let Some(cmmc) = opts.policy.as_ref().and_then(|p| p.cmmc.as_ref()) {
        let report = crate::score(
            poam,
            &crate::ScoreOptions {
                conditional_date: as_of,
                minimum_score: cmmc.minimum_score,
                closeout_days: cmmc.closeout_days,
                never_on_poam: cmmc.never_on_poam.clone(),
            },
        );
        out.extend(report.findings());
    }
    out.sort_by(|a, b| (a.severity, &a.item, &a.rule).cmp(&(b.severity, &b.item, &b.rule)));
    out
}

fn check_item(
    item: &Item,
    opts: &ValidateOptions,
    as_of: NaiveDate,
    baseline: Option<FedrampBaseline>,
    out: &mut Vec<Finding>,
) {
    let open = item.state == State::Open;
    let name = item.display_name();
    // Deadlines.
    if let Some(policy) = &opts.policy {
        let deadline = policy.deadline(item);
        if open {
            let due = policy.due(item);
            if let Some(due) = due.filter(|d| *d < as_of) {
                let why = match &deadline {
                    Some((d, why)) if *d == due => format!("the {} deadline ({why})", policy.title),
                    _ => "its scheduled completion date".to_string(),
                };
                out.push(finding(
                    item,
                    "overdue",
                    Level::Error,
                    format!(
                        "{name} is {} days past {why}, {due}",
                        (as_of - due).num_days()
                    ),
                    &[
                        ("detected", item.detected_on),
                        ("scheduled_completion", item.scheduled_completion),
                        ("deadline", deadline.as_ref().map(|d| d.0)),
                        ("as_of", Some(as_of)),
                    ],
                ));
            }
            if let (Some((d, why)), Some(s)) = (&deadline, item.scheduled_completion) {
                if s > *d {
                    out.push(finding(
                        item,
                        "schedule-beyond-policy",
                        Level::Warning,
                        format!(
                            "{name} is scheduled for {s}, after the {} deadline {d} ({why})",
                            policy.title
                        ),
                        &[
                            ("scheduled_completion", Some(s)),
                            ("deadline", Some(*d)),
                            ("detected", item.detected_on),
                        ],
                    ));
                }
            }
            if policy.days_for(item).is_some()
                && item.detected_on.is_none()
                && policy.clock != crate::Clock::None
            {
                out.push(finding(
                    item,
                    "no-detection-date",
                    Level::Warning,
                    format!("{name} has no original detection date, so its {} deadline cannot be computed", policy.title),
                    &[],
                ));
            }
        }
        let rules = &policy.rules;
        if let (Some(days), true, Some(YesNo::Yes)) =
            (rules.vendor_checkin_days, open, item.vendor.dependency)
        {
            match item.vendor.last_checkin {
                Some(last) if (as_of - last).num_days() <= days => {}
                last => out.push(finding(
                    item,
                    "vendor-checkin",
                    Level::Warning,
                    match last {
                        Some(l) => format!("{name} depends on a vendor last checked in on {l}, more than {days} days before {as_of}"),
                        None => format!("{name} depends on a vendor but has no vendor check-in date"),
                    },
                    &[("last_checkin", last), ("as_of", Some(as_of))],
                )),
            }
        }
        if item.risk.operational_requirement == Some(YesNo::Yes) {
            if let Some(r) = policy.effective_rating(item) {
                if rules
                    .no_operational_requirement_on
                    .iter()
                    .any(|k| k == r.key())
                {
                    out.push(finding(
                        item,
                        "operational-requirement-on-high",
                        Level::Error,
                        format!("{name} is rated {} and claims an Operational Requirement, which {} does not allow", r.label(), policy.title),
                        &[],
                    ));
                }
            }
        }
        if rules.deviations_stay_open && !open {
            let kinds: Vec<&str> = [
                (
                    item.vendor.dependency == Some(YesNo::Yes),
                    "a vendor dependency",
                ),
                (
                    item.risk.operational_requirement == Some(YesNo::Yes),
                    "an operational requirement",
                ),
            ]
            .into_iter()
            .filter_map(|(yes, what)| yes.then_some(what))
            .collect();
            if !kinds.is_empty() {
                out.push(finding(
                    item,
                    "deviation-on-closed-tab",
                    Level::Error,
                    format!(
                        "{name} is closed but carries {}: {} keeps such items on the Open tab",
                        kinds.join(" and "),
                        policy.title
                    ),
                    &[],
                ));
            }
        }
        if rules.one_vulnerability_per_item {
            let ids: Vec<&str> = item
                .source_identifier
                .as_deref()
                .unwrap_or("")
                .split([';', ',', '\n'])
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .collect();
            if ids.len() > 1 {
                out.push(finding(
                    item,
                    "several-vulnerability-ids",
                    Level::Error,
                    format!(
                        "{name} names {} vulnerability ids ({}); {} asks for one item per vulnerability id",
                        ids.len(),
                        ids.join(", "),
                        policy.title
                    ),
                    &[],
                ));
            }
        }
        // Quality systems: a corrective action closes after its root cause
        // is recorded, and its effectiveness is verified.
        if rules.root_cause_before_close
            && !open
            && item
                .quality
                .root_cause
                .as_deref()
                .is_none_or(|r| r.trim().is_empty())
        {
            out.push(finding(
                item,
                "closed-without-root-cause",
                Level::Error,
                format!(
                    "{name} is closed but records no root cause; {} closes a corrective action only once its root cause is recorded",
                    policy.title
                ),
                &[],
            ));
        }
        if let (Some(days), false) = (rules.effectiveness_check_days, open) {
            let checked = item.quality.effectiveness_verified();
            let closed_on = item.completed_on.or(item.status_date);
            if !checked {
                match closed_on.map(|d| (d, d + chrono::Duration::days(days))) {
                    Some((closed, due)) if due < as_of => out.push(finding(
                        item,
                        "no-effectiveness-check",
                        Level::Error,
                        format!(
                            "{name} was closed on {closed} and its effectiveness is not verified; {} asks for the check within {days} days (by {due})",
                            policy.title
                        ),
                        &[("closed", Some(closed)), ("due", Some(due)), ("as_of", Some(as_of))],
                    )),
                    Some((_, due)) => out.push(finding(
                        item,
                        "effectiveness-check-due",
                        Level::Warning,
                        format!("{name}: the verification of effectiveness is due by {due}"),
                        &[("due", Some(due))],
                    )),
                    None => out.push(finding(
                        item,
                        "no-effectiveness-check",
                        Level::Error,
                        format!(
                            "{name} is closed without a completion date or a verification of effectiveness; {} asks for the check",
                            policy.title
                        ),
                        &[],
                    )),
                }
            }
        }
        if rules.one_detection_date_per_item && item.detected_on.is_none() {
            // The reader keeps a detection date cell that is not one date
            // in `extra` under its header: several dates there are findings
            // of different detection dates grouped in one item.
            let several = item.extra.iter().find_map(|(header, text)| {
                (opts.registry.field_for_header(header) == Some(Field::DetectedOn))
                    .then(|| detection_dates(text))
                    .filter(|days| days.len() > 1)
            });
            if let Some(days) = several {
                let list: Vec<String> = days.iter().map(|d| d.to_string()).collect();
                out.push(finding(
                    item,
                    "several-detection-dates",
                    Level::Error,
                    format!(
                        "{name} groups findings detected on {} different days ({}); {} asks for one item per vulnerability and original detection date",
                        days.len(),
                        list.join(", "),
                        policy.title
                    ),
                    &[],
                ));
            }
        }
        if let (Some(days), true, Some(YesNo::Yes), Some(detected)) = (
            rules.vendor_high_mitigate_days,
            open,
            item.vendor.dependency,
            item.detected_on,
        ) {
            let high = item
                .risk
                .original
                .is_some_and(|r| r >= poam_model::Rating::High);
            let mitigated = item.risk.adjustment == Some(YesNo::Yes)
                && item
                    .risk
                    .adjusted
                    .is_some_and(|r| r <= poam_model::Rating::Moderate);
            if high && !mitigated && (as_of - detected).num_days() > days {
                out.push(finding(
                    item,
                    "vendor-high-not-mitigated",
                    Level::Warning,
                    format!(
                        "{name} is a High vendor dependency detected {} days before {as_of} and not mitigated to Moderate; {} asks for that after {days} days",
                        (as_of - detected).num_days(),
                        policy.title
                    ),
                    &[("detected", Some(detected)), ("as_of", Some(as_of))],
                ));
            }
        }
        if rules.false_positive_must_close && open && item.risk.false_positive == Some(YesNo::Yes) {
            out.push(finding(
                item,
                "false-positive-open",
                Level::Error,
                format!("{name} is an approved False Positive and belongs on the Closed tab"),
                &[],
            ));
        }
    }
    // Template rules.
    if let Some(layout) = opts.template {
        if open {
            for field in layout.mandatory_fields() {
                if item.is_blank(field)
                    && !item
                        .extra
                        .keys()
                        .any(|k| opts.registry.field_for_header(k) == Some(field))
                {
                    out.push(finding(
                        item,
                        "mandatory-field",
                        Level::Error,
                        format!(
                            "{name}: '{}' is mandatory in the {} template",
                            field.label(),
                            layout.family_label()
                        ),
                        &[],
                    ));
                }
            }
        }
        // The rules of the system the template is uploaded to (eMASS).
        if let Some(rules) = crate::system::for_family(&layout.family) {
            rules.check_item(item, as_of, Some(layout), out);
        }
    }
    // N/A or None where a value or blank belongs.
    for field in Field::ALL {
        if field.kind() != FieldKind::Text || *field == Field::Id {
            continue;
        }
        if let poam_model::field::Value::Text(t) = item.get(*field) {
            if is_not_applicable(&t) {
                out.push(finding(
                    item,
                    "placeholder",
                    Level::Warning,
                    format!(
                        "{name}: '{}' says \"{t}\"; leave the cell blank instead",
                        field.label()
                    ),
                    &[],
                ));
            }
        }
    }
    for (header, value) in &item.extra {
        let Some(field) = opts.registry.field_for_header(header) else {
            continue;
        };
        if is_not_applicable(value) {
            if !(field == Field::RiskAdjusted && value.eq_ignore_ascii_case("n/a")) {
                out.push(finding(
                    item,
                    "placeholder",
                    Level::Warning,
                    format!("{name}: '{header}' says \"{value}\"; leave the cell blank instead"),
                    &[],
                ));
            }
        } else {
            out.push(finding(
                item,
                "allowed-values",
                Level::Error,
                format!(
                    "{name}: '{header}' holds \"{value}\", which is not {}",
                    what(field)
                ),
                &[],
            ));
        }
    }
    // Dates in order.
    if let Some(detected) = item.detected_on {
        for (label, date) in [
            ("scheduled completion", item.scheduled_completion),
            ("completion", item.completed_on),
            ("status", item.status_date),
        ] {
            if let Some(d) = date.filter(|d| *d < detected) {
                out.push(finding(
                    item,
                    "date-order",
                    Level::Error,
                    format!("{name}: the {label} date {d} is before the detection date {detected}"),
                    &[("detected", Some(detected)), (label, Some(d))],
                ));
            }
        }
    }
    if item.vendor.product.is_some() && item.vendor.dependency != Some(YesNo::Yes) {
        out.push(finding(
            item,
            "vendor-product-without-dependency",
            Level::Warning,
            format!("{name} names a vendor product but its Vendor Dependency is not Yes"),
            &[],
        ));
    }
    // Control validity.
    let cat = catalogs();
    for raw in &item.unparsed_controls {
        out.push(finding(
            item,
            "unknown-control",
            Level::Error,
            format!("{name}: \"{raw}\" is not a control identifier of any known framework"),
            &[],
        ));
    }
    for control in &item.controls {
        let Some(id) = parse_control(control).and_then(|p| p.ids.into_iter().next()) else {
            continue;
        };
        match id.catalog {
            Catalog::Sp80053 => match cat.control(control) {
                None => out.push(finding(
                    item,
                    "unknown-control",
                    Level::Error,
                    format!(
                        "{name}: {control} is not a NIST SP 800-53 rev 5 control or enhancement"
                    ),
                    &[],
                )),
                Some(c) if c.withdrawn.is_some() => out.push(finding(
                    item,
                    "withdrawn-control",
                    Level::Warning,
                    format!(
                        "{name}: {control} ({}) is withdrawn from NIST SP 800-53 rev 5: {}",
                        c.title,
                        c.withdrawn.as_deref().unwrap_or_default()
                    ),
                    &[],
                )),
                Some(_) => {
                    if let Some(b) = baseline.filter(|b| {
                        opts.policy.as_ref().is_some_and(|p| p.name == "fedramp")
                            && !cat.in_fedramp(*b, control)
                    }) {
                        out.push(finding(
                            item,
                            "not-in-baseline",
                            Level::Info,
                            format!(
                                "{name}: {control} is not in the FedRAMP Rev 5 {} baseline",
                                b.name()
                            ),
                            &[],
                        ));
                    }
                }
            },
            Catalog::Sp800171R2 if cat.requirement(control).is_none() => {
                out.push(finding(
                    item,
                    "unknown-control",
                    Level::Error,
                    format!("{name}: {control} is not one of the 110 NIST SP 800-171 rev 2 requirements"),
                    &[],
                ));
            }
            _ => {}
        }
    }
    check_ccis(item, &name, out);
}

/// A CCI DISA's list does not have, one DISA deprecated, and one that maps to
/// another control than the item's.
fn check_ccis(item: &Item, name: &str, out: &mut Vec<Finding>) {
    let cat = catalogs();
    // `AC-2` and `AC-2(1)` are the same control for this check: STIG tools
    // name the base control of an enhancement's CCI.
    let base = |c: &str| c.split('(').next().unwrap_or(c).to_string();
    for id in &item.ccis {
        let Some(cci) = cat.cci(id) else {
            out.push(finding(
                item,
                "unknown-cci",
                Level::Error,
                format!("{name}: {id} is not in DISA's CCI list"),
                &[],
            ));
            continue;
        };
        if cci.deprecated {
            out.push(finding(
                item,
                "deprecated-cci",
                Level::Warning,
                format!("{name}: {id} is deprecated in DISA's CCI list"),
                &[],
            ));
        }
        let mapped: Vec<&String> = cci.rev5.iter().chain(&cci.rev4).collect();
        if mapped.is_empty() || item.controls.is_empty() {
            continue;
        }
        let agrees = mapped.iter().any(|m| {
            item.controls
                .iter()
                .any(|c| c.as_str() == m.as_str() || base(c) == **m || base(m) == c.as_str())
        });
        if !agrees {
            out.push(finding(
                item,
                "cci-mismatch",
                Level::Warning,
                format!(
                    "{name}: {id} maps to {} in DISA's CCI list, not to the item's {}",
                    cci.controls().join(", "),
                    item.controls.join(", ")
                ),
                &[],
            ));
        }
    }
}

fn what(field: Field) -> &'static str {
    match field.kind() {
        FieldKind::Date => "a date",
        FieldKind::Rating => "a rating from the allowed list",
        FieldKind::YesNo => "Yes, No or Pending",
        FieldKind::Status => "a status from the allowed list",
        FieldKind::RawSeverity => "CAT I, II or III",
        _ => "an allowed value",
    }
}

/// Findings counted by rule, for summaries.
pub fn by_rule(findings: &[Finding]) -> BTreeMap<String, usize> {
    let mut out = BTreeMap::new();
    for f in findings {
        *out.entry(f.rule.clone()).or_default() += 1;
    }
    out
}

/// The distinct dates a cell names (`01/05/2024; 02/03/2024`, one a line).
fn detection_dates(text: &str) -> Vec<NaiveDate> {
    let mut days: Vec<NaiveDate> = text
        .split([';', ',', '\n', '&', '|'])
        .flat_map(|part| part.split(" and "))
        .filter_map(|part| {
            poam_model::date::parse_date_text(part.trim(), poam_model::date::DateOrder::MonthFirst)
        })
        .collect();
    days.sort();
    days.dedup();
    days
}
