//! Profiles: one WeChat third-party platform each. Secrets go to the keychain, the rest to
//! SQLite.

use serde::{Deserialize, Serialize};

use super::profile_secrets::{
    migrate_proxy_password, store_local_secrets, store_proxy_password, store_secrets,
    store_shared_secrets,
};
use super::proxy_url;
pub use super::shared_input::{SharedInput, TokensEdit};
use super::{validate, Console};
use crate::error::{CoreError, CoreResult};
use crate::local_backend;
use crate::secrets::{SecretName, SecretStatus, SecretStore};
use crate::store::profiles::{NewProfile, OptionApi, ProfileRow, ProfileUpdate, TokenSourceKind};
use wxopen_wechat::client::DEFAULT_API_BASE;

/// The sandbox profile's name.
pub const SANDBOX_PROFILE: &str = "sandbox";
/// The sandbox profile's API base until its simulator first starts: port 0 names no port, so the
/// first start takes a free one. (A real port here, such as the `:1` this once was, is taken for
/// the last run's and bound where privileged ports are allowed (root): the avatars and QR codes
/// synced then carry a port no later simulator may get.)
pub const SANDBOX_UNSTARTED_BASE: &str = "http://127.0.0.1:0";

/// A new profile. Secrets are optional here (they can be set later) and never serialized.
#[derive(Clone, Default, Deserialize, specta::Type)]
pub struct ProfileInput {
    pub name: String,
    pub component_appid: String,
    /// Default `https://api.weixin.qq.com`.
    pub api_base: Option<String>,
    pub proxy: Option<String>,
    /// Use the newer get/set_authorizer_option endpoints.
    #[serde(default)]
    pub option_v2: bool,
    pub appsecret: Option<String>,
    pub token: Option<String>,
    pub encoding_aes_key: Option<String>,
    /// Borrow the tokens from the platform's backend (team mode); `None`: this console owns them.
    #[serde(default)]
    pub shared: Option<SharedInput>,
}

impl std::fmt::Debug for ProfileInput {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ProfileInput")
            .field("name", &self.name)
            .field("component_appid", &self.component_appid)
            .field("api_base", &self.api_base)
            .finish_non_exhaustive()
    }
}

/// Changes to a profile; `None` keeps a value. Secrets given here replace the stored ones.
#[derive(Clone, Default, Deserialize, specta::Type)]
pub struct ProfileEdit {
    pub name: Option<String>,
    pub api_base: Option<String>,
    /// `Some("")` removes the proxy.
    pub proxy: Option<String>,
    pub option_v2: Option<bool>,
    pub appsecret: Option<String>,
    pub token: Option<String>,
    pub encoding_aes_key: Option<String>,
    #[serde(default)]
    pub tokens: Option<TokensEdit>,
}

/// A profile as the UI and the CLI show it.
#[derive(Debug, Clone, Serialize, specta::Type)]
pub struct ProfileView {
    #[serde(flatten)]
    pub profile: ProfileRow,
    pub selected: bool,
    /// Keychain state of each secret (`set` + masked tail); `None` when the keychain could not
    /// be read.
    pub secrets: Option<ProfileSecrets>,
}

#[derive(Debug, Clone, Serialize, specta::Type)]
pub struct ProfileSecrets {
    pub appsecret: SecretStatus,
    pub token: SecretStatus,
    pub encoding_aes_key: SecretStatus,
    pub redis_password: SecretStatus,
    pub token_api_header: SecretStatus,
}

