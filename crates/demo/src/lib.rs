//! Deterministic generator of a realistic synthetic province for demonstrations, load tests and
//! data-quality exercises: Quảng Ngãi since 1 July 2025 (with former Kon Tum), its organisation
//! tree (ministry → department → commune offices → schools → satellite sites), staff, classes and
//! learners with guardians — and a known set of planted data faults.
//!
//! Same [`DemoConfig`] ⇒ byte-identical output. [`Plan::new`] lays out the whole province cheaply
//! (organisations, class sizes, ID ranges); [`Plan::generate_school`] then produces one school's
//! people from the plan alone, so schools may be generated in any order, in parallel or streamed.
//! Every person is a pure function of (seed, global index), which is what lets a learner planted as
//! a duplicate appear identically in two schools without either school generating the other.
//!
//! ```
//! use truongso_demo::{DemoConfig, Plan};
//! let plan = Plan::new(&DemoConfig { learners: 3_000, ..DemoConfig::default() });
//! let first = plan.generate_school(0);
//! assert!(!first.learners.is_empty());
//! ```

pub mod admission;
pub mod applicants;
pub mod dx;
mod faults;
mod marks;
mod names;
mod people;
mod plan;
mod province;
mod rng;

use truongso_domain::learners::{EnrolmentStatus, LearnerInput};
use truongso_domain::org::{OrgKind, Ownership, SchoolLevel};
use truongso_domain::staff::StaffInput;

pub use faults::FaultCounts;
pub use marks::{MarkRow, MarkSave, SchoolMarks};
pub use plan::Plan;

/// What to generate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoConfig {
    pub seed: u64,
    /// Approximate number of learners in the province (the result is within ±3 %). Every level
    /// gets at least one school, so very small requests give about 420 learners.
    /// At most [`DemoConfig::MAX_LEARNERS`].
    pub learners: u64,
    /// The school year generated: 2025 for 2025-2026. Birth years follow from it.
    pub school_year_start: i32,
    /// Whether the seeder also writes the year's marks, conduct and results with their history
    /// ([`SchoolData::marks`]). On by default (the demo and `truongso seed`); tests that do not
    /// look at the gradebook may turn it off to seed faster.
    pub marks: bool,
}

impl DemoConfig {
    /// Above this the ID serial ranges of one birth cohort would run out.
    pub const MAX_LEARNERS: u64 = 5_000_000;
}

impl Default for DemoConfig {
    fn default() -> Self {
        DemoConfig {
            seed: 2025,
            learners: 150_000,
            school_year_start: 2025,
            marks: true,
        }
    }
}

/// One organisational unit of the generated tree.
#[derive(Debug, Clone, PartialEq)]
pub struct GenOrg {
    /// Index into [`Plan::orgs`]; parents come before their children.
    pub parent: Option<usize>,
    pub kind: OrgKind,
    /// Unique: "BGDDT", "SGDDT51", "UBND21211" (commune office, by ward code), 8-digit school
    /// codes "51xxxxxx", "<school code>-DT<n>" for satellite sites.
    pub code: String,
    pub name: String,
    /// 2025 ward code of the unit's location (none for the ministry).
    pub ward_code: Option<String>,
    pub address: Option<String>,
    pub lat: Option<f64>,
    pub lon: Option<f64>,
    /// School levels taught (schools and satellite sites; empty for offices).
    pub levels: Vec<SchoolLevel>,
    /// Ownership of schools and their sites; `None` for administrative units.
    pub ownership: Option<Ownership>,
}

/// Everything generated for one school.
#[derive(Debug, Clone, PartialEq)]
pub struct SchoolData {
    /// Principal first, then vice-principals, teachers, support staff.
    pub staff: Vec<StaffInput>,
    pub classes: Vec<GenClass>,
    pub learners: Vec<GenLearner>,
}

/// A teacher teaching a subject in a class of the school.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GenAssignment {
    /// Index into [`SchoolData::classes`].
    pub class: usize,
    /// Index into [`SchoolData::staff`].
    pub staff: usize,
    pub subject: &'static str,
}

