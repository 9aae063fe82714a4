//! Timing of the syncs (ignored by default; `make bench`, or `cargo test --release --test
//! service_bench -- --ignored --nocapture --test-threads=1`). A list sync of 100,000 authorizers;
//! a details sync of 10,000 authorizers at concurrency 8 and 20 ms simulated latency, whose lower
//! bound is (20 list pages + 10,000 / 8 info rounds) × 20 ms; the client's CPU for a 10,000
//! details sync, as the CLI runs it and on a multi-thread runtime. Each prints
//! `BENCH|<metric>|<value>|<aim>` rows on stdout for `make bench`; a missed aim is reported, not
//! failed.

// The same sandbox-backed console the core's service tests use.
#[path = "support/redis.rs"]
mod redis_support;
#[path = "../../core/tests/service_support/mod.rs"]
mod service_support;

use service_support::*;
use wxopen_core::service::sync::SyncOptions;
use wxopen_core::service::CancelToken;
use wxopen_sandbox::Fault;

fn cpu_secs() -> f64 {
    let (user, system) = cpu_split();
    user + system
}

/// (user, system) CPU seconds of this process: utime and stime, in clock ticks (100 Hz on
/// Linux).
fn cpu_split() -> (f64, f64) {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let after = stat.rsplit(')').next().unwrap_or("");
    let f: Vec<&str> = after.split_whitespace().collect();
    let ticks = |i: usize| -> f64 { f.get(i).and_then(|v| v.parse().ok()).unwrap_or(0.0) };
    (ticks(11) / 100.0, ticks(12) / 100.0)
}

