//! Staff members of schools and offices.

use chrono::{DateTime, NaiveDate, Utc};
use sea_query::{Expr, ExprTrait, Order, Query, SimpleExpr};
use serde::{Deserialize, Serialize};
use truongso_domain::codes::Gender;
use truongso_domain::staff::{EmploymentType, Qualification, StaffInput, StaffPosition};
use truongso_domain::text::{clean, fold};

use crate::schema::{OrgUnits, Staff};
use crate::{Conn, Page, PageRequest, Scope, StoreError, StoreResult, Tx};

#[derive(Debug, Clone, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct StaffMember {
    pub id: i64,
    pub org_unit_id: i64,
    pub org_unit_name: String,
    pub national_id: Option<String>,
    pub full_name: String,
    pub birth_date: NaiveDate,
    #[sqlx(try_from = "String")]
    pub gender: Gender,
    pub ethnicity_code: String,
    #[sqlx(try_from = "String")]
    pub position: StaffPosition,
    #[sqlx(try_from = "String")]
    pub qualification: Qualification,
    #[sqlx(try_from = "String")]
    pub employment_type: EmploymentType,
    /// Subject codes taught (GDPT 2018 list).
    #[sqlx(try_from = "String")]
    #[schema(value_type = Vec<String>)]
    pub subjects: SubjectCodes,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl StaffMember {
    pub fn subject_codes(&self) -> Vec<&str> {
        self.subjects.0.iter().map(String::as_str).collect()
    }
}

/// Subject codes, stored comma-separated and shown as a list (the same shape the API accepts).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct SubjectCodes(pub Vec<String>);

impl From<String> for SubjectCodes {
    fn from(s: String) -> Self {
        SubjectCodes(
            s.split(',')
                .filter(|c| !c.is_empty())
                .map(str::to_string)
                .collect(),
        )
    }
}

impl std::fmt::Display for SubjectCodes {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0.join(", "))
    }
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct StaffFilter {
    /// Staff of this unit (school or office).
    pub org_unit_id: Option<i64>,
    pub position: Option<StaffPosition>,
    /// Name (diacritics optional) or national ID.
    pub q: Option<String>,
}

fn select() -> sea_query::SelectStatement {
    Query::select()
        .columns([
            (Staff::Table, Staff::Id),
            (Staff::Table, Staff::OrgUnitId),
            (Staff::Table, Staff::NationalId),
            (Staff::Table, Staff::FullName),
            (Staff::Table, Staff::BirthDate),
            (Staff::Table, Staff::Gender),
            (Staff::Table, Staff::EthnicityCode),
            (Staff::Table, Staff::Position),
            (Staff::Table, Staff::Qualification),
            (Staff::Table, Staff::EmploymentType),
            (Staff::Table, Staff::Subjects),
            (Staff::Table, Staff::Phone),
            (Staff::Table, Staff::Email),
            (Staff::Table, Staff::CreatedAt),
            (Staff::Table, Staff::UpdatedAt),
        ])
        .expr_as(
            Expr::col((OrgUnits::Table, OrgUnits::Name)),
            "org_unit_name",
        )
        .from(Staff::Table)
        .inner_join(
            OrgUnits::Table,
            Expr::col((OrgUnits::Table, OrgUnits::Id)).equals((Staff::Table, Staff::OrgUnitId)),
        )
        .to_owned()
}

fn in_scope(q: &mut sea_query::SelectStatement, scope: &Scope) {
    if let Some(cond) = scope.org_filter(Expr::col((Staff::Table, Staff::OrgUnitId))) {
        q.and_where(cond);
    }
}

pub async fn get(conn: &mut Conn<'_>, scope: &Scope, id: i64) -> StoreResult<StaffMember> {
    let mut q = select();
    q.and_where(Expr::col((Staff::Table, Staff::Id)).eq(id));
    in_scope(&mut q, scope);
    conn.fetch_optional(&q)
        .await?
        .ok_or(StoreError::not_found("cán bộ"))
}

/// Staff of these units, and anyone with one of these personal IDs wherever they work (for
/// imports to find a row's stored record, or to see it belongs to another unit).
pub async fn of_units_or_ids(
    conn: &mut Conn<'_>,
    unit_ids: &[i64],
    national_ids: &[String],
) -> StoreResult<Vec<StaffMember>> {
    let mut out: Vec<StaffMember> = Vec::new();
    for chunk in unit_ids.chunks(500) {
        let mut q = select();
        q.and_where(Expr::col((Staff::Table, Staff::OrgUnitId)).is_in(chunk.iter().copied()));
        out.extend(conn.fetch_all::<StaffMember>(&q).await?);
    }
    for chunk in national_ids.chunks(500) {
        let mut q = select();
        q.and_where(Expr::col((Staff::Table, Staff::NationalId)).is_in(chunk.iter().cloned()));
        out.extend(conn.fetch_all::<StaffMember>(&q).await?);
    }
    out.sort_by_key(|s| s.id);
    out.dedup_by_key(|s| s.id);
    Ok(out)
}

impl StaffMember {
    /// The stored profile as an editable input.
    pub fn to_input(&self) -> StaffInput {
        StaffInput {
            national_id: self.national_id.clone(),
            full_name: self.full_name.clone(),
            birth_date: self.birth_date,
            gender: self.gender,
            ethnicity_code: self.ethnicity_code.clone(),
            position: self.position,
            qualification: self.qualification,
            employment_type: self.employment_type,
            subjects: self.subjects.0.clone(),
            phone: self.phone.clone(),
            email: self.email.clone(),
        }
    }
}

const SORTS: &[&str] = &["name", "birth_date", "position"];

