//! Statistical reports on both databases: every figure equals an independent SQL count, the tree
//! is the one of the report date, a frozen report ignores later edits, and the records behind a
//! figure are exactly as many as the figure says.

use chrono::NaiveDate;
use truongso_demo::DemoConfig;
use truongso_domain::learners::EnrolmentStatus;
use truongso_domain::org::OrgKind;
use truongso_domain::statistics::{self, Cell, ReportKind, StatTable, TOTAL};
use truongso_store::enrolments::{self, StatusChange};
use truongso_store::orgs::{self, OrgInput};
use truongso_store::statistics::{self as stats, ReportRequest};
use truongso_store::{PageRequest, Scope, Store, StoreError};
use truongso_testkit::on_both_seeded;

async fn count(store: &Store, sql: &str) -> i64 {
    let rows: Vec<(i64,)> = store.conn().fetch_all_raw(sql, &[]).await.unwrap();
    rows[0].0
}

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

/// Enrolments whose latest event on or before `on` has one of `statuses`, written without the
/// report's subquery: an event with no later event on or before the date.
fn independent_status(year: i64, on: NaiveDate, statuses: &str) -> String {
    format!(
        "FROM enrolments e JOIN enrolment_events ev ON ev.enrolment_id = e.id \
         JOIN learners l ON l.id = e.learner_id LEFT JOIN classes c ON c.id = e.class_id \
         WHERE e.school_year_id = {year} AND ev.effective_on <= '{on}' AND ev.status IN ({statuses}) \
         AND NOT EXISTS (SELECT 1 FROM enrolment_events later WHERE later.enrolment_id = e.id \
           AND later.effective_on <= '{on}' AND (later.effective_on > ev.effective_on \
           OR (later.effective_on = ev.effective_on AND later.id > ev.id)))"
    )
}

const ENROLLED: &str = "'studying','transferred_in','repeating','completed'";

/// The province these tests run on (seeded once, copied for each test).
fn config() -> DemoConfig {
    DemoConfig {
        seed: 5,
        learners: 2_000,
        marks: false,
        ..DemoConfig::default()
    }
}

/// What the tests need of the seeded province.
async fn seeded(store: &Store) -> (i64, i64) {
    let dept = count(
        store,
        "SELECT id FROM org_units WHERE kind = 'department' ORDER BY id LIMIT 1",
    )
    .await;
    let year = count(store, "SELECT id FROM school_years WHERE is_current = TRUE").await;
    (dept, year)
}

