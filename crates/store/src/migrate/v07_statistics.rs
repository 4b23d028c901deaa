//! Version 7, "statistics": shipped; never edit (a test holds its SQL to `tests/store/migrations/`).

#[allow(unused_imports)]
use super::*;

/// Frozen statistical reports (see `crate::statistics`).
pub(super) fn statements(backend: Backend) -> Vec<String> {
    let table = Table::create()
        .table(StatSubmissions::Table)
        .col(id(StatSubmissions::Id))
        .col(big(StatSubmissions::UnitId))
        .col(text(StatSubmissions::Kind))
        .col(big(StatSubmissions::SchoolYearId))
        .col(ColumnDef::new(StatSubmissions::AsOf).date().not_null())
        .col(
            ColumnDef::new(StatSubmissions::Version)
                .integer()
                .not_null(),
        )
        // Per-school figures as JSON: {"school id": [[table, row, col, count], …], …}.
        .col(text(StatSubmissions::Figures))
        .col(
            ColumnDef::new(StatSubmissions::Schools)
                .integer()
                .not_null(),
        )
        .col(
            ColumnDef::new(StatSubmissions::SubmittedBy)
                .big_integer()
                .null(),
        )
        .col(text(StatSubmissions::SubmittedByName))
        .col(timestamp(StatSubmissions::SubmittedAt))
        .col(text_null(StatSubmissions::Note))
        .foreign_key(&mut fk(
            StatSubmissions::Table,
            StatSubmissions::UnitId,
            OrgUnits::Table,
            OrgUnits::Id,
            ForeignKeyAction::Restrict,
        ))
        .foreign_key(&mut fk(
            StatSubmissions::Table,
            StatSubmissions::SchoolYearId,
            SchoolYears::Table,
            SchoolYears::Id,
            ForeignKeyAction::Restrict,
        ))
        .foreign_key(&mut fk(
            StatSubmissions::Table,
            StatSubmissions::SubmittedBy,
            Users::Table,
            Users::Id,
            ForeignKeyAction::SetNull,
        ))
        .to_owned();
    let index = index(
        "ux_stat_submissions_version",
        StatSubmissions::Table,
        &[
            StatSubmissions::UnitId,
            StatSubmissions::Kind,
            StatSubmissions::SchoolYearId,
            StatSubmissions::Version,
        ],
        true,
    );
    vec![render_table(backend, &table), render_index(backend, &index)]
}
