//! Imports: what each row of a file would do to the database (preview), and doing it (apply).
//!
//! Every row is checked before anything is written: the domain reads the cells, this module
//! resolves schools, classes and existing records, then validates what would be stored. Apply
//! plans again inside its transaction (the database may have changed since the preview) and
//! writes all or nothing; with `keep_valid` the rejected rows are skipped instead. A row that
//! matches its stored record exactly changes nothing, so re-importing a file is harmless and a
//! killed import (rolled back by the database) can simply be run again.

mod learners;
mod refs;
mod staff;
mod structure;

use chrono::NaiveDate;
use serde::Serialize;
use truongso_domain::import::{CellError, ImportKind, Mapping};
use truongso_domain::tabular::Table;

use crate::audit::AuditActor;
use crate::{Scope, Store, StoreError, StoreResult, Tx};

/// What a row does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum RowAction {
    Create,
    Update,
    Unchanged,
    Rejected,
}

impl RowAction {
    pub fn label_vi(self) -> &'static str {
        match self {
            RowAction::Create => "Thêm mới",
            RowAction::Update => "Cập nhật",
            RowAction::Unchanged => "Không đổi",
            RowAction::Rejected => "Bị từ chối",
        }
    }
}

/// The outcome of one data row.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct RowOutcome {
    /// The row number in the file, as Excel shows it.
    pub row: usize,
    pub action: RowAction,
    /// Who the row is about ("Nguyễn Thị Hoa 05/09/2014", "Lớp 6A").
    pub label: String,
    /// The stored record it matched or created (after apply).
    pub record_id: Option<i64>,
    /// For an update: the columns whose stored value changes.
    pub changes: Vec<String>,
    pub errors: Vec<CellError>,
}

/// What an import did, or would do.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ImportReport {
    pub kind: ImportKind,
    pub rows: Vec<RowOutcome>,
    pub created: usize,
    pub updated: usize,
    pub unchanged: usize,
    pub rejected: usize,
    /// Whether anything was written: false for a preview, and for an all-or-nothing import
    /// refused because of rejected rows.
    pub applied: bool,
}

impl ImportReport {
    fn new(kind: ImportKind, rows: Vec<RowOutcome>) -> Self {
        let count = |a: RowAction| rows.iter().filter(|r| r.action == a).count();
        ImportReport {
            kind,
            created: count(RowAction::Create),
            updated: count(RowAction::Update),
            unchanged: count(RowAction::Unchanged),
            rejected: count(RowAction::Rejected),
            rows,
            applied: false,
        }
    }

    /// The rejected rows' numbers with their messages, for the error report.
    pub fn rejected_rows(&self) -> impl Iterator<Item = &RowOutcome> {
        self.rows.iter().filter(|r| r.action == RowAction::Rejected)
    }
}

/// How to import.
#[derive(Debug, Clone)]
pub struct ImportOptions {
    pub kind: ImportKind,
    /// The school (or unit, for staff) rows belong to when they have no unit-code column.
    pub default_unit_id: Option<i64>,
    /// Import the valid rows and skip the rejected ones (else nothing is written if any row is
    /// rejected).
    pub keep_valid: bool,
    pub today: NaiveDate,
}

/// Called with (rows written, rows to write) while an import writes.
pub type Progress<'a> = &'a mut (dyn FnMut(usize, usize) + Send);

/// What each row would do; nothing is written.
pub async fn preview(
    store: &Store,
    scope: &Scope,
    table: &Table,
    mapping: &Mapping,
    options: &ImportOptions,
) -> StoreResult<ImportReport> {
    check_scope(scope)?;
    let mut tx = store.begin().await?;
    let plan = plan(&mut tx, scope, table, mapping, options).await?;
    // Read-only: the transaction only gives the planning one consistent view.
    drop(tx);
    Ok(ImportReport::new(options.kind, plan.outcomes()))
}

/// Plans and writes in one transaction. Writes nothing when a row is rejected, unless
/// `keep_valid`.
pub async fn apply(
    store: &Store,
    scope: &Scope,
    actor: &AuditActor,
    table: &Table,
    mapping: &Mapping,
    options: &ImportOptions,
    progress: Progress<'_>,
) -> StoreResult<ImportReport> {
    check_scope(scope)?;
    let mut tx = store.begin().await?;
    let plan = plan(&mut tx, scope, table, mapping, options).await?;
    let outcomes = plan.outcomes();
    let rejected = outcomes.iter().any(|r| r.action == RowAction::Rejected);
    if rejected && !options.keep_valid {
        return Ok(ImportReport::new(options.kind, outcomes));
    }
    let outcomes = plan.write(&mut tx, actor, progress).await?;
    tx.commit().await?;
    let mut report = ImportReport::new(options.kind, outcomes);
    report.applied = true;
    Ok(report)
}

/// Imports are for managers of a unit; teachers and families edit records one by one.
fn check_scope(scope: &Scope) -> StoreResult<()> {
    match scope {
        Scope::All | Scope::Subtree { .. } => Ok(()),
        _ => Err(StoreError::invalid(
            "kind",
            "Chỉ cán bộ quản lý trường, phòng, sở mới nhập dữ liệu từ tệp.",
        )),
    }
}

/// A planned import of one kind.
enum Plan {
    Learners(learners::Plan),
    Staff(staff::Plan),
    Classes(structure::ClassPlan),
    Enrolments(structure::EnrolmentPlan),
}

async fn plan(
    tx: &mut Tx,
    scope: &Scope,
    table: &Table,
    mapping: &Mapping,
    options: &ImportOptions,
) -> StoreResult<Plan> {
    Ok(match options.kind {
        ImportKind::Learners => {
            Plan::Learners(learners::plan(tx, scope, table, mapping, options).await?)
        }
        ImportKind::Staff => Plan::Staff(staff::plan(tx, scope, table, mapping, options).await?),
        ImportKind::Classes => {
            Plan::Classes(structure::plan_classes(tx, scope, table, mapping, options).await?)
        }
        ImportKind::Enrolments => {
            Plan::Enrolments(structure::plan_enrolments(tx, scope, table, mapping, options).await?)
        }
    })
}

impl Plan {
    fn outcomes(&self) -> Vec<RowOutcome> {
        match self {
            Plan::Learners(p) => p.outcomes(),
            Plan::Staff(p) => p.outcomes(),
            Plan::Classes(p) => p.outcomes(),
            Plan::Enrolments(p) => p.outcomes(),
        }
    }

    async fn write(
        self,
        tx: &mut Tx,
        actor: &AuditActor,
        progress: Progress<'_>,
    ) -> StoreResult<Vec<RowOutcome>> {
        match self {
            Plan::Learners(p) => p.write(tx, actor, progress).await,
            Plan::Staff(p) => p.write(tx, actor, progress).await,
            Plan::Classes(p) => p.write(tx, actor, progress).await,
            Plan::Enrolments(p) => p.write(tx, actor, progress).await,
        }
    }
}
