//! Properties of the generated province: determinism, size, validity, uniqueness, realism, and the
//! planted faults.

use std::collections::{HashMap, HashSet};
use std::time::Instant;

use chrono::{Datelike, NaiveDate};
use truongso_demo::{DemoConfig, FaultCounts, Plan, PlantedFault, SchoolData};
use truongso_domain::codes::Gender;
use truongso_domain::learners::EnrolmentStatus;
use truongso_domain::national_id;
use truongso_domain::org::{OrgKind, SchoolLevel, may_contain};
use truongso_domain::staff::StaffPosition;
use truongso_domain::text::clean;

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 1, 15).unwrap()
}

fn config(learners: u64) -> DemoConfig {
    DemoConfig {
        learners,
        ..DemoConfig::default()
    }
}

fn is_nfc(s: &str) -> bool {
    clean(s) == s
}

fn within(actual: u64, wanted: u64, tolerance: f64) -> bool {
    (actual as f64 - wanted as f64).abs() <= wanted as f64 * tolerance
}

#[test]
fn same_seed_same_output_different_seed_different_output() {
    let a = Plan::new(&config(6_000));
    let b = Plan::new(&config(6_000));
    assert_eq!(a.orgs, b.orgs);
    assert_eq!(a.schools, b.schools);
    assert_eq!(a.accounts(), b.accounts());
    for s in 0..a.schools.len() {
        assert_eq!(a.generate_school(s), b.generate_school(s), "school {s}");
    }
    let c = Plan::new(&DemoConfig {
        seed: 7,
        ..config(6_000)
    });
    assert_ne!(a.orgs, c.orgs);
    assert_ne!(a.generate_school(0), c.generate_school(0));
}

#[test]
fn schools_do_not_depend_on_generation_order() {
    let plan = Plan::new(&config(8_000));
    let forward: Vec<SchoolData> = (0..plan.schools.len())
        .map(|s| plan.generate_school(s))
        .collect();
    for s in (0..plan.schools.len()).rev() {
        assert_eq!(plan.generate_school(s), forward[s]);
    }
}

#[test]
fn small_province_has_about_the_learners_asked_for() {
    for learners in [2_000, 20_000] {
        let plan = Plan::new(&config(learners));
        let generated: u64 = (0..plan.schools.len())
            .map(|s| plan.generate_school(s).learners.len() as u64)
            .sum();
        assert_eq!(generated, plan.learner_count());
        assert!(
            within(generated, learners, 0.03),
            "{generated} learners for {learners}"
        );
        for level in [
            SchoolLevel::Preschool,
            SchoolLevel::Primary,
            SchoolLevel::LowerSecondary,
            SchoolLevel::UpperSecondary,
        ] {
            assert!(
                plan.schools
                    .iter()
                    .any(|&s| plan.orgs[s].levels.contains(&level)),
                "{level:?} in {learners}"
            );
        }
    }
}

#[test]
fn large_province_plan_scales_schools_not_just_sizes() {
    let t = Instant::now();
    let plan = Plan::new(&config(1_700_000));
    assert!(
        within(plan.learner_count(), 1_700_000, 0.03),
        "{}",
        plan.learner_count()
    );
    let per_school = plan.learner_count() as f64 / plan.schools.len() as f64;
    assert!(
        (430.0..570.0).contains(&per_school),
        "{per_school} learners per school"
    );
    let offices = plan
        .orgs
        .iter()
        .filter(|o| o.kind == OrgKind::LocalOffice)
        .count();
    assert!(offices > 90, "every commune has schools: {offices} offices");
    assert!(t.elapsed().as_secs() < 5, "planning took {:?}", t.elapsed());
}

