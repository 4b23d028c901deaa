//! Admission to grades 1, 6 and 10 in the database. Rules live in `domain::admission`; this
//! module stores what they work on and what they decide:
//!
//! - here: campaigns (đợt tuyển sinh) with their schools, seats, zones, documents and calendar,
//!   and the application records every other part reads;
//! - [`guardian`]: the public side — one-time codes, guardian sessions, the outbox, submitting
//!   and editing an application, its documents;
//! - [`review`]: the staff side — the verification queue, document review, requests for
//!   correction, priority groups, the import of grade-10 exam scores;
//! - [`runs`]: assignment runs (simulations and the published one), cut-offs and results;
//! - [`lookup`]: published results as served to the public lookup and its read-only snapshot.
//!
//! Every write takes a transaction and checks its whole input first: bad input is a typed error
//! naming the field, and nothing is half-written.

pub mod demo;
pub mod guardian;
pub mod lookup;
pub mod review;
pub mod runs;
pub mod seed;

use chrono::{DateTime, NaiveDate, Utc};
use sea_query::{Expr, ExprTrait, Order, Query};
use serde::{Deserialize, Serialize};
use truongso_domain::org::{OrgKind, SchoolLevel};
use truongso_domain::validation::Checker;

use crate::orgs::OrgUnit;
use crate::schema::{
    AdmApplications, AdmCampaignSchools, AdmCampaigns, AdmChoices, AdmDocuments, AdmZoneAreas,
    AdminUnits, OrgUnits,
};
use crate::scope::path_prefix;
use crate::{Conn, Scope, StoreError, StoreResult, Tx};

/// The phases of a campaign.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum CampaignStatus {
    /// Being prepared by the office: not visible to the public.
    Draft,
    /// Accepting applications between `opens_at` and `closes_at`.
    Open,
    /// No more applications; staff verify and simulate the assignment.
    Closed,
    /// Results are published and can be looked up.
    Published,
}

impl CampaignStatus {
    pub fn code(self) -> &'static str {
        match self {
            CampaignStatus::Draft => "draft",
            CampaignStatus::Open => "open",
            CampaignStatus::Closed => "closed",
            CampaignStatus::Published => "published",
        }
    }

    pub fn label_vi(self) -> &'static str {
        match self {
            CampaignStatus::Draft => "Đang chuẩn bị",
            CampaignStatus::Open => "Đang nhận hồ sơ",
            CampaignStatus::Closed => "Đã đóng nhận hồ sơ",
            CampaignStatus::Published => "Đã công bố kết quả",
        }
    }
}

impl TryFrom<String> for CampaignStatus {
    type Error = String;
    fn try_from(s: String) -> Result<Self, String> {
        match s.as_str() {
            "draft" => Ok(CampaignStatus::Draft),
            "open" => Ok(CampaignStatus::Open),
            "closed" => Ok(CampaignStatus::Closed),
            "published" => Ok(CampaignStatus::Published),
            _ => Err(format!("unknown campaign status '{s}'")),
        }
    }
}

/// A document applicants upload (birth certificate, residence confirmation, priority proof…).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct DocumentRequirement {
    /// Short code, e.g. "giay_khai_sinh".
    pub code: String,
    pub label: String,
    pub required: bool,
}

/// The JSON text of `required_documents` (a TEXT column on both backends: `sqlx(json)` would
/// expect a JSON column on PostgreSQL).
#[derive(sqlx::Type)]
#[sqlx(transparent)]
pub struct DocumentsText(String);

impl TryFrom<DocumentsText> for Vec<DocumentRequirement> {
    type Error = serde_json::Error;
    fn try_from(t: DocumentsText) -> Result<Self, Self::Error> {
        serde_json::from_str(&t.0)
    }
}

