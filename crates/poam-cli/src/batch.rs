//! `poam batch` and `poam rollup`: many inputs in one run.

use crate::{
    config, import_options, input_failure, output_failure, parse_format, same_file, target_output,
    warnings, write_options, Failure, ReadArgs,
};
use anyhow::{anyhow, bail, Context, Result};
use indicatif::{ProgressBar, ProgressStyle};
use poam_export::save_atomic;
use poam_export::{Format, Output};
use poam_import::{import_path, ImportOptions, Imported};
use poam_model::Poam;
use rayon::prelude::*;
use serde_json::json;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

/// The sheet a roll-up workbook adds after the template's: what tells a
/// previous roll-up from a unit's own POA&M.
const SUMMARY_SHEET: &str = "Summary by Unit";

/// File endings `poam` reads, for walking folders.
const READABLE: &[&str] = &["xlsx", "xlsm", "xls", "xlsb", "ods", "csv", "json", "docx"];

#[derive(clap::Args)]
pub(crate) struct BatchArgs {
    /// Files, folders (walked recursively) or glob patterns (`'units/**/*.xlsx'`).
    #[arg(required = true, value_name = "INPUT")]
    inputs: Vec<PathBuf>,
    /// What to write (as for `poam convert --to`); repeat for several
    /// formats (each input is read once).
    #[arg(long, value_name = "FORMAT", required = true)]
    to: Vec<String>,
    /// Folder for the outputs; the tree under it mirrors the inputs' tree.
    #[arg(long, value_name = "DIR")]
    out_dir: PathBuf,
    /// Template version for the workbook targets (see `poam layouts`).
    #[arg(long, value_name = "VERSION")]
    template_version: Option<String>,
    /// Folder of mapping files: `NAME.toml` for the input NAME.xlsx, or
    /// `FOLDER.toml` for every input in the folder FOLDER.
    #[arg(long, value_name = "DIR")]
    mapping_dir: Option<PathBuf>,
    /// Files converted at once (default: one per CPU core).
    #[arg(long, short = 'j', value_name = "N")]
    jobs: Option<usize>,
    /// No progress bar or progress lines; the summary table still prints.
    #[arg(long, short)]
    quiet: bool,
    /// Replace outputs that exist already.
    #[arg(long)]
    force: bool,
    /// Also write the summary as JSON to this file.
    #[arg(long, value_name = "FILE")]
    summary_json: Option<PathBuf>,
    /// Add columns the template lacks (kept in `extra`) after its last column.
    #[arg(long)]
    keep_extra: bool,
    /// Start CSV files with a UTF-8 byte order mark.
    #[arg(long)]
    excel_bom: bool,
    #[command(flatten)]
    read: ReadArgs,
}

/// One input and where its outputs go.
struct Job {
    input: PathBuf,
    /// The input's path under its root, for the output tree.
    relative: PathBuf,
    /// Why the input cannot be read at all (a folder that cannot be opened,
    /// a link to nothing): reported as a failed input, never skipped.
    problem: Option<String>,
}

/// What an entry of a walked folder that cannot be read is, for a person.
fn walk_problem(e: &walkdir::Error) -> Option<(PathBuf, String)> {
    let path = e.path()?.to_path_buf();
    if e.loop_ancestor().is_some() {
        return Some((
            path,
            "a link back to a folder above it (a loop); not followed".into(),
        ));
    }
    let io = e.io_error()?;
    let dangling = std::fs::symlink_metadata(&path).is_ok_and(|m| m.file_type().is_symlink())
        && !path.exists();
    if dangling {
        // A broken link to something that is not a POA&M is nothing to say.
        if !readable(&path) {
            return None;
        }
        let target = std::fs::read_link(&path)
            .map(|t| t.display().to_string())
            .unwrap_or_default();
        return Some((path, format!("a link to {target}, which does not exist")));
    }
    Some((
        path,
        match io.kind() {
            std::io::ErrorKind::PermissionDenied => {
                "cannot be opened: permission denied (its files are not read)".to_string()
            }
            _ => format!("cannot be read: {io}"),
        },
    ))
}

