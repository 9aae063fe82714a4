//! `wxopen profile …`

use serde_json::json;
use zeroize::Zeroizing;

use super::profile_test;
use super::token_flags::{self, Tokens};
use crate::args::{ProfileAddArgs, ProfileCommand, ProfileEditArgs};
use crate::context::Globals;
use crate::output::{out, Out};
use crate::prompt::read_secret;
use wxopen_core::error::{CoreError, CoreResult};
use wxopen_core::service::profiles::{ProfileEdit, ProfileInput, ProfileView, TokensEdit};
use wxopen_core::service::Console;
use wxopen_core::shared_store::SharedSource;

/// Environment variables `profile add` reads its secrets from.
const ENV_APPSECRET: &str = "WXOPEN_APPSECRET";
const ENV_TOKEN: &str = "WXOPEN_TOKEN";
const ENV_AES_KEY: &str = "WXOPEN_AES_KEY";

pub async fn run(console: &Console, g: &Globals, cmd: ProfileCommand) -> CoreResult<Out> {
    match cmd {
        ProfileCommand::Add(a) if a.sandbox && token_flags::asks_shared(&a.tokens) => {
            Err(CoreError::InvalidInput(
                "the sandbox profile owns its tokens: to try team mode, add a profile for the simulator (`wxopen sandbox serve`) with --token-source redis".into(),
            ))
        }
        ProfileCommand::Add(a) if a.sandbox => {
            let v = console.profile_add_sandbox(a.name.as_deref()).await?;
            let text = format!(
                "added sandbox profile {} ({}), API base {}\nThe simulator runs inside each wxopen command, so its state does not persist across runs.",
                v.profile.name, v.profile.component_appid, v.profile.api_base
            );
            out(&v, text)
        }
        ProfileCommand::Add(a) => add(console, a).await,
        ProfileCommand::Edit(e) => edit(console, e).await,
        ProfileCommand::Test { authorizer } => {
            profile_test::run(console, g, authorizer.as_deref()).await
        }
        ProfileCommand::List => {
            let list = console.profile_list()?;
            let mut text = String::new();
            for v in &list {
                text.push_str(&format!(
                    "{} {:<16} {}  {}{}{}\n",
                    if v.selected { "*" } else { " " },
                    v.profile.name,
                    v.profile.component_appid,
                    v.profile.api_base,
                    if v.profile.is_sandbox {
                        "  (sandbox)"
                    } else {
                        ""
                    },
                    source_text(v)
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
    }
}

/// `  shared: redis wxjava redis://…` for a shared profile (no secret: the URL holds none).
fn source_text(v: &ProfileView) -> String {
    match &v.profile.shared_source {
        None => String::new(),
        Some(SharedSource::Redis(r)) => format!(
            "  shared: redis {} {}{}",
            r.layout.name(),
            r.url,
            if r.writes {
                " (writes)"
            } else {
                " (read-only)"
            }
        ),
        Some(SharedSource::Http(h)) => format!("  shared: token API {}", h.component_token_url),
    }
}

/// A secret from the environment only (empty: none).
fn env_secret(env: &str) -> Option<Zeroizing<String>> {
    std::env::var(env)
        .ok()
        .map(Zeroizing::new)
        .filter(|v| !v.trim().is_empty())
}

async fn add(console: &Console, a: ProfileAddArgs) -> CoreResult<Out> {
    let appid = a.appid.clone().unwrap_or_default();
    let tokens = token_flags::resolve(&a.tokens, None, true).await?;
    // A shared profile borrows its tokens: it needs no AppSecret to read them, and no message
    // token or AES key unless it decrypts pushes. So those come from the environment only; the
    // AppSecret is also prompted for when writes are allowed (Refresh in the shared store
    // fetches a token, which takes it).
    let (appsecret, token, aes) = match &tokens {
        Tokens::Shared(s) => (
            match env_secret(ENV_APPSECRET) {
                Some(v) => Some(v),
                None if s.source.writes() => {
                    read_secret(
                        ENV_APPSECRET,
                        "AppSecret (for Refresh in the shared store; empty: none)",
                    )
                    .await?
                }
                None => None,
            },
            env_secret(ENV_TOKEN),
            env_secret(ENV_AES_KEY),
        ),
        Tokens::Local | Tokens::Unchanged => (
            read_secret(ENV_APPSECRET, "AppSecret").await?,
            read_secret(ENV_TOKEN, "Message token (消息校验Token)").await?,
            read_secret(ENV_AES_KEY, "EncodingAESKey (43 characters)").await?,
        ),
    };
    // (ProfileInput takes plain strings; the prompt buffers are zeroed on drop)
    let plain = |s: &Option<Zeroizing<String>>| s.as_deref().cloned();
    let (appsecret, token, aes) = (plain(&appsecret), plain(&token), plain(&aes));
    let v = console.profile_add(ProfileInput {
        name: a.name.clone().unwrap_or_else(|| appid.clone()),
        component_appid: appid,
        api_base: a.api_base,
        proxy: a.proxy,
        option_v2: a.option_v2,
        appsecret,
        token,
        encoding_aes_key: aes,
        shared: match tokens {
            Tokens::Shared(s) => Some(*s),
            Tokens::Local | Tokens::Unchanged => None,
        },
    })?;
    let text = format!(
        "added profile {} ({}){}{}",
        v.profile.name,
        v.profile.component_appid,
        if v.selected { ", selected" } else { "" },
        source_text(&v)
    );
    out(&v, text)
}

async fn edit(console: &Console, e: ProfileEditArgs) -> CoreResult<Out> {
    let current = console
        .profile_list()?
        .into_iter()
        .find(|v| v.profile.name == e.name)
        .and_then(|v| v.profile.shared_source);
    let tokens = match token_flags::resolve(&e.tokens, current.as_ref(), false).await? {
        Tokens::Unchanged => None,
        Tokens::Local => Some(TokensEdit::Local),
        Tokens::Shared(s) => Some(TokensEdit::Shared(*s)),
    };
    let plain = |env: &str| env_secret(env).map(|v| v.as_str().to_owned());
    let v = console.profile_edit(
        &e.name,
        ProfileEdit {
            api_base: e.api_base,
            proxy: e.proxy,
            appsecret: plain(ENV_APPSECRET),
            token: plain(ENV_TOKEN),
            encoding_aes_key: plain(ENV_AES_KEY),
            tokens,
            ..ProfileEdit::default()
        },
    )?;
    let text = format!(
        "changed profile {} ({}){}",
        v.profile.name,
        v.profile.component_appid,
        match source_text(&v) {
            s if s.is_empty() => "  owns its tokens".to_owned(),
            s => s,
        }
    );
    out(&v, text)
}
