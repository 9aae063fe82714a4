//! The simulator's WeChat API over real HTTP: every endpoint's success shape and its errcodes.

mod sandbox_common;

use sandbox_common::{assert_err, Env};
use serde_json::{json, Value};
use wxopen_sandbox::{AuthorizeRequest, Fault, Kind, SandboxConfig};

const TOKEN: &str = "/cgi-bin/component/api_component_token";
const PREAUTH: &str = "/cgi-bin/component/api_create_preauthcode";
const QUERY_AUTH: &str = "/cgi-bin/component/api_query_auth";
const AUTH_TOKEN: &str = "/cgi-bin/component/api_authorizer_token";
const INFO: &str = "/cgi-bin/component/api_get_authorizer_info";

#[tokio::test]
async fn component_token_success_and_errcodes() {
    let env = Env::default().await;
    let ticket = env.ctl.issue_ticket();
    let ok = env.fetch_token(&ticket).await;
    assert!(
        ok.get("errcode").is_none(),
        "getter answers carry no errcode: {ok}"
    );
    assert!(ok["component_access_token"].as_str().unwrap().len() > 32);
    assert_eq!(ok["expires_in"], json!(7200));

    let body = |appid: &str, secret: &str, ticket: &str| json!({"component_appid": appid, "component_appsecret": secret, "component_verify_ticket": ticket});
    assert_err(
        &env.post(TOKEN, body(&env.appid, "wrong", &ticket)).await,
        40125,
    );
    assert_err(
        &env.post(TOKEN, body("wx0123456789abcdef", &env.secret, &ticket))
            .await,
        61011,
    );
    assert_err(
        &env.post(TOKEN, body("not-an-appid", &env.secret, &ticket))
            .await,
        40013,
    );
    assert_err(
        &env.post(
            TOKEN,
            json!({"component_appsecret": env.secret, "component_verify_ticket": ticket}),
        )
        .await,
        41018,
    );
    assert_err(
        &env.post(
            TOKEN,
            json!({"component_appid": env.appid, "component_verify_ticket": ticket}),
        )
        .await,
        41004,
    );
    assert_err(
        &env.post(TOKEN, body(&env.appid, &env.secret, "ticket@@@forged"))
            .await,
        61006,
    );
    // Only the newest two tickets are accepted.
    let t2 = env.ctl.issue_ticket();
    let _t3 = env.ctl.issue_ticket();
    assert_err(&env.fetch_token(&ticket).await, 61006);
    assert!(env.fetch_token(&t2).await["component_access_token"].is_string());
    // 12 h on the sandbox clock: expired.
    env.ctl.advance_clock(12 * 3600);
    assert_err(&env.fetch_token(&t2).await, 61005);
    // Body problems.
    let empty = env
        .http
        .post(format!("{}{TOKEN}", env.base))
        .send()
        .await
        .unwrap()
        .json::<Value>()
        .await
        .unwrap();
    assert_err(&empty, 44002);
    let bad = env
        .http
        .post(format!("{}{TOKEN}", env.base))
        .body("{nope")
        .send()
        .await
        .unwrap()
        .json::<Value>()
        .await
        .unwrap();
    assert_err(&bad, 47001);
    assert_eq!(env.ctl.call_count(TOKEN), 12);
    env.sb.shutdown().await;
}

#[tokio::test]
async fn component_token_lifetime_overlap_and_placement() {
    let env = Env::default().await;
    let a = env.component_token().await;
    let body = json!({"component_appid": env.appid});
    assert!(env.ct(PREAUTH, &a, body.clone()).await["pre_auth_code"].is_string());
    // The newer docs' `access_token=` works on component APIs too.
    assert!(env.at(PREAUTH, &a, body.clone()).await["pre_auth_code"].is_string());
    // Missing token, or token in the body instead of the query → 41001.
    assert_err(&env.post(PREAUTH, body.clone()).await, 41001);
    assert_err(
        &env.post(
            PREAUTH,
            json!({"component_appid": env.appid, "component_access_token": a}),
        )
        .await,
        41001,
    );
    assert_err(&env.ct(PREAUTH, "made-up", body.clone()).await, 40001);

    let b = env.component_token().await;
    assert_ne!(a, b);
    env.ctl.advance_clock(299);
    assert!(
        env.ct(PREAUTH, &a, body.clone()).await["pre_auth_code"].is_string(),
        "old token lives 5 more minutes"
    );
    env.ctl.advance_clock(2);
    assert_err(&env.ct(PREAUTH, &a, body.clone()).await, 40001);
    assert!(env.ct(PREAUTH, &b, body.clone()).await["pre_auth_code"].is_string());
    // A third token: the first is gone for good, the second lives on for 5 minutes.
    let c = env.component_token().await;
    assert!(env.ct(PREAUTH, &b, body.clone()).await["pre_auth_code"].is_string());
    env.ctl.advance_clock(7200);
    assert_err(&env.ct(PREAUTH, &c, body.clone()).await, 42001);
    env.sb.shutdown().await;
}

