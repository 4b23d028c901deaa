//! Data-quality pages: a unit's dashboard (score, completeness, issues by rule, the units or
//! classes below ranked worst first, the ID indicator), the drill-down to faulty records with a
//! link to the form that fixes each, duplicate cases with their resolve form, and the rule
//! settings. Plain links and forms: no JavaScript.

use std::collections::BTreeMap;

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, State};
use axum::http::{StatusCode, Uri};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use truongso_domain::access::Permission;
use truongso_domain::quality::{self as rules, RuleCode, Severity};
use truongso_store::quality::{
    self, DuplicateCase, DuplicateFilter, IssueFilter, IssueRow, Resolution, RuleChange, RuleState,
};
use truongso_store::{Page, Scope, StoreError, orgs};

use super::{Crumb, InLang, Nav, PageResult, Pager, crumbs_linking, start_unit};
use crate::AppState;
use crate::actor::Actor;
use crate::api::parse_query;
use crate::api::quality::{by, read_case, resolve_case, start_scan};
use crate::error::ApiError;
use crate::i18n::Lang;

/// "87,5 %" in Vietnamese, "87.5%" in English; a dash without data.
fn pct(lang: Lang, v: Option<f64>) -> String {
    match (v, lang) {
        (None, _) => "—".into(),
        (Some(v), Lang::Vi) => format!("{v:.1} %").replace('.', ","),
        (Some(v), Lang::En) => format!("{v:.1}%"),
    }
}

pub(super) fn rule_label(lang: Lang, code: &str) -> String {
    RuleCode::from_code(code).map_or_else(
        || code.to_string(),
        |c| {
            let r = rules::rule(c);
            lang.label(&r.label_vi, &r.label_en).to_string()
        },
    )
}

pub(super) fn severity_label(lang: Lang, code: &str) -> &'static str {
    Severity::from_code(code).map_or("?", |s| lang.label(s.label_vi(), s.label_en()))
}

pub async fn home(State(s): State<AppState>, actor: Actor) -> PageResult<Redirect> {
    let id = start_unit(&s, &actor).await?.id;
    Ok(Redirect::to(&format!("/quality/units/{id}")))
}

/// Breadcrumbs of quality pages: the scope's units down to `unit`, each to its dashboard.
async fn crumbs(s: &AppState, actor: &Actor, unit_id: i64) -> PageResult<Vec<Crumb>> {
    let unit = orgs::get(&mut s.store.conn(), &actor.scope, unit_id)
        .await
        .lang(actor)?;
    crumbs_linking(s, actor, &unit, |id| format!("/quality/units/{id}")).await
}

pub struct RuleLine {
    pub label: String,
    pub severity: &'static str,
    pub severity_code: String,
    pub issues: i64,
    pub href: String,
}

pub struct BelowLine {
    pub name: String,
    pub href: String,
    pub issues_href: String,
    pub learners: i64,
    pub issues: i64,
    pub score: String,
    pub completeness: String,
    pub quality: String,
    pub id_percent: String,
}

pub struct Indicator {
    pub label: &'static str,
    pub valid: i64,
    pub eligible: i64,
    pub percent: String,
    pub target: i64,
    /// `None` without eligible learners.
    pub met: Option<bool>,
}

#[derive(Template, WebTemplate)]
#[template(path = "quality.html")]
pub struct DashboardPage {
    lang: Lang,
    nav: Nav,
    crumbs: Vec<Crumb>,
    unit_id: i64,
    unit_name: String,
    is_school: bool,
    scanned: bool,
    checked_at: String,
    learners: i64,
    score: String,
    score_value: f64,
    completeness: String,
    quality: String,
    by_rule: Vec<RuleLine>,
    below: Vec<BelowLine>,
    indicators: Vec<Indicator>,
    open_duplicates: i64,
    can_configure: bool,
}

