//! Digital-maturity index pages (Decision 4725): a school's self-assessment form (declared
//! answer, measured value beside it, evidence, notes, totals per group), the office's review
//! (comments per indicator, approve or return), the review queue of a unit's schools, and the
//! distribution of levels with its chart and table. Plain forms: everything works without
//! JavaScript; `/static/dx.js` only keeps the totals live while typing.

use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::{Multipart, Path, State};
use axum::http::{StatusCode, Uri, header};
use axum::response::{IntoResponse, Redirect, Response};
use truongso_domain::access::Permission;
use truongso_domain::dx::{AnswerKind, AssessmentStatus, CriteriaSet};
use truongso_domain::org::OrgKind;
use truongso_store::dx::{self as store_dx, Answer, Decision, Measured, ReviewNote};
use truongso_store::{StoreError, orgs};

use super::gradebook::vn_time;
use super::{Crumb, InLang, Nav, PageResult, crumbs_for};
use crate::AppState;
use crate::actor::Actor;
use crate::api::dx::{
    ReviewBody, SchoolDx, add_evidence, distribution_of, load_school, review_school, submit_school,
    write_answers,
};
use crate::charts;
use crate::error::ApiError;
use crate::i18n::Lang;

/// "62,5" the Vietnamese way (points and percents).
fn num(lang: Lang, v: f64) -> String {
    let text = if v.fract().abs() < 1e-9 {
        format!("{v:.0}")
    } else {
        format!("{v:.2}")
            .trim_end_matches('0')
            .trim_end_matches('.')
            .to_string()
    };
    match lang {
        Lang::Vi => text.replace('.', ","),
        Lang::En => text,
    }
}

fn status_label(lang: Lang, status: Option<AssessmentStatus>) -> &'static str {
    match status {
        Some(s) => lang.label(s.label_vi(), s.label_en()),
        None => lang.t("dx_not_started"),
    }
}

fn level_label(lang: Lang, level: Option<i32>) -> String {
    match level {
        Some(l) => format!("{} {l}", lang.t("dx_level")),
        None => "—".into(),
    }
}

/// `/dx`: a school's leaders go to their form, officers to their unit's queue.
pub async fn home(State(s): State<AppState>, actor: Actor) -> PageResult<Redirect> {
    let unit = super::start_unit(&s, &actor).await?;
    Ok(Redirect::to(&if unit.kind == OrgKind::School {
        format!("/dx/schools/{}", unit.id)
    } else {
        format!("/dx/units/{}", unit.id)
    }))
}

/// One indicator as the form shows it.
pub struct IndicatorView {
    pub code: String,
    pub name: String,
    /// "yes_no", "share" or "functions".
    pub kind: &'static str,
    pub mandatory: bool,
    pub points_text: String,
    pub max_points: f64,
    pub points_each: f64,
    pub max_value: f64,
    /// The declared value as the input shows it ("1"/"0" for yes/no, "62,5").
    pub value: String,
    pub earned: String,
    pub note: String,
    pub link: String,
    /// The measured value, or why there is none; empty when the platform does not measure it.
    pub measured: String,
    /// Whether the declared value exceeds the measured one (a hint for the reviewer).
    pub measured_differs: bool,
    pub evidence: Vec<EvidenceView>,
    pub review_note: String,
}

pub struct EvidenceView {
    pub id: i64,
    pub file_name: String,
    pub size: String,
}

pub struct GroupView {
    pub code: String,
    pub name: String,
    pub score: String,
    pub max: String,
    pub level: u8,
    pub missing_mandatory: String,
    pub incomplete: String,
    pub indicators: Vec<IndicatorView>,
}

#[derive(Template, WebTemplate)]
#[template(path = "dx_form.html")]
pub struct FormPage {
    lang: Lang,
    nav: Nav,
    crumbs: Vec<Crumb>,
    school_id: i64,
    school_name: String,
    school_year: String,
    criteria_title: String,
    status: String,
    status_code: String,
    /// "assess" (the school edits), "review" (the office decides) or "read".
    mode: &'static str,
    groups: Vec<GroupView>,
    level: u8,
    stored: Option<StoredView>,
    review_comment: String,
    reviewed: String,
    errors: Vec<String>,
    saved: bool,
    indicator_codes: Vec<(String, String)>,
    max_mb: usize,
    /// The `[dx]` readings, for the live totals' script.
    combine: &'static str,
    caps: bool,
}

