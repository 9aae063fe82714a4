//! Steps several tests share: the first run into the sandbox, waiting for the first sync, opening
//! an account's detail, and reading the app's SQLite file.

use std::time::Duration;

use crate::simulator::Simulator;
use crate::Desktop;

/// Authorizers the sandbox seeds (`WXOPEN_SANDBOX_AUTHORIZERS` is left at its default).
pub const SEEDED: usize = 2000;

/// How long the first full sync (list + details of 2,000 accounts) may take.
pub const SYNC_LIMIT: Duration = Duration::from_secs(240);

/// Starts the app with its simulator on a port of the test's choosing and takes the first-run
/// path "try the sandbox": Welcome → welcome-sandbox → the authorizers list.
pub async fn start_sandbox(name: &str) -> (Desktop, Simulator) {
    let sim = Simulator::new();
    let desktop = Desktop::start_with(name, &sim.env()).await;
    desktop.wait_ready().await;
    desktop.wait_exists("welcome").await;
    assert!(
        desktop.route().await.starts_with("#/welcome"),
        "first run should land on /welcome, not {}",
        desktop.route().await
    );
    desktop.click("welcome-sandbox").await;
    desktop
        .wait_until("the simulator to answer on its port", || async {
            sim.is_up().await
        })
        .await;
    desktop
        .wait_until("the authorizers screen after the welcome", || async {
            desktop.route().await.starts_with("#/authorizers")
        })
        .await;
    (desktop, sim)
}

/// Waits until the first sync has listed every seeded account (the table says so) and has
/// finished (the app's own database says so). Starts it with sync-button only when the screen
/// did not start it by itself (the Welcome screen asks for it with `?sync=1`).
pub async fn wait_first_sync(desktop: &Desktop) {
    desktop.wait_exists("sync-button").await;
    // The Welcome screen opens /authorizers?sync=1, which must start the sync by itself.
    let started = desktop
        .eventually(Duration::from_secs(20), || async { sync_runs(desktop) > 0 })
        .await;
    assert!(
        started,
        "no sync started within 20 s of the welcome's /authorizers?sync=1"
    );
    desktop
        .wait_until_within("authorizers-total data-total=2000", SYNC_LIMIT, || async {
            desktop
                .attr("authorizers-total", "data-total")
                .await
                .as_deref()
                == Some(&SEEDED.to_string()[..])
        })
        .await;
    desktop
        .wait_until_within(
            "a finished sync run with details in the database",
            SYNC_LIMIT,
            || async { finished_sync(desktop) },
        )
        .await;
    desktop.wait_exists("sync-outcome").await;
    // Only for the pictures: give the table its post-sync reload (avatars come with details).
    desktop
        .eventually(Duration::from_secs(10), || async {
            desktop
                .js("return !!document.querySelector(\"[data-testid='authorizer-row'] img\");")
                .await
                == true
        })
        .await;
}

/// The app's SQLite file, read-only (the app keeps writing it in WAL mode).
pub fn db(desktop: &Desktop) -> rusqlite::Connection {
    let path = desktop.data_dir().join("wxopen.sqlite3");
    let conn = rusqlite::Connection::open_with_flags(
        &path,
        rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY | rusqlite::OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .unwrap_or_else(|e| panic!("open {} read-only: {e}", path.display()));
    conn.busy_timeout(Duration::from_secs(5)).unwrap();
    conn
}

fn sync_runs(desktop: &Desktop) -> i64 {
    if !desktop.data_dir().join("wxopen.sqlite3").exists() {
        return 0;
    }
    db(desktop)
        .query_row("SELECT count(*) FROM sync_runs", [], |r| r.get(0))
        .unwrap_or(0)
}

/// A sync run finished and no run is going; every seeded account has its details.
fn finished_sync(desktop: &Desktop) -> bool {
    let conn = db(desktop);
    let q = |sql: &str| {
        conn.query_row(sql, [], |r| r.get::<_, i64>(0))
            .unwrap_or(-1)
    };
    q("SELECT count(*) FROM sync_runs WHERE state = 'done'") > 0
        && q("SELECT count(*) FROM sync_runs WHERE state = 'running'") == 0
        && q("SELECT count(*) FROM authorizers WHERE info_fetched_at IS NOT NULL") == SEEDED as i64
}

/// The rows the table shows, as their `data-appid`s, sorted.
pub async fn shown_appids(desktop: &Desktop) -> Vec<String> {
    let mut rows = desktop.attrs_all("authorizer-row", "data-appid").await;
    rows.sort();
    rows
}

/// On the authorizers list: searches for `appid` and waits until it is the only row.
pub async fn search_one(desktop: &Desktop, appid: &str) {
    desktop.click("nav-authorizers").await;
    desktop.wait_exists("authorizers-search").await;
    desktop.fill("authorizers-search", appid).await;
    desktop
        .wait_until(&format!("only the row of {appid}"), || async {
            shown_appids(desktop).await == [appid]
        })
        .await;
}

/// Searches `appid`, opens its detail by clicking the row and waits until it shows that account.
pub async fn open_detail(desktop: &Desktop, appid: &str) {
    search_one(desktop, appid).await;
    click_row(desktop, appid).await;
    wait_detail(desktop, appid).await;
}

/// Clicks the row of `appid` in the authorizers table (on a cell: WebKitWebDriver does not
/// click a `<tr>` itself).
pub async fn click_row(desktop: &Desktop, appid: &str) {
    desktop
        .click_css(&format!(
            "[data-testid='authorizer-row'][data-appid='{appid}'] td:nth-child(3)"
        ))
        .await;
}

/// Waits until the detail shows `appid`.
pub async fn wait_detail(desktop: &Desktop, appid: &str) {
    desktop
        .wait_until(&format!("the detail of {appid}"), || async {
            desktop
                .text_now("detail-appid")
                .await
                .is_some_and(|t| t.contains(appid))
        })
        .await;
    desktop
        .wait_still("[data-testid='authorizer-detail']")
        .await;
}

/// After a theme switch: waits (at most 5 s) until the computed colours of the header controls
/// stop changing (TDesign animates them), so a screenshot shows the final theme. Returns the
/// background colour of the language toggle.
pub async fn settle_theme(desktop: &Desktop) -> String {
    let colour = || async {
        desktop
            .js("const e = document.querySelector(\"[data-testid='lang-toggle']\");
                 return e ? getComputedStyle(e).backgroundColor + ' / ' + getComputedStyle(document.body).backgroundColor : '';")
            .await
            .as_str()
            .unwrap_or_default()
            .to_string()
    };
    let state = std::cell::RefCell::new((String::new(), std::time::Instant::now()));
    let state = &state;
    desktop
        .eventually(Duration::from_secs(5), || async move {
            let now = colour().await;
            let mut st = state.borrow_mut();
            if now != st.0 {
                *st = (now, std::time::Instant::now());
                return false;
            }
            st.1.elapsed() >= Duration::from_millis(500)
        })
        .await;
    let c = state.borrow().0.clone();
    eprintln!("[e2e] theme settled: lang-toggle / body background {c}");
    c
}
