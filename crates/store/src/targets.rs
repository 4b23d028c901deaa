//! Plan targets over the database: the indicator definitions in force (seeded by migration 9
//! from `domain/data/plan-targets.toml`, edited by departments), daily snapshots of every
//! school's metrics (so that trends and rankings read a few thousand rows and a past figure
//! never changes), and the views: a unit's indicators over its subtree with their trend, the
//! ranking of the units below it, and the schools of the map.
//!
//! Metrics are measured in SQL on both backends from the current school year's records; the
//! ID and profile metrics read the data-quality roll-ups (`quality_learners`), so they are as
//! fresh as the last quality scan.

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use sea_query::{Alias, Expr, ExprTrait, JoinType, Order, Query};
use serde::Serialize;
use truongso_domain::org::{OrgKind, SchoolLevel, levels_from_codes};
use truongso_domain::targets::{
    self as rules, Indicator, Measure, Metric, RawIndicator, SchoolValues, Status,
};
use truongso_domain::{FieldError, Invalid};

use crate::orgs::OrgUnit;
use crate::quality::ACTIVE;
use crate::schema::*;
use crate::scope::path_prefix;
use crate::seed::bulk_insert;
use crate::{Conn, Scope, Store, StoreError, StoreResult, Tx};

/// A snapshot measured from the records.
pub const MEASURED: &str = "measured";
/// A snapshot the demo derived from the current values (history it cannot know).
pub const DEMO_HISTORY: &str = "demo_history";

/// Months of history a trend shows (one point per month, plus the latest day).
const TREND_MONTHS: usize = 13;

/// Today in Vietnam (UTC+7): the day a snapshot is taken for.
pub fn today() -> NaiveDate {
    (Utc::now() + chrono::Duration::hours(7)).date_naive()
}

/// Grades as stored: "9,12".
pub fn grades_text(grades: &[u8]) -> String {
    grades
        .iter()
        .map(|g| g.to_string())
        .collect::<Vec<_>>()
        .join(",")
}

// ---------------------------------------------------------------------------------------------
// Definitions

#[derive(sqlx::FromRow)]
struct IndicatorRow {
    code: String,
    name: String,
    name_en: String,
    formula: Option<String>,
    target: f64,
    target_hard_area: Option<f64>,
    deadline: NaiveDate,
    levels: String,
    grades: String,
    scope_note: String,
    source: String,
    needs: Option<String>,
}

impl IndicatorRow {
    fn raw(self) -> RawIndicator {
        RawIndicator {
            code: self.code,
            name: self.name,
            name_en: self.name_en,
            formula: self.formula,
            target: self.target,
            target_hard_area: self.target_hard_area,
            deadline: self.deadline.format("%Y-%m-%d").to_string(),
            levels: self
                .levels
                .split(',')
                .filter(|l| !l.is_empty())
                .map(str::to_string)
                .collect(),
            grades: self
                .grades
                .split(',')
                .filter_map(|g| g.trim().parse().ok())
                .collect(),
            scope: self.scope_note,
            source: self.source,
            needs: self.needs,
        }
    }
}

fn invalid(errors: Vec<rules::TargetError>) -> StoreError {
    StoreError::Invalid(Invalid(
        errors
            .iter()
            .map(rules::TargetError::to_field_error)
            .collect(),
    ))
}

/// The indicators in force, in the order of the shipped file.
pub async fn definitions(conn: &mut Conn<'_>) -> StoreResult<Vec<Indicator>> {
    let rows: Vec<IndicatorRow> = conn
        .fetch_all(
            Query::select()
                .columns([
                    TargetIndicators::Code,
                    TargetIndicators::Name,
                    TargetIndicators::NameEn,
                    TargetIndicators::Formula,
                    TargetIndicators::Target,
                    TargetIndicators::TargetHardArea,
                    TargetIndicators::Deadline,
                    TargetIndicators::Levels,
                    TargetIndicators::Grades,
                    TargetIndicators::ScopeNote,
                    TargetIndicators::Source,
                    TargetIndicators::Needs,
                ])
                .from(TargetIndicators::Table)
                .order_by(TargetIndicators::Position, Order::Asc)
                .order_by(TargetIndicators::Code, Order::Asc),
        )
        .await?;
    // Stored rows were checked when written; a row that no longer parses is reported, not hidden.
    rows.into_iter()
        .map(|r| r.raw().check().map_err(invalid))
        .collect()
}

pub async fn definition(conn: &mut Conn<'_>, code: &str) -> StoreResult<Indicator> {
    definitions(conn)
        .await?
        .into_iter()
        .find(|i| i.code == code)
        .ok_or_else(|| StoreError::not_found("chỉ tiêu"))
}

