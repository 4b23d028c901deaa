//! The staff side of admission: the verification queue, document review, requests for
//! correction, priority groups, the import of grade-10 exam scores.
//!
//! Reach: the officers of the unit running a campaign (its scope contains the owner) see every
//! application of it; anyone else sees the applications whose first choice (grades 1/6: the
//! chosen school) is a school in their scope; nobody else anything. An application outside the
//! reach is not found, exactly like one that does not exist.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, NaiveDate, Utc};
use sea_query::{Condition, Expr, ExprTrait, Order, Query, SelectStatement};
use serde::{Deserialize, Serialize};
use truongso_domain::admission::Points;
use truongso_domain::tabular::{Cell, Table, TableRow, from_excel_serial, parse_date_vn};
use truongso_domain::text::fold;
use truongso_domain::validation::Checker;
use truongso_domain::{FieldError, Invalid};

use super::{
    Application, ApplicationStatus, Campaign, CampaignStatus, DOCUMENT_COLUMNS, Document,
    documents, select_applications,
};
use crate::schema::{AdmApplications, AdmChoices, AdmDocuments, OrgUnits};
use crate::scope::{OrgReach, path_prefix};
use crate::{Conn, Page, PageRequest, Scope, StoreError, StoreResult, Tx};

/// How far an actor reaches into one campaign's applications.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reach {
    /// The campaign's owner (or an operator): every application.
    All,
    /// Applications whose first choice lies under this org path.
    FirstChoiceUnder(String),
    Nothing,
}

/// The actor's reach into `campaign`.
pub async fn reach(conn: &mut Conn<'_>, scope: &Scope, campaign: &Campaign) -> StoreResult<Reach> {
    if super::manages(conn, scope, campaign).await? {
        return Ok(Reach::All);
    }
    Ok(match scope.org_reach() {
        OrgReach::All => Reach::All,
        OrgReach::Subtree(path) => Reach::FirstChoiceUnder(path.to_string()),
        OrgReach::Nothing => Reach::Nothing,
    })
}

/// Filters of the queue (all optional).
#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams, utoipa::ToSchema)]
#[into_params(parameter_in = Query)]
pub struct QueueFilter {
    pub status: Option<ApplicationStatus>,
    /// First choice (grades 1/6: the chosen school).
    pub school_id: Option<i64>,
    /// Name (without diacritics is fine), national ID or tracking code.
    pub q: Option<String>,
    /// Only applications claiming (true) or not claiming (false) a priority group.
    pub has_priority: Option<bool>,
}

/// One line of the queue.
#[derive(Debug, Clone, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct QueueRow {
    pub id: i64,
    pub tracking_code: String,
    pub full_name: String,
    pub birth_date: NaiveDate,
    pub first_choice_id: Option<i64>,
    pub first_choice_name: Option<String>,
    #[sqlx(try_from = "String")]
    pub status: ApplicationStatus,
    pub priority_group: Option<i32>,
    pub documents: i64,
    pub pending_documents: i64,
    pub submitted_at: DateTime<Utc>,
}

/// How many applications of the queue (its filters but the status) have each status.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct StatusCount {
    pub status: ApplicationStatus,
    pub count: u64,
}

pub const QUEUE_SORTS: &[&str] = &["submitted_at", "full_name", "tracking_code", "birth_date"];

/// Most matches a name search pages through (a name is not a way to list everyone).
const MAX_NAME_MATCHES: usize = 5_000;

/// `adm_applications` with its first choice's school joined as `org_units` (so that the
/// reach is a path range on it).
fn queue_from() -> SelectStatement {
    Query::select()
        .from(AdmApplications::Table)
        .left_join(
            AdmChoices::Table,
            Expr::col((AdmChoices::Table, AdmChoices::ApplicationId))
                .equals((AdmApplications::Table, AdmApplications::Id))
                .and(Expr::col((AdmChoices::Table, AdmChoices::Rank)).eq(1)),
        )
        .left_join(
            OrgUnits::Table,
            Expr::col((OrgUnits::Table, OrgUnits::Id))
                .equals((AdmChoices::Table, AdmChoices::SchoolId)),
        )
        .to_owned()
}

/// The applications of the campaign within the reach (`None`: nothing is reached).
fn reach_condition(campaign: &Campaign, reach: &Reach) -> Option<Condition> {
    let base = Condition::all()
        .add(Expr::col((AdmApplications::Table, AdmApplications::CampaignId)).eq(campaign.id));
    match reach {
        Reach::All => Some(base),
        Reach::FirstChoiceUnder(path) => Some(base.add(path_prefix(path))),
        Reach::Nothing => None,
    }
}

