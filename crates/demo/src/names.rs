//! Vietnamese names and place names, with frequencies that look like central Vietnam.
//!
//! All literals are NFC. Kinh names follow the family-name shares of central Vietnam (Nguyễn about
//! a third, Huỳnh and Võ more common than Hoàng and Vũ); ethnic-minority names follow the naming
//! style of each group: Vietnamese-style names with the group's own family names (Hrê, Co, Ca Dong
//! Xơ-đăng of Quảng Ngãi, Mường, Thái, Tày), "A"/"Y" before the personal name (Xơ-đăng, Ba-na,
//! Giẻ-triêng, Rơ-măm of Kon Tum), or clan names (Gia-rai, matrilineal; Brâu).

use rand::{Rng, RngExt};
use truongso_domain::codes::Gender;

use crate::rng::{Weighted, chance};

/// How a group forms names.
#[derive(Clone, Copy)]
pub(crate) enum NameStyle {
    Kinh,
    /// Family name + middle name + given name, with the group's own family names and, when
    /// `local` is set, about half of the given names from the group's own stock.
    Surnamed {
        surnames: &'static Weighted<&'static str>,
        local: Option<&'static LocalGiven>,
    },
    /// No family name: "A" before a man's personal name, "Y" before a woman's.
    AY,
    /// A clan name first; children take the mother's clan when `matrilineal`, else the father's.
    Clan {
        clans: &'static Weighted<&'static str>,
        matrilineal: bool,
    },
}

/// A group's own given names.
pub(crate) struct LocalGiven {
    male: &'static [&'static str],
    female: &'static [&'static str],
}

impl LocalGiven {
    fn pick<R: Rng + ?Sized>(&self, rng: &mut R, gender: Gender) -> &'static str {
        pick(
            rng,
            if gender == Gender::Male {
                self.male
            } else {
                self.female
            },
        )
    }
}

/// Uniform pick from a static list.
pub(crate) fn pick<R: Rng + ?Sized>(rng: &mut R, items: &'static [&'static str]) -> &'static str {
    items[rng.random_range(0..items.len())]
}

/// Whether a person was born recently (a learner) or a generation earlier (guardians, staff):
/// name fashions differ ("Thị"/"Văn" are far more common among parents).
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Generation {
    Child,
    Adult,
}

/// A child's full name and the family names the parents' names must agree with.
pub(crate) struct ChildName {
    pub full: String,
    /// The family (or clan) name the father carries, when known.
    pub paternal: Option<&'static str>,
    /// The family (or clan) name the mother carries, when known.
    pub maternal: Option<&'static str>,
}

fn given<R: Rng + ?Sized>(rng: &mut R, gender: Gender, generation: Generation) -> &'static str {
    match (gender, generation) {
        (Gender::Male, Generation::Child) => GIVEN_MALE_CHILD.pick(rng),
        (Gender::Female, Generation::Child) => GIVEN_FEMALE_CHILD.pick(rng),
        (Gender::Male, Generation::Adult) => GIVEN_MALE_ADULT.pick(rng),
        (Gender::Female, Generation::Adult) => GIVEN_FEMALE_ADULT.pick(rng),
    }
}

fn middle<R: Rng + ?Sized>(rng: &mut R, gender: Gender, generation: Generation) -> &'static str {
    match (gender, generation) {
        (Gender::Male, Generation::Child) => MIDDLE_MALE_CHILD.pick(rng),
        (Gender::Female, Generation::Child) => MIDDLE_FEMALE_CHILD.pick(rng),
        (Gender::Male, Generation::Adult) => MIDDLE_MALE_ADULT.pick(rng),
        (Gender::Female, Generation::Adult) => MIDDLE_FEMALE_ADULT.pick(rng),
    }
}

/// A given name different from `other` (avoids "Bảo Bảo").
fn given_unlike<R: Rng + ?Sized>(
    rng: &mut R,
    gender: Gender,
    generation: Generation,
    other: &str,
) -> &'static str {
    for _ in 0..8 {
        let g = given(rng, gender, generation);
        if g != other {
            return g;
        }
    }
    if gender == Gender::Male {
        "Huy"
    } else {
        "Linh"
    }
}

