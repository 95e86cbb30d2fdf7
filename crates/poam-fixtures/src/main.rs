//! `cargo run -p poam-fixtures -- DIR`: rewrites the fixtures under DIR.
//! `cargo run -p poam-fixtures -- --large N OUT.xlsx`: a FedRAMP workbook of
//! N items, for benchmarks.
//! `cargo run -p poam-fixtures -- --nessus HOSTS FINDINGS IDS TEXT OUT`: a
//! .nessus scan for benchmarks of `poam update` and the Nessus reader.
//! `cargo run -p poam-fixtures -- --tree UNITS BROKEN DIR`: a tree of UNITS
//! business units in mixed layouts plus BROKEN unreadable files, for
//! `poam batch` and `poam rollup`.
//! `cargo run -p poam-fixtures -- --files COUNT ITEMS DIR`: COUNT FedRAMP
//! workbooks of ITEMS items each, for batch benchmarks.

use anyhow::Context;

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().map(String::as_str) == Some("--large") {
        let n: usize = args
            .get(1)
            .context("--large N OUT.xlsx")?
            .parse()
            .context("N must be a number")?;
        let out = args.get(2).context("--large N OUT.xlsx")?;
        poam_fixtures::write_large_fedramp(n, std::path::Path::new(out))?;
        println!("wrote {out}: {n} items");
        return Ok(());
    }
    if args.first().map(String::as_str) == Some("--files") {
        let usage = "--files COUNT ITEMS DIR";
        let count: usize = args.get(1).context(usage)?.parse().context(usage)?;
        let items: usize = args.get(2).context(usage)?.parse().context(usage)?;
        let dir = std::path::Path::new(args.get(3).context(usage)?);
        std::fs::create_dir_all(dir)?;
        for k in 0..count {
            poam_fixtures::write_large_fedramp(
                items,
                &dir.join(format!("unit-{:04}.xlsx", k + 1)),
            )?;
        }
        println!(
            "wrote {count} workbooks of {items} items under {}",
            dir.display()
        );
        return Ok(());
    }
    if args.first().map(String::as_str) == Some("--nessus") {
        let usage = "--nessus HOSTS FINDINGS IDS TEXT OUT.nessus";
        let n = |k: usize| -> anyhow::Result<usize> {
            args.get(k).context(usage)?.parse().context(usage)
        };
        let (hosts, findings, ids, text) = (n(1)?, n(2)?, n(3)?, n(4)?);
        let out = args.get(5).context(usage)?;
        std::fs::write(
            out,
            poam_fixtures::scans::large_nessus(hosts, findings, ids, text),
        )?;
        println!("wrote {out}: {hosts} hosts, {findings} findings of {ids} plugins");
        return Ok(());
    }
    if args.first().map(String::as_str) == Some("--tree") {
        let usage = "--tree UNITS BROKEN DIR";
        let units: usize = args.get(1).context(usage)?.parse().context(usage)?;
        let broken: usize = args.get(2).context(usage)?.parse().context(usage)?;
        let dir = args.get(3).context(usage)?;
        let paths = poam_fixtures::write_unit_tree(std::path::Path::new(dir), units, broken)?;
        println!("wrote {} files under {dir}", paths.len());
        return Ok(());
    }
    let dir = args
        .first()
        .cloned()
        .unwrap_or_else(|| "fixtures".to_string());
    for name in poam_fixtures::write_all(std::path::Path::new(&dir))? {
        println!("wrote {dir}/{name}");
    }
    Ok(())
}
