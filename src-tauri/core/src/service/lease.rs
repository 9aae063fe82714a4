//! Who holds a sync run's lease (`sync_runs.owner`): the app and `wxopen` share one SQLite
//! file, and must not run the same profile's sync at once (double calls, double quota).
//!
//! An owner is `label:pid@host#nonce`. The nonce tells two consoles of one process apart; the
//! pid and host let a process on the same machine see that an owner died (its pid is gone) and
//! take its run over at once, instead of waiting for the lease to expire.

use std::time::Duration;

/// One console's identity as a lease owner.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Owner {
    pub label: String,
    pub pid: u32,
    pub host: String,
    pub nonce: String,
}

impl Owner {
    /// This process, under `label` (`wxopen`, `WxOpen Console`), with a fresh nonce.
    pub fn this_process(label: &str) -> Owner {
        use rand::Rng;
        Owner {
            label: label.replace([':', '@', '#'], "_"),
            pid: std::process::id(),
            host: host_name(),
            nonce: format!("{:08x}", rand::rng().random::<u32>()),
        }
    }

    /// Reads back what [`Owner::to_string`] wrote; `None` for anything else.
    pub fn parse(text: &str) -> Option<Owner> {
        let (label, rest) = text.split_once(':')?;
        let (rest, nonce) = rest.rsplit_once('#')?;
        let (pid, host) = rest.split_once('@')?;
        Some(Owner {
            label: label.into(),
            pid: pid.parse().ok()?,
            host: host.into(),
            nonce: nonce.into(),
        })
    }
}

impl std::fmt::Display for Owner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}:{}@{}#{}",
            self.label, self.pid, self.host, self.nonce
        )
    }
}

/// Whether the owner written as `text` is known to be dead: a process of this machine whose
/// pid no longer runs. Unknown (another machine, another OS, not ours to read) is not dead:
/// its lease is waited out.
pub fn owner_gone(text: &str) -> bool {
    let Some(owner) = Owner::parse(text) else {
        return false;
    };
    if owner.host != host_name() || owner.pid == std::process::id() {
        return false;
    }
    pid_gone(owner.pid)
}

#[cfg(target_os = "linux")]
fn pid_gone(pid: u32) -> bool {
    !std::path::Path::new(&format!("/proc/{pid}")).exists()
}

#[cfg(not(target_os = "linux"))]
fn pid_gone(_pid: u32) -> bool {
    false
}

fn host_name() -> String {
    let from_file = std::fs::read_to_string("/proc/sys/kernel/hostname")
        .ok()
        .or_else(|| std::fs::read_to_string("/etc/hostname").ok());
    from_file
        .or_else(|| std::env::var("HOSTNAME").ok())
        .or_else(|| std::env::var("COMPUTERNAME").ok())
        .map(|h| h.trim().replace(['#', ':'], "_"))
        .filter(|h| !h.is_empty())
        .unwrap_or_else(|| "localhost".into())
}

/// How often a lease of `ttl_secs` is renewed: three beats per lease, so one late beat (a
/// long commit, a busy machine) does not lose it.
pub fn heartbeat_every(ttl_secs: i64) -> Duration {
    Duration::from_secs((ttl_secs / 3).max(1) as u64)
}

/// `secs` (Unix seconds) as `YYYY-MM-DD HH:MM:SS UTC`, for messages.
pub fn utc_text(secs: i64) -> String {
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    // Howard Hinnant's civil_from_days.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02} {:02}:{:02}:{:02} UTC",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_owner_reads_back_what_it_wrote() {
        let me = Owner::this_process("wx:open");
        let text = me.to_string();
        assert_eq!(Owner::parse(&text), Some(me.clone()));
        assert_eq!(me.label, "wx_open");
        assert!(!owner_gone(&text), "this process runs");
        assert!(!owner_gone("not an owner"));
    }

    #[test]
    fn a_dead_pid_on_this_host_is_gone() {
        let mut child = std::process::Command::new("true").spawn().unwrap();
        let pid = child.id();
        child.wait().unwrap();
        let dead = Owner {
            pid,
            ..Owner::this_process("wxopen")
        };
        assert_eq!(owner_gone(&dead.to_string()), cfg!(target_os = "linux"));
        let elsewhere = Owner {
            host: "another-machine".into(),
            ..dead
        };
        assert!(!owner_gone(&elsewhere.to_string()));
    }

    #[test]
    fn utc_text_formats_unix_seconds() {
        assert_eq!(utc_text(0), "1970-01-01 00:00:00 UTC");
        assert_eq!(utc_text(1_764_769_510), "2025-12-03 13:45:10 UTC");
        assert_eq!(utc_text(951_782_400), "2000-02-29 00:00:00 UTC");
    }
}
