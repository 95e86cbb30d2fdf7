//! Property tests: for every format poamkit both writes and reads,
//! import(export(model)) gives the model back, for the fields the format
//! carries, across Unicode text, new lines inside cells, text that starts
//! like a formula, empty and long values, and dates from 1900 to 2099.

use calamine::Reader;
use chrono::NaiveDate;
use poam_export::{csv_out, json, xlsx};
use poam_import::{import_bytes, ImportOptions};
use poam_model::{format_compact, Item, Poam, Rating, State, SystemInfo, Text};
use proptest::prelude::*;
use std::path::Path;

/// Text as people type it: letters, accents, CJK, an emoji, spaces and new
/// lines inside, and a leading character that spreadsheets treat as a formula.
fn text() -> impl Strategy<Value = Option<String>> {
    let body = prop::collection::vec(
        prop_oneof![
            Just("a"),
            Just("Z"),
            Just("7"),
            Just(" "),
            Just("\n"),
            Just("é"),
            Just("中"),
            Just("🔒"),
            Just(","),
            Just("\""),
            Just(";"),
            Just("'"),
            Just("&"),
            Just("<"),
        ],
        0..60,
    )
    .prop_map(|v| v.concat());
    (
        prop_oneof![Just(""), Just("="), Just("+"), Just("-"), Just("@")],
        body,
        any::<bool>(),
    )
        .prop_map(|(lead, body, long)| {
            let mut s = format!("{lead}{body}");
            if long {
                s.push_str(&"long ".repeat(400));
            }
            // Readers trim cell text; blank is no value.
            let s = s.trim().to_string();
            (!s.is_empty()).then_some(s)
        })
}

fn date() -> impl Strategy<Value = Option<NaiveDate>> {
    prop_oneof![
        Just(None),
        // 1900-03-01 onwards: Excel's serial dates before it count a
        // 29 February 1900 that never was.
        (1900i32..2100, 1u32..13, 1u32..29).prop_map(|(y, m, d)| {
            let d = NaiveDate::from_ymd_opt(y, m, d).unwrap();
            Some(d.max(NaiveDate::from_ymd_opt(1900, 3, 1).unwrap()))
        }),
    ]
}

fn item() -> impl Strategy<Value = Item> {
    (
        "[A-Z]{1,4}-[0-9]{1,5}",
        text(),
        text(),
        text(),
        text(),
        (date(), date()),
        prop::sample::subsequence(vec!["AC-2", "AC-2(1)", "SI-2", "CM-6", "RA-5"], 0..3),
        prop::option::of(prop::sample::select(vec![
            Rating::Low,
            Rating::Moderate,
            Rating::High,
            Rating::Critical,
        ])),
        any::<bool>(),
        // Distinct assets: OSCAL lists each subject once.
        prop::collection::btree_set("[a-z]{1,8}\\.example\\.gov", 0..3),
    )
        .prop_map(
            |(id, name, desc, poc, plan, (detected, due), controls, rating, open, assets)| Item {
                id: Some(id.into()),
                state: if open { State::Open } else { State::Closed },
                weakness_name: name.map(Into::into),
                weakness_description: desc.map(Into::into),
                point_of_contact: poc.map(Into::into),
                remediation_plan: plan.map(Into::into),
                detected_on: detected,
                scheduled_completion: due,
                controls: controls.into_iter().map(Text::from).collect(),
                assets: assets.into_iter().map(Text::from).collect(),
                risk: poam_model::Risk {
                    original: rating,
                    ..Default::default()
                },
                ..Item::default()
            },
        )
}

fn poam() -> impl Strategy<Value = Poam> {
    prop::collection::vec(item(), 1..8).prop_map(|mut items| {
        // POA&M IDs are unique within a file.
        for (n, item) in items.iter_mut().enumerate() {
            item.id = item.id.take().map(|id| format_compact!("{id}-{n}"));
        }
        Poam {
            system: SystemInfo {
                name: Some("Round trip".into()),
                ..SystemInfo::default()
            },
            items,
        }
    })
}

/// The fields every format here carries, for comparison.
#[derive(Debug, PartialEq)]
struct Carried {
    id: Option<Text>,
    open: bool,
    name: Option<Text>,
    desc: Option<Text>,
    poc: Option<Text>,
    plan: Option<Text>,
    detected: Option<NaiveDate>,
    due: Option<NaiveDate>,
    controls: Vec<Text>,
    rating: Option<Rating>,
    assets: Vec<Text>,
}

