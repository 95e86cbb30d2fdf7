//! The page's JSON API: files dropped, how each was read, its column
//! mapping changed and saved, conversions, checks and downloads.

use crate::Shared;
use axum::body::Bytes;
use axum::extract::{Path as UrlPath, Query, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Json;
use poam_import::{ImportOptions, Imported, SystemSettings};
use poam_layout::SheetRole;
use poam_model::Poam;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;

/// Files a session may hold at once, and their bytes in all.
const MAX_FILES: usize = 500;
const MAX_TOTAL_BYTES: usize = 2 << 30;

/// What the user dropped and made in this session, in memory only.
#[derive(Default)]
pub(crate) struct Store {
    next: u64,
    files: BTreeMap<u64, Upload>,
    downloads: BTreeMap<u64, Download>,
    bytes: usize,
}

struct Upload {
    name: String,
    bytes: Arc<Vec<u8>>,
    /// The user's column choices (header → field, `None` for extra).
    columns: Option<Vec<(String, Option<String>)>>,
    /// The sheets of the last read (for the mapping file).
    sheets: Vec<(String, u32, SheetRole)>,
    /// The columns of the last read.
    read_columns: Vec<(String, Option<String>)>,
}

struct Download {
    name: String,
    bytes: Vec<u8>,
}

pub(crate) fn routes() -> axum::Router<Shared> {
    axum::Router::new()
        .route("/api/targets", get(targets))
        .route("/api/files", post(upload))
        .route("/api/files/{id}", get(show))
        .route("/api/files/{id}/mapping", post(set_mapping))
        .route("/api/files/{id}/mapping.toml", get(mapping_file))
        .route("/api/files/{id}/convert", post(convert))
        .route("/api/files/{id}/check", post(check))
        .route("/api/rollup", post(rollup))
        .route("/api/diff", post(diff))
        .route("/api/update", post(update))
        .route("/api/downloads/{id}", get(download))
        .route("/api/downloads.zip", get(download_all))
}

/// An error the page shows as it is: one line, in plain words.
pub(crate) struct Problem(StatusCode, String);

impl IntoResponse for Problem {
    fn into_response(self) -> Response {
        (self.0, Json(json!({ "error": self.1 }))).into_response()
    }
}

fn bad(why: impl Into<String>) -> Problem {
    Problem(StatusCode::UNPROCESSABLE_ENTITY, why.into())
}

fn gone() -> Problem {
    Problem(
        StatusCode::NOT_FOUND,
        "No such file in this session (it may have been made before the server restarted).".into(),
    )
}

/// Runs poam's work on a blocking thread; a panic in it is an error
/// message, never the end of the server.
async fn work<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, Problem> + Send + 'static,
) -> Result<T, Problem> {
    match tokio::task::spawn_blocking(f).await {
        Ok(r) => r,
        Err(_) => Err(Problem(
            StatusCode::INTERNAL_SERVER_ERROR,
            "poam stopped on this file (an internal error); the server goes on. Please report the file's shape."
                .into(),
        )),
    }
}

fn lock(s: &Shared) -> std::sync::MutexGuard<'_, Store> {
    s.store.lock().unwrap_or_else(|p| p.into_inner())
}

/// The page's lists: every output and its versions, every field.
async fn targets(State(s): State<Shared>) -> Json<Value> {
    let reg = &s.opts.registry;
    // The government templates first, in the order users ask for them.
    let mut families = reg.families();
    let rank = |f: &str| {
        ["fedramp", "emass", "nist-171"]
            .iter()
            .position(|x| *x == f)
            .unwrap_or(9)
    };
    families.sort_by_key(|f| rank(f));
    let mut formats: Vec<Value> = families
        .into_iter()
        .map(|family| {
            let versions: Vec<Value> = reg
                .all()
                .iter()
                .filter(|l| l.family == family)
                .map(|l| json!({ "version": l.version, "name": l.name, "default": l.default }))
                .collect();
            json!({ "to": family, "label": label_of(family), "versions": versions })
        })
        .collect();
    for (to, label) in [
        ("nist171-docx", "NIST SP 800-171 plan of action (Word)"),
        ("csv", "CSV"),
        ("json", "poamkit JSON"),
        ("oscal", "OSCAL POA&M JSON"),
        ("report-html", "Report (HTML)"),
        ("report-docx", "Report (Word)"),
        ("report-md", "Report (Markdown)"),
    ] {
        formats.push(json!({ "to": to, "label": label, "versions": [] }));
    }
    let fields: Vec<Value> = poam_model::Field::ALL
        .iter()
        .map(|f| json!({ "name": f.name(), "label": f.label() }))
        .collect();
    let policies: Vec<&str> = ["fedramp", "dod", "cms", "cmmc", "quality"].to_vec();
    Json(json!({ "formats": formats, "fields": fields, "policies": policies }))
}

