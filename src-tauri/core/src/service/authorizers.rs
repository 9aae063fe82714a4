//! One authorizer: info, token, options, open-platform binding; and the cached table.

use serde::Serialize;

use super::sync::info_record;
use super::tokens::AuthorizerTokenStatus;
use super::{now, validate, CancelToken, Console, ProfileRt};
use crate::error::{CoreError, CoreResult};
use crate::store::authorizers::{AuthorizerCounts, AuthorizerDetail, AuthorizerPage};
use crate::store::open_bindings::OpenBindingRow;
use crate::store::options::OptionRow;
use crate::store::profiles::OptionApi;
use crate::store::types::{AuthorizerQuery, Status};

/// The detail drawer: stored row, raw info, permissions, token state, cached options and binding.
#[derive(Debug, Clone, Serialize, specta::Type)]
pub struct AuthorizerView {
    #[serde(flatten)]
    pub detail: AuthorizerDetail,
    pub token: AuthorizerTokenStatus,
    pub options: Vec<OptionRow>,
    pub open: Option<OpenBindingRow>,
}

/// An authorizer's open-platform account.
#[derive(Debug, Clone, Serialize, specta::Type)]
pub struct OpenBinding {
    pub appid: String,
    /// `None`: not bound (89002).
    pub open_appid: Option<String>,
    pub checked_at: i64,
}

impl Console {
    /// Searches the local cache (paged in SQLite).
    pub fn authorizers_search(
        &self,
        rt: &ProfileRt,
        query: &AuthorizerQuery,
    ) -> CoreResult<AuthorizerPage> {
        Ok(self.store.search_authorizers(rt.id(), query)?)
    }

    /// How many accounts the cache holds, by state (the table's header).
    pub fn authorizer_counts(&self, rt: &ProfileRt) -> CoreResult<AuthorizerCounts> {
        Ok(self.store.authorizer_counts(rt.id())?)
    }

    /// The stored view of an authorizer (no network).
    pub fn authorizer_view(&self, rt: &ProfileRt, appid: &str) -> CoreResult<AuthorizerView> {
        let detail = self
            .store
            .authorizer_get(rt.id(), appid)?
            .ok_or_else(|| CoreError::NotFound(format!("authorizer {appid} in the local cache")))?;
        Ok(AuthorizerView {
            detail,
            token: self.authorizer_token_status(rt, appid)?,
            options: self.store.options_list(rt.id(), appid)?,
            open: self.store.open_binding_get(rt.id(), appid)?,
        })
    }

    /// Fetches an authorizer's info (api_get_authorizer_info), stores it, and returns the view.
    pub async fn authorizer_fetch(
        &self,
        rt: &ProfileRt,
        appid: &str,
    ) -> CoreResult<AuthorizerView> {
        let appid = validate::appid(appid)?;
        let answer = self
            .retry_transient(&CancelToken::new(), || {
                self.with_component_token(rt, |ct| {
                    let client = rt.client.clone();
                    let component = rt.appid().to_string();
                    let appid = appid.clone();
                    async move { client.authorizer_info(&ct, &component, &appid).await }
                })
            })
            .await?;
        self.store
            .save_authorizer_info(rt.id(), &appid, None, &info_record(&answer, now()))?;
        self.authorizer_view(rt, &appid)
    }

    /// Re-reads every refresh token from api_get_authorizer_list (a fresh list-only sync).
    pub async fn recover_refresh_tokens(
        &self,
        rt: &ProfileRt,
    ) -> CoreResult<super::sync::SyncOutcome> {
        self.sync_authorizers(
            rt,
            super::sync::SyncOptions {
                details: false,
                concurrency: None,
                restart: true,
                ..Default::default()
            },
            None,
            CancelToken::new(),
        )
        .await
    }

    /// An option's current value (legacy `api_get_authorizer_option` with the component token by
    /// default; the v2 endpoint with the authorizer token when the profile says so).
    pub async fn option_get(
        &self,
        rt: &ProfileRt,
        appid: &str,
        name: &str,
    ) -> CoreResult<OptionRow> {
        let appid = validate::appid(appid)?;
        let name = option_name(name)?;
        let answer = match rt.profile.option_api {
            OptionApi::Legacy => {
                self.with_component_token(rt, |ct| {
                    let client = rt.client.clone();
                    let (c, a, n) = (rt.appid().to_string(), appid.clone(), name.clone());
                    async move { client.get_authorizer_option(&ct, &c, &a, &n).await }
                })
                .await?
            }
            OptionApi::V2 => {
                self.with_authorizer_token(rt, &appid, |at| {
                    let client = rt.client.clone();
                    let (c, a, n) = (rt.appid().to_string(), appid.clone(), name.clone());
                    async move { client.get_option_v2(&at, &c, &a, &n).await }
                })
                .await?
            }
        };
        let t = now();
        self.store
            .option_put(rt.id(), &appid, &name, &answer.option_value, t)?;
        Ok(OptionRow {
            appid,
            name,
            value: answer.option_value,
            fetched_at: t,
        })
    }