#[test]
fn accounts_cover_every_role_with_valid_scopes() {
    let plan = Plan::new(&config(30_000));
    let accounts = plan.accounts();
    let roles: HashSet<&str> = accounts.iter().map(|a| a.role.as_str()).collect();
    for role in [
        "ministry_officer",
        "department_officer",
        "office_officer",
        "principal",
        "school_admin",
        "teacher",
        "homeroom_teacher",
        "guardian",
        "learner",
    ] {
        assert!(roles.contains(role), "{role}");
    }
    let mut names = HashSet::new();
    for a in &accounts {
        assert!(names.insert(a.username.clone()), "duplicate {}", a.username);
        assert!(
            a.username.is_ascii() && !a.username.contains(' '),
            "{}",
            a.username
        );
        assert_eq!(a.password, format!("demo-{}", a.username));
        assert!(a.scope_org < plan.orgs.len());
        if let Some(s) = a.school_ordinal {
            assert_eq!(plan.schools[s], a.scope_org);
            let data = plan.generate_school(s);
            match a.role.as_str() {
                "principal" => assert_eq!(
                    data.staff[a.staff.unwrap()].position,
                    StaffPosition::Principal
                ),
                "teacher" => assert_eq!(
                    data.staff[a.staff.unwrap()].position,
                    StaffPosition::Teacher
                ),
                "homeroom_teacher" => {
                    assert!(data.classes.iter().any(|c| Some(c.homeroom) == a.staff))
                }
                "guardian" | "learner" => assert!(a.learner.unwrap() < data.learners.len()),
                _ => {}
            }
        }
    }
    assert!(accounts.iter().any(|a| a.username == "so.quangngai"));
    assert_eq!(
        accounts
            .iter()
            .filter(|a| a.role == "office_officer")
            .count(),
        3
    );
    assert_eq!(accounts.iter().filter(|a| a.role == "principal").count(), 3);
}

#[test]
fn duplicates_are_the_same_child_in_two_schools() {
    let plan = Plan::new(&config(40_000));
    let schools: Vec<SchoolData> = (0..plan.schools.len())
        .map(|s| plan.generate_school(s))
        .collect();
    let mut pairs = 0;
    for (s, data) in schools.iter().enumerate() {
        for l in &data.learners {
            let Some(PlantedFault::DuplicateAcrossSchools {
                other_school_ordinal: o,
            }) = l.fault
            else {
                continue;
            };
            assert_ne!(o, s);
            let twin = schools[o]
                .learners
                .iter()
                .find(|t| {
                    t.input.national_id == l.input.national_id && t.input.national_id.is_some()
                })
                .expect("the copy is in the other school");
            assert_eq!(twin.input, l.input, "same person");
            assert_eq!(
                twin.fault,
                Some(PlantedFault::DuplicateAcrossSchools {
                    other_school_ordinal: s
                })
            );
            assert_eq!(
                schools[o].classes[twin.class].grade,
                data.classes[l.class].grade
            );
            let statuses = [l.status, twin.status];
            assert!(
                statuses.contains(&EnrolmentStatus::TransferredIn)
                    && statuses.contains(&EnrolmentStatus::Studying)
            );
            pairs += 1;
        }
    }
    assert!(pairs > 0);
    assert_eq!(
        pairs as u64,
        plan.planted_fault_counts().duplicate_across_schools
    );
}

/// One pass over a whole 150,000-learner province checking every record.
#[test]
fn province_of_150k_is_valid_unique_and_realistic() {
    check_province(&DemoConfig::default());
}

/// The same checks over other seeds, sizes and school years:
/// `cargo test -p truongso-demo --release -- --ignored`.
#[test]
#[ignore = "slow; run in release"]
fn sweep_seeds_sizes_and_years() {
    for seed in 1..8 {
        for learners in [3_000, 60_000, 150_000, 400_000] {
            check_province(&DemoConfig {
                seed,
                learners,
                school_year_start: 2025 + (seed as i32 % 3),
                marks: true,
            });
        }
    }
}

