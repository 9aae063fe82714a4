//! [`Console`]: the store, the keychain, one WeChat client and token source per profile, and
//! the in-process simulator behind the sandbox profile.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use super::audit;
pub use super::options::*;
use super::profile_secrets::{client_proxy, store_local_secrets};
use super::token_source::TokenSource;
use crate::clock::now;
use crate::error::{CoreError, CoreResult};
use crate::local_backend::{self, LocalBackend, LocalBackendConfig};
use crate::secrets::{SecretName, SecretStore, Sensitive};
use crate::store::profiles::ProfileRow;
use crate::store::Store;
use wxopen_wechat::client::{ClientConfig, ComponentClient};

/// The per-profile runtime: its row, its HTTP client and its token cells.
pub struct ProfileRt {
    pub profile: ProfileRow,
    pub(crate) client: ComponentClient,
    pub(crate) source: TokenSource,
}

impl ProfileRt {
    pub fn id(&self) -> i64 {
        self.profile.id
    }
    pub fn appid(&self) -> &str {
        &self.profile.component_appid
    }
}

/// The console core. Share one per process (`Arc<Console>`).
pub struct Console {
    pub(crate) store: Store,
    pub(crate) secrets: Arc<dyn SecretStore>,
    runtimes: Mutex<HashMap<i64, Arc<ProfileRt>>>,
    sandbox: tokio::sync::Mutex<Option<Box<dyn LocalBackend>>>,
    pub(crate) audit: audit::AuditWriter,
    pub(crate) options: ConsoleOptions,
    /// This console as a sync lease owner (`label:pid@host#nonce`).
    pub(crate) owner: String,
}

impl Console {
    pub fn new(store: Store, secrets: Arc<dyn SecretStore>) -> Console {
        Console::with_options(store, secrets, ConsoleOptions::default())
    }

    pub fn with_options(
        store: Store,
        secrets: Arc<dyn SecretStore>,
        options: ConsoleOptions,
    ) -> Console {
        let audit = audit::AuditWriter::start(store.clone());
        let owner = super::lease::Owner::this_process(&options.owner_label).to_string();
        Console {
            owner,
            store,
            secrets,
            runtimes: Mutex::new(HashMap::new()),
            sandbox: tokio::sync::Mutex::new(None),
            audit,
            options,
        }
    }

    pub fn store(&self) -> &Store {
        &self.store
    }

    pub fn options(&self) -> &ConsoleOptions {
        &self.options
    }

    /// This console as a sync lease owner, as stored in `sync_runs.owner`.
    pub fn lease_owner(&self) -> &str {
        &self.owner
    }

    /// Gives the store's page cache back after bulk work (a sync, the sandbox's token reset).
    /// Best effort: the work itself succeeded, and only memory is at stake.
    pub(crate) fn release_page_cache(&self) {
        if let Err(e) = self.store.release_memory() {
            tracing::warn!("cannot release the SQLite page cache: {e}");
        }
    }

    /// Writes pending audit records (call before the process exits).
    pub fn flush(&self) {
        self.audit.flush();
    }

    /// Stops the in-process simulator (if running) and flushes the audit log.
    pub async fn shutdown(&self) {
        if let Some(sb) = self.sandbox.lock().await.take() {
            sb.shutdown().await;
        }
        self.flush();
    }

    /// The profile named `name`, or the selected one, ready to call WeChat (the sandbox profile
    /// starts its simulator on demand).
    pub async fn profile(&self, name: Option<&str>) -> CoreResult<Arc<ProfileRt>> {
        let row = match name {
            Some(n) => self
                .store
                .profile_by_name(n)?
                .ok_or_else(|| CoreError::NotFound(format!("profile {n:?}")))?,
            None => self.store.selected_profile()?.ok_or_else(|| {
                CoreError::NotFound(
                    "a selected profile (add one with `wxopen profile add`, or pass --profile)"
                        .into(),
                )
            })?,
        };
        self.runtime(row).await
    }

    pub(crate) async fn runtime(&self, row: ProfileRow) -> CoreResult<Arc<ProfileRt>> {
        let row = self.loaded(row);
        let row = if row.is_sandbox {
            self.ensure_sandbox(row).await?
        } else {
            row
        };
        {
            let map = self.runtimes.lock().unwrap_or_else(|p| p.into_inner());
            if let Some(rt) = map.get(&row.id) {
                if rt.profile == row {
                    return Ok(rt.clone());
                }
            }
        }
        let config = ClientConfig {
            api_base: row.api_base.clone(),
            proxy: client_proxy(self.secrets.as_ref(), &row)?,
            ..ClientConfig::default()
        };
        let client = ComponentClient::new(config)?.with_observer(self.audit.observer(row.id));
        let rt = Arc::new(ProfileRt {
            source: TokenSource::for_profile(&row, self.secrets.clone(), &self.options)?,
            profile: row,
            client,
        });
        let mut map = self.runtimes.lock().unwrap_or_else(|p| p.into_inner());
        map.insert(rt.profile.id, rt.clone());
        Ok(rt)
    }

