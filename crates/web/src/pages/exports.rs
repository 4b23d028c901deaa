//! Exports of the list pages: what the list shows (scope and filters) as .xlsx or .csv, in the
//! import layout, so a school can correct a list in Excel and import it back. Exporting
//! learners is a read of their records: the audit trail gets one entry per learner.

use axum::extract::{Path, State};
use axum::http::Uri;
use axum::response::Response;
use serde::Deserialize;
use truongso_domain::access::Permission;
use truongso_domain::import::ImportKind;
use truongso_domain::tabular::{Cell, TableWriter};
use truongso_store::audit::{AuditAction, NewAuditEntry};
use truongso_store::classes::ClassFilter;
use truongso_store::learners::LearnerFilter;
use truongso_store::staff::StaffFilter;
use truongso_store::{StoreError, StoreResult, exports, orgs, years};

use super::imports::{CSV, XLSX, download};
use super::{InLang, PageResult};
use crate::AppState;
use crate::actor::Actor;
use crate::api::parse_query;
use crate::error::ApiError;

#[derive(Debug, Default, Deserialize)]
struct Format {
    /// "xlsx" (default) or "csv".
    format: Option<String>,
}

struct Export {
    writer: TableWriter,
    csv: bool,
}

impl Export {
    fn new(uri: &Uri, kind: ImportKind) -> Result<Export, ApiError> {
        Export::with_headers(uri, kind.label_vi(), &exports::headers(kind))
    }

    fn with_headers(uri: &Uri, sheet: &str, headers: &[&str]) -> Result<Export, ApiError> {
        let f: Format = parse_query(uri.query().unwrap_or(""))?;
        let csv = f.format.as_deref() == Some("csv");
        let mut writer = if csv {
            TableWriter::csv(b',')
        } else {
            TableWriter::xlsx(sheet)
        };
        writer
            .header(headers)
            .map_err(|e| ApiError::Internal(e.to_string()))?;
        Ok(Export { writer, csv })
    }

    fn sink(&mut self) -> impl FnMut(Vec<Cell>) -> StoreResult<()> + '_ {
        |row| {
            self.writer
                .row(&row)
                .map_err(|e| StoreError::invalid("format", e.to_string()))
        }
    }

    fn finish(self, stem: &str) -> Result<Response, ApiError> {
        let bytes = self
            .writer
            .finish()
            .map_err(|e| ApiError::Internal(e.to_string()))?;
        Ok(if self.csv {
            download(bytes, &format!("{stem}.csv"), CSV)
        } else {
            download(bytes, &format!("{stem}.xlsx"), XLSX)
        })
    }
}

pub async fn learners(State(s): State<AppState>, actor: Actor, uri: Uri) -> PageResult<Response> {
    let filter: LearnerFilter = parse_query(uri.query().unwrap_or("")).lang(&actor)?;
    let mut export = Export::new(&uri, ImportKind::Learners).lang(&actor)?;
    let mut conn = s.store.conn();
    let sensitive = actor.can(Permission::LearnerSensitive);
    let exported = exports::learners(&mut conn, &actor.scope, &filter, sensitive, export.sink())
        .await
        .lang(&actor)?;
    let entries: Vec<(AuditAction, i64, i64)> = exported
        .iter()
        .map(|(id, school)| (AuditAction::Export, *id, *school))
        .collect();
    let detail: Option<String> = uri.query().map(|q| q.chars().take(300).collect());
    truongso_store::audit::record_many(
        &mut conn,
        &actor.audit_actor(),
        "learner",
        &entries,
        detail.as_deref(),
    )
    .await
    .lang(&actor)?;
    export.finish("hoc-sinh").lang(&actor)
}

