//! The digital-maturity index (Decision 4725) in the database: a school's self-assessment of a
//! school year (answers, evidence files, notes), its submission with the scores and levels of
//! `domain::dx::score`, the managing office's review, the values the platform measures itself,
//! and the distribution of levels over a unit's schools.
//!
//! Every write takes a transaction and checks all its input before the first statement, so bad
//! input is a typed error naming the field and nothing is half-written.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use sea_query::{Expr, ExprTrait, OnConflict, Order, Query};
use serde::{Deserialize, Serialize};
use truongso_domain::dx::{
    self, AssessmentStatus, CriteriaSet, DxRules, EvidenceType, LevelCounts, Measure, Scored,
};
use truongso_domain::org::OrgKind;
use truongso_domain::validation::Checker;

use crate::orgs::OrgUnit;
use crate::schema::{
    Classes, DxAnswers, DxAssessments, DxEvidence, DxReviewComments, GradeRows, OrgUnits, Staff,
    Users,
};
use crate::scope::path_prefix;
use crate::{Conn, Scope, StoreError, StoreResult, Tx};

/// A self-assessment as stored.
#[derive(Debug, Clone, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct Assessment {
    pub id: i64,
    pub school_id: i64,
    pub school_year_id: i64,
    pub criteria_version: String,
    #[sqlx(try_from = "String")]
    pub status: AssessmentStatus,
    /// Scores and levels as of the latest submission (none before the first).
    pub teaching_score: Option<f64>,
    pub management_score: Option<f64>,
    pub teaching_level: Option<i32>,
    pub management_level: Option<i32>,
    pub level: Option<i32>,
    pub submitted_by: Option<String>,
    pub submitted_at: Option<DateTime<Utc>>,
    pub reviewed_by: Option<String>,
    pub reviewed_at: Option<DateTime<Utc>>,
    pub review_comment: Option<String>,
    pub updated_at: DateTime<Utc>,
}

const ASSESSMENT_COLUMNS: [DxAssessments; 17] = [
    DxAssessments::Id,
    DxAssessments::SchoolId,
    DxAssessments::SchoolYearId,
    DxAssessments::CriteriaVersion,
    DxAssessments::Status,
    DxAssessments::TeachingScore,
    DxAssessments::ManagementScore,
    DxAssessments::TeachingLevel,
    DxAssessments::ManagementLevel,
    DxAssessments::Level,
    DxAssessments::SubmittedBy,
    DxAssessments::SubmittedAt,
    DxAssessments::ReviewedBy,
    DxAssessments::ReviewedAt,
    DxAssessments::ReviewComment,
    DxAssessments::UpdatedAt,
    DxAssessments::CreatedAt,
];

impl Assessment {
    /// The criteria version it was made with.
    pub fn criteria(&self) -> StoreResult<&'static CriteriaSet> {
        CriteriaSet::builtin(&self.criteria_version)
            .map_err(|e| StoreError::invalid("criteria_version", e.to_string()))
    }
}

/// One declared answer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct Answer {
    pub indicator_code: String,
    /// 1/0 for yes/no, a percentage for a share, a count of functions; none when unanswered.
    pub value: Option<f64>,
    pub note: Option<String>,
    /// A link to evidence kept elsewhere (https://…).
    pub link: Option<String>,
}

/// An evidence file without its bytes.
#[derive(Debug, Clone, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct Evidence {
    pub id: i64,
    pub assessment_id: i64,
    pub indicator_code: String,
    pub file_name: String,
    pub content_type: String,
    pub size: i64,
    pub uploaded_by: String,
    pub uploaded_at: DateTime<Utc>,
}

const EVIDENCE_COLUMNS: [DxEvidence; 8] = [
    DxEvidence::Id,
    DxEvidence::AssessmentId,
    DxEvidence::IndicatorCode,
    DxEvidence::FileName,
    DxEvidence::ContentType,
    DxEvidence::Size,
    DxEvidence::UploadedBy,
    DxEvidence::UploadedAt,
];

/// The reviewer's comment on one indicator.
#[derive(Debug, Clone, Serialize, Deserialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct ReviewNote {
    pub indicator_code: String,
    pub comment: String,
}

