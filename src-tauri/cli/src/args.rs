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
    /// Diagnostics: what WeChat saw of a failed call
    #[command(subcommand)]
    Diag(DiagCommand),
    /// What needs attention: ticket, token, accounts to re-authorize or without a refresh
    /// token, the latest sync's changes, quota resets, the last 24 h's errcodes
    Health,
    /// Bulk actions over the accounts matching the filters of `authorizers list` (jobs that
    /// survive a restart: pause, resume, cancel, results as CSV)
    #[command(subcommand)]
    Bulk(BulkCommand),
}

#[derive(Debug, Subcommand)]
pub enum DiagCommand {
    /// The request behind a failed call's rid (openapi/rid/get; rids live 7 days)
    Rid {
        /// The value after `rid:` in WeChat's errmsg
        rid: String,
        /// The authorizer whose token made the failed call (default: the account recorded in
        /// the audit log with this rid, else the platform)
        #[arg(long)]
        appid: Option<String>,
    },
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
    /// Change a profile: its API base, proxy, and where its tokens come from (`--token-source
    /// local` makes it own its tokens again). Secrets as for `add`, from the environment.
    Edit(ProfileEditArgs),
    /// List the profiles
    List,
    /// A shared profile: read every key it uses and show presence, TTL and a tail (never a
    /// value); exits non-zero when the store is unreachable or a key it needs is unusable.
    /// A local profile: its component token's state (no network).
    Test {
        /// Also read this authorizer's token and refresh token keys
        #[arg(long, value_name = "APPID")]
        authorizer: Option<String>,
    },
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
    #[command(flatten)]
    pub tokens: Box<TokenSourceArgs>,
}

