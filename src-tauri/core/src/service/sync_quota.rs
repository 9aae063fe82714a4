//! The details phase's budget: WeChat counts `api_get_authorizer_info` calls per platform per
//! day (45009 once spent) and the platform's backend shares that budget with the console. A
//! details pass reads the remaining quota (`/cgi-bin/openapi/quota/get`) before it starts and
//! every [`QUOTA_CHECK_EVERY`] calls, and stops while a reserve for the backend remains (a
//! setting, [`DEFAULT_QUOTA_RESERVE_PERCENT`] of the daily limit); it refetches only details
//! that are missing, stale (older than a setting, [`DEFAULT_DETAILS_STALE_AFTER_SECS`]) or
//! marked by a push or a list change.

use serde::Serialize;

use super::cancel::CancelToken;
use super::{now, Console, ProfileRt};
use crate::error::{CoreError, CoreResult};
use wxopen_wechat::client::paths;

/// The `settings` key of [`Console::details_stale_after_secs`].
pub const DETAILS_STALE_AFTER_KEY: &str = "details_stale_after_secs";
/// Details older than this are refetched (24 h) when the setting is absent.
pub const DEFAULT_DETAILS_STALE_AFTER_SECS: u64 = 86_400;
/// The `settings` key of [`Console::quota_reserve_percent`].
pub const QUOTA_RESERVE_PERCENT_KEY: &str = "quota_reserve_percent";
/// Percent of the daily limit left to the backend when the setting is absent.
pub const DEFAULT_QUOTA_RESERVE_PERCENT: u32 = 20;
/// The largest reserve accepted (100 % would forbid every details call).
pub const MAX_QUOTA_RESERVE_PERCENT: u32 = 99;
/// Info calls between two quota reads during a pass: the backend spends the same budget, so
/// the first reading goes stale; a read is one uncounted call per this many counted ones.
pub const QUOTA_CHECK_EVERY: u64 = 500;
/// WeChat resets the daily quotas at 00:00 Beijing time (UTC+8, no daylight saving).
const BEIJING_OFFSET_SECS: i64 = 8 * 3600;

/// The platform's `api_get_authorizer_info` quota as `openapi/quota/get` answered it, with the
/// reserve this console keeps for the backend.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
pub struct QuotaReading {
    pub daily_limit: i64,
    pub used: i64,
    pub remain: i64,
    /// Calls left to the backend: the details phase stops when `remain` falls to this.
    pub reserve: i64,
    /// When the quota next resets (Unix seconds): 00:00 Beijing time.
    pub resets_at: i64,
}

impl QuotaReading {
    /// Calls this console may still make today.
    pub fn spendable(&self) -> i64 {
        (self.remain - self.reserve).max(0)
    }
}

/// Why a details pass stopped before fetching everything it should. The run stays resumable:
/// the next sync continues it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum SyncStop {
    /// The remaining daily quota fell to the backend's reserve.
    QuotaReserve {
        remain: i64,
        reserve: i64,
        daily_limit: i64,
        /// When WeChat resets the quota (Unix seconds, 00:00 Beijing time).
        resets_at: i64,
    },
    /// `--max-calls` info calls were made.
    MaxCalls { max_calls: u64 },
    /// WeChat answered 45009: the day's quota is spent (the backend spent more than the last
    /// reading showed). The accounts not fetched stay to do.
    QuotaSpent {
        /// When WeChat resets the quota (Unix seconds, 00:00 Beijing time).
        resets_at: i64,
    },
}

impl SyncStop {
    /// The run's message (kept as its `last_error`).
    pub fn message(&self) -> String {
        match self {
            SyncStop::QuotaReserve {
                remain,
                reserve,
                daily_limit,
                resets_at,
            } => format!(
                "stopped to keep the backend's quota reserve: {remain} of {daily_limit} api_get_authorizer_info calls remain today and {reserve} are kept for the backend; WeChat resets the quota daily at 00:00 Beijing time (next at Unix {resets_at}): sync again after that to resume"
            ),
            SyncStop::QuotaSpent { resets_at } => format!(
                "stopped: WeChat answered 45009, today's api_get_authorizer_info quota is spent (by this console or the backend); WeChat resets the quota daily at 00:00 Beijing time (next at Unix {resets_at}): sync again after that to resume"
            ),
            SyncStop::MaxCalls { max_calls } => format!(
                "stopped after {max_calls} api_get_authorizer_info calls (--max-calls): sync again to resume"
            ),
        }
    }
}

/// The next 00:00 Beijing time after `t` (Unix seconds).
pub fn next_quota_reset(t: i64) -> i64 {
    let day = (t + BEIJING_OFFSET_SECS).div_euclid(86_400);
    (day + 1) * 86_400 - BEIJING_OFFSET_SECS
}

