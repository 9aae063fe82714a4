//! `wxopen ticket …`

use serde_json::json;

use crate::args::TicketCommand;
use crate::context::Globals;
use crate::output::{out, Out};
use crate::prompt::read_piped_or_prompted;
use crate::time::{fmt_time, human_duration};
use wxopen_core::error::{CoreError, CoreResult};
use wxopen_core::service::Console;

/// Why `ticket set TICKET` is refused, and what to do instead.
const TICKET_IN_ARGV: &str = "the ticket was given on the command line, where shell history and `ps` would keep it: nothing was stored. Pipe it in (`wxopen ticket set < ticket.txt`, `printf %s \"$TICKET\" | wxopen ticket set`) or run `wxopen ticket set` and paste it at the prompt";

pub async fn run(console: &Console, g: &Globals, cmd: TicketCommand) -> CoreResult<Out> {
    if let TicketCommand::Set {
        ticket: Some(given),
    } = &cmd
    {
        if given != "-" {
            // Refused before anything is opened or stored (argv itself cannot be taken back).
            return Err(CoreError::InvalidInput(TICKET_IN_ARGV.into()));
        }
    }
    let rt = g.active_profile(console).await?;
    match cmd {
        TicketCommand::Set { .. } => {
            let text = read_piped_or_prompted("ticket", "component_verify_ticket").await?;
            let s = console.ticket_set(&rt, &text)?;
            out(&s, "ticket stored (valid 12 h from now)")
        }
        TicketCommand::Show => {
            let s = console.ticket_status(&rt).await?;
            let text = if let Some(key) = &s.shared_key {
                if s.present {
                    format!(
                        "ticket {} in the backend's store ({key})",
                        s.tail.clone().unwrap_or_default()
                    )
                } else {
                    format!("no ticket in the backend's store: {key} is missing (the backend receives WeChat's pushes and writes it)")
                }
            } else if s.present {
                format!(
                    "ticket {} from {}, received {}, {}",
                    s.tail.clone().unwrap_or_default(),
                    s.source.map_or("-", |x| x.as_str()),
                    fmt_time(s.received_at),
                    if s.valid {
                        format!(
                            "valid for {}",
                            human_duration(s.valid_for_secs.unwrap_or(0))
                        )
                    } else {
                        "EXPIRED".into()
                    }
                )
            } else {
                "no ticket: paste one with `wxopen ticket set`".into()
            };
            out(&s, text)
        }
        TicketCommand::RequestPush => {
            console.ticket_request_push(&rt).await?;
            out(
                &json!({"requested": true}),
                "WeChat will push a fresh component_verify_ticket to the authorization-event URL",
            )
        }
    }
}
