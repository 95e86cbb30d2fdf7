//! Workbooks in a template layout (FedRAMP, eMASS), written with
//! rust_xlsxwriter in low-memory mode: rows go out in order, so a workbook of
//! 100,000 items is never held whole in memory before it is zipped.

use crate::{ExportError, Written};
use chrono::{Datelike, NaiveDate};
use poam_layout::text::{fold_into_plan, format_milestones};
use poam_layout::{
    column_index, parse_cell_ref, Layout, RowMode, SheetDef, SheetRole, SystemField,
};
use poam_model::diag::{Lost, Moved};
use poam_model::field::Value;
use poam_model::{
    Category, DiagKind, Diagnostic, Field, FieldKind, Item, Milestone, Poam, Rating, State, Status,
    SystemInfo,
};
use rust_xlsxwriter::{
    Color, DataValidation, DataValidationRule, ExcelDateTime, Format, FormatAlign, FormatBorder,
    Workbook, Worksheet,
};
use std::collections::BTreeMap;

/// Workbook options.
#[derive(Debug, Clone, Default)]
pub struct XlsxOptions {
    /// Add the `extra` columns after the template's last column (never for
    /// eMASS, which rejects workbooks with extra columns).
    pub keep_extra: bool,
    /// Sheets added after the template's own (a roll-up's summary by unit).
    pub extra_sheets: Vec<ExtraSheet>,
    /// Add a `Business Unit` column after the template's last (a roll-up's
    /// items, each with its unit), where the template takes extra columns.
    pub unit_column: bool,
    /// The POA&M date written when the input has none and the template has
    /// a cell for it (the CLI gives today's), with a note saying so.
    pub default_poam_date: Option<NaiveDate>,
}

/// The system as a template's metadata cells take it: the POA&M date
/// defaulted (`default`) when the template has a cell for it and the
/// system none, and a note for that and for each mandatory metadata cell
/// left blank.
pub(crate) fn settle_metadata<'s>(
    system: &'s SystemInfo,
    layout: &Layout,
    default: Option<NaiveDate>,
    notes: &mut Vec<Diagnostic>,
) -> std::borrow::Cow<'s, SystemInfo> {
    let mut system = std::borrow::Cow::Borrowed(system);
    let has_date_cell = layout.sheets.iter().any(|s| {
        s.metadata
            .as_ref()
            .is_some_and(|m| m.fields.contains(&SystemField::PoamDate))
            || s.label_values
                .iter()
                .any(|lv| lv.field == Some(SystemField::PoamDate))
    });
    if let (true, None, Some(date)) = (has_date_cell, system.poam_date, default) {
        system.to_mut().poam_date = Some(date);
        notes.push(Diagnostic::unplaced(DiagKind::PoamDateDefault { date }));
    }
    for blank in layout.blank_metadata(&system) {
        notes.push(Diagnostic::unplaced(DiagKind::MetadataBlank {
            label: blank.label,
            how: blank.how,
            template: layout.name.clone(),
        }));
    }
    system
}

/// A sheet added after the template's own: a title block, then tables of
/// text (numbers written as numbers), each with a header row.
#[derive(Debug, Clone, Default)]
pub struct ExtraSheet {
    /// The sheet's name.
    pub name: String,
    /// Lines above the tables: the first the title, the others facts
    /// (`As of: 2025-01-31`).
    pub heading: Vec<String>,
    /// The tables, each its header row then its rows; a table whose last
    /// row's first cell is `Total` has that row in bold.
    pub tables: Vec<Vec<Vec<String>>>,
}

/// The header of the column a roll-up's items carry their unit in.
pub const UNIT_HEADER: &str = "Business Unit";

/// With `--keep-extra`, the corrective-action fields a template has no
/// column for get columns of their own, named as corrective-action logs
/// name them (and as poam reads them back).
const QUALITY_COLUMNS: [(&str, Field); 8] = [
    ("Standard", Field::Standard),
    ("Grade", Field::Grade),
    ("Root Cause", Field::RootCause),
    ("Containment", Field::Containment),
    ("Preventive Action", Field::PreventiveAction),
    ("Effectiveness Check Date", Field::EffectivenessCheckedOn),
    ("Effectiveness Result", Field::EffectivenessResult),
    ("Verified By", Field::VerifiedBy),
];

/// The field a kept column named `header` holds, if it is one of the
/// corrective-action columns.
fn quality_column(header: &str) -> Option<Field> {
    QUALITY_COLUMNS
        .iter()
        .find(|(h, _)| *h == header)
        .map(|(_, f)| *f)
}

/// The rows and columns of an Excel sheet.
const MAX_ROWS: u32 = 1_048_576;
const MAX_COLUMNS: usize = 16_384;

/// The message for a sheet whose items need more rows than a sheet has.
fn too_many_rows(sheet: &str, first_data_row: u32, items: Option<usize>) -> ExportError {
    let room = MAX_ROWS - (first_data_row - 1);
    ExportError::TooBig(format!(
        "sheet '{sheet}' holds {room} items at most (an Excel sheet has {MAX_ROWS} rows, the first {} the template's own){}; split the POA&M (a file per business unit, or by status) or write CSV or JSON, which have no such limit",
        first_data_row - 1,
        items.map(|n| format!(", and {n} items go there")).unwrap_or_default()
    ))
}

/// Excel's limit on the characters of one cell, in UTF-16 units.
const MAX_CELL: usize = 32_767;

/// The formats cells are written with.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Style {
    Title,
    Banner,
    Label,
    Header,
    Guidance,
    Text,
}

struct Formats {
    title: Format,
    banner: Format,
    label: Format,
    header: Format,
    guidance: Format,
    text: Format,
    date: Format,
    /// Text and dates of the shaded rows, when the layout shades every other
    /// data row.
    band: Option<(Format, Format)>,
}

impl Formats {
    /// The formats of a layout's `[style]`.
    fn new(style: &poam_layout::Style) -> Formats {
        let font = |f: Format| {
            let f = match &style.font {
                Some(name) => f.set_font_name(name),
                None => f,
            };
            match style.font_size {
                Some(size) => f.set_font_size(size),
                None => f,
            }
        };
        let header_fill = Color::RGB(style.header_fill.0);
        let mut title = font(Format::new())
            .set_bold()
            .set_font_size(style.title_size);
        if let Some(c) = style.title_color {
            title = title.set_font_color(Color::RGB(c.0));
        }
        let mut banner = font(Format::new())
            .set_bold()
            .set_align(FormatAlign::Center)
            .set_align(FormatAlign::VerticalCenter);
        if let Some(c) = style.banner_fill {
            banner = banner.set_background_color(Color::RGB(c.0));
        }
        if let Some(name) = &style.banner_font {
            banner = banner.set_font_name(name);
        }
        if let Some(size) = style.banner_size {
            banner = banner.set_font_size(size);
        }
        if let Some(c) = style.banner_color {
            banner = banner.set_font_color(Color::RGB(c.0));
        }
        // Header and label cells: their own size where the template has one.
        let heading = |f: Format| match style.header_size {
            Some(size) => f.set_font_size(size),
            None => f,
        };
        let label_fill = style.label_fill.map_or(header_fill, |c| Color::RGB(c.0));
        let text = font(Format::new())
            .set_text_wrap()
            .set_align(FormatAlign::Top);
        let date = font(Format::new())
            .set_num_format("mm/dd/yyyy")
            .set_align(FormatAlign::Top);
        let band = style.band_fill.map(|c| {
            (
                text.clone().set_background_color(Color::RGB(c.0)),
                date.clone().set_background_color(Color::RGB(c.0)),
            )
        });
        Formats {
            title,
            banner,
            label: heading(font(Format::new()))
                .set_bold()
                .set_background_color(label_fill)
                .set_border(FormatBorder::Thin),
            header: heading(font(Format::new()))
                .set_bold()
                .set_text_wrap()
                .set_align(FormatAlign::Top)
                .set_background_color(header_fill)
                .set_border(FormatBorder::Thin),
            guidance: font(Format::new())
                .set_text_wrap()
                .set_align(FormatAlign::Top)
                .set_background_color(Color::RGB(style.guidance_fill.0))
                .set_border(FormatBorder::Thin),
            text,
            date,
            band,
        }
    }

