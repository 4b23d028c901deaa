//! Learners' results computed from the gradebook: the homeroom summary of a class, the
//! principal's summary of a school, and the stored year results (computed at year end, each
//! change recorded in the history).

use std::collections::HashMap;

use chrono::Utc;
use sea_query::{Expr, ExprTrait, Order, Query};
use serde::Serialize;
use truongso_domain::gradebook::Item;
use truongso_domain::gradebook::compute::{
    GradingRules, PlannedSubject, Row, YearSummary, learner_year,
};
use truongso_domain::gradebook::ledger::{Action, Change};

use super::rows::{self, StoredRow};
use super::{RosterEntry, class_grade, class_items, ledger, roster};
use crate::audit::AuditActor;
use crate::classes::{self, Class};
use crate::schema::{Classes, YearResults};
use crate::seed::bulk_insert;
use crate::{Conn, Scope, StoreResult, Tx};

/// A learner's year as computed now.
#[derive(Debug, Clone, Serialize)]
pub struct LearnerYear {
    pub learner: RosterEntry,
    pub summary: YearSummary,
}

/// A class with its learners' computed years.
#[derive(Debug, Clone, Serialize)]
pub struct ClassYears {
    pub class: Class,
    /// The subjects the class records, in order: (code, name).
    pub subjects: Vec<(String, String)>,
    pub learners: Vec<LearnerYear>,
}

/// Stored rows as the domain's computation reads them (rows of unknown items skipped).
pub fn to_rows(stored: &[&StoredRow]) -> Vec<Row> {
    stored
        .iter()
        .filter_map(|r| {
            Some(Row {
                item: Item::from_code(&r.item)?,
                term: r.term()?,
                values: r.values(),
            })
        })
        .collect()
}

fn classify_class(
    class: Class,
    items: &[PlannedSubject],
    roster: Vec<RosterEntry>,
    rows_by_learner: &HashMap<i64, Vec<&StoredRow>>,
    rules: &GradingRules,
) -> ClassYears {
    let subjects: Vec<PlannedSubject> = items
        .iter()
        .filter(|p| matches!(p.item, Item::Subject(_)))
        .copied()
        .collect();
    let grade = class_grade(&class);
    let learners = roster
        .into_iter()
        .map(|learner| {
            let rows = rows_by_learner
                .get(&learner.learner_id)
                .map(|r| to_rows(r))
                .unwrap_or_default();
            LearnerYear {
                summary: learner_year(grade, &subjects, &rows, rules),
                learner,
            }
        })
        .collect();
    ClassYears {
        subjects: subjects
            .iter()
            .map(|p| (p.item.code().to_string(), p.item.name_vi().to_string()))
            .collect(),
        class,
        learners,
    }
}

/// The homeroom summary: every learner of a class with their results so far.
pub async fn class_years(
    conn: &mut Conn<'_>,
    class: &Class,
    rules: &GradingRules,
) -> StoreResult<ClassYears> {
    let items = class_items(conn, class).await?;
    let roster = roster(conn, class.id).await?;
    let ids: Vec<i64> = roster.iter().map(|r| r.learner_id).collect();
    let stored = rows::of_learners(conn, &ids, class.school_year_id, None, None).await?;
    let mut by_learner: HashMap<i64, Vec<&StoredRow>> = HashMap::new();
    for r in &stored {
        by_learner.entry(r.learner_id).or_default().push(r);
    }
    Ok(classify_class(
        class.clone(),
        &items,
        roster,
        &by_learner,
        rules,
    ))
}

/// The classes of a school in a year that keep a gradebook (grades 1–12), in grade and name
/// order.
pub async fn school_classes(
    conn: &mut Conn<'_>,
    school_id: i64,
    school_year_id: i64,
) -> StoreResult<Vec<Class>> {
    let ids: Vec<(i64,)> = conn
        .fetch_all(
            Query::select()
                .column(Classes::Id)
                .from(Classes::Table)
                .and_where(Expr::col(Classes::OrgUnitId).eq(school_id))
                .and_where(Expr::col(Classes::SchoolYearId).eq(school_year_id))
                // Preschool groups keep no gradebook.
                .and_where(Expr::col(Classes::Grade).gte(1))
                .order_by(Classes::Grade, Order::Asc)
                .order_by(Classes::Name, Order::Asc),
        )
        .await?;
    let ids: Vec<i64> = ids.into_iter().map(|r| r.0).collect();
    let mut classes = classes::get_many(conn, &Scope::All, &ids).await?;
    classes.sort_by(|a, b| (a.grade, &a.name).cmp(&(b.grade, &b.name)));
    Ok(classes)
}

