//! Reference data loaded from CSV files shipped with the binary (`crates/domain/data/`): the 54
//! ethnic groups, the ID province codes, and the administrative units, current (2025, two-tier)
//! and legacy (63 provinces with districts), with the legacy → 2025 ward mapping.
//!
//! The files are facts, not code: update them in place when the official lists change.

use std::collections::HashMap;
use std::sync::LazyLock;

use serde::Deserialize;

use crate::text::fold;

/// One of the 54 ethnic groups, with its 2-digit GSO code.
#[derive(Debug, Clone, Deserialize)]
pub struct Ethnicity {
    pub code: String,
    pub name: String,
}

/// A province of the current (2025) list.
#[derive(Debug, Clone)]
pub struct Province {
    pub code: String,
    pub name: String,
    pub kind: String,
}

/// A commune/ward (xã/phường/đặc khu) of the current (2025) list.
#[derive(Debug, Clone, Deserialize)]
pub struct Ward {
    pub province_code: String,
    pub province_name: String,
    #[serde(rename = "province_type")]
    pub province_kind: String,
    #[serde(rename = "ward_code")]
    pub code: String,
    #[serde(rename = "ward_name")]
    pub name: String,
    #[serde(rename = "ward_type")]
    pub kind: String,
    pub lat: Option<f64>,
    pub lon: Option<f64>,
}

/// A ward of the legacy (pre-July-2025) list, with its district.
#[derive(Debug, Clone, Deserialize)]
pub struct LegacyWard {
    pub province_code: String,
    pub province_name: String,
    pub district_code: String,
    pub district_name: String,
    #[serde(rename = "ward_code")]
    pub code: String,
    #[serde(rename = "ward_name")]
    pub name: String,
    #[serde(rename = "ward_type")]
    pub kind: String,
    pub lat: Option<f64>,
    pub lon: Option<f64>,
}

/// Which current ward a legacy ward became (`whole`, `part`, `default part`).
#[derive(Debug, Clone, Deserialize)]
pub struct WardSuccession {
    pub legacy_ward_code: String,
    pub ward_code_2025: String,
    pub kind: String,
}

pub(crate) fn parse<T: for<'de> Deserialize<'de>>(name: &str, text: &str) -> Vec<T> {
    csv::Reader::from_reader(text.as_bytes())
        .deserialize()
        .collect::<Result<Vec<T>, _>>()
        .unwrap_or_else(|e| panic!("shipped reference file {name} is invalid: {e}"))
}

static ETHNICITIES: LazyLock<Vec<Ethnicity>> =
    LazyLock::new(|| parse("ethnicities.csv", include_str!("../data/ethnicities.csv")));

static ID_PROVINCES: LazyLock<HashMap<String, String>> = LazyLock::new(|| {
    #[derive(Deserialize)]
    struct Row {
        code: String,
        name: String,
    }
    parse::<Row>(
        "id-province-codes.csv",
        include_str!("../data/id-province-codes.csv"),
    )
    .into_iter()
    .map(|r| (r.code, r.name))
    .collect()
});

static WARDS: LazyLock<Vec<Ward>> = LazyLock::new(|| {
    parse(
        "admin-units-2025.csv",
        include_str!("../data/admin-units-2025.csv"),
    )
});

static WARD_INDEX: LazyLock<HashMap<&'static str, usize>> = LazyLock::new(|| {
    WARDS
        .iter()
        .enumerate()
        .map(|(i, w)| (w.code.as_str(), i))
        .collect()
});

static LEGACY_WARDS: LazyLock<Vec<LegacyWard>> = LazyLock::new(|| {
    parse(
        "admin-units-legacy.csv",
        include_str!("../data/admin-units-legacy.csv"),
    )
});

static SUCCESSIONS: LazyLock<Vec<WardSuccession>> = LazyLock::new(|| {
    parse(
        "admin-units-2025-from-legacy.csv",
        include_str!("../data/admin-units-2025-from-legacy.csv"),
    )
});

pub fn ethnicities() -> &'static [Ethnicity] {
    &ETHNICITIES
}

/// The ethnic group with this 2-digit code.
pub fn ethnicity(code: &str) -> Option<&'static Ethnicity> {
    ETHNICITIES.iter().find(|e| e.code == code)
}

/// Finds an ethnic group by name, accepting common spelling variants
/// ("Khmer" for "Khơ-me", "HMông" for "Mông", any case, with or without diacritics or hyphens).
pub fn ethnicity_by_name(name: &str) -> Option<&'static Ethnicity> {
    let key = ethnic_key(name);
    let key = match key.as_str() {
        "khmer" => "khome".to_string(),
        "hmong" | "hmông" => "mong".to_string(),
        "muong" => "muong".to_string(),
        _ => key,
    };
    ETHNICITIES.iter().find(|e| ethnic_key(&e.name) == key)
}

fn ethnic_key(name: &str) -> String {
    fold(name)
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .collect()
}

/// The legacy province name for a national-ID province code ("001" → "Hà Nội").
pub fn id_province_name(code: &str) -> Option<&'static str> {
    ID_PROVINCES.get(code).map(String::as_str)
}

/// All ID province codes, sorted.
pub fn id_province_codes() -> Vec<&'static str> {
    let mut codes: Vec<&str> = ID_PROVINCES.keys().map(String::as_str).collect();
    codes.sort_unstable();
    codes
}

/// The 34 provinces of the current list, in file order.
pub fn provinces_2025() -> Vec<Province> {
    let mut seen = std::collections::HashSet::new();
    WARDS
        .iter()
        .filter(|w| seen.insert(w.province_code.as_str()))
        .map(|w| Province {
            code: w.province_code.clone(),
            name: w.province_name.clone(),
            kind: w.province_kind.clone(),
        })
        .collect()
}

pub fn wards_2025() -> &'static [Ward] {
    &WARDS
}

/// A current ward by its 5-digit code.
pub fn ward_2025(code: &str) -> Option<&'static Ward> {
    WARD_INDEX.get(code).map(|&i| &WARDS[i])
}

pub fn legacy_wards() -> &'static [LegacyWard] {
    &LEGACY_WARDS
}

pub fn ward_successions() -> &'static [WardSuccession] {
    &SUCCESSIONS
}
