//! Plan targets (chỉ tiêu kế hoạch): indicators defined as data — a formula over a fixed
//! vocabulary of [`Metric`]s the platform measures per school, a target in %, a deadline and a
//! scope — and their evaluation: the value over a set of schools, whether the target is met,
//! and whether the trend reaches it by the deadline. Pure: the store measures, this decides.
//!
//! The shipped indicators are `data/plan-targets.toml` (its header documents the format).

use std::collections::BTreeMap;
use std::fmt;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::codes::code_enum;
use crate::org::SchoolLevel;

code_enum! {
    /// What the platform measures per school (and, for learner and class counts, per grade),
    /// from the current school year's records. Each is a count.
    Metric {
        Schools => "schools", "Số trường (mỗi trường tính 1)", "Schools (1 per school)";
        Learners => "learners", "Học sinh đang học", "Learners studying";
        LearnersValidId => "learners_valid_id", "Học sinh có mã định danh hợp lệ", "Learners with a valid personal ID";
        LearnersProfileComplete => "learners_profile_complete", "Học sinh đủ thông tin bắt buộc", "Learners with a complete profile";
        LearnersScoresComplete => "learners_scores_complete", "Học sinh đã có kết quả cả năm", "Learners with a complete year result";
        Classes => "classes", "Lớp học", "Classes";
        ClassesUsingGradebook => "classes_using_gradebook", "Lớp có điểm trên sổ điểm điện tử", "Classes using the e-gradebook";
        Teachers => "teachers", "Giáo viên", "Teachers";
        TeachersWithAccount => "teachers_with_account", "Giáo viên có tài khoản", "Teachers with an account";
        Staff => "staff", "Cán bộ, giáo viên, nhân viên", "Staff";
        StaffWithSignature => "staff_with_signature", "Cán bộ có chữ ký số", "Staff with a digital signature";
        TranscriptsSigned => "transcripts_signed", "Học bạ số đã ký (hiệu trưởng)", "E-transcripts signed by the principal";
    }
}

impl Metric {
    /// Counted per grade (learners, classes, transcripts), so an indicator's grades narrow it;
    /// the others are per school.
    pub fn by_grade(self) -> bool {
        !matches!(
            self,
            Metric::Schools
                | Metric::Teachers
                | Metric::TeachersWithAccount
                | Metric::Staff
                | Metric::StaffWithSignature
        )
    }
}

code_enum! {
    /// A comparison in a school condition.
    Op {
        Ge => ">=", "≥", "at least";
        Gt => ">", ">", "more than";
        Eq => "=", "=", "equal to";
        Le => "<=", "≤", "at most";
        Lt => "<", "<", "less than";
    }
}

impl Op {
    fn holds(self, left: f64, right: f64) -> bool {
        match self {
            Op::Ge => left >= right,
            Op::Gt => left > right,
            Op::Eq => (left - right).abs() < 1e-9,
            Op::Le => left <= right,
            Op::Lt => left < right,
        }
    }
}

/// One side of a school condition: a count, or a ratio in %.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Term {
    Count(Metric),
    Percent(Metric, Metric),
}

/// `term op value`, e.g. `classes_using_gradebook / classes >= 100`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Condition {
    pub term: Term,
    pub op: Op,
    pub value: f64,
}

/// How an indicator's value is computed, in %.
#[derive(Debug, Clone, PartialEq)]
pub enum Formula {
    /// Σ numerator ÷ Σ denominator over the schools (and grades) in scope.
    Ratio {
        numerator: Metric,
        denominator: Metric,
    },
    /// The share of schools in scope meeting every condition.
    Schools(Vec<Condition>),
}

/// A formula that does not parse.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FormulaError {
    #[error("công thức trống")]
    Empty,
    #[error("không có chỉ số '{0}' (các chỉ số: {list})", list = metric_codes())]
    UnknownMetric(String),
    #[error("thiếu phép so sánh (>=, >, =, <=, <) trong điều kiện '{0}'")]
    MissingOp(String),
    #[error("'{0}' không phải là số")]
    BadNumber(String),
    #[error("không hiểu '{0}': viết 'a / b' hoặc 'schools(điều kiện)'")]
    Syntax(String),
}

fn metric_codes() -> String {
    Metric::ALL
        .iter()
        .map(|m| m.code())
        .collect::<Vec<_>>()
        .join(", ")
}

