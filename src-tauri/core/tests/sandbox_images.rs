//! The simulator's avatars for the window's `wxsandbox:` protocol: fetched over real HTTP from
//! the running simulator, and only from it (the CSP no longer allows any loopback image port).

mod service_support;

use service_support::*;
use wxopen_core::error::CoreError;
use wxopen_core::service::images::parse_image_request;
use wxopen_core::service::links::LinkRequest;
use wxopen_sandbox::{AuthorizeRequest, Kind};

fn pre_auth_code_of(link: &str) -> String {
    let q = link.split('?').nth(1).unwrap().split('#').next().unwrap();
    url::form_urlencoded::parse(q.as_bytes())
        .find(|(k, _)| k == "pre_auth_code")
        .map(|(_, v)| v.into_owned())
        .unwrap()
}

/// An authorizer's avatar URL, as the simulator answers it.
async fn head_img(e: &Env) -> String {
    let redirect = "https://auth.example.com/cb".to_string();
    let link = e
        .console
        .link_create(
            &e.rt,
            LinkRequest {
                redirect_uri: redirect.clone(),
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
            redirect_uri: Some(redirect),
            kind: Some(Kind::OfficialAccount),
            ..Default::default()
        })
        .unwrap();
    let view = e
        .console
        .auth_complete(&e.rt, out.redirect_url.as_deref().unwrap())
        .await
        .unwrap();
    view.detail.authorizer.head_img
}

#[tokio::test]
async fn avatars_come_from_the_running_simulator_only() {
    let e = env(0).await;
    let url = head_img(&e).await;
    // What the UI puts after `wxsandbox://localhost/`.
    let rest = url
        .strip_prefix("http://127.0.0.1:")
        .expect("a loopback URL");
    let (port, path) = parse_image_request(rest).expect("a simulator image path");
    assert_eq!(
        Some(port),
        e.sandbox
            .base_url()
            .rsplit(':')
            .next()
            .and_then(|p| p.parse().ok())
    );

    let img = e.console.sandbox_image(port, &path).await.unwrap();
    assert_eq!(img.content_type, "image/svg+xml");
    assert!(String::from_utf8_lossy(&img.bytes).starts_with("<svg"));

    let other = port.wrapping_add(1).max(1);
    let err = e.console.sandbox_image(other, &path).await.unwrap_err();
    assert!(matches!(err, CoreError::Refused(_)), "{err:?}");
    assert_eq!(
        parse_image_request(&format!("{port}/cgi-bin/component/api_component_token")),
        None,
        "only image paths"
    );
}
