//! Grade-10 assignment: examples, bad input, and properties of deferred acceptance checked
//! against an independent ranking and a brute force over tiny instances.

use std::collections::BTreeMap;

use proptest::prelude::*;

use super::grade10::{RejectReason, hcmc_score, priority_points};
use super::*;

fn pts(h: i64) -> Points {
    Points::from_hundredths(h)
}

fn app(id: &str, score: &str, choices: &[&str]) -> Applicant {
    Applicant {
        id: id.into(),
        score: Points::parse(score).unwrap(),
        choices: choices.iter().map(|c| c.to_string()).collect(),
        priority_group: None,
        subjects: BTreeMap::new(),
        zone: None,
    }
}

fn school(code: &str, seats: u32) -> School {
    School {
        code: code.into(),
        seats,
        zone: None,
    }
}

fn hanoi() -> Grade10Rules {
    Grade10Rules::default()
}

/// The first golden case, by hand: cut-offs per choice and explanations.
fn golden_one() -> (Vec<Applicant>, Vec<School>) {
    (
        vec![
            app("hs1", "40.5", &["A", "B"]),
            app("hs2", "42.0", &["A", "C"]),
            app("hs3", "41.0", &["A", "B", "C"]),
            app("hs4", "39.0", &["B", "A"]),
            app("hs5", "38.0", &["B"]),
            app("hs6", "37.5", &["B", "C"]),
            app("hs7", "30.0", &["C"]),
        ],
        vec![school("A", 2), school("B", 2), school("C", 2)],
    )
}

#[test]
fn deferred_acceptance_with_hanoi_premiums() {
    let (apps, schools) = golden_one();
    let r = assign(&apps, &schools, &hanoi()).unwrap();
    let by = r.schools_by_applicant(&apps, &schools);
    assert_eq!(by["hs1"], Some("B"));
    assert_eq!(by["hs5"], None);
    assert_eq!(by["hs6"], Some("C"));
    // A: the lowest admitted is hs3 at 41 on NV1, so NV2 needs 42 and NV3 43.
    assert_eq!(
        r.cut_offs[0].per_choice,
        vec![Some(pts(4100)), Some(pts(4200)), Some(pts(4300))]
    );
    assert_eq!(r.cut_offs[1].per_choice[0], Some(pts(3900)));
    assert_eq!(r.cut_offs[1].admitted_per_choice, vec![1, 1, 0]);
    assert_eq!(
        r.outcomes[0].rejections[0].reason,
        RejectReason::BelowCutOff { cut_off: pts(4100) }
    );
    let hs1 = r.explain(&apps, &schools, 0);
    assert!(hs1.contains("Nguyện vọng 1 (trường A): không trúng tuyển vì điểm xét tuyển 40,5 thấp hơn điểm chuẩn 41"), "{hs1}");
    assert!(
        hs1.contains("Trúng tuyển nguyện vọng 2 vào trường B (điểm chuẩn nguyện vọng 2 là 40)"),
        "{hs1}"
    );
    let hs5 = r.explain(&apps, &schools, 4);
    assert!(hs5.ends_with("Không trúng tuyển nguyện vọng nào."), "{hs5}");
    for i in 0..apps.len() {
        let text = r.explain(&apps, &schools, i);
        assert_eq!(
            text.contains("Trúng tuyển nguyện vọng"),
            r.outcomes[i].school.is_some(),
            "{text}"
        );
    }
}

#[test]
fn a_school_short_of_applicants_publishes_no_cut_off() {
    let apps = vec![app("a", "20", &["A"])];
    let schools = vec![school("A", 5)];
    let r = assign(&apps, &schools, &hanoi()).unwrap();
    assert_eq!(r.cut_offs[0].per_choice, vec![None, None, None]);
    assert!(
        r.explain(&apps, &schools, 0)
            .contains("chưa tuyển đủ chỉ tiêu")
    );
}