/// The schools with classes in a school year (or the one with this code).
pub async fn schools_of_year(
    conn: &mut Conn<'_>,
    school_year_id: i64,
    code: Option<&str>,
) -> StoreResult<Vec<i64>> {
    use crate::schema::OrgUnits;
    let mut q = Query::select();
    q.distinct()
        .column((Classes::Table, Classes::OrgUnitId))
        .from(Classes::Table)
        .inner_join(
            OrgUnits::Table,
            Expr::col((OrgUnits::Table, OrgUnits::Id)).equals((Classes::Table, Classes::OrgUnitId)),
        )
        .and_where(Expr::col((Classes::Table, Classes::SchoolYearId)).eq(school_year_id))
        .order_by((Classes::Table, Classes::OrgUnitId), Order::Asc);
    if let Some(code) = code {
        q.and_where(Expr::col((OrgUnits::Table, OrgUnits::Code)).eq(code));
    }
    let rows: Vec<(i64,)> = conn.fetch_all(&q).await?;
    Ok(rows.into_iter().map(|r| r.0).collect())
}

/// Every class of a school with its learners' computed years (the principal's summary and
/// the year-end computation): one read of the school's rows.
pub async fn school_years(
    conn: &mut Conn<'_>,
    school_id: i64,
    school_year_id: i64,
    rules: &GradingRules,
) -> StoreResult<Vec<ClassYears>> {
    let stored = rows::of_school(conn, school_id, school_year_id).await?;
    let mut by_learner: HashMap<i64, Vec<&StoredRow>> = HashMap::new();
    for r in &stored {
        by_learner.entry(r.learner_id).or_default().push(r);
    }
    let mut out = Vec::new();
    // Preschool groups (grade 0) have no gradebook.
    for class in school_classes(conn, school_id, school_year_id)
        .await?
        .into_iter()
        .filter(|c| c.grade >= 1)
    {
        let items = class_items(conn, &class).await?;
        let roster = roster(conn, class.id).await?;
        out.push(classify_class(class, &items, roster, &by_learner, rules));
    }
    Ok(out)
}

/// What the year-end computation did.
#[derive(Debug, Clone, Default, Serialize, utoipa::ToSchema)]
pub struct ComputeReport {
    pub learners: usize,
    /// Learners whose year is decided (an outcome).
    pub decided: usize,
    /// Learners with marks still missing.
    pub pending: usize,
    /// Stored results that changed (each recorded in the history).
    pub changed: usize,
}

/// The compact result recorded in the history and compared between runs.
fn result_json(s: &YearSummary) -> String {
    serde_json::json!({
        "learning": s.final_learning.map(|l| l.code()),
        "conduct": s.final_conduct.map(|l| l.code()),
        "award": s.award.map(|a| a.code()),
        "primary": s.primary_result.map(|r| r.code()),
        "outcome": s.outcome.map(|o| o.code()),
        "absences": s.absences,
    })
    .to_string()
}

