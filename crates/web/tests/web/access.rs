//! The authorization matrix: every route of the OpenAPI document × every role (and anonymous)
//! × a record inside the account's reach and records outside it, on SQLite and PostgreSQL.
//!
//! Expected outcome: allowed exactly when the role's permission (data/permissions.csv) covers
//! the route's need (data/routes.csv) *and* the record lies inside the account's reach, whose
//! ground truth is computed here from the organisation tree, the teaching assignments and the
//! guardian links — not from the code under test. Every route of the document needs a request
//! below, so a new route cannot escape the matrix.

use std::collections::BTreeMap;

use crate::support::TestApp;
use axum::http::StatusCode;
use serde_json::{Value, json};
use truongso_domain::access::{Permission, Policy, Role};
use truongso_store::orgs::OrgInput;
use truongso_store::{PageRequest, Scope, classes, learners, orgs, users};
use truongso_web::auth::policy::{Need, need_for};

/// The records one request may name.
#[derive(Debug, Clone, Default)]
struct Targets {
    org: i64,
    school: i64,
    class: i64,
    staff: i64,
    learner: i64,
    learner_national_id: String,
    enrolment: i64,
    consent: i64,
    user: i64,
    token: i64,
    /// A duplicate case of the target learner (with a copy in a school of the foreign tree).
    duplicate: i64,
    /// A gradebook item of the class that the caller may write, if any (else the first).
    item: String,
    /// A frozen statistical report of the school.
    submission: i64,
    /// An open admission campaign taking in the school, an application whose first choice is
    /// the school, and its document.
    campaign: i64,
    application: i64,
    document: i64,
    /// A school (the target one, or a sibling when it is a preschool) and an entry grade it
    /// teaches, for creating a campaign; a trial run of the target campaign (then closed).
    admission_school: i64,
    admission_owner: i64,
    campaign_grade: i32,
    run: i64,
}

/// Where the targets lie relative to the caller's reach.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Place {
    Inside,
    /// Same school, another class or child (teachers, guardians, learners); another school of the
    /// province (school roles, offices).
    Near,
    /// Another organisation tree altogether.
    Foreign,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Outcome {
    Allowed,
    Denied,
}

struct Caller {
    role: Option<Role>,
    label: String,
    token: Option<String>,
    targets: BTreeMap<Place, Targets>,
}

#[tokio::test]
async fn every_route_for_every_role_inside_and_outside_its_reach() {
    TestApp::on_both(|t| async move {
        let fixture = Fixture::build(&t).await;
        let routes = openapi_routes();
        let mut unexpected_allows = vec![];
        let mut unexpected_denies = vec![];
        let mut cells = 0;
        for caller in &fixture.callers {
            for (place, targets) in &caller.targets {
                for (method, path) in &routes {
                    let need = need_for(&method.parse().unwrap(), path)
                        .unwrap_or_else(|| panic!("{method} {path} is not in routes.csv"));
                    let request = request_for(method, path, targets, &fixture);
                    let place = effective_place(caller.role, *place, path);
                    let expected = match account_rule(method, path) {
                        // Accounts: the target's rights must lie within the caller's (the
                        // fixture's accounts are teachers).
                        Some(rule) if !caller.role.is_some_and(|r| rule(Policy::builtin(), r, Role::Teacher)) => Outcome::Denied,
                        _ => expect(caller.role, need, request.scoped, place),
                    };
                    let res = t.api(method, &request.uri, caller.token.as_deref(), request.body.as_deref()).await;
                    let actual = classify(&request, &res);
                    cells += 1;
                    let line = format!(
                        "{} {:?}: {method} {} → {} {}",
                        caller.label, place, request.uri, res.status, res.text.chars().take(160).collect::<String>()
                    );
                    match (expected, actual) {
                        (Outcome::Denied, Outcome::Allowed) => unexpected_allows.push(line),
                        (Outcome::Allowed, Outcome::Denied) => unexpected_denies.push(line),
                        _ => {}
                    }
                }
            }
        }
        for caller in fixture.callers.iter().filter(|c| c.token.is_some()) {
            let res = t.api("GET", "/api/v1/users?per_page=500", caller.token.as_deref(), None).await;
            if res.status == StatusCode::OK {
                for item in res.json()["items"].as_array().unwrap() {
                    if item["id"] == fixture.foreign_user {
                        unexpected_allows.push(format!("{} lists the foreign account", caller.label));
                    }
                }
            }
        }
        eprintln!(
            "authorization matrix: {} routes × {} callers (9 roles + anonymous) × up to 3 places = {cells} requests; {} unexpected allows, {} unexpected denies",
            routes.len(),
            fixture.callers.len(),
            unexpected_allows.len(),
            unexpected_denies.len()
        );
        assert!(unexpected_allows.is_empty(), "unexpected allows:\n{}", unexpected_allows.join("\n"));
        assert!(unexpected_denies.is_empty(), "unexpected denies:\n{}", unexpected_denies.join("\n"));
    })
    .await;
}

/// (method, path template) of every operation in the OpenAPI document.
fn openapi_routes() -> Vec<(String, String)> {
    let doc: Value =
        serde_json::from_str(&truongso_web::api::openapi().to_json().unwrap()).unwrap();
    let mut out = vec![];
    for (path, item) in doc["paths"].as_object().unwrap() {
        for method in item.as_object().unwrap().keys() {
            out.push((method.to_uppercase(), path.clone()));
        }
    }
    out.sort();
    out
}

