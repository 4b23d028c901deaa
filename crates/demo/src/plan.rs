//! The plan of a province: organisations, schools and their classes with sizes, the ranges of
//! person indexes and ID serials of every class, staffing, and the planted duplicates. Cheap to
//! build (no person is generated) and enough to generate any school on its own.

use std::collections::{BTreeMap, HashMap, HashSet};

use rand::RngExt;
use truongso_domain::org::{OrgKind, Ownership, SchoolLevel};

use crate::names;
use crate::province::{self, WardInfo, WardKind};
use crate::rng::{DemoRng, Permutation, Stream, chance, pick_weighted, rng_for, uniform};
use crate::{DemoAccount, DemoConfig, GenOrg};

/// Shares of the learners by level (reality: preschool ~20 %, primary ~38 %, lower secondary
/// ~27 %, upper secondary ~15 % of which a small part in continuing-education centres).
const SHARES: [(SchoolLevel, f64); 5] = [
    (SchoolLevel::Preschool, 0.20),
    (SchoolLevel::Primary, 0.38),
    (SchoolLevel::LowerSecondary, 0.27),
    (SchoolLevel::UpperSecondary, 0.14),
    (SchoolLevel::ContinuingEducation, 0.01),
];

/// Mean learners per school of each kind; together they give about 500 learners per school.
const MEAN_SIZE: [(SchoolLevel, f64); 5] = [
    (SchoolLevel::Preschool, 320.0),
    (SchoolLevel::Primary, 520.0),
    (SchoolLevel::LowerSecondary, 560.0),
    (SchoolLevel::UpperSecondary, 1000.0),
    (SchoolLevel::ContinuingEducation, 350.0),
];

/// Share of learners planted as duplicates in a second school (each makes two records).
const DUPLICATE_RATE: f64 = 0.0015;

/// Learner-ID serials: key = 2 × (position in the class's birth cohort) + (one year older), so a
/// cohort of one former province may hold up to this many learners.
const ID_SERIALS: u32 = 1_000_000;
/// Guardian IDs use serials below this, staff IDs from it up (disjoint, so never equal).
pub(crate) const GUARDIAN_SERIALS: u32 = 900_000;
pub(crate) const STAFF_SERIALS: u32 = ID_SERIALS - GUARDIAN_SERIALS;

/// The kind of a school, which fixes its levels, name and place in the tree.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum SchoolKind {
    Preschool,
    Primary,
    Lower,
    /// Trường TH&THCS (liên cấp).
    PrimaryLower,
    Upper,
    /// Trung tâm GDNN-GDTX.
    Continuing,
}

impl SchoolKind {
    pub(crate) fn levels(self) -> &'static [SchoolLevel] {
        match self {
            SchoolKind::Preschool => &[SchoolLevel::Preschool],
            SchoolKind::Primary => &[SchoolLevel::Primary],
            SchoolKind::Lower => &[SchoolLevel::LowerSecondary],
            SchoolKind::PrimaryLower => &[SchoolLevel::Primary, SchoolLevel::LowerSecondary],
            SchoolKind::Upper => &[SchoolLevel::UpperSecondary],
            SchoolKind::Continuing => &[SchoolLevel::ContinuingEducation],
        }
    }

    /// Third digit of the 8-digit school code.
    fn band(self) -> u32 {
        match self {
            SchoolKind::Preschool => 1,
            SchoolKind::Primary => 2,
            SchoolKind::Lower => 3,
            SchoolKind::PrimaryLower => 4,
            SchoolKind::Upper => 5,
            SchoolKind::Continuing => 6,
        }
    }

    /// Managed by the commune (preschool, primary, lower secondary) rather than the department.
    fn under_commune(self) -> bool {
        !matches!(self, SchoolKind::Upper | SchoolKind::Continuing)
    }

    /// Draws learners from neighbouring communes as much as from its own.
    pub(crate) fn regional(self) -> bool {
        !self.under_commune()
    }
}

/// One class as planned.
#[derive(Debug, Clone)]
pub(crate) struct ClassSpec {
    pub level: SchoolLevel,
    pub grade: u8,
    pub name: String,
    /// Learners generated for this class (copies planted from other schools come on top).
    pub size: u32,
    pub site: Option<usize>,
    /// Birth year of learners of the normal age.
    pub cohort: i32,
    /// Index of the first learner of the class among the school's own learners.
    pub first: u32,
    /// Position of the first learner in the (former province, cohort) ID range.
    pub id_offset: u32,
}

/// A learner of this school planted again in another school.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct Outgoing {
    pub class: u32,
    pub slot: u32,
    pub other: usize,
}

/// A learner of another school planted again in this one.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Incoming {
    pub class: usize,
    pub from: usize,
    pub from_class: usize,
    pub slot: u32,
}

/// Teachers of one level and how many classes of that level they serve.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Teachers {
    pub level: SchoolLevel,
    pub count: u32,
    pub classes: u32,
}

