//! The gradebook on SQLite and PostgreSQL: the golden cases through stored marks, saving with
//! conflict detection, locking, and a history that detects tampering.

use serde_json::Value;
use truongso_demo::DemoConfig;
use truongso_domain::golden::parse_cases;
use truongso_domain::gradebook::compute::GradingRules;
use truongso_domain::gradebook::{Item, Term};
use truongso_store::audit::AuditActor;
use truongso_store::classes::{self, Class, ClassFilter};
use truongso_store::gradebook::terms::{self, TermChange};
use truongso_store::gradebook::{self, CellEdit, CellOutcome, ledger, results};
use truongso_store::{PageRequest, Scope, Store, StoreError};
use truongso_testkit::on_both_seeded;

/// The province these tests run on (seeded once, copied for each test).
// Without the seeded year of marks: these tests enter their own into empty, open terms.
fn config() -> DemoConfig {
    DemoConfig {
        seed: 5,
        learners: 500,
        marks: false,
        ..DemoConfig::default()
    }
}

async fn class_of_grade(store: &Store, grade: i32) -> Class {
    classes::list(
        &mut store.conn(),
        &Scope::All,
        &ClassFilter {
            grade: Some(grade),
            ..Default::default()
        },
        &PageRequest::new(1, 100),
    )
    .await
    .unwrap()
    .items
    .into_iter()
    .find(|c| c.learner_count >= 4)
    .expect("a class with learners")
}

fn teacher() -> AuditActor {
    AuditActor {
        user_id: None,
        username: Some("gv.toan".into()),
        role: Some("teacher".into()),
        client: Some("127.0.0.1".into()),
    }
}

fn edit(learner_id: i64, slot: &str, base: Option<&str>, value: &str) -> CellEdit {
    CellEdit {
        learner_id,
        slot: slot.into(),
        base: base.map(str::to_string),
        value: value.into(),
    }
}

async fn save(
    store: &Store,
    class: &Class,
    item: &str,
    term: Term,
    edits: &[CellEdit],
) -> Result<gradebook::SaveReport, StoreError> {
    let mut tx = store.begin().await.unwrap();
    let r = gradebook::save(
        &mut tx,
        &teacher(),
        "test",
        class,
        Item::from_code(item).unwrap(),
        term,
        edits,
    )
    .await;
    if r.is_ok() {
        tx.commit().await.unwrap();
    }
    r
}

/// Fills a learner's row of a scored subject: `regular` then mid and end.
fn scored_row(learner: i64, regular: &[&str], mid: &str, end: &str) -> Vec<CellEdit> {
    let mut v: Vec<CellEdit> = regular
        .iter()
        .enumerate()
        .map(|(i, x)| edit(learner, &format!("r{}", i + 1), None, x))
        .collect();
    v.push(edit(learner, "mid", None, mid));
    v.push(edit(learner, "end", None, end));
    v
}

fn golden(kind: &str) -> Vec<(String, Value, Value)> {
    let text = include_str!("../../../../../shared/domain/golden/tt22.json");
    parse_cases(text)
        .unwrap()
        .into_iter()
        .filter(|c| c.kind.as_deref() == Some(kind))
        .map(|c| (c.name, c.input, c.expected))
        .collect()
}