/// A campaign as stored.
#[derive(Debug, Clone, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct Campaign {
    pub id: i64,
    /// The office or department running it.
    pub owner_id: i64,
    pub school_year_id: i64,
    pub entry_grade: i32,
    pub name: String,
    #[sqlx(try_from = "String")]
    pub status: CampaignStatus,
    pub opens_at: DateTime<Utc>,
    pub closes_at: DateTime<Utc>,
    pub results_at: DateTime<Utc>,
    pub max_choices: i32,
    #[sqlx(try_from = "DocumentsText")]
    pub required_documents: Vec<DocumentRequirement>,
    pub published_run_id: Option<i64>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl Campaign {
    /// Whether a guardian may submit or edit an application at `now`.
    pub fn accepts_applications(&self, now: DateTime<Utc>) -> bool {
        self.status == CampaignStatus::Open && self.opens_at <= now && now < self.closes_at
    }

    /// Grade 10 assigns by exam score over ranked choices; grades 1 and 6 by zone and seats.
    pub fn by_exam(&self) -> bool {
        self.entry_grade == 10
    }

    /// The school level that admits this entry grade.
    pub fn level(&self) -> SchoolLevel {
        level_of_grade(self.entry_grade)
    }
}

fn level_of_grade(grade: i32) -> SchoolLevel {
    match grade {
        1 => SchoolLevel::Primary,
        6 => SchoolLevel::LowerSecondary,
        _ => SchoolLevel::UpperSecondary,
    }
}

const CAMPAIGN_COLUMNS: [AdmCampaigns; 15] = [
    AdmCampaigns::Id,
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
    AdmCampaigns::PublishedRunId,
    AdmCampaigns::CreatedAt,
    AdmCampaigns::UpdatedAt,
    AdmCampaigns::Id,
];

fn select_campaigns() -> sea_query::SelectStatement {
    Query::select()
        .columns(
            CAMPAIGN_COLUMNS[..14]
                .iter()
                .map(|c| (AdmCampaigns::Table, *c)),
        )
        .from(AdmCampaigns::Table)
        .to_owned()
}

/// A school of a campaign, with its seats and zone.
#[derive(Debug, Clone, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct CampaignSchool {
    /// The campaign-school row (zones hang off it).
    pub id: i64,
    pub school_id: i64,
    pub code: String,
    pub name: String,
    pub seats: i32,
    /// Grade 10 with zones: the zone code of the school.
    pub zone: Option<String>,
    /// Grades 1 and 6: the administrative units of the school's admission zone.
    #[sqlx(skip)]
    pub zone_areas: Vec<String>,
}

/// What an office fills in to create a campaign.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
pub struct NewCampaign {
    pub owner_id: i64,
    pub school_year_id: i64,
    pub entry_grade: i32,
    pub name: String,
    pub opens_at: DateTime<Utc>,
    pub closes_at: DateTime<Utc>,
    pub results_at: DateTime<Utc>,
    /// Grade 10: how many ranked choices (1–3); grades 1 and 6: always 1.
    pub max_choices: i32,
    pub required_documents: Vec<DocumentRequirement>,
    pub schools: Vec<NewCampaignSchool>,
}

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
pub struct NewCampaignSchool {
    pub school_id: i64,
    pub seats: i32,
    #[serde(default)]
    pub zone: Option<String>,
    /// Codes of the communes/wards of the school's admission zone (grades 1 and 6).
    #[serde(default)]
    pub zone_areas: Vec<String>,
}

/// Creates a campaign (as a draft) with its schools and zones, after checking all of it: the
/// owner is in scope and is an office or department, the schools lie under the owner and teach
/// the entry grade, seats are positive, zone areas are known administrative units, the calendar
/// is in order. Zones may come later; a grade-1/6 campaign opens only once every school has one.
pub async fn create_campaign(
    tx: &mut Tx,
    scope: &Scope,
    input: &NewCampaign,
) -> StoreResult<Campaign> {
    let owner = crate::orgs::get(&mut tx.conn(), scope, input.owner_id).await?;
    let schools = check_new_campaign(&mut tx.conn(), &owner, input).await?;
    let now = Utc::now();
    let documents = serde_json::to_string(&input.required_documents).expect("serialisable");
    let max_choices = if input.entry_grade == 10 {
        input.max_choices
    } else {
        1
    };
    tx.conn()
        .execute(
            Query::insert()
                .into_table(AdmCampaigns::Table)
                .columns(CAMPAIGN_COLUMNS[1..14].iter().copied())
                .values_panic([
                    input.owner_id.into(),
                    input.school_year_id.into(),
                    input.entry_grade.into(),
                    input.name.trim().into(),
                    CampaignStatus::Draft.code().into(),
                    input.opens_at.into(),
                    input.closes_at.into(),
                    input.results_at.into(),
                    max_choices.into(),
                    documents.into(),
                    Option::<i64>::None.into(),
                    now.into(),
                    now.into(),
                ]),
        )
        .await?;
    let (id,): (i64,) = tx
        .conn()
        .fetch_one(
            Query::select()
                .expr(Expr::col(AdmCampaigns::Id).max())
                .from(AdmCampaigns::Table),
        )
        .await?;
    for (school, unit) in input.schools.iter().zip(&schools) {
        add_school(tx, id, unit.id, school).await?;
    }
    campaign(&mut tx.conn(), id).await
}

