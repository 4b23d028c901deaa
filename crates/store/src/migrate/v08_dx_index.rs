//! Version 8, "dx_index": shipped; never edit (a test holds its SQL to `tests/store/migrations/`).

#[allow(unused_imports)]
use super::*;

/// The digital-maturity index (Decision 4725): self-assessments, their answers, evidence files
/// (bytes in the database, so that a backup holds them) and the reviewer's comments.
pub(super) fn statements(backend: Backend) -> Vec<String> {
    let tables = [
        Table::create()
            .table(DxAssessments::Table)
            .col(id(DxAssessments::Id))
            .col(big(DxAssessments::SchoolId))
            .col(big(DxAssessments::SchoolYearId))
            .col(text(DxAssessments::CriteriaVersion))
            .col(text(DxAssessments::Status))
            .col(real_null(DxAssessments::TeachingScore))
            .col(real_null(DxAssessments::ManagementScore))
            .col(int_null(DxAssessments::TeachingLevel))
            .col(int_null(DxAssessments::ManagementLevel))
            .col(int_null(DxAssessments::Level))
            .col(text_null(DxAssessments::SubmittedBy))
            .col(timestamp_null(DxAssessments::SubmittedAt))
            .col(text_null(DxAssessments::ReviewedBy))
            .col(timestamp_null(DxAssessments::ReviewedAt))
            .col(text_null(DxAssessments::ReviewComment))
            .col(timestamp(DxAssessments::CreatedAt))
            .col(timestamp(DxAssessments::UpdatedAt))
            .foreign_key(&mut fk(
                DxAssessments::Table,
                DxAssessments::SchoolId,
                OrgUnits::Table,
                OrgUnits::Id,
                ForeignKeyAction::Restrict,
            ))
            .foreign_key(&mut fk(
                DxAssessments::Table,
                DxAssessments::SchoolYearId,
                SchoolYears::Table,
                SchoolYears::Id,
                ForeignKeyAction::Restrict,
            ))
            .to_owned(),
        Table::create()
            .table(DxAnswers::Table)
            .col(id(DxAnswers::Id))
            .col(big(DxAnswers::AssessmentId))
            .col(text(DxAnswers::IndicatorCode))
            .col(real_null(DxAnswers::Value))
            .col(text_null(DxAnswers::Note))
            .col(text_null(DxAnswers::Link))
            .col(timestamp(DxAnswers::UpdatedAt))
            .foreign_key(&mut fk(
                DxAnswers::Table,
                DxAnswers::AssessmentId,
                DxAssessments::Table,
                DxAssessments::Id,
                ForeignKeyAction::Cascade,
            ))
            .to_owned(),
        Table::create()
            .table(DxEvidence::Table)
            .col(id(DxEvidence::Id))
            .col(big(DxEvidence::AssessmentId))
            .col(text(DxEvidence::IndicatorCode))
            .col(text(DxEvidence::FileName))
            .col(text(DxEvidence::ContentType))
            .col(big(DxEvidence::Size))
            .col(ColumnDef::new(DxEvidence::Content).blob().not_null())
            .col(text(DxEvidence::UploadedBy))
            .col(timestamp(DxEvidence::UploadedAt))
            .foreign_key(&mut fk(
                DxEvidence::Table,
                DxEvidence::AssessmentId,
                DxAssessments::Table,
                DxAssessments::Id,
                ForeignKeyAction::Cascade,
            ))
            .to_owned(),
        Table::create()
            .table(DxReviewComments::Table)
            .col(id(DxReviewComments::Id))
            .col(big(DxReviewComments::AssessmentId))
            .col(text(DxReviewComments::IndicatorCode))
            .col(text(DxReviewComments::Comment))
            .col(text(DxReviewComments::Author))
            .col(timestamp(DxReviewComments::CreatedAt))
            .foreign_key(&mut fk(
                DxReviewComments::Table,
                DxReviewComments::AssessmentId,
                DxAssessments::Table,
                DxAssessments::Id,
                ForeignKeyAction::Cascade,
            ))
            .to_owned(),
    ];
    let indexes = [
        index(
            "ux_dx_assessments_school_year",
            DxAssessments::Table,
            &[
                DxAssessments::SchoolId,
                DxAssessments::SchoolYearId,
                DxAssessments::CriteriaVersion,
            ],
            true,
        ),
        index(
            "ix_dx_assessments_year",
            DxAssessments::Table,
            &[DxAssessments::SchoolYearId, DxAssessments::Status],
            false,
        ),
        index(
            "ux_dx_answers_indicator",
            DxAnswers::Table,
            &[DxAnswers::AssessmentId, DxAnswers::IndicatorCode],
            true,
        ),
        index(
            "ix_dx_evidence_assessment",
            DxEvidence::Table,
            &[DxEvidence::AssessmentId, DxEvidence::IndicatorCode],
            false,
        ),
        index(
            "ux_dx_review_comments_indicator",
            DxReviewComments::Table,
            &[
                DxReviewComments::AssessmentId,
                DxReviewComments::IndicatorCode,
            ],
            true,
        ),
    ];
    let mut out: Vec<String> = tables.iter().map(|t| render_table(backend, t)).collect();
    out.extend(indexes.iter().map(|i| render_index(backend, i)));
    out
}
