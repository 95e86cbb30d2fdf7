//! Word deliverables, written with docx-rs: the NIST SP 800-171 plan of
//! action as NIST's template lays it out, and the POA&M report.
//!
//! docx-rs cannot mark a table row as a header row that Word repeats on
//! every page (`w:tblHeader`), writes properties out of the schema's order,
//! and leaves the document's properties at 1970 and "unknown": the package
//! is finished part by part after docx-rs has written it (`finish_parts`).
//! The report's table of contents lists every heading with a PAGEREF field
//! to the heading's bookmark: LibreOffice computes the page numbers as it
//! lays the document out, and Word updates them on opening.
//! Landscape pages need `page_size` before `page_orient` (docx-rs drops the
//! orientation otherwise).

use crate::report::ReportData;
use crate::{ExportError, Written};
use docx_rs::{
    AlignmentType, BreakType, Docx, Footer, Header, PageMargin, PageOrientationType, Paragraph,
    Run, Shading, Style, StyleType, Table, TableCell, TableRow, WidthType,
};
use poam_model::{Poam, State};
use std::io::{Cursor, Read, Write};

/// Letter size in twentieths of a point.
const LETTER_LONG: u32 = 15840;
const LETTER_SHORT: u32 = 12240;

thread_local! {
    /// Texts of the document being written that held control characters.
    static CLEANED: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
}

/// Text as XML 1.0 can hold it: a vertical tab or form feed (Word's soft
/// line and page breaks, which a workbook stores as `_x000B_`) becomes a
/// line break, and the other control characters it forbids (NUL ...) go.
/// A Word file with one of them is refused by Word and LibreOffice.
pub(crate) fn xml_safe(text: &str) -> std::borrow::Cow<'_, str> {
    let forbidden = |c: char| matches!(c, '\u{0}'..='\u{8}' | '\u{b}' | '\u{c}' | '\u{e}'..='\u{1f}' | '\u{fffe}' | '\u{ffff}');
    if !text.contains(forbidden) {
        return std::borrow::Cow::Borrowed(text);
    }
    CLEANED.with(|n| n.set(n.get() + 1));
    std::borrow::Cow::Owned(
        text.chars()
            .filter_map(|c| match c {
                '\u{b}' | '\u{c}' => Some('\n'),
                c if forbidden(c) => None,
                c => Some(c),
            })
            .collect(),
    )
}

/// Starts counting the texts cleaned for one document.
fn begin_cleaning() {
    CLEANED.with(|n| n.set(0));
}

/// The warning for the texts cleaned in the document, if any.
fn cleaned(target: &str) -> Option<poam_model::Diagnostic> {
    let n = CLEANED.with(std::cell::Cell::get);
    (n > 0).then(|| {
        poam_model::Diagnostic::unplaced(poam_model::DiagKind::DroppedField {
            count: n,
            lost: poam_model::diag::Lost::ControlCharacters,
            target: target.to_string(),
        })
    })
}

/// The most items a Word file is built with: the document is built whole
/// in memory before it is written, at about 45 KB an item for the plan's
/// table and 160 KB for the report (its table rows and an item section each),
/// so these keep a Word file within about 1.3 GB. Said before any work.
const NIST_PLAN_ITEMS: usize = 30_000;
const REPORT_ITEMS: usize = 8_000;

fn check_word_size(
    items: usize,
    most: usize,
    what: &str,
    instead: &str,
) -> Result<(), ExportError> {
    if items <= most {
        return Ok(());
    }
    Err(ExportError::TooBig(format!(
        "a {what} in Word takes {most} items at most, and this POA&M has {items}; write {instead}, or split the POA&M (a file per business unit, or the open items only)"
    )))
}

fn cell_text(text: &str, bold: bool) -> TableCell {
    cell_sized(text, bold, 18)
}

/// A cell of text, one paragraph per line, in `size` half-points.
fn cell_sized(text: &str, bold: bool, size: usize) -> TableCell {
    cell_kept(text, bold, size, false)
}

/// A cell whose paragraphs keep with the next (the rows of an item's
/// block stay on one page with its heading, as far as a page holds them).
fn cell_kept(text: &str, bold: bool, size: usize, keep_next: bool) -> TableCell {
    let mut cell = TableCell::new();
    let text = xml_safe(text);
    for line in text.split('\n') {
        let mut run = Run::new().add_text(line).size(size);
        if bold {
            run = run.bold();
        }
        cell = cell.add_paragraph(Paragraph::new().add_run(run).keep_next(keep_next));
    }
    cell
}

fn header_cell(text: &str) -> TableCell {
    cell_text(text, true).shading(Shading::new().fill("CCECFC"))
}

/// A centered bold line (a page header's or footer's).
fn centered_bold(text: &str) -> Paragraph {
    Paragraph::new()
        .align(AlignmentType::Center)
        .add_run(Run::new().add_text(xml_safe(text)).bold())
}

