//! Plan-target tests, each on SQLite and PostgreSQL: the measured metrics equal independent SQL
//! counts, snapshots are once per day and never change afterwards, trends come in date order,
//! editing is all or nothing, and a unit outside the caller's reach does not exist for them.

use std::collections::BTreeMap;

use chrono::{Duration, NaiveDate};
use truongso_demo::DemoConfig;
use truongso_domain::org::OrgKind;
use truongso_domain::targets::{Metric, Status};
use truongso_store::targets::{self, DEMO_HISTORY, MEASURED};
use truongso_store::{Scope, Store, StoreError, orgs, seed};
use truongso_testkit::on_both;

fn config() -> DemoConfig {
    DemoConfig {
        seed: 11,
        learners: 2_000,
        marks: true,
        ..DemoConfig::default()
    }
}

/// (school, metric) → value summed over grades, from the store's measurement.
fn totals(values: &[targets::MetricValue]) -> BTreeMap<(i64, Metric), i64> {
    let mut out = BTreeMap::new();
    for v in values {
        *out.entry((v.school_id, v.metric)).or_insert(0) += v.value;
    }
    out
}

/// Runs an independent count, grouped by school, and checks the store's metric equals it for
/// every school (absent = 0 on either side).
async fn same_as(
    store: &Store,
    measured: &BTreeMap<(i64, Metric), i64>,
    metric: Metric,
    sql: &str,
) {
    let rows: Vec<(i64, i64)> = store.conn().fetch_all_raw(sql, &[]).await.unwrap();
    let expected: BTreeMap<i64, i64> = rows.into_iter().filter(|r| r.1 != 0).collect();
    let got: BTreeMap<i64, i64> = measured
        .iter()
        .filter(|((_, m), v)| *m == metric && **v != 0)
        .map(|((s, _), v)| (*s, *v))
        .collect();
    assert_eq!(got, expected, "{metric}");
    assert!(
        !got.is_empty()
            || metric == Metric::TranscriptsSigned
            || metric == Metric::StaffWithSignature,
        "{metric}: the demo has some"
    );
}

async fn current_year(store: &Store) -> i64 {
    truongso_store::years::current(&mut store.conn())
        .await
        .unwrap()
        .expect("the demo has a current year")
        .id
}

