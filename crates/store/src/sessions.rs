//! Server-side sessions. The browser holds a random secret; the database holds only its digest,
//! the account, the CSRF token of the session and whether the second factor was given.

use chrono::{DateTime, Duration, Utc};
use sea_query::{Expr, ExprTrait, Query};

use crate::schema::Sessions;
use crate::secret::{digest, new_secret};
use crate::{Conn, StoreResult};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Session {
    /// The digest of the cookie secret.
    pub id: String,
    pub user_id: i64,
    pub csrf_token: String,
    pub second_factor_done: bool,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
}

/// How long a session lasts after sign-in (a working day), whatever the activity.
pub const SESSION_LIFETIME: Duration = Duration::hours(10);

/// Opens a session and returns the cookie secret (shown once, never stored) with the session.
pub async fn create(
    conn: &mut Conn<'_>,
    user_id: i64,
    second_factor_done: bool,
    client: Option<&str>,
) -> StoreResult<(String, Session)> {
    let secret = new_secret("s_");
    let now = Utc::now();
    // Expired sessions are cleared as new ones open (no background job needed).
    conn.execute(
        Query::delete()
            .from_table(Sessions::Table)
            .and_where(Expr::col(Sessions::ExpiresAt).lt(now)),
    )
    .await?;
    let session = Session {
        id: digest(&secret),
        user_id,
        csrf_token: new_secret(""),
        second_factor_done,
        created_at: now,
        expires_at: now + SESSION_LIFETIME,
    };
    conn.execute(
        Query::insert()
            .into_table(Sessions::Table)
            .columns([
                Sessions::Id,
                Sessions::UserId,
                Sessions::CsrfToken,
                Sessions::SecondFactorDone,
                Sessions::CreatedAt,
                Sessions::ExpiresAt,
                Sessions::LastSeenAt,
                Sessions::Client,
            ])
            .values_panic([
                session.id.clone().into(),
                user_id.into(),
                session.csrf_token.clone().into(),
                second_factor_done.into(),
                now.into(),
                session.expires_at.into(),
                now.into(),
                client.map(str::to_string).into(),
            ]),
    )
    .await?;
    Ok((secret, session))
}

/// The live session for a cookie secret, if any.
pub async fn find(conn: &mut Conn<'_>, secret: &str) -> StoreResult<Option<Session>> {
    conn.fetch_optional(
        Query::select()
            .columns([
                Sessions::Id,
                Sessions::UserId,
                Sessions::CsrfToken,
                Sessions::SecondFactorDone,
                Sessions::CreatedAt,
                Sessions::ExpiresAt,
            ])
            .from(Sessions::Table)
            .and_where(Expr::col(Sessions::Id).eq(digest(secret)))
            .and_where(Expr::col(Sessions::ExpiresAt).gt(Utc::now())),
    )
    .await
}

/// Records that the second factor was given in this session.
pub async fn complete_second_factor(conn: &mut Conn<'_>, session_id: &str) -> StoreResult<()> {
    conn.execute(
        Query::update()
            .table(Sessions::Table)
            .value(Sessions::SecondFactorDone, true)
            .and_where(Expr::col(Sessions::Id).eq(session_id)),
    )
    .await?;
    Ok(())
}

/// Ends one session (sign-out).
pub async fn delete(conn: &mut Conn<'_>, session_id: &str) -> StoreResult<()> {
    conn.execute(
        Query::delete()
            .from_table(Sessions::Table)
            .and_where(Expr::col(Sessions::Id).eq(session_id)),
    )
    .await?;
    Ok(())
}

/// Ends every session of an account (after a password change or reset), except `keep`.
pub async fn delete_for_user(
    conn: &mut Conn<'_>,
    user_id: i64,
    keep: Option<&str>,
) -> StoreResult<u64> {
    let mut q = Query::delete();
    q.from_table(Sessions::Table)
        .and_where(Expr::col(Sessions::UserId).eq(user_id));
    if let Some(k) = keep {
        q.and_where(Expr::col(Sessions::Id).ne(k));
    }
    conn.execute(&q).await
}
