//! Crash tests of the sync: `wxopen authorizers sync` against a `wxopen sandbox serve` child (so
//! the simulator's state and call counts outlive every CLI run), killed with SIGKILL when its
//! progress on stderr reaches points drawn from a seeded RNG, then rerun until it completes.
//! Afterwards the SQLite file must pass `PRAGMA integrity_check` and hold every authorizer exactly
//! once with every refresh token the simulator lists.
//!
//! - List sync of 20,000 authorizers: the simulator must not have served a finished page twice
//!   (list calls ≤ 40 pages + one page per kill).
//! - Details sync (`--details`) of 2,000 authorizers (fewer, to stay fast in a debug build):
//!   every account ends with its info, and no info call is repeated beyond what a kill can lose.

use std::io::{BufRead, BufReader};
use std::os::unix::process::ExitStatusExt;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde_json::{json, Value};

const PAGE: i64 = 500;
const LIST_PATH: &str = "/cgi-bin/component/api_get_authorizer_list";
const INFO_PATH: &str = "/cgi-bin/component/api_get_authorizer_info";

/// The simulator child; killed when dropped (also when an assertion fails).
struct Simulator {
    child: Child,
    info: Value,
}

impl Drop for Simulator {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Simulator {
    fn start(authorizers: i64) -> Simulator {
        let mut child = Command::new(env!("CARGO_BIN_EXE_wxopen"))
            .args(["--json", "sandbox", "serve", "--port", "0"])
            .args(["--authorizers", &authorizers.to_string()])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .spawn()
            .expect("start wxopen sandbox serve");
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .expect("read the simulator's first line");
        let info: Value = serde_json::from_str(&line)
            .unwrap_or_else(|e| panic!("simulator line is not JSON ({e}): {line}"));
        Simulator { child, info }
    }

    fn field(&self, name: &str) -> String {
        self.info[name].as_str().unwrap().to_string()
    }

    fn base(&self) -> String {
        self.field("base_url")
    }
}

/// One HTTP call to the simulator (GET without a body, POST with one), answer as JSON. The
/// control token goes along (the API paths ignore it).
fn call(sim: &Simulator, url: &str, body: Option<Value>) -> Value {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let c = reqwest::Client::new();
        let req = match body {
            Some(b) => c.post(url).json(&b),
            None => c.get(url),
        };
        let req = req.header("X-Sandbox-Token", sim.field("control_token"));
        req.send().await.unwrap().json().await.unwrap()
    })
}

struct Cli {
    dir: tempfile::TempDir,
    service: String,
}

impl Cli {
    fn cmd(&self, args: &[&str]) -> Command {
        let mut c = Command::new(env!("CARGO_BIN_EXE_wxopen"));
        c.arg("--data-dir")
            .arg(self.dir.path())
            .args(args)
            .env("WXOPEN_KEYCHAIN_SERVICE", &self.service)
            .env_remove("WXOPEN_APPSECRET")
            .env_remove("WXOPEN_TOKEN")
            .env_remove("WXOPEN_AES_KEY")
            .stdin(Stdio::null());
        c
    }

    fn ok(&self, mut c: Command) -> Value {
        let o = c.output().unwrap();
        assert!(
            o.status.success(),
            "wxopen failed: {}{}",
            String::from_utf8_lossy(&o.stdout),
            String::from_utf8_lossy(&o.stderr)
        );
        serde_json::from_slice(&o.stdout).unwrap()
    }
}

/// The count a progress line reports for `phase`: `list     N/T` or `details  N/T  errors E`.
fn progress(line: &str, phase: &str) -> Option<i64> {
    let rest = line.strip_prefix(phase)?.trim();
    rest.split('/').next()?.trim().parse().ok()
}

/// One `authorizers sync ARGS` run. With `kill_at = Some(n)`, SIGKILLs the process as soon as
/// its `phase` progress reports at least `n` (and fewer than `all`). Returns (killed, furthest
/// count seen, stdout of a completed run).
fn sync_run(
    cli: &Cli,
    args: &[&str],
    phase: &str,
    all: i64,
    kill_at: Option<i64>,
) -> (bool, i64, String) {
    let mut full = vec!["--json", "authorizers", "sync"];
    full.extend_from_slice(args);
    let mut child = cli
        .cmd(&full)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stderr = child.stderr.take().unwrap();
    let stdout = child.stdout.take().unwrap();
    // Drain stdout on a thread so the child never blocks on a full pipe.
    let out_thread = std::thread::spawn(move || {
        let mut s = String::new();
        std::io::Read::read_to_string(&mut BufReader::new(stdout), &mut s).unwrap();
        s
    });
    let mut furthest = 0;
    let mut lines = String::new();
    let mut sent_kill = false;
    for line in BufReader::new(stderr).lines() {
        let line = line.unwrap();
        if let Some(n) = progress(&line, phase) {
            furthest = furthest.max(n);
            if let Some(k) = kill_at {
                if !sent_kill && n >= k && n < all {
                    child.kill().unwrap();
                    sent_kill = true;
                }
            }
        }
        lines.push_str(&line);
        lines.push('\n');
    }
    let status = child.wait().unwrap();
    let out = out_thread.join().unwrap();
    let killed = status.signal() == Some(9);
    assert!(
        killed || status.success(),
        "sync exited with {status}: {out}{lines}"
    );
    (killed, furthest, out)
}

