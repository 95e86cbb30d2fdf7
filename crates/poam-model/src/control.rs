//! Control identifiers: read every form found in real files, print one.
//!
//! | catalog | read | canonical |
//! |---|---|---|
//! | NIST SP 800-53 | `AC-2`, `AC-02`, `ac-2`, `AC 6 (5)`, `AC-02(01)`, `ac-2.1`, `AC-2-1` | `AC-2`, `AC-6(5)`, `AC-2(1)` |
//! | 800-53 parts | `CM-6b`, `AC-2 a`, `AC-2(h)(1)`, `ac-2_smt.a` | control `CM-6`, part `CM-6b`, `AC-2h.1` |
//! | SP 800-171 rev 2 | `3.1.1`, `3.01.01` (with a note) | `3.1.1` |
//! | SP 800-171 rev 3 | `03.01.01` | `03.01.01` (never mapped to rev 2) |
//! | CMMC | `AC.L2-3.1.1`, `AC.L2- 3.1.1`, `IA-L2-3.5.1`, `AC.L1-b.1.i` | the 800-171 rev 2 requirement `3.1.1` |
//! | SP 800-172 / CMMC L3 | `IR.L3-3.6.1e` | `3.6.1e` |
//!
//! Word artefacts are undone first: NFKC (non-breaking spaces), en and em
//! dashes, zero-width spaces.

use crate::{format_compact, Text};
use regex::Regex;
use std::sync::OnceLock;
use unicode_normalization::UnicodeNormalization;

/// The catalog a control identifier belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Catalog {
    /// NIST SP 800-53 (rev 4 or rev 5).
    Sp80053,
    /// NIST SP 800-171 rev 2 (and CMMC Level 1/2 practices).
    Sp800171R2,
    /// NIST SP 800-171 rev 3.
    Sp800171R3,
    /// NIST SP 800-172 enhanced requirements (CMMC Level 3).
    Sp800172,
}

/// The 20 control families of NIST SP 800-53 rev 5.
pub const FAMILIES_800_53: [&str; 20] = [
    "AC", "AT", "AU", "CA", "CM", "CP", "IA", "IR", "MA", "MP", "PE", "PL", "PM", "PS", "PT", "RA",
    "SA", "SC", "SI", "SR",
];

/// CMMC domain of each SP 800-171 rev 2 family (`3.1` is index 0).
const CMMC_DOMAINS: [&str; 14] = [
    "AC", "AT", "AU", "CM", "IA", "IR", "MA", "MP", "PS", "PE", "RA", "CA", "SC", "SI",
];

/// CMMC Level 1 practices (FAR 52.204-21(b)(1)(i)-(xv)) and their rev 2 requirements.
const CMMC_L1: [(&str, &[&str]); 15] = [
    ("i", &["3.1.1"]),
    ("ii", &["3.1.2"]),
    ("iii", &["3.1.20"]),
    ("iv", &["3.1.22"]),
    ("v", &["3.5.1"]),
    ("vi", &["3.5.2"]),
    ("vii", &["3.8.3"]),
    ("viii", &["3.10.1"]),
    ("ix", &["3.10.3", "3.10.4", "3.10.5"]),
    ("x", &["3.13.1"]),
    ("xi", &["3.13.5"]),
    ("xii", &["3.14.1"]),
    ("xiii", &["3.14.2"]),
    ("xiv", &["3.14.4"]),
    ("xv", &["3.14.5"]),
];

/// One parsed control identifier.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ControlId {
    /// Its catalog.
    pub catalog: Catalog,
    /// `AC` for 800-53; the family number (`1` for `3.1`) for 800-171.
    pub family: String,
    /// Control or requirement number.
    pub number: u16,
    /// Enhancement number (800-53 only).
    pub enhancement: Option<u16>,
    /// Part path (`["h", "1"]` for `AC-2h.1`); empty for the whole control.
    pub part: Vec<String>,
}

impl ControlId {
    /// The canonical control-level id, without any part (`AC-2(1)`, `3.1.1`).
    pub fn canonical(&self) -> Text {
        match self.catalog {
            Catalog::Sp80053 => match self.enhancement {
                Some(e) => format_compact!("{}-{}({})", self.family, self.number, e),
                None => format_compact!("{}-{}", self.family, self.number),
            },
            Catalog::Sp800171R2 => format_compact!("3.{}.{}", self.family, self.number),
            Catalog::Sp800171R3 => {
                let fam: u16 = self.family.parse().unwrap_or(0);
                format_compact!("03.{:02}.{:02}", fam, self.number)
            }
            Catalog::Sp800172 => format_compact!("3.{}.{}e", self.family, self.number),
        }
    }

