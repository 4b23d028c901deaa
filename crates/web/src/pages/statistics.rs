//! Statistics pages: a unit's beginning- or end-of-year report (tables, charts with their
//! tables, the units below), freezing it, who has submitted, every figure's drill-down to the
//! units below and, at a school, to the records; the XLSX export; the public view.

use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::Uri;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use truongso_domain::access::Permission;
use truongso_domain::org::OrgKind;
use truongso_domain::statistics::{self, Cell, ReportKind, StatTable, TOTAL, TableView};
use truongso_domain::tabular::{Cell as XlsxCell, TableWriter};
use truongso_store::statistics::{self as stats, Records, Report, ReportRequest, SubmissionInfo};
use truongso_store::{orgs, years};

use super::{Crumb, InLang, Nav, PageResult, Pager, crumbs_for, start_unit};
use crate::AppState;
use crate::actor::Actor;
use crate::api::parse_query;
use crate::api::statistics::{self as api, CellQuery, PublicReport, ReportQuery};
use crate::charts::{self, Bar, Stack};
use crate::error::ApiError;
use crate::i18n::Lang;

/// `/statistics`: the report of the actor's top unit.
pub async fn home(State(s): State<AppState>, actor: Actor) -> PageResult<Redirect> {
    let unit = start_unit(&s, &actor).await?;
    Ok(Redirect::to(&format!("/orgs/{}/statistics", unit.id)))
}

/// The query string that names a report (kept on every link of its pages).
fn report_query(r: &ReportRequest, submission: Option<i64>) -> String {
    let mut q = form_urlencoded::Serializer::new(String::new());
    q.append_pair("kind", r.kind.code())
        .append_pair("school_year_id", &r.school_year_id.to_string())
        .append_pair("as_of", &r.as_of.to_string());
    if let Some(id) = submission {
        q.append_pair("submission", &id.to_string());
    }
    q.finish()
}

fn figure_href(unit_id: i64, report: &str, cell: &Cell) -> String {
    let cell_q = form_urlencoded::Serializer::new(String::new())
        .append_pair("table", cell.table.code())
        .append_pair("row", &cell.row)
        .append_pair("col", &cell.col)
        .finish();
    format!("/orgs/{unit_id}/statistics/figure?{report}&{cell_q}")
}

fn number(n: i64) -> String {
    charts::format_number(n as f64, 0)
}

fn vn_time(t: chrono::DateTime<chrono::Utc>) -> String {
    (t + chrono::Duration::hours(7))
        .format("%d/%m/%Y %H:%M")
        .to_string()
}

pub struct SubmissionLine {
    pub href: String,
    pub version: i32,
    pub by: String,
    pub at: String,
    pub as_of: String,
    pub note: String,
    pub schools: i32,
}

impl SubmissionLine {
    fn of(s: &SubmissionInfo) -> Self {
        SubmissionLine {
            href: format!("/statistics/submissions/{}", s.id),
            version: s.version,
            by: s.submitted_by_name.clone(),
            at: vn_time(s.submitted_at),
            as_of: s.as_of.format("%d/%m/%Y").to_string(),
            note: s.note.clone().unwrap_or_default(),
            schools: s.schools,
        }
    }
}

pub struct CellLink {
    pub value: String,
    pub href: Option<String>,
}

pub struct RowBlock {
    pub label: String,
    pub is_total: bool,
    pub cells: Vec<CellLink>,
}

pub struct TableBlock {
    pub code: &'static str,
    pub title: String,
    pub columns: Vec<String>,
    pub rows: Vec<RowBlock>,
}

