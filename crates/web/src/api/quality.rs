//! Data quality: the rules in force and their settings, a unit's dashboard, the drill-down to
//! faulty records (a read of personal data, audited), and the duplicate cases with their
//! resolution.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, Ordering};

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use truongso_domain::quality::{QualitySettings, RuleCode};
use truongso_store::audit::AuditAction;
use truongso_store::quality::{
    self, Decider, DuplicateCase, DuplicateFilter, IssueFilter, IssueRow, Resolution, RuleChange,
    RuleState, UnitQuality,
};
use truongso_store::{Page, PageRequest, Store};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::{ApiJson, ListQuery, today};
use crate::AppState;
use crate::actor::Actor;
use crate::error::{ApiError, ApiResult, Problem};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(rules))
        .routes(routes!(set_rule))
        .routes(routes!(settings, set_settings))
        .routes(routes!(scan))
        .routes(routes!(unit))
        .routes(routes!(issues))
        .routes(routes!(duplicates))
        .routes(routes!(duplicate))
        .routes(routes!(resolve))
}

/// The rules with their state in force (defaults from the shipped rules file, overrides stored).
#[utoipa::path(get, path = "/quality/rules", tag = "quality",
    responses((status = 200, body = Vec<RuleState>)))]
async fn rules(State(s): State<AppState>) -> ApiResult<Json<Vec<RuleState>>> {
    Ok(Json(quality::rule_states(&mut s.store.conn()).await?))
}

/// The account's name for "changed by".
pub fn by(actor: &Actor) -> String {
    actor.username().unwrap_or("(không rõ)").to_string()
}

/// Parses a rule code from the path, naming it in Vietnamese when unknown.
pub fn rule_code(code: &str) -> ApiResult<RuleCode> {
    code.parse()
        .map_err(|_| ApiError::bad_request("code", format!("Không có quy tắc '{code}'.")))
}

/// Enable or disable a rule, or change its severity (applies from the next check of each record;
/// `POST /quality/scan` re-checks everything).
#[utoipa::path(put, path = "/quality/rules/{code}", tag = "quality", params(("code" = String, Path)),
    request_body = RuleChange,
    responses((status = 200, body = Vec<RuleState>), (status = 400, body = Problem)))]
async fn set_rule(
    State(s): State<AppState>,
    actor: Actor,
    Path(code): Path<String>,
    ApiJson(change): ApiJson<RuleChange>,
) -> ApiResult<Json<Vec<RuleState>>> {
    let code = rule_code(&code)?;
    let mut tx = s.store.begin().await?;
    quality::set_rule(&mut tx, code, &change, &by(&actor)).await?;
    audit_setting(&actor, &mut tx, None).await?;
    tx.commit().await?;
    Ok(Json(quality::rule_states(&mut s.store.conn()).await?))
}

async fn audit_setting(
    actor: &Actor,
    tx: &mut truongso_store::Tx,
    org: Option<i64>,
) -> ApiResult<()> {
    actor
        .audit(
            &mut tx.conn(),
            AuditAction::Update,
            "quality_settings",
            None,
            org,
        )
        .await?;
    Ok(())
}

/// The settings in force: the ID-indicator targets, the age tolerance, the class maxima.
#[utoipa::path(get, path = "/quality/settings", tag = "quality",
    responses((status = 200, body = QualitySettings)))]
async fn settings(State(s): State<AppState>) -> ApiResult<Json<QualitySettings>> {
    Ok(Json(quality::config(&mut s.store.conn()).await?.settings))
}

/// Change settings: an object of setting keys to whole numbers (as in the GET), all or none.
#[utoipa::path(put, path = "/quality/settings", tag = "quality",
    request_body = BTreeMap<String, i64>,
    responses((status = 200, body = QualitySettings), (status = 400, body = Problem), (status = 422, body = Problem)))]
async fn set_settings(
    State(s): State<AppState>,
    actor: Actor,
    ApiJson(values): ApiJson<BTreeMap<String, i64>>,
) -> ApiResult<Json<QualitySettings>> {
    let values = values
        .into_iter()
        .map(|(k, v)| (k, v.to_string()))
        .collect();
    let mut tx = s.store.begin().await?;
    let settings = quality::set_settings(&mut tx, &values, &by(&actor)).await?;
    audit_setting(&actor, &mut tx, None).await?;
    tx.commit().await?;
    Ok(Json(settings))
}

/// Whether a scan is running in this process (one at a time).
static SCANNING: AtomicBool = AtomicBool::new(false);

/// Starts a whole-database scan in the background; `false` when one is already running.
pub fn start_scan(store: &Store) -> bool {
    if SCANNING.swap(true, Ordering::SeqCst) {
        return false;
    }
    let store = store.clone();
    tokio::spawn(async move {
        match quality::scan(&store, |_, _| {}).await {
            Ok(r) => tracing::info!(
                learners = r.learners,
                issues = r.issues,
                secs = r.elapsed.as_secs_f64(),
                "quality scan done"
            ),
            Err(e) => tracing::error!(error = %e, "quality scan failed"),
        }
        SCANNING.store(false, Ordering::SeqCst);
    });
    true
}

/// Re-check the whole database in the background (after changing rules or settings).
#[utoipa::path(post, path = "/quality/scan", tag = "quality",
    responses((status = 202, description = "Scan started"), (status = 409, body = Problem)))]
