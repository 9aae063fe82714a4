//! The OS keychain. The only module that talks to `keyring`: secrets never go anywhere else.
//!
//! Entries live under service [`SERVICE`] (`wxopen-console`), account `<component_appid>/<name>`
//! where name is one of [`SecretName`] (`appsecret`, `token`, `encoding_aes_key`).
//!
//! - [`SecretStore`]: the trait the service layer uses (`get` / `set` / `delete`, plus `status`
//!   and `delete_all` helpers).
//! - [`KeyringStore`]: the real OS keychain (Secret Service on Linux, Keychain on macOS,
//!   Credential Manager on Windows). Every call runs with a timeout, so an unresponsive backend
//!   fails with [`SecretsError::Unavailable`] instead of hanging.
//! - [`MemoryStore`]: in memory, for unit tests of other layers only.
//! - [`Sensitive`]: wrapper whose Debug/Display print `<redacted>` and which cannot be serialized.
//! - [`masked_tail`] / [`SecretStatus`]: what the UI may see (`set` + `••••3f9a`).
//!
//! When no keychain answers, nothing falls back to plain text: callers get
//! [`SecretsError::Unavailable`], whose message and [`SecretsError::hint`] name the backend tried
//! and how to fix it.

mod names;
mod probe;
mod sensitive;

use std::collections::HashMap;
use std::sync::{mpsc, Mutex};
use std::time::Duration;

use serde::Serialize;

pub use names::{account, SecretName, SERVICE};
pub use probe::{backend_name, probe, probe_service, KeychainStatus};
pub use sensitive::Sensitive;

/// Shown whenever the keychain cannot be reached (the hint for the backend of this OS).
pub const KEYCHAIN_FIX_HINT: &str = "On Linux the console stores secrets through the Secret Service (D-Bus): start a keyring daemon, e.g. `gnome-keyring-daemon --unlock --components=secrets` inside a D-Bus session. Nothing is ever stored in plain text instead.";

