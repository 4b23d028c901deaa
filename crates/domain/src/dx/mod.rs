//! The digital-maturity index of Decision 4725/QĐ-BGDĐT: scoring a school's answers against a
//! criteria version, the level of each group and of the school, and the distribution of levels
//! against the plan target. Facts: shared/domain/dx-index.md; the uncertain readings ([check],
//! [open]) are settings ([`DxRules`], the `[dx]` table of the settings file).

pub mod criteria;

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::codes::code_enum;
pub use criteria::{AnswerKind, CriteriaError, CriteriaSet, Group, Indicator, Measure};

/// A group reaches Mức độ 2 from this score…
pub const LEVEL2_FROM: f64 = 50.0;
/// …and Mức độ 3 above this one (75 itself is Mức độ 2).
pub const LEVEL3_ABOVE: f64 = 75.0;

code_enum! {
    /// How the two groups' levels make the school's level ([open] in the source).
    Combine {
        Lower => "lower", "Mức thấp hơn của hai nhóm", "The lower of the two groups";
        Higher => "higher", "Mức cao hơn của hai nhóm", "The higher of the two groups";
        MeanScore => "mean_score", "Theo điểm trung bình hai nhóm", "By the mean of the two scores";
    }
}

/// The plan target for the distribution of levels over a unit's schools, as cumulative shares
/// of all its schools: "≥ 70 % at level 1 or above" reads as 70 % of the schools have an
/// assessment at all (every assessed school is at least Mức độ 1), "30 % at level 2" as 30 % at
/// Mức độ 2 *or 3*, "5 % at level 3" as 5 % at Mức độ 3.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct Targets {
    pub level1_percent: f64,
    pub level2_percent: f64,
    pub level3_percent: f64,
}

impl Default for Targets {
    fn default() -> Self {
        Targets {
            level1_percent: 70.0,
            level2_percent: 30.0,
            level3_percent: 5.0,
        }
    }
}

/// The readings dx-index.md leaves open, configurable per installation (`[dx]`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DxRules {
    /// [check] A group missing a mandatory condition stays at Mức độ 1 whatever its score.
    pub mandatory_caps_level: bool,
    /// [open] How the school's level follows from the two groups (default: the lower).
    pub combine: Combine,
    pub targets: Targets,
}

impl Default for DxRules {
    fn default() -> Self {
        DxRules {
            mandatory_caps_level: true,
            combine: Combine::Lower,
            targets: Targets::default(),
        }
    }
}

/// The level of a score alone: 1 below 50, 2 for 50–75, 3 above 75.
pub fn level_of_score(score: f64) -> u8 {
    if score > LEVEL3_ABOVE {
        3
    } else if score >= LEVEL2_FROM {
        2
    } else {
        1
    }
}

/// The level of one group (what the golden file `dx-index.json` checks).
pub fn group_level(score: f64, mandatory_met: bool, rules: &DxRules) -> u8 {
    if !mandatory_met && rules.mandatory_caps_level {
        1
    } else {
        level_of_score(score)
    }
}

/// A declared value: 1/0 for yes/no, a percentage for a share, a count of functions.
pub type Answers = BTreeMap<String, f64>;

/// What the value of an answer must be, in Vietnamese, when it is out of range.
pub fn check_value(indicator: &Indicator, value: f64) -> Result<(), String> {
    let ok = value.is_finite()
        && value >= 0.0
        && value <= indicator.max_value()
        && (indicator.answer == AnswerKind::Share || value.fract() == 0.0);
    if ok {
        Ok(())
    } else {
        Err(match indicator.answer {
            AnswerKind::YesNo => "Chọn Có hoặc Không.".to_string(),
            AnswerKind::Share => "Tỷ lệ phải là số từ 0 đến 100.".to_string(),
            AnswerKind::Functions => format!(
                "Số chức năng phải là số nguyên từ 0 đến {}.",
                indicator.max_value()
            ),
        })
    }
}

