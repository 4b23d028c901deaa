//! `seed --applicants`, `admission snapshot` and `serve-results`.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::Context;
use truongso_domain::admission::AdmissionSettings;
use truongso_store::Store;

/// A published grade-10 campaign of `n` applicants over the seeded province.
pub async fn seed(
    store: &Store,
    n: u64,
    seed: u64,
    settings: &AdmissionSettings,
) -> anyhow::Result<()> {
    eprintln!("Đang tạo đợt tuyển sinh lớp 10 với {n} thí sinh…");
    let mut last_tenth = 0;
    let r = truongso_store::admission::seed::seed_applicants(
        store,
        n,
        seed,
        settings,
        |done, total| {
            let tenth = done * 10 / total.max(1);
            if tenth > last_tenth {
                last_tenth = tenth;
                eprintln!("  {done} / {total} thí sinh");
            }
        },
    )
    .await?;
    eprintln!(
        "Đã tạo đợt tuyển sinh {} ({} trường THPT, {} chỉ tiêu), {} thí sinh, xét tuyển lần chạy {} ({} trúng tuyển), công bố: ghi {:.1} s, xét tuyển {:.1} s, tổng {:.1} s ({:.0} thí sinh/s).",
        r.campaign_id,
        r.schools,
        r.seats,
        r.applicants,
        r.run_id,
        r.admitted,
        r.written.as_secs_f64(),
        r.assigned.as_secs_f64(),
        r.elapsed.as_secs_f64(),
        r.applicants as f64 / r.elapsed.as_secs_f64().max(1e-9),
    );
    println!("{}", r.campaign_id);
    Ok(())
}

pub async fn snapshot(store: &Store, campaign: i64, out: &Path) -> anyhow::Result<ExitCode> {
    let started = std::time::Instant::now();
    let header =
        truongso_store::admission::lookup::write_snapshot(&mut store.conn(), campaign, out)
            .await
            .with_context(|| format!("ghi {}", out.display()))?;
    let Some(h) = header else {
        anyhow::bail!("đợt tuyển sinh {campaign} chưa công bố kết quả");
    };
    eprintln!(
        "Đã ghi {} kết quả của \"{}\" (lần chạy {}) vào {} trong {:.1} s.",
        h.results,
        h.campaign.name,
        h.campaign.published_run_id,
        out.display(),
        started.elapsed().as_secs_f64()
    );
    Ok(ExitCode::SUCCESS)
}

pub async fn serve_results(
    snapshots: &[PathBuf],
    bind: &str,
    settings: &AdmissionSettings,
) -> anyhow::Result<ExitCode> {
    let started = std::time::Instant::now();
    let indexes = truongso_web::results::load_snapshots(snapshots)?;
    let total: usize = indexes.iter().map(|i| i.len()).sum();
    eprintln!(
        "Đã nạp {total} kết quả từ {} tệp trong {:.1} s.",
        snapshots.len(),
        started.elapsed().as_secs_f64()
    );
    let lookup = Arc::new(truongso_web::results::ResultLookup::snapshot(indexes));
    let app = truongso_web::results::snapshot_app(lookup, settings.lookup.clone())
        .into_make_service_with_connect_info::<std::net::SocketAddr>();
    let listener = tokio::net::TcpListener::bind(bind).await?;
    println!("Tra cứu kết quả (chỉ đọc) đang chạy tại http://{bind}/admission/results");
    axum::serve(listener, app)
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await?;
    Ok(ExitCode::SUCCESS)
}
