//! The e-gradebook in the database: a class's subject set-up, the entry grid of one class ×
//! item × term, saving edits with conflict detection, term locks, the hash-chained history
//! and the year-end results. The rules are `domain::gradebook`'s.

pub mod ledger;
pub mod results;
pub mod rows;
pub mod seed_marks;
pub mod terms;
pub mod transcripts;

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use sea_query::{Expr, ExprTrait, OnConflict, Order, Query};
use serde::{Deserialize, Serialize};
use truongso_domain::gradebook::compute::{PlannedSubject, subject_term};
use truongso_domain::gradebook::ledger::{Action, Change, cells_json};
use truongso_domain::gradebook::{
    Item, Slot, Term, ValueKind, Values, default_regular_count, items_for_grade, programme_periods,
    slots_in_term,
};
use truongso_domain::grading::regular_count;
use truongso_domain::learners::EnrolmentStatus;

use crate::audit::AuditActor;
use crate::classes::Class;
use crate::schema::{Enrolments, Learners, SubjectPlans, TeachingAssignments};
use crate::{Conn, StoreError, StoreResult, Tx};
use rows::{RowWrite, StoredRow};

/// One subject of a grade's set-up for a school year.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct PlanEntry {
    pub subject_code: String,
    pub name: String,
    /// Periods per year; `None` in primary.
    pub periods: Option<u32>,
    /// Regular assessments per semester, from the periods.
    pub regular_count: u8,
    /// Whether the school changed the programme's default.
    pub customised: bool,
}

/// A grade's subjects with their periods: the programme's defaults, overridden by the school.
pub async fn plan(
    conn: &mut Conn<'_>,
    school_id: i64,
    school_year_id: i64,
    grade: u8,
) -> StoreResult<Vec<PlanEntry>> {
    let overrides: Vec<(String, i32)> = conn
        .fetch_all(
            Query::select()
                .columns([SubjectPlans::SubjectCode, SubjectPlans::Periods])
                .from(SubjectPlans::Table)
                .and_where(Expr::col(SubjectPlans::SchoolId).eq(school_id))
                .and_where(Expr::col(SubjectPlans::SchoolYearId).eq(school_year_id))
                .and_where(Expr::col(SubjectPlans::Grade).eq(i32::from(grade))),
        )
        .await?;
    Ok(items_for_grade(grade)
        .into_iter()
        .filter_map(|item| match item {
            Item::Subject(s) => Some(s),
            _ => None,
        })
        .map(|s| {
            let custom = overrides.iter().find(|(c, _)| c == s.code);
            let periods = custom
                .map(|(_, p)| *p as u32)
                .or_else(|| programme_periods(s.code, grade));
            PlanEntry {
                subject_code: s.code.into(),
                name: s.name_vi.into(),
                periods: if grade <= 5 { None } else { periods },
                regular_count: periods.map_or(default_regular_count(s.code, grade), regular_count),
                customised: custom.is_some(),
            }
        })
        .collect())
}

