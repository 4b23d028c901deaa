//! Sign-in security and reach, through the whole router on SQLite and PostgreSQL: lockout and
//! throttling, session rotation, CSRF, two factors, guessing other schools' IDs, guardians and
//! teachers confined to their own, sensitive fields, and the append-only audit trail.

mod support;

use axum::http::StatusCode;
use serde_json::Value;
use support::{TestApp, csrf_of};
use truongso_store::audit::AuditFilter;
use truongso_store::{PageRequest, Scope, audit};

fn login_form(csrf: &str, username: &str, password: &str) -> String {
    format!("_csrf={csrf}&username={username}&password={password}&next=%2F")
}

/// Posts the login form as a fresh browser would (getting the pre-session CSRF cookie first).
async fn post_login(t: &TestApp, username: &str, password: &str) -> support::Response {
    let form = t.page("GET", "/login", "", None).await;
    let pre = form.cookie("truongso_csrf").unwrap();
    t.page(
        "POST",
        "/login",
        &format!("truongso_csrf={pre}"),
        Some(&login_form(&pre, username, password)),
    )
    .await
}

#[tokio::test]
async fn repeated_wrong_passwords_lock_the_account_and_are_audited() {
    truongso_testkit::on_both(|store| async move {
        let t = TestApp::seeded(store).await;
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
    truongso_testkit::on_both(|store| async move {
        let t = TestApp::seeded(store).await;
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
    truongso_testkit::on_both(|store| async move {
        let t = TestApp::seeded(store).await;
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
    truongso_testkit::on_both(|store| async move {
        let t = TestApp::seeded(store).await;
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
    truongso_testkit::on_both(|store| async move {
        let t = TestApp::seeded(store).await;
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
    truongso_testkit::on_both(|store| async move {
        let t = TestApp::seeded(store).await;
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
    truongso_testkit::on_both(|store| async move {
        let t = TestApp::seeded(store).await;
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
    truongso_testkit::on_both(|store| async move {
        let t = TestApp::seeded(store).await;
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
    truongso_testkit::on_both(|store| async move {
        let t = TestApp::seeded(store).await;
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
    truongso_testkit::on_both(|store| async move {
        let t = TestApp::seeded(store).await;
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
    truongso_testkit::on_both(|store| async move {
        let t = TestApp::seeded(store).await;
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
