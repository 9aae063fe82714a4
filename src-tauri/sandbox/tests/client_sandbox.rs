//! Every endpoint of `ComponentClient` against the sandbox simulator over real HTTP: the
//! documented happy path and at least one errcode each, the token lifecycle the simulator
//! enforces, and its injected faults mapped to the client's transport errors.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use wxopen_sandbox::{AuthorizeRequest, Fault, Kind, Sandbox, SandboxConfig, SandboxControl};
use wxopen_wechat::client::{paths, CallRecord, ClientConfig, ComponentClient};
use wxopen_wechat::error::WeChatError;

struct Env {
    sandbox: Sandbox,
    ctl: SandboxControl,
    client: ComponentClient,
    appid: String,
    secret: String,
    token: String,
}

impl Env {
    async fn start() -> Env {
        Self::start_with(ClientConfig::default()).await
    }

    async fn start_with(config: ClientConfig) -> Env {
        let sandbox = Sandbox::start(SandboxConfig {
            port: 0,
            authorizers: 60,
            seed: 7,
            ..Default::default()
        })
        .await
        .unwrap();
        let ctl = sandbox.control();
        let creds = sandbox.credentials().clone();
        let client = ComponentClient::new(ClientConfig {
            api_base: sandbox.base_url(),
            ..config
        })
        .unwrap();
        let ticket = ctl.issue_ticket();
        let token = client
            .component_token(&creds.component_appid, &creds.appsecret, &ticket)
            .await
            .unwrap()
            .component_access_token;
        Env {
            sandbox,
            ctl,
            client,
            appid: creds.component_appid,
            secret: creds.appsecret,
            token,
        }
    }

    /// A new account of `kind` authorizes through a fresh pre-auth code; returns its appid,
    /// access token and refresh token (via api_query_auth).
    async fn authorize_new(&self, kind: Kind) -> (String, String, String) {
        let pre = self
            .client
            .create_preauthcode(&self.token, &self.appid)
            .await
            .unwrap();
        let out = self
            .ctl
            .authorize(AuthorizeRequest {
                pre_auth_code: pre.pre_auth_code,
                redirect_uri: Some("https://example.com/cb".into()),
                appid: None,
                kind: Some(kind),
                auth_type: None,
                biz_appid: None,
                func_ids: None,
            })
            .unwrap();
        let q = self
            .client
            .query_auth(&self.token, &self.appid, &out.auth_code)
            .await
            .unwrap();
        let info = q.authorization_info;
        assert_eq!(info.authorizer_appid, out.authorizer_appid);
        (
            info.authorizer_appid,
            info.authorizer_access_token.unwrap(),
            info.authorizer_refresh_token.unwrap(),
        )
    }

    async fn stop(self) {
        self.sandbox.shutdown().await;
    }
}

fn errcode<T: std::fmt::Debug>(r: Result<T, WeChatError>) -> i64 {
    match r {
        Err(WeChatError::Api { errcode, .. }) => errcode,
        other => panic!("expected an API error, got {other:?}"),
    }
}

/// The rid at the end of an errmsg (`… rid: 6566a1b2-…`).
fn rid_of(e: &WeChatError) -> String {
    let msg = e.errmsg().unwrap();
    msg.rsplit("rid: ").next().unwrap().trim().to_string()
}

#[tokio::test]
async fn component_token_and_ticket_errors() {
    let env = Env::start().await;
    assert!(!env.token.is_empty());
    let ticket = env.ctl.issue_ticket();
    let t = env
        .client
        .component_token(&env.appid, &env.secret, &ticket)
        .await
        .unwrap();
    assert_eq!(t.expires_in, 7200);
    assert_eq!(
        errcode(
            env.client
                .component_token(&env.appid, "wrong-secret", &ticket)
                .await
        ),
        40125
    );
    assert_eq!(
        errcode(
            env.client
                .component_token(&env.appid, &env.secret, "ticket@@@bogus")
                .await
        ),
        61006
    );
    assert_eq!(
        errcode(
            env.client
                .component_token("wx0000000000000000", &env.secret, &ticket)
                .await
        ),
        61011
    );
    env.ctl.advance_clock(12 * 3600 + 1);
    assert_eq!(
        errcode(
            env.client
                .component_token(&env.appid, &env.secret, &ticket)
                .await
        ),
        61005
    );
    env.stop().await;
}

