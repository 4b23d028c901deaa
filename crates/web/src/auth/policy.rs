//! The one place that decides whether a request may reach its handler. Every route's need is
//! data (`data/routes.csv`): public, any signed-in account, reachable while the second factor is
//! pending, or a permission of the role policy. A route not listed is refused. State-changing
//! requests from browsers must carry the CSRF token of their session (or, before sign-in, of
//! the login cookie). What a permitted actor then *sees* is narrowed by its scope in the store.

use std::collections::HashMap;
use std::sync::LazyLock;

use axum::body::Body;
use axum::extract::{MatchedPath, Request, State};
use axum::http::{Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use truongso_domain::access::Permission;
use truongso_store::audit::AuditAction;

use crate::AppState;
use crate::actor::{Actor, Credential};
use crate::auth::cookies;
use crate::error::ApiError;

/// What a route needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Need {
    Public,
    SignedIn,
    /// Reachable after the password while the second factor is still pending (TOTP pages).
    SecondFactor,
    /// Reachable while a one-time password set by an administrator must be replaced.
    PasswordChange,
    Permission(Permission),
}

/// The outcome for one actor on one route.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    Allow,
    /// Nobody is signed in.
    SignIn,
    /// The password was given but the second factor is pending.
    SecondFactor,
    /// The account signed in with a one-time password that must be replaced first.
    ChangePassword,
    Deny,
}

/// Pure: what `need` means for this actor.
pub fn decide(need: Need, actor: &Actor) -> Decision {
    if need == Need::Public {
        return Decision::Allow;
    }
    let Some(_) = actor.user else {
        return Decision::SignIn;
    };
    let pending = matches!(
        actor.credential,
        Credential::Session {
            second_factor_done: false,
            ..
        }
    );
    let must_change = actor.user.as_ref().is_some_and(|u| u.must_change_password);
    match need {
        Need::Public | Need::SecondFactor => Decision::Allow,
        _ if pending => Decision::SecondFactor,
        Need::PasswordChange => Decision::Allow,
        _ if must_change => Decision::ChangePassword,
        Need::SignedIn => Decision::Allow,
        Need::Permission(p) if actor.can(p) => Decision::Allow,
        Need::Permission(_) => Decision::Deny,
    }
}

/// The route table, parsed once from `data/routes.csv`.
pub fn routes() -> &'static HashMap<(Method, String), Need> {
    static TABLE: LazyLock<HashMap<(Method, String), Need>> = LazyLock::new(|| {
        parse_routes(include_str!("../../data/routes.csv")).expect("routes.csv is valid (tested)")
    });
    &TABLE
}

pub fn parse_routes(csv: &str) -> Result<HashMap<(Method, String), Need>, String> {
    let mut table = HashMap::new();
    let lines = csv
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty() && !l.starts_with('#'))
        .skip(1);
    for (i, line) in lines {
        let fields: Vec<&str> = line.split(',').map(str::trim).collect();
        let [method, path, need] = fields[..] else {
            return Err(format!("routes.csv dòng {}: cần 3 cột", i + 1));
        };
        let method: Method = method
            .parse()
            .map_err(|_| format!("routes.csv dòng {}: phương thức '{method}'", i + 1))?;
        let need = match need {
            "public" => Need::Public,
            "signed_in" => Need::SignedIn,
            "second_factor" => Need::SecondFactor,
            "password_change" => Need::PasswordChange,
            p => Need::Permission(
                p.parse()
                    .map_err(|e| format!("routes.csv dòng {}: {e}", i + 1))?,
            ),
        };
        if table.insert((method, path.to_string()), need).is_some() {
            return Err(format!("routes.csv dòng {}: {path} lặp lại", i + 1));
        }
    }
    Ok(table)
}

pub fn need_for(method: &Method, path: &str) -> Option<Need> {
    let method = if method == Method::HEAD {
        Method::GET
    } else {
        method.clone()
    };
    routes().get(&(method, path.to_string())).copied()
}

/// The middleware: runs after routing (so the route template is known) and after
/// [`crate::actor::authenticate`].
pub async fn authorize(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let Some(route) = req
        .extensions()
        .get::<MatchedPath>()
        .map(|m| m.as_str().to_string())
    else {
        return next.run(req).await;
    };
    let actor = req
        .extensions()
        .get::<Actor>()
        .cloned()
        .expect("authenticate runs before authorize");
    let is_api = route.starts_with("/api/");
    let need = need_for(req.method(), &route);
    let decision = need.map_or(Decision::Deny, |n| decide(n, &actor));
    match decision {
        Decision::Allow => {}
        Decision::SignIn if is_api => return ApiError::Unauthorized.into_response(),
        Decision::SignIn => return redirect_with_next("/login", &req),
        Decision::SecondFactor if is_api => return ApiError::Unauthorized.into_response(),
        Decision::SecondFactor => return Redirect::to("/login/totp").into_response(),
        Decision::ChangePassword if is_api => {
            return ApiError::Forbidden(
                "Tài khoản đang dùng mật khẩu tạm thời: hãy đăng nhập trên trang web và đổi mật khẩu trước."
                    .into(),
            )
            .into_response();
        }
        Decision::ChangePassword => return redirect_with_next("/account/password", &req),
        Decision::Deny => {
            if need.is_none() {
                tracing::warn!(%route, "route missing from routes.csv: refused");
            }
            let detail = format!("{} {}", req.method(), req.uri().path());
            record_denied(&state, &actor, detail).await;
            return forbidden(&actor, is_api);
        }
    }
    if is_safe(req.method()) {
        return next.run(req).await;
    }
    match check_csrf(req, &actor).await {
        Ok(req) => next.run(req).await,
        Err(response) => response,
    }
}

