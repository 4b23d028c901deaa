//! The demo province's admission campaigns for the next school year, one in each phase so every
//! step can be tried: grade 1 open for applications, grade 6 closed with applications to verify
//! and assign, grade 10 with its results published. The calendar is set relative to today (the
//! demo is not tied to May–July); applicants for grades 6 and 10 are the learners now in grades 5
//! and 9, so their IDs and dates of birth match the sector database, as they would.

use std::collections::HashMap;

use chrono::{Duration, NaiveDate, TimeZone, Utc};
use rand::RngExt;
use sea_query::{Expr, ExprTrait, Order, Query, Value};
use truongso_demo::admission::{applicant_rng, mobile, new_child};
use truongso_demo::applicants::grade10_applicant;
use truongso_domain::admission::{AdmissionSettings, nth_tracking_code};

/// Where the demo campaigns' walk over tracking codes starts.
const DEMO_CODE_SALT: u64 = 0x5eed_c0de;
use truongso_domain::codes::Gender;
use truongso_domain::national_id;
use truongso_domain::org::OrgKind;

use super::{
    ApplicationStatus, CampaignStatus, DocumentRequirement, NewCampaign, NewCampaignSchool,
    create_campaign, runs, set_status,
};
use crate::schema::{
    AdmApplications, AdmChoices, Classes, Enrolments, Guardians, Learners, OrgUnits,
};
use crate::seed::bulk_insert;
use crate::{Scope, Store, StoreResult, Tx};

/// One application as the demo (or a benchmark seed) writes it.
pub struct SeedApplication {
    pub national_id: String,
    pub birth_date: NaiveDate,
    pub full_name: String,
    pub gender: Gender,
    pub learner_id: Option<i64>,
    pub residence_code: String,
    pub current_school: Option<String>,
    pub guardian_name: String,
    pub phone: String,
    pub priority_group: Option<i32>,
    pub status: ApplicationStatus,
    pub staff_note: Option<String>,
    pub candidate_number: Option<String>,
    /// Mathematics, literature, foreign language in hundredths (`None`: absent or no exam).
    pub scores: [Option<i32>; 3],
    /// School ids, NV1 first.
    pub choices: Vec<i64>,
}

/// What the demo created.
#[derive(Debug, Default)]
pub struct DemoAdmission {
    pub campaigns: Vec<i64>,
    pub applications: u64,
}

#[derive(sqlx::FromRow, Clone)]
struct SchoolRow {
    id: i64,
    ward_code: Option<String>,
}

#[derive(sqlx::FromRow)]
struct LearnerRow {
    id: i64,
    national_id: Option<String>,
    full_name: String,
    birth_date: NaiveDate,
    gender: String,
    ward_code: Option<String>,
    school_code: String,
    guardian_name: Option<String>,
    guardian_phone: Option<String>,
}

