//! Statistical reports: facts counted per school on a report date, the organisation tree as it was
//! on that date, frozen submissions, and the records behind every figure.
//!
//! The tables and what each cell counts are `domain::statistics`; this module only counts facts
//! and lists records by the same conditions.

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, NaiveDate, Utc};
use sea_query::{Expr, ExprTrait, Order, Query};
use serde::Serialize;
use truongso_domain::codes::Gender;
use truongso_domain::learners::{Disability, EnrolmentStatus, PolicyGroup};
use truongso_domain::org::{OrgKind, Ownership, levels_from_codes};
use truongso_domain::staff::{Qualification, StaffPosition};
use truongso_domain::statistics::{
    self, ClassFact, Conditions, Facts, Figures, LearnerCondition, LearnerFact, ReportKind,
    SchoolFact, StaffCondition, StaffFact, UnitCondition,
};

use crate::orgs::{self, OrgUnit};
use crate::schema::{OrgUnitParents, OrgUnits, StatSubmissions};
use crate::years::{self, SchoolYear};
use crate::{Conn, Page, PageRequest, Scope, StoreError, StoreResult, Tx};

/// Which report: the round, the school year and the date the figures are counted on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct ReportRequest {
    pub kind: ReportKind,
    pub school_year_id: i64,
    pub as_of: NaiveDate,
}

/// A unit of the tree as it was on a date.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct UnitAsOf {
    pub id: i64,
    pub name: String,
    pub kind: OrgKind,
    pub parent_id: Option<i64>,
}

/// The organisation tree as it was on a date, from each unit's history of managing units: a
/// school that moved from one office to another counts under the office it had then.
#[derive(Debug, Clone, Default)]
pub struct TreeAsOf {
    units: HashMap<i64, UnitAsOf>,
    children: HashMap<i64, Vec<i64>>,
}

#[derive(sqlx::FromRow)]
struct UnitRow {
    id: i64,
    name: String,
    #[sqlx(try_from = "String")]
    kind: OrgKind,
    parent_id: Option<i64>,
}

impl TreeAsOf {
    pub async fn load(conn: &mut Conn<'_>, on: NaiveDate) -> StoreResult<TreeAsOf> {
        let rows: Vec<UnitRow> = conn
            .fetch_all(
                Query::select()
                    .column((OrgUnits::Table, OrgUnits::Id))
                    .column((OrgUnits::Table, OrgUnits::Name))
                    .column((OrgUnits::Table, OrgUnits::Kind))
                    .column((OrgUnitParents::Table, OrgUnitParents::ParentId))
                    .from(OrgUnitParents::Table)
                    .inner_join(
                        OrgUnits::Table,
                        Expr::col((OrgUnits::Table, OrgUnits::Id))
                            .equals((OrgUnitParents::Table, OrgUnitParents::OrgUnitId)),
                    )
                    .and_where(
                        Expr::col((OrgUnitParents::Table, OrgUnitParents::ValidFrom)).lte(on),
                    )
                    .and_where(
                        Expr::col((OrgUnitParents::Table, OrgUnitParents::ValidTo))
                            .is_null()
                            .or(Expr::col((OrgUnitParents::Table, OrgUnitParents::ValidTo)).gt(on)),
                    ),
            )
            .await?;
        let mut tree = TreeAsOf::default();
        for r in rows {
            if let Some(p) = r.parent_id {
                tree.children.entry(p).or_default().push(r.id);
            }
            tree.units.insert(
                r.id,
                UnitAsOf {
                    id: r.id,
                    name: r.name,
                    kind: r.kind,
                    parent_id: r.parent_id,
                },
            );
        }
        for kids in tree.children.values_mut() {
            kids.sort_by(|a, b| tree.units[a].name.cmp(&tree.units[b].name));
        }
        Ok(tree)
    }

    pub fn unit(&self, id: i64) -> Option<&UnitAsOf> {
        self.units.get(&id)
    }

    /// The units directly below `id` on the date (satellite sites left out: they report with
    /// their school).
    pub fn children(&self, id: i64) -> Vec<&UnitAsOf> {
        self.children
            .get(&id)
            .map(|kids| {
                kids.iter()
                    .filter_map(|k| self.units.get(k))
                    .filter(|u| u.kind != OrgKind::SatelliteSite)
                    .collect()
            })
            .unwrap_or_default()
    }

