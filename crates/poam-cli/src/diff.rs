//! `poam diff OLD NEW`.

use crate::page::Page;
use crate::{input_failure, output_failure, read_input, Failure, ReadArgs};
use anyhow::anyhow;
use poam_export::save_atomic;
use poam_ops::diff::{diff as compare, Diff, DiffOptions, ItemRef};
use std::path::PathBuf;

#[derive(Clone, Copy, clap::ValueEnum)]
pub(crate) enum DiffFormat {
    /// Plain text.
    Text,
    /// JSON: counts, the items of each category, the changed fields.
    Json,
    /// Markdown.
    Md,
    /// An .xlsx workbook (needs -o).
    Xlsx,
}

#[derive(clap::Args)]
pub(crate) struct DiffArgs {
    /// The earlier POA&M (last month's).
    old: PathBuf,
    /// The later POA&M (this month's).
    new: PathBuf,
    /// Output format.
    #[arg(long, value_enum, default_value = "text")]
    format: DiffFormat,
    /// Write to this file instead of standard output (required for xlsx).
    #[arg(short, long, value_name = "OUT")]
    output: Option<PathBuf>,
    #[command(flatten)]
    read: ReadArgs,
}

fn list(page: &mut Page, title: &str, items: &[ItemRef], note: &str) {
    if items.is_empty() {
        return;
    }
    page.section(&format!("{title} ({}){note}", items.len()));
    for i in items {
        let place = i
            .new_location
            .as_ref()
            .or(i.old_location.as_ref())
            .map(|l| format!(" [{l}]"))
            .unwrap_or_default();
        page.item(&format!(
            "{}: {}{place}",
            i.id,
            i.weakness.as_deref().unwrap_or("")
        ));
    }
}

fn text(d: &Diff, old: &str, new: &str, md: bool) -> String {
    let mut page = Page::new(md);
    let c = &d.counts;
    if page.is_markdown() {
        page.title("POA&M changes");
        page.para(&format!("OLD: `{old}`  \nNEW: `{new}`"));
        page.para("| | Count |\n|---|---|");
        for (label, n) in c.rows() {
            page.line(&format!("| {label} | {n} |"));
        }
    } else {
        page.title(&format!("{old} -> {new}"));
        page.line(&format!(
            "{} new, {} closed, {} reopened, {} disappeared, {} renumbered, {} changed, {} unchanged ({} items before, {} now)",
            c.added, c.closed, c.reopened, c.disappeared, c.renumbered, c.changed, c.unchanged, c.old_items, c.new_items
        ));
    }
    if !d.duplicate_ids.is_empty() {
        page.section(&format!(
            "IDs held by more than one item ({}): paired by content, else by position; check them",
            d.duplicate_ids.len()
        ));
        for dup in &d.duplicate_ids {
            page.item(dup);
        }
    }
    if !d.renumbered.is_empty() {
        page.section(&format!(
            "Renumbered: the same item under a new ID ({})",
            d.renumbered.len()
        ));
        for r in &d.renumbered {
            page.item(&format!(
                "{} -> {}: {} ({})",
                r.old_id,
                r.new_id,
                r.weakness.as_deref().unwrap_or(""),
                r.by
            ));
        }
    }
    list(
        &mut page,
        "Disappeared without being closed",
        &d.disappeared,
        ": a reviewer expects closed items on the Closed tab",
    );
    list(&mut page, "New items", &d.added, "");
    list(&mut page, "Closed since OLD", &d.closed, "");
    list(&mut page, "Reopened", &d.reopened, "");
    if !d.changed.is_empty() {
        page.section(&format!("Changed fields ({} items)", d.changed.len()));
        for item in &d.changed {
            page.subsection(&format!(
                "{}: {}",
                item.item.id,
                item.item.weakness.as_deref().unwrap_or("")
            ));
            for ch in &item.changes {
                let show = |v: &str| {
                    if v.is_empty() {
                        "(empty)".to_string()
                    } else {
                        v.replace('\n', " / ")
                    }
                };
                let days = match ch.days {
                    Some(n) if n > 0 => format!(" ({n} days later)"),
                    Some(n) if n < 0 => format!(" ({} days earlier)", -n),
                    _ => String::new(),
                };
                page.subitem(&format!(
                    "{}: {} -> {}{days}",
                    ch.label,
                    show(&ch.old),
                    show(&ch.new)
                ));
            }
        }
    }
    page.finish()
}

pub(crate) fn diff(args: &DiffArgs) -> Result<u8, Failure> {
    if matches!(args.format, DiffFormat::Xlsx) && args.output.is_none() {
        return Err(input_failure(anyhow!(
            "a workbook cannot go to the terminal; add -o OUT.xlsx"
        )));
    }
    // A diff never replaces either POA&M it compares.
    if let Some(out) = &args.output {
        if crate::same_file(out, &args.old) || crate::same_file(out, &args.new) {
            return Err(input_failure(anyhow!(
                "{}: the output would replace one of the POA&Ms compared; choose another -o",
                out.display()
            )));
        }
    }
    let old = read_input(&args.old, &args.read)?;
    let new = read_input(&args.new, &args.read)?;
    let same_layout = old.report.layout.is_some() && old.report.layout == new.report.layout;
    let d = compare(
        &old.poam,
        &new.poam,
        &DiffOptions {
            compare_absent: same_layout,
        },
    );
    let (old_name, new_name) = (
        args.old.display().to_string(),
        args.new.display().to_string(),
    );
    let bytes = match args.format {
        DiffFormat::Text => text(&d, &old_name, &new_name, false).into_bytes(),
        DiffFormat::Md => text(&d, &old_name, &new_name, true).into_bytes(),
        DiffFormat::Json => {
            let mut v = serde_json::to_value(&d).map_err(output_failure)?;
            v["old"] = old_name.clone().into();
            v["new"] = new_name.clone().into();
            v["identical"] = d.is_identical().into();
            let mut b = serde_json::to_vec_pretty(&v).map_err(output_failure)?;
            b.push(b'\n');
            b
        }
        DiffFormat::Xlsx => poam_export::diff_out::write_diff_xlsx(&d, &old_name, &new_name)
            .map_err(output_failure)?,
    };
    match &args.output {
        Some(out) => save_atomic(out, &bytes).map_err(output_failure)?,
        None => crate::print_out(&bytes)?,
    }
    Ok(if d.is_identical() { 0 } else { 1 })
}
