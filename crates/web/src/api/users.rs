//! Accounts within the administrator's scope, and password resets.

use axum::Json;
use axum::extract::{Path, State};
use serde::Serialize;
use truongso_store::audit::AuditAction;
use truongso_store::users::{self, User};
use truongso_store::{Page, PageRequest, StoreError, sessions};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::ListQuery;
use crate::AppState;
use crate::actor::Actor;
use crate::error::{ApiError, ApiResult, Problem};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list))
        .routes(routes!(reset_password))
}

#[derive(Debug, Default, serde::Deserialize, utoipa::IntoParams)]
pub struct NoFilter {}

/// Accounts whose unit lies in the caller's scope.
#[utoipa::path(get, path = "/users", tag = "account", params(PageRequest),
    responses((status = 200, body = Page<User>), (status = 403, body = Problem)))]
async fn list(
    State(s): State<AppState>,
    actor: Actor,
    ListQuery(_no_filter, page): ListQuery<NoFilter>,
) -> ApiResult<Json<Page<User>>> {
    Ok(Json(
        users::list_in_scope(&mut s.store.conn(), &actor.scope, &page).await?,
    ))
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct PasswordReset {
    pub username: String,
    /// A one-time password to hand to the user, who should change it at once.
    pub temporary_password: String,
}

/// Reset the password of an account in the caller's scope (not their own: use the account
/// page). Ends the account's sessions and lifts a lockout.
#[utoipa::path(post, path = "/users/{id}/reset-password", tag = "account", params(("id" = i64, Path)),
    responses((status = 200, body = PasswordReset), (status = 404, body = Problem)))]
async fn reset_password(
    State(s): State<AppState>,
    actor: Actor,
    Path(id): Path<i64>,
) -> ApiResult<Json<PasswordReset>> {
    Ok(Json(reset(&s, &actor, id).await?))
}

/// Shared with the users page.
pub async fn reset(s: &AppState, actor: &Actor, id: i64) -> ApiResult<PasswordReset> {
    let mut tx = s.store.begin().await?;
    let target = users::get(&mut tx.conn(), id).await?;
    let own = actor.user.as_ref().is_some_and(|u| u.id == id);
    if own || !actor.scope.contains_path(&target.scope_path) {
        actor
            .audit(
                &mut tx.conn(),
                AuditAction::Denied,
                "user",
                Some(id),
                Some(target.scope_org_id),
            )
            .await?;
        tx.commit().await?;
        return Err(ApiError::Store(StoreError::not_found("tài khoản")));
    }
    let temporary_password = temporary_password();
    users::set_password(&mut tx.conn(), &target, &temporary_password).await?;
    sessions::delete_for_user(&mut tx.conn(), id, None).await?;
    actor
        .audit(
            &mut tx.conn(),
            AuditAction::Update,
            "user",
            Some(id),
            Some(target.scope_org_id),
        )
        .await?;
    tx.commit().await?;
    Ok(PasswordReset {
        username: target.username,
        temporary_password,
    })
}

/// 12 characters from an alphabet without look-alikes (0/O, 1/l/I), easy to read out.
fn temporary_password() -> String {
    const ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyz23456789";
    let secret = truongso_store::secret::new_secret("");
    secret
        .as_bytes()
        .chunks(2)
        .take(12)
        .map(|pair| {
            let byte =
                u8::from_str_radix(std::str::from_utf8(pair).unwrap_or("00"), 16).unwrap_or(0);
            ALPHABET[usize::from(byte) % ALPHABET.len()] as char
        })
        .collect()
}
