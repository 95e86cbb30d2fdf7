//! The floor and the conversions, measured in the same run.
//!
//! The floor: reading every cell of an N-item FedRAMP workbook with calamine,
//! and writing the same cells with rust_xlsxwriter, with nothing else done.
//! Then `poam`'s own work: import (detection, parsing every cell into the
//! model), and import + write as FedRAMP xlsx, CSV and JSON.
//!
//! `POAM_BENCH_ITEMS` sets N (default 20,000; the README's figures use
//! scripts/bench-convert.sh with 100,000).

use calamine::Reader;
use criterion::{criterion_group, criterion_main, Criterion};
use poam_export::{csv_out, json, xlsx};
use poam_import::{import_bytes, ImportOptions};
use std::io::Cursor;
use std::path::Path;
use std::time::Duration;

fn workbook(n: usize) -> Vec<u8> {
    let dir = std::env::temp_dir().join(format!("poam-bench-{n}.xlsx"));
    if !dir.exists() {
        poam_fixtures::write_large_fedramp(n, &dir).expect("large workbook");
    }
    std::fs::read(&dir).expect("read it back")
}

/// Every cell of every sheet, as calamine gives them.
fn read_cells(bytes: &[u8]) -> Vec<(String, Vec<Vec<calamine::Data>>)> {
    let mut wb = calamine::open_workbook_auto_from_rs(Cursor::new(bytes)).unwrap();
    wb.sheet_names()
        .into_iter()
        .map(|name| {
            let range = wb.worksheet_range(&name).unwrap();
            let rows = range.rows().map(|r| r.to_vec()).collect();
            (name, rows)
        })
        .collect()
}

/// The same cells written back, with nothing else done.
fn write_cells(sheets: &[(String, Vec<Vec<calamine::Data>>)]) -> Vec<u8> {
    let mut wb = rust_xlsxwriter::Workbook::new();
    for (name, rows) in sheets {
        let ws = wb.add_worksheet_with_low_memory().unwrap();
        ws.set_name(name).unwrap();
        for (r, row) in rows.iter().enumerate() {
            for (c, cell) in row.iter().enumerate() {
                let (r, c) = (r as u32, c as u16);
                match cell {
                    calamine::Data::Empty => {}
                    calamine::Data::Float(f) => {
                        ws.write_number(r, c, *f).unwrap();
                    }
                    calamine::Data::Int(i) => {
                        ws.write_number(r, c, *i as f64).unwrap();
                    }
                    other => {
                        ws.write_string(r, c, other.to_string()).unwrap();
                    }
                }
            }
        }
    }
    wb.save_to_buffer().unwrap()
}

fn benches(c: &mut Criterion) {
    let n: usize = std::env::var("POAM_BENCH_ITEMS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(20_000);
    let bytes = workbook(n);
    let layout = poam_layout::builtin().find("fedramp", Some("3.0")).unwrap();
    let opts = ImportOptions::default();
    let import = |b: &[u8]| import_bytes("large.xlsx", Path::new("large.xlsx"), b, &opts).unwrap();
    let mut g = c.benchmark_group(format!("fedramp-{n}-items"));
    g.sample_size(10).measurement_time(Duration::from_secs(20));
    g.bench_function("floor: read cells (calamine)", |b| {
        b.iter(|| read_cells(&bytes))
    });
    let cells = read_cells(&bytes);
    g.bench_function("floor: write cells (rust_xlsxwriter)", |b| {
        b.iter(|| write_cells(&cells))
    });
    g.bench_function("import", |b| b.iter(|| import(&bytes)));
    g.bench_function("xlsx to FedRAMP xlsx", |b| {
        b.iter(|| {
            xlsx::write_xlsx(&import(&bytes).poam, layout, &xlsx::XlsxOptions::default()).unwrap()
        })
    });
    g.bench_function("xlsx to CSV", |b| {
        b.iter(|| {
            csv_out::write_csv(
                &import(&bytes).poam,
                &csv_out::CsvOptions { excel_bom: false },
            )
            .unwrap()
        })
    });
    g.bench_function("xlsx to JSON", |b| {
        b.iter(|| json::write_json(&import(&bytes).poam).unwrap())
    });
    g.finish();
}

criterion_group!(convert, benches);
criterion_main!(convert);
