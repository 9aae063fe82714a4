//! Every endpoint of `ComponentClient` through real HTTP against a scripted local server: the
//! exact method, path, query token parameter and JSON body WeChat documents, and the parsing of
//! the documented answers (success with and without `errcode`, and an errcode per endpoint).

mod client_support;

use client_support::{Behavior, Captured, MockServer};
use serde_json::{json, Value};
use wxopen_wechat::client::{paths, ClientConfig, ComponentClient};
use wxopen_wechat::error::WeChatError;

const CT: &str = "COMPONENT_TOKEN_x/y+z";
const AT: &str = "AUTHORIZER_TOKEN_1";

fn client(server: &MockServer) -> ComponentClient {
    ComponentClient::new(ClientConfig::with_api_base(server.base_url())).unwrap()
}

fn assert_call(
    req: &Captured,
    method: &str,
    path: &str,
    token: Option<(&str, &str)>,
    body: Option<Value>,
) {
    assert_eq!(req.method, method, "method of {path}");
    assert_eq!(req.path(), path);
    let pairs = req.query_pairs();
    match token {
        None => assert!(pairs.is_empty(), "{path}: no token expected, got {pairs:?}"),
        Some((name, value)) => {
            assert_eq!(pairs, vec![(name.to_string(), value.to_string())], "{path}")
        }
    }
    match body {
        Some(expected) => {
            assert_eq!(req.json(), expected, "body of {path}");
            assert_eq!(
                req.header("content-type"),
                Some("application/json"),
                "{path}"
            );
        }
        None => assert!(req.body.is_empty(), "{path}: no body expected"),
    }
}

/// Answers `answer` for every call, then checks the request and returns the client's result.
async fn one_call<T, F, Fut>(answer: Value, f: F) -> (Captured, Result<T, WeChatError>)
where
    F: FnOnce(ComponentClient) -> Fut,
    Fut: std::future::Future<Output = Result<T, WeChatError>>,
{
    let server = MockServer::json(answer).await;
    let result = f(client(&server)).await;
    let reqs = server.requests();
    assert_eq!(reqs.len(), 1, "exactly one request");
    (reqs[0].clone(), result)
}

fn api_err(r: Result<impl std::fmt::Debug, WeChatError>) -> (String, i64, String) {
    match r.unwrap_err() {
        WeChatError::Api {
            endpoint,
            errcode,
            errmsg,
        } => (endpoint, errcode, errmsg),
        other => panic!("expected an API error, got {other:?}"),
    }
}

#[tokio::test]
async fn component_token() {
    let (req, r) = one_call(
        json!({"component_access_token":"61W3mEpU","expires_in":7200}),
        |c| async move { c.component_token("wxc", "SECRET", "ticket@@@x").await },
    )
    .await;
    assert_call(
        &req,
        "POST",
        "/cgi-bin/component/api_component_token",
        None,
        Some(
            json!({"component_appid":"wxc","component_appsecret":"SECRET","component_verify_ticket":"ticket@@@x"}),
        ),
    );
    let t = r.unwrap();
    assert_eq!(t.component_access_token, "61W3mEpU");
    assert_eq!(t.expires_in, 7200);

    let (_, r) = one_call(
        json!({"errcode":61006,"errmsg":"component ticket is invalid rid: 1"}),
        |c| async move { c.component_token("wxc", "SECRET", "bad").await },
    )
    .await;
    let (endpoint, code, msg) = api_err(r);
    assert_eq!(endpoint, paths::API_COMPONENT_TOKEN);
    assert_eq!(code, 61006);
    assert!(msg.contains("ticket is invalid"));
}

#[tokio::test]
async fn start_push_ticket() {
    let (req, r) = one_call(json!({"errcode":0,"errmsg":"ok"}), |c| async move {
        c.start_push_ticket("wxc", "SECRET").await
    })
    .await;
    assert_call(
        &req,
        "POST",
        "/cgi-bin/component/api_start_push_ticket",
        None,
        Some(json!({"component_appid":"wxc","component_secret":"SECRET"})),
    );
    assert_eq!(r.unwrap().errmsg, "ok");
    let (_, r) = one_call(
        json!({"errcode":0,"errmsg":"in a normal state"}),
        |c| async move { c.start_push_ticket("wxc", "S").await },
    )
    .await;
    assert_eq!(r.unwrap().errmsg, "in a normal state");
    let (_, r) = one_call(
        json!({"errcode":61011,"errmsg":"invalid component"}),
        |c| async move { c.start_push_ticket("wxc", "S").await },
    )
    .await;
    assert_eq!(api_err(r).1, 61011);
}

