//! Scenario 5: statistics. On a province seeded without marks, the department-level
//! beginning-of-year report (`statistics::live`: the tree of the counting date, the facts counted
//! per school in the database, the tables tabulated) against DuckDB computing the same grouped
//! facts over the same rows, exported from the same database as CSV, in the same run
//! (`bench/duckdb_report.py`; the `duckdb` package from PyPI, installed on first use).

use std::io::Write;
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use anyhow::Context;
use truongso_demo::DemoConfig;
use truongso_domain::statistics::{ReportKind, StatTable, TOTAL};
use truongso_store::Scope;
use truongso_store::statistics::{self as stats, ReportRequest};

use crate::db::BenchDb;

#[derive(Debug, Clone)]
pub struct StatisticsRun {
    pub learners: u64,
    pub schools: usize,
    pub seed: Duration,
    /// The report, best of three (the first run also warms the caches).
    pub report: Duration,
    pub report_runs: Vec<Duration>,
    /// Learners the report counts as enrolled on the counting date.
    pub enrolled: i64,
    pub export: Duration,
    pub exported_rows: u64,
    pub duckdb: Result<DuckRun, String>,
}

#[derive(Debug, Clone, serde::Deserialize)]
pub struct DuckRun {
    pub duckdb_version: String,
    pub load_seconds: f64,
    pub query_seconds: f64,
    pub learner_groups: u64,
    pub enrolled: i64,
    pub staff: i64,
    pub classes: i64,
}

pub async fn run(
    db: &BenchDb,
    seed: u64,
    learners: u64,
    dir: &Path,
) -> anyhow::Result<StatisticsRun> {
    truongso_store::migrate::run(&db.store)
        .await
        .context("migrations")?;
    let config = DemoConfig {
        seed,
        learners,
        marks: false,
        ..DemoConfig::default()
    };
    eprintln!("   seeding ~{learners} learners (no marks)");
    let started = Instant::now();
    let seeded = truongso_store::seed::seed(&db.store, &config, |_, _| {})
        .await
        .context("seeding")?;
    let seed_time = started.elapsed();
    eprintln!(
        "   seeded {} learners in {:.1} s",
        seeded.learners,
        seed_time.as_secs_f64()
    );
    db.checkpoint().await?;

    let department = db
        .scalar_i64("SELECT id FROM org_units WHERE kind = 'department' ORDER BY id LIMIT 1")
        .await?
        .context("no department")?;
    let year = db
        .scalar_i64("SELECT id FROM school_years ORDER BY start_year DESC LIMIT 1")
        .await?
        .context("no school year")?;
    let start_year = db
        .scalar_i64(&format!(
            "SELECT CAST(start_year AS BIGINT) FROM school_years WHERE id = {year}"
        ))
        .await?
        .context("no school year")?;
    let request = ReportRequest {
        kind: ReportKind::Beginning,
        school_year_id: year,
        as_of: truongso_domain::statistics::StatisticsSettings::default()
            .as_of(ReportKind::Beginning, start_year as i32),
    };
    let mut runs = Vec::new();
    let mut report = None;
    for _ in 0..3 {
        let t = Instant::now();
        let r = stats::live(&mut db.store.conn(), &Scope::All, department, request).await?;
        runs.push(t.elapsed());
        report = Some(r);
    }
    let report = report.expect("three runs");
    let enrolled = report.figures.value(StatTable::Learners, TOTAL, TOTAL);
    eprintln!(
        "   department report: {} schools, {enrolled} learners, best {:.2} s",
        report.schools,
        runs.iter().min().expect("runs").as_secs_f64()
    );

    let export_dir = dir.join(format!("truongso-bench-{}-csv", std::process::id()));
    std::fs::create_dir_all(&export_dir)?;
    let t = Instant::now();
    let exported_rows = export(db, &export_dir).await?;
    let export_time = t.elapsed();
    let duckdb = duckdb_baseline(&export_dir, &request);
    let _ = std::fs::remove_dir_all(&export_dir);
    if let Ok(d) = &duckdb {
        anyhow::ensure!(
            d.enrolled == enrolled,
            "DuckDB counts {} enrolled learners, the report {enrolled}",
            d.enrolled
        );
        anyhow::ensure!(
            d.staff == report.figures.value(StatTable::Staff, TOTAL, TOTAL)
                && d.classes == report.figures.value(StatTable::Classes, TOTAL, TOTAL),
            "DuckDB and the report disagree on staff or classes"
        );
    }
    Ok(StatisticsRun {
        learners: seeded.learners,
        schools: report.schools,
        seed: seed_time,
        report: *runs.iter().min().expect("runs"),
        report_runs: runs,
        enrolled,
        export: export_time,
        exported_rows,
        duckdb,
    })
}

/// The rows the report reads, table by table, as CSV (only codes, numbers and dates: nothing
/// to quote).
async fn export(db: &BenchDb, dir: &Path) -> anyhow::Result<u64> {
    let tables: [(&str, &str); 5] = [
        (
            "enrolments",
            "id, learner_id, school_id, class_id, school_year_id",
        ),
        ("enrolment_events", "id, enrolment_id, status, effective_on"),
        (
            "learners",
            "id, gender, ethnicity_code, disability, policy_group",
        ),
        ("classes", "id, org_unit_id, school_year_id, grade"),
        (
            "staff",
            "id, org_unit_id, position, gender, ethnicity_code, qualification",
        ),
    ];
    let mut rows = 0;
    for (table, columns) in tables {
        // Every column read as text, NULL as the empty field.
        let select: Vec<String> = columns
            .split(", ")
            .map(|c| format!("COALESCE(CAST({c} AS TEXT), '')"))
            .collect();
        let sql = format!("SELECT {} FROM {table}", select.join(" || ',' || "));
        let lines: Vec<(String,)> = db.store.conn().fetch_all_raw(&sql, &[]).await?;
        let mut out =
            std::io::BufWriter::new(std::fs::File::create(dir.join(format!("{table}.csv")))?);
        writeln!(out, "{}", columns.replace(' ', ""))?;
        for (line,) in &lines {
            writeln!(out, "{line}")?;
        }
        out.flush()?;
        rows += lines.len() as u64;
    }
    Ok(rows)
}

/// Runs the DuckDB script, installing the `duckdb` package from PyPI when it is missing.
fn duckdb_baseline(dir: &Path, request: &ReportRequest) -> Result<DuckRun, String> {
    let has = |python: &str| {
        Command::new(python)
            .args(["-c", "import duckdb"])
            .stderr(std::process::Stdio::null())
            .status()
            .is_ok_and(|s| s.success())
    };
    if !has("python3") {
        eprintln!("   installing duckdb from PyPI");
        let _ = Command::new("python3")
            .args(["-m", "pip", "install", "--quiet", "duckdb"])
            .status();
        if !has("python3") {
            return Err("python3 with the duckdb package is not available".into());
        }
    }
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/duckdb_report.py");
    let output = Command::new("python3")
        .arg(script)
        .arg(dir)
        .arg(request.as_of.to_string())
        .arg(request.school_year_id.to_string())
        .output()
        .map_err(|e| format!("running {script}: {e}"))?;
    if !output.status.success() {
        return Err(format!(
            "{script} failed: {}",
            String::from_utf8_lossy(&output.stderr)
        ));
    }
    serde_json::from_slice(&output.stdout).map_err(|e| format!("reading DuckDB's answer: {e}"))
}
