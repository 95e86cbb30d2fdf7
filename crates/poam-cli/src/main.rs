//! `poam`: convert and inspect POA&M files.
//!
//! This crate is only the command line: argument parsing (clap), messages and
//! exit codes. All real work lives in poam-import, poam-export and
//! poam-layout.

mod batch;
mod diff;
mod page;
mod pipeline;

use anyhow::{bail, Context, Result};
use clap::{Parser, Subcommand, ValueEnum};
use page::Page;
use poam_export::{csv_out, save_atomic, xlsx, Format, Output, WriteOptions};
use poam_import::{import_path, ImportError, ImportOptions, Imported};
use poam_layout::{Layout, Registry};
use poam_model::date::DateOrder;
use poam_model::{Diagnostic, Severity};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::{Arc, OnceLock};

/// Exit code: the input could not be read, or the command was misused.
const EXIT_INPUT: u8 = 2;
/// Exit code: the output could not be written.
const EXIT_OUTPUT: u8 = 3;
/// The version of the JSON that `inspect --format json` and `--report-json`
/// write (docs/formats.md); raised when a key changes meaning or goes away.
const JSON_FORMAT_VERSION: u32 = 1;
/// Exit code: done, but `--strict` was given and there were warnings.
const EXIT_STRICT: u8 = 1;

#[derive(Parser)]
#[command(
    name = "poam",
    version,
    about = "Read, normalize and write POA&M (Plan of Action and Milestones) files",
    long_about = "Read POA&M files (FedRAMP every version since 2018, DoD eMASS and its Navy, Army \
and Marine Corps variants, the NIST SP 800-171 plan of action, OSCAL, and home-grown trackers), \
normalize them into one model, check them, and write the layout a reviewer or eMASS accepts.\n\n\
Examples:\n  poam inspect my-poam.xlsx\n  poam convert my-poam.xlsx --to fedramp -o submission.xlsx\n  \
poam convert my-poam.xlsx --to emass --template-version navy-2026 -o emass.xlsx\n  \
poam validate my-poam.xlsx --policy fedramp\n  poam batch units/ --to fedramp --out-dir submitted/\n  \
poam rollup units/ --to fedramp -o all-units.xlsx\n  poam diff october.xlsx november.xlsx"
)]
struct Cli {
    #[command(flatten)]
    layouts: LayoutArgs,
    #[command(subcommand)]
    command: Command,
}

/// Where layouts beyond the built-in ones come from. Every command takes
/// these; `POAM_LAYOUT_DIR` names a folder read on every run.
#[derive(clap::Args)]
struct LayoutArgs {
    /// A layout file of your own (TOML, as in templates/): read and written
    /// like the built-in ones, no rebuild. May be repeated.
    #[arg(long = "layout", value_name = "FILE", global = true)]
    layout_files: Vec<PathBuf>,
    /// A folder of layout files (every .toml in it and below). May be repeated.
    #[arg(long = "layout-dir", value_name = "DIR", global = true)]
    layout_dirs: Vec<PathBuf>,
}

/// What the arguments resolve to once per run, before any file is read.
struct Config {
    /// The built-in layouts and the user's.
    registry: Arc<Registry>,
}

static CONFIG: OnceLock<Config> = OnceLock::new();

/// The run's configuration (set in `main` before any command runs).
fn config() -> &'static Config {
    CONFIG.get().expect("configuration resolved in main")
}

/// The built-in layouts, then `POAM_LAYOUT_DIR`, then `--layout-dir`, then
/// `--layout`: a later file of a built-in family and version replaces it.
fn resolve_layouts(args: &LayoutArgs) -> Result<Registry> {
    let mut registry = Registry::with_builtin();
    if let Some(dir) = std::env::var_os(poam_layout::LAYOUT_DIR_ENV).filter(|d| !d.is_empty()) {
        let dir = PathBuf::from(dir);
        if !dir.is_dir() {
            bail!(
                "{}: not a folder ({} names it as the folder of your layout files)",
                dir.display(),
                poam_layout::LAYOUT_DIR_ENV
            );
        }
        registry.add_dir(&dir)?;
    }
    for dir in &args.layout_dirs {
        if !dir.is_dir() {
            bail!("{}: not a folder (--layout-dir)", dir.display());
        }
        registry.add_dir(dir)?;
    }
    for file in &args.layout_files {
        registry.add_file(file)?;
    }
    Ok(registry)
}

#[derive(Subcommand)]
enum Command {
    /// Convert a POA&M file to another format or template version.
    Convert(ConvertArgs),
    /// Show how a file is read: layout, sheets, header rows, column mapping, diagnostics.
    Inspect(InspectArgs),
    /// Write a report a reviewer reads: summary, overdue items, charts, one section per open item.
    Report(ReportArgs),
    /// Link items to the System Security Plan and list where the two disagree.
    Link(LinkArgs),
    /// Check deadlines (by policy), template rules and control ids.
    Validate(ValidateArgs),
    /// The NIST SP 800-171 (SPRS) score of an 800-171 / CMMC POA&M, and CMMC Level 2 eligibility.
    Score(ScoreArgs),
    /// Convert many files (folders, patterns) to one or more formats, in parallel.
    Batch(batch::BatchArgs),
    /// Roll the POA&Ms of several business units up into one.
    Rollup(batch::RollupArgs),
    /// What changed between two POA&Ms of one system (last month's and this month's).
    Diff(diff::DiffArgs),
    /// List the template layouts and versions (built-in and your own) and where each comes from.
    Layouts,
}

