//! Team mode over a backend's token API: a shared profile borrows the component token and an
//! authorizer's token from a real loopback HTTP server (the "backend", holding the tokens it
//! fetched from the simulator), with the header value from the keychain; it never fetches a
//! token itself, and every way the API can fail is a typed `shared_store` error.

mod service_support;

use std::sync::{Arc, Mutex};

use service_support::*;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use wxopen_core::error::{CoreError, ErrorCode};
use wxopen_core::secrets::SecretStore;
use wxopen_core::service::cached_token::CachedToken;
use wxopen_core::service::profiles::{ProfileInput, SharedInput};
use wxopen_core::service::sync::SyncOptions;
use wxopen_core::service::{CancelToken, Console, ConsoleOptions};
use wxopen_core::shared_store::{HttpSource, SharedSource, SharedStoreError};

const HEADER_VALUE: &str = "Bearer team-secret-4711";

/// What the backend's API answers, per path (status, body).
type Answers = Arc<Mutex<Vec<(String, u16, String)>>>;

/// A one-route-per-path HTTP server: answers `answers[path]`, 401 without the right header.
async fn token_api(answers: Answers) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move {
        loop {
            let Ok((mut sock, _)) = listener.accept().await else {
                return;
            };
            let answers = answers.clone();
            tokio::spawn(async move {
                let mut buf = vec![0u8; 8192];
                let mut len = 0;
                while !buf[..len].windows(4).any(|w| w == b"\r\n\r\n") {
                    match sock.read(&mut buf[len..]).await {
                        Ok(0) | Err(_) => return,
                        Ok(n) => len += n,
                    }
                }
                let req = String::from_utf8_lossy(&buf[..len]).to_string();
                let path = req.split_whitespace().nth(1).unwrap_or("").to_string();
                let authorized = req
                    .lines()
                    .any(|l| l.eq_ignore_ascii_case(&format!("authorization: {HEADER_VALUE}")));
                let (status, body) = if !authorized {
                    (401, "{}".to_string())
                } else {
                    answers
                        .lock()
                        .unwrap()
                        .iter()
                        .find(|(p, _, _)| *p == path)
                        .map(|(_, s, b)| (*s, b.clone()))
                        .unwrap_or((404, "{}".into()))
                };
                let resp = format!(
                    "HTTP/1.1 {status} X\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                    body.len()
                );
                let _ = sock.write_all(resp.as_bytes()).await;
            });
        }
    });
    base
}

fn source(base: &str) -> HttpSource {
    HttpSource {
        component_token_url: format!("{base}/tokens/{{component_appid}}"),
        authorizer_token_url: Some(format!(
            "{base}/tokens/{{component_appid}}/{{authorizer_appid}}"
        )),
        header_name: Some("Authorization".into()),
        token_pointer: "/data/access_token".into(),
        expires_in_pointer: Some("/data/expires_in".into()),
        expires_at_pointer: None,
    }
}

/// A console of its own (own SQLite file) with a shared profile for the simulator's platform.
async fn shared_console(e: &Env, src: HttpSource, header: Option<&str>) -> Console {
    let dir = Box::leak(Box::new(tempfile::tempdir().unwrap()));
    let store = wxopen_core::store::Store::open(dir.path()).unwrap();
    let console = Console::with_options(
        store,
        e.secrets.clone() as Arc<dyn SecretStore>,
        ConsoleOptions::default(),
    );
    console
        .profile_add(ProfileInput {
            name: "shared".into(),
            component_appid: e.rt.appid().into(),
            api_base: Some(e.sandbox.base_url()),
            shared: Some(SharedInput {
                source: SharedSource::Http(src),
                redis_password: None,
                header_value: header.map(str::to_owned),
            }),
            ..Default::default()
        })
        .unwrap();
    console
}

fn shared_error(e: CoreError) -> SharedStoreError {
    assert_eq!(e.code(), ErrorCode::SharedStore, "{e}");
    assert!(
        e.body().hint.is_some(),
        "every shared_store error has a hint"
    );
    match e {
        CoreError::Shared(s) => s,
        other => panic!("not a shared store error: {other}"),
    }
}

