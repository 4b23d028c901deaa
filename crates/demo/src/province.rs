//! The synthetic province: Quảng Ngãi as it has been since 1 July 2025 (Kon Tum merged into it),
//! with its communes and wards from the 2025 list, and for each the former district it came from —
//! which decides who lives there (ethnic groups, mountain or lowland) and the province code in the
//! personal IDs of the people born there ("051" Quảng Ngãi, "062" Kon Tum).

use std::collections::HashMap;
use std::sync::LazyLock;

use rand::RngExt;
use truongso_domain::reference::{self, Ward};

use crate::names::{self, NameStyle};
use crate::rng::{DemoRng, Stream, Weighted, rng_for};

/// The province generated, by its name in the 2025 list.
pub(crate) const PROVINCE_NAME: &str = "Quảng Ngãi";

/// Used when neither a ward nor any neighbour has coordinates.
const PROVINCE_CENTRE: (f64, f64) = (15.12, 108.80);

/// Ethnic groups living in the province (names as in the reference list, spelling variants accepted).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Group {
    Kinh,
    Hre,
    Co,
    XoDang,
    BaNa,
    GieTrieng,
    GiaRai,
    Brau,
    RoMam,
    Muong,
    Thai,
    Tay,
}

const GROUPS: [Group; 12] = [
    Group::Kinh,
    Group::Hre,
    Group::Co,
    Group::XoDang,
    Group::BaNa,
    Group::GieTrieng,
    Group::GiaRai,
    Group::Brau,
    Group::RoMam,
    Group::Muong,
    Group::Thai,
    Group::Tay,
];

impl Group {
    fn reference_name(self) -> &'static str {
        match self {
            Group::Kinh => "Kinh",
            Group::Hre => "Hrê",
            Group::Co => "Co",
            Group::XoDang => "Xơ-đăng",
            Group::BaNa => "Ba-na",
            Group::GieTrieng => "Giẻ-triêng",
            Group::GiaRai => "Gia-rai",
            Group::Brau => "Brâu",
            Group::RoMam => "Rơ-măm",
            Group::Muong => "Mường",
            Group::Thai => "Thái",
            Group::Tay => "Tày",
        }
    }

    /// The 2-digit GSO code, looked up by name in the shipped reference list.
    pub(crate) fn code(self) -> &'static str {
        static CODES: LazyLock<Vec<&'static str>> = LazyLock::new(|| {
            GROUPS
                .iter()
                .map(|g| {
                    reference::ethnicity_by_name(g.reference_name())
                        .unwrap_or_else(|| {
                            panic!(
                                "ethnic group {} missing from the reference list",
                                g.reference_name()
                            )
                        })
                        .code
                        .as_str()
                })
                .collect()
        });
        CODES[self as usize]
    }

    /// Highland groups of Kon Tum, many of them Catholic or Protestant.
    pub(crate) fn is_highland(self) -> bool {
        matches!(
            self,
            Group::XoDang
                | Group::BaNa
                | Group::GieTrieng
                | Group::GiaRai
                | Group::Brau
                | Group::RoMam
        )
    }

    /// How names are formed; the Xơ-đăng of Quảng Ngãi (Ca Dong) use Vietnamese-style names.
    pub(crate) fn name_style(self, kon_tum: bool) -> NameStyle {
        match self {
            Group::Kinh => NameStyle::Kinh,
            Group::Hre => NameStyle::Surnamed {
                surnames: &names::HRE_SURNAMES,
                local: Some(&names::CENTRAL_GIVEN),
            },
            Group::Co => NameStyle::Surnamed {
                surnames: &names::CO_SURNAMES,
                local: Some(&names::CENTRAL_GIVEN),
            },
            Group::XoDang if !kon_tum => NameStyle::Surnamed {
                surnames: &names::CA_DONG_SURNAMES,
                local: Some(&names::CENTRAL_GIVEN),
            },
            Group::XoDang | Group::BaNa | Group::GieTrieng | Group::RoMam => NameStyle::AY,
            Group::GiaRai => NameStyle::Clan {
                clans: &names::JARAI_CLANS,
                matrilineal: true,
            },
            Group::Brau => NameStyle::Clan {
                clans: &names::BRAU_CLANS,
                matrilineal: false,
            },
            Group::Muong => NameStyle::Surnamed {
                surnames: &names::MUONG_SURNAMES,
                local: None,
            },
            Group::Thai => NameStyle::Surnamed {
                surnames: &names::THAI_SURNAMES,
                local: None,
            },
            Group::Tay => NameStyle::Surnamed {
                surnames: &names::TAY_SURNAMES,
                local: None,
            },
        }
    }
}

