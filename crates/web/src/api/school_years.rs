use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::Deserialize;
use truongso_store::years::{self, SchoolYear, Term};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::ApiJson;
use crate::AppState;
use crate::actor::Actor;
use crate::error::{ApiResult, Problem};
use truongso_store::audit::AuditAction;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list, create))
        .routes(routes!(terms))
}

/// School years, newest first.
#[utoipa::path(get, path = "/school-years", tag = "reference", responses((status = 200, body = Vec<SchoolYear>)))]
async fn list(State(s): State<AppState>) -> ApiResult<Json<Vec<SchoolYear>>> {
    Ok(Json(years::list(&mut s.store.conn()).await?))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct NewSchoolYear {
    /// The calendar year the school year starts in (2025 for "2025-2026").
    pub start_year: i32,
    #[serde(default)]
    pub current: bool,
}

/// Create a school year with its two default terms (or return it if it exists).
#[utoipa::path(post, path = "/school-years", tag = "reference", request_body = NewSchoolYear,
    responses((status = 201, body = SchoolYear), (status = 400, body = Problem), (status = 422, body = Problem)))]
async fn create(
    State(s): State<AppState>,
    actor: Actor,
    ApiJson(input): ApiJson<NewSchoolYear>,
) -> ApiResult<(StatusCode, Json<SchoolYear>)> {
    let mut tx = s.store.begin().await?;
    let year = years::ensure(&mut tx, input.start_year, input.current).await?;
    actor
        .audit(
            &mut tx.conn(),
            AuditAction::Create,
            "school_year",
            Some(year.id),
            None,
        )
        .await?;
    tx.commit().await?;
    Ok((StatusCode::CREATED, Json(year)))
}

/// The terms of a school year.
#[utoipa::path(get, path = "/school-years/{id}/terms", tag = "reference", params(("id" = i64, Path)),
    responses((status = 200, body = Vec<Term>), (status = 404, body = Problem)))]
async fn terms(State(s): State<AppState>, Path(id): Path<i64>) -> ApiResult<Json<Vec<Term>>> {
    years::get(&mut s.store.conn(), id).await?;
    Ok(Json(years::terms(&mut s.store.conn(), id).await?))
}
