//! Version 11, "account_security": shipped; never edit (a test holds its SQL to `tests/store/migrations/`).

#[allow(unused_imports)]
use super::*;

/// A reset password must be changed at the next sign-in; browsers an account signed in from;
/// facts about the installation (whether a demo seed ran to its end).
pub(super) fn statements(backend: Backend) -> Vec<String> {
    let meta = Table::create()
        .table(InstanceMeta::Table)
        .col(
            ColumnDef::new(InstanceMeta::Key)
                .text()
                .not_null()
                .primary_key(),
        )
        .col(text(InstanceMeta::Value))
        .col(timestamp(InstanceMeta::UpdatedAt))
        .to_owned();
    let alter = Table::alter()
        .table(Users::Table)
        .add_column(
            ColumnDef::new(Users::MustChangePassword)
                .boolean()
                .not_null()
                .default(false),
        )
        .to_owned();
    let devices = Table::create()
        .table(KnownDevices::Table)
        .col(ColumnDef::new(KnownDevices::Id).text().not_null())
        .col(big(KnownDevices::UserId))
        .col(timestamp(KnownDevices::CreatedAt))
        .col(timestamp(KnownDevices::LastUsedAt))
        .col(int(KnownDevices::FailedLogins))
        .primary_key(
            Index::create()
                .col(KnownDevices::Id)
                .col(KnownDevices::UserId),
        )
        .foreign_key(&mut fk(
            KnownDevices::Table,
            KnownDevices::UserId,
            Users::Table,
            Users::Id,
            ForeignKeyAction::Cascade,
        ))
        .to_owned();
    let by_user = index(
        "ix_known_devices_user",
        KnownDevices::Table,
        &[KnownDevices::UserId],
        false,
    );
    vec![
        match backend {
            Backend::Sqlite => alter.to_string(SqliteQueryBuilder),
            Backend::Postgres => alter.to_string(PostgresQueryBuilder),
        },
        render_table(backend, &devices),
        render_index(backend, &by_user),
        render_table(backend, &meta),
    ]
}
