//! Avatars and QR codes for the window. The window's CSP allows no `http:` image host: WeChat's
//! CDN URLs are shown over https (the UI rewrites `http://wx.qlogo.cn` and `http://mmbiz.qpic.cn`),
//! and the simulator's `http://127.0.0.1:PORT/sandbox/img/…` come through the shell's
//! `wxsandbox:` protocol, which asks [`Console::sandbox_image`]: only the running simulator's
//! port (the selected profile's loopback API base) and only its image paths are fetched.

use std::sync::OnceLock;

use percent_encoding::percent_decode_str;
use std::time::Duration;

use super::console::{loopback_port, Console};
use crate::error::{CoreError, CoreResult};
use wxopen_wechat::client::{read_capped, BodyError};

/// What the simulator's image paths start with.
pub const IMAGE_PREFIX: &str = "/sandbox/img/";
/// Larger answers are refused (the simulator's SVGs are a few kB).
const MAX_IMAGE_BYTES: usize = 1 << 20;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SandboxImage {
    pub content_type: String,
    pub bytes: Vec<u8>,
}

/// `PORT/sandbox/img/…` (as the UI encodes it into the protocol URL, percent-encoded or not)
/// split into the port and the image path; `None` for anything else.
pub fn parse_image_request(uri_path: &str) -> Option<(u16, String)> {
    let decoded = percent_decode_str(uri_path.trim_start_matches('/'))
        .decode_utf8()
        .ok()?;
    let (port, rest) = decoded.split_once('/')?;
    let port: u16 = port.parse().ok().filter(|p| *p != 0)?;
    let path = format!("/{rest}");
    let safe = path.starts_with(IMAGE_PREFIX)
        && !path.contains("..")
        && !path.contains(['?', '#', '\\', '%'])
        && path.len() < 256;
    safe.then_some((port, path))
}

impl Console {
    /// An image of the running simulator at `port` (see the module doc).
    pub async fn sandbox_image(&self, port: u16, path: &str) -> CoreResult<SandboxImage> {
        let rt = self.profile(None).await?;
        let running = loopback_port(&rt.profile.api_base);
        if running != Some(port) {
            return Err(CoreError::Refused(format!(
                "images are only shown from the selected profile's simulator ({}), not from port {port}",
                rt.profile.api_base
            )));
        }
        let fail = |e: reqwest::Error| {
            CoreError::Internal(format!("cannot read {path} from the simulator: {e}"))
        };
        let resp = loopback_client()
            .map_err(fail)?
            .get(format!("http://127.0.0.1:{port}{path}"))
            .send()
            .await
            .and_then(|r| r.error_for_status())
            .map_err(fail)?;
        let content_type = resp
            .headers()
            .get(reqwest::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_string();
        if !content_type.starts_with("image/") {
            return Err(CoreError::Refused(format!(
                "{path} is not an image ({content_type:?})"
            )));
        }
        let bytes = match read_capped(resp, MAX_IMAGE_BYTES).await {
            Ok(bytes) => bytes,
            Err(BodyError::TooLarge(_)) => {
                return Err(CoreError::Refused(format!("{path} is too large")))
            }
            Err(BodyError::Read(e)) => return Err(fail(e)),
        };
        Ok(SandboxImage {
            content_type,
            bytes,
        })
    }
}

/// One client for every image (a page shows 50 avatars; building a client each time is costly).
fn loopback_client() -> Result<&'static reqwest::Client, reqwest::Error> {
    static CLIENT: OnceLock<reqwest::Client> = OnceLock::new();
    if let Some(c) = CLIENT.get() {
        return Ok(c);
    }
    // No idle connections: a pooled one belongs to the runtime that opened it, and callers may
    // come from different runtimes (tests); a loopback connect per image is cheap.
    let built = reqwest::Client::builder()
        .no_proxy()
        .pool_max_idle_per_host(0)
        .timeout(Duration::from_secs(10))
        .build()?;
    Ok(CLIENT.get_or_init(|| built))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn image_requests_name_a_port_and_a_simulator_image_only() {
        let ok = Some((
            43117,
            "/sandbox/img/head/wx0123456789abcdef.svg".to_string(),
        ));
        assert_eq!(
            parse_image_request("/43117/sandbox/img/head/wx0123456789abcdef.svg"),
            ok
        );
        assert_eq!(
            parse_image_request("/43117%2Fsandbox%2Fimg%2Fhead%2Fwx0123456789abcdef.svg"),
            ok
        );
        for bad in [
            "/43117/cgi-bin/component/api_component_token",
            "/43117/sandbox/img/../../cgi-bin/x",
            "/0/sandbox/img/head/x.svg",
            "/x/sandbox/img/head/x.svg",
            "/43117/sandbox/img/head/x.svg%3Fa",
            "/43117%2",
        ] {
            assert_eq!(parse_image_request(bad), None, "{bad}");
        }
    }
}
