//! Server-rendered pages: browse department → office → school → class → learner, search, and
//! the learner forms. Plain HTML forms and links: everything works without JavaScript.

mod learner_form;

use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::{StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde::Deserialize;
use truongso_domain::org::OrgKind;
use truongso_store::classes::{self, Class, ClassFilter};
use truongso_store::enrolments::{self, Enrolment, EnrolmentEvent};
use truongso_store::learners::{self, Learner, LearnerFilter, LearnerSummary};
use truongso_store::orgs::{self, OrgFilter, OrgUnit, ParentPeriod};
use truongso_store::staff::{self, StaffFilter, StaffMember};
use truongso_store::{Page, PageRequest, years};

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
        .route("/learners/{id}", get(learner_page))
        .route(
            "/learners/{id}/edit",
            get(learner_form::edit_form).post(learner_form::update),
        )
        .route("/staff/{id}", get(staff_page))
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
pub struct PageError {
    lang: Lang,
    error: ApiError,
}

impl<E: Into<ApiError>> From<(Lang, E)> for PageError {
    fn from((lang, e): (Lang, E)) -> Self {
        PageError {
            lang,
            error: e.into(),
        }
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "error.html")]
struct ErrorPage {
    lang: Lang,
    crumbs: Vec<Crumb>,
    message: String,
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        let status = self.error.status();
        if status.is_server_error() {
            tracing::error!(error = %self.error, "page failed");
        }
        let message = if status == StatusCode::NOT_FOUND {
            self.lang.t("not_found").to_string()
        } else {
            self.error.user_message()
        };
        (
            status,
            ErrorPage {
                lang: self.lang,
                crumbs: vec![],
                message,
            },
        )
            .into_response()
    }
}

type PageResult<T> = Result<T, PageError>;

/// Attaches the actor's language to any error, for `?` in page handlers.
trait InLang<T> {
    fn lang(self, lang: Lang) -> PageResult<T>;
}

impl<T, E: Into<ApiError>> InLang<T> for Result<T, E> {
    fn lang(self, lang: Lang) -> PageResult<T> {
        self.map_err(|e| PageError::from((lang, e)))
    }
}

/// Breadcrumbs from the scope's root down to (and including) `unit`.
async fn crumbs_for(state: &AppState, actor: &Actor, unit: &OrgUnit) -> PageResult<Vec<Crumb>> {
    let mut crumbs = vec![Crumb {
        href: "/".into(),
        label: actor.lang.t("home").into(),
    }];
    let ancestors = orgs::ancestors(&mut state.store.conn(), &actor.scope, unit)
        .await
        .lang(actor.lang)?;
    crumbs.extend(
        ancestors
            .iter()
            .chain(std::iter::once(unit))
            .map(|u| Crumb {
                href: format!("/orgs/{}", u.id),
                label: u.name.clone(),
            }),
    );
    Ok(crumbs)
}

#[derive(Template, WebTemplate)]
#[template(path = "home.html")]
struct HomePage {
    lang: Lang,
    crumbs: Vec<Crumb>,
    roots: Vec<OrgUnit>,
}

async fn home(State(s): State<AppState>, actor: Actor) -> PageResult<HomePage> {
    let roots = orgs::roots(&mut s.store.conn(), &actor.scope)
        .await
        .lang(actor.lang)?;
    Ok(HomePage {
        lang: actor.lang,
        crumbs: vec![],
        roots,
    })
}

#[derive(Template, WebTemplate)]
#[template(path = "org.html")]
struct OrgPage {
    lang: Lang,
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
}

async fn org_page(
    State(s): State<AppState>,
    actor: Actor,
    Path(id): Path<i64>,
    uri: Uri,
) -> PageResult<OrgPage> {
    let lang = actor.lang;
    let page: PageRequest = parse_query(uri.query().unwrap_or("")).lang(lang)?;
    let mut conn = s.store.conn();
    let unit = orgs::get(&mut conn, &actor.scope, id).await.lang(lang)?;
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
    .lang(lang)?;
    let is_school = unit.kind == OrgKind::School;
    let current = years::current(&mut conn).await.lang(lang)?;
    let classes = match (&current, is_school) {
        (Some(y), true) => {
            let filter = ClassFilter {
                org_unit_id: Some(id),
                school_year_id: Some(y.id),
                grade: None,
            };
            classes::list(&mut conn, &actor.scope, &filter, &PageRequest::new(1, 500))
                .await
                .lang(lang)?
                .items
        }
        _ => vec![],
    };
    let history = orgs::parent_history(&mut conn, id).await.lang(lang)?;
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
    Ok(OrgPage {
        lang,
        crumbs,
        unit,
        levels,
        ownership,
        is_school,
        year: current.map(|y| y.code),
        classes,
        children,
        pager,
        history,
    })
}