/// Replaces an indicator's definition (name, formula, target, deadline, scope), all fields or
/// none: every problem is reported with its field.
pub async fn save(tx: &mut Tx, code: &str, raw: &RawIndicator, by: &str) -> StoreResult<Indicator> {
    definition(&mut tx.conn(), code).await?;
    let mut raw = raw.clone();
    raw.code = code.to_string();
    let ind = raw.check().map_err(invalid)?;
    let back = ind.to_raw();
    tx.conn()
        .execute(
            Query::update()
                .table(TargetIndicators::Table)
                .value(TargetIndicators::Name, back.name)
                .value(TargetIndicators::NameEn, back.name_en)
                .value(TargetIndicators::Formula, back.formula)
                .value(TargetIndicators::Target, back.target)
                .value(TargetIndicators::TargetHardArea, back.target_hard_area)
                .value(TargetIndicators::Deadline, ind.deadline)
                .value(TargetIndicators::Levels, back.levels.join(","))
                .value(TargetIndicators::Grades, grades_text(&ind.scope.grades))
                .value(TargetIndicators::ScopeNote, back.scope)
                .value(TargetIndicators::Source, back.source)
                .value(TargetIndicators::Needs, back.needs)
                .value(TargetIndicators::UpdatedBy, by)
                .value(TargetIndicators::UpdatedAt, Utc::now())
                .and_where(Expr::col(TargetIndicators::Code).eq(code)),
        )
        .await?;
    Ok(ind)
}

// ---------------------------------------------------------------------------------------------
// Measuring and snapshots

/// One measured value: a school's metric, for a grade (0 when not counted by grade).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct MetricValue {
    pub school_id: i64,
    pub metric: Metric,
    pub grade: u8,
    pub value: i64,
}

#[derive(sqlx::FromRow)]
struct LearnerSums {
    school_id: i64,
    grade: i32,
    learners: i64,
    valid_id: i64,
    profile: i64,
    scores: i64,
    signed: i64,
}

#[derive(sqlx::FromRow)]
struct ClassSums {
    school_id: i64,
    grade: i32,
    classes: i64,
    used_classes: i64,
}

#[derive(sqlx::FromRow)]
struct StaffSums {
    school_id: i64,
    teachers: i64,
    teachers_account: i64,
    staff: i64,
    signature: i64,
}

fn count_if(condition: &str) -> Expr {
    Expr::cust(format!(
        "CAST(COALESCE(SUM(CASE WHEN {condition} THEN 1 ELSE 0 END), 0) AS BIGINT)"
    ))
}

/// Learners studying in the current year, by school and class grade, with their ID, profile,
/// year result and signed transcript.
async fn learner_sums(conn: &mut Conn<'_>, year_id: i64) -> StoreResult<Vec<LearnerSums>> {
    let signed = "EXISTS (SELECT 1 FROM transcripts JOIN transcript_signatures \
         ON transcript_signatures.transcript_id = transcripts.id \
         WHERE transcripts.learner_id = enrolments.learner_id \
         AND transcripts.school_year_id = enrolments.school_year_id \
         AND transcripts.superseded_at IS NULL AND transcript_signatures.role = 'principal')";
    conn.fetch_all(
        Query::select()
            .expr_as(
                Expr::col((Enrolments::Table, Enrolments::SchoolId)),
                "school_id",
            )
            .expr_as(Expr::col((Classes::Table, Classes::Grade)), "grade")
            .expr_as(Expr::cust("COUNT(*)"), "learners")
            .expr_as(count_if("quality_learners.id_valid = 1"), "valid_id")
            .expr_as(
                count_if("quality_learners.filled >= quality_learners.expected"),
                "profile",
            )
            .expr_as(count_if("year_results.outcome IS NOT NULL"), "scores")
            .expr_as(count_if(signed), "signed")
            .from(Enrolments::Table)
            .inner_join(
                Classes::Table,
                Expr::col((Classes::Table, Classes::Id))
                    .equals((Enrolments::Table, Enrolments::ClassId)),
            )
            .left_join(
                QualityLearners::Table,
                Expr::col((QualityLearners::Table, QualityLearners::LearnerId))
                    .equals((Enrolments::Table, Enrolments::LearnerId)),
            )
            .left_join(
                YearResults::Table,
                Expr::col((YearResults::Table, YearResults::LearnerId))
                    .equals((Enrolments::Table, Enrolments::LearnerId))
                    .and(
                        Expr::col((YearResults::Table, YearResults::SchoolYearId))
                            .equals((Enrolments::Table, Enrolments::SchoolYearId)),
                    ),
            )
            .and_where(Expr::col((Enrolments::Table, Enrolments::SchoolYearId)).eq(year_id))
            .and_where(Expr::col((Enrolments::Table, Enrolments::Status)).is_in(ACTIVE))
            .group_by_col((Enrolments::Table, Enrolments::SchoolId))
            .group_by_col((Classes::Table, Classes::Grade)),
    )
    .await
}

