//! Plan targets (chỉ tiêu kế hoạch): the indicators in force and their editing, a unit's
//! indicators with trend and the ranking of the units below it, and the schools of the map.

use axum::Json;
use axum::extract::{Path, State};
use truongso_domain::targets::RawIndicator;
use truongso_store::Store;
use truongso_store::audit::AuditAction;
use truongso_store::targets::{self, IndicatorDef, SchoolMap, UnitTargets};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::quality::by;
use super::{ApiJson, today};
use crate::AppState;
use crate::actor::Actor;
use crate::error::{ApiResult, Problem};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(indicators))
        .routes(routes!(set_indicator))
        .routes(routes!(unit))
        .routes(routes!(unit_schools))
}

/// The indicators in force: formula over the metric vocabulary, target (%), deadline, scope.
/// Indicators without formula have no data on the platform yet.
#[utoipa::path(get, path = "/targets/indicators", tag = "targets",
    responses((status = 200, body = Vec<IndicatorDef>)))]
async fn indicators(State(s): State<AppState>) -> ApiResult<Json<Vec<IndicatorDef>>> {
    let defs = targets::definitions(&mut s.store.conn()).await?;
    Ok(Json(defs.iter().map(IndicatorDef::from).collect()))
}

/// Change an indicator (name, formula, target, deadline, scope), all fields or none: a 422
/// problem names every field at fault. The code in the body is ignored.
#[utoipa::path(put, path = "/targets/indicators/{code}", tag = "targets", params(("code" = String, Path)),
    request_body = RawIndicator,
    responses((status = 200, body = IndicatorDef), (status = 400, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
async fn set_indicator(
    State(s): State<AppState>,
    actor: Actor,
    Path(code): Path<String>,
    ApiJson(raw): ApiJson<RawIndicator>,
) -> ApiResult<Json<IndicatorDef>> {
    let ind = save(&s, &actor, &code, &raw).await?;
    Ok(Json(IndicatorDef::from(&ind)))
}

/// Saves an indicator and records who changed it (shared with the edit page).
pub async fn save(
    s: &AppState,
    actor: &Actor,
    code: &str,
    raw: &RawIndicator,
) -> ApiResult<truongso_domain::targets::Indicator> {
    let mut tx = s.store.begin().await?;
    let ind = targets::save(&mut tx, code, raw, &by(actor)).await?;
    actor
        .audit(
            &mut tx.conn(),
            AuditAction::Update,
            "target_indicator",
            None,
            None,
        )
        .await?;
    tx.commit().await?;
    Ok(ind)
}

/// A unit's indicators over its subtree at the latest snapshot, each with status (met, on
/// track, behind, no data) and monthly trend, and the units directly below with their values.
#[utoipa::path(get, path = "/targets/units/{id}", tag = "targets", params(("id" = i64, Path)),
    responses((status = 200, body = UnitTargets), (status = 404, body = Problem)))]
async fn unit(
    State(s): State<AppState>,
    actor: Actor,
    Path(id): Path<i64>,
) -> ApiResult<Json<UnitTargets>> {
    Ok(Json(
        targets::unit_targets(&mut s.store.conn(), &actor.scope, id, today()).await?,
    ))
}

/// The schools under a unit with their position (own, else the commune's centroid) and each
/// indicator's value, and the commune centroids around them (the map's background).
#[utoipa::path(get, path = "/targets/units/{id}/schools", tag = "targets", params(("id" = i64, Path)),
    responses((status = 200, body = SchoolMap), (status = 404, body = Problem)))]
async fn unit_schools(
    State(s): State<AppState>,
    actor: Actor,
    Path(id): Path<i64>,
) -> ApiResult<Json<SchoolMap>> {
    Ok(Json(
        targets::school_map(&mut s.store.conn(), &actor.scope, id).await?,
    ))
}

/// Takes today's snapshot in the background now and then once a day (checked hourly; a day
/// that has one keeps it).
pub fn start_daily_snapshots(store: Store) {
    tokio::spawn(async move {
        loop {
            match targets::snapshot(&store, today()).await {
                Ok(r) if r.taken => tracing::info!(
                    day = %r.taken_on,
                    schools = r.schools,
                    values = r.values,
                    "plan-target snapshot taken"
                ),
                Ok(_) => {}
                Err(e) => tracing::error!(error = %e, "plan-target snapshot failed"),
            }
            tokio::time::sleep(std::time::Duration::from_secs(3600)).await;
        }
    });
}
