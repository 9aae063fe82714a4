//! Authorizer sync: page through `api_get_authorizer_list` (500 a page, each page upserted with
//! the run's progress in one transaction), then optionally fetch `api_get_authorizer_info` for
//! every account with bounded concurrency, retrying transient errors with backoff and jitter.
//!
//! Resumable: a run is a `sync_runs` row. The list phase records `next_offset` with each
//! committed page; the details phase marks each account done (or failed) for the run. Rerunning
//! after a crash or a cancel continues the latest unfinished run without redoing finished pages
//! or accounts. Accounts not seen in a complete list pass are marked `revoked`.
//!
//! The details phase spends the platform's daily quota, which its backend shares: it fetches
//! only missing, stale or marked details and stops at the backend's reserve (`sync_quota`).

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use futures_util::stream::{FuturesUnordered, StreamExt};
use serde::Serialize;
use tokio::sync::mpsc;

use super::cancel::{backoff, CancelToken};
use super::lease;
use super::sync_quota::{next_quota_reset, QuotaReading, SyncStop, QUOTA_CHECK_EVERY};
use super::{now, Console, ProfileRt};
use crate::error::{CoreError, CoreResult};
use crate::store::authorizers::{AuthorizerInfoRecord, ListedAuthorizer};
use crate::store::sync_runs::{LeaseRequest, SyncRunRow, SyncState};
use crate::store::types::{Kind, Permission};
use crate::store::{Store, StoreError};
use wxopen_wechat::client::AUTHORIZER_LIST_MAX_COUNT;
use wxopen_wechat::models::AuthorizerInfoAnswer;

/// What to sync.
#[derive(Debug, Clone, Default, serde::Deserialize, specta::Type)]
pub struct SyncOptions {
    /// Also fetch every account's info.
    #[serde(default)]
    pub details: bool,
    /// Concurrent info calls (default 8).
    pub concurrency: Option<usize>,
    /// Start a new run even when an unfinished one could be resumed (also re-reads every refresh
    /// token: "recover refresh tokens").
    #[serde(default)]
    pub restart: bool,
    /// At most this many `api_get_authorizer_info` calls in this pass (then it stops,
    /// resumable).
    #[serde(default)]
    pub max_calls: Option<u64>,
    /// Refetch details older than this (seconds); `None`: the setting (24 h by default). 0
    /// refetches every account's details.
    #[serde(default)]
    pub stale_after_secs: Option<u64>,
}

/// How the details phase may spend: its limits, fixed when the run starts.
#[derive(Debug, Clone, Copy)]
struct DetailsPlan {
    concurrency: Option<usize>,
    max_calls: Option<u64>,
    /// Details fetched at or before this (Unix seconds) are stale.
    stale_before: i64,
}

/// What the details phase saw and why it stopped short, if it did.
#[derive(Debug, Clone, Default)]
struct DetailsEnd {
    stop: Option<SyncStop>,
    quota_before: Option<QuotaReading>,
    quota_after: Option<QuotaReading>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, specta::Type)]
#[serde(rename_all = "snake_case")]
pub enum SyncPhase {
    List,
    Details,
    Finished,
}

/// A progress event (sent at most every 100 ms, plus at phase changes and at the end).
#[derive(Debug, Clone, Serialize, specta::Type)]
pub struct SyncProgress {
    pub run_id: i64,
    pub phase: SyncPhase,
    /// List entries received so far (this run).
    pub listed: i64,
    /// `total_count` of the list.
    pub list_total: Option<i64>,
    pub details_done: i64,
    pub details_total: Option<i64>,
    pub errors: i64,
    pub revoked: i64,
    pub resumed: bool,
    /// `api_get_authorizer_info` calls left today as last read (details phase), before the
    /// backend's reserve is taken off.
    pub quota_remain: Option<i64>,
}

pub type ProgressFn = Arc<dyn Fn(&SyncProgress) + Send + Sync>;

/// How a sync ended.
#[derive(Debug, Clone, Serialize, specta::Type)]
pub struct SyncOutcome {
    pub run: SyncRunRow,
    pub resumed: bool,
    pub elapsed_ms: u64,
    /// Why the details phase stopped before it was done (the run is then `cancelled` with
    /// this message, and the next sync resumes it).
    pub stop: Option<SyncStop>,
    /// The remaining `api_get_authorizer_info` quota before and after the details phase.
    pub quota_before: Option<QuotaReading>,
    pub quota_after: Option<QuotaReading>,
}

