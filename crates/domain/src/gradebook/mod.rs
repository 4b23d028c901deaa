//! The e-gradebook (sổ điểm điện tử): what a teacher records for a learner, and in which cells.
//!
//! A gradebook *row* holds what one learner got in one [`Item`] (a subject, the conduct, the
//! absences, or — in primary — a quality or competence) in one [`Term`]. A row has the same
//! [`Slot`]s whatever the item; which of them an item uses, and what a value in them means, comes
//! from [`slots_of`] and [`ValueKind`]:
//!
//! | item                      | slots                                   | values                     |
//! |---------------------------|-----------------------------------------|----------------------------|
//! | scored subject, 6–12      | `r1`…`r4` (regular), `mid`, `end`       | score 0–10, one decimal    |
//! | comment subject, 6–12     | `r1`, `r2`, `mid`, `end`                | Đ / CĐ                     |
//! | subject, 1–5              | `mid`, `end` ratings; `test_mid`/`test_end` | HTT/HT/CHT; test 1–10  |
//! | quality/competence, 1–5   | `mid`, `end`                            | T / Đ / CCG                |
//! | conduct, 6–12             | `end`                                   | T / K / Đ / CĐ             |
//! | absences                  | `end`                                   | sessions absent            |
//!
//! Every row also has a free-text `comment` (nhận xét). Values are stored as canonical text
//! (`"7.5"`, `"dat"`, `"htt"`), parsed from what teachers type (`"7,5"`, `"Đ"`, `"cđ"`).
//! The rules that turn rows into averages and results live in [`compute`]; the tamper-evident
//! history of every change in [`ledger`].

pub mod compute;
pub mod ledger;
pub mod transcript;

use serde::{Deserialize, Serialize};

use crate::codes::code_enum;
use crate::grading::primary::{SubjectRating, TraitRating};
use crate::grading::{CommentResult, Level, Score, regular_count};
use crate::subjects::{Assessment, Subject, subject, subjects_for_grade};
use crate::text::fold;

code_enum! {
    /// When a value was recorded: a semester, or the summer re-test / conduct training that can
    /// replace a year result.
    Term {
        First => "hk1", "Học kì I", "Semester I";
        Second => "hk2", "Học kì II", "Semester II";
        Summer => "he", "Kiểm tra lại / rèn luyện hè", "Summer re-test / training";
    }
}

impl Term {
    /// The number stored in the database (1, 2, 3).
    pub fn number(self) -> i16 {
        match self {
            Term::First => 1,
            Term::Second => 2,
            Term::Summer => 3,
        }
    }

    pub fn from_number(n: i16) -> Option<Term> {
        match n {
            1 => Some(Term::First),
            2 => Some(Term::Second),
            3 => Some(Term::Summer),
            _ => None,
        }
    }
}

/// A cell of a gradebook row. The order is the order of the columns of an entry grid.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Slot {
    R1,
    R2,
    R3,
    R4,
    Mid,
    TestMid,
    End,
    TestEnd,
    Comment,
}

impl Slot {
    pub const ALL: [Slot; 9] = [
        Slot::R1,
        Slot::R2,
        Slot::R3,
        Slot::R4,
        Slot::Mid,
        Slot::TestMid,
        Slot::End,
        Slot::TestEnd,
        Slot::Comment,
    ];
    pub const REGULAR: [Slot; 4] = [Slot::R1, Slot::R2, Slot::R3, Slot::R4];

    /// The code used in the API, the database column and the ledger.
    pub fn code(self) -> &'static str {
        match self {
            Slot::R1 => "r1",
            Slot::R2 => "r2",
            Slot::R3 => "r3",
            Slot::R4 => "r4",
            Slot::Mid => "mid",
            Slot::TestMid => "test_mid",
            Slot::End => "end",
            Slot::TestEnd => "test_end",
            Slot::Comment => "comment",
        }
    }

    pub fn from_code(code: &str) -> Option<Slot> {
        Slot::ALL.into_iter().find(|s| s.code() == code)
    }

    /// Position in [`Values`].
    pub fn index(self) -> usize {
        self as usize
    }
}