async fn scan(State(s): State<AppState>, actor: Actor) -> ApiResult<StatusCode> {
    if !start_scan(&s.store) {
        return Err(truongso_store::StoreError::conflict(
            "scan",
            "Đang có một lượt kiểm tra chạy; vui lòng đợi.",
        )
        .into());
    }
    actor
        .audit(
            &mut s.store.conn(),
            AuditAction::Update,
            "quality_scan",
            None,
            None,
        )
        .await?;
    Ok(StatusCode::ACCEPTED)
}

/// A unit's data quality: score, completeness, issues by rule, the units (or, for a school,
/// the classes) below ranked worst first, and the ID indicator for grades 9–12 against target.
#[utoipa::path(get, path = "/quality/units/{id}", tag = "quality", params(("id" = i64, Path)),
    responses((status = 200, body = UnitQuality), (status = 404, body = Problem)))]
async fn unit(
    State(s): State<AppState>,
    actor: Actor,
    Path(id): Path<i64>,
) -> ApiResult<Json<UnitQuality>> {
    Ok(Json(
        quality::unit_quality(&mut s.store.conn(), &actor.scope, id).await?,
    ))
}

/// Faulty records in the caller's scope, by rule and unit, each with what fixes it. Audited as a
/// list of learner records.
#[utoipa::path(get, path = "/quality/issues", tag = "quality", params(IssueFilter, PageRequest),
    responses((status = 200, body = Page<IssueRow>), (status = 400, body = Problem), (status = 404, body = Problem)))]
async fn issues(
    State(s): State<AppState>,
    actor: Actor,
    uri: axum::http::Uri,
    ListQuery(filter, page): ListQuery<IssueFilter>,
) -> ApiResult<Json<Page<IssueRow>>> {
    let mut conn = s.store.conn();
    let found = quality::issues(&mut conn, &actor.scope, &filter, &page).await?;
    actor.audit_list(&mut conn, "learner", uri.query()).await?;
    Ok(Json(found))
}

/// Cases of the same personal ID on learner records of two schools, visible to both schools.
#[utoipa::path(get, path = "/quality/duplicates", tag = "quality", params(DuplicateFilter, PageRequest),
    responses((status = 200, body = Page<DuplicateCase>), (status = 400, body = Problem), (status = 422, body = Problem)))]
async fn duplicates(
    State(s): State<AppState>,
    actor: Actor,
    uri: axum::http::Uri,
    ListQuery(filter, page): ListQuery<DuplicateFilter>,
) -> ApiResult<Json<Page<DuplicateCase>>> {
    let mut conn = s.store.conn();
    let found = quality::duplicates(&mut conn, &actor.scope, &filter, &page).await?;
    actor.audit_list(&mut conn, "learner", uri.query()).await?;
    Ok(Json(found))
}

/// One duplicate case, with both records and their enrolments this school year.
#[utoipa::path(get, path = "/quality/duplicates/{id}", tag = "quality", params(("id" = i64, Path)),
    responses((status = 200, body = DuplicateCase), (status = 404, body = Problem)))]
async fn duplicate(
    State(s): State<AppState>,
    actor: Actor,
    Path(id): Path<i64>,
) -> ApiResult<Json<DuplicateCase>> {
    Ok(Json(read_case(&s, &actor, id).await?))
}

/// Reads a case for the actor, recording the read of both learner records.
pub async fn read_case(s: &AppState, actor: &Actor, id: i64) -> ApiResult<DuplicateCase> {
    let mut conn = s.store.conn();
    let case = quality::duplicate(&mut conn, &actor.scope, id).await?;
    actor
        .audit_list(&mut conn, "learner", Some(&format!("duplicate_case={id}")))
        .await?;
    Ok(case)
}

/// Decide which record is the learner's current one: the other school's enrolment this year
/// becomes "transferred out" with the case as reason; both schools see the decision.
#[utoipa::path(post, path = "/quality/duplicates/{id}/resolve", tag = "quality", params(("id" = i64, Path)),
    request_body = Resolution,
    responses((status = 200, body = DuplicateCase), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn resolve(
    State(s): State<AppState>,
    actor: Actor,
    Path(id): Path<i64>,
    ApiJson(resolution): ApiJson<Resolution>,
) -> ApiResult<Json<DuplicateCase>> {
    Ok(Json(resolve_case(&s, &actor, id, &resolution).await?))
}

/// Resolves a case as the actor, audited under both schools.
pub async fn resolve_case(
    s: &AppState,
    actor: &Actor,
    id: i64,
    resolution: &Resolution,
) -> ApiResult<DuplicateCase> {
    let decider = Decider {
        user_id: actor.user.as_ref().map(|u| u.id),
        name: actor.user.as_ref().map_or_else(
            || by(actor),
            |u| format!("{} ({})", u.display_name, u.username),
        ),
    };
    let mut tx = s.store.begin().await?;
    let case = quality::resolve(&mut tx, &actor.scope, id, resolution, &decider, today()).await?;
    for side in [&case.a, &case.b] {
        actor
            .audit(
                &mut tx.conn(),
                AuditAction::Update,
                "enrolment",
                side.enrolment_id,
                Some(side.school_id),
            )
            .await?;
    }
    tx.commit().await?;
    Ok(case)
}
