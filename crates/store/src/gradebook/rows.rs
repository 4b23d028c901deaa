//! The current cells of gradebook rows: reading them and writing a batch of changed rows.

use chrono::{DateTime, Utc};
use sea_query::{Expr, ExprTrait, Query, Value};
use truongso_domain::gradebook::{Slot, Term, Values};

use crate::schema::GradeRows;
use crate::seed::bulk_insert;
use crate::{Conn, StoreResult};

/// The columns holding the slots, in [`Slot::ALL`] order.
pub const SLOT_COLUMNS: [GradeRows; 9] = [
    GradeRows::R1,
    GradeRows::R2,
    GradeRows::R3,
    GradeRows::R4,
    GradeRows::Mid,
    GradeRows::TestMid,
    GradeRows::Fin,
    GradeRows::TestFin,
    GradeRows::Comment,
];

pub const ROW_COLUMNS: [GradeRows; 16] = [
    GradeRows::Id,
    GradeRows::LearnerId,
    GradeRows::SchoolYearId,
    GradeRows::Item,
    GradeRows::Term,
    GradeRows::R1,
    GradeRows::R2,
    GradeRows::R3,
    GradeRows::R4,
    GradeRows::Mid,
    GradeRows::TestMid,
    GradeRows::Fin,
    GradeRows::TestFin,
    GradeRows::Comment,
    GradeRows::Version,
    GradeRows::UpdatedAt,
];

pub fn slot_column(slot: Slot) -> GradeRows {
    SLOT_COLUMNS[slot.index()]
}

/// A row as stored.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct StoredRow {
    pub id: i64,
    pub learner_id: i64,
    pub school_year_id: i64,
    pub item: String,
    pub term: i16,
    pub r1: Option<String>,
    pub r2: Option<String>,
    pub r3: Option<String>,
    pub r4: Option<String>,
    pub mid: Option<String>,
    pub test_mid: Option<String>,
    pub fin: Option<String>,
    pub test_fin: Option<String>,
    pub comment: Option<String>,
    pub version: i64,
    pub updated_at: DateTime<Utc>,
}

impl StoredRow {
    pub fn values(&self) -> Values {
        Values([
            self.r1.clone(),
            self.r2.clone(),
            self.r3.clone(),
            self.r4.clone(),
            self.mid.clone(),
            self.test_mid.clone(),
            self.fin.clone(),
            self.test_fin.clone(),
            self.comment.clone(),
        ])
    }

    pub fn term(&self) -> Option<Term> {
        Term::from_number(self.term)
    }
}

/// The rows of these learners in a school year, optionally only of some items and terms.
pub async fn of_learners(
    conn: &mut Conn<'_>,
    learner_ids: &[i64],
    school_year_id: i64,
    items: Option<&[&str]>,
    term: Option<Term>,
) -> StoreResult<Vec<StoredRow>> {
    let mut out = Vec::new();
    for chunk in learner_ids.chunks(5_000) {
        let mut q = Query::select();
        q.columns(ROW_COLUMNS)
            .from(GradeRows::Table)
            .and_where(Expr::col(GradeRows::LearnerId).is_in(chunk.iter().copied()))
            .and_where(Expr::col(GradeRows::SchoolYearId).eq(school_year_id));
        if let Some(items) = items {
            q.and_where(Expr::col(GradeRows::Item).is_in(items.iter().copied()));
        }
        if let Some(term) = term {
            q.and_where(Expr::col(GradeRows::Term).eq(term.number()));
        }
        out.extend(conn.fetch_all::<StoredRow>(&q).await?);
    }
    Ok(out)
}

/// Every row of a school's year (the year-end computation and summaries).
pub async fn of_school(
    conn: &mut Conn<'_>,
    school_id: i64,
    school_year_id: i64,
) -> StoreResult<Vec<StoredRow>> {
    conn.fetch_all(
        Query::select()
            .columns(ROW_COLUMNS)
            .from(GradeRows::Table)
            .and_where(Expr::col(GradeRows::SchoolId).eq(school_id))
            .and_where(Expr::col(GradeRows::SchoolYearId).eq(school_year_id)),
    )
    .await
}

/// A row to write: new (`id` None) or an update of a stored row.
#[derive(Debug, Clone)]
pub struct RowWrite {
    pub id: Option<i64>,
    pub learner_id: i64,
    pub school_year_id: i64,
    pub school_id: i64,
    pub class_id: Option<i64>,
    pub item: String,
    pub term: Term,
    pub values: Values,
}

/// Writes changed rows: inserts in multi-row statements, updates one by one (a save changes
/// a class's worth at most), each update moving the version on.
pub async fn write(
    conn: &mut Conn<'_>,
    rows: Vec<RowWrite>,
    at: DateTime<Utc>,
    by: &str,
) -> StoreResult<()> {
    let mut inserts = Vec::new();
    for r in rows {
        match r.id {
            Some(id) => {
                let mut q = Query::update();
                q.table(GradeRows::Table);
                for slot in Slot::ALL {
                    q.value(slot_column(slot), r.values.get(slot).map(str::to_string));
                }
                q.value(GradeRows::Version, Expr::col(GradeRows::Version).add(1))
                    .value(GradeRows::UpdatedAt, at)
                    .value(GradeRows::UpdatedBy, by)
                    .value(GradeRows::ClassId, r.class_id)
                    .value(GradeRows::SchoolId, r.school_id)
                    .and_where(Expr::col(GradeRows::Id).eq(id));
                conn.execute(&q).await?;
            }
            None => {
                let mut row: Vec<Value> = vec![
                    r.learner_id.into(),
                    r.school_year_id.into(),
                    r.school_id.into(),
                    r.class_id.into(),
                    r.item.into(),
                    r.term.number().into(),
                ];
                row.extend(
                    Slot::ALL
                        .iter()
                        .map(|s| Value::from(r.values.get(*s).map(str::to_string))),
                );
                row.extend([1i64.into(), at.into(), by.into()]);
                inserts.push(row);
            }
        }
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
    bulk_insert(conn, GradeRows::Table, &columns, inserts).await?;
    Ok(())
}