/// Seeds the three campaigns under the first department and its largest office.
pub async fn seed_demo(
    store: &Store,
    seed: u64,
    today: NaiveDate,
    settings: &AdmissionSettings,
) -> StoreResult<DemoAdmission> {
    let mut out = DemoAdmission::default();
    let mut tx = store.begin().await?;
    let Some(department) = first_unit(&mut tx, OrgKind::Department).await? else {
        return Ok(out);
    };
    let office6 = unit_with_most(&mut tx, &department, "thcs").await?;
    let office1 = unit_with_most(&mut tx, &department, "th").await?;
    let current = crate::years::current(&mut tx.conn()).await?;
    let Some(current) = current else {
        return Ok(out);
    };
    let next = crate::years::ensure(&mut tx, current.start_year + 1, false).await?;
    let at = |days: i64| {
        Utc.from_utc_datetime(
            &(today + Duration::days(days))
                .and_hms_opt(17, 0, 0)
                .expect("valid time"),
        )
    };

    let upper = schools(&mut tx, &department.1, "thpt").await?;
    let lower = schools(&mut tx, &office6.1, "thcs").await?;
    let feeders = schools(&mut tx, &office6.1, "th").await?;
    let primary = schools(&mut tx, &office1.1, "th").await?;
    if upper.is_empty() || lower.is_empty() || primary.is_empty() {
        return Ok(out);
    }

    // Grade 10: the department's upper-secondary schools; results published.
    let grade9 = learners_in_grade(&mut tx, &department.1, current.id, 9).await?;
    let seats_each = ((grade9.len() as f64 * 0.75) / upper.len().max(1) as f64).ceil() as i32;
    let c10 = create_campaign(
        &mut tx,
        &Scope::All,
        &NewCampaign {
            owner_id: department.0,
            school_year_id: next.id,
            entry_grade: 10,
            name: format!("Tuyển sinh lớp 10 năm học {}", next.code),
            opens_at: at(-60),
            closes_at: at(-45),
            results_at: at(-30),
            max_choices: 3,
            required_documents: vec![
                doc("hoc_ba_thcs", "Học bạ THCS (bản chụp)", true),
                doc(
                    "giay_uu_tien",
                    "Giấy xác nhận đối tượng ưu tiên (nếu có)",
                    false,
                ),
            ],
            schools: upper
                .iter()
                .map(|s| NewCampaignSchool {
                    school_id: s.id,
                    seats: seats_each.clamp(1, 5000),
                    zone: None,
                    zone_areas: vec![],
                })
                .collect(),
        },
    )
    .await?;
    let apps = grade10_applicants(seed, next.start_year, &grade9, &upper);
    out.applications += insert_applications(&mut tx, c10.id, &apps).await?;
    let c10 = set_status(&mut tx, &c10, CampaignStatus::Open).await?;
    let c10 = set_status(&mut tx, &c10, CampaignStatus::Closed).await?;
    let run = runs::simulate(&mut tx, &c10, settings, "demo").await?;
    runs::publish(&mut tx, &c10, run.id).await?;
    out.campaigns.push(c10.id);

    // Grade 6: the office's lower-secondary schools; closed, applications partly verified.
    // The office's own grade-5 pupils; in a small demo province, where lower-secondary schools
    // and primary schools sit under different offices, the whole department's.
    let mut grade5 = learners_in_grade(&mut tx, &office6.1, current.id, 5).await?;
    let mut feeders = feeders;
    if grade5.len() < 50 {
        grade5 = learners_in_grade(&mut tx, &department.1, current.id, 5).await?;
        feeders = schools(&mut tx, &department.1, "th").await?;
    }
    let zones6 = zones(&lower, &feeders);
    let c6 = create_campaign(
        &mut tx,
        &Scope::All,
        &zone_campaign(
            &office6,
            next.id,
            6,
            &next.code,
            &lower,
            &zones6,
            grade5.len(),
            (at(-20), at(-1), at(14)),
        ),
    )
    .await?;
    let apps = grade6_applicants(seed, &grade5, &lower, &zones6);
    out.applications += insert_applications(&mut tx, c6.id, &apps).await?;
    let c6 = set_status(&mut tx, &c6, CampaignStatus::Open).await?;
    set_status(&mut tx, &c6, CampaignStatus::Closed).await?;
    out.campaigns.push(c6.id);

    // Grade 1: the office's primary schools; open now, some applications already in.
    let zones1 = zones(&primary, &primary);
    // About as many six-year-olds as there are pupils in a primary grade of these schools.
    let expected = learners_in_grade(&mut tx, &office1.1, current.id, 1)
        .await?
        .len()
        .max(20);
    let c1 = create_campaign(
        &mut tx,
        &Scope::All,
        &zone_campaign(
            &office1,
            next.id,
            1,
            &next.code,
            &primary,
            &zones1,
            expected,
            (at(-7), at(30), at(45)),
        ),
    )
    .await?;
    let apps = grade1_applicants(seed, next.start_year, expected / 2, &primary, &zones1);
    out.applications += insert_applications(&mut tx, c1.id, &apps).await?;
    set_status(&mut tx, &c1, CampaignStatus::Open).await?;
    out.campaigns.push(c1.id);
    tx.commit().await?;
    Ok(out)
}

