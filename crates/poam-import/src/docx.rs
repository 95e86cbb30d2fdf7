//! Word documents: every table of `word/document.xml` as a grid, read with a
//! streaming XML reader over the zip. Paragraphs in a cell are joined by new
//! lines; a merged cell (`w:gridSpan`) keeps the columns after it empty so
//! that columns stay aligned with the header; entity declarations are never
//! expanded (only the five XML entities and character references are read).

use crate::grid::{Cell, Grid};
use crate::ImportError;
use quick_xml::events::Event;
use quick_xml::Reader;
use std::io::{Cursor, Read};

/// The largest `word/document.xml` read, inflated (a guard against zip bombs).
const MAX_DOCUMENT_XML: u64 = 256 * 1024 * 1024;

fn attr(e: &quick_xml::events::BytesStart<'_>, name: &str) -> Option<String> {
    e.attributes()
        .flatten()
        .find(|a| a.key.as_ref() == name)
        .map(|a| a.value.into_owned())
}

/// Reads the tables of a .docx file.
pub(crate) fn tables(file: &str, bytes: &[u8]) -> Result<Vec<Grid>, ImportError> {
    let not_word = |reason: String| ImportError::NotSpreadsheet {
        file: file.to_string(),
        reason,
    };
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).map_err(|e| {
        not_word(format!(
            "not a Word document (corrupt or truncated zip: {e})"
        ))
    })?;
    let part = zip
        .by_name("word/document.xml")
        .map_err(|_| not_word("a zip without word/document.xml is not a Word document".into()))?;
    if part.size() > MAX_DOCUMENT_XML {
        return Err(not_word(format!(
            "word/document.xml inflates to {} MB, over the {} MB limit",
            part.size() / (1024 * 1024),
            MAX_DOCUMENT_XML / (1024 * 1024)
        )));
    }
    let mut xml = String::new();
    part.take(MAX_DOCUMENT_XML)
        .read_to_string(&mut xml)
        .map_err(|e| not_word(format!("cannot read word/document.xml: {e}")))?;
    parse_tables(&xml)
        .map_err(|e| not_word(format!("word/document.xml is not well-formed XML: {e}")))
}

/// Parses the tables out of a WordprocessingML body.
pub(crate) fn parse_tables(xml: &str) -> Result<Vec<Grid>, quick_xml::Error> {
    let mut reader = Reader::from_str(xml);
    let mut grids: Vec<Grid> = Vec::new();
    let mut depth = 0usize;
    let mut row: Option<Vec<Cell>> = None;
    let mut cell: Option<String> = None;
    let mut span = 1usize;
    let mut in_text = false;
    loop {
        match reader.read_event()? {
            Event::Start(e) => match e.name().as_ref() {
                "w:tbl" => {
                    depth += 1;
                    if depth == 1 {
                        grids.push(Grid {
                            name: format!("Table {}", grids.len() + 1),
                            ..Grid::default()
                        });
                    }
                }
                "w:tr" if depth == 1 => row = Some(Vec::new()),
                "w:tc" if depth == 1 => {
                    cell = Some(String::new());
                    span = 1;
                }
                "w:t" => in_text = true,
                _ => {}
            },
            Event::Empty(e) => match e.name().as_ref() {
                "w:gridSpan" if depth == 1 => {
                    span = attr(&e, "w:val")
                        .and_then(|v| v.parse().ok())
                        .unwrap_or(1)
                        .clamp(1, 64);
                }
                "w:tab" => {
                    if let Some(c) = cell.as_mut() {
                        c.push('\t');
                    }
                }
                "w:br" | "w:cr" => {
                    if let Some(c) = cell.as_mut() {
                        c.push('\n');
                    }
                }
                _ => {}
            },
            Event::Text(t) if in_text => {
                if let Some(c) = cell.as_mut() {
                    c.push_str(&t.xml10_content());
                }
            }
            Event::GeneralRef(r) if in_text => {
                if let Some(c) = cell.as_mut() {
                    if let Ok(Some(ch)) = r.resolve_char_ref() {
                        c.push(ch);
                    } else if let Some(s) = quick_xml::escape::resolve_predefined_entity(&r) {
                        c.push_str(s);
                    }
                }
            }
            Event::End(e) => match e.name().as_ref() {
                "w:t" => in_text = false,
                "w:p" => {
                    if let Some(c) = cell.as_mut() {
                        c.push('\n');
                    }
                }
                "w:tc" if depth == 1 => {
                    if let (Some(text), Some(r)) = (cell.take(), row.as_mut()) {
                        let text = text.trim_end_matches(['\n', ' ']).to_string();
                        r.push(if text.trim().is_empty() {
                            Cell::Empty
                        } else {
                            Cell::Text(text.into())
                        });
                        for _ in 1..span {
                            r.push(Cell::Empty);
                        }
                    }
                }
                "w:tr" if depth == 1 => {
                    if let (Some(r), Some(g)) = (row.take(), grids.last_mut()) {
                        g.rows.push(r);
                    }
                }
                "w:tbl" => depth = depth.saturating_sub(1),
                _ => {}
            },
            Event::Eof => break,
            _ => {}
        }
    }
    Ok(join_continued(grids))
}

