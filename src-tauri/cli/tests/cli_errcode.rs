//! `wxopen errcode`, run as a process.

use std::process::Command;

fn wxopen() -> Command {
    Command::new(env!("CARGO_BIN_EXE_wxopen"))
}

#[test]
fn explains_61004_in_both_languages() {
    let out = wxopen()
        .args(["errcode", "61004"])
        .output()
        .expect("run wxopen");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(stdout.contains("ip_whitelist"), "{stdout}");
    assert!(stdout.contains("白名单"), "{stdout}");
    assert!(stdout.contains("whitelist"), "{stdout}");
    assert!(
        stdout.contains("建议") && stdout.contains("Hint"),
        "{stdout}"
    );
}

#[test]
fn json_is_one_explanation_document() {
    let out = wxopen()
        .args(["--json", "errcode", "61004"])
        .output()
        .expect("run wxopen");
    assert!(out.status.success());
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["errcode"], 61004);
    assert_eq!(v["known"], true);
    assert_eq!(v["kind"], "ip_whitelist");
    assert_eq!(v["retryable"], false);
    assert!(v["zh"].as_str().unwrap().contains("白名单"));
    assert!(v["hint_en"].as_str().unwrap().contains("whitelist"));
}

#[test]
fn negative_errcodes_parse() {
    let out = wxopen()
        .args(["errcode", "-1"])
        .output()
        .expect("run wxopen");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8(out.stdout).unwrap().contains("retryable"));
}

#[test]
fn unknown_errcode_exits_1_with_a_generic_explanation() {
    let out = wxopen()
        .args(["errcode", "123456"])
        .output()
        .expect("run wxopen");
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("123456"));
    assert!(String::from_utf8_lossy(&out.stdout).contains("123456"));

    let out = wxopen()
        .args(["--json", "errcode", "123456"])
        .output()
        .expect("run wxopen");
    assert_eq!(out.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["known"], false);
    assert_eq!(v["kind"], "unknown");
}

#[test]
fn errmsg_puts_the_client_ip_into_the_hint() {
    let out = wxopen()
        .args([
            "--json",
            "errcode",
            "61004",
            "--errmsg",
            "access clientip is not registered requestIP: 203.0.113.7 rid: 6561c1a2-1b2c3d4e-5f607182",
        ])
        .output()
        .expect("run wxopen");
    assert!(out.status.success());
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["client_ip"], "203.0.113.7");
    assert_eq!(v["rid"], "6561c1a2-1b2c3d4e-5f607182");
    assert!(
        v["hint_zh"].as_str().unwrap().contains("203.0.113.7"),
        "{v}"
    );
    assert!(
        v["hint_en"].as_str().unwrap().contains("203.0.113.7"),
        "{v}"
    );
}
