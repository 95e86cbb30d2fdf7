//! poamkit's own CSV (see `poam_layout::flat`).

use crate::cell::{fill, keep_extra};
use crate::grid::Cell;
use crate::report::{ColumnReport, SheetReport};
use crate::{ImportError, ImportOptions, Imported, ReadReport};
use indexmap::IndexMap;
use poam_layout::{column_letters, flat};
use poam_model::date::parse_date_text;
use poam_model::{Category, DiagKind, Diagnostic, Field, Item, Location, Origin, Poam, State};

/// Undoes the formula-injection guard of the CSV writer: a leading `'` before
/// `=`, `+`, `-`, `@`, tab or carriage return.
pub fn unguard(text: &str) -> &str {
    match text.strip_prefix('\'') {
        Some(rest) if rest.starts_with(['=', '+', '-', '@', '\t', '\r']) => rest,
        _ => text,
    }
}

fn split(text: &str) -> Vec<poam_model::Text> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(poam_model::Text::from)
        .collect()
}

/// Whether the CSV's header row is poamkit's own.
pub(crate) fn is_poamkit(bytes: &[u8]) -> bool {
    let mut reader = csv::ReaderBuilder::new().flexible(true).from_reader(bytes);
    match reader.headers() {
        Ok(h) => {
            let headers: Vec<String> = h
                .iter()
                .map(|x| x.trim().trim_start_matches('\u{feff}').to_string())
                .collect();
            headers.iter().any(|x| x == "id")
                && headers
                    .iter()
                    .filter(|x| flat::COLUMNS.contains(&x.as_str()))
                    .count()
                    >= 3
        }
        Err(_) => false,
    }
}

/// The text of a CSV or tab-separated file, whatever Excel or another tool
/// saved it as: a byte-order mark says UTF-8 or UTF-16 (Excel's "Unicode
/// Text" is UTF-16 LE); UTF-16 without one shows as NUL bytes between ASCII
/// letters; otherwise UTF-8, and Windows-1252 when it is not valid UTF-8.
/// Borrowed when it is UTF-8 without a byte-order mark (a large file is not
/// copied), decoded otherwise.
pub(crate) fn decode(bytes: &[u8]) -> (std::borrow::Cow<'_, str>, &'static encoding_rs::Encoding) {
    use encoding_rs::{UTF_16BE, UTF_16LE, UTF_8, WINDOWS_1252};
    use std::borrow::Cow;
    if let Some((enc, bom)) = encoding_rs::Encoding::for_bom(bytes) {
        let (text, _) = enc.decode_without_bom_handling(&bytes[bom..]);
        return (text, enc);
    }
    let sample = &bytes[..bytes.len().min(4096)];
    let zeros_at = |odd: bool| {
        sample
            .iter()
            .enumerate()
            .filter(|(i, b)| **b == 0 && (i % 2 == 1) == odd)
            .count()
    };
    if sample.len() >= 4 && zeros_at(true) * 3 > sample.len() {
        return (UTF_16LE.decode_without_bom_handling(bytes).0, UTF_16LE);
    }
    if sample.len() >= 4 && zeros_at(false) * 3 > sample.len() {
        return (UTF_16BE.decode_without_bom_handling(bytes).0, UTF_16BE);
    }
    match std::str::from_utf8(bytes) {
        Ok(t) => (Cow::Borrowed(t), UTF_8),
        Err(_) => (
            WINDOWS_1252.decode_without_bom_handling(bytes).0,
            WINDOWS_1252,
        ),
    }
}

