//! The binary's tests: its commands, and real processes killed and restarted.
//!
//! One test binary for the crate (each file a module): one link instead of one per file.

mod commands;
mod crash;
mod support;
mod verify_ledger;
