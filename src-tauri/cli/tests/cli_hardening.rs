//! Hardening through the real `wxopen` binary: the ticket never comes from argv, two processes
//! never run one profile's sync at once (a stopped owner keeps its lease, a killed one loses it
//! at once), and `maintenance` prunes old history. Real SQLite files in tempdirs; the sync test
//! runs against a `wxopen sandbox serve` child and uses the keychain (run it under
//! scripts/session.sh).

use std::io::{BufRead, BufReader, Write};
use std::process::{Child, Command, Output, Stdio};

use serde_json::{json, Value};

struct Cli {
    dir: tempfile::TempDir,
    service: String,
}

impl Cli {
    fn new() -> Cli {
        Cli {
            dir: tempfile::tempdir().unwrap(),
            service: format!(
                "wxopen-hardening-test-{}-{}",
                std::process::id(),
                std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .unwrap()
                    .as_nanos()
            ),
        }
    }

    fn cmd(&self, args: &[&str]) -> Command {
        let mut c = Command::new(env!("CARGO_BIN_EXE_wxopen"));
        c.arg("--data-dir")
            .arg(self.dir.path())
            .args(args)
            .env("WXOPEN_KEYCHAIN_SERVICE", &self.service)
            // A stopped owner must keep its lease for the whole test, however slow the machine.
            .env("WXOPEN_SYNC_LEASE_SECS", "3600")
            .env_remove("WXOPEN_APPSECRET")
            .env_remove("WXOPEN_TOKEN")
            .env_remove("WXOPEN_AES_KEY")
            .stdin(Stdio::null());
        c
    }

    /// Runs `c` with `input` on stdin (a pipe).
    fn run_with(&self, mut c: Command, input: &str) -> Output {
        let mut child = c
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        child
            .stdin
            .take()
            .unwrap()
            .write_all(input.as_bytes())
            .unwrap();
        child.wait_with_output().unwrap()
    }

    fn ok(&self, c: Command) -> Value {
        self.ok_with(c, "")
    }

    fn ok_with(&self, c: Command, input: &str) -> Value {
        let o = self.run_with(c, input);
        assert!(
            o.status.success(),
            "wxopen failed: {}{}",
            String::from_utf8_lossy(&o.stdout),
            String::from_utf8_lossy(&o.stderr)
        );
        serde_json::from_slice(&o.stdout).unwrap()
    }

    fn db(&self) -> rusqlite::Connection {
        rusqlite::Connection::open(self.dir.path().join("wxopen.sqlite3")).unwrap()
    }

    /// A profile row written straight into the file (no keychain needed for tickets).
    fn bare_profile(&self) {
        self.ok(self.cmd(&["--json", "profile", "list"]));
        self.db()
            .execute_batch(
                "INSERT INTO profiles (id, name, component_appid, api_base, created_at, updated_at)
                     VALUES (1, 'bare', 'wx00000000000000aa', 'http://127.0.0.1:9', 1, 1);
                 INSERT INTO settings (key, value) VALUES ('selected_profile', '1');",
            )
            .unwrap();
    }
}