/// Computes and stores the year results of every learner of a school, recording each change
/// of a result as one history event.
pub async fn compute_school(
    tx: &mut Tx,
    actor: &AuditActor,
    source: &str,
    school_id: i64,
    school_year_id: i64,
    rules: &GradingRules,
) -> StoreResult<ComputeReport> {
    let classes = school_years(&mut tx.conn(), school_id, school_year_id, rules).await?;
    let previous: Vec<(i64, String)> = tx
        .conn()
        .fetch_all(
            Query::select()
                .columns([YearResults::LearnerId, YearResults::Summary])
                .from(YearResults::Table)
                .and_where(Expr::col(YearResults::SchoolId).eq(school_id))
                .and_where(Expr::col(YearResults::SchoolYearId).eq(school_year_id)),
        )
        .await?;
    // Each learner's stored summary, and the compact result inside it.
    let previous: HashMap<i64, (String, String)> = previous
        .into_iter()
        .map(|(id, summary)| {
            let result = serde_json::from_str::<serde_json::Value>(&summary)
                .ok()
                .and_then(|s| s.get("result").map(|r| r.to_string()))
                .unwrap_or_default();
            (id, (summary, result))
        })
        .collect();
    let mut report = ComputeReport::default();
    let mut changed_ids = Vec::new();
    let mut inserts = Vec::new();
    let mut changes = Vec::new();
    let now = Utc::now();
    for c in &classes {
        for l in &c.learners {
            report.learners += 1;
            if l.summary.outcome.is_some() {
                report.decided += 1;
            } else {
                report.pending += 1;
            }
            let result = result_json(&l.summary);
            let summary = serde_json::json!({
                "result": serde_json::from_str::<serde_json::Value>(&result).unwrap_or_default(),
                "year": &l.summary,
            })
            .to_string();
            let before = previous.get(&l.learner.learner_id);
            // Nothing decided and nothing stored before: no result to record yet. An unchanged
            // summary (averages included) needs no write.
            if before.is_some_and(|(stored, _)| *stored == summary)
                || (before.is_none() && l.summary.outcome.is_none())
            {
                continue;
            }
            changed_ids.push(l.learner.learner_id);
            // The history records changes of the result itself (averages follow from marks,
            // whose changes are events of their own).
            if before.is_none_or(|(_, r)| *r != result) {
                changes.push(Change {
                    learner_id: l.learner.learner_id,
                    item: "ket_qua_nam".into(),
                    term: 0,
                    before: before.map_or_else(|| "{}".into(), |(_, r)| r.clone()),
                    after: result.clone(),
                });
            }
            let s = &l.summary;
            inserts.push(vec![
                l.learner.learner_id.into(),
                school_year_id.into(),
                school_id.into(),
                c.class.id.into(),
                c.class.grade.into(),
                s.learning.map(|x| x.code()).into(),
                s.conduct.map(|x| x.code()).into(),
                s.final_learning.map(|x| x.code()).into(),
                s.final_conduct.map(|x| x.code()).into(),
                (s.absences as i32).into(),
                s.award.map(|x| x.code()).into(),
                s.primary_result.map(|x| x.code()).into(),
                s.outcome.map(|x| x.code()).into(),
                summary.into(),
                now.into(),
            ]);
        }
    }
    report.changed = changed_ids.len();
    if changed_ids.is_empty() {
        return Ok(report);
    }
    for chunk in changed_ids.chunks(5_000) {
        tx.conn()
            .execute(
                Query::delete()
                    .from_table(YearResults::Table)
                    .and_where(Expr::col(YearResults::LearnerId).is_in(chunk.iter().copied()))
                    .and_where(Expr::col(YearResults::SchoolYearId).eq(school_year_id)),
            )
            .await?;
    }
    bulk_insert(
        &mut tx.conn(),
        YearResults::Table,
        &[
            YearResults::LearnerId,
            YearResults::SchoolYearId,
            YearResults::SchoolId,
            YearResults::ClassId,
            YearResults::Grade,
            YearResults::Learning,
            YearResults::Conduct,
            YearResults::FinalLearning,
            YearResults::FinalConduct,
            YearResults::Absences,
            YearResults::Award,
            YearResults::PrimaryResult,
            YearResults::Outcome,
            YearResults::Summary,
            YearResults::ComputedAt,
        ],
        inserts,
    )
    .await?;
    if changes.is_empty() {
        return Ok(report);
    }
    let head = ledger::lock_chain(&mut tx.conn(), school_id).await?;
    ledger::append(
        &mut tx.conn(),
        &head,
        actor,
        source,
        now,
        vec![ledger::NewEvent {
            action: Action::Results,
            school_year_id,
            reason: None,
            detail: serde_json::json!({ "learners": report.learners, "changed": report.changed }),
            changes,
        }],
    )
    .await?;
    Ok(report)
}

/// A learner's stored year result (the transcript's source), as computed last.
pub async fn stored_summary(
    conn: &mut Conn<'_>,
    learner_id: i64,
    school_year_id: i64,
) -> StoreResult<Option<YearSummaryRecord>> {
    conn.fetch_optional(
        Query::select()
            .columns([
                YearResults::LearnerId,
                YearResults::SchoolYearId,
                YearResults::SchoolId,
                YearResults::ClassId,
                YearResults::Grade,
                YearResults::Summary,
                YearResults::ComputedAt,
            ])
            .from(YearResults::Table)
            .and_where(Expr::col(YearResults::LearnerId).eq(learner_id))
            .and_where(Expr::col(YearResults::SchoolYearId).eq(school_year_id)),
    )
    .await
}

/// A stored year result row.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct YearSummaryRecord {
    pub learner_id: i64,
    pub school_year_id: i64,
    pub school_id: i64,
    pub class_id: Option<i64>,
    pub grade: i32,
    /// `{"result": …, "year": YearSummary}` as JSON.
    pub summary: String,
    pub computed_at: chrono::DateTime<Utc>,
}
