//! `wxopen bulk …`: bulk jobs over the accounts matching `authorizers list`'s filters. A job
//! runs in this process with progress on stderr; with `--json`, one JSON line per account on
//! stdout as it finishes, then the job's line. Ctrl-C pauses it (`wxopen bulk resume JOB`).

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Instant;

use serde::Serialize;

use super::authorizers::query_of;
use crate::args::{BulkCommand, BulkOptionCommand, BulkRunArgs, FilterArgs};
use crate::context::Globals;
use crate::output::{out, Out};
use wxopen_core::error::CoreResult;
use wxopen_core::service::bulk::{BulkParams, BulkRequest};
use wxopen_core::service::bulk_run::{BulkHooks, BulkOutcome, BulkProgress};
use wxopen_core::service::{CancelToken, Console, ProfileRt};
use wxopen_core::store::bulk_jobs::{BulkAction, BulkItemRow, BulkJobRow};

pub async fn run(console: &Console, g: &Globals, cmd: BulkCommand) -> CoreResult<Out> {
    // The pace is the data dir's, whatever the profile.
    if let BulkCommand::Settings {
        concurrency,
        rate_per_minute,
    } = cmd
    {
        return settings(console, concurrency, rate_per_minute);
    }
    let rt = g.active_profile(console).await?;
    let none = BulkParams::default();
    let (action, filter, params, run) = match cmd {
        BulkCommand::Option(BulkOptionCommand::Set {
            name,
            value,
            filter,
            run,
        }) => {
            let p = BulkParams {
                option_name: Some(name),
                option_value: Some(value),
                open_appid: None,
            };
            (BulkAction::OptionSet, filter, p, run)
        }
        BulkCommand::RefreshTokens { filter, run } => {
            (BulkAction::RefreshTokens, filter, none, run)
        }
        BulkCommand::Details { filter, run } => (BulkAction::Details, filter, none, run),
        BulkCommand::RecoverRefreshTokens { filter, run } => {
            (BulkAction::RecoverRefreshTokens, filter, none, run)
        }
        BulkCommand::OpenBind {
            open_appid,
            filter,
            run,
        } => (BulkAction::OpenBind, filter, open(open_appid), run),
        BulkCommand::OpenUnbind {
            open_appid,
            filter,
            run,
        } => (BulkAction::OpenUnbind, filter, open(open_appid), run),
        BulkCommand::Settings { .. } => unreachable!("answered above"),
        BulkCommand::Jobs { limit } => return jobs(console, &rt, limit),
        BulkCommand::Resume { job } => return execute(console, g, &rt, job).await,
        BulkCommand::Pause { job } => {
            let j = console.bulk_pause(&rt, job)?;
            return out(&j, format!("{}\n", job_line(&j)));
        }
        BulkCommand::Cancel { job } => {
            let j = console.bulk_cancel(&rt, job)?;
            return out(&j, format!("{}\n", job_line(&j)));
        }
        BulkCommand::Results { job, csv } => return results(console, g, &rt, job, csv),
    };
    start(console, g, &rt, request(action, &filter, params)?, &run).await
}

fn open(open_appid: String) -> BulkParams {
    BulkParams {
        open_appid: Some(open_appid),
        ..Default::default()
    }
}

fn request(action: BulkAction, f: &FilterArgs, params: BulkParams) -> CoreResult<BulkRequest> {
    Ok(BulkRequest {
        action,
        query: query_of(f)?,
        appids: None,
        params,
    })
}

/// A dry run, or a job created and run here.
async fn start(
    console: &Console,
    g: &Globals,
    rt: &ProfileRt,
    req: BulkRequest,
    run: &BulkRunArgs,
) -> CoreResult<Out> {
    if run.dry_run {
        let plan = console.bulk_plan(rt, &req)?;
        let text = format!(
            "{}: {}\n(dry run: nothing was stored or sent to WeChat)",
            plan.action,
            plan.summary()
        );
        return out(&plan, text);
    }
    let (plan, job) = console.bulk_create(rt, &req, run.yes)?;
    eprintln!("job {}: {} {}", job.id, job.action, plan.summary());
    execute(console, g, rt, job.id).await
}

/// One account's JSON line.
#[derive(Serialize)]
struct ItemLine<'a> {
    job: i64,
    #[serde(flatten)]
    item: &'a BulkItemRow,
    /// The errcode explained (English; `wxopen errcode N` has both languages).
    explanation: Option<String>,
}

fn item_json(job: i64, r: &BulkItemRow) -> String {
    let explanation = r
        .errcode
        .map(|c| wxopen_wechat::errcode::explain(c, r.message.as_deref().unwrap_or("")).en);
    serde_json::to_string(&ItemLine {
        job,
        item: r,
        explanation,
    })
    .unwrap_or_default()
}

