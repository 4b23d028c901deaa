//! The public results lookup (tra cứu kết quả tuyển sinh) that survives result day.
//!
//! Published results live in memory: a [`ResultIndex`] per campaign maps the lookup key (the
//! candidate number and the tracking code) to the applicant's record, and the handler checks the
//! date of birth. An index is loaded on first use and replaced in the background when the
//! campaign's published run changes (checked at most every [`REFRESH`]), so on result day a
//! lookup never waits for the database. The same handlers serve a read-only snapshot file
//! (`truongso serve-results`) with no database at all: one code path, two sources.
//!
//! Abuse: lookups per client address per minute and misses per address per hour are limited
//! (`[admission.lookup]`); an unknown number and a wrong date of birth give the same 404 body;
//! every refusal is logged and each address crossing a limit is audited once per window.

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant};

use askama::Template;
use askama_web::WebTemplate;
use axum::Json;
use axum::extract::{ConnectInfo, FromRef, FromRequestParts, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use tower_http::set_header::SetResponseHeaderLayer;
use truongso_domain::admission::{LookupLimits, Points, canonical_tracking_code};
use truongso_store::Store;
use truongso_store::admission::lookup::{self, PublishedCampaign, PublishedResult};
use truongso_store::admission::runs::Outcome;
use truongso_store::audit::{AuditAction, AuditActor, NewAuditEntry};

use crate::AppState;
use crate::error::{ApiError, Problem};
use crate::i18n::Lang;

/// How often, at most, the database is asked whether a published run changed.
pub const REFRESH: Duration = Duration::from_secs(5);
/// Addresses the limiter remembers at most; expired windows are dropped first under a flood.
const MAX_TRACKED: usize = 200_000;
const SHARDS: usize = 16;

/// One campaign's published results, by lookup key.
pub struct ResultIndex {
    pub campaign: PublishedCampaign,
    records: Vec<PublishedResult>,
    keys: HashMap<Box<str>, u32>,
}

impl ResultIndex {
    pub fn new(campaign: PublishedCampaign) -> Self {
        ResultIndex {
            campaign,
            records: Vec::new(),
            keys: HashMap::new(),
        }
    }

    /// Adds a record under its tracking code and, when it has one, its candidate number.
    pub fn insert(&mut self, r: PublishedResult) {
        let at = u32::try_from(self.records.len()).expect("fewer than 4 billion results");
        if let Some(k) = canonical_tracking_code(&r.tracking_code) {
            self.keys.insert(k.into(), at);
        }
        if let Some(k) = r.candidate_number.as_deref().and_then(normalize_number) {
            self.keys.insert(k.into(), at);
        }
        self.records.push(r);
    }

    pub fn len(&self) -> usize {
        self.records.len()
    }

    pub fn is_empty(&self) -> bool {
        self.records.is_empty()
    }

    pub fn run_id(&self) -> i64 {
        self.campaign.published_run_id
    }

    /// The record under `key` (already normalised) if its date of birth is `birth_date`.
    pub fn find(&self, key: &str, birth_date: NaiveDate) -> Option<&PublishedResult> {
        let r = &self.records[*self.keys.get(key)? as usize];
        (r.birth_date == birth_date).then_some(r)
    }
}

/// The canonical form of what an applicant types: a tracking code ("ts-abcd-efgh" →
/// "TS-ABCD-EFGH"), else a candidate number (letters and digits, upper case, 1–20 long).
pub fn normalize_number(input: &str) -> Option<String> {
    if let Some(code) = canonical_tracking_code(input) {
        return Some(code);
    }
    let s: String = input
        .trim()
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect::<String>()
        .to_ascii_uppercase();
    let ok = (1..=20).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_alphanumeric());
    ok.then_some(s)
}

/// A date of birth as typed: "2010-05-31" (the date input) or "31/05/2010".
pub fn parse_birth_date(input: &str) -> Option<NaiveDate> {
    let s = input.trim();
    NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .or_else(|_| NaiveDate::parse_from_str(s, "%d/%m/%Y"))
        .ok()
}

/// Where results come from.
enum Source {
    /// The live database: indexes load on first use and follow publications.
    Database(Store),
    /// Snapshot files loaded at start; nothing changes.
    Snapshot,
}

