//! The digital-maturity index (Decision 4725) on SQLite and PostgreSQL: stored scores equal the
//! pure scoring function, the draft → submitted → returned / approved transitions, refused input
//! leaves the database unchanged, measured values, scope, and the distribution of levels.

use sea_query::{Expr, Query};
use truongso_demo::DemoConfig;
use truongso_domain::dx::{self, AssessmentStatus, CriteriaSet, DxRules};
use truongso_domain::org::{Levels, OrgKind, SchoolLevel};
use truongso_store::dx::{self as store_dx, Answer, Decision, Measured, ReviewNote, SchoolStatus};
use truongso_store::orgs::{self, OrgInput, OrgUnit};
use truongso_store::schema::{DxAnswers, DxAssessments, DxEvidence};
use truongso_store::{Scope, Store, StoreError, years};
use truongso_testkit::on_both_seeded;

/// The province these tests run on (seeded once, copied for each test).
fn config() -> DemoConfig {
    DemoConfig {
        seed: 9,
        learners: 2_000,
        marks: false,
        ..DemoConfig::default()
    }
}

/// What the tests need of the seeded province.
async fn seeded(store: &Store) -> (i64, Vec<SchoolStatus>, OrgUnit) {
    let year = years::current(&mut store.conn()).await.unwrap().unwrap().id;
    let root = orgs::roots(&mut store.conn(), &Scope::All).await.unwrap()[0].clone();
    let schools = store_dx::schools_under(&mut store.conn(), &root, year)
        .await
        .unwrap();
    (year, schools, root)
}

async fn count(store: &Store, table: impl sea_query::IntoIden) -> i64 {
    let (n,): (i64,) = store
        .conn()
        .fetch_one(Query::select().expr(Expr::cust("COUNT(*)")).from(table))
        .await
        .unwrap();
    n
}

fn answer(code: &str, value: f64) -> Answer {
    Answer {
        indicator_code: code.into(),
        value: Some(value),
        note: None,
        link: None,
    }
}