#[derive(Debug, Clone)]
pub(crate) struct SchoolSpec {
    pub org: usize,
    pub ward: usize,
    pub kind: SchoolKind,
    pub ownership: Ownership,
    pub classes: Vec<ClassSpec>,
    /// Global index of the school's first learner.
    pub learner_base: u64,
    /// Global index of the school's first staff member.
    pub staff_base: u64,
    pub vice_principals: u32,
    pub teachers: Vec<Teachers>,
    pub support: u32,
    /// Sorted by (class, slot).
    pub outgoing: Vec<Outgoing>,
    pub incoming: Vec<Incoming>,
}

impl SchoolSpec {
    pub(crate) fn base_learners(&self) -> u32 {
        self.classes.iter().map(|c| c.size).sum()
    }

    pub(crate) fn staff_count(&self) -> u32 {
        1 + self.vice_principals + self.teachers.iter().map(|t| t.count).sum::<u32>() + self.support
    }

    pub(crate) fn outgoing_at(&self, class: usize, slot: u32) -> Option<usize> {
        self.outgoing
            .binary_search_by(|o| (o.class, o.slot).cmp(&(class as u32, slot)))
            .ok()
            .map(|i| self.outgoing[i].other)
    }
}

/// The whole province, laid out. See the crate documentation.
pub struct Plan {
    /// The organisation tree, parents before children.
    pub orgs: Vec<GenOrg>,
    /// Indexes into `orgs` of the schools, in generation order (a school's ordinal is its
    /// position here).
    pub schools: Vec<usize>,
    pub(crate) config: DemoConfig,
    pub(crate) wards: Vec<WardInfo>,
    pub(crate) specs: Vec<SchoolSpec>,
    pub(crate) learner_ids: Permutation,
    pub(crate) guardian_ids: Permutation,
    pub(crate) staff_ids: Permutation,
    pub(crate) subjects: crate::people::SubjectPlan,
    duplicates: u64,
}

/// A school before it has a place in the tree.
struct Draft {
    ward: usize,
    kind: SchoolKind,
    ownership: Ownership,
    weight: f64,
}

impl Plan {
    pub fn new(config: &DemoConfig) -> Plan {
        assert!(
            config.learners <= DemoConfig::MAX_LEARNERS,
            "at most {} learners can be generated",
            DemoConfig::MAX_LEARNERS
        );
        let seed = config.seed;
        let mut rng = rng_for(seed, Stream::Plan, 0);
        let wards = province::wards(seed);
        let drafts = draft_schools(config, &wards, &mut rng);
        let classes = plan_classes(config, &drafts, &mut rng);

        let (orgs, schools, specs) = build_tree(&wards, drafts, classes, &mut rng);
        let mut plan = Plan {
            orgs,
            schools,
            config: config.clone(),
            wards,
            specs,
            learner_ids: Permutation::new(ID_SERIALS, seed, 1),
            guardian_ids: Permutation::new(GUARDIAN_SERIALS, seed, 2),
            staff_ids: Permutation::new(STAFF_SERIALS, seed, 3),
            subjects: crate::people::SubjectPlan::new(),
            duplicates: 0,
        };
        plan.assign_ranges(&mut rng);
        plan.plant_duplicates(&mut rng);
        plan
    }

    /// The configuration the plan was made from.
    pub fn config(&self) -> &DemoConfig {
        &self.config
    }

    /// The exact number of learner records the schools will generate (planted copies included).
    pub fn learner_count(&self) -> u64 {
        self.specs
            .iter()
            .map(|s| u64::from(s.base_learners()) + s.incoming.len() as u64)
            .sum()
    }

    /// The exact number of staff records the schools will generate.
    pub fn staff_count(&self) -> u64 {
        self.specs.iter().map(|s| u64::from(s.staff_count())).sum()
    }

    /// The ordinal (index into `schools`) of the school at `org`, if `org` is a school.
    pub fn school_ordinal(&self, org: usize) -> Option<usize> {
        self.schools.binary_search(&org).ok()
    }

    pub(crate) fn duplicate_pairs(&self) -> u64 {
        self.duplicates
    }

    /// Learner and staff index ranges, ID offsets per (former province, cohort), staffing.
    fn assign_ranges(&mut self, rng: &mut DemoRng) {
        let mut learners = 0u64;
        let mut staff = 0u64;
        let mut cohorts: BTreeMap<(bool, i32), u32> = BTreeMap::new();
        for spec in &mut self.specs {
            let kon_tum = self.wards[spec.ward].kon_tum;
            spec.learner_base = learners;
            let mut first = 0;
            for class in &mut spec.classes {
                class.first = first;
                first += class.size;
                let next = cohorts.entry((kon_tum, class.cohort)).or_insert(0);
                class.id_offset = *next;
                *next += class.size;
                assert!(
                    2 * u64::from(*next) < u64::from(ID_SERIALS),
                    "too many learners in one birth cohort for unique ID serials"
                );
            }
            learners += u64::from(first);

            let total_classes = spec.classes.len() as u32;
            let preschool = spec.kind == SchoolKind::Preschool;
            spec.vice_principals = if total_classes >= if preschool { 12 } else { 18 } {
                2
            } else {
                1
            };
            spec.teachers = spec
                .kind
                .levels()
                .iter()
                .map(|&level| {
                    let classes = spec.classes.iter().filter(|c| c.level == level).count() as u32;
                    let ratio = match level {
                        SchoolLevel::Preschool => 1.8,
                        SchoolLevel::Primary => 1.4,
                        SchoolLevel::LowerSecondary => 1.9,
                        SchoolLevel::UpperSecondary => 2.0,
                        SchoolLevel::ContinuingEducation => 1.5,
                    } * uniform(rng, 0.92, 1.08);
                    let lo = (classes + 1).max((f64::from(classes) * 1.2).ceil() as u32);
                    let count = ((f64::from(classes) * ratio).round() as u32)
                        .clamp(lo, (2 * classes).max(lo));
                    Teachers {
                        level,
                        count,
                        classes,
                    }
                })
                .collect();
            spec.support = if preschool {
                3 + total_classes / 3
            } else {
                3 + total_classes / 10
            };
            spec.staff_base = staff;
            staff += u64::from(spec.staff_count());
        }
        assert!(
            staff < u64::from(STAFF_SERIALS) * 8,
            "too many staff for unique ID serials"
        );
    }

