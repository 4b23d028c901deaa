//! Importing staff of schools and offices: found again by personal ID, else by name and birth
//! date, in the same unit.

use truongso_domain::import::staff::{StaffRow, cell_errors, parse_row};
use truongso_domain::import::{CellError, Mapping, data_rows, row_label};
use truongso_domain::staff::StaffInput;
use truongso_domain::tabular::Table;
use truongso_domain::text::fold;

use super::refs::{self, Units};
use super::{ImportOptions, Progress, RowAction, RowOutcome};
use crate::audit::{AuditAction, AuditActor};
use crate::staff::StaffMember;
use crate::{Scope, StoreResult, Tx};

struct Planned {
    row: usize,
    label: String,
    errors: Vec<CellError>,
    unit_id: i64,
    staff_id: Option<i64>,
    input: Option<StaffInput>,
    changed: bool,
}

pub(super) struct Plan {
    rows: Vec<Planned>,
    today: chrono::NaiveDate,
}

pub(super) async fn plan(
    tx: &mut Tx,
    scope: &Scope,
    table: &Table,
    mapping: &Mapping,
    options: &ImportOptions,
) -> StoreResult<Plan> {
    let parsed: Vec<(usize, Result<StaffRow, Vec<CellError>>)> = data_rows(table, mapping)
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
            .filter_map(|(_, p)| p.as_ref().ok()?.unit_code.as_deref()),
        options.default_unit_id,
        false,
    )
    .await?;
    let (mut errors, unit_of) =
        refs::assign_units(&parsed, &units, |p| p.unit_code.as_deref(), "unit_code");
    let rows_ok: Vec<Option<&StaffRow>> = parsed.iter().map(|(_, p)| p.as_ref().ok()).collect();
    refs::mark_duplicates(
        rows_ok
            .iter()
            .enumerate()
            .map(|(i, p)| (i, p.and_then(|p| p.input.national_id.clone()))),
        "national_id",
        "mã định danh",
        &mut errors,
        &numbers,
    );
    refs::mark_duplicates(
        rows_ok.iter().enumerate().map(|(i, p)| {
            (
                i,
                p.filter(|p| p.input.national_id.is_none())
                    .map(|p| (unit_of[i], fold(&p.input.full_name), p.input.birth_date)),
            )
        }),
        "full_name",
        "họ tên và ngày sinh",
        &mut errors,
        &numbers,
    );
    let mut unit_ids: Vec<i64> = unit_of.iter().flatten().copied().collect();
    unit_ids.sort_unstable();
    unit_ids.dedup();
    let ids: Vec<String> = rows_ok
        .iter()
        .filter_map(|p| p.and_then(|p| p.input.national_id.clone()))
        .collect();
    let stored = crate::staff::of_units_or_ids(&mut tx.conn(), &unit_ids, &ids).await?;

    let mut rows = Vec::with_capacity(parsed.len());
    for (i, (number, p)) in parsed.iter().enumerate() {
        let mut planned = Planned {
            row: *number,
            label: labels[i].clone(),
            errors: errors.remove(&i).unwrap_or_default(),
            unit_id: unit_of[i].unwrap_or_default(),
            staff_id: None,
            input: None,
            changed: false,
        };
        if let Ok(p) = p {
            planned.label = format!(
                "{} {}",
                p.input.full_name,
                p.input.birth_date.format("%d/%m/%Y")
            );
            match find(p, planned.unit_id, &stored) {
                Ok(found) => {
                    let input = match found {
                        Some(s) => p.apply_to(&s.to_input()),
                        None => p.input.clone(),
                    };
                    if let Err(invalid) = input.validate(options.today) {
                        planned.errors.extend(cell_errors(invalid));
                    }
                    planned.staff_id = found.map(|s| s.id);
                    planned.changed = found.is_none_or(|s| s.to_input() != input);
                    planned.input = Some(input);
                }
                Err(e) => planned.errors.push(e),
            }
        }
        rows.push(planned);
    }
    Ok(Plan {
        rows,
        today: options.today,
    })
}

fn find<'a>(
    row: &StaffRow,
    unit_id: i64,
    stored: &'a [StaffMember],
) -> Result<Option<&'a StaffMember>, CellError> {
    if let Some(id) = &row.input.national_id {
        let same: Vec<&StaffMember> = stored
            .iter()
            .filter(|s| s.national_id.as_ref() == Some(id))
            .collect();
        if let Some(s) = same.iter().find(|s| s.org_unit_id == unit_id) {
            return Ok(Some(s));
        }
        if !same.is_empty() {
            return Err(CellError::at(
                "national_id",
                "Mã định danh đã thuộc một cán bộ của đơn vị khác; hãy làm thủ tục điều chuyển.",
            ));
        }
    }
    let name = fold(&row.input.full_name);
    Ok(stored.iter().find(|s| {
        s.org_unit_id == unit_id
            && s.birth_date == row.input.birth_date
            && fold(&s.full_name) == name
            && (row.input.national_id.is_none() || s.national_id.is_none())
    }))
}

impl Plan {
    fn action(r: &Planned) -> RowAction {
        match (&r.errors[..], r.staff_id, r.changed) {
            ([_, ..], _, _) => RowAction::Rejected,
            ([], None, _) => RowAction::Create,
            ([], Some(_), true) => RowAction::Update,
            ([], Some(_), false) => RowAction::Unchanged,
        }
    }

    pub(super) fn outcomes(&self) -> Vec<RowOutcome> {
        self.rows
            .iter()
            .map(|r| RowOutcome {
                row: r.row,
                action: Self::action(r),
                label: r.label.clone(),
                record_id: r.staff_id,
                changes: vec![],
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
        let mut outcomes = self.outcomes();
        let total = outcomes
            .iter()
            .filter(|o| matches!(o.action, RowAction::Create | RowAction::Update))
            .count();
        let mut done = 0;
        let mut audit = Vec::new();
        for (r, outcome) in self.rows.iter_mut().zip(&mut outcomes) {
            let Some(input) = &r.input else { continue };
            match outcome.action {
                RowAction::Create => {
                    let s =
                        crate::staff::create(tx, &Scope::All, r.unit_id, input, self.today).await?;
                    outcome.record_id = Some(s.id);
                    audit.push((AuditAction::Create, s.id, r.unit_id));
                }
                RowAction::Update => {
                    let id = r.staff_id.expect("an update has its record");
                    crate::staff::update(tx, &Scope::All, id, input, self.today).await?;
                    audit.push((AuditAction::Update, id, r.unit_id));
                }
                _ => continue,
            }
            done += 1;
            progress(done, total);
        }
        refs::audit_writes(tx, actor, "staff", &audit, "nhập từ tệp").await?;
        Ok(outcomes)
    }
}
