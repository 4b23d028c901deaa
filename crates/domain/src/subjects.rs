//! The subjects and educational activities of the 2018 general education programme (Chương trình
//! giáo dục phổ thông 2018, Circular 32/2018/TT-BGDĐT as amended by Circular 13/2022/TT-BGDĐT), per
//! grade, with how each is assessed: Circular 27/2020/TT-BGDĐT in primary (grades 1–5), Circular
//! 22/2021/TT-BGDĐT in secondary (grades 6–12). See shared/domain/grading.md.
//!
//! Names follow the spelling of the programme itself ("Địa lí", "Vật lí", "Hoá học", "Mĩ thuật").
//! Codes are stable lowercase ASCII: they are stored, and listed in staff profiles.
//!
//! A code names one subject across the grades that teach it: "toan" is Mathematics from grade 1 to
//! 12. Where a rule changes with the grade (primary subjects are rated by comment; Ngoại ngữ 1 is
//! optional in grades 1–2; Tin học and Công nghệ are electives in grades 10–12), ask the subject
//! about a grade with [`Subject::assessment_in`], [`Subject::is_compulsory_in`] and
//! [`Subject::periodic_test_in`].

use std::ops::RangeInclusive;

use serde::Serialize;

use crate::codes::code_enum;

code_enum! {
    /// How a subject's results are recorded.
    Assessment {
        Score => "score", "Đánh giá bằng nhận xét kết hợp điểm số", "Comment and score";
        Comment => "comment", "Đánh giá bằng nhận xét", "Comment only";
    }
}

/// A subject (môn học) or educational activity (hoạt động giáo dục) of the programme.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Subject {
    pub code: &'static str,
    /// Official Vietnamese name (NFC).
    pub name_vi: &'static str,
    pub name_en: &'static str,
    /// How the subject is assessed in grades 6–12 (Circular 22/2021): `Comment` (Đạt/Chưa đạt) for
    /// physical education, arts, experiential activities and local content, `Score` for the rest.
    /// In grades 1–5 every subject is rated by comment (Circular 27/2020), so a primary-only subject
    /// holds `Comment`; [`Subject::assessment_in`] gives the rule of a grade.
    pub assessment: Assessment,
    /// The grades that teach the subject.
    pub grades: RangeInclusive<u8>,
    /// Compulsory (bắt buộc) in every grade of `grades` outside `not_compulsory_in`. False for a
    /// subject that is elective (môn lựa chọn, grades 10–12) in all its grades.
    pub compulsory: bool,
    /// Grades in which a compulsory subject is not compulsory: Ngoại ngữ 1 is optional (tự chọn)
    /// in grades 1–2, Tin học and Công nghệ are electives in grades 10–12.
    pub not_compulsory_in: Option<RangeInclusive<u8>>,
    /// Has periodic tests (bài kiểm tra định kì, Circular 27/2020 art. 7) when taught in grades
    /// 1–5: Tiếng Việt, Toán, Ngoại ngữ 1, Lịch sử và Địa lí, Khoa học, Tin học và Công nghệ.
    pub periodic_test: bool,
    /// Parts taught and assessed separately within the subject, by subject code: Nghệ thuật in
    /// grades 1–9 is Âm nhạc and Mĩ thuật (each also an elective subject of its own in 10–12).
    pub parts: &'static [&'static str],
}

impl Subject {
    pub fn is_taught_in(&self, grade: u8) -> bool {
        self.grades.contains(&grade)
    }

    /// Whether the subject is compulsory in `grade` (false when it is not taught there).
    pub fn is_compulsory_in(&self, grade: u8) -> bool {
        self.is_taught_in(grade)
            && self.compulsory
            && !self
                .not_compulsory_in
                .as_ref()
                .is_some_and(|g| g.contains(&grade))
    }

    /// How the subject is assessed in `grade`: by comment in primary, else [`Subject::assessment`].
    pub fn assessment_in(&self, grade: u8) -> Assessment {
        if grade <= 5 {
            Assessment::Comment
        } else {
            self.assessment
        }
    }

    /// Whether learners of `grade` take periodic tests in the subject (primary only).
    pub fn periodic_test_in(&self, grade: u8) -> bool {
        self.periodic_test && grade <= 5 && self.is_taught_in(grade)
    }
}