fn metric(text: &str) -> Result<Metric, FormulaError> {
    let t = text.trim();
    Metric::from_code(t).ok_or_else(|| FormulaError::UnknownMetric(t.to_string()))
}

fn parse_term(text: &str) -> Result<Term, FormulaError> {
    match text.split_once('/') {
        Some((a, b)) => Ok(Term::Percent(metric(a)?, metric(b)?)),
        None => Ok(Term::Count(metric(text)?)),
    }
}

fn parse_condition(text: &str) -> Result<Condition, FormulaError> {
    // Two-character operators first, so that ">=" is not read as ">".
    for op in [Op::Ge, Op::Le, Op::Gt, Op::Lt, Op::Eq] {
        if let Some((left, right)) = text.split_once(op.code()) {
            let number = right.trim().trim_end_matches('%').trim();
            let value = number
                .replace(',', ".")
                .parse::<f64>()
                .ok()
                .filter(|v| v.is_finite())
                .ok_or_else(|| FormulaError::BadNumber(right.trim().to_string()))?;
            return Ok(Condition {
                term: parse_term(left)?,
                op,
                value,
            });
        }
    }
    Err(FormulaError::MissingOp(text.trim().to_string()))
}

impl std::str::FromStr for Formula {
    type Err = FormulaError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let t = text.trim();
        if t.is_empty() {
            return Err(FormulaError::Empty);
        }
        if let Some(rest) = t
            .strip_prefix("schools")
            .filter(|r| r.trim_start().starts_with('('))
        {
            let inner = rest
                .trim()
                .strip_prefix('(')
                .and_then(|r| r.strip_suffix(')'))
                .ok_or_else(|| FormulaError::Syntax(t.to_string()))?;
            if inner.trim().is_empty() {
                return Err(FormulaError::Syntax(t.to_string()));
            }
            return inner
                .split(" and ")
                .map(parse_condition)
                .collect::<Result<Vec<_>, _>>()
                .map(Formula::Schools);
        }
        match t.split_once('/') {
            Some((a, b)) => Ok(Formula::Ratio {
                numerator: metric(a)?,
                denominator: metric(b)?,
            }),
            None => Err(FormulaError::Syntax(t.to_string())),
        }
    }
}

fn number(v: f64) -> String {
    if v.fract() == 0.0 {
        format!("{v:.0}")
    } else {
        format!("{v}")
    }
}

impl fmt::Display for Term {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Term::Count(m) => f.write_str(m.code()),
            Term::Percent(a, b) => write!(f, "{a} / {b}"),
        }
    }
}

impl fmt::Display for Formula {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Formula::Ratio {
                numerator,
                denominator,
            } => write!(f, "{numerator} / {denominator}"),
            Formula::Schools(conds) => {
                let parts: Vec<String> = conds
                    .iter()
                    .map(|c| format!("{} {} {}", c.term, c.op.code(), number(c.value)))
                    .collect();
                write!(f, "schools({})", parts.join(" and "))
            }
        }
    }
}

impl Formula {
    /// The formula in Vietnamese words, for pages.
    pub fn describe_vi(&self) -> String {
        self.describe(
            Metric::label_vi,
            |o| o.label_vi(),
            "÷",
            "Tỷ lệ trường có",
            "và",
        )
    }

    /// The formula in English words.
    pub fn describe_en(&self) -> String {
        self.describe(
            Metric::label_en,
            |o| o.label_en(),
            "÷",
            "Share of schools with",
            "and",
        )
    }

    fn describe(
        &self,
        label: fn(Metric) -> &'static str,
        op: fn(Op) -> &'static str,
        divided: &str,
        share: &str,
        and: &str,
    ) -> String {
        let term = |t: &Term| match t {
            Term::Count(m) => label(*m).to_string(),
            Term::Percent(a, b) => format!("{} / {} (%)", label(*a), label(*b)),
        };
        match self {
            Formula::Ratio {
                numerator,
                denominator,
            } => format!("{} {divided} {}", label(*numerator), label(*denominator)),
            Formula::Schools(conds) => {
                let parts: Vec<String> = conds
                    .iter()
                    .map(|c| format!("{} {} {}", term(&c.term), op(c.op), number(c.value)))
                    .collect();
                format!("{share} {}", parts.join(&format!(" {and} ")))
            }
        }
    }
}

