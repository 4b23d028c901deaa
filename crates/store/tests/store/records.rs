//! Store tests, each run on SQLite and PostgreSQL.

use chrono::NaiveDate;
use truongso_demo::DemoConfig;
use truongso_domain::codes::Gender;
use truongso_domain::learners::{GuardianInput, GuardianRelation, LearnerInput};
use truongso_domain::org::{Levels, OrgKind, SchoolLevel};
use truongso_store::learners::{LearnerFilter, NewLearner};
use truongso_store::orgs::{OrgFilter, OrgInput};
use truongso_store::{PageRequest, Scope, Store, StoreError, learners, orgs};
use truongso_testkit::{on_both, on_both_seeded};

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 1, 15).unwrap()
}

fn learner_input(name: &str, id: Option<&str>) -> LearnerInput {
    LearnerInput {
        national_id: id.map(str::to_string),
        full_name: name.to_string(),
        birth_date: NaiveDate::from_ymd_opt(2012, 9, 5).unwrap(),
        gender: Gender::Female,
        ethnicity_code: "01".into(),
        nationality: "VN".into(),
        religion: None,
        address: Some("Thôn 1".into()),
        ward_code: None,
        disability: None,
        policy_group: None,
        guardians: vec![GuardianInput {
            relation: GuardianRelation::Mother,
            full_name: "Trần Thị Mai".into(),
            phone: Some("0912345678".into()),
            email: None,
            national_id: None,
        }],
    }
}

/// The province these tests run on (seeded once, copied for each test).
fn config() -> DemoConfig {
    DemoConfig {
        seed: 7,
        learners: 2_000,
        // These tests do not look at the gradebook: seed faster without the year of marks.
        marks: false,
        ..DemoConfig::default()
    }
}

/// Table → sorted column names, read from the live schema.
async fn schema_of(store: &Store) -> std::collections::BTreeMap<String, Vec<String>> {
    #[derive(sqlx::FromRow)]
    struct Col {
        table_name: String,
        column_name: String,
    }
    let sql = match store.backend() {
        truongso_store::Backend::Sqlite => {
            "SELECT m.name AS table_name, p.name AS column_name FROM sqlite_master m JOIN pragma_table_info(m.name) p WHERE m.type = 'table'"
        }
        truongso_store::Backend::Postgres => {
            "SELECT table_name::text AS table_name, column_name::text AS column_name FROM information_schema.columns WHERE table_schema = 'public'"
        }
    };
    let cols: Vec<Col> = store.conn().fetch_all_raw(sql, &[]).await.unwrap();
    let mut map = std::collections::BTreeMap::<String, Vec<String>>::new();
    for c in cols
        .into_iter()
        .filter(|c| !truongso_store::migrate::is_backend_specific_table(&c.table_name))
    {
        map.entry(c.table_name).or_default().push(c.column_name);
    }
    map.values_mut().for_each(|v| v.sort());
    map
}

#[tokio::test]
async fn both_schemas_have_the_same_tables_and_columns() {
    let sqlite = truongso_testkit::sqlite().await;
    let Some((pg, _name)) = truongso_testkit::postgres().await else {
        return;
    };
    let a = schema_of(&sqlite).await;
    let b = schema_of(&pg).await;
    assert!(a.contains_key("learners"));
    assert_eq!(a, b);
}

#[tokio::test]
async fn migrations_are_idempotent() {
    on_both(|store| async move {
        assert!(
            truongso_store::migrate::run(&store)
                .await
                .unwrap()
                .is_empty()
        );
    })
    .await;
}

