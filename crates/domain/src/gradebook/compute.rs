//! From a learner's gradebook rows to their results: subject averages, the learning and conduct
//! results of each semester and the year, awards and the end-of-year outcome (promotion,
//! re-test, summer conduct training, repeating the grade) — Circular 22/2021 in grades 6–12,
//! Circular 27/2020 in grades 1–5. Pure functions over exact tenths ([`crate::grading`]).
//!
//! A result is `None` until every value it needs has been entered: an incomplete gradebook is
//! reported as pending (with what is missing), never classified from partial marks.

use serde::{Deserialize, Serialize};

use super::{Item, Slot, Term, Values};
use crate::codes::code_enum;
use crate::grading::primary::{self, SubjectRating, TraitRating, YearResult};
use crate::grading::{
    CommentResult, Level, Score, learning_result, semester_average, year_average,
};
use crate::subjects::Assessment;

code_enum! {
    /// The award (khen thưởng) of the year, Circular 22/2021.
    Award {
        Excellent => "xuat_sac", "Học sinh Xuất sắc", "Outstanding learner";
        Good => "gioi", "Học sinh Giỏi", "Excellent learner";
    }
}

code_enum! {
    /// What happens to the learner after the year.
    Outcome {
        Promoted => "len_lop", "Được lên lớp", "Promoted";
        Retest => "kiem_tra_lai", "Kiểm tra lại", "Re-test";
        SummerTraining => "ren_luyen_he", "Rèn luyện trong hè", "Summer conduct training";
        Repeat => "o_lai_lop", "Ở lại lớp", "Repeats the grade";
    }
}

/// The rules that grading.md marks uncertain (`[check]`), configurable per installation.
/// The defaults are the reading written in grading.md.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct GradingRules {
    /// Year conduct by (semester II, semester I): `conduct_year[ii][i]`, levels in the order
    /// Tốt, Khá, Đạt, Chưa đạt.
    pub conduct_year: [[Level; 4]; 4],
    /// Scored subjects with a year average below this are re-tested (tenths: 50 = 5.0).
    pub retest_below_tenths: u16,
    /// Comment subjects at Chưa đạt are re-tested.
    pub retest_failed_comments: bool,
    /// Most absent sessions in a year that still allow promotion.
    pub max_absences: u32,
}

impl Default for GradingRules {
    fn default() -> Self {
        let mut table = [[Level::Fail; 4]; 4];
        for (ii, s2) in Level::ALL.iter().enumerate() {
            for (i, s1) in Level::ALL.iter().enumerate() {
                table[ii][i] = crate::grading::conduct_year(*s1, *s2);
            }
        }
        GradingRules {
            conduct_year: table,
            retest_below_tenths: 50,
            retest_failed_comments: true,
            max_absences: crate::grading::MAX_ABSENCES,
        }
    }
}

impl GradingRules {
    pub fn conduct_year(&self, semester1: Level, semester2: Level) -> Level {
        self.conduct_year[level_index(semester2)][level_index(semester1)]
    }
}

fn level_index(l: Level) -> usize {
    Level::ALL.iter().position(|x| *x == l).unwrap_or(3)
}

/// One stored row of a learner.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    pub item: Item,
    pub term: Term,
    pub values: Values,
}

/// A subject the learner's class records, with its number of regular assessments.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PlannedSubject {
    pub item: Item,
    pub regular: u8,
}

/// The result of one subject in one term (or the year).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "value", rename_all = "snake_case")]
pub enum SubjectResult {
    Score(Score),
    Comment(CommentResult),
    Rating(SubjectRating),
}

impl SubjectResult {
    /// Short text for tables: "7.5", "Đ", "HTT".
    pub fn display(self) -> String {
        match self {
            SubjectResult::Score(s) => s.to_string(),
            SubjectResult::Comment(CommentResult::Passed) => "Đ".into(),
            SubjectResult::Comment(CommentResult::NotPassed) => "CĐ".into(),
            SubjectResult::Rating(r) => r.code().to_uppercase(),
        }
    }
}

/// A subject's results over the year.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SubjectYear {
    pub subject: &'static str,
    pub first: Option<SubjectResult>,
    pub second: Option<SubjectResult>,
    /// Before any re-test.
    pub year: Option<SubjectResult>,
    /// The summer re-test (or, in primary, the summer re-assessment), when taken.
    pub retest: Option<SubjectResult>,
}

impl SubjectYear {
    /// The year result that counts: the re-test's when there was one.
    pub fn final_result(&self) -> Option<SubjectResult> {
        self.retest.or(self.year)
    }
}

