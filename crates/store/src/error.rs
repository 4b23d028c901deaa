//! The store's error type: what callers must tell apart (not found, invalid input, conflict)
//! versus a database failure they can only report.

use truongso_domain::{FieldError, Invalid};

pub type StoreResult<T> = Result<T, StoreError>;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The record does not exist, or lies outside the caller's scope (indistinguishable on
    /// purpose, so that IDs of other schools cannot be probed).
    #[error("không tìm thấy {entity}")]
    NotFound { entity: &'static str },
    /// The input broke a domain rule; nothing was written.
    #[error(transparent)]
    Invalid(#[from] Invalid),
    /// The input clashes with stored data (a duplicate code, a stale version…); nothing was written.
    #[error("{}", .0.message)]
    Conflict(FieldError),
    #[error("lỗi cơ sở dữ liệu: {0}")]
    Database(#[from] sqlx::Error),
    #[error("lỗi di chuyển lược đồ: {0}")]
    Migration(String),
}

impl StoreError {
    pub fn not_found(entity: &'static str) -> Self {
        StoreError::NotFound { entity }
    }

    pub fn invalid(field: &str, message: impl Into<String>) -> Self {
        StoreError::Invalid(Invalid(vec![FieldError::new(field, message)]))
    }

    pub fn conflict(field: &str, message: impl Into<String>) -> Self {
        StoreError::Conflict(FieldError::new(field, message))
    }

    /// Maps a unique-constraint violation to a conflict on `field`; other errors pass through.
    pub fn unique_as_conflict(self, field: &str, message: &str) -> Self {
        match &self {
            StoreError::Database(sqlx::Error::Database(e)) if e.is_unique_violation() => {
                StoreError::conflict(field, message)
            }
            _ => self,
        }
    }
}