    /// The schools in the subtree of `id` on the date (the unit itself when it is a school).
    pub fn schools_under(&self, id: i64) -> Vec<i64> {
        let mut out = Vec::new();
        let mut stack = vec![id];
        while let Some(u) = stack.pop() {
            match self.units.get(&u) {
                Some(unit) if unit.kind == OrgKind::School => out.push(u),
                Some(_) => stack.extend(self.children.get(&u).into_iter().flatten()),
                None => {}
            }
        }
        out.sort_unstable();
        out
    }

    /// Whether `unit` is `ancestor` or below it on the date.
    pub fn is_within(&self, unit: i64, ancestor: i64) -> bool {
        let mut current = Some(unit);
        while let Some(id) = current {
            if id == ancestor {
                return true;
            }
            current = self.units.get(&id).and_then(|u| u.parent_id);
        }
        false
    }

    fn sites_of(&self, school_id: i64) -> i64 {
        self.children.get(&school_id).map_or(0, |kids| {
            kids.iter()
                .filter(|k| {
                    self.units
                        .get(k)
                        .is_some_and(|u| u.kind == OrgKind::SatelliteSite)
                })
                .count() as i64
        })
    }
}

/// A report: the unit's figures, and those of each unit directly below it on the report date.
#[derive(Debug, Clone)]
pub struct Report {
    pub unit: OrgUnit,
    pub request: ReportRequest,
    pub school_year: SchoolYear,
    pub figures: Figures,
    pub below: Vec<(UnitAsOf, Figures)>,
    /// Schools counted.
    pub schools: usize,
    /// When the report is a frozen submission: which.
    pub submission: Option<SubmissionInfo>,
}

/// Who froze a report, when.
#[derive(Debug, Clone, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct SubmissionInfo {
    pub id: i64,
    pub unit_id: i64,
    #[sqlx(try_from = "String")]
    pub kind: ReportKind,
    pub school_year_id: i64,
    pub as_of: NaiveDate,
    pub version: i32,
    pub schools: i32,
    pub submitted_by_name: String,
    pub submitted_at: DateTime<Utc>,
    pub note: Option<String>,
}

/// Statistics show an organisation's figures: officers and school leaders only.
fn unit_scope(scope: &Scope) -> StoreResult<()> {
    match scope {
        Scope::All | Scope::Subtree { .. } => Ok(()),
        Scope::Classes { .. } | Scope::Learners { .. } => Err(StoreError::not_found("đơn vị")),
    }
}

/// Counts a report now, over the tree as it was on the report date.
pub async fn live(
    conn: &mut Conn<'_>,
    scope: &Scope,
    unit_id: i64,
    request: ReportRequest,
) -> StoreResult<Report> {
    unit_scope(scope)?;
    let unit = orgs::get(conn, scope, unit_id).await?;
    let school_year = years::get(conn, request.school_year_id).await?;
    let tree = TreeAsOf::load(conn, request.as_of).await?;
    let schools = tree.schools_under(unit_id);
    let per_school = count(conn, &tree, &schools, &request).await?;
    Ok(assemble(
        unit,
        request,
        school_year,
        &tree,
        per_school,
        schools.len(),
        None,
    ))
}

fn assemble(
    unit: OrgUnit,
    request: ReportRequest,
    school_year: SchoolYear,
    tree: &TreeAsOf,
    per_school: BTreeMap<i64, Figures>,
    schools: usize,
    submission: Option<SubmissionInfo>,
) -> Report {
    let figures = statistics::sum(per_school.values());
    let below = if unit.kind == OrgKind::School {
        Vec::new()
    } else {
        tree.children(unit.id)
            .into_iter()
            .map(|child| {
                let figures = statistics::sum(
                    tree.schools_under(child.id)
                        .iter()
                        .filter_map(|s| per_school.get(s)),
                );
                (child.clone(), figures)
            })
            .collect()
    };
    Report {
        unit,
        request,
        school_year,
        figures,
        below,
        schools,
        submission,
    }
}

/// The figures of each of `schools` on the report date.
pub async fn count(
    conn: &mut Conn<'_>,
    tree: &TreeAsOf,
    schools: &[i64],
    request: &ReportRequest,
) -> StoreResult<BTreeMap<i64, Figures>> {
    let facts = facts(conn, tree, schools, request).await?;
    let mut out = statistics::tabulate(&facts);
    out.retain(|id, _| schools.binary_search(id).is_ok());
    Ok(out)
}

