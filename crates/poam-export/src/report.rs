//! Reports a reviewer reads: the figures (counts, overdue items, ages)
//! computed once into [`ReportData`], then rendered as Markdown or HTML by
//! minijinja templates (`templates/reports/`, replaceable with a folder of
//! one's own), or as Word by `docx_out`.

use crate::ExportError;
use chrono::{Datelike, NaiveDate};
use poam_model::{Item, Poam, Rating, State, YesNo};
use serde::Serialize;
use std::path::Path;
use std::sync::Arc;

/// Report options.
#[derive(Debug, Clone, Default)]
pub struct ReportOptions {
    /// The day that decides what is overdue and how old items are.
    pub as_of: NaiveDate,
    /// The policy deadlines are computed by (its title), if any.
    pub policy: Option<String>,
    /// Per item, in model order: the due date that makes it overdue (the
    /// policy's deadline or its schedule, whichever is earlier). Without it
    /// the scheduled completion date decides.
    pub due: Option<Vec<Option<NaiveDate>>>,
    /// The SPRS score and CMMC verdict, for 800-171 / CMMC POA&Ms.
    pub score: Option<ScoreSummary>,
    /// Risks named by DISA category (CAT I/II/III) where items have one, as
    /// the DoD policy counts them.
    pub by_category: bool,
    /// The report's author (`--author`); the organization or system when
    /// absent.
    pub author: Option<String>,
    /// The policy's escalation triggers counted (FedRAMP's performance
    /// management), when the policy has them.
    pub escalation: Option<EscalationSummary>,
    /// The user's own frameworks (`--framework`), for their titles and
    /// clause headings; the built-in ones are always known.
    pub frameworks: Vec<poam_layout::catalog::Framework>,
    /// What the report is (`Corrective-action report`); a Plan of Action
    /// and Milestones without it. The system's name follows it.
    pub title: Option<String>,
}

pub use poam_rules::escalation::EscalationSummary;
pub use poam_rules::ScoreSummary;

/// One count with its label.
#[derive(Debug, Clone, Serialize)]
pub struct Count {
    /// What is counted (`High`, `Open`).
    pub label: String,
    /// How many.
    pub count: usize,
}

/// One milestone as the report shows it.
#[derive(Debug, Clone, Serialize)]
pub struct MilestoneRow {
    /// What will be done.
    pub description: String,
    /// Due date, ISO.
    pub due: Option<String>,
    /// Status word, if any.
    pub status: Option<String>,
}

/// One item as the report shows it.
#[derive(Debug, Clone, Serialize)]
pub struct ItemRow {
    /// POA&M ID (or `-`).
    pub id: String,
    /// Weakness name, or the start of the description.
    pub title: String,
    /// Full description.
    pub description: Option<String>,
    /// Controls, comma separated.
    pub controls: String,
    /// Open or Closed.
    pub state: String,
    /// Status word, if any.
    pub status: Option<String>,
    /// The rating that counts: adjusted when the adjustment is approved.
    pub risk: Option<String>,
    /// Original and adjusted ratings.
    pub original_risk: Option<String>,
    /// Adjusted rating.
    pub adjusted_risk: Option<String>,
    /// Detection date, ISO.
    pub detected_on: Option<String>,
    /// Scheduled completion, ISO.
    pub due: Option<String>,
    /// Days past the scheduled completion (open items only).
    pub days_overdue: Option<i64>,
    /// Days since detection.
    pub age_days: Option<i64>,
    /// Point of contact.
    pub point_of_contact: Option<String>,
    /// Remediation plan.
    pub remediation_plan: Option<String>,
    /// Milestones.
    pub milestones: Vec<MilestoneRow>,
    /// Deviation rationale and flags, as one text.
    pub deviation: Option<String>,
    /// Where it came from (`'Open POA&M Items' row 9`).
    pub source: Option<String>,
    /// The SSP sections of its controls (`AC-2 Account Management: Partially Implemented`).
    pub ssp: Vec<String>,
    /// Ids of other frameworks, with the framework (`ISO 9001:2015 7.1.5.2`).
    pub other_controls: Vec<String>,
    /// What a corrective-action log records: grade, root cause,
    /// containment, preventive action, verification of effectiveness, each
    /// as a labelled line, in that order; empty for other POA&Ms.
    pub corrective_action: Vec<Labelled>,
}

