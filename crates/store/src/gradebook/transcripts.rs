//! E-transcripts (học bạ điện tử) in the database: building one from the stored year result,
//! issuing it (one current per learner × year; a changed record gets a new one that supersedes
//! the old), signing it with per-user keys, and verifying it — the stored bytes against their
//! hash, every signature against its key, and the document against a transcript built afresh
//! from the database now, so that a record changed after signing fails verification.
//! The document rules are `domain::gradebook::transcript`'s.

use chrono::{DateTime, SubsecRound, Utc};
use password_hash::rand_core::{OsRng, RngCore};
use sea_query::{Expr, ExprTrait, Order, Query};
use serde::Serialize;
use truongso_domain::gradebook::compute::YearSummary;
use truongso_domain::gradebook::transcript::{
    self, ALGORITHM, Header, SIGNATURE_FORMAT, SignedAttributes, SignerRole, Transcript, hex,
    sha256_hex,
};

use super::results::{stored_summary, to_rows};
use super::rows;
use crate::schema::{SigningKeySecrets, SigningKeys, TranscriptSignatures, Transcripts};
use crate::{Conn, Scope, StoreError, StoreResult, Tx, classes, learners, orgs, staff, years};

/// A transcript built from the database as it is now, with where it belongs.
#[derive(Debug, Clone, Serialize)]
pub struct Built {
    pub learner_id: i64,
    pub school_year_id: i64,
    pub school_id: i64,
    pub class_id: Option<i64>,
    /// The homeroom teacher (staff) of the class in the year result: who may sign as such.
    pub homeroom_staff_id: Option<i64>,
    pub transcript: Transcript,
}

/// An issued transcript.
#[derive(Debug, Clone, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct Issued {
    pub id: i64,
    pub learner_id: i64,
    pub school_year_id: i64,
    pub school_id: i64,
    pub class_id: Option<i64>,
    /// The code of the public verification page (`/verify/{code}`).
    pub verify_code: String,
    /// The signed document: canonical JSON.
    pub canonical_json: String,
    pub json_sha256: String,
    pub created_at: DateTime<Utc>,
    pub superseded_at: Option<DateTime<Utc>>,
}

/// One signature of a transcript.
#[derive(Debug, Clone, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct StoredSignature {
    pub id: i64,
    pub transcript_id: i64,
    /// `homeroom_teacher` or `principal`.
    pub role: String,
    pub user_id: i64,
    pub signer_name: String,
    pub key_id: i64,
    pub algorithm: String,
    /// Hex of the Ed25519 public key.
    pub public_key: String,
    /// Hex of the signature over the canonical signed attributes.
    pub signature: String,
    pub signed_at: DateTime<Utc>,
}

impl StoredSignature {
    pub fn role(&self) -> Option<SignerRole> {
        SignerRole::from_code(&self.role)
    }

    /// What was signed (rebuilt from the columns and the document's hash).
    pub fn message(&self, document_sha256: &str) -> String {
        SignedAttributes {
            format: SIGNATURE_FORMAT,
            algorithm: &self.algorithm,
            document_sha256,
            role: &self.role,
            signer_name: &self.signer_name,
            signed_at: &transcript::signing_time(self.signed_at),
        }
        .canonical_json()
    }
}

/// The year result parsed back from its stored JSON (`{"result": …, "year": YearSummary}`).
fn parse_summary(json: &str) -> StoreResult<YearSummary> {
    let value: serde_json::Value =
        serde_json::from_str(json).map_err(|e| damaged(format!("year result JSON: {e}")))?;
    serde_json::from_value(value.get("year").cloned().unwrap_or_default())
        .map_err(|e| damaged(format!("year result JSON: {e}")))
}

/// Stored data that cannot be read back: a database failure for the caller.
fn damaged(message: String) -> StoreError {
    StoreError::Database(sqlx::Error::Decode(message.into()))
}