/// Beyond this many schools the queries count every school and keep the wanted ones afterwards
/// (cheaper than a very long `IN` list).
const MAX_LISTED_SCHOOLS: usize = 400;

fn school_filter(column: &str, schools: &[i64]) -> String {
    if schools.is_empty() {
        return " AND 1 = 0".to_string();
    }
    if schools.len() > MAX_LISTED_SCHOOLS {
        return String::new();
    }
    let ids: Vec<String> = schools.iter().map(i64::to_string).collect();
    format!(" AND {column} IN ({})", ids.join(","))
}

/// The status of each enrolment of the year on the report date: the last event effective on or
/// before it. Enrolments that began later have none and are not counted.
///
/// One window over the events (numbered newest first per enrolment) rather than a lookup per
/// enrolment: about twice as fast on both databases for a province. For a few schools the events
/// are narrowed to their enrolments first, so a school's drill-down does not rank the province's.
fn enrolments_as_of(request: &ReportRequest, schools: &[i64]) -> String {
    // Only integers and a formatted date are spliced in: nothing from user text.
    let filter = school_filter("en.school_id", schools);
    let narrowed = if filter.is_empty() {
        String::new()
    } else {
        format!(
            " AND ev.enrolment_id IN (SELECT en.id FROM enrolments en \
               WHERE en.school_year_id = {year}{filter})",
            year = request.school_year_id,
        )
    };
    format!(
        "SELECT en.id AS enrolment_id, en.learner_id, en.school_id, en.class_id, last.status \
         FROM enrolments en \
         JOIN (SELECT ev.enrolment_id, ev.status, ROW_NUMBER() OVER \
                 (PARTITION BY ev.enrolment_id ORDER BY ev.effective_on DESC, ev.id DESC) AS n \
               FROM enrolment_events ev WHERE ev.effective_on <= '{date}'{narrowed}) last \
           ON last.enrolment_id = en.id AND last.n = 1 \
         WHERE en.school_year_id = {year}{filter}",
        date = request.as_of.format("%Y-%m-%d"),
        year = request.school_year_id,
    )
}

#[derive(sqlx::FromRow)]
struct LearnerFactRow {
    school_id: i64,
    grade: i64,
    gender: String,
    ethnicity_code: String,
    disability: Option<String>,
    policy_group: Option<String>,
    status: String,
    n: i64,
}

#[derive(sqlx::FromRow)]
struct StaffFactRow {
    school_id: i64,
    position: String,
    gender: String,
    ethnicity_code: String,
    qualification: String,
    n: i64,
}

#[derive(sqlx::FromRow)]
struct SchoolRow {
    id: i64,
    levels: String,
    ownership: Option<String>,
}

#[derive(sqlx::FromRow)]
struct ClassFactRow {
    school_id: i64,
    grade: i64,
    n: i64,
}

