//! Importing the structure of a school year: classes (with homeroom teachers) and enrolments
//! (which learner is in which class, with what status).

use std::collections::HashMap;

use chrono::Utc;
use sea_query::{Expr, ExprTrait, Query};
use truongso_domain::import::classes::{ClassRow, parse_row as parse_class};
use truongso_domain::import::enrolments::{EnrolmentRow, parse_row as parse_enrolment};
use truongso_domain::import::{CellError, Mapping, data_rows, row_label};
use truongso_domain::learners::EnrolmentStatus;
use truongso_domain::school_year::school_year_code;
use truongso_domain::tabular::Table;
use truongso_domain::text::fold;

use super::refs::{self, ClassKey, ClassRef, LOOKUP_CHUNK, Units, class_key};
use super::{ImportOptions, Progress, RowAction, RowOutcome};
use crate::audit::{AuditAction, AuditActor};
use crate::classes::ClassInput;
use crate::enrolments::StatusChange;
use crate::schema::{Enrolments, Learners};
use crate::years::SchoolYear;
use crate::{Scope, StoreResult, Tx};

/// One planned row of either kind: what it is about, and what it will write.
struct Planned<W> {
    row: usize,
    label: String,
    errors: Vec<CellError>,
    record_id: Option<i64>,
    write: Option<W>,
}

fn outcome<W>(r: &Planned<W>, action_of: impl Fn(&W) -> RowAction) -> RowOutcome {
    RowOutcome {
        row: r.row,
        action: if !r.errors.is_empty() {
            RowAction::Rejected
        } else {
            r.write.as_ref().map_or(RowAction::Unchanged, action_of)
        },
        label: r.label.clone(),
        record_id: r.record_id,
        changes: vec![],
        errors: r.errors.clone(),
    }
}

