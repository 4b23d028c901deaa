//! Assignment runs: the verified applications of a campaign put through the rules of
//! `domain::admission` (grade 10 by score over ranked choices, grades 1 and 6 by zone and seats),
//! stored as a run with its cut-offs per school and choice and each applicant's result with a
//! Vietnamese explanation. An office simulates as often as it likes, compares runs, and publishes
//! one: publishing is what the public lookup then serves.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};
use sea_query::{Expr, ExprTrait, Order, Query};
use serde::Serialize;
use truongso_domain::admission::zone::{ZoneApplicant, ZoneSchool, ZoneStatus, assign_by_zone};
use truongso_domain::admission::{
    AdmissionSettings, Applicant, Mechanism, Points, School, grade10::hcmc_score,
};

use super::{
    ApplicationStatus, Campaign, CampaignSchool, CampaignStatus, campaign, campaign_schools,
};
use crate::schema::{
    AdmApplications, AdmCampaigns, AdmChoices, AdmCutoffs, AdmResults, AdmRuns, OrgUnits,
};
use crate::{Conn, Page, PageRequest, StoreError, StoreResult, Tx};

/// Rows per INSERT statement when storing results (well under both backends' bind limits).
const INSERT_CHUNK: usize = 1000;

/// What happened to an application in a run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    Admitted,
    NotAdmitted,
    /// Grades 1/6: lives in the zone, the school is full — the office places the child.
    Waiting,
    /// Not verified, or not eligible (a missing or zero exam paper): not put through the rules.
    NotConsidered,
}

impl Outcome {
    pub fn code(self) -> &'static str {
        match self {
            Outcome::Admitted => "admitted",
            Outcome::NotAdmitted => "not_admitted",
            Outcome::Waiting => "waiting",
            Outcome::NotConsidered => "not_considered",
        }
    }

    pub fn label_vi(self) -> &'static str {
        match self {
            Outcome::Admitted => "Trúng tuyển",
            Outcome::NotAdmitted => "Không trúng tuyển",
            Outcome::Waiting => "Chờ cơ quan quản lý bố trí",
            Outcome::NotConsidered => "Không được xét",
        }
    }
}

impl TryFrom<String> for Outcome {
    type Error = String;
    fn try_from(s: String) -> Result<Self, String> {
        match s.as_str() {
            "admitted" => Ok(Outcome::Admitted),
            "not_admitted" => Ok(Outcome::NotAdmitted),
            "waiting" => Ok(Outcome::Waiting),
            "not_considered" => Ok(Outcome::NotConsidered),
            _ => Err(format!("unknown outcome '{s}'")),
        }
    }
}

/// A run as stored.
#[derive(Debug, Clone, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct Run {
    pub id: i64,
    pub campaign_id: i64,
    /// "deferred_acceptance", "city_rule" or "zone".
    pub mechanism: String,
    pub applicants: i32,
    pub admitted: i32,
    pub created_by: String,
    pub created_at: DateTime<Utc>,
    pub published_at: Option<DateTime<Utc>>,
}

/// A school's cut-off for one choice rank (grades 1/6: choice 1 only, no cut-off).
#[derive(Debug, Clone, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct CutOff {
    pub school_id: i64,
    pub school_code: String,
    pub school_name: String,
    pub choice: i32,
    pub seats: i32,
    pub admitted: i32,
    /// Hundredths; none when the school admitted everyone who reached it at this rank.
    pub cut_off: Option<i32>,
}

impl CutOff {
    /// "40,25", or "—" when there is no cut-off.
    pub fn cut_off_vi(&self) -> String {
        self.cut_off.map_or_else(
            || "—".to_string(),
            |c| Points::from_hundredths(c.into()).vi(),
        )
    }
}

/// One applicant's result in a run.
#[derive(Debug, Clone, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct RunResult {
    pub application_id: i64,
    pub tracking_code: String,
    pub candidate_number: Option<String>,
    pub full_name: String,
    pub birth_date: NaiveDate,
    #[sqlx(try_from = "String")]
    pub outcome: Outcome,
    pub school_id: Option<i64>,
    pub school_name: Option<String>,
    pub choice: Option<i32>,
    pub explanation: String,
}

