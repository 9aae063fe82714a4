//! `wxopen sandbox serve --backend-redis URL`: the simulator also plays the platform's backend,
//! writing its ticket and tokens into a Redis in an SDK's layout
//! ([`wxopen_core::service::play_backend`]), and refreshing them while it runs.

use std::future::Future;
use std::io::Write;
use std::time::Duration;

use serde_json::json;
use wxopen_core::error::CoreError;
use wxopen_core::service::play_backend::{
    PlayBackend, PlayReport, PlaySettings, WrittenKey, DEFAULT_LOCK_WAIT, DEFAULT_REFRESH_LEAD_SECS,
};
use wxopen_core::shared_store::{Preset, RedisTarget};
use wxopen_sandbox::Sandbox;

/// The Redis password: never an argument (shell history, `ps`).
pub const ENV_REDIS_PASSWORD: &str = "WXOPEN_REDIS_PASSWORD";

/// How many authorizer keys the text summary names before counting the rest.
const NAMED_IN_TEXT: usize = 4;

#[derive(Debug, Clone, clap::Args)]
pub struct BackendArgs {
    /// Play the platform's backend: write the ticket and tokens into this Redis
    /// (redis://[user@]host:port[/db], rediss:// for TLS; password in WXOPEN_REDIS_PASSWORD)
    #[arg(long, value_name = "URL")]
    pub backend_redis: Option<String>,
    /// With --backend-redis: the SDK whose keys, value format and TTLs to write
    #[arg(
        long,
        value_name = "wxjava|wechatpy|silenceper",
        requires = "backend_redis"
    )]
    pub backend_layout: Option<String>,
    /// With --backend-redis: the backend's key prefix (default: the SDK's own)
    #[arg(long, value_name = "P", requires = "backend_redis")]
    pub backend_prefix: Option<String>,
    /// With --backend-redis: only the first N authorizers get tokens (default: every one)
    #[arg(long, value_name = "N", requires = "backend_redis")]
    pub backend_authorizers: Option<usize>,
    /// With --backend-redis: check the keys' TTLs this often, refreshing those about to expire
    #[arg(
        long,
        value_name = "SECS",
        default_value_t = 30,
        requires = "backend_redis"
    )]
    pub backend_check_secs: u64,
    /// With --backend-redis: refresh a token whose key has fewer seconds than this left
    #[arg(long, value_name = "SECS", default_value_t = DEFAULT_REFRESH_LEAD_SECS, requires = "backend_redis")]
    pub backend_refresh_lead_secs: i64,
}

/// The backend to play, checked before the simulator starts.
pub struct Plan {
    url: String,
    preset: Preset,
    args: BackendArgs,
}

impl BackendArgs {
    pub fn plan(&self) -> Result<Option<Plan>, String> {
        let Some(url) = self.backend_redis.clone() else {
            return Ok(None);
        };
        let layout = self.backend_layout.as_deref().ok_or(
            "--backend-redis needs --backend-layout wxjava|wechatpy|silenceper (the SDK your backend runs)",
        )?;
        let preset = Preset::parse(layout).ok_or_else(|| {
            format!("--backend-layout {layout:?}: use wxjava, wechatpy or silenceper")
        })?;
        Ok(Some(Plan {
            url,
            preset,
            args: self.clone(),
        }))
    }
}

/// The backend, with what its first round wrote.
pub struct Running {
    backend: PlayBackend,
    url: String,
    layout: &'static str,
    first: PlayReport,
    check: Duration,
}

/// Connects to the Redis and writes the first round (ticket, component token, authorizers).
pub async fn start(plan: Plan, sandbox: &Sandbox) -> Result<Running, CoreError> {
    let c = sandbox.credentials();
    let password = std::env::var(ENV_REDIS_PASSWORD)
        .ok()
        .filter(|p| !p.is_empty());
    let control = sandbox.control();
    let settings = PlaySettings {
        api_base: sandbox.base_url(),
        component_appid: c.component_appid.clone(),
        appsecret: c.appsecret.clone(),
        preset: plan.preset,
        prefix: plan.args.backend_prefix.clone(),
        authorizers: plan.args.backend_authorizers,
        refresh_lead_secs: plan.args.backend_refresh_lead_secs,
        lock_wait: DEFAULT_LOCK_WAIT,
    };
    let target = RedisTarget {
        url: &plan.url,
        password: password.as_deref(),
        ca_pem: None,
        timeout: Duration::from_secs(5),
    };
    let backend = PlayBackend::connect(
        settings,
        target,
        std::sync::Arc::new(move || control.issue_ticket()),
    )
    .await?;
    let first = backend.write_all().await?;
    Ok(Running {
        backend,
        url: plan.url,
        layout: plan.preset.name(),
        first,
        check: Duration::from_secs(plan.args.backend_check_secs.max(1)),
    })
}

