//! People: learners with their guardians, and staff. Each person is a pure function of the plan
//! and the person's global index (one random stream per person), so a learner planted as a
//! duplicate is the same person in both schools.
//!
//! Personal IDs are unique by construction: digits 7–12 come from a keyed bijection of a counter.
//! Learners: the counter is the position in the (former province, birth cohort) range, doubled,
//! plus one for learners a year older than their class. Guardians (serials below 900,000) and
//! staff (from 900,000 up) use their global index, with its high part folded into the birth year
//! (year ≡ high part mod 8). Learners are born after every guardian and staff member.

use std::collections::HashSet;

use chrono::NaiveDate;
use rand::RngExt;
use truongso_domain::codes::Gender;
use truongso_domain::learners::{
    Disability, EnrolmentStatus, GuardianInput, GuardianRelation, LearnerInput, PolicyGroup,
};
use truongso_domain::national_id;
use truongso_domain::org::{Ownership, SchoolLevel};
use truongso_domain::staff::{EmploymentType, Qualification, StaffInput, StaffPosition};
use truongso_domain::subjects::subjects_for_grade;

use crate::faults::{random_fault, wrong_id};
use crate::names::{self, ChildName, NameStyle};
use crate::plan::{GUARDIAN_SERIALS, Plan, STAFF_SERIALS, SchoolKind, SchoolSpec};
use crate::province::{Group, WardInfo, WardKind};
use crate::rng::{DemoRng, Stream, Weighted, chance, pick_weighted, rng_for};
use crate::{GenClass, GenLearner, PlantedFault, SchoolData};

/// Province codes of guardians and staff born outside the province (neighbours weigh most).
static OTHER_ID_PROVINCES: Weighted<&str> = Weighted::new(&[
    ("049", 20),
    ("052", 18),
    ("048", 12),
    ("064", 12),
    ("054", 6),
    ("066", 6),
    ("046", 5),
    ("038", 4),
    ("040", 4),
    ("042", 3),
    ("001", 3),
    ("079", 3),
    ("056", 3),
    ("036", 1),
]);

static DISABILITIES: Weighted<Disability> = Weighted::new(&[
    (Disability::Intellectual, 30),
    (Disability::Mobility, 20),
    (Disability::HearingSpeech, 15),
    (Disability::Visual, 10),
    (Disability::Mental, 10),
    (Disability::OtherDisability, 15),
]);

/// Subject weights (roughly periods per week) for assigning a main subject to a teacher.
const PRIMARY_SPECIALISTS: &[(&str, u32)] = &[
    ("ngoai_ngu_1", 4),
    ("gdtc", 3),
    ("nghe_thuat", 3),
    ("tin_hoc_cong_nghe", 2),
];
const LOWER_SECONDARY: &[(&str, u32)] = &[
    ("ngu_van", 8),
    ("toan", 8),
    ("khtn", 8),
    ("ngoai_ngu_1", 6),
    ("lich_su_dia_ly", 5),
    ("gdcd", 2),
    ("cong_nghe", 2),
    ("tin_hoc", 2),
    ("gdtc", 3),
    ("nghe_thuat", 3),
];
const UPPER_SECONDARY: &[(&str, u32)] = &[
    ("ngu_van", 6),
    ("toan", 7),
    ("ngoai_ngu_1", 6),
    ("lich_su", 3),
    ("gdqp_an", 2),
    ("gdtc", 3),
    ("vat_ly", 4),
    ("hoa_hoc", 4),
    ("sinh_hoc", 3),
    ("dia_ly", 3),
    ("gdktpl", 2),
    ("tin_hoc", 2),
    ("cong_nghe", 2),
    ("am_nhac", 1),
    ("my_thuat", 1),
];
const CONTINUING: &[(&str, u32)] = &[
    ("ngu_van", 5),
    ("toan", 5),
    ("ngoai_ngu_1", 3),
    ("lich_su", 3),
    ("vat_ly", 3),
    ("hoa_hoc", 3),
    ("sinh_hoc", 2),
    ("dia_ly", 3),
    ("gdqp_an", 1),
    ("tin_hoc", 2),
    ("gdktpl", 1),
];