impl ItemRow {
    /// The item's NIST controls and its ids of other frameworks, for the
    /// items table (`3.8.4, ISO 9001:2015 7.5.3`).
    pub fn all_controls(&self) -> String {
        std::iter::once(self.controls.as_str())
            .filter(|c| !c.is_empty())
            .chain(self.other_controls.iter().map(String::as_str))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// A labelled text.
#[derive(Debug, Clone, Serialize)]
pub struct Labelled {
    /// The label (`Root cause`).
    pub label: String,
    /// The text.
    pub text: String,
}

/// Charts as inline SVG.
#[derive(Debug, Clone, Serialize)]
pub struct Charts {
    /// Open items by risk.
    pub risk: String,
    /// Age of open items.
    pub age: String,
    /// Overdue items by the month they were due.
    pub overdue: String,
}

/// Everything a report template receives.
#[derive(Debug, Clone, Serialize)]
pub struct ReportData {
    /// Report title.
    pub title: String,
    /// System name.
    pub system: Option<String>,
    /// The marking (CUI) the POA&M carries, shown at the top and bottom.
    pub marking: Option<String>,
    /// The author given (`--author`), if any.
    pub author: Option<String>,
    /// The marking as a CSS string's contents (every character but letters,
    /// digits, spaces and `-` as a CSS escape), for the HTML report's
    /// printed page margins; nothing in it for HTML escaping to change.
    pub marking_css: Option<String>,
    /// Organization.
    pub organization: Option<String>,
    /// Impact level.
    pub impact_level: Option<String>,
    /// POA&M date, ISO.
    pub poam_date: Option<String>,
    /// The as-of date, ISO.
    pub as_of: String,
    /// Item count.
    pub total: usize,
    /// Open items.
    pub open: usize,
    /// Closed items.
    pub closed: usize,
    /// Open items past their scheduled completion.
    pub overdue: usize,
    /// Open items by risk, highest first.
    pub by_risk: Vec<Count>,
    /// Items by status.
    pub by_status: Vec<Count>,
    /// Open items past their scheduled completion, most overdue first.
    #[serde(skip)]
    pub overdue_items: Rows,
    /// Every item, open first.
    #[serde(skip)]
    pub items: Rows,
    /// Open items only (one section each in the Word report).
    #[serde(skip)]
    pub open_items: Rows,
    /// Inline SVG charts.
    pub charts: Charts,
    /// The policy overdue items are judged by, if any.
    pub policy: Option<String>,
    /// The SPRS score, when given.
    pub score: Option<ScoreSummary>,
    /// The escalation triggers, when the policy has them.
    pub escalation: Option<EscalationSummary>,
    /// The summary by business unit, when items carry one (a roll-up).
    pub units: Vec<UnitRow>,
    /// Open items by framework and clause, when any item names an id of a
    /// framework other than NIST's (a quality POA&M, a mixed one).
    pub frameworks: Vec<FrameworkRow>,
    /// Closed corrective actions whose effectiveness is not yet verified
    /// (items of a corrective-action log only).
    pub awaiting_effectiveness: Vec<Labelled>,
}

/// One framework's line in a report: its open items and their clauses.
#[derive(Debug, Clone, Serialize)]
pub struct FrameworkRow {
    /// The framework's title (`ISO 9001:2015`, `NIST SP 800-171`).
    pub framework: String,
    /// Open items naming one of its ids.
    pub open: usize,
    /// Of those, past due.
    pub overdue: usize,
    /// Open items by clause or control, in id order (`7.1.5.2 (1)`).
    pub clauses: Vec<Count>,
}

/// The frameworks a report knows by name: the user's first, then the
/// built-in ones.
fn known_frameworks(
    user: &[poam_layout::catalog::Framework],
) -> std::collections::HashMap<&str, &poam_layout::catalog::Framework> {
    let mut known = std::collections::HashMap::new();
    for f in poam_layout::catalog::catalogs().frameworks().chain(user) {
        known.insert(f.name.as_str(), f);
    }
    known
}

/// A clause with its heading where the framework's data has one (`8.7
/// Control of nonconforming outputs`), or the heading of the clause above
/// it (`A.5.18 in A.5 Organizational controls`).
fn clause_label(f: &poam_layout::catalog::Framework, id: &str) -> String {
    match f.title_of(id) {
        Some((at, title)) if at == id => format!("{id} {title}"),
        Some((at, title)) => format!("{id} in {at} {title}"),
        None => id.to_string(),
    }
}

/// Open items by framework and clause: NIST controls by catalog (SP 800-53
/// ids start with a family, SP 800-171 ones with a digit), other frameworks
/// by their title; an item counts under each framework it names.
fn by_framework(
    poam: &Poam,
    open: &[u32],
    overdue: &dyn Fn(usize) -> bool,
    known: &std::collections::HashMap<&str, &poam_layout::catalog::Framework>,
) -> Vec<FrameworkRow> {
    use std::collections::{BTreeMap, BTreeSet};
    if !poam.items.iter().any(|i| !i.other_controls.is_empty()) {
        return Vec::new();
    }
    /// A framework's open items, overdue items and items by clause.
    #[derive(Default)]
    struct Tally {
        items: BTreeSet<u32>,
        late: BTreeSet<u32>,
        clauses: BTreeMap<String, usize>,
    }
    let mut rows: BTreeMap<String, Tally> = BTreeMap::new();
    for &n in open {
        let item = &poam.items[n as usize];
        let mut ids: Vec<(String, String)> = item
            .controls
            .iter()
            .map(|c| {
                let catalog = if c.starts_with(|ch: char| ch.is_ascii_digit()) {
                    "NIST SP 800-171"
                } else {
                    "NIST SP 800-53"
                };
                (catalog.to_string(), c.to_string())
            })
            .collect();
        ids.extend(
            item.other_controls
                .iter()
                .map(|o| match known.get(o.framework.as_str()) {
                    Some(f) => (f.title.clone(), clause_label(f, &o.id)),
                    None => (o.framework.clone(), o.id.clone()),
                }),
        );
        for (framework, id) in ids {
            let row = rows.entry(framework).or_default();
            row.items.insert(n);
            if overdue(n as usize) {
                row.late.insert(n);
            }
            *row.clauses.entry(id).or_default() += 1;
        }
    }
    rows.into_iter()
        .map(|(framework, row)| FrameworkRow {
            framework,
            open: row.items.len(),
            overdue: row.late.len(),
            clauses: row
                .clauses
                .into_iter()
                .map(|(label, count)| Count { label, count })
                .collect(),
        })
        .collect()
}

/// One business unit's line in a report.
#[derive(Debug, Clone, Serialize)]
pub struct UnitRow {
    /// The unit.
    pub unit: String,
    /// Open items.
    pub open: usize,
    /// Open items past their scheduled completion.
    pub overdue: usize,
    /// Closed items.
    pub closed: usize,
    /// Open items by rating, as text (`High 2, Moderate 1`).
    pub risks: String,
}

/// The rating that counts for an item: the adjusted one when the
/// adjustment is approved, else the original, else the eMASS category's.
pub fn effective_risk(item: &Item) -> Option<Rating> {
    item.effective_rating()
}

/// Text as the inside of a CSS string: letters, digits, spaces and `-` as
/// they are, every other character as `\HHHHHH` (six hex digits, so no
/// space is needed after it; HTML escaping, which would change `/` or `&`,
/// then has nothing to change).
fn css_string(text: &str) -> String {
    text.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, ' ' | '-') {
                c.to_string()
            } else {
                format!("\\{:06X}", c as u32)
            }
        })
        .collect()
}

