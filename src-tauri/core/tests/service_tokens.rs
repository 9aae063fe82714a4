//! Profiles, ticket and the token lifecycle against the simulator, with a real SQLite file and
//! the real keychain. Run inside a Secret Service session (see the Makefile's `make test`).

#[path = "../../wechat/tests/client_support/mod.rs"]
mod client_support;
mod service_support;

use std::sync::Arc;

use service_support::*;
use wxopen_core::error::{CoreError, ErrorCode};
use wxopen_core::secrets::{SecretName, SecretStore};
use wxopen_core::service::profiles::{ProfileEdit, ProfileInput};
use wxopen_core::store::types::Status;
use wxopen_sandbox::Fault;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn profile_add_edit_remove_and_keychain() {
    let e = env(10).await;
    let appid = e.rt.appid().to_string();
    assert!(e
        .secrets
        .get(&appid, SecretName::AppSecret)
        .unwrap()
        .is_some());
    // Validation.
    for (appid, key, what) in [
        (
            "wx123",
            "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG",
            "appid",
        ),
        ("wx1234567890abcdef", "short", "EncodingAESKey"),
    ] {
        let err = e
            .console
            .profile_add(ProfileInput {
                name: "bad".into(),
                component_appid: appid.into(),
                encoding_aes_key: Some(key.into()),
                ..Default::default()
            })
            .unwrap_err();
        assert_eq!(err.code(), ErrorCode::InvalidInput, "{what}: {err}");
    }
    let err = e
        .console
        .profile_add(ProfileInput {
            name: "bad".into(),
            component_appid: "wx1234567890abcdef".into(),
            api_base: Some("ftp://x".into()),
            ..Default::default()
        })
        .unwrap_err();
    assert_eq!(err.code(), ErrorCode::InvalidInput);
    // Edit: rename, new proxy, new secret.
    let v = e
        .console
        .profile_edit(
            "test",
            ProfileEdit {
                name: Some("renamed".into()),
                proxy: Some("socks5h://127.0.0.1:1080".into()),
                token: Some("newtoken".into()),
                ..Default::default()
            },
        )
        .unwrap();
    assert_eq!(v.profile.name, "renamed");
    assert_eq!(v.profile.proxy.as_deref(), Some("socks5h://127.0.0.1:1080"));
    assert_eq!(
        e.secrets
            .get(&appid, SecretName::Token)
            .unwrap()
            .unwrap()
            .expose(),
        "newtoken"
    );
    let json = serde_json::to_string(&v).unwrap();
    assert!(!json.contains(&e.sandbox.credentials().appsecret), "{json}");
    // Remove: keychain entries gone.
    e.console.profile_remove("renamed").unwrap();
    for name in SecretName::ALL {
        assert!(e.secrets.get(&appid, name).unwrap().is_none());
    }
    assert!(e.console.profile_list().unwrap().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 8)]
