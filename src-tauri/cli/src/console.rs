//! The console commands of `wxopen`, over [`wxopen_core::service::Console`].
//!
//! Output: text by default, or exactly one JSON document with `--json`. Errors exit 1 with the
//! message, the hint and, for WeChat errors, the errcode explanation (zh-CN + en) on stderr; with
//! `--json` the error document (`{code, message, hint, errcode, explanation}`) is also printed on
//! stdout. Secrets are read from the environment or a no-echo prompt, never from argv, and are
//! never printed.

use std::io::{IsTerminal, Read, Write};
use std::path::PathBuf;
use std::sync::Arc;

use serde::Serialize;
use serde_json::{json, Value};

use crate::args::*;
use wxopen_core::error::{CoreError, CoreResult};
use wxopen_core::secrets::{KeyringStore, SecretStore};
use wxopen_core::service::links::LinkRequest;
use wxopen_core::service::profiles::ProfileInput;
use wxopen_core::service::sync::{SyncOptions, SyncPhase, SyncProgress};
use wxopen_core::service::{CancelToken, Console, ProfileRt};
use wxopen_core::store::types::{AuthorizerQuery, Kind, Status};
use wxopen_core::store::Store;
use wxopen_wechat::push::PushQuery;

/// Environment variables `profile add` reads its secrets from.
pub const ENV_APPSECRET: &str = "WXOPEN_APPSECRET";
pub const ENV_TOKEN: &str = "WXOPEN_TOKEN";
pub const ENV_AES_KEY: &str = "WXOPEN_AES_KEY";

/// Global options.
#[derive(Debug, Clone)]
pub struct Globals {
    pub data_dir: PathBuf,
    pub profile: Option<String>,
    pub json: bool,
}

/// What a command produced: the JSON document and its text form.
struct Out {
    json: Value,
    text: String,
}

fn out<T: Serialize>(value: &T, text: impl Into<String>) -> CoreResult<Out> {
    Ok(Out {
        json: serde_json::to_value(value)
            .map_err(|e| CoreError::Internal(format!("cannot encode the answer: {e}")))?,
        text: text.into(),
    })
}

/// Runs one console command; returns the process exit code.
pub fn run(g: Globals, cmd: ConsoleCommand) -> i32 {
    // One thread: a command is one task (a sync's lanes are futures of that task). On a
    // multi-thread runtime every request hopped between the lane's thread and a worker running
    // the connection (two wake-ups a call, each a futex and a context switch): a 10,000-account
    // details sync took 1.35 s of CPU that way and 0.9 s here (`make bench`), at the same
    // speed. SQLite batches still go to the blocking pool, the keychain to its own thread.
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("wxopen: cannot start the runtime: {e}");
            return 1;
        }
    };
    let json = g.json;
    let result = runtime.block_on(async move {
        let console = open_console(&g)?;
        let r = dispatch(&console, &g, cmd).await;
        console.shutdown().await;
        r
    });
    match result {
        Ok(o) => {
            if json {
                println!(
                    "{}",
                    serde_json::to_string_pretty(&o.json).unwrap_or_default()
                );
            } else if !o.text.is_empty() {
                println!("{}", o.text.trim_end());
            }
            0
        }
        Err(e) => {
            report_error(&e, json);
            1
        }
    }
}

fn report_error(e: &CoreError, json: bool) {
    let body = e.body();
    let explanation = body
        .errcode
        .map(|c| wxopen_wechat::errcode::explain(c, &body.message));
    eprintln!("wxopen: error: {}", body.message);
    if let Some(h) = &body.hint {
        eprintln!("hint: {h}");
    }
    if let Some(x) = &explanation {
        eprintln!();
        eprint!("{}", super::errcode::render(x));
    }
    if json {
        let mut doc = serde_json::to_value(&body).unwrap_or(Value::Null);
        if let (Some(x), Value::Object(m)) = (&explanation, &mut doc) {
            m.insert(
                "explanation".into(),
                serde_json::to_value(x).unwrap_or(Value::Null),
            );
        }
        println!("{}", serde_json::to_string_pretty(&doc).unwrap_or_default());
    }
}

