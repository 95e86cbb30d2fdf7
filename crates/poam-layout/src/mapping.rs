//! Legacy trackers: header synonyms (`templates/synonyms.toml`) and user
//! mapping files that say which header goes to which field.
//!
//! A mapping file is TOML:
//!
//! ```toml
//! # Which header goes to which field ("extra" keeps the column by its header).
//! [columns]
//! "Finding #" = "id"
//! "Finding Title" = "weakness_name"
//! "Due" = "scheduled_completion"
//! "Internal notes" = "extra"
//!
//! # Optional: which sheets to read, where their header is, what they hold.
//! [[sheets]]
//! name = "Open Findings"
//! header_row = 4        # 1-based; found from the headers when absent
//! role = "open"         # open, closed or configuration
//! ```

use crate::{normalize_header, LayoutError, SheetRole};
use poam_model::Field;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};
use std::sync::OnceLock;

/// Squeezes a header for synonym matching: lower case, letters and digits
/// only, `#` read as "number" (`Finding #` is `Finding Number`, not
/// `Finding`).
pub fn squash(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if c == '#' {
            out.push_str("number");
        } else if c.is_alphanumeric() {
            out.extend(c.to_lowercase());
        }
    }
    out
}

/// The text without parenthesized parts (`Due Date (MM/DD/YYYY)` →
/// `Due Date`).
pub fn without_parens(text: &str) -> String {
    let mut out = String::new();
    let mut depth = 0usize;
    for c in text.chars() {
        match c {
            '(' | '[' => depth += 1,
            ')' | ']' => depth = depth.saturating_sub(1),
            _ if depth == 0 => out.push(c),
            _ => {}
        }
    }
    out.trim().to_string()
}

/// Whether two texts differ by one inserted, deleted or replaced character.
fn one_edit(a: &str, b: &str) -> bool {
    let (a, b): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
    let (short, long) = if a.len() <= b.len() {
        (&a, &b)
    } else {
        (&b, &a)
    };
    if long.len() - short.len() > 1 || a == b {
        return false;
    }
    let prefix = short
        .iter()
        .zip(long.iter())
        .take_while(|(x, y)| x == y)
        .count();
    if short.len() == long.len() {
        short[prefix + 1..] == long[prefix + 1..]
    } else {
        short[prefix..] == long[prefix + 1..]
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SynonymsFile {
    fields: BTreeMap<String, Vec<String>>,
}

/// How a header matched a synonym.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HeaderMatch {
    /// The synonym, but for case, spaces and punctuation.
    Exact,
    /// The synonym once a value hint in parentheses is dropped (the bare text).
    WithoutHint(String),
    /// Its last words are a synonym (those words).
    LastWords(String),
    /// One typo away from a synonym.
    Typo,
}

/// Header synonyms: squashed header text → field.
#[derive(Debug, Clone, Default)]
pub struct Synonyms {
    by_header: HashMap<String, Field>,
    /// Each synonym's place in its field's list: when two columns name one
    /// field, the one listed first wins ("POA&M ID" before "Weakness ID").
    rank: HashMap<String, usize>,
}

impl Synonyms {
    /// Parses a synonyms file.
    ///
    /// # Errors
    ///
    /// [`LayoutError::Toml`] for malformed TOML, [`LayoutError::UnknownField`]
    /// for a field the model lacks.
    pub fn from_toml(name: &str, text: &str) -> Result<Synonyms, LayoutError> {
        let file: SynonymsFile =
            toml::from_str(text).map_err(|e| LayoutError::toml(name, text, e))?;
        let mut by_header = HashMap::new();
        let mut rank = HashMap::new();
        for (field, headers) in file.fields {
            let f = Field::from_name(&field).ok_or_else(|| LayoutError::UnknownField {
                name: name.to_string(),
                line: crate::line_of(text, &format!("{field} =")),
                header: headers.first().cloned().unwrap_or_default(),
                field: field.clone(),
            })?;
            for (i, h) in headers.iter().enumerate() {
                by_header.entry(squash(h)).or_insert(f);
                rank.entry(squash(h)).or_insert(i);
            }
        }
        Ok(Synonyms { by_header, rank })
    }

    /// The field a header is a synonym of, read as a person reads it: case,
    /// spaces and punctuation ignored (`planned_remediation`); then without a
    /// value hint in parentheses (`Status (Ongoing or Complete)`); then by its
    /// last words (`POAM Status`, `Allocated Control`); then with one typo in
    /// a long header (`Remediaton Plan`).
    pub fn field(&self, header: &str) -> Option<Field> {
        self.match_header(header).map(|(f, _)| f)
    }

    /// Where a header stands among its field's synonyms (lower is preferred);
    /// headers matched otherwise than exactly come after every exact one.
    pub fn rank(&self, header: &str) -> usize {
        let key = squash(header);
        self.rank
            .get(&key)
            .or_else(|| self.rank.get(&squash(&without_parens(header))))
            .copied()
            .unwrap_or(usize::MAX / 2)
    }

    /// How a header matched its field, for `inspect`: `None` for an exact
    /// synonym, else a few words (`by its last words: "Item Status"`).
    pub fn how(&self, header: &str) -> Option<String> {
        match self.match_header(header)?.1 {
            HeaderMatch::Exact => None,
            HeaderMatch::WithoutHint(bare) => {
                Some(format!("without the hint in parentheses: \"{bare}\""))
            }
            HeaderMatch::LastWords(words) => Some(format!("by its last words: \"{words}\"")),
            HeaderMatch::Typo => Some("through one typo".to_string()),
        }
    }

    /// Whether a header is one of the synonyms (but for case, punctuation and
    /// a value hint in parentheses): only such headers count towards taking a
    /// table for a POA&M.
    pub fn is_exact(&self, header: &str) -> bool {
        self.match_header(header)
            .is_some_and(|(_, m)| matches!(m, HeaderMatch::Exact | HeaderMatch::WithoutHint(_)))
    }

    /// The field a header is a synonym of, and how it matched.
    pub fn match_header(&self, header: &str) -> Option<(Field, HeaderMatch)> {
        let key = squash(header);
        if let Some(f) = self.by_header.get(&key) {
            return Some((*f, HeaderMatch::Exact));
        }
        let bare = without_parens(header);
        if let Some(f) = self.by_header.get(&squash(&bare)) {
            return Some((*f, HeaderMatch::WithoutHint(bare)));
        }
        let words: Vec<&str> = bare
            .split(|c: char| !c.is_alphanumeric())
            .filter(|w| !w.is_empty())
            .collect();
        for start in 1..words.len() {
            let tail = words[start..].concat().to_lowercase();
            if tail.len() >= 4 {
                if let Some(f) = self.by_header.get(&tail) {
                    return Some((*f, HeaderMatch::LastWords(words[start..].join(" "))));
                }
            }
        }
        if key.len() >= 8 {
            let mut near = self
                .by_header
                .iter()
                .filter(|(h, _)| h.len() + 1 >= key.len() && h.len() <= key.len() + 1)
                .filter(|(h, _)| one_edit(h, &key))
                .map(|(_, f)| *f);
            let first = near.next()?;
            return near
                .all(|f| f == first)
                .then_some((first, HeaderMatch::Typo));
        }
        None
    }
}

/// The synonyms compiled into poamkit.
pub fn synonyms() -> &'static Synonyms {
    static SYN: OnceLock<Synonyms> = OnceLock::new();
    SYN.get_or_init(|| {
        Synonyms::from_toml(
            "synonyms.toml",
            include_str!("../../../templates/synonyms.toml"),
        )
        .unwrap_or_else(|e| panic!("{e}"))
    })
}