/// Which schools and learners an indicator covers.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct TargetScope {
    /// Schools teaching any of these levels; empty = every school.
    pub levels: Vec<SchoolLevel>,
    /// Learner grades; empty = every grade. Ignored by metrics not counted by grade.
    pub grades: Vec<u8>,
    /// The scope in words, as the plan states it.
    pub note: String,
}

impl TargetScope {
    pub fn covers_school(&self, levels: &[SchoolLevel]) -> bool {
        self.levels.is_empty() || self.levels.iter().any(|l| levels.contains(l))
    }

    pub fn covers_grade(&self, grade: u8) -> bool {
        self.grades.is_empty() || self.grades.contains(&grade)
    }
}

/// An indicator with its target.
#[derive(Debug, Clone, PartialEq)]
pub struct Indicator {
    pub code: String,
    pub name: String,
    pub name_en: String,
    /// `None`: the platform has no data for it yet ("chưa có dữ liệu").
    pub formula: Option<Formula>,
    /// In %.
    pub target: f64,
    /// The lower target of ethnic-minority and mountain areas, kept but not applied: the
    /// organisation tree carries no such attribute yet.
    pub target_hard_area: Option<f64>,
    pub deadline: NaiveDate,
    pub scope: TargetScope,
    pub source: String,
    /// Without formula: the data the platform would need.
    pub needs: Option<String>,
}

/// An indicator as written (the TOML file, a form, the API): text and numbers, not yet checked.
#[derive(Debug, Clone, Default, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RawIndicator {
    pub code: String,
    pub name: String,
    #[serde(default)]
    pub name_en: String,
    #[serde(default)]
    pub formula: Option<String>,
    pub target: f64,
    #[serde(default)]
    pub target_hard_area: Option<f64>,
    /// "YYYY-MM-DD".
    pub deadline: String,
    #[serde(default)]
    pub levels: Vec<String>,
    #[serde(default)]
    pub grades: Vec<i64>,
    #[serde(default)]
    pub scope: String,
    #[serde(default)]
    pub source: String,
    #[serde(default)]
    pub needs: Option<String>,
}

/// Why an indicator definition is refused, naming the indicator and the field.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TargetError {
    #[error("tệp chỉ tiêu không đọc được: {0}")]
    File(String),
    #[error("chỉ tiêu '{indicator}', trường '{field}': {message}")]
    Field {
        indicator: String,
        field: &'static str,
        message: String,
    },
    #[error("mã chỉ tiêu '{0}' bị trùng")]
    Duplicate(String),
}

impl TargetError {
    fn field(indicator: &str, field: &'static str, message: impl Into<String>) -> Self {
        TargetError::Field {
            indicator: indicator.to_string(),
            field,
            message: message.into(),
        }
    }

    /// The form field at fault, with the whole message (naming indicator and field).
    pub fn to_field_error(&self) -> crate::FieldError {
        match self {
            TargetError::Field { field, .. } => crate::FieldError::new(*field, self.to_string()),
            other => crate::FieldError::new("code", other.to_string()),
        }
    }
}

fn percent_ok(v: f64) -> bool {
    v.is_finite() && (0.0..=100.0).contains(&v)
}

