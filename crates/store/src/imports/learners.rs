//! Importing learners with their guardians, and placing them in classes of the current year.
//!
//! A row finds its stored learner by learner code, else by personal ID, else by name and date
//! of birth in the same school; none found, it creates one. A learner of another school is
//! never taken over by a file: that is a transfer (or a duplicate for the data-quality checks).

use std::collections::HashMap;

use chrono::{NaiveDate, Utc};
use sea_query::{Alias, Expr, ExprTrait, Query, SimpleExpr, Value};
use truongso_domain::import::learners::{LearnerPatch, cell_errors, parse_row};
use truongso_domain::import::{CellError, Mapping, data_rows, row_label};
use truongso_domain::learners::{EnrolmentStatus, LearnerInput, learner_code};
use truongso_domain::tabular::Table;
use truongso_domain::text::fold;

use super::refs::{self, ClassRef, LOOKUP_CHUNK, Units, class_key};
use super::{ImportOptions, Progress, RowAction, RowOutcome};
use crate::audit::{AuditAction, AuditActor};
use crate::learners::{GUARDIAN_COLUMNS, guardian_values, profile_values};
use crate::schema::{EnrolmentEvents, Enrolments, Learners};
use crate::seed::bulk_insert;
use crate::{Backend, Scope, StoreResult, Tx};

/// What happens to a row's enrolment in the current year.
#[derive(Debug, Clone, PartialEq)]
enum Placement {
    None,
    Enrol(ClassRef),
    Move { enrolment_id: i64, class: ClassRef },
}

struct Planned {
    row: usize,
    label: String,
    errors: Vec<CellError>,
    school_id: i64,
    learner_id: Option<i64>,
    /// The learner as it will be stored.
    input: Option<LearnerInput>,
    changes: Vec<String>,
    placement: Placement,
}

impl Planned {
    fn action(&self) -> RowAction {
        if !self.errors.is_empty() {
            RowAction::Rejected
        } else if self.learner_id.is_none() {
            RowAction::Create
        } else if self.changes.is_empty() && self.placement == Placement::None {
            RowAction::Unchanged
        } else {
            RowAction::Update
        }
    }
}

pub(super) struct Plan {
    rows: Vec<Planned>,
    year: Option<(i64, NaiveDate)>,
}

/// A stored learner as far as matching needs.
#[derive(Debug, Clone, sqlx::FromRow)]
struct Existing {
    id: i64,
    learner_code: String,
    national_id: Option<String>,
    school_id: i64,
    name_fold: String,
    birth_date: NaiveDate,
}

