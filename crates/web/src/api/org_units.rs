use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use chrono::NaiveDate;
use serde::Deserialize;
use truongso_store::orgs::{self, OrgFilter, OrgInput, OrgUnit, ParentPeriod};
use truongso_store::{Page, PageRequest};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::{ApiJson, JsonParts, ListQuery, today};
use crate::AppState;
use crate::actor::Actor;
use crate::error::{ApiResult, Problem};
use truongso_store::audit::AuditAction;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list, create))
        .routes(routes!(read, update))
        .routes(routes!(history))
}

/// List organisational units in the caller's scope.
#[utoipa::path(get, path = "/org-units", tag = "org-units", params(OrgFilter, PageRequest),
    responses((status = 200, body = Page<OrgUnit>), (status = 400, body = Problem)))]
async fn list(
    State(s): State<AppState>,
    actor: Actor,
    ListQuery(filter, page): ListQuery<OrgFilter>,
) -> ApiResult<Json<Page<OrgUnit>>> {
    Ok(Json(
        orgs::list(&mut s.store.conn(), &actor.scope, &filter, &page).await?,
    ))
}

/// Create a unit under a parent in the caller's scope.
#[utoipa::path(post, path = "/org-units", tag = "org-units", request_body = OrgInput,
    responses((status = 201, body = OrgUnit), (status = 400, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn create(
    State(s): State<AppState>,
    actor: Actor,
    ApiJson(input): ApiJson<OrgInput>,
) -> ApiResult<(StatusCode, Json<OrgUnit>)> {
    let mut tx = s.store.begin().await?;
    let unit = orgs::create(&mut tx, &actor.scope, &input, today()).await?;
    actor
        .audit(
            &mut tx.conn(),
            AuditAction::Create,
            "org_unit",
            Some(unit.id),
            Some(unit.id),
        )
        .await?;
    tx.commit().await?;
    Ok((StatusCode::CREATED, Json(unit)))
}

/// Read one unit.
#[utoipa::path(get, path = "/org-units/{id}", tag = "org-units", params(("id" = i64, Path)),
    responses((status = 200, body = OrgUnit), (status = 404, body = Problem)))]
async fn read(
    State(s): State<AppState>,
    actor: Actor,
    Path(id): Path<i64>,
) -> ApiResult<Json<OrgUnit>> {
    Ok(Json(
        orgs::get(&mut s.store.conn(), &actor.scope, id).await?,
    ))
}

/// A unit's new fields; a new `parent_id` moves it (with its subtree) to another managing unit,
/// recorded in its history from `valid_from` (default today) with `reason`.
/// (It documents the request body, which is read in parts: see `update`.)
#[derive(Debug, utoipa::ToSchema)]
#[expect(dead_code, reason = "the OpenAPI schema of a body read in parts")]
pub struct OrgUpdate {
    #[serde(flatten)]
    pub unit: OrgInput,
    #[serde(flatten)]
    pub change: OrgChange,
}

/// When and why a unit changed (the part of [`OrgUpdate`] that is not the unit itself).
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct OrgChange {
    pub valid_from: Option<NaiveDate>,
    pub reason: Option<String>,
}

/// Update a unit, or move it under another managing unit.
#[utoipa::path(put, path = "/org-units/{id}", tag = "org-units", params(("id" = i64, Path)), request_body = OrgUpdate,
    responses((status = 200, body = OrgUnit), (status = 400, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn update(
    State(s): State<AppState>,
    actor: Actor,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<serde_json::Value>,
) -> ApiResult<Json<OrgUnit>> {
    // Read in parts: `flatten` would hide which field is wrong, and accept unknown ones.
    let mut parts = JsonParts::new(&body);
    let input: OrgInput = parts.part()?;
    let change: OrgChange = parts.part()?;
    let read_only = parts.read_only();
    let mut tx = s.store.begin().await?;
    read_only.unchanged_from(&orgs::get(&mut tx.conn(), &actor.scope, id).await?)?;
    let unit = orgs::update(
        &mut tx,
        &actor.scope,
        id,
        &input,
        change.valid_from.unwrap_or_else(today),
        change.reason.as_deref(),
    )
    .await?;
    actor
        .audit(
            &mut tx.conn(),
            AuditAction::Update,
            "org_unit",
            Some(unit.id),
            Some(unit.id),
        )
        .await?;
    tx.commit().await?;
    Ok(Json(unit))
}

/// The history of a unit's managing units.
#[utoipa::path(get, path = "/org-units/{id}/history", tag = "org-units", params(("id" = i64, Path)),
    responses((status = 200, body = Vec<ParentPeriod>), (status = 404, body = Problem)))]
async fn history(
    State(s): State<AppState>,
    actor: Actor,
    Path(id): Path<i64>,
) -> ApiResult<Json<Vec<ParentPeriod>>> {
    orgs::get(&mut s.store.conn(), &actor.scope, id).await?;
    Ok(Json(orgs::parent_history(&mut s.store.conn(), id).await?))
}
