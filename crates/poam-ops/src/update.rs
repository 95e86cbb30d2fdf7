//! This month's POA&M from last month's and this month's scans.
//!
//! The rules are FedRAMP's continuous-monitoring rules (its POA&M template
//! guide and playbook): one item per unique vulnerability id, the assets of
//! the same finding listed together; a finding that matches an item (by its
//! source identifier, then its assets) keeps that item, its POA&M ID,
//! milestones, comments, deviations and history; a new finding gets a new
//! item, numbered as last month's are, its detection date, its rating from
//! the CVSS v3 (else v4, else v2) base score or the scanner's severity, and
//! its scheduled completion from the policy's deadline for that rating. An
//! item closes only when every asset it lists was scanned this month and
//! none still has the finding; one whose assets were not all scanned stays
//! open ("not covered"). A closed item found again is reopened, except an
//! approved false positive, which stays closed and is reported.

use chrono::NaiveDate;
use poam_model::{Item, Milestone, Poam, Rating, RawSeverity, State, Status, Text, YesNo};
use poam_scan::{CvssVersion, Finding, IdKind, Outcome, Scan, Severity};
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};

/// How the month is done.
#[derive(Debug, Clone)]
pub struct UpdateOptions<'a> {
    /// The day of the update: the completion date of what the scans show
    /// fixed when a scan has no date, and "today" for what is due.
    pub as_of: NaiveDate,
    /// The policy that gives a new item's deadline by its rating.
    pub policy: Option<&'a poam_rules::Policy>,
    /// Also set the DISA category (eMASS's raw severity) of new items.
    pub emass: bool,
    /// The prefix of new POA&M IDs, in place of the one last month's IDs use.
    pub id_prefix: Option<String>,
    /// CISA's KEV catalog: items with a listed CVE are marked, with the
    /// BOD 22-01 due date (a new item's deadline is no later).
    pub kev: Option<&'a poam_scan::Kev>,
    /// The point of contact of new items.
    pub point_of_contact: Option<String>,
}

/// One decision about one item, for the change summary.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Change {
    /// The item's POA&M ID.
    pub item: String,
    /// The vulnerability id.
    pub finding: String,
    /// What happened, for a person.
    pub note: String,
}

/// What the month changed.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct UpdateSummary {
    /// The day of the update.
    pub as_of: Option<NaiveDate>,
    /// Scans read, with their day and the assets they covered.
    pub scans: Vec<String>,
    /// New items.
    pub new: Vec<Change>,
    /// Items closed: every asset scanned, none still affected.
    pub closed: Vec<Change>,
    /// Closed items found again and reopened.
    pub reopened: Vec<Change>,
    /// Open items found again, their assets brought up to date.
    pub still_open: Vec<Change>,
    /// Open items not found whose assets were not all scanned: left open.
    pub not_covered: Vec<Change>,
    /// Approved false positives found again: left closed.
    pub false_positives_found: Vec<Change>,
    /// Assets added to items.
    pub assets_added: usize,
    /// Assets removed from items (scanned, no longer affected).
    pub assets_removed: usize,
    /// New items given the policy's default controls (their scanner names
    /// none).
    pub default_controls: usize,
    /// Open items with a CVE in CISA's KEV catalog, newly marked.
    pub kev_marked: Vec<Change>,
    /// Open items due within 30 days of the update.
    pub due_soon: Vec<String>,
    /// Open items past their scheduled completion.
    pub past_due: Vec<String>,
    /// Results the scans list that are not weaknesses or not open, by outcome
    /// (passed, informational, not reviewed...).
    pub not_findings: BTreeMap<String, usize>,
}

/// This month's POA&M and what changed.
#[derive(Debug, Clone)]
pub struct Updated {
    /// The POA&M.
    pub poam: Poam,
    /// The changes.
    pub summary: UpdateSummary,
}

/// One vulnerability id's findings across the month's scans.
struct Group<'a> {
    id: String,
    first: &'a Finding,
    scanner: String,
    /// A configuration check (a benchmark, STIG or cloud rule), not a
    /// vulnerability: which default controls it takes.
    configuration: bool,
    /// The assets as a POA&M lists them, in the order found.
    assets: Vec<Seen>,
    /// Every identifier of those assets.
    keys: BTreeSet<String>,
    severity: Severity,
    cvss: Option<(CvssVersion, f32)>,
    cves: BTreeSet<String>,
    ccis: BTreeSet<String>,
    controls: BTreeSet<String>,
    used: bool,
}

