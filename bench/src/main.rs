//! `truongso-bench`: seeding and learner search on SQLite and PostgreSQL, each figure printed
//! next to a baseline measured in the same run (see `bench/README.md`).

mod db;
mod search;
mod seeding;
mod stats;

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use anyhow::Context;
use clap::Parser;
use serde_json::{Value, json};
use truongso_demo::DemoConfig;

use crate::db::{BenchDb, Which};
use crate::search::SearchRun;
use crate::seeding::{GenerationRun, RawRun, SeedRun};
use crate::stats::{ratio, round};

#[derive(Parser, Debug)]
#[command(
    name = "truongso-bench",
    about = "Benchmarks truongso's seeder and learner search on SQLite and PostgreSQL against same-run baselines"
)]
struct Args {
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
    /// Where to write the JSON summary.
    #[arg(long, default_value = concat!(env!("CARGO_MANIFEST_DIR"), "/results/latest.json"))]
    out: PathBuf,
}

/// Everything measured on one backend.
struct BackendRun {
    which: Which,
    version: String,
    seed: SeedRun,
    size_after_seed: u64,
    raw: RawRun,
    search: SearchRun,
    /// The maintenance statement, its duration and the search pass measured after it.
    analyzed: Option<(&'static str, Duration, SearchRun)>,
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
    anyhow::ensure!(args.queries > 0, "--queries must be at least 1");
    let config = DemoConfig {
        seed: args.seed,
        learners: args.learners,
        ..DemoConfig::default()
    };
    let cpus = std::thread::available_parallelism().map_or(0, |n| n.get());
    let commit = git_commit();
    eprintln!(
        "truongso bench: ~{} learners, seed {}, {} searches, backends {}, {cpus} CPUs, commit {commit}",
        thousands(args.learners),
        args.seed,
        args.queries,
        args.backends
            .iter()
            .map(|b| b.name())
            .collect::<Vec<_>>()
            .join(",")
    );

    let generation = if args.no_generation {
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

    let dir = args.dir.clone().unwrap_or_else(std::env::temp_dir);
    let mut runs = Vec::new();
    let mut failures = Vec::new();
    for &which in &args.backends {
        eprintln!("== {}", which.name());
        let db = match BenchDb::create(which, &dir, &args.pg_url).await {
            Ok(db) => db,
            Err(e) => {
                eprintln!("   {} failed: {e:#}", which.name());
                failures.push((which, format!("{e:#}")));
                continue;
            }
        };
        let outcome = tokio::select! {
            r = run_backend(&db, &config, &args) => r,
            _ = tokio::signal::ctrl_c() => {
                eprintln!("interrupted; removing the benchmark database");
                db.destroy(args.keep).await?;
                return Ok(ExitCode::from(130));
            }
        };
        db.destroy(args.keep).await?;
        match outcome {
            Ok(r) => runs.push(r),
            Err(e) => {
                eprintln!("   {} failed: {e:#}", which.name());
                failures.push((which, format!("{e:#}")));
            }
        }
    }

    let summary = json!({
        "generated_at": chrono::Utc::now().to_rfc3339(),
        "commit": commit,
        "cpus": cpus,
        "learners_requested": args.learners,
        "seed": args.seed,
        "queries": args.queries,
        "generation_only": generation.as_ref().map(generation_json),
        "backends": runs.iter().map(|r| (r.which.name().to_string(), backend_json(r))).collect::<serde_json::Map<String, Value>>(),
        "failures": failures.iter().map(|(w, e)| json!({"backend": w.name(), "error": e})).collect::<Vec<_>>(),
    });
    print_report(&args, cpus, &commit, generation.as_ref(), &runs);
    if let Some(parent) = args.out.parent() {
        std::fs::create_dir_all(parent)
            .with_context(|| format!("creating {}", parent.display()))?;
    }
    std::fs::write(&args.out, serde_json::to_string_pretty(&summary)? + "\n")
        .with_context(|| format!("writing {}", args.out.display()))?;
    println!("\nJSON summary: {}", args.out.display());
    for (which, e) in &failures {
        println!("FAILED {}: {e}", which.name());
    }
    Ok(if failures.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

async fn run_backend(db: &BenchDb, config: &DemoConfig, args: &Args) -> anyhow::Result<BackendRun> {
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
    Ok(BackendRun {
        which: db.which,
        version,
        seed,
        size_after_seed,
        raw,
        search,
        analyzed,
    })
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
    let s = &r.seed;
    let rep = &s.report;
    json!({
        "version": r.version,
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
        "search_as_seeded": search_json(&r.search),
        "search_after_maintenance": r.analyzed.as_ref().map(|(statement, took, run)| json!({
            "statement": statement,
            "statement_seconds": round(secs(*took), 3),
            "result": search_json(run),
        })),
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
        "truongso bench — ~{} learners requested, seed {}, {} searches per backend and pass, {cpus} CPUs, commit {commit}",
        thousands(args.learners),
        args.seed,
        args.queries,
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
        let s = &r.seed;
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
                secs(r.raw.elapsed),
                thousands(per_sec(r.raw.learners, r.raw.elapsed) as u64)
            ),
            ratio(secs(s.seed), secs(r.raw.elapsed)),
        );
        let mut passes = vec![("as seeded", &r.search)];
        if let Some((_, _, run)) = &r.analyzed {
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
    for r in runs {
        let s = &r.seed;
        let rep = &s.report;
        println!();
        println!("[{}] {}", r.which.name(), r.version);
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
        print_search("search as seeded", &r.search);
        if let Some((statement, took, run)) = &r.analyzed {
            print_search(
                &format!("search after {statement} ({:.1} s)", secs(*took)),
                run,
            );
        }
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
    }
}