/// What a gradebook row is about. Two items are equal when their codes are.
#[derive(Debug, Clone, Copy)]
pub enum Item {
    Subject(&'static Subject),
    /// Kết quả rèn luyện (secondary), judged by the homeroom teacher each semester.
    Conduct,
    /// Sessions (buổi) absent in the term, excused or not.
    Absences,
    /// A primary quality (phẩm chất) or competence (năng lực).
    Trait(&'static Trait),
}

impl PartialEq for Item {
    fn eq(&self, other: &Item) -> bool {
        self.code() == other.code()
    }
}

impl Eq for Item {}

impl std::hash::Hash for Item {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.code().hash(state)
    }
}

pub const CONDUCT_CODE: &str = "ren_luyen";
pub const ABSENCES_CODE: &str = "nghi_hoc";

impl Item {
    pub fn code(self) -> &'static str {
        match self {
            Item::Subject(s) => s.code,
            Item::Conduct => CONDUCT_CODE,
            Item::Absences => ABSENCES_CODE,
            Item::Trait(t) => t.code,
        }
    }

    pub fn from_code(code: &str) -> Option<Item> {
        match code {
            CONDUCT_CODE => Some(Item::Conduct),
            ABSENCES_CODE => Some(Item::Absences),
            _ => subject(code)
                .map(Item::Subject)
                .or_else(|| TRAITS.iter().find(|t| t.code == code).map(Item::Trait)),
        }
    }

    pub fn name_vi(self) -> &'static str {
        match self {
            Item::Subject(s) => s.name_vi,
            Item::Conduct => "Rèn luyện",
            Item::Absences => "Số buổi nghỉ",
            Item::Trait(t) => t.name_vi,
        }
    }

    /// Whether the homeroom teacher (rather than a subject teacher) records it.
    pub fn is_homeroom_item(self) -> bool {
        !matches!(self, Item::Subject(_))
    }
}

/// A quality or competence of the 2018 programme, rated in primary (Circular 27/2020).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Trait {
    pub code: &'static str,
    pub name_vi: &'static str,
    pub name_en: &'static str,
}

const fn t(code: &'static str, name_vi: &'static str, name_en: &'static str) -> Trait {
    Trait {
        code,
        name_vi,
        name_en,
    }
}

/// The five qualities, three general and seven specific competences.
pub static TRAITS: [Trait; 15] = [
    t("pc_yeu_nuoc", "Yêu nước", "Patriotism"),
    t("pc_nhan_ai", "Nhân ái", "Kindness"),
    t("pc_cham_chi", "Chăm chỉ", "Diligence"),
    t("pc_trung_thuc", "Trung thực", "Honesty"),
    t("pc_trach_nhiem", "Trách nhiệm", "Responsibility"),
    t("nl_tu_chu", "Tự chủ và tự học", "Autonomy and self-study"),
    t(
        "nl_giao_tiep",
        "Giao tiếp và hợp tác",
        "Communication and collaboration",
    ),
    t(
        "nl_sang_tao",
        "Giải quyết vấn đề và sáng tạo",
        "Problem solving and creativity",
    ),
    t("nl_ngon_ngu", "Ngôn ngữ", "Language"),
    t("nl_tinh_toan", "Tính toán", "Numeracy"),
    t("nl_khoa_hoc", "Khoa học", "Science"),
    t("nl_cong_nghe", "Công nghệ", "Technology"),
    t("nl_tin_hoc", "Tin học", "Informatics"),
    t("nl_tham_mi", "Thẩm mĩ", "Aesthetics"),
    t("nl_the_chat", "Thể chất", "Physical"),
];

/// How the text of a slot is read and stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ValueKind {
    /// 0–10 with at most one decimal (Circular 22).
    Score,
    /// Đ / CĐ (Circular 22 comment-only subjects).
    Comment,
    /// HTT / HT / CHT (Circular 27 subjects).
    Rating,
    /// A primary periodic test: a whole number 1–10.
    Test,
    /// T / Đ / CCG (Circular 27 qualities and competences).
    TraitRating,
    /// T / K / Đ / CĐ (conduct).
    Conduct,
    /// A number of sessions.
    Count,
    /// Free text (the comment slot).
    Text,
}

/// The longest comment kept (a few sentences; the transcript prints it).
pub const MAX_COMMENT_CHARS: usize = 500;