    fn get(&self, style: Style) -> &Format {
        match style {
            Style::Title => &self.title,
            Style::Banner => &self.banner,
            Style::Label => &self.label,
            Style::Header => &self.header,
            Style::Guidance => &self.guidance,
            Style::Text => &self.text,
        }
    }
}

/// One write above the data, sorted so that rows go out in order.
enum Put {
    Text(String, Style),
    Date(NaiveDate),
    /// A merged range to (last row, last column) holding the text.
    Merge(u32, u16, String, Style),
}

/// Counts, per field or header, how many items lost or moved something.
#[derive(Default)]
pub(crate) struct Tally {
    dropped: BTreeMap<Lost, usize>,
    moved: BTreeMap<Moved, usize>,
    /// Notes about single items (a value the template's check refuses).
    notes: Vec<Diagnostic>,
}

impl Tally {
    /// Adds another tally's counts.
    pub(crate) fn merge(&mut self, other: Tally) {
        for (what, n) in other.moved {
            *self.moved.entry(what).or_default() += n;
        }
        for (what, n) in other.dropped {
            *self.dropped.entry(what).or_default() += n;
        }
        self.notes.extend(other.notes);
    }

    fn moved(&mut self, what: Moved) {
        *self.moved.entry(what).or_default() += 1;
    }
    fn dropped(&mut self, what: Lost) {
        *self.dropped.entry(what).or_default() += 1;
    }
}

/// A page header and footer (from [`marked_header_footer`]) set on a sheet.
fn set_header_footer(ws: &mut Worksheet, (header, footer): &(Option<String>, Option<String>)) {
    if let Some(h) = header {
        ws.set_header(h);
    }
    if let Some(f) = footer {
        ws.set_footer(f);
    }
}

/// The page header and footer for a system: the layout's, with its own
/// marking replaced by the system's; without one in the layout, the
/// system's marking centered in both. Excel's header codes take `&&` for `&`.
pub(crate) fn marked_header_footer(
    layout: &Layout,
    system: &SystemInfo,
) -> (Option<String>, Option<String>) {
    let print = &layout.print;
    let Some(marking) = &system.marking else {
        return (print.header.clone(), print.footer.clone());
    };
    let marking = marking.replace('&', "&&");
    let defaults: Vec<&str> = layout
        .sheets
        .iter()
        .filter_map(|s| s.banner.as_ref())
        .map(|b| poam_model::marking::bare(&b.text))
        .filter(|m| !m.is_empty())
        .collect();
    let mark = |text: &Option<String>| -> Option<String> {
        let text = text.as_ref()?;
        let found = defaults.iter().find(|d| text.contains(**d))?;
        Some(text.replace(found, &marking))
    };
    match (mark(&print.header), mark(&print.footer)) {
        (None, None) if print.header.is_none() && print.footer.is_none() => {
            let centered = format!("&C{marking}");
            (Some(centered.clone()), Some(centered))
        }
        (h, f) => (
            h.or_else(|| print.header.clone()),
            f.or_else(|| print.footer.clone()),
        ),
    }
}

/// Whether Excel can hold a date as a date (1900-01-01 to 9999-12-31).
fn excel_can_hold(d: NaiveDate) -> bool {
    (1900..=9999).contains(&d.year())
}

/// A day as Excel holds it.
pub(crate) fn excel_date(d: NaiveDate) -> Result<ExcelDateTime, ExportError> {
    Ok(ExcelDateTime::from_ymd(
        d.year() as u16,
        d.month() as u8,
        d.day() as u8,
    )?)
}

fn cell_range(range: &str) -> Option<((u16, u32), (u16, u32))> {
    let (a, b) = range.split_once(':')?;
    Some((parse_cell_ref(a)?, parse_cell_ref(b)?))
}

/// Which sheet of the layout an item goes to.
fn target_sheet(layout: &Layout, item: &Item) -> Option<usize> {
    let role = match (item.state, item.category) {
        (State::Open, Some(Category::Configuration))
            if layout.sheet_by_role(SheetRole::Configuration).is_some() =>
        {
            SheetRole::Configuration
        }
        (State::Open, _) => SheetRole::Open,
        (State::Closed, _) => SheetRole::Closed,
    };
    layout
        .sheets
        .iter()
        .position(|s| s.role == role)
        // eMASS has one sheet for every item.
        .or_else(|| layout.sheets.iter().position(|s| s.role == SheetRole::Open))
}

/// Writes the model as a workbook in `layout`.
///
/// Open items go to the layout's open sheet, closed items to its closed
/// sheet (eMASS: the one POA&M sheet, with a Completed status), open
/// configuration findings to the configuration sheet when there is one.
/// Rows follow the layout's row mode: one per item (FedRAMP), or further
/// rows holding only milestone cells (eMASS). Fields the layout has no column
/// for are reported in the returned diagnostics (milestones move into the
/// remediation plan when the layout has no milestone column); `extra` cells
/// whose header is a template column fill that column when the field is
/// empty.
///
/// # Errors
///
/// [`ExportError::Xlsx`] when rust_xlsxwriter rejects the workbook.
pub fn write_xlsx(
    poam: &Poam,
    layout: &Layout,
    opts: &XlsxOptions,
) -> Result<Written, ExportError> {
    // `--keep-extra`: the columns come from every item, before any row.
    let mut extra_headers: Vec<Vec<String>> = vec![Vec::new(); layout.sheets.len()];
    if opts.keep_extra && layout.rules.extra_columns {
        for item in &poam.items {
            let Some(s) = target_sheet(layout, item) else {
                continue;
            };
            let headers = &layout.sheets[s].headers;
            for key in item.extra.keys() {
                if !headers.iter().any(|h| h == key) && !extra_headers[s].iter().any(|h| h == key) {
                    extra_headers[s].push(key.to_string());
                }
            }
            let held = |f: Field| {
                headers.iter().any(|h| {
                    layout
                        .column(h)
                        .is_some_and(|c| c.field.as_deref() == Some(f.name()))
                })
            };
            for (header, field) in QUALITY_COLUMNS {
                if !item.is_blank(field)
                    && !held(field)
                    && !headers.iter().any(|h| h == header)
                    && !extra_headers[s].iter().any(|h| h == header)
                {
                    extra_headers[s].push(header.to_string());
                }
            }
        }
    }
    if opts.unit_column
        && layout.rules.extra_columns
        && poam.items.iter().any(|i| i.business_unit.is_some())
    {
        for (s, def) in layout.sheets.iter().enumerate() {
            if !def.headers.iter().any(|h| h == UNIT_HEADER)
                && !extra_headers[s].iter().any(|h| h == UNIT_HEADER)
            {
                extra_headers[s].insert(0, UNIT_HEADER.to_string());
            }
        }
    }
    // Limits checked before any work: the sheets' rows and columns.
    let mut per_sheet = vec![0usize; layout.sheets.len()];
    for item in &poam.items {
        if let Some(s) = target_sheet(layout, item) {
            per_sheet[s] += 1;
        }
    }
    for (s, def) in layout.sheets.iter().enumerate() {
        let first = def.first_data_row - 1;
        if first as usize + per_sheet[s] > MAX_ROWS as usize {
            return Err(too_many_rows(
                &def.name,
                def.first_data_row,
                Some(per_sheet[s]),
            ));
        }
        let columns = def.headers.len() + extra_headers[s].len();
        if columns > MAX_COLUMNS {
            return Err(ExportError::TooBig(format!(
                "sheet '{}' would need {columns} columns with --keep-extra ({} of the template, {} kept), and an Excel sheet has {MAX_COLUMNS}; leave out --keep-extra, or write CSV or JSON, which keep every column",
                def.name,
                def.headers.len(),
                extra_headers[s].len()
            )));
        }
    }
    let plan = XlsxPlan::with_extra_headers(layout, extra_headers);
    let mut stream = XlsxStream::start(&poam.system, plan, opts)?;
    for item in &poam.items {
        stream.push(item)?;
    }
    stream.finish()
}

