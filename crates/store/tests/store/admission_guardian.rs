//! The public side of admission on SQLite and PostgreSQL: one-time codes and guardian
//! sessions, submitting and resubmitting an application (one row per child), the learner-record
//! check of the date of birth, documents, withdrawal, and refused input leaving the database
//! unchanged.

use chrono::{Duration, NaiveDate, Utc};
use sea_query::{Expr, ExprTrait, Query};
use truongso_demo::DemoConfig;
use truongso_domain::admission::contact::{Contact, canonical_tracking_code};
use truongso_domain::admission::settings::CodeLimits;
use truongso_domain::admission::zone::ZoneRules;
use truongso_domain::codes::Gender;
use truongso_domain::org::{OrgKind, SchoolLevel};
use truongso_store::admission::guardian::{
    self, ApplicationForm, CodeCheck, add_document, application_by_code, applications_of,
    send_code, submit, verify_code, withdraw,
};
use truongso_store::admission::{
    self, ApplicationStatus, Campaign, CampaignStatus, DocumentRequirement, NewCampaign,
    NewCampaignSchool,
};
use truongso_store::orgs::{self, OrgFilter};
use truongso_store::schema::{
    AdmApplications, AdmChoices, AdmDocuments, AdmOtps, AdminUnits, Learners,
};
use truongso_store::{PageRequest, Scope, Store, StoreError, years};
use truongso_testkit::on_both_seeded;

/// The province these tests run on (seeded once, copied for each test).
fn config() -> DemoConfig {
    DemoConfig {
        seed: 5,
        learners: 1_200,
        marks: false,
        ..DemoConfig::default()
    }
}

