//! Pages of the e-transcript (học bạ điện tử): the transcript of a learner's year with its
//! signatures and sign button, its PDF and canonical JSON, and the public verification page
//! that the printed QR code opens (no sign-in; it shows only what confirms the document).

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use truongso_domain::gradebook::transcript::{SignerRole, Transcript};
use truongso_store::audit::AuditAction;
use truongso_store::gradebook::transcripts::{self, StoredSignature, Verification};
use truongso_store::{Scope, orgs};

use super::{Crumb, InLang, Nav, PageResult, crumbs_for};
use crate::AppState;
use crate::actor::Actor;
use crate::api::transcripts::{TranscriptView, load, sign_as_actor};
use crate::i18n::Lang;

/// The address printed in the QR code: the configured public URL, else this request's host.
fn public_base(s: &AppState, headers: &HeaderMap) -> String {
    if let Some(url) = &s.public_url {
        return url.clone();
    }
    let host = headers
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .filter(|h| {
            h.chars()
                .all(|c| c.is_ascii_alphanumeric() || ".-:[]".contains(c))
        })
        .unwrap_or("localhost");
    let https = headers
        .get("x-forwarded-proto")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|p| p.eq_ignore_ascii_case("https"))
        || s.secure_cookies;
    format!("{}://{host}", if https { "https" } else { "http" })
}

/// Vietnam's time (UTC+7), as the pages show times.
fn local(at: chrono::DateTime<chrono::Utc>) -> String {
    (at + chrono::Duration::hours(7))
        .format("%H:%M %d/%m/%Y")
        .to_string()
}

fn vn_date(iso: &str) -> String {
    chrono::NaiveDate::parse_from_str(iso, "%Y-%m-%d")
        .map(|d| d.format("%d/%m/%Y").to_string())
        .unwrap_or_else(|_| iso.to_string())
}

/// A signature block on the page.
pub struct SignatureLine {
    pub role: String,
    pub signed: Option<(String, String)>,
}

fn signature_lines(
    lang: Lang,
    signatures: &[StoredSignature],
    current: bool,
) -> Vec<SignatureLine> {
    SignerRole::ALL
        .iter()
        .map(|r| SignatureLine {
            role: lang.label(r.label_vi(), r.label_en()).to_string(),
            signed: signatures
                .iter()
                .find(|s| s.role == r.code() && current)
                .map(|s| (s.signer_name.clone(), local(s.signed_at))),
        })
        .collect()
}

#[derive(Template, WebTemplate)]
#[template(path = "transcript.html")]
pub struct TranscriptPage {
    lang: Lang,
    nav: Nav,
    crumbs: Vec<Crumb>,
    learner_id: i64,
    learner_name: String,
    year_code: String,
    transcript: Option<Transcript>,
    birth_date: String,
    primary: bool,
    signatures: Vec<SignatureLine>,
    /// The issued document's verification path and hash, while it is the record.
    verify: Option<(String, String)>,
    /// An issued document that the record no longer matches (signed before a change).
    outdated: bool,
    fully_signed: bool,
    /// The sign button: the role label, when the actor may sign and has not signed yet.
    sign_as: Option<String>,
    complete: bool,
    /// A message after signing.
    notice: Option<String>,
}

fn page(
    actor: &Actor,
    view: TranscriptView,
    crumbs: Vec<Crumb>,
    notice: Option<String>,
) -> TranscriptPage {
    let lang = actor.lang;
    let current = view.issued_is_current();
    let transcript = view.document();
    let already = view
        .may_sign
        .is_some_and(|r| current && view.signatures.iter().any(|s| s.role == r.code()));
    TranscriptPage {
        lang,
        nav: Nav::of(actor),
        crumbs,
        learner_id: view.learner.id,
        learner_name: view.learner.full_name.clone(),
        year_code: view.year.code.clone(),
        birth_date: transcript
            .as_ref()
            .map(|t| vn_date(&t.learner.birth_date))
            .unwrap_or_default(),
        primary: transcript.as_ref().is_some_and(|t| t.grade <= 5),
        complete: transcript.as_ref().is_some_and(Transcript::is_complete),
        signatures: signature_lines(lang, &view.signatures, current),
        verify: view
            .issued
            .as_ref()
            .filter(|_| current)
            .map(|i| (format!("/verify/{}", i.verify_code), i.json_sha256.clone())),
        outdated: view.issued.is_some() && !current,
        fully_signed: view.fully_signed(),
        sign_as: view
            .may_sign
            .filter(|_| !already)
            .map(|r| lang.label(r.label_vi(), r.label_en()).to_string()),
        transcript,
        notice,
    }
}