/// Everything a form or review page shows of one assessment.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct AssessmentDetail {
    pub assessment: Assessment,
    pub answers: Vec<Answer>,
    pub evidence: Vec<Evidence>,
    pub review_notes: Vec<ReviewNote>,
}

impl AssessmentDetail {
    /// The declared values by indicator code, as the scoring function takes them.
    pub fn values(&self) -> dx::Answers {
        answers_map(&self.answers)
    }
}

fn answers_map(answers: &[Answer]) -> dx::Answers {
    answers
        .iter()
        .filter_map(|a| Some((a.indicator_code.clone(), a.value?)))
        .collect()
}

/// A school in the caller's scope (not an office, not a satellite site).
pub async fn school(conn: &mut Conn<'_>, scope: &Scope, school_id: i64) -> StoreResult<OrgUnit> {
    let unit = crate::orgs::get(conn, scope, school_id).await?;
    if unit.kind != OrgKind::School {
        return Err(StoreError::not_found("trường"));
    }
    Ok(unit)
}

/// The school's assessment of the year under the current criteria, if it has started one.
pub async fn find(
    conn: &mut Conn<'_>,
    school_id: i64,
    school_year_id: i64,
) -> StoreResult<Option<Assessment>> {
    conn.fetch_optional(
        Query::select()
            .columns(ASSESSMENT_COLUMNS)
            .from(DxAssessments::Table)
            .and_where(Expr::col(DxAssessments::SchoolId).eq(school_id))
            .and_where(Expr::col(DxAssessments::SchoolYearId).eq(school_year_id))
            .and_where(Expr::col(DxAssessments::CriteriaVersion).eq(dx::criteria::CURRENT_VERSION)),
    )
    .await
}

/// The assessment with its answers, evidence list and review notes.
pub async fn detail(conn: &mut Conn<'_>, assessment: Assessment) -> StoreResult<AssessmentDetail> {
    let answers: Vec<Answer> = conn
        .fetch_all(
            Query::select()
                .columns([
                    DxAnswers::IndicatorCode,
                    DxAnswers::Value,
                    DxAnswers::Note,
                    DxAnswers::Link,
                ])
                .from(DxAnswers::Table)
                .and_where(Expr::col(DxAnswers::AssessmentId).eq(assessment.id))
                .order_by(DxAnswers::IndicatorCode, Order::Asc),
        )
        .await?;
    let evidence: Vec<Evidence> = conn
        .fetch_all(
            Query::select()
                .columns(EVIDENCE_COLUMNS)
                .from(DxEvidence::Table)
                .and_where(Expr::col(DxEvidence::AssessmentId).eq(assessment.id))
                .order_by(DxEvidence::Id, Order::Asc),
        )
        .await?;
    let review_notes: Vec<ReviewNote> = conn
        .fetch_all(
            Query::select()
                .columns([DxReviewComments::IndicatorCode, DxReviewComments::Comment])
                .from(DxReviewComments::Table)
                .and_where(Expr::col(DxReviewComments::AssessmentId).eq(assessment.id))
                .order_by(DxReviewComments::IndicatorCode, Order::Asc),
        )
        .await?;
    Ok(AssessmentDetail {
        assessment,
        answers,
        evidence,
        review_notes,
    })
}

/// The school's assessment of the year, started as a draft when there is none.
pub async fn ensure(tx: &mut Tx, school_id: i64, school_year_id: i64) -> StoreResult<Assessment> {
    if let Some(a) = find(&mut tx.conn(), school_id, school_year_id).await? {
        return Ok(a);
    }
    let now = Utc::now();
    tx.conn()
        .execute(
            Query::insert()
                .into_table(DxAssessments::Table)
                .columns([
                    DxAssessments::SchoolId,
                    DxAssessments::SchoolYearId,
                    DxAssessments::CriteriaVersion,
                    DxAssessments::Status,
                    DxAssessments::CreatedAt,
                    DxAssessments::UpdatedAt,
                ])
                .values_panic([
                    school_id.into(),
                    school_year_id.into(),
                    dx::criteria::CURRENT_VERSION.into(),
                    AssessmentStatus::Draft.code().into(),
                    now.into(),
                    now.into(),
                ]),
        )
        .await?;
    find(&mut tx.conn(), school_id, school_year_id)
        .await?
        .ok_or(StoreError::not_found("bản tự đánh giá"))
}

