//! Term deadlines, locks and publication. The principal locks a term when its marks are final;
//! a change after that needs the term unlocked with a reason; both are history events.
//! Publishing makes the term's marks visible to guardians.

use chrono::{DateTime, NaiveDate, Utc};
use sea_query::{Expr, ExprTrait, OnConflict, Query};
use serde::Serialize;
use truongso_domain::gradebook::Term;
use truongso_domain::gradebook::ledger::Action;

use super::ledger;
use crate::audit::AuditActor;
use crate::schema::GradeTerms;
use crate::{Conn, StoreError, StoreResult, Tx};

#[derive(Debug, Clone, Default, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct TermState {
    pub deadline: Option<NaiveDate>,
    pub locked_at: Option<DateTime<Utc>>,
    pub locked_by: Option<String>,
    pub published_at: Option<DateTime<Utc>>,
    pub published_by: Option<String>,
}

impl TermState {
    pub fn is_locked(&self) -> bool {
        self.locked_at.is_some()
    }

    pub fn is_published(&self) -> bool {
        self.published_at.is_some()
    }
}

pub async fn state(
    conn: &mut Conn<'_>,
    school_id: i64,
    school_year_id: i64,
    term: Term,
) -> StoreResult<TermState> {
    Ok(conn
        .fetch_optional(
            Query::select()
                .columns([
                    GradeTerms::Deadline,
                    GradeTerms::LockedAt,
                    GradeTerms::LockedBy,
                    GradeTerms::PublishedAt,
                    GradeTerms::PublishedBy,
                ])
                .from(GradeTerms::Table)
                .and_where(Expr::col(GradeTerms::SchoolId).eq(school_id))
                .and_where(Expr::col(GradeTerms::SchoolYearId).eq(school_year_id))
                .and_where(Expr::col(GradeTerms::Term).eq(term.number())),
        )
        .await?
        .unwrap_or_default())
}

/// The terms of a school year whose marks guardians may see.
pub async fn published_terms(
    conn: &mut Conn<'_>,
    school_id: i64,
    school_year_id: i64,
) -> StoreResult<Vec<Term>> {
    let mut out = Vec::new();
    for term in Term::ALL {
        if state(conn, school_id, school_year_id, *term)
            .await?
            .is_published()
        {
            out.push(*term);
        }
    }
    Ok(out)
}

/// What a principal does to a term.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TermChange {
    Lock,
    Unlock { reason: String },
    Publish,
    Deadline(Option<NaiveDate>),
}

/// Applies a term change and records it in the school's history.
pub async fn change(
    tx: &mut Tx,
    actor: &AuditActor,
    source: &str,
    school_id: i64,
    school_year_id: i64,
    term: Term,
    change: TermChange,
) -> StoreResult<TermState> {
    let head = ledger::lock_chain(&mut tx.conn(), school_id).await?;
    let now = Utc::now();
    let who = ledger::actor_name(actor);
    let current = state(&mut tx.conn(), school_id, school_year_id, term).await?;
    let mut next = current.clone();
    let (action, reason) = match &change {
        TermChange::Lock => {
            if current.is_locked() {
                return Err(StoreError::conflict(
                    "term",
                    format!("{} đã khoá sổ.", term.label_vi()),
                ));
            }
            next.locked_at = Some(now);
            next.locked_by = Some(who.clone());
            (Some(Action::Lock), None)
        }
        TermChange::Unlock { reason } => {
            let reason = reason.trim();
            if reason.chars().count() < 5 {
                return Err(StoreError::invalid(
                    "reason",
                    "Nêu lý do mở khoá sổ (ít nhất 5 ký tự), ví dụ: sửa điểm nhập nhầm của học sinh Nguyễn Văn A.",
                ));
            }
            if !current.is_locked() {
                return Err(StoreError::conflict(
                    "term",
                    format!("{} chưa khoá sổ.", term.label_vi()),
                ));
            }
            next.locked_at = None;
            next.locked_by = None;
            (Some(Action::Unlock), Some(reason.to_string()))
        }
        TermChange::Publish => {
            next.published_at = Some(now);
            next.published_by = Some(who.clone());
            (Some(Action::Publish), None)
        }
        TermChange::Deadline(d) => {
            next.deadline = *d;
            (None, None)
        }
    };
    tx.conn()
        .execute(
            Query::insert()
                .into_table(GradeTerms::Table)
                .columns([
                    GradeTerms::SchoolId,
                    GradeTerms::SchoolYearId,
                    GradeTerms::Term,
                    GradeTerms::Deadline,
                    GradeTerms::LockedAt,
                    GradeTerms::LockedBy,
                    GradeTerms::PublishedAt,
                    GradeTerms::PublishedBy,
                ])
                .values_panic([
                    school_id.into(),
                    school_year_id.into(),
                    term.number().into(),
                    next.deadline.into(),
                    next.locked_at.into(),
                    next.locked_by.clone().into(),
                    next.published_at.into(),
                    next.published_by.clone().into(),
                ])
                .on_conflict(
                    OnConflict::columns([
                        GradeTerms::SchoolId,
                        GradeTerms::SchoolYearId,
                        GradeTerms::Term,
                    ])
                    .update_columns([
                        GradeTerms::Deadline,
                        GradeTerms::LockedAt,
                        GradeTerms::LockedBy,
                        GradeTerms::PublishedAt,
                        GradeTerms::PublishedBy,
                    ])
                    .to_owned(),
                ),
        )
        .await?;
    if let Some(action) = action {
        ledger::append(
            &mut tx.conn(),
            &head,
            actor,
            source,
            now,
            vec![ledger::NewEvent {
                action,
                school_year_id,
                reason,
                detail: serde_json::json!({ "term": term.code() }),
                changes: vec![],
            }],
        )
        .await?;
    }
    Ok(next)
}