/// Points an answer earns (unanswered earns nothing). Shares are pro rata ([check], see the
/// criteria file); values beyond the range count as the range's end.
pub fn points(indicator: &Indicator, value: Option<f64>) -> f64 {
    let Some(v) = value.filter(|v| v.is_finite()) else {
        return 0.0;
    };
    let v = v.clamp(0.0, indicator.max_value());
    let earned = match indicator.answer {
        _ if indicator.mandatory => 0.0,
        AnswerKind::YesNo => {
            if v >= 1.0 {
                indicator.max_points()
            } else {
                0.0
            }
        }
        AnswerKind::Share => indicator.max_points() * v / 100.0,
        AnswerKind::Functions => v.floor() * indicator.points_each.unwrap_or(0.0),
    };
    round2(earned)
}

/// Scores are kept to two decimals, so that what is stored equals what is recomputed.
pub fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

/// One group's result.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct GroupScore {
    pub code: String,
    pub score: f64,
    pub max: f64,
    pub mandatory_met: bool,
    /// The codes of unmet mandatory conditions.
    pub missing_mandatory: Vec<String>,
    pub level: u8,
}

/// A whole assessment's result.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Scored {
    pub groups: Vec<GroupScore>,
    pub level: u8,
}

/// Scores answers against a criteria set: each group's points, its mandatory conditions and
/// level, and the school's level by [`DxRules::combine`]. Answers of unknown codes are ignored.
pub fn score(set: &CriteriaSet, answers: &Answers, rules: &DxRules) -> Scored {
    let groups: Vec<GroupScore> = set
        .groups
        .iter()
        .map(|g| {
            let total: f64 = g
                .indicators
                .iter()
                .map(|i| points(i, answers.get(&i.code).copied()))
                .sum();
            let missing: Vec<String> = g
                .indicators
                .iter()
                .filter(|i| i.mandatory && answers.get(&i.code).is_none_or(|v| *v < 1.0))
                .map(|i| i.code.clone())
                .collect();
            let score = round2(total);
            GroupScore {
                code: g.code.clone(),
                score,
                max: g.max_points(),
                mandatory_met: missing.is_empty(),
                level: group_level(score, missing.is_empty(), rules),
                missing_mandatory: missing,
            }
        })
        .collect();
    let level = combine(&groups, rules);
    Scored { groups, level }
}

fn combine(groups: &[GroupScore], rules: &DxRules) -> u8 {
    let levels = groups.iter().map(|g| g.level);
    match rules.combine {
        Combine::Lower => levels.min().unwrap_or(1),
        Combine::Higher => levels.max().unwrap_or(1),
        Combine::MeanScore => {
            let mean = groups.iter().map(|g| g.score).sum::<f64>() / groups.len().max(1) as f64;
            let all_met = groups.iter().all(|g| g.mandatory_met);
            group_level(round2(mean), all_met, rules)
        }
    }
}

code_enum! {
    /// Where a school's self-assessment stands: the school edits a draft (or a returned one),
    /// submits it; the managing office approves it or returns it with comments.
    AssessmentStatus {
        Draft => "draft", "Đang tự đánh giá", "Draft";
        Submitted => "submitted", "Đã gửi, chờ duyệt", "Submitted";
        Returned => "returned", "Bị trả lại để sửa", "Returned";
        Approved => "approved", "Đã duyệt", "Approved";
    }
}

impl AssessmentStatus {
    /// Whether the school may still change its answers and evidence.
    pub fn editable(self) -> bool {
        matches!(self, AssessmentStatus::Draft | AssessmentStatus::Returned)
    }

    /// Whether its stored level counts in the distribution: approved, or the latest
    /// submission (still waiting, or returned for corrections) — the school did assess itself.
    pub fn counts_as_assessed(self) -> bool {
        !matches!(self, AssessmentStatus::Draft)
    }
}

code_enum! {
    /// The evidence file types accepted, recognised by their content.
    EvidenceType {
        Pdf => "pdf", "PDF", "PDF";
        Jpeg => "jpeg", "Ảnh JPEG", "JPEG image";
        Png => "png", "Ảnh PNG", "PNG image";
        Docx => "docx", "Văn bản Word (.docx)", "Word document (.docx)";
        Xlsx => "xlsx", "Bảng tính Excel (.xlsx)", "Excel workbook (.xlsx)";
    }
}

