//! End-to-end harness: every test gets its own Xvfb display, D-Bus session with an unlocked
//! gnome-keyring, `tauri-driver`, and a fresh data dir, then drives the real app binary over
//! WebDriver. Everything it starts is stopped when the [`Desktop`] is dropped, also when the test
//! panics, because each process lives in its own process group that Drop kills.

mod procs;
mod screenshots;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::json;

pub use fantoccini;
use procs::Proc;

/// How long any single wait may take before the test fails with a message.
pub const WAIT: Duration = Duration::from_secs(60);

/// How long one WebDriver command may take.
pub const COMMAND_TIMEOUT: Duration = Duration::from_secs(30);

/// The workspace root (this crate lives in `<root>/tests`).
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("workspace root")
        .to_path_buf()
}

/// The app binary under test: `$WXOPEN_APP_BIN`, else `<target>/debug/wxopen-console`.
pub fn app_binary() -> PathBuf {
    if let Some(bin) = std::env::var_os("WXOPEN_APP_BIN") {
        return PathBuf::from(bin);
    }
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| workspace_root().join("target"));
    target.join("debug").join("wxopen-console")
}

/// One isolated desktop with the app open in it.
pub struct Desktop {
    pub client: Client,
    name: String,
    display: String,
    // Field order is drop order: the driver goes before the keyring, the bus and the display.
    _driver: Proc,
    _keyring: Proc,
    _bus: Proc,
    _xvfb: Proc,
    pub home: tempfile::TempDir,
}

impl Desktop {
    /// Starts everything and opens the app; `name` names the screenshots.
    pub async fn start(name: &str) -> Desktop {
        let app = app_binary();
        assert!(
            app.exists(),
            "app binary {} not found: build it first (make e2e does)",
            app.display()
        );
        let home = tempfile::Builder::new()
            .prefix("wxopen-e2e-")
            .tempdir()
            .expect("temp home");
        for sub in ["data", "config", "cache", "runtime", "appdata"] {
            std::fs::create_dir_all(home.path().join(sub)).unwrap();
        }
        std::fs::set_permissions(
            home.path().join("runtime"),
            std::os::unix::fs::PermissionsExt::from_mode(0o700),
        )
        .unwrap();

        eprintln!("[e2e] starting Xvfb");
        let (xvfb, display) = procs::start_xvfb();
        eprintln!("[e2e] Xvfb on {display}; starting D-Bus");
        let (bus, bus_address) = procs::start_dbus(home.path());
        let env = Env {
            display: display.clone(),
            bus_address,
            home: home.path().to_path_buf(),
        };
        eprintln!("[e2e] starting gnome-keyring");
        let keyring = procs::start_keyring(&env);
        eprintln!("[e2e] starting tauri-driver");
        let (driver, port) = procs::start_tauri_driver(&env);

        let mut caps = serde_json::Map::new();
        caps.insert("browserName".into(), json!("wry"));
        caps.insert(
            "tauri:options".into(),
            json!({ "application": app.display().to_string() }),
        );
        eprintln!("[e2e] opening a WebDriver session on port {port}");
        let client = connect_with_retry(port, caps).await;
        eprintln!("[e2e] session open");
        Desktop {
            client,
            name: name.to_string(),
            display,
            _driver: driver,
            _keyring: keyring,
            _bus: bus,
            _xvfb: xvfb,
            home,
        }
    }

    /// Waits until the UI says it has rendered (`<body data-ready="1">`).
    pub async fn wait_ready(&self) {
        self.wait_until("the UI to become ready", || async {
            self.js("return document.body && document.body.dataset.ready === '1';")
                .await
                .as_bool()
                .unwrap_or(false)
        })
        .await;
    }

    /// The visible text of the element with `data-testid`.
    pub async fn text_of(&self, testid: &str) -> String {
        let el = self.element(testid).await;
        wd(&format!("text of {testid}"), el.text())
            .await
            .trim()
            .to_string()
    }

    pub async fn click(&self, testid: &str) {
        let el = self.element(testid).await;
        wd(&format!("click {testid}"), el.click()).await;
    }

