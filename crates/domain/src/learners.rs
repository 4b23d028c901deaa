//! Learners (người học): identity, profile, guardians, and enrolment status per school year.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::codes::{Gender, code_enum};
use crate::national_id::{self, IdStatus};
use crate::reference;
use crate::validation::{Checker, Invalid};

code_enum! {
    /// Status of an enrolment (trạng thái học sinh) in a school year; every change is kept.
    EnrolmentStatus {
        Studying => "studying", "Đang học", "Studying";
        TransferredIn => "transferred_in", "Chuyển đến", "Transferred in";
        TransferredOut => "transferred_out", "Chuyển đi", "Transferred out";
        DroppedOut => "dropped_out", "Bỏ học", "Dropped out";
        Completed => "completed", "Hoàn thành", "Completed";
        Repeating => "repeating", "Lưu ban", "Repeating";
    }
}

code_enum! {
    /// How a guardian is related to the learner.
    GuardianRelation {
        Father => "father", "Cha", "Father";
        Mother => "mother", "Mẹ", "Mother";
        Grandparent => "grandparent", "Ông/Bà", "Grandparent";
        Sibling => "sibling", "Anh/Chị", "Sibling";
        Other => "other", "Người giám hộ khác", "Other guardian";
    }
}

code_enum! {
    /// Disability types of the Law on Persons with Disabilities (art. 3). Sensitive data.
    Disability {
        Mobility => "mobility", "Khuyết tật vận động", "Mobility";
        HearingSpeech => "hearing_speech", "Khuyết tật nghe, nói", "Hearing/speech";
        Visual => "visual", "Khuyết tật nhìn", "Visual";
        Mental => "mental", "Khuyết tật thần kinh, tâm thần", "Mental";
        Intellectual => "intellectual", "Khuyết tật trí tuệ", "Intellectual";
        OtherDisability => "other", "Khuyết tật khác", "Other";
    }
}

code_enum! {
    /// Policy groups (đối tượng chính sách) that entitle a learner to support. Sensitive data.
    PolicyGroup {
        MartyrChild => "martyr_child", "Con liệt sĩ", "Child of a martyr";
        WarInvalidChild => "invalid_child", "Con thương binh, bệnh binh", "Child of a war invalid";
        PoorHousehold => "poor", "Hộ nghèo", "Poor household";
        NearPoorHousehold => "near_poor", "Hộ cận nghèo", "Near-poor household";
        EthnicMinorityHardship => "em_hardship", "Dân tộc thiểu số vùng đặc biệt khó khăn", "Ethnic minority, hardship area";
        Orphan => "orphan", "Mồ côi", "Orphan";
    }
}

/// A guardian (cha mẹ / người giám hộ) as entered or imported.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct GuardianInput {
    pub relation: GuardianRelation,
    #[schema(min_length = 1, max_length = 100)]
    pub full_name: String,
    /// Ten digits from 0 (a mobile), or eleven from 02 (a landline); spaces, dots and dashes allowed.
    #[schema(pattern = "^0[0-9 .-]{9,13}$")]
    pub phone: Option<String>,
    #[schema(format = Email, max_length = 254)]
    pub email: Option<String>,
    #[schema(pattern = "^[0-9]{12}$")]
    pub national_id: Option<String>,
}

/// Everything needed to create a learner, or to replace the profile of one.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct LearnerInput {
    /// 12-digit personal ID; may be missing for a newly arrived child (a data-quality gap).
    #[schema(pattern = "^[0-9]{12}$")]
    pub national_id: Option<String>,
    #[schema(min_length = 1, max_length = 100)]
    pub full_name: String,
    pub birth_date: NaiveDate,
    pub gender: Gender,
    /// 2-digit GSO ethnicity code ("01" Kinh … "54").
    #[schema(pattern = "^[0-5][0-9]$")]
    pub ethnicity_code: String,
    /// ISO 3166 alpha-2, "VN" by default.
    #[serde(default = "default_nationality")]
    #[schema(pattern = "^[A-Z]{2}$")]
    pub nationality: String,
    #[schema(max_length = 50)]
    pub religion: Option<String>,
    #[schema(max_length = 300)]
    pub address: Option<String>,
    /// Current ward code (5 digits, 2025 list).
    #[schema(pattern = "^[0-9]{5}$")]
    pub ward_code: Option<String>,
    pub disability: Option<Disability>,
    pub policy_group: Option<PolicyGroup>,
    #[serde(default)]
    #[schema(max_items = 6)]
    pub guardians: Vec<GuardianInput>,
}

fn default_nationality() -> String {
    "VN".to_string()
}

pub const MAX_NAME: usize = 100;
pub const MAX_ADDRESS: usize = 300;