/// Builds the transcript of a learner's year from the stored year result, the records' names
/// and the gradebook rows (comments, primary ratings). `None` when the year has no stored
/// result yet.
pub async fn build(
    conn: &mut Conn<'_>,
    learner_id: i64,
    school_year_id: i64,
) -> StoreResult<Option<Built>> {
    let Some(record) = stored_summary(conn, learner_id, school_year_id).await? else {
        return Ok(None);
    };
    let summary = parse_summary(&record.summary)?;
    let learner = learners::get(conn, &Scope::All, learner_id).await?;
    let school = orgs::get(conn, &Scope::All, record.school_id).await?;
    let authority = match school.parent_id {
        Some(p) => orgs::get(conn, &Scope::All, p).await?.name,
        None => String::new(),
    };
    let class = match record.class_id {
        Some(id) => Some(classes::get(conn, &Scope::All, id).await?),
        None => None,
    };
    let year = years::get(conn, school_year_id).await?;
    let stored = rows::of_learners(conn, &[learner_id], school_year_id, None, None).await?;
    let rows = to_rows(&stored.iter().collect::<Vec<_>>());
    let header = Header {
        learner_name: learner.full_name,
        learner_code: learner.learner_code,
        birth_date: learner.birth_date,
        gender: learner.gender,
        school_code: school.code,
        school_name: school.name,
        authority_name: authority,
        class_name: class.as_ref().map(|c| c.name.clone()).unwrap_or_default(),
        grade: record.grade.clamp(0, 12) as u8,
        school_year: year.code,
    };
    Ok(Some(Built {
        learner_id,
        school_year_id,
        school_id: record.school_id,
        class_id: record.class_id,
        homeroom_staff_id: class.and_then(|c| c.homeroom_staff_id),
        transcript: Transcript::build(&header, &summary, &rows),
    }))
}

const ISSUED_COLUMNS: [Transcripts; 10] = [
    Transcripts::Id,
    Transcripts::LearnerId,
    Transcripts::SchoolYearId,
    Transcripts::SchoolId,
    Transcripts::ClassId,
    Transcripts::VerifyCode,
    Transcripts::CanonicalJson,
    Transcripts::JsonSha256,
    Transcripts::CreatedAt,
    Transcripts::SupersededAt,
];

/// The current (not superseded) transcript of a learner's year, if one was issued.
pub async fn current(
    conn: &mut Conn<'_>,
    learner_id: i64,
    school_year_id: i64,
) -> StoreResult<Option<Issued>> {
    conn.fetch_optional(
        Query::select()
            .columns(ISSUED_COLUMNS)
            .from(Transcripts::Table)
            .and_where(Expr::col(Transcripts::LearnerId).eq(learner_id))
            .and_where(Expr::col(Transcripts::SchoolYearId).eq(school_year_id))
            .and_where(Expr::col(Transcripts::SupersededAt).is_null()),
    )
    .await
}

/// A transcript by the code of its verification page.
pub async fn by_code(conn: &mut Conn<'_>, code: &str) -> StoreResult<Option<Issued>> {
    if code.is_empty() || code.len() > 64 {
        return Ok(None);
    }
    conn.fetch_optional(
        Query::select()
            .columns(ISSUED_COLUMNS)
            .from(Transcripts::Table)
            .and_where(Expr::col(Transcripts::VerifyCode).eq(code)),
    )
    .await
}

pub async fn signatures(
    conn: &mut Conn<'_>,
    transcript_id: i64,
) -> StoreResult<Vec<StoredSignature>> {
    conn.fetch_all(
        Query::select()
            .columns([
                TranscriptSignatures::Id,
                TranscriptSignatures::TranscriptId,
                TranscriptSignatures::Role,
                TranscriptSignatures::UserId,
                TranscriptSignatures::SignerName,
                TranscriptSignatures::KeyId,
                TranscriptSignatures::Algorithm,
                TranscriptSignatures::PublicKey,
                TranscriptSignatures::Signature,
                TranscriptSignatures::SignedAt,
            ])
            .from(TranscriptSignatures::Table)
            .and_where(Expr::col(TranscriptSignatures::TranscriptId).eq(transcript_id))
            .order_by(TranscriptSignatures::SignedAt, Order::Asc)
            .order_by(TranscriptSignatures::Id, Order::Asc),
    )
    .await
}

