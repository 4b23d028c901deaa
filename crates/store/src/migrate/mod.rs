//! Schema migrations, written once in Rust with sea-query and rendered for each backend, so the
//! SQLite and PostgreSQL schemas cannot drift (a test compares their tables and columns).
//!
//! One file a version (`vNN_name.rs`), so that a change to a shipped one stands out in review;
//! add a migration as a new file and a line in [`MIGRATIONS`], never edit one that has shipped.

mod v01_core;
mod v02_access;
mod v03_quality;
mod v04_imports;
mod v05_gradebook;
mod v06_transcripts;
mod v07_statistics;
mod v08_dx_index;
mod v09_targets;
mod v10_admission;
mod v11_account_security;

use chrono::Utc;
use sea_query::{
    ColumnDef, ForeignKey, ForeignKeyAction, Index, IndexCreateStatement, PostgresQueryBuilder,
    Query, SqliteQueryBuilder, Table, TableCreateStatement,
};

use crate::schema::*;
use crate::{Backend, Store, StoreError, StoreResult};

struct Migration {
    version: i64,
    name: &'static str,
    statements: fn(Backend) -> Vec<String>,
}

const MIGRATIONS: &[Migration] = &[
    Migration {
        version: 1,
        name: "core",
        statements: v01_core::statements,
    },
    Migration {
        version: 2,
        name: "access",
        statements: v02_access::statements,
    },
    Migration {
        version: 3,
        name: "quality",
        statements: v03_quality::statements,
    },
    Migration {
        version: 4,
        name: "imports",
        statements: v04_imports::statements,
    },
    Migration {
        version: 5,
        name: "gradebook",
        statements: v05_gradebook::statements,
    },
    Migration {
        version: 6,
        name: "transcripts",
        statements: v06_transcripts::statements,
    },
    Migration {
        version: 7,
        name: "statistics",
        statements: v07_statistics::statements,
    },
    Migration {
        version: 8,
        name: "dx_index",
        statements: v08_dx_index::statements,
    },
    Migration {
        version: 9,
        name: "targets",
        statements: v09_targets::statements,
    },
    Migration {
        version: 10,
        name: "admission",
        statements: v10_admission::statements,
    },
    Migration {
        version: 11,
        name: "account_security",
        statements: v11_account_security::statements,
    },
];

/// Applies every migration not yet applied, each in its own transaction. Safe to run repeatedly.
pub async fn run(store: &Store) -> StoreResult<Vec<i64>> {
    run_up_to(store, i64::MAX).await
}

/// Applies the migrations up to `last` (a database as an earlier release left it, for tests).
pub async fn run_up_to(store: &Store, last: i64) -> StoreResult<Vec<i64>> {
    let backend = store.backend();
    store
        .conn()
        .execute_raw(&render_table(backend, &migrations_table()))
        .await?;
    let applied: Vec<(i64,)> = store
        .conn()
        .fetch_all(
            Query::select()
                .column(SchemaMigrations::Version)
                .from(SchemaMigrations::Table),
        )
        .await?;
    let mut newly = Vec::new();
    for m in MIGRATIONS.iter().filter(|m| m.version <= last) {
        if applied.iter().any(|(v,)| *v == m.version) {
            continue;
        }
        let mut tx = store.begin().await?;
        for sql in (m.statements)(backend) {
            tx.conn().execute_raw(&sql).await.map_err(|e| {
                StoreError::Migration(format!("{} ({}): {e}", m.name, first_line(&sql)))
            })?;
        }
        tx.conn()
            .execute(
                Query::insert()
                    .into_table(SchemaMigrations::Table)
                    .columns([
                        SchemaMigrations::Version,
                        SchemaMigrations::Name,
                        SchemaMigrations::AppliedAt,
                    ])
                    .values_panic([m.version.into(), m.name.into(), Utc::now().into()]),
            )
            .await?;
        tx.commit().await?;
        newly.push(m.version);
    }
    Ok(newly)
}