/// A learner's classification for one semester.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TermSummary {
    pub learning: Option<Level>,
    pub conduct: Option<Level>,
    pub absences: u32,
}

/// Everything decided about a learner's year (stored as JSON with the year result, read back
/// for the transcript).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct YearSummary {
    pub subjects: Vec<SubjectYear>,
    pub first: TermSummary,
    pub second: TermSummary,
    /// Year learning and conduct before re-tests and summer training.
    pub learning: Option<Level>,
    pub conduct: Option<Level>,
    /// After re-tests and summer training (equal to the above when there were none).
    pub final_learning: Option<Level>,
    pub final_conduct: Option<Level>,
    pub absences: u32,
    pub award: Option<Award>,
    /// Primary: the Circular 27 end-of-year result.
    pub primary_result: Option<YearResult>,
    /// `None` while the year is not complete (see `missing`).
    pub outcome: Option<Outcome>,
    /// Subjects to re-test (outcome Retest).
    #[serde(deserialize_with = "super::transcript::static_codes")]
    pub retest_subjects: Vec<&'static str>,
    /// What still has to be entered before the year can be decided, for the homeroom summary.
    pub missing: Vec<String>,
}

/// Classifies a learner's year from their rows. `subjects` are the subjects the class records.
pub fn learner_year(
    grade: u8,
    subjects: &[PlannedSubject],
    rows: &[Row],
    rules: &GradingRules,
) -> YearSummary {
    let find = |item: Item, term: Term| {
        rows.iter()
            .find(|r| r.item == item && r.term == term)
            .map(|r| &r.values)
    };
    let mut missing = Vec::new();
    let subject_years: Vec<SubjectYear> = subjects
        .iter()
        .map(|p| {
            let first = find(p.item, Term::First).and_then(|v| subject_term(grade, *p, v));
            let second = find(p.item, Term::Second).and_then(|v| subject_term(grade, *p, v));
            let year = subject_year(first, second);
            let retest = find(p.item, Term::Summer).and_then(|v| subject_summer(grade, *p, v));
            for (term, r) in [(Term::First, first), (Term::Second, second)] {
                if r.is_none() {
                    missing.push(format!("{} ({})", p.item.name_vi(), term.label_vi()));
                }
            }
            SubjectYear {
                subject: p.item.code(),
                first,
                second,
                year,
                retest,
            }
        })
        .collect();
    let absences_of = |term| {
        find(Item::Absences, term)
            .and_then(|v| v.get(Slot::End))
            .and_then(|s| s.parse::<u32>().ok())
            .unwrap_or(0)
    };
    let absences = absences_of(Term::First) + absences_of(Term::Second);
    if grade <= 5 {
        return primary_year(subject_years, rows, absences, missing);
    }
    let conduct_of = |term| {
        find(Item::Conduct, term)
            .and_then(|v| v.get(Slot::End))
            .and_then(Level::from_code)
    };
    let term_summary = |term, pick: fn(&SubjectYear) -> Option<SubjectResult>| TermSummary {
        learning: classify(subject_years.iter().map(pick)),
        conduct: conduct_of(term),
        absences: absences_of(term),
    };
    let first = term_summary(Term::First, |s| s.first);
    let second = term_summary(Term::Second, |s| s.second);
    for (term, summary) in [(Term::First, &first), (Term::Second, &second)] {
        if summary.conduct.is_none() {
            missing.push(format!("Rèn luyện ({})", term.label_vi()));
        }
    }
    let learning = classify(subject_years.iter().map(|s| s.year));
    let conduct = match (first.conduct, second.conduct) {
        (Some(c1), Some(c2)) => Some(rules.conduct_year(c1, c2)),
        _ => None,
    };
    let award = match (learning, conduct) {
        (Some(Level::Good), Some(Level::Good)) => {
            let nines = subject_years
                .iter()
                .filter(|s| matches!(s.year, Some(SubjectResult::Score(sc)) if sc.tenths() >= 90))
                .count();
            Some(if nines >= 6 {
                Award::Excellent
            } else {
                Award::Good
            })
        }
        _ => None,
    };
    let mut summary = YearSummary {
        subjects: subject_years,
        first,
        second,
        learning,
        conduct,
        final_learning: learning,
        final_conduct: conduct,
        absences,
        award,
        primary_result: None,
        outcome: None,
        retest_subjects: vec![],
        missing,
    };
    let summer_conduct = find(Item::Conduct, Term::Summer)
        .and_then(|v| v.get(Slot::End))
        .and_then(Level::from_code);
    decide_secondary(&mut summary, summer_conduct, rules);
    summary
}

