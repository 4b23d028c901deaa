//! Connections: one [`Store`] (a pool for either backend), one [`Conn`] to run sea-query
//! statements on the pool or a transaction. Backend differences stop here.

use std::str::FromStr;
use std::time::Duration;

use sea_query::{PostgresQueryBuilder, SqliteQueryBuilder};
use sea_query_sqlx::SqlxBinder;
use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions, PgRow};
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteRow,
    SqliteSynchronous,
};
use sqlx::{AssertSqlSafe, PgConnection, SqliteConnection};

use crate::{StoreError, StoreResult};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// A row type that decodes from both backends (derive `sqlx::FromRow` on a struct of portable types).
pub trait Record:
    for<'r> sqlx::FromRow<'r, SqliteRow> + for<'r> sqlx::FromRow<'r, PgRow> + Send + Unpin
{
}
impl<T> Record for T where
    T: for<'r> sqlx::FromRow<'r, SqliteRow> + for<'r> sqlx::FromRow<'r, PgRow> + Send + Unpin
{
}

/// The database: a connection pool for SQLite or PostgreSQL, chosen by the URL scheme.
#[derive(Debug, Clone)]
pub enum Store {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

impl Store {
    /// Connects to `sqlite://path.db` (created if missing; WAL, foreign keys on) or `postgres://…`.
    pub async fn connect(url: &str) -> StoreResult<Store> {
        if url.starts_with("sqlite:") {
            let options = SqliteConnectOptions::from_str(url)?
                .create_if_missing(true)
                .journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Normal)
                .foreign_keys(true)
                .busy_timeout(Duration::from_secs(10))
                .pragma("cache_size", "-65536");
            let pool = SqlitePoolOptions::new()
                .max_connections(8)
                .connect_with(options)
                .await?;
            Ok(Store::Sqlite(pool))
        } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            let options = PgConnectOptions::from_str(url)?;
            let pool = PgPoolOptions::new()
                .max_connections(16)
                .acquire_timeout(Duration::from_secs(10))
                .connect_with(options)
                .await?;
            Ok(Store::Postgres(pool))
        } else {
            Err(StoreError::invalid(
                "database",
                format!(
                    "Địa chỉ cơ sở dữ liệu '{url}' không hợp lệ: phải bắt đầu bằng sqlite:// hoặc postgres://"
                ),
            ))
        }
    }

    pub fn backend(&self) -> Backend {
        match self {
            Store::Sqlite(_) => Backend::Sqlite,
            Store::Postgres(_) => Backend::Postgres,
        }
    }

    /// A handle for running statements directly on the pool (autocommit).
    pub fn conn(&self) -> Conn<'_> {
        match self {
            Store::Sqlite(p) => Conn::SqlitePool(p),
            Store::Postgres(p) => Conn::PgPool(p),
        }
    }

    /// Starts a transaction: every multi-statement write goes through one, so that bad input or
    /// a crash never leaves a partial write.
    ///
    /// SQLite transactions start IMMEDIATE (taking the write lock at once, waiting for it up to
    /// the busy timeout): a deferred one that read first and then found another connection had
    /// written meanwhile (a background scan, an import) would fail at once with "database is
    /// locked" instead of waiting its turn.
    pub async fn begin(&self) -> StoreResult<Tx> {
        Ok(match self {
            Store::Sqlite(p) => Tx::Sqlite(p.begin_with("BEGIN IMMEDIATE").await?),
            Store::Postgres(p) => Tx::Postgres(p.begin().await?),
        })
    }

    pub async fn close(&self) {
        match self {
            Store::Sqlite(p) => p.close().await,
            Store::Postgres(p) => p.close().await,
        }
    }

    pub fn sqlite_pool(&self) -> Option<&SqlitePool> {
        match self {
            Store::Sqlite(p) => Some(p),
            Store::Postgres(_) => None,
        }
    }

    pub fn pg_pool(&self) -> Option<&PgPool> {
        match self {
            Store::Postgres(p) => Some(p),
            Store::Sqlite(_) => None,
        }
    }
}