fn label_of(family: &str) -> String {
    match family {
        "fedramp" => "FedRAMP POA&M workbook".into(),
        "emass" => "eMASS POA&M workbook".into(),
        "nist-171" => "NIST SP 800-171 plan of action (workbook)".into(),
        "mccast" => "MCCAST POA&M workbook".into(),
        other => format!("{other} workbook"),
    }
}

#[derive(Deserialize)]
struct UploadQuery {
    name: String,
}

/// A file dropped: kept in memory, read, and shown.
async fn upload(
    State(s): State<Shared>,
    Query(q): Query<UploadQuery>,
    body: Bytes,
) -> Result<Json<Value>, Problem> {
    // Only the file's own name: no folder of the user's machine is named.
    let name = q
        .name
        .rsplit(['/', '\\'])
        .next()
        .unwrap_or_default()
        .trim()
        .to_string();
    if name.is_empty() {
        return Err(bad("The file has no name."));
    }
    let id = {
        let mut store = lock(&s);
        if store.files.len() >= MAX_FILES || store.bytes + body.len() > MAX_TOTAL_BYTES {
            return Err(bad(format!(
                "{name}: this session holds as many files as it can; restart `poam serve` for more"
            )));
        }
        store.next += 1;
        let id = store.next;
        store.bytes += body.len();
        store.files.insert(
            id,
            Upload {
                name,
                bytes: Arc::new(body.to_vec()),
                columns: None,
                sheets: Vec::new(),
                read_columns: Vec::new(),
            },
        );
        id
    };
    view(s, id).await.map(Json)
}

async fn show(State(s): State<Shared>, UrlPath(id): UrlPath<u64>) -> Result<Json<Value>, Problem> {
    view(s, id).await.map(Json)
}

/// The user's column choices as a mapping poam reads (the file `--mapping`
/// takes), and its text.
fn mapping_of(
    name: &str,
    columns: &[(String, Option<String>)],
    sheets: &[(String, u32, SheetRole)],
) -> Result<(poam_layout::mapping::Mapping, String), Problem> {
    let text = poam_layout::mapping::mapping_toml(name, columns, sheets);
    let mapping = poam_layout::mapping::Mapping::from_toml(&format!("{name} mapping"), &text)
        .map_err(|e| bad(e.to_string()))?;
    Ok((mapping, text))
}

/// Reads an upload as the CLI would, with the user's mapping when given.
fn read(
    s: &Shared,
    name: &str,
    bytes: &[u8],
    mapping: Option<(poam_layout::mapping::Mapping, String)>,
    system: SystemSettings,
) -> Result<Imported, Problem> {
    let opts = ImportOptions {
        limits: s.opts.limits,
        layouts: Some(s.opts.registry.clone()),
        mapping,
        system,
        ..ImportOptions::default()
    };
    poam_import::import_bytes(name, Path::new(name), bytes, &opts).map_err(|e| bad(e.to_string()))
}

/// The mapping of an upload's current choices, if the user made any.
fn user_mapping(u: &Upload) -> Result<Option<(poam_layout::mapping::Mapping, String)>, Problem> {
    match &u.columns {
        // Named as the reading's notes say it: "layout: mapping (…)".
        Some(cols) => Ok(Some((
            mapping_of(&u.name, cols, &u.sheets)?.0,
            "your column choices".to_string(),
        ))),
        None => Ok(None),
    }
}

fn role(name: Option<&str>) -> SheetRole {
    match name {
        Some("closed") => SheetRole::Closed,
        Some("configuration") => SheetRole::Configuration,
        _ => SheetRole::Open,
    }
}

