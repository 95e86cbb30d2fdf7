//! A Word body as a flow of paragraphs and tables, in document order, read
//! with a streaming XML reader. Checkboxes become glyphs in the text:
//! `☒` when checked, `☐` when not, whichever of the three forms found in
//! real SSPs holds them: content controls (`w14:checkbox` / `w14:checked`),
//! legacy form fields (`w:ffData/w:checkBox` with `w:default` / `w:checked`),
//! or the glyph (or an `X`) typed as text.

use quick_xml::events::{BytesStart, Event};
use quick_xml::Reader;

/// Checked box glyph.
pub const CHECKED: char = '\u{2612}';
/// Unchecked box glyph.
pub const UNCHECKED: char = '\u{2610}';

/// One paragraph.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Para {
    /// Its style id (`Heading2`, `TOC1`, `BodyText`).
    pub style: Option<String>,
    /// Its text, runs joined, tabs as `\t`, breaks as `\n`, checkboxes as glyphs.
    pub text: String,
}

/// A block of the body.
#[derive(Debug, Clone, PartialEq)]
pub enum Block {
    /// A paragraph outside tables, with its 1-based position among them.
    Para(usize, Para),
    /// A table: rows of cells of paragraphs, with its 1-based position among tables.
    Table(usize, Vec<Vec<Vec<Para>>>),
}

fn attr(e: &BytesStart<'_>, name: &str) -> Option<String> {
    e.attributes()
        .flatten()
        .find(|a| a.key.as_ref() == name)
        .map(|a| a.value.into_owned())
}

fn truthy(v: Option<String>) -> bool {
    v.is_none_or(|v| v == "1" || v == "true" || v == "on")
}

#[derive(Default)]
struct SdtFrame {
    checkbox: Option<bool>,
    in_content: bool,
}

/// Parses a WordprocessingML body into blocks.
///
/// # Errors
///
/// When the XML is not well-formed.
pub fn parse(xml: &str) -> Result<Vec<Block>, quick_xml::Error> {
    let mut reader = Reader::from_str(xml);
    let mut blocks = Vec::new();
    let mut para: Option<Para> = None;
    let mut depth = 0usize;
    let mut table: Vec<Vec<Vec<Para>>> = Vec::new();
    let mut row: Option<Vec<Vec<Para>>> = None;
    let mut cell: Option<Vec<Para>> = None;
    let mut in_text = false;
    let mut sdts: Vec<SdtFrame> = Vec::new();
    let mut ff_check: Option<(bool, Option<bool>)> = None;
    let (mut paras, mut tables) = (0usize, 0usize);
    let suppress = |sdts: &Vec<SdtFrame>| sdts.iter().any(|f| f.checkbox.is_some() && f.in_content);
    loop {
        match reader.read_event()? {
            Event::Start(e) => match e.name().as_ref() {
                "w:p" => {
                    para = Some(Para::default());
                }
                "w:t" => in_text = true,
                "w:tbl" => {
                    depth += 1;
                    if depth == 1 {
                        table = Vec::new();
                    }
                }
                "w:tr" if depth == 1 => row = Some(Vec::new()),
                "w:tc" if depth == 1 => cell = Some(Vec::new()),
                "w:sdt" => sdts.push(SdtFrame::default()),
                "w14:checkbox" => {
                    if let Some(f) = sdts.last_mut() {
                        f.checkbox = Some(false);
                    }
                }
                "w:sdtContent" => {
                    if let Some(f) = sdts.last_mut() {
                        f.in_content = true;
                    }
                }
                "w:checkBox" => ff_check = Some((false, None)),
                _ => {}
            },
            Event::Empty(e) => match e.name().as_ref() {
                "w:pStyle" => {
                    if let Some(p) = para.as_mut() {
                        p.style = attr(&e, "w:val");
                    }
                }
                "w14:checked" => {
                    if let Some(f) = sdts.last_mut() {
                        f.checkbox = Some(truthy(attr(&e, "w14:val")));
                    }
                }
                "w:default" => {
                    if let Some((d, _)) = ff_check.as_mut() {
                        *d = truthy(attr(&e, "w:val"));
                    }
                }
                "w:checked" => {
                    if let Some((_, c)) = ff_check.as_mut() {
                        *c = Some(truthy(attr(&e, "w:val")));
                    }
                }
                "w:tab" => {
                    if let Some(p) = para.as_mut() {
                        if !suppress(&sdts) {
                            p.text.push('\t');
                        }
                    }
                }
                "w:br" | "w:cr" => {
                    if let Some(p) = para.as_mut() {
                        p.text.push('\n');
                    }
                }
                "w:p" => {
                    let p = Para {
                        style: None,
                        text: String::new(),
                    };
                    match cell.as_mut() {
                        Some(c) if depth >= 1 => c.push(p),
                        _ => {
                            paras += 1;
                            blocks.push(Block::Para(paras, p));
                        }
                    }
                }
                _ => {}
            },
            Event::Text(t) if in_text => {
                if let Some(p) = para.as_mut() {
                    if !suppress(&sdts) {
                        p.text.push_str(&t.xml10_content());
                    }
                }
            }
            Event::GeneralRef(r) if in_text => {
                if let Some(p) = para.as_mut() {
                    if !suppress(&sdts) {
                        if let Ok(Some(ch)) = r.resolve_char_ref() {
                            p.text.push(ch);
                        } else if let Some(s) = quick_xml::escape::resolve_predefined_entity(&r) {
                            p.text.push_str(s);
                        }
                    }
                }
            }
            Event::End(e) => match e.name().as_ref() {
                "w:t" => in_text = false,
                "w:sdt" => {
                    if let Some(f) = sdts.pop() {
                        if let (Some(state), Some(p)) = (f.checkbox, para.as_mut()) {
                            p.text.push(if state { CHECKED } else { UNCHECKED });
                        }
                    }
                }
                "w:checkBox" => {
                    if let (Some((default, checked)), Some(p)) = (ff_check.take(), para.as_mut()) {
                        p.text.push(if checked.unwrap_or(default) {
                            CHECKED
                        } else {
                            UNCHECKED
                        });
                    }
                }
                "w:p" => {
                    if let Some(p) = para.take() {
                        match cell.as_mut() {
                            Some(c) if depth >= 1 => c.push(p),
                            _ => {
                                paras += 1;
                                blocks.push(Block::Para(paras, p));
                            }
                        }
                    }
                }
                "w:tc" if depth == 1 => {
                    if let (Some(c), Some(r)) = (cell.take(), row.as_mut()) {
                        r.push(c);
                    }
                }
                "w:tr" if depth == 1 => {
                    if let Some(r) = row.take() {
                        table.push(r);
                    }
                }
                "w:tbl" => {
                    if depth == 1 {
                        tables += 1;
                        blocks.push(Block::Table(tables, std::mem::take(&mut table)));
                    }
                    depth = depth.saturating_sub(1);
                }
                _ => {}
            },
            Event::Eof => break,
            _ => {}
        }
    }
    Ok(blocks)
}