#[tokio::test]
async fn create_preauthcode() {
    let (req, r) = one_call(
        json!({"pre_auth_code":"preauthcode@@@Cx_Dk6","expires_in":600}),
        |c| async move { c.create_preauthcode(CT, "wxc").await },
    )
    .await;
    assert_call(
        &req,
        "POST",
        "/cgi-bin/component/api_create_preauthcode",
        Some(("component_access_token", CT)),
        Some(json!({"component_appid":"wxc"})),
    );
    let p = r.unwrap();
    assert_eq!(p.pre_auth_code, "preauthcode@@@Cx_Dk6");
    assert_eq!(p.expires_in, 600);
    let (_, r) = one_call(
        json!({"errcode":40001,"errmsg":"invalid credential"}),
        |c| async move { c.create_preauthcode(CT, "wxc").await },
    )
    .await;
    let e = r.unwrap_err();
    assert!(e.is_token_invalid());
}

#[tokio::test]
async fn query_auth() {
    let answer = json!({"authorization_info":{
        "authorizer_appid":"wxf8b4f85f3a794e77",
        "authorizer_access_token":"QXjUqNqfYVH0yBE1iI",
        "expires_in":7200,
        "authorizer_refresh_token":"dTo-YCXPL4llX",
        "func_info":[{"funcscope_category":{"id":1}},{"funcscope_category":{"id":18},"confirm_info":{"need_confirm":0,"already_confirm":0,"can_confirm":0}}]}});
    let (req, r) = one_call(answer, |c| async move {
        c.query_auth(CT, "wxc", "queryauthcode@@@abc").await
    })
    .await;
    assert_call(
        &req,
        "POST",
        "/cgi-bin/component/api_query_auth",
        Some(("component_access_token", CT)),
        Some(json!({"component_appid":"wxc","authorization_code":"queryauthcode@@@abc"})),
    );
    let q = r.unwrap();
    let info = &q.authorization_info;
    assert_eq!(info.authorizer_appid, "wxf8b4f85f3a794e77");
    assert_eq!(
        info.authorizer_access_token.as_deref(),
        Some("QXjUqNqfYVH0yBE1iI")
    );
    assert_eq!(info.expires_in, Some(7200));
    assert_eq!(
        info.authorizer_refresh_token.as_deref(),
        Some("dTo-YCXPL4llX")
    );
    assert_eq!(info.funcscope_ids(), vec![1, 18]);
    assert!(info.func_info[1].confirm_info.is_some());
    let (_, r) = one_call(
        json!({"errcode":61009,"errmsg":"code is invalid"}),
        |c| async move { c.query_auth(CT, "wxc", "x").await },
    )
    .await;
    assert_eq!(api_err(r).1, 61009);
}

#[tokio::test]
async fn authorizer_token() {
    let (req, r) = one_call(
        json!({"authorizer_access_token":"some-access-token","expires_in":7200,"authorizer_refresh_token":"refresh_token_value"}),
        |c| async move { c.authorizer_token(CT, "wxc", "wxa", "refresh_token_value").await },
    )
    .await;
    assert_call(
        &req,
        "POST",
        "/cgi-bin/component/api_authorizer_token",
        Some(("component_access_token", CT)),
        Some(
            json!({"component_appid":"wxc","authorizer_appid":"wxa","authorizer_refresh_token":"refresh_token_value"}),
        ),
    );
    let t = r.unwrap();
    assert_eq!(t.authorizer_access_token, "some-access-token");
    assert_eq!(
        t.authorizer_refresh_token.as_deref(),
        Some("refresh_token_value")
    );
    let (_, r) = one_call(
        json!({"errcode":61023,"errmsg":"refresh_token is invalid"}),
        |c| async move { c.authorizer_token(CT, "wxc", "wxa", "old").await },
    )
    .await;
    assert_eq!(api_err(r).1, 61023);
}