fn join(parts: &[&str]) -> String {
    let len = parts.iter().map(|p| p.len() + 1).sum();
    let mut s = String::with_capacity(len);
    for p in parts {
        if !s.is_empty() {
            s.push(' ');
        }
        s.push_str(p);
    }
    s
}

/// A learner's name in the given style.
pub(crate) fn child_name<R: Rng + ?Sized>(
    rng: &mut R,
    style: NameStyle,
    gender: Gender,
) -> ChildName {
    let generation = Generation::Child;
    match style {
        NameStyle::Kinh => {
            let surname = KINH_SURNAMES.pick(rng);
            let mid = middle(rng, gender, generation);
            let giv = given_unlike(rng, gender, generation, mid);
            let r = rng.random_range(0..100);
            if r < 4 {
                // Both parents' family names: "Nguyễn Lê Khánh Linh".
                let mother = KINH_SURNAMES.pick(rng);
                if mother != surname {
                    let mid = if matches!(mid, "Thị" | "Văn") {
                        MODERN_MIDDLE.pick(rng)
                    } else {
                        mid
                    };
                    let giv = given_unlike(rng, gender, generation, mid);
                    return ChildName {
                        full: join(&[surname, mother, mid, giv]),
                        paternal: Some(surname),
                        maternal: Some(mother),
                    };
                }
            } else if r < 10 {
                // A two-word given name: "Nguyễn Ngọc Bảo Anh".
                let extra = MODERN_MIDDLE.pick(rng);
                if extra != mid && extra != giv {
                    return ChildName {
                        full: join(&[surname, mid, extra, giv]),
                        paternal: Some(surname),
                        maternal: None,
                    };
                }
            }
            ChildName {
                full: join(&[surname, mid, giv]),
                paternal: Some(surname),
                maternal: None,
            }
        }
        NameStyle::Surnamed { surnames, local } => {
            let surname = surnames.pick(rng);
            let full = surnamed(rng, surname, local, gender, generation);
            ChildName {
                full,
                paternal: Some(surname),
                maternal: None,
            }
        }
        NameStyle::AY => ChildName {
            full: ay_name(rng, gender, generation),
            paternal: None,
            maternal: None,
        },
        NameStyle::Clan { clans, matrilineal } => {
            let clan = clans.pick(rng);
            let full = clan_name(rng, clan, gender, generation);
            if matrilineal {
                ChildName {
                    full,
                    paternal: None,
                    maternal: Some(clan),
                }
            } else {
                ChildName {
                    full,
                    paternal: Some(clan),
                    maternal: None,
                }
            }
        }
    }
}

/// An adult's name in the given style; `family` forces the family (or clan) name.
pub(crate) fn adult_name<R: Rng + ?Sized>(
    rng: &mut R,
    style: NameStyle,
    gender: Gender,
    family: Option<&'static str>,
) -> String {
    let generation = Generation::Adult;
    match style {
        NameStyle::Kinh => {
            let surname = family.unwrap_or_else(|| KINH_SURNAMES.pick(rng));
            let mid = middle(rng, gender, generation);
            let giv = given_unlike(rng, gender, generation, mid);
            join(&[surname, mid, giv])
        }
        NameStyle::Surnamed { surnames, local } => {
            let surname = family.unwrap_or_else(|| surnames.pick(rng));
            surnamed(rng, surname, local, gender, generation)
        }
        NameStyle::AY => ay_name(rng, gender, generation),
        NameStyle::Clan { clans, .. } => {
            let clan = family.unwrap_or_else(|| clans.pick(rng));
            clan_name(rng, clan, gender, generation)
        }
    }
}

fn surnamed<R: Rng + ?Sized>(
    rng: &mut R,
    surname: &'static str,
    local: Option<&'static LocalGiven>,
    gender: Gender,
    generation: Generation,
) -> String {
    let traditional = if generation == Generation::Adult {
        0.85
    } else {
        0.7
    };
    let mid = if chance(rng, traditional) {
        if gender == Gender::Male {
            "Văn"
        } else {
            "Thị"
        }
    } else {
        middle(rng, gender, generation)
    };
    let giv = match local {
        Some(l) if chance(rng, 0.5) => l.pick(rng, gender),
        _ => given_unlike(rng, gender, generation, mid),
    };
    join(&[surname, mid, giv])
}

