//! The cookies truongso sets: the session secret, before sign-in a CSRF secret for the login
//! form (double submit), and the remembered device. All HttpOnly and SameSite=Lax; Secure unless served over
//! plain HTTP on a loopback address (the demo), see [`crate::AppState::secure_cookies`].

use axum::http::{HeaderMap, HeaderValue, header};

pub const SESSION: &str = "truongso_session";
pub const LOGIN_CSRF: &str = "truongso_csrf";
/// A remembered device: set at a sign-in with the right password, kept for half a year (see
/// `truongso_store::devices`).
pub const DEVICE: &str = "truongso_device";

/// The value of a cookie in the request.
pub fn get(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|c| c.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_string())
        .filter(|v| !v.is_empty())
}

/// A `Set-Cookie` value; `max_age` 0 deletes the cookie, `None` makes it last the browser session.
pub fn set(name: &str, value: &str, max_age: Option<i64>, secure: bool) -> HeaderValue {
    let mut c = format!("{name}={value}; Path=/; HttpOnly; SameSite=Lax");
    if let Some(age) = max_age {
        c.push_str(&format!("; Max-Age={age}"));
    }
    if secure {
        c.push_str("; Secure");
    }
    HeaderValue::from_str(&c).expect("cookie values are ASCII hex")
}
