use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use truongso_store::classes::{self, Class, ClassFilter, ClassInput};
use truongso_store::{Page, PageRequest};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::{ApiJson, ListQuery, UpdateJson};
use crate::AppState;
use crate::actor::Actor;
use crate::error::{ApiResult, Problem};
use truongso_store::audit::AuditAction;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list, create))
        .routes(routes!(read, update))
}

/// List classes in the caller's scope.
#[utoipa::path(get, path = "/classes", tag = "classes", params(ClassFilter, PageRequest),
    responses((status = 200, body = Page<Class>), (status = 400, body = Problem)))]
async fn list(
    State(s): State<AppState>,
    actor: Actor,
    ListQuery(filter, page): ListQuery<ClassFilter>,
) -> ApiResult<Json<Page<Class>>> {
    Ok(Json(
        classes::list(&mut s.store.conn(), &actor.scope, &filter, &page).await?,
    ))
}

/// Create a class in a school for a school year.
#[utoipa::path(post, path = "/classes", tag = "classes", request_body = ClassInput,
    responses((status = 201, body = Class), (status = 400, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn create(
    State(s): State<AppState>,
    actor: Actor,
    ApiJson(input): ApiJson<ClassInput>,
) -> ApiResult<(StatusCode, Json<Class>)> {
    let mut tx = s.store.begin().await?;
    let class = classes::create(&mut tx, &actor.scope, &input).await?;
    actor
        .audit(
            &mut tx.conn(),
            AuditAction::Create,
            "class",
            Some(class.id),
            Some(class.org_unit_id),
        )
        .await?;
    tx.commit().await?;
    Ok((StatusCode::CREATED, Json(class)))
}

/// Read a class.
#[utoipa::path(get, path = "/classes/{id}", tag = "classes", params(("id" = i64, Path)),
    responses((status = 200, body = Class), (status = 404, body = Problem)))]
async fn read(
    State(s): State<AppState>,
    actor: Actor,
    Path(id): Path<i64>,
) -> ApiResult<Json<Class>> {
    Ok(Json(
        classes::get(&mut s.store.conn(), &actor.scope, id).await?,
    ))
}

/// Update a class (name, grade, site, homeroom teacher).
#[utoipa::path(put, path = "/classes/{id}", tag = "classes", params(("id" = i64, Path)), request_body = ClassInput,
    responses((status = 200, body = Class), (status = 400, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn update(
    State(s): State<AppState>,
    actor: Actor,
    Path(id): Path<i64>,
    UpdateJson(input, read_only): UpdateJson<ClassInput>,
) -> ApiResult<Json<Class>> {
    let mut tx = s.store.begin().await?;
    read_only.unchanged_from(&classes::get(&mut tx.conn(), &actor.scope, id).await?)?;
    let class = classes::update(&mut tx, &actor.scope, id, &input).await?;
    actor
        .audit(
            &mut tx.conn(),
            AuditAction::Update,
            "class",
            Some(id),
            Some(class.org_unit_id),
        )
        .await?;
    tx.commit().await?;
    Ok(Json(class))
}
