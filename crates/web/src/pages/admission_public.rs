//! The public side of admission, for guardians without an account: the open campaigns, signing
//! in with a one-time code sent to a phone or e-mail, the application form (documents in the
//! same request), the receipt with its tracking code, and the demo's outbox.
//!
//! Plain forms and links: everything works without JavaScript on a small screen. Forms carry
//! the pre-session CSRF token (the login page's double-submit cookie), or the staff session's
//! when a staff member happens to be signed in.

use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use chrono::{NaiveDate, Utc};
use serde::Deserialize;
use truongso_domain::FieldError;
use truongso_domain::admission::contact::Contact;
use truongso_domain::dx::MAX_EVIDENCE_BYTES;
use truongso_store::StoreError;
use truongso_store::admission::guardian::{self, ApplicationForm, CodeCheck, OutboxMessage};
use truongso_store::admission::{
    self as adm, Application, Campaign, CampaignSchool, CampaignStatus, Choice, Document,
    DocumentRequirement,
};
use truongso_store::secret::new_secret;

use super::gradebook::vn_time;
use super::{Crumb, InLang, Nav, PageResult};
use crate::AppState;
use crate::actor::{Actor, Credential};
use crate::api::parse_query;
use crate::auth::cookies;
use crate::error::ApiError;
use crate::i18n::Lang;

/// The guardian session cookie (HttpOnly, SameSite=Lax; Secure per the server's setting).
pub const GUARDIAN_COOKIE: &str = "truongso_guardian";

/// Documents one application form may carry at once (each at most 5 MB).
const MAX_DOCUMENTS_PER_REQUEST: usize = 6;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/admission", get(home))
        .route("/admission/sign-in", get(sign_in_page).post(send_code))
        .route("/admission/sign-in/code", get(code_page).post(enter_code))
        .route("/admission/sign-out", post(sign_out))
        .route("/admission/outbox", get(outbox_page))
        .route("/admission/{campaign_id}", get(campaign_page))
        .route(
            "/admission/{campaign_id}/apply",
            get(apply_page)
                .post(apply)
                .layer(axum::extract::DefaultBodyLimit::max(
                    MAX_DOCUMENTS_PER_REQUEST * MAX_EVIDENCE_BYTES + 256 * 1024,
                )),
        )
        .route(
            "/admission/applications/{tracking_code}",
            get(application_page),
        )
        .route(
            "/admission/applications/{tracking_code}/withdraw",
            post(withdraw),
        )
        .route(
            "/admission/applications/{tracking_code}/documents/{document_id}",
            get(document),
        )
}

// ---------------------------------------------------------------------------------------------
// Sessions, CSRF, redirects

fn is_secure(s: &AppState, headers: &HeaderMap) -> bool {
    s.secure_cookies
        || headers
            .get("x-forwarded-proto")
            .is_some_and(|v| v.as_bytes() == b"https")
}

/// The contact of the guardian session in the request, if any.
async fn guardian_of(s: &AppState, headers: &HeaderMap) -> Result<Option<Contact>, ApiError> {
    let Some(token) = cookies::get(headers, GUARDIAN_COOKIE) else {
        return Ok(None);
    };
    Ok(guardian::guardian_session(&mut s.store.conn(), &token).await?)
}

/// The CSRF token for a page's forms, and the cookie to set when the browser has none yet
/// (the same double-submit cookie as the staff login page, which the policy checks).
fn form_csrf(s: &AppState, actor: &Actor, headers: &HeaderMap) -> (String, Option<HeaderValue>) {
    if let Credential::Session { csrf, .. } = &actor.credential {
        return (csrf.clone(), None);
    }
    match cookies::get(headers, cookies::LOGIN_CSRF) {
        Some(existing) => (existing, None),
        None => {
            let fresh = new_secret("");
            let cookie = cookies::set(cookies::LOGIN_CSRF, &fresh, None, is_secure(s, headers));
            (fresh, Some(cookie))
        }
    }
}

fn with_cookie(mut r: Response, cookie: Option<HeaderValue>) -> Response {
    if let Some(c) = cookie {
        r.headers_mut().append(header::SET_COOKIE, c);
    }
    r
}

/// Pages with a child's personal data are kept by no cache, shared or not.
fn private(mut r: Response) -> Response {
    r.headers_mut().insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, no-store"),
    );
    r
}

/// Only local paths are followed after signing in (no open redirect).
fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(n) if n.starts_with('/') && !n.starts_with("//") && !n.contains('\\') => n.into(),
        _ => "/admission".into(),
    }
}

fn to_sign_in(next: &str) -> Response {
    let q = form_urlencoded::Serializer::new(String::new())
        .append_pair("next", next)
        .finish();
    Redirect::to(&format!("/admission/sign-in?{q}")).into_response()
}

