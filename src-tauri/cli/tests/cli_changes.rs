//! `wxopen authorizers changes`: the real binary against a `wxopen sandbox serve` child. A
//! first sync records one baseline line; the simulator's accounts then change through its
//! control API (one revoked, one renamed and verified, one granting other permission sets), a
//! second sync records exactly those changes, and the command lists and filters them.

#[path = "support/sim_cli.rs"]
mod sim_cli;

use serde_json::{json, Value};
use sim_cli::setup;

fn lines(text: &str) -> Vec<Value> {
    text.lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{l:?}: {e}")))
        .collect()
}

fn brief(changes: &[Value]) -> Vec<(String, String)> {
    let mut v: Vec<(String, String)> = changes
        .iter()
        .map(|c| {
            (
                c["appid"].as_str().unwrap().to_owned(),
                c["kind"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    v.sort();
    v
}

#[test]
fn a_second_sync_records_what_changed_in_the_simulator() {
    let (sim, cli) = setup(20, 100_000, "changes");
    let first = cli.sync_json(&[]);
    assert_eq!(first["run"]["state"], "done", "{first}");
    assert!(sim.info_calls() >= 20);
    // The first sync: one line, not twenty `authorized`.
    let baseline = lines(&cli.run(&["--json", "authorizers", "changes"]));
    assert_eq!(baseline.len(), 1, "{baseline:?}");
    assert_eq!(baseline[0]["kind"], "baseline");
    assert_eq!(baseline[0]["new"], "20");
    let listed: Value =
        serde_json::from_str(&cli.run(&["--json", "authorizers", "list", "--limit", "3"])).unwrap();
    let appid = |i: usize| listed["rows"][i]["appid"].as_str().unwrap().to_owned();
    let (gone, renamed, regranted) = (appid(0), appid(1), appid(2));
    let ok = |path: &str, body: Value| {
        let r = sim.call(path, Some(body));
        assert_eq!(r["ok"], json!(true), "{path}: {r}");
    };
    ok("/sandbox/unauthorize", json!({"appid": gone}));
    ok(
        "/sandbox/edit_authorizer",
        json!({"appid": renamed, "nick_name": "改名测试号", "verify_type": 5}),
    );
    ok(
        "/sandbox/edit_authorizer",
        json!({"appid": regranted, "func_ids": [1, 999]}),
    );
    // Details fetched minutes ago are fresh: refetch them all to see the edits.
    let second = cli.sync_json(&["--stale-after", "0s"]);
    assert_eq!(second["run"]["state"], "done", "{second}");
    let run2 = second["run"]["id"].as_i64().unwrap().to_string();
    let changes = lines(&cli.run(&["--json", "authorizers", "changes", "--since", &run2]));
    assert_eq!(
        brief(&changes),
        {
            let mut want = vec![
                (gone.clone(), "revoked".to_owned()),
                (renamed.clone(), "renamed".to_owned()),
                (renamed.clone(), "verify_type".to_owned()),
                (regranted.clone(), "permissions".to_owned()),
            ];
            want.sort();
            want
        },
        "{changes:?}"
    );
    let find = |kind: &str| changes.iter().find(|c| c["kind"] == kind).unwrap().clone();
    let rename = find("renamed");
    assert_eq!(rename["new"], "改名测试号");
    assert_eq!(rename["nick_name"], "改名测试号");
    assert_eq!(rename["sync_run_id"].as_i64().unwrap().to_string(), run2);
    assert_eq!(find("verify_type")["new"], "5");
    let perms = find("permissions");
    // granted now: 1 and 999; the seeded sets besides 1 are gone
    let added = perms["added"].as_array().unwrap();
    assert!(added.contains(&json!(999)), "{perms}");
    assert!(added.iter().all(|id| id == 1 || id == 999), "{perms}");
    let removed = perms["removed"].as_array().unwrap();
    assert!(!removed.is_empty(), "{perms}");
    assert!(
        !removed.contains(&json!(1)) && !removed.contains(&json!(999)),
        "{perms}"
    );
    // Filters: a kind, an account; the text form; every change since a date.
    let kind = lines(&cli.run(&["--json", "authorizers", "changes", "--kind", "renamed"]));
    assert_eq!(brief(&kind), vec![(renamed.clone(), "renamed".to_owned())]);
    let one = lines(&cli.run(&["--json", "authorizers", "changes", "--appid", &regranted]));
    assert_eq!(
        brief(&one),
        vec![(regranted.clone(), "permissions".to_owned())]
    );
    let all = lines(&cli.run(&["--json", "authorizers", "changes", "--since", "2000-01-01"]));
    assert_eq!(all.len(), 5, "{all:?}");
    let text = cli.run(&["authorizers", "changes", "--sync", &run2]);
    assert!(
        text.contains("改名测试号") && text.contains(" 999] -["),
        "{text}"
    );
    assert!(text.contains("4 of 4 changes"), "{text}");
    let o = cli
        .cmd(&["authorizers", "changes", "--kind", "moved"])
        .output()
        .unwrap();
    assert!(!o.status.success());
    assert!(String::from_utf8_lossy(&o.stderr).contains("renamed"));
    let o = cli
        .cmd(&["authorizers", "changes", "--since", "99999"])
        .output()
        .unwrap();
    assert!(!o.status.success(), "an unknown sync run is refused");
    // A sync that sees nothing new records nothing.
    let third = cli.sync_json(&[]);
    let run3 = third["run"]["id"].as_i64().unwrap().to_string();
    assert!(cli
        .run(&["--json", "authorizers", "changes", "--sync", &run3])
        .is_empty());
}
