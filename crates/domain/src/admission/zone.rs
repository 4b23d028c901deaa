//! Grades 1 and 6 (xét tuyển theo tuyến): each school has an admission zone — the communes,
//! wards or villages the local authority assigns it — and a child living in the zone is
//! entitled to a place. The guardian registers the child at one school.
//!
//! Assignment per school, transparent and reproducible:
//! 1. applicants living in the school's zone first, ordered by the [`Overflow`] rule; those
//!    beyond the seats are *in zone, awaiting placement* (the office must find them a place —
//!    an entitled child is never simply refused);
//! 2. then, if [`OutOfZone::Leftover`], applicants from outside the zone take the seats left,
//!    in the same order; otherwise they are refused.
//!
//! The overflow rule is [check]: admission.md states the entitlement, not what happens when a
//! zone has more children than seats, so it is a setting ([`ZoneRules`]). O(n log n).

use std::collections::{HashMap, HashSet};

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::AdmissionError;

/// How a school orders applicants when they outnumber its seats.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "rule")]
pub enum Overflow {
    /// Priority applicants (e.g. children of martyrs, siblings of pupils — whatever the office
    /// marks) first, then by registration order, then by applicant ID.
    PriorityThenRegistration,
    /// A public lottery: priority applicants first, then by SHA-256 of `"{seed}:{id}"`; anyone can
    /// recompute the order from the published seed.
    Lottery { seed: String },
}

/// What happens to applicants living outside the school's zone.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OutOfZone {
    /// They take the seats left after every in-zone applicant.
    Leftover,
    /// They are refused.
    Refuse,
}

/// The grade-1/6 readings admission.md marks [check], configurable per campaign.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ZoneRules {
    /// [check] Ordering when a school is oversubscribed (default: priority, then registration).
    pub overflow: Overflow,
    /// [check] Applicants from outside the zone (default: leftover seats).
    pub out_of_zone: OutOfZone,
    /// Grade-1 entry age: born in the year the school year starts minus this (6).
    pub entry_age: u8,
    /// [check] How many years older a child may enter grade 1 when the office allows it (children
    /// with disabilities, of ethnic minorities, returning from abroad…); default 3.
    pub late_entry_years: u8,
}

impl Default for ZoneRules {
    fn default() -> Self {
        ZoneRules {
            overflow: Overflow::PriorityThenRegistration,
            out_of_zone: OutOfZone::Leftover,
            entry_age: 6,
            late_entry_years: 3,
        }
    }
}

/// The result of the grade-1 entry-age check.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "status")]
pub enum AgeCheck {
    Ok,
    /// Entering older than the entry age, as allowed.
    LateEntry {
        years: u8,
    },
    TooYoung {
        required_birth_year: i32,
    },
    TooOld {
        required_birth_year: i32,
    },
}

impl AgeCheck {
    pub fn is_ok(self) -> bool {
        matches!(self, AgeCheck::Ok | AgeCheck::LateEntry { .. })
    }

    pub fn message_vi(self) -> String {
        match self {
            AgeCheck::Ok => "Đúng độ tuổi vào lớp 1.".into(),
            AgeCheck::LateEntry { years } => {
                format!("Vào lớp 1 muộn {years} năm (được phép).")
            }
            AgeCheck::TooYoung {
                required_birth_year,
            } => format!("Chưa đủ tuổi vào lớp 1: phải sinh năm {required_birth_year}."),
            AgeCheck::TooOld {
                required_birth_year,
            } => format!(
                "Quá tuổi vào lớp 1: phải sinh năm {required_birth_year} \
                 (hoặc thuộc diện được vào học muộn hơn)."
            ),
        }
    }
}