fn require_editable(a: &Assessment) -> StoreResult<()> {
    if a.status.editable() {
        Ok(())
    } else {
        Err(StoreError::conflict(
            "status",
            format!(
                "Bản tự đánh giá đang ở trạng thái \"{}\": không sửa được nữa.",
                a.status.label_vi()
            ),
        ))
    }
}

/// Checks answers against the criteria set: known indicator, value in range, note and link
/// of sensible length, links as http(s). Errors name `answers[i].field`.
fn check_answers(set: &CriteriaSet, input: &[Answer]) -> StoreResult<()> {
    let mut c = Checker::new();
    for (i, a) in input.iter().enumerate() {
        let field = |name: &str| format!("answers[{i}].{name}");
        let Some(indicator) = set.indicator(&a.indicator_code) else {
            c.push(
                &field("indicator_code"),
                format!("Không có chỉ số '{}' trong bộ tiêu chí.", a.indicator_code),
            );
            continue;
        };
        if let Some(v) = a.value
            && let Err(m) = dx::check_value(indicator, v)
        {
            c.push(&field("value"), format!("Chỉ số {}: {m}", indicator.code));
        }
        if a.note.as_deref().is_some_and(|n| n.chars().count() > 2000) {
            c.push(&field("note"), "Ghi chú dài quá 2000 ký tự.");
        }
        if let Some(link) = a.link.as_deref().filter(|l| !l.trim().is_empty()) {
            let l = link.trim();
            if !(l.starts_with("https://") || l.starts_with("http://"))
                || l.len() > 500
                || l.contains(char::is_whitespace)
            {
                c.push(
                    &field("link"),
                    format!(
                        "Chỉ số {}: liên kết phải bắt đầu bằng https:// (tối đa 500 ký tự).",
                        indicator.code
                    ),
                );
            }
        }
    }
    c.finish().map_err(StoreError::from)
}

/// Saves declared answers (each given indicator replaces its stored answer; blank note and
/// link become none). All or nothing: one bad answer rejects the whole save.
pub async fn save_answers(
    tx: &mut Tx,
    school_id: i64,
    school_year_id: i64,
    input: &[Answer],
) -> StoreResult<Assessment> {
    let assessment = ensure(tx, school_id, school_year_id).await?;
    require_editable(&assessment)?;
    check_answers(assessment.criteria()?, input)?;
    let now = Utc::now();
    let blank = |s: &Option<String>| {
        s.as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_string)
    };
    for a in input {
        tx.conn()
            .execute(
                Query::insert()
                    .into_table(DxAnswers::Table)
                    .columns([
                        DxAnswers::AssessmentId,
                        DxAnswers::IndicatorCode,
                        DxAnswers::Value,
                        DxAnswers::Note,
                        DxAnswers::Link,
                        DxAnswers::UpdatedAt,
                    ])
                    .values_panic([
                        assessment.id.into(),
                        a.indicator_code.clone().into(),
                        a.value.into(),
                        blank(&a.note).into(),
                        blank(&a.link).into(),
                        now.into(),
                    ])
                    .on_conflict(
                        OnConflict::columns([DxAnswers::AssessmentId, DxAnswers::IndicatorCode])
                            .update_columns([
                                DxAnswers::Value,
                                DxAnswers::Note,
                                DxAnswers::Link,
                                DxAnswers::UpdatedAt,
                            ])
                            .to_owned(),
                    ),
            )
            .await?;
    }
    touch(tx, assessment.id, now).await?;
    Ok(assessment)
}

async fn touch(tx: &mut Tx, id: i64, now: DateTime<Utc>) -> StoreResult<()> {
    tx.conn()
        .execute(
            Query::update()
                .table(DxAssessments::Table)
                .value(DxAssessments::UpdatedAt, now)
                .and_where(Expr::col(DxAssessments::Id).eq(id)),
        )
        .await?;
    Ok(())
}