/// The largest evidence file accepted.
pub const MAX_EVIDENCE_BYTES: usize = 5 * 1024 * 1024;

impl EvidenceType {
    pub fn mime(self) -> &'static str {
        match self {
            EvidenceType::Pdf => "application/pdf",
            EvidenceType::Jpeg => "image/jpeg",
            EvidenceType::Png => "image/png",
            EvidenceType::Docx => {
                "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
            }
            EvidenceType::Xlsx => {
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
            }
        }
    }

    fn extensions(self) -> &'static [&'static str] {
        match self {
            EvidenceType::Pdf => &["pdf"],
            EvidenceType::Jpeg => &["jpg", "jpeg"],
            EvidenceType::Png => &["png"],
            EvidenceType::Docx => &["docx"],
            EvidenceType::Xlsx => &["xlsx"],
        }
    }

    /// The type of a file by its content: magic numbers, and for the zip-based Office formats
    /// the part that makes a zip a Word document or a workbook.
    pub fn sniff(bytes: &[u8]) -> Option<EvidenceType> {
        if bytes.starts_with(b"%PDF-") {
            Some(EvidenceType::Pdf)
        } else if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
            Some(EvidenceType::Jpeg)
        } else if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
            Some(EvidenceType::Png)
        } else if bytes.starts_with(b"PK\x03\x04") {
            let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).ok()?;
            if zip.by_name("word/document.xml").is_ok() {
                Some(EvidenceType::Docx)
            } else if zip.by_name("xl/workbook.xml").is_ok() {
                Some(EvidenceType::Xlsx)
            } else {
                None
            }
        } else {
            None
        }
    }
}

/// Checks an evidence file: its size, and that its content is an accepted type agreeing with
/// its name's extension (a renamed executable is neither). The message is for the uploader.
pub fn check_evidence(file_name: &str, bytes: &[u8]) -> Result<EvidenceType, String> {
    check_file(file_name, bytes, EvidenceType::ALL)
}

/// Checks an uploaded file against the types `accepted` (by content, agreeing with the name's
/// extension) and [`MAX_EVIDENCE_BYTES`]; shared by every upload of documents (admission too).
pub fn check_file(
    file_name: &str,
    bytes: &[u8],
    accepted: &[EvidenceType],
) -> Result<EvidenceType, String> {
    if bytes.is_empty() {
        return Err("Tệp rỗng.".into());
    }
    if bytes.len() > MAX_EVIDENCE_BYTES {
        return Err(format!(
            "Tệp lớn hơn {} MB.",
            MAX_EVIDENCE_BYTES / 1024 / 1024
        ));
    }
    let refused = || {
        // "PDF, ảnh JPEG, ảnh PNG": labels lower-cased mid-sentence, acronyms kept.
        let names: Vec<String> = accepted
            .iter()
            .map(|t| {
                let label = t.label_vi();
                let mut chars = label.chars();
                match (chars.next(), chars.next()) {
                    (Some(first), Some(second)) if second.is_lowercase() => {
                        first.to_lowercase().chain(label.chars().skip(1)).collect()
                    }
                    _ => label.to_string(),
                }
            })
            .collect();
        format!(
            "Chỉ nhận tệp {}: nội dung tệp không thuộc loại nào trong số đó.",
            names.join(", ")
        )
    };
    let kind = EvidenceType::sniff(bytes)
        .filter(|k| accepted.contains(k))
        .ok_or_else(refused)?;
    let ext = file_name
        .rsplit_once('.')
        .map(|(_, e)| e.to_lowercase())
        .unwrap_or_default();
    if !kind.extensions().contains(&ext.as_str()) {
        return Err(format!(
            "Nội dung tệp là {} nhưng tên tệp có đuôi '.{ext}'.",
            kind.label_vi()
        ));
    }
    Ok(kind)
}

/// Schools of a unit by level: `counts[0]` not assessed, `counts[1..=3]` at Mức độ 1–3.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct LevelCounts {
    pub not_assessed: u64,
    pub level1: u64,
    pub level2: u64,
    pub level3: u64,
}

