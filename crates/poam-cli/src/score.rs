//! `poam score`: the SPRS score and Conditional CMMC Level 2 eligibility.

use super::*;

#[derive(clap::Args)]
pub(crate) struct ScoreArgs {
    /// The POA&M file to read (NIST SP 800-171 / CMMC).
    input: PathBuf,
    /// The Conditional CMMC Status date (YYYY-MM-DD); items must close within 180 days of it. Today by default.
    #[arg(long, value_name = "DATE")]
    conditional_date: Option<String>,
    /// Output format.
    #[arg(long, value_enum, default_value = "text")]
    format: CheckFormat,
    #[command(flatten)]
    read: ReadArgs,
}

pub(crate) fn score(args: &ScoreArgs) -> Result<u8, Failure> {
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
        CheckFormat::Json => serde_json::to_string_pretty(&report).map_err(output_failure)? + "\n",
        CheckFormat::Text | CheckFormat::Md => {
            let mut page = Page::new(matches!(args.format, CheckFormat::Md));
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
    print_out(out.as_bytes())?;
    Ok(if report.eligible { 0 } else { EXIT_FINDINGS })
}
