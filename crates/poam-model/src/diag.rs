//! Diagnostics: what a reader or writer doubted, and where.
//!
//! A [`Diagnostic`] is a [`DiagKind`], which carries its own data (the
//! header, the raw text, the field, the count), and a typed [`Location`]
//! (file, sheet, row, column, or a path inside a document that has no
//! cells). The severity follows from the kind, and the text a person reads
//! is the kind's one `Display`: no code builds or matches message strings.
//! Hints about command-line flags are not part of a diagnostic; the CLI adds
//! them.

use crate::{Field, Status};
use chrono::NaiveDate;
use serde::Serialize;
use std::fmt;

/// How serious a diagnostic is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Worth knowing; nothing was lost or guessed.
    Info,
    /// A value was kept as raw text, guessed, or could not be placed.
    Warning,
}

/// The reason given for a template's own guidance, format and example rows
/// when they are reported as rows not read: said by `inspect`, not in the
/// summary of every conversion (a person does not count them either).
pub const TEMPLATE_ROW: &str = "the template's own guidance, format or example row";

/// What a target format could not hold.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(tag = "what", content = "name", rename_all = "kebab-case")]
pub enum Lost {
    /// A field of the model.
    Field(#[serde(serialize_with = "field_name")] Field),
    /// A column kept in `extra`, by its header.
    ExtraColumn(String),
    /// The `extra` columns, all of them.
    ExtraColumns,
    /// Milestone statuses and completion dates (a text milestone column).
    MilestoneDetails,
    /// eMASS assessment procedures (`CM-6.5`): their controls are written.
    Procedures,
    /// Text past Excel's 32,767-character cell limit, by column header.
    CellLimit(String),
    /// A date before 1900 or after 9999, which Excel cannot hold as a date
    /// (written as text instead), by column header.
    DateRange(String),
    /// Control characters that XML 1.0 forbids (NUL, a vertical tab, which
    /// is Word's soft line break in a workbook's `_x000B_` ...).
    ControlCharacters,
}

/// Something a writer put somewhere other than its own column.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(tag = "what", rename_all = "kebab-case")]
pub enum Moved {
    /// Planned milestones folded into the remediation plan text.
    MilestonesIntoPlan,
    /// Milestone changes folded into the remediation plan text.
    MilestoneChangesIntoPlan,
    /// `--keep-extra` asked for columns the template does not take.
    ExtraColumnsRefused {
        /// The template family (`eMASS`).
        family: String,
    },
    /// A status written from the item's open or closed state.
    StatusFromState {
        /// The status written.
        status: String,
    },
    /// A DISA category written as a rating.
    CategoryAsRating {
        /// The category (`II`).
        category: String,
        /// The rating written.
        rating: String,
    },
    /// `N/A` or `None` left blank, as the template asks.
    PlaceholderBlanked {
        /// The text.
        raw: String,
        /// The column.
        header: String,
        /// The template family (`FedRAMP`).
        family: String,
    },
    /// A word written as the template's own for it (Ongoing as Navy 2026's
    /// In Progress in its Milestone Status list).
    TemplateWord {
        /// The column.
        header: String,
        /// The word read.
        from: String,
        /// The template's word written.
        to: String,
    },
}

/// The closed list of things poamkit reports about a file, each with its data.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum DiagKind {
    /// A date cell that is not a date; the text is kept in `extra` under the header.
    BadDate {
        /// The cell's text.
        raw: String,
        /// The column header.
        header: String,
    },
    /// A date before 1900 or after 9999 (a typo such as `1024-01-15`, a
    /// program's empty date `0001-01-01`): kept as text.
    DateOutOfRange {
        /// The cell's text.
        raw: String,
        /// The column header.
        header: String,
    },
    /// A date of the system (POA&M date, Date Exported) that is not a date.
    BadSystemDate {
        /// What the date is (`POA&M date`, or the label beside it).
        label: String,
        /// The text.
        raw: String,
        /// Whether the text is kept in `system.extra` under the label.
        kept: bool,
    },
    /// A date cell that holds a duration (`30 days`): kept in `extra`.
    RelativeDate {
        /// The cell's text.
        raw: String,
        /// The column header.
        header: String,
    },
    /// A date cell that gives only a month (`07/2025`): kept in `extra`.
    MonthOnlyDate {
        /// The cell's text.
        raw: String,
        /// The column header.
        header: String,
    },
    /// A date column read day first because one of its dates can only be
    /// (`30/06/2024`).
    DayFirstColumn {
        /// The column header.
        header: String,
        /// The date that showed it.
        example: String,
    },
    /// A planned completion date in an SSP section that is not a date.
    BadSspDate {
        /// The section's control.
        control: String,
        /// The text.
        raw: String,
    },
    /// A rating, yes/no, status or category outside its vocabulary.
    UnknownValue {
        /// The text.
        raw: String,
        /// What was expected (`rating`, `Yes/No answer`).
        expected: String,
        /// The column header it is kept under in `extra`.
        header: String,
    },
    /// A cell holding a spreadsheet error (`#N/A`, `#REF!`).
    CellError {
        /// The error value.
        value: String,
        /// The column header it is kept under in `extra`.
        header: String,
    },
    /// A status cell with a date in it (`Completed 11/13/2018`).
    StatusWithDate {
        /// The text.
        raw: String,
        /// The status read.
        status: Status,
        /// The date read.
        date: NaiveDate,
    },
    /// `N/A` or `None` in a cell that should be blank; kept in `extra`.
    PlaceholderValue {
        /// The text.
        raw: String,
        /// The column header.
        header: String,
    },
    /// Control text that is not a control identifier; kept as written.
    UnparsedControl {
        /// The text.
        raw: String,
    },
    /// An item whose cells name no control but name CCIs: its controls are
    /// the ones DISA's CCI list maps them to.
    ControlsFromCcis {
        /// The CCIs.
        ccis: String,
        /// The controls read from them.
        controls: String,
    },
    /// A control identifier read with an assumption (zero padding, `AC-2.1`).
    ControlAssumption {
        /// What was assumed.
        note: String,
    },
    /// A formula cell whose value the file does not hold.
    FormulaWithoutValue {
        /// The column header.
        header: String,
    },
    /// A milestone block without a date or number.
    UnparsedMilestone {
        /// The block's first line.
        text: String,
    },
    /// A column that maps to no field; its cells go to `extra`.
    ExtraColumn {
        /// The header.
        header: String,
    },
    /// A second column for a field; its cells go to `extra`.
    DuplicateColumn {
        /// The header.
        header: String,
        /// The field both columns map to.
        #[serde(serialize_with = "field_name")]
        field: Field,
        /// The column letters of the first one.
        first: String,
    },
    /// A cell to the right of the table's columns; kept in `extra`.
    CellOutsideTable {
        /// The name it is kept under (`Column AC`).
        header: String,
    },
    /// A later row of a milestone-per-row item that differs from its first.
    ConflictingRow {
        /// The item's POA&M ID.
        item: String,
        /// The fields that differ.
        fields: Vec<String>,
    },
    /// A row under the header that is not an item, and why.
    SkippedRow {
        /// Why it was not read (a placeholder row, a note under the table).
        reason: String,
    },
    /// A sheet the layout expects but the file lacks.
    MissingSheet {
        /// The sheet's name.
        sheet: String,
    },
    /// OSCAL: a POA&M item with several related risks (the first is read).
    ManyRelatedRisks {
        /// How many.
        count: usize,
    },
    /// OSCAL: a link to a risk or observation the document does not have.
    BrokenReference {
        /// `risk` or `observation`.
        target: String,
        /// The UUID linked to.
        uuid: String,
    },
    /// OSCAL: a poam-item's related risk is not in the document, and the
    /// risk of its observation is read instead.
    RiskFoundByObservation {
        /// The UUID the item links to.
        uuid: String,
        /// The risk read.
        risk: String,
    },
    /// OSCAL for FedRAMP: no SSP was named, so `import-ssp` points to a
    /// `no-oscal-ssp` resource.
    OscalWithoutSsp,
    /// OSCAL for FedRAMP: items without a scheduled completion date got the
    /// risk's deadline FedRAMP requires from their detection date and rating
    /// (or their completion date).
    OscalDeadlineDerived {
        /// How many items.
        count: usize,
        /// The first items' ids.
        first: String,
    },
    /// OSCAL for FedRAMP: items without a milestone got one milestone, the
    /// scheduled completion, as FedRAMP requires at least one.
    OscalMilestoneDerived {
        /// How many items.
        count: usize,
        /// The first items' ids.
        first: String,
    },
    /// OSCAL for FedRAMP: items without a risk rating have no impact facet,
    /// which FedRAMP's rules require.
    OscalNoImpact {
        /// How many items.
        count: usize,
        /// The first items' ids.
        first: String,
    },
    /// An OSCAL input too large to be compared with what poam writes from
    /// it (see `OscalNotKept`).
    OscalNotCompared {
        /// Its size in MB.
        mb: u64,
    },
    /// An OSCAL input says more than the model holds: these parts are not
    /// carried into any output.
    OscalNotKept {
        /// How many parts in all.
        count: usize,
        /// The parts by path (`metadata.locations`, `observations[].relevant-evidence`), each with how often.
        parts: String,
    },
    /// SSP: a control table that names no control.
    TableWithoutControl {
        /// The table's title.
        title: String,
    },
    /// SSP: a control table under another control's heading.
    TableUnderOtherHeading {
        /// The table's control.
        control: String,
        /// The heading's control.
        heading: String,
    },
    /// SSP (OSCAL): an implemented requirement without a control-id.
    MissingControlId,
    /// SSP (OSCAL): a control-id that is not a control identifier.
    BadControlId {
        /// The control-id.
        id: String,
    },
    /// A field the target format has no place for, in so many items.
    DroppedField {
        /// How many items lose it.
        count: usize,
        /// What is lost.
        lost: Lost,
        /// The target's name.
        target: String,
    },
    /// A value written into a column whose template validation refuses it
    /// (kept raw on import: `Severe`, `13/45/2024`).
    OutsideTemplateList {
        /// The item.
        item: String,
        /// The column.
        header: String,
        /// The text written.
        raw: String,
        /// What the template takes (`Low, Moderate, High`, or `a date`).
        allowed: String,
    },
    /// The input carries no marking: the template's own is written.
    TemplateMarking {
        /// The template's banner or page header marking.
        text: String,
    },
    /// Filling a template whose marking is not the input's: the input's
    /// is written in the template's banner and page header and footer.
    MarkingReplaced {
        /// The template's.
        template: String,
        /// The input's, now written.
        input: String,
    },
    /// A mandatory metadata cell of the template (above the header) is
    /// written blank.
    MetadataBlank {
        /// The cell's label (`Impact Level`, `POC Name:`).
        label: String,
        /// The option that fills it.
        how: String,
        /// The template.
        template: String,
    },
    /// The input has no POA&M date and the template a cell for one: the
    /// date given (today's) is written.
    PoamDateDefault {
        /// The date written.
        date: NaiveDate,
    },
    /// The Word report's charts were left out: the machine has no font to
    /// draw their labels.
    ChartsLeftOut,
    /// `--marking` set a marking other than the one the file carries.
    MarkingSet {
        /// The file's.
        read: String,
        /// The one written.
        set: String,
    },
    /// Filling a template in place: items whose own date in a column the
    /// template computes with a formula differs from the formula's result.
    FormulaDiffers {
        /// The column header.
        header: String,
        /// How many items.
        count: usize,
        /// The first such item, its date and the formula's.
        example: String,
        /// Whether the items' own dates were written (`--keep-dates`).
        kept_dates: bool,
    },
    /// Filling a template in place: rows of the template below the items
    /// written held values, now cleared (the template was not blank).
    TemplateRowsCleared {
        /// The sheet.
        sheet: String,
        /// How many rows.
        rows: usize,
    },
    /// Items written to a system's workbook (eMASS) that break one of the
    /// system's business rules: the system refuses them on upload.
    SystemRule {
        /// The system (`eMASS`).
        system: String,
        /// The layout family whose `validate --template` lists each.
        family: String,
        /// The rule (`too-long`, `status-needs`).
        rule: String,
        /// How many items.
        count: usize,
        /// The first items' names.
        examples: Vec<String>,
        /// The first finding, for a person.
        first: String,
    },
    /// A field moved into another one on export, in so many items.
    MovedField {
        /// How many items.
        count: usize,
        /// What moved where.
        moved: Moved,
        /// The target's name.
        target: String,
    },
}

