//! What the app tells about itself (version, data dir, keychain) on the first screen.

use std::path::PathBuf;

use serde::Serialize;

use crate::secrets::{self, KeychainStatus};

#[derive(Debug, Clone, Serialize, specta::Type)]
pub struct AppInfo {
    pub version: String,
    pub data_dir: String,
    pub keychain: KeychainStatus,
}

pub fn app_info(data_dir: PathBuf) -> AppInfo {
    AppInfo {
        version: crate::VERSION.to_string(),
        data_dir: data_dir.display().to_string(),
        keychain: secrets::probe(),
    }
}
