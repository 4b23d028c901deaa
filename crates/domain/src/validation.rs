//! Validation errors: which field is at fault and why, in Vietnamese (the UI's first language).

use serde::Serialize;

/// One problem with one input field. `message` is Vietnamese, ready to show next to the field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct FieldError {
    pub field: String,
    pub message: String,
}

impl FieldError {
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            message: message.into(),
        }
    }
}

/// A whole input rejected: every field error found, not just the first.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("dữ liệu không hợp lệ: {}", .0.iter().map(|e| format!("{}: {}", e.field, e.message)).collect::<Vec<_>>().join("; "))]
pub struct Invalid(pub Vec<FieldError>);

/// Collects field errors while a whole input is checked, so the user sees all problems at once.
#[derive(Debug, Default)]
pub struct Checker {
    errors: Vec<FieldError>,
}

impl Checker {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn push(&mut self, field: &str, message: impl Into<String>) {
        self.errors.push(FieldError::new(field, message));
    }

    /// Requires a non-blank text of at most `max` characters.
    pub fn required_text(&mut self, field: &str, value: &str, max: usize) {
        if value.trim().is_empty() {
            self.push(field, "Không được để trống.");
        } else {
            self.max_len(field, value, max);
        }
    }

    /// A person's name: required, at most `max` characters, and only letters that Vietnamese or
    /// ethnic-minority names use (a file read in the wrong encoding gives "TrÇn V¨n An").
    pub fn person_name(&mut self, field: &str, value: &str, max: usize) {
        self.required_text(field, value, max);
        if let Some(c) = crate::tabular::legacy::foreign_name_char(value) {
            self.push(
                field,
                format!(
                    "Họ tên có ký tự «{c}» không có trong tên người Việt hay tên dân tộc thiểu số. Nếu tệp được soạn bằng phông chữ cũ (TCVN3/ABC, VNI), hãy lưu lại ở bảng mã Unicode rồi nhập lại."
                ),
            );
        }
    }

    pub fn max_len(&mut self, field: &str, value: &str, max: usize) {
        if value.chars().count() > max {
            self.push(field, format!("Quá dài: tối đa {max} ký tự."));
        }
    }

    pub fn optional_max_len(&mut self, field: &str, value: Option<&str>, max: usize) {
        if let Some(v) = value {
            self.max_len(field, v, max);
        }
    }

    pub fn finish(self) -> Result<(), Invalid> {
        if self.errors.is_empty() {
            Ok(())
        } else {
            Err(Invalid(self.errors))
        }
    }
}