#[tokio::test]
async fn pre_auth_code_is_single_use_and_authorize_feeds_query_auth() {
    let env = Env::default().await;
    let ct = env.component_token().await;
    let v = env
        .ct(PREAUTH, &ct, json!({"component_appid": env.appid}))
        .await;
    assert_eq!(v["expires_in"], json!(600));
    let code = v["pre_auth_code"].as_str().unwrap().to_owned();
    assert!(code.starts_with("preauthcode@@@"));
    assert_err(
        &env.ct(
            PREAUTH,
            &ct,
            json!({"component_appid": "wx0123456789abcdef"}),
        )
        .await,
        61011,
    );

    let before = env.ctl.authorizer_count();
    let out = env
        .ctl
        .authorize(AuthorizeRequest {
            pre_auth_code: code.clone(),
            redirect_uri: Some("https://example.com/cb?tenant=42".into()),
            kind: Some(Kind::MiniProgram),
            auth_type: Some(2),
            ..Default::default()
        })
        .unwrap();
    assert_eq!(out.info_type, "authorized");
    assert_eq!(env.ctl.authorizer_count(), before + 1);
    let redirect = url::Url::parse(out.redirect_url.as_deref().unwrap()).unwrap();
    let q: std::collections::HashMap<_, _> = redirect.query_pairs().into_owned().collect();
    assert_eq!(q["tenant"], "42", "existing query parameters are kept");
    assert_eq!(q["auth_code"], out.auth_code);
    assert_eq!(q["expires_in"], "600");
    assert!(out.auth_code.starts_with("queryauthcode@@@"));
    // single use
    let again = env.ctl.authorize(AuthorizeRequest {
        pre_auth_code: code.clone(),
        kind: Some(Kind::MiniProgram),
        ..Default::default()
    });
    assert_eq!(again.unwrap_err().0, 61009);

    // The pre-auth code is not an auth code.
    let qa = |c: &str| json!({"component_appid": env.appid, "authorization_code": c});
    assert_err(&env.ct(QUERY_AUTH, &ct, qa(&code)).await, 61009);
    let v = env.ct(QUERY_AUTH, &ct, qa(&out.auth_code)).await;
    assert!(v.get("errcode").is_none(), "{v}");
    let info = &v["authorization_info"];
    assert_eq!(info["authorizer_appid"], json!(out.authorizer_appid));
    assert_eq!(info["expires_in"], json!(7200));
    assert!(info["authorizer_access_token"].as_str().unwrap().len() > 32);
    assert!(info["authorizer_refresh_token"]
        .as_str()
        .unwrap()
        .starts_with("refreshtoken@@@"));
    assert!(info["func_info"]
        .as_array()
        .unwrap()
        .iter()
        .any(|f| f["funcscope_category"]["id"] == json!(25)));
    assert_err(&env.ct(QUERY_AUTH, &ct, qa(&out.auth_code)).await, 61009);
    // The new account is listed, last, with its refresh token.
    let total = env.list(&ct, 0, 0).await["total_count"].as_i64().unwrap();
    assert_eq!(total as usize, before + 1);
    let last = env.list(&ct, total - 1, 1).await;
    assert_eq!(
        last["list"][0]["authorizer_appid"],
        json!(out.authorizer_appid)
    );
    assert_eq!(
        last["list"][0]["refresh_token"],
        info["authorizer_refresh_token"]
    );
    // Expiry: pre-auth code after 600 s, auth code after 600 s.
    let late = env.pre_auth_code(&ct).await;
    let code2 = env.pre_auth_code(&ct).await;
    let out2 = env
        .ctl
        .authorize(AuthorizeRequest {
            pre_auth_code: code2,
            kind: Some(Kind::OfficialAccount),
            ..Default::default()
        })
        .unwrap();
    env.ctl.advance_clock(600);
    let expired = env.ctl.authorize(AuthorizeRequest {
        pre_auth_code: late,
        kind: Some(Kind::OfficialAccount),
        ..Default::default()
    });
    assert_eq!(expired.unwrap_err().0, 61010);
    assert_err(&env.ct(QUERY_AUTH, &ct, qa(&out2.auth_code)).await, 61010);
    env.sb.shutdown().await;
}

#[tokio::test]
async fn auth_type_and_biz_appid_rules_and_reauthorization() {
    let env = Env::default().await;
    let ct = env.component_token().await;
    let try_auth = |code: String,
                    kind: Option<Kind>,
                    appid: Option<String>,
                    auth_type: Option<i64>,
                    biz: Option<String>| {
        env.ctl.authorize(AuthorizeRequest {
            pre_auth_code: code,
            kind,
            appid,
            auth_type,
            biz_appid: biz,
            ..Default::default()
        })
    };
    assert!(try_auth(
        env.pre_auth_code(&ct).await,
        Some(Kind::MiniProgram),
        None,
        Some(1),
        None
    )
    .is_err());
    assert!(try_auth(
        env.pre_auth_code(&ct).await,
        Some(Kind::OfficialAccount),
        None,
        Some(2),
        None
    )
    .is_err());
    assert!(try_auth(
        env.pre_auth_code(&ct).await,
        Some(Kind::OfficialAccount),
        None,
        Some(6),
        None
    )
    .is_ok());
    assert!(try_auth(
        env.pre_auth_code(&ct).await,
        Some(Kind::OfficialAccount),
        None,
        Some(0),
        None
    )
    .is_err());

    let (appid, access, refresh) = env.new_authorizer(&ct, Kind::OfficialAccount).await;
    // biz_appid pins the account and wins over auth_type.
    assert!(try_auth(
        env.pre_auth_code(&ct).await,
        Some(Kind::OfficialAccount),
        None,
        None,
        Some(appid.clone())
    )
    .is_err());
    let out = try_auth(
        env.pre_auth_code(&ct).await,
        None,
        Some(appid.clone()),
        Some(2),
        Some(appid.clone()),
    )
    .unwrap();
    assert_eq!(out.info_type, "updateauthorized");
    // Re-authorization: the old refresh token and the cached access token die.
    let body = |r: &str| json!({"component_appid": env.appid, "authorizer_appid": appid, "authorizer_refresh_token": r});
    assert_err(&env.ct(AUTH_TOKEN, &ct, body(&refresh)).await, 61023);
    assert_err(
        &env.at("/cgi-bin/open/have", &access, json!({})).await,
        40001,
    );
    let v = env
        .ct(
            QUERY_AUTH,
            &ct,
            json!({"component_appid": env.appid, "authorization_code": out.auth_code}),
        )
        .await;
    let new_refresh = v["authorization_info"]["authorizer_refresh_token"]
        .as_str()
        .unwrap();
    assert_ne!(new_refresh, refresh);
    assert!(
        env.ct(AUTH_TOKEN, &ct, body(new_refresh)).await["authorizer_access_token"].is_string()
    );
    env.sb.shutdown().await;
}

