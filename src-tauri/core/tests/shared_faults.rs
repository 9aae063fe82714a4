//! Team mode, faults: whatever goes wrong with the backend's Redis, a shared console says what
//! (code `shared_store`, the URL or the key in the message, a hint), never fetches a token of its
//! own (the simulator counts zero), and writes nothing to Redis or to SQLite's token tables.

mod redis_support;

use redis_support::*;
use wxopen_core::error::{CoreError, ErrorCode};
use wxopen_core::service::ConsoleOptions;
use wxopen_core::shared_store::{SharedStoreError, ValueError};
use wxopen_sandbox::{Sandbox, SandboxConfig};

/// Whether a value error is the one a case expects.
type IsExpected = fn(&ValueError) -> bool;

const PASSWORD: &str = "redis-pw-Secret-4711";

struct Fixture {
    redis: Redis,
    sb: Sandbox,
    c: String,
    token: String,
}

/// A backend that has fetched its token (one fetch on the simulator) and written it, WxJava's way.
async fn fixture(password: Option<&str>) -> Fixture {
    let redis = Redis::start_with(password, &[]);
    let sb = Sandbox::start(SandboxConfig {
        authorizers: 2,
        ..Default::default()
    })
    .await
    .unwrap();
    let backend = Backend::new(&sb);
    let ticket = sb.control().issue_ticket();
    let (token, expires_in) = backend.component_token(&ticket).await;
    let c = backend.appid.clone();
    wxjava_writes_component(&redis, &c, &ticket, &token, expires_in);
    Fixture {
        redis,
        sb,
        c,
        token,
    }
}

impl Fixture {
    async fn console(
        &self,
        url: &str,
        password: Option<&str>,
        options: ConsoleOptions,
    ) -> SharedConsole {
        let mut spec = ConsoleSpec::new(&self.sb, wxjava(url, true));
        spec.redis_password = password;
        spec.appsecret = true;
        spec.options = options;
        shared_console(spec).await
    }

    /// Only the backend's one fetch, ever; nothing in SQLite's token tables.
    fn assert_nothing_fetched_or_stored(&self, team: &SharedConsole) {
        let ctl = self.sb.control();
        assert_eq!(
            ctl.call_count(TOKEN_PATH),
            1,
            "the console fetched a component token"
        );
        assert_eq!(
            ctl.call_count(AUTHORIZER_TOKEN_PATH),
            0,
            "the console fetched an authorizer token"
        );
        assert!(team
            .console
            .store()
            .component_token_get(team.rt.id())
            .unwrap()
            .is_none());
    }
}

