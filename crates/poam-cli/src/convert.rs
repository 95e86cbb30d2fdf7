//! `poam convert`: one file to another format or template version.

use super::*;

#[derive(clap::Args)]
pub(crate) struct ConvertArgs {
    /// The POA&M file to read (.xlsx, .xlsm, .xls, .ods, .csv, .json).
    input: PathBuf,
    /// What to write: fedramp (v3.0 unless --template-version says otherwise),
    /// emass (the classic RMF layout unless --template-version says navy-2024,
    /// navy-2026, army-2026 or marine-2026), csv, json, oscal (OSCAL 1.1.2 with
    /// the FedRAMP extensions), nist171-docx (the NIST SP 800-171 plan of
    /// action in Word), or the family of a --layout file. With --into, the
    /// template's own layout (and --to, when given, must name it).
    #[arg(long, value_name = "FORMAT", required_unless_present = "into")]
    to: Option<String>,
    /// Write the items into this copy of the official blank template (the
    /// FedRAMP download, or a fresh eMASS export), keeping everything else in
    /// it as it is: sheets, styles, print setup, page headers and footers with
    /// their marking, validations, the template's formulas. The file itself
    /// is only read; the filled copy goes to -o.
    #[arg(long, value_name = "TEMPLATE")]
    into: Option<PathBuf>,
    /// With --into: write the items' own dates where the template computes a
    /// column with a formula (FedRAMP's Scheduled Completion Date), in place
    /// of the formula.
    #[arg(long, requires = "into")]
    keep_dates: bool,
    /// Output file. Required for workbooks; CSV and JSON go to standard output without it.
    #[arg(short, long, value_name = "OUT")]
    output: Option<PathBuf>,
    /// Template version to write (`poam layouts` lists every family's
    /// versions, e.g. fedramp 2.1 or emass navy-2026); the family's default
    /// without it.
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

pub(crate) fn convert(args: &ConvertArgs) -> Result<u8, Failure> {
    if let Some(out) = &args.output {
        if same_file(out, &args.input) {
            return Err(input_failure(anyhow::anyhow!(
                "{}: the output would replace the input; choose another -o",
                out.display()
            )));
        }
    }
    if let Some(path) = &args.report_json {
        let mut inputs = vec![args.input.as_path()];
        inputs.extend(args.ssp.as_deref());
        inputs.extend(args.output.as_deref());
        crate::guard_output(path, &inputs, "--report-json")?;
    }
    if let Some(template) = &args.into {
        return fill_into(args, template);
    }
    let format = parse_format(args.to.as_deref().unwrap_or_default())?;
    let output = target_output(&format, args.template_version.as_deref())?;
    if format.is_binary() && args.output.is_none() {
        return Err(input_failure(anyhow::anyhow!(
            "a {} file cannot go to the terminal; add -o OUT.{}",
            format.name(),
            output.extension()
        )));
    }
    if let Some(out) = &args.output {
        warn_on_mismatched_ending(out, &output, &format);
    }
    let layout = output.layout();
    if let Some(layout) = layout {
        rows_can_fit(&args.input, layout)?;
    }
    // A file out, no SSP to link, no columns gathered from every item: the
    // reader hands items to the writer as it goes (reading and writing at
    // once, the items never all held).
    let piped = match (output, &args.output) {
        _ if args.ssp.is_some() => None,
        (_, None) => None,
        (Output::Workbook(layout), Some(out)) if !args.keep_extra => Some((
            poam_convert::Streamed::Xlsx(layout, Some(crate::today())),
            out,
        )),
        (Output::Workbook(_), Some(_)) => None,
        (Output::Csv, Some(out)) => Some((
            poam_convert::Streamed::Csv {
                excel_bom: args.excel_bom,
            },
            out,
        )),
        (Output::Json, Some(out)) => Some((poam_convert::Streamed::Json, out)),
        (Output::Oscal | Output::Nist171Docx, Some(_)) => None,
    };
    if let Some((output, out)) = piped {
        let opts = import_options(&args.read)?;
        let mut tally = SystemTally::new(layout);
        let mut done =
            poam_convert::convert_inspecting(&args.input, &opts, output, out, &mut |i| {
                tally.add(i)
            })
            .map_err(|e| match e {
                poam_convert::PipeError::Read(e) => input_failure(with_hint(e)),
                poam_convert::PipeError::Write(e) => output_failure(e),
            })?;
        done.written.extend(tally.diagnostics());
        let counts = (done.open, done.closed);
        return conversion_done(
            args,
            &format,
            layout,
            &done.imported,
            &done.written,
            counts,
            None,
        );
    }
    let mut imported = read_linked(&args.input, &args.read, args.ssp.as_deref())?;
    // OSCAL names the SSP it goes with (FedRAMP's import-ssp): the one
    // given to --ssp, by its path from the POA&M's folder.
    if let (Output::Oscal, Some(ssp)) = (&output, &args.ssp) {
        imported
            .poam
            .system
            .extra
            .insert("import-ssp".into(), ssp_href(ssp, args.output.as_deref()));
    }
    // OSCAL streams straight to its file: a large POA&M is never held twice
    // (as the model and as the output).
    let streamed = matches!(output, Output::Oscal) && args.output.is_some();
    let written = if streamed {
        poam_export::Written {
            bytes: Vec::new(),
            diagnostics: poam_export::oscal_out::fedramp_notes(&imported.poam),
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
        &format,
        layout,
        &imported,
        &written.diagnostics,
        counts,
        stdout,
    )
}

/// `convert --into TEMPLATE`: the items written into the user's copy of the
/// official blank template, its every other part kept.
fn fill_into(args: &ConvertArgs, template: &Path) -> Result<u8, Failure> {
    let Some(out) = &args.output else {
        return Err(input_failure(anyhow::anyhow!(
            "--into writes a filled copy of the template: add -o OUT.xlsx (or OUT.docx for the NIST plan)"
        )));
    };
    if same_file(out, template) {
        return Err(input_failure(anyhow::anyhow!(
            "{}: the output would replace the template given to --into (it is only read); choose another -o",
            out.display()
        )));
    }
    // The template as it is: the command line's system fields are for the input.
    let opts = poam_import::ImportOptions {
        system: Default::default(),
        ..import_options(&args.read)?
    };
    let bytes = std::fs::read(template)
        .with_context(|| format!("--into {}: cannot read the file", template.display()))
        .map_err(input_failure)?;
    // NIST's Word plan of action: its table filled in place.
    if poam_export::fill_docx::is_nist_plan_template(&bytes) {
        let format = parse_format("nist171-docx")?;
        if let Some(to) = &args.to {
            if parse_format(to)?.name() != format.name() {
                return Err(input_failure(anyhow::anyhow!(
                    "--into {} is NIST's SP 800-171 plan of action, and --to asks for {to}; leave out --to to fill the plan",
                    template.display()
                )));
            }
        }
        let imported = read_linked(&args.input, &args.read, args.ssp.as_deref())?;
        let written = poam_export::fill_docx::fill_nist_plan(&bytes, &imported.poam)
            .map_err(|e| input_failure(anyhow::anyhow!("--into {}: {e}", template.display())))?;
        save_atomic(out, &written.bytes).map_err(output_failure)?;
        let counts = (imported.poam.open_count(), imported.poam.closed_count());
        return conversion_done(
            args,
            &format,
            None,
            &imported,
            &written.diagnostics,
            counts,
            None,
        );
    }
    let registry = &config().registry;
    let read =
        poam_convert::template::read(&template.display().to_string(), &bytes, &opts, registry)
            .map_err(|e| input_failure(anyhow::anyhow!("--into {}: {e}", template.display())))?;
    let layout = read.layout;
    let format = match &args.to {
        Some(to) => {
            let format = parse_format(to)?;
            let wanted = target_output(&format, args.template_version.as_deref())?;
            match wanted.layout() {
                Some(w) if w.label() == layout.label() => format,
                Some(w) => {
                    return Err(input_failure(anyhow::anyhow!(
                        "--into {} is the {} template, and --to asks for {}; leave out --to (or --template-version) to fill the template as it is",
                        template.display(),
                        layout.name,
                        w.name
                    )))
                }
                None => {
                    return Err(input_failure(anyhow::anyhow!(
                        "--into fills a workbook template; --to {to} is not one"
                    )))
                }
            }
        }
        None => parse_format(&layout.family)?,
    };
    warn_on_mismatched_ending(out, &Output::Workbook(layout), &format);
    let imported = read_linked(&args.input, &args.read, args.ssp.as_deref())?;
    let written = poam_convert::template::fill(
        &read,
        &bytes,
        &imported.poam,
        args.keep_dates,
        crate::today(),
    )
    .map_err(|e| input_failure(anyhow::anyhow!("--into {}: {e}", template.display())))?;
    save_atomic(out, &written.bytes).map_err(output_failure)?;
    let counts = (imported.poam.open_count(), imported.poam.closed_count());
    conversion_done(
        args,
        &format,
        Some(layout),
        &imported,
        &written.diagnostics,
        counts,
        None,
    )
}

/// After a conversion: the `--report-json`, the diagnostics, the summary
/// line (or the output itself on standard output), the exit code.
pub(crate) fn conversion_done(
    args: &ConvertArgs,
    format: &Format,
    layout: Option<&Layout>,
    imported: &Imported,
    written: &[Diagnostic],
    (open, closed): (usize, usize),
    stdout: Option<&[u8]>,
) -> Result<u8, Failure> {
    let mut diags = imported.diagnostics.clone();
    let read_count = diags.len();
    diags.extend(written.iter().cloned());
    diags.extend(oscal_not_kept(&args.input, imported));
    let mut tally = SystemTally::new(layout);
    imported.poam.items.iter().for_each(|i| tally.add(i));
    diags.extend(tally.diagnostics());
    if let Some(path) = &args.report_json {
        let report = serde_json::json!({
            "format_version": JSON_FORMAT_VERSION,
            "input": args.input.display().to_string(),
            "output": args.output.as_ref().map(|o| o.display().to_string()),
            "target": format.name(),
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
    print_skipped(&args.input, &diags[..read_count], args.verbose);
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
        (None, Some(bytes)) => print_out(bytes)?,
        (None, None) => {}
    }
    Ok(if args.strict && warnings(&diags) > 0 {
        EXIT_STRICT
    } else {
        0
    })
}

/// The business rules of the system a workbook goes to (eMASS), checked on
/// each item written: one warning per rule broken, naming the first items.
/// Only the counts and the first items are kept, so a streamed conversion
/// stays flat in memory.
pub(crate) struct SystemTally<'l> {
    rules: Option<&'static poam_rules::system::SystemRules>,
    layout: Option<&'l Layout>,
    family: String,
    as_of: poam_model::date::Date,
    /// Rule → items breaking it, the first items' names, the first message.
    by_rule: std::collections::BTreeMap<String, (usize, Vec<String>, String)>,
}

impl<'l> SystemTally<'l> {
    pub(crate) fn new(layout: Option<&'l Layout>) -> SystemTally<'l> {
        SystemTally {
            rules: layout.and_then(|l| poam_rules::system::for_family(&l.family)),
            layout,
            family: layout.map(|l| l.family.clone()).unwrap_or_default(),
            as_of: crate::today(),
            by_rule: std::collections::BTreeMap::new(),
        }
    }

    pub(crate) fn add(&mut self, item: &poam_model::Item) {
        let Some(rules) = self.rules else { return };
        let mut found = Vec::new();
        rules.check_item(item, self.as_of, self.layout, &mut found);
        let mut seen = std::collections::BTreeSet::new();
        for f in found {
            // A status the system lacks is written as its own word, and the
            // writer says so: not a refusal.
            if f.rule == "status-not-in-system" || !seen.insert(f.rule.clone()) {
                continue;
            }
            let entry = self
                .by_rule
                .entry(f.rule)
                .or_insert_with(|| (0, Vec::new(), f.message));
            entry.0 += 1;
            if entry.1.len() < 3 {
                entry.1.push(f.item);
            }
        }
    }

    pub(crate) fn diagnostics(self) -> Vec<Diagnostic> {
        let Some(rules) = self.rules else {
            return Vec::new();
        };
        self.by_rule
            .into_iter()
            .map(|(rule, (count, examples, first))| {
                Diagnostic::unplaced(poam_model::DiagKind::SystemRule {
                    system: rules.system.clone(),
                    family: self.family.clone(),
                    rule,
                    count,
                    examples,
                    first,
                })
            })
            .collect()
    }
}

/// What a format writes with `--template-version`, from the run's registry.
/// Refuses, before any work, a CSV input with more rows than every sheet
/// of the workbook target together can hold (a sheet has 1,048,576 rows).
/// Short of that, the writer stops when a sheet fills, with the same advice.
fn rows_can_fit(input: &std::path::Path, layout: &poam_layout::Layout) -> Result<(), Failure> {
    const SHEET_ROWS: u64 = 1_048_576;
    let is_text = input
        .extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case("csv") || e.eq_ignore_ascii_case("txt"));
    // A row takes at least two bytes: a file smaller than the room fits.
    let room: u64 = layout
        .sheets
        .iter()
        .map(|d| SHEET_ROWS - u64::from(d.first_data_row.saturating_sub(1)))
        .sum();
    let Ok(meta) = std::fs::metadata(input) else {
        return Ok(());
    };
    if !is_text || meta.len() < room * 2 {
        return Ok(());
    }
    let Ok(bytes) = std::fs::read(input) else {
        return Ok(());
    };
    let lines = bytes.iter().filter(|b| **b == b'\n').count() as u64;
    if lines <= room {
        return Ok(());
    }
    // Lines overcount records when cells hold line breaks: count records.
    let records = csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(true)
        .from_reader(&bytes[..])
        .byte_records()
        .count() as u64;
    if records > room {
        return Err(input_failure(anyhow::anyhow!(
            "{}: {records} rows, and a {} workbook holds {room} items at most (an Excel sheet has {SHEET_ROWS} rows); split the file (for example by business unit or by status) or write CSV or JSON, which have no such limit",
            input.display(),
            layout.name
        )));
    }
    Ok(())
}

/// Says so when an output's name ends otherwise than its format does
/// (`-o out.xlsx --to csv`): the program that opens it by its name would
/// call it corrupt.
pub(crate) fn warn_on_mismatched_ending(
    out: &std::path::Path,
    output: &Output<'_>,
    format: &Format,
) {
    let want = output.extension().rsplit('.').next().unwrap_or_default();
    let have = out
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase)
        .unwrap_or_default();
    let workbook = ["xlsx", "xlsm"];
    let fits = have == want || (workbook.contains(&want) && workbook.contains(&have.as_str()));
    if !fits && !have.is_empty() {
        eprintln!(
            "warning: {}: the name ends in .{have}, but --to {} writes a .{want} file, which a program opening it by its name may call corrupt; name it {}",
            out.display(),
            format.name(),
            out.with_extension(want).display()
        );
    }
}

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
            unit_column: false,
            default_poam_date: Some(crate::today()),
        },
        csv: csv_out::CsvOptions { excel_bom },
    }
}

