//! `wxopen quota clear`

use crate::args::QuotaCommand;
use crate::context::Globals;
use crate::output::{out, Out};
use wxopen_core::error::CoreResult;
use wxopen_core::service::Console;

pub async fn run(console: &Console, g: &Globals, cmd: QuotaCommand) -> CoreResult<Out> {
    let QuotaCommand::Clear = cmd;
    let rt = g.active_profile(console).await?;
    let c = console.quota_clear(&rt).await?;
    let text = format!(
        "quota cleared with {} ({} resets this month, {} left)",
        c.endpoint, c.resets_this_month, c.resets_left
    );
    out(&c, text)
}
