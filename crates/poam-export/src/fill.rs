//! Filling the user's own copy of an official template in place (`--into`).
//!
//! The data rows of the layout's sheets are rewritten with the items and
//! every other part of the file is copied as it is: zip entries are copied
//! raw (styles, themes, images, print setup, page headers and footers with
//! their marking, defined names, macros), and each sheet written is streamed
//! through quick-xml, its rows above the data copied event by event. In the
//! data rows each cell keeps the template's style; the template's formulas
//! stay in their cells (a FedRAMP Scheduled Completion Date is computed by
//! the template), with the item's own date as the value shown until the
//! workbook is recalculated, which it is on opening. Validations and
//! conditional formats that reach the template's last row are extended over
//! the rows written past it.

use crate::xlsx::{CellValue, Tally, XlsxPlan};
use crate::{ExportError, Written};
use chrono::NaiveDate;
use poam_layout::{column_index, column_letters, parse_cell_ref, Layout, SheetDef, SystemField};
use poam_model::{DiagKind, Diagnostic, Item, Poam};
use quick_xml::events::{BytesStart, Event};
use quick_xml::{Reader, Writer};
use std::collections::{BTreeMap, HashMap};
use std::fmt::Write as _;
use std::io::{Cursor, Read, Write};

/// One row of an item on its sheet: the item and the row's cells.
type ItemRow<'a> = (&'a Item, Vec<(u16, CellValue)>);

/// How to fill a template.
#[derive(Debug, Clone, Default)]
pub struct FillOptions {
    /// Write the items' own dates in place of the template's formulas.
    pub keep_dates: bool,
    /// The template's marking and the input's, when they differ: the
    /// input's is written in the banner and the page header and footer.
    pub marking: Option<(String, String)>,
    /// The input's marking, when the template has none: written as the page
    /// header and footer of every sheet filled.
    pub add_marking: Option<String>,
    /// The POA&M date written when the input has none (see
    /// [`crate::xlsx::XlsxOptions::default_poam_date`]).
    pub default_poam_date: Option<NaiveDate>,
    /// The template's own name for a layout sheet its owner renamed
    /// (layout sheet, workbook sheet), as the reader matched them by their
    /// headers: STIG Manager's MCCAST template calls its one sheet `Sheet1`.
    pub renamed: Vec<(String, String)>,
    /// The template's own header rows, as the reader found them: a variant
    /// that drops, adds or moves a column (the early C-PAT template has no
    /// Milestone ID) is filled by its own columns, not the layout's.
    pub headers: Vec<TemplateHeaders>,
}

/// One sheet's header row as the template has it.
#[derive(Debug, Clone, Default)]
pub struct TemplateHeaders {
    /// The layout sheet it is (its name in the layout).
    pub sheet: String,
    /// 1-based header row.
    pub header_row: u32,
    /// Its columns.
    pub columns: Vec<TemplateColumn>,
}

/// One column of a template's header row.
#[derive(Debug, Clone, Default)]
pub struct TemplateColumn {
    /// Column letters.
    pub letters: String,
    /// The header text.
    pub header: String,
    /// The model field it holds, if any.
    pub field: Option<String>,
    /// The values of the template's own drop-down on its first data row.
    pub list: Option<Vec<String>>,
}

/// The layout as the template lays it out: each sheet's headers and first
/// column where the template's header row is the layout's, a column the
/// layout knows by another text (an alias) with the layout's definition.
fn tailor(layout: &Layout, headers: &[TemplateHeaders]) -> Option<Layout> {
    let mut out = layout.clone();
    let mut changed = false;
    for (def, own_def) in out.sheets.iter_mut().zip(&layout.sheets) {
        let Some(t) = headers
            .iter()
            .find(|t| t.sheet == def.name && t.header_row == def.header_row)
        else {
            continue;
        };
        let cols: Vec<(u16, &TemplateColumn)> = t
            .columns
            .iter()
            .filter_map(|c| Some((column_index(&c.letters)?, c)))
            .collect();
        let (Some(first), Some(last)) = (
            cols.iter().map(|c| c.0).min(),
            cols.iter().map(|c| c.0).max(),
        ) else {
            continue;
        };
        // The layout's column of this sheet that holds a field.
        let holding = |field: Option<&str>| {
            let f = field?;
            own_def
                .headers
                .iter()
                .filter_map(|h| layout.column(h))
                .find(|c| c.field.as_deref() == Some(f))
        };
        let mut own = Vec::with_capacity(usize::from(last - first) + 1);
        for col in first..=last {
            let Some(&(_, tc)) = cols.iter().find(|c| c.0 == col) else {
                own.push(String::new());
                continue;
            };
            let header = tc.header.as_str();
            let known = own_def
                .headers
                .iter()
                .find(|h| h.as_str() == header || h.trim() == header.trim());
            // The column's text as written, and its definition: the
            // layout's, or, for a text the layout knows as an alias, the
            // definition of the column holding its field.
            let key = known.map_or(header, |h| h.as_str());
            let mut def_of = layout
                .column(key)
                .or_else(|| holding(tc.field.as_deref()))
                .cloned();
            // The template's own list: its words are the ones written.
            if let (Some(c), Some(list)) = (def_of.as_mut(), &tc.list) {
                if c.list != *list {
                    c.list = list.clone();
                    c.drop_down = true;
                    changed = true;
                }
            }
            if let Some(c) = def_of {
                out.columns.insert(key.to_string(), c);
            }
            own.push(key.to_string());
        }
        if own != def.headers || column_index(&def.first_column) != Some(first) {
            def.headers = own;
            def.first_column = column_letters(first);
            changed = true;
        }
    }
    changed.then_some(out)
}

fn bad(reason: impl std::fmt::Display) -> ExportError {
    ExportError::Fill(reason.to_string())
}

