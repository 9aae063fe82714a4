//! One module per command group, each with one `run`; this file only picks the group.

mod auth;
mod authorizer;
mod authorizers;
mod authorizers_changes;
mod authorizers_export;
mod diag;
mod health;
mod layout_file;
mod link;
mod maintenance;
mod open;
mod option;
mod profile;
mod profile_test;
mod push;
mod quota;
mod ticket;
mod token;
mod token_flags;

use crate::args::ConsoleCommand;
use crate::context::Globals;
use crate::output::Out;
use wxopen_core::error::CoreResult;
use wxopen_core::service::Console;

pub async fn dispatch(console: &Console, g: &Globals, cmd: ConsoleCommand) -> CoreResult<Out> {
    match cmd {
        ConsoleCommand::Profile(c) => profile::run(console, g, c).await,
        ConsoleCommand::Ticket(c) => ticket::run(console, g, c).await,
        ConsoleCommand::Push(c) => push::run(console, g, c).await,
        ConsoleCommand::Token(c) => token::run(console, g, c).await,
        ConsoleCommand::Authorizers(c) => authorizers::run(console, g, c).await,
        ConsoleCommand::Authorizer(c) => authorizer::run(console, g, c).await,
        ConsoleCommand::Option(c) => option::run(console, g, c).await,
        ConsoleCommand::Open(c) => open::run(console, g, c).await,
        ConsoleCommand::Link(c) => link::run(console, g, c).await,
        ConsoleCommand::Auth(c) => auth::run(console, g, c).await,
        ConsoleCommand::Quota(c) => quota::run(console, g, c).await,
        ConsoleCommand::Maintenance(c) => maintenance::run(console, c).await,
        ConsoleCommand::Diag(c) => diag::run(console, g, c).await,
        ConsoleCommand::Health => health::run(console, g).await,
    }
}
