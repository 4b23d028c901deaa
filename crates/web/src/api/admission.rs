//! Admission campaigns and assignment runs (the office's side): list and create campaigns, open
//! and close them, simulate the assignment as often as needed, read a run's cut-offs and
//! results, publish one. The route table requires admission.review to read and admission.manage
//! to change; the store finds only campaigns in the actor's reach, and changes need the actor to
//! reach the unit that runs the campaign (a school's principal reads, the office decides).
//! Pages call the same functions.

use axum::Json;
use axum::extract::{Path, Query, State};
use serde::{Deserialize, Serialize};
use truongso_store::admission::review::{self, StatusCount};
use truongso_store::admission::runs::{self, CutOff, ResultFilter, Run, RunResult};
use truongso_store::admission::{self, Campaign, CampaignSchool, CampaignStatus, NewCampaign};
use truongso_store::audit::AuditAction;
use truongso_store::{Page, PageRequest};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::ApiJson;
use crate::AppState;
use crate::actor::Actor;
use crate::error::{ApiError, ApiResult, Problem};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_campaigns, create))
        .routes(routes!(read_campaign))
        .routes(routes!(change_status))
        .routes(routes!(list_runs, simulate))
        .routes(routes!(read_run))
        .routes(routes!(run_results))
        .routes(routes!(publish))
}

/// A campaign with its schools and how many applications are in each status.
#[derive(Debug, Serialize, ToSchema)]
pub struct CampaignDetail {
    pub campaign: Campaign,
    pub schools: Vec<CampaignSchool>,
    pub applications: Vec<StatusCount>,
    /// Whether the actor may change it (they reach the unit that runs it).
    pub manages: bool,
}

/// A campaign in the actor's reach (404 outside it).
pub(crate) async fn campaign_detail(
    s: &AppState,
    actor: &Actor,
    id: i64,
) -> ApiResult<CampaignDetail> {
    let mut conn = s.store.conn();
    let campaign = admission::campaign_in_scope(&mut conn, &actor.scope, id).await?;
    let schools = admission::campaign_schools(&mut conn, id).await?;
    // Counted within the actor's reach: a principal sees their school's applications only.
    let applications =
        review::status_counts(&mut conn, &actor.scope, &campaign, &Default::default()).await?;
    let manages = admission::manages(&mut conn, &actor.scope, &campaign).await?;
    Ok(CampaignDetail {
        campaign,
        schools,
        applications,
        manages,
    })
}

/// A campaign the actor may change: in reach and run by a unit they reach (403 otherwise).
pub(crate) async fn managed_campaign(s: &AppState, actor: &Actor, id: i64) -> ApiResult<Campaign> {
    let detail = campaign_detail(s, actor, id).await?;
    if !detail.manages {
        return Err(ApiError::Forbidden(
            "Chỉ đơn vị tổ chức đợt tuyển sinh mới thay đổi được đợt này.".into(),
        ));
    }
    Ok(detail.campaign)
}

fn by(actor: &Actor) -> String {
    actor.username().unwrap_or("(không rõ)").to_string()
}

/// The campaigns in the actor's reach, newest first.
#[utoipa::path(get, path = "/admission/campaigns", tag = "admission",
    responses((status = 200, body = Vec<Campaign>)))]
async fn list_campaigns(State(s): State<AppState>, actor: Actor) -> ApiResult<Json<Vec<Campaign>>> {
    Ok(Json(
        admission::campaigns(&mut s.store.conn(), &actor.scope).await?,
    ))
}

/// Creates a campaign as a draft, with its schools, seats and zones; all checked first (422
/// naming `schools[i].field`), nothing written on error.
#[utoipa::path(post, path = "/admission/campaigns", tag = "admission",
    request_body = NewCampaign,
    responses((status = 201, body = CampaignDetail), (status = 404, body = Problem), (status = 422, body = Problem)))]
async fn create(
    State(s): State<AppState>,
    actor: Actor,
    ApiJson(body): ApiJson<NewCampaign>,
) -> ApiResult<(axum::http::StatusCode, Json<CampaignDetail>)> {
    let id = create_campaign(&s, &actor, &body).await?;
    Ok((
        axum::http::StatusCode::CREATED,
        Json(campaign_detail(&s, &actor, id).await?),
    ))
}

