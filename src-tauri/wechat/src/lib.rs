//! The WeChat third-party platform ("component") protocol, pure: no storage, no UI.
//!
//! Depends on reqwest, serde, quick-xml and the crypto crates only, so it can be lifted out as a
//! standalone crate without edits.

pub mod client;
pub mod crypto;
pub mod errcode;
pub mod error;
pub mod links;
pub mod models;
pub mod push;