/// The filters other than the status and the name search.
fn filter_condition(mut cond: Condition, filter: &QueueFilter) -> Condition {
    if let Some(school) = filter.school_id {
        cond = cond.add(Expr::col((AdmChoices::Table, AdmChoices::SchoolId)).eq(school));
    }
    match filter.has_priority {
        Some(true) => {
            cond = cond.add(
                Expr::col((AdmApplications::Table, AdmApplications::PriorityGroup)).is_not_null(),
            )
        }
        Some(false) => {
            cond = cond
                .add(Expr::col((AdmApplications::Table, AdmApplications::PriorityGroup)).is_null())
        }
        None => {}
    }
    cond
}

/// What a search text looks for.
enum Search {
    TrackingCode(String),
    NationalId(String),
    Name(String),
}

fn search_of(q: Option<&str>) -> Option<Search> {
    let t = q.map(str::trim).filter(|t| !t.is_empty())?;
    if let Some(code) = truongso_domain::admission::canonical_tracking_code(t) {
        return Some(Search::TrackingCode(code));
    }
    if t.chars().all(|c| c.is_ascii_digit()) {
        return Some(Search::NationalId(t.to_string()));
    }
    Some(Search::Name(fold(t)))
}

/// Adds the search to the condition. A name is matched on its folded form in Rust (the table
/// keeps no folded column): every word of the query must start a word of the name.
async fn with_search(
    conn: &mut Conn<'_>,
    cond: Condition,
    search: Option<Search>,
) -> StoreResult<Condition> {
    Ok(match search {
        None => cond,
        Some(Search::TrackingCode(code)) => {
            cond.add(Expr::col((AdmApplications::Table, AdmApplications::TrackingCode)).eq(code))
        }
        Some(Search::NationalId(id)) => {
            cond.add(Expr::col((AdmApplications::Table, AdmApplications::NationalId)).eq(id))
        }
        Some(Search::Name(key)) => {
            let names: Vec<(i64, String)> = conn
                .fetch_all(
                    queue_from()
                        .column((AdmApplications::Table, AdmApplications::Id))
                        .column((AdmApplications::Table, AdmApplications::FullName))
                        .cond_where(cond.clone()),
                )
                .await?;
            let words: Vec<&str> = key.split(' ').collect();
            let ids: Vec<i64> = names
                .into_iter()
                .filter(|(_, name)| {
                    let folded = fold(name);
                    let parts: Vec<&str> = folded.split(' ').collect();
                    words.iter().all(|w| parts.iter().any(|p| p.starts_with(w)))
                })
                .map(|(id, _)| id)
                .take(MAX_NAME_MATCHES)
                .collect();
            cond.add(Expr::col((AdmApplications::Table, AdmApplications::Id)).is_in(ids))
        }
    })
}

fn count_expr(pending_only: bool) -> Expr {
    let pending = if pending_only {
        " AND d.status = 'pending'"
    } else {
        ""
    };
    Expr::cust(format!(
        "(SELECT COUNT(*) FROM adm_documents d WHERE d.application_id = adm_applications.id{pending})"
    ))
}