async fn thousand_concurrent_callers_fetch_one_token() {
    let e = env(10).await;
    e.control().set_fault(Fault::Latency {
        path: Some(TOKEN_PATH.into()),
        millis: 100,
    });
    let mut tasks = Vec::new();
    for _ in 0..1000 {
        let console = e.console.clone();
        let rt = e.rt.clone();
        tasks.push(tokio::spawn(async move {
            console
                .component_token(&rt)
                .await
                .map(|t| t.token.expose().clone())
        }));
    }
    let mut tokens = std::collections::HashSet::new();
    for t in tasks {
        tokens.insert(t.await.unwrap().unwrap());
    }
    assert_eq!(tokens.len(), 1);
    assert_eq!(e.control().call_count(TOKEN_PATH), 1);
    // Cached in SQLite too: a second console on the same file needs no call.
    let status = e.console.component_token_status(&e.rt).unwrap();
    assert!(status.cached && status.expires_in.unwrap() > 7000);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn token_errors_refresh_and_retry_once() {
    let e = env(10).await;
    let appid = wxopen_sandbox::seed::appid_of(1, 3);
    for code in [40001, 42001, 40014] {
        let before = e.control().call_count(TOKEN_PATH);
        let info_before = e.control().call_count(INFO_PATH);
        e.control().set_fault(Fault::Errcode {
            path: Some(INFO_PATH.into()),
            errcode: code,
            errmsg: "invalid credential".into(),
            times: Some(1),
        });
        let v = e.console.authorizer_fetch(&e.rt, &appid).await.unwrap();
        assert_eq!(v.detail.authorizer.appid, appid);
        // First call: a token (fetched fresh the first time); the retry: one new token.
        let expected = if before == 0 { 2 } else { before + 1 };
        assert_eq!(
            e.control().call_count(TOKEN_PATH),
            expected,
            "errcode {code}"
        );
        assert_eq!(e.control().call_count(INFO_PATH), info_before + 2);
    }
    // Twice in a row: retried once only, then the error surfaces.
    e.control().set_fault(Fault::Errcode {
        path: Some(INFO_PATH.into()),
        errcode: 40001,
        errmsg: "invalid credential".into(),
        times: Some(2),
    });
    let err = e.console.authorizer_fetch(&e.rt, &appid).await.unwrap_err();
    assert_eq!(err.body().errcode, Some(40001));
    // An expired token on the simulator's clock: refreshed transparently.
    e.control().advance_clock(7300);
    e.control().issue_ticket();
    e.console.authorizer_fetch(&e.rt, &appid).await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn refresh_token_invalid_marks_needs_reauth() {
    let e = env(10).await;
    let appid = wxopen_sandbox::seed::appid_of(1, 2);
    e.console
        .store()
        .authorizer_token_put_refresh(e.rt.id(), &appid, "refreshtoken@@@stale")
        .unwrap();
    let err = e.console.authorizer_token(&e.rt, &appid).await.unwrap_err();
    assert!(matches!(err, CoreError::NeedsReauth { .. }), "{err}");
    assert_eq!(err.code(), ErrorCode::NeedsReauth);
    let row = e
        .console
        .store()
        .authorizer_get(e.rt.id(), &appid)
        .unwrap()
        .unwrap();
    assert_eq!(row.authorizer.status, Status::NeedsReauth);
    // The refresh token is kept.
    assert!(e
        .console
        .store()
        .authorizer_token_get(e.rt.id(), &appid)
        .unwrap()
        .is_some());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn ticket_paste_and_status() {
    let e = env(10).await;
    assert!(e.console.ticket_set(&e.rt, "   ").is_err());
    let s = e.console.ticket_set(&e.rt, "  ticket@@@abc  \n").unwrap();
    assert!(s.valid && s.present);
    assert_eq!(s.valid_for_secs.unwrap(), 12 * 3600 - s.age_secs.unwrap());
    e.console.ticket_request_push(&e.rt).await.unwrap();
    let _ = Arc::clone(&e.console);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_failed_refresh_keeps_the_token_that_still_works() {
    let e = env(10).await;
    let before = e.console.component_token(&e.rt).await.unwrap();
    e.control().set_fault(Fault::HttpStatus {
        path: Some(TOKEN_PATH.into()),
        status: 500,
        times: None,
    });
    let err = e.console.refresh_component_token(&e.rt).await.unwrap_err();
    assert_eq!(err.code(), ErrorCode::Network, "{err}");
    assert!(e.console.component_token_status(&e.rt).unwrap().cached);
    let still = e.console.component_token(&e.rt).await.unwrap();
    assert_eq!(still.token.expose(), before.token.expose());
    // The same for an authorizer's access token.
    let appid = wxopen_sandbox::seed::appid_of(1, 3);
    e.console.authorizer_fetch(&e.rt, &appid).await.unwrap();
    let access = e.console.authorizer_token(&e.rt, &appid).await.unwrap();
    e.control().set_fault(Fault::HttpStatus {
        path: Some(wxopen_wechat::client::paths::API_AUTHORIZER_TOKEN.into()),
        status: 500,
        times: None,
    });
    e.console
        .refresh_authorizer_token(&e.rt, &appid)
        .await
        .unwrap_err();
    let status = e.console.authorizer_token_status(&e.rt, &appid).unwrap();
    assert_eq!(status.access_expires_at, Some(access.expires_at));
    let kept = e.console.authorizer_token(&e.rt, &appid).await.unwrap();
    assert_eq!(kept.token.expose(), access.token.expose());
    // Once WeChat answers again, refresh swaps in a new token.
    e.control().clear_faults();
    e.console.refresh_component_token(&e.rt).await.unwrap();
    let fresh = e.console.component_token(&e.rt).await.unwrap();
    assert_ne!(fresh.token.expose(), before.token.expose());
    e.console
        .refresh_authorizer_token(&e.rt, &appid)
        .await
        .unwrap();
    let new_access = e.console.authorizer_token(&e.rt, &appid).await.unwrap();
    assert_ne!(new_access.token.expose(), access.token.expose());
}

/// `expires_in` from a broken or hostile server: no overflow, no expiry before receipt, no
/// token believed for years.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hostile_token_lifetimes_are_clamped() {
    use wxopen_core::secrets::KeyringStore;
    use wxopen_core::service::{Console, ConsoleOptions};
    for (expires_in, lifetime) in [(i64::MAX, 30 * 86_400), (-100, 0), (7200, 7200)] {
        let server = client_support::MockServer::json(serde_json::json!({
            "component_access_token": "HOSTILE_TOKEN",
            "expires_in": expires_in,
        }))
        .await;
        let dir = tempfile::tempdir().unwrap();
        let secrets = Arc::new(KeyringStore::with_service(test_service_name()));
        let console = Console::with_options(
            wxopen_core::store::Store::open(dir.path()).unwrap(),
            secrets as Arc<dyn SecretStore>,
            ConsoleOptions::default(),
        );
        console
            .profile_add(ProfileInput {
                name: "hostile".into(),
                component_appid: "wx1234567890abcdef".into(),
                api_base: Some(server.base_url()),
                appsecret: Some("secret".into()),
                token: Some("token".into()),
                encoding_aes_key: Some("abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG".into()),
                ..Default::default()
            })
            .unwrap();
        let rt = console.profile(Some("hostile")).await.unwrap();
        console.ticket_set(&rt, "ticket@@@x").unwrap();
        let s = console.refresh_component_token(&rt).await.unwrap();
        assert_eq!(
            s.expires_at.unwrap() - s.fetched_at.unwrap(),
            lifetime,
            "expires_in {expires_in}"
        );
        console.profile_remove("hostile").unwrap();
    }
}
