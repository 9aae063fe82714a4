//! A backend's internal token API (as WeChat's own component-manager service exposes one): GET a
//! URL, read the token and its expiry at JSON pointers. Borrow only: nothing here asks the
//! backend to refresh.

use std::time::Duration;

use super::config::HttpSource;
use super::layout::Item;
use super::redis_store::{KeyReading, SharedStoreError};
use super::value::{Stored, ValueError};

/// Answers larger than this are not a token.
const MAX_ANSWER_BYTES: usize = 64 * 1024;

/// Above this an expiry is in milliseconds.
const MILLIS_FLOOR: i64 = 100_000_000_000;

#[derive(Clone)]
pub struct HttpTokens {
    config: HttpSource,
    client: reqwest::Client,
    /// (name, value) of the header the API wants; the value comes from the keychain.
    header: Option<(String, String)>,
}

impl HttpTokens {
    pub fn new(
        config: HttpSource,
        header_value: Option<String>,
        timeout: Duration,
    ) -> Result<HttpTokens, SharedStoreError> {
        let client = reqwest::Client::builder()
            .timeout(timeout)
            .connect_timeout(timeout)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| SharedStoreError::BadUrl {
                url: config.component_token_url.clone(),
                detail: e.to_string(),
            })?;
        let header = match (&config.header_name, header_value) {
            (Some(n), Some(v)) if !n.trim().is_empty() => Some((n.trim().to_owned(), v)),
            _ => None,
        };
        Ok(HttpTokens {
            config,
            client,
            header,
        })
    }

    /// The URL asked for `item` (placeholders replaced, appids percent-encoded).
    pub fn url(
        &self,
        item: Item,
        component_appid: &str,
        authorizer_appid: Option<&str>,
    ) -> Result<String, SharedStoreError> {
        let enc = |s: &str| {
            percent_encoding::utf8_percent_encode(s, percent_encoding::NON_ALPHANUMERIC)
                .to_string()
        };
        let template = match item {
            Item::ComponentToken => Some(&self.config.component_token_url),
            Item::AuthorizerToken => self.config.authorizer_token_url.as_ref(),
            Item::Ticket | Item::AuthorizerRefreshToken => None,
        }
        .ok_or(SharedStoreError::NotKept { item })?;
        let mut url = template.replace("{component_appid}", &enc(component_appid));
        if let Some(a) = authorizer_appid {
            url = url.replace("{authorizer_appid}", &enc(a));
        }
        Ok(url)
    }

    /// Asks the API for `item`'s token.
    pub async fn read(
        &self,
        item: Item,
        component_appid: &str,
        authorizer_appid: Option<&str>,
    ) -> Result<KeyReading, SharedStoreError> {
        let url = self.url(item, component_appid, authorizer_appid)?;
        let mut req = self.client.get(&url);
        if let Some((n, v)) = &self.header {
            req = req.header(n.as_str(), v.as_str());
        }
        let unreachable = |e: reqwest::Error| {
            if e.is_timeout() {
                SharedStoreError::Timeout {
                    url: url.clone(),
                    secs: 0,
                }
            } else {
                SharedStoreError::Unreachable {
                    url: url.clone(),
                    detail: wxopen_wechat::error::redact_secrets(&e.to_string()),
                }
            }
        };
        let resp = req.send().await.map_err(unreachable)?;
        let status = resp.status();
        if status == reqwest::StatusCode::UNAUTHORIZED || status == reqwest::StatusCode::FORBIDDEN
        {
            return Err(SharedStoreError::Auth {
                url,
                detail: format!("HTTP {}", status.as_u16()),
            });
        }
        if status == reqwest::StatusCode::NOT_FOUND {
            return Err(SharedStoreError::Missing { key: url });
        }
        if !status.is_success() {
            return Err(SharedStoreError::HttpStatus {
                url,
                status: status.as_u16(),
            });
        }
        let body = wxopen_wechat::client::read_capped(resp, MAX_ANSWER_BYTES)
            .await
            .map_err(|e| SharedStoreError::Malformed {
                key: url.clone(),
                source: ValueError::Malformed {
                    expected: "a JSON answer",
                    detail: match e {
                        wxopen_wechat::client::BodyError::TooLarge(_) => {
                            format!("the answer is larger than {MAX_ANSWER_BYTES} bytes")
                        }
                        wxopen_wechat::client::BodyError::Read(e) => e.to_string(),
                    },
                },
            })?;
        let json: serde_json::Value =
            serde_json::from_slice(&body).map_err(|e| SharedStoreError::Malformed {
                key: url.clone(),
                source: ValueError::Malformed {
                    expected: "a JSON answer",
                    detail: e.to_string(),
                },
            })?;
        let missing = |what, pointer: &str| SharedStoreError::Pointer {
            url: url.clone(),
            what,
            pointer: pointer.to_owned(),
        };
        let token = json
            .pointer(&self.config.token_pointer)
            .and_then(|v| v.as_str())
            .filter(|t| !t.is_empty() && !t.chars().any(|c| c.is_whitespace() || c.is_control()))
            .ok_or_else(|| missing("token", &self.config.token_pointer))?
            .to_owned();
        let number = |p: &str| {
            json.pointer(p).and_then(|v| match v {
                serde_json::Value::Number(n) => n.as_i64(),
                serde_json::Value::String(s) => s.trim().parse().ok(),
                _ => None,
            })
        };
        let now = crate::clock::now();
        let (expires_at, ttl_secs) = if let Some(p) = &self.config.expires_at_pointer {
            let at = number(p).ok_or_else(|| missing("expiry", p))?;
            let at = if at > MILLIS_FLOOR { at / 1000 } else { at };
            (Some(at), Some(at - now))
        } else if let Some(p) = &self.config.expires_in_pointer {
            let secs = number(p).ok_or_else(|| missing("expires_in", p))?;
            (Some(crate::clock::expiry(now, secs)), Some(secs))
        } else {
            (None, None)
        };
        if let Some(at) = expires_at {
            if at <= now {
                return Err(SharedStoreError::Expired {
                    key: url,
                    ttl: format!("expired at {at}"),
                });
            }
        }
        Ok(KeyReading {
            item,
            key: url,
            ttl_secs,
            stored: Stored { token, expires_at },
        })
    }
}
