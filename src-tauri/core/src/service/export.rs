//! Export of the Authorizers table: the whole result of a search (not its page) as CSV or XLSX.
//!
//! - Same rows and order as the table (`Store::authorizer_ids_matching`), read back
//!   [`CHUNK_ROWS`] at a time, so a million rows never sit in memory as rows.
//! - CSV: UTF-8 with a BOM (Excel reads UTF-8 only with it), CRLF, RFC 4180 quoting; a text
//!   that came from WeChat or the operator and starts like a formula (`=`, `+`, `-`, `@`, tab,
//!   CR) gets a leading `'` so that a spreadsheet shows it instead of evaluating it.
//! - XLSX: `rust_xlsxwriter` in constant-memory mode (rows stream to a temp file); strings
//!   are written as strings, never formulas.
//! - Written to a temp file beside the target, renamed when complete: a cancel or an error
//!   leaves no half file (the temp file is removed when dropped).

use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::time::Instant;

use rust_xlsxwriter::{Format, Workbook, Worksheet, XlsxError};
use serde::{Deserialize, Serialize};

use super::lease::utc_text;
use super::{CancelToken, Console, ProfileRt};
use crate::error::{CoreError, CoreResult};
use crate::store::authorizers_export::ExportRow;
use crate::store::text_enum::text_enum;
use crate::store::{AuthorizerQuery, Store};

/// Rows read from the store (and reported as progress) at a time.
pub const CHUNK_ROWS: usize = 2_000;

/// Rows an XLSX sheet holds below its header (Excel's limit is 1,048,576 rows).
pub const XLSX_MAX_ROWS: usize = 1_048_575;

text_enum! {
    /// A column of an export (the header is the stable name).
    pub enum ExportColumn {
        Appid => "appid",
        NickName => "nick_name",
        PrincipalName => "principal_name",
        Kind => "kind",
        ServiceType => "service_type",
        VerifyType => "verify_type",
        UserName => "user_name",
        Alias => "alias",
        Status => "status",
        AuthTime => "auth_time",
        StatusChangedAt => "status_changed_at",
        HasOpen => "has_open",
        HasRefreshToken => "has_refresh_token",
        InfoFetchedAt => "info_fetched_at",
        FuncIds => "func_ids",
        DetailsError => "details_error",
    }
}

text_enum! {
    pub enum ExportFormat { Csv => "csv", Xlsx => "xlsx" }
}

impl ExportColumn {
    /// The columns when none are chosen.
    pub const DEFAULT: &'static [ExportColumn] = &[
        ExportColumn::Appid,
        ExportColumn::NickName,
        ExportColumn::PrincipalName,
        ExportColumn::Kind,
        ExportColumn::VerifyType,
        ExportColumn::Status,
        ExportColumn::AuthTime,
        ExportColumn::FuncIds,
        ExportColumn::HasRefreshToken,
    ];

    /// Texts that came from outside (WeChat, the operator): the ones a formula could hide in.
    fn is_free_text(self) -> bool {
        matches!(
            self,
            ExportColumn::NickName
                | ExportColumn::PrincipalName
                | ExportColumn::UserName
                | ExportColumn::Alias
                | ExportColumn::Appid
                | ExportColumn::DetailsError
        )
    }
}

/// What to export: the table's query (its page ignored), the columns, the format and the file.
#[derive(Debug, Clone, Serialize, Deserialize, specta::Type)]
pub struct ExportRequest {
    pub query: AuthorizerQuery,
    /// Empty: [`ExportColumn::DEFAULT`].
    pub columns: Vec<ExportColumn>,
    pub format: ExportFormat,
    /// The file to write (replaced when it exists).
    pub path: String,
}

/// Rows written so far of the total.
#[derive(Debug, Clone, Copy, Serialize, specta::Type)]
pub struct ExportProgress {
    pub done: u64,
    pub total: u64,
}

/// A finished export.
#[derive(Debug, Clone, Serialize, specta::Type)]
pub struct ExportOutcome {
    pub path: String,
    pub format: ExportFormat,
    pub columns: Vec<ExportColumn>,
    pub rows: u64,
    pub bytes: u64,
    pub elapsed_ms: u64,
}

