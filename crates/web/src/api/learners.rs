use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use truongso_domain::learners::LearnerInput;
use truongso_store::learners::{self, Learner, LearnerFilter, LearnerSummary, NewLearner};
use truongso_store::{Page, PageRequest};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::{ApiJson, JsonParts, ListQuery, UpdateJson, today};
use crate::AppState;
use crate::actor::Actor;
use crate::error::{ApiError, ApiResult, Problem};
use truongso_domain::access::Permission;
use truongso_store::StoreError;
use truongso_store::audit::AuditAction;

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
    uri: axum::http::Uri,
    ListQuery(filter, page): ListQuery<LearnerFilter>,
) -> ApiResult<Json<Page<LearnerSummary>>> {
    let mut conn = s.store.conn();
    let found = learners::list(&mut conn, &actor.scope, &filter, &page).await?;
    actor.audit_list(&mut conn, "learner", uri.query()).await?;
    Ok(Json(found))
}

/// Reads a learner for the actor, recording the read — or, when the learner is outside the
/// actor's reach, the refused attempt (under the learner's own school, so that its
/// administrators see it). Sensitive fields are removed for roles that may not see them.
pub async fn read_audited(s: &AppState, actor: &Actor, id: i64) -> ApiResult<Learner> {
    let mut conn = s.store.conn();
    match learners::get(&mut conn, &actor.scope, id).await {
        Ok(learner) => {
            actor
                .audit(
                    &mut conn,
                    AuditAction::Read,
                    "learner",
                    Some(id),
                    Some(learner.school_id),
                )
                .await?;
            Ok(present(actor, learner))
        }
        Err(StoreError::NotFound { .. }) => {
            let school = learners::school_of(&mut conn, id).await?;
            actor
                .audit(&mut conn, AuditAction::Denied, "learner", Some(id), school)
                .await?;
            Err(ApiError::Store(StoreError::not_found("học sinh")))
        }
        Err(e) => Err(e.into()),
    }
}

/// The learner as this actor may see it.
pub fn present(actor: &Actor, learner: Learner) -> Learner {
    if actor.can(Permission::LearnerSensitive) {
        learner
    } else {
        learner.without_sensitive()
    }
}

/// Where a new learner goes (the non-profile part of [`NewLearner`]).
#[derive(serde::Deserialize)]
struct Placement {
    school_id: i64,
    class_id: Option<i64>,
}

/// Create a learner (a new learner code is issued) and optionally enrol them in a class.
#[utoipa::path(post, path = "/learners", tag = "learners", request_body = NewLearner,
    responses((status = 201, body = Learner), (status = 400, body = Problem), (status = 422, body = Problem)))]
async fn create(
    State(s): State<AppState>,
    actor: Actor,
    ApiJson(body): ApiJson<serde_json::Value>,
) -> ApiResult<(StatusCode, Json<Learner>)> {
    let mut parts = JsonParts::new(&body);
    let placement: Placement = parts.part()?;
    let input = NewLearner {
        profile: parts.part()?,
        school_id: placement.school_id,
        class_id: placement.class_id,
    };
    parts.finish()?;
    let mut tx = s.store.begin().await?;
    let learner = learners::create(&mut tx, &actor.scope, &input, today()).await?;
    actor
        .audit(
            &mut tx.conn(),
            AuditAction::Create,
            "learner",
            Some(learner.id),
            Some(learner.school_id),
        )
        .await?;
    tx.commit().await?;
    Ok((StatusCode::CREATED, Json(present(&actor, learner))))
}

/// Read a learner's record with guardians.
#[utoipa::path(get, path = "/learners/{id}", tag = "learners", params(("id" = i64, Path)),
    responses((status = 200, body = Learner), (status = 404, body = Problem)))]
async fn read(
    State(s): State<AppState>,
    actor: Actor,
    Path(id): Path<i64>,
) -> ApiResult<Json<Learner>> {
    Ok(Json(read_audited(&s, &actor, id).await?))
}

/// Replace a learner's profile and guardians.
#[utoipa::path(put, path = "/learners/{id}", tag = "learners", params(("id" = i64, Path)), request_body = LearnerInput,
    responses((status = 200, body = Learner), (status = 400, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
async fn update(
    State(s): State<AppState>,
    actor: Actor,
    Path(id): Path<i64>,
    UpdateJson(input, read_only): UpdateJson<LearnerInput>,
) -> ApiResult<Json<Learner>> {
    let mut tx = s.store.begin().await?;
    let current = learners::get(&mut tx.conn(), &actor.scope, id).await?;
    read_only.unchanged_from(&present(&actor, current))?;
    let learner = learners::update(&mut tx, &actor.scope, id, &input, today()).await?;
    actor
        .audit(
            &mut tx.conn(),
            AuditAction::Update,
            "learner",
            Some(id),
            Some(learner.school_id),
        )
        .await?;
    tx.commit().await?;
    Ok(Json(present(&actor, learner)))
}
