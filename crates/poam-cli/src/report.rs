//! `poam report`: the report a reviewer reads (Markdown, HTML, Word).

use super::*;

#[derive(Clone, Copy, ValueEnum)]
pub(crate) enum ReportFormat {
    /// Markdown.
    Md,
    /// One self-contained HTML page with charts.
    Html,
    /// A Word document (.docx).
    Docx,
}

#[derive(clap::Args)]
pub(crate) struct ReportArgs {
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
    /// With a policy that has escalation triggers (fedramp): the ATO
    /// baseline the unique vulnerability count is compared with, as a
    /// POA&M file (its open items) or a number.
    #[arg(long, value_name = "FILE|N")]
    baseline: Option<String>,
    /// The author the Word report names in its properties; the organization
    /// (or system) by default.
    #[arg(long, value_name = "NAME")]
    author: Option<String>,
    #[command(flatten)]
    read: ReadArgs,
}

pub(crate) fn report(args: &ReportArgs) -> Result<u8, Failure> {
    use poam_export::report::{build, render_to, ReportOptions, TextFormat};
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
    let mut imported = read_linked(&args.input, &args.read, args.ssp.as_deref())?;
    print_diagnostics(&args.input, &imported.diagnostics, false, None);
    let policy = args.policy.as_deref().map(load_policy).transpose()?;
    let mut opts = ReportOptions {
        as_of,
        author: args.author.clone(),
        frameworks: user_frameworks(&args.read)?,
        ..ReportOptions::default()
    };
    if let Some(p) = &policy {
        let rated = p.rate_by_grade(&mut imported.poam);
        if rated > 0 {
            eprintln!(
                "note: {}: {rated} item(s) without a rating rated by their grade, as the {} policy maps it",
                args.input.display(),
                p.name
            );
        }
        opts.policy = Some(p.title.clone());
        opts.title.clone_from(&p.report_title);
        opts.by_category = matches!(p.clock, poam_rules::Clock::RawSeverity);
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
        let baseline = match args.baseline.as_deref() {
            None => None,
            Some(n) if n.trim().parse::<usize>().is_ok() => n.trim().parse().ok(),
            Some(file) => {
                let path = Path::new(file);
                if same_file(path, &args.input) {
                    return Err(input_failure(anyhow::anyhow!(
                        "--baseline {file}: the baseline is the POA&M itself; give the ATO baseline's POA&M or its unique vulnerability count"
                    )));
                }
                let base = read_input(path, &args.read)?;
                Some(poam_rules::escalation::unique_open(&base.poam))
            }
        };
        opts.escalation = poam_rules::escalation::escalation(&imported.poam, p, as_of, baseline);
    } else if args.baseline.is_some() {
        return Err(input_failure(anyhow::anyhow!(
            "--baseline needs --policy fedramp (or a policy with escalation triggers)"
        )));
    }
    let data = build(std::sync::Arc::new(imported.poam), &opts);
    let text = match args.format {
        ReportFormat::Md => Some(TextFormat::Markdown),
        ReportFormat::Html => Some(TextFormat::Html),
        ReportFormat::Docx => None,
    };
    let template_dir = args.template_dir.as_deref();
    match (&args.output, text) {
        // Markdown and HTML are written as the template runs; a template
        // error leaves nothing behind.
        (Some(out), Some(format)) => {
            poam_export::stage(out, |file| render_to(&data, format, template_dir, file))
                .and_then(|staged| staged.commit(true))
                .map_err(|e| match e {
                    e @ poam_export::ExportError::Template { .. } => input_failure(e),
                    other => output_failure(other),
                })?;
        }
        (None, Some(format)) => {
            render_to(&data, format, template_dir, std::io::stdout().lock()).map_err(
                |e| match e.at(std::path::Path::new("standard output")) {
                    e @ poam_export::ExportError::Template { .. } => input_failure(e),
                    other => output_failure(other),
                },
            )?;
        }
        (out, None) => {
            let bytes = poam_export::docx_out::write_report_docx(&data)
                .map_err(output_failure)?
                .bytes;
            match out {
                Some(out) => save_atomic(out, &bytes).map_err(output_failure)?,
                None => crate::print_out(&bytes)?,
            }
        }
    }
    if let Some(out) = &args.output {
        eprintln!(
            "wrote {}: {} open ({} overdue as of {}), {} closed item(s)",
            out.display(),
            data.open,
            data.overdue,
            data.as_of,
            data.closed
        );
    }
    Ok(0)
}
