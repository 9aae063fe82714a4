//! `wxopen authorizers sync|list|export|changes`

use std::sync::Arc;

use crate::args::{AuthorizersCommand, FilterArgs, KindArg};
use crate::context::Globals;
use crate::output::{out, Out};
use crate::time::local_datetime;
use wxopen_core::error::{CoreError, CoreResult};
use wxopen_core::service::sync::{SyncOptions, SyncPhase, SyncProgress};
use wxopen_core::service::sync_quota::{QuotaReading, SyncStop};
use wxopen_core::service::{CancelToken, Console, ProfileRt};
use wxopen_core::store::{AuthorizerQuery, Kind, Status};

pub async fn run(console: &Console, g: &Globals, cmd: AuthorizersCommand) -> CoreResult<Out> {
    let rt = g.active_profile(console).await?;
    match cmd {
        AuthorizersCommand::Sync {
            details,
            concurrency,
            restart,
            max_calls,
            stale_after,
        } => {
            let options = SyncOptions {
                details,
                concurrency: Some(concurrency),
                restart,
                max_calls,
                stale_after_secs: stale_after,
            };
            sync(console, &rt, options).await
        }
        AuthorizersCommand::List {
            filter,
            limit,
            offset,
        } => {
            let q = AuthorizerQuery {
                limit,
                offset,
                ..query_of(&filter)?
            };
            list(console, &rt, &q)
        }
        AuthorizersCommand::Export(args) => {
            super::authorizers_export::run(console, &rt, args).await
        }
        AuthorizersCommand::Changes(args) => super::authorizers_changes::run(console, &rt, args),
    }
}

/// The query of `authorizers list`'s filters (also `bulk`'s selection).
pub(super) fn query_of(f: &FilterArgs) -> CoreResult<AuthorizerQuery> {
    let status = match f.status.as_deref() {
        None => None,
        Some(s) => Some(Status::parse(s).ok_or_else(|| {
            CoreError::InvalidInput(format!(
                "unknown status {s:?}: authorized, revoked or needs_reauth"
            ))
        })?),
    };
    Ok(AuthorizerQuery {
        query: f.query.clone(),
        kind: f.kind.map(|k| match k {
            KindArg::OfficialAccount => Kind::OfficialAccount,
            KindArg::MiniProgram => Kind::MiniProgram,
        }),
        status,
        ..Default::default()
    })
}

/// A sync with its progress on stderr; Ctrl-C cancels it at a point it can resume from.
async fn sync(console: &Console, rt: &ProfileRt, options: SyncOptions) -> CoreResult<Out> {
    let cancel = CancelToken::new();
    let c2 = cancel.clone();
    tokio::spawn(async move {
        if tokio::signal::ctrl_c().await.is_ok() {
            eprintln!("\ncancelling… (run the same command again to resume)");
            c2.cancel();
        }
    });
    let progress = Arc::new(|p: &SyncProgress| {
        eprintln!("{}", progress_line(p));
    });
    let o = console
        .sync_authorizers(rt, options, Some(progress), cancel)
        .await?;
    let mut text = format!(
        "sync {}: {:?}, {} listed of {}, details {}/{}, {} errors, {} revoked, {} ms{}",
        o.run.id,
        o.run.state,
        o.run.next_offset,
        o.run.total_count.unwrap_or(0),
        o.run.details_done,
        o.run.details_total.unwrap_or(0),
        o.run.errors,
        o.run.revoked,
        o.elapsed_ms,
        if o.resumed { " (resumed)" } else { "" }
    );
    for (when, q) in [("before", &o.quota_before), ("after", &o.quota_after)] {
        if let Some(q) = q {
            text.push_str(&format!("\n{}", quota_line(when, q)));
        }
    }
    if let Some(stop) = &o.stop {
        text.push_str(&format!("\n{}", stop_line(stop)));
    }
    out(&o, text)
}

fn quota_line(when: &str, q: &QuotaReading) -> String {
    format!(
        "quota {when}: {} of {} api_get_authorizer_info calls remain today ({} kept for the backend)",
        q.remain, q.daily_limit, q.reserve
    )
}

/// The stop reason, with the reset in local time (the stored message says Unix seconds).
fn stop_line(stop: &SyncStop) -> String {
    match stop {
        SyncStop::QuotaReserve {
            remain,
            reserve,
            daily_limit,
            resets_at,
        } => format!(
            "stopped: the quota reserve is reached ({remain} of {daily_limit} calls remain, {reserve} kept for the backend). WeChat resets the quota daily at 00:00 Beijing time, next at {}: run the same command after that to resume",
            local_datetime(*resets_at)
        ),
        SyncStop::QuotaSpent { resets_at } => format!(
            "stopped: WeChat answered 45009, today's api_get_authorizer_info quota is spent (by this console or the backend). WeChat resets the quota daily at 00:00 Beijing time, next at {}: run the same command after that to resume",
            local_datetime(*resets_at)
        ),
        SyncStop::MaxCalls { .. } => format!("stopped: {}", stop.message()),
    }
}

fn progress_line(p: &SyncProgress) -> String {
    match p.phase {
        SyncPhase::List => format!(
            "list     {}/{}",
            p.listed,
            p.list_total.map_or("?".into(), |t| t.to_string())
        ),
        SyncPhase::Details | SyncPhase::Finished => format!(
            "details  {}/{}  errors {}{}",
            p.details_done,
            p.details_total.map_or("?".into(), |t| t.to_string()),
            p.errors,
            p.quota_remain
                .map_or(String::new(), |r| format!("  quota left {r}"))
        ),
    }
}

/// One page of the local cache, one account a line.
fn list(console: &Console, rt: &ProfileRt, q: &AuthorizerQuery) -> CoreResult<Out> {
    let page = console.authorizers_search(rt, q)?;
    let mut text = String::new();
    for r in &page.rows {
        text.push_str(&format!(
            "{}  {:<16} {:<12} {:<19}  {}  {}\n",
            r.appid,
            r.kind.map_or("-", |k| k.as_str()),
            r.status.as_str(),
            r.auth_time.map_or_else(|| "-".into(), local_datetime),
            r.nick_name,
            r.principal_name
        ));
    }
    text.push_str(&format!(
        "{} of {} (offset {})",
        page.rows.len(),
        page.total,
        q.offset
    ));
    out(&page, text)
}