/// One application as the rules see it.
#[derive(sqlx::FromRow)]
struct Entry {
    id: i64,
    status: String,
    residence_code: String,
    priority_group: Option<i32>,
    score_math: Option<i32>,
    score_literature: Option<i32>,
    score_language: Option<i32>,
}

/// What a run decides for one application, before it is stored.
struct Decided {
    application_id: i64,
    outcome: Outcome,
    school_id: Option<i64>,
    choice: Option<i32>,
    explanation: String,
}

/// Runs the assignment of `c` under `settings` and stores it (not published). Verified
/// applications take part; the others get a "not considered" result saying why.
pub async fn simulate(
    tx: &mut Tx,
    c: &Campaign,
    settings: &AdmissionSettings,
    created_by: &str,
) -> StoreResult<Run> {
    if c.status != CampaignStatus::Closed && c.status != CampaignStatus::Published {
        return Err(StoreError::conflict(
            "status",
            "Chỉ chạy xét tuyển khi đợt tuyển sinh đã đóng nhận hồ sơ.",
        ));
    }
    let schools = campaign_schools(&mut tx.conn(), c.id).await?;
    let entries: Vec<Entry> = tx
        .conn()
        .fetch_all(
            Query::select()
                .columns([
                    AdmApplications::Id,
                    AdmApplications::Status,
                    AdmApplications::ResidenceCode,
                    AdmApplications::PriorityGroup,
                    AdmApplications::ScoreMath,
                    AdmApplications::ScoreLiterature,
                    AdmApplications::ScoreLanguage,
                ])
                .from(AdmApplications::Table)
                .and_where(Expr::col(AdmApplications::CampaignId).eq(c.id))
                .and_where(
                    Expr::col(AdmApplications::Status).ne(ApplicationStatus::Withdrawn.code()),
                )
                .order_by(AdmApplications::Id, Order::Asc),
        )
        .await?;
    let choices = choices_by_application(&mut tx.conn(), c.id).await?;
    let (mechanism, decided, cut_offs) = if c.by_exam() {
        let (decided, cut_offs) = decide_by_exam(&entries, &choices, &schools, settings)?;
        let mechanism = match settings.grade10.mechanism {
            Mechanism::DeferredAcceptance => "deferred_acceptance",
            Mechanism::CityRule => "city_rule",
        };
        (mechanism, decided, cut_offs)
    } else {
        let (decided, cut_offs) = decide_by_zone(&entries, &choices, &schools, settings)?;
        ("zone", decided, cut_offs)
    };
    store_run(tx, c.id, mechanism, created_by, &decided, &cut_offs).await
}

/// Each application's ranked choices (school ids, NV1 first).
async fn choices_by_application(
    conn: &mut Conn<'_>,
    campaign_id: i64,
) -> StoreResult<HashMap<i64, Vec<i64>>> {
    let rows: Vec<(i64, i64)> = conn
        .fetch_all(
            Query::select()
                .column((AdmChoices::Table, AdmChoices::ApplicationId))
                .column((AdmChoices::Table, AdmChoices::SchoolId))
                .from(AdmChoices::Table)
                .inner_join(
                    AdmApplications::Table,
                    Expr::col((AdmApplications::Table, AdmApplications::Id))
                        .equals((AdmChoices::Table, AdmChoices::ApplicationId)),
                )
                .and_where(
                    Expr::col((AdmApplications::Table, AdmApplications::CampaignId))
                        .eq(campaign_id),
                )
                .order_by((AdmChoices::Table, AdmChoices::ApplicationId), Order::Asc)
                .order_by((AdmChoices::Table, AdmChoices::Rank), Order::Asc),
        )
        .await?;
    let mut map: HashMap<i64, Vec<i64>> = HashMap::new();
    for (application, school) in rows {
        map.entry(application).or_default().push(school);
    }
    Ok(map)
}