#[tokio::test]
async fn a_shared_profile_borrows_from_the_token_api_and_never_fetches() {
    let e = env(30).await;
    // The backend's tokens: fetched from the simulator by the backend (the local profile, which
    // also holds the authorizers' refresh tokens after its list sync).
    let component = e.console.component_token(&e.rt).await.unwrap();
    e.console
        .sync_authorizers(
            &e.rt,
            SyncOptions {
                details: false,
                concurrency: None,
                restart: false,
                ..Default::default()
            },
            None,
            CancelToken::new(),
        )
        .await
        .unwrap();
    let answers: Answers = Arc::default();
    let base = token_api(answers.clone()).await;
    let appid = e.rt.appid().to_string();
    answers.lock().unwrap().push((
        format!("/tokens/{appid}"),
        200,
        serde_json::json!({"data": {"access_token": component.token.expose(), "expires_in": 7000}})
            .to_string(),
    ));
    let console = shared_console(&e, source(&base), Some(HEADER_VALUE)).await;
    let rt = console.profile(Some("shared")).await.unwrap();
    let fetches = e.control().call_count(TOKEN_PATH);

    let out = console
        .sync_authorizers(
            &rt,
            SyncOptions {
                details: true,
                concurrency: Some(4),
                restart: false,
                ..Default::default()
            },
            None,
            CancelToken::new(),
        )
        .await
        .unwrap();
    assert_eq!(out.run.details_done, 30);
    assert_eq!(
        e.control().call_count(TOKEN_PATH),
        fetches,
        "no token fetch"
    );

    let status = console.component_token_status(&rt).unwrap();
    let info = status
        .shared
        .expect("a shared profile says where its token is");
    assert_eq!(info.kind, "http");
    assert_eq!(
        info.component_key.as_deref(),
        Some(format!("{base}/tokens/{appid}").as_str())
    );
    let read = info.component.expect("read");
    assert!(read.ttl_secs.is_some_and(|t| t > 6900 && t <= 7000));
    assert!(read
        .tail
        .ends_with(&component.token.expose()[component.token.expose().len() - 4..]));

    // An authorizer's token, from the authorizer URL.
    let authorizer = out_first_appid(&console, &rt);
    let auth_token = e
        .console
        .authorizer_token(&e.rt, &authorizer)
        .await
        .unwrap();
    answers.lock().unwrap().push((
        format!("/tokens/{appid}/{authorizer}"),
        200,
        serde_json::json!({"data": {"access_token": auth_token.token.expose(), "expires_in": 7000}})
            .to_string(),
    ));
    let fetches = e.control().call_count(TOKEN_PATH);
    let authorizer_fetches = e.control().call_count(AUTHORIZER_TOKEN_PATH);
    let borrowed = console.authorizer_token(&rt, &authorizer).await.unwrap();
    assert_eq!(borrowed.token.expose(), auth_token.token.expose());
    console.open_get(&rt, &authorizer).await.unwrap();

    // Borrow only: a refresh is refused, and nothing was fetched.
    let refused = console.refresh_component_token(&rt).await.unwrap_err();
    assert!(matches!(
        shared_error(refused),
        SharedStoreError::ReadOnly { .. }
    ));
    assert_eq!(e.control().call_count(TOKEN_PATH), fetches);
    assert_eq!(
        e.control().call_count(AUTHORIZER_TOKEN_PATH),
        authorizer_fetches
    );
}

const AUTHORIZER_TOKEN_PATH: &str = "/cgi-bin/component/api_authorizer_token";

fn out_first_appid(console: &Console, rt: &wxopen_core::service::ProfileRt) -> String {
    let page = console
        .store()
        .search_authorizers_sql(rt.id(), &Default::default())
        .unwrap();
    page.rows[0].appid.clone()
}

