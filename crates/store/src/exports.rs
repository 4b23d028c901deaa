//! Exports: the records a list shows (its scope and filters), in the import layout, so that an
//! exported file can be corrected in Excel and imported back. Streamed in chunks: a province's
//! learners never sit in memory at once.

use std::collections::HashMap;

use sea_query::{Expr, ExprTrait, Order, Query};
use truongso_domain::import::{ImportKind, columns};
use truongso_domain::tabular::Cell;

use crate::classes::ClassFilter;
use crate::learners::LearnerFilter;
use crate::schema::{Classes, Enrolments, Learners, OrgUnits};
use crate::staff::StaffFilter;
use crate::{Conn, PageRequest, Scope, StoreResult};

const CHUNK: usize = 1_000;

/// Column titles of an export of `kind` (the import template's).
pub fn headers(kind: ImportKind) -> Vec<&'static str> {
    columns(kind).iter().map(|c| c.header_vi.as_str()).collect()
}

/// Calls `row` with each learner the list would show, in list order (school, then name), with
/// their class of the current year. Sensitive fields are blanked when `sensitive` is false.
/// Returns the learners' ids (for the audit trail).
pub async fn learners(
    conn: &mut Conn<'_>,
    scope: &Scope,
    filter: &LearnerFilter,
    sensitive: bool,
    mut row: impl FnMut(Vec<Cell>) -> StoreResult<()>,
) -> StoreResult<Vec<(i64, i64)>> {
    let Some(cond) = crate::learners::list_condition(conn.backend(), scope, filter) else {
        return Ok(vec![]);
    };
    let ids: Vec<(i64, i64)> = conn
        .fetch_all(
            Query::select()
                .columns([
                    (Learners::Table, Learners::Id),
                    (Learners::Table, Learners::SchoolId),
                ])
                .from(Learners::Table)
                .cond_where(cond)
                .order_by((Learners::Table, Learners::SchoolId), Order::Asc)
                .order_by((Learners::Table, Learners::SortKey), Order::Asc)
                .order_by((Learners::Table, Learners::Id), Order::Asc),
        )
        .await?;
    let year = crate::years::current(conn).await?;
    let mut school_codes: HashMap<i64, String> = HashMap::new();
    for chunk in ids.chunks(CHUNK) {
        let learner_ids: Vec<i64> = chunk.iter().map(|(id, _)| *id).collect();
        let mut stored = crate::learners::inputs_of(conn, &learner_ids).await?;
        let classes = match &year {
            Some(y) => class_names(conn, y.id, &learner_ids).await?,
            None => HashMap::new(),
        };
        let missing: Vec<i64> = chunk
            .iter()
            .map(|(_, s)| *s)
            .filter(|s| !school_codes.contains_key(s))
            .collect();
        school_codes.extend(unit_codes(conn, &missing).await?);
        for (id, school) in chunk {
            let Some(l) = stored.remove(id) else { continue };
            let mut input = l.input;
            if !sensitive {
                input.ethnicity_code.clear();
                input.religion = None;
                input.disability = None;
                input.policy_group = None;
                for g in &mut input.guardians {
                    g.national_id = None;
                }
            }
            row(truongso_domain::import::learners::export_cells(
                &l.learner_code,
                &input,
                classes.get(id).map(String::as_str),
                school_codes.get(school).map(String::as_str),
            ))?;
        }
    }
    Ok(ids)
}

/// Each learner's class name in a school year.
async fn class_names(
    conn: &mut Conn<'_>,
    year_id: i64,
    learner_ids: &[i64],
) -> StoreResult<HashMap<i64, String>> {
    let rows: Vec<(i64, String)> = conn
        .fetch_all(
            Query::select()
                .column((Enrolments::Table, Enrolments::LearnerId))
                .column((Classes::Table, Classes::Name))
                .from(Enrolments::Table)
                .inner_join(
                    Classes::Table,
                    Expr::col((Classes::Table, Classes::Id))
                        .equals((Enrolments::Table, Enrolments::ClassId)),
                )
                .and_where(Expr::col((Enrolments::Table, Enrolments::SchoolYearId)).eq(year_id))
                .and_where(
                    Expr::col((Enrolments::Table, Enrolments::LearnerId))
                        .is_in(learner_ids.iter().copied()),
                ),
        )
        .await?;
    Ok(rows.into_iter().collect())
}