fn iso(d: Option<NaiveDate>) -> Option<String> {
    d.map(|d| d.format("%Y-%m-%d").to_string())
}

/// An item's risk as the report names it: its DISA category under the DoD
/// policy, else its rating.
fn risk_label(item: &Item, by_category: bool) -> Option<String> {
    match (by_category, item.emass.raw_severity) {
        (true, Some(c)) => Some(format!("CAT {}", c.label())),
        _ => effective_risk(item).map(|r| r.label().to_string()),
    }
}

fn row(
    item: &Item,
    as_of: NaiveDate,
    due_override: Option<NaiveDate>,
    by_category: bool,
    framework_titles: &std::collections::HashMap<String, String>,
) -> ItemRow {
    let open = item.state == State::Open;
    let title = item
        .weakness_name
        .clone()
        .or_else(|| {
            // The description's first line, whole.
            item.weakness_description
                .as_ref()
                .map(|d| d.lines().next().unwrap_or_default().trim().into())
        })
        .unwrap_or_else(|| "(no weakness name)".into());
    let mut deviation = Vec::new();
    for (label, v) in [
        ("Risk adjustment", item.risk.adjustment),
        ("False positive", item.risk.false_positive),
        ("Operational requirement", item.risk.operational_requirement),
        ("Vendor dependency", item.vendor.dependency),
    ] {
        if let Some(v) = v {
            if v != YesNo::No {
                deviation.push(format!("{label}: {}", v.label()));
            }
        }
    }
    if let Some(r) = &item.risk.deviation_rationale {
        deviation.push(r.to_string());
    }
    ItemRow {
        id: item.id.clone().unwrap_or_else(|| "-".into()).to_string(),
        title: title.to_string(),
        description: item.weakness_description.as_deref().map(str::to_string),
        controls: item.controls.join(", "),
        state: if open { "Open" } else { "Closed" }.into(),
        status: item.status.map(|s| s.label().to_string()),
        risk: risk_label(item, by_category),
        original_risk: item.risk.original.map(|r| r.label().to_string()),
        adjusted_risk: item.risk.adjusted.map(|r| r.label().to_string()),
        detected_on: iso(item.detected_on),
        due: iso(item.scheduled_completion),
        days_overdue: due_override
            .or(item.scheduled_completion)
            .filter(|d| open && *d < as_of)
            .map(|d| (as_of - d).num_days()),
        age_days: item.detected_on.map(|d| (as_of - d).num_days()),
        point_of_contact: item.point_of_contact.as_deref().map(str::to_string),
        remediation_plan: item.remediation_plan.as_deref().map(str::to_string),
        milestones: item
            .milestones
            .iter()
            .map(|m| MilestoneRow {
                description: m.description.to_string(),
                due: iso(m.due),
                status: m.status.map(|s| s.label().to_string()),
            })
            .collect(),
        deviation: (!deviation.is_empty()).then(|| deviation.join("\n")),
        source: item.origin.as_ref().map(|o| match (&o.sheet, o.row) {
            (Some(s), Some(r)) => format!("'{s}' row {r}"),
            _ => o.file.to_string(),
        }),
        other_controls: item
            .other_controls
            .iter()
            .map(|o| {
                let title = framework_titles.get(&o.framework).unwrap_or(&o.framework);
                format!("{title} {}", o.id)
            })
            .collect(),
        corrective_action: {
            let q = &item.quality;
            let effectiveness = match (
                q.effectiveness_checked_on,
                q.effectiveness_result.as_deref(),
                q.verified_by.as_deref(),
            ) {
                (None, None, _) => None,
                (day, result, by) => Some(
                    [
                        day.map(|d| d.to_string()),
                        result.map(str::to_string),
                        by.map(|b| format!("by {b}")),
                    ]
                    .into_iter()
                    .flatten()
                    .collect::<Vec<_>>()
                    .join("; "),
                ),
            };
            [
                ("Standard", q.standard.as_deref().map(str::to_string)),
                ("Grade", q.grade.as_deref().map(str::to_string)),
                ("Root cause", q.root_cause.as_deref().map(str::to_string)),
                ("Containment", q.containment.as_deref().map(str::to_string)),
                (
                    "Preventive action",
                    q.preventive_action.as_deref().map(str::to_string),
                ),
                ("Verification of effectiveness", effectiveness),
            ]
            .into_iter()
            .filter_map(|(label, text)| {
                text.map(|text| Labelled {
                    label: label.to_string(),
                    text,
                })
            })
            .collect()
        },
        ssp: item
            .ssp_refs
            .iter()
            .map(|r| {
                let what = match &r.part {
                    Some(p) => format!("{} (part {p})", r.control),
                    None => r.control.clone(),
                };
                match (&r.section, &r.note) {
                    (Some(section), _) if r.status.is_empty() => {
                        format!("{what}: SSP section \"{section}\"")
                    }
                    (Some(section), _) => {
                        format!("{what}: SSP section \"{section}\", {}", r.status.join(", "))
                    }
                    (None, Some(note)) => format!("{what}: {note}"),
                    (None, None) => format!("{what}: no SSP section"),
                }
            })
            .collect(),
    }
}

