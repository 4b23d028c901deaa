//! Table and column names, shared by migrations and queries (sea-query identifiers).
//! `Table` renders as the snake-case table name, every other variant as its column.

use sea_query::Iden;

#[derive(Iden, Clone, Copy)]
pub enum AdminUnits {
    Table,
    Id,
    Scheme,
    Level,
    Code,
    Name,
    Kind,
    ParentCode,
    Lat,
    Lon,
}

#[derive(Iden, Clone, Copy)]
pub enum AdminUnitSuccessions {
    Table,
    LegacyWardCode,
    WardCode2025,
    Kind,
}

#[derive(Iden, Clone, Copy)]
pub enum OrgUnits {
    Table,
    Id,
    ParentId,
    Kind,
    Code,
    Name,
    NameFold,
    Path,
    Depth,
    WardCode,
    Address,
    Lat,
    Lon,
    Levels,
    Ownership,
    CreatedAt,
    UpdatedAt,
}

#[derive(Iden, Clone, Copy)]
pub enum OrgUnitParents {
    Table,
    Id,
    OrgUnitId,
    ParentId,
    ValidFrom,
    ValidTo,
    Reason,
}

#[derive(Iden, Clone, Copy)]
pub enum SchoolYears {
    Table,
    Id,
    Code,
    StartYear,
    StartsOn,
    EndsOn,
    IsCurrent,
}

#[derive(Iden, Clone, Copy)]
pub enum Terms {
    Table,
    Id,
    SchoolYearId,
    Code,
    Name,
    StartsOn,
    EndsOn,
}

#[derive(Iden, Clone, Copy)]
pub enum Staff {
    Table,
    Id,
    OrgUnitId,
    NationalId,
    FullName,
    NameFold,
    SortKey,
    BirthDate,
    Gender,
    EthnicityCode,
    Position,
    Qualification,
    EmploymentType,
    Subjects,
    Phone,
    Email,
    CreatedAt,
    UpdatedAt,
}

#[derive(Iden, Clone, Copy)]
pub enum Classes {
    Table,
    Id,
    OrgUnitId,
    SiteId,
    SchoolYearId,
    Grade,
    Name,
    HomeroomStaffId,
    CreatedAt,
    UpdatedAt,
}

#[derive(Iden, Clone, Copy)]
pub enum Learners {
    Table,
    Id,
    LearnerCode,
    NationalId,
    FullName,
    NameFold,
    SortKey,
    BirthDate,
    Gender,
    EthnicityCode,
    Nationality,
    Religion,
    Address,
    WardCode,
    Disability,
    PolicyGroup,
    SchoolId,
    CreatedAt,
    UpdatedAt,
}

#[derive(Iden, Clone, Copy)]
pub enum Guardians {
    Table,
    Id,
    LearnerId,
    Position,
    Relation,
    FullName,
    Phone,
    Email,
    NationalId,
}

#[derive(Iden, Clone, Copy)]
pub enum Enrolments {
    Table,
    Id,
    LearnerId,
    SchoolYearId,
    SchoolId,
    ClassId,
    Status,
    UpdatedAt,
}

#[derive(Iden, Clone, Copy)]
pub enum EnrolmentEvents {
    Table,
    Id,
    EnrolmentId,
    Status,
    EffectiveOn,
    Reason,
    CreatedAt,
}

#[derive(Iden, Clone, Copy)]
pub enum Counters {
    Table,
    Name,
    Value,
}

#[derive(Iden, Clone, Copy)]
pub enum Users {
    Table,
    Id,
    Username,
    PasswordHash,
    DisplayName,
    Role,
    ScopeOrgId,
    StaffId,
    CreatedAt,
    // Added by the access migration.
    TotpSecret,
    FailedLogins,
    LockedUntil,
    PasswordChangedAt,
    TotpLastStep,
    // Added by the account-security migration.
    MustChangePassword,
}

/// Facts about this installation itself, by key (whether the demo seed finished…).
#[derive(Iden, Clone, Copy)]
pub enum InstanceMeta {
    Table,
    Key,
    Value,
    UpdatedAt,
}

