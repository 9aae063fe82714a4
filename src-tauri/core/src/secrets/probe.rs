//! Is a keychain reachable? Asked at start-up so the UI can warn before a secret is needed.

use serde::Serialize;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
pub struct KeychainStatus {
    /// Whether a read of a probe entry got an answer from the backend (found or not found).
    pub available: bool,
    /// Which backend was tried, e.g. "Secret Service (D-Bus)".
    pub backend: String,
    /// Why it is not available, when it is not.
    pub detail: Option<String>,
}

impl KeychainStatus {
    /// This platform's backend, after a probe that got `answer`: `Ok` when the backend answered.
    pub fn answered(answer: Result<(), String>) -> KeychainStatus {
        KeychainStatus {
            available: answer.is_ok(),
            backend: backend_name().to_string(),
            detail: answer.err(),
        }
    }
}

pub fn backend_name() -> &'static str {
    if cfg!(target_os = "macos") {
        "macOS Keychain"
    } else if cfg!(target_os = "windows") {
        "Windows Credential Manager"
    } else {
        "Secret Service (D-Bus)"
    }
}

/// Reads a probe entry that never exists under [`super::names::SERVICE`].
pub fn probe() -> KeychainStatus {
    probe_service(super::names::SERVICE)
}

/// Reads a probe entry that never exists: `NoEntry` proves the backend answers. Blocks as long
/// as the backend does (no timeout of its own).
pub fn probe_service(service: &str) -> KeychainStatus {
    let answer = keyring::Entry::new(service, "probe/availability").and_then(|entry| {
        match entry.get_password() {
            Ok(_) | Err(keyring::Error::NoEntry) => Ok(()),
            Err(err) => Err(err),
        }
    });
    KeychainStatus::answered(answer.map_err(|e| e.to_string()))
}
