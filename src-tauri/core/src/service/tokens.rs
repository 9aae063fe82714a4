//! Token lifecycle behind one seam, [`TokenSource`] (DESIGN.md "Token lifecycle").
//!
//! `Local` (built now): fetch, cache in SQLite and in memory; refresh when less than
//! [`REFRESH_MARGIN`] seconds remain; one in-flight refresh per token however many tasks ask
//! (a [`TokenCell`] each); on 40001/40014/42001 from any call: drop the cached token (only if it
//! is still the one that failed), refresh, retry that call once. `Shared` ([`super::shared_tokens`])
//! borrows the backend's tokens and never fetches one on its own: a rejected token is read
//! again once, and a refresh is the explicit *Refresh in the shared store*.

use std::future::Future;

use serde::Serialize;

use super::single_flight::TokenCell;
use super::{now, Console, ProfileRt};
use crate::error::{CoreError, CoreResult};
use crate::secrets::{SecretName, Sensitive};
use crate::store::profiles::TokenSourceKind;
use crate::store::types::Status as AuthorizerStatus;
use wxopen_wechat::error::WeChatError;
use wxopen_wechat::models::AuthorizerToken;

use super::token_source::TokenSource;
pub use super::token_source::{CachedToken, LocalTokens, REFRESH_MARGIN, TICKET_TTL};

/// What the UI shows about the component_access_token (never the token itself).
#[derive(Debug, Clone, Serialize, specta::Type)]
pub struct ComponentTokenStatus {
    pub profile: String,
    pub token_source: TokenSourceKind,
    pub cached: bool,
    pub expires_at: Option<i64>,
    pub fetched_at: Option<i64>,
    /// Seconds left (negative when expired).
    pub expires_in: Option<i64>,
    /// `••••abcd`.
    pub tail: Option<String>,
    /// Where a shared profile borrows it from (key, TTL, last read); `None`: owned locally.
    pub shared: Option<super::shared_tokens::SharedInfo>,
}

/// An authorizer's token state.
#[derive(Debug, Clone, Serialize, specta::Type)]
pub struct AuthorizerTokenStatus {
    pub appid: String,
    pub has_refresh_token: bool,
    pub access_expires_at: Option<i64>,
    pub refresh_token_tail: Option<String>,
}

impl Console {
    /// The component_access_token: cached while more than 10 minutes remain, else fetched once
    /// for all concurrent callers.
    pub async fn component_token(&self, rt: &ProfileRt) -> CoreResult<CachedToken> {
        let cells = match &rt.source {
            TokenSource::Local(cells) => cells,
            TokenSource::Shared(s) => return s.borrow(None).await,
        };
        cells
            .component
            .get_or_load(CachedToken::fresh, || self.load_component_token(rt))
            .await
    }

    async fn load_component_token(&self, rt: &ProfileRt) -> CoreResult<CachedToken> {
        if let Some(row) = self.store.component_token_get(rt.id())? {
            let cached = CachedToken {
                token: row.token,
                expires_at: row.expires_at,
            };
            if cached.fresh() {
                return Ok(cached);
            }
        }
        self.fetch_component_token(rt).await
    }

    /// Asks WeChat for a new component token and stores it (replacing the old one only now,
    /// once the new one is in hand).
    async fn fetch_component_token(&self, rt: &ProfileRt) -> CoreResult<CachedToken> {
        let ticket = self.store.latest_ticket(rt.id())?.ok_or_else(|| {
            CoreError::NotFound(
                "a component_verify_ticket (paste one with `wxopen ticket set`, or `wxopen ticket request-push`)"
                    .into(),
            )
        })?;
        let secret = self.secret(rt.appid(), SecretName::AppSecret)?;
        let fetched_at = now();
        let answer = rt
            .client
            .component_token(rt.appid(), secret.expose(), ticket.ticket.expose())
            .await?;
        let expires_at = crate::clock::expiry(fetched_at, answer.expires_in);
        self.store.component_token_put(
            rt.id(),
            &answer.component_access_token,
            expires_at,
            fetched_at,
        )?;
        Ok(CachedToken {
            token: Sensitive::new(answer.component_access_token),
            expires_at,
        })
    }

