//! `wxopen authorizer show|refresh-token|quota|clear-quota`

use crate::args::AuthorizerCommand;
use crate::context::Globals;
use crate::output::{out, Out};
use crate::time::fmt_time;
use wxopen_core::error::{CoreError, CoreResult};
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
        AuthorizerCommand::Quota { appid, cgi_path } => {
            let q = console.authorizer_api_quota(&rt, &appid, &cgi_path).await?;
            let mut text = format!(
                "{} {}\ndaily limit {}\nused        {}\nremaining   {}",
                q.appid, q.cgi_path, q.daily_limit, q.used, q.remain
            );
            if let Some(r) = q.rate_limit.as_ref().filter(|r| r.refresh_second > 0) {
                text.push_str(&format!(
                    "\nrate limit  {} calls per {} s",
                    r.call_count, r.refresh_second
                ));
            }
            out(&q, text)
        }
        AuthorizerCommand::ClearQuota { appid, yes } => {
            if !yes {
                let r = console.authorizer_quota_resets(&rt, &appid)?;
                return Err(CoreError::Refused(format!(
                    "clearing {appid}'s API quota uses one of its 10 resets this month ({} left): confirm with --yes",
                    r.resets_left
                )));
            }
            let c = console.authorizer_clear_quota(&rt, &appid).await?;
            let text = format!(
                "quota of {} cleared ({} resets this month, {} left)",
                c.appid, c.resets_this_month, c.resets_left
            );
            out(&c, text)
        }
    }
}