pub async fn unit_page(
    State(s): State<AppState>,
    actor: Actor,
    Path(id): Path<i64>,
) -> PageResult<DashboardPage> {
    let lang = actor.lang;
    let q = quality::unit_quality(&mut s.store.conn(), &actor.scope, id)
        .await
        .lang(&actor)?;
    let crumbs = crumbs(&s, &actor, id).await?;
    let is_school = q.unit.kind == truongso_domain::org::OrgKind::School;
    let by_rule = q
        .by_rule
        .iter()
        .map(|r| RuleLine {
            label: rule_label(lang, &r.rule),
            severity: severity_label(lang, &r.severity),
            severity_code: r.severity.clone(),
            issues: r.issues,
            href: format!("/quality/issues?org_unit_id={id}&rule={}", r.rule),
        })
        .collect();
    let below = q
        .below
        .iter()
        .map(|b| {
            let (href, issues_href) = if b.kind == "class" {
                (
                    format!("/classes/{}", b.id),
                    format!("/quality/issues?org_unit_id={id}&class_id={}", b.id),
                )
            } else {
                (
                    format!("/quality/units/{}", b.id),
                    format!("/quality/issues?org_unit_id={}", b.id),
                )
            };
            BelowLine {
                name: b.name.clone(),
                href,
                issues_href,
                learners: b.tally.learners,
                issues: b.issues,
                score: pct(lang, b.score),
                completeness: pct(lang, b.completeness),
                quality: pct(lang, b.quality),
                id_percent: pct(lang, b.id_percent),
            }
        })
        .collect();
    let indicator =
        |label, valid: i64, eligible: i64, percent: Option<f64>, target: i64| Indicator {
            label,
            valid,
            eligible,
            percent: pct(lang, percent),
            target,
            met: percent.map(|p| p >= target as f64),
        };
    let indicators = vec![
        indicator(
            lang.t("grades_9_12"),
            q.tally.id_valid,
            q.tally.id_eligible,
            q.id_percent,
            q.settings.id_target_percent,
        ),
        indicator(
            lang.t("grades_9_and_12"),
            q.tally.id_exit_valid,
            q.tally.id_exit_eligible,
            q.id_exit_percent,
            q.settings.id_target_exit_grades_percent,
        ),
    ];
    Ok(DashboardPage {
        lang,
        nav: Nav::of(&actor),
        crumbs,
        unit_id: id,
        unit_name: q.unit.name.clone(),
        is_school,
        scanned: q.checked_at.is_some(),
        checked_at: q
            .checked_at
            .map(|t| {
                (t + chrono::Duration::hours(7))
                    .format("%d/%m/%Y %H:%M")
                    .to_string()
            })
            .unwrap_or_default(),
        learners: q.tally.learners,
        score: pct(lang, q.score),
        score_value: q.score.unwrap_or(0.0),
        completeness: pct(lang, q.completeness),
        quality: pct(lang, q.quality),
        by_rule,
        below,
        indicators,
        open_duplicates: q.open_duplicates,
        can_configure: actor.can(Permission::QualityConfigure),
    })
}

pub struct IssueLine {
    pub row: IssueRow,
    pub rule: String,
    pub severity: &'static str,
    pub fix_href: String,
    pub fix_label: &'static str,
}

#[derive(Template, WebTemplate)]
#[template(path = "quality_issues.html")]
pub struct IssuesPage {
    lang: Lang,
    nav: Nav,
    crumbs: Vec<Crumb>,
    unit_id: Option<i64>,
    unit_name: String,
    class_id: Option<i64>,
    rule: String,
    /// The same filter, for the export links.
    export_query: String,
    rules: Vec<(String, String)>,
    issues: Vec<IssueLine>,
    total: u64,
    pager: Pager,
}