/// Runs `authorizers sync ARGS`, killing it at `kills` distinct points in 1..`all` (multiples of
/// `step`) drawn from a seeded RNG, then reruns it until a run completes. Returns the number of
/// runs actually killed, the kill points and the completed run's JSON.
fn crash_until_done(
    cli: &Cli,
    args: &[&str],
    phase: &str,
    all: i64,
    step: i64,
    kills: usize,
    seed: u64,
) -> (usize, Vec<i64>, Value) {
    // Ascending: each rerun resumes where the previous one stopped, and progress counts from the
    // start of the run.
    let mut rng = StdRng::seed_from_u64(seed);
    let mut points: Vec<i64> = Vec::new();
    while points.len() < kills {
        let p = rng.random_range(1..all / step) * step;
        if !points.contains(&p) {
            points.push(p);
        }
    }
    points.sort_unstable();
    let mut killed_runs = 0usize;
    let mut reached = 0i64;
    let deadline = Instant::now() + Duration::from_secs(120);
    let mut targets = points.iter().copied().peekable();
    loop {
        assert!(Instant::now() < deadline, "sync never completed");
        // Skip points a previous run already went past (progress is throttled to 100 ms).
        while targets.peek().is_some_and(|&t| t <= reached) {
            targets.next();
        }
        let (killed, furthest, out) = sync_run(cli, args, phase, all, targets.peek().copied());
        reached = reached.max(furthest);
        if !killed {
            let done: Value = serde_json::from_str(&out).unwrap();
            assert_eq!(done["run"]["state"], "done", "{done}");
            return (killed_runs, points, done);
        }
        killed_runs += 1;
        targets.next();
    }
}

