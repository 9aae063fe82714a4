//! The processes behind one desktop. Each runs in its own process group so that Drop can stop it
//! together with whatever it spawned (tauri-driver starts WebKitWebDriver, which starts the app).

use std::io::{BufRead, BufReader};
use std::net::TcpListener;
use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::{Env, WAIT};

pub struct Proc {
    name: &'static str,
    child: Child,
}

impl Proc {
    fn spawn(name: &'static str, cmd: &mut Command) -> Proc {
        let child = cmd
            .process_group(0)
            .spawn()
            .unwrap_or_else(|e| panic!("could not start {name} ({cmd:?}): {e} — run `make e2e`, whose bootstrap installs it"));
        Proc { name, child }
    }

    fn signal_group(&self, signal: &str) {
        let _ = Command::new("kill")
            .args([signal, "--", &format!("-{}", self.child.id())])
            .stderr(Stdio::null())
            .status();
    }
}

impl Drop for Proc {
    fn drop(&mut self) {
        self.signal_group("-TERM");
        let deadline = Instant::now() + Duration::from_secs(5);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                // The leader is gone; make sure nothing it spawned outlives it.
                self.signal_group("-KILL");
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        eprintln!("{} did not stop on SIGTERM: killing it", self.name);
        self.signal_group("-KILL");
        let _ = self.child.wait();
    }
}

fn first_line(child: &mut Child, what: &str) -> String {
    let stdout = child
        .stdout
        .take()
        .unwrap_or_else(|| panic!("{what}: no stdout"));
    let mut line = String::new();
    BufReader::new(stdout)
        .read_line(&mut line)
        .unwrap_or_else(|e| panic!("{what}: {e}"));
    assert!(!line.trim().is_empty(), "{what} exited before it was ready");
    line.trim().to_string()
}

/// Xvfb on the first free display; `-displayfd` makes it print the number once it accepts clients.
pub fn start_xvfb() -> (Proc, String) {
    let mut proc = Proc::spawn(
        "Xvfb",
        Command::new("Xvfb")
            .args([
                "-displayfd",
                "1",
                "-screen",
                "0",
                "1280x800x24",
                "-nolisten",
                "tcp",
            ])
            .stdout(Stdio::piped())
            .stderr(Stdio::null()),
    );
    let number = first_line(&mut proc.child, "Xvfb");
    (proc, format!(":{number}"))
}

/// A private session bus; `--print-address` is written once it listens. Its own service file for
/// the Secret Service comes first, so the keyring daemon it starts is unlocked: gnome-keyring
/// aborts on upstream races when a client disconnects mid-request, and then the next call starts
/// it again on the same files instead of the system's locked one (see scripts/session.sh).
pub fn start_dbus(home: &Path) -> (Proc, String) {
    let conf = home.join("bus-config");
    std::fs::create_dir_all(conf.join("services")).expect("bus config dir");
    let script = conf.join("keyring-daemon");
    std::fs::write(
        &script,
        "#!/bin/sh\nprintf '%s' wxopen-e2e | exec gnome-keyring-daemon --foreground --unlock --components=secrets >/dev/null 2>&1\n",
    )
    .expect("keyring script");
    std::fs::set_permissions(&script, std::os::unix::fs::PermissionsExt::from_mode(0o755))
        .expect("chmod keyring script");
    std::fs::write(
        conf.join("services/org.freedesktop.secrets.service"),
        format!(
            "[D-BUS Service]\nName=org.freedesktop.secrets\nExec={}\n",
            script.display()
        ),
    )
    .expect("service file");
    std::fs::write(
        conf.join("session.conf"),
        format!(
            "<!DOCTYPE busconfig PUBLIC \"-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN\"\n \"http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd\">\n<busconfig>\n  <servicedir>{}</servicedir>\n  <include>/usr/share/dbus-1/session.conf</include>\n</busconfig>\n",
            conf.join("services").display()
        ),
    )
    .expect("bus config");
    let mut proc = Proc::spawn(
        "dbus-daemon",
        Command::new("dbus-daemon")
            .arg(format!(
                "--config-file={}",
                conf.join("session.conf").display()
            ))
            .args(["--nofork", "--print-address=1"])
            .arg(format!(
                "--address=unix:path={}",
                home.join("bus").display()
            ))
            .envs(crate::home_dirs(home))
            .stdout(Stdio::piped())
            .stderr(Stdio::null()),
    );
    let address = first_line(&mut proc.child, "dbus-daemon");
    (proc, address)
}

/// gnome-keyring's Secret Service, started by the bus (see [`start_dbus`]) and unlocked with a
/// throwaway password (it creates the login keyring in the test's own XDG_DATA_HOME on first use).
pub fn start_keyring(env: &Env) {
    let mut cmd = Command::new("dbus-send");
    cmd.args([
        "--session",
        "--print-reply",
        "--dest=org.freedesktop.DBus",
        "/org/freedesktop/DBus",
        "org.freedesktop.DBus.StartServiceByName",
        "string:org.freedesktop.secrets",
        "uint32:0",
    ])
    .stdout(Stdio::null());
    env.apply(&mut cmd);
    let status = cmd.status().expect("run dbus-send");
    assert!(
        status.success(),
        "the bus could not start gnome-keyring-daemon"
    );
}

/// tauri-driver in front of WebKitWebDriver, on free ports.
pub fn start_tauri_driver(env: &Env) -> (Proc, u16) {
    let port = free_port();
    let native_port = free_port();
    let driver = std::env::var("TAURI_DRIVER").unwrap_or_else(|_| {
        let cargo_bin =
            Path::new(&std::env::var("HOME").unwrap_or_default()).join(".cargo/bin/tauri-driver");
        if cargo_bin.exists() {
            cargo_bin.display().to_string()
        } else {
            "tauri-driver".to_string()
        }
    });
    let native = which("WebKitWebDriver").unwrap_or_else(|| "/usr/bin/WebKitWebDriver".to_string());
    let mut cmd = Command::new(driver);
    cmd.args([
        "--port",
        &port.to_string(),
        "--native-port",
        &native_port.to_string(),
    ])
    .args(["--native-driver", &native])
    .stdout(Stdio::null())
    .stderr(Stdio::inherit());
    env.apply(&mut cmd);
    let proc = Proc::spawn("tauri-driver", &mut cmd);
    wait_for("tauri-driver to listen", || {
        std::net::TcpStream::connect(("127.0.0.1", port)).is_ok()
    });
    (proc, port)
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn which(bin: &str) -> Option<String> {
    std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|p| p.join(bin))
            .find(|p| p.exists())
            .map(|p| p.display().to_string())
    })
}

/// Polls a readiness condition of a process we started (not of the app under test).
fn wait_for(what: &str, mut ready: impl FnMut() -> bool) {
    let deadline = Instant::now() + WAIT;
    while !ready() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(50));
    }
}