#[tokio::test]
async fn authorizer_token_refresh_and_errcodes() {
    let env = Env::default().await;
    let ct = env.component_token().await;
    let (appid, access, refresh) = env.new_authorizer(&ct, Kind::OfficialAccount).await;
    let body = |a: &str, r: &str| json!({"component_appid": env.appid, "authorizer_appid": a, "authorizer_refresh_token": r});
    let v = env.ct(AUTH_TOKEN, &ct, body(&appid, &refresh)).await;
    assert!(v.get("errcode").is_none());
    assert_eq!(v["expires_in"], json!(7200));
    assert_eq!(v["authorizer_refresh_token"], json!(refresh));
    let fresh = v["authorizer_access_token"].as_str().unwrap().to_owned();
    assert_ne!(fresh, access);
    assert_err(
        &env.ct(AUTH_TOKEN, &ct, body(&appid, "refreshtoken@@@wrong"))
            .await,
        61023,
    );
    assert_err(
        &env.ct(AUTH_TOKEN, &ct, body("wx0123456789abcdef", &refresh))
            .await,
        61003,
    );
    // An authorizer token on a component API.
    assert_err(
        &env.ct(AUTH_TOKEN, &fresh, body(&appid, &refresh)).await,
        61014,
    );
    // Authorizer tokens overlap like component tokens: the previous one lives 5 minutes.
    const HAVE: &str = "/cgi-bin/open/have";
    assert_eq!(env.at(HAVE, &access, json!({})).await["errcode"], json!(0));
    env.ctl.advance_clock(301);
    assert_err(&env.at(HAVE, &access, json!({})).await, 40001);
    assert_eq!(
        env.at(HAVE, &fresh, json!({})).await["have_open"],
        json!(false)
    );
    env.ctl.advance_clock(7200);
    assert_err(&env.at(HAVE, &fresh, json!({})).await, 42001);

    // A seeded account that never went through api_query_auth has no refresh token.
    let ct = env.component_token().await;
    let list = env.list(&ct, 0, 200).await;
    let never = list["list"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["refresh_token"] == json!(""))
        .expect("some never-queried");
    let a = never["authorizer_appid"].as_str().unwrap();
    assert_err(&env.ct(AUTH_TOKEN, &ct, body(a, "")).await, 61023);
    let seeded = list["list"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["refresh_token"] != json!(""))
        .unwrap();
    let v = env
        .ct(
            AUTH_TOKEN,
            &ct,
            body(
                seeded["authorizer_appid"].as_str().unwrap(),
                seeded["refresh_token"].as_str().unwrap(),
            ),
        )
        .await;
    assert!(v["authorizer_access_token"].is_string());
    env.sb.shutdown().await;
}

#[tokio::test]
async fn authorizer_list_pages_with_total_count() {
    let env = Env::start(SandboxConfig {
        authorizers: 1234,
        ..Default::default()
    })
    .await;
    let ct = env.component_token().await;
    let mut seen = std::collections::HashSet::new();
    let mut offset = 0;
    loop {
        let page = env.list(&ct, offset, 500).await;
        assert_eq!(page["total_count"], json!(1234));
        let items = page["list"].as_array().unwrap();
        if items.is_empty() {
            break;
        }
        for it in items {
            assert!(it["auth_time"].is_i64(), "auth_time is a number: {it}");
            assert!(it["refresh_token"].is_string());
            assert!(seen.insert(it["authorizer_appid"].as_str().unwrap().to_owned()));
        }
        offset += items.len() as i64;
    }
    assert_eq!(seen.len(), 1234);
    assert_err(&env.list(&ct, 0, 501).await, 40170);
    assert_err(&env.list(&ct, -1, 10).await, 47001);
    assert_eq!(env.list(&ct, 5000, 10).await["list"], json!([]));
    // Deterministic: another sandbox with the same seed lists the same accounts.
    let twin = Env::start(SandboxConfig {
        authorizers: 1234,
        ..Default::default()
    })
    .await;
    let ct2 = twin.component_token().await;
    assert_eq!(
        twin.list(&ct2, 100, 3).await["list"],
        env.list(&ct, 100, 3).await["list"]
    );
    let other = Env::start(SandboxConfig {
        authorizers: 1234,
        seed: 99,
        ..Default::default()
    })
    .await;
    let ct3 = other.component_token().await;
    assert_ne!(
        other.list(&ct3, 100, 3).await["list"],
        env.list(&ct, 100, 3).await["list"]
    );
    for e in [env, twin, other] {
        e.sb.shutdown().await;
    }
}

#[tokio::test]
// What a large sandbox costs is measured by sandbox_scale (memory at a million) and `make
// bench`, not by a timed assertion here.
async fn two_hundred_thousand_authorizers_page_to_the_end() {
    let env = Env::start(SandboxConfig {
        authorizers: 200_000,
        ..Default::default()
    })
    .await;
    let ct = env.component_token().await;
    let page = env.list(&ct, 199_900, 500).await;
    assert_eq!(page["total_count"], json!(200_000));
    assert_eq!(page["list"].as_array().unwrap().len(), 100);
    let appid = page["list"][99]["authorizer_appid"].as_str().unwrap();
    assert!(env.info(&ct, appid).await["authorizer_info"]["nick_name"].is_string());
    env.sb.shutdown().await;
}

fn find_kind(infos: &[Value], mini: bool) -> &Value {
    infos
        .iter()
        .find(|v| v["authorizer_info"].get("MiniProgramInfo").is_some() == mini)
        .expect("both kinds seeded")
}