    /// The canonical id including the part (`AC-2h.1`, `AC-2(1)(a)`, `3.1.1[a]`).
    pub fn canonical_with_part(&self) -> Text {
        let mut out = self.canonical();
        if self.part.is_empty() {
            return out;
        }
        match self.catalog {
            Catalog::Sp80053 if self.enhancement.is_none() => {
                for (i, seg) in self.part.iter().enumerate() {
                    if i == 0 {
                        out.push_str(seg);
                    } else if seg.chars().all(|c| c.is_ascii_digit()) {
                        out.push('.');
                        out.push_str(seg);
                    } else {
                        out.push('(');
                        out.push_str(seg);
                        out.push(')');
                    }
                }
            }
            Catalog::Sp80053 => {
                for seg in &self.part {
                    out.push('(');
                    out.push_str(seg);
                    out.push(')');
                }
            }
            _ => {
                for seg in &self.part {
                    out.push('[');
                    out.push_str(seg);
                    out.push(']');
                }
            }
        }
        out
    }
}

/// The result of reading one control identifier.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Parsed {
    /// The ids (a CMMC Level 1 practice can stand for several requirements).
    pub ids: Vec<ControlId>,
    /// Assumptions made while reading, for a diagnostic.
    pub notes: Vec<String>,
}

/// Undoes Word and copy-paste artefacts: NFKC, dashes, zero-width characters,
/// runs of white space.
pub fn normalize_text(text: &str) -> String {
    let nfkc: String = text.nfkc().collect();
    let mut out = String::with_capacity(nfkc.len());
    let mut last_space = false;
    for c in nfkc.chars() {
        let c = match c {
            '\u{2010}' | '\u{2011}' | '\u{2012}' | '\u{2013}' | '\u{2014}' | '\u{2015}'
            | '\u{2212}' | '\u{FE63}' => '-',
            '\u{200B}' | '\u{200C}' | '\u{200D}' | '\u{FEFF}' | '\u{00AD}' => continue,
            c if c.is_whitespace() => ' ',
            c => c,
        };
        if c == ' ' {
            if last_space {
                continue;
            }
            last_space = true;
        } else {
            last_space = false;
        }
        out.push(c);
    }
    out.trim().to_string()
}

fn re(cell: &'static OnceLock<Regex>, pattern: &str) -> &'static Regex {
    cell.get_or_init(|| Regex::new(pattern).expect("valid pattern"))
}

fn strip_zeros(text: &str) -> String {
    let t = text.trim_start_matches('0');
    if t.is_empty() {
        "0".to_string()
    } else {
        t.to_string()
    }
}

/// Reads the part path that follows a control (`a.1(a)`, `(h)(1)`, ` a 1`).
/// Returns `None` when the text is not a part path.
fn parse_part(rest: &str, notes: &mut Vec<String>) -> Option<Vec<String>> {
    let mut segs = Vec::new();
    let chars: Vec<char> = rest.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c == ' ' || c == '.' {
            i += 1;
        } else if c == '(' || c == '[' {
            let close = if c == '(' { ')' } else { ']' };
            let end = chars[i..].iter().position(|&x| x == close)? + i;
            let inner: String = chars[i + 1..end]
                .iter()
                .collect::<String>()
                .trim()
                .to_lowercase();
            if inner.is_empty() || !inner.chars().all(|x| x.is_ascii_alphanumeric()) {
                return None;
            }
            segs.push(if inner.chars().all(|x| x.is_ascii_digit()) {
                strip_zeros(&inner)
            } else {
                inner
            });
            i = end + 1;
        } else if c.is_ascii_digit() {
            let start = i;
            while i < chars.len() && chars[i].is_ascii_digit() {
                i += 1;
            }
            segs.push(strip_zeros(&chars[start..i].iter().collect::<String>()));
        } else if c.is_ascii_alphabetic() {
            let start = i;
            while i < chars.len() && chars[i].is_ascii_alphabetic() {
                i += 1;
            }
            let word: String = chars[start..i].iter().collect();
            if word.len() == 1 {
                segs.push(word.to_lowercase());
            } else if word.len() >= 3 && start > 0 && chars[start - 1] == ' ' && !segs.is_empty() {
                return None;
            } else if word.len() >= 3 && start > 0 && chars[start - 1] == ' ' {
                // A title after the id: `AC-2 Account Management`.
                notes.push(format!(
                    "ignored the words after the control id: \"{}\"",
                    rest.trim()
                ));
                return Some(segs);
            } else {
                return None;
            }
        } else {
            return None;
        }
    }
    Some(segs)
}

