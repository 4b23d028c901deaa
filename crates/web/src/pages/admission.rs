//! The office's admission pages: the campaigns in reach, a campaign's overview (calendar,
//! schools with seats and zones, applications per status, open/close), its assignment runs
//! (simulate as often as needed, compare), and a run (cut-offs per school and choice, each
//! applicant's result with its explanation, publish). Plain forms; no JavaScript.

use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, Uri};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use truongso_domain::access::Permission;
use truongso_store::admission::runs::{self, Outcome};
use truongso_store::admission::{self as adm, Campaign, CampaignStatus};

use super::admission_staff::{crumbs, messages, status_label};
use super::gradebook::vn_time;
use super::{Crumb, InLang, Nav, PageResult, Pager};
use crate::AppState;
use crate::actor::Actor;
use crate::api::admission::{
    ResultsQuery, campaign_detail, load_results, load_run, publish_run, run_assignment, set_status,
};
use crate::i18n::Lang;

fn campaign_status_label(lang: Lang, s: CampaignStatus) -> &'static str {
    let en = match s {
        CampaignStatus::Draft => "Being prepared",
        CampaignStatus::Open => "Taking applications",
        CampaignStatus::Closed => "Closed for applications",
        CampaignStatus::Published => "Results published",
    };
    lang.label(s.label_vi(), en)
}

fn when(at: chrono::DateTime<chrono::Utc>) -> String {
    vn_time(at, "%d/%m/%Y %H:%M")
}

pub struct CampaignLine {
    pub href: String,
    pub name: String,
    pub grade: i32,
    pub status: &'static str,
    pub status_code: &'static str,
    pub closes: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "campaign_list.html")]
pub struct CampaignsPage {
    lang: Lang,
    nav: Nav,
    crumbs: Vec<Crumb>,
    rows: Vec<CampaignLine>,
    can_create: bool,
}

/// `/campaigns`: the campaigns in the actor's reach, newest first.
pub async fn campaigns(State(s): State<AppState>, actor: Actor) -> PageResult<CampaignsPage> {
    let lang = actor.lang;
    let list = adm::campaigns(&mut s.store.conn(), &actor.scope)
        .await
        .lang(&actor)?;
    Ok(CampaignsPage {
        lang,
        nav: Nav::of(&actor),
        crumbs: vec![Crumb {
            href: "/".into(),
            label: lang.t("home").into(),
        }],
        rows: list
            .into_iter()
            .map(|c| CampaignLine {
                href: format!("/campaigns/{}", c.id),
                grade: c.entry_grade,
                status: campaign_status_label(lang, c.status),
                status_code: c.status.code(),
                closes: when(c.closes_at),
                name: c.name,
            })
            .collect(),
        can_create: actor.can(Permission::AdmissionManage),
    })
}

pub struct SchoolLine {
    pub name: String,
    pub seats: i32,
    pub zone: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "campaign_overview.html")]
