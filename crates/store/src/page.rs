//! Pagination and sorting shared by every list.

use serde::{Deserialize, Deserializer, Serialize};
use truongso_domain::{FieldError, Invalid};

use crate::StoreError;

pub const MAX_PER_PAGE: u64 = 500;
pub const DEFAULT_PER_PAGE: u64 = 50;
/// The last page number a list accepts: more than any list holds at one item per page, and far
/// below the offsets a database can take.
pub const MAX_PAGE: u64 = 10_000_000;

/// Which page of a list to return, and in which order. `sort` names a field the list allows
/// (each list declares its own); a leading `-` sorts descending.
#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams, utoipa::ToSchema)]
#[into_params(parameter_in = Query)]
pub struct PageRequest {
    /// 1-based page number (default 1).
    #[serde(default, deserialize_with = "any_integer")]
    #[param(minimum = 1, maximum = 10_000_000)]
    #[schema(minimum = 1, maximum = 10_000_000)]
    pub page: Option<u64>,
    /// Items per page (default 50, at most 500).
    #[serde(default, deserialize_with = "any_integer")]
    #[param(minimum = 1, maximum = 500)]
    #[schema(minimum = 1, maximum = 500)]
    pub per_page: Option<u64>,
    /// Sort field, `-field` for descending.
    pub sort: Option<String>,
}

impl PageRequest {
    pub fn new(page: u64, per_page: u64) -> Self {
        Self {
            page: Some(page),
            per_page: Some(per_page),
            sort: None,
        }
    }

    /// Refuses page numbers and sizes out of range (naming the allowed range), so that a list
    /// never silently shows another page than the one asked for.
    pub fn check(&self) -> Result<(), StoreError> {
        let mut errors = vec![];
        if self.page.is_some_and(|p| !(1..=MAX_PAGE).contains(&p)) {
            errors.push(FieldError::new(
                "page",
                format!(
                    "Số trang phải là số nguyên từ 1 đến {}.",
                    truongso_domain::text::group_digits(MAX_PAGE)
                ),
            ));
        }
        if self
            .per_page
            .is_some_and(|n| !(1..=MAX_PER_PAGE).contains(&n))
        {
            errors.push(FieldError::new(
                "per_page",
                format!("Số mục mỗi trang phải là số nguyên từ 1 đến {MAX_PER_PAGE}."),
            ));
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(StoreError::Invalid(Invalid(errors)))
        }
    }

    pub fn page(&self) -> u64 {
        self.page.unwrap_or(1).clamp(1, MAX_PAGE)
    }

    pub fn per_page(&self) -> u64 {
        self.per_page
            .unwrap_or(DEFAULT_PER_PAGE)
            .clamp(1, MAX_PER_PAGE)
    }

    pub fn offset(&self) -> u64 {
        (self.page() - 1).saturating_mul(self.per_page())
    }

    /// The requested sort as (field, descending), when one of `allowed` is asked for.
    /// An unknown field is an input error (reported by the caller with the allowed list).
    pub fn sort_field<'a>(&self, allowed: &[&'a str]) -> Result<Option<(&'a str, bool)>, String> {
        let Some(raw) = self
            .sort
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
        else {
            return Ok(None);
        };
        let (field, desc) = match raw.strip_prefix('-') {
            Some(f) => (f, true),
            None => (raw, false),
        };
        allowed
            .iter()
            .find(|a| **a == field)
            .map(|a| Some((*a, desc)))
            .ok_or_else(|| {
                format!(
                    "Không sắp xếp được theo '{field}'; cho phép: {}.",
                    allowed.join(", ")
                )
            })
    }
}

/// Reads a page number of any size, so that an out-of-range one is refused with the allowed
/// range (by [`PageRequest::check`]) rather than as unreadable: below 0 reads as 0, beyond
/// `u64` as `u64::MAX`. Anything but an integer is a parse error.
fn any_integer<'de, D: Deserializer<'de>>(d: D) -> Result<Option<u64>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Raw {
        Number(i128),
        Text(String),
    }
    let Some(raw) = Option::<Raw>::deserialize(d)? else {
        return Ok(None);
    };
    let text = match raw {
        Raw::Number(n) => n.to_string(),
        Raw::Text(t) => t.trim().to_string(),
    };
    let (negative, digits) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text.strip_prefix('+').unwrap_or(&text)),
    };
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(serde::de::Error::custom(format!(
            "'{text}' không phải số nguyên"
        )));
    }
    let all_zero = digits.bytes().all(|b| b == b'0');
    Ok(Some(if negative || all_zero {
        0
    } else {
        digits.parse::<u64>().unwrap_or(u64::MAX)
    }))
}

/// One page of a list, with the total so that pages can be numbered.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub total: u64,
    pub page: u64,
    pub per_page: u64,
}

impl<T> Page<T> {
    pub fn pages(&self) -> u64 {
        self.total.div_ceil(self.per_page).max(1)
    }

    pub fn map<U>(self, f: impl FnMut(T) -> U) -> Page<U> {
        Page {
            items: self.items.into_iter().map(f).collect(),
            total: self.total,
            page: self.page,
            per_page: self.per_page,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(query: &str) -> Result<PageRequest, String> {
        serde_urlencoded::from_str(query).map_err(|e| e.to_string())
    }

    #[test]
    fn the_probes_page_numbers_are_refused_with_the_range() {
        for q in [
            "page=9223372036854775807",
            "page=18446744073709551616",
            "page=99999999999999999999999999",
            "page=0",
            "page=-1",
            "per_page=0",
            "per_page=501",
            "per_page=-9223372036854775808",
        ] {
            let page = parse(q).unwrap_or_else(|e| panic!("{q}: {e}"));
            let err = page.check().expect_err(q);
            assert!(err.to_string().contains("từ 1 đến"), "{q}: {err}");
            // Even unchecked, the offset fits a database's signed 64-bit integer.
            assert!(i64::try_from(page.offset()).is_ok(), "{q}");
        }
        assert!(parse("page=abc").is_err());
        assert!(parse("page=1.5").is_err());
        let ok = parse("page=3&per_page=500").unwrap();
        ok.check().unwrap();
        assert_eq!((ok.page(), ok.per_page(), ok.offset()), (3, 500, 1000));
        assert_eq!(parse("").unwrap().offset(), 0);
    }
}