/// One cell's value.
enum Cell {
    Text(String),
    Number(i64),
    Empty,
}

fn cell(col: ExportColumn, r: &ExportRow) -> Cell {
    let a = &r.authorizer;
    let text = |s: &str| Cell::Text(s.to_string());
    let num = |n: Option<i64>| n.map_or(Cell::Empty, Cell::Number);
    let time = |t: Option<i64>| t.map_or(Cell::Empty, |t| Cell::Text(utc_text(t)));
    let flag = |b: bool| text(if b { "true" } else { "false" });
    match col {
        ExportColumn::Appid => text(&a.appid),
        ExportColumn::NickName => text(&a.nick_name),
        ExportColumn::PrincipalName => text(&a.principal_name),
        ExportColumn::Kind => a.kind.map_or(Cell::Empty, |k| text(k.as_str())),
        ExportColumn::ServiceType => num(a.service_type),
        ExportColumn::VerifyType => num(a.verify_type),
        ExportColumn::UserName => text(&a.user_name),
        ExportColumn::Alias => text(&a.alias),
        ExportColumn::Status => text(a.status.as_str()),
        ExportColumn::AuthTime => time(a.auth_time),
        ExportColumn::StatusChangedAt => time(Some(a.status_changed_at)),
        ExportColumn::HasOpen => a.has_open.map_or(Cell::Empty, flag),
        ExportColumn::HasRefreshToken => flag(a.has_refresh_token),
        ExportColumn::InfoFetchedAt => time(a.info_fetched_at),
        ExportColumn::FuncIds => Cell::Text(
            r.permissions
                .iter()
                .map(|p| p.funcscope_id.to_string())
                .collect::<Vec<_>>()
                .join(";"),
        ),
        ExportColumn::DetailsError => a.details_error.as_deref().map_or(Cell::Empty, text),
    }
}

/// `s` with a leading `'` when a spreadsheet would read it as a formula.
pub fn defuse_formula(s: &str) -> std::borrow::Cow<'_, str> {
    match s.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => format!("'{s}").into(),
        _ => s.into(),
    }
}

/// Appends `s` as one CSV field (quoted when it holds a comma, quote, CR or LF).
pub fn push_csv_field(out: &mut String, s: &str) {
    if s.contains([',', '"', '\n', '\r']) {
        out.push('"');
        out.push_str(&s.replace('"', "\"\""));
        out.push('"');
    } else {
        out.push_str(s);
    }
}

/// Where rows go: one writer per format.
trait Sink {
    fn header(&mut self, columns: &[ExportColumn]) -> CoreResult<()>;
    fn rows(&mut self, columns: &[ExportColumn], rows: &[ExportRow]) -> CoreResult<()>;
    /// Completes the file's content in `file`.
    fn finish(self: Box<Self>) -> CoreResult<()>;
}

struct CsvSink {
    out: BufWriter<std::fs::File>,
    line: String,
}

impl Sink for CsvSink {
    fn header(&mut self, columns: &[ExportColumn]) -> CoreResult<()> {
        self.line.clear();
        self.line.push('\u{feff}');
        let names: Vec<&str> = columns.iter().map(|c| c.as_str()).collect();
        self.line.push_str(&names.join(","));
        self.line.push_str("\r\n");
        write_all(&mut self.out, &self.line)
    }

    fn rows(&mut self, columns: &[ExportColumn], rows: &[ExportRow]) -> CoreResult<()> {
        self.line.clear();
        for r in rows {
            for (i, &col) in columns.iter().enumerate() {
                if i > 0 {
                    self.line.push(',');
                }
                match cell(col, r) {
                    Cell::Text(t) if col.is_free_text() => {
                        push_csv_field(&mut self.line, &defuse_formula(&t))
                    }
                    Cell::Text(t) => push_csv_field(&mut self.line, &t),
                    Cell::Number(n) => self.line.push_str(&n.to_string()),
                    Cell::Empty => {}
                }
            }
            self.line.push_str("\r\n");
        }
        write_all(&mut self.out, &self.line)
    }

