//! `truongso verify-ledger` and `truongso gradebook compute`: checking the hash-chained history
//! of marks, and the year-end computation of every school.

use std::process::ExitCode;

use anyhow::Context;
use truongso_domain::gradebook::compute::GradingRules;
use truongso_store::Store;
use truongso_store::audit::AuditActor;
use truongso_store::gradebook::{ledger, results};

/// Checks every chain and that the stored marks are what their history says. Exit status 1,
/// naming the first broken entry of each chain, when anything was altered.
pub async fn verify_ledger(store: &Store) -> anyhow::Result<ExitCode> {
    let started = std::time::Instant::now();
    let report = ledger::verify(store).await?;
    println!(
        "Đã kiểm tra {} chuỗi, {} sự kiện, {} thay đổi, {} dòng điểm trong {:.1} s.",
        report.chains,
        report.events,
        report.changes,
        report.rows,
        started.elapsed().as_secs_f64()
    );
    if report.is_intact() {
        println!("Toàn vẹn: lịch sử điểm không bị sửa, điểm đang lưu khớp với lịch sử.");
        for (chain, seq, hash) in &report.heads {
            println!("  chuỗi {chain}: #{seq} {hash}");
        }
        return Ok(ExitCode::SUCCESS);
    }
    eprintln!("PHÁT HIỆN CAN THIỆP ({} lỗi):", report.breaks.len());
    for b in &report.breaks {
        eprintln!("  {b}");
    }
    Ok(ExitCode::FAILURE)
}

/// Computes and stores the year results of every school (or of one, by code) for the current
/// school year.
pub async fn compute(
    store: &Store,
    school: Option<&str>,
    rules: &GradingRules,
) -> anyhow::Result<()> {
    let mut conn = store.conn();
    let year = truongso_store::years::current(&mut conn)
        .await?
        .context("chưa có năm học hiện tại")?;
    let schools = results::schools_of_year(&mut conn, year.id, school).await?;
    if schools.is_empty() {
        anyhow::bail!(
            "không có trường nào có lớp trong năm học {}{}",
            year.code,
            school.map(|c| format!(" mã {c}")).unwrap_or_default()
        );
    }
    let actor = AuditActor {
        username: Some("cli".into()),
        ..Default::default()
    };
    let started = std::time::Instant::now();
    let mut total = results::ComputeReport::default();
    for (i, school_id) in schools.iter().enumerate() {
        let mut tx = store.begin().await?;
        let r = results::compute_school(&mut tx, &actor, "cli", *school_id, year.id, rules).await?;
        tx.commit().await?;
        total.learners += r.learners;
        total.decided += r.decided;
        total.pending += r.pending;
        total.changed += r.changed;
        if (i + 1) % 100 == 0 {
            eprintln!("  {} / {} trường", i + 1, schools.len());
        }
    }
    let secs = started.elapsed().as_secs_f64();
    println!(
        "Đã tổng kết {} học sinh của {} trường: {} đã có kết quả, {} còn thiếu điểm, {} kết quả thay đổi, trong {secs:.1} s ({:.0} học sinh/s).",
        total.learners,
        schools.len(),
        total.decided,
        total.pending,
        total.changed,
        total.learners as f64 / secs.max(1e-9)
    );
    Ok(())
}