/// One row of the `make bench` table.
fn bench_row(metric: &str, value: String, aim: &str) {
    println!("BENCH|{metric}|{value}|{aim}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
#[ignore]
async fn list_sync_100k() {
    let n = 100_000usize;
    let e = env(n).await;
    let t = std::time::Instant::now();
    let out = e
        .console
        .sync_authorizers(
            &e.rt,
            SyncOptions {
                details: false,
                concurrency: None,
                restart: false,
                ..Default::default()
            },
            None,
            CancelToken::new(),
        )
        .await
        .unwrap();
    let secs = t.elapsed().as_secs_f64();
    println!("list sync of {n}: {secs:.2} s");
    bench_row(
        "list sync, 100,000 authorizers (s)",
        format!("{secs:.2}"),
        "< 10",
    );
    assert_eq!(out.run.next_offset, n as i64);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
#[ignore]
async fn details_sync_10k_at_20ms() {
    let n = 10_000usize;
    let e = env(n).await;
    e.control().set_fault(Fault::Latency {
        path: None,
        millis: 20,
    });
    let cpu0 = cpu_secs();
    let t = std::time::Instant::now();
    let out = e
        .console
        .sync_authorizers(
            &e.rt,
            SyncOptions {
                details: true,
                concurrency: Some(8),
                restart: false,
                stale_after_secs: Some(0),
                ..Default::default()
            },
            None,
            CancelToken::new(),
        )
        .await
        .unwrap();
    let secs = t.elapsed().as_secs_f64();
    let bound = ((n as f64 / 500.0).ceil() + (n as f64 / 8.0).ceil()) * 0.020;
    println!(
        "details sync of {n}: {secs:.2} s, bound {bound:.2} s, ratio {:.3}, process CPU (client + simulator) {:.2} s",
        secs / bound,
        cpu_secs() - cpu0
    );
    bench_row(
        "details sync, 10,000 at c=8, 20 ms (s)",
        format!("{secs:.2}"),
        &format!("<= {:.2} (1.05 x bound {bound:.2})", bound * 1.05),
    );
    bench_row(
        "details sync / lower bound",
        format!("{:.3}", secs / bound),
        "<= 1.05",
    );
    assert_eq!(out.run.details_done, n as i64);
}

/// The client's CPU as the `wxopen` CLI runs a sync: one current-thread runtime (see
/// `cli::console::run`). The simulator is in a child process, so this process's CPU time is
/// the client's alone.
#[tokio::test(flavor = "current_thread")]
#[ignore]
async fn client_cpu_for_10k_details_with_an_external_simulator() {
    client_cpu_for_10k_details("CLI runtime", "< 1").await;
}

/// The same on a multi-thread runtime (the desktop app's: Tauri's), for comparison: every
/// request then hops between threads.
#[tokio::test(flavor = "multi_thread")]
#[ignore]
async fn client_cpu_for_10k_details_on_a_multi_thread_runtime() {
    client_cpu_for_10k_details("multi-thread runtime", "(for comparison)").await;
}

async fn client_cpu_for_10k_details(runtime: &str, aim: &str) {
    use std::io::BufRead;
    use std::sync::Arc;
    use wxopen_core::secrets::{KeyringStore, SecretStore};
    use wxopen_core::service::profiles::ProfileInput;
    use wxopen_core::service::{Console, ConsoleOptions};

    let latency: u64 = std::env::var("BENCH_LATENCY_MS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_wxopen"))
        .args(["--json", "sandbox", "serve", "--authorizers", "10000"])
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    std::io::BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let info: serde_json::Value = serde_json::from_str(&line).unwrap();
    let base = info["base_url"].as_str().unwrap().to_string();
    let mut control = reqwest::header::HeaderMap::new();
    let token = info["control_token"].as_str().unwrap();
    control.insert("x-sandbox-token", token.parse().unwrap());
    let http = reqwest::Client::builder()
        .default_headers(control)
        .build()
        .unwrap();
    if latency > 0 {
        http.post(format!("{base}/sandbox/faults"))
            .json(&serde_json::json!({"kind": "latency", "millis": latency}))
            .send()
            .await
            .unwrap();
    }
    let ticket: serde_json::Value = http
        .post(format!("{base}/sandbox/ticket"))
        .json(&serde_json::json!({}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let store = wxopen_core::store::Store::open(dir.path()).unwrap();
    let secrets: Arc<dyn SecretStore> = Arc::new(KeyringStore::with_service(test_service_name()));
    let console = Console::with_options(store, secrets, ConsoleOptions::default());
    console
        .profile_add(ProfileInput {
            name: "bench".into(),
            component_appid: info["component_appid"].as_str().unwrap().into(),
            api_base: Some(base.clone()),
            appsecret: Some(info["appsecret"].as_str().unwrap().into()),
            token: Some(info["token"].as_str().unwrap().into()),
            encoding_aes_key: Some(info["encoding_aes_key"].as_str().unwrap().into()),
            ..Default::default()
        })
        .unwrap();
    let rt = console.profile(Some("bench")).await.unwrap();
    let t = ticket["ticket"]
        .as_str()
        .or_else(|| ticket["component_verify_ticket"].as_str())
        .unwrap_or_else(|| panic!("{ticket}"))
        .to_string();
    console.ticket_set(&rt, &t).unwrap();
    let (user0, sys0) = cpu_split();
    let start = std::time::Instant::now();
    let out = console
        .sync_authorizers(
            &rt,
            SyncOptions {
                details: true,
                concurrency: Some(8),
                restart: false,
                stale_after_secs: Some(0),
                ..Default::default()
            },
            None,
            CancelToken::new(),
        )
        .await
        .unwrap();
    let secs = start.elapsed().as_secs_f64();
    let (user1, sys1) = cpu_split();
    let (user, system) = (user1 - user0, sys1 - sys0);
    let cpu = user + system;
    let bound = (20.0 + 1250.0) * latency as f64 / 1000.0;
    println!(
        "external simulator, {runtime}, latency {latency} ms: {secs:.2} s (bound {bound:.2} s, ratio {:.3}), client CPU {cpu:.2} s (user {user:.2}, system {system:.2})",
        if bound > 0.0 { secs / bound } else { 0.0 },
    );
    bench_row(
        &format!("client CPU, 10,000 details at {latency} ms, {runtime} (s)"),
        format!("{cpu:.2}"),
        aim,
    );
    assert_eq!(out.run.details_done, 10_000);
    let _ = child.kill();
    let _ = child.wait();
}

/// Team mode: the same 10,000-account details sync at 20 ms on a shared profile (its component
/// token borrowed from a real redis-server in WxJava's layout, read at most once per
/// `shared_read_secs`) and on a local one. Aim: within 5 %.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
#[ignore]
async fn details_sync_10k_shared_vs_local() {
    use std::sync::Arc;
    use wxopen_core::secrets::SecretStore;
    use wxopen_core::service::profiles::{ProfileInput, SharedInput};
    use wxopen_core::service::{Console, ConsoleOptions};
    use wxopen_core::shared_store::{LayoutChoice, Preset, RedisSource, SharedSource};

    let n = 10_000usize;
    let e = env(n).await;
    e.control().set_fault(Fault::Latency {
        path: None,
        millis: 20,
    });
    let details = SyncOptions {
        details: true,
        concurrency: Some(8),
        restart: false,
        stale_after_secs: Some(0),
        ..Default::default()
    };
    let t = std::time::Instant::now();
    let local = e
        .console
        .sync_authorizers(&e.rt, details.clone(), None, CancelToken::new())
        .await
        .unwrap();
    let local_secs = t.elapsed().as_secs_f64();
    assert_eq!(local.run.details_done, n as i64);

    // The backend: the token the local run fetched, written where WxJava keeps it.
    let redis = redis_support::Redis::start(None);
    let token = e.console.component_token(&e.rt).await.unwrap();
    let appid = e.rt.appid().to_string();
    redis.cli(&[
        "SET",
        &format!("wechat_component_access_token:{appid}"),
        token.token.expose(),
        "EX",
        "7000",
    ]);
    let dir = tempfile::tempdir().unwrap();
    let store = wxopen_core::store::Store::open(dir.path()).unwrap();
    let shared = Console::with_options(
        store,
        e.secrets.clone() as Arc<dyn SecretStore>,
        ConsoleOptions::default(),
    );
    shared
        .profile_add(ProfileInput {
            name: "shared".into(),
            component_appid: appid,
            api_base: Some(e.sandbox.base_url()),
            shared: Some(SharedInput {
                source: SharedSource::Redis(RedisSource {
                    url: redis.url(),
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
    let rt = shared.profile(Some("shared")).await.unwrap();
    let fetches = e.control().call_count(TOKEN_PATH);
    let t = std::time::Instant::now();
    let out = shared
        .sync_authorizers(&rt, details, None, CancelToken::new())
        .await
        .unwrap();
    let shared_secs = t.elapsed().as_secs_f64();
    assert_eq!(out.run.details_done, n as i64);
    assert_eq!(
        e.control().call_count(TOKEN_PATH),
        fetches,
        "a shared profile never fetches a token"
    );
    let ratio = shared_secs / local_secs;
    println!("details sync of {n} at 20 ms: local {local_secs:.2} s, shared {shared_secs:.2} s, ratio {ratio:.3}");
    bench_row(
        "details sync 10,000, shared (Redis) / local",
        format!("{ratio:.3}"),
        "<= 1.05",
    );
}