/// Sets a subject's periods per year for a grade of a school (the regular-assessment count
/// follows). Marks already entered in a slot that disappears stay stored and shown.
pub async fn set_periods(
    tx: &mut Tx,
    school_id: i64,
    school_year_id: i64,
    grade: u8,
    subject_code: &str,
    periods: u32,
) -> StoreResult<()> {
    let Some(Item::Subject(subject)) = Item::from_code(subject_code) else {
        return Err(StoreError::invalid(
            "subject_code",
            "Môn học không có trong chương trình.",
        ));
    };
    if !subject.is_taught_in(grade) || grade <= 5 {
        return Err(StoreError::invalid(
            "subject_code",
            format!(
                "Môn {} không có số tiết để khai báo ở khối {grade}.",
                subject.name_vi
            ),
        ));
    }
    if !(1..=400).contains(&periods) {
        return Err(StoreError::invalid(
            "periods",
            "Số tiết/năm phải từ 1 đến 400.",
        ));
    }
    tx.conn()
        .execute(
            Query::insert()
                .into_table(SubjectPlans::Table)
                .columns([
                    SubjectPlans::SchoolId,
                    SubjectPlans::SchoolYearId,
                    SubjectPlans::Grade,
                    SubjectPlans::SubjectCode,
                    SubjectPlans::Periods,
                    SubjectPlans::RegularCount,
                    SubjectPlans::UpdatedAt,
                ])
                .values_panic([
                    school_id.into(),
                    school_year_id.into(),
                    i32::from(grade).into(),
                    subject_code.into(),
                    (periods as i32).into(),
                    i32::from(regular_count(periods)).into(),
                    Utc::now().into(),
                ])
                .on_conflict(
                    OnConflict::columns([
                        SubjectPlans::SchoolId,
                        SubjectPlans::SchoolYearId,
                        SubjectPlans::Grade,
                        SubjectPlans::SubjectCode,
                    ])
                    .update_columns([
                        SubjectPlans::Periods,
                        SubjectPlans::RegularCount,
                        SubjectPlans::UpdatedAt,
                    ])
                    .to_owned(),
                ),
        )
        .await?;
    Ok(())
}

/// The subjects a class records: the grade's compulsory subjects (taught or still waiting for
/// a teacher) and the electives it has a teacher for (grades 10–12 choose theirs).
pub async fn class_subjects(
    conn: &mut Conn<'_>,
    class: &Class,
) -> StoreResult<Vec<PlannedSubject>> {
    let grade = class_grade(class);
    let assigned: Vec<(String,)> = conn
        .fetch_all(
            Query::select()
                .distinct()
                .column(TeachingAssignments::SubjectCode)
                .from(TeachingAssignments::Table)
                .and_where(Expr::col(TeachingAssignments::ClassId).eq(class.id)),
        )
        .await?;
    let plan = plan(conn, class.org_unit_id, class.school_year_id, grade).await?;
    Ok(items_for_grade(grade)
        .into_iter()
        .filter_map(|item| match item {
            Item::Subject(s)
                if s.is_compulsory_in(grade) || assigned.iter().any(|(c,)| c == s.code) =>
            {
                let regular = plan
                    .iter()
                    .find(|p| p.subject_code == s.code)
                    .map_or(2, |p| p.regular_count);
                Some(PlannedSubject { item, regular })
            }
            _ => None,
        })
        .collect())
}

/// The grade of a class as the domain rules take it (preschool groups have none).
pub fn class_grade(class: &Class) -> u8 {
    class.grade.clamp(0, 12) as u8
}

/// The items a class records, in grid order: subjects, then the homeroom's items.
pub async fn class_items(conn: &mut Conn<'_>, class: &Class) -> StoreResult<Vec<PlannedSubject>> {
    let mut items = class_subjects(conn, class).await?;
    items.extend(
        items_for_grade(class_grade(class))
            .into_iter()
            .filter(|i| i.is_homeroom_item())
            .map(|item| PlannedSubject { item, regular: 0 }),
    );
    Ok(items)
}

/// A learner on a class's roster.
#[derive(Debug, Clone, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct RosterEntry {
    pub learner_id: i64,
    pub learner_code: Option<String>,
    pub full_name: String,
    pub birth_date: chrono::NaiveDate,
}

/// The learners in a class now (studying, transferred in, repeating), in register order.
pub async fn roster(conn: &mut Conn<'_>, class_id: i64) -> StoreResult<Vec<RosterEntry>> {
    let active = [
        EnrolmentStatus::Studying,
        EnrolmentStatus::TransferredIn,
        EnrolmentStatus::Repeating,
    ]
    .map(|s| s.code());
    conn.fetch_all(
        Query::select()
            .expr_as(Expr::col((Learners::Table, Learners::Id)), "learner_id")
            .columns([
                (Learners::Table, Learners::LearnerCode),
                (Learners::Table, Learners::FullName),
                (Learners::Table, Learners::BirthDate),
            ])
            .from(Enrolments::Table)
            .inner_join(
                Learners::Table,
                Expr::col((Learners::Table, Learners::Id))
                    .equals((Enrolments::Table, Enrolments::LearnerId)),
            )
            .and_where(Expr::col((Enrolments::Table, Enrolments::ClassId)).eq(class_id))
            .and_where(Expr::col((Enrolments::Table, Enrolments::Status)).is_in(active))
            .order_by((Learners::Table, Learners::SortKey), Order::Asc)
            .order_by((Learners::Table, Learners::Id), Order::Asc),
    )
    .await
}

