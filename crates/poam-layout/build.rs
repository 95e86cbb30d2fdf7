//! Lists the built-in layouts: every TOML file under `templates/` that has a
//! top-level `family` key. A new template version is a new file there; no
//! list in the code names it.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

fn main() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../templates");
    println!("cargo:rerun-if-changed={}", root.display());
    let mut files = Vec::new();
    collect(&root, &mut files);
    files.sort();
    let mut out = String::from("/// The built-in layout files: name under `templates/`, text.\nconst BUILTIN: &[(&str, &str)] = &[\n");
    for path in files {
        let text = std::fs::read_to_string(&path).expect("readable template");
        if !text.lines().any(|l| {
            l.split('=').next().is_some_and(|k| k.trim() == "family") && !l.starts_with(' ')
        }) {
            continue;
        }
        let rel = path.strip_prefix(&root).expect("under templates");
        let rel = rel.to_string_lossy().replace('\\', "/");
        let abs = path.canonicalize().expect("template path");
        writeln!(
            out,
            "    ({rel:?}, include_str!({:?})),",
            abs.to_string_lossy()
        )
        .unwrap();
    }
    out.push_str("];\n");
    let dest = PathBuf::from(std::env::var("OUT_DIR").expect("OUT_DIR")).join("builtin_layouts.rs");
    std::fs::write(dest, out).expect("write builtin_layouts.rs");
}

fn collect(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("templates/ is listable") {
        let path = entry.expect("templates/ entry").path();
        if path.is_dir() {
            collect(&path, out);
        } else if path.extension().is_some_and(|e| e == "toml") {
            out.push(path);
        }
    }
}