/// How an upload reads now: the layout and why, the counts, every
/// diagnostic with its place, each sheet's columns with their evidence.
async fn view(s: Shared, id: u64) -> Result<Value, Problem> {
    let (name, bytes, mapping) = take(&s, id)?;
    let mapped = mapping.is_some();
    let s2 = s.clone();
    let name2 = name.clone();
    let imported =
        work(move || read(&s2, &name2, &bytes, mapping, SystemSettings::default())).await;
    let imported = match imported {
        Ok(i) => i,
        Err(Problem(_, error)) => {
            // Not a POA&M: a System Security Plan dropped beside one?
            let (name2, bytes, _) = take(&s, id)?;
            let ssp = work(move || Ok(poam_ssp::read_ssp_bytes(&name2, &bytes).ok())).await?;
            if let Some(index) = ssp {
                let (controls, enhancements) = index.counts();
                return Ok(json!({ "id": id, "name": name, "ssp": {
                    "kind": index.kind, "sections": index.sections.len(),
                    "controls": controls, "enhancements": enhancements } }));
            }
            // A scanner's output, for this month's update?
            let s3 = s.clone();
            let (name3, bytes3, _) = take(&s, id)?;
            if let Ok(Some(scan)) = work(move || Ok(read_scan(&s3, &name3, &bytes3).ok())).await {
                return Ok(json!({ "id": id, "name": name, "scan": {
                    "format": scan.format, "scanner": scan.scanner, "day": scan.scanned_on,
                    "assets": scan.assets.len(), "findings": scan.findings.len() } }));
            }
            return Ok(json!({ "id": id, "name": name, "error": error }));
        }
    };
    let r = &imported.report;
    let mut sheets = Vec::new();
    let mut read_columns = Vec::new();
    for sheet in &r.sheets {
        if let (Some(row), Some(role_name)) = (sheet.header_row, sheet.role.as_deref()) {
            sheets.push((sheet.name.clone(), row, role(Some(role_name))));
            for c in &sheet.columns {
                read_columns.push((c.header.clone(), c.field.clone()));
            }
        }
    }
    if let Some(u) = lock(&s).files.get_mut(&id) {
        u.sheets = sheets;
        u.read_columns = read_columns;
    }
    let diagnostics: Vec<Value> = imported
        .diagnostics
        .iter()
        .map(|d| {
            json!({
                "severity": format!("{:?}", d.severity()).to_lowercase(),
                "text": d.to_string(),
                "sheet": d.location.sheet,
                "row": d.location.row,
            })
        })
        .collect();
    Ok(json!({
        "id": id,
        "name": name,
        "format": r.format,
        "layout": r.layout,
        "layout_name": r.layout_name,
        "evidence": r.evidence,
        "mapped": mapped,
        "open": imported.poam.open_count(),
        "closed": imported.poam.closed_count(),
        "system": imported.poam.system,
        "sheets": r.sheets,
        "diagnostics": diagnostics,
    }))
}

#[derive(Deserialize)]
struct MappingChange {
    /// Header → field name (`risk.original`), or empty / `extra` to keep
    /// the column in `extra`.
    columns: Vec<ColumnChoice>,
}

#[derive(Deserialize)]
struct ColumnChoice {
    header: String,
    field: Option<String>,
}

/// The user changed a column's field: the file is read again with the
/// choices as its mapping.
async fn set_mapping(
    State(s): State<Shared>,
    UrlPath(id): UrlPath<u64>,
    Json(change): Json<MappingChange>,
) -> Result<Json<Value>, Problem> {
    {
        let mut store = lock(&s);
        let u = store.files.get_mut(&id).ok_or_else(gone)?;
        let mut cols = u.columns.clone().unwrap_or_else(|| u.read_columns.clone());
        for c in change.columns {
            let field = c
                .field
                .map(|f| f.trim().to_string())
                .filter(|f| !f.is_empty() && f != "extra");
            if let Some(f) = &field {
                if poam_model::Field::from_name(f).is_none() {
                    return Err(bad(format!("\"{f}\" is not a field of poam's model")));
                }
            }
            match cols.iter_mut().find(|(h, _)| *h == c.header) {
                Some(slot) => slot.1 = field,
                None => cols.push((c.header, field)),
            }
        }
        // Checked now: a choice poam cannot read is said before it is kept.
        mapping_of(&u.name, &cols, &u.sheets)?;
        u.columns = Some(cols);
    }
    view(s, id).await.map(Json)
}

