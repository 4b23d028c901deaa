//! The staff side of admission over the API: the verification queue of a campaign, an
//! application with its choices and documents, the review (verify, request a correction,
//! reject), and the import of grade-10 exam scores.
//!
//! The route table lets a role in (admission.review; admission.manage for the score import);
//! the store then narrows to the actor's reach in the campaign — the owner's officers see every
//! application, school staff those whose first choice is their school. Every staff read and
//! write of an application is audited. Pages call the same functions.

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use truongso_domain::tabular::read_table;
use truongso_store::admission::review::{
    self, ImportReport, QueueFilter, QueueRow, ReviewInput, StatusCount,
};
use truongso_store::admission::{self as adm, Application, Campaign, Choice, Document};
use truongso_store::audit::{self, AuditAction};
use truongso_store::{PageRequest, StoreError};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::{ApiJson, ListQuery};
use crate::AppState;
use crate::actor::Actor;
use crate::error::{ApiError, ApiResult, Problem};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(queue))
        .routes(routes!(read_application))
        .routes(routes!(review_application))
        .routes(routes!(read_document))
        .routes(routes!(import_scores))
}

/// What the audit trail calls an application.
pub(crate) const ENTITY: &str = "adm_application";

/// A campaign the actor reaches (404 outside it).
pub(crate) async fn load_campaign(s: &AppState, actor: &Actor, id: i64) -> ApiResult<Campaign> {
    Ok(adm::campaign_in_scope(&mut s.store.conn(), &actor.scope, id).await?)
}

/// The queue of a campaign: one page of applications and the count per status.
#[derive(Debug, Serialize, ToSchema)]
pub struct ApplicationQueue {
    pub items: Vec<QueueRow>,
    pub total: u64,
    pub page: u64,
    pub per_page: u64,
    /// Per status, under the same filters but the status (the tabs of the queue).
    pub counts: Vec<StatusCount>,
}

pub(crate) async fn queue_of(
    s: &AppState,
    actor: &Actor,
    campaign: &Campaign,
    filter: &QueueFilter,
    page: &PageRequest,
) -> ApiResult<ApplicationQueue> {
    let mut conn = s.store.conn();
    let p = review::queue(&mut conn, &actor.scope, campaign, filter, page).await?;
    let counts = review::status_counts(&mut conn, &actor.scope, campaign, filter).await?;
    let query = format!(
        "campaign={} status={} school={} q={} priority={}",
        campaign.id,
        filter.status.map_or("", |x| x.code()),
        filter.school_id.map(|x| x.to_string()).unwrap_or_default(),
        filter.q.as_deref().unwrap_or_default(),
        filter
            .has_priority
            .map(|x| x.to_string())
            .unwrap_or_default()
    );
    actor.audit_list(&mut conn, ENTITY, Some(&query)).await?;
    Ok(ApplicationQueue {
        items: p.items,
        total: p.total,
        page: p.page,
        per_page: p.per_page,
        counts,
    })
}

