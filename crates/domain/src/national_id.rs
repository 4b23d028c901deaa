//! The 12-digit personal ID (số định danh cá nhân / CCCD): decoding and validation.
//!
//! Digits 1–3: province of birth registration (table in `data/id-province-codes.csv`);
//! digit 4: century and gender (even = male); digits 5–6: year of birth; 7–12: random.
//! See shared/domain/national-id.md. Pure functions: the golden cases test them directly.

use chrono::{Datelike, NaiveDate};
use serde::Serialize;

use crate::codes::Gender;
use crate::reference;

/// The verdict on one ID, matching the golden file's `status` values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum IdStatus {
    Ok,
    Malformed,
    UnknownProvince,
    Mismatch,
}

/// What an ID says, and whether it agrees with the person's recorded birth date and gender.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct IdCheck {
    pub status: IdStatus,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub province_code: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub gender: Option<Gender>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub birth_year: Option<i32>,
}

/// Trims spaces and returns the 12 digits, or `None` when the ID is malformed.
pub fn normalize(id: &str) -> Option<&str> {
    let id = id.trim();
    (id.len() == 12 && id.bytes().all(|b| b.is_ascii_digit())).then_some(id)
}

/// Decodes and checks an ID against the optional recorded birth date and gender.
pub fn check(id: &str, birth_date: Option<NaiveDate>, gender: Option<Gender>) -> IdCheck {
    let Some(id) = normalize(id) else {
        return IdCheck {
            status: IdStatus::Malformed,
            province_code: None,
            gender: None,
            birth_year: None,
        };
    };
    let province = &id[0..3];
    if reference::id_province_name(province).is_none() {
        return IdCheck {
            status: IdStatus::UnknownProvince,
            province_code: Some(province.to_string()),
            gender: None,
            birth_year: None,
        };
    }
    let century_digit = id.as_bytes()[3] - b'0';
    let encoded_gender = if century_digit.is_multiple_of(2) {
        Gender::Male
    } else {
        Gender::Female
    };
    let year_in_century: i32 = id[4..6].parse().expect("two ASCII digits");
    let birth_year = 1900 + 100 * i32::from(century_digit / 2) + year_in_century;
    let year_agrees = birth_date.is_none_or(|d| d.year() == birth_year);
    let gender_agrees = gender.is_none_or(|g| g == encoded_gender);
    IdCheck {
        status: if year_agrees && gender_agrees {
            IdStatus::Ok
        } else {
            IdStatus::Mismatch
        },
        province_code: Some(province.to_string()),
        gender: Some(encoded_gender),
        birth_year: Some(birth_year),
    }
}

/// Composes an ID from its parts (used by the demo generator and in tests). `serial` < 10⁶.
/// Returns `None` for a birth year outside 1900–2399.
pub fn compose(
    province_code: &str,
    birth_year: i32,
    gender: Gender,
    serial: u32,
) -> Option<String> {
    if !(1900..2400).contains(&birth_year) || province_code.len() != 3 || serial >= 1_000_000 {
        return None;
    }
    let century = (birth_year - 1900) / 100;
    let digit = century * 2 + i32::from(gender == Gender::Female);
    Some(format!(
        "{province_code}{digit}{:02}{serial:06}",
        birth_year % 100
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn decodes_century_and_gender() {
        let c = check("079185000001", None, None);
        assert_eq!(c.status, IdStatus::Ok);
        assert_eq!(c.gender, Some(Gender::Female));
        assert_eq!(c.birth_year, Some(1985));
    }

    #[test]
    fn rejects_non_ascii_digits() {
        assert_eq!(
            check("٠٠١٢٠٣٠١٢٣٤٥", None, None).status,
            IdStatus::Malformed
        );
        assert_eq!(check("", None, None).status, IdStatus::Malformed);
    }

    proptest! {
        #[test]
        fn compose_then_check_round_trips(year in 1900i32..2400, female: bool, serial in 0u32..1_000_000) {
            let gender = if female { Gender::Female } else { Gender::Male };
            let id = compose("001", year, gender, serial).unwrap();
            let date = NaiveDate::from_ymd_opt(year, 6, 1).unwrap();
            let c = check(&id, Some(date), Some(gender));
            prop_assert_eq!(c.status, IdStatus::Ok);
            prop_assert_eq!(c.birth_year, Some(year));
        }

        #[test]
        fn never_panics(s in ".{0,20}") {
            let _ = check(&s, None, None);
        }
    }
}