fn open_console(g: &Globals) -> CoreResult<Console> {
    let store = Store::open(&g.data_dir)?;
    let secrets: Arc<dyn SecretStore> = Arc::new(KeyringStore::from_env());
    // The sandbox knobs (WXOPEN_SANDBOX_AUTHORIZERS, WXOPEN_SANDBOX_PORT), as in the app.
    Ok(Console::with_options(
        store,
        secrets,
        wxopen_core::service::ConsoleOptions::from_env(),
    ))
}

async fn profile(console: &Console, g: &Globals) -> CoreResult<Arc<ProfileRt>> {
    console.profile(g.profile.as_deref()).await
}

fn read_stdin(what: &str) -> CoreResult<String> {
    let mut s = String::new();
    std::io::stdin()
        .read_to_string(&mut s)
        .map_err(|e| CoreError::io(format!("read the {what} from stdin"), e))?;
    Ok(s)
}

fn read_body(file: &Option<PathBuf>) -> CoreResult<String> {
    match file {
        Some(p) if p.as_os_str() != "-" => std::fs::read_to_string(p)
            .map_err(|e| CoreError::io(format!("read {}", p.display()), e)),
        _ => read_stdin("push body"),
    }
}

/// A secret from `env`, else a prompt without echo on the terminal, else a line of stdin.
fn read_secret(env: &str, prompt: &str) -> CoreResult<Option<String>> {
    if let Ok(v) = std::env::var(env) {
        if !v.trim().is_empty() {
            return Ok(Some(v));
        }
    }
    if std::io::stdin().is_terminal() {
        return prompt_no_echo(prompt).map(Some);
    }
    let mut line = String::new();
    std::io::stdin()
        .read_line(&mut line)
        .map_err(|e| CoreError::io("read a secret from stdin", e))?;
    let line = line.trim().to_string();
    Ok((!line.is_empty()).then_some(line))
}

/// Prompts on /dev/tty with echo turned off (`stty -echo` in a child process).
fn prompt_no_echo(prompt: &str) -> CoreResult<String> {
    let tty = || {
        std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .open("/dev/tty")
    };
    let stty = |arg: &str| {
        if let Ok(t) = tty() {
            let _ = std::process::Command::new("stty")
                .arg(arg)
                .stdin(t)
                .status();
        }
    };
    let mut t = tty().map_err(|e| CoreError::io("open /dev/tty for the secret prompt", e))?;
    let _ = write!(t, "{prompt}: ");
    let _ = t.flush();
    stty("-echo");
    let mut line = String::new();
    let r = std::io::BufRead::read_line(&mut std::io::BufReader::new(&t), &mut line);
    stty("echo");
    let _ = writeln!(t);
    r.map_err(|e| CoreError::io("read the secret", e))?;
    Ok(line.trim().to_string())
}

fn progress_line(p: &SyncProgress) -> String {
    match p.phase {
        SyncPhase::List => format!(
            "list     {}/{}",
            p.listed,
            p.list_total.map_or("?".into(), |t| t.to_string())
        ),
        SyncPhase::Details | SyncPhase::Finished => format!(
            "details  {}/{}  errors {}",
            p.details_done,
            p.details_total.map_or("?".into(), |t| t.to_string()),
            p.errors
        ),
    }
}

/// Unix seconds now.
fn unix_now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

/// A Unix time for text output: `2026-11-27 18:20:05 (in 9 min)`, local time; `-` for none.
/// (`--json` keeps the raw numbers.)
fn fmt_time(t: Option<i64>) -> String {
    t.map_or_else(|| "-".into(), |t| human_time(t, unix_now()))
}

fn human_time(t: i64, now: i64) -> String {
    format!("{} ({})", local_datetime(t), relative(t - now))
}