#[tokio::test]
async fn every_way_the_token_api_fails_is_a_clear_error_and_no_fetch() {
    let e = env(3).await;
    let answers: Answers = Arc::default();
    let base = token_api(answers.clone()).await;
    let appid = e.rt.appid().to_string();
    let fetches = e.control().call_count(TOKEN_PATH);

    // No header value in the keychain: the API says 401.
    let console = shared_console(&e, source(&base), None).await;
    let rt = console.profile(Some("shared")).await.unwrap();
    let err = shared_error(console.component_token(&rt).await.unwrap_err());
    assert!(matches!(err, SharedStoreError::Auth { .. }), "{err}");

    // The key is not there: 404 names the URL.
    let console = shared_console(&e, source(&base), Some(HEADER_VALUE)).await;
    let rt = console.profile(Some("shared")).await.unwrap();
    let err = shared_error(console.component_token(&rt).await.unwrap_err());
    assert!(
        err.to_string().contains(&format!("{base}/tokens/{appid}")),
        "{err}"
    );

    // No token where the pointer says; an expired one; a 500; not JSON.
    for (status, body, want) in [
        (
            200,
            r#"{"data":{"token":"x"}}"#,
            "no token at /data/access_token",
        ),
        (
            200,
            r#"{"data":{"access_token":"abc","expires_in":0}}"#,
            "expired",
        ),
        (500, "{}", "HTTP 500"),
        (200, "<html>", "JSON"),
    ] {
        answers.lock().unwrap().clear();
        answers
            .lock()
            .unwrap()
            .push((format!("/tokens/{appid}"), status, body.to_string()));
        let console = shared_console(&e, source(&base), Some(HEADER_VALUE)).await;
        let rt = console.profile(Some("shared")).await.unwrap();
        let err = shared_error(console.component_token(&rt).await.unwrap_err());
        assert!(err.to_string().contains(want), "{body}: {err}");
        assert!(!err.to_string().contains(HEADER_VALUE));
    }

    // Nobody listening.
    let dead = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let dead_base = format!("http://{}", dead.local_addr().unwrap());
    drop(dead);
    let console = shared_console(&e, source(&dead_base), Some(HEADER_VALUE)).await;
    let rt = console.profile(Some("shared")).await.unwrap();
    let err = shared_error(console.component_token(&rt).await.unwrap_err());
    assert!(matches!(err, SharedStoreError::Unreachable { .. }), "{err}");

    assert_eq!(
        e.control().call_count(TOKEN_PATH),
        fetches,
        "never a local fetch"
    );
}

/// The backend's token API serving the tokens a local profile on the same simulator holds (the
/// component's and its first account's, after a list sync), and a shared profile borrowing them.
/// Returns that profile's console and runtime, the account and its token.
async fn shared_beside_a_synced_local(
    e: &Env,
) -> (
    Console,
    Arc<wxopen_core::service::ProfileRt>,
    String,
    CachedToken,
) {
    let component = e.console.component_token(&e.rt).await.unwrap();
    e.console
        .sync_authorizers(&e.rt, SyncOptions::default(), None, CancelToken::new())
        .await
        .unwrap();
    let authorizer = out_first_appid(&e.console, &e.rt);
    let auth_token = e
        .console
        .authorizer_token(&e.rt, &authorizer)
        .await
        .unwrap();
    let answers: Answers = Arc::default();
    let base = token_api(answers.clone()).await;
    let appid = e.rt.appid().to_string();
    for (path, token) in [
        (format!("/tokens/{appid}"), component.token.expose()),
        (
            format!("/tokens/{appid}/{authorizer}"),
            auth_token.token.expose(),
        ),
    ] {
        answers.lock().unwrap().push((
            path,
            200,
            serde_json::json!({"data": {"access_token": token, "expires_in": 7000}}).to_string(),
        ));
    }
    let console = shared_console(e, source(&base), Some(HEADER_VALUE)).await;
    let rt = console.profile(Some("shared")).await.unwrap();
    (console, rt, authorizer, auth_token)
}