fn ay_name<R: Rng + ?Sized>(rng: &mut R, gender: Gender, generation: Generation) -> String {
    let prefix = if gender == Gender::Male { "A" } else { "Y" };
    let giv = if chance(rng, 0.7) {
        HIGHLAND_GIVEN.pick(rng, gender)
    } else {
        given(rng, gender, generation)
    };
    join(&[prefix, giv])
}

fn clan_name<R: Rng + ?Sized>(
    rng: &mut R,
    clan: &'static str,
    gender: Gender,
    generation: Generation,
) -> String {
    let giv = if chance(rng, 0.6) {
        HIGHLAND_GIVEN.pick(rng, gender)
    } else {
        given(rng, gender, generation)
    };
    if gender == Gender::Female && chance(rng, 0.4) {
        join(&[clan, "Thị", giv])
    } else {
        join(&[clan, giv])
    }
}

/// A plain ASCII handle from a Vietnamese name: "Nguyễn Văn Hùng" → "nguyenvanhung".
pub(crate) fn ascii_handle(name: &str) -> String {
    truongso_domain::text::fold(name)
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .collect()
}

/// A 10-digit Vietnamese mobile number (prefixes of Viettel, Vinaphone, MobiFone, Vietnamobile).
pub(crate) fn mobile<R: Rng + ?Sized>(rng: &mut R) -> String {
    let prefix = MOBILE_PREFIXES.pick(rng);
    format!("{prefix}{:07}", rng.random_range(0..10_000_000u32))
}

/// A personal e-mail address derived from the name.
pub(crate) fn personal_email<R: Rng + ?Sized>(rng: &mut R, name: &str, birth_year: i32) -> String {
    let handle = ascii_handle(name);
    let domain = EMAIL_DOMAINS.pick(rng);
    if chance(rng, 0.6) {
        format!("{handle}{:02}@{domain}", birth_year.rem_euclid(100))
    } else {
        format!("{handle}{}@{domain}", rng.random_range(1..1000))
    }
}

// ---------------------------------------------------------------------------------------------
// Kinh names

/// Family names, weights per mille, central-Vietnam shares.
#[rustfmt::skip]
pub(crate) static KINH_SURNAMES: Weighted<&str> = Weighted::new(&[
    ("Nguyễn", 365), ("Trần", 105), ("Lê", 90), ("Phạm", 62), ("Huỳnh", 55), ("Võ", 50),
    ("Phan", 40), ("Trương", 25), ("Hồ", 25), ("Đặng", 18), ("Bùi", 17), ("Đỗ", 15), ("Ngô", 15),
    ("Dương", 12), ("Đinh", 12), ("Hoàng", 10), ("Đoàn", 10), ("Lương", 8), ("Mai", 8), ("Cao", 8),
    ("Đào", 6), ("Vũ", 6), ("Châu", 6), ("Lý", 5), ("Thái", 5), ("Hà", 5), ("Lâm", 5), ("Trịnh", 5),
    ("Tô", 4), ("Lưu", 4), ("Văn", 4), ("Tạ", 3), ("Tăng", 3), ("Kiều", 2), ("Triệu", 2), ("La", 2),
]);

#[rustfmt::skip]
static MIDDLE_MALE_CHILD: Weighted<&str> = Weighted::new(&[
    ("Văn", 22), ("Minh", 12), ("Gia", 9), ("Quốc", 8), ("Đức", 8), ("Bảo", 6), ("Hoàng", 6),
    ("Anh", 5), ("Hữu", 5), ("Tấn", 5), ("Thành", 4), ("Công", 4), ("Nhật", 4), ("Quang", 4),
    ("Đăng", 3), ("Trung", 3), ("Thanh", 3), ("Tuấn", 2), ("Ngọc", 2), ("Xuân", 2), ("Duy", 2),
    ("Phúc", 2), ("Trọng", 2), ("Khánh", 2), ("Thiện", 1),
]);

#[rustfmt::skip]
static MIDDLE_FEMALE_CHILD: Weighted<&str> = Weighted::new(&[
    ("Thị", 30), ("Ngọc", 10), ("Bảo", 7), ("Khánh", 6), ("Thu", 4), ("Minh", 4), ("Thanh", 4),
    ("Phương", 4), ("Gia", 4), ("Kim", 4), ("Thùy", 4), ("Hoài", 3), ("Mỹ", 3), ("An", 3),
    ("Như", 3), ("Hồng", 2), ("Tường", 2), ("Quỳnh", 2), ("Diệu", 2), ("Hà", 2), ("Tuệ", 2),
    ("Yến", 2), ("Trúc", 2), ("Ánh", 2), ("Cát", 1), ("Uyên", 1), ("Hải", 1),
]);

