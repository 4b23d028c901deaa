//! The acting user and their reach, resolved once per request by [`authenticate`] from an API
//! token (`Authorization: Bearer`) or the session cookie. Every handler takes an [`Actor`] and
//! passes its scope to the store, so that no query runs outside the caller's reach; what the
//! actor may do at all is decided before the handler, in [`crate::auth::policy`].

use std::net::SocketAddr;

use axum::extract::{ConnectInfo, FromRequestParts, Request, State};
use axum::http::header;
use axum::http::request::Parts;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use truongso_domain::access::{Permission, Policy, Reach, Role};
use truongso_store::audit::{self, AuditAction, AuditActor, NewAuditEntry};
use truongso_store::users::User;
use truongso_store::{Conn, Scope, StoreResult, classes, sessions, tokens, users};

use crate::AppState;
use crate::auth::cookies;
use crate::error::ApiError;
use crate::i18n::Lang;

/// How the request proved who it is.
#[derive(Debug, Clone)]
pub enum Credential {
    Anonymous,
    /// A browser session; `csrf` must accompany every state-changing request.
    Session {
        id: String,
        csrf: String,
        second_factor_done: bool,
    },
    ApiToken {
        id: i64,
    },
}

#[derive(Debug, Clone)]
pub struct Actor {
    pub user: Option<User>,
    pub role: Option<Role>,
    pub credential: Credential,
    /// What the actor reaches; nothing at all when anonymous.
    pub scope: Scope,
    /// Where the request came from (for the audit trail and throttling).
    pub client: Option<SocketAddr>,
    pub lang: Lang,
}

impl Actor {
    fn anonymous(client: Option<SocketAddr>, lang: Lang) -> Self {
        Actor {
            user: None,
            role: None,
            credential: Credential::Anonymous,
            scope: Scope::Learners {
                learner_ids: vec![],
            },
            client,
            lang,
        }
    }

    /// Whether the actor's role grants `permission` (inside their scope).
    pub fn can(&self, permission: Permission) -> bool {
        self.role
            .is_some_and(|r| Policy::builtin().allows(r, permission))
    }

    pub fn username(&self) -> Option<&str> {
        self.user.as_ref().map(|u| u.username.as_str())
    }

    /// The CSRF token forms of this session must carry.
    pub fn csrf(&self) -> &str {
        match &self.credential {
            Credential::Session { csrf, .. } => csrf,
            _ => "",
        }
    }

    pub fn audit_actor(&self) -> AuditActor {
        AuditActor {
            user_id: self.user.as_ref().map(|u| u.id),
            username: self.user.as_ref().map(|u| u.username.clone()),
            role: self.role.map(|r| r.code().to_string()),
            client: self.client.map(|c| c.ip().to_string()),
        }
    }

    /// Records that the actor listed or searched personal records (with the query they used).
    pub async fn audit_list(
        &self,
        conn: &mut Conn<'_>,
        entity: &str,
        query: Option<&str>,
    ) -> StoreResult<()> {
        audit::record(
            conn,
            &self.audit_actor(),
            &NewAuditEntry {
                action: AuditAction::List,
                entity,
                entity_id: None,
                org_id: self.user.as_ref().map(|u| u.scope_org_id),
                detail: query.map(|q| q.chars().take(500).collect()),
            },
        )
        .await
    }

    /// Records an entry in the audit trail as this actor.
    pub async fn audit(
        &self,
        conn: &mut Conn<'_>,
        action: AuditAction,
        entity: &str,
        entity_id: Option<i64>,
        org_id: Option<i64>,
    ) -> StoreResult<()> {
        audit::record(
            conn,
            &self.audit_actor(),
            &NewAuditEntry {
                action,
                entity,
                entity_id,
                org_id,
                detail: None,
            },
        )
        .await
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Actor {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        Ok(parts.extensions.get::<Actor>().cloned().unwrap_or_else(|| {
            // Only reachable for routes outside the authenticated router: reaches nothing.
            Actor::anonymous(client_of(parts), Lang::from_parts(parts))
        }))
    }
}

fn client_of(parts: &Parts) -> Option<SocketAddr> {
    parts
        .extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0)
}

/// Resolves the actor of every request (token, else session cookie, else anonymous) and puts
/// it in the request's extensions. A presented but invalid token is refused outright.
pub async fn authenticate(State(state): State<AppState>, mut req: Request, next: Next) -> Response {
    let (mut parts, body) = req.into_parts();
    let client = client_of(&parts);
    let lang = Lang::from_parts(&parts);
    let actor = match resolve(&state, &parts, client, lang).await {
        Ok(Some(actor)) => actor,
        Ok(None) => return ApiError::Unauthorized.into_response(),
        Err(e) => return ApiError::from(e).into_response(),
    };
    parts.extensions.insert(actor);
    req = Request::from_parts(parts, body);
    next.run(req).await
}

/// `Ok(None)` when a bearer token was presented and is not valid.
async fn resolve(
    state: &AppState,
    parts: &Parts,
    client: Option<SocketAddr>,
    lang: Lang,
) -> StoreResult<Option<Actor>> {
    let mut conn = state.store.conn();
    let bearer = parts
        .headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim);
    if let Some(secret) = bearer {
        let Some(token) = tokens::authenticate(&mut conn, secret).await? else {
            return Ok(None);
        };
        let user = users::get(&mut conn, token.user_id).await?;
        let credential = Credential::ApiToken { id: token.id };
        return Ok(Some(
            signed_in(&mut conn, user, credential, client, lang).await?,
        ));
    }
    let Some(secret) = cookies::get(&parts.headers, cookies::SESSION) else {
        return Ok(Some(Actor::anonymous(client, lang)));
    };
    let Some(session) = sessions::find(&mut conn, &secret).await? else {
        return Ok(Some(Actor::anonymous(client, lang)));
    };
    let user = users::get(&mut conn, session.user_id).await?;
    let credential = Credential::Session {
        id: session.id,
        csrf: session.csrf_token,
        second_factor_done: session.second_factor_done,
    };
    Ok(Some(
        signed_in(&mut conn, user, credential, client, lang).await?,
    ))
}

async fn signed_in(
    conn: &mut Conn<'_>,
    user: User,
    credential: Credential,
    client: Option<SocketAddr>,
    lang: Lang,
) -> StoreResult<Actor> {
    let role: Option<Role> = user.role.parse().ok();
    let scope = match role.map(|r| Policy::builtin().rule(r).reach) {
        Some(Reach::Subtree) => user.scope(),
        Some(Reach::Classes) => Scope::Classes {
            root_id: user.scope_org_id,
            path: user.scope_path.clone(),
            class_ids: match user.staff_id {
                Some(staff) => classes::reached_by_staff(conn, staff).await?,
                None => vec![],
            },
        },
        // An unknown role (a database edited by hand) reaches nothing.
        Some(Reach::Learners) | None => Scope::Learners {
            learner_ids: users::learner_ids(conn, user.id).await?,
        },
    };
    Ok(Actor {
        user: Some(user),
        role,
        credential,
        scope,
        client,
        lang,
    })
}
