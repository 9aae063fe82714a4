//! Fault injection, daily quotas and clear_quota over real HTTP.

mod sandbox_common;

use std::time::{Duration, Instant};

use sandbox_common::{assert_err, Env};
use serde_json::{json, Value};
use wxopen_sandbox::{Fault, Kind, SandboxConfig};

const PREAUTH: &str = "/cgi-bin/component/api_create_preauthcode";

async fn quota(env: &Env, ct: &str) -> Value {
    env.at(
        "/cgi-bin/openapi/quota/get",
        ct,
        json!({"cgi_path": PREAUTH}),
    )
    .await
}

async fn raw(env: &Env, path: &str, token: &str) -> Result<reqwest::Response, reqwest::Error> {
    env.http
        .post(format!("{}{path}?component_access_token={token}", env.base))
        .body(json!({"component_appid": env.appid}).to_string())
        .send()
        .await
}

#[tokio::test]
async fn http_status_malformed_json_and_dropped_connection() {
    let env = Env::default().await;
    let ct = env.component_token().await;
    env.ctl.set_fault(Fault::HttpStatus {
        path: Some(PREAUTH.into()),
        status: 503,
        times: Some(1),
    });
    assert_eq!(raw(&env, PREAUTH, &ct).await.unwrap().status(), 503);
    assert_eq!(
        raw(&env, PREAUTH, &ct).await.unwrap().status(),
        200,
        "times: 1 affects one request"
    );

    env.ctl.set_fault(Fault::MalformedJson {
        path: None,
        times: Some(1),
    });
    let body = raw(&env, PREAUTH, &ct).await.unwrap().text().await.unwrap();
    assert!(serde_json::from_str::<Value>(&body).is_err(), "{body}");

    env.ctl.set_fault(Fault::DropConnection {
        path: Some(PREAUTH.into()),
        times: Some(1),
    });
    let e = raw(&env, PREAUTH, &ct)
        .await
        .expect_err("connection dropped without an answer");
    assert!(e.is_request() || e.is_connect() || e.is_body(), "{e:?}");
    assert!(raw(&env, PREAUTH, &ct)
        .await
        .unwrap()
        .json::<Value>()
        .await
        .unwrap()["pre_auth_code"]
        .is_string());

    // Faults stay until cleared when `times` is None.
    env.ctl.set_fault(Fault::HttpStatus {
        path: None,
        status: 500,
        times: None,
    });
    for _ in 0..3 {
        assert_eq!(raw(&env, PREAUTH, &ct).await.unwrap().status(), 500);
    }
    env.ctl.clear_faults();
    assert_eq!(raw(&env, PREAUTH, &ct).await.unwrap().status(), 200);
    // Every request is counted, faulted or not.
    assert_eq!(env.ctl.call_count(PREAUTH), 9);
    env.sb.shutdown().await;
}

#[tokio::test]
async fn errcode_latency_and_ip_whitelist() {
    let env = Env::default().await;
    let ct = env.component_token().await;
    env.ctl.set_fault(Fault::Errcode {
        path: Some(PREAUTH.into()),
        errcode: -1,
        errmsg: "system error".into(),
        times: Some(1),
    });
    let v = env
        .ct(PREAUTH, &ct, json!({"component_appid": env.appid}))
        .await;
    assert_err(&v, -1);
    assert!(v["errmsg"]
        .as_str()
        .unwrap()
        .starts_with("system error rid: "));
    // Another path is not affected.
    assert!(env.list(&ct, 0, 1).await["total_count"].is_i64());

    env.ctl.set_fault(Fault::Latency {
        path: Some(PREAUTH.into()),
        millis: 300,
    });
    let t = Instant::now();
    assert!(env
        .ct(PREAUTH, &ct, json!({"component_appid": env.appid}))
        .await["pre_auth_code"]
        .is_string());
    assert!(t.elapsed() >= Duration::from_millis(300));
    env.ctl.clear_faults();

    env.ctl.set_fault(Fault::ClientIpNotRegistered {
        client_ip: "203.0.113.7".into(),
    });
    let t = env.ctl.issue_ticket();
    for v in [
        env.fetch_token(&t).await,
        env.ct(PREAUTH, &ct, json!({"component_appid": env.appid}))
            .await,
        env.list(&ct, 0, 1).await,
    ] {
        assert_err(&v, 61004);
        let msg = v["errmsg"].as_str().unwrap();
        assert!(
            msg.starts_with("access clientip is not registered requestIP: 203.0.113.7 rid: "),
            "{msg}"
        );
    }
    env.ctl.clear_faults();
    assert!(env.fetch_token(&t).await["component_access_token"].is_string());
    env.sb.shutdown().await;
}

