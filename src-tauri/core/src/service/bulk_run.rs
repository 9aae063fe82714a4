//! Running a bulk job ([`super::bulk`]): its pending accounts, a chunk at a time, with bounded
//! concurrency (a setting, 4) and a per-minute rate per endpoint (a setting, 600), each result
//! committed as it arrives. Every WeChat call goes through the token seam
//! (`with_component_token` / `with_authorizer_token`), so a shared (team-mode) profile works.
//!
//! The job spends the platform's daily quota of its endpoint, which the backend shares: like a
//! details sync (`sync_quota`), it reads `openapi/quota/get` before it starts and every
//! [`QUOTA_CHECK_EVERY`] calls, and pauses while the backend's reserve remains, or on 45009,
//! with the reset time. A job paused (Ctrl-C, the window's Pause, the quota), or whose process
//! died, resumes its pending accounts; one cancelled stays as it is.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

use futures_util::stream::{self, StreamExt};
use serde::Serialize;

use super::bulk::BulkParams;
use super::cancel::CancelToken;
use super::lease;
use super::sync_quota::{next_quota_reset, QuotaReading, QUOTA_CHECK_EVERY};
use super::{now, Console, ProfileRt};
use crate::error::{CoreError, CoreResult};
use crate::store::bulk_jobs::{
    BulkAction, BulkCounts, BulkItemRow, BulkItemState, BulkJobRow, BulkJobState, ClaimRefusal,
};
use crate::store::profiles::OptionApi;
use wxopen_wechat::client::paths;

/// Pending accounts read from the store at a time.
const CHUNK: u32 = 256;
/// `reach max api daily quota limit`.
const QUOTA_SPENT_ERRCODE: i64 = 45009;

/// Why a run stopped before its job was done.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum BulkStop {
    /// The endpoint's remaining daily quota fell to the backend's reserve.
    QuotaReserve {
        endpoint: String,
        remain: i64,
        reserve: i64,
        daily_limit: i64,
        resets_at: i64,
    },
    /// WeChat answered 45009: the endpoint's quota for today is spent.
    QuotaSpent { endpoint: String, resets_at: i64 },
    /// Paused here (Ctrl-C, the window's Pause).
    Paused,
    /// Someone paused or cancelled it from elsewhere (another process, the window).
    Elsewhere { state: BulkJobState },
}

impl BulkStop {
    /// The job's message.
    pub fn message(&self) -> String {
        match self {
            BulkStop::QuotaReserve {
                endpoint,
                remain,
                reserve,
                daily_limit,
                resets_at,
            } => format!(
                "paused to keep the backend's quota reserve: {remain} of {daily_limit} {endpoint} calls remain today and {reserve} are kept for the backend; WeChat resets the quota daily at 00:00 Beijing time (next at {}): resume the job after that",
                lease::utc_text(*resets_at)
            ),
            BulkStop::QuotaSpent { endpoint, resets_at } => format!(
                "paused: WeChat answered 45009, today's {endpoint} quota is spent (by this console or the backend); WeChat resets it daily at 00:00 Beijing time (next at {}): resume the job after that",
                lease::utc_text(*resets_at)
            ),
            BulkStop::Paused => "paused: resume the job to go on".into(),
            BulkStop::Elsewhere { state } => format!("{state} elsewhere"),
        }
    }
}

/// Where a job stands (sent after every account).
#[derive(Debug, Clone, Serialize, specta::Type)]
pub struct BulkProgress {
    pub job_id: i64,
    pub total: u64,
    pub counts: BulkCounts,
    /// Accounts finished by this run.
    pub done_this_run: u64,
    pub elapsed_ms: u64,
    /// Seconds left at this run's pace (`None` before the first account).
    pub eta_secs: Option<u64>,
    /// The endpoint's remaining daily quota as last read.
    pub quota_remain: Option<i64>,
}

pub type BulkProgressFn = Arc<dyn Fn(&BulkProgress) + Send + Sync>;
pub type BulkItemFn = Arc<dyn Fn(&BulkItemRow) + Send + Sync>;

