//! The reach of the acting user, applied by every query that lists or reads records: a user
//! sees the subtree of the unit they belong to, a teacher only the learners of their classes,
//! a guardian only their children — nothing else.
//!
//! Units carry a materialised `path` ("/1/4/37/"): the subtree of a unit is every unit whose
//! path starts with its own, which one indexed range condition selects on both backends.

use sea_query::{Expr, ExprTrait, Query, SimpleExpr};

use crate::schema::{Enrolments, OrgUnits};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scope {
    /// The whole tree (operators on the command line).
    All,
    /// The subtree rooted at the unit with this path.
    Subtree { root_id: i64, path: String },
    /// A teacher: the units of their school (`path`), but learners only of these classes.
    Classes {
        root_id: i64,
        path: String,
        class_ids: Vec<i64>,
    },
    /// A guardian or a learner: these learners and nothing of the organisation.
    Learners { learner_ids: Vec<i64> },
}

/// Which organisational units a scope reaches.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OrgReach<'a> {
    All,
    Subtree(&'a str),
    Nothing,
}

impl Scope {
    pub fn org_reach(&self) -> OrgReach<'_> {
        match self {
            Scope::All => OrgReach::All,
            Scope::Subtree { path, .. } | Scope::Classes { path, .. } => OrgReach::Subtree(path),
            Scope::Learners { .. } => OrgReach::Nothing,
        }
    }

    /// The unit at the top of the scope, if it has one.
    pub fn root_id(&self) -> Option<i64> {
        match self {
            Scope::Subtree { root_id, .. } | Scope::Classes { root_id, .. } => Some(*root_id),
            Scope::All | Scope::Learners { .. } => None,
        }
    }

    /// Whether a unit with `path` lies inside this scope.
    pub fn contains_path(&self, path: &str) -> bool {
        match self.org_reach() {
            OrgReach::All => true,
            OrgReach::Subtree(root) => path.starts_with(root),
            OrgReach::Nothing => false,
        }
    }

    /// A condition on `org_units` itself: true for the units in scope.
    pub fn unit_condition(&self) -> Option<SimpleExpr> {
        match self.org_reach() {
            OrgReach::All => None,
            OrgReach::Subtree(path) => Some(path_prefix(path)),
            OrgReach::Nothing => Some(Expr::val(1).eq(0)),
        }
    }

    /// A condition on a column holding an org unit id: true when that unit is in scope.
    pub fn org_filter(&self, org_id_column: impl Into<SimpleExpr>) -> Option<SimpleExpr> {
        match self.org_reach() {
            OrgReach::All => None,
            OrgReach::Subtree(path) => Some(
                org_id_column.into().in_subquery(
                    Query::select()
                        .column(OrgUnits::Id)
                        .from(OrgUnits::Table)
                        .and_where(path_prefix(path))
                        .to_owned(),
                ),
            ),
            OrgReach::Nothing => Some(Expr::val(1).eq(0)),
        }
    }

    /// A condition on a column holding a learner id: true when that learner is in scope
    /// (in addition to [`Scope::org_filter`] on the learner's school).
    pub fn learner_filter(&self, learner_id_column: impl Into<SimpleExpr>) -> Option<SimpleExpr> {
        match self {
            Scope::All | Scope::Subtree { .. } => None,
            Scope::Classes { class_ids, .. } => Some(
                learner_id_column.into().in_subquery(
                    Query::select()
                        .column(Enrolments::LearnerId)
                        .from(Enrolments::Table)
                        .and_where(Expr::col(Enrolments::ClassId).is_in(class_ids.iter().copied()))
                        .to_owned(),
                ),
            ),
            Scope::Learners { learner_ids } => {
                Some(learner_id_column.into().is_in(learner_ids.iter().copied()))
            }
        }
    }

    /// A learner-reaching scope ignores the org filter on learners: a guardian's child may be
    /// in any school. Conditions for queries over learners.
    pub fn learner_conditions(
        &self,
        school_column: impl Into<SimpleExpr>,
        learner_id_column: impl Into<SimpleExpr>,
    ) -> Vec<SimpleExpr> {
        match self {
            Scope::Learners { .. } => self.learner_filter(learner_id_column).into_iter().collect(),
            _ => self
                .org_filter(school_column)
                .into_iter()
                .chain(self.learner_filter(learner_id_column))
                .collect(),
        }
    }
}

/// `org_units.path` starts with `prefix`, as a range (index-friendly on both backends;
/// paths are ASCII digits and slashes, so '0' > '/' bounds the range).
pub fn path_prefix(prefix: &str) -> SimpleExpr {
    let upper = format!("{}0", prefix.trim_end_matches('/'));
    Expr::col((OrgUnits::Table, OrgUnits::Path))
        .gte(prefix.to_string())
        .and(Expr::col((OrgUnits::Table, OrgUnits::Path)).lt(upper))
}