/// Diagnostics on a shared profile: the rid of a call made with a borrowed authorizer token is
/// looked up with that token, the account's quota read and cleared with it; nothing is fetched.
#[tokio::test]
async fn diagnostics_borrow_their_tokens_too() {
    let e = env(10).await;
    let (console, rt, authorizer, auth_token) = shared_beside_a_synced_local(&e).await;
    let fetches = (
        e.control().call_count(TOKEN_PATH),
        e.control().call_count(AUTHORIZER_TOKEN_PATH),
    );

    let failed = console
        .open_bind(&rt, &authorizer, "wx0000000000000000")
        .await
        .unwrap_err();
    let rid = failed
        .explanation()
        .and_then(|x| x.rid)
        .expect("WeChat's errmsg carries a rid");
    let seen = console.rid_lookup(&rt, &rid, None).await.unwrap();
    assert_eq!(seen.asked_as.as_deref(), Some(authorizer.as_str()));
    assert!(seen.response_body.contains(&rid), "{seen:?}");
    assert!(
        !seen.request_url.contains(auth_token.token.expose()),
        "{seen:?}"
    );

    let q = console
        .authorizer_api_quota(&rt, &authorizer, "/cgi-bin/open/bind")
        .await
        .unwrap();
    assert_eq!((q.used, q.remain), (1, q.daily_limit - 1));
    let cleared = console
        .authorizer_clear_quota(&rt, &authorizer)
        .await
        .unwrap();
    assert_eq!(cleared.resets_left, 9);
    assert_eq!(console.quota_status(&rt).unwrap().resets_left, 10);
    assert_eq!(
        console
            .authorizer_api_quota(&rt, &authorizer, "/cgi-bin/open/bind")
            .await
            .unwrap()
            .used,
        0
    );
    assert_eq!(
        (
            e.control().call_count(TOKEN_PATH),
            e.control().call_count(AUTHORIZER_TOKEN_PATH),
        ),
        fetches,
        "no token fetched"
    );
}

#[tokio::test]
async fn bulk_jobs_borrow_their_tokens_too() {
    use wxopen_core::service::bulk::{BulkParams, BulkRequest};
    use wxopen_core::service::bulk_run::BulkHooks;
    use wxopen_core::store::bulk_jobs::{BulkAction, BulkItemState};

    let e = env(10).await;
    let (console, rt, authorizer, _) = shared_beside_a_synced_local(&e).await;
    console
        .sync_authorizers(&rt, SyncOptions::default(), None, CancelToken::new())
        .await
        .unwrap();
    console.set_bulk_rate_per_minute(600_000).unwrap();
    let fetches = (
        e.control().call_count(TOKEN_PATH),
        e.control().call_count(AUTHORIZER_TOKEN_PATH),
    );
    let info_calls = e.control().call_count(INFO_PATH);

    // Details with the borrowed component token, for every account.
    let details = BulkRequest {
        action: BulkAction::Details,
        query: Default::default(),
        appids: None,
        params: BulkParams::default(),
    };
    let (_, job) = console.bulk_create(&rt, &details, false).unwrap();
    let out = console
        .bulk_run(&rt, job.id, BulkHooks::default(), CancelToken::new())
        .await
        .unwrap();
    assert_eq!(out.job.counts.ok, 10, "{:?}", out.job);
    assert_eq!(e.control().call_count(INFO_PATH), info_calls + 10);

    // An authorizer-token action with the borrowed authorizer token: WeChat answers (the open
    // account does not exist), so the token was accepted, and the answer is the item's result.
    let bind = BulkRequest {
        action: BulkAction::OpenBind,
        query: Default::default(),
        appids: Some(vec![authorizer.clone()]),
        params: BulkParams {
            open_appid: Some("wx0000000000000000".into()),
            ..Default::default()
        },
    };
    let (plan, job) = console.bulk_create(&rt, &bind, true).unwrap();
    assert_eq!(plan.will_run, 1, "the picked account is acted on");
    let out = console
        .bulk_run(&rt, job.id, BulkHooks::default(), CancelToken::new())
        .await
        .unwrap();
    let items = console.bulk_results_page(&rt, job.id, -1, 10).unwrap();
    assert_eq!(items[0].state, BulkItemState::Failed, "{items:?}");
    assert!(items[0].errcode.is_some_and(|c| c > 0), "{items:?}");
    assert_eq!(out.job.counts.failed, 1);
    assert_eq!(
        (
            e.control().call_count(TOKEN_PATH),
            e.control().call_count(AUTHORIZER_TOKEN_PATH),
        ),
        fetches,
        "no token fetched: every call borrowed the backend's"
    );
}