/// An asset a finding is on.
struct Seen {
    /// Its name as a POA&M lists it.
    label: String,
    /// Every identifier it has (lower case), for matching.
    keys: Vec<String>,
    /// The day the finding was first seen on it (the scanner's first-seen
    /// date, else the scan's day).
    found_on: Option<NaiveDate>,
}

/// The identifiers of an asset a POA&M may list it by, lower case.
fn asset_keys(a: &poam_scan::Asset) -> Vec<String> {
    [
        Some(&a.name),
        a.ip.as_ref(),
        a.fqdn.as_ref(),
        a.host_name.as_ref(),
        a.netbios.as_ref(),
    ]
    .into_iter()
    .flatten()
    .filter(|s| !s.is_empty())
    .map(|s| s.to_lowercase())
    .collect()
}

/// The asset an item's asset cell names: its first word (`10.0.0.1 (80/TCP)`
/// is 10.0.0.1), lower case.
fn item_asset_key(text: &str) -> String {
    text.split(|c: char| c.is_whitespace() || c == '(' || c == ',')
        .find(|s| !s.is_empty())
        .unwrap_or("")
        .to_lowercase()
}

/// The ids an item's source identifier cell names.
fn source_ids(item: &Item) -> Vec<String> {
    item.source_identifier
        .as_deref()
        .unwrap_or("")
        .split([';', ',', '\n'])
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .collect()
}

/// FedRAMP's rating of a CVSS base score: 7.0 and above High, 4.0 to 6.9
/// Moderate, below Low.
pub fn rating_of_score(score: f32) -> Rating {
    if score >= 7.0 {
        Rating::High
    } else if score >= 4.0 {
        Rating::Moderate
    } else {
        Rating::Low
    }
}

fn rating_of_severity(s: Severity) -> Rating {
    match s {
        Severity::Critical | Severity::High => Rating::High,
        Severity::Medium => Rating::Moderate,
        Severity::Low | Severity::Info => Rating::Low,
    }
}

/// DISA's category of a scanner severity (or of its STIG severity).
fn category(f: &Finding) -> RawSeverity {
    match f.stig_severity.as_deref().map(str::trim) {
        Some("I") => return RawSeverity::CatI,
        Some("II") => return RawSeverity::CatII,
        Some("III") => return RawSeverity::CatIII,
        _ => {}
    }
    match f.severity {
        Severity::Critical | Severity::High => RawSeverity::CatI,
        Severity::Medium => RawSeverity::CatII,
        Severity::Low | Severity::Info => RawSeverity::CatIII,
    }
}

/// The next POA&M IDs after last month's: the prefix most of them use, the
/// number after the highest, as wide as theirs (`POAM-0042` → `POAM-0043`).
struct Numbering {
    prefix: String,
    width: usize,
    next: u64,
    /// Last month's IDs, never given again.
    taken: BTreeSet<String>,
}

impl Numbering {
    fn from(items: &[Item], prefix: Option<&str>) -> Numbering {
        let mut by_prefix: BTreeMap<String, (usize, usize, u64)> = BTreeMap::new();
        for id in items.iter().filter_map(|i| i.id.as_deref()) {
            let digits = id.len() - id.trim_end_matches(|c: char| c.is_ascii_digit()).len();
            if digits == 0 {
                continue;
            }
            let (p, n) = id.split_at(id.len() - digits);
            let e = by_prefix.entry(p.to_string()).or_default();
            e.0 += 1;
            e.1 = e.1.max(digits);
            e.2 = e.2.max(n.parse().unwrap_or(0));
        }
        let chosen = match prefix {
            Some(p) => by_prefix
                .get(p)
                .map(|(_, w, n)| (p.to_string(), *w, *n))
                .unwrap_or((p.to_string(), 4, 0)),
            None => by_prefix
                .iter()
                .max_by_key(|(_, (count, _, _))| *count)
                .map(|(p, (_, w, n))| (p.clone(), *w, *n))
                .unwrap_or(("POAM-".to_string(), 4, 0)),
        };
        Numbering {
            prefix: chosen.0,
            width: chosen.1,
            next: chosen.2 + 1,
            taken: items
                .iter()
                .filter_map(|i| i.id.as_deref().map(str::to_string))
                .collect(),
        }
    }
    fn take(&mut self) -> String {
        loop {
            let id = format!("{}{:0width$}", self.prefix, self.next, width = self.width);
            self.next += 1;
            if self.taken.insert(id.clone()) {
                return id;
            }
        }
    }
}