/// Counts the facts of `schools` (grouped so that one row stands for many records).
pub async fn facts(
    conn: &mut Conn<'_>,
    tree: &TreeAsOf,
    schools: &[i64],
    request: &ReportRequest,
) -> StoreResult<Facts> {
    let learners: Vec<LearnerFactRow> = conn
        .fetch_all_raw(
            &format!(
                "SELECT s.school_id, CAST(COALESCE(c.grade, -1) AS BIGINT) AS grade, l.gender, l.ethnicity_code, \
                   l.disability, l.policy_group, s.status, COUNT(*) AS n \
                 FROM ({}) s \
                 JOIN learners l ON l.id = s.learner_id \
                 LEFT JOIN classes c ON c.id = s.class_id \
                 WHERE s.status IS NOT NULL \
                 GROUP BY s.school_id, COALESCE(c.grade, -1), l.gender, l.ethnicity_code, \
                   l.disability, l.policy_group, s.status",
                enrolments_as_of(request, schools)
            ),
            &[],
        )
        .await?;
    let staff: Vec<StaffFactRow> = conn
        .fetch_all_raw(
            &format!(
                "SELECT org_unit_id AS school_id, position, gender, ethnicity_code, qualification, \
                   COUNT(*) AS n FROM staff WHERE 1 = 1{} \
                 GROUP BY org_unit_id, position, gender, ethnicity_code, qualification",
                school_filter("org_unit_id", schools)
            ),
            &[],
        )
        .await?;
    let classes: Vec<ClassFactRow> = conn
        .fetch_all_raw(
            &format!(
                "SELECT org_unit_id AS school_id, CAST(grade AS BIGINT) AS grade, COUNT(*) AS n FROM classes \
                 WHERE school_year_id = {}{} GROUP BY org_unit_id, grade",
                request.school_year_id,
                school_filter("org_unit_id", schools)
            ),
            &[],
        )
        .await?;
    let school_rows: Vec<SchoolRow> = conn
        .fetch_all_raw(
            &format!(
                "SELECT id, levels, ownership FROM org_units WHERE kind = 'school'{}",
                school_filter("id", schools)
            ),
            &[],
        )
        .await?;
    let wanted = |id: &i64| schools.binary_search(id).is_ok();
    Ok(Facts {
        schools: school_rows
            .into_iter()
            .filter(|s| wanted(&s.id))
            .map(|s| SchoolFact {
                school_id: s.id,
                levels: levels_from_codes(&s.levels),
                ownership: s.ownership.as_deref().and_then(Ownership::from_code),
                sites: tree.sites_of(s.id),
            })
            .collect(),
        classes: classes
            .into_iter()
            .filter(|c| wanted(&c.school_id))
            .map(|c| ClassFact {
                school_id: c.school_id,
                grade: c.grade as i32,
                count: c.n,
            })
            .collect(),
        learners: learners
            .into_iter()
            .filter(|l| wanted(&l.school_id))
            .filter_map(|l| {
                Some(LearnerFact {
                    school_id: l.school_id,
                    grade: l.grade as i32,
                    gender: Gender::from_code(&l.gender)?,
                    ethnicity: l.ethnicity_code,
                    disability: l.disability.as_deref().and_then(Disability::from_code),
                    policy: l.policy_group.as_deref().and_then(PolicyGroup::from_code),
                    status: EnrolmentStatus::from_code(&l.status)?,
                    count: l.n,
                })
            })
            .collect(),
        staff: staff
            .into_iter()
            .filter(|s| wanted(&s.school_id))
            .filter_map(|s| {
                Some(StaffFact {
                    school_id: s.school_id,
                    position: StaffPosition::from_code(&s.position)?,
                    gender: Gender::from_code(&s.gender)?,
                    ethnicity: s.ethnicity_code,
                    qualification: Qualification::from_code(&s.qualification)?,
                    count: s.n,
                })
            })
            .collect(),
    })
}

// ---------------------------------------------------------------------------------------------
// Frozen submissions

/// Freezes the report of a unit as counted now: later edits of the records do not change it.
/// A unit may submit again; each submission is a new version and the earlier ones are kept.
pub async fn submit(
    tx: &mut Tx,
    scope: &Scope,
    unit_id: i64,
    request: ReportRequest,
    user: (Option<i64>, &str),
    note: Option<&str>,
) -> StoreResult<SubmissionInfo> {
    if note.is_some_and(|n| n.chars().count() > 1000) {
        return Err(StoreError::invalid(
            "note",
            "Ghi chú quá dài: tối đa 1.000 ký tự.",
        ));
    }
    unit_scope(scope)?;
    orgs::get(&mut tx.conn(), scope, unit_id).await?;
    years::get(&mut tx.conn(), request.school_year_id).await?;
    let tree = TreeAsOf::load(&mut tx.conn(), request.as_of).await?;
    let schools = tree.schools_under(unit_id);
    let per_school = count(&mut tx.conn(), &tree, &schools, &request).await?;
    let figures: BTreeMap<String, Vec<(String, String, String, i64)>> = per_school
        .iter()
        .map(|(id, f)| (id.to_string(), f.to_rows()))
        .collect();
    let (previous,): (Option<i32>,) = tx
        .conn()
        .fetch_one(
            Query::select()
                .expr(Expr::col(StatSubmissions::Version).max())
                .from(StatSubmissions::Table)
                .and_where(Expr::col(StatSubmissions::UnitId).eq(unit_id))
                .and_where(Expr::col(StatSubmissions::Kind).eq(request.kind.code()))
                .and_where(Expr::col(StatSubmissions::SchoolYearId).eq(request.school_year_id)),
        )
        .await?;
    let (id,): (i64,) = tx
        .conn()
        .fetch_one(
            Query::insert()
                .into_table(StatSubmissions::Table)
                .columns([
                    StatSubmissions::UnitId,
                    StatSubmissions::Kind,
                    StatSubmissions::SchoolYearId,
                    StatSubmissions::AsOf,
                    StatSubmissions::Version,
                    StatSubmissions::Figures,
                    StatSubmissions::Schools,
                    StatSubmissions::SubmittedBy,
                    StatSubmissions::SubmittedByName,
                    StatSubmissions::SubmittedAt,
                    StatSubmissions::Note,
                ])
                .values_panic([
                    unit_id.into(),
                    request.kind.code().into(),
                    request.school_year_id.into(),
                    request.as_of.into(),
                    (previous.unwrap_or(0) + 1).into(),
                    serde_json::to_string(&figures)
                        .expect("figures serialise")
                        .into(),
                    (schools.len() as i32).into(),
                    user.0.into(),
                    user.1.to_string().into(),
                    Utc::now().into(),
                    note.map(str::trim)
                        .filter(|n| !n.is_empty())
                        .map(str::to_string)
                        .into(),
                ])
                .returning_col(StatSubmissions::Id),
        )
        .await
        .map_err(|e| e.unique_as_conflict("version", "Báo cáo vừa được nộp; hãy tải lại trang."))?;
    submission_info(&mut tx.conn(), id).await
}

