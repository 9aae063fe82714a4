//! The OS keychain. The only module that talks to `keyring`: secrets never go anywhere else.

mod probe;

pub use probe::{probe, KeychainStatus};

/// The keychain service name all our entries live under.
pub const SERVICE: &str = "wxopen-console";

/// Shown whenever the keychain cannot be reached.
pub const KEYCHAIN_FIX_HINT: &str = "On Linux the console stores secrets through the Secret Service (D-Bus): start a keyring daemon, e.g. `gnome-keyring-daemon --unlock --components=secrets` inside a D-Bus session. Nothing is ever stored in plain text instead.";