/// A length of time, roughly: `45 s`, `9 min`, `3 h 5 min`, `12 days`.
fn human_duration(secs: i64) -> String {
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

/// `YYYY-MM-DD HH:MM:SS` of Unix time `t` in local time (UTC, marked so, where the local zone
/// is unknown).
fn local_datetime(t: i64) -> String {
    match local_tm(t) {
        Some((y, mo, d, h, mi, s)) => format!("{y:04}-{mo:02}-{d:02} {h:02}:{mi:02}:{s:02}"),
        None => {
            let (y, mo, d, h, mi, s) = utc_parts(t);
            format!("{y:04}-{mo:02}-{d:02} {h:02}:{mi:02}:{s:02} UTC")
        }
    }
}

type DateParts = (i64, u32, u32, u32, u32, u32);

/// Civil date and time of `t` in UTC (Howard Hinnant's days-to-civil).
fn utc_parts(t: i64) -> DateParts {
    let days = t.div_euclid(86_400);
    let secs = t.rem_euclid(86_400) as u32;
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d, secs / 3_600, secs % 3_600 / 60, secs % 60)
}

/// The local civil time of `t` from the C library (`localtime_r`, which reads TZ and
/// /etc/localtime); `None` where not available.
#[cfg(all(unix, target_pointer_width = "64"))]
fn local_tm(t: i64) -> Option<DateParts> {
    use std::os::raw::{c_char, c_int, c_long};
    /// `struct tm` of glibc, musl and the BSDs/macOS (64-bit).
    #[repr(C)]
    struct Tm {
        tm_sec: c_int,
        tm_min: c_int,
        tm_hour: c_int,
        tm_mday: c_int,
        tm_mon: c_int,
        tm_year: c_int,
        tm_wday: c_int,
        tm_yday: c_int,
        tm_isdst: c_int,
        tm_gmtoff: c_long,
        tm_zone: *const c_char,
    }
    extern "C" {
        fn tzset();
        fn localtime_r(t: *const i64, out: *mut Tm) -> *mut Tm;
    }
    let mut tm = std::mem::MaybeUninit::<Tm>::zeroed();
    // SAFETY: `t` and `tm` are valid for the call; localtime_r writes only into `tm` and returns
    // null on failure (then `tm` is not read).
    let tm = unsafe {
        tzset();
        if localtime_r(&t, tm.as_mut_ptr()).is_null() {
            return None;
        }
        tm.assume_init()
    };
    Some((
        i64::from(tm.tm_year) + 1900,
        u32::try_from(tm.tm_mon + 1).ok()?,
        u32::try_from(tm.tm_mday).ok()?,
        u32::try_from(tm.tm_hour).ok()?,
        u32::try_from(tm.tm_min).ok()?,
        // a leap second shows as :60
        u32::try_from(tm.tm_sec).ok()?,
    ))
}

#[cfg(not(all(unix, target_pointer_width = "64")))]
fn local_tm(_t: i64) -> Option<DateParts> {
    None
}