/// The verification queue of a campaign: the applications in the actor's reach matching the
/// filter, oldest submission first (or by `page.sort`).
pub async fn queue(
    conn: &mut Conn<'_>,
    scope: &Scope,
    campaign: &Campaign,
    filter: &QueueFilter,
    page: &PageRequest,
) -> StoreResult<Page<QueueRow>> {
    let sort = page
        .sort_field(QUEUE_SORTS)
        .map_err(|m| StoreError::invalid("sort", m))?;
    let empty = Page {
        items: vec![],
        total: 0,
        page: page.page(),
        per_page: page.per_page(),
    };
    let r = reach(conn, scope, campaign).await?;
    let Some(cond) = reach_condition(campaign, &r) else {
        return Ok(empty);
    };
    let mut cond = filter_condition(cond, filter);
    if let Some(status) = filter.status {
        cond = cond
            .add(Expr::col((AdmApplications::Table, AdmApplications::Status)).eq(status.code()));
    }
    let cond = with_search(conn, cond, search_of(filter.q.as_deref())).await?;
    let (total,): (i64,) = conn
        .fetch_one(
            queue_from()
                .expr(Expr::cust("COUNT(*)"))
                .cond_where(cond.clone()),
        )
        .await?;
    let (col, desc) = match sort {
        Some(("full_name", d)) => (AdmApplications::FullName, d),
        Some(("tracking_code", d)) => (AdmApplications::TrackingCode, d),
        Some(("birth_date", d)) => (AdmApplications::BirthDate, d),
        Some((_, d)) => (AdmApplications::SubmittedAt, d),
        None => (AdmApplications::SubmittedAt, false),
    };
    let order = if desc { Order::Desc } else { Order::Asc };
    let items: Vec<QueueRow> = conn
        .fetch_all(
            queue_from()
                .column((AdmApplications::Table, AdmApplications::Id))
                .column((AdmApplications::Table, AdmApplications::TrackingCode))
                .column((AdmApplications::Table, AdmApplications::FullName))
                .column((AdmApplications::Table, AdmApplications::BirthDate))
                .expr_as(
                    Expr::col((AdmChoices::Table, AdmChoices::SchoolId)),
                    "first_choice_id",
                )
                .expr_as(
                    Expr::col((OrgUnits::Table, OrgUnits::Name)),
                    "first_choice_name",
                )
                .column((AdmApplications::Table, AdmApplications::Status))
                .column((AdmApplications::Table, AdmApplications::PriorityGroup))
                .expr_as(count_expr(false), "documents")
                .expr_as(count_expr(true), "pending_documents")
                .column((AdmApplications::Table, AdmApplications::SubmittedAt))
                .cond_where(cond)
                .order_by((AdmApplications::Table, col), order)
                .order_by((AdmApplications::Table, AdmApplications::Id), Order::Asc)
                .limit(page.per_page())
                .offset(page.offset()),
        )
        .await?;
    Ok(Page {
        items,
        total: total as u64,
        page: page.page(),
        per_page: page.per_page(),
    })
}

/// The number of applications per status under the queue's filters (its status aside), every
/// status listed (zero included), in the order of the workflow.
pub async fn status_counts(
    conn: &mut Conn<'_>,
    scope: &Scope,
    campaign: &Campaign,
    filter: &QueueFilter,
) -> StoreResult<Vec<StatusCount>> {
    let r = reach(conn, scope, campaign).await?;
    let mut found: HashMap<String, i64> = HashMap::new();
    if let Some(cond) = reach_condition(campaign, &r) {
        let cond = filter_condition(cond, filter);
        let cond = with_search(conn, cond, search_of(filter.q.as_deref())).await?;
        let rows: Vec<(String, i64)> = conn
            .fetch_all(
                queue_from()
                    .column((AdmApplications::Table, AdmApplications::Status))
                    .expr(Expr::cust("COUNT(*)"))
                    .cond_where(cond)
                    .group_by_col((AdmApplications::Table, AdmApplications::Status)),
            )
            .await?;
        found.extend(rows);
    }
    Ok(ALL_STATUSES
        .iter()
        .map(|s| StatusCount {
            status: *s,
            count: found.get(s.code()).copied().unwrap_or(0) as u64,
        })
        .collect())
}

pub const ALL_STATUSES: [ApplicationStatus; 5] = [
    ApplicationStatus::Submitted,
    ApplicationStatus::NeedsCorrection,
    ApplicationStatus::Verified,
    ApplicationStatus::Rejected,
    ApplicationStatus::Withdrawn,
];

/// Whether the application lies in the reach.
async fn in_reach(
    conn: &mut Conn<'_>,
    campaign: &Campaign,
    r: &Reach,
    application_id: i64,
) -> StoreResult<bool> {
    let Some(cond) = reach_condition(campaign, r) else {
        return Ok(false);
    };
    let found: Option<(i64,)> = conn
        .fetch_optional(
            queue_from()
                .column((AdmApplications::Table, AdmApplications::Id))
                .cond_where(cond.add(
                    Expr::col((AdmApplications::Table, AdmApplications::Id)).eq(application_id),
                )),
        )
        .await?;
    Ok(found.is_some())
}

/// An application of the campaign for staff (not found outside the actor's reach).
pub async fn application_for_staff(
    conn: &mut Conn<'_>,
    scope: &Scope,
    campaign: &Campaign,
    id: i64,
) -> StoreResult<Application> {
    let r = reach(conn, scope, campaign).await?;
    if !in_reach(conn, campaign, &r, id).await? {
        return Err(StoreError::not_found("hồ sơ tuyển sinh"));
    }
    conn.fetch_optional(
        select_applications()
            .and_where(Expr::col((AdmApplications::Table, AdmApplications::Id)).eq(id)),
    )
    .await?
    .ok_or(StoreError::not_found("hồ sơ tuyển sinh"))
}

