//! Sign-in, sign-out, the second factor, and the account page (password, TOTP, API tokens).

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use chrono::{DateTime, Utc};
use serde::Deserialize;
use truongso_domain::access::{Permission, Policy, TwoFactor};
use truongso_store::audit::AuditAction;
use truongso_store::secret::new_secret;
use truongso_store::tokens::{self, ApiToken};
use truongso_store::{StoreError, devices, sessions, users};

use super::{InLang, Nav, PageResult};
use crate::AppState;
use crate::actor::{Actor, Credential};
use crate::api::parse_query;
use crate::auth::next::safe_next;
use crate::auth::{cookies, totp};
use crate::error::ApiError;
use crate::i18n::Lang;

#[derive(Template, WebTemplate)]
#[template(path = "login.html")]
pub struct LoginPage {
    lang: Lang,
    nav: Nav,
    crumbs: Vec<super::Crumb>,
    csrf: String,
    next: String,
    username: String,
    error: Option<String>,
}

#[derive(Deserialize, Default)]
pub struct NextQuery {
    next: Option<String>,
}

fn is_secure(state: &AppState, headers: &HeaderMap) -> bool {
    state.secure_cookies
        || headers
            .get("x-forwarded-proto")
            .is_some_and(|v| v.as_bytes() == b"https")
}

pub async fn login_form(
    State(s): State<AppState>,
    actor: Actor,
    headers: HeaderMap,
    Query(q): Query<NextQuery>,
) -> Response {
    if actor.user.is_some() {
        return Redirect::to(&safe_next(q.next.as_deref())).into_response();
    }
    login_page(
        &s,
        &actor,
        &headers,
        q.next.as_deref(),
        String::new(),
        None,
        StatusCode::OK,
    )
}

/// The login form, setting the pre-session CSRF cookie when the browser has none.
fn login_page(
    s: &AppState,
    actor: &Actor,
    headers: &HeaderMap,
    next: Option<&str>,
    username: String,
    error: Option<String>,
    status: StatusCode,
) -> Response {
    let existing = cookies::get(headers, cookies::LOGIN_CSRF);
    let csrf = existing.clone().unwrap_or_else(|| new_secret(""));
    let page = LoginPage {
        lang: actor.lang,
        nav: Nav::default(),
        crumbs: vec![],
        csrf: csrf.clone(),
        next: safe_next(next),
        username,
        error,
    };
    let mut response = (status, page).into_response();
    if existing.is_none() {
        response.headers_mut().append(
            header::SET_COOKIE,
            cookies::set(cookies::LOGIN_CSRF, &csrf, None, is_secure(s, headers)),
        );
    }
    response
}

#[derive(Deserialize)]
pub struct LoginForm {
    username: String,
    password: String,
    next: Option<String>,
}