pub async fn issues_page(
    State(s): State<AppState>,
    actor: Actor,
    uri: Uri,
) -> PageResult<IssuesPage> {
    let lang = actor.lang;
    let raw = uri.query().unwrap_or("");
    let filter: IssueFilter = parse_query(raw).lang(&actor)?;
    let page = crate::api::parse_page(raw).lang(&actor)?;
    let mut conn = s.store.conn();
    let found = quality::issues(&mut conn, &actor.scope, &filter, &page)
        .await
        .lang(&actor)?;
    // Faulty learner records are personal data: the list is audited like the learner list.
    actor
        .audit_list(&mut conn, "learner", uri.query())
        .await
        .lang(&actor)?;
    let unit_id = match filter.org_unit_id {
        Some(u) => u,
        None => start_unit(&s, &actor).await?.id,
    };
    let crumbs = crumbs(&s, &actor, unit_id).await?;
    let unit_name = crumbs.last().map(|c| c.label.clone()).unwrap_or_default();
    let pager = Pager::new(&found, &uri);
    let total = found.total;
    let issues = found
        .items
        .into_iter()
        .map(|row| {
            let fix = RuleCode::from_code(&row.rule).map(|c| rules::rule(c).fix);
            IssueLine {
                rule: rule_label(lang, &row.rule),
                severity: severity_label(lang, &row.severity),
                fix_href: row.fix_href(),
                fix_label: fix.map_or("", |f| lang.label(f.label_vi(), f.label_en())),
                row,
            }
        })
        .collect();
    let export_query = form_urlencoded::parse(raw.as_bytes())
        .filter(|(k, _)| k != "page" && k != "format")
        .fold(
            form_urlencoded::Serializer::new(String::new()),
            |mut q, (k, v)| {
                q.append_pair(&k, &v);
                q
            },
        )
        .finish();
    Ok(IssuesPage {
        export_query,
        lang,
        nav: Nav::of(&actor),
        crumbs,
        unit_id: filter.org_unit_id,
        unit_name,
        class_id: filter.class_id,
        rule: filter
            .rule
            .map(|r| r.code().to_string())
            .unwrap_or_default(),
        rules: rules::rules()
            .iter()
            .map(|r| {
                (
                    r.code.code().to_string(),
                    lang.label(&r.label_vi, &r.label_en).to_string(),
                )
            })
            .collect(),
        issues,
        total,
        pager,
    })
}

#[derive(Template, WebTemplate)]
#[template(path = "quality_duplicates.html")]
pub struct DuplicatesPage {
    lang: Lang,
    nav: Nav,
    crumbs: Vec<Crumb>,
    status: String,
    cases: Page<DuplicateCase>,
    pager: Pager,
}

impl DuplicatesPage {
    fn status_label(&self, status: &str) -> &'static str {
        self.lang
            .t(if status == "open" { "open" } else { "resolved" })
    }
}

pub async fn duplicates_page(
    State(s): State<AppState>,
    actor: Actor,
    uri: Uri,
) -> PageResult<DuplicatesPage> {
    let raw = uri.query().unwrap_or("");
    let filter: DuplicateFilter = parse_query(raw).lang(&actor)?;
    let page = crate::api::parse_page(raw).lang(&actor)?;
    let mut conn = s.store.conn();
    let cases = quality::duplicates(&mut conn, &actor.scope, &filter, &page)
        .await
        .lang(&actor)?;
    actor
        .audit_list(&mut conn, "learner", Some(&format!("duplicates {raw}")))
        .await
        .lang(&actor)?;
    let unit = start_unit(&s, &actor).await?.id;
    let mut crumbs = crumbs(&s, &actor, unit).await?;
    crumbs.push(Crumb {
        href: "/quality/duplicates".into(),
        label: actor.lang.t("duplicates").into(),
    });
    let pager = Pager::new(&cases, &uri);
    Ok(DuplicatesPage {
        lang: actor.lang,
        nav: Nav::of(&actor),
        crumbs,
        status: filter.status.unwrap_or_default(),
        cases,
        pager,
    })
}

#[derive(Template, WebTemplate)]
#[template(path = "quality_duplicate.html")]
pub struct DuplicatePage {
    lang: Lang,
    nav: Nav,
    crumbs: Vec<Crumb>,
    case: DuplicateCase,
    can_resolve: bool,
    errors: Vec<String>,
    decided_at: String,
}

impl DuplicatePage {
    fn sides(&self) -> [&truongso_store::quality::DuplicateSide; 2] {
        [&self.case.a, &self.case.b]
    }

    fn is_current(&self, learner_id: &i64) -> bool {
        self.case.current_learner_id == Some(*learner_id)
    }

    fn status_label(&self, status: &Option<truongso_domain::learners::EnrolmentStatus>) -> String {
        status.map_or_else(
            || "—".to_string(),
            |s| self.lang.label(s.label_vi(), s.label_en()).to_string(),
        )
    }
}