/// The lookup's memory: the published campaigns, their indexes, the limiter.
pub struct ResultLookup {
    source: Source,
    campaigns: RwLock<Vec<PublishedCampaign>>,
    indexes: RwLock<HashMap<i64, Arc<ResultIndex>>>,
    /// The first look at which runs are published (every early request waits for it).
    first_check: tokio::sync::OnceCell<()>,
    /// When the published runs were last asked for.
    checked: Mutex<Instant>,
    refreshing: Arc<AtomicBool>,
    /// One load per campaign at a time (the first lookups of a campaign wait for it).
    loading: tokio::sync::Mutex<()>,
    pub limiter: LookupLimiter,
}

impl ResultLookup {
    pub fn database(store: Store) -> Self {
        Self::with_source(Source::Database(store))
    }

    /// A lookup over snapshot indexes only (`serve-results`).
    pub fn snapshot(indexes: Vec<ResultIndex>) -> Self {
        let me = Self::with_source(Source::Snapshot);
        {
            let mut campaigns = me.campaigns.write().unwrap_or_else(|e| e.into_inner());
            let mut map = me.indexes.write().unwrap_or_else(|e| e.into_inner());
            for index in indexes {
                campaigns.push(index.campaign.clone());
                map.insert(index.campaign.id, Arc::new(index));
            }
            campaigns.sort_by_key(|c| std::cmp::Reverse(c.id));
        }
        me
    }

    fn with_source(source: Source) -> Self {
        ResultLookup {
            source,
            campaigns: RwLock::default(),
            indexes: RwLock::default(),
            first_check: tokio::sync::OnceCell::new(),
            checked: Mutex::new(Instant::now()),
            refreshing: Arc::new(AtomicBool::new(false)),
            loading: tokio::sync::Mutex::new(()),
            limiter: LookupLimiter::default(),
        }
    }

    fn store(&self) -> Option<&Store> {
        match &self.source {
            Source::Database(s) => Some(s),
            Source::Snapshot => None,
        }
    }

    /// The campaigns with published results, newest first.
    pub async fn campaigns(self: &Arc<Self>) -> Result<Vec<PublishedCampaign>, ApiError> {
        self.refresh().await?;
        Ok(self
            .campaigns
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .clone())
    }

    /// Results loaded in memory, over all campaigns.
    pub fn loaded(&self) -> usize {
        let map = self.indexes.read().unwrap_or_else(|e| e.into_inner());
        map.values().map(|i| i.len()).sum()
    }

    /// The index of a published campaign (`None` when nothing is published for it).
    pub async fn index(
        self: &Arc<Self>,
        campaign_id: i64,
    ) -> Result<Option<Arc<ResultIndex>>, ApiError> {
        self.refresh().await?;
        if let Some(i) = self.cached(campaign_id) {
            return Ok(Some(i));
        }
        let Some(store) = self.store() else {
            return Ok(None);
        };
        let published = self
            .campaigns
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .iter()
            .any(|c| c.id == campaign_id);
        if !published {
            return Ok(None);
        }
        let _one_at_a_time = self.loading.lock().await;
        if let Some(i) = self.cached(campaign_id) {
            return Ok(Some(i));
        }
        let loaded = load(store, campaign_id).await?;
        if let Some(i) = &loaded {
            self.indexes
                .write()
                .unwrap_or_else(|e| e.into_inner())
                .insert(campaign_id, i.clone());
        }
        Ok(loaded)
    }

    fn cached(&self, campaign_id: i64) -> Option<Arc<ResultIndex>> {
        let map = self.indexes.read().unwrap_or_else(|e| e.into_inner());
        map.get(&campaign_id).cloned()
    }

    /// At most every [`REFRESH`]: asks which runs are published, in the background (the very
    /// first time inline, every early request waiting for it, since nothing is known yet). A
    /// changed run is loaded beside the old index, which keeps answering until replaced.
    async fn refresh(self: &Arc<Self>) -> Result<(), ApiError> {
        let Some(store) = self.store() else {
            return Ok(());
        };
        self.first_check
            .get_or_try_init(|| async {
                let list = lookup::published_campaigns(&mut store.conn()).await?;
                *self.campaigns.write().unwrap_or_else(|e| e.into_inner()) = list;
                *self.checked.lock().unwrap_or_else(|e| e.into_inner()) = Instant::now();
                Ok::<(), ApiError>(())
            })
            .await?;
        {
            let mut checked = self.checked.lock().unwrap_or_else(|e| e.into_inner());
            if checked.elapsed() < REFRESH {
                return Ok(());
            }
            *checked = Instant::now();
        }
        if self.refreshing.swap(true, Ordering::AcqRel) {
            return Ok(());
        }
        let me = self.clone();
        tokio::spawn(async move {
            if let Err(e) = me.follow_publications().await {
                tracing::warn!(error = %e, "admission lookup: refreshing published runs failed");
            }
            me.refreshing.store(false, Ordering::Release);
        });
        Ok(())
    }