fn crumbs(lang: Lang, extra: Option<(String, String)>) -> Vec<Crumb> {
    let mut c = vec![Crumb {
        href: "/admission".into(),
        label: lang.label("Tuyển sinh", "Admission").into(),
    }];
    if let Some((href, label)) = extra {
        c.push(Crumb { href, label });
    }
    c
}

fn date_vn(at: chrono::DateTime<Utc>) -> String {
    vn_time(at, "%H:%M %d/%m/%Y")
}

/// A campaign the public may see (anything but a draft).
async fn public_campaign(s: &AppState, actor: &Actor, id: i64) -> PageResult<Campaign> {
    let c = adm::campaign(&mut s.store.conn(), id).await.lang(actor)?;
    if c.status == CampaignStatus::Draft {
        return Err((actor, StoreError::not_found("đợt tuyển sinh")).into());
    }
    Ok(c)
}

// ---------------------------------------------------------------------------------------------
// The campaigns

pub struct CampaignRow {
    pub id: i64,
    pub name: String,
    pub grade: i32,
    pub status: String,
    pub open: bool,
    pub closes: String,
    pub results: String,
}

impl CampaignRow {
    fn of(c: &Campaign) -> Self {
        CampaignRow {
            id: c.id,
            name: c.name.clone(),
            grade: c.entry_grade,
            status: c.status.label_vi().into(),
            open: c.accepts_applications(Utc::now()),
            closes: date_vn(c.closes_at),
            results: date_vn(c.results_at),
        }
    }
}

pub struct MyApplication {
    pub code: String,
    pub name: String,
    pub status: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "admission_home.html")]
pub struct HomePage {
    lang: Lang,
    nav: Nav,
    crumbs: Vec<Crumb>,
    csrf: String,
    campaigns: Vec<CampaignRow>,
    signed_in: Option<String>,
    mine: Vec<MyApplication>,
}

pub async fn home(
    State(s): State<AppState>,
    actor: Actor,
    headers: HeaderMap,
) -> PageResult<Response> {
    let campaigns = adm::public_campaigns(&mut s.store.conn())
        .await
        .lang(&actor)?;
    let who = guardian_of(&s, &headers).await.lang(&actor)?;
    let mine = match &who {
        Some(c) => guardian::applications_of(&mut s.store.conn(), c)
            .await
            .lang(&actor)?
            .into_iter()
            .map(|a| MyApplication {
                code: a.tracking_code,
                name: a.full_name,
                status: a.status.label_vi().into(),
            })
            .collect(),
        None => vec![],
    };
    let (csrf, cookie) = form_csrf(&s, &actor, &headers);
    let page = HomePage {
        lang: actor.lang,
        nav: Nav::of(&actor),
        crumbs: vec![],
        csrf,
        campaigns: campaigns.iter().map(CampaignRow::of).collect(),
        signed_in: who.map(|c| c.masked()),
        mine,
    };
    Ok(with_cookie(page.into_response(), cookie))
}

pub struct SchoolRow {
    pub name: String,
    pub seats: i32,
    pub zone: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "admission_campaign.html")]
pub struct CampaignPage {
    lang: Lang,
    nav: Nav,
    crumbs: Vec<Crumb>,
    c: CampaignRow,
    opens: String,
    by_exam: bool,
    max_choices: i32,
    schools: Vec<SchoolRow>,
    documents: Vec<DocumentRequirement>,
}

pub async fn campaign_page(
    State(s): State<AppState>,
    actor: Actor,
    Path(id): Path<i64>,
) -> PageResult<Response> {
    let c = public_campaign(&s, &actor, id).await?;
    let schools = adm::campaign_schools(&mut s.store.conn(), id)
        .await
        .lang(&actor)?;
    let codes: Vec<String> = schools
        .iter()
        .flat_map(|s| s.zone_areas.iter().cloned())
        .collect();
    let names = guardian::unit_names(&mut s.store.conn(), &codes)
        .await
        .lang(&actor)?;
    let rows = schools
        .iter()
        .map(|sc| SchoolRow {
            name: sc.name.clone(),
            seats: sc.seats,
            zone: sc
                .zone_areas
                .iter()
                .map(|a| names.get(a).cloned().unwrap_or_else(|| a.clone()))
                .collect::<Vec<_>>()
                .join(", "),
        })
        .collect();
    let page = CampaignPage {
        lang: actor.lang,
        nav: Nav::of(&actor),
        crumbs: crumbs(actor.lang, None),
        c: CampaignRow::of(&c),
        opens: date_vn(c.opens_at),
        by_exam: c.by_exam(),
        max_choices: c.max_choices,
        schools: rows,
        documents: c.required_documents.clone(),
    };
    Ok(page.into_response())
}

// ---------------------------------------------------------------------------------------------
// Signing in with a one-time code

