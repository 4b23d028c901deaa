//! The e-transcript (học bạ điện tử) of a learner's school year: read it (as JSON, a page or a
//! PDF) and sign it. Reads are audited under the learner (so guardians see them in the access
//! log). Who may sign is decided here, from the store: the principal of the learner's school,
//! and the homeroom teacher of the class the year result belongs to.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::Serialize;
use truongso_domain::access::Role;
use truongso_domain::gradebook::transcript::{SignerRole, Transcript};
use truongso_store::audit::{self, AuditAction, NewAuditEntry};
use truongso_store::gradebook::transcripts::{self, Built, Issued, StoredSignature};
use truongso_store::learners::{self, Learner};
use truongso_store::years::{self, SchoolYear};
use truongso_store::{StoreError, orgs};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::AppState;
use crate::actor::Actor;
use crate::error::{ApiError, ApiResult, Problem};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(read))
        .routes(routes!(sign))
}

/// A learner's transcript for a year as the caller may see it.
pub struct TranscriptView {
    pub learner: Learner,
    pub year: SchoolYear,
    /// Built from the database now; `None` before the year's results are computed.
    pub built: Option<Built>,
    /// The current issued (signed or being signed) document.
    pub issued: Option<Issued>,
    pub signatures: Vec<StoredSignature>,
    /// The role this caller may sign in (when the year is decided).
    pub may_sign: Option<SignerRole>,
}

impl TranscriptView {
    /// Whether the issued document is the record as it is now.
    pub fn issued_is_current(&self) -> bool {
        match (&self.issued, &self.built) {
            (Some(i), Some(b)) => i.canonical_json == b.transcript.canonical_json(),
            _ => false,
        }
    }

    /// What to print or download: the issued document while it is current, else the record now.
    pub fn document(&self) -> Option<Transcript> {
        if self.issued_is_current() {
            self.issued
                .as_ref()
                .and_then(|i| Transcript::from_json(&i.canonical_json).ok())
        } else {
            self.built.as_ref().map(|b| b.transcript.clone())
        }
    }

    /// Signed by both roles, and still the record.
    pub fn fully_signed(&self) -> bool {
        self.issued_is_current()
            && SignerRole::ALL
                .iter()
                .all(|r| self.signatures.iter().any(|s| s.role == r.code()))
    }
}

/// Reads what the actor may see of a learner's transcript, recording the read (with `what`)
/// in the audit trail of the learner — or the refused attempt when the learner is out of reach.
pub async fn load(
    s: &AppState,
    actor: &Actor,
    learner_id: i64,
    year_code: &str,
    action: AuditAction,
    what: &str,
) -> ApiResult<TranscriptView> {
    let mut conn = s.store.conn();
    let learner = match learners::get(&mut conn, &actor.scope, learner_id).await {
        Ok(l) => crate::api::learners::present(actor, l),
        Err(StoreError::NotFound { .. }) => {
            let school = learners::school_of(&mut conn, learner_id).await?;
            actor
                .audit(
                    &mut conn,
                    AuditAction::Denied,
                    "learner",
                    Some(learner_id),
                    school,
                )
                .await?;
            return Err(ApiError::Store(StoreError::not_found("học sinh")));
        }
        Err(e) => return Err(e.into()),
    };
    let year = years::list(&mut conn)
        .await?
        .into_iter()
        .find(|y| y.code == year_code)
        .ok_or(ApiError::Store(StoreError::not_found("năm học")))?;
    audit::record(
        &mut conn,
        &actor.audit_actor(),
        &NewAuditEntry {
            action,
            entity: "learner",
            entity_id: Some(learner_id),
            org_id: Some(learner.school_id),
            detail: Some(format!("học bạ {year_code} ({what})")),
        },
    )
    .await?;
    let built = transcripts::build(&mut conn, learner_id, year.id).await?;
    let issued = transcripts::current(&mut conn, learner_id, year.id).await?;
    let signatures = match &issued {
        Some(i) => transcripts::signatures(&mut conn, i.id).await?,
        None => vec![],
    };
    let may_sign = match &built {
        Some(b) => signing_role(s, actor, b).await?,
        None => None,
    };
    Ok(TranscriptView {
        learner,
        year,
        built,
        issued,
        signatures,
        may_sign,
    })
}

/// The role in which the actor may sign this transcript: the principal of the learner's
/// school (within their reach), or the homeroom teacher of the class of the year result.
pub async fn signing_role(
    s: &AppState,
    actor: &Actor,
    built: &Built,
) -> ApiResult<Option<SignerRole>> {
    let Some(user) = &actor.user else {
        return Ok(None);
    };
    Ok(match actor.role {
        Some(Role::Principal) => {
            match orgs::get(&mut s.store.conn(), &actor.scope, built.school_id).await {
                Ok(_) => Some(SignerRole::Principal),
                Err(StoreError::NotFound { .. }) => None,
                Err(e) => return Err(e.into()),
            }
        }
        Some(Role::HomeroomTeacher)
            if user.staff_id.is_some() && user.staff_id == built.homeroom_staff_id =>
        {
            Some(SignerRole::HomeroomTeacher)
        }
        _ => None,
    })
}