/// Stores an evidence file for an indicator after checking its size and its content type
/// (`domain::dx::check_evidence`); a refused file leaves the database unchanged.
pub async fn add_evidence(
    tx: &mut Tx,
    school_id: i64,
    school_year_id: i64,
    indicator_code: &str,
    file_name: &str,
    bytes: &[u8],
    uploaded_by: &str,
) -> StoreResult<Evidence> {
    let set = CriteriaSet::current();
    if set.indicator(indicator_code).is_none() {
        return Err(StoreError::invalid(
            "indicator_code",
            format!("Không có chỉ số '{indicator_code}' trong bộ tiêu chí."),
        ));
    }
    let name = file_name.trim();
    if name.is_empty() || name.chars().count() > 200 || name.contains(['/', '\\']) {
        return Err(StoreError::invalid(
            "file_name",
            "Tên tệp không hợp lệ (tối đa 200 ký tự, không chứa / hoặc \\).",
        ));
    }
    let kind: EvidenceType =
        dx::check_evidence(name, bytes).map_err(|m| StoreError::invalid("file", m))?;
    let assessment = ensure(tx, school_id, school_year_id).await?;
    require_editable(&assessment)?;
    let now = Utc::now();
    let (id,): (i64,) = tx
        .conn()
        .fetch_one(
            Query::insert()
                .into_table(DxEvidence::Table)
                .columns([
                    DxEvidence::AssessmentId,
                    DxEvidence::IndicatorCode,
                    DxEvidence::FileName,
                    DxEvidence::ContentType,
                    DxEvidence::Size,
                    DxEvidence::Content,
                    DxEvidence::UploadedBy,
                    DxEvidence::UploadedAt,
                ])
                .values_panic([
                    assessment.id.into(),
                    indicator_code.into(),
                    name.into(),
                    kind.mime().into(),
                    (bytes.len() as i64).into(),
                    bytes.to_vec().into(),
                    uploaded_by.into(),
                    now.into(),
                ])
                .returning_col(DxEvidence::Id),
        )
        .await?;
    touch(tx, assessment.id, now).await?;
    Ok(Evidence {
        id,
        assessment_id: assessment.id,
        indicator_code: indicator_code.into(),
        file_name: name.into(),
        content_type: kind.mime().into(),
        size: bytes.len() as i64,
        uploaded_by: uploaded_by.into(),
        uploaded_at: now,
    })
}

/// An evidence file with its bytes, if its school is in scope.
pub async fn evidence_file(
    conn: &mut Conn<'_>,
    scope: &Scope,
    id: i64,
) -> StoreResult<(Evidence, Vec<u8>)> {
    let meta: Evidence = conn
        .fetch_optional(
            Query::select()
                .columns(EVIDENCE_COLUMNS.map(|c| (DxEvidence::Table, c)))
                .from(DxEvidence::Table)
                .inner_join(
                    DxAssessments::Table,
                    Expr::col((DxAssessments::Table, DxAssessments::Id))
                        .equals((DxEvidence::Table, DxEvidence::AssessmentId)),
                )
                .and_where(Expr::col((DxEvidence::Table, DxEvidence::Id)).eq(id))
                .and_where_option(
                    scope.org_filter(Expr::col((DxAssessments::Table, DxAssessments::SchoolId))),
                ),
        )
        .await?
        .ok_or(StoreError::not_found("tệp minh chứng"))?;
    let (bytes,): (Vec<u8>,) = conn
        .fetch_one(
            Query::select()
                .column(DxEvidence::Content)
                .from(DxEvidence::Table)
                .and_where(Expr::col(DxEvidence::Id).eq(id)),
        )
        .await?;
    Ok((meta, bytes))
}

