//! Diagnostics: the request WeChat saw behind a failed call's rid (`openapi/rid/get`), one
//! authorizer's daily quota for an endpoint (`openapi/quota/get`) and clearing that
//! authorizer's quota (`/cgi-bin/clear_quota` with its own token and appid). WeChat answers a
//! rid only to the account that got it, with the same kind of token, and counts an
//! authorizer's resets against that authorizer's own 10 a month; every call goes through the
//! token seam, so a shared profile borrows its tokens like everywhere else.

use serde::Serialize;

use super::quota::RESETS_PER_MONTH;
use super::{now, validate, Console, ProfileRt};
use crate::error::{CoreError, CoreResult};
use crate::store::audit::AuditEntry;
use wxopen_wechat::error::redact_secrets;

/// What `openapi/rid/get` told about a failed call.
#[derive(Debug, Clone, Serialize, specta::Type)]
pub struct RidLookup {
    pub rid: String,
    /// Whose token asked: the authorizer's appid, `None` for the component token.
    pub asked_as: Option<String>,
    /// Unix seconds.
    pub invoke_time: i64,
    pub cost_in_ms: i64,
    /// The query string WeChat saw, tokens masked.
    pub request_url: String,
    pub request_body: String,
    pub response_body: String,
    pub client_ip: String,
}

/// One endpoint's daily quota for one authorizer.
#[derive(Debug, Clone, Serialize, specta::Type)]
pub struct AuthorizerApiQuota {
    pub appid: String,
    pub cgi_path: String,
    pub daily_limit: i64,
    pub used: i64,
    pub remain: i64,
    /// `call_count` per `refresh_second`, when WeChat says (newer answers only).
    pub rate_limit: Option<RateLimitInfo>,
}

#[derive(Debug, Clone, Serialize, specta::Type)]
pub struct RateLimitInfo {
    pub call_count: i64,
    pub refresh_second: i64,
}

/// An authorizer's quota cleared, and what is left of its own monthly resets.
#[derive(Debug, Clone, Serialize, specta::Type)]
pub struct AuthorizerQuotaCleared {
    pub appid: String,
    pub resets_this_month: u32,
    pub resets_left: u32,
}

/// An authorizer's resets this month (counted here: WeChat has no API that tells).
#[derive(Debug, Clone, Serialize, specta::Type)]
pub struct AuthorizerQuotaResets {
    pub appid: String,
    pub resets_this_month: u32,
    pub resets_left: u32,
}

impl Console {
    /// Looks a rid up with the token of the account that got it. `appid` names that account
    /// (the component appid or `None` for the platform itself); without it the Activity row
    /// that carries the rid decides, and a rid this console never saw is asked with the
    /// component token.
    pub async fn rid_lookup(
        &self,
        rt: &ProfileRt,
        rid: &str,
        appid: Option<&str>,
    ) -> CoreResult<RidLookup> {
        let rid = rid.trim();
        if rid.is_empty() {
            return Err(CoreError::InvalidInput("the rid is empty".into()));
        }
        let asked_as = match appid {
            Some(a) => {
                let a = validate::appid(a)?;
                (a != rt.appid()).then_some(a)
            }
            None => {
                // The failed call may have been made a moment ago and still wait in the writer.
                self.flush();
                self.store
                    .audit_find_rid(rt.id(), rid)?
                    .and_then(|row| authorizer_of(rt, &row))
            }
        };
        let info = match &asked_as {
            None => {
                self.with_component_token(rt, |t| {
                    let client = rt.client.clone();
                    let rid = rid.to_string();
                    async move { client.rid_info(&t, &rid).await }
                })
                .await?
            }
            Some(a) => {
                self.with_authorizer_token(rt, a, |t| {
                    let client = rt.client.clone();
                    let rid = rid.to_string();
                    async move { client.rid_info(&t, &rid).await }
                })
                .await?
            }
        };
        let r = info.request;
        Ok(RidLookup {
            rid: rid.to_string(),
            asked_as,
            invoke_time: r.invoke_time,
            cost_in_ms: r.cost_in_ms,
            request_url: redact_secrets(&r.request_url),
            request_body: redact_secrets(&r.request_body),
            response_body: redact_secrets(&r.response_body),
            client_ip: r.client_ip,
        })
    }

