//! Data-quality tests, each on SQLite and PostgreSQL: the planted faults of the demo are found
//! exactly, fixes clear issues at once, duplicates resolve, settings apply, scopes hold.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use sea_query::{Expr, ExprTrait, Query};
use truongso_demo::{DemoConfig, Plan, PlantedFault};
use truongso_domain::learners::EnrolmentStatus;
use truongso_domain::national_id;
use truongso_domain::quality::{RuleCode, Severity};
use truongso_store::quality::{self, DuplicateFilter, IssueFilter, Resolution, RuleChange};
use truongso_store::schema::{Learners, OrgUnits, QualityIssues};
use truongso_store::{PageRequest, Scope, Store, StoreError, learners, orgs, seed};
use truongso_testkit::on_both;

fn config() -> DemoConfig {
    DemoConfig {
        seed: 7,
        learners: 3_000,
        // These tests do not look at the gradebook: seed faster without the year of marks.
        marks: false,
        ..DemoConfig::default()
    }
}

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2025, 10, 1).unwrap()
}

/// (school code, learner name, birth date) of the learners flagged by `rule`, sorted.
async fn flagged(store: &Store, rule: RuleCode) -> Vec<(String, String, NaiveDate)> {
    let mut rows: Vec<(String, String, NaiveDate)> = store
        .conn()
        .fetch_all(
            Query::select()
                .column((OrgUnits::Table, OrgUnits::Code))
                .column((Learners::Table, Learners::FullName))
                .column((Learners::Table, Learners::BirthDate))
                .from(QualityIssues::Table)
                .inner_join(
                    Learners::Table,
                    Expr::col((Learners::Table, Learners::Id))
                        .equals((QualityIssues::Table, QualityIssues::LearnerId)),
                )
                .inner_join(
                    OrgUnits::Table,
                    Expr::col((OrgUnits::Table, OrgUnits::Id))
                        .equals((Learners::Table, Learners::SchoolId)),
                )
                .and_where(Expr::col((QualityIssues::Table, QualityIssues::Rule)).eq(rule.code())),
        )
        .await
        .unwrap();
    rows.sort();
    rows
}

/// The same, from the generator: which learners carry each planted fault.
fn planted(plan: &Plan) -> BTreeMap<RuleCode, Vec<(String, String, NaiveDate)>> {
    let mut out: BTreeMap<RuleCode, Vec<_>> = BTreeMap::new();
    for ordinal in 0..plan.schools.len() {
        let code = plan.orgs[plan.schools[ordinal]].code.clone();
        for l in plan.generate_school(ordinal).learners {
            let rule = match l.fault {
                Some(PlantedFault::WrongIdDigits) => RuleCode::IdMismatch,
                Some(PlantedFault::MissingGuardianPhone) => RuleCode::GuardianPhoneMissing,
                Some(PlantedFault::MissingNationalId) => RuleCode::IdMissing,
                Some(PlantedFault::DuplicateAcrossSchools { .. }) => RuleCode::DuplicatePerson,
                None => continue,
            };
            out.entry(rule).or_default().push((
                code.clone(),
                l.input.full_name.clone(),
                l.input.birth_date,
            ));
        }
    }
    out.values_mut().for_each(|v| v.sort());
    out
}

#[tokio::test]
async fn the_scan_finds_every_planted_fault_and_nothing_else_of_those_kinds() {
    on_both(|store| async move {
        // The seed ends with a scan.
        seed::seed(&store, &config(), |_, _| {}).await.unwrap();
        let plan = Plan::new(&config());
        let counts = plan.planted_fault_counts();
        let expected = planted(&plan);
        let by_kind = [
            (RuleCode::IdMismatch, counts.wrong_id_digits),
            (
                RuleCode::GuardianPhoneMissing,
                counts.missing_guardian_phone,
            ),
            (RuleCode::IdMissing, counts.missing_national_id),
            (RuleCode::DuplicatePerson, counts.duplicate_across_schools),
        ];
        for (rule, count) in by_kind {
            assert!(count > 0, "the demo plants some {rule}");
            let found = flagged(&store, rule).await;
            assert_eq!(found.len() as u64, count, "{rule}: count");
            assert_eq!(
                &found, &expected[&rule],
                "{rule}: exactly the planted learners"
            );
        }
        // A second scan finds the same (idempotent), and the roll-ups add up.
        let report = quality::scan(&store, |_, _| {}).await.unwrap();
        assert_eq!(report.open_duplicates, counts.duplicate_across_schools / 2);
        let root = orgs::roots(&mut store.conn(), &Scope::All).await.unwrap()[0].id;
        let q = quality::unit_quality(&mut store.conn(), &Scope::All, root)
            .await
            .unwrap();
        assert_eq!(q.tally.learners as u64, plan.learner_count());
        let rule_total = |r: RuleCode| {
            q.by_rule
                .iter()
                .filter(|x| x.rule == r.code())
                .map(|x| x.issues)
                .sum::<i64>() as u64
        };
        for (rule, count) in by_kind {
            assert_eq!(rule_total(rule), count, "{rule} in the roll-up");
        }
        assert!(q.tally.id_eligible > 0 && q.tally.id_valid <= q.tally.id_eligible);
        assert_eq!(q.settings.id_target_percent, 95);
        assert_eq!(
            q.open_duplicates as u64,
            counts.duplicate_across_schools / 2
        );
        let score = q.score.unwrap();
        assert!(score > 50.0 && score < 100.0, "{score}");
    })
    .await;
}

