//! Consent records of a learner (Law 91/2025): given by a guardian (or recorded by the school
//! from a paper form), withdrawn at any time, never deleted.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use truongso_store::audit::AuditAction;
use truongso_store::consents::{self, Consent, NewConsent};
use truongso_store::learners;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::ApiJson;
use crate::AppState;
use crate::actor::Actor;
use crate::error::{ApiResult, Problem};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list, give))
        .routes(routes!(withdraw))
}

#[utoipa::path(get, path = "/learners/{id}/consents", tag = "consents", params(("id" = i64, Path)),
    responses((status = 200, body = Vec<Consent>), (status = 404, body = Problem)))]
async fn list(
    State(s): State<AppState>,
    actor: Actor,
    Path(id): Path<i64>,
) -> ApiResult<Json<Vec<Consent>>> {
    let mut conn = s.store.conn();
    learners::get(&mut conn, &actor.scope, id).await?;
    Ok(Json(consents::of_learner(&mut conn, id).await?))
}

#[utoipa::path(post, path = "/learners/{id}/consents", tag = "consents", params(("id" = i64, Path)), request_body = NewConsent,
    responses((status = 201, body = Consent), (status = 404, body = Problem), (status = 422, body = Problem)))]
async fn give(
    State(s): State<AppState>,
    actor: Actor,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<NewConsent>,
) -> ApiResult<(StatusCode, Json<Consent>)> {
    Ok((
        StatusCode::CREATED,
        Json(record_consent(&s, &actor, id, &input).await?),
    ))
}

/// Shared with the consent page.
pub async fn record_consent(
    s: &AppState,
    actor: &Actor,
    learner_id: i64,
    input: &NewConsent,
) -> ApiResult<Consent> {
    let mut tx = s.store.begin().await?;
    let learner = learners::get(&mut tx.conn(), &actor.scope, learner_id).await?;
    let user_id = actor.user.as_ref().map(|u| u.id);
    let consent = consents::give(&mut tx.conn(), learner_id, input, user_id).await?;
    actor
        .audit(
            &mut tx.conn(),
            AuditAction::Create,
            "consent",
            Some(consent.id),
            Some(learner.school_id),
        )
        .await?;
    tx.commit().await?;
    Ok(consent)
}

#[utoipa::path(post, path = "/learners/{id}/consents/{consent_id}/withdraw", tag = "consents",
    params(("id" = i64, Path), ("consent_id" = i64, Path)),
    responses((status = 200, body = Consent), (status = 404, body = Problem), (status = 409, body = Problem)))]
async fn withdraw(
    State(s): State<AppState>,
    actor: Actor,
    Path((id, consent_id)): Path<(i64, i64)>,
) -> ApiResult<Json<Consent>> {
    Ok(Json(withdraw_consent(&s, &actor, id, consent_id).await?))
}

pub async fn withdraw_consent(
    s: &AppState,
    actor: &Actor,
    learner_id: i64,
    consent_id: i64,
) -> ApiResult<Consent> {
    let mut tx = s.store.begin().await?;
    let learner = learners::get(&mut tx.conn(), &actor.scope, learner_id).await?;
    let by = actor
        .user
        .as_ref()
        .map_or_else(String::new, |u| u.display_name.clone());
    let consent = consents::withdraw(&mut tx.conn(), learner_id, consent_id, &by).await?;
    actor
        .audit(
            &mut tx.conn(),
            AuditAction::Update,
            "consent",
            Some(consent_id),
            Some(learner.school_id),
        )
        .await?;
    tx.commit().await?;
    Ok(consent)
}