    pub(crate) fn forget_runtime(&self, profile_id: i64) {
        let mut map = self.runtimes.lock().unwrap_or_else(|p| p.into_inner());
        map.remove(&profile_id);
    }

    /// One secret of a profile, or a clear error naming what is missing.
    pub(crate) fn secret(&self, appid: &str, name: SecretName) -> CoreResult<Sensitive<String>> {
        self.secrets.get(appid, name)?.ok_or_else(|| {
            CoreError::NotFound(format!(
                "the {} of profile {appid} in the keychain (set it again with `wxopen profile add`)",
                match name {
                    SecretName::AppSecret => "appsecret",
                    SecretName::Token => "message token",
                    SecretName::EncodingAesKey => "EncodingAESKey",
                    SecretName::ProxyPassword => "proxy password",
                    SecretName::RedisPassword => "Redis password",
                    SecretName::TokenApiHeader => "token API header",
                }
            ))
        })
    }

    /// Starts the in-process simulator when needed and points the sandbox profile at it.
    async fn ensure_sandbox(&self, row: ProfileRow) -> CoreResult<ProfileRow> {
        let mut guard = self.sandbox.lock().await;
        let fresh = guard.is_none();
        if fresh {
            let config = |port| LocalBackendConfig {
                authorizers: self.options.sandbox_authorizers,
                port,
                control_token: self.options.sandbox_control_token.clone(),
            };
            // Same port as last time when it is free: the cached avatar and QR code URLs point
            // at the simulator, and would break on every restart otherwise.
            let previous = (self.options.sandbox_port == 0)
                .then(|| loopback_port(&row.api_base))
                .flatten();
            let started = match previous {
                Some(port) => match local_backend::start(config(port)).await {
                    Ok(sb) => Ok(sb),
                    Err(_) => local_backend::start(config(0)).await,
                },
                None => local_backend::start(config(self.options.sandbox_port)).await,
            };
            let sb = started.map_err(|e| CoreError::io("start the sandbox simulator", e))?;
            *guard = Some(sb);
        }
        let sb = guard.as_ref().expect("started");
        let base = sb.base_url();
        if row.api_base == base && !fresh {
            return Ok(row);
        }
        // A new simulator: new port, new tickets and tokens (refresh tokens are seeded and stay).
        if loopback_port(&row.api_base).is_some() && row.api_base != base {
            // The previous port was taken: the cached avatars and QR codes follow the simulator.
            self.store
                .rebase_sandbox_images(row.id, &row.api_base, &base)?;
        }
        let updated = self.store.profile_update(
            row.id,
            &crate::store::profiles::ProfileUpdate {
                api_base: Some(base),
                ..Default::default()
            },
        )?;
        self.store.component_token_clear(row.id)?;
        self.store.authorizer_tokens_clear_access_all(row.id)?;
        // That read every token row of the profile into the write connection's cache.
        self.release_page_cache();
        let ticket = sb.issue_ticket();
        self.store.ticket_insert(
            row.id,
            &ticket,
            now(),
            crate::store::tickets::TicketSource::Sandbox,
        )?;
        let creds = sb.credentials();
        drop(guard);
        store_local_secrets(self.secrets.as_ref(), &creds)?;
        self.forget_runtime(row.id);
        Ok(updated)
    }
}

/// The port of an `http://127.0.0.1:PORT` base URL.
pub(crate) fn loopback_port(api_base: &str) -> Option<u16> {
    let rest = api_base.strip_prefix("http://127.0.0.1:")?;
    rest.trim_end_matches('/').parse().ok().filter(|p| *p != 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loopback_port_reads_only_loopback_urls() {
        assert_eq!(loopback_port("http://127.0.0.1:43117"), Some(43117));
        assert_eq!(loopback_port("http://127.0.0.1:43117/"), Some(43117));
        assert_eq!(loopback_port("https://api.weixin.qq.com"), None);
        assert_eq!(loopback_port("http://127.0.0.1:0"), None);
        assert_eq!(loopback_port("http://127.0.0.1:x"), None);
    }
}
