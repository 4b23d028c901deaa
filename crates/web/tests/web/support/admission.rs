//! Admission fixtures: a campaign taking in a school (run by the nearest office or department
//! above it, open for applications) and applications inserted as the guardian side stores them.

use chrono::{Duration, NaiveDate, Utc};
use sea_query::{Expr, ExprTrait, Query};
use truongso_domain::org::{OrgKind, SchoolLevel};
use truongso_store::admission::{self as adm, Campaign, CampaignStatus, DocumentRequirement};
use truongso_store::schema::{
    AdmApplications, AdmCampaignSchools, AdmCampaigns, AdmChoices, AdmDocuments,
};
use truongso_store::{Scope, Store, orgs, years};

/// An open campaign run by the nearest office (or department, or ministry) above `schools[0]`,
/// for `grade` (default: the entry grade of its first level), taking in `schools`.
pub async fn open_campaign(store: &Store, schools: &[i64], grade: Option<i32>) -> Campaign {
    let mut conn = store.conn();
    let first = orgs::get(&mut conn, &Scope::All, schools[0]).await.unwrap();
    let owner = orgs::ancestors(&mut conn, &Scope::All, &first)
        .await
        .unwrap()
        .into_iter()
        .rev()
        .find(|u| {
            matches!(
                u.kind,
                OrgKind::LocalOffice | OrgKind::Department | OrgKind::Ministry
            )
        })
        .expect("a school lies under an office");
    let grade = grade.unwrap_or(match first.levels.0.first() {
        Some(SchoolLevel::Primary) => 1,
        Some(SchoolLevel::LowerSecondary) => 6,
        _ => 10,
    });
    let year = years::current(&mut conn).await.unwrap().unwrap().id;
    // Inserted as stored rather than through `create_campaign`: the access matrix needs a
    // campaign for any school it targets, preschools included.
    let now = Utc::now();
    let documents = serde_json::to_string(&[DocumentRequirement {
        code: "giay_khai_sinh".into(),
        label: "Giấy khai sinh".into(),
        required: true,
    }])
    .unwrap();
    let mut tx = store.begin().await.unwrap();
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
                    owner.id.into(),
                    year.into(),
                    grade.into(),
                    format!("Tuyển sinh lớp {grade} — {}", first.name).into(),
                    CampaignStatus::Open.code().into(),
                    (now - Duration::days(1)).into(),
                    (now + Duration::days(10)).into(),
                    (now + Duration::days(30)).into(),
                    3.into(),
                    documents.into(),
                    now.into(),
                    now.into(),
                ]),
        )
        .await
        .unwrap();
    let (id,): (i64,) = tx
        .conn()
        .fetch_one(
            Query::select()
                .expr(Expr::col(AdmCampaigns::Id).max())
                .from(AdmCampaigns::Table),
        )
        .await
        .unwrap();
    for school in schools {
        tx.conn()
            .execute(
                Query::insert()
                    .into_table(AdmCampaignSchools::Table)
                    .columns([
                        AdmCampaignSchools::CampaignId,
                        AdmCampaignSchools::SchoolId,
                        AdmCampaignSchools::Seats,
                    ])
                    .values_panic([id.into(), (*school).into(), 40.into()]),
            )
            .await
            .unwrap();
    }
    let c = adm::campaign(&mut tx.conn(), id).await.unwrap();
    tx.commit().await.unwrap();
    c
}

/// An application (born 04/03/2011, contact `ph<national_id>@example.vn`) with its choices and
/// one pending PNG document; returns (application id, document id).
pub async fn insert_application(
    store: &Store,
    c: &Campaign,
    national_id: &str,
    name: &str,
    choices: &[i64],
) -> (i64, i64) {
    let now = Utc::now();
    let seed: u64 = national_id.parse::<u64>().unwrap() ^ ((c.id as u64) << 40);
    let code = truongso_domain::admission::tracking_code(seed);
    let mut tx = store.begin().await.unwrap();
    tx.conn()
        .execute(
            Query::insert()
                .into_table(AdmApplications::Table)
                .columns([
                    AdmApplications::CampaignId,
                    AdmApplications::TrackingCode,
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
                    AdmApplications::SubmittedAt,
                    AdmApplications::UpdatedAt,
                ])
                .values_panic([
                    c.id.into(),
                    code.into(),
                    national_id.into(),
                    NaiveDate::from_ymd_opt(2011, 3, 4).unwrap().into(),
                    name.into(),
                    "F".into(),
                    "26734".into(),
                    "Phụ huynh".into(),
                    "email".into(),
                    format!("ph{national_id}@example.vn").into(),
                    Option::<i32>::None.into(),
                    "submitted".into(),
                    now.into(),
                    now.into(),
                ]),
        )
        .await
        .unwrap();
    let (id,): (i64,) = tx
        .conn()
        .fetch_one(
            Query::select()
                .column(AdmApplications::Id)
                .from(AdmApplications::Table)
                .and_where(Expr::col(AdmApplications::CampaignId).eq(c.id))
                .and_where(Expr::col(AdmApplications::NationalId).eq(national_id)),
        )
        .await
        .unwrap();
    for (rank, school) in choices.iter().enumerate() {
        tx.conn()
            .execute(
                Query::insert()
                    .into_table(AdmChoices::Table)
                    .columns([
                        AdmChoices::ApplicationId,
                        AdmChoices::Rank,
                        AdmChoices::SchoolId,
                    ])
                    .values_panic([id.into(), (rank as i32 + 1).into(), (*school).into()]),
            )
            .await
            .unwrap();
    }
    let png = b"\x89PNG\r\n\x1a\nkhai-sinh".to_vec();
    tx.conn()
        .execute(
            Query::insert()
                .into_table(AdmDocuments::Table)
                .columns([
                    AdmDocuments::ApplicationId,
                    AdmDocuments::Kind,
                    AdmDocuments::FileName,
                    AdmDocuments::ContentType,
                    AdmDocuments::Size,
                    AdmDocuments::Content,
                    AdmDocuments::Status,
                    AdmDocuments::UploadedAt,
                ])
                .values_panic([
                    id.into(),
                    "giay_khai_sinh".into(),
                    "khai-sinh.png".into(),
                    "image/png".into(),
                    (png.len() as i64).into(),
                    png.into(),
                    "pending".into(),
                    now.into(),
                ]),
        )
        .await
        .unwrap();
    let (doc,): (i64,) = tx
        .conn()
        .fetch_one(
            Query::select()
                .column(AdmDocuments::Id)
                .from(AdmDocuments::Table)
                .and_where(Expr::col(AdmDocuments::ApplicationId).eq(id)),
        )
        .await
        .unwrap();
    tx.commit().await.unwrap();
    (id, doc)
}
