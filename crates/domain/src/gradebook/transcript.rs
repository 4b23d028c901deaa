//! The e-transcript (học bạ điện tử): one learner's school year in the official layout —
//! subjects with their semester and year results and the teacher's comment, conduct and
//! learning results, absences, award, the promotion decision (or, in grades 1–5, the Circular
//! 27 result with the qualities and competences) and the homeroom teacher's comment.
//!
//! A [`Transcript`] is built from the stored year result ([`YearSummary`]) plus the names the
//! record shows and the gradebook rows (for comments, primary ratings and tests). Its
//! [`canonical_json`](Transcript::canonical_json) is the document that is hashed and signed:
//! deterministic bytes in the style of RFC 8785 (JCS) — object keys sorted by UTF-16 code
//! units, no insignificant whitespace, minimal string escaping, integers only — with every
//! string normalised to NFC, so that the same record always gives the same bytes.
//!
//! Signatures ([`SignedAttributes`]) follow the CAdES pattern: what is signed is a small
//! canonical object naming the document's SHA-256, the signer's role and name and the time,
//! so a signature cannot be moved to another role or document. Ed25519 with per-user keys
//! today; the attributes carry the algorithm, leaving room for the national PKI's
//! certificates (a key's X.509 certificate is reserved a column in the store).

use std::fmt::Write as _;

use ed25519_dalek::{Signature, Signer, SigningKey, Verifier, VerifyingKey};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use sha2::{Digest, Sha256};
use unicode_normalization::UnicodeNormalization;

use super::compute::{Row, SubjectResult, YearSummary};
use super::{Item, Slot, TRAITS, Term};
use crate::codes::Gender;
use crate::grading::primary::TraitRating;

/// The format tag of the document (changes when its layout changes).
pub const FORMAT: &str = "truongso/hoc-ba/1";
/// The format tag of what a signer signs.
pub const SIGNATURE_FORMAT: &str = "truongso/hoc-ba-chu-ky/1";
/// The signature algorithm of today's per-user keys.
pub const ALGORITHM: &str = "ed25519";

/// What a transcript shows about the learner, their school and class: from the records.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Header {
    pub learner_name: String,
    pub learner_code: String,
    pub birth_date: chrono::NaiveDate,
    pub gender: Gender,
    pub school_code: String,
    pub school_name: String,
    /// The unit above the school (Phòng/UBND xã or Sở), as printed above the school's name.
    pub authority_name: String,
    pub class_name: String,
    pub grade: u8,
    /// "2025-2026".
    pub school_year: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct TranscriptLearner {
    pub full_name: String,
    pub learner_code: String,
    /// ISO date, "2014-04-04".
    pub birth_date: String,
    /// "Nam" / "Nữ".
    pub gender: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct TranscriptSchool {
    pub code: String,
    pub name: String,
    pub authority: String,
}

/// One subject's line: results as printed ("7.5", "Đ", "HTT"); `None` is an empty cell.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct SubjectLine {
    pub code: String,
    pub name: String,
    pub first: Option<String>,
    pub second: Option<String>,
    pub year: Option<String>,
    /// The summer re-test (re-assessment in primary), when taken.
    pub retest: Option<String>,
    /// Primary: the end-of-year periodic test score.
    pub test: Option<String>,
    /// The subject teacher's comment (nhận xét) of semester II, else of semester I.
    pub comment: Option<String>,
}