fn check_province(config: &DemoConfig) {
    let t = Instant::now();
    let plan = Plan::new(config);
    assert!(
        within(plan.learner_count(), config.learners, 0.03),
        "{}",
        plan.learner_count()
    );
    check_tree(&plan, config.learners >= 100_000);

    let today = today();
    let start = plan.config().school_year_start;
    let mut faults = FaultCounts::default();
    let mut ids: HashMap<String, u32> = HashMap::new();
    let mut duplicate_ids: HashMap<String, u32> = HashMap::new();
    let mut adult_ids: HashSet<String> = HashSet::new();
    let (mut learners, mut nguyen, mut kinh, mut kinh_nguyen, mut male) =
        (0u64, 0u64, 0u64, 0u64, 0u64);
    let mut level_learners: HashMap<SchoolLevel, u64> = HashMap::new();
    for s in 0..plan.schools.len() {
        let data = plan.generate_school(s);
        let org = &plan.orgs[plan.schools[s]];
        faults = add(faults, data.fault_counts());

        for staff in &data.staff {
            staff
                .validate(today)
                .unwrap_or_else(|e| panic!("{}: {e}", staff.full_name));
            assert!(is_nfc(&staff.full_name), "{:?}", staff.full_name);
            let age = today.years_since(staff.birth_date).unwrap();
            assert!((22..=61).contains(&age), "{} is {age}", staff.full_name);
            if let Some(id) = &staff.national_id {
                assert!(adult_ids.insert(id.clone()), "staff ID {id} repeated");
            }
        }
        assert_eq!(data.staff[0].position, StaffPosition::Principal);

        let mut sizes = vec![0u32; data.classes.len()];
        let mut homerooms = HashSet::new();
        for c in &data.classes {
            assert!(is_nfc(&c.name));
            assert_eq!(
                data.staff[c.homeroom].position,
                StaffPosition::Teacher,
                "{}",
                c.name
            );
            assert!(
                homerooms.insert(c.homeroom),
                "one homeroom class per teacher"
            );
            if let Some(site) = c.site {
                assert_eq!(plan.orgs[site].kind, OrgKind::SatelliteSite);
                assert_eq!(plan.orgs[site].parent, Some(plan.schools[s]));
            }
            let level = if c.grade == 0 {
                SchoolLevel::Preschool
            } else {
                SchoolLevel::of_grade(c.grade).unwrap()
            };
            assert!(
                org.levels.contains(&level) || org.levels == [SchoolLevel::ContinuingEducation],
                "{} in {}",
                c.name,
                org.name
            );
        }

        for l in &data.learners {
            let input = &l.input;
            learners += 1;
            sizes[l.class] += 1;
            *level_learners.entry(org.levels[0]).or_default() += 1;
            male += u64::from(input.gender == Gender::Male);
            nguyen += u64::from(input.full_name.starts_with("Nguyễn "));
            if input.ethnicity_code == "01" {
                kinh += 1;
                kinh_nguyen += u64::from(input.full_name.starts_with("Nguyễn "));
            }
            assert!(is_nfc(&input.full_name), "{:?}", input.full_name);
            assert!(input.guardians.iter().all(|g| is_nfc(&g.full_name)));
            assert!(input.address.as_deref().is_some_and(is_nfc));

            // Age agrees with the grade (one year older for some).
            let grade = data.classes[l.class].grade;
            let age = start - input.birth_date.year();
            let normal = if grade == 0 {
                3..=5
            } else {
                (i32::from(grade) + 5)..=(i32::from(grade) + 6)
            };
            assert!(
                normal.contains(&age),
                "{} aged {age} in grade {grade}",
                input.full_name
            );

            match (l.fault, input.validate(today)) {
                (Some(PlantedFault::WrongIdDigits), Err(e)) => {
                    assert!(e.0.iter().all(|f| f.field == "national_id"), "{e}");
                }
                (Some(PlantedFault::WrongIdDigits), Ok(())) => {
                    panic!("wrong ID {:?} passes", input.national_id)
                }
                (_, Err(e)) => panic!("{}: {e}", input.full_name),
                (_, Ok(())) => {}
            }
            match l.fault {
                Some(PlantedFault::MissingNationalId) => assert!(input.national_id.is_none()),
                Some(PlantedFault::MissingGuardianPhone) => {
                    assert!(input.guardians.iter().all(|g| g.phone.is_none()))
                }
                _ => {
                    assert!(input.national_id.is_some());
                    assert!(input.guardians.iter().any(|g| g.phone.is_some()));
                }
            }
            if let Some(id) = &input.national_id {
                assert!(["051", "062"].contains(&&id[..3]), "{id}");
                let map = if matches!(l.fault, Some(PlantedFault::DuplicateAcrossSchools { .. })) {
                    &mut duplicate_ids
                } else {
                    &mut ids
                };
                *map.entry(id.clone()).or_default() += 1;
            }
            for g in &input.guardians {
                if let Some(id) = &g.national_id {
                    let check = national_id::check(id, None, None);
                    assert!(check.birth_year.is_some_and(|y| y <= start - 30), "{id}");
                    // A duplicated child brings the same guardians along.
                    if !matches!(l.fault, Some(PlantedFault::DuplicateAcrossSchools { .. })) {
                        assert!(adult_ids.insert(id.clone()), "guardian ID {id} repeated");
                    }
                }
            }
        }
        for (c, n) in data.classes.iter().zip(sizes) {
            let (lo, hi) = if c.grade == 0 { (20, 35) } else { (30, 45) };
            assert!(
                (lo..=hi).contains(&n),
                "class {} of {} has {n}",
                c.name,
                org.name
            );
        }
    }

    assert_eq!(learners, plan.learner_count());
    assert!(
        ids.values().all(|&n| n == 1),
        "national IDs of non-duplicate learners are unique"
    );
    assert!(
        duplicate_ids.values().all(|&n| n == 2),
        "each duplicate appears exactly twice"
    );
    assert!(duplicate_ids.keys().all(|id| !ids.contains_key(id)));
    assert!(
        ids.keys().all(|id| !adult_ids.contains(id)),
        "learners never share an adult's ID"
    );
    assert_eq!(faults, plan.planted_fault_counts());
    let fault_rate = faults.total() as f64 / learners as f64;
    assert!((0.01..=0.02).contains(&fault_rate), "{fault_rate}");
    assert!(
        faults.wrong_id_digits > 0
            && faults.missing_guardian_phone > 0
            && faults.missing_national_id > 0
    );

    let share = |n: u64, d: u64| n as f64 / d as f64;
    println!("{config:?}: checked in {:?}", t.elapsed());
    if config.learners < 50_000 {
        return; // a handful of schools need not mirror the province's mix
    }
    assert!(
        (0.25..=0.40).contains(&share(nguyen, learners)),
        "Nguyễn {}",
        share(nguyen, learners)
    );
    assert!(
        (0.31..=0.38).contains(&share(kinh_nguyen, kinh)),
        "Nguyễn among Kinh {}",
        share(kinh_nguyen, kinh)
    );
    assert!((0.49..=0.53).contains(&share(male, learners)));
    let level_share = |l| share(level_learners.get(&l).copied().unwrap_or(0), learners);
    assert!((0.17..=0.23).contains(&level_share(SchoolLevel::Preschool)));
    assert!(level_share(SchoolLevel::UpperSecondary) > 0.1);
}

