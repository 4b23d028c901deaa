//! The import scenario: new learners from an .xlsx file with full validation
//! (`truongso_store::imports::apply`, what `truongso import --kind learners FILE` does), against
//! a plain bulk insert of the same learner rows into the same database.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Context;
use chrono::{NaiveDate, Utc};
use truongso_demo::{DemoConfig, Plan};
use truongso_domain::import::learners::{export_cells, parse_row};
use truongso_domain::import::{ImportKind, columns, data_rows, describe_errors, match_headers};
use truongso_domain::learners::LearnerInput;
use truongso_domain::tabular::{Cell, TableWriter, read_table};
use truongso_domain::text::{clean, fold};
use truongso_store::Scope;
use truongso_store::audit::AuditActor;
use truongso_store::imports::{self, ImportOptions};

use crate::db::BenchDb;
use crate::seeding::{self, RAW_TABLE, RawLearner, RawRun, RawWriter, SeedRun};

/// Added to `--seed` for the generator of the imported learners, so that they are other
/// children than the seeded ones (their personal IDs are checked against the database anyway).
const IMPORT_SEED_OFFSET: u64 = 0x1A_2025;

/// Everything measured by the import scenario on one backend.
pub struct ImportRun {
    /// The small seeded province the learners are imported into.
    pub base: SeedRun,
    pub rows: usize,
    /// Distinct schools and classes named by the file's "Mã trường" and "Lớp" columns.
    pub schools: usize,
    pub classes: usize,
    /// Personal IDs of generated learners moved to the next free serial because the database
    /// or an earlier row already had them.
    pub ids_reassigned: usize,
    /// Context, not measured against anything: making the rows and writing the .xlsx.
    pub generate: Duration,
    pub write_xlsx: Duration,
    pub file_bytes: usize,
    /// Context: the domain's work alone on the same table, without a database — reading the
    /// cells of every row (`parse_row`) and validating the learner it makes.
    pub cells_only: Duration,
    pub validate_only: Duration,
    pub first: ImportPass,
    pub again: ImportPass,
    pub raw: RawRun,
    pub learners_before: i64,
    pub learners_after: i64,
    /// PostgreSQL: whether `learners` had been analyzed (by autovacuum) since the import when
    /// the re-import started — the plans of its lookups depend on it.
    pub analyzed_before_reimport: Option<bool>,
}

/// One import of the file.
#[derive(Debug, Clone, Default)]
pub struct ImportPass {
    /// `read_table` of the bytes and `match_headers`.
    pub parse: Duration,
    /// `imports::apply`: planning (until it starts writing, seen through its progress callback)…
    pub plan: Duration,
    /// … then the writes and the commit.
    pub write: Duration,
    pub created: usize,
    pub updated: usize,
    pub unchanged: usize,
    pub rejected: usize,
    pub applied: bool,
    /// The first rejected rows, described as the CLI does.
    pub rejections: Vec<String>,
}

impl ImportPass {
    pub fn apply(&self) -> Duration {
        self.plan + self.write
    }

    pub fn total(&self) -> Duration {
        self.parse + self.plan + self.write
    }
}

/// A class of the current school year in the seeded database.
#[derive(Debug, Clone)]
struct Target {
    school_code: String,
    school_id: i64,
    class_name: String,
}

/// One row of the file.
struct Row {
    input: LearnerInput,
    target: Arc<Target>,
}