/// A workbook written item by item, as a reader hands them over: rows go
/// out as they come (rust_xlsxwriter's low-memory mode), so neither the
/// items nor the sheets are held. Items are routed to their sheet as
/// [`write_xlsx`] says; `--keep-extra` needs every item first and is only
/// honoured by [`write_xlsx`].
pub struct XlsxStream<'l> {
    workbook: Workbook,
    plan: XlsxPlan<'l>,
    f: Formats,
    tally: Tally,
    /// Data rows written so far, per sheet.
    rows: Vec<u32>,
    /// Each layout sheet's place among the workbook's tabs (the official
    /// tabs that hold no items come between them).
    index_of: Vec<usize>,
    /// Each sheet's column widths, by column index.
    widths: Vec<Vec<f64>>,
    /// The page header and footer with the marking, for the added sheets.
    header_footer: (Option<String>, Option<String>),
    extra_sheets: Vec<ExtraSheet>,
    /// Notes about the whole workbook (the marking written).
    notes: Vec<Diagnostic>,
}

/// How items become the cells of a layout's sheets. Cheap to clone and
/// `Send`: a reader's thread can turn items into [`PreparedItem`]s while the
/// writer's thread writes them.
#[derive(Clone)]
pub struct XlsxPlan<'l> {
    layout: &'l Layout,
    sheets: Vec<SheetPlan>,
}

#[derive(Clone)]
struct SheetPlan {
    fields: Vec<Option<Field>>,
    extra_headers: Vec<String>,
    c0: u16,
}

/// An item turned into its rows of cells on the sheet it goes to, with what
/// it lost or moved.
pub struct PreparedItem {
    pub(crate) sheet: Option<usize>,
    pub(crate) rows: Vec<Vec<(u16, CellValue)>>,
    pub(crate) tally: Tally,
}

/// A cell's value; text and numbers take the template's text format, dates
/// its date format.
pub(crate) enum CellValue {
    Text(String),
    Number(f64),
    Date(NaiveDate),
}

impl<'l> XlsxPlan<'l> {
    /// The plan of a layout's sheets, without `--keep-extra` columns.
    pub fn new(layout: &'l Layout) -> Self {
        Self::with_extra_headers(layout, vec![Vec::new(); layout.sheets.len()])
    }

    fn with_extra_headers(layout: &'l Layout, extra_headers: Vec<Vec<String>>) -> Self {
        let sheets = layout
            .sheets
            .iter()
            .zip(extra_headers)
            .map(|(def, extra_headers)| SheetPlan {
                fields: def
                    .headers
                    .iter()
                    .map(|h| layout.field_for_header(h).flatten())
                    .collect(),
                extra_headers,
                c0: column_index(&def.first_column).unwrap_or(0),
            })
            .collect();
        XlsxPlan { layout, sheets }
    }

    /// The sheet an item goes to and how many rows it takes there, without
    /// making its cells.
    pub(crate) fn place(&self, item: &Item) -> Option<(usize, usize)> {
        let s = target_sheet(self.layout, item)?;
        let cells = SheetCells {
            layout: self.layout,
            def: &self.layout.sheets[s],
        };
        Some((s, cells.plan_rows(item, &self.sheets[s].fields).len()))
    }

    /// An item's sheet, rows of cells and losses.
    pub fn prepare(&self, item: &Item) -> PreparedItem {
        let mut tally = Tally::default();
        let Some(s) = target_sheet(self.layout, item) else {
            return PreparedItem {
                sheet: None,
                rows: Vec::new(),
                tally,
            };
        };
        let cells = SheetCells {
            layout: self.layout,
            def: &self.layout.sheets[s],
        };
        let sheet = &self.sheets[s];
        let rows = cells
            .plan_rows(item, &sheet.fields)
            .iter()
            .map(|plan| {
                cells.row_cells(
                    sheet.c0,
                    &sheet.fields,
                    plan,
                    &sheet.extra_headers,
                    &mut tally,
                )
            })
            .collect();
        cells.tally_losses(item, &sheet.fields, &sheet.extra_headers, &mut tally);
        PreparedItem {
            sheet: Some(s),
            rows,
            tally,
        }
    }
}

impl<'l> XlsxStream<'l> {
    /// Starts a workbook: everything above the data on every sheet.
    ///
    /// # Errors
    ///
    /// [`ExportError::Xlsx`] when rust_xlsxwriter rejects a cell.
    pub fn new(
        system: &SystemInfo,
        layout: &'l Layout,
        opts: &XlsxOptions,
    ) -> Result<Self, ExportError> {
        let opts = XlsxOptions {
            keep_extra: false,
            ..opts.clone()
        };
        Self::start(system, XlsxPlan::new(layout), &opts)
    }

    fn start(
        system: &SystemInfo,
        plan: XlsxPlan<'l>,
        opts: &XlsxOptions,
    ) -> Result<Self, ExportError> {
        let layout = plan.layout;
        let f = Formats::new(&layout.style);
        let mut workbook = Workbook::new();
        let mut tally = Tally::default();
        let mut notes = Vec::new();
        let system = &*settle_metadata(system, layout, opts.default_poam_date, &mut notes);
        if opts.keep_extra && !layout.rules.extra_columns {
            tally.moved(Moved::ExtraColumnsRefused {
                family: layout.family_label().to_string(),
            });
        }
        // The layout's sheets and its item-less tabs, in the official order;
        // the tabs and the added sheets take the item sheets' marking.
        let header_footer = marked_header_footer(layout, system);
        let mut tabs: Vec<&poam_layout::Tab> = layout.tabs.iter().collect();
        tabs.sort_by_key(|t| t.position);
        let mut tabs = tabs.into_iter().peekable();
        let mut index_of = Vec::with_capacity(layout.sheets.len());
        let mut at = 0usize;
        for (def, sheet) in layout.sheets.iter().zip(&plan.sheets) {
            while let Some(tab) = tabs.next_if(|t| t.position <= at) {
                write_tab(
                    workbook.add_worksheet(),
                    tab,
                    &layout.style,
                    &f,
                    &header_footer,
                )?;
                at += 1;
            }
            let ws = workbook.add_worksheet_with_low_memory()?;
            ws.set_name(&def.name)?;
            let writer = SheetWriter { layout, def, f: &f };
            writer.begin(ws, system, &sheet.extra_headers)?;
            index_of.push(at);
            at += 1;
        }
        for tab in tabs {
            write_tab(
                workbook.add_worksheet(),
                tab,
                &layout.style,
                &f,
                &header_footer,
            )?;
        }
        if system.marking.is_none() {
            if let Some(b) = layout.sheets.iter().find_map(|s| s.banner.as_ref()) {
                notes.push(Diagnostic::unplaced(DiagKind::TemplateMarking {
                    text: poam_model::marking::bare(&b.text).to_string(),
                }));
            }
        }
        Ok(XlsxStream {
            workbook,
            notes,
            rows: vec![0; plan.sheets.len()],
            index_of,
            header_footer,
            widths: layout
                .sheets
                .iter()
                .zip(&plan.sheets)
                .map(|(def, sheet)| {
                    let c0 = column_index(&def.first_column).unwrap_or(0) as usize;
                    let mut w = vec![0.0; c0];
                    w.extend(
                        def.headers
                            .iter()
                            .map(|h| layout.column(h).map_or(20.0, |c| c.width)),
                    );
                    w.extend(sheet.extra_headers.iter().map(|_| 20.0));
                    w
                })
                .collect(),
            plan,
            f,
            tally,
            extra_sheets: opts.extra_sheets.clone(),
        })
    }

