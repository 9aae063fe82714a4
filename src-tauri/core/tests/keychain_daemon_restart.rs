//! gnome-keyring-daemon aborts on upstream races when a client disconnects mid-request (seen in
//! CI as a SIGTRAP halfway through `make test`). scripts/session.sh makes D-Bus start it again,
//! unlocked, on the same keyring files; this test kills the session's daemon the same way and
//! checks that the next keychain call still reads what was stored before.
//!
//! It only runs inside scripts/session.sh (WXOPEN_IN_SESSION=1): anywhere else the daemon on the
//! bus is the user's own, which a test must never kill.

use std::process::Command;
use std::time::Duration;

use wxopen_core::secrets::{KeyringStore, SecretName, SecretStore, Sensitive};

fn bus(method: &str, arg: &str) -> String {
    let out = Command::new("dbus-send")
        .args([
            "--session",
            "--print-reply",
            "--dest=org.freedesktop.DBus",
            "/org/freedesktop/DBus",
            &format!("org.freedesktop.DBus.{method}"),
            &format!("string:{arg}"),
        ])
        .output()
        .expect("run dbus-send");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn daemon_pid() -> Option<u32> {
    bus("GetConnectionUnixProcessID", "org.freedesktop.secrets")
        .split_whitespace()
        .skip_while(|w| *w != "uint32")
        .nth(1)
        .and_then(|p| p.parse().ok())
}

#[test]
fn a_keyring_daemon_that_dies_comes_back_unlocked_with_the_same_secrets() {
    if std::env::var("WXOPEN_IN_SESSION").as_deref() != Ok("1") {
        eprintln!(
            "skipped: run through scripts/session.sh (it would kill your own keyring daemon)"
        );
        return;
    }
    let store = KeyringStore::with_service(format!(
        "wxopen-console-test-{}-restart",
        std::process::id()
    ))
    .with_timeout(Duration::from_secs(10));
    let appid = "wx00000000restart0";
    let secret: Sensitive<String> = "survives-the-daemon".into();
    store
        .set(appid, SecretName::AppSecret, &secret)
        .expect("store before the crash");
    let first = daemon_pid().expect("a daemon owns org.freedesktop.secrets");

    let killed = Command::new("kill")
        .args(["-TRAP", &first.to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    // Ask the bus until the name is gone (each dbus-send takes a few ms); bounded so a daemon that
    // ignores the signal fails the test instead of hanging it.
    let mut gone = false;
    for _ in 0..2000 {
        if !bus("NameHasOwner", "org.freedesktop.secrets").contains("boolean true") {
            gone = true;
            break;
        }
    }
    assert!(gone, "the daemon {first} did not go away after SIGTRAP");

    assert_eq!(
        store
            .get(appid, SecretName::AppSecret)
            .expect("read after the crash"),
        Some(secret),
        "the restarted daemon must unlock the same keyring files"
    );
    store
        .set(appid, SecretName::Token, &"written-after".into())
        .expect("the restarted keyring is unlocked for writes");
    let second = daemon_pid().expect("a daemon owns the name again");
    assert_ne!(first, second, "a new daemon answered");
    store.delete_all(appid).unwrap();
}