impl SchoolData {
    /// Who teaches what in which class: for every compulsory subject of a class's grade, and in
    /// grades 10–12 the four electives of the class's combination ([`ELECTIVE_COMBINATIONS`],
    /// by class in turn), the homeroom teacher when they teach it (primary class teachers),
    /// else the least-loaded teacher of the school with that subject. Deterministic; subjects
    /// nobody at the school teaches stay unassigned, as in real schools waiting for a teacher.
    pub fn teaching_assignments(&self) -> Vec<GenAssignment> {
        let mut load = vec![0u32; self.staff.len()];
        let mut out = Vec::new();
        for (class_index, class) in self.classes.iter().enumerate() {
            let electives = ELECTIVE_COMBINATIONS[class_index % ELECTIVE_COMBINATIONS.len()];
            for subject in truongso_domain::subjects::subjects_for_grade(class.grade) {
                let elective = class.grade >= 10 && electives.contains(&subject.code);
                if !subject.is_compulsory_in(class.grade) && !elective {
                    continue;
                }
                let teaches = |i: usize| self.staff[i].subjects.iter().any(|s| s == subject.code);
                let chosen = if teaches(class.homeroom) {
                    Some(class.homeroom)
                } else {
                    (0..self.staff.len())
                        .filter(|&i| teaches(i))
                        .min_by_key(|&i| (load[i], i))
                };
                if let Some(staff) = chosen {
                    load[staff] += 1;
                    out.push(GenAssignment {
                        class: class_index,
                        staff,
                        subject: subject.code,
                    });
                }
            }
        }
        out
    }

    /// The planted faults of this school's learners, by kind.
    pub fn fault_counts(&self) -> FaultCounts {
        let mut counts = FaultCounts::default();
        for l in &self.learners {
            if let Some(f) = &l.fault {
                counts.add(f);
            }
        }
        counts
    }
}

/// The elective subjects (môn lựa chọn) a class of grades 10–12 takes, one combination per
/// class in turn: natural sciences, sciences with informatics, social sciences.
pub const ELECTIVE_COMBINATIONS: [[&str; 4]; 3] = [
    ["vat_ly", "hoa_hoc", "sinh_hoc", "tin_hoc"],
    ["vat_ly", "hoa_hoc", "tin_hoc", "cong_nghe"],
    ["dia_ly", "gdktpl", "vat_ly", "tin_hoc"],
];

/// A class of the current school year.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GenClass {
    /// 1–12, or 0 for preschool.
    pub grade: u8,
    /// "6A1", "1B", "Lá 1".
    pub name: String,
    /// Index into [`SchoolData::staff`].
    pub homeroom: usize,
    /// Index into [`Plan::orgs`] of the satellite site where the class is taught, if not at the
    /// main site.
    pub site: Option<usize>,
}

/// A learner enrolled in a class, with the fault planted in the record, if any.
#[derive(Debug, Clone, PartialEq)]
pub struct GenLearner {
    pub input: LearnerInput,
    /// Index into [`SchoolData::classes`].
    pub class: usize,
    pub status: EnrolmentStatus,
    pub fault: Option<PlantedFault>,
}

/// A data-quality fault planted on purpose, for the checks and reports to find.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PlantedFault {
    /// The personal ID's century/gender digit or birth-year digits disagree with the recorded
    /// birth date or gender (validation rejects it).
    WrongIdDigits,
    /// No guardian has a phone number.
    MissingGuardianPhone,
    /// The same child (same personal ID, name and birth date) is also enrolled in another school,
    /// e.g. a transfer that was never closed. Planted on both records: the original (status
    /// Studying) and the copy in the other school (status TransferredIn).
    DuplicateAcrossSchools { other_school_ordinal: usize },
    /// The personal ID is missing.
    MissingNationalId,
}

/// A demo login: who may sign in, with which role, over which unit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoAccount {
    /// ASCII: "so.quangngai", "phong.tinhkhe", "hieutruong.51200001".
    pub username: String,
    /// "demo-<username>".
    pub password: String,
    /// "ministry_officer", "department_officer", "office_officer", "principal", "school_admin",
    /// "teacher", "homeroom_teacher", "guardian", "learner".
    pub role: String,
    /// The person's name as shown in the header ("Nguyễn Thị Hoa"), or the office for officers.
    pub display_name: String,
    /// Index into [`Plan::orgs`].
    pub scope_org: usize,
    /// For school roles: the school's ordinal (index into [`Plan::schools`]).
    pub school_ordinal: Option<usize>,
    /// For principal, teacher, homeroom teacher: index into that school's [`SchoolData::staff`].
    pub staff: Option<usize>,
    /// For learner and guardian: index into that school's [`SchoolData::learners`] (the guardian's
    /// child).
    pub learner: Option<usize>,
}