/// A document with its bytes, for viewing: found only when its application is in the actor's
/// reach. Returns the application's campaign id too (a route names the campaign).
pub async fn document(
    conn: &mut Conn<'_>,
    scope: &Scope,
    id: i64,
) -> StoreResult<(Document, Vec<u8>, i64)> {
    let missing = || StoreError::not_found("giấy tờ");
    let info: Document = conn
        .fetch_optional(
            Query::select()
                .columns(DOCUMENT_COLUMNS)
                .from(AdmDocuments::Table)
                .and_where(Expr::col(AdmDocuments::Id).eq(id)),
        )
        .await?
        .ok_or_else(missing)?;
    let (campaign_id,): (i64,) = conn
        .fetch_one(
            Query::select()
                .column(AdmApplications::CampaignId)
                .from(AdmApplications::Table)
                .and_where(Expr::col(AdmApplications::Id).eq(info.application_id)),
        )
        .await?;
    let campaign = super::campaign(conn, campaign_id).await?;
    let r = reach(conn, scope, &campaign).await?;
    if !in_reach(conn, &campaign, &r, info.application_id).await? {
        return Err(missing());
    }
    let (bytes,): (Vec<u8>,) = conn
        .fetch_one(
            Query::select()
                .column(AdmDocuments::Content)
                .from(AdmDocuments::Table)
                .and_where(Expr::col(AdmDocuments::Id).eq(id)),
        )
        .await?;
    Ok((info, bytes, campaign_id))
}

/// What staff decide about an application.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ReviewDecision {
    /// Checked: the application takes part in the assignment.
    Verify,
    /// The guardian must correct something (said in the note).
    RequestCorrection,
    /// Not eligible (the reason in the note).
    Reject,
}

impl ReviewDecision {
    pub fn status(self) -> ApplicationStatus {
        match self {
            ReviewDecision::Verify => ApplicationStatus::Verified,
            ReviewDecision::RequestCorrection => ApplicationStatus::NeedsCorrection,
            ReviewDecision::Reject => ApplicationStatus::Rejected,
        }
    }
}

/// What staff decide about one document.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum DocumentDecision {
    Accepted,
    Rejected,
}

