//! Server-rendered pages: browse department → office → school → class → learner, search, and
//! the learner forms. Plain HTML forms and links: everything works without JavaScript.

mod account;
mod admission;
pub mod admission_public;
mod admission_staff;
mod dx;
mod exports;
mod gradebook;
pub(crate) mod imports;
mod learner_form;
mod privacy;
mod quality;
mod statistics;
mod targets;
mod transcripts;

use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::{StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde::Deserialize;
use truongso_domain::access::Permission;
use truongso_domain::org::OrgKind;
use truongso_store::classes::{self, Class, ClassFilter};
use truongso_store::enrolments::{self, Enrolment, EnrolmentEvent};
use truongso_store::learners::{self, Learner, LearnerFilter, LearnerSummary};
use truongso_store::orgs::{self, OrgFilter, OrgUnit, ParentPeriod};
use truongso_store::staff::{self, StaffFilter, StaffMember};
use truongso_store::{Page, PageRequest, Scope, years};

use crate::AppState;
use crate::actor::Actor;
use crate::api::parse_query;
use crate::error::ApiError;
use crate::i18n::Lang;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/", get(home))
        .route("/orgs/{id}", get(org_page))
        .route("/orgs/{id}/staff", get(staff_list))
        .route("/classes/{id}", get(class_page))
        .route("/learners", get(learner_search))
        .route(
            "/learners/new",
            get(learner_form::new_form).post(learner_form::create),
        )
        .route("/learners/export", get(exports::learners))
        .route("/quality/issues/export", get(exports::quality_issues))
        .route("/orgs/{id}/staff/export", get(exports::staff))
        .route("/orgs/{id}/classes/export", get(exports::classes))
        .route("/learners/{id}", get(learner_page))
        .route(
            "/learners/{id}/edit",
            get(learner_form::edit_form).post(learner_form::update),
        )
        .route("/staff/{id}", get(staff_page))
        .route("/gradebook", get(gradebook::home))
        .route("/gradebook/history", get(gradebook::history_page))
        .route("/learners/{id}/marks", get(gradebook::learner_marks))
        .route("/classes/{id}/gradebook", get(gradebook::class_page))
        .route(
            "/classes/{id}/gradebook/{item}/{term}",
            get(gradebook::grid_page).post(gradebook::grid_save),
        )
        .route("/orgs/{id}/gradebook", get(gradebook::school_page))
        .route(
            "/orgs/{id}/gradebook/terms/{term}",
            post(gradebook::term_form),
        )
        .route(
            "/orgs/{id}/gradebook/compute",
            post(gradebook::compute_form),
        )
        .route("/orgs/{id}/gradebook/lists", get(gradebook::lists_page))
        .route(
            "/orgs/{id}/gradebook/setup",
            get(gradebook::setup_page).post(gradebook::setup_save),
        )
        .route(
            "/imports",
            get(imports::start_page)
                .post(imports::upload)
                // Files are larger than forms (the read limit applies once more inside).
                .layer(axum::extract::DefaultBodyLimit::max(
                    truongso_domain::tabular::MAX_FILE_BYTES + 64 * 1024,
                )),
        )
        .route("/imports/templates/{kind}", get(imports::template))
        .route("/imports/{id}", get(imports::job_page))
        .route("/imports/{id}/mapping", post(imports::set_mapping))
        .route("/imports/{id}/apply", post(imports::apply))
        .route("/imports/{id}/errors", get(imports::error_file))
        .route("/login", get(account::login_form).post(account::login))
        .route(
            "/login/totp",
            get(account::totp_form).post(account::totp_check),
        )
        .route("/logout", post(account::logout))
        .route("/account", get(account::account))
        .route(
            "/account/password",
            get(account::password_form).post(account::change_password),
        )
        .route(
            "/account/totp",
            get(account::totp_enrol_form).post(account::totp_enrol),
        )
        .route("/account/tokens", post(account::create_token))
        .route("/account/tokens/{id}/revoke", post(account::revoke_token))
        .route(
            "/users",
            get(privacy::users_page).post(privacy::create_account),
        )
        .route("/users/{id}/reset-password", post(privacy::reset_password))
        .route("/audit", get(privacy::audit_page))
        .route("/audit/export", get(privacy::audit_export))
        .route("/learners/{id}/access-log", get(privacy::access_log))
        .route(
            "/learners/{id}/consents",
            get(privacy::consents_page).post(privacy::give_consent),
        )
        .route(
            "/learners/{id}/consents/{consent_id}/withdraw",
            post(privacy::withdraw_consent),
        )
        .route("/statistics", get(statistics::home))
        .route("/orgs/{id}/statistics", get(statistics::report_page))
        .route("/orgs/{id}/statistics/submit", post(statistics::submit))
        .route("/orgs/{id}/statistics/figure", get(statistics::figure_page))
        .route(
            "/orgs/{id}/statistics/submissions",
            get(statistics::status_page),
        )
        .route("/orgs/{id}/statistics/export", get(statistics::export))
        .route(
            "/statistics/submissions/{id}",
            get(statistics::submission_page),
        )
        .route(
            "/statistics/submissions/{id}/export",
            get(statistics::export_submission),
        )
        .route("/public/statistics", get(statistics::public_page))
        .route("/quality", get(quality::home))
        .route("/quality/units/{id}", get(quality::unit_page))
        .route("/quality/issues", get(quality::issues_page))
        .route("/quality/duplicates", get(quality::duplicates_page))
        .route(
            "/quality/duplicates/{id}",
            get(quality::duplicate_page).post(quality::resolve),
        )
        .route(
            "/quality/settings",
            get(quality::settings_page).post(quality::save_settings),
        )
        .route("/quality/scan", post(quality::scan))
        .route(
            "/learners/{id}/transcripts/{year_code}",
            get(transcripts::view),
        )
        .route(
            "/learners/{id}/transcripts/{year_code}/pdf",
            get(transcripts::pdf),
        )
        .route(
            "/learners/{id}/transcripts/{year_code}/json",
            get(transcripts::json),
        )
        .route(
            "/learners/{id}/transcripts/{year_code}/sign",
            post(transcripts::sign),
        )
        .route("/verify/{code}", get(transcripts::verify))
        .route("/dx", get(dx::home))
        .route("/dx/schools/{id}", get(dx::school_page).post(dx::save))
        .route("/dx/schools/{id}/submit", post(dx::submit))
        .route(
            "/dx/schools/{id}/evidence",
            post(dx::upload).layer(axum::extract::DefaultBodyLimit::max(
                truongso_domain::dx::MAX_EVIDENCE_BYTES + 64 * 1024,
            )),
        )
        .route("/dx/schools/{id}/review", post(dx::review))
        .route("/dx/evidence/{id}", get(dx::evidence))
        .route("/dx/units/{id}", get(dx::queue_page))
        .route("/dx/units/{id}/distribution", get(dx::distribution_page))
        .route("/campaigns", get(admission::campaigns))
        .route(
            "/campaigns/new",
            get(admission::new_campaign).post(admission::create_campaign),
        )
        .route("/campaigns/{id}", get(admission::campaign))
        .route("/campaigns/{id}/status", post(admission::change_status))
        .route(
            "/campaigns/{id}/runs",
            get(admission::runs_list).post(admission::simulate),
        )
        .route("/campaigns/{id}/runs/{run_id}", get(admission::run))
        .route(
            "/campaigns/{id}/runs/{run_id}/publish",
            post(admission::publish),
        )
        .route(
            "/campaigns/{id}/applications",
            get(admission_staff::queue_page),
        )
        .route(
            "/campaigns/{id}/applications/{application_id}",
            get(admission_staff::review_page).post(admission_staff::review_post),
        )
        .route(
            "/campaigns/{id}/documents/{document_id}",
            get(admission_staff::document),
        )
        .route(
            "/campaigns/{id}/scores",
            get(admission_staff::scores_page)
                .post(admission_staff::scores_post)
                .layer(axum::extract::DefaultBodyLimit::max(
                    truongso_domain::tabular::MAX_FILE_BYTES,
                )),
        )
        .route("/targets", get(targets::home))
        .route("/orgs/{id}/targets", get(targets::dashboard))
        .route("/orgs/{id}/map", get(targets::map_page))
        .route(
            "/targets/indicators/{code}",
            get(targets::edit_page).post(targets::edit_save),
        )
        .merge(admission_public::router())
        .merge(crate::results::page_router())
}