/// The separator of a delimited text: Excel's `sep=;` first line when there
/// is one (removed from the text), else the one of comma, semicolon and tab
/// that the first line holds most often outside quotes.
fn separator(text: &mut std::borrow::Cow<'_, str>) -> u8 {
    let first = text.lines().next().unwrap_or("").trim();
    if let Some(sep) = first.strip_prefix("sep=").and_then(|s| s.bytes().next()) {
        let cut = text.find('\n').map_or(text.len(), |i| i + 1);
        *text = match std::mem::take(text) {
            std::borrow::Cow::Borrowed(t) => std::borrow::Cow::Borrowed(&t[cut..]),
            std::borrow::Cow::Owned(mut t) => {
                t.replace_range(..cut, "");
                std::borrow::Cow::Owned(t)
            }
        };
        return sep;
    }
    let mut counts = [(b',', 0usize), (b';', 0), (b'\t', 0)];
    let mut quoted = false;
    for c in first.bytes() {
        if c == b'"' {
            quoted = !quoted;
        } else if !quoted {
            for (sep, n) in counts.iter_mut() {
                if c == *sep {
                    *n += 1;
                }
            }
        }
    }
    counts
        .iter()
        .max_by_key(|(_, n)| *n)
        .filter(|(_, n)| *n > 0)
        .map_or(b',', |(sep, _)| *sep)
}

/// The 1-based line where a quoted cell opens that is never closed, if any
/// (the CSV reader would take the rest of the file as that one cell). A
/// quote opens a cell only at its start; inside, `""` is a quote and a quote
/// followed by the separator or the end of a line closes it. A quote in the
/// middle of an unquoted cell (`a 5" screen`) is text.
fn unclosed_quote(text: &str, sep: u8) -> Option<usize> {
    let mut scan = QuoteScan::new(sep);
    scan.feed(text.as_bytes());
    scan.finish()
}

/// [`unclosed_quote`] fed a chunk at a time (a file streamed from disk).
struct QuoteScan {
    sep: u8,
    line: usize,
    at_start: bool,
    open_at: Option<usize>,
    /// A quote inside a quoted cell at the end of the last chunk: a doubled
    /// quote or the cell's end, told by the next byte.
    quote_pending: bool,
}

impl QuoteScan {
    fn new(sep: u8) -> Self {
        QuoteScan {
            sep,
            line: 1,
            at_start: true,
            open_at: None,
            quote_pending: false,
        }
    }

    fn feed(&mut self, bytes: &[u8]) {
        let mut i = 0;
        if self.quote_pending && !bytes.is_empty() {
            self.quote_pending = false;
            if bytes[0] == b'"' {
                i = 1;
            } else {
                self.open_at = None;
                self.at_start = false;
            }
        }
        while i < bytes.len() {
            let c = bytes[i];
            match self.open_at {
                Some(_) if c == b'"' => match bytes.get(i + 1) {
                    Some(b'"') => i += 1,
                    Some(_) => {
                        self.open_at = None;
                        self.at_start = false;
                    }
                    None => self.quote_pending = true,
                },
                Some(_) => {
                    if c == b'\n' {
                        self.line += 1;
                    }
                }
                None if c == b'"' && self.at_start => self.open_at = Some(self.line),
                None if c == self.sep => self.at_start = true,
                None if c == b'\n' => {
                    self.line += 1;
                    self.at_start = true;
                }
                None if c == b'\r' || (self.at_start && c == b' ') => {}
                None => self.at_start = false,
            }
            i += 1;
        }
    }

    fn finish(self) -> Option<usize> {
        if self.quote_pending {
            return None;
        }
        self.open_at
    }
}

/// A delimited file's text, ready to be read as a sheet.
pub(crate) struct CsvText<'a> {
    text: std::borrow::Cow<'a, str>,
    sep: u8,
}

/// Decodes a delimited file and finds its separator; refuses an unclosed
/// quote with its line.
pub(crate) fn prepare<'a>(file: &str, bytes: &'a [u8]) -> Result<CsvText<'a>, ImportError> {
    let (mut text, _) = decode(bytes);
    let sep = separator(&mut text);
    if let Some(line) = unclosed_quote(&text, sep) {
        return Err(unclosed_quote_error(file, line));
    }
    Ok(CsvText { text, sep })
}