/// A value that cannot be stored in its slot; the message is for the teacher.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct BadValue(pub String);

impl ValueKind {
    /// Reads what a teacher typed. Blank clears the cell (`None`); anything else becomes the
    /// canonical stored text or a message saying what is expected.
    pub fn parse(self, raw: &str) -> Result<Option<String>, BadValue> {
        let raw = raw.trim();
        if raw.is_empty() {
            return Ok(None);
        }
        let bad = |expected: &str| Err(BadValue(format!("'{raw}': {expected}")));
        let key = fold(raw).replace([' ', '.', '_', '-'], "");
        match self {
            ValueKind::Score => match Score::parse(raw) {
                Some(s) => Ok(Some(short_score(s))),
                None => bad("điểm từ 0 đến 10, tối đa một chữ số thập phân (ví dụ 7,5)"),
            },
            ValueKind::Test => match raw.parse::<u8>() {
                Ok(n) if crate::grading::primary::is_test_score(n) => Ok(Some(n.to_string())),
                _ => bad("điểm kiểm tra là số nguyên từ 1 đến 10"),
            },
            ValueKind::Count => match raw.parse::<u16>() {
                Ok(n) if n <= 200 => Ok(Some(n.to_string())),
                _ => bad("số buổi là số nguyên từ 0 đến 200"),
            },
            ValueKind::Comment => match key.as_str() {
                "d" | "dat" => Ok(Some(CommentResult::Passed.code().into())),
                "cd" | "chuadat" => Ok(Some(CommentResult::NotPassed.code().into())),
                _ => bad("nhập Đ (Đạt) hoặc CĐ (Chưa đạt)"),
            },
            ValueKind::Rating => match key.as_str() {
                "htt" | "hoanthanhtot" => Ok(Some(SubjectRating::Excellent.code().into())),
                "ht" | "hoanthanh" => Ok(Some(SubjectRating::Completed.code().into())),
                "cht" | "chuahoanthanh" => Ok(Some(SubjectRating::NotCompleted.code().into())),
                _ => bad("nhập HTT, HT hoặc CHT"),
            },
            ValueKind::TraitRating => match key.as_str() {
                "t" | "tot" => Ok(Some(TraitRating::Good.code().into())),
                "d" | "dat" => Ok(Some(TraitRating::Satisfactory.code().into())),
                "ccg" | "cancogang" => Ok(Some(TraitRating::NeedsEffort.code().into())),
                _ => bad("nhập T (Tốt), Đ (Đạt) hoặc CCG (Cần cố gắng)"),
            },
            ValueKind::Conduct => match key.as_str() {
                "t" | "tot" => Ok(Some(Level::Good.code().into())),
                "k" | "kha" => Ok(Some(Level::Fair.code().into())),
                "d" | "dat" => Ok(Some(Level::Pass.code().into())),
                "cd" | "chuadat" => Ok(Some(Level::Fail.code().into())),
                _ => bad("nhập T (Tốt), K (Khá), Đ (Đạt) hoặc CĐ (Chưa đạt)"),
            },
            ValueKind::Text => {
                let text = crate::text::clean(raw);
                if text.chars().count() > MAX_COMMENT_CHARS {
                    Err(BadValue(format!(
                        "nhận xét dài quá {MAX_COMMENT_CHARS} ký tự"
                    )))
                } else {
                    Ok(Some(text))
                }
            }
        }
    }

    /// How a stored value is shown in a grid cell (short: "7.5", "Đ", "HTT", "CCG").
    pub fn display(self, stored: &str) -> String {
        fn short(stored: &str, labels: &[(&str, &str)]) -> String {
            labels
                .iter()
                .find(|(code, _)| *code == stored)
                .map(|(_, l)| l.to_string())
                .unwrap_or_else(|| stored.to_string())
        }
        match self {
            ValueKind::Comment => short(stored, &[("dat", "Đ"), ("chua_dat", "CĐ")]),
            ValueKind::Rating => short(stored, &[("htt", "HTT"), ("ht", "HT"), ("cht", "CHT")]),
            ValueKind::TraitRating => short(
                stored,
                &[("tot", "T"), ("dat", "Đ"), ("can_co_gang", "CCG")],
            ),
            ValueKind::Conduct => short(
                stored,
                &[("tot", "T"), ("kha", "K"), ("dat", "Đ"), ("chua_dat", "CĐ")],
            ),
            _ => stored.to_string(),
        }
    }
}