/// The signed-in part of every page's header: who is signed in, the links their role allows,
/// and the CSRF token every form of the session carries.
#[derive(Debug, Clone, Default)]
pub struct Nav {
    pub user: Option<NavUser>,
    pub csrf: String,
}

#[derive(Debug, Clone)]
pub struct NavUser {
    pub display_name: String,
    pub role: String,
    pub can_audit: bool,
    pub can_manage_users: bool,
    pub can_import: bool,
    pub can_quality: bool,
    pub can_grade: bool,
    pub can_stats: bool,
    pub can_dx: bool,
    pub can_targets: bool,
    pub can_admission: bool,
}

impl Nav {
    pub fn of(actor: &Actor) -> Nav {
        let lang = actor.lang;
        Nav {
            user: actor.user.as_ref().map(|u| NavUser {
                display_name: u.display_name.clone(),
                role: actor
                    .role
                    .map(|r| lang.label(r.label_vi(), r.label_en()).to_string())
                    .unwrap_or_default(),
                can_audit: actor.can(Permission::AuditRead),
                can_manage_users: actor.can(Permission::UserManage),
                can_import: actor.can(Permission::DataImport),
                can_quality: actor.can(Permission::QualityRead),
                can_grade: actor.can(Permission::GradeWrite),
                can_stats: actor.can(Permission::StatsRead),
                can_dx: actor.can(Permission::DxRead),
                can_targets: actor.can(Permission::TargetRead),
                can_admission: actor.can(Permission::AdmissionReview),
            }),
            csrf: actor.csrf().to_string(),
        }
    }
}

