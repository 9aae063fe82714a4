//! The one clock of the core: every stored time is Unix seconds (UTC), read here.

/// Unix seconds now.
pub fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

/// The longest lifetime we believe from a server's `expires_in`: WeChat's are 600 s to 2 h; a
/// bigger value is a broken or hostile answer and would keep a dead token "valid" for years.
pub const MAX_EXPIRES_IN: i64 = 30 * 86_400;

/// `from + expires_in`, with `expires_in` clamped to `0..=MAX_EXPIRES_IN` so that no answer can
/// overflow the sum (a panic in debug builds) or put an expiry before it was received.
pub fn expiry(from: i64, expires_in: i64) -> i64 {
    from.saturating_add(expires_in.clamp(0, MAX_EXPIRES_IN))
}

/// An age in words for messages: `3 d 4 h`, `5 h 12 min`, `40 min`, `12 s`.
pub fn human_age(secs: i64) -> String {
    let secs = secs.max(0);
    let (d, h, m) = (secs / 86_400, secs % 86_400 / 3_600, secs % 3_600 / 60);
    match (d, h, m) {
        (0, 0, 0) => format!("{secs} s"),
        (0, 0, m) => format!("{m} min"),
        (0, h, m) => format!("{h} h {m} min"),
        (d, h, _) => format!("{d} d {h} h"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expiry_clamps_hostile_lifetimes() {
        assert_eq!(expiry(1_000, 7_200), 8_200);
        assert_eq!(expiry(1_000, -5), 1_000);
        assert_eq!(expiry(1_000, i64::MAX), 1_000 + MAX_EXPIRES_IN);
        assert_eq!(expiry(i64::MAX - 1, 7_200), i64::MAX);
    }

    #[test]
    fn ages_read_as_words() {
        assert_eq!(human_age(12), "12 s");
        assert_eq!(human_age(40 * 60 + 5), "40 min");
        assert_eq!(human_age(5 * 3600 + 12 * 60), "5 h 12 min");
        assert_eq!(human_age(3 * 86_400 + 4 * 3600 + 59), "3 d 4 h");
        assert_eq!(human_age(-3), "0 s");
    }
}
