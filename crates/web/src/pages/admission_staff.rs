//! The staff side of admission as pages: the verification queue of a campaign (tabs per
//! status, filters, paging — 2,000 applications stay usable on a laptop), an application with
//! its documents shown inline and the decision form, and the grade-10 score import. Plain
//! forms; everything works without JavaScript.

use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::{Multipart, Path, State};
use axum::http::{StatusCode, Uri};
use axum::response::{IntoResponse, Redirect, Response};
use truongso_domain::access::Permission;
use truongso_domain::admission::Points;
use truongso_store::admission::review::{
    DocumentDecision, DocumentReview, QueueFilter, ReviewDecision, ReviewInput,
};
use truongso_store::admission::{self as adm, ApplicationStatus, Campaign, CampaignStatus};
use truongso_store::{Page, StoreError};

use super::gradebook::vn_time;
use super::{Crumb, InLang, Nav, PageResult, Pager};
use crate::AppState;
use crate::actor::Actor;
use crate::api::admission_staff::{
    document_response, import_file, load_campaign, queue_of, review_of, staff_view,
};
use crate::api::parse_query;
use crate::error::ApiError;
use crate::i18n::Lang;

pub(super) fn status_label(lang: Lang, s: ApplicationStatus) -> &'static str {
    let en = match s {
        ApplicationStatus::Submitted => "Submitted, awaiting verification",
        ApplicationStatus::NeedsCorrection => "Correction requested",
        ApplicationStatus::Verified => "Verified",
        ApplicationStatus::Rejected => "Not eligible",
        ApplicationStatus::Withdrawn => "Withdrawn",
    };
    lang.label(s.label_vi(), en)
}

pub(super) fn crumbs(
    lang: Lang,
    campaign: &Campaign,
    last: Option<(String, String)>,
) -> Vec<Crumb> {
    let mut c = vec![
        Crumb {
            href: "/".into(),
            label: lang.t("home").into(),
        },
        Crumb {
            href: "/campaigns".into(),
            label: lang.label("Tuyển sinh", "Admission").into(),
        },
        Crumb {
            href: format!("/campaigns/{}", campaign.id),
            label: campaign.name.clone(),
        },
    ];
    if let Some((href, label)) = last {
        c.push(Crumb { href, label });
    }
    c
}

/// The messages of a rejected write, for the top of a form.
pub(super) fn messages(e: ApiError) -> Result<Vec<String>, ApiError> {
    match e {
        ApiError::Store(StoreError::Invalid(inv)) => {
            Ok(inv.0.into_iter().map(|f| f.message).collect())
        }
        ApiError::Store(StoreError::Conflict(f)) => Ok(vec![f.message]),
        ApiError::BadRequest(f) => Ok(vec![f.message]),
        other => Err(other),
    }
}

pub struct QueueLine {
    pub href: String,
    pub tracking_code: String,
    pub full_name: String,
    pub birth_date: String,
    pub first_choice: String,
    pub status: &'static str,
    pub status_code: &'static str,
    pub priority: String,
    pub documents: String,
    pub pending: bool,
    pub submitted: String,
}

pub struct Tab {
    pub href: String,
    pub label: &'static str,
    pub count: u64,
    pub current: bool,
}

#[derive(Template, WebTemplate)]
#[template(path = "admission_queue.html")]
pub struct QueuePage {
    lang: Lang,
    nav: Nav,
    crumbs: Vec<Crumb>,
    campaign_id: i64,
    campaign_name: String,
    campaign_status: &'static str,
    tabs: Vec<Tab>,
    all_href: String,
    all_count: u64,
    all_current: bool,
    status: String,
    q: String,
    priority: String,
    /// (id, name, selected)
    schools: Vec<(i64, String, bool)>,
    rows: Vec<QueueLine>,
    pager: Pager,
    can_import: bool,
}

/// The current query with `key` set (or removed when `value` is empty) and the page reset.
fn with_param(uri: &Uri, key: &str, value: &str) -> String {
    let kept = form_urlencoded::parse(uri.query().unwrap_or("").as_bytes())
        .filter(|(k, _)| k != key && k != "page")
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect::<Vec<_>>();
    let mut query = form_urlencoded::Serializer::new(String::new());
    query.extend_pairs(kept);
    if !value.is_empty() {
        query.append_pair(key, value);
    }
    let query = query.finish();
    if query.is_empty() {
        uri.path().to_string()
    } else {
        format!("{}?{query}", uri.path())
    }
}

