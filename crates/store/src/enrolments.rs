//! Enrolments: a learner in a school (and class) for a school year, with every status change kept.

use chrono::{DateTime, NaiveDate, Utc};
use sea_query::{Expr, ExprTrait, Order, Query};
use serde::{Deserialize, Serialize};
use truongso_domain::learners::EnrolmentStatus;

use crate::schema::{Classes, EnrolmentEvents, Enrolments, OrgUnits, SchoolYears};
use crate::{Conn, Scope, StoreError, StoreResult, Tx};

#[derive(Debug, Clone, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct Enrolment {
    pub id: i64,
    pub learner_id: i64,
    pub school_year_id: i64,
    pub school_year_code: String,
    pub school_id: i64,
    pub school_name: String,
    pub class_id: Option<i64>,
    pub class_name: Option<String>,
    #[sqlx(try_from = "String")]
    pub status: EnrolmentStatus,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct EnrolmentEvent {
    pub id: i64,
    pub enrolment_id: i64,
    #[sqlx(try_from = "String")]
    pub status: EnrolmentStatus,
    pub effective_on: NaiveDate,
    pub reason: Option<String>,
    pub created_at: DateTime<Utc>,
}

/// A status change request.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
pub struct StatusChange {
    pub status: EnrolmentStatus,
    pub effective_on: NaiveDate,
    pub reason: Option<String>,
    /// Moves the learner to another class of the same school and year.
    pub class_id: Option<i64>,
}

fn select() -> sea_query::SelectStatement {
    Query::select()
        .columns([
            (Enrolments::Table, Enrolments::Id),
            (Enrolments::Table, Enrolments::LearnerId),
            (Enrolments::Table, Enrolments::SchoolYearId),
            (Enrolments::Table, Enrolments::SchoolId),
            (Enrolments::Table, Enrolments::ClassId),
            (Enrolments::Table, Enrolments::Status),
            (Enrolments::Table, Enrolments::UpdatedAt),
        ])
        .expr_as(
            Expr::col((SchoolYears::Table, SchoolYears::Code)),
            "school_year_code",
        )
        .expr_as(Expr::col((OrgUnits::Table, OrgUnits::Name)), "school_name")
        .expr_as(Expr::col((Classes::Table, Classes::Name)), "class_name")
        .from(Enrolments::Table)
        .inner_join(
            SchoolYears::Table,
            Expr::col((SchoolYears::Table, SchoolYears::Id))
                .equals((Enrolments::Table, Enrolments::SchoolYearId)),
        )
        .inner_join(
            OrgUnits::Table,
            Expr::col((OrgUnits::Table, OrgUnits::Id))
                .equals((Enrolments::Table, Enrolments::SchoolId)),
        )
        .left_join(
            Classes::Table,
            Expr::col((Classes::Table, Classes::Id))
                .equals((Enrolments::Table, Enrolments::ClassId)),
        )
        .to_owned()
}

/// The enrolments of a learner, newest year first.
pub async fn of_learner(conn: &mut Conn<'_>, learner_id: i64) -> StoreResult<Vec<Enrolment>> {
    let q = select()
        .and_where(Expr::col((Enrolments::Table, Enrolments::LearnerId)).eq(learner_id))
        .order_by((SchoolYears::Table, SchoolYears::StartYear), Order::Desc)
        .to_owned();
    conn.fetch_all(&q).await
}

pub async fn get(conn: &mut Conn<'_>, scope: &Scope, id: i64) -> StoreResult<Enrolment> {
    let mut q = select()
        .and_where(Expr::col((Enrolments::Table, Enrolments::Id)).eq(id))
        .to_owned();
    for c in scope.learner_conditions(
        Expr::col((Enrolments::Table, Enrolments::SchoolId)),
        Expr::col((Enrolments::Table, Enrolments::LearnerId)),
    ) {
        q.and_where(c);
    }
    conn.fetch_optional(&q)
        .await?
        .ok_or(StoreError::not_found("hồ sơ nhập học"))
}