    /// Loads every published campaign's index now (at server start), so that the first
    /// lookups of result day do not wait for it.
    pub fn warm(self: &Arc<Self>) {
        let me = self.clone();
        tokio::spawn(async move {
            let loaded = async {
                for c in me.campaigns().await? {
                    me.index(c.id).await?;
                }
                Ok::<(), ApiError>(())
            };
            if let Err(e) = loaded.await {
                tracing::warn!(error = %e, "admission lookup: loading published results failed");
            }
        });
    }

    async fn follow_publications(&self) -> Result<(), ApiError> {
        let Some(store) = self.store() else {
            return Ok(());
        };
        let list = lookup::published_campaigns(&mut store.conn()).await?;
        *self.campaigns.write().unwrap_or_else(|e| e.into_inner()) = list.clone();
        let stale: Vec<i64> = {
            let map = self.indexes.read().unwrap_or_else(|e| e.into_inner());
            map.values()
                .filter(|i| {
                    list.iter()
                        .find(|c| c.id == i.campaign.id)
                        .is_none_or(|c| c.published_run_id != i.run_id())
                })
                .map(|i| i.campaign.id)
                .collect()
        };
        for id in stale {
            let fresh = load(store, id).await?;
            let mut map = self.indexes.write().unwrap_or_else(|e| e.into_inner());
            match fresh {
                Some(i) => {
                    tracing::info!(
                        campaign = id,
                        run = i.run_id(),
                        results = i.len(),
                        "admission lookup: published run reloaded"
                    );
                    map.insert(id, i);
                }
                None => {
                    map.remove(&id);
                }
            }
        }
        Ok(())
    }

    /// Records an address crossing a limit (once per window), where there is a database.
    fn audit(&self, client: Option<IpAddr>, detail: String) {
        let Some(store) = self.store().cloned() else {
            return;
        };
        tokio::spawn(async move {
            let actor = AuditActor {
                client: client.map(|c| c.to_string()),
                ..Default::default()
            };
            let entry = NewAuditEntry {
                action: AuditAction::Denied,
                entity: "admission_lookup",
                entity_id: None,
                org_id: None,
                detail: Some(detail),
            };
            if let Err(e) = truongso_store::audit::record(&mut store.conn(), &actor, &entry).await {
                tracing::error!(error = %e, "admission lookup: audit entry failed");
            }
        });
    }
}

async fn load(store: &Store, campaign_id: i64) -> Result<Option<Arc<ResultIndex>>, ApiError> {
    let started = Instant::now();
    let mut index: Option<ResultIndex> = None;
    let mut i = ResultIndex::new(PublishedCampaign::default());
    let run = lookup::published(&mut store.conn(), campaign_id, |r| i.insert(r)).await?;
    if let Some(run) = run {
        i.campaign = run.campaign;
        i.records.shrink_to_fit();
        tracing::info!(
            campaign = campaign_id,
            run = i.run_id(),
            results = i.len(),
            ms = started.elapsed().as_millis() as u64,
            "admission lookup: published results loaded"
        );
        index = Some(i);
    }
    Ok(index.map(Arc::new))
}

/// Lookups and misses per client address, in fixed windows started by the address's first
/// request (a minute for lookups, an hour for misses). Sharded so that a thousand concurrent
/// connections do not queue on one lock.
pub struct LookupLimiter {
    shards: Vec<Mutex<HashMap<Option<IpAddr>, Window>>>,
}

impl Default for LookupLimiter {
    fn default() -> Self {
        LookupLimiter {
            shards: (0..SHARDS).map(|_| Mutex::default()).collect(),
        }
    }
}