#[derive(Template, WebTemplate)]
#[template(path = "staff_list.html")]
struct StaffListPage {
    lang: Lang,
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
    let page: PageRequest = parse_query(uri.query().unwrap_or("")).lang(lang)?;
    let unit = orgs::get(&mut s.store.conn(), &actor.scope, id)
        .await
        .lang(lang)?;
    let filter = StaffFilter {
        org_unit_id: Some(id),
        ..Default::default()
    };
    let staff = staff::list(&mut s.store.conn(), &actor.scope, &filter, &page)
        .await
        .lang(lang)?;
    let crumbs = crumbs_for(&s, &actor, &unit).await?;
    let pager = Pager::new(&staff, &uri);
    Ok(StaffListPage {
        lang,
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
    let mut page: PageRequest = parse_query(uri.query().unwrap_or("")).lang(lang)?;
    page.per_page = Some(page.per_page.unwrap_or(100));
    let class = classes::get(&mut s.store.conn(), &actor.scope, id)
        .await
        .lang(lang)?;
    let filter = LearnerFilter {
        class_id: Some(id),
        ..Default::default()
    };
    let learners = learners::list(&mut s.store.conn(), &actor.scope, &filter, &page)
        .await
        .lang(lang)?;
    let school = orgs::get(&mut s.store.conn(), &actor.scope, class.org_unit_id)
        .await
        .lang(lang)?;
    let mut crumbs = crumbs_for(&s, &actor, &school).await?;
    crumbs.push(Crumb {
        href: format!("/classes/{id}"),
        label: format!("{} {}", lang.t("class"), class.name),
    });
    let pager = Pager::new(&learners, &uri);
    Ok(ClassPage {
        lang,
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
    crumbs: Vec<Crumb>,
    q: String,
    school_id: Option<i64>,
    error: Option<String>,
    learners: Page<LearnerSummary>,
    pager: Pager,
    first_index: usize,
    show_school: bool,
}

async fn learner_search(
    State(s): State<AppState>,
    actor: Actor,
    uri: Uri,
) -> PageResult<SearchPage> {
    let lang = actor.lang;
    let raw = uri.query().unwrap_or("");
    let query: SearchQuery = parse_query(raw).lang(lang)?;
    let page: PageRequest = parse_query(raw).lang(lang)?;
    let filter = LearnerFilter {
        q: query.q.clone(),
        school_id: query.school_id,
        ..Default::default()
    };
    let learners = learners::list(&mut s.store.conn(), &actor.scope, &filter, &page)
        .await
        .lang(lang)?;
    let mut crumbs = vec![Crumb {
        href: "/".into(),
        label: lang.t("home").into(),
    }];
    if let Some(school_id) = query.school_id {
        let school = orgs::get(&mut s.store.conn(), &actor.scope, school_id)
            .await
            .lang(lang)?;
        crumbs = crumbs_for(&s, &actor, &school).await?;
    }
    let pager = Pager::new(&learners, &uri);
    Ok(SearchPage {
        lang,
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
    crumbs: Vec<Crumb>,
    learner: Learner,
    ethnicity: String,
    ward: Option<String>,
    disability: String,
    policy_group: String,
    enrolments: Vec<EnrolmentView>,
}

async fn learner_page(
    State(s): State<AppState>,
    actor: Actor,
    Path(id): Path<i64>,
) -> PageResult<LearnerPage> {
    let lang = actor.lang;
    let learner = learners::get(&mut s.store.conn(), &actor.scope, id)
        .await
        .lang(lang)?;
    let mut enrolment_views = Vec::new();
    for enrolment in enrolments::of_learner(&mut s.store.conn(), id)
        .await
        .lang(lang)?
    {
        let events = enrolments::events(&mut s.store.conn(), enrolment.id)
            .await
            .lang(lang)?;
        enrolment_views.push(EnrolmentView { enrolment, events });
    }
    let school = orgs::get(&mut s.store.conn(), &actor.scope, learner.school_id)
        .await
        .lang(lang)?;
    let mut crumbs = crumbs_for(&s, &actor, &school).await?;
    crumbs.push(Crumb {
        href: format!("/learners/{id}"),
        label: learner.full_name.clone(),
    });
    let none = lang.t("none").to_string();
    Ok(LearnerPage {
        lang,
        crumbs,
        ethnicity: ethnicity_name(&learner.ethnicity_code),
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
        learner,
        enrolments: enrolment_views,
    })
}

fn ethnicity_name(code: &str) -> String {
    truongso_domain::reference::ethnicity(code).map_or_else(|| code.to_string(), |e| e.name.clone())
}

#[derive(Template, WebTemplate)]
#[template(path = "staff.html")]
struct StaffPage {
    lang: Lang,
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
        .lang(lang)?;
    let unit = orgs::get(&mut s.store.conn(), &actor.scope, member.org_unit_id)
        .await
        .lang(lang)?;
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
        crumbs,
        ethnicity: ethnicity_name(&member.ethnicity_code),
        subjects,
        member,
    })
}