/// How to make `backend` reachable (names the backend and the fix).
pub fn fix_hint(backend: &str) -> String {
    if backend.contains("Secret Service") {
        format!(
            "Tried the {backend}. Start and unlock a Secret Service provider: log into a desktop session with GNOME Keyring or KWallet, or run `gnome-keyring-daemon --unlock --components=secrets` inside a D-Bus session (e.g. `dbus-run-session -- …`), and check DBUS_SESSION_BUS_ADDRESS. Nothing is ever stored in plain text instead."
        )
    } else if backend.contains("macOS") {
        format!("Tried the {backend}. Unlock the login keychain (Keychain Access) and allow wxopen to use it. Nothing is ever stored in plain text instead.")
    } else if backend.contains("Windows") {
        format!("Tried the {backend}. Check that the Credential Manager service (VaultSvc) is running for your user. Nothing is ever stored in plain text instead.")
    } else {
        format!("Tried the {backend}. Make the OS keychain reachable. Nothing is ever stored in plain text instead.")
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SecretsError {
    /// No keychain answered (not running, locked, no D-Bus session, timed out…).
    #[error("no keychain available ({backend}): {detail}")]
    Unavailable { backend: String, detail: String },
    /// The keychain answered but refused the operation (bad encoding, ambiguous entries, too long).
    #[error("keychain error ({backend}): {detail}")]
    Rejected { backend: String, detail: String },
    /// The keychain did not answer at all within `millis` (a hung daemon or D-Bus call).
    #[error("the keychain ({backend}) did not answer within {} s", secs_text(.millis))]
    NoAnswer { backend: String, millis: u64 },
}

/// `5` for 5000 ms, `0.05` for 50 ms.
fn secs_text(millis: &u64) -> String {
    if millis.is_multiple_of(1000) {
        (millis / 1000).to_string()
    } else {
        format!("{}", *millis as f64 / 1000.0)
    }
}

impl SecretsError {
    pub fn backend(&self) -> &str {
        match self {
            SecretsError::Unavailable { backend, .. }
            | SecretsError::Rejected { backend, .. }
            | SecretsError::NoAnswer { backend, .. } => backend,
        }
    }

    /// What the operator can do: names the backend tried and how to fix it.
    pub fn hint(&self) -> String {
        match self {
            SecretsError::Unavailable { backend, .. } => fix_hint(backend),
            SecretsError::Rejected { backend, .. } => format!(
                "The {backend} refused the operation. Remove the `{SERVICE}` entries of this profile with your keychain tool and set the secrets again."
            ),
            SecretsError::NoAnswer { .. } => format!(
                "Is gnome-keyring/KWallet running and unlocked? {}",
                fix_hint(self.backend())
            ),
        }
    }
}

/// What the UI may know about a secret: whether it is set, and its masked tail.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
pub struct SecretStatus {
    pub set: bool,
    /// `••••3f9a` (last 4 characters), when set.
    pub tail: Option<String>,
}

impl SecretStatus {
    pub fn of(value: Option<&Sensitive<String>>) -> SecretStatus {
        match value {
            Some(v) => SecretStatus {
                set: true,
                tail: Some(masked_tail(v.expose())),
            },
            None => SecretStatus {
                set: false,
                tail: None,
            },
        }
    }
}

/// `••••` followed by the last 4 characters; values of 4 characters or fewer show no tail.
pub fn masked_tail(value: &str) -> String {
    let count = value.chars().count();
    if count <= 4 {
        return "••••".to_string();
    }
    let tail: String = value.chars().skip(count - 4).collect();
    format!("••••{tail}")
}

/// Where secrets live. `NoEntry` is not an error: `get` answers `None`, `delete` succeeds.
pub trait SecretStore: Send + Sync {
    fn get(&self, appid: &str, name: SecretName)
        -> Result<Option<Sensitive<String>>, SecretsError>;
    fn set(
        &self,
        appid: &str,
        name: SecretName,
        value: &Sensitive<String>,
    ) -> Result<(), SecretsError>;
    fn delete(&self, appid: &str, name: SecretName) -> Result<(), SecretsError>;

    /// Whether the backend answers at all (asked at start-up). May block as long as the backend
    /// does: callers bound it with `app_info::probe_keychain`.
    fn probe(&self) -> KeychainStatus {
        KeychainStatus::answered(
            self.get("probe", SecretName::Token)
                .map(|_| ())
                .map_err(|e| e.to_string()),
        )
    }

    /// `set` + masked tail, for the UI.
    fn status(&self, appid: &str, name: SecretName) -> Result<SecretStatus, SecretsError> {
        Ok(SecretStatus::of(self.get(appid, name)?.as_ref()))
    }

    /// Removes every secret of a profile (profile removal).
    fn delete_all(&self, appid: &str) -> Result<(), SecretsError> {
        for name in SecretName::ALL {
            self.delete(appid, name)?;
        }
        Ok(())
    }
}

/// The OS keychain through `keyring`.
#[derive(Debug, Clone)]
pub struct KeyringStore {
    service: String,
    timeout: Duration,
}

impl Default for KeyringStore {
    fn default() -> Self {
        KeyringStore::new()
    }
}

/// Keychain service name override (tests use their own so they never touch real entries).
pub const ENV_SERVICE: &str = "WXOPEN_KEYCHAIN_SERVICE";

impl KeyringStore {
    /// Default operation timeout; `WXOPEN_KEYCHAIN_TIMEOUT_SECS` overrides it.
    pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(15);

    /// Entries under [`SERVICE`].
    pub fn new() -> KeyringStore {
        KeyringStore::with_service(SERVICE)
    }

    /// Entries under `WXOPEN_KEYCHAIN_SERVICE` when set (tests, a second install), else
    /// [`SERVICE`]: what the app and the CLI both use, so they see the same secrets.
    pub fn from_env() -> KeyringStore {
        match std::env::var(ENV_SERVICE) {
            Ok(s) if !s.trim().is_empty() => KeyringStore::with_service(s.trim()),
            _ => KeyringStore::new(),
        }
    }

    /// Entries under another service name (tests use their own, so they never touch real data).
    pub fn with_service(service: impl Into<String>) -> KeyringStore {
        let timeout = std::env::var("WXOPEN_KEYCHAIN_TIMEOUT_SECS")
            .ok()
            .and_then(|v| v.parse::<u64>().ok())
            .filter(|v| *v > 0)
            .map(Duration::from_secs)
            .unwrap_or(Self::DEFAULT_TIMEOUT);
        KeyringStore {
            service: service.into(),
            timeout,
        }
    }

    pub fn with_timeout(mut self, timeout: Duration) -> KeyringStore {
        self.timeout = timeout;
        self
    }

    pub fn service(&self) -> &str {
        &self.service
    }

    pub fn backend(&self) -> &'static str {
        backend_name()
    }

    /// Runs one keychain operation on its own thread, so a backend that never answers (a locked
    /// collection waiting for a prompt, a stuck D-Bus) turns into `Unavailable` after the timeout.
    fn run<R: Send + 'static>(
        &self,
        appid: &str,
        name: SecretName,
        op: impl Fn(&keyring::Entry) -> keyring::Result<R> + Send + 'static,
    ) -> Result<keyring::Result<R>, SecretsError> {
        let service = self.service.clone();
        let account = account(appid, name);
        let (tx, rx) = mpsc::channel();
        std::thread::Builder::new()
            .name("wxopen-keychain".into())
            .spawn(move || {
                // A keyring daemon that died under us (gnome-keyring has upstream races that abort
                // it when a client disconnects mid-request) is started again by D-Bus on the next
                // call; every operation here is idempotent, so one more try is safe.
                let result = keyring::Entry::new(&service, &account).and_then(|e| match op(&e) {
                    Err(keyring::Error::PlatformFailure(err))
                        if daemon_went_away(&err.to_string()) =>
                    {
                        op(&e)
                    }
                    other => other,
                });
                let _ = tx.send(result);
            })
            .map_err(|e| self.unavailable(format!("cannot start keychain thread: {e}")))?;
        match rx.recv_timeout(self.timeout) {
            Ok(result) => Ok(result),
            Err(_) => Err(self.unavailable(format!(
                "no answer within {} s (is the keyring locked or its daemon stuck?)",
                self.timeout.as_secs()
            ))),
        }
    }

    fn unavailable(&self, detail: String) -> SecretsError {
        SecretsError::Unavailable {
            backend: backend_name().to_string(),
            detail,
        }
    }

    fn map_err(&self, err: keyring::Error) -> SecretsError {
        let backend = backend_name().to_string();
        match err {
            keyring::Error::PlatformFailure(_) | keyring::Error::NoStorageAccess(_) => {
                SecretsError::Unavailable {
                    backend,
                    detail: err.to_string(),
                }
            }
            // Never include the raw bytes of a badly encoded secret.
            keyring::Error::BadEncoding(_) => SecretsError::Rejected {
                backend,
                detail: "the stored value is not valid UTF-8".into(),
            },
            other => SecretsError::Rejected {
                backend,
                detail: other.to_string(),
            },
        }
    }
}