fn add(a: FaultCounts, b: FaultCounts) -> FaultCounts {
    FaultCounts {
        wrong_id_digits: a.wrong_id_digits + b.wrong_id_digits,
        missing_guardian_phone: a.missing_guardian_phone + b.missing_guardian_phone,
        missing_national_id: a.missing_national_id + b.missing_national_id,
        duplicate_across_schools: a.duplicate_across_schools + b.duplicate_across_schools,
    }
}

/// `full`: a province large enough to have every kind of unit.
fn check_tree(plan: &Plan, full: bool) {
    let mut codes = HashSet::new();
    let mut names = HashSet::new();
    for (i, o) in plan.orgs.iter().enumerate() {
        assert!(codes.insert(o.code.as_str()), "code {} repeated", o.code);
        assert!(is_nfc(&o.name), "{:?}", o.name);
        match o.parent {
            None => assert_eq!(o.kind, OrgKind::Ministry),
            Some(p) => {
                assert!(p < i, "parents first");
                assert!(
                    may_contain(plan.orgs[p].kind, o.kind),
                    "{} under {}",
                    o.name,
                    plan.orgs[p].name
                );
            }
        }
        if o.kind == OrgKind::School {
            assert!(
                names.insert(o.name.as_str()),
                "school name {} repeated",
                o.name
            );
            assert_eq!(o.code.len(), 8);
            assert!(o.ownership.is_some() && !o.levels.is_empty());
            assert!(o.lat.is_some() && o.lon.is_some() && o.ward_code.is_some());
        }
    }
    let schools: Vec<usize> = (0..plan.orgs.len())
        .filter(|&i| plan.orgs[i].kind == OrgKind::School)
        .collect();
    assert_eq!(schools, plan.schools);
    assert_eq!(
        plan.orgs
            .iter()
            .filter(|o| o.kind == OrgKind::Department)
            .count(),
        1
    );
    if !full {
        return;
    }
    assert!(plan.orgs.iter().any(|o| o.name == "UBND xã Tịnh Khê"));
    assert!(plan.orgs.iter().any(|o| o.kind == OrgKind::SatelliteSite));
    assert!(plan.orgs.iter().any(
        |o| o.name.starts_with("Trường TH&THCS") || o.name.starts_with("Trường PTDTBT TH&THCS")
    ));
    assert!(plan.orgs.iter().any(|o| {
        o.ownership
            .is_some_and(|w| w != truongso_domain::org::Ownership::Public)
    }));
}

/// Release-mode timing: `cargo test -p truongso-demo --release -- --ignored --nocapture`.
#[test]
#[ignore = "timing; run in release"]
fn timing_150k_and_1_7m() {
    for learners in [150_000, 1_700_000] {
        let t = Instant::now();
        let plan = Plan::new(&config(learners));
        let planned = t.elapsed();
        let mut n = 0;
        let mut staff = 0;
        for s in 0..plan.schools.len() {
            let data = plan.generate_school(s);
            n += data.learners.len();
            staff += data.staff.len();
        }
        println!(
            "{learners}: plan {planned:?}, {} schools, {n} learners, {staff} staff generated in {:?} (one core)",
            plan.schools.len(),
            t.elapsed()
        );
    }
}
