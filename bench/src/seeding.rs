//! Scenario 1: seeding the demo province with the real seeder, against a raw bulk insert of the
//! same learner rows into a plain table (no index, no foreign key) of the same database.

use std::fmt::Write as _;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Context;
use chrono::{DateTime, NaiveDate, Utc};
use sqlx::AssertSqlSafe;
use truongso_demo::{DemoConfig, Plan, SchoolData};
use truongso_domain::learners::LearnerInput;
use truongso_domain::learners::learner_code;
use truongso_domain::text::{clean, fold};
use truongso_store::staff::sort_key;

use crate::db::{BenchDb, Which};

/// What the real seeder did and how long it took.
#[derive(Debug, Clone, Default)]
pub struct SeedRun {
    pub migrate: Duration,
    pub seed: Duration,
    /// When the progress callback last reported (all learners written; what follows is the
    /// sequence fix-up and the demo accounts).
    pub learners_written_at: Duration,
    pub report: truongso_store::seed::SeedReport,
    /// (elapsed, learners written) at every progress callback.
    pub progress: Vec<(Duration, u64)>,
}

/// Migrates the empty database and runs `truongso_store::seed::seed`, as `truongso seed` does.
pub async fn run_seeder(db: &BenchDb, config: &DemoConfig) -> anyhow::Result<SeedRun> {
    let started = Instant::now();
    truongso_store::migrate::run(&db.store)
        .await
        .context("migrations")?;
    let migrate = started.elapsed();
    db.checkpoint().await?;

    let started = Instant::now();
    let mut progress = Vec::new();
    let mut last_tenth = 0;
    let report = truongso_store::seed::seed(&db.store, config, |done, total| {
        let at = started.elapsed();
        progress.push((at, done));
        let tenth = done * 10 / total.max(1);
        if tenth > last_tenth {
            last_tenth = tenth;
            eprintln!(
                "    seed: {done:>9} / ~{total} learners, {:>7.1} s",
                at.as_secs_f64()
            );
        }
    })
    .await
    .context("seeding")?;
    let seed = started.elapsed();
    Ok(SeedRun {
        migrate,
        seed,
        learners_written_at: progress.last().map_or(seed, |p| p.0),
        report,
        progress,
    })
}

/// The raw baseline's result.
#[derive(Debug, Clone, Default)]
pub struct RawRun {
    pub learners: u64,
    pub elapsed: Duration,
    pub method: &'static str,
}

pub const RAW_TABLE: &str = "bench_raw_learners";

/// Columns of the plain table: the learner columns of the real schema, in the same types.
const RAW_COLUMNS: [(&str, &str, &str); 18] = [
    // (name, SQLite type, PostgreSQL type)
    ("id", "INTEGER NOT NULL", "bigint NOT NULL"),
    ("learner_code", "TEXT NOT NULL", "text NOT NULL"),
    ("national_id", "TEXT", "text"),
    ("full_name", "TEXT NOT NULL", "text NOT NULL"),
    ("name_fold", "TEXT NOT NULL", "text NOT NULL"),
    ("sort_key", "TEXT NOT NULL", "text NOT NULL"),
    ("birth_date", "TEXT NOT NULL", "date NOT NULL"),
    ("gender", "TEXT NOT NULL", "text NOT NULL"),
    ("ethnicity_code", "TEXT NOT NULL", "text NOT NULL"),
    ("nationality", "TEXT NOT NULL", "text NOT NULL"),
    ("religion", "TEXT", "text"),
    ("address", "TEXT", "text"),
    ("ward_code", "TEXT", "text"),
    ("disability", "TEXT", "text"),
    ("policy_group", "TEXT", "text"),
    ("school_id", "INTEGER NOT NULL", "bigint NOT NULL"),
    ("created_at", "TEXT NOT NULL", "timestamptz NOT NULL"),
    ("updated_at", "TEXT NOT NULL", "timestamptz NOT NULL"),
];

/// Rows per prepared multi-row INSERT on SQLite (18 columns: 18,000 parameters).
const SQLITE_ROWS_PER_STATEMENT: usize = 1000;

/// COPY data sent to PostgreSQL in chunks of about this size.
const COPY_CHUNK: usize = 4 << 20;

