//! Sign-in security and reach, through the whole router on SQLite and PostgreSQL: lockout and
//! throttling, session rotation, CSRF, two factors, guessing other schools' IDs, guardians and
//! teachers confined to their own, sensitive fields, and the append-only audit trail.

use crate::support::{TestApp, csrf_of};
use axum::http::StatusCode;
use serde_json::Value;
use truongso_domain::access::{Permission, Policy, Role, TwoFactor, may_grant};
use truongso_store::audit::AuditFilter;
use truongso_store::{PageRequest, Scope, audit};

fn login_form(csrf: &str, username: &str, password: &str) -> String {
    format!("_csrf={csrf}&username={username}&password={password}&next=%2F")
}

/// Posts the login form as a fresh browser would (getting the pre-session CSRF cookie first).
async fn post_login(t: &TestApp, username: &str, password: &str) -> crate::support::Response {
    post_login_from(t, username, password, None).await
}

/// The same from a browser that keeps a remembered-device cookie.
async fn post_login_from(
    t: &TestApp,
    username: &str,
    password: &str,
    device: Option<&str>,
) -> crate::support::Response {
    let form = t.page("GET", "/login", "", None).await;
    let pre = form.cookie("truongso_csrf").unwrap();
    let device = device
        .map(|d| format!("; truongso_device={d}"))
        .unwrap_or_default();
    t.page(
        "POST",
        "/login",
        &format!("truongso_csrf={pre}{device}"),
        Some(&login_form(&pre, username, password)),
    )
    .await
}

#[tokio::test]
async fn repeated_wrong_passwords_lock_the_account_and_are_audited() {
    TestApp::on_both(|t| async move {
        let who = t.account("principal", 0).clone();
        for attempt in 1..=4 {
            let res = post_login(&t, &who.username, "wrong-password").await;
            assert_eq!(res.status, StatusCode::UNAUTHORIZED, "attempt {attempt}");
            assert!(res.text.contains("không đúng"), "{}", res.text);
        }
        // The fifth failure locks the account: even the right password is refused for a while.
        let res = post_login(&t, &who.username, "wrong-password").await;
        assert_eq!(res.status, StatusCode::TOO_MANY_REQUESTS);
        let res = post_login(&t, &who.username, &who.password).await;
        assert_eq!(
            res.status,
            StatusCode::TOO_MANY_REQUESTS,
            "locked: {}",
            res.text
        );
        assert!(res.text.contains("tạm bị khoá"));
        assert!(res.cookie("truongso_session").is_none());
        let failures = audit::search(
            &mut t.store.conn(),
            &Scope::All,
            &AuditFilter {
                username: Some(who.username.clone()),
                action: Some("login_failed".into()),
                ..Default::default()
            },
            &PageRequest::new(1, 50),
        )
        .await
        .unwrap();
        assert_eq!(
            failures.total, 6,
            "every failed attempt is in the audit trail"
        );
    })
    .await;
}

#[tokio::test]
async fn one_address_guessing_many_accounts_is_slowed() {
    TestApp::on_both(|t| async move {
        // Spread over accounts (so that no single account locks), from one address.
        let names: Vec<String> = t.accounts.iter().map(|a| a.username.clone()).collect();
        let mut statuses = vec![];
        for i in 0..12 {
            let res = post_login(&t, &names[i % names.len()], "guess-123456").await;
            statuses.push(res.status);
        }
        // The tenth failure within the window is answered with "wait", and so is every attempt
        // after it.
        assert!(
            statuses[..9].iter().all(|s| *s == StatusCode::UNAUTHORIZED),
            "{statuses:?}"
        );
        assert!(
            statuses[9..]
                .iter()
                .all(|s| *s == StatusCode::TOO_MANY_REQUESTS),
            "{statuses:?}"
        );
        let res = post_login(&t, &names[0], "guess-123456").await;
        assert!(res.headers.contains_key("retry-after"));
    })
    .await;
}

#[tokio::test]
async fn sign_in_rotates_the_session_and_sign_out_ends_it() {
    TestApp::on_both(|t| async move {
        let who = t.account("school_admin", 0).clone();
        let (first, csrf) = t.browser_login(&who.username, &who.password).await;
        assert_eq!(
            t.page("GET", "/account", &first, None).await.status,
            StatusCode::OK
        );
        // Signing in again from the same browser gives a new session and ends the old one.
        let pre = t.page("GET", "/login", &first, None).await;
        assert_eq!(
            pre.status,
            StatusCode::SEE_OTHER,
            "already signed in goes on"
        );
        let form = t.page("GET", "/login", "", None).await;
        let pre = form.cookie("truongso_csrf").unwrap();
        let res = t
            .page(
                "POST",
                "/login",
                &format!("{first}; truongso_csrf={pre}"),
                Some(&login_form(&csrf, &who.username, &who.password)),
            )
            .await;
        assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.text);
        let second = format!(
            "truongso_session={}",
            res.cookie("truongso_session").unwrap()
        );
        assert_ne!(first, second, "a new session id after sign-in");
        let cookie_flags = res
            .headers
            .get_all("set-cookie")
            .iter()
            .map(|v| v.to_str().unwrap().to_string())
            .collect::<Vec<_>>()
            .join(" | ");
        assert!(
            cookie_flags.contains("HttpOnly")
                && cookie_flags.contains("SameSite=Lax")
                && cookie_flags.contains("Secure"),
            "{cookie_flags}"
        );
        let old = t.page("GET", "/account", &first, None).await;
        assert_eq!(
            old.status,
            StatusCode::SEE_OTHER,
            "the old session no longer works"
        );
        // Sign-out ends the session.
        let account = t.page("GET", "/account", &second, None).await;
        let csrf = csrf_of(&account.text);
        let out = t
            .page("POST", "/logout", &second, Some(&format!("_csrf={csrf}")))
            .await;
        assert_eq!(out.status, StatusCode::SEE_OTHER);
        assert_eq!(
            t.page("GET", "/account", &second, None).await.status,
            StatusCode::SEE_OTHER
        );
    })
    .await;
}