pub(crate) async fn create_campaign(
    s: &AppState,
    actor: &Actor,
    body: &NewCampaign,
) -> ApiResult<i64> {
    let mut tx = s.store.begin().await?;
    let c = admission::create_campaign(&mut tx, &actor.scope, body).await?;
    actor
        .audit(
            &mut tx.conn(),
            AuditAction::Create,
            "admission_campaign",
            Some(c.id),
            Some(c.owner_id),
        )
        .await?;
    tx.commit().await?;
    Ok(c.id)
}

/// A campaign with its schools, seats, zones and application counts.
#[utoipa::path(get, path = "/admission/campaigns/{campaign_id}", tag = "admission",
    params(("campaign_id" = i64, Path)),
    responses((status = 200, body = CampaignDetail), (status = 404, body = Problem)))]
async fn read_campaign(
    State(s): State<AppState>,
    actor: Actor,
    Path(id): Path<i64>,
) -> ApiResult<Json<CampaignDetail>> {
    Ok(Json(campaign_detail(&s, &actor, id).await?))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct StatusBody {
    /// open | closed | draft (publishing is a run's action).
    pub status: CampaignStatus,
}

/// Opens, closes or reopens a campaign (409 for a change its phase does not allow).
#[utoipa::path(post, path = "/admission/campaigns/{campaign_id}/status", tag = "admission",
    params(("campaign_id" = i64, Path)),
    request_body = StatusBody,
    responses((status = 200, body = CampaignDetail), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem)))]
async fn change_status(
    State(s): State<AppState>,
    actor: Actor,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<StatusBody>,
) -> ApiResult<Json<CampaignDetail>> {
    set_status(&s, &actor, id, body.status).await?;
    Ok(Json(campaign_detail(&s, &actor, id).await?))
}

pub(crate) async fn set_status(
    s: &AppState,
    actor: &Actor,
    id: i64,
    to: CampaignStatus,
) -> ApiResult<()> {
    let c = managed_campaign(s, actor, id).await?;
    let mut tx = s.store.begin().await?;
    admission::set_status(&mut tx, &c, to).await?;
    actor
        .audit(
            &mut tx.conn(),
            AuditAction::Update,
            "admission_campaign",
            Some(c.id),
            Some(c.owner_id),
        )
        .await?;
    tx.commit().await?;
    Ok(())
}

/// The assignment runs of a campaign, newest first.
#[utoipa::path(get, path = "/admission/campaigns/{campaign_id}/runs", tag = "admission",
    params(("campaign_id" = i64, Path)),
    responses((status = 200, body = Vec<Run>), (status = 404, body = Problem)))]
async fn list_runs(
    State(s): State<AppState>,
    actor: Actor,
    Path(id): Path<i64>,
) -> ApiResult<Json<Vec<Run>>> {
    let c = admission::campaign_in_scope(&mut s.store.conn(), &actor.scope, id).await?;
    Ok(Json(runs::runs(&mut s.store.conn(), c.id).await?))
}

/// Runs the assignment on the verified applications under the configured rules and stores it
/// as a simulation (not published). 409 while the campaign still takes applications.
#[utoipa::path(post, path = "/admission/campaigns/{campaign_id}/runs", tag = "admission",
    params(("campaign_id" = i64, Path)),
    responses((status = 201, body = Run), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem)))]
async fn simulate(
    State(s): State<AppState>,
    actor: Actor,
    Path(id): Path<i64>,
) -> ApiResult<(axum::http::StatusCode, Json<Run>)> {
    Ok((
        axum::http::StatusCode::CREATED,
        Json(run_assignment(&s, &actor, id).await?),
    ))
}

pub(crate) async fn run_assignment(s: &AppState, actor: &Actor, id: i64) -> ApiResult<Run> {
    let c = managed_campaign(s, actor, id).await?;
    let mut tx = s.store.begin().await?;
    let run = runs::simulate(&mut tx, &c, &s.admission, &by(actor)).await?;
    actor
        .audit(
            &mut tx.conn(),
            AuditAction::Create,
            "admission_run",
            Some(run.id),
            Some(c.owner_id),
        )
        .await?;
    tx.commit().await?;
    Ok(run)
}

/// A run with its cut-offs per school and choice.
#[derive(Debug, Serialize, ToSchema)]
pub struct RunDetail {
    pub run: Run,
    pub cut_offs: Vec<CutOff>,
    pub published: bool,
}

