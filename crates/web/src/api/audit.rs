//! The audit trail: search and export within the caller's scope; and, for a learner's
//! guardians, who accessed the child's record.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::header;
use axum::response::IntoResponse;
use truongso_store::audit::{self, AuditAction, AuditEntry, AuditFilter};
use truongso_store::{Page, PageRequest, learners};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::{ListQuery, parse_query};
use crate::AppState;
use crate::actor::Actor;
use crate::error::{ApiResult, Problem};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(search))
        .routes(routes!(export))
        .routes(routes!(access_log))
}

/// Search the audit trail (entries about units in the caller's scope), newest first.
#[utoipa::path(get, path = "/audit", tag = "audit", params(AuditFilter, PageRequest),
    responses((status = 200, body = Page<AuditEntry>), (status = 403, body = Problem)))]
async fn search(
    State(s): State<AppState>,
    actor: Actor,
    ListQuery(filter, page): ListQuery<AuditFilter>,
) -> ApiResult<Json<Page<AuditEntry>>> {
    Ok(Json(
        audit::search(&mut s.store.conn(), &actor.scope, &filter, &page).await?,
    ))
}

/// The most entries one export returns; narrow the dates for more.
pub const EXPORT_LIMIT: u64 = 100_000;

/// Export a search as CSV (UTF-8 with BOM, so Excel shows Vietnamese correctly). The export
/// itself is recorded.
#[utoipa::path(get, path = "/audit/export", tag = "audit", params(AuditFilter),
    responses((status = 200, content_type = "text/csv", body = String), (status = 403, body = Problem)))]
async fn export(
    State(s): State<AppState>,
    actor: Actor,
    uri: axum::http::Uri,
) -> ApiResult<impl IntoResponse> {
    let filter: AuditFilter = parse_query(uri.query().unwrap_or(""))?;
    csv_response(&s, &actor, &filter).await
}

/// Shared with the audit page's download link.
pub async fn csv_response(
    s: &AppState,
    actor: &Actor,
    filter: &AuditFilter,
) -> ApiResult<axum::response::Response> {
    let mut tx = s.store.begin().await?;
    let entries = audit::export(&mut tx.conn(), &actor.scope, filter, EXPORT_LIMIT).await?;
    actor
        .audit(
            &mut tx.conn(),
            AuditAction::Export,
            "audit",
            None,
            actor.scope.root_id(),
        )
        .await?;
    tx.commit().await?;
    let mut out = String::from(
        "\u{feff}Thời điểm (UTC),Tài khoản,Vai trò,Hành động,Đối tượng,Mã đối tượng,Đơn vị,Địa chỉ IP,Chi tiết\n",
    );
    for e in entries {
        let fields = [
            e.at.format("%Y-%m-%d %H:%M:%S").to_string(),
            e.username.unwrap_or_default(),
            e.role.unwrap_or_default(),
            e.action,
            e.entity,
            e.entity_id.map(|i| i.to_string()).unwrap_or_default(),
            e.org_id.map(|i| i.to_string()).unwrap_or_default(),
            e.client.unwrap_or_default(),
            e.detail.unwrap_or_default(),
        ];
        let line: Vec<String> = fields.iter().map(|f| csv_field(f)).collect();
        out.push_str(&line.join(","));
        out.push('\n');
    }
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"nhat-ky-truy-cap.csv\"",
            ),
        ],
        out,
    )
        .into_response())
}

/// Quotes a CSV field, and defuses values a spreadsheet would run as a formula.
fn csv_field(s: &str) -> String {
    let s = if s.starts_with(['=', '+', '-', '@']) {
        format!("'{s}")
    } else {
        s.to_string()
    };
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s
    }
}

/// Who read or changed this learner's record, newest first (for the learner's guardians).
#[utoipa::path(get, path = "/learners/{id}/access-log", tag = "audit", params(("id" = i64, Path), PageRequest),
    responses((status = 200, body = Page<AuditEntry>), (status = 404, body = Problem)))]
async fn access_log(
    State(s): State<AppState>,
    actor: Actor,
    Path(id): Path<i64>,
    ListQuery(_no_filter, page): ListQuery<super::users::NoFilter>,
) -> ApiResult<Json<Page<AuditEntry>>> {
    let mut conn = s.store.conn();
    // Only for a learner the caller can see at all.
    learners::get(&mut conn, &actor.scope, id).await?;
    Ok(Json(audit::of_learner(&mut conn, id, &page).await?))
}

#[cfg(test)]
mod tests {
    #[test]
    fn csv_fields_are_quoted_and_formulas_defused() {
        assert_eq!(super::csv_field("a,b"), "\"a,b\"");
        assert_eq!(super::csv_field("=1+1"), "'=1+1");
        assert_eq!(super::csv_field("Nguyễn"), "Nguyễn");
    }
}