impl Group<'_> {
    /// The assets' names, for messages.
    fn labels(&self) -> String {
        self.assets
            .iter()
            .map(|s| s.label.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    }
}

fn scanner_name(scan: &Scan) -> String {
    scan.scanner.clone().unwrap_or_else(|| scan.format.clone())
}

/// This month's POA&M from last month's and this month's scans.
pub fn update(last: &Poam, scans: &[Scan], opts: &UpdateOptions) -> Updated {
    let mut summary = UpdateSummary {
        as_of: Some(opts.as_of),
        ..UpdateSummary::default()
    };
    // What the scans covered: every identifier of every asset scanned.
    let mut covered: BTreeSet<String> = BTreeSet::new();
    for scan in scans {
        for a in &scan.assets {
            covered.extend(asset_keys(a));
        }
        summary.scans.push(format!(
            "{}: {} {}, {} asset(s)",
            scan.file,
            scanner_name(scan),
            scan.scanned_on
                .map(|d| d.to_string())
                .unwrap_or_else(|| "(no date)".into()),
            scan.assets.len()
        ));
    }
    // One group per vulnerability id: the open weaknesses of the month.
    let mut groups: Vec<Group> = Vec::new();
    let mut index: BTreeMap<String, usize> = BTreeMap::new();
    for scan in scans {
        for f in &scan.findings {
            if f.outcome != Outcome::Open || f.severity == Severity::Info {
                // An open result of severity Info is a fact, not a weakness.
                let word = match f.outcome {
                    Outcome::Open => Outcome::Informational.label(),
                    other => other.label(),
                };
                *summary.not_findings.entry(word.into()).or_default() += 1;
                continue;
            }
            let asset = &scan.assets[f.asset];
            let n = *index.entry(f.id.clone()).or_insert_with(|| {
                groups.push(Group {
                    id: f.id.clone(),
                    first: f,
                    scanner: scanner_name(scan),
                    configuration: matches!(f.id_kind, IdKind::ComplianceCheck | IdKind::StigVuln)
                        || (f.id_kind == IdKind::Rule && scan.format != "sarif"),
                    assets: Vec::new(),
                    keys: BTreeSet::new(),
                    severity: f.severity,
                    cvss: None,
                    cves: BTreeSet::new(),
                    ccis: BTreeSet::new(),
                    controls: BTreeSet::new(),
                    used: false,
                });
                groups.len() - 1
            });
            let g = &mut groups[n];
            let label = asset.label().to_string();
            let found_on = f.first_seen.or(scan.scanned_on);
            match g.assets.iter_mut().find(|s| s.label == label) {
                Some(seen) => {
                    seen.found_on = match (seen.found_on, found_on) {
                        (Some(a), Some(b)) => Some(a.min(b)),
                        (a, b) => a.or(b),
                    }
                }
                None => g.assets.push(Seen {
                    label,
                    keys: asset_keys(asset),
                    found_on,
                }),
            }
            g.keys.extend(asset_keys(asset));
            g.severity = g.severity.max(f.severity);
            for v in [CvssVersion::V3, CvssVersion::V4, CvssVersion::V2] {
                if let Some(s) = f.cvss_score(v) {
                    let better = match g.cvss {
                        None => true,
                        Some((gv, gs)) => gv == v && s > gs,
                    };
                    if better {
                        g.cvss = Some((v, s));
                    }
                    break;
                }
            }
            g.cves.extend(f.cves.iter().cloned());
            g.ccis.extend(f.ccis.iter().cloned());
            g.controls.extend(f.controls.iter().cloned());
        }
    }
    let scan_day = scans
        .iter()
        .filter_map(|s| s.scanned_on)
        .max()
        .unwrap_or(opts.as_of);
    let mut poam = last.clone();
    let mut numbering = Numbering::from(&poam.items, opts.id_prefix.as_deref());
    let keeps_status = poam.items.iter().any(|i| i.status.is_some());
    let families: BTreeSet<String> = scans
        .iter()
        .map(|s| scanner_family(&scanner_name(s)))
        .collect();
    for item in &mut poam.items {
        let ids = source_ids(item);
        let found = ids.iter().find_map(|id| index.get(id).copied());
        let name = item.display_name();
        match (item.state, found) {
            (State::Open, Some(n)) => {
                let g = &mut groups[n];
                g.used = true;
                let (added, removed) = refresh_assets(item, g, &covered, scan_day);
                summary.assets_added += added;
                summary.assets_removed += removed;
                let mut note = "found again".to_string();
                if added > 0 {
                    note.push_str(&format!(", {added} asset(s) added"));
                }
                if removed > 0 {
                    note.push_str(&format!(", {removed} asset(s) no longer affected removed"));
                }
                summary.still_open.push(Change {
                    item: name,
                    finding: g.id.clone(),
                    note,
                });
            }
            (State::Closed, Some(n)) => {
                let g = &mut groups[n];
                g.used = true;
                if item.risk.false_positive == Some(YesNo::Yes) {
                    summary.false_positives_found.push(Change {
                        item: name,
                        finding: g.id.clone(),
                        note: format!(
                            "an approved false positive, found again on {}: left closed",
                            g.labels()
                        ),
                    });
                    continue;
                }
                item.state = State::Open;
                // A status only where the POA&M keeps one (FedRAMP v3.0 has
                // no status column: its tab says open or closed).
                if item.status.is_some() {
                    item.status = Some(Status::Ongoing);
                }
                let closed_on = item.completed_on.take();
                item.status_date = Some(scan_day);
                let (added, _) = refresh_assets(item, g, &covered, scan_day);
                summary.assets_added += added;
                append_note(
                    item,
                    &format!(
                        "{scan_day}: reopened: found again by {} on {}{}",
                        g.scanner,
                        g.labels(),
                        closed_on
                            .map(|d| format!(" (closed {d})"))
                            .unwrap_or_default()
                    ),
                );
                summary.reopened.push(Change {
                    item: name,
                    finding: g.id.clone(),
                    note: format!("found again on {}", g.labels()),
                });
            }
            (State::Open, None) if !ids.is_empty() && scanned_kind(item, &families) => {
                let assets: Vec<String> = item.assets.iter().map(|a| item_asset_key(a)).collect();
                let unscanned: Vec<&str> = item
                    .assets
                    .iter()
                    .zip(&assets)
                    .filter(|(_, k)| !covered.contains(*k))
                    .map(|(a, _)| a.as_str())
                    .collect();
                if assets.is_empty() || !unscanned.is_empty() {
                    summary.not_covered.push(Change {
                        item: name,
                        finding: ids.join("; "),
                        note: if assets.is_empty() {
                            "lists no asset, so no scan can show it fixed: left open".into()
                        } else {
                            format!(
                                "not found, but {} not scanned this month: left open",
                                unscanned.join(", ")
                            )
                        },
                    });
                    continue;
                }
                item.state = State::Closed;
                if item.status.is_some() {
                    item.status = Some(Status::Completed);
                }
                item.completed_on = Some(scan_day);
                item.status_date = Some(scan_day);
                append_note(
                    item,
                    &format!(
                        "{scan_day}: closed: not found on any of its assets by this month's scans"
                    ),
                );
                summary.closed.push(Change {
                    item: name,
                    finding: ids.join("; "),
                    note: "every asset scanned, none still affected".into(),
                });
            }
            _ => {}
        }
    }
    // New findings: new items, numbered after last month's; one item per
    // vulnerability id and original detection date (FedRAMP), so the assets
    // of a finding first seen on different days are items of their own.
    for g in groups.iter().filter(|g| !g.used) {
        let mut by_day: BTreeMap<NaiveDate, Vec<&Seen>> = BTreeMap::new();
        for seen in &g.assets {
            by_day
                .entry(seen.found_on.unwrap_or(scan_day))
                .or_default()
                .push(seen);
        }
        // What the group's items share, whatever their detection day: the
        // rating, and the controls STIG and compliance findings carry
        // through their CCIs (DISA's CCI list: rev 5 where it gives one).
        let rating = g
            .cvss
            .map(|(_, s)| rating_of_score(s))
            .unwrap_or_else(|| rating_of_severity(g.severity));
        let catalogs = poam_layout::catalog::catalogs();
        let ccis: Vec<Text> = g.ccis.iter().map(|c| Text::from(c.as_str())).collect();
        let mut named: Vec<String> = g.controls.iter().cloned().collect();
        for cci in &g.ccis {
            if let Some(c) = catalogs.cci(cci) {
                named.extend(c.controls().iter().cloned());
            }
        }
        let mut controls: Vec<Text> = Vec::new();
        for c in &named {
            if let Some(p) = poam_model::control::parse_control(c) {
                for id in p.ids {
                    let text = Text::from(id.canonical_with_part().to_string());
                    if !controls.contains(&text) {
                        controls.push(text);
                    }
                }
            }
        }
        for (day, assets) in by_day {
            let labels = assets
                .iter()
                .map(|s| s.label.as_str())
                .collect::<Vec<_>>()
                .join(", ");
            let f = g.first;
            let mut item = Item {
                id: Some(numbering.take().into()),
                state: State::Open,
                // Last month's items say whether the POA&M keeps a status.
                status: keeps_status.then_some(Status::Ongoing),
                weakness_name: Some(f.title.as_str().into()),
                weakness_description: f
                    .description
                    .as_deref()
                    .or(f.synopsis.as_deref())
                    .map(Text::from),
                detector_source: Some(g.scanner.as_str().into()),
                source_identifier: Some(g.id.as_str().into()),
                assets: assets
                    .iter()
                    .map(|s| Text::from(s.label.as_str()))
                    .collect(),
                remediation_plan: f.solution.as_deref().map(Text::from),
                detected_on: Some(day),
                status_date: Some(scan_day),
                cves: g.cves.iter().map(|c| Text::from(c.as_str())).collect(),
                ..Item::default()
            };
            item.risk.original = Some(rating);
            if opts.emass {
                item.emass.raw_severity = Some(category(f));
            }
            item.ccis = ccis.clone();
            item.controls = controls.clone();
            // A finding that names no control takes the policy's default
            // for its kind, said in the item.
            if item.controls.is_empty() {
                if let Some(p) = opts.policy {
                    let kind = if g.configuration {
                        "configuration"
                    } else {
                        "vulnerability"
                    };
                    let defaults = p.default_controls.get(kind).cloned().unwrap_or_default();
                    if !defaults.is_empty() {
                        item.controls = defaults.iter().map(|c| Text::from(c.as_str())).collect();
                        append_note(
                            &mut item,
                            &format!(
                                "{scan_day}: controls {} from the {} policy's default for a {kind} finding (the scanner names none): check them",
                                defaults.join(", "),
                                p.name
                            ),
                        );
                        summary.default_controls += 1;
                    }
                }
            }
            item.point_of_contact = opts.point_of_contact.as_deref().map(Text::from);
            // A new scanner finding waits on no vendor until someone says so.
            item.vendor.dependency = Some(YesNo::No);
            item.scheduled_completion = opts.policy.and_then(|p| p.deadline(&item)).map(|(d, _)| d);
            // BOD 22-01: a KEV vulnerability is due by CISA's date when earlier.
            if let Some(kev) = opts.kev {
                let due = item
                    .cves
                    .iter()
                    .filter_map(|c| kev.get(c).and_then(|e| e.due))
                    .min();
                item.scheduled_completion = match (item.scheduled_completion, due) {
                    (Some(a), Some(b)) => Some(a.min(b)),
                    (a, b) => a.or(b),
                };
            }
            // The policy's default milestones, else one: fix and rescan.
            let defaults = opts
                .policy
                .map(|p| p.milestones.as_slice())
                .unwrap_or_default();
            if defaults.is_empty() {
                item.milestones.push(Milestone {
                    description: "Remediate the weakness and verify the fix with a rescan".into(),
                    due: item.scheduled_completion,
                    ..Milestone::default()
                });
            }
            for m in defaults {
                item.milestones.push(Milestone {
                    description: m.description.as_str().into(),
                    due: item
                        .scheduled_completion
                        .map(|d| (d - chrono::Duration::days(m.before_deadline_days)).max(day)),
                    ..Milestone::default()
                });
            }
            summary.new.push(Change {
                item: item.display_name(),
                finding: g.id.clone(),
                note: format!(
                    "{} on {} ({}{})",
                    f.title,
                    labels,
                    rating.label(),
                    g.cvss
                        .map(|(v, s)| format!(
                            ", CVSS {} {s:.1}",
                            match v {
                                CvssVersion::V2 => "v2",
                                CvssVersion::V3 => "v3",
                                CvssVersion::V4 => "v4",
                            }
                        ))
                        .unwrap_or_default()
                ),
            });
            poam.items.push(item);
        }
    }
    if let Some(kev) = opts.kev {
        for item in poam.items.iter_mut().filter(|i| i.state == State::Open) {
            mark_kev(item, kev, &mut summary.kev_marked);
        }
    }
    for item in poam.items.iter().filter(|i| i.state == State::Open) {
        if let Some(d) = item.scheduled_completion {
            if d < opts.as_of {
                summary.past_due.push(item.display_name());
            } else if (d - opts.as_of).num_days() <= 30 {
                summary.due_soon.push(item.display_name());
            }
        }
    }
    Updated { poam, summary }
}