fn not_considered(e: &Entry) -> Option<Decided> {
    let why = match ApplicationStatus::try_from(e.status.clone()).ok()? {
        ApplicationStatus::Verified => return None,
        ApplicationStatus::Rejected => {
            "Hồ sơ không đủ điều kiện dự tuyển (xem ghi chú của nhà trường)."
        }
        _ => "Hồ sơ chưa được nhà trường xác minh nên không được đưa vào xét tuyển.",
    };
    Some(Decided {
        application_id: e.id,
        outcome: Outcome::NotConsidered,
        school_id: None,
        choice: None,
        explanation: why.to_string(),
    })
}

type Decision = (Vec<Decided>, Vec<(i64, i32, i32, i32, Option<i32>)>);

/// Grade 10: the exam score (three papers + priority points) over ranked choices.
fn decide_by_exam(
    entries: &[Entry],
    choices: &HashMap<i64, Vec<i64>>,
    schools: &[CampaignSchool],
    settings: &AdmissionSettings,
) -> StoreResult<Decision> {
    let code_of: HashMap<i64, String> = schools
        .iter()
        .map(|s| (s.school_id, s.school_id.to_string()))
        .collect();
    let domain_schools: Vec<School> = schools
        .iter()
        .map(|s| School {
            code: s.school_id.to_string(),
            seats: u32::try_from(s.seats).unwrap_or(0),
            zone: s.zone.clone(),
        })
        .collect();
    let mut decided = Vec::new();
    let mut applicants = Vec::new();
    let mut ids = Vec::new();
    let points = |h: Option<i32>| h.map(|h| Points::from_hundredths(h.into()));
    for e in entries {
        if let Some(d) = not_considered(e) {
            decided.push(d);
            continue;
        }
        let group = e.priority_group.map(|g| g as u8);
        let score = hcmc_score(
            points(e.score_math),
            points(e.score_literature),
            points(e.score_language),
            group,
        );
        let score = match score {
            Ok(s) => s,
            Err(why) => {
                decided.push(Decided {
                    application_id: e.id,
                    outcome: Outcome::NotConsidered,
                    school_id: None,
                    choice: None,
                    explanation: format!("Không được xét tuyển: {why}."),
                });
                continue;
            }
        };
        let subjects = [
            ("Toán", e.score_math),
            ("Ngữ văn", e.score_literature),
            ("Ngoại ngữ", e.score_language),
        ]
        .into_iter()
        .filter_map(|(name, s)| Some((name.to_string(), points(s)?)))
        .collect();
        applicants.push(Applicant {
            id: e.id.to_string(),
            score,
            choices: choices
                .get(&e.id)
                .map(|c| c.iter().filter_map(|s| code_of.get(s).cloned()).collect())
                .unwrap_or_default(),
            priority_group: group,
            subjects,
            zone: None,
        });
        ids.push(e.id);
    }
    let assignment =
        truongso_domain::admission::assign(&applicants, &domain_schools, &settings.grade10)
            .map_err(|e| StoreError::invalid("applications", e.to_string()))?;
    for (i, (id, outcome)) in ids.iter().zip(&assignment.outcomes).enumerate() {
        let explanation = assignment.explain_named(&applicants, i, |s| schools[s].name.clone());
        decided.push(Decided {
            application_id: *id,
            outcome: if outcome.school.is_some() {
                Outcome::Admitted
            } else {
                Outcome::NotAdmitted
            },
            school_id: outcome.school.map(|s| schools[s as usize].school_id),
            choice: outcome.choice.map(|c| i32::from(c) + 1),
            explanation,
        });
    }
    let mut cut_offs = Vec::new();
    for (s, c) in schools.iter().zip(&assignment.cut_offs) {
        for (rank, cut) in c.per_choice.iter().enumerate() {
            let admitted = c.admitted_per_choice.get(rank).copied().unwrap_or(0);
            cut_offs.push((
                s.school_id,
                rank as i32 + 1,
                s.seats,
                admitted as i32,
                cut.map(|p| p.hundredths() as i32),
            ));
        }
    }
    Ok((decided, cut_offs))
}