/// Every migration as it renders for `backend`: (version, name, statements). Shipped versions
/// must render byte for byte as databases applied them (a test holds them to golden files).
pub fn rendered(backend: Backend) -> Vec<(i64, &'static str, Vec<String>)> {
    MIGRATIONS
        .iter()
        .map(|m| (m.version, m.name, (m.statements)(backend)))
        .collect()
}

fn first_line(sql: &str) -> &str {
    sql.lines().next().unwrap_or_default()
}

pub(super) fn render_table(backend: Backend, t: &TableCreateStatement) -> String {
    match backend {
        Backend::Sqlite => t.to_string(SqliteQueryBuilder),
        Backend::Postgres => t.to_string(PostgresQueryBuilder),
    }
}

pub(super) fn render_index(backend: Backend, i: &IndexCreateStatement) -> String {
    match backend {
        Backend::Sqlite => i.to_string(SqliteQueryBuilder),
        Backend::Postgres => i.to_string(PostgresQueryBuilder),
    }
}

fn migrations_table() -> TableCreateStatement {
    Table::create()
        .table(SchemaMigrations::Table)
        .if_not_exists()
        .col(
            ColumnDef::new(SchemaMigrations::Version)
                .big_integer()
                .not_null()
                .primary_key(),
        )
        .col(ColumnDef::new(SchemaMigrations::Name).text().not_null())
        .col(
            ColumnDef::new(SchemaMigrations::AppliedAt)
                .timestamp_with_time_zone()
                .not_null(),
        )
        .to_owned()
}

/// `id` primary key, auto-incremented on both backends.
pub(super) fn id<T: sea_query::IntoIden>(col: T) -> ColumnDef {
    ColumnDef::new(col)
        .big_integer()
        .not_null()
        .auto_increment()
        .primary_key()
        .to_owned()
}

pub(super) fn text<T: sea_query::IntoIden>(col: T) -> ColumnDef {
    ColumnDef::new(col).text().not_null().to_owned()
}

pub(super) fn text_null<T: sea_query::IntoIden>(col: T) -> ColumnDef {
    ColumnDef::new(col).text().null().to_owned()
}

pub(super) fn timestamp<T: sea_query::IntoIden>(col: T) -> ColumnDef {
    ColumnDef::new(col)
        .timestamp_with_time_zone()
        .not_null()
        .to_owned()
}

pub(super) fn fk<
    A: sea_query::IntoIden,
    B: sea_query::IntoIden,
    C: sea_query::IntoIden,
    D: sea_query::IntoIden,
>(
    from_table: A,
    from_col: B,
    to_table: C,
    to_col: D,
    on_delete: ForeignKeyAction,
) -> sea_query::ForeignKeyCreateStatement {
    ForeignKey::create()
        .from(from_table, from_col)
        .to(to_table, to_col)
        .on_delete(on_delete)
        .to_owned()
}

pub(super) fn index<T: sea_query::IntoIden + Copy, C: sea_query::IntoIden + Copy>(
    name: &str,
    table: T,
    cols: &[C],
    unique: bool,
) -> IndexCreateStatement {
    let mut i = Index::create();
    i.name(name).table(table).if_not_exists();
    for c in cols {
        i.col(*c);
    }
    if unique {
        i.unique();
    }
    i.to_owned()
}

/// The materialised path ("/1/4/37/") compared byte-wise on both backends, so that a subtree is
/// one index range (PostgreSQL's default collation would ignore the slashes).
pub(super) fn path_column(backend: Backend) -> ColumnDef {
    let mut c = text(OrgUnits::Path);
    if backend == Backend::Postgres {
        c.extra("COLLATE \"C\"");
    }
    c
}

pub(super) fn int<T: sea_query::IntoIden>(col: T) -> ColumnDef {
    ColumnDef::new(col)
        .integer()
        .not_null()
        .default(0)
        .to_owned()
}

