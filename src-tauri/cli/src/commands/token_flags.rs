//! `--token-source` and its flags → the core's [`SharedSource`] (team mode), for `profile add`
//! and `profile edit`. The Redis password and the token API header's value come from the
//! environment or a no-echo prompt, never from argv.

use wxopen_core::error::{CoreError, CoreResult};
use wxopen_core::service::profiles::SharedInput;
use wxopen_core::shared_store::{HttpSource, LayoutChoice, Preset, RedisSource, SharedSource};

use super::layout_file;
use crate::args::{LayoutArg, TokenSourceArg, TokenSourceArgs};
use crate::prompt::optional_secret;

pub const ENV_REDIS_PASSWORD: &str = "WXOPEN_REDIS_PASSWORD";
pub const ENV_HEADER: &str = "WXOPEN_TOKEN_API_HEADER";
const DEFAULT_TOKEN_POINTER: &str = "/component_access_token";

/// What the flags ask for.
pub enum Tokens {
    /// No token flag given (edit: unchanged; add: local).
    Unchanged,
    Local,
    Shared(Box<SharedInput>),
}

impl TokenSourceArgs {
    /// The flags given for Redis and for the token API, by name.
    fn given(&self) -> (Vec<&'static str>, Vec<&'static str>) {
        let redis = [
            ("--redis-url", self.redis_url.is_some()),
            ("--redis-layout", self.redis_layout.is_some()),
            ("--redis-prefix", self.redis_prefix.is_some()),
            ("--redis-writes", self.redis_writes.is_some()),
            ("--redis-ca-file", self.redis_ca_file.is_some()),
            ("--redis-layout-file", self.redis_layout_file.is_some()),
        ];
        let http = [
            ("--token-url", self.token_url.is_some()),
            (
                "--authorizer-token-url",
                self.authorizer_token_url.is_some(),
            ),
            ("--token-header", self.token_header.is_some()),
            ("--token-pointer", self.token_pointer.is_some()),
            ("--expires-in-pointer", self.expires_in_pointer.is_some()),
            ("--expires-at-pointer", self.expires_at_pointer.is_some()),
        ];
        let on = |flags: &[(&'static str, bool)]| {
            flags
                .iter()
                .filter(|f| f.1)
                .map(|f| f.0)
                .collect::<Vec<_>>()
        };
        (on(&redis), on(&http))
    }
}

/// Whether any flag asks for a shared source (`profile add --sandbox` refuses them).
pub fn asks_shared(args: &TokenSourceArgs) -> bool {
    let (redis, http) = args.given();
    !redis.is_empty()
        || !http.is_empty()
        || matches!(
            args.token_source,
            Some(TokenSourceArg::Redis | TokenSourceArg::Http)
        )
}

fn wrong_flags(flags: &[&str], source: &str) -> CoreError {
    CoreError::InvalidInput(format!(
        "{} cannot be used with --token-source {source}: they belong to {}",
        flags.join(", "),
        if flags[0].starts_with("--redis") {
            "--token-source redis"
        } else {
            "--token-source http"
        }
    ))
}

/// Reads the flags. `current` is the profile's shared source (edit), whose settings the flags
/// change: `profile edit N --redis-writes` keeps the URL and layout.
pub async fn resolve(
    args: &TokenSourceArgs,
    current: Option<&SharedSource>,
    fresh: bool,
) -> CoreResult<Tokens> {
    let (redis, http) = args.given();
    let kind = match (args.token_source, current) {
        (Some(k), _) => k,
        (None, _) if redis.is_empty() && http.is_empty() => return Ok(Tokens::Unchanged),
        (None, Some(SharedSource::Redis(_))) => TokenSourceArg::Redis,
        (None, Some(SharedSource::Http(_))) => TokenSourceArg::Http,
        (None, None) => {
            let first = redis.first().or(http.first()).copied().unwrap_or_default();
            return Err(CoreError::InvalidInput(format!(
                "{first} needs --token-source {}",
                if redis.is_empty() { "http" } else { "redis" }
            )));
        }
    };
    match kind {
        TokenSourceArg::Local if !redis.is_empty() => Err(wrong_flags(&redis, "local")),
        TokenSourceArg::Local if !http.is_empty() => Err(wrong_flags(&http, "local")),
        TokenSourceArg::Local => Ok(Tokens::Local),
        TokenSourceArg::Redis if !http.is_empty() => Err(wrong_flags(&http, "redis")),
        TokenSourceArg::Http if !redis.is_empty() => Err(wrong_flags(&redis, "http")),
        TokenSourceArg::Redis => {
            let current = match current {
                Some(SharedSource::Redis(r)) => Some(r),
                _ => None,
            };
            let source = SharedSource::Redis(redis_source(args, current)?);
            source.check()?;
            let redis_password =
                optional_secret(ENV_REDIS_PASSWORD, "Redis password (empty: none)", fresh).await?;
            Ok(Tokens::Shared(Box::new(SharedInput {
                source,
                redis_password,
                header_value: Some(String::new()),
            })))
        }
        TokenSourceArg::Http => {
            let current = match current {
                Some(SharedSource::Http(h)) => Some(h),
                _ => None,
            };
            let h = http_source(args, current);
            if h.component_token_url.trim().is_empty() {
                return Err(CoreError::InvalidInput(
                    "--token-source http needs --token-url URL (the backend's component token API; {component_appid} is replaced)".into(),
                ));
            }
            let source = SharedSource::Http(h.clone());
            source.check()?;
            let header_value = match &h.header_name {
                None => Some(String::new()),
                Some(name) => {
                    let v =
                        optional_secret(ENV_HEADER, &format!("{name} header value"), fresh).await?;
                    if fresh && v.as_deref().is_none_or(str::is_empty) {
                        return Err(CoreError::InvalidInput(format!(
                            "--token-header {name} needs its value: set {ENV_HEADER} (it is kept in the keychain, never on the command line)"
                        )));
                    }
                    v
                }
            };
            Ok(Tokens::Shared(Box::new(SharedInput {
                source,
                redis_password: Some(String::new()),
                header_value,
            })))
        }
    }
}

fn redis_source(args: &TokenSourceArgs, current: Option<&RedisSource>) -> CoreResult<RedisSource> {
    let url = match (&args.redis_url, current) {
        (Some(u), _) => u.trim().to_owned(),
        (None, Some(c)) => c.url.clone(),
        (None, None) => {
            return Err(CoreError::InvalidInput(
                "--token-source redis needs --redis-url redis://host:port/db (no password: put it in WXOPEN_REDIS_PASSWORD)".into(),
            ))
        }
    };
    refuse_password_in_url(&url)?;
    let layout = match (args.redis_layout, current) {
        (Some(LayoutArg::Custom), _) => {
            if args.redis_prefix.is_some() {
                return Err(CoreError::InvalidInput(
                    "--redis-prefix applies to the presets: a custom layout's templates hold the whole key".into(),
                ));
            }
            let file = args.redis_layout_file.as_deref().ok_or_else(|| {
                CoreError::InvalidInput(
                    "--redis-layout custom needs --redis-layout-file FILE.toml (the key templates and value format)".into(),
                )
            })?;
            LayoutChoice::Custom {
                layout: layout_file::read(file)?,
            }
        }
        (Some(preset), _) => preset_choice(preset, args)?,
        (None, Some(c)) => match (&c.layout, &args.redis_prefix) {
            (LayoutChoice::Preset { preset, .. }, Some(p)) => LayoutChoice::Preset {
                preset: *preset,
                prefix: Some(p.clone()).filter(|p| !p.trim().is_empty()),
            },
            (LayoutChoice::Custom { .. }, _) if args.redis_layout_file.is_some() => {
                LayoutChoice::Custom {
                    layout: layout_file::read(args.redis_layout_file.as_deref().unwrap())?,
                }
            }
            (layout, _) => layout.clone(),
        },
        (None, None) => {
            return Err(CoreError::InvalidInput(
                "--token-source redis needs --redis-layout wxjava|wechatpy|silenceper|custom (the SDK the backend runs)".into(),
            ))
        }
    };
    Ok(RedisSource {
        url,
        layout,
        writes: args
            .redis_writes
            .unwrap_or(current.is_some_and(|c| c.writes)),
        ca_file: match &args.redis_ca_file {
            Some(f) if f.as_os_str().is_empty() => None,
            Some(f) => Some(ca_file(f)?),
            None => current.and_then(|c| c.ca_file.clone()),
        },
    })
}

/// The CA file, checked now and kept as an absolute path: the profile is used from any
/// directory, and a wrong path is better found at `add` than at the first connection.
fn ca_file(f: &std::path::Path) -> CoreResult<String> {
    let bad =
        |what: String| CoreError::InvalidInput(format!("--redis-ca-file {}: {what}", f.display()));
    let path = std::fs::canonicalize(f).map_err(|e| bad(e.to_string()))?;
    let pem = std::fs::read(&path).map_err(|e| bad(e.to_string()))?;
    if !pem.windows(11).any(|w| w == b"-----BEGIN ") {
        return Err(bad(
            "not a PEM file (it should hold -----BEGIN CERTIFICATE-----)".into(),
        ));
    }
    Ok(path.display().to_string())
}

fn preset_choice(preset: LayoutArg, args: &TokenSourceArgs) -> CoreResult<LayoutChoice> {
    if args.redis_layout_file.is_some() {
        return Err(CoreError::InvalidInput(
            "--redis-layout-file goes with --redis-layout custom".into(),
        ));
    }
    let preset = match preset {
        LayoutArg::Wxjava => Preset::Wxjava,
        LayoutArg::Wechatpy => Preset::Wechatpy,
        LayoutArg::Silenceper => Preset::Silenceper,
        LayoutArg::Custom => unreachable!("handled by the caller"),
    };
    if preset == Preset::Silenceper && args.redis_prefix.is_some() {
        return Err(CoreError::InvalidInput(
            "silenceper/wechat uses no key prefix: drop --redis-prefix".into(),
        ));
    }
    Ok(LayoutChoice::Preset {
        preset,
        prefix: args.redis_prefix.clone().filter(|p| !p.trim().is_empty()),
    })
}

/// The core refuses it too; here the message says what to do instead, and never repeats the URL
/// (it holds the password).
fn refuse_password_in_url(url: &str) -> CoreResult<()> {
    let has_password = url
        .split(',')
        .filter_map(|n| url::Url::parse(n.trim()).ok())
        .any(|u| u.password().is_some());
    if has_password {
        return Err(CoreError::InvalidInput(format!(
            "the --redis-url contains a password, which the command line would leave in shell history and `ps`: nothing was saved. Give the URL without it (redis://[user@]host:port/db) and the password in {ENV_REDIS_PASSWORD} (or at the prompt); it is kept in the keychain"
        )));
    }
    Ok(())
}

fn http_source(args: &TokenSourceArgs, current: Option<&HttpSource>) -> HttpSource {
    let pick = |given: &Option<String>, kept: Option<&Option<String>>| match given {
        Some(v) if v.trim().is_empty() => None,
        Some(v) => Some(v.trim().to_owned()),
        None => kept.cloned().flatten(),
    };
    HttpSource {
        component_token_url: args
            .token_url
            .clone()
            .or_else(|| current.map(|c| c.component_token_url.clone()))
            .unwrap_or_default(),
        authorizer_token_url: pick(
            &args.authorizer_token_url,
            current.map(|c| &c.authorizer_token_url),
        ),
        header_name: pick(&args.token_header, current.map(|c| &c.header_name)),
        token_pointer: args
            .token_pointer
            .clone()
            .or_else(|| current.map(|c| c.token_pointer.clone()))
            .unwrap_or_else(|| DEFAULT_TOKEN_POINTER.to_owned()),
        expires_in_pointer: pick(
            &args.expires_in_pointer,
            current.map(|c| &c.expires_in_pointer),
        ),
        expires_at_pointer: pick(
            &args.expires_at_pointer,
            current.map(|c| &c.expires_at_pointer),
        ),
    }
}
