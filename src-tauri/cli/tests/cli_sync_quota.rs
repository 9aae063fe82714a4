//! `wxopen authorizers sync --details` spends the platform's daily quota with care: the real
//! binary against a `wxopen sandbox serve` child (its own process, its quota and call counts
//! outlive every CLI run). A second pass fetches nothing, `--stale-after 0s` everything,
//! `--max-calls` bounds the info calls, a small daily limit stops at the reserve with the reset
//! time, and the run resumes once the simulator's clock passes 00:00 Beijing time.

#[path = "support/sim_cli.rs"]
mod sim_cli;

use serde_json::{json, Value};
use sim_cli::{Cli, Simulator};

fn setup(authorizers: u32, daily_quota: u32) -> (Simulator, Cli) {
    sim_cli::setup(authorizers, daily_quota, "quota")
}

#[test]
fn only_stale_details_are_fetched_and_max_calls_bounds_a_pass() {
    let (sim, cli) = setup(60, 100_000);
    let first = cli.sync_json(&["--max-calls", "10"]);
    assert_eq!(first["stop"]["kind"], "max_calls", "{first}");
    assert_eq!(first["run"]["state"], "cancelled");
    assert_eq!(sim.info_calls(), 10);
    let rest = cli.sync_json(&[]);
    assert_eq!(rest["resumed"], true);
    assert_eq!(rest["run"]["state"], "done");
    assert_eq!(rest["run"]["details_done"], 60);
    assert_eq!(sim.info_calls(), 60);
    // All fresh: the next pass fetches none, and says what the quota is.
    let text = cli.run(&["authorizers", "sync", "--details"]);
    assert_eq!(sim.info_calls(), 60);
    assert!(text.contains("details 0/0"), "{text}");
    assert!(
        text.contains("quota before: 99940 of 100000 api_get_authorizer_info calls remain today (20000 kept for the backend)"),
        "{text}"
    );
    // Older than 0 s: every account again.
    let all = cli.sync_json(&["--stale-after", "0s"]);
    assert_eq!(all["run"]["details_done"], 60);
    assert_eq!(sim.info_calls(), 120);
    let o = cli
        .cmd(&["authorizers", "sync", "--details", "--stale-after", "soon"])
        .output()
        .unwrap();
    assert!(!o.status.success());
    assert!(String::from_utf8_lossy(&o.stderr).contains("24h"));
    // The settings, kept in the data dir: the default age is a day; set to 0 s, a plain
    // `--details` refetches everything.
    assert!(cli
        .run(&["quota", "stale-after"])
        .contains("older than 24 h"));
    cli.run(&["quota", "stale-after", "0s"]);
    let plain = cli.sync_json(&[]);
    assert_eq!(plain["run"]["details_done"], 60);
    assert_eq!(sim.info_calls(), 180);
    // The reserve setting is what the pass keeps back: 99 % of the day's 100,000 calls, which
    // still leaves it 820 (99,820 remain), more than the 60 it needs.
    let reserve: Value =
        serde_json::from_str(&cli.run(&["--json", "quota", "reserve", "99"])).unwrap();
    assert_eq!(reserve["reserve_percent"], 99);
    let kept = cli.sync_json(&[]);
    assert_eq!(kept["quota_before"]["reserve"], 99_000, "{kept}");
    assert_eq!(kept["quota_before"]["remain"], 99_820);
    assert_eq!(kept["stop"], Value::Null);
    assert_eq!(sim.info_calls(), 240);
    let o = cli.cmd(&["quota", "reserve", "100"]).output().unwrap();
    assert!(!o.status.success());
}

#[test]
fn a_small_daily_limit_stops_at_the_reserve_until_the_reset() {
    let (sim, cli) = setup(150, 100);
    let o = cli
        .cmd(&["authorizers", "sync", "--details"])
        .output()
        .unwrap();
    assert!(o.status.success());
    let (text, progress) = (
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr),
    );
    // The progress shows what is left as read before the pass and after it.
    assert!(progress.contains("quota left 100\n"), "{progress}");
    assert!(progress.contains("quota left 20\n"), "{progress}");
    assert!(
        text.contains("stopped: the quota reserve is reached (20 of 100 calls remain, 20 kept for the backend). WeChat resets the quota daily at 00:00 Beijing time"),
        "{text}"
    );
    assert!(text.contains("quota after: 20 of 100"), "{text}");
    // limit × (1 − reserve)
    assert_eq!(sim.info_calls(), 80);
    let again = cli.sync_json(&[]);
    assert_eq!(again["stop"]["kind"], "quota_reserve");
    assert_eq!(sim.info_calls(), 80);
    // A day on (past 00:00 Beijing time whatever the hour now), with a new ticket.
    sim.call("/sandbox/clock/advance", Some(json!({"secs": 86_400})));
    cli.set_ticket(&sim);
    let done = cli.sync_json(&[]);
    assert_eq!(done["resumed"], true, "{done}");
    assert_eq!(done["run"]["state"], "done");
    assert_eq!(done["run"]["details_done"], 150);
    assert_eq!(done["run"]["errors"], 0);
    assert_eq!(sim.info_calls(), 150);
}
