//! `wxopen push decrypt` with a hostile pasted body (issue 12, "one pasted push body exhausts
//! memory"): the real binary, a real profile (secrets in the keychain), the body from a file.
//! Unbounded, this body ran for minutes and past 3.9 GB before any signature check.

use std::process::{Command, Stdio};

use serde_json::Value;
use wxopen_wechat::push::MAX_BODY;

/// Elements nested 20,000 deep, then uniquely named empty elements inside the innermost one
/// until the body is just under the 1 MiB cap.
fn deep_then_wide() -> String {
    let depth = 20_000;
    let close = "</a>".repeat(depth) + "</xml>";
    let mut body = String::from("<xml>") + &"<a>".repeat(depth);
    for i in 0u64.. {
        let leaf = format!("<e{i}/>");
        if body.len() + leaf.len() + close.len() > MAX_BODY {
            break;
        }
        body.push_str(&leaf);
    }
    body + &close
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
            .stdin(Stdio::null());
        c
    }
}

#[test]
fn a_deeply_nested_wide_push_body_is_refused_with_a_push_error() {
    let cli = Cli {
        dir: tempfile::tempdir().unwrap(),
        service: format!("wxopen-cli-push-limits-{}", std::process::id()),
    };
    let mut add = cli.cmd(&[
        "--json",
        "profile",
        "add",
        "--name",
        "p",
        "--appid",
        "wx4283fefc63f0cd0e",
        "--api-base",
        "http://127.0.0.1:9",
    ]);
    add.env("WXOPEN_APPSECRET", "s3cr3t")
        .env("WXOPEN_TOKEN", "UZoL8g5ubbb")
        .env(
            "WXOPEN_AES_KEY",
            "BMNu2A5x4P13sHZw65QL1TNflz2q2GGbkf/JEfV8ztQ",
        );
    let o = add.output().unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));

    let body_file = cli.dir.path().join("hostile.xml");
    std::fs::write(&body_file, deep_then_wide()).unwrap();
    let signature = "0".repeat(40);
    let o = cli
        .cmd(&[
            "--json",
            "push",
            "decrypt",
            "--timestamp",
            "1700000000",
            "--nonce",
            "n0nce",
            "--msg-signature",
            &signature,
            body_file.to_str().unwrap(),
        ])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{stderr}");
    let err: Value = serde_json::from_slice(&o.stdout).expect("one error document");
    assert_eq!(err["code"], "push", "{err}");
    let message = err["message"].as_str().unwrap();
    assert!(
        message.contains("nests elements more than 8 deep"),
        "{message}"
    );
    assert!(
        err["hint"].as_str().unwrap().contains("raw request body"),
        "{err}"
    );
    assert!(stderr.contains("wxopen: error: push XML"), "{stderr}");

    let o = cli.cmd(&["profile", "remove", "p"]).output().unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
}