impl LevelCounts {
    pub fn add(&mut self, level: Option<u8>) {
        match level {
            Some(3) => self.level3 += 1,
            Some(2) => self.level2 += 1,
            Some(_) => self.level1 += 1,
            None => self.not_assessed += 1,
        }
    }

    pub fn total(&self) -> u64 {
        self.not_assessed + self.level1 + self.level2 + self.level3
    }

    /// Cumulative shares (percent of all schools) at level ≥ 1, ≥ 2 and 3.
    pub fn cumulative_percents(&self) -> [f64; 3] {
        let total = self.total().max(1) as f64;
        let at_least = |n: u64| round2(n as f64 * 100.0 / total);
        [
            at_least(self.level1 + self.level2 + self.level3),
            at_least(self.level2 + self.level3),
            at_least(self.level3),
        ]
    }

    /// Whether each cumulative share meets its target (none without schools).
    pub fn meets(&self, targets: &Targets) -> Option<[bool; 3]> {
        if self.total() == 0 {
            return None;
        }
        let p = self.cumulative_percents();
        Some([
            p[0] >= targets.level1_percent,
            p[1] >= targets.level2_percent,
            p[2] >= targets.level3_percent,
        ])
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn full_marks(set: &CriteriaSet) -> Answers {
        set.indicators()
            .map(|i| (i.code.clone(), i.max_value()))
            .collect()
    }

    #[test]
    fn scores_groups_and_combines_by_the_lower_level() {
        let set = CriteriaSet::current();
        let rules = DxRules::default();
        let mut answers = full_marks(set);
        let s = score(set, &answers, &rules);
        assert_eq!(s.groups[0].score, 100.0);
        assert_eq!(s.groups[1].score, 90.0);
        assert_eq!(s.level, 3);
        // Teaching at 62: 30 (software) + 10 × 50 % + 15 + 5 + 7 + 0 …
        answers.insert("1.3".into(), 3.0); // 18 of 30
        answers.insert("1.4".into(), 50.0); // 5 of 10
        answers.insert("1.5a".into(), 0.0); // 0 of 15
        let s = score(set, &answers, &rules);
        assert_eq!(s.groups[0].score, 100.0 - 12.0 - 5.0 - 15.0);
        assert_eq!(s.groups[0].level, 2);
        assert_eq!(s.level, 2);
        let higher = DxRules {
            combine: Combine::Higher,
            ..DxRules::default()
        };
        assert_eq!(score(set, &answers, &higher).level, 3);
        // A missing mandatory condition caps the group, unless the setting says otherwise.
        answers.insert("2.1".into(), 0.0);
        let s = score(set, &answers, &rules);
        assert_eq!(s.groups[1].missing_mandatory, vec!["2.1".to_string()]);
        assert_eq!((s.groups[1].level, s.level), (1, 1));
        let uncapped = DxRules {
            mandatory_caps_level: false,
            ..DxRules::default()
        };
        assert_eq!(score(set, &answers, &uncapped).groups[1].level, 3);
    }

    #[test]
    fn shares_are_pro_rata_and_values_are_checked() {
        let set = CriteriaSet::current();
        let share = set.indicator("2.3c").unwrap();
        assert_eq!(points(share, Some(37.5)), 3.75);
        assert_eq!(points(share, None), 0.0);
        assert!(check_value(share, 100.5).is_err());
        let functions = set.indicator("1.3").unwrap();
        assert_eq!(points(functions, Some(4.0)), 24.0);
        assert!(check_value(functions, 2.5).is_err());
        assert!(check_value(functions, 6.0).is_err());
        let yes_no = set.indicator("1.7c").unwrap();
        assert!(check_value(yes_no, 1.0).is_ok() && check_value(yes_no, 2.0).is_err());
    }

    #[test]
    fn the_golden_cases_of_the_shared_folder_pass() {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../../shared/domain/golden/dx-index.json"
        );
        let text = std::fs::read_to_string(path).expect("the shared golden file");
        let cases = crate::golden::parse_cases(&text).unwrap();
        assert!(!cases.is_empty());
        for case in cases {
            let got = crate::golden::evaluate_dx_level(&case.input, &DxRules::default());
            assert_eq!(got.as_ref(), Ok(&case.expected), "{}", case.name);
        }
    }