/// Reads one control identifier in any known form.
pub fn parse_control(text: &str) -> Option<Parsed> {
    let norm = normalize_text(text);
    let norm = norm.trim_end_matches([',', ';', ':']).trim();
    let norm = norm.strip_suffix('.').unwrap_or(norm).trim();
    if norm.is_empty() {
        return None;
    }
    let mut notes = Vec::new();

    // OSCAL ids: ac-2, ac-2.1, ac-2_smt.a, ac-2.1_smt.a.1, ac-2_obj.a-1.
    static OSCAL: OnceLock<Regex> = OnceLock::new();
    let oscal = re(
        &OSCAL,
        r"^([a-z]{2})-0*(\d{1,3})(?:\.0*(\d{1,3}))?(?:_([a-z]+)((?:\.[a-z0-9]+)*)(?:-\d+)?(?:_.*)?)?$",
    );
    if let Some(c) = oscal.captures(norm) {
        let fam = c[1].to_ascii_uppercase();
        if FAMILIES_800_53.contains(&fam.as_str()) {
            let part = match c.get(4).map(|m| m.as_str()) {
                Some("smt") | Some("obj") => c
                    .get(5)
                    .map(|m| {
                        m.as_str()
                            .split('.')
                            .filter(|s| !s.is_empty())
                            .map(|s| {
                                if s.chars().all(|x| x.is_ascii_digit()) {
                                    strip_zeros(s)
                                } else {
                                    s.to_string()
                                }
                            })
                            .collect()
                    })
                    .unwrap_or_default(),
                _ => Vec::new(),
            };
            return Some(Parsed {
                ids: vec![ControlId {
                    catalog: Catalog::Sp80053,
                    family: fam,
                    number: c[2].parse().ok()?,
                    enhancement: c.get(3).and_then(|m| m.as_str().parse().ok()),
                    part,
                }],
                notes,
            });
        }
    }

    // CMMC practices: AC.L2-3.1.1, IA-L2-3.5.1, AC.L2- 3.1.19, AC.L1-b.1.i, IR.L3-3.6.1e.
    static CMMC: OnceLock<Regex> = OnceLock::new();
    let cmmc = re(&CMMC, r"(?i)^([a-z]{2})\s*[.\-]\s*L\s*([123])\s*-\s*(.+)$");
    if let Some(c) = cmmc.captures(norm) {
        let domain = c[1].to_ascii_uppercase();
        let rest = c[3].trim();
        static L1: OnceLock<Regex> = OnceLock::new();
        let l1 = re(&L1, r"(?i)^b\.?1\.?([ivx]+)$");
        if let Some(l) = l1.captures(rest) {
            let roman = l[1].to_ascii_lowercase();
            let (_, reqs) = CMMC_L1.iter().find(|(r, _)| *r == roman)?;
            let ids = reqs
                .iter()
                .filter_map(|r| parse_control(r).map(|p| p.ids))
                .flatten()
                .collect();
            return Some(Parsed { ids, notes });
        }
        let inner = parse_control(rest)?;
        let id = inner.ids.into_iter().next()?;
        if !matches!(id.catalog, Catalog::Sp800171R2 | Catalog::Sp800172) {
            return None;
        }
        notes.extend(inner.notes);
        let fam: usize = id.family.parse().unwrap_or(0);
        if CMMC_DOMAINS.get(fam.wrapping_sub(1)) != Some(&domain.as_str()) {
            notes.push(format!(
                "CMMC domain {domain} does not match requirement {}; read as {}",
                id.canonical(),
                id.canonical()
            ));
        }
        return Some(Parsed {
            ids: vec![id],
            notes,
        });
    }

    // NIST SP 800-171: 3.1.1, 3.01.01, 03.01.01, 3.1.1[a], 3.6.1e.
    static SP171: OnceLock<Regex> = OnceLock::new();
    let sp171 = re(
        &SP171,
        r"^(0?3)\.(\d{1,2})\.(\d{1,2})(e)?(?:\s*\[([a-z])\])?$",
    );
    if let Some(c) = sp171.captures(norm) {
        let rev3 = &c[1] == "03";
        let fam: u16 = c[2].parse().ok()?;
        let num: u16 = c[3].parse().ok()?;
        let padded = c[2].starts_with('0') || c[3].starts_with('0');
        let catalog = if c.get(4).is_some() {
            Catalog::Sp800172
        } else if rev3 {
            Catalog::Sp800171R3
        } else {
            Catalog::Sp800171R2
        };
        let max_family = if rev3 { 17 } else { 14 };
        if fam == 0 || fam > max_family || num == 0 {
            return None;
        }
        if rev3 && (c[2].len() != 2 || c[3].len() != 2) {
            notes.push(format!(
                "read \"{norm}\" as SP 800-171 rev 3 (leading zero on 03)"
            ));
        } else if !rev3 && padded {
            notes.push(format!(
                "read zero-padded \"{norm}\" as SP 800-171 rev 2 requirement 3.{fam}.{num}"
            ));
        }
        return Some(Parsed {
            ids: vec![ControlId {
                catalog,
                family: fam.to_string(),
                number: num,
                enhancement: None,
                part: c
                    .get(5)
                    .map(|m| vec![m.as_str().to_string()])
                    .unwrap_or_default(),
            }],
            notes,
        });
    }

    // NIST SP 800-53 in all its spellings.
    static SP53: OnceLock<Regex> = OnceLock::new();
    let sp53 = re(&SP53, r"(?i)^([a-z]{2})\s*-?\s*0*(\d{1,3})(.*)$");
    let c = sp53.captures(norm)?;
    let fam = c[1].to_ascii_uppercase();
    if !FAMILIES_800_53.contains(&fam.as_str()) {
        return None;
    }
    let number: u16 = c[2].parse().ok()?;
    if number == 0 {
        return None;
    }
    let mut rest = c.get(3).map_or("", |m| m.as_str());
    let mut enhancement = None;
    static ENH_PAREN: OnceLock<Regex> = OnceLock::new();
    static ENH_DASH: OnceLock<Regex> = OnceLock::new();
    static ENH_DOT: OnceLock<Regex> = OnceLock::new();
    let paren = re(&ENH_PAREN, r"^\s*\(\s*0*(\d{1,3})\s*\)");
    let dash = re(&ENH_DASH, r"^-0*(\d{1,3})(?:$|[^\d])");
    let dot = re(&ENH_DOT, r"^\.0*(\d{1,3})(?:$|[^\d])");
    if let Some(m) = paren.captures(rest) {
        enhancement = m[1].parse().ok();
        rest = &rest[m.get(0)?.end()..];
    } else if let Some(m) = dash.captures(rest) {
        enhancement = m[1].parse().ok();
        rest = &rest[m.get(1)?.end()..];
    } else if let Some(m) = dot.captures(rest) {
        enhancement = m[1].parse().ok();
        rest = &rest[m.get(1)?.end()..];
        notes.push(format!(
            "read \"{norm}\" as enhancement {fam}-{number}({}) (OSCAL style); in old SP 800-53A it named an assessment procedure",
            enhancement.unwrap_or(0)
        ));
    }
    let part = parse_part(rest, &mut notes)?;
    Some(Parsed {
        ids: vec![ControlId {
            catalog: Catalog::Sp80053,
            family: fam,
            number,
            enhancement,
            part,
        }],
        notes,
    })
}