/// A table Word split in two (a page break, a paragraph typed between its
/// rows): the next table of the same width continues it, whether or not it
/// repeats the header row.
fn join_continued(grids: Vec<Grid>) -> Vec<Grid> {
    let width = |g: &Grid| g.rows.iter().map(Vec::len).max().unwrap_or(0);
    let texts = |row: &[Cell]| row.iter().map(Cell::text).collect::<Vec<_>>();
    let mut out: Vec<Grid> = Vec::new();
    for grid in grids {
        match out.last_mut() {
            Some(prev)
                if width(prev) == width(&grid)
                    && width(&grid) >= 3
                    && prev.rows.len() >= 2
                    && !grid.rows.is_empty() =>
            {
                let repeats_header = prev
                    .rows
                    .first()
                    .is_some_and(|h| texts(h) == texts(&grid.rows[0]));
                let skip = usize::from(repeats_header);
                prev.rows.extend(grid.rows.into_iter().skip(skip));
            }
            _ => out.push(grid),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_rows_paragraphs_and_spans() {
        let xml = r#"<w:document xmlns:w="x"><w:body><w:tbl>
            <w:tr><w:tc><w:p><w:r><w:t>Responsible</w:t></w:r></w:p><w:p><w:r><w:t xml:space="preserve">Office &amp; Org </w:t></w:r></w:p></w:tc>
                  <w:tc><w:tcPr><w:gridSpan w:val="2"/></w:tcPr><w:p><w:r><w:t>Wide</w:t></w:r></w:p></w:tc><w:tc><w:p/></w:tc></w:tr>
            <w:tr><w:tc><w:p><w:r><w:t>a</w:t><w:br/><w:t>b&#8211;c</w:t></w:r></w:p></w:tc></w:tr>
        </w:tbl></w:body></w:document>"#;
        let grids = parse_tables(xml).unwrap();
        assert_eq!(grids.len(), 1);
        let g = &grids[0];
        assert_eq!(g.rows[0][0], Cell::Text("Responsible\nOffice & Org".into()));
        assert_eq!(g.rows[0][1], Cell::Text("Wide".into()));
        assert_eq!(g.rows[0][2], Cell::Empty);
        assert_eq!(g.rows[0][3], Cell::Empty);
        assert_eq!(g.rows[1][0], Cell::Text("a\nb\u{2013}c".into()));
    }

    #[test]
    fn entity_declarations_are_not_expanded() {
        let xml = r#"<!DOCTYPE w [<!ENTITY boom "BOOM">]><w:document xmlns:w="x"><w:tbl><w:tr><w:tc><w:p><w:r><w:t>&boom;x</w:t></w:r></w:p></w:tc></w:tr></w:tbl></w:document>"#;
        let grids = parse_tables(xml).unwrap();
        assert_eq!(grids[0].rows[0][0], Cell::Text("x".into()));
    }
}