#[tokio::test]
async fn authorizer_info() {
    let answer = json!({
        "authorizer_info": {"nick_name":"微信SDK Demo Special","head_img":"http://wx.qlogo.cn/x","service_type_info":{"id":2},
            "verify_type_info":{"id":0},"user_name":"gh_eb5e3a772040","principal_name":"腾讯计算机系统有限公司","alias":"paytest01",
            "business_info":{"open_store":0,"open_scan":0,"open_pay":0,"open_card":0,"open_shake":0},"qrcode_url":"URL","account_status":1},
        "authorization_info": {"authorizer_appid":"wxf8b4f85f3a794e77","authorizer_refresh_token":"r","func_info":[{"funcscope_category":{"id":1}}]}
    });
    let (req, r) = one_call(answer, |c| async move {
        c.authorizer_info(CT, "wxc", "wxf8b4f85f3a794e77").await
    })
    .await;
    assert_call(
        &req,
        "POST",
        "/cgi-bin/component/api_get_authorizer_info",
        Some(("component_access_token", CT)),
        Some(json!({"component_appid":"wxc","authorizer_appid":"wxf8b4f85f3a794e77"})),
    );
    let a = r.unwrap();
    assert_eq!(a.authorizer_info.nick_name, "微信SDK Demo Special");
    assert_eq!(a.authorizer_info.service_type(), Some(2));
    assert_eq!(a.authorizer_info.business_info.len(), 5);
    assert!(!a.authorizer_info.is_mini_program());
    assert_eq!(
        a.authorization_info.authorizer_refresh_token.as_deref(),
        Some("r")
    );
    let (_, r) = one_call(
        json!({"errcode":61003,"errmsg":"component is not authorized by this account"}),
        |c| async move { c.authorizer_info(CT, "wxc", "wxa").await },
    )
    .await;
    assert_eq!(api_err(r).1, 61003);
}

#[tokio::test]
async fn authorizer_list() {
    let answer = json!({"total_count":33,"list":[
        {"authorizer_appid":"authorizer_appid_1","refresh_token":"refresh_token_1","auth_time":1558000607},
        {"authorizer_appid":"authorizer_appid_2","refresh_token":"","auth_time":1558000607}]});
    let (req, r) = one_call(answer, |c| async move {
        c.authorizer_list(CT, "wxc", 100, 500).await
    })
    .await;
    assert_call(
        &req,
        "POST",
        "/cgi-bin/component/api_get_authorizer_list",
        Some(("component_access_token", CT)),
        Some(json!({"component_appid":"wxc","offset":100,"count":500})),
    );
    // offset/count are JSON numbers, not strings.
    assert!(req.json()["offset"].is_u64() && req.json()["count"].is_u64());
    let l = r.unwrap();
    assert_eq!(l.total_count, 33);
    assert_eq!(l.list[0].refresh_token.as_deref(), Some("refresh_token_1"));
    assert_eq!(l.list[0].auth_time, Some(1558000607));
    assert_eq!(l.list[1].refresh_token, None);
    let (_, r) = one_call(
        json!({"errcode":40170,"errmsg":"args count exceed count limit"}),
        |c| async move { c.authorizer_list(CT, "wxc", 0, 501).await },
    )
    .await;
    assert_eq!(api_err(r).1, 40170);
}

#[tokio::test]
async fn legacy_options() {
    let (req, r) = one_call(
        json!({"authorizer_appid":"wx7bc5ba58cabd00f4","option_name":"voice_recognize","option_value":"1"}),
        |c| async move { c.get_authorizer_option(CT, "wxc", "wx7bc5ba58cabd00f4", "voice_recognize").await },
    )
    .await;
    assert_call(
        &req,
        "POST",
        "/cgi-bin/component/api_get_authorizer_option",
        Some(("component_access_token", CT)),
        Some(
            json!({"component_appid":"wxc","authorizer_appid":"wx7bc5ba58cabd00f4","option_name":"voice_recognize"}),
        ),
    );
    let o = r.unwrap();
    assert_eq!(
        (o.option_name.as_str(), o.option_value.as_str()),
        ("voice_recognize", "1")
    );

    let (req, r) = one_call(json!({"errcode":0,"errmsg":"ok"}), |c| async move {
        c.set_authorizer_option(CT, "wxc", "wxa", "location_report", "2")
            .await
    })
    .await;
    assert_call(
        &req,
        "POST",
        "/cgi-bin/component/api_set_authorizer_option",
        Some(("component_access_token", CT)),
        Some(
            json!({"component_appid":"wxc","authorizer_appid":"wxa","option_name":"location_report","option_value":"2"}),
        ),
    );
    assert_eq!(r.unwrap().errcode, 0);
    let (_, r) = one_call(
        json!({"errcode":61013,"errmsg":"invalid option value"}),
        |c| async move {
            c.set_authorizer_option(CT, "wxc", "wxa", "location_report", "9")
                .await
        },
    )
    .await;
    assert_eq!(api_err(r).1, 61013);
    let (_, r) = one_call(
        json!({"errcode":61012,"errmsg":"invalid option name"}),
        |c| async move { c.get_authorizer_option(CT, "wxc", "wxa", "nope").await },
    )
    .await;
    assert_eq!(api_err(r).1, 61012);
}