impl DocumentDecision {
    pub fn code(self) -> &'static str {
        match self {
            DocumentDecision::Accepted => "accepted",
            DocumentDecision::Rejected => "rejected",
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct DocumentReview {
    pub document_id: i64,
    pub status: DocumentDecision,
    #[serde(default)]
    pub note: Option<String>,
}

/// A review of an application.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ReviewInput {
    pub decision: ReviewDecision,
    /// Told to the guardian; required unless verifying.
    #[serde(default)]
    pub note: Option<String>,
    /// The priority group staff confirm (1–3), or none (a claimed group cleared).
    #[serde(default)]
    pub priority_group: Option<i32>,
    #[serde(default)]
    pub documents: Vec<DocumentReview>,
}

const MAX_NOTE: usize = 2_000;

fn clean_note(note: Option<&str>) -> Option<String> {
    note.map(truongso_domain::text::clean)
        .filter(|n| !n.is_empty())
}

/// Records a review: the documents' statuses, the priority group, the application's new status
/// and note, and a message to the guardian's contact in the outbox — all or nothing. Only while
/// the campaign is open or closed (results not yet published), and never for a withdrawn
/// application.
pub async fn review(
    tx: &mut Tx,
    scope: &Scope,
    application: &Application,
    input: &ReviewInput,
    reviewer: &str,
) -> StoreResult<Application> {
    let campaign = super::campaign(&mut tx.conn(), application.campaign_id).await?;
    let current = application_for_staff(&mut tx.conn(), scope, &campaign, application.id).await?;
    if !matches!(
        campaign.status,
        CampaignStatus::Open | CampaignStatus::Closed
    ) {
        return Err(StoreError::conflict(
            "campaign",
            format!(
                "Đợt tuyển sinh \"{}\": không xét duyệt hồ sơ khi đợt đang ở trạng thái \"{}\".",
                campaign.name,
                campaign.status.label_vi()
            ),
        ));
    }
    if current.status == ApplicationStatus::Withdrawn {
        return Err(StoreError::conflict(
            "status",
            "Hồ sơ đã được người giám hộ rút, không xét duyệt được.",
        ));
    }
    let note = clean_note(input.note.as_deref());
    let docs = documents(&mut tx.conn(), current.id).await?;
    check_review(input, note.as_deref(), &docs)?;
    for d in &input.documents {
        tx.conn()
            .execute(
                Query::update()
                    .table(AdmDocuments::Table)
                    .values([
                        (AdmDocuments::Status, d.status.code().into()),
                        (AdmDocuments::Note, clean_note(d.note.as_deref()).into()),
                    ])
                    .and_where(Expr::col(AdmDocuments::Id).eq(d.document_id)),
            )
            .await?;
    }
    let now = Utc::now();
    tx.conn()
        .execute(
            Query::update()
                .table(AdmApplications::Table)
                .values([
                    (
                        AdmApplications::Status,
                        input.decision.status().code().into(),
                    ),
                    (AdmApplications::StaffNote, note.clone().into()),
                    (AdmApplications::PriorityGroup, input.priority_group.into()),
                    (AdmApplications::ReviewedBy, reviewer.into()),
                    (AdmApplications::ReviewedAt, now.into()),
                    (AdmApplications::UpdatedAt, now.into()),
                ])
                .and_where(Expr::col(AdmApplications::Id).eq(current.id)),
        )
        .await?;
    let (subject, body) = message(&campaign, &current, input.decision, note.as_deref());
    let to = truongso_domain::admission::Contact {
        channel: truongso_domain::admission::Channel::parse(&current.contact_channel)
            .unwrap_or(truongso_domain::admission::Channel::Phone),
        address: current.contact_address.clone(),
    };
    super::guardian::enqueue(tx, &to, &subject, &body).await?;
    application_for_staff(&mut tx.conn(), scope, &campaign, current.id).await
}

fn check_review(input: &ReviewInput, note: Option<&str>, docs: &[Document]) -> StoreResult<()> {
    let mut c = Checker::new();
    if input.decision != ReviewDecision::Verify && note.is_none() {
        c.push(
            "note",
            match input.decision {
                ReviewDecision::Reject => "Hãy ghi lý do hồ sơ không đủ điều kiện.",
                _ => "Hãy ghi rõ người giám hộ cần bổ sung, sửa gì.",
            },
        );
    }
    c.optional_max_len("note", note, MAX_NOTE);
    if let Some(g) = input.priority_group
        && !(1..=3).contains(&g)
    {
        c.push("priority_group", "Nhóm ưu tiên phải là 1, 2 hoặc 3.");
    }
    let mut seen = HashSet::new();
    for (i, d) in input.documents.iter().enumerate() {
        let field = format!("documents[{i}].document_id");
        if !docs.iter().any(|x| x.id == d.document_id) {
            c.push(&field, "Giấy tờ không thuộc hồ sơ này.");
        } else if !seen.insert(d.document_id) {
            c.push(&field, "Giấy tờ được xét hai lần.");
        }
        c.optional_max_len(&format!("documents[{i}].note"), d.note.as_deref(), MAX_NOTE);
        if input.decision == ReviewDecision::Verify && d.status == DocumentDecision::Rejected {
            c.push(
                &format!("documents[{i}].status"),
                "Không xác minh được hồ sơ khi còn giấy tờ bị từ chối: hãy yêu cầu bổ sung.",
            );
        }
    }
    c.finish()?;
    Ok(())
}

/// The message to the guardian about a decision (Vietnamese; the guardian side is Vietnamese).
fn message(
    campaign: &Campaign,
    a: &Application,
    decision: ReviewDecision,
    note: Option<&str>,
) -> (String, String) {
    let head = format!(
        "Hồ sơ {} của {} ({})",
        a.tracking_code, a.full_name, campaign.name
    );
    match decision {
        ReviewDecision::Verify => (
            format!("Hồ sơ {} đã được xác minh", a.tracking_code),
            format!(
                "{head} đã được xác minh và sẽ được xét tuyển. Kết quả công bố ngày {}.{}",
                campaign.results_at.format("%d/%m/%Y"),
                note.map(|n| format!("\nGhi chú: {n}")).unwrap_or_default()
            ),
        ),
        ReviewDecision::RequestCorrection => (
            format!("Hồ sơ {} cần bổ sung, sửa", a.tracking_code),
            format!(
                "{head} cần bổ sung, sửa: {}\nVui lòng sửa hồ sơ trước {}.",
                note.unwrap_or_default(),
                campaign.closes_at.format("%d/%m/%Y")
            ),
        ),
        ReviewDecision::Reject => (
            format!("Hồ sơ {} không đủ điều kiện", a.tracking_code),
            format!("{head} không đủ điều kiện: {}", note.unwrap_or_default()),
        ),
    }
}

/// What a score import did.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ImportReport {
    /// Applications that received a candidate number and scores.
    pub imported: usize,
    /// Their ids (for the audit trail).
    pub application_ids: Vec<i64>,
}