#[tokio::test]
async fn start_push_ticket() {
    let env = Env::start().await;
    let ack = env
        .client
        .start_push_ticket(&env.appid, &env.secret)
        .await
        .unwrap();
    assert_eq!(ack.errcode, 0);
    assert_eq!(
        errcode(env.client.start_push_ticket(&env.appid, "nope").await),
        40125
    );
    assert_eq!(env.ctl.call_count(paths::API_START_PUSH_TICKET), 2);
    env.stop().await;
}

#[tokio::test]
async fn preauthcode_and_token_errors() {
    let env = Env::start().await;
    let p = env
        .client
        .create_preauthcode(&env.token, &env.appid)
        .await
        .unwrap();
    assert!(p.pre_auth_code.starts_with("preauthcode@@@"));
    assert!(p.expires_in > 0);
    let e = env
        .client
        .create_preauthcode("not-a-token", &env.appid)
        .await
        .unwrap_err();
    assert!(e.is_token_invalid(), "{e:?}");
    assert_eq!(e.errcode(), Some(40001));
    // An authorizer token on a component API: 61014.
    let (_, at, _) = env.authorize_new(Kind::OfficialAccount).await;
    assert_eq!(
        errcode(env.client.create_preauthcode(&at, &env.appid).await),
        61014
    );
    // Expired component token: 42001.
    env.ctl.advance_clock(7201);
    let e = env
        .client
        .create_preauthcode(&env.token, &env.appid)
        .await
        .unwrap_err();
    assert_eq!(e.errcode(), Some(42001));
    assert!(e.is_token_invalid());
    env.stop().await;
}

#[tokio::test]
async fn authorization_flow_query_auth_and_refresh() {
    let env = Env::start().await;
    let pre = env
        .client
        .create_preauthcode(&env.token, &env.appid)
        .await
        .unwrap();
    let out = env
        .ctl
        .authorize(AuthorizeRequest {
            pre_auth_code: pre.pre_auth_code.clone(),
            redirect_uri: None,
            appid: None,
            kind: Some(Kind::MiniProgram),
            auth_type: Some(2),
            biz_appid: None,
            func_ids: None,
        })
        .unwrap();
    // The pre-auth code is single use.
    let again = env.ctl.authorize(AuthorizeRequest {
        pre_auth_code: pre.pre_auth_code,
        redirect_uri: None,
        appid: None,
        kind: Some(Kind::MiniProgram),
        auth_type: None,
        biz_appid: None,
        func_ids: None,
    });
    assert_eq!(again.unwrap_err().0, 61009);

    let q = env
        .client
        .query_auth(&env.token, &env.appid, &out.auth_code)
        .await
        .unwrap();
    let info = &q.authorization_info;
    assert_eq!(info.authorizer_appid, out.authorizer_appid);
    assert_eq!(info.expires_in, Some(7200));
    assert!(
        info.funcscope_ids().contains(&25),
        "{:?}",
        info.funcscope_ids()
    );
    let refresh = info.authorizer_refresh_token.clone().unwrap();
    // The auth code is single use too; a pre_auth_code is not an auth code.
    assert_eq!(
        errcode(
            env.client
                .query_auth(&env.token, &env.appid, &out.auth_code)
                .await
        ),
        61009
    );
    assert_eq!(
        errcode(
            env.client
                .query_auth(&env.token, &env.appid, "queryauthcode@@@nope")
                .await
        ),
        61009
    );

    let t = env
        .client
        .authorizer_token(&env.token, &env.appid, &out.authorizer_appid, &refresh)
        .await
        .unwrap();
    assert!(!t.authorizer_access_token.is_empty());
    assert_eq!(
        t.authorizer_refresh_token.as_deref(),
        Some(refresh.as_str())
    );
    assert_eq!(
        errcode(
            env.client
                .authorizer_token(
                    &env.token,
                    &env.appid,
                    &out.authorizer_appid,
                    "refreshtoken@@@wrong"
                )
                .await
        ),
        61023
    );
    assert_eq!(
        errcode(
            env.client
                .authorizer_token(&env.token, &env.appid, "wx00000000000000ff", &refresh)
                .await
        ),
        61003
    );

    // An expired auth code: 61010.
    let pre = env
        .client
        .create_preauthcode(&env.token, &env.appid)
        .await
        .unwrap();
    let out2 = env
        .ctl
        .authorize(AuthorizeRequest {
            pre_auth_code: pre.pre_auth_code,
            redirect_uri: None,
            appid: Some(out.authorizer_appid.clone()),
            kind: None,
            auth_type: None,
            biz_appid: None,
            func_ids: None,
        })
        .unwrap();
    assert_eq!(out2.info_type, "updateauthorized");
    // Re-authorization made the old refresh token invalid.
    assert_eq!(
        errcode(
            env.client
                .authorizer_token(&env.token, &env.appid, &out.authorizer_appid, &refresh)
                .await
        ),
        61023
    );
    env.ctl.advance_clock(601);
    let ticket = env.ctl.issue_ticket();
    let token = env
        .client
        .component_token(&env.appid, &env.secret, &ticket)
        .await
        .unwrap()
        .component_access_token;
    assert_eq!(
        errcode(
            env.client
                .query_auth(&token, &env.appid, &out2.auth_code)
                .await
        ),
        61010
    );
    env.stop().await;
}

