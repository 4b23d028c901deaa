//! The synthetic province's tests.
//!
//! One test binary for the crate (each file a module): one link instead of one per file.

mod marks;
mod province;