fn table_block(view: &TableView, unit_id: i64, query: &str) -> TableBlock {
    TableBlock {
        code: view.table.code(),
        title: view.title.clone(),
        columns: view.columns.iter().map(|c| c.label.clone()).collect(),
        rows: view
            .rows
            .iter()
            .map(|r| RowBlock {
                label: r.label.clone(),
                is_total: r.code == TOTAL,
                cells: r
                    .values
                    .iter()
                    .zip(&view.columns)
                    .map(|(v, c)| CellLink {
                        value: number(*v),
                        href: (*v > 0).then(|| {
                            figure_href(unit_id, query, &Cell::new(view.table, &r.code, &c.code))
                        }),
                    })
                    .collect(),
            })
            .collect(),
    }
}

pub struct ChartBlock {
    pub title: String,
    pub svg: String,
}

/// Learners by grade (girls and boys), learners by unit below, staff by qualification.
fn charts_of(report: &Report, query: &str) -> Vec<ChartBlock> {
    let f = &report.figures;
    let mut out = Vec::new();
    let grades: Vec<Stack> = f
        .rows(StatTable::Learners)
        .into_iter()
        .filter(|r| r != TOTAL)
        .map(|r| {
            let total = f.value(StatTable::Learners, &r, TOTAL);
            let female = f.value(StatTable::Learners, &r, "female");
            Stack {
                label: statistics::row_label(StatTable::Learners, &r),
                parts: vec![female as f64, (total - female) as f64],
                href: Some(figure_href(
                    report.unit.id,
                    query,
                    &Cell::new(StatTable::Learners, &r, TOTAL),
                )),
            }
        })
        .collect();
    if !grades.is_empty() {
        let title = "Học sinh theo khối lớp (nữ, nam)".to_string();
        out.push(ChartBlock {
            svg: charts::stacked_bars(&title, &["Nữ", "Nam"], &grades, false),
            title,
        });
    }
    if !report.below.is_empty() {
        let mut bars: Vec<Bar> = report
            .below
            .iter()
            .map(|(u, f)| Bar {
                label: u.name.clone(),
                value: f.value(StatTable::Learners, TOTAL, TOTAL) as f64,
                href: Some(format!("/orgs/{}/statistics?{query}", u.id)),
            })
            .collect();
        bars.sort_by(|a, b| b.value.total_cmp(&a.value));
        bars.truncate(30);
        let title = "Học sinh theo đơn vị trực thuộc (30 đơn vị đông nhất)".to_string();
        out.push(ChartBlock {
            svg: charts::bars(&title, &bars, None, None, ""),
            title,
        });
    }
    let quals: Vec<Bar> = statistics::columns(StatTable::Staff)
        .into_iter()
        .skip(3)
        .map(|q| Bar {
            label: statistics::column_label(StatTable::Staff, q).to_string(),
            value: f.value(StatTable::Staff, TOTAL, q) as f64,
            href: Some(figure_href(
                report.unit.id,
                query,
                &Cell::new(StatTable::Staff, TOTAL, q),
            )),
        })
        .collect();
    if quals.iter().any(|b| b.value > 0.0) {
        let title = "Cán bộ, giáo viên, nhân viên theo trình độ đào tạo".to_string();
        out.push(ChartBlock {
            svg: charts::bars(&title, &quals, None, None, ""),
            title,
        });
    }
    out
}

pub struct BelowLine {
    pub name: String,
    pub href: String,
    pub schools: String,
    pub classes: String,
    pub learners: String,
    pub female: String,
    pub minority: String,
    pub dropped_out: String,
    pub staff: String,
}