fn field_name<S: serde::Serializer>(field: &Field, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(field.name())
}

impl DiagKind {
    /// How serious this kind is.
    pub fn severity(&self) -> Severity {
        match self {
            DiagKind::ControlAssumption { .. }
            | DiagKind::ControlsFromCcis { .. }
            | DiagKind::StatusWithDate { .. }
            | DiagKind::UnparsedMilestone { .. }
            | DiagKind::ExtraColumn { .. }
            | DiagKind::PlaceholderValue { .. }
            | DiagKind::MissingSheet { .. }
            | DiagKind::DayFirstColumn { .. }
            | DiagKind::SkippedRow { .. }
            | DiagKind::ManyRelatedRisks { .. }
            | DiagKind::OscalDeadlineDerived { .. }
            | DiagKind::OscalNotCompared { .. }
            | DiagKind::OscalMilestoneDerived { .. }
            | DiagKind::TemplateMarking { .. }
            | DiagKind::PoamDateDefault { .. }
            | DiagKind::MovedField { .. } => Severity::Info,
            DiagKind::BadDate { .. }
            | DiagKind::DateOutOfRange { .. }
            | DiagKind::RelativeDate { .. }
            | DiagKind::MonthOnlyDate { .. }
            | DiagKind::BadSystemDate { .. }
            | DiagKind::BadSspDate { .. }
            | DiagKind::UnknownValue { .. }
            | DiagKind::CellError { .. }
            | DiagKind::FormulaWithoutValue { .. }
            | DiagKind::UnparsedControl { .. }
            | DiagKind::DuplicateColumn { .. }
            | DiagKind::CellOutsideTable { .. }
            | DiagKind::ConflictingRow { .. }
            | DiagKind::BrokenReference { .. }
            | DiagKind::RiskFoundByObservation { .. }
            | DiagKind::OscalWithoutSsp
            | DiagKind::OscalNoImpact { .. }
            | DiagKind::OscalNotKept { .. }
            | DiagKind::TableWithoutControl { .. }
            | DiagKind::TableUnderOtherHeading { .. }
            | DiagKind::MissingControlId
            | DiagKind::BadControlId { .. }
            | DiagKind::FormulaDiffers { .. }
            | DiagKind::TemplateRowsCleared { .. }
            | DiagKind::MarkingSet { .. }
            | DiagKind::MetadataBlank { .. }
            | DiagKind::ChartsLeftOut
            | DiagKind::OutsideTemplateList { .. }
            | DiagKind::MarkingReplaced { .. }
            | DiagKind::SystemRule { .. }
            | DiagKind::DroppedField { .. } => Severity::Warning,
        }
    }
}

