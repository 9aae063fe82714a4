//! `wxopen authorizer show|refresh-token`

use crate::args::AuthorizerCommand;
use crate::context::Globals;
use crate::output::{out, Out};
use crate::time::fmt_time;
use wxopen_core::error::CoreResult;
use wxopen_core::service::Console;

pub async fn run(console: &Console, g: &Globals, cmd: AuthorizerCommand) -> CoreResult<Out> {
    let rt = g.active_profile(console).await?;
    match cmd {
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
        AuthorizerCommand::RefreshToken { appid, yes } => {
            super::token::confirm_shared_refresh(&rt, Some(&appid), yes)?;
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