/// Browsers where an account has signed in before ("remembered devices"): the lockout of an
/// account after wrong passwords does not apply to them, so a stranger cannot lock the owner
/// out. Only the digest of the device cookie is stored.
#[derive(Iden, Clone, Copy)]
pub enum KnownDevices {
    Table,
    Id,
    UserId,
    CreatedAt,
    LastUsedAt,
    FailedLogins,
}

#[derive(Iden, Clone, Copy)]
pub enum UserLearners {
    Table,
    UserId,
    LearnerId,
}

#[derive(Iden, Clone, Copy)]
pub enum SchemaMigrations {
    Table,
    Version,
    Name,
    AppliedAt,
}

#[derive(Iden, Clone, Copy)]
pub enum Sessions {
    Table,
    Id,
    UserId,
    CsrfToken,
    SecondFactorDone,
    CreatedAt,
    ExpiresAt,
    LastSeenAt,
    Client,
}

#[derive(Iden, Clone, Copy)]
pub enum ApiTokens {
    Table,
    Id,
    UserId,
    Name,
    TokenHash,
    CreatedAt,
    ExpiresAt,
    RevokedAt,
    LastUsedAt,
}

#[derive(Iden, Clone, Copy)]
pub enum AuditLog {
    Table,
    Id,
    At,
    UserId,
    Username,
    Role,
    Action,
    Entity,
    EntityId,
    OrgId,
    Client,
    Detail,
}

#[derive(Iden, Clone, Copy)]
pub enum Consents {
    Table,
    Id,
    LearnerId,
    Purpose,
    GivenBy,
    Relation,
    LearnerAgreed,
    GivenAt,
    WithdrawnAt,
    WithdrawnBy,
    RecordedByUserId,
    Note,
}

#[derive(Iden, Clone, Copy)]
pub enum TeachingAssignments {
    Table,
    Id,
    SchoolYearId,
    ClassId,
    StaffId,
    SubjectCode,
}

// Data quality (migration 3).

#[derive(Iden, Clone, Copy)]
pub enum QualityIssues {
    Table,
    Id,
    Rule,
    Severity,
    Entity,
    LearnerId,
    ClassId,
    SchoolId,
    Detail,
    FoundAt,
}

/// One row per learner: completeness and issue counts, for class and school roll-ups.
#[derive(Iden, Clone, Copy)]
pub enum QualityLearners {
    Table,
    LearnerId,
    SchoolId,
    ClassId,
    Grade,
    Filled,
    Expected,
    Errors,
    Warnings,
    Infos,
    IdEligible,
    IdExit,
    IdValid,
    CheckedAt,
}

/// One row per school: the roll-up the dashboards add up over the tree.
#[derive(Iden, Clone, Copy)]
pub enum QualitySchools {
    Table,
    SchoolId,
    Learners,
    Filled,
    Expected,
    Clean,
    Errors,
    Warnings,
    Infos,
    IdEligible,
    IdValid,
    IdExitEligible,
    IdExitValid,
    CheckedAt,
}

#[derive(Iden, Clone, Copy)]
pub enum QualitySchoolRules {
    Table,
    SchoolId,
    Rule,
    Severity,
    Issues,
}

#[derive(Iden, Clone, Copy)]
pub enum QualityRuleSettings {
    Table,
    Rule,
    Enabled,
    Severity,
    UpdatedBy,
    UpdatedAt,
}

#[derive(Iden, Clone, Copy)]
pub enum QualitySettingValues {
    Table,
    Name,
    Value,
    UpdatedBy,
    UpdatedAt,
}

#[derive(Iden, Clone, Copy)]
pub enum QualityDuplicates {
    Table,
    Id,
    NationalId,
    LearnerA,
    LearnerB,
    SchoolA,
    SchoolB,
    Status,
    CurrentLearnerId,
    DecidedByUserId,
    DecidedBy,
    DecidedAt,
    Note,
    FoundAt,
}

// Gradebook (migration 5).

