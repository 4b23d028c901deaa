//! Data quality over the database: runs the rules of `domain::quality` on learners and classes,
//! keeps the issues found with per-learner and per-school roll-ups (so that a dashboard adds up a
//! few thousand school rows, never millions of learners), the rule and setting overrides, and the
//! cases of the same person enrolled in two schools with their resolution.
//!
//! [`scan`] re-checks the whole database school by school in batched transactions;
//! [`recheck_learners`] re-checks a few learners inside the caller's transaction (learner edits,
//! imports), so that a fix clears its issue at once.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::time::{Duration, Instant};

use chrono::{DateTime, NaiveDate, Utc};
use sea_query::{
    Alias, Condition, Expr, ExprTrait, JoinType, Order, Query, SelectStatement, SimpleExpr, Value,
};
use serde::{Deserialize, Serialize};
use truongso_domain::codes::Gender;
use truongso_domain::learners::EnrolmentStatus;
use truongso_domain::quality::{
    self as rules, EXPECTED_FIELDS, Finding, LearnerFacts, QualitySettings, RuleCode, RuleEntity,
    RuleOverride, RuleSet, Severity, Tally, YearContext,
};

use crate::enrolments::StatusChange;
use crate::orgs::OrgUnit;
use crate::schema::*;
use crate::scope::path_prefix;
use crate::seed::bulk_insert;
use crate::{Conn, Page, PageRequest, Scope, Store, StoreError, StoreResult, Tx};

/// Enrolment statuses of learners currently in a class (the class size and the ID indicator).
pub const ACTIVE: [&str; 3] = ["studying", "transferred_in", "repeating"];

/// Ids per statement in `IN (…)` lists, well under both backends' parameter limits.
const CHUNK: usize = 1000;

/// Schools checked per transaction by [`scan`].
const SCHOOLS_PER_BATCH: usize = 16;

// ---------------------------------------------------------------------------------------------
// Rules and settings in force

/// The rules and settings in force: the shipped defaults with the stored overrides.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Config {
    pub rules: RuleSet,
    pub settings: QualitySettings,
}

/// A rule as in force here, for the settings page and the API.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct RuleState {
    pub code: RuleCode,
    pub entity: RuleEntity,
    pub enabled: bool,
    pub severity: Severity,
    /// The shipped defaults.
    pub default_enabled: bool,
    pub default_severity: Severity,
    pub field: String,
    pub fix: rules::Fix,
    pub judgement: bool,
    pub label_vi: String,
    pub label_en: String,
    pub updated_by: Option<String>,
    pub updated_at: Option<DateTime<Utc>>,
}

#[derive(sqlx::FromRow)]
struct OverrideRow {
    rule: String,
    enabled: bool,
    severity: String,
    updated_by: Option<String>,
    updated_at: DateTime<Utc>,
}

async fn overrides(conn: &mut Conn<'_>) -> StoreResult<Vec<OverrideRow>> {
    conn.fetch_all(
        Query::select()
            .columns([
                QualityRuleSettings::Rule,
                QualityRuleSettings::Enabled,
                QualityRuleSettings::Severity,
                QualityRuleSettings::UpdatedBy,
                QualityRuleSettings::UpdatedAt,
            ])
            .from(QualityRuleSettings::Table),
    )
    .await
}

pub async fn config(conn: &mut Conn<'_>) -> StoreResult<Config> {
    let rows = overrides(conn).await?;
    let rules = RuleSet::with_overrides(rows.iter().filter_map(|r| {
        Some(RuleOverride {
            code: RuleCode::from_code(&r.rule)?,
            enabled: r.enabled,
            severity: Severity::from_code(&r.severity)?,
        })
    }));
    let values: Vec<(String, i64)> = conn
        .fetch_all(
            Query::select()
                .columns([QualitySettingValues::Name, QualitySettingValues::Value])
                .from(QualitySettingValues::Table),
        )
        .await?;
    let settings = QualitySettings::from_values(values.iter().map(|(k, v)| (k.as_str(), *v)));
    Ok(Config { rules, settings })
}

/// Every rule with its state in force, in the order of the rules file.
pub async fn rule_states(conn: &mut Conn<'_>) -> StoreResult<Vec<RuleState>> {
    let rows = overrides(conn).await?;
    Ok(rules::rules()
        .iter()
        .map(|r| {
            let o = rows.iter().find(|o| o.rule == r.code.code());
            RuleState {
                code: r.code,
                entity: r.entity,
                enabled: o.map_or(r.enabled, |o| o.enabled),
                severity: o
                    .and_then(|o| Severity::from_code(&o.severity))
                    .unwrap_or(r.severity),
                default_enabled: r.enabled,
                default_severity: r.severity,
                field: r.field.clone(),
                fix: r.fix,
                judgement: r.judgement,
                label_vi: r.label_vi.clone(),
                label_en: r.label_en.clone(),
                updated_by: o.and_then(|o| o.updated_by.clone()),
                updated_at: o.map(|o| o.updated_at),
            }
        })
        .collect())
}

/// A rule's new state.
#[derive(Debug, Clone, Copy, Deserialize, utoipa::ToSchema)]
pub struct RuleChange {
    pub enabled: bool,
    pub severity: Severity,
}

/// Stores a rule's state (it applies from the next check of each record).
pub async fn set_rule(
    tx: &mut Tx,
    code: RuleCode,
    change: &RuleChange,
    by: &str,
) -> StoreResult<()> {
    tx.conn()
        .execute(
            Query::delete()
                .from_table(QualityRuleSettings::Table)
                .and_where(Expr::col(QualityRuleSettings::Rule).eq(code.code())),
        )
        .await?;
    tx.conn()
        .execute(
            Query::insert()
                .into_table(QualityRuleSettings::Table)
                .columns([
                    QualityRuleSettings::Rule,
                    QualityRuleSettings::Enabled,
                    QualityRuleSettings::Severity,
                    QualityRuleSettings::UpdatedBy,
                    QualityRuleSettings::UpdatedAt,
                ])
                .values_panic([
                    code.code().into(),
                    change.enabled.into(),
                    change.severity.code().into(),
                    by.into(),
                    Utc::now().into(),
                ]),
        )
        .await?;
    Ok(())
}

/// Stores settings typed by a user (`key` → text), all or none: every bad value is reported
/// with its key.
pub async fn set_settings(
    tx: &mut Tx,
    values: &BTreeMap<String, String>,
    by: &str,
) -> StoreResult<QualitySettings> {
    let mut checker = truongso_domain::validation::Checker::new();
    let mut parsed = Vec::new();
    for (key, raw) in values {
        match rules::parse_setting(key, raw) {
            Ok(v) => parsed.push((key.clone(), v)),
            Err(m) => checker.push(key, m),
        }
    }
    checker.finish()?;
    for (key, value) in parsed {
        tx.conn()
            .execute(
                Query::delete()
                    .from_table(QualitySettingValues::Table)
                    .and_where(Expr::col(QualitySettingValues::Name).eq(key.clone())),
            )
            .await?;
        tx.conn()
            .execute(
                Query::insert()
                    .into_table(QualitySettingValues::Table)
                    .columns([
                        QualitySettingValues::Name,
                        QualitySettingValues::Value,
                        QualitySettingValues::UpdatedBy,
                        QualitySettingValues::UpdatedAt,
                    ])
                    .values_panic([key.into(), value.into(), by.into(), Utc::now().into()]),
            )
            .await?;
    }
    Ok(config(&mut tx.conn()).await?.settings)
}

// ---------------------------------------------------------------------------------------------
// Checking records

/// Which learners (or classes) a check covers.
#[derive(Debug, Clone, Copy)]
enum Subset<'a> {
    Schools(&'a [i64]),
    Learners(&'a [i64]),
}

impl Subset<'_> {
    /// A condition on `learners`.
    fn learners(&self) -> SimpleExpr {
        match self {
            Subset::Schools(ids) => {
                Expr::col((Learners::Table, Learners::SchoolId)).is_in(ids.iter().copied())
            }
            Subset::Learners(ids) => {
                Expr::col((Learners::Table, Learners::Id)).is_in(ids.iter().copied())
            }
        }
    }

    /// A condition on `enrolments`: by school through its index (a subquery on learners made
    /// PostgreSQL scan every enrolment at 1.7 million learners); only the enrolment at the
    /// learner's own school counts, so nothing is lost.
    fn enrolments(&self) -> SimpleExpr {
        match self {
            Subset::Schools(ids) => {
                Expr::col((Enrolments::Table, Enrolments::SchoolId)).is_in(ids.iter().copied())
            }
            Subset::Learners(ids) => {
                Expr::col((Enrolments::Table, Enrolments::LearnerId)).is_in(ids.iter().copied())
            }
        }
    }

    /// The learner ids of the subset, as a subquery.
    fn learner_ids(&self) -> SelectStatement {
        Query::select()
            .column((Learners::Table, Learners::Id))
            .from(Learners::Table)
            .and_where(self.learners())
            .to_owned()
    }
}