pub(super) async fn plan(
    tx: &mut Tx,
    scope: &Scope,
    table: &Table,
    mapping: &Mapping,
    options: &ImportOptions,
) -> StoreResult<Plan> {
    let parsed: Vec<(usize, Result<LearnerPatch, Vec<CellError>>)> = data_rows(table, mapping)
        .map(|r| (r.number, parse_row(&r)))
        .collect();
    let numbers: Vec<usize> = parsed.iter().map(|(n, _)| *n).collect();
    let labels: Vec<String> = data_rows(table, mapping)
        .map(|r| row_label(&r, &["full_name", "birth_date"]))
        .collect();
    let units = Units::load(
        tx,
        scope,
        parsed
            .iter()
            .filter_map(|(_, p)| p.as_ref().ok()?.school_code.as_deref()),
        options.default_unit_id,
        true,
    )
    .await?;
    let (mut errors, school_of) =
        refs::assign_units(&parsed, &units, |p| p.school_code.as_deref(), "school_code");
    let patches: Vec<Option<&LearnerPatch>> = parsed.iter().map(|(_, p)| p.as_ref().ok()).collect();
    mark_duplicates_in_file(&patches, &school_of, &numbers, &mut errors);

    let existing = find_existing(tx, &patches, &school_of).await?;
    let mut matched: Vec<Option<i64>> = vec![None; parsed.len()];
    for (i, p) in patches.iter().enumerate() {
        let (Some(p), Some(school)) = (p, school_of[i]) else {
            continue;
        };
        match match_row(p, school, &existing) {
            Ok(id) => matched[i] = id,
            Err(e) => errors.entry(i).or_default().push(e),
        }
    }
    let ids: Vec<i64> = matched.iter().flatten().copied().collect();
    let stored = crate::learners::inputs_of(&mut tx.conn(), &ids).await?;

    let year = refs::current_year(tx).await?;
    let needs_classes = patches
        .iter()
        .any(|p| p.is_some_and(|p| p.class_name.is_some()));
    let mut schools: Vec<i64> = school_of.iter().flatten().copied().collect();
    schools.sort_unstable();
    schools.dedup();
    let (classes, enrolled) = match &year {
        Some(y) if needs_classes => (
            refs::classes_of(tx, &schools, &[y.id]).await?,
            current_enrolments(tx, y.id, &ids).await?,
        ),
        _ => (HashMap::new(), HashMap::new()),
    };

    let mut rows = Vec::with_capacity(parsed.len());
    for (i, (number, p)) in parsed.iter().enumerate() {
        let mut planned = Planned {
            row: *number,
            label: labels[i].clone(),
            errors: errors.remove(&i).unwrap_or_default(),
            school_id: school_of[i].unwrap_or_default(),
            learner_id: matched[i],
            input: None,
            changes: vec![],
            placement: Placement::None,
        };
        if let Ok(p) = p {
            planned.label = format!("{} {}", p.full_name, p.birth_date.format("%d/%m/%Y"));
            let before = planned
                .learner_id
                .and_then(|id| stored.get(&id))
                .map(|s| &s.input);
            let input = match before {
                Some(s) => p.apply_to(s),
                None => p.new_input(),
            };
            if let Err(invalid) = input.validate(options.today) {
                planned.errors.extend(cell_errors(&input, invalid));
            }
            if let Some(s) = before {
                planned.changes = changed_columns(s, &input);
            }
            if let Some(name) = &p.class_name {
                match (
                    &year,
                    classes.get(&class_key(
                        planned.school_id,
                        year.as_ref().map_or(0, |y| y.id),
                        name,
                    )),
                ) {
                    (None, _) => planned.errors.push(CellError::at(
                        "class",
                        "Chưa có năm học hiện tại để xếp lớp.",
                    )),
                    (Some(y), None) => planned.errors.push(CellError::at(
                        "class",
                        format!("Trường không có lớp '{name}' trong năm học {}.", y.code),
                    )),
                    (Some(_), Some(class)) => {
                        planned.placement =
                            placement(planned.learner_id, planned.school_id, class, &enrolled)
                    }
                }
            }
            planned.input = Some(input);
        }
        rows.push(planned);
    }
    Ok(Plan {
        rows,
        year: year.map(|y| (y.id, y.starts_on)),
    })
}

fn mark_duplicates_in_file(
    patches: &[Option<&LearnerPatch>],
    school_of: &[Option<i64>],
    numbers: &[usize],
    errors: &mut HashMap<usize, Vec<CellError>>,
) {
    refs::mark_duplicates(
        patches
            .iter()
            .enumerate()
            .map(|(i, p)| (i, p.and_then(|p| p.national_id.clone()))),
        "national_id",
        "mã định danh",
        errors,
        numbers,
    );
    refs::mark_duplicates(
        patches
            .iter()
            .enumerate()
            .map(|(i, p)| (i, p.and_then(|p| p.learner_code.clone()))),
        "learner_code",
        "mã học sinh",
        errors,
        numbers,
    );
    refs::mark_duplicates(
        patches.iter().enumerate().map(|(i, p)| {
            let key = p
                .filter(|p| p.national_id.is_none() && p.learner_code.is_none())
                .map(|p| (school_of[i], fold(&p.full_name), p.birth_date));
            (i, key)
        }),
        "full_name",
        "họ tên và ngày sinh",
        errors,
        numbers,
    );
}

/// Stored learners a row may be: by code, by personal ID, by name and birth date in its school.
struct ExistingIndex {
    by_code: HashMap<String, Existing>,
    by_id: HashMap<String, Vec<Existing>>,
    by_name: HashMap<(i64, String, NaiveDate), Vec<Existing>>,
}

