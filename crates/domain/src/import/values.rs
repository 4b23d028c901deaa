//! Reading one cell as the value its column needs, the way schools fill them in: labels or
//! codes for code lists, dd/mm/yyyy or Excel dates, IDs and phones that Excel turned into numbers.

use chrono::NaiveDate;

use super::header_key;
use crate::codes::CodeList;
use crate::tabular::{Cell, from_excel_serial, parse_date_vn};

/// A date cell: an Excel date, an Excel serial number, or text as dd/mm/yyyy.
pub fn parse_date(cell: &Cell) -> Result<Option<NaiveDate>, String> {
    match cell {
        Cell::Empty => Ok(None),
        Cell::Date(d) => Ok(Some(*d)),
        Cell::Number(n) => from_excel_serial(*n)
            .map(Some)
            .ok_or_else(|| format!("'{}' không phải là ngày.", cell.display())),
        Cell::Text(t) if t.trim().is_empty() => Ok(None),
        _ => parse_date_vn(&cell.display()).map(Some).ok_or_else(|| {
            format!(
                "'{}' không phải ngày hợp lệ; hãy ghi theo dạng ngày/tháng/năm, ví dụ 05/09/2014.",
                cell.display()
            )
        }),
    }
}

/// A value of a code list written as its Vietnamese label, English label or code, in any case,
/// with or without diacritics ("Nữ", "nu", "F").
pub fn parse_code<T: CodeList>(text: &str) -> Option<T> {
    let key = header_key(text);
    T::all().iter().copied().find(|v| {
        header_key(v.label_vi()) == key
            || header_key(v.label_en()) == key
            || header_key(v.code()) == key
    })
}

/// The message for a value that is not in a code list, naming the accepted values.
pub fn not_in_list<T: CodeList>(text: &str) -> String {
    let accepted: Vec<&str> = T::all().iter().map(|v| v.label_vi()).collect();
    format!(
        "'{text}' không có trong danh mục; dùng một trong: {}.",
        accepted.join(", ")
    )
}

/// A personal ID cell. Excel turns "051214000123" typed into a general cell into the number
/// 51214000123: a number of 11 digits gets its leading zero back. An ID shown in scientific
/// notation ("5.12E+10") has lost digits and is refused.
pub fn parse_personal_id(cell: &Cell) -> Result<Option<String>, String> {
    match cell {
        Cell::Empty => Ok(None),
        Cell::Number(n) if n.fract() == 0.0 && *n >= 0.0 && *n < 1e12 => {
            Ok(Some(format!("{:012}", *n as u64)))
        }
        _ => {
            let text = cell.display();
            let t: String = text
                .chars()
                .filter(|c| !matches!(c, ' ' | '.' | '\'' | '-'))
                .collect();
            if t.is_empty() {
                Ok(None)
            } else if t.contains(['E', 'e']) && t.chars().any(|c| c.is_ascii_digit()) {
                Err(format!(
                    "'{text}' là số dạng khoa học, đã mất chữ số; hãy định dạng cột là Văn bản (Text) và nhập lại."
                ))
            } else {
                Ok(Some(t))
            }
        }
    }
}

/// A phone cell. A mobile number typed into a general cell loses its leading zero
/// (912345678): a 9- or 10-digit number gets it back.
pub fn parse_phone(cell: &Cell) -> Option<String> {
    match cell {
        Cell::Empty => None,
        Cell::Number(n) if n.fract() == 0.0 && (1e8..1e10).contains(n) => {
            Some(format!("0{}", *n as u64))
        }
        _ => {
            let t = cell.display();
            let t = t.trim();
            // Stored as digits only (as the forms store them), so a re-import compares equal.
            let separators_only = t
                .chars()
                .all(|c| c.is_ascii_digit() || matches!(c, ' ' | '.' | '-'));
            match t {
                "" => None,
                _ if separators_only => Some(t.chars().filter(char::is_ascii_digit).collect()),
                _ => Some(t.to_string()),
            }
        }
    }
}