#[derive(Template, WebTemplate)]
#[template(path = "admission_sign_in.html")]
pub struct SignInPage {
    lang: Lang,
    nav: Nav,
    crumbs: Vec<Crumb>,
    csrf: String,
    /// "contact" (ask for the phone or e-mail) or "code" (ask for the code).
    step: &'static str,
    contact: String,
    masked: String,
    next: String,
    /// `next` encoded for a query string.
    next_q: String,
    error: Option<String>,
}

#[derive(Deserialize, Default)]
pub struct NextQuery {
    next: Option<String>,
}

#[allow(clippy::too_many_arguments)]
fn sign_in_view(
    s: &AppState,
    actor: &Actor,
    headers: &HeaderMap,
    step: &'static str,
    contact: &str,
    next: Option<&str>,
    error: Option<String>,
    status: StatusCode,
) -> Response {
    let (csrf, cookie) = form_csrf(s, actor, headers);
    let masked = Contact::parse(contact)
        .map(|c| c.masked())
        .unwrap_or_default();
    let page = SignInPage {
        lang: actor.lang,
        nav: Nav::of(actor),
        crumbs: crumbs(actor.lang, None),
        csrf,
        step,
        contact: contact.to_string(),
        masked,
        next_q: form_urlencoded::byte_serialize(safe_next(next).as_bytes()).collect(),
        next: safe_next(next),
        error,
    };
    with_cookie((status, page).into_response(), cookie)
}

pub async fn sign_in_page(
    State(s): State<AppState>,
    actor: Actor,
    headers: HeaderMap,
    Query(q): Query<NextQuery>,
) -> Response {
    sign_in_view(
        &s,
        &actor,
        &headers,
        "contact",
        "",
        q.next.as_deref(),
        None,
        StatusCode::OK,
    )
}

pub async fn code_page(
    State(s): State<AppState>,
    actor: Actor,
    headers: HeaderMap,
    Query(q): Query<NextQuery>,
) -> Response {
    sign_in_view(
        &s,
        &actor,
        &headers,
        "code",
        "",
        q.next.as_deref(),
        None,
        StatusCode::OK,
    )
}

#[derive(Deserialize)]
pub struct ContactForm {
    #[serde(default)]
    contact: String,
    #[serde(default)]
    code: String,
    next: Option<String>,
}

/// Sends a code to the contact typed, then shows the form to enter it.
pub async fn send_code(
    State(s): State<AppState>,
    actor: Actor,
    headers: HeaderMap,
    body: String,
) -> PageResult<Response> {
    let form: ContactForm = parse_query(&body).lang(&actor)?;
    let next = form.next.as_deref();
    let view = |step, error, status| {
        sign_in_view(
            &s,
            &actor,
            &headers,
            step,
            &form.contact,
            next,
            error,
            status,
        )
    };
    let contact = match Contact::parse(&form.contact) {
        Ok(c) => c,
        Err(m) => {
            return Ok(view(
                "contact",
                Some(m.to_string()),
                StatusCode::UNPROCESSABLE_ENTITY,
            ));
        }
    };
    let client = actor.client.map(|c| c.ip().to_string());
    let mut tx = s.store.begin().await.lang(&actor)?;
    match guardian::send_code(&mut tx, &contact, client.as_deref(), &s.admission.codes).await {
        Ok(_) => {
            tx.commit().await.lang(&actor)?;
            Ok(view("code", None, StatusCode::OK))
        }
        Err(StoreError::Conflict(e)) => {
            tracing::warn!(client = ?client, "one-time code refused: {}", e.message);
            Ok(view(
                "contact",
                Some(e.message),
                StatusCode::TOO_MANY_REQUESTS,
            ))
        }
        Err(e) => Err((&actor, e).into()),
    }
}

/// Checks the code; when right, sets the guardian cookie and goes back where the guardian was.
pub async fn enter_code(
    State(s): State<AppState>,
    actor: Actor,
    headers: HeaderMap,
    body: String,
) -> PageResult<Response> {
    let form: ContactForm = parse_query(&body).lang(&actor)?;
    let next = form.next.as_deref();
    let refuse = |message: String| {
        sign_in_view(
            &s,
            &actor,
            &headers,
            "code",
            &form.contact,
            next,
            Some(message),
            StatusCode::UNPROCESSABLE_ENTITY,
        )
    };
    let contact = match Contact::parse(&form.contact) {
        Ok(c) => c,
        Err(m) => return Ok(refuse(m.to_string())),
    };
    let mut tx = s.store.begin().await.lang(&actor)?;
    let check = guardian::verify_code(&mut tx, &contact, &form.code, &s.admission.codes)
        .await
        .lang(&actor)?;
    // A spent attempt counts as much as a success.
    tx.commit().await.lang(&actor)?;
    match check {
        CodeCheck::Accepted { token, .. } => {
            let mut r = Redirect::to(&safe_next(next)).into_response();
            let age = i64::from(s.admission.codes.session_hours) * 3600;
            r.headers_mut().append(
                header::SET_COOKIE,
                cookies::set(GUARDIAN_COOKIE, &token, Some(age), is_secure(&s, &headers)),
            );
            Ok(r)
        }
        other => Ok(refuse(other.message_vi().unwrap_or_default())),
    }
}