async fn find_existing(
    tx: &mut Tx,
    patches: &[Option<&LearnerPatch>],
    school_of: &[Option<i64>],
) -> StoreResult<ExistingIndex> {
    let codes: Vec<String> = patches
        .iter()
        .filter_map(|p| p.and_then(|p| p.learner_code.clone()))
        .collect();
    let ids: Vec<String> = patches
        .iter()
        .filter_map(|p| p.and_then(|p| p.national_id.clone()))
        .collect();
    let mut index = ExistingIndex {
        by_code: HashMap::new(),
        by_id: HashMap::new(),
        by_name: HashMap::new(),
    };
    for e in lookup(tx, Learners::LearnerCode, &codes, None).await? {
        index.by_code.insert(e.learner_code.clone(), e);
    }
    for e in lookup(tx, Learners::NationalId, &ids, None).await? {
        if let Some(id) = e.national_id.clone() {
            index.by_id.entry(id).or_default().push(e);
        }
    }
    // Name and birth date only for rows their code or ID did not find (a learner stored
    // without an ID gets it from the file): a file of known IDs skips this lookup.
    let names: Vec<String> = patches
        .iter()
        .flatten()
        .filter(|p| {
            !p.learner_code
                .as_ref()
                .is_some_and(|c| index.by_code.contains_key(c))
                && !p
                    .national_id
                    .as_ref()
                    .is_some_and(|id| index.by_id.contains_key(id))
        })
        .map(|p| fold(&p.full_name))
        .collect();
    let mut schools: Vec<i64> = school_of.iter().flatten().copied().collect();
    schools.sort_unstable();
    schools.dedup();
    for e in lookup(tx, Learners::NameFold, &names, Some(&schools)).await? {
        index
            .by_name
            .entry((e.school_id, e.name_fold.clone(), e.birth_date))
            .or_default()
            .push(e);
    }
    Ok(index)
}

async fn lookup(
    tx: &mut Tx,
    column: Learners,
    keys: &[String],
    schools: Option<&[i64]>,
) -> StoreResult<Vec<Existing>> {
    let mut keys = keys.to_vec();
    keys.sort();
    keys.dedup();
    let mut out = Vec::new();
    for chunk in keys.chunks(LOOKUP_CHUNK) {
        let mut q = Query::select();
        q.columns([
            Learners::Id,
            Learners::LearnerCode,
            Learners::NationalId,
            Learners::SchoolId,
            Learners::NameFold,
            Learners::BirthDate,
        ])
        .from(Learners::Table)
        .and_where(Expr::col(column).is_in(chunk.iter().cloned()));
        if let Some(s) = schools {
            q.and_where(Expr::col(Learners::SchoolId).is_in(s.iter().copied()));
        }
        out.extend(tx.conn().fetch_all::<Existing>(&q).await?);
    }
    Ok(out)
}

/// The stored learner a row updates, `None` for a new one, or why the row cannot be imported.
fn match_row(
    p: &LearnerPatch,
    school: i64,
    existing: &ExistingIndex,
) -> Result<Option<i64>, CellError> {
    let elsewhere = |column: &str, what: &str| {
        CellError::at(
            column,
            format!(
                "{what} đã thuộc một học sinh của trường khác; nếu em chuyển đến, hãy làm thủ tục chuyển trường thay vì nhập mới."
            ),
        )
    };
    if let Some(code) = &p.learner_code {
        // Codes in our format are ours; other software's codes are not a key here.
        if truongso_domain::learners::is_learner_code(code) {
            let Some(e) = existing.by_code.get(code) else {
                return Err(CellError::at(
                    "learner_code",
                    format!("Không có học sinh mã {code}."),
                ));
            };
            if e.school_id != school {
                return Err(elsewhere("learner_code", "Mã học sinh"));
            }
            if is_someone_else(p, e) {
                return Err(someone_else("learner_code", e));
            }
            if let (Some(a), Some(b)) = (&p.national_id, &e.national_id)
                && a != b
                && existing
                    .by_id
                    .get(a)
                    .is_some_and(|others| others.iter().any(|o| o.id != e.id))
            {
                return Err(CellError::at(
                    "national_id",
                    "Mã định danh này đã thuộc một học sinh khác.",
                ));
            }
            return Ok(Some(e.id));
        }
    }
    if let Some(id) = &p.national_id
        && let Some(found) = existing.by_id.get(id)
    {
        return match found.iter().find(|e| e.school_id == school) {
            Some(e) if is_someone_else(p, e) => Err(someone_else("national_id", e)),
            Some(e) => Ok(Some(e.id)),
            None => Err(elsewhere("national_id", "Mã định danh")),
        };
    }
    let key = (school, fold(&p.full_name), p.birth_date);
    Ok(existing
        .by_name
        .get(&key)
        .and_then(|found| {
            found
                .iter()
                .find(|e| p.national_id.is_none() || e.national_id.is_none())
        })
        .map(|e| e.id))
}