/// An error page with any status, for the policy's refusals.
pub fn error_page(lang: Lang, status: StatusCode, message: String) -> Response {
    (
        status,
        ErrorPage {
            lang,
            nav: Nav::default(),
            crumbs: vec![],
            message,
        },
    )
        .into_response()
}

/// A breadcrumb link.
pub struct Crumb {
    pub href: String,
    pub label: String,
}

/// Links to the previous and next pages of a list, keeping the other query parameters.
pub struct Pager {
    pub page: u64,
    pub pages: u64,
    pub total: u64,
    pub prev: Option<String>,
    pub next: Option<String>,
}

impl Pager {
    fn new<T>(page: &Page<T>, uri: &Uri) -> Self {
        let link = |n: u64| {
            let kept = form_urlencoded::parse(uri.query().unwrap_or("").as_bytes())
                .filter(|(k, _)| k != "page");
            let query = form_urlencoded::Serializer::new(String::new())
                .extend_pairs(kept)
                .append_pair("page", &n.to_string())
                .finish();
            format!("{}?{query}", uri.path())
        };
        let pages = page.pages();
        Pager {
            page: page.page,
            pages,
            total: page.total,
            prev: (page.page > 1).then(|| link(page.page - 1)),
            next: (page.page < pages).then(|| link(page.page + 1)),
        }
    }
}

/// A page-side error: a friendly page with the right status, never a raw problem document.
pub struct PageError(Box<PageErrorParts>);

struct PageErrorParts {
    lang: Lang,
    /// The signed-in header, so that an error page still offers the account and sign-out.
    nav: Nav,
    error: ApiError,
}

impl<E: Into<ApiError>> From<(&Actor, E)> for PageError {
    fn from((actor, e): (&Actor, E)) -> Self {
        PageError(Box::new(PageErrorParts {
            lang: actor.lang,
            nav: Nav::of(actor),
            error: e.into(),
        }))
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "error.html")]
struct ErrorPage {
    lang: Lang,
    nav: Nav,
    crumbs: Vec<Crumb>,
    message: String,
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        let PageError(parts) = self;
        let PageErrorParts { lang, nav, error } = *parts;
        let status = error.status();
        if status.is_server_error() {
            tracing::error!(error = %error, "page failed");
        }
        let message = if status == StatusCode::NOT_FOUND {
            lang.t("not_found").to_string()
        } else {
            error.user_message()
        };
        (
            status,
            ErrorPage {
                lang,
                nav,
                crumbs: vec![],
                message,
            },
        )
            .into_response()
    }
}

