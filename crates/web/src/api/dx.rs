//! The digital-maturity index (Decision 4725) API: the criteria, a school's self-assessment with
//! the values the platform measures beside the declared ones, saving answers, evidence files,
//! submission, the office's review, and the distribution of levels over a unit's schools.
//!
//! The route table lets a role in (dx.read / dx.assess / dx.review); the store then only finds
//! schools inside the actor's scope, so a principal reaches their school and an office its
//! subtree. Pages call the same functions.

use std::collections::BTreeMap;

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::Uri;
use serde::{Deserialize, Serialize};
use truongso_domain::dx::{self, CriteriaSet, LevelCounts, Scored, Targets};
use truongso_store::audit::AuditAction;
use truongso_store::dx::{
    self as store_dx, AssessmentDetail, Decision, DistributionRow, Measured, ReviewNote,
    SchoolStatus,
};
use truongso_store::orgs::{self, OrgUnit};
use truongso_store::years::{self, SchoolYear};
use truongso_store::{StoreError, dx::Answer};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::ApiJson;
use crate::AppState;
use crate::actor::Actor;
use crate::error::{ApiError, ApiResult, Problem};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(criteria))
        .routes(routes!(read_school))
        .routes(routes!(save_answers))
        .routes(routes!(submit))
        .routes(routes!(review))
        .routes(routes!(upload_evidence))
        .routes(routes!(unit_schools))
        .routes(routes!(unit_distribution))
}

/// The school year assessments are made for: the current one.
pub(crate) async fn current_year(s: &AppState) -> ApiResult<SchoolYear> {
    years::current(&mut s.store.conn())
        .await?
        .ok_or_else(|| StoreError::not_found("năm học hiện tại").into())
}

/// A school's self-assessment of the current year as forms and reviewers see it.
#[derive(Debug, Serialize, ToSchema)]
pub struct SchoolDx {
    pub school_id: i64,
    pub school_name: String,
    pub school_year: String,
    pub criteria_version: String,
    /// None until the school saves its first answer.
    pub assessment: Option<AssessmentDetail>,
    /// The scores and levels of the answers as they stand now (stored ones come with the
    /// assessment once submitted).
    pub live: Scored,
    /// What the platform measures, by indicator code.
    pub measured: BTreeMap<String, Measured>,
}

/// Loads a school's assessment inside the actor's scope (404 outside it).
pub(crate) async fn load_school(
    s: &AppState,
    actor: &Actor,
    school_id: i64,
) -> ApiResult<SchoolDx> {
    let mut conn = s.store.conn();
    let school = store_dx::school(&mut conn, &actor.scope, school_id).await?;
    let year = current_year(s).await?;
    let assessment = match store_dx::find(&mut conn, school.id, year.id).await? {
        Some(a) => Some(store_dx::detail(&mut conn, a).await?),
        None => None,
    };
    let set = match &assessment {
        Some(d) => d.assessment.criteria()?,
        None => CriteriaSet::current(),
    };
    let values = assessment.as_ref().map(|d| d.values()).unwrap_or_default();
    let live = dx::score(set, &values, &s.dx);
    let measured = store_dx::measured(&mut conn, school.id, year.id).await?;
    Ok(SchoolDx {
        school_id: school.id,
        school_name: school.name,
        school_year: year.code,
        criteria_version: set.version.clone(),
        assessment,
        live,
        measured,
    })
}

fn by(actor: &Actor) -> String {
    actor.username().unwrap_or("(không rõ)").to_string()
}

/// The criteria set new assessments use (groups, indicators, points, how each is answered).
#[utoipa::path(get, path = "/dx/criteria", tag = "dx",
    responses((status = 200, body = CriteriaSet)))]
async fn criteria() -> Json<&'static CriteriaSet> {
    Json(CriteriaSet::current())
}

/// A school's self-assessment of the current school year, with the live scores and the values
/// the platform measures.
#[utoipa::path(get, path = "/dx/schools/{school_id}", tag = "dx",
    params(("school_id" = i64, Path)),
    responses((status = 200, body = SchoolDx), (status = 404, body = Problem)))]
async fn read_school(
    State(s): State<AppState>,
    actor: Actor,
    Path(school_id): Path<i64>,
) -> ApiResult<Json<SchoolDx>> {
    Ok(Json(load_school(&s, &actor, school_id).await?))
}

/// Answers to save.
#[derive(Debug, Deserialize, ToSchema)]
pub struct AnswersBody {
    pub answers: Vec<Answer>,
}

