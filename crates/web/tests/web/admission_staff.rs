//! The staff side of admission over HTTP, on SQLite and PostgreSQL: a principal sees only the
//! applications whose first choice is their school; verify / request a correction / reject
//! write the guardian's message; a score file with one bad row writes nothing and names the
//! row; a teacher is refused.

use crate::support::TestApp;
use crate::support::admission::{insert_application, open_campaign};
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use sea_query::{Expr, ExprTrait, Order, Query};
use serde_json::json;
use truongso_domain::org::OrgKind;
use truongso_domain::tabular::{Cell, TableWriter};
use truongso_store::schema::{AdmApplications, AdmOutbox, AuditLog};
use truongso_store::{PageRequest, Scope, Store, orgs, users};

const PASSWORD: &str = "mat-khau-tuyen-sinh";

/// A school under a local office (whose officers may sign in without a second factor) and
/// another school.
async fn two_schools(store: &Store) -> (i64, i64) {
    let all = orgs::list(
        &mut store.conn(),
        &Scope::All,
        &orgs::OrgFilter {
            kind: Some(OrgKind::School),
            ..Default::default()
        },
        &PageRequest::new(1, 500),
    )
    .await
    .unwrap()
    .items;
    for a in &all {
        let parent = orgs::get(&mut store.conn(), &Scope::All, a.parent_id.unwrap())
            .await
            .unwrap();
        if parent.kind != OrgKind::LocalOffice {
            continue;
        }
        if let Some(b) = all.iter().find(|b| b.id != a.id) {
            return (a.id, b.id);
        }
    }
    panic!("the demo has a school under a local office")
}