/// What happened to one input.
struct Outcome {
    input: PathBuf,
    layout: Option<String>,
    open: usize,
    closed: usize,
    warnings: usize,
    outputs: Vec<PathBuf>,
    error: Option<String>,
}

impl Outcome {
    /// Nothing read or written yet for `input`.
    fn new(input: &Path) -> Outcome {
        Outcome {
            input: input.to_path_buf(),
            layout: None,
            open: 0,
            closed: 0,
            warnings: 0,
            outputs: Vec::new(),
            error: None,
        }
    }
}

fn has_glob(text: &str) -> bool {
    text.contains(['*', '?', '['])
}

fn readable(path: &Path) -> bool {
    let name = path
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or("")
        .to_lowercase();
    // Office lock files (`~$name.xlsx`) and hidden files are not POA&Ms.
    !name.starts_with("~$")
        && !name.starts_with('.')
        && !name.ends_with(".mapping.toml")
        && path
            .extension()
            .and_then(|e| e.to_str())
            .is_some_and(|e| READABLE.contains(&e.to_lowercase().as_str()))
}

/// What tells one file from another however it is named: device and inode
/// on Unix, the canonical path elsewhere.
fn identity(path: &Path) -> Option<(u64, u64, PathBuf)> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        let m = std::fs::metadata(path).ok()?;
        Some((m.dev(), m.ino(), PathBuf::new()))
    }
    #[cfg(not(unix))]
    {
        Some((0, 0, path.canonicalize().ok()?))
    }
}

/// The inputs: files as given, folders walked, glob patterns expanded.
/// Files under `skip` (the output folder, when it sits inside an input
/// folder) are never inputs.
fn collect(inputs: &[PathBuf], skip: Option<&Path>) -> Result<Vec<Job>> {
    let skip = skip.and_then(|s| s.canonicalize().ok());
    let skipped = |p: &Path| {
        skip.as_ref()
            .is_some_and(|s| p.canonicalize().is_ok_and(|c| c.starts_with(s)))
    };
    let mut jobs = Vec::new();
    for input in inputs {
        let text = input.to_string_lossy();
        if input.is_dir() {
            let mut found: Vec<(PathBuf, Option<String>)> = Vec::new();
            for entry in walkdir::WalkDir::new(input).follow_links(true) {
                match entry {
                    Ok(e) => {
                        if e.file_type().is_file() && readable(e.path()) && !skipped(e.path()) {
                            found.push((e.into_path(), None));
                        }
                    }
                    Err(e) => {
                        if let Some((path, why)) = walk_problem(&e) {
                            found.push((path, Some(why)));
                        }
                    }
                }
            }
            found.sort();
            for (path, problem) in found {
                let relative = path.strip_prefix(input).unwrap_or(&path).to_path_buf();
                jobs.push(Job {
                    input: path,
                    relative,
                    problem,
                });
            }
        } else if !input.exists() && has_glob(&text) {
            // The part before the first wildcard is the root of the tree.
            let root: PathBuf = input
                .components()
                .take_while(|c| !has_glob(&c.as_os_str().to_string_lossy()))
                .collect();
            let paths =
                glob::glob(&text).with_context(|| format!("{text}: not a valid pattern"))?;
            let mut found: Vec<(PathBuf, Option<String>)> = Vec::new();
            for p in paths {
                match p {
                    Ok(p) if p.is_file() && !skipped(&p) => found.push((p, None)),
                    Ok(_) => {}
                    // A folder on the way that cannot be opened.
                    Err(e) => found.push((
                        e.path().to_path_buf(),
                        Some(format!("cannot be read: {}", e.error())),
                    )),
                }
            }
            found.sort();
            if found.is_empty() {
                bail!("{text}: no file matches this pattern");
            }
            for (path, problem) in found {
                let relative = path.strip_prefix(&root).unwrap_or(&path).to_path_buf();
                jobs.push(Job {
                    input: path,
                    relative,
                    problem,
                });
            }
        } else {
            // A single file (missing ones are reported with the others).
            let relative = PathBuf::from(input.file_name().unwrap_or(input.as_os_str()));
            jobs.push(Job {
                input: input.clone(),
                relative,
                problem: None,
            });
        }
    }
    // Each file once, however it was named (a folder and a file in it, two
    // patterns, a link): the first naming wins.
    let mut seen = std::collections::HashSet::new();
    jobs.retain(|j| {
        j.problem.is_some()
            || match identity(&j.input) {
                Some(id) => seen.insert(id),
                None => true,
            }
    });
    Ok(jobs)
}