pub struct CampaignPage {
    lang: Lang,
    nav: Nav,
    crumbs: Vec<Crumb>,
    campaign: Campaign,
    status: &'static str,
    opens: String,
    closes: String,
    results: String,
    schools: Vec<SchoolLine>,
    seats: i32,
    /// (label, count, queue link)
    counts: Vec<(&'static str, u64, String)>,
    total: u64,
    manages: bool,
    can_open: bool,
    can_close: bool,
    can_run: bool,
    errors: Vec<String>,
}

async fn campaign_page(
    s: &AppState,
    actor: &Actor,
    id: i64,
    errors: Vec<String>,
) -> PageResult<CampaignPage> {
    let lang = actor.lang;
    let d = campaign_detail(s, actor, id).await.lang(actor)?;
    let c = &d.campaign;
    let codes: Vec<String> = d
        .schools
        .iter()
        .flat_map(|s| s.zone_areas.clone())
        .collect();
    let ward_names = adm::guardian::unit_names(&mut s.store.conn(), &codes)
        .await
        .lang(actor)?;
    let counts = d
        .applications
        .iter()
        .map(|x| {
            (
                status_label(lang, x.status),
                x.count,
                format!("/campaigns/{id}/applications?status={}", x.status.code()),
            )
        })
        .collect();
    Ok(CampaignPage {
        lang,
        nav: Nav::of(actor),
        crumbs: crumbs(lang, c, None),
        status: campaign_status_label(lang, c.status),
        opens: when(c.opens_at),
        closes: when(c.closes_at),
        results: when(c.results_at),
        seats: d.schools.iter().map(|s| s.seats).sum(),
        schools: d
            .schools
            .iter()
            .map(|s| SchoolLine {
                name: s.name.clone(),
                seats: s.seats,
                zone: if s.zone_areas.is_empty() {
                    s.zone.clone().unwrap_or_default()
                } else {
                    s.zone_areas
                        .iter()
                        .map(|code| match ward_names.get(code) {
                            Some(name) => format!("{name} ({code})"),
                            None => code.clone(),
                        })
                        .collect::<Vec<_>>()
                        .join(", ")
                },
            })
            .collect(),
        counts,
        total: d.applications.iter().map(|x| x.count).sum(),
        manages: d.manages && actor.can(Permission::AdmissionManage),
        can_open: matches!(c.status, CampaignStatus::Draft | CampaignStatus::Closed),
        can_close: c.status == CampaignStatus::Open,
        can_run: matches!(c.status, CampaignStatus::Closed | CampaignStatus::Published),
        campaign: d.campaign,
        errors,
    })
}

/// `/campaigns/{id}`: the campaign's overview.
pub async fn campaign(
    State(s): State<AppState>,
    actor: Actor,
    Path(id): Path<i64>,
) -> PageResult<CampaignPage> {
    campaign_page(&s, &actor, id, vec![]).await
}

#[derive(Deserialize)]
pub struct StatusForm {
    status: String,
}

/// `POST /campaigns/{id}/status`: open, close or reopen; a refused change is shown on the page.
pub async fn change_status(
    State(s): State<AppState>,
    actor: Actor,
    Path(id): Path<i64>,
    Form(form): Form<StatusForm>,
) -> PageResult<Response> {
    let to = match form.status.as_str() {
        "open" => CampaignStatus::Open,
        "closed" => CampaignStatus::Closed,
        _ => CampaignStatus::Draft,
    };
    match set_status(&s, &actor, id, to).await {
        Ok(()) => Ok(Redirect::to(&format!("/campaigns/{id}")).into_response()),
        Err(e) => {
            let errors = messages(e).lang(&actor)?;
            Ok(campaign_page(&s, &actor, id, errors).await?.into_response())
        }
    }
}

pub struct RunLine {
    pub href: String,
    pub id: i64,
    pub mechanism: &'static str,
    pub applicants: i32,
    pub admitted: i32,
    pub created: String,
    pub created_by: String,
    pub published: bool,
}

fn mechanism_label(lang: Lang, code: &str) -> &'static str {
    match code {
        "deferred_acceptance" => lang.label(
            "Chấp nhận trì hoãn (Gale–Shapley, thí sinh đề xuất)",
            "Deferred acceptance (applicant-proposing)",
        ),
        "city_rule" => lang.label(
            "Ưu tiên nguyện vọng trước, có điểm chênh",
            "Earlier choices first, with premiums",
        ),
        _ => lang.label("Theo tuyến cư trú và chỉ tiêu", "By zone and seats"),
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "campaign_runs.html")]
pub struct RunsPage {
    lang: Lang,
    nav: Nav,
    crumbs: Vec<Crumb>,
    campaign: Campaign,
    rows: Vec<RunLine>,
    manages: bool,
    can_run: bool,
    errors: Vec<String>,
}