pub async fn sign_out(State(s): State<AppState>, actor: Actor, headers: HeaderMap) -> Response {
    if let Some(token) = cookies::get(&headers, GUARDIAN_COOKIE)
        && let Err(e) = guardian::end_session(&mut s.store.conn(), &token).await
    {
        return super::PageError::from((&actor, e)).into_response();
    }
    let mut r = Redirect::to("/admission").into_response();
    r.headers_mut().append(
        header::SET_COOKIE,
        cookies::set(GUARDIAN_COOKIE, "", Some(0), is_secure(&s, &headers)),
    );
    r
}

// ---------------------------------------------------------------------------------------------
// The application form

/// What the form sent, as typed (kept when the form is shown again with errors).
#[derive(Debug, Clone, Default)]
pub struct Values {
    pub national_id: String,
    pub birth_date: String,
    pub full_name: String,
    pub gender: String,
    pub residence_code: String,
    pub address: String,
    pub current_school: String,
    pub guardian_name: String,
    pub priority_group: String,
    pub choices: [String; 3],
}

impl Values {
    fn of(app: &Application, choices: &[Choice]) -> Values {
        let mut v = Values {
            national_id: app.national_id.clone(),
            birth_date: app.birth_date.to_string(),
            full_name: app.full_name.clone(),
            gender: app.gender.clone(),
            residence_code: app.residence_code.clone(),
            address: app.address.clone().unwrap_or_default(),
            current_school: app.current_school.clone().unwrap_or_default(),
            guardian_name: app.guardian_name.clone(),
            priority_group: app
                .priority_group
                .map(|g| g.to_string())
                .unwrap_or_default(),
            choices: Default::default(),
        };
        for c in choices.iter().take(3) {
            v.choices[(c.rank as usize).saturating_sub(1).min(2)] = c.school_id.to_string();
        }
        v
    }

    fn set(&mut self, name: &str, value: String) {
        match name {
            "national_id" => self.national_id = value,
            "birth_date" => self.birth_date = value,
            "full_name" => self.full_name = value,
            "gender" => self.gender = value,
            "residence_code" => self.residence_code = value,
            "address" => self.address = value,
            "current_school" => self.current_school = value,
            "guardian_name" => self.guardian_name = value,
            "priority_group" => self.priority_group = value,
            "choice1" => self.choices[0] = value,
            "choice2" => self.choices[1] = value,
            "choice3" => self.choices[2] = value,
            _ => {}
        }
    }

    /// The store's form, and the errors of what could not even be read.
    fn to_form(&self) -> (ApplicationForm, Vec<FieldError>) {
        let mut errors = vec![];
        let birth_date = parse_date(&self.birth_date);
        if birth_date.is_none() && !self.birth_date.trim().is_empty() {
            errors.push(FieldError::new(
                "birth_date",
                "Ngày sinh không đúng dạng ngày/tháng/năm (ví dụ 14/03/2010).",
            ));
        }
        let priority_group = match self.priority_group.trim() {
            "" => None,
            p => match p.parse() {
                Ok(g) => Some(g),
                Err(_) => {
                    errors.push(FieldError::new("priority_group", "Chọn nhóm ưu tiên."));
                    None
                }
            },
        };
        let mut choices = vec![];
        for (i, c) in self.choices.iter().enumerate() {
            match c.trim() {
                "" => {}
                c => match c.parse() {
                    Ok(id) => choices.push(id),
                    Err(_) => errors.push(FieldError::new(
                        format!("choices[{i}]"),
                        "Chọn trường trong danh sách.",
                    )),
                },
            }
        }
        let form = ApplicationForm {
            national_id: self.national_id.clone(),
            birth_date,
            full_name: self.full_name.clone(),
            gender: self.gender.clone(),
            residence_code: self.residence_code.clone(),
            address: self.address.clone(),
            current_school: self.current_school.clone(),
            guardian_name: self.guardian_name.clone(),
            priority_group,
            choices,
        };
        (form, errors)
    }
}

/// "2010-03-14" (what date inputs send) or "14/03/2010" (what people type).
fn parse_date(s: &str) -> Option<NaiveDate> {
    let s = s.trim();
    NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .or_else(|_| NaiveDate::parse_from_str(s, "%d/%m/%Y"))
        .ok()
}