/// The columns of a score file, with the (folded) headers each accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Column {
    CandidateNumber,
    NationalId,
    Name,
    BirthDate,
    Math,
    Literature,
    Language,
}

const COLUMNS: [(Column, &str, &[&str]); 7] = [
    (
        Column::CandidateNumber,
        "Số báo danh",
        &["so bao danh", "sbd"],
    ),
    (
        Column::NationalId,
        "Mã định danh",
        &[
            "ma dinh danh",
            "so dinh danh",
            "ma dinh danh ca nhan",
            "cccd",
        ],
    ),
    (Column::Name, "Họ và tên", &["ho va ten", "ho ten"]),
    (Column::BirthDate, "Ngày sinh", &["ngay sinh"]),
    (Column::Math, "Toán", &["toan"]),
    (Column::Literature, "Ngữ văn", &["ngu van", "van"]),
    (Column::Language, "Ngoại ngữ", &["ngoai ngu", "tieng anh"]),
];

fn label(c: Column) -> &'static str {
    COLUMNS.iter().find(|x| x.0 == c).map_or("", |x| x.1)
}

/// Finds the header row (title rows may come first) and the position of each column.
fn header(table: &Table) -> Result<(usize, HashMap<Column, usize>), Vec<String>> {
    let mut best: Option<(usize, HashMap<Column, usize>)> = None;
    for (i, row) in table.rows.iter().enumerate().take(20) {
        let mut found = HashMap::new();
        for (j, cell) in row.cells.iter().enumerate() {
            let key = fold(&cell.display());
            if let Some((col, _, _)) = COLUMNS
                .iter()
                .find(|(_, _, names)| names.contains(&key.as_str()))
            {
                found.entry(*col).or_insert(j);
            }
        }
        if best.as_ref().is_none_or(|(_, b)| found.len() > b.len()) {
            best = Some((i, found));
        }
    }
    let (i, found) = best.unwrap_or_default();
    let missing: Vec<String> = COLUMNS
        .iter()
        .filter(|(c, _, _)| !found.contains_key(c))
        .map(|(_, l, _)| format!("Tệp thiếu cột \"{l}\"."))
        .collect();
    if found.len() < 2 || !missing.is_empty() {
        return Err(missing);
    }
    Ok((i, found))
}

/// One row of the file once read.
struct ScoreRow {
    number: usize,
    candidate_number: String,
    national_id: String,
    name: String,
    birth_date: Option<NaiveDate>,
    scores: [Option<i32>; 3],
}

fn cell<'a>(row: &'a TableRow, cols: &HashMap<Column, usize>, c: Column) -> &'a Cell {
    static EMPTY: Cell = Cell::Empty;
    cols.get(&c)
        .and_then(|j| row.cells.get(*j))
        .unwrap_or(&EMPTY)
}

fn date_of(cell: &Cell) -> Option<NaiveDate> {
    match cell {
        Cell::Date(d) => Some(*d),
        Cell::Number(n) => from_excel_serial(*n),
        other => parse_date_vn(&other.display()),
    }
}

/// A paper's score in hundredths: 0–10 in steps of 0.25; empty is absent.
fn score_of(cell: &Cell) -> Result<Option<i32>, String> {
    if cell.is_blank() {
        return Ok(None);
    }
    let text = cell.display();
    let bad = || format!("'{text}' không phải là điểm từ 0 đến 10, làm tròn đến 0,25.");
    let p = Points::parse(&text).map_err(|_| bad())?;
    let h = p.hundredths();
    if !(0..=1000).contains(&h) || h % 25 != 0 {
        return Err(bad());
    }
    Ok(Some(h as i32))
}

