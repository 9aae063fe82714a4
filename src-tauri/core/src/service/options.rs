//! [`ConsoleOptions`]: the console's tunables, and the environment variables that set them.

/// Tunables (tests shorten them).
#[derive(Debug, Clone)]
pub struct ConsoleOptions {
    /// Concurrent api_get_authorizer_info calls during a details sync.
    pub sync_concurrency: usize,
    /// Attempts per call on transient errors (-1, 5xx, timeouts) during sync.
    pub retry_attempts: u32,
    /// First backoff step (doubles, with jitter).
    pub retry_base_ms: u64,
    /// Authorizers seeded in an in-process sandbox.
    pub sandbox_authorizers: usize,
    /// Loopback port of the in-process sandbox (0: any free port).
    pub sandbox_port: u16,
    /// The in-process sandbox's control token (`None`: a random one per start), so a test
    /// driving the app from outside can use the simulator's `/sandbox/*` routes.
    pub sandbox_control_token: Option<String>,
    /// Seconds a sync run's lease lasts without a heartbeat (`service::lease`): after that,
    /// another process may take a silent owner's run over.
    pub sync_lease_secs: i64,
    /// What this process calls itself in a lease (`wxopen`, `WxOpen Console`): shown to the
    /// operator of the process that is refused.
    pub owner_label: String,
    /// Team mode: a borrowed token is read from the backend's store at most once per this many
    /// seconds (and kept no longer than it lives).
    pub shared_read_secs: u64,
    /// Team mode: how long *Refresh in the shared store* waits for someone else's lock.
    pub shared_lock_wait_secs: u64,
    /// Team mode: connect and answer timeout of the backend's store.
    pub shared_timeout_secs: u64,
}

impl Default for ConsoleOptions {
    fn default() -> Self {
        ConsoleOptions {
            sync_concurrency: 8,
            retry_attempts: 5,
            retry_base_ms: 200,
            sandbox_authorizers: 2000,
            sandbox_port: 0,
            sandbox_control_token: None,
            sync_lease_secs: 60,
            owner_label: "wxopen-core".into(),
            shared_read_secs: 5,
            shared_lock_wait_secs: 10,
            shared_timeout_secs: 5,
        }
    }
}

/// Sets [`ConsoleOptions::sandbox_authorizers`] (tests, benchmarks: the app and the CLI alike).
pub const ENV_SANDBOX_AUTHORIZERS: &str = "WXOPEN_SANDBOX_AUTHORIZERS";
/// The in-process sandbox's calls per API per day before 45009 (read when it starts, by
/// `local_backend`; default 100,000): benchmarks that sync a million accounts with details.
pub const ENV_SANDBOX_DAILY_QUOTA: &str = "WXOPEN_SANDBOX_DAILY_QUOTA";
/// Sets [`ConsoleOptions::sandbox_port`].
pub const ENV_SANDBOX_PORT: &str = "WXOPEN_SANDBOX_PORT";
/// Sets [`ConsoleOptions::sync_lease_secs`] (tests; an operator whose machine stalls longer).
pub const ENV_SYNC_LEASE_SECS: &str = "WXOPEN_SYNC_LEASE_SECS";
/// Sets [`ConsoleOptions::shared_read_secs`].
pub const ENV_SHARED_READ_SECS: &str = "WXOPEN_SHARED_READ_SECS";
/// Sets [`ConsoleOptions::shared_lock_wait_secs`].
pub const ENV_SHARED_LOCK_WAIT_SECS: &str = "WXOPEN_SHARED_LOCK_WAIT_SECS";
/// Sets [`ConsoleOptions::sandbox_control_token`].
pub const ENV_SANDBOX_CONTROL_TOKEN: &str = "WXOPEN_SANDBOX_CONTROL_TOKEN";

impl ConsoleOptions {
    /// The defaults, with the sandbox knobs and the lease taken from the environment
    /// ([`ENV_SANDBOX_AUTHORIZERS`], [`ENV_SANDBOX_PORT`], [`ENV_SYNC_LEASE_SECS`]) when they
    /// hold a number, and [`ENV_SANDBOX_CONTROL_TOKEN`] when it is not blank.
    pub fn from_env() -> ConsoleOptions {
        Self::from_vars(|name| std::env::var(name).ok())
    }

    fn from_vars(var: impl Fn(&str) -> Option<String>) -> ConsoleOptions {
        let mut options = ConsoleOptions::default();
        if let Some(n) = var(ENV_SANDBOX_AUTHORIZERS).and_then(|v| v.trim().parse::<usize>().ok()) {
            options.sandbox_authorizers = n;
        }
        if let Some(p) = var(ENV_SANDBOX_PORT).and_then(|v| v.trim().parse::<u16>().ok()) {
            options.sandbox_port = p;
        }
        options.sandbox_control_token = var(ENV_SANDBOX_CONTROL_TOKEN)
            .map(|t| t.trim().to_owned())
            .filter(|t| !t.is_empty());
        if let Some(s) = var(ENV_SYNC_LEASE_SECS)
            .and_then(|v| v.trim().parse::<i64>().ok())
            .filter(|s| *s > 0)
        {
            options.sync_lease_secs = s;
        }
        if let Some(s) = var(ENV_SHARED_READ_SECS).and_then(|v| v.trim().parse::<u64>().ok()) {
            options.shared_read_secs = s;
        }
        if let Some(s) = var(ENV_SHARED_LOCK_WAIT_SECS).and_then(|v| v.trim().parse::<u64>().ok()) {
            options.shared_lock_wait_secs = s;
        }
        options
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn options_from_env_read_the_sandbox_knobs_and_ignore_junk() {
        let vars = |pairs: &'static [(&'static str, &'static str)]| {
            move |name: &str| {
                pairs
                    .iter()
                    .find(|(k, _)| *k == name)
                    .map(|(_, v)| v.to_string())
            }
        };
        let o = ConsoleOptions::from_vars(vars(&[
            (ENV_SANDBOX_AUTHORIZERS, " 100000 "),
            (ENV_SANDBOX_PORT, "18080"),
            (ENV_SANDBOX_CONTROL_TOKEN, " t0ken "),
            (ENV_SYNC_LEASE_SECS, "600"),
            (ENV_SHARED_READ_SECS, "30"),
            (ENV_SHARED_LOCK_WAIT_SECS, "2"),
        ]));
        assert_eq!(o.sandbox_authorizers, 100_000);
        assert_eq!(o.sandbox_port, 18080);
        assert_eq!(o.sandbox_control_token.as_deref(), Some("t0ken"));
        assert_eq!(o.sync_lease_secs, 600);
        assert_eq!(o.shared_read_secs, 30);
        assert_eq!(o.shared_lock_wait_secs, 2);
        let d = ConsoleOptions::default();
        let o = ConsoleOptions::from_vars(vars(&[
            (ENV_SANDBOX_AUTHORIZERS, "many"),
            (ENV_SANDBOX_PORT, "70000"),
            (ENV_SANDBOX_CONTROL_TOKEN, "  "),
            (ENV_SYNC_LEASE_SECS, "-5"),
        ]));
        assert_eq!(o.sandbox_control_token, None);
        assert_eq!(o.sync_lease_secs, d.sync_lease_secs);
        assert_eq!(o.sandbox_authorizers, d.sandbox_authorizers);
        assert_eq!(o.sandbox_port, d.sandbox_port);
        assert_eq!(
            ConsoleOptions::from_vars(|_| None).sync_concurrency,
            d.sync_concurrency
        );
    }
}
