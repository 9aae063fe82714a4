//! The real app on its embedded WeChat simulator: first run into the sandbox, the 2,000-account
//! table, search, options, open accounts, authorization links, ticket pushes and the IP-whitelist
//! hint. Every check that the UI did something is made against state the UI does not own: the
//! simulator's control API, the app's SQLite file (read-only) or the X clipboard.
//! Run with `make e2e`.

use serde_json::json;
use wxopen_e2e::flows::{self, db, open_detail, shown_appids, start_sandbox, wait_first_sync};
use wxopen_e2e::simulator::{Simulator, COMPONENT_APPID, ENCODING_AES_KEY, TOKEN};
use wxopen_e2e::Desktop;

/// Fewer rows than one page of the table, so every match is on screen.
const MAX_MATCHES: usize = 8;

/// One authorizer as the app stored it after the sync.
struct Row {
    appid: String,
    fields: [String; 5],
    /// Calls on the account's behalf need one (the sandbox seeds some accounts without).
    has_refresh_token: bool,
}

fn stored_rows(desktop: &Desktop) -> Vec<Row> {
    let conn = db(desktop);
    let mut stmt = conn
        .prepare(
            "SELECT appid, nick_name, user_name, alias, principal_name, has_refresh_token
             FROM authorizers ORDER BY appid",
        )
        .unwrap();
    stmt.query_map([], |r| {
        Ok(Row {
            appid: r.get(0)?,
            fields: [r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?],
            has_refresh_token: r.get(5)?,
        })
    })
    .unwrap()
    .map(Result::unwrap)
    .collect()
}

/// The environment of this desktop's WebKit web process (the one whose WXOPEN_DATA_DIR is ours).
fn web_process_environ(desktop: &Desktop) -> Vec<String> {
    let ours = format!("WXOPEN_DATA_DIR={}", desktop.data_dir().display());
    for entry in std::fs::read_dir("/proc").unwrap().flatten() {
        let dir = entry.path();
        let comm = std::fs::read_to_string(dir.join("comm")).unwrap_or_default();
        if !comm.starts_with("WebKitWebProces") {
            continue;
        }
        let Ok(raw) = std::fs::read(dir.join("environ")) else {
            continue;
        };
        let vars: Vec<String> = raw
            .split(|b| *b == 0)
            .map(|v| String::from_utf8_lossy(v).into_owned())
            .collect();
        if vars.contains(&ours) {
            return vars;
        }
    }
    panic!("no WebKitWebProcess with {ours}");
}

/// The documented search semantics, applied independently of the app's index: a
/// case-insensitive substring of nick_name, appid, user_name, alias or principal_name.
fn expected_matches(rows: &[Row], query: &str) -> Vec<String> {
    let needle = query.trim().to_lowercase();
    let mut hits: Vec<String> = rows
        .iter()
        .filter(|r| r.fields.iter().any(|f| f.to_lowercase().contains(&needle)))
        .map(|r| r.appid.clone())
        .collect();
    hits.sort();
    hits
}

/// An upper-case query (the search must fold case) matching a handful of accounts.
fn pick_query(rows: &[Row]) -> (String, Vec<String>) {
    for row in rows {
        for start in [2, 6, 10, 14] {
            let query = row.appid[start..start + 3].to_uppercase();
            let hits = expected_matches(rows, &query);
            if (2..=MAX_MATCHES).contains(&hits.len()) && row.has_refresh_token {
                return (query, hits);
            }
        }
    }
    panic!("no 3-character appid fragment matches 2..={MAX_MATCHES} accounts");
}

