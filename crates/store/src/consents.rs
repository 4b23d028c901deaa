//! Consent records: who consented to what for which learner, when; and withdrawal, which keeps
//! the record (the history of consent is itself evidence).

use chrono::{DateTime, Utc};
use sea_query::{Expr, ExprTrait, Order, Query};
use serde::{Deserialize, Serialize};
use truongso_domain::consent::ConsentPurpose;

use crate::schema::Consents;
use crate::{Conn, StoreError, StoreResult};

#[derive(Debug, Clone, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct Consent {
    pub id: i64,
    pub learner_id: i64,
    #[sqlx(try_from = "String")]
    pub purpose: ConsentPurpose,
    /// Full name of the person who consented.
    pub given_by: String,
    /// Their relation to the learner (father, mother, guardian, self).
    pub relation: Option<String>,
    /// For learners aged 7 or more: whether the learner agreed too (Law 91/2025).
    pub learner_agreed: Option<bool>,
    pub given_at: DateTime<Utc>,
    pub withdrawn_at: Option<DateTime<Utc>>,
    pub withdrawn_by: Option<String>,
    pub note: Option<String>,
}

/// A consent to record.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewConsent {
    pub purpose: ConsentPurpose,
    pub given_by: String,
    pub relation: Option<String>,
    pub learner_agreed: Option<bool>,
    pub note: Option<String>,
}

const COLUMNS: [Consents; 10] = [
    Consents::Id,
    Consents::LearnerId,
    Consents::Purpose,
    Consents::GivenBy,
    Consents::Relation,
    Consents::LearnerAgreed,
    Consents::GivenAt,
    Consents::WithdrawnAt,
    Consents::WithdrawnBy,
    Consents::Note,
];

pub async fn of_learner(conn: &mut Conn<'_>, learner_id: i64) -> StoreResult<Vec<Consent>> {
    conn.fetch_all(
        Query::select()
            .columns(COLUMNS)
            .from(Consents::Table)
            .and_where(Expr::col(Consents::LearnerId).eq(learner_id))
            .order_by(Consents::Id, Order::Desc),
    )
    .await
}

/// Records a consent for a learner the caller may already see (checked by the caller).
pub async fn give(
    conn: &mut Conn<'_>,
    learner_id: i64,
    input: &NewConsent,
    recorded_by: Option<i64>,
) -> StoreResult<Consent> {
    let given_by = input.given_by.trim();
    if given_by.is_empty() || given_by.chars().count() > 100 {
        return Err(StoreError::invalid(
            "given_by",
            "Cần ghi họ tên người đồng ý (tối đa 100 ký tự).",
        ));
    }
    if input
        .note
        .as_deref()
        .is_some_and(|n| n.chars().count() > 1000)
    {
        return Err(StoreError::invalid("note", "Ghi chú tối đa 1000 ký tự."));
    }
    let (id,): (i64,) = conn
        .fetch_one(
            Query::insert()
                .into_table(Consents::Table)
                .columns([
                    Consents::LearnerId,
                    Consents::Purpose,
                    Consents::GivenBy,
                    Consents::Relation,
                    Consents::LearnerAgreed,
                    Consents::GivenAt,
                    Consents::Note,
                    Consents::RecordedByUserId,
                ])
                .values_panic([
                    learner_id.into(),
                    input.purpose.code().into(),
                    given_by.into(),
                    input.relation.clone().into(),
                    input.learner_agreed.into(),
                    Utc::now().into(),
                    input.note.clone().into(),
                    recorded_by.into(),
                ])
                .returning_col(Consents::Id),
        )
        .await?;
    get(conn, learner_id, id).await
}

pub async fn get(conn: &mut Conn<'_>, learner_id: i64, id: i64) -> StoreResult<Consent> {
    conn.fetch_optional(
        Query::select()
            .columns(COLUMNS)
            .from(Consents::Table)
            .and_where(Expr::col(Consents::Id).eq(id))
            .and_where(Expr::col(Consents::LearnerId).eq(learner_id)),
    )
    .await?
    .ok_or(StoreError::not_found("sự đồng ý"))
}

/// Withdraws a consent (once); the record stays with the date and who withdrew it.
pub async fn withdraw(
    conn: &mut Conn<'_>,
    learner_id: i64,
    id: i64,
    by: &str,
) -> StoreResult<Consent> {
    let current = get(conn, learner_id, id).await?;
    if current.withdrawn_at.is_some() {
        return Err(StoreError::conflict("id", "Sự đồng ý này đã được rút lại."));
    }
    conn.execute(
        Query::update()
            .table(Consents::Table)
            .value(Consents::WithdrawnAt, Utc::now())
            .value(Consents::WithdrawnBy, by)
            .and_where(Expr::col(Consents::Id).eq(id)),
    )
    .await?;
    get(conn, learner_id, id).await
}