type PageResult<T> = Result<T, PageError>;

/// Renders any error as a page for the actor (their language and header), for `?` in page
/// handlers.
trait InLang<T> {
    fn lang(self, actor: &Actor) -> PageResult<T>;
}

impl<T, E: Into<ApiError>> InLang<T> for Result<T, E> {
    fn lang(self, actor: &Actor) -> PageResult<T> {
        self.map_err(|e| PageError::from((actor, e)))
    }
}

/// Breadcrumbs from the scope's root down to (and including) `unit`, each to its unit page.
async fn crumbs_for(state: &AppState, actor: &Actor, unit: &OrgUnit) -> PageResult<Vec<Crumb>> {
    crumbs_linking(state, actor, unit, |id| format!("/orgs/{id}")).await
}

/// Breadcrumbs from the scope's root down to `unit`, each unit linking to `href(id)` (the same
/// kind of page one level up: its quality dashboard, its targets…).
async fn crumbs_linking(
    state: &AppState,
    actor: &Actor,
    unit: &OrgUnit,
    href: impl Fn(i64) -> String,
) -> PageResult<Vec<Crumb>> {
    let mut crumbs = vec![Crumb {
        href: "/".into(),
        label: actor.lang.t("home").into(),
    }];
    let ancestors = orgs::ancestors(&mut state.store.conn(), &actor.scope, unit)
        .await
        .lang(actor)?;
    crumbs.extend(
        ancestors
            .iter()
            .chain(std::iter::once(unit))
            .map(|u| Crumb {
                href: href(u.id),
                label: u.name.clone(),
            }),
    );
    Ok(crumbs)
}

/// The top unit of the actor's scope: where the officers' pages (`/quality`, `/statistics`,
/// `/targets`, `/dx`) start.
async fn start_unit(state: &AppState, actor: &Actor) -> PageResult<OrgUnit> {
    orgs::roots(&mut state.store.conn(), &actor.scope)
        .await
        .lang(actor)?
        .into_iter()
        .next()
        .ok_or_else(|| (actor, truongso_store::StoreError::not_found("đơn vị")).into())
}

#[derive(Template, WebTemplate)]
#[template(path = "home.html")]
struct HomePage {
    lang: Lang,
    nav: Nav,
    crumbs: Vec<Crumb>,
    roots: Vec<OrgUnit>,
    my_classes: Vec<Class>,
    children: Vec<LearnerSummary>,
}

/// The start page fits the role: units for officers and schools, a teacher's classes, a
/// guardian's children.
async fn home(State(s): State<AppState>, actor: Actor) -> PageResult<HomePage> {
    let lang = actor.lang;
    let mut conn = s.store.conn();
    let roots = orgs::roots(&mut conn, &actor.scope).await.lang(&actor)?;
    let my_classes = match &actor.scope {
        Scope::Classes { class_ids, .. } => classes::get_many(&mut conn, &actor.scope, class_ids)
            .await
            .lang(&actor)?,
        _ => vec![],
    };
    let children = match &actor.scope {
        Scope::Learners { .. } => {
            learners::list(
                &mut conn,
                &actor.scope,
                &LearnerFilter::default(),
                &PageRequest::new(1, 50),
            )
            .await
            .lang(&actor)?
            .items
        }
        _ => vec![],
    };
    Ok(HomePage {
        lang,
        nav: Nav::of(&actor),
        crumbs: vec![],
        roots,
        my_classes,
        children,
    })
}

#[derive(Template, WebTemplate)]
#[template(path = "org.html")]
struct OrgPage {
    lang: Lang,
    nav: Nav,
    crumbs: Vec<Crumb>,
    unit: OrgUnit,
    levels: String,
    ownership: Option<&'static str>,
    is_school: bool,
    year: Option<String>,
    classes: Vec<Class>,
    children: Page<OrgUnit>,
    pager: Pager,
    history: Vec<ParentPeriod>,
    /// Links to the unit's plan targets and school map.
    targets: bool,
}