/// A level per semester and for the year ("Tốt", "Khá", "Đạt", "Chưa đạt").
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Levels {
    pub first: Option<String>,
    pub second: Option<String>,
    pub year: Option<String>,
    /// After the summer re-test or conduct training, when it changed the year's.
    pub after_summer: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Absences {
    pub first: u32,
    pub second: u32,
    pub year: u32,
}

/// A primary quality or competence with its end-of-year rating ("Tốt", "Đạt", "Cần cố gắng").
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct TraitLine {
    pub code: String,
    pub name: String,
    pub rating: Option<String>,
}

/// The e-transcript of one learner for one school year. Field order is irrelevant: the
/// canonical form sorts keys.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Transcript {
    pub format: String,
    pub school_year: String,
    pub school: TranscriptSchool,
    pub learner: TranscriptLearner,
    pub class_name: String,
    pub grade: u8,
    pub subjects: Vec<SubjectLine>,
    /// Primary (grades 1–5): qualities and competences; empty in secondary.
    pub traits: Vec<TraitLine>,
    /// Secondary: conduct (kết quả rèn luyện).
    pub conduct: Levels,
    /// Secondary: learning result (kết quả học tập).
    pub learning: Levels,
    pub absences: Absences,
    /// Primary: the Circular 27 end-of-year result ("Hoàn thành tốt"…).
    pub primary_result: Option<String>,
    pub award: Option<String>,
    /// The decision after the year ("Được lên lớp", "Ở lại lớp"…), `None` while pending.
    pub outcome: Option<String>,
    pub outcome_code: Option<String>,
    /// Names of the subjects to re-test.
    pub retest_subjects: Vec<String>,
    pub homeroom_comment: Option<String>,
    /// What is still to be entered before the year is decided (empty for a complete year).
    pub missing: Vec<String>,
}

fn nonblank(s: Option<&str>) -> Option<String> {
    s.map(crate::text::clean).filter(|s| !s.is_empty())
}

fn display(r: Option<SubjectResult>) -> Option<String> {
    r.map(SubjectResult::display)
}

impl Transcript {
    /// Builds the transcript from the stored year result and the learner's rows of the year.
    pub fn build(header: &Header, summary: &YearSummary, rows: &[Row]) -> Transcript {
        let value = |item: Item, term: Term, slot: Slot| {
            rows.iter()
                .find(|r| r.item == item && r.term == term)
                .and_then(|r| r.values.get(slot))
        };
        let subjects = summary
            .subjects
            .iter()
            .map(|s| {
                let item = Item::from_code(s.subject);
                let name = item.map_or(s.subject, Item::name_vi);
                let comment = item.and_then(|i| {
                    nonblank(value(i, Term::Second, Slot::Comment))
                        .or_else(|| nonblank(value(i, Term::First, Slot::Comment)))
                });
                SubjectLine {
                    code: s.subject.to_string(),
                    name: name.to_string(),
                    first: display(s.first),
                    second: display(s.second),
                    year: display(s.year),
                    retest: display(s.retest),
                    test: item.and_then(|i| nonblank(value(i, Term::Second, Slot::TestEnd))),
                    comment,
                }
            })
            .collect();
        let primary = header.grade <= 5;
        let traits = if primary {
            TRAITS
                .iter()
                .map(|t| TraitLine {
                    code: t.code.into(),
                    name: t.name_vi.into(),
                    rating: value(Item::Trait(t), Term::Second, Slot::End)
                        .and_then(TraitRating::from_code)
                        .map(|r| r.label_vi().to_string()),
                })
                .collect()
        } else {
            vec![]
        };
        let label = |l: Option<crate::grading::Level>| l.map(|l| l.label_vi().to_string());
        let changed = |before, after| if before == after { None } else { label(after) };
        // The homeroom teacher writes their year comment on the conduct row (secondary) or the
        // absences row (both levels) of semester II.
        let homeroom_comment = nonblank(value(Item::Conduct, Term::Second, Slot::Comment))
            .or_else(|| nonblank(value(Item::Absences, Term::Second, Slot::Comment)));
        let name_of = |code: &str| {
            Item::from_code(code).map_or_else(|| code.to_string(), |i| i.name_vi().to_string())
        };
        Transcript {
            format: FORMAT.into(),
            school_year: header.school_year.clone(),
            school: TranscriptSchool {
                code: header.school_code.clone(),
                name: header.school_name.clone(),
                authority: header.authority_name.clone(),
            },
            learner: TranscriptLearner {
                full_name: header.learner_name.clone(),
                learner_code: header.learner_code.clone(),
                birth_date: header.birth_date.format("%Y-%m-%d").to_string(),
                gender: header.gender.label_vi().into(),
            },
            class_name: header.class_name.clone(),
            grade: header.grade,
            subjects,
            traits,
            conduct: Levels {
                first: label(summary.first.conduct),
                second: label(summary.second.conduct),
                year: label(summary.conduct),
                after_summer: changed(summary.conduct, summary.final_conduct),
            },
            learning: Levels {
                first: label(summary.first.learning),
                second: label(summary.second.learning),
                year: label(summary.learning),
                after_summer: changed(summary.learning, summary.final_learning),
            },
            absences: Absences {
                first: summary.first.absences,
                second: summary.second.absences,
                year: summary.absences,
            },
            primary_result: summary.primary_result.map(|r| r.label_vi().to_string()),
            award: summary.award.map(|a| a.label_vi().to_string()),
            outcome: summary.outcome.map(|o| o.label_vi().to_string()),
            outcome_code: summary.outcome.map(|o| o.code().to_string()),
            retest_subjects: summary.retest_subjects.iter().map(|c| name_of(c)).collect(),
            homeroom_comment,
            missing: summary.missing.clone(),
        }
    }