fn doc(code: &str, label: &str, required: bool) -> DocumentRequirement {
    DocumentRequirement {
        code: code.into(),
        label: label.into(),
        required,
    }
}

type Window = (
    chrono::DateTime<Utc>,
    chrono::DateTime<Utc>,
    chrono::DateTime<Utc>,
);

#[allow(clippy::too_many_arguments)]
fn zone_campaign(
    owner: &(i64, String),
    school_year_id: i64,
    grade: i32,
    year_code: &str,
    schools: &[SchoolRow],
    zones: &HashMap<i64, Vec<String>>,
    children: usize,
    (opens_at, closes_at, results_at): Window,
) -> NewCampaign {
    let seats = ((children as f64 * 1.1) / schools.len().max(1) as f64).ceil() as i32;
    NewCampaign {
        owner_id: owner.0,
        school_year_id,
        entry_grade: grade,
        name: format!("Tuyển sinh lớp {grade} năm học {year_code}"),
        opens_at,
        closes_at,
        results_at,
        max_choices: 1,
        required_documents: vec![
            doc("giay_khai_sinh", "Giấy khai sinh (bản chụp)", true),
            doc("xac_nhan_cu_tru", "Xác nhận thông tin cư trú", true),
            doc("giay_uu_tien", "Giấy tờ ưu tiên (nếu có)", false),
        ],
        schools: schools
            .iter()
            .map(|s| NewCampaignSchool {
                school_id: s.id,
                seats: seats.clamp(1, 5000),
                zone: None,
                zone_areas: zones.get(&s.id).cloned().unwrap_or_default(),
            })
            .collect(),
    }
}

/// Each admitting school's zone: its own ward, plus the wards of the feeder schools nearest in
/// the list (feeders are dealt round-robin so every ward belongs to some zone).
fn zones(admitting: &[SchoolRow], feeders: &[SchoolRow]) -> HashMap<i64, Vec<String>> {
    let mut zones: HashMap<i64, Vec<String>> = HashMap::new();
    for s in admitting {
        if let Some(w) = &s.ward_code {
            zones.entry(s.id).or_default().push(w.clone());
        }
    }
    for (i, f) in feeders.iter().enumerate() {
        if let (Some(w), Some(s)) = (&f.ward_code, admitting.get(i % admitting.len().max(1))) {
            let zone = zones.entry(s.id).or_default();
            if !zone.contains(w) {
                zone.push(w.clone());
            }
        }
    }
    zones
}

async fn first_unit(tx: &mut Tx, kind: OrgKind) -> StoreResult<Option<(i64, String)>> {
    tx.conn()
        .fetch_optional(
            Query::select()
                .columns([OrgUnits::Id, OrgUnits::Path])
                .from(OrgUnits::Table)
                .and_where(Expr::col(OrgUnits::Kind).eq(kind.code()))
                .order_by(OrgUnits::Id, Order::Asc)
                .limit(1),
        )
        .await
}

/// The office under `department` with the most schools of `level` (the department itself when
/// no office has any: small demo provinces).
async fn unit_with_most(
    tx: &mut Tx,
    department: &(i64, String),
    level: &str,
) -> StoreResult<(i64, String)> {
    let offices: Vec<(i64, String)> = tx
        .conn()
        .fetch_all(
            Query::select()
                .columns([OrgUnits::Id, OrgUnits::Path])
                .from(OrgUnits::Table)
                .and_where(Expr::col(OrgUnits::Kind).eq(OrgKind::LocalOffice.code()))
                .and_where(crate::scope::path_prefix(&department.1))
                .order_by(OrgUnits::Id, Order::Asc),
        )
        .await?;
    let mut best = (department.clone(), 0);
    for office in offices {
        let n = schools(tx, &office.1, level).await?.len();
        if n > best.1 {
            best = (office, n);
        }
    }
    Ok(best.0)
}

