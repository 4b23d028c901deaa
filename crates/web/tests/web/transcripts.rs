//! The e-transcript over HTTP, on SQLite and PostgreSQL: the homeroom teacher of the class and
//! the principal sign, the PDF and canonical JSON download, the public verification page says
//! VALID with only the minimum data, and INVALID once the record changes after signing.

use crate::support::TestApp;
use axum::http::StatusCode;
use truongso_domain::gradebook::{Item, Slot, Term};
use truongso_store::{PageRequest, Scope, classes, learners, users};
use truongso_testkit::gradebook::{correct, decide_year};

#[tokio::test]
async fn sign_print_download_and_verify_a_transcript() {
    TestApp::on_both(|t| async move {
        let gvcn = t.account("homeroom_teacher", 0).clone();
        let principal = t.account("principal", 0).clone();
        assert_eq!(gvcn.scope_org_id, principal.scope_org_id, "same school");
        let staff = users::credentials(&mut t.store.conn(), &gvcn.username)
            .await
            .unwrap()
            .unwrap()
            .user
            .staff_id
            .unwrap();
        let class = classes::list(
            &mut t.store.conn(),
            &Scope::All,
            &classes::ClassFilter {
                org_unit_id: Some(gvcn.scope_org_id),
                ..Default::default()
            },
            &PageRequest::new(1, 500),
        )
        .await
        .unwrap()
        .items
        .into_iter()
        .find(|c| c.homeroom_staff_id == Some(staff) && c.learner_count > 0)
        .expect("the homeroom teacher's class");
        let learner = learners::list(
            &mut t.store.conn(),
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
            .clone();
        let year = truongso_store::years::get(&mut t.store.conn(), class.school_year_id)
            .await
            .unwrap()
            .code;
        let api = format!("/api/v1/learners/{}/transcripts/{year}", learner.id);
        let teacher_token = t.token(&gvcn.username).await;
        let principal_token = t.token(&principal.username).await;
        let subject_teacher = t.token(&t.account("teacher", 0).username).await;

        // Before the year is computed: readable, nothing to sign.
        let res = t.api("GET", &api, Some(&teacher_token), None).await;
        assert_eq!(res.status, StatusCode::OK, "{}", res.text);
        assert!(res.json()["transcript"].is_null());
        let res = t
            .api(
                "POST",
                &format!("{api}/signatures"),
                Some(&teacher_token),
                None,
            )
            .await;
        assert_eq!(res.status, StatusCode::CONFLICT, "{}", res.text);

        decide_year(&t.store, &class, learner.id, "8.5").await;
        let res = t.api("GET", &api, Some(&teacher_token), None).await;
        assert_eq!(res.status, StatusCode::OK, "{}", res.text);
        let body = res.json();
        assert_eq!(body["may_sign"], "homeroom_teacher");
        assert_eq!(
            body["transcript"]["learner"]["full_name"],
            learner.full_name
        );
        assert_eq!(body["transcript"]["outcome"], "Được lên lớp");
        // Subject teachers do not read transcripts (least privilege).
        let res = t.api("GET", &api, Some(&subject_teacher), None).await;
        assert_eq!(res.status, StatusCode::FORBIDDEN);

        // The homeroom teacher signs in the browser (form + CSRF), then the principal by API.
        let (cookie, csrf) = t.browser_login(&gvcn.username, &gvcn.password).await;
        let page_path = format!("/learners/{}/transcripts/{year}", learner.id);
        let page = t.page("GET", &page_path, &cookie, None).await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.text);
        assert!(page.text.contains("Ký số học bạ"), "sign button shown");
        assert!(page.text.contains("Được lên lớp"));
        let res = t
            .page(
                "POST",
                &format!("{page_path}/sign"),
                &cookie,
                Some(&format!("_csrf={csrf}")),
            )
            .await;
        assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.text);
        let res = t
            .api(
                "POST",
                &format!("{api}/signatures"),
                Some(&principal_token),
                None,
            )
            .await;
        assert_eq!(res.status, StatusCode::CREATED, "{}", res.text);
        let body = res.json();
        assert_eq!(body["fully_signed"], true, "{body}");
        let code = body["issued"]["verify_code"].as_str().unwrap().to_string();
        let sha = body["issued"]["sha256"].as_str().unwrap().to_string();
        assert_eq!(body["issued"]["signatures"].as_array().unwrap().len(), 2);
        // Signing twice is a conflict.
        let res = t
            .api(
                "POST",
                &format!("{api}/signatures"),
                Some(&principal_token),
                None,
            )
            .await;
        assert_eq!(res.status, StatusCode::CONFLICT);

        // The canonical JSON is exactly the signed bytes.
        let res = t
            .api(
                "GET",
                &format!("{page_path}/json"),
                Some(&principal_token),
                None,
            )
            .await;
        assert_eq!(res.status, StatusCode::OK);
        assert_eq!(
            truongso_domain::gradebook::transcript::sha256_hex(&res.text),
            sha
        );
        // The PDF.
        let started = std::time::Instant::now();
        let res = t
            .send(
                axum::http::Request::builder()
                    .uri(format!("{page_path}/pdf"))
                    .header("authorization", format!("Bearer {principal_token}"))
                    .header("host", "truongso.example.vn")
                    .body(axum::body::Body::empty())
                    .unwrap(),
            )
            .await;
        eprintln!("transcript PDF over HTTP in {:?}", started.elapsed());
        assert_eq!(res.status, StatusCode::OK);
        assert_eq!(res.content_type(), "application/pdf");
        // Printed signed, with the verification address of this host.
        assert!(
            res.text.contains("signatures=2 draft=false"),
            "{}",
            res.text
        );
        assert!(
            res.text
                .contains(&format!("truongso.example.vn/verify/{code}")),
            "{}",
            res.text
        );

        // The public verification page: no sign-in, minimum data, VALID.
        let res = t.page("GET", &format!("/verify/{code}"), "", None).await;
        assert_eq!(res.status, StatusCode::OK, "{}", res.text);
        assert!(
            res.text.contains("HỢP LỆ") && !res.text.contains("KHÔNG HỢP LỆ"),
            "{}",
            res.text
        );
        assert!(res.text.contains(&learner.full_name));
        assert!(
            res.text
                .contains(&learner.birth_date.format("%Y").to_string())
        );
        assert!(
            !res.text
                .contains(&learner.birth_date.format("%d/%m/%Y").to_string())
        );
        assert!(
            !res.text.contains(&learner.learner_code),
            "no learner code in public"
        );
        assert!(res.text.contains("Giáo viên chủ nhiệm") && res.text.contains("Hiệu trưởng"));
        assert!(res.text.contains(&sha));
        let res = t.page("GET", "/verify/khongcoma", "", None).await;
        assert_eq!(res.status, StatusCode::NOT_FOUND);

        // The reads are in the learner's access log.
        let log = truongso_store::audit::of_learner(
            &mut t.store.conn(),
            learner.id,
            &PageRequest::new(1, 100),
        )
        .await
        .unwrap();
        assert!(
            log.items
                .iter()
                .any(|e| e.detail.as_deref().is_some_and(|d| d.contains("học bạ"))),
            "transcript reads are audited"
        );

        // A result corrected after signing (the demo homeroom class is a primary class: the
        // year rating of Mathematics HTT → HT): the public page says INVALID and why.
        correct(
            &t.store,
            &class,
            learner.id,
            Item::from_code("toan").unwrap(),
            Term::Second,
            Slot::End,
            Some("htt"),
            "HT",
        )
        .await;
        let res = t.page("GET", &format!("/verify/{code}"), "", None).await;
        assert!(res.text.contains("KHÔNG HỢP LỆ"), "{}", res.text);
        assert!(res.text.contains("đã thay đổi sau khi ký"), "{}", res.text);
        let res = t.api("GET", &api, Some(&principal_token), None).await;
        assert_eq!(res.json()["issued"]["current"], false);
        assert_eq!(res.json()["fully_signed"], false);
    })
    .await;
}
