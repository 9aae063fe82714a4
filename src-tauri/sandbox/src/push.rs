//! Pushes to the platform's authorization-event URL, as WeChat sends them (reference §3):
//! `POST push_url?signature=…&timestamp=…&nonce=…&encrypt_type=aes&msg_signature=…` with the
//! envelope `<xml><AppId>component appid</AppId><Encrypt>…</Encrypt></xml>`; the plaintext is the
//! `component_verify_ticket` / `authorized` / `updateauthorized` XML of §3.4, sealed with
//! `wechat::crypto::MsgCrypto` (AES-256-CBC, 32-byte PKCS#7, trailing component appid).

use std::sync::Mutex;
use std::time::Duration;

use rand::Rng as _;

use super::config::SandboxCredentials;
use super::state::AuthorizedEvent;
use wxopen_wechat::crypto::MsgCrypto;

pub struct Pusher {
    url: Mutex<Option<String>>,
    http: reqwest::Client,
}

impl Pusher {
    pub fn new(url: Option<String>) -> Self {
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(10))
            .no_proxy()
            .build()
            .expect("reqwest client builds");
        Pusher {
            url: Mutex::new(url),
            http,
        }
    }

    pub fn url(&self) -> Option<String> {
        self.url.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }

    pub fn set_url(&self, url: Option<String>) {
        *self.url.lock().unwrap_or_else(|p| p.into_inner()) = url;
    }

    /// Seals `plain` and POSTs it; Ok when the receiver answered 2xx.
    pub async fn send(&self, creds: &SandboxCredentials, plain: &str) -> Result<(), String> {
        let url = self.url().ok_or("no push URL configured")?;
        let crypto = MsgCrypto::new(
            &creds.token,
            &creds.encoding_aes_key,
            &creds.component_appid,
        )
        .map_err(|e| format!("sandbox crypto: {e}"))?;
        // The URL timestamp is wall-clock time, like any real sender's, so receivers that check
        // freshness keep accepting pushes after a test moved the sandbox clock; the XML inside
        // (CreateTime, AuthorizationCodeExpiredTime) is on the sandbox clock.
        let timestamp = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs())
            .to_string();
        let nonce = rand::rng()
            .random_range(100_000_000u32..2_000_000_000)
            .to_string();
        let sealed = crypto.seal_push(plain, &timestamp, &nonce);
        let signature = crypto.url_signature(&timestamp, &nonce);
        let resp = self
            .http
            .post(&url)
            .query(&[
                ("signature", signature.as_str()),
                ("timestamp", sealed.timestamp.as_str()),
                ("nonce", sealed.nonce.as_str()),
                ("encrypt_type", "aes"),
                ("msg_signature", sealed.msg_signature.as_str()),
            ])
            .header("content-type", "text/xml")
            .body(sealed.body)
            .send()
            .await
            .map_err(|e| format!("push to {url} failed: {e}"))?;
        if resp.status().is_success() {
            Ok(())
        } else {
            Err(format!("push to {url}: HTTP {}", resp.status()))
        }
    }
}

/// Decrypted `component_verify_ticket` push (§3.4).
pub fn ticket_xml(component_appid: &str, now: i64, ticket: &str) -> String {
    format!(
        "<xml><AppId><![CDATA[{component_appid}]]></AppId><CreateTime>{now}</CreateTime>\
         <InfoType><![CDATA[component_verify_ticket]]></InfoType>\
         <ComponentVerifyTicket><![CDATA[{ticket}]]></ComponentVerifyTicket></xml>"
    )
}

/// Decrypted `authorized` / `updateauthorized` push (§3.4). `AuthorizationCodeExpiredTime` is
/// an absolute Unix time, as real pushes carry it (the docs call it a duration: [CONFLICT]).
pub fn authorized_xml(component_appid: &str, now: i64, ev: &AuthorizedEvent) -> String {
    format!(
        "<xml><AppId><![CDATA[{component_appid}]]></AppId><CreateTime>{now}</CreateTime>\
         <InfoType><![CDATA[{}]]></InfoType>\
         <AuthorizerAppid><![CDATA[{}]]></AuthorizerAppid>\
         <AuthorizationCode><![CDATA[{}]]></AuthorizationCode>\
         <AuthorizationCodeExpiredTime>{}</AuthorizationCodeExpiredTime>\
         <PreAuthCode><![CDATA[{}]]></PreAuthCode></xml>",
        ev.info_type, ev.authorizer_appid, ev.auth_code, ev.expires_at, ev.pre_auth_code
    )
}

/// Decrypted `unauthorized` push (§3.4).
pub fn unauthorized_xml(component_appid: &str, now: i64, authorizer_appid: &str) -> String {
    format!(
        "<xml><AppId><![CDATA[{component_appid}]]></AppId><CreateTime>{now}</CreateTime>\
         <InfoType><![CDATA[unauthorized]]></InfoType>\
         <AuthorizerAppid><![CDATA[{authorizer_appid}]]></AuthorizerAppid></xml>"
    )
}