/// The calls a reserve of `percent` keeps out of `daily_limit` (rounded up: a reserve is
/// never smaller than asked).
pub fn reserve_of(daily_limit: i64, percent: u32) -> i64 {
    (daily_limit.max(0) * i64::from(percent) + 99) / 100
}

impl Console {
    /// Age (seconds) past which a details pass refetches an account's details
    /// ([`DEFAULT_DETAILS_STALE_AFTER_SECS`] unless set; an unreadable value counts as unset).
    pub fn details_stale_after_secs(&self) -> CoreResult<u64> {
        let stored = self.store.setting_get(DETAILS_STALE_AFTER_KEY)?;
        Ok(stored
            .and_then(|v| v.trim().parse::<u64>().ok())
            .unwrap_or(DEFAULT_DETAILS_STALE_AFTER_SECS))
    }

    pub fn set_details_stale_after_secs(&self, secs: u64) -> CoreResult<u64> {
        self.store
            .setting_set(DETAILS_STALE_AFTER_KEY, &secs.to_string())?;
        Ok(secs)
    }

    /// Percent of the daily limit the details phase leaves to the backend
    /// ([`DEFAULT_QUOTA_RESERVE_PERCENT`] unless set).
    pub fn quota_reserve_percent(&self) -> CoreResult<u32> {
        let stored = self.store.setting_get(QUOTA_RESERVE_PERCENT_KEY)?;
        Ok(stored
            .and_then(|v| v.trim().parse::<u32>().ok())
            .filter(|p| *p <= MAX_QUOTA_RESERVE_PERCENT)
            .unwrap_or(DEFAULT_QUOTA_RESERVE_PERCENT))
    }

    pub fn set_quota_reserve_percent(&self, percent: u32) -> CoreResult<u32> {
        if percent > MAX_QUOTA_RESERVE_PERCENT {
            return Err(CoreError::InvalidInput(format!(
                "a quota reserve of {percent} % is more than {MAX_QUOTA_RESERVE_PERCENT} %: give a percent of the daily limit from 0 to {MAX_QUOTA_RESERVE_PERCENT}"
            )));
        }
        self.store
            .setting_set(QUOTA_RESERVE_PERCENT_KEY, &percent.to_string())?;
        Ok(percent)
    }

    /// Reads the platform's remaining `api_get_authorizer_info` quota (one
    /// `openapi/quota/get` call, which WeChat does not count against that API). `None` when
    /// the answer has no `quota` (then nothing bounds the pass but `--max-calls`).
    pub async fn details_quota(&self, rt: &ProfileRt) -> CoreResult<Option<QuotaReading>> {
        self.read_details_quota(rt, &CancelToken::new()).await
    }

    /// [`Console::details_quota`], retried on transient errors like the calls it budgets: a
    /// pass that cannot read its budget does not spend it.
    pub(crate) async fn read_details_quota(
        &self,
        rt: &ProfileRt,
        cancel: &CancelToken,
    ) -> CoreResult<Option<QuotaReading>> {
        self.read_quota(rt, paths::API_GET_AUTHORIZER_INFO, cancel)
            .await
    }

    /// The platform's daily quota of `endpoint` (component token) with the backend's reserve,
    /// retried on transient errors: what a details pass and a bulk job budget by.
    pub(crate) async fn read_quota(
        &self,
        rt: &ProfileRt,
        endpoint: &'static str,
        cancel: &CancelToken,
    ) -> CoreResult<Option<QuotaReading>> {
        let percent = self.quota_reserve_percent()?;
        let answer = self
            .retry_transient(cancel, || {
                self.with_component_token(rt, move |ct| async move {
                    rt.client.api_quota(&ct, endpoint).await
                })
            })
            .await?;
        Ok(answer.quota.map(|q| QuotaReading {
            daily_limit: q.daily_limit,
            used: q.used,
            remain: q.remain,
            reserve: reserve_of(q.daily_limit, percent),
            resets_at: next_quota_reset(now()),
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reset_is_midnight_in_beijing() {
        // 2024-01-01T15:59:59Z is 23:59:59 in Beijing: the reset is one second later.
        assert_eq!(next_quota_reset(1_704_124_799), 1_704_124_800);
        // 2024-01-01T16:00:00Z is midnight there: the next reset is a day on.
        assert_eq!(next_quota_reset(1_704_124_800), 1_704_124_800 + 86_400);
    }

    #[test]
    fn reserve_rounds_up() {
        assert_eq!(reserve_of(100_000, 20), 20_000);
        assert_eq!(reserve_of(101, 20), 21);
        assert_eq!(reserve_of(100, 0), 0);
    }
}