/// Classes of the current year by school and grade, and those with any mark in the gradebook.
async fn class_sums(conn: &mut Conn<'_>, year_id: i64) -> StoreResult<Vec<ClassSums>> {
    let used = Query::select()
        .distinct()
        .column(GradeRows::ClassId)
        .from(GradeRows::Table)
        .and_where(Expr::col(GradeRows::SchoolYearId).eq(year_id))
        .to_owned();
    conn.fetch_all(
        Query::select()
            .expr_as(Expr::col((Classes::Table, Classes::OrgUnitId)), "school_id")
            .expr_as(Expr::col((Classes::Table, Classes::Grade)), "grade")
            .expr_as(Expr::cust("COUNT(*)"), "classes")
            .expr_as(Expr::cust("COUNT(used.class_id)"), "used_classes")
            .from(Classes::Table)
            .join_subquery(
                JoinType::LeftJoin,
                used,
                Alias::new("used"),
                Expr::col((Alias::new("used"), GradeRows::ClassId))
                    .equals((Classes::Table, Classes::Id)),
            )
            .and_where(Expr::col((Classes::Table, Classes::SchoolYearId)).eq(year_id))
            .group_by_col((Classes::Table, Classes::OrgUnitId))
            .group_by_col((Classes::Table, Classes::Grade)),
    )
    .await
}

/// Staff of each school: teachers, those with an account, and staff with an active signing key.
async fn staff_sums(conn: &mut Conn<'_>) -> StoreResult<Vec<StaffSums>> {
    let account = "EXISTS (SELECT 1 FROM users WHERE users.staff_id = staff.id)";
    let signature = "EXISTS (SELECT 1 FROM users JOIN signing_keys \
         ON signing_keys.user_id = users.id \
         WHERE users.staff_id = staff.id AND signing_keys.revoked_at IS NULL)";
    conn.fetch_all(
        Query::select()
            .expr_as(Expr::col((Staff::Table, Staff::OrgUnitId)), "school_id")
            .expr_as(count_if("staff.position = 'teacher'"), "teachers")
            .expr_as(
                count_if(&format!("staff.position = 'teacher' AND {account}")),
                "teachers_account",
            )
            .expr_as(Expr::cust("COUNT(*)"), "staff")
            .expr_as(count_if(signature), "signature")
            .from(Staff::Table)
            .group_by_col((Staff::Table, Staff::OrgUnitId)),
    )
    .await
}

async fn school_ids(conn: &mut Conn<'_>) -> StoreResult<Vec<i64>> {
    let rows: Vec<(i64,)> = conn
        .fetch_all(
            Query::select()
                .column(OrgUnits::Id)
                .from(OrgUnits::Table)
                .and_where(Expr::col(OrgUnits::Kind).eq(OrgKind::School.code()))
                .order_by(OrgUnits::Id, Order::Asc),
        )
        .await?;
    Ok(rows.into_iter().map(|r| r.0).collect())
}

fn grade_of(g: i32) -> u8 {
    u8::try_from(g).unwrap_or(0)
}

/// Every school's metrics now (current school year; without one, only the per-school ones).
/// Zero values are left out; every school has `schools` = 1.
pub async fn measure(conn: &mut Conn<'_>) -> StoreResult<Vec<MetricValue>> {
    let schools = school_ids(conn).await?;
    let is_school: std::collections::HashSet<i64> = schools.iter().copied().collect();
    let mut out: Vec<MetricValue> = schools
        .iter()
        .map(|&id| MetricValue {
            school_id: id,
            metric: Metric::Schools,
            grade: 0,
            value: 1,
        })
        .collect();
    let mut push = |school_id: i64, metric: Metric, grade: u8, value: i64| {
        if value != 0 && is_school.contains(&school_id) {
            out.push(MetricValue {
                school_id,
                metric,
                grade,
                value,
            });
        }
    };
    if let Some(year) = crate::years::current(conn).await? {
        for s in learner_sums(conn, year.id).await? {
            let g = grade_of(s.grade);
            push(s.school_id, Metric::Learners, g, s.learners);
            push(s.school_id, Metric::LearnersValidId, g, s.valid_id);
            push(s.school_id, Metric::LearnersProfileComplete, g, s.profile);
            push(s.school_id, Metric::LearnersScoresComplete, g, s.scores);
            push(s.school_id, Metric::TranscriptsSigned, g, s.signed);
        }
        for c in class_sums(conn, year.id).await? {
            let g = grade_of(c.grade);
            push(c.school_id, Metric::Classes, g, c.classes);
            push(
                c.school_id,
                Metric::ClassesUsingGradebook,
                g,
                c.used_classes,
            );
        }
    }
    for s in staff_sums(conn).await? {
        push(s.school_id, Metric::Teachers, 0, s.teachers);
        push(
            s.school_id,
            Metric::TeachersWithAccount,
            0,
            s.teachers_account,
        );
        push(s.school_id, Metric::Staff, 0, s.staff);
        push(s.school_id, Metric::StaffWithSignature, 0, s.signature);
    }
    Ok(out)
}

/// What a snapshot did.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct SnapshotReport {
    pub taken_on: NaiveDate,
    /// `false` when that day already had a snapshot (it is kept as it was).
    pub taken: bool,
    pub schools: u64,
    pub values: u64,
}