fn styles(docx: Docx) -> Docx {
    // Calibri, the NIST template's body font (its theme's minor font).
    docx.default_fonts(
        docx_rs::RunFonts::new()
            .ascii("Calibri")
            .hi_ansi("Calibri")
            .east_asia("Calibri")
            .cs("Calibri"),
    )
    .add_style(
        Style::new("Title", StyleType::Paragraph)
            .name("Title")
            .size(48)
            .bold(),
    )
    .add_style(
        Style::new("Heading1", StyleType::Paragraph)
            .name("heading 1")
            .size(32)
            .bold()
            .outline_lvl(0),
    )
    .add_style(
        Style::new("Heading2", StyleType::Paragraph)
            .name("heading 2")
            .size(26)
            .bold()
            .outline_lvl(1),
    )
}

/// A heading, bookmarked `_Toc{n}` for the table of contents' page
/// reference, kept with what follows it.
fn heading(text: &str, level: usize, n: usize) -> Paragraph {
    Paragraph::new()
        .add_bookmark_start(n, format!("_Toc{n}"))
        .add_run(Run::new().add_text(xml_safe(text)))
        .add_bookmark_end(n)
        .style(if level == 1 { "Heading1" } else { "Heading2" })
        .keep_next(true)
}

/// A field's runs: begin, instruction, separate, the result shown until
/// the field is updated, end. `dirty` asks Word to update it.
fn field(instr: &str, shown: &str, dirty: bool) -> Vec<Run> {
    use docx_rs::{FieldCharType, InstrText};
    vec![
        Run::new().add_field_char(FieldCharType::Begin, dirty),
        Run::new().add_instr_text(InstrText::Unsupported(instr.to_string())),
        Run::new().add_field_char(FieldCharType::Separate, false),
        Run::new().add_text(shown),
        Run::new().add_field_char(FieldCharType::End, false),
    ]
}

/// The table of contents: every heading with a PAGEREF field to its
/// bookmark for the page number. LibreOffice computes those as it lays the
/// document out, and Word, told to update fields on opening, fills them in
/// (a TOC field's cached entries would show no numbers in LibreOffice,
/// which does not update an index on opening).
fn table_of_contents(mut docx: Docx, entries: &[(String, usize)], text_width: usize) -> Docx {
    use docx_rs::{TabLeaderType, TabValueType};
    docx = docx.add_paragraph(
        Paragraph::new()
            .add_run(Run::new().add_text("Contents").bold().size(28))
            .keep_next(true),
    );
    for (n, (text, level)) in entries.iter().enumerate() {
        let mut p = Paragraph::new()
            .add_tab(
                docx_rs::Tab::new()
                    .val(TabValueType::Right)
                    .leader(TabLeaderType::Dot)
                    .pos(text_width),
            )
            .add_run(Run::new().add_text(xml_safe(text)))
            .add_run(Run::new().add_tab());
        if *level > 1 {
            p = p.indent(Some(360), None, None, None);
        }
        for run in field(&format!("PAGEREF _Toc{n} \\h"), "", true) {
            p = p.add_run(run);
        }
        docx = docx.add_paragraph(p);
    }
    docx
}

/// The report's page header (marking, then the title) and footer (page N
/// of M, then the marking).
fn report_header_footer(docx: Docx, title: &str, marking: Option<&str>) -> Docx {
    let mut header = Header::new();
    if let Some(m) = marking {
        header = header.add_paragraph(centered_bold(m));
    }
    header = header.add_paragraph(
        Paragraph::new()
            .align(AlignmentType::Center)
            .add_run(Run::new().add_text(xml_safe(title)).size(16)),
    );
    let mut page = Paragraph::new()
        .align(AlignmentType::Center)
        .add_run(Run::new().add_text("Page ").size(16));
    for run in field("PAGE", "1", false) {
        page = page.add_run(run.size(16));
    }
    page = page.add_run(Run::new().add_text(" of ").size(16));
    for run in field("NUMPAGES", "1", false) {
        page = page.add_run(run.size(16));
    }
    let mut footer = Footer::new().add_paragraph(page);
    if let Some(m) = marking {
        footer = footer.add_paragraph(centered_bold(m));
    }
    docx.header(header).footer(footer)
}

fn para(text: &str) -> Paragraph {
    Paragraph::new().add_run(Run::new().add_text(xml_safe(text)))
}

/// What a Word file says about itself (File > Info, `docProps/core.xml`).
pub(crate) struct DocInfo<'a> {
    /// The title.
    pub title: &'a str,
    /// The author (`--author`, else the organization or system).
    pub author: Option<&'a str>,
}

fn pack(docx: Docx, info: &DocInfo) -> Result<Vec<u8>, ExportError> {
    let mut out = Cursor::new(Vec::new());
    docx.build()
        .pack(&mut out)
        .map_err(|e| ExportError::Docx(e.to_string()))?;
    finish_parts(&out.into_inner(), info)
}

