//! Diagnostics in the real window: a call made to fail in the simulator (fault injection through
//! its control API) is looked up by its rid from Activity, showing the request WeChat saw; an
//! authorizer's API quota is read and cleared from its detail. Checked against state the UI does
//! not own: the simulator's call counts and the app's SQLite file (read-only).
//! Run with `make e2e`.

use serde_json::json;
use wxopen_e2e::flows::{db, open_detail, start_sandbox, wait_first_sync};
use wxopen_e2e::Desktop;

/// An authorized account with a refresh token (calls on its behalf need one).
fn authorized_account(desktop: &Desktop) -> String {
    db(desktop)
        .query_row(
            "SELECT appid FROM authorizers WHERE status = 'authorized' AND has_refresh_token = 1
             ORDER BY appid LIMIT 1",
            [],
            |r| r.get(0),
        )
        .unwrap()
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs Xvfb, gnome-keyring and tauri-driver: run `make e2e`"]
async fn failed_call_rid_lookup_and_an_accounts_quota() {
    let (desktop, sim) = start_sandbox("diag").await;
    wait_first_sync(&desktop).await;
    let appid = authorized_account(&desktop);
    open_detail(&desktop, &appid).await;

    // 1. The account's quota of /cgi-bin/open/get (the block's default path), with its token.
    desktop.click("quota-query").await;
    desktop.wait_exists("quota-result").await;
    assert_eq!(desktop.text_of("quota-daily-limit").await.trim(), "100000");
    desktop
        .wait_attr("quota-resets-left", "data-left", "10")
        .await;
    desktop.click("quota-clear-account").await;
    desktop.wait_exists("confirm-dialog-body").await;
    let body = desktop.text_of("confirm-dialog-body").await;
    assert!(
        body.contains(&appid),
        "the confirmation names the account: {body}"
    );
    desktop.screenshot("quota-clear-confirm").await;
    desktop.click("quota-clear-account-confirm").await;
    desktop
        .wait_attr("quota-resets-left", "data-left", "9")
        .await;
    let resets: i64 = db(&desktop)
        .query_row(
            "SELECT count(*) FROM quota_resets WHERE appid = ?1",
            [&appid],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(resets, 1, "the reset is counted against the account itself");
    desktop.screenshot("authorizer-quota").await;

    // 2. Make the next info fetch fail in the simulator, then refresh the info from the detail.
    let path = "/cgi-bin/component/api_get_authorizer_info";
    sim.post(
        "/sandbox/faults",
        &json!({
            "kind": "errcode",
            "path": path,
            "errcode": 61003,
            "errmsg": "component is not authorized by this account",
            "times": 1,
        }),
    )
    .await;
    desktop.click("detail-refresh-info").await;
    desktop.wait_exists("error-toast").await;
    desktop.screenshot("refresh-failed").await;
    // The notification covers the detail's close button, and the detail the navigation.
    desktop.click_css(".t-notification .t-message__close").await;
    desktop
        .wait_until("the notification to close", || async {
            !desktop.exists("error-toast").await
        })
        .await;
    desktop.click("detail-close").await;
    desktop
        .wait_until("the detail to close", || async {
            !desktop.route().await.contains(&appid)
        })
        .await;

    // 3. Activity: the failed call carries its rid; look it up.
    desktop.click("nav-activity").await;
    desktop.wait_exists("activity-table").await;
    // Other calls fail too (an account without an open account answers 89002): this one's row.
    let button =
        "[data-testid='activity-row'][data-errcode='61003'] [data-testid='activity-rid-lookup']";
    desktop
        .wait_until("the failed info fetch with its rid in Activity", || async {
            if desktop.visible(button).await {
                return true;
            }
            // The audit writer commits in batches: read the log again until the row is there.
            desktop.click("activity-refresh").await;
            false
        })
        .await;
    let rid = desktop
        .js_with(
            "return document.querySelector(arguments[0]).dataset.rid;",
            vec![json!(button)],
        )
        .await
        .as_str()
        .expect("the row names its rid")
        .to_string();
    let stored: i64 = db(&desktop)
        .query_row(
            "SELECT count(*) FROM audit_log WHERE endpoint = ?1 AND errcode = 61003
               AND instr(detail, ?2) > 0",
            [path, rid.as_str()],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(stored, 1, "the audit log keeps rid {rid}");
    let rid_get = "/cgi-bin/openapi/rid/get";
    let calls = |stats: &serde_json::Value| stats["calls"][rid_get].as_u64().unwrap_or(0);
    let before = calls(&sim.get("/sandbox/stats").await);
    desktop.click_css(button).await;
    desktop
        .wait_until("the request WeChat saw", || async {
            desktop
                .text_now("rid-response-body")
                .await
                .is_some_and(|t| t.contains("61003") && t.contains(&rid))
        })
        .await;
    let url = desktop.text_of("rid-request-url").await;
    assert!(
        url.trim() == "component_access_token=<redacted>",
        "the token is masked in the URL: {url}"
    );
    let request = desktop.text_of("rid-request-body").await;
    assert!(request.contains(&appid), "request body: {request}");
    assert_eq!(desktop.text_of("rid-client-ip").await.trim(), "127.0.0.1");
    assert_eq!(calls(&sim.get("/sandbox/stats").await), before + 1);
    desktop.screenshot("rid-lookup").await;
    desktop.close().await;
}