/// The mapping file that applies to an input, if any: `NAME.mapping.toml`
/// or `poam-mapping.toml` next to it; with `--mapping-dir`, `NAME.toml` or
/// `FOLDER.toml` there.
fn mapping_for(input: &Path, mapping_dir: Option<&Path>) -> Option<PathBuf> {
    let stem = input.file_stem()?.to_string_lossy().to_string();
    let dir = input.parent().unwrap_or(Path::new("."));
    let mut candidates = vec![
        dir.join(format!("{stem}.mapping.toml")),
        dir.join("poam-mapping.toml"),
    ];
    if let Some(md) = mapping_dir {
        candidates.push(md.join(format!("{stem}.toml")));
        if let Some(folder) = dir.file_name() {
            candidates.push(md.join(format!("{}.toml", folder.to_string_lossy())));
        }
    }
    candidates.into_iter().find(|c| c.is_file())
}

/// The options every input of a run is read with: the flags resolved once
/// (layouts, frameworks, `--mapping`), one thread per file.
fn run_options(read: &ReadArgs) -> Result<ImportOptions, Failure> {
    Ok(ImportOptions {
        // Files run in parallel, `--jobs` of them: no thread beside each.
        one_thread: true,
        ..import_options(read)?
    })
}

fn read_one(input: &Path, base: &ImportOptions, mapping_dir: Option<&Path>) -> Result<Imported> {
    let found;
    let opts = match (&base.mapping, mapping_for(input, mapping_dir)) {
        (None, Some(path)) => {
            found = ImportOptions {
                mapping: Some(crate::load_mapping(&path).map_err(|f| f.error)?),
                ..base.clone()
            };
            &found
        }
        _ => base,
    };
    import_path(input, opts).map_err(|e| crate::with_hint(e).into())
}

/// Where an output goes: the input's path under the output folder, with the
/// target's ending. When two inputs of one folder share a name
/// (`unit.xlsx`, `unit.ods`), each keeps its own ending too (`unit.ods.csv`).
fn output_path(out_dir: &Path, relative: &Path, target: Output<'_>, keep_ending: bool) -> PathBuf {
    let name = if keep_ending {
        relative.file_name()
    } else {
        relative.file_stem()
    }
    .map(|s| s.to_string_lossy().to_string())
    .unwrap_or_default();
    let parent = relative.parent().unwrap_or(Path::new(""));
    out_dir
        .join(parent)
        .join(format!("{name}.{}", target.extension()))
}

