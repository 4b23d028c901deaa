//! Data quality ("đúng, đủ, sạch, sống"): the rules as data (`data/quality-rules.csv`), the
//! settings they use, and pure checks of one learner or one class. The store runs them over the
//! database and keeps the issues; nothing here does I/O.
//!
//! Judgement calls (marked `judgement` in the rules file, thresholds configurable):
//! - `age_grade`: the expected age in grade *g* is *g* + 5, counted as the age reached in the
//!   calendar year the school year starts (the Vietnamese convention: a child enters grade 1 in
//!   the year they turn 6); flagged when the difference exceeds `age_tolerance_years` (default 2).
//!   Preschool groups (grade 0) span several ages and are not checked.
//! - `id_province`: the ID's province is where the birth was registered, which may differ from
//!   where the child lives now, so a disagreement is only a warning.
//! - `stale_record`: a record not updated since the current school year started.
//!
//! Completeness of a learner record is the share of the [`EXPECTED_FIELDS`] that are filled.
//! The schema already requires name, birth date, gender and nationality, so they are not counted.

use std::collections::{HashMap, HashSet};
use std::sync::LazyLock;

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

use crate::codes::{Gender, code_enum};
use crate::national_id::{self, IdStatus};
use crate::reference;

code_enum! {
    /// How serious an issue is (`Fault` is an error: the name avoids clashing with `TryFrom::Error`).
    Severity {
        Fault => "error", "Lỗi", "Error";
        Warning => "warning", "Cảnh báo", "Warning";
        Info => "info", "Lưu ý", "Note";
    }
}

code_enum! {
    /// The kind of record a rule is about.
    RuleEntity {
        Learner => "learner", "Học sinh", "Learner";
        Class => "class", "Lớp", "Class";
    }
}

code_enum! {
    /// Where an issue is fixed.
    Fix {
        LearnerEdit => "learner_edit", "Sửa hồ sơ học sinh", "Edit the learner's record";
        Class => "class", "Xem lớp", "Open the class";
        Duplicate => "duplicate", "Xử lý hồ sơ trùng", "Resolve the duplicate";
    }
}

code_enum! {
    /// The rules the checks know. Their severity, default state and labels are data.
    RuleCode {
        IdMissing => "id_missing", "Thiếu mã định danh cá nhân", "Personal ID missing";
        IdMalformed => "id_malformed", "Mã định danh không đúng 12 chữ số", "Personal ID is not 12 digits";
        IdUnknownProvince => "id_unknown_province", "Mã tỉnh trong mã định danh không tồn tại", "Unknown province code in the personal ID";
        IdMismatch => "id_mismatch", "Mã định danh không khớp ngày sinh/giới tính", "Personal ID disagrees with birth date or gender";
        IdProvince => "id_province", "Tỉnh trong mã định danh khác tỉnh nơi ở", "Personal ID province differs from the home province";
        DuplicatePerson => "duplicate_person", "Cùng một người có hai hồ sơ học sinh", "Same person on two learner records";
        GuardianMissing => "guardian_missing", "Chưa có cha mẹ/người giám hộ", "No parent or guardian recorded";
        GuardianPhoneMissing => "guardian_phone_missing", "Không có số điện thoại cha mẹ/người giám hộ", "No guardian phone number";
        WardMissing => "ward_missing", "Thiếu xã/phường nơi ở", "Home commune/ward missing";
        AgeGrade => "age_grade", "Tuổi không phù hợp với khối lớp", "Age far from the grade";
        StaleRecord => "stale_record", "Hồ sơ chưa được cập nhật trong năm học này", "Record not updated this school year";
        ClassOverCapacity => "class_over_capacity", "Lớp vượt sĩ số tối đa", "Class over maximum size";
    }
}

/// One rule as shipped in `data/quality-rules.csv`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Rule {
    pub code: RuleCode,
    pub entity: RuleEntity,
    pub severity: Severity,
    pub enabled: bool,
    /// The field at fault.
    pub field: String,
    pub fix: Fix,
    /// A threshold or assumption rather than a fact (see the module documentation).
    pub judgement: bool,
    pub label_vi: String,
    pub label_en: String,
}