/// The family of a scanner or detector name: Nessus, Tenable and ACAS are
/// one; any other name is its own.
fn scanner_family(name: &str) -> String {
    let n = name.trim().to_lowercase();
    if ["nessus", "tenable", "acas", "security center"]
        .iter()
        .any(|t| n.contains(t))
    {
        "tenable".to_string()
    } else {
        n
    }
}

/// Whether an item not found this month is one the month's scanners
/// (`families`, by [`scanner_family`]) would have found: its detector is
/// one of theirs. A weakness found otherwise (a policy gap, a manual
/// review, another scanner) is never closed by these scans.
fn scanned_kind(item: &Item, families: &BTreeSet<String>) -> bool {
    item.detector_source
        .as_deref()
        .filter(|d| !d.trim().is_empty())
        .is_some_and(|d| families.contains(&scanner_family(d)))
}

/// Brings an item's assets up to date with the month's findings: assets
/// still affected keep the item's own wording, new ones are added, scanned
/// assets no longer affected are removed with a note; unscanned ones stay.
fn refresh_assets(
    item: &mut Item,
    g: &Group,
    covered: &BTreeSet<String>,
    day: NaiveDate,
) -> (usize, usize) {
    let mut kept = Vec::new();
    let mut removed = Vec::new();
    for a in &item.assets {
        let key = item_asset_key(a);
        if g.keys.contains(&key) || !covered.contains(&key) {
            kept.push(a.clone());
        } else {
            removed.push(a.to_string());
        }
    }
    let mut added = 0;
    for seen in &g.assets {
        let listed = kept.iter().any(|k| seen.keys.contains(&item_asset_key(k)));
        if !listed {
            kept.push(Text::from(seen.label.as_str()));
            added += 1;
        }
    }
    item.assets = kept;
    if !removed.is_empty() {
        append_note(
            item,
            &format!(
                "{day}: no longer affected (scanned, not found): {}",
                removed.join(", ")
            ),
        );
    }
    (added, removed.len())
}