#[derive(sqlx::FromRow)]
struct LearnerRow {
    id: i64,
    school_id: i64,
    national_id: Option<String>,
    birth_date: NaiveDate,
    #[sqlx(try_from = "String")]
    gender: Gender,
    ethnicity_code: String,
    address: Option<String>,
    ward_code: Option<String>,
    updated_at: DateTime<Utc>,
}

#[derive(sqlx::FromRow)]
struct GuardianCount {
    learner_id: i64,
    guardians: i64,
    phones: i64,
}

#[derive(sqlx::FromRow)]
struct EnrolmentRow {
    learner_id: i64,
    school_id: i64,
    class_id: Option<i64>,
    status: String,
    grade: Option<i32>,
}

/// The school year the checks run in: the current one, else the one containing today.
async fn year_context(conn: &mut Conn<'_>) -> StoreResult<(Option<i64>, YearContext)> {
    Ok(match crate::years::current(conn).await? {
        Some(y) => (
            Some(y.id),
            YearContext {
                start_year: y.start_year,
                starts_on: y.starts_on,
            },
        ),
        None => {
            let (start, _) = truongso_domain::school_year::school_year_of(Utc::now().date_naive());
            (
                None,
                YearContext {
                    start_year: start,
                    starts_on: NaiveDate::from_ymd_opt(start, 8, 1).expect("valid date"),
                },
            )
        }
    })
}

/// What one check of a subset writes.
#[derive(Default)]
struct Checked {
    learner_rows: Vec<Vec<Value>>,
    issue_rows: Vec<Vec<Value>>,
    class_ids: BTreeSet<i64>,
    school_ids: BTreeSet<i64>,
}

/// Everything needed to check the learners of a subset, loaded in three queries.
async fn check_learners(
    conn: &mut Conn<'_>,
    subset: Subset<'_>,
    year_id: Option<i64>,
    year: &YearContext,
    config: &Config,
    duplicates: &HashSet<i64>,
) -> StoreResult<Checked> {
    let learners: Vec<LearnerRow> = conn
        .fetch_all(
            Query::select()
                .columns([
                    (Learners::Table, Learners::Id),
                    (Learners::Table, Learners::SchoolId),
                    (Learners::Table, Learners::NationalId),
                    (Learners::Table, Learners::BirthDate),
                    (Learners::Table, Learners::Gender),
                    (Learners::Table, Learners::EthnicityCode),
                    (Learners::Table, Learners::Address),
                    (Learners::Table, Learners::WardCode),
                    (Learners::Table, Learners::UpdatedAt),
                ])
                .from(Learners::Table)
                .and_where(subset.learners()),
        )
        .await?;
    let guardians: Vec<GuardianCount> = conn
        .fetch_all(
            Query::select()
                .column(Guardians::LearnerId)
                .expr_as(Expr::cust("COUNT(*)"), "guardians")
                .expr_as(Expr::cust("COUNT(phone)"), "phones")
                .from(Guardians::Table)
                .and_where(Expr::col(Guardians::LearnerId).in_subquery(subset.learner_ids()))
                .group_by_col(Guardians::LearnerId),
        )
        .await?;
    let guardians: HashMap<i64, (i64, i64)> = guardians
        .into_iter()
        .map(|g| (g.learner_id, (g.guardians, g.phones)))
        .collect();
    let enrolments: Vec<EnrolmentRow> = match year_id {
        Some(y) => {
            conn.fetch_all(
                Query::select()
                    .columns([
                        (Enrolments::Table, Enrolments::LearnerId),
                        (Enrolments::Table, Enrolments::SchoolId),
                        (Enrolments::Table, Enrolments::ClassId),
                        (Enrolments::Table, Enrolments::Status),
                    ])
                    .column((Classes::Table, Classes::Grade))
                    .from(Enrolments::Table)
                    .left_join(
                        Classes::Table,
                        Expr::col((Classes::Table, Classes::Id))
                            .equals((Enrolments::Table, Enrolments::ClassId)),
                    )
                    .and_where(Expr::col((Enrolments::Table, Enrolments::SchoolYearId)).eq(y))
                    .and_where(subset.enrolments()),
            )
            .await?
        }
        None => vec![],
    };
    let enrolments: HashMap<(i64, i64), EnrolmentRow> = enrolments
        .into_iter()
        .map(|e| ((e.learner_id, e.school_id), e))
        .collect();

    let now = Utc::now();
    let mut out = Checked::default();
    for l in learners {
        let (g, phones) = guardians.get(&l.id).copied().unwrap_or((0, 0));
        let enrolment = enrolments.get(&(l.id, l.school_id));
        let active = enrolment.is_some_and(|e| ACTIVE.contains(&e.status.as_str()));
        let grade = enrolment.and_then(|e| e.grade);
        let facts = LearnerFacts {
            national_id: l.national_id,
            birth_date: l.birth_date,
            gender: l.gender,
            ethnicity_code: Some(l.ethnicity_code),
            address: l.address,
            ward_code: l.ward_code,
            guardians: g as u32,
            guardian_phones: phones as u32,
            grade,
            enrolled: enrolment.is_some(),
            updated_on: l.updated_at.date_naive(),
            duplicate: duplicates.contains(&l.id),
        };
        let findings = rules::learner_findings(&facts, year, &config.settings, &config.rules);
        let count = |s: Severity| findings.iter().filter(|f| f.severity == s).count() as i32;
        let eligible = active && grade.is_some_and(|g| (9..=12).contains(&g));
        let exit = active && matches!(grade, Some(9 | 12));
        let class_id = enrolment.and_then(|e| e.class_id);
        out.learner_rows.push(vec![
            l.id.into(),
            l.school_id.into(),
            class_id.into(),
            grade.into(),
            (rules::completeness(&facts) as i32).into(),
            (EXPECTED_FIELDS.len() as i32).into(),
            count(Severity::Fault).into(),
            count(Severity::Warning).into(),
            count(Severity::Info).into(),
            i32::from(eligible).into(),
            i32::from(exit).into(),
            i32::from(rules::has_valid_id(&facts)).into(),
            now.into(),
        ]);
        for f in findings {
            out.issue_rows.push(issue_row(
                &f,
                RuleEntity::Learner,
                Some(l.id),
                class_id,
                l.school_id,
                now,
            ));
        }
        if let Some(c) = class_id {
            out.class_ids.insert(c);
        }
        out.school_ids.insert(l.school_id);
    }
    Ok(out)
}

fn issue_row(
    f: &Finding,
    entity: RuleEntity,
    learner_id: Option<i64>,
    class_id: Option<i64>,
    school_id: i64,
    now: DateTime<Utc>,
) -> Vec<Value> {
    vec![
        f.rule.code().into(),
        f.severity.code().into(),
        entity.code().into(),
        learner_id.into(),
        class_id.into(),
        school_id.into(),
        f.detail.clone().into(),
        now.into(),
    ]
}

const ISSUE_COLUMNS: [QualityIssues; 8] = [
    QualityIssues::Rule,
    QualityIssues::Severity,
    QualityIssues::Entity,
    QualityIssues::LearnerId,
    QualityIssues::ClassId,
    QualityIssues::SchoolId,
    QualityIssues::Detail,
    QualityIssues::FoundAt,
];

const LEARNER_COLUMNS: [QualityLearners; 13] = [
    QualityLearners::LearnerId,
    QualityLearners::SchoolId,
    QualityLearners::ClassId,
    QualityLearners::Grade,
    QualityLearners::Filled,
    QualityLearners::Expected,
    QualityLearners::Errors,
    QualityLearners::Warnings,
    QualityLearners::Infos,
    QualityLearners::IdEligible,
    QualityLearners::IdExit,
    QualityLearners::IdValid,
    QualityLearners::CheckedAt,
];

/// Replaces the stored learner issues and roll-ups of a subset with a fresh check.
async fn write_learners(tx: &mut Tx, subset: Subset<'_>, checked: Checked) -> StoreResult<()> {
    let learner_entity = Expr::col(QualityIssues::Entity).eq(RuleEntity::Learner.code());
    let (issue_cond, row_cond) = match subset {
        Subset::Schools(ids) => (
            Expr::col(QualityIssues::SchoolId).is_in(ids.iter().copied()),
            Expr::col(QualityLearners::SchoolId).is_in(ids.iter().copied()),
        ),
        Subset::Learners(ids) => (
            Expr::col(QualityIssues::LearnerId).is_in(ids.iter().copied()),
            Expr::col(QualityLearners::LearnerId).is_in(ids.iter().copied()),
        ),
    };
    tx.conn()
        .execute(
            Query::delete()
                .from_table(QualityIssues::Table)
                .and_where(issue_cond)
                .and_where(learner_entity),
        )
        .await?;
    tx.conn()
        .execute(
            Query::delete()
                .from_table(QualityLearners::Table)
                .and_where(row_cond),
        )
        .await?;
    bulk_insert(
        &mut tx.conn(),
        QualityIssues::Table,
        &ISSUE_COLUMNS,
        checked.issue_rows,
    )
    .await?;
    bulk_insert(
        &mut tx.conn(),
        QualityLearners::Table,
        &LEARNER_COLUMNS,
        checked.learner_rows,
    )
    .await?;
    Ok(())
}