async fn add_school(
    tx: &mut Tx,
    campaign_id: i64,
    school_id: i64,
    school: &NewCampaignSchool,
) -> StoreResult<()> {
    tx.conn()
        .execute(
            Query::insert()
                .into_table(AdmCampaignSchools::Table)
                .columns([
                    AdmCampaignSchools::CampaignId,
                    AdmCampaignSchools::SchoolId,
                    AdmCampaignSchools::Seats,
                    AdmCampaignSchools::Zone,
                ])
                .values_panic([
                    campaign_id.into(),
                    school_id.into(),
                    school.seats.into(),
                    school.zone.clone().filter(|z| !z.trim().is_empty()).into(),
                ]),
        )
        .await?;
    let (row_id,): (i64,) = tx
        .conn()
        .fetch_one(
            Query::select()
                .column(AdmCampaignSchools::Id)
                .from(AdmCampaignSchools::Table)
                .and_where(Expr::col(AdmCampaignSchools::CampaignId).eq(campaign_id))
                .and_where(Expr::col(AdmCampaignSchools::SchoolId).eq(school_id)),
        )
        .await?;
    let mut areas: Vec<&str> = school.zone_areas.iter().map(|a| a.trim()).collect();
    areas.sort_unstable();
    areas.dedup();
    if areas.is_empty() {
        return Ok(());
    }
    let mut insert = Query::insert()
        .into_table(AdmZoneAreas::Table)
        .columns([AdmZoneAreas::CampaignSchoolId, AdmZoneAreas::AdminUnitCode])
        .to_owned();
    for area in areas {
        insert.values_panic([row_id.into(), area.into()]);
    }
    tx.conn().execute(&insert).await?;
    Ok(())
}

/// Checks a new campaign and returns its schools' units in input order.
async fn check_new_campaign(
    conn: &mut Conn<'_>,
    owner: &OrgUnit,
    input: &NewCampaign,
) -> StoreResult<Vec<OrgUnit>> {
    let mut c = Checker::new();
    if !matches!(
        owner.kind,
        OrgKind::Department | OrgKind::LocalOffice | OrgKind::Ministry
    ) {
        c.push(
            "owner_id",
            "Đợt tuyển sinh do phòng hoặc sở giáo dục tổ chức.",
        );
    }
    if ![1, 6, 10].contains(&input.entry_grade) {
        c.push(
            "entry_grade",
            "Tuyển sinh đầu cấp chỉ có lớp 1, lớp 6 và lớp 10.",
        );
    }
    c.required_text("name", &input.name, 200);
    if input.opens_at >= input.closes_at {
        c.push("closes_at", "Hạn nộp hồ sơ phải sau ngày mở nhận hồ sơ.");
    }
    if input.closes_at > input.results_at {
        c.push("results_at", "Ngày công bố kết quả phải sau hạn nộp hồ sơ.");
    }
    if input.entry_grade == 10 && !(1..=3).contains(&input.max_choices) {
        c.push("max_choices", "Số nguyện vọng phải từ 1 đến 3.");
    }
    for (i, d) in input.required_documents.iter().enumerate() {
        let ok_code = !d.code.is_empty()
            && d.code.len() <= 40
            && d.code
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
        if !ok_code {
            c.push(
                &format!("required_documents[{i}].code"),
                "Mã giấy tờ chỉ gồm chữ thường không dấu, chữ số và dấu gạch dưới.",
            );
        }
        c.required_text(&format!("required_documents[{i}].label"), &d.label, 200);
    }
    if input.schools.is_empty() {
        c.push("schools", "Đợt tuyển sinh cần ít nhất một trường.");
    }
    let owner_scope = owner.scope();
    let level = level_of_grade(input.entry_grade);
    let mut units = Vec::with_capacity(input.schools.len());
    let mut seen = std::collections::HashSet::new();
    for (i, s) in input.schools.iter().enumerate() {
        let field = |f: &str| format!("schools[{i}].{f}");
        if !seen.insert(s.school_id) {
            c.push(
                &field("school_id"),
                "Trường bị lặp lại trong đợt tuyển sinh.",
            );
        }
        if !(1..=5000).contains(&s.seats) {
            c.push(&field("seats"), "Chỉ tiêu phải từ 1 đến 5000.");
        }
        match crate::orgs::get(conn, &owner_scope, s.school_id).await {
            Ok(unit) if unit.kind == OrgKind::School && unit.levels.0.contains(&level) => {
                units.push(unit)
            }
            Ok(unit) => {
                c.push(
                    &field("school_id"),
                    format!("{} không dạy lớp {}.", unit.name, input.entry_grade),
                );
            }
            Err(StoreError::NotFound { .. }) => c.push(
                &field("school_id"),
                "Trường không thuộc đơn vị tổ chức tuyển sinh.",
            ),
            Err(e) => return Err(e),
        }
        for (j, area) in s.zone_areas.iter().enumerate() {
            if !admin_unit_exists(conn, area.trim()).await? {
                c.push(
                    &format!("schools[{i}].zone_areas[{j}]"),
                    format!("Không có đơn vị hành chính mã '{area}'."),
                );
            }
        }
    }
    c.finish()?;
    Ok(units)
}