    /// Picks learners to appear again in another school with the same grade (same age group in
    /// preschool), preferring a school of the same former province.
    fn plant_duplicates(&mut self, rng: &mut DemoRng) {
        let total: u64 = self
            .specs
            .iter()
            .map(|s| u64::from(s.base_learners()))
            .sum();
        let wanted = (total as f64 * DUPLICATE_RATE).round() as u64;
        if total == 0 || wanted == 0 {
            return;
        }
        let key = |c: &ClassSpec| (c.grade, c.cohort);
        let mut hosts: BTreeMap<(u8, i32), Vec<usize>> = BTreeMap::new();
        for (s, spec) in self.specs.iter().enumerate() {
            for c in &spec.classes {
                let list = hosts.entry(key(c)).or_default();
                if list.last() != Some(&s) {
                    list.push(s);
                }
            }
        }
        let bases: Vec<u64> = self.specs.iter().map(|s| s.learner_base).collect();
        let mut extra: HashMap<(usize, usize), u32> = HashMap::new();
        let mut taken: HashSet<u64> = HashSet::new();
        let mut attempts = 0;
        while self.duplicates < wanted && attempts < wanted * 20 {
            attempts += 1;
            let global = rng.random_range(0..total);
            let a = bases.partition_point(|&b| b <= global) - 1;
            let local = (global - bases[a]) as u32;
            let spec_a = &self.specs[a];
            let ca = spec_a.classes.partition_point(|c| c.first <= local) - 1;
            let slot = local - spec_a.classes[ca].first;
            let k = key(&spec_a.classes[ca]);
            let kon_tum = self.wards[spec_a.ward].kon_tum;
            let candidates: Vec<usize> = hosts[&k].iter().copied().filter(|&s| s != a).collect();
            if candidates.is_empty() || taken.contains(&global) {
                continue;
            }
            let near: Vec<usize> = candidates
                .iter()
                .copied()
                .filter(|&s| self.wards[self.specs[s].ward].kon_tum == kon_tum)
                .collect();
            let pool = if !near.is_empty() && chance(rng, 0.8) {
                &near
            } else {
                &candidates
            };
            let b = pool[rng.random_range(0..pool.len())];
            let hi = class_bounds(k.0).1;
            let target = self.specs[b]
                .classes
                .iter()
                .enumerate()
                .filter(|(_, c)| key(c) == k)
                .map(|(i, c)| (c.size + extra.get(&(b, i)).copied().unwrap_or(0), i))
                .filter(|&(size, _)| size < hi)
                .min();
            let Some((_, cb)) = target else { continue };
            taken.insert(global);
            *extra.entry((b, cb)).or_default() += 1;
            self.specs[a].outgoing.push(Outgoing {
                class: ca as u32,
                slot,
                other: b,
            });
            self.specs[b].incoming.push(Incoming {
                class: cb,
                from: a,
                from_class: ca,
                slot,
            });
            self.duplicates += 1;
        }
        for spec in &mut self.specs {
            spec.outgoing.sort_unstable();
        }
    }