async fn org_page(
    State(s): State<AppState>,
    actor: Actor,
    Path(id): Path<i64>,
    uri: Uri,
) -> PageResult<OrgPage> {
    let lang = actor.lang;
    let page = crate::api::parse_page(uri.query().unwrap_or("")).lang(&actor)?;
    let mut conn = s.store.conn();
    let unit = orgs::get(&mut conn, &actor.scope, id).await.lang(&actor)?;
    let children = orgs::list(
        &mut conn,
        &actor.scope,
        &OrgFilter {
            parent_id: Some(id),
            ..Default::default()
        },
        &page,
    )
    .await
    .lang(&actor)?;
    let is_school = unit.kind == OrgKind::School;
    let current = years::current(&mut conn).await.lang(&actor)?;
    let classes = match (&current, is_school) {
        (Some(y), true) => {
            let filter = ClassFilter {
                org_unit_id: Some(id),
                school_year_id: Some(y.id),
                grade: None,
            };
            classes::list(&mut conn, &actor.scope, &filter, &PageRequest::new(1, 500))
                .await
                .lang(&actor)?
                .items
        }
        _ => vec![],
    };
    let history = orgs::parent_history(&mut conn, id).await.lang(&actor)?;
    let levels = unit
        .levels
        .0
        .iter()
        .map(|l| lang.label(l.label_vi(), l.label_en()))
        .collect::<Vec<_>>()
        .join(", ");
    let ownership = unit
        .ownership
        .as_deref()
        .and_then(truongso_domain::org::Ownership::from_code)
        .map(|o| lang.label(o.label_vi(), o.label_en()));
    let crumbs = crumbs_for(&s, &actor, &unit).await?;
    let pager = Pager::new(&children, &uri);
    let target_links = targets::links_for(&actor, unit.kind);
    Ok(OrgPage {
        lang,
        nav: Nav::of(&actor),
        crumbs,
        unit,
        levels,
        ownership,
        is_school,
        year: current.map(|y| y.code),
        classes,
        children,
        pager,
        targets: target_links,
        history,
    })
}

#[derive(Template, WebTemplate)]
#[template(path = "staff_list.html")]
struct StaffListPage {
    lang: Lang,
    nav: Nav,
    crumbs: Vec<Crumb>,
    unit: OrgUnit,
    staff: Page<StaffMember>,
    pager: Pager,
}

async fn staff_list(
    State(s): State<AppState>,
    actor: Actor,
    Path(id): Path<i64>,
    uri: Uri,
) -> PageResult<StaffListPage> {
    let lang = actor.lang;
    let page = crate::api::parse_page(uri.query().unwrap_or("")).lang(&actor)?;
    let unit = orgs::get(&mut s.store.conn(), &actor.scope, id)
        .await
        .lang(&actor)?;
    let filter = StaffFilter {
        org_unit_id: Some(id),
        ..Default::default()
    };
    let staff = staff::list(&mut s.store.conn(), &actor.scope, &filter, &page)
        .await
        .lang(&actor)?;
    actor
        .audit_list(
            &mut s.store.conn(),
            "staff",
            Some(&format!("org_unit_id={id}")),
        )
        .await
        .lang(&actor)?;
    let crumbs = crumbs_for(&s, &actor, &unit).await?;
    let pager = Pager::new(&staff, &uri);
    Ok(StaffListPage {
        lang,
        nav: Nav::of(&actor),
        crumbs,
        unit,
        staff,
        pager,
    })
}

#[derive(Template, WebTemplate)]
#[template(path = "class.html")]
struct ClassPage {
    lang: Lang,
    nav: Nav,
    crumbs: Vec<Crumb>,
    class: Class,
    learners: Page<LearnerSummary>,
    pager: Pager,
    first_index: usize,
    show_school: bool,
}

