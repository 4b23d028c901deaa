use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::Deserialize;
use truongso_domain::staff::StaffInput;
use truongso_store::staff::{self, StaffFilter, StaffMember};
use truongso_store::{Page, PageRequest};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::{ApiJson, JsonParts, ListQuery, UpdateJson, today};
use crate::AppState;
use crate::actor::Actor;
use crate::error::{ApiResult, Problem};
use truongso_store::audit::AuditAction;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list, create))
        .routes(routes!(read, update))
}

/// List staff in the caller's scope.
#[utoipa::path(get, path = "/staff", tag = "staff", params(StaffFilter, PageRequest),
    responses((status = 200, body = Page<StaffMember>), (status = 400, body = Problem)))]
async fn list(
    State(s): State<AppState>,
    actor: Actor,
    uri: axum::http::Uri,
    ListQuery(filter, page): ListQuery<StaffFilter>,
) -> ApiResult<Json<Page<StaffMember>>> {
    let mut conn = s.store.conn();
    let found = staff::list(&mut conn, &actor.scope, &filter, &page).await?;
    actor.audit_list(&mut conn, "staff", uri.query()).await?;
    Ok(Json(found))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct NewStaff {
    pub org_unit_id: i64,
    #[serde(flatten)]
    pub profile: StaffInput,
}

/// Create a staff member of a unit.
#[utoipa::path(post, path = "/staff", tag = "staff", request_body = NewStaff,
    responses((status = 201, body = StaffMember), (status = 400, body = Problem), (status = 422, body = Problem)))]
async fn create(
    State(s): State<AppState>,
    actor: Actor,
    ApiJson(body): ApiJson<serde_json::Value>,
) -> ApiResult<(StatusCode, Json<StaffMember>)> {
    // Read in parts: `flatten` would hide which field is wrong.
    #[derive(Deserialize)]
    struct Unit {
        org_unit_id: i64,
    }
    let mut parts = JsonParts::new(&body);
    let input = NewStaff {
        org_unit_id: parts.part::<Unit>()?.org_unit_id,
        profile: parts.part()?,
    };
    parts.finish()?;
    let mut tx = s.store.begin().await?;
    let member = staff::create(
        &mut tx,
        &actor.scope,
        input.org_unit_id,
        &input.profile,
        today(),
    )
    .await?;
    actor
        .audit(
            &mut tx.conn(),
            AuditAction::Create,
            "staff",
            Some(member.id),
            Some(member.org_unit_id),
        )
        .await?;
    tx.commit().await?;
    Ok((StatusCode::CREATED, Json(member)))
}

/// Read a staff member's record.
#[utoipa::path(get, path = "/staff/{id}", tag = "staff", params(("id" = i64, Path)),
    responses((status = 200, body = StaffMember), (status = 404, body = Problem)))]
async fn read(
    State(s): State<AppState>,
    actor: Actor,
    Path(id): Path<i64>,
) -> ApiResult<Json<StaffMember>> {
    let mut conn = s.store.conn();
    let member = staff::get(&mut conn, &actor.scope, id).await?;
    actor
        .audit(
            &mut conn,
            AuditAction::Read,
            "staff",
            Some(id),
            Some(member.org_unit_id),
        )
        .await?;
    Ok(Json(member))
}

/// Replace a staff member's profile.
#[utoipa::path(put, path = "/staff/{id}", tag = "staff", params(("id" = i64, Path)), request_body = StaffInput,
    responses((status = 200, body = StaffMember), (status = 400, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
async fn update(
    State(s): State<AppState>,
    actor: Actor,
    Path(id): Path<i64>,
    UpdateJson(input, read_only): UpdateJson<StaffInput>,
) -> ApiResult<Json<StaffMember>> {
    let mut tx = s.store.begin().await?;
    read_only.unchanged_from(&staff::get(&mut tx.conn(), &actor.scope, id).await?)?;
    let member = staff::update(&mut tx, &actor.scope, id, &input, today()).await?;
    actor
        .audit(
            &mut tx.conn(),
            AuditAction::Update,
            "staff",
            Some(id),
            Some(member.org_unit_id),
        )
        .await?;
    tx.commit().await?;
    Ok(Json(member))
}
