//! `poam`: convert and inspect POA&M files.
//!
//! This crate is only the command line: argument parsing (clap), messages,
//! hints about flags, and exit codes; one module per command. The arguments
//! every command shares (the layout registry) are resolved once into a
//! [`Config`] before any file is read. All real work lives in the library
//! crates.

mod batch;
mod convert;
mod deviation;
mod diff;
mod inspect;
mod layouts;
mod link;
mod package;
mod page;
mod report;
mod score;
mod serve;
mod update;
mod validate;

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
poam rollup units/ --to fedramp -o all-units.xlsx\n  poam diff october.xlsx november.xlsx\n  poam update november.xlsx --scan december.nessus -o december.xlsx"
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

/// The layout a file was read as (`fedramp 3.0`), from the registry.
pub(crate) fn layout_read_as(report: &poam_import::ReadReport) -> Option<&'static Layout> {
    report
        .layout
        .as_deref()
        .and_then(|l| l.split_once(' '))
        .and_then(|(family, version)| config().registry.find(family, Some(version)))
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
    Convert(convert::ConvertArgs),
    /// Show how a file is read: layout, sheets, header rows, column mapping, diagnostics.
    Inspect(inspect::InspectArgs),
    /// Write a report a reviewer reads: summary, overdue items, charts, one section per open item.
    Report(report::ReportArgs),
    /// Link items to the System Security Plan and list where the two disagree.
    Link(link::LinkArgs),
    /// Check deadlines (by policy), template rules and control ids.
    Validate(validate::ValidateArgs),
    /// The NIST SP 800-171 (SPRS) score of an 800-171 / CMMC POA&M, and CMMC Level 2 eligibility.
    Score(score::ScoreArgs),
    /// Convert many files (folders, patterns) to one or more formats, in parallel.
    Batch(batch::BatchArgs),
    /// Roll the POA&Ms of several business units up into one.
    Rollup(batch::RollupArgs),
    /// What changed between two POA&Ms of one system (last month's and this month's).
    Diff(diff::DiffArgs),
    /// This month's POA&M from last month's and this month's scans: new findings added, fixed ones closed.
    Update(update::UpdateArgs),
    /// FedRAMP's Vulnerability Deviation Request form, filled with the items that ask for one.
    Deviation(deviation::DeviationArgs),
    /// The supplier POA&M package for a prime contractor's assessment: the SP 800-171 plan of action and the SPRS score, in one zip.
    Package(package::PackageArgs),
    /// The whole tool as a page in your browser, served on this computer only (127.0.0.1).
    Serve(serve::ServeArgs),
    /// List the template layouts and versions (built-in and your own) and where each comes from.
    Layouts,
}

pub(crate) use convert::{target_output, write_options};
use link::EXIT_FINDINGS;
use validate::load_policy;

/// A scanner CSV's mapping file (`--scan-mapping`), read.
pub(crate) fn scan_mapping(path: Option<&Path>) -> Result<Option<poam_scan::CsvMapping>, Failure> {
    path.map(poam_scan::CsvMapping::from_file)
        .transpose()
        .map_err(input_failure)
}

/// `--to`, resolved against the layout registry.
pub(crate) fn parse_format(name: &str) -> Result<Format, Failure> {
    Format::parse(name, &config().registry).map_err(input_failure)
}