    /// Drops the cached component token if it is still `bad` (memory and SQLite).
    pub async fn invalidate_component_token(&self, rt: &ProfileRt, bad: &str) -> CoreResult<()> {
        let cells = match &rt.source {
            TokenSource::Local(cells) => cells,
            TokenSource::Shared(s) => {
                s.forget(None, Some(bad)).await;
                return Ok(());
            }
        };
        cells
            .component
            .invalidate_if(|t| t.token.expose() == bad)
            .await;
        if let Some(row) = self.store.component_token_get(rt.id())? {
            if row.token.expose() == bad {
                self.store.component_token_clear(rt.id())?;
            }
        }
        Ok(())
    }

    /// Fetches a new component token now (whatever the cache says), fetch first, swap on success
    /// ([`swap_in`]).
    pub async fn refresh_component_token(
        &self,
        rt: &ProfileRt,
    ) -> CoreResult<ComponentTokenStatus> {
        let cells = match &rt.source {
            TokenSource::Local(cells) => cells,
            TokenSource::Shared(_) => {
                self.shared_refresh_component(rt).await?;
                return self.component_token_status(rt);
            }
        };
        swap_in(
            &cells.component,
            || {
                Ok(self
                    .store
                    .component_token_get(rt.id())?
                    .map(|r| r.token.expose().clone()))
            },
            || self.fetch_component_token(rt),
        )
        .await?;
        self.component_token_status(rt)
    }

    /// *Test connection*: a local profile fetches a fresh token (that is the test); a shared one
    /// only borrows the backend's (a fetch would kill the token the backend serves with).
    pub async fn test_connection(&self, rt: &ProfileRt) -> CoreResult<ComponentTokenStatus> {
        match &rt.source {
            TokenSource::Local(_) => self.refresh_component_token(rt).await,
            TokenSource::Shared(s) => {
                s.borrow(None).await?;
                self.component_token_status(rt)
            }
        }
    }

    pub fn component_token_status(&self, rt: &ProfileRt) -> CoreResult<ComponentTokenStatus> {
        let t = now();
        if let Some(info) = self.shared_info(rt) {
            let read = info.component.clone();
            return Ok(ComponentTokenStatus {
                profile: rt.profile.name.clone(),
                token_source: rt.profile.token_source,
                cached: read.is_some(),
                expires_at: read.as_ref().and_then(|r| r.expires_at),
                fetched_at: read.as_ref().map(|r| r.read_at),
                expires_in: read.as_ref().and_then(|r| r.expires_at).map(|e| e - t),
                tail: read.map(|r| r.tail),
                shared: Some(info),
            });
        }
        let row = self.store.component_token_get(rt.id())?;
        Ok(ComponentTokenStatus {
            profile: rt.profile.name.clone(),
            token_source: rt.profile.token_source,
            cached: row.is_some(),
            expires_at: row.as_ref().map(|r| r.expires_at),
            fetched_at: row.as_ref().map(|r| r.fetched_at),
            expires_in: row.as_ref().map(|r| r.expires_at - t),
            tail: row
                .as_ref()
                .map(|r| crate::secrets::masked_tail(r.token.expose())),
            shared: None,
        })
    }

    /// Runs `call` with the component token; on 40001/40014/42001 refreshes it and retries once.
    pub async fn with_component_token<T, F, Fut>(&self, rt: &ProfileRt, call: F) -> CoreResult<T>
    where
        F: Fn(String) -> Fut,
        Fut: Future<Output = Result<T, WeChatError>>,
    {
        let tok = self.component_token(rt).await?;
        match call(tok.token.expose().clone()).await {
            Err(e) if e.is_token_invalid() => {
                if let TokenSource::Shared(s) = &rt.source {
                    let code = e.errcode().unwrap_or(40001);
                    let again = s.after_rejection(None, tok.token.expose(), code).await?;
                    return Ok(call(again.token.expose().clone()).await?);
                }
                self.invalidate_component_token(rt, tok.token.expose())
                    .await?;
                let tok = self.component_token(rt).await?;
                Ok(call(tok.token.expose().clone()).await?)
            }
            other => Ok(other?),
        }
    }

