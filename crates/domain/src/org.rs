//! The organisational tree: ministry → department → local office/commune → school → satellite
//! site, of any depth (see shared/domain/org-structure.md). Never assume four levels.

use crate::codes::code_enum;

code_enum! {
    /// The kind of an organisational unit.
    OrgKind {
        Ministry => "ministry", "Bộ", "Ministry";
        Department => "department", "Sở GDĐT", "Department";
        LocalOffice => "office", "Phòng/UBND xã", "Local office";
        School => "school", "Trường", "School";
        SatelliteSite => "site", "Điểm trường", "Satellite site";
    }
}

code_enum! {
    /// School levels (cấp học). A multi-level school (liên cấp) has several.
    SchoolLevel {
        Preschool => "mn", "Mầm non", "Preschool";
        Primary => "th", "Tiểu học", "Primary";
        LowerSecondary => "thcs", "THCS", "Lower secondary";
        UpperSecondary => "thpt", "THPT", "Upper secondary";
        ContinuingEducation => "gdtx", "GDTX", "Continuing education";
    }
}

code_enum! {
    /// Ownership type (loại hình).
    Ownership {
        Public => "public", "Công lập", "Public";
        PeopleFounded => "people", "Dân lập", "People-founded";
        Private => "private", "Tư thục", "Private";
    }
}

impl SchoolLevel {
    /// The grades taught at this level (preschool and continuing education use 0 / 10–12).
    pub fn grades(self) -> std::ops::RangeInclusive<u8> {
        match self {
            SchoolLevel::Preschool => 0..=0,
            SchoolLevel::Primary => 1..=5,
            SchoolLevel::LowerSecondary => 6..=9,
            SchoolLevel::UpperSecondary | SchoolLevel::ContinuingEducation => 10..=12,
        }
    }

    /// The level that teaches a general-education grade (1–12).
    pub fn of_grade(grade: u8) -> Option<SchoolLevel> {
        match grade {
            1..=5 => Some(SchoolLevel::Primary),
            6..=9 => Some(SchoolLevel::LowerSecondary),
            10..=12 => Some(SchoolLevel::UpperSecondary),
            _ => None,
        }
    }
}

/// The set of levels a school teaches, stored as comma-separated codes (`"th,thcs"`).
#[derive(
    Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize, utoipa::ToSchema,
)]
#[serde(transparent)]
pub struct Levels(pub Vec<SchoolLevel>);

impl TryFrom<String> for Levels {
    type Error = crate::codes::UnknownCode;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        s.split(',')
            .filter(|c| !c.trim().is_empty())
            .map(|c| c.trim().parse())
            .collect::<Result<_, _>>()
            .map(Levels)
    }
}

impl Levels {
    pub fn to_codes(&self) -> String {
        levels_to_codes(&self.0)
    }
}

/// Encodes a set of levels as the comma-separated codes the database stores (`"th,thcs"`).
pub fn levels_to_codes(levels: &[SchoolLevel]) -> String {
    levels
        .iter()
        .map(|l| l.code())
        .collect::<Vec<_>>()
        .join(",")
}

/// Parses stored level codes; unknown codes are skipped (they cannot be written by this code).
pub fn levels_from_codes(codes: &str) -> Vec<SchoolLevel> {
    codes
        .split(',')
        .filter_map(|c| SchoolLevel::from_code(c.trim()))
        .collect()
}

/// Which kinds may sit directly under which: keeps the tree meaningful without fixing its depth.
pub fn may_contain(parent: OrgKind, child: OrgKind) -> bool {
    use OrgKind::*;
    match parent {
        Ministry => matches!(child, Department | School),
        Department => matches!(child, LocalOffice | School | Department),
        LocalOffice => matches!(child, LocalOffice | School),
        School => matches!(child, SatelliteSite),
        SatelliteSite => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn level_codes_round_trip() {
        let levels = vec![SchoolLevel::Primary, SchoolLevel::LowerSecondary];
        assert_eq!(levels_to_codes(&levels), "th,thcs");
        assert_eq!(levels_from_codes("th,thcs"), levels);
    }

    #[test]
    fn satellite_sites_hang_under_schools_only() {
        assert!(may_contain(OrgKind::School, OrgKind::SatelliteSite));
        assert!(!may_contain(OrgKind::Department, OrgKind::SatelliteSite));
        assert!(!may_contain(OrgKind::SatelliteSite, OrgKind::School));
    }
}