#[tokio::test]
async fn newer_options() {
    let (req, r) = one_call(
        json!({"option_name":"voice_recognize","option_value":"1"}),
        |c| async move { c.get_option_v2(AT, "wxc", "wxa", "voice_recognize").await },
    )
    .await;
    assert_call(
        &req,
        "POST",
        "/cgi-bin/component/get_authorizer_option",
        Some(("access_token", AT)),
        Some(
            json!({"component_appid":"wxc","authorizer_appid":"wxa","option_name":"voice_recognize"}),
        ),
    );
    assert_eq!(r.unwrap().option_value, "1");
    let (req, r) = one_call(json!({"errcode":0,"errmsg":"ok"}), |c| async move {
        c.set_option_v2(AT, "wxc", "wxa", "customer_service", "0")
            .await
    })
    .await;
    assert_call(
        &req,
        "POST",
        "/cgi-bin/component/set_authorizer_option",
        Some(("access_token", AT)),
        Some(
            json!({"component_appid":"wxc","authorizer_appid":"wxa","option_name":"customer_service","option_value":"0"}),
        ),
    );
    r.unwrap();
    let (_, r) = one_call(
        json!({"errcode":61014,"errmsg":"must use component token for component api"}),
        |c| async move { c.get_option_v2(AT, "wxc", "wxa", "voice_recognize").await },
    )
    .await;
    assert_eq!(api_err(r).1, 61014);
}

#[tokio::test]
async fn quota_resets() {
    let (req, r) = one_call(json!({"errcode":0,"errmsg":"ok"}), |c| async move {
        c.clear_quota(CT, "wxc").await
    })
    .await;
    assert_call(
        &req,
        "POST",
        "/cgi-bin/component/clear_quota",
        Some(("component_access_token", CT)),
        Some(json!({"component_appid":"wxc"})),
    );
    r.unwrap();

    let (req, r) = one_call(json!({"errcode":0,"errmsg":"ok"}), |c| async move {
        c.clear_quota_generic(AT, "wx448f04719cd48f69").await
    })
    .await;
    assert_call(
        &req,
        "POST",
        "/cgi-bin/clear_quota",
        Some(("access_token", AT)),
        Some(json!({"appid":"wx448f04719cd48f69"})),
    );
    r.unwrap();

    let (req, r) = one_call(json!({"errcode":0,"errmsg":"ok"}), |c| async move {
        c.clear_quota_v2("wxc", "SECRET", None).await
    })
    .await;
    assert_call(
        &req,
        "POST",
        "/cgi-bin/component/clear_quota/v2",
        None,
        Some(json!({"component_appid":"wxc","appsecret":"SECRET"})),
    );
    r.unwrap();

    let (req, r) = one_call(json!({"errcode":0,"errmsg":"ok"}), |c| async move {
        c.clear_quota_v2("wxc", "SECRET", Some("wxa")).await
    })
    .await;
    assert_call(
        &req,
        "POST",
        "/cgi-bin/component/clear_quota/v2",
        None,
        Some(json!({"component_appid":"wxc","appsecret":"SECRET","appid":"wxa"})),
    );
    r.unwrap();

    for (path_is_generic, answer) in [(false, 48006), (true, 48006)] {
        let (_, r) = one_call(json!({"errcode":answer,"errmsg":"forbid to clear quota because of reaching the limit"}), |c| async move {
            if path_is_generic { c.clear_quota_generic(AT, "wxa").await } else { c.clear_quota(CT, "wxc").await }
        })
        .await;
        let e = r.unwrap_err();
        assert_eq!(e.errcode(), Some(48006));
        assert!(!e.is_retryable());
    }
    let (_, r) = one_call(
        json!({"errcode":40013,"errmsg":"invalid appid"}),
        |c| async move { c.clear_quota_v2("wxc", "S", Some("wxa")).await },
    )
    .await;
    assert_eq!(api_err(r).1, 40013);
}

