//! Changes between syncs in the real window: after the first sync, the simulator's accounts
//! change through its control API (one revoked, one renamed with other permission sets and
//! authorized again), the window's sync runs again, and the Changes screen lists exactly those
//! changes for that sync, permissions by name; the Health page, first in the nav now, counts
//! them and links to them; an appid opens the account's detail. Checked against the app's
//! SQLite file (read-only). Run with `make e2e`.

use serde_json::json;
use wxopen_e2e::flows::{db, start_sandbox, wait_first_sync, SYNC_LIMIT};
use wxopen_e2e::Desktop;

/// Two authorized accounts (in appid order).
fn two_accounts(desktop: &Desktop) -> (String, String) {
    let conn = db(desktop);
    let mut s = conn
        .prepare("SELECT appid FROM authorizers WHERE status = 'authorized' ORDER BY appid LIMIT 2")
        .unwrap();
    let rows: Vec<String> = s
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    (rows[0].clone(), rows[1].clone())
}

fn done_runs(desktop: &Desktop) -> i64 {
    db(desktop)
        .query_row(
            "SELECT count(*) FROM sync_runs WHERE state = 'done'",
            [],
            |r| r.get(0),
        )
        .unwrap_or(0)
}

/// (kind, appid) of the rows on screen, sorted.
async fn shown(desktop: &Desktop) -> Vec<(String, String)> {
    let kinds = desktop.attrs_all("changes-row", "data-kind").await;
    let appids = desktop.attrs_all("changes-row", "data-appid").await;
    let mut rows: Vec<_> = kinds.into_iter().zip(appids).collect();
    rows.sort();
    rows
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs Xvfb, gnome-keyring and tauri-driver: run `make e2e`"]
async fn a_second_sync_lists_what_changed() {
    let (desktop, sim) = start_sandbox("changes").await;
    wait_first_sync(&desktop).await;
    let (gone, edited) = two_accounts(&desktop);

    // The first sync is the baseline: one line, no change per account.
    desktop.click("nav-changes").await;
    desktop.wait_exists("changes-sync-baseline").await;
    desktop
        .wait_until("the baseline line", || async {
            shown(&desktop).await == [("baseline".to_string(), String::new())]
        })
        .await;

    // What the accounts' admins do on WeChat's side.
    sim.post("/sandbox/unauthorize", &json!({"appid": gone}))
        .await;
    sim.post(
        "/sandbox/edit_authorizer",
        &json!({"appid": edited, "nick_name": "变更演示号", "func_ids": [1, 15, 999]}),
    )
    .await;
    sim.reauthorize(&edited).await;

    // The window's sync, again.
    desktop.click("nav-authorizers").await;
    desktop.wait_exists("sync-button").await;
    desktop.click("sync-button").await;
    desktop
        .wait_until_within("a second finished sync", SYNC_LIMIT, || async {
            done_runs(&desktop) == 2
        })
        .await;
    desktop.wait_exists("sync-outcome").await;

    desktop.click("nav-changes").await;
    let mut want = vec![
        ("revoked".to_string(), gone.clone()),
        ("reauthorized".to_string(), edited.clone()),
        ("renamed".to_string(), edited.clone()),
        ("permissions".to_string(), edited.clone()),
    ];
    want.sort();
    desktop
        .wait_until("the second sync's changes", || async {
            shown(&desktop).await == want
        })
        .await;
    let syncs = desktop.attrs_all("changes-sync", "data-total").await;
    assert_eq!(
        syncs,
        ["4", "0"],
        "newest first: 4 changes, then the baseline"
    );
    // The permission diff by name: 999 has none on WeChat's pages, so it shows as #999.
    let added = desktop
        .js("return [...document.querySelectorAll(\"[data-testid='changes-perm-added']\")].map(e => e.textContent.trim());")
        .await;
    assert!(
        added.as_array().unwrap().iter().any(|a| a == "+ #999"),
        "{added}"
    );
    let stored: i64 = db(&desktop)
        .query_row(
            "SELECT count(*) FROM authorizer_change_log WHERE sync_run_id = (SELECT max(id) FROM sync_runs)",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(stored, 4);
    desktop.screenshot("changes").await;

    // Only the permissions.
    desktop.click("changes-kind-permissions").await;
    desktop
        .wait_until("only the permission change", || async {
            shown(&desktop).await == [("permissions".to_string(), edited.clone())]
        })
        .await;
    desktop.wait_still(".t-radio-group__bg-block").await;
    desktop.screenshot("changes-permissions").await;

    // Health, first in the nav now that the profile has data, sums up the latest sync.
    let nav = desktop
        .js("return [...document.querySelectorAll(\"[data-testid^='nav-']\")].map(e => e.dataset.testid);")
        .await;
    assert_eq!(nav[0], "nav-health", "{nav}");
    desktop.click("nav-health").await;
    desktop.wait_attr("health-revoked", "data-count", "1").await;
    desktop
        .wait_attr("health-permissions", "data-count", "1")
        .await;
    let listed = desktop.text_of("health-permissions").await;
    assert!(
        listed.contains(&edited) && listed.contains("#999"),
        "{listed}"
    );
    desktop.screenshot("health").await;
    // Its revoked row opens Changes on that sync and kind.
    desktop.click("health-revoked-action").await;
    desktop
        .wait_until("only the revocation, from Health's link", || async {
            shown(&desktop).await == [("revoked".to_string(), gone.clone())]
        })
        .await;
    desktop.click("changes-kind-all").await;
    desktop
        .wait_until("the sync's four changes again", || async {
            shown(&desktop).await.len() == 4
        })
        .await;

    // The appid opens the account.
    desktop
        .click_css(&format!(
            "[data-testid='changes-row'][data-appid='{edited}'] [data-testid='changes-appid']"
        ))
        .await;
    desktop
        .wait_until("the account's detail", || async {
            desktop.route().await == format!("#/authorizers/{edited}")
        })
        .await;
    desktop.close().await;
}
