//! Scenario 4: the e-gradebook. On a province seeded with its year of marks:
//! (a) the year-end computation of every school (`gradebook::results::compute_school`) against a
//! raw SQL aggregation over the same `grade_rows` (an average per learner, grouped in the
//! database), and (b) 200 teachers saving a class's marks at once (`gradebook::save`) against as
//! many concurrent single-row inserts into a plain table of the same database.

use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Context;
use truongso_demo::DemoConfig;
use truongso_domain::gradebook::compute::GradingRules;
use truongso_domain::gradebook::{Item, Slot, Term};
use truongso_store::audit::AuditActor;
use truongso_store::classes::{self, Class};
use truongso_store::gradebook::{self, CellEdit, results, terms};
use truongso_store::{Scope, Store};

use crate::db::{BenchDb, Which};
use crate::stats::{Latency, Rng};

/// Everything the gradebook scenario measured on one backend.
#[derive(Debug, Clone)]
pub struct GradebookRun {
    pub learners: u64,
    pub schools: usize,
    pub grade_rows: u64,
    pub grade_events: u64,
    /// The whole seed, marks included (the seed scenario measures it without marks).
    pub seed: Duration,
    pub compute: ComputeRun,
    pub saves: Option<SavesRun>,
}

#[derive(Debug, Clone)]
pub struct ComputeRun {
    /// Learners classified (every learner on a gradebook roster).
    pub learners: usize,
    pub decided: usize,
    /// `compute_school` of every school after the stored results were deleted: reads, classifies,
    /// writes every result and its history event.
    pub full: Duration,
    /// The same again with the results in place: reads and classifies, writes nothing.
    pub unchanged: Duration,
    /// Baseline: per school, `SELECT learner_id, AVG(end mark), COUNT(*) … GROUP BY learner_id`.
    pub raw: Duration,
    pub raw_learners: usize,
}

#[derive(Debug, Clone)]
pub struct SavesRun {
    pub teachers: usize,
    pub rounds: usize,
    pub cells_per_save: usize,
    pub save: Latency,
    pub saves_per_second: f64,
    pub baseline: Latency,
    pub baseline_per_second: f64,
}

/// The chosen classes and subject of the save benchmark.
struct Target {
    class: Class,
    item: Item,
    learners: Vec<i64>,
}

pub async fn run(
    db: &BenchDb,
    seed: u64,
    learners: u64,
    teachers: usize,
) -> anyhow::Result<GradebookRun> {
    truongso_store::migrate::run(&db.store)
        .await
        .context("migrations")?;
    let config = DemoConfig {
        seed,
        learners,
        ..DemoConfig::default()
    };
    eprintln!("   seeding ~{learners} learners with their year of marks");
    let started = Instant::now();
    let mut last_tenth = 0;
    let report = truongso_store::seed::seed(&db.store, &config, |done, total| {
        let tenth = done * 10 / total.max(1);
        if tenth > last_tenth {
            last_tenth = tenth;
            eprintln!(
                "    seed: {done:>9} / ~{total} learners, {:>7.1} s",
                started.elapsed().as_secs_f64()
            );
        }
    })
    .await
    .context("seeding")?;
    let seed_time = started.elapsed();
    eprintln!(
        "   seeded {} learners, {} grade rows, {} history events in {:.1} s",
        report.learners,
        report.grade_rows,
        report.grade_events,
        seed_time.as_secs_f64()
    );
    db.checkpoint().await?;
    let schools: Vec<(i64, i64)> = db
        .store
        .conn()
        .fetch_all_raw(
            "SELECT DISTINCT school_id, school_year_id FROM grade_rows ORDER BY school_id",
            &[],
        )
        .await?;
    let compute = compute(db, &schools).await?;
    let saves = if teachers > 0 {
        Some(saves(db, teachers, seed).await?)
    } else {
        None
    };
    Ok(GradebookRun {
        learners: report.learners,
        schools: schools.len(),
        grade_rows: report.grade_rows,
        grade_events: report.grade_events,
        seed: seed_time,
        compute,
        saves,
    })
}

fn actor(name: &str) -> AuditActor {
    AuditActor {
        user_id: None,
        username: Some(name.into()),
        role: None,
        client: Some("bench".into()),
    }
}