fn read_row(
    row: &TableRow,
    cols: &HashMap<Column, usize>,
    errors: &mut Vec<(String, String)>,
) -> ScoreRow {
    let n = row.number;
    let mut err = |c: Column, m: String| {
        errors.push((
            format!("row{n}.{}", fold(label(c)).replace(' ', "_")),
            format!("Dòng {n}, cột {}: {m}", label(c)),
        ))
    };
    let text = |c: Column| truongso_domain::text::clean(&cell(row, cols, c).display());
    let candidate_number = text(Column::CandidateNumber);
    if candidate_number.is_empty() {
        err(Column::CandidateNumber, "thiếu số báo danh.".into());
    } else if candidate_number.chars().count() > 20
        || !candidate_number
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-')
    {
        err(
            Column::CandidateNumber,
            format!("'{candidate_number}' không phải là số báo danh (chữ, số, tối đa 20 ký tự)."),
        );
    }
    let national_id = text(Column::NationalId);
    if national_id.is_empty() {
        err(Column::NationalId, "thiếu mã định danh.".into());
    }
    let birth = cell(row, cols, Column::BirthDate);
    let birth_date = date_of(birth);
    if birth_date.is_none() {
        err(
            Column::BirthDate,
            format!("'{}' không phải là ngày (dd/mm/yyyy).", birth.display()),
        );
    }
    let mut scores = [None; 3];
    for (k, c) in [Column::Math, Column::Literature, Column::Language]
        .into_iter()
        .enumerate()
    {
        match score_of(cell(row, cols, c)) {
            Ok(s) => scores[k] = s,
            Err(m) => err(c, m),
        }
    }
    ScoreRow {
        number: n,
        candidate_number,
        national_id,
        name: text(Column::Name),
        birth_date,
        scores,
    }
}

/// Most errors listed for one file (the rest are summarised).
const MAX_ERRORS: usize = 200;

/// Whether the actor may import scores into the campaign: its owner's officers (others: not
/// found), a grade-10 campaign whose results are not published (else a conflict). Checked
/// before a file is even read.
pub async fn import_allowed(
    conn: &mut Conn<'_>,
    scope: &Scope,
    campaign: &Campaign,
) -> StoreResult<()> {
    if !super::manages(conn, scope, campaign).await? {
        return Err(StoreError::not_found("đợt tuyển sinh"));
    }
    if !campaign.by_exam() {
        return Err(StoreError::conflict(
            "campaign",
            "Chỉ đợt tuyển sinh lớp 10 mới nhập điểm thi.",
        ));
    }
    if campaign.status == CampaignStatus::Published {
        return Err(StoreError::conflict(
            "campaign",
            "Kết quả đã công bố: không nhập lại điểm thi được.",
        ));
    }
    Ok(())
}

/// Imports grade-10 exam scores (Số báo danh, Mã định danh, Họ và tên, Ngày sinh, Toán, Ngữ văn,
/// Ngoại ngữ): each row is matched to the campaign's application by national ID, whose name
/// and birth date must agree, and sets its candidate number and the three papers. All or
/// nothing: any bad row — or a national ID with no application — writes nothing and the error
/// names every bad row and column. Only the campaign's owner imports, before publication.
pub async fn import_scores(
    tx: &mut Tx,
    scope: &Scope,
    campaign: &Campaign,
    table: &Table,
) -> StoreResult<ImportReport> {
    import_allowed(&mut tx.conn(), scope, campaign).await?;
    let (head, cols) = header(table).map_err(|mut missing| {
        if missing.is_empty() {
            missing.push("Không tìm thấy dòng tiêu đề của bảng điểm.".into());
        }
        StoreError::Invalid(Invalid(
            missing
                .into_iter()
                .map(|m| FieldError::new("file", m))
                .collect(),
        ))
    })?;
    let mut errors: Vec<(String, String)> = vec![];
    let rows: Vec<ScoreRow> = table.rows[head + 1..]
        .iter()
        .map(|r| read_row(r, &cols, &mut errors))
        .collect();
    let targets = match_rows(tx, campaign, &rows, &mut errors).await?;
    if !errors.is_empty() {
        let total = errors.len();
        let mut c = Checker::new();
        for (field, message) in errors.into_iter().take(MAX_ERRORS) {
            c.push(&field, message);
        }
        if total > MAX_ERRORS {
            c.push("file", format!("… và {} lỗi khác.", total - MAX_ERRORS));
        }
        c.finish()?;
    }
    write_scores(tx, &rows, &targets).await?;
    Ok(ImportReport {
        imported: targets.len(),
        application_ids: targets,
    })
}

