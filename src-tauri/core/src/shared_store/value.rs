//! How a backend writes a value: the raw token, a JSON string (`"…"`, wechatpy's `json.dumps`),
//! or a JSON object with the token (and maybe its expiry) in named fields.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ValueFormat {
    Raw,
    JsonString,
    JsonObject {
        token_field: String,
        /// Unix seconds (or milliseconds) the token expires at; `None`: the key's TTL says.
        expires_at_field: Option<String>,
    },
}

/// A value as read from the store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stored {
    pub token: String,
    /// From the value itself (a JSON object's expiry field); `None`: use the key's TTL.
    pub expires_at: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ValueError {
    #[error("the value is empty")]
    Empty,
    #[error("the value is not UTF-8 text (a binary codec such as Redisson's Kryo? the layout expects {expected})")]
    NotText { expected: &'static str },
    #[error("the value is not {expected}: {detail}")]
    Malformed {
        expected: &'static str,
        detail: String,
    },
    #[error("the JSON object has no text field {field:?}")]
    MissingField { field: String },
    #[error("the JSON object's {field:?} is not a Unix time")]
    BadExpiry { field: String },
}

/// Above this an expiry is in milliseconds (year 5138 in seconds).
const MILLIS_FLOOR: i64 = 100_000_000_000;

impl ValueFormat {
    fn expected(&self) -> &'static str {
        match self {
            ValueFormat::Raw => "a raw token",
            ValueFormat::JsonString => "a JSON string (\"…\")",
            ValueFormat::JsonObject { .. } => "a JSON object",
        }
    }

    /// Reads a stored value. A token never holds whitespace or control characters: one that
    /// does is a wrong format (a JSON value read as raw, a truncated write), not a token.
    pub fn decode(&self, bytes: &[u8]) -> Result<Stored, ValueError> {
        let expected = self.expected();
        let text = std::str::from_utf8(bytes).map_err(|_| ValueError::NotText { expected })?;
        let malformed = |detail: String| ValueError::Malformed { expected, detail };
        let (token, expires_at) = match self {
            // WeChat's tokens never hold a quote: a quoted value is a JSON string (wechatpy's
            // `json.dumps`, a Jackson codec) read with the wrong format, and borrowing it quotes
            // and all would only end in WeChat's 40001.
            ValueFormat::Raw if text.len() >= 2 && text.starts_with('"') && text.ends_with('"') => {
                return Err(malformed(
                    "it is a JSON string (\"…\"): choose the JSON string value format".into(),
                ))
            }
            ValueFormat::Raw => (text.to_owned(), None),
            ValueFormat::JsonString => (
                serde_json::from_str::<String>(text).map_err(|e| malformed(e.to_string()))?,
                None,
            ),
            ValueFormat::JsonObject {
                token_field,
                expires_at_field,
            } => {
                let v: serde_json::Value =
                    serde_json::from_str(text).map_err(|e| malformed(e.to_string()))?;
                let obj = v
                    .as_object()
                    .ok_or_else(|| malformed("not an object".into()))?;
                let token = obj
                    .get(token_field)
                    .and_then(|t| t.as_str())
                    .ok_or_else(|| ValueError::MissingField {
                        field: token_field.clone(),
                    })?;
                let expires_at = match expires_at_field {
                    None => None,
                    Some(f) => Some(
                        expiry_of(obj.get(f))
                            .ok_or_else(|| ValueError::BadExpiry { field: f.clone() })?,
                    ),
                };
                (token.to_owned(), expires_at)
            }
        };
        if token.is_empty() {
            return Err(ValueError::Empty);
        }
        if token.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(malformed(
                "it contains whitespace or control characters".into(),
            ));
        }
        Ok(Stored { token, expires_at })
    }

    /// The value to write for `token` expiring at `expires_at`, as the backend would.
    pub fn encode(&self, token: &str, expires_at: i64) -> String {
        match self {
            ValueFormat::Raw => token.to_owned(),
            ValueFormat::JsonString => serde_json::Value::from(token).to_string(),
            ValueFormat::JsonObject {
                token_field,
                expires_at_field,
            } => {
                let mut obj = serde_json::Map::new();
                obj.insert(token_field.clone(), token.into());
                if let Some(f) = expires_at_field {
                    obj.insert(f.clone(), expires_at.into());
                }
                serde_json::Value::Object(obj).to_string()
            }
        }
    }
}

fn expiry_of(v: Option<&serde_json::Value>) -> Option<i64> {
    let n = match v? {
        serde_json::Value::Number(n) => n.as_i64()?,
        serde_json::Value::String(s) => s.trim().parse().ok()?,
        _ => return None,
    };
    let secs = if n > MILLIS_FLOOR { n / 1000 } else { n };
    (secs > 0).then_some(secs)
}
