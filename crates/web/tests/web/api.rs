//! API tests through the whole router, on SQLite and PostgreSQL.

use crate::support::TestApp;
use axum::http::StatusCode;
use serde_json::{Value, json};

/// A demo school's administrator (all permissions inside their school) and that school.
async fn admin_of_a_school(t: &TestApp) -> (String, i64) {
    let account = t.account("school_admin", 0);
    (t.token(&account.username).await, account.scope_org_id)
}

async fn count_learners(t: &TestApp, token: &str) -> u64 {
    let res = t
        .api("GET", "/api/v1/learners?per_page=1", Some(token), None)
        .await;
    res.json()["total"].as_u64().unwrap()
}

#[tokio::test]
async fn openapi_document_is_stable() {
    let doc = truongso_web::api::openapi();
    let json: Value = serde_json::from_str(&doc.to_pretty_json().unwrap()).unwrap();
    assert_eq!(json["openapi"], "3.1.0");
    insta::assert_json_snapshot!("openapi", json);
}

#[tokio::test]
async fn lists_paginate_filter_and_sort() {
    TestApp::on_both(|t| async move {
        let token = t.token(&t.account("department_officer", 0).username).await;
        let token = Some(token.as_str());
        let res = t
            .api(
                "GET",
                "/api/v1/learners?per_page=5&page=2&sort=-birth_date",
                token,
                None,
            )
            .await;
        assert_eq!(res.status, StatusCode::OK);
        let page = res.json();
        assert_eq!(page["items"].as_array().unwrap().len(), 5);
        assert_eq!(page["page"], 2);
        let dates: Vec<&str> = page["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|l| l["birth_date"].as_str().unwrap())
            .collect();
        assert!(
            dates.windows(2).all(|w| w[0] >= w[1]),
            "sorted descending: {dates:?}"
        );
        let res = t
            .api("GET", "/api/v1/learners?sort=salary", token, None)
            .await;
        assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(res.content_type(), "application/problem+json");
        assert_eq!(res.json()["errors"][0]["field"], "sort");
        let school = t.account("school_admin", 0).scope_org_id;
        let classes = t
            .api(
                "GET",
                &format!("/api/v1/classes?org_unit_id={school}"),
                token,
                None,
            )
            .await
            .json();
        assert!(classes["total"].as_u64().unwrap() > 0);
        let res = t
            .api("GET", "/api/v1/learners?school_id=abc", token, None)
            .await;
        assert_eq!(res.status, StatusCode::BAD_REQUEST);
    })
    .await;
}

#[tokio::test]
async fn bad_input_is_a_clear_4xx_and_writes_nothing() {
    TestApp::on_both(|t| async move {
        let (token, school) = admin_of_a_school(&t).await;
        let before = count_learners(&t, &token).await;
        let valid = json!({
            "school_id": school, "full_name": "Phạm Thị Lan", "birth_date": "2013-03-02", "gender": "F",
            "national_id": "051313000777", "ethnicity_code": "01",
            "guardians": [{"relation": "mother", "full_name": "Võ Thị Hằng", "phone": "0905123456"}]
        });
        let with = |field: &str, value: Value| {
            let mut v = valid.clone();
            v[field] = value;
            v.to_string()
        };
        let cases: Vec<(String, StatusCode, &str)> = vec![
            ("{\"full_name\": ".into(), StatusCode::BAD_REQUEST, "full_name"),
            (json!({"school_id": school}).to_string(), StatusCode::BAD_REQUEST, "body"),
            (with("national_id", json!("05131300077x")), StatusCode::UNPROCESSABLE_ENTITY, "national_id"),
            (with("national_id", json!("003313000777")), StatusCode::UNPROCESSABLE_ENTITY, "national_id"),
            (with("birth_date", json!("2013-02-30")), StatusCode::BAD_REQUEST, "birth_date"),
            (with("gender", json!("X")), StatusCode::BAD_REQUEST, "gender"),
            (with("school_id", json!("abc")), StatusCode::BAD_REQUEST, "school_id"),
            (with("ethnicity_code", json!("99")), StatusCode::UNPROCESSABLE_ENTITY, "ethnicity_code"),
            (with("full_name", json!("A".repeat(500))), StatusCode::UNPROCESSABLE_ENTITY, "full_name"),
            ({ let mut v = valid.clone(); v["guardians"][0]["phone"] = json!("123"); v.to_string() }, StatusCode::UNPROCESSABLE_ENTITY, "guardians[0].phone"),
            (with("school_id", json!(987654321)), StatusCode::UNPROCESSABLE_ENTITY, "school_id"),
        ];
        for (body, expected, field) in cases {
            let res = t.api("POST", "/api/v1/learners", Some(&token), Some(&body)).await;
            let problem = res.json();
            assert_eq!(res.status, expected, "body {body:.80}: {problem}");
            assert_eq!(res.content_type(), "application/problem+json");
            let fields: Vec<&str> = problem["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap()).collect();
            assert!(fields.iter().any(|f| f.contains(field)), "expected field {field} in {problem}");
        }
        let huge = format!("{{\"full_name\": \"{}\"}}", "x".repeat(2 * 1024 * 1024));
        let res = t.api("POST", "/api/v1/learners", Some(&token), Some(&huge)).await;
        assert!(res.status.is_client_error());
        assert_eq!(count_learners(&t, &token).await, before, "nothing was written");

        let res = t.api("POST", "/api/v1/learners", Some(&token), Some(&valid.to_string())).await;
        assert_eq!(res.status, StatusCode::CREATED, "{}", res.text);
        assert!(res.json()["learner_code"].as_str().unwrap().starts_with("HS"));
        assert_eq!(count_learners(&t, &token).await, before + 1);
        let res = t.api("GET", "/api/v1/learners/999999999", Some(&token), None).await;
        assert_eq!(res.status, StatusCode::NOT_FOUND);
    })
    .await;
}

#[tokio::test]
async fn search_by_name_without_diacritics() {
    TestApp::on_both(|t| async move {
        let token = t.token(&t.account("ministry_officer", 0).username).await;
        let page = t
            .api("GET", "/api/v1/learners?per_page=1", Some(&token), None)
            .await
            .json();
        let name = page["items"][0]["full_name"].as_str().unwrap().to_string();
        let folded = truongso_domain::text::fold(&name);
        let uri = format!("/api/v1/learners?q={}", folded.replace(' ', "+"));
        let res = t.api("GET", &uri, Some(&token), None).await;
        assert_eq!(res.status, StatusCode::OK);
        let found = res.json();
        assert!(
            found["items"]
                .as_array()
                .unwrap()
                .iter()
                .any(|l| l["full_name"] == name.as_str()),
            "{folded} → {found}"
        );
    })
    .await;
}

#[tokio::test]
async fn health_metrics_and_pages() {
    TestApp::on_both(|t| async move {
        assert_eq!(
            t.api("GET", "/healthz", None, None).await.status,
            StatusCode::OK
        );
        let res = t.api("GET", "/metrics", None, None).await;
        assert_eq!(res.status, StatusCode::OK);
        assert!(res.text.contains("http_requests_total"));
        // Pages need a sign-in: the home page sends the browser to the login form.
        let res = t.page("GET", "/", "", None).await;
        assert_eq!(res.status, StatusCode::SEE_OTHER);
        assert!(res.location().starts_with("/login"), "{}", res.location());

        let principal = t.account("principal", 0);
        let (cookie, _) = t
            .browser_login(&principal.username, &principal.password)
            .await;
        let res = t.page("GET", "/", &cookie, None).await;
        assert_eq!(res.status, StatusCode::OK);
        assert!(res.content_type().starts_with("text/html"));
        assert!(res.text.contains(&principal.scope), "home shows the school");
        let token = t.token(&principal.username).await;
        let page = t
            .api("GET", "/api/v1/learners?per_page=1", Some(&token), None)
            .await
            .json();
        let id = page["items"][0]["id"].as_i64().unwrap();
        let res = t
            .page("GET", &format!("/learners/{id}"), &cookie, None)
            .await;
        assert_eq!(res.status, StatusCode::OK);
        assert!(res.text.contains("Mã định danh cá nhân"));
        let res = t
            .page("GET", &format!("/learners/{id}?lang=en"), &cookie, None)
            .await;
        assert_eq!(res.status, StatusCode::OK);
        assert!(res.text.contains("Personal ID"));
        let res = t.page("GET", "/learners/999999999", &cookie, None).await;
        assert_eq!(res.status, StatusCode::NOT_FOUND);
    })
    .await;
}