async fn runs_page(
    s: &AppState,
    actor: &Actor,
    id: i64,
    errors: Vec<String>,
) -> PageResult<RunsPage> {
    let lang = actor.lang;
    let d = campaign_detail(s, actor, id).await.lang(actor)?;
    let list = runs::runs(&mut s.store.conn(), id).await.lang(actor)?;
    let published = d.campaign.published_run_id;
    Ok(RunsPage {
        lang,
        nav: Nav::of(actor),
        crumbs: crumbs(
            lang,
            &d.campaign,
            Some((
                format!("/campaigns/{id}/runs"),
                lang.label("Xét tuyển", "Assignment").into(),
            )),
        ),
        rows: list
            .into_iter()
            .map(|r| RunLine {
                href: format!("/campaigns/{id}/runs/{}", r.id),
                id: r.id,
                mechanism: mechanism_label(lang, &r.mechanism),
                applicants: r.applicants,
                admitted: r.admitted,
                created: when(r.created_at),
                created_by: r.created_by,
                published: published == Some(r.id),
            })
            .collect(),
        manages: d.manages && actor.can(Permission::AdmissionManage),
        can_run: matches!(
            d.campaign.status,
            CampaignStatus::Closed | CampaignStatus::Published
        ),
        campaign: d.campaign,
        errors,
    })
}

/// `/campaigns/{id}/runs`: the runs so far and the button to simulate another.
pub async fn runs_list(
    State(s): State<AppState>,
    actor: Actor,
    Path(id): Path<i64>,
) -> PageResult<RunsPage> {
    runs_page(&s, &actor, id, vec![]).await
}

/// `POST /campaigns/{id}/runs`: simulate, then show the new run.
pub async fn simulate(
    State(s): State<AppState>,
    actor: Actor,
    Path(id): Path<i64>,
) -> PageResult<Response> {
    match run_assignment(&s, &actor, id).await {
        Ok(run) => Ok(Redirect::to(&format!("/campaigns/{id}/runs/{}", run.id)).into_response()),
        Err(e) => {
            let errors = messages(e).lang(&actor)?;
            Ok(runs_page(&s, &actor, id, errors).await?.into_response())
        }
    }
}

pub struct CutOffLine {
    pub school: String,
    pub choice: i32,
    pub seats: i32,
    pub admitted: i32,
    pub cut_off: String,
    /// The first line of a school (its name spans its choices).
    pub first: bool,
    pub span: usize,
}

pub struct ResultLine {
    pub name: String,
    pub number: String,
    pub birth_date: String,
    pub outcome: &'static str,
    pub outcome_code: &'static str,
    pub school: String,
    pub choice: String,
    pub explanation: String,
}

fn outcome_label(lang: Lang, o: Outcome) -> &'static str {
    let en = match o {
        Outcome::Admitted => "Admitted",
        Outcome::NotAdmitted => "Not admitted",
        Outcome::Waiting => "Awaiting placement by the office",
        Outcome::NotConsidered => "Not considered",
    };
    lang.label(o.label_vi(), en)
}

#[derive(Template, WebTemplate)]
#[template(path = "campaign_run.html")]
pub struct RunPage {
    lang: Lang,
    nav: Nav,
    crumbs: Vec<Crumb>,
    campaign: Campaign,
    run_id: i64,
    mechanism: &'static str,
    applicants: i32,
    admitted: i32,
    created: String,
    published: bool,
    manages: bool,
    by_exam: bool,
    cut_offs: Vec<CutOffLine>,
    /// (code, label, current)
    filters: Vec<(&'static str, &'static str, bool)>,
    results: Vec<ResultLine>,
    pager: Pager,
    errors: Vec<String>,
}

#[derive(Deserialize, Default)]
pub struct RunQuery {
    outcome: Option<String>,
    page: Option<u64>,
}

