//! A bulk action from the real window: the Authorizers table filtered by a search, one account
//! of it revoked (so the dry run has a skip to explain), "select all N matching", the Bulk
//! dialog's preview, the one confirmation naming the count, the run, its result table, and the
//! results CSV opened from disk. What the simulator holds afterwards is checked account by
//! account. Run with `make e2e`.

use serde_json::json;
use wxopen_e2e::flows::{db, start_sandbox, wait_first_sync, SYNC_LIMIT};
use wxopen_e2e::Desktop;

/// A nickname prefix matching between 20 and 80 accounts (a couple of pages, a short run), and
/// the appids it matches (case-insensitive substring of the searched fields), sorted.
fn pick_query(desktop: &Desktop) -> (String, Vec<String>) {
    let conn = db(desktop);
    let mut s = conn
        .prepare("SELECT appid, nick_name, user_name, alias, principal_name FROM authorizers")
        .unwrap();
    let rows: Vec<[String; 5]> = s
        .query_map([], |r| {
            Ok([r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?])
        })
        .unwrap()
        .map(Result::unwrap)
        .collect();
    let matches = |q: &str| -> Vec<String> {
        let q = q.to_lowercase();
        let mut hits: Vec<String> = rows
            .iter()
            .filter(|r| r.iter().any(|f| f.to_lowercase().contains(&q)))
            .map(|r| r[0].clone())
            .collect();
        hits.sort();
        hits
    };
    for r in &rows {
        for len in [2, 3] {
            let q: String = r[1].chars().take(len).collect();
            let hits = matches(&q);
            if (20..=80).contains(&hits.len()) {
                return (q, hits);
            }
        }
    }
    panic!("no nickname prefix matches between 20 and 80 accounts");
}

fn scalar(desktop: &Desktop, sql: &str) -> i64 {
    db(desktop).query_row(sql, [], |r| r.get(0)).unwrap_or(-1)
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs Xvfb, gnome-keyring and tauri-driver: run `make e2e`"]
async fn bulk_option_set_on_a_filtered_selection_with_dry_run_and_results() {
    let (desktop, sim) = start_sandbox("bulk").await;
    wait_first_sync(&desktop).await;
    let (query, want) = pick_query(&desktop);

    // One matching account revokes its authorization; the next sync marks it.
    let gone = want[0].clone();
    sim.post("/sandbox/unauthorize", &json!({ "appid": gone }))
        .await;
    desktop.click("sync-button").await;
    desktop
        .wait_until_within("the revocation in the database", SYNC_LIMIT, || async {
            scalar(
                &desktop,
                &format!("SELECT count(*) FROM authorizers WHERE appid = '{gone}' AND status = 'revoked'"),
            ) == 1
                && scalar(&desktop, "SELECT count(*) FROM sync_runs WHERE state = 'running'") == 0
        })
        .await;

    desktop.fill("authorizers-search", &query).await;
    let n = want.len();
    desktop
        .wait_attr("authorizers-total", "data-total", &n.to_string())
        .await;
    // Pick one row, then every row matching the filter (more than the page shows).
    desktop
        .click_css("[data-testid='authorizer-row'] .t-checkbox")
        .await;
    desktop.wait_attr("bulk-selection", "data-count", "1").await;
    desktop.click("bulk-select-all").await;
    desktop
        .wait_attr("bulk-selection", "data-count", &n.to_string())
        .await;
    desktop.screenshot("selection").await;

    desktop.click("bulk-button").await;
    desktop.wait_exists("bulk-dialog").await;
    assert_eq!(
        desktop.attr("bulk-dialog", "data-count").await.as_deref(),
        Some(&n.to_string()[..])
    );
    // The dry run: nothing is sent, one skip explained.
    let set_calls = |s: serde_json::Value| {
        s["calls"]["/cgi-bin/component/api_set_authorizer_option"]
            .as_i64()
            .unwrap_or(0)
    };
    desktop.click("bulk-preview").await;
    desktop
        .wait_attr("bulk-plan", "data-will-run", &(n - 1).to_string())
        .await;
    assert_eq!(
        desktop
            .attr("bulk-skip-revoked", "data-count")
            .await
            .as_deref(),
        Some("1")
    );
    assert_eq!(set_calls(sim.get("/sandbox/stats").await), 0);
    desktop.screenshot("dry-run").await;

    desktop.click("bulk-start").await;
    desktop.wait_exists("bulk-confirm").await;
    assert_eq!(
        desktop.attr("bulk-confirm", "data-count").await.as_deref(),
        Some(&(n - 1).to_string()[..])
    );
    assert_eq!(
        scalar(&desktop, "SELECT count(*) FROM bulk_jobs"),
        0,
        "nothing is created before the confirmation"
    );
    desktop.screenshot("confirm").await;
    desktop.click("bulk-confirm-ok").await;
    desktop
        .wait_until_within("the job's end", SYNC_LIMIT, || async {
            desktop.attr("bulk-status", "data-state").await.as_deref() == Some("done")
                && desktop.exists("bulk-results").await
        })
        .await;
    assert_eq!(
        desktop.attr("bulk-status", "data-ok").await.as_deref(),
        Some(&(n - 1).to_string()[..])
    );
    desktop.screenshot("results").await;

    // WeChat (the simulator) holds the value for every account but the revoked one.
    assert_eq!(set_calls(sim.get("/sandbox/stats").await) as usize, n - 1);
    for appid in &want[1..] {
        assert_eq!(sim.options(appid).await["location_report"], "1", "{appid}");
    }

    // The results CSV, opened from disk.
    let out = desktop
        .data_dir()
        .parent()
        .unwrap()
        .join("bulk-results.csv");
    desktop
        .fill("bulk-csv-path", &out.display().to_string())
        .await;
    desktop.click("bulk-csv-export").await;
    desktop
        .wait_attr("bulk-csv-done", "data-path", &out.display().to_string())
        .await;
    let bytes = std::fs::read(&out).unwrap();
    assert_eq!(&bytes[..3], b"\xEF\xBB\xBF", "UTF-8 BOM");
    let text = std::str::from_utf8(&bytes[3..]).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert!(lines[0].starts_with("job,action,appid,result,errcode"));
    assert_eq!(lines.len(), n + 1);
    let mut ok: Vec<&str> = lines[1..]
        .iter()
        .filter(|l| l.contains(",ok,"))
        .map(|l| l.split(',').nth(2).unwrap())
        .collect();
    ok.sort();
    assert_eq!(ok, want[1..].iter().map(String::as_str).collect::<Vec<_>>());
    assert!(lines
        .iter()
        .any(|l| l.contains(&gone) && l.contains(",skipped,")));
    desktop.close().await;
}
