//! What every console command gets besides its arguments: the global options.
//! A leaf module, so that `console` and every command can use it without import loops.

use std::path::PathBuf;
use std::sync::Arc;

use wxopen_core::error::CoreResult;
use wxopen_core::service::{Console, ProfileRt};

/// Global options.
#[derive(Debug, Clone)]
pub struct Globals {
    pub data_dir: PathBuf,
    pub profile: Option<String>,
    pub json: bool,
}

impl Globals {
    /// The profile chosen with `--profile`, else the selected one.
    pub async fn active_profile(&self, console: &Console) -> CoreResult<Arc<ProfileRt>> {
        console.profile(self.profile.as_deref()).await
    }
}
