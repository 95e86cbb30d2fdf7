//! Files in the shapes people's POA&Ms take (issue 13, points 3 to 6), each
//! with what a person reads in it. `write_all` puts them under
//! `fixtures/shapes/`; `tests/cli/shapes.rs` checks that poam reads each as
//! its [`Expect`] says, and the golden tests keep the whole reading (of
//! all but the files under `refused/`, which poam must refuse).

use anyhow::Result;
use rust_xlsxwriter::{Chart, ChartType, Format, Workbook, Worksheet};
use std::io::{Read, Write};

/// A fixture and its reading.
pub struct Shape {
    /// File name under `fixtures/shapes/`.
    pub file: &'static str,
    /// What the file is, in a person's words.
    pub what: &'static str,
    /// Content.
    pub bytes: Vec<u8>,
    /// What a person reads in it.
    pub expect: Expect,
}

/// What a person reads in a shape.
#[derive(Default)]
pub struct Expect {
    /// Items.
    pub items: usize,
    /// Of which closed.
    pub closed: usize,
    /// Rows reported as not read (`skipped-row`).
    pub skipped: usize,
    /// (item index, JSON pointer into the item of `--to json`, the value as
    /// JSON).
    pub values: Vec<(usize, &'static str, &'static str)>,
    /// Diagnostic kinds that must be reported.
    pub diagnostics: Vec<&'static str>,
    /// `system` fields of `--to json`: (JSON pointer, value as JSON).
    pub system: Vec<(&'static str, &'static str)>,
    /// When the file is refused: words its message must hold.
    pub refused: Option<&'static str>,
}

/// One cell of a built sheet.
#[derive(Clone, Copy)]
enum V {
    /// Nothing.
    B,
    /// Text.
    S(&'static str),
    /// A number with a number format.
    N(f64, &'static str),
    /// A hyperlink: text shown, target.
    L(&'static str, &'static str),
}

/// A sheet to build.
struct Tab {
    name: &'static str,
    rows: Vec<Vec<V>>,
    hidden: u8,
    /// (first row, first col, last row, last col), 0-based; the text is the
    /// first cell's of `rows`.
    merges: Vec<(u32, u16, u32, u16)>,
}

fn tab(name: &'static str, rows: &[&[&'static str]]) -> Tab {
    Tab {
        name,
        rows: rows
            .iter()
            .map(|r| {
                r.iter()
                    .map(|s| if s.is_empty() { V::B } else { V::S(s) })
                    .collect()
            })
            .collect(),
        hidden: 0,
        merges: Vec::new(),
    }
}

fn write_tab(ws: &mut Worksheet, t: &Tab) -> Result<()> {
    ws.set_name(t.name)?;
    let merged = Format::new();
    for &(r0, c0, r1, c1) in &t.merges {
        let text = match t.rows.get(r0 as usize).and_then(|r| r.get(c0 as usize)) {
            Some(V::S(s)) => *s,
            _ => "",
        };
        ws.merge_range(r0, c0, r1, c1, text, &merged)?;
    }
    for (r, row) in t.rows.iter().enumerate() {
        for (c, v) in row.iter().enumerate() {
            let (r, c) = (r as u32, c as u16);
            if t.merges.iter().any(|&(r0, c0, r1, c1)| {
                (r0..=r1).contains(&r) && (c0..=c1).contains(&c) && (r, c) != (r0, c0)
            }) || t.merges.iter().any(|&(r0, c0, _, _)| (r, c) == (r0, c0))
            {
                continue;
            }
            match v {
                V::B => {}
                V::S(s) => {
                    ws.write_string(r, c, *s)?;
                }
                V::N(n, f) => {
                    ws.write_number_with_format(r, c, *n, &Format::new().set_num_format(*f))?;
                }
                V::L(text, url) => {
                    ws.write_url_with_text(r, c, *url, *text)?;
                }
            }
        }
    }
    match t.hidden {
        1 => {
            ws.set_hidden(true);
        }
        2 => {
            ws.set_very_hidden(true);
        }
        _ => {}
    }
    Ok(())
}

