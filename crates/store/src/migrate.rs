//! Schema migrations, written once in Rust with sea-query and rendered for each backend, so the
//! SQLite and PostgreSQL schemas cannot drift (a test compares their tables and columns).
//!
//! Add a migration by appending to [`MIGRATIONS`]; never edit one that has shipped.

use chrono::Utc;
use sea_query::{
    ColumnDef, ForeignKey, ForeignKeyAction, Index, IndexCreateStatement, PostgresQueryBuilder,
    Query, SqliteQueryBuilder, Table, TableCreateStatement,
};

use crate::schema::*;
use crate::{Backend, Store, StoreError, StoreResult};

struct Migration {
    version: i64,
    name: &'static str,
    statements: fn(Backend) -> Vec<String>,
}

const MIGRATIONS: &[Migration] = &[
    Migration {
        version: 1,
        name: "core",
        statements: core_schema,
    },
    Migration {
        version: 2,
        name: "access",
        statements: access_schema,
    },
    Migration {
        version: 3,
        name: "quality",
        statements: quality_schema,
    },
    Migration {
        version: 4,
        name: "imports",
        statements: imports_schema,
    },
    Migration {
        version: 5,
        name: "gradebook",
        statements: gradebook_schema,
    },
    Migration {
        version: 6,
        name: "transcripts",
        statements: transcripts_schema,
    },
    Migration {
        version: 7,
        name: "statistics",
        statements: statistics_schema,
    },
    Migration {
        version: 8,
        name: "dx_index",
        statements: dx_schema,
    },
    Migration {
        version: 9,
        name: "targets",
        statements: targets_schema,
    },
    Migration {
        version: 10,
        name: "admission",
        statements: admission_schema,
    },
    Migration {
        version: 11,
        name: "account_security",
        statements: account_security_schema,
    },
];

/// Applies every migration not yet applied, each in its own transaction. Safe to run repeatedly.
pub async fn run(store: &Store) -> StoreResult<Vec<i64>> {
    let backend = store.backend();
    store
        .conn()
        .execute_raw(&render_table(backend, &migrations_table()))
        .await?;
    let applied: Vec<(i64,)> = store
        .conn()
        .fetch_all(
            Query::select()
                .column(SchemaMigrations::Version)
                .from(SchemaMigrations::Table),
        )
        .await?;
    let mut newly = Vec::new();
    for m in MIGRATIONS {
        if applied.iter().any(|(v,)| *v == m.version) {
            continue;
        }
        let mut tx = store.begin().await?;
        for sql in (m.statements)(backend) {
            tx.conn().execute_raw(&sql).await.map_err(|e| {
                StoreError::Migration(format!("{} ({}): {e}", m.name, first_line(&sql)))
            })?;
        }
        tx.conn()
            .execute(
                Query::insert()
                    .into_table(SchemaMigrations::Table)
                    .columns([
                        SchemaMigrations::Version,
                        SchemaMigrations::Name,
                        SchemaMigrations::AppliedAt,
                    ])
                    .values_panic([m.version.into(), m.name.into(), Utc::now().into()]),
            )
            .await?;
        tx.commit().await?;
        newly.push(m.version);
    }
    Ok(newly)
}

fn first_line(sql: &str) -> &str {
    sql.lines().next().unwrap_or_default()
}

fn render_table(backend: Backend, t: &TableCreateStatement) -> String {
    match backend {
        Backend::Sqlite => t.to_string(SqliteQueryBuilder),
        Backend::Postgres => t.to_string(PostgresQueryBuilder),
    }
}

fn render_index(backend: Backend, i: &IndexCreateStatement) -> String {
    match backend {
        Backend::Sqlite => i.to_string(SqliteQueryBuilder),
        Backend::Postgres => i.to_string(PostgresQueryBuilder),
    }
}

fn migrations_table() -> TableCreateStatement {
    Table::create()
        .table(SchemaMigrations::Table)
        .if_not_exists()
        .col(
            ColumnDef::new(SchemaMigrations::Version)
                .big_integer()
                .not_null()
                .primary_key(),
        )
        .col(ColumnDef::new(SchemaMigrations::Name).text().not_null())
        .col(
            ColumnDef::new(SchemaMigrations::AppliedAt)
                .timestamp_with_time_zone()
                .not_null(),
        )
        .to_owned()
}

/// `id` primary key, auto-incremented on both backends.
fn id<T: sea_query::IntoIden>(col: T) -> ColumnDef {
    ColumnDef::new(col)
        .big_integer()
        .not_null()
        .auto_increment()
        .primary_key()
        .to_owned()
}

fn text<T: sea_query::IntoIden>(col: T) -> ColumnDef {
    ColumnDef::new(col).text().not_null().to_owned()
}

fn text_null<T: sea_query::IntoIden>(col: T) -> ColumnDef {
    ColumnDef::new(col).text().null().to_owned()
}

fn timestamp<T: sea_query::IntoIden>(col: T) -> ColumnDef {
    ColumnDef::new(col)
        .timestamp_with_time_zone()
        .not_null()
        .to_owned()
}

fn fk<
    A: sea_query::IntoIden,
    B: sea_query::IntoIden,
    C: sea_query::IntoIden,
    D: sea_query::IntoIden,
>(
    from_table: A,
    from_col: B,
    to_table: C,
    to_col: D,
    on_delete: ForeignKeyAction,
) -> sea_query::ForeignKeyCreateStatement {
    ForeignKey::create()
        .from(from_table, from_col)
        .to(to_table, to_col)
        .on_delete(on_delete)
        .to_owned()
}

fn index<T: sea_query::IntoIden + Copy, C: sea_query::IntoIden + Copy>(
    name: &str,
    table: T,
    cols: &[C],
    unique: bool,
) -> IndexCreateStatement {
    let mut i = Index::create();
    i.name(name).table(table).if_not_exists();
    for c in cols {
        i.col(*c);
    }
    if unique {
        i.unique();
    }
    i.to_owned()
}

/// The materialised path ("/1/4/37/") compared byte-wise on both backends, so that a subtree is
/// one index range (PostgreSQL's default collation would ignore the slashes).
fn path_column(backend: Backend) -> ColumnDef {
    let mut c = text(OrgUnits::Path);
    if backend == Backend::Postgres {
        c.extra("COLLATE \"C\"");
    }
    c
}