pub async fn login(
    State(s): State<AppState>,
    actor: Actor,
    headers: HeaderMap,
    body: String,
) -> Response {
    let lang = actor.lang;
    let form: LoginForm = match parse_query(&body) {
        Ok(f) => f,
        Err(_) => {
            let msg = lang.t("login_missing").to_string();
            return login_page(
                &s,
                &actor,
                &headers,
                None,
                String::new(),
                Some(msg),
                StatusCode::BAD_REQUEST,
            );
        }
    };
    let client_ip = actor.client.map(|c| c.ip());
    let retry = |wait: std::time::Duration| {
        let msg = ApiError::TooManyRequests(wait.as_secs()).to_string();
        let mut r = login_page(
            &s,
            &actor,
            &headers,
            form.next.as_deref(),
            form.username.clone(),
            Some(msg),
            StatusCode::TOO_MANY_REQUESTS,
        );
        r.headers_mut()
            .insert(header::RETRY_AFTER, wait.as_secs().into());
        r
    };
    if let Some(wait) = s.throttle.check(client_ip) {
        return retry(wait);
    }
    let device = cookies::get(&headers, cookies::DEVICE);
    match sign_in(&s, &actor, &form, device.as_deref()).await {
        Ok(SignIn::Done {
            secret,
            device,
            pending_second_factor,
            must_enrol,
        }) => {
            s.throttle.succeeded(client_ip);
            let target = if must_enrol {
                "/account/totp".to_string()
            } else if pending_second_factor {
                format!(
                    "/login/totp?next={}",
                    urlencode(&safe_next(form.next.as_deref()))
                )
            } else {
                safe_next(form.next.as_deref())
            };
            let mut r = Redirect::to(&target).into_response();
            let secure = is_secure(&s, &headers);
            r.headers_mut().append(
                header::SET_COOKIE,
                cookies::set(
                    cookies::SESSION,
                    &secret,
                    Some(sessions::SESSION_LIFETIME.num_seconds()),
                    secure,
                ),
            );
            // The login CSRF cookie has served its purpose.
            r.headers_mut().append(
                header::SET_COOKIE,
                cookies::set(cookies::LOGIN_CSRF, "", Some(0), secure),
            );
            if let Some(device) = device {
                r.headers_mut().append(
                    header::SET_COOKIE,
                    cookies::set(
                        cookies::DEVICE,
                        &device,
                        Some(devices::REMEMBERED_FOR.num_seconds()),
                        secure,
                    ),
                );
            }
            r
        }
        Ok(SignIn::Locked(until)) => {
            s.throttle.failed(client_ip);
            let minutes = (until - Utc::now()).num_minutes().max(1);
            let msg = format!("{} {minutes} {}", lang.t("login_locked"), lang.t("minutes"));
            login_page(
                &s,
                &actor,
                &headers,
                form.next.as_deref(),
                form.username.clone(),
                Some(msg),
                StatusCode::TOO_MANY_REQUESTS,
            )
        }
        Ok(SignIn::Wrong) => {
            s.throttle.failed(client_ip);
            if let Some(wait) = s.throttle.check(client_ip) {
                return retry(wait);
            }
            let msg = lang.t("login_wrong").to_string();
            login_page(
                &s,
                &actor,
                &headers,
                form.next.as_deref(),
                form.username.clone(),
                Some(msg),
                StatusCode::UNAUTHORIZED,
            )
        }
        Err(e) => super::PageError::from((&actor, e)).into_response(),
    }
}

enum SignIn {
    Done {
        secret: String,
        /// A new remembered-device secret for the browser to keep, when it had none.
        device: Option<String>,
        pending_second_factor: bool,
        must_enrol: bool,
    },
    Wrong,
    Locked(DateTime<Utc>),
}