/// A file name with only letters, digits and `.-_` (and spaces where
/// allowed): safe in a header and on any file system.
fn safe_name(name: &str, spaces: bool) -> String {
    name.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || ".-_".contains(c) || (spaces && c == ' ') {
                c
            } else {
                '_'
            }
        })
        .collect()
}

fn attachment(name: &str, content_type: &str, bytes: Vec<u8>) -> Response {
    let safe = safe_name(name, true);
    let mut r = bytes.into_response();
    let h = r.headers_mut();
    if let Ok(v) = HeaderValue::from_str(content_type) {
        h.insert(header::CONTENT_TYPE, v);
    }
    if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"{safe}\"")) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    r
}

fn stem(name: &str) -> &str {
    name.rsplit_once('.').map_or(name, |(s, _)| s)
}

/// "Save this mapping": the mapping file `--mapping` reads.
async fn mapping_file(
    State(s): State<Shared>,
    UrlPath(id): UrlPath<u64>,
) -> Result<Response, Problem> {
    let store = lock(&s);
    let u = store.files.get(&id).ok_or_else(gone)?;
    let cols = u.columns.as_ref().unwrap_or(&u.read_columns);
    let (_, text) = mapping_of(&u.name, cols, &u.sheets)?;
    Ok(attachment(
        &format!("{}-mapping.toml", stem(&u.name)),
        "application/toml; charset=utf-8",
        text.into_bytes(),
    ))
}

#[derive(Deserialize, Default)]
struct Metadata {
    system_name: Option<String>,
    organization: Option<String>,
    impact_level: Option<String>,
    poam_date: Option<String>,
    marking: Option<String>,
}

#[derive(Deserialize)]
struct ConvertRequest {
    to: String,
    version: Option<String>,
    #[serde(default)]
    metadata: Metadata,
    /// The user's own copy of an official blank template, dropped in this
    /// session, to fill in place of drawing the layout (`--into`).
    template: Option<u64>,
}

fn given(v: &Option<String>) -> Option<String> {
    v.as_deref()
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(String::from)
}

fn settings(m: &Metadata) -> Result<SystemSettings, Problem> {
    let poam_date = match given(&m.poam_date) {
        Some(t) => Some(
            chrono::NaiveDate::parse_from_str(&t, "%Y-%m-%d")
                .map_err(|_| bad(format!("POA&M date \"{t}\" is not a date (use YYYY-MM-DD)")))?,
        ),
        None => None,
    };
    Ok(SystemSettings {
        name: given(&m.system_name),
        organization: given(&m.organization),
        impact_level: given(&m.impact_level),
        poam_date,
        marking: given(&m.marking),
        ..SystemSettings::default()
    })
}

#[derive(Serialize)]
struct Made {
    download: String,
    name: String,
    open: usize,
    closed: usize,
    /// What the target could not hold, and the other notes of writing.
    not_held: Vec<String>,
}

/// Today (UTC), from the system clock.
fn today() -> chrono::NaiveDate {
    let days = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() / 86_400);
    chrono::NaiveDate::from_ymd_opt(1970, 1, 1).unwrap_or_default() + chrono::Days::new(days)
}

/// A conversion: the file read with the user's mapping and metadata,
/// written in the target chosen, kept for download.
async fn convert(
    State(s): State<Shared>,
    UrlPath(id): UrlPath<u64>,
    Json(req): Json<ConvertRequest>,
) -> Result<Json<Made>, Problem> {
    let (name, bytes, mapping) = take(&s, id)?;
    let template = req.template.map(|t| take(&s, t)).transpose()?;
    let system = settings(&req.metadata)?;
    let s2 = s.clone();
    let (out_name, out, open, closed, notes) = work(move || {
        let imported = read(&s2, &name, &bytes, mapping, system)?;
        let (ext, written) = match template {
            Some((tname, tbytes, _)) => fill(&s2, &imported.poam, &tname, &tbytes)?,
            None => write(&s2, &imported.poam, &req.to, req.version.as_deref())?,
        };
        let notes = not_held(&written);
        Ok((
            format!("{}.{ext}", stem(&name)),
            written.bytes,
            imported.poam.open_count(),
            imported.poam.closed_count(),
            notes,
        ))
    })
    .await?;
    let download = keep(&s, out_name.clone(), out);
    Ok(Json(Made {
        download,
        name: out_name,
        open,
        closed,
        not_held: notes,
    }))
}

