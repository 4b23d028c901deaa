//! Grade-10 applicants for admission benchmarks and demos (`truongso seed --applicants N`):
//! realistic Vietnamese names, 12-digit national IDs, birth dates in the entry year's cohort,
//! three exam papers in steps of 0.25, a few priority groups, one to three ranked choices
//! skewed towards popular schools. Applicant `i` is a pure function of (seed, i).

use chrono::NaiveDate;
use rand::RngExt;
use truongso_domain::codes::Gender;
use truongso_domain::national_id;

use crate::names::{NameStyle, child_name};
use crate::rng::{Stream, chance, rng_for, uniform};

/// One generated applicant. Scores are hundredths (multiples of 25); `None` is an absent paper.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GenApplicant {
    pub full_name: String,
    pub gender: Gender,
    pub birth_date: NaiveDate,
    pub national_id: String,
    pub priority_group: Option<u8>,
    pub score_math: Option<i32>,
    pub score_literature: Option<i32>,
    pub score_language: Option<i32>,
    /// Indexes into the campaign's schools, NV1 first, distinct.
    pub choices: Vec<usize>,
}

/// Birth-registration provinces the IDs cycle through (a million serials each).
const PROVINCES: [&str; 4] = ["051", "062", "048", "049"];

/// Applicant `index` of a campaign whose school year starts in `school_year_start`, choosing
/// among `schools` schools ranked by popularity (school 0 the most sought after).
pub fn grade10_applicant(
    seed: u64,
    index: u64,
    school_year_start: i32,
    schools: usize,
) -> GenApplicant {
    // Offset from the demo campaigns' applicants, which draw from the same stream.
    let mut rng = rng_for(seed ^ 0xBE7C_4A11, Stream::Admission, index);
    let gender = if chance(&mut rng, 0.51) {
        Gender::Male
    } else {
        Gender::Female
    };
    let full_name = child_name(&mut rng, NameStyle::Kinh, gender).full;
    let birth_year = school_year_start - 15;
    let birth_date =
        NaiveDate::from_yo_opt(birth_year, rng.random_range(1..=365)).expect("a day of the year");
    // A bijection of 0..10⁶ (7919 is prime to 10⁶): unique serials, random-looking.
    let serial = ((index % 1_000_000) * 7919 + 104_729) % 1_000_000;
    let province = PROVINCES[(index / 1_000_000) as usize % PROVINCES.len()];
    let national_id =
        national_id::compose(province, birth_year, gender, serial as u32).expect("valid parts");
    // Ability shared by the papers, plus each paper's own spread; papers are marked to 0.25.
    let ability = normal(&mut rng);
    let mut paper = |mean: f64, spread: f64| -> Option<i32> {
        if chance(&mut rng, 0.002) {
            return None;
        }
        let x = (mean + spread * ability + 0.9 * normal(&mut rng)).clamp(0.0, 10.0);
        Some(((x * 4.0).round() as i32) * 25)
    };
    let score_math = paper(6.2, 1.6);
    let score_literature = paper(6.6, 1.1);
    let score_language = paper(5.9, 1.7);
    let priority_group = if chance(&mut rng, 0.04) {
        Some(rng.random_range(1..=3))
    } else {
        None
    };
    let wanted = match rng.random_range(0..100) {
        0..15 => 1,
        15..40 => 2,
        _ => 3,
    }
    .min(schools);
    let mut choices = Vec::with_capacity(wanted);
    // Stronger applicants aim higher: popularity weights 1/(rank + k), k smaller for them.
    let k = if ability > 0.5 { 2.0 } else { 6.0 };
    while choices.len() < wanted {
        let total: f64 = (0..schools)
            .filter(|s| !choices.contains(s))
            .map(|s| 1.0 / (s as f64 + k))
            .sum();
        let mut r = uniform(&mut rng, 0.0, total);
        let pick = (0..schools)
            .filter(|s| !choices.contains(s))
            .find(|s| {
                r -= 1.0 / (*s as f64 + k);
                r <= 0.0
            })
            .unwrap_or_else(|| {
                (0..schools)
                    .rev()
                    .find(|s| !choices.contains(s))
                    .expect("a school left")
            });
        choices.push(pick);
    }
    GenApplicant {
        full_name,
        gender,
        birth_date,
        national_id,
        priority_group,
        score_math,
        score_literature,
        score_language,
        choices,
    }
}

/// A standard normal draw (Box–Muller).
fn normal<R: rand::Rng + ?Sized>(rng: &mut R) -> f64 {
    let u1 = uniform(rng, f64::EPSILON, 1.0);
    let u2 = uniform(rng, 0.0, 1.0);
    (-2.0 * u1.ln()).sqrt() * (2.0 * std::f64::consts::PI * u2).cos()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn applicants_are_valid_and_distinct() {
        let mut ids = std::collections::HashSet::new();
        for i in 0..2000 {
            let a = grade10_applicant(7, i, 2025, 12);
            assert_eq!(a.birth_date.format("%Y").to_string(), "2010");
            let check = national_id::check(&a.national_id, Some(a.birth_date), Some(a.gender));
            assert_eq!(check.status, national_id::IdStatus::Ok, "{}", a.national_id);
            assert!(ids.insert(a.national_id.clone()));
            assert!((1..=3).contains(&a.choices.len()));
            for s in [a.score_math, a.score_literature, a.score_language]
                .into_iter()
                .flatten()
            {
                assert!((0..=1000).contains(&s) && s % 25 == 0);
            }
        }
        assert_eq!(
            grade10_applicant(7, 5, 2025, 12),
            grade10_applicant(7, 5, 2025, 12)
        );
    }
}
