//! Times in text output: `2026-11-27 18:20:05 (in 9 min)` in local time. `--json` keeps the raw
//! Unix seconds.

use jiff::tz::TimeZone;
use jiff::Timestamp;
use wxopen_core::clock::now;

/// A Unix time with how far it is from now; `-` for none.
pub fn fmt_time(t: Option<i64>) -> String {
    t.map_or_else(|| "-".into(), |t| human_time(t, now()))
}

fn human_time(t: i64, now: i64) -> String {
    format!("{} ({})", local_datetime(t), relative(t - now))
}

/// A length of time, roughly: `45 s`, `9 min`, `3 h 5 min`, `12 days`.
pub fn human_duration(secs: i64) -> String {
    let s = secs.unsigned_abs();
    match s {
        0..=59 => format!("{s} s"),
        60..=3_599 => format!("{} min", s / 60),
        3_600..=172_799 => match (s / 3_600, s % 3_600 / 60) {
            (h, 0) => format!("{h} h"),
            (h, m) => format!("{h} h {m} min"),
        },
        _ => format!("{} days", s / 86_400),
    }
}

/// `in 9 min` / `9 min ago` / `now`, for `delta` = time − now.
fn relative(delta: i64) -> String {
    match delta {
        0 => "now".into(),
        d if d > 0 => format!("in {}", human_duration(d)),
        d => format!("{} ago", human_duration(d)),
    }
}

/// `YYYY-MM-DD HH:MM:SS` of Unix time `t` in the local zone (TZ, else /etc/localtime; UTC where
/// neither is usable, as the C library did).
pub fn local_datetime(t: i64) -> String {
    datetime_in(t, &TimeZone::system())
}

fn datetime_in(t: i64, tz: &TimeZone) -> String {
    match Timestamp::from_second(t) {
        Ok(ts) => {
            let d = ts.to_zoned(tz.clone()).datetime();
            format!(
                "{:04}-{:02}-{:02} {:02}:{:02}:{:02}",
                d.year(),
                d.month(),
                d.day(),
                d.hour(),
                d.minute(),
                d.second()
            )
        }
        // Beyond years ±9999: no calendar date is worth showing, the raw number is.
        Err(_) => format!("@{t}"),
    }
}

/// `30s`, `15m`, `24h`, `7d` (or bare seconds) → seconds: what `--stale-after` takes.
pub fn parse_duration_secs(text: &str) -> Result<u64, String> {
    let t = text.trim();
    let (digits, unit) = match t.find(|c: char| !c.is_ascii_digit()) {
        Some(i) => t.split_at(i),
        None => (t, "s"),
    };
    let n: u64 = digits.parse().map_err(|_| {
        format!("{text:?} is not a duration: give a number with s, m, h or d (24h)")
    })?;
    let per = match unit {
        "s" => 1,
        "m" => 60,
        "h" => 3600,
        "d" => 86_400,
        _ => {
            return Err(format!(
                "{text:?}: unknown unit {unit:?}, use s, m, h or d (24h)"
            ))
        }
    };
    n.checked_mul(per)
        .ok_or_else(|| format!("{text:?} is too long a duration"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_are_humanized() {
        let utc = TimeZone::UTC;
        assert_eq!(datetime_in(0, &utc), "1970-01-01 00:00:00");
        assert_eq!(datetime_in(1_795_803_605, &utc), "2026-11-27 18:20:05");
        assert_eq!(datetime_in(951_782_400, &utc), "2000-02-29 00:00:00");
        assert_eq!(datetime_in(-1, &utc), "1969-12-31 23:59:59");
        let shanghai = TimeZone::posix("CST-8").unwrap();
        assert_eq!(datetime_in(1_795_803_605, &shanghai), "2026-11-28 02:20:05");
        assert_eq!(datetime_in(i64::MAX, &utc), format!("@{}", i64::MAX));
        assert_eq!(relative(0), "now");
        assert_eq!(relative(45), "in 45 s");
        assert_eq!(relative(9 * 60 + 5), "in 9 min");
        assert_eq!(relative(-(2 * 3600 + 5 * 60)), "2 h 5 min ago");
        assert_eq!(relative(7200), "in 2 h");
        assert_eq!(relative(12 * 86_400 + 5), "in 12 days");
        let t = 1_795_803_605;
        let s = human_time(t, t - 540);
        assert!(s.ends_with(" (in 9 min)"), "{s}");
        assert!(s.starts_with("2026-11-2"), "{s}");
        // `YYYY-MM-DD HH:MM:SS` in the local zone
        assert_eq!(local_datetime(t).len(), 19);
        assert_eq!(fmt_time(None), "-");
    }

    #[test]
    fn durations() {
        assert_eq!(super::parse_duration_secs("24h"), Ok(86_400));
        assert_eq!(super::parse_duration_secs("0s"), Ok(0));
        assert_eq!(super::parse_duration_secs("15m"), Ok(900));
        assert_eq!(super::parse_duration_secs("7d"), Ok(604_800));
        assert_eq!(super::parse_duration_secs("90"), Ok(90));
        assert!(super::parse_duration_secs("soon").is_err());
        assert!(super::parse_duration_secs("3w").is_err());
    }
}