async fn run_page(
    s: &AppState,
    actor: &Actor,
    (id, run_id): (i64, i64),
    q: &RunQuery,
    uri: &Uri,
    errors: Vec<String>,
) -> PageResult<RunPage> {
    let lang = actor.lang;
    let (campaign, detail) = load_run(s, actor, id, run_id).await.lang(actor)?;
    let manages = adm::manages(&mut s.store.conn(), &actor.scope, &campaign)
        .await
        .lang(actor)?
        && actor.can(Permission::AdmissionManage);
    let outcome = q.outcome.clone().filter(|o| !o.is_empty());
    let page = load_results(
        s,
        actor,
        &campaign,
        detail.run.id,
        &ResultsQuery {
            outcome: outcome.clone(),
            school_id: None,
            page: q.page,
            per_page: Some(50),
        },
    )
    .await
    .lang(actor)?;
    let mut cut_offs = Vec::new();
    for (i, c) in detail.cut_offs.iter().enumerate() {
        let first = i == 0 || detail.cut_offs[i - 1].school_id != c.school_id;
        let span = detail.cut_offs[i..]
            .iter()
            .take_while(|x| x.school_id == c.school_id)
            .count();
        cut_offs.push(CutOffLine {
            school: c.school_name.clone(),
            choice: c.choice,
            seats: c.seats,
            admitted: c.admitted,
            cut_off: c.cut_off_vi(),
            first,
            span,
        });
    }
    let current = outcome.as_deref().unwrap_or("");
    let filters = [
        ("", lang.label("Tất cả", "All")),
        ("admitted", outcome_label(lang, Outcome::Admitted)),
        ("not_admitted", outcome_label(lang, Outcome::NotAdmitted)),
        ("waiting", outcome_label(lang, Outcome::Waiting)),
        (
            "not_considered",
            outcome_label(lang, Outcome::NotConsidered),
        ),
    ]
    .into_iter()
    .map(|(code, label)| (code, label, code == current))
    .collect();
    let pager = Pager::new(&page, uri);
    Ok(RunPage {
        lang,
        nav: Nav::of(actor),
        crumbs: crumbs(
            lang,
            &campaign,
            Some((
                format!("/campaigns/{id}/runs"),
                lang.label("Xét tuyển", "Assignment").into(),
            )),
        ),
        run_id,
        mechanism: mechanism_label(lang, &detail.run.mechanism),
        applicants: detail.run.applicants,
        admitted: detail.run.admitted,
        created: when(detail.run.created_at),
        published: detail.published,
        manages,
        by_exam: campaign.by_exam(),
        cut_offs,
        filters,
        results: page
            .items
            .into_iter()
            .map(|r| ResultLine {
                number: r.candidate_number.unwrap_or(r.tracking_code),
                birth_date: r.birth_date.format("%d/%m/%Y").to_string(),
                outcome: outcome_label(lang, r.outcome),
                outcome_code: r.outcome.code(),
                school: r.school_name.unwrap_or_default(),
                choice: r.choice.map(|c| c.to_string()).unwrap_or_default(),
                explanation: r.explanation,
                name: r.full_name,
            })
            .collect(),
        pager,
        campaign,
        errors,
    })
}

/// `/campaigns/{id}/runs/{run_id}`: cut-offs and results of one run.
pub async fn run(
    State(s): State<AppState>,
    actor: Actor,
    Path(ids): Path<(i64, i64)>,
    Query(q): Query<RunQuery>,
    uri: Uri,
) -> PageResult<RunPage> {
    run_page(&s, &actor, ids, &q, &uri, vec![]).await
}

/// `POST /campaigns/{id}/runs/{run_id}/publish`.
pub async fn publish(
    State(s): State<AppState>,
    actor: Actor,
    Path((id, run_id)): Path<(i64, i64)>,
    uri: Uri,
) -> PageResult<Response> {
    match publish_run(&s, &actor, id, run_id).await {
        Ok(_) => Ok(Redirect::to(&format!("/campaigns/{id}/runs/{run_id}")).into_response()),
        Err(e) => {
            let errors = messages(e).lang(&actor)?;
            Ok(
                run_page(&s, &actor, (id, run_id), &RunQuery::default(), &uri, errors)
                    .await?
                    .into_response(),
            )
        }
    }
}

/// A school the new-campaign form offers, with what the office last typed.
pub struct SchoolChoice {
    pub id: i64,
    pub name: String,
    pub checked: bool,
    pub seats: String,
    pub zone: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "campaign_new.html")]
pub struct NewCampaignPage {
    lang: Lang,
    nav: Nav,
    crumbs: Vec<Crumb>,
    grade: i32,
    unit_name: String,
    /// (id, code, selected)
    years: Vec<(i64, String, bool)>,
    name: String,
    opens: String,
    closes: String,
    results: String,
    max_choices: String,
    documents: String,
    schools: Vec<SchoolChoice>,
    errors: Vec<String>,
}