pub struct SelectItem {
    pub value: String,
    pub label: String,
}

pub struct DocumentField {
    pub code: String,
    pub label: String,
    pub required: bool,
    /// The file already uploaded for it, if any.
    pub current: Option<String>,
}

#[derive(Template, WebTemplate)]
#[template(path = "admission_apply.html")]
pub struct ApplyPage {
    lang: Lang,
    nav: Nav,
    crumbs: Vec<Crumb>,
    csrf: String,
    campaign_id: i64,
    campaign_name: String,
    grade: i32,
    by_exam: bool,
    closes: String,
    /// False once the deadline passed: the page only says so.
    open: bool,
    editing: Option<String>,
    contact: String,
    v: Values,
    schools: Vec<SelectItem>,
    choice_count: usize,
    wards: Vec<SelectItem>,
    documents: Vec<DocumentField>,
    max_mb: usize,
    errors: Vec<FieldError>,
}

/// The form's inputs in the order they appear, with what the error summary calls them.
const APPLY_FIELDS: [(&str, &str, &str); 11] = [
    (
        "national_id",
        "Số định danh cá nhân của trẻ",
        "Child's personal ID",
    ),
    ("birth_date", "Ngày sinh của trẻ", "Child's date of birth"),
    ("full_name", "Họ và tên của trẻ", "Child's full name"),
    ("gender", "Giới tính", "Gender"),
    ("residence_code", "Nơi cư trú", "Residence"),
    ("address", "Địa chỉ", "Address"),
    ("current_school", "Trường đang học", "Current school"),
    (
        "guardian_name",
        "Họ và tên cha, mẹ hoặc người giám hộ",
        "Guardian's full name",
    ),
    ("choices", "Trường đăng ký", "School applied to"),
    ("priority_group", "Ưu tiên", "Priority"),
    ("documents", "Giấy tờ", "Documents"),
];

fn field_position(field: &str) -> usize {
    APPLY_FIELDS
        .iter()
        .position(|(f, _, _)| field.starts_with(f))
        .unwrap_or(APPLY_FIELDS.len())
}

impl ApplyPage {
    /// What the error summary calls an input ("Họ và tên của trẻ"), so that two "Không được để
    /// trống." lines say which field each is about.
    pub fn label_of(&self, field: &str) -> &'static str {
        APPLY_FIELDS
            .iter()
            .find(|(f, _, _)| field.starts_with(f))
            .map_or("", |(_, vi, en)| self.lang.label(vi, en))
    }

    /// The error of one input, for the template ("choices" belongs to the first choice).
    pub fn err(&self, field: &str) -> Option<&str> {
        let alias = match field {
            "choices[0]" => Some("choices"),
            _ => None,
        };
        self.errors
            .iter()
            .find(|e| e.field == field || Some(e.field.as_str()) == alias)
            .map(|e| e.message.as_str())
    }

    pub fn choice_value(&self, i: &usize) -> &str {
        &self.v.choices[*i]
    }
}

#[derive(Deserialize, Default)]
pub struct EditQuery {
    code: Option<String>,
}

#[allow(clippy::too_many_arguments)]
async fn apply_view(
    s: &AppState,
    actor: &Actor,
    headers: &HeaderMap,
    campaign: &Campaign,
    contact: &Contact,
    editing: Option<String>,
    v: Values,
    errors: Vec<FieldError>,
    status: StatusCode,
) -> PageResult<Response> {
    let mut conn = s.store.conn();
    let schools: Vec<CampaignSchool> = adm::campaign_schools(&mut conn, campaign.id)
        .await
        .lang(actor)?;
    let wards = guardian::residence_choices(&mut conn, campaign.id)
        .await
        .lang(actor)?;
    let uploaded: Vec<Document> = match &editing {
        Some(code) => {
            let app = guardian::application_by_code(&mut conn, contact, code)
                .await
                .lang(actor)?;
            adm::documents(&mut conn, app.id).await.lang(actor)?
        }
        None => vec![],
    };
    let (csrf, cookie) = form_csrf(s, actor, headers);
    let choice_count = if campaign.by_exam() {
        usize::try_from(campaign.max_choices)
            .unwrap_or(1)
            .clamp(1, 3)
    } else {
        1
    };
    let page = ApplyPage {
        lang: actor.lang,
        nav: Nav::of(actor),
        crumbs: crumbs(
            actor.lang,
            Some((format!("/admission/{}", campaign.id), campaign.name.clone())),
        ),
        csrf,
        campaign_id: campaign.id,
        campaign_name: campaign.name.clone(),
        grade: campaign.entry_grade,
        by_exam: campaign.by_exam(),
        closes: date_vn(campaign.closes_at),
        open: campaign.accepts_applications(Utc::now()),
        editing,
        contact: contact.masked(),
        v,
        schools: schools
            .iter()
            .map(|sc| SelectItem {
                value: sc.school_id.to_string(),
                label: sc.name.clone(),
            })
            .collect(),
        choice_count,
        wards: wards
            .into_iter()
            .map(|(value, label)| SelectItem { value, label })
            .collect(),
        documents: campaign
            .required_documents
            .iter()
            .map(|d| DocumentField {
                code: d.code.clone(),
                label: d.label.clone(),
                required: d.required,
                current: uploaded
                    .iter()
                    .find(|u| u.kind == d.code)
                    .map(|u| u.file_name.clone()),
            })
            .collect(),
        max_mb: MAX_EVIDENCE_BYTES / 1024 / 1024,
        errors: {
            let mut errors = errors;
            errors.sort_by_key(|e| field_position(&e.field));
            errors
        },
    };
    Ok(private(with_cookie((status, page).into_response(), cookie)))
}