/// The D-Bus errors of a Secret Service peer that vanished mid-call (NoReply, a disconnect, a
/// name nobody owns any more), as opposed to a refusal such as a locked collection.
fn daemon_went_away(detail: &str) -> bool {
    let d = detail.to_ascii_lowercase();
    [
        "noreply",
        "disconnected",
        "serviceunknown",
        "no reply",
        "name has no owner",
    ]
    .iter()
    .any(|m| d.contains(m))
}

impl SecretStore for KeyringStore {
    fn probe(&self) -> KeychainStatus {
        probe::probe_service(&self.service)
    }

    fn get(
        &self,
        appid: &str,
        name: SecretName,
    ) -> Result<Option<Sensitive<String>>, SecretsError> {
        match self.run(appid, name, |e| e.get_password())? {
            Ok(v) => Ok(Some(Sensitive::new(v))),
            Err(keyring::Error::NoEntry) => Ok(None),
            Err(err) => Err(self.map_err(err)),
        }
    }

    fn set(
        &self,
        appid: &str,
        name: SecretName,
        value: &Sensitive<String>,
    ) -> Result<(), SecretsError> {
        let value = value.clone();
        self.run(appid, name, move |e| e.set_password(value.expose()))?
            .map_err(|err| self.map_err(err))
    }

    fn delete(&self, appid: &str, name: SecretName) -> Result<(), SecretsError> {
        match self.run(appid, name, |e| e.delete_credential())? {
            Ok(()) | Err(keyring::Error::NoEntry) => Ok(()),
            Err(err) => Err(self.map_err(err)),
        }
    }
}

/// Secrets in memory. For unit tests of other layers only: never used by the app or the CLI.
#[derive(Debug, Default)]
pub struct MemoryStore {
    entries: Mutex<HashMap<String, Sensitive<String>>>,
    failing: bool,
}

