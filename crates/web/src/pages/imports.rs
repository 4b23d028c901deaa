//! The import pages: choose a kind and a file, check the column mapping, preview what each row
//! will do, import (all rows, or only the valid ones), and download the rejected rows with the
//! reasons. Plain forms; pages of running jobs refresh themselves (no JavaScript needed).

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Multipart, Path, State};
use axum::http::header;
use axum::response::{IntoResponse, Redirect, Response};
use truongso_domain::access::Permission;
use truongso_domain::import::{
    self, Column, HeaderMatch, ImportKind, describe_errors, error_report, match_headers,
    template_rows, with_user_mapping,
};
use truongso_domain::tabular::{MAX_FILE_BYTES, TableWriter, read_table};
use truongso_store::imports::{
    self as store_imports, ImportOptions, ImportReport, RowAction, RowOutcome,
};

use super::{Crumb, InLang, Nav, PageResult};
use crate::AppState;
use crate::actor::Actor;
use crate::error::ApiError;
use crate::i18n::Lang;
use crate::import_jobs::{JobState, JobView};

/// The permission a kind of import writes under (checked on top of `data.import`).
pub fn write_permission(kind: ImportKind) -> Permission {
    match kind {
        ImportKind::Learners => Permission::LearnerWrite,
        ImportKind::Staff => Permission::StaffWrite,
        ImportKind::Classes => Permission::ClassWrite,
        ImportKind::Enrolments => Permission::EnrolmentWrite,
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "imports.html")]
pub struct ImportsPage {
    lang: Lang,
    nav: Nav,
    crumbs: Vec<Crumb>,
    kinds: Vec<ImportKind>,
    chosen: ImportKind,
    errors: Vec<String>,
}

fn crumbs(lang: Lang) -> Vec<Crumb> {
    vec![
        Crumb {
            href: "/".into(),
            label: lang.t("home").into(),
        },
        Crumb {
            href: "/imports".into(),
            label: lang.label("Nhập dữ liệu", "Import").into(),
        },
    ]
}

fn kinds_for(actor: &Actor) -> Vec<ImportKind> {
    ImportKind::ALL
        .iter()
        .copied()
        .filter(|k| actor.can(write_permission(*k)))
        .collect()
}

pub async fn start_page(actor: Actor) -> ImportsPage {
    start_view(&actor, ImportKind::Learners, vec![])
}

fn start_view(actor: &Actor, chosen: ImportKind, errors: Vec<String>) -> ImportsPage {
    ImportsPage {
        lang: actor.lang,
        nav: Nav::of(actor),
        crumbs: crumbs(actor.lang),
        kinds: kinds_for(actor),
        chosen,
        errors,
    }
}

/// An empty template with Vietnamese headers and one example row.
pub async fn template(actor: Actor, Path(kind): Path<String>) -> PageResult<Response> {
    let kind = ImportKind::from_code(&kind)
        .ok_or(ApiError::Store(truongso_store::StoreError::not_found(
            "mẫu",
        )))
        .lang(&actor)?;
    let (headers, example) = template_rows(kind);
    let mut w = TableWriter::xlsx(kind.label_vi());
    w.header(&headers).map_err(internal).lang(&actor)?;
    w.row(&example).map_err(internal).lang(&actor)?;
    let bytes = w.finish().map_err(internal).lang(&actor)?;
    Ok(download(bytes, &format!("mau-{}.xlsx", kind.code()), XLSX))
}

fn internal(e: impl std::fmt::Display) -> ApiError {
    ApiError::Internal(e.to_string())
}

pub const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
pub const CSV: &str = "text/csv; charset=utf-8";

/// A file download with a safe (ASCII) file name.
pub fn download(bytes: Vec<u8>, file_name: &str, content_type: &'static str) -> Response {
    let safe: String = file_name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_') {
                c
            } else {
                '_'
            }
        })
        .collect();
    (
        [
            (header::CONTENT_TYPE, content_type.to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{safe}\""),
            ),
            (header::CACHE_CONTROL, "no-store".to_string()),
        ],
        bytes,
    )
        .into_response()
}

