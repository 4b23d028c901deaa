//! The public results lookup on SQLite and PostgreSQL: a published result is found with the
//! right date of birth; a wrong date of birth and an unknown number answer identically; the
//! 31st lookup in a minute is refused; found answers are cacheable; the snapshot server (no
//! database) answers exactly as the main server.

use crate::support::TestApp;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use http_body_util::BodyExt;
use tower::ServiceExt;
use truongso_domain::admission::AdmissionSettings;
use truongso_store::admission::lookup;

async fn get(router: &axum::Router, uri: &str) -> (StatusCode, axum::http::HeaderMap, String) {
    let res = router
        .clone()
        .oneshot(Request::builder().uri(uri).body(Body::empty()).unwrap())
        .await
        .unwrap();
    let status = res.status();
    let headers = res.headers().clone();
    let bytes = res.into_body().collect().await.unwrap().to_bytes();
    (
        status,
        headers,
        String::from_utf8_lossy(&bytes).into_owned(),
    )
}

#[tokio::test]
async fn results_are_found_only_with_the_right_birth_date_and_served_from_a_snapshot() {
    truongso_testkit::on_both(|store| async move {
        let t = TestApp::seeded(store.clone()).await;
        let report = truongso_store::admission::seed::seed_applicants(
            &store,
            300,
            5,
            &AdmissionSettings::default(),
            |_, _| {},
        )
        .await
        .expect("seed applicants");
        let c = report.campaign_id;
        let mut all = Vec::new();
        lookup::published(&mut store.conn(), c, |r| all.push(r))
            .await
            .unwrap()
            .expect("published");
        assert_eq!(all.len(), 300);
        let someone = all
            .iter()
            .find(|r| r.outcome == "admitted")
            .unwrap()
            .clone();
        let number = someone.candidate_number.clone().unwrap();
        let dob = someone.birth_date;
        let url = |n: &str, d: &str| {
            format!("/api/v1/public/admission/results?campaign_id={c}&number={n}&birth_date={d}")
        };

        // Found by candidate number and by tracking code (any case), with cache headers.
        let res = t
            .api("GET", &url(&number, &dob.to_string()), None, None)
            .await;
        assert_eq!(res.status, StatusCode::OK, "{}", res.text);
        let body = res.json();
        assert_eq!(body["full_name"], someone.full_name.as_str());
        assert_eq!(body["outcome"], "admitted");
        assert!(body.get("tracking_code").is_none());
        let cache = res.headers[header::CACHE_CONTROL].to_str().unwrap();
        assert_eq!(cache, "public, max-age=300");
        let etag = res.headers[header::ETAG].to_str().unwrap().to_string();
        assert!(etag.contains(&number));
        let by_code = t
            .api(
                "GET",
                &url(
                    &someone.tracking_code.to_lowercase(),
                    &dob.format("%d/%m/%Y").to_string(),
                ),
                None,
                None,
            )
            .await;
        assert_eq!(by_code.status, StatusCode::OK, "{}", by_code.text);
        assert_eq!(by_code.json()["full_name"], someone.full_name.as_str());

        // Wrong date of birth and unknown number: the same answer, not cacheable.
        let wrong_dob = t
            .api(
                "GET",
                &url(&number, &(dob + chrono::Days::new(1)).to_string()),
                None,
                None,
            )
            .await;
        let unknown = t
            .api("GET", &url("999999", &dob.to_string()), None, None)
            .await;
        assert_eq!(wrong_dob.status, StatusCode::NOT_FOUND);
        assert_eq!(unknown.status, wrong_dob.status);
        assert_eq!(unknown.text, wrong_dob.text);
        assert_eq!(unknown.headers[header::CACHE_CONTROL], "no-store");
        assert_eq!(wrong_dob.headers[header::CACHE_CONTROL], "no-store");
        assert!(wrong_dob.headers.get(header::ETAG).is_none());

        // The page: a GET form that shows the same result, and the same miss.
        let page = t
            .page(
                "GET",
                &format!("/admission/results?campaign_id={c}&number={number}&birth_date={dob}"),
                "",
                None,
            )
            .await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(page.text.contains(&someone.full_name));
        assert!(page.text.contains("method=\"get\""));
        assert!(
            page.headers[header::CACHE_CONTROL]
                .to_str()
                .unwrap()
                .starts_with("public")
        );

        // The snapshot server answers the same, with no database.
        let dir = std::env::temp_dir().join(format!("lookup-{}-{c}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join(format!("{:?}.jsonl", store.backend()));
        lookup::write_snapshot(&mut store.conn(), c, &file)
            .await
            .unwrap()
            .unwrap();
        let indexes = truongso_web::results::load_snapshots(std::slice::from_ref(&file)).unwrap();
        let snapshot = truongso_web::results::snapshot_app(
            std::sync::Arc::new(truongso_web::results::ResultLookup::snapshot(indexes)),
            Default::default(),
        );
        let (status, headers, text) = get(&snapshot, &url(&number, &dob.to_string())).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(text, res.text);
        assert_eq!(headers[header::ETAG].to_str().unwrap(), etag);
        let (status, _, text) = get(&snapshot, &url("999999", &dob.to_string())).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        assert_eq!(text, unknown.text);
        let (status, _, text) = get(&snapshot, "/healthz").await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(text, "ok 300");
        let _ = std::fs::remove_dir_all(&dir);

        // 30 lookups a minute per address (5 made above): the 31st is refused with Retry-After.
        for _ in 5..30 {
            let r = t
                .api("GET", &url(&number, &dob.to_string()), None, None)
                .await;
            assert_eq!(r.status, StatusCode::OK);
        }
        let refused = t
            .api("GET", &url(&number, &dob.to_string()), None, None)
            .await;
        assert_eq!(refused.status, StatusCode::TOO_MANY_REQUESTS);
        assert!(refused.headers.get(header::RETRY_AFTER).is_some());
        assert_eq!(refused.headers[header::CACHE_CONTROL], "no-store");
        // The refusal is audited once for the address.
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
        let (n,): (i64,) = sqlx_count(&store).await;
        assert_eq!(n, 1);
    })
    .await;
}

async fn sqlx_count(store: &truongso_store::Store) -> (i64,) {
    use sea_query::{Expr, ExprTrait, Query};
    store
        .conn()
        .fetch_one(
            Query::select()
                .expr(Expr::cust("COUNT(*)"))
                .from(truongso_store::schema::AuditLog::Table)
                .and_where(
                    Expr::col(truongso_store::schema::AuditLog::Entity).eq("admission_lookup"),
                ),
        )
        .await
        .unwrap()
}

#[tokio::test]
async fn a_newly_published_run_replaces_the_index_in_the_background() {
    let store = truongso_testkit::sqlite().await;
    let t = TestApp::seeded(store.clone()).await;
    let report = truongso_store::admission::seed::seed_applicants(
        &store,
        200,
        9,
        &AdmissionSettings::default(),
        |_, _| {},
    )
    .await
    .unwrap();
    let c = report.campaign_id;
    let mut first = None;
    lookup::published(&mut store.conn(), c, |r| {
        first.get_or_insert(r);
    })
    .await
    .unwrap();
    let r = first.unwrap();
    let url = format!(
        "/api/v1/public/admission/results?campaign_id={c}&number={}&birth_date={}",
        r.tracking_code, r.birth_date
    );
    let res = t.api("GET", &url, None, None).await;
    assert_eq!(res.json()["run_id"], report.run_id);

    // The office publishes a correction (another mechanism): lookups keep answering from the
    // old index until the new one is loaded, then answer from the new run.
    let mut settings = AdmissionSettings::default();
    settings.grade10.mechanism = truongso_domain::admission::Mechanism::CityRule;
    let mut tx = store.begin().await.unwrap();
    let campaign = truongso_store::admission::campaign(&mut tx.conn(), c)
        .await
        .unwrap();
    let run = truongso_store::admission::runs::simulate(&mut tx, &campaign, &settings, "test")
        .await
        .unwrap();
    truongso_store::admission::runs::publish(&mut tx, &campaign, run.id)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let res = t.api("GET", &url, None, None).await;
    assert_eq!(
        res.json()["run_id"],
        report.run_id,
        "no database read per request"
    );
    tokio::time::sleep(truongso_web::results::REFRESH).await;
    let mut seen = 0;
    for _ in 0..20 {
        let res = t.api("GET", &url, None, None).await;
        assert_eq!(res.status, StatusCode::OK);
        seen = res.json()["run_id"].as_i64().unwrap();
        if seen == run.id {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
    assert_eq!(seen, run.id);
}