    /// How this workbook turns items into cells, for another thread.
    pub fn plan(&self) -> XlsxPlan<'l> {
        self.plan.clone()
    }

    /// Writes one item's rows on its sheet.
    ///
    /// # Errors
    ///
    /// [`ExportError::Xlsx`] when rust_xlsxwriter rejects a cell.
    pub fn push(&mut self, item: &Item) -> Result<(), ExportError> {
        let prepared = self.plan.prepare(item);
        self.push_prepared(prepared)
    }

    /// Writes an item prepared by [`XlsxPlan::prepare`] (of this workbook's
    /// layout).
    ///
    /// # Errors
    ///
    /// [`ExportError::Xlsx`] when rust_xlsxwriter rejects a cell.
    pub fn push_prepared(&mut self, item: PreparedItem) -> Result<(), ExportError> {
        self.tally.merge(item.tally);
        let Some(s) = item.sheet else {
            return Ok(());
        };
        let def = &self.plan.layout.sheets[s];
        let first = def.first_data_row - 1;
        let height = def.data_row_height;
        let ws = self.workbook.worksheet_from_index(self.index_of[s])?;
        for cells in item.rows {
            let n = self.rows[s];
            if first + n >= MAX_ROWS {
                return Err(too_many_rows(&def.name, def.first_data_row, None));
            }
            match height {
                Some(h) => {
                    ws.set_row_height(first + n, h)?;
                }
                // No height in the official file: as tall as its wrapped
                // text, which neither Excel nor LibreOffice sizes on opening.
                None => {
                    if let Some(h) =
                        wrapped_height(&cells, &self.widths[s], &self.plan.layout.style)
                    {
                        ws.set_row_height(first + n, h)?;
                    }
                }
            }
            // Every other data row shaded, from the second, when the layout says.
            let band = n % 2 == 1;
            emit(ws, first + n, cells, &self.f, band)?;
            self.rows[s] += 1;
        }
        Ok(())
    }

    /// Adds the drop-down lists and the extra sheets, and zips the workbook;
    /// the diagnostics say what the items lost or moved.
    ///
    /// # Errors
    ///
    /// [`ExportError::Xlsx`] when rust_xlsxwriter rejects the workbook.
    pub fn finish(mut self) -> Result<Written, ExportError> {
        let layout = self.plan.layout;
        for (s, def) in layout.sheets.iter().enumerate() {
            let writer = SheetWriter {
                layout,
                def,
                f: &self.f,
            };
            let ws = self.workbook.worksheet_from_index(self.index_of[s])?;
            writer.end(ws, self.rows[s])?;
        }
        for sheet in &self.extra_sheets {
            let ws = self.workbook.add_worksheet();
            write_extra_sheet(ws, sheet, self.plan.layout)?;
            set_header_footer(ws, &self.header_footer);
        }
        let bytes = self.workbook.save_to_buffer()?;
        let mut diagnostics = self.tally.diagnostics(&layout.name);
        diagnostics.extend(self.notes);
        Ok(Written { bytes, diagnostics })
    }
}

/// A width as a workbook's XML stores it (what layouts record, read off the
/// official files) as rust_xlsxwriter takes it: the characters shown,
/// without the five pixels of padding (5/7 of a character of the default
/// font) that the file's `width` includes.
fn stored_width(width: f64) -> f64 {
    if width > 1.0 {
        width - 5.0 / 7.0
    } else {
        width
    }
}

/// The height a data row needs for its wrapped text, in points, when more
/// than one line: each cell's lines at about 1.1 characters a width unit
/// (Excel's unit is a character of the default font), the tallest cell's
/// lines at 1.3 times the font size; at most Excel's 409 points.
fn wrapped_height(
    cells: &[(u16, CellValue)],
    widths: &[f64],
    style: &poam_layout::Style,
) -> Option<f64> {
    let size = style.font_size.unwrap_or(11.0);
    let per_unit = 1.1 * 11.0 / size;
    let lines = cells
        .iter()
        .filter_map(|(c, v)| match v {
            CellValue::Text(t) => Some((*c, t)),
            _ => None,
        })
        .map(|(c, t)| {
            let width = widths.get(c as usize).copied().unwrap_or(20.0).max(1.0);
            let room = (width * per_unit).floor().max(1.0) as usize;
            t.split('\n')
                .map(|l| l.chars().count().div_ceil(room).max(1))
                .sum::<usize>()
        })
        .max()
        .unwrap_or(1);
    (lines > 1).then(|| (lines as f64 * size * 1.3 + 2.0).min(409.0))
}

/// A tab of the official workbook that holds no items, as the layout
/// gives it: its cells in the layout's fonts, widths and heights.
fn write_tab(
    ws: &mut Worksheet,
    tab: &poam_layout::Tab,
    style: &poam_layout::Style,
    f: &Formats,
    header_footer: &(Option<String>, Option<String>),
) -> Result<(), ExportError> {
    use poam_layout::TabStyle;
    ws.set_name(&tab.name)?;
    // The item sheets' text and header formats; a label is bold text, the
    // title bold text in the title's size and colour.
    let label = f.text.clone().set_bold();
    let mut title = label.clone().set_font_size(style.title_size);
    if let Some(c) = style.title_color {
        title = title.set_font_color(Color::RGB(c.0));
    }
    for (letter, width) in &tab.widths {
        if let Some(c) = column_index(letter) {
            ws.set_column_width(c, stored_width(*width))?;
        }
    }
    for (row, height) in &tab.heights {
        ws.set_row_height(row.saturating_sub(1), *height)?;
    }
    for cell in &tab.cells {
        let Some((c, r)) = parse_cell_ref(&cell.cell) else {
            continue;
        };
        let format = match cell.style {
            TabStyle::Text => &f.text,
            TabStyle::Title => &title,
            TabStyle::Header => &f.header,
            TabStyle::Label => &label,
        };
        match cell.merge.as_deref().and_then(cell_range) {
            Some(((c0, r0), (c1, r1))) => {
                ws.merge_range(r0, c0, r1, c1, &cell.text, format)?;
            }
            None => {
                ws.write_string_with_format(r, c, &cell.text, format)?;
            }
        }
    }
    if tab.landscape {
        ws.set_landscape();
    }
    // One page wide: its few columns never print apart; the marking on
    // its pages as on the item tabs'.
    ws.set_print_fit_to_pages(1, 0);
    set_header_footer(ws, header_footer);
    Ok(())
}

/// An added sheet (a roll-up's summary): its title block, then each table
/// with a bordered, shaded header row and bordered cells, numbers as
/// numbers, a bold total row; columns as wide as their texts; printed
/// landscape, one page wide, in the template's fonts.
fn write_extra_sheet(
    ws: &mut Worksheet,
    sheet: &ExtraSheet,
    layout: &Layout,
) -> Result<(), ExportError> {
    ws.set_name(&sheet.name)?;
    let font = layout.style.font.as_deref().unwrap_or("Calibri");
    let size = layout.style.font_size.unwrap_or(11.0);
    let base = Format::new().set_font_name(font).set_font_size(size);
    let title = base.clone().set_bold().set_font_size(size + 4.0);
    let cell = base
        .clone()
        .set_border(FormatBorder::Thin)
        .set_align(FormatAlign::Top);
    let header = cell
        .clone()
        .set_bold()
        .set_background_color(Color::RGB(0xD9E1F2));
    let total = cell.clone().set_bold();
    let mut r = 0u32;
    for (i, line) in sheet.heading.iter().enumerate() {
        ws.write_string_with_format(r, 0, line, if i == 0 { &title } else { &base })?;
        r += 1;
    }
    let mut widths: Vec<usize> = Vec::new();
    let mut first_header = None;
    for table in &sheet.tables {
        r += 1;
        let last = table.len().saturating_sub(1);
        for (t, row) in table.iter().enumerate() {
            let is_total = t == last && t > 0 && row.first().is_some_and(|c| c == "Total");
            for (c, text) in row.iter().enumerate() {
                if widths.len() <= c {
                    widths.resize(c + 1, 8);
                }
                widths[c] = widths[c].max(text.chars().count().min(60) + 2);
                let col = c as u16;
                let format = if t == 0 {
                    &header
                } else if is_total {
                    &total
                } else {
                    &cell
                };
                match text.parse::<f64>() {
                    Ok(n) if t > 0 && !text.is_empty() => {
                        ws.write_number_with_format(r, col, n, format)?
                    }
                    // Text stays text: never a formula.
                    _ => ws.write_string_with_format(r, col, text, format)?,
                };
            }
            if t == 0 && first_header.is_none() {
                first_header = Some(r);
            }
            r += 1;
        }
    }
    for (c, w) in widths.iter().enumerate() {
        ws.set_column_width(c as u16, *w as f64)?;
    }
    if let Some(h) = first_header {
        ws.set_freeze_panes(h + 1, 0)?;
        ws.set_repeat_rows(h, h)?;
    }
    ws.set_landscape();
    ws.set_print_fit_to_pages(1, 0);
    Ok(())
}