/// What an output could not hold and the writer's other warnings, in the
/// page's words.
fn not_held(written: &poam_export::Written) -> Vec<String> {
    written
        .diagnostics
        .iter()
        .filter(|d| d.severity() != poam_model::Severity::Info)
        .map(|d| in_page_words(&d.to_string()))
        .collect()
}

/// A message written for the terminal, in the page's words: its fields
/// for the CLI's flags.
fn in_page_words(text: &str) -> String {
    let mut t = text.to_string();
    for (flag, field) in [
        ("--system-name", "the System name field"),
        ("--organization", "the Organization field"),
        ("--impact-level", "the Impact level field"),
        ("--poam-date", "the POA&M date field"),
        ("--marking", "the Marking field"),
    ] {
        t = t.replace(flag, field);
    }
    t
}

/// Fills the user's own copy of an official template: NIST's Word plan of
/// action, or a FedRAMP or eMASS workbook, its every other part kept.
fn fill(
    s: &Shared,
    poam: &Poam,
    name: &str,
    bytes: &[u8],
) -> Result<(String, poam_export::Written), Problem> {
    let why = |e: String| bad(format!("{name}: {e}"));
    if poam_export::fill_docx::is_nist_plan_template(bytes) {
        let written =
            poam_export::fill_docx::fill_nist_plan(bytes, poam).map_err(|e| why(e.to_string()))?;
        return Ok(("docx".into(), written));
    }
    let opts = ImportOptions {
        limits: s.opts.limits,
        layouts: Some(s.opts.registry.clone()),
        ..ImportOptions::default()
    };
    let template = poam_convert::template::read(name, bytes, &opts, &s.opts.registry)
        .map_err(|e| why(e.to_string()))?;
    let written = poam_convert::template::fill(&template, bytes, poam, false, today())
        .map_err(|e| why(e.to_string()))?;
    Ok((
        template.layout.rules.extension.as_str().to_string(),
        written,
    ))
}

/// Writes the model in the target the page names.
fn write(
    s: &Shared,
    poam: &Poam,
    to: &str,
    version: Option<&str>,
) -> Result<(String, poam_export::Written), Problem> {
    write_with(s, poam, to, version, Vec::new())
}

/// Writes the model, with sheets after the template's (a roll-up's
/// summary by unit) and each item's unit where there are.
fn write_with(
    s: &Shared,
    poam: &Poam,
    to: &str,
    version: Option<&str>,
    extra_sheets: Vec<poam_export::xlsx::ExtraSheet>,
) -> Result<(String, poam_export::Written), Problem> {
    let report = |format: Option<poam_export::report::TextFormat>, ext: &str| {
        let data = poam_export::report::build(
            Arc::new(poam.clone()),
            &poam_export::report::ReportOptions {
                as_of: today(),
                ..Default::default()
            },
        );
        let bytes = match format {
            Some(f) => {
                let mut out = Vec::new();
                poam_export::report::render_to(&data, f, None, &mut out)
                    .map_err(|e| bad(e.to_string()))?;
                out
            }
            None => {
                poam_export::docx_out::write_report_docx(&data)
                    .map_err(|e| bad(e.to_string()))?
                    .bytes
            }
        };
        Ok((
            ext.to_string(),
            poam_export::Written {
                bytes,
                diagnostics: Vec::new(),
            },
        ))
    };
    match to {
        "report-html" => return report(Some(poam_export::report::TextFormat::Html), "html"),
        "report-md" => return report(Some(poam_export::report::TextFormat::Markdown), "md"),
        "report-docx" => return report(None, "docx"),
        _ => {}
    }
    let format =
        poam_export::Format::parse(to, &s.opts.registry).map_err(|e| bad(e.to_string()))?;
    let version = version.map(str::trim).filter(|v| !v.is_empty());
    let output = format
        .resolve(&s.opts.registry, version)
        .map_err(|e| bad(e.to_string()))?;
    let unit_column = !extra_sheets.is_empty();
    let opts = poam_export::WriteOptions {
        xlsx: poam_export::xlsx::XlsxOptions {
            default_poam_date: Some(today()),
            extra_sheets,
            unit_column,
            ..Default::default()
        },
        ..Default::default()
    };
    let written = poam_export::write(poam, output, &opts).map_err(|e| bad(e.to_string()))?;
    Ok((output.extension().to_string(), written))
}

