//! The public application over HTTP, on SQLite and PostgreSQL, as a guardian's browser: a code
//! by "SMS", the guardian cookie, the form with its documents in one multipart request, a
//! resubmission updating the same application, a wrong date of birth refused without revealing
//! the recorded one, oversize and disguised uploads refused with nothing written, and another
//! contact seeing nothing.

use crate::support::{TestApp, csrf_of};
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use chrono::{Datelike, Duration, NaiveDate, Utc};
use truongso_domain::codes::Gender;
use truongso_domain::org::{OrgKind, SchoolLevel};
use truongso_store::admission::guardian;
use truongso_store::admission::{
    self, Campaign, CampaignStatus, DocumentRequirement, NewCampaign, NewCampaignSchool,
};
use truongso_store::orgs::{self, OrgFilter};
use truongso_store::{PageRequest, Scope, Store, years};

/// An open grade-10 campaign of the demo province's upper-secondary schools.
async fn open_campaign(store: &Store) -> Campaign {
    let root = orgs::roots(&mut store.conn(), &Scope::All).await.unwrap()[0].clone();
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
    .filter(|s| s.levels.0.contains(&SchoolLevel::UpperSecondary))
    .take(3)
    .collect();
    let year = years::current(&mut store.conn()).await.unwrap().unwrap();
    let now = Utc::now();
    let input = NewCampaign {
        owner_id: root.id,
        school_year_id: year.id,
        entry_grade: 10,
        name: "Tuyển sinh lớp 10 thử".into(),
        opens_at: now - Duration::days(1),
        closes_at: now + Duration::days(10),
        results_at: now + Duration::days(20),
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
    };
    let mut tx = store.begin().await.unwrap();
    let c = admission::create_campaign(&mut tx, &Scope::All, &input)
        .await
        .unwrap();
    let c = admission::set_status(&mut tx, &c, CampaignStatus::Open)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    c
}

async fn count(store: &Store, table: &str) -> i64 {
    let rows: Vec<(i64,)> = store
        .conn()
        .fetch_all_raw(&format!("SELECT COUNT(*) FROM {table}"), &[])
        .await
        .unwrap();
    rows[0].0
}

/// A browser of one guardian: its cookies and CSRF token.
struct Guardian {
    cookies: String,
    csrf: String,
}

/// Signs in as `phone` through the pages, reading the code from the outbox.
async fn sign_in(t: &TestApp, phone: &str, next: &str) -> Guardian {
    let form = t.page("GET", "/admission/sign-in", "", None).await;
    assert_eq!(form.status, StatusCode::OK);
    let pre = form.cookie("truongso_csrf").expect("a CSRF cookie");
    assert_eq!(csrf_of(&form.text), pre);
    let csrf_cookie = format!("truongso_csrf={pre}");
    let next_q: String = form_urlencoded::byte_serialize(next.as_bytes()).collect();
    let sent = t
        .page(
            "POST",
            "/admission/sign-in",
            &csrf_cookie,
            Some(&format!("_csrf={pre}&contact={phone}&next={next_q}")),
        )
        .await;
    assert_eq!(sent.status, StatusCode::OK, "{}", sent.text);
    assert!(sent.text.contains("name=\"code\""), "{}", sent.text);
    let message = guardian::outbox(&mut t.store.conn(), 1).await.unwrap();
    let code = &message[0].body.split(": ").nth(1).unwrap()[..6];
    let wrong = t
        .page(
            "POST",
            "/admission/sign-in/code",
            &csrf_cookie,
            Some(&format!(
                "_csrf={pre}&contact={phone}&code=abcdef&next={next_q}"
            )),
        )
        .await;
    assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(wrong.text.contains("Còn 4 lần thử"), "{}", wrong.text);
    let ok = t
        .page(
            "POST",
            "/admission/sign-in/code",
            &csrf_cookie,
            Some(&format!(
                "_csrf={pre}&contact={phone}&code={code}&next={next_q}"
            )),
        )
        .await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER, "{}", ok.text);
    assert_eq!(ok.location(), next);
    let set = ok
        .headers
        .get_all(header::SET_COOKIE)
        .iter()
        .map(|v| v.to_str().unwrap().to_string())
        .find(|c| c.starts_with("truongso_guardian="))
        .expect("guardian cookie");
    assert!(
        set.contains("HttpOnly") && set.contains("SameSite=Lax"),
        "{set}"
    );
    let token = ok.cookie("truongso_guardian").unwrap();
    Guardian {
        cookies: format!("{csrf_cookie}; truongso_guardian={token}"),
        csrf: pre,
    }
}