/// Who hears about a run: progress, and each account's result.
#[derive(Clone, Default)]
pub struct BulkHooks {
    pub progress: Option<BulkProgressFn>,
    pub item: Option<BulkItemFn>,
}

/// How a run ended.
#[derive(Debug, Clone, Serialize, specta::Type)]
pub struct BulkOutcome {
    pub job: BulkJobRow,
    pub stop: Option<BulkStop>,
    pub elapsed_ms: u64,
}

/// The endpoint an action calls once per account, and whether its quota is the platform's
/// (component-token calls) rather than each authorizer's own.
pub fn endpoint_of(option_api: OptionApi, action: BulkAction) -> (&'static str, bool) {
    match action {
        BulkAction::OptionSet if option_api == OptionApi::V2 => {
            (paths::SET_AUTHORIZER_OPTION, false)
        }
        BulkAction::OptionSet => (paths::API_SET_AUTHORIZER_OPTION, true),
        BulkAction::RefreshTokens => (paths::API_AUTHORIZER_TOKEN, true),
        BulkAction::Details => (paths::API_GET_AUTHORIZER_INFO, true),
        BulkAction::RecoverRefreshTokens => (paths::API_GET_AUTHORIZER_LIST, true),
        BulkAction::OpenBind => (paths::OPEN_BIND, false),
        BulkAction::OpenUnbind => (paths::OPEN_UNBIND, false),
    }
}

/// Spaces the calls to one endpoint of one profile: at most `per_minute` a minute, shared by
/// every job of this process.
struct RateGate {
    next: Mutex<Instant>,
}