/// One class × item × term, as an entry grid shows it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Grid {
    pub class_id: i64,
    pub class_name: String,
    pub grade: u8,
    pub school_year_id: i64,
    pub item: String,
    pub item_name: String,
    pub term: Term,
    /// The columns in order: slot code and the kind of value it takes.
    #[schema(value_type = Vec<Object>)]
    pub columns: Vec<(Slot, ValueKind)>,
    pub rows: Vec<GridRow>,
    pub locked: bool,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct GridRow {
    pub learner_id: i64,
    pub learner_code: Option<String>,
    pub full_name: String,
    /// Stored values by slot code (canonical text).
    #[schema(value_type = Object)]
    pub values: Values,
    /// The row's version: moves on with every saved change.
    pub version: i64,
    /// The term result once every mark is in ("7.7", "Đ", "HTT").
    pub result: Option<String>,
}

/// Loads the grid of a class for an item and term.
pub async fn grid(conn: &mut Conn<'_>, class: &Class, item: Item, term: Term) -> StoreResult<Grid> {
    let planned = class_items(conn, class)
        .await?
        .into_iter()
        .find(|p| p.item == item)
        .ok_or_else(|| {
            StoreError::invalid(
                "item",
                format!(
                    "Lớp {} không học/không đánh giá '{}'.",
                    class.name,
                    item.name_vi()
                ),
            )
        })?;
    let grade = class_grade(class);
    let roster = roster(conn, class.id).await?;
    let ids: Vec<i64> = roster.iter().map(|r| r.learner_id).collect();
    let stored = rows::of_learners(
        conn,
        &ids,
        class.school_year_id,
        Some(&[item.code()]),
        Some(term),
    )
    .await?;
    let by_learner: HashMap<i64, &StoredRow> = stored.iter().map(|r| (r.learner_id, r)).collect();
    let locked = terms::state(conn, class.org_unit_id, class.school_year_id, term)
        .await?
        .is_locked();
    Ok(Grid {
        class_id: class.id,
        class_name: class.name.clone(),
        grade,
        school_year_id: class.school_year_id,
        item: item.code().into(),
        item_name: item.name_vi().into(),
        term,
        columns: slots_in_term(item, grade, planned.regular, term),
        locked,
        rows: roster
            .into_iter()
            .map(|r| {
                let row = by_learner.get(&r.learner_id);
                let values = row.map(|s| s.values()).unwrap_or_default();
                let result = (term != Term::Summer)
                    .then(|| subject_term(grade, planned, &values))
                    .flatten()
                    .map(|x| x.display());
                GridRow {
                    learner_id: r.learner_id,
                    learner_code: r.learner_code,
                    full_name: r.full_name,
                    values,
                    version: row.map_or(0, |s| s.version),
                    result,
                }
            })
            .collect(),
    })
}

/// One cell a grid sends: the value typed and the value the grid had loaded (to detect that
/// someone else changed the cell meanwhile).
#[derive(Debug, Clone, Deserialize, Serialize, utoipa::ToSchema)]
pub struct CellEdit {
    pub learner_id: i64,
    /// Slot code: r1…r4, mid, test_mid, end, test_end, comment.
    pub slot: String,
    /// The stored value the grid showed before the edit (canonical; null when empty).
    pub base: Option<String>,
    /// What the teacher typed ("7,5", "Đ", ""). Empty clears the cell.
    pub value: String,
}