/// 128 random bits, lower-case hex: the unguessable code of a verification page.
fn new_verify_code() -> String {
    let mut bytes = [0u8; 16];
    OsRng.fill_bytes(&mut bytes);
    hex(&bytes)
}

/// Issues the transcript of a learner's year as the database has it now: returns the current
/// one when its document is unchanged, else writes a new one that supersedes it (whose
/// signatures then no longer count). Refused while the year is not decided.
pub async fn issue(tx: &mut Tx, learner_id: i64, school_year_id: i64) -> StoreResult<Issued> {
    let Some(built) = build(&mut tx.conn(), learner_id, school_year_id).await? else {
        return Err(StoreError::conflict(
            "school_year",
            "Học sinh chưa có kết quả năm học này (chưa tổng kết): chưa thể lập học bạ.",
        ));
    };
    if !built.transcript.is_complete() {
        let missing = built.transcript.missing.join(", ");
        return Err(StoreError::conflict(
            "school_year",
            if missing.is_empty() {
                "Kết quả năm học chưa được quyết định: chưa thể lập học bạ.".to_string()
            } else {
                format!("Sổ điểm còn thiếu: {missing}. Chưa thể lập học bạ.")
            },
        ));
    }
    let json = built.transcript.canonical_json();
    let sha = sha256_hex(&json);
    let now = Utc::now();
    if let Some(cur) = current(&mut tx.conn(), learner_id, school_year_id).await? {
        if cur.json_sha256 == sha && cur.canonical_json == json {
            return Ok(cur);
        }
        tx.conn()
            .execute(
                Query::update()
                    .table(Transcripts::Table)
                    .value(Transcripts::SupersededAt, now)
                    .and_where(Expr::col(Transcripts::Id).eq(cur.id)),
            )
            .await?;
    }
    let code = new_verify_code();
    let (id,): (i64,) = tx
        .conn()
        .fetch_one(
            Query::insert()
                .into_table(Transcripts::Table)
                .columns([
                    Transcripts::LearnerId,
                    Transcripts::SchoolYearId,
                    Transcripts::SchoolId,
                    Transcripts::ClassId,
                    Transcripts::VerifyCode,
                    Transcripts::CanonicalJson,
                    Transcripts::JsonSha256,
                    Transcripts::CreatedAt,
                ])
                .values_panic([
                    learner_id.into(),
                    school_year_id.into(),
                    built.school_id.into(),
                    built.class_id.into(),
                    code.clone().into(),
                    json.clone().into(),
                    sha.clone().into(),
                    now.into(),
                ])
                .returning_col(Transcripts::Id),
        )
        .await?;
    Ok(Issued {
        id,
        learner_id,
        school_year_id,
        school_id: built.school_id,
        class_id: built.class_id,
        verify_code: code,
        canonical_json: json,
        json_sha256: sha,
        created_at: now,
        superseded_at: None,
    })
}

