//! Where a secret lives in the keychain: service and account names.

use serde::Serialize;

/// The keychain service name all our entries live under.
pub const SERVICE: &str = "wxopen-console";

/// Which secret of a profile.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, specta::Type)]
#[serde(rename_all = "snake_case")]
pub enum SecretName {
    AppSecret,
    Token,
    EncodingAesKey,
    /// The password of the profile's proxy URL (`user:pass@`): the URL in SQLite has none.
    ProxyPassword,
    /// The password of a shared profile's Redis (team mode).
    RedisPassword,
    /// The value of a shared profile's token API header (team mode).
    TokenApiHeader,
}

impl SecretName {
    pub const ALL: [SecretName; 6] = [
        SecretName::AppSecret,
        SecretName::Token,
        SecretName::EncodingAesKey,
        SecretName::ProxyPassword,
        SecretName::RedisPassword,
        SecretName::TokenApiHeader,
    ];

    /// The name used in the keychain account (`<component_appid>/<name>`).
    pub fn as_str(self) -> &'static str {
        match self {
            SecretName::AppSecret => "appsecret",
            SecretName::Token => "token",
            SecretName::EncodingAesKey => "encoding_aes_key",
            SecretName::ProxyPassword => "proxy_password",
            SecretName::RedisPassword => "redis_password",
            SecretName::TokenApiHeader => "token_api_header",
        }
    }
}

/// The keychain account of a secret: `<component_appid>/<name>`.
pub fn account(appid: &str, name: SecretName) -> String {
    format!("{appid}/{}", name.as_str())
}