/// Grade-1 entry age for the school year starting in `school_year_start`: the child must be born
/// in `school_year_start − entry_age`; `may_enter_late` (decided by the office) allows up to
/// `late_entry_years` earlier. Early entry is never allowed.
pub fn grade1_age_check(
    birth_date: NaiveDate,
    school_year_start: i32,
    may_enter_late: bool,
    rules: &ZoneRules,
) -> AgeCheck {
    let required_birth_year = school_year_start - i32::from(rules.entry_age);
    let born = birth_date.year();
    if born > required_birth_year {
        AgeCheck::TooYoung {
            required_birth_year,
        }
    } else if born == required_birth_year {
        AgeCheck::Ok
    } else if may_enter_late && required_birth_year - born <= i32::from(rules.late_entry_years) {
        AgeCheck::LateEntry {
            years: (required_birth_year - born) as u8,
        }
    } else {
        AgeCheck::TooOld {
            required_birth_year,
        }
    }
}

/// A school of a grade-1 or grade-6 campaign: its seats and its zone (area codes).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ZoneSchool {
    pub code: String,
    pub seats: u32,
    pub zone: Vec<String>,
}

/// A registration: the child's residence (area code), the school applied to, and what the
/// overflow rule may look at.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ZoneApplicant {
    pub id: String,
    pub residence: String,
    pub school: String,
    #[serde(default)]
    pub priority: bool,
    /// Registration order (a sequence number or a timestamp); smaller is earlier.
    #[serde(default)]
    pub registered: u64,
}

/// An applicant's outcome.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ZoneStatus {
    Admitted,
    AdmittedOutOfZone,
    /// Lives in the zone but the school is full: the office must place the child.
    AwaitingPlacement,
    /// Lives outside the zone and no seat was left (or out-of-zone applicants are refused).
    Refused,
}

impl ZoneStatus {
    pub fn message_vi(self, school: &str) -> String {
        match self {
            ZoneStatus::Admitted => format!("Trúng tuyển trường {school} (cư trú trong tuyến)."),
            ZoneStatus::AdmittedOutOfZone => format!(
                "Trúng tuyển trường {school} (ngoài tuyến, vào chỗ còn trống sau khi đã nhận \
                 hết học sinh trong tuyến)."
            ),
            ZoneStatus::AwaitingPlacement => format!(
                "Cư trú trong tuyến của trường {school} nhưng trường đã đủ chỉ tiêu theo thứ tự \
                 xét; cơ quan quản lý sẽ bố trí chỗ học."
            ),
            ZoneStatus::Refused => format!(
                "Không trúng tuyển trường {school}: cư trú ngoài tuyến và trường không còn chỗ \
                 (hoặc không nhận học sinh ngoài tuyến)."
            ),
        }
    }
}

