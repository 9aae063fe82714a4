//! The Tauri shell of WxOpen Console: plugins, managed state and command registration. All logic
//! lives in `wxopen-core`; this crate only adapts it to the window.

pub mod commands;
pub mod sandbox_images;
mod state;

use tauri::Manager;
use tauri_specta::{collect_commands, Builder};

pub use state::{AppState, ExportSlot, SyncSlot};

/// Where the generated TypeScript bindings live, relative to this crate.
pub const BINDINGS_PATH: &str = "../ui/src/bindings.ts";

/// The typed command set; also used by the test that regenerates `ui/src/bindings.ts`.
pub fn specta_builder<R: tauri::Runtime>() -> Builder<R> {
    Builder::<R>::new()
        .commands(collect_commands![
            commands::app::app_info,
            commands::app::ui_ready,
            commands::app::ui_table_painted,
            commands::profiles::profiles_list,
            commands::profiles::profile_add,
            commands::profiles::profile_add_sandbox,
            commands::profiles::profile_edit,
            commands::profiles::profile_remove,
            commands::profiles::profile_select,
            commands::profiles::profile_test_connection,
            commands::tokens::ticket_status,
            commands::tokens::ticket_set,
            commands::tokens::ticket_request_push,
            commands::tokens::push_apply,
            commands::tokens::component_token_status,
            commands::tokens::component_token_refresh,
            commands::tokens::quota_status,
            commands::tokens::quota_clear,
            commands::authorizers::authorizers_search,
            commands::authorizers::authorizers_counts,
            commands::authorizers::authorizer_changes,
            commands::health::health,
            commands::authorizers::authorizers_export,
            commands::authorizers::authorizers_export_cancel,
            commands::authorizers::authorizers_export_path,
            commands::authorizers::authorizer_view,
            commands::authorizers::authorizer_fetch,
            commands::authorizers::authorizer_token_refresh,
            commands::authorizers::option_get,
            commands::authorizers::option_set,
            commands::authorizers::open_get,
            commands::authorizers::open_create,
            commands::authorizers::open_bind,
            commands::authorizers::open_unbind,
            commands::sync::sync_start,
            commands::sync::sync_cancel,
            commands::sync::sync_latest,
            commands::links::link_create,
            commands::links::auth_complete,
            commands::history::messages_list,
            commands::history::audit_list,
            commands::history::errcode_explain,
            commands::diag::rid_lookup,
            commands::diag::authorizer_api_quota,
            commands::diag::authorizer_quota_resets,
            commands::diag::authorizer_clear_quota,
            commands::shared::shared_test,
            commands::shared::shared_test_settings,
            commands::shared::shared_keys,
            commands::bulk::bulk_plan,
            commands::bulk::bulk_create,
            commands::bulk::bulk_run,
            commands::bulk::bulk_pause,
            commands::bulk::bulk_cancel,
            commands::bulk::bulk_jobs,
            commands::bulk::bulk_results,
            commands::bulk::bulk_results_csv,
            commands::bulk::bulk_results_path
        ])
        // Errcodes and Unix timestamps are i64 in Rust but far below 2^53: plain numbers in TS.
        .dangerously_cast_bigints_to_number()
        // One TS type per Rust type (our types serialize and deserialize alike).
        .disable_serde_phases()
}

/// The TypeScript exporter settings the committed bindings were made with.
pub fn typescript() -> specta_typescript::Typescript {
    specta_typescript::Typescript::default()
        .header("// Generated from Rust by tauri-specta (src-tauri/tests/bindings.rs). Do not edit.\n// Regenerate: make bindings\n")
}

/// The app as it runs, minus the context (so tests can build it with a mock context).
pub fn app_builder() -> tauri::Builder<tauri::Wry> {
    let specta = specta_builder::<tauri::Wry>();
    tauri::Builder::default()
        // Must be the first plugin: a second launch focuses the running window instead.
        .plugin(tauri_plugin_single_instance::init(|app, _argv, _cwd| {
            if let Some(window) = app.get_webview_window("main") {
                let _ = window.unminimize();
                let _ = window.set_focus();
            }
        }))
        .plugin(
            tauri_plugin_log::Builder::new()
                .level(log_level())
                .targets([
                    tauri_plugin_log::Target::new(tauri_plugin_log::TargetKind::Stderr),
                    tauri_plugin_log::Target::new(tauri_plugin_log::TargetKind::LogDir {
                        file_name: None,
                    }),
                ])
                .build(),
        )
        .plugin(tauri_plugin_clipboard_manager::init())
        .plugin(tauri_plugin_window_state::Builder::default().build())
        .register_asynchronous_uri_scheme_protocol(
            sandbox_images::SIMULATOR_PROTOCOL,
            |ctx, request, responder| {
                let app = ctx.app_handle().clone();
                let path = request.uri().path().to_string();
                tauri::async_runtime::spawn(async move {
                    responder.respond(sandbox_images::respond(&app, &path).await);
                });
            },
        )
        .invoke_handler(specta.invoke_handler())
        .setup(move |app| {
            specta.mount_events(app);
            let data_dir = match std::env::var_os(wxopen_core::paths::DATA_DIR_ENV)
                .filter(|v| !v.is_empty())
            {
                Some(dir) => dir.into(),
                None => app.path().app_data_dir()?,
            };
            // tauri-plugin-log made the log dir before this runs, with the default mode.
            if let Ok(log_dir) = app.path().app_log_dir() {
                secure_log_dir(&log_dir);
            }
            let console = open_console(&data_dir);
            if let Ok(console) = &console {
                spawn_history_prune(console.clone());
            }
            app.manage(AppState::new(data_dir, console));
            Ok(())
        })
}

