//! `wxopen health`: the real binary against a `wxopen sandbox serve` child. Before a sync it
//! says so; after a sync that saw changes and a refused refresh token (61023) it names the
//! account to re-authorize, the latest sync's revocations and permission changes, the errcode
//! of the last 24 h explained, and the command that shows each.

#[path = "support/sim_cli.rs"]
mod sim_cli;

use serde_json::{json, Value};
use sim_cli::{setup, Cli, Simulator};

fn health(cli: &Cli) -> Value {
    serde_json::from_str(&cli.run(&["--json", "health"])).unwrap()
}

/// The account's admin authorizes again through a link the CLI creates: its stored refresh
/// token dies (61023) and the list carries a new one and a new auth_time.
fn reauthorize(sim: &Simulator, cli: &Cli, appid: &str) {
    let link: Value = serde_json::from_str(&cli.run(&[
        "--json",
        "link",
        "create",
        "--redirect-uri",
        "https://example.com/cb",
    ]))
    .unwrap();
    // The answer does not print the code itself: it is in the links.
    let pc = link["pc_link"].as_str().unwrap();
    let code = pc
        .split("pre_auth_code=")
        .nth(1)
        .and_then(|rest| rest.split('&').next())
        .unwrap_or_else(|| panic!("no pre_auth_code in {pc}"))
        .replace("%40", "@");
    let out = sim.call(
        "/sandbox/authorize",
        Some(json!({"pre_auth_code": code, "appid": appid})),
    );
    assert_eq!(out["info_type"], "updateauthorized", "{out}");
}

#[test]
fn health_names_what_needs_attention() {
    let (sim, cli) = setup(12, 100_000, "health");
    let before = health(&cli);
    assert_eq!(before["last_sync"], Value::Null, "{before}");
    assert_eq!(before["ticket"]["valid"], true);
    assert_eq!(before["quota"]["resets_left"], 10);
    assert_eq!(before["top_errcodes"], json!([]));
    assert!(cli.run(&["health"]).contains("none finished yet"));

    cli.sync_json(&[]);
    let listed: Value =
        serde_json::from_str(&cli.run(&["--json", "authorizers", "list", "--limit", "3"])).unwrap();
    let appid = |i: usize| listed["rows"][i]["appid"].as_str().unwrap().to_owned();
    let (reauth, gone, regranted) = (appid(0), appid(1), appid(2));
    let r = sim.call("/sandbox/unauthorize", Some(json!({"appid": gone})));
    assert_eq!(r["ok"], true, "{r}");
    let r = sim.call(
        "/sandbox/edit_authorizer",
        Some(json!({"appid": regranted, "func_ids": [1, 999]})),
    );
    assert_eq!(r["ok"], true, "{r}");
    let second = cli.sync_json(&["--stale-after", "0s"]);
    let run2 = second["run"]["id"].as_i64().unwrap();
    // Then the admin authorizes again: the refresh token the console holds is dead.
    reauthorize(&sim, &cli, &reauth);
    let o = cli
        .cmd(&["authorizer", "refresh-token", &reauth])
        .output()
        .unwrap();
    assert!(!o.status.success(), "the old refresh token is refused");

    let h = health(&cli);
    assert_eq!(h["needs_reauth"]["count"], 1, "{h}");
    assert_eq!(h["needs_reauth"]["sample"], json!([reauth]));
    let last = &h["last_sync"];
    assert_eq!(last["sync_run_id"], run2, "{last}");
    assert_eq!(last["counts"]["revoked"], 1);
    assert_eq!(last["counts"]["permissions"], 1);
    assert_eq!(last["permission_changes"][0]["appid"], json!(regranted));
    assert!(last["permission_changes"][0]["added"]
        .as_array()
        .unwrap()
        .contains(&json!(999)));
    let top = &h["top_errcodes"][0];
    assert_eq!(
        (top["errcode"].as_i64(), top["count"].as_i64()),
        (Some(61023), Some(1)),
        "{h}"
    );
    assert_eq!(top["explanation"]["known"], true);
    assert!(top["last_endpoint"]
        .as_str()
        .unwrap()
        .ends_with("api_authorizer_token"));
    let missing = h["missing_refresh_token"]["count"].as_u64().unwrap();
    assert_eq!(
        missing,
        h["counts"]["missing_refresh_token"].as_u64().unwrap()
    );
    assert_eq!(
        h["missing_refresh_token"]["sample"]
            .as_array()
            .unwrap()
            .len() as u64,
        missing.min(10)
    );

    let text = cli.run(&["health"]);
    for want in [
        format!("1 (61023): {reauth}"),
        "wxopen authorizers list --status needs_reauth".to_owned(),
        format!("wxopen authorizers changes --sync {run2} --kind revoked"),
        format!("wxopen authorizers changes --sync {run2} --kind permissions"),
        "61023 ×1".to_owned(),
        "10 of 10 left this month".to_owned(),
    ] {
        assert!(text.contains(&want), "{want:?} missing from:\n{text}");
    }
}