/// The package docx-rs wrote, finished where it falls short of what Word
/// and LibreOffice expect: the first row of every table repeats on each
/// page (`w:tblHeader`); paragraph and run properties in the schema's order;
/// Word asked to update the fields (the table of contents) on opening; and
/// the document's title, author and dates.
fn finish_parts(docx: &[u8], info: &DocInfo) -> Result<Vec<u8>, ExportError> {
    let bad = |e: String| ExportError::Docx(e);
    let mut zip = zip::ZipArchive::new(Cursor::new(docx)).map_err(|e| bad(e.to_string()))?;
    let mut out = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for i in 0..zip.len() {
        let mut file = zip.by_index(i).map_err(|e| bad(e.to_string()))?;
        let name = file.name().map_err(|e| bad(e.to_string()))?.to_string();
        let mut data = Vec::new();
        file.read_to_end(&mut data)
            .map_err(|e| bad(e.to_string()))?;
        let is_xml = name.ends_with(".xml");
        if name == "word/document.xml" {
            let xml = String::from_utf8(data).map_err(|e| bad(e.to_string()))?;
            data = mark_header_rows(&xml).into_bytes();
        }
        if name == "word/settings.xml" {
            data = settings_updating_fields(&data)?;
        }
        if name == "docProps/core.xml" {
            data = core_properties(info).into_bytes();
        } else if is_xml && name.starts_with("word/") {
            data = properties_in_schema_order(&data)?;
        }
        out.start_file(name, options)
            .map_err(|e| bad(e.to_string()))?;
        out.write_all(&data).map_err(|e| bad(e.to_string()))?;
    }
    Ok(out.finish().map_err(|e| bad(e.to_string()))?.into_inner())
}

/// `docProps/core.xml` with the document's title, author and the time it
/// was written (docx-rs writes 1970-01-01 and "unknown").
fn core_properties(info: &DocInfo) -> String {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let stamp = chrono::DateTime::from_timestamp(now as i64, 0)
        .unwrap_or_default()
        .format("%Y-%m-%dT%H:%M:%SZ")
        .to_string();
    let esc = |t: &str| quick_xml::escape::escape(xml_safe(t).into_owned()).into_owned();
    let author = esc(info.author.unwrap_or("poam"));
    let title = if info.title.is_empty() {
        String::new()
    } else {
        format!("<dc:title>{}</dc:title>", esc(info.title))
    };
    format!(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" xmlns:dcmitype="http://purl.org/dc/dcmitype/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">{title}<dc:creator>{author}</dc:creator><cp:lastModifiedBy>{author}</cp:lastModifiedBy><cp:revision>1</cp:revision><dcterms:created xsi:type="dcterms:W3CDTF">{stamp}</dcterms:created><dcterms:modified xsi:type="dcterms:W3CDTF">{stamp}</dcterms:modified></cp:coreProperties>"#
    )
}

/// The settings with `w:updateFields` (Word updates the table of contents
/// and page references on opening) and their children in the schema's
/// order (docx-rs writes `defaultTabStop` before `zoom`).
fn settings_updating_fields(xml: &[u8]) -> Result<Vec<u8>, ExportError> {
    const ORDER: &[&str] = &[
        "writeProtection",
        "view",
        "zoom",
        "removePersonalInformation",
        "removeDateAndTime",
        "doNotDisplayPageBoundaries",
        "displayBackgroundShape",
        "printPostScriptOverText",
        "printFractionalCharacterWidth",
        "printFormsData",
        "embedTrueTypeFonts",
        "embedSystemFonts",
        "saveSubsetFonts",
        "saveFormsData",
        "mirrorMargins",
        "alignBordersAndEdges",
        "bordersDoNotSurroundHeader",
        "bordersDoNotSurroundFooter",
        "gutterAtTop",
        "hideSpellingErrors",
        "hideGrammaticalErrors",
        "activeWritingStyle",
        "proofState",
        "formsDesign",
        "attachedTemplate",
        "linkStyles",
        "stylePaneFormatFilter",
        "stylePaneSortMethod",
        "documentType",
        "mailMerge",
        "revisionView",
        "trackRevisions",
        "doNotTrackMoves",
        "doNotTrackFormatting",
        "documentProtection",
        "autoFormatOverride",
        "styleLockTheme",
        "styleLockQFSet",
        "defaultTabStop",
        "autoHyphenation",
        "consecutiveHyphenLimit",
        "hyphenationZone",
        "doNotHyphenateCaps",
        "showEnvelope",
        "summaryLength",
        "clickAndTypeStyle",
        "defaultTableStyle",
        "evenAndOddHeaders",
        "bookFoldRevPrinting",
        "bookFoldPrinting",
        "bookFoldPrintingSheets",
        "drawingGridHorizontalSpacing",
        "drawingGridVerticalSpacing",
        "displayHorizontalDrawingGridEvery",
        "displayVerticalDrawingGridEvery",
        "doNotUseMarginsForDrawingGridOrigin",
        "drawingGridHorizontalOrigin",
        "drawingGridVerticalOrigin",
        "doNotShadeFormData",
        "noPunctuationKerning",
        "characterSpacingControl",
        "printTwoOnOne",
        "strictFirstAndLastChars",
        "noLineBreaksAfter",
        "noLineBreaksBefore",
        "savePreviewPicture",
        "doNotValidateAgainstSchema",
        "saveInvalidXml",
        "ignoreMixedContent",
        "alwaysShowPlaceholderText",
        "doNotDemarcateInvalidXml",
        "saveXmlDataOnly",
        "useXSLTWhenSaving",
        "saveThroughXslt",
        "showXMLTags",
        "alwaysMergeEmptyNamespace",
        "updateFields",
    ];
    let update = "<w:updateFields w:val=\"true\"/>";
    let reordered = reorder_children(xml, "settings", ORDER, Some(("updateFields", update)))?;
    Ok(reordered)
}