fn items(n: usize) -> String {
    format!("{n} item{}", if n == 1 { "" } else { "s" })
}

impl fmt::Display for Lost {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Lost::Field(field) => write!(f, "'{}' ({})", field.label(), field.name()),
            Lost::ExtraColumn(header) => write!(f, "extra column '{header}'"),
            Lost::ExtraColumns => write!(f, "extra columns"),
            Lost::MilestoneDetails => write!(f, "milestone status and completion dates"),
            Lost::CellLimit(header) => {
                write!(
                    f,
                    "text past Excel's 32,767-character cell limit in '{header}'"
                )
            }
            Lost::DateRange(header) => write!(
                f,
                "a date before 1900 or after 9999 in '{header}' (written as text instead)"
            ),
            Lost::Procedures => write!(
                f,
                "assessment procedures (CM-6.5; their controls are written)"
            ),
            Lost::ControlCharacters => write!(
                f,
                "control characters that XML forbids (vertical tabs and form feeds became line breaks, the others were removed)"
            ),
        }
    }
}

impl fmt::Display for DiagKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DiagKind::BadDate { raw, header } => {
                write!(f, "cannot read date \"{raw}\"; kept in extra as \"{header}\"")
            }
            DiagKind::DateOutOfRange { raw, header } => write!(
                f,
                "the date \"{raw}\" is before 1900 or after 9999 (a typo, or a program's empty date?); kept in extra as \"{header}\""
            ),
            DiagKind::RelativeDate { raw, header } => write!(
                f,
                "\"{raw}\" is a duration, not a date (from which day is not said); kept in extra as \"{header}\""
            ),
            DiagKind::MonthOnlyDate { raw, header } => write!(
                f,
                "\"{raw}\" gives a month, not a day; kept in extra as \"{header}\""
            ),
            DiagKind::DayFirstColumn { header, example } => write!(
                f,
                "dates in \"{header}\" read day first (DD/MM/YYYY): \"{example}\" can only be a day first"
            ),
            DiagKind::BadSystemDate { label, raw, kept } => {
                if *kept {
                    write!(
                        f,
                        "cannot read date \"{raw}\" after \"{label}\"; kept in system.extra"
                    )
                } else {
                    write!(f, "cannot read {label} \"{raw}\"")
                }
            }
            DiagKind::BadSspDate { control, raw } => {
                write!(f, "{control}: cannot read planned completion date \"{raw}\"")
            }
            DiagKind::UnknownValue {
                raw,
                expected,
                header,
            } => write!(
                f,
                "\"{raw}\" is not a {expected}; kept in extra as \"{header}\""
            ),
            DiagKind::CellError { value, header } => write!(
                f,
                "cell holds the error value {value}; kept in extra as \"{header}\""
            ),
            DiagKind::FormulaDiffers {
                header,
                count,
                example,
                kept_dates: false,
            } => write!(
                f,
                "{count} item(s) have a \"{header}\" other than the template's formula gives ({example}); the formula is kept, so Excel shows its date; --keep-dates writes the items' own dates instead"
            ),
            DiagKind::FormulaDiffers {
                header,
                count,
                example,
                kept_dates: true,
            } => write!(
                f,
                "{count} item(s) have a \"{header}\" other than the template's formula gives ({example}); their own dates are written in place of the formula (--keep-dates)"
            ),
            DiagKind::OutsideTemplateList {
                item,
                header,
                raw,
                allowed,
            } => write!(
                f,
                "{item}: \"{raw}\" written in '{header}', which the template's check refuses (it takes {allowed}); correct it before submitting"
            ),
            DiagKind::TemplateMarking { text } => write!(
                f,
                "the input carries no marking; the template's own \"{text}\" is written (--marking sets the one the POA&M needs)"
            ),
            DiagKind::MarkingReplaced { template, input } => write!(
                f,
                "the template is marked \"{template}\" and the input \"{input}\": the input's marking is written in the template's banner, page header and footer"
            ),
            DiagKind::MetadataBlank {
                label,
                how,
                template,
            } => write!(
                f,
                "'{}' is left blank, and the {template} template asks for it; set it with {how}",
                label.trim_end_matches(':')
            ),
            DiagKind::SystemRule {
                system,
                family,
                rule,
                count,
                examples,
                first,
            } => write!(
                f,
                "{} {system}'s rule {rule} ({}{}): {first}; {system} refuses such items on upload (poam validate --template {family} lists each)",
                if *count == 1 {
                    "1 item breaks".to_string()
                } else {
                    format!("{count} items break")
                },
                examples.join(", "),
                if *count > examples.len() { ", …" } else { "" }
            ),
            DiagKind::ChartsLeftOut => write!(
                f,
                "the Word report's charts are left out: this machine has no font to draw their labels (install one, e.g. fonts-dejavu or fonts-liberation); the HTML report has them"
            ),
            DiagKind::PoamDateDefault { date } => write!(
                f,
                "the input has no POA&M date: {} (today) is written; --poam-date sets another",
                date.format("%Y-%m-%d")
            ),
            DiagKind::MarkingSet { read, set } => write!(
                f,
                "the file is marked \"{read}\"; --marking writes \"{set}\" in its place on every output"
            ),
            DiagKind::TemplateRowsCleared { sheet, rows } => write!(
                f,
                "the template's sheet '{sheet}' held values in {rows} row(s) below the items written; they were cleared (start from a blank copy of the template to keep nothing of another POA&M)"
            ),
            DiagKind::FormulaWithoutValue { header } => write!(
                f,
                "a formula in \"{header}\" has no saved value (open and save the file in Excel to compute it); read as empty"
            ),
            DiagKind::StatusWithDate { raw, status, date } => {
                write!(f, "\"{raw}\" read as status {} dated {date}", status.label())
            }
            DiagKind::PlaceholderValue { raw, header } => {
                write!(f, "\"{raw}\" read as blank; kept in extra as \"{header}\"")
            }
            DiagKind::UnparsedControl { raw } => {
                write!(f, "\"{raw}\" is not a control identifier; kept as written")
            }
            DiagKind::ControlAssumption { note } => write!(f, "{note}"),
            DiagKind::ControlsFromCcis { ccis, controls } => write!(
                f,
                "no control named; {controls} read from {ccis} (DISA's CCI list)"
            ),
            DiagKind::UnparsedMilestone { text } => {
                write!(f, "milestone without a date: \"{text}\"")
            }
            DiagKind::ExtraColumn { header } => write!(
                f,
                "column \"{header}\" has no field in the model; its cells are kept in extra"
            ),
            DiagKind::DuplicateColumn {
                header,
                field,
                first,
            } => write!(
                f,
                "column \"{header}\" maps to {} like column {first}; its cells are kept in extra",
                field.name()
            ),
            DiagKind::CellOutsideTable { header } => write!(
                f,
                "cell outside the table's columns; kept in extra as \"{header}\""
            ),
            DiagKind::ConflictingRow { item, fields } => write!(
                f,
                "row of POA&M item {item} differs from its first row in {}; the first row's values are kept, these in extra",
                fields.join(", ")
            ),
            DiagKind::MissingSheet { sheet } => write!(f, "the file has no '{sheet}' sheet"),
            DiagKind::SkippedRow { reason } => write!(f, "row not read as an item: {reason}"),
            DiagKind::ManyRelatedRisks { count } => write!(
                f,
                "{count} related risks; FedRAMP expects one, the first is read"
            ),
            DiagKind::BrokenReference { target, uuid } => {
                write!(f, "related {target} {uuid} is not in the document")
            }
            DiagKind::RiskFoundByObservation { uuid, risk } => write!(
                f,
                "related risk {uuid} is not in the document; read risk {risk}, the one of the item's observation"
            ),
            DiagKind::OscalWithoutSsp => write!(
                f,
                "FedRAMP's rules ask the POA&M to name its OSCAL SSP (import-ssp); none was given, so it points to a \
                 no-oscal-ssp resource without the system's FedRAMP id: add --ssp SSP.json (the system's OSCAL SSP) \
                 to name it, or --system-id ID (its FedRAMP-assigned id) when it has no OSCAL SSP"
            ),
            DiagKind::OscalDeadlineDerived { count, first } => write!(
                f,
                "{count} item(s) have no scheduled completion date ({first}); FedRAMP requires a deadline on every risk, \
                 so each got its FedRAMP deadline (detection date plus 30/90/180 days by rating) or its completion date, \
                 marked as derived"
            ),
            DiagKind::OscalMilestoneDerived { count, first } => write!(
                f,
                "{count} item(s) have no milestone ({first}); FedRAMP requires one, so each got one milestone, its \
                 scheduled completion, marked as derived"
            ),
            DiagKind::OscalNotCompared { mb } => write!(
                f,
                "the OSCAL input ({mb} MB) is too large to be compared part by part with what poam writes from it; \
                 what it says beyond poam's model is not listed"
            ),
            DiagKind::OscalNotKept { count, parts } => write!(
                f,
                "{count} part(s) of the OSCAL input have no place in poam's model and are not carried into the output: {parts}"
            ),
            DiagKind::OscalNoImpact { count, first } => write!(
                f,
                "{count} item(s) have no risk rating ({first}); FedRAMP's rules require an impact facet, which needs one"
            ),
            DiagKind::TableWithoutControl { title } => {
                write!(f, "table \"{title}\" names no control id")
            }
            DiagKind::TableUnderOtherHeading { control, heading } => write!(
                f,
                "the table for {control} follows the heading of {heading}"
            ),
            DiagKind::MissingControlId => {
                write!(f, "implemented requirement without a control-id")
            }
            DiagKind::BadControlId { id } => {
                write!(f, "control-id \"{id}\" is not a control identifier")
            }
            DiagKind::DroppedField {
                count,
                lost,
                target,
            } => write!(f, "{}: {lost} has no place in {target}", items(*count)),
            DiagKind::MovedField {
                count,
                moved,
                target,
            } => {
                write!(f, "{}: ", items(*count))?;
                match moved {
                    Moved::MilestonesIntoPlan => write!(
                        f,
                        "'Planned Milestones' moved into the remediation plan (no such column in {target})"
                    ),
                    Moved::MilestoneChangesIntoPlan => write!(
                        f,
                        "'Milestone Changes' moved into the remediation plan (no such column in {target})"
                    ),
                    Moved::ExtraColumnsRefused { family } => write!(
                        f,
                        "--keep-extra ignored: {family} rejects workbooks with extra columns"
                    ),
                    Moved::StatusFromState { status } => {
                        write!(f, "status written as {status} from the item's state")
                    }
                    Moved::CategoryAsRating { category, rating } => write!(
                        f,
                        "'Raw Severity' CAT {category} converted to Original Risk Rating {rating}"
                    ),
                    Moved::PlaceholderBlanked {
                        raw,
                        header,
                        family,
                    } => write!(
                        f,
                        "'{raw}' in '{header}' left blank, as the {family} template asks"
                    ),
                    Moved::TemplateWord { header, from, to } => write!(
                        f,
                        "'{header}' {from} written as {to}, the word the template's list has for it"
                    ),
                }
            }
        }
    }
}