async fn admin_unit_exists(conn: &mut Conn<'_>, code: &str) -> StoreResult<bool> {
    let found: Option<(i64,)> = conn
        .fetch_optional(
            Query::select()
                .column(AdminUnits::Id)
                .from(AdminUnits::Table)
                .and_where(Expr::col(AdminUnits::Code).eq(code))
                .limit(1),
        )
        .await?;
    Ok(found.is_some())
}

/// A campaign by id, with no scope (public pages show open and published campaigns; staff
/// routes check their reach with [`campaign_in_scope`]).
pub async fn campaign(conn: &mut Conn<'_>, id: i64) -> StoreResult<Campaign> {
    conn.fetch_optional(
        select_campaigns().and_where(Expr::col((AdmCampaigns::Table, AdmCampaigns::Id)).eq(id)),
    )
    .await?
    .ok_or(StoreError::not_found("đợt tuyển sinh"))
}

/// A campaign the actor may manage or review: run by a unit in their scope, or taking in a
/// school in their scope. Anything else is not found.
pub async fn campaign_in_scope(
    conn: &mut Conn<'_>,
    scope: &Scope,
    id: i64,
) -> StoreResult<Campaign> {
    let Some(mut q) = in_reach(scope) else {
        return Err(StoreError::not_found("đợt tuyển sinh"));
    };
    q.and_where(Expr::col((AdmCampaigns::Table, AdmCampaigns::Id)).eq(id));
    conn.fetch_optional(&q)
        .await?
        .ok_or(StoreError::not_found("đợt tuyển sinh"))
}

/// Whether the actor's scope contains the unit that runs the campaign (manages it, not only
/// reviews its own school's applications).
pub async fn manages(conn: &mut Conn<'_>, scope: &Scope, c: &Campaign) -> StoreResult<bool> {
    match crate::orgs::get(conn, scope, c.owner_id).await {
        Ok(_) => Ok(true),
        Err(StoreError::NotFound { .. }) => Ok(false),
        Err(e) => Err(e),
    }
}

/// The campaigns in the actor's reach (run by a unit in it, or taking in one of its schools),
/// newest first.
pub async fn campaigns(conn: &mut Conn<'_>, scope: &Scope) -> StoreResult<Vec<Campaign>> {
    let Some(mut q) = in_reach(scope) else {
        return Ok(Vec::new());
    };
    q.order_by((AdmCampaigns::Table, AdmCampaigns::Id), Order::Desc);
    conn.fetch_all(&q).await
}