#[derive(Deserialize)]
struct RuleRow {
    code: String,
    entity: String,
    severity: String,
    enabled: bool,
    field: String,
    fix: String,
    judgement: bool,
    label_vi: String,
    label_en: String,
}

/// Parses a rules file; every [`RuleCode`] must appear exactly once.
pub fn parse_rules(csv_text: &str) -> Result<Vec<Rule>, String> {
    let body: String = csv_text
        .lines()
        .filter(|l| !l.starts_with('#'))
        .map(|l| format!("{l}\n"))
        .collect();
    let mut out: Vec<Rule> = Vec::new();
    for (i, row) in csv::Reader::from_reader(body.as_bytes())
        .deserialize::<RuleRow>()
        .enumerate()
    {
        let line = i + 2;
        let row = row.map_err(|e| format!("quality-rules.csv dòng {line}: {e}"))?;
        let err = |e: crate::codes::UnknownCode| format!("quality-rules.csv dòng {line}: {e}");
        let rule = Rule {
            code: row.code.parse().map_err(err)?,
            entity: row.entity.parse().map_err(err)?,
            severity: row.severity.parse().map_err(err)?,
            enabled: row.enabled,
            field: row.field,
            fix: row.fix.parse().map_err(err)?,
            judgement: row.judgement,
            label_vi: row.label_vi,
            label_en: row.label_en,
        };
        if out.iter().any(|r| r.code == rule.code) {
            return Err(format!(
                "quality-rules.csv dòng {line}: {} lặp lại",
                rule.code
            ));
        }
        out.push(rule);
    }
    if let Some(missing) = RuleCode::ALL
        .iter()
        .find(|c| !out.iter().any(|r| r.code == **c))
    {
        return Err(format!("quality-rules.csv: thiếu quy tắc {missing}"));
    }
    Ok(out)
}

/// The shipped rules, in file order.
pub fn rules() -> &'static [Rule] {
    static RULES: LazyLock<Vec<Rule>> = LazyLock::new(|| {
        parse_rules(include_str!("../data/quality-rules.csv"))
            .expect("the shipped quality rules are valid (tested)")
    });
    &RULES
}

pub fn rule(code: RuleCode) -> &'static Rule {
    rules()
        .iter()
        .find(|r| r.code == code)
        .expect("every rule code is in the shipped file (tested)")
}

/// A stored override of a rule's default state or severity.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RuleOverride {
    pub code: RuleCode,
    pub enabled: bool,
    pub severity: Severity,
}

/// The rules in force: the shipped defaults with an installation's overrides applied.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleSet {
    states: HashMap<RuleCode, (bool, Severity)>,
}

impl Default for RuleSet {
    fn default() -> Self {
        RuleSet {
            states: rules()
                .iter()
                .map(|r| (r.code, (r.enabled, r.severity)))
                .collect(),
        }
    }
}

impl RuleSet {
    pub fn with_overrides(overrides: impl IntoIterator<Item = RuleOverride>) -> RuleSet {
        let mut set = RuleSet::default();
        for o in overrides {
            set.states.insert(o.code, (o.enabled, o.severity));
        }
        set
    }

    pub fn enabled(&self, code: RuleCode) -> bool {
        self.states.get(&code).is_some_and(|s| s.0)
    }

    pub fn severity(&self, code: RuleCode) -> Severity {
        self.states.get(&code).map_or(rule(code).severity, |s| s.1)
    }
}

/// A numeric setting: its key, default, bounds and labels. Values outside the bounds are refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct SettingDef {
    pub key: &'static str,
    pub default: i64,
    pub min: i64,
    pub max: i64,
    pub label_vi: &'static str,
    pub label_en: &'static str,
}