/// (a) The year-end computation of every school, one transaction per school, against the raw
/// aggregation of the same rows.
async fn compute(db: &BenchDb, schools: &[(i64, i64)]) -> anyhow::Result<ComputeRun> {
    let rules = GradingRules::default();
    let principal = actor("bench.hieutruong");
    db.execute("DELETE FROM year_results").await?;
    db.checkpoint().await?;
    eprintln!(
        "   year-end computation of {} schools (results deleted first)",
        schools.len()
    );
    let (mut learners, mut decided) = (0, 0);
    let started = Instant::now();
    for &(school, year) in schools {
        let mut tx = db.store.begin().await?;
        let r = results::compute_school(&mut tx, &principal, "bench", school, year, &rules).await?;
        tx.commit().await?;
        learners += r.learners;
        decided += r.decided;
    }
    let full = started.elapsed();
    db.checkpoint().await?;
    eprintln!(
        "   {learners} learners in {:.1} s; again with the results in place",
        full.as_secs_f64()
    );
    let started = Instant::now();
    for &(school, year) in schools {
        let mut tx = db.store.begin().await?;
        let r = results::compute_school(&mut tx, &principal, "bench", school, year, &rules).await?;
        anyhow::ensure!(
            r.changed == 0,
            "a recomputation changed {} results",
            r.changed
        );
        tx.commit().await?;
    }
    let unchanged = started.elapsed();
    db.checkpoint().await?;
    // Baseline: the database averages the end-of-term marks of each learner of a school.
    let numeric = match db.which {
        Which::Sqlite => "fin GLOB '[0-9]*'",
        Which::Postgres => "fin ~ '^[0-9.]+$'",
    };
    let sql = |school: i64, year: i64| {
        format!(
            "SELECT learner_id, AVG(CAST(fin AS REAL)), COUNT(*) FROM grade_rows \
             WHERE school_id = {school} AND school_year_id = {year} AND term IN (1, 2) AND {numeric} \
             GROUP BY learner_id"
        )
    };
    eprintln!("   raw baseline, per school: {}", sql(0, 0));
    let started = Instant::now();
    let mut raw_learners = 0;
    for &(school, year) in schools {
        let rows: Vec<(i64, Option<f64>, i64)> = db
            .store
            .conn()
            .fetch_all_raw(&sql(school, year), &[])
            .await?;
        raw_learners += rows.len();
    }
    let raw = started.elapsed();
    Ok(ComputeRun {
        learners,
        decided,
        full,
        unchanged,
        raw,
        raw_learners,
    })
}