#[tokio::test]
async fn authorizer_list_and_info() {
    let env = Env::start().await;
    let first = env
        .client
        .authorizer_list(&env.token, &env.appid, 0, 500)
        .await
        .unwrap();
    assert_eq!(first.total_count, 60);
    assert_eq!(first.list.len(), 60);
    let page = env
        .client
        .authorizer_list(&env.token, &env.appid, 50, 20)
        .await
        .unwrap();
    assert_eq!(page.list.len(), 10);
    assert_eq!(
        page.list[0].authorizer_appid,
        first.list[50].authorizer_appid
    );
    assert_eq!(
        errcode(
            env.client
                .authorizer_list(&env.token, &env.appid, 0, 501)
                .await
        ),
        40170
    );

    let mut saw_mp = false;
    let mut saw_oa = false;
    for item in first.list.iter().take(20) {
        assert!(item.auth_time.is_some());
        let a = env
            .client
            .authorizer_info(&env.token, &env.appid, &item.authorizer_appid)
            .await
            .unwrap();
        assert_eq!(a.authorization_info.authorizer_appid, item.authorizer_appid);
        assert_eq!(
            a.authorization_info.authorizer_refresh_token,
            item.refresh_token
        );
        let info = &a.authorizer_info;
        assert!(!info.nick_name.is_empty());
        assert!(info.user_name.starts_with("gh_"), "{}", info.user_name);
        assert!(info.service_type_info.is_some() && info.verify_type_info.is_some());
        if info.is_mini_program() {
            saw_mp = true;
        } else {
            saw_oa = true;
        }
    }
    assert!(saw_mp && saw_oa, "the seed has both kinds");
    assert_eq!(
        errcode(
            env.client
                .authorizer_info(&env.token, &env.appid, "wx00000000000000ff")
                .await
        ),
        61003
    );
    env.stop().await;
}

#[tokio::test]
async fn legacy_options() {
    let env = Env::start().await;
    let list = env
        .client
        .authorizer_list(&env.token, &env.appid, 0, 1)
        .await
        .unwrap();
    let a = &list.list[0].authorizer_appid;
    let o = env
        .client
        .get_authorizer_option(&env.token, &env.appid, a, "location_report")
        .await
        .unwrap();
    assert_eq!(o.option_name, "location_report");
    assert_eq!(
        Some(o.option_value.clone()),
        env.ctl.authorizer_option(a, "location_report")
    );
    let new_value = if o.option_value == "2" { "1" } else { "2" };
    env.client
        .set_authorizer_option(&env.token, &env.appid, a, "location_report", new_value)
        .await
        .unwrap();
    assert_eq!(
        env.ctl.authorizer_option(a, "location_report").as_deref(),
        Some(new_value)
    );
    let o = env
        .client
        .get_authorizer_option(&env.token, &env.appid, a, "location_report")
        .await
        .unwrap();
    assert_eq!(o.option_value, new_value);
    assert_eq!(
        errcode(
            env.client
                .get_authorizer_option(&env.token, &env.appid, a, "no_such_option")
                .await
        ),
        61012
    );
    assert_eq!(
        errcode(
            env.client
                .set_authorizer_option(&env.token, &env.appid, a, "voice_recognize", "7")
                .await
        ),
        61013
    );
    env.stop().await;
}

