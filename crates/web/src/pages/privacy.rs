//! Pages of personal-data protection: accounts in scope with password reset, the audit trail
//! with export, a learner's access log for guardians, and consent records.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, State};
use axum::http::{StatusCode, Uri, header};
use axum::response::{IntoResponse, Redirect, Response};
use chrono::{DateTime, Utc};
use serde::Deserialize;
use truongso_domain::access::{Policy, Role, may_grant, may_reset};
use truongso_domain::consent::ConsentPurpose;
use truongso_store::audit::{self, AuditEntry, AuditFilter};
use truongso_store::consents::{self, Consent, NewConsent};
use truongso_store::users::{self, User};
use truongso_store::{Page, Scope, learners, orgs};

use super::{Crumb, InLang, Nav, PageResult, Pager};
use crate::AppState;
use crate::actor::Actor;
use crate::api::parse_query;
use crate::api::users::NewAccount;
use crate::error::ApiError;
use crate::i18n::Lang;

#[derive(Template, WebTemplate)]
#[template(path = "users.html")]
pub struct UsersPage {
    lang: Lang,
    nav: Nav,
    crumbs: Vec<Crumb>,
    users: Page<User>,
    pager: Pager,
    /// A password just set (reset or new account): (username, one-time password), shown once.
    reset: Option<(String, String)>,
    /// The create-account form: roles this administrator may grant, and what was typed.
    roles: Vec<(String, String)>,
    form: AccountForm,
    errors: Vec<String>,
    /// The administrator's own account (their own password changes on the account page).
    me: i64,
    granter: Option<Role>,
}

impl UsersPage {
    fn role_label(&self, code: &str) -> String {
        code.parse::<Role>()
            .map(|r| self.lang.label(r.label_vi(), r.label_en()).to_string())
            .unwrap_or_else(|_| code.to_string())
    }

    /// Whether the reset button is offered for an account of this role (the same rule the
    /// reset itself applies).
    fn may_reset(&self, code: &str) -> bool {
        match (self.granter, code.parse::<Role>()) {
            (Some(g), Ok(r)) => may_reset(Policy::builtin(), g, r),
            _ => false,
        }
    }
}

/// The create-account form as typed (prefilled by links from staff and learner pages).
#[derive(Debug, Clone, Default, Deserialize)]
pub struct AccountForm {
    #[serde(default)]
    username: String,
    #[serde(default)]
    display_name: String,
    #[serde(default)]
    role: String,
    /// The unit's code ("51200001"), easier to type than an id.
    #[serde(default)]
    unit_code: String,
    staff_id: Option<i64>,
    learner_id: Option<i64>,
}

pub async fn users_page(
    State(s): State<AppState>,
    actor: Actor,
    uri: Uri,
) -> PageResult<UsersPage> {
    let mut form: AccountForm = parse_query(uri.query().unwrap_or("")).lang(&actor)?;
    if form.unit_code.is_empty()
        && let Some(user) = &actor.user
    {
        form.unit_code = orgs::get(&mut s.store.conn(), &Scope::All, user.scope_org_id)
            .await
            .lang(&actor)?
            .code;
    }
    users_view(&s, &actor, &uri, None, form, vec![]).await
}

/// A page showing a one-time password: never cached.
fn no_store(page: UsersPage) -> Response {
    let mut r = page.into_response();
    r.headers_mut().insert(
        header::CACHE_CONTROL,
        header::HeaderValue::from_static("no-store"),
    );
    r
}