/// Promotion, re-test and summer training (Circular 22 art. 12–13 as grading.md reads them).
fn decide_secondary(s: &mut YearSummary, summer_conduct: Option<Level>, rules: &GradingRules) {
    let (Some(learning), Some(conduct)) = (s.learning, s.conduct) else {
        return;
    };
    if s.absences > rules.max_absences {
        s.outcome = Some(Outcome::Repeat);
        return;
    }
    if conduct == Level::Fail {
        match summer_conduct {
            None => {
                s.outcome = Some(Outcome::SummerTraining);
                return;
            }
            Some(after) => {
                s.final_conduct = Some(after);
                if after == Level::Fail {
                    s.outcome = Some(Outcome::Repeat);
                    return;
                }
            }
        }
    }
    if learning != Level::Fail {
        s.outcome = Some(Outcome::Promoted);
        return;
    }
    s.retest_subjects = s
        .subjects
        .iter()
        .filter(|y| match y.year {
            Some(SubjectResult::Score(sc)) => sc.tenths() < rules.retest_below_tenths,
            Some(SubjectResult::Comment(c)) => {
                rules.retest_failed_comments && c == CommentResult::NotPassed
            }
            _ => false,
        })
        .map(|y| y.subject)
        .collect();
    let all_retested = s
        .subjects
        .iter()
        .filter(|y| s.retest_subjects.contains(&y.subject))
        .all(|y| y.retest.is_some());
    if s.retest_subjects.is_empty() || !all_retested {
        // Nothing below the re-test threshold means re-tests cannot lift the result.
        s.outcome = Some(if s.retest_subjects.is_empty() {
            Outcome::Repeat
        } else {
            Outcome::Retest
        });
        return;
    }
    let after = classify(s.subjects.iter().map(SubjectYear::final_result));
    s.final_learning = after;
    s.outcome = Some(if after.is_some_and(|l| l.at_least(Level::Pass)) {
        Outcome::Promoted
    } else {
        Outcome::Repeat
    });
}

/// Circular 27: the year result from the end-of-year ratings and tests; a learner not
/// completing is re-assessed in summer (ratings of the summer term replace the year's).
fn primary_year(
    subjects: Vec<SubjectYear>,
    rows: &[Row],
    absences: u32,
    mut missing: Vec<String>,
) -> YearSummary {
    let second_rows = || rows.iter().filter(|r| r.term == Term::Second);
    let traits: Vec<Option<TraitRating>> = super::TRAITS
        .iter()
        .map(|t| {
            second_rows()
                .find(|r| r.item == Item::Trait(t))
                .and_then(|r| r.values.get(Slot::End))
                .and_then(TraitRating::from_code)
        })
        .collect();
    if traits.iter().any(Option::is_none) {
        missing.push("Phẩm chất, năng lực (cuối năm)".into());
    }
    let tests: Vec<u8> = second_rows()
        .filter_map(|r| r.values.get(Slot::TestEnd))
        .filter_map(|t| t.parse().ok())
        .collect();
    let ratings: Option<Vec<SubjectRating>> = subjects
        .iter()
        .map(|s| match s.final_result() {
            Some(SubjectResult::Rating(r)) => Some(r),
            _ => None,
        })
        .collect();
    let traits: Option<Vec<TraitRating>> = traits.into_iter().collect();
    let result = match (ratings, traits) {
        (Some(r), Some(t)) if missing.is_empty() || subjects.iter().all(|s| s.year.is_some()) => {
            Some(primary::year_result(&r, &t, &tests))
        }
        _ => None,
    };
    let retest_subjects: Vec<&'static str> = subjects
        .iter()
        .filter(|s| s.year == Some(SubjectResult::Rating(SubjectRating::NotCompleted)))
        .map(|s| s.subject)
        .collect();
    let outcome = result.map(|r| match r {
        YearResult::NotCompleted if subjects.iter().any(|s| s.retest.is_some()) => Outcome::Repeat,
        YearResult::NotCompleted => Outcome::Retest,
        _ => Outcome::Promoted,
    });
    YearSummary {
        subjects,
        first: TermSummary {
            learning: None,
            conduct: None,
            absences: 0,
        },
        second: TermSummary {
            learning: None,
            conduct: None,
            absences,
        },
        learning: None,
        conduct: None,
        final_learning: None,
        final_conduct: None,
        absences,
        award: None,
        primary_result: result,
        outcome,
        retest_subjects,
        missing,
    }
}