#[tokio::test]
async fn metrics_equal_independent_counts() {
    on_both(|store| async move {
        seed::seed(&store, &config(), |_, _| {}).await.unwrap();
        let y = current_year(&store).await;
        let measured = totals(&targets::measure(&mut store.conn()).await.unwrap());
        let active = "e.status IN ('studying', 'transferred_in', 'repeating')";
        let base = format!(
            "FROM enrolments e JOIN classes c ON c.id = e.class_id WHERE e.school_year_id = {y} AND {active}"
        );
        same_as(&store, &measured, Metric::Learners, &format!("SELECT e.school_id, COUNT(*) {base} GROUP BY e.school_id")).await;
        same_as(
            &store,
            &measured,
            Metric::LearnersValidId,
            &format!("SELECT e.school_id, COUNT(*) {base} AND EXISTS (SELECT 1 FROM quality_learners q WHERE q.learner_id = e.learner_id AND q.id_valid = 1) GROUP BY e.school_id"),
        )
        .await;
        same_as(
            &store,
            &measured,
            Metric::LearnersProfileComplete,
            &format!("SELECT e.school_id, COUNT(*) {base} AND EXISTS (SELECT 1 FROM quality_learners q WHERE q.learner_id = e.learner_id AND q.filled = q.expected) GROUP BY e.school_id"),
        )
        .await;
        same_as(
            &store,
            &measured,
            Metric::LearnersScoresComplete,
            &format!("SELECT e.school_id, COUNT(*) {base} AND EXISTS (SELECT 1 FROM year_results r WHERE r.learner_id = e.learner_id AND r.school_year_id = {y} AND r.outcome IS NOT NULL) GROUP BY e.school_id"),
        )
        .await;
        same_as(
            &store,
            &measured,
            Metric::Classes,
            &format!("SELECT org_unit_id, COUNT(*) FROM classes WHERE school_year_id = {y} GROUP BY org_unit_id"),
        )
        .await;
        same_as(
            &store,
            &measured,
            Metric::ClassesUsingGradebook,
            &format!("SELECT c.org_unit_id, COUNT(*) FROM classes c WHERE c.school_year_id = {y} AND EXISTS (SELECT 1 FROM grade_rows g WHERE g.class_id = c.id AND g.school_year_id = {y}) GROUP BY c.org_unit_id"),
        )
        .await;
        same_as(
            &store,
            &measured,
            Metric::Teachers,
            "SELECT s.org_unit_id, COUNT(*) FROM staff s JOIN org_units o ON o.id = s.org_unit_id WHERE o.kind = 'school' AND s.position = 'teacher' GROUP BY s.org_unit_id",
        )
        .await;
        same_as(
            &store,
            &measured,
            Metric::TeachersWithAccount,
            "SELECT s.org_unit_id, COUNT(DISTINCT s.id) FROM staff s JOIN users u ON u.staff_id = s.id JOIN org_units o ON o.id = s.org_unit_id WHERE o.kind = 'school' AND s.position = 'teacher' GROUP BY s.org_unit_id",
        )
        .await;
        same_as(
            &store,
            &measured,
            Metric::Staff,
            "SELECT s.org_unit_id, COUNT(*) FROM staff s JOIN org_units o ON o.id = s.org_unit_id WHERE o.kind = 'school' GROUP BY s.org_unit_id",
        )
        .await;
        same_as(
            &store,
            &measured,
            Metric::Schools,
            "SELECT id, CAST(1 AS BIGINT) FROM org_units WHERE kind = 'school'",
        )
        .await;

        // The ID indicator over grades 9–12 agrees with the data-quality roll-up of the same.
        let root = orgs::roots(&mut store.conn(), &Scope::All).await.unwrap()[0].id;
        let t = targets::unit_targets(&mut store.conn(), &Scope::All, root, targets::today())
            .await
            .unwrap();
        let id = t
            .indicators
            .iter()
            .find(|i| i.indicator.raw.code == "id_valid_9_12")
            .unwrap();
        let (eligible, valid): (i64, i64) = store
            .conn()
            .fetch_all_raw::<(i64, i64)>(
                "SELECT CAST(SUM(id_eligible) AS BIGINT), CAST(SUM(id_valid) AS BIGINT) FROM quality_schools",
                &[],
            )
            .await
            .unwrap()[0];
        let m = id.measure.unwrap();
        assert_eq!((m.numerator, m.denominator), (valid, eligible));
        // Indicators without data on the platform say so.
        let cash = t
            .indicators
            .iter()
            .find(|i| i.indicator.raw.code == "schools_cashless")
            .unwrap();
        assert_eq!(cash.status, Status::NoData);
        assert!(cash.measure.is_none());
    })
    .await;
}