/// The items a list of the report shows, each made into its [`ItemRow`]
/// when a template or the Word writer reaches it: a report of a million
/// items holds the items once and one number per listed item, never every
/// row at once.
#[derive(Clone, Default)]
pub struct Rows {
    source: Option<Arc<RowSource>>,
    picks: Arc<[u32]>,
}

struct RowSource {
    poam: Arc<Poam>,
    as_of: NaiveDate,
    due: Option<Vec<Option<NaiveDate>>>,
    by_category: bool,
    /// Framework titles by name (`iso-9001`: `ISO 9001:2015`).
    framework_titles: std::collections::HashMap<String, String>,
}

impl RowSource {
    fn due_for(&self, n: usize) -> Option<NaiveDate> {
        self.due.as_ref().and_then(|d| d.get(n).copied().flatten())
    }

    fn days_overdue(&self, n: usize) -> Option<i64> {
        let item = &self.poam.items[n];
        self.due_for(n)
            .or(item.scheduled_completion)
            .filter(|d| item.state == State::Open && *d < self.as_of)
            .map(|d| (self.as_of - d).num_days())
    }
}

impl Rows {
    fn new(source: &Arc<RowSource>, picks: Vec<u32>) -> Rows {
        Rows {
            source: Some(source.clone()),
            picks: picks.into(),
        }
    }

