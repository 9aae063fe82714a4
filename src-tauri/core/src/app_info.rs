//! What the app tells about itself (version, data dir, keychain) on the first screen.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use serde::Serialize;

use crate::error::CoreResult;
use crate::secrets::{backend_name, KeychainStatus, SecretStore, SecretsError};

/// How long the start-up keychain probe may take: a hung Secret Service must not leave the first
/// screen waiting forever.
pub const PROBE_TIMEOUT: Duration = Duration::from_secs(5);

#[derive(Debug, Clone, Serialize, specta::Type)]
pub struct AppInfo {
    pub version: String,
    pub data_dir: String,
    pub keychain: KeychainStatus,
}

/// Version, data dir and the keychain probe; `NoAnswer` when the keychain does not answer within
/// `timeout`.
pub async fn app_info(
    data_dir: PathBuf,
    secrets: Arc<dyn SecretStore>,
    timeout: Duration,
) -> CoreResult<AppInfo> {
    Ok(AppInfo {
        version: crate::VERSION.to_string(),
        data_dir: data_dir.display().to_string(),
        keychain: probe_keychain(secrets, timeout).await?,
    })
}

/// Runs the (blocking) probe on the blocking pool, bounded by `timeout`. A probe that never
/// returns keeps its blocking thread; the caller gets its answer anyway.
pub async fn probe_keychain(
    secrets: Arc<dyn SecretStore>,
    timeout: Duration,
) -> Result<KeychainStatus, SecretsError> {
    let task = tokio::task::spawn_blocking(move || secrets.probe());
    match tokio::time::timeout(timeout, task).await {
        Ok(Ok(status)) => Ok(status),
        Ok(Err(join)) => Ok(KeychainStatus::answered(Err(format!(
            "the keychain probe failed: {join}"
        )))),
        Err(_) => Err(SecretsError::NoAnswer {
            backend: backend_name().to_string(),
            millis: u64::try_from(timeout.as_millis()).unwrap_or(u64::MAX),
        }),
    }
}