/// Scenarios 1, 2, 3 and 6 in one app session (each start costs seconds).
#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs Xvfb, gnome-keyring and tauri-driver: run `make e2e`"]
async fn sandbox_table_search_options_and_open_account() {
    let (desktop, sim) = start_sandbox("sandbox").await;

    // 1. The first sync lists the 2,000 seeded accounts.
    wait_first_sync(&desktop).await;
    let stats = sim.get("/sandbox/stats").await;
    assert_eq!(stats["authorizer_count"], json!(flows::SEEDED), "{stats}");
    assert!(
        !shown_appids(&desktop).await.is_empty(),
        "the table shows no rows"
    );
    desktop.screenshot("table-2000").await;
    // Avatars come from the simulator through the shell's `wxsandbox:` protocol: the CSP allows
    // no http: image source, so a loaded image proves the whole path.
    desktop
        .wait_until("an avatar loaded through wxsandbox:", || async {
            desktop
                .js(
                    "const i = document.querySelector('img.authorizers-table__avatar'); \
                     return !!i && i.src.startsWith('wxsandbox://localhost/') && i.complete \
                     && i.naturalWidth > 0;",
                )
                .await
                == json!(true)
        })
        .await;
    // The page runs with the app's WebKit defaults (see `webkit_env_defaults`).
    let web = web_process_environ(&desktop);
    assert!(
        web.iter().any(|v| v == "JSC_useJIT=0"),
        "the web process has no JSC_useJIT=0"
    );

    // 2. Search narrows the table to exactly the accounts the documented semantics select.
    let rows = stored_rows(&desktop);
    assert_eq!(rows.len(), flows::SEEDED);
    let (query, expected) = pick_query(&rows);
    eprintln!("[e2e] search {query:?}: expecting {expected:?}");
    desktop.fill("authorizers-search", &query).await;
    desktop
        .wait_until(
            &format!("the rows of search {query:?} to be {expected:?}"),
            || async { shown_appids(&desktop).await == expected },
        )
        .await;
    desktop.screenshot("search").await;

    // 3. Toggling options in the detail changes the simulator's state (on an account whose
    // options can be called: it has a refresh token).
    let appid = rows
        .iter()
        .find(|r| r.has_refresh_token && expected.contains(&r.appid))
        .map(|r| r.appid.clone())
        .expect("pick_query returns a query matching an account with a refresh token");
    flows::click_row(&desktop, &appid).await;
    flows::wait_detail(&desktop, &appid).await;
    desktop.screenshot("detail").await;
    let before = sim.options(&appid).await;
    let voice = before["voice_recognize"].as_str().unwrap().to_string();
    desktop
        .wait_attr("option-voice_recognize", "data-value", &voice)
        .await;
    let flipped = if voice == "1" { "0" } else { "1" };
    desktop.click("option-voice_recognize").await;
    desktop
        .wait_attr("option-voice_recognize", "data-value", flipped)
        .await;
    desktop
        .wait_until("the simulator's voice_recognize to change", || async {
            sim.options(&appid).await["voice_recognize"] == flipped
        })
        .await;

    let location = before["location_report"].as_str().unwrap().to_string();
    desktop
        .wait_attr("option-location_report", "data-value", &location)
        .await;
    let next = ((location.parse::<u8>().unwrap() + 1) % 3).to_string();
    desktop
        .click(&format!("option-location_report-{next}"))
        .await;
    desktop
        .wait_attr("option-location_report", "data-value", &next)
        .await;
    desktop
        .wait_until("the simulator's location_report to change", || async {
            sim.options(&appid).await["location_report"] == next.as_str()
        })
        .await;
    let after = sim.options(&appid).await;
    assert_eq!(
        after["customer_service"], before["customer_service"],
        "an option nobody touched changed"
    );
    desktop.screenshot("detail-options").await;
    desktop.click("detail-close").await;

    // 6. Create, unbind and bind an open account through the detail's dialogs.
    let (appid, bind_to) = open_account_candidate(&desktop, &sim).await;
    eprintln!("[e2e] open account flow on {appid}, binding to {bind_to}");
    open_detail(&desktop, &appid).await;
    desktop.wait_exists("open-appid").await;
    let shown = desktop.text_now("open-appid").await.unwrap_or_default();
    assert!(
        !shown.contains("wx"),
        "open-appid of an unbound account: {shown:?}"
    );

    desktop.click("open-create").await;
    desktop
        .wait_until("open-appid to show the created open account", || async {
            desktop
                .text_now("open-appid")
                .await
                .is_some_and(|t| t.contains("wx"))
        })
        .await;
    let created = desktop.text_now("open-appid").await.unwrap();
    assert_eq!(
        sim.open_appid(&appid).await.as_deref(),
        Some(created.as_str())
    );
    desktop.screenshot("open-created").await;

    desktop.click("open-unbind").await;
    desktop
        .wait_until("the unbind dialog naming both accounts", || async {
            desktop
                .text_now("open-unbind-dialog")
                .await
                .is_some_and(|t| t.contains(&appid) && t.contains(&created))
        })
        .await;
    desktop.screenshot("open-unbind-dialog").await;
    desktop.click("open-unbind-confirm").await;
    desktop
        .wait_until("open-appid to become empty", || async {
            desktop
                .text_now("open-appid")
                .await
                .is_some_and(|t| !t.contains("wx"))
        })
        .await;
    assert_eq!(sim.open_appid(&appid).await, None);

    desktop.click("open-bind").await;
    desktop.fill("open-bind-input", &bind_to).await;
    desktop.click("open-bind-confirm").await;
    desktop
        .wait_until("open-appid to show the bound open account", || async {
            desktop
                .text_now("open-appid")
                .await
                .is_some_and(|t| t.contains(&bind_to))
        })
        .await;
    assert_eq!(
        sim.open_appid(&appid).await.as_deref(),
        Some(bind_to.as_str())
    );
    desktop.screenshot("open-bound").await;

    // 8 (again, with data on screen): English and the dark theme over the full table.
    desktop.click("detail-close").await;
    desktop.fill("authorizers-search", "").await;
    desktop
        .wait_attr(
            "authorizers-total",
            "data-total",
            &flows::SEEDED.to_string(),
        )
        .await;
    desktop.click("lang-toggle").await;
    desktop
        .wait_until("English navigation", || async {
            desktop.text_now("nav-authorizers").await.as_deref() == Some("Authorizers")
        })
        .await;
    desktop.click("theme-dark").await;
    desktop
        .wait_until("<html theme-mode=dark>", || async {
            desktop
                .js("return document.documentElement.getAttribute('theme-mode');")
                .await
                == "dark"
        })
        .await;
    wxopen_e2e::flows::settle_theme(&desktop).await;
    desktop.screenshot("en-dark-table").await;
    desktop.close().await;
}