#[derive(sqlx::FromRow)]
struct ClassRow {
    id: i64,
    org_unit_id: i64,
    grade: i32,
    learners: i64,
}

/// Re-checks classes (of the current year): by school for a scan, by id for a recheck.
async fn check_classes(
    tx: &mut Tx,
    cond: SimpleExpr,
    year_id: Option<i64>,
    config: &Config,
) -> StoreResult<()> {
    let Some(year_id) = year_id else {
        return Ok(());
    };
    let active = ACTIVE.map(|s| format!("'{s}'")).join(", ");
    let classes: Vec<ClassRow> = tx
        .conn()
        .fetch_all(
            Query::select()
                .columns([
                    (Classes::Table, Classes::Id),
                    (Classes::Table, Classes::OrgUnitId),
                    (Classes::Table, Classes::Grade),
                ])
                .expr_as(
                    Expr::cust(format!(
                        "(SELECT COUNT(*) FROM enrolments e WHERE e.class_id = classes.id AND e.status IN ({active}))"
                    )),
                    "learners",
                )
                .from(Classes::Table)
                .and_where(Expr::col((Classes::Table, Classes::SchoolYearId)).eq(year_id))
                .and_where(cond),
        )
        .await?;
    if classes.is_empty() {
        return Ok(());
    }
    let ids: Vec<i64> = classes.iter().map(|c| c.id).collect();
    tx.conn()
        .execute(
            Query::delete()
                .from_table(QualityIssues::Table)
                .and_where(Expr::col(QualityIssues::ClassId).is_in(ids))
                .and_where(Expr::col(QualityIssues::Entity).eq(RuleEntity::Class.code())),
        )
        .await?;
    let now = Utc::now();
    let rows = classes
        .iter()
        .flat_map(|c| {
            rules::class_findings(c.grade, c.learners, &config.settings, &config.rules)
                .into_iter()
                .map(move |f| {
                    issue_row(&f, RuleEntity::Class, None, Some(c.id), c.org_unit_id, now)
                })
        })
        .collect();
    bulk_insert(&mut tx.conn(), QualityIssues::Table, &ISSUE_COLUMNS, rows).await?;
    Ok(())
}

#[derive(sqlx::FromRow)]
struct SchoolSums {
    school_id: i64,
    learners: i64,
    filled: i64,
    expected: i64,
    clean: i64,
    id_eligible: i64,
    id_valid: i64,
    id_exit_eligible: i64,
    id_exit_valid: i64,
}

#[derive(sqlx::FromRow)]
struct RuleSums {
    school_id: i64,
    rule: String,
    severity: String,
    issues: i64,
}