impl CsvText<'_> {
    /// A reader of the text's records.
    pub(crate) fn reader(&self) -> csv::Reader<&[u8]> {
        builder(self.sep).from_reader(self.text.as_bytes())
    }
}

/// The error for a quote that opens a cell and is never closed.
fn unclosed_quote_error(file: &str, line: usize) -> ImportError {
    ImportError::NotPoam {
        file: file.to_string(),
        reason: format!(
            "line {line}: a quote (\") opens a cell that is never closed, so the rest of the file would be one cell; close the quote or remove it"
        ),
    }
}

fn builder(sep: u8) -> csv::ReaderBuilder {
    let mut b = csv::ReaderBuilder::new();
    b.flexible(true).has_headers(false).delimiter(sep);
    b
}

/// A field as text: UTF-8, or Windows-1252 when it is not (a file streamed
/// from disk is judged by its start; a stray byte further on is read so).
fn field_text(field: &[u8]) -> std::borrow::Cow<'_, str> {
    match std::str::from_utf8(field) {
        Ok(t) => std::borrow::Cow::Borrowed(t),
        Err(_) => {
            encoding_rs::WINDOWS_1252
                .decode_without_bom_handling(field)
                .0
        }
    }
}

/// Reads up to `rows` records of `reader` into a sheet; true when more
/// follow.
pub(crate) fn head_of<R: std::io::Read>(
    file: &str,
    reader: &mut csv::Reader<R>,
    rows: u32,
) -> Result<(crate::grid::Grid, bool), ImportError> {
    let mut grid = crate::grid::Grid {
        name: "csv".into(),
        ..Default::default()
    };
    let mut record = csv::ByteRecord::new();
    while (grid.rows.len() as u32) < rows {
        let more = reader
            .read_byte_record(&mut record)
            .map_err(|e| ImportError::NotPoam {
                file: file.to_string(),
                reason: format!("row {}: {e}", grid.rows.len() + 1),
            })?;
        if !more {
            return Ok((grid, false));
        }
        grid.rows.push(
            record
                .iter()
                .map(|v| {
                    let v = field_text(v);
                    let v = unguard(&v);
                    if v.is_empty() {
                        Cell::Empty
                    } else {
                        Cell::Text(v.into())
                    }
                })
                .collect(),
        );
    }
    // More only if another record is there; peeking would consume it, so
    // the caller streams the rest and the end shows as no rows.
    Ok((grid, true))
}

/// Sends the records that `reader` has left (row `first_row` on) to a
/// grid's tail, in batches; stops when the grid stops listening.
pub(crate) fn stream_rest<R: std::io::Read>(
    mut reader: csv::Reader<R>,
    first_row: u32,
    tx: &crate::grid::TailTx,
) {
    let mut record = csv::ByteRecord::new();
    let mut batch = crate::grid::RawBatch::default();
    let mut r = first_row;
    loop {
        match reader.read_byte_record(&mut record) {
            Ok(true) => {}
            Ok(false) => break,
            Err(e) => {
                let _ = tx.send(Err(crate::grid::LoadError::Text(format!(
                    "row {}: {e}",
                    r + 1
                ))));
                return;
            }
        }
        for (c, v) in record.iter().enumerate() {
            let v = field_text(v);
            let v = unguard(&v);
            if !v.trim().is_empty() {
                batch.push_text(r, c as u32, v);
            }
        }
        r += 1;
        if batch.rows() >= crate::grid::BATCH_ROWS
            && tx.send(Ok(std::mem::take(&mut batch))).is_err()
        {
            return;
        }
    }
    if !batch.is_empty() {
        let _ = tx.send(Ok(batch));
    }
}

/// How the sheets of a CSV are read once loaded (`lib.rs`'s `read_grids`,
/// given the file name and options): the sheets, the file's first bytes,
/// where the items go.
pub(crate) type ReadGrids<'f> = dyn Fn(Vec<crate::grid::Grid>, &[u8], &mut crate::Items<'_>) -> Result<Imported, ImportError>
    + 'f;

