//! Throw-away benchmark databases: a SQLite file in a temporary directory, or a fresh PostgreSQL
//! database `truongso_bench_<pid>` created through the server's `postgres` database and dropped
//! afterwards.

use std::path::PathBuf;

use anyhow::Context;
use sqlx::{AssertSqlSafe, Connection, PgConnection};
use truongso_store::Store;

/// Which engine a run uses (the command-line name is the lower-case one).
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Which {
    Sqlite,
    Postgres,
}

impl Which {
    pub fn name(self) -> &'static str {
        match self {
            Which::Sqlite => "sqlite",
            Which::Postgres => "postgres",
        }
    }
}

/// A database created for one benchmark run.
pub struct BenchDb {
    pub which: Which,
    pub url: String,
    pub store: Store,
    place: Place,
}

enum Place {
    SqliteDir(PathBuf),
    Postgres { admin_url: String, name: String },
}

impl BenchDb {
    /// Creates an empty database. `dir` holds the SQLite directory; `admin_url` is a PostgreSQL
    /// URL of an existing database through which the benchmark database is created and dropped.
    /// `tag` ("" or e.g. "_import") is appended to the name, one database per scenario group.
    pub async fn create(
        which: Which,
        dir: &std::path::Path,
        admin_url: &str,
        tag: &str,
    ) -> anyhow::Result<Self> {
        let pid = std::process::id();
        match which {
            Which::Sqlite => {
                let dir = dir.join(format!("truongso-bench-{pid}{tag}"));
                if dir.exists() {
                    std::fs::remove_dir_all(&dir)
                        .with_context(|| format!("removing {}", dir.display()))?;
                }
                std::fs::create_dir_all(&dir)
                    .with_context(|| format!("creating {}", dir.display()))?;
                let url = format!("sqlite://{}", dir.join("bench.sqlite").display());
                let store = Store::connect(&url)
                    .await
                    .with_context(|| format!("opening {url}"))?;
                Ok(BenchDb {
                    which,
                    url,
                    store,
                    place: Place::SqliteDir(dir),
                })
            }
            Which::Postgres => {
                let name = format!("truongso_bench_{pid}{tag}");
                let mut admin = PgConnection::connect(admin_url)
                    .await
                    .with_context(|| format!("connecting to {admin_url}"))?;
                sqlx::raw_sql(AssertSqlSafe(format!(
                    "DROP DATABASE IF EXISTS {name} WITH (FORCE)"
                )))
                .execute(&mut admin)
                .await?;
                sqlx::raw_sql(AssertSqlSafe(format!("CREATE DATABASE {name}")))
                    .execute(&mut admin)
                    .await
                    .with_context(|| format!("creating database {name}"))?;
                admin.close().await?;
                let url = database_url(admin_url, &name)?;
                let store = Store::connect(&url)
                    .await
                    .with_context(|| format!("connecting to {url}"))?;
                Ok(BenchDb {
                    which,
                    url,
                    store,
                    place: Place::Postgres {
                        admin_url: admin_url.to_string(),
                        name,
                    },
                })
            }
        }
    }

    /// Closes the pool and deletes the database, unless `keep`.
    pub async fn destroy(self, keep: bool) -> anyhow::Result<()> {
        self.store.close().await;
        if keep {
            eprintln!("  kept {} ({})", self.which.name(), self.url);
            return Ok(());
        }
        match self.place {
            Place::SqliteDir(dir) => std::fs::remove_dir_all(&dir)
                .with_context(|| format!("removing {}", dir.display()))?,
            Place::Postgres { admin_url, name } => {
                let mut admin = PgConnection::connect(&admin_url).await?;
                sqlx::raw_sql(AssertSqlSafe(format!(
                    "DROP DATABASE IF EXISTS {name} WITH (FORCE)"
                )))
                .execute(&mut admin)
                .await?;
                admin.close().await?;
            }
        }
        Ok(())
    }

    /// Runs one parameterless statement on the pool.
    pub async fn execute(&self, sql: &str) -> anyhow::Result<()> {
        self.store.conn().execute_raw(sql).await?;
        Ok(())
    }

    /// One integer from a parameterless query.
    pub async fn scalar_i64(&self, sql: &str) -> anyhow::Result<Option<i64>> {
        let rows: Vec<(Option<i64>,)> = self.store.conn().fetch_all_raw(sql, &[]).await?;
        Ok(rows.first().and_then(|r| r.0))
    }

    /// One text value from a parameterless query.
    pub async fn scalar_text(&self, sql: &str) -> anyhow::Result<Option<String>> {
        let rows: Vec<(Option<String>,)> = self.store.conn().fetch_all_raw(sql, &[]).await?;
        Ok(rows.into_iter().next().and_then(|r| r.0))
    }

    /// Flushes dirty pages so that one timed phase does not pay for the previous one's writes
    /// (PostgreSQL `CHECKPOINT`; SQLite WAL checkpoint, truncating the log).
    pub async fn checkpoint(&self) -> anyhow::Result<()> {
        match self.which {
            Which::Sqlite => {
                let _: Vec<(i64, i64, i64)> = self
                    .store
                    .conn()
                    .fetch_all_raw("PRAGMA wal_checkpoint(TRUNCATE)", &[])
                    .await?;
            }
            Which::Postgres => self.execute("CHECKPOINT").await?,
        }
        Ok(())
    }

    /// The engine's version string.
    pub async fn version(&self) -> anyhow::Result<String> {
        let sql = match self.which {
            Which::Sqlite => "SELECT sqlite_version()",
            Which::Postgres => "SHOW server_version",
        };
        Ok(self.scalar_text(sql).await?.unwrap_or_default())
    }

    /// Size of the database on disk in bytes (SQLite: main file plus WAL).
    pub async fn size_bytes(&self) -> anyhow::Result<u64> {
        match &self.place {
            Place::SqliteDir(dir) => {
                let mut total = 0;
                for entry in std::fs::read_dir(dir)? {
                    total += entry?.metadata()?.len();
                }
                Ok(total)
            }
            Place::Postgres { .. } => Ok(self
                .scalar_i64("SELECT pg_database_size(current_database())")
                .await?
                .unwrap_or(0) as u64),
        }
    }
}

/// `admin_url` with its database name replaced by `name`.
fn database_url(admin_url: &str, name: &str) -> anyhow::Result<String> {
    let (base, query) = match admin_url.split_once('?') {
        Some((b, q)) => (b, Some(q)),
        None => (admin_url, None),
    };
    let scheme_end = base
        .find("://")
        .context("PostgreSQL URL without a scheme")?
        + 3;
    let host_end = base[scheme_end..]
        .find('/')
        .map_or(base.len(), |i| scheme_end + i);
    let mut url = format!("{}/{name}", &base[..host_end]);
    if let Some(q) = query {
        url.push('?');
        url.push_str(q);
    }
    Ok(url)
}

#[cfg(test)]
mod tests {
    use super::database_url;

    #[test]
    fn replaces_the_database_name() {
        assert_eq!(
            database_url("postgres://postgres@127.0.0.1:5432/postgres", "b").unwrap(),
            "postgres://postgres@127.0.0.1:5432/b"
        );
        assert_eq!(
            database_url("postgres://u@h/x?sslmode=disable", "b").unwrap(),
            "postgres://u@h/b?sslmode=disable"
        );
        assert_eq!(
            database_url("postgres://u@h", "b").unwrap(),
            "postgres://u@h/b"
        );
    }
}