    fn finish(self: Box<Self>) -> CoreResult<()> {
        let file = self
            .out
            .into_inner()
            .map_err(|e| CoreError::io("write the export", e.into_error()))?;
        file.sync_all()
            .map_err(|e| CoreError::io("write the export", e))
    }
}

fn write_all(out: &mut impl Write, s: &str) -> CoreResult<()> {
    out.write_all(s.as_bytes())
        .map_err(|e| CoreError::io("write the export", e))
}

struct XlsxSink {
    workbook: Workbook,
    file: std::fs::File,
    next_row: u32,
}

fn xlsx_err(e: XlsxError) -> CoreError {
    CoreError::Internal(format!("cannot write the XLSX file: {e}"))
}

impl XlsxSink {
    fn new(file: std::fs::File, temp_dir: &Path) -> CoreResult<XlsxSink> {
        let mut workbook = Workbook::new();
        // The sheet's rows stream to temp files beside the target (the same disk as the result).
        workbook.set_tempdir(temp_dir).map_err(xlsx_err)?;
        workbook
            .add_worksheet_with_constant_memory()
            .map_err(xlsx_err)?;
        Ok(XlsxSink {
            workbook,
            file,
            next_row: 0,
        })
    }

    fn sheet(&mut self) -> CoreResult<&mut Worksheet> {
        self.workbook.worksheet_from_index(0).map_err(xlsx_err)
    }
}

impl Sink for XlsxSink {
    fn header(&mut self, columns: &[ExportColumn]) -> CoreResult<()> {
        let bold = Format::new().set_bold();
        let sheet = self.sheet()?;
        sheet.set_name("authorizers").map_err(xlsx_err)?;
        for (i, c) in columns.iter().enumerate() {
            sheet
                .write_string_with_format(0, i as u16, c.as_str(), &bold)
                .map_err(xlsx_err)?;
        }
        sheet.set_freeze_panes(1, 0).map_err(xlsx_err)?;
        self.next_row = 1;
        Ok(())
    }

    fn rows(&mut self, columns: &[ExportColumn], rows: &[ExportRow]) -> CoreResult<()> {
        let mut row = self.next_row;
        let sheet = self.sheet()?;
        for r in rows {
            for (i, &col) in columns.iter().enumerate() {
                match cell(col, r) {
                    Cell::Text(t) => sheet.write_string(row, i as u16, t).map(|_| ()),
                    Cell::Number(n) => sheet.write_number(row, i as u16, n as f64).map(|_| ()),
                    Cell::Empty => Ok(()),
                }
                .map_err(xlsx_err)?;
            }
            row += 1;
        }
        self.next_row = row;
        Ok(())
    }

    fn finish(self: Box<Self>) -> CoreResult<()> {
        let XlsxSink {
            mut workbook,
            mut file,
            ..
        } = *self;
        let mut out = BufWriter::new(&mut file);
        workbook.save_to_writer(&mut out).map_err(xlsx_err)?;
        out.flush()
            .map_err(|e| CoreError::io("write the export", e))?;
        drop(out);
        file.sync_all()
            .map_err(|e| CoreError::io("write the export", e))
    }
}

/// The target file, checked: an absolute or relative path whose folder exists.
pub(crate) fn target(path: &str) -> CoreResult<(PathBuf, PathBuf)> {
    let p = PathBuf::from(path.trim());
    if p.as_os_str().is_empty() || p.file_name().is_none() {
        return Err(CoreError::InvalidInput(format!(
            "{path:?} is not a file path to export to"
        )));
    }
    let dir = match p.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    if !dir.is_dir() {
        return Err(CoreError::InvalidInput(format!(
            "the folder {} does not exist",
            dir.display()
        )));
    }
    Ok((p, dir))
}

/// `<Downloads or home>/authorizers-YYYYMMDD-HHMMSS.<format>` (UTC): where the window
/// suggests writing an export.
pub fn suggested_path(format: ExportFormat, now: i64) -> String {
    let dir = dirs::download_dir()
        .filter(|d| d.is_dir())
        .or_else(dirs::home_dir)
        .unwrap_or_else(|| PathBuf::from("."));
    // utc_text: "YYYY-MM-DD HH:MM:SS UTC" → "YYYYMMDD-HHMMSS"
    let stamp: String = utc_text(now)
        .trim_end_matches(" UTC")
        .chars()
        .filter_map(|c| match c {
            '-' | ':' => None,
            ' ' => Some('-'),
            c => Some(c),
        })
        .collect();
    dir.join(format!("authorizers-{stamp}.{format}"))
        .display()
        .to_string()
}