#[tokio::test]
async fn newer_options_with_the_authorizer_token() {
    let env = Env::start().await;
    let (appid, at, _) = env.authorize_new(Kind::OfficialAccount).await;
    env.client
        .set_option_v2(&at, &env.appid, &appid, "customer_service", "1")
        .await
        .unwrap();
    let o = env
        .client
        .get_option_v2(&at, &env.appid, &appid, "customer_service")
        .await
        .unwrap();
    assert_eq!(o.option_value, "1");
    assert_eq!(
        env.ctl
            .authorizer_option(&appid, "customer_service")
            .as_deref(),
        Some("1")
    );
    assert_eq!(
        errcode(
            env.client
                .get_option_v2(&at, &env.appid, &appid, "bogus")
                .await
        ),
        61012
    );
    // Another account's appid with this token: 40013.
    let list = env
        .client
        .authorizer_list(&env.token, &env.appid, 0, 1)
        .await
        .unwrap();
    assert_eq!(
        errcode(
            env.client
                .get_option_v2(
                    &at,
                    &env.appid,
                    &list.list[0].authorizer_appid,
                    "customer_service"
                )
                .await
        ),
        40013
    );
    env.stop().await;
}

#[tokio::test]
async fn quota_queries_and_resets() {
    let env = Env::start().await;
    for _ in 0..3 {
        env.client
            .create_preauthcode(&env.token, &env.appid)
            .await
            .unwrap();
    }
    let q = env
        .client
        .api_quota(&env.token, paths::API_CREATE_PREAUTHCODE)
        .await
        .unwrap();
    let quota = q.quota.unwrap();
    assert_eq!(quota.used, 3);
    assert_eq!(quota.remain, quota.daily_limit - 3);
    assert_eq!(
        errcode(
            env.client
                .api_quota(&env.token, "/cgi-bin/no/such/api")
                .await
        ),
        76021
    );

    env.client
        .clear_quota(&env.token, &env.appid)
        .await
        .unwrap();
    let q = env
        .client
        .api_quota(&env.token, paths::API_CREATE_PREAUTHCODE)
        .await
        .unwrap();
    assert_eq!(q.quota.unwrap().used, 0);
    env.client
        .clear_quota_generic(&env.token, &env.appid)
        .await
        .unwrap();
    env.client
        .clear_quota_v2(&env.appid, &env.secret, None)
        .await
        .unwrap();
    assert_eq!(
        errcode(env.client.clear_quota_v2(&env.appid, "wrong", None).await),
        40125
    );

    let (appid, at, _) = env.authorize_new(Kind::MiniProgram).await;
    env.client.clear_quota_generic(&at, &appid).await.unwrap();
    assert_eq!(
        errcode(env.client.clear_quota_generic(&at, &env.appid).await),
        40013
    );
    env.client
        .clear_quota_v2(&env.appid, &env.secret, Some(&appid))
        .await
        .unwrap();

    // 10 resets per month, shared by the three calls: 3 used so far for the component.
    for _ in 0..7 {
        env.client
            .clear_quota(&env.token, &env.appid)
            .await
            .unwrap();
    }
    let e = env
        .client
        .clear_quota(&env.token, &env.appid)
        .await
        .unwrap_err();
    assert_eq!(e.errcode(), Some(48006));
    assert!(!e.is_retryable());
    assert_eq!(
        errcode(
            env.client
                .clear_quota_v2(&env.appid, &env.secret, None)
                .await
        ),
        48006
    );
    env.stop().await;
}

#[tokio::test]
async fn daily_quota_gives_45009() {
    let sandbox = Sandbox::start(SandboxConfig {
        authorizers: 5,
        daily_quota: 2,
        ..Default::default()
    })
    .await
    .unwrap();
    let ctl = sandbox.control();
    let creds = sandbox.credentials().clone();
    let client = ComponentClient::new(ClientConfig::with_api_base(sandbox.base_url())).unwrap();
    let ticket = ctl.issue_ticket();
    let token = client
        .component_token(&creds.component_appid, &creds.appsecret, &ticket)
        .await
        .unwrap()
        .component_access_token;
    client
        .create_preauthcode(&token, &creds.component_appid)
        .await
        .unwrap();
    client
        .create_preauthcode(&token, &creds.component_appid)
        .await
        .unwrap();
    let e = client
        .create_preauthcode(&token, &creds.component_appid)
        .await
        .unwrap_err();
    assert_eq!(e.errcode(), Some(45009));
    assert!(!e.is_retryable());
    client
        .clear_quota_v2(&creds.component_appid, &creds.appsecret, None)
        .await
        .unwrap();
    client
        .create_preauthcode(&token, &creds.component_appid)
        .await
        .unwrap();
    sandbox.shutdown().await;
}