fn core_schema(backend: Backend) -> Vec<String> {
    use ForeignKeyAction::{Cascade, Restrict, SetNull};
    let tables = vec![
        Table::create()
            .table(AdminUnits::Table)
            .col(id(AdminUnits::Id))
            .col(text(AdminUnits::Scheme))
            .col(text(AdminUnits::Level))
            .col(text(AdminUnits::Code))
            .col(text(AdminUnits::Name))
            .col(text(AdminUnits::Kind))
            .col(text_null(AdminUnits::ParentCode))
            .col(ColumnDef::new(AdminUnits::Lat).double().null())
            .col(ColumnDef::new(AdminUnits::Lon).double().null())
            .to_owned(),
        Table::create()
            .table(AdminUnitSuccessions::Table)
            .col(text(AdminUnitSuccessions::LegacyWardCode))
            .col(text(AdminUnitSuccessions::WardCode2025))
            .col(text(AdminUnitSuccessions::Kind))
            .primary_key(
                Index::create()
                    .col(AdminUnitSuccessions::LegacyWardCode)
                    .col(AdminUnitSuccessions::WardCode2025),
            )
            .to_owned(),
        Table::create()
            .table(OrgUnits::Table)
            .col(id(OrgUnits::Id))
            .col(ColumnDef::new(OrgUnits::ParentId).big_integer().null())
            .col(text(OrgUnits::Kind))
            .col(text(OrgUnits::Code))
            .col(text(OrgUnits::Name))
            .col(text(OrgUnits::NameFold))
            .col(path_column(backend))
            .col(ColumnDef::new(OrgUnits::Depth).integer().not_null())
            .col(text_null(OrgUnits::WardCode))
            .col(text_null(OrgUnits::Address))
            .col(ColumnDef::new(OrgUnits::Lat).double().null())
            .col(ColumnDef::new(OrgUnits::Lon).double().null())
            .col(text(OrgUnits::Levels))
            .col(text_null(OrgUnits::Ownership))
            .col(timestamp(OrgUnits::CreatedAt))
            .col(timestamp(OrgUnits::UpdatedAt))
            .foreign_key(&mut fk(
                OrgUnits::Table,
                OrgUnits::ParentId,
                OrgUnits::Table,
                OrgUnits::Id,
                Restrict,
            ))
            .to_owned(),
        Table::create()
            .table(OrgUnitParents::Table)
            .col(id(OrgUnitParents::Id))
            .col(
                ColumnDef::new(OrgUnitParents::OrgUnitId)
                    .big_integer()
                    .not_null(),
            )
            .col(
                ColumnDef::new(OrgUnitParents::ParentId)
                    .big_integer()
                    .null(),
            )
            .col(ColumnDef::new(OrgUnitParents::ValidFrom).date().not_null())
            .col(ColumnDef::new(OrgUnitParents::ValidTo).date().null())
            .col(text_null(OrgUnitParents::Reason))
            .foreign_key(&mut fk(
                OrgUnitParents::Table,
                OrgUnitParents::OrgUnitId,
                OrgUnits::Table,
                OrgUnits::Id,
                Cascade,
            ))
            .foreign_key(&mut fk(
                OrgUnitParents::Table,
                OrgUnitParents::ParentId,
                OrgUnits::Table,
                OrgUnits::Id,
                Restrict,
            ))
            .to_owned(),
        Table::create()
            .table(SchoolYears::Table)
            .col(id(SchoolYears::Id))
            .col(text(SchoolYears::Code))
            .col(ColumnDef::new(SchoolYears::StartYear).integer().not_null())
            .col(ColumnDef::new(SchoolYears::StartsOn).date().not_null())
            .col(ColumnDef::new(SchoolYears::EndsOn).date().not_null())
            .col(ColumnDef::new(SchoolYears::IsCurrent).boolean().not_null())
            .to_owned(),
        Table::create()
            .table(Terms::Table)
            .col(id(Terms::Id))
            .col(ColumnDef::new(Terms::SchoolYearId).big_integer().not_null())
            .col(text(Terms::Code))
            .col(text(Terms::Name))
            .col(ColumnDef::new(Terms::StartsOn).date().not_null())
            .col(ColumnDef::new(Terms::EndsOn).date().not_null())
            .foreign_key(&mut fk(
                Terms::Table,
                Terms::SchoolYearId,
                SchoolYears::Table,
                SchoolYears::Id,
                Cascade,
            ))
            .to_owned(),
        Table::create()
            .table(Staff::Table)
            .col(id(Staff::Id))
            .col(ColumnDef::new(Staff::OrgUnitId).big_integer().not_null())
            .col(text_null(Staff::NationalId))
            .col(text(Staff::FullName))
            .col(text(Staff::NameFold))
            .col(text(Staff::SortKey))
            .col(ColumnDef::new(Staff::BirthDate).date().not_null())
            .col(text(Staff::Gender))
            .col(text(Staff::EthnicityCode))
            .col(text(Staff::Position))
            .col(text(Staff::Qualification))
            .col(text(Staff::EmploymentType))
            .col(text(Staff::Subjects))
            .col(text_null(Staff::Phone))
            .col(text_null(Staff::Email))
            .col(timestamp(Staff::CreatedAt))
            .col(timestamp(Staff::UpdatedAt))
            .foreign_key(&mut fk(
                Staff::Table,
                Staff::OrgUnitId,
                OrgUnits::Table,
                OrgUnits::Id,
                Restrict,
            ))
            .to_owned(),
        Table::create()
            .table(Classes::Table)
            .col(id(Classes::Id))
            .col(ColumnDef::new(Classes::OrgUnitId).big_integer().not_null())
            .col(ColumnDef::new(Classes::SiteId).big_integer().null())
            .col(
                ColumnDef::new(Classes::SchoolYearId)
                    .big_integer()
                    .not_null(),
            )
            .col(ColumnDef::new(Classes::Grade).integer().not_null())
            .col(text(Classes::Name))
            .col(
                ColumnDef::new(Classes::HomeroomStaffId)
                    .big_integer()
                    .null(),
            )
            .col(timestamp(Classes::CreatedAt))
            .col(timestamp(Classes::UpdatedAt))
            .foreign_key(&mut fk(
                Classes::Table,
                Classes::OrgUnitId,
                OrgUnits::Table,
                OrgUnits::Id,
                Restrict,
            ))
            .foreign_key(&mut fk(
                Classes::Table,
                Classes::SiteId,
                OrgUnits::Table,
                OrgUnits::Id,
                SetNull,
            ))
            .foreign_key(&mut fk(
                Classes::Table,
                Classes::SchoolYearId,
                SchoolYears::Table,
                SchoolYears::Id,
                Restrict,
            ))
            .foreign_key(&mut fk(
                Classes::Table,
                Classes::HomeroomStaffId,
                Staff::Table,
                Staff::Id,
                SetNull,
            ))
            .to_owned(),
        Table::create()
            .table(Learners::Table)
            .col(id(Learners::Id))
            .col(text(Learners::LearnerCode))
            .col(text_null(Learners::NationalId))
            .col(text(Learners::FullName))
            .col(text(Learners::NameFold))
            .col(text(Learners::SortKey))
            .col(ColumnDef::new(Learners::BirthDate).date().not_null())
            .col(text(Learners::Gender))
            .col(text(Learners::EthnicityCode))
            .col(text(Learners::Nationality))
            .col(text_null(Learners::Religion))
            .col(text_null(Learners::Address))
            .col(text_null(Learners::WardCode))
            .col(text_null(Learners::Disability))
            .col(text_null(Learners::PolicyGroup))
            .col(ColumnDef::new(Learners::SchoolId).big_integer().not_null())
            .col(timestamp(Learners::CreatedAt))
            .col(timestamp(Learners::UpdatedAt))
            .foreign_key(&mut fk(
                Learners::Table,
                Learners::SchoolId,
                OrgUnits::Table,
                OrgUnits::Id,
                Restrict,
            ))
            .to_owned(),
        Table::create()
            .table(Guardians::Table)
            .col(id(Guardians::Id))
            .col(
                ColumnDef::new(Guardians::LearnerId)
                    .big_integer()
                    .not_null(),
            )
            .col(ColumnDef::new(Guardians::Position).integer().not_null())
            .col(text(Guardians::Relation))
            .col(text(Guardians::FullName))
            .col(text_null(Guardians::Phone))
            .col(text_null(Guardians::Email))
            .col(text_null(Guardians::NationalId))
            .foreign_key(&mut fk(
                Guardians::Table,
                Guardians::LearnerId,
                Learners::Table,
                Learners::Id,
                Cascade,
            ))
            .to_owned(),
        Table::create()
            .table(Enrolments::Table)
            .col(id(Enrolments::Id))
            .col(
                ColumnDef::new(Enrolments::LearnerId)
                    .big_integer()
                    .not_null(),
            )
            .col(
                ColumnDef::new(Enrolments::SchoolYearId)
                    .big_integer()
                    .not_null(),
            )
            .col(
                ColumnDef::new(Enrolments::SchoolId)
                    .big_integer()
                    .not_null(),
            )
            .col(ColumnDef::new(Enrolments::ClassId).big_integer().null())
            .col(text(Enrolments::Status))
            .col(timestamp(Enrolments::UpdatedAt))
            .foreign_key(&mut fk(
                Enrolments::Table,
                Enrolments::LearnerId,
                Learners::Table,
                Learners::Id,
                Cascade,
            ))
            .foreign_key(&mut fk(
                Enrolments::Table,
                Enrolments::SchoolYearId,
                SchoolYears::Table,
                SchoolYears::Id,
                Restrict,
            ))
            .foreign_key(&mut fk(
                Enrolments::Table,
                Enrolments::SchoolId,
                OrgUnits::Table,
                OrgUnits::Id,
                Restrict,
            ))
            .foreign_key(&mut fk(
                Enrolments::Table,
                Enrolments::ClassId,
                Classes::Table,
                Classes::Id,
                SetNull,
            ))
            .to_owned(),
        Table::create()
            .table(EnrolmentEvents::Table)
            .col(id(EnrolmentEvents::Id))
            .col(
                ColumnDef::new(EnrolmentEvents::EnrolmentId)
                    .big_integer()
                    .not_null(),
            )
            .col(text(EnrolmentEvents::Status))
            .col(
                ColumnDef::new(EnrolmentEvents::EffectiveOn)
                    .date()
                    .not_null(),
            )
            .col(text_null(EnrolmentEvents::Reason))
            .col(timestamp(EnrolmentEvents::CreatedAt))
            .foreign_key(&mut fk(
                EnrolmentEvents::Table,
                EnrolmentEvents::EnrolmentId,
                Enrolments::Table,
                Enrolments::Id,
                Cascade,
            ))
            .to_owned(),
        Table::create()
            .table(Counters::Table)
            .col(
                ColumnDef::new(Counters::Name)
                    .text()
                    .not_null()
                    .primary_key(),
            )
            .col(ColumnDef::new(Counters::Value).big_integer().not_null())
            .to_owned(),
        Table::create()
            .table(Users::Table)
            .col(id(Users::Id))
            .col(text(Users::Username))
            .col(text(Users::PasswordHash))
            .col(text(Users::DisplayName))
            .col(text(Users::Role))
            .col(ColumnDef::new(Users::ScopeOrgId).big_integer().not_null())
            .col(ColumnDef::new(Users::StaffId).big_integer().null())
            .col(timestamp(Users::CreatedAt))
            .foreign_key(&mut fk(
                Users::Table,
                Users::ScopeOrgId,
                OrgUnits::Table,
                OrgUnits::Id,
                Restrict,
            ))
            .foreign_key(&mut fk(
                Users::Table,
                Users::StaffId,
                Staff::Table,
                Staff::Id,
                SetNull,
            ))
            .to_owned(),
        Table::create()
            .table(UserLearners::Table)
            .col(
                ColumnDef::new(UserLearners::UserId)
                    .big_integer()
                    .not_null(),
            )
            .col(
                ColumnDef::new(UserLearners::LearnerId)
                    .big_integer()
                    .not_null(),
            )
            .primary_key(
                Index::create()
                    .col(UserLearners::UserId)
                    .col(UserLearners::LearnerId),
            )
            .foreign_key(&mut fk(
                UserLearners::Table,
                UserLearners::UserId,
                Users::Table,
                Users::Id,
                Cascade,
            ))
            .foreign_key(&mut fk(
                UserLearners::Table,
                UserLearners::LearnerId,
                Learners::Table,
                Learners::Id,
                Cascade,
            ))
            .to_owned(),
    ];
    let indexes = vec![
        index(
            "ux_admin_units_code",
            AdminUnits::Table,
            &[AdminUnits::Scheme, AdminUnits::Level, AdminUnits::Code],
            true,
        ),
        index(
            "ux_org_units_code",
            OrgUnits::Table,
            &[OrgUnits::Code],
            true,
        ),
        index(
            "ix_org_units_parent",
            OrgUnits::Table,
            &[OrgUnits::ParentId],
            false,
        ),
        index(
            "ix_org_units_path",
            OrgUnits::Table,
            &[OrgUnits::Path],
            false,
        ),
        index(
            "ix_org_unit_parents_unit",
            OrgUnitParents::Table,
            &[OrgUnitParents::OrgUnitId],
            false,
        ),
        index(
            "ux_school_years_code",
            SchoolYears::Table,
            &[SchoolYears::Code],
            true,
        ),
        index(
            "ux_terms_code",
            Terms::Table,
            &[Terms::SchoolYearId, Terms::Code],
            true,
        ),
        index(
            "ix_staff_org",
            Staff::Table,
            &[Staff::OrgUnitId, Staff::SortKey],
            false,
        ),
        index(
            "ix_staff_national_id",
            Staff::Table,
            &[Staff::NationalId],
            false,
        ),
        index(
            "ux_classes_name",
            Classes::Table,
            &[Classes::OrgUnitId, Classes::SchoolYearId, Classes::Name],
            true,
        ),
        index(
            "ux_learners_code",
            Learners::Table,
            &[Learners::LearnerCode],
            true,
        ),
        index(
            "ix_learners_national_id",
            Learners::Table,
            &[Learners::NationalId],
            false,
        ),
        index(
            "ix_learners_school",
            Learners::Table,
            &[Learners::SchoolId, Learners::SortKey],
            false,
        ),
        index(
            "ix_guardians_learner",
            Guardians::Table,
            &[Guardians::LearnerId],
            false,
        ),
        index(
            "ux_enrolments",
            Enrolments::Table,
            &[
                Enrolments::LearnerId,
                Enrolments::SchoolYearId,
                Enrolments::SchoolId,
            ],
            true,
        ),
        index(
            "ix_enrolments_class",
            Enrolments::Table,
            &[Enrolments::ClassId],
            false,
        ),
        index(
            "ix_enrolments_school",
            Enrolments::Table,
            &[Enrolments::SchoolId, Enrolments::SchoolYearId],
            false,
        ),
        index(
            "ix_enrolment_events",
            EnrolmentEvents::Table,
            &[EnrolmentEvents::EnrolmentId],
            false,
        ),
        index("ux_users_username", Users::Table, &[Users::Username], true),
    ];
    let mut out: Vec<String> = tables.iter().map(|t| render_table(backend, t)).collect();
    out.extend(indexes.iter().map(|i| render_index(backend, i)));
    out.extend(search_index(backend).iter().map(|s| s.to_string()));
    out
}

