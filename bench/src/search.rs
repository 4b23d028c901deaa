//! Scenario 2: learner search through `truongso_store::learners::list` (as `GET /api/v1/learners?q=`
//! calls it: the operator's scope, the default page), against reading one learner by primary key
//! with `learners::get` (as `GET /api/v1/learners/{id}` does), interleaved on the same database.

use std::time::{Duration, Instant};

use anyhow::Context;
use truongso_domain::text::fold;
use truongso_store::learners::{self, Learner, LearnerFilter};
use truongso_store::{PageRequest, Scope};

use crate::db::BenchDb;
use crate::stats::{Latency, Rng};

/// What a user types into the learner search box.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// The whole name folded: "nguyen thi hoa".
    FoldedName,
    /// The whole name as stored, with diacritics: "Nguyễn Thị Hoa".
    AccentedName,
    /// Family and given name: "nguyen hoa".
    FamilyGiven,
    /// Every word cut to its first three letters: "ngu thi hoa".
    Prefixes,
    /// The given name alone: "hoa" (many matches province-wide).
    GivenOnly,
    /// The 12-digit personal ID.
    NationalId,
    /// The learner code: "HS0000012345".
    LearnerCode,
}

impl Kind {
    /// Share of each kind among the queries, in per cent.
    const MIX: [(Kind, u32); 7] = [
        (Kind::FoldedName, 20),
        (Kind::AccentedName, 10),
        (Kind::FamilyGiven, 20),
        (Kind::Prefixes, 10),
        (Kind::GivenOnly, 10),
        (Kind::NationalId, 20),
        (Kind::LearnerCode, 10),
    ];

    pub fn name(self) -> &'static str {
        match self {
            Kind::FoldedName => "folded full name",
            Kind::AccentedName => "full name with diacritics",
            Kind::FamilyGiven => "family + given name",
            Kind::Prefixes => "name still being typed",
            Kind::GivenOnly => "given name only",
            Kind::NationalId => "12-digit national ID",
            Kind::LearnerCode => "learner code",
        }
    }

    /// The query text for `l`, or `None` when `l` has nothing to search by (no national ID).
    fn text(self, l: &Learner) -> Option<String> {
        let folded = fold(&l.full_name);
        let words: Vec<&str> = folded.split(' ').filter(|w| !w.is_empty()).collect();
        let first = words.first()?;
        let last = words.last()?;
        Some(match self {
            Kind::FoldedName => folded.clone(),
            Kind::AccentedName => l.full_name.clone(),
            Kind::FamilyGiven => format!("{first} {last}"),
            // Whole words and the last cut to 2 letters, as while typing ("nguyen thi ho").
            Kind::Prefixes => {
                let (init, tail) = words.split_at(words.len() - 1);
                let mut typed: Vec<String> = init.iter().map(|w| w.to_string()).collect();
                typed.push(tail[0].chars().take(2).collect());
                typed.join(" ")
            }
            Kind::GivenOnly => last.to_string(),
            Kind::NationalId => l.national_id.clone()?,
            Kind::LearnerCode => l.learner_code.clone(),
        })
    }
}

/// One search as run.
#[derive(Debug, Clone)]
pub struct Query {
    pub kind: Kind,
    pub text: String,
    /// The learner the text was taken from (it must be among the matches).
    pub learner_id: i64,
}

#[derive(Debug, Clone)]
pub struct KindResult {
    pub kind: Kind,
    pub latency: Latency,
    pub median_matches: u64,
    pub max_matches: u64,
    /// Queries of this kind on which the store panicked (excluded from the latencies).
    pub panics: usize,
}

#[derive(Debug, Clone)]
pub struct SearchRun {
    pub learners_in_db: i64,
    pub search: Latency,
    pub get: Latency,
    pub by_kind: Vec<KindResult>,
    /// Queries that did not find the learner they were taken from (should be 0): absent from
    /// the first page while the matches fit in one page.
    pub not_found: usize,
    /// (kind, query text, panic message) of every query on which the store panicked.
    pub panics: Vec<(Kind, String, String)>,
    pub examples: Vec<(Kind, String, u64)>,
}