/// The applications of a campaign in the actor's reach, oldest submission first, with the
/// count per status. `q` finds a name (diacritics optional), a national ID or a tracking code.
#[utoipa::path(get, path = "/admission/campaigns/{campaign_id}/applications", tag = "admission",
    params(("campaign_id" = i64, Path), QueueFilter, PageRequest),
    responses((status = 200, body = ApplicationQueue), (status = 400, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
async fn queue(
    State(s): State<AppState>,
    actor: Actor,
    Path(campaign_id): Path<i64>,
    ListQuery(filter, page): ListQuery<QueueFilter>,
) -> ApiResult<Json<ApplicationQueue>> {
    let campaign = load_campaign(&s, &actor, campaign_id).await?;
    Ok(Json(queue_of(&s, &actor, &campaign, &filter, &page).await?))
}

/// An application as staff see it.
#[derive(Debug, Serialize, ToSchema)]
pub struct StaffApplication {
    pub application: Application,
    pub choices: Vec<Choice>,
    pub documents: Vec<Document>,
}

/// The school the audit trail files an application under: its first choice, else the owner.
fn audit_org(campaign: &Campaign, choices: &[Choice]) -> i64 {
    choices.first().map_or(campaign.owner_id, |c| c.school_id)
}

/// Reads an application for staff (audited).
pub(crate) async fn staff_view(
    s: &AppState,
    actor: &Actor,
    campaign: &Campaign,
    application_id: i64,
) -> ApiResult<StaffApplication> {
    let mut conn = s.store.conn();
    let application =
        review::application_for_staff(&mut conn, &actor.scope, campaign, application_id).await?;
    let choices = adm::choices(&mut conn, application.id).await?;
    let documents = adm::documents(&mut conn, application.id).await?;
    actor
        .audit(
            &mut conn,
            AuditAction::Read,
            ENTITY,
            Some(application.id),
            Some(audit_org(campaign, &choices)),
        )
        .await?;
    Ok(StaffApplication {
        application,
        choices,
        documents,
    })
}

/// An application of the campaign with its choices and documents (not found outside the
/// actor's reach).
#[utoipa::path(get, path = "/admission/campaigns/{campaign_id}/applications/{application_id}", tag = "admission",
    params(("campaign_id" = i64, Path), ("application_id" = i64, Path)),
    responses((status = 200, body = StaffApplication), (status = 404, body = Problem)))]
async fn read_application(
    State(s): State<AppState>,
    actor: Actor,
    Path((campaign_id, application_id)): Path<(i64, i64)>,
) -> ApiResult<Json<StaffApplication>> {
    let campaign = load_campaign(&s, &actor, campaign_id).await?;
    Ok(Json(
        staff_view(&s, &actor, &campaign, application_id).await?,
    ))
}

/// Records a review in one transaction with its audit entry and the guardian's message.
pub(crate) async fn review_of(
    s: &AppState,
    actor: &Actor,
    campaign: &Campaign,
    application_id: i64,
    input: &ReviewInput,
) -> ApiResult<Application> {
    let mut tx = s.store.begin().await?;
    let current =
        review::application_for_staff(&mut tx.conn(), &actor.scope, campaign, application_id)
            .await?;
    let reviewer = actor.username().unwrap_or("(không rõ)").to_string();
    let updated = review::review(&mut tx, &actor.scope, &current, input, &reviewer).await?;
    let choices = adm::choices(&mut tx.conn(), updated.id).await?;
    actor
        .audit(
            &mut tx.conn(),
            AuditAction::Update,
            ENTITY,
            Some(updated.id),
            Some(audit_org(campaign, &choices)),
        )
        .await?;
    tx.commit().await?;
    Ok(updated)
}

/// Verifies an application, asks the guardian for a correction, or rejects it (a note is
/// required unless verifying), confirming or clearing the priority group and deciding on each
/// document; the guardian is sent a message. Only before results are published (409 after).
#[utoipa::path(post, path = "/admission/campaigns/{campaign_id}/applications/{application_id}/review", tag = "admission",
    params(("campaign_id" = i64, Path), ("application_id" = i64, Path)),
    request_body = ReviewInput,
    responses((status = 200, body = StaffApplication), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn review_application(
    State(s): State<AppState>,
    actor: Actor,
    Path((campaign_id, application_id)): Path<(i64, i64)>,
    ApiJson(body): ApiJson<ReviewInput>,
) -> ApiResult<Json<StaffApplication>> {
    let campaign = load_campaign(&s, &actor, campaign_id).await?;
    review_of(&s, &actor, &campaign, application_id, &body).await?;
    Ok(Json(
        staff_view(&s, &actor, &campaign, application_id).await?,
    ))
}

/// A document's bytes for viewing (audited); images are shown inline, anything else is
/// downloaded.
pub(crate) async fn document_response(
    s: &AppState,
    actor: &Actor,
    campaign: &Campaign,
    document_id: i64,
) -> ApiResult<Response> {
    let mut conn = s.store.conn();
    let (info, bytes, campaign_id) = review::document(&mut conn, &actor.scope, document_id).await?;
    if campaign_id != campaign.id {
        return Err(StoreError::not_found("giấy tờ").into());
    }
    actor
        .audit(
            &mut conn,
            AuditAction::Read,
            "adm_document",
            Some(info.id),
            Some(campaign.owner_id),
        )
        .await?;
    let inline = matches!(info.content_type.as_str(), "image/jpeg" | "image/png");
    let ascii: String = info
        .file_name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '.' || c == '-' {
                c
            } else {
                '_'
            }
        })
        .collect();
    let disposition = format!(
        "{}; filename=\"{ascii}\"",
        if inline { "inline" } else { "attachment" }
    );
    Ok((
        [
            (header::CONTENT_TYPE, info.content_type),
            (header::CONTENT_DISPOSITION, disposition),
            (header::CACHE_CONTROL, "private, no-store".to_string()),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff".to_string()),
        ],
        bytes,
    )
        .into_response())
}