/// Seeds a small province, generates `rows` new learners into its classes, writes them to an
/// .xlsx, then measures the raw baseline, the import and a re-import of the same file.
pub async fn run(
    db: &BenchDb,
    seed: u64,
    base_learners: u64,
    rows: usize,
    save_xlsx: Option<&std::path::Path>,
) -> anyhow::Result<ImportRun> {
    eprintln!("   import: seeding a small province (~{base_learners} learners) to import into");
    let base_config = DemoConfig {
        seed,
        learners: base_learners,
        marks: false,
        ..DemoConfig::default()
    };
    let base = seeding::run_seeder(db, &base_config).await?;
    db.checkpoint().await?;

    let (targets, used_ids, without_id) = database_facts(db).await?;
    anyhow::ensure!(!targets.is_empty(), "the seeded database has no class");
    eprintln!(
        "   import: generating {rows} new learners into {} classes of {} schools",
        targets.values().map(Vec::len).sum::<usize>(),
        targets
            .values()
            .flatten()
            .map(|t| t.school_id)
            .collect::<HashSet<_>>()
            .len()
    );
    let started = Instant::now();
    let config = DemoConfig {
        seed: seed.wrapping_add(IMPORT_SEED_OFFSET),
        ..base_config
    };
    let (file_rows, ids_reassigned) = tokio::task::spawn_blocking(move || {
        generate_rows(&config, rows, &targets, used_ids, &without_id)
    })
    .await??;
    let generate = started.elapsed();

    let started = Instant::now();
    let bytes = write_xlsx(&file_rows)?;
    let write_xlsx = started.elapsed();
    if let Some(path) = save_xlsx {
        std::fs::write(path, &bytes).with_context(|| format!("writing {}", path.display()))?;
        eprintln!("   import: the file is saved as {}", path.display());
    }
    let schools = file_rows
        .iter()
        .map(|r| r.target.school_id)
        .collect::<HashSet<_>>()
        .len();
    let classes = file_rows
        .iter()
        .map(|r| (r.target.school_id, r.target.class_name.as_str()))
        .collect::<HashSet<_>>()
        .len();
    eprintln!(
        "   import: {} rows, {} schools, {classes} classes; .xlsx of {:.1} MB",
        file_rows.len(),
        schools,
        bytes.len() as f64 / 1e6
    );

    eprintln!("   import baseline: raw bulk insert of the same learner rows into a plain table");
    db.execute(&format!("DROP TABLE IF EXISTS {RAW_TABLE}"))
        .await?;
    db.checkpoint().await?;
    let raw = raw_insert(db, &file_rows).await?;
    eprintln!(
        "   raw-inserted {} learners in {:.1} s",
        raw.learners,
        raw.elapsed.as_secs_f64()
    );
    db.execute(&format!("DROP TABLE {RAW_TABLE}")).await?;
    drop(file_rows);

    let (cells_only, validate_only) = {
        let bytes = bytes.clone();
        tokio::task::spawn_blocking(move || domain_only(&bytes)).await??
    };

    let learners_before = count_learners(db).await?;
    db.checkpoint().await?;
    eprintln!("   import: imports::apply of the file (all or nothing)");
    let first = import_pass(db, &bytes).await?;
    eprintln!(
        "   imported in {:.1} s (parse {:.1} s, plan {:.1} s, write {:.1} s): {} created, {} rejected",
        first.total().as_secs_f64(),
        first.parse.as_secs_f64(),
        first.plan.as_secs_f64(),
        first.write.as_secs_f64(),
        first.created,
        first.rejected
    );
    if !first.applied || first.created != rows {
        anyhow::bail!(
            "the import created {} of {rows} rows ({} rejected, applied: {}); first rejections: {}",
            first.created,
            first.rejected,
            first.applied,
            first.rejections.join(" | ")
        );
    }
    let learners_after = count_learners(db).await?;

    db.checkpoint().await?;
    let analyzed_before_reimport = match db.which {
        crate::db::Which::Sqlite => None,
        crate::db::Which::Postgres => Some(
            db.scalar_i64(
                "SELECT CAST(COUNT(*) AS BIGINT) FROM pg_stat_user_tables \
                 WHERE relname = 'learners' AND n_mod_since_analyze < n_live_tup / 2",
            )
            .await?
                == Some(1),
        ),
    };
    eprintln!("   import: the same file again (idempotency)");
    let again = import_pass(db, &bytes).await?;
    eprintln!(
        "   re-imported in {:.1} s: {} unchanged, {} updated, {} created, {} rejected",
        again.total().as_secs_f64(),
        again.unchanged,
        again.updated,
        again.created,
        again.rejected
    );
    if again.unchanged != rows {
        eprintln!(
            "   WARNING: the re-import left {} of {rows} rows unchanged",
            again.unchanged
        );
    }
    Ok(ImportRun {
        base,
        rows,
        schools,
        classes,
        ids_reassigned,
        generate,
        write_xlsx,
        file_bytes: bytes.len(),
        cells_only,
        validate_only,
        first,
        again,
        raw,
        learners_before,
        learners_after,
        analyzed_before_reimport,
    })
}

