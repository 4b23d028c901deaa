//! The staff side of admission on SQLite and PostgreSQL: who reaches which applications in the
//! queue, the detail and the documents; reviews change the status and write the guardian's
//! message; the score import is all or nothing and names every bad row.

use chrono::{Duration, NaiveDate, Utc};
use sea_query::{Expr, ExprTrait, Query};
use truongso_demo::DemoConfig;
use truongso_domain::org::{Levels, OrgKind, SchoolLevel};
use truongso_domain::tabular::{TableWriter, read_table};
use truongso_store::admission::review::{
    self, DocumentDecision, DocumentReview, QueueFilter, ReviewDecision, ReviewInput,
};
use truongso_store::admission::{
    self as adm, ApplicationStatus, Campaign, CampaignStatus, DocumentRequirement, NewCampaign,
    NewCampaignSchool,
};
use truongso_store::orgs::{self, OrgFilter, OrgUnit};
use truongso_store::schema::{AdmApplications, AdmChoices, AdmDocuments, AdmOutbox};
use truongso_store::{PageRequest, Scope, Store, StoreError, years};
use truongso_testkit::on_both_seeded;

struct World {
    department: OrgUnit,
    school_a: OrgUnit,
    school_b: OrgUnit,
    campaign: Campaign,
    /// Applications: two with NV1 = A, one with NV1 = B (NV2 = A).
    apps: Vec<i64>,
}

/// The province these tests run on (seeded once, copied for each test).
fn config() -> DemoConfig {
    DemoConfig {
        seed: 7,
        learners: 500,
        marks: false,
        ..DemoConfig::default()
    }
}

async fn world(store: &Store) -> World {
    let mut conn = store.conn();
    let all = orgs::list(
        &mut conn,
        &Scope::All,
        &OrgFilter::default(),
        &PageRequest::new(1, 500),
    )
    .await
    .unwrap()
    .items;
    let department = all
        .iter()
        .find(|u| u.kind == OrgKind::Department)
        .unwrap()
        .clone();
    let upper = [
        school(store, &department, "79990001", "Trường THPT Thử Nghiệm A").await,
        school(store, &department, "79990002", "Trường THPT Thử Nghiệm B").await,
    ];
    let mut conn = store.conn();
    let year = years::current(&mut conn).await.unwrap().unwrap().id;
    let campaign = grade10_campaign(store, &department, &[&upper[0], &upper[1]], year).await;
    let (a, b) = (upper[0].id, upper[1].id);
    let apps = vec![
        insert_application(
            store,
            &campaign,
            "079210000001",
            "Nguyễn Văn An",
            &[a, b],
            Some(1),
        )
        .await,
        insert_application(
            store,
            &campaign,
            "079210000002",
            "Trần Thị Bình",
            &[a],
            None,
        )
        .await,
        insert_application(
            store,
            &campaign,
            "079210000003",
            "Lê Đức Cường",
            &[b, a],
            None,
        )
        .await,
    ];
    World {
        department,
        school_a: upper[0].clone(),
        school_b: upper[1].clone(),
        campaign,
        apps,
    }
}