/// Every setting. The class maxima for primary (Circular 28/2020, Điều lệ trường tiểu học) and
/// secondary (Circular 32/2020, Điều lệ trường trung học) come from the regulations; the
/// preschool maximum depends on the age group (Điều lệ trường mầm non) and defaults to the
/// 5–6-year-old group's 35 — check it and change it here if your groups differ.
pub const SETTINGS: &[SettingDef] = &[
    SettingDef {
        key: "id_target_percent",
        default: 95,
        min: 0,
        max: 100,
        label_vi: "Chỉ tiêu: học sinh khối 9–12 có mã định danh hợp lệ (%)",
        label_en: "Target: learners of grades 9–12 with a valid personal ID (%)",
    },
    SettingDef {
        key: "id_target_exit_grades_percent",
        default: 100,
        min: 0,
        max: 100,
        label_vi: "Chỉ tiêu riêng cho khối 9 và khối 12 (%)",
        label_en: "Target for grades 9 and 12 (%)",
    },
    SettingDef {
        key: "age_tolerance_years",
        default: 2,
        min: 0,
        max: 10,
        label_vi: "Chênh lệch tuổi so với khối lớp được chấp nhận (năm)",
        label_en: "Accepted difference between age and grade (years)",
    },
    SettingDef {
        key: "capacity_preschool",
        default: 35,
        min: 1,
        max: 100,
        label_vi: "Sĩ số tối đa nhóm/lớp mầm non",
        label_en: "Maximum size of a preschool group",
    },
    SettingDef {
        key: "capacity_primary",
        default: 35,
        min: 1,
        max: 100,
        label_vi: "Sĩ số tối đa lớp tiểu học (Thông tư 28/2020)",
        label_en: "Maximum primary class size (Circular 28/2020)",
    },
    SettingDef {
        key: "capacity_secondary",
        default: 45,
        min: 1,
        max: 100,
        label_vi: "Sĩ số tối đa lớp THCS, THPT (Thông tư 32/2020)",
        label_en: "Maximum secondary class size (Circular 32/2020)",
    },
];

/// The settings in force (defaults, then stored values).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct QualitySettings {
    pub id_target_percent: i64,
    pub id_target_exit_grades_percent: i64,
    pub age_tolerance_years: i64,
    pub capacity_preschool: i64,
    pub capacity_primary: i64,
    pub capacity_secondary: i64,
}

impl Default for QualitySettings {
    fn default() -> Self {
        QualitySettings::from_values(std::iter::empty())
    }
}

impl QualitySettings {
    /// Builds the settings from stored `(key, value)` pairs; unknown keys and values out of
    /// bounds are ignored (the default stands).
    pub fn from_values<'a>(values: impl IntoIterator<Item = (&'a str, i64)>) -> QualitySettings {
        let stored: HashMap<&str, i64> = values.into_iter().collect();
        let get = |key: &str| {
            let def = setting_def(key).expect("known setting");
            stored
                .get(key)
                .copied()
                .filter(|v| (def.min..=def.max).contains(v))
                .unwrap_or(def.default)
        };
        QualitySettings {
            id_target_percent: get("id_target_percent"),
            id_target_exit_grades_percent: get("id_target_exit_grades_percent"),
            age_tolerance_years: get("age_tolerance_years"),
            capacity_preschool: get("capacity_preschool"),
            capacity_primary: get("capacity_primary"),
            capacity_secondary: get("capacity_secondary"),
        }
    }

    pub fn value(&self, key: &str) -> Option<i64> {
        Some(match key {
            "id_target_percent" => self.id_target_percent,
            "id_target_exit_grades_percent" => self.id_target_exit_grades_percent,
            "age_tolerance_years" => self.age_tolerance_years,
            "capacity_preschool" => self.capacity_preschool,
            "capacity_primary" => self.capacity_primary,
            "capacity_secondary" => self.capacity_secondary,
            _ => return None,
        })
    }

    /// The maximum size of a class of `grade` (0 = preschool).
    pub fn class_max(&self, grade: i32) -> i64 {
        match grade {
            0 => self.capacity_preschool,
            1..=5 => self.capacity_primary,
            _ => self.capacity_secondary,
        }
    }
}

pub fn setting_def(key: &str) -> Option<&'static SettingDef> {
    SETTINGS.iter().find(|s| s.key == key)
}

