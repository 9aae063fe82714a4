//! `wxopen authorizers export`: the whole filtered table to a CSV or XLSX file, progress on
//! stderr; Ctrl-C cancels and leaves no file.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use crate::args::{ExportArgs, ExportFormatArg, KindArg, SortArg};
use crate::output::{out, Out};
use wxopen_core::error::{CoreError, CoreResult};
use wxopen_core::service::export::{ExportColumn, ExportFormat, ExportProgress, ExportRequest};
use wxopen_core::service::{CancelToken, Console, ProfileRt};
use wxopen_core::store::{AuthorizerQuery, Kind, Sort, Status};

pub async fn run(console: &Console, rt: &ProfileRt, args: ExportArgs) -> CoreResult<Out> {
    let req = request(args)?;
    let cancel = CancelToken::new();
    let c2 = cancel.clone();
    tokio::spawn(async move {
        if tokio::signal::ctrl_c().await.is_ok() {
            eprintln!("\ncancelling the export…");
            c2.cancel();
        }
    });
    // A line each 5 %: a million rows report 20 lines, not 500.
    let shown = Arc::new(AtomicU64::new(u64::MAX));
    let progress = Arc::new(move |p: ExportProgress| {
        let step = (p.done * 20).checked_div(p.total).unwrap_or(20);
        if shown.swap(step, Ordering::Relaxed) != step {
            eprintln!("export   {}/{}", p.done, p.total);
        }
    });
    let o = console
        .authorizers_export_async(rt, req, progress, cancel)
        .await?;
    let text = format!(
        "exported {} rows to {} ({} bytes, {} ms)",
        o.rows, o.path, o.bytes, o.elapsed_ms
    );
    out(&o, text)
}

fn request(a: ExportArgs) -> CoreResult<ExportRequest> {
    let status = match a.status.as_deref() {
        None => None,
        Some(s) => Some(Status::parse(s).ok_or_else(|| {
            CoreError::InvalidInput(format!(
                "unknown status {s:?}: authorized, revoked or needs_reauth"
            ))
        })?),
    };
    let columns = a
        .columns
        .iter()
        .map(|c| c.trim())
        .filter(|c| !c.is_empty())
        .map(|c| {
            ExportColumn::parse(c).ok_or_else(|| {
                let all: Vec<&str> = ExportColumn::ALL.iter().map(|c| c.as_str()).collect();
                CoreError::InvalidInput(format!("unknown column {c:?}: one of {}", all.join(", ")))
            })
        })
        .collect::<CoreResult<Vec<_>>>()?;
    Ok(ExportRequest {
        query: AuthorizerQuery {
            query: a.query,
            kind: a.kind.map(|k| match k {
                KindArg::OfficialAccount => Kind::OfficialAccount,
                KindArg::MiniProgram => Kind::MiniProgram,
            }),
            verify_type: a.verify_type,
            status,
            sort: match a.sort {
                SortArg::NickName => Sort::NickName,
                SortArg::AuthTime => Sort::AuthTime,
                SortArg::Appid => Sort::Appid,
            },
            desc: a.desc,
            ..Default::default()
        },
        columns,
        format: match a.format {
            ExportFormatArg::Csv => ExportFormat::Csv,
            ExportFormatArg::Xlsx => ExportFormat::Xlsx,
        },
        path: a.out,
    })
}