    #[test]
    fn evidence_is_recognised_by_its_content() {
        assert_eq!(
            check_evidence("qd.pdf", b"%PDF-1.7\n..."),
            Ok(EvidenceType::Pdf)
        );
        assert_eq!(
            check_evidence("anh.PNG", b"\x89PNG\r\n\x1a\n...."),
            Ok(EvidenceType::Png)
        );
        // A renamed program, a PDF named as a picture, an empty or oversized file: refused.
        assert!(check_evidence("qd.pdf", b"MZ\x90\x00").is_err());
        assert!(check_evidence("anh.png", b"%PDF-1.7").is_err());
        assert!(check_evidence("a.pdf", b"").is_err());
        let mut big = b"%PDF-".to_vec();
        big.resize(MAX_EVIDENCE_BYTES + 1, b' ');
        assert!(check_evidence("a.pdf", &big).is_err());
        // A zip that is neither a Word document nor a workbook.
        let mut zipped = std::io::Cursor::new(Vec::new());
        {
            let mut w = zip::ZipWriter::new(&mut zipped);
            w.start_file("xl/workbook.xml", zip::write::SimpleFileOptions::default())
                .unwrap();
            std::io::Write::write_all(&mut w, b"<workbook/>").unwrap();
            w.finish().unwrap();
        }
        assert_eq!(
            check_evidence("bang.xlsx", zipped.get_ref()),
            Ok(EvidenceType::Xlsx)
        );
        assert!(check_evidence("bang.docx", zipped.get_ref()).is_err());
        // A narrower list (admission documents) refuses the other types, naming the accepted.
        let scans = [EvidenceType::Pdf, EvidenceType::Jpeg, EvidenceType::Png];
        let e = check_file("bang.xlsx", zipped.get_ref(), &scans).unwrap_err();
        assert!(e.contains("PDF, ảnh JPEG, ảnh PNG"), "{e}");
        assert_eq!(
            check_file("qd.pdf", b"%PDF-1.7", &scans),
            Ok(EvidenceType::Pdf)
        );
    }

    #[test]
    fn distribution_shares_are_cumulative() {
        let mut c = LevelCounts::default();
        for level in [None, Some(1), Some(2), Some(2), Some(3)] {
            c.add(level);
        }
        assert_eq!(c.cumulative_percents(), [80.0, 60.0, 20.0]);
        assert_eq!(c.meets(&Targets::default()), Some([true, true, true]));
        assert_eq!(LevelCounts::default().meets(&Targets::default()), None);
    }

    proptest! {
        #[test]
        fn the_level_never_falls_as_the_score_rises(a in 0.0f64..=100.0, b in 0.0f64..=100.0, met in proptest::bool::ANY) {
            let rules = DxRules::default();
            let (lo, hi) = if a <= b { (a, b) } else { (b, a) };
            prop_assert!(group_level(lo, met, &rules) <= group_level(hi, met, &rules));
            prop_assert!(group_level(hi, false, &rules) <= group_level(hi, true, &rules));
        }

        #[test]
        fn more_declared_never_lowers_a_score(code_index in 0usize..25, base in 0.0f64..=1.0, extra in 0.0f64..=1.0) {
            let set = CriteriaSet::current();
            let rules = DxRules::default();
            let ind = set.indicators().nth(code_index % set.indicators().count()).unwrap();
            let mut answers = full_marks(set);
            let low = (base * ind.max_value()).floor();
            let high = (low + extra * (ind.max_value() - low)).floor();
            answers.insert(ind.code.clone(), low);
            let before = score(set, &answers, &rules);
            answers.insert(ind.code.clone(), high);
            let after = score(set, &answers, &rules);
            prop_assert!(after.level >= before.level);
            for (b, a) in before.groups.iter().zip(&after.groups) {
                prop_assert!(a.score >= b.score && a.score <= a.max);
            }
        }
    }
}