/// A teacher reaches the units, classes and staff of their whole school, but only the learners
/// of their classes: for the "near" records (same school, another class), what decides is
/// whether the request is about a learner.
fn effective_place(role: Option<Role>, place: Place, path: &str) -> Place {
    // Creating a learner names a class, which must be theirs, so it counts as about learners.
    let about_learner = path.starts_with("/api/v1/learners")
        || path.starts_with("/api/v1/enrolments")
        || path.starts_with("/api/v1/gradebook")
        || path.starts_with("/api/v1/audit");
    let reaches_school = matches!(role, Some(Role::Teacher | Role::HomeroomTeacher));
    if place == Place::Near && reaches_school && !about_learner {
        Place::Inside
    } else {
        place
    }
}

/// The rule of the account operations over and above their route's permission.
fn account_rule(method: &str, path: &str) -> Option<fn(&Policy, Role, Role) -> bool> {
    match (method, path) {
        ("POST", "/api/v1/users") => Some(truongso_domain::access::may_grant),
        ("POST", "/api/v1/users/{id}/reset-password") => Some(truongso_domain::access::may_reset),
        _ => None,
    }
}

fn expect(role: Option<Role>, need: Need, scoped: bool, place: Place) -> Outcome {
    let permitted = match (need, role) {
        (Need::Public, _) => true,
        (_, None) => false,
        (Need::SignedIn | Need::SecondFactor | Need::PasswordChange, Some(_)) => true,
        (Need::Permission(p), Some(r)) => Policy::builtin().allows(r, p),
    };
    if permitted && (!scoped || place == Place::Inside) {
        Outcome::Allowed
    } else {
        Outcome::Denied
    }
}

struct Request {
    uri: String,
    body: Option<String>,
    /// Whether the request names a record (so that its place decides).
    scoped: bool,
    /// A list filtered to the target: allowed means it found the target.
    list: bool,
}

/// What the response means: for record requests, 2xx (or a business conflict, which comes
/// after the reach check) is allowed; 401/403/404, or 422 naming the unit or class, is denied.
/// For lists filtered to the target, finding it is allowed.
fn classify(request: &Request, res: &crate::support::Response) -> Outcome {
    let status = res.status;
    if request.list && status == StatusCode::OK {
        let body = res.json();
        let total = body["total"]
            .as_u64()
            .unwrap_or_else(|| body.as_array().map_or(1, |a| a.len() as u64));
        return if total > 0 {
            Outcome::Allowed
        } else {
            Outcome::Denied
        };
    }
    match status {
        s if s.is_success() || s == StatusCode::CONFLICT => Outcome::Allowed,
        StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN | StatusCode::NOT_FOUND => Outcome::Denied,
        StatusCode::UNPROCESSABLE_ENTITY => {
            let fields = res.json()["errors"].to_string();
            if [
                "school_id",
                "org_unit_id",
                "parent_id",
                "class_id",
                "scope_org_id",
                "staff_id",
            ]
            .iter()
            .any(|f| fields.contains(f))
            {
                Outcome::Denied
            } else {
                panic!(
                    "{} → 422 about the input, not the reach: {}",
                    request.uri, res.text
                )
            }
        }
        other => panic!("{} → unexpected {other}: {}", request.uri, res.text),
    }
}