/// `--to`, resolved against the layout registry.
pub(crate) fn parse_format(name: &str) -> Result<Format, Failure> {
    Format::parse(name, &config().registry).map_err(input_failure)
}

#[derive(Clone, Copy, ValueEnum)]
enum ReportFormat {
    /// Markdown.
    Md,
    /// One self-contained HTML page with charts.
    Html,
    /// A Word document (.docx).
    Docx,
}

#[derive(Clone, Copy, ValueEnum)]
enum LinkFormat {
    Text,
    Json,
    Md,
}

#[derive(clap::Args)]
struct LinkArgs {
    /// The POA&M file to read.
    input: PathBuf,
    /// The System Security Plan: Word (.docx: FedRAMP Rev 5 Appendix A, Rev 4 SSP, NIST SP 800-171) or OSCAL JSON.
    #[arg(long, value_name = "SSP")]
    ssp: PathBuf,
    /// Output format.
    #[arg(long, value_enum, default_value = "text")]
    format: LinkFormat,
    #[command(flatten)]
    read: ReadArgs,
}

#[derive(clap::Args)]
struct ValidateArgs {
    /// The POA&M file to read.
    input: PathBuf,
    /// Remediation policy: fedramp, dod, cms, cmmc, or a policy file (TOML).
    #[arg(long, value_name = "POLICY")]
    policy: Option<String>,
    /// The day that decides what is overdue (YYYY-MM-DD); today by default.
    #[arg(long, value_name = "DATE")]
    as_of: Option<String>,
    /// Template rules to apply: fedramp or emass (by default the input's own family).
    #[arg(long, value_name = "TEMPLATE")]
    template: Option<String>,
    /// Output format.
    #[arg(long, value_enum, default_value = "text")]
    format: LinkFormat,
    #[command(flatten)]
    read: ReadArgs,
}

#[derive(clap::Args)]
struct ScoreArgs {
    /// The POA&M file to read (NIST SP 800-171 / CMMC).
    input: PathBuf,
    /// The Conditional CMMC Status date (YYYY-MM-DD); items must close within 180 days of it. Today by default.
    #[arg(long, value_name = "DATE")]
    conditional_date: Option<String>,
    /// Output format.
    #[arg(long, value_enum, default_value = "text")]
    format: LinkFormat,
    #[command(flatten)]
    read: ReadArgs,
}

#[derive(clap::Args)]
struct ReportArgs {
    /// The POA&M file to read.
    input: PathBuf,
    /// Report format.
    #[arg(long, value_enum, default_value = "html")]
    format: ReportFormat,
    /// Output file. Required for docx; md and html go to standard output without it.
    #[arg(short, long, value_name = "OUT")]
    output: Option<PathBuf>,
    /// The day that decides what is overdue (YYYY-MM-DD); today by default.
    #[arg(long, value_name = "DATE")]
    as_of: Option<String>,
    /// A folder with your own report.md / report.html templates (minijinja).
    #[arg(long, value_name = "DIR")]
    template_dir: Option<PathBuf>,
    /// Cite the System Security Plan section of each item's controls.
    #[arg(long, value_name = "SSP")]
    ssp: Option<PathBuf>,
    /// Judge overdue items by this policy's deadlines (fedramp, dod, cms, cmmc, or a file);
    /// with cmmc, or for an 800-171 POA&M, the report shows the SPRS score too.
    #[arg(long, value_name = "POLICY")]
    policy: Option<String>,
    #[command(flatten)]
    read: ReadArgs,
}

#[derive(clap::Args, Clone)]
struct ReadArgs {
    /// Read numeric dates such as 03/04/2024 as day first (4 March).
    #[arg(long)]
    day_first: bool,
    /// Skip layout detection: read as this layout, e.g. `fedramp`, `fedramp:2.1`,
    /// `emass:navy-2026`, or `legacy` (by header synonyms).
    #[arg(long, value_name = "LAYOUT")]
    from: Option<String>,
    /// Read with this mapping file (header → field), e.g. one written by
    /// `poam inspect FILE --emit-mapping map.toml`.
    #[arg(long, value_name = "FILE")]
    mapping: Option<PathBuf>,
    /// Recognize the control ids of another framework (a TOML file with name,
    /// title, pattern and canonical; see docs/rules.md). May be repeated.
    #[arg(long = "framework", value_name = "FILE")]
    frameworks: Vec<PathBuf>,
    /// Refuse workbooks of more cells than this (a guard against broken or
    /// hostile files; raise it for very large POA&Ms).
    #[arg(long, value_name = "N", default_value_t = 10_000_000)]
    max_cells: u64,
    /// Refuse .xlsx/.ods/.docx files whose parts inflate past this many MB
    /// (a guard against zip bombs).
    #[arg(long, value_name = "MB", default_value_t = 1024)]
    max_inflated_mb: u64,
}

