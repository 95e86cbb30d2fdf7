//! Any bytes read as a System Security Plan (Word or OSCAL JSON).
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = poam_ssp::read_ssp_bytes("fuzz-ssp", data);
});