/// Recomputes the roll-ups of these schools from their learner rows and issues.
async fn refresh_schools(tx: &mut Tx, school_ids: &[i64]) -> StoreResult<()> {
    if school_ids.is_empty() {
        return Ok(());
    }
    let sums: Vec<SchoolSums> = tx
        .conn()
        .fetch_all(
            Query::select()
                .column(QualityLearners::SchoolId)
                .expr_as(Expr::cust("COUNT(*)"), "learners")
                .expr_as(Expr::cust("COALESCE(SUM(filled), 0)"), "filled")
                .expr_as(Expr::cust("COALESCE(SUM(expected), 0)"), "expected")
                .expr_as(
                    Expr::cust(
                        "COALESCE(SUM(CASE WHEN errors = 0 AND warnings = 0 THEN 1 ELSE 0 END), 0)",
                    ),
                    "clean",
                )
                .expr_as(Expr::cust("COALESCE(SUM(id_eligible), 0)"), "id_eligible")
                .expr_as(
                    Expr::cust("COALESCE(SUM(id_eligible * id_valid), 0)"),
                    "id_valid",
                )
                .expr_as(Expr::cust("COALESCE(SUM(id_exit), 0)"), "id_exit_eligible")
                .expr_as(
                    Expr::cust("COALESCE(SUM(id_exit * id_valid), 0)"),
                    "id_exit_valid",
                )
                .from(QualityLearners::Table)
                .and_where(Expr::col(QualityLearners::SchoolId).is_in(school_ids.iter().copied()))
                .group_by_col(QualityLearners::SchoolId),
        )
        .await?;
    let by_rule: Vec<RuleSums> = tx
        .conn()
        .fetch_all(
            Query::select()
                .columns([
                    QualityIssues::SchoolId,
                    QualityIssues::Rule,
                    QualityIssues::Severity,
                ])
                .expr_as(Expr::cust("COUNT(*)"), "issues")
                .from(QualityIssues::Table)
                .and_where(Expr::col(QualityIssues::SchoolId).is_in(school_ids.iter().copied()))
                .group_by_columns([
                    QualityIssues::SchoolId,
                    QualityIssues::Rule,
                    QualityIssues::Severity,
                ]),
        )
        .await?;
    for table_cond in [
        (Query::delete()
            .from_table(QualitySchools::Table)
            .and_where(Expr::col(QualitySchools::SchoolId).is_in(school_ids.iter().copied()))
            .to_owned()),
        (Query::delete()
            .from_table(QualitySchoolRules::Table)
            .and_where(Expr::col(QualitySchoolRules::SchoolId).is_in(school_ids.iter().copied()))
            .to_owned()),
    ] {
        tx.conn().execute(&table_cond).await?;
    }
    let now = Utc::now();
    let sums: HashMap<i64, SchoolSums> = sums.into_iter().map(|s| (s.school_id, s)).collect();
    let severity_total = |school: i64, sev: Severity| -> i64 {
        by_rule
            .iter()
            .filter(|r| r.school_id == school && r.severity == sev.code())
            .map(|r| r.issues)
            .sum()
    };
    let school_rows = school_ids
        .iter()
        .map(|&id| {
            let s = sums.get(&id);
            let get = |f: fn(&SchoolSums) -> i64| s.map_or(0, f);
            vec![
                id.into(),
                get(|s| s.learners).into(),
                get(|s| s.filled).into(),
                get(|s| s.expected).into(),
                get(|s| s.clean).into(),
                severity_total(id, Severity::Fault).into(),
                severity_total(id, Severity::Warning).into(),
                severity_total(id, Severity::Info).into(),
                get(|s| s.id_eligible).into(),
                get(|s| s.id_valid).into(),
                get(|s| s.id_exit_eligible).into(),
                get(|s| s.id_exit_valid).into(),
                now.into(),
            ]
        })
        .collect();
    bulk_insert(
        &mut tx.conn(),
        QualitySchools::Table,
        &[
            QualitySchools::SchoolId,
            QualitySchools::Learners,
            QualitySchools::Filled,
            QualitySchools::Expected,
            QualitySchools::Clean,
            QualitySchools::Errors,
            QualitySchools::Warnings,
            QualitySchools::Infos,
            QualitySchools::IdEligible,
            QualitySchools::IdValid,
            QualitySchools::IdExitEligible,
            QualitySchools::IdExitValid,
            QualitySchools::CheckedAt,
        ],
        school_rows,
    )
    .await?;
    // A rule has one severity at a time; after a change mid-way both may be present: add them.
    let mut merged: BTreeMap<(i64, String), (String, i64)> = BTreeMap::new();
    for r in by_rule {
        let e = merged
            .entry((r.school_id, r.rule))
            .or_insert((r.severity, 0));
        e.1 += r.issues;
    }
    let rule_rows = merged
        .into_iter()
        .map(|((school, rule), (severity, n))| {
            vec![school.into(), rule.into(), severity.into(), n.into()]
        })
        .collect();
    bulk_insert(
        &mut tx.conn(),
        QualitySchoolRules::Table,
        &[
            QualitySchoolRules::SchoolId,
            QualitySchoolRules::Rule,
            QualitySchoolRules::Severity,
            QualitySchoolRules::Issues,
        ],
        rule_rows,
    )
    .await?;
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Duplicates: the same personal ID on learner records of two schools

#[derive(sqlx::FromRow)]
struct IdRow {
    id: i64,
    national_id: String,
    school_id: i64,
}

/// (national ID, learner a, learner b, school a, school b), a < b: every two learner records
/// with the same ID (usually in two schools; in one school it is a record entered twice).
type Pair = (String, i64, i64, i64, i64);

fn pairs_of(rows: &[IdRow]) -> Vec<Pair> {
    let mut groups: BTreeMap<&str, Vec<&IdRow>> = BTreeMap::new();
    for r in rows {
        groups.entry(r.national_id.trim()).or_default().push(r);
    }
    let mut out = Vec::new();
    for (id, mut group) in groups {
        group.sort_by_key(|r| r.id);
        for (i, a) in group.iter().enumerate() {
            for b in &group[i + 1..] {
                out.push((id.to_string(), a.id, b.id, a.school_id, b.school_id));
            }
        }
    }
    out
}

#[derive(sqlx::FromRow)]
struct CaseKey {
    id: i64,
    learner_a: i64,
    learner_b: i64,
    status: String,
}

/// Brings the stored cases in line with the pairs found among `covered` learners: new pairs
/// open a case, open cases whose records no longer share an ID are dropped (resolved cases
/// stay as the record of a decision). Returns the learners whose duplicate flag may change.
async fn sync_cases(
    tx: &mut Tx,
    found: &[Pair],
    existing: Vec<CaseKey>,
) -> StoreResult<BTreeSet<i64>> {
    let found_keys: HashSet<(i64, i64)> = found.iter().map(|p| (p.1, p.2)).collect();
    let existing_keys: HashSet<(i64, i64)> = existing
        .iter()
        .map(|c| (c.learner_a, c.learner_b))
        .collect();
    let mut touched = BTreeSet::new();
    let stale: Vec<i64> = existing
        .iter()
        .filter(|c| c.status == "open" && !found_keys.contains(&(c.learner_a, c.learner_b)))
        .inspect(|c| {
            touched.insert(c.learner_a);
            touched.insert(c.learner_b);
        })
        .map(|c| c.id)
        .collect();
    for chunk in stale.chunks(CHUNK) {
        tx.conn()
            .execute(
                Query::delete()
                    .from_table(QualityDuplicates::Table)
                    .and_where(Expr::col(QualityDuplicates::Id).is_in(chunk.iter().copied())),
            )
            .await?;
    }
    let now = Utc::now();
    let new_rows: Vec<Vec<Value>> = found
        .iter()
        .filter(|p| !existing_keys.contains(&(p.1, p.2)))
        .inspect(|p| {
            touched.insert(p.1);
            touched.insert(p.2);
        })
        .map(|p| {
            vec![
                p.0.clone().into(),
                p.1.into(),
                p.2.into(),
                p.3.into(),
                p.4.into(),
                "open".into(),
                now.into(),
            ]
        })
        .collect();
    bulk_insert(
        &mut tx.conn(),
        QualityDuplicates::Table,
        &[
            QualityDuplicates::NationalId,
            QualityDuplicates::LearnerA,
            QualityDuplicates::LearnerB,
            QualityDuplicates::SchoolA,
            QualityDuplicates::SchoolB,
            QualityDuplicates::Status,
            QualityDuplicates::FoundAt,
        ],
        new_rows,
    )
    .await?;
    Ok(touched)
}

fn case_key_select() -> SelectStatement {
    Query::select()
        .columns([
            QualityDuplicates::Id,
            QualityDuplicates::LearnerA,
            QualityDuplicates::LearnerB,
            QualityDuplicates::Status,
        ])
        .from(QualityDuplicates::Table)
        .to_owned()
}

/// The whole database: every ID held by more than one learner record.
async fn sync_all_cases(tx: &mut Tx) -> StoreResult<HashSet<i64>> {
    let shared = Query::select()
        .column(Learners::NationalId)
        .from(Learners::Table)
        .and_where(Expr::col(Learners::NationalId).is_not_null())
        .group_by_col(Learners::NationalId)
        .and_having(Expr::cust("COUNT(*) > 1"))
        .to_owned();
    let rows: Vec<IdRow> = tx
        .conn()
        .fetch_all(
            Query::select()
                .columns([Learners::Id, Learners::NationalId, Learners::SchoolId])
                .from(Learners::Table)
                .and_where(Expr::col(Learners::NationalId).in_subquery(shared)),
        )
        .await?;
    let found = pairs_of(&rows);
    let existing: Vec<CaseKey> = tx.conn().fetch_all(&case_key_select()).await?;
    sync_cases(tx, &found, existing).await?;
    open_case_learners(tx, None).await
}

/// Learners in an open case (of these learners, or all).
async fn open_case_learners(tx: &mut Tx, among: Option<&[i64]>) -> StoreResult<HashSet<i64>> {
    let mut q = case_key_select();
    q.and_where(Expr::col(QualityDuplicates::Status).eq("open"));
    if let Some(ids) = among {
        q.cond_where(
            Condition::any()
                .add(Expr::col(QualityDuplicates::LearnerA).is_in(ids.iter().copied()))
                .add(Expr::col(QualityDuplicates::LearnerB).is_in(ids.iter().copied())),
        );
    }
    let cases: Vec<CaseKey> = tx.conn().fetch_all(&q).await?;
    Ok(cases
        .into_iter()
        .flat_map(|c| [c.learner_a, c.learner_b])
        .collect())
}

/// Cases of these learners: found again from their IDs. Returns the partners whose flag may
/// have changed too.
async fn sync_cases_of(tx: &mut Tx, ids: &[i64]) -> StoreResult<BTreeSet<i64>> {
    let their_ids = Query::select()
        .column(Learners::NationalId)
        .from(Learners::Table)
        .and_where(Expr::col(Learners::Id).is_in(ids.iter().copied()))
        .and_where(Expr::col(Learners::NationalId).is_not_null())
        .to_owned();
    let rows: Vec<IdRow> = tx
        .conn()
        .fetch_all(
            Query::select()
                .columns([Learners::Id, Learners::NationalId, Learners::SchoolId])
                .from(Learners::Table)
                .and_where(Expr::col(Learners::NationalId).in_subquery(their_ids)),
        )
        .await?;
    let mine: HashSet<i64> = ids.iter().copied().collect();
    let found: Vec<Pair> = pairs_of(&rows)
        .into_iter()
        .filter(|p| mine.contains(&p.1) || mine.contains(&p.2))
        .collect();
    let mut q = case_key_select();
    q.cond_where(
        Condition::any()
            .add(Expr::col(QualityDuplicates::LearnerA).is_in(ids.iter().copied()))
            .add(Expr::col(QualityDuplicates::LearnerB).is_in(ids.iter().copied())),
    );
    let existing: Vec<CaseKey> = tx.conn().fetch_all(&q).await?;
    let mut partners: BTreeSet<i64> = existing
        .iter()
        .flat_map(|c| [c.learner_a, c.learner_b])
        .collect();
    partners.extend(sync_cases(tx, &found, existing).await?);
    Ok(partners.into_iter().filter(|p| !mine.contains(p)).collect())
}

// ---------------------------------------------------------------------------------------------
// Scan and recheck

/// What a scan did.
#[derive(Debug, Clone, Default, Serialize, utoipa::ToSchema)]
pub struct ScanReport {
    pub schools: u64,
    pub learners: u64,
    pub issues: u64,
    pub open_duplicates: u64,
    #[serde(skip)]
    #[schema(ignore)]
    pub elapsed: Duration,
}

/// Re-checks the whole database, school by school, a batch of schools per transaction (so that
/// memory stays flat at 1.7 million learners). `progress` gets (learners checked, total).
pub async fn scan(store: &Store, mut progress: impl FnMut(u64, u64)) -> StoreResult<ScanReport> {
    let started = Instant::now();
    let mut report = ScanReport::default();
    let (config, year_id, year) = {
        let mut conn = store.conn();
        let config = config(&mut conn).await?;
        let (year_id, year) = year_context(&mut conn).await?;
        (config, year_id, year)
    };
    let duplicates = {
        let mut tx = store.begin().await?;
        let d = sync_all_cases(&mut tx).await?;
        tx.commit().await?;
        d
    };
    report.open_duplicates = count_rows(
        &mut store.conn(),
        Query::select()
            .from(QualityDuplicates::Table)
            .and_where(Expr::col(QualityDuplicates::Status).eq("open"))
            .to_owned(),
    )
    .await?;
    let schools: Vec<(i64,)> = store
        .conn()
        .fetch_all(
            Query::select()
                .column(OrgUnits::Id)
                .from(OrgUnits::Table)
                .and_where(
                    Expr::col(OrgUnits::Kind).eq(truongso_domain::org::OrgKind::School.code()),
                )
                .order_by(OrgUnits::Id, Order::Asc),
        )
        .await?;
    let total = count_rows(
        &mut store.conn(),
        Query::select().from(Learners::Table).to_owned(),
    )
    .await?;
    let school_ids: Vec<i64> = schools.into_iter().map(|s| s.0).collect();
    for batch in school_ids.chunks(SCHOOLS_PER_BATCH) {
        let mut tx = store.begin().await?;
        let subset = Subset::Schools(batch);
        let checked =
            check_learners(&mut tx.conn(), subset, year_id, &year, &config, &duplicates).await?;
        report.learners += checked.learner_rows.len() as u64;
        report.issues += checked.issue_rows.len() as u64;
        write_learners(&mut tx, subset, checked).await?;
        // Class issues of the batch's schools, past years' classes included, are found afresh.
        tx.conn()
            .execute(
                Query::delete()
                    .from_table(QualityIssues::Table)
                    .and_where(Expr::col(QualityIssues::SchoolId).is_in(batch.iter().copied()))
                    .and_where(Expr::col(QualityIssues::Entity).eq(RuleEntity::Class.code())),
            )
            .await?;
        check_classes(
            &mut tx,
            Expr::col((Classes::Table, Classes::OrgUnitId)).is_in(batch.iter().copied()),
            year_id,
            &config,
        )
        .await?;
        refresh_schools(&mut tx, batch).await?;
        tx.commit().await?;
        report.schools += batch.len() as u64;
        progress(report.learners, total);
    }
    report.issues = count_rows(
        &mut store.conn(),
        Query::select().from(QualityIssues::Table).to_owned(),
    )
    .await?;
    report.elapsed = started.elapsed();
    Ok(report)
}

async fn count_rows(conn: &mut Conn<'_>, q: SelectStatement) -> StoreResult<u64> {
    crate::orgs::count(conn, &q).await
}

/// Re-checks these learners inside the caller's transaction (a learner edit, an import): their
/// issues, the duplicate cases their IDs make or no longer make (and the partners' flags), the
/// classes they are in and the roll-ups of their schools. Batched: any number of ids.
pub async fn recheck_learners(tx: &mut Tx, learner_ids: &[i64]) -> StoreResult<()> {
    if learner_ids.is_empty() {
        return Ok(());
    }
    let config = config(&mut tx.conn()).await?;
    let (year_id, year) = year_context(&mut tx.conn()).await?;
    let mut all: BTreeSet<i64> = learner_ids.iter().copied().collect();
    let mine: Vec<i64> = all.iter().copied().collect();
    for chunk in mine.chunks(CHUNK) {
        all.extend(sync_cases_of(tx, chunk).await?);
    }
    let all: Vec<i64> = all.into_iter().collect();
    let mut classes = BTreeSet::new();
    let mut schools = BTreeSet::new();
    for chunk in all.chunks(CHUNK) {
        // Where the learners were counted before (a class change moves them).
        let before: Vec<(i64, Option<i64>)> = tx
            .conn()
            .fetch_all(
                Query::select()
                    .columns([QualityLearners::SchoolId, QualityLearners::ClassId])
                    .from(QualityLearners::Table)
                    .and_where(Expr::col(QualityLearners::LearnerId).is_in(chunk.iter().copied())),
            )
            .await?;
        for (s, c) in before {
            schools.insert(s);
            classes.extend(c);
        }
        let duplicates = open_case_learners(tx, Some(chunk)).await?;
        let subset = Subset::Learners(chunk);
        let checked =
            check_learners(&mut tx.conn(), subset, year_id, &year, &config, &duplicates).await?;
        classes.extend(checked.class_ids.iter().copied());
        schools.extend(checked.school_ids.iter().copied());
        write_learners(tx, subset, checked).await?;
    }
    let classes: Vec<i64> = classes.into_iter().collect();
    for chunk in classes.chunks(CHUNK) {
        check_classes(
            tx,
            Expr::col((Classes::Table, Classes::Id)).is_in(chunk.iter().copied()),
            year_id,
            &config,
        )
        .await?;
    }
    let schools: Vec<i64> = schools.into_iter().collect();
    for chunk in schools.chunks(CHUNK) {
        refresh_schools(tx, chunk).await?;
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Dashboards

/// Issues of one rule in a unit.
#[derive(Debug, Clone, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct RuleCount {
    pub rule: String,
    pub severity: String,
    pub issues: i64,
}

/// A unit (or, below a school, a class) with its roll-up, for ranking.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct BelowRow {
    pub id: i64,
    /// "org" for a unit, "class" for a class of a school.
    pub kind: String,
    pub name: String,
    pub tally: Tally,
    pub score: Option<f64>,
    pub completeness: Option<f64>,
    pub quality: Option<f64>,
    pub id_percent: Option<f64>,
    pub issues: i64,
}

impl BelowRow {
    fn new(id: i64, kind: &str, name: String, tally: Tally) -> BelowRow {
        BelowRow {
            id,
            kind: kind.into(),
            name,
            score: tally.score(),
            completeness: tally.completeness(),
            quality: tally.quality(),
            id_percent: tally.id_percent(),
            issues: tally.errors + tally.warnings + tally.infos,
            tally,
        }
    }
}

/// A unit's data quality: its roll-up, issues by rule, the units (or classes) below ranked
/// worst first, the ID indicator against its targets.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct UnitQuality {
    pub unit: OrgUnit,
    pub tally: Tally,
    pub score: Option<f64>,
    pub completeness: Option<f64>,
    pub quality: Option<f64>,
    pub id_percent: Option<f64>,
    pub id_exit_percent: Option<f64>,
    pub settings: QualitySettings,
    pub by_rule: Vec<RuleCount>,
    pub below: Vec<BelowRow>,
    pub open_duplicates: i64,
    /// When the oldest school roll-up of the unit was computed (none before the first scan).
    pub checked_at: Option<DateTime<Utc>>,
}