fn num(v: &Value) -> String {
    match v {
        Value::Number(n) => n.to_string(),
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

#[tokio::test]
async fn golden_averages_come_out_of_stored_marks() {
    on_both_seeded(&config(), |store, _| async move {
        let class = class_of_grade(&store, 7).await;
        let learner = gradebook::roster(&mut store.conn(), class.id)
            .await
            .unwrap()[0]
            .learner_id;
        // Mathematics in grade 7 has 140 periods: 4 regular assessments. Set its periods so the
        // case's number of regular marks is the subject's.
        for (name, input, expected) in golden("semester_average") {
            let regular: Vec<String> = input["regular"]
                .as_array()
                .unwrap()
                .iter()
                .map(num)
                .collect();
            let periods = match regular.len() {
                2 => 35,
                3 => 70,
                _ => 140,
            };
            let mut tx = store.begin().await.unwrap();
            gradebook::set_periods(
                &mut tx,
                class.org_unit_id,
                class.school_year_id,
                7,
                "toan",
                periods,
            )
            .await
            .unwrap();
            tx.commit().await.unwrap();
            let grid = gradebook::grid(
                &mut store.conn(),
                &class,
                Item::from_code("toan").unwrap(),
                Term::First,
            )
            .await
            .unwrap();
            let current = &grid
                .rows
                .iter()
                .find(|r| r.learner_id == learner)
                .unwrap()
                .values;
            let mut edits = Vec::new();
            let regular_refs: Vec<&str> = regular.iter().map(String::as_str).collect();
            for e in scored_row(
                learner,
                &regular_refs,
                &num(&input["midterm"]),
                &num(&input["final"]),
            ) {
                let slot = truongso_domain::gradebook::Slot::from_code(&e.slot).unwrap();
                edits.push(CellEdit {
                    base: current.get(slot).map(str::to_string),
                    ..e
                });
            }
            // Clear a fourth regular mark left from a longer case.
            for slot in ["r1", "r2", "r3", "r4"].iter().skip(regular.len()) {
                if let Some(v) =
                    current.get(truongso_domain::gradebook::Slot::from_code(slot).unwrap())
                {
                    edits.push(edit(learner, slot, Some(v), ""));
                }
            }
            let report = save(&store, &class, "toan", Term::First, &edits)
                .await
                .unwrap();
            assert_eq!(report.conflicts, 0, "{name}");
            assert_eq!(
                report.results[&learner].as_deref(),
                expected.as_str(),
                "{name}"
            );
        }
    })
    .await;
}

#[tokio::test]
async fn golden_year_results_come_out_of_stored_marks() {
    on_both_seeded(&config(), |store, _| async move {
        let class = class_of_grade(&store, 8).await;
        let roster = gradebook::roster(&mut store.conn(), class.id)
            .await
            .unwrap();
        let learner = roster[0].learner_id;
        let rules = GradingRules::default();
        // Year averages: every mark of a semester equal to the semester average.
        for (name, input, expected) in golden("year_average") {
            for (term, key) in [(Term::First, "semester1"), (Term::Second, "semester2")] {
                let v = num(&input[key]);
                let grid = gradebook::grid(
                    &mut store.conn(),
                    &class,
                    Item::from_code("toan").unwrap(),
                    term,
                )
                .await
                .unwrap();
                let current = grid
                    .rows
                    .iter()
                    .find(|r| r.learner_id == learner)
                    .unwrap()
                    .values
                    .clone();
                let edits: Vec<CellEdit> = ["r1", "r2", "r3", "r4", "mid", "end"]
                    .iter()
                    .map(|s| {
                        let slot = truongso_domain::gradebook::Slot::from_code(s).unwrap();
                        edit(learner, s, current.get(slot), &v)
                    })
                    .collect();
                save(&store, &class, "toan", term, &edits).await.unwrap();
            }
            let years = results::class_years(&mut store.conn(), &class, &rules)
                .await
                .unwrap();
            let l = years
                .learners
                .iter()
                .find(|l| l.learner.learner_id == learner)
                .unwrap();
            let toan = l
                .summary
                .subjects
                .iter()
                .find(|s| s.subject == "toan")
                .unwrap();
            assert_eq!(
                toan.year.map(|r| r.display()).as_deref(),
                expected.as_str(),
                "{name}"
            );
        }
        // Year conduct from the two semesters the homeroom teacher entered.
        for (name, input, expected) in golden("conduct_year") {
            for (term, key) in [(Term::First, "semester1"), (Term::Second, "semester2")] {
                let grid = gradebook::grid(&mut store.conn(), &class, Item::Conduct, term)
                    .await
                    .unwrap();
                let current = grid
                    .rows
                    .iter()
                    .find(|r| r.learner_id == learner)
                    .unwrap()
                    .values
                    .clone();
                let base = current.get(truongso_domain::gradebook::Slot::End);
                save(
                    &store,
                    &class,
                    "ren_luyen",
                    term,
                    &[edit(learner, "end", base, input[key].as_str().unwrap())],
                )
                .await
                .unwrap();
            }
            let years = results::class_years(&mut store.conn(), &class, &rules)
                .await
                .unwrap();
            let l = years
                .learners
                .iter()
                .find(|l| l.learner.learner_id == learner)
                .unwrap();
            assert_eq!(
                l.summary.conduct.map(|c| c.label_vi()),
                expected.as_str(),
                "{name}"
            );
        }
        // Regular-assessment counts from the periods a school sets.
        for (name, input, expected) in golden("regular_count") {
            let periods = input["periods_per_year"].as_u64().unwrap() as u32;
            let mut tx = store.begin().await.unwrap();
            gradebook::set_periods(
                &mut tx,
                class.org_unit_id,
                class.school_year_id,
                8,
                "toan",
                periods,
            )
            .await
            .unwrap();
            tx.commit().await.unwrap();
            let plan = gradebook::plan(
                &mut store.conn(),
                class.org_unit_id,
                class.school_year_id,
                8,
            )
            .await
            .unwrap();
            let toan = plan.iter().find(|p| p.subject_code == "toan").unwrap();
            assert_eq!(
                u64::from(toan.regular_count),
                expected.as_u64().unwrap(),
                "{name}"
            );
        }
        assert!(ledger::verify(&store).await.unwrap().is_intact());
    })
    .await;
}

#[tokio::test]
async fn bad_cells_write_nothing_and_concurrent_edits_are_conflicts() {
    on_both_seeded(&config(), |store, _| async move {
        let class = class_of_grade(&store, 6).await;
        let roster = gradebook::roster(&mut store.conn(), class.id)
            .await
            .unwrap();
        let (a, b) = (roster[0].learner_id, roster[1].learner_id);
        // One bad cell among good ones: rejected whole, the bad one named.
        let err = save(
            &store,
            &class,
            "toan",
            Term::First,
            &[edit(a, "r1", None, "7"), edit(b, "r1", None, "11")],
        )
        .await
        .unwrap_err();
        let StoreError::Invalid(inv) = err else {
            panic!("{err:?}")
        };
        assert!(inv.0[0].message.contains("11"), "{inv:?}");
        let grid = gradebook::grid(
            &mut store.conn(),
            &class,
            Item::from_code("toan").unwrap(),
            Term::First,
        )
        .await
        .unwrap();
        assert!(grid.rows.iter().all(|r| r.values.is_empty()));
        // Comment-only subjects take Đ/CĐ, not scores.
        assert!(
            save(
                &store,
                &class,
                "gdtc",
                Term::First,
                &[edit(a, "r1", None, "8")]
            )
            .await
            .is_err()
        );
        // Teacher 1 and teacher 2 load the same empty grid; both edit learner a's r1.
        save(
            &store,
            &class,
            "toan",
            Term::First,
            &[edit(a, "r1", None, "7,5")],
        )
        .await
        .unwrap();
        let second = save(
            &store,
            &class,
            "toan",
            Term::First,
            &[edit(a, "r1", None, "9"), edit(b, "r1", None, "6")],
        )
        .await
        .unwrap();
        assert_eq!(second.saved, 1);
        assert_eq!(second.conflicts, 1);
        assert_eq!(
            second.cells[0].outcome,
            CellOutcome::Conflict {
                current: Some("7.5".into()),
                mine: Some("9".into())
            }
        );
        // Knowing the current value, the second teacher may overwrite it.
        let third = save(
            &store,
            &class,
            "toan",
            Term::First,
            &[edit(a, "r1", Some("7.5"), "9")],
        )
        .await
        .unwrap();
        assert_eq!(third.saved, 1);
        let history = ledger::history_of_row(&mut store.conn(), a, class.school_year_id, "toan", 1)
            .await
            .unwrap();
        assert_eq!(history.len(), 2);
        assert_eq!(history[1].before, r#"{"r1":"7.5"}"#);
        assert_eq!(history[1].after, r#"{"r1":"9"}"#);
    })
    .await;
}

#[tokio::test]
async fn a_locked_term_needs_an_unlock_with_a_reason() {
    on_both_seeded(&config(), |store, _| async move {
        let class = class_of_grade(&store, 9).await;
        let a = gradebook::roster(&mut store.conn(), class.id)
            .await
            .unwrap()[0]
            .learner_id;
        save(
            &store,
            &class,
            "toan",
            Term::First,
            &[edit(a, "r1", None, "5")],
        )
        .await
        .unwrap();
        let principal = AuditActor {
            username: Some("hieutruong".into()),
            ..teacher()
        };
        let change = |c: TermChange| {
            let store = store.clone();
            let principal = principal.clone();
            let class = class.clone();
            async move {
                let mut tx = store.begin().await.unwrap();
                let r = terms::change(
                    &mut tx,
                    &principal,
                    "test",
                    class.org_unit_id,
                    class.school_year_id,
                    Term::First,
                    c,
                )
                .await;
                if r.is_ok() {
                    tx.commit().await.unwrap();
                }
                r
            }
        };
        change(TermChange::Lock).await.unwrap();
        let err = save(
            &store,
            &class,
            "toan",
            Term::First,
            &[edit(a, "r1", Some("5"), "6")],
        )
        .await
        .unwrap_err();
        assert!(matches!(err, StoreError::Conflict(_)), "{err:?}");
        assert!(
            change(TermChange::Unlock { reason: "".into() })
                .await
                .is_err()
        );
        change(TermChange::Unlock {
            reason: "Sửa điểm nhập nhầm".into(),
        })
        .await
        .unwrap();
        save(
            &store,
            &class,
            "toan",
            Term::First,
            &[edit(a, "r1", Some("5"), "6")],
        )
        .await
        .unwrap();
        let report = ledger::verify(&store).await.unwrap();
        assert!(report.is_intact(), "{:?}", report.breaks);
        assert_eq!(report.events, 4);
    })
    .await;
}

#[tokio::test]
async fn tampering_with_marks_or_history_is_detected() {
    on_both_seeded(&config(), |store, _| async move {
        let class = class_of_grade(&store, 6).await;
        let roster = gradebook::roster(&mut store.conn(), class.id)
            .await
            .unwrap();
        let (a, b) = (roster[0].learner_id, roster[1].learner_id);
        save(
            &store,
            &class,
            "toan",
            Term::First,
            &[edit(a, "r1", None, "4"), edit(b, "r1", None, "6")],
        )
        .await
        .unwrap();
        save(
            &store,
            &class,
            "toan",
            Term::First,
            &[edit(b, "mid", None, "7")],
        )
        .await
        .unwrap();
        assert!(ledger::verify(&store).await.unwrap().is_intact());

        // A mark raised directly in the database.
        let mut conn = store.conn();
        conn.execute_raw(&format!(
            "UPDATE grade_rows SET r1 = '9' WHERE learner_id = {a}"
        ))
        .await
        .unwrap();
        let report = ledger::verify(&store).await.unwrap();
        assert!(!report.is_intact());
        assert!(
            report.breaks[0].contains(&format!("học sinh {a}")),
            "{:?}",
            report.breaks
        );
        conn.execute_raw(&format!(
            "UPDATE grade_rows SET r1 = '4' WHERE learner_id = {a}"
        ))
        .await
        .unwrap();
        assert!(ledger::verify(&store).await.unwrap().is_intact());

        // History rewritten too (after getting past the append-only triggers): the chain breaks.
        let drop = match store.backend() {
            truongso_store::Backend::Sqlite => "DROP TRIGGER grade_changes_no_update",
            truongso_store::Backend::Postgres => {
                "DROP TRIGGER grade_changes_no_change ON grade_changes"
            }
        };
        conn.execute_raw(drop).await.unwrap();
        conn.execute_raw(&format!(
            "UPDATE grade_changes SET after = '{{\"r1\":\"9\"}}' WHERE learner_id = {a}"
        ))
        .await
        .unwrap();
        conn.execute_raw(&format!(
            "UPDATE grade_rows SET r1 = '9' WHERE learner_id = {a}"
        ))
        .await
        .unwrap();
        let report = ledger::verify(&store).await.unwrap();
        assert!(
            report
                .breaks
                .iter()
                .any(|b| b.contains("#1") && b.contains("hash")),
            "{:?}",
            report.breaks
        );
    })
    .await;
}

/// Sets every mark slot of a learner's row (not the comment) to `value`, over what is stored.
async fn set_all(store: &Store, class: &Class, learner: i64, item: &str, term: Term, value: &str) {
    let item_ref = Item::from_code(item).unwrap();
    let grid = gradebook::grid(&mut store.conn(), class, item_ref, term)
        .await
        .unwrap();
    let current = &grid
        .rows
        .iter()
        .find(|r| r.learner_id == learner)
        .unwrap()
        .values;
    let edits: Vec<CellEdit> = grid
        .columns
        .iter()
        .filter(|(slot, _)| *slot != truongso_domain::gradebook::Slot::Comment)
        .map(|(slot, _)| edit(learner, slot.code(), current.get(*slot), value))
        .collect();
    let report = save(store, class, item, term, &edits).await.unwrap();
    assert_eq!(report.conflicts, 0);
}

#[tokio::test]
async fn golden_learning_results_and_promotion_come_out_of_stored_marks() {
    on_both_seeded(&config(), |store, _| async move {
        let class = class_of_grade(&store, 6).await;
        let learner = gradebook::roster(&mut store.conn(), class.id).await.unwrap()[0].learner_id;
        let subjects = gradebook::class_subjects(&mut store.conn(), &class).await.unwrap();
        let scored: Vec<&str> = subjects
            .iter()
            .filter(|p| matches!(p.item, Item::Subject(s) if s.assessment == truongso_domain::subjects::Assessment::Score))
            .map(|p| p.item.code())
            .collect();
        let comment: Vec<&str> = subjects
            .iter()
            .map(|p| p.item.code())
            .filter(|c| !scored.contains(c))
            .collect();
        assert_eq!((scored.len(), comment.len()), (8, 4), "grade 6 has 8 scored and 4 comment subjects");
        let year_of = |store: Store, class: Class| async move {
            let years = results::class_years(&mut store.conn(), &class, &GradingRules::default())
                .await
                .unwrap();
            years.learners.into_iter().find(|l| l.learner.learner_id == learner).unwrap().summary
        };
        for term in [Term::First, Term::Second] {
            set_all(&store, &class, learner, "ren_luyen", term, "tot").await;
        }
        // Each subject's year result is the case's value (the same value in every mark).
        for (name, input, expected) in golden("learning_result") {
            for term in [Term::First, Term::Second] {
                for (code, v) in scored.iter().zip(input["scored"].as_array().unwrap()) {
                    set_all(&store, &class, learner, code, term, &num(v)).await;
                }
                for (code, v) in comment.iter().zip(input["comment"].as_array().unwrap()) {
                    set_all(&store, &class, learner, code, term, v.as_str().unwrap()).await;
                }
            }
            let y = year_of(store.clone(), class.clone()).await;
            assert_eq!(y.learning.map(|l| l.label_vi()), expected.as_str(), "{name}");
        }
        // Promotion: conduct entered, learning from marks, absences entered.
        let marks_for = |level: &str| match level {
            "Tốt" => ("9", "Đạt"),
            "Khá" => ("7", "Đạt"),
            "Đạt" => ("5.5", "Đạt"),
            _ => ("3", "Chưa đạt"),
        };
        for (name, input, expected) in golden("promotion") {
            let (score, judgement) = marks_for(input["learning"].as_str().unwrap());
            for term in [Term::First, Term::Second] {
                for code in &scored {
                    set_all(&store, &class, learner, code, term, score).await;
                }
                for code in &comment {
                    set_all(&store, &class, learner, code, term, judgement).await;
                }
                set_all(&store, &class, learner, "ren_luyen", term, input["conduct"].as_str().unwrap()).await;
            }
            let absences = input["absences"].as_u64().unwrap().to_string();
            set_all(&store, &class, learner, "nghi_hoc", Term::First, "0").await;
            set_all(&store, &class, learner, "nghi_hoc", Term::Second, &absences).await;
            let y = year_of(store.clone(), class.clone()).await;
            assert_eq!(y.learning.map(|l| l.label_vi()), input["learning"].as_str(), "{name}");
            let promoted = y.outcome == Some(truongso_domain::gradebook::compute::Outcome::Promoted);
            assert_eq!(promoted, expected.as_bool().unwrap(), "{name}: {:?}", y.outcome);
        }
        assert!(ledger::verify(&store).await.unwrap().is_intact());
    })
    .await;
}