/// A learner with `rule` open, its school's unit scope.
async fn learner_with(store: &Store, rule: RuleCode) -> (i64, i64) {
    let page = quality::issues(
        &mut store.conn(),
        &Scope::All,
        &IssueFilter {
            rule: Some(rule),
            ..Default::default()
        },
        &PageRequest::new(1, 1),
    )
    .await
    .unwrap();
    let issue = &page.items[0];
    (issue.learner_id.unwrap(), issue.school_id)
}

#[tokio::test]
async fn fixing_a_learner_clears_the_issue_in_the_same_transaction() {
    on_both(|store| async move {
        seed::seed(&store, &config(), |_, _| {}).await.unwrap();
        for (n, rule) in [
            RuleCode::IdMissing,
            RuleCode::IdMismatch,
            RuleCode::GuardianPhoneMissing,
        ]
        .into_iter()
        .enumerate()
        {
            let (id, school) = learner_with(&store, rule).await;
            let before = quality::unit_quality(&mut store.conn(), &Scope::All, school)
                .await
                .unwrap();
            let learner = learners::get(&mut store.conn(), &Scope::All, id)
                .await
                .unwrap();
            let mut input = learner.to_input();
            match rule {
                RuleCode::GuardianPhoneMissing => {
                    input.guardians[0].phone = Some("0912345678".into())
                }
                _ => {
                    input.national_id = national_id::compose(
                        "051",
                        input.birth_date.format("%Y").to_string().parse().unwrap(),
                        input.gender,
                        999_990 + n as u32,
                    )
                }
            }
            let mut tx = store.begin().await.unwrap();
            learners::update(&mut tx, &Scope::All, id, &input, today())
                .await
                .unwrap();
            tx.commit().await.unwrap();
            let (_, issues) = quality::learner_quality(&mut store.conn(), id)
                .await
                .unwrap();
            assert!(
                !issues.iter().any(|i| i.rule == rule.code()),
                "{rule}: {issues:?}"
            );
            let after = quality::unit_quality(&mut store.conn(), &Scope::All, school)
                .await
                .unwrap();
            assert_eq!(after.tally.clean, before.tally.clean + 1, "{rule}");
        }
        // A new learner without an ID is flagged at once.
        let (_, school) = learner_with(&store, RuleCode::IdMissing).await;
        let mut input = learners::get(
            &mut store.conn(),
            &Scope::All,
            learner_with(&store, RuleCode::IdMissing).await.0,
        )
        .await
        .unwrap()
        .to_input();
        input.national_id = None;
        let mut tx = store.begin().await.unwrap();
        let created = learners::create(
            &mut tx,
            &Scope::All,
            &learners::NewLearner {
                profile: input,
                school_id: school,
                class_id: None,
            },
            today(),
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();
        let (completeness, issues) = quality::learner_quality(&mut store.conn(), created.id)
            .await
            .unwrap();
        assert!(issues.iter().any(|i| i.rule == "id_missing"));
        let (filled, expected) = completeness.unwrap();
        assert!(filled < expected);
    })
    .await;
}

#[tokio::test]
async fn recheck_of_many_learners_in_one_call() {
    on_both(|store| async move {
        seed::seed(&store, &config(), |_, _| {}).await.unwrap();
        let ids: Vec<(i64,)> = store
            .conn()
            .fetch_all(Query::select().column(Learners::Id).from(Learners::Table))
            .await
            .unwrap();
        let ids: Vec<i64> = ids.into_iter().map(|r| r.0).collect();
        let root = orgs::roots(&mut store.conn(), &Scope::All).await.unwrap()[0].id;
        let before = quality::unit_quality(&mut store.conn(), &Scope::All, root)
            .await
            .unwrap();
        let mut tx = store.begin().await.unwrap();
        quality::recheck_learners(&mut tx, &ids).await.unwrap();
        tx.commit().await.unwrap();
        let after = quality::unit_quality(&mut store.conn(), &Scope::All, root)
            .await
            .unwrap();
        assert_eq!(before.tally, after.tally);
        assert_eq!(before.open_duplicates, after.open_duplicates);
    })
    .await;
}

#[tokio::test]
async fn a_duplicate_is_resolved_once_and_both_schools_see_the_outcome() {
    on_both(|store| async move {
        seed::seed(&store, &config(), |_, _| {}).await.unwrap();
        let open = quality::duplicates(
            &mut store.conn(),
            &Scope::All,
            &DuplicateFilter {
                status: Some("open".into()),
                org_unit_id: None,
            },
            &PageRequest::new(1, 10),
        )
        .await
        .unwrap();
        let case = open.items[0].clone();
        assert_ne!(case.a.school_id, case.b.school_id);
        let school_a = orgs::get(&mut store.conn(), &Scope::All, case.a.school_id)
            .await
            .unwrap();
        let school_b = orgs::get(&mut store.conn(), &Scope::All, case.b.school_id)
            .await
            .unwrap();
        // Which record is the copy: the "transferred in" one.
        let (current, copy) = if case.b.enrolment_status == Some(EnrolmentStatus::TransferredIn) {
            (&case.a, &case.b)
        } else {
            (&case.b, &case.a)
        };
        let mut tx = store.begin().await.unwrap();
        let bad = quality::resolve(
            &mut tx,
            &school_a.scope(),
            case.id,
            &Resolution {
                current_learner_id: 1,
                note: None,
            },
            &quality::Decider {
                user_id: None,
                name: "test".into(),
            },
            today(),
        )
        .await;
        assert!(matches!(bad, Err(StoreError::Invalid(_))));
        let done = quality::resolve(
            &mut tx,
            &school_a.scope(),
            case.id,
            &Resolution {
                current_learner_id: current.learner_id,
                note: Some("Đã xác minh với gia đình".into()),
            },
            &quality::Decider {
                user_id: None,
                name: "Hiệu trưởng A".into(),
            },
            today(),
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();
        assert_eq!(done.status, "resolved");
        assert_eq!(done.current_learner_id, Some(current.learner_id));
        let copy_side = if done.a.learner_id == copy.learner_id {
            &done.a
        } else {
            &done.b
        };
        assert_eq!(
            copy_side.enrolment_status,
            Some(EnrolmentStatus::TransferredOut)
        );
        // Both schools see it, with its outcome; a school of neither does not.
        for school in [&school_a, &school_b] {
            let seen = quality::duplicate(&mut store.conn(), &school.scope(), case.id)
                .await
                .unwrap();
            assert_eq!(seen.status, "resolved");
            assert_eq!(seen.decided_by.as_deref(), Some("Hiệu trưởng A"));
        }
        let schools = orgs::list(
            &mut store.conn(),
            &Scope::All,
            &orgs::OrgFilter {
                kind: Some(truongso_domain::org::OrgKind::School),
                ..Default::default()
            },
            &PageRequest::new(1, 500),
        )
        .await
        .unwrap();
        let third = schools
            .items
            .iter()
            .find(|s| s.id != school_a.id && s.id != school_b.id)
            .unwrap();
        assert!(matches!(
            quality::duplicate(&mut store.conn(), &third.scope(), case.id).await,
            Err(StoreError::NotFound { .. })
        ));
        // The issue is gone for both records, and a second decision is refused.
        for l in [case.a.learner_id, case.b.learner_id] {
            let (_, issues) = quality::learner_quality(&mut store.conn(), l)
                .await
                .unwrap();
            assert!(
                !issues.iter().any(|i| i.rule == "duplicate_person"),
                "{issues:?}"
            );
        }
        let mut tx = store.begin().await.unwrap();
        let again = quality::resolve(
            &mut tx,
            &school_b.scope(),
            case.id,
            &Resolution {
                current_learner_id: current.learner_id,
                note: None,
            },
            &quality::Decider {
                user_id: None,
                name: "B".into(),
            },
            today(),
        )
        .await;
        assert!(matches!(again, Err(StoreError::Conflict(_))));
        drop(tx);
        // A rescan keeps the decision.
        quality::scan(&store, |_, _| {}).await.unwrap();
        let seen = quality::duplicate(&mut store.conn(), &Scope::All, case.id)
            .await
            .unwrap();
        assert_eq!(seen.status, "resolved");
    })
    .await;
}

#[tokio::test]
async fn rules_and_settings_apply_at_the_next_scan() {
    on_both(|store| async move {
        seed::seed(&store, &config(), |_, _| {}).await.unwrap();
        assert!(
            !flagged(&store, RuleCode::GuardianPhoneMissing)
                .await
                .is_empty()
        );
        let mut tx = store.begin().await.unwrap();
        quality::set_rule(
            &mut tx,
            RuleCode::GuardianPhoneMissing,
            &RuleChange {
                enabled: false,
                severity: Severity::Warning,
            },
            "test",
        )
        .await
        .unwrap();
        quality::set_rule(
            &mut tx,
            RuleCode::IdMissing,
            &RuleChange {
                enabled: true,
                severity: Severity::Info,
            },
            "test",
        )
        .await
        .unwrap();
        let bad = quality::set_settings(
            &mut tx,
            &BTreeMap::from([("capacity_primary".to_string(), "abc".to_string())]),
            "test",
        )
        .await;
        let Err(StoreError::Invalid(inv)) = bad else {
            panic!("{bad:?}")
        };
        assert_eq!(inv.0[0].field, "capacity_primary");
        let s = quality::set_settings(
            &mut tx,
            &BTreeMap::from([
                ("capacity_primary".to_string(), "100".to_string()),
                ("capacity_secondary".to_string(), "100".to_string()),
                ("capacity_preschool".to_string(), "100".to_string()),
                ("id_target_percent".to_string(), "90".to_string()),
            ]),
            "test",
        )
        .await
        .unwrap();
        assert_eq!(s.id_target_percent, 90);
        tx.commit().await.unwrap();
        quality::scan(&store, |_, _| {}).await.unwrap();
        assert!(
            flagged(&store, RuleCode::GuardianPhoneMissing)
                .await
                .is_empty()
        );
        let states = quality::rule_states(&mut store.conn()).await.unwrap();
        let id_missing = states
            .iter()
            .find(|r| r.code == RuleCode::IdMissing)
            .unwrap();
        assert_eq!(id_missing.severity, Severity::Info);
        let page = quality::issues(
            &mut store.conn(),
            &Scope::All,
            &IssueFilter {
                rule: Some(RuleCode::ClassOverCapacity),
                ..Default::default()
            },
            &PageRequest::new(1, 1),
        )
        .await
        .unwrap();
        assert_eq!(page.total, 0);
        let page = quality::issues(
            &mut store.conn(),
            &Scope::All,
            &IssueFilter {
                rule: Some(RuleCode::IdMissing),
                ..Default::default()
            },
            &PageRequest::new(1, 1),
        )
        .await
        .unwrap();
        assert_eq!(page.items[0].severity, "info");
    })
    .await;
}

#[tokio::test]
async fn quality_views_stay_inside_the_scope() {
    on_both(|store| async move {
        let report = seed::seed(&store, &config(), |_, _| {}).await.unwrap();
        let principal = report
            .accounts
            .iter()
            .find(|a| a.role == "principal")
            .unwrap();
        let school = orgs::get(&mut store.conn(), &Scope::All, principal.scope_org_id)
            .await
            .unwrap();
        let scope = school.scope();
        let mine = quality::issues(
            &mut store.conn(),
            &scope,
            &IssueFilter::default(),
            &PageRequest::new(1, 500),
        )
        .await
        .unwrap();
        assert!(mine.items.iter().all(|i| i.school_id == school.id));
        let all = quality::issues(
            &mut store.conn(),
            &Scope::All,
            &IssueFilter::default(),
            &PageRequest::new(1, 1),
        )
        .await
        .unwrap();
        assert!(all.total > mine.total);
        // Another school's unit is not found; a teacher's scope sees no quality view at all.
        let root = orgs::roots(&mut store.conn(), &Scope::All).await.unwrap()[0].id;
        assert!(matches!(
            quality::unit_quality(&mut store.conn(), &scope, root).await,
            Err(StoreError::NotFound { .. })
        ));
        let teacher = Scope::Classes {
            root_id: school.id,
            path: school.path.clone(),
            class_ids: vec![],
        };
        assert!(
            quality::unit_quality(&mut store.conn(), &teacher, school.id)
                .await
                .is_err()
        );
        assert!(
            quality::issues(
                &mut store.conn(),
                &teacher,
                &IssueFilter::default(),
                &PageRequest::new(1, 5)
            )
            .await
            .is_err()
        );
        let d = quality::duplicates(
            &mut store.conn(),
            &teacher,
            &DuplicateFilter::default(),
            &PageRequest::new(1, 5),
        )
        .await
        .unwrap();
        assert_eq!(d.total, 0);
        // The school's dashboard ranks its classes.
        let q = quality::unit_quality(&mut store.conn(), &scope, school.id)
            .await
            .unwrap();
        assert!(q.below.iter().all(|b| b.kind == "class"));
        assert!(!q.below.is_empty());
    })
    .await;
}