#[test]
fn ties_follow_the_criteria_then_the_id() {
    let mut apps = vec![app("b", "40", &["A"]), app("a", "40", &["A"])];
    let schools = vec![school("A", 1)];
    let winner = |apps: &[Applicant], rules: &Grade10Rules| {
        let r = assign(apps, &schools, rules).unwrap();
        r.schools_by_applicant(apps, &schools)
            .into_iter()
            .filter(|(_, s)| s.is_some())
            .map(|(id, _)| id.to_string())
            .collect::<Vec<_>>()
    };
    // Still tied: the smaller ID.
    assert_eq!(winner(&apps, &hanoi()), vec!["a"]);
    let r = assign(&apps, &schools, &hanoi()).unwrap();
    assert_eq!(
        r.outcomes[0].rejections[0].reason,
        RejectReason::LostTieBreak { cut_off: pts(4000) }
    );
    assert!(r.explain(&apps, &schools, 0).contains("tiêu chí phụ"));
    // Priority group first.
    apps[0].priority_group = Some(3);
    assert_eq!(winner(&apps, &hanoi()), vec!["b"]);
    // A named subject before the priority group.
    apps[1].subjects.insert("toan".into(), pts(900));
    let by_maths = Grade10Rules {
        tie_breaks: vec![
            TieBreak::Subject {
                name: "toan".into(),
            },
            TieBreak::PriorityGroup,
        ],
        ..hanoi()
    };
    assert_eq!(winner(&apps, &by_maths), vec!["a"]);
    // Admit all still tied: both, over the seats.
    apps[0].priority_group = None;
    apps[1].subjects.clear();
    let all = Grade10Rules {
        still_tied: StillTied::AdmitAll,
        ..hanoi()
    };
    assert_eq!(winner(&apps, &all), vec!["a", "b"]);
    let all_city = Grade10Rules {
        mechanism: Mechanism::CityRule,
        ..all
    };
    assert_eq!(winner(&apps, &all_city), vec!["a", "b"]);
}

#[test]
fn admit_all_tied_drops_the_tied_group_when_a_better_one_arrives() {
    let apps = vec![
        app("a", "40", &["A"]),
        app("b", "40", &["A"]),
        app("c", "45", &["A"]),
        app("d", "41", &["A"]),
    ];
    let schools = vec![school("A", 2)];
    let rules = Grade10Rules {
        still_tied: StillTied::AdmitAll,
        ..hanoi()
    };
    let r = assign(&apps, &schools, &rules).unwrap();
    let by = r.schools_by_applicant(&apps, &schools);
    assert_eq!(
        (by["a"], by["b"], by["c"], by["d"]),
        (None, None, Some("A"), Some("A"))
    );
}

#[test]
fn the_city_rule_keeps_earlier_choices_and_margins() {
    let schools = vec![school("A", 1), school("B", 1)];
    let apps = vec![
        app("p", "50", &["A"]),
        app("x", "45", &["A", "B"]),
        app("y", "30", &["B"]),
    ];
    let city = Grade10Rules {
        mechanism: Mechanism::CityRule,
        ..hanoi()
    };
    let r = assign(&apps, &schools, &city).unwrap();
    let by = r.schools_by_applicant(&apps, &schools);
    // y holds B from round 1; x comes to B only in round 2, when it is full.
    assert_eq!((by["p"], by["x"], by["y"]), (Some("A"), None, Some("B")));
    assert_eq!(
        r.outcomes[1].rejections[1].reason,
        RejectReason::NoSeatsLeft
    );
    assert!(
        r.explain(&apps, &schools, 1)
            .contains("từ các nguyện vọng trước")
    );
    // Deferred acceptance lets x (44 after the premium) displace y.
    let r = assign(&apps, &schools, &hanoi()).unwrap();
    let by = r.schools_by_applicant(&apps, &schools);
    assert_eq!((by["x"], by["y"]), (Some("B"), None));

    // With a seat left, NV2 must reach the NV1 cut-off (30) + 1.0.
    let schools = vec![school("A", 1), school("B", 2)];
    let apps = vec![
        app("p", "50", &["A"]),
        app("x", "30.75", &["A", "B"]),
        app("y", "30", &["B"]),
        app("z", "31", &["A", "B"]),
    ];
    let r = assign(&apps, &schools, &city).unwrap();
    let by = r.schools_by_applicant(&apps, &schools);
    assert_eq!((by["x"], by["y"], by["z"]), (None, Some("B"), Some("B")));
    assert_eq!(
        r.outcomes[1].rejections[1].reason,
        RejectReason::BelowFloor { floor: pts(3100) }
    );
    assert_eq!(r.cut_offs[1].per_choice[1], Some(pts(3100)));
}

