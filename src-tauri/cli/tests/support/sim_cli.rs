//! The real `wxopen` binary against a `wxopen sandbox serve` child: the simulator in its own
//! process (its quota, call counts and faults outlive every CLI run), each CLI run a process of
//! its own on a temp data dir and a keychain service of its own.
// Each test binary that includes it uses a part.
#![allow(dead_code)]

use std::io::{BufRead, BufReader, Write};
use std::process::{Child, Command, Stdio};

use serde_json::{json, Value};

pub const INFO_PATH: &str = "/cgi-bin/component/api_get_authorizer_info";

pub struct Simulator {
    pub child: Child,
    pub info: Value,
}

impl Drop for Simulator {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Simulator {
    pub fn start(authorizers: u32, daily_quota: u32) -> Simulator {
        let mut child = Command::new(env!("CARGO_BIN_EXE_wxopen"))
            .args(["--json", "sandbox", "serve", "--port", "0"])
            .args(["--authorizers", &authorizers.to_string()])
            .args(["--daily-quota", &daily_quota.to_string()])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .spawn()
            .expect("start wxopen sandbox serve");
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let info: Value = serde_json::from_str(&line).unwrap();
        Simulator { child, info }
    }

    pub fn field(&self, name: &str) -> String {
        self.info[name].as_str().unwrap().to_string()
    }

    /// A control or API call (`body`: POST as JSON, else GET), with the control token.
    pub fn call(&self, path: &str, body: Option<Value>) -> Value {
        let url = format!("{}{path}", self.field("base_url"));
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(async {
            let c = reqwest::Client::new();
            let req = match body {
                Some(b) => c.post(&url).json(&b),
                None => c.get(&url),
            };
            let req = req.header("X-Sandbox-Token", self.field("control_token"));
            req.send().await.unwrap().json().await.unwrap()
        })
    }

    /// Calls the simulator answered on `path` so far.
    pub fn calls(&self, path: &str) -> i64 {
        self.call("/sandbox/stats", None)["calls"][path]
            .as_i64()
            .unwrap_or(0)
    }

    pub fn info_calls(&self) -> i64 {
        self.calls(INFO_PATH)
    }
}

pub struct Cli {
    pub dir: tempfile::TempDir,
    pub service: String,
}

/// What one run printed and how it ended.
pub struct Ran {
    pub ok: bool,
    pub stdout: String,
    pub stderr: String,
}

impl Ran {
    /// The JSON lines of stdout.
    pub fn lines(&self) -> Vec<Value> {
        self.stdout
            .lines()
            .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
            .collect()
    }
}

impl Cli {
    pub fn cmd(&self, args: &[&str]) -> Command {
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

    pub fn ran(&self, args: &[&str]) -> Ran {
        let o = self.cmd(args).output().unwrap();
        Ran {
            ok: o.status.success(),
            stdout: String::from_utf8(o.stdout).unwrap(),
            stderr: String::from_utf8(o.stderr).unwrap(),
        }
    }

    pub fn run(&self, args: &[&str]) -> String {
        let r = self.ran(args);
        assert!(r.ok, "wxopen {args:?} failed: {}{}", r.stdout, r.stderr);
        r.stdout
    }

    /// `wxopen --json ARGS`, which must succeed, as one JSON document.
    pub fn json(&self, args: &[&str]) -> Value {
        let mut all = vec!["--json"];
        all.extend_from_slice(args);
        serde_json::from_str(&self.run(&all)).unwrap()
    }

    /// The data dir's SQLite file (the CLI runs are over: nothing else writes it).
    pub fn db(&self) -> rusqlite::Connection {
        rusqlite::Connection::open(self.dir.path().join("wxopen.sqlite3")).unwrap()
    }

    pub fn sync_json(&self, extra: &[&str]) -> Value {
        let mut args = vec!["--json", "authorizers", "sync", "--details"];
        args.extend_from_slice(extra);
        serde_json::from_str(&self.run(&args)).unwrap()
    }

    /// A fresh ticket from the simulator, in on stdin (`ticket set` refuses one in argv).
    pub fn set_ticket(&self, sim: &Simulator) {
        let ticket = sim.call("/sandbox/ticket", Some(json!({})))["ticket"]
            .as_str()
            .unwrap()
            .to_string();
        let mut set = self
            .cmd(&["--json", "ticket", "set"])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        set.stdin
            .take()
            .unwrap()
            .write_all(ticket.as_bytes())
            .unwrap();
        let o = set.wait_with_output().unwrap();
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    }

    /// A new data dir with a profile on `sim` (secrets in through the environment, into a
    /// keychain service of its own) and a ticket.
    pub fn on(sim: &Simulator, label: &str) -> Cli {
        let cli = Cli {
            dir: tempfile::tempdir().unwrap(),
            service: format!(
                "wxopen-{label}-{}-{}",
                std::process::id(),
                std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .unwrap()
                    .as_nanos()
            ),
        };
        let mut add = cli.cmd(&[
            "--json",
            "profile",
            "add",
            "--name",
            label,
            "--appid",
            &sim.field("component_appid"),
            "--api-base",
            &sim.field("base_url"),
        ]);
        add.env("WXOPEN_APPSECRET", sim.field("appsecret"))
            .env("WXOPEN_TOKEN", sim.field("token"))
            .env("WXOPEN_AES_KEY", sim.field("encoding_aes_key"))
            .stdout(Stdio::null());
        assert!(add.status().unwrap().success());
        cli.set_ticket(sim);
        cli
    }
}

/// A simulator with `authorizers` accounts and a CLI with a profile named `label` on it.
pub fn setup(authorizers: u32, daily_quota: u32, label: &str) -> (Simulator, Cli) {
    let sim = Simulator::start(authorizers, daily_quota);
    let cli = Cli::on(&sim, label);
    (sim, cli)
}