/// Submits the assessment: scores it with the criteria it was made with and stores the scores
/// and levels (those of `domain::dx::score`, so stored equals recomputed).
pub async fn submit(
    tx: &mut Tx,
    school_id: i64,
    school_year_id: i64,
    by: &str,
    rules: &DxRules,
) -> StoreResult<(Assessment, Scored)> {
    let assessment = ensure(tx, school_id, school_year_id).await?;
    require_editable(&assessment)?;
    let d = detail(&mut tx.conn(), assessment).await?;
    let scored = dx::score(d.assessment.criteria()?, &d.values(), rules);
    let now = Utc::now();
    let group = |i: usize| scored.groups.get(i);
    tx.conn()
        .execute(
            Query::update()
                .table(DxAssessments::Table)
                .values([
                    (
                        DxAssessments::Status,
                        AssessmentStatus::Submitted.code().into(),
                    ),
                    (
                        DxAssessments::TeachingScore,
                        group(0).map(|g| g.score).into(),
                    ),
                    (
                        DxAssessments::ManagementScore,
                        group(1).map(|g| g.score).into(),
                    ),
                    (
                        DxAssessments::TeachingLevel,
                        group(0).map(|g| i32::from(g.level)).into(),
                    ),
                    (
                        DxAssessments::ManagementLevel,
                        group(1).map(|g| i32::from(g.level)).into(),
                    ),
                    (DxAssessments::Level, i32::from(scored.level).into()),
                    (DxAssessments::SubmittedBy, by.into()),
                    (DxAssessments::SubmittedAt, now.into()),
                    (DxAssessments::UpdatedAt, now.into()),
                ])
                .and_where(Expr::col(DxAssessments::Id).eq(d.assessment.id)),
        )
        .await?;
    let stored = find(&mut tx.conn(), school_id, school_year_id)
        .await?
        .ok_or(StoreError::not_found("bản tự đánh giá"))?;
    Ok((stored, scored))
}

/// The office's decision on a submitted assessment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Decision {
    Approve,
    Return,
}

/// Approves or returns a submitted assessment, with an overall comment (required to return)
/// and comments per indicator, which replace the previous review's.
pub async fn review(
    tx: &mut Tx,
    school_id: i64,
    school_year_id: i64,
    by: &str,
    decision: Decision,
    comment: Option<&str>,
    notes: &[ReviewNote],
) -> StoreResult<Assessment> {
    let assessment = find(&mut tx.conn(), school_id, school_year_id)
        .await?
        .ok_or(StoreError::conflict(
            "status",
            "Trường chưa gửi bản tự đánh giá để duyệt.",
        ))?;
    if assessment.status != AssessmentStatus::Submitted {
        return Err(StoreError::conflict(
            "status",
            format!(
                "Chỉ duyệt hoặc trả lại được bản đã gửi; bản này đang \"{}\".",
                assessment.status.label_vi()
            ),
        ));
    }
    let comment = comment.map(str::trim).filter(|c| !c.is_empty());
    let set = assessment.criteria()?;
    let mut c = Checker::new();
    if decision == Decision::Return
        && comment.is_none()
        && notes.iter().all(|n| n.comment.trim().is_empty())
    {
        c.push(
            "comment",
            "Khi trả lại, hãy ghi nhận xét để trường biết cần sửa gì.",
        );
    }
    if comment.is_some_and(|t| t.chars().count() > 4000) {
        c.push("comment", "Nhận xét dài quá 4000 ký tự.");
    }
    for (i, n) in notes.iter().enumerate() {
        if set.indicator(&n.indicator_code).is_none() {
            c.push(
                &format!("notes[{i}].indicator_code"),
                format!("Không có chỉ số '{}' trong bộ tiêu chí.", n.indicator_code),
            );
        }
        if n.comment.chars().count() > 2000 {
            c.push(
                &format!("notes[{i}].comment"),
                "Nhận xét dài quá 2000 ký tự.",
            );
        }
    }
    c.finish()?;
    let now = Utc::now();
    let status = match decision {
        Decision::Approve => AssessmentStatus::Approved,
        Decision::Return => AssessmentStatus::Returned,
    };
    tx.conn()
        .execute(
            Query::update()
                .table(DxAssessments::Table)
                .values([
                    (DxAssessments::Status, status.code().into()),
                    (DxAssessments::ReviewedBy, by.into()),
                    (DxAssessments::ReviewedAt, now.into()),
                    (
                        DxAssessments::ReviewComment,
                        comment.map(str::to_string).into(),
                    ),
                    (DxAssessments::UpdatedAt, now.into()),
                ])
                .and_where(Expr::col(DxAssessments::Id).eq(assessment.id)),
        )
        .await?;
    tx.conn()
        .execute(
            Query::delete()
                .from_table(DxReviewComments::Table)
                .and_where(Expr::col(DxReviewComments::AssessmentId).eq(assessment.id)),
        )
        .await?;
    for n in notes.iter().filter(|n| !n.comment.trim().is_empty()) {
        tx.conn()
            .execute(
                Query::insert()
                    .into_table(DxReviewComments::Table)
                    .columns([
                        DxReviewComments::AssessmentId,
                        DxReviewComments::IndicatorCode,
                        DxReviewComments::Comment,
                        DxReviewComments::Author,
                        DxReviewComments::CreatedAt,
                    ])
                    .values_panic([
                        assessment.id.into(),
                        n.indicator_code.clone().into(),
                        n.comment.trim().into(),
                        by.into(),
                        now.into(),
                    ]),
            )
            .await?;
    }
    find(&mut tx.conn(), school_id, school_year_id)
        .await?
        .ok_or(StoreError::not_found("bản tự đánh giá"))
}