/// Sign-in security, sessions, API tokens, the audit trail, consents and teaching assignments.
fn access_schema(backend: Backend) -> Vec<String> {
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

fn int<T: sea_query::IntoIden>(col: T) -> ColumnDef {
    ColumnDef::new(col)
        .integer()
        .not_null()
        .default(0)
        .to_owned()
}

fn big<T: sea_query::IntoIden>(col: T) -> ColumnDef {
    ColumnDef::new(col).big_integer().not_null().to_owned()
}

/// Data quality: issues found, per-learner and per-school roll-ups, rule and setting overrides,
/// and duplicate cases. Flags are integers (0/1) so that `SUM` adds them on both backends.
fn quality_schema(backend: Backend) -> Vec<String> {
    use ForeignKeyAction::Cascade;
    let tables = [
        Table::create()
            .table(QualityIssues::Table)
            .col(id(QualityIssues::Id))
            .col(text(QualityIssues::Rule))
            .col(text(QualityIssues::Severity))
            .col(text(QualityIssues::Entity))
            .col(
                ColumnDef::new(QualityIssues::LearnerId)
                    .big_integer()
                    .null(),
            )
            .col(ColumnDef::new(QualityIssues::ClassId).big_integer().null())
            .col(big(QualityIssues::SchoolId))
            .col(text(QualityIssues::Detail))
            .col(timestamp(QualityIssues::FoundAt))
            .foreign_key(&mut fk(
                QualityIssues::Table,
                QualityIssues::LearnerId,
                Learners::Table,
                Learners::Id,
                Cascade,
            ))
            .foreign_key(&mut fk(
                QualityIssues::Table,
                QualityIssues::ClassId,
                Classes::Table,
                Classes::Id,
                Cascade,
            ))
            .to_owned(),
        Table::create()
            .table(QualityLearners::Table)
            .col(
                ColumnDef::new(QualityLearners::LearnerId)
                    .big_integer()
                    .not_null()
                    .primary_key(),
            )
            .col(big(QualityLearners::SchoolId))
            .col(
                ColumnDef::new(QualityLearners::ClassId)
                    .big_integer()
                    .null(),
            )
            .col(ColumnDef::new(QualityLearners::Grade).integer().null())
            .col(int(QualityLearners::Filled))
            .col(int(QualityLearners::Expected))
            .col(int(QualityLearners::Errors))
            .col(int(QualityLearners::Warnings))
            .col(int(QualityLearners::Infos))
            .col(int(QualityLearners::IdEligible))
            .col(int(QualityLearners::IdExit))
            .col(int(QualityLearners::IdValid))
            .col(timestamp(QualityLearners::CheckedAt))
            .foreign_key(&mut fk(
                QualityLearners::Table,
                QualityLearners::LearnerId,
                Learners::Table,
                Learners::Id,
                Cascade,
            ))
            .to_owned(),
        Table::create()
            .table(QualitySchools::Table)
            .col(
                ColumnDef::new(QualitySchools::SchoolId)
                    .big_integer()
                    .not_null()
                    .primary_key(),
            )
            .col(big(QualitySchools::Learners))
            .col(big(QualitySchools::Filled))
            .col(big(QualitySchools::Expected))
            .col(big(QualitySchools::Clean))
            .col(big(QualitySchools::Errors))
            .col(big(QualitySchools::Warnings))
            .col(big(QualitySchools::Infos))
            .col(big(QualitySchools::IdEligible))
            .col(big(QualitySchools::IdValid))
            .col(big(QualitySchools::IdExitEligible))
            .col(big(QualitySchools::IdExitValid))
            .col(timestamp(QualitySchools::CheckedAt))
            .foreign_key(&mut fk(
                QualitySchools::Table,
                QualitySchools::SchoolId,
                OrgUnits::Table,
                OrgUnits::Id,
                Cascade,
            ))
            .to_owned(),
        Table::create()
            .table(QualitySchoolRules::Table)
            .col(big(QualitySchoolRules::SchoolId))
            .col(text(QualitySchoolRules::Rule))
            .col(text(QualitySchoolRules::Severity))
            .col(big(QualitySchoolRules::Issues))
            .primary_key(
                Index::create()
                    .col(QualitySchoolRules::SchoolId)
                    .col(QualitySchoolRules::Rule),
            )
            .to_owned(),
        Table::create()
            .table(QualityRuleSettings::Table)
            .col(
                ColumnDef::new(QualityRuleSettings::Rule)
                    .text()
                    .not_null()
                    .primary_key(),
            )
            .col(
                ColumnDef::new(QualityRuleSettings::Enabled)
                    .boolean()
                    .not_null(),
            )
            .col(text(QualityRuleSettings::Severity))
            .col(text_null(QualityRuleSettings::UpdatedBy))
            .col(timestamp(QualityRuleSettings::UpdatedAt))
            .to_owned(),
        Table::create()
            .table(QualitySettingValues::Table)
            .col(
                ColumnDef::new(QualitySettingValues::Name)
                    .text()
                    .not_null()
                    .primary_key(),
            )
            .col(big(QualitySettingValues::Value))
            .col(text_null(QualitySettingValues::UpdatedBy))
            .col(timestamp(QualitySettingValues::UpdatedAt))
            .to_owned(),
        Table::create()
            .table(QualityDuplicates::Table)
            .col(id(QualityDuplicates::Id))
            .col(text(QualityDuplicates::NationalId))
            .col(big(QualityDuplicates::LearnerA))
            .col(big(QualityDuplicates::LearnerB))
            .col(big(QualityDuplicates::SchoolA))
            .col(big(QualityDuplicates::SchoolB))
            .col(text(QualityDuplicates::Status))
            .col(
                ColumnDef::new(QualityDuplicates::CurrentLearnerId)
                    .big_integer()
                    .null(),
            )
            .col(
                ColumnDef::new(QualityDuplicates::DecidedByUserId)
                    .big_integer()
                    .null(),
            )
            .col(text_null(QualityDuplicates::DecidedBy))
            .col(
                ColumnDef::new(QualityDuplicates::DecidedAt)
                    .timestamp_with_time_zone()
                    .null(),
            )
            .col(text_null(QualityDuplicates::Note))
            .col(timestamp(QualityDuplicates::FoundAt))
            .foreign_key(&mut fk(
                QualityDuplicates::Table,
                QualityDuplicates::LearnerA,
                Learners::Table,
                Learners::Id,
                Cascade,
            ))
            .foreign_key(&mut fk(
                QualityDuplicates::Table,
                QualityDuplicates::LearnerB,
                Learners::Table,
                Learners::Id,
                Cascade,
            ))
            .to_owned(),
    ];
    let indexes = [
        index(
            "ix_quality_issues_school",
            QualityIssues::Table,
            &[QualityIssues::SchoolId, QualityIssues::Rule],
            false,
        ),
        index(
            "ix_quality_issues_learner",
            QualityIssues::Table,
            &[QualityIssues::LearnerId],
            false,
        ),
        index(
            "ix_quality_issues_class",
            QualityIssues::Table,
            &[QualityIssues::ClassId],
            false,
        ),
        index(
            "ix_quality_learners_school",
            QualityLearners::Table,
            &[QualityLearners::SchoolId],
            false,
        ),
        index(
            "ix_quality_learners_class",
            QualityLearners::Table,
            &[QualityLearners::ClassId],
            false,
        ),
        index(
            "ux_quality_duplicates_pair",
            QualityDuplicates::Table,
            &[QualityDuplicates::LearnerA, QualityDuplicates::LearnerB],
            true,
        ),
        index(
            "ix_quality_duplicates_b",
            QualityDuplicates::Table,
            &[QualityDuplicates::LearnerB],
            false,
        ),
        index(
            "ix_quality_duplicates_school_a",
            QualityDuplicates::Table,
            &[QualityDuplicates::SchoolA, QualityDuplicates::Status],
            false,
        ),
        index(
            "ix_quality_duplicates_school_b",
            QualityDuplicates::Table,
            &[QualityDuplicates::SchoolB, QualityDuplicates::Status],
            false,
        ),
    ];
    let mut out: Vec<String> = tables.iter().map(|t| render_table(backend, t)).collect();
    out.extend(indexes.iter().map(|i| render_index(backend, i)));
    out
}

/// Imports find a learner without code or ID by school, folded name and birth date.
fn imports_schema(backend: Backend) -> Vec<String> {
    vec![render_index(
        backend,
        &index(
            "ix_learners_school_name_birth",
            Learners::Table,
            &[Learners::SchoolId, Learners::NameFold, Learners::BirthDate],
            false,
        ),
    )]
}

/// The gradebook: subject set-up, current cells, the hash-chained history, term locks and
/// computed year results.
fn gradebook_schema(backend: Backend) -> Vec<String> {
    let small = |c: GradeRows| ColumnDef::new(c).small_integer().not_null().to_owned();
    let mut rows = Table::create();
    rows.table(GradeRows::Table)
        .col(id(GradeRows::Id))
        .col(big(GradeRows::LearnerId))
        .col(big(GradeRows::SchoolYearId))
        .col(big(GradeRows::SchoolId))
        .col(ColumnDef::new(GradeRows::ClassId).big_integer().null())
        .col(text(GradeRows::Item))
        .col(small(GradeRows::Term));
    for c in [
        GradeRows::R1,
        GradeRows::R2,
        GradeRows::R3,
        GradeRows::R4,
        GradeRows::Mid,
        GradeRows::TestMid,
        GradeRows::Fin,
        GradeRows::TestFin,
        GradeRows::Comment,
    ] {
        rows.col(text_null(c));
    }
    rows.col(big(GradeRows::Version))
        .col(timestamp(GradeRows::UpdatedAt))
        // No foreign keys to learners: history outlives any record change, and a cascading
        // delete would silently diverge the rows from their ledger.
        .col(text(GradeRows::UpdatedBy));
    let tables = [
        Table::create()
            .table(SubjectPlans::Table)
            .col(big(SubjectPlans::SchoolId))
            .col(big(SubjectPlans::SchoolYearId))
            .col(int(SubjectPlans::Grade))
            .col(text(SubjectPlans::SubjectCode))
            .col(int(SubjectPlans::Periods))
            .col(int(SubjectPlans::RegularCount))
            .col(timestamp(SubjectPlans::UpdatedAt))
            .primary_key(
                Index::create()
                    .col(SubjectPlans::SchoolId)
                    .col(SubjectPlans::SchoolYearId)
                    .col(SubjectPlans::Grade)
                    .col(SubjectPlans::SubjectCode),
            )
            .to_owned(),
        rows.to_owned(),
        Table::create()
            .table(GradeEvents::Table)
            .col(id(GradeEvents::Id))
            .col(big(GradeEvents::ChainId))
            .col(big(GradeEvents::Seq))
            .col(timestamp(GradeEvents::At))
            .col(
                ColumnDef::new(GradeEvents::ActorUserId)
                    .big_integer()
                    .null(),
            )
            .col(text(GradeEvents::Actor))
            .col(text(GradeEvents::Source))
            .col(text(GradeEvents::Action))
            .col(big(GradeEvents::SchoolYearId))
            .col(text_null(GradeEvents::Reason))
            .col(text(GradeEvents::Detail))
            .col(text(GradeEvents::PrevHash))
            .col(text(GradeEvents::Hash))
            .to_owned(),
        Table::create()
            .table(GradeChanges::Table)
            .col(id(GradeChanges::Id))
            .col(big(GradeChanges::ChainId))
            .col(big(GradeChanges::Seq))
            .col(big(GradeChanges::LearnerId))
            .col(text(GradeChanges::Item))
            .col(
                ColumnDef::new(GradeChanges::Term)
                    .small_integer()
                    .not_null(),
            )
            .col(text(GradeChanges::Before))
            .col(text(GradeChanges::After))
            .to_owned(),
        Table::create()
            .table(GradeChains::Table)
            .col(
                ColumnDef::new(GradeChains::ChainId)
                    .big_integer()
                    .not_null()
                    .primary_key(),
            )
            .col(big(GradeChains::LastSeq))
            .col(text(GradeChains::LastHash))
            .to_owned(),
        Table::create()
            .table(GradeTerms::Table)
            .col(big(GradeTerms::SchoolId))
            .col(big(GradeTerms::SchoolYearId))
            .col(ColumnDef::new(GradeTerms::Term).small_integer().not_null())
            .col(ColumnDef::new(GradeTerms::Deadline).date().null())
            .col(
                ColumnDef::new(GradeTerms::LockedAt)
                    .timestamp_with_time_zone()
                    .null(),
            )
            .col(text_null(GradeTerms::LockedBy))
            .col(
                ColumnDef::new(GradeTerms::PublishedAt)
                    .timestamp_with_time_zone()
                    .null(),
            )
            .col(text_null(GradeTerms::PublishedBy))
            .primary_key(
                Index::create()
                    .col(GradeTerms::SchoolId)
                    .col(GradeTerms::SchoolYearId)
                    .col(GradeTerms::Term),
            )
            .to_owned(),
        Table::create()
            .table(YearResults::Table)
            .col(big(YearResults::LearnerId))
            .col(big(YearResults::SchoolYearId))
            .col(big(YearResults::SchoolId))
            .col(ColumnDef::new(YearResults::ClassId).big_integer().null())
            .col(int(YearResults::Grade))
            .col(text_null(YearResults::Learning))
            .col(text_null(YearResults::Conduct))
            .col(text_null(YearResults::FinalLearning))
            .col(text_null(YearResults::FinalConduct))
            .col(int(YearResults::Absences))
            .col(text_null(YearResults::Award))
            .col(text_null(YearResults::PrimaryResult))
            .col(text_null(YearResults::Outcome))
            .col(text(YearResults::Summary))
            .col(timestamp(YearResults::ComputedAt))
            .primary_key(
                Index::create()
                    .col(YearResults::LearnerId)
                    .col(YearResults::SchoolYearId),
            )
            .to_owned(),
    ];
    let indexes = [
        index(
            "ux_grade_rows_cell",
            GradeRows::Table,
            &[
                GradeRows::LearnerId,
                GradeRows::SchoolYearId,
                GradeRows::Item,
                GradeRows::Term,
            ],
            true,
        ),
        index(
            "ix_grade_rows_school",
            GradeRows::Table,
            &[GradeRows::SchoolId, GradeRows::SchoolYearId],
            false,
        ),
        index(
            "ux_grade_events_chain",
            GradeEvents::Table,
            &[GradeEvents::ChainId, GradeEvents::Seq],
            true,
        ),
        index(
            "ix_grade_changes_event",
            GradeChanges::Table,
            &[GradeChanges::ChainId, GradeChanges::Seq],
            false,
        ),
        index(
            "ix_grade_changes_row",
            GradeChanges::Table,
            &[
                GradeChanges::LearnerId,
                GradeChanges::Item,
                GradeChanges::Term,
            ],
            false,
        ),
        index(
            "ix_year_results_school",
            YearResults::Table,
            &[YearResults::SchoolId, YearResults::SchoolYearId],
            false,
        ),
    ];
    let mut out: Vec<String> = tables.iter().map(|t| render_table(backend, t)).collect();
    out.extend(indexes.iter().map(|i| render_index(backend, i)));
    out.extend(append_only_history(backend).iter().map(|s| s.to_string()));
    out
}

fn transcripts_schema(backend: Backend) -> Vec<String> {
    let tables = [
        Table::create()
            .table(SigningKeys::Table)
            .col(id(SigningKeys::Id))
            .col(big(SigningKeys::UserId))
            .col(text(SigningKeys::Algorithm))
            .col(text(SigningKeys::PublicKey))
            // Reserved: the X.509 certificate (PEM) when the national PKI issues the key.
            .col(text_null(SigningKeys::Certificate))
            .col(timestamp(SigningKeys::CreatedAt))
            .col(
                ColumnDef::new(SigningKeys::RevokedAt)
                    .timestamp_with_time_zone()
                    .null(),
            )
            .foreign_key(&mut fk(
                SigningKeys::Table,
                SigningKeys::UserId,
                Users::Table,
                Users::Id,
                ForeignKeyAction::Restrict,
            ))
            .to_owned(),
        // Secret halves apart from the public ones (hex of the 32-byte Ed25519 seed): what an
        // HSM or the signer's own PKI token replaces; nothing that verifies reads it.
        Table::create()
            .table(SigningKeySecrets::Table)
            .col(
                ColumnDef::new(SigningKeySecrets::KeyId)
                    .big_integer()
                    .not_null()
                    .primary_key(),
            )
            .col(text(SigningKeySecrets::SecretKey))
            .foreign_key(&mut fk(
                SigningKeySecrets::Table,
                SigningKeySecrets::KeyId,
                SigningKeys::Table,
                SigningKeys::Id,
                ForeignKeyAction::Cascade,
            ))
            .to_owned(),
        // No foreign keys to learners or classes: an issued document outlives record changes.
        Table::create()
            .table(Transcripts::Table)
            .col(id(Transcripts::Id))
            .col(big(Transcripts::LearnerId))
            .col(big(Transcripts::SchoolYearId))
            .col(big(Transcripts::SchoolId))
            .col(ColumnDef::new(Transcripts::ClassId).big_integer().null())
            .col(text(Transcripts::VerifyCode))
            .col(text(Transcripts::CanonicalJson))
            .col(text(Transcripts::JsonSha256))
            .col(timestamp(Transcripts::CreatedAt))
            .col(
                ColumnDef::new(Transcripts::SupersededAt)
                    .timestamp_with_time_zone()
                    .null(),
            )
            .to_owned(),
        Table::create()
            .table(TranscriptSignatures::Table)
            .col(id(TranscriptSignatures::Id))
            .col(big(TranscriptSignatures::TranscriptId))
            .col(text(TranscriptSignatures::Role))
            .col(big(TranscriptSignatures::UserId))
            .col(text(TranscriptSignatures::SignerName))
            .col(big(TranscriptSignatures::KeyId))
            .col(text(TranscriptSignatures::Algorithm))
            .col(text(TranscriptSignatures::PublicKey))
            .col(text(TranscriptSignatures::Signature))
            .col(timestamp(TranscriptSignatures::SignedAt))
            .foreign_key(&mut fk(
                TranscriptSignatures::Table,
                TranscriptSignatures::TranscriptId,
                Transcripts::Table,
                Transcripts::Id,
                ForeignKeyAction::Restrict,
            ))
            .foreign_key(&mut fk(
                TranscriptSignatures::Table,
                TranscriptSignatures::KeyId,
                SigningKeys::Table,
                SigningKeys::Id,
                ForeignKeyAction::Restrict,
            ))
            .to_owned(),
    ];
    let indexes = [
        index(
            "ux_signing_keys_public",
            SigningKeys::Table,
            &[SigningKeys::PublicKey],
            true,
        ),
        index(
            "ix_signing_keys_user",
            SigningKeys::Table,
            &[SigningKeys::UserId],
            false,
        ),
        index(
            "ux_transcripts_verify_code",
            Transcripts::Table,
            &[Transcripts::VerifyCode],
            true,
        ),
        index(
            "ix_transcripts_learner",
            Transcripts::Table,
            &[Transcripts::LearnerId, Transcripts::SchoolYearId],
            false,
        ),
        index(
            "ux_transcript_signatures_role",
            TranscriptSignatures::Table,
            &[
                TranscriptSignatures::TranscriptId,
                TranscriptSignatures::Role,
            ],
            true,
        ),
    ];
    let mut out: Vec<String> = tables.iter().map(|t| render_table(backend, t)).collect();
    out.extend(indexes.iter().map(|i| render_index(backend, i)));
    // One current transcript per learner and year (the same SQL on both backends).
    out.push(
        "CREATE UNIQUE INDEX ux_transcripts_current ON transcripts (learner_id, school_year_id) WHERE superseded_at IS NULL"
            .into(),
    );
    out
}

fn real_null<T: sea_query::IntoIden>(col: T) -> ColumnDef {
    ColumnDef::new(col).double().null().to_owned()
}

fn int_null<T: sea_query::IntoIden>(col: T) -> ColumnDef {
    ColumnDef::new(col).integer().null().to_owned()
}

fn timestamp_null<T: sea_query::IntoIden>(col: T) -> ColumnDef {
    ColumnDef::new(col)
        .timestamp_with_time_zone()
        .null()
        .to_owned()
}

/// The digital-maturity index (Decision 4725): self-assessments, their answers, evidence files
/// (bytes in the database, so that a backup holds them) and the reviewer's comments.
fn dx_schema(backend: Backend) -> Vec<String> {
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

/// Plan targets: the indicators (seeded with the shipped ones, then edited by departments) and
/// the daily snapshots of every school's metrics. No foreign keys on snapshots: a past figure
/// stays as it was taken. The seed reads `plan-targets.toml` as it is when a database is
/// created; a new shipped indicator for existing databases needs a migration of its own.
fn targets_schema(backend: Backend) -> Vec<String> {
    let tables = [
        Table::create()
            .table(TargetIndicators::Table)
            .col(
                ColumnDef::new(TargetIndicators::Code)
                    .text()
                    .not_null()
                    .primary_key(),
            )
            .col(int(TargetIndicators::Position))
            .col(text(TargetIndicators::Name))
            .col(text(TargetIndicators::NameEn))
            .col(text_null(TargetIndicators::Formula))
            .col(ColumnDef::new(TargetIndicators::Target).double().not_null())
            .col(
                ColumnDef::new(TargetIndicators::TargetHardArea)
                    .double()
                    .null(),
            )
            .col(ColumnDef::new(TargetIndicators::Deadline).date().not_null())
            .col(text(TargetIndicators::Levels))
            .col(text(TargetIndicators::Grades))
            .col(text(TargetIndicators::ScopeNote))
            .col(text(TargetIndicators::Source))
            .col(text_null(TargetIndicators::Needs))
            .col(text_null(TargetIndicators::UpdatedBy))
            .col(timestamp(TargetIndicators::UpdatedAt))
            .to_owned(),
        Table::create()
            .table(TargetSnapshots::Table)
            .col(
                ColumnDef::new(TargetSnapshots::TakenOn)
                    .date()
                    .not_null()
                    .primary_key(),
            )
            .col(text(TargetSnapshots::Origin))
            .col(timestamp(TargetSnapshots::TakenAt))
            .to_owned(),
        Table::create()
            .table(TargetValues::Table)
            .col(ColumnDef::new(TargetValues::TakenOn).date().not_null())
            .col(big(TargetValues::SchoolId))
            .col(text(TargetValues::Metric))
            .col(int(TargetValues::Grade))
            .col(big(TargetValues::Value))
            .primary_key(
                Index::create()
                    .col(TargetValues::TakenOn)
                    .col(TargetValues::SchoolId)
                    .col(TargetValues::Metric)
                    .col(TargetValues::Grade),
            )
            .to_owned(),
    ];
    let mut out: Vec<String> = tables.iter().map(|t| render_table(backend, t)).collect();
    out.push(render_index(
        backend,
        &index(
            "ix_target_values_school",
            TargetValues::Table,
            &[TargetValues::SchoolId, TargetValues::TakenOn],
            false,
        ),
    ));
    let now = Utc::now();
    for (position, ind) in truongso_domain::targets::defaults().iter().enumerate() {
        let raw = ind.to_raw();
        let insert = Query::insert()
            .into_table(TargetIndicators::Table)
            .columns([
                TargetIndicators::Code,
                TargetIndicators::Position,
                TargetIndicators::Name,
                TargetIndicators::NameEn,
                TargetIndicators::Formula,
                TargetIndicators::Target,
                TargetIndicators::TargetHardArea,
                TargetIndicators::Deadline,
                TargetIndicators::Levels,
                TargetIndicators::Grades,
                TargetIndicators::ScopeNote,
                TargetIndicators::Source,
                TargetIndicators::Needs,
                TargetIndicators::UpdatedAt,
            ])
            .values_panic([
                raw.code.into(),
                (position as i32).into(),
                raw.name.into(),
                raw.name_en.into(),
                raw.formula.into(),
                raw.target.into(),
                raw.target_hard_area.into(),
                ind.deadline.into(),
                raw.levels.join(",").into(),
                crate::targets::grades_text(&ind.scope.grades).into(),
                raw.scope.into(),
                raw.source.into(),
                raw.needs.into(),
                now.into(),
            ])
            .to_owned();
        out.push(match backend {
            Backend::Sqlite => insert.to_string(SqliteQueryBuilder),
            Backend::Postgres => insert.to_string(PostgresQueryBuilder),
        });
    }
    out
}

/// Admission: campaigns with their schools, seats and zones; guardians' one-time codes, sessions
/// and outbox; applications with choices, documents and exam scores; assignment runs with their
/// cut-offs and per-applicant results. Scores are integers in hundredths (exact).
fn admission_schema(backend: Backend) -> Vec<String> {
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

/// Like the audit trail, the gradebook history refuses UPDATE and DELETE at the database. (The
/// hash chain is what detects someone who drops the triggers first.)
fn append_only_history(backend: Backend) -> &'static [&'static str] {
    match backend {
        Backend::Sqlite => &[
            "CREATE TRIGGER grade_events_no_update BEFORE UPDATE ON grade_events BEGIN SELECT RAISE(ABORT, 'grade_events is append-only'); END",
            "CREATE TRIGGER grade_events_no_delete BEFORE DELETE ON grade_events BEGIN SELECT RAISE(ABORT, 'grade_events is append-only'); END",
            "CREATE TRIGGER grade_changes_no_update BEFORE UPDATE ON grade_changes BEGIN SELECT RAISE(ABORT, 'grade_changes is append-only'); END",
            "CREATE TRIGGER grade_changes_no_delete BEFORE DELETE ON grade_changes BEGIN SELECT RAISE(ABORT, 'grade_changes is append-only'); END",
        ],
        Backend::Postgres => &[
            "CREATE FUNCTION grade_history_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION '% is append-only', TG_TABLE_NAME; END $$",
            "CREATE TRIGGER grade_events_no_change BEFORE UPDATE OR DELETE ON grade_events FOR EACH ROW EXECUTE FUNCTION grade_history_append_only()",
            "CREATE TRIGGER grade_changes_no_change BEFORE UPDATE OR DELETE ON grade_changes FOR EACH ROW EXECUTE FUNCTION grade_history_append_only()",
        ],
    }
}

/// The audit trail refuses UPDATE and DELETE at the database itself, not only in our code.
fn append_only_audit(backend: Backend) -> &'static [&'static str] {
    match backend {
        Backend::Sqlite => &[
            "CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END",
            "CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END",
        ],
        Backend::Postgres => &[
            "CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'audit_log is append-only'; END $$",
            "CREATE TRIGGER audit_log_no_change BEFORE UPDATE OR DELETE ON audit_log FOR EACH ROW EXECUTE FUNCTION audit_log_append_only()",
        ],
    }
}

/// The learner name search index: the only backend-specific schema object, because full-text
/// search is where the two engines differ. Both index the folded name computed in Rust
/// (`domain::text::fold`), so "nguyen thi hoa" finds "Nguyễn Thị Hoa" and "duc" finds "Đức".
fn search_index(backend: Backend) -> &'static [&'static str] {
    match backend {
        // A contentless FTS5 table keyed by learner id, kept in step by `store::learners`.
        Backend::Sqlite => &[
            "CREATE VIRTUAL TABLE learner_name_fts USING fts5(name_fold, content='', contentless_delete=1, tokenize='unicode61')",
        ],
        Backend::Postgres => &[
            "CREATE INDEX ix_learners_name_fts ON learners USING gin (to_tsvector('simple', name_fold))",
        ],
    }
}

