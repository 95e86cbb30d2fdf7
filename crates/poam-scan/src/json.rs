//! What the JSON readers share: text and lists of a JSON value, the common
//! severity words, the assets of a scan by name, and reading the file.

use crate::{Asset, Scan, ScanError, ScanNote, Severity};
use serde_json::Value;

/// A JSON document, or the line and reason it is not one.
pub(crate) fn parse(file: &str, text: &str) -> Result<Value, ScanError> {
    serde_json::from_str(text.trim_start_matches('\u{feff}')).map_err(|e| ScanError::Broken {
        file: file.to_string(),
        position: format!("line {}", e.line()),
        reason: format!("not readable JSON ({e})"),
    })
}

pub(crate) fn s<'a>(v: &'a Value, key: &str) -> Option<&'a str> {
    v.get(key)
        .and_then(Value::as_str)
        .filter(|t| !t.trim().is_empty())
}

pub(crate) fn arr<'a>(v: &'a Value, key: &str) -> &'a [Value] {
    v.get(key)
        .and_then(Value::as_array)
        .map_or(&[], Vec::as_slice)
}

/// A scanner's severity word; Unknown is read as Medium and counted.
pub(crate) fn severity(word: &str, unknown: &mut usize) -> Severity {
    match word.trim().to_ascii_lowercase().as_str() {
        "critical" => Severity::Critical,
        "high" => Severity::High,
        "medium" | "moderate" => Severity::Medium,
        "low" | "negligible" => Severity::Low,
        _ => {
            *unknown += 1;
            Severity::Medium
        }
    }
}

pub(crate) fn asset_index(scan: &mut Scan, name: &str) -> usize {
    match scan.assets.iter().position(|a| a.name == name) {
        Some(n) => n,
        None => {
            scan.assets.push(Asset {
                name: name.to_string(),
                ..Asset::default()
            });
            scan.assets.len() - 1
        }
    }
}

pub(crate) fn unknown_note(scan: &mut Scan, unknown: usize) {
    if unknown > 0 {
        scan.notes.push(ScanNote {
            position: "the whole file".into(),
            message: format!("{unknown} finding(s) of unknown severity, read as Medium: rate them"),
        });
    }
}

/// Hands each element of a JSON file's list to `f` as it is read, the file
/// streamed (one element in memory at a time): a top-level array, or the
/// array under one of `keys` of a top-level object (its other keys
/// skipped), or one object per line (newline-delimited JSON). With
/// `single`, an object without any of `keys` is itself the one element.
/// Gives how many elements were read.
pub(crate) fn stream_list(
    file: &str,
    path: &std::path::Path,
    keys: &[&str],
    single: bool,
    f: &mut dyn FnMut(usize, Value),
) -> Result<usize, ScanError> {
    use serde::de::{DeserializeSeed, IgnoredAny, MapAccess, SeqAccess, Visitor};
    use std::io::BufRead;

    struct Each<'f> {
        f: &'f mut dyn FnMut(usize, Value),
        count: usize,
    }
    impl<'de> Visitor<'de> for &mut Each<'_> {
        type Value = ();
        fn expecting(&self, out: &mut std::fmt::Formatter) -> std::fmt::Result {
            out.write_str("a list")
        }
        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
            while let Some(v) = seq.next_element::<Value>()? {
                (self.f)(self.count, v);
                self.count += 1;
            }
            Ok(())
        }
    }
    impl<'de> DeserializeSeed<'de> for &mut Each<'_> {
        type Value = ();
        fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
            d.deserialize_seq(self)
        }
    }
    /// The document's top: a list, or an object holding one.
    struct Top<'a, 'f> {
        keys: &'a [&'a str],
        each: Each<'f>,
        listed: bool,
    }
    impl<'de> Visitor<'de> for &mut Top<'_, '_> {
        type Value = ();
        fn expecting(&self, out: &mut std::fmt::Formatter) -> std::fmt::Result {
            out.write_str("a list or an object")
        }
        fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<(), A::Error> {
            self.listed = true;
            (&mut self.each).visit_seq(seq)
        }
        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
            while let Some(key) = map.next_key::<String>()? {
                if self.keys.contains(&key.as_str()) && !self.listed {
                    self.listed = true;
                    map.next_value_seed(&mut self.each)?;
                } else {
                    map.next_value::<IgnoredAny>()?;
                }
            }
            Ok(())
        }
    }
    let io = |source| ScanError::Io {
        file: file.to_string(),
        source,
    };
    let open = || -> Result<std::io::BufReader<std::fs::File>, ScanError> {
        let mut r = std::io::BufReader::new(std::fs::File::open(path).map_err(io)?);
        // A byte order mark is not JSON.
        if r.fill_buf().map_err(io)?.starts_with(b"\xef\xbb\xbf") {
            r.consume(3);
        }
        Ok(r)
    };
    let broken = |e: serde_json::Error| ScanError::Broken {
        file: file.to_string(),
        position: format!("line {}", e.line()),
        reason: format!("not readable JSON ({e})"),
    };
    let mut top = Top {
        keys,
        each: Each { f, count: 0 },
        listed: false,
    };
    let mut de = serde_json::Deserializer::from_reader(open()?);
    let first = serde::Deserializer::deserialize_any(&mut de, &mut top).and_then(|()| de.end());
    match first {
        Ok(()) if top.listed => Ok(top.each.count),
        Ok(()) if single => {
            // One object, itself the element.
            let doc: Value = serde_json::from_reader(open()?).map_err(broken)?;
            (top.each.f)(0, doc);
            Ok(1)
        }
        Ok(()) => Ok(0),
        Err(e) if !top.listed && top.each.count == 0 && e.is_syntax() => {
            // More than one document: one object per line.
            let mut n = 0;
            for (k, line) in open()?.lines().enumerate() {
                let line = line.map_err(io)?;
                if line.trim().is_empty() {
                    continue;
                }
                let v: Value = serde_json::from_str(&line).map_err(|e2| ScanError::Broken {
                    file: file.to_string(),
                    position: format!("line {}", k + 1),
                    reason: format!(
                        "not readable JSON, as a document ({e}) or one finding per line ({e2})"
                    ),
                })?;
                (top.each.f)(n, v);
                n += 1;
            }
            Ok(n)
        }
        Err(e) => Err(broken(e)),
    }
}
