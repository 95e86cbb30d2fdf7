//! The one list of outputs poamkit writes, and the one entry point that
//! writes any of them.
//!
//! [`Format`] is what a user names (`--to fedramp`, `--to csv`): a workbook
//! family of the layout registry, or one of the fixed formats. It resolves,
//! with a template version, to an [`Output`], which [`write`] renders. Every
//! `match` over either is exhaustive: a new format does not compile until
//! each place handles it.

use crate::{csv_out, docx_out, json, oscal_out, xlsx, ExportError, Written};
use poam_layout::{Layout, Registry};
use poam_model::Poam;

/// What to write, as the user names it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Format {
    /// A workbook in a family of the layout registry (`fedramp`, `emass`, or
    /// a user's layout family).
    Workbook(String),
    /// poamkit's CSV, one row per item.
    Csv,
    /// The normalized model as JSON.
    Json,
    /// OSCAL 1.1.2 POA&M JSON with the FedRAMP extensions.
    Oscal,
    /// The NIST SP 800-171 plan of action as a Word document.
    Nist171Docx,
}

/// The formats that are not workbook families, in the order help lists them.
const FIXED: [Format; 4] = [
    Format::Csv,
    Format::Json,
    Format::Oscal,
    Format::Nist171Docx,
];

/// A name `--to` does not know.
#[derive(Debug, Clone, thiserror::Error)]
#[error("unknown output format \"{given}\"; choose one of: {}", choices.join(", "))]
pub struct UnknownFormat {
    /// What was given.
    pub given: String,
    /// What would have been understood.
    pub choices: Vec<String>,
}

/// A template version the family does not have.
#[derive(Debug, Clone, thiserror::Error)]
#[error("unknown {family} template version \"{version}\"; available: {}", available.join(", "))]
pub struct UnknownVersion {
    /// The family.
    pub family: String,
    /// The version asked for.
    pub version: String,
    /// The versions the family has.
    pub available: Vec<String>,
}

impl Format {
    /// Reads a format name: a fixed format, or a workbook family of
    /// `registry` (case-insensitive).
    ///
    /// # Errors
    ///
    /// [`UnknownFormat`] with the names that would have been understood.
    pub fn parse(name: &str, registry: &Registry) -> Result<Format, UnknownFormat> {
        let want = name.trim().to_lowercase();
        if let Some(f) = FIXED.iter().find(|f| f.name() == want) {
            return Ok(f.clone());
        }
        if registry.has_family(&want) {
            return Ok(Format::Workbook(want));
        }
        Err(UnknownFormat {
            given: name.to_string(),
            choices: Format::choices(registry),
        })
    }

    /// Every name [`Format::parse`] takes: the registry's workbook families,
    /// then the fixed formats.
    pub fn choices(registry: &Registry) -> Vec<String> {
        registry
            .families()
            .into_iter()
            .map(String::from)
            .chain(FIXED.iter().map(|f| f.name().to_string()))
            .collect()
    }

    /// The name on the command line.
    pub fn name(&self) -> &str {
        match self {
            Format::Workbook(family) => family,
            Format::Csv => "csv",
            Format::Json => "json",
            Format::Oscal => "oscal",
            Format::Nist171Docx => "nist171-docx",
        }
    }

    /// Whether the output is a binary file, which cannot go to a terminal.
    pub fn is_binary(&self) -> bool {
        match self {
            Format::Workbook(_) | Format::Nist171Docx => true,
            Format::Csv | Format::Json | Format::Oscal => false,
        }
    }

    /// The layout family of a workbook format.
    pub fn family(&self) -> Option<&str> {
        match self {
            Format::Workbook(family) => Some(family),
            Format::Csv | Format::Json | Format::Oscal | Format::Nist171Docx => None,
        }
    }

    /// The output this format writes: a workbook format takes the family's
    /// layout of `version` (its default version when `None`).
    ///
    /// # Errors
    ///
    /// [`UnknownVersion`] when the family has no such version.
    pub fn resolve<'l>(
        &self,
        registry: &'l Registry,
        version: Option<&str>,
    ) -> Result<Output<'l>, UnknownVersion> {
        Ok(match self {
            Format::Workbook(family) => {
                Output::Workbook(registry.find(family, version).ok_or_else(|| {
                    UnknownVersion {
                        family: family.clone(),
                        version: version.unwrap_or("").to_string(),
                        available: registry
                            .versions(family)
                            .into_iter()
                            .map(String::from)
                            .collect(),
                    }
                })?)
            }
            Format::Csv => Output::Csv,
            Format::Json => Output::Json,
            Format::Oscal => Output::Oscal,
            Format::Nist171Docx => Output::Nist171Docx,
        })
    }
}

/// An output resolved to what writes it.
#[derive(Debug, Clone, Copy)]
pub enum Output<'l> {
    /// A workbook in this layout.
    Workbook(&'l Layout),
    /// poamkit's CSV.
    Csv,
    /// The model as JSON.
    Json,
    /// OSCAL POA&M JSON.
    Oscal,
    /// The NIST SP 800-171 plan of action (.docx).
    Nist171Docx,
}

impl Output<'_> {
    /// The file name ending of the output (`xlsx`, `oscal.json`).
    pub fn extension(&self) -> &'static str {
        match self {
            Output::Workbook(layout) => layout.rules.extension.as_str(),
            Output::Csv => "csv",
            Output::Json => "json",
            Output::Oscal => "oscal.json",
            Output::Nist171Docx => "docx",
        }
    }

    /// The layout of a workbook output.
    pub fn layout(&self) -> Option<&Layout> {
        match self {
            Output::Workbook(layout) => Some(layout),
            Output::Csv | Output::Json | Output::Oscal | Output::Nist171Docx => None,
        }
    }
}

/// Each writer's options; a writer reads only its own.
#[derive(Debug, Clone, Default)]
pub struct WriteOptions {
    /// Workbooks.
    pub xlsx: xlsx::XlsxOptions,
    /// CSV.
    pub csv: csv_out::CsvOptions,
}

/// Writes the model in `output`, in memory.
///
/// # Errors
///
/// The writer's [`ExportError`].
pub fn write(poam: &Poam, output: Output<'_>, opts: &WriteOptions) -> Result<Written, ExportError> {
    match output {
        Output::Workbook(layout) => xlsx::write_xlsx(poam, layout, &opts.xlsx),
        Output::Csv => csv_out::write_csv(poam, &opts.csv),
        Output::Json => json::write_json(poam),
        Output::Oscal => oscal_out::write_oscal(poam),
        Output::Nist171Docx => docx_out::write_nist171(poam),
    }
}