/// An open transaction; dropped without [`Tx::commit`] it rolls back.
pub enum Tx {
    Sqlite(sqlx::Transaction<'static, sqlx::Sqlite>),
    Postgres(sqlx::Transaction<'static, sqlx::Postgres>),
}

impl Tx {
    pub fn conn(&mut self) -> Conn<'_> {
        match self {
            Tx::Sqlite(t) => Conn::Sqlite(t),
            Tx::Postgres(t) => Conn::Pg(t),
        }
    }

    pub async fn commit(self) -> StoreResult<()> {
        match self {
            Tx::Sqlite(t) => t.commit().await?,
            Tx::Postgres(t) => t.commit().await?,
        }
        Ok(())
    }
}

/// Where a statement runs: a pool or a connection inside a transaction, of either backend.
pub enum Conn<'a> {
    SqlitePool(&'a SqlitePool),
    PgPool(&'a PgPool),
    Sqlite(&'a mut SqliteConnection),
    Pg(&'a mut PgConnection),
}

/// Renders `$stmt` for the backend of `$conn`, binds its values and runs `$run` on the executor.
macro_rules! on_backend {
    ($conn:expr, $stmt:expr, |$query:ident, $exec:ident| $run:expr) => {
        match $conn {
            Conn::SqlitePool(p) => {
                let (sql, values) = $stmt.build_sqlx(SqliteQueryBuilder);
                let $query = (AssertSqlSafe(sql), values);
                let $exec = *p;
                $run
            }
            Conn::Sqlite(c) => {
                let (sql, values) = $stmt.build_sqlx(SqliteQueryBuilder);
                let $query = (AssertSqlSafe(sql), values);
                let $exec = &mut **c;
                $run
            }
            Conn::PgPool(p) => {
                let (sql, values) = $stmt.build_sqlx(PostgresQueryBuilder);
                let $query = (AssertSqlSafe(sql), values);
                let $exec = *p;
                $run
            }
            Conn::Pg(c) => {
                let (sql, values) = $stmt.build_sqlx(PostgresQueryBuilder);
                let $query = (AssertSqlSafe(sql), values);
                let $exec = &mut **c;
                $run
            }
        }
    };
}

/// Runs a raw SQL text (no parameters) on the executor of `$conn`.
macro_rules! raw_on_backend {
    ($conn:expr, |$exec:ident| $run:expr) => {
        match $conn {
            Conn::SqlitePool(p) => {
                let $exec = *p;
                $run
            }
            Conn::Sqlite(c) => {
                let $exec = &mut **c;
                $run
            }
            Conn::PgPool(p) => {
                let $exec = *p;
                $run
            }
            Conn::Pg(c) => {
                let $exec = &mut **c;
                $run
            }
        }
    };
}

impl Conn<'_> {
    pub fn backend(&self) -> Backend {
        match self {
            Conn::SqlitePool(_) | Conn::Sqlite(_) => Backend::Sqlite,
            Conn::PgPool(_) | Conn::Pg(_) => Backend::Postgres,
        }
    }

    pub async fn fetch_all<T: Record>(&mut self, stmt: &impl SqlxBinder) -> StoreResult<Vec<T>> {
        Ok(on_backend!(self, stmt, |q, e| sqlx::query_as_with(
            q.0, q.1
        )
        .fetch_all(e)
        .await?))
    }

    pub async fn fetch_optional<T: Record>(
        &mut self,
        stmt: &impl SqlxBinder,
    ) -> StoreResult<Option<T>> {
        Ok(on_backend!(self, stmt, |q, e| sqlx::query_as_with(
            q.0, q.1
        )
        .fetch_optional(e)
        .await?))
    }

    pub async fn fetch_one<T: Record>(&mut self, stmt: &impl SqlxBinder) -> StoreResult<T> {
        Ok(on_backend!(self, stmt, |q, e| sqlx::query_as_with(
            q.0, q.1
        )
        .fetch_one(e)
        .await?))
    }

    /// Runs a statement and returns the number of rows it affected.
    pub async fn execute(&mut self, stmt: &impl SqlxBinder) -> StoreResult<u64> {
        Ok(on_backend!(self, stmt, |q, e| sqlx::query_with(q.0, q.1)
            .execute(e)
            .await?
            .rows_affected()))
    }

    /// Runs one parameterless statement written for this backend (DDL, pragmas).
    pub async fn execute_raw(&mut self, sql: &str) -> StoreResult<u64> {
        let sql = AssertSqlSafe(sql.to_string());
        Ok(raw_on_backend!(self, |e| sqlx::query(sql)
            .execute(e)
            .await?
            .rows_affected()))
    }

    /// Fetches rows of a parameterised SQL text written for this backend, for the few queries
    /// sea-query cannot express (full-text search). `args` bind in order as text.
    pub async fn fetch_all_raw<T: Record>(
        &mut self,
        sql: &str,
        args: &[&str],
    ) -> StoreResult<Vec<T>> {
        let sql = AssertSqlSafe(sql.to_string());
        Ok(raw_on_backend!(self, |e| {
            let mut q = sqlx::query_as(sql);
            for a in args {
                q = q.bind(a.to_string());
            }
            q.fetch_all(e).await?
        }))
    }
}
