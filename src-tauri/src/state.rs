use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use wxopen_core::app_info::PROBE_TIMEOUT;
use wxopen_core::secrets::{KeyringStore, SecretStore};

use wxopen_core::service::{CancelToken, Console, ProfileRt};

use crate::commands::error::CommandError;

/// What every command can reach: the console core (opened once at startup) and the running
/// sync's cancel handle.
pub struct AppState {
    pub data_dir: PathBuf,
    /// `Err` when the database or the core could not be opened: every command then answers with
    /// that error, so the window can say what went wrong instead of failing to start.
    console: Result<Arc<Console>, CommandError>,
    sync: Mutex<Option<CancelToken>>,
    /// The running export's cancel handle (one export at a time).
    export: Mutex<Option<CancelToken>>,
    /// What the start-up probe asks, and how long it may take (tests swap in a fake).
    keychain: (Arc<dyn SecretStore>, Duration),
}

impl AppState {
    pub fn new(data_dir: PathBuf, console: Result<Arc<Console>, CommandError>) -> AppState {
        AppState {
            data_dir,
            console,
            sync: Mutex::new(None),
            export: Mutex::new(None),
            keychain: (Arc::new(KeyringStore::from_env()), PROBE_TIMEOUT),
        }
    }

    /// Probes `secrets` instead of the OS keychain, with `timeout` (tests of a hung keychain).
    pub fn with_keychain(mut self, secrets: Arc<dyn SecretStore>, timeout: Duration) -> AppState {
        self.keychain = (secrets, timeout);
        self
    }

    pub fn keychain(&self) -> (Arc<dyn SecretStore>, Duration) {
        (self.keychain.0.clone(), self.keychain.1)
    }

    pub fn console(&self) -> Result<Arc<Console>, CommandError> {
        self.console.clone()
    }

    /// The core and the selected profile's runtime: what almost every command works on.
    pub async fn selected(&self) -> Result<(Arc<Console>, Arc<ProfileRt>), CommandError> {
        let console = self.console()?;
        let rt = console.profile(None).await?;
        Ok((console, rt))
    }

    /// Registers a new sync; refused while another one runs (one sync per app at a time). The
    /// slot is freed when the returned guard drops: at the end of the sync, and also when the
    /// sync panics or its future is dropped, so that no failure leaves it taken for good.
    pub fn sync_begin(&self) -> Option<SyncSlot<'_>> {
        let mut slot = self.sync.lock().unwrap_or_else(|p| p.into_inner());
        if slot.is_some() {
            return None;
        }
        let token = CancelToken::new();
        *slot = Some(token.clone());
        Some(SyncSlot { state: self, token })
    }

    /// Cancels the running sync; false when none runs.
    pub fn sync_cancel(&self) -> bool {
        match &*self.sync.lock().unwrap_or_else(|p| p.into_inner()) {
            Some(t) => {
                t.cancel();
                true
            }
            None => false,
        }
    }

    pub fn sync_running(&self) -> bool {
        self.sync
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .is_some()
    }

    /// Claims the export slot; `None` while an export runs.
    pub fn export_begin(&self) -> Option<ExportSlot<'_>> {
        let mut slot = self.export.lock().unwrap_or_else(|p| p.into_inner());
        if slot.is_some() {
            return None;
        }
        let token = CancelToken::new();
        *slot = Some(token.clone());
        Some(ExportSlot { state: self, token })
    }

    /// Cancels the running export; false when none runs.
    pub fn export_cancel(&self) -> bool {
        match &*self.export.lock().unwrap_or_else(|p| p.into_inner()) {
            Some(t) => {
                t.cancel();
                true
            }
            None => false,
        }
    }
}

/// The app's one export slot, freed when the export ends ([`AppState::export_begin`]).
pub struct ExportSlot<'a> {
    state: &'a AppState,
    token: CancelToken,
}

impl ExportSlot<'_> {
    pub fn cancel_token(&self) -> CancelToken {
        self.token.clone()
    }
}

impl Drop for ExportSlot<'_> {
    fn drop(&mut self) {
        *self.state.export.lock().unwrap_or_else(|p| p.into_inner()) = None;
    }
}

/// The app's one sync slot, held by the running sync ([`AppState::sync_begin`]).
pub struct SyncSlot<'a> {
    state: &'a AppState,
    token: CancelToken,
}

impl SyncSlot<'_> {
    /// What `sync_cancel` cancels.
    pub fn cancel_token(&self) -> CancelToken {
        self.token.clone()
    }
}

impl Drop for SyncSlot<'_> {
    fn drop(&mut self) {
        *self.state.sync.lock().unwrap_or_else(|p| p.into_inner()) = None;
    }
}
