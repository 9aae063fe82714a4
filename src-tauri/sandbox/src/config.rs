//! How a simulator starts, and the platform it plays.

use std::time::Duration;

use serde::{Deserialize, Serialize};

/// How to start a sandbox.
#[derive(Debug, Clone)]
pub struct SandboxConfig {
    /// Port on 127.0.0.1; 0 picks a free one.
    pub port: u16,
    /// How many authorizers to seed (2,000 by default). A million costs a few megabytes: accounts
    /// are computed from the seed when asked for, and only changes are kept.
    pub authorizers: usize,
    /// Seed of the generated authorizers (same seed, same data).
    pub seed: u64,
    /// Calls per API path per owner per (sandbox-clock) day before 45009.
    pub daily_quota: u64,
    /// The authorization-event URL pushes go to.
    pub push_url: Option<String>,
    /// With `push_url`: push a fresh component_verify_ticket this often (WeChat: 10 min).
    pub push_interval: Option<Duration>,
    /// `None`: [`SandboxCredentials::default`].
    pub credentials: Option<SandboxCredentials>,
    /// The token the control routes (`/sandbox/*`) want in the `X-Sandbox-Token` header.
    /// `None` (or blank): a random one per start ([`crate::SandboxControl::control_token`]).
    pub control_token: Option<String>,
    /// The platform's registered authorization-redirect domains: the authorization page
    /// redirects only to these, their subdomains and loopback names, as WeChat refuses a
    /// `redirect_uri` off the platform's domain.
    pub redirect_domains: Vec<String>,
}

impl Default for SandboxConfig {
    fn default() -> Self {
        SandboxConfig {
            port: 0,
            authorizers: 2000,
            seed: 1,
            daily_quota: 100_000,
            push_url: None,
            push_interval: None,
            credentials: None,
            control_token: None,
            redirect_domains: super::hosts::DEFAULT_REDIRECT_DOMAINS
                .iter()
                .map(|d| (*d).to_owned())
                .collect(),
        }
    }
}

/// The platform's own settings as the open.weixin.qq.com console would show them.
#[derive(Clone, Serialize, Deserialize, Debug, PartialEq, Eq)]
pub struct SandboxCredentials {
    /// `wx` + 16 hex digits.
    pub component_appid: String,
    pub appsecret: String,
    /// Message-check token.
    pub token: String,
    /// 43 characters.
    pub encoding_aes_key: String,
}

impl Default for SandboxCredentials {
    /// Fixed values, so a sandbox profile survives restarts of the simulator.
    fn default() -> Self {
        SandboxCredentials {
            component_appid: "wx5a4db0c0ffee0001".to_owned(),
            appsecret: "5b1e7ad0a3f94c2e8d6b0f4a9c3e2d17".to_owned(),
            token: "wxopensandbox".to_owned(),
            encoding_aes_key: "SandboxEncodingAesKey0123456789abcdefghijkl".to_owned(),
        }
    }
}