/// Reads a delimited file's records as a sheet: its first 5,000 rows
/// loaded (for the layout to be found), the rest, when there is more,
/// parsed from the same reader by a second thread while rows become items:
/// the rows are never all held.
pub(crate) fn read_sheet<R: std::io::Read + Send>(
    file: &str,
    mut reader: csv::Reader<R>,
    first_bytes: &[u8],
    out: &mut crate::Items<'_>,
    read_grids: &ReadGrids<'_>,
) -> Result<Imported, ImportError> {
    let (mut grid, more) = head_of(file, &mut reader, crate::grid::WHOLE_SHEET_ROWS)?;
    let mut imported = if more {
        let (tx, rx) = crate::grid::tail_channel();
        grid.tail = Some(rx);
        let first_row = grid.height();
        std::thread::scope(|s| {
            s.spawn(move || stream_rest(reader, first_row, &tx));
            read_grids(vec![grid], first_bytes, out)
        })?
    } else {
        read_grids(vec![grid], first_bytes, out)?
    };
    imported.report.format = "csv".into();
    Ok(imported)
}

/// Files at least this large are read from disk as they are parsed, when
/// they are UTF-8: never held whole in memory.
const STREAM_FROM_DISK: u64 = 8 * 1024 * 1024;

/// Reads a large UTF-8 CSV (or tab-separated) file from disk as it is
/// parsed: poamkit's own CSV item by item, any other as a sheet whose rows
/// past the first 5,000 a second thread parses. `None` when the file is
/// not one (small, not named .csv/.txt, a workbook under another name,
/// UTF-16 or Windows-1252): it is read whole, as before.
pub(crate) fn read_file(
    file: &str,
    path: &std::path::Path,
    opts: &ImportOptions,
    out: &mut crate::Items<'_>,
    read_grids: &ReadGrids<'_>,
) -> Option<Result<Imported, ImportError>> {
    use std::io::{BufRead, Read};
    let ext = path.extension()?.to_str()?.to_ascii_lowercase();
    if ext != "csv" && ext != "txt" {
        return None;
    }
    let io = |source: std::io::Error| ImportError::Io {
        file: file.to_string(),
        source,
    };
    let size = std::fs::metadata(path).ok()?.len();
    if size < STREAM_FROM_DISK {
        return None;
    }
    // The start says what the file is.
    let mut sample = vec![0u8; 64 * 1024];
    let n = std::fs::File::open(path).ok()?.read(&mut sample).ok()?;
    sample.truncate(n);
    let bom = sample.starts_with(b"\xEF\xBB\xBF");
    let body = if bom { &sample[3..] } else { &sample[..] };
    let looks_utf8 = match std::str::from_utf8(body) {
        Ok(_) => true,
        // A character cut by the sample's end.
        Err(e) => e.error_len().is_none() && e.valid_up_to() + 4 > body.len(),
    };
    if sample.starts_with(b"PK\x03\x04")
        || sample.starts_with(&[0xD0, 0xCF, 0x11, 0xE0])
        || encoding_rs::Encoding::for_bom(&sample).is_some_and(|(e, _)| e != encoding_rs::UTF_8)
        || body.contains(&0)
        || !looks_utf8
    {
        return None;
    }
    let start = String::from_utf8_lossy(body);
    let mut first = std::borrow::Cow::Borrowed(start.as_ref());
    let sep = separator(&mut first);
    let sep_line = first.len() != start.len();
    let result = (|| {
        // An unclosed quote is found before anything is read.
        let mut scan = QuoteScan::new(sep);
        let mut f =
            std::io::BufReader::with_capacity(1 << 18, std::fs::File::open(path).map_err(io)?);
        loop {
            let chunk = f.fill_buf().map_err(io)?;
            if chunk.is_empty() {
                break;
            }
            scan.feed(chunk);
            let used = chunk.len();
            f.consume(used);
        }
        // The scan counts the sep= line, as the whole-file reading does not.
        if let Some(line) = scan.finish() {
            let line = if sep_line {
                line.saturating_sub(1)
            } else {
                line
            };
            return Err(unclosed_quote_error(file, line));
        }
        let mut f =
            std::io::BufReader::with_capacity(1 << 18, std::fs::File::open(path).map_err(io)?);
        if bom {
            f.consume(3);
        }
        if sep_line {
            let mut line = Vec::new();
            f.read_until(b'\n', &mut line).map_err(io)?;
        }
        if opts.mapping.is_none() && is_poamkit(first.as_bytes()) {
            let reader = csv::ReaderBuilder::new().flexible(true).from_reader(f);
            return read_from(file, reader, opts, out);
        }
        read_sheet(file, builder(sep).from_reader(f), &sample, out, read_grids)
    })();
    Some(result)
}