#[derive(sqlx::FromRow)]
struct SchoolTally {
    path: String,
    learners: i64,
    filled: i64,
    expected: i64,
    clean: i64,
    errors: i64,
    warnings: i64,
    infos: i64,
    id_eligible: i64,
    id_valid: i64,
    id_exit_eligible: i64,
    id_exit_valid: i64,
    checked_at: DateTime<Utc>,
}

impl SchoolTally {
    fn tally(&self) -> Tally {
        Tally {
            learners: self.learners,
            filled: self.filled,
            expected: self.expected,
            clean: self.clean,
            errors: self.errors,
            warnings: self.warnings,
            infos: self.infos,
            id_eligible: self.id_eligible,
            id_valid: self.id_valid,
            id_exit_eligible: self.id_exit_eligible,
            id_exit_valid: self.id_exit_valid,
        }
    }
}

/// Quality views show the organisation's records: officers and school leaders only. A teacher
/// (reach: classes) or a guardian sees no unit here, so no other class or school leaks through.
fn unit_scope(scope: &Scope) -> StoreResult<()> {
    match scope {
        Scope::All | Scope::Subtree { .. } => Ok(()),
        Scope::Classes { .. } | Scope::Learners { .. } => Err(StoreError::not_found("đơn vị")),
    }
}

/// The dashboard of a unit inside `scope`.
pub async fn unit_quality(
    conn: &mut Conn<'_>,
    scope: &Scope,
    unit_id: i64,
) -> StoreResult<UnitQuality> {
    unit_scope(scope)?;
    let unit = crate::orgs::get(conn, scope, unit_id).await?;
    let schools: Vec<SchoolTally> = conn
        .fetch_all(
            Query::select()
                .columns([
                    (QualitySchools::Table, QualitySchools::SchoolId),
                    (QualitySchools::Table, QualitySchools::Learners),
                    (QualitySchools::Table, QualitySchools::Filled),
                    (QualitySchools::Table, QualitySchools::Expected),
                    (QualitySchools::Table, QualitySchools::Clean),
                    (QualitySchools::Table, QualitySchools::Errors),
                    (QualitySchools::Table, QualitySchools::Warnings),
                    (QualitySchools::Table, QualitySchools::Infos),
                    (QualitySchools::Table, QualitySchools::IdEligible),
                    (QualitySchools::Table, QualitySchools::IdValid),
                    (QualitySchools::Table, QualitySchools::IdExitEligible),
                    (QualitySchools::Table, QualitySchools::IdExitValid),
                    (QualitySchools::Table, QualitySchools::CheckedAt),
                ])
                .column((OrgUnits::Table, OrgUnits::Path))
                .from(QualitySchools::Table)
                .inner_join(
                    OrgUnits::Table,
                    Expr::col((OrgUnits::Table, OrgUnits::Id))
                        .equals((QualitySchools::Table, QualitySchools::SchoolId)),
                )
                .and_where(path_prefix(&unit.path)),
        )
        .await?;
    let mut tally = Tally::default();
    for s in &schools {
        tally.add(&s.tally());
    }
    let by_rule: Vec<RuleCount> = conn
        .fetch_all(
            Query::select()
                .columns([
                    (QualitySchoolRules::Table, QualitySchoolRules::Rule),
                    (QualitySchoolRules::Table, QualitySchoolRules::Severity),
                ])
                .expr_as(
                    Expr::cust("CAST(SUM(quality_school_rules.issues) AS BIGINT)"),
                    "issues",
                )
                .from(QualitySchoolRules::Table)
                .inner_join(
                    OrgUnits::Table,
                    Expr::col((OrgUnits::Table, OrgUnits::Id))
                        .equals((QualitySchoolRules::Table, QualitySchoolRules::SchoolId)),
                )
                .and_where(path_prefix(&unit.path))
                .group_by_columns([
                    (QualitySchoolRules::Table, QualitySchoolRules::Rule),
                    (QualitySchoolRules::Table, QualitySchoolRules::Severity),
                ]),
        )
        .await
        .map(|mut v: Vec<RuleCount>| {
            // Rules file order: errors first as written there.
            v.sort_by_key(|r| {
                rules::rules()
                    .iter()
                    .position(|x| x.code.code() == r.rule)
                    .unwrap_or(usize::MAX)
            });
            v
        })?;
    let below = if unit.kind == truongso_domain::org::OrgKind::School {
        classes_below(conn, unit.id).await?
    } else {
        units_below(conn, &unit, &schools).await?
    };
    let open_duplicates = count_rows(
        conn,
        Query::select()
            .from(QualityDuplicates::Table)
            .and_where(Expr::col(QualityDuplicates::Status).eq("open"))
            .cond_where(case_condition(&unit.scope()))
            .to_owned(),
    )
    .await? as i64;
    let settings = config(conn).await?.settings;
    Ok(UnitQuality {
        score: tally.score(),
        completeness: tally.completeness(),
        quality: tally.quality(),
        id_percent: tally.id_percent(),
        id_exit_percent: tally.id_exit_percent(),
        checked_at: schools.iter().map(|s| s.checked_at).min(),
        unit,
        tally,
        settings,
        by_rule,
        below,
        open_duplicates,
    })
}

