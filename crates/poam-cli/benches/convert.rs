//! The floor and the conversions, measured in the same run.
//!
//! The floor: reading every cell of an N-item FedRAMP workbook with calamine,
//! and writing the same cells with rust_xlsxwriter to a file, with nothing
//! else done. Then `poam`'s own work: import in-process (detection, every
//! cell into the model), and `poam convert` itself (the release binary, as a
//! user runs it: process start, file read, file written) to FedRAMP xlsx,
//! CSV and JSON.
//!
//! `POAM_BENCH_ITEMS` sets N (default 20,000; the README's figures use
//! 100,000).

use calamine::Reader;
use criterion::{criterion_group, criterion_main, Criterion};
use poam_import::{import_bytes, ImportOptions};
use std::io::Cursor;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

fn workbook(n: usize) -> PathBuf {
    let path = std::env::temp_dir().join(format!("poam-bench-{n}.xlsx"));
    if !path.exists() {
        poam_fixtures::write_large_fedramp(n, &path).expect("large workbook");
    }
    path
}

/// A sheet's name and its cells: row, column, value.
type Sheet = (String, Vec<(u32, u32, calamine::Data)>);

/// Every cell of every sheet, as calamine streams them (the fastest way
/// calamine reads an .xlsx: no rectangle built).
fn read_cells(bytes: &[u8]) -> Vec<Sheet> {
    let Ok(calamine::Sheets::Xlsx(mut wb)) =
        calamine::open_workbook_auto_from_rs(Cursor::new(bytes))
    else {
        panic!("an .xlsx");
    };
    wb.sheet_names()
        .into_iter()
        .map(|name| {
            let mut cells = Vec::new();
            let mut reader = wb.worksheet_cells_reader(&name).unwrap();
            while let Some(cell) = reader.next_cell().unwrap() {
                let (r, c) = cell.get_position();
                cells.push((r, c, calamine::Data::from(cell.get_value().clone())));
            }
            (name, cells)
        })
        .collect()
}

/// The same cells written back to a file, with nothing else done.
fn write_cells(sheets: &[Sheet], out: &Path) {
    let mut wb = rust_xlsxwriter::Workbook::new();
    for (name, cells) in sheets {
        let ws = wb.add_worksheet_with_low_memory().unwrap();
        ws.set_name(name).unwrap();
        for (r, c, cell) in cells {
            let (r, c) = (*r, *c as u16);
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
    wb.save(out).unwrap();
}

/// `poam convert INPUT --to TO -o OUT`, as a user runs it.
fn convert(input: &Path, to: &str, out: &Path) {
    let _ = std::fs::remove_file(out);
    let status = Command::new(env!("CARGO_BIN_EXE_poam"))
        .arg("convert")
        .arg(input)
        .args(["--to", to, "-o"])
        .arg(out)
        .stderr(std::process::Stdio::null())
        .status()
        .expect("run poam");
    assert!(status.success(), "poam convert --to {to} failed");
}

fn benches(c: &mut Criterion) {
    let n: usize = std::env::var("POAM_BENCH_ITEMS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(20_000);
    let input = workbook(n);
    let bytes = std::fs::read(&input).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let opts = ImportOptions::default();
    let mut g = c.benchmark_group(format!("fedramp-{n}-items"));
    g.sample_size(10).measurement_time(Duration::from_secs(20));
    g.bench_function("floor: read cells (calamine)", |b| {
        b.iter(|| read_cells(&bytes))
    });
    let cells = read_cells(&bytes);
    let floor_out = dir.path().join("floor.xlsx");
    g.bench_function("floor: write cells (rust_xlsxwriter)", |b| {
        b.iter(|| write_cells(&cells, &floor_out))
    });
    drop(cells);
    g.bench_function("import (in-process)", |b| {
        b.iter(|| import_bytes("large.xlsx", Path::new("large.xlsx"), &bytes, &opts).unwrap())
    });
    for (to, name) in [
        ("fedramp", "out.xlsx"),
        ("csv", "out.csv"),
        ("json", "out.json"),
    ] {
        let out = dir.path().join(name);
        g.bench_function(format!("poam convert --to {to}"), |b| {
            b.iter(|| convert(&input, to, &out))
        });
    }
    g.finish();
}

criterion_group!(convert_group, benches);
criterion_main!(convert_group);