/// Middle names used as the first half of a two-word given name ("Bảo Anh", "Khánh Linh").
#[rustfmt::skip]
static MODERN_MIDDLE: Weighted<&str> = Weighted::new(&[
    ("Bảo", 5), ("Khánh", 4), ("Ngọc", 4), ("Gia", 4), ("Minh", 4), ("Tuệ", 2), ("An", 2),
    ("Thiên", 2), ("Hoàng", 2), ("Phương", 2), ("Cát", 1), ("Đăng", 2), ("Nhật", 2),
]);

#[rustfmt::skip]
static MIDDLE_MALE_ADULT: Weighted<&str> = Weighted::new(&[
    ("Văn", 55), ("Tấn", 6), ("Hữu", 6), ("Minh", 6), ("Công", 5), ("Đức", 5), ("Thanh", 5),
    ("Quốc", 4), ("Ngọc", 4), ("Xuân", 4), ("Quang", 4), ("Đình", 4), ("Trọng", 2), ("Anh", 2),
    ("Hoàng", 2),
]);

#[rustfmt::skip]
static MIDDLE_FEMALE_ADULT: Weighted<&str> = Weighted::new(&[
    ("Thị", 75), ("Ngọc", 5), ("Thanh", 4), ("Kim", 4), ("Thu", 3), ("Hồng", 3), ("Mỹ", 3),
    ("Thùy", 3), ("Minh", 2), ("Phương", 2), ("Bích", 2), ("Hoài", 2), ("Diệu", 1),
]);

#[rustfmt::skip]
static GIVEN_MALE_CHILD: Weighted<&str> = Weighted::new(&[
    ("Anh", 40), ("Huy", 40), ("Minh", 40), ("Khang", 35), ("Bảo", 35), ("Phúc", 35), ("Nam", 25),
    ("Khoa", 25), ("Duy", 25), ("Đạt", 25), ("Quân", 25), ("Khôi", 25), ("An", 25), ("Long", 20),
    ("Tuấn", 20), ("Hiếu", 20), ("Trí", 20), ("Phát", 20), ("Phong", 15), ("Thịnh", 15), ("Vũ", 15),
    ("Hưng", 15), ("Nhân", 15), ("Thành", 15), ("Nguyên", 15), ("Kiệt", 15), ("Lộc", 15),
    ("Đức", 15), ("Lâm", 12), ("Sơn", 12), ("Tín", 12), ("Trung", 12), ("Vinh", 12), ("Tài", 12),
    ("Toàn", 12), ("Hoàng", 12), ("Quang", 12), ("Đăng", 12), ("Nhật", 12), ("Hào", 12),
    ("Hải", 12), ("Hùng", 10), ("Dũng", 10), ("Kiên", 10), ("Thắng", 10), ("Tú", 10), ("Thiện", 10),
    ("Khải", 10), ("Tâm", 10), ("Khánh", 10), ("Bình", 10), ("Tiến", 10), ("Việt", 10),
    ("Tùng", 10), ("Luân", 8), ("Danh", 8), ("Thái", 8), ("Cường", 8), ("Hậu", 8), ("Phú", 8),
    ("Sang", 8), ("Dương", 8), ("Nghĩa", 8), ("Định", 6), ("Quý", 6), ("Tân", 6), ("Thuận", 6),
    ("Triết", 5), ("Vỹ", 5), ("Huân", 4),
]);

