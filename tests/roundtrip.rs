//! Property tests: for every format poamkit both writes and reads,
//! import(export(model)) gives the model back, for the fields the format
//! carries, across Unicode text, new lines inside cells, text that starts
//! like a formula, empty and long values, and dates from 1900 to 2099.

use calamine::Reader;
use chrono::NaiveDate;
use poam_export::{csv_out, json, xlsx};
use poam_import::{import_bytes, ImportOptions};
use poam_model::{Item, Poam, Rating, State, SystemInfo};
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
                id: Some(id),
                state: if open { State::Open } else { State::Closed },
                weakness_name: name,
                weakness_description: desc,
                point_of_contact: poc,
                remediation_plan: plan,
                detected_on: detected,
                scheduled_completion: due,
                controls: controls.into_iter().map(String::from).collect(),
                assets: assets.into_iter().collect(),
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
            item.id = item.id.take().map(|id| format!("{id}-{n}"));
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
    id: Option<String>,
    open: bool,
    name: Option<String>,
    desc: Option<String>,
    poc: Option<String>,
    plan: Option<String>,
    detected: Option<NaiveDate>,
    due: Option<NaiveDate>,
    controls: Vec<String>,
    rating: Option<Rating>,
    assets: Vec<String>,
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
        prop_assert_eq!(carried(&read("p.xlsx", &written.bytes)), carried(&p));
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