#[tokio::test]
async fn snapshots_are_daily_fixed_and_trends_ordered() {
    on_both(|store| async move {
        seed::seed(&store, &config(), |_, _| {}).await.unwrap();
        let today = targets::today();
        // The seed wrote a year of monthly demo history and today's measured snapshot.
        let days = targets::days(&mut store.conn()).await.unwrap();
        assert_eq!(days.len(), 13);
        assert!(days.windows(2).all(|w| w[0].taken_on < w[1].taken_on));
        assert!(days[..12].iter().all(|d| d.origin == DEMO_HISTORY));
        assert_eq!(
            (days[12].taken_on, days[12].origin.as_str()),
            (today, MEASURED)
        );

        let again = targets::snapshot(&store, today).await.unwrap();
        assert!(!again.taken, "a day's snapshot is taken once");
        let tomorrow = today + Duration::days(1);
        let first = targets::snapshot(&store, tomorrow).await.unwrap();
        assert!(first.taken && first.values > 0);
        assert!(!targets::snapshot(&store, tomorrow).await.unwrap().taken);

        // A later change of the records changes later snapshots, never earlier ones.
        let root = orgs::roots(&mut store.conn(), &Scope::All).await.unwrap()[0].id;
        let id_value = |t: &targets::UnitTargets, day: NaiveDate| {
            t.indicators
                .iter()
                .find(|i| i.indicator.raw.code == "id_valid_9_12")
                .unwrap()
                .trend
                .iter()
                .find(|p| p.taken_on == day)
                .and_then(|p| p.value)
        };
        let later = tomorrow + Duration::days(40);
        let before = targets::unit_targets(&mut store.conn(), &Scope::All, root, later)
            .await
            .unwrap();
        store
            .conn()
            .execute_raw("UPDATE quality_learners SET id_valid = 0")
            .await
            .unwrap();
        targets::snapshot(&store, later).await.unwrap();
        let after = targets::unit_targets(&mut store.conn(), &Scope::All, root, later)
            .await
            .unwrap();
        assert_eq!(id_value(&before, tomorrow), id_value(&after, tomorrow));
        assert!(id_value(&before, tomorrow).unwrap() > 0.0);
        assert_eq!(id_value(&after, later), Some(0.0));
        assert_eq!(after.taken_on, Some(later));

        // One point per month, oldest first, the latest day last; the trend's last point (from
        // sums by level) equals the measure (from each school's values).
        for ind in &after.indicators {
            let dates: Vec<NaiveDate> = ind.trend.iter().map(|p| p.taken_on).collect();
            assert!(dates.windows(2).all(|w| w[0] < w[1]), "{dates:?}");
            assert_eq!(dates.last(), Some(&later));
            let last = ind.trend.last().unwrap().value;
            let measured = ind.measure.and_then(|m| m.value);
            match (last, measured) {
                (Some(a), Some(b)) => assert!((a - b).abs() < 1e-9, "{}", ind.indicator.raw.code),
                (a, b) => assert_eq!(a, b, "{}", ind.indicator.raw.code),
            }
        }
        // The demo's past is a ramp up to today: no month above the measured value.
        let gradebook = &after
            .indicators
            .iter()
            .find(|i| i.indicator.raw.code == "profile_complete")
            .unwrap()
            .trend;
        let measured_today = gradebook
            .iter()
            .find(|p| p.origin == MEASURED)
            .unwrap()
            .value
            .unwrap();
        assert!(
            gradebook
                .iter()
                .filter(|p| p.origin == DEMO_HISTORY)
                .all(|p| p.value.unwrap() <= measured_today + 1e-9)
        );
    })
    .await;
}

#[tokio::test]
async fn editing_is_all_or_nothing_and_moves_the_status() {
    on_both(|store| async move {
        seed::seed(&store, &config(), |_, _| {}).await.unwrap();
        let code = "teachers_account";
        let before = targets::definition(&mut store.conn(), code).await.unwrap();
        let mut raw = before.to_raw();
        raw.formula = Some("teachers_with_account / pupils".into());
        raw.target = 150.0;
        let mut tx = store.begin().await.unwrap();
        let err = targets::save(&mut tx, code, &raw, "test")
            .await
            .unwrap_err();
        drop(tx);
        let StoreError::Invalid(inv) = err else {
            panic!("expected invalid, got {err:?}")
        };
        let fields: Vec<&str> = inv.0.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["formula", "target"]);
        assert!(
            inv.0[0].message.contains("teachers_account") && inv.0[0].message.contains("pupils")
        );
        assert_eq!(
            targets::definition(&mut store.conn(), code).await.unwrap(),
            before
        );

        // Lowering the target to what is measured makes the indicator met.
        let root = orgs::roots(&mut store.conn(), &Scope::All).await.unwrap()[0].id;
        let status = |t: &targets::UnitTargets| {
            let i = t
                .indicators
                .iter()
                .find(|i| i.indicator.raw.code == code)
                .unwrap();
            (i.status, i.measure.unwrap().value.unwrap())
        };
        let t = targets::unit_targets(&mut store.conn(), &Scope::All, root, targets::today())
            .await
            .unwrap();
        let (s0, value) = status(&t);
        assert_ne!(
            s0,
            Status::Met,
            "the demo's teachers do not all have accounts"
        );
        let mut raw = before.to_raw();
        raw.target = (value - 1.0).max(0.0).floor();
        raw.deadline = "2030-01-31".into();
        let mut tx = store.begin().await.unwrap();
        let saved = targets::save(&mut tx, code, &raw, "test").await.unwrap();
        tx.commit().await.unwrap();
        assert_eq!(
            saved.deadline,
            NaiveDate::from_ymd_opt(2030, 1, 31).unwrap()
        );
        let t = targets::unit_targets(&mut store.conn(), &Scope::All, root, targets::today())
            .await
            .unwrap();
        assert_eq!(status(&t).0, Status::Met);
        assert!(matches!(
            targets::save(&mut store.begin().await.unwrap(), "nope", &raw, "test").await,
            Err(StoreError::NotFound { .. })
        ));
    })
    .await;
}