/// How `link`, `validate` and `score` print.
#[derive(Clone, Copy, ValueEnum)]
enum CheckFormat {
    Text,
    Json,
    Md,
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
    /// The system's name (FedRAMP: Cloud Service Offering; eMASS: System /
    /// Project Name), in place of the file's.
    #[arg(long, value_name = "NAME", help_heading = "System")]
    system_name: Option<String>,
    /// The organization (FedRAMP: Cloud Service Provider; eMASS: DoD
    /// Component), in place of the file's.
    #[arg(long, value_name = "NAME", help_heading = "System")]
    organization: Option<String>,
    /// The impact level (LI-SaaS, Low, Moderate, High), in place of the file's.
    #[arg(long, value_name = "LEVEL", help_heading = "System")]
    impact_level: Option<String>,
    /// The POA&M date (eMASS: Date Exported), YYYY-MM-DD, in place of the file's.
    #[arg(long, value_name = "DATE", help_heading = "System")]
    poam_date: Option<String>,
    /// The marking every output carries (CUI, `CONTROLLED UNCLASSIFIED
    /// INFORMATION`), in place of the one the file carries (said when it
    /// differs).
    #[arg(long, value_name = "TEXT", help_heading = "System")]
    marking: Option<String>,
    /// The system's identifier (FedRAMP: the FedRAMP-assigned id, e.g.
    /// F1234567890), in place of the file's. OSCAL output carries it as
    /// the system-id; without it poam derives one from the system's name.
    #[arg(long, value_name = "ID", help_heading = "System")]
    system_id: Option<String>,
    /// A header field of the template by its label, e.g. `--header-field
    /// "POC Name=Jane Doe"` (eMASS: System Type, POC Name, POC Phone, POC
    /// E-Mail, Registration Number...). May be repeated.
    #[arg(
        long = "header-field",
        value_name = "LABEL=VALUE",
        help_heading = "System"
    )]
    header_fields: Vec<String>,
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
    // Interrupted (Ctrl-C, SIGTERM, SIGHUP): no half-written output is left
    // behind. 130 is the shells' code for a run ended by Ctrl-C.
    let _ = ctrlc::set_handler(|| {
        poam_export::remove_temporaries();
        poam_serve::remove_session_files();
        std::process::exit(130);
    });
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
        Command::Convert(args) => convert::convert(&args),
        Command::Inspect(args) => inspect::inspect(&args),
        Command::Report(args) => report::report(&args),
        Command::Link(args) => link::link(&args),
        Command::Validate(args) => validate::validate(&args),
        Command::Update(args) => update::update(&args),
        Command::Deviation(args) => deviation::deviation(&args),
        Command::Score(args) => score::score(&args),
        Command::Package(args) => package::package(&args),
        Command::Serve(args) => serve::serve(&args),
        Command::Batch(args) => batch::batch(&args),
        Command::Rollup(args) => batch::rollup(&args),
        Command::Diff(args) => diff::diff(&args),
        Command::Layouts => layouts::layouts().map_err(output_failure),
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

/// The frameworks of `--framework FILE`, in the order given.
fn user_frameworks(read: &ReadArgs) -> Result<Vec<poam_layout::catalog::Framework>, Failure> {
    read.frameworks
        .iter()
        .map(|path| {
            let name = path.display().to_string();
            let text = std::fs::read_to_string(path)
                .with_context(|| format!("{name}: cannot read the framework file"))
                .map_err(input_failure)?;
            poam_layout::catalog::Framework::from_toml(&name, &text).map_err(input_failure)
        })
        .collect()
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
    let frameworks = user_frameworks(read)?;
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
        system: system_settings(read)?,
    })
}

