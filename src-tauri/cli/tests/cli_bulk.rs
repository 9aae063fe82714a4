//! `wxopen bulk …` through the real binary against a `wxopen sandbox serve` child (its own
//! process: its options, quota and call counts outlive every CLI run, and a CLI killed with
//! SIGKILL leaves it untouched).
//!
//! - A dry run counts and explains the skips and calls nothing; a write without `--yes` is
//!   refused naming the count and stores no job; with `--yes` every account is set, one that
//!   WeChat refuses (fault injection) is failed with its errcode explained, per-account JSON
//!   lines, and a result CSV with a BOM.
//! - A job killed mid-way (SIGKILL, while a latency fault keeps it going) keeps the accounts it
//!   did; `bulk resume` does only the rest.
//! - A details job pauses at the quota reserve with the reset time, resumes after the reset;
//!   a cancelled job is not resumed.

use std::io::{BufRead, BufReader};
use std::process::Stdio;

#[path = "support/sim_cli.rs"]
mod sim_cli;

use serde_json::{json, Value};
use sim_cli::{Cli, Simulator};

const SET_OPTION: &str = "/cgi-bin/component/api_set_authorizer_option";
const INFO: &str = "/cgi-bin/component/api_get_authorizer_info";

/// Items of `job` by state.
fn items(cli: &Cli, job: i64, state: &str) -> i64 {
    cli.db()
        .query_row(
            "SELECT count(*) FROM bulk_items WHERE job_id = ?1 AND state = ?2",
            rusqlite::params![job, state],
            |r| r.get(0),
        )
        .unwrap()
}

fn setup(authorizers: u32, daily_quota: u32) -> (Simulator, Cli) {
    let (sim, cli) = sim_cli::setup(authorizers, daily_quota, "bulk");
    // The tests are about what is done, not the pace: no waiting between calls.
    cli.run(&["bulk", "settings", "--rate-per-minute", "600000"]);
    (sim, cli)
}