impl Tally {
    /// What the items lost or moved, as diagnostics about the target.
    pub(crate) fn diagnostics(self, target: &str) -> Vec<Diagnostic> {
        let mut diagnostics = Vec::new();
        let target = target.to_string();
        for (moved, count) in self.moved {
            diagnostics.push(Diagnostic::unplaced(DiagKind::MovedField {
                count,
                moved,
                target: target.clone(),
            }));
        }
        for (lost, count) in self.dropped {
            diagnostics.push(Diagnostic::unplaced(DiagKind::DroppedField {
                count,
                lost,
                target: target.clone(),
            }));
        }
        diagnostics.extend(self.notes);
        diagnostics
    }
}

/// One row of data: an item, and which of its milestones the row carries.
struct RowPlan<'a> {
    item: &'a Item,
    /// The milestone for this row (row modes other than `Item`).
    milestone: Option<&'a Milestone>,
    /// The item's first row, which carries its fields.
    first: bool,
}

struct SheetWriter<'a> {
    layout: &'a Layout,
    def: &'a SheetDef,
    f: &'a Formats,
}

impl SheetWriter<'_> {
    /// Everything above the data, and the column widths.
    fn begin(
        &self,
        ws: &mut Worksheet,
        system: &SystemInfo,
        extra_headers: &[String],
    ) -> Result<(), ExportError> {
        let def = self.def;
        let c0 = column_index(&def.first_column).unwrap_or(0);
        self.page_setup(ws, system)?;
        for (row, h) in &def.row_heights {
            ws.set_row_height(row - 1, *h)?;
        }
        // Written row by row, in order.
        let mut top: BTreeMap<(u32, u16), Put> = BTreeMap::new();
        self.plan_top(&mut top, system, extra_headers, c0);
        for ((r, c), put) in top {
            match put {
                Put::Text(t, style) => {
                    ws.write_string_with_format(r, c, &t, self.f.get(style))?;
                }
                Put::Date(d) if excel_can_hold(d) => {
                    ws.write_datetime_with_format(r, c, excel_date(d)?, &self.f.date)?;
                }
                Put::Date(d) => {
                    ws.write_string_with_format(r, c, d.to_string(), &self.f.text)?;
                }
                Put::Merge(lr, lc, t, style) => {
                    ws.merge_range(r, c, lr, lc, &t, self.f.get(style))?;
                }
            }
        }
        for (i, header) in def.headers.iter().enumerate() {
            let width = self.layout.column(header).map_or(20.0, |c| c.width);
            ws.set_column_width(c0 + i as u16, stored_width(width))?;
        }
        for i in 0..extra_headers.len() {
            ws.set_column_width(c0 + (def.headers.len() + i) as u16, 20)?;
        }
        Ok(())
    }

    /// The layout's `[print]`: orientation, paper, fit to width, the page
    /// header and footer (the marking), the header row on every page.
    fn page_setup(&self, ws: &mut Worksheet, system: &SystemInfo) -> Result<(), ExportError> {
        let print = &self.layout.print;
        match print.orientation {
            Some(poam_layout::Orientation::Landscape) => {
                ws.set_landscape();
            }
            Some(poam_layout::Orientation::Portrait) => {
                ws.set_portrait();
            }
            None => {}
        }
        if let Some(p) = print.paper {
            ws.set_paper_size(p.code());
        }
        if print.fit_to_width {
            ws.set_print_fit_to_pages(1, 0);
        }
        set_header_footer(ws, &marked_header_footer(self.layout, system));
        if print.repeat_header {
            let r = self.def.header_row - 1;
            ws.set_repeat_rows(r, r)?;
        }
        Ok(())
    }

    /// Drop-down lists and date checks, as in the official file, and the
    /// frozen panes.
    fn end(&self, ws: &mut Worksheet, rows: u32) -> Result<(), ExportError> {
        let def = self.def;
        let c0 = column_index(&def.first_column).unwrap_or(0);
        let first = def.first_data_row - 1;
        let last = def.validation_last_row.max(first + rows).saturating_sub(1);
        for (i, header) in def.headers.iter().enumerate() {
            let col = c0 + i as u16;
            let Some(column) = self.layout.column(header) else {
                continue;
            };
            if !column.list.is_empty() && column.drop_down {
                let dv = DataValidation::new()
                    .allow_list_strings(&column.list)?
                    .set_input_message(column.list.join(", "))?;
                ws.add_data_validation(first, col, last, col, &dv)?;
            } else if column.date_validation {
                let dv = DataValidation::new()
                    .allow_date(DataValidationRule::GreaterThan(ExcelDateTime::from_ymd(
                        1980, 1, 1,
                    )?))
                    .set_input_message("Date")?;
                ws.add_data_validation(first, col, last, col, &dv)?;
            }
        }
        // The impact level's drop-down in the metadata block (v2.x).
        if let Some(meta) = def.metadata.as_ref().filter(|m| !m.impact_list.is_empty()) {
            if let Some(i) = meta
                .fields
                .iter()
                .position(|f| *f == SystemField::ImpactLevel)
            {
                let col = column_index(&meta.first_column).unwrap_or(0) + i as u16;
                let dv = DataValidation::new().allow_list_strings(&meta.impact_list)?;
                ws.add_data_validation(meta.value_row - 1, col, meta.value_row - 1, col, &dv)?;
                // The official file colours the level it holds.
                let r = meta.value_row - 1;
                for (word, fill) in &meta.impact_colors {
                    let format = Format::new()
                        .set_background_color(Color::RGB(fill.0))
                        .set_font_color(Color::White);
                    let cf = rust_xlsxwriter::ConditionalFormatText::new()
                        .set_rule(rust_xlsxwriter::ConditionalFormatTextRule::Contains(
                            word.clone(),
                        ))
                        .set_format(format);
                    ws.add_conditional_format(r, col, r, col, &cf)?;
                }
            }
        }
        if let Some((fc, fr)) = def.freeze.as_deref().and_then(parse_cell_ref) {
            ws.set_freeze_panes(fr, fc)?;
        }
        Ok(())
    }

    /// Banner, title, metadata, header row and guidance rows.
    fn plan_top(
        &self,
        top: &mut BTreeMap<(u32, u16), Put>,
        sys: &SystemInfo,
        extra_headers: &[String],
        c0: u16,
    ) {
        let def = self.def;
        for (text, style, merge) in [
            def.banner.as_ref().map(|b| {
                let text = match &sys.marking {
                    Some(m) => poam_model::marking::rebanner(&b.text, m),
                    None => b.text.clone(),
                };
                (text, Style::Banner, &b.merge)
            }),
            def.title
                .as_ref()
                .map(|t| (t.text.clone(), Style::Title, &t.merge)),
        ]
        .into_iter()
        .flatten()
        {
            match merge.as_deref().and_then(cell_range) {
                Some(((ac, ar), (bc, br))) => {
                    top.insert((ar, ac), Put::Merge(br, bc, text.clone(), style))
                }
                None => top.insert((0, 0), Put::Text(text.clone(), style)),
            };
        }
        if let Some(meta) = &def.metadata {
            let m0 = column_index(&meta.first_column).unwrap_or(0);
            if let Some(g) = meta.guidance_row {
                if let Some(label) = &meta.guidance_label {
                    top.insert((g - 1, 0), Put::Text(label.clone(), Style::Label));
                }
                for (i, text) in meta.guidance.iter().enumerate() {
                    top.insert(
                        (g - 1, m0 + i as u16),
                        Put::Text(text.clone(), Style::Guidance),
                    );
                }
            }
            for (i, (label, field)) in meta.labels.iter().zip(&meta.fields).enumerate() {
                let col = m0 + i as u16;
                top.insert(
                    (meta.label_row - 1, col),
                    Put::Text(label.clone(), Style::Label),
                );
                let at = (meta.value_row - 1, col);
                match field {
                    SystemField::Organization => put_opt(top, at, &sys.organization),
                    SystemField::Name => put_opt(top, at, &sys.name),
                    SystemField::ImpactLevel => put_opt(top, at, &sys.impact_level),
                    SystemField::PoamDate => {
                        if let Some(d) = sys.poam_date {
                            top.insert(at, Put::Date(d));
                        }
                    }
                }
            }
        }
        for lv in &def.label_values {
            let Some((lc, lr)) = parse_cell_ref(&lv.label_cell) else {
                continue;
            };
            let Some((vc, vr)) = parse_cell_ref(&lv.value_cell) else {
                continue;
            };
            let label_put = match lv.label_merge.as_deref().and_then(cell_range) {
                Some((_, (bc, br))) => Put::Merge(br, bc, lv.label.clone(), Style::Label),
                None => Put::Text(lv.label.clone(), Style::Label),
            };
            top.insert((lr, lc), label_put);
            let value = match lv.field {
                Some(SystemField::Name) => sys.name.clone(),
                Some(SystemField::Organization) => sys.organization.clone(),
                Some(SystemField::ImpactLevel) => sys.impact_level.clone(),
                Some(SystemField::PoamDate) => {
                    sys.poam_date.map(|d| d.format("%m/%d/%Y").to_string())
                }
                None => sys.extra.get(&lv.label).cloned(),
            };
            let value_put = match (lv.value_merge.as_deref().and_then(cell_range), value) {
                (Some((_, (bc, br))), v) => Put::Merge(br, bc, v.unwrap_or_default(), Style::Text),
                (None, Some(v)) => Put::Text(v, Style::Text),
                (None, None) => continue,
            };
            top.insert((vr, vc), value_put);
        }
        let header_row = def.header_row - 1;
        for (i, header) in def.headers.iter().enumerate() {
            top.insert(
                (header_row, c0 + i as u16),
                Put::Text(header.clone(), Style::Header),
            );
        }
        for (i, h) in extra_headers.iter().enumerate() {
            top.insert(
                (header_row, c0 + (def.headers.len() + i) as u16),
                Put::Text(h.clone(), Style::Header),
            );
        }
        for fixed in &def.fixed_rows {
            let r = fixed.row - 1;
            if let (Some(label), true) = (&fixed.label, c0 > 0) {
                top.insert((r, c0 - 1), Put::Text(label.clone(), Style::Label));
            }
            for (i, header) in def.headers.iter().enumerate() {
                if let Some(text) = fixed.cells.get(header) {
                    top.insert((r, c0 + i as u16), Put::Text(text.clone(), Style::Guidance));
                }
            }
        }
    }
}