struct Reporter {
    f: Option<ProgressFn>,
    last: std::sync::Mutex<Instant>,
    /// The latest quota reading's `remain`, added to every event from then on.
    quota_remain: std::sync::Mutex<Option<i64>>,
}

impl Reporter {
    fn emit(&self, p: &SyncProgress, force: bool) {
        let Some(f) = &self.f else { return };
        let mut last = self.last.lock().unwrap_or_else(|e| e.into_inner());
        if force || last.elapsed() >= Duration::from_millis(100) {
            *last = Instant::now();
            drop(last);
            let quota_remain = *self.quota_remain.lock().unwrap_or_else(|e| e.into_inner());
            f(&SyncProgress {
                quota_remain,
                ..p.clone()
            });
        }
    }

    fn quota_read(&self, reading: Option<&QuotaReading>) {
        if let Some(r) = reading {
            *self.quota_remain.lock().unwrap_or_else(|e| e.into_inner()) = Some(r.remain);
        }
    }
}

/// api_get_authorizer_info answer → the store's record.
pub(crate) fn info_record(answer: &AuthorizerInfoAnswer, fetched_at: i64) -> AuthorizerInfoRecord {
    let info = &answer.authorizer_info;
    AuthorizerInfoRecord {
        nick_name: info.nick_name.clone(),
        head_img: info.head_img.clone(),
        kind: Some(if info.is_mini_program() {
            Kind::MiniProgram
        } else {
            Kind::OfficialAccount
        }),
        service_type: info.service_type(),
        verify_type: info.verify_type(),
        user_name: info.user_name.clone(),
        principal_name: info.principal_name.clone(),
        alias: info.alias.clone(),
        qrcode_url: info.qrcode_url.clone(),
        auth_time: None,
        raw_info: serde_json::to_string(info).unwrap_or_else(|_| "{}".into()),
        func_info: answer
            .authorization_info
            .func_info
            .iter()
            .map(|f| Permission {
                funcscope_id: f.funcscope_category.id,
                need_confirm: f.confirm_info.as_ref().map(|c| c.need_confirm),
                already_confirm: f.confirm_info.as_ref().map(|c| c.already_confirm),
                can_confirm: f.confirm_info.as_ref().map(|c| c.can_confirm),
            })
            .collect(),
        refresh_token: answer.authorization_info.authorizer_refresh_token.clone(),
        fetched_at,
    }
}

/// How long the details writer waits to fill a batch once it has a first result (see
/// [`write_batch_for`]): bounds what a crash loses (refetched on resume) and how often the
/// progress bar moves. At 20 ms from WeChat 8 lanes bring about 390 answers a second: 100 ms
/// made commits of ~40 rows, each rewriting the pages of four indexes touched at random, which
/// cost the client more CPU than the HTTP calls (measured against `wxopen sandbox serve` in its
/// own process); a second makes them ten times fuller.
const WRITE_LINGER: Duration = Duration::from_millis(1000);

/// `reach max api daily quota limit`.
const QUOTA_SPENT_ERRCODE: i64 = 45009;

/// The gap between the start of two details lanes (see `sync_details`).
const LANE_STAGGER: Duration = Duration::from_millis(1);

/// Details results saved per transaction (at most) in a run of `total` accounts: an eighth of
/// the run, between 256 and 2,048, in one transaction. A commit rewrites every page its rows
/// touched, and the search indexes' pages are touched at random, so the cost per account falls
/// steeply with the batch size; the eighth bounds what a crash can lose of a small run.
pub fn write_batch_for(total: usize) -> usize {
    (total / 8).clamp(256, 2048)
}

/// Answers the details lanes may queue for the writer while it commits a batch.
pub fn details_queue_for(lanes: usize) -> usize {
    lanes * 64
}

enum Done {
    Ok(String, Box<AuthorizerInfoAnswer>),
    Failed(String, String),
}

/// The producer's running budget of info calls (see `Console::produce_details_work`).
struct CallBudget {
    /// Appids handed to the lanes so far (one info call each, retries aside).
    sent: u64,
    max_calls: Option<u64>,
    /// The quota allows sending while `sent` is below this; `None`: no quota reading.
    quota_allows: Option<u64>,
    next_check: u64,
    last: Option<QuotaReading>,
    /// `sent` when `last` was read.
    sent_at_reading: u64,
}