fn convert_one(
    job: &Job,
    args: &BatchArgs,
    opts: &ImportOptions,
    targets: &[Output<'_>],
    outputs: &[PathBuf],
) -> Outcome {
    let mut outcome = Outcome::new(&job.input);
    let result = (|| -> Result<()> {
        if let Some(problem) = &job.problem {
            bail!("{}: {problem}", job.input.display());
        }
        let imported = read_one(&job.input, opts, args.mapping_dir.as_deref())?;
        outcome.layout = imported.report.layout.clone();
        outcome.open = imported.poam.open_count();
        outcome.closed = imported.poam.closed_count();
        outcome.warnings = warnings(&imported.diagnostics);
        // Render every target before writing any, so that a failure leaves nothing.
        let mut rendered = Vec::new();
        for (target, out) in targets.iter().zip(outputs) {
            if same_file(out, &job.input) {
                bail!("{}: the output would replace the input", out.display());
            }
            if out.exists() && !args.force {
                bail!("{}: exists already (--force replaces it)", out.display());
            }
            let written = poam_export::write(
                &imported.poam,
                *target,
                &write_options(args.keep_extra, args.excel_bom),
            )?;
            outcome.warnings += warnings(&written.diagnostics);
            rendered.push((out, written.bytes));
        }
        // Every format written to its temporary file first, then all put in
        // place: an input gets all its outputs or none. Without --force an
        // output is created only where there is none (two runs into one
        // folder cannot both write it).
        let mut staged = Vec::new();
        for (out, bytes) in &rendered {
            if let Some(dir) = out.parent() {
                std::fs::create_dir_all(dir)
                    .with_context(|| format!("{}: cannot create the folder", dir.display()))?;
            }
            staged.push(poam_export::stage_bytes(out, bytes)?);
        }
        let mut placed: Vec<PathBuf> = Vec::new();
        for s in staged {
            let path = s.path().to_path_buf();
            if let Err(e) = s.commit(args.force) {
                // The outputs this input already got are new files (or,
                // with --force, replaced ones that cannot come back): the
                // new ones go, so that none is half a set.
                if !args.force {
                    for p in &placed {
                        let _ = std::fs::remove_file(p);
                    }
                }
                return Err(e.into());
            }
            placed.push(path);
        }
        outcome.outputs.extend(placed);
        Ok(())
    })();
    if let Err(e) = result {
        outcome.error = Some(format!("{e:#}"));
    }
    outcome
}

/// The template version for a target: `--template-version` when that
/// target's family has it.
fn version_for<'a>(target: &Format, args: &'a BatchArgs) -> Option<&'a str> {
    let v = args.template_version.as_deref()?;
    config().registry.find(target.family()?, Some(v)).map(|_| v)
}

