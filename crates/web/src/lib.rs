//! The HTTP layer of truongso: the JSON API under `/api/v1` (documented by OpenAPI), the
//! server-rendered pages, `/healthz` and `/metrics`. It never writes SQL: handlers call the
//! store, inside the acting user's scope (see [`actor`]).

pub mod actor;
pub mod api;
pub mod auth;
pub mod charts;
pub mod error;
pub mod i18n;
pub mod import_jobs;
pub mod pages;
pub mod results;

use std::time::Duration;

use axum::Router;
use axum::extract::{DefaultBodyLimit, MatchedPath, Request, State};
use axum::http::{HeaderValue, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle};
use tower_http::compression::CompressionLayer;
use tower_http::set_header::SetResponseHeaderLayer;
use truongso_store::Store;

/// What every handler can reach.
#[derive(Clone)]
pub struct AppState {
    pub store: Store,
    pub metrics: PrometheusHandle,
    /// Failed sign-ins per client address.
    pub throttle: std::sync::Arc<auth::throttle::LoginThrottle>,
    /// Whether cookies carry `Secure` (always, except plain HTTP on a loopback address).
    pub secure_cookies: bool,
    /// Imports between their steps (upload, mapping, preview, writing).
    pub imports: std::sync::Arc<import_jobs::ImportJobs>,
    /// The grading rules in force (grading.md's reading unless the settings file changes the
    /// rules it marks uncertain).
    pub grading: std::sync::Arc<truongso_domain::gradebook::compute::GradingRules>,
    /// Report dates and the public small-count threshold of statistical reports.
    pub statistics: std::sync::Arc<truongso_domain::statistics::StatisticsSettings>,
    /// The server's public address ("https://truongso.example.vn"), for links printed on
    /// documents (the transcript's verification QR code). When unset, the request's host is
    /// used (`TRUONGSO_PUBLIC_URL` sets it for `serve` and `demo`).
    pub public_url: Option<String>,
    /// The digital-maturity index's open readings (`[dx]` of the settings file).
    pub dx: std::sync::Arc<truongso_domain::dx::DxRules>,
    /// Admission's open readings and the limits of its public services (`[admission]`).
    pub admission: std::sync::Arc<truongso_domain::admission::AdmissionSettings>,
    /// Whether `/admission/outbox` shows the messages sent to guardians (the demo, which has no
    /// SMTP server); 404 otherwise.
    pub admission_outbox_page: bool,
    /// Published admission results in memory for the public lookup (see [`results`]).
    pub lookup: std::sync::Arc<results::ResultLookup>,
    /// Lays out PDFs (the binary gives Typst; without one, documents are refused).
    pub printer: std::sync::Arc<dyn truongso_domain::print::Printer>,
}

impl AppState {
    /// Builds the state; the Prometheus recorder is process-wide, so it is installed once.
    pub fn new(store: Store) -> Self {
        static HANDLE: std::sync::OnceLock<PrometheusHandle> = std::sync::OnceLock::new();
        let metrics = HANDLE
            .get_or_init(|| {
                PrometheusBuilder::new()
                    .install_recorder()
                    .expect("no other metrics recorder is installed")
            })
            .clone();
        Self {
            store: store.clone(),
            metrics,
            throttle: Default::default(),
            secure_cookies: true,
            imports: Default::default(),
            grading: Default::default(),
            statistics: Default::default(),
            public_url: None,
            dx: Default::default(),
            admission: Default::default(),
            admission_outbox_page: false,
            lookup: std::sync::Arc::new(results::ResultLookup::database(store.clone())),
            printer: std::sync::Arc::new(truongso_domain::print::NoPrinter),
        }
    }
}

/// Request bodies larger than this are refused before parsing (imports come with their own limit).
pub const MAX_BODY_BYTES: usize = 1024 * 1024;

/// The whole application: API, pages, health and metrics.
pub fn app(state: AppState) -> Router {
    Router::new()
        .merge(api::router())
        .merge(pages::router())
        .route("/healthz", get(healthz))
        .route("/healthz/live", get(live))
        .route("/metrics", get(metrics))
        .route("/static/style.css", get(stylesheet))
        .route("/static/gradebook.js", get(gradebook_script))
        .route("/static/dx.js", get(dx_script))
        // Outermost last: authenticate, then the policy decides, then the handler.
        .layer(middleware::from_fn_with_state(
            state.clone(),
            auth::policy::authorize,
        ))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            actor::authenticate,
        ))
        .layer(middleware::from_fn(track_metrics))
        .layer(middleware::from_fn(request_context))
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .layer(CompressionLayer::new())
        .layer(SetResponseHeaderLayer::if_not_present(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::REFERRER_POLICY,
            HeaderValue::from_static("same-origin"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::X_FRAME_OPTIONS,
            HeaderValue::from_static("DENY"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(
                "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'",
            ),
        ))
        .with_state(state)
}

async fn healthz(State(state): State<AppState>) -> Response {
    match truongso_store::orgs::count_all(&mut state.store.conn()).await {
        Ok(_) => (axum::http::StatusCode::OK, "ok").into_response(),
        Err(e) => {
            tracing::error!(error = %e, "health check failed");
            (
                axum::http::StatusCode::SERVICE_UNAVAILABLE,
                "database unavailable",
            )
                .into_response()
        }
    }
}

/// The process answers HTTP (touches nothing else): the server's ceiling in benchmarks.
pub(crate) async fn live() -> &'static str {
    "ok"
}

async fn metrics(State(state): State<AppState>) -> impl IntoResponse {
    (
        [(header::CONTENT_TYPE, "text/plain; version=0.0.4")],
        state.metrics.render(),
    )
}

