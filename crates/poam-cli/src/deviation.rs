//! `poam deviation IN -o FORM.xlsx`: FedRAMP's Vulnerability Deviation
//! Request form filled with the items that ask for one.

use super::*;
use poam_ops::deviation::{requests, Request};

#[derive(clap::Args)]
pub(crate) struct DeviationArgs {
    /// The POA&M (any layout poam reads).
    input: PathBuf,
    /// The filled form (.xlsx).
    #[arg(short, long, value_name = "FORM.xlsx")]
    output: Option<PathBuf>,
    /// The submission date written on the form (YYYY-MM-DD); today by default.
    #[arg(long, value_name = "DATE")]
    as_of: Option<String>,
    /// List the requests; write nothing.
    #[arg(long)]
    dry_run: bool,
    /// How the list of requests is printed.
    #[arg(long, value_enum, default_value = "text")]
    format: CheckFormat,
    #[command(flatten)]
    read: ReadArgs,
}

pub(crate) fn deviation(args: &DeviationArgs) -> Result<u8, Failure> {
    let day = parse_day("--as-of", &args.as_of)?;
    match &args.output {
        Some(out) => crate::guard_output(out, &[args.input.as_path()], "-o")?,
        None if !args.dry_run => {
            return Err(input_failure(anyhow::anyhow!(
                "add -o FORM.xlsx for the filled deviation request form (or --dry-run to list the requests only)"
            )))
        }
        None => {}
    }
    let imported = read_input(&args.input, &args.read)?;
    let poam = &imported.poam;
    let list = requests(poam);
    if let (Some(out), false) = (&args.output, args.dry_run) {
        if list.is_empty() {
            return Err(input_failure(anyhow::anyhow!(
                "{}: no item asks for a deviation (a false positive, operational requirement or risk adjustment marked Pending): no form written",
                args.input.display()
            )));
        }
        let form = poam_layout::form::deviation_request_form();
        let bytes = poam_export::deviation_out::write_deviation_form(form, poam, &list, day)
            .map_err(output_failure)?;
        save_atomic(out, &bytes).map_err(output_failure)?;
        eprintln!("wrote {}: {} request(s)", out.display(), list.len());
    }
    let text = match args.format {
        CheckFormat::Json => serde_json::to_string_pretty(&list).map_err(output_failure)? + "\n",
        CheckFormat::Text | CheckFormat::Md => {
            listing(&list, matches!(args.format, CheckFormat::Md))
        }
    };
    print_out(text.as_bytes())?;
    // Requests that lack what FedRAMP needs are findings for the user.
    Ok(if list.iter().any(|r| !r.missing.is_empty()) {
        EXIT_FINDINGS
    } else {
        0
    })
}

fn listing(list: &[Request], md: bool) -> String {
    let mut page = crate::page::Page::new(md);
    let incomplete = list.iter().filter(|r| !r.missing.is_empty()).count();
    page.title(&format!(
        "Deviation requests: {} ({} incomplete)",
        list.len(),
        incomplete
    ));
    for r in list {
        let note = if r.missing.is_empty() {
            "ready".to_string()
        } else {
            format!("needs {}", r.missing.join(", "))
        };
        page.item(&format!("{} ({}): {note}", r.name, r.kind.code()));
    }
    page.finish()
}