#[rustfmt::skip]
static GIVEN_FEMALE_CHILD: Weighted<&str> = Weighted::new(&[
    ("Anh", 40), ("Linh", 35), ("Vy", 35), ("Nhi", 35), ("Trang", 30), ("Thảo", 30), ("Hân", 30),
    ("My", 30), ("Thư", 25), ("Ngọc", 20), ("Như", 20), ("Quỳnh", 20), ("Uyên", 20), ("Trâm", 20),
    ("Ngân", 20), ("An", 20), ("Hà", 18), ("Phương", 18), ("Hương", 15), ("Mai", 15), ("Tiên", 15),
    ("Yến", 12), ("Vân", 12), ("Giang", 12), ("Hiền", 12), ("Huyền", 12), ("Ly", 12), ("Trinh", 12),
    ("Chi", 12), ("Hoa", 10), ("Lan", 10), ("Hằng", 10), ("Tâm", 10), ("Vi", 10), ("Châu", 10),
    ("Duyên", 10), ("Thy", 10), ("Thủy", 8), ("Hạnh", 8), ("Khánh", 8), ("Nguyên", 8), ("Ánh", 8),
    ("Diệp", 6), ("Nhung", 6), ("Quyên", 6), ("Thanh", 6), ("Thùy", 6), ("Xuân", 6), ("Diễm", 6),
    ("Nhã", 6), ("Loan", 5), ("Nga", 5), ("Oanh", 5), ("Tuyết", 5), ("Hậu", 5), ("Kiều", 5),
    ("Na", 5), ("Hạ", 5), ("Đào", 4), ("Dung", 4),
]);

#[rustfmt::skip]
static GIVEN_MALE_ADULT: Weighted<&str> = Weighted::new(&[
    ("Hùng", 30), ("Dũng", 30), ("Tuấn", 25), ("Hải", 25), ("Thanh", 20), ("Sơn", 20), ("Bình", 20),
    ("Cường", 20), ("Trung", 20), ("Minh", 20), ("Thành", 20), ("Hòa", 15), ("Tâm", 15),
    ("Quang", 15), ("Hưng", 15), ("Nam", 15), ("Phong", 12), ("Lợi", 12), ("Tài", 12), ("Tùng", 12),
    ("Vinh", 12), ("Phước", 12), ("Long", 12), ("Đức", 12), ("Phú", 10), ("Lâm", 10), ("Thuận", 10),
    ("Lộc", 10), ("Hiếu", 10), ("Nghĩa", 10), ("Thắng", 10), ("Đông", 8), ("Tấn", 8), ("Sang", 8),
    ("Hoàng", 8), ("Toàn", 8), ("Chiến", 8), ("Trí", 8), ("Việt", 8), ("Khải", 6), ("Thông", 6),
    ("Quốc", 5), ("Duy", 5), ("Kha", 4),
]);

#[rustfmt::skip]
static GIVEN_FEMALE_ADULT: Weighted<&str> = Weighted::new(&[
    ("Hoa", 25), ("Hương", 25), ("Lan", 20), ("Thủy", 20), ("Hằng", 20), ("Hiền", 20), ("Mai", 20),
    ("Trang", 20), ("Nga", 15), ("Hạnh", 15), ("Thu", 15), ("Yến", 15), ("Hồng", 15), ("Vân", 15),
    ("Dung", 15), ("Hà", 15), ("Linh", 15), ("Thảo", 15), ("Phương", 15), ("Liên", 12),
    ("Phượng", 12), ("Loan", 12), ("Nhung", 12), ("Xuân", 10), ("Tuyết", 10), ("Oanh", 10),
    ("Bích", 10), ("Ngọc", 10), ("Trinh", 10), ("Thanh", 10), ("Lý", 8), ("Kim", 8), ("Lệ", 8),
    ("Tâm", 8), ("Sương", 6), ("Ánh", 6), ("Nhàn", 6), ("Huệ", 6), ("Thắm", 6), ("Quyên", 6),
    ("Diệu", 5), ("Hòa", 5), ("Hạ", 4), ("Vy", 4),
]);

// ---------------------------------------------------------------------------------------------
// Ethnic-minority names