#[tokio::test]
async fn rid_lookup() {
    let env = Env::start().await;
    let e = env
        .client
        .query_auth(&env.token, &env.appid, "queryauthcode@@@nope")
        .await
        .unwrap_err();
    let rid = rid_of(&e);
    let info = env.client.rid_info(&env.token, &rid).await.unwrap();
    assert!(
        info.request.response_body.contains("61009"),
        "{:?}",
        info.request
    );
    assert!(info.request.invoke_time > 0);
    assert_eq!(
        errcode(
            env.client
                .rid_info(&env.token, "00000000-00000000-00000000")
                .await
        ),
        76001
    );
    assert_eq!(
        errcode(env.client.rid_info(&env.token, "not-a-rid").await),
        76002
    );
    env.stop().await;
}

#[tokio::test]
async fn open_platform_binding() {
    let env = Env::start().await;
    let (appid, at, _) = env.authorize_new(Kind::MiniProgram).await;
    assert!(!env.client.open_have(&at).await.unwrap().have_open);
    assert_eq!(errcode(env.client.open_get(&at, &appid).await), 89002);
    let created = env.client.open_create(&at, &appid).await.unwrap();
    assert!(!created.open_appid.is_empty());
    assert_eq!(
        env.ctl.open_appid_of(&appid).as_deref(),
        Some(created.open_appid.as_str())
    );
    assert!(env.client.open_have(&at).await.unwrap().have_open);
    assert_eq!(
        env.client.open_get(&at, "").await.unwrap().open_appid,
        created.open_appid
    );
    assert_eq!(errcode(env.client.open_create(&at, &appid).await), 89000);
    assert_eq!(
        errcode(env.client.open_bind(&at, &appid, &created.open_appid).await),
        89000
    );
    env.client
        .open_unbind(&at, &appid, &created.open_appid)
        .await
        .unwrap();
    assert_eq!(env.ctl.open_appid_of(&appid), None);
    env.client
        .open_bind(&at, &appid, &created.open_appid)
        .await
        .unwrap();
    assert_eq!(
        env.client.open_get(&at, &appid).await.unwrap().open_appid,
        created.open_appid
    );
    // appid must be the token owner's; the component token is refused.
    assert_eq!(errcode(env.client.open_get(&at, &env.appid).await), 40013);
    assert_eq!(
        errcode(env.client.open_get(&env.token, &appid).await),
        48001
    );
    assert_eq!(errcode(env.client.open_have(&env.token).await), 48001);
    env.stop().await;
}

#[tokio::test]
async fn open_without_permission_set_is_61007() {
    let env = Env::start().await;
    let pre = env
        .client
        .create_preauthcode(&env.token, &env.appid)
        .await
        .unwrap();
    let out = env
        .ctl
        .authorize(AuthorizeRequest {
            pre_auth_code: pre.pre_auth_code,
            redirect_uri: None,
            appid: None,
            kind: Some(Kind::OfficialAccount),
            auth_type: Some(1),
            biz_appid: None,
            func_ids: Some(vec![1, 2]),
        })
        .unwrap();
    let q = env
        .client
        .query_auth(&env.token, &env.appid, &out.auth_code)
        .await
        .unwrap();
    let at = q.authorization_info.authorizer_access_token.unwrap();
    assert_eq!(errcode(env.client.open_create(&at, "").await), 61007);
    assert_eq!(errcode(env.client.open_have(&at).await), 61007);
    env.stop().await;
}

