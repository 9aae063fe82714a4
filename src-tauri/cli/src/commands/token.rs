//! `wxopen token show|refresh`

use crate::args::TokenCommand;
use crate::context::Globals;
use crate::output::{out, Out};
use crate::time::fmt_time;
use wxopen_core::error::CoreResult;
use wxopen_core::service::Console;

pub async fn run(console: &Console, g: &Globals, cmd: TokenCommand) -> CoreResult<Out> {
    let rt = g.active_profile(console).await?;
    let s = match cmd {
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