#[derive(Debug, Args)]
pub struct ProfileEditArgs {
    /// Profile name
    pub name: String,
    /// API base URL
    #[arg(long, value_name = "URL")]
    pub api_base: Option<String>,
    /// Proxy URL (`""` removes it)
    #[arg(long, value_name = "URL")]
    pub proxy: Option<String>,
    #[command(flatten)]
    pub tokens: Box<TokenSourceArgs>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum TokenSourceArg {
    /// This console owns the tokens (fetches and refreshes them)
    Local,
    /// Borrow them from the backend's Redis
    Redis,
    /// Borrow them from the backend's token API
    Http,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LayoutArg {
    Wxjava,
    Wechatpy,
    Silenceper,
    /// Templates from --redis-layout-file
    Custom,
}

/// Where a profile's tokens come from (team mode). The Redis password comes from
/// WXOPEN_REDIS_PASSWORD or a prompt, the token API header's value from WXOPEN_TOKEN_API_HEADER
/// or a prompt: never from the command line.
#[derive(Debug, Default, Args)]
pub struct TokenSourceArgs {
    /// local (default for a new profile), redis or http
    #[arg(long, value_enum, help_heading = "Tokens")]
    pub token_source: Option<TokenSourceArg>,
    /// redis://[user@]host:port[/db] or rediss:// (TLS); several nodes separated by commas for
    /// a cluster. No password here.
    #[arg(long, value_name = "URL", help_heading = "Tokens: Redis")]
    pub redis_url: Option<String>,
    /// The backend SDK whose keys to read
    #[arg(long, value_enum, help_heading = "Tokens: Redis")]
    pub redis_layout: Option<LayoutArg>,
    /// The backend's key prefix (presets)
    #[arg(long, value_name = "P", help_heading = "Tokens: Redis")]
    pub redis_prefix: Option<String>,
    /// Allow Refresh in the shared store (`--redis-writes=false` makes it read-only again)
    #[arg(long, value_name = "BOOL", num_args = 0..=1, require_equals = true, default_missing_value = "true", help_heading = "Tokens: Redis")]
    pub redis_writes: Option<bool>,
    /// PEM file of the CA that signed the server's certificate (rediss://)
    #[arg(long, value_name = "PEM", help_heading = "Tokens: Redis")]
    pub redis_ca_file: Option<PathBuf>,
    /// The custom layout (TOML: ticket, component_token, authorizer_token,
    /// authorizer_refresh_token, value, token_field, expires_at_field, ttl_margin_secs,
    /// component_lock, authorizer_lock)
    #[arg(long, value_name = "FILE.toml", help_heading = "Tokens: Redis")]
    pub redis_layout_file: Option<PathBuf>,
    /// The component token's URL ({component_appid} is replaced)
    #[arg(long, value_name = "URL", help_heading = "Tokens: token API")]
    pub token_url: Option<String>,
    /// An authorizer token's URL ({component_appid}, {authorizer_appid})
    #[arg(long, value_name = "URL", help_heading = "Tokens: token API")]
    pub authorizer_token_url: Option<String>,
    /// A request header whose value comes from WXOPEN_TOKEN_API_HEADER (or a prompt)
    #[arg(long, value_name = "NAME", help_heading = "Tokens: token API")]
    pub token_header: Option<String>,
    /// JSON pointer to the token (default /component_access_token)
    #[arg(long, value_name = "P", help_heading = "Tokens: token API")]
    pub token_pointer: Option<String>,
    /// JSON pointer to the seconds left
    #[arg(long, value_name = "P", help_heading = "Tokens: token API")]
    pub expires_in_pointer: Option<String>,
    /// JSON pointer to the Unix time it expires at
    #[arg(long, value_name = "P", help_heading = "Tokens: token API")]
    pub expires_at_pointer: Option<String>,
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
    /// Fetch a new component_access_token now. On a shared profile this replaces the backend's
    /// token for every service that reads it: refused without --yes (and on a read-only one).
    Refresh {
        /// Confirm a refresh in the shared store
        #[arg(long)]
        yes: bool,
    },
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
        /// With --details: at most N api_get_authorizer_info calls, then stop (resumable)
        #[arg(long, value_name = "N")]
        max_calls: Option<u64>,
        /// With --details: refetch details older than this (30s, 15m, 24h, 7d; 0s: all);
        /// default: the setting, 24h
        #[arg(long, value_name = "DURATION", value_parser = crate::time::parse_duration_secs)]
        stale_after: Option<u64>,
    },
    /// Search the local cache
    List {
        #[command(flatten)]
        filter: FilterArgs,
        #[arg(long, default_value_t = 50)]
        limit: u32,
        #[arg(long, default_value_t = 0)]
        offset: u32,
    },
    /// Write every account matching the filters (not a page) to a CSV or XLSX file
    Export(ExportArgs),
    /// What each sync saw change per account, newest first (--json: one JSON line a change)
    Changes(ChangesArgs),
}

#[derive(Debug, clap::Args)]
pub struct ChangesArgs {
    /// A sync run's id (its changes and every later one's), or a time: 2026-12-01,
    /// "2026-12-01 08:00" (local), an RFC 3339 time, or an age (24h, 7d)
    #[arg(long, value_name = "SYNC|DATE")]
    pub since: Option<String>,
    /// The changes of this sync run only
    #[arg(long, value_name = "ID")]
    pub sync: Option<i64>,
    /// authorized, revoked, reauthorized, renamed, permissions, verify_type, principal,
    /// service_type or baseline
    #[arg(long)]
    pub kind: Option<String>,
    /// One account's changes
    #[arg(long)]
    pub appid: Option<String>,
    /// A substring of the appid, the account's name or a changed value
    #[arg(long)]
    pub query: Option<String>,
    #[arg(long, default_value_t = 1000)]
    pub limit: u32,
    #[arg(long, default_value_t = 0)]
    pub offset: u32,
}

/// The filters of `authorizers list` (and of `bulk`, which acts on every match).
#[derive(Debug, Clone, Args)]
pub struct FilterArgs {
    /// Substring of the nickname, appid, original id, alias or principal name
    #[arg(long)]
    pub query: Option<String>,
    #[arg(long, value_enum)]
    pub kind: Option<KindArg>,
    /// authorized, revoked or needs_reauth
    #[arg(long)]
    pub status: Option<String>,
}

/// How a bulk job starts: previewed, or confirmed.
#[derive(Debug, Clone, Args)]
pub struct BulkRunArgs {
    /// Show how many accounts would be acted on and how many skipped (and why); nothing is
    /// stored or sent
    #[arg(long)]
    pub dry_run: bool,
    /// Confirm an action that writes to WeChat (the refusal names the count)
    #[arg(long)]
    pub yes: bool,
}

#[derive(Debug, Subcommand)]
pub enum BulkCommand {
    /// Set an option on every matching account (api_set_authorizer_option)
    #[command(subcommand)]
    Option(BulkOptionCommand),
    /// Refresh every matching account's authorizer_access_token
    RefreshTokens {
        #[command(flatten)]
        filter: FilterArgs,
        #[command(flatten)]
        run: BulkRunArgs,
    },
    /// Fetch every matching account's details (api_get_authorizer_info)
    Details {
        #[command(flatten)]
        filter: FilterArgs,
        #[command(flatten)]
        run: BulkRunArgs,
    },
    /// Recover missing refresh tokens from api_get_authorizer_list
    RecoverRefreshTokens {
        #[command(flatten)]
        filter: FilterArgs,
        #[command(flatten)]
        run: BulkRunArgs,
    },
    /// Bind every matching account to an open account (open/bind)
    OpenBind {
        open_appid: String,
        #[command(flatten)]
        filter: FilterArgs,
        #[command(flatten)]
        run: BulkRunArgs,
    },
    /// Unbind every matching account from an open account (open/unbind)
    OpenUnbind {
        open_appid: String,
        #[command(flatten)]
        filter: FilterArgs,
        #[command(flatten)]
        run: BulkRunArgs,
    },
    /// Show or set how bulk jobs pace themselves (kept in the data dir)
    Settings {
        /// Accounts acted on at once (1 to 32; default 4)
        #[arg(long)]
        concurrency: Option<usize>,
        /// Calls a minute to one endpoint (default 600)
        #[arg(long)]
        rate_per_minute: Option<u32>,
    },
    /// The profile's bulk jobs, newest first
    Jobs {
        #[arg(long, default_value_t = 20)]
        limit: u32,
    },
    /// Run a paused (or interrupted) job's pending accounts
    Resume { job: i64 },
    /// Pause a running job (its process stops after the accounts in flight)
    Pause { job: i64 },
    /// Cancel a job: its pending accounts are never acted on
    Cancel { job: i64 },
    /// A job's result per account
    Results {
        job: i64,
        /// Write the table as CSV (UTF-8 with BOM) to FILE
        #[arg(long, value_name = "FILE")]
        csv: Option<String>,
    },
}

#[derive(Debug, Subcommand)]
pub enum BulkOptionCommand {
    /// `wxopen bulk option set location_report 1 --status authorized --yes`
    Set {
        /// location_report, voice_recognize or customer_service
        name: String,
        /// location_report 0/1/2, the others 0/1
        value: String,
        #[command(flatten)]
        filter: FilterArgs,
        #[command(flatten)]
        run: BulkRunArgs,
    },
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum ExportFormatArg {
    Csv,
    Xlsx,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum SortArg {
    NickName,
    AuthTime,
    Appid,
}

#[derive(Debug, clap::Args)]
pub struct ExportArgs {
    #[arg(long, value_enum)]
    pub format: ExportFormatArg,
    /// The file to write (replaced when complete; never left half-written)
    #[arg(long)]
    pub out: String,
    /// Comma-separated: appid, nick_name, principal_name, kind, service_type, verify_type,
    /// user_name, alias, status, auth_time, status_changed_at, has_open, has_refresh_token,
    /// info_fetched_at, func_ids, details_error (default: appid, nick_name, principal_name,
    /// kind, verify_type, status, auth_time, func_ids, has_refresh_token)
    #[arg(long, value_delimiter = ',')]
    pub columns: Vec<String>,
    #[arg(long)]
    pub query: Option<String>,
    #[arg(long, value_enum)]
    pub kind: Option<KindArg>,
    /// authorized, revoked or needs_reauth
    #[arg(long)]
    pub status: Option<String>,
    #[arg(long, allow_hyphen_values = true)]
    pub verify_type: Option<i64>,
    #[arg(long, value_enum, default_value = "nick-name")]
    pub sort: SortArg,
    #[arg(long)]
    pub desc: bool,
}

#[derive(Debug, Subcommand)]
pub enum AuthorizerCommand {
    /// Fetch and show an authorizer's info and token status
    Show { appid: String },
    /// Refresh its authorizer_access_token from the stored refresh token (on a shared profile:
    /// in the shared store, with --yes)
    RefreshToken {
        appid: String,
        /// Confirm a refresh in the shared store
        #[arg(long)]
        yes: bool,
    },
    /// Today's quota of one API for this authorizer (openapi/quota/get with its own token)
    Quota {
        appid: String,
        /// The API path, e.g. /cgi-bin/open/get
        #[arg(long = "path", value_name = "CGI_PATH")]
        cgi_path: String,
    },
    /// Reset this authorizer's API call quotas (clear_quota with its token; uses one of its
    /// 10 resets a month; refused without --yes)
    ClearQuota {
        appid: String,
        /// Confirm spending one of this account's monthly resets
        #[arg(long)]
        yes: bool,
    },
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
    /// Show or set the share of the daily quota a details sync leaves to the backend (percent
    /// of the daily limit, 0 to 99; default 20)
    Reserve {
        #[arg(value_name = "PERCENT")]
        percent: Option<u32>,
    },
    /// Show or set the age past which a details sync refetches an account's details (30s, 15m,
    /// 24h, 7d; default 24h)
    StaleAfter {
        #[arg(value_name = "DURATION", value_parser = crate::time::parse_duration_secs)]
        duration: Option<u64>,
    },
}
