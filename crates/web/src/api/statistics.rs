//! Statistical reports: a unit's report counted now over the tree of the report date, freezing
//! ("chốt") and reading submissions, who has submitted, the records behind a figure, and the
//! public view with small counts hidden.

use axum::Json;
use axum::extract::{Path, Query, State};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use truongso_domain::access::Permission;
use truongso_domain::org::OrgKind;
use truongso_domain::statistics::{
    self, Cell, Conditions, ReportKind, Shown, StatTable, TOTAL, TableView,
};
use truongso_store::statistics::{
    self as stats, Records, Report, ReportRequest, SubmissionInfo, SubmissionStatus,
};
use truongso_store::{PageRequest, Scope, StoreError, years};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::ApiJson;
use crate::AppState;
use crate::actor::Actor;
use crate::error::{ApiError, ApiResult, Problem};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(unit_report))
        .routes(routes!(submit_report))
        .routes(routes!(submitted_report))
        .routes(routes!(submission_status))
        .routes(routes!(figure_records))
        .routes(routes!(public_report))
}

/// Which report: round (default beginning of year), school year (default the current one) and
/// counting date (default the round's date in the settings).
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ReportQuery {
    /// dau_nam (đầu năm) hoặc cuoi_nam (cuối năm).
    pub kind: Option<ReportKind>,
    pub school_year_id: Option<i64>,
    /// Ngày chốt số liệu (YYYY-MM-DD), trong năm học.
    pub as_of: Option<NaiveDate>,
}

/// Resolves a report query against the school years and the settings.
pub(crate) async fn resolve(s: &AppState, q: &ReportQuery) -> ApiResult<ReportRequest> {
    let mut conn = s.store.conn();
    let year = match q.school_year_id {
        Some(id) => years::get(&mut conn, id)
            .await
            .map_err(|_| ApiError::bad_request("school_year_id", "Không có năm học này."))?,
        None => years::current(&mut conn).await?.ok_or_else(|| {
            ApiError::bad_request("school_year_id", "Chưa khai báo năm học hiện tại.")
        })?,
    };
    let kind = q.kind.unwrap_or(ReportKind::Beginning);
    let as_of = q
        .as_of
        .unwrap_or_else(|| s.statistics.as_of(kind, year.start_year));
    if as_of < year.starts_on || as_of > year.ends_on {
        return Err(ApiError::bad_request(
            "as_of",
            format!(
                "Ngày chốt số liệu phải trong năm học {} ({} – {}).",
                year.code,
                year.starts_on.format("%d/%m/%Y"),
                year.ends_on.format("%d/%m/%Y")
            ),
        ));
    }
    Ok(ReportRequest {
        kind,
        school_year_id: year.id,
        as_of,
    })
}

/// A report as the API returns it.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReportBody {
    pub unit_id: i64,
    pub unit_name: String,
    pub kind: ReportKind,
    pub school_year_id: i64,
    pub school_year: String,
    pub as_of: NaiveDate,
    /// Schools counted.
    pub schools: usize,
    /// Set when this is a frozen submission.
    pub submission: Option<SubmissionInfo>,
    pub tables: Vec<TableView>,
    /// The units directly below, grouped as the tree was on the counting date.
    pub below: Vec<BelowBody>,
}

/// Headline figures of a unit below.
#[derive(Debug, Serialize, ToSchema)]
pub struct BelowBody {
    pub unit_id: i64,
    pub name: String,
    pub kind: OrgKind,
    pub schools: i64,
    pub classes: i64,
    pub learners: i64,
    pub female: i64,
    pub minority: i64,
    pub dropped_out: i64,
    pub staff: i64,
}