/// The core over the data dir's SQLite file and the OS keychain. Sandbox knobs come from the
/// environment (`WXOPEN_SANDBOX_AUTHORIZERS`, `WXOPEN_SANDBOX_PORT`: see
/// `ConsoleOptions::from_env`) for tests and benchmarks, as in the `wxopen` CLI.
pub fn open_console(
    data_dir: &std::path::Path,
) -> Result<std::sync::Arc<wxopen_core::service::Console>, commands::error::CommandError> {
    use wxopen_core::service::{Console, ConsoleOptions};
    let options = ConsoleOptions {
        owner_label: "WxOpen Console".into(),
        ..ConsoleOptions::from_env()
    };
    let store = wxopen_core::store::Store::open(data_dir).map_err(|e| {
        log::error!("cannot open the database in {}: {e}", data_dir.display());
        commands::error::CommandError::from(wxopen_core::error::CoreError::from(e))
    })?;
    let secrets = std::sync::Arc::new(wxopen_core::secrets::KeyringStore::from_env());
    Ok(std::sync::Arc::new(Console::with_options(
        store, secrets, options,
    )))
}

/// Makes the log dir private (0700), also when tauri-plugin-log created it first with the
/// default 0755: the logs name profiles, appids and errors. A failure is logged, not fatal (the
/// app works without it, and the files in it are the user's own).
pub fn secure_log_dir(dir: &std::path::Path) {
    if let Err(e) = wxopen_core::paths::secure_dir(dir) {
        log::warn!(
            "cannot make the log directory {} private: {e}",
            dir.display()
        );
    }
}

/// Deletes audit log entries and messages older than the retention setting (90 days unless
/// set), in the background: the window opens meanwhile, and the pruning's short transactions
/// leave room to every other writer.
pub fn spawn_history_prune(console: std::sync::Arc<wxopen_core::service::Console>) {
    tauri::async_runtime::spawn(async move {
        match console.prune_history().await {
            Ok(r) if r.audit_deleted + r.messages_deleted > 0 => log::info!(
                "history pruned ({} days kept): {} audit entries, {} messages",
                r.retention_days,
                r.audit_deleted,
                r.messages_deleted
            ),
            Ok(_) => {}
            Err(e) => log::warn!("cannot prune the history: {e}"),
        }
    });
}

fn log_level() -> log::LevelFilter {
    match std::env::var("WXOPEN_LOG").as_deref() {
        Ok("debug") => log::LevelFilter::Debug,
        Ok("trace") => log::LevelFilter::Trace,
        Ok("warn") => log::LevelFilter::Warn,
        _ => log::LevelFilter::Info,
    }
}

/// Environment defaults for the embedded WebKit, as (name, value) pairs to set where the
/// environment (`get`) has no value of its own. WebKitGTK's JavaScriptCore reads its options from
/// the environment, and the web process inherits the app's.
///
/// `JSC_useJIT=0`: JavaScriptCore runs the UI's scripts in its interpreter. The JIT tiers held
/// ~30 MB of the web process (`make bench`, idle on a 50-row page: 333 MB with all tiers, 311
/// without the optimizing ones, 298 with none) for no gain in the time to the first table page
/// (1.16 s either way). The price is on big pages: painting a 500-row page at startup took
/// 3.3 s instead of 1.9 s (2.4 s with the baseline JIT only). An operator who wants that back
/// sets `JSC_useJIT=1` (or `JSC_useDFGJIT=0` alone) in the environment, which wins.
pub fn webkit_env_defaults(
    get: impl Fn(&str) -> Option<String>,
) -> Vec<(&'static str, &'static str)> {
    const DEFAULTS: &[(&str, &str)] = &[("JSC_useJIT", "0")];
    DEFAULTS
        .iter()
        .filter(|(name, _)| get(name).is_none())
        .copied()
        .collect()
}

/// Entry point of the GUI binary.
pub fn run() {
    // Before any thread starts and before WebKit reads them.
    for (name, value) in webkit_env_defaults(|n| std::env::var(n).ok()) {
        std::env::set_var(name, value);
    }
    app_builder()
        .run(tauri::generate_context!())
        .expect("error while running WxOpen Console");
}
