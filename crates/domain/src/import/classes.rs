//! Class rows: a class of a school in a school year (current year when the cell is blank), with
//! its homeroom teacher named by personal ID or full name.

use super::{CellError, RowView, parse_school_year};
use crate::tabular::Cell;

#[derive(Debug, Clone, PartialEq)]
pub struct ClassRow {
    pub name: String,
    pub grade: i32,
    pub school_year: Option<i32>,
    /// Personal ID or full name of a staff member of the school.
    pub homeroom: Option<String>,
    pub school_code: Option<String>,
}

pub fn parse_row(row: &RowView) -> Result<ClassRow, Vec<CellError>> {
    let mut errors = Vec::new();
    let name = row.text("name");
    match &name {
        None => errors.push(CellError::at("name", "Không được để trống.")),
        Some(n) if n.chars().count() > 30 => {
            errors.push(CellError::at("name", "Tên lớp quá dài: tối đa 30 ký tự."))
        }
        _ => {}
    }
    let grade = match row.cell("grade") {
        Cell::Number(n) if n.fract() == 0.0 && (0.0..=12.0).contains(n) => Some(*n as i32),
        c if c.is_blank() => {
            errors.push(CellError::at("grade", "Không được để trống."));
            None
        }
        c => match c
            .display()
            .trim()
            .trim_start_matches("Khối ")
            .parse::<i32>()
        {
            Ok(g) if (0..=12).contains(&g) => Some(g),
            _ => {
                errors.push(CellError::at(
                    "grade",
                    format!(
                        "Khối '{}' không hợp lệ: từ 0 (mầm non) đến 12.",
                        c.display()
                    ),
                ));
                None
            }
        },
    };
    let school_year = row.text("school_year").and_then(|t| {
        parse_school_year(&t)
            .map_err(|m| errors.push(CellError::at("school_year", m)))
            .ok()
    });
    if !errors.is_empty() {
        return Err(errors);
    }
    Ok(ClassRow {
        name: name.expect("checked"),
        grade: grade.expect("checked"),
        school_year,
        homeroom: row.text("homeroom"),
        school_code: row.text("school_code"),
    })
}