/// Writes the items of `poam` into `template`, a copy of the official blank
/// template of `layout` (already checked to be that template).
///
/// # Errors
///
/// [`ExportError::Fill`] when the file is not a workbook poam can fill
/// (a part is missing or its XML does not parse).
pub fn fill_workbook(
    template: &[u8],
    layout: &Layout,
    poam: &Poam,
    opts: &FillOptions,
) -> Result<Written, ExportError> {
    let mut zip = zip::ZipArchive::new(Cursor::new(template)).map_err(bad)?;
    let root_rels = read_part(&mut zip, "_rels/.rels")?;
    let workbook_part = relationships(&root_rels, "")?
        .into_iter()
        .find(|r| r.kind.ends_with("/officeDocument"))
        .map(|r| r.target)
        .unwrap_or_else(|| "xl/workbook.xml".into());
    let dir = workbook_part
        .rsplit_once('/')
        .map_or(String::new(), |(d, _)| d.to_string());
    let rels_part = format!("{dir}/_rels/workbook.xml.rels");
    let workbook_xml = read_part(&mut zip, &workbook_part)?;
    let rels_xml = read_part(&mut zip, &rels_part)?;
    let rels = relationships(&rels_xml, &dir)?;
    let sheets = sheet_ids(&workbook_xml)?;
    let target_of = |id: &str| rels.iter().find(|r| r.id == id).map(|r| r.target.clone());
    let styles_part = rels
        .iter()
        .find(|r| r.kind.ends_with("/styles"))
        .map(|r| r.target.clone())
        .ok_or_else(|| bad("it has no styles part"))?;
    let calc_chain = rels
        .iter()
        .find(|r| r.kind.ends_with("/calcChain"))
        .map(|r| r.target.clone());

    // Each sheet's items, and the rows they take; their cells are made as
    // the rows are written, never all held.
    let tailored = tailor(layout, &opts.headers);
    let layout = tailored.as_ref().unwrap_or(layout);
    let plan = XlsxPlan::new(layout);
    let mut items: Vec<Vec<&Item>> = (0..layout.sheets.len()).map(|_| Vec::new()).collect();
    let mut totals = vec![0usize; layout.sheets.len()];
    for item in &poam.items {
        if let Some((s, rows)) = plan.place(item) {
            items[s].push(item);
            totals[s] += rows;
        }
    }
    // Each filled sheet's part → its layout sheet and its place among the
    // workbook's sheets (what a defined name's localSheetId counts).
    let mut parts_of: HashMap<String, (usize, usize)> = HashMap::new();
    for (s, def) in layout.sheets.iter().enumerate() {
        let own = opts
            .renamed
            .iter()
            .find(|(as_read, _)| as_read == &def.name)
            .map_or(def.name.as_str(), |(_, name)| name.as_str());
        let part = sheets
            .iter()
            .position(|(name, _)| name == own)
            .or_else(|| {
                sheets
                    .iter()
                    .position(|(name, _)| name.eq_ignore_ascii_case(own))
            })
            .and_then(|at| target_of(&sheets[at].1).map(|part| (part, at)));
        match part {
            Some((part, at)) => {
                parts_of.insert(part, (s, at));
            }
            None if items[s].is_empty() => {}
            None => return Err(bad(format!("it has no sheet '{}'", def.name))),
        }
    }

    let mut styles = Styles::parse(&read_part(&mut zip, &styles_part)?)?;
    let mut new_parts: HashMap<String, Vec<u8>> = HashMap::new();
    if let Some(chain) = &calc_chain {
        // The chain lists formula cells; Excel rebuilds it when it is gone.
        new_parts.insert(rels_part.clone(), without_calc_chain_rel(&rels_xml)?);
        let types = read_part(&mut zip, "[Content_Types].xml")?;
        new_parts.insert(
            "[Content_Types].xml".into(),
            without_override(&types, &format!("/{chain}"))?,
        );
    }

    // A template marked otherwise than the input: its banners on every tab
    // (shared strings) take the input's marking too.
    if let Some((template, input)) = &opts.marking {
        if let Some(strings) = rels.iter().find(|r| r.kind.ends_with("/sharedStrings")) {
            let xml = read_part(&mut zip, &strings.target)?;
            new_parts.insert(
                strings.target.clone(),
                remark_strings(&xml, template, input)?,
            );
        }
    }
    let mut tally = Tally::default();
    let mut diagnostics = Vec::new();
    let system = crate::xlsx::settle_metadata(
        &poam.system,
        layout,
        opts.default_poam_date,
        &mut diagnostics,
    );
    let mut grown: Vec<(usize, u32, u32)> = Vec::new();
    let mut out = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let deflate = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    let names = entry_names(&mut zip)?;
    for (i, name) in names.iter().enumerate() {
        if calc_chain.as_deref() == Some(name.as_str())
            || *name == styles_part
            || *name == workbook_part
        {
            continue;
        }
        if let Some(&(s, at)) = parts_of.get(name) {
            let xml = read_part(&mut zip, name)?;
            let def = &layout.sheets[s];
            let mut fill = SheetFill {
                layout,
                def,
                system: &system,
                plan: &plan,
                items: std::mem::take(&mut items[s]),
                total: totals[s],
                taken: 0,
                pending: std::collections::VecDeque::new(),
                tally: Tally::default(),
                styles: &mut styles,
                opts,
                differs: BTreeMap::new(),
                cleared: 0,
                last_row: 0,
            };
            out.start_file(name.as_str(), deflate).map_err(bad)?;
            fill.run(&xml, &mut out)
                .map_err(|e| bad(format!("sheet '{}': {e}", def.name)))?;
            // Data rows from the header row on: print areas and filters
            // over them grow with the rows written.
            grown.push((
                at,
                def.first_data_row.saturating_sub(1).max(1),
                fill.last_row,
            ));
            tally.merge(std::mem::take(&mut fill.tally));
            for (header, (count, example)) in std::mem::take(&mut fill.differs) {
                diagnostics.push(Diagnostic::unplaced(DiagKind::FormulaDiffers {
                    header,
                    count,
                    example,
                    kept_dates: opts.keep_dates,
                }));
            }
            if fill.cleared > 0 {
                diagnostics.push(Diagnostic::unplaced(DiagKind::TemplateRowsCleared {
                    sheet: def.name.clone(),
                    rows: fill.cleared,
                }));
            }
            continue;
        }
        match new_parts.remove(name) {
            Some(bytes) => {
                out.start_file(name.as_str(), deflate).map_err(bad)?;
                out.write_all(&bytes).map_err(bad)?;
            }
            None => {
                let entry = zip.by_index_raw(i).map_err(bad)?;
                out.raw_copy_file(entry).map_err(bad)?;
            }
        }
    }
    // The workbook part after its sheets, whose print areas it names; the
    // cell formats last, as the sheets added the ones their values needed.
    let workbook_xml = grow_defined_names(&calculate_on_opening(&workbook_xml)?, &grown)?;
    out.start_file(workbook_part.as_str(), deflate)
        .map_err(bad)?;
    out.write_all(&workbook_xml).map_err(bad)?;
    let styles_xml = styles.finish()?;
    out.start_file(styles_part.as_str(), deflate).map_err(bad)?;
    out.write_all(&styles_xml).map_err(bad)?;
    let bytes = out.finish().map_err(bad)?.into_inner();
    let mut all = tally.diagnostics(&layout.name);
    all.extend(diagnostics);
    Ok(Written {
        bytes,
        diagnostics: all,
    })
}

/// The names of a package's parts, in the order they are stored.
pub(crate) fn entry_names(
    zip: &mut zip::ZipArchive<Cursor<&[u8]>>,
) -> Result<Vec<String>, ExportError> {
    (0..zip.len())
        .map(|i| {
            zip.by_index_raw(i)
                .map_err(bad)
                .and_then(|e| e.name().map(|n| n.to_string()).map_err(bad))
        })
        .collect()
}

pub(crate) fn read_part(
    zip: &mut zip::ZipArchive<Cursor<&[u8]>>,
    name: &str,
) -> Result<Vec<u8>, ExportError> {
    let mut entry = zip
        .by_name(name)
        .map_err(|_| bad(format!("it has no part {name}")))?;
    let mut out = Vec::with_capacity(entry.size() as usize);
    entry.read_to_end(&mut out).map_err(bad)?;
    Ok(out)
}

struct Relationship {
    id: String,
    kind: String,
    target: String,
}