/// An official account with open-account permission (set 24), of a company (not personal), not
/// bound yet; and an API-created open account of the same principal with room left.
async fn open_account_candidate(desktop: &Desktop, sim: &Simulator) -> (String, String) {
    let opens = sim.get("/sandbox/open_accounts").await;
    let opens = opens["open_accounts"].as_array().unwrap().clone();
    let target_of = |principal: &str| {
        opens
            .iter()
            .find(|o| {
                o["principal_name"] == principal
                    && o["created_by_api"] == true
                    && o["bound_count"].as_u64().unwrap_or(100) < 100
            })
            .and_then(|o| o["open_appid"].as_str())
            .map(str::to_string)
    };
    let candidates: Vec<(String, String)> = {
        let conn = db(desktop);
        let mut stmt = conn
            .prepare(
                // permissions: a JSON array per account, each entry an id or [id, …]
                "SELECT a.appid, a.principal_name FROM authorizers a
                 JOIN authorizer_details d ON d.authorizer_id = a.id
                 WHERE a.kind = 'official_account'
                   AND a.has_refresh_token = 1 AND a.status = 'authorized'
                   AND EXISTS (SELECT 1 FROM json_each(d.permissions) j
                               WHERE coalesce(json_extract(j.value, '$[0]'), j.value) = 24)
                 ORDER BY a.appid LIMIT 200",
            )
            .unwrap();
        stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .unwrap()
            .map(Result::unwrap)
            .collect()
    };
    for (appid, principal) in candidates {
        let Some(target) = target_of(&principal) else {
            continue;
        };
        if sim.open_appid(&appid).await.is_none() {
            return (appid, target);
        }
    }
    panic!("no unbound official account with open-account permission among the first 200");
}

