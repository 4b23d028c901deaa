//! Organisational units: the tree, its materialised paths, and each unit's history of managing
//! units (so that statistics for a past date can aggregate the tree as it was).

use chrono::{DateTime, NaiveDate, Utc};
use sea_query::{Expr, ExprTrait, Order, Query};
use serde::{Deserialize, Serialize};
use truongso_domain::org::{Levels, OrgKind, Ownership, may_contain};
use truongso_domain::text::{clean, fold};
use truongso_domain::validation::Checker;

use crate::schema::{OrgUnitParents, OrgUnits};
use crate::scope::path_prefix;
use crate::{Backend, Conn, Page, PageRequest, Scope, StoreError, StoreResult, Tx};

/// An organisational unit as stored.
#[derive(Debug, Clone, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct OrgUnit {
    pub id: i64,
    pub parent_id: Option<i64>,
    #[sqlx(try_from = "String")]
    pub kind: OrgKind,
    pub code: String,
    pub name: String,
    /// Materialised path of ids from the root, e.g. "/1/4/37/".
    pub path: String,
    pub depth: i32,
    pub ward_code: Option<String>,
    pub address: Option<String>,
    pub lat: Option<f64>,
    pub lon: Option<f64>,
    #[sqlx(try_from = "String")]
    pub levels: Levels,
    pub ownership: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl OrgUnit {
    /// Ids of the ancestors, root first, this unit excluded.
    pub fn ancestor_ids(&self) -> Vec<i64> {
        self.path
            .split('/')
            .filter_map(|s| s.parse().ok())
            .filter(|id| *id != self.id)
            .collect()
    }

    pub fn scope(&self) -> Scope {
        Scope::Subtree {
            root_id: self.id,
            path: self.path.clone(),
        }
    }
}

/// Fields of a unit that callers set.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
pub struct OrgInput {
    pub parent_id: Option<i64>,
    pub kind: OrgKind,
    #[schema(pattern = "^[A-Za-z0-9_-]{1,20}$")]
    pub code: String,
    #[schema(min_length = 1, max_length = 200)]
    pub name: String,
    #[schema(pattern = "^[0-9]{5}$")]
    pub ward_code: Option<String>,
    #[schema(max_length = 300)]
    pub address: Option<String>,
    #[schema(minimum = -90, maximum = 90)]
    pub lat: Option<f64>,
    #[schema(minimum = -180, maximum = 180)]
    pub lon: Option<f64>,
    #[serde(default)]
    pub levels: Levels,
    pub ownership: Option<Ownership>,
}

/// Filters of the unit list.
#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct OrgFilter {
    /// Only direct children of this unit.
    pub parent_id: Option<i64>,
    pub kind: Option<OrgKind>,
    /// Name or code contains (diacritics optional).
    pub q: Option<String>,
}

const COLUMNS: [OrgUnits; 15] = [
    OrgUnits::Id,
    OrgUnits::ParentId,
    OrgUnits::Kind,
    OrgUnits::Code,
    OrgUnits::Name,
    OrgUnits::Path,
    OrgUnits::Depth,
    OrgUnits::WardCode,
    OrgUnits::Address,
    OrgUnits::Lat,
    OrgUnits::Lon,
    OrgUnits::Levels,
    OrgUnits::Ownership,
    OrgUnits::CreatedAt,
    OrgUnits::UpdatedAt,
];

fn validate(input: &OrgInput, parent: Option<&OrgUnit>) -> StoreResult<()> {
    let mut c = Checker::new();
    c.required_text("code", &input.code, 20);
    if !input
        .code
        .chars()
        .all(|ch| ch.is_ascii_alphanumeric() || ch == '-' || ch == '_')
    {
        c.push("code", "Mã đơn vị chỉ gồm chữ, số, '-' và '_' (không dấu).");
    }
    c.required_text("name", &input.name, 200);
    c.optional_max_len("address", input.address.as_deref(), 300);
    if let Some(w) = &input.ward_code
        && truongso_domain::reference::ward_2025(w).is_none()
    {
        c.push(
            "ward_code",
            format!("Mã xã/phường '{w}' không có trong danh mục."),
        );
    }
    if input.lat.is_some_and(|v| !(-90.0..=90.0).contains(&v)) {
        c.push("lat", "Vĩ độ phải trong khoảng -90 đến 90.");
    }
    if input.lon.is_some_and(|v| !(-180.0..=180.0).contains(&v)) {
        c.push("lon", "Kinh độ phải trong khoảng -180 đến 180.");
    }
    match parent {
        None if input.kind != OrgKind::Ministry => {
            c.push("parent_id", "Đơn vị này phải có đơn vị quản lý.")
        }
        Some(p) if !may_contain(p.kind, input.kind) => c.push(
            "parent_id",
            format!(
                "{} không thể trực thuộc {}.",
                input.kind.label_vi(),
                p.kind.label_vi()
            ),
        ),
        _ => {}
    }
    if matches!(input.kind, OrgKind::School) && input.levels.0.is_empty() {
        c.push("levels", "Trường học phải có ít nhất một cấp học.");
    }
    Ok(c.finish()?)
}