/// A workbook with fixed properties, so that the generator's output does
/// not change from run to run.
fn new_workbook() -> Result<Workbook> {
    let mut wb = Workbook::new();
    let created = rust_xlsxwriter::ExcelDateTime::from_ymd(2024, 9, 1)?;
    wb.set_properties(
        &rust_xlsxwriter::DocProperties::new()
            .set_creation_datetime(&created)
            .set_author("poamkit fixtures"),
    );
    Ok(wb)
}

fn book(tabs: &[Tab]) -> Result<Vec<u8>> {
    let mut wb = new_workbook()?;
    for t in tabs {
        write_tab(wb.add_worksheet(), t)?;
    }
    Ok(wb.save_to_buffer()?)
}

const HEADER: &[&str] = &[
    "POA&M ID",
    "Weakness",
    "Controls",
    "Status",
    "Scheduled Completion Date",
];

/// Rewrites one part of a zip package (and renames it when `rename` says).
fn patch_zip(bytes: &[u8], patch: impl Fn(&str, String) -> (String, String)) -> Result<Vec<u8>> {
    let mut zin = zip::ZipArchive::new(std::io::Cursor::new(bytes))?;
    let mut out = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default();
    for i in 0..zin.len() {
        let mut f = zin.by_index(i)?;
        let name = f.name()?.to_string();
        let mut text = String::new();
        f.read_to_string(&mut text)?;
        let (name, text) = patch(&name, text);
        out.start_file(name, opts)?;
        out.write_all(text.as_bytes())?;
    }
    Ok(out.finish()?.into_inner())
}

/// UTF-16 with a byte-order mark.
fn utf16(text: &str, big_endian: bool) -> Vec<u8> {
    let mut out = if big_endian {
        vec![0xFE, 0xFF]
    } else {
        vec![0xFF, 0xFE]
    };
    for u in text.encode_utf16() {
        let b = if big_endian {
            u.to_be_bytes()
        } else {
            u.to_le_bytes()
        };
        out.extend(b);
    }
    out
}

/// A Word plan of action whose table has section rows ("3.1 ACCESS
/// CONTROL" across it) and goes on in a second table without a header.
fn word_tables() -> Result<Vec<u8>> {
    use docx_rs::{Docx, Paragraph, Run, Table, TableCell, TableRow};
    let cell =
        |t: &str| TableCell::new().add_paragraph(Paragraph::new().add_run(Run::new().add_text(t)));
    let row = |cells: &[&str]| TableRow::new(cells.iter().map(|t| cell(t)).collect());
    let section = |t: &str| TableRow::new(vec![cell(t).grid_span(HEADER.len())]);
    let first = Table::new(vec![
        row(HEADER),
        section("3.1 ACCESS CONTROL"),
        row(&["P-1", "Shared accounts", "AC-2", "Ongoing", "2025-03-01"]),
        section("3.5 IDENTIFICATION AND AUTHENTICATION"),
        row(&["P-2", "Weak passwords", "IA-5", "Completed", "2025-01-15"]),
    ]);
    let second = Table::new(vec![row(&[
        "P-3",
        "Baseline not applied",
        "CM-6",
        "Ongoing",
        "2025-06-30",
    ])]);
    let docx = Docx::new()
        .add_paragraph(Paragraph::new().add_run(Run::new().add_text("Plan of Action")))
        .add_table(first)
        .add_paragraph(Paragraph::new().add_run(Run::new().add_text("(continued)")))
        .add_table(second);
    let mut out = std::io::Cursor::new(Vec::new());
    docx.build().pack(&mut out)?;
    Ok(out.into_inner())
}

