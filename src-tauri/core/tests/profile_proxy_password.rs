//! The proxy password of a profile lives in the keychain (real Secret Service under a test-only
//! service name), the URL without it in SQLite (a real file). Run through scripts/session.sh.

mod service_support;

use std::sync::Arc;

use service_support::test_service_name;
use wxopen_core::secrets::{KeyringStore, SecretName, SecretStore};
use wxopen_core::service::profiles::{ProfileEdit, ProfileInput};
use wxopen_core::service::{Console, ConsoleOptions};
use wxopen_core::store::profiles::{NewProfile, OptionApi, TokenSourceKind};
use wxopen_core::store::Store;

const APPID: &str = "wx0123456789abcdef";

fn console(dir: &std::path::Path, secrets: &Arc<KeyringStore>) -> Console {
    Console::with_options(
        Store::open(dir).unwrap(),
        secrets.clone() as Arc<dyn SecretStore>,
        ConsoleOptions::default(),
    )
}

fn password(secrets: &KeyringStore) -> Option<String> {
    secrets
        .get(APPID, SecretName::ProxyPassword)
        .unwrap()
        .map(|p| p.expose().clone())
}

fn stored_proxy(dir: &std::path::Path) -> Option<String> {
    Store::open(dir)
        .unwrap()
        .profile_by_name("p")
        .unwrap()
        .unwrap()
        .proxy
}

fn edit_proxy(c: &Console, proxy: &str) -> Option<String> {
    let edit = ProfileEdit {
        proxy: Some(proxy.into()),
        ..Default::default()
    };
    c.profile_edit("p", edit).unwrap().profile.proxy
}

#[test]
fn edits_keep_replace_and_clear_the_proxy_password() {
    let dir = tempfile::tempdir().unwrap();
    let secrets = Arc::new(KeyringStore::with_service(test_service_name()));
    let c = console(dir.path(), &secrets);
    let v = c
        .profile_add(ProfileInput {
            name: "p".into(),
            component_appid: APPID.into(),
            api_base: Some("http://127.0.0.1:9".into()),
            proxy: Some("http://u:p4ss@127.0.0.1:9/".into()),
            ..Default::default()
        })
        .unwrap();
    assert_eq!(
        v.profile.proxy.as_deref(),
        Some("http://u:••••@127.0.0.1:9/")
    );
    assert_eq!(
        stored_proxy(dir.path()).as_deref(),
        Some("http://u@127.0.0.1:9/")
    );
    assert_eq!(password(&secrets).as_deref(), Some("p4ss"));

    // An edit that does not touch the proxy keeps the password.
    let rename = ProfileEdit {
        api_base: Some("http://127.0.0.1:10".into()),
        ..Default::default()
    };
    c.profile_edit("p", rename).unwrap();
    assert_eq!(password(&secrets).as_deref(), Some("p4ss"));
    // The masked URL sent back by the form (host changed) keeps it too.
    let shown = edit_proxy(&c, "http://u:••••@127.0.0.2:9/");
    assert_eq!(shown.as_deref(), Some("http://u:••••@127.0.0.2:9/"));
    assert_eq!(password(&secrets).as_deref(), Some("p4ss"));
    // A new password replaces it.
    edit_proxy(&c, "http://u:n3w@127.0.0.2:9/");
    assert_eq!(password(&secrets).as_deref(), Some("n3w"));
    // A URL without a password removes it.
    let shown = edit_proxy(&c, "http://u@127.0.0.2:9/");
    assert_eq!(shown.as_deref(), Some("http://u@127.0.0.2:9/"));
    assert_eq!(password(&secrets), None);
    // And so does clearing the proxy.
    edit_proxy(&c, "http://u:again@127.0.0.2:9/");
    assert_eq!(edit_proxy(&c, ""), None);
    assert_eq!(password(&secrets), None);
    c.profile_remove("p").unwrap();
}

#[test]
fn a_row_written_with_the_password_is_moved_to_the_keychain_when_loaded() {
    let dir = tempfile::tempdir().unwrap();
    let secrets = Arc::new(KeyringStore::with_service(test_service_name()));
    // What an earlier version wrote: the whole URL in the row.
    Store::open(dir.path())
        .unwrap()
        .profile_insert(&NewProfile {
            name: "p".into(),
            component_appid: APPID.into(),
            api_base: "http://127.0.0.1:9".into(),
            proxy: Some("http://u:p4ss@127.0.0.1:9/".into()),
            is_sandbox: false,
            token_source: TokenSourceKind::Local,
            option_api: OptionApi::Legacy,
            redirect_uri: None,
            shared_source: None,
        })
        .unwrap();
    let c = console(dir.path(), &secrets);
    let list = c.profile_list().unwrap();
    assert_eq!(
        list[0].profile.proxy.as_deref(),
        Some("http://u:••••@127.0.0.1:9/")
    );
    let json = serde_json::to_string(&list).unwrap();
    assert!(!json.contains("p4ss"), "{json}");
    assert_eq!(password(&secrets).as_deref(), Some("p4ss"));
    assert_eq!(
        stored_proxy(dir.path()).as_deref(),
        Some("http://u@127.0.0.1:9/")
    );
    c.profile_remove("p").unwrap();
    assert_eq!(
        password(&secrets),
        None,
        "removal deletes it with the others"
    );
}