/// Reads a unit inside `scope`; a unit outside it is reported as not found.
pub async fn get(conn: &mut Conn<'_>, scope: &Scope, id: i64) -> StoreResult<OrgUnit> {
    let mut q = Query::select();
    q.columns(COLUMNS.map(|c| (OrgUnits::Table, c)))
        .from(OrgUnits::Table)
        .and_where(Expr::col((OrgUnits::Table, OrgUnits::Id)).eq(id));
    if let Some(c) = scope.unit_condition() {
        q.and_where(c);
    }
    conn.fetch_optional(&q)
        .await?
        .ok_or(StoreError::not_found("đơn vị"))
}

pub async fn get_by_code(conn: &mut Conn<'_>, code: &str) -> StoreResult<Option<OrgUnit>> {
    let q = Query::select()
        .columns(COLUMNS)
        .from(OrgUnits::Table)
        .and_where(Expr::col(OrgUnits::Code).eq(code))
        .to_owned();
    conn.fetch_optional(&q).await
}

/// The units with these codes inside `scope` (codes outside it are simply not returned).
pub async fn get_by_codes(
    conn: &mut Conn<'_>,
    scope: &Scope,
    codes: &[String],
) -> StoreResult<Vec<OrgUnit>> {
    let mut q = Query::select();
    q.columns(COLUMNS.map(|c| (OrgUnits::Table, c)))
        .from(OrgUnits::Table)
        .and_where(Expr::col((OrgUnits::Table, OrgUnits::Code)).is_in(codes.iter().cloned()));
    if let Some(c) = scope.unit_condition() {
        q.and_where(c);
    }
    conn.fetch_all(&q).await
}

/// The root units of `scope`: the whole tree's roots, or the scope's own root.
pub async fn roots(conn: &mut Conn<'_>, scope: &Scope) -> StoreResult<Vec<OrgUnit>> {
    match scope {
        Scope::All => {
            let q = Query::select()
                .columns(COLUMNS)
                .from(OrgUnits::Table)
                .and_where(Expr::col(OrgUnits::ParentId).is_null())
                .order_by(OrgUnits::Name, Order::Asc)
                .to_owned();
            conn.fetch_all(&q).await
        }
        _ => match scope.root_id() {
            Some(root_id) => Ok(vec![get(conn, scope, root_id).await?]),
            None => Ok(vec![]),
        },
    }
}

/// The ancestors of a unit, root first (for breadcrumbs), limited to what `scope` may see.
pub async fn ancestors(
    conn: &mut Conn<'_>,
    scope: &Scope,
    unit: &OrgUnit,
) -> StoreResult<Vec<OrgUnit>> {
    let ids = unit.ancestor_ids();
    if ids.is_empty() {
        return Ok(vec![]);
    }
    let q = Query::select()
        .columns(COLUMNS)
        .from(OrgUnits::Table)
        .and_where(Expr::col(OrgUnits::Id).is_in(ids))
        .order_by(OrgUnits::Depth, Order::Asc)
        .to_owned();
    let all: Vec<OrgUnit> = conn.fetch_all(&q).await?;
    Ok(all
        .into_iter()
        .filter(|u| scope.contains_path(&u.path))
        .collect())
}

const SORTS: &[&str] = &["name", "code", "kind"];