#[tokio::test]
async fn figures_equal_independent_counts() {
    on_both_seeded(&config(), |store, _| async move {
        let (dept, year) = seeded(&store).await;
        for on in [date(2025, 9, 30), date(2026, 5, 31)] {
            let request = ReportRequest { kind: ReportKind::Beginning, school_year_id: year, as_of: on };
            let report = stats::live(&mut store.conn(), &Scope::All, dept, request).await.unwrap();
            let f = &report.figures;
            let checks: Vec<(i64, String)> = vec![
                (f.value(StatTable::Learners, TOTAL, TOTAL), format!("SELECT COUNT(*) {}", independent_status(year, on, ENROLLED))),
                (f.value(StatTable::Learners, "g6", "female"), format!("SELECT COUNT(*) {} AND c.grade = 6 AND l.gender = 'F'", independent_status(year, on, ENROLLED))),
                (f.value(StatTable::Learners, TOTAL, "minority"), format!("SELECT COUNT(*) {} AND l.ethnicity_code <> '01'", independent_status(year, on, ENROLLED))),
                (f.value(StatTable::Learners, TOTAL, "repeating"), format!("SELECT COUNT(*) {}", independent_status(year, on, "'repeating'"))),
                (f.value(StatTable::Movement, TOTAL, "dropped_out"), format!("SELECT COUNT(*) {}", independent_status(year, on, "'dropped_out'"))),
                (f.value(StatTable::Disability, TOTAL, TOTAL), format!("SELECT COUNT(*) {} AND l.disability IS NOT NULL", independent_status(year, on, ENROLLED))),
                (f.value(StatTable::Policy, "poor", "female"), format!("SELECT COUNT(*) {} AND l.policy_group = 'poor' AND l.gender = 'F'", independent_status(year, on, ENROLLED))),
                (f.value(StatTable::Ethnicity, "01", TOTAL), format!("SELECT COUNT(*) {} AND l.ethnicity_code = '01'", independent_status(year, on, ENROLLED))),
                (f.value(StatTable::Classes, "g1", TOTAL), format!("SELECT COUNT(*) FROM classes WHERE school_year_id = {year} AND grade = 1")),
                (f.value(StatTable::Schools, TOTAL, TOTAL), "SELECT COUNT(*) FROM org_units WHERE kind = 'school'".into()),
                (f.value(StatTable::Schools, TOTAL, "sites"), "SELECT COUNT(*) FROM org_units WHERE kind = 'site'".into()),
                (f.value(StatTable::Staff, "teacher", "bachelor"), "SELECT COUNT(*) FROM staff s JOIN org_units o ON o.id = s.org_unit_id WHERE o.kind = 'school' AND s.position = 'teacher' AND s.qualification = 'bachelor'".into()),
                (f.value(StatTable::Staff, TOTAL, "female"), "SELECT COUNT(*) FROM staff s JOIN org_units o ON o.id = s.org_unit_id WHERE o.kind = 'school' AND s.gender = 'F'".into()),
            ];
            for (figure, sql) in checks {
                assert_eq!(figure, count(&store, &sql).await, "{on}: {sql}");
            }
            assert!(f.value(StatTable::Learners, TOTAL, TOTAL) > 1_000);
            // The units below add up to the whole.
            let below: i64 = report.below.iter().map(|(_, f)| f.value(StatTable::Learners, TOTAL, TOTAL)).sum();
            assert_eq!(below, f.value(StatTable::Learners, TOTAL, TOTAL));
        }
        // Dropouts happen during the year: none at the end of September, some by May.
        let sept = ReportRequest { kind: ReportKind::Beginning, school_year_id: year, as_of: date(2025, 9, 30) };
        let may = ReportRequest { as_of: date(2026, 5, 31), ..sept };
        let a = stats::live(&mut store.conn(), &Scope::All, dept, sept).await.unwrap();
        let b = stats::live(&mut store.conn(), &Scope::All, dept, may).await.unwrap();
        assert_eq!(a.figures.value(StatTable::Movement, TOTAL, "dropped_out"), 0);
        assert!(b.figures.value(StatTable::Movement, TOTAL, "dropped_out") > 0);
        assert!(a.figures.value(StatTable::Learners, TOTAL, "repeating") > 0, "repeaters repeat from the first day");
    })
    .await;
}

#[tokio::test]
async fn the_tree_is_the_one_of_the_report_date() {
    on_both_seeded(&config(), |store, _| async move {
        let (_, year) = seeded(&store).await;
        let school = count(&store, "SELECT s.id FROM org_units s JOIN org_units p ON p.id = s.parent_id WHERE s.kind = 'school' AND p.kind = 'office' ORDER BY s.id LIMIT 1").await;
        let old_office = count(&store, &format!("SELECT parent_id FROM org_units WHERE id = {school}")).await;
        let new_office = count(&store, &format!("SELECT id FROM org_units WHERE kind = 'office' AND id <> {old_office} ORDER BY id LIMIT 1")).await;
        let unit = orgs::get(&mut store.conn(), &Scope::All, school).await.unwrap();
        let input = OrgInput {
            parent_id: Some(new_office),
            kind: unit.kind,
            code: unit.code.clone(),
            name: unit.name.clone(),
            ward_code: unit.ward_code.clone(),
            address: unit.address.clone(),
            lat: unit.lat,
            lon: unit.lon,
            levels: unit.levels.clone(),
            ownership: unit.ownership.as_deref().and_then(|o| o.parse().ok()),
        };
        let mut tx = store.begin().await.unwrap();
        orgs::update(&mut tx, &Scope::All, school, &input, date(2026, 1, 1), Some("Sáp nhập")).await.unwrap();
        tx.commit().await.unwrap();

        let learners_of_school = |report: &stats::Report| {
            report.figures.value(StatTable::Learners, TOTAL, TOTAL)
        };
        let request = |on| ReportRequest { kind: ReportKind::Beginning, school_year_id: year, as_of: on };
        let school_alone = stats::live(&mut store.conn(), &Scope::All, school, request(date(2025, 9, 30))).await.unwrap();
        let n = learners_of_school(&school_alone);
        assert!(n > 0);
        for (on, with_old) in [(date(2025, 9, 30), true), (date(2026, 5, 31), false)] {
            let old = stats::live(&mut store.conn(), &Scope::All, old_office, request(on)).await.unwrap();
            let new = stats::live(&mut store.conn(), &Scope::All, new_office, request(on)).await.unwrap();
            let tree = stats::TreeAsOf::load(&mut store.conn(), on).await.unwrap();
            assert_eq!(tree.schools_under(old_office).contains(&school), with_old, "{on}");
            assert_eq!(tree.schools_under(new_office).contains(&school), !with_old, "{on}");
            assert_eq!(old.schools, tree.schools_under(old_office).len());
            assert!(new.below.iter().any(|(u, _)| u.id == school) != with_old);
        }
    })
    .await;
}

