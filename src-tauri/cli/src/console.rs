//! The console commands of `wxopen`, over [`wxopen_core::service::Console`]: one runtime, one
//! console, one command (see [`crate::commands`]), its result printed by [`crate::output`].

use std::sync::Arc;

use crate::args::ConsoleCommand;
use crate::commands;
use crate::context::Globals;
use crate::output;
use wxopen_core::error::CoreResult;
use wxopen_core::secrets::{KeyringStore, SecretStore};
use wxopen_core::service::{Console, ConsoleOptions};
use wxopen_core::store::Store;

/// Runs one console command; returns the process exit code.
pub fn run(g: Globals, cmd: ConsoleCommand) -> i32 {
    // One thread: a command is one task (a sync's lanes are futures of that task). On a
    // multi-thread runtime every request hopped between the lane's thread and a worker running
    // the connection (two wake-ups a call, each a futex and a context switch), about a third
    // more CPU for the same speed. SQLite batches still go to the blocking pool, the keychain to
    // its own thread.
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("wxopen: cannot start the runtime: {e}");
            return 1;
        }
    };
    let json = g.json;
    let result = runtime.block_on(async move {
        let console = open_console(&g)?;
        let r = commands::dispatch(&console, &g, cmd).await;
        console.shutdown().await;
        r
    });
    output::print(result, json)
}

fn open_console(g: &Globals) -> CoreResult<Console> {
    let store = Store::open(&g.data_dir)?;
    let secrets: Arc<dyn SecretStore> = Arc::new(KeyringStore::from_env());
    // The sandbox knobs (WXOPEN_SANDBOX_AUTHORIZERS, WXOPEN_SANDBOX_PORT), as in the app.
    let options = ConsoleOptions {
        owner_label: "wxopen".into(),
        ..ConsoleOptions::from_env()
    };
    Ok(Console::with_options(store, secrets, options))
}