#[rustfmt::skip]
pub(crate) static HRE_SURNAMES: Weighted<&str> = Weighted::new(&[
    ("Đinh", 50), ("Phạm", 25), ("Hồ", 10), ("Nguyễn", 5), ("Bùi", 5), ("Võ", 5),
]);
#[rustfmt::skip]
pub(crate) static CO_SURNAMES: Weighted<&str> = Weighted::new(&[
    ("Hồ", 35), ("Đinh", 30), ("Trương", 10), ("Lê", 10), ("Nguyễn", 5), ("Phạm", 5), ("Cao", 5),
]);
#[rustfmt::skip]
pub(crate) static CA_DONG_SURNAMES: Weighted<&str> = Weighted::new(&[
    ("Đinh", 55), ("Hồ", 20), ("Phạm", 10), ("Nguyễn", 10), ("Võ", 5),
]);
#[rustfmt::skip]
pub(crate) static MUONG_SURNAMES: Weighted<&str> = Weighted::new(&[
    ("Bùi", 35), ("Đinh", 25), ("Quách", 10), ("Hà", 10), ("Phạm", 10), ("Cao", 5), ("Xa", 5),
]);
#[rustfmt::skip]
pub(crate) static THAI_SURNAMES: Weighted<&str> = Weighted::new(&[
    ("Lò", 25), ("Cầm", 15), ("Lường", 15), ("Hà", 15), ("Quàng", 10), ("Vi", 10), ("Lự", 5),
    ("Tòng", 5),
]);
#[rustfmt::skip]
pub(crate) static TAY_SURNAMES: Weighted<&str> = Weighted::new(&[
    ("Hoàng", 25), ("Nông", 25), ("Lương", 10), ("Ma", 10), ("La", 10), ("Hà", 10), ("Lục", 10),
]);
#[rustfmt::skip]
pub(crate) static JARAI_CLANS: Weighted<&str> = Weighted::new(&[
    ("Rơ Mah", 25), ("Siu", 25), ("Ksor", 20), ("Rơ Châm", 10), ("Kpă", 10), ("Nay", 10),
]);
#[rustfmt::skip]
pub(crate) static BRAU_CLANS: Weighted<&str> = Weighted::new(&[
    ("Thao", 1),
]);

/// Given names of the Hrê, Co and Ca Dong of Quảng Ngãi's mountain communes.
pub(crate) static CENTRAL_GIVEN: LocalGiven = LocalGiven {
    male: &[
        "Lành", "Hơn", "Rin", "Nhiều", "Bốn", "Hiệp", "Thinh", "Ngót", "Bảy", "Mười", "Dức",
        "Lường", "Vỉnh", "Kiêu", "Dăm", "Ven", "Chiêu", "Nhất", "Sáu", "Pết",
    ],
    female: &[
        "Hơi", "Chiêm", "Lanh", "Nhói", "Bông", "Ngà", "Ưng", "Lệ", "Út", "Xíu", "Ru", "Xoan",
        "Mơ", "Thơm", "Bía", "Nhứt",
    ],
};

/// Personal names of the Kon Tum highland groups (Xơ-đăng, Ba-na, Giẻ-triêng, Gia-rai…).
static HIGHLAND_GIVEN: LocalGiven = LocalGiven {
    male: &[
        "Thu", "Blong", "Dút", "Krông", "Thuyết", "Đông", "Rin", "Bôn", "Khải", "Thoang", "Dun",
        "Nghiệp", "Vương", "Mơ", "Jên", "Plôi", "Kheo", "Pớt", "Nhứ", "Hyên", "Đen", "Bre", "Rốt",
        "Gưu", "Hiếu", "Sang",
    ],
    female: &[
        "Nhi", "Hiên", "Sương", "Bơ", "Hơn", "Rít", "Blưn", "Pin", "Nghiêm", "Phiên", "Yên", "Ler",
        "Mlô", "Hiền", "Thúy", "Phương", "Nhung", "Hoa", "Trinh", "Duyên", "Hằng", "Ly",
    ],
};

#[rustfmt::skip]
static MOBILE_PREFIXES: Weighted<&str> = Weighted::new(&[
    ("032", 6), ("033", 6), ("034", 6), ("035", 6), ("036", 6), ("037", 6), ("038", 6), ("039", 6),
    ("086", 5), ("096", 6), ("097", 7), ("098", 7), ("081", 3), ("082", 3), ("083", 3), ("084", 3),
    ("085", 3), ("088", 3), ("091", 4), ("094", 4), ("070", 2), ("076", 2), ("077", 2), ("078", 2),
    ("079", 2), ("089", 2), ("090", 4), ("093", 4), ("052", 1), ("056", 1), ("058", 1), ("092", 1),
    ("059", 1), ("099", 1),
]);

#[rustfmt::skip]
static EMAIL_DOMAINS: Weighted<&str> = Weighted::new(&[
    ("gmail.com", 85), ("yahoo.com", 5), ("outlook.com", 5), ("icloud.com", 5),
]);

// ---------------------------------------------------------------------------------------------
// Place names