/// The learning result over subject results, `None` while any is missing.
fn classify(results: impl Iterator<Item = Option<SubjectResult>>) -> Option<Level> {
    let mut scored = Vec::new();
    let mut comments = Vec::new();
    for r in results {
        match r? {
            SubjectResult::Score(s) => scored.push(s),
            SubjectResult::Comment(c) => comments.push(c),
            SubjectResult::Rating(_) => return None,
        }
    }
    Some(learning_result(&scored, &comments))
}

/// A subject's result in one semester, `None` until every required value is in.
pub fn subject_term(grade: u8, p: PlannedSubject, v: &Values) -> Option<SubjectResult> {
    let Item::Subject(subject) = p.item else {
        return None;
    };
    if grade <= 5 {
        return v
            .get(Slot::End)
            .and_then(SubjectRating::from_code)
            .map(SubjectResult::Rating);
    }
    match subject.assessment_in(grade) {
        Assessment::Score => {
            let score = |slot| v.get(slot).and_then(Score::parse);
            let regular: Option<Vec<Score>> = Slot::REGULAR[..usize::from(p.regular.clamp(2, 4))]
                .iter()
                .map(|s| score(*s))
                .collect();
            Some(SubjectResult::Score(semester_average(
                &regular?,
                score(Slot::Mid)?,
                score(Slot::End)?,
            )))
        }
        Assessment::Comment => {
            let comment = |slot| v.get(slot).and_then(CommentResult::from_code);
            // Đạt when every assessment was taken and the final judgement is Đạt.
            for slot in [Slot::R1, Slot::R2, Slot::Mid] {
                comment(slot)?;
            }
            comment(Slot::End).map(SubjectResult::Comment)
        }
    }
}

/// The year result of a subject from its semester results.
pub fn subject_year(
    first: Option<SubjectResult>,
    second: Option<SubjectResult>,
) -> Option<SubjectResult> {
    match (first?, second?) {
        (SubjectResult::Score(a), SubjectResult::Score(b)) => {
            Some(SubjectResult::Score(year_average(a, b)))
        }
        // Comment subjects and primary ratings: the year result is semester II's.
        (_, b) => Some(b),
    }
}

