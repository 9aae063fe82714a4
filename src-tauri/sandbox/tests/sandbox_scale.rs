//! A simulator of 1,000,000 authorizers (issue 14, "Scale"): it starts without holding an
//! account's info in memory, and `api_get_authorizer_list` pages it correctly — sampled pages
//! (a full walk is the release benchmark's job, `cli/tests/service_bench_large.rs`), the last
//! page, offsets beyond the end, and the same after revocations.
//!
//! One test in this file: it measures the process's resident memory, which another test running
//! alongside would disturb.

mod sandbox_common;

use std::collections::HashSet;

use sandbox_common::*;
use serde_json::{json, Value};
use wxopen_sandbox::SandboxConfig;

const N: i64 = 1_000_000;

fn rss_bytes() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.split_whitespace().next()?.parse::<u64>().ok())
        .map_or(0, |kib| kib * 1024)
}

fn appids(page: &Value) -> Vec<String> {
    page["list"]
        .as_array()
        .unwrap_or_else(|| panic!("{page}"))
        .iter()
        .map(|i| i["authorizer_appid"].as_str().unwrap().to_owned())
        .collect()
}

/// Offsets spread over the whole range, the same every run.
fn sampled_offsets() -> Vec<i64> {
    let mut x: u64 = 0x2545_F491_4F6C_DD1D;
    (0..12)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (x % (N as u64 - 1000)) as i64
        })
        .collect()
}

#[tokio::test]
async fn a_million_authorizers_page_correctly_without_being_held_in_memory() {
    let before = rss_bytes();
    let env = Env::start(SandboxConfig {
        authorizers: N as usize,
        ..Default::default()
    })
    .await;
    let grown = rss_bytes().saturating_sub(before);
    // An info document is about a kilobyte: a million of them would be a gigabyte.
    assert!(
        grown < 128 * 1024 * 1024,
        "starting a simulator of a million accounts took {grown} bytes"
    );
    assert_eq!(env.ctl.authorizer_count(), N as usize);
    let ct = env.component_token().await;

    // Sampled pages: full, total_count right, and overlapping reads agree with each other
    // (page k from 250 on is page k + 250 up to 250), so no account is skipped or repeated at
    // a page boundary.
    let mut seen = HashSet::new();
    for offset in sampled_offsets() {
        let page = env.list(&ct, offset, 500).await;
        assert_eq!(page["total_count"], json!(N), "offset {offset}");
        let ids = appids(&page);
        assert_eq!(ids.len(), 500, "offset {offset}");
        let shifted = appids(&env.list(&ct, offset + 250, 500).await);
        assert_eq!(ids[250..], shifted[..250], "offset {offset}");
        for id in ids {
            assert!(seen.insert(id), "an appid listed at two offsets");
        }
    }

    // The end: the last full page, the short last page, then nothing (total_count unchanged).
    assert_eq!(appids(&env.list(&ct, N - 500, 500).await).len(), 500);
    let tail = env.list(&ct, N - 100, 500).await;
    assert_eq!(tail["total_count"], json!(N));
    let tail = appids(&tail);
    assert_eq!(tail.len(), 100);
    for offset in [N, N + 1, 2 * N, i64::from(i32::MAX)] {
        let page = env.list(&ct, offset, 500).await;
        assert_eq!(page["total_count"], json!(N), "offset {offset}");
        assert_eq!(page["list"], json!([]), "offset {offset}");
    }
    // The last account is a real one: its info answers.
    let last = tail.last().unwrap();
    let info = env.info(&ct, last).await;
    assert_eq!(info["authorization_info"]["authorizer_appid"], json!(last));
    assert!(info["authorizer_info"]["nick_name"].is_string(), "{info}");
    assert_err(&env.list(&ct, N - 100, 501).await, 40170);

    // Revocations shift everything after them by one, at both ends of the range.
    let head = appids(&env.list(&ct, 0, 3).await);
    env.ctl.unauthorize(&head[1]).unwrap();
    env.ctl.unauthorize(last).unwrap();
    let after = env.list(&ct, 0, 2).await;
    assert_eq!(after["total_count"], json!(N - 2));
    assert_eq!(appids(&after), vec![head[0].clone(), head[2].clone()]);
    // Offset N - 101 is now the account that was at N - 100: the tail without the last one.
    let end = env.list(&ct, N - 101, 500).await;
    assert_eq!(end["total_count"], json!(N - 2));
    assert_eq!(appids(&end), tail[..99]);
    assert_eq!(env.list(&ct, N - 2, 500).await["list"], json!([]));
    env.sb.shutdown().await;
}