/// The form as a browser sends it: text fields, then files.
fn multipart(fields: &[(&str, &str)], files: &[(&str, &str, &[u8])]) -> (String, Vec<u8>) {
    let boundary = "----truongso-test-boundary";
    let mut body = Vec::new();
    for (name, value) in fields {
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
            )
            .as_bytes(),
        );
    }
    for (name, file_name, bytes) in files {
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"; filename=\"{file_name}\"\r\nContent-Type: application/octet-stream\r\n\r\n"
            )
            .as_bytes(),
        );
        body.extend_from_slice(bytes);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

async fn post_form(
    t: &TestApp,
    who: &Guardian,
    campaign: i64,
    fields: &[(&str, &str)],
    files: &[(&str, &str, &[u8])],
) -> crate::support::Response {
    let (content_type, body) = multipart(fields, files);
    t.send(
        Request::builder()
            .method("POST")
            .uri(format!("/admission/{campaign}/apply?_csrf={}", who.csrf))
            .header(header::COOKIE, &who.cookies)
            .header(header::CONTENT_TYPE, content_type)
            .body(Body::from(body))
            .unwrap(),
    )
    .await
}

#[tokio::test]
async fn a_guardian_applies_edits_and_is_refused_what_is_not_theirs() {
    TestApp::on_both(|t| async move {
        let campaign = open_campaign(&t.store).await;
        let id = campaign.id;
        let schools = admission::campaign_schools(&mut t.store.conn(), id)
            .await
            .unwrap();
        let school = schools[0].school_id.to_string();
        let ward = guardian::residence_choices(&mut t.store.conn(), id)
            .await
            .unwrap()[0]
            .0
            .clone();

        // Public pages; the form needs a guardian session first.
        let home = t.page("GET", "/admission", "", None).await;
        assert_eq!(home.status, StatusCode::OK);
        assert!(home.text.contains(&campaign.name));
        let page = t.page("GET", &format!("/admission/{id}"), "", None).await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(page.text.contains("Giấy khai sinh"));
        let api = t
            .api("GET", "/api/v1/public/admission/campaigns", None, None)
            .await;
        assert_eq!(api.status, StatusCode::OK, "{}", api.text);
        let listed = api.json();
        assert_eq!(listed[0]["campaign"]["id"], id);
        assert_eq!(listed[0]["accepting"], true);
        assert!(!listed[0]["schools"].as_array().unwrap().is_empty());
        let apply_url = format!("/admission/{id}/apply");
        let anon = t.page("GET", &apply_url, "", None).await;
        assert_eq!(anon.status, StatusCode::SEE_OTHER);
        assert!(anon.location().starts_with("/admission/sign-in?next="));
        assert_eq!(
            t.page("GET", "/admission/outbox", "", None).await.status,
            StatusCode::NOT_FOUND
        );

        let me = sign_in(&t, "0912345678", &apply_url).await;
        let form = t.page("GET", &apply_url, &me.cookies, None).await;
        assert_eq!(form.status, StatusCode::OK, "{}", form.text);
        assert!(form.text.contains("name=\"choice1\""));
        if let Ok(dir) = std::env::var("ADMISSION_HTML_DIR") {
            std::fs::write(format!("{dir}/apply.html"), &form.text).unwrap();
        }

        let national_id =
            truongso_domain::national_id::compose("001", 2010, Gender::Female, 42).unwrap();
        let pdf: &[u8] = b"%PDF-1.7\n1 0 obj\n%%EOF\n";
        let fields = |name: &'static str| {
            vec![
                ("national_id", national_id.clone()),
                ("birth_date", "2010-03-14".to_string()),
                ("full_name", name.to_string()),
                ("gender", "F".to_string()),
                ("residence_code", ward.clone()),
                ("address", "Thôn 3".to_string()),
                ("current_school", "THCS Thử".to_string()),
                ("guardian_name", "Trần Văn Bố".to_string()),
                ("choice1", school.clone()),
            ]
        };

        // Without the CSRF token: refused before anything is read.
        let (ct, body) = multipart(&[("full_name", "x")], &[]);
        let res = t
            .send(
                Request::builder()
                    .method("POST")
                    .uri(&apply_url)
                    .header(header::COOKIE, &me.cookies)
                    .header(header::CONTENT_TYPE, ct)
                    .body(Body::from(body))
                    .unwrap(),
            )
            .await;
        assert_eq!(res.status, StatusCode::FORBIDDEN);

        let first = fields("Lê Thị Thử");
        let refs = refs_of(&first);
        let res = post_form(
            &t,
            &me,
            id,
            &refs,
            &[("documents.giay_khai_sinh", "khai-sinh.pdf", pdf)],
        )
        .await;
        assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.text);
        let receipt_url = res.location().to_string();
        let code = receipt_url.rsplit('/').next().unwrap().to_string();
        assert!(code.starts_with("TS-"), "{code}");
        assert_eq!(count(&t.store, &format!("adm_applications WHERE campaign_id = {id}")).await, 1);
        assert_eq!(count(&t.store, "adm_documents").await, 1);
        let receipt = t.page("GET", &receipt_url, &me.cookies, None).await;
        assert_eq!(receipt.status, StatusCode::OK);
        assert!(receipt.text.contains(&code) && receipt.text.contains("khai-sinh.pdf"));
        assert_eq!(
            receipt.headers.get(header::CACHE_CONTROL).unwrap(),
            "private, no-store"
        );
        if let Ok(dir) = std::env::var("ADMISSION_HTML_DIR") {
            std::fs::write(format!("{dir}/receipt.html"), &receipt.text).unwrap();
        }

        // The same child again: the one application is updated, not duplicated.
        let second = fields("Lê Thị Sửa");
        let refs = refs_of(&second);
        let res = post_form(&t, &me, id, &refs, &[]).await;
        assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.text);
        assert_eq!(res.location(), receipt_url);
        assert_eq!(count(&t.store, &format!("adm_applications WHERE campaign_id = {id}")).await, 1);
        let app = guardian::application_by_code(
            &mut t.store.conn(),
            &truongso_domain::admission::contact::Contact::parse("0912345678").unwrap(),
            &code,
        )
        .await
        .unwrap();
        assert_eq!(app.full_name, "Lê Thị Sửa");

        // Oversize and disguised files: refused beside the field, nothing written.
        let mut big = pdf.to_vec();
        big.resize(5 * 1024 * 1024 + 1, b' ');
        let third = fields("Lê Thị Không Lưu");
        let refs = refs_of(&third);
        for (name, bytes) in [("to.pdf", big.as_slice()), ("virus.pdf", b"MZ\x90\x00rest".as_slice())]
        {
            let res = post_form(
                &t,
                &me,
                id,
                &refs,
                &[("documents.giay_khai_sinh", name, bytes)],
            )
            .await;
            assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "{name}");
            assert!(res.text.contains("field-error"), "{}", res.text);
            assert!(res.text.contains("Lê Thị Không Lưu"), "values are kept");
            if let Ok(dir) = std::env::var("ADMISSION_HTML_DIR") {
                std::fs::write(format!("{dir}/refused.html"), &res.text).unwrap();
            }
            assert_eq!(count(&t.store, "adm_documents").await, 1);
            let names: Vec<(String,)> = t
                .store
                .conn()
                .fetch_all_raw(
                    &format!("SELECT full_name FROM adm_applications WHERE campaign_id = {id}"),
                    &[],
                )
                .await
                .unwrap();
            assert_eq!(names, vec![("Lê Thị Sửa".to_string(),)]);
        }

        // A learner of the sector database with a wrong date of birth: refused, the recorded
        // date not shown.
        let rows: Vec<(String, NaiveDate, String)> = t
            .store
            .conn()
            .fetch_all_raw(
                "SELECT national_id, birth_date, gender FROM learners WHERE national_id IS NOT NULL ORDER BY id LIMIT 1",
                &[],
            )
            .await
            .unwrap();
        let (learner_id, birth, gender) = rows[0].clone();
        let wrong = if birth.format("%m-%d").to_string() == "01-01" {
            birth.succ_opt().unwrap()
        } else {
            birth.with_month(1).unwrap().with_day(1).unwrap()
        };
        let mut known = fields("Học Sinh Có Hồ Sơ");
        known[0].1 = learner_id;
        known[1].1 = wrong.to_string();
        known[3].1 = gender;
        let refs = refs_of(&known);
        let res = post_form(&t, &me, id, &refs, &[]).await;
        assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", res.text);
        assert!(res.text.contains("Ngày sinh không khớp"), "{}", res.text);
        for shown in [
            birth.to_string(),
            birth.format("%d/%m/%Y").to_string(),
        ] {
            assert!(!res.text.contains(&shown), "the recorded date leaks");
        }
        assert_eq!(count(&t.store, &format!("adm_applications WHERE campaign_id = {id}")).await, 1);

        // Another contact: the application does not exist for them, the child cannot be
        // applied for again, and their list is empty.
        let other = sign_in(&t, "0987654321", "/admission").await;
        let res = t.page("GET", &receipt_url, &other.cookies, None).await;
        assert_eq!(res.status, StatusCode::NOT_FOUND);
        let res = t
            .page("GET", &format!("{receipt_url}/documents/1"), &other.cookies, None)
            .await;
        assert_eq!(res.status, StatusCode::NOT_FOUND);
        let res = post_form(&t, &other, id, &refs_of(&fields("Người Khác Nộp")), &[]).await;
        assert_eq!(res.status, StatusCode::CONFLICT, "{}", res.text);
        assert!(res.text.contains("đã có hồ sơ"), "{}", res.text);
        assert!(!res.text.contains("Lê Thị Sửa") && !res.text.contains(&code));
        assert_eq!(count(&t.store, &format!("adm_applications WHERE campaign_id = {id}")).await, 1);
        let home = t.page("GET", "/admission", &other.cookies, None).await;
        assert!(!home.text.contains(&code));
        let home = t.page("GET", "/admission", &me.cookies, None).await;
        assert!(home.text.contains(&code));

        // Withdrawal needs the confirmation box.
        let withdraw = format!("{receipt_url}/withdraw");
        let res = t
            .page("POST", &withdraw, &me.cookies, Some(&format!("_csrf={}", me.csrf)))
            .await;
        assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
        let res = t
            .page(
                "POST",
                &withdraw,
                &me.cookies,
                Some(&format!("_csrf={}&confirm=1", me.csrf)),
            )
            .await;
        assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.text);
        let receipt = t.page("GET", &receipt_url, &me.cookies, None).await;
        assert!(receipt.text.contains("Đã rút hồ sơ"));

        // Signing out ends the session.
        let res = t
            .page(
                "POST",
                "/admission/sign-out",
                &me.cookies,
                Some(&format!("_csrf={}", me.csrf)),
            )
            .await;
        assert_eq!(res.status, StatusCode::SEE_OTHER);
        let res = t.page("GET", &receipt_url, &me.cookies, None).await;
        assert_eq!(res.status, StatusCode::SEE_OTHER);
    })
    .await;
}