/// The school year of a row: the one it names, else the current one.
fn year_of<'a>(
    named: Option<i32>,
    years: &'a [SchoolYear],
    current: Option<&'a SchoolYear>,
) -> Result<&'a SchoolYear, CellError> {
    match named {
        Some(start) => years.iter().find(|y| y.start_year == start).ok_or_else(|| {
            CellError::at(
                "school_year",
                format!("Năm học {} chưa được tạo.", school_year_code(start)),
            )
        }),
        None => {
            current.ok_or_else(|| CellError::row("Chưa có năm học hiện tại; hãy ghi cột Năm học."))
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Classes

pub(super) enum ClassWrite {
    Create(ClassInput),
    Update(i64, ClassInput),
}

pub(super) struct ClassPlan {
    rows: Vec<Planned<ClassWrite>>,
}

/// A class row with its school and school year resolved.
type ClassTarget<'a> = (&'a ClassRow, i64, &'a SchoolYear);

pub(super) async fn plan_classes(
    tx: &mut Tx,
    scope: &Scope,
    table: &Table,
    mapping: &Mapping,
    options: &ImportOptions,
) -> StoreResult<ClassPlan> {
    let parsed: Vec<(usize, Result<ClassRow, Vec<CellError>>)> = data_rows(table, mapping)
        .map(|r| (r.number, parse_class(&r)))
        .collect();
    let labels: Vec<String> = data_rows(table, mapping)
        .map(|r| row_label(&r, &["name", "school_year"]))
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
    let years = crate::years::list(&mut tx.conn()).await?;
    let current = years.iter().find(|y| y.is_current);
    let mut resolved: Vec<Result<ClassTarget, Vec<CellError>>> = Vec::new();
    for (_, p) in &parsed {
        resolved.push(match p {
            Err(e) => Err(e.clone()),
            Ok(p) => {
                let unit = units.resolve(p.school_code.as_deref(), "school_code");
                let year = year_of(p.school_year, &years, current);
                match (unit, year) {
                    (Ok(u), Ok(_)) if !teaches(u, p.grade) => Err(vec![CellError::at(
                        "grade",
                        format!("{} không dạy khối {}.", u.name, p.grade),
                    )]),
                    (Ok(u), Ok(y)) => Ok((p, u.id, y)),
                    (u, y) => Err(u.err().into_iter().chain(y.err()).collect()),
                }
            }
        });
    }
    let mut schools: Vec<i64> = resolved.iter().flatten().map(|(_, s, _)| *s).collect();
    schools.sort_unstable();
    schools.dedup();
    let year_ids: Vec<i64> = years.iter().map(|y| y.id).collect();
    let existing = refs::classes_of(tx, &schools, &year_ids).await?;
    let staff = crate::staff::of_units_or_ids(&mut tx.conn(), &schools, &[]).await?;
    let numbers: Vec<usize> = parsed.iter().map(|(n, _)| *n).collect();
    let mut errors: HashMap<usize, Vec<CellError>> = HashMap::new();
    refs::mark_duplicates(
        resolved.iter().enumerate().map(|(i, r)| {
            (
                i,
                r.as_ref()
                    .ok()
                    .map(|(p, s, y)| class_key(*s, y.id, &p.name)),
            )
        }),
        "name",
        "tên lớp",
        &mut errors,
        &numbers,
    );
    let mut rows = Vec::new();
    for (i, r) in resolved.into_iter().enumerate() {
        let mut planned = Planned {
            row: numbers[i],
            label: labels[i].clone(),
            errors: errors.remove(&i).unwrap_or_default(),
            record_id: None,
            write: None,
        };
        match r {
            Err(e) => planned.errors.extend(e),
            Ok((p, school, year)) => {
                planned.label = format!("Lớp {} ({})", p.name, year.code);
                let homeroom = match &p.homeroom {
                    None => Ok(None),
                    Some(h) => find_staff(h, school, &staff).map(Some),
                };
                match homeroom {
                    Err(e) => planned.errors.push(e),
                    Ok(homeroom) => {
                        let found = existing.get(&class_key(school, year.id, &p.name));
                        planned.record_id = found.map(|c| c.id);
                        planned.write = class_write(p, school, year.id, homeroom, found);
                    }
                }
            }
        }
        rows.push(planned);
    }
    Ok(ClassPlan { rows })
}

fn teaches(school: &crate::orgs::OrgUnit, grade: i32) -> bool {
    school
        .levels
        .0
        .iter()
        .any(|l| l.grades().contains(&(grade.clamp(0, 12) as u8)))
}

fn find_staff(
    text: &str,
    school: i64,
    staff: &[crate::staff::StaffMember],
) -> Result<i64, CellError> {
    let key = fold(text);
    let found: Vec<i64> = staff
        .iter()
        .filter(|s| s.org_unit_id == school)
        .filter(|s| s.national_id.as_deref() == Some(text.trim()) || fold(&s.full_name) == key)
        .map(|s| s.id)
        .collect();
    match found[..] {
        [id] => Ok(id),
        [] => Err(CellError::at(
            "homeroom",
            format!("Trường không có cán bộ '{text}'."),
        )),
        _ => Err(CellError::at(
            "homeroom",
            format!("Có nhiều cán bộ tên '{text}'; hãy ghi mã định danh của giáo viên."),
        )),
    }
}

fn class_write(
    p: &ClassRow,
    school: i64,
    year: i64,
    homeroom: Option<i64>,
    found: Option<&ClassRef>,
) -> Option<ClassWrite> {
    let input = |site_id| ClassInput {
        org_unit_id: school,
        site_id,
        school_year_id: year,
        grade: p.grade,
        name: p.name.clone(),
        homeroom_staff_id: homeroom.or(found.and_then(|c| c.homeroom_staff_id)),
    };
    match found {
        None => Some(ClassWrite::Create(input(None))),
        Some(c)
            if c.grade == p.grade
                && c.name == p.name
                && homeroom.is_none_or(|h| Some(h) == c.homeroom_staff_id) =>
        {
            None
        }
        // The site is kept as stored: `update` below reads it back.
        Some(c) => Some(ClassWrite::Update(c.id, input(None))),
    }
}

impl ClassPlan {
    pub(super) fn outcomes(&self) -> Vec<RowOutcome> {
        self.rows
            .iter()
            .map(|r| {
                outcome(r, |w| match w {
                    ClassWrite::Create(_) => RowAction::Create,
                    ClassWrite::Update(..) => RowAction::Update,
                })
            })
            .collect()
    }

    pub(super) async fn write(
        self,
        tx: &mut Tx,
        actor: &AuditActor,
        progress: Progress<'_>,
    ) -> StoreResult<Vec<RowOutcome>> {
        let mut outcomes = self.outcomes();
        let total = self.rows.iter().filter(|r| r.write.is_some()).count();
        let mut audit = Vec::new();
        let mut done = 0;
        for (r, o) in self.rows.into_iter().zip(&mut outcomes) {
            if o.action == RowAction::Rejected {
                continue;
            }
            match r.write {
                None => continue,
                Some(ClassWrite::Create(input)) => {
                    let c = crate::classes::create(tx, &Scope::All, &input).await?;
                    o.record_id = Some(c.id);
                    audit.push((AuditAction::Create, c.id, c.org_unit_id));
                }
                Some(ClassWrite::Update(id, mut input)) => {
                    let stored = crate::classes::get(&mut tx.conn(), &Scope::All, id).await?;
                    input.site_id = stored.site_id;
                    crate::classes::update(tx, &Scope::All, id, &input).await?;
                    audit.push((AuditAction::Update, id, stored.org_unit_id));
                }
            }
            done += 1;
            progress(done, total);
        }
        refs::audit_writes(tx, actor, "class", &audit, "nhập từ tệp").await?;
        Ok(outcomes)
    }
}

// ---------------------------------------------------------------------------------------------
// Enrolments

pub(super) enum EnrolmentWrite {
    Enrol {
        learner_id: i64,
        school_id: i64,
        year_id: i64,
        class_id: i64,
        status: EnrolmentStatus,
        on: chrono::NaiveDate,
    },
    Change(i64, StatusChange),
}

pub(super) struct EnrolmentPlan {
    rows: Vec<Planned<EnrolmentWrite>>,
}

#[derive(Debug, Clone, sqlx::FromRow)]
struct LearnerRef {
    id: i64,
    learner_code: String,
    national_id: Option<String>,
    full_name: String,
    school_id: i64,
}

#[derive(Debug, Clone, sqlx::FromRow)]
struct EnrolmentRef {
    id: i64,
    learner_id: i64,
    school_year_id: i64,
    school_id: i64,
    class_id: Option<i64>,
    #[sqlx(try_from = "String")]
    status: EnrolmentStatus,
}

pub(super) async fn plan_enrolments(
    tx: &mut Tx,
    scope: &Scope,
    table: &Table,
    mapping: &Mapping,
    options: &ImportOptions,
) -> StoreResult<EnrolmentPlan> {
    let parsed: Vec<(usize, Result<EnrolmentRow, Vec<CellError>>)> = data_rows(table, mapping)
        .map(|r| (r.number, parse_enrolment(&r)))
        .collect();
    let labels: Vec<String> = data_rows(table, mapping)
        .map(|r| row_label(&r, &["learner_code", "national_id", "full_name", "class"]))
        .collect();
    let numbers: Vec<usize> = parsed.iter().map(|(n, _)| *n).collect();
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
    let years = crate::years::list(&mut tx.conn()).await?;
    let current = years.iter().find(|y| y.is_current);
    let ok: Vec<Option<&EnrolmentRow>> = parsed.iter().map(|(_, p)| p.as_ref().ok()).collect();
    let learners = find_learners(tx, &ok).await?;
    let mut schools: Vec<i64> = Vec::new();
    let mut resolved = Vec::new();
    for (_, p) in &parsed {
        resolved.push(match p {
            Err(e) => Err(e.clone()),
            Ok(p) => {
                let unit = units.resolve(p.school_code.as_deref(), "school_code");
                let year = year_of(p.school_year, &years, current);
                let learner = find_learner(p, &learners);
                match (unit, year, learner) {
                    (Ok(u), Ok(y), Ok(l)) if l.school_id == u.id => {
                        schools.push(u.id);
                        Ok((p, u.id, y, l))
                    }
                    (Ok(_), Ok(_), Ok(_)) => Err(vec![CellError::row(
                        "Học sinh không thuộc trường này; hãy làm thủ tục chuyển trường.",
                    )]),
                    (u, y, l) => Err(u.err().into_iter().chain(y.err()).chain(l.err()).collect()),
                }
            }
        });
    }
    schools.sort_unstable();
    schools.dedup();
    let year_ids: Vec<i64> = years.iter().map(|y| y.id).collect();
    let classes = refs::classes_of(tx, &schools, &year_ids).await?;
    let learner_ids: Vec<i64> = resolved.iter().flatten().map(|(_, _, _, l)| l.id).collect();
    let enrolments = enrolments_of(tx, &learner_ids).await?;
    let mut errors: HashMap<usize, Vec<CellError>> = HashMap::new();
    refs::mark_duplicates(
        resolved
            .iter()
            .enumerate()
            .map(|(i, r)| (i, r.as_ref().ok().map(|(_, _, y, l)| (l.id, y.id)))),
        "learner_code",
        "học sinh (cùng năm học)",
        &mut errors,
        &numbers,
    );
    let mut rows = Vec::new();
    for (i, r) in resolved.into_iter().enumerate() {
        let mut planned = Planned {
            row: numbers[i],
            label: labels[i].clone(),
            errors: errors.remove(&i).unwrap_or_default(),
            record_id: None,
            write: None,
        };
        match r {
            Err(e) => planned.errors.extend(e),
            Ok((p, school, year, learner)) => {
                planned.label = format!(
                    "{} ({}) — lớp {}",
                    learner.full_name, learner.learner_code, p.class_name
                );
                match enrolment_write(p, school, year, learner, &classes, &enrolments) {
                    Ok((id, w)) => {
                        planned.record_id = id;
                        planned.write = w;
                    }
                    Err(e) => planned.errors.push(e),
                }
            }
        }
        rows.push(planned);
    }
    Ok(EnrolmentPlan { rows })
}

async fn find_learners(
    tx: &mut Tx,
    rows: &[Option<&EnrolmentRow>],
) -> StoreResult<Vec<LearnerRef>> {
    let codes: Vec<String> = rows
        .iter()
        .filter_map(|r| r.and_then(|r| r.learner_code.clone()))
        .collect();
    let ids: Vec<String> = rows
        .iter()
        .filter_map(|r| r.and_then(|r| r.national_id.clone()))
        .collect();
    let mut out = Vec::new();
    for (column, keys) in [(Learners::LearnerCode, codes), (Learners::NationalId, ids)] {
        for chunk in keys.chunks(LOOKUP_CHUNK) {
            out.extend(
                tx.conn()
                    .fetch_all::<LearnerRef>(
                        Query::select()
                            .columns([
                                Learners::Id,
                                Learners::LearnerCode,
                                Learners::NationalId,
                                Learners::FullName,
                                Learners::SchoolId,
                            ])
                            .from(Learners::Table)
                            .and_where(Expr::col(column).is_in(chunk.iter().cloned())),
                    )
                    .await?,
            );
        }
    }
    Ok(out)
}

fn find_learner<'a>(
    p: &EnrolmentRow,
    learners: &'a [LearnerRef],
) -> Result<&'a LearnerRef, CellError> {
    let found = match (&p.learner_code, &p.national_id) {
        (Some(code), _) => learners
            .iter()
            .find(|l| &l.learner_code == code)
            .ok_or_else(|| CellError::at("learner_code", format!("Không có học sinh mã {code}."))),
        (None, Some(id)) => {
            let same: Vec<&LearnerRef> = learners
                .iter()
                .filter(|l| l.national_id.as_ref() == Some(id))
                .collect();
            match same[..] {
                [l] => Ok(l),
                [] => Err(CellError::at(
                    "national_id",
                    format!("Không có học sinh mã định danh {id}."),
                )),
                _ => Err(CellError::at(
                    "national_id",
                    "Mã định danh trùng ở nhiều hồ sơ; hãy dùng Mã học sinh (và xử lý hồ sơ trùng).",
                )),
            }
        }
        (None, None) => Err(CellError::row("Thiếu mã học sinh.")),
    }?;
    if let Some(name) = &p.full_name
        && fold(name) != fold(&found.full_name)
    {
        return Err(CellError::at(
            "full_name",
            format!(
                "Họ tên không khớp với học sinh {} ({}).",
                found.learner_code, found.full_name
            ),
        ));
    }
    Ok(found)
}

