//! Data quality through the whole router, on SQLite and PostgreSQL: dashboards, drill-down with
//! fix links, a fix clearing its issue, duplicates resolved by either school, settings with
//! Vietnamese errors, reach and audit.

use crate::support::TestApp;
use axum::http::StatusCode;
use serde_json::json;
use truongso_store::{PageRequest, Scope, audit, quality, users};

/// A principal account over `school`, with an API token.
async fn principal_of(t: &TestApp, username: &str, school: i64) -> String {
    let mut tx = t.store.begin().await.unwrap();
    users::create(
        &mut tx,
        &users::NewUser {
            username,
            password: "mat-khau-chat-luong",
            display_name: username,
            role: "principal",
            scope_org_id: school,
            staff_id: None,
            learner_ids: &[],
            must_change_password: false,
        },
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    t.token(username).await
}

#[tokio::test]
async fn dashboards_rank_units_and_drill_down_to_fixable_records() {
    TestApp::on_both(|t| async move {
        let dept = t.account("department_officer", 0);
        let token = t.token(&dept.username).await;
        let res = t
            .api(
                "GET",
                &format!("/api/v1/quality/units/{}", dept.scope_org_id),
                Some(&token),
                None,
            )
            .await;
        assert_eq!(res.status, StatusCode::OK, "{}", res.text);
        let q = res.json();
        assert!(q["tally"]["learners"].as_i64().unwrap() > 1000);
        assert_eq!(q["settings"]["id_target_percent"], 95);
        let below = q["below"].as_array().unwrap();
        assert!(!below.is_empty());
        // Worst first.
        let scores: Vec<f64> = below.iter().filter_map(|b| b["score"].as_f64()).collect();
        assert!(scores.windows(2).all(|w| w[0] <= w[1]), "{scores:?}");
        // Drill down: every issue names its school and the learner's records are in reach.
        let res = t
            .api(
                "GET",
                "/api/v1/quality/issues?rule=id_missing&per_page=5",
                Some(&token),
                None,
            )
            .await;
        assert_eq!(res.status, StatusCode::OK);
        assert!(res.json()["total"].as_u64().unwrap() > 0);
        // The read is audited as a list of learner records.
        let entries = audit::search(
            &mut t.store.conn(),
            &Scope::All,
            &audit::AuditFilter::default(),
            &PageRequest::new(1, 5),
        )
        .await
        .unwrap();
        assert!(entries.items.iter().any(|e| {
            e.action == "list"
                && e.entity == "learner"
                && e.detail
                    .as_deref()
                    .is_some_and(|d| d.contains("rule=id_missing"))
        }));
        // Bad input: 400 with a Vietnamese message naming the parameter.
        let res = t
            .api(
                "GET",
                "/api/v1/quality/issues?rule=bogus",
                Some(&token),
                None,
            )
            .await;
        assert_eq!(res.status, StatusCode::BAD_REQUEST);
        assert!(
            res.json()["detail"]
                .as_str()
                .unwrap()
                .contains("Tham số không hợp lệ")
        );
        let res = t
            .api(
                "GET",
                "/api/v1/quality/duplicates?status=maybe",
                Some(&token),
                None,
            )
            .await;
        assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(res.json()["errors"][0]["field"], "status");
    })
    .await;
}

#[tokio::test]
async fn a_fix_through_the_api_clears_the_issue_at_once() {
    TestApp::on_both(|t| async move {
        let page = quality::issues(
            &mut t.store.conn(),
            &Scope::All,
            &quality::IssueFilter {
                rule: Some(truongso_domain::quality::RuleCode::GuardianPhoneMissing),
                ..Default::default()
            },
            &PageRequest::new(1, 1),
        )
        .await
        .unwrap();
        let issue = &page.items[0];
        let learner = issue.learner_id.unwrap();
        assert_eq!(issue.fix_href(), format!("/learners/{learner}/edit"));
        let token = principal_of(&t, "hieutruong.sua", issue.school_id).await;
        let res = t
            .api(
                "GET",
                &format!("/api/v1/learners/{learner}"),
                Some(&token),
                None,
            )
            .await;
        let mut body = res.json();
        for key in [
            "id",
            "learner_code",
            "school_id",
            "school_name",
            "created_at",
            "updated_at",
        ] {
            body.as_object_mut().unwrap().remove(key);
        }
        body["guardians"][0]["phone"] = json!("0912345678");
        let res = t
            .api(
                "PUT",
                &format!("/api/v1/learners/{learner}"),
                Some(&token),
                Some(&body.to_string()),
            )
            .await;
        assert_eq!(res.status, StatusCode::OK, "{}", res.text);
        let res = t
            .api(
                "GET",
                &format!("/api/v1/quality/issues?learner_id={learner}&rule=guardian_phone_missing"),
                Some(&token),
                None,
            )
            .await;
        assert_eq!(res.json()["total"], 0, "{}", res.text);
    })
    .await;
}

/// Enrols a copy of a learner of one demo school (valid ID) in a class of another school.
async fn plant_duplicate(t: &TestApp) {
    use truongso_store::{classes, learners};
    let a = t.account("principal", 0).scope_org_id;
    let b = t.account("principal", 1).scope_org_id;
    let page = learners::list(
        &mut t.store.conn(),
        &Scope::All,
        &learners::LearnerFilter {
            school_id: Some(a),
            ..Default::default()
        },
        &PageRequest::new(1, 50),
    )
    .await
    .unwrap();
    let mut input = None;
    for l in page.items {
        let full = learners::get(&mut t.store.conn(), &Scope::All, l.id)
            .await
            .unwrap();
        let i = full.to_input();
        if i.validate(chrono::NaiveDate::from_ymd_opt(2025, 10, 1).unwrap())
            .is_ok()
            && i.national_id.is_some()
        {
            input = Some(i);
            break;
        }
    }
    let class = classes::list(
        &mut t.store.conn(),
        &Scope::All,
        &classes::ClassFilter {
            org_unit_id: Some(b),
            ..Default::default()
        },
        &PageRequest::new(1, 1),
    )
    .await
    .unwrap()
    .items[0]
        .id;
    let mut tx = t.store.begin().await.unwrap();
    learners::create(
        &mut tx,
        &Scope::All,
        &learners::NewLearner {
            profile: input.unwrap(),
            school_id: b,
            class_id: Some(class),
        },
        chrono::NaiveDate::from_ymd_opt(2025, 10, 1).unwrap(),
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
}

#[tokio::test]
async fn either_school_resolves_a_duplicate_and_both_see_the_outcome() {
    TestApp::on_both(|t| async move {
        plant_duplicate(&t).await;
        let cases = quality::duplicates(
            &mut t.store.conn(),
            &Scope::All,
            &quality::DuplicateFilter::default(),
            &PageRequest::new(1, 1),
        )
        .await
        .unwrap();
        let case = &cases.items[0];
        let a = principal_of(&t, "hieutruong.a", case.a.school_id).await;
        let b = principal_of(&t, "hieutruong.b", case.b.school_id).await;
        let uri = format!("/api/v1/quality/duplicates/{}", case.id);
        for token in [&a, &b] {
            let res = t.api("GET", &uri, Some(token), None).await;
            assert_eq!(res.status, StatusCode::OK, "{}", res.text);
            assert_eq!(res.json()["status"], "open");
        }
        // A school of neither does not see it; a teacher may not resolve.
        let teacher = t.token(&t.account("teacher", 0).username).await;
        let res = t
            .api(
                "POST",
                &format!("{uri}/resolve"),
                Some(&teacher),
                Some(&json!({"current_learner_id": case.a.learner_id}).to_string()),
            )
            .await;
        assert_eq!(res.status, StatusCode::FORBIDDEN);
        let res = t
            .api(
                "POST",
                &format!("{uri}/resolve"),
                Some(&b),
                Some(&json!({"current_learner_id": 0}).to_string()),
            )
            .await;
        assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(res.json()["errors"][0]["field"], "current_learner_id");
        let res = t
            .api(
                "POST",
                &format!("{uri}/resolve"),
                Some(&b),
                Some(
                    &json!({"current_learner_id": case.a.learner_id, "note": "Gia đình xác nhận"})
                        .to_string(),
                ),
            )
            .await;
        assert_eq!(res.status, StatusCode::OK, "{}", res.text);
        let done = res.json();
        assert_eq!(done["status"], "resolved");
        assert_eq!(done["b"]["enrolment_status"], "transferred_out");
        let res = t.api("GET", &uri, Some(&a), None).await;
        assert_eq!(res.json()["status"], "resolved");
        assert_eq!(res.json()["note"], "Gia đình xác nhận");
        let res = t
            .api(
                "POST",
                &format!("{uri}/resolve"),
                Some(&a),
                Some(&json!({"current_learner_id": case.a.learner_id}).to_string()),
            )
            .await;
        assert_eq!(res.status, StatusCode::CONFLICT);
        assert!(
            res.json()["detail"]
                .as_str()
                .unwrap()
                .contains("đã được xử lý")
        );
    })
    .await;
}

#[tokio::test]
async fn settings_are_validated_and_only_configurable_above_schools() {
    TestApp::on_both(|t| async move {
        let dept = t.token(&t.account("department_officer", 0).username).await;
        let principal = t.token(&t.account("principal", 0).username).await;
        let res = t
            .api(
                "PUT",
                "/api/v1/quality/settings",
                Some(&dept),
                Some(r#"{"id_target_percent": 140}"#),
            )
            .await;
        assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(res.json()["errors"][0]["field"], "id_target_percent");
        assert!(
            res.json()["errors"][0]["message"]
                .as_str()
                .unwrap()
                .contains("khoảng")
        );
        let res = t
            .api(
                "PUT",
                "/api/v1/quality/settings",
                Some(&dept),
                Some(r#"{"id_target_percent": 90}"#),
            )
            .await;
        assert_eq!(res.status, StatusCode::OK, "{}", res.text);
        assert_eq!(res.json()["id_target_percent"], 90);
        let res = t
            .api(
                "PUT",
                "/api/v1/quality/rules/nope",
                Some(&dept),
                Some(r#"{"enabled": false, "severity": "info"}"#),
            )
            .await;
        assert_eq!(res.status, StatusCode::BAD_REQUEST);
        let res = t
            .api(
                "PUT",
                "/api/v1/quality/rules/stale_record",
                Some(&dept),
                Some(r#"{"enabled": false, "severity": "info"}"#),
            )
            .await;
        assert_eq!(res.status, StatusCode::OK);
        let res = t
            .api(
                "PUT",
                "/api/v1/quality/settings",
                Some(&principal),
                Some(r#"{"id_target_percent": 10}"#),
            )
            .await;
        assert_eq!(res.status, StatusCode::FORBIDDEN);
        let res = t
            .api("GET", "/api/v1/quality/rules", Some(&principal), None)
            .await;
        let stale = res
            .json()
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["code"] == "stale_record")
            .cloned()
            .unwrap();
        assert_eq!(stale["enabled"], false);
    })
    .await;
}

#[tokio::test]
async fn pages_show_the_dashboard_and_link_each_problem_to_its_form() {
    TestApp::on_both(|t| async move {
        let principal = t.account("principal", 0).clone();
        let (cookie, _) = t
            .browser_login(&principal.username, &principal.password)
            .await;
        let res = t.page("GET", "/quality", &cookie, None).await;
        assert_eq!(res.status, StatusCode::SEE_OTHER);
        assert_eq!(
            res.location(),
            format!("/quality/units/{}", principal.scope_org_id)
        );
        let res = t.page("GET", res.location(), &cookie, None).await;
        assert_eq!(res.status, StatusCode::OK);
        assert!(res.text.contains("Chất lượng dữ liệu"));
        assert!(res.text.contains("Chỉ tiêu mã định danh khối 9–12"));
        assert!(res.text.contains("Các lớp (kém nhất trước)"));
        let res = t
            .page(
                "GET",
                &format!("/quality/issues?org_unit_id={}", principal.scope_org_id),
                &cookie,
                None,
            )
            .await;
        assert_eq!(res.status, StatusCode::OK);
        assert!(
            res.text.contains("/edit\""),
            "a fix link to the learner form"
        );
        // The list exports what it shows, as CSV with its Vietnamese intact.
        let export = t
            .page(
                "GET",
                &format!(
                    "/quality/issues/export?org_unit_id={}&format=csv",
                    principal.scope_org_id
                ),
                &cookie,
                None,
            )
            .await;
        assert_eq!(export.status, StatusCode::OK);
        assert!(
            export
                .text
                .trim_start_matches('\u{feff}')
                .starts_with("Trường,Mã học sinh,Họ và tên")
        );
        assert!(export.text.lines().count() > 1, "{}", export.text);
        // The nav links the dashboard for roles that read it, not for teachers.
        assert!(res.text.contains("href=\"/quality\""));
        let teacher = t.account("teacher", 0).clone();
        let (tcookie, _) = t.browser_login(&teacher.username, &teacher.password).await;
        let home = t.page("GET", "/", &tcookie, None).await;
        assert!(!home.text.contains("href=\"/quality\""));
        let res = t.page("GET", "/quality/issues", &tcookie, None).await;
        assert_eq!(res.status, StatusCode::FORBIDDEN);
        // Settings are for department and ministry officers.
        let res = t.page("GET", "/quality/settings", &cookie, None).await;
        assert_eq!(res.status, StatusCode::FORBIDDEN);
        let res = t.page("GET", "/quality/duplicates", &cookie, None).await;
        assert_eq!(res.status, StatusCode::OK);
        assert!(res.text.contains("Hồ sơ học sinh trùng"));
        // English.
        let res = t
            .page(
                "GET",
                &format!("/quality/units/{}?lang=en", principal.scope_org_id),
                &cookie,
                None,
            )
            .await;
        assert!(res.text.contains("Data quality"));
    })
    .await;
}

/// A department officer's browser session, the second factor enrolled as at the first sign-in.
async fn department_session(t: &TestApp) -> (String, String) {
    let who = t.account("department_officer", 0).clone();
    let login = t.page("GET", "/login", "", None).await;
    let pre = login.cookie("truongso_csrf").unwrap();
    let res = t
        .page(
            "POST",
            "/login",
            &format!("truongso_csrf={pre}"),
            Some(&format!(
                "_csrf={pre}&username={}&password={}&next=%2F",
                who.username, who.password
            )),
        )
        .await;
    let cookie = format!(
        "truongso_session={}",
        res.cookie("truongso_session").unwrap()
    );
    let enrol = t.page("GET", "/account/totp", &cookie, None).await;
    let marker = "<code class=\"secret\">";
    let start = enrol.text.find(marker).unwrap() + marker.len();
    let secret = enrol.text[start..].split('<').next().unwrap().to_string();
    let csrf = crate::support::csrf_of(&enrol.text);
    let code = truongso_web::auth::totp::current_code(&secret).unwrap();
    let ok = t
        .page(
            "POST",
            "/account/totp",
            &cookie,
            Some(&format!("_csrf={csrf}&secret={secret}&code={code}")),
        )
        .await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER, "{}", ok.text);
    (cookie, csrf)
}

#[tokio::test]
async fn the_settings_page_saves_and_shows_errors_next_to_the_field() {
    TestApp::on_both(|t| async move {
        let (cookie, csrf) = department_session(&t).await;
        let page = t.page("GET", "/quality/settings", &cookie, None).await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.text);
        assert!(
            page.text
                .contains("Sĩ số tối đa lớp tiểu học (Thông tư 28/2020)")
        );
        // Every rule on except the stale-record one.
        let mut form = format!("_csrf={csrf}");
        for r in truongso_domain::quality::rules() {
            let code = r.code.code();
            if code != "stale_record" {
                form.push_str(&format!("&enabled_{code}=on"));
            }
            form.push_str(&format!("&severity_{code}={}", r.severity.code()));
        }
        let bad = format!("{form}&capacity_primary=abc&id_target_percent=95");
        let res = t
            .page("POST", "/quality/settings", &cookie, Some(&bad))
            .await;
        assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(res.text.contains("Phải là một số nguyên"), "{}", res.text);
        let states = quality::rule_states(&mut t.store.conn()).await.unwrap();
        assert!(states.iter().all(|r| r.enabled), "nothing saved on error");
        let good = format!("{form}&capacity_primary=40&id_target_percent=96");
        let res = t
            .page("POST", "/quality/settings", &cookie, Some(&good))
            .await;
        assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.text);
        let config = quality::config(&mut t.store.conn()).await.unwrap();
        assert_eq!(config.settings.capacity_primary, 40);
        assert_eq!(config.settings.id_target_percent, 96);
        assert!(
            !config
                .rules
                .enabled(truongso_domain::quality::RuleCode::StaleRecord)
        );
        assert!(
            config
                .rules
                .enabled(truongso_domain::quality::RuleCode::IdMissing)
        );
        let res = t
            .page(
                "POST",
                "/quality/scan",
                &cookie,
                Some(&format!("_csrf={csrf}")),
            )
            .await;
        assert_eq!(res.status, StatusCode::SEE_OTHER);
        assert!(res.location().starts_with("/quality/settings?scan="));
    })
    .await;
}