    /// Sets an option (values travel as strings: "0", "1", "2").
    pub async fn option_set(
        &self,
        rt: &ProfileRt,
        appid: &str,
        name: &str,
        value: &str,
    ) -> CoreResult<OptionRow> {
        let appid = validate::appid(appid)?;
        let name = option_name(name)?;
        let value = value.trim().to_string();
        if value.is_empty() || !value.bytes().all(|b| b.is_ascii_digit()) {
            return Err(CoreError::InvalidInput(format!(
                "option value {value:?} is not a number (location_report 0/1/2, voice_recognize and customer_service 0/1)"
            )));
        }
        match rt.profile.option_api {
            OptionApi::Legacy => {
                self.with_component_token(rt, |ct| {
                    let client = rt.client.clone();
                    let (c, a, n, v) = (
                        rt.appid().to_string(),
                        appid.clone(),
                        name.clone(),
                        value.clone(),
                    );
                    async move { client.set_authorizer_option(&ct, &c, &a, &n, &v).await }
                })
                .await?;
            }
            OptionApi::V2 => {
                self.with_authorizer_token(rt, &appid, |at| {
                    let client = rt.client.clone();
                    let (c, a, n, v) = (
                        rt.appid().to_string(),
                        appid.clone(),
                        name.clone(),
                        value.clone(),
                    );
                    async move { client.set_option_v2(&at, &c, &a, &n, &v).await }
                })
                .await?;
            }
        }
        let t = now();
        self.store.option_put(rt.id(), &appid, &name, &value, t)?;
        Ok(OptionRow {
            appid,
            name,
            value,
            fetched_at: t,
        })
    }

    /// Sets an option, then reads it back from WeChat: what the window shows is what WeChat
    /// holds, not what was asked for.
    pub async fn option_set_and_read(
        &self,
        rt: &ProfileRt,
        appid: &str,
        name: &str,
        value: &str,
    ) -> CoreResult<OptionRow> {
        self.option_set(rt, appid, name, value).await?;
        self.option_get(rt, appid, name).await
    }

    /// The open account the authorizer is bound to (`None` on 89002).
    pub async fn open_get(&self, rt: &ProfileRt, appid: &str) -> CoreResult<OpenBinding> {
        let appid = validate::appid(appid)?;
        let r = self
            .with_authorizer_token(rt, &appid, |at| {
                let client = rt.client.clone();
                let a = appid.clone();
                async move { client.open_get(&at, &a).await }
            })
            .await;
        let open_appid = match r {
            Ok(acc) => Some(acc.open_appid),
            Err(CoreError::WeChat(e)) if e.errcode() == Some(89002) => None,
            Err(e) => return Err(e),
        };
        self.record_binding(rt, &appid, open_appid)
    }

    /// Creates an open account and binds the authorizer to it.
    pub async fn open_create(&self, rt: &ProfileRt, appid: &str) -> CoreResult<OpenBinding> {
        let appid = validate::appid(appid)?;
        let acc = self
            .with_authorizer_token(rt, &appid, |at| {
                let client = rt.client.clone();
                let a = appid.clone();
                async move { client.open_create(&at, &a).await }
            })
            .await?;
        self.record_binding(rt, &appid, Some(acc.open_appid))
    }

    pub async fn open_bind(
        &self,
        rt: &ProfileRt,
        appid: &str,
        open_appid: &str,
    ) -> CoreResult<OpenBinding> {
        let appid = validate::appid(appid)?;
        let open_appid = validate::appid(open_appid)?;
        self.with_authorizer_token(rt, &appid, |at| {
            let client = rt.client.clone();
            let (a, o) = (appid.clone(), open_appid.clone());
            async move { client.open_bind(&at, &a, &o).await }
        })
        .await?;
        self.record_binding(rt, &appid, Some(open_appid))
    }

    /// Unbinds; refused unless `confirm` is true (the UI asks, the CLI needs `--yes`).
    pub async fn open_unbind(
        &self,
        rt: &ProfileRt,
        appid: &str,
        open_appid: &str,
        confirm: bool,
    ) -> CoreResult<OpenBinding> {
        let appid = validate::appid(appid)?;
        let open_appid = validate::appid(open_appid)?;
        if !confirm {
            return Err(CoreError::Refused(format!(
                "unbinding {appid} from open account {open_appid} needs an explicit confirmation (--yes)"
            )));
        }
        self.with_authorizer_token(rt, &appid, |at| {
            let client = rt.client.clone();
            let (a, o) = (appid.clone(), open_appid.clone());
            async move { client.open_unbind(&at, &a, &o).await }
        })
        .await?;
        self.record_binding(rt, &appid, None)
    }

    fn record_binding(
        &self,
        rt: &ProfileRt,
        appid: &str,
        open_appid: Option<String>,
    ) -> CoreResult<OpenBinding> {
        let t = now();
        self.store
            .open_binding_put(rt.id(), appid, open_appid.as_deref(), t)?;
        Ok(OpenBinding {
            appid: appid.to_string(),
            open_appid,
            checked_at: t,
        })
    }

    /// Marks an authorizer's status (e.g. revoked by hand).
    pub fn authorizer_set_status(
        &self,
        rt: &ProfileRt,
        appid: &str,
        status: Status,
    ) -> CoreResult<()> {
        Ok(self.store.set_authorizer_status(rt.id(), appid, status)?)
    }
}

fn option_name(name: &str) -> CoreResult<String> {
    let n = name.trim();
    if n.is_empty() || !n.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_') {
        return Err(CoreError::InvalidInput(format!(
            "{n:?} is not an option name (location_report, voice_recognize, customer_service)"
        )));
    }
    Ok(n.to_string())
}