fn info_columns() -> [StatSubmissions; 10] {
    [
        StatSubmissions::Id,
        StatSubmissions::UnitId,
        StatSubmissions::Kind,
        StatSubmissions::SchoolYearId,
        StatSubmissions::AsOf,
        StatSubmissions::Version,
        StatSubmissions::Schools,
        StatSubmissions::SubmittedByName,
        StatSubmissions::SubmittedAt,
        StatSubmissions::Note,
    ]
}

async fn submission_info(conn: &mut Conn<'_>, id: i64) -> StoreResult<SubmissionInfo> {
    conn.fetch_optional(
        Query::select()
            .columns(info_columns())
            .from(StatSubmissions::Table)
            .and_where(Expr::col(StatSubmissions::Id).eq(id)),
    )
    .await?
    .ok_or_else(|| StoreError::not_found("báo cáo đã nộp"))
}

/// A frozen report as submitted, with the units below it grouped as the tree was on its date.
pub async fn submitted(conn: &mut Conn<'_>, scope: &Scope, id: i64) -> StoreResult<Report> {
    let info = submission_info(conn, id).await?;
    submitted_unit(conn, scope, id, info.unit_id).await
}

/// A unit inside a frozen report (for drilling down): the submitted figures of its schools.
pub async fn submitted_unit(
    conn: &mut Conn<'_>,
    scope: &Scope,
    id: i64,
    unit_id: i64,
) -> StoreResult<Report> {
    unit_scope(scope)?;
    let info = submission_info(conn, id).await?;
    // Both the submitting unit and the one looked at must be the reader's.
    orgs::get(conn, scope, info.unit_id).await?;
    let unit = orgs::get(conn, scope, unit_id).await?;
    let tree = TreeAsOf::load(conn, info.as_of).await?;
    if !tree.is_within(unit_id, info.unit_id) {
        return Err(StoreError::not_found("đơn vị trong báo cáo"));
    }
    let (json,): (String,) = conn
        .fetch_one(
            Query::select()
                .column(StatSubmissions::Figures)
                .from(StatSubmissions::Table)
                .and_where(Expr::col(StatSubmissions::Id).eq(id)),
        )
        .await?;
    let stored: BTreeMap<String, Vec<(String, String, String, i64)>> = serde_json::from_str(&json)
        .map_err(|e| StoreError::Migration(format!("báo cáo {id} hỏng: {e}")))?;
    let schools = tree.schools_under(unit_id);
    let mut per_school = BTreeMap::new();
    for (school, rows) in stored {
        let school: i64 = school
            .parse()
            .map_err(|_| StoreError::Migration(format!("báo cáo {id} hỏng")))?;
        if schools.binary_search(&school).is_err() {
            continue;
        }
        let figures = Figures::from_rows(rows)
            .map_err(|e| StoreError::Migration(format!("báo cáo {id} hỏng: {e}")))?;
        per_school.insert(school, figures);
    }
    let request = ReportRequest {
        kind: info.kind,
        school_year_id: info.school_year_id,
        as_of: info.as_of,
    };
    let school_year = years::get(conn, info.school_year_id).await?;
    let count = if unit_id == info.unit_id {
        info.schools as usize
    } else {
        schools.len()
    };
    Ok(assemble(
        unit,
        request,
        school_year,
        &tree,
        per_school,
        count,
        Some(info),
    ))
}

