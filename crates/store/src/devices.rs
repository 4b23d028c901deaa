//! Remembered devices: browsers where an account has signed in with its password before. The
//! browser keeps a random secret in a long-lived cookie; the database keeps its digest per
//! account. An account locked after wrong passwords stays open to its remembered devices, so
//! that a stranger who knows a username cannot keep its owner out (see the README's security
//! section); a remembered device that itself guesses wrong too often is forgotten.

use chrono::{Duration, Utc};
use sea_query::{Expr, ExprTrait, OnConflict, Query};

use crate::schema::KnownDevices;
use crate::secret::digest;
use crate::{Conn, StoreResult};

/// How long a device stays remembered without a sign-in.
pub const REMEMBERED_FOR: Duration = Duration::days(180);
/// Wrong passwords in a row from one remembered device before it is forgotten.
pub const MAX_FAILED_LOGINS: i32 = 5;

/// Whether the browser holding `secret` is a remembered device of the account.
pub async fn is_known(conn: &mut Conn<'_>, secret: &str, user_id: i64) -> StoreResult<bool> {
    let row: Option<(i32,)> = conn
        .fetch_optional(
            Query::select()
                .column(KnownDevices::FailedLogins)
                .from(KnownDevices::Table)
                .and_where(Expr::col(KnownDevices::Id).eq(digest(secret)))
                .and_where(Expr::col(KnownDevices::UserId).eq(user_id))
                .and_where(Expr::col(KnownDevices::LastUsedAt).gt(Utc::now() - REMEMBERED_FOR)),
        )
        .await?;
    Ok(row.is_some())
}

/// Remembers (or refreshes) the device after a sign-in with the right password.
pub async fn remember(conn: &mut Conn<'_>, secret: &str, user_id: i64) -> StoreResult<()> {
    let now = Utc::now();
    conn.execute(
        Query::insert()
            .into_table(KnownDevices::Table)
            .columns([
                KnownDevices::Id,
                KnownDevices::UserId,
                KnownDevices::CreatedAt,
                KnownDevices::LastUsedAt,
                KnownDevices::FailedLogins,
            ])
            .values_panic([
                digest(secret).into(),
                user_id.into(),
                now.into(),
                now.into(),
                0.into(),
            ])
            .on_conflict(
                OnConflict::columns([KnownDevices::Id, KnownDevices::UserId])
                    .update_columns([KnownDevices::LastUsedAt, KnownDevices::FailedLogins])
                    .to_owned(),
            ),
    )
    .await?;
    Ok(())
}

/// Counts a wrong password from a remembered device; at [`MAX_FAILED_LOGINS`] the device is
/// forgotten (and then meets the account's lockout like any other browser).
pub async fn failed(conn: &mut Conn<'_>, secret: &str, user_id: i64) -> StoreResult<()> {
    let id = digest(secret);
    let failed: Option<(i32,)> = conn
        .fetch_optional(
            Query::update()
                .table(KnownDevices::Table)
                .value(
                    KnownDevices::FailedLogins,
                    Expr::col(KnownDevices::FailedLogins).add(1),
                )
                .and_where(Expr::col(KnownDevices::Id).eq(id.clone()))
                .and_where(Expr::col(KnownDevices::UserId).eq(user_id))
                .returning_col(KnownDevices::FailedLogins),
        )
        .await?;
    if failed.is_some_and(|(n,)| n >= MAX_FAILED_LOGINS) {
        forget(conn, Some(&id), user_id).await?;
    }
    Ok(())
}

/// Forgets one device of an account (by digest), or all of them (a password reset).
pub async fn forget(
    conn: &mut Conn<'_>,
    id_digest: Option<&str>,
    user_id: i64,
) -> StoreResult<u64> {
    let mut q = Query::delete();
    q.from_table(KnownDevices::Table)
        .and_where(Expr::col(KnownDevices::UserId).eq(user_id));
    if let Some(id) = id_digest {
        q.and_where(Expr::col(KnownDevices::Id).eq(id));
    }
    conn.execute(&q).await
}
