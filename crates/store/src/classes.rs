//! Classes (lớp) of a school in a school year, with their homeroom teacher.

use chrono::{DateTime, Utc};
use sea_query::{Condition, Expr, ExprTrait, Order, Query};
use serde::{Deserialize, Serialize};
use truongso_domain::validation::Checker;

use crate::schema::{Classes, Enrolments, OrgUnits, Staff};
use crate::{Conn, Page, PageRequest, Scope, StoreError, StoreResult, Tx};

#[derive(Debug, Clone, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct Class {
    pub id: i64,
    pub org_unit_id: i64,
    pub school_name: String,
    /// The satellite site (điểm trường) where the class is taught, if not the main site.
    pub site_id: Option<i64>,
    pub school_year_id: i64,
    pub grade: i32,
    pub name: String,
    pub homeroom_staff_id: Option<i64>,
    pub homeroom_name: Option<String>,
    /// Learners currently enrolled in the class.
    pub learner_count: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
pub struct ClassInput {
    pub org_unit_id: i64,
    pub site_id: Option<i64>,
    pub school_year_id: i64,
    /// 0 for preschool groups, 1–12 otherwise.
    #[schema(minimum = 0, maximum = 12)]
    pub grade: i32,
    #[schema(min_length = 1, max_length = 30)]
    pub name: String,
    pub homeroom_staff_id: Option<i64>,
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ClassFilter {
    pub org_unit_id: Option<i64>,
    pub school_year_id: Option<i64>,
    pub grade: Option<i32>,
}

fn select() -> sea_query::SelectStatement {
    Query::select()
        .columns([
            (Classes::Table, Classes::Id), (Classes::Table, Classes::OrgUnitId), (Classes::Table, Classes::SiteId),
            (Classes::Table, Classes::SchoolYearId), (Classes::Table, Classes::Grade), (Classes::Table, Classes::Name),
            (Classes::Table, Classes::HomeroomStaffId), (Classes::Table, Classes::CreatedAt), (Classes::Table, Classes::UpdatedAt),
        ])
        .expr_as(Expr::col((OrgUnits::Table, OrgUnits::Name)), "school_name")
        .expr_as(Expr::col((Staff::Table, Staff::FullName)), "homeroom_name")
        .expr_as(
            Expr::cust("(SELECT COUNT(*) FROM enrolments e WHERE e.class_id = classes.id AND e.status IN ('studying', 'transferred_in', 'repeating'))"),
            "learner_count",
        )
        .from(Classes::Table)
        .inner_join(OrgUnits::Table, Expr::col((OrgUnits::Table, OrgUnits::Id)).equals((Classes::Table, Classes::OrgUnitId)))
        .left_join(Staff::Table, Expr::col((Staff::Table, Staff::Id)).equals((Classes::Table, Classes::HomeroomStaffId)))
        .to_owned()
}

fn scope_cond(scope: &Scope) -> Condition {
    let mut c = Condition::all();
    if let Some(f) = scope.org_filter(Expr::col((Classes::Table, Classes::OrgUnitId))) {
        c = c.add(f);
    }
    c
}

pub async fn get(conn: &mut Conn<'_>, scope: &Scope, id: i64) -> StoreResult<Class> {
    let q = select()
        .cond_where(scope_cond(scope).add(Expr::col((Classes::Table, Classes::Id)).eq(id)))
        .to_owned();
    conn.fetch_optional(&q)
        .await?
        .ok_or(StoreError::not_found("lớp"))
}

/// Several classes inside `scope` in one query, by grade and name (a teacher's classes).
pub async fn get_many(conn: &mut Conn<'_>, scope: &Scope, ids: &[i64]) -> StoreResult<Vec<Class>> {
    if ids.is_empty() {
        return Ok(vec![]);
    }
    let q = select()
        .cond_where(
            scope_cond(scope)
                .add(Expr::col((Classes::Table, Classes::Id)).is_in(ids.iter().copied())),
        )
        .order_by((Classes::Table, Classes::Grade), Order::Asc)
        .order_by((Classes::Table, Classes::Name), Order::Asc)
        .to_owned();
    conn.fetch_all(&q).await
}

const SORTS: &[&str] = &["name", "grade"];

pub async fn list(
    conn: &mut Conn<'_>,
    scope: &Scope,
    filter: &ClassFilter,
    page: &PageRequest,
) -> StoreResult<Page<Class>> {
    let sort = page
        .sort_field(SORTS)
        .map_err(|m| StoreError::invalid("sort", m))?;
    let mut cond = scope_cond(scope);
    if let Some(o) = filter.org_unit_id {
        cond = cond.add(Expr::col((Classes::Table, Classes::OrgUnitId)).eq(o));
    }
    if let Some(y) = filter.school_year_id {
        cond = cond.add(Expr::col((Classes::Table, Classes::SchoolYearId)).eq(y));
    }
    if let Some(g) = filter.grade {
        cond = cond.add(Expr::col((Classes::Table, Classes::Grade)).eq(g));
    }
    let total = crate::orgs::count(
        conn,
        &Query::select()
            .from(Classes::Table)
            .cond_where(cond.clone())
            .to_owned(),
    )
    .await?;
    let desc = sort.is_some_and(|(_, d)| d);
    let order = if desc { Order::Desc } else { Order::Asc };
    let mut q = select();
    q.cond_where(cond);
    if let Some(("name", _)) = sort {
        q.order_by((Classes::Table, Classes::Name), order);
    } else {
        q.order_by((Classes::Table, Classes::Grade), order.clone())
            .order_by((Classes::Table, Classes::Name), order);
    }
    q.limit(page.per_page()).offset(page.offset());
    Ok(Page {
        items: conn.fetch_all(&q).await?,
        total,
        page: page.page(),
        per_page: page.per_page(),
    })
}

async fn validate(tx: &mut Tx, scope: &Scope, input: &ClassInput) -> StoreResult<()> {
    let mut c = Checker::new();
    c.required_text("name", &input.name, 30);
    if !(0..=12).contains(&input.grade) {
        c.push("grade", "Khối lớp phải từ 0 (mầm non) đến 12.");
    }
    match crate::orgs::get(&mut tx.conn(), scope, input.org_unit_id).await {
        Ok(school) if school.kind != truongso_domain::org::OrgKind::School => {
            c.push("org_unit_id", "Lớp phải thuộc một trường.")
        }
        Ok(school) => {
            let grade_taught = school
                .levels
                .0
                .iter()
                .any(|l| l.grades().contains(&(input.grade.clamp(0, 12) as u8)));
            if !grade_taught {
                c.push("grade", format!("Trường không dạy khối {}.", input.grade));
            }
        }
        Err(_) => c.push("org_unit_id", "Không tìm thấy trường."),
    }
    if let Some(site) = input.site_id {
        match crate::orgs::get(&mut tx.conn(), scope, site).await {
            Ok(s) if s.parent_id == Some(input.org_unit_id) => {}
            _ => c.push("site_id", "Điểm trường không thuộc trường này."),
        }
    }
    if crate::years::get(&mut tx.conn(), input.school_year_id)
        .await
        .is_err()
    {
        c.push("school_year_id", "Không tìm thấy năm học.");
    }
    if let Some(t) = input.homeroom_staff_id {
        match crate::staff::get(&mut tx.conn(), scope, t).await {
            Ok(s) if s.org_unit_id == input.org_unit_id => {}
            _ => c.push(
                "homeroom_staff_id",
                "Giáo viên chủ nhiệm phải là cán bộ của trường.",
            ),
        }
    }
    Ok(c.finish()?)
}

pub async fn create(tx: &mut Tx, scope: &Scope, input: &ClassInput) -> StoreResult<Class> {
    validate(tx, scope, input).await?;
    let now = Utc::now();
    let (id,): (i64,) = tx
        .conn()
        .fetch_one(
            Query::insert()
                .into_table(Classes::Table)
                .columns([
                    Classes::OrgUnitId,
                    Classes::SiteId,
                    Classes::SchoolYearId,
                    Classes::Grade,
                    Classes::Name,
                    Classes::HomeroomStaffId,
                    Classes::CreatedAt,
                    Classes::UpdatedAt,
                ])
                .values_panic([
                    input.org_unit_id.into(),
                    input.site_id.into(),
                    input.school_year_id.into(),
                    input.grade.into(),
                    input.name.trim().into(),
                    input.homeroom_staff_id.into(),
                    now.into(),
                    now.into(),
                ])
                .returning_col(Classes::Id),
        )
        .await
        .map_err(|e| {
            e.unique_as_conflict("name", "Trường đã có lớp trùng tên trong năm học này.")
        })?;
    get(&mut tx.conn(), &Scope::All, id).await
}

pub async fn update(tx: &mut Tx, scope: &Scope, id: i64, input: &ClassInput) -> StoreResult<Class> {
    let current = get(&mut tx.conn(), scope, id).await?;
    if current.org_unit_id != input.org_unit_id || current.school_year_id != input.school_year_id {
        return Err(StoreError::invalid(
            "org_unit_id",
            "Không chuyển được lớp sang trường hoặc năm học khác.",
        ));
    }
    validate(tx, scope, input).await?;
    tx.conn()
        .execute(
            Query::update()
                .table(Classes::Table)
                .values([
                    (Classes::SiteId, input.site_id.into()),
                    (Classes::Grade, input.grade.into()),
                    (Classes::Name, input.name.trim().into()),
                    (Classes::HomeroomStaffId, input.homeroom_staff_id.into()),
                    (Classes::UpdatedAt, Utc::now().into()),
                ])
                .and_where(Expr::col(Classes::Id).eq(id)),
        )
        .await
        .map_err(|e| {
            e.unique_as_conflict("name", "Trường đã có lớp trùng tên trong năm học này.")
        })?;
    get(&mut tx.conn(), &Scope::All, id).await
}

/// Whether a class has any enrolment (used to refuse deleting it).
pub async fn has_enrolments(conn: &mut Conn<'_>, id: i64) -> StoreResult<bool> {
    let n = crate::orgs::count(
        conn,
        &Query::select()
            .from(Enrolments::Table)
            .and_where(Expr::col(Enrolments::ClassId).eq(id))
            .to_owned(),
    )
    .await?;
    Ok(n > 0)
}

/// The classes of the current school year a staff member leads (homeroom) or teaches
/// (teaching assignments): what a teacher's account reaches.
pub async fn reached_by_staff(conn: &mut Conn<'_>, staff_id: i64) -> StoreResult<Vec<i64>> {
    use crate::schema::{SchoolYears, TeachingAssignments};
    let current_years = Query::select()
        .column(SchoolYears::Id)
        .from(SchoolYears::Table)
        .and_where(Expr::col(SchoolYears::IsCurrent).eq(true))
        .to_owned();
    let taught = Query::select()
        .column(TeachingAssignments::ClassId)
        .from(TeachingAssignments::Table)
        .and_where(Expr::col(TeachingAssignments::StaffId).eq(staff_id))
        .to_owned();
    let rows: Vec<(i64,)> = conn
        .fetch_all(
            Query::select()
                .column(Classes::Id)
                .from(Classes::Table)
                .cond_where(
                    Condition::any()
                        .add(Expr::col(Classes::HomeroomStaffId).eq(staff_id))
                        .add(Expr::col(Classes::Id).in_subquery(taught)),
                )
                .and_where(Expr::col(Classes::SchoolYearId).in_subquery(current_years))
                .order_by(Classes::Id, Order::Asc),
        )
        .await?;
    Ok(rows.into_iter().map(|r| r.0).collect())
}

/// Records that a staff member teaches a subject in a class.
pub async fn assign_teacher(
    conn: &mut Conn<'_>,
    class: &Class,
    staff_id: i64,
    subject_code: &str,
) -> StoreResult<()> {
    use crate::schema::TeachingAssignments;
    if truongso_domain::subjects::subject(subject_code).is_none() {
        return Err(StoreError::invalid(
            "subject_code",
            format!("Môn học '{subject_code}' không có trong chương trình GDPT 2018."),
        ));
    }
    conn.execute(
        Query::insert()
            .into_table(TeachingAssignments::Table)
            .columns([
                TeachingAssignments::SchoolYearId,
                TeachingAssignments::ClassId,
                TeachingAssignments::StaffId,
                TeachingAssignments::SubjectCode,
            ])
            .values_panic([
                class.school_year_id.into(),
                class.id.into(),
                staff_id.into(),
                subject_code.into(),
            ]),
    )
    .await
    .map_err(|e| e.unique_as_conflict("subject_code", "Giáo viên đã được phân công môn này."))?;
    Ok(())
}