/// Checks a setting typed by a user: a whole number within the setting's bounds.
pub fn parse_setting(key: &str, raw: &str) -> Result<i64, String> {
    let def = setting_def(key).ok_or_else(|| format!("Không có thiết lập '{key}'."))?;
    let value: i64 = raw
        .trim()
        .parse()
        .map_err(|_| format!("Phải là một số nguyên: '{}'.", raw.trim()))?;
    if (def.min..=def.max).contains(&value) {
        Ok(value)
    } else {
        Err(format!("Phải trong khoảng {} đến {}.", def.min, def.max))
    }
}

/// What the checks need to know about one learner record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LearnerFacts {
    pub national_id: Option<String>,
    pub birth_date: NaiveDate,
    pub gender: Gender,
    pub ethnicity_code: Option<String>,
    pub address: Option<String>,
    pub ward_code: Option<String>,
    pub guardians: u32,
    pub guardian_phones: u32,
    /// The grade of the learner's class this school year, when enrolled in one.
    pub grade: Option<i32>,
    /// Whether the learner is enrolled in the current school year at all.
    pub enrolled: bool,
    /// The day the record was last changed.
    pub updated_on: NaiveDate,
    /// Another learner record with the same personal ID is open as a duplicate case.
    pub duplicate: bool,
}

/// The school year the checks run in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct YearContext {
    /// 2025 for 2025-2026.
    pub start_year: i32,
    pub starts_on: NaiveDate,
}

/// One problem found, before it is stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    pub rule: RuleCode,
    pub severity: Severity,
    /// Vietnamese, with both values where two disagree.
    pub detail: String,
}

/// The expected fields of a learner record: (key, Vietnamese, English).
pub const EXPECTED_FIELDS: [(&str, &str, &str); 7] = [
    ("national_id", "Mã định danh cá nhân", "Personal ID"),
    ("ethnicity_code", "Dân tộc", "Ethnicity"),
    ("address", "Địa chỉ", "Address"),
    ("ward_code", "Xã/phường nơi ở", "Home commune/ward"),
    ("guardian", "Cha mẹ/người giám hộ", "Parent or guardian"),
    (
        "guardian_phone",
        "Số điện thoại người giám hộ",
        "Guardian phone",
    ),
    (
        "class",
        "Lớp trong năm học hiện tại",
        "Class this school year",
    ),
];

fn filled(s: &Option<String>) -> bool {
    s.as_deref().is_some_and(|v| !v.trim().is_empty())
}

/// How many of the [`EXPECTED_FIELDS`] the record fills (out of `EXPECTED_FIELDS.len()`).
pub fn completeness(f: &LearnerFacts) -> u32 {
    [
        filled(&f.national_id),
        filled(&f.ethnicity_code),
        filled(&f.address),
        filled(&f.ward_code),
        f.guardians > 0,
        f.guardian_phones > 0,
        f.grade.is_some(),
    ]
    .iter()
    .map(|b| u32::from(*b))
    .sum()
}

/// Whether the record has a personal ID that is well formed and agrees with the person (the
/// plan indicator's "valid personal ID").
pub fn has_valid_id(f: &LearnerFacts) -> bool {
    f.national_id.as_deref().is_some_and(|id| {
        national_id::check(id, Some(f.birth_date), Some(f.gender)).status == IdStatus::Ok
    })
}

