//! Team mode, *Refresh in the shared store*: two consoles with writes allowed and one backend
//! following WxJava's protocol refresh the same token at the same moment. The lock and the
//! re-read under it make it one fetch on the simulator, and everybody ends with the token that
//! is in Redis. A read-only profile writes nothing and fetches nothing.

mod redis_support;

use std::time::Duration;

use redis::aio::MultiplexedConnection;
use redis_support::*;
use wxopen_core::error::CoreError;
use wxopen_core::shared_store::SharedStoreError;
use wxopen_sandbox::{Sandbox, SandboxConfig};

/// WxJava's token-refresh protocol against Redis, as a backend runs it (what
/// `WxOpenComponentServiceImpl.getComponentAccessToken` does with a RedisTemplate lock).
struct BackendScript {
    con: MultiplexedConnection,
}

impl BackendScript {
    async fn connect(redis: &Redis) -> BackendScript {
        let client = redis::Client::open(redis.url()).unwrap();
        BackendScript {
            con: client.get_multiplexed_async_connection().await.unwrap(),
        }
    }

    async fn get(&mut self, key: &str) -> Option<String> {
        redis::cmd("GET")
            .arg(key)
            .query_async(&mut self.con)
            .await
            .unwrap()
    }

    /// `SET lock <ms> NX PX 60000`, polled as RedisTemplate's lock polls (the protocol's wait).
    async fn lock(&mut self, key: &str) -> String {
        let value = (wxopen_core::clock::now() * 1000 + 60_001).to_string() + "-backend";
        // The consoles hold it for one fetch at most: a lock never given back fails the test.
        let deadline = std::time::Instant::now() + Duration::from_secs(30);
        loop {
            let set: Option<String> = redis::cmd("SET")
                .arg(key)
                .arg(&value)
                .arg("NX")
                .arg("PX")
                .arg(60_000)
                .query_async(&mut self.con)
                .await
                .unwrap();
            if set.is_some() {
                return value;
            }
            assert!(std::time::Instant::now() < deadline, "{key} never released");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Lua compare-and-delete (`RedisTemplateSimpleDistributedLock.unlock`).
    async fn unlock(&mut self, key: &str, value: &str) {
        let _: i64 = redis::Script::new(
            "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) else return 0 end",
        )
        .key(key)
        .arg(value)
        .invoke_async(&mut self.con)
        .await
        .unwrap();
    }

    /// Lock, re-read, fetch only if the token is still `old`, `SET key v EX expires_in-200`, unlock.
    async fn refresh_component(
        &mut self,
        backend: &Backend,
        c: &str,
        ticket: &str,
        old: &str,
    ) -> String {
        let lock = self.lock(wx::COMPONENT_LOCK).await;
        let key = wx::component_token(c);
        let token = match self.get(&key).await {
            Some(now_there) if now_there != old => now_there,
            _ => {
                let (t, expires_in) = backend.component_token(ticket).await;
                let _: () = redis::cmd("SET")
                    .arg(&key)
                    .arg(&t)
                    .arg("EX")
                    .arg(expires_in - 200)
                    .query_async(&mut self.con)
                    .await
                    .unwrap();
                t
            }
        };
        self.unlock(wx::COMPONENT_LOCK, &lock).await;
        token
    }

    /// The same for an authorizer (`{appid}:accessTokenLock`), with the refresh token from Redis;
    /// the refresh token returned is written back without TTL, as WxJava does.
    async fn refresh_authorizer(
        &mut self,
        backend: &Backend,
        c: &str,
        a: &str,
        old: &str,
    ) -> String {
        let lock_key = wx::authorizer_lock(a);
        let lock = self.lock(&lock_key).await;
        let key = wx::authorizer_token(c, a);
        let token = match self.get(&key).await {
            Some(now_there) if now_there != old => now_there,
            _ => {
                let ct = self.get(&wx::component_token(c)).await.unwrap();
                let refresh = self.get(&wx::refresh_token(c, a)).await.unwrap();
                let (t, expires_in, new_refresh) = backend.authorizer_token(&ct, a, &refresh).await;
                let _: () = redis::pipe()
                    .cmd("SET")
                    .arg(&key)
                    .arg(&t)
                    .arg("EX")
                    .arg(expires_in - 200)
                    .ignore()
                    .cmd("SET")
                    .arg(wx::refresh_token(c, a))
                    .arg(&new_refresh)
                    .ignore()
                    .query_async(&mut self.con)
                    .await
                    .unwrap();
                t
            }
        };
        self.unlock(&lock_key, &lock).await;
        token
    }
}

struct Setup {
    redis: Redis,
    sb: Sandbox,
    backend: Backend,
    c: String,
    ticket: String,
    token: String,
}

async fn setup() -> Setup {
    let redis = Redis::start();
    let sb = Sandbox::start(SandboxConfig {
        authorizers: 3,
        ..Default::default()
    })
    .await
    .unwrap();
    let backend = Backend::new(&sb);
    let c = backend.appid.clone();
    let ticket = sb.control().issue_ticket();
    let (token, expires_in) = backend.component_token(&ticket).await;
    wxjava_writes_component(&redis, &c, &ticket, &token, expires_in);
    Setup {
        redis,
        sb,
        backend,
        c,
        ticket,
        token,
    }
}

/// A console allowed to write (it has the appsecret: a refresh fetches).
async fn writer(s: &Setup) -> SharedConsole {
    let mut spec = ConsoleSpec::new(&s.sb, wxjava(&s.redis.url(), true));
    spec.appsecret = true;
    shared_console(spec).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_consoles_and_the_backend_refresh_the_component_token_at_once_one_fetch() {
    let s = setup().await;
    let ctl = s.sb.control();
    let (one, two) = (writer(&s).await, writer(&s).await);
    let mut script = BackendScript::connect(&s.redis).await;
    // Everybody holds the old token before anybody refreshes.
    for team in [&one, &two] {
        let t = team.console.component_token(&team.rt).await.unwrap();
        assert_eq!(t.token.expose(), &s.token);
    }
    let old = script.get(&wx::component_token(&s.c)).await.unwrap();
    assert_eq!(old, s.token);
    assert_eq!(ctl.call_count(TOKEN_PATH), 1);

    let (r1, r2, by_backend) = tokio::join!(
        one.console.refresh_component_token(&one.rt),
        two.console.refresh_component_token(&two.rt),
        script.refresh_component(&s.backend, &s.c, &s.ticket, &old),
    );
    r1.unwrap();
    r2.unwrap();
    assert_eq!(ctl.call_count(TOKEN_PATH), 2, "exactly one refresh fetched");
    let in_redis = s.redis.get(&wx::component_token(&s.c)).unwrap();
    assert_ne!(in_redis, old);
    assert_eq!(by_backend, in_redis);
    for team in [&one, &two] {
        let t = team.console.component_token(&team.rt).await.unwrap();
        assert_eq!(t.token.expose(), &in_redis);
    }
    // Written as WxJava writes it (TTL expires_in - 200), the lock released, SQLite untouched.
    let ttl = s.redis.ttl(&wx::component_token(&s.c));
    assert!((7000 - 60..=7000).contains(&ttl), "TTL {ttl}");
    assert_eq!(s.redis.cli(&["EXISTS", wx::COMPONENT_LOCK]), "0");
    for team in [&one, &two] {
        assert!(team
            .console
            .store()
            .component_token_get(team.rt.id())
            .unwrap()
            .is_none());
    }
    // And the new token works: a call on it succeeds.
    let (a, _) = s.backend.authorizers(&in_redis, 1).await.remove(0);
    one.console.authorizer_fetch(&one.rt, &a).await.unwrap();
    assert_eq!(ctl.call_count(TOKEN_PATH), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_consoles_and_the_backend_refresh_an_authorizer_token_at_once_one_fetch() {
    let s = setup().await;
    let ctl = s.sb.control();
    let (a, refresh) = s.backend.authorizers(&s.token, 3).await.remove(0);
    let (at, expires_in, _) = s.backend.authorizer_token(&s.token, &a, &refresh).await;
    s.redis.cli(&[
        "SET",
        &wx::authorizer_token(&s.c, &a),
        &at,
        "EX",
        &wx::token_ex(expires_in),
    ]);
    s.redis
        .cli(&["SET", &wx::refresh_token(&s.c, &a), &refresh]);
    let (one, two) = (writer(&s).await, writer(&s).await);
    let mut script = BackendScript::connect(&s.redis).await;
    for team in [&one, &two] {
        let t = team.console.authorizer_token(&team.rt, &a).await.unwrap();
        assert_eq!(t.token.expose(), &at);
        // Neither console has the refresh token yet: Redis has it.
        assert!(team
            .console
            .store()
            .authorizer_token_get(team.rt.id(), &a)
            .unwrap()
            .is_none());
    }
    let old = script.get(&wx::authorizer_token(&s.c, &a)).await.unwrap();
    assert_eq!(ctl.call_count(AUTHORIZER_TOKEN_PATH), 1);

    let (r1, r2, by_backend) = tokio::join!(
        one.console.refresh_authorizer_token(&one.rt, &a),
        two.console.refresh_authorizer_token(&two.rt, &a),
        script.refresh_authorizer(&s.backend, &s.c, &a, &old),
    );
    r1.unwrap();
    r2.unwrap();
    assert_eq!(
        ctl.call_count(AUTHORIZER_TOKEN_PATH),
        2,
        "exactly one refresh fetched"
    );
    assert_eq!(
        ctl.call_count(TOKEN_PATH),
        1,
        "nobody fetched a component token"
    );
    let in_redis = s.redis.get(&wx::authorizer_token(&s.c, &a)).unwrap();
    assert_ne!(in_redis, old);
    assert_eq!(by_backend, in_redis);
    for team in [&one, &two] {
        let t = team.console.authorizer_token(&team.rt, &a).await.unwrap();
        assert_eq!(t.token.expose(), &in_redis);
    }
    assert_eq!(s.redis.cli(&["EXISTS", &wx::authorizer_lock(&a)]), "0");
    // And the new token works on an authorizer call.
    one.console.open_get(&one.rt, &a).await.unwrap();
    two.console.open_get(&two.rt, &a).await.unwrap();

    // A refresh by a console alone fetches, and keeps the refresh token WeChat returned: in
    // SQLite (recovered there from Redis) and in the backend's refresh-token key (no TTL).
    one.console
        .refresh_authorizer_token(&one.rt, &a)
        .await
        .unwrap();
    assert_eq!(ctl.call_count(AUTHORIZER_TOKEN_PATH), 3);
    let newest = s.redis.get(&wx::authorizer_token(&s.c, &a)).unwrap();
    assert_ne!(newest, in_redis);
    assert_eq!(
        one.console
            .authorizer_token(&one.rt, &a)
            .await
            .unwrap()
            .token
            .expose(),
        &newest
    );
    let row = one
        .console
        .store()
        .authorizer_token_get(one.rt.id(), &a)
        .unwrap()
        .unwrap();
    assert_eq!(row.refresh_token.expose(), &refresh);
    assert!(
        row.access_token.is_none(),
        "the borrowed token went into SQLite"
    );
    assert_eq!(s.redis.get(&wx::refresh_token(&s.c, &a)).unwrap(), refresh);
    assert_eq!(s.redis.ttl(&wx::refresh_token(&s.c, &a)), -1);
    let ttl = s.redis.ttl(&wx::authorizer_token(&s.c, &a));
    assert!((7000 - 60..=7000).contains(&ttl), "TTL {ttl}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_read_only_profile_refuses_to_refresh_and_writes_nothing() {
    let s = setup().await;
    let ctl = s.sb.control();
    let (a, refresh) = s.backend.authorizers(&s.token, 3).await.remove(0);
    let (at, _, _) = s.backend.authorizer_token(&s.token, &a, &refresh).await;
    // TTLs below what a write would set (7000): a write could not hide.
    s.redis
        .cli(&["SET", &wx::component_token(&s.c), &s.token, "EX", "5000"]);
    s.redis
        .cli(&["SET", &wx::authorizer_token(&s.c, &a), &at, "EX", "5000"]);
    s.redis
        .cli(&["SET", &wx::refresh_token(&s.c, &a), &refresh]);
    let mut spec = ConsoleSpec::new(&s.sb, wxjava(&s.redis.url(), false));
    // Even with the appsecret at hand.
    spec.appsecret = true;
    let ro = shared_console(spec).await;
    let before = s.redis.snapshot();
    let fetches = (
        ctl.call_count(TOKEN_PATH),
        ctl.call_count(AUTHORIZER_TOKEN_PATH),
    );

    let err = ro
        .console
        .refresh_component_token(&ro.rt)
        .await
        .unwrap_err();
    assert!(
        matches!(err, CoreError::Shared(SharedStoreError::ReadOnly { .. })),
        "{err}"
    );
    assert_eq!(
        err.body()
            .hint
            .as_deref()
            .map(|h| h.contains("Allow writes")),
        Some(true)
    );
    let err = ro
        .console
        .refresh_authorizer_token(&ro.rt, &a)
        .await
        .unwrap_err();
    assert!(
        matches!(err, CoreError::Shared(SharedStoreError::ReadOnly { .. })),
        "{err}"
    );

    assert_eq!(
        s.redis.snapshot(),
        before,
        "a read-only profile wrote to Redis"
    );
    for key in [wx::component_token(&s.c), wx::authorizer_token(&s.c, &a)] {
        assert!(s.redis.ttl(&key) <= 5000, "{key} was written again");
    }
    assert_eq!(s.redis.ttl(&wx::refresh_token(&s.c, &a)), -1);
    assert_eq!(
        (
            ctl.call_count(TOKEN_PATH),
            ctl.call_count(AUTHORIZER_TOKEN_PATH)
        ),
        fetches
    );
    assert!(ro
        .console
        .store()
        .component_token_get(ro.rt.id())
        .unwrap()
        .is_none());
    assert!(ro
        .console
        .store()
        .authorizer_token_get(ro.rt.id(), &a)
        .unwrap()
        .is_none());
}