async fn class_page(
    State(s): State<AppState>,
    actor: Actor,
    Path(id): Path<i64>,
    uri: Uri,
) -> PageResult<ClassPage> {
    let lang = actor.lang;
    let mut page = crate::api::parse_page(uri.query().unwrap_or("")).lang(&actor)?;
    page.per_page = Some(page.per_page.unwrap_or(100));
    let class = classes::get(&mut s.store.conn(), &actor.scope, id)
        .await
        .lang(&actor)?;
    let filter = LearnerFilter {
        class_id: Some(id),
        ..Default::default()
    };
    let learners = learners::list(&mut s.store.conn(), &actor.scope, &filter, &page)
        .await
        .lang(&actor)?;
    actor
        .audit_list(
            &mut s.store.conn(),
            "learner",
            Some(&format!("class_id={id}")),
        )
        .await
        .lang(&actor)?;
    let school = orgs::get(&mut s.store.conn(), &actor.scope, class.org_unit_id)
        .await
        .lang(&actor)?;
    let mut crumbs = crumbs_for(&s, &actor, &school).await?;
    crumbs.push(Crumb {
        href: format!("/classes/{id}"),
        label: format!("{} {}", lang.t("class"), class.name),
    });
    let pager = Pager::new(&learners, &uri);
    Ok(ClassPage {
        lang,
        nav: Nav::of(&actor),
        crumbs,
        class,
        first_index: page.offset() as usize,
        learners,
        pager,
        show_school: false,
    })
}

#[derive(Debug, Deserialize)]
struct SearchQuery {
    q: Option<String>,
    school_id: Option<i64>,
}

#[derive(Template, WebTemplate)]
#[template(path = "learners.html")]
struct SearchPage {
    lang: Lang,
    nav: Nav,
    crumbs: Vec<Crumb>,
    q: String,
    school_id: Option<i64>,
    error: Option<String>,
    learners: Page<LearnerSummary>,
    pager: Pager,
    first_index: usize,
    show_school: bool,
}

impl SearchPage {
    /// The export link of what the list shows (same search, same school).
    fn export_link(&self, format: &str) -> String {
        let mut q = form_urlencoded::Serializer::new(String::new());
        if !self.q.is_empty() {
            q.append_pair("q", &self.q);
        }
        if let Some(s) = self.school_id {
            q.append_pair("school_id", &s.to_string());
        }
        q.append_pair("format", format);
        format!("/learners/export?{}", q.finish())
    }
}

async fn learner_search(
    State(s): State<AppState>,
    actor: Actor,
    uri: Uri,
) -> PageResult<SearchPage> {
    let lang = actor.lang;
    let raw = uri.query().unwrap_or("");
    let query: SearchQuery = parse_query(raw).lang(&actor)?;
    let page = crate::api::parse_page(raw).lang(&actor)?;
    let filter = LearnerFilter {
        q: query.q.clone(),
        school_id: query.school_id,
        ..Default::default()
    };
    let learners = learners::list(&mut s.store.conn(), &actor.scope, &filter, &page)
        .await
        .lang(&actor)?;
    actor
        .audit_list(&mut s.store.conn(), "learner", uri.query())
        .await
        .lang(&actor)?;
    let mut crumbs = vec![Crumb {
        href: "/".into(),
        label: lang.t("home").into(),
    }];
    if let Some(school_id) = query.school_id {
        let school = orgs::get(&mut s.store.conn(), &actor.scope, school_id)
            .await
            .lang(&actor)?;
        crumbs = crumbs_for(&s, &actor, &school).await?;
    }
    let pager = Pager::new(&learners, &uri);
    Ok(SearchPage {
        lang,
        nav: Nav::of(&actor),
        crumbs,
        q: query.q.unwrap_or_default(),
        school_id: query.school_id,
        error: None,
        first_index: page.offset() as usize,
        learners,
        pager,
        show_school: query.school_id.is_none(),
    })
}

/// An enrolment with its status history, for the learner page.
pub struct EnrolmentView {
    pub enrolment: Enrolment,
    pub events: Vec<EnrolmentEvent>,
}

#[derive(Template, WebTemplate)]
#[template(path = "learner.html")]
struct LearnerPage {
    lang: Lang,
    nav: Nav,
    crumbs: Vec<Crumb>,
    learner: Learner,
    /// Links to the consent records and the access log, when the role may open them.
    can_consents: bool,
    can_access_log: bool,
    can_edit: bool,
    /// The published marks (guardians, learners).
    can_marks: bool,
    /// Links to each year's transcript (học bạ).
    can_transcript: bool,
    /// Whether the role may see sensitive fields (else they are shown as hidden).
    sensitive: bool,
    ethnicity: String,
    ward: Option<String>,
    disability: String,
    policy_group: String,
    enrolments: Vec<EnrolmentView>,
    /// Completeness and open issues, for roles that read data quality.
    quality: Option<(String, Vec<quality::IssueLine>)>,
}

