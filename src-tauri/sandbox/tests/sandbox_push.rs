//! The push sender: encrypted ticket and authorization pushes reach a local receiver, decrypt with
//! our MsgCrypto and carry values the API accepts.

mod sandbox_common;

use std::collections::HashMap;
use std::time::Duration;

use axum::extract::{Query, State};
use axum::routing::post;
use axum::Router;
use sandbox_common::Env;
use serde_json::{json, Value};
use tokio::sync::mpsc;
use wxopen_sandbox::{AuthorizeRequest, Kind, SandboxConfig};
use wxopen_wechat::crypto::{url_signature, MsgCrypto};

type Push = (HashMap<String, String>, String);

/// A receiver on 127.0.0.1:0 that forwards every push and answers `success`.
async fn receiver() -> (String, mpsc::UnboundedReceiver<Push>) {
    let (tx, rx) = mpsc::unbounded_channel::<Push>();
    let app = Router::new()
        .route(
            "/wechat/auth-event",
            post(
                |State(tx): State<mpsc::UnboundedSender<Push>>,
                 Query(q): Query<HashMap<String, String>>,
                 body: String| async move {
                    let _ = tx.send((q, body));
                    "success"
                },
            ),
        )
        .with_state(tx);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!(
        "http://{}/wechat/auth-event",
        listener.local_addr().unwrap()
    );
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (url, rx)
}

async fn next(rx: &mut mpsc::UnboundedReceiver<Push>) -> Push {
    tokio::time::timeout(Duration::from_secs(10), rx.recv())
        .await
        .expect("a push within 10 s")
        .expect("channel open")
}

fn tag<'a>(xml: &'a str, name: &str) -> &'a str {
    let open = format!("<{name}>");
    let start = xml
        .find(&open)
        .unwrap_or_else(|| panic!("<{name}> in {xml}"))
        + open.len();
    let end = xml[start..].find(&format!("</{name}>")).unwrap() + start;
    let v = &xml[start..end];
    v.strip_prefix("<![CDATA[")
        .and_then(|v| v.strip_suffix("]]>"))
        .unwrap_or(v)
}

/// Checks the envelope and signatures of a push and returns the decrypted XML.
fn open_push(env: &Env, (q, body): &Push) -> String {
    let c = env.sb.credentials();
    assert_eq!(q["encrypt_type"], "aes");
    assert_eq!(
        q["signature"],
        url_signature(&c.token, &q["timestamp"], &q["nonce"])
    );
    assert_eq!(tag(body, "AppId"), c.component_appid);
    let crypto = MsgCrypto::new(&c.token, &c.encoding_aes_key, &c.component_appid).unwrap();
    crypto
        .verify_and_decrypt(
            &q["msg_signature"],
            &q["timestamp"],
            &q["nonce"],
            tag(body, "Encrypt"),
        )
        .unwrap()
}

#[tokio::test]
async fn interval_pushes_carry_working_tickets_and_stop_on_shutdown() {
    let (url, mut rx) = receiver().await;
    let env = Env::start(SandboxConfig {
        push_url: Some(url),
        push_interval: Some(Duration::from_millis(100)),
        ..Default::default()
    })
    .await;
    let first = open_push(&env, &next(&mut rx).await);
    let second = open_push(&env, &next(&mut rx).await);
    for xml in [&first, &second] {
        assert_eq!(tag(xml, "InfoType"), "component_verify_ticket");
        assert_eq!(tag(xml, "AppId"), env.appid);
        assert!(tag(xml, "CreateTime").parse::<i64>().unwrap() > 1_600_000_000);
    }
    let ticket = tag(&second, "ComponentVerifyTicket");
    assert_ne!(ticket, tag(&first, "ComponentVerifyTicket"));
    assert!(env.fetch_token(ticket).await["component_access_token"].is_string());
    env.sb.shutdown().await;
    while rx.try_recv().is_ok() {}
    assert!(
        tokio::time::timeout(Duration::from_millis(500), rx.recv())
            .await
            .is_err(),
        "no pushes after shutdown"
    );
}

#[tokio::test]
async fn authorization_and_on_demand_pushes() {
    let (url, mut rx) = receiver().await;
    let env = Env::default().await;
    assert!(env.ctl.push_ticket_now().await.is_err(), "no push URL yet");
    // POST /sandbox/push_ticket sets the URL and pushes.
    let r = env
        .http
        .post(format!("{}/sandbox/push_ticket", env.base))
        .json(&json!({"push_url": url}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let xml = open_push(&env, &next(&mut rx).await);
    assert_eq!(tag(&xml, "InfoType"), "component_verify_ticket");

    // api_start_push_ticket asks for a push.
    let v = env
        .post(
            "/cgi-bin/component/api_start_push_ticket",
            json!({"component_appid": env.appid, "component_secret": env.secret}),
        )
        .await;
    assert_eq!(v["errcode"], json!(0));
    let xml = open_push(&env, &next(&mut rx).await);
    let ct = env.fetch_token(tag(&xml, "ComponentVerifyTicket")).await["component_access_token"]
        .as_str()
        .unwrap()
        .to_owned();

    // Authorizing pushes `authorized` with a code api_query_auth accepts.
    let pre = env.pre_auth_code(&ct).await;
    let out = env
        .ctl
        .authorize(AuthorizeRequest {
            pre_auth_code: pre.clone(),
            kind: Some(Kind::OfficialAccount),
            ..Default::default()
        })
        .unwrap();
    let xml = open_push(&env, &next(&mut rx).await);
    assert_eq!(tag(&xml, "InfoType"), "authorized");
    assert_eq!(tag(&xml, "AuthorizerAppid"), out.authorizer_appid);
    assert_eq!(tag(&xml, "PreAuthCode"), pre);
    let expires = tag(&xml, "AuthorizationCodeExpiredTime")
        .parse::<i64>()
        .unwrap();
    assert_eq!(expires, env.ctl.now() + 600);
    let code = tag(&xml, "AuthorizationCode");
    let v = env
        .ct(
            "/cgi-bin/component/api_query_auth",
            &ct,
            json!({"component_appid": env.appid, "authorization_code": code}),
        )
        .await;
    assert_eq!(
        v["authorization_info"]["authorizer_appid"],
        json!(out.authorizer_appid)
    );
    // Re-authorizing over HTTP pushes `updateauthorized`.
    let pre = env.pre_auth_code(&ct).await;
    let r: Value = env
        .http
        .post(format!("{}/sandbox/authorize", env.base))
        .json(&json!({"pre_auth_code": pre, "appid": out.authorizer_appid, "redirect_uri": "https://example.com/cb"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(r["redirect_url"]
        .as_str()
        .unwrap()
        .starts_with("https://example.com/cb?auth_code=queryauthcode"));
    let xml = open_push(&env, &next(&mut rx).await);
    assert_eq!(tag(&xml, "InfoType"), "updateauthorized");
    assert_eq!(
        tag(&xml, "AuthorizationCode"),
        r["auth_code"].as_str().unwrap()
    );
    // Cancelling pushes `unauthorized`.
    env.ctl.unauthorize(&out.authorizer_appid).unwrap();
    let xml = open_push(&env, &next(&mut rx).await);
    assert_eq!(tag(&xml, "InfoType"), "unauthorized");
    assert_eq!(tag(&xml, "AuthorizerAppid"), out.authorizer_appid);
    env.sb.shutdown().await;
}