/// Per school, year and grade: a subject's periods per year (and so its regular assessments).
/// Missing rows mean the programme's defaults.
#[derive(Iden, Clone, Copy)]
pub enum SubjectPlans {
    Table,
    SchoolId,
    SchoolYearId,
    Grade,
    SubjectCode,
    Periods,
    RegularCount,
    UpdatedAt,
}

/// The current cells of one learner × item × term (see `domain::gradebook`). `Fin` and
/// `TestFin` hold the slots called `end` and `test_end` (END is an SQL keyword).
#[derive(Iden, Clone, Copy)]
pub enum GradeRows {
    Table,
    Id,
    LearnerId,
    SchoolYearId,
    SchoolId,
    ClassId,
    Item,
    Term,
    R1,
    R2,
    R3,
    R4,
    Mid,
    TestMid,
    Fin,
    TestFin,
    Comment,
    Version,
    UpdatedAt,
    UpdatedBy,
}

/// The hash-chained, append-only history: one event per save, lock, unlock, publication or
/// year-end computation, in its school's chain.
#[derive(Iden, Clone, Copy)]
pub enum GradeEvents {
    Table,
    Id,
    ChainId,
    Seq,
    At,
    ActorUserId,
    Actor,
    Source,
    Action,
    SchoolYearId,
    Reason,
    Detail,
    PrevHash,
    Hash,
}

/// The rows an event changed, with their cells before and after (canonical JSON).
#[derive(Iden, Clone, Copy)]
pub enum GradeChanges {
    Table,
    Id,
    ChainId,
    Seq,
    LearnerId,
    Item,
    Term,
    Before,
    After,
}

/// The last event of each chain: appending locks this row, and a deleted last event shows.
#[derive(Iden, Clone, Copy)]
pub enum GradeChains {
    Table,
    ChainId,
    LastSeq,
    LastHash,
}

/// Per school, year and term: the deadline, the lock and the publication to guardians.
#[derive(Iden, Clone, Copy)]
pub enum GradeTerms {
    Table,
    SchoolId,
    SchoolYearId,
    Term,
    Deadline,
    LockedAt,
    LockedBy,
    PublishedAt,
    PublishedBy,
}

/// Each learner's year as last computed from the gradebook (`domain::gradebook::compute`).
#[derive(Iden, Clone, Copy)]
pub enum YearResults {
    Table,
    LearnerId,
    SchoolYearId,
    SchoolId,
    ClassId,
    Grade,
    Learning,
    Conduct,
    FinalLearning,
    FinalConduct,
    Absences,
    Award,
    PrimaryResult,
    Outcome,
    Summary,
    ComputedAt,
}

/// A user's signing keys (today Ed25519, one active per user). Only the public half lives
/// here; the secret half is in [`SigningKeySecrets`]. `certificate` is reserved for the
/// X.509 certificate of the national PKI, when keys come from it.
#[derive(Iden, Clone, Copy)]
pub enum SigningKeys {
    Table,
    Id,
    UserId,
    Algorithm,
    PublicKey,
    Certificate,
    CreatedAt,
    RevokedAt,
}

/// The secret halves of server-held signing keys, apart from the public ones so that they can
/// move to an HSM (or be replaced by the signer's own PKI token) without touching anything
/// that verification reads.
#[derive(Iden, Clone, Copy)]
pub enum SigningKeySecrets {
    Table,
    KeyId,
    SecretKey,
}

/// Issued e-transcripts (học bạ): the canonical JSON that is signed, its SHA-256 and the
/// unguessable code of its public verification page. One current per learner × year; a new
/// one supersedes it when the record changes.
#[derive(Iden, Clone, Copy)]
pub enum Transcripts {
    Table,
    Id,
    LearnerId,
    SchoolYearId,
    SchoolId,
    ClassId,
    VerifyCode,
    CanonicalJson,
    JsonSha256,
    CreatedAt,
    SupersededAt,
}

/// One signature of a transcript per role (homeroom teacher, principal).
#[derive(Iden, Clone, Copy)]
pub enum TranscriptSignatures {
    Table,
    Id,
    TranscriptId,
    Role,
    UserId,
    SignerName,
    KeyId,
    Algorithm,
    PublicKey,
    Signature,
    SignedAt,
}