/// One table row; keeps the table below readable.
const fn s(
    code: &'static str,
    name_vi: &'static str,
    name_en: &'static str,
    assessment: Assessment,
    grades: RangeInclusive<u8>,
    compulsory: bool,
    periodic_test: bool,
) -> Subject {
    Subject {
        code,
        name_vi,
        name_en,
        assessment,
        grades,
        compulsory,
        not_compulsory_in: None,
        periodic_test,
        parts: &[],
    }
}

/// A compulsory subject that is optional or elective in `except`.
const fn except(subject: Subject, except: RangeInclusive<u8>) -> Subject {
    Subject {
        not_compulsory_in: Some(except),
        ..subject
    }
}

use Assessment::{Comment, Score};

const COMPULSORY: bool = true;
const ELECTIVE: bool = false;
const TESTED: bool = true;
const UNTESTED: bool = false;

/// In the order of the programme's lists, so that a grade's subjects come out in the usual order.
#[rustfmt::skip]
static SUBJECTS: [Subject; 27] = [
    s("tieng_viet", "Tiếng Việt", "Vietnamese", Comment, 1..=5, COMPULSORY, TESTED),
    s("ngu_van", "Ngữ văn", "Literature", Score, 6..=12, COMPULSORY, UNTESTED),
    s("toan", "Toán", "Mathematics", Score, 1..=12, COMPULSORY, TESTED),
    except(s("ngoai_ngu_1", "Ngoại ngữ 1", "Foreign language 1", Score, 1..=12, COMPULSORY, TESTED), 1..=2),
    s("dao_duc", "Đạo đức", "Ethics", Comment, 1..=5, COMPULSORY, UNTESTED),
    s("gdcd", "Giáo dục công dân", "Civic education", Score, 6..=9, COMPULSORY, UNTESTED),
    s("lich_su", "Lịch sử", "History", Score, 10..=12, COMPULSORY, UNTESTED),
    s("tu_nhien_xa_hoi", "Tự nhiên và Xã hội", "Nature and society", Comment, 1..=3, COMPULSORY, UNTESTED),
    s("lich_su_dia_ly", "Lịch sử và Địa lí", "History and geography", Score, 4..=9, COMPULSORY, TESTED),
    s("dia_ly", "Địa lí", "Geography", Score, 10..=12, ELECTIVE, UNTESTED),
    s("gdktpl", "Giáo dục kinh tế và pháp luật", "Economic and legal education", Score, 10..=12, ELECTIVE, UNTESTED),
    s("khoa_hoc", "Khoa học", "Science", Comment, 4..=5, COMPULSORY, TESTED),
    s("khtn", "Khoa học tự nhiên", "Natural sciences", Score, 6..=9, COMPULSORY, UNTESTED),
    s("vat_ly", "Vật lí", "Physics", Score, 10..=12, ELECTIVE, UNTESTED),
    s("hoa_hoc", "Hoá học", "Chemistry", Score, 10..=12, ELECTIVE, UNTESTED),
    s("sinh_hoc", "Sinh học", "Biology", Score, 10..=12, ELECTIVE, UNTESTED),
    s("tin_hoc_cong_nghe", "Tin học và Công nghệ", "Informatics and technology", Comment, 3..=5, COMPULSORY, TESTED),
    except(s("cong_nghe", "Công nghệ", "Technology", Score, 6..=12, COMPULSORY, UNTESTED), 10..=12),
    except(s("tin_hoc", "Tin học", "Informatics", Score, 6..=12, COMPULSORY, UNTESTED), 10..=12),
    s("gdtc", "Giáo dục thể chất", "Physical education", Comment, 1..=12, COMPULSORY, UNTESTED),
    s("gdqp_an", "Giáo dục quốc phòng và an ninh", "National defence and security education", Score, 10..=12, COMPULSORY, UNTESTED),
    Subject {
        parts: &["am_nhac", "my_thuat"],
        ..s("nghe_thuat", "Nghệ thuật (Âm nhạc, Mĩ thuật)", "Arts (music, fine arts)", Comment, 1..=9, COMPULSORY, UNTESTED)
    },
    s("am_nhac", "Âm nhạc", "Music", Comment, 10..=12, ELECTIVE, UNTESTED),
    s("my_thuat", "Mĩ thuật", "Fine arts", Comment, 10..=12, ELECTIVE, UNTESTED),
    s("hdtn", "Hoạt động trải nghiệm", "Experiential activities", Comment, 1..=5, COMPULSORY, UNTESTED),
    s("hdtnhn", "Hoạt động trải nghiệm, hướng nghiệp", "Experiential and career-guidance activities", Comment, 6..=12, COMPULSORY, UNTESTED),
    s("gddp", "Nội dung giáo dục của địa phương", "Local education content", Comment, 6..=12, COMPULSORY, UNTESTED),
];