async fn schools(tx: &mut Tx, under: &str, level: &str) -> StoreResult<Vec<SchoolRow>> {
    let rows: Vec<(i64, Option<String>, String)> = tx
        .conn()
        .fetch_all(
            Query::select()
                .columns([OrgUnits::Id, OrgUnits::WardCode, OrgUnits::Levels])
                .from(OrgUnits::Table)
                .and_where(Expr::col(OrgUnits::Kind).eq(OrgKind::School.code()))
                .and_where(crate::scope::path_prefix(under))
                .order_by(OrgUnits::Id, Order::Asc),
        )
        .await?;
    Ok(rows
        .into_iter()
        .filter(|(_, _, levels)| levels.split(',').any(|l| l.trim() == level))
        .map(|(id, ward_code, _)| SchoolRow { id, ward_code })
        .collect())
}

/// The learners studying in `grade` this year under `under`, with their first guardian.
async fn learners_in_grade(
    tx: &mut Tx,
    under: &str,
    year_id: i64,
    grade: i32,
) -> StoreResult<Vec<LearnerRow>> {
    tx.conn()
        .fetch_all(
            Query::select()
                .column((Learners::Table, Learners::Id))
                .column((Learners::Table, Learners::NationalId))
                .column((Learners::Table, Learners::FullName))
                .column((Learners::Table, Learners::BirthDate))
                .column((Learners::Table, Learners::Gender))
                .column((Learners::Table, Learners::WardCode))
                .expr_as(Expr::col((OrgUnits::Table, OrgUnits::Code)), "school_code")
                .expr_as(
                    Expr::col((Guardians::Table, Guardians::FullName)),
                    "guardian_name",
                )
                .expr_as(
                    Expr::col((Guardians::Table, Guardians::Phone)),
                    "guardian_phone",
                )
                .from(Enrolments::Table)
                .inner_join(
                    Learners::Table,
                    Expr::col((Learners::Table, Learners::Id))
                        .equals((Enrolments::Table, Enrolments::LearnerId)),
                )
                .inner_join(
                    Classes::Table,
                    Expr::col((Classes::Table, Classes::Id))
                        .equals((Enrolments::Table, Enrolments::ClassId)),
                )
                .inner_join(
                    OrgUnits::Table,
                    Expr::col((OrgUnits::Table, OrgUnits::Id))
                        .equals((Enrolments::Table, Enrolments::SchoolId)),
                )
                .left_join(
                    Guardians::Table,
                    Expr::col((Guardians::Table, Guardians::LearnerId))
                        .equals((Learners::Table, Learners::Id))
                        .and(Expr::col((Guardians::Table, Guardians::Position)).eq(1)),
                )
                .and_where(Expr::col((Enrolments::Table, Enrolments::SchoolYearId)).eq(year_id))
                .and_where(Expr::col((Enrolments::Table, Enrolments::Status)).eq("studying"))
                .and_where(Expr::col((Classes::Table, Classes::Grade)).eq(grade))
                .and_where(crate::scope::path_prefix(under))
                .order_by((Learners::Table, Learners::Id), Order::Asc),
        )
        .await
}

fn gender_of(code: &str) -> Gender {
    if code == "F" {
        Gender::Female
    } else {
        Gender::Male
    }
}

/// A learner's application: their own record's ID, name, date of birth and ward.
fn from_learner(
    l: &LearnerRow,
    rng: &mut truongso_demo::admission::ApplicantRng,
    fallback_ward: &str,
) -> Option<SeedApplication> {
    let national_id = l
        .national_id
        .clone()
        .filter(|id| national_id::normalize(id).is_some())?;
    Some(SeedApplication {
        national_id,
        birth_date: l.birth_date,
        full_name: l.full_name.clone(),
        gender: gender_of(&l.gender),
        learner_id: Some(l.id),
        residence_code: l
            .ward_code
            .clone()
            .unwrap_or_else(|| fallback_ward.to_string()),
        current_school: Some(l.school_code.clone()),
        guardian_name: l
            .guardian_name
            .clone()
            .unwrap_or_else(|| format!("Phụ huynh em {}", l.full_name)),
        phone: l.guardian_phone.clone().unwrap_or_else(|| mobile(rng)),
        priority_group: None,
        status: ApplicationStatus::Verified,
        staff_note: None,
        candidate_number: None,
        scores: [None; 3],
        choices: vec![],
    })
}

