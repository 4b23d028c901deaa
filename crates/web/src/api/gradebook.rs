//! The gradebook API: an entry grid's load and save (what the grid page's script calls), a
//! class's summary, a row's history, term locks and the year-end computation.
//!
//! The route table lets a role in; [`may_write`] and [`class_in_reach`] then narrow to what
//! this teacher teaches or leads — the one place pages and API share.

use axum::Json;
use axum::extract::{Path, State};
use serde::{Deserialize, Serialize};
use truongso_domain::access::Role;
use truongso_domain::gradebook::{Item, Term};
use truongso_store::classes::{self, Class};
use truongso_store::gradebook::ledger::{self, HistoryEntry};
use truongso_store::gradebook::results::{self, ComputeReport};
use truongso_store::gradebook::terms::{self, TermChange, TermState};
use truongso_store::gradebook::{self, CellEdit, Grid, SaveReport};
use truongso_store::{Scope, learners, orgs};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::ApiJson;
use crate::AppState;
use crate::actor::Actor;
use crate::error::{ApiError, ApiResult, Problem};
use truongso_store::audit::AuditAction;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(read_grid, save_grid))
        .routes(routes!(class_summary))
        .routes(routes!(row_history))
        .routes(routes!(change_term))
        .routes(routes!(compute_year))
}

/// A class the actor may see the marks of: in scope, and for a teacher one they teach or lead.
pub(crate) async fn class_in_reach(s: &AppState, actor: &Actor, class_id: i64) -> ApiResult<Class> {
    if let Scope::Classes { class_ids, .. } = &actor.scope
        && !class_ids.contains(&class_id)
    {
        return Err(ApiError::NotFound);
    }
    Ok(classes::get(&mut s.store.conn(), &actor.scope, class_id).await?)
}

/// What the actor may write in this class: `None` for everything (school leaders), else the
/// item codes — a subject teacher's assigned subjects, and a homeroom teacher's class items.
pub(crate) async fn writable_items(
    s: &AppState,
    actor: &Actor,
    class: &Class,
) -> ApiResult<Option<Vec<String>>> {
    match actor.role {
        Some(Role::Principal | Role::SchoolAdmin) => Ok(None),
        Some(Role::Teacher | Role::HomeroomTeacher) => {
            let Some(staff_id) = actor.user.as_ref().and_then(|u| u.staff_id) else {
                return Ok(Some(vec![]));
            };
            Ok(Some(
                gradebook::items_of_teacher(&mut s.store.conn(), class, staff_id).await?,
            ))
        }
        _ => Ok(Some(vec![])),
    }
}

/// Whether the actor may write this item of this class ([`writable_items`]).
pub(crate) async fn may_write(
    s: &AppState,
    actor: &Actor,
    class: &Class,
    item: Item,
) -> ApiResult<bool> {
    Ok(writable_items(s, actor, class)
        .await?
        .is_none_or(|items| items.iter().any(|i| i == item.code())))
}

pub(crate) fn parse_item(code: &str) -> ApiResult<Item> {
    Item::from_code(code).ok_or(ApiError::NotFound)
}

pub(crate) fn parse_term(code: &str) -> ApiResult<Term> {
    Term::from_code(code).ok_or(ApiError::NotFound)
}

/// Where a change came from, as the history records it.
pub(crate) fn source(actor: &Actor, surface: &str) -> String {
    match actor.client {
        Some(c) => format!("{surface} {}", c.ip()),
        None => surface.to_string(),
    }
}

/// Load the entry grid of a class for one subject (or conduct) and term.
#[utoipa::path(get, path = "/gradebook/classes/{class_id}/items/{item}/terms/{term}", tag = "gradebook",
    params(("class_id" = i64, Path), ("item" = String, Path, description = "Mã môn học, hoặc ren_luyen, nghi_hoc, pc_…/nl_…"),
           ("term" = String, Path, description = "hk1, hk2 hoặc he (kiểm tra lại/rèn luyện hè)")),
    responses((status = 200, body = Grid), (status = 404, body = Problem)))]
async fn read_grid(
    State(s): State<AppState>,
    actor: Actor,
    Path((class_id, item, term)): Path<(i64, String, String)>,
) -> ApiResult<Json<Grid>> {
    let (item, term) = (parse_item(&item)?, parse_term(&term)?);
    let class = class_in_reach(&s, &actor, class_id).await?;
    let grid = gradebook::grid(&mut s.store.conn(), &class, item, term).await?;
    actor
        .audit_list(
            &mut s.store.conn(),
            "grade",
            Some(&format!(
                "class_id={class_id}&item={}&term={}",
                item.code(),
                term.code()
            )),
        )
        .await?;
    Ok(Json(grid))
}

/// The cells a grid sends.
#[derive(Debug, Deserialize, ToSchema)]
pub struct SaveBody {
    pub cells: Vec<CellEdit>,
}