/// A user's active signing key: (key id, public key hex, secret seed).
async fn key_of(tx: &mut Tx, user_id: i64) -> StoreResult<(i64, String, [u8; 32])> {
    let found: Option<(i64, String, String)> = tx
        .conn()
        .fetch_optional(
            Query::select()
                .column((SigningKeys::Table, SigningKeys::Id))
                .column((SigningKeys::Table, SigningKeys::PublicKey))
                .column((SigningKeySecrets::Table, SigningKeySecrets::SecretKey))
                .from(SigningKeys::Table)
                .inner_join(
                    SigningKeySecrets::Table,
                    Expr::col((SigningKeySecrets::Table, SigningKeySecrets::KeyId))
                        .equals((SigningKeys::Table, SigningKeys::Id)),
                )
                .and_where(Expr::col((SigningKeys::Table, SigningKeys::UserId)).eq(user_id))
                .and_where(Expr::col((SigningKeys::Table, SigningKeys::RevokedAt)).is_null())
                .and_where(Expr::col((SigningKeys::Table, SigningKeys::Algorithm)).eq(ALGORITHM))
                .order_by((SigningKeys::Table, SigningKeys::Id), Order::Desc)
                .limit(1),
        )
        .await?;
    if let Some((id, public, secret)) = found {
        let seed = transcript::unhex(&secret)
            .and_then(|b| <[u8; 32]>::try_from(b).ok())
            .ok_or_else(|| damaged(format!("signing key {id} is damaged")))?;
        return Ok((id, public, seed));
    }
    let mut seed = [0u8; 32];
    OsRng.fill_bytes(&mut seed);
    let public = transcript::public_key_hex(&seed);
    let (id,): (i64,) = tx
        .conn()
        .fetch_one(
            Query::insert()
                .into_table(SigningKeys::Table)
                .columns([
                    SigningKeys::UserId,
                    SigningKeys::Algorithm,
                    SigningKeys::PublicKey,
                    SigningKeys::CreatedAt,
                ])
                .values_panic([
                    user_id.into(),
                    ALGORITHM.into(),
                    public.clone().into(),
                    Utc::now().into(),
                ])
                .returning_col(SigningKeys::Id),
        )
        .await?;
    tx.conn()
        .execute(
            Query::insert()
                .into_table(SigningKeySecrets::Table)
                .columns([SigningKeySecrets::KeyId, SigningKeySecrets::SecretKey])
                .values_panic([id.into(), hex(&seed).into()]),
        )
        .await?;
    Ok((id, public, seed))
}

/// Who signs: the account and the name printed under the signature.
#[derive(Debug, Clone)]
pub struct Signer {
    pub user_id: i64,
    pub name: String,
}

/// The name a signer signs with: their staff record's full name, else the account's name.
pub async fn signer_of(conn: &mut Conn<'_>, user: &crate::users::User) -> StoreResult<Signer> {
    let name = match user.staff_id {
        Some(id) => staff::get(conn, &Scope::All, id).await?.full_name,
        None => user.display_name.clone(),
    };
    Ok(Signer {
        user_id: user.id,
        name,
    })
}

/// Signs the current transcript of a learner's year in `role` (issuing it first, or anew when
/// the record changed). Whether this signer may sign in this role is the caller's decision.
pub async fn sign(
    tx: &mut Tx,
    learner_id: i64,
    school_year_id: i64,
    role: SignerRole,
    signer: &Signer,
) -> StoreResult<(Issued, StoredSignature)> {
    let issued = issue(tx, learner_id, school_year_id).await?;
    let existing = signatures(&mut tx.conn(), issued.id).await?;
    if let Some(s) = existing.iter().find(|s| s.role == role.code()) {
        return Err(StoreError::conflict(
            "role",
            format!(
                "Học bạ này đã được {} ký ({}, {}).",
                role.label_vi().to_lowercase(),
                s.signer_name,
                s.signed_at.format("%d/%m/%Y %H:%M UTC")
            ),
        ));
    }
    let (key_id, public, seed) = key_of(tx, signer.user_id).await?;
    let signed_at = Utc::now().trunc_subsecs(0);
    let mut sig = StoredSignature {
        id: 0,
        transcript_id: issued.id,
        role: role.code().into(),
        user_id: signer.user_id,
        signer_name: signer.name.clone(),
        key_id,
        algorithm: ALGORITHM.into(),
        public_key: public,
        signature: String::new(),
        signed_at,
    };
    sig.signature = transcript::sign(&seed, &sig.message(&issued.json_sha256));
    let (id,): (i64,) = tx
        .conn()
        .fetch_one(
            Query::insert()
                .into_table(TranscriptSignatures::Table)
                .columns([
                    TranscriptSignatures::TranscriptId,
                    TranscriptSignatures::Role,
                    TranscriptSignatures::UserId,
                    TranscriptSignatures::SignerName,
                    TranscriptSignatures::KeyId,
                    TranscriptSignatures::Algorithm,
                    TranscriptSignatures::PublicKey,
                    TranscriptSignatures::Signature,
                    TranscriptSignatures::SignedAt,
                ])
                .values_panic([
                    sig.transcript_id.into(),
                    sig.role.clone().into(),
                    sig.user_id.into(),
                    sig.signer_name.clone().into(),
                    sig.key_id.into(),
                    sig.algorithm.clone().into(),
                    sig.public_key.clone().into(),
                    sig.signature.clone().into(),
                    sig.signed_at.into(),
                ])
                .returning_col(TranscriptSignatures::Id),
        )
        .await?;
    sig.id = id;
    Ok((issued, sig))
}