#[derive(Deserialize, Default)]
struct CheckRequest {
    policy: Option<String>,
    /// A System Security Plan dropped in this session, to check the POA&M
    /// against.
    ssp: Option<u64>,
}

/// `validate` in the page: findings by severity, and for an SP 800-171
/// plan the SPRS score and Conditional CMMC Level 2.
async fn check(
    State(s): State<Shared>,
    UrlPath(id): UrlPath<u64>,
    Json(req): Json<CheckRequest>,
) -> Result<Json<Value>, Problem> {
    let (name, bytes, mapping) = take(&s, id)?;
    let ssp = req.ssp.map(|ssp| take(&s, ssp)).transpose()?;
    let s2 = s.clone();
    let v = work(move || {
        let mut imported = read(&s2, &name, &bytes, mapping, SystemSettings::default())?;
        let ssp_report = match ssp {
            Some((ssp_name, ssp_bytes, _)) => {
                let index = poam_ssp::read_ssp_bytes(&ssp_name, &ssp_bytes)
                    .map_err(|e| bad(e.to_string()))?;
                poam_ssp::link(&mut imported.poam, &index);
                let findings = poam_ssp::check(&imported.poam, &index);
                let linked = poam_ssp::links(&imported.poam);
                Some(json!({ "file": ssp_name, "kind": index.kind,
                    "sections": index.sections.len(), "links": linked, "findings": findings }))
            }
            None => None,
        };
        let policy = match given(&req.policy) {
            Some(p) => Some(poam_rules::Policy::builtin(&p).map_err(|e| bad(e.to_string()))?),
            None => None,
        };
        let registry = &s2.opts.registry;
        let template = imported
            .report
            .layout
            .as_deref()
            .and_then(|l| l.split_once(' '))
            .and_then(|(f, v)| registry.find(f, Some(v)));
        let findings = poam_rules::validate(
            &imported.poam,
            &poam_rules::ValidateOptions {
                as_of: today(),
                policy: policy.clone(),
                template,
                registry,
            },
        );
        let score = poam_rules::is_sp800_171(&imported.poam).then(|| {
            poam_rules::score(
                &imported.poam,
                &poam_rules::ScoreOptions {
                    conditional_date: today(),
                    ..Default::default()
                },
            )
        });
        Ok(json!({
            "policy": policy.map(|p| p.title),
            "as_of": today().to_string(),
            "findings": findings,
            "score": score,
            "ssp": ssp_report,
        }))
    })
    .await?;
    Ok(Json(v))
}

/// An upload as read: its name, its bytes, the user's column choices.
type Held = (
    String,
    Arc<Vec<u8>>,
    Option<(poam_layout::mapping::Mapping, String)>,
);

/// What an upload holds now.
fn take(s: &Shared, id: u64) -> Result<Held, Problem> {
    let store = lock(s);
    let u = store.files.get(&id).ok_or_else(gone)?;
    Ok((u.name.clone(), u.bytes.clone(), user_mapping(u)?))
}

/// Keeps a result for download and says where.
fn keep(s: &Shared, name: String, bytes: Vec<u8>) -> String {
    let mut store = lock(s);
    store.next += 1;
    let did = store.next;
    store.downloads.insert(did, Download { name, bytes });
    format!("/api/downloads/{did}")
}

#[derive(Deserialize)]
struct RollupRequest {
    files: Vec<u64>,
    to: String,
    version: Option<String>,
    #[serde(default)]
    dedupe: bool,
    #[serde(default)]
    metadata: Metadata,
}