/// Worst first: lowest score, units without learners last.
fn rank(rows: &mut [BelowRow]) {
    rows.sort_by(|a, b| match (a.score, b.score) {
        (Some(x), Some(y)) => x.total_cmp(&y).then(a.name.cmp(&b.name)),
        (Some(_), None) => std::cmp::Ordering::Less,
        (None, Some(_)) => std::cmp::Ordering::Greater,
        (None, None) => a.name.cmp(&b.name),
    });
}

async fn units_below(
    conn: &mut Conn<'_>,
    unit: &OrgUnit,
    schools: &[SchoolTally],
) -> StoreResult<Vec<BelowRow>> {
    let children: Vec<(i64, String, String)> = conn
        .fetch_all(
            Query::select()
                .columns([OrgUnits::Id, OrgUnits::Name, OrgUnits::Path])
                .from(OrgUnits::Table)
                .and_where(Expr::col(OrgUnits::ParentId).eq(unit.id)),
        )
        .await?;
    let mut rows: Vec<BelowRow> = children
        .into_iter()
        .map(|(id, name, path)| {
            let mut t = Tally::default();
            for s in schools.iter().filter(|s| s.path.starts_with(&path)) {
                t.add(&s.tally());
            }
            BelowRow::new(id, "org", name, t)
        })
        .collect();
    rank(&mut rows);
    Ok(rows)
}

#[derive(sqlx::FromRow)]
struct ClassTally {
    class_id: i64,
    name: String,
    learners: i64,
    filled: i64,
    expected: i64,
    clean: i64,
    errors: i64,
    warnings: i64,
    infos: i64,
    id_eligible: i64,
    id_valid: i64,
    id_exit_eligible: i64,
    id_exit_valid: i64,
}

/// A school's classes of the current year with their learners' roll-up and class issues.
async fn classes_below(conn: &mut Conn<'_>, school_id: i64) -> StoreResult<Vec<BelowRow>> {
    let sums: Vec<ClassTally> = conn
        .fetch_all(
            Query::select()
                .column(QualityLearners::ClassId)
                .expr_as(Expr::col((Classes::Table, Classes::Name)).max(), "name")
                .expr_as(Expr::cust("COUNT(*)"), "learners")
                .expr_as(Expr::cust("COALESCE(SUM(filled), 0)"), "filled")
                .expr_as(Expr::cust("COALESCE(SUM(expected), 0)"), "expected")
                .expr_as(
                    Expr::cust(
                        "COALESCE(SUM(CASE WHEN errors = 0 AND warnings = 0 THEN 1 ELSE 0 END), 0)",
                    ),
                    "clean",
                )
                .expr_as(Expr::cust("COALESCE(SUM(errors), 0)"), "errors")
                .expr_as(Expr::cust("COALESCE(SUM(warnings), 0)"), "warnings")
                .expr_as(Expr::cust("COALESCE(SUM(infos), 0)"), "infos")
                .expr_as(Expr::cust("COALESCE(SUM(id_eligible), 0)"), "id_eligible")
                .expr_as(
                    Expr::cust("COALESCE(SUM(id_eligible * id_valid), 0)"),
                    "id_valid",
                )
                .expr_as(Expr::cust("COALESCE(SUM(id_exit), 0)"), "id_exit_eligible")
                .expr_as(
                    Expr::cust("COALESCE(SUM(id_exit * id_valid), 0)"),
                    "id_exit_valid",
                )
                .from(QualityLearners::Table)
                .inner_join(
                    Classes::Table,
                    Expr::col((Classes::Table, Classes::Id))
                        .equals((QualityLearners::Table, QualityLearners::ClassId)),
                )
                .and_where(
                    Expr::col((QualityLearners::Table, QualityLearners::SchoolId)).eq(school_id),
                )
                .group_by_col(QualityLearners::ClassId),
        )
        .await?;
    let class_issues: Vec<(i64, String, i64)> = conn
        .fetch_all(
            Query::select()
                .columns([QualityIssues::ClassId])
                .column(QualityIssues::Severity)
                .expr_as(Expr::cust("COUNT(*)"), "n")
                .from(QualityIssues::Table)
                .and_where(Expr::col(QualityIssues::SchoolId).eq(school_id))
                .and_where(Expr::col(QualityIssues::Entity).eq(RuleEntity::Class.code()))
                .group_by_columns([QualityIssues::ClassId, QualityIssues::Severity]),
        )
        .await?;
    let mut rows: Vec<BelowRow> = sums
        .into_iter()
        .map(|c| {
            let mut t = Tally {
                learners: c.learners,
                filled: c.filled,
                expected: c.expected,
                clean: c.clean,
                errors: c.errors,
                warnings: c.warnings,
                infos: c.infos,
                id_eligible: c.id_eligible,
                id_valid: c.id_valid,
                id_exit_eligible: c.id_exit_eligible,
                id_exit_valid: c.id_exit_valid,
            };
            for (class, severity, n) in &class_issues {
                if *class == c.class_id {
                    match Severity::from_code(severity) {
                        Some(Severity::Fault) => t.errors += n,
                        Some(Severity::Warning) => t.warnings += n,
                        _ => t.infos += n,
                    }
                }
            }
            BelowRow::new(c.class_id, "class", c.name, t)
        })
        .collect();
    rank(&mut rows);
    Ok(rows)
}

// ---------------------------------------------------------------------------------------------
// Drill-down

/// Filters of the list of issues.
#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct IssueFilter {
    /// Issues of the schools in this unit's subtree.
    pub org_unit_id: Option<i64>,
    pub rule: Option<RuleCode>,
    pub severity: Option<Severity>,
    pub class_id: Option<i64>,
    pub learner_id: Option<i64>,
}

/// One issue with what it is about and where to fix it.
#[derive(Debug, Clone, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct IssueRow {
    pub id: i64,
    pub rule: String,
    pub severity: String,
    pub entity: String,
    pub learner_id: Option<i64>,
    pub learner_name: Option<String>,
    pub learner_code: Option<String>,
    pub class_id: Option<i64>,
    pub class_name: Option<String>,
    pub school_id: i64,
    pub school_name: String,
    pub detail: String,
    pub found_at: DateTime<Utc>,
    /// The open duplicate case of the learner (for `duplicate_person`).
    pub case_id: Option<i64>,
}

impl IssueRow {
    /// The page that fixes the issue.
    pub fn fix_href(&self) -> String {
        match (
            self.entity.as_str(),
            self.case_id,
            self.learner_id,
            self.class_id,
        ) {
            (_, Some(case), _, _) => format!("/quality/duplicates/{case}"),
            ("learner", _, Some(l), _) => format!("/learners/{l}/edit"),
            (_, _, _, Some(c)) => format!("/classes/{c}"),
            _ => format!("/orgs/{}", self.school_id),
        }
    }
}

