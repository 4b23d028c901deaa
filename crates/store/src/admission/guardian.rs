//! The public side of admission: one-time codes, guardian sessions, the outbox, submitting and
//! editing an application and its documents.
//!
//! A guardian has no account: they prove control of a phone number or an e-mail address with a
//! six-digit code, and everything they made from that contact is theirs. Only digests of the
//! codes and of the session tokens are stored; the plain code travels only in the outbox message.

use chrono::{DateTime, Duration, NaiveDate, Utc};
use password_hash::rand_core::{OsRng, RngCore};
use sea_query::{Expr, ExprTrait, Order, Query};
use serde::{Deserialize, Serialize};
use truongso_domain::admission::contact::{
    Channel, Contact, canonical_tracking_code, tracking_code,
};
use truongso_domain::admission::settings::CodeLimits;
use truongso_domain::admission::zone::{ZoneRules, grade1_age_check};
use truongso_domain::dx::{EvidenceType, check_file};
use truongso_domain::national_id::{self, IdStatus};
use truongso_domain::validation::Checker;
use truongso_domain::{FieldError, codes::Gender};

use super::{
    Application, ApplicationStatus, Campaign, DOCUMENT_COLUMNS, Document, campaign,
    campaign_schools, documents, select_applications,
};
use crate::schema::{
    AdmApplications as A, AdmChoices, AdmDocuments as D, AdmGuardianSessions as G, AdmOtps as O,
    AdmOutbox as Ob, AdminUnits, Learners, SchoolYears,
};
use crate::secret::{digest, new_secret};
use crate::{Conn, StoreError, StoreResult, Tx};

/// The types of file an application's documents may be: scans and photos, nothing editable.
pub const DOCUMENT_TYPES: &[EvidenceType] =
    &[EvidenceType::Pdf, EvidenceType::Jpeg, EvidenceType::Png];

// ---------------------------------------------------------------------------------------------
// One-time codes and guardian sessions

/// A code was sent: when it stops being valid.
#[derive(Debug, Clone)]
pub struct CodeSent {
    pub expires_at: DateTime<Utc>,
}

/// Sends a six-digit code to `contact` (an outbox message) and stores its digest, unless the
/// address was already sent `per_address_per_hour` codes in the last hour, or the client
/// `per_client_per_hour`.
pub async fn send_code(
    tx: &mut Tx,
    contact: &Contact,
    client_ip: Option<&str>,
    limits: &CodeLimits,
) -> StoreResult<CodeSent> {
    let now = Utc::now();
    let (sent,): (i64,) = tx
        .conn()
        .fetch_one(
            Query::select()
                .expr(Expr::cust("COUNT(*)"))
                .from(O::Table)
                .and_where(Expr::col(O::Address).eq(contact.address.as_str()))
                .and_where(Expr::col(O::CreatedAt).gt(now - Duration::hours(1))),
        )
        .await?;
    if sent >= i64::from(limits.per_address_per_hour) {
        return Err(StoreError::conflict(
            "contact",
            format!(
                "Đã gửi {sent} mã tới {} trong một giờ qua. Vui lòng đợi rồi thử lại, hoặc dùng mã đã nhận.",
                contact.masked()
            ),
        ));
    }
    if let Some(ip) = client_ip {
        let (from_client,): (i64,) = tx
            .conn()
            .fetch_one(
                Query::select()
                    .expr(Expr::cust("COUNT(*)"))
                    .from(O::Table)
                    .and_where(Expr::col(O::Client).eq(ip))
                    .and_where(Expr::col(O::CreatedAt).gt(now - Duration::hours(1))),
            )
            .await?;
        if from_client >= i64::from(limits.per_client_per_hour) {
            return Err(StoreError::conflict(
                "contact",
                "Thiết bị hoặc mạng của bạn đã yêu cầu quá nhiều mã trong một giờ qua. Vui lòng thử lại sau.",
            ));
        }
    }
    let code = format!("{:06}", OsRng.next_u64() % 1_000_000);
    let expires_at = now + Duration::minutes(i64::from(limits.valid_minutes));
    tx.conn()
        .execute(
            Query::insert()
                .into_table(O::Table)
                .columns([
                    O::Channel,
                    O::Address,
                    O::CodeHash,
                    O::Attempts,
                    O::ExpiresAt,
                    O::ConsumedAt,
                    O::Client,
                    O::CreatedAt,
                ])
                .values_panic([
                    contact.channel.code().into(),
                    contact.address.as_str().into(),
                    code_digest(contact, &code).into(),
                    0i32.into(),
                    expires_at.into(),
                    Option::<DateTime<Utc>>::None.into(),
                    client_ip.map(str::to_string).into(),
                    now.into(),
                ]),
        )
        .await?;
    let body = format!(
        "Mã xác nhận tuyển sinh: {code}\nMã có hiệu lực trong {} phút. Không đưa mã này cho bất kỳ ai, kể cả người xưng là cán bộ nhà trường.",
        limits.valid_minutes
    );
    enqueue(tx, contact, "Mã xác nhận tuyển sinh", &body).await?;
    Ok(CodeSent { expires_at })
}

