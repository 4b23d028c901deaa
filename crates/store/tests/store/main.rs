//! The store's tests, each on SQLite and PostgreSQL.
//!
//! One test binary for the crate (each file a module): one link instead of one per file.

mod admission;
mod admission_guardian;
mod admission_review;
mod dx;
mod gradebook;
mod gradebook_seed;
mod imports;
mod migrations;
mod quality;
mod records;
mod statistics;
mod targets;
mod transcripts;