/// Several units' files as one POA&M: each file's items tagged with its
/// unit (the file's name, or the item's own Business Unit column), the
/// summary by unit shown and, in a workbook, on a sheet of its own.
async fn rollup(
    State(s): State<Shared>,
    Json(req): Json<RollupRequest>,
) -> Result<Json<Value>, Problem> {
    if req.files.len() < 2 {
        return Err(bad("Choose two or more files to roll up."));
    }
    let inputs = req
        .files
        .iter()
        .map(|id| take(&s, *id))
        .collect::<Result<Vec<_>, _>>()?;
    let system = settings(&req.metadata)?;
    let s2 = s.clone();
    let (name, bytes, units, notes) = work(move || {
        let mut parts = Vec::new();
        for (name, bytes, mapping) in inputs {
            // Every file must be read: a roll-up missing a unit would mislead.
            let mut imported = read(&s2, &name, &bytes, mapping, SystemSettings::default())?;
            let unit = poam_model::Text::from(stem(&name));
            for item in &mut imported.poam.items {
                if item.business_unit.is_none() {
                    item.business_unit = Some(unit.clone());
                }
            }
            parts.push(imported.poam);
        }
        let mut rolled = poam_ops::rollup::rollup(
            parts,
            &poam_ops::rollup::RollupOptions {
                dedupe: req.dedupe,
                as_of: today(),
            },
        );
        system.apply(&mut rolled.poam.system);
        let table = poam_ops::rollup::unit_table(&rolled.units);
        let summary = poam_export::xlsx::ExtraSheet {
            name: "Summary by Unit".into(),
            heading: vec![
                "Roll-up by business unit".into(),
                format!("As of: {}", today()),
            ],
            tables: vec![table.clone()],
        };
        let (ext, written) = write_with(
            &s2,
            &rolled.poam,
            &req.to,
            req.version.as_deref(),
            vec![summary],
        )?;
        let mut notes: Vec<String> = rolled
            .renamed
            .iter()
            .map(|r| format!("{}: {} renamed {} to keep IDs unique", r.unit, r.from, r.to))
            .collect();
        notes.extend(not_held(&written));
        Ok((format!("rollup.{ext}"), written.bytes, table, notes))
    })
    .await?;
    let download = keep(&s, name.clone(), bytes);
    Ok(Json(
        json!({ "download": download, "name": name, "units": units, "not_held": notes }),
    ))
}

#[derive(Deserialize)]
struct DiffRequest {
    old: u64,
    new: u64,
}

/// Last month's file against this month's: what was added, closed,
/// reopened, changed.
async fn diff(
    State(s): State<Shared>,
    Json(req): Json<DiffRequest>,
) -> Result<Json<Value>, Problem> {
    if req.old == req.new {
        return Err(bad("Choose two different files to compare."));
    }
    let (old, new) = (take(&s, req.old)?, take(&s, req.new)?);
    let s2 = s.clone();
    let v = work(move || {
        let a = read(&s2, &old.0, &old.1, old.2, SystemSettings::default())?;
        let b = read(&s2, &new.0, &new.1, new.2, SystemSettings::default())?;
        let d = poam_ops::diff::diff(
            &a.poam,
            &b.poam,
            &poam_ops::diff::DiffOptions {
                compare_absent: a.report.layout == b.report.layout,
            },
        );
        let counts: Vec<Value> = d
            .counts
            .rows()
            .iter()
            .map(|(label, n)| json!({ "label": label, "count": n }))
            .collect();
        Ok(json!({ "old": old.0, "new": new.0, "counts": counts, "diff": d }))
    })
    .await?;
    Ok(Json(v))
}

/// Reads a scanner's output: put in the session's private folder for its
/// reader (which reads files), and removed as soon as it is read.
fn read_scan(s: &Shared, name: &str, bytes: &[u8]) -> Result<poam_scan::Scan, Problem> {
    let safe = safe_name(name, false);
    let file = tempfile::Builder::new()
        .prefix("scan-")
        .suffix(&format!("-{safe}"))
        .tempfile_in(s.dir.path())
        .map_err(|e| Problem(StatusCode::INTERNAL_SERVER_ERROR, e.to_string()))?;
    std::fs::write(file.path(), bytes)
        .map_err(|e| Problem(StatusCode::INTERNAL_SERVER_ERROR, e.to_string()))?;
    if poam_scan::detect(file.path()).is_none() {
        return Err(bad(format!("{name}: not a scanner output poam reads")));
    }
    let mut scan = poam_scan::read_scan(file.path()).map_err(|e| bad(e.to_string()))?;
    scan.file = name.to_string();
    Ok(scan)
}