/// What the tests need of the seeded province.
async fn seeded(store: &Store) {
    // These tests count applications from zero: the demo's own campaigns are taken out.
    for table in [
        "adm_results",
        "adm_cutoffs",
        "adm_runs",
        "adm_choices",
        "adm_documents",
        "adm_applications",
        "adm_zone_areas",
        "adm_campaign_schools",
        "adm_campaigns",
    ] {
        store
            .conn()
            .execute_raw(&format!("DELETE FROM {table}"))
            .await
            .unwrap();
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

async fn a_ward(store: &Store) -> String {
    let (code,): (String,) = store
        .conn()
        .fetch_one(
            Query::select()
                .column(AdminUnits::Code)
                .from(AdminUnits::Table)
                .and_where(Expr::col(AdminUnits::Scheme).eq("2025"))
                .and_where(Expr::col(AdminUnits::Level).eq("ward"))
                .limit(1),
        )
        .await
        .unwrap();
    code
}

/// An open campaign for `grade` run by the province's department, with every school of the
/// level (grades 1/6: zoned to one ward), asking for a birth certificate and a priority proof.
async fn open_campaign(store: &Store, grade: i32) -> Campaign {
    let root = orgs::roots(&mut store.conn(), &Scope::All).await.unwrap()[0].clone();
    let level = match grade {
        1 => SchoolLevel::Primary,
        6 => SchoolLevel::LowerSecondary,
        _ => SchoolLevel::UpperSecondary,
    };
    let schools: Vec<_> = orgs::list(
        &mut store.conn(),
        &Scope::All,
        &OrgFilter {
            kind: Some(OrgKind::School),
            ..OrgFilter::default()
        },
        &PageRequest::new(1, 1000),
    )
    .await
    .unwrap()
    .items
    .into_iter()
    .filter(|s| s.levels.0.contains(&level))
    .take(3)
    .collect();
    assert!(!schools.is_empty());
    let ward = match schools.iter().find_map(|s| s.ward_code.clone()) {
        Some(w) => w,
        None => a_ward(store).await,
    };
    let year = years::current(&mut store.conn()).await.unwrap().unwrap();
    let now = Utc::now();
    let input = NewCampaign {
        owner_id: root.id,
        school_year_id: year.id,
        entry_grade: grade,
        name: format!("Tuyển sinh lớp {grade} thử"),
        opens_at: now - Duration::days(1),
        closes_at: now + Duration::days(10),
        results_at: now + Duration::days(20),
        max_choices: 3,
        required_documents: vec![
            DocumentRequirement {
                code: "giay_khai_sinh".into(),
                label: "Giấy khai sinh".into(),
                required: true,
            },
            DocumentRequirement {
                code: "uu_tien".into(),
                label: "Giấy chứng nhận ưu tiên".into(),
                required: false,
            },
        ],
        schools: schools
            .iter()
            .map(|s| NewCampaignSchool {
                school_id: s.id,
                seats: 40,
                zone: None,
                zone_areas: if grade == 10 {
                    vec![]
                } else {
                    vec![ward.clone()]
                },
            })
            .collect(),
    };
    let mut tx = store.begin().await.unwrap();
    let c = admission::create_campaign(&mut tx, &Scope::All, &input)
        .await
        .unwrap();
    let c = admission::set_status(&mut tx, &c, CampaignStatus::Open)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    assert_eq!(c.status, CampaignStatus::Open);
    c
}

fn contact(s: &str) -> Contact {
    Contact::parse(s).unwrap()
}

/// A grade-10 form for a child with no learner record (ID of 2010, Hà Nội, male).
async fn form(store: &Store, campaign: &Campaign, serial: u32) -> ApplicationForm {
    let schools = admission::campaign_schools(&mut store.conn(), campaign.id)
        .await
        .unwrap();
    let birth_year = if campaign.entry_grade == 1 {
        2019
    } else {
        2010
    };
    ApplicationForm {
        national_id: truongso_domain::national_id::compose("001", birth_year, Gender::Male, serial)
            .unwrap(),
        birth_date: NaiveDate::from_ymd_opt(birth_year, 3, 14),
        full_name: "Nguyễn Văn Thử".into(),
        gender: "M".into(),
        residence_code: guardian::residence_choices(&mut store.conn(), campaign.id)
            .await
            .unwrap()
            .first()
            .map_or(a_ward(store).await, |(code, _)| code.clone()),
        address: "12 Phố Huế".into(),
        current_school: "THCS Thử Nghiệm".into(),
        guardian_name: "Nguyễn Thị Mẹ".into(),
        priority_group: None,
        choices: schools.iter().map(|s| s.school_id).take(3).collect(),
    }
}

async fn do_submit(
    store: &Store,
    campaign: &Campaign,
    who: &Contact,
    form: &ApplicationForm,
) -> Result<guardian::Submitted, StoreError> {
    let mut tx = store.begin().await.unwrap();
    let r = submit(
        &mut tx,
        campaign,
        who,
        form,
        &ZoneRules::default(),
        Utc::now(),
    )
    .await;
    if r.is_ok() {
        tx.commit().await.unwrap();
    }
    r
}

fn code_in(body: &str) -> String {
    body.split(": ").nth(1).unwrap()[..6].to_string()
}

#[tokio::test]
async fn codes_open_sessions_and_are_limited() {
    on_both_seeded(&config(), |store, _| async move {
        let limits = CodeLimits::default();
        let me = contact("0912 345 678");
        let mut tx = store.begin().await.unwrap();
        send_code(&mut tx, &me, Some("10.0.0.1"), &limits)
            .await
            .unwrap();
        tx.commit().await.unwrap();
        let sent = guardian::outbox(&mut store.conn(), 10).await.unwrap();
        assert_eq!(sent.len(), 1);
        let pending = guardian::pending_outbox(&mut store.conn(), 10)
            .await
            .unwrap();
        assert_eq!(pending[0].id, sent[0].id);
        guardian::mark_delivery(&mut store.conn(), sent[0].id, Ok(()))
            .await
            .unwrap();
        assert!(
            guardian::pending_outbox(&mut store.conn(), 10)
                .await
                .unwrap()
                .is_empty()
        );
        assert_eq!(sent[0].recipient, "0912345678");
        assert!(sent[0].body.starts_with("Mã xác nhận tuyển sinh: "));
        let code = code_in(&sent[0].body);
        // Only a digest is stored.
        let (hash,): (String,) = store
            .conn()
            .fetch_one(
                Query::select()
                    .column(AdmOtps::CodeHash)
                    .from(AdmOtps::Table),
            )
            .await
            .unwrap();
        assert!(!hash.contains(&code));

        let wrong = if code == "000000" { "111111" } else { "000000" };
        let mut tx = store.begin().await.unwrap();
        let r = verify_code(&mut tx, &me, wrong, &limits).await.unwrap();
        tx.commit().await.unwrap();
        assert_eq!(r, CodeCheck::Wrong { attempts_left: 4 });
        // Another contact cannot use the code.
        let mut tx = store.begin().await.unwrap();
        let other = verify_code(&mut tx, &contact("0987654321"), &code, &limits)
            .await
            .unwrap();
        assert_eq!(other, CodeCheck::Expired);
        let CodeCheck::Accepted { token, .. } =
            verify_code(&mut tx, &me, &code, &limits).await.unwrap()
        else {
            panic!("the right code is accepted");
        };
        tx.commit().await.unwrap();
        let who = guardian::guardian_session(&mut store.conn(), &token)
            .await
            .unwrap();
        assert_eq!(who, Some(me.clone()));
        assert_eq!(
            guardian::guardian_session(&mut store.conn(), "tg_nothing")
                .await
                .unwrap(),
            None
        );
        // A used code is spent.
        let mut tx = store.begin().await.unwrap();
        assert_eq!(
            verify_code(&mut tx, &me, &code, &limits).await.unwrap(),
            CodeCheck::Expired
        );
        drop(tx);
        guardian::end_session(&mut store.conn(), &token)
            .await
            .unwrap();
        assert_eq!(
            guardian::guardian_session(&mut store.conn(), &token)
                .await
                .unwrap(),
            None
        );

        // At most `per_address_per_hour` codes: the next is refused and nothing is written.
        for _ in 1..limits.per_address_per_hour {
            let mut tx = store.begin().await.unwrap();
            send_code(&mut tx, &me, None, &limits).await.unwrap();
            tx.commit().await.unwrap();
        }
        let before = count(&store, AdmOtps::Table).await;
        let mut tx = store.begin().await.unwrap();
        let e = send_code(&mut tx, &me, None, &limits).await.unwrap_err();
        drop(tx);
        assert!(matches!(e, StoreError::Conflict(_)), "{e:?}");
        assert!(e.to_string().contains("0912***678"), "{e}");
        assert_eq!(count(&store, AdmOtps::Table).await, before);

        // Attempts run out.
        let other = contact("me@example.vn");
        let mut tx = store.begin().await.unwrap();
        send_code(&mut tx, &other, None, &limits).await.unwrap();
        for left in (0..limits.attempts).rev() {
            assert_eq!(
                verify_code(&mut tx, &other, "abcdef", &limits)
                    .await
                    .unwrap(),
                CodeCheck::Wrong {
                    attempts_left: left
                }
            );
        }
        let code = code_in(&guardian::outbox(&mut tx.conn(), 1).await.unwrap()[0].body);
        assert_eq!(
            verify_code(&mut tx, &other, &code, &limits).await.unwrap(),
            CodeCheck::Expired
        );

        // One client cannot spray codes over many addresses.
        let tight = CodeLimits {
            per_client_per_hour: 2,
            ..CodeLimits::default()
        };
        for phone in ["0911111111", "0922222222"] {
            send_code(&mut tx, &contact(phone), Some("10.9.9.9"), &tight)
                .await
                .unwrap();
        }
        let e = send_code(&mut tx, &contact("0933333333"), Some("10.9.9.9"), &tight)
            .await
            .unwrap_err();
        assert!(matches!(e, StoreError::Conflict(_)), "{e:?}");
        send_code(&mut tx, &contact("0933333333"), Some("10.9.9.8"), &tight)
            .await
            .unwrap();
    })
    .await;
}

#[tokio::test]
async fn a_resubmitted_form_updates_the_one_application() {
    on_both_seeded(&config(), |store, _| async move {
        seeded(&store).await;
        let campaign = open_campaign(&store, 10).await;
        let me = contact("0912345678");
        let mut f = form(&store, &campaign, 1).await;
        let first = do_submit(&store, &campaign, &me, &f).await.unwrap();
        assert!(first.created);
        let app = first.application;
        assert_eq!(
            canonical_tracking_code(&app.tracking_code),
            Some(app.tracking_code.clone())
        );
        assert_eq!(app.status, ApplicationStatus::Submitted);
        assert_eq!(app.learner_id, None);
        let outbox = guardian::outbox(&mut store.conn(), 1).await.unwrap();
        assert!(outbox[0].body.contains(&app.tracking_code));

        f.full_name = "Nguyễn Văn Sửa".into();
        f.choices.reverse();
        f.priority_group = Some(2);
        let second = do_submit(&store, &campaign, &me, &f).await.unwrap();
        assert!(!second.created);
        assert_eq!(second.application.id, app.id);
        assert_eq!(second.application.tracking_code, app.tracking_code);
        assert_eq!(second.application.full_name, "Nguyễn Văn Sửa");
        assert_eq!(second.application.priority_group, Some(2));
        assert_eq!(count(&store, AdmApplications::Table).await, 1);
        let choices = admission::choices(&mut store.conn(), app.id).await.unwrap();
        assert_eq!(
            choices.iter().map(|c| c.school_id).collect::<Vec<_>>(),
            f.choices
        );

        // Another contact: refused, nothing about the application leaks, nothing written.
        let stranger = contact("0987654321");
        let e = do_submit(&store, &campaign, &stranger, &f)
            .await
            .unwrap_err();
        assert!(matches!(e, StoreError::Conflict(_)), "{e:?}");
        let text = e.to_string();
        assert!(!text.contains("Sửa") && !text.contains("TS-"), "{text}");
        assert_eq!(count(&store, AdmApplications::Table).await, 1);
        assert!(
            applications_of(&mut store.conn(), &stranger)
                .await
                .unwrap()
                .is_empty()
        );
        assert!(matches!(
            application_by_code(&mut store.conn(), &stranger, &app.tracking_code).await,
            Err(StoreError::NotFound { .. })
        ));
        let mine = application_by_code(
            &mut store.conn(),
            &me,
            &app.tracking_code.to_lowercase().replace('-', ""),
        )
        .await
        .unwrap();
        assert_eq!(mine.id, app.id);
        assert_eq!(
            applications_of(&mut store.conn(), &me).await.unwrap().len(),
            1
        );

        // Needs correction → edited → back to submitted.
        store
            .conn()
            .execute(
                Query::update()
                    .table(AdmApplications::Table)
                    .value(AdmApplications::Status, "needs_correction")
                    .and_where(Expr::col(AdmApplications::Id).eq(app.id)),
            )
            .await
            .unwrap();
        let third = do_submit(&store, &campaign, &me, &f).await.unwrap();
        assert_eq!(third.application.status, ApplicationStatus::Submitted);

        // Withdrawn: no more edits.
        let mut tx = store.begin().await.unwrap();
        let w = withdraw(&mut tx, &third.application).await.unwrap();
        tx.commit().await.unwrap();
        assert_eq!(w.status, ApplicationStatus::Withdrawn);
        let e = do_submit(&store, &campaign, &me, &f).await.unwrap_err();
        assert!(matches!(e, StoreError::Conflict(_)), "{e:?}");

        // After the deadline nothing is accepted.
        let g = form(&store, &campaign, 2).await;
        let mut tx = store.begin().await.unwrap();
        let late = submit(
            &mut tx,
            &campaign,
            &me,
            &g,
            &ZoneRules::default(),
            campaign.closes_at,
        )
        .await
        .unwrap_err();
        assert!(matches!(late, StoreError::Conflict(_)), "{late:?}");
    })
    .await;
}

#[tokio::test]
async fn the_learner_record_decides_the_date_of_birth_without_revealing_it() {
    on_both_seeded(&config(), |store, _| async move {
        seeded(&store).await;
        let campaign = open_campaign(&store, 10).await;
        let (learner_id, id, birth, gender): (i64, String, NaiveDate, String) = store
            .conn()
            .fetch_one(
                Query::select()
                    .columns([
                        Learners::Id,
                        Learners::NationalId,
                        Learners::BirthDate,
                        Learners::Gender,
                    ])
                    .from(Learners::Table)
                    .and_where(Expr::col(Learners::NationalId).is_not_null())
                    .limit(1),
            )
            .await
            .unwrap();
        let mut f = form(&store, &campaign, 3).await;
        f.national_id = id;
        f.gender = gender;
        // Same year (the ID encodes it), another day.
        let wrong = if birth.format("%m-%d").to_string() == "01-01" {
            birth.succ_opt().unwrap()
        } else {
            NaiveDate::from_ymd_opt(birth.format("%Y").to_string().parse().unwrap(), 1, 1).unwrap()
        };
        f.birth_date = Some(wrong);
        let me = contact("0912345678");
        let e = do_submit(&store, &campaign, &me, &f).await.unwrap_err();
        let StoreError::Invalid(inv) = &e else {
            panic!("{e:?}")
        };
        assert_eq!(inv.0.len(), 1, "{inv:?}");
        assert_eq!(inv.0[0].field, "birth_date");
        for shown in [
            birth.to_string(),
            birth.format("%d/%m/%Y").to_string(),
            birth.format("%d/%m").to_string(),
        ] {
            assert!(!inv.0[0].message.contains(&shown), "{}", inv.0[0].message);
        }
        assert_eq!(count(&store, AdmApplications::Table).await, 0);

        f.birth_date = Some(birth);
        let ok = do_submit(&store, &campaign, &me, &f).await.unwrap();
        assert_eq!(ok.application.learner_id, Some(learner_id));
        let wards = guardian::residence_choices(&mut store.conn(), campaign.id)
            .await
            .unwrap();
        assert!(wards.len() > 10, "{wards:?}");
    })
    .await;
}

#[tokio::test]
async fn bad_forms_are_refused_field_by_field_and_write_nothing() {
    on_both_seeded(&config(), |store, _| async move {
        seeded(&store).await;
        let campaign = open_campaign(&store, 10).await;
        let me = contact("0912345678");
        let good = form(&store, &campaign, 4).await;
        let mut f = good.clone();
        f.national_id = "12345".into();
        f.full_name = " ".into();
        f.residence_code = "99999".into();
        f.priority_group = Some(7);
        f.choices = vec![good.choices[0], good.choices[0], 999_999, 1, 2];
        let e = do_submit(&store, &campaign, &me, &f).await.unwrap_err();
        let StoreError::Invalid(inv) = &e else {
            panic!("{e:?}")
        };
        let fields: Vec<&str> = inv.0.iter().map(|e| e.field.as_str()).collect();
        for expected in [
            "national_id",
            "full_name",
            "residence_code",
            "priority_group",
            "choices",
            "choices[1]",
            "choices[2]",
        ] {
            assert!(fields.contains(&expected), "{expected} in {fields:?}");
        }
        // The ID must agree with the year of birth and the gender.
        let mut f = good.clone();
        f.gender = "F".into();
        let e = do_submit(&store, &campaign, &me, &f).await.unwrap_err();
        assert!(e.to_string().contains("national_id"), "{e}");
        assert_eq!(count(&store, AdmApplications::Table).await, 0);
        assert_eq!(count(&store, AdmChoices::Table).await, 0);

        // Grade 1: one school, the entry age.
        let g1 = open_campaign(&store, 1).await;
        let mut f = form(&store, &g1, 5).await;
        f.choices.truncate(1);
        f.current_school = String::new();
        f.priority_group = Some(3);
        let ok = do_submit(&store, &g1, &me, &f).await.unwrap();
        assert_eq!(ok.application.priority_group, Some(1));
        assert_eq!(ok.application.current_school, None);
        let mut f = form(&store, &g1, 6).await;
        f.choices.truncate(1);
        f.birth_date = NaiveDate::from_ymd_opt(2020, 5, 5);
        f.national_id =
            truongso_domain::national_id::compose("001", 2020, Gender::Male, 6).unwrap();
        let e = do_submit(&store, &g1, &me, &f).await.unwrap_err();
        assert!(e.to_string().contains("Chưa đủ tuổi"), "{e}");
    })
    .await;
}

#[tokio::test]
async fn documents_are_checked_by_content_and_replaced_by_kind() {
    on_both_seeded(&config(), |store, _| async move {
        seeded(&store).await;
        let campaign = open_campaign(&store, 10).await;
        let me = contact("0912345678");
        let f = form(&store, &campaign, 7).await;
        let app = do_submit(&store, &campaign, &me, &f)
            .await
            .unwrap()
            .application;
        let pdf = b"%PDF-1.7\n1 0 obj\n%%EOF\n".to_vec();
        let png = b"\x89PNG\r\n\x1a\n0000".to_vec();
        let mut tx = store.begin().await.unwrap();
        let d = add_document(&mut tx, &app, "giay_khai_sinh", "khai-sinh.pdf", &pdf)
            .await
            .unwrap();
        assert_eq!(d.content_type, "application/pdf");
        assert_eq!(d.status, "pending");
        let d2 = add_document(&mut tx, &app, "giay_khai_sinh", "khai-sinh.png", &png)
            .await
            .unwrap();
        tx.commit().await.unwrap();
        let docs = truongso_store::admission::documents(&mut store.conn(), app.id)
            .await
            .unwrap();
        assert_eq!(docs.len(), 1);
        assert_eq!(docs[0].id, d2.id);
        let (_, bytes) = guardian::document_file(&mut store.conn(), app.id, d2.id)
            .await
            .unwrap();
        assert_eq!(bytes, png);

        let big = {
            let mut b = pdf.clone();
            b.resize(5 * 1024 * 1024 + 1, b' ');
            b
        };
        let docx_like = b"PK\x03\x04rest".to_vec();
        let exe = b"MZ\x90\x00".to_vec();
        for (kind, name, bytes) in [
            ("giay_khai_sinh", "to.pdf", &big),
            ("giay_khai_sinh", "a.docx", &docx_like),
            ("giay_khai_sinh", "a.pdf", &exe),
            ("giay_khai_sinh", "a.jpg", &pdf),
            ("ho_khau", "a.pdf", &pdf),
        ] {
            let mut tx = store.begin().await.unwrap();
            let e = add_document(&mut tx, &app, kind, name, bytes)
                .await
                .unwrap_err();
            drop(tx);
            let StoreError::Invalid(inv) = &e else {
                panic!("{name}: {e:?}")
            };
            assert_eq!(inv.0[0].field, format!("documents.{kind}"), "{name}");
        }
        let docs = truongso_store::admission::documents(&mut store.conn(), app.id)
            .await
            .unwrap();
        assert_eq!(docs.len(), 1);
        assert_eq!(count(&store, AdmDocuments::Table).await, 1);
    })
    .await;
}