fn request_for(method: &str, path: &str, t: &Targets, f: &Fixture) -> Request {
    let fill = |p: &str| {
        if let Some(rest) = p.strip_prefix("/api/v1/quality/") {
            return format!("/api/v1/quality/{rest}")
                .replace("{code}", "class_over_capacity")
                .replace(
                    "{id}",
                    &if rest.starts_with("units") {
                        t.org
                    } else {
                        t.duplicate
                    }
                    .to_string(),
                );
        }
        let id_of = |resource: &str| -> String {
            match resource {
                "org-units" => t.org.to_string(),
                "classes" => t.class.to_string(),
                "staff" => t.staff.to_string(),
                "learners" => t.learner.to_string(),
                "enrolments" => t.enrolment.to_string(),
                "school-years" => f.year.to_string(),
                "national-ids" => t.learner_national_id.clone(),
                "tokens" => t.token.to_string(),
                "users" => t.user.to_string(),
                other => panic!("no target for /{other}/{{id}}"),
            }
        };
        if !p.contains('{') {
            return p.to_string();
        }
        let resource = p.trim_start_matches("/api/v1/").split('/').next().unwrap();
        if resource == "gradebook" {
            return p
                .replace("{class_id}", &t.class.to_string())
                .replace("{school_id}", &t.school.to_string())
                .replace("{item}", &t.item)
                .replace("{term}", "hk1");
        }
        if resource == "imports" {
            return p.replace("{kind}", "learners");
        }
        if resource == "statistics" {
            let id = if p.contains("/submissions/{id}") {
                t.submission
            } else {
                t.school
            };
            return p.replace("{id}", &id.to_string());
        }
        if resource == "dx" {
            return p
                .replace("{school_id}", &t.school.to_string())
                .replace("{org_id}", &t.org.to_string());
        }
        if resource == "admission" {
            return p
                .replace("{campaign_id}", &t.campaign.to_string())
                .replace("{application_id}", &t.application.to_string())
                .replace("{document_id}", &t.document.to_string())
                .replace("{run_id}", &t.run.to_string());
        }
        if resource == "targets" {
            return p
                .replace("{code}", "teachers_account")
                .replace("{id}", &t.org.to_string());
        }
        p.replace("{id}", &id_of(resource))
            .replace("{consent_id}", &t.consent.to_string())
            .replace("{year_code}", &f.year_code)
    };
    let uri = fill(path);
    let record = |body: Option<Value>| Request {
        uri: uri.clone(),
        body: body.map(|b| b.to_string()),
        scoped: true,
        list: false,
    };
    let global = |body: Option<Value>| Request {
        uri: uri.clone(),
        body: body.map(|b| b.to_string()),
        scoped: false,
        list: false,
    };
    let list = |query: String| Request {
        uri: format!("{uri}?{query}"),
        body: None,
        scoped: true,
        list: true,
    };
    let current = |kind: &str| f.current.get(&(kind.to_string(), uri.clone())).cloned();
    match (method, path) {
        // Class issues persist (every class is over the capacity of 1 set by the fixture).
        ("GET", "/api/v1/quality/issues") => {
            list(format!("class_id={}&rule=class_over_capacity", t.class))
        }
        ("GET", "/api/v1/quality/duplicates") => list(format!("org_unit_id={}", t.school)),
        ("PUT", "/api/v1/quality/rules/{code}") => {
            global(Some(json!({ "enabled": true, "severity": "warning" })))
        }
        ("PUT", "/api/v1/quality/settings") => global(Some(json!({
            "capacity_primary": 1, "capacity_secondary": 1, "capacity_preschool": 1
        }))),
        ("GET", "/api/v1/quality/rules" | "/api/v1/quality/settings")
        | ("POST", "/api/v1/quality/scan") => global(None),
        ("POST", "/api/v1/quality/duplicates/{id}/resolve") => {
            record(Some(json!({ "current_learner_id": t.learner })))
        }
        ("GET", "/api/v1/learners") => list(format!("q={}", t.learner_national_id)),
        ("GET", "/api/v1/staff") => list(format!("org_unit_id={}", t.school)),
        ("GET", "/api/v1/gradebook/history") => Request {
            uri: format!(
                "{uri}?learner_id={}&school_year_id={}&item={}&term=hk1",
                t.learner, f.year, t.item
            ),
            body: None,
            scoped: true,
            list: false,
        },
        // An empty save: the reach and the assignment are checked, nothing is written.
        ("POST", "/api/v1/gradebook/classes/{class_id}/items/{item}/terms/{term}") => {
            record(Some(json!({ "cells": [] })))
        }
        ("POST", "/api/v1/gradebook/schools/{school_id}/terms/{term}") => record(Some(
            json!({ "action": "publish", "school_year_id": f.year }),
        )),
        ("POST", "/api/v1/gradebook/schools/{school_id}/compute") => {
            record(Some(json!({ "school_year_id": f.year })))
        }
        ("GET", p) if p.starts_with("/api/v1/gradebook/") => record(None),
        ("GET", "/api/v1/statistics/units/{id}/records") => Request {
            uri: format!("{uri}?table=hoc_sinh&row=total&col=total"),
            body: None,
            scoped: true,
            list: false,
        },
        ("GET", "/api/v1/statistics/units/{id}/submission-status") => Request {
            uri: format!("{uri}?kind=dau_nam"),
            body: None,
            scoped: true,
            list: false,
        },
        ("POST", "/api/v1/statistics/units/{id}/submissions") => {
            record(Some(json!({ "kind": "dau_nam", "note": "ma trận" })))
        }
        ("GET", "/api/v1/public/statistics") => global(None),
        ("GET", "/api/v1/public/admission/campaigns") => global(None),
        // The digital-maturity index: a draft answer, a submission, a review and a small PDF;
        // a state that no longer allows the step answers 409, after the reach check.
        ("GET", "/api/v1/dx/criteria") => global(None),
        ("POST", "/api/v1/dx/schools/{school_id}/answers") => record(Some(json!({
            "answers": [{ "indicator_code": "1.1", "value": 1 }]
        }))),
        ("POST", "/api/v1/dx/schools/{school_id}/review") => record(Some(
            json!({ "decision": "return", "comment": "Bổ sung minh chứng" }),
        )),
        ("POST", "/api/v1/dx/schools/{school_id}/evidence") => Request {
            uri: format!("{uri}?indicator_code=1.1&file_name=ke-hoach.pdf"),
            body: Some("%PDF-1.4\n%%EOF\n".into()),
            scoped: true,
            list: false,
        },
        ("POST", "/api/v1/dx/schools/{school_id}/submit") => record(None),
        ("GET", p) if p.starts_with("/api/v1/dx/") => record(None),
        // Admission, staff side: the queue finds the application; a review verifies it; a score
        // file with the header only imports nothing (grades 1/6 answer 409 after the reach check).
        ("GET", "/api/v1/admission/campaigns/{campaign_id}/applications") => list(String::new()),
        (
            "POST",
            "/api/v1/admission/campaigns/{campaign_id}/applications/{application_id}/review",
        ) => record(Some(json!({ "decision": "verify" }))),
        ("POST", "/api/v1/admission/campaigns/{campaign_id}/scores") => Request {
            uri: uri.clone(),
            body: Some(
                "Số báo danh,Mã định danh,Họ và tên,Ngày sinh,Toán,Ngữ văn,Ngoại ngữ\n".into(),
            ),
            scoped: true,
            list: false,
        },
        ("GET", p) if p.starts_with("/api/v1/admission/campaigns/") => record(None),
        // Campaigns and runs: a draft campaign over the target school, run by its office; the
        // target campaign reopened; another trial run; publishing the target run.
        ("GET", "/api/v1/admission/campaigns") => global(None),
        ("POST", "/api/v1/admission/campaigns") => record(Some(json!({
            "owner_id": t.admission_owner, "school_year_id": f.year,
            "entry_grade": t.campaign_grade, "name": "Tuyển sinh ma trận",
            "opens_at": "2027-05-01T00:00:00Z", "closes_at": "2027-05-20T00:00:00Z",
            "results_at": "2027-07-01T00:00:00Z", "max_choices": 3, "required_documents": [],
            "schools": [{ "school_id": t.admission_school, "seats": 10 }]
        }))),
        ("POST", "/api/v1/admission/campaigns/{campaign_id}/status") => {
            record(Some(json!({ "status": "open" })))
        }
        ("POST", "/api/v1/admission/campaigns/{campaign_id}/runs")
        | ("POST", "/api/v1/admission/campaigns/{campaign_id}/runs/{run_id}/publish") => {
            record(None)
        }
        ("GET", "/api/v1/classes") => list(format!("org_unit_id={}", t.school)),
        ("GET", "/api/v1/org-units") => list(format!("parent_id={}", f.parent_of[&t.school])),
        ("GET", "/api/v1/audit") => list(format!("entity=learner&entity_id={}", t.learner)),
        // Lists every account in reach; that none outside it appears is checked separately.
        ("GET", "/api/v1/users") => global(None),
        ("GET", "/api/v1/audit/export") => Request {
            uri: format!("{uri}?entity=learner&entity_id={}", t.learner),
            body: None,
            scoped: false,
            list: false,
        },
        ("POST", "/api/v1/learners") => record(Some(json!({
            "school_id": t.school, "class_id": t.class, "full_name": "Lê Thị Ma Trận", "birth_date": "2014-04-04",
            "gender": "F", "ethnicity_code": "01", "guardians": []
        }))),
        ("POST", "/api/v1/staff") => record(Some(json!({
            "org_unit_id": t.school, "full_name": "Trần Văn Quyền", "birth_date": "1990-01-01",
            "gender": "M", "ethnicity_code": "01", "position": "teacher",
            "qualification": "bachelor", "employment_type": "civil_servant"
        }))),
        ("POST", "/api/v1/classes") => record(Some(json!({
            "org_unit_id": t.school, "school_year_id": f.year, "grade": f.grade_of[&t.school],
            "name": format!("MT{}", f.next())
        }))),
        ("POST", "/api/v1/org-units") => record(Some(json!({
            "parent_id": t.school, "kind": "site", "code": format!("MT{}", f.next()),
            "name": "Điểm trường Ma Trận"
        }))),
        ("POST", "/api/v1/learners/{id}/enrolments") => {
            record(Some(json!({ "class_id": t.class })))
        }
        ("PUT", "/api/v1/enrolments/{id}/status") => record(Some(json!({
            "status": "studying", "effective_on": "2025-09-05"
        }))),
        ("POST", "/api/v1/learners/{id}/consents") => record(Some(json!({
            "purpose": "photo_publication", "given_by": "Nguyễn Thị Mẹ"
        }))),
        ("GET", "/api/v1/targets/indicators") => global(None),
        // The shipped definition, saved as it is (validated, audited, nothing changes).
        ("PUT", "/api/v1/targets/indicators/{code}") => global(Some(json!({
            "code": "teachers_account",
            "name": "Giáo viên có tài khoản trên nền tảng",
            "name_en": "Teachers with an account on the platform",
            "formula": "teachers_with_account / teachers",
            "target": 100.0,
            "deadline": "2026-12-31",
            "levels": [],
            "grades": [],
            "scope": "Giáo viên của mọi trường",
            "source": "Chỉ tiêu bổ sung của nền tảng"
        }))),
        ("PUT", _) => record(Some(
            current("put").unwrap_or_else(|| panic!("no current record for {uri}")),
        )),
        ("GET", "/api/v1/subjects") => Request {
            uri: format!("{uri}?grade=6"),
            body: None,
            scoped: false,
            list: false,
        },
        ("POST", "/api/v1/users") => record(Some(json!({
            "username": format!("matran.tk{}", f.next()), "display_name": "Giáo viên Ma Trận",
            "role": "teacher", "scope_org_id": t.school, "staff_id": t.staff
        }))),
        // A check of one learner row into the target school (nothing written).
        ("POST", "/api/v1/imports/{kind}") => Request {
            uri: format!("{uri}?school_id={}&dry_run=true", t.school),
            body: Some(
                "Họ và tên,Ngày sinh,Giới tính,Dân tộc\nLê Thị Ma Trận,04/04/2014,Nữ,Kinh\n".into(),
            ),
            scoped: true,
            list: false,
        },
        ("POST", "/api/v1/school-years") => global(Some(json!({ "start_year": 2031 }))),
        ("POST", "/api/v1/tokens") => global(Some(json!({ "name": "ma trận" }))),
        (
            "GET",
            "/api/v1/me"
            | "/api/v1/tokens"
            | "/api/v1/school-years"
            | "/api/v1/admin-units"
            | "/api/v1/ethnicities"
            | "/api/v1/openapi.json",
        )
        | ("GET", "/api/v1/school-years/{id}/terms" | "/api/v1/national-ids/{id}") => global(None),
        // A published result, found (public: every caller, anonymous too).
        ("GET", "/api/v1/public/admission/results") => Request {
            uri: format!("{uri}?{}", f.admission_lookup),
            body: None,
            scoped: false,
            list: false,
        },
        (_, p) if p.contains("{id}") => record(None),
        (m, p) => panic!("no matrix request for {m} {p}: add one"),
    }
}