impl From<&Report> for ReportBody {
    fn from(r: &Report) -> Self {
        ReportBody {
            unit_id: r.unit.id,
            unit_name: r.unit.name.clone(),
            kind: r.request.kind,
            school_year_id: r.school_year.id,
            school_year: r.school_year.code.clone(),
            as_of: r.request.as_of,
            schools: r.schools,
            submission: r.submission.clone(),
            tables: statistics::table_views(&r.figures),
            below: r
                .below
                .iter()
                .map(|(u, f)| BelowBody {
                    unit_id: u.id,
                    name: u.name.clone(),
                    kind: u.kind,
                    schools: f.value(StatTable::Schools, TOTAL, TOTAL),
                    classes: f.value(StatTable::Classes, TOTAL, TOTAL),
                    learners: f.value(StatTable::Learners, TOTAL, TOTAL),
                    female: f.value(StatTable::Learners, TOTAL, "female"),
                    minority: f.value(StatTable::Learners, TOTAL, "minority"),
                    dropped_out: f.value(StatTable::Movement, TOTAL, "dropped_out"),
                    staff: f.value(StatTable::Staff, TOTAL, TOTAL),
                })
                .collect(),
        }
    }
}

/// A unit's report counted now, over the organisation tree as it was on the counting date.
#[utoipa::path(get, path = "/statistics/units/{id}", tag = "statistics",
    params(("id" = i64, Path), ReportQuery),
    responses((status = 200, body = ReportBody), (status = 400, body = Problem), (status = 404, body = Problem)))]
async fn unit_report(
    State(s): State<AppState>,
    actor: Actor,
    Path(id): Path<i64>,
    Query(q): Query<ReportQuery>,
) -> ApiResult<Json<ReportBody>> {
    let request = resolve(&s, &q).await?;
    let report = stats::live(&mut s.store.conn(), &actor.scope, id, request).await?;
    Ok(Json(ReportBody::from(&report)))
}

/// Freezing a report.
#[derive(Debug, Deserialize, ToSchema)]
pub struct SubmitBody {
    pub kind: ReportKind,
    pub school_year_id: Option<i64>,
    pub as_of: Option<NaiveDate>,
    pub note: Option<String>,
}

/// Freezes ("chốt") and submits the unit's report as counted now; later edits of the records do
/// not change it. Submitting again makes a new version.
#[utoipa::path(post, path = "/statistics/units/{id}/submissions", tag = "statistics",
    params(("id" = i64, Path)), request_body = SubmitBody,
    responses((status = 200, body = SubmissionInfo), (status = 400, body = Problem), (status = 404, body = Problem)))]
async fn submit_report(
    State(s): State<AppState>,
    actor: Actor,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<SubmitBody>,
) -> ApiResult<Json<SubmissionInfo>> {
    let request = resolve(
        &s,
        &ReportQuery {
            kind: Some(body.kind),
            school_year_id: body.school_year_id,
            as_of: body.as_of,
        },
    )
    .await?;
    Ok(Json(
        submit(&s, &actor, id, request, body.note.as_deref()).await?,
    ))
}

/// Freezing from the API or the report page.
pub(crate) async fn submit(
    s: &AppState,
    actor: &Actor,
    unit_id: i64,
    request: ReportRequest,
    note: Option<&str>,
) -> ApiResult<SubmissionInfo> {
    let user = actor.user.as_ref();
    let name = user.map_or("?", |u| u.display_name.as_str());
    let mut tx = s.store.begin().await?;
    let info = stats::submit(
        &mut tx,
        &actor.scope,
        unit_id,
        request,
        (user.map(|u| u.id), name),
        note,
    )
    .await?;
    tx.commit().await?;
    Ok(info)
}

/// A frozen report exactly as submitted.
#[utoipa::path(get, path = "/statistics/submissions/{id}", tag = "statistics",
    params(("id" = i64, Path)),
    responses((status = 200, body = ReportBody), (status = 404, body = Problem)))]