/// `SELECT` of the campaigns in the actor's reach; `None` when the scope reaches no unit.
fn in_reach(scope: &Scope) -> Option<sea_query::SelectStatement> {
    let mut q = select_campaigns();
    if let Some(prefix) = scope_path(scope) {
        let owned = Expr::col((AdmCampaigns::Table, AdmCampaigns::OwnerId)).in_subquery(
            Query::select()
                .column(OrgUnits::Id)
                .from(OrgUnits::Table)
                .and_where(path_prefix(&prefix))
                .to_owned(),
        );
        let schools_in = Expr::col((AdmCampaigns::Table, AdmCampaigns::Id)).in_subquery(
            Query::select()
                .column((AdmCampaignSchools::Table, AdmCampaignSchools::CampaignId))
                .from(AdmCampaignSchools::Table)
                .inner_join(
                    OrgUnits::Table,
                    Expr::col((OrgUnits::Table, OrgUnits::Id))
                        .equals((AdmCampaignSchools::Table, AdmCampaignSchools::SchoolId)),
                )
                .and_where(path_prefix(&prefix))
                .to_owned(),
        );
        q.and_where(owned.or(schools_in));
    } else if !matches!(scope, Scope::All) {
        return None;
    }
    Some(q)
}

/// The org path a staff scope reaches; `None` for everything or nothing.
fn scope_path(scope: &Scope) -> Option<String> {
    match scope {
        Scope::Subtree { path, .. } | Scope::Classes { path, .. } => Some(path.clone()),
        Scope::All | Scope::Learners { .. } => None,
    }
}

/// Campaigns the public sees: open for applications, or with published results; newest first.
pub async fn public_campaigns(conn: &mut Conn<'_>) -> StoreResult<Vec<Campaign>> {
    conn.fetch_all(
        select_campaigns()
            .and_where(
                Expr::col((AdmCampaigns::Table, AdmCampaigns::Status)).is_in([
                    CampaignStatus::Open.code(),
                    CampaignStatus::Closed.code(),
                    CampaignStatus::Published.code(),
                ]),
            )
            .order_by((AdmCampaigns::Table, AdmCampaigns::Id), Order::Desc),
    )
    .await
}

/// The schools of a campaign with their seats and zones, by name.
pub async fn campaign_schools(
    conn: &mut Conn<'_>,
    campaign_id: i64,
) -> StoreResult<Vec<CampaignSchool>> {
    let mut schools: Vec<CampaignSchool> = conn
        .fetch_all(
            Query::select()
                .column((AdmCampaignSchools::Table, AdmCampaignSchools::Id))
                .column((AdmCampaignSchools::Table, AdmCampaignSchools::SchoolId))
                .column((OrgUnits::Table, OrgUnits::Code))
                .column((OrgUnits::Table, OrgUnits::Name))
                .column((AdmCampaignSchools::Table, AdmCampaignSchools::Seats))
                .column((AdmCampaignSchools::Table, AdmCampaignSchools::Zone))
                .from(AdmCampaignSchools::Table)
                .inner_join(
                    OrgUnits::Table,
                    Expr::col((OrgUnits::Table, OrgUnits::Id))
                        .equals((AdmCampaignSchools::Table, AdmCampaignSchools::SchoolId)),
                )
                .and_where(
                    Expr::col((AdmCampaignSchools::Table, AdmCampaignSchools::CampaignId))
                        .eq(campaign_id),
                )
                .order_by((OrgUnits::Table, OrgUnits::Name), Order::Asc),
        )
        .await?;
    let areas: Vec<(i64, String)> = conn
        .fetch_all(
            Query::select()
                .column((AdmZoneAreas::Table, AdmZoneAreas::CampaignSchoolId))
                .column((AdmZoneAreas::Table, AdmZoneAreas::AdminUnitCode))
                .from(AdmZoneAreas::Table)
                .inner_join(
                    AdmCampaignSchools::Table,
                    Expr::col((AdmCampaignSchools::Table, AdmCampaignSchools::Id))
                        .equals((AdmZoneAreas::Table, AdmZoneAreas::CampaignSchoolId)),
                )
                .and_where(
                    Expr::col((AdmCampaignSchools::Table, AdmCampaignSchools::CampaignId))
                        .eq(campaign_id),
                )
                .order_by(
                    (AdmZoneAreas::Table, AdmZoneAreas::AdminUnitCode),
                    Order::Asc,
                ),
        )
        .await?;
    for (row, code) in areas {
        if let Some(s) = schools.iter_mut().find(|s| s.id == row) {
            s.zone_areas.push(code);
        }
    }
    Ok(schools)
}