#[tokio::test]
async fn a_unit_outside_the_reach_does_not_exist_and_rankings_stay_inside() {
    on_both(|store| async move {
        seed::seed(&store, &config(), |_, _| {}).await.unwrap();
        let mut conn = store.conn();
        let top = orgs::roots(&mut conn, &Scope::All).await.unwrap()[0].clone();
        let root = orgs::list(
            &mut conn,
            &Scope::All,
            &orgs::OrgFilter {
                parent_id: Some(top.id),
                ..Default::default()
            },
            &truongso_store::PageRequest::new(1, 50),
        )
        .await
        .unwrap()
        .items
        .into_iter()
        .find(|u| u.kind == OrgKind::Department)
        .expect("a department under the ministry");
        let all = targets::unit_targets(&mut conn, &Scope::All, root.id, targets::today())
            .await
            .unwrap();
        // The department's ranking lists its direct children, each adding up its own schools.
        assert!(!all.below.is_empty());
        let office = all
            .below
            .iter()
            .find(|b| b.kind == OrgKind::LocalOffice)
            .expect("an office under the department");
        let office_unit = orgs::get(&mut conn, &Scope::All, office.id).await.unwrap();
        let office_scope = Scope::Subtree {
            root_id: office.id,
            path: office_unit.path.clone(),
        };
        let mine = targets::unit_targets(&mut conn, &office_scope, office.id, targets::today())
            .await
            .unwrap();
        let schools_row = mine
            .indicators
            .iter()
            .position(|i| i.indicator.raw.code == "profile_complete")
            .unwrap();
        assert_eq!(
            office.values[schools_row],
            mine.indicators[schools_row].measure.unwrap().value
        );
        // From the office, the department and the other offices do not exist.
        assert!(matches!(
            targets::unit_targets(&mut conn, &office_scope, root.id, targets::today()).await,
            Err(StoreError::NotFound { .. })
        ));
        let other = all.below.iter().find(|b| b.id != office.id).unwrap();
        assert!(matches!(
            targets::school_map(&mut conn, &office_scope, other.id).await,
            Err(StoreError::NotFound { .. })
        ));
        // The office's map shows its schools only, each placed (own or commune position).
        let map = targets::school_map(&mut conn, &office_scope, office.id)
            .await
            .unwrap();
        assert_eq!(map.schools.len(), mine.schools);
        for s in &map.schools {
            let unit = orgs::get(&mut conn, &Scope::All, s.id).await.unwrap();
            assert!(unit.path.starts_with(&office_unit.path));
            assert!(
                s.lat.is_some() && s.lon.is_some(),
                "{} has a position",
                s.name
            );
        }
        assert!(!map.communes.is_empty());
        // A teacher's reach (classes) and a family's see no unit here.
        let teacher = Scope::Classes {
            root_id: office.id,
            path: office_unit.path.clone(),
            class_ids: vec![],
        };
        assert!(matches!(
            targets::unit_targets(&mut conn, &teacher, office.id, targets::today()).await,
            Err(StoreError::NotFound { .. })
        ));
        assert!(matches!(
            targets::school_map(
                &mut conn,
                &Scope::Learners {
                    learner_ids: vec![]
                },
                office.id
            )
            .await,
            Err(StoreError::NotFound { .. })
        ));
    })
    .await;
}