/// One learner row, with the values the seeder derives (cleaned name, folded key, sort key).
pub struct RawLearner {
    id: i64,
    learner_code: String,
    national_id: Option<String>,
    full_name: String,
    name_fold: String,
    sort_key: String,
    birth_date: NaiveDate,
    gender: &'static str,
    ethnicity_code: String,
    nationality: String,
    religion: Option<String>,
    address: Option<String>,
    ward_code: Option<String>,
    disability: Option<&'static str>,
    policy_group: Option<&'static str>,
    school_id: i64,
    created_at: DateTime<Utc>,
}

impl RawLearner {
    /// The row the seeder (or an import) writes for `p` (as `truongso_store::learners::profile_values` derives it).
    pub fn new(id: i64, serial: u64, school_id: i64, p: &LearnerInput, now: DateTime<Utc>) -> Self {
        let name = clean(&p.full_name);
        RawLearner {
            id,
            learner_code: learner_code(serial),
            national_id: p.national_id.as_deref().map(|s| s.trim().to_string()),
            name_fold: fold(&name),
            sort_key: sort_key(&name),
            full_name: name,
            birth_date: p.birth_date,
            gender: p.gender.code(),
            ethnicity_code: p.ethnicity_code.clone(),
            nationality: p.nationality.clone(),
            religion: p.religion.as_deref().map(clean),
            address: p.address.as_deref().map(clean),
            ward_code: p.ward_code.clone(),
            disability: p.disability.map(|d| d.code()),
            policy_group: p.policy_group.map(|g| g.code()),
            school_id,
            created_at: now,
        }
    }

    /// Appends the row in PostgreSQL's COPY text format.
    fn write_copy(&self, out: &mut String, timestamp: &str) {
        let _ = write!(out, "{}\t", self.id);
        copy_text(out, Some(&self.learner_code));
        copy_text(out, self.national_id.as_deref());
        copy_text(out, Some(&self.full_name));
        copy_text(out, Some(&self.name_fold));
        copy_text(out, Some(&self.sort_key));
        let _ = write!(out, "{}\t", self.birth_date);
        copy_text(out, Some(self.gender));
        copy_text(out, Some(&self.ethnicity_code));
        copy_text(out, Some(&self.nationality));
        copy_text(out, self.religion.as_deref());
        copy_text(out, self.address.as_deref());
        copy_text(out, self.ward_code.as_deref());
        copy_text(out, self.disability);
        copy_text(out, self.policy_group);
        let _ = writeln!(out, "{}\t{timestamp}\t{timestamp}", self.school_id);
    }
}

/// One COPY text field followed by a tab (`\N` for NULL; backslash, tab and line breaks escaped).
fn copy_text(out: &mut String, value: Option<&str>) {
    match value {
        None => out.push_str("\\N"),
        Some(v) => {
            for c in v.chars() {
                match c {
                    '\\' => out.push_str("\\\\"),
                    '\t' => out.push_str("\\t"),
                    '\n' => out.push_str("\\n"),
                    '\r' => out.push_str("\\r"),
                    c => out.push(c),
                }
            }
        }
    }
    out.push('\t');
}

/// Generates the province's schools on a blocking thread, a few ahead of the consumer, as the
/// seeder does (same channel depth).
fn spawn_generator(
    plan: Arc<Plan>,
) -> (
    tokio::sync::mpsc::Receiver<(usize, SchoolData)>,
    tokio::task::JoinHandle<()>,
) {
    let (sender, receiver) = tokio::sync::mpsc::channel::<(usize, SchoolData)>(16);
    let handle = tokio::task::spawn_blocking(move || {
        for ordinal in 0..plan.schools.len() {
            if sender
                .blocking_send((ordinal, plan.generate_school(ordinal)))
                .is_err()
            {
                break;
            }
        }
    });
    (receiver, handle)
}

/// A bulk load into the plain table by the fastest plain method of the backend: PostgreSQL one
/// `COPY … FROM STDIN` (text format) on one connection; SQLite one transaction of prepared
/// 1,000-row `INSERT`s on one connection. Creating it creates the table; rows are sent as they
/// are pushed, and [`RawWriter::finish`] commits.
pub struct RawWriter {
    sink: Sink,
    written: u64,
}

enum Sink {
    Postgres {
        copy: sqlx::postgres::PgCopyIn<sqlx::pool::PoolConnection<sqlx::Postgres>>,
        buf: String,
        /// The COPY text of the last `created_at` seen (rows of a batch share it).
        timestamp: Option<(DateTime<Utc>, String)>,
    },
    Sqlite {
        tx: sqlx::Transaction<'static, sqlx::Sqlite>,
        pending: Vec<RawLearner>,
        columns: String,
        full: Arc<str>,
    },
}