/// Every issue of one learner record under the rules in force.
pub fn learner_findings(
    f: &LearnerFacts,
    year: &YearContext,
    settings: &QualitySettings,
    rules: &RuleSet,
) -> Vec<Finding> {
    let mut out = Vec::new();
    let mut push = |rule: RuleCode, detail: String| {
        if rules.enabled(rule) {
            out.push(Finding {
                rule,
                severity: rules.severity(rule),
                detail,
            });
        }
    };
    for (rule, detail) in id_findings(f) {
        push(rule, detail);
    }
    if f.duplicate {
        push(
            RuleCode::DuplicatePerson,
            "Mã định danh này có ở một hồ sơ học sinh khác.".into(),
        );
    }
    if f.guardians == 0 {
        push(
            RuleCode::GuardianMissing,
            "Chưa khai báo người giám hộ.".into(),
        );
    } else if f.guardian_phones == 0 {
        push(
            RuleCode::GuardianPhoneMissing,
            format!("{} người giám hộ, không ai có số điện thoại.", f.guardians),
        );
    }
    if !filled(&f.ward_code) {
        push(
            RuleCode::WardMissing,
            "Chưa khai báo xã/phường nơi ở.".into(),
        );
    }
    if let Some(detail) = age_grade(f, year, settings) {
        push(RuleCode::AgeGrade, detail);
    }
    if f.updated_on < year.starts_on {
        push(
            RuleCode::StaleRecord,
            format!(
                "Cập nhật lần cuối ngày {}, trước khi năm học bắt đầu ({}).",
                f.updated_on.format("%d/%m/%Y"),
                year.starts_on.format("%d/%m/%Y")
            ),
        );
    }
    out
}

/// The ID rules: missing, malformed, unknown province, disagreeing with the person, and (a
/// warning) registered in a province other than the one the learner lives in.
fn id_findings(f: &LearnerFacts) -> Vec<(RuleCode, String)> {
    let Some(id) = f.national_id.as_deref().filter(|s| !s.trim().is_empty()) else {
        return vec![(RuleCode::IdMissing, "Chưa có mã định danh cá nhân.".into())];
    };
    let check = national_id::check(id, Some(f.birth_date), Some(f.gender));
    match check.status {
        IdStatus::Malformed => vec![(
            RuleCode::IdMalformed,
            format!("'{}' không phải 12 chữ số.", id.trim()),
        )],
        IdStatus::UnknownProvince => vec![(
            RuleCode::IdUnknownProvince,
            format!(
                "Mã tỉnh '{}' không có trong danh mục.",
                check.province_code.unwrap_or_default()
            ),
        )],
        IdStatus::Mismatch => vec![(
            RuleCode::IdMismatch,
            format!(
                "Mã định danh: {}, sinh năm {}; hồ sơ: {}, sinh năm {}.",
                check.gender.map_or("?", |g| g.label_vi()),
                check.birth_year.unwrap_or_default(),
                f.gender.label_vi(),
                f.birth_date.year()
            ),
        )],
        IdStatus::Ok => province_finding(&check.province_code.unwrap_or_default(), f)
            .into_iter()
            .collect(),
    }
}

fn province_finding(id_province: &str, f: &LearnerFacts) -> Option<(RuleCode, String)> {
    let ward = reference::ward_2025(f.ward_code.as_deref()?)?;
    let provinces = provinces_of_id_code(id_province)?;
    (!provinces.contains(ward.province_code.as_str())).then(|| {
        (
            RuleCode::IdProvince,
            format!(
                "Mã định danh đăng ký tại {} (mã {id_province}); nơi ở: {}.",
                reference::id_province_name(id_province).unwrap_or("?"),
                ward.province_name
            ),
        )
    })
}

/// The current (2025) provinces that the legacy province of an ID code became, following the
/// ward successions: "062" (Kon Tum) → {Quảng Ngãi}. IDs keep their legacy code after mergers.
pub fn provinces_of_id_code(code: &str) -> Option<&'static HashSet<String>> {
    static MAP: LazyLock<HashMap<String, HashSet<String>>> = LazyLock::new(|| {
        let legacy: HashMap<&str, &str> = reference::legacy_wards()
            .iter()
            .map(|w| (w.code.as_str(), w.province_code.as_str()))
            .collect();
        let mut map: HashMap<String, HashSet<String>> = HashMap::new();
        for s in reference::ward_successions() {
            if let (Some(old), Some(new)) = (
                legacy.get(s.legacy_ward_code.as_str()),
                reference::ward_2025(&s.ward_code_2025),
            ) {
                map.entry(format!("0{old}"))
                    .or_default()
                    .insert(new.province_code.clone());
            }
        }
        map
    });
    MAP.get(code)
}