/// The digest of a code, bound to its address (a code is worthless for another contact).
fn code_digest(contact: &Contact, code: &str) -> String {
    digest(&format!(
        "{}:{}:{code}",
        contact.channel.code(),
        contact.address
    ))
}

/// What entering a code led to. A wrong code is not an error: the spent attempt must be
/// committed like a success.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CodeCheck {
    /// The guardian is signed in: `token` goes into their cookie (only its digest is stored).
    Accepted {
        token: String,
        expires_at: DateTime<Utc>,
    },
    /// Wrong code; `attempts_left` more tries of this code.
    Wrong { attempts_left: u32 },
    /// No valid code (never sent, expired, used, or all attempts spent): ask for a new one.
    Expired,
}

impl CodeCheck {
    /// The refusal for the guardian, if the code was not accepted.
    pub fn message_vi(&self) -> Option<String> {
        match self {
            CodeCheck::Accepted { .. } => None,
            CodeCheck::Wrong { attempts_left: 0 } | CodeCheck::Expired => Some(
                "Mã đã hết hạn, đã dùng hoặc đã nhập sai quá nhiều lần. Hãy yêu cầu mã mới.".into(),
            ),
            CodeCheck::Wrong { attempts_left } => {
                Some(format!("Mã không đúng. Còn {attempts_left} lần thử."))
            }
        }
    }
}

#[derive(sqlx::FromRow)]
struct OtpRow {
    id: i64,
    code_hash: String,
    attempts: i32,
}

/// Checks the newest code sent to `contact`: spends an attempt when wrong, opens a guardian
/// session when right (the code is then used up).
pub async fn verify_code(
    tx: &mut Tx,
    contact: &Contact,
    code: &str,
    limits: &CodeLimits,
) -> StoreResult<CodeCheck> {
    let now = Utc::now();
    let latest: Option<OtpRow> = tx
        .conn()
        .fetch_optional(
            Query::select()
                .columns([O::Id, O::CodeHash, O::Attempts])
                .from(O::Table)
                .and_where(Expr::col(O::Channel).eq(contact.channel.code()))
                .and_where(Expr::col(O::Address).eq(contact.address.as_str()))
                .and_where(Expr::col(O::ConsumedAt).is_null())
                .and_where(Expr::col(O::ExpiresAt).gt(now))
                .order_by(O::Id, Order::Desc)
                .limit(1),
        )
        .await?;
    let Some(otp) = latest else {
        return Ok(CodeCheck::Expired);
    };
    let max = i32::try_from(limits.attempts).unwrap_or(i32::MAX);
    if otp.attempts >= max {
        return Ok(CodeCheck::Expired);
    }
    let typed: String = code.chars().filter(|c| !c.is_whitespace()).collect();
    if code_digest(contact, &typed) != otp.code_hash {
        tx.conn()
            .execute(
                Query::update()
                    .table(O::Table)
                    .value(O::Attempts, otp.attempts + 1)
                    .and_where(Expr::col(O::Id).eq(otp.id)),
            )
            .await?;
        let left = Ord::max(max - otp.attempts - 1, 0) as u32;
        return Ok(CodeCheck::Wrong {
            attempts_left: left,
        });
    }
    tx.conn()
        .execute(
            Query::update()
                .table(O::Table)
                .value(O::ConsumedAt, now)
                .and_where(Expr::col(O::Id).eq(otp.id)),
        )
        .await?;
    let token = new_secret("tg_");
    let expires_at = now + Duration::hours(i64::from(limits.session_hours));
    tx.conn()
        .execute(
            Query::insert()
                .into_table(G::Table)
                .columns([
                    G::TokenHash,
                    G::Channel,
                    G::Address,
                    G::ExpiresAt,
                    G::CreatedAt,
                ])
                .values_panic([
                    digest(&token).into(),
                    contact.channel.code().into(),
                    contact.address.as_str().into(),
                    expires_at.into(),
                    now.into(),
                ]),
        )
        .await?;
    Ok(CodeCheck::Accepted { token, expires_at })
}

/// The contact a guardian session token stands for, if the session is still valid.
pub async fn guardian_session(conn: &mut Conn<'_>, token: &str) -> StoreResult<Option<Contact>> {
    let row: Option<(String, String)> = conn
        .fetch_optional(
            Query::select()
                .columns([G::Channel, G::Address])
                .from(G::Table)
                .and_where(Expr::col(G::TokenHash).eq(digest(token)))
                .and_where(Expr::col(G::ExpiresAt).gt(Utc::now())),
        )
        .await?;
    Ok(row.and_then(|(channel, address)| {
        Channel::parse(&channel).map(|channel| Contact { channel, address })
    }))
}