pub async fn list(
    conn: &mut Conn<'_>,
    scope: &Scope,
    filter: &OrgFilter,
    page: &PageRequest,
) -> StoreResult<Page<OrgUnit>> {
    let sort = page
        .sort_field(SORTS)
        .map_err(|m| StoreError::invalid("sort", m))?;
    let mut q = Query::select();
    q.from(OrgUnits::Table);
    if let Some(c) = scope.unit_condition() {
        q.and_where(c);
    }
    if let Some(p) = filter.parent_id {
        q.and_where(Expr::col((OrgUnits::Table, OrgUnits::ParentId)).eq(p));
    }
    if let Some(k) = filter.kind {
        q.and_where(Expr::col((OrgUnits::Table, OrgUnits::Kind)).eq(k.code()));
    }
    if let Some(text) = filter.q.as_deref().map(fold).filter(|s| !s.is_empty()) {
        let pattern = format!("%{}%", escape_like(&text));
        q.and_where(
            Expr::col((OrgUnits::Table, OrgUnits::NameFold))
                .like(sea_query::LikeExpr::new(pattern.clone()).escape('\\'))
                .or(Expr::col((OrgUnits::Table, OrgUnits::Code))
                    .like(sea_query::LikeExpr::new(pattern).escape('\\'))),
        );
    }
    let total = count(conn, &q).await?;
    let (col, desc) = match sort {
        Some(("code", d)) => (OrgUnits::Code, d),
        Some(("kind", d)) => (OrgUnits::Kind, d),
        Some((_, d)) => (OrgUnits::NameFold, d),
        None => (OrgUnits::NameFold, false),
    };
    q.columns(COLUMNS.map(|c| (OrgUnits::Table, c)))
        .order_by(
            (OrgUnits::Table, col),
            if desc { Order::Desc } else { Order::Asc },
        )
        .order_by((OrgUnits::Table, OrgUnits::Id), Order::Asc)
        .limit(page.per_page())
        .offset(page.offset());
    let items = conn.fetch_all(&q).await?;
    Ok(Page {
        items,
        total,
        page: page.page(),
        per_page: page.per_page(),
    })
}

/// Counts the rows a select (without columns yet) would return.
pub(crate) async fn count(conn: &mut Conn<'_>, q: &sea_query::SelectStatement) -> StoreResult<u64> {
    let mut c = q.clone();
    c.clear_order_by();
    // Only the count: PostgreSQL refuses plain columns beside an aggregate.
    c.clear_selects();
    c.expr(Expr::cust("COUNT(*)"));
    let (n,): (i64,) = conn.fetch_one(&c).await?;
    Ok(n as u64)
}

/// Escapes `%`, `_` and `\` for a LIKE pattern using `\` as the escape character.
pub(crate) fn escape_like(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_")
}

/// Creates a unit under its parent, inside `scope` (the parent must be in scope).
pub async fn create(
    tx: &mut Tx,
    scope: &Scope,
    input: &OrgInput,
    valid_from: NaiveDate,
) -> StoreResult<OrgUnit> {
    let parent = match input.parent_id {
        Some(pid) => Some(
            get(&mut tx.conn(), scope, pid)
                .await
                .map_err(|_| StoreError::invalid("parent_id", "Không tìm thấy đơn vị quản lý."))?,
        ),
        None if *scope != Scope::All => {
            return Err(StoreError::invalid(
                "parent_id",
                "Phải chọn đơn vị quản lý.",
            ));
        }
        None => None,
    };
    validate(input, parent.as_ref())?;
    let now = Utc::now();
    let name = clean(&input.name);
    let depth = parent.as_ref().map_or(0, |p| p.depth + 1);
    let insert = Query::insert()
        .into_table(OrgUnits::Table)
        .columns([
            OrgUnits::ParentId,
            OrgUnits::Kind,
            OrgUnits::Code,
            OrgUnits::Name,
            OrgUnits::NameFold,
            OrgUnits::Path,
            OrgUnits::Depth,
            OrgUnits::WardCode,
            OrgUnits::Address,
            OrgUnits::Lat,
            OrgUnits::Lon,
            OrgUnits::Levels,
            OrgUnits::Ownership,
            OrgUnits::CreatedAt,
            OrgUnits::UpdatedAt,
        ])
        .values_panic([
            input.parent_id.into(),
            input.kind.code().into(),
            input.code.trim().into(),
            name.clone().into(),
            fold(&name).into(),
            "/".into(),
            depth.into(),
            input.ward_code.clone().into(),
            input.address.as_deref().map(clean).into(),
            input.lat.into(),
            input.lon.into(),
            input.levels.to_codes().into(),
            input.ownership.map(|o| o.code()).into(),
            now.into(),
            now.into(),
        ])
        .returning_col(OrgUnits::Id)
        .to_owned();
    let (id,): (i64,) = tx
        .conn()
        .fetch_one(&insert)
        .await
        .map_err(|e| e.unique_as_conflict("code", "Mã đơn vị đã tồn tại."))?;
    let path = format!("{}{id}/", parent.as_ref().map_or("/", |p| p.path.as_str()));
    tx.conn()
        .execute(
            Query::update()
                .table(OrgUnits::Table)
                .value(OrgUnits::Path, path)
                .and_where(Expr::col(OrgUnits::Id).eq(id)),
        )
        .await?;
    record_parent(tx, id, input.parent_id, valid_from, Some("Thành lập")).await?;
    get(&mut tx.conn(), &Scope::All, id).await
}