/// Every shape, in the order of issue 13's points 3 to 6.
///
/// # Errors
///
/// When a workbook cannot be built.
pub fn all() -> Result<Vec<Shape>> {
    let mut shapes = Vec::new();
    let mut add = |file, what, bytes, expect| {
        shapes.push(Shape {
            file,
            what,
            bytes,
            expect,
        })
    };
    let item1: &[&str] = &["P-1", "Weak passwords", "IA-5", "Ongoing", "2025-03-01"];
    let item2: &[&str] = &["P-2", "No audit review", "AU-6", "Completed", "2025-01-15"];

    // 3. What is not an item.
    add(
        "trailer-rows.xlsx",
        "a total, a note, a legend and an approval line under the table",
        book(&[tab(
            "POA&M",
            &[
                HEADER,
                item1,
                item2,
                &[],
                &["Total: 2"],
                &["Notes: reviewed at the monthly meeting"],
                &["Legend", "Ongoing = work under way"],
                &["Approved by: J. Smith, ISSM"],
            ],
        )])?,
        Expect {
            items: 2,
            closed: 1,
            skipped: 4,
            values: vec![(1, "/state", "\"closed\"")],
            diagnostics: vec!["skipped-row"],
            ..Expect::default()
        },
    );
    add(
        "placeholder-row.xlsx",
        "a report template's placeholder row beside a real item",
        book(&[tab(
            "POA&M",
            &[
                HEADER,
                &[
                    "${table:poam.id}",
                    "${poam.weakness}",
                    "${poam.controls}",
                    "${poam.status}",
                    "${poam.due}",
                ],
                item1,
            ],
        )])?,
        Expect {
            items: 1,
            skipped: 1,
            values: vec![(0, "/id", "\"P-1\"")],
            ..Expect::default()
        },
    );
    add(
        "description-row.xlsx",
        "a row under the header that says what each column holds",
        book(&[tab(
            "POA&M",
            &[
                HEADER,
                &[
                    "Unique identifier of the weakness",
                    "Describe the weakness found",
                    "NIST SP 800-53 control(s) affected",
                    "Ongoing or Completed",
                    "Date the weakness will be corrected",
                ],
                item1,
            ],
        )])?,
        Expect {
            items: 1,
            skipped: 1,
            values: vec![(0, "/id", "\"P-1\"")],
            ..Expect::default()
        },
    );
    add(
        "second-table.xlsx",
        "a summary by control under the POA&M table on the same sheet",
        book(&[tab(
            "POA&M",
            &[
                HEADER,
                item1,
                item2,
                &[],
                &["Summary by Control"],
                &["Control", "Open", "Closed"],
                &["IA-5", "1", "0"],
                &["AU-6", "0", "1"],
            ],
        )])?,
        Expect {
            items: 2,
            closed: 1,
            skipped: 4,
            ..Expect::default()
        },
    );
    add(
        "section-rows.docx",
        "a Word table with section rows across it, continued in a second table without a header",
        word_tables()?,
        Expect {
            items: 3,
            closed: 1,
            skipped: 2,
            values: vec![(2, "/id", "\"P-3\""), (2, "/controls", "[\"CM-6\"]")],
            ..Expect::default()
        },
    );
    add(
        "hidden-sheets.xlsx",
        "last year's tab hidden and a very hidden list of values beside the POA&M",
        book(&[
            tab("POA&M", &[HEADER, item1]),
            Tab {
                hidden: 1,
                ..tab(
                    "Old 2023",
                    &[
                        HEADER,
                        &["P-0", "Old finding", "AC-2", "Completed", "2023-01-01"],
                    ],
                )
            },
            Tab {
                hidden: 2,
                ..tab(
                    "Lists",
                    &[
                        &["Status"],
                        &["Ongoing"],
                        &["Completed"],
                        &["Risk Accepted"],
                    ],
                )
            },
        ])?,
        Expect {
            items: 1,
            values: vec![(0, "/id", "\"P-1\"")],
            ..Expect::default()
        },
    );
    add(
        "example-sheets.xlsx",
        "a copy of a template with its Instructions and Example sheets",
        book(&[
            tab(
                "Instructions",
                &[&["How to fill in the POA&M"], &["One row per weakness."]],
            ),
            tab(
                "Example",
                &[
                    HEADER,
                    &["EX-1", "Example weakness", "AC-2", "Ongoing", "2025-01-01"],
                ],
            ),
            tab("POA&M", &[HEADER, item1, item2]),
        ])?,
        Expect {
            items: 2,
            closed: 1,
            ..Expect::default()
        },
    );
    add(
        "continued-sheet.xlsx",
        "a long tracker continued on a second sheet with the same header",
        book(&[
            tab("POA&M", &[HEADER, item1]),
            tab("POA&M (2)", &[HEADER, item2]),
        ])?,
        Expect {
            items: 2,
            closed: 1,
            values: vec![(1, "/id", "\"P-2\"")],
            ..Expect::default()
        },
    );
    add(
        "fedramp-continued.xlsx",
        "a FedRAMP 3.0 POA&M whose open items go on in a second sheet with the same header",
        {
            let registry = poam_layout::builtin();
            let layout = registry
                .find("fedramp", Some("3.0"))
                .ok_or_else(|| anyhow::anyhow!("no fedramp 3.0 layout"))?;
            let mut wb = new_workbook()?;
            for def in &layout.sheets {
                let ws = wb.add_worksheet();
                ws.set_name(&def.name)?;
                let rows = match def.role {
                    poam_layout::SheetRole::Open => crate::open_rows(),
                    _ => Vec::new(),
                };
                crate::write_sheet(ws, def, &rows, false)?;
            }
            let open = layout
                .sheets
                .iter()
                .find(|d| d.role == poam_layout::SheetRole::Open)
                .ok_or_else(|| anyhow::anyhow!("no open sheet"))?;
            let ws = wb.add_worksheet();
            ws.set_name("Open POA&M Items (2)")?;
            crate::write_sheet(ws, open, &crate::open_rows()[..1], false)?;
            wb.save_to_buffer()?
        },
        Expect {
            // The three items of the FedRAMP fixture's open sheet, and one
            // more on the second sheet; each sheet's three guidance rows.
            items: 4,
            closed: usize::MAX,
            skipped: 6,
            ..Expect::default()
        },
    );

    // 4. Headers as people make them.
    let two_row = |merged: bool| Tab {
        rows: vec![
            vec![
                V::S("POA&M ID"),
                V::S("Weakness"),
                V::S("Controls"),
                V::S("Milestone 1"),
                V::B,
                V::S("Milestone 2"),
                V::B,
                V::S("Status"),
            ],
            vec![
                V::B,
                V::B,
                V::B,
                V::S("Description"),
                V::S("Date"),
                V::S("Description"),
                V::S("Date"),
                V::B,
            ],
            vec![
                V::S("P-1"),
                V::S("Weak passwords"),
                V::S("IA-5"),
                V::S("Enforce length"),
                V::S("2025-02-01"),
                V::S("Audit accounts"),
                V::S("2025-03-01"),
                V::S("Ongoing"),
            ],
        ],
        merges: if merged {
            vec![
                (0, 0, 1, 0),
                (0, 1, 1, 1),
                (0, 2, 1, 2),
                (0, 3, 0, 4),
                (0, 5, 0, 6),
                (0, 7, 1, 7),
            ]
        } else {
            Vec::new()
        },
        ..tab("POA&M", &[])
    };
    let two_row_expect = || Expect {
        items: 1,
        values: vec![
            (0, "/milestones/0/description", "\"Enforce length\""),
            (0, "/milestones/0/due", "\"2025-02-01\""),
            (0, "/milestones/1/due", "\"2025-03-01\""),
            (0, "/controls", "[\"IA-5\"]"),
        ],
        ..Expect::default()
    };
    add(
        "two-row-header.xlsx",
        "a group \"Milestone 1\" merged over \"Description | Date\", the other headers merged down",
        book(&[two_row(true)])?,
        two_row_expect(),
    );
    add(
        "two-row-header-plain.xlsx",
        "the same two-row header without merged cells",
        book(&[two_row(false)])?,
        two_row_expect(),
    );
    add(
        "merged-rows.xlsx",
        "a control and a status merged down over two items' rows",
        book(&[Tab {
            merges: vec![(1, 2, 2, 2), (1, 3, 2, 3)],
            ..tab(
                "POA&M",
                &[
                    HEADER,
                    &["P-1", "Weak passwords", "IA-5", "Completed", "2025-03-01"],
                    &["P-2", "Shared accounts", "", "", "2025-04-01"],
                    &["P-3", "No audit review", "AU-6", "Ongoing", "2025-05-01"],
                ],
            )
        }])?,
        Expect {
            items: 3,
            closed: 2,
            values: vec![(1, "/controls", "[\"IA-5\"]"), (1, "/state", "\"closed\"")],
            ..Expect::default()
        },
    );
    add(
        "wide-milestones.xlsx",
        "milestones in numbered columns",
        book(&[tab(
            "POA&M",
            &[
                &[
                    "POA&M ID",
                    "Weakness",
                    "Controls",
                    "Milestone 1",
                    "Milestone 1 Date",
                    "Milestone 2",
                    "Milestone 2 Date",
                ],
                &[
                    "P-1",
                    "Weak passwords",
                    "IA-5",
                    "Enforce length",
                    "2025-02-01",
                    "Audit accounts",
                    "2025-03-01",
                ],
            ],
        )])?,
        Expect {
            items: 1,
            values: vec![
                (0, "/milestones/1/description", "\"Audit accounts\""),
                (0, "/milestones/1/due", "\"2025-03-01\""),
            ],
            ..Expect::default()
        },
    );
    add(
        "omb-classic.xlsx",
        "the OMB/FISMA classic POA&M columns",
        book(&[tab(
            "POA&M",
            &[
                &[
                    "Weakness or Deficiency",
                    "POC",
                    "Resources Required",
                    "Scheduled Completion Date",
                    "Milestones with Completion Dates",
                    "Changes to Milestones",
                    "Identified by",
                    "Status",
                ],
                &[
                    "Audit logs not reviewed (AU-6)",
                    "ISSO",
                    "$5,000",
                    "2025-06-30",
                    "Buy a SIEM (03/31/2025)",
                    "None",
                    "Annual assessment",
                    "Ongoing",
                ],
            ],
        )])?,
        Expect {
            items: 1,
            values: vec![
                (0, "/weakness_name", "\"Audit logs not reviewed (AU-6)\""),
                (0, "/point_of_contact", "\"ISSO\""),
                (0, "/resources_required", "\"$5,000\""),
                (0, "/detector_source", "\"Annual assessment\""),
                (0, "/milestones/0/due", "\"2025-03-31\""),
                (0, "/milestone_changes", "\"None\""),
            ],
            ..Expect::default()
        },
    );
    add(
        "title-block.xlsx",
        "a title block of labels above the table",
        book(&[tab(
            "POA&M",
            &[
                &["System Name:", "Payroll"],
                &["Organization:", "Finance Office"],
                &[],
                HEADER,
                item1,
            ],
        )])?,
        Expect {
            items: 1,
            system: vec![
                ("/name", "\"Payroll\""),
                ("/organization", "\"Finance Office\""),
            ],
            ..Expect::default()
        },
    );
    add(
        "cover-sheet.xlsx",
        "a cover sheet naming the system, then the POA&M sheet",
        book(&[
            tab(
                "Cover",
                &[
                    &["Plan of Action and Milestones"],
                    &["System Name:", "Payroll"],
                    &["ISSO:", "A. Jones"],
                ],
            ),
            tab("POA&M", &[HEADER, item1]),
        ])?,
        Expect {
            items: 1,
            system: vec![("/name", "\"Payroll\"")],
            ..Expect::default()
        },
    );

    // 5. Values as people type them.
    add(
        "milestone-forms.xlsx",
        "milestone lists written in the ways people write them",
        book(&[tab(
            "POA&M",
            &[
                &["POA&M ID", "Weakness", "Controls", "Milestones"],
                &["P-1", "a", "AC-2", "Review accounts (05/01/2024)"],
                &["P-2", "b", "AC-2", "05/01/2024 - Review accounts"],
                &[
                    "P-3",
                    "c",
                    "AC-2",
                    "1. Review accounts: 05/01/2024; 2. Remove stale accounts: 06/01/2024",
                ],
                &[
                    "P-4",
                    "d",
                    "AC-2",
                    "Review accounts = 05/01/2024\nRemove stale accounts = 06/01/2024",
                ],
            ],
        )])?,
        Expect {
            items: 4,
            values: vec![
                (0, "/milestones/0/due", "\"2024-05-01\""),
                (1, "/milestones/0/due", "\"2024-05-01\""),
                (2, "/milestones/1/due", "\"2024-06-01\""),
                (3, "/milestones/1/description", "\"Remove stale accounts\""),
            ],
            ..Expect::default()
        },
    );
    add(
        "dates-as-typed.xlsx",
        "a month-only date, a relative due date, a dotted date",
        book(&[tab(
            "POA&M",
            &[
                HEADER,
                &["P-1", "a", "AC-2", "Ongoing", "07/2025"],
                &["P-2", "b", "AC-2", "Ongoing", "30 days"],
                &["P-3", "c", "AC-2", "Ongoing", "04.03.2024"],
            ],
        )])?,
        Expect {
            items: 3,
            values: vec![
                (1, "/extra/Scheduled Completion Date", "\"30 days\""),
                (2, "/scheduled_completion", "\"2024-03-04\""),
            ],
            diagnostics: vec!["month-only-date", "relative-date"],
            ..Expect::default()
        },
    );
    add(
        "dates-by-values.csv",
        "date columns under headers no synonym names, told by their values and words",
        "POA&M ID,Weakness,Controls,Fix By,Spotted On\nP-1,a,AC-2,2025-03-01,2024-11-02\nP-2,b,AC-3,2025-04-01,2024-12-05\n"
            .as_bytes()
            .to_vec(),
        Expect {
            items: 2,
            values: vec![
                (0, "/scheduled_completion", "\"2025-03-01\""),
                (1, "/extra/Spotted On", "\"2024-12-05\""),
            ],
            ..Expect::default()
        },
    );
    add(
        "day-first.csv",
        "a date column that can only be day first",
        "POA&M ID,Weakness,Controls,Status,Due Date\nP-1,a,AC-2,Ongoing,30/06/2024\nP-2,b,AC-3,Ongoing,04/03/2024\n"
            .as_bytes()
            .to_vec(),
        Expect {
            items: 2,
            values: vec![(1, "/scheduled_completion", "\"2024-03-04\"")],
            diagnostics: vec!["day-first-column"],
            ..Expect::default()
        },
    );
    add(
        "leading-zeros.xlsx",
        "ids typed as numbers and shown with leading zeros by their format",
        book(&[Tab {
            rows: vec![
                HEADER.iter().map(|h| V::S(h)).collect(),
                vec![V::N(7.0, "000"), V::S("a"), V::S("AC-2"), V::S("Ongoing")],
                vec![
                    V::N(8.0, "\"POAM-\"000"),
                    V::S("b"),
                    V::S("AC-3"),
                    V::S("Ongoing"),
                ],
            ],
            ..tab("POA&M", &[])
        }])?,
        Expect {
            items: 2,
            values: vec![(0, "/id", "\"007\""), (1, "/id", "\"POAM-008\"")],
            ..Expect::default()
        },
    );
    add(
        "hyperlinks.xlsx",
        "evidence linked from its cell",
        book(&[Tab {
            rows: vec![
                ["POA&M ID", "Weakness", "Controls", "Supporting Documents"]
                    .iter()
                    .map(|h| V::S(h))
                    .collect(),
                vec![
                    V::S("P-1"),
                    V::S("a"),
                    V::S("AC-2"),
                    V::L(
                        "Scan report",
                        "https://evidence.example.org/scan-2025-01.pdf",
                    ),
                ],
            ],
            ..tab("POA&M", &[])
        }])?,
        Expect {
            items: 1,
            values: vec![(
                0,
                "/extra/Supporting Documents (link)",
                "\"https://evidence.example.org/scan-2025-01.pdf\"",
            )],
            ..Expect::default()
        },
    );
    add(
        "formula-without-value.xlsx",
        "a due date computed by a formula that the saving tool did not compute",
        patch_zip(
            &{
                let mut wb = new_workbook()?;
                let ws = wb.add_worksheet().set_name("POA&M")?;
                for (c, h) in HEADER.iter().enumerate() {
                    ws.write_string(0, c as u16, *h)?;
                }
                for (c, v) in item1.iter().take(4).enumerate() {
                    ws.write_string(1, c as u16, *v)?;
                }
                ws.write_formula(1, 4, "=DATE(2025,3,1)")?;
                wb.save_to_buffer()?
            },
            |name, text| {
                let text = if name.starts_with("xl/worksheets/") {
                    text.replace("<v>0</v>", "")
                } else {
                    text
                };
                (name.to_string(), text)
            },
        )?,
        Expect {
            items: 1,
            diagnostics: vec!["formula-without-value"],
            ..Expect::default()
        },
    );

    // 6. Files as people save them.
    let table = "POA&M ID\tWeakness\tControls\tStatus\nP-1\tMots de passe faibles é\tIA-5\tOngoing\nP-2\tPas de revue\tAU-6\tCompleted\n";
    add(
        "unicode-text.csv",
        "Excel's \"Unicode Text\": UTF-16 LE with a byte-order mark, tab-separated",
        utf16(table, false),
        Expect {
            items: 2,
            closed: 1,
            values: vec![(0, "/weakness_name", "\"Mots de passe faibles é\"")],
            ..Expect::default()
        },
    );
    add(
        "utf16-be.csv",
        "UTF-16 BE with a byte-order mark, comma-separated",
        utf16(&table.replace('\t', ","), true),
        Expect {
            items: 2,
            closed: 1,
            ..Expect::default()
        },
    );
    add(
        "windows-1252.csv",
        "a CSV saved by Excel on Windows: Windows-1252, a curly apostrophe",
        {
            let mut b = b"POA&M ID,Weakness,Controls,Status\nP-1,Admin".to_vec();
            b.push(0x92);
            b.extend(b"s share one account,AC-2,Ongoing\n");
            b
        },
        Expect {
            items: 1,
            values: vec![(0, "/weakness_name", "\"Admin\u{2019}s share one account\"")],
            ..Expect::default()
        },
    );
    add(
        "semicolon.csv",
        "European Excel: semicolons, with a sep=; line",
        "sep=;\nPOA&M ID;Weakness;Controls;Status\nP-1;Schwache Passwörter, alt;IA-5;Ongoing\n"
            .as_bytes()
            .to_vec(),
        Expect {
            items: 1,
            values: vec![(0, "/weakness_name", "\"Schwache Passwörter, alt\"")],
            ..Expect::default()
        },
    );
    add(
        "refused/unclosed-quote.csv",
        "a quote opened and never closed",
        "POA&M ID,Weakness,Controls,Status\nP-1,\"Weak passwords,IA-5,Ongoing\nP-2,No review,AU-6,Ongoing\n"
            .as_bytes()
            .to_vec(),
        Expect {
            refused: Some("line 2"),
            ..Expect::default()
        },
    );
    add(
        "bom.json",
        "OSCAL JSON saved with a byte-order mark",
        {
            let mut b = "\u{feff}".as_bytes().to_vec();
            b.extend(crate::oscal_poam().as_bytes());
            b
        },
        Expect {
            items: serde_json::from_str::<serde_json::Value>(&crate::oscal_poam())?
                ["plan-of-action-and-milestones"]["poam-items"]
                .as_array()
                .map_or(0, Vec::len),
            closed: usize::MAX,
            ..Expect::default()
        },
    );
    add(
        "oscal-prefixed.xml",
        "OSCAL XML from another producer: a namespace prefix, a poam-item with its own props and remarks",
        br#"<?xml version="1.0" encoding="UTF-8"?>
<o:plan-of-action-and-milestones xmlns:o="http://csrc.nist.gov/ns/oscal/1.0" uuid="0b9f0c0e-1f0e-4a38-9a9c-1d3c58b0a001">
  <o:metadata>
    <o:title>Agency POA&amp;M</o:title>
    <o:last-modified>2025-01-02T00:00:00Z</o:last-modified>
    <o:version>3</o:version>
    <o:oscal-version>1.1.2</o:oscal-version>
  </o:metadata>
  <o:system-id identifier-type="http://ietf.org/rfc/rfc4122">9f1c7d1e-2b5e-4b8e-8f59-3c0c7c1e0b02</o:system-id>
  <o:poam-item uuid="0b9f0c0e-1f0e-4a38-9a9c-1d3c58b0a002">
    <o:title>Audit records not reviewed</o:title>
    <o:description><o:p>Weekly review is <o:em>not</o:em> done.</o:p></o:description>
    <o:prop name="POAM-ID" value="AGY-7"/>
    <o:remarks><o:p>Raised at the annual assessment.</o:p></o:remarks>
  </o:poam-item>
</o:plan-of-action-and-milestones>
"#
        .to_vec(),
        Expect {
            items: 1,
            values: vec![
                (0, "/id", "\"AGY-7\""),
                (0, "/weakness_name", "\"Audit records not reviewed\""),
                (0, "/weakness_description", "\"Weekly review is not done.\""),
            ],
            ..Expect::default()
        },
    );
    add(
        "refused/oscal-cut-short.xml",
        "an OSCAL XML file cut off in the middle",
        b"<?xml version=\"1.0\"?>\n<plan-of-action-and-milestones xmlns=\"http://csrc.nist.gov/ns/oscal/1.0\" uuid=\"x\">\n  <metadata>\n    <title>Cut</title>\n"
            .to_vec(),
        Expect {
            refused: Some("not readable XML"),
            ..Expect::default()
        },
    );
    add(
        "chart-sheet.xlsx",
        "a chart sheet beside the POA&M sheet",
        {
            let mut wb = new_workbook()?;
            write_tab(wb.add_worksheet(), &tab("POA&M", &[HEADER, item1, item2]))?;
            let mut chart = Chart::new(ChartType::Column);
            chart.add_series().set_values("'POA&M'!$A$1:$A$3");
            wb.add_chartsheet().insert_chart(0, 0, &chart)?;
            wb.save_to_buffer()?
        },
        Expect {
            items: 2,
            closed: 1,
            ..Expect::default()
        },
    );
    add(
        "renamed-strings.xlsx",
        "a workbook whose shared-strings part has another name",
        patch_zip(&book(&[tab("POA&M", &[HEADER, item1])])?, |name, text| {
            let name = if name == "xl/sharedStrings.xml" {
                "xl/strings.xml"
            } else {
                name
            };
            (
                name.to_string(),
                text.replace("sharedStrings.xml", "strings.xml"),
            )
        })?,
        Expect {
            items: 1,
            values: vec![(0, "/weakness_name", "\"Weak passwords\"")],
            ..Expect::default()
        },
    );
    Ok(shapes)
}
