//! Golden tests: what `poam` reads from every fixture, and what its checking
//! commands say, compared with the files committed under `tests/golden/`.
//!
//! For every fixture `fixtures/<dir>/<file>` the folder
//! `tests/golden/<dir>/<file>/` holds `model.json` (`convert --to json`),
//! `inspect.txt` (`inspect`), `diagnostics.json` (the diagnostics of
//! `inspect --format json`) and `validate.txt` (`validate`, on a fixed day);
//! `score`, `link` and `diff` output (`.txt`, and `.md` for some) where
//! those commands apply.
//! `POAM_BLESS=1 cargo test` writes them anew; review the change with
//! `git diff tests/golden` before committing it.

use super::{poam, root};
use std::path::{Path, PathBuf};

/// The day the checking commands judge on, so that goldens do not age.
const AS_OF: &str = "2025-01-31";

fn blessing() -> bool {
    std::env::var_os("POAM_BLESS").is_some_and(|v| !v.is_empty() && v != "0")
}

/// Every POA&M fixture, as a path relative to the repository root. The SSPs
/// under `fixtures/ssp/` (Word) are inputs of `link`, not POA&Ms.
fn fixtures() -> Vec<String> {
    let mut out = Vec::new();
    let mut dirs = vec![root().join("fixtures")];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                dirs.push(path);
                continue;
            }
            let rel = path
                .strip_prefix(root())
                .unwrap()
                .to_string_lossy()
                .replace('\\', "/");
            let ssp = rel.starts_with("fixtures/ssp/") && rel.ends_with(".docx");
            // Files poam must refuse (tests/cli/shapes.rs checks their message).
            let refused = rel.contains("/refused/");
            if !ssp && !refused {
                out.push(rel);
            }
        }
    }
    out.sort();
    out
}

fn golden_dir(fixture: &str) -> PathBuf {
    root()
        .join("tests/golden")
        .join(fixture.strip_prefix("fixtures/").unwrap_or(fixture))
}

/// What a user runs: stdout of `poam ARGS`, whatever the exit code, with the
/// machine's own paths taken out.
fn run(args: &[&str]) -> String {
    let out = poam().args(args).output().expect("run poam");
    assert!(
        out.status.code().is_some_and(|c| c <= 1),
        "poam {}: exit {:?}\n{}",
        args.join(" "),
        out.status.code(),
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).expect("UTF-8 output");
    text.replace(
        &root().canonicalize().unwrap().to_string_lossy().to_string(),
        "<root>",
    )
}

/// Compares `actual` with the golden file (or writes it when blessing);
/// a difference is added to `failures` with its first differing line.
fn check(path: &Path, actual: &str, failures: &mut Vec<String>) {
    if blessing() {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, actual).unwrap();
        return;
    }
    let rel = path
        .strip_prefix(root())
        .unwrap_or(path)
        .display()
        .to_string();
    let Ok(expected) = std::fs::read_to_string(path) else {
        failures.push(format!(
            "{rel}: missing (POAM_BLESS=1 cargo test writes it)"
        ));
        return;
    };
    if expected != actual {
        let line = expected
            .lines()
            .zip(actual.lines())
            .position(|(a, b)| a != b)
            .unwrap_or_else(|| expected.lines().count().min(actual.lines().count()));
        failures.push(format!(
            "{rel}: differs from line {}:\n  golden: {:?}\n  now:    {:?}",
            line + 1,
            expected.lines().nth(line).unwrap_or("<end>"),
            actual.lines().nth(line).unwrap_or("<end>"),
        ));
    }
}

