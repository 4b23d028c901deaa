//! The audit trail: who read or changed which personal record, when, from where. Append-only —
//! the database itself refuses updates and deletes of `audit_log` (see `migrate`). Writes are
//! recorded in the same transaction as the change, so a change never lands without its entry.

use chrono::{DateTime, NaiveDate, Utc};
use sea_query::{Expr, ExprTrait, Order, Query, SelectStatement};
use serde::{Deserialize, Serialize};

use crate::schema::AuditLog;
use crate::{Conn, Page, PageRequest, Scope, StoreResult};

/// What happened to the record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum AuditAction {
    Read,
    List,
    Create,
    Update,
    Delete,
    /// A request the policy refused, or a record asked for outside the caller's reach.
    Denied,
    Export,
    Login,
    LoginFailed,
    Logout,
}

impl AuditAction {
    pub fn code(self) -> &'static str {
        match self {
            AuditAction::Read => "read",
            AuditAction::List => "list",
            AuditAction::Create => "create",
            AuditAction::Update => "update",
            AuditAction::Delete => "delete",
            AuditAction::Denied => "denied",
            AuditAction::Export => "export",
            AuditAction::Login => "login",
            AuditAction::LoginFailed => "login_failed",
            AuditAction::Logout => "logout",
        }
    }

    pub fn label_vi(self) -> &'static str {
        match self {
            AuditAction::Read => "Xem",
            AuditAction::List => "Xem danh sách",
            AuditAction::Create => "Tạo mới",
            AuditAction::Update => "Sửa",
            AuditAction::Delete => "Xoá",
            AuditAction::Denied => "Bị từ chối",
            AuditAction::Export => "Xuất dữ liệu",
            AuditAction::Login => "Đăng nhập",
            AuditAction::LoginFailed => "Đăng nhập sai",
            AuditAction::Logout => "Đăng xuất",
        }
    }
}

/// Who acted, as recorded with every entry.
#[derive(Debug, Clone, Default)]
pub struct AuditActor {
    pub user_id: Option<i64>,
    pub username: Option<String>,
    pub role: Option<String>,
    pub client: Option<String>,
}

/// One entry to record.
#[derive(Debug, Clone)]
pub struct NewAuditEntry<'a> {
    pub action: AuditAction,
    /// "learner", "staff", "org_unit", "class", "enrolment", "user", "consent", "audit", …
    pub entity: &'a str,
    pub entity_id: Option<i64>,
    /// The unit the record belongs to (for searching within a scope).
    pub org_id: Option<i64>,
    pub detail: Option<String>,
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct AuditEntry {
    pub id: i64,
    pub at: DateTime<Utc>,
    pub user_id: Option<i64>,
    pub username: Option<String>,
    pub role: Option<String>,
    pub action: String,
    pub entity: String,
    pub entity_id: Option<i64>,
    pub org_id: Option<i64>,
    pub client: Option<String>,
    pub detail: Option<String>,
}

pub async fn record(
    conn: &mut Conn<'_>,
    actor: &AuditActor,
    entry: &NewAuditEntry<'_>,
) -> StoreResult<()> {
    conn.execute(
        Query::insert()
            .into_table(AuditLog::Table)
            .columns([
                AuditLog::At,
                AuditLog::UserId,
                AuditLog::Username,
                AuditLog::Role,
                AuditLog::Action,
                AuditLog::Entity,
                AuditLog::EntityId,
                AuditLog::OrgId,
                AuditLog::Client,
                AuditLog::Detail,
            ])
            .values_panic([
                Utc::now().into(),
                actor.user_id.into(),
                actor.username.clone().into(),
                actor.role.clone().into(),
                entry.action.code().into(),
                entry.entity.into(),
                entry.entity_id.into(),
                entry.org_id.into(),
                actor.client.clone().into(),
                entry.detail.clone().into(),
            ]),
    )
    .await?;
    Ok(())
}

/// Many entries at once (an import's or an export's records), in multi-row statements:
/// (action, record id, unit id) each.
pub async fn record_many(
    conn: &mut Conn<'_>,
    actor: &AuditActor,
    entity: &str,
    entries: &[(AuditAction, i64, i64)],
    detail: Option<&str>,
) -> StoreResult<()> {
    let now = Utc::now();
    let rows = entries
        .iter()
        .map(|(action, id, org)| {
            vec![
                now.into(),
                actor.user_id.into(),
                actor.username.clone().into(),
                actor.role.clone().into(),
                action.code().into(),
                entity.into(),
                (*id).into(),
                (*org).into(),
                actor.client.clone().into(),
                detail.map(str::to_string).into(),
            ]
        })
        .collect();
    crate::seed::bulk_insert(
        conn,
        AuditLog::Table,
        &[
            AuditLog::At,
            AuditLog::UserId,
            AuditLog::Username,
            AuditLog::Role,
            AuditLog::Action,
            AuditLog::Entity,
            AuditLog::EntityId,
            AuditLog::OrgId,
            AuditLog::Client,
            AuditLog::Detail,
        ],
        rows,
    )
    .await?;
    Ok(())
}

