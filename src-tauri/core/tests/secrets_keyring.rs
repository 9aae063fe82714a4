//! The real OS keychain (Secret Service via gnome-keyring on Linux). Run inside a session with an
//! unlocked keyring, as `make test` does:
//!   scripts/session.sh cargo test -p wxopen-core --test secrets_keyring
//! Without one, the tests fail fast with the keychain's own message and hint (they never hang:
//! every keychain call has a timeout).

use std::process::Command;
use std::time::Duration;

use wxopen_core::secrets::{
    masked_tail, KeyringStore, SecretName, SecretStatus, SecretStore, SecretsError, Sensitive,
};

/// A store under a service name of its own, so tests never touch real entries.
fn store(tag: &str) -> KeyringStore {
    KeyringStore::with_service(format!("wxopen-console-test-{}-{tag}", std::process::id()))
        .with_timeout(Duration::from_secs(10))
}

fn reachable(s: &KeyringStore) {
    if let Err(e) = s.get("wxprobe", SecretName::Token) {
        panic!(
            "the keychain is not reachable: {e}\nhint: {}\n(run the tests through scripts/session.sh or `make test`)",
            e.hint()
        );
    }
}

#[test]
fn set_get_delete_round_trip_in_the_real_keychain() {
    let s = store("roundtrip");
    reachable(&s);
    let appid = "wx0123456789abcdef";
    for name in SecretName::ALL {
        assert_eq!(
            s.get(appid, name).unwrap(),
            None,
            "{name:?} absent at first"
        );
    }
    let secret: Sensitive<String> = "a1b2c3d4e5f6a7b8c9d0e1f2a3b43f9a".into();
    s.set(appid, SecretName::AppSecret, &secret).unwrap();
    s.set(appid, SecretName::Token, &"msgtoken-中文-ok".into())
        .unwrap();
    s.set(appid, SecretName::EncodingAesKey, &"k".repeat(43).into())
        .unwrap();
    assert_eq!(
        s.get(appid, SecretName::AppSecret).unwrap(),
        Some(secret.clone())
    );
    assert_eq!(
        s.get(appid, SecretName::Token).unwrap().unwrap().expose(),
        "msgtoken-中文-ok"
    );
    assert_eq!(
        s.status(appid, SecretName::AppSecret).unwrap(),
        SecretStatus {
            set: true,
            tail: Some("••••3f9a".into())
        }
    );
    // overwrite
    s.set(appid, SecretName::AppSecret, &"second-value-0000".into())
        .unwrap();
    assert_eq!(
        s.get(appid, SecretName::AppSecret)
            .unwrap()
            .unwrap()
            .expose(),
        "second-value-0000"
    );
    // entries of another appid are separate
    assert_eq!(s.get("wxother", SecretName::AppSecret).unwrap(), None);
    // delete, and delete again (NoEntry is not an error)
    s.delete(appid, SecretName::AppSecret).unwrap();
    s.delete(appid, SecretName::AppSecret).unwrap();
    assert_eq!(s.get(appid, SecretName::AppSecret).unwrap(), None);
    assert_eq!(
        s.status(appid, SecretName::AppSecret).unwrap(),
        SecretStatus {
            set: false,
            tail: None
        }
    );
    s.delete_all(appid).unwrap();
    for name in SecretName::ALL {
        assert_eq!(s.get(appid, name).unwrap(), None);
    }
}

#[test]
fn values_never_show_in_debug_output() {
    let s = store("debug");
    reachable(&s);
    s.set("wxdebug", SecretName::AppSecret, &"do-not-print-me".into())
        .unwrap();
    let got = s.get("wxdebug", SecretName::AppSecret).unwrap();
    assert!(!format!("{got:?}").contains("do-not-print-me"));
    assert_eq!(masked_tail(got.unwrap().expose()), "••••t-me");
    s.delete_all("wxdebug").unwrap();
}

/// In the child process (env set by the test below): the keychain cannot be reached.
#[test]
fn child_unreachable_keychain() {
    if std::env::var_os("WXOPEN_TEST_CHILD_UNREACHABLE").is_none() {
        return;
    }
    let s = store("unreachable");
    let err = s
        .get("wx0123456789abcdef", SecretName::AppSecret)
        .unwrap_err();
    let SecretsError::Unavailable { backend, detail } = &err else {
        panic!("expected Unavailable, got {err:?}");
    };
    assert_eq!(backend, wxopen_core::secrets::backend_name());
    assert!(!detail.is_empty());
    let set = s.set("wx0123456789abcdef", SecretName::AppSecret, &"x".into());
    assert!(
        matches!(set, Err(SecretsError::Unavailable { .. })),
        "{set:?}"
    );
    let core: wxopen_core::CoreError = err.clone().into();
    let body = core.body();
    assert_eq!(body.code, wxopen_core::error::ErrorCode::Keychain);
    let hint = body.hint.unwrap();
    println!("MESSAGE: {}\nHINT: {hint}", body.message);
    assert!(body.message.contains(backend.as_str()), "{}", body.message);
    assert!(hint.contains(backend.as_str()), "{hint}");
    if cfg!(target_os = "linux") {
        assert!(hint.contains("gnome-keyring-daemon --unlock"), "{hint}");
    }
}

#[cfg(target_os = "linux")]
#[test]
fn an_unreachable_keychain_is_unavailable_with_a_hint() {
    let out = Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "child_unreachable_keychain",
            "--nocapture",
            "--test-threads=1",
        ])
        .env("WXOPEN_TEST_CHILD_UNREACHABLE", "1")
        .env(
            "DBUS_SESSION_BUS_ADDRESS",
            "unix:path=/nonexistent/wxopen-bus",
        )
        .env_remove("DBUS_STARTER_ADDRESS")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "child failed:\n{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        stdout.contains("HINT: Tried the Secret Service (D-Bus)"),
        "{stdout}"
    );
    assert!(stdout.contains("1 passed"), "{stdout}");
}