/// `/campaigns/{id}/applications`: the queue.
pub async fn queue_page(
    State(s): State<AppState>,
    actor: Actor,
    Path(id): Path<i64>,
    uri: Uri,
) -> PageResult<QueuePage> {
    let lang = actor.lang;
    let raw = uri.query().unwrap_or("");
    let filter: QueueFilter = parse_query(raw).lang(&actor)?;
    let page = crate::api::parse_page(raw).lang(&actor)?;
    let campaign = load_campaign(&s, &actor, id).await.lang(&actor)?;
    let q = queue_of(&s, &actor, &campaign, &filter, &page)
        .await
        .lang(&actor)?;
    let schools = adm::campaign_schools(&mut s.store.conn(), campaign.id)
        .await
        .lang(&actor)?
        .into_iter()
        .map(|c| (c.school_id, c.name, filter.school_id == Some(c.school_id)))
        .collect();
    let tabs = q
        .counts
        .iter()
        .map(|c| Tab {
            href: with_param(&uri, "status", c.status.code()),
            label: status_label(lang, c.status),
            count: c.count,
            current: filter.status == Some(c.status),
        })
        .collect();
    let rows = q
        .items
        .iter()
        .map(|r| QueueLine {
            href: format!("/campaigns/{}/applications/{}", campaign.id, r.id),
            tracking_code: r.tracking_code.clone(),
            full_name: r.full_name.clone(),
            birth_date: r.birth_date.format("%d/%m/%Y").to_string(),
            first_choice: r.first_choice_name.clone().unwrap_or_else(|| "—".into()),
            status: status_label(lang, r.status),
            status_code: r.status.code(),
            priority: r.priority_group.map(|g| g.to_string()).unwrap_or_default(),
            documents: if r.pending_documents > 0 {
                format!(
                    "{} ({} {})",
                    r.documents,
                    r.pending_documents,
                    lang.label("chờ xét", "pending")
                )
            } else {
                r.documents.to_string()
            },
            pending: r.pending_documents > 0,
            submitted: vn_time(r.submitted_at, "%d/%m/%Y %H:%M"),
        })
        .collect();
    let listed = Page {
        items: Vec::<()>::new(),
        total: q.total,
        page: q.page,
        per_page: q.per_page,
    };
    Ok(QueuePage {
        lang,
        nav: Nav::of(&actor),
        crumbs: crumbs(lang, &campaign, None),
        campaign_id: campaign.id,
        campaign_name: campaign.name.clone(),
        campaign_status: campaign.status.label_vi(),
        all_href: with_param(&uri, "status", ""),
        all_count: q.counts.iter().map(|c| c.count).sum(),
        all_current: filter.status.is_none(),
        tabs,
        status: filter.status.map_or("", |x| x.code()).into(),
        q: filter.q.clone().unwrap_or_default(),
        priority: filter
            .has_priority
            .map(|b| b.to_string())
            .unwrap_or_default(),
        schools,
        rows,
        pager: Pager::new(&listed, &uri),
        can_import: actor.can(Permission::AdmissionManage) && campaign.by_exam(),
    })
}

pub struct DocView {
    pub id: i64,
    pub href: String,
    pub kind: String,
    pub file_name: String,
    pub is_image: bool,
    pub size: String,
    pub status: String,
    pub note: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "admission_review.html")]