/// Classes of the current year by grade, the personal IDs already stored, and the
/// (school, folded name, birth date) of stored learners without one (a row with the same would
/// be matched to them rather than created).
async fn database_facts(
    db: &BenchDb,
) -> anyhow::Result<(
    HashMap<i64, Vec<Arc<Target>>>,
    HashSet<String>,
    HashSet<(i64, String, NaiveDate)>,
)> {
    let year = truongso_store::years::current(&mut db.store.conn())
        .await?
        .context("the seeded database has no current school year")?;
    let classes: Vec<(String, i64, String, i64)> = db
        .store
        .conn()
        .fetch_all_raw(
            &format!(
                "SELECT o.code, CAST(o.id AS BIGINT), c.name, CAST(c.grade AS BIGINT) \
                 FROM classes c JOIN org_units o ON o.id = c.org_unit_id \
                 WHERE c.school_year_id = {} ORDER BY o.code, c.grade, c.name",
                year.id
            ),
            &[],
        )
        .await?;
    let mut targets: HashMap<i64, Vec<Arc<Target>>> = HashMap::new();
    for (school_code, school_id, class_name, grade) in classes {
        targets.entry(grade).or_default().push(Arc::new(Target {
            school_code,
            school_id,
            class_name,
        }));
    }
    let ids: Vec<(String,)> = db
        .store
        .conn()
        .fetch_all_raw(
            "SELECT national_id FROM learners WHERE national_id IS NOT NULL",
            &[],
        )
        .await?;
    let without: Vec<(i64, String, NaiveDate)> = db
        .store
        .conn()
        .fetch_all_raw(
            "SELECT CAST(school_id AS BIGINT), name_fold, birth_date FROM learners WHERE national_id IS NULL",
            &[],
        )
        .await?;
    Ok((
        targets,
        ids.into_iter().map(|(id,)| id).collect(),
        without.into_iter().collect(),
    ))
}

/// `rows` valid, distinct new learners from the demo generator (another seed than the seeded
/// province), without its planted faults, each placed in a seeded class of its own grade
/// (round robin over the schools that have one) and given a personal ID nobody has yet.
fn generate_rows(
    config: &DemoConfig,
    rows: usize,
    targets: &HashMap<i64, Vec<Arc<Target>>>,
    mut used_ids: HashSet<String>,
    without_id: &HashSet<(i64, String, NaiveDate)>,
) -> anyhow::Result<(Vec<Row>, usize)> {
    let all: Vec<Arc<Target>> = {
        let mut grades: Vec<_> = targets.keys().copied().collect();
        grades.sort_unstable();
        grades.iter().flat_map(|g| targets[g].clone()).collect()
    };
    let mut next: HashMap<i64, usize> = HashMap::new();
    let mut out = Vec::with_capacity(rows);
    let mut reassigned = 0;
    // A few % of the generated learners carry planted faults and are left out; should the
    // province still be short, another one is generated.
    for attempt in 0u64.. {
        anyhow::ensure!(attempt < 20, "the generator gave too few learners");
        let plan = Plan::new(&DemoConfig {
            seed: config.seed.wrapping_add(attempt),
            learners: (rows - out.len()) as u64 * 11 / 10 + 1000,
            ..config.clone()
        });
        for ordinal in 0..plan.schools.len() {
            let data = plan.generate_school(ordinal);
            for l in data.learners {
                if out.len() == rows {
                    return Ok((out, reassigned));
                }
                if l.fault.is_some() {
                    continue;
                }
                let mut input = l.input;
                let Some(id) = input.national_id.take() else {
                    continue;
                };
                let id = if used_ids.contains(&id) {
                    reassigned += 1;
                    next_free_id(&id, &used_ids).context("no free personal ID serial")?
                } else {
                    id
                };
                let grade = i64::from(data.classes[l.class].grade);
                let pool = targets.get(&grade).unwrap_or(&all);
                let n = next.entry(grade).or_default();
                let target = pool[*n % pool.len()].clone();
                *n += 1;
                if without_id.contains(&(
                    target.school_id,
                    fold(&clean(&input.full_name)),
                    input.birth_date,
                )) {
                    continue;
                }
                used_ids.insert(id.clone());
                input.national_id = Some(id);
                out.push(Row { input, target });
            }
        }
        if out.len() == rows {
            break;
        }
    }
    Ok((out, reassigned))
}