pub async fn apply_page(
    State(s): State<AppState>,
    actor: Actor,
    headers: HeaderMap,
    Path(id): Path<i64>,
    Query(q): Query<EditQuery>,
) -> PageResult<Response> {
    let campaign = public_campaign(&s, &actor, id).await?;
    let Some(contact) = guardian_of(&s, &headers).await.lang(&actor)? else {
        return Ok(to_sign_in(&format!("/admission/{id}/apply")));
    };
    let (editing, values) = match q.code.as_deref() {
        Some(code) => {
            let app = guardian::application_by_code(&mut s.store.conn(), &contact, code)
                .await
                .lang(&actor)?;
            if app.campaign_id != campaign.id {
                return Err((&actor, StoreError::not_found("hồ sơ")).into());
            }
            let choices = adm::choices(&mut s.store.conn(), app.id)
                .await
                .lang(&actor)?;
            (Some(app.tracking_code.clone()), Values::of(&app, &choices))
        }
        None => (None, Values::default()),
    };
    apply_view(
        &s,
        &actor,
        &headers,
        &campaign,
        &contact,
        editing,
        values,
        vec![],
        StatusCode::OK,
    )
    .await
}

/// A file sent with the form.
struct Upload {
    kind: String,
    name: String,
    bytes: Vec<u8>,
}

/// Reads the multipart form: its fields and its non-empty files. `Err` when the body could not
/// be read whole (too large).
async fn read_form(form: &mut Multipart) -> Result<(Values, Vec<Upload>, Option<String>), ()> {
    let mut v = Values::default();
    let mut uploads = vec![];
    let mut editing = None;
    while let Some(field) = form.next_field().await.map_err(|_| ())? {
        let name = field.name().unwrap_or_default().to_string();
        if let Some(kind) = name.strip_prefix("documents.") {
            let kind = kind.to_string();
            let file_name = field.file_name().unwrap_or_default().to_string();
            let bytes = field.bytes().await.map_err(|_| ())?;
            if !file_name.is_empty() && !bytes.is_empty() {
                uploads.push(Upload {
                    kind,
                    name: file_name,
                    bytes: bytes.to_vec(),
                });
            }
        } else {
            let text = field.text().await.map_err(|_| ())?;
            if name == "editing" {
                editing = Some(text).filter(|t| !t.is_empty());
            } else {
                v.set(&name, text);
            }
        }
    }
    Ok((v, uploads, editing))
}

/// Receives the whole form with its documents: the application and every file are written
/// together or not at all.
pub async fn apply(
    State(s): State<AppState>,
    actor: Actor,
    headers: HeaderMap,
    Path(id): Path<i64>,
    mut multipart: Multipart,
) -> PageResult<Response> {
    let campaign = public_campaign(&s, &actor, id).await?;
    let Some(contact) = guardian_of(&s, &headers).await.lang(&actor)? else {
        return Ok(to_sign_in(&format!("/admission/{id}/apply")));
    };
    let Ok((values, uploads, editing)) = read_form(&mut multipart).await else {
        let message = format!(
            "Không nhận được biểu mẫu: các tệp quá lớn (tối đa {} MB mỗi tệp). Hãy chụp lại ảnh nhỏ hơn hoặc gửi từng tệp.",
            MAX_EVIDENCE_BYTES / 1024 / 1024
        );
        return apply_view(
            &s,
            &actor,
            &headers,
            &campaign,
            &contact,
            None,
            Values::default(),
            vec![FieldError::new("form", message)],
            StatusCode::PAYLOAD_TOO_LARGE,
        )
        .await;
    };
    let (form, mut errors) = values.to_form();
    for u in &uploads {
        if let Err(e) = guardian::check_document(&campaign, &u.kind, &u.name, &u.bytes) {
            errors.push(e);
        }
    }
    let mut tx = s.store.begin().await.lang(&actor)?;
    let outcome = guardian::submit(
        &mut tx,
        &campaign,
        &contact,
        &form,
        &s.admission.zone,
        Utc::now(),
    )
    .await;
    let mut status = StatusCode::UNPROCESSABLE_ENTITY;
    let submitted = match outcome {
        Ok(done) => Some(done.application),
        Err(e @ (StoreError::Invalid(_) | StoreError::Conflict(_))) => {
            if matches!(e, StoreError::Conflict(_)) {
                status = StatusCode::CONFLICT;
            }
            let api = ApiError::from(e);
            for fe in api.field_errors() {
                if !errors.iter().any(|x| x.field == fe.field) {
                    errors.push(fe);
                }
            }
            None
        }
        Err(e) => return Err((&actor, e).into()),
    };
    if let (Some(app), true) = (&submitted, errors.is_empty()) {
        for u in &uploads {
            guardian::add_document(&mut tx, app, &u.kind, &u.name, &u.bytes)
                .await
                .lang(&actor)?;
        }
        tx.commit().await.lang(&actor)?;
        return Ok(
            Redirect::to(&format!("/admission/applications/{}", app.tracking_code)).into_response(),
        );
    }
    // Nothing is written: the transaction is dropped.
    drop(tx);
    apply_view(
        &s, &actor, &headers, &campaign, &contact, editing, values, errors, status,
    )
    .await
}