pub(super) fn big<T: sea_query::IntoIden>(col: T) -> ColumnDef {
    ColumnDef::new(col).big_integer().not_null().to_owned()
}

pub(super) fn real_null<T: sea_query::IntoIden>(col: T) -> ColumnDef {
    ColumnDef::new(col).double().null().to_owned()
}

pub(super) fn int_null<T: sea_query::IntoIden>(col: T) -> ColumnDef {
    ColumnDef::new(col).integer().null().to_owned()
}

pub(super) fn timestamp_null<T: sea_query::IntoIden>(col: T) -> ColumnDef {
    ColumnDef::new(col)
        .timestamp_with_time_zone()
        .null()
        .to_owned()
}

/// Like the audit trail, the gradebook history refuses UPDATE and DELETE at the database. (The
/// hash chain is what detects someone who drops the triggers first.)
pub(super) fn append_only_history(backend: Backend) -> &'static [&'static str] {
    match backend {
        Backend::Sqlite => &[
            "CREATE TRIGGER grade_events_no_update BEFORE UPDATE ON grade_events BEGIN SELECT RAISE(ABORT, 'grade_events is append-only'); END",
            "CREATE TRIGGER grade_events_no_delete BEFORE DELETE ON grade_events BEGIN SELECT RAISE(ABORT, 'grade_events is append-only'); END",
            "CREATE TRIGGER grade_changes_no_update BEFORE UPDATE ON grade_changes BEGIN SELECT RAISE(ABORT, 'grade_changes is append-only'); END",
            "CREATE TRIGGER grade_changes_no_delete BEFORE DELETE ON grade_changes BEGIN SELECT RAISE(ABORT, 'grade_changes is append-only'); END",
        ],
        Backend::Postgres => &[
            "CREATE FUNCTION grade_history_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION '% is append-only', TG_TABLE_NAME; END $$",
            "CREATE TRIGGER grade_events_no_change BEFORE UPDATE OR DELETE ON grade_events FOR EACH ROW EXECUTE FUNCTION grade_history_append_only()",
            "CREATE TRIGGER grade_changes_no_change BEFORE UPDATE OR DELETE ON grade_changes FOR EACH ROW EXECUTE FUNCTION grade_history_append_only()",
        ],
    }
}

/// The audit trail refuses UPDATE and DELETE at the database itself, not only in our code.
pub(super) fn append_only_audit(backend: Backend) -> &'static [&'static str] {
    match backend {
        Backend::Sqlite => &[
            "CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END",
            "CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END",
        ],
        Backend::Postgres => &[
            "CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'audit_log is append-only'; END $$",
            "CREATE TRIGGER audit_log_no_change BEFORE UPDATE OR DELETE ON audit_log FOR EACH ROW EXECUTE FUNCTION audit_log_append_only()",
        ],
    }
}

/// The learner name search index: the only backend-specific schema object, because full-text
/// search is where the two engines differ. Both index the folded name computed in Rust
/// (`domain::text::fold`), so "nguyen thi hoa" finds "Nguyễn Thị Hoa" and "duc" finds "Đức".
pub(super) fn search_index(backend: Backend) -> &'static [&'static str] {
    match backend {
        // A contentless FTS5 table keyed by learner id, kept in step by `store::learners`.
        Backend::Sqlite => &[
            "CREATE VIRTUAL TABLE learner_name_fts USING fts5(name_fold, content='', contentless_delete=1, tokenize='unicode61')",
        ],
        Backend::Postgres => &[
            "CREATE INDEX ix_learners_name_fts ON learners USING gin (to_tsvector('simple', name_fold))",
        ],
    }
}

/// Tables that exist only on one backend, by design (search internals); the schema-parity test skips them.
pub fn is_backend_specific_table(name: &str) -> bool {
    name.starts_with("learner_name_fts") || name.starts_with("sqlite_")
}