impl CallBudget {
    fn new(max_calls: Option<u64>, reading: Option<QuotaReading>) -> Self {
        CallBudget {
            sent: 0,
            max_calls,
            quota_allows: reading.as_ref().map(|r| r.spendable() as u64),
            next_check: QUOTA_CHECK_EVERY,
            last: reading,
            sent_at_reading: 0,
        }
    }

    /// A fresh reading taken with `uncounted` calls sent but possibly not yet counted by
    /// WeChat (queued or in flight): they will be, so they come off what it allows.
    fn reread(&mut self, reading: Option<QuotaReading>, uncounted: u64) {
        self.next_check = self.sent + QUOTA_CHECK_EVERY;
        if let Some(r) = &reading {
            let more = (r.spendable() as u64).saturating_sub(uncounted);
            self.quota_allows = Some(self.sent + more);
            self.last = reading;
            self.sent_at_reading = self.sent;
        }
    }

    /// Why no further call may be sent, if so.
    fn stop(&self) -> Option<SyncStop> {
        if let Some(max_calls) = self.max_calls.filter(|m| self.sent >= *m) {
            return Some(SyncStop::MaxCalls { max_calls });
        }
        match (self.quota_allows, &self.last) {
            (Some(allows), Some(r)) if self.sent >= allows => Some(SyncStop::QuotaReserve {
                // What is left once the calls sent since the reading are counted.
                remain: r.remain - (self.sent - self.sent_at_reading) as i64,
                reserve: r.reserve,
                daily_limit: r.daily_limit,
                resets_at: r.resets_at,
            }),
            _ => None,
        }
    }
}

impl Console {
    /// Retries `call` on transient errors (-1, 5xx, timeouts, connection failures) with
    /// exponential backoff and jitter, at most `retry_attempts` attempts in all.
    pub(crate) async fn retry_transient<T, F, Fut>(
        &self,
        cancel: &CancelToken,
        call: F,
    ) -> CoreResult<T>
    where
        F: Fn() -> Fut,
        Fut: std::future::Future<Output = CoreResult<T>>,
    {
        let attempts = self.options.retry_attempts.max(1);
        let mut attempt = 0;
        loop {
            match call().await {
                Err(CoreError::WeChat(e)) if e.is_retryable() && attempt + 1 < attempts => {
                    let wait = backoff(attempt, self.options.retry_base_ms, 10_000);
                    attempt += 1;
                    tokio::select! {
                        _ = tokio::time::sleep(wait) => {}
                        _ = cancel.cancelled() => return Err(CoreError::Cancelled),
                    }
                }
                other => return other,
            }
        }
    }

    /// One page of `api_get_authorizer_list` from `offset`, retried on transient errors.
    async fn list_page(
        &self,
        rt: &ProfileRt,
        offset: i64,
        cancel: &CancelToken,
    ) -> CoreResult<wxopen_wechat::models::AuthorizerList> {
        self.retry_transient(cancel, || {
            // Borrows the profile's client (no per-call clone of its config).
            self.with_component_token(rt, move |ct| async move {
                rt.client
                    .authorizer_list(&ct, rt.appid(), offset as u32, AUTHORIZER_LIST_MAX_COUNT)
                    .await
            })
        })
        .await
    }