/// Ends a guardian session (signing out).
pub async fn end_session(conn: &mut Conn<'_>, token: &str) -> StoreResult<()> {
    conn.execute(
        Query::delete()
            .from_table(G::Table)
            .and_where(Expr::col(G::TokenHash).eq(digest(token))),
    )
    .await?;
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// The outbox

/// A message to a guardian.
#[derive(Debug, Clone, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct OutboxMessage {
    pub id: i64,
    pub channel: String,
    pub recipient: String,
    pub subject: String,
    pub body: String,
    pub created_at: DateTime<Utc>,
    pub delivered_at: Option<DateTime<Utc>>,
    pub error: Option<String>,
}

/// Queues a message to `to` (delivered by SMTP when configured; the demo shows the outbox).
pub async fn enqueue(tx: &mut Tx, to: &Contact, subject: &str, body: &str) -> StoreResult<()> {
    tx.conn()
        .execute(
            Query::insert()
                .into_table(Ob::Table)
                .columns([
                    Ob::Channel,
                    Ob::Recipient,
                    Ob::Subject,
                    Ob::Body,
                    Ob::CreatedAt,
                ])
                .values_panic([
                    to.channel.code().into(),
                    to.address.as_str().into(),
                    subject.into(),
                    body.into(),
                    Utc::now().into(),
                ]),
        )
        .await?;
    Ok(())
}

/// The newest `limit` messages of the outbox, newest first.
pub async fn outbox(conn: &mut Conn<'_>, limit: u64) -> StoreResult<Vec<OutboxMessage>> {
    conn.fetch_all(
        Query::select()
            .columns([
                Ob::Id,
                Ob::Channel,
                Ob::Recipient,
                Ob::Subject,
                Ob::Body,
                Ob::CreatedAt,
                Ob::DeliveredAt,
                Ob::Error,
            ])
            .from(Ob::Table)
            .order_by(Ob::Id, Order::Desc)
            .limit(limit),
    )
    .await
}

/// Messages not yet delivered (nor failed), oldest first: what a delivery task sends next.
pub async fn pending_outbox(conn: &mut Conn<'_>, limit: u64) -> StoreResult<Vec<OutboxMessage>> {
    conn.fetch_all(
        Query::select()
            .columns([
                Ob::Id,
                Ob::Channel,
                Ob::Recipient,
                Ob::Subject,
                Ob::Body,
                Ob::CreatedAt,
                Ob::DeliveredAt,
                Ob::Error,
            ])
            .from(Ob::Table)
            .and_where(Expr::col(Ob::DeliveredAt).is_null())
            .and_where(Expr::col(Ob::Error).is_null())
            .order_by(Ob::Id, Order::Asc)
            .limit(limit),
    )
    .await
}