/// A row whose key finds a learner with another name *and* another birth date is about someone
/// else (a code or ID typed on the wrong line): correcting one of the two is an update,
/// replacing both would overwrite another child's record.
fn is_someone_else(p: &LearnerPatch, e: &Existing) -> bool {
    fold(&p.full_name) != e.name_fold && p.birth_date != e.birth_date
}

fn someone_else(column: &str, e: &Existing) -> CellError {
    CellError::at(
        column,
        format!(
            "Mã này thuộc học sinh {} sinh ngày {}, khác cả họ tên lẫn ngày sinh trên dòng; hãy kiểm tra lại.",
            e.learner_code,
            e.birth_date.format("%d/%m/%Y")
        ),
    )
}

/// Column keys whose value an update changes.
fn changed_columns(before: &LearnerInput, after: &LearnerInput) -> Vec<String> {
    let mut out = Vec::new();
    let mut diff = |key: &str, changed: bool| {
        if changed {
            out.push(key.to_string());
        }
    };
    diff("national_id", before.national_id != after.national_id);
    diff("full_name", before.full_name != after.full_name);
    diff("birth_date", before.birth_date != after.birth_date);
    diff("gender", before.gender != after.gender);
    diff("ethnicity", before.ethnicity_code != after.ethnicity_code);
    diff("nationality", before.nationality != after.nationality);
    diff("religion", before.religion != after.religion);
    diff("address", before.address != after.address);
    diff("ward_code", before.ward_code != after.ward_code);
    diff("disability", before.disability != after.disability);
    diff("policy_group", before.policy_group != after.policy_group);
    diff("guardians", before.guardians != after.guardians);
    out
}

/// (enrolment, school, class) of each learner's enrolments in the year, by learner.
type Enrolled = HashMap<i64, Vec<(i64, i64, Option<i64>)>>;

/// The learners' enrolments in the year.
async fn current_enrolments(
    tx: &mut Tx,
    year_id: i64,
    learner_ids: &[i64],
) -> StoreResult<Enrolled> {
    let mut out: Enrolled = HashMap::new();
    for chunk in learner_ids.chunks(LOOKUP_CHUNK) {
        let rows: Vec<(i64, i64, i64, Option<i64>)> = tx
            .conn()
            .fetch_all(
                Query::select()
                    .columns([
                        Enrolments::LearnerId,
                        Enrolments::Id,
                        Enrolments::SchoolId,
                        Enrolments::ClassId,
                    ])
                    .from(Enrolments::Table)
                    .and_where(Expr::col(Enrolments::SchoolYearId).eq(year_id))
                    .and_where(Expr::col(Enrolments::LearnerId).is_in(chunk.iter().copied())),
            )
            .await?;
        for (learner, id, school, class) in rows {
            out.entry(learner).or_default().push((id, school, class));
        }
    }
    Ok(out)
}

fn placement(
    learner: Option<i64>,
    school: i64,
    class: &ClassRef,
    enrolled: &Enrolled,
) -> Placement {
    let current = learner
        .and_then(|l| enrolled.get(&l))
        .and_then(|es| es.iter().find(|(_, s, _)| *s == school));
    match current {
        None => Placement::Enrol(class.clone()),
        Some((_, _, Some(c))) if *c == class.id => Placement::None,
        Some((id, _, _)) => Placement::Move {
            enrolment_id: *id,
            class: class.clone(),
        },
    }
}