/// The SSP's address as an OSCAL href: its path from the folder of the
/// POA&M written (`out`, else the working folder), with `/` between
/// folders and each name percent-encoded (a space is `%20`).
fn ssp_href(ssp: &Path, out: Option<&Path>) -> String {
    // Both as the file system resolves them (`..` and links followed).
    let absolute = |p: &Path| {
        std::fs::canonicalize(p)
            .or_else(|_| std::path::absolute(p))
            .unwrap_or_else(|_| p.to_path_buf())
    };
    let ssp = absolute(ssp);
    let base = match out.map(|o| o.parent().unwrap_or(Path::new(""))) {
        Some(dir) if !dir.as_os_str().is_empty() => absolute(dir),
        _ => absolute(Path::new(".")),
    };
    let relative = pathdiff::diff_paths(&ssp, &base).unwrap_or(ssp);
    // What a URI path segment may hold as it is (RFC 3986 pchar).
    const SEGMENT: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
        .remove(b'-')
        .remove(b'.')
        .remove(b'_')
        .remove(b'~')
        .remove(b'(')
        .remove(b')')
        .remove(b'+')
        .remove(b',')
        .remove(b'=')
        .remove(b'@');
    relative
        .components()
        .map(|c| match c {
            std::path::Component::ParentDir => "..".to_string(),
            std::path::Component::CurDir => ".".to_string(),
            c => percent_encoding::utf8_percent_encode(&c.as_os_str().to_string_lossy(), SEGMENT)
                .to_string(),
        })
        .filter(|c| !c.is_empty())
        .collect::<Vec<_>>()
        .join("/")
}

