//! End-to-end harness: every test gets its own Xvfb display, D-Bus session with an unlocked
//! gnome-keyring, `tauri-driver`, and a fresh data dir, then drives the real app binary over
//! WebDriver. Everything it starts is stopped when the [`Desktop`] is dropped, also when the test
//! panics, because each process lives in its own process group that Drop kills.

pub mod flows;
mod procs;
mod screenshots;
pub mod simulator;

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
    _bus: Proc,
    _xvfb: Proc,
    pub home: tempfile::TempDir,
}

impl Desktop {
    /// Starts everything and opens the app; `name` names the screenshots.
    pub async fn start(name: &str) -> Desktop {
        Desktop::start_with(name, &[]).await
    }

    /// [`Desktop::start`] with extra environment variables for the app (and every process of
    /// this desktop), e.g. `WXOPEN_SANDBOX_PORT`.
    pub async fn start_with(name: &str, extra_env: &[(&str, String)]) -> Desktop {
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
            extra: extra_env
                .iter()
                .map(|(k, v)| (k.to_string(), v.clone()))
                .collect(),
        };
        eprintln!("[e2e] starting gnome-keyring");
        procs::start_keyring(&env);
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

    /// Clicks the element with `data-testid` once it is in the middle of the view and has stopped
    /// moving (see [`Desktop::click_css`]).
    pub async fn click(&self, testid: &str) {
        self.click_css(&format!("[data-testid='{testid}']")).await;
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
    pub async fn wait_until<F, Fut>(&self, what: &str, check: F)
    where
        F: FnMut() -> Fut,
        Fut: std::future::Future<Output = bool>,
    {
        self.wait_until_within(what, WAIT, check).await
    }

    /// Saves `target/screenshots/<test>-<step>.png` (the whole Xvfb screen, as a person would see
    /// it) and returns its path. WebKitWebDriver's own screenshot command sometimes never answers
    /// under Xvfb, so the pixels come from the X server instead.
    pub async fn screenshot(&self, step: &str) -> PathBuf {
        screenshots::capture(&self.display, &format!("{}-{}", self.name, step))
    }

    /// The X display of this desktop (`:N`).
    pub fn display(&self) -> &str {
        &self.display
    }

    /// The app's data dir (`WXOPEN_DATA_DIR`): `<home>/appdata`.
    pub fn data_dir(&self) -> PathBuf {
        self.home.path().join("appdata")
    }

    /// Runs a script with arguments (`arguments[0]`, …) and returns its JSON result.
    pub async fn js_with(&self, script: &str, args: Vec<serde_json::Value>) -> serde_json::Value {
        wd(
            &format!("script `{script}` {args:?}"),
            self.client.execute(script, args),
        )
        .await
    }

    /// Quiet variant for polling: no log line per call.
    async fn poll_js(&self, script: &str, args: Vec<serde_json::Value>) -> serde_json::Value {
        match tokio::time::timeout(COMMAND_TIMEOUT, self.client.execute(script, args)).await {
            Ok(Ok(value)) => value,
            Ok(Err(e)) => panic!("WebDriver: script `{script}`: {e}"),
            Err(_) => panic!("WebDriver: script `{script}`: no answer in {COMMAND_TIMEOUT:?}"),
        }
    }

    /// Whether an element with `data-testid` is in the document now (does not wait).
    pub async fn exists(&self, testid: &str) -> bool {
        self.poll_js(
            "return document.querySelector(`[data-testid='${arguments[0]}']`) !== null;",
            vec![json!(testid)],
        )
        .await
        .as_bool()
        .unwrap_or(false)
    }

    /// Whether the element matching `css` is rendered with a size and not hidden (does not wait).
    pub async fn visible(&self, css: &str) -> bool {
        self.poll_js(
            "const e = document.querySelector(arguments[0]);
             if (!e) return false;
             const r = e.getBoundingClientRect();
             const s = getComputedStyle(e);
             return r.width > 0 && r.height > 0 && s.visibility !== 'hidden' && s.display !== 'none';",
            vec![json!(css)],
        )
        .await
        .as_bool()
        .unwrap_or(false)
    }

    /// An attribute of the first element with `data-testid`, `None` when the element or the
    /// attribute is absent (does not wait).
    pub async fn attr(&self, testid: &str, attr: &str) -> Option<String> {
        let v = self
            .poll_js(
                "const e = document.querySelector(`[data-testid='${arguments[0]}']`);
                 return e ? e.getAttribute(arguments[1]) : null;",
                vec![json!(testid), json!(attr)],
            )
            .await;
        v.as_str().map(str::to_string)
    }

    /// The rendered text (`innerText`, trimmed) of the first element with `data-testid`, `None`
    /// when absent (does not wait).
    pub async fn text_now(&self, testid: &str) -> Option<String> {
        let v = self
            .poll_js(
                "const e = document.querySelector(`[data-testid='${arguments[0]}']`);
                 return e ? (e.innerText || e.textContent || '').trim() : null;",
                vec![json!(testid)],
            )
            .await;
        v.as_str().map(str::to_string)
    }

    /// `attr` of every element with `data-testid`, in document order (does not wait).
    pub async fn attrs_all(&self, testid: &str, attr: &str) -> Vec<String> {
        let v = self
            .poll_js(
                "return Array.from(document.querySelectorAll(`[data-testid='${arguments[0]}']`))
                   .map(e => e.getAttribute(arguments[1]) || '');",
                vec![json!(testid), json!(attr)],
            )
            .await;
        v.as_array()
            .map(|a| {
                a.iter()
                    .map(|x| x.as_str().unwrap_or_default().to_string())
                    .collect()
            })
            .unwrap_or_default()
    }

    /// Waits until the element matching `css` is on screen and has stopped moving (the same
    /// bounding box over 300 ms): drawers and dialogs slide in, and a click computed during the
    /// animation lands beside its target.
    pub async fn wait_still(&self, css: &str) {
        self.wait_still_for(css, Duration::from_millis(300)).await;
    }

    async fn wait_still_for(&self, css: &str, still: Duration) {
        let rect = || async {
            self.poll_js(
                "const e = document.querySelector(arguments[0]);
                 if (!e) return null;
                 const r = e.getBoundingClientRect();
                 return (r.width > 0 && r.height > 0) ? [r.x, r.y, r.width, r.height] : null;",
                vec![json!(css)],
            )
            .await
        };
        let state = std::cell::RefCell::new((serde_json::Value::Null, Instant::now()));
        let state = &state;
        self.wait_until(&format!("{css} to stop moving"), || {
            let rect = rect();
            async move {
                let now = rect.await;
                let mut st = state.borrow_mut();
                if now.is_null() || now != st.0 {
                    *st = (now, Instant::now());
                    return false;
                }
                st.1.elapsed() >= still
            }
        })
        .await;
    }

    /// Waits until the element with `data-testid` has `attr == value`.
    pub async fn wait_attr(&self, testid: &str, attr: &str, value: &str) {
        self.wait_until(&format!("{testid} {attr}={value:?}"), || async {
            self.attr(testid, attr).await.as_deref() == Some(value)
        })
        .await;
    }

    /// Waits until an element with `data-testid` is in the document (and returns nothing:
    /// use [`Desktop::element`] for the element itself).
    pub async fn wait_exists(&self, testid: &str) {
        self.wait_until(&format!("{testid} to appear"), || async {
            self.exists(testid).await
        })
        .await;
    }

    /// Replaces the content of the text field with `data-testid`: the element itself when it is
    /// an `input`/`textarea`, else the first one inside it (TDesign puts the testid on a wrapper).
    /// Typed as key strokes, so the UI sees real input events.
    pub async fn fill(&self, testid: &str, text: &str) {
        let el = self.element(testid).await;
        let tag = wd(&format!("tag of {testid}"), el.tag_name()).await;
        let field = if tag.eq_ignore_ascii_case("input") || tag.eq_ignore_ascii_case("textarea") {
            el
        } else {
            wd(
                &format!("input inside {testid}"),
                el.find(Locator::Css("input, textarea")),
            )
            .await
        };
        // WebDriver's own "clear" empties the DOM value without an input event, so a Vue-bound
        // field puts its old value back: select all and delete, as a person would.
        let current = wd(&format!("value of {testid}"), field.prop("value")).await;
        if current.is_some_and(|v| !v.is_empty()) {
            wd(
                &format!("empty {testid}"),
                field.send_keys("\u{E009}a\u{E000}\u{E003}"),
            )
            .await;
        }
        if !text.is_empty() {
            wd(&format!("type into {testid}"), field.send_keys(text)).await;
        }
        let value = wd(&format!("value of {testid}"), field.prop("value")).await;
        assert_eq!(
            value.as_deref(),
            Some(text),
            "{testid} does not hold what was typed"
        );
    }

    /// Puts `text` into the text field with `data-testid` at once, as a paste does: one input
    /// event with the whole value (typing a long push body key by key takes WebKitWebDriver
    /// longer than a command may).
    pub async fn paste(&self, testid: &str, text: &str) {
        self.wait_exists(testid).await;
        let ok = self
            .js_with(
                "const root = document.querySelector(`[data-testid='${arguments[0]}']`);
                 const f = root.matches('input, textarea') ? root : root.querySelector('input, textarea');
                 if (!f) return false;
                 const proto = f.tagName === 'TEXTAREA' ? HTMLTextAreaElement.prototype : HTMLInputElement.prototype;
                 f.focus();
                 Object.getOwnPropertyDescriptor(proto, 'value').set.call(f, arguments[1]);
                 f.dispatchEvent(new InputEvent('input', { bubbles: true, inputType: 'insertFromPaste', data: arguments[1] }));
                 f.dispatchEvent(new Event('change', { bubbles: true }));
                 return f.value === arguments[1];",
                vec![json!(testid), json!(text)],
            )
            .await;
        assert_eq!(ok, true, "could not paste into {testid}");
    }

    /// The X11 CLIPBOARD selection of this desktop's display, as `xclip` reads it (`None` while
    /// nothing owns the selection).
    pub fn clipboard(&self) -> Option<String> {
        let out = std::process::Command::new("timeout")
            .args(["10", "xclip", "-o", "-selection", "clipboard"])
            .env("DISPLAY", &self.display)
            .output()
            .expect("run xclip (Debian: xclip; make e2e's bootstrap installs it)");
        out.status
            .success()
            .then(|| String::from_utf8(out.stdout).expect("clipboard is UTF-8"))
    }

    /// Clicks the first element matching `css` (waiting for it). It is first scrolled to the
    /// middle of the view and must stop moving: WebDriver clicks at coordinates, and a button that
    /// a growing textarea, a sliding drawer or an edge-of-view scroll moves in the meantime would
    /// be missed.
    pub async fn click_css(&self, css: &str) {
        let search = self
            .client
            .wait()
            .at_most(WAIT)
            .for_element(Locator::Css(css));
        let el = wd(&format!("element {css}"), search).await;
        self.poll_js(
            "const e = document.querySelector(arguments[0]);
             if (e) e.scrollIntoView({ block: 'center', inline: 'nearest' });",
            vec![json!(css)],
        )
        .await;
        self.wait_still_for(css, Duration::from_millis(150)).await;
        wd(&format!("click {css}"), el.click()).await;
    }

    /// The location hash of the page (`#/welcome`, …).
    pub async fn route(&self) -> String {
        self.poll_js("return location.hash;", vec![])
            .await
            .as_str()
            .unwrap_or_default()
            .to_string()
    }

    /// Polls `check` for at most `limit`; `false` when it never held (for optional steps).
    pub async fn eventually<F, Fut>(&self, limit: Duration, mut check: F) -> bool
    where
        F: FnMut() -> Fut,
        Fut: std::future::Future<Output = bool>,
    {
        let deadline = Instant::now() + limit;
        loop {
            if check().await {
                return true;
            }
            if Instant::now() > deadline {
                return false;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// [`Desktop::wait_until`] with its own time limit (for long jobs such as a full sync).
    pub async fn wait_until_within<F, Fut>(&self, what: &str, limit: Duration, mut check: F)
    where
        F: FnMut() -> Fut,
        Fut: std::future::Future<Output = bool>,
    {
        let deadline = Instant::now() + limit;
        loop {
            if check().await {
                return;
            }
            if Instant::now() > deadline {
                let step: String = what
                    .chars()
                    .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
                    .take(80)
                    .collect();
                self.screenshot(&format!("timeout-{step}")).await;
                panic!("timed out after {limit:?} waiting for {what}");
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Ends the WebDriver session (closing the app) before the processes are stopped.
    pub async fn close(self) {
        let Desktop { client, .. } = self;
        let _ = client.close().await;
    }
}

/// One WebDriver command, bounded: a wedged driver fails the test with the command's name
/// instead of hanging the suite.
async fn wd<T, E: std::fmt::Display + std::fmt::Debug>(
    what: &str,
    command: impl std::future::Future<Output = Result<T, E>>,
) -> T {
    eprintln!("[e2e] {what}");
    match tokio::time::timeout(COMMAND_TIMEOUT, command).await {
        Ok(Ok(value)) => value,
        Ok(Err(e)) => panic!("WebDriver: {what}: {e} ({e:?})"),
        Err(_) => panic!("WebDriver: {what}: no answer in {COMMAND_TIMEOUT:?}"),
    }
}

/// The environment every process of one desktop shares.
pub(crate) struct Env {
    pub display: String,
    pub bus_address: String,
    pub home: PathBuf,
    /// Set last, so they win over the defaults above.
    pub extra: Vec<(String, String)>,
}

/// The test home's directories, for every process of one desktop (the bus too: the keyring daemon
/// it starts inherits them).
pub fn home_dirs(h: &std::path::Path) -> [(&'static str, std::path::PathBuf); 5] {
    [
        ("HOME", h.to_path_buf()),
        ("XDG_DATA_HOME", h.join("data")),
        ("XDG_CONFIG_HOME", h.join("config")),
        ("XDG_CACHE_HOME", h.join("cache")),
        ("XDG_RUNTIME_DIR", h.join("runtime")),
    ]
}

impl Env {
    pub fn apply(&self, cmd: &mut std::process::Command) {
        let h = &self.home;
        cmd.env("DISPLAY", &self.display)
            .env("DBUS_SESSION_BUS_ADDRESS", &self.bus_address)
            .envs(home_dirs(h))
            .env("WXOPEN_DATA_DIR", h.join("appdata"))
            .env("LANG", "C.UTF-8")
            .env_remove("WAYLAND_DISPLAY")
            // WebKitGTK's compositing and sandbox do not work under Xvfb as root.
            .env("WEBKIT_DISABLE_COMPOSITING_MODE", "1")
            .env("WEBKIT_DISABLE_SANDBOX_THIS_IS_DANGEROUS", "1")
            .env("LIBGL_ALWAYS_SOFTWARE", "1");
        for (k, v) in &self.extra {
            cmd.env(k, v);
        }
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
