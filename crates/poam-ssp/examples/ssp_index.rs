//! Prints the control sections poamkit finds in an SSP, and how long it took:
//! `cargo run --release -p poam-ssp --example ssp_index -- SSP.docx`.

fn main() {
    let ids_only = std::env::args().any(|a| a == "--ids");
    let Some(path) = std::env::args().skip(1).find(|a| a != "--ids") else {
        eprintln!("usage: ssp_index SSP.docx|SSP.json");
        std::process::exit(2);
    };
    let start = std::time::Instant::now();
    match poam_ssp::read_ssp(std::path::Path::new(&path)) {
        Ok(index) if ids_only => {
            for s in &index.sections {
                println!("{}", s.control);
            }
        }
        Ok(index) => {
            let (controls, enhancements) = index.counts();
            println!(
                "{path}: {} ({} sections: {controls} controls, {enhancements} enhancements) in {:.3} s",
                index.kind,
                index.sections.len(),
                start.elapsed().as_secs_f64()
            );
            for s in index.sections.iter().take(5) {
                println!(
                    "  {} | {} | {:?} | {:?}",
                    s.control,
                    s.title.as_deref().unwrap_or("-"),
                    s.status,
                    s.path
                );
            }
            for d in index.diagnostics.iter().take(10) {
                println!("  {d}");
            }
        }
        Err(e) => {
            eprintln!("{e}");
            std::process::exit(2);
        }
    }
}