#[tokio::test]
async fn api_quota_and_rid() {
    let answer = json!({"errcode":0,"errmsg":"ok","quota":{"daily_limit":10000,"used":12,"remain":9988},
        "rate_limit":{"call_count":100,"refresh_second":60},"component_rate_limit":{"call_count":1000,"refresh_second":60}});
    let (req, r) = one_call(answer, |c| async move {
        c.api_quota(CT, "/cgi-bin/component/api_component_token")
            .await
    })
    .await;
    assert_call(
        &req,
        "POST",
        "/cgi-bin/openapi/quota/get",
        Some(("access_token", CT)),
        Some(json!({"cgi_path":"/cgi-bin/component/api_component_token"})),
    );
    let q = r.unwrap();
    let quota = q.quota.unwrap();
    assert_eq!(
        (quota.daily_limit, quota.used, quota.remain),
        (10000, 12, 9988)
    );
    assert_eq!(q.rate_limit.unwrap().refresh_second, 60);
    assert_eq!(q.component_rate_limit.unwrap().call_count, 1000);
    let (_, r) = one_call(
        json!({"errcode":76021,"errmsg":"cgi_path not found, please check"}),
        |c| async move { c.api_quota(CT, "/nope").await },
    )
    .await;
    assert_eq!(api_err(r).1, 76021);

    let answer = json!({"errcode":0,"errmsg":"ok","request":{"invoke_time":1635156704,"cost_in_ms":30,
        "request_url":"access_token=50_Im7xxxx","request_body":"","response_body":"{\"errcode\":45009}","client_ip":"113.xx.70.51"}});
    let (req, r) = one_call(answer, |c| async move {
        c.rid_info(CT, "61725984-6126f6f9-040f19c4").await
    })
    .await;
    assert_call(
        &req,
        "POST",
        "/cgi-bin/openapi/rid/get",
        Some(("access_token", CT)),
        Some(json!({"rid":"61725984-6126f6f9-040f19c4"})),
    );
    let rid = r.unwrap();
    assert_eq!(rid.request.invoke_time, 1635156704);
    assert_eq!(rid.request.cost_in_ms, 30);
    assert_eq!(rid.request.client_ip, "113.xx.70.51");
    let (_, r) = one_call(
        json!({"errcode":76001,"errmsg":"rid not found"}),
        |c| async move { c.rid_info(CT, "x").await },
    )
    .await;
    assert_eq!(api_err(r).1, 76001);
}

