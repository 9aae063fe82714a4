//! `wxopen auth complete`

use crate::args::AuthCommand;
use crate::context::Globals;
use crate::output::{out, Out};
use wxopen_core::error::CoreResult;
use wxopen_core::service::Console;

pub async fn run(console: &Console, g: &Globals, cmd: AuthCommand) -> CoreResult<Out> {
    let AuthCommand::Complete { code } = cmd;
    let rt = g.active_profile(console).await?;
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
