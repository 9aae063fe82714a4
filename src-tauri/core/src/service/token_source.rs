//! Where a profile's tokens come from: the seam of DESIGN.md's "Token lifecycle".

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use super::single_flight::TokenCell;
use crate::clock::now;
use crate::error::{CoreError, CoreResult};
use crate::secrets::Sensitive;
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

/// Where a profile's tokens come from.
pub enum TokenSource {
    /// Fetched and cached by the console.
    Local(LocalTokens),
    /// Borrowed from a backend (not built yet): every call that needs a token fails clearly.
    Shared,
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
    pub fn for_profile(row: &ProfileRow) -> TokenSource {
        match row.token_source {
            TokenSourceKind::Local => TokenSource::Local(LocalTokens::default()),
            TokenSourceKind::Shared => TokenSource::Shared,
        }
    }

    pub(crate) fn local(&self) -> CoreResult<&LocalTokens> {
        match self {
            TokenSource::Local(l) => Ok(l),
            TokenSource::Shared => Err(CoreError::Refused(
                "this profile borrows its tokens from a backend (token source `shared`), which is not supported yet: switch it to `local`".into(),
            )),
        }
    }
}
