//! School years ("2025-2026") and their terms (học kỳ).

use chrono::{Datelike, NaiveDate};

/// The school year containing `date`: a year starts on 1 August (preparation before 5 September).
pub fn school_year_of(date: NaiveDate) -> (i32, i32) {
    let start = if date.month() >= 8 {
        date.year()
    } else {
        date.year() - 1
    };
    (start, start + 1)
}

/// The display and storage code of a school year, e.g. `"2025-2026"`.
pub fn school_year_code(start_year: i32) -> String {
    format!("{}-{}", start_year, start_year + 1)
}

/// Parses `"2025-2026"` into its start year, requiring consecutive years.
pub fn parse_school_year_code(code: &str) -> Option<i32> {
    let (a, b) = code.split_once('-')?;
    let (a, b): (i32, i32) = (a.trim().parse().ok()?, b.trim().parse().ok()?);
    (b == a + 1 && (1900..=2400).contains(&a)).then_some(a)
}

/// The default calendar of a school year: two terms (HK1 from 5 Sep, HK2 from mid January).
pub fn default_terms(start_year: i32) -> [(&'static str, &'static str, NaiveDate, NaiveDate); 2] {
    let d = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).expect("valid fixed date");
    [
        (
            "HK1",
            "Học kỳ I",
            d(start_year, 9, 5),
            d(start_year + 1, 1, 17),
        ),
        (
            "HK2",
            "Học kỳ II",
            d(start_year + 1, 1, 19),
            d(start_year + 1, 5, 31),
        ),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn school_year_turns_in_august() {
        let d = |y, m| NaiveDate::from_ymd_opt(y, m, 1).unwrap();
        assert_eq!(school_year_of(d(2025, 7)), (2024, 2025));
        assert_eq!(school_year_of(d(2025, 8)), (2025, 2026));
        assert_eq!(parse_school_year_code("2025-2026"), Some(2025));
        assert_eq!(parse_school_year_code("2025-2027"), None);
    }
}