#[test]
fn bad_input_is_a_typed_error_in_vietnamese() {
    let schools = vec![school("A", 1)];
    let err = assign(&[app("a", "1", &["Z"])], &schools, &hanoi()).unwrap_err();
    assert_eq!(
        err,
        AdmissionError::UnknownSchool {
            applicant: "a".into(),
            school: "Z".into()
        }
    );
    assert!(err.to_string().contains("không có trong đợt tuyển sinh"));
    assert!(matches!(
        assign(&[app("a", "1", &["A", "A"])], &schools, &hanoi()),
        Err(AdmissionError::RepeatedChoice { .. })
    ));
    assert!(matches!(
        assign(
            &[app("a", "1", &["A"]), app("a", "2", &[])],
            &schools,
            &hanoi()
        ),
        Err(AdmissionError::DuplicateApplicant(_))
    ));
    assert!(matches!(
        assign(
            &[app("a", "1", &["A"])],
            &[school("A", 1), school("A", 2)],
            &hanoi()
        ),
        Err(AdmissionError::DuplicateSchool(_))
    ));
    let four = [
        school("A", 1),
        school("B", 1),
        school("C", 1),
        school("D", 1),
    ];
    assert!(matches!(
        assign(&[app("a", "1", &["A", "B", "C", "D"])], &four, &hanoi()),
        Err(AdmissionError::TooManyChoices { .. })
    ));
    let mut p = app("a", "1", &["A"]);
    p.priority_group = Some(4);
    assert_eq!(
        assign(&[p], &schools, &hanoi()),
        Err(AdmissionError::UnknownPriorityGroup(4))
    );
    let rules: Result<Grade10Rules, _> = toml::from_str("premiums = [0]");
    assert!(rules.is_err(), "unknown settings are refused");
    let rules: Grade10Rules = toml::from_str(
        "mechanism = \"city_rule\"\nchoice_premiums = [\"0\", \"0\", \"0\"]\ntie_breaks = [{ by = \"subject\", name = \"toan\" }]",
    )
    .unwrap();
    assert_eq!(rules.mechanism, Mechanism::CityRule);
}

#[test]
fn zones_bind_the_leading_choices_when_configured() {
    let mut schools = vec![school("A", 1), school("B", 1), school("C", 1)];
    schools[0].zone = Some("KV1".into());
    schools[1].zone = Some("KV2".into());
    schools[2].zone = Some("KV2".into());
    let mut a = app("a", "30", &["A", "B", "C"]);
    a.zone = Some("KV1".into());
    // Zones unused by default.
    assert!(assign(std::slice::from_ref(&a), &schools, &hanoi()).is_ok());
    let zoned = Grade10Rules {
        zone_bound_choices: 2,
        ..hanoi()
    };
    let err = assign(std::slice::from_ref(&a), &schools, &zoned).unwrap_err();
    assert_eq!(
        err,
        AdmissionError::ChoiceOutsideZone {
            applicant: "a".into(),
            school: "B".into(),
            choice: 2
        }
    );
    assert!(err.to_string().contains("khu vực tuyển sinh"));
    // NV3 may be anywhere.
    schools.push(School {
        code: "A2".into(),
        seats: 1,
        zone: Some("KV1".into()),
    });
    a.choices = vec!["A".into(), "A2".into(), "C".into()];
    assert!(assign(std::slice::from_ref(&a), &schools, &zoned).is_ok());
}

#[test]
fn hcmc_score_and_priority_points() {
    let p = |s: &str| Some(Points::parse(s).unwrap());
    assert_eq!(
        hcmc_score(p("7.25"), p("6.5"), p("8"), Some(2)),
        Ok(pts(2325))
    );
    assert_eq!(hcmc_score(p("7"), p("7"), p("7"), None), Ok(pts(2100)));
    assert_eq!(priority_points(Some(1)), Ok(pts(200)));
    assert_eq!(priority_points(Some(3)), Ok(pts(100)));
    assert_eq!(
        hcmc_score(p("7"), p("0"), p("7"), None),
        Err(AdmissionError::ZeroPaper("Ngữ văn"))
    );
    assert_eq!(
        hcmc_score(p("7"), p("7"), None, None),
        Err(AdmissionError::MissingPaper("Ngoại ngữ"))
    );
    assert!(hcmc_score(p("11"), p("7"), p("7"), None).is_err());
}