pub async fn staff(
    State(s): State<AppState>,
    actor: Actor,
    Path(id): Path<i64>,
    uri: Uri,
) -> PageResult<Response> {
    let unit = orgs::get(&mut s.store.conn(), &actor.scope, id)
        .await
        .lang(&actor)?;
    let mut export = Export::new(&uri, ImportKind::Staff).lang(&actor)?;
    let filter = StaffFilter {
        org_unit_id: Some(id),
        ..Default::default()
    };
    let exported = exports::staff(&mut s.store.conn(), &actor.scope, &filter, export.sink())
        .await
        .lang(&actor)?;
    truongso_store::audit::record(
        &mut s.store.conn(),
        &actor.audit_actor(),
        &NewAuditEntry {
            action: AuditAction::Export,
            entity: "staff",
            entity_id: None,
            org_id: Some(unit.id),
            detail: Some(format!("{} cán bộ", exported.len())),
        },
    )
    .await
    .lang(&actor)?;
    export.finish(&format!("can-bo-{}", unit.code)).lang(&actor)
}

pub async fn classes(
    State(s): State<AppState>,
    actor: Actor,
    Path(id): Path<i64>,
    uri: Uri,
) -> PageResult<Response> {
    let unit = orgs::get(&mut s.store.conn(), &actor.scope, id)
        .await
        .lang(&actor)?;
    let mut export = Export::new(&uri, ImportKind::Classes).lang(&actor)?;
    let year = years::current(&mut s.store.conn()).await.lang(&actor)?;
    let filter = ClassFilter {
        org_unit_id: Some(id),
        school_year_id: year.map(|y| y.id),
        grade: None,
    };
    exports::classes(&mut s.store.conn(), &actor.scope, &filter, export.sink())
        .await
        .lang(&actor)?;
    export.finish(&format!("lop-{}", unit.code)).lang(&actor)
}

/// The faulty records of the data-quality drill-down, as filtered on the page.
pub async fn quality_issues(
    State(s): State<AppState>,
    actor: Actor,
    uri: Uri,
) -> PageResult<Response> {
    use truongso_store::quality::{self, IssueFilter};
    let filter: IssueFilter = parse_query(uri.query().unwrap_or("")).lang(&actor)?;
    let headers = [
        "Trường",
        "Mã học sinh",
        "Họ và tên",
        "Lớp",
        "Vấn đề",
        "Mức độ",
        "Chi tiết",
        "Phát hiện lúc",
    ];
    let mut export = Export::with_headers(&uri, "Hồ sơ cần sửa", &headers).lang(&actor)?;
    let mut conn = s.store.conn();
    let mut read = Vec::new();
    for page in 1.. {
        let found = quality::issues(
            &mut conn,
            &actor.scope,
            &filter,
            &truongso_store::PageRequest::new(page, 500),
        )
        .await
        .lang(&actor)?;
        for row in &found.items {
            let text = |s: Option<&str>| s.map_or(Cell::Empty, |s| Cell::Text(s.to_string()));
            let rule = super::quality::rule_label(actor.lang, &row.rule);
            let severity = super::quality::severity_label(actor.lang, &row.severity);
            export
                .writer
                .row(&[
                    text(Some(&row.school_name)),
                    text(row.learner_code.as_deref()),
                    text(row.learner_name.as_deref()),
                    text(row.class_name.as_deref()),
                    text(Some(&rule)),
                    text(Some(severity)),
                    text(Some(&row.detail)),
                    text(Some(
                        &row.found_at
                            .with_timezone(&chrono::FixedOffset::east_opt(7 * 3600).expect("UTC+7"))
                            .format("%d/%m/%Y %H:%M")
                            .to_string(),
                    )),
                ])
                .map_err(|e| ApiError::Internal(e.to_string()))
                .lang(&actor)?;
            if let Some(l) = row.learner_id {
                read.push((AuditAction::Export, l, row.school_id));
            }
        }
        if page >= found.pages() {
            break;
        }
    }
    truongso_store::audit::record_many(
        &mut conn,
        &actor.audit_actor(),
        "learner",
        &read,
        Some("danh sách hồ sơ cần sửa (chất lượng dữ liệu)"),
    )
    .await
    .lang(&actor)?;
    export.finish("ho-so-can-sua").lang(&actor)
}
