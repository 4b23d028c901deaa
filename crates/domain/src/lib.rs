//! Pure domain types and rules of truongso. Nothing here does I/O: the store persists these
//! types, the web layer shows them, the demo generator produces them.
//!
//! Feature modules line up with the other crates (`store::learners`, `web::api::learners`, …).

pub mod access;
pub mod admission;
pub mod codes;
pub mod consent;
pub mod dx;
pub mod golden;
pub mod gradebook;
pub mod grading;
pub mod import;
pub mod learners;
pub mod national_id;
pub mod org;
pub mod print;
pub mod quality;
pub mod reference;
pub mod school_year;
pub mod staff;
pub mod statistics;
pub mod subjects;
pub mod tabular;
pub mod targets;
pub mod text;
pub mod validation;

pub use validation::{FieldError, Invalid};
