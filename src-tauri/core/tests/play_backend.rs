//! The sandbox playing a platform's backend (`service::play_backend`): against an in-process
//! simulator over loopback HTTP and a real `redis-server` of the test's own, it writes each
//! SDK's keys with that SDK's value format and TTLs, skips what the layout does not keep, and
//! refreshes a token only when its key is about to expire, under the backend's lock.

use std::net::TcpListener;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use wxopen_core::service::play_backend::{
    PlayBackend, PlayReport, PlaySettings, DEFAULT_REFRESH_LEAD_SECS,
};
use wxopen_core::shared_store::{Item, Preset, RedisTarget};
use wxopen_sandbox::{Sandbox, SandboxConfig};

const TOKEN_PATH: &str = "/cgi-bin/component/api_component_token";
const AUTH_TOKEN_PATH: &str = "/cgi-bin/component/api_authorizer_token";

struct Redis {
    child: Child,
    port: u16,
}

impl Redis {
    fn start() -> Redis {
        let port = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let child = Command::new("redis-server")
            .args(["--port", &port.to_string(), "--bind", "127.0.0.1"])
            .args(["--save", "", "--appendonly", "no"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("redis-server (Debian: redis-server; make test's bootstrap installs it)");
        let redis = Redis { child, port };
        let deadline = Instant::now() + Duration::from_secs(10);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(Instant::now() < deadline, "redis-server did not start");
            std::thread::yield_now();
        }
        redis
    }

    fn url(&self) -> String {
        format!("redis://127.0.0.1:{}/0", self.port)
    }

    /// `redis-cli ARGS`, its answer trimmed (what another process sees).
    fn cli(&self, args: &[&str]) -> String {
        let out = Command::new("redis-cli")
            .args(["-p", &self.port.to_string()])
            .args(args)
            .output()
            .expect("redis-cli (Debian: redis-tools)");
        assert!(out.status.success(), "redis-cli {args:?}");
        String::from_utf8(out.stdout).unwrap().trim().to_owned()
    }

    fn ttl(&self, key: &str) -> i64 {
        self.cli(&["TTL", key]).parse().unwrap()
    }
}

impl Drop for Redis {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

async fn sandbox() -> Sandbox {
    Sandbox::start(SandboxConfig {
        authorizers: 12,
        ..SandboxConfig::default()
    })
    .await
    .unwrap()
}

async fn play(sb: &Sandbox, redis: &Redis, preset: Preset, lead: i64) -> PlayBackend {
    play_prefixed(sb, redis, preset, None, lead).await
}

async fn play_prefixed(
    sb: &Sandbox,
    redis: &Redis,
    preset: Preset,
    prefix: Option<&str>,
    lead: i64,
) -> PlayBackend {
    let c = sb.credentials();
    let control = sb.control();
    PlayBackend::connect(
        PlaySettings {
            api_base: sb.base_url(),
            component_appid: c.component_appid.clone(),
            appsecret: c.appsecret.clone(),
            preset,
            prefix: prefix.map(str::to_owned),
            authorizers: Some(3),
            refresh_lead_secs: lead,
            lock_wait: Duration::from_millis(300),
        },
        RedisTarget {
            url: &redis.url(),
            password: None,
            ca_pem: None,
            timeout: Duration::from_secs(5),
        },
        Arc::new(move || control.issue_ticket()),
    )
    .await
    .unwrap()
}

fn keys_of(r: &PlayReport, item: Item) -> Vec<String> {
    r.written
        .iter()
        .filter(|k| k.item == item)
        .map(|k| k.key.clone())
        .collect()
}

#[tokio::test]
async fn wxjava_keys_as_its_storage_writes_them_and_refreshed_only_when_due() {
    let (sb, redis) = (sandbox().await, Redis::start());
    let ctl = sb.control();
    let appid = sb.credentials().component_appid.clone();
    let backend = play(&sb, &redis, Preset::Wxjava, DEFAULT_REFRESH_LEAD_SECS).await;
    let first = backend.write_all().await.unwrap();
    assert!(first.not_kept.is_empty(), "WxJava keeps all four items");
    let ct_key = format!("wechat_component_access_token:{appid}");
    let ticket_key = format!("wechat_component_verify_ticket:{appid}");
    assert_eq!(keys_of(&first, Item::ComponentToken), [ct_key.as_str()]);
    assert_eq!(keys_of(&first, Item::Ticket), [ticket_key.as_str()]);
    let tokens = keys_of(&first, Item::AuthorizerToken);
    assert_eq!(tokens.len(), 3, "--backend-authorizers 3");
    assert_eq!(keys_of(&first, Item::AuthorizerRefreshToken).len(), 3);

    // Raw strings; TTL expires_in - 200; the ticket for Integer.MAX_VALUE s; refresh tokens none.
    let ct = redis.cli(&["GET", &ct_key]);
    assert!(!ct.starts_with('"') && ct.len() > 32, "{ct}");
    assert!((6990..=7000).contains(&redis.ttl(&ct_key)));
    assert!(redis.ttl(&ticket_key) > 2_147_483_000);
    assert!(redis.cli(&["GET", &ticket_key]).starts_with("ticket@@@"));
    for k in &tokens {
        assert!((6990..=7000).contains(&redis.ttl(k)), "{k}");
        let a = k.rsplit(':').next().unwrap();
        let rk = format!("wechat_authorizer_refresh_token:{appid}:{a}");
        assert_eq!(redis.ttl(&rk), -1, "{rk}: no TTL");
        assert!(redis.cli(&["GET", &rk]).starts_with("refreshtoken@@@"));
    }
    // The locks were given back.
    assert_eq!(redis.cli(&["EXISTS", "componentAccessTokenLock"]), "0");
    assert_eq!(ctl.call_count(TOKEN_PATH), 1);
    assert_eq!(ctl.call_count(AUTH_TOKEN_PATH), 3);

    // Nothing is due: a check writes nothing and fetches nothing.
    let idle = backend.tick().await.unwrap();
    assert!(idle.written.is_empty(), "{:?}", idle.written);
    assert_eq!(ctl.call_count(TOKEN_PATH), 1);

    // The component token's key about to expire (and one authorizer's gone): those two only.
    redis.cli(&["EXPIRE", &ct_key, "100"]);
    redis.cli(&["DEL", &tokens[1]]);
    let due = backend.tick().await.unwrap();
    assert_eq!(keys_of(&due, Item::ComponentToken), [ct_key.as_str()]);
    assert_eq!(keys_of(&due, Item::AuthorizerToken), [tokens[1].as_str()]);
    assert_eq!(ctl.call_count(TOKEN_PATH), 2);
    assert_eq!(ctl.call_count(AUTH_TOKEN_PATH), 4);
    let new_ct = redis.cli(&["GET", &ct_key]);
    assert_ne!(new_ct, ct);
    assert!((6990..=7000).contains(&redis.ttl(&ct_key)));
    // The new authorizer token was fetched with the new component token.
    assert_eq!(
        sb.control().calls_on(AUTH_TOKEN_PATH).tokens.get(&new_ct),
        Some(&1)
    );
    sb.shutdown().await;
}

#[tokio::test]
async fn a_token_someone_else_refreshed_is_kept() {
    let (sb, redis) = (sandbox().await, Redis::start());
    let appid = sb.credentials().component_appid.clone();
    let backend = play(&sb, &redis, Preset::Wxjava, DEFAULT_REFRESH_LEAD_SECS).await;
    backend.write_all().await.unwrap();
    // Another service (a console with writes allowed) wrote a fresh token meanwhile.
    let ct_key = format!("wechat_component_access_token:{appid}");
    redis.cli(&["SET", &ct_key, "SOMEONE_ELSES_TOKEN_1234", "EX", "7000"]);
    let r = backend.tick().await.unwrap();
    assert!(r.written.is_empty(), "{:?}", r.written);
    assert_eq!(redis.cli(&["GET", &ct_key]), "SOMEONE_ELSES_TOKEN_1234");
    assert_eq!(sb.control().call_count(TOKEN_PATH), 1);
    sb.shutdown().await;
}

#[tokio::test]
async fn wechatpy_and_silenceper_layouts() {
    let (sb, redis) = (sandbox().await, Redis::start());
    let appid = sb.credentials().component_appid.clone();
    let w = play(&sb, &redis, Preset::Wechatpy, DEFAULT_REFRESH_LEAD_SECS).await;
    let r = w.write_all().await.unwrap();
    // wechatpy 2.x RedisStorage: `{prefix}:{key}`, json.dumps'ed, TTL expires_in, ticket none.
    let ct_key = format!("wechatpy:{appid}_component_access_token");
    let ticket_key = format!("wechatpy:{appid}_component_verify_ticket");
    assert_eq!(keys_of(&r, Item::ComponentToken), [ct_key.as_str()]);
    let ct = redis.cli(&["GET", &ct_key]);
    assert!(ct.starts_with('"') && ct.ends_with('"'), "{ct}");
    assert!((7190..=7200).contains(&redis.ttl(&ct_key)));
    assert_eq!(redis.ttl(&ticket_key), -1);
    assert!(redis.cli(&["GET", &ticket_key]).starts_with("\"ticket@@@"));
    for k in keys_of(&r, Item::AuthorizerToken) {
        assert!(
            k.starts_with("wechatpy:wx") && k.ends_with("_access_token"),
            "{k}"
        );
        assert!((7190..=7200).contains(&redis.ttl(&k)));
    }
    for k in keys_of(&r, Item::AuthorizerRefreshToken) {
        assert_eq!(redis.ttl(&k), -1);
        assert!(redis.cli(&["GET", &k]).starts_with("\"refreshtoken@@@"));
    }

    redis.cli(&["FLUSHALL"]);
    let s = play(&sb, &redis, Preset::Silenceper, DEFAULT_REFRESH_LEAD_SECS).await;
    let r = s.write_all().await.unwrap();
    // No ticket and no refresh token: the application keeps them, not the SDK.
    assert_eq!(r.not_kept, [Item::Ticket, Item::AuthorizerRefreshToken]);
    assert!(keys_of(&r, Item::Ticket).is_empty());
    let ct_key = format!("component_access_token_{appid}");
    assert!(
        (5690..=5700).contains(&redis.ttl(&ct_key)),
        "expires_in - 1500"
    );
    for k in keys_of(&r, Item::AuthorizerToken) {
        assert!(k.starts_with("authorizer_access_token_wx"), "{k}");
        assert!((7160..=7170).contains(&redis.ttl(&k)), "expires_in - 30");
    }
    assert_eq!(
        redis.cli(&["DBSIZE"]),
        "4",
        "one component and three authorizer tokens"
    );
    sb.shutdown().await;
}

#[tokio::test]
async fn the_backends_key_prefix_is_used() {
    let (sb, redis) = (sandbox().await, Redis::start());
    let appid = sb.credentials().component_appid.clone();
    let b = play_prefixed(&sb, &redis, Preset::Wxjava, Some("wx:open"), 300).await;
    let r = b.write_all().await.unwrap();
    assert_eq!(
        keys_of(&r, Item::ComponentToken),
        [format!("wx:open:wechat_component_access_token:{appid}")]
    );
    assert!(r.written.iter().all(|k| k.key.starts_with("wx:open:")));
    redis.cli(&["FLUSHALL"]);
    let b = play_prefixed(&sb, &redis, Preset::Wechatpy, Some("myapp"), 300).await;
    b.write_all().await.unwrap();
    let ct_key = format!("myapp:{appid}_component_access_token");
    assert!((7190..=7200).contains(&redis.ttl(&ct_key)));
    sb.shutdown().await;
}

#[tokio::test]
async fn a_refresh_waits_for_the_backends_lock_and_gives_up_without_fetching() {
    let (sb, redis) = (sandbox().await, Redis::start());
    let appid = sb.credentials().component_appid.clone();
    let b = play(&sb, &redis, Preset::Wxjava, DEFAULT_REFRESH_LEAD_SECS).await;
    b.write_all().await.unwrap();
    let ct_key = format!("wechat_component_access_token:{appid}");
    let before = redis.cli(&["GET", &ct_key]);
    // Another WxJava instance is refreshing (Jedis' lock: no TTL) while the key runs out.
    redis.cli(&["SET", "componentAccessTokenLock", "4102444800000"]);
    redis.cli(&["EXPIRE", &ct_key, "100"]);
    let err = b.tick().await.unwrap_err();
    assert_eq!(
        err.body().code,
        wxopen_core::error::ErrorCode::SharedStore,
        "{err}"
    );
    assert!(
        err.to_string().contains("componentAccessTokenLock"),
        "{err}"
    );
    assert_eq!(redis.cli(&["GET", &ct_key]), before, "nothing written");
    assert_eq!(sb.control().call_count(TOKEN_PATH), 1, "nothing fetched");
    assert_eq!(
        redis.cli(&["GET", "componentAccessTokenLock"]),
        "4102444800000"
    );
    // Once the holder lets go, the next check refreshes.
    redis.cli(&["DEL", "componentAccessTokenLock"]);
    let r = b.tick().await.unwrap();
    assert_eq!(keys_of(&r, Item::ComponentToken), [ct_key.as_str()]);
    assert_eq!(sb.control().call_count(TOKEN_PATH), 2);
    sb.shutdown().await;
}
