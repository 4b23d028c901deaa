//! The caller's own account and API tokens.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use truongso_domain::access::{Permission, Policy};
use truongso_store::audit::AuditAction;
use truongso_store::tokens::{self, ApiToken};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::ApiJson;
use crate::AppState;
use crate::actor::Actor;
use crate::error::{ApiError, ApiResult, Problem};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(me))
        .routes(routes!(list_tokens, create_token))
        .routes(routes!(revoke_token))
}

/// Who the caller is, their role, reach and permissions.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Me {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    pub role: String,
    pub scope_org_id: i64,
    pub scope_org_name: String,
    pub permissions: Vec<Permission>,
}

#[utoipa::path(get, path = "/me", tag = "account",
    responses((status = 200, body = Me), (status = 401, body = Problem)))]
async fn me(actor: Actor) -> ApiResult<Json<Me>> {
    let user = actor.user.clone().ok_or(ApiError::Unauthorized)?;
    Ok(Json(Me {
        id: user.id,
        username: user.username,
        display_name: user.display_name,
        role: user.role,
        scope_org_id: user.scope_org_id,
        scope_org_name: user.scope_org_name,
        permissions: actor
            .role
            .map(|r| Policy::builtin().permissions_of(r))
            .unwrap_or_default(),
    }))
}

/// The caller's API tokens (the token texts themselves are never shown again).
#[utoipa::path(get, path = "/tokens", tag = "account",
    responses((status = 200, body = Vec<ApiToken>), (status = 403, body = Problem)))]
async fn list_tokens(State(s): State<AppState>, actor: Actor) -> ApiResult<Json<Vec<ApiToken>>> {
    let user = actor.user.as_ref().ok_or(ApiError::Unauthorized)?;
    Ok(Json(tokens::list(&mut s.store.conn(), user.id).await?))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewToken {
    /// What the token is for ("Đồng bộ LMS").
    pub name: String,
    /// Days until it expires (1–366, default 90).
    pub days: Option<i64>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct CreatedToken {
    /// Send as `Authorization: Bearer <token>`. Shown only in this response.
    pub token: String,
    #[serde(flatten)]
    pub record: ApiToken,
}

/// Create a token acting as the caller (same role and scope).
#[utoipa::path(post, path = "/tokens", tag = "account", request_body = NewToken,
    responses((status = 201, body = CreatedToken), (status = 422, body = Problem)))]
async fn create_token(
    State(s): State<AppState>,
    actor: Actor,
    ApiJson(input): ApiJson<NewToken>,
) -> ApiResult<(StatusCode, Json<CreatedToken>)> {
    let user = actor.user.as_ref().ok_or(ApiError::Unauthorized)?;
    let mut tx = s.store.begin().await?;
    let (token, record) = tokens::create(
        &mut tx.conn(),
        user.id,
        &input.name,
        input.days.unwrap_or(90),
    )
    .await?;
    actor
        .audit(
            &mut tx.conn(),
            AuditAction::Create,
            "api_token",
            Some(record.id),
            Some(user.scope_org_id),
        )
        .await?;
    tx.commit().await?;
    Ok((StatusCode::CREATED, Json(CreatedToken { token, record })))
}

/// Revoke one of the caller's tokens.
#[utoipa::path(delete, path = "/tokens/{id}", tag = "account", params(("id" = i64, Path)),
    responses((status = 200, body = ApiToken), (status = 404, body = Problem)))]
async fn revoke_token(
    State(s): State<AppState>,
    actor: Actor,
    Path(id): Path<i64>,
) -> ApiResult<Json<ApiToken>> {
    let user = actor.user.as_ref().ok_or(ApiError::Unauthorized)?;
    let mut tx = s.store.begin().await?;
    let token = tokens::revoke(&mut tx.conn(), user.id, id).await?;
    actor
        .audit(
            &mut tx.conn(),
            AuditAction::Update,
            "api_token",
            Some(id),
            Some(user.scope_org_id),
        )
        .await?;
    tx.commit().await?;
    Ok(Json(token))
}
