//! A borrowed token is read from Redis at most once per key per read interval, however many
//! calls use it (a details sync makes one call per account), and it is kept no longer than the
//! key's TTL says it lives. Counted by the real redis-server (`INFO commandstats`).

mod redis_support;

use std::time::{Duration, Instant};

use redis_support::*;
use wxopen_core::service::sync::SyncOptions;
use wxopen_core::service::{CancelToken, ConsoleOptions};
use wxopen_sandbox::{Sandbox, SandboxConfig};

/// How many GET commands the server has run.
fn gets(redis: &Redis) -> u64 {
    redis
        .cli(&["INFO", "commandstats"])
        .lines()
        .find_map(|l| l.strip_prefix("cmdstat_get:calls="))
        .and_then(|rest| rest.split(',').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or(0)
}

/// A simulator of `n` accounts, and its backend's component token written as WxJava writes it
/// with `ttl` seconds left.
async fn backend_with_token(redis: &Redis, n: usize, ttl: i64) -> (Sandbox, String) {
    let sb = Sandbox::start(SandboxConfig {
        authorizers: n,
        ..Default::default()
    })
    .await
    .expect("start sandbox");
    let backend = Backend::new(&sb);
    let (token, _) = backend.component_token(&sb.control().issue_ticket()).await;
    let key = wx::component_token(&backend.appid);
    redis.cli(&["SET", &key, &token, "EX", &ttl.to_string()]);
    (sb, key)
}

fn reading_every(secs: u64) -> ConsoleOptions {
    ConsoleOptions {
        shared_read_secs: secs,
        ..options()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_details_sync_reads_the_component_token_once_per_interval() {
    let redis = Redis::start();
    let (sb, _) = backend_with_token(&redis, 60, 7000).await;
    let mut spec = ConsoleSpec::new(&sb, wxjava(&redis.url(), false));
    spec.options = reading_every(3600);
    let team = shared_console(spec).await;
    let before = gets(&redis);
    let out = team
        .console
        .sync_authorizers(
            &team.rt,
            SyncOptions {
                details: true,
                concurrency: Some(8),
                restart: false,
                ..Default::default()
            },
            None,
            CancelToken::new(),
        )
        .await
        .unwrap();
    assert_eq!(out.run.details_done, 60);
    // One list page and 60 info calls, all with the component token: one read.
    assert_eq!(gets(&redis) - before, 1);

    // With no interval every use reads again: the count above is the cache's doing.
    let mut spec = ConsoleSpec::new(&sb, wxjava(&redis.url(), false));
    spec.options = reading_every(0);
    let eager = shared_console(spec).await;
    let before = gets(&redis);
    for _ in 0..5 {
        eager.console.component_token(&eager.rt).await.unwrap();
    }
    assert_eq!(gets(&redis) - before, 5);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_borrowed_token_is_kept_no_longer_than_its_ttl() {
    let redis = Redis::start();
    // A few seconds left on the backend's key (WxJava treats < 2 s as expired; a loaded
    // machine may take a second or two to read it).
    let (sb, key) = backend_with_token(&redis, 3, 6).await;
    let mut spec = ConsoleSpec::new(&sb, wxjava(&redis.url(), false));
    spec.options = reading_every(3600);
    let team = shared_console(spec).await;
    let borrowed = team.console.component_token(&team.rt).await.unwrap();
    assert!(borrowed.expires_at <= wxopen_core::clock::now() + 6);
    // Once the key is gone, the next use reads again (and says so), the long interval
    // notwithstanding. Bounded polling of the real conditions: the key expiring in Redis, the
    // clock passing the expiry the console noted.
    let deadline = Instant::now() + Duration::from_secs(20);
    while redis.cli(&["EXISTS", &key]) != "0" || wxopen_core::clock::now() < borrowed.expires_at {
        assert!(Instant::now() < deadline, "the key did not expire");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let err = team.console.component_token(&team.rt).await.unwrap_err();
    assert!(err.to_string().contains(&key), "{err}");
}