async fn day_exists(conn: &mut Conn<'_>, on: NaiveDate) -> StoreResult<bool> {
    let found: Option<(NaiveDate,)> = conn
        .fetch_optional(
            Query::select()
                .column(TargetSnapshots::TakenOn)
                .from(TargetSnapshots::Table)
                .and_where(Expr::col(TargetSnapshots::TakenOn).eq(on)),
        )
        .await?;
    Ok(found.is_some())
}

/// Writes a day's values unless that day already has a snapshot (a past figure never changes;
/// taking today's twice keeps the first).
pub async fn write_snapshot(
    tx: &mut Tx,
    on: NaiveDate,
    origin: &str,
    values: &[MetricValue],
) -> StoreResult<SnapshotReport> {
    let schools = values
        .iter()
        .filter(|v| v.metric == Metric::Schools)
        .count() as u64;
    if day_exists(&mut tx.conn(), on).await? {
        return Ok(SnapshotReport {
            taken_on: on,
            taken: false,
            schools,
            values: 0,
        });
    }
    tx.conn()
        .execute(
            Query::insert()
                .into_table(TargetSnapshots::Table)
                .columns([
                    TargetSnapshots::TakenOn,
                    TargetSnapshots::Origin,
                    TargetSnapshots::TakenAt,
                ])
                .values_panic([on.into(), origin.into(), Utc::now().into()]),
        )
        .await?;
    let rows = values
        .iter()
        .map(|v| {
            vec![
                on.into(),
                v.school_id.into(),
                v.metric.code().into(),
                i32::from(v.grade).into(),
                v.value.into(),
            ]
        })
        .collect();
    bulk_insert(
        &mut tx.conn(),
        TargetValues::Table,
        &[
            TargetValues::TakenOn,
            TargetValues::SchoolId,
            TargetValues::Metric,
            TargetValues::Grade,
            TargetValues::Value,
        ],
        rows,
    )
    .await?;
    Ok(SnapshotReport {
        taken_on: on,
        taken: true,
        schools,
        values: values.len() as u64,
    })
}

/// Measures every school and stores the values as the snapshot of `on` (idempotent per day).
pub async fn snapshot(store: &Store, on: NaiveDate) -> StoreResult<SnapshotReport> {
    let mut tx = store.begin().await?;
    let report = if day_exists(&mut tx.conn(), on).await? {
        write_snapshot(&mut tx, on, MEASURED, &[]).await?
    } else {
        let values = measure(&mut tx.conn()).await?;
        write_snapshot(&mut tx, on, MEASURED, &values).await?
    };
    tx.commit().await?;
    Ok(report)
}

/// A snapshot day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct SnapshotDay {
    pub taken_on: NaiveDate,
    /// "measured", or "demo_history" for the demo's derived past.
    pub origin: String,
    pub taken_at: DateTime<Utc>,
}

/// Every snapshot day, oldest first.
pub async fn days(conn: &mut Conn<'_>) -> StoreResult<Vec<SnapshotDay>> {
    conn.fetch_all(
        Query::select()
            .columns([
                TargetSnapshots::TakenOn,
                TargetSnapshots::Origin,
                TargetSnapshots::TakenAt,
            ])
            .from(TargetSnapshots::Table)
            .order_by(TargetSnapshots::TakenOn, Order::Asc),
    )
    .await
}

/// The days a trend shows: the last snapshot of each of the latest months, and the latest day.
pub fn trend_days(all: &[SnapshotDay]) -> Vec<SnapshotDay> {
    let mut by_month: BTreeMap<(i32, u32), &SnapshotDay> = BTreeMap::new();
    for d in all {
        by_month.insert((d.taken_on.year(), d.taken_on.month()), d);
    }
    let picked: Vec<SnapshotDay> = by_month.values().map(|d| (*d).clone()).collect();
    picked[picked.len().saturating_sub(TREND_MONTHS)..].to_vec()
}

// ---------------------------------------------------------------------------------------------
// Views

/// A school of a unit's subtree, as the views need it.
#[derive(Debug, Clone, sqlx::FromRow)]
struct SchoolRow {
    id: i64,
    name: String,
    path: String,
    levels: String,
    ward_code: Option<String>,
    lat: Option<f64>,
    lon: Option<f64>,
}

#[derive(sqlx::FromRow)]
struct ValueRow {
    taken_on: NaiveDate,
    school_id: i64,
    metric: String,
    grade: i32,
    value: i64,
}

/// Plan targets are read by officers and school leaders: a teacher's or a family's reach sees
/// no unit here.
fn unit_scope(scope: &Scope) -> StoreResult<()> {
    match scope {
        Scope::All | Scope::Subtree { .. } => Ok(()),
        Scope::Classes { .. } | Scope::Learners { .. } => Err(StoreError::not_found("đơn vị")),
    }
}

