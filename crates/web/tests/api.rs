//! API tests through the whole router, on SQLite and PostgreSQL.

#[allow(dead_code)]
mod common;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use http_body_util::BodyExt;
use serde_json::{Value, json};
use tower::ServiceExt;
use truongso_demo::DemoConfig;
use truongso_store::Store;
use truongso_web::{AppState, app};

async fn seeded(store: &Store) {
    let config = DemoConfig {
        seed: 11,
        learners: 1_500,
        ..DemoConfig::default()
    };
    truongso_store::seed::seed(store, &config, |_, _| {})
        .await
        .expect("seed");
}

async fn call(
    store: &Store,
    method: &str,
    uri: &str,
    body: Option<&str>,
) -> (StatusCode, String, Value) {
    let mut req = Request::builder().method(method).uri(uri);
    if body.is_some() {
        req = req.header(header::CONTENT_TYPE, "application/json");
    }
    let req = req
        .body(body.map_or_else(Body::empty, |b| Body::from(b.to_string())))
        .unwrap();
    let res = app(AppState::new(store.clone()))
        .oneshot(req)
        .await
        .unwrap();
    let status = res.status();
    let ctype = res
        .headers()
        .get(header::CONTENT_TYPE)
        .map(|v| v.to_str().unwrap().to_string())
        .unwrap_or_default();
    let bytes = res.into_body().collect().await.unwrap().to_bytes();
    let json = serde_json::from_slice(&bytes)
        .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&bytes).into_owned()));
    (status, ctype, json)
}

async fn count_learners(store: &Store) -> u64 {
    let (_, _, page) = call(store, "GET", "/api/v1/learners?per_page=1", None).await;
    page["total"].as_u64().unwrap()
}

async fn first_school(store: &Store) -> i64 {
    let (_, _, page) = call(
        store,
        "GET",
        "/api/v1/org-units?kind=school&per_page=1",
        None,
    )
    .await;
    page["items"][0]["id"].as_i64().unwrap()
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
    common::on_both(|store| async move {
        seeded(&store).await;
        let (status, _, page) = call(
            &store,
            "GET",
            "/api/v1/learners?per_page=5&page=2&sort=-birth_date",
            None,
        )
        .await;
        assert_eq!(status, StatusCode::OK);
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
        let (status, ctype, problem) =
            call(&store, "GET", "/api/v1/learners?sort=salary", None).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(ctype, "application/problem+json");
        assert_eq!(problem["errors"][0]["field"], "sort");
        let school = first_school(&store).await;
        let (_, _, classes) = call(
            &store,
            "GET",
            &format!("/api/v1/classes?org_unit_id={school}"),
            None,
        )
        .await;
        assert!(classes["total"].as_u64().unwrap() > 0);
        let (status, _, _) = call(&store, "GET", "/api/v1/learners?school_id=abc", None).await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
    })
    .await;
}

