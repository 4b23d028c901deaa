//! Version 5, "gradebook": shipped; never edit (a test holds its SQL to `tests/store/migrations/`).

#[allow(unused_imports)]
use super::*;

/// The gradebook: subject set-up, current cells, the hash-chained history, term locks and
/// computed year results.
pub(super) fn statements(backend: Backend) -> Vec<String> {
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
