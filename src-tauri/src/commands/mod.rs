//! Thin `#[tauri::command]` adapters: parse input, call wxopen-core, return typed values.
//! Registered by their full path (`commands::app::app_info`): the command macros generate hidden
//! siblings that a `pub use` would not carry along.

pub mod app;
pub mod names;