#[derive(clap::Args)]
struct ConvertArgs {
    /// The POA&M file to read (.xlsx, .xlsm, .xls, .ods, .csv, .json).
    input: PathBuf,
    /// What to write: fedramp (v3.0 unless --template-version says otherwise),
    /// emass (the classic RMF layout unless --template-version says navy-2024,
    /// navy-2026, army-2026 or marine-2026), csv, json, oscal (OSCAL 1.1.2 with
    /// the FedRAMP extensions), nist171-docx (the NIST SP 800-171 plan of
    /// action in Word), or the family of a --layout file.
    #[arg(long, value_name = "FORMAT")]
    to: String,
    /// Output file. Required for workbooks; CSV and JSON go to standard output without it.
    #[arg(short, long, value_name = "OUT")]
    output: Option<PathBuf>,
    /// Template version to write (FedRAMP: 3.0, 2.1, 2.0, 2022-06-23, 2021-11-23,
    /// 2018-01-29; eMASS: rmf-classic, navy-2024, navy-2026, army-2026, marine-2026).
    #[arg(long, value_name = "VERSION")]
    template_version: Option<String>,
    /// Add columns the template lacks (kept in `extra`) after its last column.
    #[arg(long)]
    keep_extra: bool,
    /// Start CSV output with a byte order mark so that Excel shows accents and ® right.
    #[arg(long)]
    excel_bom: bool,
    /// Exit with code 1 when there are warnings.
    #[arg(long)]
    strict: bool,
    /// Link each item to the sections of this System Security Plan (.docx or OSCAL JSON).
    #[arg(long, value_name = "SSP")]
    ssp: Option<PathBuf>,
    /// Also write what was read and what the target could not hold as JSON.
    #[arg(long, value_name = "FILE")]
    report_json: Option<PathBuf>,
    /// Also print informational notes, not only warnings.
    #[arg(short, long)]
    verbose: bool,
    #[command(flatten)]
    read: ReadArgs,
}

#[derive(Clone, Copy, ValueEnum)]
enum InspectFormat {
    Text,
    Json,
}

#[derive(clap::Args)]
struct InspectArgs {
    /// The POA&M file to read.
    input: PathBuf,
    /// Output format.
    #[arg(long, value_enum, default_value = "text")]
    format: InspectFormat,
    /// Exit with code 1 when there are warnings.
    #[arg(long)]
    strict: bool,
    /// Write the column mapping used (or guessed) as a mapping file to edit;
    /// `-` prints it.
    #[arg(long, value_name = "FILE")]
    emit_mapping: Option<PathBuf>,
    #[command(flatten)]
    read: ReadArgs,
}

/// An error with the exit code it should end the program with.
struct Failure {
    code: u8,
    error: anyhow::Error,
}

fn input_failure(e: impl Into<anyhow::Error>) -> Failure {
    Failure {
        code: EXIT_INPUT,
        error: e.into(),
    }
}

fn output_failure(e: impl Into<anyhow::Error>) -> Failure {
    Failure {
        code: EXIT_OUTPUT,
        error: e.into(),
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match resolve_layouts(&cli.layouts) {
        Ok(registry) => {
            let _ = CONFIG.set(Config {
                registry: Arc::new(registry),
            });
        }
        Err(e) => {
            eprintln!("poam: error: {e:#}");
            return ExitCode::from(EXIT_INPUT);
        }
    }
    let result = match cli.command {
        Command::Convert(args) => convert(&args),
        Command::Inspect(args) => inspect(&args),
        Command::Report(args) => report(&args),
        Command::Link(args) => link(&args),
        Command::Validate(args) => validate(&args),
        Command::Score(args) => score(&args),
        Command::Batch(args) => batch::batch(&args),
        Command::Rollup(args) => batch::rollup(&args),
        Command::Diff(args) => diff::diff(&args),
        Command::Layouts => layouts().map_err(output_failure),
    };
    match result {
        Ok(code) => ExitCode::from(code),
        Err(f) => {
            if is_broken_pipe(&f.error) {
                return ExitCode::SUCCESS;
            }
            eprintln!("poam: error: {:#}", f.error);
            ExitCode::from(f.code)
        }
    }
}

fn is_broken_pipe(e: &anyhow::Error) -> bool {
    e.chain().any(|c| {
        c.downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}

fn import_options(read: &ReadArgs) -> Result<ImportOptions, Failure> {
    let (family, version) = match read.from.as_deref() {
        Some(spec) => match spec.split_once(':') {
            Some((f, v)) => (Some(f.trim().to_string()), Some(v.trim().to_string())),
            None => (Some(spec.trim().to_string()), None),
        },
        None => (None, None),
    };
    let mapping = read.mapping.as_deref().map(load_mapping).transpose()?;
    let mut frameworks = Vec::new();
    for path in &read.frameworks {
        let name = path.display().to_string();
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("{name}: cannot read the framework file"))
            .map_err(input_failure)?;
        frameworks
            .push(poam_layout::catalog::Framework::from_toml(&name, &text).map_err(input_failure)?);
    }
    Ok(ImportOptions {
        date_order: if read.day_first {
            DateOrder::DayFirst
        } else {
            DateOrder::MonthFirst
        },
        family,
        version,
        mapping,
        limits: poam_import::Limits {
            max_cells: read.max_cells,
            max_inflated_bytes: read.max_inflated_mb.saturating_mul(1024 * 1024),
        },
        one_thread: false,
        layouts: Some(config().registry.clone()),
        frameworks,
    })
}

/// Reads a mapping file (`--mapping`, or one found beside an input).
pub(crate) fn load_mapping(
    path: &Path,
) -> Result<(poam_layout::mapping::Mapping, String), Failure> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("{}: cannot read the mapping file", path.display()))
        .map_err(input_failure)?;
    let name = path.display().to_string();
    let mapping = poam_layout::mapping::Mapping::from_toml(&name, &text).map_err(input_failure)?;
    Ok((mapping, name))
}