#[tokio::test]
async fn faults_over_the_http_control_surface() {
    let env = Env::default().await;
    let ct = env.component_token().await;
    let r = env
        .http
        .post(format!("{}/sandbox/faults", env.base))
        .json(&json!({"kind": "http_status", "path": PREAUTH, "status": 502, "times": 1}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(raw(&env, PREAUTH, &ct).await.unwrap().status(), 502);
    env.http.post(format!("{}/sandbox/faults", env.base)).json(&json!({"kind": "errcode", "errcode": 45009, "errmsg": "reach max api daily quota limit"})).send().await.unwrap();
    assert_err(&env.list(&ct, 0, 1).await, 45009);
    env.http
        .delete(format!("{}/sandbox/faults", env.base))
        .send()
        .await
        .unwrap();
    assert!(env.list(&ct, 0, 1).await["total_count"].is_i64());
    let stats: Value = env
        .http
        .get(format!("{}/sandbox/stats", env.base))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(stats["calls"][PREAUTH], json!(1));
    assert_eq!(
        stats["calls"]["/cgi-bin/component/api_get_authorizer_list"],
        json!(2)
    );
    env.sb.shutdown().await;
}

#[tokio::test]
async fn daily_quota_and_the_three_clear_quota_calls() {
    let env = Env::start(SandboxConfig {
        daily_quota: 3,
        ..Default::default()
    })
    .await;
    let ct = env.component_token().await;
    let body = json!({"component_appid": env.appid});
    for _ in 0..3 {
        assert!(env.ct(PREAUTH, &ct, body.clone()).await["pre_auth_code"].is_string());
    }
    assert_err(&env.ct(PREAUTH, &ct, body.clone()).await, 45009);
    let q = quota(&env, &ct).await;
    assert_eq!(
        q["quota"],
        json!({"daily_limit": 3, "used": 3, "remain": 0})
    );
    assert_eq!(q["errcode"], json!(0));
    assert_err(
        &env.at(
            "/cgi-bin/openapi/quota/get",
            &ct,
            json!({"cgi_path": "/cgi-bin/nope"}),
        )
        .await,
        76021,
    );

    // 1: legacy component clear_quota
    assert_eq!(
        env.ct("/cgi-bin/component/clear_quota", &ct, body.clone())
            .await,
        json!({"errcode": 0, "errmsg": "ok"})
    );
    assert_eq!(quota(&env, &ct).await["quota"]["used"], json!(0));
    assert!(env.ct(PREAUTH, &ct, body.clone()).await["pre_auth_code"].is_string());
    // 2: generic clear_quota with the component token and the component appid
    assert_err(
        &env.at(
            "/cgi-bin/clear_quota",
            &ct,
            json!({"appid": "wx0123456789abcdef"}),
        )
        .await,
        40013,
    );
    assert_eq!(
        env.at("/cgi-bin/clear_quota", &ct, json!({"appid": env.appid}))
            .await["errcode"],
        json!(0)
    );
    // 3: v2 with the appsecret (no token)
    let v2 = "/cgi-bin/component/clear_quota/v2";
    assert_err(
        &env.post(
            v2,
            json!({"component_appid": env.appid, "appsecret": "bad"}),
        )
        .await,
        40125,
    );
    assert_eq!(
        env.post(
            v2,
            json!({"component_appid": env.appid, "appsecret": env.secret})
        )
        .await["errcode"],
        json!(0)
    );
    // 10 resets per month in all: 3 used, 7 left, then 48006.
    for _ in 0..7 {
        assert_eq!(
            env.ct("/cgi-bin/component/clear_quota", &ct, body.clone())
                .await["errcode"],
            json!(0)
        );
    }
    assert_err(
        &env.ct("/cgi-bin/component/clear_quota", &ct, body.clone())
            .await,
        48006,
    );
    assert_err(
        &env.post(
            v2,
            json!({"component_appid": env.appid, "appsecret": env.secret}),
        )
        .await,
        48006,
    );

    // Counters of an authorizer are its own.
    let (appid, access, _) = env.new_authorizer(&ct, Kind::OfficialAccount).await;
    for _ in 0..3 {
        assert_eq!(
            env.at("/cgi-bin/open/have", &access, json!({})).await["errcode"],
            json!(0)
        );
    }
    assert_err(
        &env.at("/cgi-bin/open/have", &access, json!({})).await,
        45009,
    );
    assert_eq!(
        env.at("/cgi-bin/clear_quota", &access, json!({"appid": appid}))
            .await["errcode"],
        json!(0)
    );
    assert_eq!(
        env.at("/cgi-bin/open/have", &access, json!({})).await["errcode"],
        json!(0)
    );
    // The component token cannot read an authorizer API's quota.
    assert_err(
        &env.at(
            "/cgi-bin/openapi/quota/get",
            &ct,
            json!({"cgi_path": "/cgi-bin/open/have"}),
        )
        .await,
        76022,
    );

    // A new day on the sandbox clock resets the counters by itself.
    env.ctl.advance_clock(86_400);
    let ct = env.component_token().await;
    assert!(env.ct(PREAUTH, &ct, body.clone()).await["pre_auth_code"].is_string());
    env.sb.shutdown().await;
}