/// The issues inside `scope`, filtered, paged (by school, then learner name).
pub async fn issues(
    conn: &mut Conn<'_>,
    scope: &Scope,
    filter: &IssueFilter,
    page: &PageRequest,
) -> StoreResult<Page<IssueRow>> {
    unit_scope(scope)?;
    let mut cond = Condition::all();
    for c in scope.learner_conditions(
        Expr::col((QualityIssues::Table, QualityIssues::SchoolId)),
        Expr::col((QualityIssues::Table, QualityIssues::LearnerId)),
    ) {
        cond = cond.add(c);
    }
    if let Some(unit) = filter.org_unit_id {
        let unit = crate::orgs::get(conn, scope, unit).await?;
        cond = cond.add(
            Expr::col((QualityIssues::Table, QualityIssues::SchoolId)).in_subquery(
                Query::select()
                    .column(OrgUnits::Id)
                    .from(OrgUnits::Table)
                    .and_where(path_prefix(&unit.path))
                    .to_owned(),
            ),
        );
    }
    if let Some(r) = filter.rule {
        cond = cond.add(Expr::col((QualityIssues::Table, QualityIssues::Rule)).eq(r.code()));
    }
    if let Some(s) = filter.severity {
        cond = cond.add(Expr::col((QualityIssues::Table, QualityIssues::Severity)).eq(s.code()));
    }
    if let Some(c) = filter.class_id {
        cond = cond.add(Expr::col((QualityIssues::Table, QualityIssues::ClassId)).eq(c));
    }
    if let Some(l) = filter.learner_id {
        cond = cond.add(Expr::col((QualityIssues::Table, QualityIssues::LearnerId)).eq(l));
    }
    #[derive(sqlx::FromRow)]
    struct Counted {
        #[sqlx(flatten)]
        row: IssueRow,
        total_count: i64,
    }
    let mut q = Query::select();
    q.columns([
        (QualityIssues::Table, QualityIssues::Id),
        (QualityIssues::Table, QualityIssues::Rule),
        (QualityIssues::Table, QualityIssues::Severity),
        (QualityIssues::Table, QualityIssues::Entity),
        (QualityIssues::Table, QualityIssues::LearnerId),
        (QualityIssues::Table, QualityIssues::ClassId),
        (QualityIssues::Table, QualityIssues::SchoolId),
        (QualityIssues::Table, QualityIssues::Detail),
        (QualityIssues::Table, QualityIssues::FoundAt),
    ])
    .expr_as(Expr::col((Learners::Table, Learners::FullName)), "learner_name")
    .expr_as(Expr::col((Learners::Table, Learners::LearnerCode)), "learner_code")
    .expr_as(Expr::col((Classes::Table, Classes::Name)), "class_name")
    .expr_as(Expr::col((OrgUnits::Table, OrgUnits::Name)), "school_name")
    .expr_as(
        Expr::cust("(SELECT MIN(d.id) FROM quality_duplicates d WHERE d.status = 'open' AND (d.learner_a = quality_issues.learner_id OR d.learner_b = quality_issues.learner_id))"),
        "case_id",
    )
    .expr_as(Expr::cust("COUNT(*) OVER ()"), "total_count")
    .from(QualityIssues::Table)
    .left_join(
        Learners::Table,
        Expr::col((Learners::Table, Learners::Id))
            .equals((QualityIssues::Table, QualityIssues::LearnerId)),
    )
    .left_join(
        Classes::Table,
        Expr::col((Classes::Table, Classes::Id))
            .equals((QualityIssues::Table, QualityIssues::ClassId)),
    )
    .inner_join(
        OrgUnits::Table,
        Expr::col((OrgUnits::Table, OrgUnits::Id))
            .equals((QualityIssues::Table, QualityIssues::SchoolId)),
    )
    .cond_where(cond.clone())
    .order_by((OrgUnits::Table, OrgUnits::Name), Order::Asc)
    .order_by((Learners::Table, Learners::SortKey), Order::Asc)
    .order_by((QualityIssues::Table, QualityIssues::Id), Order::Asc)
    .limit(page.per_page())
    .offset(page.offset());
    let rows: Vec<Counted> = conn.fetch_all(&q).await?;
    let total = match rows.first() {
        Some(r) => r.total_count as u64,
        None if page.page() > 1 => {
            count_rows(
                conn,
                Query::select()
                    .from(QualityIssues::Table)
                    .cond_where(cond)
                    .to_owned(),
            )
            .await?
        }
        None => 0,
    };
    Ok(Page {
        items: rows.into_iter().map(|r| r.row).collect(),
        total,
        page: page.page(),
        per_page: page.per_page(),
    })
}

/// The completeness and issues of one learner (for the learner page), whatever the scope:
/// callers read the learner in their scope first.
pub async fn learner_quality(
    conn: &mut Conn<'_>,
    learner_id: i64,
) -> StoreResult<(Option<(i32, i32)>, Vec<IssueRow>)> {
    let row: Option<(i32, i32)> = conn
        .fetch_optional(
            Query::select()
                .columns([QualityLearners::Filled, QualityLearners::Expected])
                .from(QualityLearners::Table)
                .and_where(Expr::col(QualityLearners::LearnerId).eq(learner_id)),
        )
        .await?;
    let issues = issues(
        conn,
        &Scope::All,
        &IssueFilter {
            learner_id: Some(learner_id),
            ..Default::default()
        },
        &PageRequest::new(1, 100),
    )
    .await?
    .items;
    Ok((row, issues))
}

// ---------------------------------------------------------------------------------------------
// Duplicate cases

/// One learner record of a duplicate case, with its enrolment this school year.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct DuplicateSide {
    pub learner_id: i64,
    pub full_name: String,
    pub learner_code: String,
    pub birth_date: NaiveDate,
    pub school_id: i64,
    pub school_name: String,
    pub enrolment_id: Option<i64>,
    pub enrolment_status: Option<EnrolmentStatus>,
    pub class_name: Option<String>,
}

/// The same personal ID on learner records of two schools, and what was decided.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct DuplicateCase {
    pub id: i64,
    pub national_id: String,
    /// "open" or "resolved".
    pub status: String,
    pub a: DuplicateSide,
    pub b: DuplicateSide,
    /// The record kept as the learner's current enrolment.
    pub current_learner_id: Option<i64>,
    pub decided_by: Option<String>,
    pub decided_at: Option<DateTime<Utc>>,
    pub note: Option<String>,
    pub found_at: DateTime<Utc>,
}

#[derive(sqlx::FromRow)]
struct CaseRow {
    id: i64,
    national_id: String,
    status: String,
    learner_a: i64,
    learner_b: i64,
    school_a: i64,
    school_b: i64,
    current_learner_id: Option<i64>,
    decided_by: Option<String>,
    decided_at: Option<DateTime<Utc>>,
    note: Option<String>,
    found_at: DateTime<Utc>,
    a_name: String,
    a_code: String,
    a_birth: NaiveDate,
    a_school: String,
    b_name: String,
    b_code: String,
    b_birth: NaiveDate,
    b_school: String,
}

/// Filters of the duplicate list.
#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DuplicateFilter {
    /// "open" or "resolved".
    pub status: Option<String>,
    /// Cases with a record in this unit's subtree.
    pub org_unit_id: Option<i64>,
}

/// A case is visible when either of its schools is in the scope: both schools see it.
fn case_condition(scope: &Scope) -> Condition {
    match scope {
        Scope::Classes { .. } | Scope::Learners { .. } => Condition::all().add(Expr::val(1).eq(0)),
        _ => {
            let a = scope.org_filter(Expr::col((
                QualityDuplicates::Table,
                QualityDuplicates::SchoolA,
            )));
            let b = scope.org_filter(Expr::col((
                QualityDuplicates::Table,
                QualityDuplicates::SchoolB,
            )));
            match (a, b) {
                (Some(a), Some(b)) => Condition::any().add(a).add(b),
                _ => Condition::all(),
            }
        }
    }
}

fn case_select() -> SelectStatement {
    let (la, lb, sa, sb) = (
        Alias::new("la"),
        Alias::new("lb"),
        Alias::new("sa"),
        Alias::new("sb"),
    );
    Query::select()
        .columns([
            (QualityDuplicates::Table, QualityDuplicates::Id),
            (QualityDuplicates::Table, QualityDuplicates::NationalId),
            (QualityDuplicates::Table, QualityDuplicates::Status),
            (QualityDuplicates::Table, QualityDuplicates::LearnerA),
            (QualityDuplicates::Table, QualityDuplicates::LearnerB),
            (QualityDuplicates::Table, QualityDuplicates::SchoolA),
            (QualityDuplicates::Table, QualityDuplicates::SchoolB),
            (
                QualityDuplicates::Table,
                QualityDuplicates::CurrentLearnerId,
            ),
            (QualityDuplicates::Table, QualityDuplicates::DecidedBy),
            (QualityDuplicates::Table, QualityDuplicates::DecidedAt),
            (QualityDuplicates::Table, QualityDuplicates::Note),
            (QualityDuplicates::Table, QualityDuplicates::FoundAt),
        ])
        .expr_as(Expr::col((la.clone(), Learners::FullName)), "a_name")
        .expr_as(Expr::col((la.clone(), Learners::LearnerCode)), "a_code")
        .expr_as(Expr::col((la.clone(), Learners::BirthDate)), "a_birth")
        .expr_as(Expr::col((sa.clone(), OrgUnits::Name)), "a_school")
        .expr_as(Expr::col((lb.clone(), Learners::FullName)), "b_name")
        .expr_as(Expr::col((lb.clone(), Learners::LearnerCode)), "b_code")
        .expr_as(Expr::col((lb.clone(), Learners::BirthDate)), "b_birth")
        .expr_as(Expr::col((sb.clone(), OrgUnits::Name)), "b_school")
        .from(QualityDuplicates::Table)
        .join_as(
            JoinType::InnerJoin,
            Learners::Table,
            la.clone(),
            Expr::col((la, Learners::Id))
                .equals((QualityDuplicates::Table, QualityDuplicates::LearnerA)),
        )
        .join_as(
            JoinType::InnerJoin,
            Learners::Table,
            lb.clone(),
            Expr::col((lb, Learners::Id))
                .equals((QualityDuplicates::Table, QualityDuplicates::LearnerB)),
        )
        .join_as(
            JoinType::InnerJoin,
            OrgUnits::Table,
            sa.clone(),
            Expr::col((sa, OrgUnits::Id))
                .equals((QualityDuplicates::Table, QualityDuplicates::SchoolA)),
        )
        .join_as(
            JoinType::InnerJoin,
            OrgUnits::Table,
            sb.clone(),
            Expr::col((sb, OrgUnits::Id))
                .equals((QualityDuplicates::Table, QualityDuplicates::SchoolB)),
        )
        .to_owned()
}