/// The scores and levels stored at the latest submission.
pub struct StoredView {
    pub teaching: String,
    pub management: String,
    pub level: String,
    pub submitted: String,
}

fn value_text(lang: Lang, kind: AnswerKind, v: Option<f64>) -> String {
    match (kind, v) {
        (_, None) => String::new(),
        (AnswerKind::YesNo, Some(v)) => if v >= 1.0 { "1" } else { "0" }.into(),
        (_, Some(v)) => num(lang, v),
    }
}

fn measured_text(lang: Lang, m: &Measured) -> String {
    match m {
        Measured::Share {
            percent,
            part,
            whole,
        } => format!("{} % ({part}/{whole})", num(lang, *percent)),
        Measured::Yes => lang.label("Có", "Yes").into(),
        Measured::No => lang.label("Không", "No").into(),
        Measured::Unavailable { reason } => match lang {
            Lang::Vi => reason.clone(),
            Lang::En => "not measurable — no such data on the platform yet".into(),
        },
    }
}

/// Builds the form's view; `posted` (answers sent back with errors) overrides stored answers.
fn form_view(
    actor: &Actor,
    rules: &truongso_domain::dx::DxRules,
    dx: &SchoolDx,
    posted: Option<&[Answer]>,
    errors: Vec<String>,
    saved: bool,
) -> FormPage {
    let lang = actor.lang;
    let set = CriteriaSet::builtin(&dx.criteria_version).unwrap_or_else(|_| CriteriaSet::current());
    let detail = dx.assessment.as_ref();
    let status = detail.map(|d| d.assessment.status);
    let stored_answers: &[Answer] = detail.map_or(&[], |d| d.answers.as_slice());
    let answers = posted.unwrap_or(stored_answers);
    let editable = status.is_none_or(AssessmentStatus::editable);
    let mode = if actor.can(Permission::DxAssess) && editable {
        "assess"
    } else if actor.can(Permission::DxReview) && status == Some(AssessmentStatus::Submitted) {
        "review"
    } else {
        "read"
    };
    let groups = set
        .groups
        .iter()
        .zip(&dx.live.groups)
        .map(|(g, scored)| GroupView {
            code: g.code.clone(),
            name: g.name.clone(),
            score: num(lang, scored.score),
            max: num(lang, scored.max),
            level: scored.level,
            missing_mandatory: scored.missing_mandatory.join(", "),
            incomplete: g.incomplete.clone().unwrap_or_default(),
            indicators: g
                .indicators
                .iter()
                .map(|i| {
                    let answer = answers.iter().find(|a| a.indicator_code == i.code);
                    let value = answer.and_then(|a| a.value);
                    let measured = dx.measured.get(&i.code);
                    IndicatorView {
                        code: i.code.clone(),
                        name: i.name.clone(),
                        kind: i.answer.code(),
                        mandatory: i.mandatory,
                        points_text: if i.mandatory {
                            lang.t("dx_mandatory").into()
                        } else if i.answer == AnswerKind::Functions {
                            format!(
                                "{} × {} = {} {}",
                                i.functions.unwrap_or(0),
                                num(lang, i.points_each.unwrap_or(0.0)),
                                num(lang, i.max_points()),
                                lang.t("dx_points")
                            )
                        } else {
                            format!("{} {}", num(lang, i.max_points()), lang.t("dx_points"))
                        },
                        max_points: i.max_points(),
                        points_each: i.points_each.unwrap_or(0.0),
                        max_value: i.max_value(),
                        value: value_text(lang, i.answer, value),
                        earned: num(lang, truongso_domain::dx::points(i, value)),
                        note: answer.and_then(|a| a.note.clone()).unwrap_or_default(),
                        link: answer.and_then(|a| a.link.clone()).unwrap_or_default(),
                        measured: measured.map(|m| measured_text(lang, m)).unwrap_or_default(),
                        measured_differs: matches!(
                            (measured.and_then(Measured::as_value), value),
                            (Some(m), Some(v)) if v > m + 10.0 || (i.answer == AnswerKind::YesNo && v != m)
                        ),
                        evidence: detail
                            .map(|d| {
                                d.evidence
                                    .iter()
                                    .filter(|e| e.indicator_code == i.code)
                                    .map(|e| EvidenceView {
                                        id: e.id,
                                        file_name: e.file_name.clone(),
                                        size: format!("{} KB", (e.size + 1023) / 1024),
                                    })
                                    .collect()
                            })
                            .unwrap_or_default(),
                        review_note: detail
                            .and_then(|d| {
                                d.review_notes
                                    .iter()
                                    .find(|n| n.indicator_code == i.code)
                                    .map(|n| n.comment.clone())
                            })
                            .unwrap_or_default(),
                    }
                })
                .collect(),
        })
        .collect();
    let stored = detail.and_then(|d| {
        let a = &d.assessment;
        Some(StoredView {
            teaching: num(lang, a.teaching_score?),
            management: num(lang, a.management_score?),
            level: level_label(lang, a.level),
            submitted: format!(
                "{} — {}",
                a.submitted_by.clone().unwrap_or_default(),
                a.submitted_at
                    .map(|t| vn_time(t, "%d/%m/%Y %H:%M"))
                    .unwrap_or_default()
            ),
        })
    });
    FormPage {
        lang,
        nav: Nav::of(actor),
        crumbs: vec![],
        school_id: dx.school_id,
        school_name: dx.school_name.clone(),
        school_year: dx.school_year.clone(),
        criteria_title: set.title.clone(),
        status: status_label(lang, status).into(),
        status_code: status.map_or("none", AssessmentStatus::code).into(),
        mode,
        groups,
        level: dx.live.level,
        stored,
        review_comment: detail
            .and_then(|d| d.assessment.review_comment.clone())
            .unwrap_or_default(),
        reviewed: detail
            .and_then(|d| {
                Some(format!(
                    "{} — {}",
                    d.assessment.reviewed_by.clone()?,
                    vn_time(d.assessment.reviewed_at?, "%d/%m/%Y %H:%M")
                ))
            })
            .unwrap_or_default(),
        errors,
        saved,
        indicator_codes: set
            .indicators()
            .map(|i| (i.code.clone(), i.name.clone()))
            .collect(),
        max_mb: truongso_domain::dx::MAX_EVIDENCE_BYTES / 1024 / 1024,
        combine: rules.combine.code(),
        caps: rules.mandatory_caps_level,
    }
}

