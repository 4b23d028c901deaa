//! Admission campaigns and assignment runs on SQLite and PostgreSQL: the demo's three campaigns,
//! a run's stored results equal the pure assignment, cut-offs never fall for later choices,
//! publishing, refused campaign input leaves the database unchanged, and scope.

use sea_query::{Expr, ExprTrait, Query};
use truongso_demo::DemoConfig;
use truongso_store::admission::runs::{self, Outcome, ResultFilter};
use truongso_store::admission::{
    self, CampaignStatus, NewCampaign, NewCampaignSchool, campaign_schools, campaigns,
};
use truongso_store::schema::{AdmApplications, AdmCampaigns, AdmResults};
use truongso_store::{PageRequest, Scope, Store, StoreError, orgs};
use truongso_testkit::on_both_seeded;

/// The province these tests run on (seeded once, copied for each test).
fn config() -> DemoConfig {
    DemoConfig {
        seed: 11,
        learners: 3_000,
        marks: false,
        ..DemoConfig::default()
    }
}

async fn count(store: &Store, table: impl sea_query::IntoIden) -> i64 {
    let (n,): (i64,) = store
        .conn()
        .fetch_one(Query::select().expr(Expr::cust("COUNT(*)")).from(table))
        .await
        .unwrap();
    n
}

async fn by_grade(store: &Store, grade: i32) -> admission::Campaign {
    campaigns(&mut store.conn(), &Scope::All)
        .await
        .unwrap()
        .into_iter()
        .find(|c| c.entry_grade == grade)
        .expect("demo campaign")
}

#[tokio::test]
async fn the_demo_has_a_campaign_in_each_phase_and_grade_10_results_are_published() {
    on_both_seeded(&config(), |store, _| async move {
        let c10 = by_grade(&store, 10).await;
        let c6 = by_grade(&store, 6).await;
        let c1 = by_grade(&store, 1).await;
        assert_eq!(c10.status, CampaignStatus::Published);
        assert_eq!(c6.status, CampaignStatus::Closed);
        assert_eq!(c1.status, CampaignStatus::Open);
        let run_id = c10.published_run_id.expect("published run");
        let cut_offs = runs::cut_offs(&mut store.conn(), run_id).await.unwrap();
        assert!(!cut_offs.is_empty());
        // A school's cut-off for a later choice is never lower than for an earlier one.
        for pair in cut_offs.windows(2) {
            if pair[0].school_id == pair[1].school_id
                && let (Some(a), Some(b)) = (pair[0].cut_off, pair[1].cut_off)
            {
                assert!(
                    b >= a,
                    "{} NV{}: {b} < {a}",
                    pair[0].school_name,
                    pair[1].choice
                );
            }
        }
        // Nobody is admitted beyond the seats (ties are broken by applicant, the default).
        let schools = campaign_schools(&mut store.conn(), c10.id).await.unwrap();
        for s in &schools {
            let admitted = runs::results(
                &mut store.conn(),
                run_id,
                &ResultFilter {
                    outcome: Some("admitted".into()),
                    school_id: Some(s.school_id),
                },
                &PageRequest::new(1, 1),
            )
            .await
            .unwrap()
            .total;
            assert!(admitted as i32 <= s.seats, "{}", s.name);
        }
        // Every application not withdrawn has a result with an explanation.
        let results = count(&store, AdmResults::Table).await;
        let (applications,): (i64,) = store
            .conn()
            .fetch_one(
                Query::select()
                    .expr(Expr::cust("COUNT(*)"))
                    .from(AdmApplications::Table)
                    .and_where(Expr::col(AdmApplications::CampaignId).eq(c10.id)),
            )
            .await
            .unwrap();
        assert_eq!(results, applications);
        let page = runs::results(
            &mut store.conn(),
            run_id,
            &ResultFilter::default(),
            &PageRequest::new(1, 500),
        )
        .await
        .unwrap();
        for r in &page.items {
            assert!(r.explanation.len() > 10);
            assert_eq!(r.outcome == Outcome::Admitted, r.school_id.is_some());
        }
    })
    .await;
}