fn read_input(path: &Path, read: &ReadArgs) -> Result<Imported, Failure> {
    import_path(path, &import_options(read)?).map_err(|e| input_failure(with_hint(e)))
}

/// An import error with what the user can do about it on this command line.
#[derive(Debug)]
pub(crate) struct Hinted {
    error: ImportError,
    hint: String,
}

impl std::fmt::Display for Hinted {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}{}", self.error, self.hint)
    }
}

impl std::error::Error for Hinted {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        std::error::Error::source(&self.error)
    }
}

/// The flag that settles an import error, added to its message.
pub(crate) fn with_hint(error: ImportError) -> Hinted {
    let hint = match &error {
        ImportError::Limit {
            limit: poam_import::LimitKind::Cells,
            ..
        } => "; --max-cells raises it".to_string(),
        ImportError::Limit {
            limit: poam_import::LimitKind::InflatedSize,
            ..
        } => "; --max-inflated-mb raises it".to_string(),
        ImportError::Ambiguous { file, .. } => format!(
            ". Settle it with --from LAYOUT (`poam layouts` lists them; `--from legacy` reads by header synonyms) or --mapping FILE (`poam inspect {file} --emit-mapping map.toml` writes one to edit)"
        ),
        _ => String::new(),
    };
    Hinted { error, hint }
}

/// What a user can do about a diagnostic, as a flag of this command line.
fn hint(d: &Diagnostic, layout: Option<&Layout>) -> &'static str {
    match &d.kind {
        poam_model::DiagKind::DroppedField {
            lost: poam_model::diag::Lost::ExtraColumn(_),
            ..
        } if layout.is_some_and(|l| l.rules.extra_columns) => {
            "; --keep-extra adds it after the last column"
        }
        _ => "",
    }
}

fn print_diagnostics(file: &Path, diags: &[Diagnostic], verbose: bool, layout: Option<&Layout>) {
    let shown: Vec<&Diagnostic> = diags
        .iter()
        .filter(|d| verbose || d.severity() == Severity::Warning)
        .collect();
    const LIMIT: usize = 50;
    let mut err = std::io::stderr().lock();
    for d in shown.iter().take(LIMIT) {
        let level = match d.severity() {
            Severity::Warning => "warning",
            Severity::Info => "note",
        };
        let _ = writeln!(err, "{level}: {}: {d}{}", file.display(), hint(d, layout));
    }
    if shown.len() > LIMIT {
        let _ = writeln!(
            err,
            "... and {} more; `poam inspect {}` lists them all",
            shown.len() - LIMIT,
            file.display()
        );
    }
}

fn warnings(diags: &[Diagnostic]) -> usize {
    diags
        .iter()
        .filter(|d| d.severity() == Severity::Warning)
        .count()
}

fn convert(args: &ConvertArgs) -> Result<u8, Failure> {
    if let Some(out) = &args.output {
        if same_file(out, &args.input) {
            return Err(input_failure(anyhow::anyhow!(
                "{}: the output would replace the input; choose another -o",
                out.display()
            )));
        }
    }
    let format = parse_format(&args.to)?;
    let output = target_output(&format, args.template_version.as_deref())?;
    if format.is_binary() && args.output.is_none() {
        return Err(input_failure(anyhow::anyhow!(
            "a {} file cannot go to the terminal; add -o OUT.{}",
            format.name(),
            output.extension()
        )));
    }
    let layout = output.layout();
    // A file out, no SSP to link, no columns gathered from every item: the
    // reader hands items to the writer as it goes (reading and writing at
    // once, the items never all held).
    let piped = match (output, &args.output) {
        _ if args.ssp.is_some() => None,
        (_, None) => None,
        (Output::Workbook(layout), Some(out)) if !args.keep_extra => {
            Some((pipeline::Output::Xlsx(layout), out))
        }
        (Output::Workbook(_), Some(_)) => None,
        (Output::Csv, Some(out)) => Some((
            pipeline::Output::Csv {
                excel_bom: args.excel_bom,
            },
            out,
        )),
        (Output::Json, Some(out)) => Some((pipeline::Output::Json, out)),
        (Output::Oscal | Output::Nist171Docx, Some(_)) => None,
    };
    if let Some((output, out)) = piped {
        let opts = import_options(&args.read)?;
        let done = pipeline::convert(&args.input, &opts, output, out).map_err(|e| match e {
            pipeline::PipeError::Read(e) => input_failure(with_hint(e)),
            pipeline::PipeError::Write(e) => output_failure(e),
        })?;
        let counts = (done.open, done.closed);
        return conversion_done(args, layout, &done.imported, &done.written, counts, None);
    }
    let mut imported = read_input(&args.input, &args.read)?;
    if let Some(ssp) = &args.ssp {
        let index = poam_ssp::read_ssp(ssp).map_err(input_failure)?;
        poam_ssp::link(&mut imported.poam, &index);
    }
    // OSCAL streams straight to its file: a large POA&M is never held twice
    // (as the model and as the output).
    let streamed = matches!(output, Output::Oscal) && args.output.is_some();
    let written = if streamed {
        poam_export::Written {
            bytes: Vec::new(),
            diagnostics: Vec::new(),
        }
    } else {
        poam_export::write(
            &imported.poam,
            output,
            &write_options(args.keep_extra, args.excel_bom),
        )
        .map_err(output_failure)?
    };
    if let Some(out) = &args.output {
        if streamed {
            poam_export::save_atomic_with(out, |f| {
                poam_export::oscal_out::write_oscal_to(&imported.poam, f)
            })
            .map_err(output_failure)?;
        } else {
            save_atomic(out, &written.bytes).map_err(output_failure)?;
        }
    }
    let counts = (imported.poam.open_count(), imported.poam.closed_count());
    let stdout = args.output.is_none().then_some(written.bytes.as_slice());
    conversion_done(
        args,
        layout,
        &imported,
        &written.diagnostics,
        counts,
        stdout,
    )
}