    /// Number of rows.
    pub fn len(&self) -> usize {
        self.picks.len()
    }

    /// Whether the list is empty.
    pub fn is_empty(&self) -> bool {
        self.picks.is_empty()
    }

    /// The row at a position of the list.
    pub fn get(&self, at: usize) -> Option<ItemRow> {
        let source = self.source.as_ref()?;
        let n = *self.picks.get(at)? as usize;
        Some(row(
            &source.poam.items[n],
            source.as_of,
            source.due_for(n),
            source.by_category,
            &source.framework_titles,
        ))
    }

    /// The rows in order.
    pub fn iter(&self) -> impl Iterator<Item = ItemRow> + '_ {
        (0..self.len()).filter_map(|at| self.get(at))
    }
}

impl std::fmt::Debug for Rows {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Rows({})", self.len())
    }
}

impl Serialize for Rows {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(self.iter())
    }
}

impl minijinja::value::Object for Rows {
    fn repr(self: &Arc<Self>) -> minijinja::value::ObjectRepr {
        minijinja::value::ObjectRepr::Seq
    }

    fn get_value(self: &Arc<Self>, key: &minijinja::Value) -> Option<minijinja::Value> {
        self.get(key.as_usize()?)
            .map(|r| minijinja::Value::from(minijinja::value::Serde(r)))
    }

    fn enumerate(self: &Arc<Self>) -> minijinja::value::Enumerator {
        minijinja::value::Enumerator::Seq(self.len())
    }
}