/// Signs the learner's transcript of the year in the actor's signing role (issuing it, or
/// issuing it anew when the record changed since it was issued).
pub async fn sign_as_actor(
    s: &AppState,
    actor: &Actor,
    learner_id: i64,
    year_code: &str,
) -> ApiResult<(Issued, StoredSignature)> {
    let view = load(s, actor, learner_id, year_code, AuditAction::Read, "ký").await?;
    // Without a year result there is nothing to sign (and no class to lead).
    let Some(built) = &view.built else {
        return Err(StoreError::conflict(
            "school_year",
            "Học sinh chưa có kết quả năm học này (chưa tổng kết): chưa thể ký học bạ.",
        )
        .into());
    };
    let Some(role) = view.may_sign else {
        return Err(ApiError::Forbidden(
            "Chỉ giáo viên chủ nhiệm của lớp và hiệu trưởng của trường được ký học bạ này.".into(),
        ));
    };
    let user = actor.user.as_ref().ok_or(ApiError::Unauthorized)?;
    let mut tx = s.store.begin().await?;
    let signer = transcripts::signer_of(&mut tx.conn(), user).await?;
    let (issued, signature) =
        transcripts::sign(&mut tx, learner_id, view.year.id, role, &signer).await?;
    audit::record(
        &mut tx.conn(),
        &actor.audit_actor(),
        &NewAuditEntry {
            action: AuditAction::Update,
            entity: "learner",
            entity_id: Some(learner_id),
            org_id: Some(built.school_id),
            detail: Some(format!(
                "ký học bạ {year_code} ({}, mã băm {})",
                role.label_vi(),
                issued.json_sha256
            )),
        },
    )
    .await?;
    tx.commit().await?;
    Ok((issued, signature))
}

/// A signature as the API shows it.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct SignatureInfo {
    /// `homeroom_teacher` or `principal`.
    pub role: String,
    pub signer_name: String,
    pub signed_at: chrono::DateTime<chrono::Utc>,
    pub algorithm: String,
    pub public_key: String,
    pub signature: String,
}

impl From<&StoredSignature> for SignatureInfo {
    fn from(s: &StoredSignature) -> Self {
        SignatureInfo {
            role: s.role.clone(),
            signer_name: s.signer_name.clone(),
            signed_at: s.signed_at,
            algorithm: s.algorithm.clone(),
            public_key: s.public_key.clone(),
            signature: s.signature.clone(),
        }
    }
}

/// The issued document: its verification code and hash.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct IssuedInfo {
    pub verify_code: String,
    /// Path of the public verification page.
    pub verify_path: String,
    pub sha256: String,
    pub created_at: chrono::DateTime<chrono::Utc>,
    /// Whether the issued document is still the record (else it must be signed anew).
    pub current: bool,
    pub signatures: Vec<SignatureInfo>,
}

/// A learner's transcript for a school year.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct TranscriptStatus {
    pub learner_id: i64,
    pub school_year: String,
    /// The transcript as the record stands now; `null` before the year's results are computed.
    pub transcript: Option<Transcript>,
    /// The issued document being (or having been) signed, if any.
    pub issued: Option<IssuedInfo>,
    /// Signed by the homeroom teacher and the principal, and still the record.
    pub fully_signed: bool,
    /// The role in which the caller may sign (`homeroom_teacher`, `principal`), if any.
    pub may_sign: Option<SignerRole>,
}

fn status(view: &TranscriptView) -> TranscriptStatus {
    TranscriptStatus {
        learner_id: view.learner.id,
        school_year: view.year.code.clone(),
        transcript: view.built.as_ref().map(|b| b.transcript.clone()),
        issued: view.issued.as_ref().map(|i| IssuedInfo {
            verify_code: i.verify_code.clone(),
            verify_path: format!("/verify/{}", i.verify_code),
            sha256: i.json_sha256.clone(),
            created_at: i.created_at,
            current: view.issued_is_current(),
            signatures: view.signatures.iter().map(SignatureInfo::from).collect(),
        }),
        fully_signed: view.fully_signed(),
        may_sign: view.may_sign,
    }
}

/// Read a learner's transcript (học bạ) for a school year: the record now, the issued
/// document and its signatures. Audited as a read of the learner.
#[utoipa::path(get, path = "/learners/{id}/transcripts/{year_code}", tag = "transcripts",
    params(("id" = i64, Path), ("year_code" = String, Path, description = "Năm học, ví dụ 2025-2026")),
    responses((status = 200, body = TranscriptStatus), (status = 404, body = Problem)))]
async fn read(
    State(s): State<AppState>,
    actor: Actor,
    Path((id, year_code)): Path<(i64, String)>,
) -> ApiResult<Json<TranscriptStatus>> {
    let view = load(&s, &actor, id, &year_code, AuditAction::Read, "API").await?;
    Ok(Json(status(&view)))
}

/// Sign a learner's transcript for a school year as the homeroom teacher of the learner's
/// class or the principal of the school, with the caller's own key. The transcript is issued
/// at the first signature (or issued anew, superseding the old one, when the record changed).
#[utoipa::path(post, path = "/learners/{id}/transcripts/{year_code}/signatures", tag = "transcripts",
    params(("id" = i64, Path), ("year_code" = String, Path)),
    responses((status = 201, body = TranscriptStatus), (status = 403, body = Problem),
        (status = 404, body = Problem), (status = 409, body = Problem)))]
async fn sign(
    State(s): State<AppState>,
    actor: Actor,
    Path((id, year_code)): Path<(i64, String)>,
) -> ApiResult<(StatusCode, Json<TranscriptStatus>)> {
    sign_as_actor(&s, &actor, id, &year_code).await?;
    let view = load(&s, &actor, id, &year_code, AuditAction::Read, "API").await?;
    Ok((StatusCode::CREATED, Json(status(&view))))
}
