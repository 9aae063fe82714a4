//! Which host names the simulator trusts: its own loopback names (the `Host` of every request,
//! against DNS rebinding) and the platform's registered authorization-redirect domains (where
//! the authorization page may send an auth code).

/// Redirect domains when the config names none: what the project's tests and examples use.
/// Loopback names are always allowed on top of these.
pub const DEFAULT_REDIRECT_DOMAINS: &[&str] = &["example.com"];

/// `127.0.0.1`, `localhost`, `[::1]` (a port already removed). Case-insensitive, like DNS names.
pub fn is_loopback_host(host: &str) -> bool {
    let host = host.to_ascii_lowercase();
    matches!(host.as_str(), "127.0.0.1" | "localhost" | "[::1]" | "::1")
}

/// The host of a `Host` header value (`name`, `name:port`, `[v6]:port`), `None` when malformed.
pub fn host_of_header(value: &str) -> Option<&str> {
    let value = value.trim();
    if value.is_empty() {
        return None;
    }
    if value.starts_with('[') {
        let end = value.find(']')?;
        let rest = &value[end + 1..];
        return (rest.is_empty() || port_ok(rest.strip_prefix(':')?)).then(|| &value[..=end]);
    }
    match value.split_once(':') {
        Some((host, port)) if port_ok(port) && !host.is_empty() => Some(host),
        Some(_) => None,
        None => Some(value),
    }
}

fn port_ok(port: &str) -> bool {
    !port.is_empty() && port.len() <= 5 && port.bytes().all(|b| b.is_ascii_digit())
}

/// Whether the authorization page may redirect to `host`: a loopback name, or one of `domains`
/// or a subdomain of one (a label boundary, so `example.com` does not admit `badexample.com`).
pub fn redirect_allowed(domains: &[String], host: &str) -> bool {
    let host = host.trim_end_matches('.').to_ascii_lowercase();
    if is_loopback_host(&host) {
        return true;
    }
    domains.iter().any(|d| {
        let d = d.trim().trim_end_matches('.').to_ascii_lowercase();
        !d.is_empty()
            && (host == d
                || host
                    .strip_suffix(d.as_str())
                    .is_some_and(|rest| rest.ends_with('.')))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn host_header_values() {
        assert_eq!(host_of_header("127.0.0.1:8080"), Some("127.0.0.1"));
        assert_eq!(host_of_header("localhost"), Some("localhost"));
        assert_eq!(host_of_header("[::1]:80"), Some("[::1]"));
        assert_eq!(host_of_header("[::1]"), Some("[::1]"));
        assert_eq!(host_of_header("[::1]x"), None);
        assert_eq!(host_of_header("a:b"), None);
        assert_eq!(host_of_header(":80"), None);
        assert_eq!(host_of_header(""), None);
    }

    #[test]
    fn redirect_domains_match_on_label_boundaries() {
        let d = vec!["example.com".to_owned()];
        assert!(redirect_allowed(&d, "example.com"));
        assert!(redirect_allowed(&d, "Auth.Example.com."));
        assert!(!redirect_allowed(&d, "badexample.com"));
        assert!(!redirect_allowed(&d, "example.com.evil.net"));
        assert!(redirect_allowed(&d, "localhost"));
        assert!(redirect_allowed(&[], "127.0.0.1"));
        assert!(!redirect_allowed(&[String::new()], "anything"));
    }
}