/// What of an OSCAL input the model cannot hold, said in the conversion
/// report (nothing for other inputs).
fn oscal_not_kept(input: &Path, imported: &Imported) -> Option<Diagnostic> {
    if imported.report.format != "oscal" || imported.poam.items.is_empty() {
        return None;
    }
    // The comparison holds the input and the output whole, three times the
    // file's size: a very large document is not compared (said).
    const LIMIT_MB: u64 = 200;
    let mb = std::fs::metadata(input).ok()?.len() / 1_000_000;
    if mb > LIMIT_MB {
        return Some(Diagnostic::unplaced(
            poam_model::DiagKind::OscalNotCompared { mb },
        ));
    }
    let bytes = std::fs::read(input).ok()?;
    let doc = poam_import::oscal_document(input, &bytes)?;
    let parts = poam_export::oscal_out::not_kept(&doc, &imported.poam).ok()?;
    if parts.is_empty() {
        return None;
    }
    let count = parts.iter().map(|(_, n)| n).sum();
    let mut text = parts
        .iter()
        .take(12)
        .map(|(p, n)| {
            if *n > 1 {
                format!("{p} ({n})")
            } else {
                p.clone()
            }
        })
        .collect::<Vec<_>>()
        .join(", ");
    if parts.len() > 12 {
        text.push_str(&format!(", and {} more", parts.len() - 12));
    }
    Some(Diagnostic::unplaced(poam_model::DiagKind::OscalNotKept {
        count,
        parts: text,
    }))
}
