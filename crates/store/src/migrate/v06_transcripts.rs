//! Version 6, "transcripts": shipped; never edit (a test holds its SQL to `tests/store/migrations/`).

#[allow(unused_imports)]
use super::*;

pub(super) fn statements(backend: Backend) -> Vec<String> {
    let tables = [
        Table::create()
            .table(SigningKeys::Table)
            .col(id(SigningKeys::Id))
            .col(big(SigningKeys::UserId))
            .col(text(SigningKeys::Algorithm))
            .col(text(SigningKeys::PublicKey))
            // Reserved: the X.509 certificate (PEM) when the national PKI issues the key.
            .col(text_null(SigningKeys::Certificate))
            .col(timestamp(SigningKeys::CreatedAt))
            .col(
                ColumnDef::new(SigningKeys::RevokedAt)
                    .timestamp_with_time_zone()
                    .null(),
            )
            .foreign_key(&mut fk(
                SigningKeys::Table,
                SigningKeys::UserId,
                Users::Table,
                Users::Id,
                ForeignKeyAction::Restrict,
            ))
            .to_owned(),
        // Secret halves apart from the public ones (hex of the 32-byte Ed25519 seed): what an
        // HSM or the signer's own PKI token replaces; nothing that verifies reads it.
        Table::create()
            .table(SigningKeySecrets::Table)
            .col(
                ColumnDef::new(SigningKeySecrets::KeyId)
                    .big_integer()
                    .not_null()
                    .primary_key(),
            )
            .col(text(SigningKeySecrets::SecretKey))
            .foreign_key(&mut fk(
                SigningKeySecrets::Table,
                SigningKeySecrets::KeyId,
                SigningKeys::Table,
                SigningKeys::Id,
                ForeignKeyAction::Cascade,
            ))
            .to_owned(),
        // No foreign keys to learners or classes: an issued document outlives record changes.
        Table::create()
            .table(Transcripts::Table)
            .col(id(Transcripts::Id))
            .col(big(Transcripts::LearnerId))
            .col(big(Transcripts::SchoolYearId))
            .col(big(Transcripts::SchoolId))
            .col(ColumnDef::new(Transcripts::ClassId).big_integer().null())
            .col(text(Transcripts::VerifyCode))
            .col(text(Transcripts::CanonicalJson))
            .col(text(Transcripts::JsonSha256))
            .col(timestamp(Transcripts::CreatedAt))
            .col(
                ColumnDef::new(Transcripts::SupersededAt)
                    .timestamp_with_time_zone()
                    .null(),
            )
            .to_owned(),
        Table::create()
            .table(TranscriptSignatures::Table)
            .col(id(TranscriptSignatures::Id))
            .col(big(TranscriptSignatures::TranscriptId))
            .col(text(TranscriptSignatures::Role))
            .col(big(TranscriptSignatures::UserId))
            .col(text(TranscriptSignatures::SignerName))
            .col(big(TranscriptSignatures::KeyId))
            .col(text(TranscriptSignatures::Algorithm))
            .col(text(TranscriptSignatures::PublicKey))
            .col(text(TranscriptSignatures::Signature))
            .col(timestamp(TranscriptSignatures::SignedAt))
            .foreign_key(&mut fk(
                TranscriptSignatures::Table,
                TranscriptSignatures::TranscriptId,
                Transcripts::Table,
                Transcripts::Id,
                ForeignKeyAction::Restrict,
            ))
            .foreign_key(&mut fk(
                TranscriptSignatures::Table,
                TranscriptSignatures::KeyId,
                SigningKeys::Table,
                SigningKeys::Id,
                ForeignKeyAction::Restrict,
            ))
            .to_owned(),
    ];
    let indexes = [
        index(
            "ux_signing_keys_public",
            SigningKeys::Table,
            &[SigningKeys::PublicKey],
            true,
        ),
        index(
            "ix_signing_keys_user",
            SigningKeys::Table,
            &[SigningKeys::UserId],
            false,
        ),
        index(
            "ux_transcripts_verify_code",
            Transcripts::Table,
            &[Transcripts::VerifyCode],
            true,
        ),
        index(
            "ix_transcripts_learner",
            Transcripts::Table,
            &[Transcripts::LearnerId, Transcripts::SchoolYearId],
            false,
        ),
        index(
            "ux_transcript_signatures_role",
            TranscriptSignatures::Table,
            &[
                TranscriptSignatures::TranscriptId,
                TranscriptSignatures::Role,
            ],
            true,
        ),
    ];
    let mut out: Vec<String> = tables.iter().map(|t| render_table(backend, t)).collect();
    out.extend(indexes.iter().map(|i| render_index(backend, i)));
    // One current transcript per learner and year (the same SQL on both backends).
    out.push(
        "CREATE UNIQUE INDEX ux_transcripts_current ON transcripts (learner_id, school_year_id) WHERE superseded_at IS NULL"
            .into(),
    );
    out
}