#[derive(Deserialize)]
struct UpdateRequest {
    last: u64,
    scans: Vec<u64>,
    to: String,
    version: Option<String>,
    #[serde(default)]
    metadata: Metadata,
}

/// This month's POA&M from last month's and this month's scans, as `poam
/// update` makes it: new findings added, fixed ones closed, the rest kept.
async fn update(
    State(s): State<Shared>,
    Json(req): Json<UpdateRequest>,
) -> Result<Json<Value>, Problem> {
    if req.scans.is_empty() {
        return Err(bad("Drop this month's scans, then choose them."));
    }
    let last = take(&s, req.last)?;
    let scans = req
        .scans
        .iter()
        .map(|id| take(&s, *id))
        .collect::<Result<Vec<_>, _>>()?;
    let system = settings(&req.metadata)?;
    let s2 = s.clone();
    let (name, bytes, summary, notes) = work(move || {
        let imported = read(&s2, &last.0, &last.1, last.2, system)?;
        let scans = scans
            .iter()
            .map(|(n, b, _)| read_scan(&s2, n, b))
            .collect::<Result<Vec<_>, _>>()?;
        let emass = req.to.eq_ignore_ascii_case("emass");
        let policy = poam_rules::Policy::builtin(if emass { "dod" } else { "fedramp" })
            .map_err(|e| bad(e.to_string()))?;
        let updated = poam_ops::update::update(
            &imported.poam,
            &scans,
            &poam_ops::update::UpdateOptions {
                as_of: today(),
                policy: Some(&policy),
                emass,
                id_prefix: None,
                kev: None,
                point_of_contact: None,
            },
        );
        let (ext, written) = write(&s2, &updated.poam, &req.to, req.version.as_deref())?;
        let notes = not_held(&written);
        Ok((
            format!("{}-updated.{ext}", stem(&last.0)),
            written.bytes,
            updated.summary,
            notes,
        ))
    })
    .await?;
    let download = keep(&s, name.clone(), bytes);
    Ok(Json(
        json!({ "download": download, "name": name, "summary": summary, "not_held": notes }),
    ))
}

/// A result this session made; nothing else can be fetched.
async fn download(State(s): State<Shared>, UrlPath(id): UrlPath<u64>) -> Result<Response, Problem> {
    let store = lock(&s);
    let d = store.downloads.get(&id).ok_or_else(gone)?;
    Ok(attachment(&d.name, content_type(&d.name), d.bytes.clone()))
}

fn content_type(name: &str) -> &'static str {
    match name.rsplit('.').next().unwrap_or_default() {
        "xlsx" => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "xlsm" => "application/vnd.ms-excel.sheet.macroEnabled.12",
        "docx" => "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "csv" => "text/csv; charset=utf-8",
        "json" => "application/json",
        "html" => "text/html; charset=utf-8",
        "md" => "text/markdown; charset=utf-8",
        _ => "application/octet-stream",
    }
}

/// Every result of the session as one zip.
async fn download_all(State(s): State<Shared>) -> Result<Response, Problem> {
    use std::io::Write as _;
    let files: Vec<(String, Vec<u8>)> = lock(&s)
        .downloads
        .values()
        .map(|d| (d.name.clone(), d.bytes.clone()))
        .collect();
    if files.is_empty() {
        return Err(bad("Nothing converted yet."));
    }
    let bytes = work(move || {
        let fail = |e: String| Problem(StatusCode::INTERNAL_SERVER_ERROR, e);
        let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
        let options = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated);
        let mut seen = std::collections::BTreeSet::new();
        for (name, bytes) in files {
            // Two results of one name (CSV of two files called the same):
            // numbered, not overwritten.
            let mut unique = name.clone();
            let mut n = 1;
            while !seen.insert(unique.clone()) {
                n += 1;
                unique = format!(
                    "{} ({n}).{}",
                    stem(&name),
                    name.rsplit('.').next().unwrap_or("")
                );
            }
            zip.start_file(unique, options)
                .map_err(|e| fail(e.to_string()))?;
            zip.write_all(&bytes).map_err(|e| fail(e.to_string()))?;
        }
        Ok(zip.finish().map_err(|e| fail(e.to_string()))?.into_inner())
    })
    .await?;
    Ok(attachment("poam-results.zip", "application/zip", bytes))
}