/// Assigns each registration (in input order) under `rules`.
pub fn assign_by_zone(
    applicants: &[ZoneApplicant],
    schools: &[ZoneSchool],
    rules: &ZoneRules,
) -> Result<Vec<ZoneStatus>, AdmissionError> {
    let mut index: HashMap<&str, usize> = HashMap::with_capacity(schools.len());
    for (i, s) in schools.iter().enumerate() {
        if index.insert(s.code.as_str(), i).is_some() {
            return Err(AdmissionError::DuplicateSchool(s.code.clone()));
        }
    }
    let zones: Vec<HashSet<&str>> = schools
        .iter()
        .map(|s| s.zone.iter().map(String::as_str).collect())
        .collect();
    let mut seen: HashSet<&str> = HashSet::with_capacity(applicants.len());
    let mut groups: Vec<Vec<usize>> = vec![Vec::new(); schools.len()];
    for (i, a) in applicants.iter().enumerate() {
        if !seen.insert(a.id.as_str()) {
            return Err(AdmissionError::DuplicateApplicant(a.id.clone()));
        }
        let s = *index
            .get(a.school.as_str())
            .ok_or_else(|| AdmissionError::UnknownSchool {
                applicant: a.id.clone(),
                school: a.school.clone(),
            })?;
        groups[s].push(i);
    }
    let lottery: Vec<[u8; 32]> = match &rules.overflow {
        Overflow::Lottery { seed } => applicants
            .iter()
            .map(|a| Sha256::digest(format!("{seed}:{}", a.id)).into())
            .collect(),
        Overflow::PriorityThenRegistration => Vec::new(),
    };
    let mut status = vec![ZoneStatus::Refused; applicants.len()];
    for (s, group) in groups.iter_mut().enumerate() {
        let in_zone = |i: usize| zones[s].contains(applicants[i].residence.as_str());
        group.sort_by(|&x, &y| {
            let (a, b) = (&applicants[x], &applicants[y]);
            in_zone(y)
                .cmp(&in_zone(x))
                .then(b.priority.cmp(&a.priority))
                .then_with(|| match rules.overflow {
                    Overflow::Lottery { .. } => lottery[x].cmp(&lottery[y]),
                    Overflow::PriorityThenRegistration => a.registered.cmp(&b.registered),
                })
                .then_with(|| a.id.cmp(&b.id))
        });
        let mut left = schools[s].seats;
        for &i in group.iter() {
            let zone = in_zone(i);
            status[i] = match (zone, left > 0, rules.out_of_zone) {
                (true, true, _) => ZoneStatus::Admitted,
                (true, false, _) => ZoneStatus::AwaitingPlacement,
                (false, true, OutOfZone::Leftover) => ZoneStatus::AdmittedOutOfZone,
                (false, _, _) => ZoneStatus::Refused,
            };
            if matches!(
                status[i],
                ZoneStatus::Admitted | ZoneStatus::AdmittedOutOfZone
            ) {
                left -= 1;
            }
        }
    }
    Ok(status)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn grade1_entry_age() {
        let r = ZoneRules::default();
        assert_eq!(
            grade1_age_check(d(2020, 12, 31), 2026, false, &r),
            AgeCheck::Ok
        );
        assert_eq!(
            grade1_age_check(d(2020, 1, 1), 2026, false, &r),
            AgeCheck::Ok
        );
        assert_eq!(
            grade1_age_check(d(2021, 1, 1), 2026, true, &r),
            AgeCheck::TooYoung {
                required_birth_year: 2020
            }
        );
        assert_eq!(
            grade1_age_check(d(2019, 5, 1), 2026, false, &r),
            AgeCheck::TooOld {
                required_birth_year: 2020
            }
        );
        assert_eq!(
            grade1_age_check(d(2017, 5, 1), 2026, true, &r),
            AgeCheck::LateEntry { years: 3 }
        );
        assert!(!grade1_age_check(d(2016, 5, 1), 2026, true, &r).is_ok());
        assert!(
            grade1_age_check(d(2016, 5, 1), 2026, true, &r)
                .message_vi()
                .contains("2020")
        );
    }

    fn app(id: &str, residence: &str, school: &str, registered: u64) -> ZoneApplicant {
        ZoneApplicant {
            id: id.into(),
            residence: residence.into(),
            school: school.into(),
            priority: false,
            registered,
        }
    }

    #[test]
    fn in_zone_first_then_leftover_seats() {
        let schools = vec![ZoneSchool {
            code: "TH1".into(),
            seats: 2,
            zone: vec!["X1".into(), "X2".into()],
        }];
        let mut apps = vec![
            app("c", "X9", "TH1", 1),
            app("a", "X1", "TH1", 3),
            app("b", "X2", "TH1", 2),
            app("d", "X1", "TH1", 4),
        ];
        let got = assign_by_zone(&apps, &schools, &ZoneRules::default()).unwrap();
        use ZoneStatus::*;
        assert_eq!(got, vec![Refused, Admitted, Admitted, AwaitingPlacement]);
        // Priority jumps the registration order.
        apps[3].priority = true;
        let got = assign_by_zone(&apps, &schools, &ZoneRules::default()).unwrap();
        assert_eq!(got, vec![Refused, AwaitingPlacement, Admitted, Admitted]);
        // With a free seat the out-of-zone child is admitted; with Refuse not.
        let mut wide = schools.clone();
        wide[0].seats = 4;
        let got = assign_by_zone(&apps, &wide, &ZoneRules::default()).unwrap();
        assert_eq!(got[0], AdmittedOutOfZone);
        let refuse = ZoneRules {
            out_of_zone: OutOfZone::Refuse,
            ..ZoneRules::default()
        };
        assert_eq!(assign_by_zone(&apps, &wide, &refuse).unwrap()[0], Refused);
        assert!(AwaitingPlacement.message_vi("TH1").contains("bố trí"));
    }

    #[test]
    fn the_lottery_is_reproducible_from_its_seed() {
        let schools = vec![ZoneSchool {
            code: "TH1".into(),
            seats: 3,
            zone: vec!["X1".into()],
        }];
        let apps: Vec<ZoneApplicant> = (0..10)
            .map(|i| app(&format!("hs{i}"), "X1", "TH1", i))
            .collect();
        let rules = |seed: &str| ZoneRules {
            overflow: Overflow::Lottery { seed: seed.into() },
            ..ZoneRules::default()
        };
        let one = assign_by_zone(&apps, &schools, &rules("2026")).unwrap();
        assert_eq!(
            one,
            assign_by_zone(&apps, &schools, &rules("2026")).unwrap()
        );
        assert_eq!(
            one.iter().filter(|s| **s == ZoneStatus::Admitted).count(),
            3
        );
    }

    proptest::proptest! {
        /// No school over its seats; an in-zone child never waits while an out-of-zone child
        /// takes a seat at the same school.
        #[test]
        fn seats_and_zone_precedence(
            seats in proptest::collection::vec(0u32..4, 1..4),
            apps in proptest::collection::vec((0usize..4, 0usize..3, proptest::bool::ANY, 0u64..5), 0..12),
            lottery in proptest::bool::ANY,
        ) {
            let schools: Vec<ZoneSchool> = seats
                .iter()
                .enumerate()
                .map(|(i, &s)| ZoneSchool { code: format!("T{i}"), seats: s, zone: vec![format!("X{i}")] })
                .collect();
            let apps: Vec<ZoneApplicant> = apps
                .into_iter()
                .enumerate()
                .map(|(i, (home, s, priority, registered))| ZoneApplicant {
                    id: format!("hs{i}"),
                    residence: format!("X{home}"),
                    school: format!("T{}", s % schools.len()),
                    priority,
                    registered,
                })
                .collect();
            let rules = ZoneRules {
                overflow: if lottery { Overflow::Lottery { seed: "s".into() } } else { Overflow::PriorityThenRegistration },
                ..ZoneRules::default()
            };
            let got = assign_by_zone(&apps, &schools, &rules).unwrap();
            for s in &schools {
                let at = |st: ZoneStatus| apps.iter().zip(&got).filter(|(a, g)| a.school == s.code && **g == st).count();
                proptest::prop_assert!(at(ZoneStatus::Admitted) + at(ZoneStatus::AdmittedOutOfZone) <= s.seats as usize);
                proptest::prop_assert!(at(ZoneStatus::AwaitingPlacement) == 0 || at(ZoneStatus::AdmittedOutOfZone) == 0);
            }
        }
    }

    #[test]
    fn bad_input_is_a_typed_error() {
        let schools = vec![ZoneSchool {
            code: "TH1".into(),
            seats: 1,
            zone: vec![],
        }];
        let err = assign_by_zone(&[app("a", "X", "TH9", 0)], &schools, &ZoneRules::default());
        assert_eq!(
            err,
            Err(AdmissionError::UnknownSchool {
                applicant: "a".into(),
                school: "TH9".into()
            })
        );
        assert!(err.unwrap_err().to_string().contains("không có trong"));
        let dup = [app("a", "X", "TH1", 0), app("a", "X", "TH1", 1)];
        assert_eq!(
            assign_by_zone(&dup, &schools, &ZoneRules::default()),
            Err(AdmissionError::DuplicateApplicant("a".into()))
        );
    }
}