async fn record_parent(
    tx: &mut Tx,
    unit: i64,
    parent: Option<i64>,
    from: NaiveDate,
    reason: Option<&str>,
) -> StoreResult<()> {
    tx.conn()
        .execute(
            Query::insert()
                .into_table(OrgUnitParents::Table)
                .columns([
                    OrgUnitParents::OrgUnitId,
                    OrgUnitParents::ParentId,
                    OrgUnitParents::ValidFrom,
                    OrgUnitParents::Reason,
                ])
                .values_panic([
                    unit.into(),
                    parent.into(),
                    from.into(),
                    reason.map(str::to_string).into(),
                ]),
        )
        .await?;
    Ok(())
}

/// Updates a unit's fields. A change of parent moves the whole subtree and is recorded in the
/// unit's history of managing units, effective `valid_from`, with `reason`.
pub async fn update(
    tx: &mut Tx,
    scope: &Scope,
    id: i64,
    input: &OrgInput,
    valid_from: NaiveDate,
    reason: Option<&str>,
) -> StoreResult<OrgUnit> {
    let current = get(&mut tx.conn(), scope, id).await?;
    if input.kind != current.kind {
        return Err(StoreError::invalid(
            "kind",
            "Không đổi được loại đơn vị; hãy tạo đơn vị mới.",
        ));
    }
    // Moving a unit needs the new parent in scope; keeping it does not (a principal edits their
    // school, which stays under an office they do not manage).
    let parent_scope = if input.parent_id == current.parent_id {
        &Scope::All
    } else {
        scope
    };
    let parent = match input.parent_id {
        Some(pid) => Some(
            get(&mut tx.conn(), parent_scope, pid)
                .await
                .map_err(|_| StoreError::invalid("parent_id", "Không tìm thấy đơn vị quản lý."))?,
        ),
        None => None,
    };
    if input.parent_id != current.parent_id
        && current.parent_id.is_some()
        && input.parent_id.is_none()
    {
        return Err(StoreError::invalid(
            "parent_id",
            "Phải chọn đơn vị quản lý.",
        ));
    }
    if let Some(p) = &parent
        && p.path.starts_with(&current.path)
    {
        return Err(StoreError::invalid(
            "parent_id",
            "Không thể chuyển đơn vị vào chính cấp dưới của nó.",
        ));
    }
    if parent.is_some() || input.kind != OrgKind::Ministry {
        validate(input, parent.as_ref())?;
    }
    let name = clean(&input.name);
    tx.conn()
        .execute(
            Query::update()
                .table(OrgUnits::Table)
                .values([
                    (OrgUnits::Code, input.code.trim().into()),
                    (OrgUnits::Name, name.clone().into()),
                    (OrgUnits::NameFold, fold(&name).into()),
                    (OrgUnits::WardCode, input.ward_code.clone().into()),
                    (
                        OrgUnits::Address,
                        input.address.as_deref().map(clean).into(),
                    ),
                    (OrgUnits::Lat, input.lat.into()),
                    (OrgUnits::Lon, input.lon.into()),
                    (OrgUnits::Levels, input.levels.to_codes().into()),
                    (
                        OrgUnits::Ownership,
                        input.ownership.map(|o| o.code()).into(),
                    ),
                    (OrgUnits::UpdatedAt, Utc::now().into()),
                ])
                .and_where(Expr::col(OrgUnits::Id).eq(id)),
        )
        .await
        .map_err(|e| e.unique_as_conflict("code", "Mã đơn vị đã tồn tại."))?;
    if input.parent_id != current.parent_id
        && let Some(new_parent) = parent
    {
        move_subtree(tx, &current, &new_parent).await?;
        tx.conn()
            .execute(
                Query::update()
                    .table(OrgUnitParents::Table)
                    .value(OrgUnitParents::ValidTo, valid_from)
                    .and_where(Expr::col(OrgUnitParents::OrgUnitId).eq(id))
                    .and_where(Expr::col(OrgUnitParents::ValidTo).is_null()),
            )
            .await?;
        record_parent(tx, id, Some(new_parent.id), valid_from, reason).await?;
    }
    get(&mut tx.conn(), &Scope::All, id).await
}