#[tokio::test]
async fn authorizer_info_shapes() {
    let env = Env::default().await;
    let ct = env.component_token().await;
    let list = env.list(&ct, 0, 60).await;
    let mut infos = Vec::new();
    for it in list["list"].as_array().unwrap() {
        infos.push(
            env.info(&ct, it["authorizer_appid"].as_str().unwrap())
                .await,
        );
    }
    let mps = infos
        .iter()
        .filter(|v| v["authorizer_info"].get("MiniProgramInfo").is_some())
        .count();
    assert!(
        (10..=40).contains(&mps),
        "about 40 % mini programs: {mps}/60"
    );
    let principals: std::collections::HashSet<_> = infos
        .iter()
        .map(|v| v["authorizer_info"]["principal_name"].clone())
        .collect();
    assert!(principals.len() >= 4);
    let oa = find_kind(&infos, false);
    let ai = &oa["authorizer_info"];
    assert!(oa.get("errcode").is_none());
    assert!(ai["nick_name"]
        .as_str()
        .unwrap()
        .chars()
        .any(|c| c as u32 > 0x4e00));
    assert!([0, 1, 2].contains(&ai["service_type_info"]["id"].as_i64().unwrap()));
    assert!((-1..=5).contains(&ai["verify_type_info"]["id"].as_i64().unwrap()));
    let user_name = ai["user_name"].as_str().unwrap();
    assert!(user_name.starts_with("gh_") && user_name.len() == 15);
    for k in [
        "open_store",
        "open_scan",
        "open_pay",
        "open_card",
        "open_shake",
    ] {
        assert!(ai["business_info"][k].is_i64());
    }
    assert!(ai["head_img"].as_str().unwrap().starts_with("http"));
    assert!(oa["authorization_info"]
        .get("authorizer_access_token")
        .is_none());
    assert!(oa["authorization_info"]["func_info"].is_array());
    let mp = find_kind(&infos, true);
    let mi = &mp["authorizer_info"]["MiniProgramInfo"];
    assert!(mi["network"]["RequestDomain"].is_array());
    assert!(mi["categories"][0]["first"].is_string() && mi["categories"][0]["second"].is_string());
    assert!(mi["visit_status"].is_i64());
    assert!(mp["authorizer_info"]["signature"].is_string());
    // The head image is served by the sandbox itself.
    let img = env
        .http
        .get(ai["head_img"].as_str().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(img.headers()["content-type"], "image/svg+xml");
    // Errors.
    assert_err(&env.info(&ct, "wx0123456789abcdef").await, 61003);
    assert_err(
        &env.ct(INFO, &ct, json!({"component_appid": env.appid}))
            .await,
        41002,
    );
    env.sb.shutdown().await;
}

#[tokio::test]
async fn options_legacy_and_new_variants() {
    let env = Env::default().await;
    let ct = env.component_token().await;
    let (appid, access, _) = env.new_authorizer(&ct, Kind::OfficialAccount).await;
    let get = |name: &str| json!({"component_appid": env.appid, "authorizer_appid": appid, "option_name": name});
    let set = |name: &str, value: Value| json!({"component_appid": env.appid, "authorizer_appid": appid, "option_name": name, "option_value": value});
    let v = env
        .ct(
            "/cgi-bin/component/api_set_authorizer_option",
            &ct,
            set("location_report", json!("2")),
        )
        .await;
    assert_eq!(v, json!({"errcode": 0, "errmsg": "ok"}));
    let v = env
        .ct(
            "/cgi-bin/component/api_get_authorizer_option",
            &ct,
            get("location_report"),
        )
        .await;
    assert_eq!(
        v,
        json!({"authorizer_appid": appid, "option_name": "location_report", "option_value": "2"})
    );
    assert_eq!(
        env.ctl
            .authorizer_option(&appid, "location_report")
            .as_deref(),
        Some("2")
    );
    assert_err(
        &env.ct(
            "/cgi-bin/component/api_get_authorizer_option",
            &ct,
            get("nonsense"),
        )
        .await,
        61012,
    );
    assert_err(
        &env.ct(
            "/cgi-bin/component/api_set_authorizer_option",
            &ct,
            set("location_report", json!("3")),
        )
        .await,
        61013,
    );
    assert_err(
        &env.ct(
            "/cgi-bin/component/api_set_authorizer_option",
            &ct,
            set("voice_recognize", json!("2")),
        )
        .await,
        61013,
    );
    // New variant with the authorizer's own token.
    let v = env
        .at(
            "/cgi-bin/component/set_authorizer_option",
            &access,
            json!({"option_name": "customer_service", "option_value": "1"}),
        )
        .await;
    assert_eq!(v["errcode"], json!(0));
    let v = env
        .at(
            "/cgi-bin/component/get_authorizer_option",
            &access,
            json!({"option_name": "customer_service"}),
        )
        .await;
    assert_eq!(v["option_value"], json!("1"));
    assert_eq!(
        env.ctl
            .authorizer_option(&appid, "customer_service")
            .as_deref(),
        Some("1")
    );
    // The legacy variant refuses the authorizer token.
    assert_err(
        &env.ct(
            "/cgi-bin/component/api_get_authorizer_option",
            &access,
            get("voice_recognize"),
        )
        .await,
        61014,
    );
    // Control surface over HTTP.
    let o: Value = env
        .http
        .get(format!("{}/sandbox/authorizers/{appid}/options", env.base))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(o["location_report"], json!("2"));
    env.sb.shutdown().await;
}

#[tokio::test]
async fn open_account_binding_rules() {
    let env = Env::default().await;
    let ct = env.component_token().await;
    let (appid, access, _) = env.new_authorizer(&ct, Kind::OfficialAccount).await;
    let open = |p: &'static str, body: Value| {
        let access = access.clone();
        let env = &env;
        async move { env.at(p, &access, body).await }
    };
    assert_err(
        &open("/cgi-bin/open/get", json!({"appid": appid})).await,
        89002,
    );
    assert_eq!(
        open("/cgi-bin/open/have", json!({})).await["have_open"],
        json!(false)
    );
    let created = open("/cgi-bin/open/create", json!({"appid": appid})).await;
    assert_eq!(created["errcode"], json!(0));
    let open_appid = created["open_appid"].as_str().unwrap().to_owned();
    assert_eq!(
        env.ctl.open_appid_of(&appid).as_deref(),
        Some(open_appid.as_str())
    );
    assert_err(
        &open("/cgi-bin/open/create", json!({"appid": appid})).await,
        89000,
    );
    assert_eq!(
        open("/cgi-bin/open/get", json!({"appid": appid})).await["open_appid"],
        json!(open_appid)
    );
    // open/have is also a GET.
    let have: Value = env
        .http
        .get(format!(
            "{}/cgi-bin/open/have?access_token={access}",
            env.base
        ))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        have,
        json!({"have_open": true, "errcode": 0, "errmsg": "ok"})
    );
    assert_err(
        &open("/cgi-bin/open/get", json!({"appid": "wx0123456789abcdef"})).await,
        40013,
    );
    assert_err(
        &env.at("/cgi-bin/open/get", &ct, json!({"appid": appid}))
            .await,
        48001,
    );
    assert_err(
        &open(
            "/cgi-bin/open/bind",
            json!({"appid": appid, "open_appid": open_appid}),
        )
        .await,
        89000,
    );
    let ok = open(
        "/cgi-bin/open/unbind",
        json!({"appid": appid, "open_appid": open_appid}),
    )
    .await;
    assert_eq!(ok, json!({"errcode": 0, "errmsg": "ok"}));
    assert_err(&open("/cgi-bin/open/get", json!({})).await, 89002);
    assert_err(
        &open("/cgi-bin/open/unbind", json!({"open_appid": open_appid})).await,
        89002,
    );

    // Seeded open accounts: other principals (89001), the full one (89004), a non-API one (89003).
    let principal = env.info(&ct, &appid).await["authorizer_info"]["principal_name"]
        .as_str()
        .unwrap()
        .to_owned();
    let accounts = env.ctl.open_accounts();
    let foreign = accounts
        .iter()
        .find(|a| a.principal_name != principal)
        .unwrap();
    assert_err(
        &open(
            "/cgi-bin/open/bind",
            json!({"open_appid": foreign.open_appid}),
        )
        .await,
        89001,
    );
    let same = accounts
        .iter()
        .find(|a| a.principal_name == principal && a.created_by_api && a.bound_count < 100);
    if let Some(same) = same {
        assert_eq!(
            open("/cgi-bin/open/bind", json!({"open_appid": same.open_appid})).await["errcode"],
            json!(0)
        );
        assert_eq!(
            env.ctl.open_appid_of(&appid).as_deref(),
            Some(same.open_appid.as_str())
        );
    }
    let full = accounts
        .iter()
        .find(|a| a.bound_count >= 100)
        .expect("a full open account is seeded");
    // Find an unbound seeded authorizer of the full account's principal, with a refresh token.
    let list = env.list(&ct, 0, 500).await;
    let mut checked_full = false;
    let mut checked_web = false;
    for it in list["list"].as_array().unwrap() {
        let a = it["authorizer_appid"].as_str().unwrap();
        let r = it["refresh_token"].as_str().unwrap();
        if r.is_empty() {
            continue;
        }
        let info = env.info(&ct, a).await;
        let p = info["authorizer_info"]["principal_name"].as_str().unwrap();
        let funcs = info["authorization_info"]["func_info"].to_string();
        if !(funcs.contains("\"id\":24") || funcs.contains("\"id\":25")) {
            continue;
        }
        let bound = env.ctl.open_appid_of(a);
        if !checked_full && bound.is_none() && p == full.principal_name {
            let t = env.token_for(&ct, a, r).await;
            assert_err(
                &env.at(
                    "/cgi-bin/open/bind",
                    &t,
                    json!({"open_appid": full.open_appid}),
                )
                .await,
                89004,
            );
            checked_full = true;
        }
        if let Some(b) = bound {
            if !checked_web
                && accounts
                    .iter()
                    .any(|x| x.open_appid == b && !x.created_by_api)
            {
                let t = env.token_for(&ct, a, r).await;
                assert_err(
                    &env.at("/cgi-bin/open/unbind", &t, json!({"open_appid": b}))
                        .await,
                    89003,
                );
                checked_web = true;
            }
        }
        if checked_full && checked_web {
            break;
        }
    }
    assert!(checked_full && checked_web);
    env.sb.shutdown().await;
}

