//! Thin `#[tauri::command]` adapters: take the selected profile, call wxopen-core, return typed
//! values or a [`error::CommandError`]. Registered by their full path (`commands::app::app_info`):
//! the command macros generate hidden siblings that a `pub use` would not carry along.

pub mod app;
pub mod authorizers;
pub mod bulk;
pub mod diag;
pub mod error;
pub mod health;
pub mod history;
pub mod links;
pub mod names;
pub mod profiles;
pub mod shared;
pub mod sync;
pub mod tokens;