#[tokio::test]
async fn a_grade_6_run_places_in_zone_children_first_and_can_be_published() {
    on_both_seeded(&config(), |store, _| async move {
        let c6 = by_grade(&store, 6).await;
        let mut tx = store.begin().await.unwrap();
        let run = runs::simulate(&mut tx, &c6, &Default::default(), "test")
            .await
            .unwrap();
        tx.commit().await.unwrap();
        assert_eq!(run.mechanism, "zone");
        let page = runs::results(
            &mut store.conn(),
            run.id,
            &ResultFilter::default(),
            &PageRequest::new(1, 500),
        )
        .await
        .unwrap();
        assert!(page.items.iter().any(|r| r.outcome == Outcome::Admitted));
        // Unverified applications are not put through the rules, and say so.
        for r in page
            .items
            .iter()
            .filter(|r| r.outcome == Outcome::NotConsidered)
        {
            assert!(r.explanation.contains("xác minh") || r.explanation.contains("điều kiện"));
        }
        let mut tx = store.begin().await.unwrap();
        let published = runs::publish(&mut tx, &c6, run.id).await.unwrap();
        tx.commit().await.unwrap();
        assert_eq!(published.status, CampaignStatus::Published);
        assert_eq!(published.published_run_id, Some(run.id));
        // An open campaign cannot be run.
        let c1 = by_grade(&store, 1).await;
        let mut tx = store.begin().await.unwrap();
        assert!(matches!(
            runs::simulate(&mut tx, &c1, &Default::default(), "test").await,
            Err(StoreError::Conflict(_))
        ));
    })
    .await;
}

#[tokio::test]
async fn bad_campaign_input_is_refused_whole_and_scope_limits_what_is_seen() {
    on_both_seeded(&config(), |store, _| async move {
        let c10 = by_grade(&store, 10).await;
        let before = count(&store, AdmCampaigns::Table).await;
        let schools = campaign_schools(&mut store.conn(), c10.id).await.unwrap();
        let mut input = NewCampaign {
            owner_id: c10.owner_id,
            school_year_id: c10.school_year_id,
            entry_grade: 10,
            name: "Tuyển sinh bổ sung".into(),
            opens_at: c10.opens_at,
            closes_at: c10.closes_at,
            results_at: c10.results_at,
            max_choices: 3,
            required_documents: vec![],
            schools: vec![
                NewCampaignSchool {
                    school_id: schools[0].school_id,
                    seats: 0,
                    zone: None,
                    zone_areas: vec![],
                },
                NewCampaignSchool {
                    school_id: schools[0].school_id,
                    seats: 10,
                    zone: None,
                    zone_areas: vec![],
                },
            ],
        };
        let mut tx = store.begin().await.unwrap();
        let err = admission::create_campaign(&mut tx, &Scope::All, &input)
            .await
            .unwrap_err();
        drop(tx);
        let StoreError::Invalid(invalid) = err else {
            panic!("{err:?}")
        };
        let fields: Vec<&str> = invalid.0.iter().map(|e| e.field.as_str()).collect();
        assert!(fields.contains(&"schools[0].seats"), "{fields:?}");
        assert!(fields.contains(&"schools[1].school_id"), "{fields:?}");
        assert_eq!(count(&store, AdmCampaigns::Table).await, before);
        // Grade 1 in an upper-secondary school is refused, naming the school.
        input.entry_grade = 1;
        input.schools.truncate(1);
        input.schools[0].seats = 10;
        input.schools[0].zone_areas = vec!["00000".into()];
        let mut tx = store.begin().await.unwrap();
        let err = admission::create_campaign(&mut tx, &Scope::All, &input)
            .await
            .unwrap_err();
        let StoreError::Invalid(invalid) = err else {
            panic!("{err:?}")
        };
        let messages: Vec<&str> = invalid.0.iter().map(|e| e.message.as_str()).collect();
        assert!(
            messages.iter().any(|m| m.contains("không dạy lớp 1")),
            "{messages:?}"
        );
        assert!(
            messages.iter().any(|m| m.contains("'00000'")),
            "{messages:?}"
        );
        drop(tx);
        // A school's staff reach the campaigns that take in their school, not the others.
        let school = orgs::get(&mut store.conn(), &Scope::All, schools[0].school_id)
            .await
            .unwrap();
        let seen = campaigns(&mut store.conn(), &school.scope()).await.unwrap();
        assert!(seen.iter().all(|c| c.entry_grade == 10), "{seen:?}");
        assert!(!seen.is_empty());
        assert!(
            campaigns(
                &mut store.conn(),
                &Scope::Learners {
                    learner_ids: vec![]
                }
            )
            .await
            .unwrap()
            .is_empty()
        );
    })
    .await;
}
