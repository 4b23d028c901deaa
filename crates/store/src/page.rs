//! Pagination and sorting shared by every list.

use serde::{Deserialize, Serialize};

pub const MAX_PER_PAGE: u64 = 500;
pub const DEFAULT_PER_PAGE: u64 = 50;

/// Which page of a list to return, and in which order. `sort` names a field the list allows
/// (each list declares its own); a leading `-` sorts descending.
#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams, utoipa::ToSchema)]
#[into_params(parameter_in = Query)]
pub struct PageRequest {
    /// 1-based page number (default 1).
    pub page: Option<u64>,
    /// Items per page (default 50, at most 500).
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

    pub fn page(&self) -> u64 {
        self.page.unwrap_or(1).max(1)
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
