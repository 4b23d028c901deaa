//! Staff rows: one staff member of a school or office per row, found again by personal ID (or
//! name and birth date) in the same unit.

use super::learners::{required_code, required_date, required_ethnicity};
use super::parse_phone;
use super::{CellError, RowView, header_key, parse_personal_id};
use crate::codes::Gender;
use crate::staff::{EmploymentType, Qualification, StaffInput, StaffPosition};
use crate::tabular::Cell;
use crate::{FieldError, Invalid};

#[derive(Debug, Clone, PartialEq)]
pub struct StaffRow {
    pub unit_code: Option<String>,
    pub input: StaffInput,
}

pub fn parse_row(row: &RowView) -> Result<StaffRow, Vec<CellError>> {
    let mut errors = Vec::new();
    let full_name = row.text("full_name");
    if full_name.is_none() {
        errors.push(CellError::at("full_name", "Không được để trống."));
    }
    let birth_date = required_date(row, "birth_date", &mut errors);
    let gender = required_code::<Gender>(row, "gender", &mut errors);
    let ethnicity_code = required_ethnicity(row, "ethnicity", &mut errors);
    let position = required_code::<StaffPosition>(row, "position", &mut errors);
    let qualification = required_code::<Qualification>(row, "qualification", &mut errors);
    let employment_type = required_code::<EmploymentType>(row, "employment_type", &mut errors);
    let national_id = parse_personal_id(row.cell("national_id"))
        .map_err(|m| errors.push(CellError::at("national_id", m)))
        .ok()
        .flatten();
    let subjects = match row.text("subjects") {
        None => vec![],
        Some(t) => parse_subjects(&t).unwrap_or_else(|m| {
            errors.push(CellError::at("subjects", m));
            vec![]
        }),
    };
    if !errors.is_empty() {
        return Err(errors);
    }
    Ok(StaffRow {
        unit_code: row.text("unit_code"),
        input: StaffInput {
            national_id,
            full_name: full_name.expect("checked"),
            birth_date: birth_date.expect("checked"),
            gender: gender.expect("checked"),
            ethnicity_code: ethnicity_code.expect("checked"),
            position: position.expect("checked"),
            qualification: qualification.expect("checked"),
            employment_type: employment_type.expect("checked"),
            subjects,
            phone: parse_phone(row.cell("phone")),
            email: row.text("email").map(|e| e.to_lowercase()),
        },
    })
}

/// Subjects by code or name, separated by commas, semicolons, slashes or bars
/// ("toan|tin_hoc", "Toán, Tin học").
pub fn parse_subjects(text: &str) -> Result<Vec<String>, String> {
    let mut out: Vec<String> = Vec::new();
    for part in text
        .split([',', ';', '|', '/'])
        .map(str::trim)
        .filter(|p| !p.is_empty())
    {
        let key = header_key(part);
        let found = crate::subjects::subjects().iter().find(|s| {
            header_key(s.code) == key
                || header_key(s.name_vi) == key
                || header_key(s.name_en) == key
        });
        match found {
            Some(s) if !out.iter().any(|c| c == s.code) => out.push(s.code.to_string()),
            Some(_) => {}
            None => {
                return Err(format!(
                    "Môn '{part}' không có trong chương trình GDPT 2018."
                ));
            }
        }
    }
    Ok(out)
}

impl StaffRow {
    /// The stored profile updated by the row; blank optional cells keep what is stored.
    pub fn apply_to(&self, stored: &StaffInput) -> StaffInput {
        let keep = |new: &Option<String>, old: &Option<String>| new.clone().or(old.clone());
        StaffInput {
            national_id: keep(&self.input.national_id, &stored.national_id),
            subjects: if self.input.subjects.is_empty() {
                stored.subjects.clone()
            } else {
                self.input.subjects.clone()
            },
            phone: keep(&self.input.phone, &stored.phone),
            email: keep(&self.input.email, &stored.email),
            ..self.input.clone()
        }
    }
}

/// Validation errors of a staff input as errors of the row's cells.
pub fn cell_errors(invalid: Invalid) -> Vec<CellError> {
    invalid
        .0
        .into_iter()
        .map(|FieldError { field, message }| {
            let column = match field.as_str() {
                "ethnicity_code" => "ethnicity".to_string(),
                f if f.starts_with("subjects") => "subjects".to_string(),
                f => f.to_string(),
            };
            CellError {
                column: Some(column),
                message,
            }
        })
        .collect()
}

/// A stored staff member as a row of the import layout.
pub fn export_cells(input: &StaffInput, unit_code: Option<&str>) -> Vec<Cell> {
    let text = |s: Option<&str>| s.map_or(Cell::Empty, |s| Cell::Text(s.to_string()));
    super::columns(super::ImportKind::Staff)
        .iter()
        .map(|c| match c.key.as_str() {
            "national_id" => text(input.national_id.as_deref()),
            "full_name" => text(Some(&input.full_name)),
            "birth_date" => Cell::Date(input.birth_date),
            "gender" => text(Some(input.gender.label_vi())),
            "ethnicity" => {
                text(crate::reference::ethnicity(&input.ethnicity_code).map(|e| e.name.as_str()))
            }
            "position" => text(Some(input.position.label_vi())),
            "qualification" => text(Some(input.qualification.label_vi())),
            "employment_type" => text(Some(input.employment_type.label_vi())),
            "subjects" if input.subjects.is_empty() => Cell::Empty,
            "subjects" => Cell::Text(input.subjects.join("|")),
            "phone" => text(input.phone.as_deref()),
            "email" => text(input.email.as_deref()),
            "unit_code" => text(unit_code),
            _ => Cell::Empty,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subjects_by_code_or_name() {
        assert_eq!(
            parse_subjects("Toán, tin hoc | TOAN").unwrap(),
            vec!["toan".to_string(), "tin_hoc".to_string()]
        );
        assert!(parse_subjects("Thiên văn").is_err());
    }
}