/// Receives the file, reads it and matches its headers; checking starts in the background.
pub async fn upload(
    State(s): State<AppState>,
    actor: Actor,
    mut form: Multipart,
) -> PageResult<Response> {
    let mut kind = ImportKind::Learners;
    let mut file: Option<(String, Vec<u8>)> = None;
    loop {
        let field = match form.next_field().await {
            Ok(Some(f)) => f,
            Ok(None) => break,
            Err(e) => {
                return Ok(
                    start_view(&actor, kind, vec![upload_error(&e.to_string())]).into_response()
                );
            }
        };
        match field.name() {
            Some("kind") => {
                let text = field.text().await.unwrap_or_default();
                kind = ImportKind::from_code(&text).unwrap_or(kind);
            }
            Some("file") => {
                let name = field.file_name().unwrap_or("tep").to_string();
                match field.bytes().await {
                    Ok(b) => file = Some((name, b.to_vec())),
                    Err(e) => {
                        return Ok(start_view(&actor, kind, vec![upload_error(&e.to_string())])
                            .into_response());
                    }
                }
            }
            _ => {}
        }
    }
    if !actor.can(write_permission(kind)) {
        return Err(ApiError::Forbidden(
            "Vai trò của bạn không nhập được loại dữ liệu này.".into(),
        ))
        .lang(&actor);
    }
    let Some((file_name, bytes)) = file.filter(|(_, b)| !b.is_empty()) else {
        let m = actor.lang.label(
            "Hãy chọn một tệp .xlsx hoặc .csv.",
            "Choose an .xlsx or .csv file.",
        );
        return Ok(start_view(&actor, kind, vec![m.to_string()]).into_response());
    };
    let table = match tokio::task::spawn_blocking(move || read_table(&bytes)).await {
        Ok(Ok(t)) => t,
        Ok(Err(e)) => return Ok(start_view(&actor, kind, vec![e.to_string()]).into_response()),
        Err(e) => return Err(internal(e)).lang(&actor),
    };
    let header = match_headers(kind, &table);
    let owner = actor.user.as_ref().map_or(0, |u| u.id);
    let unit_id = actor.scope.root_id();
    let ready = header.missing_required.is_empty();
    let id = s
        .imports
        .create(owner, kind, file_name, unit_id, table, header);
    if ready {
        spawn_check(&s, &actor, &id);
    }
    Ok(Redirect::to(&format!("/imports/{id}")).into_response())
}

fn upload_error(detail: &str) -> String {
    format!(
        "Không nhận được tệp (tối đa {} MB): {detail}",
        MAX_FILE_BYTES / 1_048_576
    )
}

fn options(job: &JobView, keep_valid: bool) -> ImportOptions {
    ImportOptions {
        kind: job.kind,
        default_unit_id: job.unit_id,
        keep_valid,
        today: crate::api::today(),
    }
}

/// Checks every row against the database in the background (a preview: nothing is written).
fn spawn_check(s: &AppState, actor: &Actor, id: &str) {
    let owner = actor.user.as_ref().map_or(0, |u| u.id);
    let Some(job) = s.imports.get(id, owner) else {
        return;
    };
    let (s, scope, id) = (s.clone(), actor.scope.clone(), id.to_string());
    s.imports.set_state(&id, JobState::Checking);
    tokio::spawn(async move {
        let state = match store_imports::preview(
            &s.store,
            &scope,
            &job.table,
            &job.header.mapping,
            &options(&job, false),
        )
        .await
        {
            Ok(report) => JobState::Previewed(report.into()),
            Err(e) => JobState::Failed(ApiError::from(e).full_message()),
        };
        s.imports.set_state(&id, state);
    });
}

#[derive(Template, WebTemplate)]
#[template(path = "import_job.html")]
pub struct JobPage {
    lang: Lang,
    nav: Nav,
    crumbs: Vec<Crumb>,
    job: JobView,
    columns: Vec<&'static Column>,
    /// The preview, or what the import did, once the rows are checked.
    report: Option<std::sync::Arc<ImportReport>>,
    refresh: bool,
    progress: (usize, usize),
    failure: Option<String>,
    remap: bool,
    errors: Vec<String>,
}

impl JobPage {
    fn mapped(&self, key: &str, index: &usize) -> bool {
        self.job.header.mapping.position(key) == Some(*index)
    }

    fn shown(&self, action: &str) -> Vec<&RowOutcome> {
        let Some(r) = &self.report else { return vec![] };
        r.rows
            .iter()
            .filter(|o| match action {
                "rejected" => o.action == RowAction::Rejected,
                _ => matches!(o.action, RowAction::Create | RowAction::Update),
            })
            .take(200)
            .collect()
    }

    fn describe(&self, o: &RowOutcome) -> String {
        describe_errors(self.job.kind, &o.errors)
    }

    fn changes(&self, o: &RowOutcome) -> String {
        o.changes
            .iter()
            .map(|k| {
                import::columns(self.job.kind)
                    .iter()
                    .find(|c| &c.key == k)
                    .map_or_else(|| k.clone(), |c| c.header_vi.clone())
            })
            .collect::<Vec<_>>()
            .join(", ")
    }

    fn action_label(&self, o: &RowOutcome) -> &'static str {
        o.action.label_vi()
    }

    fn header_row(&self) -> usize {
        self.job
            .table
            .rows
            .get(self.job.header.mapping.header_index)
            .map_or(1, |r| r.number)
    }
}

fn job_or_404(s: &AppState, actor: &Actor, id: &str) -> PageResult<JobView> {
    let owner = actor.user.as_ref().map_or(0, |u| u.id);
    s.imports
        .get(id, owner)
        .ok_or(ApiError::Store(truongso_store::StoreError::not_found(
            "lượt nhập",
        )))
        .lang(actor)
}

#[derive(serde::Deserialize, Default)]
pub struct JobQuery {
    #[serde(default)]
    remap: Option<String>,
}