/// Computes the report's figures.
pub fn build(poam: Arc<Poam>, opts: &ReportOptions) -> ReportData {
    let as_of = opts.as_of;
    let known = known_frameworks(&opts.frameworks);
    let source = Arc::new(RowSource {
        poam: poam.clone(),
        as_of,
        due: opts.due.clone(),
        by_category: opts.by_category,
        framework_titles: known
            .values()
            .map(|f| (f.name.clone(), f.title.clone()))
            .collect(),
    });
    let due_for = |n: usize| source.due_for(n);
    let is_open = |n: &u32| poam.items[*n as usize].state == State::Open;
    let all = 0..poam.items.len() as u32;
    // Open items first, each group in the order read.
    let mut order: Vec<u32> = all.clone().filter(is_open).collect();
    order.extend(all.filter(|n| !is_open(n)));
    let open_picks: Vec<u32> = order.iter().copied().filter(is_open).collect();
    let mut overdue_picks: Vec<(i64, u32)> = open_picks
        .iter()
        .filter_map(|&n| source.days_overdue(n as usize).map(|d| (d, n)))
        .collect();
    overdue_picks.sort_by_key(|(days, _)| std::cmp::Reverse(*days));
    let overdue_items = Rows::new(&source, overdue_picks.into_iter().map(|(_, n)| n).collect());
    let open_count_without_detection = open_picks
        .iter()
        .filter(|&&n| poam.items[n as usize].detected_on.is_none())
        .count();
    let ages: Vec<i64> = open_picks
        .iter()
        .filter_map(|&n| {
            poam.items[n as usize]
                .detected_on
                .map(|d| (as_of - d).num_days())
        })
        .collect();
    let items = Rows::new(&source, order);
    let frameworks = by_framework(
        &poam,
        &open_picks,
        &|n| source.days_overdue(n).is_some(),
        &known,
    );
    let open_items = Rows::new(&source, open_picks);
    let ratings = [
        Rating::Critical,
        Rating::VeryHigh,
        Rating::High,
        Rating::Moderate,
        Rating::Low,
        Rating::VeryLow,
    ];
    let open: Vec<&Item> = poam
        .items
        .iter()
        .filter(|i| i.state == State::Open)
        .collect();
    // Under the DoD policy, items with a DISA category are counted by it.
    let categorized = |i: &&Item| opts.by_category && i.emass.raw_severity.is_some();
    let mut by_risk: Vec<Count> = Vec::new();
    for cat in [
        poam_model::RawSeverity::CatI,
        poam_model::RawSeverity::CatII,
        poam_model::RawSeverity::CatIII,
    ] {
        let count = open
            .iter()
            .filter(|i| categorized(i) && i.emass.raw_severity == Some(cat))
            .count();
        if count > 0 {
            by_risk.push(Count {
                label: format!("CAT {}", cat.label()),
                count,
            });
        }
    }
    by_risk.extend(
        ratings
            .iter()
            .map(|r| Count {
                label: r.label().to_string(),
                count: open
                    .iter()
                    .filter(|i| !categorized(i) && effective_risk(i) == Some(*r))
                    .count(),
            })
            .filter(|c| c.count > 0),
    );
    let unrated = open
        .iter()
        .filter(|i| !categorized(i) && effective_risk(i).is_none())
        .count();
    if unrated > 0 {
        by_risk.push(Count {
            label: "Not rated".into(),
            count: unrated,
        });
    }
    let mut by_status: Vec<Count> = Vec::new();
    for item in &poam.items {
        let label = item
            .status
            .map(|s| s.label().to_string())
            .unwrap_or_else(|| "No status".into());
        match by_status.iter_mut().find(|c| c.label == label) {
            Some(c) => c.count += 1,
            None => by_status.push(Count { label, count: 1 }),
        }
    }
    // Age buckets of open items, and overdue items by the month they were due.
    let buckets = [
        ("0-30 days", 0, 30),
        ("31-90", 31, 90),
        ("91-180", 91, 180),
        ("181-365", 181, 365),
        ("over a year", 366, i64::MAX),
    ];
    let mut age: Vec<Count> = buckets
        .iter()
        .map(|(label, lo, hi)| Count {
            label: label.to_string(),
            count: ages.iter().filter(|a| **a >= *lo && **a <= *hi).count(),
        })
        .collect();
    // Every open item is counted: detected after the as-of date, or with no
    // detection date, in buckets of their own.
    let later = ages.iter().filter(|a| **a < 0).count();
    if later > 0 {
        age.push(Count {
            label: "detected after the as-of date".into(),
            count: later,
        });
    }
    let unknown = open_count_without_detection;
    if unknown > 0 {
        age.push(Count {
            label: "no detection date".into(),
            count: unknown,
        });
    }
    let mut months: Vec<Count> = Vec::new();
    let mut overdue_dates: Vec<NaiveDate> = poam
        .items
        .iter()
        .enumerate()
        .filter(|(_, i)| i.state == State::Open)
        .filter_map(|(n, i)| due_for(n).or(i.scheduled_completion))
        .filter(|d| *d < as_of)
        .collect();
    overdue_dates.sort();
    for d in overdue_dates {
        let label = format!("{}-{:02}", d.year(), d.month());
        match months.iter_mut().find(|c| c.label == label) {
            Some(c) => c.count += 1,
            None => months.push(Count { label, count: 1 }),
        }
    }
    let sys = &poam.system;
    ReportData {
        title: {
            let kind = opts
                .title
                .as_deref()
                .unwrap_or("Plan of Action and Milestones");
            match &sys.name {
                Some(n) => format!("{kind}: {n}"),
                None => kind.into(),
            }
        },
        system: sys.name.clone(),
        marking: sys.marking.clone(),
        author: opts.author.clone(),
        marking_css: sys.marking.as_deref().map(css_string),
        organization: sys.organization.clone(),
        impact_level: sys.impact_level.clone(),
        poam_date: iso(sys.poam_date),
        as_of: as_of.format("%Y-%m-%d").to_string(),
        total: poam.items.len(),
        open: open.len(),
        closed: poam.items.len() - open.len(),
        overdue: overdue_items.len(),
        charts: Charts {
            risk: bar_chart("Open items by risk", &by_risk),
            age: bar_chart("Age of open items", &age),
            overdue: bar_chart("Overdue items by month due", &months),
        },
        by_risk,
        by_status,
        overdue_items,
        items,
        open_items,
        policy: opts.policy.clone(),
        score: opts.score.clone(),
        escalation: opts.escalation.clone(),
        frameworks,
        awaiting_effectiveness: poam
            .items
            .iter()
            .filter(|i| {
                i.state == State::Closed
                    && !i.quality.is_empty()
                    && !i.quality.effectiveness_verified()
            })
            .map(|i| Labelled {
                label: i.display_name(),
                text: format!(
                    "{}{}",
                    i.weakness_name.as_deref().unwrap_or("(no finding)"),
                    i.completed_on
                        .map(|d| format!(", closed {d}"))
                        .unwrap_or_default()
                ),
            })
            .collect(),
        units: if poam.items.iter().any(|i| i.business_unit.is_some()) {
            poam_ops::rollup::summarize(&poam.items, as_of, &[])
                .into_iter()
                .map(|u| UnitRow {
                    // Highest rating first, the unrated last.
                    risks: u
                        .by_rating
                        .iter()
                        .rev()
                        .map(|(r, n)| format!("{} {n}", r.label()))
                        .chain((u.not_rated > 0).then(|| format!("Not rated {}", u.not_rated)))
                        .collect::<Vec<_>>()
                        .join(", "),
                    unit: u.unit,
                    open: u.open,
                    overdue: u.overdue,
                    closed: u.closed,
                })
                .collect()
        } else {
            Vec::new()
        },
    }
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// A horizontal bar chart as a self-contained SVG element.
pub fn bar_chart(title: &str, counts: &[Count]) -> String {
    let width = 520;
    let bar_h = 22;
    let top = 34;
    let label_w = 130;
    let height = top + counts.len().max(1) * (bar_h + 8) + 10;
    let max = counts.iter().map(|c| c.count).max().unwrap_or(0).max(1);
    let mut svg = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart\" role=\"img\" width=\"{width}\" height=\"{height}\" viewBox=\"0 0 {width} {height}\" aria-label=\"{}\">\
         <title>{}</title><text x=\"0\" y=\"18\" font-size=\"15\" font-weight=\"bold\" font-family=\"sans-serif\">{}</text>",
        escape(title),
        escape(title),
        escape(title)
    );
    if counts.is_empty() {
        svg.push_str(&format!(
            "<text x=\"0\" y=\"{}\" font-size=\"13\" font-family=\"sans-serif\" fill=\"#555\">None</text>",
            top + 14
        ));
    }
    for (i, c) in counts.iter().enumerate() {
        let y = top + i * (bar_h + 8);
        let w = ((width - label_w - 50) * c.count) / max;
        svg.push_str(&format!(
            "<text x=\"0\" y=\"{}\" font-size=\"13\" font-family=\"sans-serif\">{}</text>\
             <rect class=\"bar\" x=\"{label_w}\" y=\"{y}\" width=\"{}\" height=\"{bar_h}\" fill=\"#2b6cb0\"><title>{}: {}</title></rect>\
             <text x=\"{}\" y=\"{}\" font-size=\"13\" font-family=\"sans-serif\">{}</text>",
            y + 16,
            escape(&c.label),
            w.max(2),
            escape(&c.label),
            c.count,
            label_w + w.max(2) + 6,
            y + 16,
            c.count
        ));
    }
    svg.push_str("</svg>");
    svg
}

