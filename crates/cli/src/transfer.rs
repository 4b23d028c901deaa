//! `truongso import` and `truongso export`: the same imports and exports as the web pages, for
//! operators and scripts. Progress goes to stderr; an import with rejected rows leaves an error
//! report next to the file.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, bail};
use truongso_domain::import::{ImportKind, describe_errors, error_report, match_headers};
use truongso_domain::tabular::{Cell, TableWriter, read_table};
use truongso_store::audit::{AuditAction, AuditActor, NewAuditEntry};
use truongso_store::imports::{self, ImportOptions};
use truongso_store::learners::LearnerFilter;
use truongso_store::{Scope, Store, exports};

pub fn parse_kind(s: &str) -> Result<ImportKind, String> {
    ImportKind::from_code(s).ok_or_else(|| "learners | staff | classes | enrolments".to_string())
}

fn operator() -> AuditActor {
    AuditActor {
        username: Some("(dòng lệnh)".into()),
        ..Default::default()
    }
}

async fn unit_by_code(store: &Store, code: Option<&str>) -> anyhow::Result<Option<i64>> {
    let Some(code) = code else { return Ok(None) };
    match truongso_store::orgs::get_by_code(&mut store.conn(), code).await? {
        Some(u) => Ok(Some(u.id)),
        None => bail!("không có đơn vị mã '{code}'"),
    }
}

pub async fn import(
    store: &Store,
    kind: ImportKind,
    file: &Path,
    school: Option<&str>,
    keep_valid: bool,
) -> anyhow::Result<ExitCode> {
    let bytes = std::fs::read(file).with_context(|| format!("đọc {}", file.display()))?;
    let table = read_table(&bytes)?;
    if let Some(encoding) = table.converted_from {
        eprintln!(
            "Tệp được soạn ở bảng mã {} (phông chữ cũ): đã chuyển sang Unicode.",
            encoding.label()
        );
    }
    let header = match_headers(kind, &table);
    if !header.missing_required.is_empty() {
        bail!(
            "tệp thiếu cột bắt buộc: {} (tiêu đề tìm thấy ở dòng {}: {})",
            header.missing_required.join(", "),
            table.rows[header.mapping.header_index].number,
            header.titles.join(" | ")
        );
    }
    if !header.unmatched.is_empty() {
        eprintln!(
            "Bỏ qua các cột không nhận ra: {}",
            header.unmatched.join(", ")
        );
    }
    let options = ImportOptions {
        kind,
        default_unit_id: unit_by_code(store, school).await?,
        keep_valid,
        today: chrono::Local::now().date_naive(),
    };
    let mut last = 0;
    let mut progress = |done: usize, total: usize| {
        let pct = done * 100 / total.max(1);
        if pct >= last + 10 || (done == total && pct > last) {
            last = pct;
            eprintln!("  đã ghi {done} / {total} dòng ({pct}%)");
        }
    };
    let report = imports::apply(
        store,
        &Scope::All,
        &operator(),
        &table,
        &header.mapping,
        &options,
        &mut progress,
    )
    .await?;
    for r in report.rejected_rows().take(20) {
        eprintln!("  dòng {}: {}", r.row, describe_errors(kind, &r.errors));
    }
    if report.rejected > 20 {
        eprintln!("  … và {} dòng lỗi khác", report.rejected - 20);
    }
    if report.rejected > 0 {
        let rejected: Vec<(usize, String)> = report
            .rejected_rows()
            .map(|r| (r.row, describe_errors(kind, &r.errors)))
            .collect();
        let out = error_report_path(file);
        std::fs::write(&out, error_report(&table, &header.mapping, &rejected)?)
            .with_context(|| format!("ghi {}", out.display()))?;
        eprintln!(
            "Báo cáo lỗi (các dòng bị từ chối, cột \"Lỗi\"): {}",
            out.display()
        );
    }
    println!(
        "{}: {} thêm mới, {} cập nhật, {} không đổi, {} bị từ chối.",
        if report.applied {
            "Đã nhập"
        } else {
            "KHÔNG nhập gì (có dòng lỗi; dùng --keep-valid để chỉ nhập dòng hợp lệ)"
        },
        report.created,
        report.updated,
        report.unchanged,
        report.rejected
    );
    Ok(if report.applied {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

/// "hs.xlsx" → "hs.loi.xlsx", next to the imported file.
fn error_report_path(file: &Path) -> PathBuf {
    let stem = file.file_stem().and_then(|s| s.to_str()).unwrap_or("nhap");
    let ext = file.extension().and_then(|s| s.to_str()).unwrap_or("xlsx");
    let ext = if ext.eq_ignore_ascii_case("csv") {
        "csv"
    } else {
        "xlsx"
    };
    file.with_file_name(format!("{stem}.loi.{ext}"))
}

pub async fn export(
    store: &Store,
    kind: ImportKind,
    out: &Path,
    unit: Option<&str>,
) -> anyhow::Result<ExitCode> {
    let unit_id = unit_by_code(store, unit).await?;
    let scope = match unit_id {
        Some(id) => truongso_store::orgs::get(&mut store.conn(), &Scope::All, id)
            .await?
            .scope(),
        None => Scope::All,
    };
    let csv = out
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("csv"));
    let mut w = if csv {
        TableWriter::csv(b',')
    } else {
        TableWriter::xlsx(kind.label_vi())
    };
    w.header(&exports::headers(kind))?;
    let mut n = 0u64;
    let mut write = |row: Vec<Cell>| -> truongso_store::StoreResult<()> {
        n += 1;
        w.row(&row)
            .map_err(|e| truongso_store::StoreError::invalid("out", e.to_string()))
    };
    let mut conn = store.conn();
    match kind {
        ImportKind::Learners => {
            exports::learners(
                &mut conn,
                &scope,
                &LearnerFilter::default(),
                true,
                &mut write,
            )
            .await?;
        }
        ImportKind::Staff => {
            exports::staff(&mut conn, &scope, &Default::default(), &mut write).await?;
        }
        ImportKind::Classes => {
            exports::classes(&mut conn, &scope, &Default::default(), &mut write).await?;
        }
        ImportKind::Enrolments => bail!("xuất xếp lớp: hãy xuất học sinh (có cột Lớp)"),
    }
    std::fs::write(out, w.finish()?).with_context(|| format!("ghi {}", out.display()))?;
    truongso_store::audit::record(
        &mut store.conn(),
        &operator(),
        &NewAuditEntry {
            action: AuditAction::Export,
            entity: kind.code(),
            entity_id: None,
            org_id: unit_id,
            detail: Some(format!("{n} dòng ra {}", out.display())),
        },
    )
    .await?;
    eprintln!("Đã xuất {n} dòng ra {}.", out.display());
    Ok(ExitCode::SUCCESS)
}
