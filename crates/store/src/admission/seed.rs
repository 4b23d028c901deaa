//! `truongso seed --applicants N`: a grade-10 campaign over the seeded province's
//! upper-secondary schools (seats summing to about 70 % of N, more for popular schools), N
//! verified applicants from [`truongso_demo::applicants`] with exam scores and candidate
//! numbers, then the assignment run (`runs::simulate`) published — ready for the lookup and
//! its benchmarks. Rows go in multi-row inserts inside one transaction.

use std::collections::HashSet;
use std::time::{Duration, Instant};

use chrono::{TimeZone, Utc};
use sea_query::{Expr, ExprTrait, Order, Query, Value};
use truongso_demo::applicants::grade10_applicant;
use truongso_domain::admission::{AdmissionSettings, nth_tracking_code};
use truongso_domain::org::{OrgKind, SchoolLevel};

use super::runs;
use super::{CampaignStatus, campaign};
use crate::schema::{AdmApplications, AdmCampaignSchools, AdmCampaigns, AdmChoices, OrgUnits};
use crate::seed::bulk_insert;
use crate::{Backend, Store, StoreError, StoreResult};

/// What `seed --applicants` wrote.
#[derive(Debug, Clone, Default)]
pub struct AdmissionSeedReport {
    pub campaign_id: i64,
    pub run_id: i64,
    pub schools: u64,
    pub seats: u64,
    pub applicants: u64,
    pub admitted: u64,
    /// Writing the campaign and applicants.
    pub written: Duration,
    /// Running the assignment and storing its results.
    pub assigned: Duration,
    pub elapsed: Duration,
}

/// Applicants generated and written per step (keeps memory flat for millions).
const CHUNK: u64 = 50_000;