fn finish(failures: Vec<String>) {
    assert!(
        failures.is_empty(),
        "{} golden file(s) differ; if the change is meant, run POAM_BLESS=1 cargo test and review git diff tests/golden:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// The policy a reviewer of the fixture's kind applies.
fn policy_for(fixture: &str) -> &'static str {
    if fixture.contains("/emass/") {
        "dod"
    } else if fixture.contains("/nist/") {
        "cmmc"
    } else {
        "fedramp"
    }
}

#[test]
fn every_fixture_reads_as_its_golden_model_inspect_and_diagnostics() {
    let mut failures = Vec::new();
    let all = fixtures();
    assert!(all.len() >= 18, "{all:?}");
    for f in &all {
        let dir = golden_dir(f);
        check(
            &dir.join("model.json"),
            &run(&["convert", f, "--to", "json"]),
            &mut failures,
        );
        check(
            &dir.join("inspect.txt"),
            &run(&["inspect", f]),
            &mut failures,
        );
        let json: serde_json::Value =
            serde_json::from_str(&run(&["inspect", f, "--format", "json"])).unwrap();
        assert_eq!(json["format_version"], 1, "{f}");
        let mut diags = serde_json::to_string_pretty(&json["diagnostics"]).unwrap();
        diags.push('\n');
        check(&dir.join("diagnostics.json"), &diags, &mut failures);
    }
    // No golden folder is left for a fixture that is gone.
    if !blessing() {
        let mut stale = Vec::new();
        let mut dirs = vec![root().join("tests/golden")];
        while let Some(d) = dirs.pop() {
            for entry in std::fs::read_dir(&d).unwrap() {
                let path = entry.unwrap().path();
                if path.join("model.json").is_file() {
                    let fixture = root()
                        .join("fixtures")
                        .join(path.strip_prefix(root().join("tests/golden")).unwrap());
                    if !fixture.is_file() {
                        stale.push(path.display().to_string());
                    }
                } else if path.is_dir() {
                    dirs.push(path);
                }
            }
        }
        assert!(
            stale.is_empty(),
            "golden folders without a fixture: {stale:?}"
        );
    }
    finish(failures);
}

#[test]
fn validate_score_link_and_diff_say_what_their_goldens_say() {
    let mut failures = Vec::new();
    for f in fixtures() {
        let dir = golden_dir(&f);
        check(
            &dir.join("validate.txt"),
            &run(&["validate", &f, "--policy", policy_for(&f), "--as-of", AS_OF]),
            &mut failures,
        );
        if f.contains("/nist/") {
            check(
                &dir.join("score.txt"),
                &run(&["score", &f, "--conditional-date", AS_OF]),
                &mut failures,
            );
            check(
                &dir.join("score.md"),
                &run(&["score", &f, "--conditional-date", AS_OF, "--format", "md"]),
                &mut failures,
            );
        }
        if f.ends_with("fedramp-3.0.xlsx") || f.ends_with("emass-navy-2026.xlsx") {
            check(
                &dir.join("validate.md"),
                &run(&[
                    "validate",
                    &f,
                    "--policy",
                    policy_for(&f),
                    "--as-of",
                    AS_OF,
                    "--format",
                    "md",
                ]),
                &mut failures,
            );
        }
    }
    for (poam_file, ssp) in [
        ("fixtures/ssp/poam.json", "fixtures/ssp/appendix-a.docx"),
        (
            "fixtures/nist/plan-of-action.docx",
            "fixtures/ssp/nist-171-ssp.docx",
        ),
    ] {
        check(
            &golden_dir(poam_file).join(format!(
                "link-{}.txt",
                Path::new(ssp).file_stem().unwrap().to_string_lossy()
            )),
            &run(&["link", poam_file, "--ssp", ssp]),
            &mut failures,
        );
    }
    for (before, after) in [
        (
            "fixtures/fedramp/fedramp-2.1.xlsx",
            "fixtures/fedramp/fedramp-3.0.xlsx",
        ),
        (
            "fixtures/emass/emass-navy-2024.xlsx",
            "fixtures/emass/emass-navy-2026.xlsx",
        ),
    ] {
        let name = Path::new(before)
            .file_name()
            .unwrap()
            .to_string_lossy()
            .to_string();
        check(
            &golden_dir(after).join(format!("diff-from-{name}.txt")),
            &run(&["diff", before, after]),
            &mut failures,
        );
        check(
            &golden_dir(after).join(format!("diff-from-{name}.md")),
            &run(&["diff", before, after, "--format", "md"]),
            &mut failures,
        );
    }
    finish(failures);
}