/// Moves a campaign to another phase: draft → open → closed (→ published by [`runs::publish`]);
/// an office may reopen a closed campaign (a deadline extended).
pub async fn set_status(tx: &mut Tx, c: &Campaign, to: CampaignStatus) -> StoreResult<Campaign> {
    use CampaignStatus::*;
    let allowed = matches!(
        (c.status, to),
        (Draft, Open) | (Open, Closed) | (Closed, Open) | (Open, Draft)
    );
    if to == Open && c.entry_grade != 10 {
        // Grades 1 and 6 admit by zone: a school without one could not be assigned fairly.
        let schools = campaign_schools(&mut tx.conn(), c.id).await?;
        if let Some(s) = schools.iter().find(|s| s.zone_areas.is_empty()) {
            return Err(StoreError::conflict(
                "zone_areas",
                format!(
                    "{} chưa có tuyến tuyển sinh (xã, phường): chưa mở nhận hồ sơ được.",
                    s.name
                ),
            ));
        }
    }
    if !allowed {
        return Err(StoreError::conflict(
            "status",
            format!(
                "Không chuyển được đợt tuyển sinh từ \"{}\" sang \"{}\".",
                c.status.label_vi(),
                to.label_vi()
            ),
        ));
    }
    tx.conn()
        .execute(
            Query::update()
                .table(AdmCampaigns::Table)
                .values([
                    (AdmCampaigns::Status, to.code().into()),
                    (AdmCampaigns::UpdatedAt, Utc::now().into()),
                ])
                .and_where(Expr::col(AdmCampaigns::Id).eq(c.id)),
        )
        .await?;
    campaign(&mut tx.conn(), c.id).await
}

/// The phases of an application.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ApplicationStatus {
    /// Sent by the guardian, waiting for staff.
    Submitted,
    /// Staff asked the guardian to correct something (see the staff note).
    NeedsCorrection,
    /// Checked by staff: takes part in the assignment.
    Verified,
    /// Refused by staff (not eligible), with the reason in the staff note.
    Rejected,
    /// Withdrawn by the guardian.
    Withdrawn,
}

impl ApplicationStatus {
    pub fn code(self) -> &'static str {
        match self {
            ApplicationStatus::Submitted => "submitted",
            ApplicationStatus::NeedsCorrection => "needs_correction",
            ApplicationStatus::Verified => "verified",
            ApplicationStatus::Rejected => "rejected",
            ApplicationStatus::Withdrawn => "withdrawn",
        }
    }

    pub fn label_vi(self) -> &'static str {
        match self {
            ApplicationStatus::Submitted => "Đã nộp, chờ xác minh",
            ApplicationStatus::NeedsCorrection => "Cần bổ sung, sửa hồ sơ",
            ApplicationStatus::Verified => "Đã xác minh",
            ApplicationStatus::Rejected => "Không đủ điều kiện",
            ApplicationStatus::Withdrawn => "Đã rút hồ sơ",
        }
    }

    /// Whether the guardian may still change the application (before the deadline).
    pub fn guardian_editable(self) -> bool {
        matches!(
            self,
            ApplicationStatus::Submitted | ApplicationStatus::NeedsCorrection
        )
    }
}

impl TryFrom<String> for ApplicationStatus {
    type Error = String;
    fn try_from(s: String) -> Result<Self, String> {
        match s.as_str() {
            "submitted" => Ok(ApplicationStatus::Submitted),
            "needs_correction" => Ok(ApplicationStatus::NeedsCorrection),
            "verified" => Ok(ApplicationStatus::Verified),
            "rejected" => Ok(ApplicationStatus::Rejected),
            "withdrawn" => Ok(ApplicationStatus::Withdrawn),
            _ => Err(format!("unknown application status '{s}'")),
        }
    }
}

/// An application as stored (personal data: every staff read of one is audited).
#[derive(Debug, Clone, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct Application {
    pub id: i64,
    pub campaign_id: i64,
    pub tracking_code: String,
    pub candidate_number: Option<String>,
    pub national_id: String,
    pub birth_date: NaiveDate,
    pub full_name: String,
    pub gender: String,
    pub learner_id: Option<i64>,
    pub residence_code: String,
    pub address: Option<String>,
    pub current_school: Option<String>,
    pub guardian_name: String,
    pub contact_channel: String,
    pub contact_address: String,
    pub priority_group: Option<i32>,
    #[sqlx(try_from = "String")]
    pub status: ApplicationStatus,
    pub staff_note: Option<String>,
    pub reviewed_by: Option<String>,
    pub reviewed_at: Option<DateTime<Utc>>,
    /// Grade-10 exam papers in hundredths (40.5 is 4050).
    pub score_math: Option<i32>,
    pub score_literature: Option<i32>,
    pub score_language: Option<i32>,
    pub submitted_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