/// Reads poamkit CSV.
pub(crate) fn read(
    file: &str,
    bytes: &[u8],
    opts: &ImportOptions,
    out: &mut crate::Items<'_>,
) -> Result<Imported, ImportError> {
    let reader = csv::ReaderBuilder::new().flexible(true).from_reader(bytes);
    read_from(file, reader, opts, out)
}

/// Reads poamkit CSV from any reader (a file streamed from disk).
pub(crate) fn read_from<R: std::io::Read>(
    file: &str,
    mut reader: csv::Reader<R>,
    opts: &ImportOptions,
    out: &mut crate::Items<'_>,
) -> Result<Imported, ImportError> {
    let bad = |reason: String| ImportError::NotPoam {
        file: file.to_string(),
        reason,
    };
    let headers: Vec<String> = reader
        .headers()
        .map_err(|e| bad(format!("cannot read the CSV header: {e}")))?
        .iter()
        .map(|h| h.trim().trim_start_matches('\u{feff}').to_string())
        .collect();
    let known = headers
        .iter()
        .filter(|h| flat::COLUMNS.contains(&h.as_str()))
        .count();
    if known < 3 || !headers.iter().any(|h| h == "id") {
        return Err(bad(
            "the CSV header is not poamkit's (expected columns such as id, state, controls, weakness_name)".into(),
        ));
    }
    let mut poam = Poam::default();
    let mut diags = Vec::new();
    let mut count = 0;
    // The previous item's origin, whose file and sheet names the next item
    // most likely shares.
    let mut last_origin = Origin::default();
    for (n, record) in reader.records().enumerate() {
        let row = n as u32 + 2;
        let record = record.map_err(|e| bad(format!("row {row}: {e}")))?;
        let mut item = Item::default();
        let mut origin = Origin::default();
        for (c, value) in record.iter().enumerate() {
            let value = unguard(value);
            if value.trim().is_empty() {
                continue;
            }
            let header = headers
                .get(c)
                .cloned()
                .unwrap_or_else(|| format!("Column {}", column_letters(c as u16)));
            let location = Location::cell(file, "csv", c as u32, row);
            match header.as_str() {
                "state" => {
                    item.state = if value.trim().eq_ignore_ascii_case("closed") {
                        State::Closed
                    } else {
                        State::Open
                    }
                }
                "category" => item.category = Some(Category::Configuration),
                "controls" => item.controls = split(value),
                "control_parts" => item.control_parts = split(value),
                "unparsed_controls" => item.unparsed_controls = split(value),
                "procedures" => item.procedures = split(value),
                "other_controls" => {
                    item.other_controls = split(value)
                        .into_iter()
                        .filter_map(|l| {
                            let (f, id) = l.split_once(": ")?;
                            Some(poam_model::OtherControl {
                                framework: f.to_string(),
                                id: id.to_string(),
                            })
                        })
                        .collect()
                }
                "origin.file" if *last_origin.file == *value => {
                    origin.file = last_origin.file.clone()
                }
                "origin.file" => origin.file = value.into(),
                "system.name" => poam.system.name = Some(value.to_string()),
                "system.organization" => poam.system.organization = Some(value.to_string()),
                "system.impact_level" => poam.system.impact_level = Some(value.to_string()),
                "system.marking" => poam.system.marking = Some(value.to_string()),
                "system.poam_date" => match parse_date_text(value, opts.date_order) {
                    Some(d) => poam.system.poam_date = Some(d),
                    None => diags.push(Diagnostic::new(
                        DiagKind::BadSystemDate {
                            label: "POA&M date".into(),
                            raw: value.to_string(),
                            kept: false,
                        },
                        location,
                    )),
                },
                "origin.sheet" => {
                    origin.sheet = match &last_origin.sheet {
                        Some(last) if **last == *value => Some(last.clone()),
                        _ => Some(value.into()),
                    }
                }
                "origin.row" => origin.row = value.trim().parse().ok(),
                "extra" => {
                    match serde_json::from_str::<IndexMap<poam_model::Text, poam_model::Text>>(
                        value,
                    ) {
                        Ok(map) => item.extra.extend(map),
                        Err(_) => keep_extra(&mut item, "extra", value.to_string()),
                    }
                }
                "emass.costs" => match serde_json::from_str::<
                    IndexMap<poam_model::Text, poam_model::Text>,
                >(value)
                {
                    Ok(map) => item.emass.costs.extend(map),
                    Err(_) => keep_extra(&mut item, "emass.costs", value.to_string()),
                },
                "system.extra" => match serde_json::from_str::<IndexMap<String, String>>(value) {
                    Ok(map) => poam.system.extra.extend(map),
                    Err(_) => keep_extra(&mut item, "system.extra", value.to_string()),
                },
                "ssp_refs" => match serde_json::from_str::<Vec<poam_model::SspRef>>(value) {
                    Ok(list) => item.ssp_refs = list,
                    Err(_) => keep_extra(&mut item, "ssp_refs", value.to_string()),
                },
                "milestones" if value.trim_start().starts_with('[') => {
                    match serde_json::from_str::<Vec<poam_model::Milestone>>(value) {
                        Ok(list) => item.milestones = list,
                        Err(_) => keep_extra(&mut item, "milestones", value.to_string()),
                    }
                }
                name => match Field::from_name(name) {
                    Some(f) => fill(
                        &mut item,
                        f,
                        name,
                        &Cell::Text(value.into()),
                        &|| location.clone(),
                        opts,
                        &mut diags,
                    ),
                    None => keep_extra(&mut item, name, value.to_string()),
                },
            }
        }
        if !origin.file.is_empty() || origin.sheet.is_some() || origin.row.is_some() {
            last_origin = origin.clone();
            item.origin = Some(origin);
        }
        // The system's columns are on every row: whole with the first. With
        // a sink, each item goes at once (a row is one item).
        out.begin(&poam.system);
        out.list.push(item);
        out.release(out.list.len());
        count += 1;
    }
    poam.items = std::mem::take(&mut out.list);
    let report = ReadReport {
        format: "csv".into(),
        layout: Some("poamkit csv".into()),
        sheets: vec![SheetReport {
            name: "csv".into(),
            role: None,
            header_row: Some(1),
            columns: headers
                .iter()
                .enumerate()
                .map(|(c, h)| ColumnReport {
                    column: column_letters(c as u16),
                    header: h.clone(),
                    field: flat::COLUMNS.contains(&h.as_str()).then(|| h.clone()),
                    evidence: None,
                    values: None,
                    runner_up: None,
                })
                .collect(),
            items: count,
            rows_read: count,
            rows_skipped: 0,
            read_as: None,
            note: None,
        }],
        ..ReadReport::default()
    };
    Ok(Imported {
        poam,
        diagnostics: diags,
        report,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The whole file as a sheet.
    fn to_grid(file: &str, bytes: &[u8]) -> Result<crate::grid::Grid, ImportError> {
        let text = prepare(file, bytes)?;
        Ok(head_of(file, &mut text.reader(), u32::MAX)?.0)
    }

    #[test]
    fn a_long_file_streams_its_rest_from_the_same_reader() {
        let mut text = String::from("ID,Name\n");
        for k in 0..600 {
            text.push_str(&format!("{k},n{k}\n"));
        }
        let csv = prepare("l.csv", text.as_bytes()).unwrap();
        let mut reader = csv.reader();
        let (grid, more) = head_of("l.csv", &mut reader, 100).unwrap();
        assert_eq!(grid.rows.len(), 100);
        assert!(more);
        let (tx, rx) = crate::grid::tail_channel();
        let rows = std::thread::scope(|s| {
            s.spawn(move || stream_rest(reader, 100, &tx));
            // Until the sender is done (its thread ended).
            rx.iter().map(|b| b.unwrap().rows()).sum::<usize>()
        });
        assert_eq!(rows, 501, "the 601 rows less the 100 loaded");
    }

    #[test]
    fn the_quote_scan_finds_the_same_in_chunks_as_whole() {
        for text in [
            "ID,Name\n1,\"say \"\"hi\"\"\"\n2,b\n",
            "ID,Name\n1,\"open\n2,b\n3,c\n",
            "ID,Name\n1,\"a\"\"\n\"\n",
            "ID,Name\n1,a 5\" screen\n",
        ] {
            let whole = unclosed_quote(text, b',');
            for cut in 0..=text.len() {
                let mut scan = QuoteScan::new(b',');
                scan.feed(&text.as_bytes()[..cut]);
                scan.feed(&text.as_bytes()[cut..]);
                assert_eq!(scan.finish(), whole, "{text:?} cut at {cut}");
            }
        }
    }

    #[test]
    fn text_as_excel_saves_it() {
        // UTF-16 LE with a byte-order mark, tab-separated ("Unicode Text").
        let mut utf16 = vec![0xFF, 0xFE];
        for u in "POAM ID\tWeakness\nV-1\tCaf\u{e9}\n".encode_utf16() {
            utf16.extend(u.to_le_bytes());
        }
        let grid = to_grid("u.txt", &utf16).unwrap();
        assert_eq!(grid.rows[1][1].text(), "Caf\u{e9}");
        // UTF-16 LE without a mark.
        let bare: Vec<u8> = "ID,Name\n1,x\n"
            .encode_utf16()
            .flat_map(u16::to_le_bytes)
            .collect();
        assert_eq!(to_grid("b.csv", &bare).unwrap().rows[1][1].text(), "x");
        // Windows-1252: the euro sign and a curly quote.
        let cp1252 = b"ID;Cost\n1;\x80 5\x92s\n";
        assert_eq!(
            to_grid("w.csv", cp1252).unwrap().rows[1][1].text(),
            "\u{20ac} 5\u{2019}s"
        );
        // Semicolons, and Excel's sep= line.
        let semi = to_grid("s.csv", b"sep=;\nID;Weakness;Status\nV-1;a, b;Open\n").unwrap();
        assert_eq!(semi.rows[0][1].text(), "Weakness");
        assert_eq!(semi.rows[1][1].text(), "a, b");
    }

    #[test]
    fn an_unclosed_quote_is_an_error_naming_its_line() {
        let e = to_grid("q.csv", b"ID,Name\n1,\"open\n2,b\n3,c\n").unwrap_err();
        assert!(e.to_string().contains("line 2"), "{e}");
        // Quotes in the middle of a cell, and doubled quotes, are text.
        let ok = to_grid("ok.csv", b"ID,Name\n1,a 5\" screen\n2,\"say \"\"hi\"\"\"\n").unwrap();
        assert_eq!(ok.rows[2][1].text(), "say \"hi\"");
    }
}