    /// This console's lease request, as of now.
    fn lease(&self) -> LeaseRequest<'_> {
        LeaseRequest {
            owner: &self.owner,
            now: now(),
            ttl_secs: self.options.sync_lease_secs.max(1),
        }
    }

    /// Renews the lease of run `run_id` until it is lost (then returns why); never returns
    /// while it holds.
    async fn keep_lease(&self, run_id: i64) -> CoreError {
        let every = lease::heartbeat_every(self.options.sync_lease_secs.max(1));
        loop {
            tokio::time::sleep(every).await;
            let (store, owner, ttl) = (
                self.store.clone(),
                self.owner.clone(),
                self.options.sync_lease_secs.max(1),
            );
            let beat = on_blocking_thread("sync lease heartbeat", move || {
                let lease = LeaseRequest {
                    owner: &owner,
                    now: now(),
                    ttl_secs: ttl,
                };
                Ok(store.sync_run_heartbeat(run_id, lease)?)
            })
            .await;
            match beat {
                Ok(()) => {}
                Err(e @ CoreError::Storage(StoreError::LeaseLost { .. })) => return e,
                // A busy database or a full disk: the next beat tries again (the lease has
                // two more beats of slack).
                Err(e) => tracing::warn!(run = run_id, "cannot renew the sync lease: {e}"),
            }
        }
    }

    /// The profile's latest sync run, if any.
    pub fn sync_latest(&self, rt: &ProfileRt) -> CoreResult<Option<SyncRunRow>> {
        Ok(self.store.sync_run_latest(rt.id())?)
    }

    /// Syncs the authorizer list (and details). Returns when done, failed or cancelled (the run
    /// row says which); a cancelled or failed run is resumed by the next call.
    pub async fn sync_authorizers(
        &self,
        rt: &ProfileRt,
        opts: SyncOptions,
        progress: Option<ProgressFn>,
        cancel: CancelToken,
    ) -> CoreResult<SyncOutcome> {
        let started = Instant::now();
        // Refused without waiting for the write lock, which the owner may hold for a commit.
        self.store
            .sync_run_check_lease(rt.id(), self.lease(), &lease::owner_gone)
            .map_err(CoreError::from_store)?;
        let claimed = self
            .store
            .sync_run_claim(
                rt.id(),
                opts.details,
                opts.restart,
                self.lease(),
                &lease::owner_gone,
            )
            .map_err(CoreError::from_store)?;
        if let Some(gone) = &claimed.took_over {
            tracing::warn!(
                run = claimed.run.id,
                "took over the sync run of {gone}: it died or went silent past its lease"
            );
        }
        let (mut run, resumed) = (claimed.run, claimed.resumed);
        let with_details = opts.details || run.with_details;
        let reporter = Reporter {
            f: progress,
            last: std::sync::Mutex::new(Instant::now()),
            quota_remain: std::sync::Mutex::new(None),
        };
        let run_id = run.id;
        let stale_after = match opts.stale_after_secs {
            Some(s) => s,
            None => self.details_stale_after_secs()?,
        };
        let plan = DetailsPlan {
            concurrency: opts.concurrency,
            max_calls: opts.max_calls,
            stale_before: now().saturating_sub(i64::try_from(stale_after).unwrap_or(i64::MAX)),
        };
        // The lease is renewed while the run goes on; losing it (this process was silent past
        // its expiry and another took the run over) stops the run here.
        let result = tokio::select! {
            r = self.sync_run(
                rt,
                &mut run,
                with_details,
                plan,
                resumed,
                &reporter,
                &cancel,
            ) => r,
            lost = self.keep_lease(run_id) => Err(lost),
        };
        let finish = |state, msg: Option<&str>| {
            self.store
                .sync_run_finish_owned(run_id, &self.owner, state, msg)
        };
        let mut end = DetailsEnd::default();
        let final_row = match result {
            Ok(e) => {
                end = e;
                match &end.stop {
                    None => finish(SyncState::Done, None)?,
                    // Ended short but resumable: the next sync continues this run.
                    Some(stop) => finish(SyncState::Cancelled, Some(&stop.message()))?,
                }
            }
            Err(CoreError::Cancelled) => finish(SyncState::Cancelled, Some("cancelled"))?,
            Err(e) => {
                let msg = e.to_string();
                // (a lost lease is the new owner's run to finish)
                if !matches!(e, CoreError::Storage(StoreError::LeaseLost { .. })) {
                    finish(SyncState::Failed, Some(&msg))?;
                }
                self.release_page_cache();
                return Err(e);
            }
        };
        reporter.emit(&progress_of(&final_row, SyncPhase::Finished, resumed), true);
        self.flush();
        // A sync fills the write connection's 32 MiB cache; an idle app needs none of it.
        self.release_page_cache();
        Ok(SyncOutcome {
            run: final_row,
            resumed,
            elapsed_ms: started.elapsed().as_millis() as u64,
            stop: end.stop,
            quota_before: end.quota_before,
            quota_after: end.quota_after,
        })
    }

    #[allow(clippy::too_many_arguments)]
    async fn sync_run(
        &self,
        rt: &ProfileRt,
        run: &mut SyncRunRow,
        with_details: bool,
        plan: DetailsPlan,
        resumed: bool,
        reporter: &Reporter,
        cancel: &CancelToken,
    ) -> CoreResult<DetailsEnd> {
        if !run.list_done {
            let mut offset = run.next_offset;
            let mut page = self.list_page(rt, offset, cancel).await?;
            loop {
                if cancel.is_cancelled() {
                    return Err(CoreError::Cancelled);
                }
                let items: Vec<ListedAuthorizer> = page
                    .list
                    .into_iter()
                    .map(|i| ListedAuthorizer {
                        appid: i.authorizer_appid,
                        refresh_token: i.refresh_token,
                        auth_time: i.auth_time,
                    })
                    .collect();
                let total = page.total_count;
                let next = offset + items.len() as i64;
                let last = items.is_empty() || next >= total;
                let store = self.store.clone();
                let (profile_id, run_id) = (rt.id(), run.id);
                let write = on_blocking_thread("list page writer", move || {
                    Ok(store.record_list_page(profile_id, run_id, &items, total, next)?)
                });
                // The next page is asked for while this one is written (a page of 500 new
                // accounts takes about as long to write as a round trip): the list phase costs
                // one round trip a page, not a round trip plus a write. Only this page is
                // committed before the next is looked at, so a crash or cancel still resumes at
                // the first page not written.
                let following = if last {
                    write.await?;
                    None
                } else {
                    let (written, following) =
                        tokio::join!(write, self.list_page(rt, next, cancel));
                    written?;
                    Some(following)
                };
                run.next_offset = next;
                run.total_count = Some(total);
                // Every committed page is reported (pages are coarse: 500 accounts): a caller
                // that cancels at a page boundary sees each boundary, whatever the timing.
                reporter.emit(&progress_of(run, SyncPhase::List, resumed), true);
                match following {
                    None => break,
                    Some(p) => page = p?,
                }
                offset = next;
            }
            self.store.sync_run_list_done(run.id)?;
            run.revoked = self.store.mark_unseen_revoked(rt.id(), run.id)? as i64;
            run.list_done = true;
            reporter.emit(&progress_of(run, SyncPhase::List, resumed), true);
        }
        if !with_details {
            return Ok(DetailsEnd::default());
        }
        self.sync_details(rt, run, plan, resumed, reporter, cancel)
            .await
    }

    /// The details phase: a producer reads the accounts still to fetch, `lanes` lanes call
    /// `api_get_authorizer_info`, one writer saves the answers in batches. All three run on
    /// this task (no spawn: on the CLI's one-thread runtime a hop between tasks costs wake-ups).
    async fn sync_details(
        &self,
        rt: &ProfileRt,
        run: &mut SyncRunRow,
        plan: DetailsPlan,
        resumed: bool,
        reporter: &Reporter,
        cancel: &CancelToken,
    ) -> CoreResult<DetailsEnd> {
        let remaining =
            self.store
                .count_needing_details(rt.id(), run.id, plan.stale_before)? as i64;
        let total = run.details_done + remaining;
        self.store.sync_run_set_details_total(run.id, total)?;
        run.details_total = Some(total);
        // Read before anything is spent, even with nothing to fetch: the caller shows it.
        let quota_before = self.read_details_quota(rt, cancel).await?;
        reporter.quota_read(quota_before.as_ref());
        reporter.emit(&progress_of(run, SyncPhase::Details, resumed), true);
        if remaining == 0 {
            return Ok(DetailsEnd {
                quota_after: quota_before.clone(),
                quota_before,
                stop: None,
            });
        }
        let lanes = plan
            .concurrency
            .unwrap_or(self.options.sync_concurrency)
            .clamp(1, 64);
        let (work_tx, work_rx) = async_channel::bounded(lanes * 4);
        let (done_tx, done_rx) = mpsc::channel::<Done>(details_queue_for(lanes));
        let budget = CallBudget::new(plan.max_calls, quota_before.clone());
        // Set by a lane that got 45009: the quota is gone (the backend spent it faster than
        // the readings said), so nothing more is sent, rather than a 45009 per account.
        let spent = AtomicBool::new(false);
        let producer = self.produce_details_work(
            rt, run.id, plan, budget, lanes, work_tx, reporter, &spent, cancel,
        );
        // Polled as they wake, not all at every wake-up (`join_all` of fewer than 30 futures
        // polls each one whenever any is woken: with answers arriving one by one, every answer
        // cost a poll of all 8 lanes' pending requests).
        let lanes: FuturesUnordered<_> = (0..lanes)
            .map(|lane| {
                self.details_lane(rt, lane, work_rx.clone(), done_tx.clone(), &spent, cancel)
            })
            .collect();
        let lanes = lanes.for_each(|()| std::future::ready(()));
        drop((done_tx, work_rx));
        let writer = DetailsWriter {
            store: self.store.clone(),
            profile_id: rt.id(),
            run: &*run,
            total,
            resumed,
            batch: write_batch_for(remaining as usize),
        };
        let (produced, _, written) = tokio::join!(producer, lanes, writer.run(done_rx, reporter));
        let (done, errors) = written?;
        // A 45009 on the last accounts, with nothing more to send, still ends the run short.
        let stop = produced?.or_else(|| {
            spent.load(Ordering::Relaxed).then(|| SyncStop::QuotaSpent {
                resets_at: next_quota_reset(now()),
            })
        });
        run.details_done = done;
        run.errors = errors;
        if cancel.is_cancelled() {
            return Err(CoreError::Cancelled);
        }
        let quota_after = self.read_details_quota(rt, cancel).await?;
        reporter.quota_read(quota_after.as_ref());
        Ok(DetailsEnd {
            stop,
            quota_before,
            quota_after,
        })
    }

    /// Feeds the lanes: the appids still needing details, read from the store by cursor in
    /// row order (see `Store::needing_details_after`), while the budget allows: at most
    /// `max_calls`, and never into the backend's reserve (the quota is read again every
    /// `QUOTA_CHECK_EVERY` calls). Ends when all are queued (`None`), the budget is spent (why),
    /// the lanes are gone or the sync is cancelled.
    #[allow(clippy::too_many_arguments)]
    async fn produce_details_work(
        &self,
        rt: &ProfileRt,
        run_id: i64,
        plan: DetailsPlan,
        mut budget: CallBudget,
        lanes: usize,
        work: async_channel::Sender<String>,
        reporter: &Reporter,
        spent: &AtomicBool,
        cancel: &CancelToken,
    ) -> CoreResult<Option<SyncStop>> {
        let mut after = 0;
        while !cancel.is_cancelled() {
            let batch = self.store.needing_details_after(
                rt.id(),
                run_id,
                plan.stale_before,
                after,
                1000,
            )?;
            let Some(&(last, _)) = batch.last() else {
                break;
            };
            after = last;
            for (_, appid) in batch {
                if budget.last.is_some() && budget.sent >= budget.next_check {
                    let reading = self.read_details_quota(rt, cancel).await?;
                    reporter.quota_read(reading.as_ref());
                    budget.reread(reading, (work.len() + lanes) as u64);
                }
                if spent.load(Ordering::Relaxed) {
                    return Ok(Some(SyncStop::QuotaSpent {
                        resets_at: next_quota_reset(now()),
                    }));
                }
                if let Some(stop) = budget.stop() {
                    return Ok(Some(stop));
                }
                if work.send(appid).await.is_err() {
                    return Ok(None);
                }
                budget.sent += 1;
            }
        }
        Ok(None)
    }

    /// One lane: takes appids off the queue, fetches each one's info (retrying transient
    /// errors) and hands the answer, or the failure, to the writer. Once the quota is spent
    /// (45009, here or in another lane) it only empties the queue: those accounts stay to do,
    /// for the run's resumption.
    async fn details_lane(
        &self,
        rt: &ProfileRt,
        lane: usize,
        work: async_channel::Receiver<String>,
        done: mpsc::Sender<Done>,
        spent: &AtomicBool,
        cancel: &CancelToken,
    ) {
        // Lanes start LANE_STAGGER apart. Started together, they would stay in step (same
        // latency each round) and all want the CPU at the same instant to handle their answers,
        // so every round would wait for the slowest of 8 queued answers; apart, each lane's
        // answer is handled while the others wait for theirs.
        if lane > 0 {
            tokio::select! {
                _ = tokio::time::sleep(LANE_STAGGER * lane as u32) => {}
                _ = cancel.cancelled() => return,
            }
        }
        while let Ok(appid) = work.recv().await {
            if cancel.is_cancelled() {
                break;
            }
            if spent.load(Ordering::Relaxed) {
                continue;
            }
            let r = self
                .retry_transient(cancel, || {
                    // Borrows the client and the appid: no per-call clones.
                    let appid = appid.as_str();
                    self.with_component_token(rt, move |ct| async move {
                        rt.client.authorizer_info(&ct, rt.appid(), appid).await
                    })
                })
                .await;
            let msg = match r {
                Ok(a) => Done::Ok(appid, Box::new(a)),
                Err(CoreError::Cancelled) => break,
                Err(CoreError::WeChat(e)) if e.errcode() == Some(QUOTA_SPENT_ERRCODE) => {
                    spent.store(true, Ordering::Relaxed);
                    continue;
                }
                Err(e) => Done::Failed(appid, e.to_string()),
            };
            if done.send(msg).await.is_err() {
                break;
            }
        }
    }
}

