//! `poam layouts`: every layout and where it came from.

use super::*;

pub(crate) fn layouts() -> Result<u8> {
    let mut out = String::new();
    for l in config().registry.all() {
        let sheets: Vec<&str> = l.sheets.iter().map(|s| s.name.as_str()).collect();
        out.push_str(&format!(
            "{:<10} {:<12} {}{}\n           sheets: {}\n           from: {}\n",
            l.family,
            l.version,
            l.name,
            if l.default { " [default]" } else { "" },
            sheets.join(", "),
            match &l.source {
                poam_layout::Source::Builtin(_) => l.source.to_string(),
                poam_layout::Source::File(_) => format!("your layout file {}", l.source),
            }
        ));
    }
    out.push_str(
        "legacy     (any)        Home-grown trackers, read by header synonyms (templates/synonyms.toml)\n           \
         or with --mapping FILE; `--from legacy` skips the template check\n",
    );
    let mut stdout = std::io::stdout().lock();
    stdout.write_all(out.as_bytes())?;
    if out.is_empty() {
        bail!("no layouts compiled in");
    }
    Ok(0)
}