/// A place in a file: the file, and the sheet, row and column of a cell, or
/// a path inside a document that has no cells (a JSON path, a Word table).
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, Serialize)]
pub struct Location {
    /// The file path as given.
    pub file: Option<String>,
    /// The sheet name (a Word table's name for tables read as sheets).
    pub sheet: Option<String>,
    /// The 1-based row.
    pub row: Option<u32>,
    /// The 0-based column; written as its letters (`K`).
    #[serde(serialize_with = "column_letters_opt")]
    pub column: Option<u32>,
    /// A place inside a document that is not a grid (`poam-items[3]`,
    /// `table 4`).
    pub path: Option<String>,
}

fn column_letters_opt<S: serde::Serializer>(c: &Option<u32>, s: S) -> Result<S::Ok, S::Error> {
    match c {
        Some(c) => s.serialize_str(&column_letters(*c)),
        None => s.serialize_none(),
    }
}

/// A 0-based column index to its letters (`0` → `A`, `27` → `AB`).
pub fn column_letters(index: u32) -> String {
    let mut n = index as u64 + 1;
    let mut out = Vec::new();
    while n > 0 {
        let rem = (n - 1) % 26;
        out.push((b'A' + rem as u8) as char);
        n = (n - 1) / 26;
    }
    out.iter().rev().collect()
}

