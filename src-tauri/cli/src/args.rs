//! The console commands of `wxopen` (everything but `info`, `errcode` and `sandbox serve`).
//! Parsing only; `commands/` does the work, one module per group, through the service layer.

use std::path::PathBuf;

use clap::{Args, Subcommand, ValueEnum};

#[derive(Debug, Subcommand)]
pub enum ConsoleCommand {
    /// Platform profiles (component appid, API base, secrets in the OS keychain)
    #[command(subcommand)]
    Profile(ProfileCommand),
    /// The component_verify_ticket
    #[command(subcommand)]
    Ticket(TicketCommand),
    /// Pushes received at the authorization-event URL
    #[command(subcommand)]
    Push(PushCommand),
    /// The component_access_token
    #[command(subcommand)]
    Token(TokenCommand),
    /// All authorizers: sync from WeChat, list from the local cache
    #[command(subcommand)]
    Authorizers(AuthorizersCommand),
    /// One authorizer
    #[command(subcommand)]
    Authorizer(AuthorizerCommand),
    /// Authorizer options (location_report, voice_recognize, customer_service)
    #[command(subcommand)]
    Option(OptionCommand),
    /// Open-platform account of an authorizer
    #[command(subcommand)]
    Open(OpenCommand),
    /// Authorization links (a fresh pre_auth_code each)
    #[command(subcommand)]
    Link(LinkCommand),
    /// Complete an authorization
    #[command(subcommand)]
    Auth(AuthCommand),
    /// API quota resets (10 per month)
    #[command(subcommand)]
    Quota(QuotaCommand),
    /// Local housekeeping: how long the audit log and messages are kept, pruning them
    #[command(subcommand)]
    Maintenance(MaintenanceCommand),
}

#[derive(Debug, Subcommand)]
pub enum MaintenanceCommand {
    /// Delete audit log entries and messages older than the retention (the app does it at
    /// every start)
    Prune,
    /// Show the history retention in days, or set it (0 keeps everything; default 90)
    Retention {
        #[arg(value_name = "DAYS")]
        days: Option<u32>,
    },
}

#[derive(Debug, Subcommand)]
pub enum ProfileCommand {
    /// Add a profile. Secrets are read from WXOPEN_APPSECRET, WXOPEN_TOKEN, WXOPEN_AES_KEY or
    /// prompted for without echo (never from the command line).
    Add(ProfileAddArgs),
    /// List the profiles
    List,
    /// Remove a profile and its keychain entries
    Remove {
        /// Profile name
        name: String,
    },
    /// Make a profile the default one
    Use {
        /// Profile name
        name: String,
    },
}

#[derive(Debug, Args)]
pub struct ProfileAddArgs {
    /// Profile name (default: the component appid; `sandbox` with --sandbox)
    #[arg(long)]
    pub name: Option<String>,
    /// Component appid (wx + 16 hex digits)
    #[arg(long, required_unless_present = "sandbox")]
    pub appid: Option<String>,
    /// API base URL (default https://api.weixin.qq.com)
    #[arg(long, value_name = "URL")]
    pub api_base: Option<String>,
    /// Proxy URL (http, https, socks5, socks5h)
    #[arg(long, value_name = "URL")]
    pub proxy: Option<String>,
    /// Use the newer get/set_authorizer_option endpoints (authorizer token)
    #[arg(long)]
    pub option_v2: bool,
    /// The sandbox profile: the embedded simulator, started on demand, secrets filled in.
    /// Its state does not persist across CLI runs; for a persistent simulator run
    /// `wxopen sandbox serve` and add a normal profile with --api-base http://127.0.0.1:PORT and
    /// the printed secrets in WXOPEN_APPSECRET / WXOPEN_TOKEN / WXOPEN_AES_KEY.
    #[arg(long, conflicts_with_all = ["appid", "api_base", "proxy"])]
    pub sandbox: bool,
}

#[derive(Debug, Subcommand)]
pub enum TicketCommand {
    /// Store a ticket read from stdin (a pipe or a file), or pasted at a prompt without echo.
    /// Never as an argument: shell history and `ps` would keep it.
    Set {
        /// `-` or nothing (a ticket given here is refused, and not stored)
        #[arg(value_name = "-")]
        ticket: Option<String>,
    },
    /// Show the stored ticket's age and validity (12 h)
    Show,
    /// Ask WeChat to push a fresh ticket now (api_start_push_ticket)
    RequestPush,
}