impl RawWriter {
    /// Creates the plain table `RAW_TABLE` (dropped first if it exists) and opens the load.
    pub async fn start(db: &BenchDb) -> anyhow::Result<RawWriter> {
        let types = RAW_COLUMNS
            .iter()
            .map(|(n, s, p)| format!("{n} {}", if db.which == Which::Sqlite { s } else { p }))
            .collect::<Vec<_>>()
            .join(", ");
        db.execute(&format!("DROP TABLE IF EXISTS {RAW_TABLE}"))
            .await?;
        db.execute(&format!("CREATE TABLE {RAW_TABLE} ({types})"))
            .await?;
        let columns = RAW_COLUMNS.map(|c| c.0).join(", ");
        let sink = match db.which {
            Which::Postgres => {
                use sqlx::postgres::PgPoolCopyExt;
                let pool = db.store.pg_pool().context("PostgreSQL pool")?;
                let copy = pool
                    .copy_in_raw(&format!("COPY {RAW_TABLE} ({columns}) FROM STDIN"))
                    .await?;
                Sink::Postgres {
                    copy,
                    buf: String::with_capacity(COPY_CHUNK + (64 << 10)),
                    timestamp: None,
                }
            }
            Which::Sqlite => {
                let pool = db.store.sqlite_pool().context("SQLite pool")?;
                let tx = pool.begin().await?;
                Sink::Sqlite {
                    tx,
                    pending: Vec::with_capacity(SQLITE_ROWS_PER_STATEMENT),
                    full: sqlite_insert_sql(&columns, SQLITE_ROWS_PER_STATEMENT),
                    columns,
                }
            }
        };
        Ok(RawWriter { sink, written: 0 })
    }

    /// How the rows are loaded, for the report.
    pub fn method(which: Which) -> &'static str {
        match which {
            Which::Postgres => "COPY FROM STDIN (text), one connection",
            Which::Sqlite => "one transaction, prepared 1000-row INSERTs, one connection",
        }
    }

    pub async fn push(&mut self, row: RawLearner) -> anyhow::Result<()> {
        match &mut self.sink {
            Sink::Postgres {
                copy,
                buf,
                timestamp,
            } => {
                if timestamp
                    .as_ref()
                    .is_none_or(|(at, _)| *at != row.created_at)
                {
                    let text = row
                        .created_at
                        .format("%Y-%m-%d %H:%M:%S%.6f+00")
                        .to_string();
                    *timestamp = Some((row.created_at, text));
                }
                let text = &timestamp.as_ref().expect("just set").1;
                row.write_copy(buf, text);
                self.written += 1;
                if buf.len() >= COPY_CHUNK {
                    copy.send(buf.as_bytes()).await?;
                    buf.clear();
                }
            }
            Sink::Sqlite {
                tx, pending, full, ..
            } => {
                pending.push(row);
                if pending.len() == SQLITE_ROWS_PER_STATEMENT {
                    self.written += sqlite_insert(tx, full.clone(), pending).await?;
                }
            }
        }
        Ok(())
    }

    /// Sends what is left and commits; returns the rows written.
    pub async fn finish(self) -> anyhow::Result<u64> {
        let mut written = self.written;
        match self.sink {
            Sink::Postgres { mut copy, buf, .. } => {
                if !buf.is_empty() {
                    copy.send(buf.as_bytes()).await?;
                }
                let rows = copy.finish().await?;
                anyhow::ensure!(
                    rows == written,
                    "COPY wrote {rows} rows, expected {written}"
                );
            }
            Sink::Sqlite {
                mut tx,
                mut pending,
                columns,
                ..
            } => {
                if !pending.is_empty() {
                    let last = sqlite_insert_sql(&columns, pending.len());
                    written += sqlite_insert(&mut tx, last, &mut pending).await?;
                }
                tx.commit().await?;
            }
        }
        Ok(written)
    }
}

/// A prepared INSERT of `rows` rows into the plain table.
fn sqlite_insert_sql(columns: &str, rows: usize) -> Arc<str> {
    let one = format!("({})", vec!["?"; RAW_COLUMNS.len()].join(","));
    format!(
        "INSERT INTO {RAW_TABLE} ({columns}) VALUES {}",
        vec![one; rows].join(",")
    )
    .into()
}

