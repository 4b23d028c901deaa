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

pub async fn create(tx: &mut Tx, user: &NewUser<'_>) -> StoreResult<i64> {
    if user.password.chars().count() < 8 {
        return Err(StoreError::invalid(
            "password",
            "Mật khẩu phải có ít nhất 8 ký tự.",
        ));
    }
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
                ])
                .values_panic([
                    user.username.into(),
                    hash_password(user.password).into(),
                    user.display_name.into(),
                    user.role.into(),
                    user.scope_org_id.into(),
                    user.staff_id.into(),
                    Utc::now().into(),
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

pub async fn by_username(
    conn: &mut Conn<'_>,
    username: &str,
) -> StoreResult<Option<(User, String)>> {
    #[derive(sqlx::FromRow)]
    struct Row {
        #[sqlx(flatten)]
        user: User,
        password_hash: String,
    }
    let mut q = select();
    q.column((Users::Table, Users::PasswordHash))
        .and_where(Expr::col((Users::Table, Users::Username)).eq(username));
    Ok(conn
        .fetch_optional::<Row>(&q)
        .await?
        .map(|r| (r.user, r.password_hash)))
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
