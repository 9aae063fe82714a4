//! `wxopen`: the console's command line, over the same core as the desktop app.
//! Argument parsing here; each command's work lives in its own module.

mod args;
mod commands;
mod console;
mod context;
mod errcode;
mod output;
mod prompt;
mod sandbox;
mod sandbox_backend;
mod time;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use wxopen_core::{app_info, paths};

#[derive(Debug, Parser)]
#[command(
    name = "wxopen",
    version,
    about = "WxOpen Console: operate a WeChat Open Platform third-party platform from the command line",
    long_about = None,
    after_help = "Secrets (`profile add`) come from WXOPEN_APPSECRET, WXOPEN_TOKEN and WXOPEN_AES_KEY or a prompt without echo, never from the command line. Team mode (`profile add --token-source redis|http`): the Redis password from WXOPEN_REDIS_PASSWORD and a token API header from WXOPEN_TOKEN_API_HEADER, or a prompt.\n\nThe sandbox profile (`profile add --sandbox`) runs the WeChat simulator inside each wxopen command: its state (authorizations, options, tokens) does not persist across runs. For a persistent simulator, run `wxopen sandbox serve` and add a normal profile pointing at it: `WXOPEN_APPSECRET=… WXOPEN_TOKEN=… WXOPEN_AES_KEY=… wxopen profile add --name s --appid <printed appid> --api-base http://127.0.0.1:PORT` with the printed secrets."
)]
struct Cli {
    /// Data directory (default: the OS app-data dir; env WXOPEN_DATA_DIR)
    #[arg(long, global = true, value_name = "DIR")]
    data_dir: Option<PathBuf>,
    /// Profile to use (default: the selected one, see `wxopen profile use`)
    #[arg(long, global = true, value_name = "NAME")]
    profile: Option<String>,
    /// Print one JSON document instead of text
    #[arg(long, global = true)]
    json: bool,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Version, data directory and keychain availability
    Info,
    /// Explain a WeChat errcode (zh-CN and en), e.g. `wxopen errcode 61004`
    Errcode {
        #[arg(allow_negative_numbers = true)]
        errcode: i64,
        /// The errmsg WeChat answered with: its client IP and rid are shown too
        #[arg(long)]
        errmsg: Option<String>,
    },
    /// The embedded WeChat simulator
    #[command(subcommand)]
    Sandbox(SandboxCommand),
    #[command(flatten)]
    Console(args::ConsoleCommand),
}

#[derive(Debug, Subcommand)]
enum SandboxCommand {
    /// Serve the simulator on 127.0.0.1 until interrupted
    Serve(sandbox::ServeArgs),
}

/// `wxopen info`: a keychain that does not answer within [`app_info::PROBE_TIMEOUT`] is reported
/// as unavailable (with why and what to do) instead of hanging the command.
fn info(data_dir: PathBuf) -> app_info::AppInfo {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("tokio runtime");
    let secrets = std::sync::Arc::new(wxopen_core::secrets::KeyringStore::from_env());
    let probe = rt.block_on(app_info::probe_keychain(secrets, app_info::PROBE_TIMEOUT));
    // A hung probe keeps its blocking thread: do not wait for it on the way out.
    rt.shutdown_background();
    let keychain = probe.unwrap_or_else(|e| wxopen_core::secrets::KeychainStatus {
        available: false,
        backend: e.backend().to_string(),
        detail: Some(format!("{e}. {}", e.hint())),
    });
    app_info::AppInfo {
        version: wxopen_core::VERSION.to_string(),
        data_dir: data_dir.display().to_string(),
        keychain,
    }
}

fn exit(code: i32) -> ExitCode {
    ExitCode::from(u8::try_from(code).unwrap_or(1))
}

/// `wxopen … | head`: once the reader goes away, `println!` panics with "failed printing to
/// stdout: Broken pipe" (Rust ignores SIGPIPE). Exit quietly instead, as Unix tools do.
fn exit_quietly_on_broken_pipe() {
    let default = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let payload = info.payload();
        let msg = payload
            .downcast_ref::<String>()
            .map(String::as_str)
            .or_else(|| payload.downcast_ref::<&str>().copied())
            .unwrap_or("");
        if msg.starts_with("failed printing to std") && msg.contains("Broken pipe") {
            std::process::exit(0);
        }
        default(info);
    }));
}

fn main() -> ExitCode {
    exit_quietly_on_broken_pipe();
    let args = Cli::parse();
    match args.command {
        None => {
            use clap::CommandFactory;
            // A bare `wxopen` shows help rather than doing something surprising.
            let _ = Cli::command().print_help();
            ExitCode::SUCCESS
        }
        Some(Command::Info) => {
            let info = info(paths::data_dir(args.data_dir));
            if args.json {
                println!(
                    "{}",
                    serde_json::to_string_pretty(&info).expect("AppInfo serializes")
                );
            } else {
                println!("version   {}", info.version);
                println!("data dir  {}", info.data_dir);
                match &info.keychain.detail {
                    None => println!("keychain  {}: available", info.keychain.backend),
                    Some(why) => {
                        println!("keychain  {}: NOT available ({why})", info.keychain.backend)
                    }
                }
            }
            ExitCode::SUCCESS
        }
        Some(Command::Errcode { errcode, errmsg }) => {
            exit(errcode::run(errcode, errmsg.as_deref(), args.json))
        }
        Some(Command::Sandbox(SandboxCommand::Serve(serve))) => {
            exit(sandbox::run(serve, args.json))
        }
        Some(Command::Console(cmd)) => exit(console::run(
            context::Globals {
                data_dir: paths::data_dir(args.data_dir),
                profile: args.profile,
                json: args.json,
            },
            cmd,
        )),
    }
}