/// Creates an account from the form; the one-time password is shown once.
pub async fn create_account(
    State(s): State<AppState>,
    actor: Actor,
    body: String,
) -> PageResult<Response> {
    let form: AccountForm = parse_query(&body).lang(&actor)?;
    let uri: Uri = "/users".parse().expect("static uri");
    let input = match form.role.parse::<Role>() {
        Ok(role) => {
            let unit = orgs::get_by_code(&mut s.store.conn(), form.unit_code.trim())
                .await
                .lang(&actor)?;
            Ok(NewAccount {
                username: form.username.clone(),
                display_name: form.display_name.clone(),
                role,
                scope_org_id: unit.map_or(0, |u| u.id),
                staff_id: form.staff_id,
                learner_ids: form.learner_id.into_iter().collect(),
            })
        }
        Err(_) => Err(vec![actor.lang.t("choose_role").to_string()]),
    };
    let result = match input {
        Ok(input) => crate::api::users::create_account(&s, &actor, &input)
            .await
            .map_err(|e| match e {
                ApiError::Store(truongso_store::StoreError::Database(_)) => Err(e),
                e => {
                    let mut errors: Vec<String> =
                        e.field_errors().into_iter().map(|f| f.message).collect();
                    if errors.is_empty() {
                        errors.push(e.user_message());
                    }
                    Ok(errors)
                }
            }),
        Err(errors) => Err(Ok(errors)),
    };
    match result {
        Ok(done) => {
            let reset = Some((done.username, done.temporary_password));
            let page = users_view(&s, &actor, &uri, reset, AccountForm::default(), vec![]).await?;
            Ok(no_store(page))
        }
        Err(Ok(errors)) => {
            let page = users_view(&s, &actor, &uri, None, form, errors).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(Err(e)) => Err(super::PageError::from((&actor, e))),
    }
}

async fn users_view(
    s: &AppState,
    actor: &Actor,
    uri: &Uri,
    reset: Option<(String, String)>,
    form: AccountForm,
    errors: Vec<String>,
) -> PageResult<UsersPage> {
    let lang = actor.lang;
    let page = crate::api::parse_page(uri.query().unwrap_or("")).lang(actor)?;
    let users = users::list_in_scope(&mut s.store.conn(), &actor.scope, &page)
        .await
        .lang(actor)?;
    let pager = Pager::new(&users, uri);
    let roles = actor
        .role
        .map(|granter| {
            Role::ALL
                .iter()
                .filter(|r| may_grant(Policy::builtin(), granter, **r))
                .map(|r| {
                    (
                        r.code().to_string(),
                        lang.label(r.label_vi(), r.label_en()).to_string(),
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    Ok(UsersPage {
        lang,
        nav: Nav::of(actor),
        crumbs: vec![],
        users,
        pager,
        reset,
        roles,
        form,
        errors,
        me: actor.user.as_ref().map_or(0, |u| u.id),
        granter: actor.role,
    })
}

pub async fn reset_password(
    State(s): State<AppState>,
    actor: Actor,
    Path(id): Path<i64>,
) -> PageResult<Response> {
    let done = crate::api::users::reset(&s, &actor, id)
        .await
        .lang(&actor)?;
    let uri: Uri = "/users".parse().expect("static uri");
    let reset = Some((done.username, done.temporary_password));
    let page = users_view(&s, &actor, &uri, reset, AccountForm::default(), vec![]).await?;
    Ok(no_store(page))
}

#[derive(Template, WebTemplate)]
#[template(path = "audit.html")]
pub struct AuditPage {
    lang: Lang,
    nav: Nav,
    crumbs: Vec<Crumb>,
    filter: AuditFilter,
    entries: Page<AuditEntry>,
    pager: Pager,
    export_link: String,
}

impl AuditPage {
    fn action_label(&self, code: &str) -> String {
        action_label(self.lang, code)
    }

    fn local(&self, at: &DateTime<Utc>) -> String {
        vietnam_time(at)
    }
}

/// A moment as read in Vietnam (UTC+7, no daylight saving).
fn vietnam_time(at: &DateTime<Utc>) -> String {
    (*at + chrono::Duration::hours(7))
        .format("%d/%m/%Y %H:%M:%S")
        .to_string()
}

fn action_label(lang: Lang, code: &str) -> String {
    serde_json::from_value::<audit::AuditAction>(serde_json::Value::String(code.into()))
        .map(|a| match lang {
            Lang::Vi => a.label_vi().to_string(),
            Lang::En => code.replace('_', " "),
        })
        .unwrap_or_else(|_| code.to_string())
}

pub async fn audit_page(
    State(s): State<AppState>,
    actor: Actor,
    uri: Uri,
) -> PageResult<AuditPage> {
    let lang = actor.lang;
    let raw = uri.query().unwrap_or("");
    let filter: AuditFilter = parse_query(raw).lang(&actor)?;
    let page = crate::api::parse_page(raw).lang(&actor)?;
    let entries = audit::search(&mut s.store.conn(), &actor.scope, &filter, &page)
        .await
        .lang(&actor)?;
    let pager = Pager::new(&entries, &uri);
    Ok(AuditPage {
        lang,
        nav: Nav::of(&actor),
        crumbs: vec![],
        export_link: format!("/audit/export?{raw}"),
        filter,
        entries,
        pager,
    })
}

pub async fn audit_export(
    State(s): State<AppState>,
    actor: Actor,
    uri: Uri,
) -> PageResult<Response> {
    let filter: AuditFilter = parse_query(uri.query().unwrap_or("")).lang(&actor)?;
    crate::api::audit::csv_response(&s, &actor, &filter)
        .await
        .lang(&actor)
}

#[derive(Template, WebTemplate)]
#[template(path = "access_log.html")]
pub struct AccessLogPage {
    lang: Lang,
    nav: Nav,
    crumbs: Vec<Crumb>,
    learner_name: String,
    entries: Page<AuditEntry>,
    pager: Pager,
}

impl AccessLogPage {
    fn action_label(&self, code: &str) -> String {
        action_label(self.lang, code)
    }

    fn local(&self, at: &DateTime<Utc>) -> String {
        vietnam_time(at)
    }

    fn role_label(&self, code: &str) -> String {
        code.parse::<truongso_domain::access::Role>()
            .map(|r| self.lang.label(r.label_vi(), r.label_en()).to_string())
            .unwrap_or_else(|_| code.to_string())
    }
}

pub async fn access_log(
    State(s): State<AppState>,
    actor: Actor,
    Path(id): Path<i64>,
    uri: Uri,
) -> PageResult<AccessLogPage> {
    let lang = actor.lang;
    let page = crate::api::parse_page(uri.query().unwrap_or("")).lang(&actor)?;
    let mut conn = s.store.conn();
    let learner = learners::get(&mut conn, &actor.scope, id)
        .await
        .lang(&actor)?;
    let entries = audit::of_learner(&mut conn, id, &page).await.lang(&actor)?;
    let pager = Pager::new(&entries, &uri);
    Ok(AccessLogPage {
        lang,
        nav: Nav::of(&actor),
        crumbs: learner_crumbs(lang, id, &learner.full_name),
        learner_name: learner.full_name,
        entries,
        pager,
    })
}

fn learner_crumbs(lang: Lang, id: i64, name: &str) -> Vec<Crumb> {
    vec![
        Crumb {
            href: "/".into(),
            label: lang.t("home").into(),
        },
        Crumb {
            href: format!("/learners/{id}"),
            label: name.to_string(),
        },
    ]
}

#[derive(Template, WebTemplate)]
#[template(path = "consents.html")]
pub struct ConsentsPage {
    lang: Lang,
    nav: Nav,
    crumbs: Vec<Crumb>,
    learner_id: i64,
    learner_name: String,
    consents: Vec<Consent>,
    purposes: Vec<(String, String)>,
    can_write: bool,
    errors: Vec<String>,
}

impl ConsentsPage {
    fn purpose_label(&self, p: &ConsentPurpose) -> String {
        self.lang.label(p.label_vi(), p.label_en()).to_string()
    }
}

pub async fn consents_page(
    State(s): State<AppState>,
    actor: Actor,
    Path(id): Path<i64>,
) -> PageResult<ConsentsPage> {
    consents_view(&s, &actor, id, vec![]).await
}

async fn consents_view(
    s: &AppState,
    actor: &Actor,
    id: i64,
    errors: Vec<String>,
) -> PageResult<ConsentsPage> {
    let lang = actor.lang;
    let mut conn = s.store.conn();
    let learner = learners::get(&mut conn, &actor.scope, id)
        .await
        .lang(actor)?;
    let consents = consents::of_learner(&mut conn, id).await.lang(actor)?;
    Ok(ConsentsPage {
        lang,
        nav: Nav::of(actor),
        crumbs: learner_crumbs(lang, id, &learner.full_name),
        learner_id: id,
        learner_name: learner.full_name,
        consents,
        purposes: ConsentPurpose::ALL
            .iter()
            .map(|p| {
                (
                    p.code().to_string(),
                    lang.label(p.label_vi(), p.label_en()).to_string(),
                )
            })
            .collect(),
        can_write: actor.can(truongso_domain::access::Permission::ConsentWrite),
        errors,
    })
}

#[derive(Deserialize)]
pub struct ConsentForm {
    purpose: String,
    given_by: String,
    relation: Option<String>,
    learner_agreed: Option<String>,
    note: Option<String>,
}

pub async fn give_consent(
    State(s): State<AppState>,
    actor: Actor,
    Path(id): Path<i64>,
    body: String,
) -> PageResult<Response> {
    let lang = actor.lang;
    let form: ConsentForm = parse_query(&body).lang(&actor)?;
    let Ok(purpose) = form.purpose.parse::<ConsentPurpose>() else {
        let page = consents_view(
            &s,
            &actor,
            id,
            vec![lang.t("consent_purpose_missing").into()],
        )
        .await?;
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    };
    let input = NewConsent {
        purpose,
        given_by: form.given_by,
        relation: form.relation.filter(|r| !r.trim().is_empty()),
        learner_agreed: form.learner_agreed.map(|v| v == "yes"),
        note: form.note.filter(|n| !n.trim().is_empty()),
    };
    match crate::api::consents::record_consent(&s, &actor, id, &input).await {
        Ok(_) => Ok(Redirect::to(&format!("/learners/{id}/consents")).into_response()),
        Err(ApiError::Store(truongso_store::StoreError::Invalid(inv))) => {
            let errors = inv.0.into_iter().map(|e| e.message).collect();
            let page = consents_view(&s, &actor, id, errors).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(e) => Err(super::PageError::from((&actor, e))),
    }
}

pub async fn withdraw_consent(
    State(s): State<AppState>,
    actor: Actor,
    Path((id, consent_id)): Path<(i64, i64)>,
) -> PageResult<Response> {
    crate::api::consents::withdraw_consent(&s, &actor, id, consent_id)
        .await
        .lang(&actor)?;
    Ok(Redirect::to(&format!("/learners/{id}/consents")).into_response())
}
