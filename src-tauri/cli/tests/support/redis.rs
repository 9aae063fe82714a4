//! A `redis-server` of one test's own (free loopback port, temp dir, no persistence), stopped on
//! drop, and `redis-cli` to play the backend from outside our client.
// Each test binary that includes it uses a part.
#![allow(dead_code)]

use std::net::TcpListener;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub struct Redis {
    child: Child,
    pub port: u16,
    password: Option<String>,
    _dir: tempfile::TempDir,
}

impl Redis {
    pub fn start(password: Option<&str>) -> Redis {
        let port = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let dir = tempfile::tempdir().unwrap();
        let mut cmd = Command::new("redis-server");
        cmd.args(["--port", &port.to_string(), "--bind", "127.0.0.1"])
            .args(["--save", "", "--appendonly", "no"])
            .arg("--dir")
            .arg(dir.path())
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        if let Some(pw) = password {
            cmd.args(["--requirepass", pw]);
        }
        let child = cmd
            .spawn()
            .expect("redis-server (Debian: redis-server; make test's bootstrap installs it)");
        let redis = Redis {
            child,
            port,
            password: password.map(str::to_owned),
            _dir: dir,
        };
        // Ready when it accepts a connection (bounded: a server that never comes up fails).
        let deadline = Instant::now() + Duration::from_secs(10);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(Instant::now() < deadline, "redis-server did not start");
            std::thread::yield_now();
        }
        redis
    }

    /// No password in it: that goes through WXOPEN_REDIS_PASSWORD.
    pub fn url(&self) -> String {
        format!("redis://127.0.0.1:{}/0", self.port)
    }

    /// `redis-cli ARGS`; its answer (raw, one line per reply element).
    pub fn cli(&self, args: &[&str]) -> String {
        let mut c = Command::new("redis-cli");
        c.args(["-p", &self.port.to_string(), "--raw"]);
        if let Some(pw) = &self.password {
            c.args(["--no-auth-warning", "-a", pw]);
        }
        let out = c
            .args(args)
            .output()
            .expect("redis-cli (Debian: redis-tools)");
        let text = String::from_utf8_lossy(&out.stdout).trim_end().to_string();
        assert!(
            out.status.success() && !text.starts_with("ERR") && !text.starts_with("WRONGPASS"),
            "redis-cli {args:?}: {text}"
        );
        text
    }

    pub fn get(&self, key: &str) -> String {
        self.cli(&["GET", key])
    }

    pub fn ttl(&self, key: &str) -> i64 {
        self.cli(&["TTL", key]).parse().unwrap()
    }
}

impl Drop for Redis {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