/// All controls of one cell.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ParsedControls {
    /// Canonical control-level ids, in order, without duplicates.
    pub controls: Vec<Text>,
    /// Canonical part-level references, in order, without duplicates.
    pub parts: Vec<Text>,
    /// Pieces that are not control ids, as written.
    pub unparsed: Vec<Text>,
    /// Assumptions made, for diagnostics.
    pub notes: Vec<String>,
}

fn push_unique(list: &mut Vec<Text>, value: Text) {
    if !list.contains(&value) {
        list.push(value);
    }
}

/// Splits a cell on commas, semicolons, new lines and the word `and`.
fn split_cell(text: &str) -> Vec<String> {
    static AND: OnceLock<Regex> = OnceLock::new();
    let and = re(&AND, r"(?i)\s+(?:and|&)\s+");
    let mut out = Vec::new();
    for piece in text.split([',', ';', '\n', '\r']) {
        for sub in and.split(piece) {
            let sub = sub.trim();
            if !sub.is_empty() {
                out.push(sub.to_string());
            }
        }
    }
    out
}

/// Reads every control id in a cell.
pub fn parse_controls(text: &str) -> ParsedControls {
    let mut out = ParsedControls::default();
    for token in split_cell(text) {
        let parsed = parse_control(&token).or_else(|| {
            // `AC-2 AC-3`: several ids separated by spaces only.
            let words: Vec<&str> = token.split_whitespace().collect();
            if words.len() < 2 {
                return None;
            }
            let mut all = Parsed {
                ids: Vec::new(),
                notes: Vec::new(),
            };
            for w in words {
                let p = parse_control(w)?;
                all.ids.extend(p.ids);
                all.notes.extend(p.notes);
            }
            Some(all)
        });
        match parsed {
            Some(p) => {
                for id in p.ids {
                    push_unique(&mut out.controls, id.canonical());
                    if !id.part.is_empty() {
                        push_unique(&mut out.parts, id.canonical_with_part());
                    }
                }
                out.notes.extend(p.notes);
            }
            None => push_unique(&mut out.unparsed, token.into()),
        }
    }
    out
}

