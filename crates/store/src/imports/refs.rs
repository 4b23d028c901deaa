//! Lookups every kind of import needs, done once per file rather than once per row: the units
//! named by code, the current school year, the classes of those schools.

use std::collections::HashMap;

use sea_query::{Expr, ExprTrait, Query};
use truongso_domain::import::CellError;
use truongso_domain::org::OrgKind;
use truongso_domain::text::fold;

use crate::audit::{AuditAction, AuditActor};
use crate::orgs::OrgUnit;
use crate::schema::Classes;
use crate::years::SchoolYear;
use crate::{Scope, StoreError, StoreResult, Tx};

/// Rows per statement when looking up many keys at once.
pub(super) const LOOKUP_CHUNK: usize = 500;

/// The units rows may belong to: the default one, and those named by a unit-code column.
pub(super) struct Units {
    by_code: HashMap<String, OrgUnit>,
    default: Option<OrgUnit>,
    schools_only: bool,
}

impl Units {
    pub(super) async fn load<'a>(
        tx: &mut Tx,
        scope: &Scope,
        codes: impl Iterator<Item = &'a str>,
        default_id: Option<i64>,
        schools_only: bool,
    ) -> StoreResult<Units> {
        let default = match default_id {
            Some(id) => Some(
                crate::orgs::get(&mut tx.conn(), scope, id)
                    .await
                    .map_err(|_| StoreError::invalid("school_id", "Không tìm thấy đơn vị."))?,
            ),
            None => None,
        };
        if let Some(d) = &default
            && schools_only
            && d.kind != OrgKind::School
        {
            return Err(StoreError::invalid(
                "school_id",
                "Hãy chọn một trường (không phải phòng/sở).",
            ));
        }
        let mut wanted: Vec<String> = codes.map(str::to_string).collect();
        wanted.sort();
        wanted.dedup();
        let mut by_code = HashMap::new();
        for chunk in wanted.chunks(LOOKUP_CHUNK) {
            let units = crate::orgs::get_by_codes(&mut tx.conn(), scope, chunk).await?;
            by_code.extend(units.into_iter().map(|u| (u.code.clone(), u)));
        }
        Ok(Units {
            by_code,
            default,
            schools_only,
        })
    }

    /// The unit of a row: its unit-code cell, or the default unit.
    pub(super) fn resolve(&self, code: Option<&str>, column: &str) -> Result<&OrgUnit, CellError> {
        match code {
            Some(c) => match self.by_code.get(c) {
                Some(u) if self.schools_only && u.kind != OrgKind::School => Err(CellError::at(
                    column,
                    format!("'{c}' là mã của {}, không phải một trường.", u.name),
                )),
                Some(u) => Ok(u),
                None => Err(CellError::at(
                    column,
                    format!("Không có đơn vị mã '{c}' trong phạm vi quản lý của bạn."),
                )),
            },
            None => self.default.as_ref().ok_or_else(|| {
                CellError::row("Chưa chọn trường nhập vào, và dòng không có cột Mã trường.")
            }),
        }
    }
}

/// Each read row's unit (by its unit-code cell, else the default), and the errors of every row:
/// its reading errors, or an unknown unit. Indexes are positions in `rows`.
pub(super) fn assign_units<T>(
    rows: &[(usize, Result<T, Vec<CellError>>)],
    units: &Units,
    code_of: impl Fn(&T) -> Option<&str>,
    column: &str,
) -> (HashMap<usize, Vec<CellError>>, Vec<Option<i64>>) {
    let mut errors: HashMap<usize, Vec<CellError>> = HashMap::new();
    let mut unit_of = vec![None; rows.len()];
    for (i, (_, p)) in rows.iter().enumerate() {
        match p {
            Err(e) => errors.entry(i).or_default().extend(e.iter().cloned()),
            Ok(p) => match units.resolve(code_of(p), column) {
                Ok(u) => unit_of[i] = Some(u.id),
                Err(e) => errors.entry(i).or_default().push(e),
            },
        }
    }
    (errors, unit_of)
}

/// The current school year, required by imports that place learners in classes.
pub(super) async fn current_year(tx: &mut Tx) -> StoreResult<Option<SchoolYear>> {
    crate::years::current(&mut tx.conn()).await
}

/// A class found by school, school year and name (names compare folded: "6a" is "6A").
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub(super) struct ClassRef {
    pub id: i64,
    pub org_unit_id: i64,
    pub school_year_id: i64,
    pub name: String,
    pub grade: i32,
    pub homeroom_staff_id: Option<i64>,
}

pub(super) type ClassKey = (i64, i64, String);

pub(super) fn class_key(school_id: i64, year_id: i64, name: &str) -> ClassKey {
    (school_id, year_id, fold(name).replace(' ', ""))
}

/// The classes of these schools in these years, by [`class_key`].
pub(super) async fn classes_of(
    tx: &mut Tx,
    school_ids: &[i64],
    year_ids: &[i64],
) -> StoreResult<HashMap<ClassKey, ClassRef>> {
    let mut out = HashMap::new();
    if year_ids.is_empty() {
        return Ok(out);
    }
    for chunk in school_ids.chunks(LOOKUP_CHUNK) {
        let rows: Vec<ClassRef> = tx
            .conn()
            .fetch_all(
                Query::select()
                    .columns([
                        Classes::Id,
                        Classes::OrgUnitId,
                        Classes::SchoolYearId,
                        Classes::Name,
                        Classes::Grade,
                        Classes::HomeroomStaffId,
                    ])
                    .from(Classes::Table)
                    .and_where(Expr::col(Classes::OrgUnitId).is_in(chunk.iter().copied()))
                    .and_where(Expr::col(Classes::SchoolYearId).is_in(year_ids.iter().copied())),
            )
            .await?;
        for c in rows {
            out.insert(class_key(c.org_unit_id, c.school_year_id, &c.name), c);
        }
    }
    Ok(out)
}

/// One audit entry per record an import wrote, in bulk (same transaction as the writes).
pub(super) async fn audit_writes(
    tx: &mut Tx,
    actor: &AuditActor,
    entity: &str,
    writes: &[(AuditAction, i64, i64)],
    detail: &str,
) -> StoreResult<()> {
    crate::audit::record_many(&mut tx.conn(), actor, entity, writes, Some(detail)).await
}

/// Marks the second and later rows with the same key as duplicates of the first.
pub(super) fn mark_duplicates<K: std::hash::Hash + Eq>(
    keys: impl Iterator<Item = (usize, Option<K>)>,
    column: &str,
    what: &str,
    errors: &mut HashMap<usize, Vec<CellError>>,
    rows: &[usize],
) {
    let mut first: HashMap<K, usize> = HashMap::new();
    for (i, key) in keys {
        let Some(key) = key else { continue };
        match first.get(&key) {
            Some(&j) => errors.entry(i).or_default().push(CellError::at(
                column,
                format!("Trùng {what} với dòng {} của tệp.", rows[j]),
            )),
            None => {
                first.insert(key, i);
            }
        }
    }
}