pub struct ReviewPage {
    lang: Lang,
    nav: Nav,
    crumbs: Vec<Crumb>,
    campaign_id: i64,
    application_id: i64,
    by_exam: bool,
    facts: Vec<(&'static str, String)>,
    status: &'static str,
    status_code: &'static str,
    staff_note: String,
    reviewed: String,
    choices: Vec<(i32, String)>,
    scores: Vec<(&'static str, String)>,
    documents: Vec<DocView>,
    /// (value, selected) of the priority groups 1–3.
    priority_groups: Vec<(i32, bool)>,
    /// Why the form is not offered (published campaign, withdrawn application), if so.
    locked: String,
    errors: Vec<String>,
    saved: bool,
    /// What was posted, kept when the form comes back with errors.
    decision: String,
    note: String,
}

async fn render_review(
    s: &AppState,
    actor: &Actor,
    campaign: &Campaign,
    application_id: i64,
    errors: Vec<String>,
    saved: bool,
    posted: Option<(String, String)>,
) -> PageResult<Response> {
    let lang = actor.lang;
    let v = staff_view(s, actor, campaign, application_id)
        .await
        .lang(actor)?;
    let a = &v.application;
    let ward =
        adm::guardian::unit_names(&mut s.store.conn(), std::slice::from_ref(&a.residence_code))
            .await
            .lang(actor)?
            .remove(&a.residence_code)
            .map_or_else(
                || a.residence_code.clone(),
                |name| format!("{name} ({})", a.residence_code),
            );
    let kinds = &campaign.required_documents;
    let locked = if !matches!(
        campaign.status,
        CampaignStatus::Open | CampaignStatus::Closed
    ) {
        lang.label(
            "Đợt tuyển sinh không ở giai đoạn xét duyệt hồ sơ.",
            "The campaign is not in its review phase.",
        )
    } else if a.status == ApplicationStatus::Withdrawn {
        lang.label(
            "Người giám hộ đã rút hồ sơ.",
            "The guardian withdrew the application.",
        )
    } else {
        ""
    };
    let points = |h: Option<i32>| {
        h.map(|h| Points::from_hundredths(i64::from(h)).vi())
            .unwrap_or_else(|| "—".into())
    };
    let page = ReviewPage {
        lang,
        nav: Nav::of(actor),
        crumbs: crumbs(
            lang,
            campaign,
            Some((
                format!("/campaigns/{}/applications", campaign.id),
                lang.label("Hồ sơ", "Applications").into(),
            )),
        ),
        campaign_id: campaign.id,
        application_id: a.id,
        by_exam: campaign.by_exam(),
        facts: vec![
            (
                lang.label("Mã hồ sơ", "Tracking code"),
                a.tracking_code.clone(),
            ),
            (lang.label("Họ và tên", "Full name"), a.full_name.clone()),
            (
                lang.label("Ngày sinh", "Date of birth"),
                a.birth_date.format("%d/%m/%Y").to_string(),
            ),
            (
                lang.label("Giới tính", "Gender"),
                match a.gender.as_str() {
                    "F" => lang.label("Nữ", "Female").into(),
                    "M" => lang.label("Nam", "Male").into(),
                    other => other.into(),
                },
            ),
            (
                lang.label("Mã định danh", "National ID"),
                a.national_id.clone(),
            ),
            (lang.label("Nơi thường trú", "Residence"), ward),
            (
                lang.label("Địa chỉ", "Address"),
                a.address.clone().unwrap_or_default(),
            ),
            (
                lang.label("Trường đang học", "Current school"),
                a.current_school.clone().unwrap_or_default(),
            ),
            (
                lang.label("Người giám hộ", "Guardian"),
                a.guardian_name.clone(),
            ),
            (
                lang.label("Liên hệ", "Contact"),
                format!(
                    "{} ({})",
                    a.contact_address,
                    match a.contact_channel.as_str() {
                        "email" => lang.label("thư điện tử", "e-mail"),
                        _ => lang.label("điện thoại", "phone"),
                    }
                ),
            ),
            (
                lang.label("Nhóm ưu tiên kê khai", "Priority group"),
                a.priority_group
                    .map(|g| g.to_string())
                    .unwrap_or("—".into()),
            ),
            (
                lang.label("Số báo danh", "Candidate number"),
                a.candidate_number.clone().unwrap_or("—".into()),
            ),
            (
                lang.label("Nộp lúc", "Submitted"),
                vn_time(a.submitted_at, "%d/%m/%Y %H:%M"),
            ),
            (
                lang.label("Hồ sơ học sinh trên hệ thống", "Learner record"),
                if a.learner_id.is_some() {
                    lang.label("Có, đã đối chiếu", "Yes, matched").into()
                } else {
                    lang.label("Không có", "None").into()
                },
            ),
        ],
        status: status_label(lang, a.status),
        status_code: a.status.code(),
        staff_note: a.staff_note.clone().unwrap_or_default(),
        reviewed: match (&a.reviewed_by, a.reviewed_at) {
            (Some(by), Some(at)) => format!("{by} — {}", vn_time(at, "%d/%m/%Y %H:%M")),
            _ => String::new(),
        },
        choices: v
            .choices
            .iter()
            .map(|c| (c.rank, c.school_name.clone()))
            .collect(),
        scores: vec![
            (lang.label("Toán", "Mathematics"), points(a.score_math)),
            (
                lang.label("Ngữ văn", "Literature"),
                points(a.score_literature),
            ),
            (
                lang.label("Ngoại ngữ", "Foreign language"),
                points(a.score_language),
            ),
        ],
        documents: v
            .documents
            .iter()
            .map(|d| DocView {
                id: d.id,
                href: format!("/campaigns/{}/documents/{}", campaign.id, d.id),
                kind: kinds
                    .iter()
                    .find(|k| k.code == d.kind)
                    .map_or_else(|| d.kind.clone(), |k| k.label.clone()),
                file_name: d.file_name.clone(),
                is_image: matches!(d.content_type.as_str(), "image/jpeg" | "image/png"),
                size: format!("{} KB", (d.size + 1023) / 1024),
                status: d.status.clone(),
                note: d.note.clone().unwrap_or_default(),
            })
            .collect(),
        priority_groups: (1..=3).map(|g| (g, a.priority_group == Some(g))).collect(),
        locked: locked.into(),
        errors: errors.clone(),
        saved,
        decision: posted.as_ref().map(|p| p.0.clone()).unwrap_or_default(),
        note: posted.map(|p| p.1).unwrap_or_default(),
    };
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    Ok((status, page).into_response())
}

/// `/campaigns/{id}/applications/{application_id}`: the application and the decision form.
pub async fn review_page(
    State(s): State<AppState>,
    actor: Actor,
    Path((id, application_id)): Path<(i64, i64)>,
    uri: Uri,
) -> PageResult<Response> {
    let campaign = load_campaign(&s, &actor, id).await.lang(&actor)?;
    let saved = uri.query().is_some_and(|q| q.contains("saved=1"));
    render_review(&s, &actor, &campaign, application_id, vec![], saved, None).await
}

/// Reads the decision form: `decision`, `note`, `priority_group` (blank: none), and per
/// document `doc.<id>` (accepted | rejected | blank: unchanged) with `docnote.<id>`.
fn posted_review(fields: &[(String, String)]) -> Result<ReviewInput, String> {
    let get = |key: &str| {
        fields
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.trim().to_string())
            .filter(|v| !v.is_empty())
    };
    let decision = match get("decision").as_deref() {
        Some("verify") => ReviewDecision::Verify,
        Some("request_correction") => ReviewDecision::RequestCorrection,
        Some("reject") => ReviewDecision::Reject,
        _ => return Err("Hãy chọn quyết định: xác minh, yêu cầu bổ sung hoặc từ chối.".into()),
    };
    let priority_group = match get("priority_group") {
        None => None,
        Some(g) => Some(
            g.parse::<i32>()
                .map_err(|_| "Nhóm ưu tiên phải là 1, 2 hoặc 3.".to_string())?,
        ),
    };
    let mut documents = vec![];
    for (k, v) in fields {
        let Some(id) = k.strip_prefix("doc.").and_then(|i| i.parse::<i64>().ok()) else {
            continue;
        };
        let status = match v.trim() {
            "accepted" => DocumentDecision::Accepted,
            "rejected" => DocumentDecision::Rejected,
            _ => continue,
        };
        documents.push(DocumentReview {
            document_id: id,
            status,
            note: get(&format!("docnote.{id}")),
        });
    }
    Ok(ReviewInput {
        decision,
        note: get("note"),
        priority_group,
        documents,
    })
}

/// The decision form's POST.
pub async fn review_post(
    State(s): State<AppState>,
    actor: Actor,
    Path((id, application_id)): Path<(i64, i64)>,
    Form(fields): Form<Vec<(String, String)>>,
) -> PageResult<Response> {
    let campaign = load_campaign(&s, &actor, id).await.lang(&actor)?;
    let kept = |k: &str| {
        fields
            .iter()
            .find(|(f, _)| f == k)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    let posted = Some((kept("decision"), kept("note")));
    let input = match posted_review(&fields) {
        Ok(i) => i,
        Err(m) => {
            return render_review(
                &s,
                &actor,
                &campaign,
                application_id,
                vec![m],
                false,
                posted,
            )
            .await;
        }
    };
    match review_of(&s, &actor, &campaign, application_id, &input).await {
        Ok(_) => Ok(Redirect::to(&format!(
            "/campaigns/{id}/applications/{application_id}?saved=1"
        ))
        .into_response()),
        Err(e) => {
            let errors = messages(e).lang(&actor)?;
            render_review(&s, &actor, &campaign, application_id, errors, false, posted).await
        }
    }
}

/// `/campaigns/{id}/documents/{document_id}`: a document, inline when an image.
pub async fn document(
    State(s): State<AppState>,
    actor: Actor,
    Path((id, document_id)): Path<(i64, i64)>,
) -> PageResult<Response> {
    let campaign = load_campaign(&s, &actor, id).await.lang(&actor)?;
    document_response(&s, &actor, &campaign, document_id)
        .await
        .lang(&actor)
}

#[derive(Template, WebTemplate)]
#[template(path = "admission_scores.html")]
pub struct ScoresPage {
    lang: Lang,
    nav: Nav,
    crumbs: Vec<Crumb>,
    campaign_id: i64,
    campaign_name: String,
    /// Why no import is possible (not grade 10, published), if so.
    blocked: String,
    errors: Vec<String>,
    imported: Option<usize>,
    max_mb: usize,
}

async fn render_scores(
    s: &AppState,
    actor: &Actor,
    campaign: &Campaign,
    errors: Vec<String>,
    imported: Option<usize>,
) -> PageResult<Response> {
    let lang = actor.lang;
    let blocked = match truongso_store::admission::review::import_allowed(
        &mut s.store.conn(),
        &actor.scope,
        campaign,
    )
    .await
    {
        Ok(()) => String::new(),
        Err(StoreError::Conflict(f)) => f.message,
        Err(e) => return Err((actor, e).into()),
    };
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let page = ScoresPage {
        lang,
        nav: Nav::of(actor),
        crumbs: crumbs(
            lang,
            campaign,
            Some((
                format!("/campaigns/{}/scores", campaign.id),
                lang.label("Nhập điểm thi", "Import scores").into(),
            )),
        ),
        campaign_id: campaign.id,
        campaign_name: campaign.name.clone(),
        blocked,
        errors,
        imported,
        max_mb: truongso_domain::tabular::MAX_FILE_BYTES / 1024 / 1024,
    };
    Ok((status, page).into_response())
}

/// `/campaigns/{id}/scores`: the score import form.
pub async fn scores_page(
    State(s): State<AppState>,
    actor: Actor,
    Path(id): Path<i64>,
) -> PageResult<Response> {
    let campaign = load_campaign(&s, &actor, id).await.lang(&actor)?;
    render_scores(&s, &actor, &campaign, vec![], None).await
}

/// Receives the score file (multipart `file`) and imports it, all or nothing.
pub async fn scores_post(
    State(s): State<AppState>,
    actor: Actor,
    Path(id): Path<i64>,
    mut form: Multipart,
) -> PageResult<Response> {
    let campaign = load_campaign(&s, &actor, id).await.lang(&actor)?;
    let mut file = None;
    while let Ok(Some(field)) = form.next_field().await {
        if field.name() == Some("file") {
            file = field.bytes().await.ok();
        }
    }
    let Some(bytes) = file.filter(|b| !b.is_empty()) else {
        let m = "Hãy chọn tệp Excel (.xlsx) bảng điểm.".to_string();
        return render_scores(&s, &actor, &campaign, vec![m], None).await;
    };
    match import_file(&s, &actor, &campaign, bytes).await {
        Ok(report) => render_scores(&s, &actor, &campaign, vec![], Some(report.imported)).await,
        Err(e) => {
            let errors = messages(e).lang(&actor)?;
            render_scores(&s, &actor, &campaign, errors, None).await
        }
    }
}