/// (b) `teachers` teachers, each saving every mark of one class for one subject (40 learners ×
/// r1–r4, mid, end) at the same moment, in a few rounds; against as many concurrent single-row
/// inserts. The seeded year is locked, so semester II of the schools involved is unlocked first
/// with a reason, as a principal would for corrections (not timed).
async fn saves(db: &BenchDb, teachers: usize, seed: u64) -> anyhow::Result<SavesRun> {
    let targets = pick_targets(&db.store, teachers).await?;
    anyhow::ensure!(
        !targets.is_empty(),
        "no class with a subject of 4 regular marks"
    );
    let principal = actor("bench.hieutruong");
    let mut unlocked = std::collections::HashSet::new();
    for t in &targets {
        if unlocked.insert(t.class.org_unit_id) {
            let mut tx = db.store.begin().await?;
            terms::change(
                &mut tx,
                &principal,
                "bench",
                t.class.org_unit_id,
                t.class.school_year_id,
                Term::Second,
                terms::TermChange::Unlock {
                    reason: "Đo hiệu năng: sửa điểm học kì II".into(),
                },
            )
            .await?;
            tx.commit().await?;
        }
    }
    let targets = Arc::new(targets);
    let rounds = 3;
    let slots = [Slot::R1, Slot::R2, Slot::R3, Slot::R4, Slot::Mid, Slot::End];
    eprintln!(
        "   {} teachers saving {} learners × {} cells at once, {rounds} rounds (schools: {})",
        targets.len(),
        targets.iter().map(|t| t.learners.len()).max().unwrap_or(0),
        slots.len(),
        unlocked.len()
    );
    let mut rng = Rng::new(seed ^ 0x5A7E);
    let mut latencies = Vec::new();
    let mut busy = Duration::ZERO;
    for round in 0..rounds {
        // Each round writes new marks over what the grids show now.
        let mut plans = Vec::new();
        for (i, t) in targets.iter().enumerate() {
            let grid =
                gradebook::grid(&mut db.store.conn(), &t.class, t.item, Term::Second).await?;
            let edits: Vec<CellEdit> = grid
                .rows
                .iter()
                .filter(|r| t.learners.contains(&r.learner_id))
                .flat_map(|r| {
                    slots.iter().map(|s| CellEdit {
                        learner_id: r.learner_id,
                        slot: s.code().into(),
                        base: r.values.get(*s).map(str::to_string),
                        value: String::new(),
                    })
                })
                .collect::<Vec<_>>()
                .into_iter()
                .map(|mut e| {
                    let mut v = format!("{}", rng.range(4, 10));
                    if rng.range(0, 3) == 0 && v != "10" {
                        v.push_str(".5");
                    }
                    if e.base.as_deref() == Some(v.as_str()) {
                        v = if v == "10" { "9".into() } else { "10".into() };
                    }
                    e.value = v;
                    e
                })
                .collect();
            plans.push((i, edits));
        }
        let started = Instant::now();
        let tasks: Vec<_> = plans
            .into_iter()
            .map(|(i, edits)| {
                let store = db.store.clone();
                let targets = targets.clone();
                tokio::spawn(async move {
                    let t = &targets[i];
                    let begun = Instant::now();
                    let mut tx = store.begin().await?;
                    let report = gradebook::save(
                        &mut tx,
                        &actor(&format!("bench.giaovien{i}")),
                        "bench",
                        &t.class,
                        t.item,
                        Term::Second,
                        &edits,
                    )
                    .await?;
                    tx.commit().await?;
                    anyhow::ensure!(
                        report.conflicts == 0 && report.saved == edits.len(),
                        "save {i}: {} saved, {} conflicts of {}",
                        report.saved,
                        report.conflicts,
                        edits.len()
                    );
                    Ok::<Duration, anyhow::Error>(begun.elapsed())
                })
            })
            .collect();
        for t in tasks {
            latencies.push(t.await??);
        }
        busy += started.elapsed();
        eprintln!(
            "    round {}: {:.2} s",
            round + 1,
            started.elapsed().as_secs_f64()
        );
    }
    let save = Latency::of(&latencies);
    let saves_per_second = latencies.len() as f64 / busy.as_secs_f64();

    // Baseline: the same number of concurrent one-row inserts, each in its own transaction.
    db.execute("CREATE TABLE bench_plain_rows (id BIGINT PRIMARY KEY, learner_id BIGINT NOT NULL, payload TEXT NOT NULL)")
        .await?;
    let mut base = Vec::new();
    let mut base_busy = Duration::ZERO;
    let mut next_id = 0i64;
    for _ in 0..rounds {
        let started = Instant::now();
        let tasks: Vec<_> = (0..targets.len())
            .map(|i| {
                let store = db.store.clone();
                next_id += 1;
                let id = next_id;
                tokio::spawn(async move {
                    let begun = Instant::now();
                    let mut tx = store.begin().await?;
                    tx.conn()
                        .execute_raw(&format!(
                            "INSERT INTO bench_plain_rows (id, learner_id, payload) VALUES ({id}, {i}, '{{\"end\":\"8\",\"mid\":\"7.5\"}}')"
                        ))
                        .await?;
                    tx.commit().await?;
                    Ok::<Duration, anyhow::Error>(begun.elapsed())
                })
            })
            .collect();
        for t in tasks {
            base.push(t.await??);
        }
        base_busy += started.elapsed();
    }
    db.execute("DROP TABLE bench_plain_rows").await?;
    Ok(SavesRun {
        teachers: targets.len(),
        rounds,
        cells_per_save: targets.iter().map(|t| t.learners.len()).max().unwrap_or(0) * slots.len(),
        save,
        saves_per_second,
        baseline: Latency::of(&base),
        baseline_per_second: base.len() as f64 / base_busy.as_secs_f64(),
    })
}

/// Up to `n` secondary classes (spread over the schools) with at least 30 learners, each with
/// a subject of four regular marks, and the first 40 learners of each roster.
async fn pick_targets(store: &Store, n: usize) -> anyhow::Result<Vec<Target>> {
    let ids: Vec<(i64,)> = store
        .conn()
        .fetch_all_raw(
            "SELECT c.id FROM classes c WHERE c.grade BETWEEN 6 AND 12 \
             AND (SELECT COUNT(*) FROM enrolments e WHERE e.class_id = c.id AND e.status = 'studying') >= 30 \
             ORDER BY c.id",
            &[],
        )
        .await?;
    // Spread over the province: every k-th class.
    let step = (ids.len() / n.max(1)).max(1);
    let mut out = Vec::new();
    for (id,) in ids.into_iter().step_by(step) {
        if out.len() >= n {
            break;
        }
        let class = classes::get(&mut store.conn(), &Scope::All, id).await?;
        let Some(item) = gradebook::class_items(&mut store.conn(), &class)
            .await?
            .into_iter()
            .find(|p| p.regular == 4 && matches!(p.item, Item::Subject(_)))
            .map(|p| p.item)
        else {
            continue;
        };
        let learners: Vec<i64> = gradebook::roster(&mut store.conn(), id)
            .await?
            .into_iter()
            .take(40)
            .map(|r| r.learner_id)
            .collect();
        out.push(Target {
            class,
            item,
            learners,
        });
    }
    Ok(out)
}