/// Progress callback shared with the blocking thread of an export.
pub type ExportProgressFn = std::sync::Arc<dyn Fn(ExportProgress) + Send + Sync>;

impl Console {
    /// Writes every authorizer matching `req.query` to `req.path`, calling `progress` after
    /// each chunk; a cancel stops between chunks with [`CoreError::Cancelled`] and no file.
    /// Blocking (seconds for a million rows): async code calls [`Console::authorizers_export_async`].
    pub fn authorizers_export(
        &self,
        rt: &ProfileRt,
        req: &ExportRequest,
        progress: &dyn Fn(ExportProgress),
        cancel: &CancelToken,
    ) -> CoreResult<ExportOutcome> {
        export(&self.store, rt.id(), req, progress, cancel)
    }

    /// [`Console::authorizers_export`] on the blocking pool, so that the runtime stays free
    /// (for a cancel from Ctrl-C, the window's events).
    pub async fn authorizers_export_async(
        &self,
        rt: &ProfileRt,
        req: ExportRequest,
        progress: ExportProgressFn,
        cancel: CancelToken,
    ) -> CoreResult<ExportOutcome> {
        let store = self.store.clone();
        let profile_id = rt.id();
        tokio::task::spawn_blocking(move || export(&store, profile_id, &req, &*progress, &cancel))
            .await
            .map_err(|e| CoreError::Internal(format!("the export stopped: {e}")))?
    }
}

fn export(
    store: &Store,
    profile_id: i64,
    req: &ExportRequest,
    progress: &dyn Fn(ExportProgress),
    cancel: &CancelToken,
) -> CoreResult<ExportOutcome> {
    let started = Instant::now();
    let (path, dir) = target(&req.path)?;
    let columns = if req.columns.is_empty() {
        ExportColumn::DEFAULT.to_vec()
    } else {
        req.columns.clone()
    };
    let ids = store.authorizer_ids_matching(profile_id, &req.query)?;
    if req.format == ExportFormat::Xlsx && ids.len() > XLSX_MAX_ROWS {
        return Err(CoreError::Refused(format!(
            "{} rows do not fit in one XLSX sheet (at most {XLSX_MAX_ROWS}): export CSV, or narrow the filter",
            ids.len()
        )));
    }
    let temp = tempfile::Builder::new()
        .prefix(".wxopen-export-")
        .suffix(".part")
        .tempfile_in(&dir)
        .map_err(|e| CoreError::io(format!("create a file in {}", dir.display()), e))?;
    let file = temp
        .reopen()
        .map_err(|e| CoreError::io("open the export file", e))?;
    let mut sink: Box<dyn Sink> = match req.format {
        ExportFormat::Csv => Box::new(CsvSink {
            out: BufWriter::with_capacity(1 << 20, file),
            line: String::new(),
        }),
        ExportFormat::Xlsx => Box::new(XlsxSink::new(file, &dir)?),
    };
    sink.header(&columns)?;
    let total = ids.len() as u64;
    let mut done = 0u64;
    progress(ExportProgress { done, total });
    for chunk in ids.chunks(CHUNK_ROWS) {
        if cancel.is_cancelled() {
            return Err(CoreError::Cancelled);
        }
        let rows = store.export_rows(profile_id, chunk)?;
        sink.rows(&columns, &rows)?;
        done += rows.len() as u64;
        progress(ExportProgress { done, total });
    }
    sink.finish()?;
    if cancel.is_cancelled() {
        return Err(CoreError::Cancelled);
    }
    temp.persist(&path)
        .map_err(|e| CoreError::io(format!("write {}", path.display()), e.error))?;
    let bytes = std::fs::metadata(&path).map_or(0, |m| m.len());
    Ok(ExportOutcome {
        path: path.display().to_string(),
        format: req.format,
        columns,
        rows: done,
        bytes,
        elapsed_ms: started.elapsed().as_millis() as u64,
    })
}