/// Tables that exist only on one backend, by design (search internals); the schema-parity test skips them.
pub fn is_backend_specific_table(name: &str) -> bool {
    name.starts_with("learner_name_fts") || name.starts_with("sqlite_")
}

/// A reset password must be changed at the next sign-in; browsers an account signed in from;
/// facts about the installation (whether a demo seed ran to its end).
fn account_security_schema(backend: Backend) -> Vec<String> {
    let meta = Table::create()
        .table(InstanceMeta::Table)
        .col(
            ColumnDef::new(InstanceMeta::Key)
                .text()
                .not_null()
                .primary_key(),
        )
        .col(text(InstanceMeta::Value))
        .col(timestamp(InstanceMeta::UpdatedAt))
        .to_owned();
    let alter = Table::alter()
        .table(Users::Table)
        .add_column(
            ColumnDef::new(Users::MustChangePassword)
                .boolean()
                .not_null()
                .default(false),
        )
        .to_owned();
    let devices = Table::create()
        .table(KnownDevices::Table)
        .col(ColumnDef::new(KnownDevices::Id).text().not_null())
        .col(big(KnownDevices::UserId))
        .col(timestamp(KnownDevices::CreatedAt))
        .col(timestamp(KnownDevices::LastUsedAt))
        .col(int(KnownDevices::FailedLogins))
        .primary_key(
            Index::create()
                .col(KnownDevices::Id)
                .col(KnownDevices::UserId),
        )
        .foreign_key(&mut fk(
            KnownDevices::Table,
            KnownDevices::UserId,
            Users::Table,
            Users::Id,
            ForeignKeyAction::Cascade,
        ))
        .to_owned();
    let by_user = index(
        "ix_known_devices_user",
        KnownDevices::Table,
        &[KnownDevices::UserId],
        false,
    );
    vec![
        match backend {
            Backend::Sqlite => alter.to_string(SqliteQueryBuilder),
            Backend::Postgres => alter.to_string(PostgresQueryBuilder),
        },
        render_table(backend, &devices),
        render_index(backend, &by_user),
        render_table(backend, &meta),
    ]
}