async fn schools_under(conn: &mut Conn<'_>, unit: &OrgUnit) -> StoreResult<Vec<SchoolRow>> {
    conn.fetch_all(
        Query::select()
            .columns([
                OrgUnits::Id,
                OrgUnits::Name,
                OrgUnits::Path,
                OrgUnits::Levels,
                OrgUnits::WardCode,
                OrgUnits::Lat,
                OrgUnits::Lon,
            ])
            .from(OrgUnits::Table)
            .and_where(Expr::col((OrgUnits::Table, OrgUnits::Kind)).eq(OrgKind::School.code()))
            .and_where(path_prefix(&unit.path))
            .order_by(OrgUnits::Name, Order::Asc),
    )
    .await
}

/// Each day's values of the schools under `unit` (of these metrics only, when given; every
/// school keeps its `schools` row so that it is counted): day → school → values.
async fn values_under(
    conn: &mut Conn<'_>,
    unit: &OrgUnit,
    days: &[NaiveDate],
    schools: &[SchoolRow],
    metrics: Option<&[Metric]>,
) -> StoreResult<BTreeMap<NaiveDate, HashMap<i64, SchoolValues>>> {
    let mut out: BTreeMap<NaiveDate, HashMap<i64, SchoolValues>> = BTreeMap::new();
    if days.is_empty() {
        return Ok(out);
    }
    let levels: HashMap<i64, Vec<SchoolLevel>> = schools
        .iter()
        .map(|s| (s.id, levels_from_codes(&s.levels)))
        .collect();
    let mut q = Query::select();
    q.columns([
        (TargetValues::Table, TargetValues::TakenOn),
        (TargetValues::Table, TargetValues::SchoolId),
        (TargetValues::Table, TargetValues::Metric),
        (TargetValues::Table, TargetValues::Grade),
        (TargetValues::Table, TargetValues::Value),
    ])
    .from(TargetValues::Table)
    .inner_join(
        OrgUnits::Table,
        Expr::col((OrgUnits::Table, OrgUnits::Id))
            .equals((TargetValues::Table, TargetValues::SchoolId)),
    )
    .and_where(Expr::col((TargetValues::Table, TargetValues::TakenOn)).is_in(days.iter().copied()))
    .and_where(path_prefix(&unit.path));
    if let Some(metrics) = metrics {
        let codes = metrics
            .iter()
            .chain(std::iter::once(&Metric::Schools))
            .map(|m| m.code());
        q.and_where(Expr::col((TargetValues::Table, TargetValues::Metric)).is_in(codes));
    }
    let rows: Vec<ValueRow> = conn.fetch_all(&q).await?;
    for r in rows {
        let (Some(metric), Some(levels)) = (Metric::from_code(&r.metric), levels.get(&r.school_id))
        else {
            continue;
        };
        let school = out
            .entry(r.taken_on)
            .or_default()
            .entry(r.school_id)
            .or_insert_with(|| SchoolValues {
                levels: levels.clone(),
                values: BTreeMap::new(),
            });
        *school
            .values
            .entry((metric, grade_of(r.grade)))
            .or_insert(0) += r.value;
    }
    Ok(out)
}

#[derive(sqlx::FromRow)]
struct GroupRow {
    taken_on: NaiveDate,
    levels: String,
    metric: String,
    grade: i32,
    value: i64,
}

/// Each day's values under `unit` summed over the schools of each set of levels: day → one
/// [`SchoolValues`] per set. A ratio over these equals the ratio over the schools themselves
/// (scope by level and grade still applies), from a few hundred rows instead of every school's.
async fn grouped_under(
    conn: &mut Conn<'_>,
    unit: &OrgUnit,
    days: &[NaiveDate],
) -> StoreResult<BTreeMap<NaiveDate, Vec<SchoolValues>>> {
    let mut out: BTreeMap<NaiveDate, BTreeMap<String, SchoolValues>> = BTreeMap::new();
    if days.is_empty() {
        return Ok(BTreeMap::new());
    }
    let rows: Vec<GroupRow> = conn
        .fetch_all(
            Query::select()
                .expr_as(
                    Expr::col((TargetValues::Table, TargetValues::TakenOn)),
                    "taken_on",
                )
                .expr_as(Expr::col((OrgUnits::Table, OrgUnits::Levels)), "levels")
                .expr_as(
                    Expr::col((TargetValues::Table, TargetValues::Metric)),
                    "metric",
                )
                .expr_as(
                    Expr::col((TargetValues::Table, TargetValues::Grade)),
                    "grade",
                )
                .expr_as(
                    Expr::cust("CAST(SUM(target_values.value) AS BIGINT)"),
                    "value",
                )
                .from(TargetValues::Table)
                .inner_join(
                    OrgUnits::Table,
                    Expr::col((OrgUnits::Table, OrgUnits::Id))
                        .equals((TargetValues::Table, TargetValues::SchoolId)),
                )
                .and_where(
                    Expr::col((TargetValues::Table, TargetValues::TakenOn))
                        .is_in(days.iter().copied()),
                )
                .and_where(path_prefix(&unit.path))
                .group_by_col((TargetValues::Table, TargetValues::TakenOn))
                .group_by_col((OrgUnits::Table, OrgUnits::Levels))
                .group_by_col((TargetValues::Table, TargetValues::Metric))
                .group_by_col((TargetValues::Table, TargetValues::Grade)),
        )
        .await?;
    for r in rows {
        let Some(metric) = Metric::from_code(&r.metric) else {
            continue;
        };
        let group = out
            .entry(r.taken_on)
            .or_default()
            .entry(r.levels.clone())
            .or_insert_with(|| SchoolValues {
                levels: levels_from_codes(&r.levels),
                values: BTreeMap::new(),
            });
        *group.values.entry((metric, grade_of(r.grade))).or_insert(0) += r.value;
    }
    Ok(out
        .into_iter()
        .map(|(d, groups)| (d, groups.into_values().collect()))
        .collect())
}