/// Records the outcome of delivering a message: when it was handed over, or why not.
pub async fn mark_delivery(
    conn: &mut Conn<'_>,
    id: i64,
    outcome: Result<(), String>,
) -> StoreResult<()> {
    let (delivered, error) = match outcome {
        Ok(()) => (Some(Utc::now()), None),
        Err(e) => (None, Some(e)),
    };
    conn.execute(
        Query::update()
            .table(Ob::Table)
            .values([
                (Ob::DeliveredAt, delivered.into()),
                (Ob::Error, error.into()),
            ])
            .and_where(Expr::col(Ob::Id).eq(id)),
    )
    .await?;
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Applications

/// What a guardian fills in. Field names are those of the form (errors name them).
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct ApplicationForm {
    /// The child's 12-digit personal ID.
    pub national_id: String,
    pub birth_date: Option<NaiveDate>,
    pub full_name: String,
    /// "M" or "F", as on the birth certificate.
    pub gender: String,
    /// The commune/ward of residence (code of the 2025 administrative units).
    pub residence_code: String,
    #[serde(default)]
    pub address: String,
    /// Grades 6 and 10: the school the child attends now.
    #[serde(default)]
    pub current_school: String,
    pub guardian_name: String,
    /// Grade 10: priority group 1–3; grades 1/6: any value claims priority.
    #[serde(default)]
    pub priority_group: Option<i32>,
    /// School ids, first choice first (grades 1/6: exactly one).
    #[serde(default)]
    pub choices: Vec<i64>,
}

/// What [`submit`] did.
#[derive(Debug, Clone)]
pub struct Submitted {
    pub application: Application,
    /// False when an existing application of the child was updated.
    pub created: bool,
}

/// Submits (or resubmits) an application from `contact` (grade 1: entry age by `zone`). One application per child and
/// campaign: a resubmission from the same contact updates it while it is still editable; from
/// another contact it is refused without saying anything about the existing one.
pub async fn submit(
    tx: &mut Tx,
    campaign: &Campaign,
    contact: &Contact,
    form: &ApplicationForm,
    zone: &ZoneRules,
    now: DateTime<Utc>,
) -> StoreResult<Submitted> {
    if !campaign.accepts_applications(now) {
        return Err(StoreError::conflict(
            "campaign",
            "Đợt tuyển sinh không nhận hồ sơ vào lúc này (chưa mở hoặc đã hết hạn nộp).",
        ));
    }
    let checked = check_form(&mut tx.conn(), campaign, form, zone).await?;
    let existing: Option<Application> = tx
        .conn()
        .fetch_optional(
            select_applications()
                .and_where(Expr::col((A::Table, A::CampaignId)).eq(campaign.id))
                .and_where(Expr::col((A::Table, A::NationalId)).eq(checked.national_id.as_str())),
        )
        .await?;
    let (id, created) = match existing {
        Some(app) => {
            if !same_contact(&app, contact) {
                return Err(already_applied());
            }
            if !app.status.guardian_editable() {
                return Err(not_editable(&app));
            }
            update_application(tx, app.id, form, &checked, now).await?;
            (app.id, false)
        }
        None => (
            insert_application(tx, campaign, contact, form, &checked, now).await?,
            true,
        ),
    };
    replace_choices(tx, id, &form.choices).await?;
    let application = application(&mut tx.conn(), id).await?;
    let verb = if created {
        "đã được nhận"
    } else {
        "đã được cập nhật"
    };
    let body = format!(
        "Hồ sơ tuyển sinh của {} ({}) {verb}.\nMã hồ sơ: {}\nDùng mã hồ sơ và ngày sinh để tra cứu; xem, sửa hồ sơ tại /admission/applications/{} cho tới hạn nộp.",
        application.full_name, campaign.name, application.tracking_code, application.tracking_code
    );
    enqueue(tx, contact, "Biên nhận hồ sơ tuyển sinh", &body).await?;
    Ok(Submitted {
        application,
        created,
    })
}

fn already_applied() -> StoreError {
    StoreError::conflict(
        "national_id",
        "Học sinh này đã có hồ sơ trong đợt tuyển sinh. Nếu cần thay đổi, hãy đăng nhập bằng số điện thoại hoặc thư điện tử đã dùng khi nộp, hoặc liên hệ nhà trường.",
    )
}

fn not_editable(app: &Application) -> StoreError {
    StoreError::conflict(
        "status",
        format!(
            "Hồ sơ {} đang ở trạng thái \"{}\": không sửa được nữa.",
            app.tracking_code,
            app.status.label_vi()
        ),
    )
}

fn same_contact(app: &Application, contact: &Contact) -> bool {
    app.contact_channel == contact.channel.code() && app.contact_address == contact.address
}

/// The form's values as they are stored.
struct Checked {
    national_id: String,
    birth_date: NaiveDate,
    learner_id: Option<i64>,
    priority_group: Option<i32>,
    current_school: Option<String>,
}

/// Checks the whole form against the campaign and the sector database; every problem at once.
async fn check_form(
    conn: &mut Conn<'_>,
    campaign: &Campaign,
    form: &ApplicationForm,
    zone: &ZoneRules,
) -> StoreResult<Checked> {
    let mut c = Checker::new();
    let national_id = form.national_id.trim().to_string();
    let gender = Gender::from_code(form.gender.trim());
    if gender.is_none() {
        c.push("gender", "Chọn giới tính Nam hoặc Nữ.");
    }
    if form.birth_date.is_none() {
        c.push("birth_date", "Nhập ngày sinh (ngày/tháng/năm).");
    }
    match national_id::check(&national_id, form.birth_date, gender).status {
        IdStatus::Ok => {}
        IdStatus::Malformed => c.push("national_id", "Số định danh cá nhân gồm đúng 12 chữ số."),
        IdStatus::UnknownProvince => c.push(
            "national_id",
            "Ba chữ số đầu của số định danh không phải mã tỉnh nào: hãy kiểm tra lại.",
        ),
        IdStatus::Mismatch => c.push(
            "national_id",
            "Số định danh không khớp với năm sinh hoặc giới tính đã nhập.",
        ),
    }
    let learner_id = match (national_id::normalize(&national_id), form.birth_date) {
        (Some(id), Some(birth)) => match_learner(conn, id, birth, &mut c).await?,
        _ => None,
    };
    if let (Some(birth), 1) = (form.birth_date, campaign.entry_grade) {
        let year: (i32,) = conn
            .fetch_one(
                Query::select()
                    .column(SchoolYears::StartYear)
                    .from(SchoolYears::Table)
                    .and_where(Expr::col(SchoolYears::Id).eq(campaign.school_year_id)),
            )
            .await?;
        // Late entry is decided by the office, not claimed online.
        let age = grade1_age_check(birth, year.0, false, zone);
        if !age.is_ok() {
            c.push("birth_date", age.message_vi());
        }
    }
    c.required_text("full_name", &form.full_name, 100);
    c.required_text("guardian_name", &form.guardian_name, 100);
    c.max_len("address", &form.address, 300);
    if form.residence_code.trim().is_empty() {
        c.push("residence_code", "Chọn xã, phường nơi cư trú.");
    } else if !ward_exists(conn, form.residence_code.trim()).await? {
        c.push(
            "residence_code",
            format!("Không có xã, phường mã '{}'.", form.residence_code.trim()),
        );
    }
    let current_school = if campaign.entry_grade == 1 {
        None
    } else {
        c.required_text("current_school", &form.current_school, 200);
        Some(form.current_school.trim().to_string())
    };
    let priority_group = check_priority(campaign, form.priority_group, &mut c);
    check_choices(conn, campaign, &form.choices, &mut c).await?;
    c.finish()?;
    Ok(Checked {
        national_id,
        birth_date: form.birth_date.expect("checked"),
        learner_id,
        priority_group,
        current_school,
    })
}

/// The learner with this ID, when the sector database has one: the date of birth must then be
/// the recorded one. The refusal does not say what the recorded date is.
async fn match_learner(
    conn: &mut Conn<'_>,
    national_id: &str,
    birth: NaiveDate,
    c: &mut Checker,
) -> StoreResult<Option<i64>> {
    let learners: Vec<(i64, NaiveDate)> = conn
        .fetch_all(
            Query::select()
                .columns([Learners::Id, Learners::BirthDate])
                .from(Learners::Table)
                .and_where(Expr::col(Learners::NationalId).eq(national_id))
                .order_by(Learners::Id, Order::Asc),
        )
        .await?;
    if learners.is_empty() {
        return Ok(None);
    }
    match learners.iter().find(|(_, b)| *b == birth) {
        Some((id, _)) => Ok(Some(*id)),
        None => {
            c.push(
                "birth_date",
                "Ngày sinh không khớp với hồ sơ học sinh mang số định danh này. Hãy đối chiếu giấy khai sinh; nếu hồ sơ ở trường bị sai, hãy liên hệ nhà trường.",
            );
            Ok(None)
        }
    }
}

async fn ward_exists(conn: &mut Conn<'_>, code: &str) -> StoreResult<bool> {
    let found: Option<(i64,)> = conn
        .fetch_optional(
            Query::select()
                .column(AdminUnits::Id)
                .from(AdminUnits::Table)
                .and_where(Expr::col(AdminUnits::Code).eq(code))
                .and_where(Expr::col(AdminUnits::Scheme).eq("2025"))
                .and_where(Expr::col(AdminUnits::Level).eq("ward"))
                .limit(1),
        )
        .await?;
    Ok(found.is_some())
}

fn check_priority(campaign: &Campaign, group: Option<i32>, c: &mut Checker) -> Option<i32> {
    match group {
        None | Some(0) => None,
        Some(g) if campaign.by_exam() => {
            if !(1..=3).contains(&g) {
                c.push("priority_group", "Nhóm ưu tiên là 1, 2 hoặc 3.");
            }
            Some(g)
        }
        // Grades 1 and 6 know only whether priority is claimed.
        Some(_) => Some(1),
    }
}

async fn check_choices(
    conn: &mut Conn<'_>,
    campaign: &Campaign,
    choices: &[i64],
    c: &mut Checker,
) -> StoreResult<()> {
    let max = usize::try_from(Ord::max(campaign.max_choices, 1)).unwrap_or(1);
    if choices.is_empty() {
        c.push("choices", "Chọn trường đăng ký.");
        return Ok(());
    }
    if !campaign.by_exam() && choices.len() != 1 {
        c.push("choices", "Chỉ đăng ký đúng một trường.");
    }
    if choices.len() > max {
        c.push("choices", format!("Đăng ký tối đa {max} nguyện vọng."));
    }
    let schools = campaign_schools(conn, campaign.id).await?;
    for (i, id) in choices.iter().enumerate() {
        if !schools.iter().any(|s| s.school_id == *id) {
            c.push(
                &format!("choices[{i}]"),
                "Trường không thuộc đợt tuyển sinh này.",
            );
        } else if choices[..i].contains(id) {
            c.push(
                &format!("choices[{i}]"),
                format!(
                    "Nguyện vọng {} trùng trường với một nguyện vọng trước.",
                    i + 1
                ),
            );
        }
    }
    Ok(())
}

/// The stored columns a form sets (the same for a new application and an update).
fn form_values(form: &ApplicationForm, checked: &Checked) -> Vec<(A, sea_query::SimpleExpr)> {
    let optional = |s: &str| {
        let t = s.trim();
        (!t.is_empty()).then(|| t.to_string())
    };
    vec![
        (A::NationalId, checked.national_id.as_str().into()),
        (A::BirthDate, checked.birth_date.into()),
        (A::FullName, form.full_name.trim().into()),
        (A::Gender, form.gender.trim().into()),
        (A::LearnerId, checked.learner_id.into()),
        (A::ResidenceCode, form.residence_code.trim().into()),
        (A::Address, optional(&form.address).into()),
        (A::CurrentSchool, checked.current_school.clone().into()),
        (A::GuardianName, form.guardian_name.trim().into()),
        (A::PriorityGroup, checked.priority_group.into()),
    ]
}

async fn update_application(
    tx: &mut Tx,
    id: i64,
    form: &ApplicationForm,
    checked: &Checked,
    now: DateTime<Utc>,
) -> StoreResult<()> {
    let mut values = form_values(form, checked);
    // A corrected application goes back to the staff's queue.
    values.push((A::Status, ApplicationStatus::Submitted.code().into()));
    values.push((A::UpdatedAt, now.into()));
    tx.conn()
        .execute(
            Query::update()
                .table(A::Table)
                .values(values)
                .and_where(Expr::col(A::Id).eq(id)),
        )
        .await?;
    Ok(())
}

/// Inserts a new application under a fresh tracking code; a clash with an existing code (one
/// in 10¹¹) is retried under a savepoint, so the transaction survives it on both databases.
async fn insert_application(
    tx: &mut Tx,
    campaign: &Campaign,
    contact: &Contact,
    form: &ApplicationForm,
    checked: &Checked,
    now: DateTime<Utc>,
) -> StoreResult<i64> {
    for _ in 0..5 {
        let code = tracking_code(OsRng.next_u64());
        let mut values = form_values(form, checked);
        values.extend([
            (A::CampaignId, campaign.id.into()),
            (A::TrackingCode, code.into()),
            (A::ContactChannel, contact.channel.code().into()),
            (A::ContactAddress, contact.address.as_str().into()),
            (A::Status, ApplicationStatus::Submitted.code().into()),
            (A::SubmittedAt, now.into()),
            (A::UpdatedAt, now.into()),
        ]);
        let (columns, exprs): (Vec<A>, Vec<sea_query::SimpleExpr>) = values.into_iter().unzip();
        tx.conn().execute_raw("SAVEPOINT adm_tracking").await?;
        let inserted: StoreResult<(i64,)> = tx
            .conn()
            .fetch_one(
                Query::insert()
                    .into_table(A::Table)
                    .columns(columns)
                    .values_panic(exprs)
                    .returning_col(A::Id),
            )
            .await;
        match inserted {
            Ok((id,)) => {
                tx.conn()
                    .execute_raw("RELEASE SAVEPOINT adm_tracking")
                    .await?;
                return Ok(id);
            }
            Err(StoreError::Database(sqlx::Error::Database(e))) if e.is_unique_violation() => {
                tx.conn()
                    .execute_raw("ROLLBACK TO SAVEPOINT adm_tracking")
                    .await?;
                if !e.message().contains("tracking") {
                    // The child's application was made meanwhile by a concurrent request.
                    return Err(already_applied());
                }
            }
            Err(e) => return Err(e),
        }
    }
    Err(StoreError::conflict(
        "tracking_code",
        "Không tạo được mã hồ sơ. Vui lòng gửi lại.",
    ))
}

async fn replace_choices(tx: &mut Tx, application_id: i64, choices: &[i64]) -> StoreResult<()> {
    tx.conn()
        .execute(
            Query::delete()
                .from_table(AdmChoices::Table)
                .and_where(Expr::col(AdmChoices::ApplicationId).eq(application_id)),
        )
        .await?;
    let mut insert = Query::insert()
        .into_table(AdmChoices::Table)
        .columns([
            AdmChoices::ApplicationId,
            AdmChoices::Rank,
            AdmChoices::SchoolId,
        ])
        .to_owned();
    for (rank, school) in choices.iter().enumerate() {
        insert.values_panic([
            application_id.into(),
            (rank as i32 + 1).into(),
            (*school).into(),
        ]);
    }
    tx.conn().execute(&insert).await?;
    Ok(())
}

async fn application(conn: &mut Conn<'_>, id: i64) -> StoreResult<Application> {
    conn.fetch_optional(select_applications().and_where(Expr::col((A::Table, A::Id)).eq(id)))
        .await?
        .ok_or(StoreError::not_found("hồ sơ"))
}

/// The applications made from `contact`, newest first.
pub async fn applications_of(
    conn: &mut Conn<'_>,
    contact: &Contact,
) -> StoreResult<Vec<Application>> {
    conn.fetch_all(
        select_applications()
            .and_where(Expr::col((A::Table, A::ContactChannel)).eq(contact.channel.code()))
            .and_where(Expr::col((A::Table, A::ContactAddress)).eq(contact.address.as_str()))
            .order_by((A::Table, A::Id), Order::Desc),
    )
    .await
}

/// An application by its tracking code (any spelling), only when made from `contact`: to
/// anyone else it does not exist.
pub async fn application_by_code(
    conn: &mut Conn<'_>,
    contact: &Contact,
    code: &str,
) -> StoreResult<Application> {
    let code = canonical_tracking_code(code).ok_or(StoreError::not_found("hồ sơ"))?;
    let app: Application = conn
        .fetch_optional(
            select_applications().and_where(Expr::col((A::Table, A::TrackingCode)).eq(code)),
        )
        .await?
        .ok_or(StoreError::not_found("hồ sơ"))?;
    if same_contact(&app, contact) {
        Ok(app)
    } else {
        Err(StoreError::not_found("hồ sơ"))
    }
}

/// Whether the guardian may still change `app`: editable status, campaign accepting.
fn require_editable(campaign: &Campaign, app: &Application, now: DateTime<Utc>) -> StoreResult<()> {
    if !campaign.accepts_applications(now) {
        return Err(StoreError::conflict(
            "campaign",
            "Đã hết hạn nộp hồ sơ: không sửa, rút hay bổ sung được nữa.",
        ));
    }
    if !app.status.guardian_editable() {
        return Err(not_editable(app));
    }
    Ok(())
}

/// Withdraws an application (before the deadline, while the guardian may still edit it).
pub async fn withdraw(tx: &mut Tx, app: &Application) -> StoreResult<Application> {
    let now = Utc::now();
    let campaign = campaign(&mut tx.conn(), app.campaign_id).await?;
    require_editable(&campaign, app, now)?;
    tx.conn()
        .execute(
            Query::update()
                .table(A::Table)
                .values([
                    (A::Status, ApplicationStatus::Withdrawn.code().into()),
                    (A::UpdatedAt, now.into()),
                ])
                .and_where(Expr::col(A::Id).eq(app.id)),
        )
        .await?;
    let contact = Contact {
        channel: Channel::parse(&app.contact_channel).unwrap_or(Channel::Phone),
        address: app.contact_address.clone(),
    };
    let body = format!(
        "Hồ sơ {} của {} ({}) đã được rút theo yêu cầu của bạn.",
        app.tracking_code, app.full_name, campaign.name
    );
    enqueue(tx, &contact, "Đã rút hồ sơ tuyển sinh", &body).await?;
    application(&mut tx.conn(), app.id).await
}

// ---------------------------------------------------------------------------------------------
// Documents

/// Checks a document before anything is written: its kind is one the campaign asks for, its
/// name is sane, its content a PDF, JPEG or PNG of at most 5 MB agreeing with the name. The
/// error names the field `documents.<kind>`.
pub fn check_document(
    campaign: &Campaign,
    kind: &str,
    file_name: &str,
    bytes: &[u8],
) -> Result<EvidenceType, FieldError> {
    let field = format!("documents.{kind}");
    if !campaign.required_documents.iter().any(|d| d.code == kind) {
        return Err(FieldError::new(
            &field,
            format!("Đợt tuyển sinh không yêu cầu giấy tờ '{kind}'."),
        ));
    }
    let name = file_name.trim();
    if name.is_empty() || name.chars().count() > 200 || name.contains(['/', '\\']) {
        return Err(FieldError::new(
            &field,
            "Tên tệp không hợp lệ (tối đa 200 ký tự, không chứa / hoặc \\).",
        ));
    }
    check_file(name, bytes, DOCUMENT_TYPES).map_err(|m| FieldError::new(&field, m))
}

/// Stores a document of `app` (replacing one of the same kind), after [`check_document`] and
/// while the guardian may still edit the application.
pub async fn add_document(
    tx: &mut Tx,
    app: &Application,
    kind: &str,
    file_name: &str,
    bytes: &[u8],
) -> StoreResult<Document> {
    let now = Utc::now();
    let campaign = campaign(&mut tx.conn(), app.campaign_id).await?;
    let file_type = check_document(&campaign, kind, file_name, bytes)
        .map_err(|e| StoreError::invalid(&e.field, e.message))?;
    require_editable(&campaign, app, now)?;
    tx.conn()
        .execute(
            Query::delete()
                .from_table(D::Table)
                .and_where(Expr::col(D::ApplicationId).eq(app.id))
                .and_where(Expr::col(D::Kind).eq(kind)),
        )
        .await?;
    let (id,): (i64,) = tx
        .conn()
        .fetch_one(
            Query::insert()
                .into_table(D::Table)
                .columns(DOCUMENT_COLUMNS[1..].iter().copied().chain([D::Content]))
                .values_panic([
                    app.id.into(),
                    kind.into(),
                    file_name.trim().into(),
                    file_type.mime().into(),
                    (bytes.len() as i64).into(),
                    "pending".into(),
                    Option::<String>::None.into(),
                    now.into(),
                    bytes.to_vec().into(),
                ])
                .returning_col(D::Id),
        )
        .await?;
    tx.conn()
        .execute(
            Query::update()
                .table(A::Table)
                .value(A::UpdatedAt, now)
                .and_where(Expr::col(A::Id).eq(app.id)),
        )
        .await?;
    documents(&mut tx.conn(), app.id)
        .await?
        .into_iter()
        .find(|d| d.id == id)
        .ok_or(StoreError::not_found("giấy tờ"))
}

/// A document's bytes, if it belongs to `application_id`.
pub async fn document_file(
    conn: &mut Conn<'_>,
    application_id: i64,
    document_id: i64,
) -> StoreResult<(Document, Vec<u8>)> {
    let doc = documents(conn, application_id)
        .await?
        .into_iter()
        .find(|d| d.id == document_id)
        .ok_or(StoreError::not_found("giấy tờ"))?;
    let (bytes,): (Vec<u8>,) = conn
        .fetch_one(
            Query::select()
                .column(D::Content)
                .from(D::Table)
                .and_where(Expr::col(D::Id).eq(document_id)),
        )
        .await?;
    Ok((doc, bytes))
}

/// The communes and wards a guardian picks their residence from: those (2025 scheme) of the
/// provinces where the campaign's schools and zones lie, by name. Small enough for a plain
/// `<select>` on a slow link.
pub async fn residence_choices(
    conn: &mut Conn<'_>,
    campaign_id: i64,
) -> StoreResult<Vec<(String, String)>> {
    use crate::schema::{AdmCampaignSchools as CS, AdmZoneAreas as Z, OrgUnits};
    let school_wards = Query::select()
        .column((OrgUnits::Table, OrgUnits::WardCode))
        .from(OrgUnits::Table)
        .inner_join(
            CS::Table,
            Expr::col((CS::Table, CS::SchoolId)).equals((OrgUnits::Table, OrgUnits::Id)),
        )
        .and_where(Expr::col((CS::Table, CS::CampaignId)).eq(campaign_id))
        .and_where(Expr::col((OrgUnits::Table, OrgUnits::WardCode)).is_not_null())
        .to_owned();
    let zone_wards = Query::select()
        .column((Z::Table, Z::AdminUnitCode))
        .from(Z::Table)
        .inner_join(
            CS::Table,
            Expr::col((CS::Table, CS::Id)).equals((Z::Table, Z::CampaignSchoolId)),
        )
        .and_where(Expr::col((CS::Table, CS::CampaignId)).eq(campaign_id))
        .to_owned();
    let provinces = Query::select()
        .column(AdminUnits::ParentCode)
        .from(AdminUnits::Table)
        .and_where(Expr::col(AdminUnits::Scheme).eq("2025"))
        .and_where(
            Expr::col(AdminUnits::Code)
                .in_subquery(school_wards)
                .or(Expr::col(AdminUnits::Code).in_subquery(zone_wards)),
        )
        .to_owned();
    conn.fetch_all(
        Query::select()
            .columns([AdminUnits::Code, AdminUnits::Name])
            .from(AdminUnits::Table)
            .and_where(Expr::col(AdminUnits::Scheme).eq("2025"))
            .and_where(Expr::col(AdminUnits::Level).eq("ward"))
            .and_where(Expr::col(AdminUnits::ParentCode).in_subquery(provinces))
            .order_by(AdminUnits::Name, Order::Asc),
    )
    .await
}

/// The names of administrative units by code (for zone lists shown to guardians).
pub async fn unit_names(
    conn: &mut Conn<'_>,
    codes: &[String],
) -> StoreResult<std::collections::HashMap<String, String>> {
    if codes.is_empty() {
        return Ok(Default::default());
    }
    let rows: Vec<(String, String)> = conn
        .fetch_all(
            Query::select()
                .columns([AdminUnits::Code, AdminUnits::Name])
                .from(AdminUnits::Table)
                .and_where(Expr::col(AdminUnits::Scheme).eq("2025"))
                .and_where(Expr::col(AdminUnits::Code).is_in(codes.iter().map(String::as_str))),
        )
        .await?;
    Ok(rows.into_iter().collect())
}