/// The schema's order of a paragraph's properties (`w:pPr`) and a run's
/// (`w:rPr`): docx-rs writes `w:rPr` first in `w:pPr`, and `w:sz` before
/// `w:b`, which strict readers refuse.
const PPR_ORDER: &[&str] = &[
    "pStyle",
    "keepNext",
    "keepLines",
    "pageBreakBefore",
    "framePr",
    "widowControl",
    "numPr",
    "suppressLineNumbers",
    "pBdr",
    "shd",
    "tabs",
    "suppressAutoHyphens",
    "kinsoku",
    "wordWrap",
    "overflowPunct",
    "topLinePunct",
    "autoSpaceDE",
    "autoSpaceDN",
    "bidi",
    "adjustRightInd",
    "snapToGrid",
    "spacing",
    "ind",
    "contextualSpacing",
    "mirrorIndents",
    "suppressOverlap",
    "jc",
    "textDirection",
    "textAlignment",
    "textboxTightWrap",
    "outlineLvl",
    "divId",
    "cnfStyle",
    "rPr",
    "sectPr",
    "pPrChange",
];
const RPR_ORDER: &[&str] = &[
    "ins",
    "del",
    "rStyle",
    "rFonts",
    "b",
    "bCs",
    "i",
    "iCs",
    "caps",
    "smallCaps",
    "strike",
    "dstrike",
    "outline",
    "shadow",
    "emboss",
    "imprint",
    "noProof",
    "snapToGrid",
    "vanish",
    "webHidden",
    "color",
    "spacing",
    "w",
    "kern",
    "position",
    "sz",
    "szCs",
    "highlight",
    "u",
    "effect",
    "bdr",
    "shd",
    "fitText",
    "vertAlign",
    "rtl",
    "cs",
    "em",
    "lang",
    "eastAsianLayout",
    "specVanish",
    "oMath",
    "rPrChange",
];

/// A Word part with every `w:pPr` and `w:rPr` in the schema's order.
fn properties_in_schema_order(xml: &[u8]) -> Result<Vec<u8>, ExportError> {
    let once = reorder_children(xml, "pPr", PPR_ORDER, None)?;
    reorder_children(&once, "rPr", RPR_ORDER, None)
}

/// Each element named `parent` (local name) with its children sorted into
/// `order` (unknown children keep their place at the end), and `add`
/// (name, XML) put in when the parent lacks it.
fn reorder_children(
    xml: &[u8],
    parent: &str,
    order: &[&str],
    add: Option<(&str, &str)>,
) -> Result<Vec<u8>, ExportError> {
    use quick_xml::events::Event;
    let bad = |e: quick_xml::Error| ExportError::Docx(e.to_string());
    let mut reader = quick_xml::Reader::from_reader(xml);
    let mut out: Vec<u8> = Vec::with_capacity(xml.len() + 64);
    // Inside a parent: its children, each as (rank, bytes); depth below it.
    let mut children: Option<Vec<(usize, Vec<u8>)>> = None;
    let mut depth = 0usize;
    let rank = |name: &str| {
        let local = name.rsplit(':').next().unwrap_or(name);
        order
            .iter()
            .position(|o| *o == local)
            .unwrap_or(order.len())
    };
    let mut last = 0usize;
    loop {
        let start = reader.buffer_position() as usize;
        let event = reader.read_event().map_err(bad)?;
        let end = reader.buffer_position() as usize;
        let raw = &xml[start..end];
        match (&event, children.as_mut()) {
            (Event::Eof, _) => break,
            (Event::Start(e), None) if e.local_name().as_ref() == parent => {
                out.extend_from_slice(raw);
                children = Some(Vec::new());
                depth = 0;
            }
            (Event::End(e), Some(list)) if depth == 0 && e.local_name().as_ref() == parent => {
                if let Some((name, text)) = add {
                    if !list.iter().any(|(r, _)| *r == rank(name)) {
                        list.push((rank(name), text.as_bytes().to_vec()));
                    }
                }
                list.sort_by_key(|(r, _)| *r);
                for (_, bytes) in list.drain(..) {
                    out.extend_from_slice(&bytes);
                }
                children = None;
                out.extend_from_slice(raw);
            }
            (Event::Start(e), Some(list)) => {
                if depth == 0 {
                    list.push((rank(e.name().as_ref()), raw.to_vec()));
                    last = list.len() - 1;
                } else {
                    list[last].1.extend_from_slice(raw);
                }
                depth += 1;
            }
            (Event::End(_), Some(list)) => {
                list[last].1.extend_from_slice(raw);
                depth -= 1;
            }
            (Event::Empty(e), Some(list)) if depth == 0 => {
                list.push((rank(e.name().as_ref()), raw.to_vec()));
                last = list.len() - 1;
            }
            (_, Some(list)) => {
                if depth == 0 {
                    // Text or whitespace between children: kept with the one before.
                    match list.last_mut() {
                        Some((_, bytes)) => bytes.extend_from_slice(raw),
                        None => out.extend_from_slice(raw),
                    }
                } else {
                    list[last].1.extend_from_slice(raw);
                }
            }
            (_, None) => out.extend_from_slice(raw),
        }
    }
    Ok(out)
}