fn carried(poam: &Poam) -> Vec<Carried> {
    let mut out: Vec<Carried> = poam
        .items
        .iter()
        .map(|i| Carried {
            id: i.id.clone(),
            open: i.state == State::Open,
            name: i.weakness_name.clone(),
            desc: i.weakness_description.clone(),
            poc: i.point_of_contact.clone(),
            plan: i.remediation_plan.clone(),
            detected: i.detected_on,
            due: i.scheduled_completion,
            controls: i.controls.clone(),
            rating: i.risk.original,
            assets: i.assets.clone(),
        })
        .collect();
    // Workbooks put open and closed items on different sheets.
    out.sort_by(|a, b| a.id.cmp(&b.id));
    out
}

fn read(name: &str, bytes: &[u8]) -> Poam {
    import_bytes(name, Path::new(name), bytes, &ImportOptions::default())
        .unwrap_or_else(|e| panic!("{name}: {e}"))
        .poam
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn csv_round_trip(p in poam()) {
        let written = csv_out::write_csv(&p, &csv_out::CsvOptions { excel_bom: false }).unwrap();
        prop_assert_eq!(carried(&read("p.csv", &written.bytes)), carried(&p));
        let bom = csv_out::write_csv(&p, &csv_out::CsvOptions { excel_bom: true }).unwrap();
        prop_assert_eq!(carried(&read("p.csv", &bom.bytes)), carried(&p));
    }

    #[test]
    fn json_round_trip(p in poam()) {
        let written = json::write_json(&p).unwrap();
        let back = read("p.json", &written.bytes);
        prop_assert_eq!(carried(&back), carried(&p));
    }

    #[test]
    fn fedramp_workbook_round_trip(p in poam()) {
        let layout = poam_layout::builtin().find("fedramp", Some("3.0")).unwrap();
        let written = xlsx::write_xlsx(&p, layout, &xlsx::XlsxOptions::default()).unwrap();
        // FedRAMP's list is Low, Moderate, High: Critical is written as High
        // (and said).
        let mut want = carried(&p);
        for c in &mut want {
            if c.rating == Some(Rating::Critical) {
                c.rating = Some(Rating::High);
            }
        }
        prop_assert_eq!(carried(&read("p.xlsx", &written.bytes)), want);
        // Nothing a user typed became a formula.
        let mut wb = calamine::open_workbook_auto_from_rs(std::io::Cursor::new(&written.bytes)).unwrap();
        for name in wb.sheet_names() {
            let formulas = wb.worksheet_formula(&name).unwrap();
            prop_assert!(formulas.used_cells().all(|(_, _, f)| f.is_empty()), "a formula in {}", name);
        }
    }

    #[test]
    fn oscal_round_trip(p in poam()) {
        let written = poam_export::oscal_out::write_oscal(&p).unwrap();
        prop_assert_eq!(carried(&read("p.json", &written.bytes)), carried(&p));
    }

    #[test]
    fn emass_workbook_round_trip(p in poam()) {
        let layout = poam_layout::builtin().find("emass", Some("navy-2026")).unwrap();
        let written = xlsx::write_xlsx(&p, layout, &xlsx::XlsxOptions::default()).unwrap();
        // eMASS has no weakness name, remediation plan (its milestones are
        // the plan) or original detection date column, and rates with its own
        // scales (Raw Severity, Severity) rather than the FedRAMP rating.
        let emass = |p: &Poam| {
            carried(p)
                .into_iter()
                .map(|c| Carried { detected: None, name: None, plan: None, rating: None, ..c })
                .collect::<Vec<_>>()
        };
        prop_assert_eq!(emass(&read("p.xlsx", &written.bytes)), emass(&p));
    }
}

/// Milestones as people plan them: a short text and, mostly, a due date.
fn milestones() -> impl Strategy<Value = Vec<poam_model::Milestone>> {
    prop::collection::vec(
        ("[A-Z][a-z]{2,12}( [a-z]{2,10}){0,3}", date()).prop_map(|(description, due)| {
            poam_model::Milestone {
                description: description.into(),
                due,
                ..Default::default()
            }
        }),
        0..3,
    )
}

fn yes_no() -> impl Strategy<Value = Option<poam_model::YesNo>> {
    prop::option::of(prop::sample::select(vec![
        poam_model::YesNo::Yes,
        poam_model::YesNo::No,
    ]))
}