/// Saves declared answers of the school's draft (or returned) assessment; one bad answer
/// rejects them all (422 naming `answers[i].field`), a submitted one refuses (409).
#[utoipa::path(post, path = "/dx/schools/{school_id}/answers", tag = "dx",
    params(("school_id" = i64, Path)),
    request_body = AnswersBody,
    responses((status = 200, body = SchoolDx), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn save_answers(
    State(s): State<AppState>,
    actor: Actor,
    Path(school_id): Path<i64>,
    ApiJson(body): ApiJson<AnswersBody>,
) -> ApiResult<Json<SchoolDx>> {
    write_answers(&s, &actor, school_id, &body.answers).await?;
    Ok(Json(load_school(&s, &actor, school_id).await?))
}

/// Saves answers in one transaction (the page's "save" and "save and submit" share it).
pub(crate) async fn write_answers(
    s: &AppState,
    actor: &Actor,
    school_id: i64,
    answers: &[Answer],
) -> ApiResult<()> {
    let school = store_dx::school(&mut s.store.conn(), &actor.scope, school_id).await?;
    let year = current_year(s).await?;
    let mut tx = s.store.begin().await?;
    let a = store_dx::save_answers(&mut tx, school.id, year.id, answers).await?;
    actor
        .audit(
            &mut tx.conn(),
            AuditAction::Update,
            "dx_assessment",
            Some(a.id),
            Some(school.id),
        )
        .await?;
    tx.commit().await?;
    Ok(())
}

/// Submits the assessment for review: scores and levels are computed and stored.
#[utoipa::path(post, path = "/dx/schools/{school_id}/submit", tag = "dx",
    params(("school_id" = i64, Path)),
    responses((status = 200, body = SchoolDx), (status = 404, body = Problem), (status = 409, body = Problem)))]
async fn submit(
    State(s): State<AppState>,
    actor: Actor,
    Path(school_id): Path<i64>,
) -> ApiResult<Json<SchoolDx>> {
    submit_school(&s, &actor, school_id, None).await?;
    Ok(Json(load_school(&s, &actor, school_id).await?))
}

/// Saves `answers` (when given) and submits, all or nothing.
pub(crate) async fn submit_school(
    s: &AppState,
    actor: &Actor,
    school_id: i64,
    answers: Option<&[Answer]>,
) -> ApiResult<()> {
    let school = store_dx::school(&mut s.store.conn(), &actor.scope, school_id).await?;
    let year = current_year(s).await?;
    let mut tx = s.store.begin().await?;
    if let Some(answers) = answers {
        store_dx::save_answers(&mut tx, school.id, year.id, answers).await?;
    }
    let (a, _) = store_dx::submit(&mut tx, school.id, year.id, &by(actor), &s.dx).await?;
    actor
        .audit(
            &mut tx.conn(),
            AuditAction::Update,
            "dx_assessment",
            Some(a.id),
            Some(school.id),
        )
        .await?;
    tx.commit().await?;
    Ok(())
}

/// The office's decision.
#[derive(Debug, Deserialize, ToSchema)]
pub struct ReviewBody {
    pub decision: Decision,
    /// Required when returning (unless an indicator has a comment).
    #[serde(default)]
    pub comment: Option<String>,
    #[serde(default)]
    pub notes: Vec<ReviewNote>,
}