#[tokio::test]
async fn open_accounts() {
    let (req, r) = one_call(
        json!({"open_appid":"wxopen1","errcode":0,"errmsg":"ok"}),
        |c| async move { c.open_create(AT, "wxa").await },
    )
    .await;
    assert_call(
        &req,
        "POST",
        "/cgi-bin/open/create",
        Some(("access_token", AT)),
        Some(json!({"appid":"wxa"})),
    );
    assert_eq!(r.unwrap().open_appid, "wxopen1");
    // appid is optional: "" omits it.
    let (req, _) = one_call(
        json!({"open_appid":"wxopen1","errcode":0,"errmsg":"ok"}),
        |c| async move { c.open_create(AT, "").await },
    )
    .await;
    assert_call(
        &req,
        "POST",
        "/cgi-bin/open/create",
        Some(("access_token", AT)),
        Some(json!({})),
    );

    let (req, r) = one_call(json!({"errcode":0,"errmsg":"ok"}), |c| async move {
        c.open_bind(AT, "wxa", "wxopen1").await
    })
    .await;
    assert_call(
        &req,
        "POST",
        "/cgi-bin/open/bind",
        Some(("access_token", AT)),
        Some(json!({"appid":"wxa","open_appid":"wxopen1"})),
    );
    r.unwrap();
    let (req, r) = one_call(json!({"errcode":0,"errmsg":"ok"}), |c| async move {
        c.open_unbind(AT, "wxa", "wxopen1").await
    })
    .await;
    assert_call(
        &req,
        "POST",
        "/cgi-bin/open/unbind",
        Some(("access_token", AT)),
        Some(json!({"appid":"wxa","open_appid":"wxopen1"})),
    );
    r.unwrap();
    let (req, r) = one_call(
        json!({"open_appid":"wxopen1","errcode":0,"errmsg":"ok"}),
        |c| async move { c.open_get(AT, "wxa").await },
    )
    .await;
    assert_call(
        &req,
        "POST",
        "/cgi-bin/open/get",
        Some(("access_token", AT)),
        Some(json!({"appid":"wxa"})),
    );
    assert_eq!(r.unwrap().open_appid, "wxopen1");
    let (req, r) = one_call(
        json!({"have_open":true,"errcode":0,"errmsg":"ok"}),
        |c| async move { c.open_have(AT).await },
    )
    .await;
    assert_call(
        &req,
        "GET",
        "/cgi-bin/open/have",
        Some(("access_token", AT)),
        None,
    );
    assert!(r.unwrap().have_open);

    for (code, which) in [
        (89000, "create"),
        (89001, "bind"),
        (89003, "unbind"),
        (89002, "get"),
        (48001, "have"),
    ] {
        let (_, r) = one_call(json!({"errcode":code,"errmsg":"x"}), |c| async move {
            match which {
                "create" => c.open_create(AT, "wxa").await.map(|_| ()),
                "bind" => c.open_bind(AT, "wxa", "o").await.map(|_| ()),
                "unbind" => c.open_unbind(AT, "wxa", "o").await.map(|_| ()),
                "get" => c.open_get(AT, "wxa").await.map(|_| ()),
                _ => c.open_have(AT).await.map(|_| ()),
            }
        })
        .await;
        assert_eq!(r.unwrap_err().errcode(), Some(code), "{which}");
    }
}

#[tokio::test]
async fn errcode_zero_and_absent_are_success_and_string_errcode_is_an_error() {
    let (_, r) = one_call(json!({"open_appid":"o"}), |c| async move {
        c.open_get(AT, "wxa").await
    })
    .await;
    assert_eq!(r.unwrap().open_appid, "o");
    let (_, r) = one_call(
        json!({"errcode":"0","errmsg":"ok","open_appid":"o"}),
        |c| async move { c.open_get(AT, "wxa").await },
    )
    .await;
    r.unwrap();
    let (_, r) = one_call(
        json!({"errcode":"89002","errmsg":"open not exists"}),
        |c| async move { c.open_get(AT, "wxa").await },
    )
    .await;
    assert_eq!(api_err(r).1, 89002);
    // errcode != 0 wins even with HTTP 200 and other members present.
    let (_, r) = one_call(
        json!({"errcode":-1,"errmsg":"system error","open_appid":"o"}),
        |c| async move { c.open_get(AT, "wxa").await },
    )
    .await;
    let e = r.unwrap_err();
    assert_eq!(e.errcode(), Some(-1));
    assert!(e.is_retryable());
}

#[tokio::test]
async fn one_client_reuses_its_pool_and_sends_a_user_agent() {
    let server = MockServer::start(|req| match req.path() {
        "/cgi-bin/component/api_create_preauthcode" => {
            Behavior::json(json!({"pre_auth_code":"p","expires_in":600}))
        }
        _ => Behavior::json(json!({"errcode":0,"errmsg":"ok"})),
    })
    .await;
    let c = client(&server);
    for _ in 0..3 {
        c.create_preauthcode(CT, "wxc").await.unwrap();
        c.clear_quota(CT, "wxc").await.unwrap();
    }
    let reqs = server.requests();
    assert_eq!(reqs.len(), 6);
    assert!(reqs[0]
        .header("user-agent")
        .unwrap()
        .starts_with("WxOpenConsole/"));
    // The token is never in the body.
    for r in &reqs {
        assert!(!String::from_utf8_lossy(&r.body).contains(CT));
    }
}