fn mark_header_rows(xml: &str) -> String {
    let mut out = String::with_capacity(xml.len() + 256);
    let mut rest = xml;
    while let Some(t) = rest.find("<w:tbl>") {
        out.push_str(&rest[..t + 7]);
        rest = &rest[t + 7..];
        let Some(tr) = rest.find("<w:tr") else { break };
        let Some(end) = rest[tr..].find('>') else {
            break;
        };
        let after = tr + end + 1;
        out.push_str(&rest[..after]);
        rest = &rest[after..];
        if let Some(stripped) = rest.strip_prefix("<w:trPr>") {
            out.push_str("<w:trPr><w:tblHeader/>");
            rest = stripped;
        } else if let Some(stripped) = rest
            .strip_prefix("<w:trPr />")
            .or_else(|| rest.strip_prefix("<w:trPr/>"))
        {
            out.push_str("<w:trPr><w:tblHeader/></w:trPr>");
            rest = stripped;
        } else {
            out.push_str("<w:trPr><w:tblHeader/></w:trPr>");
        }
    }
    out.push_str(rest);
    out
}

/// Milestones as the plan's column shows them: one per line, each with its
/// date as the plan writes dates, numbered only when the source numbered
/// them (the text then carries its number).
fn nist_milestones(milestones: &[poam_model::Milestone]) -> String {
    milestones
        .iter()
        .map(|m| match m.due {
            Some(d) => format!("{}: {}", d.format("%m/%d/%Y"), m.description),
            None => m.description.to_string(),
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// The plan's Weaknesses cell: the requirement ids first, as NIST's reader
/// expects, then the weakness name (FedRAMP's, a scanner's) and its
/// description. The Word plan and the workbook plan write it alike.
///
/// `with_name`: a weakness name leads its description (the Word plan); the
/// workbook plan writes the name only where there is no description, so
/// that the cell reads back as the description it was.
pub(crate) fn nist_weakness(item: &poam_model::Item, with_name: bool) -> poam_model::Text {
    let mut weakness: poam_model::Text = match (&item.weakness_name, &item.weakness_description) {
        (Some(n), Some(d)) if with_name && !d.starts_with(n.as_str()) => {
            poam_model::format_compact!("{n}: {d}")
        }
        (_, Some(d)) => d.clone(),
        (Some(n), None) => n.clone(),
        (None, None) => poam_model::Text::default(),
    };
    // The requirement ids lead the weakness text, as NIST's reader expects.
    if !item.controls.is_empty() && !item.controls.iter().all(|c| weakness.contains(c.as_str())) {
        weakness = format!("{}: {weakness}", item.controls.join(", ")).into();
    }
    weakness
}

/// An item's eight cells in the NIST plan's table, as the plan writes
/// them: the weakness (requirement ids and name first), the office, the
/// resources, the date, the milestones, their changes, the source, the
/// status.
pub(crate) fn nist_cells(item: &poam_model::Item) -> [poam_model::Text; 8] {
    let weakness = nist_weakness(item, true);
    let status = match (item.state, item.status) {
        (State::Closed, _) => "Complete".to_string(),
        (_, Some(s)) if s != poam_model::Status::Ongoing => s.label().to_string(),
        _ => "Ongoing".to_string(),
    };
    [
        weakness,
        item.point_of_contact.clone().unwrap_or_default(),
        item.resources_required.clone().unwrap_or_default(),
        item.scheduled_completion
            .map(|d| d.format("%m/%d/%Y").to_string())
            .unwrap_or_default()
            .into(),
        nist_milestones(&item.milestones).into(),
        item.milestone_changes.clone().unwrap_or_default(),
        item.detector_source.clone().unwrap_or_default(),
        status.into(),
    ]
}

/// The NIST SP 800-171 plan of action: landscape, NIST's eight columns with
/// the header row repeated on every page, one row per item, milestones with
/// their dates in their column.
///
/// # Errors
///
/// [`ExportError::Docx`] when the document cannot be packed.
pub fn write_nist171(poam: &Poam) -> Result<Written, ExportError> {
    check_word_size(
        poam.items.len(),
        NIST_PLAN_ITEMS,
        "NIST SP 800-171 plan of action",
        "the workbook form (--to nist-171), CSV or JSON",
    )?;
    begin_cleaning();
    let headers = [
        "Weaknesses",
        "Responsible Office/ Organization",
        "Resource Estimate (funded/ unfunded/ reallocation)",
        "Scheduled Completion Date",
        "Milestones with Interim Completion Dates",
        "Changes to Milestones",
        "How was the weakness identified?",
        "Status (Ongoing or Complete)",
    ];
    // The template's own column widths (twentieths of a point).
    let widths = [1728usize, 1774, 1440, 1260, 3420, 1800, 1440, 1026];
    let mut rows = vec![TableRow::new(
        // The template's header row: 10 pt, so that no header word breaks.
        headers
            .iter()
            .map(|h| cell_sized(h, true, 16).shading(Shading::new().fill("CCECFC")))
            .collect(),
    )];
    for item in &poam.items {
        let cells = nist_cells(item);
        rows.push(TableRow::new(
            cells.iter().map(|t| cell_text(t, false)).collect(),
        ));
    }
    let table = Table::new(rows)
        .set_grid(widths.to_vec())
        .width(widths.iter().sum(), WidthType::Dxa);
    let title = match &poam.system.name {
        Some(n) => format!("Plan of Action: {n}"),
        None => "Plan of Action".to_string(),
    };
    // The template's page header: the marking (CUI, the plan's own), "Plan
    // of Action for" the system; its footer: the page number.
    let header = format!(
        "{} Plan of Action{}",
        poam.system
            .marking
            .as_deref()
            .unwrap_or("Controlled Unclassified Information"),
        poam.system
            .name
            .as_deref()
            .map(|n| format!(" for {n}"))
            .unwrap_or_default()
    );
    let mut docx = styles(Docx::new())
        .header(Header::new().add_paragraph(centered_bold(&header)))
        .footer(
            Footer::new().add_paragraph(
                Paragraph::new()
                    .align(AlignmentType::Center)
                    .add_run(Run::new().add_text("Page "))
                    .add_page_num(docx_rs::PageNum::new()),
            ),
        )
        .page_size(LETTER_LONG, LETTER_SHORT)
        .page_orient(PageOrientationType::Landscape)
        .page_margin(
            PageMargin::new()
                .top(720)
                .bottom(720)
                .left(1080)
                .right(1080)
                .header(432)
                .footer(720),
        )
        .add_paragraph(
            Paragraph::new()
                .add_run(Run::new().add_text(xml_safe(&title)))
                .style("Title"),
        );
    if let Some(org) = &poam.system.organization {
        docx = docx.add_paragraph(para(&format!("Organization: {org}")));
    }
    if let Some(d) = poam.system.poam_date {
        docx = docx.add_paragraph(para(&format!("Date: {}", d.format("%m/%d/%Y"))));
    }
    let docx = docx.add_table(table);
    use poam_model::Field;
    let held = [
        Field::WeaknessDescription,
        Field::Controls,
        Field::PointOfContact,
        Field::ResourcesRequired,
        Field::ScheduledCompletion,
        Field::Milestones,
        Field::MilestoneChanges,
        Field::DetectorSource,
        Field::Status,
    ];
    let mut diagnostics =
        crate::dropped_fields(&poam.items, &held, "the NIST SP 800-171 plan of action");
    // The weakness name stands in for a missing description.
    diagnostics.retain(|d| {
        let name_lost = matches!(
            &d.kind,
            poam_model::DiagKind::DroppedField {
                lost: poam_model::diag::Lost::Field(Field::WeaknessName),
                ..
            }
        );
        !(name_lost
            && poam
                .items
                .iter()
                .all(|i| i.weakness_description.is_none() || i.weakness_name.is_none()))
    });
    diagnostics.extend(cleaned("the NIST SP 800-171 plan of action"));
    let title = format!(
        "Plan of Action for {}",
        poam.system.name.as_deref().unwrap_or("the system")
    );
    let info = DocInfo {
        title: &title,
        author: poam
            .system
            .organization
            .as_deref()
            .or(poam.system.name.as_deref()),
    };
    Ok(Written {
        bytes: pack(docx, &info)?,
        diagnostics,
    })
}

/// The POA&M report: title page, summary, overdue items, the items table,
/// then one section per open item. Headings use Word's heading styles, so the
/// navigation pane and the table of contents work.
///
/// # Errors
///
/// [`ExportError::Docx`] when the document cannot be packed.
pub fn write_report_docx(data: &ReportData) -> Result<Written, ExportError> {
    check_word_size(
        data.total,
        REPORT_ITEMS,
        "report",
        "the HTML or Markdown report (--format html), which has no such limit",
    )?;
    begin_cleaning();
    // The headings, in order, for the table of contents.
    let mut entries: Vec<(String, usize)> = vec![("Summary".to_string(), 1)];
    if !data.units.is_empty() {
        entries.push(("By business unit".to_string(), 1));
    }
    entries.push(("Overdue items".to_string(), 1));
    entries.push(("Items".to_string(), 1));
    for i in data.open_items.iter() {
        entries.push((format!("{}: {}", i.id, i.title), 2));
    }
    // Landscape Letter with 0.75-inch margins: 13,680 twips of text.
    const MARGIN: i32 = 1080;
    let text_width = (LETTER_LONG as i32 - 2 * MARGIN) as usize;
    let mut docx = report_header_footer(styles(Docx::new()), &data.title, data.marking.as_deref())
        .page_size(LETTER_LONG, LETTER_SHORT)
        .page_orient(PageOrientationType::Landscape)
        .page_margin(
            PageMargin::new()
                .top(MARGIN)
                .bottom(MARGIN)
                .left(MARGIN)
                .right(MARGIN)
                .header(540)
                .footer(540),
        )
        .add_paragraph(
            Paragraph::new()
                .add_run(Run::new().add_text(xml_safe(&data.title)))
                .style("Title"),
        );
    for (label, value) in [
        ("System", &data.system),
        ("Organization", &data.organization),
        ("Impact level", &data.impact_level),
        ("POA&M date", &data.poam_date),
    ] {
        docx = docx.add_paragraph(para(&format!(
            "{label}: {}",
            value.as_deref().unwrap_or("-")
        )));
    }
    docx = docx.add_paragraph(para(&format!("As of: {}", data.as_of)));
    docx = table_of_contents(docx, &entries, text_width);
    let mut n = 0usize;
    let mut next = || {
        n += 1;
        n - 1
    };
    docx = docx
        .add_paragraph(Paragraph::new().add_run(Run::new().add_break(BreakType::Page)))
        .add_paragraph(heading("Summary", 1, next()))
        .add_paragraph(para(
            "A POA&M records known gaps and the plan to close them; it is not evidence that the requirements are met.",
        ))
        .add_paragraph(para(&format!(
            "{} items: {} open, {} closed. {} open items are past their {}scheduled completion date.",
            data.total,
            data.open,
            data.closed,
            data.overdue,
            data.policy.as_ref().map(|p| format!("{p} deadline or ")).unwrap_or_default()
        )));
    for f in &data.frameworks {
        let clauses: Vec<String> = f
            .clauses
            .iter()
            .map(|c| format!("{} ({})", c.label, c.count))
            .collect();
        docx = docx.add_paragraph(para(&format!(
            "{}: {} open item(s), {} overdue; {}.",
            f.framework,
            f.open,
            f.overdue,
            clauses.join(", ")
        )));
    }
    if !data.awaiting_effectiveness.is_empty() {
        docx = docx.add_paragraph(para(&format!(
            "Closed, effectiveness not yet verified: {}.",
            data.awaiting_effectiveness
                .iter()
                .map(|a| format!("{} ({})", a.label, a.text))
                .collect::<Vec<_>>()
                .join("; ")
        )));
    }
    if let Some(e) = &data.escalation {
        docx = docx.add_paragraph(para(&format!(
            "{}: {}. Unique vulnerabilities open: {}{}.",
            e.policy,
            if e.any_met {
                "an escalation trigger is met"
            } else {
                "no escalation trigger is met"
            },
            e.unique_open,
            e.baseline
                .map(|b| format!(" (baseline {b})"))
                .unwrap_or_default()
        )));
        for t in &e.triggers {
            docx = docx.add_paragraph(
                para(&format!(
                    "{} ({}): {}{}",
                    t.name,
                    t.level,
                    t.detail,
                    if t.met { ": met" } else { "" }
                ))
                .indent(Some(360), None, None, None),
            );
        }
    }
    if let Some(sc) = &data.score {
        docx = docx.add_paragraph(para(&format!(
            "NIST SP 800-171 (SPRS) score: {}. Conditional CMMC Level 2: {} ({} ineligible item(s); minimum score {}; closeout by {}).",
            sc.score.map_or("none (no system security plan)".to_string(), |s| format!("{s} of {}", sc.maximum)),
            if sc.eligible { "eligible" } else { "not eligible" },
            sc.ineligible,
            sc.minimum,
            sc.closeout
        )));
        for reason in &sc.ineligible_reasons {
            docx = docx.add_paragraph(para(&format!("Not eligible: {reason}")).indent(
                Some(360),
                None,
                None,
                None,
            ));
        }
    }
    let mut rows = vec![TableRow::new(vec![
        header_cell("Risk (open items)"),
        header_cell("Count"),
    ])];
    for c in &data.by_risk {
        rows.push(TableRow::new(vec![
            cell_text(&c.label, false),
            cell_text(&c.count.to_string(), false),
        ]));
    }
    docx = docx.add_table(Table::new(rows)).add_paragraph(para(""));
    let mut rows = vec![TableRow::new(vec![
        header_cell("Status"),
        header_cell("Count"),
    ])];
    for c in &data.by_status {
        rows.push(TableRow::new(vec![
            cell_text(&c.label, false),
            cell_text(&c.count.to_string(), false),
        ]));
    }
    docx = docx.add_table(Table::new(rows));
    // The HTML report's charts, as images.
    let mut charts_missing = false;
    for svg in [&data.charts.risk, &data.charts.age, &data.charts.overdue] {
        match crate::chart_png::png(svg) {
            Some((png, w, h)) => {
                // EMU: 9,525 a CSS pixel.
                let pic =
                    docx_rs::Pic::new_with_dimensions(png, w * 2, h * 2).size(w * 9525, h * 9525);
                docx = docx.add_paragraph(
                    Paragraph::new()
                        .add_run(Run::new().add_image(pic))
                        .keep_lines(true),
                );
            }
            None => charts_missing = true,
        }
    }
    if !data.units.is_empty() {
        docx = docx.add_paragraph(heading("By business unit", 1, next()));
        let mut rows = vec![TableRow::new(
            ["Business unit", "Open", "Overdue", "Closed", "Open by risk"]
                .iter()
                .map(|h| header_cell(h))
                .collect(),
        )];
        for u in &data.units {
            rows.push(TableRow::new(vec![
                cell_text(&u.unit, false),
                cell_text(&u.open.to_string(), false),
                cell_text(&u.overdue.to_string(), false),
                cell_text(&u.closed.to_string(), false),
                cell_text(&u.risks, false),
            ]));
        }
        docx = docx.add_table(Table::new(rows));
    }
    docx = docx.add_paragraph(heading("Overdue items", 1, next()));
    if data.overdue_items.is_empty() {
        docx = docx.add_paragraph(para("None."));
    } else {
        let mut rows = vec![TableRow::new(
            ["POA&M ID", "Weakness", "Risk", "Due", "Days overdue"]
                .iter()
                .map(|h| header_cell(h))
                .collect(),
        )];
        for i in data.overdue_items.iter() {
            rows.push(TableRow::new(
                [
                    i.id.clone(),
                    i.title.clone(),
                    i.risk.clone().unwrap_or_default(),
                    i.due.clone().unwrap_or_default(),
                    i.days_overdue.map(|d| d.to_string()).unwrap_or_default(),
                ]
                .iter()
                .map(|t| cell_text(t, false))
                .collect(),
            ));
        }
        docx = docx.add_table(Table::new(rows));
    }
    docx = docx.add_paragraph(heading("Items", 1, next()));
    let mut rows = vec![TableRow::new(
        ["POA&M ID", "Weakness", "Controls", "State", "Risk", "Due"]
            .iter()
            .map(|h| header_cell(h))
            .collect(),
    )];
    for i in data.items.iter() {
        rows.push(TableRow::new(
            [
                i.id.clone(),
                i.title.clone(),
                i.all_controls(),
                i.state.clone(),
                i.risk.clone().unwrap_or_default(),
                i.due.clone().unwrap_or_default(),
            ]
            .iter()
            .map(|t| cell_text(t, false))
            .collect(),
        ));
    }
    docx = docx.add_table(Table::new(rows));
    for i in data.open_items.iter() {
        docx = docx.add_paragraph(heading(&format!("{}: {}", i.id, i.title), 2, next()));
        let mut facts = vec![
            ("Controls", i.controls.clone()),
            ("Risk", i.risk.clone().unwrap_or_else(|| "-".into())),
            (
                "Detected",
                i.detected_on.clone().unwrap_or_else(|| "-".into()),
            ),
            (
                "Scheduled completion",
                match (&i.due, i.days_overdue) {
                    (Some(d), Some(n)) => format!("{d} ({n} days overdue)"),
                    (Some(d), None) => d.clone(),
                    _ => "-".into(),
                },
            ),
            (
                "Point of contact",
                i.point_of_contact.clone().unwrap_or_else(|| "-".into()),
            ),
        ];
        if let Some(d) = &i.description {
            facts.push(("Description", d.clone()));
        }
        if !i.other_controls.is_empty() {
            facts.push(("Other frameworks", i.other_controls.join(", ")));
        }
        if let Some(p) = &i.remediation_plan {
            facts.push(("Remediation plan", p.clone()));
        }
        for c in &i.corrective_action {
            facts.push((c.label.as_str(), c.text.clone()));
        }
        if let Some(d) = &i.deviation {
            facts.push(("Deviation", d.clone()));
        }
        if !i.ssp.is_empty() {
            facts.push(("System Security Plan", i.ssp.join("\n")));
        }
        if !i.milestones.is_empty() {
            let text: Vec<String> = i
                .milestones
                .iter()
                .map(|m| match (&m.due, &m.status) {
                    (Some(d), Some(s)) => format!("{} (due {d}, {s})", m.description),
                    (Some(d), None) => format!("{} (due {d})", m.description),
                    (None, Some(s)) => format!("{} ({s})", m.description),
                    (None, None) => m.description.clone(),
                })
                .collect();
            facts.push(("Milestones", text.join("\n")));
        }
        // The item's block keeps together: no row splits across pages, and
        // each row keeps with the next (a block longer than a page breaks
        // between rows, never inside one).
        let last = facts.len().saturating_sub(1);
        let rows: Vec<TableRow> = facts
            .iter()
            .enumerate()
            .map(|(r, (k, v))| {
                let keep = r < last;
                TableRow::new(vec![
                    cell_kept(k, true, 18, keep).shading(Shading::new().fill("CCECFC")),
                    cell_kept(v, false, 18, keep),
                ])
                .cant_split()
            })
            .collect();
        docx = docx
            .add_table(Table::new(rows).set_grid(vec![2600, 10000]))
            .add_paragraph(para(""));
    }
    let info = DocInfo {
        title: &data.title,
        author: data
            .author
            .as_deref()
            .or(data.organization.as_deref())
            .or(data.system.as_deref()),
    };
    let mut diagnostics: Vec<poam_model::Diagnostic> =
        cleaned("the Word report").into_iter().collect();
    if charts_missing {
        diagnostics.push(poam_model::Diagnostic::unplaced(
            poam_model::DiagKind::ChartsLeftOut,
        ));
    }
    Ok(Written {
        bytes: pack(docx, &info)?,
        diagnostics,
    })
}
