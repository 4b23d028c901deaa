//! Published results as the public lookup serves them, and the read-only snapshot a
//! lookup-only server loads.
//!
//! A campaign's published run is read in pages of [`PAGE_ROWS`] by application id (keyset
//! paging over the run's unique (run, application) index), each row handed to the caller as it
//! arrives: a million results load without a million-row intermediate.

use chrono::{DateTime, NaiveDate, Utc};
use sea_query::{Expr, ExprTrait, Order, Query};
use serde::{Deserialize, Serialize};
use truongso_domain::admission::{Points, grade10::hcmc_score};

use crate::schema::{AdmApplications, AdmCampaigns, AdmResults, AdmRuns, OrgUnits};
use crate::{Conn, StoreResult};

/// Rows per page when reading a published run.
pub const PAGE_ROWS: u64 = 20_000;

/// A campaign whose results are published.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, sqlx::FromRow)]
pub struct PublishedCampaign {
    pub id: i64,
    pub name: String,
    pub entry_grade: i32,
    pub published_run_id: i64,
}

/// A published run as loaded: which campaign, which run, how many results.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PublishedRun {
    pub campaign: PublishedCampaign,
    pub published_at: Option<DateTime<Utc>>,
    pub results: u64,
}

/// One applicant's published result: what the lookup shows, and the keys it is found by.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PublishedResult {
    pub tracking_code: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub candidate_number: Option<String>,
    pub birth_date: NaiveDate,
    pub full_name: String,
    /// "admitted", "not_admitted", "waiting" or "not_considered" (`runs::Outcome::code`).
    pub outcome: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub school_name: Option<String>,
    /// The choice (nguyện vọng, 1-based) the applicant was admitted on.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub choice: Option<i32>,
    pub explanation: String,
    /// Grade 10: the admission score in hundredths (three papers + priority points).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub total_score: Option<i32>,
}

#[derive(sqlx::FromRow)]
struct Row {
    application_id: i64,
    tracking_code: String,
    candidate_number: Option<String>,
    birth_date: NaiveDate,
    full_name: String,
    outcome: String,
    school_name: Option<String>,
    choice: Option<i32>,
    explanation: String,
    priority_group: Option<i32>,
    score_math: Option<i32>,
    score_literature: Option<i32>,
    score_language: Option<i32>,
}

impl Row {
    fn into_result(self, by_exam: bool) -> PublishedResult {
        let points = |h: Option<i32>| h.map(|h| Points::from_hundredths(h.into()));
        let total_score = by_exam
            .then(|| {
                hcmc_score(
                    points(self.score_math),
                    points(self.score_literature),
                    points(self.score_language),
                    self.priority_group.and_then(|g| u8::try_from(g).ok()),
                )
                .ok()
            })
            .flatten()
            .and_then(|p| i32::try_from(p.hundredths()).ok());
        PublishedResult {
            tracking_code: self.tracking_code,
            candidate_number: self.candidate_number,
            birth_date: self.birth_date,
            full_name: self.full_name,
            outcome: self.outcome,
            school_name: self.school_name,
            choice: self.choice,
            explanation: self.explanation,
            total_score,
        }
    }
}

/// Campaigns with a published run, newest first.
pub async fn published_campaigns(conn: &mut Conn<'_>) -> StoreResult<Vec<PublishedCampaign>> {
    conn.fetch_all(
        Query::select()
            .columns([
                AdmCampaigns::Id,
                AdmCampaigns::Name,
                AdmCampaigns::EntryGrade,
                AdmCampaigns::PublishedRunId,
            ])
            .from(AdmCampaigns::Table)
            .and_where(Expr::col(AdmCampaigns::PublishedRunId).is_not_null())
            .order_by(AdmCampaigns::Id, Order::Desc),
    )
    .await
}

/// Every result of the campaign's published run, handed to `each` in application order; `None`
/// when the campaign has no published run (or does not exist).
pub async fn published(
    conn: &mut Conn<'_>,
    campaign_id: i64,
    mut each: impl FnMut(PublishedResult),
) -> StoreResult<Option<PublishedRun>> {
    let Some(campaign) = published_campaigns(conn)
        .await?
        .into_iter()
        .find(|c| c.id == campaign_id)
    else {
        return Ok(None);
    };
    let run_id = campaign.published_run_id;
    let published_at: Option<(Option<DateTime<Utc>>,)> = conn
        .fetch_optional(
            Query::select()
                .column(AdmRuns::PublishedAt)
                .from(AdmRuns::Table)
                .and_where(Expr::col(AdmRuns::Id).eq(run_id)),
        )
        .await?;
    let by_exam = campaign.entry_grade == 10;
    let mut after = i64::MIN;
    let mut results = 0u64;
    loop {
        let rows: Vec<Row> = conn.fetch_all(&page_after(run_id, after)).await?;
        let last = rows.last().map(|r| r.application_id);
        let n = rows.len() as u64;
        for row in rows {
            each(row.into_result(by_exam));
        }
        results += n;
        match last {
            Some(id) if n == PAGE_ROWS => after = id,
            _ => break,
        }
    }
    Ok(Some(PublishedRun {
        campaign,
        published_at: published_at.and_then(|(at,)| at),
        results,
    }))
}