/// A summer re-test (secondary: a score or Đ/CĐ in `end`; primary: a rating in `end`).
fn subject_summer(grade: u8, p: PlannedSubject, v: &Values) -> Option<SubjectResult> {
    let Item::Subject(subject) = p.item else {
        return None;
    };
    let end = v.get(Slot::End)?;
    if grade <= 5 {
        return SubjectRating::from_code(end).map(SubjectResult::Rating);
    }
    match subject.assessment_in(grade) {
        Assessment::Score => Score::parse(end).map(SubjectResult::Score),
        Assessment::Comment => CommentResult::from_code(end).map(SubjectResult::Comment),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gradebook::{default_regular_count, items_for_grade};

    fn plan(grade: u8) -> Vec<PlannedSubject> {
        items_for_grade(grade)
            .into_iter()
            .filter(|i| matches!(i, Item::Subject(_)))
            .map(|item| PlannedSubject {
                item,
                regular: default_regular_count(item.code(), grade),
            })
            .collect()
    }

    fn values(pairs: &[(Slot, &str)]) -> Values {
        let mut v = Values::default();
        for (s, x) in pairs {
            v.set(*s, Some(x.to_string()));
        }
        v
    }

    /// Every scored subject gets `score` in every slot; comment subjects `comment`.
    fn year_rows(grade: u8, score: &str, comment: &str, conduct: [&str; 2]) -> Vec<Row> {
        let mut rows = Vec::new();
        for term in [Term::First, Term::Second] {
            for p in plan(grade) {
                let Item::Subject(s) = p.item else { continue };
                let v = match s.assessment_in(grade) {
                    Assessment::Score => values(&[
                        (Slot::R1, score),
                        (Slot::R2, score),
                        (Slot::R3, score),
                        (Slot::R4, score),
                        (Slot::Mid, score),
                        (Slot::End, score),
                    ]),
                    Assessment::Comment => values(&[
                        (Slot::R1, comment),
                        (Slot::R2, comment),
                        (Slot::Mid, comment),
                        (Slot::End, comment),
                    ]),
                };
                rows.push(Row {
                    item: p.item,
                    term,
                    values: v,
                });
            }
            let c = if term == Term::First {
                conduct[0]
            } else {
                conduct[1]
            };
            rows.push(Row {
                item: Item::Conduct,
                term,
                values: values(&[(Slot::End, c)]),
            });
        }
        rows
    }

    #[test]
    fn a_strong_year_is_promoted_with_the_top_award() {
        let rows = year_rows(7, "9.5", "dat", ["tot", "tot"]);
        let y = learner_year(7, &plan(7), &rows, &GradingRules::default());
        assert_eq!(y.learning, Some(Level::Good));
        assert_eq!(y.conduct, Some(Level::Good));
        assert_eq!(y.award, Some(Award::Excellent));
        assert_eq!(y.outcome, Some(Outcome::Promoted));
        assert!(y.missing.is_empty(), "{:?}", y.missing);
    }

    #[test]
    fn a_missing_mark_leaves_the_year_pending() {
        let mut rows = year_rows(7, "7", "dat", ["kha", "tot"]);
        rows[0].values.set(Slot::Mid, None);
        let y = learner_year(7, &plan(7), &rows, &GradingRules::default());
        assert_eq!(y.learning, None);
        assert_eq!(y.outcome, None);
        assert_eq!(y.missing.len(), 1);
    }

    #[test]
    fn low_scores_are_retested_and_the_retest_replaces_the_year_result() {
        let mut rows = year_rows(8, "6", "dat", ["kha", "kha"]);
        // Mathematics at 3.0 both semesters: learning Chưa đạt (a subject below 3.5).
        for r in rows.iter_mut().filter(|r| r.item.code() == "toan") {
            r.values = values(&[
                (Slot::R1, "3"),
                (Slot::R2, "3"),
                (Slot::R3, "3"),
                (Slot::R4, "3"),
                (Slot::Mid, "3"),
                (Slot::End, "3"),
            ]);
        }
        let rules = GradingRules::default();
        let y = learner_year(8, &plan(8), &rows, &rules);
        assert_eq!(y.learning, Some(Level::Fail));
        assert_eq!(y.outcome, Some(Outcome::Retest));
        assert_eq!(y.retest_subjects, ["toan"]);
        rows.push(Row {
            item: Item::from_code("toan").unwrap(),
            term: Term::Summer,
            values: values(&[(Slot::End, "6")]),
        });
        let y = learner_year(8, &plan(8), &rows, &rules);
        assert_eq!(y.final_learning, Some(Level::Pass));
        assert_eq!(y.outcome, Some(Outcome::Promoted));
    }

    #[test]
    fn failed_conduct_goes_to_summer_training_then_decides() {
        let mut rows = year_rows(9, "7", "dat", ["chua_dat", "chua_dat"]);
        let rules = GradingRules::default();
        assert_eq!(
            learner_year(9, &plan(9), &rows, &rules).outcome,
            Some(Outcome::SummerTraining)
        );
        rows.push(Row {
            item: Item::Conduct,
            term: Term::Summer,
            values: values(&[(Slot::End, "dat")]),
        });
        let y = learner_year(9, &plan(9), &rows, &rules);
        assert_eq!(y.final_conduct, Some(Level::Pass));
        assert_eq!(y.outcome, Some(Outcome::Promoted));
    }

    #[test]
    fn too_many_absences_repeat_the_grade() {
        let mut rows = year_rows(10, "8", "dat", ["tot", "tot"]);
        rows.push(Row {
            item: Item::Absences,
            term: Term::Second,
            values: values(&[(Slot::End, "46")]),
        });
        let y = learner_year(10, &plan(10), &rows, &GradingRules::default());
        assert_eq!(y.outcome, Some(Outcome::Repeat));
    }

    #[test]
    fn primary_learners_get_the_circular_27_result() {
        let mut rows = Vec::new();
        for p in plan(4) {
            rows.push(Row {
                item: p.item,
                term: Term::Second,
                values: values(&[(Slot::End, "htt"), (Slot::TestEnd, "9")]),
            });
            rows.push(Row {
                item: p.item,
                term: Term::First,
                values: values(&[(Slot::End, "htt")]),
            });
        }
        for t in crate::gradebook::TRAITS.iter() {
            rows.push(Row {
                item: Item::Trait(t),
                term: Term::Second,
                values: values(&[(Slot::End, "tot")]),
            });
        }
        let y = learner_year(4, &plan(4), &rows, &GradingRules::default());
        assert_eq!(y.primary_result, Some(YearResult::Outstanding));
        assert_eq!(y.outcome, Some(Outcome::Promoted));
    }

    #[test]
    fn the_default_conduct_table_is_grading_md() {
        let rules = GradingRules::default();
        for s1 in Level::ALL {
            for s2 in Level::ALL {
                assert_eq!(
                    rules.conduct_year(*s1, *s2),
                    crate::grading::conduct_year(*s1, *s2)
                );
            }
        }
    }
}