#[tokio::test]
async fn seeds_a_province_and_browses_it() {
    on_both_seeded(&config(), |store, report| async move {
        assert!(
            report.learners > 1_800 && report.learners < 2_300,
            "{report:?}"
        );
        assert!(report.planted_faults > 0);
        assert!(!report.accounts.is_empty());
        let mut conn = store.conn();
        let roots = orgs::roots(&mut conn, &Scope::All).await.unwrap();
        assert_eq!(roots.len(), 1);
        assert_eq!(roots[0].kind, OrgKind::Ministry);
        let schools = orgs::list(
            &mut conn,
            &Scope::All,
            &OrgFilter {
                kind: Some(OrgKind::School),
                ..Default::default()
            },
            &PageRequest::new(1, 500),
        )
        .await
        .unwrap();
        assert_eq!(schools.total, report.schools);
        let all = learners::list(
            &mut conn,
            &Scope::All,
            &LearnerFilter::default(),
            &PageRequest::new(1, 10),
        )
        .await
        .unwrap();
        assert_eq!(all.total, report.learners);
        // A school's scope sees only its own learners.
        let school = &schools.items[0];
        let scoped = learners::list(
            &mut conn,
            &school.scope(),
            &LearnerFilter::default(),
            &PageRequest::new(1, 500),
        )
        .await
        .unwrap();
        assert!(scoped.total > 0 && scoped.total < report.learners);
        assert!(scoped.items.iter().all(|l| l.school_id == school.id));
        let other = all
            .items
            .iter()
            .find(|l| l.school_id != school.id)
            .expect("a learner of another school");
        assert!(matches!(
            learners::get(&mut conn, &school.scope(), other.id).await,
            Err(StoreError::NotFound { .. })
        ));
    })
    .await;
}

