//! Planted data faults: which learners get one (a pure function of the seed and the learner's
//! global index, so they can be counted without generating anybody), and how a wrong ID is made.

use rand::RngExt;
use truongso_domain::codes::Gender;
use truongso_domain::national_id;

use crate::PlantedFault;
use crate::plan::Plan;
use crate::rng::{DemoRng, Stream, hash};

/// Rates per 10,000 learners of the faults planted at random (duplicates are planned separately).
const WRONG_ID_DIGITS: u64 = 40;
const MISSING_GUARDIAN_PHONE: u64 = 40;
const MISSING_NATIONAL_ID: u64 = 40;

/// How many records carry each planted fault.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct FaultCounts {
    pub wrong_id_digits: u64,
    pub missing_guardian_phone: u64,
    pub missing_national_id: u64,
    /// Records, not pairs: both the original and the copy carry the fault.
    pub duplicate_across_schools: u64,
}

impl FaultCounts {
    pub fn total(&self) -> u64 {
        self.wrong_id_digits
            + self.missing_guardian_phone
            + self.missing_national_id
            + self.duplicate_across_schools
    }

    pub(crate) fn add(&mut self, fault: &PlantedFault) {
        match fault {
            PlantedFault::WrongIdDigits => self.wrong_id_digits += 1,
            PlantedFault::MissingGuardianPhone => self.missing_guardian_phone += 1,
            PlantedFault::MissingNationalId => self.missing_national_id += 1,
            PlantedFault::DuplicateAcrossSchools { .. } => self.duplicate_across_schools += 1,
        }
    }
}

/// The fault planted at random on the learner with this global index, if any.
pub(crate) fn random_fault(seed: u64, global: u64) -> Option<PlantedFault> {
    let r = hash(seed, Stream::Fault, global) % 10_000;
    if r < WRONG_ID_DIGITS {
        Some(PlantedFault::WrongIdDigits)
    } else if r < WRONG_ID_DIGITS + MISSING_GUARDIAN_PHONE {
        Some(PlantedFault::MissingGuardianPhone)
    } else if r < WRONG_ID_DIGITS + MISSING_GUARDIAN_PHONE + MISSING_NATIONAL_ID {
        Some(PlantedFault::MissingNationalId)
    } else {
        None
    }
}

/// An ID with the learner's serial whose digits 4–6 disagree with the birth year or gender, the
/// way such IDs arise: gender digit mistyped, the 1900s century digit, or year digits swapped.
/// Never equal to another person's ID: the flipped gender keeps the serial unique within the
/// (province, year) range, and the other variants move to years nobody generated is born in.
pub(crate) fn wrong_id(
    rng: &mut DemoRng,
    prov: &str,
    birth_year: i32,
    gender: Gender,
    serial: u32,
    school_year_start: i32,
) -> String {
    let other = if gender == Gender::Male {
        Gender::Female
    } else {
        Gender::Male
    };
    let yy = birth_year.rem_euclid(100);
    let swapped = birth_year - yy + (yy % 10) * 10 + yy / 10;
    let (year, gender) = match rng.random_range(0..10) {
        0..5 => (birth_year, other),
        5..8 if swapped > school_year_start => (swapped, gender),
        _ => (birth_year - 100, gender),
    };
    national_id::compose(prov, year, gender, serial).expect("years 1900-2399 and a 6-digit serial")
}

impl Plan {
    /// The planted faults of the whole province by kind, computed without generating learners.
    pub fn planted_fault_counts(&self) -> FaultCounts {
        let mut counts = FaultCounts {
            duplicate_across_schools: 2 * self.duplicate_pairs(),
            ..Default::default()
        };
        for spec in &self.specs {
            for (ci, class) in spec.classes.iter().enumerate() {
                for slot in 0..class.size {
                    if spec.outgoing_at(ci, slot).is_some() {
                        continue;
                    }
                    let global = spec.learner_base + u64::from(class.first + slot);
                    if let Some(f) = random_fault(self.config.seed, global) {
                        counts.add(&f);
                    }
                }
            }
        }
        counts
    }
}
