//! Applicants for the demo's admission campaigns: children not yet in the sector database (grade
//! 1) and guardians' contacts; grade-10 applicants come from [`crate::applicants`].

use truongso_domain::codes::Gender;

use crate::names::{self, NameStyle};
use crate::rng::{DemoRng, Stream, chance, rng_for};

/// A child entering grade 1, with the guardian who applies.
#[derive(Debug, Clone)]
pub struct NewChild {
    pub full_name: String,
    pub gender: Gender,
    pub guardian_name: String,
    pub guardian_phone: String,
}

/// The applicant stream of campaign `campaign` (0, 1, 2…) for applicant `index`.
pub fn applicant_rng(seed: u64, campaign: u64, index: u64) -> ApplicantRng {
    rng_for(seed, Stream::Admission, (campaign << 32) | index)
}

/// A Kinh child and their parent (most applicants of a lowland ward).
pub fn new_child(rng: &mut ApplicantRng) -> NewChild {
    let gender = if chance(rng, 0.51) {
        Gender::Male
    } else {
        Gender::Female
    };
    let child = names::child_name(rng, NameStyle::Kinh, gender);
    let parent_gender = if chance(rng, 0.6) {
        Gender::Female
    } else {
        Gender::Male
    };
    let family = match parent_gender {
        Gender::Male => child.paternal,
        Gender::Female => child.maternal,
    };
    NewChild {
        full_name: child.full,
        gender,
        guardian_name: names::adult_name(rng, NameStyle::Kinh, parent_gender, family),
        guardian_phone: names::mobile(rng),
    }
}

/// A parent's mobile number (for learners whose record has none).
pub fn mobile(rng: &mut ApplicantRng) -> String {
    names::mobile(rng)
}

/// The applicant generator's random stream.
pub type ApplicantRng = DemoRng;