/// A score as teachers write it: "8" rather than "8.0", "7.5".
pub fn short_score(s: Score) -> String {
    if s.tenths().is_multiple_of(10) {
        (s.tenths() / 10).to_string()
    } else {
        s.to_string()
    }
}

/// The columns of an item's row for a grade, in grid order, with what each holds.
/// `regular` is the number of regular assessments of a scored subject (from its periods).
pub fn slots_of(item: Item, grade: u8, regular: u8) -> Vec<(Slot, ValueKind)> {
    let primary = grade <= 5;
    let mut slots = match item {
        Item::Subject(s) if primary => {
            let mut v = vec![(Slot::Mid, ValueKind::Rating)];
            if s.periodic_test_in(grade) && grade >= 4 && matches!(s.code, "tieng_viet" | "toan") {
                v.push((Slot::TestMid, ValueKind::Test));
            }
            v.push((Slot::End, ValueKind::Rating));
            if s.periodic_test_in(grade) {
                v.push((Slot::TestEnd, ValueKind::Test));
            }
            v
        }
        Item::Subject(s) => match s.assessment_in(grade) {
            Assessment::Score => {
                let mut v: Vec<_> = Slot::REGULAR[..usize::from(regular.clamp(2, 4))]
                    .iter()
                    .map(|s| (*s, ValueKind::Score))
                    .collect();
                v.extend([(Slot::Mid, ValueKind::Score), (Slot::End, ValueKind::Score)]);
                v
            }
            Assessment::Comment => vec![
                (Slot::R1, ValueKind::Comment),
                (Slot::R2, ValueKind::Comment),
                (Slot::Mid, ValueKind::Comment),
                (Slot::End, ValueKind::Comment),
            ],
        },
        Item::Trait(_) => vec![
            (Slot::Mid, ValueKind::TraitRating),
            (Slot::End, ValueKind::TraitRating),
        ],
        Item::Conduct => vec![(Slot::End, ValueKind::Conduct)],
        Item::Absences => vec![(Slot::End, ValueKind::Count)],
    };
    slots.push((Slot::Comment, ValueKind::Text));
    slots
}

/// The columns of an item's row in a term: the semesters have [`slots_of`]; the summer term
/// holds one re-test (or re-assessment, or conduct after training) result in `end`.
pub fn slots_in_term(item: Item, grade: u8, regular: u8, term: Term) -> Vec<(Slot, ValueKind)> {
    let all = slots_of(item, grade, regular);
    if term != Term::Summer {
        return all;
    }
    let end = all
        .iter()
        .find(|(s, _)| *s == Slot::End)
        .map(|(_, k)| *k)
        .unwrap_or(ValueKind::Text);
    vec![(Slot::End, end), (Slot::Comment, ValueKind::Text)]
}

/// What a slot holds for this item, grade and term, or `None` when the row does not use it.
pub fn kind_of(item: Item, grade: u8, regular: u8, term: Term, slot: Slot) -> Option<ValueKind> {
    slots_in_term(item, grade, regular, term)
        .into_iter()
        .find(|(s, _)| *s == slot)
        .map(|(_, k)| k)
}

/// The cells of one row, indexed by [`Slot::index`].
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Values(pub [Option<String>; 9]);

impl Values {
    pub fn get(&self, slot: Slot) -> Option<&str> {
        self.0[slot.index()].as_deref()
    }

    pub fn set(&mut self, slot: Slot, value: Option<String>) {
        self.0[slot.index()] = value;
    }

    pub fn is_empty(&self) -> bool {
        self.0.iter().all(Option::is_none)
    }
}

/// The items a class of `grade` records: its subjects (each part of a subject with parts, as
/// taught), then conduct and absences in secondary or the qualities and competences in primary.
pub fn items_for_grade(grade: u8) -> Vec<Item> {
    let mut items: Vec<Item> = subjects_for_grade(grade)
        .into_iter()
        .map(Item::Subject)
        .collect();
    if grade <= 5 {
        items.extend(TRAITS.iter().map(Item::Trait));
    } else {
        items.push(Item::Conduct);
    }
    items.push(Item::Absences);
    items
}

