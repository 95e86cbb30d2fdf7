//! What a test does when a program or file it checks against is missing.
//!
//! On a developer's machine such a test says so and returns. Under
//! `POAM_REQUIRE_TOOLS=1` (which `.ci/run` sets) it fails instead, so that a
//! CI run without LibreOffice, Chromium, compliance-trestle or `../shared`
//! cannot pass by skipping what it was meant to check.

/// Reports a missing tool or file: a failure under `POAM_REQUIRE_TOOLS`, a
/// skip otherwise.
pub fn missing(what: &str) {
    if std::env::var_os("POAM_REQUIRE_TOOLS").is_some_and(|v| !v.is_empty() && v != "0") {
        panic!("{what}, and POAM_REQUIRE_TOOLS is set: this test cannot be skipped");
    }
    eprintln!("skipped: {what}");
}