/// Runs (or resumes) job `id` here; Ctrl-C pauses it.
async fn execute(console: &Console, g: &Globals, rt: &ProfileRt, id: i64) -> CoreResult<Out> {
    let cancel = CancelToken::new();
    let c2 = cancel.clone();
    tokio::spawn(async move {
        if tokio::signal::ctrl_c().await.is_ok() {
            eprintln!("\npausing… (`wxopen bulk resume {id}` goes on)");
            c2.cancel();
        }
    });
    let json = g.json;
    let item = Arc::new(move |r: &BulkItemRow| {
        if json {
            println!("{}", item_json(id, r));
        }
    });
    // A progress line a second at most (and the last one).
    let started = Instant::now();
    let shown = Arc::new(AtomicU64::new(0));
    let progress = Arc::new(move |p: &BulkProgress| {
        let sec = started.elapsed().as_secs() + 1;
        if shown.swap(sec, Ordering::Relaxed) != sec || p.counts.pending == 0 {
            eprintln!("{}", progress_line(p));
        }
    });
    let o = console
        .bulk_run(
            rt,
            id,
            BulkHooks {
                progress: Some(progress),
                item: Some(item),
            },
            cancel,
        )
        .await?;
    finished(&o)
}

fn progress_line(p: &BulkProgress) -> String {
    format!(
        "bulk     {}/{}  ok {}  skipped {}  failed {}{}{}",
        p.counts.finished(),
        p.total,
        p.counts.ok,
        p.counts.skipped,
        p.counts.failed,
        p.eta_secs
            .map_or(String::new(), |s| format!("  eta {}", eta_text(s))),
        p.quota_remain
            .map_or(String::new(), |r| format!("  quota left {r}"))
    )
}

fn eta_text(secs: u64) -> String {
    match secs {
        0..=59 => format!("{secs}s"),
        60..=3599 => format!("{}m{:02}s", secs / 60, secs % 60),
        _ => format!("{}h{:02}m", secs / 3600, secs % 3600 / 60),
    }
}

/// The job's summary; a job that failed accounts or did not finish exits non-zero.
fn finished(o: &BulkOutcome) -> CoreResult<Out> {
    let mut text = job_line(&o.job);
    if let Some(stop) = &o.stop {
        text.push_str(&format!("\n{}", stop.message()));
    }
    if o.job.counts.failed > 0 {
        text.push_str(&format!(
            "\n`wxopen bulk results {} --csv FILE` lists each account with its errcode explained",
            o.job.id
        ));
    }
    let mut result = out(o, text)?;
    result.failed = o.stop.is_some() || o.job.counts.failed > 0;
    result.json_line = true;
    Ok(result)
}

fn job_line(j: &BulkJobRow) -> String {
    format!(
        "job {}  {}  {}  {} accounts: ok {}, skipped {}, failed {}, pending {}{}",
        j.id,
        j.action,
        j.state,
        j.total,
        j.counts.ok,
        j.counts.skipped,
        j.counts.failed,
        j.counts.pending,
        j.message
            .as_deref()
            .map_or(String::new(), |m| format!(" ({m})"))
    )
}

fn settings(console: &Console, concurrency: Option<usize>, rate: Option<u32>) -> CoreResult<Out> {
    if let Some(n) = concurrency {
        console.set_bulk_concurrency(n)?;
    }
    if let Some(n) = rate {
        console.set_bulk_rate_per_minute(n)?;
    }
    #[derive(Serialize)]
    struct Settings {
        concurrency: usize,
        rate_per_minute: u32,
    }
    let s = Settings {
        concurrency: console.bulk_concurrency()?,
        rate_per_minute: console.bulk_rate_per_minute()?,
    };
    let text = format!(
        "bulk jobs act on {} accounts at once, at most {} calls a minute per endpoint",
        s.concurrency, s.rate_per_minute
    );
    out(&s, text)
}

fn jobs(console: &Console, rt: &ProfileRt, limit: u32) -> CoreResult<Out> {
    let jobs = console.bulk_jobs(rt, limit)?;
    let text: String = jobs.iter().map(|j| format!("{}\n", job_line(j))).collect();
    out(
        &jobs,
        if text.is_empty() {
            "no bulk jobs".into()
        } else {
            text
        },
    )
}

/// A job's result table: to a CSV file, or one line per account (JSON lines with `--json`).
fn results(
    console: &Console,
    g: &Globals,
    rt: &ProfileRt,
    id: i64,
    csv: Option<String>,
) -> CoreResult<Out> {
    let job = console.bulk_job(rt, id)?;
    if let Some(path) = csv {
        let rows = console.bulk_results_csv(rt, id, &path)?;
        #[derive(Serialize)]
        struct Written<'a> {
            job: i64,
            path: &'a str,
            rows: u64,
        }
        return out(
            &Written {
                job: id,
                path: &path,
                rows,
            },
            format!("wrote {rows} results of job {id} to {path}"),
        );
    }
    let mut text = String::new();
    let mut after = -1;
    loop {
        let page = console.bulk_results_page(rt, id, after, 2_000)?;
        let Some(last) = page.last() else { break };
        after = last.seq;
        for r in &page {
            if g.json {
                println!("{}", item_json(id, r));
            } else {
                text.push_str(&format!(
                    "{}  {:<8} {:>6}  {}\n",
                    r.appid,
                    r.state,
                    r.errcode.map_or(String::new(), |c| c.to_string()),
                    r.message.as_deref().unwrap_or("")
                ));
            }
        }
    }
    text.push_str(&job_line(&job));
    let mut result = out(&job, text)?;
    result.json_line = true;
    Ok(result)
}