async fn enrolments_of(tx: &mut Tx, learner_ids: &[i64]) -> StoreResult<Vec<EnrolmentRef>> {
    let mut out = Vec::new();
    for chunk in learner_ids.chunks(LOOKUP_CHUNK) {
        out.extend(
            tx.conn()
                .fetch_all::<EnrolmentRef>(
                    Query::select()
                        .columns([
                            Enrolments::Id,
                            Enrolments::LearnerId,
                            Enrolments::SchoolYearId,
                            Enrolments::SchoolId,
                            Enrolments::ClassId,
                            Enrolments::Status,
                        ])
                        .from(Enrolments::Table)
                        .and_where(Expr::col(Enrolments::LearnerId).is_in(chunk.iter().copied())),
                )
                .await?,
        );
    }
    Ok(out)
}

type EnrolmentDecision = (Option<i64>, Option<EnrolmentWrite>);

fn enrolment_write(
    p: &EnrolmentRow,
    school: i64,
    year: &SchoolYear,
    learner: &LearnerRef,
    classes: &HashMap<ClassKey, ClassRef>,
    enrolments: &[EnrolmentRef],
) -> Result<EnrolmentDecision, CellError> {
    let class = classes
        .get(&class_key(school, year.id, &p.class_name))
        .ok_or_else(|| {
            CellError::at(
                "class",
                format!(
                    "Trường không có lớp '{}' trong năm học {}.",
                    p.class_name, year.code
                ),
            )
        })?;
    let on = p
        .effective_on
        .unwrap_or_else(|| std::cmp::max(Utc::now().date_naive(), year.starts_on));
    let current = enrolments.iter().find(|e| {
        e.learner_id == learner.id && e.school_year_id == year.id && e.school_id == school
    });
    Ok(match current {
        None => (
            None,
            Some(EnrolmentWrite::Enrol {
                learner_id: learner.id,
                school_id: school,
                year_id: year.id,
                class_id: class.id,
                status: p.status,
                on,
            }),
        ),
        Some(e) if e.class_id == Some(class.id) && e.status == p.status => (Some(e.id), None),
        Some(e) => (
            Some(e.id),
            Some(EnrolmentWrite::Change(
                e.id,
                StatusChange {
                    status: p.status,
                    effective_on: on,
                    reason: Some("Nhập từ tệp".to_string()),
                    class_id: Some(class.id),
                },
            )),
        ),
    })
}