/// One signature as verified.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct SignatureCheck {
    pub role: String,
    pub role_label: String,
    pub signer_name: String,
    pub signed_at: DateTime<Utc>,
    pub public_key: String,
    /// The signature verifies against the key, over this document's hash.
    pub valid: bool,
    /// The key is the signer's registered key and was not revoked before the signature.
    pub key_registered: bool,
}

/// The outcome of verifying an issued transcript.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Verification {
    #[schema(value_type = Object)]
    pub issued: Issued,
    /// The stored document (`None` when it no longer parses: tampered).
    #[schema(value_type = Option<Object>)]
    pub document: Option<Transcript>,
    /// SHA-256 of the stored document as it is now.
    pub sha256: String,
    /// The stored document still has the hash recorded when it was issued.
    pub hash_ok: bool,
    pub signatures: Vec<SignatureCheck>,
    /// The document equals a transcript built from the database now.
    pub matches_record: bool,
    /// Parts of the document that differ from the record now (Vietnamese names).
    pub changed_parts: Vec<String>,
    /// Both the homeroom teacher and the principal signed.
    pub fully_signed: bool,
    pub superseded: bool,
    /// Every check passed.
    pub valid: bool,
    /// Why it is not valid (Vietnamese, for the page).
    pub problems: Vec<String>,
}

fn part_name(key: &str) -> &str {
    match key {
        "learner" => "thông tin học sinh",
        "school" => "thông tin trường",
        "class_name" | "grade" => "lớp",
        "school_year" => "năm học",
        "subjects" => "kết quả các môn học và nhận xét",
        "traits" => "phẩm chất, năng lực",
        "conduct" => "kết quả rèn luyện",
        "learning" => "kết quả học tập",
        "absences" => "số buổi nghỉ",
        "primary_result" => "kết quả cuối năm",
        "award" => "khen thưởng",
        "outcome" | "outcome_code" | "retest_subjects" => "quyết định lên lớp",
        "homeroom_comment" => "nhận xét của giáo viên chủ nhiệm",
        "missing" => "mức độ hoàn thành sổ điểm",
        other => other,
    }
}