/// What turns an item into a sheet's cells: no workbook needed, so it runs
/// on any thread.
#[derive(Clone, Copy)]
struct SheetCells<'a> {
    layout: &'a Layout,
    def: &'a SheetDef,
}

impl SheetCells<'_> {
    /// A milestone's status in the template's own words: the word as read
    /// where the column's list has it (Navy 2026's Open), else the status's
    /// label, else the list's first word for the same status (Ongoing as
    /// In Progress), said; a status the list has no word for is written as
    /// its label, with a warning.
    fn milestone_status(
        &self,
        m: &Milestone,
        item: &Item,
        header: &str,
        tally: &mut Tally,
    ) -> Value {
        let Some(status) = m.status else {
            return Value::Empty;
        };
        let read = m.status_text.as_deref().unwrap_or(status.label());
        let list = self
            .layout
            .column(header)
            .map(|c| c.list.as_slice())
            .unwrap_or_default();
        if list.is_empty() {
            return Value::Text(read.into());
        }
        let listed = |word: &str| list.iter().find(|w| w.eq_ignore_ascii_case(word.trim()));
        if let Some(word) = listed(read) {
            return Value::Text(word.as_str().into());
        }
        let word = listed(status.label())
            .or_else(|| list.iter().find(|w| Status::parse(w) == Some(status)));
        if let Some(word) = word {
            tally.moved(Moved::TemplateWord {
                header: header.to_string(),
                from: read.to_string(),
                to: word.clone(),
            });
            return Value::Text(word.as_str().into());
        }
        tally
            .notes
            .push(Diagnostic::unplaced(DiagKind::OutsideTemplateList {
                item: item.display_name(),
                header: header.to_string(),
                raw: read.to_string(),
                allowed: list.join(", "),
            }));
        Value::Text(read.into())
    }

    /// A status, rating or category in the word the column's list has for it
    /// (each eMASS variant has its own lists): the same word, or the list's
    /// nearest (Critical as Very High, Delayed as Ongoing, CAT I as I or
    /// High), said once per column and word. Other values pass unchanged.
    fn fit_to_list(&self, value: Value, header: &str, tally: &mut Tally) -> Value {
        let list = match self.layout.column(header) {
            Some(c) if !c.list.is_empty() => c.list.as_slice(),
            _ => return value,
        };
        let (from, word) = match &value {
            Value::Status(s) => (s.label().to_string(), status_word(*s, list)),
            Value::Rating(r) => (r.label().to_string(), rating_word(*r, list)),
            Value::RawSeverity(c) => (
                c.label().to_string(),
                list.iter()
                    .find(|w| poam_model::RawSeverity::parse(w) == Some(*c))
                    .cloned()
                    .or_else(|| rating_word(c.to_rating(), list)),
            ),
            Value::Text(t) => (
                t.to_string(),
                list.iter()
                    .find(|w| w.eq_ignore_ascii_case(t.trim()))
                    .cloned(),
            ),
            _ => return value,
        };
        match word {
            Some(word) => {
                if !word.eq_ignore_ascii_case(from.trim()) {
                    tally.moved(Moved::TemplateWord {
                        header: header.to_string(),
                        from,
                        to: word.clone(),
                    });
                }
                Value::Text(word.into())
            }
            None => value,
        }
    }

    /// Raw text of a rating, status or category column read as its field and
    /// given in the list's word (`very high` as Very High, `Medium` as
    /// Moderate); `None` when the column has no list or the text is none of
    /// these.
    fn raw_in_list(
        &self,
        field: Field,
        raw: &str,
        header: &str,
        tally: &mut Tally,
    ) -> Option<String> {
        let value = match field.kind() {
            FieldKind::Rating => Value::Rating(Rating::parse(raw)?),
            FieldKind::Status => Value::Status(Status::parse(raw)?),
            FieldKind::RawSeverity => Value::RawSeverity(poam_model::RawSeverity::parse(raw)?),
            _ => return None,
        };
        match self.fit_to_list(value, header, tally) {
            Value::Text(word) => Some(word.to_string()),
            _ => None,
        }
    }

    /// An item's data rows: one, or one per milestone in eMASS layouts.
    fn plan_rows<'a>(&self, item: &'a Item, fields: &[Option<Field>]) -> Vec<RowPlan<'a>> {
        let per_milestone = self.def.row_mode != RowMode::Item
            && fields
                .iter()
                .flatten()
                .any(|f| f.kind() == FieldKind::MilestonePart || (*f == Field::Milestones));
        if per_milestone && item.milestones.len() > 1 {
            return item
                .milestones
                .iter()
                .enumerate()
                .map(|(k, m)| RowPlan {
                    item,
                    milestone: Some(m),
                    first: k == 0,
                })
                .collect();
        }
        vec![RowPlan {
            item,
            milestone: if per_milestone {
                item.milestones.first()
            } else {
                None
            },
            first: true,
        }]
    }

    /// The cells of one data row, by column.
    fn row_cells(
        &self,
        c0: u16,
        fields: &[Option<Field>],
        plan: &RowPlan<'_>,
        extra_headers: &[String],
        tally: &mut Tally,
    ) -> Vec<(u16, CellValue)> {
        let item = plan.item;
        let mut cells = Vec::with_capacity(fields.len());
        let holds = |fd: Field| fields.contains(&Some(fd));
        let fold = !holds(Field::Milestones)
            && holds(Field::RemediationPlan)
            && self.def.row_mode == RowMode::Item;
        for (i, header) in self.def.headers.iter().enumerate() {
            let col = c0 + i as u16;
            let Some(field) = fields[i] else {
                if plan.first {
                    if let Some(raw) = item.extra.get(header.as_str()) {
                        cells.push((col, text_cell(raw.to_string(), tally, header)));
                    }
                }
                continue;
            };
            // Further rows of an item carry only its milestone.
            let milestone_cell =
                matches!(field, Field::Milestones) || field.kind() == FieldKind::MilestonePart;
            if !plan.first && !milestone_cell {
                continue;
            }
            let value = match field {
                Field::Milestones
                    if plan.milestone.is_some() || self.def.row_mode != RowMode::Item =>
                {
                    plan.milestone
                        .map_or(Value::Empty, |m| Value::Text(emass_milestone(m).into()))
                }
                Field::MilestoneId => text_value(plan.milestone.and_then(|m| m.id.clone())),
                Field::MilestoneDescription => {
                    text_value(plan.milestone.map(|m| m.description.clone()))
                }
                Field::MilestoneComments => {
                    text_value(plan.milestone.and_then(|m| m.comments.clone()))
                }
                // eMASS's "Controls / APs": the procedures as read.
                Field::Controls
                    if !item.procedures.is_empty()
                        && poam_model::control::names_procedures(header) =>
                {
                    let all = poam_model::control::controls_with_procedures(
                        &item.controls,
                        &item.control_parts,
                        &item.unparsed_controls,
                        &item.procedures,
                    );
                    let mut all: Vec<poam_model::Text> = all;
                    all.extend(item.other_controls.iter().map(|o| o.id.as_str().into()));
                    Value::List(all)
                }
                Field::MilestoneStatus => match plan.milestone {
                    Some(m) => self.milestone_status(m, item, header, tally),
                    None => Value::Empty,
                },
                Field::MilestoneDue => plan
                    .milestone
                    .and_then(|m| m.due)
                    .map_or(Value::Empty, Value::Date),
                Field::MilestoneCompletedOn => plan
                    .milestone
                    .and_then(|m| m.completed_on)
                    .map_or(Value::Empty, Value::Date),
                // `Completed 11/13/2018`: the classic eMASS way to give the date.
                Field::Status
                    if self.layout.rules.completed_with_date
                        && item.status == Some(Status::Completed)
                        && item.completed_on.is_some()
                        && !holds(Field::CompletedOn) =>
                {
                    let d = item.completed_on.unwrap_or_default();
                    Value::Text(
                        format!("{} {}", Status::Completed.label(), d.format("%m/%d/%Y")).into(),
                    )
                }
                Field::Status if item.status.is_none() => {
                    let derived = match item.state {
                        State::Closed => Status::Completed,
                        State::Open => Status::Ongoing,
                    };
                    tally.moved(Moved::StatusFromState {
                        status: derived.label().to_string(),
                    });
                    Value::Status(derived)
                }
                Field::RiskOriginal
                    if item.risk.original.is_none() && item.emass.raw_severity.is_some() =>
                {
                    // eMASS items carry a DISA category, not a FedRAMP rating.
                    let cat = item
                        .emass
                        .raw_severity
                        .unwrap_or(poam_model::RawSeverity::CatII);
                    tally.moved(Moved::CategoryAsRating {
                        category: cat.label().to_string(),
                        rating: cat.to_rating().label().to_string(),
                    });
                    Value::Rating(cat.to_rating())
                }
                // The Navy templates list Raw Severity on the five-level
                // scale: a DISA category is written as its rating there.
                Field::RawSeverity
                    if self
                        .layout
                        .column(header)
                        .is_some_and(|c| c.list.iter().any(|v| v == "High")) =>
                {
                    item.emass
                        .raw_severity
                        .map_or(Value::Empty, |c| Value::Rating(c.to_rating()))
                }
                // NIST's plan: the requirement ids lead the Weaknesses cell,
                // as NIST's reader expects (the name where there is no
                // description).
                Field::WeaknessDescription
                    if self.def.controls_in_text && !holds(Field::Controls) =>
                {
                    let text = crate::docx_out::nist_weakness(item, false);
                    if text.is_empty() {
                        Value::Empty
                    } else {
                        Value::Text(text)
                    }
                }
                Field::RemediationPlan if fold => {
                    let plan_text = fold_into_plan(
                        item.remediation_plan.as_deref(),
                        &item.milestones,
                        item.milestone_changes.as_deref(),
                    );
                    if !item.milestones.is_empty() {
                        tally.moved(Moved::MilestonesIntoPlan);
                    }
                    if item.milestone_changes.is_some() {
                        tally.moved(Moved::MilestoneChangesIntoPlan);
                    }
                    plan_text.map_or(Value::Empty, |t| Value::Text(t.into()))
                }
                Field::Costs => text_value(item.emass.costs.get(header.as_str()).cloned()),
                _ => item.get(field),
            };
            let value = self.fit_to_list(value, header, tally);
            match value {
                Value::Empty => {
                    // A value kept raw on import (a bad date, N/A) goes back where it was,
                    // but FedRAMP asks for blank cells rather than N/A or None.
                    if plan.first {
                        if let Some(raw) = item.extra.get(header.as_str()) {
                            let official = self
                                .layout
                                .column(header)
                                .is_some_and(|c| c.list.iter().any(|v| v == raw.trim()));
                            if self.layout.rules.blank_not_applicable
                                && poam_model::vocab::is_not_applicable(raw)
                                && !official
                            {
                                tally.moved(Moved::PlaceholderBlanked {
                                    raw: raw.trim().to_string(),
                                    header: header.to_string(),
                                    family: self.layout.family_label().to_string(),
                                });
                            } else if let Some(word) = self.raw_in_list(field, raw, header, tally) {
                                // A rating or status word kept raw (its column
                                // had no field where it was read): the list's
                                // word for it.
                                cells.push((col, text_cell(word, tally, header)));
                            } else {
                                // Written as read, never lost; said when the
                                // template's own check would refuse it.
                                let allowed = self.layout.column(header).and_then(|c| {
                                    if !c.list.is_empty() && !official {
                                        Some(c.list.join(", "))
                                    } else if c.date_validation
                                        && poam_model::date::parse_date_text(
                                            raw,
                                            poam_model::date::DateOrder::MonthFirst,
                                        )
                                        .is_none()
                                    {
                                        Some("a date".to_string())
                                    } else {
                                        None
                                    }
                                });
                                if let Some(allowed) = allowed {
                                    tally.notes.push(Diagnostic::unplaced(
                                        DiagKind::OutsideTemplateList {
                                            item: item.display_name(),
                                            header: header.to_string(),
                                            raw: raw.to_string(),
                                            allowed,
                                        },
                                    ));
                                }
                                cells.push((col, text_cell(raw.to_string(), tally, header)));
                            }
                        }
                    }
                }
                Value::Date(d) if excel_can_hold(d) => {
                    cells.push((col, CellValue::Date(d)));
                }
                Value::Date(d) => {
                    tally.dropped(Lost::DateRange(header.to_string()));
                    cells.push((col, CellValue::Text(d.to_string())));
                }
                Value::Text(t)
                    if self.layout.column(header).is_some_and(|c| c.numeric)
                        && is_plain_integer(&t) =>
                {
                    cells.push((col, CellValue::Number(t.parse::<f64>().unwrap_or(0.0))));
                }
                Value::List(list) => {
                    let sep = match field {
                        Field::Controls | Field::Cves => ", ",
                        _ => "\n",
                    };
                    cells.push((col, text_cell(list.join(sep), tally, header)));
                }
                Value::Milestones(m) => {
                    cells.push((col, text_cell(format_milestones(&m), tally, header)))
                }
                Value::Text(text) => cells.push((col, text_cell(text.to_string(), tally, header))),
                other => {
                    let text = poam_layout::flat::value_text(&other);
                    cells.push((col, text_cell(text, tally, header)));
                }
            }
        }
        if plan.first {
            for (i, key) in extra_headers.iter().enumerate() {
                let col = c0 + (self.def.headers.len() + i) as u16;
                if let Some(raw) = item.extra.get(key.as_str()) {
                    cells.push((col, text_cell(raw.to_string(), tally, key)));
                } else if key == UNIT_HEADER {
                    if let Some(unit) = &item.business_unit {
                        cells.push((col, text_cell(unit.to_string(), tally, key)));
                    }
                } else if let Some(field) = quality_column(key) {
                    match item.get(field) {
                        Value::Empty => {}
                        Value::Date(d) => cells.push((col, CellValue::Date(d))),
                        other => {
                            let text = poam_layout::flat::value_text(&other);
                            cells.push((col, text_cell(text, tally, key)));
                        }
                    }
                }
            }
        }
        cells
    }

    /// Counts the fields and extra columns an item has that the sheet cannot hold.
    fn tally_losses(
        &self,
        item: &Item,
        fields: &[Option<Field>],
        extra_headers: &[String],
        tally: &mut Tally,
    ) {
        let holds = |fd: Field| fields.contains(&Some(fd));
        let fold = !holds(Field::Milestones)
            && holds(Field::RemediationPlan)
            && self.def.row_mode == RowMode::Item;
        let per_row = fields
            .iter()
            .flatten()
            .any(|f| f.kind() == FieldKind::MilestonePart);
        let unit_column = extra_headers.iter().any(|h| h == UNIT_HEADER);
        for field in Field::ALL {
            if holds(*field) || item.is_blank(*field) {
                continue;
            }
            if *field == Field::BusinessUnit && unit_column {
                continue;
            }
            if QUALITY_COLUMNS
                .iter()
                .any(|(h, f)| f == field && extra_headers.iter().any(|e| e == h))
            {
                continue;
            }
            let moved_elsewhere = match field {
                Field::Milestones | Field::MilestoneChanges => {
                    fold || (per_row && *field == Field::Milestones)
                }
                Field::CompletedOn => {
                    holds(Field::Status) && item.status == Some(Status::Completed)
                }
                // CCIs named in the comments or source cells go with them.
                Field::Ccis => poam_model::control::ccis_in_text(item, holds),
                // NIST's plan writes them in the Weaknesses cell.
                Field::Controls => self.def.controls_in_text && holds(Field::WeaknessDescription),
                Field::WeaknessName => {
                    self.def.controls_in_text
                        && holds(Field::WeaknessDescription)
                        && item.is_blank(Field::WeaknessDescription)
                }
                _ => false,
            };
            if !moved_elsewhere {
                tally.dropped(Lost::Field(*field));
            }
        }
        // Assessment procedures where no column holds them (only their
        // controls are written).
        if !item.procedures.is_empty()
            && !self.def.headers.iter().enumerate().any(|(i, h)| {
                fields.get(i) == Some(&Some(Field::Controls))
                    && poam_model::control::names_procedures(h)
            })
        {
            tally.dropped(Lost::Procedures);
        }
        // Milestone details a text milestone column cannot hold.
        if !per_row
            && item
                .milestones
                .iter()
                .any(|m| m.status.is_some() || m.completed_on.is_some())
        {
            tally.dropped(Lost::MilestoneDetails);
        }
        for key in item.extra.keys() {
            if self.def.headers.iter().any(|h| h == key) || extra_headers.iter().any(|h| h == key) {
                continue;
            }
            tally.dropped(Lost::ExtraColumn(key.to_string()));
        }
    }
}