/// The application of each row (in row order), checking names, birth dates and the uniqueness
/// of national IDs and candidate numbers.
async fn match_rows(
    tx: &mut Tx,
    campaign: &Campaign,
    rows: &[ScoreRow],
    errors: &mut Vec<(String, String)>,
) -> StoreResult<Vec<i64>> {
    #[derive(sqlx::FromRow)]
    struct Known {
        id: i64,
        national_id: String,
        full_name: String,
        birth_date: NaiveDate,
        candidate_number: Option<String>,
    }
    let known: Vec<Known> = tx
        .conn()
        .fetch_all(
            Query::select()
                .columns([
                    AdmApplications::Id,
                    AdmApplications::NationalId,
                    AdmApplications::FullName,
                    AdmApplications::BirthDate,
                    AdmApplications::CandidateNumber,
                ])
                .from(AdmApplications::Table)
                .and_where(Expr::col(AdmApplications::CampaignId).eq(campaign.id)),
        )
        .await?;
    let by_id: HashMap<&str, &Known> = known.iter().map(|k| (k.national_id.as_str(), k)).collect();
    let mut push = |n: usize, c: Column, m: String| {
        errors.push((
            format!("row{n}.{}", fold(label(c)).replace(' ', "_")),
            format!("Dòng {n}, cột {}: {m}", label(c)),
        ))
    };
    let mut seen_ids: HashMap<&str, usize> = HashMap::new();
    let mut seen_numbers: HashMap<&str, usize> = HashMap::new();
    let mut targets = vec![];
    for r in rows {
        if !r.candidate_number.is_empty()
            && let Some(first) = seen_numbers.insert(&r.candidate_number, r.number)
        {
            push(
                r.number,
                Column::CandidateNumber,
                format!("số báo danh {} trùng với dòng {first}.", r.candidate_number),
            );
        }
        if r.national_id.is_empty() {
            continue;
        }
        if let Some(first) = seen_ids.insert(&r.national_id, r.number) {
            push(
                r.number,
                Column::NationalId,
                format!("mã định danh {} trùng với dòng {first}.", r.national_id),
            );
            continue;
        }
        let Some(k) = by_id.get(r.national_id.as_str()) else {
            push(
                r.number,
                Column::NationalId,
                format!(
                    "không có hồ sơ nào có mã định danh {} trong đợt tuyển sinh.",
                    r.national_id
                ),
            );
            continue;
        };
        if !same_name(&r.name, &k.full_name) {
            push(
                r.number,
                Column::Name,
                format!("'{}' khác họ tên trong hồ sơ ({}).", r.name, k.full_name),
            );
        }
        if r.birth_date.is_some_and(|d| d != k.birth_date) {
            push(
                r.number,
                Column::BirthDate,
                format!(
                    "ngày sinh khác hồ sơ ({}).",
                    k.birth_date.format("%d/%m/%Y")
                ),
            );
        }
        targets.push(k.id);
    }
    // A number already held by an application the file does not renumber.
    let renumbered: HashSet<i64> = targets.iter().copied().collect();
    for r in rows {
        if let Some(holder) = known.iter().find(|k| {
            k.candidate_number.as_deref() == Some(r.candidate_number.as_str())
                && !renumbered.contains(&k.id)
        }) {
            push(
                r.number,
                Column::CandidateNumber,
                format!(
                    "số báo danh {} đã thuộc hồ sơ {}.",
                    r.candidate_number, holder.full_name
                ),
            );
        }
    }
    Ok(targets)
}

/// Names agree when equal but for case and spacing, or — for a file written without
/// diacritics ("Nguyen Van An") — equal once folded. "Nguyễn Văn Ân" is not "Nguyễn Văn An".
fn same_name(file: &str, stored: &str) -> bool {
    let lower = |s: &str| truongso_domain::text::clean(s).to_lowercase();
    lower(file) == lower(stored) || (file.is_ascii() && fold(file) == fold(stored))
}

/// Writes the rows (all checked): numbers are cleared first so that two applications may
/// swap numbers without tripping the unique index halfway.
async fn write_scores(tx: &mut Tx, rows: &[ScoreRow], targets: &[i64]) -> StoreResult<()> {
    if targets.is_empty() {
        return Ok(());
    }
    tx.conn()
        .execute(
            Query::update()
                .table(AdmApplications::Table)
                .value(AdmApplications::CandidateNumber, Option::<String>::None)
                .and_where(Expr::col(AdmApplications::Id).is_in(targets.iter().copied())),
        )
        .await?;
    let now = Utc::now();
    for (r, id) in rows.iter().zip(targets) {
        tx.conn()
            .execute(
                Query::update()
                    .table(AdmApplications::Table)
                    .values([
                        (
                            AdmApplications::CandidateNumber,
                            r.candidate_number.clone().into(),
                        ),
                        (AdmApplications::ScoreMath, r.scores[0].into()),
                        (AdmApplications::ScoreLiterature, r.scores[1].into()),
                        (AdmApplications::ScoreLanguage, r.scores[2].into()),
                        (AdmApplications::UpdatedAt, now.into()),
                    ])
                    .and_where(Expr::col(AdmApplications::Id).eq(*id)),
            )
            .await?;
    }
    Ok(())
}