async fn submitted_report(
    State(s): State<AppState>,
    actor: Actor,
    Path(id): Path<i64>,
) -> ApiResult<Json<ReportBody>> {
    let report = stats::submitted(&mut s.store.conn(), &actor.scope, id).await?;
    Ok(Json(ReportBody::from(&report)))
}

/// The round of a status query.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RoundQuery {
    pub kind: ReportKind,
    pub school_year_id: Option<i64>,
}

/// Which schools and offices under the unit have submitted the round, with their latest version.
#[utoipa::path(get, path = "/statistics/units/{id}/submission-status", tag = "statistics",
    params(("id" = i64, Path), RoundQuery),
    responses((status = 200, body = Vec<SubmissionStatus>), (status = 404, body = Problem)))]
async fn submission_status(
    State(s): State<AppState>,
    actor: Actor,
    Path(id): Path<i64>,
    Query(q): Query<RoundQuery>,
) -> ApiResult<Json<Vec<SubmissionStatus>>> {
    let request = resolve(
        &s,
        &ReportQuery {
            kind: Some(q.kind),
            school_year_id: q.school_year_id,
            as_of: None,
        },
    )
    .await?;
    Ok(Json(
        stats::submission_status(
            &mut s.store.conn(),
            &actor.scope,
            id,
            q.kind,
            request.school_year_id,
        )
        .await?,
    ))
}

/// A cell of a report: table, row and column codes.
#[derive(Debug, Clone, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CellQuery {
    /// Mã bảng: truong, lop, hoc_sinh, dan_toc, khuyet_tat, chinh_sach, bien_dong, nhan_su.
    pub table: StatTable,
    pub row: String,
    pub col: String,
}

/// What a cell counts, or a 400 naming the part of the cell that is not in the report.
pub(crate) fn cell_conditions(cell: &CellQuery) -> ApiResult<(Cell, Conditions)> {
    let c = Cell::new(cell.table, &cell.row, &cell.col);
    let conditions = statistics::conditions(&c)
        .ok_or_else(|| ApiError::bad_request("row", "Ô số liệu này không có trong báo cáo."))?;
    Ok((c, conditions))
}

/// The right a list of records needs beyond reading statistics: learner or staff records, and
/// sensitive fields when the cell selects by them.
pub(crate) fn may_list(actor: &Actor, conditions: &Conditions) -> ApiResult<()> {
    let base = match conditions {
        Conditions::Learners(_) => Some(Permission::LearnerRead),
        Conditions::Staff(_) => Some(Permission::StaffRead),
        Conditions::Schools { .. } | Conditions::Classes(_) => None,
    };
    let allowed = base.is_none_or(|p| actor.can(p))
        && (!statistics::reveals_sensitive(conditions) || actor.can(Permission::LearnerSensitive));
    if allowed {
        Ok(())
    } else {
        Err(ApiError::Forbidden(
            "Tài khoản chỉ xem được số liệu, không xem được danh sách hồ sơ của ô này.".into(),
        ))
    }
}

/// Lists the records behind a figure and records the read in the audit trail.
pub(crate) async fn list_records(
    s: &AppState,
    actor: &Actor,
    school_id: i64,
    request: &ReportRequest,
    cell: &CellQuery,
    page: &PageRequest,
) -> ApiResult<Records> {
    let (_, conditions) = cell_conditions(cell)?;
    may_list(actor, &conditions)?;
    let records = stats::records(
        &mut s.store.conn(),
        &actor.scope,
        school_id,
        request,
        &conditions,
        page,
    )
    .await?;
    let entity = match records {
        Records::Learners(_) => Some("learner"),
        Records::Staff(_) => Some("staff"),
        Records::Classes(_) | Records::Schools(_) => None,
    };
    if let Some(entity) = entity {
        actor
            .audit_list(
                &mut s.store.conn(),
                entity,
                Some(&format!(
                    "statistics school_id={school_id} as_of={} table={} row={} col={}",
                    request.as_of,
                    cell.table.code(),
                    cell.row,
                    cell.col
                )),
            )
            .await?;
    }
    Ok(records)
}

