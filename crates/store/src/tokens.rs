//! API tokens for integrations: named, expiring, revocable, acting as their account (with its
//! role and scope). Only the digest is stored; the token is shown once at creation.

use chrono::{DateTime, Duration, Utc};
use sea_query::{Expr, ExprTrait, Order, Query};
use serde::Serialize;

use crate::schema::ApiTokens;
use crate::secret::{digest, new_secret};
use crate::{Conn, StoreError, StoreResult};

#[derive(Debug, Clone, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct ApiToken {
    pub id: i64,
    pub user_id: i64,
    pub name: String,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub revoked_at: Option<DateTime<Utc>>,
    pub last_used_at: Option<DateTime<Utc>>,
}

const COLUMNS: [ApiTokens; 7] = [
    ApiTokens::Id,
    ApiTokens::UserId,
    ApiTokens::Name,
    ApiTokens::CreatedAt,
    ApiTokens::ExpiresAt,
    ApiTokens::RevokedAt,
    ApiTokens::LastUsedAt,
];

/// The longest a token may live; integrations renew them.
pub const MAX_DAYS: i64 = 366;

/// Creates a token for an account; returns the token text (shown once) and its record.
pub async fn create(
    conn: &mut Conn<'_>,
    user_id: i64,
    name: &str,
    days: i64,
) -> StoreResult<(String, ApiToken)> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 100 {
        return Err(StoreError::invalid(
            "name",
            "Tên mã truy cập phải có từ 1 đến 100 ký tự.",
        ));
    }
    if !(1..=MAX_DAYS).contains(&days) {
        return Err(StoreError::invalid(
            "days",
            format!("Thời hạn phải từ 1 đến {MAX_DAYS} ngày."),
        ));
    }
    let secret = new_secret("ts_");
    let now = Utc::now();
    let id: (i64,) = conn
        .fetch_one(
            Query::insert()
                .into_table(ApiTokens::Table)
                .columns([
                    ApiTokens::UserId,
                    ApiTokens::Name,
                    ApiTokens::TokenHash,
                    ApiTokens::CreatedAt,
                    ApiTokens::ExpiresAt,
                ])
                .values_panic([
                    user_id.into(),
                    name.into(),
                    digest(&secret).into(),
                    now.into(),
                    (now + Duration::days(days)).into(),
                ])
                .returning_col(ApiTokens::Id),
        )
        .await?;
    let token = get(conn, user_id, id.0).await?;
    Ok((secret, token))
}

async fn get(conn: &mut Conn<'_>, user_id: i64, id: i64) -> StoreResult<ApiToken> {
    conn.fetch_optional(
        Query::select()
            .columns(COLUMNS)
            .from(ApiTokens::Table)
            .and_where(Expr::col(ApiTokens::Id).eq(id))
            .and_where(Expr::col(ApiTokens::UserId).eq(user_id)),
    )
    .await?
    .ok_or(StoreError::not_found("mã truy cập"))
}

/// The live (unexpired, unrevoked) token with this text, noting its use.
pub async fn authenticate(conn: &mut Conn<'_>, secret: &str) -> StoreResult<Option<ApiToken>> {
    let now = Utc::now();
    let token: Option<ApiToken> = conn
        .fetch_optional(
            Query::select()
                .columns(COLUMNS)
                .from(ApiTokens::Table)
                .and_where(Expr::col(ApiTokens::TokenHash).eq(digest(secret)))
                .and_where(Expr::col(ApiTokens::RevokedAt).is_null())
                .and_where(Expr::col(ApiTokens::ExpiresAt).gt(now)),
        )
        .await?;
    if let Some(t) = &token {
        // Minute resolution is enough to see whether an integration is alive; fewer writes.
        if t.last_used_at
            .is_none_or(|u| now - u > Duration::minutes(1))
        {
            conn.execute(
                Query::update()
                    .table(ApiTokens::Table)
                    .value(ApiTokens::LastUsedAt, now)
                    .and_where(Expr::col(ApiTokens::Id).eq(t.id)),
            )
            .await?;
        }
    }
    Ok(token)
}

pub async fn list(conn: &mut Conn<'_>, user_id: i64) -> StoreResult<Vec<ApiToken>> {
    conn.fetch_all(
        Query::select()
            .columns(COLUMNS)
            .from(ApiTokens::Table)
            .and_where(Expr::col(ApiTokens::UserId).eq(user_id))
            .order_by(ApiTokens::Id, Order::Desc),
    )
    .await
}

/// Revokes one of the account's own tokens.
pub async fn revoke(conn: &mut Conn<'_>, user_id: i64, id: i64) -> StoreResult<ApiToken> {
    let n = conn
        .execute(
            Query::update()
                .table(ApiTokens::Table)
                .value(ApiTokens::RevokedAt, Utc::now())
                .and_where(Expr::col(ApiTokens::Id).eq(id))
                .and_where(Expr::col(ApiTokens::UserId).eq(user_id))
                .and_where(Expr::col(ApiTokens::RevokedAt).is_null()),
        )
        .await?;
    let token = get(conn, user_id, id).await?;
    if n == 0 && token.revoked_at.is_none() {
        return Err(StoreError::not_found("mã truy cập"));
    }
    Ok(token)
}

/// Revokes every live token of an account (after a password reset: whoever held the password
/// may have made tokens). Returns how many were revoked.
pub async fn revoke_all(conn: &mut Conn<'_>, user_id: i64) -> StoreResult<u64> {
    conn.execute(
        Query::update()
            .table(ApiTokens::Table)
            .value(ApiTokens::RevokedAt, Utc::now())
            .and_where(Expr::col(ApiTokens::UserId).eq(user_id))
            .and_where(Expr::col(ApiTokens::RevokedAt).is_null()),
    )
    .await
}