/// The submissions of a unit for a round, newest first.
pub async fn submissions_of(
    conn: &mut Conn<'_>,
    scope: &Scope,
    unit_id: i64,
    kind: ReportKind,
    school_year_id: i64,
) -> StoreResult<Vec<SubmissionInfo>> {
    unit_scope(scope)?;
    orgs::get(conn, scope, unit_id).await?;
    conn.fetch_all(
        Query::select()
            .columns(info_columns())
            .from(StatSubmissions::Table)
            .and_where(Expr::col(StatSubmissions::UnitId).eq(unit_id))
            .and_where(Expr::col(StatSubmissions::Kind).eq(kind.code()))
            .and_where(Expr::col(StatSubmissions::SchoolYearId).eq(school_year_id))
            .order_by(StatSubmissions::Version, Order::Desc),
    )
    .await
}

/// Whether each unit below an office has submitted a round: its latest submission, if any.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct SubmissionStatus {
    pub unit_id: i64,
    pub name: String,
    pub kind: OrgKind,
    pub latest: Option<SubmissionInfo>,
}

/// The schools (and offices) in the subtree of `unit_id` today, with their latest submission of
/// the round; schools first by name.
pub async fn submission_status(
    conn: &mut Conn<'_>,
    scope: &Scope,
    unit_id: i64,
    kind: ReportKind,
    school_year_id: i64,
) -> StoreResult<Vec<SubmissionStatus>> {
    unit_scope(scope)?;
    let unit = orgs::get(conn, scope, unit_id).await?;
    let units: Vec<(i64, String, String)> = conn
        .fetch_all(
            Query::select()
                .columns([OrgUnits::Id, OrgUnits::Name, OrgUnits::Kind])
                .from(OrgUnits::Table)
                .and_where(crate::scope::path_prefix(&unit.path))
                .and_where(Expr::col(OrgUnits::Id).ne(unit_id))
                .and_where(Expr::col(OrgUnits::Kind).is_in([
                    OrgKind::School.code(),
                    OrgKind::LocalOffice.code(),
                    OrgKind::Department.code(),
                ]))
                .order_by(OrgUnits::Name, Order::Asc),
        )
        .await?;
    let latest: Vec<SubmissionInfo> = conn
        .fetch_all(
            Query::select()
                .columns(info_columns().map(|c| (StatSubmissions::Table, c)))
                .from(StatSubmissions::Table)
                .inner_join(
                    OrgUnits::Table,
                    Expr::col((OrgUnits::Table, OrgUnits::Id))
                        .equals((StatSubmissions::Table, StatSubmissions::UnitId)),
                )
                .and_where(crate::scope::path_prefix(&unit.path))
                .and_where(
                    Expr::col((StatSubmissions::Table, StatSubmissions::Kind)).eq(kind.code()),
                )
                .and_where(
                    Expr::col((StatSubmissions::Table, StatSubmissions::SchoolYearId))
                        .eq(school_year_id),
                )
                .order_by(
                    (StatSubmissions::Table, StatSubmissions::Version),
                    Order::Asc,
                ),
        )
        .await?;
    let mut by_unit: HashMap<i64, SubmissionInfo> = HashMap::new();
    for s in latest {
        by_unit.insert(s.unit_id, s);
    }
    let mut rows: Vec<SubmissionStatus> = units
        .into_iter()
        .filter_map(|(id, name, kind)| {
            Some(SubmissionStatus {
                unit_id: id,
                name,
                kind: OrgKind::from_code(&kind)?,
                latest: by_unit.remove(&id),
            })
        })
        .collect();
    rows.sort_by_key(|r| (r.kind != OrgKind::School, r.latest.is_some()));
    Ok(rows)
}

// ---------------------------------------------------------------------------------------------
// The records behind a figure

/// A learner counted in a figure.
#[derive(Debug, Clone, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct CountedLearner {
    pub id: i64,
    pub learner_code: String,
    pub full_name: String,
    pub birth_date: NaiveDate,
    pub gender: String,
    pub class_name: Option<String>,
    pub status: String,
}

/// A staff member counted in a figure.
#[derive(Debug, Clone, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct CountedStaff {
    pub id: i64,
    pub full_name: String,
    pub position: String,
    pub qualification: String,
    pub gender: String,
}