/// Checks the password and opens a fresh session (a session id is never reused across sign-in:
/// any session the browser had is ended).
///
/// Wrong passwords lock the account for [`users::LOCKOUT`] after [`users::MAX_FAILED_LOGINS`],
/// but only for browsers it has not signed in from: a remembered device (`device`, the
/// browser's cookie) still signs in, so that a stranger who knows a username cannot keep the
/// owner out; its own wrong passwords count on the device, which is forgotten after
/// [`devices::MAX_FAILED_LOGINS`].
async fn sign_in(
    s: &AppState,
    actor: &Actor,
    form: &LoginForm,
    device: Option<&str>,
) -> Result<SignIn, ApiError> {
    let mut conn = s.store.conn();
    let username = form.username.trim();
    let Some(creds) = users::credentials(&mut conn, username).await? else {
        // Same work as a real check, so that timing does not reveal which usernames exist.
        let _ = users::verify_password(&form.password, DUMMY_HASH.as_str());
        return Ok(SignIn::Wrong);
    };
    let audit_as = |action| {
        let mut a = actor.audit_actor();
        a.user_id = Some(creds.user.id);
        a.username = Some(creds.user.username.clone());
        a.role = Some(creds.user.role.clone());
        (a, action)
    };
    let known = match device {
        Some(d) => devices::is_known(&mut conn, d, creds.user.id).await?,
        None => false,
    };
    let locked = creds.locked_until.filter(|u| *u > Utc::now());
    if let Some(until) = locked.filter(|_| !known) {
        let (a, action) = audit_as(AuditAction::LoginFailed);
        record(
            &mut conn,
            &a,
            action,
            creds.user.scope_org_id,
            "tài khoản đang bị khoá (thiết bị lạ)",
        )
        .await?;
        return Ok(SignIn::Locked(until));
    }
    if !users::verify_password(&form.password, &creds.password_hash) {
        let (a, action) = audit_as(AuditAction::LoginFailed);
        if let (true, Some(d)) = (known, device) {
            devices::failed(&mut conn, d, creds.user.id).await?;
            record(
                &mut conn,
                &a,
                action,
                creds.user.scope_org_id,
                "sai mật khẩu (thiết bị đã đăng nhập trước đây)",
            )
            .await?;
            return Ok(SignIn::Wrong);
        }
        let locked = users::login_failed(&mut conn, creds.user.id).await?;
        record(
            &mut conn,
            &a,
            action,
            creds.user.scope_org_id,
            "sai mật khẩu",
        )
        .await?;
        return Ok(match locked {
            Some(until) => SignIn::Locked(until),
            None => SignIn::Wrong,
        });
    }
    // A remembered device signing in during a lockout leaves the lock in place for strangers.
    if locked.is_none() {
        users::login_succeeded(&mut conn, creds.user.id).await?;
    }
    let (device_secret, new_device) = match device.filter(|d| is_device_secret(d)) {
        Some(d) => (d.to_string(), None),
        None => {
            let d = new_secret("d_");
            (d.clone(), Some(d))
        }
    };
    devices::remember(&mut conn, &device_secret, creds.user.id).await?;
    if let Credential::Session { id, .. } = &actor.credential {
        sessions::delete(&mut conn, id).await?;
    }
    let required = creds
        .user
        .role
        .parse()
        .map(|r| Policy::builtin().rule(r).two_factor == TwoFactor::Required)
        .unwrap_or(true);
    let has_totp = creds.totp_secret.is_some();
    let client = actor.client.map(|c| c.ip().to_string());
    let (secret, _) = sessions::create(
        &mut conn,
        creds.user.id,
        !has_totp && !required,
        client.as_deref(),
    )
    .await?;
    let (a, action) = audit_as(AuditAction::Login);
    record(
        &mut conn,
        &a,
        action,
        creds.user.scope_org_id,
        if known {
            "mật khẩu đúng (thiết bị đã đăng nhập trước đây)"
        } else {
            "mật khẩu đúng"
        },
    )
    .await?;
    Ok(SignIn::Done {
        secret,
        device: new_device,
        pending_second_factor: has_totp,
        must_enrol: required && !has_totp,
    })
}

/// A device cookie we could have set (so that it can be sent back in a `Set-Cookie`).
fn is_device_secret(s: &str) -> bool {
    s.len() == 2 + 64 && s.starts_with("d_") && s[2..].bytes().all(|b| b.is_ascii_hexdigit())
}

static DUMMY_HASH: std::sync::LazyLock<String> =
    std::sync::LazyLock::new(|| users::hash_password("not a real password"));

async fn record(
    conn: &mut truongso_store::Conn<'_>,
    actor: &truongso_store::audit::AuditActor,
    action: AuditAction,
    org_id: i64,
    detail: &str,
) -> Result<(), StoreError> {
    truongso_store::audit::record(
        conn,
        actor,
        &truongso_store::audit::NewAuditEntry {
            action,
            entity: "user",
            entity_id: actor.user_id,
            org_id: Some(org_id),
            detail: Some(detail.to_string()),
        },
    )
    .await
}