pub struct Choice {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

#[derive(Template, WebTemplate)]
#[template(path = "statistics_report.html")]
pub struct ReportPage {
    lang: Lang,
    nav: Nav,
    crumbs: Vec<Crumb>,
    unit_id: i64,
    unit_name: String,
    is_school: bool,
    kind_label: &'static str,
    kinds: Vec<Choice>,
    years: Vec<Choice>,
    as_of: String,
    as_of_label: String,
    school_year: String,
    schools: usize,
    query: String,
    submission: Option<SubmissionLine>,
    history: Vec<SubmissionLine>,
    tables: Vec<TableBlock>,
    charts: Vec<ChartBlock>,
    below: Vec<BelowLine>,
    can_submit: bool,
    export_href: String,
    done: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
pub struct ReportParams {
    kind: Option<ReportKind>,
    school_year_id: Option<i64>,
    as_of: Option<chrono::NaiveDate>,
    done: Option<String>,
}

impl ReportParams {
    fn query(&self) -> ReportQuery {
        ReportQuery {
            kind: self.kind,
            school_year_id: self.school_year_id,
            as_of: self.as_of,
        }
    }
}

/// `/orgs/{id}/statistics`: the unit's report counted now.
pub async fn report_page(
    State(s): State<AppState>,
    actor: Actor,
    Path(id): Path<i64>,
    uri: Uri,
) -> PageResult<ReportPage> {
    let params: ReportParams = parse_query(uri.query().unwrap_or("")).lang(&actor)?;
    let request = api::resolve(&s, &params.query()).await.lang(&actor)?;
    let report = stats::live(&mut s.store.conn(), &actor.scope, id, request)
        .await
        .lang(&actor)?;
    let history = stats::submissions_of(
        &mut s.store.conn(),
        &actor.scope,
        id,
        request.kind,
        request.school_year_id,
    )
    .await
    .lang(&actor)?;
    render_report(&s, &actor, report, history, params.done).await
}

/// `/statistics/submissions/{id}`: a frozen report as submitted.
pub async fn submission_page(
    State(s): State<AppState>,
    actor: Actor,
    Path(id): Path<i64>,
) -> PageResult<ReportPage> {
    let report = stats::submitted(&mut s.store.conn(), &actor.scope, id)
        .await
        .lang(&actor)?;
    render_report(&s, &actor, report, Vec::new(), None).await
}

async fn render_report(
    s: &AppState,
    actor: &Actor,
    report: Report,
    history: Vec<SubmissionInfo>,
    done: Option<String>,
) -> PageResult<ReportPage> {
    let lang = actor.lang;
    let request = report.request;
    let submission_id = report.submission.as_ref().map(|s| s.id);
    let query = report_query(&request, submission_id);
    let all_years = years::list(&mut s.store.conn()).await.lang(actor)?;
    let mut crumbs = crumbs_for(s, actor, &report.unit).await?;
    crumbs.push(Crumb {
        href: format!("/orgs/{}/statistics", report.unit.id),
        label: lang.label("Thống kê", "Statistics").into(),
    });
    let views = statistics::table_views(&report.figures);
    let export_href = match submission_id {
        Some(sid) => format!("/statistics/submissions/{sid}/export"),
        None => format!("/orgs/{}/statistics/export?{query}", report.unit.id),
    };
    Ok(ReportPage {
        lang,
        nav: Nav::of(actor),
        unit_id: report.unit.id,
        unit_name: report.unit.name.clone(),
        is_school: report.unit.kind == OrgKind::School,
        kind_label: lang.label(request.kind.label_vi(), request.kind.label_en()),
        kinds: ReportKind::ALL
            .iter()
            .map(|k| Choice {
                value: k.code().into(),
                label: lang.label(k.label_vi(), k.label_en()).into(),
                selected: *k == request.kind,
            })
            .collect(),
        years: all_years
            .iter()
            .map(|y| Choice {
                value: y.id.to_string(),
                label: y.code.clone(),
                selected: y.id == request.school_year_id,
            })
            .collect(),
        as_of: request.as_of.to_string(),
        as_of_label: request.as_of.format("%d/%m/%Y").to_string(),
        school_year: report.school_year.code.clone(),
        schools: report.schools,
        query: query.clone(),
        submission: report.submission.as_ref().map(SubmissionLine::of),
        history: history.iter().map(SubmissionLine::of).collect(),
        tables: views
            .iter()
            .map(|v| table_block(v, report.unit.id, &query))
            .collect(),
        charts: charts_of(&report, &query),
        below: report
            .below
            .iter()
            .map(|(u, f)| BelowLine {
                name: u.name.clone(),
                href: format!("/orgs/{}/statistics?{query}", u.id),
                schools: number(f.value(StatTable::Schools, TOTAL, TOTAL)),
                classes: number(f.value(StatTable::Classes, TOTAL, TOTAL)),
                learners: number(f.value(StatTable::Learners, TOTAL, TOTAL)),
                female: number(f.value(StatTable::Learners, TOTAL, "female")),
                minority: number(f.value(StatTable::Learners, TOTAL, "minority")),
                dropped_out: number(f.value(StatTable::Movement, TOTAL, "dropped_out")),
                staff: number(f.value(StatTable::Staff, TOTAL, TOTAL)),
            })
            .collect(),
        can_submit: submission_id.is_none() && actor.can(Permission::StatsSubmit),
        export_href,
        done,
        crumbs,
    })
}

#[derive(Debug, Deserialize)]
pub struct SubmitForm {
    kind: ReportKind,
    school_year_id: i64,
    as_of: chrono::NaiveDate,
    note: Option<String>,
}

/// Freezes the report shown and opens the frozen copy.
pub async fn submit(
    State(s): State<AppState>,
    actor: Actor,
    Path(id): Path<i64>,
    Form(form): Form<SubmitForm>,
) -> PageResult<Response> {
    let request = api::resolve(
        &s,
        &ReportQuery {
            kind: Some(form.kind),
            school_year_id: Some(form.school_year_id),
            as_of: Some(form.as_of),
        },
    )
    .await
    .lang(&actor)?;
    let info = api::submit(&s, &actor, id, request, form.note.as_deref())
        .await
        .lang(&actor)?;
    Ok(Redirect::to(&format!("/statistics/submissions/{}", info.id)).into_response())
}

pub struct BreakdownLine {
    pub name: String,
    pub value: String,
    pub href: Option<String>,
}

pub struct RecordLine {
    pub href: Option<String>,
    pub cells: Vec<String>,
}

#[derive(Template, WebTemplate)]
#[template(path = "statistics_figure.html")]
pub struct FigurePage {
    lang: Lang,
    nav: Nav,
    crumbs: Vec<Crumb>,
    unit_name: String,
    table_title: String,
    row_label: String,
    col_label: String,
    value: String,
    report_label: String,
    report_href: String,
    frozen: bool,
    chart: Option<String>,
    breakdown: Vec<BreakdownLine>,
    record_headers: Vec<String>,
    records: Vec<RecordLine>,
    records_shown: bool,
    denied: Option<String>,
    pager: Option<Pager>,
}

#[derive(Debug, Deserialize)]
pub struct FigureParams {
    #[serde(flatten)]
    report: ReportParams,
    submission: Option<i64>,
}

/// `/orgs/{id}/statistics/figure`: one figure of a unit's report, split over the units below
/// (as the tree was on the counting date) or, at a school, the records it counts.
pub async fn figure_page(
    State(s): State<AppState>,
    actor: Actor,
    Path(unit_id): Path<i64>,
    uri: Uri,
) -> PageResult<FigurePage> {
    let raw = uri.query().unwrap_or("");
    let params = parse_figure_params(raw).lang(&actor)?;
    let cell_q: CellQuery = parse_query(raw).lang(&actor)?;
    let (cell, _) = api::cell_conditions(&cell_q).lang(&actor)?;
    let page = crate::api::parse_page(raw).lang(&actor)?;
    let report = match params.submission {
        Some(sid) => stats::submitted_unit(&mut s.store.conn(), &actor.scope, sid, unit_id).await,
        None => {
            let request = api::resolve(&s, &params.report.query())
                .await
                .lang(&actor)?;
            stats::live(&mut s.store.conn(), &actor.scope, unit_id, request).await
        }
    }
    .lang(&actor)?;
    let request = report.request;
    let query = report_query(&request, params.submission);
    let lang = actor.lang;
    let breakdown: Vec<BreakdownLine> = report
        .below
        .iter()
        .map(|(u, f)| {
            let n = f.get(&cell);
            BreakdownLine {
                name: u.name.clone(),
                value: number(n),
                href: (n > 0).then(|| figure_href(u.id, &query, &cell)),
            }
        })
        .collect();
    let chart = (!report.below.is_empty()).then(|| {
        let bars: Vec<Bar> = report
            .below
            .iter()
            .map(|(u, f)| Bar {
                label: u.name.clone(),
                value: f.get(&cell) as f64,
                href: Some(figure_href(u.id, &query, &cell)),
            })
            .collect();
        charts::bars(
            &format!(
                "{} theo đơn vị trực thuộc",
                statistics::column_label(cell.table, &cell.col)
            ),
            &bars,
            None,
            None,
            "",
        )
    });
    let (mut record_headers, mut records, mut pager, mut denied) = (vec![], vec![], None, None);
    let is_school = report.unit.kind == OrgKind::School;
    if is_school {
        match api::list_records(&s, &actor, unit_id, &request, &cell_q, &page).await {
            Ok(found) => {
                (record_headers, records) = record_lines(&found);
                pager = Some(pager_of(&found, &uri));
            }
            Err(ApiError::Forbidden(message)) => denied = Some(message),
            Err(e) => return Err(e).lang(&actor),
        }
    }
    let mut crumbs = crumbs_for(&s, &actor, &report.unit).await?;
    let report_href = match params.submission {
        Some(sid) => format!("/statistics/submissions/{sid}"),
        None => format!(
            "/orgs/{unit_id}/statistics?{}",
            report_query(&request, None)
        ),
    };
    crumbs.push(Crumb {
        href: report_href.clone(),
        label: lang.label("Thống kê", "Statistics").into(),
    });
    Ok(FigurePage {
        lang,
        nav: Nav::of(&actor),
        unit_name: report.unit.name.clone(),
        table_title: cell.table.label_vi().to_string(),
        row_label: statistics::row_label(cell.table, &cell.row),
        col_label: statistics::column_label(cell.table, &cell.col).to_string(),
        value: number(report.figures.get(&cell)),
        report_label: format!(
            "{} {} — {} {}",
            request.kind.label_vi(),
            report.school_year.code,
            lang.label("số liệu ngày", "counted on"),
            request.as_of.format("%d/%m/%Y")
        ),
        report_href,
        frozen: params.submission.is_some(),
        chart,
        breakdown,
        records_shown: is_school && denied.is_none(),
        record_headers,
        records,
        denied,
        pager,
        crumbs,
    })
}

/// The report part of a figure's query (serde cannot flatten numbers out of a query string).
fn parse_figure_params(raw: &str) -> Result<FigureParams, ApiError> {
    #[derive(Deserialize)]
    struct Submission {
        submission: Option<i64>,
    }
    let report: ReportParams = parse_query(raw)?;
    let Submission { submission } = parse_query(raw)?;
    Ok(FigureParams { report, submission })
}

fn pager_of(records: &Records, uri: &Uri) -> Pager {
    match records {
        Records::Learners(p) => Pager::new(p, uri),
        Records::Staff(p) => Pager::new(p, uri),
        Records::Classes(p) | Records::Schools(p) => Pager::new(p, uri),
    }
}

fn record_lines(records: &Records) -> (Vec<String>, Vec<RecordLine>) {
    let h = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    match records {
        Records::Learners(p) => (
            h(&["Mã học sinh", "Họ và tên", "Ngày sinh", "Lớp", "Trạng thái"]),
            p.items
                .iter()
                .map(|l| RecordLine {
                    href: Some(format!("/learners/{}", l.id)),
                    cells: vec![
                        l.learner_code.clone(),
                        l.full_name.clone(),
                        l.birth_date.format("%d/%m/%Y").to_string(),
                        l.class_name.clone().unwrap_or_else(|| "—".into()),
                        truongso_domain::learners::EnrolmentStatus::from_code(&l.status)
                            .map_or(l.status.clone(), |s| s.label_vi().to_string()),
                    ],
                })
                .collect(),
        ),
        Records::Staff(p) => (
            h(&["Họ và tên", "Vị trí", "Trình độ"]),
            p.items
                .iter()
                .map(|m| RecordLine {
                    href: Some(format!("/staff/{}", m.id)),
                    cells: vec![
                        m.full_name.clone(),
                        truongso_domain::staff::StaffPosition::from_code(&m.position)
                            .map_or(m.position.clone(), |p| p.label_vi().to_string()),
                        truongso_domain::staff::Qualification::from_code(&m.qualification)
                            .map_or(m.qualification.clone(), |q| q.label_vi().to_string()),
                    ],
                })
                .collect(),
        ),
        Records::Classes(p) => (
            h(&["Lớp"]),
            p.items
                .iter()
                .map(|c| RecordLine {
                    href: Some(format!("/classes/{}", c.id)),
                    cells: vec![c.name.clone()],
                })
                .collect(),
        ),
        Records::Schools(p) => (
            h(&["Đơn vị"]),
            p.items
                .iter()
                .map(|c| RecordLine {
                    href: Some(format!("/orgs/{}", c.id)),
                    cells: vec![c.name.clone()],
                })
                .collect(),
        ),
    }
}

pub struct StatusLine {
    pub name: String,
    pub kind: String,
    pub submitted: Option<SubmissionLine>,
    pub report_href: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "statistics_submissions.html")]
pub struct StatusPage {
    lang: Lang,
    nav: Nav,
    crumbs: Vec<Crumb>,
    unit_name: String,
    kind_label: &'static str,
    school_year: String,
    submitted: usize,
    schools: usize,
    lines: Vec<StatusLine>,
}

/// `/orgs/{id}/statistics/submissions`: which schools and offices below have submitted.
pub async fn status_page(
    State(s): State<AppState>,
    actor: Actor,
    Path(id): Path<i64>,
    uri: Uri,
) -> PageResult<StatusPage> {
    let params: ReportParams = parse_query(uri.query().unwrap_or("")).lang(&actor)?;
    let request = api::resolve(&s, &params.query()).await.lang(&actor)?;
    let unit = orgs::get(&mut s.store.conn(), &actor.scope, id)
        .await
        .lang(&actor)?;
    let rows = stats::submission_status(
        &mut s.store.conn(),
        &actor.scope,
        id,
        request.kind,
        request.school_year_id,
    )
    .await
    .lang(&actor)?;
    let year = years::get(&mut s.store.conn(), request.school_year_id)
        .await
        .lang(&actor)?;
    let lang = actor.lang;
    let query = report_query(&request, None);
    let mut crumbs = crumbs_for(&s, &actor, &unit).await?;
    crumbs.push(Crumb {
        href: format!("/orgs/{id}/statistics?{query}"),
        label: lang.label("Thống kê", "Statistics").into(),
    });
    let schools: Vec<_> = rows.iter().filter(|r| r.kind == OrgKind::School).collect();
    Ok(StatusPage {
        lang,
        nav: Nav::of(&actor),
        unit_name: unit.name.clone(),
        kind_label: lang.label(request.kind.label_vi(), request.kind.label_en()),
        school_year: year.code.clone(),
        submitted: schools.iter().filter(|r| r.latest.is_some()).count(),
        schools: schools.len(),
        lines: rows
            .iter()
            .map(|r| StatusLine {
                name: r.name.clone(),
                kind: lang.label(r.kind.label_vi(), r.kind.label_en()).into(),
                submitted: r.latest.as_ref().map(SubmissionLine::of),
                report_href: format!("/orgs/{}/statistics?{query}", r.unit_id),
            })
            .collect(),
        crumbs,
    })
}

/// The report as an Excel workbook: a cover sheet, then one sheet per table.
fn workbook(report: &Report) -> Result<Vec<u8>, truongso_domain::tabular::WriteError> {
    let mut w = TableWriter::xlsx("Thông tin");
    let r = &report.request;
    w.header(&["Báo cáo thống kê", ""])?;
    let mut facts = vec![
        ("Đơn vị", report.unit.name.clone()),
        ("Kỳ báo cáo", r.kind.label_vi().to_string()),
        ("Năm học", report.school_year.code.clone()),
        ("Ngày chốt số liệu", r.as_of.format("%d/%m/%Y").to_string()),
        ("Số trường", report.schools.to_string()),
    ];
    match &report.submission {
        Some(s) => {
            facts.push(("Đã chốt, phiên bản", s.version.to_string()));
            facts.push(("Người chốt", s.submitted_by_name.clone()));
            facts.push(("Thời điểm chốt", vn_time(s.submitted_at)));
        }
        None => facts.push((
            "Tình trạng",
            "Số liệu tính tại thời điểm xuất tệp (chưa chốt)".to_string(),
        )),
    }
    for (k, v) in facts {
        w.row(&[XlsxCell::Text(k.into()), XlsxCell::Text(v)])?;
    }
    for view in statistics::table_views(&report.figures) {
        w.sheet(&view.title)?;
        let mut headers = vec![""];
        headers.extend(view.columns.iter().map(|c| c.label.as_str()));
        w.header(&headers)?;
        for row in &view.rows {
            let mut cells = vec![XlsxCell::Text(row.label.clone())];
            cells.extend(row.values.iter().map(|v| XlsxCell::Number(*v as f64)));
            w.row(&cells)?;
        }
    }
    w.finish()
}

fn download(report: &Report) -> Result<Response, ApiError> {
    let bytes = workbook(report).map_err(|e| ApiError::Internal(e.to_string()))?;
    let name = format!(
        "thong-ke-{}-{}-{}.xlsx",
        report.request.kind.code(),
        report.school_year.code,
        report.unit.code
    );
    Ok(super::imports::download(bytes, &name, super::imports::XLSX))
}

/// `/orgs/{id}/statistics/export`: the report counted now, as XLSX.
pub async fn export(
    State(s): State<AppState>,
    actor: Actor,
    Path(id): Path<i64>,
    Query(q): Query<ReportQuery>,
) -> PageResult<Response> {
    let request = api::resolve(&s, &q).await.lang(&actor)?;
    let report = stats::live(&mut s.store.conn(), &actor.scope, id, request)
        .await
        .lang(&actor)?;
    download(&report).lang(&actor)
}

/// `/statistics/submissions/{id}/export`: a frozen report as XLSX.
pub async fn export_submission(
    State(s): State<AppState>,
    actor: Actor,
    Path(id): Path<i64>,
) -> PageResult<Response> {
    let report = stats::submitted(&mut s.store.conn(), &actor.scope, id)
        .await
        .lang(&actor)?;
    download(&report).lang(&actor)
}

#[derive(Template, WebTemplate)]
#[template(path = "statistics_public.html")]
pub struct PublicPage {
    lang: Lang,
    nav: Nav,
    crumbs: Vec<Crumb>,
    reports: Vec<PublicReport>,
    min_count: i64,
}

/// `/public/statistics`: every department's latest submitted report, small counts hidden.
pub async fn public_page(State(s): State<AppState>, actor: Actor) -> PageResult<PublicPage> {
    let reports = api::public_reports(&s).await.lang(&actor)?;
    Ok(PublicPage {
        lang: actor.lang,
        nav: Nav::of(&actor),
        crumbs: vec![],
        reports,
        min_count: s.statistics.public_min_count,
    })
}

impl PublicPage {
    fn shown(&self, value: &Option<i64>) -> String {
        value.map_or_else(|| format!("< {}", self.min_count), number)
    }
}
