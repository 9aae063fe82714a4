//! Reading a backend's items from a real `redis-server` (started per test on a free loopback
//! port, no persistence; `make test`'s bootstrap installs it), written the way each SDK writes
//! them: WxJava (plain strings, TTL `expires_in - 200`, refresh token without TTL), wechatpy
//! (`json.dumps`ed values, TTL `expires_in`).

use std::net::TcpListener;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use wxopen_core::shared_store::{
    Item, KeyLayout, Preset, RedisStore, SharedStoreError, ValueError,
};

const C: &str = "wx1111111111111111";
const A: &str = "wx2222222222222222";
const WAIT: Duration = Duration::from_secs(5);

/// A `redis-server` of this test's own, stopped on drop.
struct Redis {
    child: Child,
    port: u16,
}

impl Redis {
    fn start(password: Option<&str>) -> Redis {
        let port = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let mut cmd = Command::new("redis-server");
        cmd.args(["--port", &port.to_string(), "--bind", "127.0.0.1"])
            .args(["--save", "", "--appendonly", "no"])
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        if let Some(pw) = password {
            cmd.args(["--requirepass", pw]);
        }
        let child = cmd
            .spawn()
            .expect("redis-server (Debian: redis-server; make test's bootstrap installs it)");
        let redis = Redis { child, port };
        // Ready when it accepts a connection (bounded: a server that never comes up fails).
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

    /// `redis-cli ARGS` (what a backend does, from outside our client).
    fn cli(&self, password: Option<&str>, args: &[&str]) {
        let mut c = Command::new("redis-cli");
        c.args(["-p", &self.port.to_string()]);
        if let Some(pw) = password {
            c.args(["--no-auth-warning", "-a", pw]);
        }
        let out = c
            .args(args)
            .output()
            .expect("redis-cli (Debian: redis-tools)");
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(
            out.status.success() && !text.starts_with("(error)") && !text.starts_with("ERR"),
            "redis-cli {args:?}: {text}"
        );
    }
}

impl Drop for Redis {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[tokio::test]
async fn wxjava_keys_read_as_wxjava_wrote_them() {
    let redis = Redis::start(None);
    let layout = KeyLayout::preset(Preset::Wxjava, Some("wx:open"));
    let ct = layout.key(Item::ComponentToken, C, None).unwrap();
    let rt = layout
        .key(Item::AuthorizerRefreshToken, C, Some(A))
        .unwrap();
    // WxJava: setValue(key, token, expiresIn - 200, SECONDS); the refresh token without a TTL.
    redis.cli(None, &["SET", &ct, "COMPONENT_TOKEN_1234", "EX", "7000"]);
    redis.cli(None, &["SET", &rt, "refreshtoken@@@abcd"]);
    let r = RedisStore::connect(&redis.url(), None, WAIT)
        .await
        .unwrap();
    let got = r
        .read(&layout, Item::ComponentToken, C, None)
        .await
        .unwrap();
    assert_eq!(
        got.key,
        "wx:open:wechat_component_access_token:wx1111111111111111"
    );
    assert_eq!(got.stored.token, "COMPONENT_TOKEN_1234");
    assert!((6990..=7000).contains(&got.ttl_secs.unwrap()), "{got:?}");
    let refresh = r
        .read(&layout, Item::AuthorizerRefreshToken, C, Some(A))
        .await
        .unwrap();
    assert_eq!(refresh.stored.token, "refreshtoken@@@abcd");
    assert_eq!(refresh.ttl_secs, None);
    // A token key without a TTL is expired by WxJava's rule (TTL < 2): not borrowed.
    let at = layout.key(Item::AuthorizerToken, C, Some(A)).unwrap();
    redis.cli(None, &["SET", &at, "AUTHORIZER_TOKEN"]);
    let err = r
        .read(&layout, Item::AuthorizerToken, C, Some(A))
        .await
        .unwrap_err();
    assert!(
        matches!(&err, SharedStoreError::Expired { key, .. } if *key == at),
        "{err}"
    );
    // A key the backend never wrote is named exactly.
    let err = r.read(&layout, Item::Ticket, C, None).await.unwrap_err();
    assert_eq!(
        err,
        SharedStoreError::Missing {
            key: "wx:open:wechat_component_verify_ticket:wx1111111111111111".into()
        }
    );
    assert!(err.hint().contains("prefix"));
}

#[tokio::test]
async fn wechatpy_values_are_json_strings() {
    let redis = Redis::start(None);
    let layout = KeyLayout::preset(Preset::Wechatpy, None);
    let ct = layout.key(Item::ComponentToken, C, None).unwrap();
    // RedisStorage.set(key, json.dumps(value), ex=ttl)
    redis.cli(None, &["SET", &ct, "\"WECHATPY_TOKEN\"", "EX", "7200"]);
    let r = RedisStore::connect(&redis.url(), None, WAIT)
        .await
        .unwrap();
    let got = r
        .read(&layout, Item::ComponentToken, C, None)
        .await
        .unwrap();
    assert_eq!(got.stored.token, "WECHATPY_TOKEN");
    // The same value read with a raw layout would keep its quotes: refused, not borrowed.
    let raw = KeyLayout::preset(Preset::Wxjava, None);
    let raw_key = raw.key(Item::ComponentToken, C, None).unwrap();
    redis.cli(None, &["SET", &raw_key, "not a token", "EX", "7200"]);
    let err = r
        .read(&raw, Item::ComponentToken, C, None)
        .await
        .unwrap_err();
    assert!(
        matches!(
            &err,
            SharedStoreError::Malformed {
                source: ValueError::Malformed { .. },
                ..
            }
        ),
        "{err}"
    );
    // silenceper keeps no ticket: said so, not "missing".
    let none = KeyLayout::preset(Preset::Silenceper, None);
    assert_eq!(
        r.read(&none, Item::Ticket, C, None).await.unwrap_err(),
        SharedStoreError::NotKept { item: Item::Ticket }
    );
}

#[tokio::test]
async fn a_wrong_password_a_dead_server_and_a_password_in_the_url_are_clear_errors() {
    let redis = Redis::start(Some("s3cret-pw"));
    redis.cli(Some("s3cret-pw"), &["PING"]);
    let err = RedisStore::connect(&redis.url(), Some("wrong"), WAIT)
        .await
        .err()
        .expect("a wrong password is refused");
    assert!(matches!(err, SharedStoreError::Auth { .. }), "{err}");
    assert!(!err.to_string().contains("wrong"), "password shown: {err}");
    RedisStore::connect(&redis.url(), Some("s3cret-pw"), WAIT)
        .await
        .unwrap();
    let with_pw = format!("redis://:s3cret-pw@127.0.0.1:{}/0", redis.port);
    let err = RedisStore::connect(&with_pw, None, WAIT)
        .await
        .err()
        .unwrap();
    assert!(matches!(err, SharedStoreError::BadUrl { .. }), "{err}");
    let dead_port = redis.port;
    drop(redis);
    let err = RedisStore::connect(&format!("redis://127.0.0.1:{dead_port}/0"), None, WAIT)
        .await
        .err()
        .unwrap();
    assert!(matches!(err, SharedStoreError::Unreachable { .. }), "{err}");
    assert!(err.hint().contains("Redis runs"));
}