fn page_after(run_id: i64, after: i64) -> sea_query::SelectStatement {
    Query::select()
        .column((AdmResults::Table, AdmResults::ApplicationId))
        .column((AdmApplications::Table, AdmApplications::TrackingCode))
        .column((AdmApplications::Table, AdmApplications::CandidateNumber))
        .column((AdmApplications::Table, AdmApplications::BirthDate))
        .column((AdmApplications::Table, AdmApplications::FullName))
        .column((AdmResults::Table, AdmResults::Outcome))
        .expr_as(Expr::col((OrgUnits::Table, OrgUnits::Name)), "school_name")
        .column((AdmResults::Table, AdmResults::Choice))
        .column((AdmResults::Table, AdmResults::Explanation))
        .column((AdmApplications::Table, AdmApplications::PriorityGroup))
        .column((AdmApplications::Table, AdmApplications::ScoreMath))
        .column((AdmApplications::Table, AdmApplications::ScoreLiterature))
        .column((AdmApplications::Table, AdmApplications::ScoreLanguage))
        .from(AdmResults::Table)
        .inner_join(
            AdmApplications::Table,
            Expr::col((AdmApplications::Table, AdmApplications::Id))
                .equals((AdmResults::Table, AdmResults::ApplicationId)),
        )
        .left_join(
            OrgUnits::Table,
            Expr::col((OrgUnits::Table, OrgUnits::Id))
                .equals((AdmResults::Table, AdmResults::SchoolId)),
        )
        .and_where(Expr::col((AdmResults::Table, AdmResults::RunId)).eq(run_id))
        .and_where(Expr::col((AdmResults::Table, AdmResults::ApplicationId)).gt(after))
        .order_by((AdmResults::Table, AdmResults::ApplicationId), Order::Asc)
        .limit(PAGE_ROWS)
        .to_owned()
}

/// The first line of a snapshot file: what the following lines are.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SnapshotHeader {
    /// Always [`SNAPSHOT_FORMAT`].
    pub format: String,
    pub campaign: PublishedCampaign,
    pub published_at: Option<DateTime<Utc>>,
    pub results: u64,
    pub written_at: DateTime<Utc>,
}

/// The format tag of a snapshot file's header line.
pub const SNAPSHOT_FORMAT: &str = "truongso-admission-results/1";

/// Writes the campaign's published results as a snapshot: JSON lines, a [`SnapshotHeader`]
/// first, then one [`PublishedResult`] per line. Returns the header (`None` when the campaign
/// has nothing published). The results are written to a temporary file beside `out` and the
/// header put in front once their number is known.
pub async fn write_snapshot(
    conn: &mut Conn<'_>,
    campaign_id: i64,
    out: &std::path::Path,
) -> std::io::Result<Option<SnapshotHeader>> {
    use std::io::Write;
    let body_path = out.with_extension("body.tmp");
    let mut body = std::io::BufWriter::new(std::fs::File::create(&body_path)?);
    let mut failed: Option<std::io::Error> = None;
    let run = published(conn, campaign_id, |r| {
        if failed.is_none()
            && let Err(e) = serde_json::to_writer(&mut body, &r)
                .and_then(|()| body.write_all(b"\n").map_err(serde_json::Error::io))
        {
            failed = Some(e.into());
        }
    })
    .await
    .map_err(std::io::Error::other)?;
    body.flush()?;
    drop(body);
    if let Some(e) = failed {
        let _ = std::fs::remove_file(&body_path);
        return Err(e);
    }
    let Some(run) = run else {
        let _ = std::fs::remove_file(&body_path);
        return Ok(None);
    };
    let header = SnapshotHeader {
        format: SNAPSHOT_FORMAT.to_string(),
        campaign: run.campaign,
        published_at: run.published_at,
        results: run.results,
        written_at: Utc::now(),
    };
    let mut file = std::io::BufWriter::new(std::fs::File::create(out)?);
    serde_json::to_writer(&mut file, &header)?;
    file.write_all(b"\n")?;
    std::io::copy(&mut std::fs::File::open(&body_path)?, &mut file)?;
    file.flush()?;
    std::fs::remove_file(&body_path)?;
    Ok(Some(header))
}

/// Reads a snapshot written by [`write_snapshot`], line by line, handing each result to `each`.
/// A malformed line is an error naming its line number.
pub fn read_snapshot(
    path: &std::path::Path,
    mut each: impl FnMut(PublishedResult),
) -> std::io::Result<SnapshotHeader> {
    use std::io::BufRead;
    let bad = |line: usize, e: &dyn std::fmt::Display| {
        std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            format!("{} dòng {line}: {e}", path.display()),
        )
    };
    let mut lines = std::io::BufReader::new(std::fs::File::open(path)?).lines();
    let first = lines.next().ok_or_else(|| bad(1, &"tệp rỗng"))??;
    let header: SnapshotHeader = serde_json::from_str(&first).map_err(|e| bad(1, &e))?;
    if header.format != SNAPSHOT_FORMAT {
        return Err(bad(
            1,
            &format!("định dạng '{}' không hỗ trợ", header.format),
        ));
    }
    let mut n = 0u64;
    for (i, line) in lines.enumerate() {
        let line = line?;
        if line.trim().is_empty() {
            continue;
        }
        each(serde_json::from_str(&line).map_err(|e| bad(i + 2, &e))?);
        n += 1;
    }
    if n != header.results {
        return Err(bad(
            1,
            &format!("tiêu đề ghi {} kết quả, tệp có {n}", header.results),
        ));
    }
    Ok(header)
}
