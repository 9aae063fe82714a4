//! The console's services: what the GUI commands and the `wxopen` CLI call.
//!
//! [`Console`] holds the store (SQLite), the secret store (keychain), one [`ComponentClient`]
//! per profile and one single-flight cell per token. Modules:
//! - [`profiles`]: add/edit/remove/list/select, the sandbox profile;
//! - [`ticket`]: component_verify_ticket (paste, push, request a push);
//! - [`tokens`]: the `TokenSource` seam (DESIGN "Token lifecycle"): component and authorizer
//!   access tokens, cached, refreshed once for all concurrent callers, retry-once on 40001/42001;
//! - [`shared_tokens`]: team mode, the tokens a shared profile borrows from its backend (and
//!   the explicit refresh in the shared store, under the backend's lock);
//! - [`play_backend`]: the sandbox plays a platform's backend, writing its ticket and tokens
//!   into a Redis in an SDK's layout (`wxopen sandbox serve --backend-redis`);
//! - [`sync`]: list + details sync (resumable, cancellable, progress events), one process at a
//!   time per profile ([`lease`]);
//! - [`authorizers`]: search, info, token refresh, options, open binding; [`changes`]: what
//!   each sync saw change per account;
//! - [`links`]: pre-auth codes and authorization links (+ [`qr`]);
//! - [`auth`]: complete an authorization; [`push`]: apply pushes; [`quota`]: clear quota;
//! - [`diag`]: rid lookup, an authorizer's API quota and clearing it;
//! - [`audit`]: every API call recorded, redacted; [`export`]: the table as CSV or XLSX;
//! - [`bulk`]: bulk jobs over a selection (plan, dry run, results CSV), run by [`bulk_run`].
//! - [`health`]: what needs attention on a profile (the Health page, `wxopen health`).

pub mod audit;
pub mod auth;
pub mod authorizers;
pub mod bulk;
pub mod bulk_run;
pub mod cached_token;
pub mod cancel;
pub mod changes;
pub mod console;
pub mod diag;
pub mod export;
pub mod health;
pub mod history;
pub mod images;
pub mod lease;
pub mod links;
pub mod options;
pub mod play_backend;
pub mod profile_secrets;
pub mod profiles;
pub mod proxy_url;
pub mod push;
pub mod qr;
pub mod quota;
pub mod shared_input;
pub mod shared_refresh;
pub mod shared_tokens;
pub mod single_flight;
pub mod sync;
pub mod sync_quota;
pub mod ticket;
pub mod token_source;
pub mod tokens;
pub mod validate;

pub use crate::clock::now;
pub use cancel::CancelToken;
pub use console::{
    Console, ConsoleOptions, ProfileRt, ENV_SANDBOX_AUTHORIZERS, ENV_SANDBOX_CONTROL_TOKEN,
    ENV_SANDBOX_PORT, ENV_SHARED_LOCK_WAIT_SECS, ENV_SHARED_READ_SECS, ENV_SYNC_LEASE_SECS,
};
pub use token_source::TokenSource;