impl LearnerInput {
    /// Checks every field, returning all problems at once (Vietnamese messages, field paths).
    /// `today` bounds the birth date so that tests stay deterministic.
    pub fn validate(&self, today: NaiveDate) -> Result<(), Invalid> {
        let mut c = Checker::new();
        c.person_name("full_name", &self.full_name, MAX_NAME);
        if self.birth_date > today {
            c.push("birth_date", "Ngày sinh không được ở tương lai.");
        } else if self.birth_date < today - chrono::Days::new(100 * 366) {
            c.push("birth_date", "Ngày sinh không hợp lý (quá 100 năm trước).");
        }
        if let Some(id) = &self.national_id {
            check_person_id(
                &mut c,
                "national_id",
                id,
                Some(self.birth_date),
                Some(self.gender),
            );
        }
        if reference::ethnicity(&self.ethnicity_code).is_none() {
            c.push(
                "ethnicity_code",
                format!(
                    "Mã dân tộc '{}' không có trong danh mục 54 dân tộc.",
                    self.ethnicity_code
                ),
            );
        }
        if self.nationality.len() != 2
            || !self.nationality.chars().all(|ch| ch.is_ascii_uppercase())
        {
            c.push(
                "nationality",
                "Quốc tịch phải là mã 2 chữ cái in hoa (ví dụ VN).",
            );
        }
        c.optional_max_len("religion", self.religion.as_deref(), 50);
        c.optional_max_len("address", self.address.as_deref(), MAX_ADDRESS);
        if let Some(w) = &self.ward_code
            && reference::ward_2025(w).is_none()
        {
            c.push(
                "ward_code",
                format!("Mã xã/phường '{w}' không có trong danh mục đơn vị hành chính."),
            );
        }
        if self.guardians.len() > 6 {
            c.push("guardians", "Tối đa 6 người giám hộ.");
        }
        for (i, g) in self.guardians.iter().enumerate() {
            let f = |name: &str| format!("guardians[{i}].{name}");
            c.person_name(&f("full_name"), &g.full_name, MAX_NAME);
            if let Some(p) = &g.phone
                && !is_phone(p)
            {
                c.push(&f("phone"), INVALID_PHONE);
            }
            if let Some(e) = &g.email
                && !is_email(e)
            {
                c.push(&f("email"), "Địa chỉ email không hợp lệ.");
            }
            if let Some(id) = &g.national_id {
                check_person_id(&mut c, &f("national_id"), id, None, None);
            }
        }
        c.finish()
    }
}

/// Rejects a personal ID that is malformed, of an unknown province, or contradicts the person.
pub(crate) fn check_person_id(
    c: &mut Checker,
    field: &str,
    id: &str,
    birth_date: Option<NaiveDate>,
    gender: Option<Gender>,
) {
    let check = national_id::check(id, birth_date, gender);
    match check.status {
        IdStatus::Ok => {}
        IdStatus::Malformed => c.push(field, "Mã định danh phải gồm đúng 12 chữ số."),
        IdStatus::UnknownProvince => c.push(
            field,
            format!(
                "Mã tỉnh '{}' trong mã định danh không tồn tại.",
                check.province_code.unwrap_or_default()
            ),
        ),
        IdStatus::Mismatch => c.push(
            field,
            format!(
                "Mã định danh mã hóa {} sinh năm {}, không khớp với ngày sinh/giới tính đã nhập.",
                check.gender.map(|g| g.label_vi()).unwrap_or("?"),
                check.birth_year.unwrap_or_default()
            ),
        ),
    }
}

/// The message for a number that [`is_phone`] rejects.
pub(crate) const INVALID_PHONE: &str =
    "Số điện thoại phải bắt đầu bằng 0 và có 10 chữ số (di động) hoặc 11 chữ số (cố định, 02…).";

/// Vietnamese phone number, spaces, dots and hyphens allowed: a mobile number of 10 digits starting
/// with 0, or a landline of 11 digits starting with 02 (area code 02x since 2017).
pub fn is_phone(s: &str) -> bool {
    let digits: String = s
        .chars()
        .filter(|c| !matches!(c, ' ' | '.' | '-'))
        .collect();
    digits.chars().all(|c| c.is_ascii_digit())
        && match digits.len() {
            10 => digits.starts_with('0'),
            11 => digits.starts_with("02"),
            _ => false,
        }
}

/// A deliberately permissive e-mail check: something@domain.tld, no spaces.
pub fn is_email(s: &str) -> bool {
    let s = s.trim();
    match s.split_once('@') {
        Some((local, domain)) => {
            !local.is_empty()
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
                && !s.contains(char::is_whitespace)
                && !domain.contains('@')
        }
        None => false,
    }
}

/// The sector learner code (mã định danh ngành): "HS" and a zero-padded serial, issued once by the
/// store from a counter and never reused, even when the learner is deleted.
pub fn learner_code(serial: u64) -> String {
    format!("HS{serial:010}")
}