async fn learner_page(
    State(s): State<AppState>,
    actor: Actor,
    Path(id): Path<i64>,
) -> PageResult<LearnerPage> {
    let lang = actor.lang;
    let learner = crate::api::learners::read_audited(&s, &actor, id)
        .await
        .lang(&actor)?;
    let mut enrolment_views = Vec::new();
    for enrolment in enrolments::of_learner(&mut s.store.conn(), id)
        .await
        .lang(&actor)?
    {
        let events = enrolments::events(&mut s.store.conn(), enrolment.id)
            .await
            .lang(&actor)?;
        enrolment_views.push(EnrolmentView { enrolment, events });
    }
    // The learner's school is shown to whoever may see the learner (a guardian included).
    let school = orgs::get(&mut s.store.conn(), &Scope::All, learner.school_id)
        .await
        .lang(&actor)?;
    let mut crumbs = crumbs_for(&s, &actor, &school).await?;
    crumbs.push(Crumb {
        href: format!("/learners/{id}"),
        label: learner.full_name.clone(),
    });
    let sensitive = actor.can(Permission::LearnerSensitive);
    let quality = quality::learner_summary(&s, &actor, id).await?;
    let none = if sensitive {
        lang.t("none")
    } else {
        lang.t("hidden")
    }
    .to_string();
    Ok(LearnerPage {
        lang,
        nav: Nav::of(&actor),
        crumbs,
        ethnicity: learner
            .ethnicity_code
            .as_deref()
            .map_or_else(|| lang.t("hidden").to_string(), ethnicity_name),
        ward: learner
            .ward_code
            .as_deref()
            .and_then(truongso_domain::reference::ward_2025)
            .map(|w| format!("{}, {}", w.name, w.province_name)),
        disability: learner.disability().map_or(none.clone(), |d| {
            lang.label(d.label_vi(), d.label_en()).to_string()
        }),
        policy_group: learner
            .policy_group()
            .map_or(none, |p| lang.label(p.label_vi(), p.label_en()).to_string()),
        can_marks: actor.can(Permission::GradeOwn),
        can_consents: actor.can(Permission::ConsentRead),
        can_access_log: actor.can(Permission::LearnerAccessLog) || actor.can(Permission::AuditRead),
        can_edit: actor.can(Permission::LearnerWrite),
        can_transcript: actor.can(Permission::TranscriptRead),
        sensitive,
        learner,
        enrolments: enrolment_views,
        quality,
    })
}

fn ethnicity_name(code: &str) -> String {
    truongso_domain::reference::ethnicity(code).map_or_else(|| code.to_string(), |e| e.name.clone())
}

#[derive(Template, WebTemplate)]
#[template(path = "staff.html")]
struct StaffPage {
    lang: Lang,
    nav: Nav,
    crumbs: Vec<Crumb>,
    member: StaffMember,
    ethnicity: String,
    subjects: String,
}

async fn staff_page(
    State(s): State<AppState>,
    actor: Actor,
    Path(id): Path<i64>,
) -> PageResult<StaffPage> {
    let lang = actor.lang;
    let member = staff::get(&mut s.store.conn(), &actor.scope, id)
        .await
        .lang(&actor)?;
    actor
        .audit(
            &mut s.store.conn(),
            truongso_store::audit::AuditAction::Read,
            "staff",
            Some(id),
            Some(member.org_unit_id),
        )
        .await
        .lang(&actor)?;
    let unit = orgs::get(&mut s.store.conn(), &actor.scope, member.org_unit_id)
        .await
        .lang(&actor)?;
    let mut crumbs = crumbs_for(&s, &actor, &unit).await?;
    crumbs.push(Crumb {
        href: format!("/staff/{id}"),
        label: member.full_name.clone(),
    });
    let subjects = member
        .subject_codes()
        .iter()
        .map(|c| {
            truongso_domain::subjects::subject(c).map_or(*c, |s| lang.label(s.name_vi, s.name_en))
        })
        .collect::<Vec<_>>()
        .join(", ");
    Ok(StaffPage {
        lang,
        nav: Nav::of(&actor),
        crumbs,
        ethnicity: ethnicity_name(&member.ethnicity_code),
        subjects,
        member,
    })
}