/// The next serial (digits 7–12) after `id`'s with the same province, century/gender and birth
/// year digits that nobody has.
fn next_free_id(id: &str, used: &HashSet<String>) -> Option<String> {
    let (prefix, serial) = id.split_at(6);
    let serial: u32 = serial.parse().ok()?;
    (1..1_000_000)
        .map(|k| format!("{prefix}{:06}", (serial + k) % 1_000_000))
        .find(|c| !used.contains(c))
}

/// The rows as a school's file: the import template's columns (what an export writes), learner
/// code left empty, with the class and school code of each row.
fn write_xlsx(rows: &[Row]) -> anyhow::Result<Vec<u8>> {
    let code_column = columns(ImportKind::Learners)
        .iter()
        .position(|c| c.key == "learner_code")
        .context("no learner code column")?;
    let mut w = TableWriter::xlsx(ImportKind::Learners.label_vi());
    w.header(&truongso_store::exports::headers(ImportKind::Learners))?;
    for r in rows {
        let mut cells = export_cells(
            "",
            &r.input,
            Some(&r.target.class_name),
            Some(&r.target.school_code),
        );
        cells[code_column] = Cell::Empty;
        w.row(&cells)?;
    }
    Ok(w.finish()?)
}

/// The raw baseline: the same learner rows, with the values the import derives (cleaned name,
/// folded name, sort key, learner code), loaded into the plain table by [`RawWriter`]. Timed
/// from the in-memory rows to the commit.
async fn raw_insert(db: &BenchDb, rows: &[Row]) -> anyhow::Result<RawRun> {
    let started = Instant::now();
    let mut writer = RawWriter::start(db).await?;
    let mut now = Utc::now();
    for (i, r) in rows.iter().enumerate() {
        if i % 1000 == 0 {
            now = Utc::now();
        }
        writer
            .push(RawLearner::new(
                i as i64 + 1,
                i as u64 + 1,
                r.target.school_id,
                &r.input,
                now,
            ))
            .await?;
    }
    let learners = writer.finish().await?;
    Ok(RawRun {
        learners,
        elapsed: started.elapsed(),
        method: RawWriter::method(db.which),
    })
}

/// The domain's share of planning, without a database: reading every row's cells, then making
/// and validating the new learner.
fn domain_only(bytes: &[u8]) -> anyhow::Result<(Duration, Duration)> {
    let table = read_table(bytes)?;
    let mapping = match_headers(ImportKind::Learners, &table).mapping;
    let today = chrono::Local::now().date_naive();
    let started = Instant::now();
    let patches: Vec<_> = data_rows(&table, &mapping).map(|r| parse_row(&r)).collect();
    let cells = started.elapsed();
    let started = Instant::now();
    let mut invalid = 0usize;
    for p in patches.iter().flatten() {
        invalid += usize::from(p.new_input().validate(today).is_err());
    }
    let validate = started.elapsed();
    std::hint::black_box(invalid);
    Ok((cells, validate))
}