/// Periods per year of a subject in a grade from the programme (`data/subject-periods.csv`);
/// `None` for primary grades and subjects the file does not list.
pub fn programme_periods(subject_code: &str, grade: u8) -> Option<u32> {
    static TABLE: std::sync::OnceLock<Vec<(u8, u8, String, u32)>> = std::sync::OnceLock::new();
    TABLE
        .get_or_init(|| {
            include_str!("../../data/subject-periods.csv")
                .lines()
                .filter(|l| !l.starts_with('#') && !l.starts_with("from_grade") && !l.is_empty())
                .filter_map(|l| {
                    let f: Vec<&str> = l.split(',').collect();
                    Some((
                        f.first()?.parse().ok()?,
                        f.get(1)?.parse().ok()?,
                        f.get(2)?.to_string(),
                        f.get(3)?.parse().ok()?,
                    ))
                })
                .collect()
        })
        .iter()
        .find(|(from, to, code, _)| code == subject_code && (*from..=*to).contains(&grade))
        .map(|(_, _, _, p)| *p)
}

/// The default number of regular assessments of a subject in a grade (2 when unknown).
pub fn default_regular_count(subject_code: &str, grade: u8) -> u8 {
    programme_periods(subject_code, grade).map_or(2, regular_count)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn teachers_typing_is_read_into_canonical_values() {
        assert_eq!(ValueKind::Score.parse("7,5"), Ok(Some("7.5".into())));
        assert_eq!(ValueKind::Score.parse(" 8.0 "), Ok(Some("8".into())));
        assert_eq!(ValueKind::Score.parse(""), Ok(None));
        assert!(ValueKind::Score.parse("10.5").is_err());
        assert!(ValueKind::Score.parse("7.25").is_err());
        assert_eq!(ValueKind::Comment.parse("Đ"), Ok(Some("dat".into())));
        assert_eq!(ValueKind::Comment.parse("cđ"), Ok(Some("chua_dat".into())));
        assert_eq!(ValueKind::Rating.parse("htt"), Ok(Some("htt".into())));
        assert_eq!(
            ValueKind::TraitRating.parse("CCG"),
            Ok(Some("can_co_gang".into()))
        );
        assert_eq!(ValueKind::Conduct.parse("K"), Ok(Some("kha".into())));
        assert!(ValueKind::Test.parse("0").is_err());
        assert_eq!(ValueKind::Test.parse("10"), Ok(Some("10".into())));
        assert_eq!(ValueKind::Comment.display("chua_dat"), "CĐ");
        assert_eq!(ValueKind::TraitRating.display("can_co_gang"), "CCG");
    }

    #[test]
    fn rows_have_the_columns_of_their_subject() {
        let toan = Item::from_code("toan").unwrap();
        let cols: Vec<&str> = slots_of(toan, 6, default_regular_count("toan", 6))
            .iter()
            .map(|(s, _)| s.code())
            .collect();
        assert_eq!(cols, ["r1", "r2", "r3", "r4", "mid", "end", "comment"]);
        let gdcd = Item::from_code("gdcd").unwrap();
        assert_eq!(slots_of(gdcd, 7, default_regular_count("gdcd", 7)).len(), 5);
        let gdtc = Item::from_code("gdtc").unwrap();
        assert_eq!(slots_of(gdtc, 8, 2)[0].1, ValueKind::Comment);
        let tv = Item::from_code("tieng_viet").unwrap();
        assert_eq!(slots_of(tv, 4, 0).len(), 5);
        assert_eq!(slots_of(tv, 2, 0).len(), 4);
        assert_eq!(items_for_grade(6).len(), 12 + 2);
        assert_eq!(
            Item::from_code("nl_cong_nghe").unwrap().name_vi(),
            "Công nghệ"
        );
    }

    #[test]
    fn every_secondary_subject_has_programme_periods() {
        for grade in 6..=12 {
            for s in subjects_for_grade(grade) {
                assert!(
                    programme_periods(s.code, grade).is_some(),
                    "{} {grade}",
                    s.code
                );
            }
        }
    }
}