/// After a conversion: the `--report-json`, the diagnostics, the summary
/// line (or the output itself on standard output), the exit code.
fn conversion_done(
    args: &ConvertArgs,
    layout: Option<&Layout>,
    imported: &Imported,
    written: &[Diagnostic],
    (open, closed): (usize, usize),
    stdout: Option<&[u8]>,
) -> Result<u8, Failure> {
    let mut diags = imported.diagnostics.clone();
    let read_count = diags.len();
    diags.extend(written.iter().cloned());
    if let Some(path) = &args.report_json {
        let report = serde_json::json!({
            "format_version": JSON_FORMAT_VERSION,
            "input": args.input.display().to_string(),
            "output": args.output.as_ref().map(|o| o.display().to_string()),
            "target": Format::parse(&args.to, &config().registry).map(|f| f.name().to_string()).unwrap_or_default(),
            "template": layout.map(|l| l.label()),
            "read_as": imported.report.layout,
            "open_items": open,
            "closed_items": closed,
            "read_diagnostics": &diags[..read_count],
            "conversion": &diags[read_count..],
        });
        let mut text = serde_json::to_vec_pretty(&report).map_err(output_failure)?;
        text.push(b'\n');
        save_atomic(path, &text).map_err(output_failure)?;
    }
    print_diagnostics(&args.input, &diags[..read_count], args.verbose, None);
    // What the target could not hold is always shown, notes included.
    print_diagnostics(&args.input, &diags[read_count..], true, layout);
    match (&args.output, stdout) {
        (Some(out), _) => eprintln!(
            "wrote {}: {open} open, {closed} closed item(s){}",
            out.display(),
            match warnings(&diags) {
                0 => String::new(),
                n => format!(", {n} warning(s)"),
            }
        ),
        (None, Some(bytes)) => {
            let mut stdout = std::io::stdout().lock();
            stdout
                .write_all(bytes)
                .and_then(|_| stdout.flush())
                .map_err(output_failure)?;
        }
        (None, None) => {}
    }
    Ok(if args.strict && warnings(&diags) > 0 {
        EXIT_STRICT
    } else {
        0
    })
}

/// What a format writes with `--template-version`, from the run's registry.
pub(crate) fn target_output(
    format: &Format,
    version: Option<&str>,
) -> Result<Output<'static>, Failure> {
    format
        .resolve(&config().registry, version)
        .map_err(input_failure)
}

/// The writers' options from the flags every converting command has.
pub(crate) fn write_options(keep_extra: bool, excel_bom: bool) -> WriteOptions {
    WriteOptions {
        xlsx: xlsx::XlsxOptions {
            keep_extra,
            extra_sheets: Vec::new(),
        },
        csv: csv_out::CsvOptions { excel_bom },
    }
}

fn same_file(a: &Path, b: &Path) -> bool {
    match (a.canonicalize(), b.canonicalize()) {
        (Ok(x), Ok(y)) => x == y,
        _ => false,
    }
}

fn inspect(args: &InspectArgs) -> Result<u8, Failure> {
    let imported = read_input(&args.input, &args.read)?;
    if let Some(target) = &args.emit_mapping {
        let text = emit_mapping(&args.input, &imported);
        if target.as_os_str() == "-" {
            std::io::stdout()
                .lock()
                .write_all(text.as_bytes())
                .map_err(output_failure)?;
            return Ok(0);
        }
        save_atomic(target, text.as_bytes()).map_err(output_failure)?;
        eprintln!(
            "wrote {}: edit it, then use `--mapping {}`",
            target.display(),
            target.display()
        );
    }
    let mut out = String::new();
    match args.format {
        InspectFormat::Json => {
            let value = serde_json::json!({
                "format_version": JSON_FORMAT_VERSION,
                "file": args.input.display().to_string(),
                "read": imported.report,
                "open_items": imported.poam.open_count(),
                "closed_items": imported.poam.closed_count(),
                "system": imported.poam.system,
                "diagnostics": imported.diagnostics,
            });
            out.push_str(&serde_json::to_string_pretty(&value).map_err(output_failure)?);
            out.push('\n');
        }
        InspectFormat::Text => out = inspect_text(&args.input, &imported),
    }
    let mut stdout = std::io::stdout().lock();
    stdout.write_all(out.as_bytes()).map_err(output_failure)?;
    Ok(if args.strict && warnings(&imported.diagnostics) > 0 {
        EXIT_STRICT
    } else {
        0
    })
}