struct Window {
    minute: Instant,
    lookups: u32,
    /// Whether this minute's refusal was already audited.
    minute_reported: bool,
    hour: Instant,
    misses: u32,
}

const MINUTE: Duration = Duration::from_secs(60);
const HOUR: Duration = Duration::from_secs(3600);

/// The limiter's answer to one lookup.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    Allow,
    /// Refused for `retry_after`; `report` when this is the window's first refusal.
    Refuse {
        retry_after: Duration,
        misses: bool,
        report: bool,
    },
}

impl LookupLimiter {
    fn shard(
        &self,
        client: Option<IpAddr>,
    ) -> std::sync::MutexGuard<'_, HashMap<Option<IpAddr>, Window>> {
        use std::hash::{BuildHasher, RandomState};
        static HASHER: std::sync::LazyLock<RandomState> =
            std::sync::LazyLock::new(RandomState::new);
        let i = (HASHER.hash_one(client) as usize) % self.shards.len();
        self.shards[i].lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Counts a lookup from `client`, or refuses it.
    pub fn check(&self, client: Option<IpAddr>, limits: &LookupLimits) -> Verdict {
        let now = Instant::now();
        let mut map = self.shard(client);
        if map.len() >= MAX_TRACKED / SHARDS {
            map.retain(|_, w| {
                now.duration_since(w.hour) < HOUR || now.duration_since(w.minute) < MINUTE
            });
        }
        let w = map.entry(client).or_insert(Window {
            minute: now,
            lookups: 0,
            minute_reported: false,
            hour: now,
            misses: 0,
        });
        if now.duration_since(w.minute) >= MINUTE {
            (w.minute, w.lookups, w.minute_reported) = (now, 0, false);
        }
        if now.duration_since(w.hour) >= HOUR {
            (w.hour, w.misses) = (now, 0);
        }
        if w.misses >= limits.misses_per_hour {
            return Verdict::Refuse {
                retry_after: HOUR.saturating_sub(now.duration_since(w.hour)),
                misses: true,
                // The crossing itself was reported by `missed`.
                report: false,
            };
        }
        if w.lookups >= limits.per_minute {
            let report = !w.minute_reported;
            w.minute_reported = true;
            return Verdict::Refuse {
                retry_after: MINUTE.saturating_sub(now.duration_since(w.minute)),
                misses: false,
                report,
            };
        }
        w.lookups += 1;
        Verdict::Allow
    }

    /// Counts a miss; true when this one reaches the hour's limit (to be reported).
    pub fn missed(&self, client: Option<IpAddr>, limits: &LookupLimits) -> bool {
        let mut map = self.shard(client);
        let Some(w) = map.get_mut(&client) else {
            return false;
        };
        w.misses += 1;
        w.misses == limits.misses_per_hour
    }
}

/// What the lookup handlers work with: the results and the limits in force. On the main server
/// it comes from [`AppState`] (limits from `[admission.lookup]`); `serve-results` holds it alone.
#[derive(Clone)]
pub struct LookupHandle {
    pub results: Arc<ResultLookup>,
    pub limits: LookupLimits,
}

impl FromRef<AppState> for LookupHandle {
    fn from_ref(state: &AppState) -> Self {
        LookupHandle {
            results: state.lookup.clone(),
            limits: state.admission.lookup.clone(),
        }
    }
}

/// The client address and language of a request, without touching any session.
pub struct Client {
    pub ip: Option<IpAddr>,
    pub lang: Lang,
    if_none_match: Option<String>,
}

impl<S: Send + Sync> FromRequestParts<S> for Client {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(Client {
            ip: parts
                .extensions
                .get::<ConnectInfo<SocketAddr>>()
                .map(|c| c.0.ip()),
            lang: Lang::from_parts(parts),
            if_none_match: parts
                .headers
                .get(header::IF_NONE_MATCH)
                .and_then(|v| v.to_str().ok())
                .map(str::to_string),
        })
    }
}

/// The lookup's query string (page form and API alike).
#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct LookupQuery {
    /// The campaign (đợt tuyển sinh) whose results to search.
    pub campaign_id: Option<String>,
    /// Candidate number (số báo danh) or tracking code (mã hồ sơ, "TS-XXXX-XXXX").
    pub number: Option<String>,
    /// Date of birth, "YYYY-MM-DD" (or "DD/MM/YYYY").
    pub birth_date: Option<String>,
}