/// Samples learners at random from the database (untimed) and returns them.
async fn sample(db: &BenchDb, rng: &mut Rng, n: usize) -> anyhow::Result<Vec<Learner>> {
    let lo = db.scalar_i64("SELECT MIN(id) FROM learners").await?;
    let hi = db.scalar_i64("SELECT MAX(id) FROM learners").await?;
    let (Some(lo), Some(hi)) = (lo, hi) else {
        anyhow::bail!("no learners in the database");
    };
    let mut out = Vec::with_capacity(n);
    let mut tries = 0;
    while out.len() < n {
        tries += 1;
        anyhow::ensure!(tries < n * 10 + 100, "could not sample {n} learners");
        let id = rng.range(lo, hi);
        match learners::get(&mut db.store.conn(), &Scope::All, id).await {
            Ok(l) => out.push(l),
            Err(truongso_store::StoreError::NotFound { .. }) => continue,
            Err(e) => return Err(e.into()),
        }
    }
    Ok(out)
}

/// Builds `n` queries in the mix of [`Kind::MIX`], each from a different sampled learner, shuffled.
async fn build_queries(db: &BenchDb, rng: &mut Rng, n: usize) -> anyhow::Result<Vec<Query>> {
    let mut wanted: Vec<Kind> = Vec::with_capacity(n);
    for (kind, share) in Kind::MIX {
        let count = (n as u64 * u64::from(share)).div_ceil(100) as usize;
        wanted.extend(std::iter::repeat_n(kind, count));
    }
    wanted.truncate(n);
    let mut pool = sample(db, rng, n + n / 4 + 8).await?.into_iter();
    let mut queries = Vec::with_capacity(n);
    for kind in wanted {
        loop {
            let l = pool
                .next()
                .context("too few sampled learners with a national ID")?;
            if let Some(text) = kind.text(&l) {
                queries.push(Query {
                    kind,
                    text,
                    learner_id: l.id,
                });
                break;
            }
        }
    }
    rng.shuffle(&mut queries);
    Ok(queries)
}

/// One measured search: its latency, the total number of matches and whether the learner the
/// text came from was found (in the first page, or among more matches than a page holds) — or
/// the panic message when the store panicked on the text.
enum Outcome {
    Done {
        took: Duration,
        total: u64,
        found: bool,
    },
    Panicked(String),
}

/// Runs one search on its own task (as a web request would be), so that a panic in the store
/// is recorded instead of ending the benchmark.
async fn search_once(db: &BenchDb, text: &str, learner_id: i64) -> anyhow::Result<Outcome> {
    let store = db.store.clone();
    let filter = LearnerFilter {
        q: Some(text.to_string()),
        ..LearnerFilter::default()
    };
    let task = tokio::spawn(async move {
        let started = Instant::now();
        let page = learners::list(
            &mut store.conn(),
            &Scope::All,
            &filter,
            &PageRequest::default(),
        )
        .await;
        (started.elapsed(), page)
    });
    match task.await {
        Ok((took, page)) => {
            let page = page?;
            let found = page.items.iter().any(|l| l.id == learner_id)
                || page.total > page.items.len() as u64;
            Ok(Outcome::Done {
                took,
                total: page.total,
                found,
            })
        }
        Err(e) if e.is_panic() => Ok(Outcome::Panicked(panic_message(e.into_panic()))),
        Err(e) => Err(e.into()),
    }
}

fn panic_message(payload: Box<dyn std::any::Any + Send>) -> String {
    payload
        .downcast_ref::<String>()
        .cloned()
        .or_else(|| payload.downcast_ref::<&str>().map(|s| s.to_string()))
        .unwrap_or_else(|| "panic".into())
}

/// Reads one learner by id on its own task, like [`search_once`].
async fn get_once(db: &BenchDb, id: i64) -> anyhow::Result<Duration> {
    let store = db.store.clone();
    let (took, learner) = tokio::spawn(async move {
        let started = Instant::now();
        let learner = learners::get(&mut store.conn(), &Scope::All, id).await;
        (started.elapsed(), learner)
    })
    .await?;
    learner?;
    Ok(took)
}

