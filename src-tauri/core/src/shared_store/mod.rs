//! Team mode's shared token store (issue 13): where a production backend keeps the ticket and
//! tokens, and how to borrow them.
//!
//! - `layout`, `value`: how each SDK lays out and encodes the items in Redis (pure data);
//!   citations in `docs/research/team-mode-redis-layouts.md`.
//! - `config`: what a shared profile stores about its backend (no secrets).
//! - `redis_store`: reads a backend's Redis (one server or a cluster, TLS), and writes only
//!   under a lock, for the explicit refresh.
//! - `http_source`: a backend's internal token API (borrow only).
//!
//! Deciding *when* to read or write is the service layer's job (`service::shared_tokens`).

pub mod config;
pub mod http_source;
pub mod layout;
pub mod redis_store;
pub mod value;

pub use config::{HttpSource, LayoutChoice, RedisSource, SharedSource, SourceError};
pub use http_source::HttpTokens;
pub use layout::{Item, KeyLayout, LayoutError, Preset};
pub use redis_store::{HeldLock, KeyReading, RedisStore, RedisTarget, SharedStoreError};
pub use value::{Stored, ValueError, ValueFormat};
