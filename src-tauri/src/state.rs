use std::path::PathBuf;

/// What every command can reach. Later issues add the store, secrets and per-profile clients.
pub struct AppState {
    pub data_dir: PathBuf,
}