#[tokio::test]
async fn injected_faults_map_to_transport_errors() {
    let env = Env::start_with(ClientConfig {
        connect_timeout: Duration::from_millis(500),
        total_timeout: Duration::from_millis(700),
        ..Default::default()
    })
    .await;
    let path = Some(paths::API_CREATE_PREAUTHCODE.to_string());
    let call = || env.client.create_preauthcode(&env.token, &env.appid);

    env.ctl.set_fault(Fault::HttpStatus {
        path: path.clone(),
        status: 503,
        times: Some(1),
    });
    let e = call().await.unwrap_err();
    assert!(
        matches!(e, WeChatError::HttpStatus { status: 503, .. }),
        "{e:?}"
    );
    assert!(e.is_retryable());

    env.ctl.set_fault(Fault::DropConnection {
        path: path.clone(),
        times: Some(1),
    });
    let e = call().await.unwrap_err();
    assert!(matches!(e, WeChatError::Request { .. }), "{e:?}");
    assert!(!e.is_retryable());

    env.ctl.set_fault(Fault::MalformedJson {
        path: path.clone(),
        times: Some(1),
    });
    let e = call().await.unwrap_err();
    assert!(matches!(e, WeChatError::InvalidJson { .. }), "{e:?}");

    env.ctl.set_fault(Fault::Errcode {
        path: path.clone(),
        errcode: -1,
        errmsg: "system error".into(),
        times: Some(1),
    });
    let e = call().await.unwrap_err();
    assert_eq!(e.errcode(), Some(-1));
    assert!(e.is_retryable());

    env.ctl.set_fault(Fault::ClientIpNotRegistered {
        client_ip: "203.0.113.9".into(),
    });
    let e = call().await.unwrap_err();
    assert_eq!(e.errcode(), Some(61004));
    assert!(e.errmsg().unwrap().contains("203.0.113.9"));
    env.ctl.clear_faults();

    env.ctl.set_fault(Fault::Latency {
        path: path.clone(),
        millis: 5_000,
    });
    let e = call().await.unwrap_err();
    assert!(matches!(e, WeChatError::Timeout { .. }), "{e:?}");
    env.ctl.clear_faults();

    // Faults consumed: the next call works.
    call().await.unwrap();
    env.stop().await;
}

#[tokio::test]
async fn observer_counts_match_the_simulator() {
    let sandbox = Sandbox::start(SandboxConfig {
        authorizers: 10,
        ..Default::default()
    })
    .await
    .unwrap();
    let ctl = sandbox.control();
    let creds = sandbox.credentials().clone();
    let records: Arc<Mutex<Vec<CallRecord>>> = Arc::default();
    let sink = records.clone();
    let client = ComponentClient::new(ClientConfig::with_api_base(sandbox.base_url()))
        .unwrap()
        .with_observer(Arc::new(move |r: &CallRecord| {
            sink.lock().unwrap().push(r.clone())
        }));
    let ticket = ctl.issue_ticket();
    let token = client
        .component_token(&creds.component_appid, &creds.appsecret, &ticket)
        .await
        .unwrap()
        .component_access_token;
    let list = client
        .authorizer_list(&token, &creds.component_appid, 0, 10)
        .await
        .unwrap();
    for item in &list.list {
        client
            .authorizer_info(&token, &creds.component_appid, &item.authorizer_appid)
            .await
            .unwrap();
    }
    client
        .query_auth(&token, &creds.component_appid, "bad")
        .await
        .unwrap_err();
    let records = records.lock().unwrap().clone();
    for path in [
        paths::API_COMPONENT_TOKEN,
        paths::API_GET_AUTHORIZER_LIST,
        paths::API_GET_AUTHORIZER_INFO,
        paths::API_QUERY_AUTH,
    ] {
        let ours = records.iter().filter(|r| r.endpoint == path).count() as u64;
        assert_eq!(ours, ctl.call_count(path), "{path}");
    }
    let failed: Vec<_> = records.iter().filter(|r| !r.is_success()).collect();
    assert_eq!(failed.len(), 1);
    assert_eq!(failed[0].errcode, Some(61009));
    let info_records: Vec<_> = records
        .iter()
        .filter(|r| r.endpoint == paths::API_GET_AUTHORIZER_INFO)
        .collect();
    assert_eq!(
        info_records[0].appid.as_deref(),
        Some(list.list[0].authorizer_appid.as_str())
    );
    for r in &records {
        assert!(!format!("{r:?}").contains(&token));
    }
    sandbox.shutdown().await;
}

#[tokio::test]
async fn concurrent_calls_share_one_client() {
    let env = Env::start().await;
    let list = env
        .client
        .authorizer_list(&env.token, &env.appid, 0, 60)
        .await
        .unwrap();
    let mut tasks = tokio::task::JoinSet::new();
    for item in list.list {
        let client = env.client.clone();
        let (token, appid) = (env.token.clone(), env.appid.clone());
        tasks.spawn(async move {
            client
                .authorizer_info(&token, &appid, &item.authorizer_appid)
                .await
                .map(|a| a.authorization_info.authorizer_appid == item.authorizer_appid)
        });
    }
    let mut n = 0;
    while let Some(r) = tasks.join_next().await {
        assert!(r.unwrap().unwrap());
        n += 1;
    }
    assert_eq!(n, 60);
    assert_eq!(env.ctl.call_count(paths::API_GET_AUTHORIZER_INFO), 60);
    env.stop().await;
}
