//! The simulator's own defences, over real HTTP: the control surface wants the per-start token and
//! a JSON body (so a web page cannot drive it with a cross-origin "simple" POST), every route wants
//! a loopback `Host` (DNS rebinding), the authorization page redirects only to the registered
//! redirect domains, and request bodies are capped.

mod sandbox_common;

use sandbox_common::{client, Env};
use serde_json::{json, Value};
use wxopen_sandbox::{SandboxConfig, CONTROL_TOKEN_HEADER};

fn no_redirects() -> reqwest::Client {
    reqwest::Client::builder()
        .no_proxy()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

fn port(env: &Env) -> u16 {
    url::Url::parse(&env.base).unwrap().port().unwrap()
}

#[tokio::test]
async fn the_control_token_is_random_per_start() {
    let a = Env::default().await;
    let b = Env::default().await;
    let (ta, tb) = (a.ctl.control_token(), b.ctl.control_token());
    assert_eq!(ta.len(), 32, "{ta}");
    assert!(ta.bytes().all(|c| c.is_ascii_hexdigit()), "{ta}");
    assert_ne!(ta, tb);
    assert_eq!(a.sb.control_token(), ta);
    a.sb.shutdown().await;
    b.sb.shutdown().await;
}

#[tokio::test]
async fn a_control_post_without_the_token_is_refused() {
    let env = Env::default().await;
    let before = env.ctl.now();
    // What a web page can send cross-origin without a preflight: a form-encoded "simple" POST.
    let r = client()
        .post(format!("{}/sandbox/push_ticket", env.base))
        .header("content-type", "text/plain")
        .body(r#"{"push_url": "http://attacker.example/collect"}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    let v: Value = r.json().await.unwrap();
    assert!(v["error"].as_str().unwrap().contains("token"), "{v}");
    let hint = v["hint"].as_str().unwrap().to_ascii_lowercase();
    assert!(hint.contains(CONTROL_TOKEN_HEADER), "{v}");
    // Even a well-formed JSON POST needs the token; and a wrong one is no better.
    for token in [None, Some("0123456789abcdef0123456789abcdef")] {
        let mut req = client()
            .post(format!("{}/sandbox/clock/advance", env.base))
            .json(&json!({"secs": 3600}));
        if let Some(t) = token {
            req = req.header(CONTROL_TOKEN_HEADER, t);
        }
        assert_eq!(req.send().await.unwrap().status(), 403, "token {token:?}");
    }
    assert!(env.ctl.now() < before + 3600, "the clock did not move");
    env.sb.shutdown().await;
}

#[tokio::test]
async fn the_credentials_need_the_token_and_images_do_not() {
    let env = Env::default().await;
    let r = client()
        .get(format!("{}/sandbox/credentials", env.base))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    let text = r.text().await.unwrap();
    assert!(!text.contains(&env.secret), "secret leaked: {text}");
    for path in ["/sandbox/stats", "/sandbox/clock", "/sandbox/open_accounts"] {
        let r = client()
            .get(format!("{}{path}", env.base))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 403, "{path}");
    }
    let r = client()
        .get(format!("{}/sandbox/credentials", env.base))
        .header(CONTROL_TOKEN_HEADER, env.ctl.control_token())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(
        r.json::<Value>().await.unwrap()["appsecret"],
        json!(env.secret)
    );
    // The app's <img> tags load these: no token, only a loopback Host.
    let ct = env.component_token().await;
    let appid = env.list(&ct, 0, 1).await["list"][0]["authorizer_appid"]
        .as_str()
        .unwrap()
        .to_owned();
    let r = client()
        .get(format!("{}/sandbox/img/head/{appid}.svg", env.base))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    env.sb.shutdown().await;
}

#[tokio::test]
async fn a_control_post_that_is_not_json_is_refused() {
    let env = Env::default().await;
    let before = env.ctl.now();
    for content_type in [
        None,
        Some("text/plain"),
        Some("application/x-www-form-urlencoded"),
        Some("multipart/form-data; boundary=x"),
    ] {
        let mut req = client()
            .post(format!("{}/sandbox/clock/advance", env.base))
            .header(CONTROL_TOKEN_HEADER, env.ctl.control_token())
            .body(r#"{"secs": 3600}"#);
        if let Some(t) = content_type {
            req = req.header("content-type", t);
        }
        let r = req.send().await.unwrap();
        assert_eq!(r.status(), 415, "{content_type:?}");
        let v: Value = r.json().await.unwrap();
        assert!(
            v["error"].as_str().unwrap().contains("application/json"),
            "{v}"
        );
    }
    assert!(env.ctl.now() < before + 3600, "the clock did not move");
    let r = client()
        .post(format!("{}/sandbox/push_ticket", env.base))
        .header(CONTROL_TOKEN_HEADER, env.ctl.control_token())
        .header("content-type", "text/plain")
        .body(r#"{"push_url": "http://127.0.0.1:9/collect"}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 415);
    assert!(
        env.ctl.push_ticket_now().await.is_err(),
        "no push URL was set"
    );
    // With a JSON type (parameters allowed) it goes through.
    let r = client()
        .post(format!("{}/sandbox/clock/advance", env.base))
        .header(CONTROL_TOKEN_HEADER, env.ctl.control_token())
        .header("content-type", "Application/JSON; charset=utf-8")
        .body(r#"{"secs": 3600}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert!(env.ctl.now() >= before + 3600);
    env.sb.shutdown().await;
}

#[tokio::test]
async fn a_foreign_host_is_refused_on_every_route() {
    let env = Env::default().await;
    let port = port(&env);
    let token = env.ctl.control_token().to_owned();
    let foreign = format!("rebind.attacker.example:{port}");
    let api = format!("{}/cgi-bin/component/api_component_token", env.base);
    let body = json!({"component_appid": env.appid, "component_appsecret": env.secret,
        "component_verify_ticket": env.ctl.issue_ticket()});
    let r = client()
        .post(&api)
        .header("host", &foreign)
        .body(body.to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 421);
    let text = r.text().await.unwrap();
    assert!(!text.contains("component_access_token"), "{text}");
    let r = client()
        .get(format!("{}/sandbox/credentials", env.base))
        .header("host", &foreign)
        .header(CONTROL_TOKEN_HEADER, &token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 421);
    assert!(!r.text().await.unwrap().contains(&env.secret));
    let r = client()
        .get(format!(
            "{}/sandbox/img/head/wx0123456789abcdef.svg",
            env.base
        ))
        .header("host", &foreign)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 421);
    let r = client()
        .get(format!(
            "{}/cgi-bin/componentloginpage?component_appid=x&pre_auth_code=y",
            env.base
        ))
        .header("host", "127.0.0.1.nip.io")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 421);
    // Loopback names, with or without a port, are fine.
    for host in [
        format!("127.0.0.1:{port}"),
        format!("localhost:{port}"),
        format!("[::1]:{port}"),
        "localhost".to_owned(),
    ] {
        let r = client()
            .post(&api)
            .header("host", &host)
            .body(body.to_string())
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200, "{host}");
        let v: Value = r.json().await.unwrap();
        assert!(v["component_access_token"].is_string(), "{host}: {v}");
    }
    env.sb.shutdown().await;
}

/// The authorization page (`componentloginpage`) for `redirect_uri`, with a fresh pre_auth_code.
async fn login_page(env: &Env, ct: &str, redirect_uri: &str) -> (String, reqwest::Response) {
    let code = env.pre_auth_code(ct).await;
    let mut link = url::Url::parse(&format!("{}/cgi-bin/componentloginpage", env.base)).unwrap();
    link.query_pairs_mut()
        .append_pair("component_appid", &env.appid)
        .append_pair("pre_auth_code", &code)
        .append_pair("redirect_uri", redirect_uri);
    (code, no_redirects().get(link).send().await.unwrap())
}

#[tokio::test]
async fn the_login_page_redirects_only_to_the_registered_domains() {
    let env = Env::default().await;
    let ct = env.component_token().await;
    for uri in [
        "https://attacker.example.net/steal",
        "https://example.com.attacker.net/cb",
        "https://notexample.com/cb",
        "javascript:alert(document.domain)//example.com",
        "ftp://example.com/cb",
        "not a url",
    ] {
        let (code, r) = login_page(&env, &ct, uri).await;
        assert_eq!(r.status(), 400, "{uri}");
        assert!(r.headers().get("location").is_none(), "{uri}");
        let page = r.text().await.unwrap();
        assert!(page.contains("redirect_uri"), "{uri}: {page}");
        assert!(
            !page.contains("<script") && !page.contains("alert(document"),
            "{page}"
        );
        // A refused link does not use up its code: the same code with a good redirect works.
        let out = env
            .ctl
            .authorize(wxopen_sandbox::AuthorizeRequest {
                pre_auth_code: code,
                kind: Some(wxopen_sandbox::Kind::OfficialAccount),
                redirect_uri: Some("https://example.com/cb".into()),
                ..Default::default()
            })
            .unwrap_or_else(|e| panic!("{uri}: the code was used up: {e:?}"));
        assert!(out
            .redirect_url
            .unwrap()
            .starts_with("https://example.com/cb?auth_code="));
    }
    // The control route plays the same page: same rule.
    let code = env.pre_auth_code(&ct).await;
    let r = env
        .http
        .post(format!("{}/sandbox/authorize", env.base))
        .json(&json!({"pre_auth_code": code, "kind": "official_account",
            "redirect_uri": "https://attacker.example.net/steal"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    let v: Value = r.json().await.unwrap();
    assert!(v["redirect_url"].is_null(), "{v}");
    // Registered domains and their subdomains, and loopback, redirect (with the value escaped).
    for uri in [
        "https://example.com/cb",
        "https://console.example.com/wx/authorized?x=1&y=a%20b",
        "http://127.0.0.1:8080/cb",
        "http://localhost/cb",
    ] {
        let (_, r) = login_page(&env, &ct, uri).await;
        assert_eq!(r.status(), 302, "{uri}");
        let location = r.headers()["location"].to_str().unwrap().to_owned();
        let parsed = url::Url::parse(&location).unwrap();
        let given = url::Url::parse(uri).unwrap();
        assert_eq!(parsed.host_str(), given.host_str(), "{location}");
        assert_eq!(parsed.path(), given.path(), "{location}");
        assert!(
            parsed.query_pairs().any(|(k, _)| k == "auth_code"),
            "{location}"
        );
    }
    env.sb.shutdown().await;
}

#[tokio::test]
async fn the_registered_redirect_domains_are_configurable() {
    let env = Env::start(SandboxConfig {
        redirect_domains: vec!["platform.example.org".into()],
        ..Default::default()
    })
    .await;
    let ct = env.component_token().await;
    let (_, r) = login_page(&env, &ct, "https://auth.platform.example.org/cb").await;
    assert_eq!(r.status(), 302);
    let (_, r) = login_page(&env, &ct, "https://example.com/cb").await;
    assert_eq!(r.status(), 400, "the defaults are replaced");
    let (_, r) = login_page(&env, &ct, "http://127.0.0.1:9/cb").await;
    assert_eq!(r.status(), 302, "loopback always redirects");
    env.sb.shutdown().await;
}

#[tokio::test]
async fn request_bodies_are_capped() {
    let env = Env::default().await;
    let big = format!(
        r#"{{"component_appid":"{}","pad":"{}"}}"#,
        env.appid,
        "x".repeat(3 << 19)
    );
    let r = client()
        .post(format!(
            "{}/cgi-bin/component/api_component_token",
            env.base
        ))
        .body(big)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 413);
    env.sb.shutdown().await;
}