/// Who lives in a former district: the ethnic-minority share and its groups.
pub(crate) struct Profile {
    /// The former district's name as an ASCII handle ("huyensonha").
    district: &'static str,
    pub minority: f64,
    pub groups: Weighted<Group>,
    /// Mountain or highland commune: smaller schools, more satellite sites, more support.
    pub mountain: bool,
}

const fn profile(
    district: &'static str,
    minority: f64,
    groups: &'static [(Group, u32)],
    mountain: bool,
) -> Profile {
    Profile {
        district,
        minority,
        groups: Weighted::new(groups),
        mountain,
    }
}

/// Former districts with ethnic-minority populations; everywhere else is the lowland default.
/// Shares are rounded figures in the spirit of the 2019 census, not exact statistics.
static PROFILES: [Profile; 15] = [
    profile(
        "huyentrabong",
        0.65,
        &[(Group::Co, 85), (Group::Hre, 15)],
        true,
    ),
    profile(
        "huyensonha",
        0.80,
        &[(Group::Hre, 95), (Group::Co, 5)],
        true,
    ),
    profile(
        "huyensontay",
        0.85,
        &[(Group::XoDang, 95), (Group::Hre, 5)],
        true,
    ),
    profile("huyenminhlong", 0.75, &[(Group::Hre, 100)], true),
    profile("huyenbato", 0.75, &[(Group::Hre, 100)], true),
    profile(
        "thanhphokontum",
        0.30,
        &[
            (Group::BaNa, 80),
            (Group::XoDang, 10),
            (Group::GiaRai, 5),
            (Group::Muong, 3),
            (Group::Tay, 2),
        ],
        false,
    ),
    profile(
        "huyendakglei",
        0.85,
        &[(Group::GieTrieng, 60), (Group::XoDang, 40)],
        true,
    ),
    profile(
        "huyenngochoi",
        0.45,
        &[
            (Group::GieTrieng, 65),
            (Group::XoDang, 15),
            (Group::Brau, 10),
            (Group::Muong, 5),
            (Group::Thai, 5),
        ],
        true,
    ),
    profile(
        "huyendakto",
        0.50,
        &[
            (Group::XoDang, 85),
            (Group::GieTrieng, 10),
            (Group::Muong, 5),
        ],
        true,
    ),
    profile(
        "huyenkonplong",
        0.85,
        &[(Group::XoDang, 95), (Group::BaNa, 5)],
        true,
    ),
    profile(
        "huyenkonray",
        0.60,
        &[(Group::BaNa, 55), (Group::XoDang, 45)],
        true,
    ),
    profile(
        "huyendakha",
        0.45,
        &[
            (Group::XoDang, 55),
            (Group::BaNa, 35),
            (Group::Muong, 5),
            (Group::Thai, 5),
        ],
        true,
    ),
    profile(
        "huyensathay",
        0.50,
        &[
            (Group::GiaRai, 80),
            (Group::RoMam, 10),
            (Group::XoDang, 5),
            (Group::Muong, 5),
        ],
        true,
    ),
    profile("huyentumorong", 0.95, &[(Group::XoDang, 100)], true),
    profile(
        "huyeniahdrai",
        0.25,
        &[
            (Group::GiaRai, 30),
            (Group::Muong, 30),
            (Group::Thai, 20),
            (Group::Tay, 20),
        ],
        true,
    ),
];

static LOWLAND: Profile = profile("", 0.01, &[(Group::Hre, 100)], false);

/// Urban ward (phường), commune (xã) or special zone (đặc khu).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum WardKind {
    Urban,
    Commune,
    Special,
}

/// A commune or ward of the province, with everything the generator needs about it.
pub(crate) struct WardInfo {
    pub ward: &'static Ward,
    /// The name without its kind: "Tịnh Khê" for "Xã Tịnh Khê".
    pub short: &'static str,
    pub kind: WardKind,
    /// Province code in the personal IDs of people born here ("051" or "062").
    pub id_prov: &'static str,
    pub kon_tum: bool,
    pub profile: &'static Profile,
    pub lat: f64,
    pub lon: f64,
    /// The nearest wards of the same former province, nearest first.
    pub neighbours: Vec<usize>,
    /// Villages or residential groups ("Thôn Nước Lăng", "Tổ dân phố 3").
    pub villages: Vec<String>,
}