impl Console {
    /// Adds a profile (validated; secrets to the keychain). The first profile becomes selected.
    pub fn profile_add(&self, input: ProfileInput) -> CoreResult<ProfileView> {
        let name = validate::profile_name(&input.name)?;
        let appid = validate::appid(&input.component_appid)?;
        let (api_base, proxy) = validate::urls(
            input.api_base.as_deref().unwrap_or(DEFAULT_API_BASE),
            input.proxy.as_deref(),
        )?;
        // Validate every secret before writing anything.
        for (what, v) in [
            ("appsecret", &input.appsecret),
            ("message token", &input.token),
        ] {
            if let Some(v) = v {
                validate::secret(what, v)?;
            }
        }
        if let Some(k) = &input.encoding_aes_key {
            validate::encoding_aes_key(k)?;
        }
        if let Some(shared) = &input.shared {
            shared.source.check()?;
        }
        // The password, if any, goes to the keychain below; never to SQLite.
        let (proxy, proxy_password) = match proxy.as_deref().map(proxy_url::split).transpose()? {
            Some((url, proxy_url::ProxyPassword::Given(p))) => (Some(url), Some(p)),
            Some((url, _)) => (Some(url), None),
            None => (None, None),
        };
        let row = self.store.profile_insert(&NewProfile {
            name,
            component_appid: appid.clone(),
            api_base,
            proxy,
            is_sandbox: false,
            option_api: if input.option_v2 {
                OptionApi::V2
            } else {
                OptionApi::Legacy
            },
            redirect_uri: None,
            token_source: if input.shared.is_some() {
                TokenSourceKind::Shared
            } else {
                TokenSourceKind::Local
            },
            shared_source: input.shared.as_ref().map(|s| s.source.clone()),
        })?;
        let stored = store_secrets(
            self.secrets.as_ref(),
            &appid,
            input.appsecret.as_deref(),
            input.token.as_deref(),
            input.encoding_aes_key.as_deref(),
        )
        .and_then(|()| match &proxy_password {
            Some(p) => Ok(self.secrets.set(&appid, SecretName::ProxyPassword, p)?),
            // A password left by an earlier profile of this appid must not come back.
            None => Ok(self.secrets.delete(&appid, SecretName::ProxyPassword)?),
        })
        .and_then(|()| match &input.shared {
            Some(shared) => store_shared_secrets(self.secrets.as_ref(), &appid, shared, true),
            None => Ok(()),
        });
        if let Err(e) = stored {
            // No half-made profile: without its secrets it could not be used.
            let _ = self.store.profile_delete(row.id);
            return Err(e);
        }
        if self.store.selected_profile()?.is_none() {
            self.store.select_profile(Some(row.id))?;
        }
        self.profile_view(row)
    }

    /// "Try the sandbox": adds the sandbox profile, starts its simulator and selects it.
    pub async fn profile_try_sandbox(&self) -> CoreResult<ProfileView> {
        let view = self.profile_add_sandbox(None).await?;
        self.profile_select(&view.profile.name)
    }

    /// Adds the sandbox profile (the embedded simulator; its secrets are filled in).
    pub async fn profile_add_sandbox(&self, name: Option<&str>) -> CoreResult<ProfileView> {
        let creds = local_backend::default_credentials()
            .ok_or_else(|| CoreError::InvalidInput("this build has no sandbox simulator".into()))?;
        let name = validate::profile_name(name.unwrap_or(SANDBOX_PROFILE))?;
        let row = self.store.profile_insert(&NewProfile {
            name,
            component_appid: creds.component_appid.clone(),
            api_base: SANDBOX_UNSTARTED_BASE.into(),
            proxy: None,
            is_sandbox: true,
            token_source: TokenSourceKind::Local,
            option_api: OptionApi::Legacy,
            redirect_uri: None,
            shared_source: None,
        })?;
        store_local_secrets(self.secrets.as_ref(), &creds)?;
        if self.store.selected_profile()?.is_none() {
            self.store.select_profile(Some(row.id))?;
        }
        let rt = self.runtime(row).await?;
        self.profile_view(rt.profile.clone())
    }