async fn render_form(
    s: &AppState,
    actor: &Actor,
    school_id: i64,
    posted: Option<&[Answer]>,
    errors: Vec<String>,
    saved: bool,
) -> PageResult<Response> {
    let dx = load_school(s, actor, school_id).await.lang(actor)?;
    let school = orgs::get(&mut s.store.conn(), &actor.scope, school_id)
        .await
        .lang(actor)?;
    let mut page = form_view(actor, &s.dx, &dx, posted, errors.clone(), saved);
    page.crumbs = crumbs_for(s, actor, &school).await?;
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    Ok((status, page).into_response())
}

/// The self-assessment form (or the review, or a read-only view, by role and status).
pub async fn school_page(
    State(s): State<AppState>,
    actor: Actor,
    Path(id): Path<i64>,
    uri: Uri,
) -> PageResult<Response> {
    let saved = uri.query().is_some_and(|q| q.contains("saved=1"));
    render_form(&s, &actor, id, None, vec![], saved).await
}

/// Reads the form's answers: `v.<code>` (blank = unanswered; "," or "." as decimal mark),
/// `n.<code>` notes, `l.<code>` links, for every indicator of the current criteria.
fn posted_answers(fields: &[(String, String)]) -> Result<Vec<Answer>, (Vec<Answer>, Vec<String>)> {
    let get = |key: String| {
        fields
            .iter()
            .find(|(k, _)| *k == key)
            .map(|(_, v)| v.trim().to_string())
            .filter(|v| !v.is_empty())
    };
    let mut errors = vec![];
    let answers: Vec<Answer> = CriteriaSet::current()
        .indicators()
        .map(|i| {
            let raw = get(format!("v.{}", i.code));
            let value = raw
                .as_deref()
                .and_then(|r| match r.replace(',', ".").parse::<f64>() {
                    Ok(v) => Some(v),
                    Err(_) => {
                        errors.push(format!("Chỉ số {}: '{r}' không phải là số.", i.code));
                        None
                    }
                });
            Answer {
                indicator_code: i.code.clone(),
                value,
                note: get(format!("n.{}", i.code)),
                link: get(format!("l.{}", i.code)),
            }
        })
        .collect();
    if errors.is_empty() {
        Ok(answers)
    } else {
        Err((answers, errors))
    }
}

