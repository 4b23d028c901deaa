//! Learners: profile, guardians, search by name or ID, and the name search index.

use chrono::{DateTime, NaiveDate, Utc};
use sea_query::{Alias, Condition, Expr, ExprTrait, Order, Query, SimpleExpr};
use serde::{Deserialize, Serialize};
use truongso_domain::codes::Gender;
use truongso_domain::learners::{
    Disability, GuardianInput, GuardianRelation, LearnerInput, PolicyGroup, learner_code,
};
use truongso_domain::text::{clean, fold};

use crate::schema::{Counters, Enrolments, Guardians, Learners, OrgUnits};
use crate::staff::sort_key;
use crate::{Backend, Conn, Page, PageRequest, Scope, StoreError, StoreResult, Tx};

/// One line of a learner list.
#[derive(Debug, Clone, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct LearnerSummary {
    pub id: i64,
    pub learner_code: String,
    pub national_id: Option<String>,
    pub full_name: String,
    pub birth_date: NaiveDate,
    #[sqlx(try_from = "String")]
    pub gender: Gender,
    pub school_id: i64,
    pub school_name: String,
}

/// A learner's full record.
#[derive(Debug, Clone, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct Learner {
    pub id: i64,
    pub learner_code: String,
    pub national_id: Option<String>,
    pub full_name: String,
    pub birth_date: NaiveDate,
    #[sqlx(try_from = "String")]
    pub gender: Gender,
    /// Sensitive fields (ethnicity, religion, disability, policy group, guardians' IDs) are
    /// null for callers whose role may not see them.
    pub ethnicity_code: Option<String>,
    pub nationality: String,
    pub religion: Option<String>,
    pub address: Option<String>,
    pub ward_code: Option<String>,
    pub disability: Option<String>,
    pub policy_group: Option<String>,
    pub school_id: i64,
    pub school_name: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    #[sqlx(skip)]
    pub guardians: Vec<Guardian>,
}

impl Learner {
    /// The record with the sensitive fields removed (for roles without `learner.sensitive`).
    pub fn without_sensitive(mut self) -> Self {
        self.ethnicity_code = None;
        self.religion = None;
        self.disability = None;
        self.policy_group = None;
        for g in &mut self.guardians {
            g.national_id = None;
        }
        self
    }

    pub fn disability(&self) -> Option<Disability> {
        self.disability.as_deref().and_then(Disability::from_code)
    }

    pub fn policy_group(&self) -> Option<PolicyGroup> {
        self.policy_group
            .as_deref()
            .and_then(PolicyGroup::from_code)
    }

