//! Enrolment rows: a learner (by learner code or personal ID) placed in a class of the school,
//! with a status ("Đang học" when blank) from a date.

use chrono::NaiveDate;

use super::learners::optional_code;
use super::{CellError, RowView, parse_date, parse_personal_id, parse_school_year};
use crate::learners::EnrolmentStatus;

#[derive(Debug, Clone, PartialEq)]
pub struct EnrolmentRow {
    pub learner_code: Option<String>,
    pub national_id: Option<String>,
    /// Checked against the learner found, to catch a code typed on the wrong line.
    pub full_name: Option<String>,
    pub class_name: String,
    pub school_year: Option<i32>,
    pub status: EnrolmentStatus,
    pub effective_on: Option<NaiveDate>,
    pub school_code: Option<String>,
}

pub fn parse_row(row: &RowView) -> Result<EnrolmentRow, Vec<CellError>> {
    let mut errors = Vec::new();
    let learner_code = row.text("learner_code").map(|c| c.to_uppercase());
    let national_id = parse_personal_id(row.cell("national_id"))
        .map_err(|m| errors.push(CellError::at("national_id", m)))
        .ok()
        .flatten();
    if learner_code.is_none() && national_id.is_none() && errors.is_empty() {
        errors.push(CellError::row(
            "Cần Mã học sinh hoặc Mã định danh để biết là học sinh nào.",
        ));
    }
    let class_name = row.text("class");
    if class_name.is_none() {
        errors.push(CellError::at("class", "Không được để trống."));
    }
    let school_year = row.text("school_year").and_then(|t| {
        parse_school_year(&t)
            .map_err(|m| errors.push(CellError::at("school_year", m)))
            .ok()
    });
    let status = optional_code::<EnrolmentStatus>(row, "status", &mut errors)
        .unwrap_or(EnrolmentStatus::Studying);
    let effective_on = parse_date(row.cell("effective_on"))
        .map_err(|m| errors.push(CellError::at("effective_on", m)))
        .ok()
        .flatten();
    if !errors.is_empty() {
        return Err(errors);
    }
    Ok(EnrolmentRow {
        learner_code,
        national_id,
        full_name: row.text("full_name"),
        class_name: class_name.expect("checked"),
        school_year,
        status,
        effective_on,
        school_code: row.text("school_code"),
    })
}
