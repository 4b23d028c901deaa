use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State};
use serde::Deserialize;
use truongso_domain::import::{ImportKind, match_headers};
use truongso_domain::tabular::read_table;
use truongso_store::imports::{self, ImportOptions, ImportReport};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::today;
use crate::AppState;
use crate::actor::Actor;
use crate::error::{ApiError, ApiResult, Problem};
use crate::pages::imports::write_permission;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(import))
}

#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
struct ImportParams {
    /// The school (or unit, for staff) rows without a unit-code column belong to; defaults to
    /// the caller's own unit.
    school_id: Option<i64>,
    /// Import the valid rows and skip the rejected ones (else nothing is written when any row
    /// is rejected).
    #[serde(default)]
    keep_valid: bool,
    /// Check only: report what each row would do, write nothing.
    #[serde(default)]
    dry_run: bool,
}

/// Imports an .xlsx/.xls/.ods or .csv file (the request body) of learners with guardians,
/// staff, classes or enrolments. Every row is checked first; the report names each rejected
/// row's cells in Vietnamese. Re-importing the same file changes nothing.
#[utoipa::path(post, path = "/imports/{kind}", tag = "imports",
    params(("kind" = String, Path, description = "learners | staff | classes | enrolments"), ImportParams),
    request_body(content = Vec<u8>, content_type = "application/octet-stream"),
    responses((status = 200, body = ImportReport), (status = 400, body = Problem), (status = 403, body = Problem), (status = 422, body = Problem)))]
async fn import(
    State(s): State<AppState>,
    actor: Actor,
    Path(kind): Path<String>,
    uri: axum::http::Uri,
    body: Bytes,
) -> ApiResult<Json<ImportReport>> {
    let kind = ImportKind::from_code(&kind)
        .ok_or_else(|| ApiError::bad_request("kind", "learners | staff | classes | enrolments"))?;
    if !actor.can(write_permission(kind)) {
        return Err(ApiError::Forbidden(
            "Vai trò của bạn không nhập được loại dữ liệu này.".into(),
        ));
    }
    let params: ImportParams = super::parse_query(uri.query().unwrap_or(""))?;
    let table = tokio::task::spawn_blocking(move || read_table(&body))
        .await
        .map_err(|e| ApiError::Internal(e.to_string()))?
        .map_err(|e| ApiError::bad_request("file", e.to_string()))?;
    let header = match_headers(kind, &table);
    if !header.missing_required.is_empty() {
        return Err(ApiError::bad_request(
            "file",
            format!(
                "Tệp thiếu cột bắt buộc: {}.",
                header.missing_required.join(", ")
            ),
        ));
    }
    let options = ImportOptions {
        kind,
        default_unit_id: params.school_id.or(actor.scope.root_id()),
        keep_valid: params.keep_valid,
        today: today(),
    };
    let report = if params.dry_run {
        imports::preview(&s.store, &actor.scope, &table, &header.mapping, &options).await?
    } else {
        imports::apply(
            &s.store,
            &actor.scope,
            &actor.audit_actor(),
            &table,
            &header.mapping,
            &options,
            &mut |_, _| {},
        )
        .await?
    };
    Ok(Json(report))
}