/// The text of a cell: its paragraphs joined by new lines.
pub fn cell_text(cell: &[Para]) -> String {
    cell.iter()
        .map(|p| p.text.as_str())
        .collect::<Vec<_>>()
        .join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn three_checkbox_forms() {
        let xml = r#"<w:document><w:body>
          <w:p><w:pPr><w:pStyle w:val="Heading2"/></w:pPr><w:r><w:t>AC-2 Account Management (L)(M)(H)</w:t></w:r></w:p>
          <w:tbl><w:tr><w:tc>
            <w:p><w:sdt><w:sdtPr><w14:checkbox><w14:checked w14:val="1"/></w14:checkbox></w:sdtPr><w:sdtContent><w:r><w:t>☐</w:t></w:r></w:sdtContent></w:sdt><w:r><w:t xml:space="preserve"> Implemented</w:t></w:r></w:p>
            <w:p><w:r><w:fldChar w:fldCharType="begin"><w:ffData><w:checkBox><w:sizeAuto/><w:default w:val="0"/><w:checked/></w:checkBox></w:ffData></w:fldChar></w:r><w:r><w:instrText> FORMCHECKBOX </w:instrText></w:r><w:r><w:t xml:space="preserve"> Planned</w:t></w:r></w:p>
            <w:p><w:r><w:t>☒ Not Applicable</w:t></w:r></w:p>
            <w:p><w:sdt><w:sdtPr><w14:checkbox><w14:checked w14:val="0"/></w14:checkbox></w:sdtPr><w:sdtContent><w:r><w:t>☒</w:t></w:r></w:sdtContent></w:sdt><w:r><w:t xml:space="preserve"> Alternative</w:t></w:r></w:p>
          </w:tc></w:tr></w:tbl>
        </w:body></w:document>"#;
        let blocks = parse(xml).unwrap();
        assert_eq!(
            blocks[0],
            Block::Para(
                1,
                Para {
                    style: Some("Heading2".into()),
                    text: "AC-2 Account Management (L)(M)(H)".into()
                }
            )
        );
        let Block::Table(1, rows) = &blocks[1] else {
            panic!("{:?}", blocks[1])
        };
        let texts: Vec<&str> = rows[0][0].iter().map(|p| p.text.as_str()).collect();
        assert_eq!(
            texts,
            [
                "☒ Implemented",
                "☒ Planned",
                "☒ Not Applicable",
                "☐ Alternative"
            ]
        );
    }
}
