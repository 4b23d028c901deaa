//! School years and their terms.

use chrono::NaiveDate;
use sea_query::{Expr, ExprTrait, Order, Query};
use serde::Serialize;
use truongso_domain::school_year::{default_terms, school_year_code};

use crate::schema::{SchoolYears, Terms};
use crate::{Conn, StoreError, StoreResult, Tx};

#[derive(Debug, Clone, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct SchoolYear {
    pub id: i64,
    pub code: String,
    pub start_year: i32,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    pub is_current: bool,
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct Term {
    pub id: i64,
    pub school_year_id: i64,
    pub code: String,
    pub name: String,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
}

const COLUMNS: [SchoolYears; 6] = [
    SchoolYears::Id,
    SchoolYears::Code,
    SchoolYears::StartYear,
    SchoolYears::StartsOn,
    SchoolYears::EndsOn,
    SchoolYears::IsCurrent,
];

/// Returns the school year starting in `start_year`, creating it with its two default terms if
/// missing. `current` makes it the current year (and no other).
pub async fn ensure(tx: &mut Tx, start_year: i32, current: bool) -> StoreResult<SchoolYear> {
    if !(1990..=2200).contains(&start_year) {
        return Err(StoreError::invalid("start_year", "Năm học không hợp lý."));
    }
    let code = school_year_code(start_year);
    let existing: Option<SchoolYear> = tx
        .conn()
        .fetch_optional(
            Query::select()
                .columns(COLUMNS)
                .from(SchoolYears::Table)
                .and_where(Expr::col(SchoolYears::Code).eq(code.clone())),
        )
        .await?;
    let year = match existing {
        Some(y) => y,
        None => {
            let terms = default_terms(start_year);
            let (id,): (i64,) = tx
                .conn()
                .fetch_one(
                    Query::insert()
                        .into_table(SchoolYears::Table)
                        .columns([
                            SchoolYears::Code,
                            SchoolYears::StartYear,
                            SchoolYears::StartsOn,
                            SchoolYears::EndsOn,
                            SchoolYears::IsCurrent,
                        ])
                        .values_panic([
                            code.clone().into(),
                            start_year.into(),
                            terms[0].2.into(),
                            terms[1].3.into(),
                            false.into(),
                        ])
                        .returning_col(SchoolYears::Id),
                )
                .await?;
            for (tcode, name, from, to) in terms {
                tx.conn()
                    .execute(
                        Query::insert()
                            .into_table(Terms::Table)
                            .columns([
                                Terms::SchoolYearId,
                                Terms::Code,
                                Terms::Name,
                                Terms::StartsOn,
                                Terms::EndsOn,
                            ])
                            .values_panic([
                                id.into(),
                                tcode.into(),
                                name.into(),
                                from.into(),
                                to.into(),
                            ]),
                    )
                    .await?;
            }
            get(&mut tx.conn(), id).await?
        }
    };
    if current && !year.is_current {
        tx.conn()
            .execute(
                Query::update()
                    .table(SchoolYears::Table)
                    .value(SchoolYears::IsCurrent, false),
            )
            .await?;
        tx.conn()
            .execute(
                Query::update()
                    .table(SchoolYears::Table)
                    .value(SchoolYears::IsCurrent, true)
                    .and_where(Expr::col(SchoolYears::Id).eq(year.id)),
            )
            .await?;
        return get(&mut tx.conn(), year.id).await;
    }
    Ok(year)
}

pub async fn get(conn: &mut Conn<'_>, id: i64) -> StoreResult<SchoolYear> {
    conn.fetch_optional(
        Query::select()
            .columns(COLUMNS)
            .from(SchoolYears::Table)
            .and_where(Expr::col(SchoolYears::Id).eq(id)),
    )
    .await?
    .ok_or(StoreError::not_found("năm học"))
}

/// The current school year, if one is set.
pub async fn current(conn: &mut Conn<'_>) -> StoreResult<Option<SchoolYear>> {
    conn.fetch_optional(
        Query::select()
            .columns(COLUMNS)
            .from(SchoolYears::Table)
            .and_where(Expr::col(SchoolYears::IsCurrent).eq(true)),
    )
    .await
}

pub async fn list(conn: &mut Conn<'_>) -> StoreResult<Vec<SchoolYear>> {
    conn.fetch_all(
        Query::select()
            .columns(COLUMNS)
            .from(SchoolYears::Table)
            .order_by(SchoolYears::StartYear, Order::Desc),
    )
    .await
}

pub async fn terms(conn: &mut Conn<'_>, school_year_id: i64) -> StoreResult<Vec<Term>> {
    conn.fetch_all(
        Query::select()
            .columns([
                Terms::Id,
                Terms::SchoolYearId,
                Terms::Code,
                Terms::Name,
                Terms::StartsOn,
                Terms::EndsOn,
            ])
            .from(Terms::Table)
            .and_where(Expr::col(Terms::SchoolYearId).eq(school_year_id))
            .order_by(Terms::StartsOn, Order::Asc),
    )
    .await
}