/// A milestone as eMASS writes it in one cell: the text, then the date.
fn emass_milestone(m: &Milestone) -> String {
    match m.due {
        Some(d) => format!("{} {}", m.description, d.format("%m/%d/%Y")),
        None => m.description.to_string(),
    }
}

fn text_value(v: Option<impl Into<poam_model::Text>>) -> Value {
    v.map(Into::into)
        .filter(|t: &poam_model::Text| !t.is_empty())
        .map_or(Value::Empty, Value::Text)
}

fn put_opt(top: &mut BTreeMap<(u32, u16), Put>, at: (u32, u16), value: &Option<String>) {
    if let Some(v) = value {
        top.insert(at, Put::Text(v.clone(), Style::Text));
    }
}

/// Text as a cell value, cut at Excel's limit (what is cut is tallied).
/// Excel counts UTF-16 units: an emoji or another character past U+FFFF
/// counts twice, and is never cut in half.
fn text_cell(text: String, tally: &mut Tally, header: &str) -> CellValue {
    // A text of no more bytes than the limit has no more UTF-16 units.
    if text.len() > MAX_CELL && text.encode_utf16().count() > MAX_CELL {
        tally.dropped(Lost::CellLimit(header.to_string()));
        let mut units = 0;
        let cut: String = text
            .chars()
            .take_while(|c| {
                units += c.len_utf16();
                units <= MAX_CELL
            })
            .collect();
        return CellValue::Text(cut);
    }
    CellValue::Text(text)
}