/// The messages of a rejected write, for the top of the form.
fn messages(e: ApiError) -> Result<Vec<String>, ApiError> {
    match e {
        ApiError::Store(StoreError::Invalid(inv)) => {
            Ok(inv.0.into_iter().map(|f| f.message).collect())
        }
        ApiError::Store(StoreError::Conflict(f)) => Ok(vec![f.message]),
        other => Err(other),
    }
}

/// Saves the form ("Lưu").
pub async fn save(
    State(s): State<AppState>,
    actor: Actor,
    Path(id): Path<i64>,
    Form(fields): Form<Vec<(String, String)>>,
) -> PageResult<Response> {
    let answers = match posted_answers(&fields) {
        Ok(a) => a,
        Err((a, errors)) => return render_form(&s, &actor, id, Some(&a), errors, false).await,
    };
    match write_answers(&s, &actor, id, &answers).await {
        Ok(()) => Ok(Redirect::to(&format!("/dx/schools/{id}?saved=1")).into_response()),
        Err(e) => {
            let errors = messages(e).lang(&actor)?;
            render_form(&s, &actor, id, Some(&answers), errors, false).await
        }
    }
}

/// Saves the form and submits it for review ("Lưu và gửi duyệt"), all or nothing.
pub async fn submit(
    State(s): State<AppState>,
    actor: Actor,
    Path(id): Path<i64>,
    Form(fields): Form<Vec<(String, String)>>,
) -> PageResult<Response> {
    let answers = match posted_answers(&fields) {
        Ok(a) => a,
        Err((a, errors)) => return render_form(&s, &actor, id, Some(&a), errors, false).await,
    };
    match submit_school(&s, &actor, id, Some(&answers)).await {
        Ok(()) => Ok(Redirect::to(&format!("/dx/schools/{id}")).into_response()),
        Err(e) => {
            let errors = messages(e).lang(&actor)?;
            render_form(&s, &actor, id, Some(&answers), errors, false).await
        }
    }
}

/// Receives an evidence file (multipart: `indicator_code`, `file`).
pub async fn upload(
    State(s): State<AppState>,
    actor: Actor,
    Path(id): Path<i64>,
    mut form: Multipart,
) -> PageResult<Response> {
    let mut code = String::new();
    let mut file: Option<(String, Vec<u8>)> = None;
    loop {
        match form.next_field().await {
            Ok(Some(field)) => match field.name() {
                Some("indicator_code") => code = field.text().await.unwrap_or_default(),
                Some("file") => {
                    let name = field.file_name().unwrap_or("tep").to_string();
                    match field.bytes().await {
                        Ok(b) => file = Some((name, b.to_vec())),
                        Err(_) => break,
                    }
                }
                _ => {}
            },
            Ok(None) => break,
            Err(_) => {
                file = None;
                break;
            }
        }
    }
    let Some((name, bytes)) = file.filter(|(_, b)| !b.is_empty()) else {
        let message = format!(
            "Hãy chọn một tệp (tối đa {} MB).",
            truongso_domain::dx::MAX_EVIDENCE_BYTES / 1024 / 1024
        );
        return render_form(&s, &actor, id, None, vec![message], false).await;
    };
    match add_evidence(&s, &actor, id, &code, &name, &bytes).await {
        Ok(_) => Ok(Redirect::to(&format!("/dx/schools/{id}?saved=1#i-{code}")).into_response()),
        Err(e) => {
            let errors = messages(e).lang(&actor)?;
            render_form(&s, &actor, id, None, errors, false).await
        }
    }
}

