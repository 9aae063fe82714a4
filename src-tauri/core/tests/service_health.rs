//! The Health page's answers, from a real simulator over loopback and a real SQLite file: account
//! states, what changed since the previous sync, accounts that must authorize again, and the
//! commonest errcodes with their explanation.

mod service_support;

use service_support::*;
use wxopen_core::service::links::LinkRequest;
use wxopen_core::service::sync::SyncOptions;
use wxopen_core::service::CancelToken;
use wxopen_sandbox::faults::Fault;
use wxopen_sandbox::AuthorizeRequest;

async fn list_sync(e: &Env) {
    e.console
        .sync_authorizers(&e.rt, SyncOptions::default(), None, CancelToken::new())
        .await
        .unwrap();
}

/// Moves everything the cache has recorded so far `secs` into the past, as if the first sync
/// had run a while ago (times are whole seconds: two syncs in the same second could not be told
/// apart, and a test must not sleep to separate them).
fn rewind(e: &Env, secs: i64) {
    let c = rusqlite::Connection::open(e.dir.path().join("wxopen.sqlite3")).unwrap();
    c.execute_batch(&format!(
        "UPDATE sync_runs SET started_at = started_at - {secs}, updated_at = updated_at - {secs},
                              finished_at = finished_at - {secs};
         UPDATE authorizers SET created_at = created_at - {secs},
                                status_changed_at = status_changed_at - {secs};"
    ))
    .unwrap();
}

async fn authorize_new(e: &Env) -> String {
    let link = e
        .console
        .link_create(
            &e.rt,
            LinkRequest {
                redirect_uri: "https://a.example/cb".into(),
                auth_type: None,
                biz_appid: None,
            },
        )
        .await
        .unwrap();
    let q = link
        .pc_link
        .split('?')
        .nth(1)
        .unwrap()
        .split('#')
        .next()
        .unwrap();
    let code = url::form_urlencoded::parse(q.as_bytes())
        .find(|(k, _)| k == "pre_auth_code")
        .map(|(_, v)| v.into_owned())
        .unwrap();
    e.control()
        .authorize(AuthorizeRequest {
            pre_auth_code: code,
            kind: Some(wxopen_sandbox::Kind::MiniProgram),
            ..Default::default()
        })
        .unwrap();
    let before: Vec<String> = listed(e).await;
    list_sync(e).await;
    let after = listed(e).await;
    after
        .into_iter()
        .find(|a| !before.contains(a))
        .expect("the new account is in the list after the sync")
}

async fn listed(e: &Env) -> Vec<String> {
    let page = e
        .console
        .authorizers_search(
            &e.rt,
            &wxopen_core::store::types::AuthorizerQuery {
                limit: 1000,
                ..Default::default()
            },
        )
        .unwrap();
    page.rows.into_iter().map(|r| r.appid).collect()
}

#[tokio::test]
async fn health_reports_states_changes_since_the_previous_sync_and_top_errcodes() {
    let e = env(12).await;

    let h = e.console.health(&e.rt).await.unwrap();
    assert!(!h.has_data(), "no accounts before the first sync");
    assert!(
        h.ticket.as_ref().unwrap().present,
        "the ticket set by the test"
    );
    assert!(h.last_sync.is_none() && h.previous_sync.is_none());
    assert_eq!(h.quota.resets_left, 10);

    list_sync(&e).await;
    let h = e.console.health(&e.rt).await.unwrap();
    assert_eq!(h.accounts.total, 12);
    assert_eq!(h.accounts.authorized, 12);
    // The simulator, like WeChat, lists some accounts with an empty refresh token.
    let mut without = 0;
    for appid in listed(&e).await {
        if !e
            .console
            .authorizer_token_status(&e.rt, &appid)
            .unwrap()
            .has_refresh_token
        {
            without += 1;
        }
    }
    assert!(
        without > 0,
        "the seed has an account listed without a refresh token"
    );
    assert_eq!(h.accounts.missing_refresh_token, without);
    assert!(h.last_sync.is_some());
    assert!(
        h.revoked_since_previous_sync.is_none() && h.new_since_previous_sync.is_none(),
        "after the first sync nothing is 'since the previous one'"
    );

    rewind(&e, 3600);
    let gone = listed(&e).await[0].clone();
    e.control().unauthorize(&gone).unwrap();
    let fresh = authorize_new(&e).await;

    // An account whose refresh token WeChat no longer accepts (61023) must authorize again.
    let stale = listed(&e)
        .await
        .into_iter()
        .find(|a| {
            *a != gone
                && *a != fresh
                && e.console
                    .authorizer_token_status(&e.rt, a)
                    .unwrap()
                    .has_refresh_token
        })
        .unwrap();
    e.control().set_fault(Fault::Errcode {
        path: Some("/cgi-bin/component/api_authorizer_token".into()),
        errcode: 61023,
        errmsg: "invalid refresh_token".into(),
        times: Some(1),
    });
    assert!(e.console.authorizer_token(&e.rt, &stale).await.is_err());
    // And two calls over the daily quota.
    e.control().set_fault(Fault::Errcode {
        path: Some("/cgi-bin/component/api_get_authorizer_info".into()),
        errcode: 45009,
        errmsg: "reach max api daily quota limit".into(),
        times: Some(2),
    });
    for _ in 0..2 {
        assert!(e.console.authorizer_fetch(&e.rt, &fresh).await.is_err());
    }
    e.console.flush();

    let h = e.console.health(&e.rt).await.unwrap();
    assert_eq!(h.accounts.total, 13);
    assert_eq!(h.accounts.revoked, 1);
    assert_eq!(h.accounts.needs_reauth, 1);
    let revoked = h.revoked_since_previous_sync.expect("two syncs completed");
    assert_eq!(revoked.count, 1);
    assert_eq!(revoked.first[0].appid, gone);
    let new = h.new_since_previous_sync.unwrap();
    assert_eq!(new.count, 1);
    assert_eq!(new.first[0].appid, fresh);
    assert_eq!(h.needs_reauth.count, 1);
    assert_eq!(h.needs_reauth.first[0].appid, stale);

    let top = &h.top_errcodes[0];
    assert_eq!((top.count.errcode, top.count.count), (45009, 2));
    assert_eq!(
        top.count.endpoint,
        "/cgi-bin/component/api_get_authorizer_info"
    );
    assert!(top.explanation.known && !top.explanation.en.is_empty());
    let reauth = h
        .top_errcodes
        .iter()
        .find(|t| t.count.errcode == 61023)
        .unwrap();
    assert_eq!(reauth.count.count, 1);
}