/// The error as IPC and `--json` carry it: code, the thing named, a hint; no secret anywhere.
fn assert_clear(err: &CoreError, names: &str, secrets: &[&str]) {
    let body = err.body();
    assert_eq!(body.code, ErrorCode::SharedStore, "{err}");
    assert!(
        body.message.contains(names),
        "{names:?} not named: {}",
        body.message
    );
    assert!(
        body.hint.as_deref().is_some_and(|h| h.len() > 20),
        "no hint: {err}"
    );
    let shown = format!("{} {err:?} {}", serde_json::to_string(&body).unwrap(), err);
    for s in secrets {
        assert!(!shown.contains(s), "a secret is in the error: {shown}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn redis_going_down_mid_session_is_unreachable_and_coming_back_works_again() {
    let mut f = fixture(None).await;
    let every_call_reads = ConsoleOptions {
        shared_read_secs: 0,
        ..options()
    };
    let team = f.console(&f.redis.url(), None, every_call_reads).await;
    assert_eq!(
        team.console
            .component_token(&team.rt)
            .await
            .unwrap()
            .token
            .expose(),
        &f.token
    );
    f.redis.kill();
    let err = team.console.component_token(&team.rt).await.unwrap_err();
    assert!(
        matches!(
            err,
            CoreError::Shared(
                SharedStoreError::Unreachable { .. } | SharedStoreError::Timeout { .. }
            )
        ),
        "{err}"
    );
    assert_clear(&err, &f.redis.url(), &[&f.token]);
    assert!(err.body().hint.unwrap().contains("runs"));
    // A refresh with writes allowed does not fetch either: it cannot take the lock.
    let err = team
        .console
        .refresh_component_token(&team.rt)
        .await
        .unwrap_err();
    assert_clear(&err, &f.redis.url(), &[&f.token]);
    f.assert_nothing_fetched_or_stored(&team);

    // The server is back (empty: no persistence) and the backend writes its token again.
    f.redis.restart();
    f.redis
        .cli(&["SET", &wx::component_token(&f.c), &f.token, "EX", "7000"]);
    let again = team.console.component_token(&team.rt).await;
    assert_eq!(
        again.unwrap().token.expose(),
        &f.token,
        "no recovery on the same port"
    );
    f.assert_nothing_fetched_or_stored(&team);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wrong_or_missing_password_is_an_auth_error_that_never_shows_it() {
    let f = fixture(Some(PASSWORD)).await;
    for given in [Some("wrong-Password-0042"), None] {
        let team = f.console(&f.redis.url(), given, options()).await;
        let err = team.console.component_token(&team.rt).await.unwrap_err();
        assert!(
            matches!(err, CoreError::Shared(SharedStoreError::Auth { .. })),
            "{err}"
        );
        assert_clear(
            &err,
            &f.redis.url(),
            &[PASSWORD, "wrong-Password-0042", &f.token],
        );
        assert!(err.body().hint.unwrap().contains("password"));
        f.assert_nothing_fetched_or_stored(&team);
    }
    // The right one from the keychain works.
    let team = f.console(&f.redis.url(), Some(PASSWORD), options()).await;
    assert_eq!(
        team.console
            .component_token(&team.rt)
            .await
            .unwrap()
            .token
            .expose(),
        &f.token
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wrong_database_is_named_and_an_empty_one_names_the_missing_key() {
    let f = fixture(None).await;
    let before = f.redis.snapshot();
    let team = f.console(&f.redis.url_db(99), None, options()).await;
    let err = team.console.component_token(&team.rt).await.unwrap_err();
    assert!(
        matches!(err, CoreError::Shared(SharedStoreError::Database { .. })),
        "{err}"
    );
    assert_clear(&err, &f.redis.url_db(99), &[&f.token]);
    assert!(err.body().hint.unwrap().contains("database number"));
    f.assert_nothing_fetched_or_stored(&team);

    // Database 5 exists but the backend writes to 0: the key is named, with what to check.
    let team = f.console(&f.redis.url_db(5), None, options()).await;
    let err = team.console.component_token(&team.rt).await.unwrap_err();
    let key = wx::component_token(&f.c);
    assert!(
        matches!(&err, CoreError::Shared(SharedStoreError::Missing { key: k }) if *k == key),
        "{err}"
    );
    assert_clear(&err, &key, &[&f.token]);
    assert!(err.body().hint.unwrap().contains("never fetches"));
    // Refreshing there (writes allowed) would need the ticket: missing too, and nothing fetched.
    let err = team
        .console
        .refresh_component_token(&team.rt)
        .await
        .unwrap_err();
    assert_clear(&err, &wx::ticket(&f.c), &[&f.token]);
    f.assert_nothing_fetched_or_stored(&team);
    assert_eq!(f.redis.snapshot(), before);
    assert_eq!(f.redis.cli(&["-n", "5", "DBSIZE"]), "0");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn missing_and_expired_keys_are_named_and_never_fetched_around() {
    let f = fixture(None).await;
    let team = f.console(&f.redis.url(), None, options()).await;
    let (a, _) = Backend::new(&f.sb).authorizers(&f.token, 2).await.remove(0);
    let at_key = wx::authorizer_token(&f.c, &a);
    // The backend never wrote this account's token.
    let err = team.console.open_get(&team.rt, &a).await.unwrap_err();
    assert!(
        matches!(&err, CoreError::Shared(SharedStoreError::Missing { key }) if *key == at_key),
        "{err}"
    );
    assert_clear(&err, &at_key, &[&f.token]);
    // Written without a TTL: expired by WxJava's own rule (its SDK refetches it).
    f.redis.cli(&["SET", &at_key, "AUTHORIZER_TOKEN_NO_TTL"]);
    let err = team.console.open_get(&team.rt, &a).await.unwrap_err();
    assert!(
        matches!(&err, CoreError::Shared(SharedStoreError::Expired { key, ttl }) if *key == at_key && ttl == "none"),
        "{err}"
    );
    assert_clear(&err, &at_key, &["AUTHORIZER_TOKEN_NO_TTL"]);
    // Under two seconds left (PTTL 1999 ms: TTL 1 s, then 0 s): TTL < 2 is expired too.
    let ct_key = wx::component_token(&f.c);
    let fresh = f.console(&f.redis.url(), None, options()).await;
    f.redis.cli(&["PEXPIRE", &ct_key, "1999"]);
    let err = fresh.console.component_token(&fresh.rt).await.unwrap_err();
    assert!(
        matches!(&err, CoreError::Shared(SharedStoreError::Expired { key, .. }) if *key == ct_key),
        "{err}"
    );
    assert_clear(&err, &ct_key, &[&f.token]);
    f.assert_nothing_fetched_or_stored(&team);
    f.assert_nothing_fetched_or_stored(&fresh);
    assert!(team
        .console
        .store()
        .authorizer_token_get(team.rt.id(), &a)
        .unwrap()
        .is_none());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn malformed_values_are_named_with_the_format_expected() {
    let f = fixture(None).await;
    let key = wx::component_token(&f.c);
    let cases: [(&[u8], IsExpected); 3] = [
        // Redisson's codec bytes (not text).
        (&[0x03, 0xde, 0x02, 0xff, 0x80], |e| {
            matches!(e, ValueError::NotText { .. })
        }),
        // A JSON string under WxJava's raw layout (wechatpy's json.dumps).
        (b"\"QUOTED_TOKEN_1234\"", |e| {
            matches!(e, ValueError::Malformed { .. })
        }),
        // A truncated or hand-edited value: no token holds whitespace.
        (b"TOKEN PART", |e| matches!(e, ValueError::Malformed { .. })),
    ];
    for (value, expected) in cases {
        f.redis.set_bytes(&key, value, Some(7000));
        let team = f.console(&f.redis.url(), None, options()).await;
        let before = f.redis.snapshot();
        let err = team.console.component_token(&team.rt).await.unwrap_err();
        assert!(
            matches!(&err, CoreError::Shared(SharedStoreError::Malformed { key: k, source }) if *k == key && expected(source)),
            "{err}"
        );
        assert_clear(&err, &key, &["QUOTED_TOKEN_1234", &f.token]);
        assert!(err.body().hint.unwrap().contains("value format"));
        // A refresh is refused as well: the token there cannot be compared, so nothing is replaced.
        let err = team
            .console
            .refresh_component_token(&team.rt)
            .await
            .unwrap_err();
        assert!(
            matches!(err, CoreError::Shared(SharedStoreError::Malformed { .. })),
            "{err}"
        );
        assert_eq!(f.redis.snapshot(), before);
        f.assert_nothing_fetched_or_stored(&team);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_lock_held_past_the_wait_is_named_and_nothing_is_written() {
    let f = fixture(None).await;
    // Someone took WxJava's lock the Jedis way (no TTL) and died.
    f.redis.cli(&["SET", wx::COMPONENT_LOCK, "1733234567000"]);
    let short_wait = ConsoleOptions {
        shared_lock_wait_secs: 1,
        ..options()
    };
    let team = f.console(&f.redis.url(), None, short_wait).await;
    let before = f.redis.snapshot();
    let err = team
        .console
        .refresh_component_token(&team.rt)
        .await
        .unwrap_err();
    assert!(
        matches!(&err, CoreError::Shared(SharedStoreError::LockHeld { key, waited_secs: 1, .. }) if key == wx::COMPONENT_LOCK),
        "{err}"
    );
    assert_clear(&err, wx::COMPONENT_LOCK, &[&f.token]);
    assert!(err.to_string().contains("never runs out"), "{err}");
    assert!(err.body().hint.unwrap().contains("deleted on the backend"));
    assert_eq!(
        f.redis.snapshot(),
        before,
        "something was written under a lock not held"
    );
    assert_eq!(f.redis.cli(&["GET", wx::COMPONENT_LOCK]), "1733234567000");
    f.assert_nothing_fetched_or_stored(&team);
    // Borrowing does not need the lock: the backend's token is still read.
    assert_eq!(
        team.console
            .component_token(&team.rt)
            .await
            .unwrap()
            .token
            .expose(),
        &f.token
    );
}
