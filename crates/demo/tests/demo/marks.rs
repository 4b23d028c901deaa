//! The generated year of marks: complete, canonical, replayable from its saves, deterministic,
//! and distributed as in real schools.

use std::collections::HashMap;

use truongso_demo::{DemoConfig, Plan, SchoolMarks};
use truongso_domain::gradebook::compute::{Award, GradingRules, Outcome, Row, learner_year};
use truongso_domain::gradebook::{Item, Slot, Term, Values, items_for_grade, kind_of};
use truongso_domain::learners::EnrolmentStatus;

fn plan() -> Plan {
    Plan::new(&DemoConfig {
        seed: 5,
        learners: 3_000,
        ..DemoConfig::default()
    })
}

fn marks_of(plan: &Plan, ordinal: usize) -> (truongso_demo::SchoolData, SchoolMarks) {
    let data = plan.generate_school(ordinal);
    let c = plan.config();
    let marks = data.marks(c.seed, c.school_year_start, ordinal);
    (data, marks)
}

#[test]
fn every_learner_has_a_complete_canonical_year_that_the_saves_replay() {
    let plan = plan();
    let mut learning: HashMap<String, usize> = HashMap::new();
    let mut primary: HashMap<String, usize> = HashMap::new();
    let mut outcomes: HashMap<String, usize> = HashMap::new();
    let mut awards: HashMap<String, usize> = HashMap::new();
    let mut conduct: HashMap<String, usize> = HashMap::new();
    let (mut summer_rows, mut corrections, mut comments, mut long_absent) = (0, 0, 0, 0);
    for ordinal in 0..plan.schools.len() {
        let (data, marks) = marks_of(&plan, ordinal);
        let assignments = data.teaching_assignments();
        // Replaying the saves in order gives the rows; times never go back.
        let mut replay: Vec<Values> = vec![Values::default(); marks.rows.len()];
        let mut versions = vec![0u32; marks.rows.len()];
        for (i, w) in marks.saves.windows(2).enumerate() {
            assert!(w[0].at <= w[1].at, "save {i} out of time order");
        }
        for (i, s) in marks.saves.iter().enumerate() {
            corrections += usize::from(s.reason.is_some());
            for (row, after) in &s.rows {
                let r = &marks.rows[*row];
                assert_eq!((r.item, r.term, r.class), (s.item, s.term, s.class));
                assert_ne!(&replay[*row], after, "a save changes what it touches");
                replay[*row] = after.clone();
                versions[*row] += 1;
                if versions[*row] == r.saves {
                    assert_eq!(r.last_save, i);
                }
            }
        }
        let mut by_learner: HashMap<usize, Vec<Row>> = HashMap::new();
        for (i, r) in marks.rows.iter().enumerate() {
            assert_eq!(replay[i], r.values, "row {i} replays");
            assert_eq!(versions[i], r.saves);
            let grade = data.classes[r.class].grade;
            let regular = data
                .class_subjects(&assignments, r.class)
                .iter()
                .find(|p| p.item == r.item)
                .map_or(0, |p| p.regular);
            for slot in Slot::ALL {
                if let Some(v) = r.values.get(slot) {
                    let kind = kind_of(r.item, grade, regular, r.term, slot)
                        .unwrap_or_else(|| panic!("{} has no {slot:?}", r.item.code()));
                    assert_eq!(kind.parse(v).unwrap().as_deref(), Some(v), "canonical {v}");
                    comments += usize::from(slot == Slot::Comment);
                }
            }
            summer_rows += usize::from(r.term == Term::Summer);
            by_learner.entry(r.learner).or_default().push(
                truongso_domain::gradebook::compute::Row {
                    item: r.item,
                    term: r.term,
                    values: r.values.clone(),
                },
            );
        }
        for (li, l) in data.learners.iter().enumerate() {
            let grade = data.classes[l.class].grade;
            let active = matches!(
                l.status,
                EnrolmentStatus::Studying
                    | EnrolmentStatus::TransferredIn
                    | EnrolmentStatus::Repeating
            );
            let rows = by_learner.remove(&li).unwrap_or_default();
            if grade == 0 || !active {
                assert!(rows.is_empty());
                continue;
            }
            let subjects = data.class_subjects(&assignments, l.class);
            let items = subjects.len()
                + items_for_grade(grade)
                    .iter()
                    .filter(|i| i.is_homeroom_item())
                    .count();
            let semester_rows = rows.iter().filter(|r| r.term != Term::Summer).count();
            assert_eq!(semester_rows, 2 * items, "grade {grade}");
            let y = learner_year(grade, &subjects, &rows, &GradingRules::default());
            assert!(y.missing.is_empty(), "grade {grade}: {:?}", y.missing);
            let outcome = y.outcome.expect("decided");
            *outcomes.entry(outcome.code().into()).or_default() += 1;
            long_absent += usize::from(y.absences > 45);
            if grade <= 5 {
                *primary
                    .entry(y.primary_result.unwrap().code().into())
                    .or_default() += 1;
            } else {
                *learning
                    .entry(y.learning.unwrap().code().into())
                    .or_default() += 1;
                *conduct.entry(y.conduct.unwrap().code().into()).or_default() += 1;
                if let Some(a) = y.award {
                    *awards.entry(a.code().into()).or_default() += 1;
                }
            }
        }
    }
    eprintln!(
        "learning {learning:?}\nconduct {conduct:?}\nawards {awards:?}\nprimary {primary:?}\noutcomes {outcomes:?}\nsummer rows {summer_rows}, corrections {corrections}, comments {comments}, long absences {long_absent}"
    );
    let secondary: usize = learning.values().sum();
    let share =
        |m: &HashMap<String, usize>, k: &str, n: usize| *m.get(k).unwrap_or(&0) as f64 / n as f64;
    // Mostly Khá and Tốt, some Đạt, a few Chưa đạt.
    assert!(
        (0.10..0.40).contains(&share(&learning, "tot", secondary)),
        "{learning:?}"
    );
    assert!(
        (0.25..0.60).contains(&share(&learning, "kha", secondary)),
        "{learning:?}"
    );
    assert!(
        (0.08..0.40).contains(&share(&learning, "dat", secondary)),
        "{learning:?}"
    );
    assert!(
        (0.005..0.10).contains(&share(&learning, "chua_dat", secondary)),
        "{learning:?}"
    );
    assert!(
        awards.get(Award::Excellent.code()).is_some_and(|n| *n > 0),
        "{awards:?}"
    );
    // Conduct mostly Tốt and Khá.
    assert!(
        share(&conduct, "tot", secondary) + share(&conduct, "kha", secondary) > 0.8,
        "{conduct:?}"
    );
    let primaries: usize = primary.values().sum();
    assert!(primary.len() >= 3, "{primary:?}");
    assert!(share(&primary, "ht", primaries) > 0.3, "{primary:?}");
    assert!(
        outcomes
            .get(Outcome::Promoted.code())
            .is_some_and(|n| *n as f64 > 0.9 * (secondary + primaries) as f64)
    );
    assert!(summer_rows > 0 && corrections > 0 && comments > 0);
}

