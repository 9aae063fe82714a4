//! `wxopen diag rid`, `wxopen authorizer quota` and `wxopen authorizer clear-quota`, run as
//! processes against an in-process simulator with a real SQLite file and the keychain (under a
//! test-only service name): the rid of a failed call is looked up with the token that made it.

use std::process::{Command, Output, Stdio};

use serde_json::Value;
use wxopen_sandbox::{Sandbox, SandboxConfig};

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

    fn json(&self, args: &[&str]) -> Output {
        let mut full = vec!["--json"];
        full.extend_from_slice(args);
        self.cmd(&full).output().unwrap()
    }

    fn ok(&self, args: &[&str]) -> Value {
        let o = self.json(args);
        assert!(
            o.status.success(),
            "wxopen {args:?}: {}{}",
            String::from_utf8_lossy(&o.stdout),
            String::from_utf8_lossy(&o.stderr)
        );
        serde_json::from_slice(&o.stdout).unwrap()
    }

    fn fails(&self, args: &[&str]) -> (Value, String) {
        let o = self.json(args);
        assert!(!o.status.success(), "wxopen {args:?} should fail");
        (
            serde_json::from_slice(&o.stdout).expect("error document"),
            String::from_utf8(o.stderr).unwrap(),
        )
    }
}

fn rid_of(err: &Value) -> String {
    err["explanation"]["rid"]
        .as_str()
        .unwrap_or_else(|| panic!("no rid in {err}"))
        .to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rid_lookup_and_an_authorizers_quota_from_the_cli() {
    let sandbox = Sandbox::start(SandboxConfig {
        authorizers: 30,
        ..Default::default()
    })
    .await
    .unwrap();
    let creds = sandbox.credentials().clone();
    let base = sandbox.base_url();
    let ticket = sandbox.control().issue_ticket();
    let cli = Cli {
        dir: tempfile::tempdir().unwrap(),
        service: format!("wxopen-cli-diag-test-{}", std::process::id()),
    };
    let cli = tokio::task::spawn_blocking(move || {
        let mut add = cli.cmd(&[
            "--json",
            "profile",
            "add",
            "--name",
            "main",
            "--appid",
            &creds.component_appid,
            "--api-base",
            &base,
        ]);
        add.env("WXOPEN_APPSECRET", &creds.appsecret)
            .env("WXOPEN_TOKEN", &creds.token)
            .env("WXOPEN_AES_KEY", &creds.encoding_aes_key);
        assert!(add.output().unwrap().status.success());
        let mut set = cli.cmd(&["ticket", "set", "-"]);
        let mut child = set
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .spawn()
            .unwrap();
        use std::io::Write;
        child
            .stdin
            .take()
            .unwrap()
            .write_all(format!("{ticket}\n").as_bytes())
            .unwrap();
        assert!(child.wait().unwrap().success());
        cli.ok(&["authorizers", "sync"]);
        let all = cli.ok(&["authorizers", "list", "--limit", "100"]);
        let appid = all["rows"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["has_refresh_token"] == true)
            .expect("an account with a refresh token")["appid"]
            .as_str()
            .unwrap()
            .to_string();

        // A component-token call that fails: its rid is the platform's.
        let (err, _) = cli.fails(&["authorizer", "show", "wx0123456789abcdef"]);
        assert_eq!(err["errcode"], 61003, "{err}");
        let platform_rid = rid_of(&err);
        let r = cli.ok(&["diag", "rid", &platform_rid]);
        assert!(r["asked_as"].is_null(), "{r}");
        assert!(r["response_body"].as_str().unwrap().contains("61003"));
        assert!(r["request_body"]
            .as_str()
            .unwrap()
            .contains("wx0123456789abcdef"));
        assert!(r["request_url"]
            .as_str()
            .unwrap()
            .starts_with("component_access_token="));
        assert_eq!(r["client_ip"], "127.0.0.1");
        assert!(r["invoke_time"].as_i64().unwrap() > 0);
        // Asked with an authorizer's token, WeChat refuses: the token kind matters.
        let (err, _) = cli.fails(&["diag", "rid", &platform_rid, "--appid", &appid]);
        assert_eq!(err["errcode"], 76003, "{err}");

        // An authorizer-token call that fails: the audit row tells whose token to ask with.
        let (err, _) = cli.fails(&["open", "bind", &appid, "wx0000000000000000"]);
        let authorizer_rid = rid_of(&err);
        let r = cli.ok(&["diag", "rid", &authorizer_rid]);
        assert_eq!(r["asked_as"], appid.as_str(), "{r}");
        assert!(r["request_url"]
            .as_str()
            .unwrap()
            .starts_with("access_token="));
        let text = String::from_utf8(
            cli.cmd(&["diag", "rid", &authorizer_rid])
                .output()
                .unwrap()
                .stdout,
        )
        .unwrap();
        assert!(
            text.contains("request url") && text.contains(&appid),
            "{text}"
        );
        let (err, _) = cli.fails(&["diag", "rid", "00000000-00000000-00000000"]);
        assert_eq!(err["errcode"], 76001);

        // Quota of the authorizer's own API, with its own token.
        let q = cli.ok(&[
            "authorizer",
            "quota",
            &appid,
            "--path",
            "/cgi-bin/open/bind",
        ]);
        assert_eq!(q["daily_limit"], 100_000);
        assert_eq!(q["used"], 1, "{q}");
        assert_eq!(q["remain"], 99_999);
        let (err, _) = cli.fails(&[
            "authorizer",
            "quota",
            &appid,
            "--path",
            "https://api.weixin.qq.com/cgi-bin/open/bind",
        ]);
        assert_eq!(err["code"], "invalid_input");
        let (err, _) = cli.fails(&[
            "authorizer",
            "quota",
            &appid,
            "--path",
            "/cgi-bin/component/api_get_authorizer_list",
        ]);
        assert_eq!(err["errcode"], 76022);

        // Clearing it spends one of the account's own resets, and only with --yes.
        let (err, stderr) = cli.fails(&["authorizer", "clear-quota", &appid]);
        assert_eq!(err["code"], "refused");
        assert!(
            stderr.contains("--yes") && stderr.contains("10 resets"),
            "{stderr}"
        );
        let c = cli.ok(&["authorizer", "clear-quota", &appid, "--yes"]);
        assert_eq!(c["resets_this_month"], 1);
        assert_eq!(c["resets_left"], 9);
        let q = cli.ok(&[
            "authorizer",
            "quota",
            &appid,
            "--path",
            "/cgi-bin/open/bind",
        ]);
        assert_eq!(q["used"], 0, "{q}");
        // The platform's budget is untouched.
        assert_eq!(cli.ok(&["quota", "clear"])["resets_left"], 9);
        cli.ok(&["profile", "remove", "main"]);
        cli
    })
    .await
    .unwrap();
    drop(cli);
    sandbox.shutdown().await;
}