pub fn print_error(e: &CoreError) {
    let body = e.body();
    eprintln!(
        "wxopen sandbox serve: cannot play the backend: {}",
        body.message
    );
    if let Some(h) = &body.hint {
        eprintln!("hint: {h}");
    }
}

fn key_json(k: &WrittenKey) -> serde_json::Value {
    json!({"item": k.item, "authorizer_appid": k.authorizer_appid, "key": k.key, "ttl_secs": k.ttl_secs})
}

fn report_json(r: &PlayReport) -> serde_json::Value {
    json!({
        "written": r.written.iter().map(key_json).collect::<Vec<_>>(),
        "not_kept": r.not_kept,
        "without_refresh_token": r.without_refresh_token,
    })
}

fn key_line(k: &WrittenKey) -> String {
    match k.ttl_secs {
        Some(t) => format!("  {}  (TTL {t} s)", k.key),
        None => format!("  {}  (no TTL)", k.key),
    }
}

impl Running {
    /// For the JSON line `sandbox serve --json` prints (keys and TTLs, never a value).
    pub fn summary_json(&self) -> serde_json::Value {
        let mut v = report_json(&self.first);
        v["redis_url"] = json!(self.url);
        v["layout"] = json!(self.layout);
        v
    }

    pub fn summary_text(&self) -> String {
        let r = &self.first;
        let mut text = format!(
            "Playing the backend ({} layout) in {}: wrote {} keys (values not shown)",
            self.layout,
            self.url,
            r.written.len()
        );
        let (platform, per_account): (Vec<_>, Vec<_>) =
            r.written.iter().partition(|k| k.authorizer_appid.is_none());
        for k in platform
            .iter()
            .chain(per_account.iter().take(NAMED_IN_TEXT))
        {
            text.push('\n');
            text.push_str(&key_line(k));
        }
        if per_account.len() > NAMED_IN_TEXT {
            text.push_str(&format!(
                "\n  … and {} more authorizer keys",
                per_account.len() - NAMED_IN_TEXT
            ));
        }
        if !r.not_kept.is_empty() {
            text.push_str(&format!(
                "\n  not kept by this layout (the application keeps them): {:?}",
                r.not_kept
            ));
        }
        if r.without_refresh_token > 0 {
            text.push_str(&format!(
                "\n  {} authorizers have no refresh token (never exchanged): no token for them",
                r.without_refresh_token
            ));
        }
        text
    }

    /// Checks the keys every `--backend-check-secs` and refreshes those about to expire, as the
    /// SDK would, until `stop` completes. A failed round is reported and tried again next time.
    pub async fn run_until(self, stop: impl Future<Output = ()>, json: bool) {
        tokio::pin!(stop);
        let mut every =
            tokio::time::interval_at(tokio::time::Instant::now() + self.check, self.check);
        every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tokio::select! {
                _ = &mut stop => return,
                _ = every.tick() => match self.backend.tick().await {
                    Ok(r) if r.written.is_empty() => {}
                    Ok(r) => print_refresh(&r, json),
                    Err(e) => print_error(&e),
                },
            }
        }
    }
}

fn print_refresh(r: &PlayReport, json: bool) {
    let mut out = std::io::stdout().lock();
    let _ = if json {
        writeln!(out, "{}", json!({"refreshed": report_json(r)}))
    } else {
        let lines: Vec<String> = r.written.iter().map(key_line).collect();
        writeln!(out, "backend refreshed:\n{}", lines.join("\n"))
    };
    let _ = out.flush();
}
