//! User accounts: who may sign in, with which role, over which part of the organisation tree.
//! Passwords are stored as argon2id hashes only.

use argon2::password_hash::{PasswordHasher, SaltString};
use argon2::{Argon2, PasswordHash, PasswordVerifier};
use chrono::{DateTime, Utc};
use password_hash::rand_core::OsRng;
use sea_query::{Expr, ExprTrait, Order, Query};
use serde::Serialize;

use crate::schema::{OrgUnits, UserLearners, Users};
use crate::{Conn, Scope, StoreError, StoreResult, Tx};

#[derive(Debug, Clone, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct User {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    pub role: String,
    pub scope_org_id: i64,
    pub scope_org_name: String,
    pub scope_path: String,
    pub staff_id: Option<i64>,
    pub created_at: DateTime<Utc>,
    /// Set by a reset (and on new accounts): the one-time password must be replaced at the next
    /// sign-in before anything else can be done.
    pub must_change_password: bool,
}

impl User {
    pub fn scope(&self) -> Scope {
        Scope::Subtree {
            root_id: self.scope_org_id,
            path: self.scope_path.clone(),
        }
    }
}

/// A new account; `learner_ids` links a guardian or learner account to its learners.
pub struct NewUser<'a> {
    pub username: &'a str,
    pub password: &'a str,
    pub display_name: &'a str,
    pub role: &'a str,
    pub scope_org_id: i64,
    pub staff_id: Option<i64>,
    pub learner_ids: &'a [i64],
    /// A one-time password handed over by an administrator: to be replaced at first sign-in.
    pub must_change_password: bool,
}

pub fn hash_password(password: &str) -> String {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .expect("argon2 with default parameters")
        .to_string()
}

pub fn verify_password(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash).is_ok_and(|h| {
        Argon2::default()
            .verify_password(password.as_bytes(), &h)
            .is_ok()
    })
}

/// The password rules: long enough to resist guessing, not the username.
pub fn check_password(username: &str, password: &str) -> StoreResult<()> {
    if password.chars().count() < 8 {
        return Err(StoreError::invalid(
            "password",
            "Mật khẩu phải có ít nhất 8 ký tự.",
        ));
    }
    if password.chars().count() > 200 {
        return Err(StoreError::invalid(
            "password",
            "Mật khẩu tối đa 200 ký tự.",
        ));
    }
    if password.eq_ignore_ascii_case(username) {
        return Err(StoreError::invalid(
            "password",
            "Mật khẩu không được trùng tên đăng nhập.",
        ));
    }
    Ok(())
}

pub async fn create(tx: &mut Tx, user: &NewUser<'_>) -> StoreResult<i64> {
    check_password(user.username, user.password)?;
    let (id,): (i64,) = tx
        .conn()
        .fetch_one(
            Query::insert()
                .into_table(Users::Table)
                .columns([
                    Users::Username,
                    Users::PasswordHash,
                    Users::DisplayName,
                    Users::Role,
                    Users::ScopeOrgId,
                    Users::StaffId,
                    Users::CreatedAt,
                    Users::MustChangePassword,
                ])
                .values_panic([
                    user.username.into(),
                    hash_password(user.password).into(),
                    user.display_name.into(),
                    user.role.into(),
                    user.scope_org_id.into(),
                    user.staff_id.into(),
                    Utc::now().into(),
                    user.must_change_password.into(),
                ])
                .returning_col(Users::Id),
        )
        .await
        .map_err(|e| e.unique_as_conflict("username", "Tên đăng nhập đã tồn tại."))?;
    for learner in user.learner_ids {
        tx.conn()
            .execute(
                Query::insert()
                    .into_table(UserLearners::Table)
                    .columns([UserLearners::UserId, UserLearners::LearnerId])
                    .values_panic([id.into(), (*learner).into()]),
            )
            .await?;
    }
    Ok(id)
}

/// What sign-in checks: the password hash, the second factor and the lockout state.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Credentials {
    #[sqlx(flatten)]
    pub user: User,
    pub password_hash: String,
    pub totp_secret: Option<String>,
    pub failed_logins: i32,
    pub locked_until: Option<DateTime<Utc>>,
}

/// Failed sign-ins in a row before the account is locked for [`LOCKOUT`].
pub const MAX_FAILED_LOGINS: i32 = 5;
pub const LOCKOUT: chrono::Duration = chrono::Duration::minutes(15);

pub async fn credentials(conn: &mut Conn<'_>, username: &str) -> StoreResult<Option<Credentials>> {
    let mut q = select();
    q.columns([
        (Users::Table, Users::PasswordHash),
        (Users::Table, Users::TotpSecret),
        (Users::Table, Users::FailedLogins),
        (Users::Table, Users::LockedUntil),
    ])
    .and_where(Expr::col((Users::Table, Users::Username)).eq(username));
    conn.fetch_optional(&q).await
}

pub async fn get(conn: &mut Conn<'_>, id: i64) -> StoreResult<User> {
    let q = select()
        .and_where(Expr::col((Users::Table, Users::Id)).eq(id))
        .to_owned();
    conn.fetch_optional(&q)
        .await?
        .ok_or(StoreError::not_found("tài khoản"))
}