    /// Whether the year is decided (every mark in, an outcome): only then may it be signed.
    pub fn is_complete(&self) -> bool {
        self.outcome.is_some() && self.missing.is_empty()
    }

    /// The canonical bytes (see the module documentation).
    pub fn canonical_json(&self) -> String {
        canonical_json(&serde_json::to_value(self).expect("a transcript serialises"))
    }

    /// Reads a stored canonical document back.
    pub fn from_json(json: &str) -> Result<Transcript, serde_json::Error> {
        serde_json::from_str(json)
    }

    /// The year of birth, the only part of the birth date the public verification page shows.
    pub fn birth_year(&self) -> &str {
        self.learner.birth_date.get(..4).unwrap_or("")
    }
}

/// A complete example year (every mark entered, comments on every row) for a learner of
/// `grade` named `learner_name`: for tests and print previews, never stored.
pub fn sample(grade: u8, learner_name: &str) -> Transcript {
    use super::compute::{GradingRules, PlannedSubject, learner_year};
    use super::{Values, default_regular_count, items_for_grade, slots_in_term};
    let plan: Vec<PlannedSubject> = items_for_grade(grade)
        .into_iter()
        .filter(|i| matches!(i, Item::Subject(s) if s.is_compulsory_in(grade)))
        .map(|item| PlannedSubject {
            item,
            regular: default_regular_count(item.code(), grade),
        })
        .collect();
    let mut rows = vec![];
    for term in [Term::First, Term::Second] {
        let items = plan.iter().copied().chain(
            items_for_grade(grade)
                .into_iter()
                .filter(|i| i.is_homeroom_item())
                .map(|item| PlannedSubject { item, regular: 0 }),
        );
        for p in items {
            let mut values = Values::default();
            for (slot, kind) in slots_in_term(p.item, grade, p.regular, term) {
                use super::ValueKind as K;
                let v = match kind {
                    K::Score => "8.7",
                    K::Comment => "dat",
                    K::Rating => "htt",
                    K::Test => "9",
                    K::TraitRating | K::Conduct => "tot",
                    K::Count => "1",
                    K::Text => match p.item {
                        Item::Subject(_) => "Chăm chỉ, tiến bộ rõ rệt; cần đọc thêm sách.",
                        _ => "Ngoan, lễ phép; tích cực tham gia hoạt động của lớp.",
                    },
                };
                values.set(slot, Some(v.to_string()));
            }
            rows.push(Row {
                item: p.item,
                term,
                values,
            });
        }
    }
    let summary = learner_year(grade, &plan, &rows, &GradingRules::default());
    let header = Header {
        learner_name: learner_name.to_string(),
        learner_code: "5120000123".into(),
        birth_date: chrono::NaiveDate::from_ymd_opt(2025 - 5 - i32::from(grade), 2, 14)
            .expect("a valid date"),
        gender: Gender::Female,
        school_code: "51300001".into(),
        school_name: "Trường THCS Lê Hồng Phong".into(),
        authority_name: "UBND phường Trương Quang Trọng".into(),
        class_name: format!("{grade}A1"),
        grade,
        school_year: "2025-2026".into(),
    };
    Transcript::build(&header, &summary, &rows)
}