impl RawIndicator {
    /// Checks every field, reporting all problems at once.
    pub fn check(&self) -> Result<Indicator, Vec<TargetError>> {
        let code = self.code.trim();
        let mut errors = Vec::new();
        let mut err =
            |field, message: String| errors.push(TargetError::field(code, field, message));
        if code.is_empty()
            || code.len() > 40
            || !code
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        {
            err(
                "code",
                "mã gồm chữ thường không dấu, chữ số và '_', tối đa 40 ký tự".into(),
            );
        }
        let name = self.name.trim();
        if name.is_empty() || name.chars().count() > 200 {
            err("name", "tên không được để trống, tối đa 200 ký tự".into());
        }
        let formula = match self.formula.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(f) => match f.parse::<Formula>() {
                Ok(f) => Some(f),
                Err(e) => {
                    err("formula", e.to_string());
                    None
                }
            },
        };
        if !percent_ok(self.target) {
            err("target", "chỉ tiêu là tỷ lệ phần trăm từ 0 đến 100".into());
        }
        if let Some(h) = self.target_hard_area
            && !percent_ok(h)
        {
            err(
                "target_hard_area",
                "chỉ tiêu vùng khó khăn là tỷ lệ phần trăm từ 0 đến 100".into(),
            );
        }
        let deadline = NaiveDate::parse_from_str(self.deadline.trim(), "%Y-%m-%d");
        if deadline.is_err() {
            err(
                "deadline",
                format!("'{}' không phải ngày dạng YYYY-MM-DD", self.deadline.trim()),
            );
        }
        let mut levels = Vec::new();
        for l in &self.levels {
            match SchoolLevel::from_code(l.trim()) {
                Some(l) if !levels.contains(&l) => levels.push(l),
                Some(_) => {}
                None => err("levels", format!("không có cấp học '{}'", l.trim())),
            }
        }
        let mut grades = Vec::new();
        for &g in &self.grades {
            match u8::try_from(g) {
                Ok(g) if (1..=12).contains(&g) => grades.push(g),
                _ => err("grades", format!("khối lớp {g} không nằm trong 1–12")),
            }
        }
        grades.sort_unstable();
        grades.dedup();
        if errors.is_empty() {
            Ok(Indicator {
                code: code.to_string(),
                name: name.to_string(),
                name_en: self.name_en.trim().to_string(),
                formula,
                target: self.target,
                target_hard_area: self.target_hard_area,
                deadline: deadline.expect("checked above"),
                scope: TargetScope {
                    levels,
                    grades,
                    note: self.scope.trim().to_string(),
                },
                source: self.source.trim().to_string(),
                needs: self
                    .needs
                    .as_deref()
                    .map(str::trim)
                    .filter(|n| !n.is_empty())
                    .map(str::to_string),
            })
        } else {
            Err(errors)
        }
    }
}

impl Indicator {
    /// Back to the written form (for storing, the API and forms).
    pub fn to_raw(&self) -> RawIndicator {
        RawIndicator {
            code: self.code.clone(),
            name: self.name.clone(),
            name_en: self.name_en.clone(),
            formula: self.formula.as_ref().map(|f| f.to_string()),
            target: self.target,
            target_hard_area: self.target_hard_area,
            deadline: self.deadline.format("%Y-%m-%d").to_string(),
            levels: self
                .scope
                .levels
                .iter()
                .map(|l| l.code().to_string())
                .collect(),
            grades: self.scope.grades.iter().map(|&g| i64::from(g)).collect(),
            scope: self.scope.note.clone(),
            source: self.source.clone(),
            needs: self.needs.clone(),
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    indicator: Vec<RawIndicator>,
}

/// Parses a plan-targets file: every indicator checked, codes unique.
pub fn parse_file(text: &str) -> Result<Vec<Indicator>, Vec<TargetError>> {
    let file: File = toml::from_str(text).map_err(|e| vec![TargetError::File(e.to_string())])?;
    let mut out: Vec<Indicator> = Vec::new();
    let mut errors = Vec::new();
    for raw in &file.indicator {
        match raw.check() {
            Ok(i) if out.iter().any(|o| o.code == i.code) => {
                errors.push(TargetError::Duplicate(i.code));
            }
            Ok(i) => out.push(i),
            Err(e) => errors.extend(e),
        }
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(errors)
    }
}

/// The shipped indicators (`data/plan-targets.toml`).
pub fn defaults() -> Vec<Indicator> {
    parse_file(include_str!("../data/plan-targets.toml")).expect("the shipped plan targets parse")
}

// ---------------------------------------------------------------------------------------------
// Evaluation

/// One school's measured values: (metric, grade) → count, grade 0 for metrics not counted by
/// grade.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SchoolValues {
    pub levels: Vec<SchoolLevel>,
    pub values: BTreeMap<(Metric, u8), i64>,
}

impl SchoolValues {
    /// A metric summed over the grades in scope.
    pub fn sum(&self, metric: Metric, scope: &TargetScope) -> i64 {
        self.values
            .range((metric, 0)..=(metric, u8::MAX))
            .filter(|((_, g), _)| !metric.by_grade() || scope.covers_grade(*g))
            .map(|(_, v)| *v)
            .sum()
    }

