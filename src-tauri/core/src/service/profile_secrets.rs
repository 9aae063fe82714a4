//! Writing a profile's secrets to the keychain, validated (profiles and the sandbox share it),
//! and the proxy password kept there rather than in the URL SQLite holds.

use super::proxy_url::{self, ProxyPassword};
use super::validate;
use crate::error::CoreResult;
use crate::local_backend::LocalCredentials;
use crate::secrets::{SecretName, SecretStore, Sensitive};
use crate::store::profiles::{ProfileRow, ProfileUpdate};
use crate::store::Store;

/// Validates and stores the secrets that are given (others untouched).
pub(crate) fn store_secrets(
    secrets: &dyn SecretStore,
    appid: &str,
    appsecret: Option<&str>,
    token: Option<&str>,
    aes_key: Option<&str>,
) -> CoreResult<()> {
    let mut todo = Vec::new();
    if let Some(v) = appsecret {
        todo.push((SecretName::AppSecret, validate::secret("appsecret", v)?));
    }
    if let Some(v) = token {
        todo.push((SecretName::Token, validate::secret("message token", v)?));
    }
    if let Some(v) = aes_key {
        todo.push((SecretName::EncodingAesKey, validate::encoding_aes_key(v)?));
    }
    for (name, value) in todo {
        secrets.set(appid, name, &Sensitive::new(value))?;
    }
    Ok(())
}

/// A shared profile's secrets: the Redis password and the token API header's value. `None`
/// keeps a stored one (`fresh`: removes it, so a new profile never inherits an old one), `""`
/// removes it.
pub(crate) fn store_shared_secrets(
    secrets: &dyn SecretStore,
    appid: &str,
    shared: &super::profiles::SharedInput,
    fresh: bool,
) -> CoreResult<()> {
    for (name, value) in [
        (SecretName::RedisPassword, &shared.redis_password),
        (SecretName::TokenApiHeader, &shared.header_value),
    ] {
        match value.as_deref() {
            Some("") => secrets.delete(appid, name)?,
            Some(v) => {
                if v.chars().any(|c| c.is_control()) {
                    return Err(crate::error::CoreError::InvalidInput(format!(
                        "the {} contains control characters",
                        if name == SecretName::RedisPassword { "Redis password" } else { "header value" }
                    )));
                }
                secrets.set(appid, name, &Sensitive::new(v.to_owned()))?
            }
            None if fresh => secrets.delete(appid, name)?,
            None => {}
        }
    }
    Ok(())
}

/// The sandbox platform's secrets, for its profile.
pub(crate) fn store_local_secrets(
    secrets: &dyn SecretStore,
    creds: &LocalCredentials,
) -> CoreResult<()> {
    store_secrets(
        secrets,
        &creds.component_appid,
        Some(&creds.appsecret),
        Some(&creds.token),
        Some(&creds.encoding_aes_key),
    )
}

/// Stores the password of a proxy URL (already validated) in the keychain and returns the URL
/// to keep in SQLite, without it. A URL without a password (or none at all) removes the stored
/// one; the mask (`user:••••@`, a form sent back unchanged) keeps it.
pub(crate) fn store_proxy_password(
    secrets: &dyn SecretStore,
    appid: &str,
    proxy: Option<&str>,
) -> CoreResult<Option<String>> {
    let Some(proxy) = proxy else {
        secrets.delete(appid, SecretName::ProxyPassword)?;
        return Ok(None);
    };
    let (url, password) = proxy_url::split(proxy)?;
    match password {
        ProxyPassword::Absent => secrets.delete(appid, SecretName::ProxyPassword)?,
        ProxyPassword::Masked => {}
        ProxyPassword::Given(p) => secrets.set(appid, SecretName::ProxyPassword, &p)?,
    }
    Ok(Some(url))
}

/// The proxy URL to connect through: the stored URL with the keychain's password put back.
pub(crate) fn client_proxy(
    secrets: &dyn SecretStore,
    row: &ProfileRow,
) -> CoreResult<Option<String>> {
    let Some(proxy) = row.proxy.as_deref() else {
        return Ok(None);
    };
    match secrets.get(&row.component_appid, SecretName::ProxyPassword)? {
        Some(p) => proxy_url::with_password(proxy, &p).map(Some),
        None => Ok(Some(proxy.to_string())),
    }
}

/// A row written before proxy passwords went to the keychain still holds one in its URL: moves
/// it to the keychain and rewrites the row. Best effort: on failure the row is returned as is
/// (the client still works; every view redacts the URL) and the move is tried again next time.
pub(crate) fn migrate_proxy_password(
    secrets: &dyn SecretStore,
    store: &Store,
    row: ProfileRow,
) -> ProfileRow {
    let Some(proxy) = row.proxy.as_deref() else {
        return row;
    };
    let moved = (|| -> CoreResult<Option<ProfileRow>> {
        let (url, ProxyPassword::Given(p)) = proxy_url::split(proxy)? else {
            return Ok(None);
        };
        secrets.set(&row.component_appid, SecretName::ProxyPassword, &p)?;
        let update = ProfileUpdate {
            proxy: Some(Some(url)),
            ..ProfileUpdate::default()
        };
        Ok(Some(store.profile_update(row.id, &update)?))
    })();
    match moved {
        Ok(Some(updated)) => updated,
        Ok(None) => row,
        Err(e) => {
            tracing::warn!(profile = %row.name, "cannot move the proxy password to the keychain: {e}");
            row
        }
    }
}
