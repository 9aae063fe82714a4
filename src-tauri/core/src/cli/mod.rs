//! Implementations of `wxopen` subcommands. `src/bin/wxopen.rs` only parses arguments and calls
//! these, so every command is also callable (and testable) as a library function.

pub mod args;
pub mod console;
pub mod errcode;
pub mod sandbox;