pub(crate) fn batch(args: &BatchArgs) -> Result<u8, Failure> {
    let formats = args
        .to
        .iter()
        .map(|t| parse_format(t))
        .collect::<Result<Vec<_>, _>>()?;
    let targets = formats
        .iter()
        .map(|f| target_output(f, version_for(f, args)))
        .collect::<Result<Vec<_>, _>>()?;
    let opts = run_options(&args.read)?;
    if let Some(v) = &args.template_version {
        let fits = formats.iter().any(|t| version_for(t, args).is_some());
        if !fits {
            return Err(input_failure(anyhow!(
                "--template-version {v} is not a version of any workbook target given with --to"
            )));
        }
    }
    std::fs::create_dir_all(&args.out_dir)
        .with_context(|| {
            format!(
                "{}: cannot create the output folder",
                args.out_dir.display()
            )
        })
        .map_err(output_failure)?;
    // The output folder is an input folder: every file in it would be
    // passed over as an output, and the outputs would land among the inputs.
    if let Some(same) = args
        .inputs
        .iter()
        .find(|i| i.is_dir() && same_file(i, &args.out_dir))
    {
        return Err(input_failure(anyhow!(
            "{}: --out-dir is the input folder itself; choose another folder (for example {}), so that outputs never mix with the POA&Ms they come from",
            same.display(),
            same.join("converted").display()
        )));
    }
    let jobs = collect(&args.inputs, Some(&args.out_dir)).map_err(input_failure)?;
    if jobs.is_empty() {
        return Err(input_failure(anyhow!(
            "no POA&M files found in the inputs given"
        )));
    }
    if let Some(path) = &args.summary_json {
        let inputs: Vec<&Path> = jobs.iter().map(|j| j.input.as_path()).collect();
        crate::guard_output(path, &inputs, "--summary-json")?;
    }
    // Two inputs that would write the same output (unit.xlsx and unit.csv) are
    // refused up front; the first one keeps it.
    let mut claimed: std::collections::HashMap<PathBuf, PathBuf> = Default::default();
    let mut stems: std::collections::HashMap<PathBuf, usize> = Default::default();
    for job in &jobs {
        *stems.entry(job.relative.with_extension("")).or_default() += 1;
    }
    let planned: Vec<(Vec<PathBuf>, Option<String>)> = jobs
        .iter()
        .map(|job| {
            let outs: Vec<PathBuf> = targets
                .iter()
                .map(|t| {
                    let shared = stems
                        .get(&job.relative.with_extension(""))
                        .is_some_and(|n| *n > 1);
                    output_path(&args.out_dir, &job.relative, *t, shared)
                })
                .collect();
            let clash = outs.iter().find_map(|o| {
                claimed
                    .get(o)
                    .filter(|other| **other != job.input)
                    .map(|other| {
                        format!(
                            "{}: also the output of {}; rename one of the inputs",
                            o.display(),
                            other.display()
                        )
                    })
            });
            if clash.is_none() {
                for o in &outs {
                    claimed.insert(o.clone(), job.input.clone());
                }
            }
            (outs, clash)
        })
        .collect();
    let total = jobs.len();
    let show_bar = !args.quiet && std::io::stderr().is_terminal();
    let bar = show_bar.then(|| {
        let bar = ProgressBar::new(total as u64);
        bar.set_style(
            ProgressStyle::with_template("{bar:40} {pos}/{len} {elapsed} {wide_msg}")
                .unwrap_or_else(|_| ProgressStyle::default_bar()),
        );
        bar
    });
    let done = AtomicUsize::new(0);
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(args.jobs.unwrap_or(0))
        .build()
        .map_err(|e| input_failure(anyhow!("cannot start {} jobs: {e}", args.jobs.unwrap_or(0))))?;
    let outcomes: Vec<Outcome> = pool.install(|| {
        jobs.par_iter()
            .zip(planned.par_iter())
            .map(|(job, (outs, clash))| {
                let outcome = match clash {
                    Some(reason) => Outcome {
                        error: Some(reason.clone()),
                        ..Outcome::new(&job.input)
                    },
                    None => convert_one(job, args, &opts, &targets, outs),
                };
                let n = done.fetch_add(1, Ordering::Relaxed) + 1;
                let line = match &outcome.error {
                    None => format!("{}: ok", job.input.display()),
                    Some(e) => format!("{}: failed: {e}", job.input.display()),
                };
                match &bar {
                    Some(bar) => {
                        if outcome.error.is_some() {
                            bar.println(&line);
                        }
                        bar.set_message(job.input.display().to_string());
                        bar.inc(1);
                    }
                    None if !args.quiet => eprintln!("[{n}/{total}] {line}"),
                    None => {}
                }
                outcome
            })
            .collect()
    });
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
    let failed = outcomes.iter().filter(|o| o.error.is_some()).count();
    print_summary(&outcomes, failed);
    if let Some(path) = &args.summary_json {
        let doc = json!({
            "files": outcomes.iter().map(|o| json!({
                "input": o.input.display().to_string(),
                "layout": o.layout,
                "open_items": o.open,
                "closed_items": o.closed,
                "warnings": o.warnings,
                "outputs": o.outputs.iter().map(|p| p.display().to_string()).collect::<Vec<_>>(),
                "result": if o.error.is_some() { "failed" } else { "converted" },
                "error": o.error,
            })).collect::<Vec<_>>(),
            "converted": outcomes.len() - failed,
            "failed": failed,
        });
        let mut text = serde_json::to_vec_pretty(&doc).map_err(output_failure)?;
        text.push(b'\n');
        save_atomic(path, &text).map_err(output_failure)?;
    }
    Ok(if failed > 0 { 1 } else { 0 })
}