pub async fn job_page(
    State(s): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
    uri: axum::http::Uri,
) -> PageResult<JobPage> {
    let job = job_or_404(&s, &actor, &id)?;
    let q: JobQuery = crate::api::parse_query(uri.query().unwrap_or("")).lang(&actor)?;
    Ok(job_view(&actor, job, q.remap.is_some(), vec![]))
}

fn job_view(actor: &Actor, job: JobView, remap: bool, errors: Vec<String>) -> JobPage {
    let (report, refresh, progress, failure) = match &job.state {
        JobState::NeedsMapping => (None, false, (0, 0), None),
        JobState::Checking => (None, true, (0, 0), None),
        JobState::Previewed(r) | JobState::Done(r) => (Some(r.clone()), false, (0, 0), None),
        JobState::Writing { done, total } => (None, true, (*done, *total), None),
        JobState::Failed(m) => (None, false, (0, 0), Some(m.clone())),
    };
    JobPage {
        lang: actor.lang,
        nav: Nav::of(actor),
        crumbs: crumbs(actor.lang),
        columns: import::columns(job.kind),
        remap: remap || matches!(job.state, JobState::NeedsMapping),
        job,
        report,
        refresh,
        progress,
        failure,
        errors,
    }
}

/// The user's own column mapping (`col.<key>` = file column index, empty = not imported).
pub async fn set_mapping(
    State(s): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
    body: String,
) -> PageResult<Response> {
    let job = job_or_404(&s, &actor, &id)?;
    if matches!(job.state, JobState::Writing { .. } | JobState::Done(_)) {
        return Ok(Redirect::to(&format!("/imports/{id}")).into_response());
    }
    let chosen: Vec<(String, usize)> = form_urlencoded::parse(body.as_bytes())
        .filter_map(|(k, v)| Some((k.strip_prefix("col.")?.to_string(), v.parse().ok()?)))
        .collect();
    let header: HeaderMatch = match with_user_mapping(
        job.kind,
        &job.table,
        job.header.mapping.header_index,
        &chosen,
    ) {
        Ok(h) => h,
        Err(m) => return Ok(job_view(&actor, job, true, vec![m]).into_response()),
    };
    if !header.missing_required.is_empty() {
        let m = format!(
            "Còn thiếu cột bắt buộc: {}.",
            header.missing_required.join(", ")
        );
        s.imports.set_header(&id, header);
        let job = job_or_404(&s, &actor, &id)?;
        return Ok(job_view(&actor, job, true, vec![m]).into_response());
    }
    s.imports.set_header(&id, header);
    spawn_check(&s, &actor, &id);
    Ok(Redirect::to(&format!("/imports/{id}")).into_response())
}

/// Imports: all rows (refused if any is rejected), or with `keep_valid` only the valid ones.
pub async fn apply(
    State(s): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
    body: String,
) -> PageResult<Response> {
    let job = job_or_404(&s, &actor, &id)?;
    let keep_valid =
        form_urlencoded::parse(body.as_bytes()).any(|(k, v)| k == "keep_valid" && v == "1");
    let owner = actor.user.as_ref().map_or(0, |u| u.id);
    let id_again = id.clone();
    if s.imports.start_writing(&id, owner) {
        let (s, scope, audit) = (s.clone(), actor.scope.clone(), actor.audit_actor());
        tokio::spawn(async move {
            let jobs = s.imports.clone();
            let progress_id = id.clone();
            let mut progress = move |done: usize, total: usize| {
                jobs.set_state(&progress_id, JobState::Writing { done, total });
            };
            let result = store_imports::apply(
                &s.store,
                &scope,
                &audit,
                &job.table,
                &job.header.mapping,
                &options(&job, keep_valid),
                &mut progress,
            )
            .await;
            let state = match result {
                Ok(report) => JobState::Done(report.into()),
                Err(e) => JobState::Failed(ApiError::from(e).full_message()),
            };
            s.imports.set_state(&id, state);
        });
    }
    Ok(Redirect::to(&format!("/imports/{id_again}")).into_response())
}

/// The rejected rows of the file with a "Lỗi" column, in the file's own format.
pub async fn error_file(
    State(s): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
) -> PageResult<Response> {
    let job = job_or_404(&s, &actor, &id)?;
    let report = match &job.state {
        JobState::Previewed(r) | JobState::Done(r) => r.clone(),
        _ => return Ok(Redirect::to(&format!("/imports/{id}")).into_response()),
    };
    let rejected: Vec<(usize, String)> = report
        .rejected_rows()
        .map(|r| (r.row, describe_errors(job.kind, &r.errors)))
        .collect();
    let bytes = error_report(&job.table, &job.header.mapping, &rejected)
        .map_err(internal)
        .lang(&actor)?;
    let stem = job
        .file_name
        .rsplit_once('.')
        .map_or(job.file_name.as_str(), |(s, _)| s);
    let (ext, content_type) = match job.table.format {
        truongso_domain::tabular::FileFormat::Workbook => ("xlsx", XLSX),
        truongso_domain::tabular::FileFormat::Csv { .. } => ("csv", CSV),
    };
    Ok(download(bytes, &format!("{stem}.loi.{ext}"), content_type))
}