fn grade10_applicants(
    seed: u64,
    school_year_start: i32,
    learners: &[LearnerRow],
    schools: &[SchoolRow],
) -> Vec<SeedApplication> {
    let mut out = Vec::new();
    for (i, l) in learners.iter().enumerate() {
        let mut rng = applicant_rng(seed, 10, i as u64);
        let Some(mut a) = from_learner(l, &mut rng, "") else {
            continue;
        };
        a.residence_code = l.ward_code.clone().unwrap_or_default();
        // Scores, priority and choices as `seed --applicants` draws them; the learner's own
        // identity stays.
        let drawn = grade10_applicant(seed, i as u64, school_year_start, schools.len());
        a.scores = [
            drawn.score_math,
            drawn.score_literature,
            drawn.score_language,
        ];
        a.priority_group = drawn.priority_group.map(i32::from);
        a.choices = drawn.choices.iter().map(|&k| schools[k].id).collect();
        a.candidate_number = Some(format!("{:06}", 100_001 + i));
        a.status = if rng.random_bool(0.01) {
            ApplicationStatus::Rejected
        } else {
            ApplicationStatus::Verified
        };
        if a.status == ApplicationStatus::Rejected {
            a.staff_note = Some("Chưa tốt nghiệp THCS.".into());
        }
        out.push(a);
    }
    out
}

fn grade6_applicants(
    seed: u64,
    learners: &[LearnerRow],
    schools: &[SchoolRow],
    zones: &HashMap<i64, Vec<String>>,
) -> Vec<SeedApplication> {
    let mut out = Vec::new();
    for (i, l) in learners.iter().enumerate() {
        let mut rng = applicant_rng(seed, 6, i as u64);
        let fallback = schools
            .first()
            .and_then(|s| s.ward_code.clone())
            .unwrap_or_default();
        let Some(mut a) = from_learner(l, &mut rng, &fallback) else {
            continue;
        };
        // Most apply to the school of their zone; some try another one.
        let home = schools.iter().find(|s| {
            zones
                .get(&s.id)
                .is_some_and(|z| z.contains(&a.residence_code))
        });
        let school = match home {
            Some(s) if rng.random_bool(0.85) => s.id,
            _ => schools[rng.random_range(0..schools.len())].id,
        };
        a.choices = vec![school];
        a.priority_group = rng.random_bool(0.04).then_some(1);
        a.status = match rng.random_range(0..100) {
            0..70 => ApplicationStatus::Verified,
            70..95 => ApplicationStatus::Submitted,
            _ => ApplicationStatus::NeedsCorrection,
        };
        if a.status == ApplicationStatus::NeedsCorrection {
            a.staff_note = Some("Ảnh giấy khai sinh bị mờ, đề nghị chụp lại.".into());
        }
        out.push(a);
    }
    out
}

