//! Hostile and broken input: never a panic, always a one-line message with
//! the file and the reason, exit 2, and no output left behind.

use super::{model, poam};
use std::io::Write;
use std::path::Path;

/// Runs `poam convert IN --to fedramp -o OUT` (OUT beside IN) and checks a
/// clean failure: exit 2, one line naming the file and the reason, no output
/// and no temporary file.
pub(crate) fn fails_cleanly(input: &Path, extra: &[&str], reason: &str) {
    let dir = input.parent().unwrap();
    let out = dir.join("out.xlsx");
    let result = poam()
        .arg("convert")
        .arg(input)
        .args(["--to", "fedramp", "-o"])
        .arg(&out)
        .args(extra)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&result.stderr);
    assert_eq!(
        result.status.code(),
        Some(2),
        "{}: {stderr}",
        input.display()
    );
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert_eq!(stderr.lines().count(), 1, "one line: {stderr}");
    assert!(stderr.contains(&input.display().to_string()), "{stderr}");
    assert!(stderr.contains(reason), "{stderr}");
    assert!(!out.exists());
    let leftovers: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().contains(".tmp"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

fn header_workbook(path: &Path, extra: impl FnOnce(&mut rust_xlsxwriter::Worksheet)) {
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    for (c, h) in [
        "POAM ID",
        "Controls",
        "Weakness Name",
        "Weakness Description",
    ]
    .iter()
    .enumerate()
    {
        ws.write_string(0, c as u16, *h).unwrap();
    }
    for (c, v) in ["V-1", "AC-2", "Stale accounts", "Accounts not reviewed"]
        .iter()
        .enumerate()
    {
        ws.write_string(1, c as u16, *v).unwrap();
    }
    extra(ws);
    wb.save(path).unwrap();
}

#[test]
fn password_protected_workbooks_are_named_as_such() {
    // An encrypted Office file: an OLE container with EncryptionInfo and
    // EncryptedPackage streams instead of a workbook.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("locked.xlsx");
    let mut comp = cfb::create(&path).unwrap();
    comp.create_stream("/EncryptionInfo")
        .unwrap()
        .write_all(&[4, 0, 4, 0, 0x40, 0, 0, 0])
        .unwrap();
    comp.create_stream("/EncryptedPackage")
        .unwrap()
        .write_all(&[0u8; 4096])
        .unwrap();
    comp.flush().unwrap();
    drop(comp);
    fails_cleanly(&path, &[], "password-protected");
}

#[test]
fn a_cell_at_the_last_row_and_column_reads_without_filling_the_rectangle() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("far.xlsx");
    header_workbook(&path, |ws| {
        ws.write_string(1_048_575, 16_383, "far away").unwrap();
    });
    // Read: the far cell is kept (it has no header, so it lands in extra or
    // its own item), nothing crashes, and memory stays small.
    let m = model(path.to_str().unwrap(), &["--from", "legacy"]);
    assert_eq!(m["items"][0]["id"], "V-1");
    // With a small cell limit the same file is refused, naming the flag.
    fails_cleanly(&path, &["--max-cells", "1000"], "--max-cells raises it");
}

#[test]
fn a_cell_of_32767_characters_survives_a_round_trip() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("long.xlsx");
    let long = "x".repeat(32_767);
    let copy = long.clone();
    header_workbook(&path, move |ws| {
        ws.write_string(1, 3, &copy).unwrap();
    });
    let out = dir.path().join("out.xlsx");
    poam()
        .args(["convert", path.to_str().unwrap(), "--to", "fedramp", "-o"])
        .arg(&out)
        .assert()
        .success();
    let m = model(out.to_str().unwrap(), &[]);
    assert_eq!(
        m["items"][0]["weakness_description"]
            .as_str()
            .unwrap()
            .len(),
        32_767
    );
}

