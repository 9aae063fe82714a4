//! `wxopen-core`: everything WxOpen Console does except drawing the window.
//!
//! No Tauri or GTK dependency: this crate (and the `wxopen` CLI built from it) must build and
//! test on a headless server. The Tauri shell in `src-tauri/` only adapts it.

pub mod app_info;
pub mod clock;
pub mod error;
pub mod local_backend;
pub mod paths;
pub mod secrets;
pub mod service;
pub mod shared_store;
pub mod store;

pub use error::{CoreError, ErrorBody};

/// Version of the core (and of the app: the workspace shares one version).
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
