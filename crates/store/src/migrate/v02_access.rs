//! Version 2, "access": shipped; never edit (a test holds its SQL to `tests/store/migrations/`).

#[allow(unused_imports)]
use super::*;

/// Sign-in security, sessions, API tokens, the audit trail, consents and teaching assignments.
pub(super) fn statements(backend: Backend) -> Vec<String> {
    use ForeignKeyAction::Cascade;
    let alters = [
        ColumnDef::new(Users::TotpSecret).text().null().to_owned(),
        ColumnDef::new(Users::FailedLogins)
            .integer()
            .not_null()
            .default(0)
            .to_owned(),
        ColumnDef::new(Users::LockedUntil)
            .timestamp_with_time_zone()
            .null()
            .to_owned(),
        ColumnDef::new(Users::PasswordChangedAt)
            .timestamp_with_time_zone()
            .null()
            .to_owned(),
        ColumnDef::new(Users::TotpLastStep)
            .big_integer()
            .null()
            .to_owned(),
    ];
    let tables = [
        Table::create()
            .table(Sessions::Table)
            .col(ColumnDef::new(Sessions::Id).text().not_null().primary_key())
            .col(ColumnDef::new(Sessions::UserId).big_integer().not_null())
            .col(text(Sessions::CsrfToken))
            .col(
                ColumnDef::new(Sessions::SecondFactorDone)
                    .boolean()
                    .not_null(),
            )
            .col(timestamp(Sessions::CreatedAt))
            .col(timestamp(Sessions::ExpiresAt))
            .col(timestamp(Sessions::LastSeenAt))
            .col(text_null(Sessions::Client))
            .foreign_key(&mut fk(
                Sessions::Table,
                Sessions::UserId,
                Users::Table,
                Users::Id,
                Cascade,
            ))
            .to_owned(),
        Table::create()
            .table(ApiTokens::Table)
            .col(id(ApiTokens::Id))
            .col(ColumnDef::new(ApiTokens::UserId).big_integer().not_null())
            .col(text(ApiTokens::Name))
            .col(text(ApiTokens::TokenHash))
            .col(timestamp(ApiTokens::CreatedAt))
            .col(timestamp(ApiTokens::ExpiresAt))
            .col(
                ColumnDef::new(ApiTokens::RevokedAt)
                    .timestamp_with_time_zone()
                    .null(),
            )
            .col(
                ColumnDef::new(ApiTokens::LastUsedAt)
                    .timestamp_with_time_zone()
                    .null(),
            )
            .foreign_key(&mut fk(
                ApiTokens::Table,
                ApiTokens::UserId,
                Users::Table,
                Users::Id,
                Cascade,
            ))
            .to_owned(),
        // No foreign keys: the trail outlives the accounts and records it names.
        Table::create()
            .table(AuditLog::Table)
            .col(id(AuditLog::Id))
            .col(timestamp(AuditLog::At))
            .col(ColumnDef::new(AuditLog::UserId).big_integer().null())
            .col(text_null(AuditLog::Username))
            .col(text_null(AuditLog::Role))
            .col(text(AuditLog::Action))
            .col(text(AuditLog::Entity))
            .col(ColumnDef::new(AuditLog::EntityId).big_integer().null())
            .col(ColumnDef::new(AuditLog::OrgId).big_integer().null())
            .col(text_null(AuditLog::Client))
            .col(text_null(AuditLog::Detail))
            .to_owned(),
        Table::create()
            .table(Consents::Table)
            .col(id(Consents::Id))
            .col(ColumnDef::new(Consents::LearnerId).big_integer().not_null())
            .col(text(Consents::Purpose))
            .col(text(Consents::GivenBy))
            .col(text_null(Consents::Relation))
            .col(ColumnDef::new(Consents::LearnerAgreed).boolean().null())
            .col(timestamp(Consents::GivenAt))
            .col(
                ColumnDef::new(Consents::WithdrawnAt)
                    .timestamp_with_time_zone()
                    .null(),
            )
            .col(text_null(Consents::WithdrawnBy))
            .col(
                ColumnDef::new(Consents::RecordedByUserId)
                    .big_integer()
                    .null(),
            )
            .col(text_null(Consents::Note))
            .foreign_key(&mut fk(
                Consents::Table,
                Consents::LearnerId,
                Learners::Table,
                Learners::Id,
                ForeignKeyAction::Restrict,
            ))
            .to_owned(),
        Table::create()
            .table(TeachingAssignments::Table)
            .col(id(TeachingAssignments::Id))
            .col(
                ColumnDef::new(TeachingAssignments::SchoolYearId)
                    .big_integer()
                    .not_null(),
            )
            .col(
                ColumnDef::new(TeachingAssignments::ClassId)
                    .big_integer()
                    .not_null(),
            )
            .col(
                ColumnDef::new(TeachingAssignments::StaffId)
                    .big_integer()
                    .not_null(),
            )
            .col(text(TeachingAssignments::SubjectCode))
            .foreign_key(&mut fk(
                TeachingAssignments::Table,
                TeachingAssignments::ClassId,
                Classes::Table,
                Classes::Id,
                Cascade,
            ))
            .foreign_key(&mut fk(
                TeachingAssignments::Table,
                TeachingAssignments::StaffId,
                Staff::Table,
                Staff::Id,
                Cascade,
            ))
            .to_owned(),
    ];
    let indexes = [
        index(
            "ix_sessions_user",
            Sessions::Table,
            &[Sessions::UserId],
            false,
        ),
        index(
            "ux_api_tokens_hash",
            ApiTokens::Table,
            &[ApiTokens::TokenHash],
            true,
        ),
        index(
            "ix_api_tokens_user",
            ApiTokens::Table,
            &[ApiTokens::UserId],
            false,
        ),
        index(
            "ix_audit_entity",
            AuditLog::Table,
            &[AuditLog::Entity, AuditLog::EntityId],
            false,
        ),
        index(
            "ix_audit_org",
            AuditLog::Table,
            &[AuditLog::OrgId, AuditLog::At],
            false,
        ),
        index(
            "ix_audit_user",
            AuditLog::Table,
            &[AuditLog::UserId, AuditLog::At],
            false,
        ),
        index(
            "ix_consents_learner",
            Consents::Table,
            &[Consents::LearnerId],
            false,
        ),
        index(
            "ux_teaching_assignments",
            TeachingAssignments::Table,
            &[
                TeachingAssignments::ClassId,
                TeachingAssignments::SubjectCode,
                TeachingAssignments::StaffId,
            ],
            true,
        ),
        index(
            "ix_teaching_assignments_staff",
            TeachingAssignments::Table,
            &[
                TeachingAssignments::StaffId,
                TeachingAssignments::SchoolYearId,
            ],
            false,
        ),
    ];
    let mut out: Vec<String> = alters
        .into_iter()
        .map(|c| {
            let alter = Table::alter().table(Users::Table).add_column(c).to_owned();
            match backend {
                Backend::Sqlite => alter.to_string(SqliteQueryBuilder),
                Backend::Postgres => alter.to_string(PostgresQueryBuilder),
            }
        })
        .collect();
    out.extend(tables.iter().map(|t| render_table(backend, t)));
    out.extend(indexes.iter().map(|i| render_index(backend, i)));
    out.extend(append_only_audit(backend).iter().map(|s| s.to_string()));
    out
}