/// Creates the plain table and bulk-loads the same learner rows the seeder writes, timed from
/// the plan to the last commit (see [`RawWriter`]).
pub async fn run_raw(db: &BenchDb, config: &DemoConfig) -> anyhow::Result<RawRun> {
    db.execute(&format!("DROP TABLE IF EXISTS {RAW_TABLE}"))
        .await?;
    db.checkpoint().await?;

    let started = Instant::now();
    let plan = Arc::new(Plan::new(config));
    let (mut receiver, generator) = spawn_generator(plan.clone());
    let mut writer = RawWriter::start(db).await?;
    let mut serial = 1u64;
    let mut next_id = 1i64;
    while let Some((ordinal, data)) = receiver.recv().await {
        let now = Utc::now();
        let school_id = plan.schools[ordinal] as i64 + 1;
        for l in &data.learners {
            writer
                .push(RawLearner::new(next_id, serial, school_id, &l.input, now))
                .await?;
            next_id += 1;
            serial += 1;
        }
    }
    let learners = writer.finish().await?;
    generator.await.context("generator thread")?;
    let elapsed = started.elapsed();
    Ok(RawRun {
        learners,
        elapsed,
        method: RawWriter::method(db.which),
    })
}

async fn sqlite_insert(
    conn: &mut sqlx::SqliteConnection,
    sql: Arc<str>,
    rows: &mut Vec<RawLearner>,
) -> anyhow::Result<u64> {
    let mut q = sqlx::query(AssertSqlSafe(sql));
    for r in rows.drain(..) {
        q = q
            .bind(r.id)
            .bind(r.learner_code)
            .bind(r.national_id)
            .bind(r.full_name)
            .bind(r.name_fold)
            .bind(r.sort_key)
            .bind(r.birth_date)
            .bind(r.gender)
            .bind(r.ethnicity_code)
            .bind(r.nationality)
            .bind(r.religion)
            .bind(r.address)
            .bind(r.ward_code)
            .bind(r.disability)
            .bind(r.policy_group)
            .bind(r.school_id)
            .bind(r.created_at)
            .bind(r.created_at);
    }
    Ok(q.execute(&mut *conn).await?.rows_affected())
}

/// The generator alone, without a database: how much of seeding is generating people, and how
/// much deriving the stored values (clean, fold, sort key) costs on top. Single-threaded.
#[derive(Debug, Clone, Default)]
pub struct GenerationRun {
    pub schools: usize,
    pub learners: u64,
    pub plan: Duration,
    pub generate: Duration,
    pub derive: Duration,
}

pub fn generate_only(config: &DemoConfig) -> GenerationRun {
    let started = Instant::now();
    let plan = Plan::new(config);
    let mut run = GenerationRun {
        schools: plan.schools.len(),
        plan: started.elapsed(),
        ..GenerationRun::default()
    };
    let now = Utc::now();
    let mut checksum = 0usize;
    for ordinal in 0..plan.schools.len() {
        let t = Instant::now();
        let data = plan.generate_school(ordinal);
        run.generate += t.elapsed();
        let t = Instant::now();
        for l in &data.learners {
            let row = RawLearner::new(0, 1, 1, &l.input, now);
            checksum = checksum.wrapping_add(row.sort_key.len());
        }
        run.derive += t.elapsed();
        run.learners += data.learners.len() as u64;
    }
    std::hint::black_box(checksum);
    run
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn copy_text_escapes_and_nulls() {
        let mut s = String::new();
        copy_text(&mut s, Some("a\tb\\c\nd"));
        copy_text(&mut s, None);
        assert_eq!(s, "a\\tb\\\\c\\nd\t\\N\t");
    }

    #[test]
    fn copy_rows_have_one_field_per_column() {
        let plan = Plan::new(&DemoConfig {
            learners: 500,
            ..DemoConfig::default()
        });
        let data = plan.generate_school(0);
        let mut s = String::new();
        RawLearner::new(1, 1, 1, &data.learners[0].input, Utc::now())
            .write_copy(&mut s, "2025-01-01 00:00:00+00");
        assert!(s.ends_with('\n'));
        assert_eq!(s.trim_end().split('\t').count(), RAW_COLUMNS.len());
    }
}