// ---- properties ----

/// A tiny instance: schools with 0–3 seats; applicants with coarse scores (many ties), an
/// optional priority group and up to 3 distinct choices; premiums from a small set.
fn instance() -> impl Strategy<Value = (Vec<Applicant>, Vec<School>, Vec<Points>)> {
    (1usize..=4, 1usize..=6).prop_flat_map(|(ns, na)| {
        (
            proptest::collection::vec(0u32..=3, ns),
            proptest::collection::vec(
                (
                    0i64..=8,
                    proptest::option::of(1u8..=3),
                    proptest::collection::vec(0..ns, 0..=3),
                ),
                na,
            ),
            proptest::collection::vec(prop_oneof![Just(0i64), Just(50), Just(100), Just(200)], 3),
        )
            .prop_map(move |(seats, apps, premiums)| {
                let schools: Vec<School> = seats
                    .iter()
                    .enumerate()
                    .map(|(i, &s)| school(&format!("S{i}"), s))
                    .collect();
                let applicants = apps
                    .into_iter()
                    .enumerate()
                    .map(|(i, (score, group, picks))| {
                        let mut choices: Vec<String> = Vec::new();
                        for s in picks {
                            let code = format!("S{s}");
                            if !choices.contains(&code) {
                                choices.push(code);
                            }
                        }
                        Applicant {
                            id: format!("hs{i}"),
                            score: pts(3000 + score * 50),
                            choices,
                            priority_group: group,
                            subjects: BTreeMap::new(),
                            zone: None,
                        }
                    })
                    .collect();
                (applicants, schools, premiums.into_iter().map(pts).collect())
            })
    })
}

/// An independent statement of how school `s` ranks applicant `a` at choice `r`: smaller is
/// better (minus the effective score, the priority group, the ID).
fn key(a: &Applicant, r: usize, premiums: &[Points]) -> (i64, u8, String) {
    (
        -(a.score - premiums[r]).hundredths(),
        a.priority_group.unwrap_or(u8::MAX),
        a.id.clone(),
    )
}

/// `choice[i]`: the rank of the choice applicant i holds, or None.
fn is_stable(
    apps: &[Applicant],
    schools: &[School],
    premiums: &[Points],
    choice: &[Option<usize>],
) -> bool {
    let at = |i: usize| choice[i].map(|r| apps[i].choices[r].as_str());
    for s in schools {
        let held: Vec<usize> = (0..apps.len())
            .filter(|&i| at(i) == Some(s.code.as_str()))
            .collect();
        if held.len() > s.seats as usize {
            return false;
        }
    }
    for (i, a) in apps.iter().enumerate() {
        let upto = choice[i].unwrap_or(a.choices.len());
        for r in 0..upto {
            let s = schools.iter().find(|s| s.code == a.choices[r]).unwrap();
            let held: Vec<usize> = (0..apps.len())
                .filter(|&j| at(j) == Some(s.code.as_str()))
                .collect();
            if held.len() < s.seats as usize {
                return false; // a free seat the applicant prefers
            }
            let mine = key(a, r, premiums);
            if held
                .iter()
                .any(|&j| key(&apps[j], choice[j].unwrap(), premiums) > mine)
            {
                return false; // the school prefers the applicant to someone it holds
            }
        }
    }
    true
}