/// Writes a data row's cells: text as strings (never a formula), in the
/// template's text and date formats.
fn emit(
    ws: &mut Worksheet,
    r: u32,
    cells: Vec<(u16, CellValue)>,
    f: &Formats,
    band: bool,
) -> Result<(), ExportError> {
    let (text, date) = match (&f.band, band) {
        (Some((t, d)), true) => (t, d),
        _ => (&f.text, &f.date),
    };
    for (col, cell) in cells {
        match cell {
            CellValue::Text(t) => ws.write_string_with_format(r, col, t, text)?,
            CellValue::Number(n) => ws.write_number_with_format(r, col, n, text)?,
            CellValue::Date(d) => ws.write_datetime_with_format(r, col, excel_date(d)?, date)?,
        };
    }
    Ok(())
}

fn is_plain_integer(t: &str) -> bool {
    !t.is_empty()
        && t.len() < 15
        && t.chars().all(|c| c.is_ascii_digit())
        && !(t.len() > 1 && t.starts_with('0'))
}

/// The word of `list` for a status: the same status, else the list's word
/// for Ongoing (an open status) or Completed (a closed one).
fn status_word(status: Status, list: &[String]) -> Option<String> {
    let find = |s: Status| list.iter().find(|w| Status::parse(w) == Some(s)).cloned();
    find(status).or_else(|| match status.state() {
        State::Open => find(Status::Ongoing),
        State::Closed => find(Status::Completed),
    })
}

/// The word of `list` for a rating: the same rating, else the nearest one
/// on the list's scale (ties to the higher); on a DISA category list (I,
/// II, III), the category of the rating (High and above I, Moderate II,
/// Low and below III).
fn rating_word(rating: Rating, list: &[String]) -> Option<String> {
    let rank = |r: Rating| match r {
        Rating::VeryLow => 0i32,
        Rating::Low => 1,
        Rating::Moderate => 2,
        Rating::High => 3,
        Rating::VeryHigh => 4,
        Rating::Critical => 5,
    };
    let rated: Vec<(&String, Rating)> = list
        .iter()
        .filter_map(|w| Rating::parse(w).map(|r| (w, r)))
        .collect();
    if let Some((w, _)) = rated
        .iter()
        .min_by_key(|(_, r)| ((rank(*r) - rank(rating)).abs(), -rank(*r)))
    {
        return Some((*w).clone());
    }
    let category = match rank(rating) {
        3.. => poam_model::RawSeverity::CatI,
        2 => poam_model::RawSeverity::CatII,
        _ => poam_model::RawSeverity::CatIII,
    };
    list.iter()
        .find(|w| poam_model::RawSeverity::parse(w) == Some(category))
        .cloned()
}