pub const APPLICATION_COLUMNS: [AdmApplications; 26] = [
    AdmApplications::Id,
    AdmApplications::CampaignId,
    AdmApplications::TrackingCode,
    AdmApplications::CandidateNumber,
    AdmApplications::NationalId,
    AdmApplications::BirthDate,
    AdmApplications::FullName,
    AdmApplications::Gender,
    AdmApplications::LearnerId,
    AdmApplications::ResidenceCode,
    AdmApplications::Address,
    AdmApplications::CurrentSchool,
    AdmApplications::GuardianName,
    AdmApplications::ContactChannel,
    AdmApplications::ContactAddress,
    AdmApplications::PriorityGroup,
    AdmApplications::Status,
    AdmApplications::StaffNote,
    AdmApplications::ReviewedBy,
    AdmApplications::ReviewedAt,
    AdmApplications::ScoreMath,
    AdmApplications::ScoreLiterature,
    AdmApplications::ScoreLanguage,
    AdmApplications::SubmittedAt,
    AdmApplications::UpdatedAt,
    AdmApplications::Id,
];

/// `SELECT <every application column> FROM adm_applications` to add conditions to.
pub fn select_applications() -> sea_query::SelectStatement {
    Query::select()
        .columns(
            APPLICATION_COLUMNS[..25]
                .iter()
                .map(|c| (AdmApplications::Table, *c)),
        )
        .from(AdmApplications::Table)
        .to_owned()
}

/// An application's ranked choice.
#[derive(Debug, Clone, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct Choice {
    pub rank: i32,
    pub school_id: i64,
    pub school_code: String,
    pub school_name: String,
}

/// The choices of an application, NV1 first.
pub async fn choices(conn: &mut Conn<'_>, application_id: i64) -> StoreResult<Vec<Choice>> {
    conn.fetch_all(
        Query::select()
            .column((AdmChoices::Table, AdmChoices::Rank))
            .column((AdmChoices::Table, AdmChoices::SchoolId))
            .expr_as(Expr::col((OrgUnits::Table, OrgUnits::Code)), "school_code")
            .expr_as(Expr::col((OrgUnits::Table, OrgUnits::Name)), "school_name")
            .from(AdmChoices::Table)
            .inner_join(
                OrgUnits::Table,
                Expr::col((OrgUnits::Table, OrgUnits::Id))
                    .equals((AdmChoices::Table, AdmChoices::SchoolId)),
            )
            .and_where(Expr::col((AdmChoices::Table, AdmChoices::ApplicationId)).eq(application_id))
            .order_by((AdmChoices::Table, AdmChoices::Rank), Order::Asc),
    )
    .await
}

/// A document of an application (without its bytes).
#[derive(Debug, Clone, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct Document {
    pub id: i64,
    pub application_id: i64,
    /// The campaign's document code.
    pub kind: String,
    pub file_name: String,
    pub content_type: String,
    pub size: i64,
    /// pending | accepted | rejected (staff review)
    pub status: String,
    pub note: Option<String>,
    pub uploaded_at: DateTime<Utc>,
}

pub(crate) const DOCUMENT_COLUMNS: [AdmDocuments; 9] = [
    AdmDocuments::Id,
    AdmDocuments::ApplicationId,
    AdmDocuments::Kind,
    AdmDocuments::FileName,
    AdmDocuments::ContentType,
    AdmDocuments::Size,
    AdmDocuments::Status,
    AdmDocuments::Note,
    AdmDocuments::UploadedAt,
];

/// The documents of an application, by kind (the caller has checked the reach: the guardian's
/// own application, or one in the staff member's reach).
pub async fn documents(conn: &mut Conn<'_>, application_id: i64) -> StoreResult<Vec<Document>> {
    conn.fetch_all(
        Query::select()
            .columns(DOCUMENT_COLUMNS)
            .from(AdmDocuments::Table)
            .and_where(Expr::col(AdmDocuments::ApplicationId).eq(application_id))
            .order_by(AdmDocuments::Kind, Order::Asc),
    )
    .await
}