/// Marks an item whose CVEs CISA's catalog lists, with the earliest due
/// date.
fn mark_kev(item: &mut Item, kev: &poam_scan::Kev, marked: &mut Vec<Change>) {
    let listed: Vec<(&str, Option<NaiveDate>)> = item
        .cves
        .iter()
        .filter_map(|c| kev.get(c).map(|e| (c.as_str(), e.due)))
        .collect();
    if listed.is_empty() {
        return;
    }
    let due = listed.iter().filter_map(|(_, d)| *d).min();
    let was = (item.kev.listed, item.kev.due);
    item.kev.listed = Some(YesNo::Yes);
    if due.is_some() {
        item.kev.due = due;
    }
    if was != (item.kev.listed, item.kev.due) {
        marked.push(Change {
            item: item.display_name(),
            finding: listed
                .iter()
                .map(|(c, _)| *c)
                .collect::<Vec<_>>()
                .join(", "),
            note: match due {
                Some(d) => format!("in CISA's KEV catalog: due {d} (BOD 22-01)"),
                None => "in CISA's KEV catalog".into(),
            },
        });
    }
}

/// Adds a dated line to the item's comments.
fn append_note(item: &mut Item, line: &str) {
    item.comments = Some(match item.comments.take() {
        Some(c) if !c.trim().is_empty() => format!("{c}\n{line}").into(),
        _ => line.into(),
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use poam_scan::{Asset, IdKind};

    fn scan(hosts: &[&str], found: &[(usize, &str)]) -> Scan {
        Scan {
            file: "s.nessus".into(),
            format: "nessus".into(),
            scanner: Some("Nessus".into()),
            name: None,
            scanned_on: NaiveDate::from_ymd_opt(2027, 1, 5),
            assets: hosts
                .iter()
                .map(|h| Asset {
                    name: h.to_string(),
                    ..Asset::default()
                })
                .collect(),
            findings: found
                .iter()
                .map(|(asset, id)| {
                    let mut f = Finding::new(id, IdKind::Plugin, *asset, "line 1".into());
                    f.title = format!("Weakness {id}");
                    f.severity = Severity::High;
                    f.raw_severity = "3".into();
                    f
                })
                .collect(),
            notes: Vec::new(),
        }
    }

    fn item(id: &str, source: &str, detector: &str, assets: &[&str], state: State) -> Item {
        Item {
            id: Some(id.into()),
            state,
            source_identifier: Some(source.into()),
            detector_source: Some(detector.into()),
            assets: assets.iter().map(|a| Text::from(*a)).collect(),
            ..Item::default()
        }
    }

    fn run(items: Vec<Item>, scans: &[Scan]) -> Updated {
        let last = Poam {
            items,
            ..Poam::default()
        };
        update(
            &last,
            scans,
            &UpdateOptions {
                as_of: NaiveDate::from_ymd_opt(2027, 1, 6).unwrap(),
                policy: None,
                emass: false,
                id_prefix: None,
                kev: None,
                point_of_contact: None,
            },
        )
    }

    #[test]
    fn an_approved_false_positive_found_again_stays_closed() {
        let mut fp = item("P-7", "5001", "Nessus", &["web-01"], State::Closed);
        fp.risk.false_positive = Some(YesNo::Yes);
        let u = run(vec![fp], &[scan(&["web-01"], &[(0, "5001")])]);
        assert_eq!(u.poam.items.len(), 1, "no new item for it");
        assert_eq!(u.poam.items[0].state, State::Closed);
        assert_eq!(u.summary.false_positives_found.len(), 1);
        assert!(u.summary.reopened.is_empty());
    }

    #[test]
    fn a_weakness_no_scanner_found_is_never_closed_by_a_scan() {
        // Found by a person (manual review), on a host the scan covered.
        let manual = item(
            "P-1",
            "AC-2 review",
            "Annual assessment",
            &["web-01"],
            State::Open,
        );
        let other = item("P-2", "CKV_AWS_1", "Checkov", &["web-01"], State::Open);
        let u = run(vec![manual, other], &[scan(&["web-01"], &[])]);
        assert!(u.poam.items.iter().all(|i| i.state == State::Open));
        assert!(u.summary.closed.is_empty());
    }

    #[test]
    fn assets_match_by_any_of_their_names_and_the_item_s_wording_is_kept() {
        // The item lists the host by IP with its port; the scan names it by
        // host name and knows its IP.
        let mut s = scan(&["web-01"], &[(0, "1001")]);
        s.assets[0].ip = Some("10.0.0.1".into());
        let open = item(
            "P-3",
            "1001",
            "Tenable Nessus",
            &["10.0.0.1 (443/TCP)"],
            State::Open,
        );
        let u = run(vec![open], &[s]);
        assert_eq!(u.poam.items[0].assets, [Text::from("10.0.0.1 (443/TCP)")]);
        assert_eq!(u.summary.assets_added, 0);
        assert_eq!(u.summary.still_open.len(), 1);
    }

    #[test]
    fn new_ids_follow_last_months_and_never_repeat_one() {
        let items = vec![
            item("POAM-0009", "1", "Nessus", &[], State::Open),
            item("POAM-0010", "2", "Nessus", &[], State::Closed),
            item("CFG-1", "3", "Nessus", &[], State::Open),
        ];
        let u = run(items, &[scan(&["h"], &[(0, "77"), (0, "78")])]);
        let ids: Vec<&str> = u
            .poam
            .items
            .iter()
            .filter_map(|i| i.id.as_deref())
            .collect();
        assert_eq!(
            ids,
            ["POAM-0009", "POAM-0010", "CFG-1", "POAM-0011", "POAM-0012"]
        );
    }

    #[test]
    fn cvss_scores_give_fedramps_ratings() {
        assert_eq!(rating_of_score(9.8), Rating::High);
        assert_eq!(rating_of_score(7.0), Rating::High);
        assert_eq!(rating_of_score(6.9), Rating::Moderate);
        assert_eq!(rating_of_score(4.0), Rating::Moderate);
        assert_eq!(rating_of_score(3.9), Rating::Low);
    }
}
