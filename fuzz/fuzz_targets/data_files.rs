//! Any text read as a mapping file, a policy file and a framework file.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = poam_layout::mapping::Mapping::from_toml("fuzz.toml", text);
        let _ = poam_rules::Policy::from_toml("fuzz.toml", text);
        if let Ok(f) = poam_layout::catalog::Framework::from_toml("fuzz.toml", text) {
            let _ = f.parse("A.5.15");
        }
    }
});