async fn crumbs(s: &AppState, actor: &Actor, view: &TranscriptView) -> PageResult<Vec<Crumb>> {
    let school = orgs::get(&mut s.store.conn(), &Scope::All, view.learner.school_id)
        .await
        .lang(actor)?;
    let mut crumbs = crumbs_for(s, actor, &school).await?;
    crumbs.push(Crumb {
        href: format!("/learners/{}", view.learner.id),
        label: view.learner.full_name.clone(),
    });
    crumbs.push(Crumb {
        href: format!(
            "/learners/{}/transcripts/{}",
            view.learner.id, view.year.code
        ),
        label: format!(
            "{} {}",
            actor.lang.label("Học bạ", "Transcript"),
            view.year.code
        ),
    });
    Ok(crumbs)
}

pub async fn view(
    State(s): State<AppState>,
    actor: Actor,
    Path((id, year_code)): Path<(i64, String)>,
    uri: axum::http::Uri,
) -> PageResult<TranscriptPage> {
    let view = load(&s, &actor, id, &year_code, AuditAction::Read, "trang")
        .await
        .lang(&actor)?;
    let crumbs = crumbs(&s, &actor, &view).await?;
    let notice = uri
        .query()
        .is_some_and(|q| q.contains("signed=1"))
        .then(|| {
            actor
                .lang
                .label("Đã ký học bạ.", "The transcript is signed.")
                .to_string()
        });
    Ok(page(&actor, view, crumbs, notice))
}

/// Signs, then shows the transcript again (POST → redirect → GET).
pub async fn sign(
    State(s): State<AppState>,
    actor: Actor,
    Path((id, year_code)): Path<(i64, String)>,
) -> PageResult<Response> {
    sign_as_actor(&s, &actor, id, &year_code)
        .await
        .lang(&actor)?;
    Ok(Redirect::to(&format!("/learners/{id}/transcripts/{year_code}?signed=1")).into_response())
}

fn attachment(name: &str, content_type: &'static str, body: Vec<u8>) -> Response {
    let mut r = (StatusCode::OK, body).into_response();
    let h = r.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"{name}\"")) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, no-store"),
    );
    r
}

fn file_name(view: &TranscriptView, ext: &str) -> String {
    let code: String = view
        .learner
        .learner_code
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .collect();
    format!("hoc-ba-{code}-{}.{ext}", view.year.code)
}

/// The transcript as a PDF: the issued document with its signatures and QR code while it is
/// the record, else a draft of the record now.
pub async fn pdf(
    State(s): State<AppState>,
    actor: Actor,
    Path((id, year_code)): Path<(i64, String)>,
    headers: HeaderMap,
) -> PageResult<Response> {
    let view = load(&s, &actor, id, &year_code, AuditAction::Export, "PDF")
        .await
        .lang(&actor)?;
    let Some(transcript) = view.document() else {
        return Err(super::PageError::from((
            &actor,
            truongso_store::StoreError::conflict(
                "school_year",
                "Học sinh chưa có kết quả năm học này (chưa tổng kết): chưa có học bạ để in.",
            ),
        )));
    };
    let current = view.issued_is_current();
    let issued = view.issued.as_ref().filter(|_| current);
    let signatures: Vec<truongso_domain::print::PrintedSignature> = if current {
        view.signatures
            .iter()
            .map(|s| truongso_domain::print::PrintedSignature {
                role: s.role.clone(),
                signer_name: s.signer_name.clone(),
                signed_at: s.signed_at,
            })
            .collect()
    } else {
        vec![]
    };
    let verify_url =
        issued.map(|i| format!("{}/verify/{}", public_base(&s, &headers), i.verify_code));
    let sha256 = issued.map(|i| i.json_sha256.clone());
    let draft = !view.fully_signed();
    // Typst lays out on a blocking thread (a fraction of a second per page).
    let printer = s.printer.clone();
    let pdf = tokio::task::spawn_blocking(move || {
        printer.transcript_pdf(&truongso_domain::print::TranscriptPrint {
            transcript: &transcript,
            signatures,
            verify_url,
            sha256,
            draft,
        })
    })
    .await
    .map_err(|e| crate::error::ApiError::Internal(e.to_string()))
    .lang(&actor)?
    .map_err(|e| crate::error::ApiError::Internal(e.to_string()))
    .lang(&actor)?;
    Ok(attachment(&file_name(&view, "pdf"), "application/pdf", pdf))
}

