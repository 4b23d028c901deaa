use axum::Json;
use axum::extract::State;
use truongso_store::admin_units::{self, AdminUnit, AdminUnitFilter};
use truongso_store::{Page, PageRequest};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::ListQuery;
use crate::AppState;
use crate::error::{ApiResult, Problem};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(list))
}

/// Administrative units (provinces, districts, communes/wards), current (2025) or legacy.
#[utoipa::path(get, path = "/admin-units", tag = "reference", params(AdminUnitFilter, PageRequest),
    responses((status = 200, body = Page<AdminUnit>), (status = 400, body = Problem)))]
async fn list(
    State(s): State<AppState>,
    ListQuery(filter, page): ListQuery<AdminUnitFilter>,
) -> ApiResult<Json<Page<AdminUnit>>> {
    Ok(Json(
        admin_units::list(&mut s.store.conn(), &filter, &page).await?,
    ))
}
