//! `wxopen diag rid`

use crate::args::DiagCommand;
use crate::context::Globals;
use crate::output::{out, Out};
use crate::time::fmt_time;
use wxopen_core::error::CoreResult;
use wxopen_core::service::Console;

pub async fn run(console: &Console, g: &Globals, cmd: DiagCommand) -> CoreResult<Out> {
    let DiagCommand::Rid { rid, appid } = cmd;
    let rt = g.active_profile(console).await?;
    let r = console.rid_lookup(&rt, &rid, appid.as_deref()).await?;
    let text = format!(
        "rid         {}\nasked as    {}\ninvoked     {}\ncost        {} ms\nclient ip   {}\nrequest url {}\nrequest     {}\nresponse    {}",
        r.rid,
        r.asked_as.as_deref().unwrap_or("the platform (component token)"),
        fmt_time(Some(r.invoke_time)),
        r.cost_in_ms,
        r.client_ip,
        r.request_url,
        r.request_body,
        r.response_body
    );
    out(&r, text)
}
