//! The web layer's tests: the whole router over real SQLite and PostgreSQL databases.
//!
//! One test binary for the crate (each file a module): one link instead of one per file.

mod access;
mod admission_campaigns;
mod admission_lookup;
mod admission_public;
mod admission_staff;
mod api;
mod auth;
mod dx;
mod quality;
mod support;
mod targets;
mod transcripts;
