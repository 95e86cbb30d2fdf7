//! Any bytes read as an .xml file (OSCAL POA&M XML): a result or an error, never a panic.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let opts = poam_import::ImportOptions {
        limits: poam_import::Limits {
            max_cells: 200_000,
            max_inflated_bytes: 64 * 1024 * 1024,
        },
        ..Default::default()
    };
    let _ = poam_import::import_bytes("fuzz.xml", std::path::Path::new("fuzz.xml"), data, &opts);
});
