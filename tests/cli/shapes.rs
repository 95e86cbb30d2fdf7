//! The fixtures in the shapes people's files take (`fixtures/shapes/`, made
//! by `poam_fixtures::shapes`): each reads as a person reads it.

use crate::{poam, root};
use serde_json::Value;

#[test]
fn every_shape_reads_as_a_person_reads_it() {
    let mut failures = Vec::new();
    for shape in poam_fixtures::shapes::all().unwrap() {
        let path = root().join("fixtures/shapes").join(shape.file);
        let e = &shape.expect;
        let out = poam()
            .arg("convert")
            .arg(&path)
            .args(["--to", "json"])
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
        let mut fail =
            |what: String| failures.push(format!("{} ({}): {what}", shape.file, shape.what));
        if let Some(words) = e.refused {
            if out.status.success() || !stderr.contains(words) || !stderr.contains(shape.file) {
                fail(format!(
                    "should be refused naming the file and {words:?}; said {stderr:?}"
                ));
            }
            continue;
        }
        if !out.status.success() {
            fail(format!("refused: {stderr}"));
            continue;
        }
        let m: Value = serde_json::from_slice(&out.stdout).unwrap();
        let items = m["items"].as_array().unwrap();
        let closed = items.iter().filter(|i| i["state"] == "closed").count();
        // `usize::MAX`: whatever the file's statuses say.
        let want_closed = if e.closed == usize::MAX {
            closed
        } else {
            e.closed
        };
        if (items.len(), closed) != (e.items, want_closed) {
            fail(format!(
                "{} items ({closed} closed), expected {} ({} closed)",
                items.len(),
                e.items,
                e.closed
            ));
        }
        for (i, pointer, want) in &e.values {
            let want: Value = serde_json::from_str(want).unwrap();
            let got = items.get(*i).and_then(|it| it.pointer(pointer));
            if got != Some(&want) {
                fail(format!("item {i} {pointer} is {got:?}, expected {want}"));
            }
        }
        for (pointer, want) in &e.system {
            let want: Value = serde_json::from_str(want).unwrap();
            let got = m["system"].pointer(pointer);
            if got != Some(&want) {
                fail(format!("system {pointer} is {got:?}, expected {want}"));
            }
        }
        let out = poam()
            .args(["inspect", "--format", "json"])
            .arg(&path)
            .output()
            .unwrap();
        let v: Value = serde_json::from_slice(&out.stdout).unwrap();
        let diags = v["diagnostics"].as_array().unwrap();
        let skipped = diags.iter().filter(|d| d["kind"] == "skipped-row").count();
        if skipped != e.skipped {
            fail(format!(
                "{skipped} rows reported not read, expected {}",
                e.skipped
            ));
        }
        for kind in &e.diagnostics {
            if !diags.iter().any(|d| d["kind"] == *kind) {
                fail(format!("no {kind} diagnostic"));
            }
        }
    }
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
}