    fn meets(&self, c: &Condition, scope: &TargetScope) -> bool {
        let left = match c.term {
            Term::Count(m) => self.sum(m, scope) as f64,
            Term::Percent(a, b) => match self.sum(b, scope) {
                // Nothing to measure against: the condition is not met (a school without
                // classes does not "use the gradebook in every class").
                0 => return false,
                d => self.sum(a, scope) as f64 * 100.0 / d as f64,
            },
        };
        c.op.holds(left, c.value)
    }
}

/// An indicator's value over a set of schools.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Measure {
    /// Learners (records, schools) counted in the numerator and the denominator.
    pub numerator: i64,
    pub denominator: i64,
    /// In %; `None` with a zero denominator.
    pub value: Option<f64>,
}

/// The value of `formula` over `schools` (those outside `scope` are left out).
pub fn evaluate(formula: &Formula, scope: &TargetScope, schools: &[&SchoolValues]) -> Measure {
    let in_scope = schools.iter().filter(|s| scope.covers_school(&s.levels));
    let (numerator, denominator) = match formula {
        Formula::Ratio {
            numerator,
            denominator,
        } => in_scope.fold((0, 0), |(n, d), s| {
            (n + s.sum(*numerator, scope), d + s.sum(*denominator, scope))
        }),
        Formula::Schools(conds) => in_scope.fold((0, 0), |(n, d), s| {
            let met = conds.iter().all(|c| s.meets(c, scope));
            (n + i64::from(met), d + 1)
        }),
    };
    Measure {
        numerator,
        denominator,
        value: (denominator > 0).then(|| numerator as f64 * 100.0 / denominator as f64),
    }
}

code_enum! {
    /// Where an indicator stands.
    Status {
        Met => "met", "Đạt", "Met";
        OnTrack => "on_track", "Đúng tiến độ", "On track";
        Behind => "behind", "Chậm tiến độ", "Behind";
        NoData => "no_data", "Chưa có dữ liệu", "No data yet";
    }
}

/// The value expected at the deadline if the trend of `history` (date, %) goes on: a straight
/// line through its first and last points, capped at 100. `None` without history.
pub fn projection(history: &[(NaiveDate, f64)], deadline: NaiveDate) -> Option<f64> {
    let (first, last) = (history.first()?, history.last()?);
    let span = (last.0 - first.0).num_days();
    let slope = if span > 0 {
        (last.1 - first.1) / span as f64
    } else {
        0.0
    };
    let ahead = (deadline - last.0).num_days().max(0) as f64;
    Some((last.1 + slope * ahead).min(100.0))
}

