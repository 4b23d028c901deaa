//! Admission to the first grade of each level (tuyển sinh đầu cấp): the pure rules only — facts in
//! shared/domain/admission.md, golden cases in `golden/admission.json`.
//!
//! - [`grade10`]: assignment by exam score over ranked choices (nguyện vọng): student-proposing
//!   deferred acceptance with per-choice premiums, the city rule (earlier choices first, later ones
//!   only above the NV1 cut-off plus a margin), the HCMC score formula and priority points, the
//!   cut-offs per school and choice, and an explanation for every applicant.
//! - [`zone`]: grades 1 and 6 by admission zone (tuyến) and seats, with a configurable overflow
//!   rule, and the grade-1 entry-age check.
//!
//! Scores are exact hundredths ([`Points`]): exam papers are marked to 0.25, priority points to
//! 0.5, so binary floating point is never used to compare or add them.

pub mod contact;
pub mod grade10;
pub mod settings;
pub mod zone;

use std::fmt;

use serde::{Deserialize, Serialize};
use thiserror::Error;

pub use contact::{
    Channel, Contact, TRACKING_CODES, canonical_tracking_code, nth_tracking_code, tracking_code,
};
pub use grade10::{
    Applicant, Assignment, CutOffs, Grade10Rules, Mechanism, Outcome, Rejection, School, StillTied,
    TieBreak, assign,
};
pub use settings::{AdmissionSettings, CodeLimits, LookupLimits};

/// A score (or premium, or priority points) held exactly as hundredths: 40.5 is 4050.
/// Parsed from "40.5", "40,5" (the Vietnamese decimal comma), "40.25", "40", or a JSON number;
/// more than two decimals is refused rather than rounded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Points(i64);

impl Points {
    pub const ZERO: Points = Points(0);

    pub const fn from_hundredths(h: i64) -> Points {
        Points(h)
    }

    pub const fn hundredths(self) -> i64 {
        self.0
    }

    /// Parses a decimal with at most two fractional digits, optionally negative.
    pub fn parse(text: &str) -> Result<Points, AdmissionError> {
        let bad = || AdmissionError::BadPoints(text.to_string());
        let s = text.trim();
        let (negative, s) = match s.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, s),
        };
        let (whole, frac) = s.split_once(['.', ',']).unwrap_or((s, ""));
        if whole.is_empty()
            || whole.len() > 12
            || frac.len() > 2
            || (s.contains(['.', ',']) && frac.is_empty())
            || !whole.bytes().all(|b| b.is_ascii_digit())
            || !frac.bytes().all(|b| b.is_ascii_digit())
        {
            return Err(bad());
        }
        let whole: i64 = whole.parse().map_err(|_| bad())?;
        let frac: i64 = match frac.len() {
            0 => 0,
            1 => frac.parse::<i64>().map_err(|_| bad())? * 10,
            _ => frac.parse().map_err(|_| bad())?,
        };
        let value = whole * 100 + frac;
        Ok(Points(if negative { -value } else { value }))
    }

    /// Vietnamese display: decimal comma, "40,5", "40,25", "40".
    pub fn vi(self) -> String {
        self.to_string().replace('.', ",")
    }
}

impl std::ops::Add for Points {
    type Output = Points;
    fn add(self, rhs: Points) -> Points {
        Points(self.0 + rhs.0)
    }
}

impl std::ops::Sub for Points {
    type Output = Points;
    fn sub(self, rhs: Points) -> Points {
        Points(self.0 - rhs.0)
    }
}

impl fmt::Display for Points {
    /// "40.5", "40.25", "40" — the shortest exact form.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sign = if self.0 < 0 { "-" } else { "" };
        let a = self.0.unsigned_abs();
        let (whole, frac) = (a / 100, a % 100);
        match frac {
            0 => write!(f, "{sign}{whole}"),
            f10 if f10 % 10 == 0 => write!(f, "{sign}{whole}.{}", f10 / 10),
            _ => write!(f, "{sign}{whole}.{frac:02}"),
        }
    }
}

impl Serialize for Points {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.to_string())
    }
}