async fn dispatch(console: &Console, g: &Globals, cmd: ConsoleCommand) -> CoreResult<Out> {
    match cmd {
        ConsoleCommand::Profile(p) => match p {
            ProfileCommand::Add(a) if a.sandbox => {
                let v = console.profile_add_sandbox(a.name.as_deref()).await?;
                let text = format!(
                    "added sandbox profile {} ({}), API base {}\nThe simulator runs inside each wxopen command, so its state does not persist across runs.",
                    v.profile.name, v.profile.component_appid, v.profile.api_base
                );
                out(&v, text)
            }
            ProfileCommand::Add(a) => {
                let appid = a.appid.clone().unwrap_or_default();
                let appsecret = read_secret(ENV_APPSECRET, "AppSecret")?;
                let token = read_secret(ENV_TOKEN, "Message token (消息校验Token)")?;
                let aes = read_secret(ENV_AES_KEY, "EncodingAESKey (43 characters)")?;
                let v = console.profile_add(ProfileInput {
                    name: a.name.clone().unwrap_or_else(|| appid.clone()),
                    component_appid: appid,
                    api_base: a.api_base,
                    proxy: a.proxy,
                    option_v2: a.option_v2,
                    appsecret,
                    token,
                    encoding_aes_key: aes,
                })?;
                let text = format!(
                    "added profile {} ({}){}",
                    v.profile.name,
                    v.profile.component_appid,
                    if v.selected { ", selected" } else { "" }
                );
                out(&v, text)
            }
            ProfileCommand::List => {
                let list = console.profile_list()?;
                let mut text = String::new();
                for v in &list {
                    text.push_str(&format!(
                        "{} {:<16} {}  {}{}\n",
                        if v.selected { "*" } else { " " },
                        v.profile.name,
                        v.profile.component_appid,
                        v.profile.api_base,
                        if v.profile.is_sandbox {
                            "  (sandbox)"
                        } else {
                            ""
                        }
                    ));
                }
                if list.is_empty() {
                    text.push_str("no profiles: add one with `wxopen profile add`");
                }
                out(&list, text)
            }
            ProfileCommand::Remove { name } => {
                console.profile_remove(&name)?;
                out(
                    &json!({"removed": name}),
                    format!("removed profile {name} and its keychain entries"),
                )
            }
            ProfileCommand::Use { name } => {
                let v = console.profile_select(&name)?;
                out(&v, format!("selected profile {name}"))
            }
        },
        ConsoleCommand::Ticket(t) => {
            let rt = profile(console, g).await?;
            match t {
                TicketCommand::Set { ticket } => {
                    let text = match ticket {
                        Some(t) if t != "-" => t,
                        _ => read_stdin("ticket")?,
                    };
                    let s = console.ticket_set(&rt, &text)?;
                    out(&s, "ticket stored (valid 12 h from now)")
                }
                TicketCommand::Show => {
                    let s = console.ticket_status(&rt)?;
                    let text = if s.present {
                        format!(
                            "ticket {} from {}, received {}, {}",
                            s.tail.clone().unwrap_or_default(),
                            s.source.map_or("-", |x| x.as_str()),
                            fmt_time(s.received_at),
                            if s.valid {
                                format!(
                                    "valid for {}",
                                    human_duration(s.valid_for_secs.unwrap_or(0))
                                )
                            } else {
                                "EXPIRED".into()
                            }
                        )
                    } else {
                        "no ticket: paste one with `wxopen ticket set`".into()
                    };
                    out(&s, text)
                }
                TicketCommand::RequestPush => {
                    console.ticket_request_push(&rt).await?;
                    out(
                        &json!({"requested": true}),
                        "WeChat will push a fresh component_verify_ticket to the authorization-event URL",
                    )
                }
            }
        }
        ConsoleCommand::Push(p) => {
            let rt = profile(console, g).await?;
            let (args, apply) = match p {
                PushCommand::Decrypt(a) => (a, false),
                PushCommand::Apply(a) => (a, true),
            };
            let body = read_body(&args.file)?;
            let q = PushQuery {
                timestamp: args.timestamp,
                nonce: args.nonce,
                msg_signature: args.msg_signature,
                signature: None,
            };
            if apply {
                let a = console.push_apply(&rt, &body, &q).await?;
                let text = format!(
                    "{} {}: {:?}{}",
                    a.info_type,
                    a.authorizer_appid.clone().unwrap_or_default(),
                    a.status,
                    a.error
                        .as_ref()
                        .map(|e| format!(" ({e})"))
                        .unwrap_or_default()
                );
                out(&a, text)
            } else {
                let ev = console.push_decrypt(&rt, &body, &q)?;
                // Tickets and codes stay redacted in what is printed.
                let shown: Value =
                    serde_json::from_str(&wxopen_core::service::push::redacted_json(&ev))
                        .unwrap_or(Value::Null);
                let text = serde_json::to_string_pretty(&shown).unwrap_or_default();
                Ok(Out { json: shown, text })
            }
        }
        ConsoleCommand::Token(t) => {
            let rt = profile(console, g).await?;
            let s = match t {
                TokenCommand::Show => console.component_token_status(&rt)?,
                TokenCommand::Refresh => console.refresh_component_token(&rt).await?,
            };
            let text = if s.cached {
                format!(
                    "component_access_token {} expires {}",
                    s.tail.clone().unwrap_or_default(),
                    fmt_time(s.expires_at)
                )
            } else {
                "no component_access_token cached (`wxopen token refresh` fetches one)".into()
            };
            out(&s, text)
        }
        ConsoleCommand::Authorizers(a) => {
            let rt = profile(console, g).await?;
            match a {
                AuthorizersCommand::Sync {
                    details,
                    concurrency,
                    restart,
                } => {
                    let cancel = CancelToken::new();
                    let c2 = cancel.clone();
                    tokio::spawn(async move {
                        if tokio::signal::ctrl_c().await.is_ok() {
                            eprintln!("\ncancelling… (run the same command again to resume)");
                            c2.cancel();
                        }
                    });
                    let progress = Arc::new(|p: &SyncProgress| {
                        eprintln!("{}", progress_line(p));
                    });
                    let o = console
                        .sync_authorizers(
                            &rt,
                            SyncOptions {
                                details,
                                concurrency: Some(concurrency),
                                restart,
                            },
                            Some(progress),
                            cancel,
                        )
                        .await?;
                    let text = format!(
                        "sync {}: {:?}, {} listed of {}, details {}/{}, {} errors, {} revoked, {} ms{}",
                        o.run.id,
                        o.run.state,
                        o.run.next_offset,
                        o.run.total_count.unwrap_or(0),
                        o.run.details_done,
                        o.run.details_total.unwrap_or(0),
                        o.run.errors,
                        o.run.revoked,
                        o.elapsed_ms,
                        if o.resumed { " (resumed)" } else { "" }
                    );
                    out(&o, text)
                }
                AuthorizersCommand::List {
                    query,
                    kind,
                    status,
                    limit,
                    offset,
                } => {
                    let status = match status.as_deref() {
                        None => None,
                        Some(s) => Some(Status::parse(s).ok_or_else(|| {
                            CoreError::InvalidInput(format!(
                                "unknown status {s:?}: authorized, revoked or needs_reauth"
                            ))
                        })?),
                    };
                    let q = AuthorizerQuery {
                        query,
                        kind: kind.map(|k| match k {
                            KindArg::OfficialAccount => Kind::OfficialAccount,
                            KindArg::MiniProgram => Kind::MiniProgram,
                        }),
                        status,
                        limit,
                        offset,
                        ..Default::default()
                    };
                    let page = console.authorizers_search(&rt, &q)?;
                    let mut text = String::new();
                    for r in &page.rows {
                        text.push_str(&format!(
                            "{}  {:<16} {:<12} {:<19}  {}  {}\n",
                            r.appid,
                            r.kind.map_or("-", |k| k.as_str()),
                            r.status.as_str(),
                            r.auth_time.map_or_else(|| "-".into(), local_datetime),
                            r.nick_name,
                            r.principal_name
                        ));
                    }
                    text.push_str(&format!(
                        "{} of {} (offset {})",
                        page.rows.len(),
                        page.total,
                        offset
                    ));
                    out(&page, text)
                }
            }
        }
        ConsoleCommand::Authorizer(a) => {
            let rt = profile(console, g).await?;
            match a {
                AuthorizerCommand::Show { appid } => {
                    let v = console.authorizer_fetch(&rt, &appid).await?;
                    let r = &v.detail.authorizer;
                    let text = format!(
                        "{}  {}\nkind        {}\nstatus      {}\nauthorized  {}\nprincipal   {}\noriginal id {}\nalias       {}\nverify      {}\npermissions {}\nrefresh tok {}",
                        r.appid,
                        r.nick_name,
                        r.kind.map_or("-", |k| k.as_str()),
                        r.status.as_str(),
                        fmt_time(r.auth_time),
                        r.principal_name,
                        r.user_name,
                        r.alias,
                        r.verify_type.map_or("-".into(), |v| v.to_string()),
                        v.detail
                            .permissions
                            .iter()
                            .map(|p| p.funcscope_id.to_string())
                            .collect::<Vec<_>>()
                            .join(","),
                        v.token.refresh_token_tail.clone().unwrap_or_else(|| "none".into())
                    );
                    out(&v, text)
                }
                AuthorizerCommand::RefreshToken { appid } => {
                    let s = console.refresh_authorizer_token(&rt, &appid).await?;
                    let text = format!(
                        "authorizer_access_token of {} refreshed, expires {}",
                        s.appid,
                        fmt_time(s.access_expires_at)
                    );
                    out(&s, text)
                }
            }
        }
        ConsoleCommand::Option(o) => {
            let rt = profile(console, g).await?;
            let row = match o {
                OptionCommand::Get { appid, name } => {
                    console.option_get(&rt, &appid, &name).await?
                }
                OptionCommand::Set { appid, name, value } => {
                    console.option_set(&rt, &appid, &name, &value).await?
                }
            };
            let text = format!("{} {} = {}", row.appid, row.name, row.value);
            out(&row, text)
        }
        ConsoleCommand::Open(o) => {
            let rt = profile(console, g).await?;
            let b = match o {
                OpenCommand::Get { appid } => console.open_get(&rt, &appid).await?,
                OpenCommand::Create { appid } => console.open_create(&rt, &appid).await?,
                OpenCommand::Bind {
                    appid, open_appid, ..
                } => console.open_bind(&rt, &appid, &open_appid).await?,
                OpenCommand::Unbind {
                    appid,
                    open_appid,
                    yes,
                } => console.open_unbind(&rt, &appid, &open_appid, yes).await?,
            };
            let text = match &b.open_appid {
                Some(o) => format!("{} is bound to open account {o}", b.appid),
                None => format!("{} is not bound to an open account", b.appid),
            };
            out(&b, text)
        }
        ConsoleCommand::Link(LinkCommand::Create {
            redirect_uri,
            auth_type,
            biz_appid,
            qr,
        }) => {
            let rt = profile(console, g).await?;
            let link = console
                .link_create(
                    &rt,
                    LinkRequest {
                        redirect_uri,
                        auth_type,
                        biz_appid,
                    },
                )
                .await?;
            let mut text = format!(
                "PC link (put it on a page of the platform's authorization domain; opening it directly fails):\n{}\n\nMobile link (open in WeChat):\n{}\n\nexpires {} (single use)\n",
                link.pc_link,
                link.mobile_link,
                fmt_time(Some(link.expires_at))
            );
            if qr {
                text.push('\n');
                text.push_str(&wxopen_core::service::qr::terminal(&link.mobile_link)?);
            }
            let mut doc = serde_json::to_value(&link).unwrap_or(Value::Null);
            if !qr {
                if let Value::Object(m) = &mut doc {
                    m.remove("mobile_qr_svg");
                }
            }
            Ok(Out { json: doc, text })
        }
        ConsoleCommand::Auth(AuthCommand::Complete { code }) => {
            let rt = profile(console, g).await?;
            let v = console.auth_complete(&rt, &code).await?;
            let r = &v.detail.authorizer;
            let text = format!(
                "authorized: {} {} ({})",
                r.appid,
                r.nick_name,
                r.kind.map_or("-", |k| k.as_str())
            );
            out(&v, text)
        }
        ConsoleCommand::Quota(QuotaCommand::Clear) => {
            let rt = profile(console, g).await?;
            let c = console.quota_clear(&rt).await?;
            let text = format!(
                "quota cleared with {} ({} resets this month, {} left)",
                c.endpoint, c.resets_this_month, c.resets_left
            );
            out(&c, text)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_are_humanized() {
        assert_eq!(utc_parts(0), (1970, 1, 1, 0, 0, 0));
        assert_eq!(utc_parts(1_795_803_605), (2026, 11, 27, 18, 20, 5));
        assert_eq!(utc_parts(951_782_400), (2000, 2, 29, 0, 0, 0));
        assert_eq!(utc_parts(-1), (1969, 12, 31, 23, 59, 59));
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
        // `YYYY-MM-DD HH:MM:SS`, local (or marked UTC)
        let d = local_datetime(t);
        assert_eq!(d.len(), if d.ends_with("UTC") { 23 } else { 19 }, "{d}");
        assert_eq!(fmt_time(None), "-");
    }
}