/// Search filters of the audit trail (all optional).
#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AuditFilter {
    /// Username of the actor.
    pub username: Option<String>,
    /// read, list, create, update, delete, denied, export, login, login_failed, logout.
    pub action: Option<String>,
    /// learner, staff, org_unit, class, enrolment, user, consent, …
    pub entity: Option<String>,
    pub entity_id: Option<i64>,
    /// From this day (inclusive, UTC).
    pub from: Option<NaiveDate>,
    /// Up to this day (inclusive, UTC).
    pub to: Option<NaiveDate>,
}

const COLUMNS: [AuditLog; 11] = [
    AuditLog::Id,
    AuditLog::At,
    AuditLog::UserId,
    AuditLog::Username,
    AuditLog::Role,
    AuditLog::Action,
    AuditLog::Entity,
    AuditLog::EntityId,
    AuditLog::OrgId,
    AuditLog::Client,
    AuditLog::Detail,
];

fn filtered(scope: &Scope, f: &AuditFilter) -> SelectStatement {
    let mut q = Query::select();
    q.from(AuditLog::Table);
    if let Some(c) = scope.org_filter(Expr::col((AuditLog::Table, AuditLog::OrgId))) {
        q.and_where(c);
    }
    if let Some(u) = f.username.as_deref().filter(|s| !s.is_empty()) {
        q.and_where(Expr::col(AuditLog::Username).eq(u));
    }
    if let Some(a) = f.action.as_deref().filter(|s| !s.is_empty()) {
        q.and_where(Expr::col(AuditLog::Action).eq(a));
    }
    if let Some(e) = f.entity.as_deref().filter(|s| !s.is_empty()) {
        q.and_where(Expr::col(AuditLog::Entity).eq(e));
    }
    if let Some(id) = f.entity_id {
        q.and_where(Expr::col(AuditLog::EntityId).eq(id));
    }
    if let Some(d) = f.from {
        q.and_where(Expr::col(AuditLog::At).gte(d.and_hms_opt(0, 0, 0).map(|t| t.and_utc())));
    }
    if let Some(d) = f.to.and_then(|d| d.succ_opt()) {
        q.and_where(Expr::col(AuditLog::At).lt(d.and_hms_opt(0, 0, 0).map(|t| t.and_utc())));
    }
    q
}

/// Entries within `scope` (by the unit of the record), newest first.
pub async fn search(
    conn: &mut Conn<'_>,
    scope: &Scope,
    filter: &AuditFilter,
    page: &PageRequest,
) -> StoreResult<Page<AuditEntry>> {
    let q = filtered(scope, filter);
    let total = crate::orgs::count(conn, &q).await?;
    let items = conn
        .fetch_all(
            &q.clone()
                .columns(COLUMNS)
                .order_by(AuditLog::Id, Order::Desc)
                .limit(page.per_page())
                .offset(page.offset())
                .to_owned(),
        )
        .await?;
    Ok(Page {
        items,
        total,
        page: page.page(),
        per_page: page.per_page(),
    })
}

/// Every entry of a search, oldest first, for export (bounded to keep one request sane).
pub async fn export(
    conn: &mut Conn<'_>,
    scope: &Scope,
    filter: &AuditFilter,
    limit: u64,
) -> StoreResult<Vec<AuditEntry>> {
    conn.fetch_all(
        &filtered(scope, filter)
            .columns(COLUMNS)
            .order_by(AuditLog::Id, Order::Asc)
            .limit(limit)
            .to_owned(),
    )
    .await
}

/// Who accessed or changed one learner's record (for the learner's guardians), newest first.
pub async fn of_learner(
    conn: &mut Conn<'_>,
    learner_id: i64,
    page: &PageRequest,
) -> StoreResult<Page<AuditEntry>> {
    let filter = AuditFilter {
        entity: Some("learner".into()),
        entity_id: Some(learner_id),
        ..Default::default()
    };
    search(conn, &Scope::All, &filter, page).await
}