fn print_summary(outcomes: &[Outcome], failed: usize) {
    let rows: Vec<[String; 6]> = outcomes
        .iter()
        .map(|o| {
            [
                o.input.display().to_string(),
                o.layout.clone().unwrap_or_else(|| "-".into()),
                o.open.to_string(),
                o.closed.to_string(),
                o.warnings.to_string(),
                match &o.error {
                    None => "converted".to_string(),
                    Some(e) => format!("FAILED: {e}"),
                },
            ]
        })
        .collect();
    let header = ["File", "Layout", "Open", "Closed", "Warnings", "Result"];
    let mut widths = header.map(str::len);
    for r in &rows {
        for (w, cell) in widths.iter_mut().zip(r.iter()).take(5) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let line = |cells: [&str; 6]| {
        let mut out = String::new();
        for (i, c) in cells.iter().enumerate() {
            if i < 5 {
                let pad = widths[i].saturating_sub(c.chars().count());
                if (2..5).contains(&i) {
                    out.push_str(&" ".repeat(pad));
                    out.push_str(c);
                } else {
                    out.push_str(c);
                    out.push_str(&" ".repeat(pad));
                }
                out.push_str("  ");
            } else {
                out.push_str(c);
            }
        }
        println!("{}", out.trim_end());
    };
    line(header);
    for r in &rows {
        line([&r[0], &r[1], &r[2], &r[3], &r[4], &r[5]]);
    }
    println!(
        "{} of {} file(s) converted{}",
        outcomes.len() - failed,
        outcomes.len(),
        if failed > 0 {
            format!(", {failed} failed")
        } else {
            String::new()
        }
    );
}

#[derive(Clone, Copy, clap::ValueEnum)]
pub(crate) enum UnitFrom {
    /// The folder the file is in.
    Folder,
    /// The file's name without its ending.
    File,
    /// The sheet each item was read from.
    Sheet,
    /// A `Business Unit` (or `Unit`, `BU`, `Division`) column of the file.
    Column,
}

#[derive(clap::Args)]
pub(crate) struct RollupArgs {
    /// Files, folders (walked recursively) or glob patterns.
    #[arg(required = true, value_name = "INPUT")]
    inputs: Vec<PathBuf>,
    /// What to write (as for `poam convert --to`).
    #[arg(long, value_name = "FORMAT")]
    to: String,
    /// Output file.
    #[arg(short, long, value_name = "OUT")]
    output: PathBuf,
    /// Where each item's business unit comes from.
    #[arg(long, value_enum, default_value = "folder")]
    unit_from: UnitFrom,
    /// Show the same weakness (same source identifier and controls) reported
    /// by several units once, with all its assets and units.
    #[arg(long)]
    dedupe: bool,
    /// The date that decides what is overdue in the summary (YYYY-MM-DD; default today).
    #[arg(long, value_name = "DATE")]
    as_of: Option<String>,
    /// Template version for a workbook target.
    #[arg(long, value_name = "VERSION")]
    template_version: Option<String>,
    /// Folder of mapping files, as for `poam batch`.
    #[arg(long, value_name = "DIR")]
    mapping_dir: Option<PathBuf>,
    /// Add columns the template lacks (the business unit, kept columns) after its last column.
    #[arg(long)]
    keep_extra: bool,
    /// Replace OUT if it exists.
    #[arg(long)]
    force: bool,
    #[command(flatten)]
    read: ReadArgs,
}

fn unit_name(job: &Job, from: UnitFrom) -> String {
    match from {
        UnitFrom::File => job
            .input
            .file_stem()
            .map(|s| s.to_string_lossy().to_string())
            .unwrap_or_default(),
        _ => job
            .input
            .parent()
            .and_then(|p| p.file_name())
            .map(|s| s.to_string_lossy().to_string())
            .unwrap_or_else(|| "(top)".to_string()),
    }
}

pub(crate) fn rollup(args: &RollupArgs) -> Result<u8, Failure> {
    let as_of = crate::parse_day("--as-of", &args.as_of)?;
    let output = target_output(&parse_format(&args.to)?, args.template_version.as_deref())?;
    let layout = output.layout();
    if args.output.exists() && !args.force {
        return Err(output_failure(anyhow!(
            "{}: exists already (--force replaces it)",
            args.output.display()
        )));
    }
    // A previous roll-up written inside the input tree is not an input.
    let jobs = collect(&args.inputs, Some(&args.output)).map_err(input_failure)?;
    if jobs.is_empty() {
        return Err(input_failure(anyhow!(
            "no POA&M files found in the inputs given"
        )));
    }
    if jobs.iter().any(|j| same_file(&j.input, &args.output)) {
        return Err(input_failure(anyhow!(
            "{}: the output would replace an input; choose another -o",
            args.output.display()
        )));
    }
    let opts = run_options(&args.read)?;
    // The output inside the input tree is passed over only when it is a
    // previous roll-up (every item tagged with its unit); a unit's own file
    // there is an input, and is never replaced.
    if args.output.is_file() {
        let given = collect(&args.inputs, None).map_err(input_failure)?;
        if given.iter().any(|j| same_file(&j.input, &args.output)) {
            let previous_rollup = import_path(&args.output, &opts).is_ok_and(|i| {
                i.report.sheets.iter().any(|s| s.name == SUMMARY_SHEET)
                    || (!i.poam.items.is_empty()
                        && i.poam.items.iter().all(|it| it.business_unit.is_some()))
            });
            if !previous_rollup {
                return Err(input_failure(anyhow!(
                    "{}: the output would replace an input (a unit's own POA&M, not a previous roll-up); choose another -o",
                    args.output.display()
                )));
            }
        }
    }
    // Every input must be read: a roll-up missing a unit would mislead.
    let read: Vec<Result<(Poam, usize), String>> = jobs
        .par_iter()
        .map(|job| {
            if let Some(problem) = &job.problem {
                return Err(format!("{}: {problem}", job.input.display()));
            }
            let imported = read_one(&job.input, &opts, args.mapping_dir.as_deref())
                .map_err(|e| format!("{e:#}"))?;
            let n = warnings(&imported.diagnostics);
            let mut poam = imported.poam;
            let fallback = poam_model::Text::from(unit_name(job, args.unit_from));
            for item in &mut poam.items {
                let unit = match args.unit_from {
                    UnitFrom::Folder | UnitFrom::File => Some(fallback.clone()),
                    UnitFrom::Sheet => item
                        .origin
                        .as_ref()
                        .and_then(|o| o.sheet.as_deref().map(Into::into)),
                    UnitFrom::Column => item.business_unit.clone(),
                };
                item.business_unit = Some(unit.unwrap_or_else(|| fallback.clone()));
            }
            Ok((poam, n))
        })
        .collect();
    let mut parts = Vec::new();
    let mut problems = Vec::new();
    // Where each input's metadata came from, for the summary sheet.
    let mut inputs_table = vec![[
        "Business unit",
        "File",
        "System",
        "Organization",
        "Impact level",
        "POA&M date",
        "Items",
    ]
    .map(String::from)
    .to_vec()];
    for (job, r) in jobs.iter().zip(read) {
        match r {
            Ok((poam, n)) => {
                let mut units: Vec<&str> = Vec::new();
                for item in &poam.items {
                    if let Some(u) = item.business_unit.as_deref() {
                        if !units.contains(&u) {
                            units.push(u);
                        }
                    }
                }
                let sys = &poam.system;
                inputs_table.push(vec![
                    if units.is_empty() {
                        unit_name(job, args.unit_from)
                    } else {
                        units.join(", ")
                    },
                    job.input.display().to_string(),
                    sys.name.clone().unwrap_or_default(),
                    sys.organization.clone().unwrap_or_default(),
                    sys.impact_level.clone().unwrap_or_default(),
                    sys.poam_date.map(|d| d.to_string()).unwrap_or_default(),
                    poam.items.len().to_string(),
                ]);
                if n > 0 {
                    eprintln!(
                        "{}: {n} warning(s) on reading (poam inspect shows them)",
                        job.input.display()
                    );
                }
                parts.push(poam);
            }
            Err(e) => problems.push(e),
        }
    }
    if !problems.is_empty() {
        return Err(input_failure(anyhow!(
            "{} input(s) could not be read, so nothing was written:\n  {}",
            problems.len(),
            problems.join("\n  ")
        )));
    }
    let markings: std::collections::BTreeSet<&str> = parts
        .iter()
        .filter_map(|p| p.system.marking.as_deref())
        .collect();
    if markings.len() > 1 {
        eprintln!(
            "warning: the units carry different markings ({}): the roll-up carries none of them; set the one it needs with --marking",
            markings.into_iter().collect::<Vec<_>>().join("; ")
        );
    }
    let result = poam_ops::rollup::rollup(
        parts,
        &poam_ops::rollup::RollupOptions {
            dedupe: args.dedupe,
            as_of,
        },
    );
    let rows = poam_ops::rollup::unit_table(&result.units);
    let mut opts = write_options(args.keep_extra, false);
    if let Some(layout) = layout {
        // The summary: what was rolled up, as of when, by unit with totals,
        // and where each unit's header metadata came from.
        let mut by_unit = rows.clone();
        let columns = by_unit.first().map_or(0, Vec::len);
        let mut total = vec!["Total".to_string()];
        for c in 1..columns {
            let sum: u64 = by_unit
                .iter()
                .skip(1)
                .filter_map(|r| r.get(c).and_then(|v| v.parse::<u64>().ok()))
                .sum();
            total.push(sum.to_string());
        }
        by_unit.push(total);
        let units: Vec<&str> = result.units.iter().map(|u| u.unit.as_str()).collect();
        let organization = match &result.poam.system.organization {
            Some(o) => format!("Organization: {o}"),
            None => "Organization: as each unit's file gives it (below)".to_string(),
        };
        let mut heading = vec![
            format!("POA&M roll-up of {} business unit(s)", units.len()),
            format!("Units: {}", units.join(", ")),
            format!("As of: {as_of}"),
            organization,
            format!("Inputs: {} file(s), listed below", jobs.len()),
        ];
        if !layout.rules.extra_columns {
            heading.push(format!(
                "Each item's unit is not in the {} sheets ({} takes no extra column); it is in the JSON and CSV forms of the roll-up",
                layout.family_label(),
                layout.family_label()
            ));
        }
        opts.xlsx.extra_sheets = vec![poam_export::xlsx::ExtraSheet {
            name: SUMMARY_SHEET.to_string(),
            heading,
            tables: vec![by_unit, inputs_table],
        }];
        opts.xlsx.unit_column = true;
    }
    let written = poam_export::write(&result.poam, output, &opts).map_err(output_failure)?;
    if let Some(dir) = args.output.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)
            .with_context(|| format!("{}: cannot create the folder", dir.display()))
            .map_err(output_failure)?;
    }
    // Without --force, created only where there is none.
    poam_export::stage_bytes(&args.output, &written.bytes)
        .and_then(|s| s.commit(args.force))
        .map_err(output_failure)?;
    crate::print_diagnostics(&args.output, &written.diagnostics, true, layout);
    for r in &result.renamed {
        eprintln!(
            "{}: POA&M ID {} is also used by another input; now {}",
            r.unit, r.from, r.to
        );
    }
    for m in &result.merged {
        eprintln!(
            "merged {} into {} (same weakness {} on {} in {})",
            m.merged.join(", "),
            m.kept,
            m.source_identifier,
            m.controls.join(", "),
            m.units.join(", ")
        );
    }
    // The summary by unit, on stdout.
    for row in &rows {
        println!("{}", row.join("\t"));
    }
    eprintln!(
        "wrote {}: {} item(s) from {} unit(s), {} renamed, {} merged",
        args.output.display(),
        result.poam.items.len(),
        result.units.len(),
        result.renamed.len(),
        result.merged.iter().map(|m| m.merged.len()).sum::<usize>()
    );
    Ok(0)
}