/// A new account with a role over a unit; returns (username, API token).
async fn account(t: &TestApp, username: &str, role: &str, org: i64) -> (String, String) {
    let mut tx = t.store.begin().await.unwrap();
    users::create(
        &mut tx,
        &users::NewUser {
            username,
            password: PASSWORD,
            display_name: username,
            role,
            scope_org_id: org,
            staff_id: None,
            learner_ids: &[],
            must_change_password: false,
        },
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    (username.to_string(), t.token(username).await)
}

async fn outbox(store: &Store) -> Vec<(String, String, String)> {
    store
        .conn()
        .fetch_all(
            Query::select()
                .columns([AdmOutbox::Recipient, AdmOutbox::Subject, AdmOutbox::Body])
                .from(AdmOutbox::Table)
                .order_by(AdmOutbox::Id, Order::Asc),
        )
        .await
        .unwrap()
}

async fn audited(store: &Store, action: &str, id: i64) -> bool {
    let found: Option<(i64,)> = store
        .conn()
        .fetch_optional(
            Query::select()
                .column(AuditLog::Id)
                .from(AuditLog::Table)
                .and_where(Expr::col(AuditLog::Entity).eq("adm_application"))
                .and_where(Expr::col(AuditLog::Action).eq(action))
                .and_where(Expr::col(AuditLog::EntityId).eq(id))
                .limit(1),
        )
        .await
        .unwrap();
    found.is_some()
}

#[tokio::test]
async fn a_principal_sees_only_their_schools_applications_and_a_teacher_nothing() {
    TestApp::on_both(|t| async move {
        let (a, b) = two_schools(&t.store).await;
        let c = open_campaign(&t.store, &[a, b], None).await;
        let (a1, _) = insert_application(&t.store, &c, "079215000001", "Vũ Thị Ánh", &[a]).await;
        let (b1, b1_doc) =
            insert_application(&t.store, &c, "079215000002", "Đỗ Văn Bảo", &[b, a]).await;
        let (a2, a2_doc) =
            insert_application(&t.store, &c, "079215000003", "Hồ Minh Châu", &[a, b]).await;
        let (principal, token) = account(&t, "ts.hieutruong.a", "principal", a).await;
        let base = format!("/api/v1/admission/campaigns/{}", c.id);

        let res = t
            .api("GET", &format!("{base}/applications"), Some(&token), None)
            .await;
        assert_eq!(res.status, StatusCode::OK, "{}", res.text);
        let body = res.json();
        assert_eq!(body["total"], 2);
        let mut ids: Vec<i64> = body["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["id"].as_i64().unwrap())
            .collect();
        ids.sort();
        assert_eq!(ids, vec![a1, a2]);
        assert_eq!(body["counts"][0]["status"], "submitted");
        assert_eq!(body["counts"][0]["count"], 2);
        // B's applicant (A second) is not theirs: not found, nor is its document.
        for uri in [
            format!("{base}/applications/{b1}"),
            format!("{base}/documents/{b1_doc}"),
        ] {
            let res = t.api("GET", &uri, Some(&token), None).await;
            assert_eq!(res.status, StatusCode::NOT_FOUND, "{uri}: {}", res.text);
        }
        let res = t
            .api(
                "GET",
                &format!("{base}/applications/{a2}"),
                Some(&token),
                None,
            )
            .await;
        assert_eq!(res.status, StatusCode::OK, "{}", res.text);
        assert_eq!(res.json()["choices"][0]["school_id"], a);
        assert!(audited(&t.store, "read", a2).await);
        let res = t
            .api(
                "GET",
                &format!("{base}/documents/{a2_doc}"),
                Some(&token),
                None,
            )
            .await;
        assert_eq!(res.status, StatusCode::OK);
        assert_eq!(res.content_type(), "image/png");

        // The pages: the queue lists A's two, with tabs; B's applicant is not there.
        let (cookie, _) = t.browser_login(&principal, PASSWORD).await;
        let page = t
            .page(
                "GET",
                &format!("/campaigns/{}/applications", c.id),
                &cookie,
                None,
            )
            .await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.text);
        assert!(page.text.contains("Vũ Thị Ánh") && page.text.contains("Hồ Minh Châu"));
        assert!(!page.text.contains("Đỗ Văn Bảo"));
        assert!(page.text.contains("Tất cả (2)"));
        let search = t
            .page(
                "GET",
                &format!(
                    "/campaigns/{}/applications?q=ho+minh&status=submitted",
                    c.id
                ),
                &cookie,
                None,
            )
            .await;
        assert!(search.text.contains("Hồ Minh Châu") && !search.text.contains("Vũ Thị Ánh"));
        let review = t
            .page(
                "GET",
                &format!("/campaigns/{}/applications/{a2}", c.id),
                &cookie,
                None,
            )
            .await;
        assert_eq!(review.status, StatusCode::OK, "{}", review.text);
        assert!(review.text.contains(&format!(
            "<img src=\"/campaigns/{}/documents/{a2_doc}\"",
            c.id
        )));
        let other = t
            .page(
                "GET",
                &format!("/campaigns/{}/applications/{b1}", c.id),
                &cookie,
                None,
            )
            .await;
        assert_eq!(other.status, StatusCode::NOT_FOUND);

        // A teacher has no admission permission at all.
        let teacher = t.account("teacher", 0).clone();
        let ttoken = t.token(&teacher.username).await;
        let res = t
            .api("GET", &format!("{base}/applications"), Some(&ttoken), None)
            .await;
        assert_eq!(res.status, StatusCode::FORBIDDEN, "{}", res.text);
        let (tcookie, _) = t.browser_login(&teacher.username, &teacher.password).await;
        let page = t
            .page(
                "GET",
                &format!("/campaigns/{}/applications", c.id),
                &tcookie,
                None,
            )
            .await;
        assert_eq!(page.status, StatusCode::FORBIDDEN);
    })
    .await;
}

#[tokio::test]
async fn verify_correction_and_rejection_write_the_guardians_message() {
    TestApp::on_both(|t| async move {
        let (a, b) = two_schools(&t.store).await;
        let c = open_campaign(&t.store, &[a, b], None).await;
        let (a1, a1_doc) =
            insert_application(&t.store, &c, "079215000011", "Vũ Thị Ánh", &[a]).await;
        let (a2, _) = insert_application(&t.store, &c, "079215000012", "Hồ Minh Châu", &[a]).await;
        let (a3, _) = insert_application(&t.store, &c, "079215000013", "Lý Gia Huy", &[a]).await;
        let (principal, token) = account(&t, "ts.hieutruong.b", "principal", a).await;
        let (cookie, csrf) = t.browser_login(&principal, PASSWORD).await;
        let url = format!("/campaigns/{}/applications/{a1}", c.id);

        // A correction needs a note: refused, nothing sent.
        let res = t
            .page(
                "POST",
                &url,
                &cookie,
                Some(&format!("_csrf={csrf}&decision=request_correction&note=")),
            )
            .await;
        assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", res.text);
        assert!(res.text.contains("cần bổ sung, sửa gì"));
        assert!(outbox(&t.store).await.is_empty());

        let form = format!(
            "_csrf={csrf}&decision=request_correction&note=Ảnh+giấy+khai+sinh+bị+mờ&doc.{a1_doc}=rejected&docnote.{a1_doc}=mờ&priority_group="
        );
        let res = t.page("POST", &url, &cookie, Some(&form)).await;
        assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.text);
        let sent = outbox(&t.store).await;
        assert_eq!(sent.len(), 1);
        assert_eq!(sent[0].0, "ph079215000011@example.vn");
        assert!(sent[0].1.contains("cần bổ sung"));
        assert!(sent[0].2.contains("Ảnh giấy khai sinh bị mờ"));
        assert!(audited(&t.store, "update", a1).await);
        let shown = t.page("GET", res.location(), &cookie, None).await;
        assert!(shown.text.contains("Cần bổ sung, sửa hồ sơ"));

        // Verify over the API, with a confirmed priority group.
        let res = t
            .api(
                "POST",
                &format!(
                    "/api/v1/admission/campaigns/{}/applications/{a2}/review",
                    c.id
                ),
                Some(&token),
                Some(&json!({ "decision": "verify", "priority_group": 2 }).to_string()),
            )
            .await;
        assert_eq!(res.status, StatusCode::OK, "{}", res.text);
        assert_eq!(res.json()["application"]["status"], "verified");
        assert_eq!(res.json()["application"]["priority_group"], 2);

        // Reject through the page.
        let res = t
            .page(
                "POST",
                &format!("/campaigns/{}/applications/{a3}", c.id),
                &cookie,
                Some(&format!(
                    "_csrf={csrf}&decision=reject&note=Không+đúng+độ+tuổi+tuyển+sinh"
                )),
            )
            .await;
        assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.text);
        let sent = outbox(&t.store).await;
        assert_eq!(sent.len(), 3);
        assert!(sent[1].1.contains("đã được xác minh"));
        assert!(sent[2].1.contains("không đủ điều kiện"));
        assert!(sent[2].2.contains("Không đúng độ tuổi tuyển sinh"));
    })
    .await;
}

