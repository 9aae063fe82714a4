//! `wxopen authorizers sync --details` spends the platform's daily quota with care: the real
//! binary against a `wxopen sandbox serve` child (its own process, its quota and call counts
//! outlive every CLI run). A second pass fetches nothing, `--stale-after 0s` everything,
//! `--max-calls` bounds the info calls, a small daily limit stops at the reserve with the reset
//! time, and the run resumes once the simulator's clock passes 00:00 Beijing time.

use std::io::{BufRead, BufReader, Write};
use std::process::{Child, Command, Stdio};

use serde_json::{json, Value};

const INFO_PATH: &str = "/cgi-bin/component/api_get_authorizer_info";

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
    fn start(authorizers: u32, daily_quota: u32) -> Simulator {
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

    fn field(&self, name: &str) -> String {
        self.info[name].as_str().unwrap().to_string()
    }

    fn call(&self, path: &str, body: Option<Value>) -> Value {
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

    fn info_calls(&self) -> i64 {
        self.call("/sandbox/stats", None)["calls"][INFO_PATH]
            .as_i64()
            .unwrap_or(0)
    }
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

    fn run(&self, args: &[&str]) -> String {
        let o = self.cmd(args).output().unwrap();
        assert!(
            o.status.success(),
            "wxopen {args:?} failed: {}{}",
            String::from_utf8_lossy(&o.stdout),
            String::from_utf8_lossy(&o.stderr)
        );
        String::from_utf8(o.stdout).unwrap()
    }

    fn sync_json(&self, extra: &[&str]) -> Value {
        let mut args = vec!["--json", "authorizers", "sync", "--details"];
        args.extend_from_slice(extra);
        serde_json::from_str(&self.run(&args)).unwrap()
    }

    /// A fresh ticket from the simulator, in on stdin (`ticket set` refuses one in argv).
    fn set_ticket(&self, sim: &Simulator) {
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
}

fn setup(authorizers: u32, daily_quota: u32) -> (Simulator, Cli) {
    let sim = Simulator::start(authorizers, daily_quota);
    let cli = Cli {
        dir: tempfile::tempdir().unwrap(),
        service: format!(
            "wxopen-quota-test-{}-{}",
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
        "quota",
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
    cli.set_ticket(&sim);
    (sim, cli)
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
