//! Where a profile's tokens come from: the seam of DESIGN.md's "Token lifecycle".

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use super::console::ConsoleOptions;
use super::shared_tokens::SharedTokens;
use super::single_flight::TokenCell;
use crate::clock::now;
use crate::error::{CoreError, CoreResult};
use crate::secrets::{SecretStore, Sensitive};
use crate::store::profiles::{ProfileRow, TokenSourceKind};

/// Refresh a token when fewer than this many seconds remain (10 min).
pub const REFRESH_MARGIN: i64 = 600;
/// A component_verify_ticket is valid this long (12 h).
pub const TICKET_TTL: i64 = 12 * 3600;

/// A cached access token.
#[derive(Clone, Debug)]
pub struct CachedToken {
    pub token: Sensitive<String>,
    pub expires_at: i64,
}

impl CachedToken {
    pub(crate) fn fresh(&self) -> bool {
        self.expires_at - now() > REFRESH_MARGIN
    }
}

/// Where a profile's tokens come from. The one place that decides it: every token the console
/// uses is asked of this.
// One per open profile, never moved around: the size of the larger variant costs nothing.
#[allow(clippy::large_enum_variant)]
pub enum TokenSource {
    /// Fetched and cached by the console.
    Local(LocalTokens),
    /// Borrowed from the platform's backend (Redis or its token API): never fetched silently.
    Shared(SharedTokens),
}

/// The single-flight cells of one profile.
#[derive(Default)]
pub struct LocalTokens {
    pub(crate) component: TokenCell<CachedToken>,
    authorizers: Mutex<HashMap<String, Arc<TokenCell<CachedToken>>>>,
}

impl LocalTokens {
    pub(crate) fn authorizer_cell(&self, appid: &str) -> Arc<TokenCell<CachedToken>> {
        let mut map = self.authorizers.lock().unwrap_or_else(|p| p.into_inner());
        map.entry(appid.to_string()).or_default().clone()
    }
}

impl TokenSource {
    pub fn for_profile(
        row: &ProfileRow,
        secrets: Arc<dyn SecretStore>,
        options: &ConsoleOptions,
    ) -> CoreResult<TokenSource> {
        Ok(match (row.token_source, &row.shared_source) {
            (TokenSourceKind::Local, _) => TokenSource::Local(LocalTokens::default()),
            (TokenSourceKind::Shared, Some(source)) => TokenSource::Shared(SharedTokens::new(
                source.clone(),
                &row.component_appid,
                secrets,
                options,
            )?),
            (TokenSourceKind::Shared, None) => {
                return Err(CoreError::InvalidInput(format!(
                    "profile {:?} is shared but names no backend store: set its Tokens section again (`wxopen profile edit`)",
                    row.name
                )))
            }
        })
    }

    /// The shared source, when the profile borrows its tokens.
    pub fn shared(&self) -> Option<&SharedTokens> {
        match self {
            TokenSource::Local(_) => None,
            TokenSource::Shared(s) => Some(s),
        }
    }
}