/// Approves or returns a submitted assessment, with comments per indicator.
#[utoipa::path(post, path = "/dx/schools/{school_id}/review", tag = "dx",
    params(("school_id" = i64, Path)),
    request_body = ReviewBody,
    responses((status = 200, body = SchoolDx), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn review(
    State(s): State<AppState>,
    actor: Actor,
    Path(school_id): Path<i64>,
    ApiJson(body): ApiJson<ReviewBody>,
) -> ApiResult<Json<SchoolDx>> {
    review_school(&s, &actor, school_id, &body).await?;
    Ok(Json(load_school(&s, &actor, school_id).await?))
}

pub(crate) async fn review_school(
    s: &AppState,
    actor: &Actor,
    school_id: i64,
    body: &ReviewBody,
) -> ApiResult<()> {
    let school = store_dx::school(&mut s.store.conn(), &actor.scope, school_id).await?;
    // A school does not review itself, even where a role would have both permissions.
    if actor
        .user
        .as_ref()
        .is_some_and(|u| u.scope_org_id == school.id)
    {
        return Err(ApiError::Forbidden(
            "Trường không tự duyệt bản tự đánh giá của mình.".into(),
        ));
    }
    let year = current_year(s).await?;
    let mut tx = s.store.begin().await?;
    let a = store_dx::review(
        &mut tx,
        school.id,
        year.id,
        &by(actor),
        body.decision,
        body.comment.as_deref(),
        &body.notes,
    )
    .await?;
    actor
        .audit(
            &mut tx.conn(),
            AuditAction::Update,
            "dx_assessment",
            Some(a.id),
            Some(school.id),
        )
        .await?;
    tx.commit().await?;
    Ok(())
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct EvidenceParams {
    /// The indicator the file is evidence for ("2.3c").
    pub indicator_code: String,
    /// The file's name; its extension must agree with its content.
    pub file_name: String,
}

/// Uploads an evidence file (the body is the file: PDF, JPEG, PNG, .docx or .xlsx, at most
/// 5 MB, recognised by its content).
#[utoipa::path(post, path = "/dx/schools/{school_id}/evidence", tag = "dx",
    params(("school_id" = i64, Path), EvidenceParams),
    request_body(content = Vec<u8>, content_type = "application/octet-stream"),
    responses((status = 200, body = store_dx::Evidence), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn upload_evidence(
    State(s): State<AppState>,
    actor: Actor,
    Path(school_id): Path<i64>,
    uri: Uri,
    body: Bytes,
) -> ApiResult<Json<store_dx::Evidence>> {
    let params: EvidenceParams = super::parse_query(uri.query().unwrap_or(""))?;
    Ok(Json(
        add_evidence(
            &s,
            &actor,
            school_id,
            &params.indicator_code,
            &params.file_name,
            &body,
        )
        .await?,
    ))
}

pub(crate) async fn add_evidence(
    s: &AppState,
    actor: &Actor,
    school_id: i64,
    indicator_code: &str,
    file_name: &str,
    bytes: &[u8],
) -> ApiResult<store_dx::Evidence> {
    let school = store_dx::school(&mut s.store.conn(), &actor.scope, school_id).await?;
    let year = current_year(s).await?;
    let mut tx = s.store.begin().await?;
    let e = store_dx::add_evidence(
        &mut tx,
        school.id,
        year.id,
        indicator_code,
        file_name,
        bytes,
        &by(actor),
    )
    .await?;
    actor
        .audit(
            &mut tx.conn(),
            AuditAction::Create,
            "dx_evidence",
            Some(e.id),
            Some(school.id),
        )
        .await?;
    tx.commit().await?;
    Ok(e)
}

/// The schools of a unit's subtree with the status, scores and level of their assessment.
#[utoipa::path(get, path = "/dx/units/{org_id}/schools", tag = "dx",
    params(("org_id" = i64, Path)),
    responses((status = 200, body = Vec<SchoolStatus>), (status = 404, body = Problem)))]
async fn unit_schools(
    State(s): State<AppState>,
    actor: Actor,
    Path(org_id): Path<i64>,
) -> ApiResult<Json<Vec<SchoolStatus>>> {
    let unit = orgs::get(&mut s.store.conn(), &actor.scope, org_id).await?;
    let year = current_year(&s).await?;
    Ok(Json(
        store_dx::schools_under(&mut s.store.conn(), &unit, year.id).await?,
    ))
}

/// The distribution of levels over a unit's schools, per child unit, against the plan target.
#[derive(Debug, Serialize, ToSchema)]
pub struct Distribution {
    pub unit_id: i64,
    pub unit_name: String,
    pub school_year: String,
    pub rows: Vec<DistributionRow>,
    pub total: LevelCounts,
    /// Cumulative shares of all schools at level ≥ 1 (assessed), ≥ 2 and 3, in percent.
    pub percents: Vec<f64>,
    pub targets: Targets,
    /// Whether each share meets its target (none without schools).
    pub meets: Option<Vec<bool>>,
}

pub(crate) async fn distribution_of(s: &AppState, unit: &OrgUnit) -> ApiResult<Distribution> {
    let year = current_year(s).await?;
    let (rows, total) = store_dx::distribution(&mut s.store.conn(), unit, year.id).await?;
    Ok(Distribution {
        unit_id: unit.id,
        unit_name: unit.name.clone(),
        school_year: year.code,
        rows,
        percents: total.cumulative_percents().to_vec(),
        meets: total.meets(&s.dx.targets).map(|m| m.to_vec()),
        targets: s.dx.targets.clone(),
        total,
    })
}

/// Schools of a unit by maturity level (approved, or latest submitted), per child unit.
#[utoipa::path(get, path = "/dx/units/{org_id}/distribution", tag = "dx",
    params(("org_id" = i64, Path)),
    responses((status = 200, body = Distribution), (status = 404, body = Problem)))]
async fn unit_distribution(
    State(s): State<AppState>,
    actor: Actor,
    Path(org_id): Path<i64>,
) -> ApiResult<Json<Distribution>> {
    let unit = orgs::get(&mut s.store.conn(), &actor.scope, org_id).await?;
    Ok(Json(distribution_of(&s, &unit).await?))
}