async fn duplicate_view(
    s: &AppState,
    actor: &Actor,
    id: i64,
    errors: Vec<String>,
) -> PageResult<DuplicatePage> {
    let case = read_case(s, actor, id).await.lang(actor)?;
    let unit = start_unit(s, actor).await?.id;
    let mut crumbs = crumbs(s, actor, unit).await?;
    crumbs.push(Crumb {
        href: "/quality/duplicates".into(),
        label: actor.lang.t("duplicates").into(),
    });
    crumbs.push(Crumb {
        href: format!("/quality/duplicates/{id}"),
        label: format!("#{id}"),
    });
    Ok(DuplicatePage {
        lang: actor.lang,
        nav: Nav::of(actor),
        crumbs,
        can_resolve: actor.can(Permission::DuplicateResolve) && case.status == "open",
        errors,
        decided_at: case
            .decided_at
            .map(|t| {
                (t + chrono::Duration::hours(7))
                    .format("%d/%m/%Y %H:%M")
                    .to_string()
            })
            .unwrap_or_default(),
        case,
    })
}

pub async fn duplicate_page(
    State(s): State<AppState>,
    actor: Actor,
    Path(id): Path<i64>,
) -> PageResult<DuplicatePage> {
    duplicate_view(&s, &actor, id, vec![]).await
}

#[derive(Deserialize)]
struct ResolveForm {
    current_learner_id: Option<i64>,
    note: Option<String>,
}

pub async fn resolve(
    State(s): State<AppState>,
    actor: Actor,
    Path(id): Path<i64>,
    body: String,
) -> PageResult<Response> {
    let form: ResolveForm = parse_query(&body).lang(&actor)?;
    let Some(current) = form.current_learner_id else {
        let page = duplicate_view(
            &s,
            &actor,
            id,
            vec![actor.lang.t("current_record").to_string() + ": " + actor.lang.t("not_recorded")],
        )
        .await?;
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    };
    let resolution = Resolution {
        current_learner_id: current,
        note: form.note,
    };
    match resolve_case(&s, &actor, id, &resolution).await {
        Ok(_) => Ok(Redirect::to(&format!("/quality/duplicates/{id}")).into_response()),
        Err(e @ ApiError::Store(StoreError::Invalid(_) | StoreError::Conflict(_))) => {
            let errors = e.field_errors().into_iter().map(|f| f.message).collect();
            let page = duplicate_view(&s, &actor, id, errors).await?;
            Ok((e.status(), page).into_response())
        }
        Err(e) => Err((&actor, e).into()),
    }
}

pub struct SettingLine {
    pub key: &'static str,
    pub label: &'static str,
    pub value: String,
    pub min: i64,
    pub max: i64,
    pub error: Option<String>,
}

#[derive(Template, WebTemplate)]
#[template(path = "quality_settings.html")]
pub struct SettingsPage {
    lang: Lang,
    nav: Nav,
    crumbs: Vec<Crumb>,
    rules: Vec<RuleState>,
    settings: Vec<SettingLine>,
    severities: Vec<(String, String)>,
    notice: Option<&'static str>,
    errors: Vec<String>,
}

impl SettingsPage {
    fn label(&self, r: &RuleState) -> String {
        self.lang.label(&r.label_vi, &r.label_en).to_string()
    }
}

async fn settings_view(
    s: &AppState,
    actor: &Actor,
    typed: Option<&BTreeMap<String, String>>,
    errors: Vec<truongso_domain::FieldError>,
    notice: Option<&'static str>,
) -> PageResult<SettingsPage> {
    let lang = actor.lang;
    let mut conn = s.store.conn();
    let states = quality::rule_states(&mut conn).await.lang(actor)?;
    let current = quality::config(&mut conn).await.lang(actor)?.settings;
    let settings = rules::SETTINGS
        .iter()
        .map(|d| SettingLine {
            key: d.key,
            label: lang.label(d.label_vi, d.label_en),
            value: typed
                .and_then(|t| t.get(d.key).cloned())
                .unwrap_or_else(|| current.value(d.key).unwrap_or(d.default).to_string()),
            min: d.min,
            max: d.max,
            error: errors
                .iter()
                .find(|e| e.field == d.key)
                .map(|e| e.message.clone()),
        })
        .collect();
    let unit = start_unit(s, actor).await?.id;
    let mut crumbs = crumbs(s, actor, unit).await?;
    crumbs.push(Crumb {
        href: "/quality/settings".into(),
        label: lang.t("settings").into(),
    });
    Ok(SettingsPage {
        lang,
        nav: Nav::of(actor),
        crumbs,
        rules: states,
        settings,
        severities: Severity::ALL
            .iter()
            .map(|s| {
                (
                    s.code().to_string(),
                    lang.label(s.label_vi(), s.label_en()).to_string(),
                )
            })
            .collect(),
        notice,
        errors: errors.into_iter().map(|e| e.message).collect(),
    })
}