/// Scenario 4: an authorization link with its QR code, copied to the clipboard, then completed
/// with the simulator's redirect; the new account is then in the list.
#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs Xvfb, gnome-keyring and tauri-driver: run `make e2e`"]
async fn auth_link_is_copied_and_completes_an_authorization() {
    let (desktop, sim) = start_sandbox("auth-link").await;
    // A full list sync marks accounts it did not see as revoked: let the first one end before
    // a new account arrives.
    wait_first_sync(&desktop).await;

    let redirect = "https://console.example.com/wx/authorized";
    desktop.click("nav-auth-links").await;
    desktop.wait_exists("link-form").await;
    desktop.fill("link-redirect-uri", redirect).await;
    desktop.click("link-generate").await;
    desktop
        .wait_until("the mobile link's QR code", || async {
            desktop.visible("[data-testid='link-mobile-qr'] svg").await
        })
        .await;
    let link = desktop.text_of("link-mobile").await;
    let parsed = url::Url::parse(&link).unwrap_or_else(|e| panic!("link-mobile {link:?}: {e}"));
    assert!(
        parsed.path().ends_with("/safe/bindcomponent"),
        "not a mobile authorization link: {link}"
    );
    let query: std::collections::HashMap<String, String> =
        parsed.query_pairs().into_owned().collect();
    assert_eq!(
        query.get("component_appid").map(String::as_str),
        Some(COMPONENT_APPID),
        "{link}"
    );
    assert_eq!(
        query.get("redirect_uri").map(String::as_str),
        Some(redirect),
        "{link}"
    );
    let pre_auth_code = query
        .get("pre_auth_code")
        .filter(|c| !c.is_empty())
        .unwrap_or_else(|| panic!("no pre_auth_code in {link}"))
        .clone();
    desktop
        .js("document.querySelector(\"[data-testid='link-result']\").scrollIntoView({block: 'start'});")
        .await;
    desktop.screenshot("link").await;

    desktop.click("link-mobile-copy").await;
    desktop
        .wait_until("the clipboard to hold the mobile link", || async {
            desktop.clipboard().as_deref() == Some(link.as_str())
        })
        .await;

    let outcome = sim
        .post(
            "/sandbox/authorize",
            &json!({
                "pre_auth_code": pre_auth_code,
                "redirect_uri": redirect,
                "kind": "official_account",
            }),
        )
        .await;
    let new_appid = outcome["authorizer_appid"].as_str().unwrap().to_string();
    let redirect_url = outcome["redirect_url"].as_str().unwrap().to_string();
    assert!(redirect_url.contains("auth_code="), "{outcome}");

    desktop.fill("auth-complete-input", &redirect_url).await;
    desktop.click("auth-complete-submit").await;
    desktop
        .wait_attr("auth-complete-result", "data-appid", &new_appid)
        .await;
    desktop.screenshot("completed").await;

    flows::search_one(&desktop, &new_appid).await;
    desktop.screenshot("new-account").await;
    desktop.close().await;
}

