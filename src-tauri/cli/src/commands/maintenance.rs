//! `wxopen maintenance …`: how long history is kept, and pruning it now.

use serde_json::json;

use crate::args::MaintenanceCommand;
use crate::output::{out, Out};
use crate::time::fmt_time;
use wxopen_core::error::CoreResult;
use wxopen_core::service::Console;

pub async fn run(console: &Console, cmd: MaintenanceCommand) -> CoreResult<Out> {
    match cmd {
        MaintenanceCommand::Prune => {
            let r = console.prune_history().await?;
            let text = match r.cutoff {
                None => "history retention is 0 (keep everything): nothing pruned".to_string(),
                Some(cutoff) => format!(
                    "pruned {} audit entries and {} messages older than {} ({} days kept)",
                    r.audit_deleted,
                    r.messages_deleted,
                    fmt_time(Some(cutoff)),
                    r.retention_days
                ),
            };
            out(&r, text)
        }
        MaintenanceCommand::Retention { days } => {
            let days = match days {
                Some(d) => console.set_history_retention_days(d)?,
                None => console.history_retention_days()?,
            };
            let text = if days == 0 {
                "history retention: keep everything".to_string()
            } else {
                format!("history retention: {days} days (audit log and messages)")
            };
            out(&json!({ "retention_days": days }), text)
        }
    }
}
