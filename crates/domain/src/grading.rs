//! Circular 22/2021/TT-BGDĐT (lower and upper secondary): scores, averages, learning result,
//! year conduct, promotion — see shared/domain/grading.md. Scores are held as integer tenths
//! (7.5 is 75), so averages round exactly as the circular says; binary floating point would get
//! several golden cases wrong.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::codes::code_enum;

/// A score on the 10-point scale with at most one decimal, held as tenths (0..=100).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Score(u16);

impl Score {
    pub const MAX: Score = Score(100);

    pub fn from_tenths(tenths: u16) -> Option<Score> {
        (tenths <= 100).then_some(Score(tenths))
    }

    pub fn tenths(self) -> u16 {
        self.0
    }

    /// Parses "7", "7.5", "7,5" (the Vietnamese decimal comma), "10", "10.0"; refuses more than
    /// one decimal digit, anything outside 0–10 and anything else.
    pub fn parse(s: &str) -> Option<Score> {
        let s = s.trim();
        let (whole, frac) = match s.split_once(['.', ',']) {
            Some((w, f)) => (w, f),
            None => (s, ""),
        };
        if whole.is_empty()
            || whole.len() > 2
            || frac.len() > 1
            || !whole.bytes().all(|b| b.is_ascii_digit())
            || !frac.bytes().all(|b| b.is_ascii_digit())
            || (s.contains(['.', ',']) && frac.is_empty())
        {
            return None;
        }
        let whole: u16 = whole.parse().ok()?;
        let frac: u16 = if frac.is_empty() {
            0
        } else {
            frac.parse().ok()?
        };
        Score::from_tenths(whole * 10 + frac)
    }
}

impl fmt::Display for Score {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}", self.0 / 10, self.0 % 10)
    }
}

impl TryFrom<String> for Score {
    type Error = String;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Score::parse(&s).ok_or_else(|| {
            format!("'{s}' không phải điểm từ 0 đến 10 (tối đa một chữ số thập phân)")
        })
    }
}

impl From<Score> for String {
    fn from(s: Score) -> String {
        s.to_string()
    }
}

code_enum! {
    /// A level of learning or conduct (Tốt / Khá / Đạt / Chưa đạt), best first.
    Level {
        Good => "tot", "Tốt", "Good";
        Fair => "kha", "Khá", "Fair";
        Pass => "dat", "Đạt", "Pass";
        Fail => "chua_dat", "Chưa đạt", "Not yet passed";
    }
}

code_enum! {
    /// The result of a comment-only subject.
    CommentResult {
        Passed => "dat", "Đạt", "Passed";
        NotPassed => "chua_dat", "Chưa đạt", "Not yet passed";
    }
}

impl Level {
    /// Whether this level is at least `other` (Tốt ≥ Khá ≥ Đạt ≥ Chưa đạt).
    pub fn at_least(self, other: Level) -> bool {
        self <= other
    }
}

/// `numerator / denominator` in tenths, rounded half up to one decimal.
fn round_half_up(numerator: u32, denominator: u32) -> Score {
    Score(((2 * numerator + denominator) / (2 * denominator)) as u16)
}

/// Semester average: (Σ regular + 2·mid-term + 3·end-of-term) / (number of regular + 5).
pub fn semester_average(regular: &[Score], midterm: Score, end_of_term: Score) -> Score {
    let sum: u32 = regular.iter().map(|s| u32::from(s.0)).sum::<u32>()
        + 2 * u32::from(midterm.0)
        + 3 * u32::from(end_of_term.0);
    round_half_up(sum, regular.len() as u32 + 5)
}

/// Year average from the rounded semester averages: (I + 2·II) / 3.
pub fn year_average(semester1: Score, semester2: Score) -> Score {
    round_half_up(u32::from(semester1.0) + 2 * u32::from(semester2.0), 3)
}

/// Regular assessments per semester of a scored subject with this many periods a year.
pub fn regular_count(periods_per_year: u32) -> u8 {
    match periods_per_year {
        0..=35 => 2,
        36..=70 => 3,
        _ => 4,
    }
}

