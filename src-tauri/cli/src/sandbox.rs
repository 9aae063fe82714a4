//! `wxopen sandbox serve`.

use std::io::Write;
use std::time::Duration;

use wxopen_sandbox::{Sandbox, SandboxConfig};

#[derive(Debug, Clone, clap::Args)]
pub struct ServeArgs {
    /// Port on 127.0.0.1 (0 picks a free one)
    #[arg(long, default_value_t = 0)]
    pub port: u16,
    /// How many authorizers to seed (a million and more: generated from the seed on demand)
    #[arg(long, default_value_t = 2000)]
    pub authorizers: usize,
    /// Seed of the generated authorizers (same seed, same data)
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Calls allowed per API per day before 45009
    #[arg(long, default_value_t = 100_000)]
    pub daily_quota: u64,
    /// Authorization-event URL to POST encrypted pushes to
    #[arg(long, value_name = "URL")]
    pub push_url: Option<String>,
    /// With --push-url: push a new component_verify_ticket this often (WeChat: 600)
    #[arg(long, value_name = "SECS")]
    pub push_interval_secs: Option<u64>,
    /// A registered authorization-redirect domain (repeatable; replaces the default example.com).
    /// The authorization page redirects only to these, their subdomains and loopback
    #[arg(long = "redirect-domain", value_name = "DOMAIN")]
    pub redirect_domains: Vec<String>,
    #[command(flatten)]
    pub backend: crate::sandbox_backend::BackendArgs,
}

/// Runs the simulator until interrupted; returns the process exit code.
pub fn run(args: ServeArgs, json: bool) -> i32 {
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("wxopen sandbox serve: cannot start the runtime: {e}");
            return 1;
        }
    };
    runtime.block_on(serve(args, json))
}

async fn serve(args: ServeArgs, json: bool) -> i32 {
    if args.push_interval_secs.is_some() && args.push_url.is_none() {
        eprintln!("wxopen sandbox serve: --push-interval-secs needs --push-url");
        return 2;
    }
    let defaults = SandboxConfig::default();
    let cfg = SandboxConfig {
        port: args.port,
        authorizers: args.authorizers,
        seed: args.seed,
        daily_quota: args.daily_quota,
        push_url: args.push_url.clone(),
        push_interval: args.push_interval_secs.map(Duration::from_secs),
        credentials: None,
        control_token: None,
        redirect_domains: if args.redirect_domains.is_empty() {
            defaults.redirect_domains
        } else {
            args.redirect_domains.clone()
        },
    };
    let plan = match args.backend.plan() {
        Ok(p) => p,
        Err(e) => {
            eprintln!("wxopen sandbox serve: {e}");
            return 2;
        }
    };
    let sandbox = match Sandbox::start(cfg).await {
        Ok(s) => s,
        Err(e) => {
            eprintln!(
                "wxopen sandbox serve: cannot listen on 127.0.0.1:{}: {e}",
                args.port
            );
            return 1;
        }
    };
    // The backend writes before anything is printed: whoever reads the first line may read Redis.
    let backend = match plan {
        None => None,
        Some(plan) => match crate::sandbox_backend::start(plan, &sandbox).await {
            Ok(b) => Some(b),
            Err(e) => {
                crate::sandbox_backend::print_error(&e);
                sandbox.shutdown().await;
                return 1;
            }
        },
    };
    let c = sandbox.credentials();
    let mut out = std::io::stdout().lock();
    let printed = if json {
        let line = serde_json::json!({
            "backend": backend.as_ref().map(|b| b.summary_json()),
            "base_url": sandbox.base_url(),
            "component_appid": c.component_appid,
            "appsecret": c.appsecret,
            "token": c.token,
            "encoding_aes_key": c.encoding_aes_key,
            "control_token": sandbox.control_token(),
            "authorizers": args.authorizers,
            "seed": args.seed,
            "push_url": args.push_url,
        });
        writeln!(out, "{line}")
    } else {
        writeln!(
            out,
            "WeChat sandbox listening on {}\n  component_appid   {}\n  appsecret         {}\n  token             {}\n  EncodingAESKey    {}\n  authorizers       {} (seed {})\nAPI base for SDKs: {}/cgi-bin — control surface under /sandbox/ (header X-Sandbox-Token: {}). Ctrl-C stops.",
            sandbox.base_url(),
            c.component_appid,
            c.appsecret,
            c.token,
            c.encoding_aes_key,
            args.authorizers,
            args.seed,
            sandbox.base_url(),
            sandbox.control_token()
        )
        .and_then(|()| match &backend {
            Some(b) => writeln!(out, "{}", b.summary_text()),
            None => Ok(()),
        })
    };
    if printed.and_then(|()| out.flush()).is_err() {
        sandbox.shutdown().await;
        return 1;
    }
    drop(out);
    match backend {
        Some(b) => b.run_until(wait_for_signal(), json).await,
        None => wait_for_signal().await,
    }
    sandbox.shutdown().await;
    0
}

async fn wait_for_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = tokio::signal::ctrl_c() => {}
                    _ = term.recv() => {}
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}
