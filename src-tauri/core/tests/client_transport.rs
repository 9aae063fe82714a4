//! Transport failures of `ComponentClient` against a scripted local server: HTTP 5xx, non-JSON
//! bodies, dropped connections, timeouts, refused connections; plus token redaction in every
//! error, the call observer, and the proxy setting.

// The scripted server of the protocol crate's own client tests: these check what the core
// makes of the same failures (its error body, redaction).
#[path = "../../wechat/tests/client_support/mod.rs"]
mod client_support;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use client_support::{Behavior, MockServer};
use serde_json::json;
use wxopen_core::{CoreError, ErrorBody};
use wxopen_wechat::client::{paths, CallRecord, ClientConfig, ComponentClient};
use wxopen_wechat::error::{WeChatError, WeChatErrorKind};

const SECRET_TOKEN: &str = "SECRET_TOKEN_41f3c0";

fn config(base: String) -> ClientConfig {
    ClientConfig {
        api_base: base,
        connect_timeout: Duration::from_millis(500),
        total_timeout: Duration::from_millis(800),
        ..Default::default()
    }
}

fn assert_no_secret(e: &WeChatError) {
    let shown = format!("{e} {e:?}");
    assert!(!shown.contains(SECRET_TOKEN), "token leaked: {shown}");
    assert!(!shown.contains("SECRET_SECRET"), "secret leaked: {shown}");
    let body: ErrorBody = CoreError::from(e.clone()).body();
    let json = serde_json::to_string(&body).unwrap();
    assert!(!json.contains(SECRET_TOKEN), "token leaked: {json}");
}

#[tokio::test]
async fn http_500_is_a_retryable_status_error() {
    let server = MockServer::start(|_| Behavior::status(500, "upstream exploded")).await;
    let c = ComponentClient::new(config(server.base_url())).unwrap();
    let e = c.create_preauthcode(SECRET_TOKEN, "wxc").await.unwrap_err();
    match &e {
        WeChatError::HttpStatus {
            endpoint,
            status,
            body_snippet,
        } => {
            assert_eq!(endpoint, paths::API_CREATE_PREAUTHCODE);
            assert_eq!(*status, 500);
            assert_eq!(body_snippet, "upstream exploded");
        }
        other => panic!("{other:?}"),
    }
    assert!(e.is_retryable());
    assert_eq!(e.errcode(), None);
    assert_no_secret(&e);
    let body = CoreError::from(e).body();
    assert_eq!(
        serde_json::to_value(&body).unwrap()["code"],
        json!("network")
    );
    assert_eq!(body.errcode, None);
}

#[tokio::test]
async fn http_404_is_not_retryable() {
    let server = MockServer::start(|_| Behavior::status(404, "<html>not found</html>")).await;
    let c = ComponentClient::new(config(server.base_url())).unwrap();
    let e = c.open_have(SECRET_TOKEN).await.unwrap_err();
    assert!(
        matches!(e, WeChatError::HttpStatus { status: 404, .. }),
        "{e:?}"
    );
    assert!(!e.is_retryable());
}

#[tokio::test]
async fn a_redirect_is_not_followed() {
    // WeChat's API never redirects; following one would carry the token in the query string to
    // wherever the Location points.
    let server = MockServer::start(|req| {
        if req.path() == "/elsewhere" {
            Behavior::json(json!({"pre_auth_code": "PAC", "expires_in": 1800}))
        } else {
            Behavior::Redirect {
                status: 302,
                location: "/elsewhere".into(),
            }
        }
    })
    .await;
    let c = ComponentClient::new(config(server.base_url())).unwrap();
    let e = c.create_preauthcode(SECRET_TOKEN, "wxc").await.unwrap_err();
    assert!(
        matches!(e, WeChatError::HttpStatus { status: 302, .. }),
        "{e:?}"
    );
    let paths: Vec<String> = server
        .requests()
        .iter()
        .map(|r| r.path().to_string())
        .collect();
    assert_eq!(paths, [paths::API_CREATE_PREAUTHCODE.to_string()]);
}

