//! The start-up keychain probe is bounded: a Secret Service that never answers turns into a typed
//! error after the timeout instead of blocking the caller (the window's first screen).

use std::sync::mpsc::{channel, Receiver, Sender};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use wxopen_core::app_info::{app_info, probe_keychain};
use wxopen_core::error::{CoreError, ErrorCode};
use wxopen_core::secrets::{
    KeychainStatus, MemoryStore, SecretName, SecretStore, SecretsError, Sensitive,
};

/// A keychain whose probe blocks until the test lets it go (a hung D-Bus call).
struct HungKeychain {
    gate: Mutex<Receiver<()>>,
}

impl HungKeychain {
    fn new() -> (Arc<HungKeychain>, Sender<()>) {
        let (release, gate) = channel();
        let store = HungKeychain {
            gate: Mutex::new(gate),
        };
        (Arc::new(store), release)
    }
}

impl SecretStore for HungKeychain {
    fn get(&self, _: &str, _: SecretName) -> Result<Option<Sensitive<String>>, SecretsError> {
        Ok(None)
    }
    fn set(&self, _: &str, _: SecretName, _: &Sensitive<String>) -> Result<(), SecretsError> {
        Ok(())
    }
    fn delete(&self, _: &str, _: SecretName) -> Result<(), SecretsError> {
        Ok(())
    }
    fn probe(&self) -> KeychainStatus {
        let _ = self.gate.lock().unwrap().recv();
        KeychainStatus {
            available: true,
            backend: "hung".into(),
            detail: None,
        }
    }
}

#[tokio::test]
async fn a_keychain_that_never_answers_gives_a_typed_error_instead_of_a_hang() {
    let (store, release) = HungKeychain::new();
    let dir = tempfile::tempdir().unwrap();
    let err = app_info(dir.path().into(), store, Duration::from_millis(50))
        .await
        .expect_err("the probe never answers");
    assert!(
        matches!(
            err,
            CoreError::Secrets(SecretsError::NoAnswer { millis: 50, .. })
        ),
        "{err:?}"
    );
    let body = err.body();
    assert_eq!(body.code, ErrorCode::Keychain);
    assert!(
        body.message.contains("did not answer within 0.05 s"),
        "{}",
        body.message
    );
    let hint = body.hint.unwrap_or_default();
    assert!(
        hint.contains("Is gnome-keyring/KWallet running and unlocked?"),
        "{hint}"
    );
    // Lets the blocked probe return, so the runtime can shut down.
    release.send(()).unwrap();
}

#[tokio::test]
async fn a_keychain_that_answers_is_reported_as_it_answers() {
    let ok = probe_keychain(Arc::new(MemoryStore::new()), Duration::from_secs(60))
        .await
        .unwrap();
    assert!(ok.available, "{ok:?}");
    let down = probe_keychain(
        Arc::new(MemoryStore::unavailable()),
        Duration::from_secs(60),
    )
    .await
    .unwrap();
    assert!(!down.available);
    assert!(
        down.detail
            .unwrap_or_default()
            .contains("configured to fail"),
        "the backend's reason is kept"
    );
}

#[test]
fn no_answer_message_names_whole_seconds_plainly() {
    let e = SecretsError::NoAnswer {
        backend: "Secret Service (D-Bus)".into(),
        millis: 5000,
    };
    assert_eq!(
        e.to_string(),
        "the keychain (Secret Service (D-Bus)) did not answer within 5 s"
    );
}
