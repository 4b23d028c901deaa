//! The seeded year of marks: every class has rows, the terms are locked and published, year
//! results are computed, and the history verifies — until a mark is changed behind its back.

use truongso_demo::DemoConfig;
use truongso_domain::gradebook::Term;
use truongso_store::gradebook::{ledger, results, terms};
use truongso_store::{Store, seed};
use truongso_testkit::on_both;

async fn count(store: &Store, sql: &str) -> i64 {
    let rows: Vec<(i64,)> = store.conn().fetch_all_raw(sql, &[]).await.unwrap();
    rows[0].0
}

#[tokio::test]
async fn the_seeded_year_is_complete_and_its_history_verifies() {
    on_both(|store| async move {
        let config = DemoConfig {
            seed: 3,
            learners: 1_500,
            ..DemoConfig::default()
        };
        let report = seed::seed(&store, &config, |_, _| {}).await.unwrap();
        assert!(report.grade_rows > 0 && report.grade_events > 0);
        assert_eq!(
            count(&store, "SELECT COUNT(*) FROM grade_rows").await,
            report.grade_rows as i64
        );

        // Every class of grades 1–12 with learners has rows; kindergartens have none.
        let without = count(
            &store,
            "SELECT COUNT(*) FROM classes c WHERE c.grade >= 1 \
             AND EXISTS (SELECT 1 FROM enrolments e WHERE e.class_id = c.id AND e.status = 'studying') \
             AND NOT EXISTS (SELECT 1 FROM grade_rows g WHERE g.class_id = c.id)",
        )
        .await;
        assert_eq!(without, 0, "classes without marks");
        assert_eq!(
            count(&store, "SELECT COUNT(*) FROM grade_rows g JOIN classes c ON c.id = g.class_id WHERE c.grade = 0").await,
            0
        );

        // Results for every learner on a gradebook roster, nearly all decided.
        let results = count(&store, "SELECT COUNT(*) FROM year_results").await;
        let decided = count(&store, "SELECT COUNT(*) FROM year_results WHERE outcome IS NOT NULL").await;
        assert!(results > 0 && decided * 100 >= results * 97, "{decided} of {results}");
        for level in ["tot", "kha", "dat", "chua_dat"] {
            let n = count(
                &store,
                &format!("SELECT COUNT(*) FROM year_results WHERE learning = '{level}'"),
            )
            .await;
            assert!(n > 0, "no learner with learning {level}");
        }

        // Both semesters locked and published at every school with marks.
        let (school_id, school_year_id): (i64, i64) = store
            .conn()
            .fetch_all_raw::<(i64, i64)>("SELECT school_id, school_year_id FROM grade_rows ORDER BY id LIMIT 1", &[])
            .await
            .unwrap()[0];
        for term in [Term::First, Term::Second] {
            let state = terms::state(&mut store.conn(), school_id, school_year_id, term)
                .await
                .unwrap();
            assert!(state.is_locked() && state.is_published(), "{term:?}");
        }
        // A stored result reads back.
        let (learner_id,): (i64,) = store
            .conn()
            .fetch_all_raw::<(i64,)>("SELECT learner_id FROM year_results ORDER BY learner_id LIMIT 1", &[])
            .await
            .unwrap()[0];
        assert!(
            results::stored_summary(&mut store.conn(), learner_id, school_year_id)
                .await
                .unwrap()
                .is_some()
        );

        // Corrections with a reason are part of the history.
        assert!(count(&store, "SELECT COUNT(*) FROM grade_events WHERE reason IS NOT NULL AND action = 'marks'").await > 0);

        let verified = ledger::verify(&store).await.unwrap();
        assert!(verified.is_intact(), "{:?}", &verified.breaks[..verified.breaks.len().min(5)]);
        assert_eq!(verified.rows, report.grade_rows);
        assert_eq!(verified.events, report.grade_events);

        // A mark changed directly in the database breaks the verification, naming the learner.
        let (row_id, learner_id): (i64, i64) = store
            .conn()
            .fetch_all_raw::<(i64, i64)>(
                "SELECT id, learner_id FROM grade_rows WHERE r1 IS NOT NULL AND r1 <> '10' ORDER BY id LIMIT 1",
                &[],
            )
            .await
            .unwrap()[0];
        store
            .conn()
            .execute_raw(&format!("UPDATE grade_rows SET r1 = '10' WHERE id = {row_id}"))
            .await
            .unwrap();
        let broken = ledger::verify(&store).await.unwrap();
        assert!(!broken.is_intact());
        assert!(
            broken
                .breaks
                .iter()
                .any(|b| b.contains(&format!("học sinh {learner_id},"))),
            "{:?}",
            broken.breaks
        );
    })
    .await;
}

#[tokio::test]
async fn marks_can_be_left_out() {
    on_both(|store| async move {
        let config = DemoConfig {
            seed: 3,
            learners: 500,
            marks: false,
            ..DemoConfig::default()
        };
        let report = seed::seed(&store, &config, |_, _| {}).await.unwrap();
        assert_eq!(report.grade_rows, 0);
        assert_eq!(count(&store, "SELECT COUNT(*) FROM grade_rows").await, 0);
        assert_eq!(count(&store, "SELECT COUNT(*) FROM grade_events").await, 0);
    })
    .await;
}