/// A new upper-secondary school under `parent`.
async fn school(store: &Store, parent: &OrgUnit, code: &str, name: &str) -> OrgUnit {
    let mut tx = store.begin().await.unwrap();
    let unit = orgs::create(
        &mut tx,
        &Scope::All,
        &orgs::OrgInput {
            parent_id: Some(parent.id),
            kind: OrgKind::School,
            code: code.into(),
            name: name.into(),
            ward_code: None,
            address: None,
            lat: None,
            lon: None,
            levels: Levels(vec![SchoolLevel::UpperSecondary]),
            ownership: None,
        },
        NaiveDate::from_ymd_opt(2025, 9, 1).unwrap(),
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    unit
}

async fn grade10_campaign(
    store: &Store,
    owner: &OrgUnit,
    schools: &[&OrgUnit],
    year: i64,
) -> Campaign {
    let now = Utc::now();
    let mut tx = store.begin().await.unwrap();
    let c = adm::create_campaign(
        &mut tx,
        &Scope::All,
        &NewCampaign {
            owner_id: owner.id,
            school_year_id: year,
            entry_grade: 10,
            name: "Tuyển sinh lớp 10 năm học 2026-2027".into(),
            opens_at: now - Duration::days(1),
            closes_at: now + Duration::days(10),
            results_at: now + Duration::days(30),
            max_choices: 3,
            required_documents: vec![DocumentRequirement {
                code: "giay_khai_sinh".into(),
                label: "Giấy khai sinh".into(),
                required: true,
            }],
            schools: schools
                .iter()
                .map(|s| NewCampaignSchool {
                    school_id: s.id,
                    seats: 40,
                    zone: None,
                    zone_areas: vec![],
                })
                .collect(),
        },
    )
    .await
    .unwrap();
    let c = adm::set_status(&mut tx, &c, CampaignStatus::Open)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    c
}

/// An application as the guardian side would store it, with its choices and one document.
async fn insert_application(
    store: &Store,
    c: &Campaign,
    national_id: &str,
    name: &str,
    choices: &[i64],
    priority: Option<i32>,
) -> i64 {
    let now = Utc::now();
    let code = truongso_domain::admission::tracking_code(national_id.parse::<u64>().unwrap());
    let mut tx = store.begin().await.unwrap();
    tx.conn()
        .execute(
            Query::insert()
                .into_table(AdmApplications::Table)
                .columns([
                    AdmApplications::CampaignId,
                    AdmApplications::TrackingCode,
                    AdmApplications::NationalId,
                    AdmApplications::BirthDate,
                    AdmApplications::FullName,
                    AdmApplications::Gender,
                    AdmApplications::ResidenceCode,
                    AdmApplications::GuardianName,
                    AdmApplications::ContactChannel,
                    AdmApplications::ContactAddress,
                    AdmApplications::PriorityGroup,
                    AdmApplications::Status,
                    AdmApplications::SubmittedAt,
                    AdmApplications::UpdatedAt,
                ])
                .values_panic([
                    c.id.into(),
                    code.into(),
                    national_id.into(),
                    NaiveDate::from_ymd_opt(2011, 3, 4).unwrap().into(),
                    name.into(),
                    "M".into(),
                    "26734".into(),
                    "Phụ huynh".into(),
                    "email".into(),
                    format!("ph{national_id}@example.vn").into(),
                    priority.into(),
                    "submitted".into(),
                    now.into(),
                    now.into(),
                ]),
        )
        .await
        .unwrap();
    let (id,): (i64,) = tx
        .conn()
        .fetch_one(
            Query::select()
                .column(AdmApplications::Id)
                .from(AdmApplications::Table)
                .and_where(Expr::col(AdmApplications::NationalId).eq(national_id)),
        )
        .await
        .unwrap();
    for (rank, school) in choices.iter().enumerate() {
        tx.conn()
            .execute(
                Query::insert()
                    .into_table(AdmChoices::Table)
                    .columns([
                        AdmChoices::ApplicationId,
                        AdmChoices::Rank,
                        AdmChoices::SchoolId,
                    ])
                    .values_panic([id.into(), (rank as i32 + 1).into(), (*school).into()]),
            )
            .await
            .unwrap();
    }
    let png = b"\x89PNG\r\n\x1a\nfake".to_vec();
    tx.conn()
        .execute(
            Query::insert()
                .into_table(AdmDocuments::Table)
                .columns([
                    AdmDocuments::ApplicationId,
                    AdmDocuments::Kind,
                    AdmDocuments::FileName,
                    AdmDocuments::ContentType,
                    AdmDocuments::Size,
                    AdmDocuments::Content,
                    AdmDocuments::Status,
                    AdmDocuments::UploadedAt,
                ])
                .values_panic([
                    id.into(),
                    "giay_khai_sinh".into(),
                    "khai-sinh.png".into(),
                    "image/png".into(),
                    (png.len() as i64).into(),
                    png.into(),
                    "pending".into(),
                    now.into(),
                ]),
        )
        .await
        .unwrap();
    tx.commit().await.unwrap();
    id
}

async fn outbox(store: &Store) -> Vec<(String, String, String)> {
    store
        .conn()
        .fetch_all(
            Query::select()
                .columns([AdmOutbox::Recipient, AdmOutbox::Subject, AdmOutbox::Body])
                .from(AdmOutbox::Table)
                .order_by(AdmOutbox::Id, sea_query::Order::Asc),
        )
        .await
        .unwrap()
}

fn all() -> PageRequest {
    PageRequest::new(1, 100)
}

#[tokio::test]
async fn the_queue_shows_each_actor_their_reach() {
    on_both_seeded(&config(), |store, _| async move {
        let w = world(&store).await;
        let mut conn = store.conn();
        let f = QueueFilter::default();
        // The department runs the campaign: everything.
        let dept = review::queue(&mut conn, &w.department.scope(), &w.campaign, &f, &all())
            .await
            .unwrap();
        assert_eq!(dept.total, 3);
        let row = dept.items.iter().find(|r| r.id == w.apps[0]).unwrap();
        assert_eq!(row.first_choice_id, Some(w.school_a.id));
        assert_eq!(
            row.first_choice_name.as_deref(),
            Some(w.school_a.name.as_str())
        );
        assert_eq!((row.documents, row.pending_documents), (1, 1));
        assert_eq!(row.priority_group, Some(1));
        // School A: its two first choices, not B's applicant who put A second.
        let a = review::queue(&mut conn, &w.school_a.scope(), &w.campaign, &f, &all())
            .await
            .unwrap();
        let mut ids: Vec<i64> = a.items.iter().map(|r| r.id).collect();
        ids.sort();
        assert_eq!(ids, vec![w.apps[0], w.apps[1]]);
        let b = review::queue(&mut conn, &w.school_b.scope(), &w.campaign, &f, &all())
            .await
            .unwrap();
        assert_eq!(
            b.items.iter().map(|r| r.id).collect::<Vec<_>>(),
            vec![w.apps[2]]
        );
        let nobody = Scope::Learners {
            learner_ids: vec![],
        };
        let none = review::queue(&mut conn, &nobody, &w.campaign, &f, &all())
            .await
            .unwrap();
        assert_eq!(none.total, 0);
        // Filters: name without diacritics, national ID, tracking code, priority, school.
        let by = |q: &str| QueueFilter {
            q: Some(q.into()),
            ..Default::default()
        };
        let scope = w.department.scope();
        for (q, expect) in [
            ("duc cuong", w.apps[2]),
            ("079210000002", w.apps[1]),
            (row.tracking_code.to_lowercase().as_str(), w.apps[0]),
        ] {
            let p = review::queue(&mut conn, &scope, &w.campaign, &by(q), &all())
                .await
                .unwrap();
            assert_eq!(
                p.items.iter().map(|r| r.id).collect::<Vec<_>>(),
                vec![expect],
                "{q}"
            );
        }
        let prio = QueueFilter {
            has_priority: Some(true),
            ..Default::default()
        };
        let p = review::queue(&mut conn, &scope, &w.campaign, &prio, &all())
            .await
            .unwrap();
        assert_eq!(p.total, 1);
        let school = QueueFilter {
            school_id: Some(w.school_b.id),
            ..Default::default()
        };
        let p = review::queue(&mut conn, &scope, &w.campaign, &school, &all())
            .await
            .unwrap();
        assert_eq!(p.total, 1);
        let paged = review::queue(&mut conn, &scope, &w.campaign, &f, &PageRequest::new(2, 2))
            .await
            .unwrap();
        assert_eq!((paged.total, paged.items.len()), (3, 1));
        let counts = review::status_counts(&mut conn, &w.school_a.scope(), &w.campaign, &f)
            .await
            .unwrap();
        assert_eq!(counts[0].status, ApplicationStatus::Submitted);
        assert_eq!(counts[0].count, 2);
        assert!(counts[1..].iter().all(|c| c.count == 0));
        // The detail and the documents follow the same reach.
        assert!(
            review::application_for_staff(&mut conn, &w.school_a.scope(), &w.campaign, w.apps[0])
                .await
                .is_ok()
        );
        let outside =
            review::application_for_staff(&mut conn, &w.school_a.scope(), &w.campaign, w.apps[2])
                .await;
        assert!(matches!(outside, Err(StoreError::NotFound { .. })));
        let docs = truongso_store::admission::documents(&mut conn, w.apps[2])
            .await
            .unwrap();
        assert!(matches!(
            review::document(&mut conn, &w.school_a.scope(), docs[0].id).await,
            Err(StoreError::NotFound { .. })
        ));
        let (info, bytes, campaign_id) =
            review::document(&mut conn, &w.school_b.scope(), docs[0].id)
                .await
                .unwrap();
        assert_eq!(info.content_type, "image/png");
        assert!(bytes.starts_with(b"\x89PNG"));
        assert_eq!(campaign_id, w.campaign.id);
    })
    .await;
}

#[tokio::test]
async fn reviews_change_the_status_and_write_to_the_guardian() {
    on_both_seeded(&config(), |store, _| async move {
        let w = world(&store).await;
        let scope = w.school_a.scope();
        let app = |id| {
            let store = store.clone();
            let c = w.campaign.clone();
            let scope = scope.clone();
            async move {
                review::application_for_staff(&mut store.conn(), &scope, &c, id)
                    .await
                    .unwrap()
            }
        };
        // A note is required unless verifying; nothing is written when refused.
        let a0 = app(w.apps[0]).await;
        let mut tx = store.begin().await.unwrap();
        let refused = review::review(
            &mut tx,
            &scope,
            &a0,
            &ReviewInput {
                decision: ReviewDecision::Reject,
                note: Some("  ".into()),
                priority_group: None,
                documents: vec![],
            },
            "hieutruong",
        )
        .await;
        assert!(matches!(refused, Err(StoreError::Invalid(ref i)) if i.0[0].field == "note"));
        drop(tx);
        assert!(outbox(&store).await.is_empty());

        let docs = truongso_store::admission::documents(&mut store.conn(), a0.id)
            .await
            .unwrap();
        let mut tx = store.begin().await.unwrap();
        let corrected = review::review(
            &mut tx,
            &scope,
            &a0,
            &ReviewInput {
                decision: ReviewDecision::RequestCorrection,
                note: Some("Ảnh giấy khai sinh bị mờ".into()),
                priority_group: None,
                documents: vec![DocumentReview {
                    document_id: docs[0].id,
                    status: DocumentDecision::Rejected,
                    note: Some("mờ".into()),
                }],
            },
            "hieutruong",
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();
        assert_eq!(corrected.status, ApplicationStatus::NeedsCorrection);
        assert_eq!(
            corrected.priority_group, None,
            "the claimed group was cleared"
        );
        assert_eq!(corrected.reviewed_by.as_deref(), Some("hieutruong"));
        let docs = truongso_store::admission::documents(&mut store.conn(), a0.id)
            .await
            .unwrap();
        assert_eq!(docs[0].status, "rejected");
        let sent = outbox(&store).await;
        assert_eq!(sent.len(), 1);
        assert_eq!(sent[0].0, a0.contact_address);
        assert!(sent[0].1.contains("cần bổ sung"));
        assert!(sent[0].2.contains("Ảnh giấy khai sinh bị mờ"));

        let a1 = app(w.apps[1]).await;
        let mut tx = store.begin().await.unwrap();
        let verified = review::review(
            &mut tx,
            &scope,
            &a1,
            &ReviewInput {
                decision: ReviewDecision::Verify,
                note: None,
                priority_group: Some(2),
                documents: vec![],
            },
            "hieutruong",
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();
        assert_eq!(verified.status, ApplicationStatus::Verified);
        assert_eq!(verified.priority_group, Some(2));
        let mut tx = store.begin().await.unwrap();
        let rejected = review::review(
            &mut tx,
            &scope,
            &verified,
            &ReviewInput {
                decision: ReviewDecision::Reject,
                note: Some("Không thuộc diện tuyển sinh".into()),
                priority_group: None,
                documents: vec![],
            },
            "hieutruong",
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();
        assert_eq!(rejected.status, ApplicationStatus::Rejected);
        let sent = outbox(&store).await;
        assert_eq!(sent.len(), 3);
        assert!(sent[1].1.contains("đã được xác minh"));
        assert!(sent[2].1.contains("không đủ điều kiện"));
        assert!(sent[2].2.contains("Không thuộc diện tuyển sinh"));

        // Outside the reach: not found. After publication: refused.
        let foreign = review::application_for_staff(
            &mut store.conn(),
            &w.department.scope(),
            &w.campaign,
            w.apps[2],
        )
        .await
        .unwrap();
        let mut tx = store.begin().await.unwrap();
        let outside = review::review(
            &mut tx,
            &scope,
            &foreign,
            &ReviewInput {
                decision: ReviewDecision::Verify,
                note: None,
                priority_group: None,
                documents: vec![],
            },
            "hieutruong",
        )
        .await;
        assert!(matches!(outside, Err(StoreError::NotFound { .. })));
        drop(tx);
        store
            .conn()
            .execute(
                Query::update()
                    .table(truongso_store::schema::AdmCampaigns::Table)
                    .value(truongso_store::schema::AdmCampaigns::Status, "published")
                    .and_where(
                        Expr::col(truongso_store::schema::AdmCampaigns::Id).eq(w.campaign.id),
                    ),
            )
            .await
            .unwrap();
        let mut tx = store.begin().await.unwrap();
        let late = review::review(
            &mut tx,
            &scope,
            &a1,
            &ReviewInput {
                decision: ReviewDecision::Verify,
                note: None,
                priority_group: None,
                documents: vec![],
            },
            "hieutruong",
        )
        .await;
        assert!(matches!(late, Err(StoreError::Conflict(_))));
    })
    .await;
}

fn score_file(rows: &[[&str; 7]]) -> truongso_domain::tabular::Table {
    let mut w = TableWriter::xlsx("Điểm thi");
    w.header(&[
        "Số báo danh",
        "MÃ ĐỊNH DANH",
        "Ho va ten",
        "Ngày sinh",
        "Toán",
        "Ngữ văn",
        "Ngoại ngữ",
    ])
    .unwrap();
    for r in rows {
        let cells: Vec<truongso_domain::tabular::Cell> = r
            .iter()
            .map(|v| {
                if v.is_empty() {
                    truongso_domain::tabular::Cell::Empty
                } else if let Ok(n) = v.parse::<f64>() {
                    if v.len() > 6 {
                        truongso_domain::tabular::Cell::Text(v.to_string())
                    } else {
                        truongso_domain::tabular::Cell::Number(n)
                    }
                } else {
                    truongso_domain::tabular::Cell::Text(v.to_string())
                }
            })
            .collect();
        w.row(&cells).unwrap();
    }
    read_table(&w.finish().unwrap()).unwrap()
}

async fn scores_of(
    store: &Store,
    id: i64,
) -> (Option<String>, Option<i32>, Option<i32>, Option<i32>) {
    store
        .conn()
        .fetch_one(
            Query::select()
                .columns([
                    AdmApplications::CandidateNumber,
                    AdmApplications::ScoreMath,
                    AdmApplications::ScoreLiterature,
                    AdmApplications::ScoreLanguage,
                ])
                .from(AdmApplications::Table)
                .and_where(Expr::col(AdmApplications::Id).eq(id)),
        )
        .await
        .unwrap()
}

#[tokio::test]
async fn the_score_import_is_all_or_nothing() {
    on_both_seeded(&config(), |store, _| async move {
        let w = world(&store).await;
        let scope = w.department.scope();
        // One bad score and an unknown national ID: nothing written, both named.
        let bad = score_file(&[
            [
                "100001",
                "079210000001",
                "Nguyễn Văn An",
                "04/03/2011",
                "7,25",
                "8",
                "9.5",
            ],
            [
                "100002",
                "079210000002",
                "Trần Thị Bình",
                "04/03/2011",
                "7.3",
                "8",
                "9",
            ],
            [
                "100003",
                "079299999999",
                "Ai Đó",
                "04/03/2011",
                "5",
                "5",
                "5",
            ],
        ]);
        let mut tx = store.begin().await.unwrap();
        let e = review::import_scores(&mut tx, &scope, &w.campaign, &bad).await;
        drop(tx);
        let Err(StoreError::Invalid(inv)) = e else {
            panic!("expected invalid, got {e:?}")
        };
        let messages: Vec<&str> = inv.0.iter().map(|f| f.message.as_str()).collect();
        assert_eq!(messages.len(), 2, "{messages:?} {bad:?}");
        assert!(messages[0].starts_with("Dòng 3, cột Toán"), "{messages:?}");
        assert!(
            messages[1].starts_with("Dòng 4, cột Mã định danh"),
            "{messages:?}"
        );
        assert_eq!(scores_of(&store, w.apps[0]).await, (None, None, None, None));

        // Name and birth date must agree.
        let mismatch = score_file(&[[
            "100001",
            "079210000001",
            "Nguyễn Văn Ân",
            "05/03/2011",
            "7",
            "8",
            "9",
        ]]);
        let mut tx = store.begin().await.unwrap();
        let Err(StoreError::Invalid(inv)) =
            review::import_scores(&mut tx, &scope, &w.campaign, &mismatch).await
        else {
            panic!("expected invalid")
        };
        drop(tx);
        assert_eq!(inv.0.len(), 2);
        assert!(inv.0[0].message.contains("cột Họ và tên"));
        assert!(inv.0[1].message.contains("cột Ngày sinh"));

        // Duplicate candidate numbers in the file.
        let dup = score_file(&[
            [
                "100001",
                "079210000001",
                "Nguyen Van An",
                "04/03/2011",
                "7",
                "8",
                "9",
            ],
            [
                "100001",
                "079210000002",
                "Trần Thị Bình",
                "04/03/2011",
                "7",
                "8",
                "9",
            ],
        ]);
        let mut tx = store.begin().await.unwrap();
        let Err(StoreError::Invalid(inv)) =
            review::import_scores(&mut tx, &scope, &w.campaign, &dup).await
        else {
            panic!("expected invalid")
        };
        drop(tx);
        assert!(inv.0[0].message.contains("trùng với dòng 2"), "{:?}", inv.0);

        // A good file (names without diacritics, an absent paper).
        let good = score_file(&[
            [
                "100001",
                "079210000001",
                "Nguyen Van An",
                "04/03/2011",
                "7,25",
                "8",
                "9.5",
            ],
            [
                "100002",
                "079210000002",
                "Trần Thị Bình",
                "2011-03-04",
                "10",
                "0",
                "",
            ],
        ]);
        let mut tx = store.begin().await.unwrap();
        let report = review::import_scores(&mut tx, &scope, &w.campaign, &good)
            .await
            .unwrap();
        tx.commit().await.unwrap();
        assert_eq!(report.imported, 2);
        assert_eq!(
            scores_of(&store, w.apps[0]).await,
            (Some("100001".into()), Some(725), Some(800), Some(950))
        );
        assert_eq!(
            scores_of(&store, w.apps[1]).await,
            (Some("100002".into()), Some(1000), Some(0), None)
        );
        // Swapping numbers between two applications works; taking a third's number does not.
        let swap = score_file(&[
            [
                "100002",
                "079210000001",
                "Nguyen Van An",
                "04/03/2011",
                "7",
                "8",
                "9",
            ],
            [
                "100001",
                "079210000002",
                "Trần Thị Bình",
                "04/03/2011",
                "7",
                "8",
                "9",
            ],
        ]);
        let mut tx = store.begin().await.unwrap();
        review::import_scores(&mut tx, &scope, &w.campaign, &swap)
            .await
            .unwrap();
        tx.commit().await.unwrap();
        let taken = score_file(&[[
            "100001",
            "079210000003",
            "Lê Đức Cường",
            "04/03/2011",
            "7",
            "8",
            "9",
        ]]);
        let mut tx = store.begin().await.unwrap();
        let e = review::import_scores(&mut tx, &scope, &w.campaign, &taken).await;
        assert!(matches!(e, Err(StoreError::Invalid(_))), "{e:?}");
        drop(tx);
        // A school reviews but does not import; a missing column names it.
        let mut tx = store.begin().await.unwrap();
        let e = review::import_scores(&mut tx, &w.school_a.scope(), &w.campaign, &good).await;
        assert!(matches!(e, Err(StoreError::NotFound { .. })));
        let mut writer = TableWriter::xlsx("x");
        writer.header(&["Số báo danh", "Họ và tên"]).unwrap();
        writer
            .row(&[
                truongso_domain::tabular::Cell::Text("1".into()),
                truongso_domain::tabular::Cell::Text("A".into()),
            ])
            .unwrap();
        let missing = read_table(&writer.finish().unwrap()).unwrap();
        let Err(StoreError::Invalid(inv)) =
            review::import_scores(&mut tx, &scope, &w.campaign, &missing).await
        else {
            panic!("expected invalid")
        };
        assert!(inv.0.iter().any(|f| f.message.contains("Ngoại ngữ")));
    })
    .await;
}