/// Statistical reports frozen ("chốt") by a school or office: the figures of every school counted,
/// as they were when submitted. Rows are only ever added (a re-submission is a new version).
#[derive(Iden, Clone, Copy)]
pub enum StatSubmissions {
    Table,
    Id,
    UnitId,
    Kind,
    SchoolYearId,
    AsOf,
    Version,
    Figures,
    Schools,
    SubmittedBy,
    SubmittedByName,
    SubmittedAt,
    Note,
}

/// Self-assessments of the digital-maturity index (Decision 4725): one per school × school
/// year × criteria version. Scores and levels are stored when submitted.
#[derive(Iden, Clone, Copy)]
pub enum DxAssessments {
    Table,
    Id,
    SchoolId,
    SchoolYearId,
    CriteriaVersion,
    Status,
    TeachingScore,
    ManagementScore,
    TeachingLevel,
    ManagementLevel,
    Level,
    SubmittedBy,
    SubmittedAt,
    ReviewedBy,
    ReviewedAt,
    ReviewComment,
    CreatedAt,
    UpdatedAt,
}

/// A declared answer per indicator, with the school's note and a link to evidence elsewhere.
#[derive(Iden, Clone, Copy)]
pub enum DxAnswers {
    Table,
    Id,
    AssessmentId,
    IndicatorCode,
    Value,
    Note,
    Link,
    UpdatedAt,
}

/// Evidence files per indicator, their bytes in the database (at most 5 MB, type by content).
#[derive(Iden, Clone, Copy)]
pub enum DxEvidence {
    Table,
    Id,
    AssessmentId,
    IndicatorCode,
    FileName,
    ContentType,
    Size,
    Content,
    UploadedBy,
    UploadedAt,
}

/// The reviewer's comment on an indicator (the latest review's).
#[derive(Iden, Clone, Copy)]
pub enum DxReviewComments {
    Table,
    Id,
    AssessmentId,
    IndicatorCode,
    Comment,
    Author,
    CreatedAt,
}

// Plan targets (migration 9).

/// The plan-target indicators in force (seeded from `domain/data/plan-targets.toml`).
#[derive(Iden, Clone, Copy)]
pub enum TargetIndicators {
    Table,
    Code,
    Position,
    Name,
    NameEn,
    Formula,
    Target,
    TargetHardArea,
    Deadline,
    Levels,
    Grades,
    ScopeNote,
    Source,
    Needs,
    UpdatedBy,
    UpdatedAt,
}

/// One row per snapshot day: when it was taken and whether it was measured or is demo history.
#[derive(Iden, Clone, Copy)]
pub enum TargetSnapshots {
    Table,
    TakenOn,
    Origin,
    TakenAt,
}

/// The metric values of each school on a snapshot day (grade 0 for metrics not counted by
/// grade; zero values are not stored). Written once per day, never updated.
#[derive(Iden, Clone, Copy)]
pub enum TargetValues {
    Table,
    TakenOn,
    SchoolId,
    Metric,
    Grade,
    Value,
}

// Admission to grades 1, 6 and 10 (migration 10).

/// An admission campaign (đợt tuyển sinh): one entry grade of one school year, run by an office
/// or department (`owner_id`), with its calendar and the documents applicants must upload.
#[derive(Iden, Clone, Copy)]
pub enum AdmCampaigns {
    Table,
    Id,
    OwnerId,
    SchoolYearId,
    EntryGrade,
    Name,
    /// draft | open | closed | published
    Status,
    OpensAt,
    ClosesAt,
    ResultsAt,
    MaxChoices,
    /// JSON list of `{code, label, required}`.
    RequiredDocuments,
    /// The run whose results are published (looked up by applicants), if any.
    PublishedRunId,
    CreatedAt,
    UpdatedAt,
}

/// A school taking part in a campaign with its seats (chỉ tiêu) and, for grade 10 in cities
/// with zones, its zone code.
#[derive(Iden, Clone, Copy)]
pub enum AdmCampaignSchools {
    Table,
    Id,
    CampaignId,
    SchoolId,
    Seats,
    Zone,
}

