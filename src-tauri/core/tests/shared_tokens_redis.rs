//! Team mode, borrowing: a console with a shared profile (no appsecret in its keychain at all)
//! works on the backend's tokens, read from a real redis-server where the backend's SDK wrote
//! them, against the simulator over loopback HTTP. The simulator counts every token fetch: all
//! of them are the backend's.

mod redis_support;

use redis_support::*;
use wxopen_core::error::{CoreError, ErrorCode};
use wxopen_core::secrets::{masked_tail, SecretName, SecretStore};
use wxopen_core::service::sync::SyncOptions;
use wxopen_core::service::{CancelToken, ConsoleOptions};
use wxopen_core::shared_store::{
    KeyLayout, LayoutChoice, RedisSource, SharedSource, SharedStoreError, ValueFormat,
};
use wxopen_core::store::sync_runs::SyncState;
use wxopen_sandbox::{Sandbox, SandboxConfig};

async fn sandbox(authorizers: usize) -> Sandbox {
    Sandbox::start(SandboxConfig {
        authorizers,
        ..Default::default()
    })
    .await
    .expect("start sandbox")
}

/// The simulator keeps a superseded token working 300 s (WeChat's ~5 min grace): past it.
const OVERLAP_PASSED: u64 = 301;

fn sync_opts() -> SyncOptions {
    SyncOptions {
        details: true,
        concurrency: Some(4),
        restart: false,
        ..Default::default()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_shared_console_syncs_on_the_backends_wxjava_token_and_fetches_none() {
    let redis = Redis::start();
    let sb = sandbox(30).await;
    let ctl = sb.control();
    let backend = Backend::new(&sb);
    let c = backend.appid.clone();
    // The backend: a ticket push, then its token, both written as WxJava writes them.
    let ticket = ctl.issue_ticket();
    let (token, expires_in) = backend.component_token(&ticket).await;
    wxjava_writes_component(&redis, &c, &ticket, &token, expires_in);
    assert_eq!(ctl.call_count(TOKEN_PATH), 1);

    let team = shared_console(ConsoleSpec::new(&sb, wxjava(&redis.url(), false))).await;
    assert!(
        team.secrets
            .get(&c, SecretName::AppSecret)
            .unwrap()
            .is_none(),
        "a borrowing console needs no appsecret"
    );
    let out = team
        .console
        .sync_authorizers(&team.rt, sync_opts(), None, CancelToken::new())
        .await
        .unwrap();
    assert_eq!(out.run.state, SyncState::Done, "{:?}", out.run);
    assert_eq!(out.run.total_count, Some(30));
    assert_eq!(out.run.details_done, 30);
    assert_eq!(out.run.errors, 0);
    // Every list and details call went through (the simulator knows one token only, the
    // backend's: any other would have been 40001), and nobody but the backend fetched one.
    assert!(ctl.call_count(LIST_PATH) >= 1);
    assert_eq!(ctl.call_count(INFO_PATH), 30);
    assert_eq!(ctl.call_count(TOKEN_PATH), 1, "the console fetched a token");
    assert_eq!(ctl.call_count(AUTHORIZER_TOKEN_PATH), 0);
    let info = team.console.shared_info(&team.rt).unwrap();
    assert_eq!(info.layout, "wxjava");
    assert_eq!(
        info.component_key.as_deref(),
        Some(wx::component_token(&c).as_str())
    );
    let read = info.component.expect("the component token was read");
    assert_eq!(read.tail, masked_tail(&token));
    assert!((expires_in - 200 - 60..=expires_in - 200).contains(&read.ttl_secs.unwrap()));
    assert_eq!(info.rejections, 0);
    // Nothing of the backend's token went into SQLite's token tables.
    assert!(team
        .console
        .store()
        .component_token_get(team.rt.id())
        .unwrap()
        .is_none());
    // The key is the backend's: untouched.
    assert_eq!(
        redis.get(&wx::component_token(&c)).as_deref(),
        Some(token.as_str())
    );
    // The ticket shown is the backend's, with its key; none is kept here.
    let status = team.console.ticket_status(&team.rt).await.unwrap();
    assert!(status.present && status.valid);
    assert_eq!(status.shared_key.as_deref(), Some(wx::ticket(&c).as_str()));
    assert_eq!(status.tail, Some(masked_tail(&ticket)));
    assert!(team
        .console
        .store()
        .latest_ticket(team.rt.id())
        .unwrap()
        .is_none());
    redis.cli(&["DEL", &wx::ticket(&c)]);
    let status = team.console.ticket_status(&team.rt).await.unwrap();
    assert!(!status.present);
    assert_eq!(status.shared_key.as_deref(), Some(wx::ticket(&c).as_str()));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn an_authorizer_token_is_borrowed_for_an_authorizer_call() {
    let redis = Redis::start();
    let sb = sandbox(5).await;
    let ctl = sb.control();
    let backend = Backend::new(&sb);
    let c = backend.appid.clone();
    let ticket = ctl.issue_ticket();
    let (ct, expires_in) = backend.component_token(&ticket).await;
    wxjava_writes_component(&redis, &c, &ticket, &ct, expires_in);
    let (a, refresh) = backend.authorizers(&ct, 5).await.remove(0);
    let (at, at_expires, _) = backend.authorizer_token(&ct, &a, &refresh).await;
    // WxJava: updateAuthorizerAccessToken (EX expires_in - 200), the refresh token without TTL.
    redis.cli(&[
        "SET",
        &wx::authorizer_token(&c, &a),
        &at,
        "EX",
        &wx::token_ex(at_expires),
    ]);
    redis.cli(&["SET", &wx::refresh_token(&c, &a), &refresh]);
    let fetches = (
        ctl.call_count(TOKEN_PATH),
        ctl.call_count(AUTHORIZER_TOKEN_PATH),
    );
    assert_eq!(fetches, (1, 1));

    let mut spec = ConsoleSpec::new(&sb, wxjava(&redis.url(), false));
    // Kept until it dies, so that only WeChat's rejection makes the console read the key again.
    spec.options = sticky();
    let team = shared_console(spec).await;
    // open/get takes the authorizer's own token (the component token would be 48001).
    let binding = team.console.open_get(&team.rt, &a).await.unwrap();
    assert_eq!(binding.appid, a);
    let borrowed = team.console.authorizer_token(&team.rt, &a).await.unwrap();
    assert_eq!(borrowed.token.expose(), &at);
    assert_eq!(
        (
            ctl.call_count(TOKEN_PATH),
            ctl.call_count(AUTHORIZER_TOKEN_PATH)
        ),
        fetches,
        "the console fetched a token"
    );
    // Not copied into SQLite either.
    let row = team
        .console
        .store()
        .authorizer_token_get(team.rt.id(), &a)
        .unwrap();
    assert!(row.and_then(|r| r.access_token).is_none());

    // The backend refreshes the account's token and writes it; the old one dies after the
    // overlap: the console's next authorizer call is rejected once, reads the key again, and
    // goes through on the backend's new token.
    let (at2, _, _) = backend.authorizer_token(&ct, &a, &refresh).await;
    redis.cli(&[
        "SET",
        &wx::authorizer_token(&c, &a),
        &at2,
        "EX",
        &wx::token_ex(at_expires),
    ]);
    ctl.advance_clock(OVERLAP_PASSED);
    team.console.open_get(&team.rt, &a).await.unwrap();
    assert_eq!(
        team.console
            .authorizer_token(&team.rt, &a)
            .await
            .unwrap()
            .token
            .expose(),
        &at2
    );
    assert_eq!(team.console.shared_info(&team.rt).unwrap().rejections, 1);
    assert_eq!(
        (
            ctl.call_count(TOKEN_PATH),
            ctl.call_count(AUTHORIZER_TOKEN_PATH)
        ),
        (1, 2),
        "only the backend's fetches"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_custom_layout_with_json_object_values_is_borrowed() {
    let redis = Redis::start();
    let sb = sandbox(12).await;
    let ctl = sb.control();
    let backend = Backend::new(&sb);
    let c = backend.appid.clone();
    let layout = KeyLayout::custom(
        [
            Some("team:{component_appid}:ticket".into()),
            Some("team:{component_appid}:token".into()),
            Some("team:{component_appid}:auth:{authorizer_appid}:token".into()),
            Some("team:{component_appid}:auth:{authorizer_appid}:refresh".into()),
        ],
        ValueFormat::JsonObject {
            token_field: "token".into(),
            expires_at_field: Some("expires_at".into()),
        },
        0,
    )
    .unwrap();
    let source = SharedSource::Redis(RedisSource {
        url: redis.url_db(3),
        layout: LayoutChoice::Custom { layout },
        writes: false,
        ca_file: None,
    });
    let ticket = ctl.issue_ticket();
    let (token, expires_in) = backend.component_token(&ticket).await;
    // The home-grown backend keeps the expiry in the value and sets no TTL at all.
    let expires_at = wxopen_core::clock::now() + expires_in;
    let value = serde_json::json!({"token": token, "expires_at": expires_at}).to_string();
    let key = format!("team:{c}:token");
    redis.cli(&["-n", "3", "SET", &key, &value]);

    let team = shared_console(ConsoleSpec::new(&sb, source)).await;
    let out = team
        .console
        .sync_authorizers(&team.rt, sync_opts(), None, CancelToken::new())
        .await
        .unwrap();
    assert_eq!(out.run.state, SyncState::Done, "{:?}", out.run);
    assert_eq!(out.run.details_done, 12);
    assert_eq!(ctl.call_count(INFO_PATH), 12);
    assert_eq!(ctl.call_count(TOKEN_PATH), 1);
    let read = team
        .console
        .shared_info(&team.rt)
        .unwrap()
        .component
        .unwrap();
    assert_eq!(read.key, key);
    assert_eq!(read.ttl_secs, None);
    assert_eq!(read.expires_at, Some(expires_at));
    // A value whose own expiry has passed is expired, whatever the key's TTL says (none).
    let stale = serde_json::json!({"token": token, "expires_at": expires_at - expires_in - 1});
    redis.cli(&["-n", "3", "SET", &key, &stale.to_string()]);
    let fresh = shared_console(ConsoleSpec::new(&sb, team_source(&team))).await;
    let err = fresh.console.component_token(&fresh.rt).await.unwrap_err();
    assert!(
        matches!(&err, CoreError::Shared(SharedStoreError::Expired { key: k, .. }) if *k == key),
        "{err}"
    );
    assert_eq!(ctl.call_count(TOKEN_PATH), 1);
}

fn team_source(team: &SharedConsole) -> SharedSource {
    team.rt.profile.shared_source.clone().unwrap()
}

/// A console that keeps a borrowed token as long as it lives (so only a rejection re-reads).
fn sticky() -> ConsoleOptions {
    ConsoleOptions {
        shared_read_secs: 3600,
        ..options()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_rejected_token_is_read_again_once_and_a_still_rejected_one_is_named() {
    let redis = Redis::start();
    let sb = sandbox(3).await;
    let ctl = sb.control();
    let backend = Backend::new(&sb);
    let c = backend.appid.clone();
    let ticket = ctl.issue_ticket();
    let (t1, expires_in) = backend.component_token(&ticket).await;
    wxjava_writes_component(&redis, &c, &ticket, &t1, expires_in);
    let mut spec = ConsoleSpec::new(&sb, wxjava(&redis.url(), false));
    spec.options = sticky();
    let team = shared_console(spec).await;
    let list = backend.authorizers(&t1, 3).await;
    let a = list[0].0.clone();
    team.console.authorizer_fetch(&team.rt, &a).await.unwrap();
    assert_eq!(
        team.console
            .component_token(&team.rt)
            .await
            .unwrap()
            .token
            .expose(),
        &t1
    );

    // The backend rotates and writes the new token; the old one dies after the overlap.
    let (t2, _) = backend.component_token(&ticket).await;
    redis.cli(&[
        "SET",
        &wx::component_token(&c),
        &t2,
        "EX",
        &wx::token_ex(expires_in),
    ]);
    ctl.advance_clock(OVERLAP_PASSED);
    let info_calls = ctl.call_count(INFO_PATH);
    team.console.authorizer_fetch(&team.rt, &a).await.unwrap();
    // One call rejected (40001), one retried with the token read again.
    assert_eq!(ctl.call_count(INFO_PATH), info_calls + 2);
    assert_eq!(
        team.console
            .component_token(&team.rt)
            .await
            .unwrap()
            .token
            .expose(),
        &t2
    );
    assert_eq!(team.console.shared_info(&team.rt).unwrap().rejections, 1);
    assert_eq!(
        ctl.call_count(TOKEN_PATH),
        2,
        "only the backend's two fetches"
    );

    // The backend's token dies again, but the store still holds it: named, not fetched.
    let (_t3_not_written, _) = backend.component_token(&ticket).await;
    ctl.advance_clock(OVERLAP_PASSED);
    let before = redis.snapshot();
    let err = team
        .console
        .authorizer_fetch(&team.rt, &a)
        .await
        .unwrap_err();
    let key = wx::component_token(&c);
    assert!(
        matches!(&err, CoreError::Shared(SharedStoreError::Rejected { key: k, errcode: 40001 }) if *k == key),
        "{err}"
    );
    let body = err.body();
    assert_eq!(body.code, ErrorCode::SharedStore);
    assert!(body.message.contains(&key), "{}", body.message);
    assert!(body.hint.unwrap().contains("backend"));
    assert!(!body.message.contains(&t2), "the token is in the message");
    assert_eq!(team.console.shared_info(&team.rt).unwrap().rejections, 2);
    assert_eq!(
        ctl.call_count(TOKEN_PATH),
        3,
        "only the backend's three fetches"
    );
    assert_eq!(redis.snapshot(), before, "the console wrote to Redis");
    assert!(team
        .console
        .store()
        .component_token_get(team.rt.id())
        .unwrap()
        .is_none());
}

/// An ACL user in the URL, its password in the keychain: a console given read rights on the
/// backend's keys only borrows; a refresh it is not allowed to write is the store's refusal,
/// named, and nothing is fetched or written.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn an_acl_user_with_read_rights_borrows_and_its_refused_write_is_named() {
    let redis = Redis::start();
    let sb = sandbox(5).await;
    let ctl = sb.control();
    let backend = Backend::new(&sb);
    let c = backend.appid.clone();
    let ticket = ctl.issue_ticket();
    let (token, expires_in) = backend.component_token(&ticket).await;
    wxjava_writes_component(&redis, &c, &ticket, &token, expires_in);
    // Least privilege: a console that may read, not write.
    redis.cli(&[
        "ACL",
        "SETUSER",
        "console",
        "on",
        ">console-pw-42",
        "~*",
        "+@read",
        "+@connection",
    ]);
    let url = redis.url().replace("redis://", "redis://console@");
    let mut spec = ConsoleSpec::new(&sb, wxjava(&url, true));
    spec.redis_password = Some("console-pw-42");
    spec.appsecret = true;
    let team = shared_console(spec).await;
    let t = team.console.component_token(&team.rt).await.unwrap();
    assert_eq!(t.token.expose(), &token);

    let err = team
        .console
        .refresh_component_token(&team.rt)
        .await
        .unwrap_err();
    assert_eq!(err.code(), ErrorCode::SharedStore, "{err}");
    // Named as what it is: the store refused a command on the lock key (not a failed login).
    assert!(
        matches!(&err, CoreError::Shared(SharedStoreError::Command { key, detail })
            if key == "componentAccessTokenLock" && detail.to_lowercase().contains("noperm")),
        "{err}"
    );
    assert!(!err.to_string().contains("console-pw-42"));
    assert_eq!(ctl.call_count(TOKEN_PATH), 1, "nothing fetched");
    assert_eq!(
        redis.get(&wx::component_token(&c)).as_deref(),
        Some(token.as_str())
    );
}