/// A simulator, a data dir with a profile pointing at it (secrets through the environment) and
/// a ticket the simulator issued. Returns the ticket too.
fn setup(authorizers: i64) -> (Simulator, Cli, String) {
    let sim = Simulator::start(authorizers);
    let base = sim.base();
    let cli = Cli {
        dir: tempfile::tempdir().unwrap(),
        service: format!(
            "wxopen-crash-test-{}-{}",
            std::process::id(),
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap()
                .as_nanos()
        ),
    };
    let appid = sim.field("component_appid");
    let mut add = cli.cmd(&[
        "--json",
        "profile",
        "add",
        "--name",
        "crash",
        "--appid",
        &appid,
        "--api-base",
        &base,
    ]);
    add.env("WXOPEN_APPSECRET", sim.field("appsecret"))
        .env("WXOPEN_TOKEN", sim.field("token"))
        .env("WXOPEN_AES_KEY", sim.field("encoding_aes_key"));
    cli.ok(add);
    let ticket = call(&sim, &format!("{base}/sandbox/ticket"), Some(json!({})));
    let ticket = ticket["ticket"].as_str().unwrap().to_string();
    // The ticket goes in on stdin: `ticket set` refuses one in argv.
    let mut set = cli
        .cmd(&["--json", "ticket", "set"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    std::io::Write::write_all(&mut set.stdin.take().unwrap(), ticket.as_bytes()).unwrap();
    let o = set.wait_with_output().unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    (sim, cli, ticket)
}

/// How often the simulator served `path` so far.
fn calls(sim: &Simulator, path: &str) -> i64 {
    let stats = call(sim, &format!("{}/sandbox/stats", sim.base()), None);
    stats["calls"][path].as_i64().unwrap_or(0)
}

/// The simulator's own authorizer list (appid, refresh token), read with a token of our own.
fn simulator_list(sim: &Simulator, ticket: &str) -> Vec<(String, String)> {
    let base = sim.base();
    let tok = call(
        sim,
        &format!("{base}/cgi-bin/component/api_component_token"),
        Some(json!({
            "component_appid": sim.field("component_appid"),
            "component_appsecret": sim.field("appsecret"),
            "component_verify_ticket": ticket,
        })),
    );
    let ct = tok["component_access_token"]
        .as_str()
        .unwrap_or_else(|| panic!("{tok}"))
        .to_string();
    let mut list = Vec::new();
    loop {
        let page = call(
            sim,
            &format!("{base}{LIST_PATH}?component_access_token={ct}"),
            Some(json!({
                "component_appid": sim.field("component_appid"),
                "offset": list.len(),
                "count": PAGE,
            })),
        );
        let items = page["list"].as_array().unwrap_or_else(|| panic!("{page}"));
        for i in items {
            list.push((
                i["authorizer_appid"].as_str().unwrap().to_string(),
                i["refresh_token"].as_str().unwrap_or("").to_string(),
            ));
        }
        if items.is_empty() || list.len() as i64 >= page["total_count"].as_i64().unwrap() {
            return list;
        }
    }
}

/// The SQLite file: integrity, every authorizer once and authorized, every refresh token the
/// simulator lists stored as listed; with `details`, every account's info fetched. Returns how
/// many refresh tokens were compared.
fn check_store(cli: &Cli, expected: &[(String, String)], details: bool) -> usize {
    let db = rusqlite::Connection::open(cli.dir.path().join("wxopen.sqlite3")).unwrap();
    let integrity: String = db
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap();
    assert_eq!(integrity, "ok");
    let (rows, distinct): (i64, i64) = db
        .query_row(
            "SELECT count(*), count(DISTINCT appid) FROM authorizers",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert_eq!(rows, expected.len() as i64, "authorizer rows");
    assert_eq!(distinct, rows, "duplicate appids");
    let mut stmt = db
        .prepare(
            "SELECT a.appid, a.status, COALESCE(t.refresh_token, ''),
                    a.info_fetched_at IS NOT NULL AND a.kind IS NOT NULL AND a.details_error IS NULL
               FROM authorizers a
               LEFT JOIN authorizer_tokens t ON t.profile_id = a.profile_id AND t.appid = a.appid",
        )
        .unwrap();
    type Row = (String, String, bool);
    let stored: std::collections::HashMap<String, Row> = stmt
        .query_map([], |r| Ok((r.get(0)?, (r.get(1)?, r.get(2)?, r.get(3)?))))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    let mut with_token = 0;
    for (appid, refresh) in expected {
        let (status, have, has_info) = stored
            .get(appid)
            .unwrap_or_else(|| panic!("{appid} missing from the store"));
        assert_eq!(status, "authorized", "{appid}");
        if details {
            assert!(has_info, "{appid} has no details");
        }
        if !refresh.is_empty() {
            with_token += 1;
            assert_eq!(have, refresh, "refresh token of {appid} lost or wrong");
        }
    }
    assert!(
        with_token > 0,
        "the simulator lists no refresh token at all"
    );
    with_token
}

#[test]
fn list_sync_survives_sigkill_at_random_pages() {
    const N: i64 = 20_000;
    let started = Instant::now();
    let (sim, cli, ticket) = setup(N);
    let (kills, points, done) = crash_until_done(&cli, &[], "list", N, PAGE, 6, 0x5EED_C8A5);
    assert!(
        kills >= 2,
        "only {kills} runs were killed (kill points {points:?})"
    );
    assert_eq!(done["run"]["next_offset"], N, "{done}");
    assert_eq!(done["run"]["revoked"], 0, "{done}");
    // Finished pages were not fetched again: at most two extra pages per kill (the one being
    // written when the process died and the next one, asked for during that write). Read
    // before our own list calls.
    let list_calls = calls(&sim, LIST_PATH);
    assert!(
        list_calls <= N / PAGE + 2 * kills as i64,
        "{list_calls} list calls for {} pages and {kills} kills",
        N / PAGE
    );
    let expected = simulator_list(&sim, &ticket);
    assert_eq!(expected.len() as i64, N);
    let tokens = check_store(&cli, &expected, false);
    eprintln!(
        "list crash test: {kills} kills at {points:?}, {list_calls} list calls, {tokens} refresh tokens, {:.1} s",
        started.elapsed().as_secs_f64()
    );
}

#[test]
fn details_sync_survives_sigkill_at_random_points() {
    const N: i64 = 2_000;
    let started = Instant::now();
    let (sim, cli, ticket) = setup(N);
    let args = ["--details", "--concurrency", "8"];
    let (kills, points, done) = crash_until_done(&cli, &args, "details", N, 50, 4, 0x00DE_7A11);
    assert!(
        kills >= 2,
        "only {kills} runs were killed (kill points {points:?})"
    );
    assert_eq!(done["run"]["errors"], 0, "{done}");
    // Finished accounts are not fetched again: a kill loses at most the calls in flight and
    // the answers not yet committed (8 lanes, the writer's queue and the batch it gathers).
    let info_calls = calls(&sim, INFO_PATH);
    let per_kill = (8
        + wxopen_core::service::sync::details_queue_for(8)
        + wxopen_core::service::sync::write_batch_for(N as usize)) as i64;
    assert!(
        info_calls <= N + kills as i64 * per_kill,
        "{info_calls} info calls for {N} accounts and {kills} kills"
    );
    let expected = simulator_list(&sim, &ticket);
    assert_eq!(expected.len() as i64, N);
    let tokens = check_store(&cli, &expected, true);
    eprintln!(
        "details crash test: {kills} kills at {points:?}, {info_calls} info calls, {tokens} refresh tokens, {:.1} s",
        started.elapsed().as_secs_f64()
    );
}