/// The admission zone (tuyến) of a school in a grade-1 or grade-6 campaign: the administrative
/// units (communes, wards) whose children it must admit.
#[derive(Iden, Clone, Copy)]
pub enum AdmZoneAreas {
    Table,
    Id,
    CampaignSchoolId,
    AdminUnitCode,
}

/// One-time codes sent to a guardian's phone or e-mail (only a hash is kept).
#[derive(Iden, Clone, Copy)]
pub enum AdmOtps {
    Table,
    Id,
    Channel,
    Address,
    CodeHash,
    Attempts,
    ExpiresAt,
    ConsumedAt,
    Client,
    CreatedAt,
}

/// A guardian's session after proving control of a phone or e-mail (token stored as a hash).
#[derive(Iden, Clone, Copy)]
pub enum AdmGuardianSessions {
    Table,
    TokenHash,
    Channel,
    Address,
    ExpiresAt,
    CreatedAt,
}

/// Messages to guardians (codes, receipts, requests for correction, results): delivered by SMTP
/// when configured; the demo shows them on an outbox page.
#[derive(Iden, Clone, Copy)]
pub enum AdmOutbox {
    Table,
    Id,
    Channel,
    Recipient,
    Subject,
    Body,
    CreatedAt,
    DeliveredAt,
    Error,
}

/// An application (hồ sơ): one per child and campaign (a resubmitted form updates it).
#[derive(Iden, Clone, Copy)]
pub enum AdmApplications {
    Table,
    Id,
    CampaignId,
    /// Printed on the receipt; the applicant's lookup number until an exam number is imported.
    TrackingCode,
    /// Grade 10: the exam's candidate number (số báo danh), from the score import.
    CandidateNumber,
    NationalId,
    BirthDate,
    FullName,
    Gender,
    /// The matching learner record, when the sector database has one.
    LearnerId,
    /// The administrative unit (commune/ward) of residence, for zones.
    ResidenceCode,
    Address,
    /// The school the child attends now (grades 6 and 10).
    CurrentSchool,
    GuardianName,
    ContactChannel,
    ContactAddress,
    /// Priority group claimed (grade 10: 1–3; grades 1/6: any non-null means priority).
    PriorityGroup,
    /// submitted | needs_correction | verified | rejected | withdrawn
    Status,
    StaffNote,
    ReviewedBy,
    ReviewedAt,
    /// Grade-10 exam papers, in hundredths.
    ScoreMath,
    ScoreLiterature,
    ScoreLanguage,
    SubmittedAt,
    UpdatedAt,
}

/// Ranked choices (nguyện vọng) of an application: rank 1 is the first choice.
#[derive(Iden, Clone, Copy)]
pub enum AdmChoices {
    Table,
    Id,
    ApplicationId,
    Rank,
    SchoolId,
}

/// Documents uploaded with an application, their bytes in the database, and staff review.
#[derive(Iden, Clone, Copy)]
pub enum AdmDocuments {
    Table,
    Id,
    ApplicationId,
    Kind,
    FileName,
    ContentType,
    Size,
    Content,
    /// pending | accepted | rejected
    Status,
    Note,
    UploadedAt,
}

/// An assignment run: a simulation, or the one that is published.
#[derive(Iden, Clone, Copy)]
pub enum AdmRuns {
    Table,
    Id,
    CampaignId,
    Mechanism,
    Applicants,
    Admitted,
    CreatedBy,
    CreatedAt,
    PublishedAt,
}

/// A run's cut-off (điểm chuẩn) per school and choice, in hundredths.
#[derive(Iden, Clone, Copy)]
pub enum AdmCutoffs {
    Table,
    Id,
    RunId,
    SchoolId,
    Choice,
    Seats,
    Admitted,
    CutOff,
}

/// A run's outcome for each applicant, with the explanation shown to them.
#[derive(Iden, Clone, Copy)]
pub enum AdmResults {
    Table,
    Id,
    RunId,
    ApplicationId,
    /// admitted | not_admitted | waiting (in-zone child without a seat: the office places them)
    Outcome,
    SchoolId,
    Choice,
    Explanation,
}