fn report(args: &ReportArgs) -> Result<u8, Failure> {
    use poam_export::report::{build, render, ReportOptions, TextFormat};
    if matches!(args.format, ReportFormat::Docx) && args.output.is_none() {
        return Err(input_failure(anyhow::anyhow!(
            "a Word report cannot go to the terminal; add -o OUT.docx"
        )));
    }
    if let Some(out) = &args.output {
        if same_file(out, &args.input) {
            return Err(input_failure(anyhow::anyhow!(
                "{}: the output would replace the input; choose another -o",
                out.display()
            )));
        }
    }
    let as_of = match &args.as_of {
        Some(text) => poam_model::date::parse_date_text(text, DateOrder::MonthFirst)
            .with_context(|| format!("--as-of: \"{text}\" is not a date (use YYYY-MM-DD)"))
            .map_err(input_failure)?,
        None => today(),
    };
    let mut imported = read_input(&args.input, &args.read)?;
    if let Some(ssp) = &args.ssp {
        let index = poam_ssp::read_ssp(ssp).map_err(input_failure)?;
        poam_ssp::link(&mut imported.poam, &index);
    }
    print_diagnostics(&args.input, &imported.diagnostics, false, None);
    let policy = args.policy.as_deref().map(load_policy).transpose()?;
    let mut opts = ReportOptions {
        as_of,
        ..ReportOptions::default()
    };
    if let Some(p) = &policy {
        opts.policy = Some(p.title.clone());
        opts.due = Some(imported.poam.items.iter().map(|i| p.due(i)).collect());
        if p.cmmc.is_some() || poam_rules::is_sp800_171(&imported.poam) {
            let sc = poam_rules::score(
                &imported.poam,
                &poam_rules::ScoreOptions {
                    conditional_date: as_of,
                    ..Default::default()
                },
            );
            opts.score = Some(sc.summary());
        }
    }
    let data = build(&imported.poam, &opts);
    let bytes = match args.format {
        ReportFormat::Md => render(&data, TextFormat::Markdown, args.template_dir.as_deref())
            .map_err(input_failure)?
            .into_bytes(),
        ReportFormat::Html => render(&data, TextFormat::Html, args.template_dir.as_deref())
            .map_err(input_failure)?
            .into_bytes(),
        ReportFormat::Docx => {
            poam_export::docx_out::write_report_docx(&data)
                .map_err(output_failure)?
                .bytes
        }
    };
    match &args.output {
        Some(out) => {
            save_atomic(out, &bytes).map_err(output_failure)?;
            eprintln!(
                "wrote {}: {} open ({} overdue as of {}), {} closed item(s)",
                out.display(),
                data.open,
                data.overdue,
                data.as_of,
                data.closed
            );
        }
        None => {
            let mut stdout = std::io::stdout().lock();
            stdout
                .write_all(&bytes)
                .and_then(|_| stdout.flush())
                .map_err(output_failure)?;
        }
    }
    Ok(0)
}

/// Exit code of `poam link` when the SSP and the POA&M disagree.
const EXIT_FINDINGS: u8 = 1;

fn link(args: &LinkArgs) -> Result<u8, Failure> {
    let mut imported = read_input(&args.input, &args.read)?;
    let index = poam_ssp::read_ssp(&args.ssp).map_err(input_failure)?;
    poam_ssp::link(&mut imported.poam, &index);
    let findings = poam_ssp::check(&imported.poam, &index);
    let kinds = [
        poam_ssp::FindingKind::GapWithoutItem,
        poam_ssp::FindingKind::ItemWithoutSection,
        poam_ssp::FindingKind::ClosedButGap,
        poam_ssp::FindingKind::OpenButImplemented,
        poam_ssp::FindingKind::DateMismatch,
    ];
    let (controls, enhancements) = index.counts();
    let linked = imported
        .poam
        .items
        .iter()
        .flat_map(|i| &i.ssp_refs)
        .filter(|r| r.section.is_some())
        .count();
    let out = match args.format {
        LinkFormat::Json => {
            let counts: serde_json::Map<String, serde_json::Value> = kinds
                .iter()
                .map(|k| {
                    (
                        serde_json::to_value(k)
                            .ok()
                            .and_then(|v| v.as_str().map(String::from))
                            .unwrap_or_default(),
                        serde_json::json!(findings.iter().filter(|f| f.kind == *k).count()),
                    )
                })
                .collect();
            let v = serde_json::json!({
                "poam": args.input.display().to_string(),
                "ssp": args.ssp.display().to_string(),
                "ssp_kind": index.kind,
                "ssp_sections": index.sections.len(),
                "links": linked,
                "counts": counts,
                "findings": findings,
                "items": imported.poam.items.iter().map(|i| serde_json::json!({"id": i.id, "ssp_refs": i.ssp_refs})).collect::<Vec<_>>(),
            });
            serde_json::to_string_pretty(&v).map_err(output_failure)? + "\n"
        }
        LinkFormat::Text | LinkFormat::Md => {
            let mut page = Page::new(matches!(args.format, LinkFormat::Md));
            page.title(&format!(
                "SSP {} ({}): {} sections ({controls} controls, {enhancements} enhancements); {linked} control link(s) found",
                args.ssp.display(),
                index.kind,
                index.sections.len()
            ));
            page.para(&format!("{} finding(s)", findings.len()));
            for kind in kinds {
                let mine: Vec<&poam_ssp::Finding> =
                    findings.iter().filter(|f| f.kind == kind).collect();
                page.section(&format!("{} ({})", kind.title(), mine.len()));
                for f in mine {
                    page.item(&f.message);
                }
            }
            page.finish()
        }
    };
    let mut stdout = std::io::stdout().lock();
    stdout.write_all(out.as_bytes()).map_err(output_failure)?;
    Ok(if findings.is_empty() {
        0
    } else {
        EXIT_FINDINGS
    })
}