fn grade1_applicants(
    seed: u64,
    school_year_start: i32,
    count: usize,
    schools: &[SchoolRow],
    zones: &HashMap<i64, Vec<String>>,
) -> Vec<SeedApplication> {
    let birth_year = school_year_start - 6;
    let mut out = Vec::with_capacity(count);
    for i in 0..count {
        let mut rng = applicant_rng(seed, 1, i as u64);
        let child = new_child(&mut rng);
        let school = &schools[rng
            .random_range(0..schools.len().max(1))
            .min(schools.len() - 1)];
        let residence = zones
            .get(&school.id)
            .and_then(|z| z.get(rng.random_range(0..z.len().max(1))).cloned())
            .unwrap_or_default();
        let birth_date =
            NaiveDate::from_yo_opt(birth_year, rng.random_range(1..=365)).expect("valid day");
        let serial = 900_000 + (seed as u32 % 50_000) + i as u32;
        let Some(national_id) =
            national_id::compose("051", birth_year, child.gender, serial % 1_000_000)
        else {
            continue;
        };
        out.push(SeedApplication {
            national_id,
            birth_date,
            full_name: child.full_name,
            gender: child.gender,
            learner_id: None,
            residence_code: residence,
            current_school: None,
            guardian_name: child.guardian_name,
            phone: child.guardian_phone,
            priority_group: rng.random_bool(0.03).then_some(1),
            status: if rng.random_bool(0.4) {
                ApplicationStatus::Verified
            } else {
                ApplicationStatus::Submitted
            },
            staff_note: None,
            candidate_number: None,
            scores: [None; 3],
            choices: vec![school.id],
        });
    }
    out
}

/// Writes applications with their choices in multi-row statements; returns how many.
pub async fn insert_applications(
    tx: &mut Tx,
    campaign_id: i64,
    apps: &[SeedApplication],
) -> StoreResult<u64> {
    let now = Utc::now();
    let mut seen = std::collections::HashSet::new();
    let mut rows: Vec<Vec<Value>> = Vec::with_capacity(apps.len());
    let mut kept = Vec::with_capacity(apps.len());
    for (i, a) in apps.iter().enumerate() {
        if !seen.insert(a.national_id.as_str()) {
            continue;
        }
        // A walk without repeats: drawn at random, a province's worth of codes collided.
        let code = nth_tracking_code(campaign_id as u64 * 10_000_000 + i as u64, DEMO_CODE_SALT);
        let score = |k: usize| a.scores[k];
        rows.push(vec![
            campaign_id.into(),
            code.into(),
            a.candidate_number.clone().into(),
            a.national_id.clone().into(),
            a.birth_date.into(),
            a.full_name.clone().into(),
            a.gender.code().into(),
            a.learner_id.into(),
            a.residence_code.clone().into(),
            Option::<String>::None.into(),
            a.current_school.clone().into(),
            a.guardian_name.clone().into(),
            "phone".into(),
            a.phone.clone().into(),
            a.priority_group.into(),
            a.status.code().into(),
            a.staff_note.clone().into(),
            Option::<String>::None.into(),
            Option::<chrono::DateTime<Utc>>::None.into(),
            score(0).into(),
            score(1).into(),
            score(2).into(),
            now.into(),
            now.into(),
        ]);
        kept.push(a);
    }
    let columns = &super::APPLICATION_COLUMNS[1..25];
    bulk_insert(&mut tx.conn(), AdmApplications::Table, columns, rows).await?;
    let ids: Vec<(i64, String)> = tx
        .conn()
        .fetch_all(
            Query::select()
                .columns([AdmApplications::Id, AdmApplications::NationalId])
                .from(AdmApplications::Table)
                .and_where(Expr::col(AdmApplications::CampaignId).eq(campaign_id)),
        )
        .await?;
    let by_id: HashMap<String, i64> = ids.into_iter().map(|(id, n)| (n, id)).collect();
    let mut choice_rows: Vec<Vec<Value>> = Vec::new();
    for a in &kept {
        let Some(&app) = by_id.get(&a.national_id) else {
            continue;
        };
        for (rank, school) in a.choices.iter().enumerate() {
            choice_rows.push(vec![app.into(), (rank as i32 + 1).into(), (*school).into()]);
        }
    }
    bulk_insert(
        &mut tx.conn(),
        AdmChoices::Table,
        &[
            AdmChoices::ApplicationId,
            AdmChoices::Rank,
            AdmChoices::SchoolId,
        ],
        choice_rows,
    )
    .await?;
    Ok(kept.len() as u64)
}
