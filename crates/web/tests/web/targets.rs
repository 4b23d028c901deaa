//! Plan targets through the whole router, on SQLite and PostgreSQL: the API's unit view and
//! all-or-nothing editing, the dashboard and map pages with their charts and tables, reach.

use crate::support::TestApp;
use axum::http::StatusCode;
use serde_json::json;

#[tokio::test]
async fn the_api_shows_progress_and_edits_all_or_nothing() {
    TestApp::on_both(|t| async move {
        let dept = t.account("department_officer", 0);
        let token = t.token(&dept.username).await;
        let res = t
            .api(
                "GET",
                &format!("/api/v1/targets/units/{}", dept.scope_org_id),
                Some(&token),
                None,
            )
            .await;
        assert_eq!(res.status, StatusCode::OK, "{}", res.text);
        let u = res.json();
        let indicators = u["indicators"].as_array().unwrap();
        assert!(indicators.len() >= 15);
        assert!(!u["below"].as_array().unwrap().is_empty());
        let cash = indicators
            .iter()
            .find(|i| i["indicator"]["code"] == "schools_cashless")
            .unwrap();
        assert_eq!(cash["status"], "no_data");
        assert!(cash["measure"].is_null());

        let body = |target: f64, formula: &str| {
            json!({
                "code": "ignored", "name": "Giáo viên có tài khoản", "formula": formula,
                "target": target, "deadline": "2027-01-31", "levels": ["th"], "grades": [1, 2]
            })
            .to_string()
        };
        let res = t
            .api(
                "PUT",
                "/api/v1/targets/indicators/teachers_account",
                Some(&token),
                Some(&body(101.0, "teachers / nobody")),
            )
            .await;
        assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", res.text);
        let fields: Vec<String> = res.json()["errors"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["field"].as_str().unwrap().to_string())
            .collect();
        assert_eq!(fields, ["formula", "target"]);
        let res = t
            .api("GET", "/api/v1/targets/indicators", Some(&token), None)
            .await;
        let unchanged = res.json();
        let current = unchanged
            .as_array()
            .unwrap()
            .iter()
            .find(|i| i["code"] == "teachers_account")
            .unwrap();
        assert_eq!(current["target"], 100.0);

        let res = t
            .api(
                "PUT",
                "/api/v1/targets/indicators/teachers_account",
                Some(&token),
                Some(&body(80.0, "teachers_with_account / teachers")),
            )
            .await;
        assert_eq!(res.status, StatusCode::OK, "{}", res.text);
        let saved = res.json();
        assert_eq!(
            (saved["code"].as_str(), saved["target"].as_f64()),
            (Some("teachers_account"), Some(80.0))
        );
        assert_eq!(saved["grades"], json!([1, 2]));
        // Only departments edit.
        let office = t.account("office_officer", 0);
        let office_token = t.token(&office.username).await;
        let res = t
            .api(
                "PUT",
                "/api/v1/targets/indicators/teachers_account",
                Some(&office_token),
                Some(&body(80.0, "teachers_with_account / teachers")),
            )
            .await;
        assert_eq!(res.status, StatusCode::FORBIDDEN);
    })
    .await;
}

#[tokio::test]
async fn dashboard_and_map_pages_pair_each_chart_with_a_table() {
    TestApp::on_both(|t| async move {
        let office = t.account("office_officer", 0);
        let (cookie, _) = t.browser_login(&office.username, &office.password).await;
        let dash = t
            .page(
                "GET",
                &format!(
                    "/orgs/{}/targets?indicator=profile_complete",
                    office.scope_org_id
                ),
                &cookie,
                None,
            )
            .await;
        assert_eq!(dash.status, StatusCode::OK, "{}", dash.text);
        for needle in [
            "Chỉ tiêu kế hoạch: ",
            "Chưa có dữ liệu",
            "<svg class=\"chart\"",
            "<table class=\"ranked\"",
            "<table class=\"trend\"",
            "Chỉ tiêu: 100 %",
            "data-status=\"no_data\"",
        ] {
            assert!(dash.text.contains(needle), "dashboard lacks {needle}");
        }
        // An office officer reads but does not edit.
        assert!(!dash.text.contains("/targets/indicators/"));
        let res = t
            .page("GET", "/targets/indicators/teachers_account", &cookie, None)
            .await;
        assert_eq!(res.status, StatusCode::FORBIDDEN);

        let map = t
            .page(
                "GET",
                &format!(
                    "/orgs/{}/map?indicator=profile_complete",
                    office.scope_org_id
                ),
                &cookie,
                None,
            )
            .await;
        assert_eq!(map.status, StatusCode::OK, "{}", map.text);
        assert!(map.text.contains("<table class=\"schools\""));
        assert!(
            map.text
                .contains("<option value=\"profile_complete\" selected>")
        );
        assert!(
            map.text.matches("<a href=\"/orgs/").count() >= 2,
            "points and rows link to schools"
        );
        assert!(map.text.contains("Liên cấp (thoi)"));

        // The department's pages do not exist for the office.
        let dept = t.account("department_officer", 0);
        for path in ["targets", "map"] {
            let res = t
                .page(
                    "GET",
                    &format!("/orgs/{}/{path}", dept.scope_org_id),
                    &cookie,
                    None,
                )
                .await;
            assert_eq!(res.status, StatusCode::NOT_FOUND, "{path}");
        }
        // The header and the unit page link to the dashboard.
        let unit = t
            .page(
                "GET",
                &format!("/orgs/{}", office.scope_org_id),
                &cookie,
                None,
            )
            .await;
        assert!(
            unit.text
                .contains(&format!("href=\"/orgs/{}/targets\"", office.scope_org_id))
        );
        assert!(unit.text.contains("href=\"/targets\""));
        let start = t.page("GET", "/targets", &cookie, None).await;
        assert_eq!(
            start.location(),
            format!("/orgs/{}/targets", office.scope_org_id)
        );
    })
    .await;
}