fn refs_of<'a>(v: &'a [(&'static str, String)]) -> Vec<(&'static str, &'a str)> {
    v.iter().map(|(k, v)| (*k, v.as_str())).collect()
}

#[tokio::test]
async fn the_outbox_page_is_shown_only_when_enabled() {
    truongso_testkit::on_both(|store| async move {
        let mut tx = store.begin().await.unwrap();
        let me = truongso_domain::admission::contact::Contact::parse("me@example.vn").unwrap();
        guardian::send_code(&mut tx, &me, None, &Default::default())
            .await
            .unwrap();
        tx.commit().await.unwrap();
        let mut state = truongso_web::AppState::new(store.clone());
        state.admission_outbox_page = true;
        let router = truongso_web::app(state);
        use tower::ServiceExt;
        let res = router
            .oneshot(
                Request::builder()
                    .uri("/admission/outbox")
                    .body(Body::empty())
                    .unwrap(),
            )
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::OK);
        let bytes = http_body_util::BodyExt::collect(res.into_body())
            .await
            .unwrap()
            .to_bytes();
        let text = String::from_utf8_lossy(&bytes);
        assert!(text.contains("Mã xác nhận tuyển sinh"), "{text}");
        assert!(text.contains("me@example.vn"));
    })
    .await;
}