pub async fn events(conn: &mut Conn<'_>, enrolment_id: i64) -> StoreResult<Vec<EnrolmentEvent>> {
    conn.fetch_all(
        Query::select()
            .columns([
                EnrolmentEvents::Id,
                EnrolmentEvents::EnrolmentId,
                EnrolmentEvents::Status,
                EnrolmentEvents::EffectiveOn,
                EnrolmentEvents::Reason,
                EnrolmentEvents::CreatedAt,
            ])
            .from(EnrolmentEvents::Table)
            .and_where(Expr::col(EnrolmentEvents::EnrolmentId).eq(enrolment_id))
            .order_by(EnrolmentEvents::EffectiveOn, Order::Asc)
            .order_by(EnrolmentEvents::Id, Order::Asc),
    )
    .await
}

/// Enrols a learner (status "studying") and records the first event.
pub async fn enrol(
    tx: &mut Tx,
    learner_id: i64,
    school_year_id: i64,
    school_id: i64,
    class_id: Option<i64>,
    on: NaiveDate,
) -> StoreResult<i64> {
    let (id,): (i64,) = tx
        .conn()
        .fetch_one(
            Query::insert()
                .into_table(Enrolments::Table)
                .columns([
                    Enrolments::LearnerId,
                    Enrolments::SchoolYearId,
                    Enrolments::SchoolId,
                    Enrolments::ClassId,
                    Enrolments::Status,
                    Enrolments::UpdatedAt,
                ])
                .values_panic([
                    learner_id.into(),
                    school_year_id.into(),
                    school_id.into(),
                    class_id.into(),
                    EnrolmentStatus::Studying.code().into(),
                    Utc::now().into(),
                ])
                .returning_col(Enrolments::Id),
        )
        .await
        .map_err(|e| {
            e.unique_as_conflict(
                "school_year_id",
                "Học sinh đã có hồ sơ nhập học tại trường này trong năm học.",
            )
        })?;
    add_event(tx, id, EnrolmentStatus::Studying, on, Some("Nhập học")).await?;
    // The class size and the learner's grade changed: their checks follow at once.
    crate::quality::recheck_learners(tx, &[learner_id]).await?;
    Ok(id)
}

async fn add_event(
    tx: &mut Tx,
    enrolment_id: i64,
    status: EnrolmentStatus,
    on: NaiveDate,
    reason: Option<&str>,
) -> StoreResult<()> {
    tx.conn()
        .execute(
            Query::insert()
                .into_table(EnrolmentEvents::Table)
                .columns([
                    EnrolmentEvents::EnrolmentId,
                    EnrolmentEvents::Status,
                    EnrolmentEvents::EffectiveOn,
                    EnrolmentEvents::Reason,
                    EnrolmentEvents::CreatedAt,
                ])
                .values_panic([
                    enrolment_id.into(),
                    status.code().into(),
                    on.into(),
                    reason.map(str::to_string).into(),
                    Utc::now().into(),
                ]),
        )
        .await?;
    Ok(())
}

/// Changes the status (and optionally the class) of an enrolment in `scope`, keeping the history.
pub async fn change_status(
    tx: &mut Tx,
    scope: &Scope,
    id: i64,
    change: &StatusChange,
) -> StoreResult<Enrolment> {
    let current = get(&mut tx.conn(), scope, id).await?;
    if change
        .reason
        .as_deref()
        .is_some_and(|r| r.chars().count() > 300)
    {
        return Err(StoreError::invalid(
            "reason",
            "Lý do quá dài: tối đa 300 ký tự.",
        ));
    }
    let mut update = Query::update();
    update
        .table(Enrolments::Table)
        .value(Enrolments::Status, change.status.code())
        .value(Enrolments::UpdatedAt, Utc::now());
    if let Some(class_id) = change.class_id {
        let class = crate::classes::get(&mut tx.conn(), scope, class_id)
            .await
            .map_err(|_| StoreError::invalid("class_id", "Không tìm thấy lớp."))?;
        if class.org_unit_id != current.school_id || class.school_year_id != current.school_year_id
        {
            return Err(StoreError::invalid(
                "class_id",
                "Lớp phải thuộc cùng trường và năm học.",
            ));
        }
        update.value(Enrolments::ClassId, class_id);
    }
    tx.conn()
        .execute(update.and_where(Expr::col(Enrolments::Id).eq(id)))
        .await?;
    add_event(
        tx,
        id,
        change.status,
        change.effective_on,
        change.reason.as_deref(),
    )
    .await?;
    crate::quality::recheck_learners(tx, &[current.learner_id]).await?;
    get(&mut tx.conn(), &Scope::All, id).await
}
