//! `truongso-bench`: seeding, learner search and learner import on SQLite and PostgreSQL, each
//! figure printed next to a baseline measured in the same run (see `bench/README.md`).

mod admission;
mod db;
mod gradebook;
mod importing;
mod search;
mod seeding;
mod statistics;
mod stats;

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use anyhow::Context;
use clap::Parser;
use serde_json::{Value, json};
use truongso_demo::DemoConfig;

use crate::db::{BenchDb, Which};
use crate::importing::{ImportPass, ImportRun};
use crate::search::SearchRun;
use crate::seeding::{GenerationRun, RawRun, SeedRun};
use crate::stats::{ratio, round};

#[derive(Parser, Debug)]
#[command(
    name = "truongso-bench",
    about = "Benchmarks truongso's seeder, learner search and learner import on SQLite and PostgreSQL against same-run baselines"
)]
struct Args {
    /// Scenarios to run, comma-separated: seed (seeding against a raw insert), search (learner
    /// search against reads by id, on the seeded database: needs seed), import (learners from an
    /// .xlsx against a raw insert, on a database of its own).
    #[arg(
        long,
        value_enum,
        value_delimiter = ',',
        default_value = "seed,search,import"
    )]
    scenarios: Vec<Scenario>,
    /// Learners in the generated province (the generator lands within ±3 %).
    #[arg(long, default_value_t = 1_700_000)]
    learners: u64,
    /// Backends to run, comma-separated.
    #[arg(
        long,
        value_enum,
        value_delimiter = ',',
        default_value = "sqlite,postgres"
    )]
    backends: Vec<Which>,
    /// Seed of the demo generator (same seed, same province).
    #[arg(long, default_value_t = 2025)]
    seed: u64,
    /// Searches measured per backend (as many reads by id are measured as the baseline).
    #[arg(long, default_value_t = 400)]
    queries: usize,
    /// An existing PostgreSQL database to connect to; the benchmark database
    /// `truongso_bench_<pid>` is created and dropped through it.
    #[arg(
        long,
        env = "TRUONGSO_BENCH_PG",
        default_value = "postgres://postgres@127.0.0.1:5432/postgres"
    )]
    pg_url: String,
    /// Directory for the SQLite database (default: the system temporary directory).
    #[arg(long)]
    dir: Option<PathBuf>,
    /// Keep the benchmark databases instead of deleting them (their URLs are printed).
    #[arg(long)]
    keep: bool,
    /// Skip the second search pass, measured after `VACUUM ANALYZE` (PostgreSQL) or `ANALYZE`
    /// (SQLite) — what autovacuum or a maintenance job would do; the seeder itself does neither.
    #[arg(long)]
    no_analyze_pass: bool,
    /// Skip the database-free measurement of the generator alone.
    #[arg(long)]
    no_generation: bool,
    /// Learners in the import scenario's .xlsx file.
    #[arg(long, default_value_t = 100_000)]
    import_rows: usize,
    /// Learners of the small province the import scenario seeds first (the schools, classes and
    /// current school year the file's rows name).
    #[arg(long, default_value_t = 5_000)]
    import_base_learners: u64,
    /// Also save the import scenario's .xlsx here (to re-run or profile the same import with
    /// `truongso import --kind learners FILE` on a database kept with `--keep`).
    #[arg(long)]
    import_xlsx: Option<PathBuf>,
    /// Learners of the province seeded (with its year of marks) for the gradebook scenario.
    #[arg(long, default_value_t = 1_700_000)]
    gradebook_learners: u64,
    /// Teachers saving a class's marks at once in the gradebook scenario (0 skips the saves).
    #[arg(long, default_value_t = 200)]
    gradebook_teachers: usize,
    /// Learners of the province seeded (without marks) for the statistics scenario.
    #[arg(long, default_value_t = 1_700_000)]
    statistics_learners: u64,
    /// Applicants of the admission scenario's assignment (pure rules, no database).
    #[arg(long, default_value_t = 1_000_000)]
    admission_applicants: usize,
    /// Where to write the JSON summary.
    #[arg(long, default_value = concat!(env!("CARGO_MANIFEST_DIR"), "/results/latest.json"))]
    out: PathBuf,
}

/// A group of measurements (the command-line name is the lower-case one).
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum Scenario {
    Seed,
    Search,
    Import,
    Gradebook,
    Statistics,
    Admission,
}

impl Scenario {
    fn name(self) -> &'static str {
        match self {
            Scenario::Seed => "seed",
            Scenario::Search => "search",
            Scenario::Import => "import",
            Scenario::Gradebook => "gradebook",
            Scenario::Statistics => "statistics",
            Scenario::Admission => "admission",
        }
    }
}

/// Everything measured on one backend.
struct BackendRun {
    which: Which,
    version: String,
    seeding: Option<SeedingRun>,
    import: Option<ImportRun>,
    gradebook: Option<gradebook::GradebookRun>,
    statistics: Option<statistics::StatisticsRun>,
}

