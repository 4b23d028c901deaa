//! The acting user and their organisational scope, resolved once per request. Every handler
//! takes an [`Actor`] and passes its scope to the store, so that no query runs unscoped.
//!
//! Sign-in arrives with the identity work; until then every request acts as the local operator
//! of the installation (scope: the whole tree), which is why `demo` binds to 127.0.0.1.

use std::net::SocketAddr;

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;
use truongso_store::Scope;

use crate::i18n::Lang;

#[derive(Debug, Clone)]
pub struct Actor {
    /// The signed-in username; `None` for the local operator.
    pub username: Option<String>,
    pub scope: Scope,
    /// Where the request came from (for the audit trail).
    pub client: Option<SocketAddr>,
    pub lang: Lang,
}

impl<S: Send + Sync> FromRequestParts<S> for Actor {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        let client = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|c| c.0);
        Ok(Actor {
            username: None,
            scope: Scope::All,
            client,
            lang: Lang::from_parts(parts),
        })
    }
}
