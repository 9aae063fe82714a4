//! Shared helpers of the sandbox_* integration tests: a sandbox on port 0 and a reqwest client.
#![allow(dead_code)]

use serde_json::{json, Value};
use wxopen_sandbox::{AuthorizeRequest, Kind, Sandbox, SandboxConfig, SandboxControl};

pub struct Env {
    pub sb: Sandbox,
    pub ctl: SandboxControl,
    /// Sends the control token on every request (the API paths ignore it).
    pub http: reqwest::Client,
    pub base: String,
    pub appid: String,
    pub secret: String,
}

pub fn client() -> reqwest::Client {
    reqwest::Client::builder().no_proxy().build().unwrap()
}

/// A client that sends `token` as `X-Sandbox-Token` on every request.
pub fn control_client(token: &str) -> reqwest::Client {
    let mut headers = reqwest::header::HeaderMap::new();
    headers.insert(wxopen_sandbox::CONTROL_TOKEN_HEADER, token.parse().unwrap());
    reqwest::Client::builder()
        .no_proxy()
        .default_headers(headers)
        .build()
        .unwrap()
}

pub fn errcode(v: &Value) -> i64 {
    v["errcode"].as_i64().unwrap_or(0)
}

#[track_caller]
pub fn assert_err(v: &Value, code: i64) {
    assert_eq!(
        v["errcode"].as_i64(),
        Some(code),
        "expected errcode {code}, got {v}"
    );
    let msg = v["errmsg"].as_str().unwrap();
    let rid = msg.rsplit(" rid: ").next().unwrap();
    assert!(
        msg.contains(" rid: ") && rid.len() == 26,
        "errmsg carries a rid: {msg}"
    );
}

impl Env {
    pub async fn start(cfg: SandboxConfig) -> Env {
        let sb = Sandbox::start(cfg).await.unwrap();
        let ctl = sb.control();
        let base = sb.base_url();
        let appid = sb.credentials().component_appid.clone();
        let secret = sb.credentials().appsecret.clone();
        let http = control_client(sb.control_token());
        Env {
            sb,
            ctl,
            http,
            base,
            appid,
            secret,
        }
    }

    pub async fn default() -> Env {
        Env::start(SandboxConfig::default()).await
    }

    /// POST a JSON body to `path_and_query`; the answer must be HTTP 200 JSON.
    pub async fn post(&self, path_and_query: &str, body: Value) -> Value {
        let resp = self
            .http
            .post(format!("{}{}", self.base, path_and_query))
            .body(body.to_string())
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 200, "{path_and_query}");
        resp.json().await.unwrap()
    }

    /// POST with `component_access_token=` in the query.
    pub async fn ct(&self, path: &str, token: &str, body: Value) -> Value {
        self.post(&format!("{path}?component_access_token={token}"), body)
            .await
    }

    /// POST with `access_token=` in the query.
    pub async fn at(&self, path: &str, token: &str, body: Value) -> Value {
        self.post(&format!("{path}?access_token={token}"), body)
            .await
    }

    pub async fn fetch_token(&self, ticket: &str) -> Value {
        self.post(
            "/cgi-bin/component/api_component_token",
            json!({"component_appid": self.appid, "component_appsecret": self.secret, "component_verify_ticket": ticket}),
        )
        .await
    }

    pub async fn component_token(&self) -> String {
        let t = self.ctl.issue_ticket();
        let v = self.fetch_token(&t).await;
        v["component_access_token"]
            .as_str()
            .unwrap_or_else(|| panic!("{v}"))
            .to_owned()
    }

    pub async fn pre_auth_code(&self, ct: &str) -> String {
        let v = self
            .ct(
                "/cgi-bin/component/api_create_preauthcode",
                ct,
                json!({"component_appid": self.appid}),
            )
            .await;
        v["pre_auth_code"]
            .as_str()
            .unwrap_or_else(|| panic!("{v}"))
            .to_owned()
    }

    /// Authorizes a new account of `kind` and exchanges the code: (appid, access token, refresh token).
    pub async fn new_authorizer(&self, ct: &str, kind: Kind) -> (String, String, String) {
        let code = self.pre_auth_code(ct).await;
        let out = self
            .ctl
            .authorize(AuthorizeRequest {
                pre_auth_code: code,
                kind: Some(kind),
                ..Default::default()
            })
            .unwrap();
        let v = self
            .ct(
                "/cgi-bin/component/api_query_auth",
                ct,
                json!({"component_appid": self.appid, "authorization_code": out.auth_code}),
            )
            .await;
        let info = &v["authorization_info"];
        (
            info["authorizer_appid"].as_str().unwrap().to_owned(),
            info["authorizer_access_token"].as_str().unwrap().to_owned(),
            info["authorizer_refresh_token"]
                .as_str()
                .unwrap()
                .to_owned(),
        )
    }

    /// An access token for an existing (seeded) authorizer, via its refresh token from the list.
    pub async fn token_for(&self, ct: &str, appid: &str, refresh: &str) -> String {
        let v = self
            .ct(
                "/cgi-bin/component/api_authorizer_token",
                ct,
                json!({"component_appid": self.appid, "authorizer_appid": appid, "authorizer_refresh_token": refresh}),
            )
            .await;
        v["authorizer_access_token"]
            .as_str()
            .unwrap_or_else(|| panic!("{v}"))
            .to_owned()
    }

    pub async fn list(&self, ct: &str, offset: i64, count: i64) -> Value {
        self.ct(
            "/cgi-bin/component/api_get_authorizer_list",
            ct,
            json!({"component_appid": self.appid, "offset": offset, "count": count}),
        )
        .await
    }

    pub async fn info(&self, ct: &str, appid: &str) -> Value {
        self.ct(
            "/cgi-bin/component/api_get_authorizer_info",
            ct,
            json!({"component_appid": self.appid, "authorizer_appid": appid}),
        )
        .await
    }
}