/// SHA-256 of text, lower-case hex.
pub fn sha256_hex(text: &str) -> String {
    hex(&Sha256::digest(text.as_bytes()))
}

pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().fold(String::new(), |mut s, b| {
        let _ = write!(s, "{b:02x}");
        s
    })
}

pub fn unhex(s: &str) -> Option<Vec<u8>> {
    if !s.len().is_multiple_of(2) || !s.is_ascii() {
        return None;
    }
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).ok())
        .collect()
}

/// Canonical JSON of a value: keys sorted by UTF-16 code units, no whitespace, strings NFC
/// with JCS escaping. Floating-point numbers are not expected (the documents hold integers and
/// text); one would be written as serde_json writes it.
pub fn canonical_json(value: &Value) -> String {
    let mut out = String::new();
    write_canonical(&mut out, value);
    out
}

fn write_canonical(out: &mut String, value: &Value) {
    match value {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) => out.push_str(&n.to_string()),
        Value::String(s) => write_string(out, s),
        Value::Array(items) => {
            out.push('[');
            for (i, v) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_canonical(out, v);
            }
            out.push(']');
        }
        Value::Object(map) => {
            let mut entries: Vec<(String, &Value)> =
                map.iter().map(|(k, v)| (k.nfc().collect(), v)).collect();
            entries.sort_by(|a, b| a.0.encode_utf16().cmp(b.0.encode_utf16()));
            out.push('{');
            for (i, (k, v)) in entries.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_string(out, k);
                out.push(':');
                write_canonical(out, v);
            }
            out.push('}');
        }
    }
}

fn write_string(out: &mut String, s: &str) {
    out.push('"');
    for c in s.nfc() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

/// Who signs a transcript, in the order the page shows them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum SignerRole {
    HomeroomTeacher,
    Principal,
}

impl SignerRole {
    pub const ALL: [SignerRole; 2] = [SignerRole::HomeroomTeacher, SignerRole::Principal];

    pub fn code(self) -> &'static str {
        match self {
            SignerRole::HomeroomTeacher => "homeroom_teacher",
            SignerRole::Principal => "principal",
        }
    }

    pub fn from_code(code: &str) -> Option<SignerRole> {
        SignerRole::ALL.into_iter().find(|r| r.code() == code)
    }

    pub fn label_vi(self) -> &'static str {
        match self {
            SignerRole::HomeroomTeacher => "Giáo viên chủ nhiệm",
            SignerRole::Principal => "Hiệu trưởng",
        }
    }

    pub fn label_en(self) -> &'static str {
        match self {
            SignerRole::HomeroomTeacher => "Homeroom teacher",
            SignerRole::Principal => "Principal",
        }
    }
}

/// What one signer signs: the canonical JSON of these attributes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SignedAttributes<'a> {
    pub format: &'a str,
    pub algorithm: &'a str,
    pub document_sha256: &'a str,
    pub role: &'a str,
    pub signer_name: &'a str,
    /// UTC, whole seconds: "2026-05-31T08:00:00Z".
    pub signed_at: &'a str,
}

impl SignedAttributes<'_> {
    pub fn canonical_json(&self) -> String {
        canonical_json(&serde_json::to_value(self).expect("attributes serialise"))
    }
}