#[derive(Deserialize)]
pub struct GradeQuery {
    grade: Option<i32>,
}

const DEFAULT_DOCUMENTS: &str =
    "Giấy khai sinh (bản chụp)*\nXác nhận thông tin cư trú*\nGiấy tờ ưu tiên (nếu có)";

/// `/campaigns/new?grade=N`: the form for a new campaign of the actor's unit.
pub async fn new_campaign(
    State(s): State<AppState>,
    actor: Actor,
    Query(q): Query<GradeQuery>,
) -> PageResult<Response> {
    let Some(grade) = q.grade.filter(|g| [1, 6, 10].contains(g)) else {
        return Ok(Redirect::to("/campaigns/new?grade=1").into_response());
    };
    let form: Vec<(String, String)> = vec![];
    Ok(new_campaign_page(&s, &actor, grade, &form, vec![])
        .await?
        .into_response())
}

fn field<'a>(form: &'a [(String, String)], key: &str) -> Option<&'a str> {
    form.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str())
}

async fn new_campaign_page(
    s: &AppState,
    actor: &Actor,
    grade: i32,
    form: &[(String, String)],
    errors: Vec<String>,
) -> PageResult<NewCampaignPage> {
    let lang = actor.lang;
    let unit = super::start_unit(s, actor).await?;
    let mut conn = s.store.conn();
    let current = truongso_store::years::current(&mut conn)
        .await
        .lang(actor)?;
    let years: Vec<_> = truongso_store::years::list(&mut conn)
        .await
        .lang(actor)?
        .into_iter()
        .filter(|y| {
            current
                .as_ref()
                .is_none_or(|c| y.start_year >= c.start_year)
        })
        .collect();
    let default_year = years.iter().map(|y| y.id).max();
    let chosen_year = field(form, "school_year_id")
        .and_then(|v| v.parse().ok())
        .or(default_year);
    let level = match grade {
        1 => "th",
        6 => "thcs",
        _ => "thpt",
    };
    let below = truongso_store::orgs::list(
        &mut conn,
        &unit.scope(),
        &truongso_store::orgs::OrgFilter {
            kind: Some(truongso_domain::org::OrgKind::School),
            ..Default::default()
        },
        &truongso_store::PageRequest::new(1, 500),
    )
    .await
    .lang(actor)?
    .items;
    let fresh = form.is_empty();
    let schools = below
        .into_iter()
        .filter(|u| u.levels.to_codes().split(',').any(|l| l == level))
        .map(|u| SchoolChoice {
            checked: fresh || field(form, &format!("school_{}", u.id)).is_some(),
            seats: field(form, &format!("seats_{}", u.id))
                .unwrap_or("")
                .to_string(),
            zone: field(form, &format!("zone_{}", u.id))
                .map(str::to_string)
                .unwrap_or_else(|| {
                    if grade == 10 {
                        String::new()
                    } else {
                        u.ward_code.clone().unwrap_or_default()
                    }
                }),
            id: u.id,
            name: u.name,
        })
        .collect();
    let text = |k: &str, default: String| field(form, k).map_or(default, str::to_string);
    let year_code = years
        .iter()
        .find(|y| Some(y.id) == chosen_year)
        .map(|y| y.code.clone())
        .unwrap_or_default();
    Ok(NewCampaignPage {
        lang,
        nav: Nav::of(actor),
        crumbs: vec![
            Crumb {
                href: "/".into(),
                label: lang.t("home").into(),
            },
            Crumb {
                href: "/campaigns".into(),
                label: lang.label("Tuyển sinh", "Admission").into(),
            },
        ],
        grade,
        unit_name: unit.name,
        years: years
            .iter()
            .map(|y| (y.id, y.code.clone(), Some(y.id) == chosen_year))
            .collect(),
        name: text(
            "name",
            format!("Tuyển sinh lớp {grade} năm học {year_code}"),
        ),
        opens: text("opens", String::new()),
        closes: text("closes", String::new()),
        results: text("results", String::new()),
        max_choices: text("max_choices", "3".into()),
        documents: text(
            "documents",
            if grade == 10 {
                "Học bạ THCS (bản chụp)*\nGiấy xác nhận đối tượng ưu tiên (nếu có)".into()
            } else {
                DEFAULT_DOCUMENTS.into()
            },
        ),
        schools,
        errors,
    })
}