/// Saves the lanes' results on a blocking thread, a batch per transaction, and reports progress.
struct DetailsWriter<'a> {
    store: Store,
    profile_id: i64,
    run: &'a SyncRunRow,
    total: i64,
    resumed: bool,
    /// Results per transaction (see [`write_batch_for`]).
    batch: usize,
}

impl DetailsWriter<'_> {
    /// Returns the run's details done and errors once every lane has finished.
    async fn run(
        self,
        mut results: mpsc::Receiver<Done>,
        reporter: &Reporter,
    ) -> CoreResult<(i64, i64)> {
        let (mut done, mut errors) = (self.run.details_done, self.run.errors);
        let mut buf: Vec<Done> = Vec::with_capacity(self.batch);
        loop {
            if results.recv_many(&mut buf, self.batch).await == 0 {
                break;
            }
            // Gather a fuller batch for up to WRITE_LINGER (see write_batch_for).
            let deadline = tokio::time::Instant::now() + WRITE_LINGER;
            while buf.len() < self.batch {
                let want = self.batch - buf.len();
                match tokio::time::timeout_at(deadline, results.recv_many(&mut buf, want)).await {
                    Ok(0) | Err(_) => break,
                    Ok(_) => {}
                }
            }
            let batch = std::mem::take(&mut buf);
            let (store, profile_id, run_id) = (self.store.clone(), self.profile_id, self.run.id);
            let (ok, failed) = on_blocking_thread("details writer", move || {
                save_details_batch(&store, profile_id, run_id, batch)
            })
            .await?;
            done += ok + failed;
            errors += failed;
            let p = SyncProgress {
                run_id: self.run.id,
                phase: SyncPhase::Details,
                listed: self.run.next_offset,
                list_total: self.run.total_count,
                details_done: done,
                details_total: Some(self.total),
                errors,
                revoked: self.run.revoked,
                resumed: self.resumed,
                quota_remain: None,
            };
            reporter.emit(&p, false);
        }
        Ok((done, errors))
    }
}