/// The learning result of a semester or year from the scored subjects' averages and the
/// comment subjects' results.
pub fn learning_result(scored: &[Score], comments: &[CommentResult]) -> Level {
    let at_least = |t: u16| scored.iter().filter(|s| s.0 >= t).count();
    let all_at_least = |t: u16| scored.iter().all(|s| s.0 >= t);
    let failed_comments = comments
        .iter()
        .filter(|c| **c == CommentResult::NotPassed)
        .count();
    if failed_comments == 0 && all_at_least(65) && at_least(80) >= 6 {
        Level::Good
    } else if failed_comments == 0 && all_at_least(50) && at_least(65) >= 6 {
        Level::Fair
    } else if failed_comments <= 1 && at_least(50) >= 6 && all_at_least(35) {
        Level::Pass
    } else {
        Level::Fail
    }
}

/// The year conduct level from the two semesters' levels.
pub fn conduct_year(semester1: Level, semester2: Level) -> Level {
    use Level::*;
    match (semester2, semester1) {
        (Good, s1) if s1.at_least(Fair) => Good,
        (Good, _) => Fair,
        (Fair, s1) if s1.at_least(Pass) => Fair,
        (Fair, _) => Pass,
        (Pass, Good) => Fair,
        (Pass, _) => Pass,
        (Fail, _) => Fail,
    }
}

/// At most this many absent sessions in a year still allow promotion.
pub const MAX_ABSENCES: u32 = 45;