#[tokio::test]
async fn search_ignores_diacritics_and_finds_national_ids() {
    on_both_seeded(&config(), |store, _| async move {
        let school = orgs::list(
            &mut store.conn(),
            &Scope::All,
            &OrgFilter {
                kind: Some(OrgKind::School),
                ..Default::default()
            },
            &PageRequest::new(1, 1),
        )
        .await
        .unwrap()
        .items
        .remove(0);
        let mut tx = store.begin().await.unwrap();
        let created = learners::create(
            &mut tx,
            &Scope::All,
            &NewLearner {
                profile: learner_input("Đặng Thị Hoà", Some("051312345678")),
                school_id: school.id,
                class_id: None,
            },
            today(),
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();
        for q in [
            "dang thi hoa",
            "hoa dang",
            "ĐẶNG THỊ HOÀ",
            "dang thi ho",
            "051312345678",
            created.learner_code.as_str(),
        ] {
            let found = learners::list(
                &mut store.conn(),
                &Scope::All,
                &LearnerFilter {
                    q: Some(q.into()),
                    ..Default::default()
                },
                &PageRequest::new(1, 50),
            )
            .await
            .unwrap();
            assert!(
                found.items.iter().any(|l| l.id == created.id),
                "query {q:?} missed the learner"
            );
        }
        let none = learners::list(
            &mut store.conn(),
            &Scope::All,
            &LearnerFilter {
                q: Some("zzzqqq".into()),
                ..Default::default()
            },
            &PageRequest::new(1, 50),
        )
        .await
        .unwrap();
        assert_eq!(none.total, 0);
    })
    .await;
}

#[tokio::test]
async fn invalid_learner_is_rejected_without_writing() {
    on_both_seeded(&config(), |store, _| async move {
        let school = orgs::list(
            &mut store.conn(),
            &Scope::All,
            &OrgFilter {
                kind: Some(OrgKind::School),
                ..Default::default()
            },
            &PageRequest::new(1, 1),
        )
        .await
        .unwrap()
        .items
        .remove(0);
        let before = learners::list(
            &mut store.conn(),
            &Scope::All,
            &LearnerFilter::default(),
            &PageRequest::new(1, 1),
        )
        .await
        .unwrap()
        .total;
        let mut bad = learner_input("Lê Văn Sai", Some("051212345678")); // encodes a boy born 2012; input says girl
        bad.guardians[0].phone = Some("12345".into());
        let mut tx = store.begin().await.unwrap();
        let err = learners::create(
            &mut tx,
            &Scope::All,
            &NewLearner {
                profile: bad,
                school_id: school.id,
                class_id: None,
            },
            today(),
        )
        .await
        .unwrap_err();
        drop(tx);
        let StoreError::Invalid(inv) = err else {
            panic!("expected invalid, got {err:?}")
        };
        let fields: Vec<_> = inv.0.iter().map(|e| e.field.as_str()).collect();
        assert!(
            fields.contains(&"national_id") && fields.contains(&"guardians[0].phone"),
            "{fields:?}"
        );
        let after = learners::list(
            &mut store.conn(),
            &Scope::All,
            &LearnerFilter::default(),
            &PageRequest::new(1, 1),
        )
        .await
        .unwrap()
        .total;
        assert_eq!(before, after);
    })
    .await;
}

#[tokio::test]
async fn moving_a_school_keeps_its_managing_history() {
    on_both(|store| async move {
        let mut tx = store.begin().await.unwrap();
        let d = NaiveDate::from_ymd_opt(2020, 1, 1).unwrap();
        let unit = |parent: Option<i64>, kind, code: &str, levels: Vec<SchoolLevel>| OrgInput {
            parent_id: parent,
            kind,
            code: code.into(),
            name: format!("Đơn vị {code}"),
            ward_code: None,
            address: None,
            lat: None,
            lon: None,
            levels: Levels(levels),
            ownership: None,
        };
        let ministry = orgs::create(
            &mut tx,
            &Scope::All,
            &unit(None, OrgKind::Ministry, "BO", vec![]),
            d,
        )
        .await
        .unwrap();
        let dept = orgs::create(
            &mut tx,
            &Scope::All,
            &unit(Some(ministry.id), OrgKind::Department, "SO", vec![]),
            d,
        )
        .await
        .unwrap();
        let old = orgs::create(
            &mut tx,
            &Scope::All,
            &unit(Some(dept.id), OrgKind::LocalOffice, "HUYEN", vec![]),
            d,
        )
        .await
        .unwrap();
        let new = orgs::create(
            &mut tx,
            &Scope::All,
            &unit(Some(dept.id), OrgKind::LocalOffice, "XA", vec![]),
            d,
        )
        .await
        .unwrap();
        let school = orgs::create(
            &mut tx,
            &Scope::All,
            &unit(
                Some(old.id),
                OrgKind::School,
                "TH1",
                vec![SchoolLevel::Primary],
            ),
            d,
        )
        .await
        .unwrap();
        let site = orgs::create(
            &mut tx,
            &Scope::All,
            &unit(Some(school.id), OrgKind::SatelliteSite, "TH1-DT", vec![]),
            d,
        )
        .await
        .unwrap();
        // A satellite site may not hang under a department.
        let wrong = orgs::create(
            &mut tx,
            &Scope::All,
            &unit(Some(dept.id), OrgKind::SatelliteSite, "X", vec![]),
            d,
        )
        .await;
        assert!(matches!(wrong, Err(StoreError::Invalid(_))));
        let mut input = unit(
            Some(new.id),
            OrgKind::School,
            "TH1",
            vec![SchoolLevel::Primary],
        );
        input.name = "Trường Tiểu học Số 1".into();
        let reform = NaiveDate::from_ymd_opt(2025, 7, 1).unwrap();
        let moved = orgs::update(
            &mut tx,
            &Scope::All,
            school.id,
            &input,
            reform,
            Some("Chính quyền hai cấp"),
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();
        assert!(moved.path.starts_with(&new.path));
        let site = orgs::get(&mut store.conn(), &Scope::All, site.id)
            .await
            .unwrap();
        assert!(
            site.path.starts_with(&moved.path),
            "the subtree moved along"
        );
        let history = orgs::parent_history(&mut store.conn(), school.id)
            .await
            .unwrap();
        assert_eq!(history.len(), 2);
        assert_eq!(history[0].parent_id, Some(old.id));
        assert_eq!(history[0].valid_to, Some(reform));
        assert_eq!(history[1].parent_id, Some(new.id));
        // The old office no longer sees the school; the new one does.
        assert!(
            orgs::get(&mut store.conn(), &old.scope(), school.id)
                .await
                .is_err()
        );
        assert!(
            orgs::get(&mut store.conn(), &new.scope(), school.id)
                .await
                .is_ok()
        );
    })
    .await;
}