    /// An authorizer's access token, refreshed from the stored refresh token when needed (once
    /// for all concurrent callers). 61023 marks the authorizer `needs_reauth`.
    pub async fn authorizer_token(&self, rt: &ProfileRt, appid: &str) -> CoreResult<CachedToken> {
        let cell = match &rt.source {
            TokenSource::Local(cells) => cells.authorizer_cell(appid),
            TokenSource::Shared(s) => return s.borrow(Some(appid)).await,
        };
        cell.get_or_load(CachedToken::fresh, || self.load_authorizer_token(rt, appid))
            .await
    }

    fn authorizer_token_row(
        &self,
        rt: &ProfileRt,
        appid: &str,
    ) -> CoreResult<crate::store::tokens::AuthorizerTokenRow> {
        self.store.authorizer_token_get(rt.id(), appid)?.ok_or_else(|| {
            CoreError::NotFound(format!(
                "a refresh token for authorizer {appid} (run `wxopen authorizers sync`, or authorize it again)"
            ))
        })
    }

    async fn load_authorizer_token(&self, rt: &ProfileRt, appid: &str) -> CoreResult<CachedToken> {
        let row = self.authorizer_token_row(rt, appid)?;
        if let (Some(tok), Some(exp)) = (&row.access_token, row.expires_at) {
            let cached = CachedToken {
                token: tok.clone(),
                expires_at: exp,
            };
            if cached.fresh() {
                return Ok(cached);
            }
        }
        self.fetch_authorizer_token(rt, appid, row.refresh_token.expose())
            .await
    }

    async fn fetch_authorizer_token(
        &self,
        rt: &ProfileRt,
        appid: &str,
        refresh_token: &str,
    ) -> CoreResult<CachedToken> {
        let fetched_at = now();
        let answer = self
            .request_authorizer_token(rt, appid, refresh_token)
            .await?;
        let expires_at = crate::clock::expiry(fetched_at, answer.expires_in);
        // Always store the refresh token returned (never an empty one: the store skips those).
        let refresh = answer
            .authorizer_refresh_token
            .as_deref()
            .unwrap_or(refresh_token);
        self.store.authorizer_token_put_access(
            rt.id(),
            appid,
            &answer.authorizer_access_token,
            expires_at,
            Some(refresh),
        )?;
        Ok(CachedToken {
            token: Sensitive::new(answer.authorizer_access_token),
            expires_at,
        })
    }

    /// `api_authorizer_token` for `appid` with its refresh token (whoever keeps the result);
    /// 61023 marks the authorizer `needs_reauth`.
    pub(crate) async fn request_authorizer_token(
        &self,
        rt: &ProfileRt,
        appid: &str,
        refresh_token: &str,
    ) -> CoreResult<AuthorizerToken> {
        let result = self
            .with_component_token(rt, |ct| {
                let client = rt.client.clone();
                let component = rt.appid().to_string();
                let appid = appid.to_string();
                let refresh = refresh_token.to_string();
                async move {
                    client
                        .authorizer_token(&ct, &component, &appid, &refresh)
                        .await
                }
            })
            .await;
        match result {
            Err(CoreError::WeChat(e)) if e.errcode() == Some(61023) => {
                self.store
                    .set_authorizer_status(rt.id(), appid, AuthorizerStatus::NeedsReauth)?;
                Err(CoreError::NeedsReauth {
                    appid: appid.to_string(),
                })
            }
            other => other,
        }
    }

    /// Drops an authorizer's cached access token if it is still `bad` (or unconditionally).
    pub async fn invalidate_authorizer_token(
        &self,
        rt: &ProfileRt,
        appid: &str,
        bad: Option<&str>,
    ) -> CoreResult<()> {
        let cell = match &rt.source {
            TokenSource::Local(cells) => cells.authorizer_cell(appid),
            TokenSource::Shared(s) => {
                s.forget(Some(appid), bad).await;
                return Ok(());
            }
        };
        match bad {
            Some(bad) => {
                cell.invalidate_if(|t| t.token.expose() == bad).await;
                if let Some(row) = self.store.authorizer_token_get(rt.id(), appid)? {
                    if row.access_token.as_ref().is_some_and(|t| t.expose() == bad) {
                        self.store.authorizer_token_clear_access(rt.id(), appid)?;
                    }
                }
            }
            None => {
                cell.clear().await;
                self.store.authorizer_token_clear_access(rt.id(), appid)?;
            }
        }
        Ok(())
    }