/// The age-vs-grade check (a judgement call, see the module documentation).
fn age_grade(f: &LearnerFacts, year: &YearContext, settings: &QualitySettings) -> Option<String> {
    let grade = f.grade.filter(|g| *g >= 1)?;
    let age = year.start_year - f.birth_date.year();
    let expected = grade + 5;
    ((i64::from(age) - i64::from(expected)).abs() > settings.age_tolerance_years).then(|| {
        format!("{age} tuổi (tính theo năm) học khối {grade}; tuổi thường gặp: {expected}.")
    })
}

/// The class rule: more learners than the maximum for its grade.
pub fn class_findings(
    grade: i32,
    learners: i64,
    settings: &QualitySettings,
    rules: &RuleSet,
) -> Vec<Finding> {
    let max = settings.class_max(grade);
    if learners > max && rules.enabled(RuleCode::ClassOverCapacity) {
        vec![Finding {
            rule: RuleCode::ClassOverCapacity,
            severity: rules.severity(RuleCode::ClassOverCapacity),
            detail: format!("Sĩ số {learners}, tối đa {max}."),
        }]
    } else {
        vec![]
    }
}

/// A percentage with one decimal, or `None` of nothing.
pub fn percent(part: i64, whole: i64) -> Option<f64> {
    (whole > 0).then(|| (1000.0 * part as f64 / whole as f64).round() / 10.0)
}

/// Counts over a set of learner records (a class, a school, a subtree), added up from schools.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Tally {
    pub learners: i64,
    /// Expected fields filled, summed over the learners.
    pub filled: i64,
    /// Expected fields, summed over the learners.
    pub expected: i64,
    /// Learners without an error or a warning.
    pub clean: i64,
    pub errors: i64,
    pub warnings: i64,
    pub infos: i64,
    /// Learners of grades 9–12 currently studying, and those of them with a valid personal ID.
    pub id_eligible: i64,
    pub id_valid: i64,
    /// The same for grades 9 and 12 only.
    pub id_exit_eligible: i64,
    pub id_exit_valid: i64,
}

impl Tally {
    pub fn add(&mut self, o: &Tally) {
        self.learners += o.learners;
        self.filled += o.filled;
        self.expected += o.expected;
        self.clean += o.clean;
        self.errors += o.errors;
        self.warnings += o.warnings;
        self.infos += o.infos;
        self.id_eligible += o.id_eligible;
        self.id_valid += o.id_valid;
        self.id_exit_eligible += o.id_exit_eligible;
        self.id_exit_valid += o.id_exit_valid;
    }

    /// Share of expected fields filled (%).
    pub fn completeness(&self) -> Option<f64> {
        percent(self.filled, self.expected)
    }

    /// Share of records without an error or a warning (%).
    pub fn quality(&self) -> Option<f64> {
        percent(self.clean, self.learners)
    }

    /// The score ranking units: the mean of completeness and quality (0–100).
    pub fn score(&self) -> Option<f64> {
        match (self.completeness(), self.quality()) {
            (Some(c), Some(q)) => Some(((c + q) / 2.0 * 10.0).round() / 10.0),
            _ => None,
        }
    }

    pub fn id_percent(&self) -> Option<f64> {
        percent(self.id_valid, self.id_eligible)
    }

