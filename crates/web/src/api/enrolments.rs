use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use truongso_store::enrolments::{self, Enrolment, EnrolmentEvent, StatusChange};
use truongso_store::{StoreError, learners};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::{ApiJson, today};
use crate::AppState;
use crate::actor::Actor;
use crate::error::{ApiResult, Problem};
use truongso_store::audit::AuditAction;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(of_learner, enrol))
        .routes(routes!(read))
        .routes(routes!(change_status))
}

/// A learner's enrolments, newest school year first.
#[utoipa::path(get, path = "/learners/{id}/enrolments", tag = "enrolments", params(("id" = i64, Path)),
    responses((status = 200, body = Vec<Enrolment>), (status = 404, body = Problem)))]
async fn of_learner(
    State(s): State<AppState>,
    actor: Actor,
    Path(id): Path<i64>,
) -> ApiResult<Json<Vec<Enrolment>>> {
    learners::get(&mut s.store.conn(), &actor.scope, id).await?;
    Ok(Json(enrolments::of_learner(&mut s.store.conn(), id).await?))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct EnrolInput {
    pub class_id: i64,
}

/// Enrol a learner in a class (of the class's school and school year).
#[utoipa::path(post, path = "/learners/{id}/enrolments", tag = "enrolments", params(("id" = i64, Path)), request_body = EnrolInput,
    responses((status = 201, body = Enrolment), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn enrol(
    State(s): State<AppState>,
    actor: Actor,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<EnrolInput>,
) -> ApiResult<(StatusCode, Json<Enrolment>)> {
    let mut tx = s.store.begin().await?;
    learners::get(&mut tx.conn(), &actor.scope, id).await?;
    let class = truongso_store::classes::get(&mut tx.conn(), &actor.scope, input.class_id)
        .await
        .map_err(|_| StoreError::invalid("class_id", "Không tìm thấy lớp."))?;
    let enrolment_id = enrolments::enrol(
        &mut tx,
        id,
        class.school_year_id,
        class.org_unit_id,
        Some(class.id),
        today(),
    )
    .await?;
    let enrolment = enrolments::get(&mut tx.conn(), &actor.scope, enrolment_id).await?;
    actor
        .audit(
            &mut tx.conn(),
            AuditAction::Create,
            "enrolment",
            Some(enrolment_id),
            Some(enrolment.school_id),
        )
        .await?;
    tx.commit().await?;
    Ok((StatusCode::CREATED, Json(enrolment)))
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct EnrolmentWithHistory {
    #[serde(flatten)]
    pub enrolment: Enrolment,
    pub events: Vec<EnrolmentEvent>,
}

/// One enrolment with its status history.
#[utoipa::path(get, path = "/enrolments/{id}", tag = "enrolments", params(("id" = i64, Path)),
    responses((status = 200, body = EnrolmentWithHistory), (status = 404, body = Problem)))]
async fn read(
    State(s): State<AppState>,
    actor: Actor,
    Path(id): Path<i64>,
) -> ApiResult<Json<EnrolmentWithHistory>> {
    let enrolment = enrolments::get(&mut s.store.conn(), &actor.scope, id).await?;
    let events = enrolments::events(&mut s.store.conn(), id).await?;
    Ok(Json(EnrolmentWithHistory { enrolment, events }))
}

/// Change an enrolment's status (transferred, dropped out, completed, repeating…) or class; the
/// previous status stays in the history.
#[utoipa::path(put, path = "/enrolments/{id}/status", tag = "enrolments", params(("id" = i64, Path)), request_body = StatusChange,
    responses((status = 200, body = Enrolment), (status = 400, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
async fn change_status(
    State(s): State<AppState>,
    actor: Actor,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<StatusChange>,
) -> ApiResult<Json<Enrolment>> {
    let mut tx = s.store.begin().await?;
    let enrolment = enrolments::change_status(&mut tx, &actor.scope, id, &input).await?;
    actor
        .audit(
            &mut tx.conn(),
            AuditAction::Update,
            "enrolment",
            Some(id),
            Some(enrolment.school_id),
        )
        .await?;
    tx.commit().await?;
    Ok(Json(enrolment))
}