/// Runs `n` searches and `n` reads by id, interleaved, after a short unmeasured warm-up.
pub async fn run(db: &BenchDb, seed: u64, n: usize) -> anyhow::Result<SearchRun> {
    let mut rng = Rng::new(seed ^ 0x0072_756f_6e67_736f);
    let learners_in_db = db
        .scalar_i64("SELECT COUNT(*) FROM learners")
        .await?
        .unwrap_or(0);
    let warm = (n / 10).max(10);
    let warm_queries = build_queries(db, &mut rng, warm).await?;
    let queries = build_queries(db, &mut rng, n).await?;
    let ids: Vec<i64> = sample(db, &mut rng, n + warm)
        .await?
        .into_iter()
        .map(|l| l.id)
        .collect();

    // Panics are expected to be rare and are reported in the results: one line each, no backtrace.
    let previous_hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(|info| eprintln!("    store panicked: {info}")));
    let measured = async {
        for (q, id) in warm_queries.iter().zip(&ids[n..]) {
            search_once(db, &q.text, q.learner_id).await?;
            get_once(db, *id).await?;
        }
        let mut outcomes = Vec::with_capacity(n);
        let mut get = Vec::with_capacity(n);
        for (q, id) in queries.iter().zip(&ids[..n]) {
            outcomes.push(
                search_once(db, &q.text, q.learner_id)
                    .await
                    .with_context(|| format!("search {:?}", q.text))?,
            );
            get.push(get_once(db, *id).await?);
        }
        anyhow::Ok((outcomes, get))
    }
    .await;
    std::panic::set_hook(previous_hook);
    let (outcomes, get) = measured?;

    let mut by_kind = Vec::new();
    for (kind, _) in Kind::MIX {
        let picked: Vec<&Outcome> = queries
            .iter()
            .zip(&outcomes)
            .filter(|(q, _)| q.kind == kind)
            .map(|(_, o)| o)
            .collect();
        if picked.is_empty() {
            continue;
        }
        let lat: Vec<Duration> = picked.iter().filter_map(|o| o.took()).collect();
        let mut matches: Vec<u64> = picked.iter().filter_map(|o| o.total()).collect();
        matches.sort_unstable();
        by_kind.push(KindResult {
            kind,
            latency: Latency::of(&lat),
            median_matches: matches
                .get(matches.len().saturating_sub(1) / 2)
                .copied()
                .unwrap_or(0),
            max_matches: matches.last().copied().unwrap_or(0),
            panics: picked.len() - lat.len(),
        });
    }
    let mut examples = Vec::new();
    for (kind, _) in Kind::MIX {
        if let Some((q, o)) = queries
            .iter()
            .zip(&outcomes)
            .find(|(q, o)| q.kind == kind && o.total().is_some())
        {
            examples.push((kind, q.text.clone(), o.total().unwrap_or(0)));
        }
    }
    let panics: Vec<(Kind, String, String)> = queries
        .iter()
        .zip(&outcomes)
        .filter_map(|(q, o)| match o {
            Outcome::Panicked(m) => Some((q.kind, q.text.clone(), m.clone())),
            Outcome::Done { .. } => None,
        })
        .collect();
    let search: Vec<Duration> = outcomes.iter().filter_map(Outcome::took).collect();
    Ok(SearchRun {
        learners_in_db,
        search: Latency::of(&search),
        get: Latency::of(&get),
        by_kind,
        not_found: outcomes
            .iter()
            .filter(|o| matches!(o, Outcome::Done { found: false, .. }))
            .count(),
        panics,
        examples,
    })
}

impl Outcome {
    fn took(&self) -> Option<Duration> {
        match self {
            Outcome::Done { took, .. } => Some(*took),
            Outcome::Panicked(_) => None,
        }
    }

    fn total(&self) -> Option<u64> {
        match self {
            Outcome::Done { total, .. } => Some(*total),
            Outcome::Panicked(_) => None,
        }
    }
}
