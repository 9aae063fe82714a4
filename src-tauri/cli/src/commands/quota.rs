//! `wxopen quota clear|reserve|stale-after`

use serde_json::json;

use crate::args::QuotaCommand;
use crate::context::Globals;
use crate::output::{out, Out};
use crate::time::human_duration;
use wxopen_core::error::CoreResult;
use wxopen_core::service::Console;

pub async fn run(console: &Console, g: &Globals, cmd: QuotaCommand) -> CoreResult<Out> {
    match cmd {
        QuotaCommand::Clear => {
            let rt = g.active_profile(console).await?;
            let c = console.quota_clear(&rt).await?;
            let text = format!(
                "quota cleared with {} ({} resets this month, {} left)",
                c.endpoint, c.resets_this_month, c.resets_left
            );
            out(&c, text)
        }
        QuotaCommand::Reserve { percent } => {
            let percent = match percent {
                Some(p) => console.set_quota_reserve_percent(p)?,
                None => console.quota_reserve_percent()?,
            };
            let text = format!(
                "quota reserve: a details sync stops while {percent} % of the daily api_get_authorizer_info limit remains (left to the backend)"
            );
            out(&json!({ "reserve_percent": percent }), text)
        }
        QuotaCommand::StaleAfter { duration } => {
            let secs = match duration {
                Some(s) => console.set_details_stale_after_secs(s)?,
                None => console.details_stale_after_secs()?,
            };
            let text = format!(
                "a details sync refetches details older than {}",
                human_duration(i64::try_from(secs).unwrap_or(i64::MAX))
            );
            out(&json!({ "stale_after_secs": secs }), text)
        }
    }
}