    /// The record as an editable input (for edit forms).
    pub fn to_input(&self) -> LearnerInput {
        LearnerInput {
            national_id: self.national_id.clone(),
            full_name: self.full_name.clone(),
            birth_date: self.birth_date,
            gender: self.gender,
            ethnicity_code: self.ethnicity_code.clone().unwrap_or_default(),
            nationality: self.nationality.clone(),
            religion: self.religion.clone(),
            address: self.address.clone(),
            ward_code: self.ward_code.clone(),
            disability: self.disability(),
            policy_group: self.policy_group(),
            guardians: self
                .guardians
                .iter()
                .map(|g| GuardianInput {
                    relation: g.relation,
                    full_name: g.full_name.clone(),
                    phone: g.phone.clone(),
                    email: g.email.clone(),
                    national_id: g.national_id.clone(),
                })
                .collect(),
        }
    }
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct Guardian {
    pub id: i64,
    #[sqlx(try_from = "String")]
    pub relation: GuardianRelation,
    pub full_name: String,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub national_id: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct LearnerFilter {
    /// Name (diacritics optional: "nguyen thi hoa" finds "Nguyễn Thị Hoa"), national ID or learner code.
    pub q: Option<String>,
    pub school_id: Option<i64>,
    /// Learners enrolled in this class.
    pub class_id: Option<i64>,
    pub gender: Option<Gender>,
}

const SUMMARY_COLUMNS: [Learners; 7] = [
    Learners::Id,
    Learners::LearnerCode,
    Learners::NationalId,
    Learners::FullName,
    Learners::BirthDate,
    Learners::Gender,
    Learners::SchoolId,
];

fn with_school(q: &mut sea_query::SelectStatement) {
    q.expr_as(Expr::col((OrgUnits::Table, OrgUnits::Name)), "school_name")
        .inner_join(
            OrgUnits::Table,
            Expr::col((OrgUnits::Table, OrgUnits::Id))
                .equals((Learners::Table, Learners::SchoolId)),
        );
}

fn scope_cond(scope: &Scope) -> Condition {
    scope
        .learner_conditions(
            Expr::col((Learners::Table, Learners::SchoolId)),
            Expr::col((Learners::Table, Learners::Id)),
        )
        .into_iter()
        .fold(Condition::all(), Condition::add)
}

/// Reads a learner inside `scope`, with guardians. Outside the scope it does not exist.
pub async fn get(conn: &mut Conn<'_>, scope: &Scope, id: i64) -> StoreResult<Learner> {
    let mut q = Query::select();
    q.columns([
        (Learners::Table, Learners::Id),
        (Learners::Table, Learners::LearnerCode),
        (Learners::Table, Learners::NationalId),
        (Learners::Table, Learners::FullName),
        (Learners::Table, Learners::BirthDate),
        (Learners::Table, Learners::Gender),
        (Learners::Table, Learners::EthnicityCode),
        (Learners::Table, Learners::Nationality),
        (Learners::Table, Learners::Religion),
        (Learners::Table, Learners::Address),
        (Learners::Table, Learners::WardCode),
        (Learners::Table, Learners::Disability),
        (Learners::Table, Learners::PolicyGroup),
        (Learners::Table, Learners::SchoolId),
        (Learners::Table, Learners::CreatedAt),
        (Learners::Table, Learners::UpdatedAt),
    ])
    .from(Learners::Table);
    with_school(&mut q);
    q.cond_where(scope_cond(scope).add(Expr::col((Learners::Table, Learners::Id)).eq(id)));
    let mut learner: Learner = conn
        .fetch_optional(&q)
        .await?
        .ok_or(StoreError::not_found("học sinh"))?;
    learner.guardians = conn
        .fetch_all(
            Query::select()
                .columns([
                    Guardians::Id,
                    Guardians::Relation,
                    Guardians::FullName,
                    Guardians::Phone,
                    Guardians::Email,
                    Guardians::NationalId,
                ])
                .from(Guardians::Table)
                .and_where(Expr::col(Guardians::LearnerId).eq(id))
                .order_by(Guardians::Position, Order::Asc),
        )
        .await?;
    Ok(learner)
}

const SORTS: &[&str] = &["name", "birth_date", "learner_code"];

pub async fn list(
    conn: &mut Conn<'_>,
    scope: &Scope,
    filter: &LearnerFilter,
    page: &PageRequest,
) -> StoreResult<Page<LearnerSummary>> {
    let sort = page
        .sort_field(SORTS)
        .map_err(|m| StoreError::invalid("sort", m))?;
    let Some(cond) = list_condition(conn.backend(), scope, filter) else {
        return Ok(Page {
            items: vec![],
            total: 0,
            page: page.page(),
            per_page: page.per_page(),
        });
    };
    let (col, desc) = match sort {
        Some(("birth_date", d)) => (Learners::BirthDate, d),
        Some(("learner_code", d)) => (Learners::LearnerCode, d),
        Some((_, d)) => (Learners::SortKey, d),
        None => (Learners::SortKey, false),
    };
    // The page and the number of matches in one query: a name search runs once, not twice.
    #[derive(sqlx::FromRow)]
    struct Counted {
        #[sqlx(flatten)]
        summary: LearnerSummary,
        total_count: i64,
    }
    let mut q = Query::select();
    q.columns(SUMMARY_COLUMNS.map(|c| (Learners::Table, c)))
        .expr_as(Expr::cust("COUNT(*) OVER ()"), "total_count")
        .from(Learners::Table);
    with_school(&mut q);
    q.cond_where(cond.clone())
        .order_by(
            (Learners::Table, col),
            if desc { Order::Desc } else { Order::Asc },
        )
        .order_by((Learners::Table, Learners::Id), Order::Asc)
        .limit(page.per_page())
        .offset(page.offset());
    let rows: Vec<Counted> = conn.fetch_all(&q).await?;
    let total = match rows.first() {
        Some(r) => r.total_count as u64,
        // Past the last page (or nothing at all): count on its own.
        None if page.page() > 1 => {
            crate::orgs::count(
                conn,
                &Query::select()
                    .from(Learners::Table)
                    .cond_where(cond)
                    .to_owned(),
            )
            .await?
        }
        None => 0,
    };
    Ok(Page {
        items: rows.into_iter().map(|r| r.summary).collect(),
        total,
        page: page.page(),
        per_page: page.per_page(),
    })
}

/// The learners a list shows: in scope and matching the filter. `None` when nothing can match
/// (a search text with no searchable word).
pub(crate) fn list_condition(
    backend: Backend,
    scope: &Scope,
    filter: &LearnerFilter,
) -> Option<Condition> {
    let mut cond = scope_cond(scope);
    if let Some(s) = filter.school_id {
        cond = cond.add(Expr::col((Learners::Table, Learners::SchoolId)).eq(s));
    }
    if let Some(g) = filter.gender {
        cond = cond.add(Expr::col((Learners::Table, Learners::Gender)).eq(g.code()));
    }
    if let Some(c) = filter.class_id {
        cond = cond.add(
            Expr::col((Learners::Table, Learners::Id)).in_subquery(
                Query::select()
                    .column(Enrolments::LearnerId)
                    .from(Enrolments::Table)
                    .and_where(Expr::col(Enrolments::ClassId).eq(c))
                    .to_owned(),
            ),
        );
    }
    if let Some(text) = filter.q.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        cond = cond.add(search_condition(backend, text)?);
    }
    Some(cond)
}

/// The search condition for a query text: digits look up the national ID, "HS…" the learner
/// code, anything else the folded name: every word must match, in any order, the last one as a
/// prefix ("nguyen thi ho" finds "Nguyễn Thị Hoa" and "Nguyễn Thị Hồng").
/// `None` when the text has no searchable word.
pub fn search_condition(backend: Backend, text: &str) -> Option<SimpleExpr> {
    let t = text.trim();
    if t.chars().all(|c| c.is_ascii_digit()) {
        return Some(Expr::col((Learners::Table, Learners::NationalId)).eq(t));
    }
    // `get` rather than slicing: a name may begin with a multi-byte letter ("Bùi").
    if t.len() > 2
        && t.get(..2).is_some_and(|p| p.eq_ignore_ascii_case("hs"))
        && t[2..].chars().all(|c| c.is_ascii_digit())
    {
        return Some(
            Expr::col((Learners::Table, Learners::LearnerCode)).eq(t.to_ascii_uppercase()),
        );
    }
    let words: Vec<String> = fold(t)
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .take(8)
        .map(str::to_string)
        .collect();
    if words.is_empty() {
        return None;
    }
    // Whole words, and the last one as a prefix (it may still be being typed): a prefix on
    // every word made the index merge every name starting with "le" or "ng" (5–8× slower at
    // 1.7M learners, see bench/).
    let last = words.len() - 1;
    let each = |exact: fn(&str) -> String, prefix: fn(&str) -> String| -> Vec<String> {
        words
            .iter()
            .enumerate()
            .map(|(i, w)| if i == last { prefix(w) } else { exact(w) })
            .collect()
    };
    Some(match backend {
        Backend::Sqlite => {
            let query = each(|w| format!("\"{w}\""), |w| format!("\"{w}\"*")).join(" ");
            Expr::cust_with_values(
                "learners.id IN (SELECT rowid FROM learner_name_fts WHERE learner_name_fts MATCH ?)",
                [query],
            )
        }
        Backend::Postgres => {
            let query = each(|w| w.to_string(), |w| format!("{w}:*")).join(" & ");
            Expr::cust_with_values(
                "to_tsvector('simple', learners.name_fold) @@ to_tsquery('simple', $1)",
                [query],
            )
        }
    })
}

/// Where a new learner goes.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
pub struct NewLearner {
    #[serde(flatten)]
    pub profile: LearnerInput,
    pub school_id: i64,
    /// Enrols the learner in this class (of the same school) for the class's school year.
    pub class_id: Option<i64>,
}

/// Reserves `n` consecutive learner-code serials and returns the first.
pub async fn reserve_codes(tx: &mut Tx, n: u64) -> StoreResult<u64> {
    let name = "learner_code";
    let current: Option<(i64,)> = tx
        .conn()
        .fetch_optional(
            Query::select()
                .column(Counters::Value)
                .from(Counters::Table)
                .and_where(Expr::col(Counters::Name).eq(name)),
        )
        .await?;
    let next = match current {
        Some((v,)) => {
            tx.conn()
                .execute(
                    Query::update()
                        .table(Counters::Table)
                        .value(Counters::Value, Expr::col(Counters::Value).add(n as i64))
                        .and_where(Expr::col(Counters::Name).eq(name)),
                )
                .await?;
            v as u64 + 1
        }
        None => {
            tx.conn()
                .execute(
                    Query::insert()
                        .into_table(Counters::Table)
                        .columns([Counters::Name, Counters::Value])
                        .values_panic([name.into(), (n as i64).into()]),
                )
                .await?;
            1
        }
    };
    Ok(next)
}

pub(crate) fn profile_values(p: &LearnerInput) -> Vec<(Learners, sea_query::Value)> {
    let name = clean(&p.full_name);
    vec![
        (
            Learners::NationalId,
            p.national_id
                .as_deref()
                .map(|s| s.trim().to_string())
                .into(),
        ),
        (Learners::FullName, name.clone().into()),
        (Learners::NameFold, fold(&name).into()),
        (Learners::SortKey, sort_key(&name).into()),
        (Learners::BirthDate, p.birth_date.into()),
        (Learners::Gender, p.gender.code().into()),
        (Learners::EthnicityCode, p.ethnicity_code.clone().into()),
        (Learners::Nationality, p.nationality.clone().into()),
        (Learners::Religion, p.religion.as_deref().map(clean).into()),
        (Learners::Address, p.address.as_deref().map(clean).into()),
        (Learners::WardCode, p.ward_code.clone().into()),
        (Learners::Disability, p.disability.map(|d| d.code()).into()),
        (
            Learners::PolicyGroup,
            p.policy_group.map(|g| g.code()).into(),
        ),
    ]
}

/// Creates a learner in a school of `scope`, issuing a new learner code, and enrols them in a
/// class when one is given. All or nothing.
pub async fn create(
    tx: &mut Tx,
    scope: &Scope,
    input: &NewLearner,
    today: NaiveDate,
) -> StoreResult<Learner> {
    let school = crate::orgs::get(&mut tx.conn(), scope, input.school_id)
        .await
        .map_err(|_| StoreError::invalid("school_id", "Không tìm thấy trường."))?;
    if school.kind != truongso_domain::org::OrgKind::School {
        return Err(StoreError::invalid(
            "school_id",
            "Học sinh phải thuộc một trường.",
        ));
    }
    // A teacher adds learners only to a class they lead or teach (else they could not see them).
    if let Scope::Classes { class_ids, .. } = scope
        && !input.class_id.is_some_and(|c| class_ids.contains(&c))
    {
        return Err(StoreError::invalid(
            "class_id",
            "Giáo viên chỉ thêm được học sinh vào lớp mình phụ trách.",
        ));
    }
    let class = match input.class_id {
        Some(c) => {
            let class = crate::classes::get(&mut tx.conn(), scope, c)
                .await
                .map_err(|_| StoreError::invalid("class_id", "Không tìm thấy lớp."))?;
            if class.org_unit_id != school.id {
                return Err(StoreError::invalid(
                    "class_id",
                    "Lớp không thuộc trường đã chọn.",
                ));
            }
            Some(class)
        }
        None => None,
    };
    input.profile.validate(today)?;
    let serial = reserve_codes(tx, 1).await?;
    let now = Utc::now();
    let mut vals = profile_values(&input.profile);
    vals.extend([
        (Learners::LearnerCode, learner_code(serial).into()),
        (Learners::SchoolId, school.id.into()),
        (Learners::CreatedAt, now.into()),
        (Learners::UpdatedAt, now.into()),
    ]);
    let name_fold = fold(&input.profile.full_name);
    let (cols, vs): (Vec<_>, Vec<_>) = vals.into_iter().unzip();
    let (id,): (i64,) = tx
        .conn()
        .fetch_one(
            Query::insert()
                .into_table(Learners::Table)
                .columns(cols)
                .values_panic(vs.into_iter().map(SimpleExpr::from))
                .returning_col(Learners::Id),
        )
        .await?;
    replace_guardians(tx, id, &input.profile.guardians).await?;
    index_name(tx, id, &name_fold, false).await?;
    match class {
        // Enrolling re-checks the learner (and the class).
        Some(class) => {
            crate::enrolments::enrol(
                tx,
                id,
                class.school_year_id,
                school.id,
                Some(class.id),
                today,
            )
            .await?;
        }
        None => crate::quality::recheck_learners(tx, &[id]).await?,
    }
    get(&mut tx.conn(), &Scope::All, id).await
}

/// Replaces a learner's profile and guardians (the learner code and school never change here).
pub async fn update(
    tx: &mut Tx,
    scope: &Scope,
    id: i64,
    input: &LearnerInput,
    today: NaiveDate,
) -> StoreResult<Learner> {
    get(&mut tx.conn(), scope, id).await?;
    input.validate(today)?;
    write_profile(tx, id, input).await?;
    // A fix through the edit form clears its issue at once.
    crate::quality::recheck_learners(tx, &[id]).await?;
    get(&mut tx.conn(), &Scope::All, id).await
}

/// Stores a validated profile over a learner's (the one write path of update and import).
pub(crate) async fn write_profile(tx: &mut Tx, id: i64, input: &LearnerInput) -> StoreResult<()> {
    let mut vals = profile_values(input);
    vals.push((Learners::UpdatedAt, Utc::now().into()));
    tx.conn()
        .execute(
            Query::update()
                .table(Learners::Table)
                .values(vals.into_iter().map(|(c, v)| (c, SimpleExpr::from(v))))
                .and_where(Expr::col(Learners::Id).eq(id)),
        )
        .await?;
    replace_guardians(tx, id, &input.guardians).await?;
    index_name(tx, id, &fold(&clean(&input.full_name)), true).await?;
    Ok(())
}

/// A learner's code, school and profile, as imports compare and exports write them.
#[derive(Debug, Clone)]
pub struct StoredLearner {
    pub id: i64,
    pub learner_code: String,
    pub school_id: i64,
    pub input: LearnerInput,
}

/// The stored profiles of these learners, by id.
pub async fn inputs_of(
    conn: &mut Conn<'_>,
    ids: &[i64],
) -> StoreResult<std::collections::HashMap<i64, StoredLearner>> {
    let mut out = std::collections::HashMap::with_capacity(ids.len());
    for chunk in ids.chunks(500) {
        let mut q = Query::select();
        q.columns([
            (Learners::Table, Learners::Id),
            (Learners::Table, Learners::LearnerCode),
            (Learners::Table, Learners::NationalId),
            (Learners::Table, Learners::FullName),
            (Learners::Table, Learners::BirthDate),
            (Learners::Table, Learners::Gender),
            (Learners::Table, Learners::EthnicityCode),
            (Learners::Table, Learners::Nationality),
            (Learners::Table, Learners::Religion),
            (Learners::Table, Learners::Address),
            (Learners::Table, Learners::WardCode),
            (Learners::Table, Learners::Disability),
            (Learners::Table, Learners::PolicyGroup),
            (Learners::Table, Learners::SchoolId),
            (Learners::Table, Learners::CreatedAt),
            (Learners::Table, Learners::UpdatedAt),
        ])
        .from(Learners::Table)
        .and_where(Expr::col((Learners::Table, Learners::Id)).is_in(chunk.iter().copied()));
        with_school(&mut q);
        let mut learners: Vec<Learner> = conn.fetch_all(&q).await?;
        let mut guardians = guardians_of(conn, chunk).await?;
        for l in &mut learners {
            l.guardians = guardians.remove(&l.id).unwrap_or_default();
        }
        out.extend(learners.into_iter().map(|l| {
            let stored = StoredLearner {
                id: l.id,
                learner_code: l.learner_code.clone(),
                school_id: l.school_id,
                input: l.to_input(),
            };
            (l.id, stored)
        }));
    }
    Ok(out)
}

/// The guardians of these learners, in their order, by learner.
pub async fn guardians_of(
    conn: &mut Conn<'_>,
    learner_ids: &[i64],
) -> StoreResult<std::collections::HashMap<i64, Vec<Guardian>>> {
    #[derive(sqlx::FromRow)]
    struct Row {
        learner_id: i64,
        #[sqlx(flatten)]
        guardian: Guardian,
    }
    let rows: Vec<Row> = conn
        .fetch_all(
            Query::select()
                .columns([
                    Guardians::LearnerId,
                    Guardians::Id,
                    Guardians::Relation,
                    Guardians::FullName,
                    Guardians::Phone,
                    Guardians::Email,
                    Guardians::NationalId,
                ])
                .from(Guardians::Table)
                .and_where(Expr::col(Guardians::LearnerId).is_in(learner_ids.iter().copied()))
                .order_by(Guardians::LearnerId, Order::Asc)
                .order_by(Guardians::Position, Order::Asc),
        )
        .await?;
    let mut out: std::collections::HashMap<i64, Vec<Guardian>> = std::collections::HashMap::new();
    for r in rows {
        out.entry(r.learner_id).or_default().push(r.guardian);
    }
    Ok(out)
}

async fn replace_guardians(
    tx: &mut Tx,
    learner_id: i64,
    guardians: &[GuardianInput],
) -> StoreResult<()> {
    tx.conn()
        .execute(
            Query::delete()
                .from_table(Guardians::Table)
                .and_where(Expr::col(Guardians::LearnerId).eq(learner_id)),
        )
        .await?;
    if guardians.is_empty() {
        return Ok(());
    }
    let mut insert = Query::insert();
    insert
        .into_table(Guardians::Table)
        .columns(GUARDIAN_COLUMNS);
    for (i, g) in guardians.iter().enumerate() {
        insert.values_panic(guardian_values(learner_id, i, g).map(SimpleExpr::from));
    }
    tx.conn().execute(&insert).await?;
    Ok(())
}

pub(crate) const GUARDIAN_COLUMNS: [Guardians; 7] = [
    Guardians::LearnerId,
    Guardians::Position,
    Guardians::Relation,
    Guardians::FullName,
    Guardians::Phone,
    Guardians::Email,
    Guardians::NationalId,
];

pub(crate) fn guardian_values(
    learner_id: i64,
    position: usize,
    g: &GuardianInput,
) -> [sea_query::Value; 7] {
    [
        learner_id.into(),
        (position as i32).into(),
        g.relation.code().into(),
        clean(&g.full_name).into(),
        g.phone
            .as_deref()
            .map(|p| p.chars().filter(char::is_ascii_digit).collect::<String>())
            .into(),
        g.email.as_deref().map(|e| e.trim().to_lowercase()).into(),
        g.national_id
            .as_deref()
            .map(|s| s.trim().to_string())
            .into(),
    ]
}

/// Keeps the SQLite name index in step (PostgreSQL indexes the column by expression).
pub(crate) async fn index_name(
    tx: &mut Tx,
    id: i64,
    name_fold: &str,
    replace: bool,
) -> StoreResult<()> {
    if tx.conn().backend() != Backend::Sqlite {
        return Ok(());
    }
    let fts = Alias::new("learner_name_fts");
    if replace {
        tx.conn()
            .execute(
                Query::delete()
                    .from_table(fts.clone())
                    .and_where(Expr::col(Alias::new("rowid")).eq(id)),
            )
            .await?;
    }
    tx.conn()
        .execute(
            Query::insert()
                .into_table(fts)
                .columns([Alias::new("rowid"), Alias::new("name_fold")])
                .values_panic([id.into(), name_fold.into()]),
        )
        .await?;
    Ok(())
}

/// The school of a learner whatever the caller's scope: only for recording a refused access
/// in the audit trail under the unit it concerns, never shown to the caller.
pub async fn school_of(conn: &mut Conn<'_>, id: i64) -> StoreResult<Option<i64>> {
    let row: Option<(i64,)> = conn
        .fetch_optional(
            Query::select()
                .column(Learners::SchoolId)
                .from(Learners::Table)
                .and_where(Expr::col(Learners::Id).eq(id)),
        )
        .await?;
    Ok(row.map(|r| r.0))
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    proptest! {
        /// Any text a user can type gives a condition or none, never a crash (names start with
        /// multi-byte letters: "Bùi", "Đặng", "Ông").
        #[test]
        fn search_condition_never_panics(text in "\\PC{0,40}") {
            let _ = search_condition(Backend::Sqlite, &text);
            let _ = search_condition(Backend::Postgres, &text);
        }
    }

    #[test]
    fn names_starting_with_multibyte_letters_search_by_name() {
        for name in ["Bùi Cát Hân", "Lý Thị Thảo", "Đặng Văn Hải", "Hồ", "Hṣ1"] {
            assert!(search_condition(Backend::Sqlite, name).is_some(), "{name}");
        }
        assert!(search_condition(Backend::Sqlite, "hs0000000123").is_some());
    }
}