/// The canonical JSON: exactly the signed bytes while the issued document is the record.
pub async fn json(
    State(s): State<AppState>,
    actor: Actor,
    Path((id, year_code)): Path<(i64, String)>,
) -> PageResult<Response> {
    let view = load(&s, &actor, id, &year_code, AuditAction::Export, "JSON")
        .await
        .lang(&actor)?;
    let body = if view.issued_is_current() {
        view.issued.as_ref().map(|i| i.canonical_json.clone())
    } else {
        view.built.as_ref().map(|b| b.transcript.canonical_json())
    };
    let Some(body) = body else {
        return Err(super::PageError::from((
            &actor,
            truongso_store::StoreError::conflict(
                "school_year",
                "Học sinh chưa có kết quả năm học này (chưa tổng kết).",
            ),
        )));
    };
    Ok(attachment(
        &file_name(&view, "json"),
        "application/json",
        body.into_bytes(),
    ))
}

#[derive(Template, WebTemplate)]
#[template(path = "verify.html")]
pub struct VerifyPage {
    lang: Lang,
    nav: Nav,
    crumbs: Vec<Crumb>,
    found: bool,
    valid: bool,
    school: String,
    school_year: String,
    learner_name: String,
    birth_year: String,
    class_name: String,
    result: String,
    outcome: String,
    signatures: Vec<VerifiedSignature>,
    sha256: String,
    problems: Vec<String>,
}

pub struct VerifiedSignature {
    pub role: String,
    pub name: String,
    pub at: String,
    pub ok: bool,
}

/// The public verification page: no sign-in; shows only what confirms the document (school,
/// year, the learner's name and birth year, the year's result and decision, who signed in
/// which role and when), whether it is valid, and the document's SHA-256.
pub async fn verify(
    State(s): State<AppState>,
    actor: Actor,
    Path(code): Path<String>,
) -> PageResult<Response> {
    let lang = actor.lang;
    let found = transcripts::verify(&mut s.store.conn(), &code)
        .await
        .lang(&actor)?;
    let page = match found {
        None => VerifyPage {
            lang,
            nav: Nav::default(),
            crumbs: vec![],
            found: false,
            valid: false,
            school: String::new(),
            school_year: String::new(),
            learner_name: String::new(),
            birth_year: String::new(),
            class_name: String::new(),
            result: String::new(),
            outcome: String::new(),
            signatures: vec![],
            sha256: String::new(),
            problems: vec![],
        },
        Some(v) => verify_page(lang, v),
    };
    let status = if page.found {
        StatusCode::OK
    } else {
        StatusCode::NOT_FOUND
    };
    let mut r = (status, page).into_response();
    r.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    // Not for search engines: a code is only ever handed out on paper.
    r.headers_mut().insert(
        "x-robots-tag",
        HeaderValue::from_static("noindex, nofollow"),
    );
    Ok(r)
}

fn verify_page(lang: Lang, v: Verification) -> VerifyPage {
    let doc = v.document.as_ref();
    let text = |f: &dyn Fn(&Transcript) -> Option<String>| doc.and_then(f).unwrap_or_default();
    VerifyPage {
        lang,
        nav: Nav::default(),
        crumbs: vec![],
        found: true,
        valid: v.valid,
        school: text(&|t| Some(t.school.name.clone())),
        school_year: text(&|t| Some(t.school_year.clone())),
        learner_name: text(&|t| Some(t.learner.full_name.clone())),
        birth_year: text(&|t| Some(t.birth_year().to_string())),
        class_name: text(&|t| Some(t.class_name.clone())),
        result: text(&|t| {
            if t.grade <= 5 {
                t.primary_result.clone()
            } else {
                let learning = t.learning.after_summer.clone().or(t.learning.year.clone());
                let conduct = t.conduct.after_summer.clone().or(t.conduct.year.clone());
                Some(format!(
                    "Học tập: {} · Rèn luyện: {}",
                    learning.unwrap_or_default(),
                    conduct.unwrap_or_default()
                ))
            }
        }),
        outcome: text(&|t| t.outcome.clone()),
        signatures: v
            .signatures
            .iter()
            .map(|s| VerifiedSignature {
                role: s.role_label.clone(),
                name: s.signer_name.clone(),
                at: local(s.signed_at),
                ok: s.valid && s.key_registered,
            })
            .collect(),
        sha256: v.sha256,
        problems: v.problems,
    }
}