#[test]
fn zip_bombs_are_refused_by_their_inflated_size() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bomb.xlsx");
    // 3 MB of sheet XML that compresses to a few KB.
    header_workbook(&path, |ws| {
        for r in 2..40_000u32 {
            ws.write_string(r, 3, "same text again and again").unwrap();
        }
    });
    assert!(std::fs::metadata(&path).unwrap().len() < 1024 * 1024);
    fails_cleanly(
        &path,
        &["--max-inflated-mb", "1"],
        "--max-inflated-mb raises it",
    );
}

#[test]
fn deeply_nested_and_malformed_json_fail_cleanly() {
    let dir = tempfile::tempdir().unwrap();
    let deep = dir.path().join("deep.json");
    std::fs::write(
        &deep,
        format!(
            "{{\"items\": {}{}}}",
            "[".repeat(100_000),
            "]".repeat(100_000)
        ),
    )
    .unwrap();
    fails_cleanly(&deep, &[], "deep.json");
    let cut = dir.path().join("cut.json");
    std::fs::write(
        &cut,
        "{\"system\": {\"name\": \"S\"}, \"items\": [{\"id\": \"V-1\"",
    )
    .unwrap();
    fails_cleanly(&cut, &[], "cut.json");
}

#[test]
fn xml_entity_declarations_are_never_expanded() {
    // A Word file whose document declares a "billion laughs" entity.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("laughs.docx");
    let mut zip = zip::ZipWriter::new(std::fs::File::create(&path).unwrap());
    let opts = zip::write::SimpleFileOptions::default();
    zip.start_file("[Content_Types].xml", opts).unwrap();
    zip.write_all(br#"<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>"#).unwrap();
    zip.start_file("word/document.xml", opts).unwrap();
    let mut doc = String::from(r#"<?xml version="1.0"?><!DOCTYPE w [<!ENTITY lol "lol">"#);
    for i in 1..10 {
        doc.push_str(&format!(
            "<!ENTITY lol{i} \"{}\">",
            format!(
                "&lol{};",
                if i == 1 {
                    String::new()
                } else {
                    (i - 1).to_string()
                }
            )
            .repeat(10)
        ));
    }
    doc.push_str(r#"]><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body><w:tbl><w:tr><w:tc><w:p><w:r><w:t>POAM ID</w:t></w:r></w:p></w:tc><w:tc><w:p><w:r><w:t>Weakness Name</w:t></w:r></w:p></w:tc></w:tr><w:tr><w:tc><w:p><w:r><w:t>V-1</w:t></w:r></w:p></w:tc><w:tc><w:p><w:r><w:t>&lol9;</w:t></w:r></w:p></w:tc></w:tr></w:tbl></w:body></w:document>"#);
    zip.write_all(doc.as_bytes()).unwrap();
    zip.finish().unwrap();
    let out = poam()
        .args(["convert", path.to_str().unwrap(), "--to", "json"])
        .timeout(std::time::Duration::from_secs(30))
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
    // Either refused with a message or read with the entity left unexpanded:
    // never a billion "lol"s.
    assert!(out.stdout.len() < 100_000, "the entity was expanded");
    if !out.status.success() {
        assert_eq!(out.status.code(), Some(2));
        assert!(stderr.contains("laughs.docx"), "{stderr}");
    }
}

/// Copies a zip, changing the text of one of its parts.
fn rezip(from: &Path, to: &Path, part: &str, change: impl Fn(String) -> String) {
    let mut input = zip::ZipArchive::new(std::fs::File::open(from).unwrap()).unwrap();
    let mut output = zip::ZipWriter::new(std::fs::File::create(to).unwrap());
    for i in 0..input.len() {
        let mut entry = input.by_index(i).unwrap();
        let name = entry.name().unwrap().to_string();
        let mut bytes = Vec::new();
        std::io::Read::read_to_end(&mut entry, &mut bytes).unwrap();
        if name == part {
            bytes = change(String::from_utf8(bytes).unwrap()).into_bytes();
        }
        output
            .start_file(name, zip::write::SimpleFileOptions::default())
            .unwrap();
        output.write_all(&bytes).unwrap();
    }
    output.finish().unwrap();
}

#[test]
fn a_cell_reference_with_an_absurd_column_fails_cleanly() {
    // Found by fuzzing: calamine overflowed parsing a column of a dozen
    // letters (a panic in builds with overflow checks). In the rows read for
    // layout detection, and below them where a second thread reads.
    let dir = tempfile::tempdir().unwrap();
    let plain = dir.path().join("plain.xlsx");
    header_workbook(&plain, |ws| {
        for r in 2..100 {
            ws.write_string(r, 0, format!("V-{r}")).unwrap();
            ws.write_string(r, 2, "Stale accounts").unwrap();
        }
    });
    for row in [3, 80] {
        let path = dir.path().join(format!("column-{row}.xlsx"));
        rezip(&plain, &path, "xl/worksheets/sheet1.xml", |xml| {
            xml.replace(
                &format!("r=\"A{row}\""),
                &format!("r=\"{}{row}\"", "Z".repeat(12)),
            )
        });
        // The wrapped column is far to the right: the cell limit, or a
        // reference calamine refuses; either way one line and exit 2.
        let result = poam()
            .args(["inspect", path.to_str().unwrap()])
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&result.stderr);
        assert!(
            stderr.contains("goes past the limit of")
                || stderr.contains("not a readable spreadsheet"),
            "{stderr}"
        );
        fails_cleanly(&path, &[], &format!("column-{row}.xlsx"));
    }
}

#[test]
fn json_of_another_kind_is_not_an_empty_poam() {
    // An OSCAL SSP, or any JSON without `items`, is refused rather than read
    // as a POA&M with no items.
    let dir = tempfile::tempdir().unwrap();
    let ssp = dir.path().join("ssp.json");
    std::fs::write(&ssp, r#"{"system-security-plan": {"uuid": "x"}}"#).unwrap();
    fails_cleanly(
        &ssp,
        &[],
        "neither poamkit's model (an object with \"items\") nor an OSCAL POA&M",
    );
    // A trimmed model with only `items` still reads.
    let trimmed = dir.path().join("trimmed.json");
    std::fs::write(&trimmed, r#"{"items": [{"id": "V-1"}]}"#).unwrap();
    let m = model(trimmed.to_str().unwrap(), &[]);
    assert_eq!(m["items"][0]["id"], "V-1");
}

/// A tiny .ods whose repeated cells come to a billion (a value cell repeated
/// 1,000 columns, in a row repeated 1,000,000 times) is refused by the cell
/// limit counted from its XML, before the spreadsheet reader expands them
/// (it reached 2.6 GB before).
#[test]
fn repeated_ods_cells_count_against_the_cell_limit_before_they_are_expanded() {
    use std::io::Write;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("repeated.ods");
    let mut zip = zip::ZipWriter::new(std::fs::File::create(&path).unwrap());
    let stored =
        zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    zip.start_file("mimetype", stored).unwrap();
    zip.write_all(b"application/vnd.oasis.opendocument.spreadsheet")
        .unwrap();
    zip.start_file("content.xml", zip::write::SimpleFileOptions::default())
        .unwrap();
    zip.write_all(
        br#"<?xml version="1.0" encoding="UTF-8"?>
<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2"><office:body><office:spreadsheet><table:table table:name="POAM"><table:table-row><table:table-cell office:value-type="string"><text:p>POA&amp;M ID</text:p></table:table-cell></table:table-row><table:table-row table:number-rows-repeated="1000000"><table:table-cell office:value-type="string" table:number-columns-repeated="1000"><text:p>x</text:p></table:table-cell></table:table-row></table:table></office:spreadsheet></office:body></office:document-content>"#,
    )
    .unwrap();
    zip.finish().unwrap();
    assert!(std::fs::metadata(&path).unwrap().len() < 16 * 1024);
    fails_cleanly(
        &path,
        &[],
        "repeated cells come to more, counted before they are expanded",
    );
}