/// A redirect to `page`, which sends the browser back to the requested address afterwards.
fn redirect_with_next(page: &str, req: &Request) -> Response {
    let next_path = req.uri().path_and_query().map_or("/", |p| p.as_str());
    let query = form_urlencoded::Serializer::new(String::new())
        .append_pair("next", next_path)
        .finish();
    Redirect::to(&format!("{page}?{query}")).into_response()
}

fn forbidden(actor: &Actor, is_api: bool) -> Response {
    let message = "Tài khoản của bạn không có quyền dùng chức năng này.".to_string();
    if is_api {
        ApiError::Forbidden(message).into_response()
    } else {
        crate::pages::error_page(actor.lang, StatusCode::FORBIDDEN, message)
    }
}

async fn record_denied(state: &AppState, actor: &Actor, detail: String) {
    let entry = truongso_store::audit::NewAuditEntry {
        action: AuditAction::Denied,
        entity: "route",
        entity_id: None,
        org_id: actor.user.as_ref().map(|u| u.scope_org_id),
        detail: Some(detail),
    };
    if let Err(e) =
        truongso_store::audit::record(&mut state.store.conn(), &actor.audit_actor(), &entry).await
    {
        tracing::error!(error = %e, "could not record a refused request");
    }
}

fn is_safe(method: &Method) -> bool {
    matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS)
}

/// The CSRF check of a state-changing request: API tokens are exempt (no ambient cookie);
/// browsers must send the token of their session, or of the login cookie before sign-in, as
/// the `X-CSRF-Token` header or the `_csrf` field of a form. A cross-site `Origin` is refused.
async fn check_csrf(req: Request, actor: &Actor) -> Result<Request, Response> {
    let is_api = req_is_api(&req);
    let refuse = || {
        let message =
            "Biểu mẫu đã hết hạn hoặc không hợp lệ. Vui lòng tải lại trang và thử lại.".to_string();
        if is_api {
            ApiError::Forbidden(message).into_response()
        } else {
            crate::pages::error_page(actor.lang, StatusCode::FORBIDDEN, message)
        }
    };
    let expected = match &actor.credential {
        Credential::ApiToken { .. } => return Ok(req),
        Credential::Session { csrf, .. } => Some(csrf.clone()),
        Credential::Anonymous => cookies::get(req.headers(), cookies::LOGIN_CSRF),
    };
    if !same_origin(&req) {
        return Err(refuse());
    }
    let Some(expected) = expected else {
        return Err(refuse());
    };
    let from_header = req
        .headers()
        .get("x-csrf-token")
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    if let Some(sent) = from_header {
        return if constant_time_eq(&sent, &expected) {
            Ok(req)
        } else {
            Err(refuse())
        };
    }
    let content_type = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    // A file upload (multipart, possibly megabytes) carries the token in its action URL, so
    // that it is checked before the body is read.
    if content_type.starts_with("multipart/form-data") {
        let sent = form_urlencoded::parse(req.uri().query().unwrap_or("").as_bytes())
            .find(|(k, _)| k == "_csrf")
            .map(|(_, v)| v.into_owned());
        return match sent {
            Some(sent) if constant_time_eq(&sent, &expected) => Ok(req),
            _ => Err(refuse()),
        };
    }
    let is_form = content_type.starts_with("application/x-www-form-urlencoded");
    if !is_form {
        return Err(refuse());
    }
    let (parts, body) = req.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, crate::MAX_BODY_BYTES).await else {
        return Err(ApiError::bad_request("body", "Nội dung quá lớn.").into_response());
    };
    let sent = form_urlencoded::parse(&bytes)
        .find(|(k, _)| k == "_csrf")
        .map(|(_, v)| v.into_owned());
    let req = Request::from_parts(parts, Body::from(bytes));
    match sent {
        Some(sent) if constant_time_eq(&sent, &expected) => Ok(req),
        _ => Err(refuse()),
    }
}

fn req_is_api(req: &Request) -> bool {
    req.uri().path().starts_with("/api/")
}

/// An `Origin` header, when the browser sends one, must name this host.
fn same_origin(req: &Request) -> bool {
    let Some(origin) = req
        .headers()
        .get(header::ORIGIN)
        .and_then(|v| v.to_str().ok())
    else {
        return true;
    };
    let host = req
        .headers()
        .get(header::HOST)
        .and_then(|v| v.to_str().ok());
    let origin_host = origin.split_once("://").map(|(_, h)| h);
    origin_host.is_some() && origin_host == host
}

fn constant_time_eq(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shipped_route_table_parses() {
        assert!(!routes().is_empty());
        assert_eq!(need_for(&Method::GET, "/healthz"), Some(Need::Public));
        assert_eq!(
            need_for(&Method::GET, "/api/v1/learners/{id}"),
            Some(Need::Permission(Permission::LearnerRead))
        );
        assert_eq!(need_for(&Method::DELETE, "/api/v1/learners/{id}"), None);
    }

    #[test]
    fn bad_route_tables_are_refused_with_the_line() {
        let e = parse_routes("method,path,need\nGET,/x,fly\n").unwrap_err();
        assert!(e.contains("dòng 2"), "{e}");
        let e = parse_routes("method,path,need\nGET,/x,public\nGET,/x,public\n").unwrap_err();
        assert!(e.contains("lặp lại"), "{e}");
    }

    #[test]
    fn tokens_compare_exactly() {
        assert!(constant_time_eq("abc", "abc"));
        assert!(!constant_time_eq("abc", "abd"));
        assert!(!constant_time_eq("abc", "abcd"));
    }
}