#[test]
fn a_ticket_in_argv_is_refused_and_stdin_is_read() {
    let cli = Cli::new();
    cli.bare_profile();
    let o = cli.run_with(
        cli.cmd(&["--json", "ticket", "set", "ticket@@@in-argv"]),
        "",
    );
    assert!(!o.status.success(), "a ticket in argv must be refused");
    let err: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(err["code"], "invalid_input", "{err}");
    let msg = err["message"].as_str().unwrap();
    assert!(msg.contains("command line"), "{msg}");
    assert!(msg.contains("nothing was stored"), "{msg}");
    assert!(msg.contains("wxopen ticket set"), "{msg}");
    assert!(
        !msg.contains("ticket@@@in-argv"),
        "the error does not repeat it: {msg}"
    );
    let tickets: i64 = cli
        .db()
        .query_row("SELECT count(*) FROM tickets", [], |r| r.get(0))
        .unwrap();
    assert_eq!(tickets, 0, "nothing stored");

    // From a pipe, with or without `-`.
    let t = cli.ok_with(cli.cmd(&["--json", "ticket", "set"]), "ticket@@@piped-1\n");
    assert_eq!(t["present"], true, "{t}");
    let t = cli.ok_with(
        cli.cmd(&["--json", "ticket", "set", "-"]),
        "ticket@@@piped-2\n",
    );
    assert_eq!(t["valid"], true, "{t}");
    let stored: String = cli
        .db()
        .query_row(
            "SELECT ticket FROM tickets ORDER BY id DESC LIMIT 1",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(stored, "ticket@@@piped-2");
}

#[test]
fn maintenance_prunes_history_past_the_retention() {
    let cli = Cli::new();
    cli.bare_profile();
    let r = cli.ok(cli.cmd(&["--json", "maintenance", "retention"]));
    assert_eq!(r["retention_days"], 90);
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    let day = 86_400;
    {
        let db = cli.db();
        for at in [now - 100 * day, now - 40 * day, now - day] {
            db.execute(
                "INSERT INTO audit_log (at, endpoint, duration_ms) VALUES (?1, 'api_component_token', 1)",
                [at],
            )
            .unwrap();
            db.execute(
                "INSERT INTO messages (profile_id, received_at, info_type, status, decoded)
                 VALUES (1, ?1, 'component_verify_ticket', 'applied', '{}')",
                [at],
            )
            .unwrap();
        }
    }
    let r = cli.ok(cli.cmd(&["--json", "maintenance", "prune"]));
    assert_eq!(
        (r["audit_deleted"].as_u64(), r["messages_deleted"].as_u64()),
        (Some(1), Some(1)),
        "{r}"
    );
    let r = cli.ok(cli.cmd(&["--json", "maintenance", "retention", "30"]));
    assert_eq!(r["retention_days"], 30);
    let r = cli.ok(cli.cmd(&["--json", "maintenance", "prune"]));
    assert_eq!(
        (r["audit_deleted"].as_u64(), r["messages_deleted"].as_u64()),
        (Some(1), Some(1)),
        "{r}"
    );
    let left: (i64, i64) = cli
        .db()
        .query_row(
            "SELECT (SELECT count(*) FROM audit_log), (SELECT count(*) FROM messages)",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert_eq!(left, (1, 1), "only the day-old rows stay");
    let o = cli.run_with(
        cli.cmd(&["--json", "maintenance", "retention", "99999"]),
        "",
    );
    assert!(!o.status.success());
}

/// The simulator child; killed when dropped.
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
    fn start(authorizers: i64) -> Simulator {
        let mut child = Command::new(env!("CARGO_BIN_EXE_wxopen"))
            .args(["--json", "sandbox", "serve", "--port", "0"])
            .args(["--authorizers", &authorizers.to_string()])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .spawn()
            .unwrap();
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        Simulator {
            child,
            info: serde_json::from_str(&line).unwrap(),
        }
    }

    fn field(&self, name: &str) -> String {
        self.info[name].as_str().unwrap().to_string()
    }
}

fn ticket_from(sim: &Simulator) -> String {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let url = format!("{}/sandbox/ticket", sim.field("base_url"));
    let v: Value = rt.block_on(async {
        reqwest::Client::new()
            .post(url)
            .header("X-Sandbox-Token", sim.field("control_token"))
            .json(&json!({}))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap()
    });
    v["ticket"].as_str().unwrap().to_string()
}

/// `kill -SIG PID` (the test has no libc of its own).
fn signal(pid: u32, sig: &str) {
    let s = Command::new("kill")
        .args([sig, &pid.to_string()])
        .status()
        .unwrap();
    assert!(s.success(), "kill {sig} {pid}");
}

/// Starts `authorizers sync` and returns once it reports its first list page, with the rest of
/// its stderr drained on a thread (so it never blocks on a full pipe).
fn sync_started(cli: &Cli) -> (Child, std::thread::JoinHandle<String>) {
    let mut child = cli
        .cmd(&["--json", "authorizers", "sync"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
    loop {
        let line = lines
            .next()
            .expect("the sync ended before its first page")
            .unwrap();
        if line.starts_with("list") {
            break;
        }
    }
    let rest =
        std::thread::spawn(move || lines.map_while(Result::ok).collect::<Vec<_>>().join("\n"));
    (child, rest)
}

#[test]
fn a_second_wxopen_is_refused_while_a_live_one_syncs_and_takes_over_a_killed_one() {
    const N: i64 = 20_000;
    let sim = Simulator::start(N);
    let cli = Cli::new();
    let mut add = cli.cmd(&[
        "--json",
        "profile",
        "add",
        "--name",
        "lease",
        "--appid",
        &sim.field("component_appid"),
        "--api-base",
        &sim.field("base_url"),
    ]);
    add.env("WXOPEN_APPSECRET", sim.field("appsecret"))
        .env("WXOPEN_TOKEN", sim.field("token"))
        .env("WXOPEN_AES_KEY", sim.field("encoding_aes_key"));
    cli.ok(add);
    cli.ok_with(cli.cmd(&["--json", "ticket", "set"]), &ticket_from(&sim));

    // A live owner, stopped mid-list: it keeps its lease, the second process is refused.
    let (first, rest) = sync_started(&cli);
    signal(first.id(), "-STOP");
    let o = cli.run_with(cli.cmd(&["--json", "authorizers", "sync"]), "");
    signal(first.id(), "-CONT");
    assert!(
        !o.status.success(),
        "a second sync while the first holds the lease"
    );
    let err: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(err["code"], "refused", "{err}");
    let msg = err["message"].as_str().unwrap();
    assert!(
        msg.contains(&format!("wxopen:{}@", first.id())),
        "names the owner: {msg}"
    );
    assert!(
        msg.contains("lease expires at") && msg.contains(" UTC"),
        "{msg}"
    );
    let restart = cli.run_with(cli.cmd(&["--json", "authorizers", "sync", "--restart"]), "");
    assert!(
        !restart.status.success(),
        "--restart does not cancel a live run either"
    );
    let done = first.wait_with_output().unwrap();
    let log = rest.join().unwrap();
    assert!(done.status.success(), "{log}");
    let done: Value = serde_json::from_slice(&done.stdout).unwrap();
    assert_eq!(done["run"]["state"], "done", "{done}");
    assert_eq!(done["run"]["next_offset"], N);

    // An owner killed mid-list: its pid is gone, so the next process takes the run over at
    // once, although the lease has an hour left.
    let (mut second, rest) = sync_started(&cli);
    let killed = second.id();
    second.kill().unwrap();
    second.wait().unwrap();
    rest.join().unwrap();
    let resumed = cli.ok(cli.cmd(&["--json", "authorizers", "sync"]));
    assert_eq!(resumed["resumed"], true, "{resumed}");
    assert_eq!(resumed["run"]["state"], "done", "{resumed}");
    let owner: String = cli
        .db()
        .query_row(
            "SELECT owner FROM sync_runs ORDER BY id DESC LIMIT 1",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert!(!owner.contains(&format!(":{killed}@")), "{owner}");
}