    /// Demo logins for a few units at each level, with memorable passwords "demo-<username>".
    pub fn accounts(&self) -> Vec<DemoAccount> {
        let account = |username: String, role: &str, scope_org: usize| DemoAccount {
            password: format!("demo-{username}"),
            username,
            role: role.to_string(),
            display_name: format!("Cán bộ {}", self.orgs[scope_org].name),
            scope_org,
            school_ordinal: None,
            staff: None,
            learner: None,
        };
        let mut out = vec![
            account("bo.gddt".into(), "ministry_officer", 0),
            account(
                format!("so.{}", names::ascii_handle(province::PROVINCE_NAME)),
                "department_officer",
                1,
            ),
        ];

        // Offices: an urban ward, a mountain commune of Quảng Ngãi, a commune of former Kon Tum.
        let offices: Vec<usize> = (0..self.orgs.len())
            .filter(|&i| self.orgs[i].kind == OrgKind::LocalOffice)
            .collect();
        let ward_of = |org: usize| {
            let code = self.orgs[org].ward_code.as_deref();
            self.wards
                .iter()
                .find(|w| Some(w.ward.code.as_str()) == code)
        };
        let wanted_offices: [&dyn Fn(&WardInfo) -> bool; 3] = [
            &|w| w.kind == WardKind::Urban && !w.kon_tum,
            &|w| w.is_mountain() && !w.kon_tum,
            &|w| w.kon_tum,
        ];
        let mut chosen: Vec<usize> = Vec::new();
        for want in wanted_offices {
            let found = offices
                .iter()
                .copied()
                .find(|&o| !chosen.contains(&o) && ward_of(o).is_some_and(want));
            if let Some(o) = found.or_else(|| offices.iter().copied().find(|o| !chosen.contains(o)))
            {
                chosen.push(o);
            }
        }
        for o in chosen {
            let slug = ward_of(o)
                .map(|w| names::ascii_handle(w.short))
                .unwrap_or_else(|| self.orgs[o].code.clone());
            out.push(account(format!("phong.{slug}"), "office_officer", o));
        }

        // Schools: a lowland primary, a mountain or Kon Tum lower-secondary, an upper-secondary.
        let wanted_schools: [&dyn Fn(&SchoolSpec) -> bool; 3] = [
            &|s| s.kind == SchoolKind::Primary && !self.wards[s.ward].is_mountain(),
            &|s| {
                matches!(s.kind, SchoolKind::Lower | SchoolKind::PrimaryLower)
                    && (self.wards[s.ward].is_mountain() || self.wards[s.ward].kon_tum)
            },
            &|s| s.kind == SchoolKind::Upper,
        ];
        let mut picked: Vec<usize> = Vec::new();
        for want in wanted_schools {
            let found =
                (0..self.specs.len()).find(|&i| !picked.contains(&i) && want(&self.specs[i]));
            if let Some(s) = found.or_else(|| (0..self.specs.len()).find(|i| !picked.contains(i))) {
                picked.push(s);
            }
        }
        for ordinal in picked {
            let spec = &self.specs[ordinal];
            let code = &self.orgs[spec.org].code;
            let data = self.generate_school(ordinal);
            let homeroom = data.classes.first().map(|c| c.homeroom);
            let homerooms: HashSet<usize> = data.classes.iter().map(|c| c.homeroom).collect();
            // A subject teacher who teaches classes (so that their gradebooks have something).
            let assignments = data.teaching_assignments();
            let teacher = data
                .staff
                .iter()
                .enumerate()
                .position(|(i, s)| {
                    s.position == truongso_domain::staff::StaffPosition::Teacher
                        && !homerooms.contains(&i)
                        && assignments.iter().any(|a| a.staff == i)
                })
                .or_else(|| {
                    data.staff.iter().enumerate().position(|(i, s)| {
                        s.position == truongso_domain::staff::StaffPosition::Teacher
                            && !homerooms.contains(&i)
                    })
                });
            let learner = data.learners.iter().position(|l| {
                l.fault.is_none() && l.input.guardians.iter().any(|g| g.phone.is_some())
            });
            let roles: [(&str, &str, Option<usize>, Option<usize>); 6] = [
                ("hieutruong", "principal", Some(0), None),
                ("quantri", "school_admin", None, None),
                ("giaovien", "teacher", teacher, None),
                ("gvcn", "homeroom_teacher", homeroom, None),
                ("phuhuynh", "guardian", None, learner),
                ("hocsinh", "learner", None, learner),
            ];
            for (prefix, role, staff, learner) in roles {
                let mut a = account(format!("{prefix}.{code}"), role, spec.org);
                a.display_name = match (staff, learner) {
                    (Some(i), _) => data.staff[i].full_name.clone(),
                    (_, Some(i)) if role == "learner" => data.learners[i].input.full_name.clone(),
                    (_, Some(i)) => data.learners[i]
                        .input
                        .guardians
                        .first()
                        .map_or_else(|| a.display_name.clone(), |g| g.full_name.clone()),
                    _ => format!("Quản trị {}", lower_first(&self.orgs[spec.org].name)),
                };
                a.school_ordinal = Some(ordinal);
                a.staff = staff;
                a.learner = learner;
                out.push(a);
            }
        }
        out
    }
}

/// Class-size bounds (inclusive) for a grade: 20–35 in preschool, 30–45 otherwise.
pub(crate) fn class_bounds(grade: u8) -> (u32, u32) {
    if grade == 0 { (20, 35) } else { (30, 45) }
}

fn jitter(w: &WardInfo, spread: f64, rng: &mut DemoRng) -> (f64, f64) {
    let round = |x: f64| (x * 1e5).round() / 1e5;
    (
        round(w.lat + uniform(rng, -spread, spread)),
        round(w.lon + uniform(rng, -spread, spread)),
    )
}