impl Plan {
    pub(super) fn outcomes(&self) -> Vec<RowOutcome> {
        self.rows
            .iter()
            .map(|r| RowOutcome {
                row: r.row,
                action: r.action(),
                label: r.label.clone(),
                record_id: r.learner_id,
                changes: r.changes.clone(),
                errors: r.errors.clone(),
            })
            .collect()
    }

    pub(super) async fn write(
        mut self,
        tx: &mut Tx,
        actor: &AuditActor,
        progress: Progress<'_>,
    ) -> StoreResult<Vec<RowOutcome>> {
        let total = self
            .rows
            .iter()
            .filter(|r| matches!(r.action(), RowAction::Create | RowAction::Update))
            .count();
        let mut done = 0;
        progress(0, total);
        let mut audit = Vec::new();
        // New learners, in chunks: one multi-row statement per table per chunk.
        let creates: Vec<usize> = (0..self.rows.len())
            .filter(|&i| self.rows[i].action() == RowAction::Create)
            .collect();
        for chunk in creates.chunks(1_500) {
            let ids = self.insert_learners(tx, chunk).await?;
            for (&i, id) in chunk.iter().zip(ids) {
                self.rows[i].learner_id = Some(id);
                audit.push((AuditAction::Create, id, self.rows[i].school_id));
            }
            self.enrol_new(tx, chunk).await?;
            done += chunk.len();
            progress(done, total);
        }
        for i in 0..self.rows.len() {
            let r = &self.rows[i];
            if r.action() != RowAction::Update || creates.binary_search(&i).is_ok() {
                continue;
            }
            let id = r.learner_id.expect("an update has its learner");
            if !r.changes.is_empty() {
                let input = r.input.as_ref().expect("a valid row has its input");
                crate::learners::write_profile(tx, id, input).await?;
                audit.push((AuditAction::Update, id, r.school_id));
            }
            match &r.placement {
                Placement::None => {}
                Placement::Enrol(class) => {
                    let (year, starts_on) = self.year.expect("a class implies a year");
                    let on = std::cmp::max(Utc::now().date_naive(), starts_on);
                    crate::enrolments::enrol(tx, id, year, r.school_id, Some(class.id), on).await?;
                }
                Placement::Move {
                    enrolment_id,
                    class,
                } => {
                    move_class(tx, *enrolment_id, class.id).await?;
                }
            }
            done += 1;
            if done % 500 == 0 {
                progress(done, total);
            }
        }
        progress(total, total);
        refs::audit_writes(tx, actor, "learner", &audit, "nhập từ tệp").await?;
        // A large import outgrows the planner's statistics of these tables, and the re-check
        // below would scan them whole per chunk (PostgreSQL analyses the transaction's own rows).
        if creates.len() >= 10_000 && tx.conn().backend() == Backend::Postgres {
            tx.conn()
                .execute_raw("ANALYZE learners, guardians, enrolments")
                .await?;
        }
        // The data-quality issues of what was written are current as soon as it commits.
        let written: Vec<i64> = audit.iter().map(|(_, id, _)| *id).collect();
        crate::quality::recheck_learners(tx, &written).await?;
        Ok(self.outcomes_after_write(&creates))
    }

    fn outcomes_after_write(&self, created: &[usize]) -> Vec<RowOutcome> {
        let mut out = self.outcomes();
        for &i in created {
            out[i].action = RowAction::Create;
        }
        out
    }

