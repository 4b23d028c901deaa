//! The organisational scope of the acting user, applied by every query that lists or reads
//! records: a user sees the subtree of the unit they belong to, nothing else.
//!
//! Units carry a materialised `path` ("/1/4/37/"): the subtree of a unit is every unit whose
//! path starts with its own, which one indexed range condition selects on both backends.

use sea_query::{Expr, ExprTrait, Query, SimpleExpr};

use crate::schema::OrgUnits;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scope {
    /// The whole tree (operators on the command line, the ministry).
    All,
    /// The subtree rooted at the unit with this path.
    Subtree { root_id: i64, path: String },
}

impl Scope {
    /// Whether a unit with `path` lies inside this scope.
    pub fn contains_path(&self, path: &str) -> bool {
        match self {
            Scope::All => true,
            Scope::Subtree { path: root, .. } => path.starts_with(root.as_str()),
        }
    }

    /// A condition on a column holding an org unit id: true when that unit is in scope.
    pub fn org_filter(&self, org_id_column: impl Into<SimpleExpr>) -> Option<SimpleExpr> {
        match self {
            Scope::All => None,
            Scope::Subtree { path, .. } => Some(
                org_id_column.into().in_subquery(
                    Query::select()
                        .column(OrgUnits::Id)
                        .from(OrgUnits::Table)
                        .and_where(path_prefix(path))
                        .to_owned(),
                ),
            ),
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