/// Save cells of an entry grid. Bad values reject the whole save (422, each named); cells
/// someone else changed since `base` are not written and come back as conflicts; a locked
/// term refuses (409).
#[utoipa::path(post, path = "/gradebook/classes/{class_id}/items/{item}/terms/{term}", tag = "gradebook",
    params(("class_id" = i64, Path), ("item" = String, Path), ("term" = String, Path)),
    request_body = SaveBody,
    responses((status = 200, body = SaveReport), (status = 403, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn save_grid(
    State(s): State<AppState>,
    actor: Actor,
    Path((class_id, item, term)): Path<(i64, String, String)>,
    ApiJson(body): ApiJson<SaveBody>,
) -> ApiResult<Json<SaveReport>> {
    let (item, term) = (parse_item(&item)?, parse_term(&term)?);
    Ok(Json(
        save(&s, &actor, class_id, item, term, &body.cells, "api").await?,
    ))
}

/// Saving from the API or the grid page: the rights check, the save and its audit.
pub(crate) async fn save(
    s: &AppState,
    actor: &Actor,
    class_id: i64,
    item: Item,
    term: Term,
    cells: &[CellEdit],
    surface: &str,
) -> ApiResult<SaveReport> {
    let class = class_in_reach(s, actor, class_id).await?;
    if !may_write(s, actor, &class, item).await? {
        return Err(ApiError::Forbidden(format!(
            "Bạn không được phân công nhập {} của lớp {}.",
            item.name_vi(),
            class.name
        )));
    }
    if cells.len() > 2_000 {
        return Err(ApiError::Store(truongso_store::StoreError::invalid(
            "cells",
            "Tối đa 2.000 ô mỗi lần lưu.",
        )));
    }
    let mut tx = s.store.begin().await?;
    let report = gradebook::save(
        &mut tx,
        &actor.audit_actor(),
        &source(actor, surface),
        &class,
        item,
        term,
        cells,
    )
    .await?;
    if report.saved > 0 {
        actor
            .audit(
                &mut tx.conn(),
                AuditAction::Update,
                "grade",
                Some(class.id),
                Some(class.org_unit_id),
            )
            .await?;
    }
    tx.commit().await?;
    Ok(report)
}

/// One learner's line of a class summary.
#[derive(Debug, Serialize, ToSchema)]
pub struct SummaryLine {
    pub learner_id: i64,
    pub full_name: String,
    /// Per subject (in `subjects` order): semester I, semester II, year results as shown.
    pub subjects: Vec<[Option<String>; 3]>,
    pub learning: [Option<String>; 3],
    pub conduct: [Option<String>; 3],
    pub absences: u32,
    pub award: Option<String>,
    pub primary_result: Option<String>,
    pub outcome: Option<String>,
    pub retest_subjects: Vec<String>,
    pub missing: Vec<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ClassSummary {
    pub class_id: i64,
    pub class_name: String,
    /// (code, name) of each subject.
    pub subjects: Vec<(String, String)>,
    pub learners: Vec<SummaryLine>,
}

/// The homeroom summary of a class: every learner's results by semester and year so far.
#[utoipa::path(get, path = "/gradebook/classes/{class_id}/summary", tag = "gradebook",
    params(("class_id" = i64, Path)), responses((status = 200, body = ClassSummary), (status = 404, body = Problem)))]
async fn class_summary(
    State(s): State<AppState>,
    actor: Actor,
    Path(class_id): Path<i64>,
) -> ApiResult<Json<ClassSummary>> {
    let class = class_in_reach(&s, &actor, class_id).await?;
    let years = results::class_years(&mut s.store.conn(), &class, &s.grading).await?;
    actor
        .audit_list(
            &mut s.store.conn(),
            "grade",
            Some(&format!("class_id={class_id}&summary")),
        )
        .await?;
    Ok(Json(summary_of(&years)))
}

pub(crate) fn summary_of(years: &results::ClassYears) -> ClassSummary {
    let level = |l: Option<truongso_domain::grading::Level>| l.map(|l| l.label_vi().to_string());
    ClassSummary {
        class_id: years.class.id,
        class_name: years.class.name.clone(),
        subjects: years.subjects.clone(),
        learners: years
            .learners
            .iter()
            .map(|l| {
                let y = &l.summary;
                SummaryLine {
                    learner_id: l.learner.learner_id,
                    full_name: l.learner.full_name.clone(),
                    subjects: y
                        .subjects
                        .iter()
                        .map(|s| {
                            [s.first, s.second, s.final_result()].map(|r| r.map(|r| r.display()))
                        })
                        .collect(),
                    learning: [y.first.learning, y.second.learning, y.final_learning].map(level),
                    conduct: [y.first.conduct, y.second.conduct, y.final_conduct].map(level),
                    absences: y.absences,
                    award: y.award.map(|a| a.label_vi().to_string()),
                    primary_result: y.primary_result.map(|r| r.label_vi().to_string()),
                    outcome: y.outcome.map(|o| o.label_vi().to_string()),
                    retest_subjects: y.retest_subjects.iter().map(|s| s.to_string()).collect(),
                    missing: y.missing.clone(),
                }
            })
            .collect(),
    }
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct HistoryQuery {
    pub learner_id: i64,
    pub school_year_id: i64,
    pub item: String,
    pub term: String,
}

/// Every change of one learner's row (subject × term), oldest first, with who, when, from
/// where, before and after, and the event's hash.
#[utoipa::path(get, path = "/gradebook/history", tag = "gradebook", params(HistoryQuery),
    responses((status = 200, body = Vec<HistoryEntry>), (status = 404, body = Problem)))]