impl EnrolmentPlan {
    pub(super) fn outcomes(&self) -> Vec<RowOutcome> {
        self.rows
            .iter()
            .map(|r| {
                outcome(r, |w| match w {
                    EnrolmentWrite::Enrol { .. } => RowAction::Create,
                    EnrolmentWrite::Change(..) => RowAction::Update,
                })
            })
            .collect()
    }

    pub(super) async fn write(
        self,
        tx: &mut Tx,
        actor: &AuditActor,
        progress: Progress<'_>,
    ) -> StoreResult<Vec<RowOutcome>> {
        let mut outcomes = self.outcomes();
        let total = self.rows.iter().filter(|r| r.write.is_some()).count();
        let mut audit = Vec::new();
        let mut moved = Vec::new();
        let mut done = 0;
        for (r, o) in self.rows.into_iter().zip(&mut outcomes) {
            if o.action == RowAction::Rejected {
                continue;
            }
            match r.write {
                None => continue,
                Some(EnrolmentWrite::Enrol {
                    learner_id,
                    school_id,
                    year_id,
                    class_id,
                    status,
                    on,
                }) => {
                    moved.push(learner_id);
                    let id = crate::enrolments::enrol(
                        tx,
                        learner_id,
                        year_id,
                        school_id,
                        Some(class_id),
                        on,
                    )
                    .await?;
                    if status != EnrolmentStatus::Studying {
                        let change = StatusChange {
                            status,
                            effective_on: on,
                            reason: Some("Nhập từ tệp".into()),
                            class_id: None,
                        };
                        crate::enrolments::change_status(tx, &Scope::All, id, &change).await?;
                    }
                    o.record_id = Some(id);
                    audit.push((AuditAction::Create, id, school_id));
                }
                Some(EnrolmentWrite::Change(id, change)) => {
                    let e = crate::enrolments::change_status(tx, &Scope::All, id, &change).await?;
                    moved.push(e.learner_id);
                    audit.push((AuditAction::Update, id, e.school_id));
                }
            }
            done += 1;
            progress(done, total);
        }
        refs::audit_writes(tx, actor, "enrolment", &audit, "nhập từ tệp").await?;
        crate::quality::recheck_learners(tx, &moved).await?;
        Ok(outcomes)
    }
}