/// "Giấy khai sinh (bản chụp)*" → a required document with code `giay_khai_sinh_ban_chup`.
fn documents_of(text: &str) -> Vec<adm::DocumentRequirement> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(|line| {
            let required = line.ends_with('*');
            let label = line.trim_end_matches('*').trim().to_string();
            let folded = truongso_domain::text::fold(&label);
            let code: String = folded
                .split(|c: char| !c.is_ascii_alphanumeric())
                .filter(|w| !w.is_empty())
                .collect::<Vec<_>>()
                .join("_")
                .chars()
                .take(40)
                .collect();
            adm::DocumentRequirement {
                code,
                label,
                required,
            }
        })
        .collect()
}

/// A date typed in the form as 17:00 Vietnam time on that day (offices close at five).
fn day_end(form: &[(String, String)], key: &str) -> Option<chrono::DateTime<chrono::Utc>> {
    let day = chrono::NaiveDate::parse_from_str(field(form, key)?, "%Y-%m-%d").ok()?;
    let local = day.and_hms_opt(17, 0, 0)?;
    Some(chrono::DateTime::from_naive_utc_and_offset(
        local - chrono::Duration::hours(7),
        chrono::Utc,
    ))
}

/// `POST /campaigns/new?grade=N`: creates the draft and opens its overview; errors keep the form.
pub async fn create_campaign(
    State(s): State<AppState>,
    actor: Actor,
    Query(q): Query<GradeQuery>,
    Form(form): Form<Vec<(String, String)>>,
) -> PageResult<Response> {
    let grade = q.grade.unwrap_or(1);
    let unit = super::start_unit(&s, &actor).await?;
    let mut errors = Vec::new();
    let (Some(opens_at), Some(closes_at), Some(results_at)) = (
        day_end(&form, "opens"),
        day_end(&form, "closes"),
        day_end(&form, "results"),
    ) else {
        errors.push(
            actor
                .lang
                .label(
                    "Nhập đủ ba ngày: mở nhận hồ sơ, hạn nộp, công bố kết quả.",
                    "Give the three dates: opening, deadline, results.",
                )
                .to_string(),
        );
        let page = new_campaign_page(&s, &actor, grade, &form, errors).await?;
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    };
    let schools = form
        .iter()
        .filter_map(|(k, _)| k.strip_prefix("school_")?.parse::<i64>().ok())
        .map(|id| adm::NewCampaignSchool {
            school_id: id,
            seats: field(&form, &format!("seats_{id}"))
                .and_then(|v| v.trim().parse().ok())
                .unwrap_or(0),
            zone: None,
            zone_areas: field(&form, &format!("zone_{id}"))
                .unwrap_or("")
                .split([',', ' ', ';'])
                .filter(|z| !z.trim().is_empty())
                .map(|z| z.trim().to_string())
                .collect(),
        })
        .collect();
    let input = adm::NewCampaign {
        owner_id: unit.id,
        school_year_id: field(&form, "school_year_id")
            .and_then(|v| v.parse().ok())
            .unwrap_or(0),
        entry_grade: grade,
        name: field(&form, "name").unwrap_or("").to_string(),
        opens_at,
        closes_at,
        results_at,
        max_choices: field(&form, "max_choices")
            .and_then(|v| v.parse().ok())
            .unwrap_or(1),
        required_documents: documents_of(field(&form, "documents").unwrap_or("")),
        schools,
    };
    match crate::api::admission::create_campaign(&s, &actor, &input).await {
        Ok(id) => Ok(Redirect::to(&format!("/campaigns/{id}")).into_response()),
        Err(e) => {
            errors = messages(e).lang(&actor)?;
            let page = new_campaign_page(&s, &actor, grade, &form, errors).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
    }
}