/// The time as signed: UTC, whole seconds (what both databases store exactly).
pub fn signing_time(at: chrono::DateTime<chrono::Utc>) -> String {
    at.format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

/// The public key (hex) of a 32-byte Ed25519 secret.
pub fn public_key_hex(secret: &[u8; 32]) -> String {
    hex(SigningKey::from_bytes(secret).verifying_key().as_bytes())
}

/// Signs a message with a 32-byte Ed25519 secret; the signature in hex.
pub fn sign(secret: &[u8; 32], message: &str) -> String {
    hex(&SigningKey::from_bytes(secret)
        .sign(message.as_bytes())
        .to_bytes())
}

/// Whether `signature_hex` is a valid Ed25519 signature of `message` by `public_key_hex`
/// (strict verification: no malleable or weak-key signatures).
pub fn verify(public_key_hex: &str, message: &str, signature_hex: &str) -> bool {
    let key = unhex(public_key_hex)
        .and_then(|b| <[u8; 32]>::try_from(b).ok())
        .and_then(|b| VerifyingKey::from_bytes(&b).ok());
    let sig = unhex(signature_hex)
        .and_then(|b| <[u8; 64]>::try_from(b).ok())
        .map(|b| Signature::from_bytes(&b));
    match (key, sig) {
        (Some(k), Some(s)) => {
            k.verify(message.as_bytes(), &s).is_ok()
                && k.verify_strict(message.as_bytes(), &s).is_ok()
        }
        _ => false,
    }
}

/// Every Vietnamese letter: the 12 vowels (a ă â e ê i o ô ơ u ư y) with no mark and each of
/// the five tone marks, and đ, in both cases — what a printed transcript must be able to show.
pub fn vietnamese_letters() -> Vec<char> {
    let vowels = ['a', 'ă', 'â', 'e', 'ê', 'i', 'o', 'ô', 'ơ', 'u', 'ư', 'y'];
    // grave, hook above, tilde, acute, dot below
    let tones = ['\u{300}', '\u{309}', '\u{303}', '\u{301}', '\u{323}'];
    let mut out = vec!['đ', 'Đ'];
    for v in vowels {
        for upper in [false, true] {
            let base: String = if upper {
                v.to_uppercase().collect()
            } else {
                v.to_string()
            };
            out.extend(base.chars());
            for t in tones {
                let composed: String = format!("{base}{t}").nfc().collect();
                let mut chars = composed.chars();
                let c = chars.next().expect("one letter");
                assert!(
                    chars.next().is_none(),
                    "{base}+{t:?} composes to one letter"
                );
                out.push(c);
            }
        }
    }
    out
}

/// A stored [`SubjectYear`](super::compute::SubjectYear) as read back: its subject code is
/// mapped to the programme's static code.
#[derive(Deserialize)]
pub(crate) struct StoredSubjectYear {
    subject: String,
    first: Option<SubjectResult>,
    second: Option<SubjectResult>,
    year: Option<SubjectResult>,
    retest: Option<SubjectResult>,
}

impl<'de> Deserialize<'de> for super::compute::SubjectYear {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = StoredSubjectYear::deserialize(d)?;
        Ok(super::compute::SubjectYear {
            subject: to_static(&s.subject).ok_or_else(|| {
                serde::de::Error::custom(format!("môn học '{}' không có", s.subject))
            })?,
            first: s.first,
            second: s.second,
            year: s.year,
            retest: s.retest,
        })
    }
}

/// Deserialises the `&'static str` subject codes of a stored [`YearSummary`].
pub(crate) fn static_codes<'de, D: serde::Deserializer<'de>>(
    d: D,
) -> Result<Vec<&'static str>, D::Error> {
    Vec::<String>::deserialize(d)?
        .iter()
        .map(|code| {
            to_static(code)
                .ok_or_else(|| serde::de::Error::custom(format!("môn học '{code}' không có")))
        })
        .collect()
}