/// One applicant's published result, as the public sees it.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, utoipa::ToSchema)]
pub struct LookupResult {
    pub campaign_id: i64,
    pub campaign_name: String,
    pub entry_grade: i32,
    pub run_id: i64,
    pub candidate_number: Option<String>,
    pub full_name: String,
    pub birth_date: NaiveDate,
    /// admitted | not_admitted | waiting | not_considered
    pub outcome: String,
    pub outcome_label: String,
    pub school_name: Option<String>,
    /// The choice (nguyện vọng) admitted on, 1-based.
    pub choice: Option<i32>,
    /// Grade 10: the admission score (three papers + priority points), e.g. 40.25.
    pub total_score: Option<f64>,
    pub explanation: String,
}

impl LookupResult {
    fn new(index: &ResultIndex, r: &PublishedResult) -> Self {
        let outcome = Outcome::try_from(r.outcome.clone()).ok();
        LookupResult {
            campaign_id: index.campaign.id,
            campaign_name: index.campaign.name.clone(),
            entry_grade: index.campaign.entry_grade,
            run_id: index.run_id(),
            candidate_number: r.candidate_number.clone(),
            full_name: r.full_name.clone(),
            birth_date: r.birth_date,
            outcome: r.outcome.clone(),
            outcome_label: outcome.map_or_else(|| r.outcome.clone(), |o| o.label_vi().to_string()),
            school_name: r.school_name.clone(),
            choice: r.choice,
            total_score: r.total_score.map(|h| f64::from(h) / 100.0),
            explanation: r.explanation.clone(),
        }
    }

    fn total_score_vi(&self) -> Option<String> {
        self.total_score
            .map(|s| Points::from_hundredths((s * 100.0).round() as i64).vi())
    }
}

/// What one lookup came to (shared by the page and the API).
enum Looked {
    Found(Box<LookupResult>, String),
    /// Unknown number or wrong date of birth: indistinguishable on purpose.
    Missing,
    NotPublished,
    Refused(Duration),
    Bad(&'static str, &'static str),
}

/// The one message of a miss, whatever the cause.
pub const NOT_FOUND_VI: &str = "Không tìm thấy kết quả với số báo danh (hoặc mã hồ sơ) và ngày sinh đã nhập. Vui lòng kiểm tra lại.";

async fn look_up(h: &LookupHandle, client: &Client, q: &LookupQuery) -> Result<Looked, ApiError> {
    match h.results.limiter.check(client.ip, &h.limits) {
        Verdict::Allow => {}
        Verdict::Refuse {
            retry_after,
            misses,
            report,
        } => {
            let why = if misses {
                "misses_per_hour"
            } else {
                "per_minute"
            };
            tracing::warn!(client = ?client.ip, limit = why, "admission lookup refused");
            if report {
                h.results.audit(
                    client.ip,
                    format!(
                        "tra cứu kết quả bị từ chối: vượt {} lượt/phút",
                        h.limits.per_minute
                    ),
                );
            }
            return Ok(Looked::Refused(retry_after));
        }
    }
    let text = |v: &Option<String>| {
        v.as_deref()
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .map(str::to_string)
    };
    let Some(campaign_id) = text(&q.campaign_id).and_then(|c| c.parse::<i64>().ok()) else {
        return Ok(Looked::Bad("campaign_id", "Chọn đợt tuyển sinh."));
    };
    let Some(number) = text(&q.number) else {
        return Ok(Looked::Bad("number", "Nhập số báo danh hoặc mã hồ sơ."));
    };
    let Some(birth_date) = text(&q.birth_date).as_deref().and_then(parse_birth_date) else {
        return Ok(Looked::Bad(
            "birth_date",
            "Ngày sinh không hợp lệ (ví dụ 31/05/2010).",
        ));
    };
    let Some(index) = h.results.index(campaign_id).await? else {
        return Ok(Looked::NotPublished);
    };
    let found = normalize_number(&number).and_then(|k| Some((index.find(&k, birth_date)?, k)));
    match found {
        Some((r, key)) => Ok(Looked::Found(
            Box::new(LookupResult::new(&index, r)),
            format!("\"{}-{key}\"", index.run_id()),
        )),
        None => {
            if h.results.limiter.missed(client.ip, &h.limits) {
                tracing::warn!(client = ?client.ip, "admission lookup: miss limit reached");
                h.results.audit(
                    client.ip,
                    format!(
                        "tra cứu kết quả: {} lượt không tìm thấy trong một giờ, tạm khoá địa chỉ",
                        h.limits.misses_per_hour
                    ),
                );
            }
            Ok(Looked::Missing)
        }
    }
}