/// Downloads an evidence file (always as an attachment, with the type found at upload).
pub async fn evidence(
    State(s): State<AppState>,
    actor: Actor,
    Path(id): Path<i64>,
) -> PageResult<Response> {
    let (meta, bytes) = store_dx::evidence_file(&mut s.store.conn(), &actor.scope, id)
        .await
        .lang(&actor)?;
    let ascii: String = meta
        .file_name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '.' || c == '-' {
                c
            } else {
                '_'
            }
        })
        .collect();
    Ok((
        [
            (header::CONTENT_TYPE, meta.content_type),
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

/// The office's decision: `decision` (approve/return), `comment`, `c.<code>` per indicator.
pub async fn review(
    State(s): State<AppState>,
    actor: Actor,
    Path(id): Path<i64>,
    Form(fields): Form<Vec<(String, String)>>,
) -> PageResult<Response> {
    let get = |key: &str| {
        fields
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.trim().to_string())
    };
    let decision = match get("decision").as_deref() {
        Some("approve") => Decision::Approve,
        _ => Decision::Return,
    };
    let notes = fields
        .iter()
        .filter_map(|(k, v)| {
            Some(ReviewNote {
                indicator_code: k.strip_prefix("c.")?.to_string(),
                comment: v.trim().to_string(),
            })
        })
        .filter(|n| !n.comment.is_empty())
        .collect();
    let body = ReviewBody {
        decision,
        comment: get("comment").filter(|c| !c.is_empty()),
        notes,
    };
    match review_school(&s, &actor, id, &body).await {
        Ok(()) => Ok(Redirect::to(&format!("/dx/schools/{id}")).into_response()),
        Err(e) => {
            let errors = messages(e).lang(&actor)?;
            render_form(&s, &actor, id, None, errors, false).await
        }
    }
}

pub struct QueueRow {
    pub href: String,
    pub name: String,
    pub status: &'static str,
    pub status_code: &'static str,
    pub teaching: String,
    pub management: String,
    pub level: String,
    pub submitted: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "dx_queue.html")]
pub struct QueuePage {
    lang: Lang,
    nav: Nav,
    crumbs: Vec<Crumb>,
    unit_id: i64,
    unit_name: String,
    school_year: String,
    filter: String,
    counts: Vec<(String, &'static str, usize)>,
    rows: Vec<QueueRow>,
}

/// A unit's schools with the state of their assessment; `?status=` filters (submitted first
/// is what an office works through).
pub async fn queue_page(
    State(s): State<AppState>,
    actor: Actor,
    Path(id): Path<i64>,
    uri: Uri,
) -> PageResult<QueuePage> {
    let lang = actor.lang;
    let filter = form_urlencoded::parse(uri.query().unwrap_or("").as_bytes())
        .find(|(k, _)| k == "status")
        .map(|(_, v)| v.into_owned())
        .unwrap_or_default();
    let unit = orgs::get(&mut s.store.conn(), &actor.scope, id)
        .await
        .lang(&actor)?;
    let year = crate::api::dx::current_year(&s).await.lang(&actor)?;
    let schools = store_dx::schools_under(&mut s.store.conn(), &unit, year.id)
        .await
        .lang(&actor)?;
    let code_of = |st: Option<AssessmentStatus>| st.map_or("none", AssessmentStatus::code);
    let mut counts: Vec<(String, &'static str, usize)> = AssessmentStatus::ALL
        .iter()
        .map(|st| {
            (
                st.code().to_string(),
                lang.label(st.label_vi(), st.label_en()),
                0,
            )
        })
        .collect();
    counts.push(("none".into(), lang.t("dx_not_started"), 0));
    for sc in &schools {
        let code = code_of(sc.status());
        if let Some(c) = counts.iter_mut().find(|c| c.0 == code) {
            c.2 += 1;
        }
    }
    let rows = schools
        .iter()
        .filter(|sc| filter.is_empty() || code_of(sc.status()) == filter)
        .map(|sc| QueueRow {
            href: format!("/dx/schools/{}", sc.school_id),
            name: sc.name.clone(),
            status: status_label(lang, sc.status()),
            status_code: code_of(sc.status()),
            teaching: sc.teaching_score.map(|v| num(lang, v)).unwrap_or_default(),
            management: sc
                .management_score
                .map(|v| num(lang, v))
                .unwrap_or_default(),
            level: if sc.status().is_some_and(|st| st.counts_as_assessed()) {
                level_label(lang, sc.level)
            } else {
                "—".into()
            },
            submitted: sc
                .submitted_at
                .map(|t| vn_time(t, "%d/%m/%Y"))
                .unwrap_or_default(),
        })
        .collect();
    Ok(QueuePage {
        lang,
        nav: Nav::of(&actor),
        crumbs: crumbs_for(&s, &actor, &unit).await?,
        unit_id: unit.id,
        unit_name: unit.name,
        school_year: year.code,
        filter,
        counts,
        rows,
    })
}

pub struct DistributionLine {
    pub name: String,
    pub href: String,
    pub total: u64,
    pub counts: [u64; 4],
    pub percents: [String; 3],
}

pub struct TargetLine {
    pub label: &'static str,
    pub actual: String,
    pub target: String,
    pub met: Option<bool>,
}

#[derive(Template, WebTemplate)]
#[template(path = "dx_distribution.html")]
pub struct DistributionPage {
    lang: Lang,
    nav: Nav,
    crumbs: Vec<Crumb>,
    unit_id: i64,
    unit_name: String,
    school_year: String,
    chart: String,
    lines: Vec<DistributionLine>,
    total: DistributionLine,
    targets: Vec<TargetLine>,
}

/// The distribution of levels over a unit's schools, per child unit, with the plan target.
pub async fn distribution_page(
    State(s): State<AppState>,
    actor: Actor,
    Path(id): Path<i64>,
) -> PageResult<DistributionPage> {
    let lang = actor.lang;
    let unit = orgs::get(&mut s.store.conn(), &actor.scope, id)
        .await
        .lang(&actor)?;
    let d = distribution_of(&s, &unit).await.lang(&actor)?;
    let line = |name: String, href: String, c: &truongso_domain::dx::LevelCounts| {
        let p = c.cumulative_percents();
        DistributionLine {
            name,
            href,
            total: c.total(),
            counts: [c.not_assessed, c.level1, c.level2, c.level3],
            percents: p.map(|v| format!("{} %", num(lang, v))),
        }
    };
    let lines: Vec<DistributionLine> = d
        .rows
        .iter()
        .map(|r| {
            let href = r
                .unit_id
                .map(|u| format!("/dx/units/{u}/distribution"))
                .unwrap_or_else(|| format!("/dx/units/{}", unit.id));
            line(r.name.clone(), href, &r.counts)
        })
        .collect();
    let series = [
        lang.t("dx_not_assessed"),
        lang.t("dx_level1"),
        lang.t("dx_level2"),
        lang.t("dx_level3"),
    ];
    let stacks: Vec<charts::Stack> = lines
        .iter()
        .map(|l| charts::Stack {
            label: l.name.clone(),
            parts: l.counts.iter().map(|c| *c as f64).collect(),
            // The table beside it links each row: links inside the chart's role="img" would be
            // interactive controls nested in an image (axe: nested-interactive).
            href: None,
        })
        .collect();
    let chart = charts::stacked_bars(
        &format!("{} — {}", lang.t("dx_distribution"), unit.name),
        &series,
        &stacks,
        true,
    );
    let t = &d.targets;
    let targets = [
        (lang.t("dx_target1"), t.level1_percent),
        (lang.t("dx_target2"), t.level2_percent),
        (lang.t("dx_target3"), t.level3_percent),
    ]
    .into_iter()
    .enumerate()
    .map(|(k, (label, target))| TargetLine {
        label,
        actual: format!("{} %", num(lang, d.percents[k])),
        target: format!("{} %", num(lang, target)),
        met: d.meets.as_ref().map(|m| m[k]),
    })
    .collect();
    Ok(DistributionPage {
        lang,
        nav: Nav::of(&actor),
        crumbs: crumbs_for(&s, &actor, &unit).await?,
        unit_id: unit.id,
        unit_name: unit.name.clone(),
        school_year: d.school_year.clone(),
        chart,
        total: line(
            lang.t("total").into(),
            format!("/dx/units/{}", unit.id),
            &d.total,
        ),
        lines,
        targets,
    })
}
