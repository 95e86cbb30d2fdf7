//! `--into`: a POA&M written into the user's copy of an official blank
//! workbook template, its every other part kept. The template is read like
//! any file (its layout, its own header rows, its drop-down lists, its
//! marking), then filled. The CLI (`convert --into`) and the page
//! (`poam serve`) go through here.

use poam_export::fill::{TemplateColumn, TemplateHeaders};
use poam_export::Written;
use poam_import::{ImportOptions, Imported};
use poam_layout::{Layout, Registry};
use poam_model::{Diagnostic, Poam};
use std::path::Path;

/// A blank template, read.
pub struct Template<'r> {
    /// The layout it is.
    pub layout: &'r Layout,
    blank: Imported,
}

/// Why a file cannot be filled.
#[derive(Debug, thiserror::Error)]
pub enum TemplateError {
    /// The file does not read as a POA&M template at all.
    #[error("{0}; a template to fill is a copy of an official blank template (FedRAMP, eMASS or NIST's SP 800-171 plan of action)")]
    Unreadable(String),
    /// It reads, but as no workbook layout poam can fill.
    #[error("not a template poam knows (it reads as {0}); a template to fill is a copy of an official blank FedRAMP or eMASS template")]
    Unknown(String),
    /// Filling failed (a part missing, XML that does not parse).
    #[error("{0}")]
    Fill(String),
}

/// Reads a blank template: which layout it is, with its own header rows.
///
/// # Errors
///
/// [`TemplateError::Unreadable`] or [`TemplateError::Unknown`].
pub fn read<'r>(
    name: &str,
    bytes: &[u8],
    opts: &ImportOptions,
    registry: &'r Registry,
) -> Result<Template<'r>, TemplateError> {
    let opts = ImportOptions {
        system: Default::default(),
        ..opts.clone()
    };
    let blank = poam_import::import_bytes(name, Path::new(name), bytes, &opts)
        .map_err(|e| TemplateError::Unreadable(e.to_string()))?;
    let layout = blank
        .report
        .layout
        .as_deref()
        .and_then(|l| l.split_once(' '))
        .and_then(|(family, version)| registry.find(family, Some(version)))
        .filter(|l| l.sheets.iter().all(|s| !s.headers.is_empty()))
        .ok_or_else(|| {
            TemplateError::Unknown(
                blank
                    .report
                    .layout_name
                    .clone()
                    .unwrap_or_else(|| "no POA&M layout".into()),
            )
        })?;
    Ok(Template { layout, blank })
}

/// Fills the template with the POA&M's items.
///
/// # Errors
///
/// [`TemplateError::Fill`] when the template cannot be filled.
pub fn fill(
    template: &Template<'_>,
    bytes: &[u8],
    poam: &Poam,
    keep_dates: bool,
    today: chrono::NaiveDate,
) -> Result<Written, TemplateError> {
    let blank = &template.blank;
    // A template marked otherwise than the input takes the input's marking.
    let marking = match (&blank.poam.system.marking, &poam.system.marking) {
        (Some(t), Some(i)) if !poam_model::marking::same(t, i) => Some((t.clone(), i.clone())),
        _ => None,
    };
    let mut written = poam_export::fill::fill_workbook(
        bytes,
        template.layout,
        poam,
        &poam_export::fill::FillOptions {
            keep_dates,
            marking: marking.clone(),
            // A template without a marking takes the input's in its page header.
            add_marking: match &blank.poam.system.marking {
                None => poam.system.marking.clone(),
                Some(_) => None,
            },
            default_poam_date: Some(today),
            renamed: blank
                .report
                .sheets
                .iter()
                .filter_map(|s| Some((s.read_as.clone()?, s.name.clone())))
                .collect(),
            headers: headers(&blank.report, bytes),
        },
    )
    .map_err(|e| TemplateError::Fill(e.to_string()))?;
    if let Some((template, input)) = marking {
        written.diagnostics.push(Diagnostic::unplaced(
            poam_model::DiagKind::MarkingReplaced { template, input },
        ));
    }
    Ok(written)
}

/// A template's header rows as read, each column with the template's own
/// drop-down under it (the words filled values are written in).
fn headers(report: &poam_import::ReadReport, bytes: &[u8]) -> Vec<TemplateHeaders> {
    let lists = poam_import::lists::drop_downs(bytes);
    report
        .sheets
        .iter()
        .filter_map(|s| {
            let header_row = s.header_row?;
            Some(TemplateHeaders {
                sheet: s.read_as.clone().unwrap_or_else(|| s.name.clone()),
                header_row,
                columns: s
                    .columns
                    .iter()
                    .map(|c| {
                        let col = poam_layout::column_index(&c.column).map(u32::from);
                        // The first data row, 0-based, is the header row's number.
                        let list = col.and_then(|col| {
                            lists
                                .iter()
                                .find(|l| l.sheet == s.name && l.covers(col, header_row))
                                .map(|l| l.values.clone())
                        });
                        TemplateColumn {
                            letters: c.column.clone(),
                            header: c.header.clone(),
                            field: c.field.clone(),
                            list,
                        }
                    })
                    .collect(),
            })
        })
        .collect()
}