#[derive(sqlx::FromRow)]
struct SideEnrolment {
    id: i64,
    learner_id: i64,
    school_id: i64,
    #[sqlx(try_from = "String")]
    status: EnrolmentStatus,
    class_name: Option<String>,
}

/// Fills in the sides' enrolments of the current year.
async fn with_enrolments(
    conn: &mut Conn<'_>,
    rows: Vec<CaseRow>,
) -> StoreResult<Vec<DuplicateCase>> {
    let ids: Vec<i64> = rows
        .iter()
        .flat_map(|r| [r.learner_a, r.learner_b])
        .collect();
    let (year_id, _) = year_context(conn).await?;
    let enrolments: Vec<SideEnrolment> = match (year_id, ids.is_empty()) {
        (Some(y), false) => {
            conn.fetch_all(
                Query::select()
                    .columns([
                        (Enrolments::Table, Enrolments::Id),
                        (Enrolments::Table, Enrolments::LearnerId),
                        (Enrolments::Table, Enrolments::SchoolId),
                        (Enrolments::Table, Enrolments::Status),
                    ])
                    .expr_as(Expr::col((Classes::Table, Classes::Name)), "class_name")
                    .from(Enrolments::Table)
                    .left_join(
                        Classes::Table,
                        Expr::col((Classes::Table, Classes::Id))
                            .equals((Enrolments::Table, Enrolments::ClassId)),
                    )
                    .and_where(Expr::col((Enrolments::Table, Enrolments::SchoolYearId)).eq(y))
                    .and_where(Expr::col((Enrolments::Table, Enrolments::LearnerId)).is_in(ids)),
            )
            .await?
        }
        _ => vec![],
    };
    let side = |learner_id, school_id, full_name, learner_code, birth_date, school_name| {
        let e = enrolments
            .iter()
            .find(|e| e.learner_id == learner_id && e.school_id == school_id);
        DuplicateSide {
            learner_id,
            full_name,
            learner_code,
            birth_date,
            school_id,
            school_name,
            enrolment_id: e.map(|e| e.id),
            enrolment_status: e.map(|e| e.status),
            class_name: e.and_then(|e| e.class_name.clone()),
        }
    };
    Ok(rows
        .into_iter()
        .map(|r| DuplicateCase {
            id: r.id,
            national_id: r.national_id,
            status: r.status,
            a: side(
                r.learner_a,
                r.school_a,
                r.a_name,
                r.a_code,
                r.a_birth,
                r.a_school,
            ),
            b: side(
                r.learner_b,
                r.school_b,
                r.b_name,
                r.b_code,
                r.b_birth,
                r.b_school,
            ),
            current_learner_id: r.current_learner_id,
            decided_by: r.decided_by,
            decided_at: r.decided_at,
            note: r.note,
            found_at: r.found_at,
        })
        .collect())
}

/// The duplicate cases visible in `scope`, open first, newest first.
pub async fn duplicates(
    conn: &mut Conn<'_>,
    scope: &Scope,
    filter: &DuplicateFilter,
    page: &PageRequest,
) -> StoreResult<Page<DuplicateCase>> {
    let mut cond = case_condition(scope);
    match filter.status.as_deref().map(str::trim) {
        None | Some("") => {}
        Some(s @ ("open" | "resolved")) => {
            cond = cond.add(Expr::col((QualityDuplicates::Table, QualityDuplicates::Status)).eq(s))
        }
        Some(other) => {
            return Err(StoreError::invalid(
                "status",
                format!("Trạng thái '{other}' không hợp lệ; dùng open hoặc resolved."),
            ));
        }
    }
    if let Some(unit) = filter.org_unit_id {
        let unit = crate::orgs::get(conn, scope, unit).await?;
        cond = cond.add(case_condition(&unit.scope()));
    }
    let total = count_rows(
        conn,
        Query::select()
            .from(QualityDuplicates::Table)
            .cond_where(cond.clone())
            .to_owned(),
    )
    .await?;
    let rows: Vec<CaseRow> = conn
        .fetch_all(
            case_select()
                .cond_where(cond)
                .order_by(
                    (QualityDuplicates::Table, QualityDuplicates::Status),
                    Order::Desc,
                )
                .order_by(
                    (QualityDuplicates::Table, QualityDuplicates::Id),
                    Order::Desc,
                )
                .limit(page.per_page())
                .offset(page.offset()),
        )
        .await?;
    Ok(Page {
        items: with_enrolments(conn, rows).await?,
        total,
        page: page.page(),
        per_page: page.per_page(),
    })
}

pub async fn duplicate(conn: &mut Conn<'_>, scope: &Scope, id: i64) -> StoreResult<DuplicateCase> {
    let row: Option<CaseRow> = conn
        .fetch_optional(
            case_select()
                .cond_where(case_condition(scope))
                .and_where(Expr::col((QualityDuplicates::Table, QualityDuplicates::Id)).eq(id)),
        )
        .await?;
    let row = row.ok_or(StoreError::not_found("hồ sơ trùng"))?;
    Ok(with_enrolments(conn, vec![row]).await?.remove(0))
}

/// Which record of a case is the learner's current one.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
pub struct Resolution {
    pub current_learner_id: i64,
    pub note: Option<String>,
}

/// Who decided.
#[derive(Debug, Clone)]
pub struct Decider {
    pub user_id: Option<i64>,
    pub name: String,
}

/// Resolves a case seen in `scope`: the other record's enrolment this year becomes
/// "transferred out" (with the reason, through the enrolment history), the decision is stored,
/// and both records are re-checked. Either school may decide: the other school's enrolment is
/// changed on the case's authority, which both schools then see.
pub async fn resolve(
    tx: &mut Tx,
    scope: &Scope,
    id: i64,
    resolution: &Resolution,
    by: &Decider,
    today: NaiveDate,
) -> StoreResult<DuplicateCase> {
    let case = duplicate(&mut tx.conn(), scope, id).await?;
    if case.status != "open" {
        return Err(StoreError::conflict(
            "status",
            "Hồ sơ trùng này đã được xử lý.",
        ));
    }
    let note = resolution
        .note
        .as_deref()
        .map(str::trim)
        .filter(|n| !n.is_empty());
    if note.is_some_and(|n| n.chars().count() > 500) {
        return Err(StoreError::invalid(
            "note",
            "Ghi chú quá dài: tối đa 500 ký tự.",
        ));
    }
    let (current, other) = if resolution.current_learner_id == case.a.learner_id {
        (&case.a, &case.b)
    } else if resolution.current_learner_id == case.b.learner_id {
        (&case.b, &case.a)
    } else {
        return Err(StoreError::invalid(
            "current_learner_id",
            "Hãy chọn một trong hai hồ sơ của trường hợp này.",
        ));
    };
    if let Some(enrolment) = other.enrolment_id
        && other.enrolment_status != Some(EnrolmentStatus::TransferredOut)
    {
        crate::enrolments::change_status(
            tx,
            &Scope::All,
            enrolment,
            &StatusChange {
                status: EnrolmentStatus::TransferredOut,
                effective_on: today,
                reason: Some(format!(
                    "Hồ sơ trùng #{}: học sinh đang học tại {} ({}).",
                    case.id, current.school_name, current.learner_code
                )),
                class_id: None,
            },
        )
        .await?;
    }
    tx.conn()
        .execute(
            Query::update()
                .table(QualityDuplicates::Table)
                .values([
                    (QualityDuplicates::Status, "resolved".into()),
                    (
                        QualityDuplicates::CurrentLearnerId,
                        current.learner_id.into(),
                    ),
                    (QualityDuplicates::DecidedByUserId, by.user_id.into()),
                    (QualityDuplicates::DecidedBy, by.name.clone().into()),
                    (QualityDuplicates::DecidedAt, Utc::now().into()),
                    (QualityDuplicates::Note, note.map(str::to_string).into()),
                ])
                .and_where(Expr::col(QualityDuplicates::Id).eq(id)),
        )
        .await?;
    recheck_learners(tx, &[case.a.learner_id, case.b.learner_id]).await?;
    duplicate(&mut tx.conn(), &Scope::All, id).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_two_records_with_one_id_make_a_pair() {
        let row = |id, nid: &str, school| IdRow {
            id,
            national_id: nid.into(),
            school_id: school,
        };
        let rows = [
            row(3, "051", 1),
            row(1, "051", 2),
            row(2, "051", 1),
            row(9, "052", 1),
            row(8, "052", 1),
        ];
        let pairs = pairs_of(&rows);
        assert_eq!(
            pairs,
            vec![
                ("051".to_string(), 1, 2, 2, 1),
                ("051".to_string(), 1, 3, 2, 1),
                ("051".to_string(), 2, 3, 1, 1),
                ("052".to_string(), 8, 9, 1, 1),
            ]
        );
    }
}