// ---------------------------------------------------------------------------------------------
// The application (receipt, status, documents, withdrawal)

pub struct DocumentRow {
    pub id: i64,
    pub label: String,
    pub file_name: String,
    pub size_kb: i64,
    pub status: String,
    pub note: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "admission_application.html")]
pub struct ApplicationPage {
    lang: Lang,
    nav: Nav,
    crumbs: Vec<Crumb>,
    csrf: String,
    app: Application,
    campaign_id: i64,
    campaign_name: String,
    by_exam: bool,
    birth_date: String,
    submitted: String,
    updated: String,
    residence: String,
    choices: Vec<Choice>,
    documents: Vec<DocumentRow>,
    missing: Vec<String>,
    can_edit: bool,
    closes: String,
    error: Option<String>,
}

impl ApplicationPage {
    pub fn priority(&self) -> String {
        match (self.app.priority_group, self.by_exam) {
            (None, _) => "Không".into(),
            (Some(g), true) => format!("Nhóm {g}"),
            (Some(_), false) => "Có".into(),
        }
    }
}

async fn application_view(
    s: &AppState,
    actor: &Actor,
    headers: &HeaderMap,
    contact: &Contact,
    code: &str,
    error: Option<String>,
    status: StatusCode,
) -> PageResult<Response> {
    let mut conn = s.store.conn();
    let app = guardian::application_by_code(&mut conn, contact, code)
        .await
        .lang(actor)?;
    let campaign = adm::campaign(&mut conn, app.campaign_id)
        .await
        .lang(actor)?;
    let choices = adm::choices(&mut conn, app.id).await.lang(actor)?;
    let docs = adm::documents(&mut conn, app.id).await.lang(actor)?;
    let residence = guardian::unit_names(&mut conn, std::slice::from_ref(&app.residence_code))
        .await
        .lang(actor)?
        .remove(&app.residence_code)
        .unwrap_or_else(|| app.residence_code.clone());
    let label_of = |kind: &str| {
        campaign
            .required_documents
            .iter()
            .find(|d| d.code == kind)
            .map_or_else(|| kind.to_string(), |d| d.label.clone())
    };
    let documents = docs
        .iter()
        .map(|d| DocumentRow {
            id: d.id,
            label: label_of(&d.kind),
            file_name: d.file_name.clone(),
            size_kb: (d.size + 1023) / 1024,
            status: match d.status.as_str() {
                "accepted" => "Đã duyệt",
                "rejected" => "Không hợp lệ",
                _ => "Chờ kiểm tra",
            }
            .into(),
            note: d.note.clone().unwrap_or_default(),
        })
        .collect();
    let missing = campaign
        .required_documents
        .iter()
        .filter(|r| r.required && !docs.iter().any(|d| d.kind == r.code))
        .map(|r| r.label.clone())
        .collect();
    let (csrf, cookie) = form_csrf(s, actor, headers);
    let page = ApplicationPage {
        lang: actor.lang,
        nav: Nav::of(actor),
        crumbs: crumbs(
            actor.lang,
            Some((format!("/admission/{}", campaign.id), campaign.name.clone())),
        ),
        csrf,
        campaign_id: campaign.id,
        campaign_name: campaign.name.clone(),
        by_exam: campaign.by_exam(),
        birth_date: app.birth_date.format("%d/%m/%Y").to_string(),
        submitted: date_vn(app.submitted_at),
        updated: date_vn(app.updated_at),
        residence,
        choices,
        documents,
        missing,
        can_edit: campaign.accepts_applications(Utc::now()) && app.status.guardian_editable(),
        closes: date_vn(campaign.closes_at),
        error,
        app,
    };
    Ok(private(with_cookie((status, page).into_response(), cookie)))
}