async fn row_history(
    State(s): State<AppState>,
    actor: Actor,
    axum::extract::Query(q): axum::extract::Query<HistoryQuery>,
) -> ApiResult<Json<Vec<HistoryEntry>>> {
    Ok(Json(history(&s, &actor, &q).await?))
}

pub(crate) async fn history(
    s: &AppState,
    actor: &Actor,
    q: &HistoryQuery,
) -> ApiResult<Vec<HistoryEntry>> {
    let learner = learners::get(&mut s.store.conn(), &actor.scope, q.learner_id).await?;
    let term = parse_term(&q.term)?;
    let entries = ledger::history_of_row(
        &mut s.store.conn(),
        learner.id,
        q.school_year_id,
        &q.item,
        term.number(),
    )
    .await?;
    actor
        .audit(
            &mut s.store.conn(),
            AuditAction::Read,
            "grade_history",
            Some(learner.id),
            Some(learner.school_id),
        )
        .await?;
    Ok(entries)
}

/// What to do to a term.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum TermAction {
    Lock,
    Unlock,
    Publish,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct TermChangeBody {
    pub action: TermAction,
    /// Required to unlock.
    pub reason: Option<String>,
    pub school_year_id: i64,
}

/// Lock, unlock (with a reason) or publish a term of a school. Recorded in the history.
#[utoipa::path(post, path = "/gradebook/schools/{school_id}/terms/{term}", tag = "gradebook",
    params(("school_id" = i64, Path), ("term" = String, Path)), request_body = TermChangeBody,
    responses((status = 200, body = TermState), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn change_term(
    State(s): State<AppState>,
    actor: Actor,
    Path((school_id, term)): Path<(i64, String)>,
    ApiJson(body): ApiJson<TermChangeBody>,
) -> ApiResult<Json<TermState>> {
    let term = parse_term(&term)?;
    let change = match body.action {
        TermAction::Lock => TermChange::Lock,
        TermAction::Unlock => TermChange::Unlock {
            reason: body.reason.unwrap_or_default(),
        },
        TermAction::Publish => TermChange::Publish,
    };
    Ok(Json(
        apply_term_change(
            &s,
            &actor,
            school_id,
            body.school_year_id,
            term,
            change,
            "api",
        )
        .await?,
    ))
}

pub(crate) async fn apply_term_change(
    s: &AppState,
    actor: &Actor,
    school_id: i64,
    school_year_id: i64,
    term: Term,
    change: TermChange,
    surface: &str,
) -> ApiResult<TermState> {
    let school = orgs::get(&mut s.store.conn(), &actor.scope, school_id).await?;
    let mut tx = s.store.begin().await?;
    let state = terms::change(
        &mut tx,
        &actor.audit_actor(),
        &source(actor, surface),
        school.id,
        school_year_id,
        term,
        change,
    )
    .await?;
    actor
        .audit(
            &mut tx.conn(),
            AuditAction::Update,
            "grade_term",
            Some(school.id),
            Some(school.id),
        )
        .await?;
    tx.commit().await?;
    Ok(state)
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct ComputeBody {
    pub school_year_id: i64,
}

/// Compute and store the year results of every learner of a school (promotion, awards,
/// re-test and summer-training lists). Each changed result is recorded in the history.
#[utoipa::path(post, path = "/gradebook/schools/{school_id}/compute", tag = "gradebook",
    params(("school_id" = i64, Path)), request_body = ComputeBody,
    responses((status = 200, body = ComputeReport), (status = 404, body = Problem)))]
async fn compute_year(
    State(s): State<AppState>,
    actor: Actor,
    Path(school_id): Path<i64>,
    ApiJson(body): ApiJson<ComputeBody>,
) -> ApiResult<Json<ComputeReport>> {
    Ok(Json(
        compute(&s, &actor, school_id, body.school_year_id, "api").await?,
    ))
}

pub(crate) async fn compute(
    s: &AppState,
    actor: &Actor,
    school_id: i64,
    school_year_id: i64,
    surface: &str,
) -> ApiResult<ComputeReport> {
    let school = orgs::get(&mut s.store.conn(), &actor.scope, school_id).await?;
    let mut tx = s.store.begin().await?;
    let report = results::compute_school(
        &mut tx,
        &actor.audit_actor(),
        &source(actor, surface),
        school.id,
        school_year_id,
        &s.grading,
    )
    .await?;
    actor
        .audit(
            &mut tx.conn(),
            AuditAction::Update,
            "year_results",
            Some(school.id),
            Some(school.id),
        )
        .await?;
    tx.commit().await?;
    Ok(report)
}