/// A part's relationships, targets resolved against the part's folder.
fn relationships(xml: &[u8], dir: &str) -> Result<Vec<Relationship>, ExportError> {
    let mut reader = Reader::from_reader(xml);
    let mut out = Vec::new();
    loop {
        match reader.read_event().map_err(bad)? {
            Event::Start(e) | Event::Empty(e) if e.local_name().as_ref() == "Relationship" => {
                let (id, kind, target) = (attr(&e, "Id"), attr(&e, "Type"), attr(&e, "Target"));
                if let (Some(id), Some(kind), Some(target)) = (id, kind, target) {
                    out.push(Relationship {
                        id,
                        kind,
                        target: resolve(dir, &target),
                    });
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    Ok(out)
}

fn resolve(dir: &str, target: &str) -> String {
    if let Some(abs) = target.strip_prefix('/') {
        return abs.to_string();
    }
    let mut parts: Vec<&str> = dir.split('/').filter(|p| !p.is_empty()).collect();
    for piece in target.split('/') {
        match piece {
            ".." => {
                parts.pop();
            }
            "." | "" => {}
            p => parts.push(p),
        }
    }
    parts.join("/")
}

fn attr(e: &BytesStart, name: &str) -> Option<String> {
    e.attributes().flatten().find_map(|a| {
        (a.key.local_name().as_ref() == name)
            .then(|| {
                a.normalized_value(quick_xml::XmlVersion::Implicit1_0)
                    .ok()
                    .map(|v| v.into_owned())
            })
            .flatten()
    })
}

/// The workbook's sheets: name and relationship id, in order.
fn sheet_ids(xml: &[u8]) -> Result<Vec<(String, String)>, ExportError> {
    let mut reader = Reader::from_reader(xml);
    let mut out = Vec::new();
    loop {
        match reader.read_event().map_err(bad)? {
            Event::Start(e) | Event::Empty(e) if e.local_name().as_ref() == "sheet" => {
                if let (Some(name), Some(id)) = (attr(&e, "name"), attr(&e, "id")) {
                    out.push((name, id));
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    Ok(out)
}

/// The workbook part with `fullCalcOnLoad` set, so that Excel and
/// LibreOffice compute the template's formulas over the rows written.
fn calculate_on_opening(xml: &[u8]) -> Result<Vec<u8>, ExportError> {
    let mut reader = Reader::from_reader(xml);
    let mut writer = Writer::new(Vec::with_capacity(xml.len() + 32));
    let mut seen = false;
    // calcPr's place in the schema's sequence: before these, when absent.
    const AFTER_CALC: &[&str] = &[
        "oleSize",
        "customWorkbookViews",
        "pivotCaches",
        "smartTagPr",
        "smartTagTypes",
        "webPublishing",
        "fileRecoveryPr",
        "webPublishObjects",
        "extLst",
    ];
    loop {
        let event = reader.read_event().map_err(bad)?;
        match &event {
            Event::Start(e) | Event::Empty(e) if e.local_name().as_ref() == "calcPr" => {
                seen = true;
                let mut calc = BytesStart::new(e.name().as_ref().to_string());
                for a in e.attributes().flatten() {
                    if a.key.local_name().as_ref() != "fullCalcOnLoad" {
                        calc.push_attribute(a);
                    }
                }
                calc.push_attribute(("fullCalcOnLoad", "1"));
                let out = match event {
                    Event::Start(_) => Event::Start(calc),
                    _ => Event::Empty(calc),
                };
                writer.write_event(out).map_err(bad)?;
                continue;
            }
            // No calcPr: one goes before the first element the schema puts
            // after it, or at the end.
            Event::Start(e) | Event::Empty(e)
                if !seen && AFTER_CALC.contains(&e.local_name().as_ref()) =>
            {
                seen = true;
                writer
                    .write_event(Event::Empty(calc_on_load()))
                    .map_err(bad)?;
            }
            Event::End(e) if !seen && e.local_name().as_ref() == "workbook" => {
                seen = true;
                writer
                    .write_event(Event::Empty(calc_on_load()))
                    .map_err(bad)?;
            }
            Event::Eof => break,
            _ => {}
        }
        writer.write_event(event).map_err(bad)?;
    }
    Ok(writer.into_inner())
}

/// The workbook part with each filled sheet's print area and filter range
/// (`_xlnm.Print_Area`, `_xlnm._FilterDatabase`) grown over the rows
/// written: a print area that stopped at the template's blank rows would
/// leave the items off the printed copy. `grown` holds, per filled sheet,
/// its place among the sheets, its header row and its last row.
fn grow_defined_names(xml: &[u8], grown: &[(usize, u32, u32)]) -> Result<Vec<u8>, ExportError> {
    let mut reader = Reader::from_reader(xml);
    let mut writer = Writer::new(Vec::with_capacity(xml.len() + 64));
    // The sheet a defined name being read belongs to, when it is one to grow.
    let mut growing: Option<(u32, u32)> = None;
    let mut text = String::new();
    loop {
        let event = reader.read_event().map_err(bad)?;
        match &event {
            Event::Start(e) if e.local_name().as_ref() == "definedName" => {
                let name = attr(e, "name").unwrap_or_default();
                let sheet = attr(e, "localSheetId").and_then(|v| v.parse::<usize>().ok());
                growing = match sheet {
                    Some(at)
                        if matches!(
                            name.as_str(),
                            "_xlnm.Print_Area" | "_xlnm._FilterDatabase"
                        ) =>
                    {
                        grown
                            .iter()
                            .find(|(s, _, _)| *s == at)
                            .map(|&(_, header, last)| (header, last))
                    }
                    _ => None,
                };
            }
            // The name's text comes in pieces (`'POA`, `&amp;`, `M'!$A$1`):
            // gathered, then written grown before the name closes.
            Event::Text(t) if growing.is_some() => {
                text.push_str(&t.xml10_content());
                continue;
            }
            Event::GeneralRef(g) if growing.is_some() => {
                match g.resolve_char_ref() {
                    Ok(Some(ch)) => text.push(ch),
                    _ => text.push_str(
                        quick_xml::escape::resolve_predefined_entity(g).unwrap_or_default(),
                    ),
                }
                continue;
            }
            Event::End(e) if e.local_name().as_ref() == "definedName" => {
                if let Some((header, last)) = growing.take() {
                    let areas = text
                        .split(',')
                        .map(|area| grow_area(area, header, last))
                        .collect::<Vec<_>>()
                        .join(",");
                    writer
                        .write_event(Event::Text(quick_xml::events::BytesText::new(&areas)))
                        .map_err(bad)?;
                    text.clear();
                }
            }
            Event::Eof => break,
            _ => {}
        }
        writer.write_event(event).map_err(bad)?;
    }
    Ok(writer.into_inner())
}

/// One area of a defined name (`'POA&M'!$A$1:$T$7`) that reaches the
/// header row, taken down to `last`; other areas as they are.
fn grow_area(area: &str, header: u32, last: u32) -> String {
    let Some((sheet, range)) = area.rsplit_once('!') else {
        return area.to_string();
    };
    let Some((a, b)) = range.split_once(':') else {
        return area.to_string();
    };
    let plain = |c: &str| c.replace('$', "");
    match (cell_row(&plain(b)), cell_col(&plain(b))) {
        (Some(end), Some(col)) if end >= header && end < last => {
            let absolute = b.starts_with('$');
            let col = column_letters(col);
            if absolute {
                format!("{sheet}!{a}:${col}${last}")
            } else {
                format!("{sheet}!{a}:{col}{last}")
            }
        }
        _ => area.to_string(),
    }
}

/// The shared strings with each one that is the template's marking (a
/// banner) given the input's.
fn remark_strings(xml: &[u8], template: &str, input: &str) -> Result<Vec<u8>, ExportError> {
    let mut reader = Reader::from_reader(xml);
    let mut writer = Writer::new(Vec::with_capacity(xml.len()));
    loop {
        match reader.read_event().map_err(bad)? {
            Event::Text(t) => {
                let text = t.xml10_content().into_owned();
                let is_banner = poam_model::marking::marking_of(&text)
                    .is_some_and(|m| poam_model::marking::same(&m, template));
                if is_banner {
                    let replaced = poam_model::marking::rebanner(&text, input);
                    writer
                        .write_event(Event::Text(quick_xml::events::BytesText::new(&replaced)))
                        .map_err(bad)?;
                } else {
                    writer.write_event(Event::Text(t)).map_err(bad)?;
                }
            }
            Event::Eof => break,
            event => writer.write_event(event).map_err(bad)?,
        }
    }
    Ok(writer.into_inner())
}

fn calc_on_load() -> BytesStart<'static> {
    BytesStart::new("calcPr").with_attributes([("fullCalcOnLoad", "1")])
}

fn without_calc_chain_rel(xml: &[u8]) -> Result<Vec<u8>, ExportError> {
    filter_elements(xml, |e| {
        e.local_name().as_ref() == "Relationship"
            && attr(e, "Type").is_some_and(|t| t.ends_with("/calcChain"))
    })
}

fn without_override(xml: &[u8], part: &str) -> Result<Vec<u8>, ExportError> {
    filter_elements(xml, |e| {
        e.local_name().as_ref() == "Override" && attr(e, "PartName").as_deref() == Some(part)
    })
}

/// The XML without the empty elements `drop` picks.
fn filter_elements(xml: &[u8], drop: impl Fn(&BytesStart) -> bool) -> Result<Vec<u8>, ExportError> {
    let mut reader = Reader::from_reader(xml);
    let mut writer = Writer::new(Vec::with_capacity(xml.len()));
    loop {
        match reader.read_event().map_err(bad)? {
            Event::Empty(e) if drop(&e) => {}
            Event::Eof => break,
            event => writer.write_event(event).map_err(bad)?,
        }
    }
    Ok(writer.into_inner())
}

/// The cell formats (`cellXfs`) of the styles part, to find a date format
/// for a date written into a cell the template formats as text, and to add
/// the formats that a value needs (a date, wrapped lines).
struct Styles {
    xml: Vec<u8>,
    /// Each `xf` of `cellXfs`: its byte range in `xml`.
    xfs: Vec<(usize, usize)>,
    /// Where `</cellXfs>` starts, and the range of its start tag.
    end: usize,
    start_tag: (usize, usize),
    /// Custom number formats: id → code.
    formats: HashMap<u32, String>,
    /// Formats added: (style, need) → new style index.
    derived: HashMap<(u32, Need), u32>,
    extra: Vec<u8>,
    added: u32,
}

#[derive(Clone, Copy, PartialEq, Eq, Hash)]
enum Need {
    Date,
    Wrap,
}

impl Styles {
    fn parse(xml: &[u8]) -> Result<Styles, ExportError> {
        let mut reader = Reader::from_reader(xml);
        let mut styles = Styles {
            xml: xml.to_vec(),
            xfs: Vec::new(),
            end: 0,
            start_tag: (0, 0),
            formats: HashMap::new(),
            derived: HashMap::new(),
            extra: Vec::new(),
            added: 0,
        };
        let mut in_xfs = false;
        let mut depth = 0usize;
        let mut xf_start = 0usize;
        loop {
            let before = reader.buffer_position() as usize;
            let event = reader.read_event().map_err(bad)?;
            let after = reader.buffer_position() as usize;
            match &event {
                Event::Start(e) | Event::Empty(e) if e.local_name().as_ref() == "numFmt" => {
                    if let (Some(id), Some(code)) = (attr(e, "numFmtId"), attr(e, "formatCode")) {
                        if let Ok(id) = id.parse() {
                            styles.formats.insert(id, code);
                        }
                    }
                }
                Event::Start(e) if e.local_name().as_ref() == "cellXfs" => {
                    in_xfs = true;
                    styles.start_tag = (before, after);
                }
                Event::Empty(e) if e.local_name().as_ref() == "cellXfs" => {
                    return Err(bad("its styles part has no cell formats"));
                }
                Event::End(e) if e.local_name().as_ref() == "cellXfs" => {
                    styles.end = before;
                    in_xfs = false;
                }
                Event::Empty(e) if in_xfs && depth == 0 && e.local_name().as_ref() == "xf" => {
                    styles.xfs.push((before, after));
                }
                Event::Start(e) if in_xfs && e.local_name().as_ref() == "xf" => {
                    depth += 1;
                    xf_start = before;
                }
                Event::End(e) if in_xfs && e.local_name().as_ref() == "xf" => {
                    depth = depth.saturating_sub(1);
                    styles.xfs.push((xf_start, after));
                }
                Event::Eof => break,
                _ => {}
            }
        }
        if styles.end == 0 {
            return Err(bad("its styles part has no cell formats"));
        }
        Ok(styles)
    }

    fn xf(&self, s: u32) -> Option<&[u8]> {
        self.xfs.get(s as usize).map(|&(a, b)| &self.xml[a..b])
    }

    fn num_fmt(&self, s: u32) -> u32 {
        self.xf(s)
            .and_then(|xf| {
                let mut r = Reader::from_reader(xf);
                match r.read_event() {
                    Ok(Event::Start(e)) | Ok(Event::Empty(e)) => attr(&e, "numFmtId"),
                    _ => None,
                }
            })
            .and_then(|v| v.parse().ok())
            .unwrap_or(0)
    }

    fn is_date(&self, s: u32) -> bool {
        let id = self.num_fmt(s);
        match id {
            14..=22 | 27..=36 | 45..=47 | 50..=58 => true,
            _ => self.formats.get(&id).is_some_and(|code| date_code(code)),
        }
    }

    fn wraps(&self, s: u32) -> bool {
        self.xf(s)
            .is_some_and(|xf| String::from_utf8_lossy(xf).contains("wrapText=\"1\""))
    }

    /// The style to write a value of `need` in a cell of style `s`: `s`
    /// itself when it serves, else a copy of it with a date format or
    /// wrapped text, added once.
    fn for_value(&mut self, s: u32, need: Need) -> Result<u32, ExportError> {
        let serves = match need {
            Need::Date => self.is_date(s),
            Need::Wrap => self.wraps(s),
        };
        if serves {
            return Ok(s);
        }
        if let Some(&d) = self.derived.get(&(s, need)) {
            return Ok(d);
        }
        let base: Vec<u8> = self.xf(s).map(<[u8]>::to_vec).unwrap_or_else(|| {
            b"<xf numFmtId=\"0\" fontId=\"0\" fillId=\"0\" borderId=\"0\" xfId=\"0\"/>".to_vec()
        });
        let copy = derive_xf(&base, need)?;
        self.extra.extend_from_slice(&copy);
        let index = (self.xfs.len() as u32) + self.added;
        self.added += 1;
        self.derived.insert((s, need), index);
        Ok(index)
    }

    /// The styles part with the formats added, or as read when none were.
    fn finish(self) -> Result<Vec<u8>, ExportError> {
        if self.added == 0 {
            return Ok(self.xml);
        }
        let (a, b) = self.start_tag;
        let mut tag = Reader::from_reader(&self.xml[a..b]);
        let start = match tag.read_event().map_err(bad)? {
            Event::Start(e) => e.into_owned(),
            _ => return Err(bad("its styles part has no cell formats")),
        };
        let mut new_tag = BytesStart::new("cellXfs");
        for at in start.attributes().flatten() {
            if at.key.as_ref() != "count" {
                new_tag.push_attribute(at);
            }
        }
        let count = (self.xfs.len() as u32 + self.added).to_string();
        new_tag.push_attribute(("count", count.as_str()));
        let mut w = Writer::new(Vec::new());
        w.write_event(Event::Start(new_tag)).map_err(bad)?;
        let mut out = Vec::with_capacity(self.xml.len() + self.extra.len() + 64);
        out.extend_from_slice(&self.xml[..a]);
        out.extend_from_slice(&w.into_inner());
        out.extend_from_slice(&self.xml[b..self.end]);
        out.extend_from_slice(&self.extra);
        out.extend_from_slice(&self.xml[self.end..]);
        Ok(out)
    }
}

/// Whether a number format's code shows a date (its letters outside quoted
/// text and brackets).
fn date_code(code: &str) -> bool {
    let mut quoted = false;
    let mut bracket = false;
    let mut prev_backslash = false;
    for c in code.chars() {
        match c {
            '"' if !prev_backslash => quoted = !quoted,
            '[' if !quoted => bracket = true,
            ']' if !quoted => bracket = false,
            'd' | 'D' | 'y' | 'Y' if !quoted && !bracket && !prev_backslash => return true,
            _ => {}
        }
        prev_backslash = c == '\\';
    }
    false
}

/// A copy of a cell format with a date number format or wrapped text.
fn derive_xf(xf: &[u8], need: Need) -> Result<Vec<u8>, ExportError> {
    let mut reader = Reader::from_reader(xf);
    let mut writer = Writer::new(Vec::new());
    let mut has_alignment = false;
    loop {
        let event = reader.read_event().map_err(bad)?;
        match event {
            Event::Start(e) | Event::Empty(e) if e.local_name().as_ref() == "xf" => {
                let mut x = BytesStart::new("xf");
                for a in e.attributes().flatten() {
                    let key = a.key.local_name();
                    let skip = match need {
                        Need::Date => matches!(key.as_ref(), "numFmtId" | "applyNumberFormat"),
                        Need::Wrap => key.as_ref() == "applyAlignment",
                    };
                    if !skip {
                        x.push_attribute(a);
                    }
                }
                match need {
                    Need::Date => {
                        x.push_attribute(("numFmtId", "14"));
                        x.push_attribute(("applyNumberFormat", "1"));
                    }
                    Need::Wrap => x.push_attribute(("applyAlignment", "1")),
                }
                writer.write_event(Event::Start(x)).map_err(bad)?;
                if need == Need::Wrap && !xf_has_alignment(xf) {
                    writer
                        .write_event(Event::Empty(
                            BytesStart::new("alignment")
                                .with_attributes([("wrapText", "1"), ("vertical", "top")]),
                        ))
                        .map_err(bad)?;
                }
                // An empty <xf/> is closed here; a full one closes itself.
                if xf.ends_with(b"/>") && !xf_has_children(xf) {
                    writer
                        .write_event(Event::End(quick_xml::events::BytesEnd::new("xf")))
                        .map_err(bad)?;
                }
            }
            Event::Start(e) | Event::Empty(e)
                if need == Need::Wrap && e.local_name().as_ref() == "alignment" =>
            {
                has_alignment = true;
                let mut a2 = BytesStart::new("alignment");
                for a in e.attributes().flatten() {
                    if a.key.local_name().as_ref() != "wrapText" {
                        a2.push_attribute(a);
                    }
                }
                a2.push_attribute(("wrapText", "1"));
                writer.write_event(Event::Empty(a2)).map_err(bad)?;
            }
            Event::End(e) if e.local_name().as_ref() == "alignment" && has_alignment => {}
            Event::Eof => break,
            other => writer.write_event(other).map_err(bad)?,
        }
    }
    Ok(writer.into_inner())
}

fn xf_has_alignment(xf: &[u8]) -> bool {
    String::from_utf8_lossy(xf).contains("<alignment")
}

fn xf_has_children(xf: &[u8]) -> bool {
    String::from_utf8_lossy(xf).contains("</xf>")
}

/// Excel's serial number of a day (the 1900 date system).
fn serial(d: NaiveDate) -> i64 {
    let base = NaiveDate::from_ymd_opt(1899, 12, 30).unwrap_or_default();
    let n = (d - base).num_days();
    // Excel counts a 29 February 1900 that never was.
    if n < 61 {
        n - 1
    } else {
        n
    }
}

/// A cell of a template row: its column, attributes and content events.
struct TemplateCell {
    col: u16,
    style: Option<u32>,
    /// The cell's formula element, as written.
    formula: Option<Formula>,
    /// Whether it holds a value (text, number) of its own.
    has_value: bool,
}

#[derive(Clone)]
struct Formula {
    /// Attributes of `<f>`.
    attrs: Vec<(String, String)>,
    text: String,
}

impl Formula {
    fn shared_index(&self) -> Option<&str> {
        self.attrs
            .iter()
            .any(|(k, v)| k == "t" && v == "shared")
            .then(|| {
                self.attrs
                    .iter()
                    .find(|(k, _)| k == "si")
                    .map(|(_, v)| v.as_str())
            })
            .flatten()
    }
}

struct TemplateRow {
    r: u32,
    attrs: Vec<(String, String)>,
    cells: Vec<TemplateCell>,
    /// The row's events as read, to copy it unchanged.
    events: Vec<Event<'static>>,
}

struct SheetFill<'a> {
    layout: &'a Layout,
    def: &'a SheetDef,
    system: &'a poam_model::SystemInfo,
    plan: &'a XlsxPlan<'a>,
    /// The sheet's items, in order, and the rows they take in all.
    items: Vec<&'a Item>,
    total: usize,
    /// Items made into rows so far, and the rows made but not yet written.
    taken: usize,
    pending: std::collections::VecDeque<ItemRow<'a>>,
    tally: Tally,
    styles: &'a mut Styles,
    opts: &'a FillOptions,
    /// Formula columns whose items' own dates differ: header → (count, first).
    differs: BTreeMap<String, (usize, String)>,
    cleared: usize,
    /// The sheet's last row once filled.
    last_row: u32,
}

impl<'a> SheetFill<'a> {
    /// The next row of items to write, its item's cells made when needed.
    fn next_row(&mut self) -> Result<ItemRow<'a>, ExportError> {
        if self.pending.is_empty() {
            let item = *self
                .items
                .get(self.taken)
                .ok_or_else(|| bad("more rows asked for than the items take"))?;
            self.taken += 1;
            let prepared = self.plan.prepare(item);
            self.tally.merge(prepared.tally);
            self.pending
                .extend(prepared.rows.into_iter().map(|cells| (item, cells)));
        }
        self.pending
            .pop_front()
            .ok_or_else(|| bad("an item without rows"))
    }

    fn run<W: Write>(&mut self, xml: &[u8], out: W) -> Result<(), ExportError> {
        let mut reader = Reader::from_reader(xml);
        let mut writer = Writer::new(std::io::BufWriter::with_capacity(1 << 16, out));
        let first = self.def.first_data_row;
        let mut next = 0usize; // next row of items to write
        let mut last_template_row = 0u32;
        let mut model: Option<TemplateRow> = None; // the last data row of the template
                                                   // Shared formulas: index → (master row, formula text).
        let mut shared: HashMap<String, (u32, String)> = HashMap::new();
        // Shared formulas whose master was overwritten by a value
        // (`--keep-dates`): the next child becomes the master.
        let mut orphaned: HashMap<String, (u32, String, String)> = HashMap::new();
        // Where the rows will end, for the parts before and after them
        // (the dimension, validations, conditional formats).
        let template_last = last_row_number(xml);
        let mut in_header = false;
        // A sheet without a page header gets the input's marking in one.
        let mut header_seen = false;
        let planned_last = if self.total == 0 {
            template_last
        } else {
            template_last.max(first + self.total as u32 - 1)
        };
        self.last_row = planned_last;
        loop {
            let event = reader.read_event().map_err(bad)?.into_owned();
            match &event {
                Event::Start(e) if e.local_name().as_ref() == "row" => {
                    let row = read_row(&mut reader, e.clone(), event.clone())?;
                    last_template_row = row.r;
                    for c in &row.cells {
                        if let Some(f) = &c.formula {
                            if let Some(si) = f.shared_index() {
                                if !f.text.is_empty() {
                                    shared.insert(si.to_string(), (row.r, f.text.clone()));
                                }
                            }
                        }
                    }
                    // Items go on the rows from the first data row on;
                    // a template row past the items keeps its styles and
                    // formulas, and loses any value it held.
                    while row.r >= first && next < self.total && (first + next as u32) < row.r {
                        // The template skipped row numbers: write items there.
                        let r = first + next as u32;
                        let data = self.next_row()?;
                        self.write_item_row(
                            &mut writer,
                            r,
                            model.as_ref().unwrap_or(&row),
                            &shared,
                            &mut orphaned,
                            data,
                        )?;
                        next += 1;
                    }
                    if row.r < first {
                        if self.is_metadata_row(row.r) {
                            self.write_metadata_row(&mut writer, &row)?;
                        } else {
                            for e in &row.events {
                                writer.write_event(e.clone()).map_err(bad)?;
                            }
                        }
                    } else if next < self.total {
                        let data = self.next_row()?;
                        self.write_item_row(
                            &mut writer,
                            row.r,
                            &row,
                            &shared,
                            &mut orphaned,
                            data,
                        )?;
                        next += 1;
                        model = Some(row);
                    } else {
                        self.write_blank_row(&mut writer, &row, &mut orphaned)?;
                        model = Some(row);
                    }
                    continue;
                }
                Event::Empty(e) if e.local_name().as_ref() == "row" => {
                    // A row without cells: items may go there.
                    let row = TemplateRow {
                        r: attr(e, "r")
                            .and_then(|v| v.parse().ok())
                            .unwrap_or(last_template_row + 1),
                        attrs: attrs_of(e),
                        cells: Vec::new(),
                        events: vec![event.clone()],
                    };
                    last_template_row = row.r;
                    if row.r >= first && next < self.total {
                        let base = model.take().unwrap_or(row);
                        let r = last_template_row;
                        let data = self.next_row()?;
                        self.write_item_row(&mut writer, r, &base, &shared, &mut orphaned, data)?;
                        next += 1;
                        model = Some(base);
                    } else {
                        writer.write_event(event.clone()).map_err(bad)?;
                    }
                    continue;
                }
                Event::End(e) if e.local_name().as_ref() == "sheetData" => {
                    // Items past the template's last row: rows like its last.
                    let mut r = last_template_row.max(first - 1);
                    while next < self.total {
                        r += 1;
                        let base = match &model {
                            Some(m) => m,
                            None => &TemplateRow {
                                r,
                                attrs: Vec::new(),
                                cells: Vec::new(),
                                events: Vec::new(),
                            },
                        };
                        let data = self.next_row()?;
                        self.write_item_row(&mut writer, r, base, &shared, &mut orphaned, data)?;
                        next += 1;
                    }
                }
                Event::Empty(e) if e.local_name().as_ref() == "sheetData" => {
                    // No rows at all: write the items after an empty table.
                    writer
                        .write_event(Event::Start(BytesStart::new("sheetData")))
                        .map_err(bad)?;
                    let empty = TemplateRow {
                        r: 0,
                        attrs: Vec::new(),
                        cells: Vec::new(),
                        events: Vec::new(),
                    };
                    let mut r = first - 1;
                    while next < self.total {
                        r += 1;
                        let data = self.next_row()?;
                        self.write_item_row(&mut writer, r, &empty, &shared, &mut orphaned, data)?;
                        next += 1;
                    }
                    writer
                        .write_event(Event::End(quick_xml::events::BytesEnd::new("sheetData")))
                        .map_err(bad)?;
                    last_template_row = r;
                    continue;
                }
                Event::Start(e) | Event::Empty(e)
                    if planned_last > template_last
                        && matches!(
                            e.local_name().as_ref(),
                            "dataValidation" | "conditionalFormatting" | "dimension"
                        ) =>
                {
                    let mut x = BytesStart::new(e.name().as_ref().to_string());
                    for a in e.attributes().flatten() {
                        let key = a.key.local_name();
                        if matches!(key.as_ref(), "sqref" | "ref") {
                            let v = a
                                .normalized_value(quick_xml::XmlVersion::Implicit1_0)
                                .map_err(bad)?;
                            let grown = grow_ranges(&v, template_last, planned_last);
                            x.push_attribute((a.key.as_ref(), grown.as_str()));
                        } else {
                            x.push_attribute(a);
                        }
                    }
                    let out = if matches!(event, Event::Start(_)) {
                        Event::Start(x)
                    } else {
                        Event::Empty(x)
                    };
                    writer.write_event(out).map_err(bad)?;
                    continue;
                }
                Event::Start(e) | Event::Empty(e) if e.local_name().as_ref() == "headerFooter" => {
                    header_seen = true;
                }
                // headerFooter's place in the schema's sequence: before these.
                Event::Start(e) | Event::Empty(e)
                    if !header_seen
                        && self.opts.add_marking.is_some()
                        && matches!(
                            e.local_name().as_ref(),
                            "rowBreaks"
                                | "colBreaks"
                                | "customProperties"
                                | "cellWatches"
                                | "ignoredErrors"
                                | "smartTags"
                                | "drawing"
                                | "legacyDrawing"
                                | "legacyDrawingHF"
                                | "picture"
                                | "oleObjects"
                                | "controls"
                                | "webPublishItems"
                                | "tableParts"
                                | "extLst"
                        ) =>
                {
                    header_seen = true;
                    self.write_marked_header(&mut writer)?;
                }
                Event::End(e)
                    if !header_seen
                        && self.opts.add_marking.is_some()
                        && e.local_name().as_ref() == "worksheet" =>
                {
                    header_seen = true;
                    self.write_marked_header(&mut writer)?;
                }
                Event::Start(e)
                    if matches!(
                        e.local_name().as_ref(),
                        "oddHeader"
                            | "oddFooter"
                            | "evenHeader"
                            | "evenFooter"
                            | "firstHeader"
                            | "firstFooter"
                    ) =>
                {
                    in_header = true;
                }
                Event::End(_) if in_header => in_header = false,
                Event::Text(t) if in_header => {
                    if let Some((template, input)) = &self.opts.marking {
                        let text = t.xml10_content().into_owned();
                        if text.contains(template.as_str()) {
                            let replaced = text.replace(template.as_str(), input);
                            writer
                                .write_event(Event::Text(quick_xml::events::BytesText::new(
                                    &replaced,
                                )))
                                .map_err(bad)?;
                            continue;
                        }
                    }
                }
                Event::Eof => break,
                _ => {}
            }
            writer.write_event(event).map_err(bad)?;
        }
        writer
            .into_inner()
            .into_inner()
            .map_err(|e| bad(e.into_error()))?;
        Ok(())
    }

    /// `<headerFooter>` with the input's marking centered in both.
    fn write_marked_header(&self, w: &mut Writer<impl Write>) -> Result<(), ExportError> {
        let Some(m) = &self.opts.add_marking else {
            return Ok(());
        };
        let code = format!("&C{}", m.replace('&', "&&"));
        let xml = format!(
            "<headerFooter><oddHeader>{0}</oddHeader><oddFooter>{0}</oddFooter></headerFooter>",
            esc(&code)
        );
        write_raw(w, &xml)
    }

    /// The banner's cell (row, column), when the marking is replaced.
    fn banner_cell(&self) -> Option<(u32, u16)> {
        self.opts.marking.as_ref()?;
        let b = self.def.banner.as_ref()?;
        let start = b
            .merge
            .as_deref()
            .map_or("A1", |m| m.split(':').next().unwrap_or("A1"));
        Some((cell_row(start)?, cell_col(start)?))
    }

    fn is_metadata_row(&self, r: u32) -> bool {
        self.banner_cell().is_some_and(|(br, _)| br == r)
            || self.def.metadata.as_ref().is_some_and(|m| m.value_row == r)
            || self
                .def
                .label_values
                .iter()
                .any(|lv| cell_row(&lv.value_cell) == Some(r))
    }

    /// The system's values for the metadata cells of this row, by column.
    fn metadata_values(&self, r: u32) -> BTreeMap<u16, CellValue> {
        let mut out = BTreeMap::new();
        if let (Some((br, bc)), Some(b), Some((_, input))) =
            (self.banner_cell(), &self.def.banner, &self.opts.marking)
        {
            if br == r {
                out.insert(
                    bc,
                    CellValue::Text(poam_model::marking::rebanner(&b.text, input)),
                );
            }
        }
        let value = |f: SystemField| -> Option<CellValue> {
            match f {
                SystemField::Name => self.system.name.clone().map(CellValue::Text),
                SystemField::Organization => self.system.organization.clone().map(CellValue::Text),
                SystemField::ImpactLevel => self.system.impact_level.clone().map(CellValue::Text),
                SystemField::PoamDate => self.system.poam_date.map(CellValue::Date),
            }
        };
        if let Some(m) = &self.def.metadata {
            if m.value_row == r {
                let c0 = column_index(&m.first_column).unwrap_or(0);
                for (i, f) in m.fields.iter().enumerate() {
                    if let Some(v) = value(*f) {
                        out.insert(c0 + i as u16, v);
                    }
                }
            }
        }
        for lv in &self.def.label_values {
            if cell_row(&lv.value_cell) == Some(r) {
                let Some(c) = cell_col(&lv.value_cell) else {
                    continue;
                };
                // A label without a system field is kept in `extra` by label.
                let v = match lv.field {
                    Some(f) => value(f),
                    None => self
                        .system
                        .extra
                        .get(&lv.label)
                        .cloned()
                        .map(CellValue::Text),
                };
                if let Some(v) = v {
                    out.insert(c, v);
                }
            }
        }
        out
    }

    fn write_metadata_row(
        &mut self,
        w: &mut Writer<impl Write>,
        row: &TemplateRow,
    ) -> Result<(), ExportError> {
        let mut values = self.metadata_values(row.r);
        if values.is_empty() {
            for e in &row.events {
                w.write_event(e.clone()).map_err(bad)?;
            }
            return Ok(());
        }
        let mut out = String::new();
        open_row(&mut out, row.r, &row.attrs);
        for c in &row.cells {
            match values.remove(&c.col) {
                Some(v) => self.value_cell(&mut out, row.r, c.col, c.style, &v)?,
                None => copy_cell_as_is(&mut out, row, c),
            }
        }
        let rest: Vec<(u16, CellValue)> = values.into_iter().collect();
        for (col, v) in rest {
            self.value_cell(&mut out, row.r, col, None, &v)?;
        }
        out.push_str("</row>");
        write_raw(w, &out)
    }

    /// An item's row `r`, made on the template row `base`: the template's
    /// cells keep their styles and formulas and the item's values go in. On
    /// the template row itself (`r == base.r`) its formulas stay as written;
    /// on a row past the template's (or where it skipped some), `base` is
    /// its last data row and its formulas are moved to row `r`.
    fn write_item_row(
        &mut self,
        w: &mut Writer<impl Write>,
        r: u32,
        base: &TemplateRow,
        shared: &HashMap<String, (u32, String)>,
        orphaned: &mut HashMap<String, (u32, String, String)>,
        data: ItemRow<'a>,
    ) -> Result<(), ExportError> {
        let (item, cells) = &data;
        let in_place = r == base.r;
        let mut out = String::with_capacity(4096);
        open_row(&mut out, r, &base.attrs);
        for (col, t, value) in merged(&base.cells, cells) {
            let style = t.and_then(|t| t.style);
            let formula = t.and_then(|t| t.formula.as_ref());
            if let (Some(f), Some(v), true) = (formula, value, self.opts.keep_dates) {
                // --keep-dates: the value replaces the formula; a shared
                // group's master passes to the next row that keeps it.
                self.check_formula(item, col, Some(v));
                if let (Some(si), true) = (f.shared_index(), in_place && !f.text.is_empty()) {
                    let reference = f
                        .attrs
                        .iter()
                        .find(|(k, _)| k == "ref")
                        .map(|(_, v)| v.clone())
                        .unwrap_or_default();
                    orphaned.insert(si.to_string(), (r, f.text.clone(), reference));
                }
                self.value_cell(&mut out, r, col, style, v)?;
                continue;
            }
            let here = formula.and_then(|f| {
                if in_place {
                    return Some(adopt_orphan(f, r, orphaned));
                }
                let (from, text) = match f.shared_index() {
                    Some(si) => shared.get(si).map(|(row, text)| (*row, text.clone()))?,
                    None => (base.r, f.text.clone()),
                };
                Some(Formula {
                    attrs: Vec::new(),
                    text: move_formula(&text, i64::from(r) - i64::from(from)),
                })
            });
            match (here, value) {
                (Some(f), v) => {
                    self.check_formula(item, col, v);
                    formula_cell(&mut out, r, col, style, &f, v, self.styles)?;
                }
                (None, Some(v)) => self.value_cell(&mut out, r, col, style, v)?,
                (None, None) => {
                    if t.is_some() {
                        style_only_cell(&mut out, r, col, style);
                    }
                }
            }
        }
        out.push_str("</row>");
        write_raw(w, &out)
    }

    /// A template row past the items: its styles and formulas kept, any
    /// value it held cleared (and counted).
    fn write_blank_row(
        &mut self,
        w: &mut Writer<impl Write>,
        row: &TemplateRow,
        orphaned: &mut HashMap<String, (u32, String, String)>,
    ) -> Result<(), ExportError> {
        let held = row.cells.iter().any(|c| c.has_value && c.formula.is_none());
        let adopts = row.cells.iter().any(|c| {
            c.formula
                .as_ref()
                .and_then(Formula::shared_index)
                .is_some_and(|si| orphaned.contains_key(si))
        });
        if !held && !adopts {
            for e in &row.events {
                w.write_event(e.clone()).map_err(bad)?;
            }
            return Ok(());
        }
        if held {
            self.cleared += 1;
        }
        let mut out = String::new();
        open_row(&mut out, row.r, &row.attrs);
        for c in &row.cells {
            match &c.formula {
                Some(f) => {
                    let f = adopt_orphan(f, row.r, orphaned);
                    formula_cell(&mut out, row.r, c.col, c.style, &f, None, self.styles)?;
                }
                None => style_only_cell(&mut out, row.r, c.col, c.style),
            }
        }
        out.push_str("</row>");
        write_raw(w, &out)
    }

    /// For a column the template computes (`computed_by`): counts the
    /// items whose own date is not the formula's.
    fn check_formula(&mut self, item: &Item, col: u16, value: Option<&CellValue>) {
        let c0 = column_index(&self.def.first_column).unwrap_or(0);
        let Some(header) = col
            .checked_sub(c0)
            .and_then(|i| self.def.headers.get(i as usize))
        else {
            return;
        };
        let Some(policy) = self
            .layout
            .column(header)
            .and_then(|c| c.computed_by.as_deref())
            .and_then(|p| poam_rules::Policy::builtin(p).ok())
        else {
            return;
        };
        let Some(CellValue::Date(own)) = value else {
            return;
        };
        let expected = match (item.detected_on, policy.days_for(item)) {
            (Some(d), Some((days, _))) => Some(d + chrono::Duration::days(days)),
            _ => None,
        };
        if expected != Some(*own) {
            let entry = self
                .differs
                .entry(header.clone())
                .or_insert((0, String::new()));
            if entry.0 == 0 {
                entry.1 = match expected {
                    Some(e) => format!("{}: {own}, the formula {e}", item.display_name()),
                    None => format!(
                        "{}: {own}, the formula none (it needs a detection date and a rating)",
                        item.display_name()
                    ),
                };
            }
            entry.0 += 1;
        }
    }

    fn value_cell(
        &mut self,
        out: &mut String,
        r: u32,
        col: u16,
        style: Option<u32>,
        v: &CellValue,
    ) -> Result<(), ExportError> {
        value_cell(out, r, col, style, v, self.styles)
    }
}

/// A shared formula's child whose master was replaced by a value
/// becomes the master, its text moved to its row.
fn adopt_orphan(
    f: &Formula,
    r: u32,
    orphaned: &mut HashMap<String, (u32, String, String)>,
) -> Formula {
    let Some(si) = f.shared_index() else {
        return f.clone();
    };
    let Some((from, text, reference)) = orphaned.remove(si) else {
        return f.clone();
    };
    let end = reference
        .split_once(':')
        .map_or(reference.as_str(), |(_, e)| e)
        .to_string();
    let col = column_letters(cell_col(&end).unwrap_or(0));
    Formula {
        attrs: vec![
            ("t".into(), "shared".into()),
            ("ref".into(), format!("{col}{r}:{end}")),
            ("si".into(), si.to_string()),
        ],
        text: move_formula(&text, i64::from(r) - i64::from(from)),
    }
}

/// The number of a sheet's last `<row>`, 0 when it has none.
fn last_row_number(xml: &[u8]) -> u32 {
    let text = String::from_utf8_lossy(xml);
    let Some(end) = text.rfind("</sheetData>") else {
        return 0;
    };
    let Some(at) = text[..end].rfind("<row ") else {
        return 0;
    };
    text[at..]
        .split("r=\"")
        .nth(1)
        .and_then(|v| v.split('"').next())
        .and_then(|v| v.parse().ok())
        .unwrap_or(0)
}

/// The template row's cells and the item's values, by column in order
/// (both lists are in column order; the values are sorted if not).
fn merged<'t, 'v>(
    template: &'t [TemplateCell],
    values: &'v [(u16, CellValue)],
) -> Vec<(u16, Option<&'t TemplateCell>, Option<&'v CellValue>)> {
    let mut sorted: Vec<&'v (u16, CellValue)> = values.iter().collect();
    if !sorted.windows(2).all(|w| w[0].0 < w[1].0) {
        sorted.sort_by_key(|(c, _)| *c);
    }
    let mut out = Vec::with_capacity(template.len().max(values.len()));
    let (mut t, mut v) = (template.iter().peekable(), sorted.into_iter().peekable());
    loop {
        match (t.peek(), v.peek()) {
            (Some(a), Some(b)) if a.col == b.0 => {
                out.push((a.col, t.next(), v.next().map(|(_, x)| x)));
            }
            (Some(a), Some(b)) if a.col < b.0 => out.push((a.col, t.next(), None)),
            (Some(_), Some(b)) => {
                let col = b.0;
                out.push((col, None, v.next().map(|(_, x)| x)));
            }
            (Some(a), None) => out.push((a.col, t.next(), None)),
            (None, Some(b)) => {
                let col = b.0;
                out.push((col, None, v.next().map(|(_, x)| x)));
            }
            (None, None) => break,
        }
    }
    out
}

fn write_raw(w: &mut Writer<impl Write>, text: &str) -> Result<(), ExportError> {
    w.get_mut().write_all(text.as_bytes()).map_err(bad)
}

fn attrs_of(e: &BytesStart) -> Vec<(String, String)> {
    e.attributes()
        .flatten()
        .filter_map(|a| {
            Some((
                a.key.as_ref().to_string(),
                a.normalized_value(quick_xml::XmlVersion::Implicit1_0)
                    .ok()?
                    .into_owned(),
            ))
        })
        .collect()
}

/// A cell reference's 0-based column (`B9` → 1).
fn cell_col(reference: &str) -> Option<u16> {
    parse_cell_ref(reference).map(|(c, _)| c)
}

/// A cell reference's 1-based row (`B9` → 9).
fn cell_row(reference: &str) -> Option<u32> {
    parse_cell_ref(reference).map(|(_, r)| r + 1)
}

/// Reads a `<row>` to its end: the row's attributes, its cells, and its
/// events to copy it unchanged.
fn read_row(
    reader: &mut Reader<&[u8]>,
    start: BytesStart<'static>,
    first: Event<'static>,
) -> Result<TemplateRow, ExportError> {
    let r = attr(&start, "r")
        .and_then(|v| v.parse().ok())
        .ok_or_else(|| bad("a row without its number"))?;
    let mut row = TemplateRow {
        r,
        attrs: attrs_of(&start),
        cells: Vec::new(),
        events: vec![first],
    };
    let mut cell: Option<TemplateCell> = None;
    let mut in_f: Option<Formula> = None;
    loop {
        let event = reader.read_event().map_err(bad)?.into_owned();
        match &event {
            Event::Start(e) | Event::Empty(e) if e.local_name().as_ref() == "c" => {
                let col = attr(e, "r")
                    .and_then(|v| cell_col(&v))
                    .unwrap_or_else(|| row.cells.last().map_or(0, |c| c.col + 1));
                let c = TemplateCell {
                    col,
                    style: attr(e, "s").and_then(|v| v.parse().ok()),
                    formula: None,
                    has_value: false,
                };
                if matches!(event, Event::Empty(_)) {
                    row.cells.push(c);
                } else {
                    cell = Some(c);
                }
            }
            Event::End(e) if e.local_name().as_ref() == "c" => {
                if let Some(c) = cell.take() {
                    row.cells.push(c);
                }
            }
            Event::Start(e) if e.local_name().as_ref() == "f" => {
                in_f = Some(Formula {
                    attrs: attrs_of(e),
                    text: String::new(),
                });
            }
            Event::Empty(e) if e.local_name().as_ref() == "f" => {
                if let Some(c) = cell.as_mut() {
                    c.formula = Some(Formula {
                        attrs: attrs_of(e),
                        text: String::new(),
                    });
                }
            }
            Event::Text(t) if in_f.is_some() => {
                if let Some(f) = in_f.as_mut() {
                    f.text.push_str(&t.xml10_content());
                }
            }
            Event::GeneralRef(g) if in_f.is_some() => {
                if let Some(f) = in_f.as_mut() {
                    match g.resolve_char_ref() {
                        Ok(Some(ch)) => f.text.push(ch),
                        _ => f.text.push_str(
                            quick_xml::escape::resolve_predefined_entity(g).unwrap_or_default(),
                        ),
                    }
                }
            }
            Event::End(e) if e.local_name().as_ref() == "f" => {
                if let (Some(c), Some(f)) = (cell.as_mut(), in_f.take()) {
                    c.formula = Some(f);
                }
            }
            Event::Text(t)
                if cell.is_some() && !t.as_ref().chars().all(|c| c.is_ascii_whitespace()) =>
            {
                if let Some(c) = cell.as_mut() {
                    c.has_value = true;
                }
            }
            Event::End(e) if e.local_name().as_ref() == "row" => {
                row.events.push(event);
                return Ok(row);
            }
            Event::Eof => return Err(bad(format!("row {r} is not closed"))),
            _ => {}
        }
        row.events.push(event);
    }
}

fn esc(text: &str) -> std::borrow::Cow<'_, str> {
    quick_xml::escape::escape(text)
}

fn open_row(out: &mut String, r: u32, attrs: &[(String, String)]) {
    let _ = write!(out, "<row r=\"{r}\"");
    for (k, v) in attrs {
        // `spans` is a hint that the cells written may not keep.
        if k == "r" || k == "spans" {
            continue;
        }
        let _ = write!(out, " {k}=\"{}\"", esc(v));
    }
    out.push('>');
}

/// `<c r="B9" s="17"`: a cell's start, without its end.
fn open_cell(out: &mut String, col: u16, r: u32, style: Option<u32>) {
    out.push_str("<c r=\"");
    push_column(out, col);
    let _ = write!(out, "{r}\"");
    if let Some(s) = style {
        let _ = write!(out, " s=\"{s}\"");
    }
}

/// A column's letters (`AB`), written without an allocation of their own.
fn push_column(out: &mut String, col: u16) {
    let mut letters = [0u8; 3];
    let mut n = u32::from(col) + 1;
    let mut len = 0;
    while n > 0 && len < 3 {
        let rem = ((n - 1) % 26) as u8;
        letters[len] = b'A' + rem;
        len += 1;
        n = (n - 1) / 26;
    }
    for &b in letters[..len].iter().rev() {
        out.push(char::from(b));
    }
}

fn style_only_cell(out: &mut String, r: u32, col: u16, style: Option<u32>) {
    open_cell(out, col, r, style);
    out.push_str("/>");
}

fn copy_cell_as_is(out: &mut String, row: &TemplateRow, c: &TemplateCell) {
    // Re-serialize the cell from the row's events.
    let mut inside = false;
    let mut w = Writer::new(Vec::new());
    for e in &row.events {
        match e {
            Event::Start(s) | Event::Empty(s)
                if s.local_name().as_ref() == "c"
                    && attr(s, "r").and_then(|v| cell_col(&v)) == Some(c.col) =>
            {
                inside = matches!(e, Event::Start(_));
                let _ = w.write_event(e.clone());
                if !inside {
                    break;
                }
            }
            Event::End(s) if inside && s.local_name().as_ref() == "c" => {
                let _ = w.write_event(e.clone());
                break;
            }
            _ if inside => {
                let _ = w.write_event(e.clone());
            }
            _ => {}
        }
    }
    out.push_str(&String::from_utf8_lossy(&w.into_inner()));
}

fn value_cell(
    out: &mut String,
    r: u32,
    col: u16,
    style: Option<u32>,
    v: &CellValue,
    styles: &mut Styles,
) -> Result<(), ExportError> {
    match v {
        CellValue::Text(t) => {
            let style = match style {
                Some(s) if t.contains('\n') => Some(styles.for_value(s, Need::Wrap)?),
                other => other,
            };
            open_cell(out, col, r, style);
            out.push_str(" t=\"inlineStr\"><is><t xml:space=\"preserve\">");
            out.push_str(&esc(t));
            out.push_str("</t></is></c>");
        }
        CellValue::Number(n) => {
            open_cell(out, col, r, style);
            let _ = write!(out, "><v>{n}</v></c>");
        }
        CellValue::Date(d) => {
            let style = styles.for_value(style.unwrap_or(0), Need::Date)?;
            open_cell(out, col, r, Some(style));
            let _ = write!(out, "><v>{}</v></c>", serial(*d));
        }
    }
    Ok(())
}

/// A formula cell: the formula as the template has it, and as its value
/// until recalculated the item's own (a date in a date format).
fn formula_cell(
    out: &mut String,
    r: u32,
    col: u16,
    style: Option<u32>,
    f: &Formula,
    value: Option<&CellValue>,
    styles: &mut Styles,
) -> Result<(), ExportError> {
    let mut f_xml = String::from("<f");
    for (k, v) in &f.attrs {
        let _ = write!(f_xml, " {k}=\"{}\"", esc(v));
    }
    if f.text.is_empty() {
        f_xml.push_str("/>");
    } else {
        let _ = write!(f_xml, ">{}</f>", esc(&f.text));
    }
    match value {
        Some(CellValue::Date(d)) => {
            let style = styles.for_value(style.unwrap_or(0), Need::Date)?;
            open_cell(out, col, r, Some(style));
            let _ = write!(out, ">{f_xml}<v>{}</v></c>", serial(*d));
        }
        Some(CellValue::Number(n)) => {
            open_cell(out, col, r, style);
            let _ = write!(out, ">{f_xml}<v>{n}</v></c>");
        }
        Some(CellValue::Text(t)) => {
            open_cell(out, col, r, style);
            let _ = write!(out, " t=\"str\">{f_xml}<v>{}</v></c>", esc(t));
        }
        None => {
            open_cell(out, col, r, style);
            let _ = write!(out, " t=\"str\">{f_xml}<v></v></c>");
        }
    }
    Ok(())
}

/// A formula's relative row references moved by `by` rows (`L10` → `L11`);
/// absolute rows (`L$10`), text in quotes and names are left alone.
fn move_formula(text: &str, by: i64) -> String {
    if by == 0 {
        return text.to_string();
    }
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len() + 8);
    let mut i = 0;
    let mut quoted = false;
    while i < chars.len() {
        let c = chars[i];
        if c == '"' {
            quoted = !quoted;
            out.push(c);
            i += 1;
            continue;
        }
        let starts_word = i == 0
            || !(chars[i - 1].is_ascii_alphanumeric()
                || chars[i - 1] == '_'
                || chars[i - 1] == '.');
        if !quoted && starts_word && (c == '$' || c.is_ascii_uppercase()) {
            // [$]LETTERS[$]DIGITS, not followed by a letter, digit or '('.
            let mut j = i;
            if chars[j] == '$' {
                j += 1;
            }
            let letters_start = j;
            while j < chars.len() && chars[j].is_ascii_uppercase() {
                j += 1;
            }
            let letters = j - letters_start;
            let mut absolute_row = false;
            if j < chars.len() && chars[j] == '$' {
                absolute_row = true;
                j += 1;
            }
            let digits_start = j;
            while j < chars.len() && chars[j].is_ascii_digit() {
                j += 1;
            }
            let digits = j - digits_start;
            let ends = j >= chars.len()
                || !(chars[j].is_ascii_alphanumeric() || chars[j] == '(' || chars[j] == '_');
            if (1..=3).contains(&letters) && digits > 0 && ends {
                let row: i64 = chars[digits_start..j]
                    .iter()
                    .collect::<String>()
                    .parse()
                    .unwrap_or(0);
                out.extend(&chars[i..digits_start]);
                if absolute_row {
                    out.push_str(&row.to_string());
                } else {
                    out.push_str(&(row + by).max(1).to_string());
                }
                i = j;
                continue;
            }
            out.extend(&chars[i..j.max(i + 1)]);
            i = j.max(i + 1);
            continue;
        }
        out.push(c);
        i += 1;
    }
    out
}

/// Ranges (`B9:AB4021 L9:L4021`) that end on the template's last row,
/// grown to the last row written.
fn grow_ranges(sqref: &str, last: u32, new_last: u32) -> String {
    sqref
        .split_whitespace()
        .map(|range| {
            // A column range down to the last row grows; a single row (an
            // example row's prompt) does not, lest it overlap the
            // validations of the rows below it.
            let Some((a, b)) = range.split_once(':') else {
                return range.to_string();
            };
            match (cell_row(a), cell_row(b), cell_col(b)) {
                (Some(top), Some(r), Some(c)) if r == last && top < r => {
                    format!("{a}:{}{new_last}", column_letters(c))
                }
                _ => range.to_string(),
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formulas_move_their_relative_rows_only() {
        assert_eq!(
            move_formula("IF(R10=\"High\", L10+30, L$10+LOG10(2))", 5),
            "IF(R15=\"High\", L15+30, L$10+LOG10(2))"
        );
        assert_eq!(move_formula("SUM(A1:B2)&\"A1\"", 1), "SUM(A2:B3)&\"A1\"");
    }

    #[test]
    fn print_areas_reaching_the_header_grow_to_the_last_row() {
        assert_eq!(
            grow_area("'POA&M'!$A$1:$T$7", 7, 120),
            "'POA&M'!$A$1:$T$120"
        );
        assert_eq!(grow_area("Example!A1:S12", 7, 120), "Example!A1:S120");
        // An area above the header row (a title block) stays.
        assert_eq!(grow_area("'POA&M'!$A$1:$T$3", 7, 120), "'POA&M'!$A$1:$T$3");
        // One already past the rows written stays.
        assert_eq!(
            grow_area("'POA&M'!$A$1:$T$500", 7, 120),
            "'POA&M'!$A$1:$T$500"
        );
        assert_eq!(grow_area("#REF!", 7, 120), "#REF!");
    }

    #[test]
    fn ranges_on_the_last_row_grow() {
        assert_eq!(
            grow_ranges("B9:AB4021 L1:L5 M7", 4021, 5000),
            "B9:AB5000 L1:L5 M7"
        );
        assert_eq!(
            grow_ranges("I7 G7:H7 I8:I1048576", 7, 12),
            "I7 G7:H7 I8:I1048576"
        );
    }

    #[test]
    fn date_codes_are_told_from_others() {
        assert!(date_code("m/d/yyyy"));
        assert!(date_code("[$-409]d-mmm-yy"));
        assert!(!date_code("0.0"));
        assert!(!date_code("[$-F400]h:mm:ss\\ AM/PM"));
        assert!(!date_code("\"day\" 0"));
    }

    #[test]
    fn serial_numbers_are_excels() {
        assert_eq!(
            serial(NaiveDate::from_ymd_opt(2024, 11, 12).unwrap()),
            45608
        );
        assert_eq!(serial(NaiveDate::from_ymd_opt(1900, 1, 1).unwrap()), 1);
        assert_eq!(serial(NaiveDate::from_ymd_opt(1900, 3, 1).unwrap()), 61);
    }
}