/// Verifies a transcript by the code of its verification page; `None` for an unknown code.
pub async fn verify(conn: &mut Conn<'_>, code: &str) -> StoreResult<Option<Verification>> {
    let Some(issued) = by_code(conn, code).await? else {
        return Ok(None);
    };
    let mut problems = Vec::new();
    let sha = sha256_hex(&issued.canonical_json);
    let document = Transcript::from_json(&issued.canonical_json).ok();
    // The stored bytes must be exactly the canonical form of what they say, with the hash
    // recorded at issue.
    let canonical = document
        .as_ref()
        .is_some_and(|d| d.canonical_json() == issued.canonical_json);
    let hash_ok = canonical && sha == issued.json_sha256;
    if !hash_ok {
        problems
            .push("Nội dung học bạ đã bị sửa sau khi lập (mã băm SHA-256 không khớp).".to_string());
    }
    let mut checks = Vec::new();
    for s in signatures(conn, issued.id).await? {
        // Verified over the hash of the document as stored now.
        let valid = transcript::verify(&s.public_key, &s.message(&sha), &s.signature);
        let registered: Option<(i64, Option<DateTime<Utc>>)> = conn
            .fetch_optional(
                Query::select()
                    .columns([SigningKeys::Id, SigningKeys::RevokedAt])
                    .from(SigningKeys::Table)
                    .and_where(Expr::col(SigningKeys::Id).eq(s.key_id))
                    .and_where(Expr::col(SigningKeys::UserId).eq(s.user_id))
                    .and_where(Expr::col(SigningKeys::PublicKey).eq(s.public_key.clone())),
            )
            .await?;
        let key_registered =
            registered.is_some_and(|(_, revoked)| revoked.is_none_or(|r| r > s.signed_at));
        let role = s.role();
        let role_label = role.map_or(s.role.clone(), |r| r.label_vi().to_string());
        if !valid {
            problems.push(format!(
                "Chữ ký của {} ({}) không khớp với nội dung học bạ.",
                role_label.to_lowercase(),
                s.signer_name
            ));
        } else if !key_registered {
            problems.push(format!(
                "Khoá ký của {} ({}) không phải khoá đã đăng ký của người ký hoặc đã bị thu hồi.",
                role_label.to_lowercase(),
                s.signer_name
            ));
        }
        checks.push(SignatureCheck {
            role: s.role.clone(),
            role_label,
            signer_name: s.signer_name,
            signed_at: s.signed_at,
            public_key: s.public_key,
            valid,
            key_registered,
        });
    }
    let fully_signed = SignerRole::ALL
        .iter()
        .all(|r| checks.iter().any(|c| c.role == r.code() && c.valid));
    if !fully_signed {
        let unsigned: Vec<&str> = SignerRole::ALL
            .iter()
            .filter(|r| !checks.iter().any(|c| c.role == r.code()))
            .map(|r| r.label_vi())
            .collect();
        if !unsigned.is_empty() {
            problems.push(format!(
                "Chưa đủ chữ ký: còn thiếu {}.",
                unsigned.join(", ")
            ));
        }
    }
    // The record now: a transcript built afresh must be the same document.
    let fresh = build(conn, issued.learner_id, issued.school_year_id).await?;
    let changed_parts: Vec<String> = match (&fresh, &document) {
        (Some(f), Some(d)) => {
            let now = serde_json::to_value(&f.transcript).unwrap_or_default();
            let then = serde_json::to_value(d).unwrap_or_default();
            let keys: std::collections::BTreeSet<&String> = now
                .as_object()
                .into_iter()
                .chain(then.as_object())
                .flat_map(|m| m.keys())
                .collect();
            let mut parts: Vec<String> = keys
                .into_iter()
                .filter(|k| now.get(k.as_str()) != then.get(k.as_str()))
                .map(|k| part_name(k).to_string())
                .collect();
            parts.dedup();
            parts
        }
        (None, _) => vec!["kết quả năm học (không còn trong cơ sở dữ liệu)".to_string()],
        (Some(_), None) => vec!["toàn bộ".to_string()],
    };
    let matches_record = changed_parts.is_empty()
        && fresh.is_some_and(|f| f.transcript.canonical_json() == issued.canonical_json);
    if !matches_record {
        problems.push(if changed_parts.is_empty() {
            "Hồ sơ học tập trong cơ sở dữ liệu đã thay đổi sau khi ký.".to_string()
        } else {
            format!(
                "Hồ sơ học tập trong cơ sở dữ liệu đã thay đổi sau khi ký ({}).",
                changed_parts.join(", ")
            )
        });
    }
    let superseded = issued.superseded_at.is_some();
    if superseded {
        problems.push("Bản học bạ này đã được thay thế bằng một bản mới hơn.".to_string());
    }
    let valid = hash_ok
        && fully_signed
        && matches_record
        && !superseded
        && checks.iter().all(|c| c.valid && c.key_registered);
    Ok(Some(Verification {
        issued,
        document,
        sha256: sha,
        hash_ok,
        signatures: checks,
        matches_record,
        changed_parts,
        fully_signed,
        superseded,
        valid,
        problems,
    }))
}