/// A new school beside the first demo school: one whose assessment has not started.
async fn new_school(store: &Store, schools: &[SchoolStatus]) -> i64 {
    let sibling = orgs::get(&mut store.conn(), &Scope::All, schools[0].school_id)
        .await
        .unwrap();
    let mut tx = store.begin().await.unwrap();
    let unit = orgs::create(
        &mut tx,
        &Scope::All,
        &OrgInput {
            parent_id: sibling.parent_id,
            kind: OrgKind::School,
            code: "59999999".into(),
            name: "Trường Tiểu học Thử Nghiệm".into(),
            ward_code: None,
            address: None,
            lat: None,
            lon: None,
            levels: Levels(vec![SchoolLevel::Primary]),
            ownership: None,
        },
        chrono::NaiveDate::from_ymd_opt(2025, 9, 1).unwrap(),
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    unit.id
}

#[tokio::test]
async fn stored_scores_are_the_scoring_functions() {
    on_both_seeded(&config(), |store, _| async move {
        let (year, schools, _) = seeded(&store).await;
        let set = CriteriaSet::current();
        let rules = DxRules::default();
        let mut submitted = 0;
        for s in schools.iter().filter(|s| s.counted_level().is_some()) {
            let a = store_dx::find(&mut store.conn(), s.school_id, year)
                .await
                .unwrap()
                .unwrap();
            let d = store_dx::detail(&mut store.conn(), a).await.unwrap();
            let scored = dx::score(set, &d.values(), &rules);
            assert_eq!(
                d.assessment.teaching_score,
                Some(scored.groups[0].score),
                "{}",
                s.name
            );
            assert_eq!(d.assessment.management_score, Some(scored.groups[1].score));
            assert_eq!(
                d.assessment.teaching_level,
                Some(i32::from(scored.groups[0].level))
            );
            assert_eq!(
                d.assessment.management_level,
                Some(i32::from(scored.groups[1].level))
            );
            assert_eq!(d.assessment.level, Some(i32::from(scored.level)));
            submitted += 1;
        }
        assert!(submitted > 0);
        // The demo spreads its schools over the statuses (more so with more schools).
        let statuses: std::collections::BTreeSet<_> =
            schools.iter().map(|s| s.status.clone()).collect();
        assert!(statuses.len() >= 2, "{statuses:?}");
    })
    .await;
}

#[tokio::test]
async fn submit_return_and_approve() {
    on_both_seeded(&config(), |store, _| async move {
        let (year, schools, _) = seeded(&store).await;
        let school = new_school(&store, &schools).await;
        let rules = DxRules::default();
        let set = CriteriaSet::current();
        let answers: Vec<Answer> = set
            .indicators()
            .map(|i| answer(&i.code, i.max_value()))
            .collect();
        let mut tx = store.begin().await.unwrap();
        store_dx::save_answers(&mut tx, school, year, &answers)
            .await
            .unwrap();
        let (a, scored) = store_dx::submit(&mut tx, school, year, "hieutruong", &rules)
            .await
            .unwrap();
        tx.commit().await.unwrap();
        assert_eq!(a.status, AssessmentStatus::Submitted);
        assert_eq!(
            (a.teaching_score, a.management_score),
            (Some(100.0), Some(90.0))
        );
        assert_eq!((a.level, scored.level), (Some(3), 3));
        assert_eq!(a.submitted_by.as_deref(), Some("hieutruong"));

        // Submitted: the school can no longer change it.
        let mut tx = store.begin().await.unwrap();
        let err = store_dx::save_answers(&mut tx, school, year, &[answer("1.4", 10.0)]).await;
        assert!(
            matches!(err, Err(StoreError::Conflict(ref f)) if f.field == "status"),
            "{err:?}"
        );
        drop(tx);

        // Returning needs a comment; with one, the per-indicator notes are kept.
        let mut tx = store.begin().await.unwrap();
        let err =
            store_dx::review(&mut tx, school, year, "phong", Decision::Return, None, &[]).await;
        assert!(matches!(err, Err(StoreError::Invalid(ref i)) if i.0[0].field == "comment"));
        drop(tx);
        let note = ReviewNote {
            indicator_code: "2.3c".into(),
            comment: "Chưa khớp số liệu đo được".into(),
        };
        let mut tx = store.begin().await.unwrap();
        let a = store_dx::review(
            &mut tx,
            school,
            year,
            "phong",
            Decision::Return,
            Some("Bổ sung minh chứng"),
            std::slice::from_ref(&note),
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();
        assert_eq!(a.status, AssessmentStatus::Returned);
        assert_eq!(a.review_comment.as_deref(), Some("Bổ sung minh chứng"));
        let d = store_dx::detail(&mut store.conn(), a).await.unwrap();
        assert_eq!(d.review_notes[0].comment, note.comment);

        // Returned: editable again, resubmitted with new scores, then approved.
        let mut tx = store.begin().await.unwrap();
        store_dx::save_answers(&mut tx, school, year, &[answer("2.3c", 50.0)])
            .await
            .unwrap();
        let (a, _) = store_dx::submit(&mut tx, school, year, "hieutruong", &rules)
            .await
            .unwrap();
        assert_eq!(a.management_score, Some(85.0));
        let a = store_dx::review(&mut tx, school, year, "phong", Decision::Approve, None, &[])
            .await
            .unwrap();
        tx.commit().await.unwrap();
        assert_eq!(a.status, AssessmentStatus::Approved);
        assert_eq!(a.reviewed_by.as_deref(), Some("phong"));
        // Approved is final.
        let mut tx = store.begin().await.unwrap();
        assert!(matches!(
            store_dx::review(&mut tx, school, year, "phong", Decision::Approve, None, &[]).await,
            Err(StoreError::Conflict(_))
        ));
        assert!(matches!(
            store_dx::submit(&mut tx, school, year, "hieutruong", &rules).await,
            Err(StoreError::Conflict(_))
        ));
    })
    .await;
}

#[tokio::test]
async fn refused_input_changes_nothing() {
    on_both_seeded(&config(), |store, _| async move {
        let (year, schools, _) = seeded(&store).await;
        let school = new_school(&store, &schools).await;
        let before = (
            count(&store, DxAssessments::Table).await,
            count(&store, DxAnswers::Table).await,
            count(&store, DxEvidence::Table).await,
        );
        // One bad answer among good ones: nothing of the save is written.
        let mut tx = store.begin().await.unwrap();
        let err = store_dx::save_answers(
            &mut tx,
            school,
            year,
            &[answer("1.1", 1.0), answer("1.4", 150.0), answer("9.9", 1.0)],
        )
        .await;
        drop(tx);
        let Err(StoreError::Invalid(invalid)) = err else {
            panic!("{err:?}")
        };
        let fields: Vec<&str> = invalid.0.iter().map(|f| f.field.as_str()).collect();
        assert_eq!(fields, ["answers[1].value", "answers[2].indicator_code"]);
        assert!(invalid.0[0].message.contains("Tỷ lệ"));
        // A program renamed .pdf, an oversized file: refused before anything is written.
        for (name, bytes) in [
            ("quyet-dinh.pdf", b"MZ\x90\x00\x03".to_vec()),
            ("anh.png", b"%PDF-1.4 but named png".to_vec()),
            ("lon.pdf", {
                let mut b = b"%PDF-1.4".to_vec();
                b.resize(dx::MAX_EVIDENCE_BYTES + 1, b' ');
                b
            }),
        ] {
            let mut tx = store.begin().await.unwrap();
            let err =
                store_dx::add_evidence(&mut tx, school, year, "1.1", name, &bytes, "hieutruong")
                    .await;
            assert!(
                matches!(err, Err(StoreError::Invalid(ref i)) if i.0[0].field == "file"),
                "{name}: {err:?}"
            );
        }
        let after = (
            count(&store, DxAssessments::Table).await,
            count(&store, DxAnswers::Table).await,
            count(&store, DxEvidence::Table).await,
        );
        assert_eq!(before, after);
        // A real PDF is stored, bytes and all.
        let mut tx = store.begin().await.unwrap();
        let e = store_dx::add_evidence(
            &mut tx,
            school,
            year,
            "1.1",
            "ke-hoach.pdf",
            b"%PDF-1.4\n%%EOF\n",
            "hieutruong",
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();
        assert_eq!(e.content_type, "application/pdf");
        let (meta, bytes) = store_dx::evidence_file(&mut store.conn(), &Scope::All, e.id)
            .await
            .unwrap();
        assert_eq!(
            (meta.size, bytes.as_slice()),
            (15, &b"%PDF-1.4\n%%EOF\n"[..])
        );
    })
    .await;
}

#[tokio::test]
async fn scope_measures_and_distribution() {
    on_both_seeded(&config(), |store, _| async move {
        let (year, schools, root) = seeded(&store).await;
        let (a, b) = (&schools[0], &schools[1]);
        let unit_a = orgs::get(&mut store.conn(), &Scope::All, a.school_id).await.unwrap();
        // A school's scope reaches itself, not a neighbour, nor the neighbour's evidence.
        assert!(store_dx::school(&mut store.conn(), &unit_a.scope(), a.school_id).await.is_ok());
        assert!(matches!(
            store_dx::school(&mut store.conn(), &unit_a.scope(), b.school_id).await,
            Err(StoreError::NotFound { .. })
        ));
        let mut tx = store.begin().await.unwrap();
        let ev = store_dx::add_evidence(&mut tx, b.school_id, year, "2.1", "qd.pdf", b"%PDF-1.7", "x").await;
        match ev {
            Ok(e) => {
                tx.commit().await.unwrap();
                assert!(store_dx::evidence_file(&mut store.conn(), &unit_a.scope(), e.id).await.is_err());
            }
            // The neighbour's assessment may already be submitted in the demo.
            Err(StoreError::Conflict(_)) => {}
            Err(e) => panic!("{e:?}"),
        }
        // An office is not a school.
        assert!(store_dx::school(&mut store.conn(), &Scope::All, root.id).await.is_err());

        // Measured values: no marks were seeded, so no class uses the e-gradebook yet.
        let m = store_dx::measured(&mut store.conn(), a.school_id, year).await.unwrap();
        assert!(matches!(m["2.3c"], Measured::Share { part: 0, whole, .. } if whole > 0), "{:?}", m["2.3c"]);
        assert!(matches!(m["1.6a"], Measured::Share { .. }));
        assert_eq!(m["2.3h"], Measured::Yes);
        assert!(matches!(&m["2.4c"], Measured::Unavailable { reason } if reason.contains("chưa đo được")));
        assert!(matches!(m["2.4b"], Measured::Unavailable { .. }));

        // The distribution counts every school once, at its counted level.
        let (rows, total) = store_dx::distribution(&mut store.conn(), &root, year).await.unwrap();
        assert_eq!(total.total(), schools.len() as u64);
        assert_eq!(rows.iter().map(|r| r.counts.total()).sum::<u64>(), total.total());
        let mut expected = dx::LevelCounts::default();
        for s in &schools {
            expected.add(s.counted_level());
        }
        assert_eq!(total, expected);
    })
    .await;
}