impl MemoryStore {
    pub fn new() -> MemoryStore {
        MemoryStore::default()
    }

    /// A store whose every call fails with `Unavailable` (to test error paths).
    pub fn unavailable() -> MemoryStore {
        MemoryStore {
            entries: Mutex::default(),
            failing: true,
        }
    }

    fn check(&self) -> Result<(), SecretsError> {
        if self.failing {
            return Err(SecretsError::Unavailable {
                backend: "memory store (test)".into(),
                detail: "configured to fail".into(),
            });
        }
        Ok(())
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Sensitive<String>>> {
        self.entries.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Number of stored entries (tests).
    pub fn len(&self) -> usize {
        self.lock().len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl SecretStore for MemoryStore {
    fn get(
        &self,
        appid: &str,
        name: SecretName,
    ) -> Result<Option<Sensitive<String>>, SecretsError> {
        self.check()?;
        Ok(self.lock().get(&account(appid, name)).cloned())
    }

    fn set(
        &self,
        appid: &str,
        name: SecretName,
        value: &Sensitive<String>,
    ) -> Result<(), SecretsError> {
        self.check()?;
        self.lock().insert(account(appid, name), value.clone());
        Ok(())
    }

    fn delete(&self, appid: &str, name: SecretName) -> Result<(), SecretsError> {
        self.check()?;
        self.lock().remove(&account(appid, name));
        Ok(())
    }
}

impl<S: SecretStore + ?Sized> SecretStore for std::sync::Arc<S> {
    fn get(
        &self,
        appid: &str,
        name: SecretName,
    ) -> Result<Option<Sensitive<String>>, SecretsError> {
        (**self).get(appid, name)
    }
    fn set(
        &self,
        appid: &str,
        name: SecretName,
        value: &Sensitive<String>,
    ) -> Result<(), SecretsError> {
        (**self).set(appid, name, value)
    }
    fn delete(&self, appid: &str, name: SecretName) -> Result<(), SecretsError> {
        (**self).delete(appid, name)
    }
    fn probe(&self) -> KeychainStatus {
        (**self).probe()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_vanished_daemon_is_retried() {
        assert!(daemon_went_away(
            "DBus error: Message recipient disconnected from message bus without replying"
        ));
        assert!(daemon_went_away(
            "org.freedesktop.DBus.Error.ServiceUnknown: The name is not activatable"
        ));
        assert!(!daemon_went_away(
            "DBus error: Cannot create an item in a locked collection"
        ));
    }

    #[test]
    fn masked_tail_shows_last_four() {
        assert_eq!(masked_tail("0123456789abcdef3f9a"), "••••3f9a");
        assert_eq!(masked_tail("abcd"), "••••");
        assert_eq!(masked_tail(""), "••••");
        assert_eq!(masked_tail("密钥一二三四五"), "••••二三四五");
    }

    #[test]
    fn account_names() {
        assert_eq!(account("wx1", SecretName::AppSecret), "wx1/appsecret");
        assert_eq!(account("wx1", SecretName::Token), "wx1/token");
        assert_eq!(
            account("wx1", SecretName::EncodingAesKey),
            "wx1/encoding_aes_key"
        );
    }

    #[test]
    fn memory_store_round_trip() {
        let s = MemoryStore::new();
        assert_eq!(s.get("wx1", SecretName::Token).unwrap(), None);
        s.set("wx1", SecretName::Token, &"tok-abcd1234".into())
            .unwrap();
        assert_eq!(
            s.status("wx1", SecretName::Token).unwrap(),
            SecretStatus {
                set: true,
                tail: Some("••••1234".into())
            }
        );
        s.delete_all("wx1").unwrap();
        assert!(s.is_empty());
        s.delete("wx1", SecretName::Token).unwrap();
        let failing = MemoryStore::unavailable();
        assert!(matches!(
            failing.get("wx1", SecretName::Token),
            Err(SecretsError::Unavailable { .. })
        ));
    }

    #[test]
    fn unavailable_hint_names_backend_and_fix() {
        let e = SecretsError::Unavailable {
            backend: "Secret Service (D-Bus)".into(),
            detail: "x".into(),
        };
        assert!(e.hint().contains("Secret Service (D-Bus)"));
        assert!(e.hint().contains("gnome-keyring-daemon"));
    }
}