/// The metrics school conditions read (those need each school's own values).
fn condition_metrics(defs: &[Indicator]) -> Vec<Metric> {
    let mut out: Vec<Metric> = defs
        .iter()
        .filter_map(|d| match &d.formula {
            Some(rules::Formula::Schools(conds)) => Some(conds),
            _ => None,
        })
        .flatten()
        .flat_map(|c| match c.term {
            rules::Term::Count(m) => vec![m],
            rules::Term::Percent(a, b) => vec![a, b],
        })
        .collect();
    out.sort();
    out.dedup();
    out
}

/// An indicator as shown: its definition in words and numbers.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct IndicatorDef {
    #[serde(flatten)]
    pub raw: RawIndicator,
    /// The formula in Vietnamese words.
    pub formula_vi: Option<String>,
    /// The formula in English words.
    pub formula_en: Option<String>,
}

impl From<&Indicator> for IndicatorDef {
    fn from(i: &Indicator) -> Self {
        IndicatorDef {
            raw: i.to_raw(),
            formula_vi: i.formula.as_ref().map(|f| f.describe_vi()),
            formula_en: i.formula.as_ref().map(|f| f.describe_en()),
        }
    }
}

/// One point of a trend.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct TrendPoint {
    pub taken_on: NaiveDate,
    /// In %, `None` without anything to count.
    pub value: Option<f64>,
    /// "demo_history" marks a derived, illustrative value.
    pub origin: String,
}

/// An indicator over a unit's subtree.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct IndicatorValue {
    pub indicator: IndicatorDef,
    /// At the latest snapshot; `None` without formula or snapshot.
    pub measure: Option<Measure>,
    pub status: Status,
    /// The value expected at the deadline if the trend goes on.
    pub projection: Option<f64>,
    pub trend: Vec<TrendPoint>,
}

/// A unit below, with each indicator's value (in the order of `indicators`).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct BelowUnit {
    pub id: i64,
    pub name: String,
    pub kind: OrgKind,
    pub values: Vec<Option<f64>>,
}

/// A unit's plan targets.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct UnitTargets {
    pub unit: OrgUnit,
    /// The latest snapshot (none taken yet: every indicator has no data).
    pub taken_on: Option<NaiveDate>,
    pub schools: usize,
    pub indicators: Vec<IndicatorValue>,
    /// The units directly below (current tree), in name order.
    pub below: Vec<BelowUnit>,
}

fn value_of(ind: &Indicator, schools: &[&SchoolValues]) -> Option<Measure> {
    ind.formula
        .as_ref()
        .map(|f| rules::evaluate(f, &ind.scope, schools))
}

/// A unit's indicators over its subtree at the latest snapshot, each with its trend and status
/// against the deadline (`today` decides whether the deadline has passed), and the units below.
pub async fn unit_targets(
    conn: &mut Conn<'_>,
    scope: &Scope,
    unit_id: i64,
    today: NaiveDate,
) -> StoreResult<UnitTargets> {
    unit_scope(scope)?;
    let unit = crate::orgs::get(conn, scope, unit_id).await?;
    let defs = definitions(conn).await?;
    let schools = schools_under(conn, &unit).await?;
    let days = trend_days(&days(conn).await?);
    let dates: Vec<NaiveDate> = days.iter().map(|d| d.taken_on).collect();
    let latest = dates.last().copied();
    // Each school's values of the latest day (the measure, the ranking); the trend of a ratio
    // from sums by set of levels; the trend of a school share from the metrics it reads.
    let latest_values = values_under(
        conn,
        &unit,
        &dates[dates.len().saturating_sub(1)..],
        &schools,
        None,
    )
    .await?;
    let grouped = grouped_under(conn, &unit, &dates).await?;
    let read = condition_metrics(&defs);
    let per_school = if read.is_empty() {
        BTreeMap::new()
    } else {
        values_under(conn, &unit, &dates, &schools, Some(&read)).await?
    };
    let empty = HashMap::new();
    let no_groups = Vec::new();
    let point = |ind: &Indicator, d: NaiveDate| -> Option<f64> {
        let m = match ind.formula {
            Some(rules::Formula::Schools(_)) => value_of(
                ind,
                &per_school
                    .get(&d)
                    .unwrap_or(&empty)
                    .values()
                    .collect::<Vec<_>>(),
            ),
            _ => value_of(
                ind,
                &grouped
                    .get(&d)
                    .unwrap_or(&no_groups)
                    .iter()
                    .collect::<Vec<_>>(),
            ),
        };
        m.and_then(|m| m.value)
    };
    let latest_map = latest.and_then(|d| latest_values.get(&d)).unwrap_or(&empty);
    let indicators = defs
        .iter()
        .map(|ind| {
            let trend: Vec<TrendPoint> = days
                .iter()
                .map(|d| TrendPoint {
                    taken_on: d.taken_on,
                    value: point(ind, d.taken_on),
                    origin: d.origin.clone(),
                })
                .collect();
            let measure =
                latest.and_then(|_| value_of(ind, &latest_map.values().collect::<Vec<_>>()));
            let history: Vec<(NaiveDate, f64)> = trend
                .iter()
                .filter_map(|p| p.value.map(|v| (p.taken_on, v)))
                .collect();
            let has_value = measure.is_some_and(|m| m.value.is_some());
            IndicatorValue {
                indicator: ind.into(),
                status: if has_value {
                    rules::status(ind.target, ind.deadline, today, &history)
                } else {
                    Status::NoData
                },
                projection: if has_value {
                    rules::projection(&history, ind.deadline)
                } else {
                    None
                },
                measure,
                trend,
            }
        })
        .collect();
    let below = below_units(conn, &unit, &defs, latest_map, &schools).await?;
    Ok(UnitTargets {
        unit,
        taken_on: latest,
        schools: schools.len(),
        indicators,
        below,
    })
}

