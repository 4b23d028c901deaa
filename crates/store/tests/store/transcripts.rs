//! E-transcripts on SQLite and PostgreSQL: issue → sign (homeroom teacher + principal) →
//! verify; any change to the record after signing, or to the stored document, fails
//! verification; a changed record gets a new transcript that supersedes the signed one.

use sea_query::{Expr, ExprTrait, Query};
use truongso_demo::DemoConfig;
use truongso_domain::gradebook::transcript::SignerRole;
use truongso_domain::gradebook::{Item, Slot, Term};
use truongso_store::gradebook::transcripts::{self, Signer};
use truongso_store::schema::Transcripts;
use truongso_store::{PageRequest, Scope, Store, StoreError, learners, users};
use truongso_testkit::gradebook::{class_with_learners, correct, decide_year};
use truongso_testkit::on_both_seeded;

/// The province these tests run on (seeded once, copied for each test).
fn config() -> DemoConfig {
    DemoConfig {
        seed: 5,
        learners: 600,
        marks: false,
        ..DemoConfig::default()
    }
}

async fn user(store: &Store, username: &str, role: &str, org: i64, staff: Option<i64>) -> Signer {
    let mut tx = store.begin().await.unwrap();
    let id = users::create(
        &mut tx,
        &users::NewUser {
            username,
            password: "mat-khau-hoc-ba-1",
            display_name: username,
            role,
            scope_org_id: org,
            staff_id: staff,
            learner_ids: &[],
            must_change_password: false,
        },
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    let u = users::get(&mut store.conn(), id).await.unwrap();
    transcripts::signer_of(&mut store.conn(), &u).await.unwrap()
}

async fn sign(store: &Store, learner: i64, year: i64, role: SignerRole, signer: &Signer) {
    let mut tx = store.begin().await.unwrap();
    transcripts::sign(&mut tx, learner, year, role, signer)
        .await
        .unwrap();
    tx.commit().await.unwrap();
}

#[tokio::test]
async fn signed_transcripts_verify_until_the_record_changes() {
    on_both_seeded(&config(), |store, _| async move {
        let class = class_with_learners(&store, None).await;
        let learner = learners::list(
            &mut store.conn(),
            &Scope::All,
            &learners::LearnerFilter {
                class_id: Some(class.id),
                ..Default::default()
            },
            &PageRequest::new(1, 1),
        )
        .await
        .unwrap()
        .items[0]
            .id;
        let year = class.school_year_id;

        // No year result yet: nothing to issue.
        let mut tx = store.begin().await.unwrap();
        let refused = transcripts::issue(&mut tx, learner, year).await;
        assert!(
            matches!(refused, Err(StoreError::Conflict(_))),
            "{refused:?}"
        );
        drop(tx);

        decide_year(&store, &class, learner, "8.5").await;
        let built = transcripts::build(&mut store.conn(), learner, year)
            .await
            .unwrap()
            .expect("a year result");
        assert!(
            built.transcript.is_complete(),
            "{:?}",
            built.transcript.missing
        );
        assert_eq!(built.transcript.outcome.as_deref(), Some("Được lên lớp"));
        assert_eq!(built.homeroom_staff_id, class.homeroom_staff_id);

        let teacher = user(
            &store,
            "gvcn.hocba",
            "homeroom_teacher",
            class.org_unit_id,
            class.homeroom_staff_id,
        )
        .await;
        let principal = user(
            &store,
            "hieutruong.hocba",
            "principal",
            class.org_unit_id,
            None,
        )
        .await;
        sign(&store, learner, year, SignerRole::HomeroomTeacher, &teacher).await;
        let issued = transcripts::current(&mut store.conn(), learner, year)
            .await
            .unwrap()
            .expect("issued at the first signature");
        assert_eq!(issued.verify_code.len(), 32);
        assert_eq!(issued.canonical_json, built.transcript.canonical_json());

        // One signature: authentic but not yet complete.
        let v = transcripts::verify(&mut store.conn(), &issued.verify_code)
            .await
            .unwrap()
            .unwrap();
        assert!(
            v.hash_ok && v.matches_record && !v.fully_signed && !v.valid,
            "{v:?}"
        );

        sign(&store, learner, year, SignerRole::Principal, &principal).await;
        let v = transcripts::verify(&mut store.conn(), &issued.verify_code)
            .await
            .unwrap()
            .unwrap();
        assert!(v.valid, "{:?}", v.problems);
        assert_eq!(v.signatures.len(), 2);
        assert!(v.signatures.iter().all(|s| s.valid && s.key_registered));
        assert_eq!(v.sha256, issued.json_sha256);

        // Signing twice in one role is refused; the same key is reused for a second document.
        let mut tx = store.begin().await.unwrap();
        let again =
            transcripts::sign(&mut tx, learner, year, SignerRole::Principal, &principal).await;
        assert!(matches!(again, Err(StoreError::Conflict(_))), "{again:?}");
        drop(tx);
        assert!(
            transcripts::verify(&mut store.conn(), "khong-co")
                .await
                .unwrap()
                .is_none()
        );

        // A teacher corrects a mark after signing and the year is recomputed: verification fails.
        let toan = Item::from_code("toan").unwrap();
        correct(
            &store,
            &class,
            learner,
            toan,
            Term::Second,
            Slot::End,
            Some("8.5"),
            "4",
        )
        .await;
        let v = transcripts::verify(&mut store.conn(), &issued.verify_code)
            .await
            .unwrap()
            .unwrap();
        assert!(!v.valid && v.hash_ok && !v.matches_record, "{v:?}");
        assert!(
            v.changed_parts.iter().any(|p| p.contains("môn học")),
            "{:?}",
            v.changed_parts
        );
        assert!(
            v.problems
                .iter()
                .any(|p| p.contains("đã thay đổi sau khi ký")),
            "{:?}",
            v.problems
        );

        // Signing again issues a new transcript that supersedes the old one.
        sign(&store, learner, year, SignerRole::HomeroomTeacher, &teacher).await;
        sign(&store, learner, year, SignerRole::Principal, &principal).await;
        let renewed = transcripts::current(&mut store.conn(), learner, year)
            .await
            .unwrap()
            .unwrap();
        assert_ne!(renewed.verify_code, issued.verify_code);
        let v = transcripts::verify(&mut store.conn(), &renewed.verify_code)
            .await
            .unwrap()
            .unwrap();
        assert!(v.valid, "{:?}", v.problems);
        let old = transcripts::verify(&mut store.conn(), &issued.verify_code)
            .await
            .unwrap()
            .unwrap();
        assert!(old.superseded && !old.valid);

        // A comment changed (no recomputation needed): the record no longer matches.
        correct(
            &store,
            &class,
            learner,
            toan,
            Term::Second,
            Slot::Comment,
            Some("Chăm chỉ, tiến bộ rõ rệt; cần đọc thêm sách."),
            "Cần cố gắng hơn.",
        )
        .await;
        let v = transcripts::verify(&mut store.conn(), &renewed.verify_code)
            .await
            .unwrap()
            .unwrap();
        assert!(!v.valid && !v.matches_record, "{v:?}");
    })
    .await;
}

#[tokio::test]
async fn editing_the_stored_document_breaks_its_hash_and_signatures() {
    on_both_seeded(&config(), |store, _| async move {
        let class = class_with_learners(&store, None).await;
        let learner = learners::list(
            &mut store.conn(),
            &Scope::All,
            &learners::LearnerFilter {
                class_id: Some(class.id),
                ..Default::default()
            },
            &PageRequest::new(1, 1),
        )
        .await
        .unwrap()
        .items[0]
            .id;
        let year = class.school_year_id;
        decide_year(&store, &class, learner, "9").await;
        let teacher = user(
            &store,
            "gvcn.sua",
            "homeroom_teacher",
            class.org_unit_id,
            class.homeroom_staff_id,
        )
        .await;
        let principal = user(
            &store,
            "hieutruong.sua",
            "principal",
            class.org_unit_id,
            None,
        )
        .await;
        sign(&store, learner, year, SignerRole::HomeroomTeacher, &teacher).await;
        sign(&store, learner, year, SignerRole::Principal, &principal).await;
        let issued = transcripts::current(&mut store.conn(), learner, year)
            .await
            .unwrap()
            .unwrap();
        assert!(
            transcripts::verify(&mut store.conn(), &issued.verify_code)
                .await
                .unwrap()
                .unwrap()
                .valid
        );

        // Someone with database access lifts the outcome in the stored document.
        let forged = issued.canonical_json.replace(
            "\"outcome\":\"Được lên lớp\"",
            "\"outcome\":\"Được lên lớp \"",
        );
        assert_ne!(forged, issued.canonical_json);
        store
            .conn()
            .execute(
                Query::update()
                    .table(Transcripts::Table)
                    .value(Transcripts::CanonicalJson, forged.clone())
                    .and_where(Expr::col(Transcripts::Id).eq(issued.id)),
            )
            .await
            .unwrap();
        let v = transcripts::verify(&mut store.conn(), &issued.verify_code)
            .await
            .unwrap()
            .unwrap();
        assert!(!v.valid && !v.hash_ok, "{v:?}");
        assert!(v.signatures.iter().all(|s| !s.valid));

        // Even with the recorded hash updated to match, the signatures do not.
        store
            .conn()
            .execute(
                Query::update()
                    .table(Transcripts::Table)
                    .value(
                        Transcripts::JsonSha256,
                        truongso_domain::gradebook::transcript::sha256_hex(&forged),
                    )
                    .and_where(Expr::col(Transcripts::Id).eq(issued.id)),
            )
            .await
            .unwrap();
        let v = transcripts::verify(&mut store.conn(), &issued.verify_code)
            .await
            .unwrap()
            .unwrap();
        assert!(!v.valid, "{v:?}");
        assert!(v.signatures.iter().all(|s| !s.valid));
    })
    .await;
}