/// Grades 1 and 6: the chosen school, by zone and seats.
fn decide_by_zone(
    entries: &[Entry],
    choices: &HashMap<i64, Vec<i64>>,
    schools: &[CampaignSchool],
    settings: &AdmissionSettings,
) -> StoreResult<Decision> {
    let domain_schools: Vec<ZoneSchool> = schools
        .iter()
        .map(|s| ZoneSchool {
            code: s.school_id.to_string(),
            seats: u32::try_from(s.seats).unwrap_or(0),
            zone: s.zone_areas.clone(),
        })
        .collect();
    let index: HashMap<i64, usize> = schools
        .iter()
        .enumerate()
        .map(|(i, s)| (s.school_id, i))
        .collect();
    let mut decided = Vec::new();
    let mut applicants = Vec::new();
    let mut picked = Vec::new();
    for e in entries {
        if let Some(d) = not_considered(e) {
            decided.push(d);
            continue;
        }
        let Some(&school) = choices
            .get(&e.id)
            .and_then(|c| c.first())
            .and_then(|s| index.get(s))
        else {
            decided.push(Decided {
                application_id: e.id,
                outcome: Outcome::NotConsidered,
                school_id: None,
                choice: None,
                explanation: "Hồ sơ không chọn trường nào của đợt tuyển sinh.".to_string(),
            });
            continue;
        };
        applicants.push(ZoneApplicant {
            id: e.id.to_string(),
            residence: e.residence_code.clone(),
            school: schools[school].school_id.to_string(),
            priority: e.priority_group.is_some(),
            registered: e.id as u64,
        });
        picked.push((e.id, school));
    }
    let statuses = assign_by_zone(&applicants, &domain_schools, &settings.zone)
        .map_err(|e| StoreError::invalid("applications", e.to_string()))?;
    let mut admitted = vec![0i32; schools.len()];
    for ((id, school), status) in picked.iter().zip(&statuses) {
        let s = &schools[*school];
        let outcome = match status {
            ZoneStatus::Admitted | ZoneStatus::AdmittedOutOfZone => {
                admitted[*school] += 1;
                Outcome::Admitted
            }
            ZoneStatus::AwaitingPlacement => Outcome::Waiting,
            ZoneStatus::Refused => Outcome::NotAdmitted,
        };
        decided.push(Decided {
            application_id: *id,
            outcome,
            school_id: (outcome == Outcome::Admitted).then_some(s.school_id),
            choice: (outcome == Outcome::Admitted).then_some(1),
            // The message says "trường {name}": "Trường Tiểu học X" would read twice.
            explanation: status.message_vi(s.name.strip_prefix("Trường ").unwrap_or(&s.name)),
        });
    }
    let cut_offs = schools
        .iter()
        .zip(admitted)
        .map(|(s, n)| (s.school_id, 1, s.seats, n, None))
        .collect();
    Ok((decided, cut_offs))
}

async fn store_run(
    tx: &mut Tx,
    campaign_id: i64,
    mechanism: &str,
    created_by: &str,
    decided: &[Decided],
    cut_offs: &[(i64, i32, i32, i32, Option<i32>)],
) -> StoreResult<Run> {
    let considered = decided
        .iter()
        .filter(|d| d.outcome != Outcome::NotConsidered)
        .count();
    let admitted = decided
        .iter()
        .filter(|d| d.outcome == Outcome::Admitted)
        .count();
    tx.conn()
        .execute(
            Query::insert()
                .into_table(AdmRuns::Table)
                .columns([
                    AdmRuns::CampaignId,
                    AdmRuns::Mechanism,
                    AdmRuns::Applicants,
                    AdmRuns::Admitted,
                    AdmRuns::CreatedBy,
                    AdmRuns::CreatedAt,
                ])
                .values_panic([
                    campaign_id.into(),
                    mechanism.into(),
                    (considered as i32).into(),
                    (admitted as i32).into(),
                    created_by.into(),
                    Utc::now().into(),
                ]),
        )
        .await?;
    let (run_id,): (i64,) = tx
        .conn()
        .fetch_one(
            Query::select()
                .expr(Expr::col(AdmRuns::Id).max())
                .from(AdmRuns::Table)
                .and_where(Expr::col(AdmRuns::CampaignId).eq(campaign_id)),
        )
        .await?;
    if !cut_offs.is_empty() {
        let mut insert = Query::insert()
            .into_table(AdmCutoffs::Table)
            .columns([
                AdmCutoffs::RunId,
                AdmCutoffs::SchoolId,
                AdmCutoffs::Choice,
                AdmCutoffs::Seats,
                AdmCutoffs::Admitted,
                AdmCutoffs::CutOff,
            ])
            .to_owned();
        for (school, choice, seats, admitted, cut) in cut_offs {
            insert.values_panic([
                run_id.into(),
                (*school).into(),
                (*choice).into(),
                (*seats).into(),
                (*admitted).into(),
                (*cut).into(),
            ]);
        }
        tx.conn().execute(&insert).await?;
    }
    for chunk in decided.chunks(INSERT_CHUNK) {
        let mut insert = Query::insert()
            .into_table(AdmResults::Table)
            .columns([
                AdmResults::RunId,
                AdmResults::ApplicationId,
                AdmResults::Outcome,
                AdmResults::SchoolId,
                AdmResults::Choice,
                AdmResults::Explanation,
            ])
            .to_owned();
        for d in chunk {
            insert.values_panic([
                run_id.into(),
                d.application_id.into(),
                d.outcome.code().into(),
                d.school_id.into(),
                d.choice.into(),
                d.explanation.as_str().into(),
            ]);
        }
        tx.conn().execute(&insert).await?;
    }
    run(&mut tx.conn(), campaign_id, run_id).await
}