#[test]
fn marks_are_deterministic() {
    let (a, b) = (plan(), plan());
    for ordinal in [0, a.schools.len() / 2, a.schools.len() - 1] {
        assert_eq!(marks_of(&a, ordinal).1, marks_of(&b, ordinal).1);
    }
    let other = Plan::new(&DemoConfig {
        seed: 6,
        learners: 3_000,
        ..DemoConfig::default()
    });
    let ordinal = (0..a.schools.len())
        .find(|&o| !marks_of(&a, o).1.rows.is_empty())
        .unwrap();
    assert_ne!(marks_of(&a, ordinal).1, marks_of(&other, ordinal).1);
}

#[test]
fn upper_secondary_classes_take_four_electives() {
    let plan = plan();
    let mut seen = false;
    for ordinal in 0..plan.schools.len() {
        let data = plan.generate_school(ordinal);
        let assignments = data.teaching_assignments();
        for (ci, c) in data.classes.iter().enumerate() {
            if c.grade >= 10 {
                seen = true;
                let scored = data
                    .class_subjects(&assignments, ci)
                    .iter()
                    .filter(|p| matches!(p.item, Item::Subject(s) if s.assessment_in(c.grade) == truongso_domain::subjects::Assessment::Score))
                    .count();
                assert!(scored >= 6, "{} has {scored} scored subjects", c.name);
            }
        }
    }
    assert!(seen);
}
