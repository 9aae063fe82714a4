//! The simulator's avatars for the window's `wxsandbox:` protocol: fetched over real HTTP from
//! the running simulator, and only from it (the CSP no longer allows any loopback image port).

mod service_support;

use std::sync::Arc;

use service_support::*;
use wxopen_core::error::CoreError;
use wxopen_core::secrets::MemoryStore;
use wxopen_core::service::images::parse_image_request;
use wxopen_core::service::links::LinkRequest;
use wxopen_core::service::sync::SyncOptions;
use wxopen_core::service::{CancelToken, Console, ConsoleOptions};
use wxopen_core::store::types::AuthorizerQuery;
use wxopen_core::store::Store;
use wxopen_sandbox::{AuthorizeRequest, Kind};

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

/// The sandbox profile's console over a data dir (the in-process simulator, as in the app).
fn sandbox_console(dir: &std::path::Path) -> Console {
    Console::with_options(
        Store::open(dir).unwrap(),
        Arc::new(MemoryStore::new()),
        ConsoleOptions {
            sandbox_authorizers: 5,
            ..Default::default()
        },
    )
}

/// Every cached image URL of the profile, with the port it names.
fn image_ports(console: &Console, profile_id: i64) -> Vec<(String, Option<u16>)> {
    let page = console
        .store()
        .search_authorizers_sql(
            profile_id,
            &AuthorizerQuery {
                limit: 100,
                ..Default::default()
            },
        )
        .unwrap();
    assert_eq!(page.rows.len(), 5);
    page.rows
        .iter()
        .flat_map(|r| [r.head_img.clone(), r.qrcode_url.clone()])
        .map(|url| {
            let port = url
                .strip_prefix("http://127.0.0.1:")
                .and_then(parse_image_request)
                .map(|(port, _)| port);
            (url, port)
        })
        .collect()
}

fn port_of(base: &str) -> u16 {
    base.rsplit(':').next().unwrap().parse().unwrap()
}

/// A fresh first run ("Try the sandbox", then a sync): the avatars and QR codes the store keeps
/// name the port the simulator really runs on, never the profile's placeholder (its port 1 was
/// bound where privileged ports are allowed, and a later start got another), and the window's
/// protocol serves them. After a restart on another port (the old one taken) they follow it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_fresh_sandbox_caches_images_of_its_running_simulator() {
    let dir = tempfile::tempdir().unwrap();
    let console = sandbox_console(dir.path());
    let view = console.profile_try_sandbox().await.unwrap();
    let rt = console.profile(None).await.unwrap();
    let running = port_of(&rt.profile.api_base);
    assert_eq!(port_of(&view.profile.api_base), running);
    assert!(running >= 1024, "an ephemeral port, not {running}");
    let opts = SyncOptions {
        details: true,
        concurrency: Some(2),
        restart: false,
        ..Default::default()
    };
    console
        .sync_authorizers(&rt, opts.clone(), None, CancelToken::new())
        .await
        .unwrap();
    for (url, port) in image_ports(&console, rt.id()) {
        assert_eq!(port, Some(running), "{url}");
        let path = url.split_once(&format!(":{running}")).unwrap().1;
        let img = console.sandbox_image(running, path).await.unwrap();
        assert_eq!(img.content_type, "image/svg+xml", "{url}");
    }
    console.shutdown().await;

    // The next start finds its old port taken: a new one, and the cache follows.
    let squatter = std::net::TcpListener::bind(("127.0.0.1", running)).unwrap();
    let console = sandbox_console(dir.path());
    let rt = console.profile(None).await.unwrap();
    let moved = port_of(&rt.profile.api_base);
    assert_ne!(moved, running);
    for (url, port) in image_ports(&console, rt.id()) {
        assert_eq!(port, Some(moved), "{url}");
        let path = url.split_once(&format!(":{moved}")).unwrap().1;
        assert!(console.sandbox_image(moved, path).await.is_ok(), "{url}");
    }
    drop(squatter);
    console.shutdown().await;
}