fn parse_day(flag: &str, text: &Option<String>) -> Result<poam_model::date::Date, Failure> {
    match text {
        Some(t) => poam_model::date::parse_date_text(t, DateOrder::MonthFirst)
            .with_context(|| format!("{flag}: \"{t}\" is not a date (use YYYY-MM-DD)"))
            .map_err(input_failure),
        None => Ok(today()),
    }
}

fn load_policy(name: &str) -> Result<poam_rules::Policy, Failure> {
    let path = Path::new(name);
    if path.is_file() {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("{name}: cannot read the policy file"))
            .map_err(input_failure)?;
        return poam_rules::Policy::from_toml(name, &text).map_err(input_failure);
    }
    poam_rules::Policy::builtin(name).map_err(input_failure)
}

fn validate(args: &ValidateArgs) -> Result<u8, Failure> {
    let as_of = parse_day("--as-of", &args.as_of)?;
    let policy = args.policy.as_deref().map(load_policy).transpose()?;
    let imported = read_input(&args.input, &args.read)?;
    let registry = &config().registry;
    // The input's own layout when it is of the family asked for (or when no
    // family is asked for), else that family's default version.
    let own = imported
        .report
        .layout
        .as_deref()
        .and_then(|l| l.split_once(' '))
        .and_then(|(family, version)| registry.find(family, Some(version)));
    let template = match args.template.as_deref() {
        None => own,
        Some(name) => {
            let (family, version) = match name.split_once(':') {
                Some((f, v)) => (f.trim(), Some(v.trim())),
                None => (name.trim(), None),
            };
            let own = own.filter(|l| version.is_none() && l.family.eq_ignore_ascii_case(family));
            Some(own.map_or_else(
                || {
                    registry.find(family, version).ok_or_else(|| {
                        input_failure(anyhow::anyhow!(
                            "--template {name}: no such layout; choose one of: {}",
                            registry.families().join(", ")
                        ))
                    })
                },
                Ok,
            )?)
        }
    };
    let findings = poam_rules::validate(
        &imported.poam,
        &poam_rules::ValidateOptions {
            as_of,
            policy: policy.clone(),
            template,
            registry,
        },
    );
    let errors = findings
        .iter()
        .filter(|f| f.severity == poam_rules::Level::Error)
        .count();
    let out = match args.format {
        LinkFormat::Json => {
            let v = serde_json::json!({
                "file": args.input.display().to_string(),
                "policy": policy.as_ref().map(|p| p.name.clone()),
                "as_of": as_of.to_string(),
                "counts": poam_rules::by_rule(&findings),
                "findings": findings,
            });
            serde_json::to_string_pretty(&v).map_err(output_failure)? + "\n"
        }
        LinkFormat::Text | LinkFormat::Md => {
            let mut page = Page::new(matches!(args.format, LinkFormat::Md));
            page.title(&format!(
                "{}: {} finding(s), {errors} error(s){}, as of {as_of}",
                args.input.display(),
                findings.len(),
                policy
                    .as_ref()
                    .map(|p| format!(", policy {}", p.title))
                    .unwrap_or_default()
            ));
            for level in [
                poam_rules::Level::Error,
                poam_rules::Level::Warning,
                poam_rules::Level::Info,
            ] {
                let mine: Vec<&poam_rules::Finding> =
                    findings.iter().filter(|f| f.severity == level).collect();
                if mine.is_empty() {
                    continue;
                }
                let word = match level {
                    poam_rules::Level::Error => "Errors",
                    poam_rules::Level::Warning => "Warnings",
                    poam_rules::Level::Info => "Notes",
                };
                page.section(&format!("{word} ({})", mine.len()));
                for f in mine {
                    let place = f
                        .location
                        .as_ref()
                        .map(|l| format!(" [{l}]"))
                        .unwrap_or_default();
                    page.item(&format!("{}: {}{place}", f.rule, f.message));
                }
            }
            page.finish()
        }
    };
    let mut stdout = std::io::stdout().lock();
    stdout.write_all(out.as_bytes()).map_err(output_failure)?;
    Ok(if errors > 0 { EXIT_FINDINGS } else { 0 })
}