/// Met when the latest value reaches the target; before the deadline, on track when the trend
/// reaches it by then; otherwise behind. `history` is (date, %) in date order, latest last.
pub fn status(
    target: f64,
    deadline: NaiveDate,
    today: NaiveDate,
    history: &[(NaiveDate, f64)],
) -> Status {
    let Some(&(_, latest)) = history.last() else {
        return Status::NoData;
    };
    if latest + 1e-9 >= target {
        Status::Met
    } else if today <= deadline && projection(history, deadline).is_some_and(|p| p + 1e-9 >= target)
    {
        Status::OnTrack
    } else {
        Status::Behind
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn school(levels: &[SchoolLevel], values: &[(Metric, u8, i64)]) -> SchoolValues {
        SchoolValues {
            levels: levels.to_vec(),
            values: values.iter().map(|&(m, g, v)| ((m, g), v)).collect(),
        }
    }

    #[test]
    fn the_shipped_file_parses_and_lists_what_has_no_data() {
        let all = defaults();
        assert!(all.len() >= 15);
        let id = all.iter().find(|i| i.code == "id_valid_9_and_12").unwrap();
        assert_eq!(id.scope.grades, vec![9, 12]);
        assert_eq!(id.target, 100.0);
        let cash = all.iter().find(|i| i.code == "schools_cashless").unwrap();
        assert!(cash.formula.is_none() && cash.needs.is_some());
        assert_eq!(cash.target_hard_area, Some(80.0));
        // Every indicator without a formula says what data it waits for.
        assert!(all.iter().all(|i| i.formula.is_some() || i.needs.is_some()));
    }

    #[test]
    fn formulas_parse_and_print_back() {
        let f: Formula = "learners_valid_id / learners".parse().unwrap();
        assert_eq!(
            f,
            Formula::Ratio {
                numerator: Metric::LearnersValidId,
                denominator: Metric::Learners
            }
        );
        let s: Formula =
            "schools(classes_using_gradebook / classes >= 100% and transcripts_signed > 0)"
                .parse()
                .unwrap();
        assert_eq!(
            s.to_string(),
            "schools(classes_using_gradebook / classes >= 100 and transcripts_signed > 0)"
        );
        assert_eq!(
            s.describe_en(),
            "Share of schools with Classes using the e-gradebook / Classes (%) at least 100 and E-transcripts signed by the principal more than 0"
        );
        assert_eq!(
            f.describe_vi(),
            "Học sinh có mã định danh hợp lệ ÷ Học sinh đang học"
        );
    }

    #[test]
    fn bad_formulas_say_what_is_wrong_in_vietnamese() {
        let e = "learners / pupils".parse::<Formula>().unwrap_err();
        assert_eq!(e, FormulaError::UnknownMetric("pupils".into()));
        assert!(e.to_string().contains("không có chỉ số 'pupils'"));
        assert!(matches!(
            "schools(classes)".parse::<Formula>(),
            Err(FormulaError::MissingOp(_))
        ));
        assert!(matches!(
            "schools(classes >= nhiều)".parse::<Formula>(),
            Err(FormulaError::BadNumber(_))
        ));
        assert!(matches!(
            "learners".parse::<Formula>(),
            Err(FormulaError::Syntax(_))
        ));
        assert_eq!("  ".parse::<Formula>(), Err(FormulaError::Empty));
    }

    #[test]
    fn a_bad_definition_names_indicator_and_field_for_every_problem() {
        let raw = RawIndicator {
            code: "x1".into(),
            name: "Chỉ tiêu".into(),
            formula: Some("learners / nope".into()),
            target: 120.0,
            deadline: "31/12/2026".into(),
            levels: vec!["thcs".into(), "dh".into()],
            grades: vec![13],
            ..Default::default()
        };
        let errors = raw.check().unwrap_err();
        let fields: Vec<&str> = errors
            .iter()
            .map(|e| match e {
                TargetError::Field {
                    field, indicator, ..
                } => {
                    assert_eq!(indicator, "x1");
                    *field
                }
                _ => "",
            })
            .collect();
        assert_eq!(
            fields,
            ["formula", "target", "deadline", "levels", "grades"]
        );
        assert!(
            errors[2]
                .to_string()
                .starts_with("chỉ tiêu 'x1', trường 'deadline'")
        );
    }

    #[test]
    fn duplicate_codes_and_unknown_fields_are_refused() {
        let one =
            "[[indicator]]\ncode = \"a\"\nname = \"A\"\ntarget = 1\ndeadline = \"2026-01-01\"\n";
        let twice = format!("{one}{one}");
        assert_eq!(
            parse_file(&twice).unwrap_err(),
            vec![TargetError::Duplicate("a".into())]
        );
        assert!(matches!(
            parse_file(&format!("{one}colour = 1\n")).unwrap_err()[0],
            TargetError::File(_)
        ));
    }

    #[test]
    fn a_ratio_sums_the_grades_and_schools_in_scope() {
        use Metric::*;
        let scope = TargetScope {
            levels: vec![SchoolLevel::LowerSecondary, SchoolLevel::UpperSecondary],
            grades: vec![9, 12],
            note: String::new(),
        };
        let thcs = school(
            &[SchoolLevel::LowerSecondary],
            &[
                (Learners, 8, 50),
                (Learners, 9, 40),
                (LearnersValidId, 9, 30),
                (LearnersValidId, 8, 50),
            ],
        );
        let thpt = school(
            &[SchoolLevel::UpperSecondary],
            &[(Learners, 12, 60), (LearnersValidId, 12, 60)],
        );
        let primary = school(&[SchoolLevel::Primary], &[(Learners, 9, 100)]);
        let f: Formula = "learners_valid_id / learners".parse().unwrap();
        let m = evaluate(&f, &scope, &[&thcs, &thpt, &primary]);
        assert_eq!((m.numerator, m.denominator), (90, 100));
        assert_eq!(m.value, Some(90.0));
        assert_eq!(evaluate(&f, &scope, &[]).value, None);
    }

    #[test]
    fn a_school_share_counts_schools_meeting_every_condition() {
        use Metric::*;
        let f: Formula = "schools(classes_using_gradebook / classes >= 100 and teachers > 0)"
            .parse()
            .unwrap();
        let all = TargetScope::default();
        let full = school(
            &[],
            &[
                (Classes, 1, 3),
                (ClassesUsingGradebook, 1, 3),
                (Teachers, 0, 5),
            ],
        );
        let part = school(
            &[],
            &[
                (Classes, 1, 3),
                (ClassesUsingGradebook, 1, 2),
                (Teachers, 0, 5),
            ],
        );
        let empty = school(&[], &[(Teachers, 0, 2)]);
        let m = evaluate(&f, &all, &[&full, &part, &empty]);
        assert_eq!((m.numerator, m.denominator), (1, 3));
    }

    #[test]
    fn status_follows_value_deadline_and_trend() {
        let h = |pts: &[(&str, f64)]| pts.iter().map(|(s, v)| (d(s), *v)).collect::<Vec<_>>();
        let deadline = d("2026-12-31");
        assert_eq!(status(95.0, deadline, d("2026-06-01"), &[]), Status::NoData);
        assert_eq!(
            status(95.0, deadline, d("2026-06-01"), &h(&[("2026-06-01", 96.0)])),
            Status::Met
        );
        // +5 points a month from 80 % in June reaches 95 % well before December.
        let rising = h(&[("2026-05-01", 75.0), ("2026-06-01", 80.0)]);
        assert_eq!(
            status(95.0, deadline, d("2026-06-01"), &rising),
            Status::OnTrack
        );
        let flat = h(&[("2026-05-01", 80.0), ("2026-06-01", 80.0)]);
        assert_eq!(
            status(95.0, deadline, d("2026-06-01"), &flat),
            Status::Behind
        );
        // Past the deadline only reaching the target counts.
        assert_eq!(
            status(95.0, deadline, d("2027-01-02"), &rising),
            Status::Behind
        );
        // A single point has no trend.
        assert_eq!(
            status(95.0, deadline, d("2026-06-01"), &h(&[("2026-06-01", 80.0)])),
            Status::Behind
        );
    }

    fn any_metric() -> impl Strategy<Value = Metric> {
        prop::sample::select(Metric::ALL.to_vec())
    }

    fn any_formula() -> impl Strategy<Value = Formula> {
        let cond = (
            any_metric(),
            prop::option::of(any_metric()),
            0usize..5,
            0u32..200,
        )
            .prop_map(|(a, b, op, v)| Condition {
                term: b.map_or(Term::Count(a), |b| Term::Percent(a, b)),
                op: Op::ALL[op],
                value: f64::from(v) / 2.0,
            });
        prop_oneof![
            (any_metric(), any_metric()).prop_map(|(n, d)| Formula::Ratio {
                numerator: n,
                denominator: d
            }),
            prop::collection::vec(cond, 1..4).prop_map(Formula::Schools),
        ]
    }

    proptest! {
        #[test]
        fn every_formula_prints_as_text_that_parses_back(f in any_formula()) {
            prop_assert_eq!(f.to_string().parse::<Formula>(), Ok(f));
        }

        #[test]
        fn a_ratio_of_parts_stays_between_0_and_100(
            rows in prop::collection::vec((0i64..500, 0i64..500, 1u8..13), 0..30)
        ) {
            let schools: Vec<SchoolValues> = rows
                .iter()
                .map(|&(a, b, g)| school(&[], &[
                    (Metric::Learners, g, a.max(b)),
                    (Metric::LearnersValidId, g, a.min(b)),
                ]))
                .collect();
            let refs: Vec<&SchoolValues> = schools.iter().collect();
            let f: Formula = "learners_valid_id / learners".parse().unwrap();
            let m = evaluate(&f, &TargetScope::default(), &refs);
            prop_assert!(m.numerator <= m.denominator);
            if let Some(v) = m.value {
                prop_assert!((0.0..=100.0).contains(&v));
            }
        }

        #[test]
        fn a_higher_latest_value_never_worsens_the_status(
            first in 0.0f64..100.0, last in 0.0f64..100.0, bump in 0.0f64..50.0, target in 0.0f64..100.0
        ) {
            let rank = |s: Status| match s { Status::Met => 3, Status::OnTrack => 2, Status::Behind => 1, Status::NoData => 0 };
            let (a, b, deadline, today) = (d("2026-01-01"), d("2026-06-01"), d("2026-12-31"), d("2026-06-01"));
            let low = status(target, deadline, today, &[(a, first), (b, last)]);
            let high = status(target, deadline, today, &[(a, first), (b, (last + bump).min(100.0))]);
            prop_assert!(rank(high) >= rank(low));
        }
    }
}
