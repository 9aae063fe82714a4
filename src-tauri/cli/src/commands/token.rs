//! `wxopen token show|refresh`, and the confirmation a refresh in the shared store needs.

use crate::args::TokenCommand;
use crate::context::Globals;
use crate::output::{out, Out};
use crate::time::{fmt_time, local_datetime};
use wxopen_core::error::{CoreError, CoreResult};
use wxopen_core::service::tokens::ComponentTokenStatus;
use wxopen_core::service::{Console, ProfileRt};
use wxopen_core::shared_store::{Item, SharedSource};

pub async fn run(console: &Console, g: &Globals, cmd: TokenCommand) -> CoreResult<Out> {
    let rt = g.active_profile(console).await?;
    let s = match cmd {
        TokenCommand::Show => {
            if rt.profile.shared_source.is_some() {
                // Borrow it now, so that what is shown is what the backend holds (a failed read
                // is the error: the key, its state, and what to check on the backend).
                console.component_token(&rt).await?;
            }
            console.component_token_status(&rt)?
        }
        TokenCommand::Refresh { yes } => {
            confirm_shared_refresh(&rt, None, yes)?;
            console.refresh_component_token(&rt).await?
        }
    };
    let text = if s.cached {
        format!(
            "component_access_token {} expires {}{}",
            s.tail.clone().unwrap_or_default(),
            fmt_time(s.expires_at),
            shared_text(&s)
        )
    } else {
        "no component_access_token cached (`wxopen token refresh` fetches one)".into()
    };
    out(&s, text)
}

/// Where a borrowed token came from: source, key, TTL, last read, writes, rejections.
fn shared_text(s: &ComponentTokenStatus) -> String {
    let Some(info) = &s.shared else {
        return String::new();
    };
    let mut t = format!(
        "\nborrowed from {} {} (layout {}, {})",
        info.kind,
        info.location,
        info.layout,
        if info.writes {
            "writes allowed"
        } else {
            "read-only"
        }
    );
    if let Some(read) = &info.component {
        t.push_str(&format!(
            "\nkey      {}\nTTL      {}\nread at  {}",
            read.key,
            read.ttl_secs
                .map_or_else(|| "none".into(), |x| format!("{x} s")),
            local_datetime(read.read_at)
        ));
    }
    if info.rejections > 0 {
        t.push_str(&format!(
            "\nWeChat rejected borrowed tokens {} time(s)",
            info.rejections
        ));
    }
    t
}

/// The exact key a refresh writes (or the token API's URL): what every other reader follows.
fn shared_key(source: &SharedSource, component: &str, authorizer: Option<&str>) -> String {
    let item = match authorizer {
        Some(_) => Item::AuthorizerToken,
        None => Item::ComponentToken,
    };
    match source {
        SharedSource::Redis(r) => r
            .layout
            .resolve()
            .ok()
            .and_then(|l| l.key(item, component, authorizer))
            .unwrap_or_else(|| "the shared key".into()),
        SharedSource::Http(h) => match authorizer {
            Some(a) => h
                .authorizer_token_url
                .clone()
                .unwrap_or_default()
                .replace("{authorizer_appid}", a),
            None => h.component_token_url.clone(),
        }
        .replace("{component_appid}", component),
    }
}

/// A refresh on a shared profile replaces the backend's token for everybody: it takes `--yes`
/// (what the GUI's confirmation is). Whether writes are allowed at all is the core's decision.
pub fn confirm_shared_refresh(
    rt: &ProfileRt,
    authorizer: Option<&str>,
    yes: bool,
) -> CoreResult<()> {
    let Some(source) = &rt.profile.shared_source else {
        return Ok(());
    };
    if yes {
        return Ok(());
    }
    let key = shared_key(source, rt.appid(), authorizer);
    Err(CoreError::Refused(format!(
        "profile {} borrows its tokens from the backend: a refresh fetches a new token and writes it to {key}, and every service that reads {key} switches to the new token (the old one stops working). Nothing was done; run it again with --yes to refresh in the shared store",
        rt.profile.name
    )))
}
