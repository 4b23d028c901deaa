//! The shipped reference data (`crates/domain/data/`) and its look-ups.

use std::collections::HashSet;

use truongso_domain::reference::{
    ethnicities, ethnicity, ethnicity_by_name, id_province_codes, id_province_name, provinces_2025,
    ward_2025, wards_2025,
};

#[test]
fn fifty_four_ethnicities_coded_01_to_54() {
    let codes: Vec<&str> = ethnicities().iter().map(|e| e.code.as_str()).collect();
    let expected: Vec<String> = (1..=54).map(|n| format!("{n:02}")).collect();
    assert_eq!(codes, expected);
    assert_eq!(ethnicity("01").map(|e| e.name.as_str()), Some("Kinh"));
    assert!(ethnicity("55").is_none());
    assert!(ethnicity("1").is_none());
}

#[test]
fn ethnicity_by_name_accepts_common_spellings() {
    let code = |name: &str| ethnicity_by_name(name).map(|e| e.code.as_str());
    assert_eq!(code("Kinh"), Some("01"));
    assert_eq!(code("kinh"), Some("01"));
    assert_eq!(code("  KINH "), Some("01"));
    assert_eq!(code("Khơ-me"), Some("05"));
    assert_eq!(code("Khmer"), Some("05"));
    assert_eq!(code("khome"), Some("05"));
    assert_eq!(code("Mông"), Some("08"));
    assert_eq!(code("HMông"), Some("08"));
    assert_eq!(code("H'Mông"), Some("08"));
    assert_eq!(code("Hmong"), Some("08"));
    assert_eq!(code("Mnông"), Some("20"), "Mnông is not Mông");
    assert_eq!(code("Mường"), Some("06"));
    assert_eq!(code("Ê Đê"), Some("12"));
    assert_eq!(code("Ba Na"), Some("13"));
    assert_eq!(code("Bru - Vân Kiều"), Some("23"));
    assert_eq!(code("Martian"), None);
    assert_eq!(code(""), None);
}

#[test]
fn every_ethnicity_is_found_by_its_own_name_only() {
    for e in ethnicities() {
        assert_eq!(
            ethnicity_by_name(&e.name).map(|f| &f.code),
            Some(&e.code),
            "{}",
            e.name
        );
    }
}

#[test]
fn sixty_three_id_province_codes() {
    let codes = id_province_codes();
    assert_eq!(codes.len(), 63);
    assert_eq!(codes.iter().collect::<HashSet<_>>().len(), 63);
    assert!(
        codes
            .iter()
            .all(|c| c.len() == 3 && c.bytes().all(|b| b.is_ascii_digit()))
    );
    assert!(codes.windows(2).all(|w| w[0] < w[1]), "sorted");
    assert_eq!(id_province_name("001"), Some("Hà Nội"));
    assert_eq!(id_province_name("079"), Some("Hồ Chí Minh"));
    assert_eq!(id_province_name("096"), Some("Cà Mau"));
    for unused in ["000", "003", "005", "007", "097", "1", "01", ""] {
        assert!(id_province_name(unused).is_none(), "{unused}");
        assert!(!codes.contains(&unused), "{unused}");
    }
}

#[test]
fn ward_2025_finds_known_codes() {
    let ba_dinh = ward_2025("00004").expect("Phường Ba Đình");
    assert_eq!(ba_dinh.name, "Phường Ba Đình");
    assert_eq!(ba_dinh.province_code, "01");
    let co_to = ward_2025("07192").expect("Đặc khu Cô Tô");
    assert_eq!(
        (co_to.name.as_str(), co_to.kind.as_str()),
        ("Đặc khu Cô Tô", "đặc khu")
    );
    assert!(ward_2025("4").is_none());
    assert!(ward_2025("99999").is_none());
    let codes: HashSet<&str> = wards_2025().iter().map(|w| w.code.as_str()).collect();
    assert_eq!(codes.len(), wards_2025().len(), "ward codes are unique");
    assert!(wards_2025().iter().all(|w| w.code.len() == 5));
}

#[test]
fn thirty_four_provinces_2025() {
    let provinces = provinces_2025();
    assert_eq!(provinces.len(), 34);
    assert_eq!(
        provinces
            .iter()
            .map(|p| &p.code)
            .collect::<HashSet<_>>()
            .len(),
        34
    );
    let hanoi = provinces.iter().find(|p| p.code == "01").expect("Hà Nội");
    assert_eq!(hanoi.name, "Thành phố Hà Nội");
    let provinces_of_wards: HashSet<&str> = wards_2025()
        .iter()
        .map(|w| w.province_code.as_str())
        .collect();
    assert_eq!(provinces_of_wards.len(), 34);
}
