//! Per-API daily call quotas (reference §1.9, §5): every accepted call of an API counts against
//! its owner's quota for that path (the component's own quota for component-token and secret
//! calls; the authorizer's for calls made with its token). Past `daily_quota` the API answers
//! `45009 reach max api daily quota limit` until the day changes on the sandbox clock (at 00:00
//! Beijing time, as WeChat's) or a
//! clear_quota call (`/cgi-bin/component/clear_quota`, `/cgi-bin/clear_quota`,
//! `/cgi-bin/component/clear_quota/v2`) resets the owner's counters. Resets share one budget of
//! 10 per owner per calendar month; past it: `48006 forbid to clear quota because of reaching
//! the limit`.

use std::collections::HashMap;

use super::clock::{day_of, month_of};

pub const RESETS_PER_MONTH: u32 = 10;
/// The quota day's offset from UTC: Beijing time.
pub const BEIJING_OFFSET_SECS: i64 = 8 * 3600;

#[derive(Debug)]
pub struct Quota {
    pub daily_limit: u64,
    day: i64,
    used: HashMap<(String, String), u64>,
    resets: HashMap<(String, i64), u32>,
}

impl Quota {
    pub fn new(daily_limit: u64) -> Self {
        Quota {
            daily_limit,
            day: i64::MIN,
            used: HashMap::new(),
            resets: HashMap::new(),
        }
    }

    fn roll(&mut self, now: i64) {
        // WeChat's quota day starts at 00:00 Beijing time (UTC+8), as clients that wait for
        // the reset count on.
        let day = day_of(now + BEIJING_OFFSET_SECS);
        if day != self.day {
            self.day = day;
            self.used.clear();
        }
    }

    /// Counts one call; `false` when the quota was already used up (the call is refused).
    pub fn hit(&mut self, owner: &str, path: &str, now: i64) -> bool {
        self.roll(now);
        let used = self
            .used
            .entry((owner.to_owned(), path.to_owned()))
            .or_default();
        if *used >= self.daily_limit {
            return false;
        }
        *used += 1;
        true
    }

    pub fn used(&mut self, owner: &str, path: &str, now: i64) -> u64 {
        self.roll(now);
        self.used
            .get(&(owner.to_owned(), path.to_owned()))
            .copied()
            .unwrap_or(0)
    }

    /// Clears every counter of `owner`; `false` when this month's 10 resets are used.
    pub fn clear(&mut self, owner: &str, now: i64) -> bool {
        self.roll(now);
        let n = self
            .resets
            .entry((owner.to_owned(), month_of(now)))
            .or_default();
        if *n >= RESETS_PER_MONTH {
            return false;
        }
        *n += 1;
        self.used.retain(|(o, _), _| o != owner);
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limit_clear_and_budget() {
        let now = 1_700_000_000;
        let mut q = Quota::new(2);
        assert!(q.hit("c", "/p", now));
        assert!(q.hit("c", "/p", now));
        assert!(!q.hit("c", "/p", now));
        assert!(q.hit("other", "/p", now));
        for _ in 0..RESETS_PER_MONTH {
            assert!(q.clear("c", now));
        }
        assert!(q.hit("c", "/p", now));
        assert!(!q.clear("c", now));
        // next day: counters reset by themselves
        let mut q = Quota::new(1);
        assert!(q.hit("c", "/p", now));
        assert!(q.hit("c", "/p", now + 86_400));
        // the day turns at 16:00 UTC (00:00 in Beijing), not at 00:00 UTC
        let before = 1_704_124_799; // 2024-01-01T15:59:59Z
        let mut q = Quota::new(1);
        assert!(q.hit("c", "/p", before));
        assert!(q.hit("c", "/p", before + 1));
        assert!(!q.hit("c", "/p", before + 8 * 3600));
    }
}