struct Fixture {
    callers: Vec<Caller>,
    foreign_user: i64,
    year: i64,
    /// The current school year's code ("2025-2026"), for transcript routes.
    year_code: String,
    /// Parent unit of each school (to list a school among its siblings).
    parent_of: BTreeMap<i64, i64>,
    /// A grade the school teaches (for creating a class).
    grade_of: BTreeMap<i64, i64>,
    /// Current JSON of records, by ("put", uri), for PUT requests.
    current: BTreeMap<(String, String), Value>,
    counter: std::sync::atomic::AtomicU32,
    /// Where copies of target learners go to make duplicate cases: a foreign school (the
    /// second one for the foreign school's own learner), outside every demo account's reach.
    copy_school: i64,
    foreign_copy_school: i64,
    foreign_school: i64,
    /// The query string of a published admission result (campaign, number, date of birth).
    admission_lookup: String,
}

impl Fixture {
    fn next(&self) -> u32 {
        self.counter
            .fetch_add(1, std::sync::atomic::Ordering::SeqCst)
    }

    async fn build(t: &TestApp) -> Fixture {
        let mut conn = t.store.conn();
        let current_year = truongso_store::years::current(&mut conn)
            .await
            .unwrap()
            .unwrap();
        let year = current_year.id;
        // A principal over the whole demo tree (sees every field), to read records for PUTs.
        let root = orgs::roots(&mut conn, &Scope::All).await.unwrap()[0].id;
        let super_token = account_with_token(t, "matran.sieu", "principal", root).await;
        let foreign = foreign_tree(t).await;

        let mut f = Fixture {
            callers: vec![],
            foreign_user: foreign.user,
            year,
            year_code: current_year.code.clone(),
            parent_of: BTreeMap::new(),
            grade_of: BTreeMap::new(),
            current: BTreeMap::new(),
            counter: Default::default(),
            copy_school: foreign.school,
            foreign_copy_school: foreign.school2,
            foreign_school: foreign.school,
            admission_lookup: published_admission_result(t).await,
        };
        let foreign_targets = targets_in_school(t, &mut f, foreign.school, None, None).await;
        let mut foreign_targets = foreign_targets;
        foreign_targets.user = foreign.user;
        foreign_targets.token = foreign.token;

        let anonymous = Caller {
            role: None,
            label: "(anonymous)".into(),
            token: None,
            targets: BTreeMap::from([(Place::Foreign, foreign_targets.clone())]),
        };
        f.callers.push(anonymous);
        for role in Role::ALL {
            let account = t.account(role.code(), 0).clone();
            let token = t.token(&account.username).await;
            let user = users::credentials(&mut t.store.conn(), &account.username)
                .await
                .unwrap()
                .unwrap()
                .user;
            let own_token = token_id(t, user.id).await;
            let mut targets = BTreeMap::new();
            let (inside, near) = match role {
                Role::Teacher | Role::HomeroomTeacher => {
                    let staff = user.staff_id.expect("teacher account has a staff record");
                    let mine = classes::reached_by_staff(&mut t.store.conn(), staff)
                        .await
                        .unwrap();
                    let school = account.scope_org_id;
                    let inside = targets_in_school(t, &mut f, school, Some(&mine), None).await;
                    let near = targets_in_school(t, &mut f, school, None, Some(&mine)).await;
                    (inside, Some(near))
                }
                Role::Guardian | Role::Learner => {
                    let children = users::learner_ids(&mut t.store.conn(), user.id)
                        .await
                        .unwrap();
                    let child = learners::get(&mut t.store.conn(), &Scope::All, children[0])
                        .await
                        .unwrap();
                    let mut inside =
                        targets_in_school(t, &mut f, child.school_id, None, None).await;
                    retarget_learner(t, &mut f, &mut inside, child.id).await;
                    let mut near = inside.clone();
                    let other = other_learner_of(t, child.school_id, child.id).await;
                    retarget_learner(t, &mut f, &mut near, other).await;
                    (inside, Some(near))
                }
                _ => {
                    let school = first_school_under(t, account.scope_org_id).await;
                    let inside = targets_in_school(t, &mut f, school, None, None).await;
                    let near = match school_outside(t, account.scope_org_id).await {
                        Some(other) => Some(targets_in_school(t, &mut f, other, None, None).await),
                        None => None,
                    };
                    (inside, near)
                }
            };
            let mut inside = inside;
            // A teacher's item: one they are assigned (or, leading the class, its conduct).
            if let Some(staff) = user.staff_id {
                let class = classes::get(&mut t.store.conn(), &Scope::All, inside.class)
                    .await
                    .unwrap();
                let mine =
                    truongso_store::gradebook::items_of_teacher(&mut t.store.conn(), &class, staff)
                        .await
                        .unwrap();
                if let Some(item) = mine.first() {
                    inside.item = item.clone();
                }
            }
            // An account in the inside school, for password resets.
            let colleague = format!("matran.dongnghiep.{}", role.code());
            account_with_token(t, &colleague, "teacher", inside.school).await;
            inside.user = users::credentials(&mut t.store.conn(), &colleague)
                .await
                .unwrap()
                .unwrap()
                .user
                .id;
            inside.token = own_token;
            targets.insert(Place::Inside, inside);
            if let Some(mut near) = near {
                near.user = foreign.user;
                near.token = foreign.token;
                targets.insert(Place::Near, near);
            }
            targets.insert(Place::Foreign, foreign_targets.clone());
            f.callers.push(Caller {
                role: Some(*role),
                label: format!("{} ({})", role.code(), account.username),
                token: Some(token),
                targets,
            });
        }
        // Every class over capacity (so that class issues exist to list), then a full check.
        let mut tx = t.store.begin().await.unwrap();
        truongso_store::quality::set_settings(
            &mut tx,
            &BTreeMap::from([
                ("capacity_primary".to_string(), "1".to_string()),
                ("capacity_secondary".to_string(), "1".to_string()),
                ("capacity_preschool".to_string(), "1".to_string()),
            ]),
            "matrix",
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();
        truongso_store::quality::scan(&t.store, |_, _| {})
            .await
            .unwrap();
        // Current records for PUTs, read with the all-seeing account.
        let mut puts = vec![];
        for caller in &f.callers {
            for targets in caller.targets.values() {
                puts.push(format!("/api/v1/learners/{}", targets.learner));
                puts.push(format!("/api/v1/staff/{}", targets.staff));
                puts.push(format!("/api/v1/classes/{}", targets.class));
                puts.push(format!("/api/v1/org-units/{}", targets.org));
            }
        }
        for uri in puts {
            let mut res = t.api("GET", &uri, Some(&super_token), None).await;
            if res.status == StatusCode::NOT_FOUND {
                res = t.api("GET", &uri, Some(&foreign.super_token), None).await;
            }
            assert_eq!(res.status, StatusCode::OK, "{uri}: {}", res.text);
            f.current.insert(("put".into(), uri), res.json());
        }
        f
    }
}

/// A user with a role over a unit, with an API token.
async fn account_with_token(t: &TestApp, username: &str, role: &str, org: i64) -> String {
    let mut tx = t.store.begin().await.unwrap();
    users::create(
        &mut tx,
        &users::NewUser {
            username,
            password: "mat-khau-ma-tran",
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
    t.token(username).await
}

async fn token_id(t: &TestApp, user_id: i64) -> i64 {
    truongso_store::tokens::create(&mut t.store.conn(), user_id, "own", 1)
        .await
        .unwrap()
        .1
        .id
}

struct Foreign {
    school: i64,
    /// A second school of the foreign tree (for the foreign learner's duplicate).
    school2: i64,
    user: i64,
    token: i64,
    super_token: String,
}

/// Another organisation tree (a second root with a school, its class, staff and learner),
/// outside every demo account's reach.
async fn foreign_tree(t: &TestApp) -> Foreign {
    let mut tx = t.store.begin().await.unwrap();
    let input = |parent, kind, code: &str, name: &str, levels| OrgInput {
        parent_id: parent,
        kind,
        code: code.into(),
        name: name.into(),
        ward_code: None,
        address: None,
        lat: None,
        lon: None,
        levels,
        ownership: None,
    };
    use truongso_domain::org::{Levels, OrgKind, SchoolLevel};
    let today = chrono::NaiveDate::from_ymd_opt(2025, 10, 1).unwrap();
    let root = orgs::create(
        &mut tx,
        &Scope::All,
        &input(
            None,
            OrgKind::Ministry,
            "NGOAI",
            "Bộ ngành khác (ngoài hệ thống)",
            Levels::default(),
        ),
        today,
    )
    .await
    .unwrap();
    let school = orgs::create(
        &mut tx,
        &Scope::All,
        &input(
            Some(root.id),
            OrgKind::School,
            "NGOAI-TH",
            "Trường Tiểu học Ngoài",
            Levels(vec![SchoolLevel::Primary]),
        ),
        today,
    )
    .await
    .unwrap();
    let school2 = orgs::create(
        &mut tx,
        &Scope::All,
        &input(
            Some(root.id),
            OrgKind::School,
            "NGOAI-TH2",
            "Trường Tiểu học Ngoài số 2",
            Levels(vec![SchoolLevel::Primary]),
        ),
        today,
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    let super_token = account_with_token(t, "ngoai.sieu", "principal", root.id).await;
    account_with_token(t, "ngoai.hieutruong", "principal", school.id).await;
    let user = users::credentials(&mut t.store.conn(), "ngoai.hieutruong")
        .await
        .unwrap()
        .unwrap()
        .user
        .id;
    let year = truongso_store::years::current(&mut t.store.conn())
        .await
        .unwrap()
        .unwrap()
        .id;
    let staff = t
        .api("POST", "/api/v1/staff", Some(&super_token), Some(&json!({
            "org_unit_id": school.id, "full_name": "Đỗ Thị Ngoài", "birth_date": "1985-05-05", "gender": "F",
            "ethnicity_code": "01", "position": "teacher", "qualification": "bachelor", "employment_type": "civil_servant"
        }).to_string()))
        .await;
    assert_eq!(staff.status, StatusCode::CREATED, "{}", staff.text);
    let class = t
        .api(
            "POST",
            "/api/v1/classes",
            Some(&super_token),
            Some(
                &json!({
                    "org_unit_id": school.id, "school_year_id": year, "grade": 3, "name": "3A",
                    "homeroom_staff_id": staff.json()["id"]
                })
                .to_string(),
            ),
        )
        .await;
    assert_eq!(class.status, StatusCode::CREATED, "{}", class.text);
    let learner = t
        .api("POST", "/api/v1/learners", Some(&super_token), Some(&json!({
            "school_id": school.id, "class_id": class.json()["id"], "full_name": "Hà Văn Ngoài",
            "birth_date": "2017-02-02", "gender": "M", "ethnicity_code": "01", "national_id": "079217000555",
            "guardians": [{"relation": "father", "full_name": "Hà Văn Bố", "phone": "0912345678"}]
        }).to_string()))
        .await;
    assert_eq!(learner.status, StatusCode::CREATED, "{}", learner.text);
    let token = token_id(t, user).await;
    Foreign {
        school: school.id,
        school2: school2.id,
        user,
        token,
        super_token,
    }
}

/// Targets in a school: a class (among `only` when given, not among `not` when given), a
/// learner enrolled in it, its enrolment, a consent, a staff member.
async fn targets_in_school(
    t: &TestApp,
    f: &mut Fixture,
    school: i64,
    only: Option<&[i64]>,
    not: Option<&[i64]>,
) -> Targets {
    let mut conn = t.store.conn();
    let unit = orgs::get(&mut conn, &Scope::All, school).await.unwrap();
    f.parent_of.insert(school, unit.parent_id.unwrap_or(school));
    let all = classes::list(
        &mut conn,
        &Scope::All,
        &classes::ClassFilter {
            org_unit_id: Some(school),
            ..Default::default()
        },
        &PageRequest::new(1, 500),
    )
    .await
    .unwrap()
    .items;
    let class = all
        .iter()
        .find(|c| {
            c.learner_count > 0
                && only.is_none_or(|o| o.contains(&c.id))
                && not.is_none_or(|n| !n.contains(&c.id))
        })
        .unwrap_or_else(|| panic!("no suitable class in school {school}"));
    f.grade_of.insert(school, i64::from(class.grade));
    let staff = truongso_store::staff::list(
        &mut conn,
        &Scope::All,
        &truongso_store::staff::StaffFilter {
            org_unit_id: Some(school),
            ..Default::default()
        },
        &PageRequest::new(1, 1),
    )
    .await
    .unwrap()
    .items[0]
        .id;
    let learner = learners::list(
        &mut conn,
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
        .id;
    let item = truongso_store::gradebook::class_items(&mut conn, class)
        .await
        .unwrap()
        .first()
        .map(|p| p.item.code().to_string())
        .unwrap_or_else(|| "toan".into());
    let mut targets = Targets {
        org: school,
        school,
        class: class.id,
        staff,
        item,
        ..Default::default()
    };
    retarget_learner(t, f, &mut targets, learner).await;
    let into = if school == f.foreign_school {
        f.foreign_copy_school
    } else {
        f.copy_school
    };
    targets.duplicate = duplicate_case(t, f, learner, into).await;
    targets.submission = frozen_report(t, f, school).await;
    let campaign = crate::support::admission::open_campaign(&t.store, &[school], None).await;
    let national_id = format!("0792100{:05}", f.next());
    let (application, document) = crate::support::admission::insert_application(
        &t.store,
        &campaign,
        &national_id,
        "Phạm Thị Ma Trận",
        &[school],
    )
    .await;
    targets.campaign = campaign.id;
    targets.application = application;
    targets.document = document;
    (
        targets.admission_school,
        targets.admission_owner,
        targets.campaign_grade,
    ) = admission_school(t, school).await;
    let mut tx = t.store.begin().await.unwrap();
    let closed = truongso_store::admission::set_status(
        &mut tx,
        &campaign,
        truongso_store::admission::CampaignStatus::Closed,
    )
    .await
    .unwrap();
    targets.run =
        truongso_store::admission::runs::simulate(&mut tx, &closed, &Default::default(), "matrix")
            .await
            .unwrap()
            .id;
    tx.commit().await.unwrap();
    targets
}

/// A school teaching an entry grade (1, 6 or 10) beside `school`: itself, or for a preschool a
/// primary school created beside it; with its parent (the campaign's owner) and the grade.
async fn admission_school(t: &TestApp, school: i64) -> (i64, i64, i32) {
    use truongso_domain::org::{Levels, OrgKind, SchoolLevel};
    let unit = orgs::get(&mut t.store.conn(), &Scope::All, school)
        .await
        .unwrap();
    let parent = unit.parent_id.unwrap();
    let grade = unit.levels.0.iter().find_map(|l| match l {
        SchoolLevel::Primary => Some(1),
        SchoolLevel::LowerSecondary => Some(6),
        SchoolLevel::UpperSecondary => Some(10),
        _ => None,
    });
    if let Some(grade) = grade {
        return (school, parent, grade);
    }
    let code = format!("{:08}", 79_900_000 + school);
    if let Some(made) = orgs::get_by_code(&mut t.store.conn(), &code).await.unwrap() {
        return (made.id, parent, 1);
    }
    let mut tx = t.store.begin().await.unwrap();
    let primary = orgs::create(
        &mut tx,
        &Scope::All,
        &OrgInput {
            parent_id: Some(parent),
            kind: OrgKind::School,
            code,
            name: "Trường Tiểu học Ma Trận".into(),
            ward_code: None,
            address: None,
            lat: None,
            lon: None,
            levels: Levels(vec![SchoolLevel::Primary]),
            ownership: None,
        },
        chrono::NaiveDate::from_ymd_opt(2025, 10, 1).unwrap(),
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    (primary.id, parent, 1)
}

/// A small published grade-10 campaign; the lookup query of its first result.
async fn published_admission_result(t: &TestApp) -> String {
    let report = truongso_store::admission::seed::seed_applicants(
        &t.store,
        20,
        3,
        &Default::default(),
        |_, _| {},
    )
    .await
    .unwrap();
    let mut first = None;
    truongso_store::admission::lookup::published(&mut t.store.conn(), report.campaign_id, |r| {
        first.get_or_insert(r);
    })
    .await
    .unwrap();
    let r = first.unwrap();
    format!(
        "campaign_id={}&number={}&birth_date={}",
        report.campaign_id, r.tracking_code, r.birth_date
    )
}

/// Freezes the school's beginning-of-year report.
async fn frozen_report(t: &TestApp, f: &Fixture, school: i64) -> i64 {
    let request = truongso_store::statistics::ReportRequest {
        kind: truongso_domain::statistics::ReportKind::Beginning,
        school_year_id: f.year,
        as_of: chrono::NaiveDate::from_ymd_opt(2025, 9, 30).unwrap(),
    };
    let mut tx = t.store.begin().await.unwrap();
    let info = truongso_store::statistics::submit(
        &mut tx,
        &Scope::All,
        school,
        request,
        (None, "Ma trận"),
        None,
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    info.id
}

/// Enrols a copy of `learner` (same personal ID) in school `into`; returns the case opened.
async fn duplicate_case(t: &TestApp, f: &Fixture, learner: i64, into: i64) -> i64 {
    let today = chrono::NaiveDate::from_ymd_opt(2025, 10, 1).unwrap();
    let l = learners::get(&mut t.store.conn(), &Scope::All, learner)
        .await
        .unwrap();
    let mut input = l.to_input();
    let mut tx = t.store.begin().await.unwrap();
    let valid = input.national_id.as_deref().is_some_and(|id| {
        truongso_domain::national_id::check(id, Some(input.birth_date), Some(input.gender)).status
            == truongso_domain::national_id::IdStatus::Ok
    });
    if !valid {
        // A planted fault on the target: give it a valid ID first.
        input.national_id = truongso_domain::national_id::compose(
            "051",
            chrono::Datelike::year(&input.birth_date),
            input.gender,
            990_000 + f.next(),
        );
        learners::update(&mut tx, &Scope::All, learner, &input, today)
            .await
            .unwrap();
    }
    let copy = learners::create(
        &mut tx,
        &Scope::All,
        &learners::NewLearner {
            profile: input,
            school_id: into,
            class_id: None,
        },
        today,
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    truongso_store::quality::duplicates(
        &mut t.store.conn(),
        &Scope::All,
        &truongso_store::quality::DuplicateFilter {
            status: Some("open".into()),
            org_unit_id: Some(into),
        },
        &PageRequest::new(1, 500),
    )
    .await
    .unwrap()
    .items
    .into_iter()
    .find(|c| {
        [c.a.learner_id, c.b.learner_id].contains(&learner)
            && [c.a.learner_id, c.b.learner_id].contains(&copy.id)
    })
    .expect("the copy opens a duplicate case")
    .id
}

/// Points the learner-related targets (learner, national ID, enrolment, consent) at `learner`.
async fn retarget_learner(t: &TestApp, _f: &mut Fixture, targets: &mut Targets, learner: i64) {
    let mut conn = t.store.conn();
    let l = learners::get(&mut conn, &Scope::All, learner)
        .await
        .unwrap();
    targets.learner = learner;
    targets.learner_national_id = l
        .national_id
        .clone()
        .unwrap_or_else(|| l.learner_code.clone());
    targets.enrolment = truongso_store::enrolments::of_learner(&mut conn, learner)
        .await
        .unwrap()[0]
        .id;
    let consent = truongso_store::consents::give(
        &mut conn,
        learner,
        &truongso_store::consents::NewConsent {
            purpose: truongso_domain::consent::ConsentPurpose::Notifications,
            given_by: "Người giám hộ".into(),
            relation: None,
            learner_agreed: None,
            note: None,
        },
        None,
    )
    .await
    .unwrap();
    targets.consent = consent.id;
    truongso_store::audit::record(
        &mut conn,
        &truongso_store::audit::AuditActor::default(),
        &truongso_store::audit::NewAuditEntry {
            action: truongso_store::audit::AuditAction::Read,
            entity: "learner",
            entity_id: Some(learner),
            org_id: Some(l.school_id),
            detail: Some("matrix fixture".into()),
        },
    )
    .await
    .unwrap();
}

async fn other_learner_of(t: &TestApp, school: i64, not: i64) -> i64 {
    learners::list(
        &mut t.store.conn(),
        &Scope::All,
        &learners::LearnerFilter {
            school_id: Some(school),
            ..Default::default()
        },
        &PageRequest::new(1, 2),
    )
    .await
    .unwrap()
    .items
    .into_iter()
    .find(|l| l.id != not)
    .unwrap()
    .id
}

async fn first_school_under(t: &TestApp, org: i64) -> i64 {
    let mut conn = t.store.conn();
    let unit = orgs::get(&mut conn, &Scope::All, org).await.unwrap();
    let scope = unit.scope();
    let schools = orgs::list(
        &mut conn,
        &scope,
        &orgs::OrgFilter {
            kind: Some(truongso_domain::org::OrgKind::School),
            ..Default::default()
        },
        &PageRequest::new(1, 50),
    )
    .await
    .unwrap()
    .items;
    // A school with classes this year.
    for s in schools {
        let n = classes::list(
            &mut conn,
            &Scope::All,
            &classes::ClassFilter {
                org_unit_id: Some(s.id),
                ..Default::default()
            },
            &PageRequest::new(1, 1),
        )
        .await
        .unwrap()
        .total;
        if n > 0 {
            return s.id;
        }
    }
    panic!("no school with classes under {org}")
}

/// A demo school with classes outside the subtree of `org`, if the demo tree has one.
async fn school_outside(t: &TestApp, org: i64) -> Option<i64> {
    let mut conn = t.store.conn();
    let unit = orgs::get(&mut conn, &Scope::All, org).await.unwrap();
    let root = orgs::roots(&mut conn, &Scope::All).await.unwrap()[0].id;
    let everywhere = first_schools(t, root).await;
    everywhere
        .into_iter()
        .find(|(_, path)| !path.starts_with(&unit.path))
        .map(|(id, _)| id)
}

async fn first_schools(t: &TestApp, root: i64) -> Vec<(i64, String)> {
    let mut conn = t.store.conn();
    let scope = orgs::get(&mut conn, &Scope::All, root)
        .await
        .unwrap()
        .scope();
    let mut out = vec![];
    for s in orgs::list(
        &mut conn,
        &scope,
        &orgs::OrgFilter {
            kind: Some(truongso_domain::org::OrgKind::School),
            ..Default::default()
        },
        &PageRequest::new(1, 500),
    )
    .await
    .unwrap()
    .items
    {
        let has_classes = classes::list(
            &mut conn,
            &Scope::All,
            &classes::ClassFilter {
                org_unit_id: Some(s.id),
                ..Default::default()
            },
            &PageRequest::new(1, 1),
        )
        .await
        .unwrap()
        .total
            > 0;
        if has_classes {
            out.push((s.id, s.path));
        }
    }
    out
}

#[test]
fn every_permission_is_used_by_some_route() {
    let used: Vec<Permission> = truongso_web::auth::policy::routes()
        .values()
        .filter_map(|n| match n {
            Need::Permission(p) => Some(*p),
            _ => None,
        })
        .collect();
    for p in Permission::ALL {
        assert!(
            used.contains(p) || *p == Permission::LearnerSensitive,
            "permission {p} is granted but no route needs it"
        );
    }
}
