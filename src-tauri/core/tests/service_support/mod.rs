//! Shared setup of the service tests: a simulator, a real SQLite file in a tempdir and the real
//! keychain (under a test-only service name, so no real data is touched).
#![allow(dead_code)]

use std::sync::Arc;

use wxopen_core::secrets::{KeyringStore, SecretStore};
use wxopen_core::service::links::LinkRequest;
use wxopen_core::service::profiles::ProfileInput;
use wxopen_core::service::{Console, ConsoleOptions, ProfileRt};
use wxopen_core::store::Store;
use wxopen_sandbox::{AuthorizeRequest, Sandbox, SandboxConfig, SandboxControl};

pub struct Env {
    pub dir: tempfile::TempDir,
    pub sandbox: Sandbox,
    pub console: Arc<Console>,
    pub secrets: Arc<KeyringStore>,
    pub rt: Arc<ProfileRt>,
}

impl Env {
    pub fn control(&self) -> SandboxControl {
        self.sandbox.control()
    }
}

pub fn test_service_name() -> String {
    format!("wxopen-console-test-{}", rand_suffix())
}

fn rand_suffix() -> String {
    use std::time::{SystemTime, UNIX_EPOCH};
    let n = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    format!("{:x}-{}", n, std::process::id())
}

pub async fn env(authorizers: usize) -> Env {
    env_with(SandboxConfig {
        authorizers,
        ..Default::default()
    })
    .await
}

pub async fn env_with(cfg: SandboxConfig) -> Env {
    let sandbox = Sandbox::start(cfg).await.expect("start sandbox");
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).expect("open store");
    let secrets = Arc::new(KeyringStore::with_service(test_service_name()));
    let console = Arc::new(Console::with_options(
        store,
        secrets.clone() as Arc<dyn SecretStore>,
        ConsoleOptions {
            retry_base_ms: 10,
            ..Default::default()
        },
    ));
    let c = sandbox.credentials().clone();
    console
        .profile_add(ProfileInput {
            name: "test".into(),
            component_appid: c.component_appid.clone(),
            api_base: Some(sandbox.base_url()),
            proxy: None,
            option_v2: false,
            appsecret: Some(c.appsecret.clone()),
            token: Some(c.token.clone()),
            encoding_aes_key: Some(c.encoding_aes_key.clone()),
            shared: None,
        })
        .expect("add profile");
    let rt = console.profile(Some("test")).await.expect("profile");
    let ticket = sandbox.control().issue_ticket();
    console.ticket_set(&rt, &ticket).expect("ticket");
    Env {
        dir,
        sandbox,
        console,
        secrets,
        rt,
    }
}

pub const TOKEN_PATH: &str = "/cgi-bin/component/api_component_token";
pub const LIST_PATH: &str = "/cgi-bin/component/api_get_authorizer_list";
pub const INFO_PATH: &str = "/cgi-bin/component/api_get_authorizer_info";
pub const QUOTA_GET_PATH: &str = "/cgi-bin/openapi/quota/get";

/// The `pre_auth_code` parameter of an authorization link.
pub fn pre_auth_code_of(link: &str) -> String {
    let q = link.split('?').nth(1).unwrap().split('#').next().unwrap();
    url::form_urlencoded::parse(q.as_bytes())
        .find(|(k, _)| k == "pre_auth_code")
        .map(|(_, v)| v.into_owned())
        .unwrap()
}

/// The simulator re-authorizes `appid` (as its owner would on WeChat's page); returns the code.
pub async fn reauthorize(e: &Env, appid: &str) -> (String, String) {
    let link = e
        .console
        .link_create(
            &e.rt,
            LinkRequest {
                redirect_uri: "https://a.example/cb".into(),
                auth_type: None,
                biz_appid: None,
            },
        )
        .await
        .unwrap();
    let out = e
        .control()
        .authorize(AuthorizeRequest {
            pre_auth_code: pre_auth_code_of(&link.pc_link),
            appid: Some(appid.to_string()),
            ..Default::default()
        })
        .unwrap();
    (out.info_type, out.auth_code)
}