fn lower_first(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(c) => c.to_lowercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// Spreads `n` schools over wards in proportion to `weights` (systematic sampling: every ward gets
/// the floor or ceiling of its share).
fn allocate(n: u32, weights: &[f64], rng: &mut DemoRng) -> Vec<u32> {
    let total: f64 = weights.iter().sum();
    let mut counts = vec![0; weights.len()];
    if n == 0 || total <= 0.0 {
        return counts;
    }
    let step = total / f64::from(n);
    let mut point = uniform(rng, 0.0, step);
    let mut acc = 0.0;
    let mut placed = 0;
    for (i, w) in weights.iter().enumerate() {
        acc += w;
        while point < acc && placed < n {
            counts[i] += 1;
            placed += 1;
            point += step;
        }
    }
    // Floating-point slack at the end goes to the last ward with weight.
    if placed < n {
        let last = weights.iter().rposition(|w| *w > 0.0).unwrap_or(0);
        counts[last] += n - placed;
    }
    counts
}

fn share(level: SchoolLevel) -> f64 {
    SHARES
        .iter()
        .find(|(l, _)| *l == level)
        .map_or(0.0, |s| s.1)
}

fn mean_size(level: SchoolLevel) -> f64 {
    MEAN_SIZE
        .iter()
        .find(|(l, _)| *l == level)
        .map_or(500.0, |s| s.1)
}

/// Decides how many schools of each kind each ward has, their ownership and relative size.
fn draft_schools(config: &DemoConfig, wards: &[WardInfo], rng: &mut DemoRng) -> Vec<Draft> {
    let learners = config.learners as f64;
    let count = |level: SchoolLevel, min: u32| {
        ((learners * share(level) / mean_size(level)).round() as u32).max(min)
    };
    let continuing = count(SchoolLevel::ContinuingEducation, 0);
    let commune_weight = |w: &WardInfo| match w.kind {
        WardKind::Urban => 1.8,
        WardKind::Special => 0.6,
        WardKind::Commune if w.is_mountain() => 0.8,
        WardKind::Commune => 1.1,
    };
    let upper_weight = |w: &WardInfo| match w.kind {
        WardKind::Urban => 2.5,
        WardKind::Special => 0.5,
        WardKind::Commune if w.is_mountain() => 0.7,
        WardKind::Commune => 1.0,
    };
    let weights: Vec<f64> = wards.iter().map(commune_weight).collect();
    let pre = allocate(count(SchoolLevel::Preschool, 1), &weights, rng);
    let pri = allocate(count(SchoolLevel::Primary, 1), &weights, rng);
    let low = allocate(count(SchoolLevel::LowerSecondary, 1), &weights, rng);
    let up = allocate(
        count(SchoolLevel::UpperSecondary, 1),
        &wards.iter().map(upper_weight).collect::<Vec<_>>(),
        rng,
    );
    let cont = allocate(continuing, &vec![1.0; wards.len()], rng);

    let size_weight = |w: &WardInfo, kind: SchoolKind, ownership: Ownership, rng: &mut DemoRng| {
        let place = match (w.kind, kind) {
            (WardKind::Urban, SchoolKind::Upper) => 1.3,
            (WardKind::Urban, _) => 1.4,
            (WardKind::Special, _) => 0.9,
            (WardKind::Commune, SchoolKind::Upper) if w.is_mountain() => 0.8,
            (WardKind::Commune, _) if w.is_mountain() => 0.6,
            (WardKind::Commune, _) => 1.0,
        };
        let owner = if ownership == Ownership::Public {
            1.0
        } else {
            0.5
        };
        place * owner * uniform(rng, 0.7, 1.3)
    };

    let mut commune_schools = Vec::new();
    let mut department_schools = Vec::new();
    for (i, w) in wards.iter().enumerate() {
        let (mut primary, mut lower) = (pri[i], low[i]);
        let merge_p = if w.is_mountain() { 0.5 } else { 0.08 };
        let merged = u32::from(primary > 0 && lower > 0 && chance(rng, merge_p));
        primary -= merged;
        lower -= merged;
        let kinds = std::iter::repeat_n(SchoolKind::Preschool, pre[i] as usize)
            .chain(std::iter::repeat_n(SchoolKind::Primary, primary as usize))
            .chain(std::iter::repeat_n(
                SchoolKind::PrimaryLower,
                merged as usize,
            ))
            .chain(std::iter::repeat_n(SchoolKind::Lower, lower as usize));
        let mut seen: Vec<SchoolKind> = Vec::new();
        for kind in kinds {
            let first_of_kind = !seen.contains(&kind);
            seen.push(kind);
            let ownership = ownership(kind, w, first_of_kind, rng);
            let weight = size_weight(w, kind, ownership, rng);
            commune_schools.push(Draft {
                ward: i,
                kind,
                ownership,
                weight,
            });
        }
        for (kind, n) in [
            (SchoolKind::Upper, up[i]),
            (SchoolKind::Continuing, cont[i]),
        ] {
            for k in 0..n {
                let ownership = ownership(kind, w, k == 0, rng);
                let weight = size_weight(w, kind, ownership, rng);
                department_schools.push(Draft {
                    ward: i,
                    kind,
                    ownership,
                    weight,
                });
            }
        }
    }
    commune_schools.extend(department_schools);
    commune_schools
}

fn ownership(kind: SchoolKind, w: &WardInfo, first_of_kind: bool, rng: &mut DemoRng) -> Ownership {
    if first_of_kind || w.is_mountain() {
        return Ownership::Public;
    }
    let non_public = match (kind, w.kind) {
        (SchoolKind::Preschool, WardKind::Urban) => 0.45,
        (SchoolKind::Preschool, _) => 0.15,
        (SchoolKind::Primary | SchoolKind::Upper, WardKind::Urban) => 0.10,
        _ => 0.0,
    };
    if !chance(rng, non_public) {
        Ownership::Public
    } else if kind == SchoolKind::Preschool && chance(rng, 0.25) {
        Ownership::PeopleFounded
    } else {
        Ownership::Private
    }
}

/// Grades (or preschool age groups) of a level: (grade, age-group label, normal birth year
/// relative to the school-year start, share of the level's learners). Grade 1 starts in the year
/// a child turns 6 (shared/domain/admission.md), so grade g is born in start − 5 − g; preschool
/// groups Mầm, Chồi, Lá are the 3-, 4- and 5-year-olds.
fn grade_layout(level: SchoolLevel) -> &'static [(u8, &'static str, i32, f64)] {
    match level {
        SchoolLevel::Preschool => &[
            (0, "Mầm", -3, 0.30),
            (0, "Chồi", -4, 0.33),
            (0, "Lá", -5, 0.37),
        ],
        SchoolLevel::Primary => &[
            (1, "", -6, 0.2),
            (2, "", -7, 0.2),
            (3, "", -8, 0.2),
            (4, "", -9, 0.2),
            (5, "", -10, 0.2),
        ],
        SchoolLevel::LowerSecondary => &[
            (6, "", -11, 0.26),
            (7, "", -12, 0.25),
            (8, "", -13, 0.25),
            (9, "", -14, 0.24),
        ],
        SchoolLevel::UpperSecondary => &[
            (10, "", -15, 0.36),
            (11, "", -16, 0.33),
            (12, "", -17, 0.31),
        ],
        SchoolLevel::ContinuingEducation => &[
            (10, "", -15, 0.40),
            (11, "", -16, 0.32),
            (12, "", -17, 0.28),
        ],
    }
}

