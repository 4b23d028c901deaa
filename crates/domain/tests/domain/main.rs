//! The domain rules' golden and reference-data tests.
//!
//! One test binary for the crate (each file a module): one link instead of one per file.

mod golden;
mod reference;