fn cache_headers(res: &mut Response, found: Option<(&str, u32)>) {
    let headers = res.headers_mut();
    match found {
        Some((etag, seconds)) => {
            if let Ok(v) = HeaderValue::from_str(&format!("public, max-age={seconds}")) {
                headers.insert(header::CACHE_CONTROL, v);
            }
            if let Ok(v) = HeaderValue::from_str(etag) {
                headers.insert(header::ETAG, v);
            }
        }
        None => {
            headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        }
    }
}

fn problem(status: StatusCode, detail: &str, field: Option<&str>) -> Response {
    let p = Problem {
        kind: "about:blank".to_string(),
        title: status.canonical_reason().unwrap_or("Error").to_string(),
        status: status.as_u16(),
        detail: detail.to_string(),
        errors: field
            .map(|f| vec![truongso_domain::FieldError::new(f, detail)])
            .unwrap_or_default(),
    };
    let body = serde_json::to_vec(&p).expect("problem serialises");
    (
        status,
        [(header::CONTENT_TYPE, "application/problem+json")],
        body,
    )
        .into_response()
}

fn not_modified(client: &Client, etag: &str) -> bool {
    client
        .if_none_match
        .as_deref()
        .is_some_and(|v| v.split(',').any(|t| t.trim() == etag))
}

/// Look up one applicant's published result by candidate number (số báo danh) or tracking code
/// (mã hồ sơ) and date of birth. Only that applicant's result is returned. An unknown number
/// and a wrong date of birth give the same 404. Found results may be cached
/// (`Cache-Control: public`, ETag of run and number); lookups are limited per client address
/// (429 with Retry-After).
#[utoipa::path(get, path = "/public/admission/results", tag = "admission-lookup",
    params(LookupQuery),
    security(()),
    responses(
        (status = 200, body = LookupResult, description = "Kết quả của thí sinh"),
        (status = 304, description = "Không đổi so với ETag đã có"),
        (status = 400, body = Problem),
        (status = 404, body = Problem, description = "Không tìm thấy (số không có hoặc sai ngày sinh: cùng một câu trả lời), hoặc đợt chưa công bố"),
        (status = 429, body = Problem, description = "Quá nhiều lượt tra cứu từ địa chỉ này")))]
pub async fn api_lookup(
    State(h): State<LookupHandle>,
    client: Client,
    axum::extract::Query(q): axum::extract::Query<LookupQuery>,
) -> Response {
    let looked = match look_up(&h, &client, &q).await {
        Ok(l) => l,
        Err(e) => return e.into_response(),
    };
    let mut res = match looked {
        Looked::Found(r, etag) => {
            let mut res = if not_modified(&client, &etag) {
                StatusCode::NOT_MODIFIED.into_response()
            } else {
                Json(r).into_response()
            };
            cache_headers(&mut res, Some((&etag, h.limits.cache_seconds)));
            return res;
        }
        Looked::Missing => problem(StatusCode::NOT_FOUND, NOT_FOUND_VI, None),
        Looked::NotPublished => problem(
            StatusCode::NOT_FOUND,
            "Đợt tuyển sinh này chưa công bố kết quả.",
            Some("campaign_id"),
        ),
        Looked::Refused(wait) => ApiError::TooManyRequests(wait.as_secs().max(1)).into_response(),
        Looked::Bad(field, msg) => problem(StatusCode::BAD_REQUEST, msg, Some(field)),
    };
    cache_headers(&mut res, None);
    res
}

#[derive(Template, WebTemplate)]
#[template(path = "admission_results.html")]
struct ResultsPage {
    lang: Lang,
    campaigns: Vec<PublishedCampaign>,
    campaign_id: Option<i64>,
    number: String,
    birth_date: String,
    result: Option<LookupResult>,
    score: Option<String>,
    message: Option<String>,
}