/// Promotion to the next grade from the year's conduct and learning (after summer training and
/// re-tests) and the absent sessions.
pub fn promoted(conduct: Level, learning: Level, absences: u32) -> bool {
    conduct.at_least(Level::Pass) && learning.at_least(Level::Pass) && absences <= MAX_ABSENCES
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    fn s(x: &str) -> Score {
        Score::parse(x).unwrap()
    }

    #[test]
    fn scores_parse_with_one_decimal_at_most() {
        assert_eq!(s("7.5").tenths(), 75);
        assert_eq!(s("7,5").tenths(), 75);
        assert_eq!(s("10").tenths(), 100);
        assert_eq!(s("0").tenths(), 0);
        for bad in [
            "", "10.1", "11", "7.25", "-1", "7.", ".5", "a", "1e1", "07.5x",
        ] {
            assert_eq!(Score::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn averages_round_half_up_exactly() {
        // (6 + 8 + 7.5 + 2·5 + 3·10) / 8 = 7.6875 → 7.7
        assert_eq!(
            semester_average(&[s("6"), s("8"), s("7.5")], s("5"), s("10")),
            s("7.7")
        );
        // (6.5 + 2·7.0) / 3 = 6.8333 → 6.8; (7.0 + 2·8.5)/3 = 8.0
        assert_eq!(year_average(s("6.5"), s("7.0")), s("6.8"));
        assert_eq!(year_average(s("7.0"), s("8.5")), s("8.0"));
    }

    #[test]
    fn conduct_year_follows_the_table() {
        use Level::*;
        assert_eq!(conduct_year(Fair, Good), Good);
        assert_eq!(conduct_year(Pass, Good), Fair);
        assert_eq!(conduct_year(Good, Pass), Fair);
        assert_eq!(conduct_year(Fail, Fair), Pass);
        assert_eq!(conduct_year(Good, Fail), Fail);
    }

    proptest! {
        #[test]
        fn averages_stay_on_the_scale_and_between_their_parts(
            regular in proptest::collection::vec(0u16..=100, 2..=4),
            mid in 0u16..=100,
            end in 0u16..=100,
        ) {
            let regular: Vec<Score> = regular.into_iter().map(Score).collect();
            let avg = semester_average(&regular, Score(mid), Score(end));
            let all: Vec<u16> = regular.iter().map(|s| s.0).chain([mid, end]).collect();
            prop_assert!(avg.0 >= *all.iter().min().unwrap() && avg.0 <= *all.iter().max().unwrap());
            let y = year_average(Score(mid), Score(end));
            prop_assert!(y.0 >= mid.min(end) && y.0 <= mid.max(end));
        }

        #[test]
        fn any_text_parses_to_a_score_or_none(text in "\\PC{0,8}") {
            if let Some(sc) = Score::parse(&text) {
                prop_assert!(sc.tenths() <= 100);
                prop_assert_eq!(Score::parse(&sc.to_string()), Some(sc));
            }
        }
    }
}

/// Circular 27/2020/TT-BGDĐT (primary): ratings and the end-of-year result.
pub mod primary {
    use crate::codes::code_enum;

    code_enum! {
        /// The rating of a subject or activity.
        SubjectRating {
            Excellent => "htt", "Hoàn thành tốt", "Completed well";
            Completed => "ht", "Hoàn thành", "Completed";
            NotCompleted => "cht", "Chưa hoàn thành", "Not completed";
        }
    }

    code_enum! {
        /// The rating of a quality (phẩm chất) or competence (năng lực).
        TraitRating {
            Good => "tot", "Tốt", "Good";
            Satisfactory => "dat", "Đạt", "Satisfactory";
            NeedsEffort => "can_co_gang", "Cần cố gắng", "Needs effort";
        }
    }

    code_enum! {
        /// The end-of-year result of a primary learner.
        YearResult {
            Outstanding => "htxs", "Hoàn thành xuất sắc", "Completed with distinction";
            Good => "htt", "Hoàn thành tốt", "Completed well";
            Completed => "ht", "Hoàn thành", "Completed";
            NotCompleted => "cht", "Chưa hoàn thành", "Not completed";
        }
    }

    /// A periodic test score: a whole number from 1 to 10 (no 0 — marked uncertain in
    /// grading.md, so callers validate with [`is_test_score`] and the rule is kept in one place).
    pub fn is_test_score(score: u8) -> bool {
        (1..=10).contains(&score)
    }

    /// The end-of-year result from every subject's rating, every quality's and competence's
    /// rating and every periodic test score of the year.
    pub fn year_result(
        subjects: &[SubjectRating],
        traits: &[TraitRating],
        tests: &[u8],
    ) -> YearResult {
        let all_subjects = |ok: &[SubjectRating]| subjects.iter().all(|s| ok.contains(s));
        let all_traits = |ok: &[TraitRating]| traits.iter().all(|t| ok.contains(t));
        let tests_at_least = |min: u8| tests.iter().all(|t| *t >= min);
        use SubjectRating as S;
        use TraitRating as T;
        if all_subjects(&[S::Excellent]) && all_traits(&[T::Good]) && tests_at_least(9) {
            YearResult::Outstanding
        } else if all_subjects(&[S::Excellent]) && all_traits(&[T::Good]) && tests_at_least(7) {
            YearResult::Good
        } else if all_subjects(&[S::Excellent, S::Completed])
            && all_traits(&[T::Good, T::Satisfactory])
            && tests_at_least(5)
        {
            YearResult::Completed
        } else {
            YearResult::NotCompleted
        }
    }

    #[cfg(test)]
    mod tests {
        use super::*;

        #[test]
        fn year_results() {
            use SubjectRating::*;
            use TraitRating::*;
            assert_eq!(
                year_result(&[Excellent; 8], &[Good; 10], &[9, 10, 9]),
                YearResult::Outstanding
            );
            assert_eq!(
                year_result(&[Excellent; 8], &[Good; 10], &[9, 8, 10]),
                YearResult::Good
            );
            assert_eq!(
                year_result(&[Excellent, Completed], &[Good; 10], &[10, 10]),
                YearResult::Completed
            );
            assert_eq!(
                year_result(&[Excellent; 8], &[Good, Satisfactory], &[10, 10]),
                YearResult::Completed
            );
            assert_eq!(
                year_result(&[Excellent; 8], &[Good; 10], &[10, 4]),
                YearResult::NotCompleted
            );
            assert_eq!(
                year_result(&[NotCompleted], &[Good], &[10]),
                YearResult::NotCompleted
            );
            assert_eq!(
                year_result(&[Excellent], &[NeedsEffort], &[10]),
                YearResult::NotCompleted
            );
            assert!(!is_test_score(0) && is_test_score(10) && !is_test_score(11));
        }
    }
}
