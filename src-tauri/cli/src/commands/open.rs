//! `wxopen open get|create|bind|unbind`

use crate::args::OpenCommand;
use crate::context::Globals;
use crate::output::{out, Out};
use wxopen_core::error::CoreResult;
use wxopen_core::service::Console;

pub async fn run(console: &Console, g: &Globals, cmd: OpenCommand) -> CoreResult<Out> {
    let rt = g.active_profile(console).await?;
    let b = match cmd {
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