/// Reads the file and imports it with `imports::apply`, as `truongso import --kind learners`
/// does (school from the "Mã trường" column, all or nothing, scope of the operator).
async fn import_pass(db: &BenchDb, bytes: &[u8]) -> anyhow::Result<ImportPass> {
    let kind = ImportKind::Learners;
    let started = Instant::now();
    let table = read_table(bytes)?;
    let header = match_headers(kind, &table);
    let parse = started.elapsed();
    anyhow::ensure!(
        header.missing_required.is_empty() && header.unmatched.is_empty(),
        "header matching: missing {:?}, unmatched {:?}",
        header.missing_required,
        header.unmatched
    );
    let options = ImportOptions {
        kind,
        default_unit_id: None,
        keep_valid: false,
        today: chrono::Local::now().date_naive(),
    };
    let actor = AuditActor {
        username: Some("truongso-bench".into()),
        ..Default::default()
    };
    let mut writing_from: Option<Instant> = None;
    let mut last = 0;
    let mut progress = |done: usize, total: usize| {
        writing_from.get_or_insert_with(Instant::now);
        let pct = done * 100 / total.max(1);
        if total > 0 && pct >= last + 25 {
            last = pct;
            eprintln!("    import: written {done} / {total} rows");
        }
    };
    let started = Instant::now();
    let report = imports::apply(
        &db.store,
        &Scope::All,
        &actor,
        &table,
        &header.mapping,
        &options,
        &mut progress,
    )
    .await
    .context("imports::apply")?;
    let finished = Instant::now();
    let writing_from = writing_from.unwrap_or(finished);
    Ok(ImportPass {
        parse,
        plan: writing_from - started,
        write: finished - writing_from,
        created: report.created,
        updated: report.updated,
        unchanged: report.unchanged,
        rejected: report.rejected,
        applied: report.applied,
        rejections: report
            .rejected_rows()
            .take(5)
            .map(|r| format!("row {}: {}", r.row, describe_errors(kind, &r.errors)))
            .collect(),
    })
}

async fn count_learners(db: &BenchDb) -> anyhow::Result<i64> {
    Ok(db
        .scalar_i64("SELECT CAST(COUNT(*) AS BIGINT) FROM learners")
        .await?
        .unwrap_or(0))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn next_free_id_keeps_the_prefix_and_skips_used_serials() {
        let used: HashSet<String> = ["051210000007", "051210000008"].map(str::to_string).into();
        assert_eq!(
            next_free_id("051210000007", &used).as_deref(),
            Some("051210000009")
        );
        assert_eq!(
            next_free_id("051210999999", &used).as_deref(),
            Some("051210000000")
        );
    }

    #[test]
    fn generated_rows_are_valid_distinct_and_read_back() {
        let targets: HashMap<i64, Vec<Arc<Target>>> = (0..=12)
            .map(|g| {
                (
                    g,
                    vec![Arc::new(Target {
                        school_code: "51200001".into(),
                        school_id: 7,
                        class_name: format!("{g}A"),
                    })],
                )
            })
            .collect();
        let config = DemoConfig {
            learners: 2_000,
            ..DemoConfig::default()
        };
        let (rows, _) =
            generate_rows(&config, 1_500, &targets, HashSet::new(), &HashSet::new()).unwrap();
        assert_eq!(rows.len(), 1_500);
        let today = chrono::Local::now().date_naive();
        let ids: HashSet<_> = rows.iter().map(|r| r.input.national_id.clone()).collect();
        assert_eq!(ids.len(), rows.len());
        let bytes = write_xlsx(&rows).unwrap();
        let table = read_table(&bytes).unwrap();
        let header = match_headers(ImportKind::Learners, &table);
        assert!(header.missing_required.is_empty() && header.unmatched.is_empty());
        let patches: Vec<_> = data_rows(&table, &header.mapping)
            .map(|r| parse_row(&r).unwrap())
            .collect();
        assert_eq!(patches.len(), rows.len());
        for (p, r) in patches.iter().zip(&rows) {
            assert_eq!(p.learner_code, None);
            assert_eq!(p.school_code.as_deref(), Some("51200001"));
            // The learner's own columns read back as generated (what the baseline inserts);
            // guardians go through the layout's three slots (a grandparent becomes "other").
            let read = p.new_input();
            assert_eq!(read.validate(today), Ok(()));
            assert_eq!(
                LearnerInput {
                    guardians: vec![],
                    ..read
                },
                LearnerInput {
                    guardians: vec![],
                    ..r.input.clone()
                }
            );
        }
    }
}
