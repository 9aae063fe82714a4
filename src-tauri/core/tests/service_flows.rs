//! Options, open-platform binding, links → authorization → completion, pushes, quota resets.

mod service_support;

use service_support::*;
use wxopen_core::error::ErrorCode;
use wxopen_core::service::links::LinkRequest;
use wxopen_core::store::messages::MessageStatus;
use wxopen_core::store::types::Status;
use wxopen_sandbox::{AuthorizeRequest, Kind, SandboxConfig};
use wxopen_wechat::crypto::MsgCrypto;
use wxopen_wechat::push::PushQuery;

async fn new_authorizer(e: &Env) -> String {
    let link = e
        .console
        .link_create(
            &e.rt,
            LinkRequest {
                redirect_uri: "https://auth.example.com/cb?x=1".into(),
                auth_type: None,
                biz_appid: None,
            },
        )
        .await
        .unwrap();
    let out = e
        .control()
        .authorize(AuthorizeRequest {
            pre_auth_code: pre_auth_code_of(&link.mobile_link),
            redirect_uri: Some("https://auth.example.com/cb?x=1".into()),
            kind: Some(Kind::OfficialAccount),
            ..Default::default()
        })
        .unwrap();
    let view = e
        .console
        .auth_complete(&e.rt, out.redirect_url.as_deref().unwrap())
        .await
        .unwrap();
    assert_eq!(view.detail.authorizer.status, Status::Authorized);
    assert!(view.token.has_refresh_token);
    out.authorizer_appid
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn link_authorize_complete_then_options_and_open() {
    let e = env(20).await;
    let link = e
        .console
        .link_create(
            &e.rt,
            LinkRequest {
                redirect_uri: "https://auth.example.com/cb".into(),
                auth_type: Some(1),
                biz_appid: None,
            },
        )
        .await
        .unwrap();
    assert!(link
        .pc_link
        .starts_with("https://mp.weixin.qq.com/cgi-bin/componentloginpage?"));
    assert!(link.mobile_link.ends_with("#wechat_redirect"));
    assert!(link.mobile_qr_svg.contains("<svg"));
    assert_eq!(
        e.console
            .store()
            .pre_auth_codes_list(e.rt.id(), 10)
            .unwrap()
            .len(),
        1
    );
    let appid = new_authorizer(&e).await;
    // Options (legacy API): the simulator's state changes.
    let o = e
        .console
        .option_set(&e.rt, &appid, "voice_recognize", "1")
        .await
        .unwrap();
    assert_eq!(o.value, "1");
    assert_eq!(
        e.control()
            .authorizer_option(&appid, "voice_recognize")
            .as_deref(),
        Some("1")
    );
    let o = e
        .console
        .option_get(&e.rt, &appid, "voice_recognize")
        .await
        .unwrap();
    assert_eq!(o.value, "1");
    let err = e
        .console
        .option_set(&e.rt, &appid, "voice_recognize", "9")
        .await
        .unwrap_err();
    assert_eq!(err.body().errcode, Some(61013));
    // Open platform: none yet, create, bind rules, unbind needs confirmation.
    assert_eq!(
        e.console.open_get(&e.rt, &appid).await.unwrap().open_appid,
        None
    );
    let created = e.console.open_create(&e.rt, &appid).await.unwrap();
    let open_appid = created.open_appid.clone().unwrap();
    assert_eq!(e.control().open_appid_of(&appid), Some(open_appid.clone()));
    let err = e
        .console
        .open_bind(&e.rt, &appid, &open_appid)
        .await
        .unwrap_err();
    assert_eq!(err.body().errcode, Some(89000));
    let err = e
        .console
        .open_unbind(&e.rt, &appid, &open_appid, false)
        .await
        .unwrap_err();
    assert_eq!(err.code(), ErrorCode::Refused);
    assert_eq!(e.control().open_appid_of(&appid), Some(open_appid.clone()));
    e.console
        .open_unbind(&e.rt, &appid, &open_appid, true)
        .await
        .unwrap();
    assert_eq!(e.control().open_appid_of(&appid), None);
    e.console
        .open_bind(&e.rt, &appid, &open_appid)
        .await
        .unwrap();
    assert_eq!(e.control().open_appid_of(&appid), Some(open_appid));
    let view = e.console.authorizer_view(&e.rt, &appid).unwrap();
    assert!(view.open.unwrap().open_appid.is_some());
    assert!(!view.options.is_empty());
}

fn seal(e: &Env, xml: &str) -> (String, PushQuery) {
    let c = e.sandbox.credentials();
    let crypto = MsgCrypto::new(&c.token, &c.encoding_aes_key, &c.component_appid).unwrap();
    let sealed = crypto.seal_push(xml, "1700000000", "nonce123");
    (
        sealed.body,
        PushQuery {
            timestamp: sealed.timestamp,
            nonce: sealed.nonce,
            msg_signature: sealed.msg_signature,
            signature: None,
        },
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn pushes_of_each_kind_are_applied_and_recorded() {
    let e = env(20).await;
    let comp = e.rt.appid().to_string();
    // Pushes older than 12 hours are refused: these are sent now.
    let now = wxopen_core::clock::now();
    // Ticket.
    let ticket = e.control().issue_ticket();
    let (body, q) = seal(&e, &format!("<xml><AppId><![CDATA[{comp}]]></AppId><CreateTime>{now}</CreateTime><InfoType><![CDATA[component_verify_ticket]]></InfoType><ComponentVerifyTicket><![CDATA[{ticket}]]></ComponentVerifyTicket></xml>"));
    let a = e.console.push_apply(&e.rt, &body, &q).await.unwrap();
    assert_eq!(a.status, MessageStatus::Applied);
    let st = e.console.ticket_status(&e.rt).await.unwrap();
    assert_eq!(
        st.source,
        Some(wxopen_core::store::tickets::TicketSource::Push)
    );
    // A bad signature is refused.
    let mut bad = q.clone();
    bad.msg_signature = "0".repeat(40);
    assert!(e.console.push_apply(&e.rt, &body, &bad).await.is_err());
    // authorized.
    let link = e
        .console
        .link_create(
            &e.rt,
            LinkRequest {
                redirect_uri: "https://a.example/cb".into(),
                auth_type: None,
                biz_appid: None,
            },
        )
        .await
        .unwrap();
    let out = e
        .control()
        .authorize(AuthorizeRequest {
            pre_auth_code: pre_auth_code_of(&link.pc_link),
            kind: Some(Kind::MiniProgram),
            ..Default::default()
        })
        .unwrap();
    let appid = out.authorizer_appid.clone();
    let auth_xml = |info: &str, code: &str| {
        format!("<xml><AppId>{comp}</AppId><CreateTime>{now}</CreateTime><InfoType>{info}</InfoType><AuthorizerAppid>{appid}</AuthorizerAppid><AuthorizationCode>{code}</AuthorizationCode><AuthorizationCodeExpiredTime>600</AuthorizationCodeExpiredTime><PreAuthCode>x</PreAuthCode></xml>")
    };
    let (body, q) = seal(&e, &auth_xml("authorized", &out.auth_code));
    let a = e.console.push_apply(&e.rt, &body, &q).await.unwrap();
    assert_eq!(a.status, MessageStatus::Applied, "{:?}", a.error);
    let old = e
        .console
        .store()
        .authorizer_token_get(e.rt.id(), &appid)
        .unwrap()
        .unwrap();
    assert!(old.access_token.is_some());
    // updateauthorized: a new code; the cached access token is dropped and replaced.
    let (info_type, auth_code) = reauthorize(&e, &appid).await;
    assert_eq!(info_type, "updateauthorized");
    let (body, q) = seal(&e, &auth_xml("updateauthorized", &auth_code));
    let a = e.console.push_apply(&e.rt, &body, &q).await.unwrap();
    assert_eq!(a.status, MessageStatus::Applied, "{:?}", a.error);
    let new = e
        .console
        .store()
        .authorizer_token_get(e.rt.id(), &appid)
        .unwrap()
        .unwrap();
    assert_ne!(new.access_token, old.access_token);
    assert_ne!(new.refresh_token, old.refresh_token);
    // The new access token works (open/get through the authorizer token).
    e.console.open_get(&e.rt, &appid).await.unwrap();
    // unauthorized.
    let (body, q) = seal(&e, &format!("<xml><AppId>{comp}</AppId><CreateTime>{now}</CreateTime><InfoType>unauthorized</InfoType><AuthorizerAppid>{appid}</AuthorizerAppid></xml>"));
    e.console.push_apply(&e.rt, &body, &q).await.unwrap();
    let row = e
        .console
        .store()
        .authorizer_get(e.rt.id(), &appid)
        .unwrap()
        .unwrap();
    assert_eq!(row.authorizer.status, Status::Revoked);
    // Other kinds are kept.
    let (body, q) = seal(&e, &format!("<xml><AppId>{comp}</AppId><CreateTime>{now}</CreateTime><InfoType>notify_third_fasteregister</InfoType><status>0</status></xml>"));
    let a = e.console.push_apply(&e.rt, &body, &q).await.unwrap();
    assert_eq!(a.status, MessageStatus::Ignored);
    // A failing apply is recorded as failed (the code was used already).
    let (body, q) = seal(&e, &auth_xml("authorized", &out.auth_code));
    let a = e.console.push_apply(&e.rt, &body, &q).await.unwrap();
    assert_eq!(a.status, MessageStatus::Failed);
    let page = e
        .console
        .store()
        .messages_list(e.rt.id(), &Default::default())
        .unwrap();
    assert_eq!(page.total, 6);
    let all = serde_json::to_string(&page).unwrap();
    assert!(!all.contains(&ticket), "ticket leaked into messages");
    assert!(
        !all.contains(&out.auth_code),
        "auth code leaked into messages"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn quota_reached_then_cleared() {
    let e = env_with(SandboxConfig {
        authorizers: 20,
        daily_quota: 3,
        ..Default::default()
    })
    .await;
    let appid = wxopen_sandbox::seed::appid_of(1, 1);
    for _ in 0..3 {
        e.console.authorizer_fetch(&e.rt, &appid).await.unwrap();
    }
    let err = e.console.authorizer_fetch(&e.rt, &appid).await.unwrap_err();
    assert_eq!(err.body().errcode, Some(45009));
    let c = e.console.quota_clear(&e.rt).await.unwrap();
    assert_eq!(c.resets_this_month, 1);
    assert_eq!(c.resets_left, 9);
    e.console.authorizer_fetch(&e.rt, &appid).await.unwrap();
    // Over quota on the token call itself: clear_quota/v2 with the appsecret.
    e.console.store().component_token_clear(e.rt.id()).unwrap();
    let fresh = e.console.profile(Some("test")).await.unwrap();
    e.control().issue_ticket();
    let mut err = None;
    for _ in 0..5 {
        if let Err(e) = e.console.refresh_component_token(&fresh).await {
            err = Some(e);
            break;
        }
    }
    assert_eq!(err.expect("over quota").body().errcode, Some(45009));
    // The failed refresh kept the token that still works (clear_quota would use it); with no
    // token at all, the reset goes through the appsecret.
    assert!(e.console.component_token_status(&fresh).unwrap().cached);
    let kept = e.console.component_token(&fresh).await.unwrap();
    e.console
        .invalidate_component_token(&fresh, kept.token.expose())
        .await
        .unwrap();
    let c = e.console.quota_clear(&fresh).await.unwrap();
    assert_eq!(c.endpoint, "/cgi-bin/component/clear_quota/v2");
    for _ in 0..8 {
        e.console
            .store()
            .quota_reset_insert(e.rt.id(), wxopen_core::service::now(), None)
            .unwrap();
    }
    let err = e.console.quota_clear(&fresh).await.unwrap_err();
    assert_eq!(err.code(), ErrorCode::Refused);
}
