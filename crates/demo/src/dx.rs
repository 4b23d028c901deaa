//! Demo self-assessments of the digital-maturity index (Decision 4725) for the current year:
//! most schools submitted, many approved, a few returned with comments, a few not started, and
//! a spread of levels (a school's "maturity" drives all its answers, so answers hang together).
//! A pure function of (seed, school ordinal), like everything else the generator makes.

use rand::RngExt;
use truongso_domain::dx::{AnswerKind, CriteriaSet};

use crate::rng::{DemoRng, Stream, chance, rng_for, uniform};

/// Where the demo leaves a school's assessment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DxOutcome {
    NotStarted,
    Draft,
    Submitted,
    Returned,
    Approved,
}

/// One school's generated self-assessment.
#[derive(Debug, Clone, PartialEq)]
pub struct DxSeed {
    pub outcome: DxOutcome,
    /// (indicator code, declared value, note).
    pub answers: Vec<(String, f64, Option<String>)>,
    /// The office's overall comment and per-indicator notes when returned.
    pub review_comment: Option<String>,
    pub review_notes: Vec<(String, String)>,
}

const RETURN_COMMENTS: &[&str] = &[
    "Đề nghị bổ sung minh chứng cho các chỉ số có điểm.",
    "Tỷ lệ khai báo chưa khớp với số liệu trên nền tảng, đề nghị rà soát lại.",
    "Chưa có quyết định thành lập Ban chỉ đạo chuyển đổi số kèm theo.",
];

/// The school's assessment, or none for schools that have not started.
pub fn assessment(seed: u64, school_ordinal: usize, set: &CriteriaSet) -> DxSeed {
    let mut rng = rng_for(seed, Stream::Dx, school_ordinal as u64);
    let roll: f64 = rng.random();
    let outcome = match roll {
        r if r < 0.06 => DxOutcome::NotStarted,
        r if r < 0.12 => DxOutcome::Draft,
        r if r < 0.40 => DxOutcome::Submitted,
        r if r < 0.48 => DxOutcome::Returned,
        _ => DxOutcome::Approved,
    };
    if outcome == DxOutcome::NotStarted {
        return DxSeed {
            outcome,
            answers: vec![],
            review_comment: None,
            review_notes: vec![],
        };
    }
    // How far along the school is: most in the middle, a few far ahead or behind.
    let maturity = (uniform(&mut rng, 0.15, 0.95) + uniform(&mut rng, 0.15, 0.95)) / 2.0;
    let answers = set
        .indicators()
        .map(|ind| {
            let value = answer(
                &mut rng,
                ind.answer,
                ind.max_value(),
                ind.mandatory,
                maturity,
            );
            let note = (ind.mandatory && value >= 1.0)
                .then(|| format!("Quyết định số {}/QĐ-HT", rng.random_range(10..300)));
            (ind.code.clone(), value, note)
        })
        .collect();
    let (review_comment, review_notes) = if outcome == DxOutcome::Returned {
        let comment = RETURN_COMMENTS[rng.random_range(0..RETURN_COMMENTS.len())];
        (
            Some(comment.to_string()),
            vec![(
                "2.3c".to_string(),
                "Tỷ lệ lớp dùng sổ điểm điện tử cao hơn số liệu đo được.".to_string(),
            )],
        )
    } else {
        (None, vec![])
    };
    DxSeed {
        outcome,
        answers,
        review_comment,
        review_notes,
    }
}

fn answer(rng: &mut DemoRng, kind: AnswerKind, max: f64, mandatory: bool, maturity: f64) -> f64 {
    match kind {
        // Nearly every school has its plans and steering body; the weaker ones sometimes not.
        AnswerKind::YesNo if mandatory => f64::from(u8::from(chance(rng, 0.75 + maturity * 0.3))),
        AnswerKind::YesNo => f64::from(u8::from(chance(rng, maturity))),
        AnswerKind::Share => {
            let v = (maturity * 100.0 + uniform(rng, -20.0, 20.0)).clamp(0.0, 100.0);
            (v * 10.0).round() / 10.0
        }
        AnswerKind::Functions => (maturity * max + uniform(rng, -1.0, 1.0))
            .round()
            .clamp(0.0, max),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use truongso_domain::dx::{DxRules, check_value, score};

    #[test]
    fn assessments_are_deterministic_valid_and_spread_over_levels() {
        let set = CriteriaSet::current();
        let mut levels = [0; 4];
        let mut outcomes = std::collections::HashMap::new();
        for i in 0..300 {
            let a = assessment(7, i, set);
            assert_eq!(a, assessment(7, i, set));
            for (code, value, _) in &a.answers {
                check_value(set.indicator(code).unwrap(), *value).unwrap();
            }
            *outcomes.entry(format!("{:?}", a.outcome)).or_insert(0) += 1;
            if a.outcome != DxOutcome::NotStarted {
                let values = a.answers.iter().map(|(c, v, _)| (c.clone(), *v)).collect();
                levels[usize::from(score(set, &values, &DxRules::default()).level)] += 1;
            }
        }
        assert!(
            levels[1] > 10 && levels[2] > 10 && levels[3] > 3,
            "{levels:?}"
        );
        assert_eq!(outcomes.len(), 5, "{outcomes:?}");
    }
}
