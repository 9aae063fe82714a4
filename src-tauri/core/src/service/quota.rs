//! Clearing the platform's API quotas: at most 10 resets a month (counted locally, refused past
//! that), `clear_quota` with the component token, or `clear_quota/v2` with the appsecret when
//! the token call itself is over quota.

use serde::Serialize;

use super::{now, Console, ProfileRt};
use crate::error::{CoreError, CoreResult};
use crate::secrets::SecretName;
use wxopen_wechat::client::paths;

/// Resets allowed per account per month.
pub const RESETS_PER_MONTH: u32 = 10;

#[derive(Debug, Clone, Serialize, specta::Type)]
pub struct QuotaStatus {
    pub resets_this_month: u32,
    pub resets_left: u32,
}

#[derive(Debug, Clone, Serialize, specta::Type)]
pub struct QuotaCleared {
    /// `clear_quota` or `clear_quota/v2`.
    pub endpoint: String,
    pub resets_this_month: u32,
    pub resets_left: u32,
}

impl Console {
    pub fn quota_status(&self, rt: &ProfileRt) -> CoreResult<QuotaStatus> {
        let used = self.store.quota_resets_count_this_month(rt.id(), now())?;
        Ok(QuotaStatus {
            resets_this_month: used,
            resets_left: RESETS_PER_MONTH.saturating_sub(used),
        })
    }

    pub async fn quota_clear(&self, rt: &ProfileRt) -> CoreResult<QuotaCleared> {
        let used = self.store.quota_resets_count_this_month(rt.id(), now())?;
        if used >= RESETS_PER_MONTH {
            return Err(CoreError::Refused(format!(
                "the API quota was already reset {used} times this month: WeChat allows {RESETS_PER_MONTH} (48006 past that)"
            )));
        }
        let r = self
            .with_component_token(rt, |ct| {
                let client = rt.client.clone();
                let appid = rt.appid().to_string();
                async move { client.clear_quota(&ct, &appid).await }
            })
            .await;
        let endpoint = match r {
            Ok(_) => paths::COMPONENT_CLEAR_QUOTA,
            Err(CoreError::WeChat(e))
                if e.errcode() == Some(45009) && e.endpoint() == paths::API_COMPONENT_TOKEN =>
            {
                // No token can be had: reset with the appsecret instead.
                let secret = self.secret(rt.appid(), SecretName::AppSecret)?;
                rt.client
                    .clear_quota_v2(rt.appid(), secret.expose(), None)
                    .await?;
                paths::COMPONENT_CLEAR_QUOTA_V2
            }
            Err(e) => return Err(e),
        };
        self.store.quota_reset_insert(rt.id(), now(), None)?;
        let used = used + 1;
        Ok(QuotaCleared {
            endpoint: endpoint.to_string(),
            resets_this_month: used,
            resets_left: RESETS_PER_MONTH.saturating_sub(used),
        })
    }
}
