//! A token as the console holds it in memory, and the margins of its lifecycle.

use crate::clock::now;
use crate::secrets::Sensitive;

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
