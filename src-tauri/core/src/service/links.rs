//! Authorization links: a fresh pre_auth_code for every link (single use), stored with its
//! expiry; the PC link (for the platform's own web page) and the mobile link (+ its QR code).

use serde::{Deserialize, Serialize};

use super::{now, qr, validate, Console, ProfileRt};
use crate::error::{CoreError, CoreResult};
use crate::store::pre_auth_codes::NewPreAuthCode;
use crate::store::profiles::ProfileUpdate;
use wxopen_wechat::links::{self, AuthLinkParams};

#[derive(Debug, Clone, Deserialize, specta::Type)]
pub struct LinkRequest {
    pub redirect_uri: String,
    /// 1 official accounts, 2 mini programs, 3 both (default), larger values for newer kinds.
    pub auth_type: Option<u32>,
    /// Only this account may authorize.
    pub biz_appid: Option<String>,
}

#[derive(Debug, Clone, Serialize, specta::Type)]
pub struct AuthLink {
    /// For a page on the platform's authorization-initiation domain (no QR code: it only works
    /// when clicked from there).
    pub pc_link: String,
    /// Open inside WeChat: scan [`Self::mobile_qr_svg`].
    pub mobile_link: String,
    pub mobile_qr_svg: String,
    pub expires_at: i64,
    pub redirect_uri: String,
    pub auth_type: u32,
    pub biz_appid: Option<String>,
}

impl Console {
    pub async fn link_create(&self, rt: &ProfileRt, req: LinkRequest) -> CoreResult<AuthLink> {
        let biz_appid = match req.biz_appid.as_deref().map(str::trim) {
            Some("") | None => None,
            Some(b) => Some(validate::appid(b)?),
        };
        let mut params = AuthLinkParams::new(rt.appid(), "x", req.redirect_uri.trim());
        params.auth_type = req.auth_type;
        params.biz_appid = biz_appid.clone();
        links::validate(&params).map_err(|e| CoreError::InvalidInput(e.to_string()))?;
        let received = now();
        let code = self
            .with_component_token(rt, |ct| {
                let client = rt.client.clone();
                let appid = rt.appid().to_string();
                async move { client.create_preauthcode(&ct, &appid).await }
            })
            .await?;
        params.pre_auth_code = code.pre_auth_code.clone();
        let pc_link = links::pc_link(&params);
        let mobile_link = links::mobile_link(&params);
        let expires_at = crate::clock::expiry(received, code.expires_in);
        self.store.pre_auth_code_insert(&NewPreAuthCode {
            profile_id: rt.id(),
            code: code.pre_auth_code,
            expires_at,
            auth_type: req.auth_type.map(i64::from),
            biz_appid: biz_appid.clone(),
            redirect_uri: params.redirect_uri.clone(),
            pc_link: pc_link.clone(),
            mobile_link: mobile_link.clone(),
        })?;
        if rt.profile.redirect_uri.as_deref() != Some(params.redirect_uri.as_str()) {
            self.store.profile_update(
                rt.id(),
                &ProfileUpdate {
                    redirect_uri: Some(Some(params.redirect_uri.clone())),
                    ..Default::default()
                },
            )?;
        }
        Ok(AuthLink {
            mobile_qr_svg: qr::svg(&mobile_link)?,
            pc_link,
            mobile_link,
            expires_at,
            redirect_uri: params.redirect_uri,
            auth_type: req.auth_type.unwrap_or(links::DEFAULT_AUTH_TYPE),
            biz_appid,
        })
    }
}