/// A class or school counted in a figure.
#[derive(Debug, Clone, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct CountedUnit {
    pub id: i64,
    pub name: String,
}

/// The records a figure of one school counts, one page at a time.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[serde(tag = "records", rename_all = "snake_case")]
pub enum Records {
    Learners(Page<CountedLearner>),
    Staff(Page<CountedStaff>),
    Classes(Page<CountedUnit>),
    Schools(Page<CountedUnit>),
}

impl Records {
    pub fn total(&self) -> u64 {
        match self {
            Records::Learners(p) => p.total,
            Records::Staff(p) => p.total,
            Records::Classes(p) | Records::Schools(p) => p.total,
        }
    }
}

fn quote(text: &str) -> String {
    format!("'{}'", text.replace('\'', "''"))
}

fn learner_where(c: &LearnerCondition) -> String {
    match c {
        LearnerCondition::Grade(-1) => "s.class_id IS NULL".to_string(),
        LearnerCondition::Grade(g) => format!("c.grade = {g}"),
        LearnerCondition::Gender(g) => format!("l.gender = {}", quote(g.code())),
        LearnerCondition::Minority => format!(
            "l.ethnicity_code <> {}",
            quote(statistics::MAJORITY_ETHNICITY)
        ),
        // Codes come from the domain's closed lists (checked when the cell was parsed).
        LearnerCondition::Ethnicity(e) => format!("l.ethnicity_code = {}", quote(e)),
        LearnerCondition::Disability(None) => "l.disability IS NOT NULL".to_string(),
        LearnerCondition::Disability(Some(d)) => format!("l.disability = {}", quote(d.code())),
        LearnerCondition::Policy(None) => "l.policy_group IS NOT NULL".to_string(),
        LearnerCondition::Policy(Some(p)) => format!("l.policy_group = {}", quote(p.code())),
        LearnerCondition::Status(list) => {
            let codes: Vec<String> = list.iter().map(|s| quote(s.code())).collect();
            format!("s.status IN ({})", codes.join(","))
        }
    }
}

fn staff_where(c: &StaffCondition) -> String {
    match c {
        StaffCondition::Position(p) => format!("position = {}", quote(p.code())),
        StaffCondition::Gender(g) => format!("gender = {}", quote(g.code())),
        StaffCondition::Minority => format!(
            "ethnicity_code <> {}",
            quote(statistics::MAJORITY_ETHNICITY)
        ),
        StaffCondition::Qualification(q) => format!("qualification = {}", quote(q.code())),
    }
}

fn page_of<T>(items: Vec<T>, (total, page, per_page): (u64, u64, u64)) -> Page<T> {
    Page {
        items,
        total,
        page,
        per_page,
    }
}

#[derive(sqlx::FromRow)]
struct Total {
    n: i64,
}