/// Class sizes for `n` learners of one grade: about 38 (28 in preschool) per class, each within
/// the bounds with one place to spare for a planted copy.
fn split_classes(n: f64, grade: u8, rng: &mut DemoRng) -> Vec<u32> {
    let (lo, hi) = class_bounds(grade);
    let max = hi - 1;
    let mid = if grade == 0 { 28.0 } else { 38.0 };
    let count = ((n / mid).round() as u32).max(1);
    let total = (n.round() as u32).clamp(count * lo, count * max);
    let mut sizes: Vec<u32> = (0..count)
        .map(|i| total / count + u32::from(i < total % count))
        .collect();
    for i in 1..sizes.len() {
        let d = rng.random_range(0..=2);
        if sizes[i - 1] + d <= max && sizes[i] >= lo + d {
            sizes[i - 1] += d;
            sizes[i] -= d;
        }
    }
    sizes
}

/// Classes of every drafted school: each level's learners spread over its schools by weight.
fn plan_classes(config: &DemoConfig, drafts: &[Draft], rng: &mut DemoRng) -> Vec<Vec<ClassSpec>> {
    let mut weight_sum: HashMap<SchoolLevel, f64> = HashMap::new();
    for d in drafts {
        for &level in d.kind.levels() {
            *weight_sum.entry(level).or_default() += d.weight;
        }
    }
    // Upper-secondary schools take the continuing-education share when there is no centre.
    let has_continuing = weight_sum.contains_key(&SchoolLevel::ContinuingEducation);
    let level_total = |level: SchoolLevel| {
        let extra = if level == SchoolLevel::UpperSecondary && !has_continuing {
            share(SchoolLevel::ContinuingEducation)
        } else {
            0.0
        };
        config.learners as f64 * (share(level) + extra)
    };
    drafts
        .iter()
        .map(|d| {
            let mut classes = Vec::new();
            for &level in d.kind.levels() {
                let target = level_total(level) * d.weight / weight_sum[&level];
                for &(grade, group, offset, grade_share) in grade_layout(level) {
                    let n = target * grade_share * uniform(rng, 0.93, 1.07);
                    for (k, size) in split_classes(n, grade, rng).into_iter().enumerate() {
                        let name = match level {
                            SchoolLevel::Preschool => format!("{group} {}", k + 1),
                            SchoolLevel::Primary => format!("{grade}{}", class_letter(k)),
                            _ => format!("{grade}A{}", k + 1),
                        };
                        classes.push(ClassSpec {
                            level,
                            grade,
                            name,
                            size,
                            site: None,
                            cohort: config.school_year_start + offset,
                            first: 0,
                            id_offset: 0,
                        });
                    }
                }
            }
            classes
        })
        .collect()
}

/// "A".."Z", then "A1"… for absurdly large primary schools.
fn class_letter(k: usize) -> String {
    let letter = char::from(b'A' + (k % 26) as u8);
    if k < 26 {
        letter.to_string()
    } else {
        format!("{letter}{}", k / 26)
    }
}

