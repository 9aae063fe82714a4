//! The seam between the services and a WeChat stand-in running inside this process: the
//! sandbox profile's simulator. Services see only [`LocalBackend`]; which simulator answers
//! (the `wxopen-sandbox` crate, behind the default-on `sandbox` feature) is decided here.

use std::future::Future;
use std::pin::Pin;

/// What a profile needs of a platform: the values WeChat's console would show its owner.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LocalCredentials {
    pub component_appid: String,
    pub appsecret: String,
    pub token: String,
    pub encoding_aes_key: String,
}

/// A running stand-in for WeChat on loopback.
pub trait LocalBackend: Send + Sync {
    /// `http://127.0.0.1:PORT`: the profile's API base while it runs.
    fn base_url(&self) -> String;
    fn credentials(&self) -> LocalCredentials;
    /// A fresh component_verify_ticket, as WeChat's 10-minute push would deliver.
    fn issue_ticket(&self) -> String;
    fn shutdown(self: Box<Self>) -> Pin<Box<dyn Future<Output = ()> + Send>>;
}

/// How to start one.
#[derive(Debug, Clone)]
pub struct LocalBackendConfig {
    /// 0: any free port.
    pub port: u16,
    pub authorizers: usize,
    /// What its control routes want in `X-Sandbox-Token` (`None`: random per start).
    pub control_token: Option<String>,
}

#[cfg(feature = "sandbox")]
mod simulator {
    use super::*;
    use wxopen_sandbox::{Sandbox, SandboxConfig, SandboxCredentials};

    fn credentials_of(c: &SandboxCredentials) -> LocalCredentials {
        LocalCredentials {
            component_appid: c.component_appid.clone(),
            appsecret: c.appsecret.clone(),
            token: c.token.clone(),
            encoding_aes_key: c.encoding_aes_key.clone(),
        }
    }

    impl LocalBackend for Sandbox {
        fn base_url(&self) -> String {
            Sandbox::base_url(self)
        }
        fn credentials(&self) -> LocalCredentials {
            credentials_of(Sandbox::credentials(self))
        }
        fn issue_ticket(&self) -> String {
            self.control().issue_ticket()
        }
        fn shutdown(self: Box<Self>) -> Pin<Box<dyn Future<Output = ()> + Send>> {
            Box::pin(Sandbox::shutdown(*self))
        }
    }

    pub fn default_credentials() -> Option<LocalCredentials> {
        Some(credentials_of(&SandboxCredentials::default()))
    }

    pub async fn start(config: LocalBackendConfig) -> std::io::Result<Box<dyn LocalBackend>> {
        let defaults = SandboxConfig::default();
        // A benchmark preparing a million accounts with details needs more than the default
        // day's quota of api_get_authorizer_info (see scripts/bench-startup.sh).
        let daily_quota = std::env::var(crate::service::options::ENV_SANDBOX_DAILY_QUOTA)
            .ok()
            .and_then(|v| v.trim().parse::<u64>().ok())
            .unwrap_or(defaults.daily_quota);
        let sandbox = Sandbox::start(SandboxConfig {
            authorizers: config.authorizers,
            port: config.port,
            control_token: config.control_token,
            daily_quota,
            ..defaults
        })
        .await?;
        Ok(Box::new(sandbox))
    }
}

#[cfg(not(feature = "sandbox"))]
mod simulator {
    use super::*;

    pub fn default_credentials() -> Option<LocalCredentials> {
        None
    }

    pub async fn start(_: LocalBackendConfig) -> std::io::Result<Box<dyn LocalBackend>> {
        Err(std::io::Error::new(
            std::io::ErrorKind::Unsupported,
            "this build has no sandbox simulator (built without the `sandbox` feature)",
        ))
    }
}

/// The fixed credentials of the sandbox platform (stable across restarts, so a sandbox
/// profile keeps working); `None` in a build without a simulator.
pub fn default_credentials() -> Option<LocalCredentials> {
    simulator::default_credentials()
}

/// Starts the in-process simulator.
pub async fn start(config: LocalBackendConfig) -> std::io::Result<Box<dyn LocalBackend>> {
    simulator::start(config).await
}