#[tokio::test]
async fn state_changing_forms_without_the_csrf_token_are_refused() {
    TestApp::on_both(|t| async move {
        let who = t.account("school_admin", 0).clone();
        // Login itself: without the pre-session token, or with a forged one.
        let res = t
            .page(
                "POST",
                "/login",
                "",
                Some(&login_form("x", &who.username, &who.password)),
            )
            .await;
        assert_eq!(res.status, StatusCode::FORBIDDEN);
        let res = t
            .page(
                "POST",
                "/login",
                "truongso_csrf=abc",
                Some(&login_form("abd", &who.username, &who.password)),
            )
            .await;
        assert_eq!(res.status, StatusCode::FORBIDDEN);

        let (cookie, csrf) = t.browser_login(&who.username, &who.password).await;
        let change = format!(
            "current={}&new=mat-khau-moi-123&confirm=mat-khau-moi-123",
            who.password
        );
        let res = t
            .page("POST", "/account/password", &cookie, Some(&change))
            .await;
        assert_eq!(res.status, StatusCode::FORBIDDEN, "no token");
        let res = t
            .page(
                "POST",
                "/account/password",
                &cookie,
                Some(&format!("_csrf=wrong&{change}")),
            )
            .await;
        assert_eq!(res.status, StatusCode::FORBIDDEN, "wrong token");
        // A cross-site origin is refused even with the token.
        let req = axum::http::Request::builder()
            .method("POST")
            .uri("/account/password")
            .header("cookie", &cookie)
            .header("origin", "https://evil.example")
            .header("host", "truongso.example")
            .header("content-type", "application/x-www-form-urlencoded")
            .body(axum::body::Body::from(format!("_csrf={csrf}&{change}")))
            .unwrap();
        assert_eq!(
            t.send(req).await.status,
            StatusCode::FORBIDDEN,
            "cross-site origin"
        );
        // The password is unchanged: the old one still signs in.
        let res = post_login(&t, &who.username, &who.password).await;
        assert_eq!(res.status, StatusCode::SEE_OTHER);
        // With the token it works.
        let res = t
            .page(
                "POST",
                "/account/password",
                &cookie,
                Some(&format!("_csrf={csrf}&{change}")),
            )
            .await;
        assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.text);
        let res = post_login(&t, &who.username, "mat-khau-moi-123").await;
        assert_eq!(res.status, StatusCode::SEE_OTHER);
    })
    .await;
}

#[tokio::test]
async fn department_accounts_must_enrol_a_second_factor() {
    TestApp::on_both(|t| async move {
        let who = t.account("department_officer", 0).clone();
        let res = post_login(&t, &who.username, &who.password).await;
        assert_eq!(res.status, StatusCode::SEE_OTHER);
        assert_eq!(res.location(), "/account/totp");
        let cookie = format!(
            "truongso_session={}",
            res.cookie("truongso_session").unwrap()
        );
        // Until the second factor is given, nothing else opens.
        let home = t.page("GET", "/", &cookie, None).await;
        assert_eq!(
            (home.status, home.location()),
            (StatusCode::SEE_OTHER, "/login/totp")
        );
        let enrol = t.page("GET", "/account/totp", &cookie, None).await;
        assert_eq!(enrol.status, StatusCode::OK);
        let marker = "<code class=\"secret\">";
        let start = enrol.text.find(marker).unwrap() + marker.len();
        let secret = enrol.text[start..].split('<').next().unwrap().to_string();
        let csrf = csrf_of(&enrol.text);
        let bad = t
            .page(
                "POST",
                "/account/totp",
                &cookie,
                Some(&format!("_csrf={csrf}&secret={secret}&code=000000")),
            )
            .await;
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
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
        assert_eq!(
            t.page("GET", "/", &cookie, None).await.status,
            StatusCode::OK
        );
        // The next sign-in asks for a code; that session cannot swap in a new authenticator,
        // and the code already used cannot be replayed.
        let again = post_login(&t, &who.username, &who.password).await;
        assert!(
            again.location().starts_with("/login/totp"),
            "{}",
            again.location()
        );
        let half = format!(
            "truongso_session={}",
            again.cookie("truongso_session").unwrap()
        );
        let swap = t.page("GET", "/account/totp", &half, None).await;
        assert_eq!(
            swap.location(),
            "/login/totp",
            "no new enrolment from a half-open session"
        );
        let form = t.page("GET", "/login/totp", &half, None).await;
        let csrf = csrf_of(&form.text);
        let replay = t
            .page(
                "POST",
                "/login/totp",
                &half,
                Some(&format!("_csrf={csrf}&code={code}")),
            )
            .await;
        assert_eq!(
            replay.status,
            StatusCode::UNAUTHORIZED,
            "a used code is refused"
        );
        assert_eq!(
            t.page("GET", "/", &half, None).await.location(),
            "/login/totp"
        );
    })
    .await;
}