async fn unit_codes(conn: &mut Conn<'_>, ids: &[i64]) -> StoreResult<HashMap<i64, String>> {
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    let rows: Vec<(i64, String)> = conn
        .fetch_all(
            Query::select()
                .columns([OrgUnits::Id, OrgUnits::Code])
                .from(OrgUnits::Table)
                .and_where(Expr::col(OrgUnits::Id).is_in(ids.iter().copied())),
        )
        .await?;
    Ok(rows.into_iter().collect())
}

/// Each staff member the staff list would show, in the import layout. Returns (id, unit) pairs.
pub async fn staff(
    conn: &mut Conn<'_>,
    scope: &Scope,
    filter: &StaffFilter,
    mut row: impl FnMut(Vec<Cell>) -> StoreResult<()>,
) -> StoreResult<Vec<(i64, i64)>> {
    let mut written = Vec::new();
    let mut codes: HashMap<i64, String> = HashMap::new();
    for page in 1.. {
        let p = crate::staff::list(conn, scope, filter, &PageRequest::new(page, 500)).await?;
        let missing: Vec<i64> = p
            .items
            .iter()
            .map(|s| s.org_unit_id)
            .filter(|u| !codes.contains_key(u))
            .collect();
        codes.extend(unit_codes(conn, &missing).await?);
        for s in &p.items {
            row(truongso_domain::import::staff::export_cells(
                &s.to_input(),
                codes.get(&s.org_unit_id).map(String::as_str),
            ))?;
            written.push((s.id, s.org_unit_id));
        }
        if page >= p.pages() {
            break;
        }
    }
    Ok(written)
}

/// Each class the class list would show, in the import layout.
pub async fn classes(
    conn: &mut Conn<'_>,
    scope: &Scope,
    filter: &ClassFilter,
    mut row: impl FnMut(Vec<Cell>) -> StoreResult<()>,
) -> StoreResult<u64> {
    let years: HashMap<i64, String> = crate::years::list(conn)
        .await?
        .into_iter()
        .map(|y| (y.id, y.code))
        .collect();
    let mut codes: HashMap<i64, String> = HashMap::new();
    let mut homerooms: HashMap<i64, Option<String>> = HashMap::new();
    let mut n = 0;
    for page in 1.. {
        let p = crate::classes::list(conn, scope, filter, &PageRequest::new(page, 500)).await?;
        let missing: Vec<i64> = p
            .items
            .iter()
            .map(|c| c.org_unit_id)
            .filter(|u| !codes.contains_key(u))
            .collect();
        codes.extend(unit_codes(conn, &missing).await?);
        for c in &p.items {
            let homeroom = match c.homeroom_staff_id {
                None => None,
                Some(id) => match homerooms.get(&id) {
                    Some(h) => h.clone(),
                    None => {
                        let s = crate::staff::get(conn, &Scope::All, id).await?;
                        let key = s.national_id.clone().or(Some(s.full_name.clone()));
                        homerooms.insert(id, key.clone());
                        key
                    }
                },
            };
            let text = |s: Option<&str>| s.map_or(Cell::Empty, |s| Cell::Text(s.to_string()));
            row(columns(ImportKind::Classes)
                .iter()
                .map(|col| match col.key.as_str() {
                    "name" => text(Some(&c.name)),
                    "grade" => Cell::Number(f64::from(c.grade)),
                    "school_year" => text(years.get(&c.school_year_id).map(String::as_str)),
                    "homeroom" => text(homeroom.as_deref()),
                    "school_code" => text(codes.get(&c.org_unit_id).map(String::as_str)),
                    _ => Cell::Empty,
                })
                .collect())?;
            n += 1;
        }
        if page >= p.pages() {
            break;
        }
    }
    Ok(n)
}
