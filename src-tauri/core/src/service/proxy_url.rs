//! A proxy URL's password kept apart from the URL: SQLite, the UI and `--json` get the URL
//! without it (shown as `user:••••@`); the keychain holds the password.

use url::Url;

use crate::error::{CoreError, CoreResult};
use crate::secrets::Sensitive;

/// What a password is shown as, and what the UI sends back for "unchanged".
pub const MASK: &str = "••••";

/// The password part of a proxy URL as given.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProxyPassword {
    /// No password in the URL.
    Absent,
    /// The mask sent back from a form: keep the stored password.
    Masked,
    Given(Sensitive<String>),
}

/// `proxy` (already validated) without its password, and the password.
pub fn split(proxy: &str) -> CoreResult<(String, ProxyPassword)> {
    let mut url = parse(proxy)?;
    let password = match url.password() {
        None | Some("") => return Ok((proxy.to_string(), ProxyPassword::Absent)),
        Some(p) if decoded(p) == MASK => ProxyPassword::Masked,
        // Kept percent-encoded, as in the URL: `set_password` puts it back unchanged.
        Some(p) => ProxyPassword::Given(Sensitive::new(p.to_string())),
    };
    url.set_password(None)
        .map_err(|()| invalid("it cannot hold a password"))?;
    Ok((url.to_string(), password))
}

/// The URL to connect through: `url` (without password) with `password` put back.
pub fn with_password(url: &str, password: &Sensitive<String>) -> CoreResult<String> {
    let mut parsed = parse(url)?;
    parsed
        .set_password(Some(password.expose()))
        .map_err(|()| invalid("it cannot hold a password"))?;
    Ok(parsed.to_string())
}

/// What the UI and the CLI show: never a password; `user:••••@` when one is stored (or still
/// sits in the URL of a row not yet migrated).
pub fn redact(proxy: &str, password_stored: bool) -> String {
    let Ok(url) = Url::parse(proxy) else {
        return proxy.to_string();
    };
    let in_url = url.password().is_some_and(|p| !p.is_empty());
    if !in_url && !password_stored {
        return proxy.to_string();
    }
    let mut bare = url.clone();
    let _ = bare.set_password(None);
    let _ = bare.set_username("");
    let rest = bare
        .as_str()
        .strip_prefix(&format!("{}://", url.scheme()))
        .unwrap_or(bare.as_str())
        .to_string();
    format!("{}://{}:{MASK}@{rest}", url.scheme(), url.username())
}

fn parse(proxy: &str) -> CoreResult<Url> {
    Url::parse(proxy.trim()).map_err(|e| invalid(&e.to_string()))
}

fn invalid(reason: &str) -> CoreError {
    CoreError::InvalidInput(format!(
        "invalid proxy URL: {reason} (expected e.g. http://user:password@host:port)"
    ))
}

/// Percent-decoding of the userinfo, enough to recognise the mask.
fn decoded(encoded: &str) -> String {
    let bytes = encoded.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok());
        match (bytes[i], hex.and_then(|h| u8::from_str_radix(h, 16).ok())) {
            (b'%', Some(b)) => {
                out.push(b);
                i += 3;
            }
            (b, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn split_takes_the_password_out() {
        let (url, pw) = split("http://u:p4ss@127.0.0.1:9/").unwrap();
        assert_eq!(url, "http://u@127.0.0.1:9/");
        assert_eq!(pw, ProxyPassword::Given("p4ss".into()));
        let (url, pw) = split("socks5h://127.0.0.1:1080").unwrap();
        assert_eq!(url, "socks5h://127.0.0.1:1080");
        assert_eq!(pw, ProxyPassword::Absent);
        let (url, pw) = split("http://u:••••@h:1").unwrap();
        assert_eq!(url, "http://u@h:1/");
        assert_eq!(pw, ProxyPassword::Masked);
    }

    #[test]
    fn encoded_passwords_round_trip() {
        let (url, pw) = split("http://u:p%40ss%3A1@h:1/").unwrap();
        let ProxyPassword::Given(p) = pw else {
            panic!("{pw:?}")
        };
        assert_eq!(with_password(&url, &p).unwrap(), "http://u:p%40ss%3A1@h:1/");
    }

    #[test]
    fn redaction_never_shows_the_password() {
        assert_eq!(redact("http://u@h:8080/", true), "http://u:••••@h:8080/");
        assert_eq!(
            redact("http://u:p4ss@h:8080/", false),
            "http://u:••••@h:8080/"
        );
        assert_eq!(redact("http://u@h:8080/", false), "http://u@h:8080/");
        assert_eq!(redact("socks5://h:1080", false), "socks5://h:1080");
        // What the form sends back unchanged is recognised as the mask.
        let shown = redact("http://u@h:8080/", true);
        assert_eq!(split(&shown).unwrap().1, ProxyPassword::Masked);
    }
}