#[tokio::test]
async fn a_submitted_report_keeps_its_figures_and_records_match_figures() {
    on_both_seeded(&config(), |store, _| async move {
        let (dept, year) = seeded(&store).await;
        let school = count(&store, "SELECT school_id FROM enrolments GROUP BY school_id ORDER BY COUNT(*) DESC LIMIT 1").await;
        let request = ReportRequest { kind: ReportKind::End, school_year_id: year, as_of: date(2026, 5, 31) };

        let mut tx = store.begin().await.unwrap();
        let first = stats::submit(&mut tx, &Scope::All, school, request, (None, "Hiệu trưởng"), Some("Đã rà soát")).await.unwrap();
        tx.commit().await.unwrap();
        assert_eq!(first.version, 1);
        let frozen = stats::submitted(&mut store.conn(), &Scope::All, first.id).await.unwrap();
        let live = stats::live(&mut store.conn(), &Scope::All, school, request).await.unwrap();
        assert_eq!(frozen.figures, live.figures);

        // A learner drops out (effective before the report date) after the submission.
        let enrolment = count(&store, &format!("SELECT id FROM enrolments WHERE school_id = {school} AND status = 'studying' ORDER BY id LIMIT 1")).await;
        let mut tx = store.begin().await.unwrap();
        enrolments::change_status(&mut tx, &Scope::All, enrolment, &StatusChange {
            status: EnrolmentStatus::DroppedOut,
            class_id: None,
            effective_on: date(2026, 3, 2),
            reason: Some("Gia đình chuyển đi làm ăn xa".into()),
        }).await.unwrap();
        tx.commit().await.unwrap();
        let live_after = stats::live(&mut store.conn(), &Scope::All, school, request).await.unwrap();
        let frozen_after = stats::submitted(&mut store.conn(), &Scope::All, first.id).await.unwrap();
        assert_eq!(frozen_after.figures, frozen.figures, "a submitted report never changes");
        assert_eq!(
            live_after.figures.value(StatTable::Movement, TOTAL, "dropped_out"),
            live.figures.value(StatTable::Movement, TOTAL, "dropped_out") + 1
        );

        // Submitting again is a new version; the department sees who has submitted.
        let mut tx = store.begin().await.unwrap();
        let second = stats::submit(&mut tx, &Scope::All, school, request, (None, "Hiệu trưởng"), None).await.unwrap();
        tx.commit().await.unwrap();
        assert_eq!(second.version, 2);
        let status = stats::submission_status(&mut store.conn(), &Scope::All, dept, ReportKind::End, year).await.unwrap();
        let row = status.iter().find(|s| s.unit_id == school).unwrap();
        assert_eq!(row.latest.as_ref().map(|l| l.version), Some(2));
        assert_eq!(status.iter().filter(|s| s.latest.is_some()).count(), 1);
        assert!(status.iter().filter(|s| s.kind == OrgKind::School).count() > 1);

        // The records behind every non-zero figure of the school are as many as the figure.
        for (cell, n) in live_after.figures.iter() {
            let conditions = statistics::conditions(cell).unwrap();
            let records = stats::records(&mut store.conn(), &Scope::All, school, &request, &conditions, &PageRequest::new(1, 5)).await.unwrap();
            assert_eq!(records.total() as i64, n, "{cell:?}");
        }
        let none = statistics::conditions(&Cell::new(StatTable::Learners, "g12", "female")).unwrap();
        let records = stats::records(&mut store.conn(), &Scope::All, school, &request, &none, &PageRequest::default()).await.unwrap();
        assert_eq!(records.total() as i64, live_after.figures.value(StatTable::Learners, "g12", "female"));

        // A teacher's scope reaches no statistics.
        let teacher = Scope::Classes { root_id: school, path: "/".into(), class_ids: vec![] };
        assert!(matches!(stats::live(&mut store.conn(), &teacher, school, request).await, Err(StoreError::NotFound { .. })));
    })
    .await;
}