/// Seeds the campaign, applicants, run and publication. `progress(done, total)` after each chunk.
pub async fn seed_applicants(
    store: &Store,
    applicants: u64,
    seed: u64,
    settings: &AdmissionSettings,
    mut progress: impl FnMut(u64, u64),
) -> StoreResult<AdmissionSeedReport> {
    let started = Instant::now();
    let mut report = AdmissionSeedReport {
        applicants,
        ..Default::default()
    };
    let mut tx = store.begin().await?;
    let year = crate::years::current(&mut tx.conn())
        .await?
        .ok_or_else(|| {
            StoreError::invalid(
                "school_year",
                "Chưa có năm học hiện tại: hãy tạo tỉnh mẫu trước (truongso seed).",
            )
        })?;
    let (owner_id,): (i64,) = tx
        .conn()
        .fetch_optional(
            Query::select()
                .column(OrgUnits::Id)
                .from(OrgUnits::Table)
                .and_where(Expr::col(OrgUnits::Kind).eq(OrgKind::Department.code()))
                .order_by(OrgUnits::Id, Order::Asc)
                .limit(1),
        )
        .await?
        .ok_or_else(|| StoreError::invalid("owner", "Chưa có Sở GDĐT: hãy tạo tỉnh mẫu trước."))?;
    let schools: Vec<(i64, String)> = tx
        .conn()
        .fetch_all(
            Query::select()
                .columns([OrgUnits::Id, OrgUnits::Levels])
                .from(OrgUnits::Table)
                .and_where(Expr::col(OrgUnits::Kind).eq(OrgKind::School.code()))
                .and_where(
                    Expr::col(OrgUnits::Levels)
                        .like(format!("%{}%", SchoolLevel::UpperSecondary.code())),
                )
                .order_by(OrgUnits::Id, Order::Asc),
        )
        .await?;
    if schools.is_empty() {
        return Err(StoreError::invalid("schools", "Tỉnh chưa có trường THPT."));
    }
    report.schools = schools.len() as u64;

    // The campaign: closed for applications (ready to assign), seats by popularity rank.
    let start = year.start_year;
    let at = |m: u32, d: u32| {
        Utc.with_ymd_and_hms(start, m, d, 1, 0, 0)
            .single()
            .expect("a date")
    };
    let now = Utc::now();
    tx.conn()
        .execute(
            Query::insert()
                .into_table(AdmCampaigns::Table)
                .columns([
                    AdmCampaigns::OwnerId,
                    AdmCampaigns::SchoolYearId,
                    AdmCampaigns::EntryGrade,
                    AdmCampaigns::Name,
                    AdmCampaigns::Status,
                    AdmCampaigns::OpensAt,
                    AdmCampaigns::ClosesAt,
                    AdmCampaigns::ResultsAt,
                    AdmCampaigns::MaxChoices,
                    AdmCampaigns::RequiredDocuments,
                    AdmCampaigns::CreatedAt,
                    AdmCampaigns::UpdatedAt,
                ])
                .values_panic([
                    owner_id.into(),
                    year.id.into(),
                    10.into(),
                    format!(
                        "Tuyển sinh lớp 10 năm học {}-{} ({applicants} thí sinh, dữ liệu mẫu)",
                        start,
                        start + 1
                    )
                    .into(),
                    CampaignStatus::Closed.code().into(),
                    at(5, 2).into(),
                    at(5, 20).into(),
                    at(7, 10).into(),
                    3.into(),
                    "[]".into(),
                    now.into(),
                    now.into(),
                ]),
        )
        .await?;
    let (campaign_id,): (i64,) = tx
        .conn()
        .fetch_one(
            Query::select()
                .expr(Expr::col(AdmCampaigns::Id).max())
                .from(AdmCampaigns::Table),
        )
        .await?;
    report.campaign_id = campaign_id;
    let seats = seats_by_popularity(applicants * 7 / 10, schools.len());
    report.seats = seats.iter().sum::<i64>() as u64;
    bulk_insert(
        &mut tx.conn(),
        AdmCampaignSchools::Table,
        &[
            AdmCampaignSchools::CampaignId,
            AdmCampaignSchools::SchoolId,
            AdmCampaignSchools::Seats,
        ],
        schools
            .iter()
            .zip(&seats)
            .map(|((id, _), n)| vec![campaign_id.into(), (*id).into(), (*n as i32).into()])
            .collect(),
    )
    .await?;

    // Applicants with explicit ids, so that their choices need no read-back.
    let first_id = max_id(&mut tx.conn(), "adm_applications").await? + 1;
    let first_choice = max_id(&mut tx.conn(), "adm_choices").await? + 1;
    let taken: HashSet<String> = tx
        .conn()
        .fetch_all::<(String,)>(
            &Query::select()
                .column(AdmApplications::TrackingCode)
                .from(AdmApplications::Table)
                .to_owned(),
        )
        .await?
        .into_iter()
        .map(|(c,)| c)
        .collect();
    let width = applicants.to_string().len().max(6);
    let mut code_counter = 0u64;
    let mut choice_id = first_choice;
    let mut done = 0u64;
    while done < applicants {
        let end = Ord::min(done + CHUNK, applicants);
        let mut rows: Vec<Vec<Value>> = Vec::with_capacity((end - done) as usize);
        let mut choice_rows: Vec<Vec<Value>> = Vec::with_capacity((end - done) as usize * 3);
        for i in done..end {
            let a = grade10_applicant(seed, i, start, schools.len());
            let id = first_id + i as i64;
            let code = loop {
                let c = nth_tracking_code(code_counter, seed.wrapping_mul(7_777));
                code_counter += 1;
                if !taken.contains(&c) {
                    break c;
                }
            };
            rows.push(vec![
                id.into(),
                campaign_id.into(),
                code.into(),
                format!("{:0width$}", i + 1).into(),
                a.national_id.into(),
                a.birth_date.into(),
                a.full_name.into(),
                a.gender.code().into(),
                "".into(),
                "Phụ huynh".into(),
                "phone".into(),
                format!("09{:08}", i % 100_000_000).into(),
                a.priority_group.map(i32::from).into(),
                "verified".into(),
                "seed".into(),
                now.into(),
                a.score_math.into(),
                a.score_literature.into(),
                a.score_language.into(),
                now.into(),
                now.into(),
            ]);
            for (rank, s) in a.choices.iter().enumerate() {
                choice_rows.push(vec![
                    choice_id.into(),
                    id.into(),
                    (rank as i32 + 1).into(),
                    schools[*s].0.into(),
                ]);
                choice_id += 1;
            }
        }
        bulk_insert(
            &mut tx.conn(),
            AdmApplications::Table,
            &[
                AdmApplications::Id,
                AdmApplications::CampaignId,
                AdmApplications::TrackingCode,
                AdmApplications::CandidateNumber,
                AdmApplications::NationalId,
                AdmApplications::BirthDate,
                AdmApplications::FullName,
                AdmApplications::Gender,
                AdmApplications::ResidenceCode,
                AdmApplications::GuardianName,
                AdmApplications::ContactChannel,
                AdmApplications::ContactAddress,
                AdmApplications::PriorityGroup,
                AdmApplications::Status,
                AdmApplications::ReviewedBy,
                AdmApplications::ReviewedAt,
                AdmApplications::ScoreMath,
                AdmApplications::ScoreLiterature,
                AdmApplications::ScoreLanguage,
                AdmApplications::SubmittedAt,
                AdmApplications::UpdatedAt,
            ],
            rows,
        )
        .await?;
        bulk_insert(
            &mut tx.conn(),
            AdmChoices::Table,
            &[
                AdmChoices::Id,
                AdmChoices::ApplicationId,
                AdmChoices::Rank,
                AdmChoices::SchoolId,
            ],
            choice_rows,
        )
        .await?;
        done = end;
        progress(done, applicants);
    }
    report.written = started.elapsed();

    let assigning = Instant::now();
    let c = campaign(&mut tx.conn(), campaign_id).await?;
    let run = runs::simulate(&mut tx, &c, settings, "seed").await?;
    runs::publish(&mut tx, &c, run.id).await?;
    report.run_id = run.id;
    report.admitted = run.admitted as u64;
    report.assigned = assigning.elapsed();
    tx.commit().await?;
    if store.backend() == Backend::Postgres {
        for table in ["adm_applications", "adm_choices"] {
            store
                .conn()
                .execute_raw(&format!("SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT COALESCE(MAX(id), 0) + 1 FROM {table}), false)"))
                .await?;
        }
    }
    report.elapsed = started.elapsed();
    Ok(report)
}

/// `total` seats over `n` schools ranked by popularity: the most sought-after get about three
/// times the seats of the least (large city schools against small district ones).
fn seats_by_popularity(total: u64, n: usize) -> Vec<i64> {
    let weights: Vec<f64> = (0..n)
        .map(|r| 3.0 - 2.0 * r as f64 / n.max(2) as f64)
        .collect();
    let sum: f64 = weights.iter().sum();
    weights
        .iter()
        .map(|w| Ord::max((total as f64 * w / sum).round() as i64, 1))
        .collect()
}

async fn max_id(conn: &mut crate::Conn<'_>, table: &str) -> StoreResult<i64> {
    let (max,): (Option<i64>,) = conn
        .fetch_one(
            Query::select()
                .expr(Expr::col(sea_query::Alias::new("id")).max())
                .from(sea_query::Alias::new(table)),
        )
        .await?;
    Ok(max.unwrap_or(0))
}