    pub fn profile_edit(&self, name: &str, edit: ProfileEdit) -> CoreResult<ProfileView> {
        let row = self.profile_row(name)?;
        let mut update = ProfileUpdate::default();
        if let Some(n) = &edit.name {
            update.name = Some(validate::profile_name(n)?);
        }
        if edit.api_base.is_some() || edit.proxy.is_some() {
            let base = edit.api_base.as_deref().unwrap_or(&row.api_base);
            let proxy = match &edit.proxy {
                Some(p) => Some(p.as_str()),
                None => row.proxy.as_deref(),
            };
            let (base, proxy) = validate::urls(base, proxy)?;
            update.api_base = Some(base);
            // Only a proxy given here touches the stored password (the row's URL has none).
            update.proxy = Some(match edit.proxy {
                Some(_) => store_proxy_password(
                    self.secrets.as_ref(),
                    &row.component_appid,
                    proxy.as_deref(),
                )?,
                None => proxy,
            });
        }
        if let Some(v2) = edit.option_v2 {
            update.option_api = Some(if v2 { OptionApi::V2 } else { OptionApi::Legacy });
        }
        match &edit.tokens {
            None => {}
            Some(TokensEdit::Local) => {
                if row.is_sandbox {
                    return Err(CoreError::InvalidInput(
                        "the sandbox profile owns its tokens".into(),
                    ));
                }
                update.token_source = Some(TokenSourceKind::Local);
                update.shared_source = Some(None);
            }
            Some(TokensEdit::Shared(shared)) => {
                if row.is_sandbox {
                    return Err(CoreError::InvalidInput(
                        "the sandbox profile owns its tokens: add a profile for the platform whose backend you share".into(),
                    ));
                }
                shared.source.check()?;
                store_shared_secrets(self.secrets.as_ref(), &row.component_appid, shared, false)?;
                update.token_source = Some(TokenSourceKind::Shared);
                update.shared_source = Some(Some(shared.source.clone()));
            }
        }
        store_secrets(
            self.secrets.as_ref(),
            &row.component_appid,
            edit.appsecret.as_deref(),
            edit.token.as_deref(),
            edit.encoding_aes_key.as_deref(),
        )?;
        let updated = self.store.profile_update(row.id, &update)?;
        self.forget_runtime(row.id);
        self.profile_view(updated)
    }

    /// Removes a profile, its cached data and its keychain entries.
    pub fn profile_remove(&self, name: &str) -> CoreResult<()> {
        let row = self.profile_row(name)?;
        self.secrets.delete_all(&row.component_appid)?;
        self.store.profile_delete(row.id)?;
        self.forget_runtime(row.id);
        Ok(())
    }

    pub fn profile_list(&self) -> CoreResult<Vec<ProfileView>> {
        let rows = self.store.profiles_list()?;
        rows.into_iter()
            .map(|r| self.profile_view(self.loaded(r)))
            .collect()
    }

    /// Makes `name` the selected profile.
    pub fn profile_select(&self, name: &str) -> CoreResult<ProfileView> {
        let row = self.profile_row(name)?;
        self.store.select_profile(Some(row.id))?;
        self.profile_view(row)
    }

    pub(crate) fn profile_row(&self, name: &str) -> CoreResult<ProfileRow> {
        let row = self
            .store
            .profile_by_name(name)?
            .ok_or_else(|| CoreError::NotFound(format!("profile {name:?}")))?;
        Ok(self.loaded(row))
    }

    /// A row as read from SQLite, with a proxy password of an older version moved out of it.
    pub(crate) fn loaded(&self, row: ProfileRow) -> ProfileRow {
        migrate_proxy_password(self.secrets.as_ref(), &self.store, row)
    }

    fn profile_view(&self, mut row: ProfileRow) -> CoreResult<ProfileView> {
        let selected = self.store.selected_profile()?.map(|p| p.id) == Some(row.id);
        let appid = row.component_appid.clone();
        if let Some(proxy) = row.proxy.take() {
            // An unreadable keychain still shows no password (and `user:••••@` if in the URL).
            let stored = self
                .secrets
                .get(&appid, SecretName::ProxyPassword)
                .is_ok_and(|p| p.is_some());
            row.proxy = Some(proxy_url::redact(&proxy, stored));
        }
        let secrets = (|| -> CoreResult<ProfileSecrets> {
            Ok(ProfileSecrets {
                appsecret: self.secrets.status(&appid, SecretName::AppSecret)?,
                token: self.secrets.status(&appid, SecretName::Token)?,
                encoding_aes_key: self.secrets.status(&appid, SecretName::EncodingAesKey)?,
                redis_password: self.secrets.status(&appid, SecretName::RedisPassword)?,
                token_api_header: self.secrets.status(&appid, SecretName::TokenApiHeader)?,
            })
        })()
        .ok();
        Ok(ProfileView {
            profile: row,
            selected,
            secrets,
        })
    }
}
