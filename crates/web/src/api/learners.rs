use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use truongso_domain::learners::LearnerInput;
use truongso_store::learners::{self, Learner, LearnerFilter, LearnerSummary, NewLearner};
use truongso_store::{Page, PageRequest};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::{ApiJson, ListQuery, today};
use crate::AppState;
use crate::actor::Actor;
use crate::error::{ApiResult, Problem};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list, create))
        .routes(routes!(read, update))
}

/// List or search learners in the caller's scope. `q` matches the name without diacritics
/// ("nguyen thi hoa" finds "Nguyễn Thị Hoa"), the 12-digit personal ID or the learner code.
#[utoipa::path(get, path = "/learners", tag = "learners", params(LearnerFilter, PageRequest),
    responses((status = 200, body = Page<LearnerSummary>), (status = 400, body = Problem)))]
async fn list(
    State(s): State<AppState>,
    actor: Actor,
    ListQuery(filter, page): ListQuery<LearnerFilter>,
) -> ApiResult<Json<Page<LearnerSummary>>> {
    Ok(Json(
        learners::list(&mut s.store.conn(), &actor.scope, &filter, &page).await?,
    ))
}

/// Create a learner (a new learner code is issued) and optionally enrol them in a class.
#[utoipa::path(post, path = "/learners", tag = "learners", request_body = NewLearner,
    responses((status = 201, body = Learner), (status = 400, body = Problem), (status = 422, body = Problem)))]
async fn create(
    State(s): State<AppState>,
    actor: Actor,
    ApiJson(input): ApiJson<NewLearner>,
) -> ApiResult<(StatusCode, Json<Learner>)> {
    let mut tx = s.store.begin().await?;
    let learner = learners::create(&mut tx, &actor.scope, &input, today()).await?;
    tx.commit().await?;
    Ok((StatusCode::CREATED, Json(learner)))
}

/// Read a learner's record with guardians.
#[utoipa::path(get, path = "/learners/{id}", tag = "learners", params(("id" = i64, Path)),
    responses((status = 200, body = Learner), (status = 404, body = Problem)))]
async fn read(
    State(s): State<AppState>,
    actor: Actor,
    Path(id): Path<i64>,
) -> ApiResult<Json<Learner>> {
    Ok(Json(
        learners::get(&mut s.store.conn(), &actor.scope, id).await?,
    ))
}

/// Replace a learner's profile and guardians.
#[utoipa::path(put, path = "/learners/{id}", tag = "learners", params(("id" = i64, Path)), request_body = LearnerInput,
    responses((status = 200, body = Learner), (status = 400, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
async fn update(
    State(s): State<AppState>,
    actor: Actor,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<LearnerInput>,
) -> ApiResult<Json<Learner>> {
    let mut tx = s.store.begin().await?;
    let learner = learners::update(&mut tx, &actor.scope, id, &input, today()).await?;
    tx.commit().await?;
    Ok(Json(learner))
}
