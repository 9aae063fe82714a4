//! The Health page in the real window: first in the nav once the sandbox is synced; after an
//! account revokes its authorization in the simulator, a call fails there (fault injection
//! through its control API) and a second sync runs, it names the revoked account, counts the
//! errcode with its explanation, and its link opens the table filtered to that account. Checked
//! against state the UI does not own: the app's SQLite file (read-only).
//! Run with `make e2e`.

use serde_json::json;
use wxopen_e2e::flows::{db, open_detail, start_sandbox, wait_first_sync, SYNC_LIMIT};
use wxopen_e2e::Desktop;

fn count(desktop: &Desktop, sql: &str) -> i64 {
    db(desktop).query_row(sql, [], |r| r.get(0)).unwrap_or(-1)
}

async fn nav_order(desktop: &Desktop) -> Vec<String> {
    desktop
        .js("return [...document.querySelectorAll(\"[data-testid^='nav-']\")].map(e => e.dataset.testid);")
        .await
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|v| v.as_str().map(String::from))
                .collect()
        })
        .unwrap_or_default()
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs Xvfb, gnome-keyring and tauri-driver: run `make e2e`"]
async fn health_names_the_revoked_account_and_the_errcode_after_a_second_sync() {
    let (desktop, sim) = start_sandbox("health").await;
    wait_first_sync(&desktop).await;

    // 1. With accounts in the cache, Health leads the nav.
    desktop
        .wait_until("Health first in the nav", || async {
            nav_order(&desktop).await.first().map(String::as_str) == Some("nav-health")
        })
        .await;
    desktop.click("nav-health").await;
    desktop.wait_exists("health-ready").await;
    desktop.wait_attr("health-ticket", "data-ok", "1").await;
    let missing = count(
        &desktop,
        "SELECT count(*) FROM authorizers WHERE has_refresh_token = 0 AND status <> 'revoked'",
    );
    desktop
        .wait_attr("health-no-refresh", "data-count", &missing.to_string())
        .await;
    assert!(
        desktop
            .text_of("health-revoked")
            .await
            .contains("完成两次完整同步后显示"),
        "one sync: nothing is 'since the previous one' yet"
    );
    desktop.screenshot("health-first-sync").await;

    // 2. In the simulator: one account revokes its authorization; the next info call fails.
    let gone: String = db(&desktop)
        .query_row(
            "SELECT appid FROM authorizers WHERE status = 'authorized' ORDER BY appid LIMIT 1",
            [],
            |r| r.get(0),
        )
        .unwrap();
    sim.post("/sandbox/unauthorize", &json!({ "appid": gone }))
        .await;
    let other: String = db(&desktop)
        .query_row(
            "SELECT appid FROM authorizers WHERE status = 'authorized' AND appid <> ?1
             ORDER BY appid LIMIT 1",
            [&gone],
            |r| r.get(0),
        )
        .unwrap();
    sim.post(
        "/sandbox/faults",
        &json!({
            "kind": "errcode",
            "path": "/cgi-bin/component/api_get_authorizer_info",
            "errcode": 45009,
            "errmsg": "reach max api daily quota limit",
            "times": 1,
        }),
    )
    .await;
    open_detail(&desktop, &other).await;
    desktop.click("detail-refresh-info").await;
    desktop.wait_exists("error-toast").await;
    desktop.click_css(".t-notification .t-message__close").await;
    desktop
        .wait_until("the notification to close", || async {
            !desktop.exists("error-toast").await
        })
        .await;
    desktop.click("detail-close").await;
    desktop
        .wait_until("the detail to close", || async {
            !desktop.route().await.contains(&other)
        })
        .await;

    // 3. A second sync: the list no longer carries the revoked account.
    desktop.click("sync-button").await;
    desktop
        .wait_until_within("a second complete sync", SYNC_LIMIT, || async {
            count(
                &desktop,
                "SELECT count(*) FROM sync_runs WHERE state = 'done' AND list_done = 1",
            ) >= 2
                && count(
                    &desktop,
                    "SELECT count(*) FROM sync_runs WHERE state = 'running'",
                ) == 0
        })
        .await;

    // 4. Health names it, and the errcode with its explanation.
    desktop.click("nav-health").await;
    desktop
        .wait_until("the revoked account on the Health page", || async {
            if desktop
                .attr("health-revoked", "data-count")
                .await
                .as_deref()
                == Some("1")
            {
                return true;
            }
            // The page may have loaded before the sync's end reached it, and the audit writer
            // commits in batches: ask again until both are there.
            desktop.click("health-refresh").await;
            false
        })
        .await;
    assert_eq!(
        desktop
            .attrs_all("health-revoked-account", "data-appid")
            .await,
        vec![gone.clone()]
    );
    let errcode = "[data-testid='health-errcode'][data-errcode='45009']";
    desktop
        .wait_until("errcode 45009 among the last day's", || async {
            if desktop.visible(errcode).await {
                return true;
            }
            desktop.click("health-refresh").await;
            false
        })
        .await;
    let explained = desktop
        .js_with(
            "return document.querySelector(arguments[0]).textContent;",
            vec![json!(errcode)],
        )
        .await;
    assert!(
        explained.as_str().unwrap_or("").contains("45009"),
        "{explained}"
    );
    desktop.screenshot("health").await;

    // 5. Its link opens the table filtered to the revoked accounts.
    desktop.click("health-revoked-table").await;
    desktop
        .wait_until("the table filtered to revoked accounts", || async {
            desktop.route().await.starts_with("#/authorizers")
                && desktop
                    .attr("authorizers-total", "data-total")
                    .await
                    .as_deref()
                    == Some("1")
        })
        .await;
    assert_eq!(
        desktop.attrs_all("authorizer-row", "data-appid").await,
        vec![gone]
    );
    desktop.screenshot("health-revoked-in-table").await;
    desktop.close().await;
}
