//! Any bytes read as a scanner output (every format poam-scan detects, by
//! content, and a .cklb by name): a scan or an error, never a panic.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    // The readers take a path (they stream from the file): one per process.
    let dir = std::env::temp_dir().join(format!("poam-fuzz-scans-{}", std::process::id()));
    let _ = std::fs::create_dir_all(&dir);
    for name in ["scan.xml", "scan.cklb"] {
        let path = dir.join(name);
        if std::fs::write(&path, data).is_ok() {
            let _ = poam_scan::read_scan(&path);
        }
    }
});