    /// The element with `data-testid`, waiting for it to appear.
    pub async fn element(&self, testid: &str) -> fantoccini::elements::Element {
        let css = format!("[data-testid='{testid}']");
        let search = self
            .client
            .wait()
            .at_most(WAIT)
            .for_element(Locator::Css(&css));
        wd(&format!("element {css}"), search).await
    }

    /// Runs a script in the page and returns its JSON result.
    pub async fn js(&self, script: &str) -> serde_json::Value {
        wd(
            &format!("script `{script}`"),
            self.client.execute(script, vec![]),
        )
        .await
    }

    /// Polls `check` until it holds; fails the test after [`WAIT`] naming what it waited for.
    pub async fn wait_until<F, Fut>(&self, what: &str, mut check: F)
    where
        F: FnMut() -> Fut,
        Fut: std::future::Future<Output = bool>,
    {
        let deadline = Instant::now() + WAIT;
        loop {
            if check().await {
                return;
            }
            if Instant::now() > deadline {
                self.screenshot(&format!("timeout-{}", what.replace(' ', "-")))
                    .await;
                panic!("timed out after {WAIT:?} waiting for {what}");
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Saves `target/screenshots/<test>-<step>.png` (the whole Xvfb screen, as a person would see
    /// it) and returns its path. WebKitWebDriver's own screenshot command sometimes never answers
    /// under Xvfb, so the pixels come from the X server instead.
    pub async fn screenshot(&self, step: &str) -> PathBuf {
        screenshots::capture(&self.display, &format!("{}-{}", self.name, step))
    }

    /// Ends the WebDriver session (closing the app) before the processes are stopped.
    pub async fn close(self) {
        let Desktop { client, .. } = self;
        let _ = client.close().await;
    }
}

/// One WebDriver command, bounded: a wedged driver fails the test with the command's name
/// instead of hanging the suite.
async fn wd<T, E: std::fmt::Display>(
    what: &str,
    command: impl std::future::Future<Output = Result<T, E>>,
) -> T {
    eprintln!("[e2e] {what}");
    match tokio::time::timeout(COMMAND_TIMEOUT, command).await {
        Ok(Ok(value)) => value,
        Ok(Err(e)) => panic!("WebDriver: {what}: {e}"),
        Err(_) => panic!("WebDriver: {what}: no answer in {COMMAND_TIMEOUT:?}"),
    }
}

/// The environment every process of one desktop shares.
pub(crate) struct Env {
    pub display: String,
    pub bus_address: String,
    pub home: PathBuf,
}

impl Env {
    pub fn apply(&self, cmd: &mut std::process::Command) {
        let h = &self.home;
        cmd.env("DISPLAY", &self.display)
            .env("DBUS_SESSION_BUS_ADDRESS", &self.bus_address)
            .env("HOME", h)
            .env("XDG_DATA_HOME", h.join("data"))
            .env("XDG_CONFIG_HOME", h.join("config"))
            .env("XDG_CACHE_HOME", h.join("cache"))
            .env("XDG_RUNTIME_DIR", h.join("runtime"))
            .env("WXOPEN_DATA_DIR", h.join("appdata"))
            .env("LANG", "C.UTF-8")
            .env_remove("WAYLAND_DISPLAY")
            // WebKitGTK's compositing and sandbox do not work under Xvfb as root.
            .env("WEBKIT_DISABLE_COMPOSITING_MODE", "1")
            .env("WEBKIT_DISABLE_SANDBOX_THIS_IS_DANGEROUS", "1")
            .env("LIBGL_ALWAYS_SOFTWARE", "1");
    }
}

async fn connect_with_retry(port: u16, caps: serde_json::Map<String, serde_json::Value>) -> Client {
    let url = format!("http://127.0.0.1:{port}");
    let deadline = Instant::now() + WAIT;
    loop {
        let attempt = ClientBuilder::rustls()
            .expect("rustls connector")
            .capabilities(caps.clone())
            .connect(&url)
            .await;
        match attempt {
            Ok(client) => return client,
            Err(e) if Instant::now() < deadline => {
                eprintln!("waiting for tauri-driver at {url}: {e}");
                tokio::time::sleep(Duration::from_millis(250)).await;
            }
            Err(e) => panic!("could not open a WebDriver session at {url}: {e}"),
        }
    }
}