pub async fn list(
    conn: &mut Conn<'_>,
    scope: &Scope,
    filter: &StaffFilter,
    page: &PageRequest,
) -> StoreResult<Page<StaffMember>> {
    let sort = page
        .sort_field(SORTS)
        .map_err(|m| StoreError::invalid("sort", m))?;
    let mut cond = sea_query::Condition::all();
    if let Some(c) = scope.org_filter(Expr::col((Staff::Table, Staff::OrgUnitId))) {
        cond = cond.add(c);
    }
    if let Some(o) = filter.org_unit_id {
        cond = cond.add(Expr::col((Staff::Table, Staff::OrgUnitId)).eq(o));
    }
    if let Some(p) = filter.position {
        cond = cond.add(Expr::col((Staff::Table, Staff::Position)).eq(p.code()));
    }
    if let Some(text) = filter.q.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        cond = cond.add(name_or_id_matches(text));
    }
    let q = Query::select()
        .from(Staff::Table)
        .cond_where(cond.clone())
        .to_owned();
    let total = crate::orgs::count(conn, &q).await?;
    let (col, desc) = match sort {
        Some(("birth_date", d)) => (Staff::BirthDate, d),
        Some(("position", d)) => (Staff::Position, d),
        Some((_, d)) => (Staff::SortKey, d),
        None => (Staff::SortKey, false),
    };
    let mut full = select();
    full.cond_where(cond)
        .order_by(
            (Staff::Table, col),
            if desc { Order::Desc } else { Order::Asc },
        )
        .order_by((Staff::Table, Staff::Id), Order::Asc)
        .limit(page.per_page())
        .offset(page.offset());
    Ok(Page {
        items: conn.fetch_all(&full).await?,
        total,
        page: page.page(),
        per_page: page.per_page(),
    })
}

fn name_or_id_matches(text: &str) -> SimpleExpr {
    if text.chars().all(|c| c.is_ascii_digit()) {
        Expr::col((Staff::Table, Staff::NationalId)).eq(text)
    } else {
        let pattern = format!("%{}%", crate::orgs::escape_like(&fold(text)));
        Expr::col((Staff::Table, Staff::NameFold))
            .like(sea_query::LikeExpr::new(pattern).escape('\\'))
    }
}

/// "Nguyễn Thị Hoa" → "hoa nguyen thi hoa": Vietnamese lists sort by given name, then full name.
pub fn sort_key(full_name: &str) -> String {
    let folded = fold(full_name);
    let given = folded.rsplit(' ').next().unwrap_or_default();
    format!("{given} {folded}")
}

fn values(input: &StaffInput) -> Vec<(Staff, sea_query::Value)> {
    let name = clean(&input.full_name);
    vec![
        (
            Staff::NationalId,
            input
                .national_id
                .as_deref()
                .map(|s| s.trim().to_string())
                .into(),
        ),
        (Staff::FullName, name.clone().into()),
        (Staff::NameFold, fold(&name).into()),
        (Staff::SortKey, sort_key(&name).into()),
        (Staff::BirthDate, input.birth_date.into()),
        (Staff::Gender, input.gender.code().into()),
        (Staff::EthnicityCode, input.ethnicity_code.clone().into()),
        (Staff::Position, input.position.code().into()),
        (Staff::Qualification, input.qualification.code().into()),
        (Staff::EmploymentType, input.employment_type.code().into()),
        (Staff::Subjects, input.subjects.join(",").into()),
        (Staff::Phone, input.phone.clone().into()),
        (
            Staff::Email,
            input
                .email
                .as_deref()
                .map(|e| e.trim().to_lowercase())
                .into(),
        ),
    ]
}

/// Creates a staff member of `org_unit_id`, which must be inside `scope`.
pub async fn create(
    tx: &mut Tx,
    scope: &Scope,
    org_unit_id: i64,
    input: &StaffInput,
    today: NaiveDate,
) -> StoreResult<StaffMember> {
    crate::orgs::get(&mut tx.conn(), scope, org_unit_id)
        .await
        .map_err(|_| StoreError::invalid("org_unit_id", "Không tìm thấy đơn vị công tác."))?;
    input.validate(today)?;
    let now = Utc::now();
    let mut vals = values(input);
    vals.extend([
        (Staff::OrgUnitId, org_unit_id.into()),
        (Staff::CreatedAt, now.into()),
        (Staff::UpdatedAt, now.into()),
    ]);
    let (cols, vs): (Vec<_>, Vec<_>) = vals.into_iter().unzip();
    let (id,): (i64,) = tx
        .conn()
        .fetch_one(
            Query::insert()
                .into_table(Staff::Table)
                .columns(cols)
                .values_panic(vs.into_iter().map(SimpleExpr::from))
                .returning_col(Staff::Id),
        )
        .await?;
    get(&mut tx.conn(), &Scope::All, id).await
}

/// Replaces the profile of a staff member inside `scope`.
pub async fn update(
    tx: &mut Tx,
    scope: &Scope,
    id: i64,
    input: &StaffInput,
    today: NaiveDate,
) -> StoreResult<StaffMember> {
    get(&mut tx.conn(), scope, id).await?;
    input.validate(today)?;
    let mut vals = values(input);
    vals.push((Staff::UpdatedAt, Utc::now().into()));
    tx.conn()
        .execute(
            Query::update()
                .table(Staff::Table)
                .values(vals.into_iter().map(|(c, v)| (c, SimpleExpr::from(v))))
                .and_where(Expr::col(Staff::Id).eq(id)),
        )
        .await?;
    get(&mut tx.conn(), &Scope::All, id).await
}