    /// `openapi/quota/get` with the authorizer's own token: its calls of `cgi_path` today.
    pub async fn authorizer_api_quota(
        &self,
        rt: &ProfileRt,
        appid: &str,
        cgi_path: &str,
    ) -> CoreResult<AuthorizerApiQuota> {
        let appid = validate::appid(appid)?;
        let cgi_path = cgi_path.trim().to_string();
        if !cgi_path.starts_with('/') || cgi_path.contains("://") {
            return Err(CoreError::InvalidInput(format!(
                "{cgi_path:?} is not an API path: give the path alone, starting with / (e.g. /cgi-bin/open/get)"
            )));
        }
        let q = self
            .with_authorizer_token(rt, &appid, |t| {
                let client = rt.client.clone();
                let path = cgi_path.clone();
                async move { client.api_quota(&t, &path).await }
            })
            .await?;
        let quota = q.quota.unwrap_or_default();
        Ok(AuthorizerApiQuota {
            appid,
            cgi_path,
            daily_limit: quota.daily_limit,
            used: quota.used,
            remain: quota.remain,
            rate_limit: q.rate_limit.map(|r| RateLimitInfo {
                call_count: r.call_count,
                refresh_second: r.refresh_second,
            }),
        })
    }

    /// This month's resets of one authorizer's quota.
    pub fn authorizer_quota_resets(
        &self,
        rt: &ProfileRt,
        appid: &str,
    ) -> CoreResult<AuthorizerQuotaResets> {
        let appid = validate::appid(appid)?;
        let used = self
            .store
            .quota_resets_count(rt.id(), Some(&appid), now())?;
        Ok(AuthorizerQuotaResets {
            appid,
            resets_this_month: used,
            resets_left: RESETS_PER_MONTH.saturating_sub(used),
        })
    }

    /// `/cgi-bin/clear_quota` with the authorizer's token and appid: uses one of that
    /// account's 10 monthly resets (refused here past them, 48006 at WeChat).
    pub async fn authorizer_clear_quota(
        &self,
        rt: &ProfileRt,
        appid: &str,
    ) -> CoreResult<AuthorizerQuotaCleared> {
        let appid = validate::appid(appid)?;
        let used = self
            .store
            .quota_resets_count(rt.id(), Some(&appid), now())?;
        if used >= RESETS_PER_MONTH {
            return Err(CoreError::Refused(format!(
                "{appid}'s API quota was already reset {used} times this month: WeChat allows {RESETS_PER_MONTH} (48006 past that)"
            )));
        }
        self.with_authorizer_token(rt, &appid, |t| {
            let client = rt.client.clone();
            let appid = appid.clone();
            async move { client.clear_quota_generic(&t, &appid).await }
        })
        .await?;
        self.store
            .quota_reset_insert(rt.id(), now(), Some(&appid))?;
        let used = used + 1;
        Ok(AuthorizerQuotaCleared {
            appid,
            resets_this_month: used,
            resets_left: RESETS_PER_MONTH.saturating_sub(used),
        })
    }
}

/// The authorizer whose token made the call of an audit row, `None` when the component token
/// (or no token) did: `access_token=` carries an authorizer token unless the call was about the
/// platform itself (`clear_quota`/`openapi` with the component token name the component appid
/// or none).
fn authorizer_of(rt: &ProfileRt, row: &AuditEntry) -> Option<String> {
    if row.token_param.as_deref() != Some("access_token") {
        return None;
    }
    row.appid.clone().filter(|a| a != rt.appid())
}
