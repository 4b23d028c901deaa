//! The one database layer of truongso, over SQLite (embedded) and PostgreSQL.
//!
//! Queries are written once with sea-query and rendered for the backend in use; rows decode
//! through `sqlx::FromRow` for both. Feature modules (`orgs`, `learners`, …) hold the queries;
//! [`Conn`] is the one way to run them, on the pool or inside a transaction ([`Tx`]).

pub mod admin_units;
pub mod admission;
pub mod audit;
pub mod classes;
mod conn;
pub mod consents;
pub mod devices;
pub mod dx;
pub mod enrolments;
mod error;
pub mod exports;
pub mod gradebook;
pub mod imports;
pub mod learners;
pub mod migrate;
pub mod orgs;
pub mod page;
pub mod quality;
pub mod schema;
pub mod scope;
pub mod secret;
pub mod seed;
pub mod sessions;
pub mod staff;
pub mod statistics;
pub mod targets;
pub mod tokens;
pub mod users;
pub mod years;

pub use conn::{Backend, Conn, Record, Store, Tx};
pub use error::{StoreError, StoreResult};
pub use page::{Page, PageRequest};
pub use scope::Scope;