/// The list to write back into a controls cell: each control, or its part
/// references where it has some, then unparsed text. Reading the list back
/// gives the same controls, parts and unparsed text.
pub fn controls_for_display(controls: &[Text], parts: &[Text], unparsed: &[Text]) -> Vec<Text> {
    let mut out = Vec::new();
    for control in controls {
        let mine: Vec<&Text> = parts
            .iter()
            .filter(|p| {
                parse_control(p)
                    .and_then(|x| x.ids.into_iter().next())
                    .is_some_and(|id| id.canonical() == *control)
            })
            .collect();
        if mine.is_empty() {
            out.push(control.clone());
        } else {
            out.extend(mine.into_iter().cloned());
        }
    }
    out.extend(unparsed.iter().cloned());
    out
}

/// Whether a controls column's header says it holds assessment procedures
/// (eMASS's and C-PAT's `Controls / APs`).
pub fn names_procedures(header: &str) -> bool {
    let h = header.to_ascii_lowercase();
    h.contains("assessment procedure")
        || h.split(|c: char| !c.is_ascii_alphanumeric())
            .any(|w| w == "aps" || w == "ap")
}

/// An item's controls as a column that holds assessment procedures writes
/// them: each control with procedures read as those procedures (`CM-6.5`),
/// the others as [`controls_for_display`] gives them.
pub fn controls_with_procedures(
    controls: &[Text],
    parts: &[Text],
    unparsed: &[Text],
    procedures: &[Text],
) -> Vec<Text> {
    let mut out = Vec::new();
    for shown in controls_for_display(controls, parts, unparsed) {
        let mine: Vec<&Text> = procedures
            .iter()
            .filter(|p| parse_procedure(p).is_some_and(|(c, _)| c == shown))
            .collect();
        if mine.is_empty() {
            out.push(shown);
        } else {
            out.extend(mine.into_iter().cloned());
        }
    }
    out
}

/// An eMASS assessment procedure (`CM-6.5`, `sc-8(2).2`): its control's
/// canonical id and the procedure as eMASS writes it (`CM-6.5`, `SC-8(2).2`);
/// `None` for anything else (`CM-6`, `AC-2(1)`, `CM-6b`).
pub fn parse_procedure(text: &str) -> Option<(Text, Text)> {
    let text = text.trim();
    let (control, number) = text.rsplit_once('.')?;
    if number.is_empty() || !number.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    // The control: a family, a number, an optional enhancement; no part.
    let upper = control.to_ascii_uppercase();
    let (family, rest) = upper.split_once('-')?;
    if family.len() != 2 || !family.bytes().all(|b| b.is_ascii_uppercase()) {
        return None;
    }
    let (base, enhancement) = match rest.split_once('(') {
        Some((b, e)) => (b, Some(e.strip_suffix(')')?)),
        None => (rest, None),
    };
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    if !digits(base) || enhancement.is_some_and(|e| !digits(e)) {
        return None;
    }
    let id = parse_control(&upper)?.ids.into_iter().next()?.canonical();
    Some((
        id.clone(),
        crate::format_compact!("{id}.{}", number.trim_start_matches('0').max("0")),
    ))
}

/// DISA Control Correlation Identifiers (CCIs) written in a cell, each with
/// its place in the text, in order: `CCI-000366`, `CCI 366`, `cci-000366`,
/// `CCI_2110` all read as `CCI-000366` / `CCI-002110` (six digits).
pub fn find_ccis(text: &str) -> Vec<(std::ops::Range<usize>, Text)> {
    static FIND: OnceLock<Regex> = OnceLock::new();
    // Cheap test first: most cells hold no CCI.
    if !text
        .as_bytes()
        .windows(3)
        .any(|w| w.eq_ignore_ascii_case(b"cci"))
    {
        return Vec::new();
    }
    let find = re(&FIND, r"(?i)\bCCI[-_ :]?\s?0*(\d{1,6})\b");
    find.captures_iter(text)
        .filter_map(|c| {
            let whole = c.get(0)?;
            let digits = c.get(1)?.as_str();
            Some((whole.range(), format_compact!("CCI-{:0>6}", digits)))
        })
        .collect()
}