/// Satellite sites of a school and the classes taught at each: preschool and primary schools,
/// mostly in mountain communes; a site takes the last class of a group or of grades 1–3 where
/// the main site keeps at least one.
fn plan_sites(
    d: &Draft,
    w: &WardInfo,
    classes: &[ClassSpec],
    rng: &mut DemoRng,
) -> Vec<Vec<usize>> {
    if d.ownership != Ownership::Public || d.kind.regional() || d.kind == SchoolKind::Lower {
        return Vec::new();
    }
    // (number of sites, weight)
    let choices: &[(usize, u32)] = match (w.is_mountain(), w.kind, d.kind) {
        (true, _, _) => &[(0, 20), (1, 35), (2, 30), (3, 15)],
        (false, WardKind::Urban, SchoolKind::Preschool) => &[(0, 90), (1, 10)],
        (false, WardKind::Urban, _) => &[(0, 1)],
        (false, _, SchoolKind::Preschool) => &[(0, 50), (1, 35), (2, 15)],
        (false, _, _) => &[(0, 80), (1, 20)],
    };
    let wanted = pick_weighted(choices, rng);
    let eligible = |c: &ClassSpec| c.grade == 0 || (1..=3).contains(&c.grade);
    let mut at_main: HashMap<(u8, i32), u32> = HashMap::new();
    for c in classes.iter().filter(|c| eligible(c)) {
        *at_main.entry((c.grade, c.cohort)).or_default() += 1;
    }
    let mut assigned = vec![false; classes.len()];
    let mut sites = Vec::new();
    for _ in 0..wanted {
        let mut site = Vec::new();
        for i in (0..classes.len()).rev() {
            let c = &classes[i];
            let key = (c.grade, c.cohort);
            if assigned[i]
                || !eligible(c)
                || at_main[&key] < 2
                || site.iter().any(|&j: &usize| classes[j].cohort == c.cohort)
            {
                continue;
            }
            site.push(i);
            assigned[i] = true;
            *at_main.get_mut(&key).expect("counted") -= 1;
            if site.len() == 3 {
                break;
            }
        }
        if site.is_empty() {
            break;
        }
        site.sort_unstable();
        sites.push(site);
    }
    sites
}

/// Unique school names: after the commune ("Trường Tiểu học Tịnh Khê số 2"), after a historical
/// figure ("Trường THCS Nguyễn Trãi"), or a preschool's flower or bird ("Trường Mầm non Sơn Ca").
#[derive(Default)]
struct Namer {
    used: HashSet<String>,
    /// Commune-named schools so far, by (ward, prefix).
    numbered: HashMap<(usize, &'static str), u32>,
    /// Villages used for satellite sites, by ward.
    villages: HashMap<usize, usize>,
}

impl Namer {
    /// `siblings`: schools of the same kind in the ward; when several, commune names get a number.
    fn name(
        &mut self,
        kind: SchoolKind,
        ownership: Ownership,
        w: &WardInfo,
        ward: usize,
        siblings: u32,
        rng: &mut DemoRng,
    ) -> String {
        let boarding = w.is_mountain() && w.profile.minority > 0.5 && chance(rng, 0.35);
        let prefix: &'static str = match (kind, ownership) {
            (SchoolKind::Preschool, Ownership::Private) => "Trường Mầm non tư thục",
            (SchoolKind::Preschool, Ownership::PeopleFounded) => "Trường Mầm non dân lập",
            (SchoolKind::Preschool, _) => "Trường Mầm non",
            (SchoolKind::Primary, Ownership::Public) => "Trường Tiểu học",
            (SchoolKind::Primary, _) => "Trường Tiểu học tư thục",
            (SchoolKind::Lower, _) if boarding => "Trường PTDTBT THCS",
            (SchoolKind::Lower, _) => "Trường THCS",
            (SchoolKind::PrimaryLower, _) if boarding => "Trường PTDTBT TH&THCS",
            (SchoolKind::PrimaryLower, _) => "Trường TH&THCS",
            (SchoolKind::Upper, Ownership::Public) => "Trường THPT",
            (SchoolKind::Upper, _) => "Trường THPT tư thục",
            (SchoolKind::Continuing, _) => "Trung tâm GDNN-GDTX",
        };
        let p_figure = match kind {
            SchoolKind::Preschool | SchoolKind::Continuing => 0.0,
            SchoolKind::Primary => 0.4,
            SchoolKind::Lower => 0.5,
            SchoolKind::PrimaryLower => 0.2,
            SchoolKind::Upper => 0.85,
        };
        let preschool_named = kind == SchoolKind::Preschool
            && (ownership != Ownership::Public || self.numbered.contains_key(&(ward, prefix)));
        if preschool_named || chance(rng, p_figure) {
            let pool = if kind == SchoolKind::Preschool {
                names::PRESCHOOL_NAMES
            } else {
                names::FIGURES
            };
            for _ in 0..12 {
                let candidate = format!("{prefix} {}", names::pick(rng, pool));
                if self.used.insert(candidate.clone()) {
                    return candidate;
                }
            }
        }
        loop {
            let n = self.numbered.entry((ward, prefix)).or_insert(0);
            *n += 1;
            let candidate = if *n == 1 && (siblings < 2 || kind == SchoolKind::Preschool) {
                format!("{prefix} {}", w.short)
            } else {
                format!("{prefix} {} số {n}", w.short)
            };
            if self.used.insert(candidate.clone()) {
                return candidate;
            }
        }
    }

    /// The next village of the ward not yet used for a satellite site (cycling when all are).
    fn village<'w>(&mut self, w: &'w WardInfo, ward: usize) -> &'w str {
        let n = self.villages.entry(ward).or_insert(0);
        let v = &w.villages[*n % w.villages.len()];
        *n += 1;
        v
    }
}