/// Re-roots the subtree of `unit` under `new_parent`, rewriting the paths and depths below it.
async fn move_subtree(tx: &mut Tx, unit: &OrgUnit, new_parent: &OrgUnit) -> StoreResult<()> {
    let new_path = format!("{}{}/", new_parent.path, unit.id);
    let depth_shift = new_parent.depth + 1 - unit.depth;
    let old_len = unit.path.len() as i64;
    let backend = tx.conn().backend();
    tx.conn()
        .execute(
            Query::update()
                .table(OrgUnits::Table)
                .value(
                    OrgUnits::Path,
                    // sea-query keeps custom placeholders as written: `?` for SQLite, `$n` for PostgreSQL.
                    Expr::cust_with_values(
                        match backend {
                            Backend::Sqlite => "? || substr(path, ?)",
                            Backend::Postgres => "$1 || substr(path, $2::integer)",
                        },
                        [sea_query::Value::from(new_path), (old_len + 1).into()],
                    ),
                )
                .value(OrgUnits::Depth, Expr::col(OrgUnits::Depth).add(depth_shift))
                .and_where(path_prefix(&unit.path)),
        )
        .await?;
    tx.conn()
        .execute(
            Query::update()
                .table(OrgUnits::Table)
                .value(OrgUnits::ParentId, new_parent.id)
                .and_where(Expr::col(OrgUnits::Id).eq(unit.id)),
        )
        .await?;
    Ok(())
}

/// One entry of a unit's history of managing units.
#[derive(Debug, Clone, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct ParentPeriod {
    pub parent_id: Option<i64>,
    pub parent_name: Option<String>,
    pub valid_from: NaiveDate,
    pub valid_to: Option<NaiveDate>,
    pub reason: Option<String>,
}

pub async fn parent_history(conn: &mut Conn<'_>, unit_id: i64) -> StoreResult<Vec<ParentPeriod>> {
    let q = Query::select()
        .column((OrgUnitParents::Table, OrgUnitParents::ParentId))
        .expr_as(Expr::col((OrgUnits::Table, OrgUnits::Name)), "parent_name")
        .columns([
            (OrgUnitParents::Table, OrgUnitParents::ValidFrom),
            (OrgUnitParents::Table, OrgUnitParents::ValidTo),
            (OrgUnitParents::Table, OrgUnitParents::Reason),
        ])
        .from(OrgUnitParents::Table)
        .left_join(
            OrgUnits::Table,
            Expr::col((OrgUnits::Table, OrgUnits::Id))
                .equals((OrgUnitParents::Table, OrgUnitParents::ParentId)),
        )
        .and_where(Expr::col((OrgUnitParents::Table, OrgUnitParents::OrgUnitId)).eq(unit_id))
        .order_by(
            (OrgUnitParents::Table, OrgUnitParents::ValidFrom),
            Order::Asc,
        )
        .order_by((OrgUnitParents::Table, OrgUnitParents::Id), Order::Asc)
        .to_owned();
    conn.fetch_all(&q).await
}

/// The number of units in the whole tree (also a cheap liveness probe of the database).
pub async fn count_all(conn: &mut Conn<'_>) -> StoreResult<u64> {
    count(conn, &Query::select().from(OrgUnits::Table).to_owned()).await
}