/// Whether a text is a learner code of ours ("HS" and ten digits).
pub fn is_learner_code(s: &str) -> bool {
    s.len() == 12 && s.starts_with("HS") && s[2..].bytes().all(|b| b.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Datelike;
    use proptest::option;
    use proptest::prelude::*;
    use proptest::sample::select;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2025, 9, 5).unwrap()
    }

    const LOWER: &str = "[a-zàáạảãâầấậẩẫăằắặẳẵèéẹẻẽêềếệểễìíịỉĩòóọỏõôồốộổỗơờớợởỡùúụủũưừứựửữỳýỵỷỹđ]";

    /// A Vietnamese full name: two to four capitalised words.
    fn name() -> impl Strategy<Value = String> {
        let word = format!("[A-ZĐ]{LOWER}{{1,8}}");
        proptest::string::string_regex(&format!("{word}( {word}){{1,3}}")).unwrap()
    }

    fn phone() -> impl Strategy<Value = String> {
        prop_oneof![
            "0[0-9]{9}",
            "0[0-9]{3} [0-9]{3} [0-9]{3}",
            "0[0-9]{3}\\.[0-9]{3}\\.[0-9]{3}"
        ]
    }

    fn email() -> impl Strategy<Value = String> {
        "[a-z0-9][a-z0-9._]{0,11}@[a-z0-9]{1,10}\\.(vn|com|edu\\.vn)"
    }

    fn id_province() -> impl Strategy<Value = &'static str> {
        select(reference::id_province_codes())
    }

    fn gender() -> impl Strategy<Value = Gender> {
        select(Gender::ALL)
    }

    /// An ID that agrees with the birth year and gender.
    fn id_for(province: &str, birth_date: NaiveDate, gender: Gender, serial: u32) -> String {
        national_id::compose(province, birth_date.year(), gender, serial).unwrap()
    }

    prop_compose! {
        fn guardian()(
            relation in select(GuardianRelation::ALL),
            full_name in name(),
            phone in option::of(phone()),
            email in option::of(email()),
            id in option::of((id_province(), 1950i32..2005, gender(), 0u32..1_000_000)),
        ) -> GuardianInput {
            let national_id = id.map(|(p, y, g, s)| national_id::compose(p, y, g, s).unwrap());
            GuardianInput { relation, full_name, phone, email, national_id }
        }
    }

    prop_compose! {
        /// A learner aged 3 to 19 whose every field is valid.
        fn valid_input()(
            full_name in name(),
            age_days in (3 * 366u64)..(19 * 365),
            gender in gender(),
            id in option::of((id_province(), 0u32..1_000_000)),
            ethnicity in 1u8..=54,
            religion in option::of(select(&["Phật giáo", "Công giáo", "Không"][..])),
            address in option::of(name()),
            ward_code in option::of(select(reference::wards_2025().iter().map(|w| w.code.as_str()).collect::<Vec<_>>())),
            disability in option::of(select(Disability::ALL)),
            policy_group in option::of(select(PolicyGroup::ALL)),
            guardians in proptest::collection::vec(guardian(), 0..=3),
        ) -> LearnerInput {
            let birth_date = today() - chrono::Days::new(age_days);
            LearnerInput {
                national_id: id.map(|(p, serial)| id_for(p, birth_date, gender, serial)),
                full_name,
                birth_date,
                gender,
                ethnicity_code: format!("{ethnicity:02}"),
                nationality: "VN".to_string(),
                religion: religion.map(str::to_string),
                address,
                ward_code: ward_code.map(str::to_string),
                disability,
                policy_group,
                guardians,
            }
        }
    }

    fn fields(input: &LearnerInput) -> Vec<String> {
        match input.validate(today()) {
            Ok(()) => vec![],
            Err(Invalid(errors)) => errors.into_iter().map(|e| e.field).collect(),
        }
    }

    proptest! {
        #[test]
        fn validate_never_panics(
            full_name in any::<String>(),
            national_id in option::of(any::<String>()),
            days in -40_000i64..40_000,
            ethnicity_code in any::<String>(),
            nationality in any::<String>(),
            religion in option::of(any::<String>()),
            address in option::of(".{0,400}"),
            ward_code in option::of(any::<String>()),
            guardians in proptest::collection::vec(
                (any::<String>(), option::of(any::<String>()), option::of(any::<String>()), option::of(any::<String>())),
                0..8,
            ),
        ) {
            let input = LearnerInput {
                national_id,
                full_name,
                birth_date: today().checked_add_signed(chrono::TimeDelta::days(days)).unwrap(),
                gender: Gender::Female,
                ethnicity_code,
                nationality,
                religion,
                address,
                ward_code,
                disability: None,
                policy_group: None,
                guardians: guardians
                    .into_iter()
                    .map(|(full_name, phone, email, national_id)| GuardianInput {
                        relation: GuardianRelation::Other,
                        full_name,
                        phone,
                        email,
                        national_id,
                    })
                    .collect(),
            };
            if let Err(Invalid(errors)) = input.validate(today()) {
                prop_assert!(!errors.is_empty());
            }
        }

        #[test]
        fn is_phone_and_is_email_never_panic(s in any::<String>()) {
            let _ = (is_phone(&s), is_email(&s));
        }

        #[test]
        fn a_valid_input_validates(input in valid_input()) {
            prop_assert_eq!(input.validate(today()), Ok(()));
        }

        #[test]
        fn an_id_of_another_birth_year_is_rejected(
            input in valid_input(),
            province in id_province(),
            shift in prop_oneof![-60i32..=-1, 1i32..=60],
            serial in 0u32..1_000_000,
        ) {
            let year = input.birth_date.year() + shift;
            let id = national_id::compose(province, year, input.gender, serial).unwrap();
            let input = LearnerInput { national_id: Some(id), ..input };
            prop_assert_eq!(fields(&input), ["national_id"]);
        }

        #[test]
        fn an_id_of_the_other_gender_is_rejected(input in valid_input(), province in id_province(), serial in 0u32..1_000_000) {
            let other = if input.gender == Gender::Male { Gender::Female } else { Gender::Male };
            let id = id_for(province, input.birth_date, other, serial);
            let input = LearnerInput { national_id: Some(id), ..input };
            prop_assert_eq!(fields(&input), ["national_id"]);
        }
    }

    fn example() -> LearnerInput {
        let birth_date = NaiveDate::from_ymd_opt(2014, 3, 2).unwrap();
        LearnerInput {
            national_id: Some("079214000123".to_string()),
            full_name: "Nguyễn Thị Hoa".to_string(),
            birth_date,
            gender: Gender::Male,
            ethnicity_code: "01".to_string(),
            nationality: "VN".to_string(),
            religion: None,
            address: None,
            ward_code: Some("00004".to_string()),
            disability: None,
            policy_group: None,
            guardians: vec![GuardianInput {
                relation: GuardianRelation::Mother,
                full_name: "Trần Thị Lan".to_string(),
                phone: Some("0912 345 678".to_string()),
                email: Some("lan@example.vn".to_string()),
                national_id: None,
            }],
        }
    }

    #[test]
    fn the_example_validates() {
        assert_eq!(example().validate(today()), Ok(()));
    }

    #[test]
    fn every_problem_is_reported_with_its_field() {
        let mut input = example();
        input.full_name = "   ".to_string();
        input.birth_date = NaiveDate::from_ymd_opt(2026, 1, 1).unwrap();
        input.national_id = Some("003214000123".to_string());
        input.ethnicity_code = "55".to_string();
        input.nationality = "vn".to_string();
        input.ward_code = Some("99999".to_string());
        input.guardians[0].phone = Some("912345678".to_string());
        input.guardians[0].email = Some("lan@example".to_string());
        input.guardians[0].full_name = "x".repeat(MAX_NAME + 1);
        assert_eq!(
            fields(&input),
            [
                "full_name",
                "birth_date",
                "national_id",
                "ethnicity_code",
                "nationality",
                "ward_code",
                "guardians[0].full_name",
                "guardians[0].phone",
                "guardians[0].email",
            ]
        );
        input.guardians = vec![example().guardians[0].clone(); 7];
        assert!(fields(&input).contains(&"guardians".to_string()));
    }

    #[test]
    fn phones() {
        for ok in [
            "0912345678",
            "0912 345 678",
            "0912.345.678",
            "091-234-5678",
            "0243 826 1234",
            " 0912345678 ",
        ] {
            assert!(is_phone(ok), "{ok}");
        }
        for bad in [
            "",
            "912345678",
            "09123456789",
            "01234567890",
            "+84912345678",
            "84912345678",
            "091234567a",
            "091234567",
            "０９１２３４５６７８",
            "0912_345_678",
        ] {
            assert!(!is_phone(bad), "{bad}");
        }
    }

    #[test]
    fn emails() {
        for ok in [
            "a@b.vn",
            "lan.tran@truong.edu.vn",
            " hoa@example.com ",
            "x+y@d.co",
        ] {
            assert!(is_email(ok), "{ok}");
        }
        for bad in [
            "", "a", "@b.vn", "a@", "a@b", "a@.vn", "a@b.", "a b@c.vn", "a@b c.vn", "a@b@c.vn",
            "a@@b.vn",
        ] {
            assert!(!is_email(bad), "{bad}");
        }
    }

    #[test]
    fn learner_codes() {
        assert_eq!(learner_code(42), "HS0000000042");
    }
}
