//! Version 10, "admission": shipped; never edit (a test holds its SQL to `tests/store/migrations/`).

#[allow(unused_imports)]
use super::*;

/// Admission: campaigns with their schools, seats and zones; guardians' one-time codes, sessions
/// and outbox; applications with choices, documents and exam scores; assignment runs with their
/// cut-offs and per-applicant results. Scores are integers in hundredths (exact).
pub(super) fn statements(backend: Backend) -> Vec<String> {
    use crate::schema::{
        AdmApplications as A, AdmCampaignSchools as CS, AdmCampaigns as C, AdmChoices as Ch,
        AdmCutoffs as Co, AdmDocuments as D, AdmGuardianSessions as G, AdmOtps as O,
        AdmOutbox as Ob, AdmResults as R, AdmRuns as Ru, AdmZoneAreas as Z,
    };
    let tables = [
        Table::create()
            .table(C::Table)
            .col(id(C::Id))
            .col(big(C::OwnerId))
            .col(big(C::SchoolYearId))
            .col(int(C::EntryGrade))
            .col(text(C::Name))
            .col(text(C::Status))
            .col(timestamp(C::OpensAt))
            .col(timestamp(C::ClosesAt))
            .col(timestamp(C::ResultsAt))
            .col(int(C::MaxChoices))
            .col(text(C::RequiredDocuments))
            .col(ColumnDef::new(C::PublishedRunId).big_integer().null())
            .col(timestamp(C::CreatedAt))
            .col(timestamp(C::UpdatedAt))
            .foreign_key(&mut fk(
                C::Table,
                C::OwnerId,
                OrgUnits::Table,
                OrgUnits::Id,
                ForeignKeyAction::Restrict,
            ))
            .foreign_key(&mut fk(
                C::Table,
                C::SchoolYearId,
                SchoolYears::Table,
                SchoolYears::Id,
                ForeignKeyAction::Restrict,
            ))
            .to_owned(),
        Table::create()
            .table(CS::Table)
            .col(id(CS::Id))
            .col(big(CS::CampaignId))
            .col(big(CS::SchoolId))
            .col(int(CS::Seats))
            .col(text_null(CS::Zone))
            .foreign_key(&mut fk(
                CS::Table,
                CS::CampaignId,
                C::Table,
                C::Id,
                ForeignKeyAction::Cascade,
            ))
            .foreign_key(&mut fk(
                CS::Table,
                CS::SchoolId,
                OrgUnits::Table,
                OrgUnits::Id,
                ForeignKeyAction::Restrict,
            ))
            .to_owned(),
        Table::create()
            .table(Z::Table)
            .col(id(Z::Id))
            .col(big(Z::CampaignSchoolId))
            .col(text(Z::AdminUnitCode))
            .foreign_key(&mut fk(
                Z::Table,
                Z::CampaignSchoolId,
                CS::Table,
                CS::Id,
                ForeignKeyAction::Cascade,
            ))
            .to_owned(),
        Table::create()
            .table(O::Table)
            .col(id(O::Id))
            .col(text(O::Channel))
            .col(text(O::Address))
            .col(text(O::CodeHash))
            .col(int(O::Attempts))
            .col(timestamp(O::ExpiresAt))
            .col(timestamp_null(O::ConsumedAt))
            .col(text_null(O::Client))
            .col(timestamp(O::CreatedAt))
            .to_owned(),
        Table::create()
            .table(G::Table)
            .col(ColumnDef::new(G::TokenHash).text().not_null().primary_key())
            .col(text(G::Channel))
            .col(text(G::Address))
            .col(timestamp(G::ExpiresAt))
            .col(timestamp(G::CreatedAt))
            .to_owned(),
        Table::create()
            .table(Ob::Table)
            .col(id(Ob::Id))
            .col(text(Ob::Channel))
            .col(text(Ob::Recipient))
            .col(text(Ob::Subject))
            .col(text(Ob::Body))
            .col(timestamp(Ob::CreatedAt))
            .col(timestamp_null(Ob::DeliveredAt))
            .col(text_null(Ob::Error))
            .to_owned(),
        Table::create()
            .table(A::Table)
            .col(id(A::Id))
            .col(big(A::CampaignId))
            .col(text(A::TrackingCode))
            .col(text_null(A::CandidateNumber))
            .col(text(A::NationalId))
            .col(ColumnDef::new(A::BirthDate).date().not_null())
            .col(text(A::FullName))
            .col(text(A::Gender))
            .col(ColumnDef::new(A::LearnerId).big_integer().null())
            .col(text(A::ResidenceCode))
            .col(text_null(A::Address))
            .col(text_null(A::CurrentSchool))
            .col(text(A::GuardianName))
            .col(text(A::ContactChannel))
            .col(text(A::ContactAddress))
            .col(int_null(A::PriorityGroup))
            .col(text(A::Status))
            .col(text_null(A::StaffNote))
            .col(text_null(A::ReviewedBy))
            .col(timestamp_null(A::ReviewedAt))
            .col(int_null(A::ScoreMath))
            .col(int_null(A::ScoreLiterature))
            .col(int_null(A::ScoreLanguage))
            .col(timestamp(A::SubmittedAt))
            .col(timestamp(A::UpdatedAt))
            .foreign_key(&mut fk(
                A::Table,
                A::CampaignId,
                C::Table,
                C::Id,
                ForeignKeyAction::Restrict,
            ))
            .foreign_key(&mut fk(
                A::Table,
                A::LearnerId,
                Learners::Table,
                Learners::Id,
                ForeignKeyAction::SetNull,
            ))
            .to_owned(),
        Table::create()
            .table(Ch::Table)
            .col(id(Ch::Id))
            .col(big(Ch::ApplicationId))
            .col(int(Ch::Rank))
            .col(big(Ch::SchoolId))
            .foreign_key(&mut fk(
                Ch::Table,
                Ch::ApplicationId,
                A::Table,
                A::Id,
                ForeignKeyAction::Cascade,
            ))
            .foreign_key(&mut fk(
                Ch::Table,
                Ch::SchoolId,
                OrgUnits::Table,
                OrgUnits::Id,
                ForeignKeyAction::Restrict,
            ))
            .to_owned(),
        Table::create()
            .table(D::Table)
            .col(id(D::Id))
            .col(big(D::ApplicationId))
            .col(text(D::Kind))
            .col(text(D::FileName))
            .col(text(D::ContentType))
            .col(big(D::Size))
            .col(ColumnDef::new(D::Content).blob().not_null())
            .col(text(D::Status))
            .col(text_null(D::Note))
            .col(timestamp(D::UploadedAt))
            .foreign_key(&mut fk(
                D::Table,
                D::ApplicationId,
                A::Table,
                A::Id,
                ForeignKeyAction::Cascade,
            ))
            .to_owned(),
        Table::create()
            .table(Ru::Table)
            .col(id(Ru::Id))
            .col(big(Ru::CampaignId))
            .col(text(Ru::Mechanism))
            .col(int(Ru::Applicants))
            .col(int(Ru::Admitted))
            .col(text(Ru::CreatedBy))
            .col(timestamp(Ru::CreatedAt))
            .col(timestamp_null(Ru::PublishedAt))
            .foreign_key(&mut fk(
                Ru::Table,
                Ru::CampaignId,
                C::Table,
                C::Id,
                ForeignKeyAction::Cascade,
            ))
            .to_owned(),
        Table::create()
            .table(Co::Table)
            .col(id(Co::Id))
            .col(big(Co::RunId))
            .col(big(Co::SchoolId))
            .col(int(Co::Choice))
            .col(int(Co::Seats))
            .col(int(Co::Admitted))
            .col(int_null(Co::CutOff))
            .foreign_key(&mut fk(
                Co::Table,
                Co::RunId,
                Ru::Table,
                Ru::Id,
                ForeignKeyAction::Cascade,
            ))
            .to_owned(),
        Table::create()
            .table(R::Table)
            .col(id(R::Id))
            .col(big(R::RunId))
            .col(big(R::ApplicationId))
            .col(text(R::Outcome))
            .col(ColumnDef::new(R::SchoolId).big_integer().null())
            .col(int_null(R::Choice))
            .col(text(R::Explanation))
            .foreign_key(&mut fk(
                R::Table,
                R::RunId,
                Ru::Table,
                Ru::Id,
                ForeignKeyAction::Cascade,
            ))
            .foreign_key(&mut fk(
                R::Table,
                R::ApplicationId,
                A::Table,
                A::Id,
                ForeignKeyAction::Cascade,
            ))
            .to_owned(),
    ];
    let mut out: Vec<String> = tables.iter().map(|t| render_table(backend, t)).collect();
    let indexes = [
        index(
            "ux_adm_campaign_school",
            CS::Table,
            &[CS::CampaignId, CS::SchoolId],
            true,
        ),
        index(
            "ux_adm_zone_area",
            Z::Table,
            &[Z::CampaignSchoolId, Z::AdminUnitCode],
            true,
        ),
        index(
            "ix_adm_otp_address",
            O::Table,
            &[O::Address, O::CreatedAt],
            false,
        ),
        index("ix_adm_outbox_created", Ob::Table, &[Ob::CreatedAt], false),
        // One application per child and campaign: a resubmitted form cannot make a second one.
        index(
            "ux_adm_application_child",
            A::Table,
            &[A::CampaignId, A::NationalId],
            true,
        ),
        index(
            "ux_adm_application_tracking",
            A::Table,
            &[A::TrackingCode],
            true,
        ),
        index(
            "ux_adm_application_candidate",
            A::Table,
            &[A::CampaignId, A::CandidateNumber],
            true,
        ),
        index(
            "ix_adm_application_contact",
            A::Table,
            &[A::ContactAddress],
            false,
        ),
        index(
            "ux_adm_choice_rank",
            Ch::Table,
            &[Ch::ApplicationId, Ch::Rank],
            true,
        ),
        index("ix_adm_choice_school", Ch::Table, &[Ch::SchoolId], false),
        index(
            "ix_adm_document_application",
            D::Table,
            &[D::ApplicationId],
            false,
        ),
        index("ix_adm_run_campaign", Ru::Table, &[Ru::CampaignId], false),
        index(
            "ix_adm_cutoff_run",
            Co::Table,
            &[Co::RunId, Co::SchoolId],
            false,
        ),
        index(
            "ux_adm_result_run_application",
            R::Table,
            &[R::RunId, R::ApplicationId],
            true,
        ),
    ];
    out.extend(indexes.iter().map(|i| render_index(backend, i)));
    out
}