#[tokio::test]
async fn start_push_ticket_and_unknown_paths() {
    let env = Env::default().await;
    let p = "/cgi-bin/component/api_start_push_ticket";
    let v = env
        .post(
            p,
            json!({"component_appid": env.appid, "component_secret": env.secret}),
        )
        .await;
    assert_eq!(v, json!({"errcode": 0, "errmsg": "ok"}));
    assert_err(
        &env.post(
            p,
            json!({"component_appid": env.appid, "component_secret": "x"}),
        )
        .await,
        40125,
    );
    assert_err(
        &env.post(
            p,
            json!({"component_appid": "wx0123456789abcdef", "component_secret": env.secret}),
        )
        .await,
        61011,
    );
    let r = env
        .http
        .post(format!("{}/cgi-bin/component/no_such_api", env.base))
        .body("{}")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404);
    env.sb.shutdown().await;
}

#[tokio::test]
async fn rid_lookup() {
    let env = Env::default().await;
    let ct = env.component_token().await;
    let failed = env.info(&ct, "wx0123456789abcdef").await;
    let rid = failed["errmsg"]
        .as_str()
        .unwrap()
        .rsplit("rid: ")
        .next()
        .unwrap()
        .to_owned();
    let v = env
        .at("/cgi-bin/openapi/rid/get", &ct, json!({"rid": rid}))
        .await;
    assert_eq!(v["errcode"], json!(0));
    assert!(v["request"]["invoke_time"].is_i64());
    assert!(v["request"]["response_body"]
        .as_str()
        .unwrap()
        .contains("61003"));
    assert!(v["request"]["request_body"]
        .as_str()
        .unwrap()
        .contains("wx0123456789abcdef"));
    assert_eq!(v["request"]["client_ip"], json!("127.0.0.1"));
    assert_err(
        &env.at(
            "/cgi-bin/openapi/rid/get",
            &ct,
            json!({"rid": "00000000-00000000-00000000"}),
        )
        .await,
        76001,
    );
    assert_err(
        &env.at("/cgi-bin/openapi/rid/get", &ct, json!({"rid": "nope"}))
            .await,
        76002,
    );
    let (_, access, _) = env.new_authorizer(&ct, Kind::MiniProgram).await;
    assert_err(
        &env.at("/cgi-bin/openapi/rid/get", &access, json!({"rid": rid}))
            .await,
        76003,
    );
    env.sb.shutdown().await;
}