/// The text fields where STIG-based tools write CCIs (comments, source,
/// security checks): a CCI there is kept on the item and the text as written.
pub const CCI_TEXT_FIELDS: &[crate::Field] = &[
    crate::Field::Comments,
    crate::Field::SourceIdentifier,
    crate::Field::DetectorSource,
    crate::Field::IdentificationSourceDetails,
];

/// Whether every CCI of the item is written in one of the text fields a
/// target holds (`held`), so that a target without a CCI column loses none.
pub fn ccis_in_text(item: &crate::Item, held: impl Fn(crate::Field) -> bool) -> bool {
    if item.ccis.is_empty() {
        return true;
    }
    let written: Vec<Text> = CCI_TEXT_FIELDS
        .iter()
        .filter(|f| held(**f))
        .filter_map(|f| match item.get(*f) {
            crate::field::Value::Text(t) => Some(t),
            _ => None,
        })
        .flat_map(|t| find_ccis(&t).into_iter().map(|(_, c)| c))
        .collect();
    item.ccis.iter().all(|c| written.contains(c))
}

/// The text with the CCIs [`find_ccis`] found taken out (each replaced by a
/// space), and the CCIs; the text as it is when it names none.
pub fn take_ccis(text: &str) -> (std::borrow::Cow<'_, str>, Vec<Text>) {
    let found = find_ccis(text);
    if found.is_empty() {
        return (std::borrow::Cow::Borrowed(text), Vec::new());
    }
    let mut rest = String::with_capacity(text.len());
    let mut at = 0;
    let mut ccis = Vec::with_capacity(found.len());
    for (range, cci) in found {
        rest.push_str(&text[at..range.start]);
        rest.push(' ');
        at = range.end;
        if !ccis.contains(&cci) {
            ccis.push(cci);
        }
    }
    rest.push_str(&text[at..]);
    (std::borrow::Cow::Owned(rest), ccis)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ccis_are_found_in_any_spelling() {
        let found: Vec<Text> = find_ccis("CCI-000366; cci 2110, CCI_000381 and CCI-0003661x CCI-")
            .into_iter()
            .map(|(_, c)| c)
            .collect();
        assert_eq!(found, ["CCI-000366", "CCI-002110", "CCI-000381"]);
        let (rest, ccis) = take_ccis("CM-6, CCI-000366\nCCI-000366");
        assert_eq!(rest.trim(), "CM-6,  \n".trim());
        assert_eq!(ccis, ["CCI-000366"]);
        assert!(find_ccis("Accident 12").is_empty());
        assert!(find_ccis("ACCI-000366").is_empty());
    }

    #[test]
    fn assessment_procedures_are_told_from_enhancements_and_parts() {
        assert_eq!(
            parse_procedure("CM-6.5"),
            Some((Text::from("CM-6"), Text::from("CM-6.5")))
        );
        assert_eq!(
            parse_procedure("sc-8(2).2"),
            Some((Text::from("SC-8(2)"), Text::from("SC-8(2).2")))
        );
        assert_eq!(
            parse_procedure("IA-11.3"),
            Some((Text::from("IA-11"), Text::from("IA-11.3")))
        );
        for not in [
            "CM-6", "AC-2(1)", "CM-6b", "AC-2h.1", "3.1.1", "CM-6.", "CM-6.x",
        ] {
            assert_eq!(parse_procedure(not), None, "{not}");
        }
    }

    /// (input, controls, parts, unparsed count)
    const CASES: &[(&str, &[&str], &[&str], usize)] = &[
        // 800-53 base controls.
        ("AC-2", &["AC-2"], &[], 0),
        ("AC-02", &["AC-2"], &[], 0),
        ("ac-2", &["AC-2"], &[], 0),
        ("Ac-2", &["AC-2"], &[], 0),
        ("AC2", &["AC-2"], &[], 0),
        ("AC 2", &["AC-2"], &[], 0),
        ("AC-1", &["AC-1"], &[], 0),
        ("SC-13", &["SC-13"], &[], 0),
        ("SI-002", &["SI-2"], &[], 0),
        ("PT-1", &["PT-1"], &[], 0),
        ("SR-3", &["SR-3"], &[], 0),
        ("AC\u{2013}2", &["AC-2"], &[], 0),
        ("AC\u{2014}2", &["AC-2"], &[], 0),
        ("AC\u{00A0}-\u{00A0}2", &["AC-2"], &[], 0),
        ("\u{200B}AC-2\u{200B}", &["AC-2"], &[], 0),
        ("AC-2.", &["AC-2"], &[], 0),
        // Enhancements.
        ("AC-2(1)", &["AC-2(1)"], &[], 0),
        ("AC-2 (1)", &["AC-2(1)"], &[], 0),
        ("AC-02(01)", &["AC-2(1)"], &[], 0),
        ("AC 6 (5)", &["AC-6(5)"], &[], 0),
        ("CM2 (7)", &["CM-2(7)"], &[], 0),
        ("ac-2.1", &["AC-2(1)"], &[], 0),
        ("sc-7.4", &["SC-7(4)"], &[], 0),
        ("AC-2-1", &["AC-2(1)"], &[], 0),
        ("ac-02-01", &["AC-2(1)"], &[], 0),
        ("AC-6-1", &["AC-6(1)"], &[], 0),
        ("AC-2.1", &["AC-2(1)"], &[], 0),
        ("SC-7( 4 )", &["SC-7(4)"], &[], 0),
        ("AC\u{2013}2\u{00A0}(1)", &["AC-2(1)"], &[], 0),
        ("ac-02.01", &["AC-2(1)"], &[], 0),
        // Parts.
        ("CM-6b", &["CM-6"], &["CM-6b"], 0),
        ("CM-6 b", &["CM-6"], &["CM-6b"], 0),
        ("AC-2 a", &["AC-2"], &["AC-2a"], 0),
        ("AC-2(h)(1)", &["AC-2"], &["AC-2h.1"], 0),
        ("ac-2_smt.a", &["AC-2"], &["AC-2a"], 0),
        ("ac-2_smt.h.1", &["AC-2"], &["AC-2h.1"], 0),
        ("ac-1_smt.a.1.a", &["AC-1"], &["AC-1a.1(a)"], 0),
        ("sc-7.4_smt.a", &["SC-7(4)"], &["SC-7(4)(a)"], 0),
        ("ac-2_smt", &["AC-2"], &[], 0),
        ("ac-2_gdn", &["AC-2"], &[], 0),
        ("ac-2_obj.a-1", &["AC-2"], &["AC-2a"], 0),
        ("AC-02a.", &["AC-2"], &["AC-2a"], 0),
        ("AC-01a.01(a)", &["AC-1"], &["AC-1a.1(a)"], 0),
        ("AC-01a.[01]", &["AC-1"], &["AC-1a.1"], 0),
        ("SC-07(04)(a)", &["SC-7(4)"], &["SC-7(4)(a)"], 0),
        ("AC-2(1)(a)", &["AC-2(1)"], &["AC-2(1)(a)"], 0),
        ("AC-2 (5) (a)", &["AC-2(5)"], &["AC-2(5)(a)"], 0),
        ("AC-1 a 1 (a)", &["AC-1"], &["AC-1a.1(a)"], 0),
        ("AC-2a.1", &["AC-2"], &["AC-2a.1"], 0),
        ("AC-2 Account Management", &["AC-2"], &[], 0),
        // SP 800-171 and CMMC.
        ("3.1.1", &["3.1.1"], &[], 0),
        ("3.13.11", &["3.13.11"], &[], 0),
        ("3.01.01", &["3.1.1"], &[], 0),
        ("03.01.01", &["03.01.01"], &[], 0),
        ("03.17.03", &["03.17.03"], &[], 0),
        ("3.1.1[a]", &["3.1.1"], &["3.1.1[a]"], 0),
        ("AC.L2-3.1.1", &["3.1.1"], &[], 0),
        ("ac.l2-3.1.1", &["3.1.1"], &[], 0),
        ("AC.L2- 3.1.19", &["3.1.19"], &[], 0),
        ("IA-L2-3.5.1", &["3.5.1"], &[], 0),
        ("SC.L2-3.13.11", &["3.13.11"], &[], 0),
        ("PS.L2-3.9.2", &["3.9.2"], &[], 0),
        ("AC.L1-b.1.i", &["3.1.1"], &[], 0),
        ("AC.L1-B.1.I", &["3.1.1"], &[], 0),
        ("PE.L1-b.1.ix", &["3.10.3", "3.10.4", "3.10.5"], &[], 0),
        ("IR.L3-3.6.1e", &["3.6.1e"], &[], 0),
        ("AC.L1-3.1.1", &["3.1.1"], &[], 0),
        // Several in one cell.
        ("AC-2, AC-3", &["AC-2", "AC-3"], &[], 0),
        ("RA-5, SC-13, IR-3", &["RA-5", "SC-13", "IR-3"], &[], 0),
        ("AC-2; AC-3", &["AC-2", "AC-3"], &[], 0),
        ("AC-2\nAC-3", &["AC-2", "AC-3"], &[], 0),
        ("AC-2 and AC-3", &["AC-2", "AC-3"], &[], 0),
        ("AC-2 AND 3.1.1", &["AC-2", "3.1.1"], &[], 0),
        ("AC-2 AC-3", &["AC-2", "AC-3"], &[], 0),
        ("AC-2, AC-02", &["AC-2"], &[], 0),
        ("CM-6b, CM-6c", &["CM-6"], &["CM-6b", "CM-6c"], 0),
        ("AC-2(1), AC-2 (2)", &["AC-2(1)", "AC-2(2)"], &[], 0),
        // Not control ids: kept as raw text.
        ("TBD", &[], &[], 1),
        ("XY-1", &[], &[], 1),
        ("See SSP", &[], &[], 1),
        ("AC-2, Unknown thing", &["AC-2"], &[], 1),
        ("3.15.1", &[], &[], 1),
        ("AC-0", &[], &[], 1),
        ("", &[], &[], 0),
    ];

    #[test]
    fn table_of_forms() {
        assert!(CASES.len() >= 60);
        for (input, controls, parts, unparsed) in CASES {
            let got = parse_controls(input);
            assert_eq!(got.controls, *controls, "controls of {input:?}");
            assert_eq!(got.parts, *parts, "parts of {input:?}");
            assert_eq!(
                got.unparsed.len(),
                *unparsed,
                "unparsed of {input:?}: {:?}",
                got.unparsed
            );
        }
    }

    #[test]
    fn assumptions_are_noted() {
        assert!(!parse_controls("3.01.01").notes.is_empty());
        assert!(!parse_controls("AC-2.1").notes.is_empty());
        assert!(parse_controls("ac-2.1").notes.is_empty());
        assert!(parse_controls("AC-2(1)").notes.is_empty());
    }

    #[test]
    fn display_list_reads_back_the_same() {
        for (input, _, _, _) in CASES {
            let first = parse_controls(input);
            let shown = controls_for_display(&first.controls, &first.parts, &first.unparsed);
            let again = parse_controls(&shown.join(", "));
            assert_eq!(again.controls, first.controls, "{input:?}");
            assert_eq!(again.parts, first.parts, "{input:?}");
            assert_eq!(again.unparsed, first.unparsed, "{input:?}");
        }
    }
}

