//! Sheets longer than the rows loaded for layout detection: the rest is
//! streamed from a reader thread. Every row must arrive, in order, once;
//! sheets that are not read must not stall the reader; a limit reached in
//! the streamed part must stop the import with its message.

use poam_import::{import_bytes, ImportError, ImportOptions, Limits};
use poam_layout::{column_index, SheetRole};
use rust_xlsxwriter::{Formula, Workbook};
use std::path::Path;

/// Writes a FedRAMP v3.0 sheet of `n` items whose ids start at `first`.
fn fedramp_sheet(wb: &mut Workbook, role: SheetRole, first: usize, n: usize) {
    let layout = poam_layout::builtin().find("fedramp", Some("3.0")).unwrap();
    let def = layout.sheet_by_role(role).unwrap();
    let ws = wb.add_worksheet_with_low_memory().unwrap();
    ws.set_name(&def.name).unwrap();
    let c0 = column_index(&def.first_column).unwrap_or(0);
    for (i, h) in def.headers.iter().enumerate() {
        ws.write_string(def.header_row - 1, c0 + i as u16, h)
            .unwrap();
    }
    let col = |h: &str| c0 + def.headers.iter().position(|x| x == h).unwrap() as u16;
    let mut r = def.first_data_row - 1;
    for k in 0..n {
        ws.write_string(r, col("POAM ID"), format!("V-{:05}", first + k))
            .unwrap();
        ws.write_string(r, col("Controls"), "AC-2").unwrap();
        ws.write_string(r, col("Weakness Name"), format!("weakness {}", first + k))
            .unwrap();
        r += 1;
        // A row holding only a formula, far below the detection rows: the
        // template's own, never an item.
        if k == 100 {
            ws.write_formula(r, col("Weakness Name"), Formula::new("=1+1"))
                .unwrap();
            r += 1;
        }
    }
}

fn workbook() -> Vec<u8> {
    let mut wb = Workbook::new();
    // A long sheet that is not read comes first: the reader must skip it.
    let ws = wb.add_worksheet_with_low_memory().unwrap();
    ws.set_name("Notes").unwrap();
    for r in 0..500 {
        ws.write_string(r, 0, format!("note {r}")).unwrap();
    }
    // Long enough to go over several batches of rows from the reader thread.
    fedramp_sheet(&mut wb, SheetRole::Open, 1, 1_000);
    fedramp_sheet(&mut wb, SheetRole::Closed, 1_001, 600);
    wb.save_to_buffer().unwrap()
}

#[test]
fn every_row_of_long_sheets_arrives_once_in_order() {
    let bytes = workbook();
    let imported = import_bytes(
        "long.xlsx",
        Path::new("long.xlsx"),
        &bytes,
        &ImportOptions::default(),
    )
    .unwrap();
    let items = &imported.poam.items;
    assert_eq!(items.len(), 1_600);
    let ids: Vec<poam_model::Text> = items.iter().map(|i| i.id.clone().unwrap()).collect();
    let expected: Vec<String> = (1..=1_600).map(|k| format!("V-{k:05}")).collect();
    assert_eq!(ids, expected);
    assert_eq!(imported.poam.open_count(), 1_000);
    assert_eq!(imported.poam.closed_count(), 600);
    // Row numbers: data from row 9; the formula row after the 101st item.
    let last_open = &items[999];
    assert_eq!(last_open.origin.as_ref().unwrap().row, Some(9 + 1_000));
    assert_eq!(items[100].origin.as_ref().unwrap().row, Some(9 + 100));
    assert_eq!(items[101].origin.as_ref().unwrap().row, Some(9 + 102));
    for (k, item) in items.iter().enumerate() {
        let name = format!("weakness {}", k + 1);
        assert_eq!(item.weakness_name.as_deref(), Some(name.as_str()));
        assert_eq!(item.controls, ["AC-2"]);
    }
    let sheets: Vec<(String, usize)> = imported
        .report
        .sheets
        .iter()
        .map(|s| (s.name.clone(), s.items))
        .collect();
    assert!(sheets.contains(&("Open POA&M Items".to_string(), 1_000)));
    assert!(sheets.contains(&("Closed POA&M Items".to_string(), 600)));
}

#[test]
fn a_limit_reached_below_the_detection_rows_stops_the_import() {
    let bytes = workbook();
    let opts = ImportOptions {
        // The top rows of every sheet fit; the rest of the first sheet does not.
        limits: Limits {
            max_cells: 700,
            ..Limits::default()
        },
        ..ImportOptions::default()
    };
    match import_bytes("long.xlsx", Path::new("long.xlsx"), &bytes, &opts) {
        Err(ImportError::Limit {
            file,
            limit,
            reason,
        }) => {
            assert_eq!(file, "long.xlsx");
            assert_eq!(limit, poam_import::LimitKind::Cells);
            assert!(reason.contains("limit of 700 cells"), "{reason}");
        }
        other => panic!("expected the cell limit, got {other:?}"),
    }
}

/// A large CSV is read from disk as it is parsed (never held whole), and
/// reads exactly as the same bytes held in memory: a tracker's CSV (rows
/// past the first 5,000 parsed by a second thread), a semicolon one with
/// Excel's `sep=` line and a byte-order mark, and poamkit's own CSV.
#[test]
fn a_large_csv_read_from_disk_reads_as_the_same_bytes_in_memory() {
    let dir = std::env::temp_dir().join(format!("poam-stream-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let mut tracker = String::from("POA&M ID,Weakness,Controls,Status,Due Date,Notes\n");
    let mut semicolon = String::from("\u{feff}sep=;\nPOA&M ID;Weakness;Controls;Status\n");
    // Long notes: past 8 MB in some 8,000 rows, past the 5,000 loaded.
    let note = "a long note about the finding ".repeat(34);
    let mut k = 0;
    while tracker.len() < 8_500_000 || semicolon.len() < 8_500_000 {
        tracker.push_str(&format!(
            "P-{k},\"Weakness {k}, found\nin the scan\",AC-{},{},2025-03-{:02},{note}{k}\n",
            k % 20 + 1,
            if k % 3 == 0 { "Completed" } else { "Ongoing" },
            k % 28 + 1
        ));
        semicolon.push_str(&format!("P-{k};Schwäche {k}, alt {note};IA-5;Ongoing\n"));
        k += 1;
    }
    let poamkit = {
        let m = poam_import::import_bytes(
            "t.csv",
            Path::new("t.csv"),
            tracker.as_bytes(),
            &ImportOptions::default(),
        )
        .unwrap();
        poam_export::csv_out::write_csv(&m.poam, &Default::default())
            .unwrap()
            .bytes
    };
    for (name, bytes) in [
        ("tracker.csv", tracker.into_bytes()),
        ("semicolon.csv", semicolon.into_bytes()),
        ("poamkit.csv", poamkit),
    ] {
        assert!(
            bytes.len() as u64 >= 8 * 1024 * 1024,
            "{name} is large enough to stream"
        );
        let path = dir.join(name);
        std::fs::write(&path, &bytes).unwrap();
        let opts = ImportOptions::default();
        let streamed = poam_import::import_path(&path, &opts).unwrap();
        let held = import_bytes(&path.display().to_string(), &path, &bytes, &opts).unwrap();
        assert!(streamed.poam.items.len() > 5_000, "{name}");
        assert_eq!(
            serde_json::to_string(&streamed.poam).unwrap(),
            serde_json::to_string(&held.poam).unwrap(),
            "{name}"
        );
        assert_eq!(streamed.diagnostics.len(), held.diagnostics.len(), "{name}");
    }
    std::fs::remove_dir_all(&dir).unwrap();
}