impl Location {
    /// A whole file.
    pub fn file(file: &str) -> Location {
        Location {
            file: Some(file.to_string()),
            ..Location::default()
        }
    }

    /// A cell: 0-based column, 1-based row.
    pub fn cell(file: &str, sheet: &str, column: u32, row: u32) -> Location {
        Location {
            file: Some(file.to_string()),
            sheet: Some(sheet.to_string()),
            row: Some(row),
            column: Some(column),
            path: None,
        }
    }

    /// A whole row (1-based) of a sheet.
    pub fn row(file: &str, sheet: &str, row: u32) -> Location {
        Location {
            file: Some(file.to_string()),
            sheet: Some(sheet.to_string()),
            row: Some(row),
            ..Location::default()
        }
    }

    /// A place in a document without cells.
    pub fn path(file: &str, path: impl Into<String>) -> Location {
        Location {
            file: Some(file.to_string()),
            path: Some(path.into()),
            ..Location::default()
        }
    }

    /// The cell reference (`K12`), when the place is a cell.
    pub fn cell_ref(&self) -> Option<String> {
        Some(format!("{}{}", column_letters(self.column?), self.row?))
    }
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (&self.sheet, self.row, self.column, &self.path) {
            (Some(s), Some(r), Some(c), _) => write!(f, "'{s}'!{}{r}", column_letters(c)),
            (Some(s), Some(r), None, _) => write!(f, "'{s}'!row {r}"),
            (Some(s), None, _, Some(p)) => write!(f, "'{s}' {p}"),
            (Some(s), None, _, None) => write!(f, "'{s}'"),
            (None, Some(r), Some(c), _) => write!(f, "{}{r}", column_letters(c)),
            (None, Some(r), None, _) => write!(f, "row {r}"),
            (None, None, _, Some(p)) => write!(f, "{p}"),
            (None, None, _, None) => match &self.file {
                Some(file) => write!(f, "{file}"),
                None => Ok(()),
            },
        }
    }
}