impl WardInfo {
    pub(crate) fn is_mountain(&self) -> bool {
        self.profile.mountain
    }

    /// "xã Tịnh Khê": the kind in lower case, as in "UBND xã Tịnh Khê".
    pub(crate) fn lower_name(&self) -> String {
        format!("{} {}", self.ward.kind, self.short)
    }

    /// A street address or village in this ward, followed by the ward's name.
    pub(crate) fn address(&self, rng: &mut DemoRng) -> String {
        let ward = &self.ward.name;
        if self.kind == WardKind::Urban && rng.random_bool(0.5) {
            let street = names::pick(rng, names::STREETS);
            format!("{} {street}, {ward}", rng.random_range(1..400))
        } else {
            let village = &self.villages[rng.random_range(0..self.villages.len())];
            format!("{village}, {ward}")
        }
    }
}

/// Strips the kind ("Xã ", "Phường ", "Đặc khu ") from a ward's name.
fn short_name(ward: &'static Ward) -> &'static str {
    let kind_chars = ward.kind.chars().count();
    let prefix: String = ward.name.chars().take(kind_chars).collect();
    if prefix.to_lowercase() == ward.kind.to_lowercase() {
        ward.name[prefix.len()..].trim_start()
    } else {
        &ward.name
    }
}

fn distance2(a: (f64, f64), b: (f64, f64)) -> f64 {
    let dlat = a.0 - b.0;
    let dlon = (a.1 - b.1) * (a.0.to_radians().cos());
    dlat * dlat + dlon * dlon
}

/// The wards of the province in file order, with former district, coordinates, neighbours and
/// villages. Deterministic in `seed` (only the village names are random).
pub(crate) fn wards(seed: u64) -> Vec<WardInfo> {
    let all: Vec<&'static Ward> = reference::wards_2025()
        .iter()
        .filter(|w| w.province_name == PROVINCE_NAME)
        .collect();
    assert!(
        !all.is_empty(),
        "province {PROVINCE_NAME} missing from the 2025 administrative units"
    );

    // Former district and province of each ward, by the legacy wards that became it (majority).
    let legacy: HashMap<&str, (&str, &str)> = reference::legacy_wards()
        .iter()
        .map(|l| {
            (
                l.code.as_str(),
                (l.province_code.as_str(), l.district_name.as_str()),
            )
        })
        .collect();
    let mut origin: HashMap<&str, HashMap<(&str, &str), usize>> = HashMap::new();
    for s in reference::ward_successions() {
        if let Some(&o) = legacy.get(s.legacy_ward_code.as_str()) {
            *origin
                .entry(s.ward_code_2025.as_str())
                .or_default()
                .entry(o)
                .or_default() += 1;
        }
    }
    let mut former: Vec<Option<(&str, &str)>> = all
        .iter()
        .map(|w| {
            origin.get(w.code.as_str()).and_then(|m| {
                m.iter()
                    .max_by(|a, b| a.1.cmp(b.1).then_with(|| b.0.cmp(a.0)))
                    .map(|(o, _)| *o)
            })
        })
        .collect();

    // Coordinates: the ward's own, else the next (or previous) ward's in file order, else the centre.
    let coords: Vec<(f64, f64)> = (0..all.len())
        .map(|i| {
            let own = |j: usize| all[j].lat.zip(all[j].lon);
            own(i)
                .or_else(|| (i + 1..all.len()).find_map(own))
                .or_else(|| (0..i).rev().find_map(own))
                .unwrap_or(PROVINCE_CENTRE)
        })
        .collect();

    // Wards without legacy data inherit it from the geographically nearest ward that has some
    // (when they have coordinates of their own), else from the next ward in file order, which
    // lists the wards of a former district together.
    for i in 0..all.len() {
        if former[i].is_some() {
            continue;
        }
        let known = |j: &usize| *j != i && former[*j].is_some();
        let from = if all[i].lat.is_some() && all[i].lon.is_some() {
            (0..all.len()).filter(known).min_by(|&a, &b| {
                distance2(coords[i], coords[a]).total_cmp(&distance2(coords[i], coords[b]))
            })
        } else {
            (i + 1..all.len())
                .find(known)
                .or_else(|| (0..i).rev().find(known))
        };
        former[i] = from.and_then(|j| former[j]);
    }

    let mut infos: Vec<WardInfo> = all
        .iter()
        .enumerate()
        .map(|(i, &ward)| {
            let (legacy_province, district) = former[i].unwrap_or(("51", ""));
            let handle = names::ascii_handle(district);
            let profile = PROFILES
                .iter()
                .find(|p| p.district == handle)
                .unwrap_or(&LOWLAND);
            let kon_tum = legacy_province == "62";
            let kind = match ward.kind.as_str() {
                "phường" => WardKind::Urban,
                "đặc khu" => WardKind::Special,
                _ => WardKind::Commune,
            };
            let (lat, lon) = coords[i];
            WardInfo {
                ward,
                short: short_name(ward),
                kind,
                id_prov: if kon_tum { "062" } else { "051" },
                kon_tum,
                profile,
                lat,
                lon,
                neighbours: Vec::new(),
                villages: Vec::new(),
            }
        })
        .collect();

    for i in 0..infos.len() {
        let mut others: Vec<usize> = (0..infos.len())
            .filter(|&j| j != i && infos[j].kon_tum == infos[i].kon_tum)
            .collect();
        let here = (infos[i].lat, infos[i].lon);
        others.sort_by(|&a, &b| {
            distance2(here, (infos[a].lat, infos[a].lon))
                .total_cmp(&distance2(here, (infos[b].lat, infos[b].lon)))
        });
        others.truncate(3);
        infos[i].neighbours = others;
        infos[i].villages = villages(&infos[i], &mut rng_for(seed, Stream::Ward, i as u64));
    }
    infos
}

fn villages(w: &WardInfo, rng: &mut DemoRng) -> Vec<String> {
    let count = 6 + rng.random_range(0..5usize);
    if w.kind == WardKind::Urban {
        let mut groups: Vec<u32> = (1..=25).collect();
        partial_shuffle(&mut groups, count, rng);
        return groups[..count]
            .iter()
            .map(|n| format!("Tổ dân phố {n}"))
            .collect();
    }
    let pool: &'static [&'static str] = if w.kon_tum && w.profile.minority >= 0.4 {
        names::HIGHLAND_VILLAGES
    } else if w.is_mountain() && !w.kon_tum {
        names::MOUNTAIN_VILLAGES
    } else if w.kon_tum {
        // Kinh-majority Kon Tum communes mostly number their villages.
        &[]
    } else {
        names::LOWLAND_VILLAGES
    };
    let mut named: Vec<&str> = pool.to_vec();
    let k = count.min(named.len());
    partial_shuffle(&mut named, k, rng);
    let mut out: Vec<String> = named
        .iter()
        .take(count)
        .map(|v| format!("Thôn {v}"))
        .collect();
    let mut n = 1;
    while out.len() < count {
        out.push(format!("Thôn {n}"));
        n += 1;
    }
    out
}