/// People schools are named after: national figures and people of Quảng Ngãi and Kon Tum.
#[rustfmt::skip]
pub(crate) static FIGURES: &[&str] = &[
    "Nguyễn Trãi", "Lê Lợi", "Trần Hưng Đạo", "Lý Thường Kiệt", "Quang Trung", "Nguyễn Du",
    "Chu Văn An", "Lê Quý Đôn", "Nguyễn Bỉnh Khiêm", "Phan Bội Châu", "Phan Chu Trinh",
    "Huỳnh Thúc Kháng", "Võ Thị Sáu", "Lê Văn Tám", "Kim Đồng", "Nguyễn Văn Trỗi", "Trần Phú",
    "Lê Hồng Phong", "Nguyễn Thị Minh Khai", "Hai Bà Trưng", "Bà Triệu", "Ngô Quyền",
    "Đinh Tiên Hoàng", "Lý Tự Trọng", "Nguyễn Hiền", "Lương Thế Vinh", "Tô Hiến Thành",
    "Mạc Đĩnh Chi", "Nguyễn Khuyến", "Trần Quốc Toản", "Phạm Ngũ Lão", "Nguyễn Đình Chiểu",
    "Phạm Văn Đồng", "Trương Định", "Lê Trung Đình", "Nguyễn Nghiêm", "Trần Kỳ Phong",
    "Bùi Thị Xuân", "Nguyễn Công Phương", "Trần Quốc Tuấn", "Lê Khiết", "Phạm Kiệt",
    "Trương Quang Trọng", "Anh hùng Núp", "Đặng Thùy Trâm", "Phan Đình Phùng", "Hoàng Hoa Thám",
    "Đoàn Thị Điểm", "Nguyễn Thái Học", "Hàm Nghi", "Lê Thánh Tông", "Trần Nhân Tông",
    "Lý Công Uẩn", "Ngô Gia Tự", "Tô Vĩnh Diện", "Bế Văn Đàn", "Phan Đình Giót", "Cù Chính Lan",
    "Nguyễn Viết Xuân", "Hoàng Văn Thụ", "Nguyễn Trường Tộ", "Lê Anh Xuân", "Trần Cao Vân",
    "Nguyễn Huệ", "Lê Lai", "Yết Kiêu", "Võ Trứ", "Nguyễn Tri Phương", "Hùng Vương",
    "Nguyễn Chí Thanh", "Trần Quang Khải", "Đào Duy Từ", "Nguyễn Tất Thành", "Võ Nguyên Giáp",
];

/// Names preschools are often given.
#[rustfmt::skip]
pub(crate) static PRESCHOOL_NAMES: &[&str] = &[
    "Hoa Sen", "Sơn Ca", "Họa Mi", "Hoa Mai", "Hoa Hồng", "Bình Minh", "Tuổi Thơ", "Vành Khuyên",
    "Hướng Dương", "Măng Non", "Hoa Phượng", "Sen Hồng", "Ánh Dương", "Rạng Đông", "Hoa Cúc",
    "Thỏ Ngọc", "Mầm Xanh", "Ngôi Sao", "Hoa Lan", "Tuổi Ngọc", "Bông Sen", "Sao Mai",
    "Hoa Thủy Tiên", "Chim Non", "Ban Mai", "Hoa Pơ Lang", "Tuổi Hồng", "Búp Sen Xanh",
];

/// Village names (thôn) of the lowland communes.
#[rustfmt::skip]
pub(crate) static LOWLAND_VILLAGES: &[&str] = &[
    "An Lộc", "Phú Thọ", "Trường Thọ", "Mỹ Lại", "Khánh Giang", "Thạch An", "Tân Hội", "Long Bàn",
    "Hòa Bình", "Phước Lộc", "Vạn Lý", "Đông Hòa", "Tây Phước", "Bình Đông", "Xuân Yên", "Châu Me",
    "An Hải", "Thanh Hiếu", "Minh Tân", "Phú Lộc", "Hải Ninh", "Gia Hòa", "Năng An", "Tân An",
    "Phước Thạnh", "Lâm Sơn", "Hiệp An", "La Hà", "Điện An", "Phú Vinh",
];