fn select_runs() -> sea_query::SelectStatement {
    Query::select()
        .columns([
            AdmRuns::Id,
            AdmRuns::CampaignId,
            AdmRuns::Mechanism,
            AdmRuns::Applicants,
            AdmRuns::Admitted,
            AdmRuns::CreatedBy,
            AdmRuns::CreatedAt,
            AdmRuns::PublishedAt,
        ])
        .from(AdmRuns::Table)
        .to_owned()
}

/// The runs of a campaign, newest first.
pub async fn runs(conn: &mut Conn<'_>, campaign_id: i64) -> StoreResult<Vec<Run>> {
    conn.fetch_all(
        select_runs()
            .and_where(Expr::col(AdmRuns::CampaignId).eq(campaign_id))
            .order_by(AdmRuns::Id, Order::Desc),
    )
    .await
}

/// A run of the campaign (not found when it belongs to another campaign).
pub async fn run(conn: &mut Conn<'_>, campaign_id: i64, run_id: i64) -> StoreResult<Run> {
    conn.fetch_optional(
        select_runs()
            .and_where(Expr::col(AdmRuns::CampaignId).eq(campaign_id))
            .and_where(Expr::col(AdmRuns::Id).eq(run_id)),
    )
    .await?
    .ok_or(StoreError::not_found("lần chạy xét tuyển"))
}

/// The cut-offs of a run, by school name then choice.
pub async fn cut_offs(conn: &mut Conn<'_>, run_id: i64) -> StoreResult<Vec<CutOff>> {
    conn.fetch_all(
        Query::select()
            .column((AdmCutoffs::Table, AdmCutoffs::SchoolId))
            .expr_as(Expr::col((OrgUnits::Table, OrgUnits::Code)), "school_code")
            .expr_as(Expr::col((OrgUnits::Table, OrgUnits::Name)), "school_name")
            .column((AdmCutoffs::Table, AdmCutoffs::Choice))
            .column((AdmCutoffs::Table, AdmCutoffs::Seats))
            .column((AdmCutoffs::Table, AdmCutoffs::Admitted))
            .column((AdmCutoffs::Table, AdmCutoffs::CutOff))
            .from(AdmCutoffs::Table)
            .inner_join(
                OrgUnits::Table,
                Expr::col((OrgUnits::Table, OrgUnits::Id))
                    .equals((AdmCutoffs::Table, AdmCutoffs::SchoolId)),
            )
            .and_where(Expr::col((AdmCutoffs::Table, AdmCutoffs::RunId)).eq(run_id))
            .order_by((OrgUnits::Table, OrgUnits::Name), Order::Asc)
            .order_by((AdmCutoffs::Table, AdmCutoffs::Choice), Order::Asc),
    )
    .await
}