pub(crate) async fn stylesheet() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        include_str!("../static/style.css"),
    )
}

/// The entry grid's script (keyboard moves, pasting a column, autosave, conflicts).
async fn gradebook_script() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        include_str!("../static/gradebook.js"),
    )
}

/// The self-assessment form's live totals (the form works without it).
async fn dx_script() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        include_str!("../static/dx.js"),
    )
}

/// Gives every request an id (the `X-Request-Id` of the answer, and of every log line written
/// while it runs) and turns a panic left anywhere below into a `500` problem naming that id,
/// instead of a dropped connection. (tower-http's `CatchPanicLayer` cannot see the request, so
/// its answer could not name the id that finds the log line.)
async fn request_context(req: Request, next: Next) -> Response {
    use futures::FutureExt;
    use tracing::Instrument;
    let id: String = truongso_store::secret::new_secret("")[..16].to_string();
    let span =
        tracing::info_span!("request", id = %id, method = %req.method(), path = %req.uri().path());
    let outcome = std::panic::AssertUnwindSafe(next.run(req))
        .catch_unwind()
        .instrument(span.clone())
        .await;
    let mut response = match outcome {
        Ok(response) => response,
        Err(panic) => {
            let what = panic
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_default();
            span.in_scope(|| tracing::error!(request_id = %id, panic = %what, "request panicked"));
            error::ApiError::Internal(format!("panic: {what}")).into_response_with_id(&id)
        }
    };
    if let Ok(value) = HeaderValue::from_str(&id) {
        response.headers_mut().insert("x-request-id", value);
    }
    response
}

/// Counts requests and their latency per route template (not per raw path, to bound cardinality).
async fn track_metrics(req: Request, next: Next) -> Response {
    let started = std::time::Instant::now();
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "unmatched".to_string(), |p| p.as_str().to_string());
    let method = req.method().to_string();
    let response = next.run(req).await;
    let status = response.status().as_u16().to_string();
    let elapsed: Duration = started.elapsed();
    metrics::counter!("http_requests_total", "method" => method.clone(), "route" => route.clone(), "status" => status).increment(1);
    metrics::histogram!("http_request_duration_seconds", "method" => method, "route" => route)
        .record(elapsed.as_secs_f64());
    response
}

/// What the settings file may change in the rules the server applies.
#[derive(Debug, Clone, Default)]
pub struct Rules {
    pub grading: truongso_domain::gradebook::compute::GradingRules,
    pub statistics: truongso_domain::statistics::StatisticsSettings,
    pub dx: truongso_domain::dx::DxRules,
    pub admission: truongso_domain::admission::AdmissionSettings,
}

/// Serves the application until Ctrl-C. Cookies are `Secure` unless the server listens on a
/// loopback address (the demo on http://127.0.0.1), where browsers would otherwise refuse them
/// over plain HTTP; behind a TLS proxy, `X-Forwarded-Proto: https` turns `Secure` back on.
///
/// The shipped criteria sets of the digital-maturity index are checked first: a broken criteria
/// file stops the start with a message naming the indicator.
pub async fn serve(
    store: Store,
    bind: &str,
    rules: Rules,
    printer: std::sync::Arc<dyn truongso_domain::print::Printer>,
) -> std::io::Result<()> {
    truongso_domain::dx::CriteriaSet::check_all().map_err(std::io::Error::other)?;
    let listener = tokio::net::TcpListener::bind(bind).await?;
    let mut state = AppState::new(store);
    state.grading = std::sync::Arc::new(rules.grading);
    state.statistics = std::sync::Arc::new(rules.statistics);
    state.dx = std::sync::Arc::new(rules.dx);
    state.admission_outbox_page = rules.admission.outbox_page;
    state.admission = std::sync::Arc::new(rules.admission);
    state.lookup.warm();
    state.printer = printer;
    state.secure_cookies = !listener.local_addr()?.ip().is_loopback();
    state.public_url = std::env::var("TRUONGSO_PUBLIC_URL")
        .ok()
        .map(|u| u.trim_end_matches('/').to_string())
        .filter(|u| !u.is_empty());
    api::targets::start_daily_snapshots(state.store.clone());
    let app = app(state).into_make_service_with_connect_info::<std::net::SocketAddr>();
    axum::serve(listener, app)
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await
}

#[cfg(test)]
mod tests {
    use axum::body::Body;
    use axum::http::{Request, StatusCode};
    use tower::ServiceExt;

    #[tokio::test]
    async fn a_panic_is_a_problem_naming_the_request_id() {
        async fn boom() -> &'static str {
            let offset: u64 = u64::MAX;
            let _ = i64::try_from(offset).expect("an offset that does not fit");
            "unreachable"
        }
        let app = axum::Router::new()
            .route("/boom", axum::routing::get(boom))
            .layer(axum::middleware::from_fn(super::request_context));
        let response = app
            .oneshot(Request::get("/boom").body(Body::empty()).unwrap())
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::INTERNAL_SERVER_ERROR);
        let id = response.headers()["x-request-id"]
            .to_str()
            .unwrap()
            .to_string();
        assert_eq!(id.len(), 16);
        let body = axum::body::to_bytes(response.into_body(), 10_000)
            .await
            .unwrap();
        let problem: serde_json::Value = serde_json::from_slice(&body).unwrap();
        assert_eq!(problem["status"], 500);
        let detail = problem["detail"].as_str().unwrap();
        assert!(detail.contains(&id), "{detail}");
        assert!(
            !detail.contains("fit"),
            "internals stay in the log: {detail}"
        );
    }
}
