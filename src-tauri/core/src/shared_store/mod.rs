//! Team mode's shared token store (issue 13), first part: how a production backend's SDK lays out
//! the ticket and tokens in Redis. Pure data and parsing, no I/O: the Redis and HTTP token
//! sources will read and write through it (see `docs/research/team-mode-redis-layouts.md`).

pub mod layout;
pub mod value;

pub use layout::{Item, KeyLayout, LayoutError, Preset};
pub use value::{Stored, ValueError, ValueFormat};
