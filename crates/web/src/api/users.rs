//! Accounts within the administrator's scope: listing, creating (roles of the administrator's
//! rank or below, on units of their scope) and password resets.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use truongso_domain::access::{Policy, Role, may_grant, may_reset};
use truongso_domain::validation::Checker;
use truongso_store::audit::AuditAction;
use truongso_store::users::{self, User};
use truongso_store::{Page, PageRequest, StoreError, devices, sessions, tokens};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::{ApiJson, ListQuery};
use crate::AppState;
use crate::actor::Actor;
use crate::error::{ApiError, ApiResult, Problem};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list, create))
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

/// A new account.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewAccount {
    /// 3–50 characters: lowercase letters, digits, '.', '_' or '-'.
    #[schema(pattern = "^[a-z0-9._-]{3,50}$")]
    pub username: String,
    #[schema(min_length = 1, max_length = 100)]
    pub display_name: String,
    pub role: Role,
    /// The unit the account belongs to: of the kind the role needs, inside the caller's scope.
    pub scope_org_id: i64,
    /// Teachers and homeroom teachers: their staff record (of that school).
    pub staff_id: Option<i64>,
    /// Guardians and learners: the learners linked (of that school).
    #[serde(default)]
    pub learner_ids: Vec<i64>,
}

/// Create an account; its one-time password is returned once, to hand over in person.
#[utoipa::path(post, path = "/users", tag = "account", request_body = NewAccount,
    responses((status = 201, body = PasswordReset), (status = 403, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn create(
    State(s): State<AppState>,
    actor: Actor,
    ApiJson(input): ApiJson<NewAccount>,
) -> ApiResult<(StatusCode, Json<PasswordReset>)> {
    Ok((
        StatusCode::CREATED,
        Json(create_account(&s, &actor, &input).await?),
    ))
}

/// Shared with the users page.
pub async fn create_account(
    s: &AppState,
    actor: &Actor,
    input: &NewAccount,
) -> ApiResult<PasswordReset> {
    let granter = actor.role.ok_or(ApiError::Unauthorized)?;
    if !may_grant(Policy::builtin(), granter, input.role) {
        let mut conn = s.store.conn();
        actor
            .audit(&mut conn, AuditAction::Denied, "user", None, None)
            .await?;
        return Err(ApiError::Forbidden(format!(
            "Không được tạo tài khoản vai trò {}: vai trò này có quyền mà tài khoản của bạn không có.",
            input.role.label_vi()
        )));
    }
    create_in_scope(&s.store, &actor.scope, &actor.audit_actor(), input).await
}

/// Creates an account within `scope` (the unit, staff record and learners must lie in it),
/// audited as `by`, with a one-time password to be replaced at the first sign-in. The rights
/// rule ([`may_grant`]) is the caller's to check: the web checks it for the signed-in
/// administrator; the operator's command line (`truongso account create`) is not bound by it.
pub async fn create_in_scope(
    store: &truongso_store::Store,
    scope: &truongso_store::Scope,
    by: &truongso_store::audit::AuditActor,
    input: &NewAccount,
) -> ApiResult<PasswordReset> {
    let mut c = Checker::new();
    let username = input.username.trim();
    let valid_name = (3..=50).contains(&username.len())
        && username
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"._-".contains(&b));
    if !valid_name {
        c.push(
            "username",
            "Tên đăng nhập gồm 3–50 ký tự: chữ thường không dấu, số, dấu chấm, gạch dưới, gạch ngang.",
        );
    }
    c.required_text("display_name", &input.display_name, 100);
    c.finish().map_err(StoreError::Invalid)?;

    let mut tx = store.begin().await?;
    let unit = truongso_store::orgs::get(&mut tx.conn(), scope, input.scope_org_id)
        .await
        .map_err(|_| {
            StoreError::invalid(
                "scope_org_id",
                "Không tìm thấy đơn vị trong phạm vi quản lý.",
            )
        })?;
    if unit.kind != input.role.unit_kind() {
        return Err(StoreError::invalid(
            "scope_org_id",
            format!(
                "Vai trò {} thuộc về đơn vị loại {}.",
                input.role.label_vi(),
                input.role.unit_kind().label_vi()
            ),
        )
        .into());
    }
    let staff_id = if input.role.needs_staff() {
        let id = input.staff_id.ok_or_else(|| {
            StoreError::invalid("staff_id", "Tài khoản giáo viên cần hồ sơ cán bộ.")
        })?;
        let member = truongso_store::staff::get(&mut tx.conn(), scope, id)
            .await
            .map_err(|_| StoreError::invalid("staff_id", "Không tìm thấy cán bộ."))?;
        if member.org_unit_id != unit.id {
            return Err(
                StoreError::invalid("staff_id", "Cán bộ không thuộc đơn vị đã chọn.").into(),
            );
        }
        Some(id)
    } else {
        None
    };
    if input.role.needs_learners() && input.learner_ids.is_empty() {
        return Err(StoreError::invalid("learner_ids", "Cần chọn học sinh liên kết.").into());
    }
    for id in &input.learner_ids {
        let learner = truongso_store::learners::get(&mut tx.conn(), scope, *id)
            .await
            .map_err(|_| {
                StoreError::invalid("learner_ids", format!("Không tìm thấy học sinh {id}."))
            })?;
        if learner.school_id != unit.id {
            return Err(
                StoreError::invalid("learner_ids", "Học sinh không thuộc trường đã chọn.").into(),
            );
        }
    }
    let temporary_password = temporary_password();
    let id = users::create(
        &mut tx,
        &users::NewUser {
            username,
            password: &temporary_password,
            display_name: input.display_name.trim(),
            role: input.role.code(),
            scope_org_id: unit.id,
            staff_id,
            learner_ids: if input.role.needs_learners() {
                &input.learner_ids
            } else {
                &[]
            },
            must_change_password: true,
        },
    )
    .await?;
    truongso_store::audit::record(
        &mut tx.conn(),
        by,
        &truongso_store::audit::NewAuditEntry {
            action: AuditAction::Create,
            entity: "user",
            entity_id: Some(id),
            org_id: Some(unit.id),
            detail: Some(format!(
                "tài khoản {username}, vai trò {}",
                input.role.code()
            )),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(PasswordReset {
        username: username.to_string(),
        temporary_password,
        sessions_ended: 0,
        tokens_revoked: 0,
    })
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct PasswordReset {
    pub username: String,
    /// A one-time password to hand to the user, who must replace it at the next sign-in.
    pub temporary_password: String,
    /// Sessions of the account that the reset signed out.
    pub sessions_ended: u64,
    /// API tokens of the account that the reset revoked.
    pub tokens_revoked: u64,
}

/// Reset the password of an account in the caller's scope (not their own: use the account
/// page), of a role the caller covers and of strictly lower rank. Ends the account's sessions,
/// revokes its API tokens, forgets its remembered devices, lifts a lockout, and makes the
/// owner choose a new password at the next sign-in.
#[utoipa::path(post, path = "/users/{id}/reset-password", tag = "account", params(("id" = i64, Path)),
    responses((status = 200, body = PasswordReset), (status = 403, body = Problem), (status = 404, body = Problem)))]
async fn reset_password(
    State(s): State<AppState>,
    actor: Actor,
    Path(id): Path<i64>,
) -> ApiResult<Json<PasswordReset>> {
    Ok(Json(reset(&s, &actor, id).await?))
}

/// Shared with the users page.
pub async fn reset(s: &AppState, actor: &Actor, id: i64) -> ApiResult<PasswordReset> {
    let granter = actor.role.ok_or(ApiError::Unauthorized)?;
    let target = users::get(&mut s.store.conn(), id).await?;
    let own = actor.user.as_ref().is_some_and(|u| u.id == id);
    let target_role: Option<Role> = target.role.parse().ok();
    let refusal = if own || !actor.scope.contains_path(&target.scope_path) {
        Some(ApiError::Store(StoreError::not_found("tài khoản")))
    } else if !target_role.is_some_and(|r| may_reset(Policy::builtin(), granter, r)) {
        // Whoever resets a password can sign in as the account: only a higher rank that
        // already holds all its rights may (a school administrator never the principal's).
        let role = target_role.map_or(target.role.as_str(), |r| r.label_vi());
        Some(ApiError::Forbidden(format!(
            "Không được đặt lại mật khẩu của tài khoản vai trò {role}: chỉ cấp quản lý cao hơn mới được. Người dùng có thể tự đổi mật khẩu trên trang Tài khoản."
        )))
    } else {
        None
    };
    if let Some(error) = refusal {
        actor
            .audit(
                &mut s.store.conn(),
                AuditAction::Denied,
                "user",
                Some(id),
                Some(target.scope_org_id),
            )
            .await?;
        return Err(error);
    }
    reset_account(&s.store, &actor.audit_actor(), id).await
}

/// Sets a one-time password on an account and ends everything the old one opened: its
/// sessions, API tokens and remembered devices; lifts a lockout; audited as `by`. The rights
/// rule ([`may_reset`]) is the caller's to check (the operator's command line is not bound).
pub async fn reset_account(
    store: &truongso_store::Store,
    by: &truongso_store::audit::AuditActor,
    id: i64,
) -> ApiResult<PasswordReset> {
    let mut tx = store.begin().await?;
    let target = users::get(&mut tx.conn(), id).await?;
    let temporary_password = temporary_password();
    users::set_password(&mut tx.conn(), &target, &temporary_password, true).await?;
    let sessions_ended = sessions::delete_for_user(&mut tx.conn(), id, None).await?;
    let tokens_revoked = tokens::revoke_all(&mut tx.conn(), id).await?;
    devices::forget(&mut tx.conn(), None, id).await?;
    truongso_store::audit::record(
        &mut tx.conn(),
        by,
        &truongso_store::audit::NewAuditEntry {
            action: AuditAction::Update,
            entity: "user",
            entity_id: Some(id),
            org_id: Some(target.scope_org_id),
            detail: Some(format!(
                "đặt lại mật khẩu; kết thúc {sessions_ended} phiên đăng nhập, thu hồi {tokens_revoked} mã truy cập API"
            )),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(PasswordReset {
        username: target.username,
        temporary_password,
        sessions_ended,
        tokens_revoked,
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