/// The seeding scenario and the search passes on the seeded database.
struct SeedingRun {
    seed: SeedRun,
    size_after_seed: u64,
    raw: RawRun,
    search: Option<SearchRun>,
    /// The maintenance statement, its duration and the search pass measured after it.
    analyzed: Option<(&'static str, Duration, SearchRun)>,
}

/// How a scenario group on its own database ended.
enum Outcome<T> {
    Done(T),
    Failed(String),
    Interrupted,
}

fn main() -> ExitCode {
    let args = Args::parse();
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(args)) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

async fn run(args: Args) -> anyhow::Result<ExitCode> {
    anyhow::ensure!(!args.backends.is_empty(), "no backend given");
    anyhow::ensure!(!args.scenarios.is_empty(), "no scenario given");
    anyhow::ensure!(args.queries > 0, "--queries must be at least 1");
    anyhow::ensure!(args.import_rows > 0, "--import-rows must be at least 1");
    let wants = |s: Scenario| args.scenarios.contains(&s);
    anyhow::ensure!(
        !wants(Scenario::Search) || wants(Scenario::Seed),
        "the search scenario runs on the seeded database: add seed to --scenarios"
    );
    // The seed scenario measures the province without its year of marks (compared with a raw
    // load of the learner rows); the gradebook scenario seeds with marks.
    let config = DemoConfig {
        seed: args.seed,
        learners: args.learners,
        marks: false,
        ..DemoConfig::default()
    };
    let cpus = std::thread::available_parallelism().map_or(0, |n| n.get());
    let commit = git_commit();
    eprintln!(
        "truongso bench: {}; seed {}, backends {}, {cpus} CPUs, commit {commit}",
        run_description(&args),
        args.seed,
        args.backends
            .iter()
            .map(|b| b.name())
            .collect::<Vec<_>>()
            .join(",")
    );

    let generation = if args.no_generation || !wants(Scenario::Seed) {
        None
    } else {
        eprintln!("== generator alone (no database, one thread)");
        let c = config.clone();
        let g = tokio::task::spawn_blocking(move || seeding::generate_only(&c)).await?;
        eprintln!(
            "   {} learners in {:.1} s",
            thousands(g.learners),
            (g.plan + g.generate + g.derive).as_secs_f64()
        );
        Some(g)
    };

    if wants(Scenario::Admission) {
        eprintln!(
            "== admission: assignment of {} applicants (pure rules, best of 3)",
            thousands(args.admission_applicants as u64)
        );
        let (n, seed) = (args.admission_applicants, args.seed);
        let a = tokio::task::spawn_blocking(move || admission::run(n, seed)).await??;
        let ms = |d: std::time::Duration| d.as_secs_f64() * 1e3;
        eprintln!(
            "   baseline (sort of {} proposals): {:.0} ms; deferred acceptance {:.0} ms ({:.1}× baseline); city rule {:.0} ms ({:.1}× baseline)",
            thousands(a.proposals as u64),
            ms(a.baseline),
            ms(a.deferred_acceptance),
            ms(a.deferred_acceptance) / ms(a.baseline).max(1e-9),
            ms(a.city_rule),
            ms(a.city_rule) / ms(a.baseline).max(1e-9),
        );
        eprintln!(
            "   {} applicants; lookup under load: bench/admission-lookup.sh",
            thousands(a.applicants as u64)
        );
        if args.scenarios.iter().all(|s| *s == Scenario::Admission) {
            return Ok(ExitCode::SUCCESS);
        }
    }

    let dir = args.dir.clone().unwrap_or_else(std::env::temp_dir);
    let mut runs = Vec::new();
    let mut failures = Vec::new();
    for &which in &args.backends {
        let mut run = BackendRun {
            which,
            version: String::new(),
            seeding: None,
            import: None,
            gradebook: None,
            statistics: None,
        };
        if wants(Scenario::Seed) {
            eprintln!("== {}: seeding and search", which.name());
            match in_database(which, &dir, &args, "", async |db: &BenchDb| {
                run_seeding(db, &config, &args).await
            })
            .await?
            {
                Outcome::Done((version, seeding)) => {
                    run.version = version;
                    run.seeding = Some(seeding);
                }
                Outcome::Failed(e) => failures.push((which, "seed", e)),
                Outcome::Interrupted => return Ok(ExitCode::from(130)),
            }
        }
        if wants(Scenario::Import) {
            eprintln!("== {}: import", which.name());
            match in_database(which, &dir, &args, "_import", async |db: &BenchDb| {
                let version = db.version().await?;
                let import = importing::run(
                    db,
                    args.seed,
                    args.import_base_learners,
                    args.import_rows,
                    args.import_xlsx.as_deref(),
                )
                .await?;
                Ok((version, import))
            })
            .await?
            {
                Outcome::Done((version, import)) => {
                    run.version = version;
                    run.import = Some(import);
                }
                Outcome::Failed(e) => failures.push((which, "import", e)),
                Outcome::Interrupted => return Ok(ExitCode::from(130)),
            }
        }
        if wants(Scenario::Gradebook) {
            eprintln!("== {}: gradebook", which.name());
            match in_database(which, &dir, &args, "_gradebook", async |db: &BenchDb| {
                let version = db.version().await?;
                let g = gradebook::run(
                    db,
                    args.seed,
                    args.gradebook_learners,
                    args.gradebook_teachers,
                )
                .await?;
                Ok((version, g))
            })
            .await?
            {
                Outcome::Done((version, g)) => {
                    run.version = version;
                    run.gradebook = Some(g);
                }
                Outcome::Failed(e) => failures.push((which, "gradebook", e)),
                Outcome::Interrupted => return Ok(ExitCode::from(130)),
            }
        }
        if wants(Scenario::Statistics) {
            eprintln!("== {}: statistics", which.name());
            match in_database(which, &dir, &args, "_statistics", async |db: &BenchDb| {
                let version = db.version().await?;
                let r = statistics::run(db, args.seed, args.statistics_learners, &dir).await?;
                Ok((version, r))
            })
            .await?
            {
                Outcome::Done((version, r)) => {
                    run.version = version;
                    run.statistics = Some(r);
                }
                Outcome::Failed(e) => failures.push((which, "statistics", e)),
                Outcome::Interrupted => return Ok(ExitCode::from(130)),
            }
        }
        if run.seeding.is_some()
            || run.import.is_some()
            || run.gradebook.is_some()
            || run.statistics.is_some()
        {
            runs.push(run);
        }
    }

    let summary = json!({
        "generated_at": chrono::Utc::now().to_rfc3339(),
        "commit": commit,
        "cpus": cpus,
        "scenarios": args.scenarios.iter().map(|s| s.name()).collect::<Vec<_>>(),
        "learners_requested": args.learners,
        "seed": args.seed,
        "queries": args.queries,
        "import_rows": args.import_rows,
        "import_base_learners": args.import_base_learners,
        "gradebook_learners": args.gradebook_learners,
        "gradebook_teachers": args.gradebook_teachers,
        "statistics_learners": args.statistics_learners,
        "generation_only": generation.as_ref().map(generation_json),
        "backends": runs.iter().map(|r| (r.which.name().to_string(), backend_json(r))).collect::<serde_json::Map<String, Value>>(),
        "failures": failures.iter().map(|(w, s, e)| json!({"backend": w.name(), "scenario": s, "error": e})).collect::<Vec<_>>(),
    });
    print_report(&args, cpus, &commit, generation.as_ref(), &runs);
    if let Some(parent) = args.out.parent() {
        std::fs::create_dir_all(parent)
            .with_context(|| format!("creating {}", parent.display()))?;
    }
    std::fs::write(&args.out, serde_json::to_string_pretty(&summary)? + "\n")
        .with_context(|| format!("writing {}", args.out.display()))?;
    println!("\nJSON summary: {}", args.out.display());
    for (which, scenario, e) in &failures {
        println!("FAILED {} {scenario}: {e}", which.name());
    }
    Ok(if failures.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

/// Creates the benchmark database (`tag` appended to its name), runs `f` on it and deletes it
/// (unless `--keep`), also when interrupted with Ctrl-C.
async fn in_database<T>(
    which: Which,
    dir: &std::path::Path,
    args: &Args,
    tag: &str,
    f: impl AsyncFnOnce(&BenchDb) -> anyhow::Result<T>,
) -> anyhow::Result<Outcome<T>> {
    let db = match BenchDb::create(which, dir, &args.pg_url, tag).await {
        Ok(db) => db,
        Err(e) => {
            eprintln!("   {} failed: {e:#}", which.name());
            return Ok(Outcome::Failed(format!("{e:#}")));
        }
    };
    let outcome = tokio::select! {
        r = f(&db) => r,
        _ = tokio::signal::ctrl_c() => {
            eprintln!("interrupted; removing the benchmark database");
            db.destroy(args.keep).await?;
            return Ok(Outcome::Interrupted);
        }
    };
    db.destroy(args.keep).await?;
    Ok(match outcome {
        Ok(r) => Outcome::Done(r),
        Err(e) => {
            eprintln!("   {} failed: {e:#}", which.name());
            Outcome::Failed(format!("{e:#}"))
        }
    })
}

/// The seeding scenario (and the search passes when asked) on a fresh database; returns the
/// engine's version with the figures.
async fn run_seeding(
    db: &BenchDb,
    config: &DemoConfig,
    args: &Args,
) -> anyhow::Result<(String, SeedingRun)> {
    let version = db.version().await?;
    eprintln!(
        "   {} {version}: seeding with truongso_store::seed::seed",
        db.which.name()
    );
    let seed = seeding::run_seeder(db, config).await?;
    eprintln!(
        "   seeded {} learners in {:.1} s",
        thousands(seed.report.learners),
        seed.seed.as_secs_f64()
    );
    db.checkpoint().await?;
    let size_after_seed = db.size_bytes().await?;

    eprintln!("   raw baseline: bulk insert of the same learner rows into a plain table");
    let raw = seeding::run_raw(db, config).await?;
    eprintln!(
        "   raw-inserted {} learners in {:.1} s",
        thousands(raw.learners),
        raw.elapsed.as_secs_f64()
    );
    if raw.learners != seed.report.learners {
        eprintln!(
            "   warning: the seeder wrote {} learners, the raw insert {}",
            seed.report.learners, raw.learners
        );
    }
    db.execute(&format!("DROP TABLE {}", seeding::RAW_TABLE))
        .await?;
    db.checkpoint().await?;

    if !args.scenarios.contains(&Scenario::Search) {
        return Ok((
            version,
            SeedingRun {
                seed,
                size_after_seed,
                raw,
                search: None,
                analyzed: None,
            },
        ));
    }
    eprintln!(
        "   search as seeded: {} queries and {} reads by id",
        args.queries, args.queries
    );
    let search = search::run(db, args.seed, args.queries).await?;
    let analyzed = if args.no_analyze_pass {
        None
    } else {
        let statement = match db.which {
            Which::Sqlite => "ANALYZE",
            Which::Postgres => "VACUUM ANALYZE",
        };
        eprintln!("   {statement}, then the same searches again");
        let started = std::time::Instant::now();
        db.execute(statement).await?;
        let took = started.elapsed();
        db.checkpoint().await?;
        Some((
            statement,
            took,
            search::run(db, args.seed, args.queries).await?,
        ))
    };
    Ok((
        version,
        SeedingRun {
            seed,
            size_after_seed,
            raw,
            search: Some(search),
            analyzed,
        },
    ))
}

fn secs(d: Duration) -> f64 {
    d.as_secs_f64()
}

fn per_sec(n: u64, d: Duration) -> f64 {
    ratio(n as f64, d.as_secs_f64())
}

/// Learners written per second in each tenth of the seeding run (from the progress callbacks).
fn tenths(seed: &SeedRun) -> Vec<(u64, f64)> {
    let total = seed.report.learners.max(1);
    let mut out = Vec::new();
    let (mut prev_t, mut prev_n) = (Duration::ZERO, 0u64);
    let mut next = 1;
    for &(t, n) in &seed.progress {
        if n * 10 >= next * total {
            out.push((next * 10, per_sec(n - prev_n, t - prev_t)));
            (prev_t, prev_n) = (t, n);
            while next * total <= n * 10 {
                next += 1;
            }
        }
    }
    out
}

fn generation_json(g: &GenerationRun) -> Value {
    let total = g.plan + g.generate + g.derive;
    json!({
        "schools": g.schools,
        "learners": g.learners,
        "plan_seconds": round(secs(g.plan), 3),
        "generate_seconds": round(secs(g.generate), 3),
        "derive_seconds": round(secs(g.derive), 3),
        "total_seconds": round(secs(total), 3),
        "learners_per_second": round(per_sec(g.learners, total), 1),
    })
}

fn backend_json(r: &BackendRun) -> Value {
    let mut out = json!({ "version": r.version });
    if let Some(s) = &r.seeding {
        out.as_object_mut()
            .expect("an object")
            .extend(seeding_json(s).as_object().cloned().unwrap_or_default());
    }
    if let Some(st) = &r.statistics {
        out["statistics"] = statistics_json(st);
    }
    if let Some(g) = &r.gradebook {
        out["gradebook"] = gradebook_json(g);
    }
    if let Some(i) = &r.import {
        out["import"] = import_json(i);
    }
    out
}

fn seeding_json(r: &SeedingRun) -> Value {
    let s = &r.seed;
    let rep = &s.report;
    json!({
        "seed": {
            "migrate_seconds": round(secs(s.migrate), 3),
            "seconds": round(secs(s.seed), 3),
            "learners": rep.learners,
            "learners_per_second": round(per_sec(rep.learners, s.seed), 1),
            "learners_written_at_seconds": round(secs(s.learners_written_at), 3),
            "after_learners_seconds": round(secs(s.seed - s.learners_written_at), 3),
            "org_units": rep.org_units,
            "schools": rep.schools,
            "staff": rep.staff,
            "classes": rep.classes,
            "guardians": rep.guardians,
            "planted_faults": rep.planted_faults,
            "accounts": rep.accounts.len(),
            "database_bytes": r.size_after_seed,
            "learners_per_second_by_tenth": tenths(s).iter().map(|(p, v)| json!({"up_to_percent": p, "learners_per_second": round(*v, 1)})).collect::<Vec<_>>(),
        },
        "raw_insert": {
            "method": r.raw.method,
            "seconds": round(secs(r.raw.elapsed), 3),
            "learners": r.raw.learners,
            "learners_per_second": round(per_sec(r.raw.learners, r.raw.elapsed), 1),
        },
        "ratio_seed_over_raw": round(ratio(secs(s.seed), secs(r.raw.elapsed)), 3),
        "search_as_seeded": r.search.as_ref().map(search_json),
        "search_after_maintenance": r.analyzed.as_ref().map(|(statement, took, run)| json!({
            "statement": statement,
            "statement_seconds": round(secs(*took), 3),
            "result": search_json(run),
        })),
    })
}

/// The import scenario: the small province, the file, both imports and the raw baseline.
fn statistics_json(st: &statistics::StatisticsRun) -> Value {
    let report = secs(st.report);
    json!({
        "learners": st.learners,
        "schools": st.schools,
        "seed_seconds": round(secs(st.seed), 3),
        "report_seconds": round(report, 3),
        "report_runs_seconds": st.report_runs.iter().map(|d| round(secs(*d), 3)).collect::<Vec<_>>(),
        "enrolled": st.enrolled,
        "export_seconds": round(secs(st.export), 3),
        "exported_rows": st.exported_rows,
        "duckdb": match &st.duckdb {
            Ok(d) => json!({
                "version": d.duckdb_version,
                "load_seconds": round(d.load_seconds, 3),
                "query_seconds": round(d.query_seconds, 3),
                "learner_groups": d.learner_groups,
                "enrolled": d.enrolled,
                "ratio_report_over_query": round(ratio(report, d.query_seconds), 3),
                "ratio_report_over_load_and_query": round(ratio(report, d.load_seconds + d.query_seconds), 3),
            }),
            Err(e) => json!({ "error": e }),
        },
    })
}

fn print_statistics(st: &statistics::StatisticsRun) {
    println!(
        "  statistics: {} learners in {} schools seeded in {:.1} s; department beginning-of-year report {:.2} s (runs {}), {} enrolled",
        thousands(st.learners),
        st.schools,
        secs(st.seed),
        secs(st.report),
        st.report_runs
            .iter()
            .map(|d| format!("{:.2}", secs(*d)))
            .collect::<Vec<_>>()
            .join(", "),
        thousands(st.enrolled as u64)
    );
    match &st.duckdb {
        Ok(d) => println!(
            "  DuckDB {} on the same rows ({} exported in {:.1} s): load {:.2} s, same aggregates {:.2} s — report / DuckDB query {:.1}×, report / DuckDB load+query {:.1}×",
            d.duckdb_version,
            thousands(st.exported_rows),
            secs(st.export),
            d.load_seconds,
            d.query_seconds,
            ratio(secs(st.report), d.query_seconds),
            ratio(secs(st.report), d.load_seconds + d.query_seconds)
        ),
        Err(e) => println!("  DuckDB baseline unavailable: {e}"),
    }
}

fn gradebook_json(g: &gradebook::GradebookRun) -> Value {
    let c = &g.compute;
    json!({
        "learners": g.learners,
        "schools": g.schools,
        "grade_rows": g.grade_rows,
        "grade_events": g.grade_events,
        "seed_with_marks_seconds": round(secs(g.seed), 3),
        "compute": {
            "learners": c.learners,
            "decided": c.decided,
            "full_seconds": round(secs(c.full), 3),
            "full_learners_per_second": round(per_sec(c.learners as u64, c.full), 1),
            "unchanged_seconds": round(secs(c.unchanged), 3),
            "unchanged_learners_per_second": round(per_sec(c.learners as u64, c.unchanged), 1),
            "raw_sql_seconds": round(secs(c.raw), 3),
            "raw_sql_learners": c.raw_learners,
            "raw_sql_learners_per_second": round(per_sec(c.raw_learners as u64, c.raw), 1),
            "ratio_full_over_raw": round(ratio(secs(c.full), secs(c.raw)), 3),
            "ratio_unchanged_over_raw": round(ratio(secs(c.unchanged), secs(c.raw)), 3),
        },
        "saves": g.saves.as_ref().map(|s| json!({
            "teachers": s.teachers,
            "rounds": s.rounds,
            "cells_per_save": s.cells_per_save,
            "save": s.save.json(),
            "saves_per_second": round(s.saves_per_second, 1),
            "single_row_insert": s.baseline.json(),
            "inserts_per_second": round(s.baseline_per_second, 1),
            "ratio_p50": round(ratio(s.save.p50_ms, s.baseline.p50_ms), 2),
            "ratio_p99": round(ratio(s.save.p99_ms, s.baseline.p99_ms), 2),
        })),
    })
}

fn import_json(i: &ImportRun) -> Value {
    let rows = i.rows as u64;
    let pass = |p: &ImportPass| {
        json!({
            "parse_seconds": round(secs(p.parse), 3),
            "plan_seconds": round(secs(p.plan), 3),
            "write_seconds": round(secs(p.write), 3),
            "apply_seconds": round(secs(p.apply()), 3),
            "total_seconds": round(secs(p.total()), 3),
            "rows_per_second": round(per_sec(rows, p.total()), 1),
            "created": p.created,
            "updated": p.updated,
            "unchanged": p.unchanged,
            "rejected": p.rejected,
            "applied": p.applied,
            "first_rejections": p.rejections,
        })
    };
    json!({
        "rows": i.rows,
        "base": {
            "learners": i.base.report.learners,
            "schools": i.base.report.schools,
            "classes": i.base.report.classes,
            "seed_seconds": round(secs(i.base.seed), 3),
        },
        "file": {
            "bytes": i.file_bytes,
            "schools": i.schools,
            "classes": i.classes,
            "personal_ids_reassigned": i.ids_reassigned,
            "generate_seconds": round(secs(i.generate), 3),
            "write_xlsx_seconds": round(secs(i.write_xlsx), 3),
        },
        "import": pass(&i.first),
        "reimport": pass(&i.again),
        "reimport_all_unchanged": i.again.unchanged == i.rows,
        "raw_insert": {
            "method": i.raw.method,
            "seconds": round(secs(i.raw.elapsed), 3),
            "learners": i.raw.learners,
            "learners_per_second": round(per_sec(i.raw.learners, i.raw.elapsed), 1),
        },
        "ratio_import_over_raw": round(ratio(secs(i.first.total()), secs(i.raw.elapsed)), 3),
        "ratio_reimport_over_raw": round(ratio(secs(i.again.total()), secs(i.raw.elapsed)), 3),
        "domain_only": {
            "parse_row_seconds": round(secs(i.cells_only), 3),
            "new_input_and_validate_seconds": round(secs(i.validate_only), 3),
        },
        "learners_before": i.learners_before,
        "learners_after": i.learners_after,
        "postgres_learners_analyzed_before_reimport": i.analyzed_before_reimport,
    })
}

/// One search pass: the searches, the reads by id and their ratios.
fn search_json(r: &SearchRun) -> Value {
    json!({
        "learners_in_database": r.learners_in_db,
        "search": {
            "latency": r.search.json(),
            "not_found": r.not_found,
            "panics": r.panics.len(),
            "panicking_queries": r.panics.iter().map(|(k, q, m)| json!({"kind": k.name(), "q": q, "panic": m})).collect::<Vec<_>>(),
            "by_kind": r.by_kind.iter().map(|k| json!({
                "kind": k.kind.name(),
                "latency": k.latency.json(),
                "median_matches": k.median_matches,
                "max_matches": k.max_matches,
                "panics": k.panics,
            })).collect::<Vec<_>>(),
            "examples": r.examples.iter().map(|(k, q, n)| json!({"kind": k.name(), "q": q, "matches": n})).collect::<Vec<_>>(),
        },
        "get_by_id": { "latency": r.get.json() },
        "ratio_search_over_get": {
            "p50": round(ratio(r.search.p50_ms, r.get.p50_ms), 2),
            "p99": round(ratio(r.search.p99_ms, r.get.p99_ms), 2),
        },
    })
}

fn print_report(
    args: &Args,
    cpus: usize,
    commit: &str,
    generation: Option<&GenerationRun>,
    runs: &[BackendRun],
) {
    println!();
    println!(
        "truongso bench — {}; seed {}, {cpus} CPUs, commit {commit}",
        run_description(args),
        args.seed,
    );
    if let Some(g) = generation {
        let total = g.plan + g.generate + g.derive;
        println!(
            "generator alone (no database, one thread): {} schools, {} learners in {:.1} s = plan {:.1} s + people {:.1} s + stored values {:.1} s ({} learners/s)",
            g.schools,
            thousands(g.learners),
            secs(total),
            secs(g.plan),
            secs(g.generate),
            secs(g.derive),
            thousands(per_sec(g.learners, total) as u64)
        );
    }
    println!();
    let row = |b: &str, figure: String, measured: String, baseline: String, r: f64| {
        println!("{b:<9} {figure:<34} {measured:<30} {baseline:<42} {r:>7.2}×");
    };
    println!(
        "{:<9} {:<34} {:<30} {:<42} {:>8}",
        "backend", "figure", "measured", "baseline (same run)", "ratio"
    );
    println!("{}", "-".repeat(127));
    for r in runs {
        let b = r.which.name();
        if let Some(sr) = &r.seeding {
            let s = &sr.seed;
            row(
                b,
                format!("seed {} learners", thousands(s.report.learners)),
                format!(
                    "{:.1} s  {:>7} learners/s",
                    secs(s.seed),
                    thousands(per_sec(s.report.learners, s.seed) as u64)
                ),
                format!(
                    "raw insert {:.1} s  {:>7} learners/s",
                    secs(sr.raw.elapsed),
                    thousands(per_sec(sr.raw.learners, sr.raw.elapsed) as u64)
                ),
                ratio(secs(s.seed), secs(sr.raw.elapsed)),
            );
            let mut passes = Vec::new();
            if let Some(run) = &sr.search {
                passes.push(("as seeded", run));
            }
            if let Some((_, _, run)) = &sr.analyzed {
                passes.push(("after ANALYZE", run));
            }
            for (pass, run) in passes {
                let (q, g) = (&run.search, &run.get);
                let panics = if run.panics.is_empty() {
                    String::new()
                } else {
                    format!(" ({} panicked)", run.panics.len())
                };
                for (label, a, base) in [("p50", q.p50_ms, g.p50_ms), ("p99", q.p99_ms, g.p99_ms)] {
                    row(
                        b,
                        format!("search {label} {pass}"),
                        format!("{a:.3} ms{panics}"),
                        format!("get by id {label} {base:.3} ms"),
                        ratio(a, base),
                    );
                }
            }
        }
        if let Some(g) = &r.gradebook {
            let c = &g.compute;
            row(
                b,
                format!("year-end {} learners", thousands(c.learners as u64)),
                format!(
                    "{:.1} s  {:>7} learners/s",
                    secs(c.full),
                    thousands(per_sec(c.learners as u64, c.full) as u64)
                ),
                format!(
                    "raw GROUP BY {:.1} s  {:>7} learners/s",
                    secs(c.raw),
                    thousands(per_sec(c.raw_learners as u64, c.raw) as u64)
                ),
                ratio(secs(c.full), secs(c.raw)),
            );
            if let Some(sv) = &g.saves {
                for (label, a, base) in [
                    ("p50", sv.save.p50_ms, sv.baseline.p50_ms),
                    ("p99", sv.save.p99_ms, sv.baseline.p99_ms),
                ] {
                    row(
                        b,
                        format!("save {} cells ×{} {label}", sv.cells_per_save, sv.teachers),
                        format!("{a:.1} ms"),
                        format!("1-row insert ×{} {label} {base:.1} ms", sv.teachers),
                        ratio(a, base),
                    );
                }
            }
        }
        if let Some(i) = &r.import {
            let rows = i.rows as u64;
            let baseline = format!(
                "raw insert {:.1} s  {:>7} learners/s",
                secs(i.raw.elapsed),
                thousands(per_sec(i.raw.learners, i.raw.elapsed) as u64)
            );
            for (figure, p) in [
                (
                    format!("import {} learners (.xlsx)", thousands(rows)),
                    &i.first,
                ),
                (
                    format!(
                        "re-import ({} unchanged)",
                        thousands(i.again.unchanged as u64)
                    ),
                    &i.again,
                ),
            ] {
                row(
                    b,
                    figure,
                    format!(
                        "{:.1} s  {:>7} rows/s",
                        secs(p.total()),
                        thousands(per_sec(rows, p.total()) as u64)
                    ),
                    baseline.clone(),
                    ratio(secs(p.total()), secs(i.raw.elapsed)),
                );
            }
        }
    }
    for r in runs {
        println!();
        println!("[{}] {}", r.which.name(), r.version);
        if let Some(sr) = &r.seeding {
            print_seeding(sr);
        }
        if let Some(i) = &r.import {
            print_import(i);
        }
        if let Some(g) = &r.gradebook {
            print_gradebook(g);
        }
        if let Some(st) = &r.statistics {
            print_statistics(st);
        }
    }
}

fn print_seeding(r: &SeedingRun) {
    let s = &r.seed;
    let rep = &s.report;
    println!(
        "  seed: migrate {:.2} s; {} org units ({} schools), {} staff, {} classes, {} learners, {} guardians, {} planted faults, {} accounts; database {:.0} MB",
        secs(s.migrate),
        thousands(rep.org_units),
        thousands(rep.schools),
        thousands(rep.staff),
        thousands(rep.classes),
        thousands(rep.learners),
        thousands(rep.guardians),
        thousands(rep.planted_faults),
        rep.accounts.len(),
        r.size_after_seed as f64 / 1e6
    );
    println!(
        "  seed: all learners written at {:.1} s; then sequences and demo accounts {:.1} s",
        secs(s.learners_written_at),
        secs(s.seed - s.learners_written_at)
    );
    let t = tenths(s);
    if !t.is_empty() {
        println!(
            "  seed learners/s by tenth: {}",
            t.iter()
                .map(|(p, v)| format!("≤{p}% {}", thousands(*v as u64)))
                .collect::<Vec<_>>()
                .join(" | ")
        );
    }
    println!("  raw insert: {}", r.raw.method);
    if let Some(run) = &r.search {
        print_search("search as seeded", run);
    }
    if let Some((statement, took, run)) = &r.analyzed {
        print_search(
            &format!("search after {statement} ({:.1} s)", secs(*took)),
            run,
        );
    }
}

fn print_import(i: &ImportRun) {
    let rows = i.rows as u64;
    let b = &i.base.report;
    println!(
        "  import: into a seeded province of {} learners ({} schools, {} classes; seeded in {:.1} s); the file: {} rows over {} schools and {} classes, {:.1} MB .xlsx (rows made in {:.1} s, written in {:.1} s; {} personal IDs moved to a free serial)",
        thousands(b.learners),
        thousands(b.schools),
        thousands(b.classes),
        secs(i.base.seed),
        thousands(rows),
        i.schools,
        i.classes,
        i.file_bytes as f64 / 1e6,
        secs(i.generate),
        secs(i.write_xlsx),
        i.ids_reassigned
    );
    for (label, p) in [("import   ", &i.first), ("re-import", &i.again)] {
        println!(
            "  {label}: read_table {:.2} s + apply {:.2} s (plan {:.2} s, write and commit {:.2} s) = {:.2} s, {} rows/s (apply alone {} rows/s); {} created, {} updated, {} unchanged, {} rejected{}",
            secs(p.parse),
            secs(p.apply()),
            secs(p.plan),
            secs(p.write),
            secs(p.total()),
            thousands(per_sec(rows, p.total()) as u64),
            thousands(per_sec(rows, p.apply()) as u64),
            thousands(p.created as u64),
            thousands(p.updated as u64),
            thousands(p.unchanged as u64),
            thousands(p.rejected as u64),
            if p.applied { "" } else { " (NOT applied)" }
        );
        for e in &p.rejections {
            println!("    {e}");
        }
    }
    if i.again.unchanged != i.rows {
        println!(
            "  RE-IMPORT NOT IDEMPOTENT: {} of {} rows unchanged",
            thousands(i.again.unchanged as u64),
            thousands(rows)
        );
    }
    println!(
        "  domain alone on the same file (no database, one thread): parse_row of every row {:.2} s, new learner and validation {:.2} s",
        secs(i.cells_only),
        secs(i.validate_only)
    );
    println!(
        "  raw insert: {}; learners in the database {} before the import, {} after{}",
        i.raw.method,
        thousands(i.learners_before as u64),
        thousands(i.learners_after as u64),
        match i.analyzed_before_reimport {
            None => "",
            Some(true) => "; learners analyzed (autovacuum) before the re-import",
            Some(false) => "; learners not yet analyzed before the re-import",
        }
    );
}

fn print_gradebook(g: &gradebook::GradebookRun) {
    let c = &g.compute;
    println!(
        "  gradebook: {} learners in {} schools seeded with their year of marks in {:.1} s: {} grade rows, {} history events",
        thousands(g.learners),
        g.schools,
        secs(g.seed),
        thousands(g.grade_rows),
        thousands(g.grade_events)
    );
    println!(
        "  year-end: compute_school of every school {:.1} s ({} learners/s, {} decided); again with nothing to change {:.1} s ({} learners/s); raw SQL average per learner {:.2} s ({} learners/s)",
        secs(c.full),
        thousands(per_sec(c.learners as u64, c.full) as u64),
        thousands(c.decided as u64),
        secs(c.unchanged),
        thousands(per_sec(c.learners as u64, c.unchanged) as u64),
        secs(c.raw),
        thousands(per_sec(c.raw_learners as u64, c.raw) as u64)
    );
    if let Some(s) = &g.saves {
        println!(
            "  saves: {} teachers at once × {} rounds, {} cells each: p50 {:.1} ms, p99 {:.1} ms, mean {:.1} ms, {:.1} saves/s; baseline one-row inserts p50 {:.2} ms, p99 {:.2} ms, {:.0} inserts/s",
            s.teachers,
            s.rounds,
            s.cells_per_save,
            s.save.p50_ms,
            s.save.p99_ms,
            s.save.mean_ms,
            s.saves_per_second,
            s.baseline.p50_ms,
            s.baseline.p99_ms,
            s.baseline_per_second
        );
    }
}

fn print_search(title: &str, run: &SearchRun) {
    println!(
        "  {title} ({} learners, {} queries, {} did not find their learner):",
        thousands(run.learners_in_db as u64),
        run.search.n + run.panics.len(),
        run.not_found
    );
    println!(
        "    {:<27} {:>4} {:>10} {:>10} {:>10} {:>15} {:>7}",
        "kind", "n", "p50 ms", "p99 ms", "mean ms", "median matches", "panics"
    );
    for k in &run.by_kind {
        println!(
            "    {:<27} {:>4} {:>10.3} {:>10.3} {:>10.3} {:>15} {:>7}",
            k.kind.name(),
            k.latency.n,
            k.latency.p50_ms,
            k.latency.p99_ms,
            k.latency.mean_ms,
            thousands(k.median_matches),
            k.panics
        );
    }
    println!(
        "    {:<27} {:>4} {:>10.3} {:>10.3} {:>10.3}",
        "all searches", run.search.n, run.search.p50_ms, run.search.p99_ms, run.search.mean_ms
    );
    println!(
        "    {:<27} {:>4} {:>10.3} {:>10.3} {:>10.3}",
        "(baseline) get by id", run.get.n, run.get.p50_ms, run.get.p99_ms, run.get.mean_ms
    );
    println!(
        "    examples: {}",
        run.examples
            .iter()
            .map(|(_, q, n)| format!("{q:?} → {}", thousands(*n)))
            .collect::<Vec<_>>()
            .join(", ")
    );
    if !run.panics.is_empty() {
        println!(
            "    THE STORE PANICKED on {} of {} search texts (left out of the latencies), e.g.:",
            run.panics.len(),
            run.panics.len() + run.search.n
        );
        for (k, q, m) in run.panics.iter().take(3) {
            println!("      {q:?} ({}): {m}", k.name());
        }
    }
}

/// What the run measures: "~1,700,000 learners seeded, 400 searches per backend and pass,
/// 100,000 learners imported", as far as the scenarios go.
fn run_description(args: &Args) -> String {
    let mut parts = Vec::new();
    for s in &args.scenarios {
        parts.push(match s {
            Scenario::Seed => format!("~{} learners seeded", thousands(args.learners)),
            Scenario::Search => format!("{} searches per backend and pass", args.queries),
            Scenario::Import => format!(
                "{} learners imported into ~{} seeded",
                thousands(args.import_rows as u64),
                thousands(args.import_base_learners)
            ),
            Scenario::Gradebook => format!(
                "year-end of ~{} learners and {} teachers saving at once",
                thousands(args.gradebook_learners),
                args.gradebook_teachers
            ),
            Scenario::Statistics => format!(
                "department report over ~{} learners against DuckDB",
                thousands(args.statistics_learners)
            ),
            Scenario::Admission => format!(
                "assignment of {} grade-10 applicants",
                thousands(args.admission_applicants as u64)
            ),
        });
    }
    parts.join(", ")
}

/// 1234567 → "1,234,567".
fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// The workspace's current commit (short), marked "+dirty" when crates/ has uncommitted
/// changes (the benchmark then measures the working tree), or "unknown".
fn git_commit() -> String {
    let git = |args: &[&str]| {
        std::process::Command::new("git")
            .args(args)
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .output()
            .ok()
            .filter(|o| o.status.success())
            .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
    };
    let Some(commit) = git(&["rev-parse", "--short", "HEAD"]) else {
        return "unknown".into();
    };
    match git(&["status", "--porcelain", "--", "../crates", "../Cargo.toml"]) {
        Some(s) if !s.is_empty() => format!("{commit}+dirty"),
        _ => commit,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thousands_separators() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1000), "1,000");
        assert_eq!(thousands(1_700_000), "1,700,000");
    }

    #[test]
    fn tenths_of_progress() {
        let seed = SeedRun {
            report: truongso_store::seed::SeedReport {
                learners: 100,
                ..Default::default()
            },
            progress: (1..=20).map(|i| (Duration::from_secs(i), i * 5)).collect(),
            ..Default::default()
        };
        let t = tenths(&seed);
        assert_eq!(t.len(), 10);
        assert_eq!(t[0], (10, 5.0));
        assert_eq!(t[9], (100, 5.0));
    }

    #[test]
    fn arguments_parse() {
        let a = Args::parse_from(["b", "--learners", "200000", "--backends", "sqlite"]);
        assert_eq!(a.learners, 200_000);
        assert_eq!(a.backends, vec![Which::Sqlite]);
        let a = Args::parse_from(["b"]);
        assert_eq!(a.backends, vec![Which::Sqlite, Which::Postgres]);
        assert_eq!(
            a.scenarios,
            vec![Scenario::Seed, Scenario::Search, Scenario::Import]
        );
        assert_eq!(a.import_rows, 100_000);
        let a = Args::parse_from(["b", "--scenarios", "import", "--import-rows", "20000"]);
        assert_eq!(a.scenarios, vec![Scenario::Import]);
        assert_eq!(a.import_rows, 20_000);
    }
}