/// A value the platform measures, or why it cannot.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Measured {
    /// A share in percent, with what it counts (`part` of `whole`).
    Share {
        percent: f64,
        part: i64,
        whole: i64,
    },
    Yes,
    No,
    /// Not measurable: the platform holds no such data (yet).
    Unavailable {
        reason: String,
    },
}

impl Measured {
    /// The value in the unit of the indicator's answer (a share's percent, 1/0), if known.
    pub fn as_value(&self) -> Option<f64> {
        match self {
            Measured::Share { percent, .. } => Some(*percent),
            Measured::Yes => Some(1.0),
            Measured::No => Some(0.0),
            Measured::Unavailable { .. } => None,
        }
    }
}

/// What the platform measures for one school and year, by indicator code.
pub async fn measured(
    conn: &mut Conn<'_>,
    school_id: i64,
    school_year_id: i64,
) -> StoreResult<BTreeMap<String, Measured>> {
    let mut out = BTreeMap::new();
    for ind in CriteriaSet::current().indicators() {
        if let Some(m) = ind.measure {
            out.insert(
                ind.code.clone(),
                measure(conn, m, school_id, school_year_id).await?,
            );
        }
    }
    Ok(out)
}

async fn measure(
    conn: &mut Conn<'_>,
    m: Measure,
    school_id: i64,
    school_year_id: i64,
) -> StoreResult<Measured> {
    Ok(match m {
        Measure::GradebookClassesShare => {
            let classes = Query::select()
                .from(Classes::Table)
                .and_where(Expr::col(Classes::OrgUnitId).eq(school_id))
                .and_where(Expr::col(Classes::SchoolYearId).eq(school_year_id))
                .to_owned();
            let with_rows = classes
                .clone()
                .and_where(
                    Expr::col(Classes::Id).in_subquery(
                        Query::select()
                            .column(GradeRows::ClassId)
                            .from(GradeRows::Table)
                            .and_where(Expr::col(GradeRows::SchoolId).eq(school_id))
                            .and_where(Expr::col(GradeRows::SchoolYearId).eq(school_year_id))
                            .to_owned(),
                    ),
                )
                .to_owned();
            share(conn, &with_rows, &classes).await?
        }
        Measure::TeacherAccountsShare => {
            let teachers = Query::select()
                .from(Staff::Table)
                .and_where(Expr::col(Staff::OrgUnitId).eq(school_id))
                .and_where(Expr::col(Staff::Position).eq("teacher"))
                .to_owned();
            let with_account = teachers
                .clone()
                .and_where(
                    Expr::col(Staff::Id).in_subquery(
                        Query::select()
                            .column(Users::StaffId)
                            .from(Users::Table)
                            .and_where(Expr::col(Users::StaffId).is_not_null())
                            .to_owned(),
                    ),
                )
                .to_owned();
            share(conn, &with_account, &teachers).await?
        }
        // A school on the platform keeps its records in the sector database itself.
        Measure::SectorDbSync => Measured::Yes,
        Measure::CashlessFees | Measure::OnlineEnrolment => Measured::Unavailable {
            reason: "chưa đo được — chưa có dữ liệu trên nền tảng".into(),
        },
    })
}

