//! Input checks shared by the profile forms, the CLI and the service.

use crate::error::{CoreError, CoreResult};
use wxopen_wechat::client::ClientConfig;

/// `wx` + 16 hex digits (lower or upper case).
pub fn appid(value: &str) -> CoreResult<String> {
    let v = value.trim();
    let ok = v.len() == 18 && v.starts_with("wx") && v[2..].bytes().all(|b| b.is_ascii_hexdigit());
    if ok {
        Ok(v.to_string())
    } else {
        Err(CoreError::InvalidInput(format!(
            "{v:?} is not an appid: expected \"wx\" followed by 16 hex digits (e.g. wx1234567890abcdef)"
        )))
    }
}

/// 43 characters of the base64 alphabet (`A-Z a-z 0-9 + /`). The value itself is never echoed.
pub fn encoding_aes_key(value: &str) -> CoreResult<String> {
    let v = value.trim();
    let len = v.chars().count();
    if len != 43 {
        return Err(CoreError::InvalidInput(format!(
            "the EncodingAESKey must be 43 characters long (got {len})"
        )));
    }
    if let Some(pos) = v
        .bytes()
        .position(|b| !(b.is_ascii_alphanumeric() || b == b'+' || b == b'/'))
    {
        return Err(CoreError::InvalidInput(format!(
            "the EncodingAESKey may only contain A-Z, a-z, 0-9, + and / (character {} is not one)",
            pos + 1
        )));
    }
    Ok(v.to_string())
}

/// A non-empty secret without surrounding whitespace. `what` names it in the error.
pub fn secret(what: &str, value: &str) -> CoreResult<String> {
    let v = value.trim();
    if v.is_empty() {
        return Err(CoreError::InvalidInput(format!("the {what} is empty")));
    }
    if v.chars().any(char::is_control) {
        return Err(CoreError::InvalidInput(format!(
            "the {what} contains control characters"
        )));
    }
    Ok(v.to_string())
}

/// A profile name: 1–64 characters, no control characters.
pub fn profile_name(value: &str) -> CoreResult<String> {
    let v = value.trim();
    if v.is_empty() || v.chars().count() > 64 || v.chars().any(char::is_control) {
        return Err(CoreError::InvalidInput(
            "a profile name is 1 to 64 printable characters".into(),
        ));
    }
    Ok(v.to_string())
}

/// The API base and proxy URL forms (what [`ClientConfig::validate`] accepts).
pub fn urls(api_base: &str, proxy: Option<&str>) -> CoreResult<(String, Option<String>)> {
    let proxy = proxy.map(str::trim).filter(|p| !p.is_empty());
    let config = ClientConfig {
        api_base: api_base.trim().to_string(),
        proxy: proxy.map(str::to_string),
        ..Default::default()
    };
    config.validate()?;
    Ok((
        api_base.trim().trim_end_matches('/').to_string(),
        proxy.map(str::to_string),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn appids() {
        assert!(appid(" wx1234567890abcdef ").is_ok());
        assert!(appid("wx1234567890ABCDEF").is_ok());
        for bad in [
            "",
            "wx123",
            "wz1234567890abcdef",
            "wx1234567890abcdeg",
            "wx1234567890abcdef0",
        ] {
            assert!(appid(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn aes_keys() {
        assert!(encoding_aes_key("abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG").is_ok());
        assert!(encoding_aes_key("abcdefghijklmnopqrstuvwxyz0123456789ABCDEF").is_err());
        let e = encoding_aes_key("abcdefghijklmnopqrstuvwxyz0123456789ABCDE=G").unwrap_err();
        assert!(!e.to_string().contains("abcdef"), "{e}");
    }

    #[test]
    fn url_forms() {
        assert_eq!(
            urls("http://127.0.0.1:9/", None).unwrap().0,
            "http://127.0.0.1:9"
        );
        assert!(urls("ftp://x", None).is_err());
        assert!(urls(
            "https://api.weixin.qq.com",
            Some("socks5h://127.0.0.1:1080")
        )
        .is_ok());
        assert!(urls("https://api.weixin.qq.com", Some("gopher://x")).is_err());
        assert!(urls("https://api.weixin.qq.com", Some("  "))
            .unwrap()
            .1
            .is_none());
    }
}
