//! The real app window under Xvfb, on its first run (no profile yet: the Welcome screen). Run
//! with `make e2e` (it builds the UI and the app first).

use wxopen_e2e::{flows, Desktop};

const NAV: [&str; 6] = [
    "authorizers",
    "auth-links",
    "tokens",
    "messages",
    "activity",
    "profiles",
];
const ZH: [&str; 6] = ["授权方", "授权链接", "票据与令牌", "消息", "活动", "设置"];
const EN: [&str; 6] = [
    "Authorizers",
    "Auth links",
    "Ticket & tokens",
    "Push messages",
    "Activity",
    "Profiles",
];

async fn nav_labels(desktop: &Desktop) -> Vec<String> {
    let mut labels = Vec::new();
    for item in NAV {
        labels.push(desktop.text_of(&format!("nav-{item}")).await);
    }
    labels
}

async fn theme_mode(desktop: &Desktop) -> serde_json::Value {
    desktop
        .js("return document.documentElement.getAttribute('theme-mode');")
        .await
}

/// Scenario 8 on the first screen: Chinese first, then English, then the dark theme.
#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs Xvfb, gnome-keyring and tauri-driver: run `make e2e`"]
async fn navigation_on_the_first_run_switches_to_english_and_dark() {
    let desktop = Desktop::start("navigation").await;
    desktop.wait_ready().await;
    desktop.wait_exists("welcome").await;
    let route = desktop.route().await;
    assert!(route.starts_with("#/welcome"), "first screen: {route}");
    assert_eq!(nav_labels(&desktop).await, ZH);
    let lang = desktop.js("return document.documentElement.lang;").await;
    assert_eq!(lang, "zh-CN");
    desktop.screenshot("zh-CN").await;

    desktop.click("lang-toggle").await;
    desktop
        .wait_until("the navigation to switch to English", || async {
            desktop.text_of("nav-authorizers").await == EN[0]
        })
        .await;
    assert_eq!(nav_labels(&desktop).await, EN);
    let lang = desktop.js("return document.documentElement.lang;").await;
    assert_eq!(lang, "en");
    desktop.screenshot("en").await;

    // The theme choices may sit behind the toggle (a menu) or be the toggle's own buttons.
    if !desktop.visible("[data-testid='theme-dark']").await {
        desktop.click("theme-toggle").await;
    }
    desktop.click("theme-dark").await;
    desktop
        .wait_until("<html theme-mode=dark>", || async {
            theme_mode(&desktop).await == "dark"
        })
        .await;
    let data_theme = desktop
        .js("return document.documentElement.dataset.theme;")
        .await;
    assert_eq!(data_theme, "dark");
    wxopen_e2e::flows::settle_theme(&desktop).await;
    desktop.screenshot("en-dark").await;

    if !desktop.visible("[data-testid='theme-light']").await {
        desktop.click("theme-toggle").await;
    }
    desktop.click("theme-light").await;
    desktop
        .wait_until("the light theme (no theme-mode)", || async {
            theme_mode(&desktop).await.is_null()
        })
        .await;
    desktop.close().await;
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs Xvfb, gnome-keyring and tauri-driver: run `make e2e`"]
async fn app_info_comes_from_the_core_over_ipc() {
    let desktop = Desktop::start("app-info").await;
    desktop.wait_ready().await;
    // First run: the Welcome screen carries the About card.
    desktop.wait_exists("welcome").await;
    // The version is the workspace's: it can only be on screen if the app_info command answered.
    assert_eq!(
        desktop.text_of("app-version").await,
        env!("CARGO_PKG_VERSION")
    );
    let data_dir = desktop.text_of("app-data-dir").await;
    assert_eq!(data_dir, desktop.data_dir().display().to_string());
    // The harness unlocked a real gnome-keyring on the test's own bus.
    let keychain = desktop.text_of("keychain-status").await;
    assert!(
        keychain.contains("Secret Service"),
        "keychain status: {keychain}"
    );
    let available = desktop
        .js("return document.querySelector(\"[data-testid='keychain-status']\").dataset.available;")
        .await;
    assert_eq!(available, "true", "keychain status: {keychain}");
    desktop.screenshot("app-info").await;
    desktop.close().await;
}

/// Whether the first `selector` image has loaded real pixels through the `wxsandbox:` protocol.
async fn image_loaded(desktop: &Desktop, selector: &str) -> bool {
    desktop
        .js_with(
            "const i = document.querySelector(arguments[0]); \
             return !!i && i.src.startsWith('wxsandbox://localhost/') && i.complete \
             && i.naturalWidth > 0;",
            vec![serde_json::json!(selector)],
        )
        .await
        == serde_json::json!(true)
}

/// The port in an `http://127.0.0.1:PORT…` URL.
fn port_of(url: &str) -> Option<u16> {
    let rest = url.strip_prefix("http://127.0.0.1:")?;
    rest.split(|c: char| !c.is_ascii_digit())
        .next()?
        .parse()
        .ok()
}

/// "Try the sandbox" exactly as a new user does it: no `WXOPEN_SANDBOX_PORT`, the app picks the
/// simulator's port itself. The avatars and the detail's QR code must load (once, the cache
/// carried the profile's placeholder port `:1` and every avatar was a grey letter).
#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs Xvfb, gnome-keyring and tauri-driver: run `make e2e`"]
async fn first_run_sandbox_shows_its_avatars_and_qr_codes() {
    let desktop = Desktop::start("first-run-images").await;
    desktop.wait_ready().await;
    desktop.wait_exists("welcome").await;
    desktop.click("welcome-sandbox").await;
    desktop
        .wait_until("the authorizers screen after the welcome", || async {
            desktop.route().await.starts_with("#/authorizers")
        })
        .await;
    flows::wait_first_sync(&desktop).await;

    let (api_base, head_img, qrcode_url): (String, String, String) = flows::db(&desktop)
        .query_row(
            "SELECT p.api_base, a.head_img, a.qrcode_url FROM authorizers a
             JOIN profiles p ON p.id = a.profile_id WHERE a.info_fetched_at IS NOT NULL LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .expect("a synced account");
    let running = port_of(&api_base).expect("a loopback API base");
    assert!(running >= 1024, "the simulator runs on {api_base}");
    assert_eq!(port_of(&head_img), Some(running), "{head_img}");
    assert_eq!(port_of(&qrcode_url), Some(running), "{qrcode_url}");

    desktop
        .wait_until("an avatar in the table to load", || async {
            image_loaded(&desktop, "img.authorizers-table__avatar").await
        })
        .await;
    let broken = desktop
        .js("return document.querySelectorAll('.authorizers-table__avatar--empty').length;")
        .await;
    assert_eq!(broken, serde_json::json!(0), "avatars shown as letters");
    desktop.screenshot("table").await;

    // English wraps no header or cell: rows and the header keep their Chinese height.
    let heights = || async {
        desktop
            .js("const h = (s) => [...document.querySelectorAll(s)].map((e) => e.getBoundingClientRect().height); \
                 return { head: h('[data-testid=authorizers-table] thead tr'), rows: h('tr[data-appid]') };")
            .await
    };
    let zh = heights().await;
    desktop.click("lang-toggle").await;
    desktop
        .wait_until("the table headers in English", || async {
            desktop
                .js("return [...document.querySelectorAll('[data-testid=authorizers-head]')].some((e) => e.textContent === 'Avatar');")
                .await
                == serde_json::json!(true)
        })
        .await;
    let en = heights().await;
    assert_eq!(en, zh, "row heights changed in English");
    // ...and the principal (after the selection column), which takes what the fixed columns
    // leave, stays readable.
    let principal = desktop
        .js("return document.querySelectorAll('[data-testid=authorizers-table] thead th')[6].getBoundingClientRect().width;")
        .await;
    assert!(
        principal.as_f64().is_some_and(|w| w >= 100.0),
        "the principal column is {principal} px wide in English"
    );
    desktop.screenshot("table-en").await;

    let appid = desktop
        .attrs_all("authorizer-row", "data-appid")
        .await
        .into_iter()
        .next()
        .expect("a row");
    flows::click_row(&desktop, &appid).await;
    flows::wait_detail(&desktop, &appid).await;
    desktop
        .wait_until("the detail's QR code to load", || async {
            image_loaded(&desktop, "[data-testid='detail-qrcode']").await
        })
        .await;
    desktop.screenshot("detail-qrcode").await;
    desktop.close().await;
}