/// Scenario 5: an encrypted component_verify_ticket push, sealed here with the app's own crypto
/// and pasted into the Tokens screen, becomes the current ticket.
#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs Xvfb, gnome-keyring and tauri-driver: run `make e2e`"]
async fn pasted_ticket_push_becomes_the_current_ticket() {
    use rand::Rng as _;
    let (desktop, _sim) = start_sandbox("ticket-push").await;

    desktop.click("nav-tokens").await;
    desktop.wait_exists("ticket-tail").await;
    let old_tail = desktop.text_now("ticket-tail").await.unwrap_or_default();

    let mut rng = rand::rng();
    let suffix: String = (0..48)
        .map(|_| {
            let c = rng.random_range(0..36u8);
            char::from(if c < 10 { b'0' + c } else { b'a' + c - 10 })
        })
        .collect();
    let ticket = format!("ticket@@@{suffix}");
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let plain = format!(
        "<xml><AppId><![CDATA[{COMPONENT_APPID}]]></AppId><CreateTime>{now}</CreateTime>\
         <InfoType><![CDATA[component_verify_ticket]]></InfoType>\
         <ComponentVerifyTicket><![CDATA[{ticket}]]></ComponentVerifyTicket></xml>"
    );
    let crypto =
        wxopen_wechat::crypto::MsgCrypto::new(TOKEN, ENCODING_AES_KEY, COMPONENT_APPID).unwrap();
    let nonce = rng.random_range(100_000_000u32..2_000_000_000).to_string();
    let sealed = crypto.seal_push(&plain, &now.to_string(), &nonce);

    // The same ticket in clear, with the URL `signature` that a plain-mode push would carry:
    // refused (pushes are always encrypted), and the ticket stays as it was.
    let forged_sig = crypto.url_signature(&now.to_string(), &nonce);
    desktop.paste("push-body", &plain).await;
    desktop
        .paste(
            "push-url",
            &format!("https://platform.example/event?timestamp={now}&nonce={nonce}&signature={forged_sig}&msg_signature={forged_sig}"),
        )
        .await;
    desktop.click("push-apply").await;
    desktop.wait_exists("error-toast").await;
    let toast = desktop.text_now("error-toast").await.unwrap_or_default();
    assert!(toast.contains("not encrypted"), "error toast: {toast:?}");
    assert!(!desktop.exists("push-result").await);
    assert_eq!(
        desktop.text_now("ticket-tail").await.unwrap_or_default(),
        old_tail
    );
    desktop.paste("push-url", "").await;

    desktop.paste("push-body", &sealed.body).await;
    desktop.fill("push-timestamp", &sealed.timestamp).await;
    desktop.fill("push-nonce", &sealed.nonce).await;
    desktop.fill("push-signature", &sealed.msg_signature).await;
    desktop.click("push-apply").await;
    desktop
        .wait_attr("push-result", "data-status", "applied")
        .await;
    // Its age, from CreateTime (a few seconds: it was sealed just now).
    let age = desktop
        .text_now("push-result-age")
        .await
        .unwrap_or_default();
    assert!(age.contains('s'), "push age: {age:?}");
    let tail = &ticket[ticket.len() - 4..];
    desktop
        .wait_until(&format!("ticket-tail to end with {tail}"), || async {
            desktop
                .text_now("ticket-tail")
                .await
                .is_some_and(|t| t.trim_end().ends_with(tail))
        })
        .await;
    eprintln!(
        "[e2e] ticket-tail {old_tail:?} -> {:?}",
        desktop.text_now("ticket-tail").await
    );
    desktop.screenshot("tokens").await;
    desktop.close().await;
}

/// Scenario 7: a 61004 answer (IP not on the platform's whitelist) shows the IP and a hint.
#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs Xvfb, gnome-keyring and tauri-driver: run `make e2e`"]
async fn ip_whitelist_error_names_the_ip_and_hints() {
    let (desktop, sim) = start_sandbox("whitelist").await;
    // The first sync calls api_component_token too: let it end so that only the click can meet
    // the fault.
    wait_first_sync(&desktop).await;
    desktop.click("nav-tokens").await;
    desktop.wait_exists("token-refresh").await;

    let path = "/cgi-bin/component/api_component_token";
    sim.post(
        "/sandbox/faults",
        &json!({
            "kind": "errcode",
            "path": path,
            "errcode": 61004,
            "errmsg": "access clientip is not registered requestIP: 1.2.3.4",
        }),
    )
    .await;
    let calls = |stats: &serde_json::Value| stats["calls"][path].as_u64().unwrap_or(0);
    let before = calls(&sim.get("/sandbox/stats").await);

    desktop.click("token-refresh").await;
    desktop.wait_exists("error-toast").await;
    desktop
        .wait_until("error-toast-ip to name 1.2.3.4", || async {
            desktop
                .text_now("error-toast-ip")
                .await
                .is_some_and(|t| t.contains("1.2.3.4"))
        })
        .await;
    let hint = desktop
        .text_now("error-toast-hint")
        .await
        .unwrap_or_default();
    assert!(!hint.is_empty(), "error-toast-hint is empty");
    let toast = desktop.text_now("error-toast").await.unwrap_or_default();
    assert!(toast.contains("1.2.3.4"), "error toast: {toast:?}");
    assert!(
        calls(&sim.get("/sandbox/stats").await) > before,
        "token-refresh never called {path}"
    );
    desktop.screenshot("error-toast").await;
    sim.delete("/sandbox/faults").await;
    desktop.close().await;
}
