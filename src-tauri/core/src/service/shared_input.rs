//! What the profile form and `wxopen profile add|edit` give for a shared profile's tokens: the
//! source, and the secrets it needs (to the keychain, never back).

use serde::Deserialize;

use crate::shared_store::SharedSource;

/// A shared profile's token source, with the secrets it needs (to the keychain, never back).
#[derive(Clone, Deserialize, specta::Type)]
pub struct SharedInput {
    pub source: SharedSource,
    /// The Redis password; `None` keeps the stored one, `""` removes it.
    #[serde(default)]
    pub redis_password: Option<String>,
    /// The token API header's value; `None` keeps the stored one, `""` removes it.
    #[serde(default)]
    pub header_value: Option<String>,
}

/// How a profile's tokens change.
// One value per profile edit, moved once: boxing the big variant would buy nothing.
#[allow(clippy::large_enum_variant)]
#[derive(Clone, Deserialize, specta::Type)]
#[serde(tag = "mode", rename_all = "snake_case")]
pub enum TokensEdit {
    /// This console owns the tokens (fetches and refreshes them).
    Local,
    /// Borrow them from the backend.
    Shared(SharedInput),
}