fn score(args: &ScoreArgs) -> Result<u8, Failure> {
    let conditional_date = parse_day("--conditional-date", &args.conditional_date)?;
    let imported = read_input(&args.input, &args.read)?;
    let report = poam_rules::score(
        &imported.poam,
        &poam_rules::ScoreOptions {
            conditional_date,
            ..Default::default()
        },
    );
    let out = match args.format {
        LinkFormat::Json => serde_json::to_string_pretty(&report).map_err(output_failure)? + "\n",
        LinkFormat::Text | LinkFormat::Md => {
            let mut page = Page::new(matches!(args.format, LinkFormat::Md));
            page.title(&format!(
                "NIST SP 800-171 DoD Assessment score: {}",
                match report.score {
                    Some(s) => format!("{s} of {}", report.maximum),
                    None => "none".into(),
                }
            ));
            if let Some(reason) = &report.no_score_reason {
                page.para(reason);
            }
            page.para(&format!(
                "Conditional CMMC Level 2: {} (score {} the minimum {}; {} ineligible item(s)); POA&M closeout by {}",
                if report.eligible { "eligible" } else { "not eligible" },
                if report.passes { "meets" } else { "is below" },
                report.minimum,
                report.ineligible.len(),
                report.closeout_deadline
            ));
            page.section(&format!("Requirements not met ({})", report.unmet.len()));
            for u in &report.unmet {
                page.item(&format!(
                    "{} ({}): -{}{} — {}",
                    u.requirement,
                    u.cmmc,
                    u.points
                        .map_or("0 (no score)".to_string(), |p| p.to_string()),
                    if u.partial {
                        ", partly met (as the item's text says)"
                    } else {
                        ""
                    },
                    u.items.join(", ")
                ));
            }
            if !report.ineligible.is_empty() {
                page.section(&format!("Ineligible items ({})", report.ineligible.len()));
                for i in &report.ineligible {
                    page.item(&format!("{} ({}): {}", i.item, i.requirement, i.reason));
                }
            }
            if !report.unscored_items.is_empty() {
                page.line(&format!(
                    "\nNot scored (no SP 800-171 requirement named): {}",
                    report.unscored_items.join(", ")
                ));
            }
            page.finish()
        }
    };
    let mut stdout = std::io::stdout().lock();
    stdout.write_all(out.as_bytes()).map_err(output_failure)?;
    Ok(if report.eligible { 0 } else { EXIT_FINDINGS })
}

/// Today's date (UTC), from the system clock.
fn today() -> poam_model::date::Date {
    let days = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() / 86_400);
    poam_model::date::from_excel_serial(25_569.0 + days as f64).unwrap_or_default()
}

/// The mapping a file was read with, as a mapping file to edit.
fn emit_mapping(path: &Path, imported: &Imported) -> String {
    let mut columns = Vec::new();
    let mut sheets = Vec::new();
    for sheet in &imported.report.sheets {
        let (Some(row), Some(role)) = (sheet.header_row, sheet.role.as_deref()) else {
            continue;
        };
        let role = match role {
            "closed" => poam_layout::SheetRole::Closed,
            "configuration" => poam_layout::SheetRole::Configuration,
            _ => poam_layout::SheetRole::Open,
        };
        sheets.push((sheet.name.clone(), row, role));
        for c in &sheet.columns {
            columns.push((c.header.clone(), c.field.clone()));
        }
    }
    poam_layout::mapping::mapping_toml(&path.display().to_string(), &columns, &sheets)
}

fn inspect_text(path: &Path, imported: &Imported) -> String {
    use std::fmt::Write as _;
    let r = &imported.report;
    let mut s = String::new();
    let _ = writeln!(s, "file:    {}", path.display());
    let _ = writeln!(
        s,
        "layout:  {}",
        match (&r.layout, &r.layout_name) {
            (Some(l), Some(n)) => format!("{l} ({n})"),
            (Some(l), None) => l.clone(),
            _ => "unknown".into(),
        }
    );
    for e in &r.evidence {
        let _ = writeln!(s, "         evidence: {e}");
    }
    if r.candidates.len() > 1 {
        let others: Vec<String> = r
            .candidates
            .iter()
            .skip(1)
            .take(3)
            .map(|c| format!("{} ({})", c.layout, c.score))
            .collect();
        let _ = writeln!(
            s,
            "         score {} against {}",
            r.candidates[0].score,
            others.join(", ")
        );
    }
    let sys = &imported.poam.system;
    let _ = writeln!(
        s,
        "system:  {} / {} / impact {} / POA&M date {}",
        sys.organization.as_deref().unwrap_or("-"),
        sys.name.as_deref().unwrap_or("-"),
        sys.impact_level.as_deref().unwrap_or("-"),
        sys.poam_date.map_or("-".to_string(), |d| d.to_string())
    );
    let _ = writeln!(
        s,
        "items:   {} open, {} closed",
        imported.poam.open_count(),
        imported.poam.closed_count()
    );
    for sheet in &r.sheets {
        let _ = writeln!(s);
        let _ = write!(s, "sheet '{}'", sheet.name);
        if let Some(role) = &sheet.role {
            let _ = write!(s, " ({role})");
        }
        if let Some(h) = sheet.header_row {
            let _ = write!(s, ": header row {h}, {} item(s)", sheet.items);
        }
        if let Some(note) = &sheet.note {
            let _ = write!(s, " [{note}]");
        }
        let _ = writeln!(s);
        for c in &sheet.columns {
            let _ = writeln!(
                s,
                "  {:>3}  {:<45} -> {}",
                c.column,
                c.header.replace('\n', " "),
                c.field.as_deref().unwrap_or("extra")
            );
        }
    }
    let _ = writeln!(s);
    if imported.diagnostics.is_empty() {
        let _ = writeln!(s, "diagnostics: none");
    } else {
        let _ = writeln!(
            s,
            "diagnostics: {} ({} warning(s))",
            imported.diagnostics.len(),
            warnings(&imported.diagnostics)
        );
        for d in &imported.diagnostics {
            let level = match d.severity() {
                Severity::Warning => "warning",
                Severity::Info => "note",
            };
            let _ = writeln!(s, "  {level}: {d}");
        }
    }
    s
}

fn layouts() -> Result<u8> {
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