/// `/admission/results`: the lookup form (GET, so a result is bookmarkable) and its answer.
pub async fn page(
    State(h): State<LookupHandle>,
    client: Client,
    axum::extract::Query(q): axum::extract::Query<LookupQuery>,
) -> Response {
    let campaigns = match h.results.campaigns().await {
        Ok(c) => c,
        Err(e) => return e.into_response(),
    };
    let asked = q.number.as_deref().is_some_and(|n| !n.trim().is_empty());
    let mut page = ResultsPage {
        lang: client.lang,
        campaign_id: q
            .campaign_id
            .as_deref()
            .and_then(|c| c.trim().parse().ok())
            .or_else(|| campaigns.first().map(|c| c.id)),
        campaigns,
        number: q.number.clone().unwrap_or_default(),
        birth_date: q.birth_date.clone().unwrap_or_default(),
        result: None,
        score: None,
        message: None,
    };
    if !asked {
        let mut res = page.into_response();
        cache_headers(&mut res, None);
        return res;
    }
    let looked = match look_up(&h, &client, &q).await {
        Ok(l) => l,
        Err(e) => return e.into_response(),
    };
    let (status, etag, retry) = match looked {
        Looked::Found(r, etag) => {
            page.score = r.total_score_vi();
            page.result = Some(*r);
            (StatusCode::OK, Some(etag), None)
        }
        Looked::Missing => {
            page.message = Some(NOT_FOUND_VI.to_string());
            (StatusCode::NOT_FOUND, None, None)
        }
        Looked::NotPublished => {
            page.message = Some("Đợt tuyển sinh này chưa công bố kết quả.".to_string());
            (StatusCode::NOT_FOUND, None, None)
        }
        Looked::Refused(wait) => {
            let minutes = wait.as_secs().div_ceil(60).max(1);
            page.message = Some(format!(
                "Địa chỉ của bạn tra cứu quá nhiều lần. Vui lòng thử lại sau {minutes} phút."
            ));
            (
                StatusCode::TOO_MANY_REQUESTS,
                None,
                Some(wait.as_secs().max(1)),
            )
        }
        Looked::Bad(_, msg) => {
            page.message = Some(msg.to_string());
            (StatusCode::BAD_REQUEST, None, None)
        }
    };
    if let Some(etag) = &etag
        && not_modified(&client, etag)
    {
        let mut res = StatusCode::NOT_MODIFIED.into_response();
        cache_headers(&mut res, Some((etag, h.limits.cache_seconds)));
        return res;
    }
    let mut res = (status, page).into_response();
    cache_headers(
        &mut res,
        etag.as_deref().map(|e| (e, h.limits.cache_seconds)),
    );
    if let Some(secs) = retry {
        res.headers_mut().insert(header::RETRY_AFTER, secs.into());
    }
    res
}

/// The lookup routes of the main server's page router (the API is registered with the others).
pub fn page_router() -> axum::Router<AppState> {
    axum::Router::new().route("/admission/results", axum::routing::get(page))
}

/// `serve-results`: the lookup page, its API, the stylesheet and health, from snapshot indexes
/// only — no database, no sessions.
pub fn snapshot_app(results: Arc<ResultLookup>, limits: LookupLimits) -> axum::Router {
    use axum::routing::get;
    let handle = LookupHandle { results, limits };
    axum::Router::new()
        .route("/admission/results", get(page))
        .route("/api/v1/public/admission/results", get(api_lookup))
        .route("/static/style.css", get(crate::stylesheet))
        .route("/healthz", get(snapshot_health))
        .route("/healthz/live", get(crate::live))
        .with_state(handle)
        .layer(tower_http::compression::CompressionLayer::new())
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
                "default-src 'self'; style-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'",
            ),
        ))
}

async fn snapshot_health(State(h): State<LookupHandle>) -> impl IntoResponse {
    let mut headers = HeaderMap::new();
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    (headers, format!("ok {}", h.results.loaded()))
}

/// Loads snapshot files into indexes (one campaign per file).
pub fn load_snapshots(paths: &[std::path::PathBuf]) -> std::io::Result<Vec<ResultIndex>> {
    paths
        .iter()
        .map(|p| {
            let mut index = ResultIndex::new(PublishedCampaign::default());
            let header = lookup::read_snapshot(p, |r| index.insert(r))?;
            index.campaign = header.campaign;
            index.records.shrink_to_fit();
            Ok(index)
        })
        .collect()
}