/// One batch of results in one transaction: the answers saved, the failures marked, the run's
/// counters moved on. Returns (saved, failed).
fn save_details_batch(
    store: &Store,
    profile_id: i64,
    run_id: i64,
    batch: Vec<Done>,
) -> CoreResult<(i64, i64)> {
    let t = now();
    let (mut failed, mut last) = (0i64, None);
    let mut infos = Vec::with_capacity(batch.len());
    for d in batch {
        match d {
            Done::Ok(appid, answer) => infos.push((appid, info_record(&answer, t))),
            Done::Failed(appid, err) => {
                store.mark_details_failed(profile_id, &appid, Some(run_id), &err)?;
                failed += 1;
                last = Some(err);
            }
        }
    }
    store.save_authorizer_infos(profile_id, Some(run_id), &infos)?;
    let ok = infos.len() as i64;
    store.sync_run_add_details(run_id, ok + failed, failed, last.as_deref())?;
    Ok((ok, failed))
}

/// Runs store work on the blocking pool (SQLite calls block), as `what` in an error.
async fn on_blocking_thread<T: Send + 'static>(
    what: &'static str,
    f: impl FnOnce() -> CoreResult<T> + Send + 'static,
) -> CoreResult<T> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| CoreError::Internal(format!("{what}: {e}")))?
}

fn progress_of(run: &SyncRunRow, phase: SyncPhase, resumed: bool) -> SyncProgress {
    SyncProgress {
        run_id: run.id,
        phase,
        listed: run.next_offset,
        list_total: run.total_count,
        details_done: run.details_done,
        details_total: run.details_total,
        errors: run.errors,
        revoked: run.revoked,
        resumed,
        quota_remain: None,
    }
}