fn rules_with(premiums: &[Points], mechanism: Mechanism) -> Grade10Rules {
    Grade10Rules {
        mechanism,
        choice_premiums: premiums.to_vec(),
        ..Grade10Rules::default()
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn deferred_acceptance_is_stable_and_within_seats((apps, schools, premiums) in instance()) {
        let r = assign(&apps, &schools, &rules_with(&premiums, Mechanism::DeferredAcceptance)).unwrap();
        let mut count = vec![0u32; schools.len()];
        let mut choice = Vec::new();
        for (a, o) in apps.iter().zip(&r.outcomes) {
            // Assigned at most once, and only to a school the applicant chose.
            prop_assert_eq!(o.school.is_some(), o.choice.is_some());
            if let (Some(s), Some(c)) = (o.school, o.choice) {
                prop_assert_eq!(&a.choices[usize::from(c)], &schools[s as usize].code);
                count[s as usize] += 1;
            }
            choice.push(o.choice.map(usize::from));
        }
        for (c, s) in count.iter().zip(&schools) {
            prop_assert!(*c <= s.seats);
        }
        prop_assert!(is_stable(&apps, &schools, &premiums, &choice));
        for (i, o) in r.outcomes.iter().enumerate() {
            let earlier = o.choice.map_or(apps[i].choices.len(), usize::from);
            prop_assert_eq!(o.rejections.len(), earlier);
            // The explanation's reasons agree with the published cut-offs.
            for rej in &o.rejections {
                let published = r.cut_offs[rej.school as usize].per_choice[usize::from(rej.choice)];
                match rej.reason {
                    RejectReason::BelowCutOff { cut_off } => {
                        prop_assert!(apps[i].score < cut_off);
                        prop_assert_eq!(published, Some(cut_off));
                    }
                    RejectReason::LostTieBreak { cut_off } => {
                        prop_assert_eq!(apps[i].score, cut_off);
                        prop_assert_eq!(published, Some(cut_off));
                    }
                    RejectReason::NoSeats => prop_assert_eq!(schools[rej.school as usize].seats, 0),
                    other => prop_assert!(false, "{:?} under deferred acceptance", other),
                }
            }
        }
        // With premiums that do not decrease, a later choice's cut-off is never lower.
        if premiums.windows(2).all(|w| w[0] <= w[1]) {
            for c in &r.cut_offs {
                let cuts: Vec<Points> = c.per_choice.iter().flatten().copied().collect();
                prop_assert!(cuts.windows(2).all(|w| w[0] <= w[1]));
            }
        }
    }

    #[test]
    fn city_rule_stays_within_seats((apps, schools, premiums) in instance()) {
        let r = assign(&apps, &schools, &rules_with(&premiums, Mechanism::CityRule)).unwrap();
        let mut count = vec![0u32; schools.len()];
        for (a, o) in apps.iter().zip(&r.outcomes) {
            if let (Some(s), Some(c)) = (o.school, o.choice) {
                prop_assert_eq!(&a.choices[usize::from(c)], &schools[s as usize].code);
                count[s as usize] += 1;
            }
        }
        for (c, s) in count.iter().zip(&schools) {
            prop_assert!(*c <= s.seats);
        }
        // Never lower than an earlier choice's cut-off (when premiums do not decrease).
        if premiums.windows(2).all(|w| w[0] <= w[1]) {
            for c in &r.cut_offs {
                let cuts: Vec<Points> = c.per_choice.iter().flatten().copied().collect();
                prop_assert!(cuts.windows(2).all(|w| w[0] <= w[1]), "{:?}", c);
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// Among all stable assignments (found by brute force), deferred acceptance gives every
    /// applicant a choice at least as good as any other.
    #[test]
    fn deferred_acceptance_is_applicant_optimal((apps, schools, premiums) in instance()) {
        let r = assign(&apps, &schools, &rules_with(&premiums, Mechanism::DeferredAcceptance)).unwrap();
        let da: Vec<usize> = apps
            .iter()
            .zip(&r.outcomes)
            .map(|(a, o)| o.choice.map_or(a.choices.len(), usize::from))
            .collect();
        let mut current = vec![0usize; apps.len()];
        let mut stable_found = 0;
        loop {
            let choice: Vec<Option<usize>> = current
                .iter()
                .zip(&apps)
                .map(|(&c, a)| (c < a.choices.len()).then_some(c))
                .collect();
            if is_stable(&apps, &schools, &premiums, &choice) {
                stable_found += 1;
                for (i, &c) in current.iter().enumerate() {
                    prop_assert!(da[i] <= c, "applicant {} gets choice {} under DA but {} in a stable assignment", i, da[i], c);
                }
            }
            // Next combination: each applicant ranges over 0..=len (len = unassigned).
            let mut i = 0;
            while i < apps.len() {
                current[i] += 1;
                if current[i] <= apps[i].choices.len() {
                    break;
                }
                current[i] = 0;
                i += 1;
            }
            if i == apps.len() {
                break;
            }
        }
        prop_assert!(stable_found >= 1);
    }
}