fn rid_of(failed: &Value) -> String {
    failed["errmsg"]
        .as_str()
        .unwrap()
        .rsplit("rid: ")
        .next()
        .unwrap()
        .to_owned()
}

/// Reference §1.9: a rid belongs to the account whose token made the call (an authorizer's
/// rid is not the platform's), WeChat masks the token in `request_url`, rids live 7 days.
#[tokio::test]
async fn authorizer_rids_are_the_authorizers_and_expire_after_seven_days() {
    let env = Env::default().await;
    let ct = env.component_token().await;
    let (appid, access, refresh) = env.new_authorizer(&ct, Kind::MiniProgram).await;
    let rid_get = "/cgi-bin/openapi/rid/get";
    let failed = env
        .at(
            "/cgi-bin/open/bind",
            &access,
            json!({"open_appid": "wx0000000000000000"}),
        )
        .await;
    assert_ne!(failed["errcode"], json!(0), "{failed}");
    let rid = rid_of(&failed);
    let v = env.at(rid_get, &access, json!({"rid": rid})).await;
    assert_eq!(v["errcode"], json!(0), "{v}");
    let url = v["request"]["request_url"].as_str().unwrap();
    assert!(
        url.starts_with("access_token=") && url.ends_with("xxxx"),
        "{url}"
    );
    assert!(!url.contains(&access), "the token is masked: {url}");
    assert!(v["request"]["cost_in_ms"].is_i64());
    assert_eq!(
        v["request"]["response_body"].as_str().unwrap(),
        failed.to_string()
    );
    assert_err(&env.at(rid_get, &ct, json!({"rid": rid})).await, 76003);

    // An injected failure belongs to the token's owner too.
    env.ctl.set_fault(Fault::Errcode {
        path: Some("/cgi-bin/open/have".into()),
        errcode: -1,
        errmsg: "system error".into(),
        times: Some(1),
    });
    let injected = env
        .at("/cgi-bin/open/have", &access, json!({"appid": appid}))
        .await;
    assert_err(&injected, -1);
    let injected_rid = rid_of(&injected);
    assert_eq!(
        env.at(rid_get, &access, json!({"rid": injected_rid})).await["errcode"],
        json!(0)
    );
    assert_err(
        &env.at(rid_get, &ct, json!({"rid": injected_rid})).await,
        76003,
    );

    env.ctl.advance_clock(7 * 86_400 + 1);
    let ct = env.component_token().await;
    let access = env.token_for(&ct, &appid, &refresh).await;
    assert_err(&env.at(rid_get, &access, json!({"rid": rid})).await, 76001);
    env.sb.shutdown().await;
}

/// Reference §1.9: quota/get with the API owner's token, 76003/76021/76022; clear_quota with
/// an authorizer's token and its own appid resets its counters, 10 a month of its own, 48006.
#[tokio::test]
async fn authorizer_quota_get_and_clear_quota() {
    let env = Env::default().await;
    let ct = env.component_token().await;
    let (appid, access, _) = env.new_authorizer(&ct, Kind::OfficialAccount).await;
    let quota_get = "/cgi-bin/openapi/quota/get";
    for _ in 0..3 {
        env.at("/cgi-bin/open/have", &access, json!({"appid": appid}))
            .await;
    }
    let q = env
        .at(
            quota_get,
            &access,
            json!({"cgi_path": "/cgi-bin/open/have"}),
        )
        .await;
    assert_eq!(q["errcode"], json!(0), "{q}");
    assert_eq!(
        q["quota"],
        json!({"daily_limit": 100_000, "used": 3, "remain": 99_997})
    );
    assert!(q["rate_limit"]["call_count"].is_i64());
    // The platform's own counter of the same path is a different one.
    assert_err(
        &env.at(quota_get, &ct, json!({"cgi_path": "/cgi-bin/open/have"}))
            .await,
        76022,
    );
    for (path, code) in [
        ("cgi-bin/open/have", 76003),
        ("/cgi-bin/no_such_api", 76021),
        ("/sns/oauth2/access_token", 76022),
        ("/cgi-bin/component/api_get_authorizer_list", 76022),
    ] {
        assert_err(
            &env.at(quota_get, &access, json!({"cgi_path": path})).await,
            code,
        );
    }

    let clear = "/cgi-bin/clear_quota";
    assert_err(
        &env.at(clear, &access, json!({"appid": env.appid})).await,
        40013,
    );
    assert_eq!(
        env.at(clear, &access, json!({"appid": appid})).await,
        json!({"errcode": 0, "errmsg": "ok"})
    );
    let q = env
        .at(
            quota_get,
            &access,
            json!({"cgi_path": "/cgi-bin/open/have"}),
        )
        .await;
    assert_eq!(q["quota"]["used"], json!(0));
    for _ in 1..10 {
        let v = env.at(clear, &access, json!({"appid": appid})).await;
        assert_eq!(v["errcode"], json!(0), "{v}");
    }
    assert_err(
        &env.at(clear, &access, json!({"appid": appid})).await,
        48006,
    );
    // The platform's resets are its own budget.
    let v = env.at(clear, &ct, json!({"appid": env.appid})).await;
    assert_eq!(v["errcode"], json!(0), "{v}");
    env.sb.shutdown().await;
}

