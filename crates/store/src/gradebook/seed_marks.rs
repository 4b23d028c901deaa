//! Writes a generated school year of marks (`truongso_demo::SchoolMarks`) in bulk: the final
//! gradebook rows in multi-row inserts, the teachers' saves that produced them as one history
//! event each (chained, in time order, in multi-row inserts), the terms locked and published by
//! the principal, and the year results computed — so that the seeded history verifies and every
//! screen has data.

use std::collections::HashMap;

use sea_query::Value;
use truongso_demo::{SchoolData, SchoolMarks};
use truongso_domain::gradebook::compute::GradingRules;
use truongso_domain::gradebook::ledger::{Action, Change, cells_json};
use truongso_domain::gradebook::{Slot, Term, Values};

use super::ledger::{self, AuthoredEvent, NewEvent};
use super::results;
use super::rows::SLOT_COLUMNS;
use super::terms::{self, TermChange};
use crate::audit::AuditActor;
use crate::schema::GradeRows;
use crate::seed::bulk_insert;
use crate::{StoreResult, Tx};

/// The history's source for everything the seeder writes.
pub const SOURCE: &str = "seed";

/// The database ids of a written school, by generator index.
pub struct SchoolIds<'a> {
    pub school_id: i64,
    pub school_year_id: i64,
    pub learner_ids: &'a [i64],
    pub class_ids: &'a [i64],
    /// The name each staff member's saves are recorded under: their account's username when
    /// they have one, else their name.
    pub actors: &'a [String],
}

/// What was written for one school.
#[derive(Debug, Clone, Copy, Default)]
pub struct MarksWritten {
    pub rows: u64,
    pub events: u64,
}

/// Writes a school's year of marks, its history, the term locks and the year results.
/// Does nothing for a school without marks (kindergartens).
pub async fn write_school(
    tx: &mut Tx,
    ids: &SchoolIds<'_>,
    data: &SchoolData,
    marks: &SchoolMarks,
) -> StoreResult<MarksWritten> {
    if marks.rows.is_empty() {
        return Ok(MarksWritten::default());
    }
    let actor_of = |staff: usize| {
        ids.actors
            .get(staff)
            .cloned()
            .unwrap_or_else(|| "hệ thống".into())
    };
    let mut rows = Vec::with_capacity(marks.rows.len());
    for r in &marks.rows {
        let last = &marks.saves[r.last_save];
        let mut row: Vec<Value> = vec![
            ids.learner_ids[r.learner].into(),
            ids.school_year_id.into(),
            ids.school_id.into(),
            ids.class_ids[r.class].into(),
            r.item.code().into(),
            r.term.number().into(),
        ];
        row.extend(
            Slot::ALL
                .iter()
                .map(|s| Value::from(r.values.get(*s).map(str::to_string))),
        );
        row.extend([
            i64::from(r.saves).into(),
            ledger_time(last.at).into(),
            actor_of(last.staff).into(),
        ]);
        rows.push(row);
    }
    let mut columns = vec![
        GradeRows::LearnerId,
        GradeRows::SchoolYearId,
        GradeRows::SchoolId,
        GradeRows::ClassId,
        GradeRows::Item,
        GradeRows::Term,
    ];
    columns.extend(SLOT_COLUMNS);
    columns.extend([
        GradeRows::Version,
        GradeRows::UpdatedAt,
        GradeRows::UpdatedBy,
    ]);
    bulk_insert(&mut tx.conn(), GradeRows::Table, &columns, rows).await?;

    // The saves, in time order, each with every row's cells before and after.
    let mut current: HashMap<usize, &Values> = HashMap::new();
    let empty = Values::default();
    let mut events = Vec::with_capacity(marks.saves.len());
    for save in &marks.saves {
        let changes = save
            .rows
            .iter()
            .map(|(row, after)| {
                let before = current.insert(*row, after).unwrap_or(&empty);
                Change {
                    learner_id: ids.learner_ids[marks.rows[*row].learner],
                    item: save.item.code().into(),
                    term: save.term.number(),
                    before: cells_json(before),
                    after: cells_json(after),
                }
            })
            .collect();
        events.push(AuthoredEvent {
            actor_user_id: None,
            actor: actor_of(save.staff),
            at: save.at,
            event: NewEvent {
                action: Action::Marks,
                school_year_id: ids.school_year_id,
                reason: save.reason.map(str::to_string),
                detail: serde_json::json!({
                    "class_id": ids.class_ids[save.class],
                    "class": data.classes[save.class].name,
                    "item": save.item.code(),
                    "term": save.term.code(),
                }),
                changes,
            },
        });
    }
    let written = MarksWritten {
        rows: marks.rows.len() as u64,
        events: events.len() as u64,
    };
    let head = ledger::lock_chain(&mut tx.conn(), ids.school_id).await?;
    ledger::append_authored(&mut tx.conn(), &head, SOURCE, events).await?;

    // The principal closes both semesters and publishes them, then the year is computed.
    let principal = AuditActor {
        user_id: None,
        username: Some(actor_of(0)),
        role: Some("principal".into()),
        client: None,
    };
    for term in [Term::First, Term::Second] {
        for change in [TermChange::Lock, TermChange::Publish] {
            terms::change(
                tx,
                &principal,
                SOURCE,
                ids.school_id,
                ids.school_year_id,
                term,
                change,
            )
            .await?;
        }
    }
    results::compute_school(
        tx,
        &principal,
        SOURCE,
        ids.school_id,
        ids.school_year_id,
        &GradingRules::default(),
    )
    .await?;
    Ok(MarksWritten {
        events: written.events + 5,
        ..written
    })
}

/// A time as the history stores it.
fn ledger_time(at: chrono::DateTime<chrono::Utc>) -> chrono::DateTime<chrono::Utc> {
    truongso_domain::gradebook::ledger::stored_time(at)
}