    /// Inserts the learners of these rows with new codes; returns their ids in row order.
    async fn insert_learners(&self, tx: &mut Tx, rows: &[usize]) -> StoreResult<Vec<i64>> {
        let first = crate::learners::reserve_codes(tx, rows.len() as u64).await?;
        let now = Utc::now();
        let mut insert = Query::insert();
        let mut columns: Vec<Learners> = vec![
            Learners::LearnerCode,
            Learners::SchoolId,
            Learners::CreatedAt,
            Learners::UpdatedAt,
        ];
        let mut codes = Vec::with_capacity(rows.len());
        for (n, &i) in rows.iter().enumerate() {
            let r = &self.rows[i];
            let input = r.input.as_ref().expect("a valid row has its input");
            let profile = profile_values(input);
            if n == 0 {
                columns.extend(profile.iter().map(|(c, _)| *c));
                insert.into_table(Learners::Table).columns(columns.clone());
            }
            let code = learner_code(first + n as u64);
            codes.push(code.clone());
            let mut values: Vec<Value> =
                vec![code.into(), r.school_id.into(), now.into(), now.into()];
            values.extend(profile.into_iter().map(|(_, v)| v));
            insert.values_panic(values.into_iter().map(SimpleExpr::from));
        }
        insert.returning(Query::returning().columns([Learners::Id, Learners::LearnerCode]));
        // Within the statement's parameter limit: 1,500 rows × 17 columns, under SQLite's 32,766.
        let returned: Vec<(i64, String)> = tx.conn().fetch_all(&insert).await?;
        let by_code: HashMap<String, i64> = returned.into_iter().map(|(id, c)| (c, id)).collect();
        let ids: Vec<i64> = codes.iter().map(|c| by_code[c]).collect();
        let mut guardians = Vec::new();
        let mut fts = Vec::new();
        for (&i, &id) in rows.iter().zip(&ids) {
            let input = self.rows[i].input.as_ref().expect("valid");
            for (k, g) in input.guardians.iter().enumerate() {
                guardians.push(guardian_values(id, k, g).to_vec());
            }
            fts.push(vec![
                id.into(),
                fold(&truongso_domain::text::clean(&input.full_name)).into(),
            ]);
        }
        bulk_insert(
            &mut tx.conn(),
            crate::schema::Guardians::Table,
            &GUARDIAN_COLUMNS,
            guardians,
        )
        .await?;
        if tx.conn().backend() == Backend::Sqlite {
            bulk_insert(
                &mut tx.conn(),
                Alias::new("learner_name_fts"),
                &[Alias::new("rowid"), Alias::new("name_fold")],
                fts,
            )
            .await?;
        }
        Ok(ids)
    }

    /// Enrols the new learners of these rows that name a class, with their first event.
    async fn enrol_new(&self, tx: &mut Tx, rows: &[usize]) -> StoreResult<()> {
        let Some((year, starts_on)) = self.year else {
            return Ok(());
        };
        let on = std::cmp::max(Utc::now().date_naive(), starts_on);
        let now = Utc::now();
        let mut insert = Query::insert();
        insert.into_table(Enrolments::Table).columns([
            Enrolments::LearnerId,
            Enrolments::SchoolYearId,
            Enrolments::SchoolId,
            Enrolments::ClassId,
            Enrolments::Status,
            Enrolments::UpdatedAt,
        ]);
        let mut any = false;
        for &i in rows {
            let r = &self.rows[i];
            if let Placement::Enrol(class) = &r.placement {
                any = true;
                insert.values_panic([
                    r.learner_id.expect("inserted").into(),
                    year.into(),
                    r.school_id.into(),
                    class.id.into(),
                    EnrolmentStatus::Studying.code().into(),
                    now.into(),
                ]);
            }
        }
        if !any {
            return Ok(());
        }
        insert.returning_col(Enrolments::Id);
        let ids: Vec<(i64,)> = tx.conn().fetch_all(&insert).await?;
        let events = ids
            .into_iter()
            .map(|(id,)| {
                vec![
                    id.into(),
                    EnrolmentStatus::Studying.code().into(),
                    on.into(),
                    Some("Nhập học (nhập từ tệp)").into(),
                    now.into(),
                ]
            })
            .collect();
        bulk_insert(
            &mut tx.conn(),
            EnrolmentEvents::Table,
            &[
                EnrolmentEvents::EnrolmentId,
                EnrolmentEvents::Status,
                EnrolmentEvents::EffectiveOn,
                EnrolmentEvents::Reason,
                EnrolmentEvents::CreatedAt,
            ],
            events,
        )
        .await?;
        Ok(())
    }
}

async fn move_class(tx: &mut Tx, enrolment_id: i64, class_id: i64) -> StoreResult<()> {
    tx.conn()
        .execute(
            Query::update()
                .table(Enrolments::Table)
                .value(Enrolments::ClassId, class_id)
                .value(Enrolments::UpdatedAt, Utc::now())
                .and_where(Expr::col(Enrolments::Id).eq(enrolment_id)),
        )
        .await?;
    Ok(())
}