#[tokio::test]
async fn non_json_body_is_invalid_json() {
    let server = MockServer::start(|_| Behavior::raw("<html>captive portal</html>")).await;
    let c = ComponentClient::new(config(server.base_url())).unwrap();
    let e = c
        .component_token("wxc", "SECRET_SECRET", "ticket")
        .await
        .unwrap_err();
    match &e {
        WeChatError::InvalidJson {
            endpoint,
            body_snippet,
            ..
        } => {
            assert_eq!(endpoint, paths::API_COMPONENT_TOKEN);
            assert!(body_snippet.contains("captive portal"));
        }
        other => panic!("{other:?}"),
    }
    assert!(!e.is_retryable());
    assert_no_secret(&e);
}

#[tokio::test]
async fn truncated_token_answer_does_not_leak_the_token() {
    let body = format!(r#"{{"component_access_token":"{SECRET_TOKEN}","expires_in":72"#);
    let server = MockServer::start(move |_| Behavior::raw(&body)).await;
    let c = ComponentClient::new(config(server.base_url())).unwrap();
    let e = c
        .component_token("wxc", "SECRET_SECRET", "ticket")
        .await
        .unwrap_err();
    assert!(matches!(e, WeChatError::InvalidJson { .. }), "{e:?}");
    assert_no_secret(&e);
}

#[tokio::test]
async fn dropped_connection_is_a_request_error() {
    let server = MockServer::start(|_| Behavior::Drop).await;
    let c = ComponentClient::new(config(server.base_url())).unwrap();
    let e = c
        .authorizer_list(SECRET_TOKEN, "wxc", 0, 100)
        .await
        .unwrap_err();
    assert!(matches!(e, WeChatError::Request { .. }), "{e:?}");
    assert_eq!(e.endpoint(), paths::API_GET_AUTHORIZER_LIST);
    assert!(e.is_transport());
    assert_no_secret(&e);
    // The request did reach the server.
    assert_eq!(server.requests().len(), 1);
}

#[tokio::test]
async fn no_answer_within_total_timeout_is_a_timeout() {
    let server = MockServer::start(|_| Behavior::Hang).await;
    let c = ComponentClient::new(ClientConfig {
        api_base: server.base_url(),
        connect_timeout: Duration::from_millis(200),
        total_timeout: Duration::from_millis(300),
        ..Default::default()
    })
    .unwrap();
    let started = std::time::Instant::now();
    let e = c.query_auth(SECRET_TOKEN, "wxc", "code").await.unwrap_err();
    assert!(matches!(e, WeChatError::Timeout { .. }), "{e:?}");
    assert!(e.is_retryable());
    assert!(started.elapsed() < Duration::from_secs(5));
    assert_no_secret(&e);
}

#[tokio::test]
async fn refused_connection_is_a_connect_error() {
    // Bind then drop a listener: its port now refuses connections.
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let c = ComponentClient::new(config(format!("http://127.0.0.1:{port}"))).unwrap();
    let e = c
        .authorizer_info(SECRET_TOKEN, "wxc", "wxa")
        .await
        .unwrap_err();
    assert!(matches!(e, WeChatError::Connect { .. }), "{e:?}");
    assert!(e.is_retryable());
    assert_no_secret(&e);
    assert!(CoreError::from(e).body().hint.is_some());
}

#[tokio::test]
async fn api_errors_map_to_we_chat_error_bodies() {
    let server = MockServer::json(json!({"errcode":61004,"errmsg":"access clientip is not registered requestIP: 1.2.3.4 rid: 1"})).await;
    let c = ComponentClient::new(config(server.base_url())).unwrap();
    let e = c.create_preauthcode(SECRET_TOKEN, "wxc").await.unwrap_err();
    let body = CoreError::from(e).body();
    let v = serde_json::to_value(&body).unwrap();
    assert_eq!(v["code"], json!("we_chat"));
    assert_eq!(v["errcode"], json!(61004));
    assert!(body.hint.is_some());
    assert!(body.message.contains("61004"));
}

#[tokio::test]
async fn observer_sees_every_call_without_tokens() {
    let server = MockServer::start(|req| match req.path() {
        "/cgi-bin/component/api_create_preauthcode" => {
            Behavior::json(json!({"pre_auth_code":"p","expires_in":600}))
        }
        "/cgi-bin/open/get" => Behavior::json(
            json!({"errcode":89002,"errmsg":"open not exists rid: 6750a1b2-1a2b3c4d-5e6f7a8b"}),
        ),
        _ => Behavior::status(502, "bad gateway"),
    })
    .await;
    let records: Arc<Mutex<Vec<CallRecord>>> = Arc::default();
    let sink = records.clone();
    let c = ComponentClient::new(config(server.base_url()))
        .unwrap()
        .with_observer(Arc::new(move |r: &CallRecord| {
            sink.lock().unwrap().push(r.clone())
        }));
    c.create_preauthcode(SECRET_TOKEN, "wxc").await.unwrap();
    c.open_get(SECRET_TOKEN, "wxa").await.unwrap_err();
    c.open_have(SECRET_TOKEN).await.unwrap_err();
    let records = records.lock().unwrap().clone();
    assert_eq!(records.len(), 3);
    assert_eq!(records[0].endpoint, paths::API_CREATE_PREAUTHCODE);
    assert_eq!(records[0].errcode, Some(0));
    assert_eq!(records[0].http_status, Some(200));
    assert_eq!(records[0].appid.as_deref(), Some("wxc"));
    assert!(records[0].is_success());
    assert_eq!(records[1].endpoint, paths::OPEN_GET);
    assert_eq!(records[1].errcode, Some(89002));
    assert_eq!(records[1].error, Some(WeChatErrorKind::Api));
    // Which token a call carried, so that its rid can be looked up with the same kind.
    assert_eq!(records[0].token_param, Some("component_access_token"));
    assert_eq!(records[1].token_param, Some("access_token"));
    assert_eq!(
        records[1].rid.as_deref(),
        Some("6750a1b2-1a2b3c4d-5e6f7a8b")
    );
    assert_eq!(records[0].rid, None);
    assert_eq!(records[2].method, "GET");
    assert_eq!(records[2].http_status, Some(502));
    assert_eq!(records[2].error, Some(WeChatErrorKind::HttpStatus));
    assert_eq!(records[2].errcode, None);
    for r in &records {
        assert!(!format!("{r:?}").contains(SECRET_TOKEN));
    }
}

#[tokio::test]
async fn http_proxy_is_used() {
    // A "proxy" that answers itself: reqwest sends it the absolute URL of the target.
    let proxy = MockServer::json(json!({"have_open":false,"errcode":0,"errmsg":"ok"})).await;
    let c = ComponentClient::new(ClientConfig {
        // Cleartext is allowed only for loopback bases (`ClientConfig::validate`).
        api_base: "http://127.0.0.2:9".into(),
        proxy: Some(proxy.base_url()),
        ..config(String::new())
    })
    .unwrap();
    let have = c.open_have("T").await.unwrap();
    assert!(!have.have_open);
    let req = proxy.last_request();
    assert_eq!(
        req.target,
        "http://127.0.0.2:9/cgi-bin/open/have?access_token=T"
    );
    assert_eq!(req.method, "GET");
}

#[tokio::test]
async fn without_proxy_the_environment_is_ignored_and_the_call_is_direct() {
    let server = MockServer::json(json!({"have_open":true})).await;
    let c = ComponentClient::new(config(server.base_url())).unwrap();
    assert!(c.open_have("T").await.unwrap().have_open);
    assert_eq!(
        server.last_request().target,
        "/cgi-bin/open/have?access_token=T"
    );
}
