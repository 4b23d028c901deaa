//! The web tests' client: the whole router over a real database, called as a demo account
//! (with an API token), as a browser (session cookie + CSRF), or anonymously.

#![allow(dead_code)]

pub mod admission;

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use http_body_util::BodyExt;
use serde_json::Value;
use tower::ServiceExt;
use truongso_demo::DemoConfig;
use truongso_store::Store;
use truongso_store::seed::SeededAccount;
use truongso_web::{AppState, app};

pub struct TestApp {
    pub store: Store,
    router: Router,
    pub accounts: Vec<SeededAccount>,
}

pub struct Response {
    pub status: StatusCode,
    pub headers: axum::http::HeaderMap,
    pub text: String,
}

impl Response {
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.text).unwrap_or(Value::String(self.text.clone()))
    }

    pub fn content_type(&self) -> &str {
        self.headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
    }

    /// The `name=value` of a `Set-Cookie` for `name`, if set.
    pub fn cookie(&self, name: &str) -> Option<String> {
        self.headers
            .get_all(header::SET_COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .filter_map(|v| v.split(';').next())
            .find(|kv| kv.starts_with(&format!("{name}=")))
            .map(|kv| kv[name.len() + 1..].to_string())
    }

    pub fn location(&self) -> &str {
        self.headers
            .get(header::LOCATION)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
    }
}

impl TestApp {
    /// The demo province the web tests run on: 1,500 learners, three schools with an account
    /// for every role.
    pub fn config() -> DemoConfig {
        DemoConfig {
            seed: 11,
            learners: 1_500,
            // These tests do not look at the gradebook: seed faster without the year of marks.
            marks: false,
            ..DemoConfig::default()
        }
    }

    /// Runs `test` on a copy of the seeded province on SQLite, then on PostgreSQL.
    pub async fn on_both<F, Fut>(test: F)
    where
        F: Fn(TestApp) -> Fut,
        Fut: std::future::Future<Output = ()>,
    {
        truongso_testkit::on_both_seeded(&Self::config(), |store, report| {
            test(TestApp::over(store, report.accounts))
        })
        .await;
    }

    /// The demo province seeded into `store` (for a test that prepares the database first).
    pub async fn seeded(store: Store) -> TestApp {
        let report = truongso_store::seed::seed(&store, &Self::config(), |_, _| {})
            .await
            .expect("seed");
        TestApp::over(store, report.accounts)
    }

    fn over(store: Store, accounts: Vec<SeededAccount>) -> TestApp {
        let mut state = AppState::new(store.clone());
        state.printer = std::sync::Arc::new(LabelPrinter);
        TestApp {
            router: app(state),
            store,
            accounts,
        }
    }

    /// The `n`-th demo account with this role (0 = first).
    pub fn account(&self, role: &str, n: usize) -> &SeededAccount {
        self.accounts
            .iter()
            .filter(|a| a.role == role)
            .nth(n)
            .unwrap_or_else(|| panic!("no demo account #{n} with role {role}"))
    }

    /// A fresh API token for a demo account.
    pub async fn token(&self, username: &str) -> String {
        let mut conn = self.store.conn();
        let creds = truongso_store::users::credentials(&mut conn, username)
            .await
            .unwrap()
            .unwrap_or_else(|| panic!("no account {username}"));
        truongso_store::tokens::create(&mut conn, creds.user.id, "test", 1)
            .await
            .unwrap()
            .0
    }

    pub async fn send(&self, req: Request<Body>) -> Response {
        let res = self.router.clone().oneshot(req).await.unwrap();
        let status = res.status();
        let headers = res.headers().clone();
        let bytes = res.into_body().collect().await.unwrap().to_bytes();
        Response {
            status,
            headers,
            text: String::from_utf8_lossy(&bytes).into_owned(),
        }
    }

    /// A JSON API call, with a bearer token when given.
    pub async fn api(
        &self,
        method: &str,
        uri: &str,
        token: Option<&str>,
        body: Option<&str>,
    ) -> Response {
        let mut req = Request::builder().method(method).uri(uri);
        if let Some(t) = token {
            req = req.header(header::AUTHORIZATION, format!("Bearer {t}"));
        }
        if body.is_some() {
            req = req.header(header::CONTENT_TYPE, "application/json");
        }
        self.send(
            req.body(body.map_or_else(Body::empty, |b| Body::from(b.to_string())))
                .unwrap(),
        )
        .await
    }

    /// A page request with cookies (`name=value; …`).
    pub async fn page(
        &self,
        method: &str,
        uri: &str,
        cookies: &str,
        form: Option<&str>,
    ) -> Response {
        let mut req = Request::builder().method(method).uri(uri);
        if !cookies.is_empty() {
            req = req.header(header::COOKIE, cookies);
        }
        if form.is_some() {
            req = req.header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
        }
        self.send(
            req.body(form.map_or_else(Body::empty, |b| Body::from(b.to_string())))
                .unwrap(),
        )
        .await
    }

    /// Signs in through the login form like a browser; returns the session cookie header value
    /// and the session's CSRF token (read from the account page).
    pub async fn browser_login(&self, username: &str, password: &str) -> (String, String) {
        let form = self.page("GET", "/login", "", None).await;
        let pre = form
            .cookie("truongso_csrf")
            .expect("login sets a CSRF cookie");
        let body = format!("_csrf={pre}&username={username}&password={password}&next=%2F");
        let res = self
            .page(
                "POST",
                "/login",
                &format!("truongso_csrf={pre}"),
                Some(&body),
            )
            .await;
        assert_eq!(
            res.status,
            StatusCode::SEE_OTHER,
            "login as {username}: {}",
            res.text
        );
        let session = res.cookie("truongso_session").expect("session cookie");
        let cookie = format!("truongso_session={session}");
        let account = self.page("GET", "/account", &cookie, None).await;
        (cookie, csrf_of(&account.text))
    }
}

/// Stands in for Typst (linked only by the binary; the PDF itself is tested in
/// `truongso-print`): a one-line "PDF" naming what it was asked to print.
struct LabelPrinter;

impl truongso_domain::print::Printer for LabelPrinter {
    fn transcript_pdf(
        &self,
        print: &truongso_domain::print::TranscriptPrint<'_>,
    ) -> Result<Vec<u8>, String> {
        Ok(format!(
            "%PDF-1.7 {} {} signatures={} draft={} verify={}\n%%EOF\n",
            print.transcript.learner.full_name,
            print.transcript.school_year,
            print.signatures.len(),
            print.draft,
            print.verify_url.as_deref().unwrap_or("-")
        )
        .into_bytes())
    }
}

/// The CSRF token in a page's forms.
pub fn csrf_of(html: &str) -> String {
    let marker = "name=\"_csrf\" value=\"";
    let start = html
        .find(marker)
        .expect("page has a form with a CSRF token")
        + marker.len();
    html[start..]
        .split('"')
        .next()
        .unwrap_or_default()
        .to_string()
}