/// Counts a failed sign-in; at [`MAX_FAILED_LOGINS`] locks the account and returns until when.
pub async fn login_failed(conn: &mut Conn<'_>, user_id: i64) -> StoreResult<Option<DateTime<Utc>>> {
    let (failed,): (i32,) = conn
        .fetch_one(
            Query::update()
                .table(Users::Table)
                .value(Users::FailedLogins, Expr::col(Users::FailedLogins).add(1))
                .and_where(Expr::col(Users::Id).eq(user_id))
                .returning_col(Users::FailedLogins),
        )
        .await?;
    if failed < MAX_FAILED_LOGINS {
        return Ok(None);
    }
    let until = Utc::now() + LOCKOUT;
    conn.execute(
        Query::update()
            .table(Users::Table)
            .value(Users::FailedLogins, 0)
            .value(Users::LockedUntil, until)
            .and_where(Expr::col(Users::Id).eq(user_id)),
    )
    .await?;
    Ok(Some(until))
}

pub async fn login_succeeded(conn: &mut Conn<'_>, user_id: i64) -> StoreResult<()> {
    conn.execute(
        Query::update()
            .table(Users::Table)
            .value(Users::FailedLogins, 0)
            .value(Users::LockedUntil, Option::<DateTime<Utc>>::None)
            .and_where(Expr::col(Users::Id).eq(user_id)),
    )
    .await?;
    Ok(())
}

/// Sets a new password (rules checked); also lifts a lockout. `one_time`: set by an
/// administrator, so the owner must choose their own at the next sign-in.
pub async fn set_password(
    conn: &mut Conn<'_>,
    user: &User,
    password: &str,
    one_time: bool,
) -> StoreResult<()> {
    check_password(&user.username, password)?;
    conn.execute(
        Query::update()
            .table(Users::Table)
            .value(Users::PasswordHash, hash_password(password))
            .value(Users::PasswordChangedAt, Utc::now())
            .value(Users::MustChangePassword, one_time)
            .value(Users::FailedLogins, 0)
            .value(Users::LockedUntil, Option::<DateTime<Utc>>::None)
            .and_where(Expr::col(Users::Id).eq(user.id)),
    )
    .await?;
    Ok(())
}

/// Enrols (Some) or removes (None) the account's TOTP secret (base32).
pub async fn set_totp_secret(
    conn: &mut Conn<'_>,
    user_id: i64,
    secret: Option<&str>,
) -> StoreResult<()> {
    conn.execute(
        Query::update()
            .table(Users::Table)
            .value(Users::TotpSecret, secret.map(str::to_string))
            .and_where(Expr::col(Users::Id).eq(user_id)),
    )
    .await?;
    Ok(())
}

/// Accepts a one-time code's time step once: true when `step` is later than the last step used
/// (so a code seen over someone's shoulder cannot be replayed). Atomic in one UPDATE.
pub async fn use_totp_step(conn: &mut Conn<'_>, user_id: i64, step: u64) -> StoreResult<bool> {
    let step = i64::try_from(step).unwrap_or(i64::MAX);
    let n = conn
        .execute(
            Query::update()
                .table(Users::Table)
                .value(Users::TotpLastStep, step)
                .and_where(Expr::col(Users::Id).eq(user_id))
                .cond_where(
                    sea_query::Condition::any()
                        .add(Expr::col(Users::TotpLastStep).is_null())
                        .add(Expr::col(Users::TotpLastStep).lt(step)),
                ),
        )
        .await?;
    Ok(n == 1)
}

/// The learners linked to a guardian or learner account.
pub async fn learner_ids(conn: &mut Conn<'_>, user_id: i64) -> StoreResult<Vec<i64>> {
    let rows: Vec<(i64,)> = conn
        .fetch_all(
            Query::select()
                .column(UserLearners::LearnerId)
                .from(UserLearners::Table)
                .and_where(Expr::col(UserLearners::UserId).eq(user_id))
                .order_by(UserLearners::LearnerId, Order::Asc),
        )
        .await?;
    Ok(rows.into_iter().map(|r| r.0).collect())
}

/// The accounts whose unit lies in `scope`, by username (for administrators).
pub async fn list_in_scope(
    conn: &mut Conn<'_>,
    scope: &Scope,
    page: &crate::PageRequest,
) -> StoreResult<crate::Page<User>> {
    let mut q = select();
    if let Some(c) = scope.unit_condition() {
        q.and_where(c);
    }
    let total = crate::orgs::count(conn, &q).await?;
    let items = conn
        .fetch_all(
            &q.order_by((Users::Table, Users::Username), Order::Asc)
                .limit(page.per_page())
                .offset(page.offset())
                .to_owned(),
        )
        .await?;
    Ok(crate::Page {
        items,
        total,
        page: page.page(),
        per_page: page.per_page(),
    })
}

fn select() -> sea_query::SelectStatement {
    Query::select()
        .columns([
            (Users::Table, Users::Id),
            (Users::Table, Users::Username),
            (Users::Table, Users::DisplayName),
            (Users::Table, Users::Role),
            (Users::Table, Users::ScopeOrgId),
            (Users::Table, Users::StaffId),
            (Users::Table, Users::CreatedAt),
            (Users::Table, Users::MustChangePassword),
        ])
        .expr_as(
            Expr::col((OrgUnits::Table, OrgUnits::Name)),
            "scope_org_name",
        )
        .expr_as(Expr::col((OrgUnits::Table, OrgUnits::Path)), "scope_path")
        .from(Users::Table)
        .inner_join(
            OrgUnits::Table,
            Expr::col((OrgUnits::Table, OrgUnits::Id)).equals((Users::Table, Users::ScopeOrgId)),
        )
        .to_owned()
}

pub async fn list(conn: &mut Conn<'_>) -> StoreResult<Vec<User>> {
    conn.fetch_all(
        &select()
            .order_by((Users::Table, Users::Id), Order::Asc)
            .to_owned(),
    )
    .await
}