/// Every subject of the programme, each code once.
pub fn subjects() -> &'static [Subject] {
    &SUBJECTS
}

/// The subject with this code.
pub fn subject(code: &str) -> Option<&'static Subject> {
    SUBJECTS.iter().find(|s| s.code == code)
}

/// The subjects taught in `grade` (compulsory, optional and elective), in the programme's order;
/// empty outside 1–12.
pub fn subjects_for_grade(grade: u8) -> Vec<&'static Subject> {
    SUBJECTS.iter().filter(|s| s.is_taught_in(grade)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;
    use unicode_normalization::UnicodeNormalization;

    fn codes(grade: u8) -> Vec<&'static str> {
        subjects_for_grade(grade)
            .into_iter()
            .map(|s| s.code)
            .collect()
    }

    fn compulsory_codes(grade: u8) -> Vec<&'static str> {
        subjects_for_grade(grade)
            .into_iter()
            .filter(|s| s.is_compulsory_in(grade))
            .map(|s| s.code)
            .collect()
    }

    #[test]
    fn every_grade_has_subjects_and_no_other_grade_has() {
        for grade in 1..=12 {
            assert!(!subjects_for_grade(grade).is_empty(), "grade {grade}");
        }
        assert!(subjects_for_grade(0).is_empty());
        assert!(subjects_for_grade(13).is_empty());
    }

    #[test]
    fn codes_are_unique_lowercase_ascii_and_found() {
        let mut seen = HashSet::new();
        for s in subjects() {
            assert!(seen.insert(s.code), "duplicate code {}", s.code);
            assert!(
                s.code
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_'),
                "{}",
                s.code
            );
            assert_eq!(subject(s.code).map(|f| f.code), Some(s.code));
        }
        assert!(subject("Toan").is_none());
        assert!(subject("").is_none());
    }

    #[test]
    fn table_is_consistent() {
        for s in subjects() {
            assert_eq!(
                s.name_vi,
                s.name_vi.nfc().collect::<String>(),
                "{} not NFC",
                s.code
            );
            assert!(
                !s.grades.is_empty() && *s.grades.start() >= 1 && *s.grades.end() <= 12,
                "{}",
                s.code
            );
            if let Some(g) = &s.not_compulsory_in {
                assert!(
                    s.compulsory && s.grades.contains(g.start()) && s.grades.contains(g.end()),
                    "{}",
                    s.code
                );
            }
            if s.periodic_test {
                assert!(
                    *s.grades.start() <= 5,
                    "{} tested but not taught in primary",
                    s.code
                );
            }
            if *s.grades.end() <= 5 {
                assert_eq!(
                    s.assessment,
                    Assessment::Comment,
                    "{} is primary-only",
                    s.code
                );
            }
            for part in s.parts {
                assert!(subject(part).is_some(), "{}: unknown part {part}", s.code);
            }
        }
    }

    #[test]
    fn primary_grades() {
        let one_two = [
            "tieng_viet",
            "toan",
            "dao_duc",
            "tu_nhien_xa_hoi",
            "gdtc",
            "nghe_thuat",
            "hdtn",
        ];
        for grade in 1..=2 {
            assert_eq!(compulsory_codes(grade), one_two);
            assert_eq!(codes(grade).len(), one_two.len() + 1);
            assert!(
                codes(grade).contains(&"ngoai_ngu_1"),
                "optional foreign language"
            );
        }
        assert_eq!(
            compulsory_codes(3),
            [
                "tieng_viet",
                "toan",
                "ngoai_ngu_1",
                "dao_duc",
                "tu_nhien_xa_hoi",
                "tin_hoc_cong_nghe",
                "gdtc",
                "nghe_thuat",
                "hdtn"
            ]
        );
        for grade in 4..=5 {
            assert_eq!(codes(grade), compulsory_codes(grade),);
            assert_eq!(
                codes(grade),
                [
                    "tieng_viet",
                    "toan",
                    "ngoai_ngu_1",
                    "dao_duc",
                    "lich_su_dia_ly",
                    "khoa_hoc",
                    "tin_hoc_cong_nghe",
                    "gdtc",
                    "nghe_thuat",
                    "hdtn"
                ]
            );
        }
        for grade in 1..=5 {
            for s in subjects_for_grade(grade) {
                assert_eq!(
                    s.assessment_in(grade),
                    Assessment::Comment,
                    "{} in grade {grade}",
                    s.code
                );
            }
        }
        let tested: Vec<_> = subjects_for_grade(5)
            .into_iter()
            .filter(|s| s.periodic_test_in(5))
            .map(|s| s.code)
            .collect();
        assert_eq!(
            tested,
            [
                "tieng_viet",
                "toan",
                "ngoai_ngu_1",
                "lich_su_dia_ly",
                "khoa_hoc",
                "tin_hoc_cong_nghe"
            ]
        );
        assert!(!subject("toan").unwrap().periodic_test_in(6));
    }

    #[test]
    fn lower_secondary_grades() {
        for grade in 6..=9 {
            let all = codes(grade);
            assert_eq!(
                all,
                compulsory_codes(grade),
                "grade {grade}: all compulsory"
            );
            assert_eq!(
                all,
                [
                    "ngu_van",
                    "toan",
                    "ngoai_ngu_1",
                    "gdcd",
                    "lich_su_dia_ly",
                    "khtn",
                    "cong_nghe",
                    "tin_hoc",
                    "gdtc",
                    "nghe_thuat",
                    "hdtnhn",
                    "gddp"
                ]
            );
            let by_comment: Vec<_> = subjects_for_grade(grade)
                .into_iter()
                .filter(|s| s.assessment_in(grade) == Assessment::Comment)
                .map(|s| s.code)
                .collect();
            assert_eq!(by_comment, ["gdtc", "nghe_thuat", "hdtnhn", "gddp"]);
        }
        assert_eq!(
            subject("nghe_thuat").unwrap().parts,
            ["am_nhac", "my_thuat"]
        );
    }

    #[test]
    fn upper_secondary_grades() {
        for grade in 10..=12 {
            assert_eq!(
                compulsory_codes(grade),
                [
                    "ngu_van",
                    "toan",
                    "ngoai_ngu_1",
                    "lich_su",
                    "gdtc",
                    "gdqp_an",
                    "hdtnhn",
                    "gddp"
                ]
            );
            let mut electives: Vec<_> = subjects_for_grade(grade)
                .into_iter()
                .filter(|s| !s.is_compulsory_in(grade))
                .map(|s| s.code)
                .collect();
            electives.sort_unstable();
            assert_eq!(
                electives,
                [
                    "am_nhac",
                    "cong_nghe",
                    "dia_ly",
                    "gdktpl",
                    "hoa_hoc",
                    "my_thuat",
                    "sinh_hoc",
                    "tin_hoc",
                    "vat_ly"
                ]
            );
            let by_comment: Vec<_> = subjects_for_grade(grade)
                .into_iter()
                .filter(|s| s.assessment_in(grade) == Assessment::Comment)
                .map(|s| s.code)
                .collect();
            assert_eq!(
                by_comment,
                ["gdtc", "am_nhac", "my_thuat", "hdtnhn", "gddp"]
            );
        }
    }

    #[test]
    fn spot_checks() {
        let toan = subject("toan").unwrap();
        assert_eq!(
            (toan.name_vi, toan.grades.clone(), toan.assessment),
            ("Toán", 1..=12, Assessment::Score)
        );
        assert_eq!(toan.assessment_in(3), Assessment::Comment);
        assert_eq!(toan.assessment_in(7), Assessment::Score);
        let nn = subject("ngoai_ngu_1").unwrap();
        assert!(
            nn.compulsory
                && !nn.is_compulsory_in(1)
                && !nn.is_compulsory_in(2)
                && nn.is_compulsory_in(3)
        );
        let tin = subject("tin_hoc").unwrap();
        assert!(tin.is_compulsory_in(9) && !tin.is_compulsory_in(10) && !tin.is_compulsory_in(5));
        assert_eq!(
            subject("gdqp_an").unwrap().name_vi,
            "Giáo dục quốc phòng và an ninh"
        );
        assert_eq!(
            subject("gdktpl").unwrap().name_vi,
            "Giáo dục kinh tế và pháp luật"
        );
        assert_eq!(subject("gdtc").unwrap().assessment, Assessment::Comment);
        assert!(!subject("vat_ly").unwrap().compulsory);
        assert_eq!(Assessment::from_code("comment"), Some(Assessment::Comment));
        assert_eq!(serde_json::to_value(Assessment::Score).unwrap(), "score");
    }
}