#[tokio::test]
async fn unauthorize_and_authorize_again() {
    let env = Env::start(SandboxConfig {
        authorizers: 20,
        ..Default::default()
    })
    .await;
    let ct = env.component_token().await;
    let list = env.list(&ct, 0, 100).await;
    let victim = list["list"][3]["authorizer_appid"]
        .as_str()
        .unwrap()
        .to_owned();
    let (appid, access, refresh) = env.new_authorizer(&ct, Kind::OfficialAccount).await;
    let r: Value = env
        .http
        .post(format!("{}/sandbox/unauthorize", env.base))
        .json(&json!({"appid": victim}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(r["ok"], json!(true));
    env.ctl.unauthorize(&appid).unwrap();
    assert_eq!(env.ctl.unauthorize(&appid).unwrap_err().0, 61003);
    assert_eq!(env.ctl.authorizer_count(), 19);
    let after = env.list(&ct, 0, 100).await;
    assert_eq!(after["total_count"], json!(19));
    let ids: Vec<&str> = after["list"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["authorizer_appid"].as_str().unwrap())
        .collect();
    assert_eq!(ids.len(), 19);
    assert!(!ids.contains(&victim.as_str()) && !ids.contains(&appid.as_str()));
    // Paging skips revoked accounts: offset 3 is now what offset 4 was.
    assert_eq!(
        env.list(&ct, 3, 1).await["list"][0]["authorizer_appid"],
        list["list"][4]["authorizer_appid"]
    );
    assert_err(&env.info(&ct, &appid).await, 61003);
    let body = json!({"component_appid": env.appid, "authorizer_appid": appid, "authorizer_refresh_token": refresh});
    assert_err(&env.ct(AUTH_TOKEN, &ct, body).await, 61003);
    assert_err(
        &env.at("/cgi-bin/open/have", &access, json!({})).await,
        40001,
    );
    // Authorizing again is a new authorization, not an update.
    let code = env.pre_auth_code(&ct).await;
    let out = env
        .ctl
        .authorize(AuthorizeRequest {
            pre_auth_code: code,
            appid: Some(appid.clone()),
            ..Default::default()
        })
        .unwrap();
    assert_eq!(out.info_type, "authorized");
    assert_eq!(env.list(&ct, 0, 100).await["total_count"], json!(20));
    env.sb.shutdown().await;
}

#[tokio::test]
async fn plain_token_with_the_component_appid_is_61024() {
    let env = Env::default().await;
    let get = |q: String| {
        let http = env.http.clone();
        let url = format!("{}/cgi-bin/token?{q}", env.base);
        async move {
            http.get(url)
                .send()
                .await
                .unwrap()
                .json::<Value>()
                .await
                .unwrap()
        }
    };
    assert_err(
        &get(format!(
            "grant_type=client_credential&appid={}&secret={}",
            env.appid, env.secret
        ))
        .await,
        61024,
    );
    assert_err(
        &get("grant_type=client_credential&appid=wx0123456789abcdef&secret=x".into()).await,
        40013,
    );
    assert_err(&get(format!("appid={}", env.appid)).await, 40002);
    let v = env
        .post(
            "/cgi-bin/stable_token",
            json!({"grant_type": "client_credential", "appid": env.appid, "secret": env.secret}),
        )
        .await;
    assert_err(&v, 61024);
    env.sb.shutdown().await;
}

#[tokio::test]
async fn http_control_surface() {
    fn shareable<T: Clone + Send + Sync + 'static>(_: &T) {}
    let env = Env::default().await;
    shareable(&env.ctl);
    let get = |p: &str| {
        let req = env.http.get(format!("{}{p}", env.base));
        async move { req.send().await.unwrap().json::<Value>().await.unwrap() }
    };
    let creds = get("/sandbox/credentials").await;
    assert_eq!(creds["component_appid"], json!(env.appid));
    assert_eq!(creds["appsecret"], json!(env.secret));
    assert_eq!(creds["base_url"], json!(env.base));
    assert_eq!(creds["encoding_aes_key"].as_str().unwrap().len(), 43);
    let before = env.ctl.now();
    let r: Value = env
        .http
        .post(format!("{}/sandbox/clock/advance", env.base))
        .json(&json!({"secs": 3600}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(r["now"].as_i64().unwrap() >= before + 3600);
    assert!(env.ctl.now() >= before + 3600);
    let accounts = get("/sandbox/open_accounts").await;
    let bound = env
        .ctl
        .open_accounts()
        .iter()
        .map(|a| a.bound_count)
        .sum::<usize>();
    assert!(bound > 100, "seeded bindings: {bound}");
    assert_eq!(
        accounts["open_accounts"].as_array().unwrap().len(),
        env.ctl.open_accounts().len()
    );
    let ct = env.component_token().await;
    let appid = env.list(&ct, 0, 1).await["list"][0]["authorizer_appid"]
        .as_str()
        .unwrap()
        .to_owned();
    let open = get(&format!("/sandbox/authorizers/{appid}/open")).await;
    assert_eq!(open["open_appid"], json!(env.ctl.open_appid_of(&appid)));
    let r = env
        .http
        .get(format!(
            "{}/sandbox/authorizers/wx0123456789abcdef/options",
            env.base
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404);
    let t: Value = env
        .http
        .post(format!("{}/sandbox/ticket", env.base))
        .json(&json!({}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(
        env.fetch_token(t["ticket"].as_str().unwrap()).await["component_access_token"].is_string()
    );
    env.sb.shutdown().await;
}

#[tokio::test]
async fn visiting_the_authorization_link_redirects_with_an_auth_code() {
    let env = Env::default().await;
    let ct = env.component_token().await;
    let no_redirects = reqwest::Client::builder()
        .no_proxy()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let code = env.pre_auth_code(&ct).await;
    let mut link = url::Url::parse(&format!("{}/cgi-bin/componentloginpage", env.base)).unwrap();
    link.query_pairs_mut()
        .append_pair("component_appid", &env.appid)
        .append_pair("pre_auth_code", &code)
        .append_pair("redirect_uri", "https://example.com/cb?from=pc")
        .append_pair("auth_type", "2");
    let r = no_redirects.get(link.clone()).send().await.unwrap();
    assert_eq!(r.status(), 302);
    let location = url::Url::parse(r.headers()["location"].to_str().unwrap()).unwrap();
    let q: std::collections::HashMap<_, _> = location.query_pairs().into_owned().collect();
    assert_eq!(q["from"], "pc");
    let v = env
        .ct(
            QUERY_AUTH,
            &ct,
            json!({"component_appid": env.appid, "authorization_code": q["auth_code"]}),
        )
        .await;
    let appid = v["authorization_info"]["authorizer_appid"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(
        env.info(&ct, &appid).await["authorizer_info"]
            .get("MiniProgramInfo")
            .is_some(),
        "auth_type 2 → a mini program"
    );
    // The same link again: the pre-auth code is used up.
    assert_eq!(no_redirects.get(link).send().await.unwrap().status(), 400);
    // Mobile form, pinned to the account by biz_appid: an update of that account.
    let code = env.pre_auth_code(&ct).await;
    let mut link = url::Url::parse(&format!("{}/wxaopen/safe/bindcomponent", env.base)).unwrap();
    link.query_pairs_mut()
        .append_pair("action", "bindcomponent")
        .append_pair("no_scan", "1")
        .append_pair("component_appid", &env.appid)
        .append_pair("pre_auth_code", &code)
        .append_pair("biz_appid", &appid);
    let out: Value = no_redirects
        .get(link)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(out["authorizer_appid"], json!(appid));
    assert_eq!(out["info_type"], json!("updateauthorized"));
    env.sb.shutdown().await;
}

#[tokio::test]
async fn calls_report_the_token_each_call_carried() {
    let env = Env::default().await;
    let ct = env.component_token().await;
    const LIST: &str = "/cgi-bin/component/api_get_authorizer_list";
    let body = json!({"component_appid": env.appid, "offset": 0, "count": 1});
    env.ct(LIST, &ct, body.clone()).await;
    env.ct(LIST, &ct, body.clone()).await;
    // A stale token is recorded too (the call is refused, but it carried that token).
    env.ct(LIST, "stale-token", body.clone()).await;
    env.post(LIST, body).await;

    let url = |q: &str| format!("{}/sandbox/calls{q}", env.base);
    let r = sandbox_common::client()
        .get(url(&format!("?path={LIST}")))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403, "guarded like every /sandbox/* route");
    let v: Value = env
        .http
        .get(url(&format!("?path={LIST}")))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(v["path"], json!(LIST));
    assert_eq!(v["calls"], json!(4));
    assert_eq!(v["without_token"], json!(1));
    assert_eq!(v["tokens"], json!({ct.clone(): 2, "stale-token": 1}));
    assert_eq!(env.ctl.calls_on(LIST).tokens.get(&ct), Some(&2));

    let all: Value = env
        .http
        .get(url(""))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(all["paths"][TOKEN]["calls"], json!(1));
    assert_eq!(all["paths"][TOKEN]["without_token"], json!(1));
    assert_eq!(all["paths"][LIST]["tokens"][&ct], json!(2));
    let none: Value = env
        .http
        .get(url("?path=/cgi-bin/component/api_query_auth"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(none["calls"], json!(0));
    env.sb.shutdown().await;
}

#[tokio::test]
async fn an_admin_edit_shows_in_the_info_answer_not_in_the_list() {
    let env = Env::start(SandboxConfig {
        authorizers: 10,
        ..Default::default()
    })
    .await;
    let ct = env.component_token().await;
    let list_before = env.list(&ct, 0, 100).await;
    let appid = list_before["list"][2]["authorizer_appid"]
        .as_str()
        .unwrap()
        .to_owned();
    let before = env.info(&ct, &appid).await;
    let post = |body: Value| {
        let req = env
            .http
            .post(format!("{}/sandbox/edit_authorizer", env.base))
            .json(&body);
        async move {
            let r = req.send().await.unwrap();
            (r.status().as_u16(), r.json::<Value>().await.unwrap())
        }
    };
    let (status, r) = post(json!({
        "appid": appid, "nick_name": "改名后的账号", "verify_type": 0, "principal": 3,
        "func_ids": [1, 2, 99]
    }))
    .await;
    assert_eq!((status, &r["ok"]), (200, &json!(true)), "{r}");
    let after = env.info(&ct, &appid).await;
    let info = &after["authorizer_info"];
    assert_eq!(info["nick_name"], json!("改名后的账号"));
    assert_eq!(info["verify_type_info"]["id"], json!(0));
    assert_eq!(info["principal_name"], json!("北京晨光文化传媒有限公司"));
    let ids: Vec<i64> = after["authorization_info"]["func_info"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["funcscope_category"]["id"].as_i64().unwrap())
        .collect();
    assert_eq!(ids, vec![1, 2, 99]);
    // What was not named stays as it was.
    assert_eq!(
        info["service_type_info"],
        before["authorizer_info"]["service_type_info"]
    );
    assert_eq!(info["user_name"], before["authorizer_info"]["user_name"]);
    // The list does not carry these fields: it is unchanged.
    assert_eq!(env.list(&ct, 0, 100).await, list_before);
    // Refusals: an unknown principal, an empty name, an account not authorized now.
    let (status, r) = post(json!({"appid": appid, "principal": 999})).await;
    assert_eq!((status, &r["errcode"]), (400, &json!(40097)), "{r}");
    let (status, r) = post(json!({"appid": appid, "nick_name": "  "})).await;
    assert_eq!((status, &r["errcode"]), (400, &json!(40097)), "{r}");
    env.ctl.unauthorize(&appid).unwrap();
    let (status, r) = post(json!({"appid": appid, "nick_name": "x"})).await;
    assert_eq!((status, &r["errcode"]), (400, &json!(61003)), "{r}");
    env.sb.shutdown().await;
}