/// Which subjects teachers of each level teach, checked against the programme's subject list.
pub(crate) struct SubjectPlan {
    /// What a primary class teacher teaches (everything but the specialists' subjects).
    primary_general: Vec<&'static str>,
    primary_specialists: Vec<(&'static str, u32)>,
    lower: Vec<(&'static str, u32)>,
    upper: Vec<(&'static str, u32)>,
    continuing: Vec<(&'static str, u32)>,
}

impl SubjectPlan {
    pub(crate) fn new() -> Self {
        let taught = |grades: std::ops::RangeInclusive<u8>| -> Vec<&'static str> {
            let mut codes = Vec::new();
            for g in grades {
                for s in subjects_for_grade(g) {
                    if !codes.contains(&s.code) {
                        codes.push(s.code);
                    }
                }
            }
            codes
        };
        // Keeps the weighted codes the programme teaches in these grades (all of them, evenly,
        // should the table and the programme ever disagree completely).
        let keep = |table: &[(&'static str, u32)], grades: std::ops::RangeInclusive<u8>| {
            let codes = taught(grades);
            let kept: Vec<(&'static str, u32)> = table
                .iter()
                .copied()
                .filter(|(c, _)| codes.contains(c))
                .collect();
            if kept.is_empty() {
                codes.into_iter().map(|c| (c, 1)).collect()
            } else {
                kept
            }
        };
        let primary_specialists = keep(PRIMARY_SPECIALISTS, 1..=5);
        let primary_general = taught(1..=5)
            .into_iter()
            .filter(|c| !primary_specialists.iter().any(|(s, _)| s == c))
            .collect();
        SubjectPlan {
            primary_general,
            primary_specialists,
            lower: keep(LOWER_SECONDARY, 6..=9),
            upper: keep(UPPER_SECONDARY, 10..=12),
            continuing: keep(CONTINUING, 10..=12),
        }
    }

    fn weights(&self, level: SchoolLevel) -> &[(&'static str, u32)] {
        match level {
            SchoolLevel::Preschool => &[],
            SchoolLevel::Primary => &self.primary_specialists,
            SchoolLevel::LowerSecondary => &self.lower,
            SchoolLevel::UpperSecondary => &self.upper,
            SchoolLevel::ContinuingEducation => &self.continuing,
        }
    }

    /// Subjects of the `k`-th teacher of a level: in primary the first `classes` teachers are
    /// class teachers; secondary teachers have a main subject and sometimes a second one.
    fn for_teacher(
        &self,
        level: SchoolLevel,
        k: u32,
        classes: u32,
        rng: &mut DemoRng,
    ) -> Vec<String> {
        if level == SchoolLevel::Primary && k < classes {
            return self.primary_general.iter().map(|c| c.to_string()).collect();
        }
        let weights = self.weights(level);
        if weights.is_empty() {
            return Vec::new();
        }
        let main = pick_weighted(weights, rng);
        let mut out = vec![main.to_string()];
        if level != SchoolLevel::Primary && chance(rng, 0.12) {
            let second = pick_weighted(weights, rng);
            if second != main {
                out.push(second.to_string());
            }
        }
        out
    }
}

/// A uniformly random year in `lo..=hi` congruent to `residue` mod 8 (the range spans ≥ 8 years).
fn year_with_residue(rng: &mut DemoRng, lo: i32, hi: i32, residue: i32) -> i32 {
    let first = lo + (residue - lo).rem_euclid(8);
    debug_assert!(first <= hi, "year range {lo}..={hi} narrower than 8 years");
    let choices = ((hi - first) / 8 + 1).max(1);
    first + 8 * rng.random_range(0..choices)
}

fn random_day(rng: &mut DemoRng, year: i32) -> NaiveDate {
    let days = if NaiveDate::from_yo_opt(year, 366).is_some() {
        366
    } else {
        365
    };
    NaiveDate::from_yo_opt(year, rng.random_range(1..=days)).expect("a day of the year")
}

/// Who looks after a child.
#[derive(Clone, Copy)]
enum Carer {
    Father,
    Mother,
    Grandfather,
    Grandmother,
    /// An aunt or uncle.
    Relative,
}

impl Plan {
    /// Generates one school: its staff, classes (with homeroom teachers) and learners. Depends on
    /// the plan only, so schools can be generated in any order or in parallel.
    pub fn generate_school(&self, school_ordinal: usize) -> SchoolData {
        let spec = &self.specs[school_ordinal];
        let staff = self.generate_staff(spec);

        let first_teacher = 1 + spec.vice_principals as usize;
        let classes: Vec<GenClass> = spec
            .classes
            .iter()
            .enumerate()
            .map(|(ci, c)| {
                let mut homeroom = first_teacher;
                for t in &spec.teachers {
                    if t.level == c.level {
                        break;
                    }
                    homeroom += t.count as usize;
                }
                homeroom += spec.classes[..ci]
                    .iter()
                    .filter(|o| o.level == c.level)
                    .count();
                GenClass {
                    grade: c.grade,
                    name: c.name.clone(),
                    homeroom,
                    site: c.site,
                }
            })
            .collect();

        let mut learners = Vec::with_capacity(spec.base_learners() as usize + spec.incoming.len());
        for (ci, c) in spec.classes.iter().enumerate() {
            for slot in 0..c.size {
                let (fault, status) = match spec.outgoing_at(ci, slot) {
                    Some(other) => (
                        Some(PlantedFault::DuplicateAcrossSchools {
                            other_school_ordinal: other,
                        }),
                        Some(EnrolmentStatus::Studying),
                    ),
                    None => (
                        random_fault(
                            self.config.seed,
                            spec.learner_base + u64::from(c.first + slot),
                        ),
                        None,
                    ),
                };
                let (input, drawn) = self.learner(school_ordinal, ci, slot, fault);
                learners.push(GenLearner {
                    input,
                    class: ci,
                    status: status.unwrap_or(drawn),
                    fault,
                });
            }
            for inc in spec.incoming.iter().filter(|i| i.class == ci) {
                let fault = Some(PlantedFault::DuplicateAcrossSchools {
                    other_school_ordinal: inc.from,
                });
                let (input, _) = self.learner(inc.from, inc.from_class, inc.slot, fault);
                learners.push(GenLearner {
                    input,
                    class: ci,
                    status: EnrolmentStatus::TransferredIn,
                    fault,
                });
            }
        }
        SchoolData {
            staff,
            classes,
            learners,
        }
    }

    /// The learner at `slot` of class `ci` of school `ordinal`, with `fault` applied, and the
    /// enrolment status drawn for them.
    fn learner(
        &self,
        ordinal: usize,
        ci: usize,
        slot: u32,
        fault: Option<PlantedFault>,
    ) -> (LearnerInput, EnrolmentStatus) {
        let seed = self.config.seed;
        let start = self.config.school_year_start;
        let spec = &self.specs[ordinal];
        let class = &spec.classes[ci];
        let global = spec.learner_base + u64::from(class.first + slot);
        let mut rng = rng_for(seed, Stream::Learner, global);

        let school_ward = &self.wards[spec.ward];
        let away = if spec.kind.regional() { 0.45 } else { 0.08 };
        let home = if chance(&mut rng, away) {
            &self.wards[school_ward.neighbours[rng.random_range(0..school_ward.neighbours.len())]]
        } else {
            school_ward
        };
        let minority = home.profile.minority
            * if spec.ownership == Ownership::Public {
                1.0
            } else {
                0.3
            };
        let group = if chance(&mut rng, minority) {
            home.profile.groups.pick(&mut rng)
        } else {
            Group::Kinh
        };
        let gender = if chance(&mut rng, 0.512) {
            Gender::Male
        } else {
            Gender::Female
        };
        let p_older = match spec.kind {
            _ if class.grade == 0 => 0.0,
            SchoolKind::Continuing => 0.15,
            _ if home.is_mountain() => 0.04,
            _ => 0.02,
        };
        let older = chance(&mut rng, p_older);
        let birth_year = class.cohort - i32::from(older);
        let birth_date = random_day(&mut rng, birth_year);
        let serial = self
            .learner_ids
            .apply(2 * (class.id_offset + slot) + u32::from(older));
        let id_prov = school_ward.id_prov;
        let style = group.name_style(home.kon_tum);
        let name = names::child_name(&mut rng, style, gender);
        let religion = religion(&mut rng, group, home);
        let address = home.address(&mut rng);
        let disability = chance(&mut rng, 0.015).then(|| DISABILITIES.pick(&mut rng));
        let policy_group = policy_group(&mut rng, group, home);
        let mut guardians = self.guardians(
            &mut rng,
            style,
            &name,
            birth_year,
            global,
            id_prov,
            home.kind == WardKind::Urban,
            policy_group == Some(PolicyGroup::Orphan),
        );

        let status = if older && chance(&mut rng, 0.5) {
            EnrolmentStatus::Repeating
        } else {
            let dropout = match class.level {
                SchoolLevel::Preschool => 0,
                SchoolLevel::Primary => 2,
                _ if home.is_mountain() => 15,
                _ => 6,
            };
            match rng.random_range(0..1000) {
                r if r < 10 => EnrolmentStatus::TransferredIn,
                r if r < 10 + dropout => EnrolmentStatus::DroppedOut,
                _ => EnrolmentStatus::Studying,
            }
        };

        let national_id = match fault {
            Some(PlantedFault::MissingNationalId) => None,
            Some(PlantedFault::WrongIdDigits) => {
                let mut fault_rng = rng_for(seed, Stream::Fault, global);
                Some(wrong_id(
                    &mut fault_rng,
                    id_prov,
                    birth_year,
                    gender,
                    serial,
                    start,
                ))
            }
            _ => national_id::compose(id_prov, birth_year, gender, serial),
        };
        if fault == Some(PlantedFault::MissingGuardianPhone) {
            for g in &mut guardians {
                g.phone = None;
            }
        }

        let input = LearnerInput {
            national_id,
            full_name: name.full,
            birth_date,
            gender,
            ethnicity_code: group.code().to_string(),
            nationality: "VN".to_string(),
            religion: religion.map(str::to_string),
            address: Some(address),
            ward_code: Some(home.ward.code.clone()),
            disability,
            policy_group,
            guardians,
        };
        (input, status)
    }

    /// One or two guardians (at most one man and one woman, which keeps their IDs unique), with
    /// names that agree with the child's: the father carries the child's family name (the mother
    /// the clan name among the matrilineal Gia-rai).
    fn guardians(
        &self,
        rng: &mut DemoRng,
        style: NameStyle,
        child: &ChildName,
        child_birth_year: i32,
        global: u64,
        id_prov: &'static str,
        urban: bool,
        orphan: bool,
    ) -> Vec<GuardianInput> {
        use Carer::*;
        let (man, woman) = if orphan {
            match rng.random_range(0..10) {
                0..5 => (None, Some(Grandmother)),
                5..8 => (Some(Grandfather), None),
                _ => (None, Some(Relative)),
            }
        } else {
            match rng.random_range(0..100) {
                0..70 => (Some(Father), Some(Mother)),
                70..85 => (None, Some(Mother)),
                85..91 => (Some(Father), None),
                91..96 => (Some(Father), Some(Grandmother)),
                _ => (Some(Grandfather), Some(Mother)),
            }
        };
        let mut out = Vec::with_capacity(2);
        for (carer, gender) in [(man, Gender::Male), (woman, Gender::Female)] {
            let Some(carer) = carer else { continue };
            out.push(self.guardian(
                rng,
                carer,
                gender,
                style,
                child,
                child_birth_year,
                global,
                id_prov,
                urban,
            ));
        }
        if !out.iter().any(|g| g.phone.is_some()) {
            out[0].phone = Some(names::mobile(rng));
        }
        out
    }

    fn guardian(
        &self,
        rng: &mut DemoRng,
        carer: Carer,
        gender: Gender,
        style: NameStyle,
        child: &ChildName,
        child_birth_year: i32,
        global: u64,
        id_prov: &'static str,
        urban: bool,
    ) -> GuardianInput {
        let start = self.config.school_year_start;
        let cb = child_birth_year;
        // Parents are born start − 55 ..= start − 30 (1970–1995 for 2025).
        let parents = |lo: i32, hi: i32| (lo.max(start - 55), hi.min(start - 30));
        let (relation, family, (lo, hi), p_phone, p_id) = match carer {
            Carer::Father => (
                GuardianRelation::Father,
                child.paternal,
                parents(cb - 42, cb - 22),
                0.85,
                0.8,
            ),
            Carer::Mother => (
                GuardianRelation::Mother,
                child.maternal,
                parents(cb - 40, cb - 19),
                0.9,
                0.8,
            ),
            Carer::Grandfather => (
                GuardianRelation::Grandparent,
                child.paternal,
                (start - 80, start - 52),
                0.5,
                0.6,
            ),
            Carer::Grandmother => (
                GuardianRelation::Grandparent,
                None,
                (start - 80, start - 52),
                0.5,
                0.6,
            ),
            Carer::Relative => (
                GuardianRelation::Other,
                None,
                parents(cb - 50, cb - 18),
                0.9,
                0.8,
            ),
        };
        let year = year_with_residue(rng, lo, hi, (global / u64::from(GUARDIAN_SERIALS)) as i32);
        let mut full_name = names::adult_name(rng, style, gender, family);
        if full_name == child.full {
            full_name = names::adult_name(rng, style, gender, family);
        }
        let national_id = chance(rng, p_id).then(|| {
            let prov = if chance(rng, 0.8) {
                id_prov
            } else {
                OTHER_ID_PROVINCES.pick(rng)
            };
            // Women's serials are shifted so that a couple's IDs do not end alike.
            let shift = if gender == Gender::Female {
                u64::from(GUARDIAN_SERIALS) / 2
            } else {
                0
            };
            let serial = self
                .guardian_ids
                .apply(((global + shift) % u64::from(GUARDIAN_SERIALS)) as u32);
            national_id::compose(prov, year, gender, serial).expect("valid ID parts")
        });
        let phone = chance(rng, p_phone).then(|| names::mobile(rng));
        let p_email = if urban { 0.25 } else { 0.12 };
        let email = (phone.is_some() && chance(rng, p_email))
            .then(|| names::personal_email(rng, &full_name, year));
        GuardianInput {
            relation,
            full_name,
            phone,
            email,
            national_id,
        }
    }

    /// Principal, vice-principals, teachers level by level, support staff.
    fn generate_staff(&self, spec: &SchoolSpec) -> Vec<StaffInput> {
        let mut roles: Vec<Role> = vec![Role::Principal];
        roles.extend((0..spec.vice_principals).map(|_| Role::VicePrincipal));
        for t in &spec.teachers {
            roles.extend((0..t.count).map(|k| Role::Teacher {
                level: t.level,
                k,
                classes: t.classes,
            }));
        }
        roles.extend((0..spec.support).map(|_| Role::Support));
        let mut handles = HashSet::new();
        roles
            .into_iter()
            .enumerate()
            .map(|(i, role)| {
                self.staff_member(spec, spec.staff_base + i as u64, role, &mut handles)
            })
            .collect()
    }

    fn staff_member(
        &self,
        spec: &SchoolSpec,
        global: u64,
        role: Role,
        handles: &mut HashSet<String>,
    ) -> StaffInput {
        let seed = self.config.seed;
        let start = self.config.school_year_start;
        let mut rng = rng_for(seed, Stream::Staff, global);
        let ward = &self.wards[spec.ward];
        let main_level = spec.kind.levels()[0];
        let preschool = main_level == SchoolLevel::Preschool;
        let p_female = match role {
            Role::Teacher { level, .. } => match level {
                SchoolLevel::Preschool => 0.97,
                SchoolLevel::Primary => 0.76,
                SchoolLevel::LowerSecondary => 0.68,
                SchoolLevel::UpperSecondary => 0.58,
                SchoolLevel::ContinuingEducation => 0.55,
            },
            Role::Principal | Role::VicePrincipal if preschool => 0.95,
            Role::Principal | Role::VicePrincipal => 0.45,
            Role::Support => 0.6,
        };
        let gender = if chance(&mut rng, p_female) {
            Gender::Female
        } else {
            Gender::Male
        };
        let (age_lo, age_hi) = match role {
            Role::Principal => (38, 58),
            Role::VicePrincipal => (33, 57),
            Role::Teacher { .. } => (23, 59),
            Role::Support => (22, 58),
        };
        let age_hi = if gender == Gender::Female {
            age_hi.min(57)
        } else {
            age_hi
        };
        let year = year_with_residue(
            &mut rng,
            start - age_hi,
            start - age_lo,
            (global / u64::from(STAFF_SERIALS)) as i32,
        );
        let birth_date = random_day(&mut rng, year);
        let group = if chance(&mut rng, ward.profile.minority * 0.3) {
            ward.profile.groups.pick(&mut rng)
        } else {
            Group::Kinh
        };
        let full_name = names::adult_name(&mut rng, group.name_style(ward.kon_tum), gender, None);
        let national_id = chance(&mut rng, 0.97).then(|| {
            let prov = if chance(&mut rng, 0.7) {
                ward.id_prov
            } else {
                OTHER_ID_PROVINCES.pick(&mut rng)
            };
            let serial = GUARDIAN_SERIALS
                + self
                    .staff_ids
                    .apply((global % u64::from(STAFF_SERIALS)) as u32);
            national_id::compose(prov, year, gender, serial).expect("valid ID parts")
        });

        let (position, qualification) = match role {
            Role::Principal | Role::VicePrincipal => {
                let q = if chance(&mut rng, 0.4) {
                    Qualification::Master
                } else {
                    Qualification::Bachelor
                };
                (
                    if matches!(role, Role::Principal) {
                        StaffPosition::Principal
                    } else {
                        StaffPosition::VicePrincipal
                    },
                    q,
                )
            }
            Role::Teacher { level, .. } => (
                StaffPosition::Teacher,
                teacher_qualification(&mut rng, level),
            ),
            Role::Support => {
                let q = match rng.random_range(0..100) {
                    0..35 => Qualification::Intermediate,
                    35..65 => Qualification::College,
                    _ => Qualification::Bachelor,
                };
                (StaffPosition::Staff, q)
            }
        };
        let public = spec.ownership == Ownership::Public;
        let employment_type = match role {
            Role::Principal | Role::VicePrincipal if public => EmploymentType::CivilServant,
            Role::Support if public && chance(&mut rng, 0.4) => EmploymentType::Contract,
            Role::Teacher { .. } if public => match rng.random_range(0..100) {
                0..88 => EmploymentType::CivilServant,
                88..98 => EmploymentType::Contract,
                _ => EmploymentType::Visiting,
            },
            _ if public => EmploymentType::CivilServant,
            Role::Teacher { .. } if chance(&mut rng, 0.15) => EmploymentType::Visiting,
            _ => EmploymentType::Contract,
        };
        let subjects = match role {
            Role::Teacher { level, k, classes } => {
                self.subjects.for_teacher(level, k, classes, &mut rng)
            }
            // Secondary-school leaders keep teaching their main subject a few periods a week.
            Role::Principal | Role::VicePrincipal
                if !matches!(main_level, SchoolLevel::Preschool | SchoolLevel::Primary) =>
            {
                self.subjects
                    .for_teacher(main_level, u32::MAX, 0, &mut rng)
                    .into_iter()
                    .take(1)
                    .collect()
            }
            _ => Vec::new(),
        };
        let phone = chance(&mut rng, 0.96).then(|| names::mobile(&mut rng));
        let email = if chance(&mut rng, 0.35) {
            Some(self.official_email(spec, &full_name, handles))
        } else if chance(&mut rng, 0.55) {
            Some(names::personal_email(&mut rng, &full_name, year))
        } else {
            None
        };
        StaffInput {
            national_id,
            full_name,
            birth_date,
            gender,
            ethnicity_code: group.code().to_string(),
            position,
            qualification,
            employment_type,
            subjects,
            phone,
            email,
        }
    }

    /// "hoant.51200001@quangngai.edu.vn" for Nguyễn Thị Hoa: given name and initials, unique in
    /// the school.
    fn official_email(
        &self,
        spec: &SchoolSpec,
        full_name: &str,
        handles: &mut HashSet<String>,
    ) -> String {
        let words: Vec<String> = full_name
            .split_whitespace()
            .map(names::ascii_handle)
            .collect();
        let (given, rest) = words.split_last().expect("a name has words");
        let mut handle: String = given.clone();
        handle.extend(rest.iter().filter_map(|w| w.chars().next()));
        let base = handle.clone();
        let mut n = 1;
        while !handles.insert(handle.clone()) {
            n += 1;
            handle = format!("{base}{n}");
        }
        let domain = names::ascii_handle(crate::province::PROVINCE_NAME);
        format!("{handle}.{}@{domain}.edu.vn", self.orgs[spec.org].code)
    }
}

#[derive(Clone, Copy)]
enum Role {
    Principal,
    VicePrincipal,
    /// The `k`-th teacher of `level`, which has `classes` classes in the school.
    Teacher {
        level: SchoolLevel,
        k: u32,
        classes: u32,
    },
    Support,
}

fn teacher_qualification(rng: &mut DemoRng, level: SchoolLevel) -> Qualification {
    let r = rng.random_range(0..100);
    match level {
        SchoolLevel::Preschool => match r {
            0..3 => Qualification::Intermediate,
            3..30 => Qualification::College,
            30..97 => Qualification::Bachelor,
            _ => Qualification::Master,
        },
        SchoolLevel::Primary => match r {
            0..8 => Qualification::College,
            8..93 => Qualification::Bachelor,
            _ => Qualification::Master,
        },
        _ => match r {
            0..84 => Qualification::Bachelor,
            84..99 => Qualification::Master,
            _ if level == SchoolLevel::UpperSecondary => Qualification::Doctor,
            _ => Qualification::Master,
        },
    }
}

fn religion(rng: &mut DemoRng, group: Group, home: &WardInfo) -> Option<&'static str> {
    let r = rng.random_range(0..100);
    if group == Group::Kinh {
        match r {
            0..9 => Some("Phật giáo"),
            9..12 => Some("Công giáo"),
            12..13 => Some("Cao Đài"),
            _ => None,
        }
    } else if group.is_highland() && home.kon_tum {
        match r {
            0..40 => Some("Công giáo"),
            40..48 => Some("Tin Lành"),
            _ => None,
        }
    } else {
        match r {
            0..3 => Some("Tin Lành"),
            3..5 => Some("Công giáo"),
            _ => None,
        }
    }
}

fn policy_group(rng: &mut DemoRng, group: Group, home: &WardInfo) -> Option<PolicyGroup> {
    use PolicyGroup::*;
    let minority = group != Group::Kinh;
    let p = match (minority, home.is_mountain()) {
        (true, true) => 0.24,
        (true, false) => 0.10,
        (false, true) => 0.06,
        (false, false) => 0.03,
    };
    if !chance(rng, p) {
        return None;
    }
    let r = rng.random_range(0..100);
    Some(if minority {
        match r {
            0..55 => EthnicMinorityHardship,
            55..85 => PoorHousehold,
            85..97 => NearPoorHousehold,
            _ => Orphan,
        }
    } else {
        match r {
            0..40 => PoorHousehold,
            40..82 => NearPoorHousehold,
            82..92 => Orphan,
            _ => WarInvalidChild,
        }
    })
}
