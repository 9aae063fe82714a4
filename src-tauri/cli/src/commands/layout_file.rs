//! `--redis-layout-file FILE.toml`: a backend's own Redis key layout (the `custom` layout).
//!
//! ```toml
//! ticket = "myapp:ticket:{component_appid}"
//! component_token = "myapp:token:{component_appid}"
//! authorizer_token = "myapp:atoken:{component_appid}:{authorizer_appid}"
//! authorizer_refresh_token = "myapp:rtoken:{component_appid}:{authorizer_appid}"
//! value = "json_object"          # raw | json_string | json_object
//! token_field = "token"          # json_object only
//! expires_at_field = "expires_at" # json_object only; none: the key's TTL is the expiry
//! ttl_margin_secs = 200
//! component_lock = "myapp:lock:component"
//! authorizer_lock = "myapp:lock:{authorizer_appid}"
//! ```
//!
//! Every error names the file, the key and what is wrong: the operator fixes a file they wrote.

use std::path::Path;

use serde::Deserialize;

use wxopen_core::error::{CoreError, CoreResult};
use wxopen_core::shared_store::{Item, KeyLayout, LayoutError, ValueFormat};

/// The file as written (unknown keys are refused: a typo would otherwise be ignored silently).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct LayoutFile {
    ticket: Option<String>,
    component_token: Option<String>,
    authorizer_token: Option<String>,
    authorizer_refresh_token: Option<String>,
    value: ValueKind,
    token_field: Option<String>,
    expires_at_field: Option<String>,
    #[serde(default)]
    ttl_margin_secs: i64,
    component_lock: Option<String>,
    authorizer_lock: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
enum ValueKind {
    Raw,
    JsonString,
    JsonObject,
}

/// The file's key for an item's template.
fn key_of(item: Item) -> &'static str {
    match item {
        Item::Ticket => "ticket",
        Item::ComponentToken => "component_token",
        Item::AuthorizerToken => "authorizer_token",
        Item::AuthorizerRefreshToken => "authorizer_refresh_token",
    }
}

fn item_of(e: &LayoutError) -> Item {
    e.item()
}

/// Reads and checks the layout file.
pub fn read(path: &Path) -> CoreResult<KeyLayout> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| CoreError::io(format!("read the layout file {}", path.display()), e))?;
    parse(&path.display().to_string(), &text)
}

/// `file` names the file in the errors.
pub fn parse(file: &str, text: &str) -> CoreResult<KeyLayout> {
    let bad = |what: String| CoreError::InvalidInput(format!("layout file {file}: {what}"));
    let f: LayoutFile = toml::from_str(text).map_err(|e| bad(e.to_string().trim().to_owned()))?;
    let value = match (f.value, &f.token_field, &f.expires_at_field) {
        (ValueKind::JsonObject, Some(token_field), expires) if !token_field.trim().is_empty() => {
            ValueFormat::JsonObject {
                token_field: token_field.trim().to_owned(),
                expires_at_field: expires
                    .as_deref()
                    .map(str::trim)
                    .filter(|e| !e.is_empty())
                    .map(str::to_owned),
            }
        }
        (ValueKind::JsonObject, _, _) => {
            return Err(bad(
                "key `token_field` is required with value = \"json_object\" (the field of the object that holds the token)".into(),
            ))
        }
        (_, Some(_), _) | (_, _, Some(_)) => {
            return Err(bad(
                "keys `token_field` and `expires_at_field` apply only to value = \"json_object\"".into(),
            ))
        }
        (ValueKind::Raw, None, None) => ValueFormat::Raw,
        (ValueKind::JsonString, None, None) => ValueFormat::JsonString,
    };
    if f.component_token.is_none() {
        return Err(bad(
            "key `component_token` is required: the template of the key the backend keeps the component_access_token under".into(),
        ));
    }
    if f.ttl_margin_secs < 0 {
        return Err(bad("key `ttl_margin_secs` must be 0 or more".into()));
    }
    if f.component_lock
        .as_deref()
        .is_some_and(|l| l.contains("{authorizer_appid}"))
    {
        return Err(bad(
            "key `component_lock` cannot use {authorizer_appid}: the platform has one component token".into(),
        ));
    }
    let checked = KeyLayout::custom(
        [
            f.ticket,
            f.component_token,
            f.authorizer_token,
            f.authorizer_refresh_token,
        ],
        value,
        f.ttl_margin_secs,
    )
    .map_err(|e| bad(format!("key `{}`: {e}", key_of(item_of(&e)))))?;
    let lock = |l: Option<String>| l.map(|l| l.trim().to_owned()).filter(|l| !l.is_empty());
    Ok(KeyLayout {
        component_lock: lock(f.component_lock),
        authorizer_lock: lock(f.authorizer_lock),
        ..checked
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = r#"
component_token = "app:ct:{component_appid}"
authorizer_token = "app:at:{authorizer_appid}"
value = "json_object"
token_field = "token"
expires_at_field = "expires_at"
ttl_margin_secs = 100
authorizer_lock = "app:lock:{authorizer_appid}"
"#;

    #[test]
    fn a_json_object_layout_reads() {
        let l = parse("x.toml", GOOD).unwrap();
        assert_eq!(
            l.key(Item::ComponentToken, "wx1", None).as_deref(),
            Some("app:ct:wx1")
        );
        assert_eq!(l.ticket, None);
        assert_eq!(l.component_ttl_margin_secs, 100);
        assert_eq!(
            l.value,
            ValueFormat::JsonObject {
                token_field: "token".into(),
                expires_at_field: Some("expires_at".into())
            }
        );
        assert_eq!(
            l.authorizer_lock.as_deref(),
            Some("app:lock:{authorizer_appid}")
        );
    }

    #[test]
    fn errors_name_the_file_and_the_key() {
        let msg = |text: &str| parse("my.toml", text).unwrap_err().to_string();
        let m = msg(&GOOD.replace("token_field = \"token\"\n", ""));
        assert!(m.contains("my.toml") && m.contains("`token_field`"), "{m}");
        let m = msg(&GOOD.replace("{authorizer_appid}\"\nvalue", "\"\nvalue"));
        assert!(
            m.contains("`authorizer_token`") && m.contains("{authorizer_appid}"),
            "{m}"
        );
        let m = msg(&GOOD.replace("json_object", "yaml"));
        assert!(m.contains("my.toml") && m.contains("json_object"), "{m}");
        let m = msg(&format!("{GOOD}\ncomponent_tokn = \"x\""));
        assert!(m.contains("component_tokn"), "{m}");
        let m = msg("component_token = \"unclosed");
        assert!(m.contains("my.toml") && m.contains("line 1"), "{m}");
    }
}
