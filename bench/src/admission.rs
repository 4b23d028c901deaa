//! Scenario `admission` (b): the pure grade-10 assignment (`domain::admission::assign`) of N
//! applicants with three choices each (the generator's, topped up with popular schools), both mechanisms, best of 3 — against a baseline
//! measured in the same run: sorting the applicants' proposals (school, score) once. Any
//! assignment must at least rank every applicant at every school it reaches; one sort of all
//! proposals is the cheapest form of that work, so the ratio says how much the mechanism's
//! bookkeeping (rounds of deferred acceptance, cut-offs per choice, tie-breaks, explanations'
//! data) costs on top of it.
//!
//! Part (a), the lookup under 1,000 concurrent connections, is `bench/admission-lookup.sh`
//! (wrk against the release server and `serve-results`).

use std::time::{Duration, Instant};

use truongso_demo::applicants::grade10_applicant;
use truongso_domain::admission::{Applicant, Grade10Rules, Mechanism, Points, School, assign};

pub struct AssignmentRun {
    pub applicants: usize,
    pub proposals: usize,
    pub baseline: Duration,
    pub deferred_acceptance: Duration,
    pub city_rule: Duration,
}

/// Schools like a large city's: 110 upper-secondary schools, seats for 70 % of applicants.
const SCHOOLS: usize = 110;

pub fn run(n: usize, seed: u64) -> anyhow::Result<AssignmentRun> {
    let schools: Vec<School> = (0..SCHOOLS)
        .map(|i| School {
            code: format!("S{i:03}"),
            seats: u32::try_from(n * 7 / 10 / SCHOOLS)
                .unwrap_or(u32::MAX)
                .max(1),
            zone: None,
        })
        .collect();
    let applicants: Vec<Applicant> = (0..n as u64)
        .map(|i| {
            let mut a = grade10_applicant(seed, i, 2025, SCHOOLS);
            // Three choices each: the generator's later ones, else the next popular schools.
            let mut next = 0;
            while a.choices.len() < 3 {
                if !a.choices.contains(&next) {
                    a.choices.push(next);
                }
                next += 1;
            }
            let pts = |h: Option<i32>| Points::from_hundredths(h.unwrap_or(0).into());
            let bonus = match a.priority_group {
                Some(1) => 200,
                Some(2) => 150,
                Some(3) => 100,
                _ => 0,
            };
            Applicant {
                id: i.to_string(),
                score: pts(a.score_math)
                    + pts(a.score_literature)
                    + pts(a.score_language)
                    + Points::from_hundredths(bonus),
                choices: a.choices.iter().map(|s| schools[*s].code.clone()).collect(),
                priority_group: a.priority_group,
                subjects: Default::default(),
                zone: None,
            }
        })
        .collect();
    let proposals: Vec<(u16, i64)> = applicants
        .iter()
        .flat_map(|a| {
            a.choices
                .iter()
                .map(|c| (c[1..].parse::<u16>().unwrap_or(0), a.score.hundredths()))
        })
        .collect();
    let best = |f: &mut dyn FnMut() -> anyhow::Result<()>| -> anyhow::Result<Duration> {
        let mut best = Duration::MAX;
        for _ in 0..3 {
            let t = Instant::now();
            f()?;
            best = best.min(t.elapsed());
        }
        Ok(best)
    };
    let baseline = best(&mut || {
        let mut p = proposals.clone();
        p.sort_unstable_by(|a, b| a.0.cmp(&b.0).then(b.1.cmp(&a.1)));
        std::hint::black_box(&p);
        Ok(())
    })?;
    let time_of = |mechanism: Mechanism| {
        let rules = Grade10Rules {
            mechanism,
            ..Grade10Rules::default()
        };
        best(&mut || {
            std::hint::black_box(assign(&applicants, &schools, &rules)?);
            Ok(())
        })
    };
    let deferred_acceptance = time_of(Mechanism::DeferredAcceptance)?;
    let city_rule = time_of(Mechanism::CityRule)?;
    Ok(AssignmentRun {
        applicants: n,
        proposals: proposals.len(),
        baseline,
        deferred_acceptance,
        city_rule,
    })
}