/// Report formats rendered from templates.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TextFormat {
    /// Markdown.
    Markdown,
    /// One self-contained HTML file.
    Html,
}

const BUILTIN_MD: &str = include_str!("../../../templates/reports/report.md");
const BUILTIN_HTML: &str = include_str!("../../../templates/reports/report.html");

/// Renders the report with the built-in templates, or with `report.md` /
/// `report.html` from `template_dir` (a user's own) when given.
///
/// # Errors
///
/// As [`render_to`].
pub fn render(
    data: &ReportData,
    format: TextFormat,
    template_dir: Option<&Path>,
) -> Result<String, ExportError> {
    let mut out = Vec::new();
    render_to(data, format, template_dir, &mut out)?;
    String::from_utf8(out).map_err(|e| ExportError::Template {
        template: "report".into(),
        reason: e.to_string(),
    })
}

/// Renders the report into `out` as the template runs, so that the report
/// of a large POA&M is never held whole.
///
/// # Errors
///
/// [`ExportError::Template`] when a template is missing, does not parse, or
/// uses a name the data does not have; [`ExportError::Io`] (without a path:
/// see [`ExportError::at`]) when `out` fails.
pub fn render_to(
    data: &ReportData,
    format: TextFormat,
    template_dir: Option<&Path>,
    out: impl std::io::Write,
) -> Result<(), ExportError> {
    let name = match format {
        TextFormat::Markdown => "report.md",
        TextFormat::Html => "report.html",
    };
    let mut env = minijinja::Environment::new();
    env.set_undefined_behavior(minijinja::UndefinedBehavior::Strict);
    if let Ok(syntax) = minijinja::syntax::SyntaxConfig::builder()
        .keep_trailing_newline(true)
        .build()
    {
        env.set_syntax(syntax);
    }
    let source = match template_dir {
        Some(dir) => {
            let path = dir.join(name);
            std::fs::read_to_string(&path).map_err(|e| ExportError::Template {
                template: path.display().to_string(),
                reason: e.to_string(),
            })?
        }
        None => match format {
            TextFormat::Markdown => BUILTIN_MD.to_string(),
            TextFormat::Html => BUILTIN_HTML.to_string(),
        },
    };
    let shown = template_dir.map_or_else(
        || format!("templates/reports/{name}"),
        |d| d.join(name).display().to_string(),
    );
    let template_error = |e: minijinja::Error| ExportError::Template {
        template: shown.clone(),
        reason: match e.line() {
            Some(line) => format!("line {line}: {e}"),
            None => e.to_string(),
        },
    };
    env.add_template_owned(name.to_string(), source)
        .map_err(template_error)?;
    let template = env.get_template(name).map_err(template_error)?;
    // The lists are made row by row as the template reaches them.
    let context = minijinja::context! {
        items => minijinja::Value::from_object(data.items.clone()),
        open_items => minijinja::Value::from_object(data.open_items.clone()),
        overdue_items => minijinja::Value::from_object(data.overdue_items.clone()),
        ..minijinja::Value::from(minijinja::value::Serde(data))
    };
    let mut out = Recorded {
        out: std::io::BufWriter::new(out),
        failed: None,
    };
    let rendered = template.render_captured_to(context, &mut out).map(|_| ());
    if let Some(source) = out.failed.take() {
        return Err(ExportError::Io {
            path: String::new(),
            source,
        });
    }
    rendered.map_err(template_error)?;
    out.out
        .into_inner()
        .map(|_| ())
        .map_err(|e| ExportError::Io {
            path: String::new(),
            source: e.into_error(),
        })
}

/// A writer that keeps its first failure, to tell a full disk from a
/// template's own error.
struct Recorded<W: std::io::Write> {
    out: W,
    failed: Option<std::io::Error>,
}

impl<W: std::io::Write> std::io::Write for Recorded<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.out.write(buf).inspect_err(|e| {
            if self.failed.is_none() {
                self.failed = Some(std::io::Error::new(e.kind(), e.to_string()));
            }
        })
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.out.flush()
    }
}