/// One sheet of a mapping file.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct MappingSheet {
    /// The sheet name.
    pub name: String,
    /// 1-based header row; found from the headers when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub header_row: Option<u32>,
    /// What the sheet holds; from its name when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<SheetRole>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct MappingFile {
    columns: BTreeMap<String, String>,
    #[serde(default)]
    sheets: Vec<MappingSheet>,
}

/// A user's mapping of a tracker's headers to fields.
#[derive(Debug, Clone, Default)]
pub struct Mapping {
    /// Normalized header → field (`None`: keep in `extra`).
    columns: BTreeMap<String, Option<Field>>,
    /// Headers as written, with their field names, for display.
    pub written: Vec<(String, String)>,
    /// Sheets to read; every sheet with a header row when empty.
    pub sheets: Vec<MappingSheet>,
}

impl Mapping {
    /// Parses a mapping file.
    ///
    /// # Errors
    ///
    /// [`LayoutError::Toml`] for malformed TOML or unknown keys,
    /// [`LayoutError::UnknownField`] for a field name the model lacks.
    pub fn from_toml(name: &str, text: &str) -> Result<Mapping, LayoutError> {
        let file: MappingFile =
            toml::from_str(text).map_err(|e| LayoutError::toml(name, text, e))?;
        let mut columns = BTreeMap::new();
        let mut written = Vec::new();
        for (header, field) in file.columns {
            let f = if field == "extra" {
                None
            } else {
                Some(
                    Field::from_name(&field).ok_or_else(|| LayoutError::UnknownField {
                        name: name.to_string(),
                        line: crate::line_of(text, &format!("\"{header}\"")),
                        header: header.clone(),
                        field: field.clone(),
                    })?,
                )
            };
            columns.insert(normalize_header(&header), f);
            written.push((header, field));
        }
        Ok(Mapping {
            columns,
            written,
            sheets: file.sheets,
        })
    }

