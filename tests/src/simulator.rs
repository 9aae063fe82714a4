//! The app's in-process WeChat simulator, seen from the test: the app is started with
//! `WXOPEN_SANDBOX_PORT` and `WXOPEN_SANDBOX_CONTROL_TOKEN` set to a port and a token chosen
//! here, and the test talks to the simulator's HTTP control surface (`/sandbox/*`, which wants
//! that token in `X-Sandbox-Token`) on that loopback port to arrange faults and to check what the
//! UI did against the simulator's own state.

use std::time::Duration;

use serde_json::Value;

/// The sandbox's fixed platform credentials (`SandboxCredentials::default()` in wxopen-core).
pub const COMPONENT_APPID: &str = "wx5a4db0c0ffee0001";
pub const TOKEN: &str = "wxopensandbox";
pub const ENCODING_AES_KEY: &str = "SandboxEncodingAesKey0123456789abcdefghijkl";

pub struct Simulator {
    pub port: u16,
    /// Sent as `X-Sandbox-Token` on every request (the app's simulator is started with it).
    pub control_token: String,
    http: reqwest::Client,
}

impl Default for Simulator {
    fn default() -> Self {
        Simulator::new()
    }
}

impl Simulator {
    /// Picks a free loopback port for the app's simulator (the app binds it when the sandbox
    /// profile starts).
    pub fn new() -> Simulator {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a free port")
            .port();
        let control_token: String = {
            use rand::Rng as _;
            let bytes: [u8; 16] = rand::rng().random();
            bytes.iter().map(|b| format!("{b:02x}")).collect()
        };
        let mut headers = reqwest::header::HeaderMap::new();
        headers.insert(
            "x-sandbox-token",
            control_token
                .parse()
                .expect("a hex token is a header value"),
        );
        let http = reqwest::Client::builder()
            .no_proxy()
            .timeout(Duration::from_secs(15))
            .default_headers(headers)
            .build()
            .expect("HTTP client");
        Simulator {
            port,
            control_token,
            http,
        }
    }

    /// What the app needs in its environment to run its simulator on [`Simulator::port`] with
    /// [`Simulator::control_token`].
    pub fn env(&self) -> Vec<(&'static str, String)> {
        vec![
            ("WXOPEN_SANDBOX_PORT", self.port.to_string()),
            ("WXOPEN_SANDBOX_CONTROL_TOKEN", self.control_token.clone()),
        ]
    }

    pub fn base_url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    async fn send(&self, what: String, req: reqwest::RequestBuilder) -> (u16, Value) {
        eprintln!("[e2e] simulator: {what}");
        let resp = req
            .send()
            .await
            .unwrap_or_else(|e| panic!("simulator {what}: {e}"));
        let status = resp.status().as_u16();
        let text = resp
            .text()
            .await
            .unwrap_or_else(|e| panic!("simulator {what}: {e}"));
        let json = serde_json::from_str(&text)
            .unwrap_or_else(|e| panic!("simulator {what}: HTTP {status}, not JSON ({e}): {text}"));
        (status, json)
    }

    /// GET a control path; panics unless 2xx.
    pub async fn get(&self, path: &str) -> Value {
        let (status, json) = self
            .send(
                format!("GET {path}"),
                self.http.get(format!("{}{path}", self.base_url())),
            )
            .await;
        assert!(
            (200..300).contains(&status),
            "GET {path}: HTTP {status}: {json}"
        );
        json
    }

    /// POST JSON to a control path; returns the status and the JSON answer.
    pub async fn post_status(&self, path: &str, body: &Value) -> (u16, Value) {
        self.send(
            format!("POST {path} {body}"),
            self.http
                .post(format!("{}{path}", self.base_url()))
                .json(body),
        )
        .await
    }

    /// POST JSON; panics unless 2xx.
    pub async fn post(&self, path: &str, body: &Value) -> Value {
        let (status, json) = self.post_status(path, body).await;
        assert!(
            (200..300).contains(&status),
            "POST {path}: HTTP {status}: {json}"
        );
        json
    }

    pub async fn delete(&self, path: &str) -> Value {
        let (status, json) = self
            .send(
                format!("DELETE {path}"),
                self.http.delete(format!("{}{path}", self.base_url())),
            )
            .await;
        assert!(
            (200..300).contains(&status),
            "DELETE {path}: HTTP {status}: {json}"
        );
        json
    }

    /// The account's admin authorizes the platform again (a new pre_auth_code through the
    /// simulator's WeChat API, then the authorization page): the list then carries a new
    /// `auth_time`, which marks the account's details stale in the app.
    pub async fn reauthorize(&self, appid: &str) {
        let creds = self.get("/sandbox/credentials").await;
        let ticket = self.post("/sandbox/ticket", &serde_json::json!({})).await;
        let token = self
            .post(
                "/cgi-bin/component/api_component_token",
                &serde_json::json!({
                    "component_appid": creds["component_appid"],
                    "component_appsecret": creds["appsecret"],
                    "component_verify_ticket": ticket["ticket"],
                }),
            )
            .await;
        let ct = token["component_access_token"]
            .as_str()
            .unwrap_or_else(|| panic!("no component token: {token}"));
        let code = self
            .post(
                &format!("/cgi-bin/component/api_create_preauthcode?component_access_token={ct}"),
                &serde_json::json!({"component_appid": creds["component_appid"]}),
            )
            .await;
        let out = self
            .post(
                "/sandbox/authorize",
                &serde_json::json!({"pre_auth_code": code["pre_auth_code"], "appid": appid}),
            )
            .await;
        assert_eq!(out["info_type"], "updateauthorized", "{out}");
    }

    /// Whether the simulator answers at all (it starts with the sandbox profile).
    pub async fn is_up(&self) -> bool {
        self.http
            .get(format!("{}/sandbox/credentials", self.base_url()))
            .send()
            .await
            .map(|r| r.status().is_success())
            .unwrap_or(false)
    }

    /// The options of one authorizer as the simulator holds them (`"0"`, `"1"`, `"2"`).
    pub async fn options(&self, appid: &str) -> Value {
        self.get(&format!("/sandbox/authorizers/{appid}/options"))
            .await
    }

    /// The open account `appid` is bound to, `None` when unbound.
    pub async fn open_appid(&self, appid: &str) -> Option<String> {
        let v = self
            .get(&format!("/sandbox/authorizers/{appid}/open"))
            .await;
        v["open_appid"].as_str().map(str::to_string)
    }
}