fn to_static(code: &str) -> Option<&'static str> {
    Item::from_code(code).map(Item::code)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gradebook::compute::{GradingRules, PlannedSubject, learner_year};
    use crate::gradebook::{Values, default_regular_count, items_for_grade};
    use crate::subjects::Assessment;

    fn header() -> Header {
        Header {
            learner_name: "Nguyễn Thị Ánh Tuyết".into(),
            learner_code: "5120000123".into(),
            birth_date: chrono::NaiveDate::from_ymd_opt(2013, 2, 14).unwrap(),
            gender: Gender::Female,
            school_code: "51300001".into(),
            school_name: "Trường THCS Lê Hồng Phong".into(),
            authority_name: "UBND phường Trương Quang Trọng".into(),
            class_name: "7A1".into(),
            grade: 7,
            school_year: "2025-2026".into(),
        }
    }

    fn rows(grade: u8) -> (Vec<PlannedSubject>, Vec<Row>) {
        let plan: Vec<PlannedSubject> = items_for_grade(grade)
            .into_iter()
            .filter(|i| matches!(i, Item::Subject(_)))
            .map(|item| PlannedSubject {
                item,
                regular: default_regular_count(item.code(), grade),
            })
            .collect();
        let mut rows = vec![];
        for term in [Term::First, Term::Second] {
            for p in &plan {
                let Item::Subject(s) = p.item else { continue };
                let mut v = Values::default();
                let slots: &[Slot] = match s.assessment_in(grade) {
                    Assessment::Score => {
                        &[Slot::R1, Slot::R2, Slot::R3, Slot::R4, Slot::Mid, Slot::End]
                    }
                    Assessment::Comment => &[Slot::R1, Slot::R2, Slot::Mid, Slot::End],
                };
                for slot in slots {
                    let x = match s.assessment_in(grade) {
                        Assessment::Score => "8.5",
                        Assessment::Comment => "dat",
                    };
                    v.set(*slot, Some(x.into()));
                }
                v.set(Slot::Comment, Some("Chăm chỉ, tiến bộ rõ".into()));
                rows.push(Row {
                    item: p.item,
                    term,
                    values: v,
                });
            }
            let mut c = Values::default();
            c.set(Slot::End, Some("tot".into()));
            if term == Term::Second {
                c.set(Slot::Comment, Some("Ngoan, lễ phép, học tốt".into()));
            }
            rows.push(Row {
                item: Item::Conduct,
                term,
                values: c,
            });
        }
        (plan, rows)
    }

    fn transcript() -> Transcript {
        let (plan, rows) = rows(7);
        let summary = learner_year(7, &plan, &rows, &GradingRules::default());
        Transcript::build(&header(), &summary, &rows)
    }

    #[test]
    fn a_complete_year_becomes_a_transcript_in_the_official_terms() {
        let t = transcript();
        assert!(t.is_complete(), "{:?}", t.missing);
        let toan = t.subjects.iter().find(|s| s.code == "toan").unwrap();
        assert_eq!(toan.name, "Toán");
        assert_eq!(toan.first.as_deref(), Some("8.5"));
        assert_eq!(toan.year.as_deref(), Some("8.5"));
        assert_eq!(toan.comment.as_deref(), Some("Chăm chỉ, tiến bộ rõ"));
        let gdtc = t.subjects.iter().find(|s| s.code == "gdtc").unwrap();
        assert_eq!(gdtc.year.as_deref(), Some("Đ"));
        assert_eq!(t.conduct.year.as_deref(), Some("Tốt"));
        assert_eq!(t.learning.year.as_deref(), Some("Tốt"));
        assert_eq!(t.award.as_deref(), Some("Học sinh Giỏi"));
        assert_eq!(t.outcome.as_deref(), Some("Được lên lớp"));
        assert_eq!(
            t.homeroom_comment.as_deref(),
            Some("Ngoan, lễ phép, học tốt")
        );
        assert_eq!(t.learner.gender, "Nữ");
        assert_eq!(t.birth_year(), "2013");
    }

    #[test]
    fn a_stored_year_summary_reads_back_equal() {
        let (plan, rows) = rows(7);
        let summary = learner_year(7, &plan, &rows, &GradingRules::default());
        let json = serde_json::to_string(&summary).unwrap();
        let back: YearSummary = serde_json::from_str(&json).unwrap();
        assert_eq!(back, summary);
        assert!(serde_json::from_str::<YearSummary>(&json.replace("\"toan\"", "\"xx\"")).is_err());
    }

    #[test]
    fn canonical_bytes_are_stable_sorted_and_compact() {
        let t = transcript();
        let a = t.canonical_json();
        assert_eq!(a, t.clone().canonical_json());
        assert_eq!(Transcript::from_json(&a).unwrap(), t);
        assert_eq!(Transcript::from_json(&a).unwrap().canonical_json(), a);
        assert!(a.starts_with("{\"absences\":{\"first\":0,"), "{}", &a[..40]);
        assert!(!a.contains(": ") && !a.contains('\n'));
        assert_eq!(sha256_hex(&a), sha256_hex(&t.canonical_json()));
        assert_eq!(sha256_hex(&a).len(), 64);
    }

    #[test]
    fn canonical_json_sorts_keys_normalises_and_escapes() {
        // "Tuyết" typed decomposed (e + combining marks) gives the same bytes as composed.
        let decomposed = "Tuye\u{302}\u{301}t";
        let v =
            serde_json::json!({ "b": 1, "a": [decomposed, "x\"\\\n\u{1}"], "ä": null, "Z": true });
        assert_eq!(
            canonical_json(&v),
            "{\"Z\":true,\"a\":[\"Tuyết\",\"x\\\"\\\\\\n\\u0001\"],\"b\":1,\"ä\":null}"
        );
    }

    #[test]
    fn any_field_change_changes_the_bytes() {
        let t = transcript();
        let base = t.canonical_json();
        let mut changes: Vec<Transcript> = vec![];
        let mut c = t.clone();
        c.learner.full_name = "Nguyễn Thị Ánh Tuyêt".into();
        changes.push(c);
        let mut c = t.clone();
        c.subjects[0].year = Some("8.4".into());
        changes.push(c);
        let mut c = t.clone();
        c.subjects[3].comment = None;
        changes.push(c);
        let mut c = t.clone();
        c.conduct.second = Some("Khá".into());
        changes.push(c);
        let mut c = t.clone();
        c.absences.second = 1;
        changes.push(c);
        let mut c = t.clone();
        c.outcome = Some("Ở lại lớp".into());
        changes.push(c);
        let mut c = t.clone();
        c.learner.birth_date = "2013-02-15".into();
        changes.push(c);
        let mut c = t.clone();
        c.subjects.swap(0, 1);
        changes.push(c);
        for (i, c) in changes.iter().enumerate() {
            assert_ne!(c.canonical_json(), base, "change #{i}");
            assert_ne!(
                sha256_hex(&c.canonical_json()),
                sha256_hex(&base),
                "change #{i}"
            );
        }
    }

    #[test]
    fn signatures_bind_document_role_and_signer() {
        let secret = [7u8; 32];
        let public = public_key_hex(&secret);
        let doc = transcript().canonical_json();
        let sha = sha256_hex(&doc);
        let attrs = SignedAttributes {
            format: SIGNATURE_FORMAT,
            algorithm: ALGORITHM,
            document_sha256: &sha,
            role: SignerRole::HomeroomTeacher.code(),
            signer_name: "Trần Thị Hương",
            signed_at: "2026-05-31T08:00:00Z",
        };
        let msg = attrs.canonical_json();
        let sig = sign(&secret, &msg);
        assert!(verify(&public, &msg, &sig));
        let as_principal = SignedAttributes {
            role: SignerRole::Principal.code(),
            ..attrs.clone()
        };
        assert!(!verify(&public, &as_principal.canonical_json(), &sig));
        let other_doc = sha256_hex(&format!("{doc} "));
        let moved = SignedAttributes {
            document_sha256: &other_doc,
            ..attrs
        };
        assert!(!verify(&public, &moved.canonical_json(), &sig));
        assert!(!verify(&public_key_hex(&[8u8; 32]), &msg, &sig));
        assert!(!verify("zz", &msg, &sig));
    }

    #[test]
    fn samples_are_complete_years_at_both_levels() {
        for grade in [3, 7, 11] {
            let t = sample(grade, "Lê Thị Mỹ Hạnh");
            assert!(t.is_complete(), "{grade}: {:?}", t.missing);
            assert_eq!(t.traits.is_empty(), grade > 5);
        }
    }

    #[test]
    fn every_vietnamese_letter_is_listed_once() {
        let letters = vietnamese_letters();
        // 12 vowels × 6 forms × 2 cases + Đ đ
        assert_eq!(letters.len(), 12 * 6 * 2 + 2);
        let mut sorted = letters.clone();
        sorted.sort();
        sorted.dedup();
        assert_eq!(sorted.len(), letters.len());
        for c in [
            'ỹ', 'Ỹ', 'ự', 'Ự', 'ờ', 'Ở', 'ẵ', 'Ậ', 'ễ', 'ị', 'Ơ', 'ư', 'Ă', 'â', 'Ê', 'ô',
        ] {
            assert!(letters.contains(&c), "{c}");
        }
    }
}