pub async fn settings_page(
    State(s): State<AppState>,
    actor: Actor,
    uri: Uri,
) -> PageResult<SettingsPage> {
    let notice = match uri.query().unwrap_or("") {
        q if q.contains("scan=started") => Some("scan_started"),
        q if q.contains("scan=running") => Some("scan_running"),
        q if q.contains("saved=1") => Some("saved"),
        _ => None,
    };
    settings_view(&s, &actor, None, vec![], notice).await
}

/// Saves the rules form (a checkbox and a severity per rule) and the thresholds, all or none.
pub async fn save_settings(
    State(s): State<AppState>,
    actor: Actor,
    body: String,
) -> PageResult<Response> {
    let form: BTreeMap<String, String> = form_urlencoded::parse(body.as_bytes())
        .into_owned()
        .collect();
    let values: BTreeMap<String, String> = rules::SETTINGS
        .iter()
        .filter_map(|d| form.get(d.key).map(|v| (d.key.to_string(), v.clone())))
        .collect();
    let states = quality::rule_states(&mut s.store.conn())
        .await
        .lang(&actor)?;
    let mut tx = s.store.begin().await.lang(&actor)?;
    let who = by(&actor);
    for state in &states {
        let code = state.code.code();
        let change = RuleChange {
            enabled: form.contains_key(&format!("enabled_{code}")),
            severity: form
                .get(&format!("severity_{code}"))
                .and_then(|v| Severity::from_code(v))
                .unwrap_or(state.severity),
        };
        if change.enabled != state.enabled || change.severity != state.severity {
            quality::set_rule(&mut tx, state.code, &change, &who)
                .await
                .lang(&actor)?;
        }
    }
    match quality::set_settings(&mut tx, &values, &who).await {
        Ok(_) => {}
        Err(StoreError::Invalid(inv)) => {
            drop(tx);
            let page = settings_view(&s, &actor, Some(&values), inv.0, None).await?;
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
        }
        Err(e) => return Err((&actor, e).into()),
    }
    actor
        .audit(
            &mut tx.conn(),
            truongso_store::audit::AuditAction::Update,
            "quality_settings",
            None,
            None,
        )
        .await
        .lang(&actor)?;
    tx.commit().await.lang(&actor)?;
    Ok(Redirect::to("/quality/settings?saved=1").into_response())
}

pub async fn scan(State(s): State<AppState>, actor: Actor) -> PageResult<Redirect> {
    let started = start_scan(&s.store);
    if started {
        actor
            .audit(
                &mut s.store.conn(),
                truongso_store::audit::AuditAction::Update,
                "quality_scan",
                None,
                None,
            )
            .await
            .lang(&actor)?;
    }
    Ok(Redirect::to(if started {
        "/quality/settings?scan=started"
    } else {
        "/quality/settings?scan=running"
    }))
}

/// Used by the learner page: its completeness and open issues, with the fix links.
pub async fn learner_summary(
    s: &AppState,
    actor: &Actor,
    learner_id: i64,
) -> PageResult<Option<(String, Vec<IssueLine>)>> {
    if !actor.can(Permission::QualityRead) || matches!(actor.scope, Scope::Learners { .. }) {
        return Ok(None);
    }
    let lang = actor.lang;
    let (completeness, issues) = quality::learner_quality(&mut s.store.conn(), learner_id)
        .await
        .lang(actor)?;
    let Some((filled, expected)) = completeness else {
        return Ok(None);
    };
    let lines = issues
        .into_iter()
        .map(|row| {
            let fix = RuleCode::from_code(&row.rule).map(|c| rules::rule(c).fix);
            IssueLine {
                rule: rule_label(lang, &row.rule),
                severity: severity_label(lang, &row.severity),
                fix_href: row.fix_href(),
                fix_label: fix.map_or("", |f| lang.label(f.label_vi(), f.label_en())),
                row,
            }
        })
        .collect();
    Ok(Some((
        pct(lang, rules::percent(i64::from(filled), i64::from(expected))),
        lines,
    )))
}