/// The system's fields set on the command line.
fn system_settings(read: &ReadArgs) -> Result<poam_import::SystemSettings, Failure> {
    let poam_date = match &read.poam_date {
        Some(text) => Some(
            poam_model::date::parse_date_text(text, DateOrder::MonthFirst)
                .with_context(|| format!("--poam-date: \"{text}\" is not a date (use YYYY-MM-DD)"))
                .map_err(input_failure)?,
        ),
        None => None,
    };
    let mut extra = Vec::new();
    for field in &read.header_fields {
        let Some((label, value)) = field.split_once('=') else {
            return Err(input_failure(anyhow::anyhow!(
                "--header-field \"{field}\": write it as LABEL=VALUE, e.g. \"POC Name=Jane Doe\""
            )));
        };
        // Labels are kept as the template writes them (`POC Name:`).
        let label = label.trim();
        let label = if label.ends_with(':') {
            label.to_string()
        } else {
            format!("{label}:")
        };
        extra.push((label, value.trim().to_string()));
    }
    if let Some(id) = &read.system_id {
        let id = id.trim();
        if id.is_empty() || id.contains(char::is_whitespace) {
            return Err(input_failure(anyhow::anyhow!(
                "--system-id \"{id}\": give the system's identifier as one word, e.g. --system-id F1234567890"
            )));
        }
        extra.push(("system-id".to_string(), id.to_string()));
    }
    if let Some(m) = &read.marking {
        if poam_model::marking::bare(m).is_empty() {
            return Err(input_failure(anyhow::anyhow!(
                "--marking: give the marking's text, e.g. --marking CUI"
            )));
        }
    }
    Ok(poam_import::SystemSettings {
        name: read.system_name.clone(),
        organization: read.organization.clone(),
        impact_level: read.impact_level.clone(),
        poam_date,
        marking: read.marking.clone(),
        extra,
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

/// Reads a POA&M and, with `--ssp`, links its items to the SSP's sections.
fn read_linked(path: &Path, read: &ReadArgs, ssp: Option<&Path>) -> Result<Imported, Failure> {
    let mut imported = read_input(path, read)?;
    if let Some(ssp) = ssp {
        let index = poam_ssp::read_ssp(ssp).map_err(input_failure)?;
        poam_ssp::link(&mut imported.poam, &index);
    }
    Ok(imported)
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

/// Writes a command's output to standard output (a closed pipe is not an
/// error: `main` ends quietly on it).
pub(crate) fn print_out(bytes: &[u8]) -> Result<(), Failure> {
    let mut stdout = std::io::stdout().lock();
    stdout
        .write_all(bytes)
        .and_then(|_| stdout.flush())
        .map_err(output_failure)
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

/// Rows under a header that were not read as items, counted by reason: said
/// on every conversion (each one is listed with `--verbose` and by `inspect`).
fn print_skipped(file: &Path, diags: &[Diagnostic], verbose: bool) {
    if verbose {
        return;
    }
    let mut by_reason: std::collections::BTreeMap<&str, usize> = Default::default();
    for d in diags {
        if let poam_model::DiagKind::SkippedRow { reason } = &d.kind {
            if reason != poam_model::diag::TEMPLATE_ROW {
                *by_reason.entry(reason.as_str()).or_default() += 1;
            }
        }
    }
    if by_reason.is_empty() {
        return;
    }
    let total: usize = by_reason.values().sum();
    let reasons: Vec<String> = by_reason
        .iter()
        .map(|(why, n)| format!("{n} × {why}"))
        .collect();
    eprintln!(
        "note: {}: {total} row(s) not read as items: {} (`poam inspect` lists each)",
        file.display(),
        reasons.join("; ")
    );
}

fn warnings(diags: &[Diagnostic]) -> usize {
    diags
        .iter()
        .filter(|d| d.severity() == Severity::Warning)
        .count()
}

/// Refuses, before any work, an output (`-o`, `--report-json`,
/// `--emit-mapping`, `--summary-json`) that is one of the inputs, however
/// named: no command ever replaces a POA&M it reads, whatever `--force` says.
pub(crate) fn guard_output(out: &Path, inputs: &[&Path], flag: &str) -> Result<(), Failure> {
    match inputs.iter().find(|i| same_file(out, i)) {
        Some(input) => Err(input_failure(anyhow::anyhow!(
            "{}: {flag} would replace the input {}; choose another file",
            out.display(),
            input.display()
        ))),
        None => Ok(()),
    }
}

/// Whether two paths name one file, however named: through symlinks, `..`,
/// or (on Unix) a hard link.
fn same_file(a: &Path, b: &Path) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        if let (Ok(x), Ok(y)) = (std::fs::metadata(a), std::fs::metadata(b)) {
            return x.dev() == y.dev() && x.ino() == y.ino();
        }
    }
    match (a.canonicalize(), b.canonicalize()) {
        (Ok(x), Ok(y)) => x == y,
        _ => false,
    }
}

fn parse_day(flag: &str, text: &Option<String>) -> Result<poam_model::date::Date, Failure> {
    match text {
        Some(t) => poam_model::date::parse_date_text(t, DateOrder::MonthFirst)
            .with_context(|| format!("{flag}: \"{t}\" is not a date (use YYYY-MM-DD)"))
            .map_err(input_failure),
        None => Ok(today()),
    }
}

/// Today's date (UTC), from the system clock: the default as-of date, and
/// the POA&M date a workbook gets when its input has none.
pub(crate) fn today() -> poam_model::date::Date {
    let days = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() / 86_400);
    poam_model::date::from_excel_serial(25_569.0 + days as f64).unwrap_or_default()
}
