//! Writing a profile's secrets to the keychain, validated (profiles and the sandbox share it).

use super::validate;
use crate::error::CoreResult;
use crate::local_backend::LocalCredentials;
use crate::secrets::{SecretName, SecretStore, Sensitive};

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