/// Which results of a run to list.
#[derive(Debug, Clone, Default, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ResultFilter {
    /// admitted | not_admitted | waiting | not_considered
    pub outcome: Option<String>,
    /// Only those admitted to this school.
    pub school_id: Option<i64>,
}

fn select_results(run_id: i64) -> sea_query::SelectStatement {
    Query::select()
        .column((AdmResults::Table, AdmResults::ApplicationId))
        .column((AdmApplications::Table, AdmApplications::TrackingCode))
        .column((AdmApplications::Table, AdmApplications::CandidateNumber))
        .column((AdmApplications::Table, AdmApplications::FullName))
        .column((AdmApplications::Table, AdmApplications::BirthDate))
        .column((AdmResults::Table, AdmResults::Outcome))
        .column((AdmResults::Table, AdmResults::SchoolId))
        .expr_as(Expr::col((OrgUnits::Table, OrgUnits::Name)), "school_name")
        .column((AdmResults::Table, AdmResults::Choice))
        .column((AdmResults::Table, AdmResults::Explanation))
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
        .to_owned()
}

/// A page of a run's results, by applicant name.
pub async fn results(
    conn: &mut Conn<'_>,
    run_id: i64,
    filter: &ResultFilter,
    page: &PageRequest,
) -> StoreResult<Page<RunResult>> {
    let mut q = select_results(run_id);
    if let Some(o) = filter.outcome.as_deref().filter(|o| !o.is_empty()) {
        q.and_where(Expr::col((AdmResults::Table, AdmResults::Outcome)).eq(o));
    }
    if let Some(s) = filter.school_id {
        q.and_where(Expr::col((AdmResults::Table, AdmResults::SchoolId)).eq(s));
    }
    let (total,): (i64,) = conn
        .fetch_one(
            Query::select()
                .expr(Expr::cust("COUNT(*)"))
                .from_subquery(q.clone(), "r"),
        )
        .await?;
    q.order_by(
        (AdmApplications::Table, AdmApplications::FullName),
        Order::Asc,
    )
    .order_by((AdmResults::Table, AdmResults::ApplicationId), Order::Asc)
    .limit(page.per_page())
    .offset(page.offset());
    Ok(Page {
        items: conn.fetch_all(&q).await?,
        total: total as u64,
        page: page.page(),
        per_page: page.per_page(),
    })
}

/// One application's result in a run, if the run has one for it.
pub async fn result_of(
    conn: &mut Conn<'_>,
    run_id: i64,
    application_id: i64,
) -> StoreResult<Option<RunResult>> {
    conn.fetch_optional(
        select_results(run_id).and_where(
            Expr::col((AdmResults::Table, AdmResults::ApplicationId)).eq(application_id),
        ),
    )
    .await
}

/// Publishes a run: its results become what applicants look up, and the campaign is published.
/// A later run may be published instead (a correction); the earlier one stays on record.
pub async fn publish(tx: &mut Tx, c: &Campaign, run_id: i64) -> StoreResult<Campaign> {
    let r = run(&mut tx.conn(), c.id, run_id).await?;
    if !matches!(c.status, CampaignStatus::Closed | CampaignStatus::Published) {
        return Err(StoreError::conflict(
            "status",
            "Chỉ công bố kết quả khi đợt tuyển sinh đã đóng nhận hồ sơ.",
        ));
    }
    let now = Utc::now();
    tx.conn()
        .execute(
            Query::update()
                .table(AdmRuns::Table)
                .value(AdmRuns::PublishedAt, now)
                .and_where(Expr::col(AdmRuns::Id).eq(r.id)),
        )
        .await?;
    tx.conn()
        .execute(
            Query::update()
                .table(AdmCampaigns::Table)
                .values([
                    (AdmCampaigns::PublishedRunId, r.id.into()),
                    (
                        AdmCampaigns::Status,
                        CampaignStatus::Published.code().into(),
                    ),
                    (AdmCampaigns::UpdatedAt, now.into()),
                ])
                .and_where(Expr::col(AdmCampaigns::Id).eq(c.id)),
        )
        .await?;
    campaign(&mut tx.conn(), c.id).await
}