fn urlencode(s: &str) -> String {
    form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

/// The signed-in account (the policy lets only signed-in requests reach these handlers).
fn signed_in_user(actor: &Actor) -> PageResult<truongso_store::users::User> {
    actor
        .user
        .clone()
        .ok_or_else(|| super::PageError::from((actor, ApiError::Unauthorized)))
}

pub async fn logout(
    State(s): State<AppState>,
    actor: Actor,
    headers: HeaderMap,
) -> PageResult<Response> {
    if let (Credential::Session { id, .. }, Some(user)) = (&actor.credential, &actor.user) {
        let mut conn = s.store.conn();
        sessions::delete(&mut conn, id).await.lang(&actor)?;
        record(
            &mut conn,
            &actor.audit_actor(),
            AuditAction::Logout,
            user.scope_org_id,
            "",
        )
        .await
        .lang(&actor)?;
    }
    let mut r = Redirect::to("/login").into_response();
    r.headers_mut().append(
        header::SET_COOKIE,
        cookies::set(cookies::SESSION, "", Some(0), is_secure(&s, &headers)),
    );
    Ok(r)
}

#[derive(Template, WebTemplate)]
#[template(path = "totp.html")]
pub struct TotpPage {
    lang: Lang,
    nav: Nav,
    crumbs: Vec<super::Crumb>,
    /// Enrolment: the new secret, its address and QR code; `None` when asking for a code.
    enrol: Option<Enrolment>,
    next: String,
    error: Option<String>,
}

pub struct Enrolment {
    secret: String,
    url: String,
    qr_svg: String,
}

pub async fn totp_form(actor: Actor, Query(q): Query<NextQuery>) -> TotpPage {
    TotpPage {
        lang: actor.lang,
        nav: Nav::of(&actor),
        crumbs: vec![],
        enrol: None,
        next: safe_next(q.next.as_deref()),
        error: None,
    }
}

#[derive(Deserialize)]
pub struct CodeForm {
    code: String,
    next: Option<String>,
    /// Only on enrolment: the secret shown on the page.
    secret: Option<String>,
}

pub async fn totp_check(
    State(s): State<AppState>,
    actor: Actor,
    body: String,
) -> PageResult<Response> {
    let lang = actor.lang;
    let form: CodeForm = parse_query(&body).lang(&actor)?;
    let (Some(user), Credential::Session { id, .. }) = (&actor.user, &actor.credential) else {
        return Ok(Redirect::to("/login").into_response());
    };
    let mut conn = s.store.conn();
    let creds = users::credentials(&mut conn, &user.username)
        .await
        .lang(&actor)?;
    let locked = creds
        .as_ref()
        .and_then(|c| c.locked_until)
        .is_some_and(|u| u > Utc::now());
    let step = creds
        .and_then(|c| c.totp_secret)
        .and_then(|sec| totp::verify(&sec, &form.code));
    let ok = match step {
        Some(step) if !locked => users::use_totp_step(&mut conn, user.id, step)
            .await
            .lang(&actor)?,
        _ => false,
    };
    if !ok {
        let mut a = actor.audit_actor();
        a.user_id = Some(user.id);
        record(
            &mut conn,
            &a,
            AuditAction::LoginFailed,
            user.scope_org_id,
            "sai mã xác thực 2 lớp",
        )
        .await
        .lang(&actor)?;
        // Codes are guessable in a million tries: wrong codes count toward the lockout, and a
        // locked account's half-open session ends.
        if locked
            || users::login_failed(&mut conn, user.id)
                .await
                .lang(&actor)?
                .is_some()
        {
            sessions::delete(&mut conn, id).await.lang(&actor)?;
            return Ok(Redirect::to("/login").into_response());
        }
        let page = TotpPage {
            lang,
            nav: Nav::of(&actor),
            crumbs: vec![],
            enrol: None,
            next: safe_next(form.next.as_deref()),
            error: Some(lang.t("totp_wrong").into()),
        };
        return Ok((StatusCode::UNAUTHORIZED, page).into_response());
    }
    sessions::complete_second_factor(&mut conn, id)
        .await
        .lang(&actor)?;
    Ok(Redirect::to(&safe_next(form.next.as_deref())).into_response())
}

fn enrolment_page(actor: &Actor, secret: String, error: Option<String>) -> TotpPage {
    let account = actor.username().unwrap_or("truongso").to_string();
    let url = totp::enrolment_url(&secret, &account).unwrap_or_default();
    let qr_svg = totp::enrolment_qr_svg(&url).unwrap_or_default();
    TotpPage {
        lang: actor.lang,
        nav: Nav::of(actor),
        crumbs: vec![],
        enrol: Some(Enrolment {
            secret,
            url,
            qr_svg,
        }),
        next: "/".into(),
        error,
    }
}

pub async fn totp_enrol_form(State(s): State<AppState>, actor: Actor) -> PageResult<Response> {
    if may_not_enrol(&s, &actor).await? {
        return Ok(Redirect::to("/login/totp").into_response());
    }
    Ok(enrolment_page(&actor, totp::new_secret(), None).into_response())
}

/// A session that has given only the password may enrol a first authenticator, never replace
/// an enrolled one (that would bypass the second factor).
async fn may_not_enrol(s: &AppState, actor: &Actor) -> PageResult<bool> {
    let pending = matches!(
        actor.credential,
        Credential::Session {
            second_factor_done: false,
            ..
        }
    );
    let user = signed_in_user(actor)?;
    let enrolled = users::credentials(&mut s.store.conn(), &user.username)
        .await
        .lang(actor)?
        .is_some_and(|c| c.totp_secret.is_some());
    Ok(pending && enrolled)
}

/// Saves the secret once the user proves their app produces its codes.
pub async fn totp_enrol(
    State(s): State<AppState>,
    actor: Actor,
    body: String,
) -> PageResult<Response> {
    let lang = actor.lang;
    let form: CodeForm = parse_query(&body).lang(&actor)?;
    let (Some(user), Credential::Session { id, .. }) = (&actor.user, &actor.credential) else {
        return Ok(Redirect::to("/login").into_response());
    };
    if may_not_enrol(&s, &actor).await? {
        return Ok(Redirect::to("/login/totp").into_response());
    }
    let secret = form.secret.unwrap_or_default();
    let Some(step) = totp::verify(&secret, &form.code) else {
        let page = enrolment_page(&actor, secret, Some(lang.t("totp_wrong").into()));
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    };
    let mut conn = s.store.conn();
    users::set_totp_secret(&mut conn, user.id, Some(&secret))
        .await
        .lang(&actor)?;
    users::use_totp_step(&mut conn, user.id, step)
        .await
        .lang(&actor)?;
    sessions::complete_second_factor(&mut conn, id)
        .await
        .lang(&actor)?;
    record(
        &mut conn,
        &actor.audit_actor(),
        AuditAction::Update,
        user.scope_org_id,
        "bật xác thực 2 lớp",
    )
    .await
    .lang(&actor)?;
    Ok(Redirect::to("/account?done=totp").into_response())
}

#[derive(Template, WebTemplate)]
#[template(path = "account.html")]
pub struct AccountPage {
    lang: Lang,
    nav: Nav,
    crumbs: Vec<super::Crumb>,
    username: String,
    display_name: String,
    role: String,
    scope_name: String,
    permissions: Vec<String>,
    totp_enabled: bool,
    can_tokens: bool,
    tokens: Vec<ApiToken>,
    /// A token just created, shown once.
    new_token: Option<String>,
    message: Option<String>,
    errors: Vec<String>,
}

#[derive(Deserialize, Default)]
pub struct AccountQuery {
    done: Option<String>,
}

pub async fn account(
    State(s): State<AppState>,
    actor: Actor,
    Query(q): Query<AccountQuery>,
) -> PageResult<AccountPage> {
    let live_tokens = match q.done.as_deref() {
        Some("password") if actor.can(Permission::TokenManage) => {
            let user = signed_in_user(&actor)?;
            tokens::list(&mut s.store.conn(), user.id)
                .await
                .lang(&actor)?
                .iter()
                .any(|t| t.revoked_at.is_none() && t.expires_at > Utc::now())
        }
        _ => false,
    };
    let message = q.done.as_deref().map(|d| match d {
        "password" if live_tokens => format!(
            "{} {}",
            actor.lang.t("password_changed"),
            actor.lang.t("password_tokens_live")
        ),
        "password" => actor.lang.t("password_changed").to_string(),
        "totp" => actor.lang.t("totp_enabled").to_string(),
        "revoked" => actor.lang.t("token_revoked").to_string(),
        _ => String::new(),
    });
    account_page(&s, &actor, message.filter(|m| !m.is_empty()), None, vec![]).await
}

async fn account_page(
    s: &AppState,
    actor: &Actor,
    message: Option<String>,
    new_token: Option<String>,
    errors: Vec<String>,
) -> PageResult<AccountPage> {
    let lang = actor.lang;
    let user = signed_in_user(actor)?;
    let mut conn = s.store.conn();
    let creds = users::credentials(&mut conn, &user.username)
        .await
        .lang(actor)?;
    let can_tokens = actor.can(Permission::TokenManage);
    let tokens = if can_tokens {
        tokens::list(&mut conn, user.id).await.lang(actor)?
    } else {
        vec![]
    };
    let permissions = actor
        .role
        .map(|r| {
            Policy::builtin()
                .permissions_of(r)
                .iter()
                .map(|p| lang.label(p.label_vi(), p.label_en()).to_string())
                .collect()
        })
        .unwrap_or_default();
    Ok(AccountPage {
        lang,
        nav: Nav::of(actor),
        crumbs: vec![],
        username: user.username.clone(),
        display_name: user.display_name.clone(),
        role: actor
            .role
            .map(|r| lang.label(r.label_vi(), r.label_en()).to_string())
            .unwrap_or_default(),
        scope_name: user.scope_org_name.clone(),
        permissions,
        totp_enabled: creds.and_then(|c| c.totp_secret).is_some(),
        can_tokens,
        tokens,
        new_token,
        message,
        errors,
    })
}

#[derive(Deserialize)]
pub struct PasswordForm {
    current: String,
    new: String,
    confirm: String,
    /// Only on the page of a required change: where to go afterwards.
    next: Option<String>,
}

/// The page of a required change: after a reset (or on a new account) the one-time password
/// must be replaced before anything else; the policy sends every other page here.
#[derive(Template, WebTemplate)]
#[template(path = "password.html")]
pub struct PasswordPage {
    lang: Lang,
    nav: Nav,
    crumbs: Vec<super::Crumb>,
    next: String,
    errors: Vec<String>,
}

fn password_page(actor: &Actor, next: Option<&str>, errors: Vec<String>) -> PasswordPage {
    PasswordPage {
        lang: actor.lang,
        // No menu: nothing else can be opened until the password is changed.
        nav: Nav {
            user: None,
            csrf: actor.csrf().to_string(),
        },
        crumbs: vec![],
        next: safe_next(next),
        errors,
    }
}

pub async fn password_form(actor: Actor, Query(q): Query<NextQuery>) -> Response {
    if !actor.user.as_ref().is_some_and(|u| u.must_change_password) {
        return Redirect::to("/account").into_response();
    }
    password_page(&actor, q.next.as_deref(), vec![]).into_response()
}

pub async fn change_password(
    State(s): State<AppState>,
    actor: Actor,
    body: String,
) -> PageResult<Response> {
    let lang = actor.lang;
    let form: PasswordForm = parse_query(&body).lang(&actor)?;
    let user = signed_in_user(&actor)?;
    let required = user.must_change_password;
    let mut conn = s.store.conn();
    let creds = users::credentials(&mut conn, &user.username)
        .await
        .lang(&actor)?;
    let mut errors = vec![];
    if !creds.is_some_and(|c| users::verify_password(&form.current, &c.password_hash)) {
        errors.push(lang.t("password_current_wrong").to_string());
    } else if form.new != form.confirm {
        errors.push(lang.t("password_mismatch").to_string());
    } else if form.new == form.current {
        errors.push(lang.t("password_same").to_string());
    } else if let Err(StoreError::Invalid(inv)) = users::check_password(&user.username, &form.new) {
        errors.extend(inv.0.into_iter().map(|e| e.message));
    }
    if !errors.is_empty() {
        if required {
            let page = password_page(&actor, form.next.as_deref(), errors);
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
        }
        let page = account_page(&s, &actor, None, None, errors).await?;
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    }
    let mut tx = s.store.begin().await.lang(&actor)?;
    users::set_password(&mut tx.conn(), &user, &form.new, false)
        .await
        .lang(&actor)?;
    // Other browsers signed in as this account are signed out.
    let keep = match &actor.credential {
        Credential::Session { id, .. } => Some(id.as_str()),
        _ => None,
    };
    let ended = sessions::delete_for_user(&mut tx.conn(), user.id, keep)
        .await
        .lang(&actor)?;
    record(
        &mut tx.conn(),
        &actor.audit_actor(),
        AuditAction::Update,
        user.scope_org_id,
        &format!("đổi mật khẩu; kết thúc {ended} phiên đăng nhập khác"),
    )
    .await
    .lang(&actor)?;
    tx.commit().await.lang(&actor)?;
    if required {
        return Ok(Redirect::to(&safe_next(form.next.as_deref())).into_response());
    }
    Ok(Redirect::to("/account?done=password").into_response())
}

#[derive(Deserialize)]
pub struct TokenForm {
    name: String,
    days: Option<i64>,
}

pub async fn create_token(
    State(s): State<AppState>,
    actor: Actor,
    body: String,
) -> PageResult<Response> {
    let lang = actor.lang;
    let form: TokenForm = parse_query(&body).lang(&actor)?;
    let user = signed_in_user(&actor)?;
    let mut conn = s.store.conn();
    match tokens::create(&mut conn, user.id, &form.name, form.days.unwrap_or(90)).await {
        Ok((secret, token)) => {
            record(
                &mut conn,
                &actor.audit_actor(),
                AuditAction::Create,
                user.scope_org_id,
                &format!("tạo mã truy cập API '{}'", token.name),
            )
            .await
            .lang(&actor)?;
            let page = account_page(
                &s,
                &actor,
                Some(lang.t("token_created").into()),
                Some(secret),
                vec![],
            )
            .await?;
            // The token is shown once: never cache this page.
            let mut r = page.into_response();
            r.headers_mut()
                .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
            Ok(r)
        }
        Err(StoreError::Invalid(inv)) => {
            let errors = inv.0.into_iter().map(|e| e.message).collect();
            let page = account_page(&s, &actor, None, None, errors).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(e) => Err(super::PageError::from((&actor, e))),
    }
}

pub async fn revoke_token(
    State(s): State<AppState>,
    actor: Actor,
    Path(id): Path<i64>,
) -> PageResult<Response> {
    let user = signed_in_user(&actor)?;
    let mut conn = s.store.conn();
    tokens::revoke(&mut conn, user.id, id).await.lang(&actor)?;
    record(
        &mut conn,
        &actor.audit_actor(),
        AuditAction::Update,
        user.scope_org_id,
        "thu hồi mã truy cập API",
    )
    .await
    .lang(&actor)?;
    Ok(Redirect::to("/account?done=revoked").into_response())
}