async fn below_units(
    conn: &mut Conn<'_>,
    unit: &OrgUnit,
    defs: &[Indicator],
    latest: &HashMap<i64, SchoolValues>,
    schools: &[SchoolRow],
) -> StoreResult<Vec<BelowUnit>> {
    let children: Vec<(i64, String, String, String)> = conn
        .fetch_all(
            Query::select()
                .columns([OrgUnits::Id, OrgUnits::Name, OrgUnits::Path, OrgUnits::Kind])
                .from(OrgUnits::Table)
                .and_where(Expr::col(OrgUnits::ParentId).eq(unit.id))
                .and_where(Expr::col(OrgUnits::Kind).ne(OrgKind::SatelliteSite.code()))
                .order_by(OrgUnits::Name, Order::Asc),
        )
        .await?;
    Ok(children
        .into_iter()
        .filter_map(|(id, name, path, kind)| {
            let under: Vec<&SchoolValues> = schools
                .iter()
                .filter(|s| s.path.starts_with(&path))
                .filter_map(|s| latest.get(&s.id))
                .collect();
            Some(BelowUnit {
                id,
                name,
                kind: OrgKind::from_code(&kind)?,
                values: defs
                    .iter()
                    .map(|d| value_of(d, &under).and_then(|m| m.value))
                    .collect(),
            })
        })
        .collect())
}

/// A school on the map.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct MapSchool {
    pub id: i64,
    pub name: String,
    pub levels: Vec<SchoolLevel>,
    /// The school's own position, else its commune's centroid; `None` when neither is known.
    pub lat: Option<f64>,
    pub lon: Option<f64>,
    /// Each indicator's value for this school alone (in the order of `indicators`); `None`
    /// when the school is outside the indicator's scope or nothing is counted.
    pub values: Vec<Option<f64>>,
}

/// The schools under a unit with their indicator values, and the communes around them.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct SchoolMap {
    pub unit: OrgUnit,
    pub taken_on: Option<NaiveDate>,
    pub indicators: Vec<IndicatorDef>,
    pub schools: Vec<MapSchool>,
    /// Commune centroids of the provinces the schools are in: the map's background.
    pub communes: Vec<LatLon>,
}

#[derive(Debug, Clone, Copy, Serialize, utoipa::ToSchema)]
pub struct LatLon {
    pub lat: f64,
    pub lon: f64,
}

#[derive(sqlx::FromRow)]
struct WardPoint {
    code: String,
    parent_code: Option<String>,
    lat: Option<f64>,
    lon: Option<f64>,
}

async fn wards(conn: &mut Conn<'_>) -> StoreResult<Vec<WardPoint>> {
    conn.fetch_all(
        Query::select()
            .columns([
                AdminUnits::Code,
                AdminUnits::ParentCode,
                AdminUnits::Lat,
                AdminUnits::Lon,
            ])
            .from(AdminUnits::Table)
            .and_where(Expr::col(AdminUnits::Scheme).eq("2025"))
            .and_where(Expr::col(AdminUnits::Level).eq("ward")),
    )
    .await
}

