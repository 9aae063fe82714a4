//! Complete an authorization: exchange the auth code (api_query_auth), store the tokens, fetch
//! and store the account's info.

use super::authorizers::AuthorizerView;
use super::tokens::CachedToken;
use super::{now, Console, ProfileRt};
use crate::error::{CoreError, CoreResult};
use crate::secrets::Sensitive;
use crate::store::types::Status;
use wxopen_wechat::links::parse_redirect;

impl Console {
    /// `code_or_url`: the auth code, the redirect URL WeChat sent the admin to, or its query.
    pub async fn auth_complete(
        &self,
        rt: &ProfileRt,
        code_or_url: &str,
    ) -> CoreResult<AuthorizerView> {
        let code = parse_redirect(code_or_url)
            .map_err(|e| CoreError::InvalidInput(e.to_string()))?
            .auth_code;
        self.complete_with_code(rt, &code).await
    }

    pub(crate) async fn complete_with_code(
        &self,
        rt: &ProfileRt,
        code: &str,
    ) -> CoreResult<AuthorizerView> {
        let received = now();
        let answer = self
            .with_component_token(rt, |ct| {
                let client = rt.client.clone();
                let appid = rt.appid().to_string();
                let code = code.to_string();
                async move { client.query_auth(&ct, &appid, &code).await }
            })
            .await?;
        let info = answer.authorization_info;
        let appid = info.authorizer_appid.clone();
        if appid.is_empty() {
            return Err(CoreError::Internal(
                "api_query_auth answered without an authorizer_appid".into(),
            ));
        }
        let refresh = info.authorizer_refresh_token.as_deref();
        match (&info.authorizer_access_token, info.expires_in) {
            (Some(access), Some(expires_in)) if refresh.is_some() => {
                let expires_at = crate::clock::expiry(received, expires_in);
                self.store.authorizer_token_put_access(
                    rt.id(),
                    &appid,
                    access,
                    expires_at,
                    refresh,
                )?;
                self.remember_authorizer_token(
                    rt,
                    &appid,
                    CachedToken {
                        token: Sensitive::new(access.clone()),
                        expires_at,
                    },
                )
                .await?;
            }
            _ => {
                if let Some(r) = refresh {
                    self.store
                        .authorizer_token_put_refresh(rt.id(), &appid, r)?;
                }
            }
        }
        self.store
            .set_authorizer_status(rt.id(), &appid, Status::Authorized)?;
        self.authorizer_fetch(rt, &appid).await
    }
}