impl<'de> Deserialize<'de> for Points {
    /// From a string or a JSON number. A float is taken by its shortest decimal form (what the
    /// file says, e.g. `40.5`), then parsed exactly; it is never compared or added as a float.
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Points, D::Error> {
        struct V;
        impl serde::de::Visitor<'_> for V {
            type Value = Points;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("một số điểm (tối đa hai chữ số thập phân)")
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Points, E> {
                Points::parse(v).map_err(E::custom)
            }
            fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<Points, E> {
                Points::parse(&v.to_string()).map_err(E::custom)
            }
            fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<Points, E> {
                Points::parse(&v.to_string()).map_err(E::custom)
            }
            fn visit_f64<E: serde::de::Error>(self, v: f64) -> Result<Points, E> {
                if !v.is_finite() {
                    return Err(E::custom(AdmissionError::BadPoints(v.to_string())));
                }
                Points::parse(&v.to_string()).map_err(E::custom)
            }
        }
        deserializer.deserialize_any(V)
    }
}

/// Bad admission input, in Vietnamese (shown to staff who prepared the data).
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum AdmissionError {
    #[error("'{0}' không phải số điểm hợp lệ (tối đa hai chữ số thập phân)")]
    BadPoints(String),
    #[error("mã trường '{0}' bị trùng")]
    DuplicateSchool(String),
    #[error("mã thí sinh '{0}' bị trùng")]
    DuplicateApplicant(String),
    #[error("thí sinh '{applicant}' chọn trường '{school}' không có trong đợt tuyển sinh")]
    UnknownSchool { applicant: String, school: String },
    #[error("thí sinh '{applicant}' chọn trường '{school}' nhiều lần")]
    RepeatedChoice { applicant: String, school: String },
    #[error("thí sinh '{applicant}' đăng ký {count} nguyện vọng, nhiều nhất được {max}")]
    TooManyChoices {
        applicant: String,
        count: usize,
        max: usize,
    },
    #[error(
        "thí sinh '{applicant}' chọn trường '{school}' ở nguyện vọng {choice}, \
         nhưng nguyện vọng này phải là trường thuộc khu vực tuyển sinh nơi cư trú"
    )]
    ChoiceOutsideZone {
        applicant: String,
        school: String,
        choice: usize,
    },
    #[error("thiếu mức cộng điểm cho nguyện vọng {0}")]
    MissingPremium(usize),
    #[error("nhóm ưu tiên {0} không tồn tại (chỉ có nhóm 1, 2, 3)")]
    UnknownPriorityGroup(u8),
    #[error("thiếu điểm bài thi {0}: phải dự thi đủ ba bài")]
    MissingPaper(&'static str),
    #[error("bài thi {0} bị điểm 0: không được xét tuyển")]
    ZeroPaper(&'static str),
    #[error("điểm bài thi {paper} là {score}, phải từ 0 đến 10")]
    PaperOutOfRange { paper: &'static str, score: Points },
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn points_parse_exactly_and_refuse_more_than_two_decimals() {
        assert_eq!(Points::parse("40.5"), Ok(Points(4050)));
        assert_eq!(Points::parse("40,25"), Ok(Points(4025)));
        assert_eq!(Points::parse(" 7 "), Ok(Points(700)));
        assert_eq!(Points::parse("-1.5"), Ok(Points(-150)));
        for bad in ["", "4.", ".5", "1.255", "a", "1e3", "--1"] {
            assert!(Points::parse(bad).is_err(), "{bad}");
        }
        assert_eq!(Points(4050).to_string(), "40.5");
        assert_eq!(Points(4025).vi(), "40,25");
        assert_eq!(Points(-200).to_string(), "-2");
        let p: Points = serde_json::from_str("40.5").unwrap();
        assert_eq!(p, Points(4050));
        let p: Points = serde_json::from_str("\"0.1\"").unwrap();
        assert_eq!(p, Points(10));
        assert!(serde_json::from_str::<Points>("0.125").is_err());
    }
}

#[cfg(test)]
mod grade10_tests;