pub(crate) async fn load_run(
    s: &AppState,
    actor: &Actor,
    id: i64,
    run_id: i64,
) -> ApiResult<(Campaign, RunDetail)> {
    let mut conn = s.store.conn();
    let c = admission::campaign_in_scope(&mut conn, &actor.scope, id).await?;
    let run = runs::run(&mut conn, c.id, run_id).await?;
    let cut_offs = runs::cut_offs(&mut conn, run.id).await?;
    let published = c.published_run_id == Some(run.id);
    Ok((
        c,
        RunDetail {
            run,
            cut_offs,
            published,
        },
    ))
}

/// A run's summary and cut-offs (public once published; staff see every simulation).
#[utoipa::path(get, path = "/admission/campaigns/{campaign_id}/runs/{run_id}", tag = "admission",
    params(("campaign_id" = i64, Path), ("run_id" = i64, Path)),
    responses((status = 200, body = RunDetail), (status = 404, body = Problem)))]
async fn read_run(
    State(s): State<AppState>,
    actor: Actor,
    Path((id, run_id)): Path<(i64, i64)>,
) -> ApiResult<Json<RunDetail>> {
    Ok(Json(load_run(&s, &actor, id, run_id).await?.1))
}

/// Query of a run's results: a page, optionally one outcome or one school's admitted list.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ResultsQuery {
    pub outcome: Option<String>,
    pub school_id: Option<i64>,
    pub page: Option<u64>,
    pub per_page: Option<u64>,
}

/// Applicants' results of a run with their explanations (personal data: the read is audited).
#[utoipa::path(get, path = "/admission/campaigns/{campaign_id}/runs/{run_id}/results", tag = "admission",
    params(("campaign_id" = i64, Path), ("run_id" = i64, Path), ResultsQuery),
    responses((status = 200, body = Page<RunResult>), (status = 404, body = Problem)))]
async fn run_results(
    State(s): State<AppState>,
    actor: Actor,
    Path((id, run_id)): Path<(i64, i64)>,
    Query(q): Query<ResultsQuery>,
) -> ApiResult<Json<Page<RunResult>>> {
    let mut conn = s.store.conn();
    let c = admission::campaign_in_scope(&mut conn, &actor.scope, id).await?;
    let run = runs::run(&mut conn, c.id, run_id).await?;
    Ok(Json(load_results(&s, &actor, &c, run.id, &q).await?))
}

/// A page of the results of `run_id`, a run of `c` the caller has found in the actor's reach.
pub(crate) async fn load_results(
    s: &AppState,
    actor: &Actor,
    c: &Campaign,
    run_id: i64,
    q: &ResultsQuery,
) -> ApiResult<Page<RunResult>> {
    let filter = ResultFilter {
        outcome: q.outcome.clone(),
        school_id: q.school_id,
    };
    let page = PageRequest {
        page: q.page,
        per_page: q.per_page,
        sort: None,
    };
    let mut conn = s.store.conn();
    let results = runs::results(&mut conn, run_id, &filter, &page).await?;
    actor
        .audit(
            &mut conn,
            AuditAction::List,
            "admission_result",
            Some(run_id),
            Some(c.owner_id),
        )
        .await?;
    Ok(results)
}

/// Publishes a run: applicants can look its results up; a later run may replace it.
#[utoipa::path(post, path = "/admission/campaigns/{campaign_id}/runs/{run_id}/publish", tag = "admission",
    params(("campaign_id" = i64, Path), ("run_id" = i64, Path)),
    responses((status = 200, body = Campaign), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem)))]
async fn publish(
    State(s): State<AppState>,
    actor: Actor,
    Path((id, run_id)): Path<(i64, i64)>,
) -> ApiResult<Json<Campaign>> {
    Ok(Json(publish_run(&s, &actor, id, run_id).await?))
}

pub(crate) async fn publish_run(
    s: &AppState,
    actor: &Actor,
    id: i64,
    run_id: i64,
) -> ApiResult<Campaign> {
    let c = managed_campaign(s, actor, id).await?;
    let mut tx = s.store.begin().await?;
    let c = runs::publish(&mut tx, &c, run_id).await?;
    actor
        .audit(
            &mut tx.conn(),
            AuditAction::Update,
            "admission_run",
            Some(run_id),
            Some(c.owner_id),
        )
        .await?;
    tx.commit().await?;
    Ok(c)
}