/// An ethnicity as its 2-digit code ("01", "1") or its name ("Kinh", "Khmer").
pub fn parse_ethnicity(text: &str) -> Result<String, String> {
    let t = text.trim();
    if !t.is_empty() && t.len() <= 2 && t.chars().all(|c| c.is_ascii_digit()) {
        let code = format!("{:0>2}", t);
        if crate::reference::ethnicity(&code).is_some() {
            return Ok(code);
        }
    }
    crate::reference::ethnicity_by_name(t)
        .map(|e| e.code.clone())
        .ok_or_else(|| format!("'{t}' không có trong danh mục 54 dân tộc."))
}

/// A school year as "2025-2026" (also with spaces, an en dash or a slash).
pub fn parse_school_year(text: &str) -> Result<i32, String> {
    let normalised: String = text
        .chars()
        .filter(|c| !c.is_whitespace())
        .map(|c| {
            if matches!(c, '–' | '—' | '/') {
                '-'
            } else {
                c
            }
        })
        .collect();
    crate::school_year::parse_school_year_code(&normalised)
        .ok_or_else(|| format!("Năm học '{text}' không hợp lệ; ghi dạng 2025-2026."))
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;
    use crate::codes::Gender;

    #[test]
    fn ids_and_phones_that_excel_made_numbers() {
        assert_eq!(
            parse_personal_id(&Cell::Number(51214000123.0)),
            Ok(Some("051214000123".into()))
        );
        assert_eq!(
            parse_personal_id(&Cell::Text(" 051 214 000 123 ".into())),
            Ok(Some("051214000123".into()))
        );
        assert!(parse_personal_id(&Cell::Text("5.12E+10".into())).is_err());
        assert_eq!(
            parse_phone(&Cell::Number(912345678.0)).as_deref(),
            Some("0912345678")
        );
        assert_eq!(
            parse_phone(&Cell::Text("0912 345 678".into())).as_deref(),
            Some("0912345678")
        );
    }

    #[test]
    fn codes_by_label_or_code() {
        assert_eq!(parse_code::<Gender>("Nữ"), Some(Gender::Female));
        assert_eq!(parse_code::<Gender>("nu"), Some(Gender::Female));
        assert_eq!(parse_code::<Gender>("NAM"), Some(Gender::Male));
        assert_eq!(parse_code::<Gender>("F"), Some(Gender::Female));
        assert_eq!(parse_code::<Gender>("x"), None);
        assert_eq!(parse_ethnicity("1"), Ok("01".into()));
        assert_eq!(parse_ethnicity("Kinh"), Ok("01".into()));
        assert!(parse_ethnicity("Kinhh").is_err());
        assert_eq!(parse_school_year("2025 – 2026"), Ok(2025));
        assert!(parse_school_year("2025-2027").is_err());
    }

    #[test]
    fn dates_in_every_form() {
        let d = NaiveDate::from_ymd_opt(2014, 9, 5).unwrap();
        assert_eq!(parse_date(&Cell::Date(d)), Ok(Some(d)));
        assert_eq!(parse_date(&Cell::Number(41887.0)), Ok(Some(d)));
        assert_eq!(parse_date(&Cell::Text("5/9/2014".into())), Ok(Some(d)));
        assert!(parse_date(&Cell::Text("09/31/2014".into())).is_err());
        assert_eq!(parse_date(&Cell::Empty), Ok(None));
    }

    proptest! {
        #[test]
        fn parsers_never_panic(text in "\\PC{0,30}", n in any::<f64>()) {
            let _ = parse_date(&Cell::Text(text.clone()));
            let _ = parse_date(&Cell::Number(n));
            let _ = parse_personal_id(&Cell::Text(text.clone()));
            let _ = parse_personal_id(&Cell::Number(n));
            let _ = parse_phone(&Cell::Number(n));
            let _ = parse_ethnicity(&text);
            let _ = parse_school_year(&text);
            let _ = parse_code::<Gender>(&text);
        }
    }
}