/// The map of a unit's schools at the latest snapshot.
pub async fn school_map(
    conn: &mut Conn<'_>,
    scope: &Scope,
    unit_id: i64,
) -> StoreResult<SchoolMap> {
    unit_scope(scope)?;
    let unit = crate::orgs::get(conn, scope, unit_id).await?;
    let defs = definitions(conn).await?;
    let schools = schools_under(conn, &unit).await?;
    let latest = days(conn).await?.last().map(|d| d.taken_on);
    let values = values_under(
        conn,
        &unit,
        &latest.into_iter().collect::<Vec<_>>(),
        &schools,
        None,
    )
    .await?;
    let empty = HashMap::new();
    let latest_values = latest.and_then(|d| values.get(&d)).unwrap_or(&empty);
    let wards = wards(conn).await?;
    let by_code: HashMap<&str, &WardPoint> = wards.iter().map(|w| (w.code.as_str(), w)).collect();
    let provinces: std::collections::HashSet<&str> = schools
        .iter()
        .filter_map(|s| by_code.get(s.ward_code.as_deref()?))
        .filter_map(|w| w.parent_code.as_deref())
        .collect();
    let communes = wards
        .iter()
        .filter(|w| {
            w.parent_code
                .as_deref()
                .is_some_and(|p| provinces.contains(p))
        })
        .filter_map(|w| {
            Some(LatLon {
                lat: w.lat?,
                lon: w.lon?,
            })
        })
        .collect();
    let map_schools = schools
        .iter()
        .map(|s| {
            let ward = s.ward_code.as_deref().and_then(|c| by_code.get(c));
            let (lat, lon) = match (s.lat, s.lon) {
                (Some(a), Some(o)) => (Some(a), Some(o)),
                _ => (ward.and_then(|w| w.lat), ward.and_then(|w| w.lon)),
            };
            let levels = levels_from_codes(&s.levels);
            let own = latest_values.get(&s.id);
            MapSchool {
                id: s.id,
                name: s.name.clone(),
                values: defs
                    .iter()
                    .map(|d| {
                        if !d.scope.covers_school(&levels) {
                            return None;
                        }
                        value_of(d, &own.into_iter().collect::<Vec<_>>()).and_then(|m| m.value)
                    })
                    .collect(),
                levels,
                lat,
                lon,
            }
        })
        .collect();
    Ok(SchoolMap {
        unit,
        taken_on: latest,
        indicators: defs.iter().map(IndicatorDef::from).collect(),
        schools: map_schools,
        communes,
    })
}

/// Checks a definition without saving it, for forms that show every problem at once.
pub fn check(raw: &RawIndicator) -> Result<Indicator, Vec<FieldError>> {
    raw.check()
        .map_err(|e| e.iter().map(rules::TargetError::to_field_error).collect())
}

// ---------------------------------------------------------------------------------------------
// Demo history

/// Metrics that grow as a plan is carried out (the numerators); the demo's derived past has
/// fewer of them. Denominators (learners, classes, staff, schools) stay as measured today.
const GROWING: [Metric; 7] = [
    Metric::LearnersValidId,
    Metric::LearnersProfileComplete,
    Metric::LearnersScoresComplete,
    Metric::ClassesUsingGradebook,
    Metric::TeachersWithAccount,
    Metric::StaffWithSignature,
    Metric::TranscriptsSigned,
];

/// DEMO HISTORY, NOT MEASURED: a deterministic ramp from today's values back `months_ago`
/// months (of `months`): each growing metric of each school scaled down by a factor that falls
/// linearly with the months, by a depth of 20–70 % fixed per school and metric. The past of a
/// freshly generated province cannot be known; this only gives the trend charts a shape.
pub fn demo_ramp(current: &[MetricValue], months_ago: u32, months: u32) -> Vec<MetricValue> {
    current
        .iter()
        .filter_map(|v| {
            if !GROWING.contains(&v.metric) {
                return Some(*v);
            }
            let mix = (v.school_id as u64)
                .wrapping_mul(2_654_435_761)
                .wrapping_add(v.metric as u64 * 40_503)
                % 51;
            let depth = 0.2 + mix as f64 / 100.0;
            let factor = 1.0 - depth * f64::from(months_ago) / f64::from(Ord::max(months, 1));
            let value = (v.value as f64 * factor).floor() as i64;
            (value > 0).then_some(MetricValue { value, ..*v })
        })
        .collect()
}

/// DEMO ONLY: writes `months` monthly snapshots before `today`, marked `demo_history`, derived
/// from today's measured values by [`demo_ramp`], and today's measured snapshot. Days that
/// already have a snapshot are kept. Returns the number of days written.
pub async fn write_demo_history(store: &Store, today: NaiveDate, months: u32) -> StoreResult<u32> {
    let current = measure(&mut store.conn()).await?;
    let mut written = 0;
    let mut tx = store.begin().await?;
    for k in (1..=months).rev() {
        let Some(day) = today.checked_sub_months(chrono::Months::new(k)) else {
            continue;
        };
        let values = demo_ramp(&current, k, months);
        if write_snapshot(&mut tx, day, DEMO_HISTORY, &values)
            .await?
            .taken
        {
            written += 1;
        }
    }
    if write_snapshot(&mut tx, today, MEASURED, &current)
        .await?
        .taken
    {
        written += 1;
    }
    tx.commit().await?;
    Ok(written)
}