/// The appids of the local cache, as `authorizers list` gives them.
fn appids(cli: &Cli) -> Vec<String> {
    let page = cli.json(&["authorizers", "list", "--limit", "1000"]);
    page["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["appid"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn option_set_previews_asks_sets_explains_failures_and_exports_csv() {
    let (sim, cli) = setup(40, 100_000);
    cli.run(&["authorizers", "sync"]);
    let all = appids(&cli);
    assert_eq!(all.len(), 40);
    // One account revokes its authorization; the next sync marks it.
    let gone = all[7].clone();
    sim.call("/sandbox/unauthorize", Some(json!({ "appid": gone })));
    cli.run(&["authorizers", "sync"]);

    let dry = cli.run(&["bulk", "option", "set", "location_report", "2", "--dry-run"]);
    assert!(
        dry.contains("40 accounts, 1 will be skipped: revoked 1"),
        "{dry}"
    );
    let plan = cli.json(&[
        "bulk",
        "option",
        "set",
        "location_report",
        "2",
        "--dry-run",
        "--status",
        "revoked",
    ]);
    assert_eq!(plan["total"], 1, "the filters of authorizers list: {plan}");
    assert_eq!(plan["skipped"][0]["reason"], "revoked");
    assert_eq!(sim.calls(SET_OPTION), 0, "a dry run calls nothing");

    let refused = cli.ran(&["bulk", "option", "set", "location_report", "2"]);
    assert!(!refused.ok);
    assert!(
        refused.stderr.contains("for 39 accounts") && refused.stderr.contains("--yes"),
        "{}",
        refused.stderr
    );
    assert_eq!(
        cli.json(&["bulk", "jobs"]),
        json!([]),
        "no job without --yes"
    );
    assert!(
        !cli.ran(&["bulk", "option", "set", "location_report", "7", "--yes"])
            .ok
    );

    // WeChat refuses the next set call.
    sim.call(
        "/sandbox/faults",
        Some(
            json!({"kind": "errcode", "path": SET_OPTION, "errcode": 61007,
                    "errmsg": "api is unauthorized to component", "times": 1}),
        ),
    );
    let ran = cli.ran(&[
        "--json",
        "bulk",
        "option",
        "set",
        "location_report",
        "2",
        "--yes",
    ]);
    assert!(!ran.ok, "a job with a failed account exits non-zero");
    let lines = ran.lines();
    let (accounts, summary) = lines.split_at(lines.len() - 1);
    assert_eq!(accounts.len(), 39, "one line per account acted on");
    let failed: Vec<&Value> = accounts.iter().filter(|l| l["state"] == "failed").collect();
    assert_eq!(failed.len(), 1, "{}", ran.stdout);
    assert_eq!(failed[0]["errcode"], 61007);
    assert!(failed[0]["explanation"]
        .as_str()
        .unwrap()
        .contains("permission set"));
    let job = &summary[0]["job"];
    assert_eq!(job["state"], "done");
    assert_eq!(
        job["counts"],
        json!({"pending": 0, "ok": 38, "skipped": 1, "failed": 1})
    );
    assert!(ran.stderr.contains("bulk     40/40"), "{}", ran.stderr);
    assert_eq!(sim.calls(SET_OPTION), 39);
    // What WeChat now holds.
    for line in accounts.iter().filter(|l| l["state"] == "ok") {
        let appid = line["appid"].as_str().unwrap();
        let held = sim.call(&format!("/sandbox/authorizers/{appid}/options"), None);
        assert_eq!(held["location_report"], "2", "{appid}: {held}");
    }
    // Set now, so a second dry run skips them as already set (the failed one excepted).
    let again = cli.run(&["bulk", "option", "set", "location_report", "2", "--dry-run"]);
    assert!(
        again.contains("40 accounts, 39 will be skipped: already_set 38, revoked 1"),
        "{again}"
    );

    let id = job["id"].as_i64().unwrap();
    let csv = cli.dir.path().join("results.csv");
    cli.run(&[
        "bulk",
        "results",
        &id.to_string(),
        "--csv",
        csv.to_str().unwrap(),
    ]);
    let text = std::fs::read_to_string(&csv).unwrap();
    assert!(text.starts_with("\u{feff}job,action,appid,result,errcode,message,explanation_en"));
    let rows: Vec<&str> = text.lines().skip(1).collect();
    assert_eq!(rows.len(), 40);
    assert_eq!(rows.iter().filter(|r| r.contains(",ok,")).count(), 38);
    let skipped = rows.iter().find(|r| r.contains(&gone)).unwrap();
    assert!(skipped.contains(",skipped,,skipped: revoked,"), "{skipped}");
    let failed_row = rows.iter().find(|r| r.contains(",failed,")).unwrap();
    assert!(
        failed_row.contains(",61007,") && failed_row.contains("permission set"),
        "{failed_row}"
    );
    let table = cli.run(&["bulk", "results", &id.to_string()]);
    let failed_line = table.lines().find(|l| l.contains("failed ")).unwrap();
    assert!(failed_line.contains(" 61007 "), "{failed_line}");
}

#[test]
fn a_job_killed_mid_way_resumes_only_its_pending_accounts() {
    let (sim, cli) = setup(60, 100_000);
    cli.run(&["authorizers", "sync"]);
    cli.run(&["bulk", "settings", "--concurrency", "2"]);
    // Each set call takes a while, so that the job is still going when it is killed.
    sim.call(
        "/sandbox/faults",
        Some(json!({"kind": "latency", "path": SET_OPTION, "millis": 40})),
    );
    let mut child = cli
        .cmd(&[
            "--json",
            "bulk",
            "option",
            "set",
            "voice_recognize",
            "1",
            "--yes",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut seen = 0;
    for line in BufReader::new(child.stdout.take().unwrap()).lines() {
        let line: Value = serde_json::from_str(&line.unwrap()).unwrap();
        assert_eq!(line["state"], "ok", "{line}");
        seen += 1;
        if seen == 10 {
            child.kill().unwrap();
            break;
        }
    }
    child.wait().unwrap();
    assert_eq!(seen, 10);
    let done_at_kill = items(&cli, 1, "ok");
    let pending = items(&cli, 1, "pending");
    assert!(done_at_kill >= 10, "results printed were committed");
    assert!(pending > 0 && done_at_kill + pending == 60);
    let jobs = cli.json(&["bulk", "jobs"]);
    assert_eq!(
        jobs[0]["state"], "running",
        "the killed owner's state is left"
    );

    let resumed = cli.ran(&["--json", "bulk", "resume", "1"]);
    assert!(resumed.ok, "{}{}", resumed.stdout, resumed.stderr);
    let lines = resumed.lines();
    assert_eq!(
        lines.len() as i64 - 1,
        pending,
        "only the pending accounts run again"
    );
    let job = &lines.last().unwrap()["job"];
    assert_eq!(job["state"], "done");
    assert_eq!(job["counts"]["ok"], 60);
    // Two calls at most were in flight when the process died.
    let calls = sim.calls(SET_OPTION);
    assert!((60..=62).contains(&calls), "{calls} set calls");
    let all = appids(&cli);
    for appid in &all {
        let held = sim.call(&format!("/sandbox/authorizers/{appid}/options"), None);
        assert_eq!(held["voice_recognize"], "1", "{appid}");
    }
    let again = cli.ran(&["bulk", "resume", "1"]);
    assert!(
        !again.ok && again.stderr.contains("is done"),
        "{}",
        again.stderr
    );
}

#[test]
fn details_pause_at_the_quota_reserve_and_a_cancelled_job_stays_cancelled() {
    // A day's 20 info calls, 4 of them kept for the backend.
    let (sim, cli) = setup(30, 20);
    cli.run(&["authorizers", "sync"]);
    let first = cli.ran(&["--json", "bulk", "details"]);
    assert!(!first.ok, "a paused job exits non-zero");
    let end = first.lines().pop().unwrap();
    assert_eq!(end["stop"]["kind"], "quota_reserve", "{end}");
    assert_eq!(end["stop"]["reserve"], 4);
    assert_eq!(end["job"]["state"], "paused");
    assert_eq!(end["job"]["counts"]["ok"], 16);
    assert!(end["job"]["message"]
        .as_str()
        .unwrap()
        .contains("00:00 Beijing time"));
    assert_eq!(sim.calls(INFO), 16);
    // Still within the day: resuming spends nothing.
    let still = cli.ran(&["--json", "bulk", "resume", "1"]);
    assert!(!still.ok);
    assert_eq!(sim.calls(INFO), 16);
    // A day on, with a new ticket: the rest.
    sim.call("/sandbox/clock/advance", Some(json!({"secs": 86_400})));
    cli.set_ticket(&sim);
    let done = cli.ran(&["--json", "bulk", "resume", "1"]);
    assert!(done.ok, "{}", done.stderr);
    let done = done.lines().pop().unwrap();
    assert_eq!(done["job"]["state"], "done");
    assert_eq!(done["job"]["counts"]["ok"], 30);
    assert_eq!(sim.calls(INFO), 30);
    let list = cli.json(&["authorizers", "list", "--limit", "100"]);
    assert!(list["rows"]
        .as_array()
        .unwrap()
        .iter()
        .all(|r| r["info_fetched_at"].is_i64()));

    // A job paused before it ran, then cancelled: never resumed.
    cli.run(&["bulk", "settings", "--concurrency", "1"]);
    sim.call(
        "/sandbox/faults",
        Some(json!({"kind": "errcode", "path": INFO, "errcode": 45009,
                    "errmsg": "reach max api daily quota limit", "times": 1})),
    );
    let spent = cli.ran(&["--json", "bulk", "details"]);
    let end = spent.lines().pop().unwrap();
    assert_eq!(end["stop"]["kind"], "quota_spent", "{end}");
    assert_eq!(
        end["job"]["counts"]["pending"], 30,
        "the refused account stays to do"
    );
    let cancelled = cli.json(&["bulk", "cancel", "2"]);
    assert_eq!(cancelled["state"], "cancelled");
    let refused = cli.ran(&["bulk", "resume", "2"]);
    assert!(
        !refused.ok && refused.stderr.contains("is cancelled"),
        "{}",
        refused.stderr
    );
    assert_eq!(items(&cli, 2, "pending"), 30);
}

#[test]
fn tokens_recovery_pause_and_open_binding_in_bulk() {
    const TOKEN: &str = "/cgi-bin/component/api_authorizer_token";
    let (sim, cli) = setup(24, 100_000);
    cli.run(&["authorizers", "sync"]);
    let rows = cli.json(&["authorizers", "list", "--limit", "100"]);
    let rows = rows["rows"].as_array().unwrap();
    let without: usize = rows
        .iter()
        .filter(|r| r["has_refresh_token"] == false)
        .count();
    assert!(
        without > 0 && without < 24,
        "{without} accounts lack a refresh token"
    );

    // Refresh tokens: a write (it replaces the token the backend may use).
    let refused = cli.ran(&["bulk", "refresh-tokens"]);
    assert!(
        !refused.ok
            && refused
                .stderr
                .contains(&format!("for {} accounts", 24 - without))
    );
    let before = sim.calls(TOKEN);
    let done = cli.ran(&["--json", "bulk", "refresh-tokens", "--yes"]);
    assert!(done.ok, "{}", done.stderr);
    let job = &done.lines().pop().unwrap()["job"];
    assert_eq!(job["counts"]["ok"], 24 - without);
    assert_eq!(job["counts"]["skipped"], without);
    assert_eq!(sim.calls(TOKEN) - before, (24 - without) as i64);

    // Recovery: only the accounts without a refresh token; the list gives none for them here,
    // so they fail with the reason (and the job says where to look).
    let dry = cli.run(&["bulk", "recover-refresh-tokens", "--dry-run"]);
    assert!(
        dry.contains(&format!(
            "24 accounts, {} will be skipped: has_refresh_token {}",
            24 - without,
            24 - without
        )),
        "{dry}"
    );
    let rec = cli.ran(&["--json", "bulk", "recover-refresh-tokens"]);
    assert!(!rec.ok, "accounts still without a token fail the job");
    let lines = rec.lines();
    let (items, end) = lines.split_at(lines.len() - 1);
    assert_eq!(items.len(), without);
    assert!(items.iter().all(|l| l["state"] == "failed"
        && l["message"]
            .as_str()
            .unwrap()
            .contains("api_get_authorizer_list")));
    assert_eq!(end[0]["job"]["state"], "done");

    // Pause: a finished job has nothing to pause; a paused one stays paused and resumable.
    let done_id = job["id"].as_i64().unwrap().to_string();
    let p = cli.ran(&["bulk", "pause", &done_id]);
    assert!(
        !p.ok && p.stderr.contains("nothing to pause"),
        "{}",
        p.stderr
    );
    sim.call(
        "/sandbox/faults",
        Some(json!({"kind": "errcode", "path": INFO, "errcode": 45009,
                    "errmsg": "reach max api daily quota limit", "times": 1})),
    );
    let spent = cli.ran(&["--json", "bulk", "details", "--status", "authorized"]);
    let details_id = spent.lines().pop().unwrap()["job"]["id"].as_i64().unwrap();
    let paused = cli.json(&["bulk", "pause", &details_id.to_string()]);
    assert_eq!(paused["state"], "paused");
    let resumed = cli.ran(&["--json", "bulk", "resume", &details_id.to_string()]);
    assert!(resumed.ok, "{}", resumed.stderr);
    assert_eq!(resumed.lines().pop().unwrap()["job"]["counts"]["ok"], 24);

    // Open binding: one account gets a new open account; then every account is bound to it
    // where WeChat allows (same principal, not bound elsewhere), and unbound again.
    let (first, open) = rows
        .iter()
        .filter(|r| r["has_refresh_token"] == true)
        .find_map(|r| {
            let appid = r["appid"].as_str().unwrap();
            let made = cli.ran(&["--json", "open", "create", appid]);
            made.ok.then(|| {
                let v: Value = serde_json::from_str(&made.stdout).unwrap();
                (
                    appid.to_string(),
                    v["open_appid"].as_str().unwrap().to_string(),
                )
            })
        })
        .expect("an account that can have an open account");
    let bind = cli.ran(&["--json", "bulk", "open-bind", &open, "--yes"]);
    let lines = bind.lines();
    let (items, end) = lines.split_at(lines.len() - 1);
    assert_eq!(
        end[0]["job"]["counts"]["skipped"],
        without + 1,
        "no refresh token, and the one already bound to it"
    );
    assert!(items.iter().all(|l| l["appid"] != first.as_str()));
    let mut bound = vec![first.clone()];
    for l in items {
        let appid = l["appid"].as_str().unwrap();
        let held = sim.call(&format!("/sandbox/authorizers/{appid}/open"), None);
        if l["state"] == "ok" {
            assert_eq!(held["open_appid"], open.as_str(), "{appid}");
            bound.push(appid.to_string());
        } else {
            assert_eq!(l["state"], "failed");
            // 89000/89001 (bound elsewhere, another principal), 61007 (no open permission set)
            assert!(l["errcode"].as_i64().is_some_and(|c| c > 0), "{l}");
            assert!(l["explanation"].is_string(), "{l}");
        }
    }
    let unbind = cli.ran(&["--json", "bulk", "open-unbind", &open, "--yes"]);
    for l in unbind.lines().iter().filter(|l| l["state"] == "ok") {
        let appid = l["appid"].as_str().unwrap();
        assert!(bound.iter().any(|b| b == appid), "{appid} was not bound");
        let held = sim.call(&format!("/sandbox/authorizers/{appid}/open"), None);
        assert!(held["open_appid"].is_null(), "{appid}: {held}");
    }
    let last = unbind.lines().pop().unwrap();
    assert_eq!(last["job"]["counts"]["ok"], bound.len(), "{last}");
}
