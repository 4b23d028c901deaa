//! The one error type of the HTTP layer, rendered as `application/problem+json` (RFC 9457) with a
//! Vietnamese message and the fields at fault. Pages render their own error pages from it.

use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use truongso_domain::FieldError;
use truongso_store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The request itself is malformed (unparsable JSON, a bad query parameter).
    #[error("{}", .0.message)]
    BadRequest(FieldError),
    #[error("không tìm thấy")]
    NotFound,
    /// No valid sign-in came with the request.
    #[error("Cần đăng nhập để dùng chức năng này.")]
    Unauthorized,
    /// Signed in, but the role does not allow this.
    #[error("{0}")]
    Forbidden(String),
    /// Too many attempts; try again after this many seconds.
    #[error("Thử quá nhiều lần. Vui lòng thử lại sau {} phút.", .0.div_ceil(60))]
    TooManyRequests(u64),
    /// A failure of ours outside the database (writing a file); logged, never shown.
    #[error("lỗi nội bộ: {0}")]
    Internal(String),
}

/// The problem+json body.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Problem {
    #[serde(rename = "type")]
    pub kind: String,
    pub title: String,
    pub status: u16,
    /// What went wrong, in Vietnamese.
    pub detail: String,
    /// The fields at fault, each with its own message.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldError>,
}

impl ApiError {
    pub fn bad_request(field: &str, message: impl Into<String>) -> Self {
        ApiError::BadRequest(FieldError::new(field, message))
    }

    pub fn status(&self) -> StatusCode {
        match self {
            ApiError::Store(StoreError::NotFound { .. }) | ApiError::NotFound => {
                StatusCode::NOT_FOUND
            }
            ApiError::Store(StoreError::Invalid(_)) => StatusCode::UNPROCESSABLE_ENTITY,
            ApiError::Store(StoreError::Conflict(_)) => StatusCode::CONFLICT,
            ApiError::BadRequest(_) => StatusCode::BAD_REQUEST,
            ApiError::Unauthorized => StatusCode::UNAUTHORIZED,
            ApiError::Forbidden(_) => StatusCode::FORBIDDEN,
            ApiError::TooManyRequests(_) => StatusCode::TOO_MANY_REQUESTS,
            ApiError::Store(StoreError::Database(_) | StoreError::Migration(_))
            | ApiError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// The fields at fault, for forms and problem bodies.
    pub fn field_errors(&self) -> Vec<FieldError> {
        match self {
            ApiError::Store(StoreError::Invalid(inv)) => inv.0.clone(),
            ApiError::Store(StoreError::Conflict(e)) | ApiError::BadRequest(e) => vec![e.clone()],
            _ => vec![],
        }
    }

    /// The message shown to the user: never the internals of a database failure.
    pub fn user_message(&self) -> String {
        match self {
            ApiError::Store(StoreError::Database(_) | StoreError::Migration(_))
            | ApiError::Internal(_) => "Lỗi hệ thống, vui lòng thử lại sau.".to_string(),
            ApiError::Store(StoreError::Invalid(_)) => "Dữ liệu không hợp lệ.".to_string(),
            other => other.to_string(),
        }
    }

    /// The message with the fields' own messages when there are some (for pages that show one
    /// line rather than a form).
    pub fn full_message(&self) -> String {
        let fields = self.field_errors();
        if fields.is_empty() {
            self.user_message()
        } else {
            fields
                .into_iter()
                .map(|f| f.message)
                .collect::<Vec<_>>()
                .join(" ")
        }
    }

    pub fn problem(&self) -> Problem {
        let status = self.status();
        Problem {
            kind: "about:blank".to_string(),
            title: status.canonical_reason().unwrap_or("Error").to_string(),
            status: status.as_u16(),
            detail: self.user_message(),
            errors: self.field_errors(),
        }
    }
}

impl ApiError {
    /// The problem answer of a failure of ours, naming the request id found in the log.
    pub fn into_response_with_id(self, request_id: &str) -> Response {
        let mut problem = self.problem();
        problem.detail = format!(
            "{} Mã yêu cầu (báo cho quản trị viên): {request_id}.",
            problem.detail
        );
        let body = serde_json::to_vec(&problem).expect("problem serialises");
        (
            self.status(),
            [(header::CONTENT_TYPE, "application/problem+json")],
            body,
        )
            .into_response()
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        if self.status().is_server_error() {
            tracing::error!(error = %self, "request failed");
        }
        let body = serde_json::to_vec(&self.problem()).expect("problem serialises");
        let mut response = (
            self.status(),
            [(header::CONTENT_TYPE, "application/problem+json")],
            body,
        )
            .into_response();
        let headers = response.headers_mut();
        match self {
            ApiError::Unauthorized => {
                headers.insert(
                    header::WWW_AUTHENTICATE,
                    header::HeaderValue::from_static("Bearer realm=\"truongso\""),
                );
            }
            ApiError::TooManyRequests(secs) => {
                headers.insert(header::RETRY_AFTER, secs.into());
            }
            _ => {}
        }
        response
    }
}

pub type ApiResult<T> = Result<T, ApiError>;