async fn share(
    conn: &mut Conn<'_>,
    part: &sea_query::SelectStatement,
    whole: &sea_query::SelectStatement,
) -> StoreResult<Measured> {
    let part = crate::orgs::count(conn, part).await? as i64;
    let whole = crate::orgs::count(conn, whole).await? as i64;
    Ok(if whole == 0 {
        Measured::Unavailable {
            reason: "chưa có dữ liệu của năm học này".into(),
        }
    } else {
        Measured::Share {
            percent: dx::round2(part as f64 * 100.0 / whole as f64),
            part,
            whole,
        }
    })
}

/// One school of a unit's subtree with its assessment of the year, if any.
#[derive(Debug, Clone, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct SchoolStatus {
    pub school_id: i64,
    pub code: String,
    pub name: String,
    #[serde(skip)]
    pub path: String,
    pub status: Option<String>,
    pub teaching_score: Option<f64>,
    pub management_score: Option<f64>,
    pub level: Option<i32>,
    pub submitted_at: Option<DateTime<Utc>>,
}

impl SchoolStatus {
    pub fn status(&self) -> Option<AssessmentStatus> {
        self.status.as_deref().and_then(AssessmentStatus::from_code)
    }

    /// The level that counts in the distribution (see `AssessmentStatus::counts_as_assessed`).
    pub fn counted_level(&self) -> Option<u8> {
        self.status()
            .filter(|s| s.counts_as_assessed())
            .and(self.level)
            .map(|l| l.clamp(1, 3) as u8)
    }
}

/// The schools under `unit` (itself, if a school) with their assessment of the year, by name.
pub async fn schools_under(
    conn: &mut Conn<'_>,
    unit: &OrgUnit,
    school_year_id: i64,
) -> StoreResult<Vec<SchoolStatus>> {
    conn.fetch_all(
        Query::select()
            .expr_as(Expr::col((OrgUnits::Table, OrgUnits::Id)), "school_id")
            .column((OrgUnits::Table, OrgUnits::Code))
            .column((OrgUnits::Table, OrgUnits::Name))
            .column((OrgUnits::Table, OrgUnits::Path))
            .column((DxAssessments::Table, DxAssessments::Status))
            .column((DxAssessments::Table, DxAssessments::TeachingScore))
            .column((DxAssessments::Table, DxAssessments::ManagementScore))
            .column((DxAssessments::Table, DxAssessments::Level))
            .column((DxAssessments::Table, DxAssessments::SubmittedAt))
            .from(OrgUnits::Table)
            .left_join(
                DxAssessments::Table,
                Expr::col((DxAssessments::Table, DxAssessments::SchoolId))
                    .equals((OrgUnits::Table, OrgUnits::Id))
                    .and(
                        Expr::col((DxAssessments::Table, DxAssessments::SchoolYearId))
                            .eq(school_year_id),
                    )
                    .and(
                        Expr::col((DxAssessments::Table, DxAssessments::CriteriaVersion))
                            .eq(dx::criteria::CURRENT_VERSION),
                    ),
            )
            .and_where(path_prefix(&unit.path))
            .and_where(Expr::col((OrgUnits::Table, OrgUnits::Kind)).eq(OrgKind::School.code()))
            .order_by((OrgUnits::Table, OrgUnits::Name), Order::Asc),
    )
    .await
}

/// One row of a distribution: a child unit (or the schools directly under the unit).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct DistributionRow {
    /// The child unit; none for the row of schools directly under the unit.
    pub unit_id: Option<i64>,
    pub name: String,
    pub counts: LevelCounts,
}