/// A document of an application (its bytes, with the type found at upload).
#[utoipa::path(get, path = "/admission/campaigns/{campaign_id}/documents/{document_id}", tag = "admission",
    params(("campaign_id" = i64, Path), ("document_id" = i64, Path)),
    responses((status = 200, content_type = "application/octet-stream", body = Vec<u8>), (status = 404, body = Problem)))]
async fn read_document(
    State(s): State<AppState>,
    actor: Actor,
    Path((campaign_id, document_id)): Path<(i64, i64)>,
) -> ApiResult<Response> {
    let campaign = load_campaign(&s, &actor, campaign_id).await?;
    document_response(&s, &actor, &campaign, document_id).await
}

/// Reads a score file and imports it in one transaction, auditing every application changed.
pub(crate) async fn import_file(
    s: &AppState,
    actor: &Actor,
    campaign: &Campaign,
    bytes: Bytes,
) -> ApiResult<ImportReport> {
    review::import_allowed(&mut s.store.conn(), &actor.scope, campaign).await?;
    let table = tokio::task::spawn_blocking(move || read_table(&bytes))
        .await
        .map_err(|e| ApiError::Internal(e.to_string()))?
        .map_err(|e| StoreError::invalid("file", e.to_string()))?;
    let mut tx = s.store.begin().await?;
    let report = review::import_scores(&mut tx, &actor.scope, campaign, &table).await?;
    let entries: Vec<(AuditAction, i64, i64)> = report
        .application_ids
        .iter()
        .map(|id| (AuditAction::Update, *id, campaign.owner_id))
        .collect();
    audit::record_many(
        &mut tx.conn(),
        &actor.audit_actor(),
        ENTITY,
        &entries,
        Some("điểm thi lớp 10"),
    )
    .await?;
    tx.commit().await?;
    Ok(report)
}

/// Imports grade-10 exam scores: the body is an .xlsx (or .csv) file with the columns Số báo
/// danh, Mã định danh, Họ và tên, Ngày sinh, Toán, Ngữ văn, Ngoại ngữ. Each row must match an
/// application of the campaign by national ID with the same name and birth date; any bad row
/// writes nothing (422 naming every bad row and column). Only the campaign's owner imports.
#[utoipa::path(post, path = "/admission/campaigns/{campaign_id}/scores", tag = "admission",
    params(("campaign_id" = i64, Path)),
    request_body(content = Vec<u8>, content_type = "application/octet-stream"),
    responses((status = 200, body = ImportReport), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn import_scores(
    State(s): State<AppState>,
    actor: Actor,
    Path(campaign_id): Path<i64>,
    body: Bytes,
) -> ApiResult<Json<ImportReport>> {
    let campaign = load_campaign(&s, &actor, campaign_id).await?;
    Ok(Json(import_file(&s, &actor, &campaign, body).await?))
}