#[tokio::test]
async fn guessing_another_schools_learner_ids_finds_nothing_and_is_audited() {
    TestApp::on_both(|t| async move {
        let mine = t.account("principal", 0).clone();
        let theirs = t.account("principal", 1).clone();
        let my_token = t.token(&mine.username).await;
        let their_token = t.token(&theirs.username).await;
        let their_learners = t
            .api(
                "GET",
                "/api/v1/learners?per_page=20",
                Some(&their_token),
                None,
            )
            .await
            .json();
        let ids: Vec<i64> = their_learners["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|l| l["id"].as_i64().unwrap())
            .collect();
        assert!(!ids.is_empty());
        for id in &ids {
            let res = t
                .api(
                    "GET",
                    &format!("/api/v1/learners/{id}"),
                    Some(&my_token),
                    None,
                )
                .await;
            assert_eq!(
                res.status,
                StatusCode::NOT_FOUND,
                "learner {id} of another school"
            );
            assert!(!res.text.contains("full_name"), "{}", res.text);
            let res = t
                .api(
                    "PUT",
                    &format!("/api/v1/learners/{id}"),
                    Some(&my_token),
                    Some("{}"),
                )
                .await;
            assert!(res.status.is_client_error());
        }
        // Each attempt is recorded, under the school it concerned, for that school to see.
        let denied = t
            .api(
                "GET",
                "/api/v1/audit?action=denied&entity=learner&per_page=100",
                Some(&their_token),
                None,
            )
            .await
            .json();
        let by_me: Vec<&Value> = denied["items"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|e| e["username"] == mine.username.as_str())
            .collect();
        assert_eq!(by_me.len(), ids.len(), "{denied}");
        // The other school's learners are unchanged and still readable by their own school.
        let res = t
            .api(
                "GET",
                &format!("/api/v1/learners/{}", ids[0]),
                Some(&their_token),
                None,
            )
            .await;
        assert_eq!(res.status, StatusCode::OK);
    })
    .await;
}

#[tokio::test]
async fn a_guardian_sees_only_their_children_and_who_read_their_records() {
    TestApp::on_both(|t| async move {
        let guardian = t.account("guardian", 0).clone();
        let token = t.token(&guardian.username).await;
        let list = t.api("GET", "/api/v1/learners?per_page=500", Some(&token), None).await.json();
        let items = list["items"].as_array().unwrap();
        assert_eq!(items.len(), 1, "only their child: {list}");
        let child = items[0]["id"].as_i64().unwrap();
        // Their child's record, with its sensitive fields (it is their own family's data).
        let record = t.api("GET", &format!("/api/v1/learners/{child}"), Some(&token), None).await;
        assert_eq!(record.status, StatusCode::OK);
        assert!(record.json()["ethnicity_code"].is_string());
        // Nothing of the school: units, staff, other learners.
        for uri in ["/api/v1/staff", "/api/v1/org-units", "/api/v1/users", "/api/v1/audit"] {
            assert_eq!(t.api("GET", uri, Some(&token), None).await.status, StatusCode::FORBIDDEN, "{uri}");
        }
        let classmate = t
            .api("GET", &format!("/api/v1/learners?school_id={}&per_page=5", guardian.scope_org_id), Some(&t.token(&t.account("principal", 0).username).await), None)
            .await
            .json()["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|l| l["id"].as_i64().unwrap())
            .find(|id| *id != child);
        if let Some(other) = classmate {
            let res = t.api("GET", &format!("/api/v1/learners/{other}"), Some(&token), None).await;
            assert_eq!(res.status, StatusCode::NOT_FOUND);
        }
        // A teacher of the school reads the child's record; the guardian sees that read.
        let principal = t.token(&t.account("principal", 0).username).await;
        t.api("GET", &format!("/api/v1/learners/{child}"), Some(&principal), None).await;
        let log = t.api("GET", &format!("/api/v1/learners/{child}/access-log"), Some(&token), None).await;
        assert_eq!(log.status, StatusCode::OK);
        let entries = log.json();
        assert!(
            entries["items"].as_array().unwrap().iter().any(|e| e["role"] == "principal" && e["action"] == "read"),
            "{entries}"
        );
        // Consent: given and withdrawn by the guardian, kept with both dates.
        let given = t
            .api("POST", &format!("/api/v1/learners/{child}/consents"), Some(&token), Some(r#"{"purpose":"photo_publication","given_by":"Phụ huynh Thử","relation":"mẹ","learner_agreed":true}"#))
            .await;
        assert_eq!(given.status, StatusCode::CREATED, "{}", given.text);
        let id = given.json()["id"].as_i64().unwrap();
        let withdrawn = t.api("POST", &format!("/api/v1/learners/{child}/consents/{id}/withdraw"), Some(&token), None).await;
        assert_eq!(withdrawn.status, StatusCode::OK);
        assert!(withdrawn.json()["withdrawn_at"].is_string());
        let again = t.api("POST", &format!("/api/v1/learners/{child}/consents/{id}/withdraw"), Some(&token), None).await;
        assert_eq!(again.status, StatusCode::CONFLICT);
    })
    .await;
}

#[tokio::test]
async fn a_teacher_sees_only_the_learners_of_their_classes_without_sensitive_fields() {
    TestApp::on_both(|t| async move {
        let teacher = t.account("teacher", 0).clone();
        let token = t.token(&teacher.username).await;
        let principal = t.token(&t.account("principal", 0).username).await;
        let school_total = t
            .api("GET", "/api/v1/learners?per_page=1", Some(&principal), None)
            .await
            .json()["total"]
            .as_u64()
            .unwrap();
        let mine = t
            .api("GET", "/api/v1/learners?per_page=500", Some(&token), None)
            .await
            .json();
        let my_total = mine["total"].as_u64().unwrap();
        assert!(
            my_total > 0 && my_total < school_total,
            "teacher sees {my_total} of {school_total}"
        );
        let id = mine["items"][0]["id"].as_i64().unwrap();
        let record = t
            .api("GET", &format!("/api/v1/learners/{id}"), Some(&token), None)
            .await
            .json();
        assert!(
            record["ethnicity_code"].is_null(),
            "ethnicity hidden from a subject teacher: {record}"
        );
        assert!(
            record["guardians"]
                .as_array()
                .unwrap()
                .iter()
                .all(|g| g["national_id"].is_null())
        );
        let res = t
            .api(
                "PUT",
                &format!("/api/v1/learners/{id}"),
                Some(&token),
                Some("{}"),
            )
            .await;
        assert_eq!(
            res.status,
            StatusCode::FORBIDDEN,
            "a subject teacher cannot edit records"
        );
        // Staff records are not theirs to read either.
        assert_eq!(
            t.api("GET", "/api/v1/staff", Some(&token), None)
                .await
                .status,
            StatusCode::FORBIDDEN
        );
    })
    .await;
}

#[tokio::test]
async fn tokens_can_be_revoked_and_bad_tokens_are_refused() {
    TestApp::on_both(|t| async move {
        let token = t.token(&t.account("school_admin", 0).username).await;
        let created = t
            .api(
                "POST",
                "/api/v1/tokens",
                Some(&token),
                Some(r#"{"name":"LMS","days":30}"#),
            )
            .await;
        assert_eq!(created.status, StatusCode::CREATED, "{}", created.text);
        let lms = created.json()["token"].as_str().unwrap().to_string();
        let id = created.json()["id"].as_i64().unwrap();
        assert_eq!(
            t.api("GET", "/api/v1/me", Some(&lms), None).await.status,
            StatusCode::OK
        );
        assert_eq!(
            t.api(
                "DELETE",
                &format!("/api/v1/tokens/{id}"),
                Some(&token),
                None
            )
            .await
            .status,
            StatusCode::OK
        );
        let res = t.api("GET", "/api/v1/me", Some(&lms), None).await;
        assert_eq!(res.status, StatusCode::UNAUTHORIZED);
        assert!(res.headers.contains_key("www-authenticate"));
        assert_eq!(
            t.api("GET", "/api/v1/me", Some("ts_forged"), None)
                .await
                .status,
            StatusCode::UNAUTHORIZED
        );
        assert_eq!(
            t.api("GET", "/api/v1/me", None, None).await.status,
            StatusCode::UNAUTHORIZED
        );
        let listed = t
            .api("GET", "/api/v1/tokens", Some(&token), None)
            .await
            .text;
        assert!(!listed.contains(&lms), "token texts are never shown again");
    })
    .await;
}

#[tokio::test]
async fn the_audit_trail_is_append_only_in_the_database() {
    TestApp::on_both(|t| async move {
        let token = t.token(&t.account("principal", 0).username).await;
        t.api("GET", "/api/v1/learners?per_page=1", Some(&token), None)
            .await;
        let mut conn = t.store.conn();
        assert!(
            conn.execute_raw("UPDATE audit_log SET username = 'someone else'")
                .await
                .is_err()
        );
        assert!(conn.execute_raw("DELETE FROM audit_log").await.is_err());
        let export = t
            .api("GET", "/api/v1/audit/export", Some(&token), None)
            .await;
        assert_eq!(export.status, StatusCode::OK);
        assert!(export.text.starts_with('\u{feff}'));
        assert!(export.text.contains("Tài khoản"));
    })
    .await;
}

#[tokio::test]
async fn administrators_create_accounts_of_their_rank_or_below_in_their_scope() {
    TestApp::on_both(|t| async move {
        let principal = t.account("principal", 0).clone();
        let token = t.token(&principal.username).await;
        let staff = t
            .api("GET", &format!("/api/v1/staff?org_unit_id={}&per_page=1", principal.scope_org_id), Some(&token), None)
            .await
            .json()["items"][0]["id"]
            .as_i64()
            .unwrap();
        let body = |role: &str, org: i64| {
            format!(r#"{{"username":"gv.moi.{role}","display_name":"Nguyễn Thị Mới","role":"{role}","scope_org_id":{org},"staff_id":{staff}}}"#)
        };
        let created = t.api("POST", "/api/v1/users", Some(&token), Some(&body("teacher", principal.scope_org_id))).await;
        assert_eq!(created.status, StatusCode::CREATED, "{}", created.text);
        let password = created.json()["temporary_password"].as_str().unwrap().to_string();
        assert_eq!(post_login(&t, "gv.moi.teacher", &password).await.status, StatusCode::SEE_OTHER);
        // The same username again: a conflict, not a second account.
        let again = t.api("POST", "/api/v1/users", Some(&token), Some(&body("teacher", principal.scope_org_id))).await;
        assert_eq!(again.status, StatusCode::CONFLICT);
        // Above their own rank: refused.
        let res = t.api("POST", "/api/v1/users", Some(&token), Some(&body("department_officer", principal.scope_org_id))).await;
        assert_eq!(res.status, StatusCode::FORBIDDEN);
        // Another school: not in their scope.
        let other = t.account("principal", 1).scope_org_id;
        let res = t.api("POST", "/api/v1/users", Some(&token), Some(&body("principal", other))).await;
        assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(res.text.contains("scope_org_id"), "{}", res.text);
        // A bad username names the field.
        let res = t
            .api("POST", "/api/v1/users", Some(&token), Some(&body("teacher", principal.scope_org_id).replace("gv.moi.teacher", "Gi áo")))
            .await;
        assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(res.text.contains("username"), "{}", res.text);
    })
    .await;
}

/// The unit, staff record and learner an account of `role` would be given by `granter`, found
/// with the granter's own token (so inside their scope).
async fn fitting_account(
    t: &TestApp,
    token: &str,
    granter_unit: i64,
    role: Role,
    n: usize,
) -> Value {
    let kind = role.unit_kind().code();
    let unit = t
        .api(
            "GET",
            &format!("/api/v1/org-units?kind={kind}&per_page=1"),
            Some(token),
            None,
        )
        .await
        .json()["items"][0]["id"]
        .as_i64()
        .unwrap_or(granter_unit);
    let staff = t
        .api(
            "GET",
            &format!("/api/v1/staff?org_unit_id={unit}&per_page=1"),
            Some(token),
            None,
        )
        .await
        .json()["items"][0]["id"]
        .as_i64();
    let learner = t
        .api(
            "GET",
            &format!("/api/v1/learners?school_id={unit}&per_page=1"),
            Some(token),
            None,
        )
        .await
        .json()["items"][0]["id"]
        .as_i64();
    serde_json::json!({
        "username": format!("tk.{}.{n}", role.code().replace('_', "")),
        "display_name": "Nguyễn Văn Thử",
        "role": role.code(),
        "scope_org_id": unit,
        "staff_id": if role.needs_staff() { staff } else { None },
        "learner_ids": if role.needs_learners() { learner.into_iter().collect::<Vec<_>>() } else { vec![] },
    })
}

#[tokio::test]
async fn no_account_can_create_an_account_with_rights_it_does_not_have() {
    TestApp::on_both(|t| async move {
        let policy = Policy::builtin();
        let mut n = 0;
        for granter in Role::ALL {
            let who = t.account(granter.code(), 0).clone();
            let token = t.token(&who.username).await;
            for role in Role::ALL {
                n += 1;
                let body = fitting_account(&t, &token, who.scope_org_id, *role, n).await;
                let res = t
                    .api(
                        "POST",
                        "/api/v1/users",
                        Some(&token),
                        Some(&body.to_string()),
                    )
                    .await;
                if may_grant(policy, *granter, *role) {
                    assert_eq!(
                        res.status,
                        StatusCode::CREATED,
                        "{granter} → {role}: {}",
                        res.text
                    );
                    // The new account's rights are within the granter's, and it must change the
                    // one-time password before anything else.
                    assert!(policy.covers(*granter, *role), "{granter} → {role}");
                    let password = res.json()["temporary_password"]
                        .as_str()
                        .unwrap()
                        .to_string();
                    let login = post_login(&t, body["username"].as_str().unwrap(), &password).await;
                    assert_eq!(login.status, StatusCode::SEE_OTHER, "{granter} → {role}");
                    let cookie = format!(
                        "truongso_session={}",
                        login.cookie("truongso_session").unwrap()
                    );
                    let home = t.page("GET", "/", &cookie, None).await;
                    let to = home.location();
                    let enrol = policy.rule(*role).two_factor == TwoFactor::Required;
                    assert!(
                        to.starts_with("/account/password")
                            || (enrol && to.starts_with("/login/totp")),
                        "{granter} → {role}: {} {to}",
                        home.status
                    );
                } else {
                    // Without user.manage the route itself refuses; with it, the rights rule does.
                    assert_eq!(
                        res.status,
                        StatusCode::FORBIDDEN,
                        "{granter} → {role}: {}",
                        res.text
                    );
                    if policy.allows(*granter, Permission::UserManage) {
                        assert!(
                            res.text.contains("có quyền mà tài khoản của bạn không có"),
                            "{}",
                            res.text
                        );
                    }
                }
            }
        }
    })
    .await;
}

#[tokio::test]
async fn a_school_administrator_cannot_climb_to_the_principals_rights() {
    TestApp::on_both(|t| async move {
        let admin = t.account("school_admin", 0).clone();
        let principal = t.account("principal", 0).clone();
        let token = t.token(&admin.username).await;
        // The probe's path: an account with the principal's role in their own school.
        let body = fitting_account(&t, &token, admin.scope_org_id, Role::Principal, 1).await;
        let res = t
            .api(
                "POST",
                "/api/v1/users",
                Some(&token),
                Some(&body.to_string()),
            )
            .await;
        assert_eq!(res.status, StatusCode::FORBIDDEN, "{}", res.text);
        assert!(res.text.contains("Hiệu trưởng"), "{}", res.text);
        // Nor a homeroom teacher (transcript.sign).
        let body = fitting_account(&t, &token, admin.scope_org_id, Role::HomeroomTeacher, 2).await;
        let res = t
            .api(
                "POST",
                "/api/v1/users",
                Some(&token),
                Some(&body.to_string()),
            )
            .await;
        assert_eq!(res.status, StatusCode::FORBIDDEN, "{}", res.text);
        // Nor by a chain: a second administrator it may create is refused the same.
        let body = fitting_account(&t, &token, admin.scope_org_id, Role::SchoolAdmin, 3).await;
        let res = t
            .api(
                "POST",
                "/api/v1/users",
                Some(&token),
                Some(&body.to_string()),
            )
            .await;
        assert_eq!(res.status, StatusCode::CREATED, "{}", res.text);
        let second = t.token(body["username"].as_str().unwrap()).await;
        let body = fitting_account(&t, &second, admin.scope_org_id, Role::Principal, 4).await;
        let res = t
            .api(
                "POST",
                "/api/v1/users",
                Some(&second),
                Some(&body.to_string()),
            )
            .await;
        assert_eq!(res.status, StatusCode::FORBIDDEN, "{}", res.text);
        // And never by resetting the principal's password (nor a peer's).
        let users = t
            .api("GET", "/api/v1/users?per_page=500", Some(&token), None)
            .await
            .json();
        let id_of = |name: &str| {
            users["items"]
                .as_array()
                .unwrap()
                .iter()
                .find(|u| u["username"] == name)
                .unwrap()["id"]
                .as_i64()
                .unwrap()
        };
        let res = t
            .api(
                "POST",
                &format!(
                    "/api/v1/users/{}/reset-password",
                    id_of(&principal.username)
                ),
                Some(&token),
                None,
            )
            .await;
        assert_eq!(res.status, StatusCode::FORBIDDEN, "{}", res.text);
        let second_name = format!("tk.{}.3", "schooladmin");
        let res = t
            .api(
                "POST",
                &format!("/api/v1/users/{}/reset-password", id_of(&second_name)),
                Some(&token),
                None,
            )
            .await;
        assert_eq!(res.status, StatusCode::FORBIDDEN, "a peer: {}", res.text);
        // The principal still signs in with their own password; the refusals are audited.
        assert_eq!(
            post_login(&t, &principal.username, &principal.password)
                .await
                .status,
            StatusCode::SEE_OTHER
        );
        let denied = audit::search(
            &mut t.store.conn(),
            &Scope::All,
            &AuditFilter {
                username: Some(admin.username.clone()),
                action: Some("denied".into()),
                ..Default::default()
            },
            &PageRequest::new(1, 50),
        )
        .await
        .unwrap();
        assert!(denied.total >= 4, "{}", denied.total);
        // The users page offers no reset button for the principal.
        let (cookie, _) = t.browser_login(&admin.username, &admin.password).await;
        let page = t.page("GET", "/users?per_page=500", &cookie, None).await;
        let pid = id_of(&principal.username);
        assert!(
            !page.text.contains(&format!("/users/{pid}/reset-password")),
            "reset offered"
        );
    })
    .await;
}

#[tokio::test]
async fn a_reset_ends_every_session_and_token_and_forces_a_new_password() {
    TestApp::on_both(|t| async move {
        let principal = t.account("principal", 0).clone();
        let admin = t.account("school_admin", 0).clone();
        let (admin_cookie, _) = t.browser_login(&admin.username, &admin.password).await;
        let admin_token = t.token(&admin.username).await;
        assert_eq!(t.api("GET", "/api/v1/me", Some(&admin_token), None).await.status, StatusCode::OK);
        let token = t.token(&principal.username).await;
        let users = t.api("GET", "/api/v1/users?per_page=500", Some(&token), None).await.json();
        let id = users["items"].as_array().unwrap().iter()
            .find(|u| u["username"] == admin.username.as_str()).unwrap()["id"].as_i64().unwrap();
        let res = t.api("POST", &format!("/api/v1/users/{id}/reset-password"), Some(&token), None).await;
        assert_eq!(res.status, StatusCode::OK, "{}", res.text);
        let reset = res.json();
        assert_eq!(reset["sessions_ended"], 1);
        assert_eq!(reset["tokens_revoked"], 1);
        let temporary = reset["temporary_password"].as_str().unwrap().to_string();
        // The old session and token are dead.
        let page = t.page("GET", "/account", &admin_cookie, None).await;
        assert_eq!(page.status, StatusCode::SEE_OTHER);
        assert!(page.location().starts_with("/login"), "{}", page.location());
        assert_eq!(t.api("GET", "/api/v1/me", Some(&admin_token), None).await.status, StatusCode::UNAUTHORIZED);
        // The old password no longer works; the one-time one must be replaced before anything.
        assert_eq!(post_login(&t, &admin.username, &admin.password).await.status, StatusCode::UNAUTHORIZED);
        let login = post_login(&t, &admin.username, &temporary).await;
        assert_eq!(login.status, StatusCode::SEE_OTHER);
        let cookie = format!("truongso_session={}", login.cookie("truongso_session").unwrap());
        let home = t.page("GET", "/learners", &cookie, None).await;
        assert_eq!(home.status, StatusCode::SEE_OTHER);
        assert_eq!(home.location(), "/account/password?next=%2Flearners");
        let form = t.page("GET", "/account/password?next=%2Flearners", &cookie, None).await;
        assert_eq!(form.status, StatusCode::OK);
        assert!(form.text.contains("mật khẩu tạm thời"), "{}", form.text);
        let csrf = csrf_of(&form.text);
        // A token made from the CLI for this account is refused until the change.
        let cli_token = t.token(&admin.username).await;
        let me = t.api("GET", "/api/v1/me", Some(&cli_token), None).await;
        assert_eq!(me.status, StatusCode::FORBIDDEN, "{}", me.text);
        let same = t
            .page("POST", "/account/password", &cookie, Some(&format!("_csrf={csrf}&current={temporary}&new={temporary}&confirm={temporary}&next=%2Flearners")))
            .await;
        assert_eq!(same.status, StatusCode::UNPROCESSABLE_ENTITY);
        let done = t
            .page("POST", "/account/password", &cookie, Some(&format!("_csrf={csrf}&current={temporary}&new=mat-khau-rieng-2026&confirm=mat-khau-rieng-2026&next=%2Flearners")))
            .await;
        assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.text);
        assert_eq!(done.location(), "/learners");
        assert_eq!(t.page("GET", "/learners", &cookie, None).await.status, StatusCode::OK);
        // The reset is in the audit trail with what it ended.
        let entries = audit::search(
            &mut t.store.conn(),
            &Scope::All,
            &AuditFilter { username: Some(principal.username.clone()), action: Some("update".into()), ..Default::default() },
            &PageRequest::new(1, 50),
        )
        .await
        .unwrap();
        assert!(
            entries.items.iter().any(|e| e.detail.as_deref().is_some_and(|d| d.contains("thu hồi 1 mã"))),
            "{:?}", entries.items
        );
    })
    .await;
}

#[tokio::test]
async fn sign_in_never_sends_the_browser_to_another_site() {
    TestApp::on_both(|t| async move {
        let who = t.account("teacher", 0).clone();
        let (cookie, _) = t.browser_login(&who.username, &who.password).await;
        for next in [
            "/%09/evil.example",
            "//evil.example",
            "/%5Cevil.example",
            "https://evil.example",
            "%0d%0aSet-Cookie:x=1",
            "/%00",
            "/%E2%80%A8/x",
        ] {
            // Signed in: /login sends the browser on at once.
            let res = t
                .page("GET", &format!("/login?next={next}"), &cookie, None)
                .await;
            assert_eq!(res.status, StatusCode::SEE_OTHER, "{next}");
            assert_eq!(res.location(), "/", "{next}");
            // Signing in with it.
            let form = t
                .page("GET", &format!("/login?next={next}"), "", None)
                .await;
            assert_eq!(form.status, StatusCode::OK, "{next}");
            let pre = form.cookie("truongso_csrf").unwrap();
            let body = format!(
                "_csrf={pre}&username={}&password={}&next={next}",
                who.username, who.password
            );
            let res = t
                .page(
                    "POST",
                    "/login",
                    &format!("truongso_csrf={pre}"),
                    Some(&body),
                )
                .await;
            assert_eq!(res.status, StatusCode::SEE_OTHER, "{next}: {}", res.text);
            assert_eq!(res.location(), "/", "{next}");
        }
        // A local path with Vietnamese text survives, percent-encoded.
        let res = t
            .page(
                "GET",
                "/login?next=%2Flearners%3Fq%3DNguy%E1%BB%85n",
                &cookie,
                None,
            )
            .await;
        assert_eq!(res.location(), "/learners?q=Nguy%E1%BB%85n");
    })
    .await;
}

#[tokio::test]
async fn page_numbers_out_of_range_are_refused_with_the_range() {
    TestApp::on_both(|t| async move {
        let officer = t
            .token(&t.account("department_officer", 0).username.clone())
            .await;
        let principal = t.token(&t.account("principal", 0).username.clone()).await;
        for (list, token) in [
            ("/api/v1/admin-units", &officer),
            ("/api/v1/audit", &officer),
            ("/api/v1/classes", &principal),
            ("/api/v1/learners", &principal),
            ("/api/v1/org-units", &officer),
            ("/api/v1/quality/duplicates", &principal),
            ("/api/v1/quality/issues", &principal),
            ("/api/v1/staff", &principal),
            ("/api/v1/users", &officer),
        ] {
            for query in [
                "page=9223372036854775807",
                "page=0",
                "per_page=0",
                "per_page=501",
                "page=-3",
                "per_page=99999999999999999999999",
            ] {
                let res = t
                    .api("GET", &format!("{list}?{query}"), Some(token), None)
                    .await;
                assert_eq!(
                    res.status,
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "{list}?{query}: {}",
                    res.text
                );
                assert!(
                    res.text.contains("từ 1 đến"),
                    "{list}?{query}: {}",
                    res.text
                );
            }
            let ok = t
                .api(
                    "GET",
                    &format!("{list}?page=10000000&per_page=500"),
                    Some(token),
                    None,
                )
                .await;
            assert_eq!(ok.status, StatusCode::OK, "{list}: {}", ok.text);
            assert_eq!(ok.json()["items"].as_array().map(Vec::len), Some(0));
        }
        let (cookie, _) = t
            .browser_login(
                &t.account("principal", 0).username.clone(),
                &t.account("principal", 0).password.clone(),
            )
            .await;
        let res = t
            .page("GET", "/learners?page=9223372036854775807", &cookie, None)
            .await;
        assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", res.text);
    })
    .await;
}

#[tokio::test]
async fn fields_a_caller_may_not_change_are_refused_not_dropped() {
    TestApp::on_both(|t| async move {
        let principal = t.account("principal", 0).clone();
        let token = t.token(&principal.username).await;
        let other_school = t.account("principal", 1).scope_org_id;
        let list = t
            .api("GET", "/api/v1/learners?per_page=1", Some(&token), None)
            .await
            .json();
        let id = list["items"][0]["id"].as_i64().unwrap();
        let before = t
            .api("GET", &format!("/api/v1/learners/{id}"), Some(&token), None)
            .await
            .json();
        let mut body = serde_json::json!({
            "national_id": before["national_id"],
            "full_name": before["full_name"],
            "birth_date": before["birth_date"],
            "gender": before["gender"],
            "ethnicity_code": before["ethnicity_code"],
            "nationality": before["nationality"],
            "guardians": [],
        });
        body["school_id"] = other_school.into();
        let res = t
            .api(
                "PUT",
                &format!("/api/v1/learners/{id}"),
                Some(&token),
                Some(&body.to_string()),
            )
            .await;
        assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", res.text);
        assert_eq!(
            res.json()["errors"][0]["field"],
            "school_id",
            "{}",
            res.text
        );
        let after = t
            .api("GET", &format!("/api/v1/learners/{id}"), Some(&token), None)
            .await
            .json();
        assert_eq!(
            after["updated_at"], before["updated_at"],
            "nothing was written"
        );
        assert_eq!(after["school_id"], before["school_id"]);
        // Creating: a field neither the placement nor the profile takes is refused too.
        let mut create = body.clone();
        create["school_id"] = principal.scope_org_id.into();
        create["national_id"] = serde_json::Value::Null;
        create["status"] = "transferred".into();
        let res = t
            .api(
                "POST",
                "/api/v1/learners",
                Some(&token),
                Some(&create.to_string()),
            )
            .await;
        assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", res.text);
        assert_eq!(res.json()["errors"][0]["field"], "status", "{}", res.text);
    })
    .await;
}

#[tokio::test]
async fn a_stranger_cannot_lock_the_owner_out_of_their_own_browser() {
    TestApp::on_both(|t| async move {
        let who = t.account("teacher", 0).clone();
        // The owner signed in on their phone before: it keeps a remembered-device cookie.
        let first = post_login(&t, &who.username, &who.password).await;
        let device = first
            .cookie("truongso_device")
            .expect("a remembered device");
        // A stranger who knows the username locks it for unknown browsers.
        for _ in 0..5 {
            post_login(&t, &who.username, "doan-mat-khau").await;
        }
        assert_eq!(
            post_login(&t, &who.username, &who.password).await.status,
            StatusCode::TOO_MANY_REQUESTS
        );
        // The owner's phone still signs in.
        let login = |password: String| {
            let (t, device, username) = (&t, device.clone(), who.username.clone());
            async move { post_login_from(t, &username, &password, Some(&device)).await }
        };
        let res = login(who.password.clone()).await;
        assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.text);
        // …and the lock stays for strangers.
        assert_eq!(
            post_login(&t, &who.username, &who.password).await.status,
            StatusCode::TOO_MANY_REQUESTS
        );
        // A remembered device that guesses wrong too often is forgotten, and meets the lock.
        for _ in 0..5 {
            assert_eq!(
                login("doan-sai".into()).await.status,
                StatusCode::UNAUTHORIZED
            );
        }
        assert_eq!(
            login(who.password.clone()).await.status,
            StatusCode::TOO_MANY_REQUESTS
        );
    })
    .await;
}