/// The records a figure of one school counts, on the counting date.
#[utoipa::path(get, path = "/statistics/units/{id}/records", tag = "statistics",
    params(("id" = i64, Path, description = "Trường"), ReportQuery, CellQuery, PageRequest),
    responses((status = 200, body = Records), (status = 400, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem)))]
async fn figure_records(
    State(s): State<AppState>,
    actor: Actor,
    Path(id): Path<i64>,
    Query(q): Query<ReportQuery>,
    super::ListQuery(cell, page): super::ListQuery<CellQuery>,
) -> ApiResult<Json<Records>> {
    let request = resolve(&s, &q).await?;
    Ok(Json(
        list_records(&s, &actor, id, &request, &cell, &page).await?,
    ))
}

/// A table for the public: hidden counts are `null`.
#[derive(Debug, Serialize, ToSchema)]
pub struct PublicTable {
    pub title: String,
    pub columns: Vec<String>,
    pub rows: Vec<PublicRow>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PublicRow {
    pub label: String,
    pub values: Vec<Option<i64>>,
}

/// A department's latest submitted report, for everyone.
#[derive(Debug, Serialize, ToSchema)]
pub struct PublicReport {
    pub unit_name: String,
    pub kind: ReportKind,
    pub school_year: String,
    pub as_of: NaiveDate,
    pub submitted_at: chrono::DateTime<chrono::Utc>,
    /// Counts from 1 to this minus one are hidden, with what would let them be worked out.
    pub min_count: i64,
    pub tables: Vec<PublicTable>,
}

/// The public view of a report: every table with small counts suppressed.
pub(crate) fn public_tables(report: &Report, min_count: i64) -> Vec<PublicTable> {
    statistics::table_views(&report.figures)
        .into_iter()
        .map(|t| {
            let grid: Vec<Vec<i64>> = t.rows.iter().map(|r| r.values.clone()).collect();
            let shown = statistics::suppress(&grid, min_count);
            PublicTable {
                title: t.title,
                columns: t.columns.into_iter().map(|c| c.label).collect(),
                rows: t
                    .rows
                    .into_iter()
                    .zip(shown)
                    .map(|(r, shown)| PublicRow {
                        label: r.label,
                        values: shown
                            .into_iter()
                            .map(|v| match v {
                                Shown::Count(n) => Some(n),
                                Shown::Hidden => None,
                            })
                            .collect(),
                    })
                    .collect(),
            }
        })
        .collect()
}

/// The latest submitted report of every department, open to everyone: small counts that could
/// identify a person are hidden.
pub(crate) async fn public_reports(s: &AppState) -> ApiResult<Vec<PublicReport>> {
    let mut conn = s.store.conn();
    let mut out = Vec::new();
    for id in stats::latest_department_submissions(&mut conn).await? {
        let report = match stats::submitted(&mut conn, &Scope::All, id).await {
            Ok(r) => r,
            Err(StoreError::NotFound { .. }) => continue,
            Err(e) => return Err(e.into()),
        };
        let info = report.submission.clone().expect("a submitted report");
        out.push(PublicReport {
            unit_name: report.unit.name.clone(),
            kind: report.request.kind,
            school_year: report.school_year.code.clone(),
            as_of: report.request.as_of,
            submitted_at: info.submitted_at,
            min_count: s.statistics.public_min_count,
            tables: public_tables(&report, s.statistics.public_min_count),
        });
    }
    Ok(out)
}

/// Every department's latest submitted report, with small counts hidden (no account needed).
#[utoipa::path(get, path = "/public/statistics", tag = "statistics", security(()),
    responses((status = 200, body = Vec<PublicReport>)))]
async fn public_report(State(s): State<AppState>) -> ApiResult<Json<Vec<PublicReport>>> {
    Ok(Json(public_reports(&s).await?))
}
