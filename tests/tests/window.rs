//! The real app window under Xvfb. Run with `make e2e` (it builds the UI and the app first).

use wxopen_e2e::Desktop;

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

#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs Xvfb, gnome-keyring and tauri-driver: run `make e2e`"]
async fn navigation_is_chinese_first_and_switches_to_english() {
    let desktop = Desktop::start("navigation").await;
    desktop.wait_ready().await;
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
    desktop.close().await;
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs Xvfb, gnome-keyring and tauri-driver: run `make e2e`"]
async fn app_info_comes_from_the_core_over_ipc() {
    let desktop = Desktop::start("app-info").await;
    desktop.wait_ready().await;
    // The version is the workspace's: it can only be on screen if the app_info command answered.
    assert_eq!(
        desktop.text_of("app-version").await,
        env!("CARGO_PKG_VERSION")
    );
    let data_dir = desktop.text_of("app-data-dir").await;
    assert_eq!(
        data_dir,
        desktop.home.path().join("appdata").display().to_string()
    );
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
