//! Team mode's shared token store (issue 13), first part: how a production backend's SDK lays out
//! the ticket and tokens in Redis. `layout` and `value` are pure data and parsing;
//! `redis_reader` reads a backend's Redis (never writes). The token sources will build on these (see `docs/research/team-mode-redis-layouts.md`).

pub mod layout;
pub mod redis_reader;
pub mod value;

pub use layout::{Item, KeyLayout, LayoutError, Preset};
pub use redis_reader::{KeyReading, RedisReader, SharedStoreError};
pub use value::{Stored, ValueError, ValueFormat};
