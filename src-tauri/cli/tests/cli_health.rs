//! `wxopen health`, run as a process against an in-process simulator with a real SQLite file and
//! the keychain (under a test-only service name): account states, what was revoked since the
//! previous sync, and the commonest errcodes explained.

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

/// Moves the cache's recorded times an hour back, as if the first sync had run earlier (times are
/// whole seconds; a test must not sleep to separate two syncs).
fn rewind(dir: &std::path::Path) {
    let c = rusqlite::Connection::open(dir.join("wxopen.sqlite3")).unwrap();
    c.execute_batch(
        "UPDATE sync_runs SET started_at = started_at - 3600, updated_at = updated_at - 3600,
                              finished_at = finished_at - 3600;
         UPDATE authorizers SET created_at = created_at - 3600,
                                status_changed_at = status_changed_at - 3600;",
    )
    .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn health_names_what_needs_attention() {
    let sandbox = Sandbox::start(SandboxConfig {
        authorizers: 20,
        ..Default::default()
    })
    .await
    .unwrap();
    let creds = sandbox.credentials().clone();
    let base = sandbox.base_url();
    let ticket = sandbox.control().issue_ticket();
    let cli = Cli {
        dir: tempfile::tempdir().unwrap(),
        service: format!("wxopen-cli-health-test-{}", std::process::id()),
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
        let h = cli.ok(&["health"]);
        assert_eq!(h["accounts"]["total"], 0, "{h}");
        assert!(h["last_sync"].is_null());
        cli.ok(&["authorizers", "sync"]);
        rewind(cli.dir.path());
        cli
    })
    .await
    .unwrap();

    let all = cli.ok(&["authorizers", "list", "--limit", "100"]);
    let gone = all["rows"][0]["appid"].as_str().unwrap().to_string();
    sandbox.control().unauthorize(&gone).unwrap();
    let cli = tokio::task::spawn_blocking(move || {
        cli.ok(&["authorizers", "sync"]);
        // A component-token call that fails (61003): it shows among the errcodes.
        cli.fails(&["authorizer", "show", "wx0123456789abcdef"]);
        cli
    })
    .await
    .unwrap();

    let h = cli.ok(&["health"]);
    assert_eq!(h["accounts"]["total"], 20, "{h}");
    assert_eq!(h["accounts"]["revoked"], 1);
    let revoked = &h["revoked_since_previous_sync"];
    assert_eq!(revoked["count"], 1, "{h}");
    assert_eq!(revoked["first"][0]["appid"], gone.as_str());
    assert_eq!(h["new_since_previous_sync"]["count"], 0);
    let top = &h["top_errcodes"][0];
    assert_eq!(top["errcode"], 61003, "{h}");
    assert_eq!(top["count"], 1);
    assert_eq!(top["explanation"]["known"], true);
    assert_eq!(h["quota"]["resets_left"], 10);

    let text = cli.cmd(&["health"]).output().unwrap();
    assert!(text.status.success());
    let text = String::from_utf8(text.stdout).unwrap();
    assert!(
        text.contains("revoked since the previous sync: 1"),
        "{text}"
    );
    assert!(text.contains(&gone), "{text}");
    assert!(text.contains("1 × 61003"), "{text}");
}