/// Ministry, department, commune offices, schools (each followed by its satellite sites), and
/// the department's own schools last.
fn build_tree(
    wards: &[WardInfo],
    drafts: Vec<Draft>,
    classes: Vec<Vec<ClassSpec>>,
    rng: &mut DemoRng,
) -> (Vec<GenOrg>, Vec<usize>, Vec<SchoolSpec>) {
    let mut orgs: Vec<GenOrg> = Vec::new();
    let mut schools = Vec::new();
    let mut specs = Vec::new();
    let mut push_org = |org: GenOrg| {
        debug_assert!(org.parent.is_none_or(|p| p < orgs.len()));
        orgs.push(org);
        orgs.len() - 1
    };
    let ministry = push_org(GenOrg {
        parent: None,
        kind: OrgKind::Ministry,
        code: "BGDDT".into(),
        name: "Bộ Giáo dục và Đào tạo".into(),
        ward_code: None,
        address: Some("35 Đại Cồ Việt, Hà Nội".into()),
        lat: Some(21.0093),
        lon: Some(105.8490),
        levels: Vec::new(),
        ownership: None,
    });
    let seat = wards
        .iter()
        .position(|w| w.kind == WardKind::Urban && !w.kon_tum)
        .unwrap_or(0);
    let department = push_org(GenOrg {
        parent: Some(ministry),
        kind: OrgKind::Department,
        code: "SGDDT51".into(),
        name: format!("Sở Giáo dục và Đào tạo {}", province::PROVINCE_NAME),
        ward_code: Some(wards[seat].ward.code.clone()),
        address: Some(format!(
            "{}, tỉnh {}",
            wards[seat].ward.name,
            province::PROVINCE_NAME
        )),
        lat: Some(wards[seat].lat),
        lon: Some(wards[seat].lon),
        levels: Vec::new(),
        ownership: None,
    });

    let mut namer = Namer::default();
    let mut siblings: HashMap<(usize, SchoolKind), u32> = HashMap::new();
    for d in &drafts {
        *siblings.entry((d.ward, d.kind)).or_default() += 1;
    }
    let mut serials: HashMap<u32, u32> = HashMap::new();
    let mut office: Option<(usize, usize)> = None; // (ward, org)
    for (draft, mut classes) in drafts.into_iter().zip(classes) {
        let w = draft.ward;
        let parent = if draft.kind.under_commune() {
            match office {
                Some((ow, org)) if ow == w => org,
                _ => {
                    let info = &wards[w];
                    let org = GenOrg {
                        parent: Some(department),
                        kind: OrgKind::LocalOffice,
                        code: format!("UBND{}", info.ward.code),
                        name: format!("UBND {}", info.lower_name()),
                        ward_code: Some(info.ward.code.clone()),
                        address: Some(format!(
                            "{}, tỉnh {}",
                            info.ward.name,
                            province::PROVINCE_NAME
                        )),
                        lat: Some(info.lat),
                        lon: Some(info.lon),
                        levels: Vec::new(),
                        ownership: None,
                    };
                    let org = push_org(org);
                    office = Some((w, org));
                    org
                }
            }
        } else {
            department
        };
        let serial = serials.entry(draft.kind.band()).or_insert(0);
        *serial += 1;
        let code = format!("51{}{:05}", draft.kind.band(), *serial);
        let info = &wards[w];
        let name = namer.name(
            draft.kind,
            draft.ownership,
            info,
            w,
            siblings[&(w, draft.kind)],
            rng,
        );
        let (lat, lon) = jitter(info, 0.02, rng);
        let address = info.address(rng);
        let school = push_org(GenOrg {
            parent: Some(parent),
            kind: OrgKind::School,
            code: code.clone(),
            name,
            ward_code: Some(info.ward.code.clone()),
            address: Some(address),
            lat: Some(lat),
            lon: Some(lon),
            levels: draft.kind.levels().to_vec(),
            ownership: Some(draft.ownership),
        });
        schools.push(school);
        for (n, site_classes) in plan_sites(&draft, info, &classes, rng)
            .into_iter()
            .enumerate()
        {
            let village = namer.village(info, w);
            let (lat, lon) = jitter(info, 0.05, rng);
            let levels: Vec<SchoolLevel> = draft
                .kind
                .levels()
                .iter()
                .copied()
                .filter(|l| site_classes.iter().any(|&c| classes[c].level == *l))
                .collect();
            let site = push_org(GenOrg {
                parent: Some(school),
                kind: OrgKind::SatelliteSite,
                code: format!("{code}-DT{}", n + 1),
                name: format!("Điểm trường {}", lower_first(village)),
                ward_code: Some(info.ward.code.clone()),
                address: Some(format!("{village}, {}", info.ward.name)),
                lat: Some(lat),
                lon: Some(lon),
                levels,
                ownership: Some(draft.ownership),
            });
            for c in site_classes {
                classes[c].site = Some(site);
            }
        }
        specs.push(SchoolSpec {
            org: school,
            ward: w,
            kind: draft.kind,
            ownership: draft.ownership,
            classes,
            learner_base: 0,
            staff_base: 0,
            vice_principals: 0,
            teachers: Vec::new(),
            support: 0,
            outgoing: Vec::new(),
            incoming: Vec::new(),
        });
    }
    (orgs, schools, specs)
}
