//! Version 4, "imports": shipped; never edit (a test holds its SQL to `tests/store/migrations/`).

#[allow(unused_imports)]
use super::*;

/// Imports find a learner without code or ID by school, folded name and birth date.
pub(super) fn statements(backend: Backend) -> Vec<String> {
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