#[tokio::test]
async fn bad_input_is_a_clear_4xx_and_writes_nothing() {
    common::on_both(|store| async move {
        seeded(&store).await;
        let school = first_school(&store).await;
        let before = count_learners(&store).await;
        let valid = json!({
            "school_id": school, "full_name": "Phạm Thị Lan", "birth_date": "2013-03-02", "gender": "F",
            "national_id": "051313000777", "ethnicity_code": "01",
            "guardians": [{"relation": "mother", "full_name": "Võ Thị Hằng", "phone": "0905123456"}]
        });
        let cases: Vec<(String, StatusCode, &str)> = vec![
            ("{\"full_name\": ".into(), StatusCode::BAD_REQUEST, "full_name"),
            (json!({"school_id": school}).to_string(), StatusCode::BAD_REQUEST, "body"),
            ({ let mut v = valid.clone(); v["national_id"] = json!("05131300077x"); v.to_string() }, StatusCode::UNPROCESSABLE_ENTITY, "national_id"),
            ({ let mut v = valid.clone(); v["national_id"] = json!("003313000777"); v.to_string() }, StatusCode::UNPROCESSABLE_ENTITY, "national_id"),
            ({ let mut v = valid.clone(); v["birth_date"] = json!("2013-02-30"); v.to_string() }, StatusCode::BAD_REQUEST, "body"),
            ({ let mut v = valid.clone(); v["gender"] = json!("X"); v.to_string() }, StatusCode::BAD_REQUEST, "body"),
            ({ let mut v = valid.clone(); v["ethnicity_code"] = json!("99"); v.to_string() }, StatusCode::UNPROCESSABLE_ENTITY, "ethnicity_code"),
            ({ let mut v = valid.clone(); v["full_name"] = json!("A".repeat(500)); v.to_string() }, StatusCode::UNPROCESSABLE_ENTITY, "full_name"),
            ({ let mut v = valid.clone(); v["guardians"][0]["phone"] = json!("123"); v.to_string() }, StatusCode::UNPROCESSABLE_ENTITY, "guardians[0].phone"),
            ({ let mut v = valid.clone(); v["school_id"] = json!(987654321); v.to_string() }, StatusCode::UNPROCESSABLE_ENTITY, "school_id"),
        ];
        for (body, expected, field) in cases {
            let (status, ctype, problem) = call(&store, "POST", "/api/v1/learners", Some(&body)).await;
            assert_eq!(status, expected, "body {body:.80}: {problem}");
            assert_eq!(ctype, "application/problem+json");
            let fields: Vec<&str> = problem["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap()).collect();
            assert!(fields.iter().any(|f| f.contains(field)), "expected field {field} in {problem}");
        }
        let huge = format!("{{\"full_name\": \"{}\"}}", "x".repeat(2 * 1024 * 1024));
        let (status, _, _) = call(&store, "POST", "/api/v1/learners", Some(&huge)).await;
        assert!(status.is_client_error());
        assert_eq!(count_learners(&store).await, before, "nothing was written");

        let (status, _, created) = call(&store, "POST", "/api/v1/learners", Some(&valid.to_string())).await;
        assert_eq!(status, StatusCode::CREATED, "{created}");
        assert!(created["learner_code"].as_str().unwrap().starts_with("HS"));
        assert_eq!(count_learners(&store).await, before + 1);
        let (status, _, _) = call(&store, "GET", "/api/v1/learners/999999999", None).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
    })
    .await;
}

#[tokio::test]
async fn search_by_name_without_diacritics() {
    common::on_both(|store| async move {
        seeded(&store).await;
        let (_, _, page) = call(&store, "GET", "/api/v1/learners?per_page=1", None).await;
        let name = page["items"][0]["full_name"].as_str().unwrap().to_string();
        let folded = truongso_domain::text::fold(&name);
        let (status, _, found) = call(
            &store,
            "GET",
            &format!("/api/v1/learners?q={}", folded.replace(' ', "+")),
            None,
        )
        .await;
        assert_eq!(status, StatusCode::OK);
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
    common::on_both(|store| async move {
        seeded(&store).await;
        let (status, _, _) = call(&store, "GET", "/healthz", None).await;
        assert_eq!(status, StatusCode::OK);
        let (status, _, body) = call(&store, "GET", "/metrics", None).await;
        assert_eq!(status, StatusCode::OK);
        assert!(body.as_str().unwrap().contains("http_requests_total"));
        let (status, ctype, body) = call(&store, "GET", "/", None).await;
        assert_eq!(status, StatusCode::OK);
        assert!(ctype.starts_with("text/html"));
        assert!(body.as_str().unwrap().contains("Bộ Giáo dục và Đào tạo"));
        let (_, _, page) = call(&store, "GET", "/api/v1/learners?per_page=1", None).await;
        let id = page["items"][0]["id"].as_i64().unwrap();
        let (status, _, body) = call(&store, "GET", &format!("/learners/{id}"), None).await;
        assert_eq!(status, StatusCode::OK);
        assert!(body.as_str().unwrap().contains("Mã định danh cá nhân"));
        let (status, _, body) = call(&store, "GET", &format!("/learners/{id}?lang=en"), None).await;
        assert_eq!(status, StatusCode::OK);
        assert!(body.as_str().unwrap().contains("Personal ID"));
        let (status, _, _) = call(&store, "GET", "/learners/999999999", None).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
    })
    .await;
}
