//! `wxopen option get|set`

use crate::args::OptionCommand;
use crate::context::Globals;
use crate::output::{out, Out};
use wxopen_core::error::CoreResult;
use wxopen_core::service::Console;

pub async fn run(console: &Console, g: &Globals, cmd: OptionCommand) -> CoreResult<Out> {
    let rt = g.active_profile(console).await?;
    let row = match cmd {
        OptionCommand::Get { appid, name } => console.option_get(&rt, &appid, &name).await?,
        OptionCommand::Set { appid, name, value } => {
            console.option_set(&rt, &appid, &name, &value).await?
        }
    };
    let text = format!("{} {} = {}", row.appid, row.name, row.value);
    out(&row, text)
}