    /// The field of a header: `Some(Some(f))`, `Some(None)` for a column kept
    /// in `extra`, `None` for a header the mapping does not name.
    pub fn resolve(&self, header: &str) -> Option<Option<Field>> {
        self.columns.get(&normalize_header(header)).copied()
    }

    /// Number of headers the mapping names.
    pub fn len(&self) -> usize {
        self.columns.len()
    }

    /// Whether the mapping names no header.
    pub fn is_empty(&self) -> bool {
        self.columns.is_empty()
    }
}

fn quote(text: &str) -> String {
    toml::Value::String(text.to_string()).to_string()
}

/// Writes a mapping file: columns (header → field name or `extra`) and sheets
/// (name, 1-based header row, role), with comments a person can follow.
pub fn mapping_toml(
    source: &str,
    columns: &[(String, Option<String>)],
    sheets: &[(String, u32, SheetRole)],
) -> String {
    let mut out = String::new();
    out.push_str(&format!(
        "# poamkit mapping written by `poam inspect --emit-mapping` from {source}.\n\
         # Edit the field names, then use it with `poam convert FILE --mapping THIS.toml`.\n\
         # Fields: see docs/model.md (`risk.original`, `scheduled_completion`...);\n\
         # \"extra\" keeps a column in each item's extra, under its header.\n\n[columns]\n"
    ));
    let mut seen = std::collections::BTreeSet::new();
    for (header, field) in columns {
        if !seen.insert(normalize_header(header)) {
            continue;
        }
        out.push_str(&format!(
            "{} = {}\n",
            quote(header),
            quote(field.as_deref().unwrap_or("extra"))
        ));
    }
    for (name, row, role) in sheets {
        let role = match role {
            SheetRole::Open => "open",
            SheetRole::Closed => "closed",
            SheetRole::Configuration => "configuration",
        };
        out.push_str(&format!(
            "\n[[sheets]]\nname = {}\nheader_row = {row}\nrole = {}\n",
            quote(name),
            quote(role)
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn headers_match_as_a_person_reads_them() {
        let syn = synonyms();
        for (header, field, how) in [
            ("planned_remediation", "remediation_plan", None),
            (
                "Status (Ongoing or Complete)",
                "status",
                Some("without the hint"),
            ),
            ("POAM Item Status", "status", Some("by its last words")),
            ("Allocated Control", "controls", None),
            (
                "Remediaton Plan",
                "remediation_plan",
                Some("through one typo"),
            ),
        ] {
            assert_eq!(syn.field(header).map(|f| f.name()), Some(field), "{header}");
            match how {
                None => assert_eq!(syn.how(header), None, "{header}"),
                Some(h) => assert!(syn.how(header).unwrap().starts_with(h), "{header}"),
            }
        }
        // Only exact matches count towards reading a table on its own.
        assert!(!syn.is_exact("POAM Item Status"));
        assert!(syn.is_exact("Status (Ongoing or Complete)"));
        assert_eq!(syn.field("Control Family"), None);
        assert_eq!(syn.field("Threat Actor"), None);
        // eMASS's rating columns, which home-grown DoD trackers copy.
        assert_eq!(
            syn.field("Likelihood").map(|f| f.name()),
            Some("emass.likelihood")
        );
    }

    use super::*;

    #[test]
    fn synonyms_match_loosely() {
        let s = synonyms();
        assert_eq!(s.field("Security Control(s)"), Some(Field::Controls));
        assert_eq!(s.field("est. completion"), Some(Field::ScheduledCompletion));
        assert_eq!(s.field(" ECD "), Some(Field::ScheduledCompletion));
        assert_eq!(s.field("Found On"), Some(Field::DetectedOn));
        assert_eq!(s.field("Criticality"), Some(Field::RiskOriginal));
        assert_eq!(s.field("Assigned To"), Some(Field::PointOfContact));
        assert_eq!(s.field("Finding Title"), Some(Field::WeaknessName));
        assert_eq!(s.field("Budget line"), None);
    }

    #[test]
    fn mapping_round_trips_through_its_own_toml() {
        let text = mapping_toml(
            "unit.xlsx",
            &[
                ("Finding #".into(), Some("id".into())),
                ("Due".into(), Some("scheduled_completion".into())),
                ("Notes \"internal\"".into(), None),
            ],
            &[("Open Findings".into(), 4, SheetRole::Open)],
        );
        let m = Mapping::from_toml("m.toml", &text).unwrap();
        assert_eq!(m.resolve("finding #"), Some(Some(Field::Id)));
        assert_eq!(m.resolve("Notes \"internal\""), Some(None));
        assert_eq!(m.resolve("Other"), None);
        assert_eq!(m.sheets[0].header_row, Some(4));
        assert!(Mapping::from_toml("m.toml", "[columns]\n\"A\" = \"nope\"\n").is_err());
    }
}