/// An item with the fields beyond the basic ones: milestones, yes/no
/// answers, the vendor, KEV, CVEs, an adjusted rating and a column kept in
/// `extra`.
fn rich_item() -> impl Strategy<Value = Item> {
    (
        item(),
        milestones(),
        (yes_no(), yes_no(), yes_no()),
        (yes_no(), date(), text()),
        (yes_no(), date()),
        prop::collection::btree_set("CVE-20[0-9]{2}-[0-9]{4,5}", 0..3),
        prop::option::of("[A-Z]-[0-9]{1,4}"),
    )
        .prop_map(
            |(
                mut item,
                milestones,
                (adj, fp, or),
                (dep, checkin, product),
                (kev, kev_due),
                cves,
                ticket,
            )| {
                item.milestones = milestones;
                item.risk.adjustment = adj;
                item.risk.false_positive = fp;
                item.risk.operational_requirement = or;
                item.vendor.dependency = dep;
                item.vendor.last_checkin = checkin;
                item.vendor.product = product.map(Into::into);
                item.kev.listed = kev;
                item.kev.due = kev_due;
                item.cves = cves.into_iter().map(Text::from).collect();
                if let Some(t) = ticket {
                    item.extra.insert("Internal Ticket".into(), t.into());
                }
                item
            },
        )
}

fn rich_poam() -> impl Strategy<Value = Poam> {
    prop::collection::vec(rich_item(), 1..6).prop_map(|mut items| {
        for (n, item) in items.iter_mut().enumerate() {
            item.id = item.id.take().map(|id| format_compact!("{id}-{n}"));
        }
        Poam {
            system: SystemInfo {
                name: Some("Every layout".into()),
                ..SystemInfo::default()
            },
            items,
        }
    })
}

/// The fields a layout holds that the item fills, as text, by POA&M ID.
fn held(layout: &poam_layout::Layout, poam: &Poam) -> Vec<(String, &'static str, String)> {
    let mut out = Vec::new();
    // Items are told apart by POA&M ID, or by their order where the layout
    // has no ID column (one sheet, rows in order).
    let by_id = layout.holds(poam_model::Field::Id);
    for (n, item) in poam.items.iter().enumerate() {
        let key = if by_id {
            item.id.as_deref().unwrap_or_default().to_string()
        } else {
            format!("#{n}")
        };
        // Open or closed: a tab of its own, or the status column.
        out.push((key, "state", format!("{:?}", item.state)));
        for field in poam_model::Field::ALL {
            if !layout.holds(*field) || item.is_blank(*field) {
                continue;
            }
            let mut text = poam_layout::flat::value_text(&item.get(*field));
            // A rating the column's list does not have is written as the
            // list's nearest word (and said): Critical as Very High where the
            // list has it, else High.
            if field.kind() == poam_model::FieldKind::Rating {
                let list = layout
                    .header_of(*field)
                    .and_then(|h| layout.column(h))
                    .map(|c| c.list.clone())
                    .unwrap_or_default();
                if text == "Critical" && !list.is_empty() && !list.contains(&text) {
                    let very = list.iter().any(|w| w == "Very High");
                    text = if very { "Very High" } else { "High" }.to_string();
                }
            }
            out.push((
                if by_id {
                    item.id.as_deref().unwrap_or_default().to_string()
                } else {
                    format!("#{n}")
                },
                field.name(),
                text,
            ));
        }
    }
    out.sort();
    out
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    /// Every layout of the registry (a new layout file is tested without
    /// editing this test) gives back every field it has a column for, and
    /// the `extra` column when it takes columns after its last.
    #[test]
    fn every_layout_gives_back_what_it_holds(p in rich_poam()) {
        for layout in poam_layout::builtin().all() {
            let opts = xlsx::XlsxOptions { keep_extra: true, ..Default::default() };
            let written = xlsx::write_xlsx(&p, layout, &opts).unwrap();
            let read_opts = ImportOptions {
                family: Some(layout.family.clone()),
                version: Some(layout.version.clone()),
                ..ImportOptions::default()
            };
            let back = import_bytes("p.xlsx", Path::new("p.xlsx"), &written.bytes, &read_opts)
                .unwrap_or_else(|e| panic!("{}: {e}", layout.label()))
                .poam;
            let before = held(layout, &p);
            let after = held(layout, &back);
            for entry in &before {
                prop_assert!(after.contains(entry), "{}: {:?} not read back; got {:?}", layout.label(), entry,
                    after.iter().filter(|a| a.0 == entry.0 && a.1 == entry.1).collect::<Vec<_>>());
            }
            if layout.rules.extra_columns && layout.holds(poam_model::Field::Id) {
                for a in &p.items {
                    if let Some(t) = a.extra.get("Internal Ticket") {
                        let got = back.items.iter().find(|i| i.id == a.id).and_then(|i| i.extra.get("Internal Ticket"));
                        prop_assert_eq!(got, Some(t), "{}", layout.label());
                    }
                }
            }
        }
    }
}