    /// Runs `call` with an authorizer's token; on 40001/40014/42001 refreshes it and retries once.
    pub async fn with_authorizer_token<T, F, Fut>(
        &self,
        rt: &ProfileRt,
        appid: &str,
        call: F,
    ) -> CoreResult<T>
    where
        F: Fn(String) -> Fut,
        Fut: Future<Output = Result<T, WeChatError>>,
    {
        let tok = self.authorizer_token(rt, appid).await?;
        match call(tok.token.expose().clone()).await {
            Err(e) if e.is_token_invalid() => {
                if let TokenSource::Shared(s) = &rt.source {
                    let code = e.errcode().unwrap_or(40001);
                    let again = s
                        .after_rejection(Some(appid), tok.token.expose(), code)
                        .await?;
                    return Ok(call(again.token.expose().clone()).await?);
                }
                self.invalidate_authorizer_token(rt, appid, Some(tok.token.expose()))
                    .await?;
                let tok = self.authorizer_token(rt, appid).await?;
                Ok(call(tok.token.expose().clone()).await?)
            }
            other => Ok(other?),
        }
    }

    /// Refreshes an authorizer's access token now from its stored refresh token ([`swap_in`]).
    pub async fn refresh_authorizer_token(
        &self,
        rt: &ProfileRt,
        appid: &str,
    ) -> CoreResult<AuthorizerTokenStatus> {
        let cell = match &rt.source {
            TokenSource::Local(cells) => cells.authorizer_cell(appid),
            TokenSource::Shared(_) => {
                self.shared_refresh_authorizer(rt, appid).await?;
                return self.authorizer_token_status(rt, appid);
            }
        };
        swap_in(
            &cell,
            || {
                Ok(self
                    .authorizer_token_row(rt, appid)?
                    .access_token
                    .map(|t| t.expose().clone()))
            },
            || async {
                let row = self.authorizer_token_row(rt, appid)?;
                self.fetch_authorizer_token(rt, appid, row.refresh_token.expose())
                    .await
            },
        )
        .await?;
        self.authorizer_token_status(rt, appid)
    }

    pub fn authorizer_token_status(
        &self,
        rt: &ProfileRt,
        appid: &str,
    ) -> CoreResult<AuthorizerTokenStatus> {
        let row = self.store.authorizer_token_get(rt.id(), appid)?;
        Ok(AuthorizerTokenStatus {
            appid: appid.to_string(),
            has_refresh_token: row.is_some(),
            access_expires_at: row.as_ref().and_then(|r| r.expires_at),
            refresh_token_tail: row
                .as_ref()
                .map(|r| crate::secrets::masked_tail(r.refresh_token.expose())),
        })
    }

    /// Seeds the cache with a token just received (api_query_auth).
    pub(crate) async fn remember_authorizer_token(
        &self,
        rt: &ProfileRt,
        appid: &str,
        token: CachedToken,
    ) -> CoreResult<()> {
        // A shared profile borrows its tokens from the backend's store, not from this answer.
        if let TokenSource::Local(cells) = &rt.source {
            cells.authorizer_cell(appid).set(token).await;
        }
        Ok(())
    }
}

/// Fetches a new token into `cell` and swaps it in only once it has arrived: if `fetch` fails,
/// memory and SQLite keep the token that still works. The token replaced is the one in memory,
/// else `stored` (SQLite); one that a concurrent refresh swapped in meanwhile counts (one fetch,
/// not two).
async fn swap_in<F, Fut>(
    cell: &TokenCell<CachedToken>,
    stored: impl FnOnce() -> CoreResult<Option<String>>,
    fetch: F,
) -> CoreResult<CachedToken>
where
    F: FnOnce() -> Fut,
    Fut: Future<Output = CoreResult<CachedToken>>,
{
    let old = match cell.peek().await {
        Some(t) => Some(t.token.expose().clone()),
        None => stored()?,
    };
    cell.get_or_load(
        |t| t.fresh() && old.as_deref() != Some(t.token.expose().as_str()),
        fetch,
    )
    .await
}
