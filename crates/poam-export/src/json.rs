//! The model as JSON.

use crate::{ExportError, Written};
use poam_model::{Item, Poam, SystemInfo};
use std::io::Write;

/// Writes the model as pretty-printed JSON (the documented public contract).
///
/// # Errors
///
/// [`ExportError::Json`] if serialization fails (it does not for valid models).
pub fn write_json(poam: &Poam) -> Result<Written, ExportError> {
    let mut bytes = Vec::new();
    write_json_to(poam, &mut bytes)?;
    Ok(Written {
        bytes,
        diagnostics: Vec::new(),
    })
}

/// Streams the model as pretty-printed JSON to `out` (a large POA&M never
/// sits in memory twice).
///
/// # Errors
///
/// [`ExportError::Json`] when writing fails.
pub fn write_json_to(poam: &Poam, out: &mut impl std::io::Write) -> Result<(), ExportError> {
    let mut stream = JsonStream::new(out, &poam.system)?;
    for item in &poam.items {
        stream.push(item)?;
    }
    stream.finish()
}

/// The model's JSON written item by item, byte for byte what serde_json's
/// pretty printer makes of the whole model: the system, then each item
/// indented into the `items` array as it comes.
pub struct JsonStream<W: std::io::Write> {
    out: std::io::BufWriter<W>,
    items: usize,
}

fn io(e: std::io::Error) -> ExportError {
    ExportError::Json(serde_json::Error::io(e))
}

impl<W: std::io::Write> JsonStream<W> {
    /// Starts the document with the system's fields.
    ///
    /// # Errors
    ///
    /// [`ExportError::Json`] when writing fails.
    pub fn new(out: W, system: &SystemInfo) -> Result<Self, ExportError> {
        let mut stream = JsonStream {
            out: std::io::BufWriter::new(out),
            items: 0,
        };
        stream.out.write_all(b"{\n  \"system\": ").map_err(io)?;
        stream.nested(system, 1)?;
        stream.out.write_all(b",\n  \"items\": [").map_err(io)?;
        Ok(stream)
    }

    /// Writes a value pretty-printed as if `depth` levels down: serde's
    /// pretty printer is first walked `depth` arrays in (writing nowhere),
    /// so that its own indentation is the nesting's.
    fn nested(&mut self, value: &impl serde::Serialize, depth: usize) -> Result<(), ExportError> {
        use serde_json::ser::Formatter;
        let mut formatter = serde_json::ser::PrettyFormatter::new();
        for _ in 0..depth {
            formatter.begin_array(&mut std::io::sink()).map_err(io)?;
        }
        let mut serializer = serde_json::Serializer::with_formatter(&mut self.out, formatter);
        value.serialize(&mut serializer)?;
        Ok(())
    }

    /// Adds an item to the array.
    ///
    /// # Errors
    ///
    /// [`ExportError::Json`] when writing fails.
    pub fn push(&mut self, item: &Item) -> Result<(), ExportError> {
        let sep: &[u8] = if self.items == 0 {
            b"\n    "
        } else {
            b",\n    "
        };
        self.out.write_all(sep).map_err(io)?;
        self.nested(item, 2)?;
        self.items += 1;
        Ok(())
    }

    /// Closes the array and the document, and flushes.
    ///
    /// # Errors
    ///
    /// [`ExportError::Json`] when writing fails.
    pub fn finish(mut self) -> Result<(), ExportError> {
        let end: &[u8] = if self.items == 0 {
            b"]\n}\n"
        } else {
            b"\n  ]\n}\n"
        };
        self.out.write_all(end).map_err(io)?;
        self.out.flush().map_err(io)?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn streamed_json_is_what_serde_makes_of_the_whole_model() {
        let mut poam = Poam::default();
        poam.system.name = Some("Line one\nline two \"quoted\"".into());
        let mut whole = Vec::new();
        let check = |poam: &Poam, whole: &mut Vec<u8>| {
            whole.clear();
            serde_json::to_writer_pretty(&mut *whole, poam).unwrap();
            whole.push(b'\n');
            let mut streamed = Vec::new();
            write_json_to(poam, &mut streamed).unwrap();
            assert_eq!(
                String::from_utf8_lossy(&streamed),
                String::from_utf8_lossy(whole)
            );
        };
        check(&poam, &mut whole);
        for k in 0..3 {
            let mut item = Item {
                id: Some(format!("V-{k}").into()),
                weakness_description: Some("a\nb".into()),
                controls: vec!["AC-2".into()],
                ..Item::default()
            };
            item.extra.insert("Note".into(), "x".into());
            poam.items.push(item);
            check(&poam, &mut whole);
        }
    }
}