/// What happened to one cell of a save.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum CellOutcome {
    Saved {
        value: Option<String>,
    },
    Unchanged {
        value: Option<String>,
    },
    /// Someone else changed the cell since the grid loaded it: nothing written, the current
    /// value is returned for the teacher to decide.
    Conflict {
        current: Option<String>,
        mine: Option<String>,
    },
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct CellResult {
    pub learner_id: i64,
    pub slot: String,
    #[serde(flatten)]
    pub outcome: CellOutcome,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct SaveReport {
    pub cells: Vec<CellResult>,
    pub saved: usize,
    pub conflicts: usize,
    /// Term results of the rows touched, recomputed ("7.7", "Đ").
    #[schema(value_type = Object)]
    pub results: HashMap<i64, Option<String>>,
}

/// Saves a grid's edits for one class × item × term. All-or-nothing on bad input (every bad
/// cell named, nothing written); cells changed by someone else meanwhile are left as they are
/// and reported as conflicts; the rest is written with one history event.
pub async fn save(
    tx: &mut Tx,
    actor: &AuditActor,
    source: &str,
    class: &Class,
    item: Item,
    term: Term,
    edits: &[CellEdit],
) -> StoreResult<SaveReport> {
    let grade = class_grade(class);
    let planned = class_items(&mut tx.conn(), class)
        .await?
        .into_iter()
        .find(|p| p.item == item)
        .ok_or_else(|| StoreError::invalid("item", "Lớp không học/không đánh giá nội dung này."))?;
    let roster = roster(&mut tx.conn(), class.id).await?;
    let names: HashMap<i64, &str> = roster
        .iter()
        .map(|r| (r.learner_id, r.full_name.as_str()))
        .collect();
    // Read every cell first: a bad one rejects the whole save.
    let mut parsed = Vec::with_capacity(edits.len());
    let mut errors = Vec::new();
    for (i, e) in edits.iter().enumerate() {
        let Some(name) = names.get(&e.learner_id) else {
            errors.push(truongso_domain::FieldError::new(
                format!("cells[{i}]"),
                format!("Học sinh {} không thuộc lớp {}.", e.learner_id, class.name),
            ));
            continue;
        };
        let kind = Slot::from_code(&e.slot).and_then(|slot| {
            truongso_domain::gradebook::kind_of(item, grade, planned.regular, term, slot)
                .map(|k| (slot, k))
        });
        // Clearing is always allowed: a slot hidden after the school cut a subject's periods
        // can still be emptied.
        let kind = kind.or_else(|| {
            let slot = Slot::from_code(&e.slot)?;
            e.value.trim().is_empty().then_some((slot, ValueKind::Text))
        });
        let Some((slot, kind)) = kind else {
            errors.push(truongso_domain::FieldError::new(
                format!("cells[{i}]"),
                format!(
                    "{name}: cột '{}' không có trong sổ {}.",
                    e.slot,
                    item.name_vi()
                ),
            ));
            continue;
        };
        match kind.parse(&e.value) {
            Ok(v) => parsed.push((e, slot, v)),
            Err(bad) => errors.push(truongso_domain::FieldError::new(
                format!("cells[{i}]"),
                format!("{name}, cột {}: {bad}", slot.code()),
            )),
        }
    }
    if !errors.is_empty() {
        return Err(StoreError::Invalid(truongso_domain::Invalid(errors)));
    }
    let state = terms::state(
        &mut tx.conn(),
        class.org_unit_id,
        class.school_year_id,
        term,
    )
    .await?;
    if state.is_locked() {
        return Err(StoreError::conflict(
            "term",
            format!(
                "{} đã khoá sổ. Hiệu trưởng cần mở khoá (nêu lý do) trước khi sửa điểm.",
                term.label_vi()
            ),
        ));
    }
    // Hold the school's history chain: saves of one school apply one after another, each on
    // the marks as the previous one left them.
    let head = ledger::lock_chain(&mut tx.conn(), class.org_unit_id).await?;
    let learner_ids: Vec<i64> = {
        let mut v: Vec<i64> = parsed.iter().map(|(e, _, _)| e.learner_id).collect();
        v.sort_unstable();
        v.dedup();
        v
    };
    let stored = rows::of_learners(
        &mut tx.conn(),
        &learner_ids,
        class.school_year_id,
        Some(&[item.code()]),
        Some(term),
    )
    .await?;
    let mut current: HashMap<i64, (Option<i64>, Values)> = stored
        .iter()
        .map(|r| (r.learner_id, (Some(r.id), r.values())))
        .collect();
    let before: HashMap<i64, Values> = current.iter().map(|(k, v)| (*k, v.1.clone())).collect();
    let mut cells = Vec::with_capacity(parsed.len());
    for (e, slot, value) in parsed {
        let row = current
            .entry(e.learner_id)
            .or_insert((None, Values::default()));
        let now = row.1.get(slot).map(str::to_string);
        let outcome = if now == value {
            CellOutcome::Unchanged { value }
        } else if now != e.base {
            CellOutcome::Conflict {
                current: now,
                mine: value,
            }
        } else {
            row.1.set(slot, value.clone());
            CellOutcome::Saved { value }
        };
        cells.push(CellResult {
            learner_id: e.learner_id,
            slot: slot.code().into(),
            outcome,
        });
    }
    let at = Utc::now();
    let mut writes = Vec::new();
    let mut changes = Vec::new();
    let mut results = HashMap::new();
    for id in &learner_ids {
        let (row_id, values) = &current[id];
        let old = before.get(id).cloned().unwrap_or_default();
        results.insert(
            *id,
            subject_term(grade, planned, values).map(|r| r.display()),
        );
        if *values == old {
            continue;
        }
        changes.push(Change {
            learner_id: *id,
            item: item.code().into(),
            term: term.number(),
            before: cells_json(&old),
            after: cells_json(values),
        });
        writes.push(RowWrite {
            id: *row_id,
            learner_id: *id,
            school_year_id: class.school_year_id,
            school_id: class.org_unit_id,
            class_id: Some(class.id),
            item: item.code().into(),
            term,
            values: values.clone(),
        });
    }
    let saved = cells
        .iter()
        .filter(|c| matches!(c.outcome, CellOutcome::Saved { .. }))
        .count();
    let conflicts = cells
        .iter()
        .filter(|c| matches!(c.outcome, CellOutcome::Conflict { .. }))
        .count();
    if !writes.is_empty() {
        rows::write(&mut tx.conn(), writes, at, &ledger::actor_name(actor)).await?;
        ledger::append(
            &mut tx.conn(),
            &head,
            actor,
            source,
            at,
            vec![ledger::NewEvent {
                action: Action::Marks,
                school_year_id: class.school_year_id,
                reason: None,
                detail: serde_json::json!({
                    "class_id": class.id,
                    "class": class.name,
                    "item": item.code(),
                    "term": term.code(),
                }),
                changes,
            }],
        )
        .await?;
    }
    Ok(SaveReport {
        cells,
        saved,
        conflicts,
        results,
    })
}

/// The gradebook items a staff member may write in a class: the subjects they are assigned
/// to teach there, plus the homeroom items when they lead the class.
pub async fn items_of_teacher(
    conn: &mut Conn<'_>,
    class: &Class,
    staff_id: i64,
) -> StoreResult<Vec<String>> {
    let mut items: Vec<String> = conn
        .fetch_all::<(String,)>(
            Query::select()
                .column(TeachingAssignments::SubjectCode)
                .from(TeachingAssignments::Table)
                .and_where(Expr::col(TeachingAssignments::ClassId).eq(class.id))
                .and_where(Expr::col(TeachingAssignments::StaffId).eq(staff_id)),
        )
        .await?
        .into_iter()
        .map(|r| r.0)
        .collect();
    if class.homeroom_staff_id == Some(staff_id) {
        items.extend(
            items_for_grade(class_grade(class))
                .into_iter()
                .filter(|i| i.is_homeroom_item())
                .map(|i| i.code().to_string()),
        );
    }
    Ok(items)
}

/// When the rows of an item were last changed, for "saved at" displays.
pub fn latest_change(rows: &[StoredRow]) -> Option<DateTime<Utc>> {
    rows.iter().map(|r| r.updated_at).max()
}