#[derive(Debug, Args)]
pub struct PushArgs {
    /// The callback URL the push came to, or its query string (instead of the three below)
    #[arg(long, value_name = "URL")]
    pub url: Option<String>,
    #[arg(long)]
    pub timestamp: Option<String>,
    #[arg(long)]
    pub nonce: Option<String>,
    /// The msg_signature query parameter (not `signature`)
    #[arg(long, allow_hyphen_values = true)]
    pub msg_signature: Option<String>,
    /// File with the raw POST body (`-` or nothing: stdin)
    #[arg(value_name = "FILE|-")]
    pub file: Option<PathBuf>,
}

#[derive(Debug, Subcommand)]
pub enum PushCommand {
    /// Verify and decrypt a push; print the event
    Decrypt(PushArgs),
    /// Verify, decrypt and apply a push (store the ticket, complete an authorization, …)
    Apply(PushArgs),
}

#[derive(Debug, Subcommand)]
pub enum TokenCommand {
    /// The component_access_token's expiry (the token itself is never printed)
    Show,
    /// Fetch a new component_access_token now
    Refresh,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum KindArg {
    OfficialAccount,
    MiniProgram,
}

#[derive(Debug, Subcommand)]
pub enum AuthorizersCommand {
    /// Page through api_get_authorizer_list (resumable), optionally fetching every account's info
    Sync {
        /// Also fetch api_get_authorizer_info for every account
        #[arg(long)]
        details: bool,
        /// Concurrent info calls
        #[arg(long, default_value_t = 8)]
        concurrency: usize,
        /// Re-read every refresh token from the list (recover refresh tokens)
        #[arg(long)]
        restart: bool,
    },
    /// Search the local cache
    List {
        #[arg(long)]
        query: Option<String>,
        #[arg(long, value_enum)]
        kind: Option<KindArg>,
        /// authorized, revoked or needs_reauth
        #[arg(long)]
        status: Option<String>,
        #[arg(long, default_value_t = 50)]
        limit: u32,
        #[arg(long, default_value_t = 0)]
        offset: u32,
    },
}

#[derive(Debug, Subcommand)]
pub enum AuthorizerCommand {
    /// Fetch and show an authorizer's info and token status
    Show { appid: String },
    /// Refresh its authorizer_access_token from the stored refresh token
    RefreshToken { appid: String },
}

#[derive(Debug, Subcommand)]
pub enum OptionCommand {
    Get {
        appid: String,
        name: String,
    },
    Set {
        appid: String,
        name: String,
        value: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum OpenCommand {
    /// The open account the authorizer is bound to
    Get { appid: String },
    /// Create an open account and bind the authorizer to it
    Create { appid: String },
    Bind {
        appid: String,
        open_appid: String,
        /// Confirm
        #[arg(long)]
        yes: bool,
    },
    /// Unbind (refused without --yes)
    Unbind {
        appid: String,
        open_appid: String,
        /// Confirm the unbinding
        #[arg(long)]
        yes: bool,
    },
}

#[derive(Debug, Subcommand)]
pub enum LinkCommand {
    /// Make a fresh pre_auth_code and print the PC and mobile links
    Create {
        #[arg(long, value_name = "URL")]
        redirect_uri: String,
        /// 1 official accounts, 2 mini programs, 3 both (default), …
        #[arg(long)]
        auth_type: Option<u32>,
        /// Only this account may authorize
        #[arg(long)]
        biz_appid: Option<String>,
        /// Print the mobile link as a QR code
        #[arg(long)]
        qr: bool,
    },
}

#[derive(Debug, Subcommand)]
pub enum AuthCommand {
    /// Exchange an auth code (or the whole redirect URL) for the authorizer's tokens and info
    Complete {
        #[arg(value_name = "AUTH_CODE_OR_URL")]
        code: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum QuotaCommand {
    /// Reset the platform's API call quotas (counts against 10 resets a month)
    Clear,
}