    pub fn id_exit_percent(&self) -> Option<f64> {
        percent(self.id_exit_valid, self.id_exit_eligible)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn year() -> YearContext {
        YearContext {
            start_year: 2025,
            starts_on: NaiveDate::from_ymd_opt(2025, 8, 1).unwrap(),
        }
    }

    /// A clean grade-6 learner of Quảng Ngãi (ID 051, ward of Quảng Ngãi).
    fn clean() -> LearnerFacts {
        let birth_date = NaiveDate::from_ymd_opt(2014, 3, 2).unwrap();
        let ward = reference::wards_2025()
            .iter()
            .find(|w| w.province_code == "51")
            .unwrap();
        LearnerFacts {
            national_id: national_id::compose("051", 2014, Gender::Female, 123),
            birth_date,
            gender: Gender::Female,
            ethnicity_code: Some("01".into()),
            address: Some("Thôn 1".into()),
            ward_code: Some(ward.code.clone()),
            guardians: 1,
            guardian_phones: 1,
            grade: Some(6),
            enrolled: true,
            updated_on: NaiveDate::from_ymd_opt(2025, 9, 10).unwrap(),
            duplicate: false,
        }
    }

    fn rules_of(f: &LearnerFacts) -> Vec<RuleCode> {
        learner_findings(f, &year(), &QualitySettings::default(), &RuleSet::default())
            .into_iter()
            .map(|x| x.rule)
            .collect()
    }

    #[test]
    fn the_shipped_rules_parse_and_match_the_codes() {
        assert_eq!(rules().len(), RuleCode::ALL.len());
        for r in rules() {
            assert_eq!(r.label_vi, r.code.label_vi(), "{}", r.code);
            assert_eq!(r.label_en, r.code.label_en(), "{}", r.code);
        }
        assert_eq!(rule(RuleCode::IdProvince).severity, Severity::Warning);
        assert!(rule(RuleCode::AgeGrade).judgement);
        assert_eq!(rule(RuleCode::ClassOverCapacity).entity, RuleEntity::Class);
    }

    #[test]
    fn bad_rule_files_are_refused() {
        assert!(
            parse_rules("code,entity,severity,enabled,field,fix,judgement,label_vi,label_en\n")
                .unwrap_err()
                .contains("thiếu")
        );
        let line = "id_missing,learner,fatal,true,national_id,learner_edit,false,a,b";
        let e = parse_rules(&format!(
            "code,entity,severity,enabled,field,fix,judgement,label_vi,label_en\n{line}\n"
        ))
        .unwrap_err();
        assert!(e.contains("dòng 2"), "{e}");
    }

    #[test]
    fn a_clean_record_has_no_issue_and_is_complete() {
        let f = clean();
        assert_eq!(rules_of(&f), []);
        assert_eq!(completeness(&f), EXPECTED_FIELDS.len() as u32);
        assert!(has_valid_id(&f));
    }

    #[test]
    fn each_planted_kind_is_found() {
        let mut f = clean();
        f.national_id = None;
        assert_eq!(rules_of(&f), [RuleCode::IdMissing]);
        assert_eq!(completeness(&f), 6);
        let mut f = clean();
        f.national_id = national_id::compose("051", 2014, Gender::Male, 123);
        assert_eq!(rules_of(&f), [RuleCode::IdMismatch]);
        assert!(!has_valid_id(&f));
        let mut f = clean();
        f.guardian_phones = 0;
        assert_eq!(rules_of(&f), [RuleCode::GuardianPhoneMissing]);
        let mut f = clean();
        f.duplicate = true;
        assert_eq!(rules_of(&f), [RuleCode::DuplicatePerson]);
    }

    #[test]
    fn id_province_follows_the_2025_mergers() {
        // Kon Tum (062) merged into Quảng Ngãi: an ID of 062 agrees with a Quảng Ngãi ward.
        let mut f = clean();
        f.national_id = national_id::compose("062", 2014, Gender::Female, 9);
        assert_eq!(rules_of(&f), []);
        f.national_id = national_id::compose("001", 2014, Gender::Female, 9);
        assert_eq!(rules_of(&f), [RuleCode::IdProvince]);
        let hit = &learner_findings(
            &f,
            &year(),
            &QualitySettings::default(),
            &RuleSet::default(),
        )[0];
        assert_eq!(hit.severity, Severity::Warning);
        assert!(hit.detail.contains("Hà Nội"), "{}", hit.detail);
    }

    #[test]
    fn age_grade_uses_the_tolerance() {
        let mut f = clean();
        f.grade = Some(9); // expected 14, actual 11
        assert_eq!(rules_of(&f), [RuleCode::AgeGrade]);
        let wide = QualitySettings {
            age_tolerance_years: 3,
            ..Default::default()
        };
        assert!(learner_findings(&f, &year(), &wide, &RuleSet::default()).is_empty());
        f.grade = Some(0);
        assert_eq!(rules_of(&f), []);
    }

    #[test]
    fn disabled_rules_are_silent_and_overrides_change_severity() {
        let mut f = clean();
        f.national_id = None;
        f.updated_on = NaiveDate::from_ymd_opt(2024, 1, 1).unwrap();
        assert_eq!(rules_of(&f), [RuleCode::IdMissing, RuleCode::StaleRecord]);
        let set = RuleSet::with_overrides([
            RuleOverride {
                code: RuleCode::StaleRecord,
                enabled: false,
                severity: Severity::Info,
            },
            RuleOverride {
                code: RuleCode::IdMissing,
                enabled: true,
                severity: Severity::Warning,
            },
        ]);
        let found = learner_findings(&f, &year(), &QualitySettings::default(), &set);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].severity, Severity::Warning);
    }

    #[test]
    fn class_capacity_by_level() {
        let s = QualitySettings::default();
        let set = RuleSet::default();
        assert!(class_findings(3, 35, &s, &set).is_empty());
        assert_eq!(
            class_findings(3, 36, &s, &set)[0].rule,
            RuleCode::ClassOverCapacity
        );
        assert!(class_findings(7, 45, &s, &set).is_empty());
        assert_eq!(class_findings(11, 46, &s, &set).len(), 1);
    }

    #[test]
    fn settings_are_bounded() {
        assert_eq!(parse_setting("id_target_percent", " 90 "), Ok(90));
        assert!(parse_setting("id_target_percent", "101").is_err());
        assert!(parse_setting("id_target_percent", "abc").is_err());
        assert!(parse_setting("nope", "1").is_err());
        let s =
            QualitySettings::from_values([("id_target_percent", 90), ("capacity_primary", 500)]);
        assert_eq!(s.id_target_percent, 90);
        assert_eq!(s.capacity_primary, 35);
    }

    #[test]
    fn scores() {
        let t = Tally {
            learners: 4,
            filled: 21,
            expected: 28,
            clean: 3,
            ..Default::default()
        };
        assert_eq!(t.completeness(), Some(75.0));
        assert_eq!(t.quality(), Some(75.0));
        assert_eq!(t.score(), Some(75.0));
        assert_eq!(Tally::default().score(), None);
    }

    proptest! {
        #[test]
        fn findings_never_panic_and_completeness_is_bounded(
            id in proptest::option::of(".{0,14}"),
            days in 0i64..9000,
            grade in proptest::option::of(0i32..=12),
            guardians in 0u32..4,
            phones in 0u32..4,
            ward in proptest::option::of("[0-9]{5}"),
        ) {
            let mut f = clean();
            f.national_id = id;
            f.birth_date = NaiveDate::from_ymd_opt(2000, 1, 1).unwrap() + chrono::Days::new(days as u64);
            f.grade = grade;
            f.guardians = guardians;
            f.guardian_phones = phones.min(guardians);
            f.ward_code = ward;
            let found = learner_findings(&f, &year(), &QualitySettings::default(), &RuleSet::default());
            prop_assert!(completeness(&f) as usize <= EXPECTED_FIELDS.len());
            // The ID is valid exactly when no ID error is reported.
            let id_error = found.iter().any(|x| matches!(x.rule, RuleCode::IdMissing | RuleCode::IdMalformed | RuleCode::IdUnknownProvince | RuleCode::IdMismatch));
            prop_assert_eq!(has_valid_id(&f), !id_error);
        }

        #[test]
        fn a_valid_composed_id_is_never_flagged(year_of_birth in 2005i32..2022, female: bool, serial in 0u32..1_000_000) {
            let mut f = clean();
            f.gender = if female { Gender::Female } else { Gender::Male };
            f.birth_date = NaiveDate::from_ymd_opt(year_of_birth, 6, 1).unwrap();
            f.grade = None;
            f.national_id = national_id::compose("051", year_of_birth, f.gender, serial);
            prop_assert_eq!(rules_of(&f), Vec::<RuleCode>::new());
        }
    }
}