/// Counts the schools of each child unit of `unit` by level (approved, or latest submitted;
/// see [`SchoolStatus::counted_level`]), with the total of the unit last.
pub async fn distribution(
    conn: &mut Conn<'_>,
    unit: &OrgUnit,
    school_year_id: i64,
) -> StoreResult<(Vec<DistributionRow>, LevelCounts)> {
    let children: Vec<(i64, String, String)> = conn
        .fetch_all(
            Query::select()
                .columns([OrgUnits::Id, OrgUnits::Name, OrgUnits::Path])
                .from(OrgUnits::Table)
                .and_where(Expr::col(OrgUnits::ParentId).eq(unit.id))
                .and_where(
                    Expr::col(OrgUnits::Kind)
                        .is_in([OrgKind::Department.code(), OrgKind::LocalOffice.code()]),
                )
                .order_by(OrgUnits::Name, Order::Asc),
        )
        .await?;
    let mut rows: Vec<DistributionRow> = children
        .iter()
        .map(|(id, name, _)| DistributionRow {
            unit_id: Some(*id),
            name: name.clone(),
            counts: LevelCounts::default(),
        })
        .collect();
    let mut direct = LevelCounts::default();
    let mut total = LevelCounts::default();
    for s in schools_under(conn, unit, school_year_id).await? {
        let level = s.counted_level();
        total.add(level);
        match children
            .iter()
            .position(|(_, _, p)| s.path.starts_with(p.as_str()))
        {
            Some(i) => rows[i].counts.add(level),
            None => direct.add(level),
        }
    }
    if direct.total() > 0 {
        rows.push(DistributionRow {
            unit_id: None,
            name: if unit.kind == OrgKind::School {
                unit.name.clone()
            } else {
                "Trường trực thuộc".into()
            },
            counts: direct,
        });
    }
    rows.retain(|r| r.counts.total() > 0);
    Ok((rows, total))
}

/// Writes the demo province's assessments of the year (`truongso_demo::dx`) through the same
/// functions the pages use, so stored scores are the scoring function's. `schools` pairs each
/// school's generator ordinal with its id and code. Schools in `keep_draft` (those with demo
/// accounts) stay drafts, so that a visitor can fill in and submit the form themselves.
pub async fn seed_demo(
    store: &crate::Store,
    seed: u64,
    schools: &[(usize, i64, String)],
    keep_draft: &std::collections::HashSet<usize>,
    school_year_id: i64,
) -> StoreResult<()> {
    use truongso_demo::dx::{DxOutcome, assessment};
    let set = CriteriaSet::current();
    let rules = DxRules::default();
    let mut tx = store.begin().await?;
    for (ordinal, school_id, code) in schools {
        let generated = assessment(seed, *ordinal, set);
        if generated.outcome == DxOutcome::NotStarted && !keep_draft.contains(ordinal) {
            continue;
        }
        // A demo account's school starts from a draft with every third indicator answered.
        let step = if keep_draft.contains(ordinal) { 3 } else { 1 };
        let answers: Vec<Answer> = generated
            .answers
            .iter()
            .step_by(step)
            .map(|(c, v, note)| Answer {
                indicator_code: c.clone(),
                value: Some(*v),
                note: note.clone(),
                link: None,
            })
            .collect();
        save_answers(&mut tx, *school_id, school_year_id, &answers).await?;
        if generated.outcome == DxOutcome::Draft || keep_draft.contains(ordinal) {
            continue;
        }
        let principal = format!("hieutruong.{code}");
        submit(&mut tx, *school_id, school_year_id, &principal, &rules).await?;
        let notes: Vec<ReviewNote> = generated
            .review_notes
            .iter()
            .map(|(c, t)| ReviewNote {
                indicator_code: c.clone(),
                comment: t.clone(),
            })
            .collect();
        let reviewer = "Phòng GDĐT (dữ liệu mẫu)";
        match generated.outcome {
            DxOutcome::Approved => {
                review(
                    &mut tx,
                    *school_id,
                    school_year_id,
                    reviewer,
                    Decision::Approve,
                    None,
                    &[],
                )
                .await?;
            }
            DxOutcome::Returned => {
                review(
                    &mut tx,
                    *school_id,
                    school_year_id,
                    reviewer,
                    Decision::Return,
                    generated.review_comment.as_deref(),
                    &notes,
                )
                .await?;
            }
            _ => {}
        }
    }
    tx.commit().await
}