/// Frozen statistical reports (see `crate::statistics`).
fn statistics_schema(backend: Backend) -> Vec<String> {
    let table = Table::create()
        .table(StatSubmissions::Table)
        .col(id(StatSubmissions::Id))
        .col(big(StatSubmissions::UnitId))
        .col(text(StatSubmissions::Kind))
        .col(big(StatSubmissions::SchoolYearId))
        .col(ColumnDef::new(StatSubmissions::AsOf).date().not_null())
        .col(
            ColumnDef::new(StatSubmissions::Version)
                .integer()
                .not_null(),
        )
        // Per-school figures as JSON: {"school id": [[table, row, col, count], …], …}.
        .col(text(StatSubmissions::Figures))
        .col(
            ColumnDef::new(StatSubmissions::Schools)
                .integer()
                .not_null(),
        )
        .col(
            ColumnDef::new(StatSubmissions::SubmittedBy)
                .big_integer()
                .null(),
        )
        .col(text(StatSubmissions::SubmittedByName))
        .col(timestamp(StatSubmissions::SubmittedAt))
        .col(text_null(StatSubmissions::Note))
        .foreign_key(&mut fk(
            StatSubmissions::Table,
            StatSubmissions::UnitId,
            OrgUnits::Table,
            OrgUnits::Id,
            ForeignKeyAction::Restrict,
        ))
        .foreign_key(&mut fk(
            StatSubmissions::Table,
            StatSubmissions::SchoolYearId,
            SchoolYears::Table,
            SchoolYears::Id,
            ForeignKeyAction::Restrict,
        ))
        .foreign_key(&mut fk(
            StatSubmissions::Table,
            StatSubmissions::SubmittedBy,
            Users::Table,
            Users::Id,
            ForeignKeyAction::SetNull,
        ))
        .to_owned();
    let index = index(
        "ux_stat_submissions_version",
        StatSubmissions::Table,
        &[
            StatSubmissions::UnitId,
            StatSubmissions::Kind,
            StatSubmissions::SchoolYearId,
            StatSubmissions::Version,
        ],
        true,
    );
    vec![render_table(backend, &table), render_index(backend, &index)]
}