/// The gates of this process, by profile and endpoint.
type Gates = Mutex<HashMap<(i64, &'static str), Arc<RateGate>>>;

fn gate(profile_id: i64, endpoint: &'static str) -> Arc<RateGate> {
    static GATES: OnceLock<Gates> = OnceLock::new();
    let mut gates = GATES
        .get_or_init(Default::default)
        .lock()
        .unwrap_or_else(|e| e.into_inner());
    gates
        .entry((profile_id, endpoint))
        .or_insert_with(|| {
            Arc::new(RateGate {
                next: Mutex::new(Instant::now()),
            })
        })
        .clone()
}

impl RateGate {
    /// Takes the next slot at or after `now`: slots are `60 s / per_minute` apart.
    fn slot(&self, per_minute: u32, now: Instant) -> Instant {
        let interval = Duration::from_secs(60) / per_minute.max(1);
        let mut next = self.next.lock().unwrap_or_else(|e| e.into_inner());
        let at = (*next).max(now);
        *next = at + interval;
        at
    }

    /// Waits for this call's slot.
    async fn wait(&self, per_minute: u32) {
        let at = self.slot(per_minute, Instant::now());
        tokio::time::sleep_until(at.into()).await;
    }
}

/// The run's budget of calls to a component-quota endpoint.
struct Budget {
    endpoint: &'static str,
    sent: u64,
    /// Sending is allowed while `sent` is below this (`None`: no quota reading).
    allows: Option<u64>,
    last: Option<QuotaReading>,
    sent_at_reading: u64,
}

impl Budget {
    fn reread(&mut self, reading: Option<QuotaReading>) {
        if let Some(r) = &reading {
            self.allows = Some(self.sent + r.spendable() as u64);
            self.last = reading;
            self.sent_at_reading = self.sent;
        }
    }

    /// Takes one call, or says why none may be made.
    fn take(&mut self) -> Result<(), BulkStop> {
        if let (Some(allows), Some(r)) = (self.allows, &self.last) {
            if self.sent >= allows {
                return Err(BulkStop::QuotaReserve {
                    endpoint: self.endpoint.to_string(),
                    remain: r.remain - (self.sent - self.sent_at_reading) as i64,
                    reserve: r.reserve,
                    daily_limit: r.daily_limit,
                    resets_at: r.resets_at,
                });
            }
        }
        self.sent += 1;
        Ok(())
    }
}

/// What the accounts of one chunk share while they run at once.
struct RunState {
    job: BulkJobRow,
    params: BulkParams,
    endpoint: &'static str,
    per_minute: u32,
    gate: Arc<RateGate>,
    budget: Mutex<Budget>,
    stop: Mutex<Option<BulkStop>>,
    counts: Mutex<BulkCounts>,
    done_this_run: Mutex<u64>,
    started: Instant,
}

impl RunState {
    fn stopped(&self) -> bool {
        self.stop
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .is_some()
    }

    fn stop_with(&self, s: BulkStop) {
        self.stop
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get_or_insert(s);
    }

    fn record(&self, state: BulkItemState) -> BulkProgress {
        let mut c = self.counts.lock().unwrap_or_else(|e| e.into_inner());
        c.pending = c.pending.saturating_sub(1);
        match state {
            BulkItemState::Ok => c.ok += 1,
            BulkItemState::Skipped => c.skipped += 1,
            BulkItemState::Failed => c.failed += 1,
            BulkItemState::Pending => {}
        }
        let mut done = self.done_this_run.lock().unwrap_or_else(|e| e.into_inner());
        *done += 1;
        let elapsed = self.started.elapsed();
        let per = elapsed.as_secs_f64() / *done as f64;
        let quota_remain = {
            let b = self.budget.lock().unwrap_or_else(|e| e.into_inner());
            b.last
                .as_ref()
                .map(|r| r.remain - (b.sent - b.sent_at_reading) as i64)
        };
        BulkProgress {
            job_id: self.job.id,
            total: self.job.total,
            counts: *c,
            done_this_run: *done,
            elapsed_ms: elapsed.as_millis() as u64,
            eta_secs: Some((per * c.pending as f64).ceil() as u64),
            quota_remain,
        }
    }
}

impl Console {
    /// Pauses job `id` (a runner elsewhere stops after its current accounts; resume it with
    /// [`Console::bulk_run`]).
    pub fn bulk_pause(&self, rt: &ProfileRt, id: i64) -> CoreResult<BulkJobRow> {
        let job = self.bulk_job(rt, id)?;
        if matches!(job.state, BulkJobState::Done | BulkJobState::Cancelled) {
            return Err(CoreError::Refused(format!(
                "bulk job {id} is {}: there is nothing to pause",
                job.state
            )));
        }
        self.store
            .bulk_job_set_state(id, BulkJobState::Paused, Some("paused"), None, now())?;
        self.bulk_job(rt, id)
    }

    /// Cancels job `id`: its pending accounts are never acted on (a runner elsewhere stops
    /// after its current accounts). What was done stays done.
    pub fn bulk_cancel(&self, rt: &ProfileRt, id: i64) -> CoreResult<BulkJobRow> {
        let job = self.bulk_job(rt, id)?;
        if job.state == BulkJobState::Done {
            return Err(CoreError::Refused(format!(
                "bulk job {id} is done: there is nothing to cancel"
            )));
        }
        self.store.bulk_job_set_state(
            id,
            BulkJobState::Cancelled,
            Some("cancelled"),
            None,
            now(),
        )?;
        self.bulk_job(rt, id)
    }

    /// Runs (or resumes) job `id` until it is done, paused or cancelled. `cancel` pauses it.
    pub async fn bulk_run(
        &self,
        rt: &ProfileRt,
        id: i64,
        hooks: BulkHooks,
        cancel: CancelToken,
    ) -> CoreResult<BulkOutcome> {
        let started = Instant::now();
        self.bulk_job(rt, id)?;
        let stale = self.options.sync_lease_secs.max(1);
        let job =
            match self
                .store
                .bulk_job_claim(id, &self.owner, now(), stale, &lease::owner_gone)?
            {
                Ok(job) => job,
                Err(ClaimRefusal::Finished(state)) => {
                    return Err(CoreError::Refused(format!(
                        "bulk job {id} is {state}: nothing is left to run"
                    )))
                }
                Err(ClaimRefusal::Running { owner }) => {
                    return Err(CoreError::Refused(format!(
                    "bulk job {id} is running in {owner}: pause or cancel it there, or wait for it"
                )))
                }
            };
        let params: BulkParams = serde_json::from_str(&job.params).map_err(|e| {
            CoreError::Internal(format!("bulk job {id} has unreadable parameters: {e}"))
        })?;
        let result = match job.action {
            BulkAction::RecoverRefreshTokens => self.bulk_recover(rt, &job, &hooks, &cancel).await,
            _ => self.bulk_calls(rt, job, params, &hooks, &cancel).await,
        };
        let stop = match result {
            Ok(stop) => stop,
            Err(e) => {
                let msg = format!("paused after an error: {e}");
                self.store.bulk_job_set_state(
                    id,
                    BulkJobState::Paused,
                    Some(&msg),
                    Some(&self.owner),
                    now(),
                )?;
                self.flush();
                return Err(e);
            }
        };
        let (state, msg) = match &stop {
            None => (BulkJobState::Done, None),
            Some(s) => (BulkJobState::Paused, Some(s.message())),
        };
        if !matches!(stop, Some(BulkStop::Elsewhere { .. })) {
            self.store
                .bulk_job_set_state(id, state, msg.as_deref(), Some(&self.owner), now())?;
        }
        self.flush();
        Ok(BulkOutcome {
            job: self.bulk_job(rt, id)?,
            stop,
            elapsed_ms: started.elapsed().as_millis() as u64,
        })
    }

    async fn bulk_calls(
        &self,
        rt: &ProfileRt,
        job: BulkJobRow,
        params: BulkParams,
        hooks: &BulkHooks,
        cancel: &CancelToken,
    ) -> CoreResult<Option<BulkStop>> {
        let (endpoint, platform_quota) = endpoint_of(rt.profile.option_api, job.action);
        let reading = match platform_quota {
            true => self.read_quota(rt, endpoint, cancel).await?,
            false => None,
        };
        let mut budget = Budget {
            endpoint,
            sent: 0,
            allows: None,
            last: None,
            sent_at_reading: 0,
        };
        budget.reread(reading);
        let run = RunState {
            counts: Mutex::new(job.counts),
            job,
            params,
            endpoint,
            per_minute: self.bulk_rate_per_minute()?,
            gate: gate(rt.id(), endpoint),
            budget: Mutex::new(budget),
            stop: Mutex::new(None),
            done_this_run: Mutex::new(0),
            started: Instant::now(),
        };
        let concurrency = self.bulk_concurrency()?;
        let (mut after, mut next_check) = (-1i64, QUOTA_CHECK_EVERY);
        loop {
            let chunk = self.store.bulk_items_pending(run.job.id, after, CHUNK)?;
            let Some(last) = chunk.last() else {
                return Ok(None);
            };
            after = last.0;
            let results: Vec<CoreResult<()>> = stream::iter(chunk)
                .map(|(seq, appid)| self.bulk_item(rt, &run, seq, appid, hooks, cancel))
                .buffer_unordered(concurrency)
                .collect()
                .await;
            results.into_iter().collect::<CoreResult<Vec<()>>>()?;
            if let Some(stop) = run.stop.lock().unwrap_or_else(|e| e.into_inner()).take() {
                return Ok(Some(stop));
            }
            let sent = run.budget.lock().unwrap_or_else(|e| e.into_inner()).sent;
            if platform_quota && sent >= next_check {
                next_check = sent + QUOTA_CHECK_EVERY;
                let reading = self.read_quota(rt, endpoint, cancel).await?;
                run.budget
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .reread(reading);
            }
        }
    }

    /// One account of a running job: checks that the job still runs here and the budget
    /// allows a call, waits for the rate, acts, records the result.
    async fn bulk_item(
        &self,
        rt: &ProfileRt,
        run: &RunState,
        seq: i64,
        appid: String,
        hooks: &BulkHooks,
        cancel: &CancelToken,
    ) -> CoreResult<()> {
        if run.stopped() {
            return Ok(());
        }
        if cancel.is_cancelled() {
            run.stop_with(BulkStop::Paused);
            return Ok(());
        }
        match self.store.bulk_job_state(run.job.id)? {
            Some((BulkJobState::Running, Some(o))) if o == self.owner => {}
            Some((state, _)) => {
                run.stop_with(BulkStop::Elsewhere { state });
                return Ok(());
            }
            None => return Err(CoreError::NotFound(format!("bulk job {}", run.job.id))),
        }
        let took = run.budget.lock().unwrap_or_else(|e| e.into_inner()).take();
        if let Err(stop) = took {
            run.stop_with(stop);
            return Ok(());
        }
        tokio::select! {
            _ = run.gate.wait(run.per_minute) => {}
            _ = cancel.cancelled() => {
                run.stop_with(BulkStop::Paused);
                return Ok(());
            }
        }
        let result = self
            .bulk_act(rt, run.job.action, &run.params, &appid, cancel)
            .await;
        let (state, errcode, message) = match result {
            Ok(()) => (BulkItemState::Ok, None, None),
            Err(e) if e.errcode() == Some(QUOTA_SPENT_ERRCODE) => {
                // The account stays pending: it is done when the job resumes after the reset.
                run.stop_with(BulkStop::QuotaSpent {
                    endpoint: run.endpoint.to_string(),
                    resets_at: next_quota_reset(now()),
                });
                return Ok(());
            }
            Err(CoreError::Cancelled) => {
                run.stop_with(BulkStop::Paused);
                return Ok(());
            }
            Err(e) => (BulkItemState::Failed, e.errcode(), Some(e.to_string())),
        };
        let row = BulkItemRow {
            seq,
            appid,
            state,
            errcode,
            message,
            at: Some(now()),
        };
        self.store
            .bulk_item_finish(run.job.id, seq, &row, &self.owner)?;
        let progress = run.record(state);
        if let Some(f) = &hooks.item {
            f(&row);
        }
        if let Some(f) = &hooks.progress {
            f(&progress);
        }
        Ok(())
    }

    /// The action on one account, through the token seam; transient errors retried.
    async fn bulk_act(
        &self,
        rt: &ProfileRt,
        action: BulkAction,
        p: &BulkParams,
        appid: &str,
        cancel: &CancelToken,
    ) -> CoreResult<()> {
        let opt = |s: &Option<String>| s.clone().unwrap_or_default();
        match action {
            BulkAction::OptionSet => {
                let (name, value) = (opt(&p.option_name), opt(&p.option_value));
                self.retry_transient(cancel, || self.option_set(rt, appid, &name, &value))
                    .await
                    .map(drop)
            }
            BulkAction::RefreshTokens => self
                .retry_transient(cancel, || self.refresh_authorizer_token(rt, appid))
                .await
                .map(drop),
            // (retries transient errors itself)
            BulkAction::Details => self.authorizer_fetch(rt, appid).await.map(drop),
            BulkAction::OpenBind => {
                let open = opt(&p.open_appid);
                self.retry_transient(cancel, || self.open_bind(rt, appid, &open))
                    .await
                    .map(drop)
            }
            BulkAction::OpenUnbind => {
                let open = opt(&p.open_appid);
                self.retry_transient(cancel, || self.open_unbind(rt, appid, &open, true))
                    .await
                    .map(drop)
            }
            BulkAction::RecoverRefreshTokens => Err(CoreError::Internal(
                "recovering refresh tokens is one list pass, not a call per account".into(),
            )),
        }
    }

    /// Recovers refresh tokens the only way WeChat gives them again: one pass over
    /// `api_get_authorizer_list` (the single recovery, [`Console::recover_refresh_tokens`]);
    /// then each pending account is ok if it now has a refresh token.
    async fn bulk_recover(
        &self,
        rt: &ProfileRt,
        job: &BulkJobRow,
        hooks: &BulkHooks,
        cancel: &CancelToken,
    ) -> CoreResult<Option<BulkStop>> {
        if cancel.is_cancelled() {
            return Ok(Some(BulkStop::Paused));
        }
        self.recover_refresh_tokens(rt).await?;
        let run = RunState {
            counts: Mutex::new(job.counts),
            job: job.clone(),
            params: BulkParams::default(),
            endpoint: paths::API_GET_AUTHORIZER_LIST,
            per_minute: 1,
            gate: gate(rt.id(), paths::API_GET_AUTHORIZER_LIST),
            budget: Mutex::new(Budget {
                endpoint: paths::API_GET_AUTHORIZER_LIST,
                sent: 0,
                allows: None,
                last: None,
                sent_at_reading: 0,
            }),
            stop: Mutex::new(None),
            done_this_run: Mutex::new(0),
            started: Instant::now(),
        };
        let mut after = -1i64;
        loop {
            let chunk = self.store.bulk_items_pending(job.id, after, CHUNK)?;
            let Some(last) = chunk.last() else {
                return Ok(None);
            };
            after = last.0;
            for (seq, appid) in chunk {
                let has = self.store.authorizer_token_get(rt.id(), &appid)?.is_some();
                let row = BulkItemRow {
                    seq,
                    state: if has {
                        BulkItemState::Ok
                    } else {
                        BulkItemState::Failed
                    },
                    errcode: None,
                    message: (!has).then(|| {
                        format!("{appid} is not in api_get_authorizer_list with a refresh token: authorize it again")
                    }),
                    appid,
                    at: Some(now()),
                };
                self.store
                    .bulk_item_finish(job.id, seq, &row, &self.owner)?;
                let progress = run.record(row.state);
                if let Some(f) = &hooks.item {
                    f(&row);
                }
                if let Some(f) = &hooks.progress {
                    f(&progress);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_gate_spaces_calls_by_its_rate_and_does_not_bank_idle_time() {
        let t0 = Instant::now();
        let g = RateGate {
            next: Mutex::new(t0),
        };
        let slots: Vec<Duration> = (0..4).map(|_| g.slot(600, t0) - t0).collect();
        let ms = Duration::from_millis;
        assert_eq!(slots, [ms(0), ms(100), ms(200), ms(300)]);
        // Idle for a minute: the next call goes at once, and the one after waits its interval
        // again (no burst of the calls not made meanwhile).
        let later = t0 + Duration::from_secs(60);
        assert_eq!(g.slot(600, later), later);
        assert_eq!(g.slot(600, later), later + ms(100));
        // Endpoints have their own gates, per profile.
        assert!(!Arc::ptr_eq(
            &gate(1, paths::API_SET_AUTHORIZER_OPTION),
            &gate(1, paths::API_GET_AUTHORIZER_INFO)
        ));
        assert!(Arc::ptr_eq(
            &gate(1, paths::API_GET_AUTHORIZER_INFO),
            &gate(1, paths::API_GET_AUTHORIZER_INFO)
        ));
    }

    #[test]
    fn the_budget_stops_at_the_reserve_counting_calls_since_the_reading() {
        let mut b = Budget {
            endpoint: paths::API_GET_AUTHORIZER_INFO,
            sent: 0,
            allows: None,
            last: None,
            sent_at_reading: 0,
        };
        assert!(b.take().is_ok(), "no reading: nothing bounds it");
        b.reread(Some(QuotaReading {
            daily_limit: 100,
            used: 77,
            remain: 23,
            reserve: 20,
            resets_at: 86_400,
        }));
        assert!(b.take().is_ok() && b.take().is_ok() && b.take().is_ok());
        match b.take() {
            Err(BulkStop::QuotaReserve {
                remain, reserve, ..
            }) => {
                assert_eq!((remain, reserve), (20, 20))
            }
            other => panic!("{other:?}"),
        }
    }
}