/// Moves a random selection of `k` items to the front (Fisher–Yates, first `k` steps).
pub(crate) fn partial_shuffle<T>(items: &mut [T], k: usize, rng: &mut DemoRng) {
    for i in 0..k.min(items.len()) {
        let j = rng.random_range(i..items.len());
        items.swap(i, j);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn province_has_both_former_provinces() {
        let wards = wards(1);
        assert!(wards.len() > 80);
        let kt = wards.iter().filter(|w| w.kon_tum).count();
        assert!(kt > 30 && kt < wards.len() - 30, "{kt} Kon Tum wards");
        assert!(
            wards
                .iter()
                .any(|w| w.short == "Tịnh Khê" && !w.kon_tum && !w.is_mountain())
        );
        let tu_mo_rong = wards.iter().find(|w| w.short == "Tu Mơ Rông").unwrap();
        assert!(tu_mo_rong.kon_tum && tu_mo_rong.profile.minority > 0.9);
        let son_ha = wards.iter().find(|w| w.short == "Sơn Hà").unwrap();
        assert!(
            son_ha.is_mountain() && !son_ha.kon_tum,
            "inherits its district from the next ward"
        );
        let ly_son = wards.iter().find(|w| w.kind == WardKind::Special).unwrap();
        assert!(
            !ly_son.is_mountain() && !ly_son.kon_tum,
            "Lý Sơn island is lowland Quảng Ngãi"
        );
        for w in &wards {
            assert_eq!(w.neighbours.len(), 3);
            assert!(!w.villages.is_empty());
        }
    }

    #[test]
    fn every_group_resolves() {
        for g in GROUPS {
            assert_eq!(g.code().len(), 2);
        }
        assert_eq!(Group::Kinh.code(), "01");
    }
}
