//! Version 9, "targets": shipped; never edit (a test holds its SQL to `tests/store/migrations/`).

#[allow(unused_imports)]
use super::*;

/// Plan targets: the indicators (seeded with the shipped ones, then edited by departments) and
/// the daily snapshots of every school's metrics. No foreign keys on snapshots: a past figure
/// stays as it was taken. The seed reads `plan-targets.toml` as it is when a database is
/// created; a new shipped indicator for existing databases needs a migration of its own.
pub(super) fn statements(backend: Backend) -> Vec<String> {
    let tables = [
        Table::create()
            .table(TargetIndicators::Table)
            .col(
                ColumnDef::new(TargetIndicators::Code)
                    .text()
                    .not_null()
                    .primary_key(),
            )
            .col(int(TargetIndicators::Position))
            .col(text(TargetIndicators::Name))
            .col(text(TargetIndicators::NameEn))
            .col(text_null(TargetIndicators::Formula))
            .col(ColumnDef::new(TargetIndicators::Target).double().not_null())
            .col(
                ColumnDef::new(TargetIndicators::TargetHardArea)
                    .double()
                    .null(),
            )
            .col(ColumnDef::new(TargetIndicators::Deadline).date().not_null())
            .col(text(TargetIndicators::Levels))
            .col(text(TargetIndicators::Grades))
            .col(text(TargetIndicators::ScopeNote))
            .col(text(TargetIndicators::Source))
            .col(text_null(TargetIndicators::Needs))
            .col(text_null(TargetIndicators::UpdatedBy))
            .col(timestamp(TargetIndicators::UpdatedAt))
            .to_owned(),
        Table::create()
            .table(TargetSnapshots::Table)
            .col(
                ColumnDef::new(TargetSnapshots::TakenOn)
                    .date()
                    .not_null()
                    .primary_key(),
            )
            .col(text(TargetSnapshots::Origin))
            .col(timestamp(TargetSnapshots::TakenAt))
            .to_owned(),
        Table::create()
            .table(TargetValues::Table)
            .col(ColumnDef::new(TargetValues::TakenOn).date().not_null())
            .col(big(TargetValues::SchoolId))
            .col(text(TargetValues::Metric))
            .col(int(TargetValues::Grade))
            .col(big(TargetValues::Value))
            .primary_key(
                Index::create()
                    .col(TargetValues::TakenOn)
                    .col(TargetValues::SchoolId)
                    .col(TargetValues::Metric)
                    .col(TargetValues::Grade),
            )
            .to_owned(),
    ];
    let mut out: Vec<String> = tables.iter().map(|t| render_table(backend, t)).collect();
    out.push(render_index(
        backend,
        &index(
            "ix_target_values_school",
            TargetValues::Table,
            &[TargetValues::SchoolId, TargetValues::TakenOn],
            false,
        ),
    ));
    let now = Utc::now();
    for (position, ind) in truongso_domain::targets::defaults().iter().enumerate() {
        let raw = ind.to_raw();
        let insert = Query::insert()
            .into_table(TargetIndicators::Table)
            .columns([
                TargetIndicators::Code,
                TargetIndicators::Position,
                TargetIndicators::Name,
                TargetIndicators::NameEn,
                TargetIndicators::Formula,
                TargetIndicators::Target,
                TargetIndicators::TargetHardArea,
                TargetIndicators::Deadline,
                TargetIndicators::Levels,
                TargetIndicators::Grades,
                TargetIndicators::ScopeNote,
                TargetIndicators::Source,
                TargetIndicators::Needs,
                TargetIndicators::UpdatedAt,
            ])
            .values_panic([
                raw.code.into(),
                (position as i32).into(),
                raw.name.into(),
                raw.name_en.into(),
                raw.formula.into(),
                raw.target.into(),
                raw.target_hard_area.into(),
                ind.deadline.into(),
                raw.levels.join(",").into(),
                crate::targets::grades_text(&ind.scope.grades).into(),
                raw.scope.into(),
                raw.source.into(),
                raw.needs.into(),
                now.into(),
            ])
            .to_owned();
        out.push(match backend {
            Backend::Sqlite => insert.to_string(SqliteQueryBuilder),
            Backend::Postgres => insert.to_string(PostgresQueryBuilder),
        });
    }
    out
}