pub async fn application_page(
    State(s): State<AppState>,
    actor: Actor,
    headers: HeaderMap,
    Path(code): Path<String>,
) -> PageResult<Response> {
    let Some(contact) = guardian_of(&s, &headers).await.lang(&actor)? else {
        return Ok(to_sign_in(&format!("/admission/applications/{code}")));
    };
    application_view(&s, &actor, &headers, &contact, &code, None, StatusCode::OK).await
}

#[derive(Deserialize)]
pub struct WithdrawForm {
    confirm: Option<String>,
}

pub async fn withdraw(
    State(s): State<AppState>,
    actor: Actor,
    headers: HeaderMap,
    Path(code): Path<String>,
    body: String,
) -> PageResult<Response> {
    let Some(contact) = guardian_of(&s, &headers).await.lang(&actor)? else {
        return Ok(to_sign_in(&format!("/admission/applications/{code}")));
    };
    let form: WithdrawForm = parse_query(&body).lang(&actor)?;
    let refuse = |message: String, status| {
        application_view(&s, &actor, &headers, &contact, &code, Some(message), status)
    };
    if form.confirm.is_none() {
        return refuse(
            "Hãy đánh dấu ô xác nhận rút hồ sơ.".into(),
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    }
    let app = guardian::application_by_code(&mut s.store.conn(), &contact, &code)
        .await
        .lang(&actor)?;
    let mut tx = s.store.begin().await.lang(&actor)?;
    match guardian::withdraw(&mut tx, &app).await {
        Ok(_) => {
            tx.commit().await.lang(&actor)?;
            Ok(
                Redirect::to(&format!("/admission/applications/{}", app.tracking_code))
                    .into_response(),
            )
        }
        Err(StoreError::Conflict(e)) => {
            drop(tx);
            refuse(e.message, StatusCode::CONFLICT).await
        }
        Err(e) => Err((&actor, e).into()),
    }
}

/// A document the guardian uploaded, back to them (never to anyone else).
pub async fn document(
    State(s): State<AppState>,
    actor: Actor,
    headers: HeaderMap,
    Path((code, document_id)): Path<(String, i64)>,
) -> PageResult<Response> {
    let Some(contact) = guardian_of(&s, &headers).await.lang(&actor)? else {
        return Ok(to_sign_in(&format!("/admission/applications/{code}")));
    };
    let mut conn = s.store.conn();
    let app = guardian::application_by_code(&mut conn, &contact, &code)
        .await
        .lang(&actor)?;
    let (doc, bytes) = guardian::document_file(&mut conn, app.id, document_id)
        .await
        .lang(&actor)?;
    let ascii: String = doc
        .file_name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || ".-_".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect();
    Ok((
        [
            (header::CONTENT_TYPE, doc.content_type.clone()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{ascii}\""),
            ),
            (header::CACHE_CONTROL, "private, no-store".to_string()),
        ],
        bytes,
    )
        .into_response())
}

// ---------------------------------------------------------------------------------------------
// The demo's outbox

pub struct OutboxRow {
    pub at: String,
    pub recipient: String,
    pub subject: String,
    pub body: String,
    pub delivered: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "admission_outbox.html")]
pub struct OutboxPage {
    lang: Lang,
    nav: Nav,
    crumbs: Vec<Crumb>,
    messages: Vec<OutboxRow>,
}

/// The newest 50 messages to guardians: only in the demo (`state.admission_outbox_page`),
/// where no SMTP server delivers the codes.
pub async fn outbox_page(State(s): State<AppState>, actor: Actor) -> PageResult<Response> {
    if !s.admission_outbox_page {
        return Err((&actor, ApiError::NotFound).into());
    }
    let messages: Vec<OutboxMessage> = guardian::outbox(&mut s.store.conn(), 50)
        .await
        .lang(&actor)?;
    let page = OutboxPage {
        lang: actor.lang,
        nav: Nav::of(&actor),
        crumbs: crumbs(actor.lang, None),
        messages: messages
            .into_iter()
            .map(|m| OutboxRow {
                at: date_vn(m.created_at),
                recipient: m.recipient,
                subject: m.subject,
                body: m.body,
                delivered: match (m.delivered_at, m.error) {
                    (Some(at), _) => format!("Đã gửi {}", date_vn(at)),
                    (None, Some(e)) => format!("Lỗi: {e}"),
                    (None, None) => "Chưa gửi".into(),
                },
            })
            .collect(),
    };
    let mut r = page.into_response();
    r.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(r)
}