fn score_xlsx(rows: &[[&str; 7]]) -> Vec<u8> {
    let mut w = TableWriter::xlsx("Điểm thi");
    w.header(&[
        "Số báo danh",
        "Mã định danh",
        "Họ và tên",
        "Ngày sinh",
        "Toán",
        "Ngữ văn",
        "Ngoại ngữ",
    ])
    .unwrap();
    for r in rows {
        let cells: Vec<Cell> = r.iter().map(|v| Cell::Text(v.to_string())).collect();
        w.row(&cells).unwrap();
    }
    w.finish().unwrap()
}

async fn candidate_number(store: &Store, id: i64) -> Option<String> {
    let (n,): (Option<String>,) = store
        .conn()
        .fetch_one(
            Query::select()
                .column(AdmApplications::CandidateNumber)
                .from(AdmApplications::Table)
                .and_where(Expr::col(AdmApplications::Id).eq(id)),
        )
        .await
        .unwrap();
    n
}

#[tokio::test]
async fn a_score_file_with_one_bad_row_writes_nothing_and_names_the_row() {
    TestApp::on_both(|t| async move {
        let (a, b) = two_schools(&t.store).await;
        let c = open_campaign(&t.store, &[a, b], Some(10)).await;
        let (a1, _) = insert_application(&t.store, &c, "079215000021", "Vũ Thị Ánh", &[a]).await;
        let (a2, _) = insert_application(&t.store, &c, "079215000022", "Hồ Minh Châu", &[b]).await;
        let (officer, token) = account(&t, "ts.phong", "office_officer", c.owner_id).await;
        let bad = score_xlsx(&[
            ["020001", "079215000021", "Vũ Thị Ánh", "04/03/2011", "7,25", "8", "9"],
            ["020002", "079215000022", "Hồ Minh Châu", "04/03/2011", "11", "8", "9"],
        ]);

        // The page: multipart upload, the error names row 3 and its column; nothing written.
        let (cookie, csrf) = t.browser_login(&officer, PASSWORD).await;
        let boundary = "ranh-gioi-tuyen-sinh";
        let mut body = format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"diem.xlsx\"\r\nContent-Type: application/vnd.openxmlformats-officedocument.spreadsheetml.sheet\r\n\r\n"
        )
        .into_bytes();
        body.extend_from_slice(&bad);
        body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
        let req = Request::builder()
            .method("POST")
            .uri(format!("/campaigns/{}/scores?_csrf={csrf}", c.id))
            .header(header::COOKIE, &cookie)
            .header(
                header::CONTENT_TYPE,
                format!("multipart/form-data; boundary={boundary}"),
            )
            .body(Body::from(body))
            .unwrap();
        let res = t.send(req).await;
        assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", res.text);
        assert!(res.text.contains("Dòng 3, cột Toán"), "{}", res.text);
        assert_eq!(candidate_number(&t.store, a1).await, None);

        // The API: the same 422; then the corrected file imports both.
        let uri = format!("/api/v1/admission/campaigns/{}/scores", c.id);
        let send = |bytes: Vec<u8>, token: String| {
            let uri = uri.clone();
            let t = &t;
            async move {
                let req = Request::builder()
                    .method("POST")
                    .uri(uri)
                    .header(header::AUTHORIZATION, format!("Bearer {token}"))
                    .header(header::CONTENT_TYPE, "application/octet-stream")
                    .body(Body::from(bytes))
                    .unwrap();
                t.send(req).await
            }
        };
        let res = send(bad.clone(), token.clone()).await;
        assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", res.text);
        assert!(res.text.contains("Dòng 3, cột Toán"));
        assert_eq!(candidate_number(&t.store, a2).await, None);
        let good = score_xlsx(&[
            ["020001", "079215000021", "Vũ Thị Ánh", "04/03/2011", "7,25", "8", "9"],
            ["020002", "079215000022", "Ho Minh Chau", "04/03/2011", "10", "8", ""],
        ]);
        let res = send(good.clone(), token.clone()).await;
        assert_eq!(res.status, StatusCode::OK, "{}", res.text);
        assert_eq!(res.json()["imported"], 2);
        assert_eq!(candidate_number(&t.store, a2).await.as_deref(), Some("020002"));
        assert!(audited(&t.store, "update", a1).await);

        // A principal reviews but does not import.
        let (_, ptoken) = account(&t, "ts.hieutruong.c", "principal", a).await;
        let res = send(good, ptoken).await;
        assert_eq!(res.status, StatusCode::FORBIDDEN, "{}", res.text);
    })
    .await;
}