/// One doubt, with its place.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// What kind, with its data.
    pub kind: DiagKind,
    /// Where.
    pub location: Location,
}

impl Diagnostic {
    /// A diagnostic at a place.
    pub fn new(kind: DiagKind, location: Location) -> Self {
        Diagnostic { kind, location }
    }

    /// A diagnostic about the whole output (what a target could not hold).
    pub fn unplaced(kind: DiagKind) -> Self {
        Diagnostic {
            kind,
            location: Location::default(),
        }
    }

    /// How serious, from the kind.
    pub fn severity(&self) -> Severity {
        self.kind.severity()
    }

    /// What happened, for a person (the kind's text, without the place).
    pub fn message(&self) -> String {
        self.kind.to_string()
    }
}

impl Serialize for Diagnostic {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        #[derive(Serialize)]
        struct Out<'a> {
            severity: Severity,
            #[serde(flatten)]
            kind: &'a DiagKind,
            location: &'a Location,
            message: String,
        }
        Out {
            severity: self.severity(),
            kind: &self.kind,
            location: &self.location,
            message: self.message(),
        }
        .serialize(s)
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let place = self.location.to_string();
        if place.is_empty() {
            write!(f, "{}", self.kind)
        } else {
            write!(f, "{place}: {}", self.kind)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn places_read_as_people_write_them() {
        assert_eq!(
            Location::cell("f.xlsx", "Open POA&M Items", 10, 12).to_string(),
            "'Open POA&M Items'!K12"
        );
        assert_eq!(
            Location::row("f.xlsx", "POA&M", 9).to_string(),
            "'POA&M'!row 9"
        );
        assert_eq!(
            Location::path("p.json", "poam-items[2]").to_string(),
            "poam-items[2]"
        );
        assert_eq!(Location::file("f.xlsx").to_string(), "f.xlsx");
        assert_eq!(column_letters(27), "AB");
    }

    #[test]
    fn severity_follows_the_kind_and_json_carries_the_data() {
        let d = Diagnostic::new(
            DiagKind::BadDate {
                raw: "13/45/2024".into(),
                header: "Original Detection Date".into(),
            },
            Location::cell("f.xlsx", "Open POA&M Items", 11, 10),
        );
        assert_eq!(d.severity(), Severity::Warning);
        assert_eq!(
            d.to_string(),
            "'Open POA&M Items'!L10: cannot read date \"13/45/2024\"; kept in extra as \"Original Detection Date\""
        );
        let json = serde_json::to_value(&d).unwrap();
        assert_eq!(json["kind"], "bad-date");
        assert_eq!(json["raw"], "13/45/2024");
        assert_eq!(json["location"]["column"], "L");
        assert_eq!(json["location"]["row"], 10);
        assert_eq!(json["severity"], "warning");
        let moved = DiagKind::MovedField {
            count: 1,
            moved: Moved::MilestonesIntoPlan,
            target: "v3.0".into(),
        };
        assert_eq!(moved.severity(), Severity::Info);
    }
}