/// Village names of the Hrê, Co and Ca Dong communes of Quảng Ngãi.
#[rustfmt::skip]
pub(crate) static MOUNTAIN_VILLAGES: &[&str] = &[
    "Nước Lăng", "Làng Ranh", "Gò Rô", "Nước Nia", "Tà Mát", "Trà Ong", "Làng Mâm", "Nước Đang",
    "Mang Krá", "Tà Gầm", "Nước Dầu", "Làng Trui", "Gò Da", "Đồng Răm", "Xà Ây", "Con Riêng",
    "Nước Kỉa", "Tà Bần", "Làng Dầu", "Nước Vương",
];

/// Village names of the Kon Tum communes.
#[rustfmt::skip]
pub(crate) static HIGHLAND_VILLAGES: &[&str] = &[
    "Kon Klor", "Plei Đôn", "Kon Hra Chót", "Đăk Wơk", "Kon Jơ Dri", "Plei Krông", "Đăk Lung",
    "Tu Rằng", "Kon Tuồng", "Măng Rao", "Đăk Xú", "Long Zôn", "Kon Rá", "Tê Xô Trong",
    "Đăk Kang Peng", "Plei Trum", "Kon Pia", "Đăk Rao", "Kon Đào", "Plei Rơ Wăk",
];

/// Streets for addresses in wards (phường).
#[rustfmt::skip]
pub(crate) static STREETS: &[&str] = &[
    "Hùng Vương", "Quang Trung", "Lê Lợi", "Phan Đình Phùng", "Nguyễn Nghiêm", "Trần Hưng Đạo",
    "Bà Triệu", "Lê Trung Đình", "Trương Quang Trọng", "Phạm Văn Đồng", "Nguyễn Công Phương",
    "Lê Thánh Tôn", "Nguyễn Du", "Chu Văn An", "Trần Phú", "Nguyễn Trãi", "Hai Bà Trưng",
    "Lê Hồng Phong", "Phan Bội Châu", "Huỳnh Thúc Kháng", "Nguyễn Huệ", "Phan Chu Trinh",
    "Đào Duy Từ", "Ure",
];

#[cfg(test)]
mod tests {
    use super::*;
    use truongso_domain::text::clean;

    #[test]
    fn tables_are_nfc() {
        let tables: [&Weighted<&str>; 20] = [
            &KINH_SURNAMES,
            &MIDDLE_MALE_CHILD,
            &MIDDLE_FEMALE_CHILD,
            &MODERN_MIDDLE,
            &MIDDLE_MALE_ADULT,
            &MIDDLE_FEMALE_ADULT,
            &GIVEN_MALE_CHILD,
            &GIVEN_FEMALE_CHILD,
            &GIVEN_MALE_ADULT,
            &GIVEN_FEMALE_ADULT,
            &HRE_SURNAMES,
            &CO_SURNAMES,
            &CA_DONG_SURNAMES,
            &MUONG_SURNAMES,
            &THAI_SURNAMES,
            &TAY_SURNAMES,
            &JARAI_CLANS,
            &BRAU_CLANS,
            &MOBILE_PREFIXES,
            &EMAIL_DOMAINS,
        ];
        let lists: [&[&str]; 11] = [
            CENTRAL_GIVEN.male,
            CENTRAL_GIVEN.female,
            HIGHLAND_GIVEN.male,
            HIGHLAND_GIVEN.female,
            FIGURES,
            PRESCHOOL_NAMES,
            LOWLAND_VILLAGES,
            MOUNTAIN_VILLAGES,
            HIGHLAND_VILLAGES,
            STREETS,
            &["Văn", "Thị", "A", "Y"],
        ];
        let all = tables
            .iter()
            .flat_map(|t| t.items())
            .chain(lists.iter().flat_map(|l| l.iter().copied()));
        for s in all {
            assert_eq!(clean(s), s, "{s:?} is not NFC or has stray spaces");
        }
    }

    #[test]
    fn kinh_surname_shares() {
        let share = |n: &str| KINH_SURNAMES.share(|s| *s == n);
        assert!((0.31..0.38).contains(&share("Nguyễn")));
        assert!(share("Huỳnh") > share("Hoàng"));
        assert!(share("Võ") > share("Vũ"));
    }

    #[test]
    fn handles_are_ascii() {
        assert_eq!(ascii_handle("Nguyễn Văn Đức"), "nguyenvanduc");
        assert_eq!(ascii_handle("Rơ Châm Thị Ưng"), "rochamthiung");
    }
}
