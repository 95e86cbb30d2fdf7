//! `poam package IN -o PACKAGE.zip`: the supplier POA&M package for a prime
//! contractor's supplier assessment.

use super::*;

#[derive(clap::Args)]
pub(crate) struct PackageArgs {
    /// The POA&M to package (any layout poam reads; a plant's mixed quality
    /// and cyber POA&M too: only its SP 800-171 / CMMC items go in).
    input: PathBuf,
    /// The package (.zip): the NIST SP 800-171 plan of action (.docx and
    /// .xlsx), the assessment summary with the SPRS score (.docx), the score
    /// as JSON and a contents page.
    #[arg(short, long, value_name = "PACKAGE.zip")]
    output: PathBuf,
    /// NIST's plan-of-action Word template (your copy of NIST's download):
    /// the plan is filled into it, every other part kept. Without it the
    /// plan is drawn in the template's shape.
    #[arg(long, value_name = "TEMPLATE.docx")]
    into: Option<PathBuf>,
    /// The day the package is prepared (YYYY-MM-DD); today by default.
    #[arg(long, value_name = "DATE")]
    as_of: Option<String>,
    /// The Conditional CMMC Status date (YYYY-MM-DD) the 180-day closeout counts from; the --as-of day by default.
    #[arg(long, value_name = "DATE")]
    conditional_date: Option<String>,
    #[command(flatten)]
    read: ReadArgs,
}

pub(crate) fn package(args: &PackageArgs) -> Result<u8, Failure> {
    let mut inputs = vec![args.input.as_path()];
    inputs.extend(args.into.as_deref());
    crate::guard_output(&args.output, &inputs, "-o")?;
    if !args
        .output
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("zip"))
    {
        return Err(input_failure(anyhow::anyhow!(
            "{}: the package is a zip file; name it PACKAGE.zip",
            args.output.display()
        )));
    }
    let as_of = parse_day("--as-of", &args.as_of)?;
    let conditional_date = match &args.conditional_date {
        Some(_) => parse_day("--conditional-date", &args.conditional_date)?,
        None => as_of,
    };
    let nist_template = match &args.into {
        Some(path) => {
            let bytes = std::fs::read(path)
                .with_context(|| format!("--into {}: cannot read the file", path.display()))
                .map_err(input_failure)?;
            if !poam_export::fill_docx::is_nist_plan_template(&bytes) {
                return Err(input_failure(anyhow::anyhow!(
                    "--into {}: not NIST's SP 800-171 plan-of-action template (a Word file whose table has the plan's eight columns)",
                    path.display()
                )));
            }
            Some(bytes)
        }
        None => None,
    };
    let imported = read_input(&args.input, &args.read)?;
    print_diagnostics(&args.input, &imported.diagnostics, false, None);
    let source = args.input.file_name().map_or_else(
        || args.input.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    );
    let package = poam_export::package::supplier_package(
        &imported.poam,
        &poam_export::package::PackageOptions {
            as_of,
            conditional_date,
            source,
            nist_template,
        },
    )
    .map_err(|e| match e {
        e @ poam_export::ExportError::Empty(_) => input_failure(e),
        poam_export::ExportError::Fill(reason) => input_failure(anyhow::anyhow!(
            "--into {}: {reason}",
            args.into.as_deref().unwrap_or(Path::new("")).display()
        )),
        other => output_failure(other),
    })?;
    save_atomic(&args.output, &package.bytes).map_err(output_failure)?;
    eprintln!(
        "wrote {}: the plan of action with {} open item(s), SPRS score {}, Conditional CMMC Level 2 {}",
        args.output.display(),
        package.items,
        package
            .score
            .score
            .map_or("none".to_string(), |s| format!("{s} of {}", package.score.maximum)),
        if package.score.eligible {
            "eligible"
        } else {
            "not eligible"
        }
    );
    for l in &package.left_out {
        eprintln!("note: {} left out: {}", l.item, l.reason);
    }
    if package.closed > 0 {
        eprintln!("note: {} closed item(s) left out", package.closed);
    }
    Ok(0)
}