/// The records behind a figure at one school on the report date (the records as they are now,
/// selected by the report's conditions and date).
pub async fn records(
    conn: &mut Conn<'_>,
    scope: &Scope,
    school_id: i64,
    request: &ReportRequest,
    conditions: &Conditions,
    page: &PageRequest,
) -> StoreResult<Records> {
    unit_scope(scope)?;
    let school = orgs::get(conn, scope, school_id).await?;
    if school.kind != OrgKind::School {
        return Err(StoreError::not_found("trường"));
    }
    let limit = format!(" LIMIT {} OFFSET {}", page.per_page(), page.offset());
    let paged = |total: i64| (total as u64, page.page(), page.per_page());
    match conditions {
        Conditions::Learners(conds) => {
            let mut wheres = vec!["s.status IS NOT NULL".to_string()];
            wheres.extend(conds.iter().map(learner_where));
            let from = format!(
                "FROM ({}) s JOIN learners l ON l.id = s.learner_id \
                 LEFT JOIN classes c ON c.id = s.class_id WHERE {}",
                enrolments_as_of(request, &[school_id]),
                wheres.join(" AND ")
            );
            let total: Vec<Total> = conn
                .fetch_all_raw(&format!("SELECT COUNT(*) AS n {from}"), &[])
                .await?;
            let items: Vec<CountedLearner> = conn
                .fetch_all_raw(
                    &format!(
                        "SELECT l.id, l.learner_code, l.full_name, l.birth_date, l.gender, \
                           c.name AS class_name, s.status {from} \
                         ORDER BY c.grade, c.name, l.sort_key, l.id{limit}"
                    ),
                    &[],
                )
                .await?;
            Ok(Records::Learners(page_of(items, paged(total[0].n))))
        }
        Conditions::Staff(conds) => {
            let mut wheres = vec![format!("org_unit_id = {school_id}")];
            wheres.extend(conds.iter().map(staff_where));
            let from = format!("FROM staff WHERE {}", wheres.join(" AND "));
            let total: Vec<Total> = conn
                .fetch_all_raw(&format!("SELECT COUNT(*) AS n {from}"), &[])
                .await?;
            let items: Vec<CountedStaff> = conn
                .fetch_all_raw(
                    &format!(
                        "SELECT id, full_name, position, qualification, gender {from} \
                         ORDER BY sort_key, id{limit}"
                    ),
                    &[],
                )
                .await?;
            Ok(Records::Staff(page_of(items, paged(total[0].n))))
        }
        Conditions::Classes(conds) => {
            let mut wheres = vec![
                format!("org_unit_id = {school_id}"),
                format!("school_year_id = {}", request.school_year_id),
            ];
            for c in conds {
                if let UnitCondition::Grade(g) = c {
                    wheres.push(format!("grade = {g}"));
                }
            }
            let from = format!("FROM classes WHERE {}", wheres.join(" AND "));
            let total: Vec<Total> = conn
                .fetch_all_raw(&format!("SELECT COUNT(*) AS n {from}"), &[])
                .await?;
            let items: Vec<CountedUnit> = conn
                .fetch_all_raw(
                    &format!("SELECT id, name {from} ORDER BY grade, name{limit}"),
                    &[],
                )
                .await?;
            Ok(Records::Classes(page_of(items, paged(total[0].n))))
        }
        Conditions::Schools { sites, .. } => {
            let tree = TreeAsOf::load(conn, request.as_of).await?;
            let facts = facts(conn, &tree, &[school_id], request).await?;
            let cell_holds = facts.schools.iter().any(|f| {
                let Conditions::Schools { conditions, .. } = conditions else {
                    return false;
                };
                conditions.iter().all(|c| match c {
                    UnitCondition::LevelRow(r) => statistics::school_level_row(&f.levels) == r,
                    UnitCondition::Ownership(o) => f.ownership.unwrap_or(Ownership::Public) == *o,
                    UnitCondition::Grade(_) => false,
                })
            });
            let items: Vec<CountedUnit> = if !cell_holds {
                Vec::new()
            } else if *sites {
                tree.children
                    .get(&school_id)
                    .into_iter()
                    .flatten()
                    .filter_map(|k| tree.unit(*k))
                    .filter(|u| u.kind == OrgKind::SatelliteSite)
                    .map(|u| CountedUnit {
                        id: u.id,
                        name: u.name.clone(),
                    })
                    .collect()
            } else {
                vec![CountedUnit {
                    id: school.id,
                    name: school.name.clone(),
                }]
            };
            let total = items.len() as i64;
            Ok(Records::Schools(page_of(items, paged(total))))
        }
    }
}

/// The latest submission of each department (what the public view shows), newest first.
pub async fn latest_department_submissions(conn: &mut Conn<'_>) -> StoreResult<Vec<i64>> {
    let rows: Vec<(i64, i64)> = conn
        .fetch_all(
            Query::select()
                .column((StatSubmissions::Table, StatSubmissions::Id))
                .column((StatSubmissions::Table, StatSubmissions::UnitId))
                .from(StatSubmissions::Table)
                .inner_join(
                    OrgUnits::Table,
                    Expr::col((OrgUnits::Table, OrgUnits::Id))
                        .equals((StatSubmissions::Table, StatSubmissions::UnitId)),
                )
                .and_where(
                    Expr::col((OrgUnits::Table, OrgUnits::Kind)).eq(OrgKind::Department.code()),
                )
                .order_by(
                    (StatSubmissions::Table, StatSubmissions::SubmittedAt),
                    Order::Desc,
                )
                .order_by((StatSubmissions::Table, StatSubmissions::Id), Order::Desc),
        )
        .await?;
    let mut seen = std::collections::HashSet::new();
    Ok(rows
        .into_iter()
        .filter(|(_, unit)| seen.insert(*unit))
        .map(|(id, _)| id)
        .collect())
}
