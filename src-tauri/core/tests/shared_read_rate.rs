//! A borrowed token is read from Redis at most once per key per read interval, however many
//! calls use it (a details sync makes one call per account), and it is kept no longer than the
//! key's TTL says it lives. Counted by the real redis-server (`INFO commandstats`).

mod service_support;

use std::net::TcpListener;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use service_support::*;
use wxopen_core::secrets::SecretStore;
use wxopen_core::service::profiles::{ProfileInput, SharedInput};
use wxopen_core::service::sync::SyncOptions;
use wxopen_core::service::{CancelToken, Console, ConsoleOptions};
use wxopen_core::shared_store::{LayoutChoice, Preset, RedisSource, SharedSource};

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
            .spawn()
            .expect("redis-server (make test's bootstrap installs it)");
        let deadline = Instant::now() + Duration::from_secs(10);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(Instant::now() < deadline, "redis-server did not start");
            std::thread::yield_now();
        }
        Redis { child, port }
    }

    fn cli(&self, args: &[&str]) -> String {
        let out = Command::new("redis-cli")
            .args(["-p", &self.port.to_string()])
            .args(args)
            .output()
            .expect("redis-cli");
        assert!(out.status.success());
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// How many GET commands the server has run.
    fn gets(&self) -> u64 {
        self.cli(&["INFO", "commandstats"])
            .lines()
            .find_map(|l| l.strip_prefix("cmdstat_get:calls="))
            .and_then(|rest| rest.split(',').next())
            .and_then(|n| n.parse().ok())
            .unwrap_or(0)
    }
}

impl Drop for Redis {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

async fn shared_console(e: &Env, redis: &Redis, read_secs: u64) -> Console {
    let dir = Box::leak(Box::new(tempfile::tempdir().unwrap()));
    let console = Console::with_options(
        wxopen_core::store::Store::open(dir.path()).unwrap(),
        e.secrets.clone() as Arc<dyn SecretStore>,
        ConsoleOptions {
            shared_read_secs: read_secs,
            ..Default::default()
        },
    );
    console
        .profile_add(ProfileInput {
            name: "shared".into(),
            component_appid: e.rt.appid().into(),
            api_base: Some(e.sandbox.base_url()),
            shared: Some(SharedInput {
                source: SharedSource::Redis(RedisSource {
                    url: format!("redis://127.0.0.1:{}/0", redis.port),
                    layout: LayoutChoice::Preset {
                        preset: Preset::Wxjava,
                        prefix: None,
                    },
                    writes: false,
                    ca_file: None,
                }),
                redis_password: None,
                header_value: None,
            }),
            ..Default::default()
        })
        .unwrap();
    console
}

#[tokio::test]
async fn a_details_sync_reads_the_component_token_once_per_interval() {
    let e = env(60).await;
    let redis = Redis::start();
    let token = e.console.component_token(&e.rt).await.unwrap();
    let key = format!("wechat_component_access_token:{}", e.rt.appid());
    redis.cli(&["SET", &key, token.token.expose(), "EX", "7000"]);

    let console = shared_console(&e, &redis, 3600).await;
    let rt = console.profile(Some("shared")).await.unwrap();
    let before = redis.gets();
    let out = console
        .sync_authorizers(
            &rt,
            SyncOptions {
                details: true,
                concurrency: Some(8),
                restart: false,
            },
            None,
            CancelToken::new(),
        )
        .await
        .unwrap();
    assert_eq!(out.run.details_done, 60);
    // One list page and 60 info calls, all with the component token: one read.
    assert_eq!(redis.gets() - before, 1);

    // With no interval every use reads again: the count above is the cache's doing.
    let eager = shared_console(&e, &redis, 0).await;
    let rt = eager.profile(Some("shared")).await.unwrap();
    let before = redis.gets();
    for _ in 0..5 {
        eager.component_token(&rt).await.unwrap();
    }
    assert_eq!(redis.gets() - before, 5);
}

#[tokio::test]
async fn a_borrowed_token_is_kept_no_longer_than_its_ttl() {
    let e = env(3).await;
    let redis = Redis::start();
    let token = e.console.component_token(&e.rt).await.unwrap();
    let key = format!("wechat_component_access_token:{}", e.rt.appid());
    // Three seconds left on the backend's key (WxJava treats < 2 s as expired).
    redis.cli(&["SET", &key, token.token.expose(), "EX", "3"]);
    let console = shared_console(&e, &redis, 3600).await;
    let rt = console.profile(Some("shared")).await.unwrap();
    let borrowed = console.component_token(&rt).await.unwrap();
    assert!(borrowed.expires_at <= wxopen_core::clock::now() + 3);
    // Once the key is gone, the next use reads again (and says so), the long interval
    // notwithstanding. Bounded wait on the real condition: the key expiring in Redis.
    let deadline = Instant::now() + Duration::from_secs(10);
    while redis.cli(&["EXISTS", &key]).trim() != "0" {
        assert!(Instant::now() < deadline, "the key did not expire");
        // Polling a real condition (the server's own expiry), not a guessed delay.
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    while wxopen_core::clock::now() < borrowed.expires_at {
        assert!(
            Instant::now() < deadline,
            "the clock did not pass the expiry"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let err = console.component_token(&rt).await.unwrap_err();
    assert!(err.to_string().contains(&key), "{err}");
}