/// Finds control and requirement ids written inside prose, such as a NIST
/// SP 800-171 plan of action's weakness text ("3.1.1 Limit system access…",
/// "AC.L2-3.1.1: …", "per AC-2(1)").
pub fn find_in_text(text: &str) -> ParsedControls {
    static FIND: OnceLock<Regex> = OnceLock::new();
    let find = re(
        &FIND,
        r"(?i)\b(?:[a-z]{2}[.\-]L[123]\s?-\s?(?:3\.\d{1,2}\.\d{1,2}e?|b\.1\.[ivx]+)|0?3\.\d{1,2}\.\d{1,2}e?|(?:AC|AT|AU|CA|CM|CP|IA|IR|MA|MP|PE|PL|PM|PS|PT|RA|SA|SC|SI|SR)-\d{1,2}(?:\s?\(\d{1,2}\))?)",
    );
    let mut out = ParsedControls::default();
    for m in find.find_iter(text) {
        // The id must end where a word ends (`3.1.1`, not `3.1.1x`).
        if text[m.end()..]
            .chars()
            .next()
            .is_some_and(|c| c.is_alphanumeric())
        {
            continue;
        }
        if let Some(p) = parse_control(m.as_str()) {
            for id in p.ids {
                push_unique(&mut out.controls, id.canonical());
            }
            out.notes.extend(p.notes);
        }
    }
    out
}

#[cfg(test)]
mod find_tests {
    use super::*;

    #[test]
    fn ids_in_prose() {
        let got = find_in_text(
            "3.1.1 Limit system access; also AC.L2-3.1.2 and per AC-2(1). Version 3.10 is not one.",
        );
        assert_eq!(got.controls, vec!["3.1.1", "3.1.2", "AC-2(1)"]);
        assert!(find_in_text("No ids here, just 2024-05-01.")
            .controls
            .is_empty());
    }
}
