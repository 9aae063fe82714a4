//! The simulator's controllable clock: wall-clock Unix seconds plus an offset that tests (and
//! `POST /sandbox/clock/advance`) push forward. Every lifetime in the simulator — tickets (12 h),
//! tokens (7200 s), pre-auth and auth codes (600 s), the daily quota day and the monthly
//! quota-reset budget — is measured on this clock, never on `SystemTime` directly.

use std::sync::atomic::{AtomicI64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

#[derive(Debug, Default)]
pub struct Clock {
    offset: AtomicI64,
}

impl Clock {
    /// Unix seconds as the simulator sees them.
    pub fn now(&self) -> i64 {
        let wall = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_secs() as i64)
            .unwrap_or(0);
        wall + self.offset.load(Ordering::SeqCst)
    }

    /// Moves the clock forward by `secs` seconds.
    pub fn advance(&self, secs: u64) {
        let secs = i64::try_from(secs).unwrap_or(i64::MAX / 4);
        self.offset.fetch_add(secs, Ordering::SeqCst);
    }
}

/// Days since the Unix epoch (the quota day).
pub fn day_of(unix: i64) -> i64 {
    unix.div_euclid(86_400)
}

/// `year * 12 + month0` of a Unix time (UTC): the quota-reset budget is per calendar month.
/// Civil-from-days after Howard Hinnant's algorithm.
pub fn month_of(unix: i64) -> i64 {
    let z = day_of(unix) + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let m = if mp < 10 { mp + 3 } else { mp - 9 }; // 1..=12
    let y = yoe + era * 400 + i64::from(m <= 2);
    y * 12 + (m - 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn advance_moves_now() {
        let c = Clock::default();
        let a = c.now();
        c.advance(7200);
        assert!(c.now() >= a + 7200);
    }

    #[test]
    fn months() {
        // 2024-01-31T23:59:59Z and 2024-02-01T00:00:00Z
        assert_eq!(month_of(1_706_745_599), 2024 * 12);
        assert_eq!(month_of(1_706_745_600), 2024 * 12 + 1);
        // 2023-12-31T12:00:00Z
        assert_eq!(month_of(1_704_024_000), 2023 * 12 + 11);
    }
}
