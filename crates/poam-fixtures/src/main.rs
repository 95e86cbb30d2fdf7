//! `cargo run -p poam-fixtures -- DIR`: rewrites the fixtures under DIR.

fn main() -> anyhow::Result<()> {
    let dir = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "fixtures".to_string());
    for name in poam_fixtures::write_all(std::path::Path::new(&dir))? {
        println!("wrote {dir}/{name}");
    }
    Ok(())
}
