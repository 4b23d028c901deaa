//! Writes the synthetic demo province (`truongso-demo`) into the database, fast enough for
//! 1,700,000 learners: schools are generated on blocking threads while earlier ones are written
//! in multi-row inserts, a transaction per batch of schools.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use chrono::{NaiveDate, Utc};
use sea_query::{Alias, DynIden, Expr, ExprTrait, IntoIden, Query, SimpleExpr, Value};
use serde::Serialize;
use truongso_demo::{DemoConfig, Plan, SchoolData, SchoolMarks};
use truongso_domain::learners::{EnrolmentStatus, learner_code};
use truongso_domain::text::{clean, fold};

use crate::learners::{GUARDIAN_COLUMNS, guardian_values, profile_values};
use crate::schema::*;
use crate::staff::sort_key;
use crate::{Backend, Conn, Store, StoreResult, Tx};

/// What a seed run wrote, and how long it took.
#[derive(Debug, Clone, Default, Serialize)]
pub struct SeedReport {
    pub org_units: u64,
    pub schools: u64,
    pub staff: u64,
    pub classes: u64,
    pub learners: u64,
    pub guardians: u64,
    pub planted_faults: u64,
    /// Gradebook rows and history events of the year's marks (`DemoConfig::marks`).
    pub grade_rows: u64,
    pub grade_events: u64,
    #[serde(skip)]
    pub elapsed: Duration,
    pub accounts: Vec<SeededAccount>,
}

/// A demo sign-in, printed by `truongso demo` and written by `seed --accounts-json`.
#[derive(Debug, Clone, Serialize)]
pub struct SeededAccount {
    pub username: String,
    pub password: String,
    pub role: String,
    pub scope_org_id: i64,
    pub scope: String,
    /// Whether sign-in needs a second factor (enrolled at the first sign-in).
    pub two_factor_required: bool,
}

/// What a database holds, as far as the demo seed is concerned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SeedState {
    /// No organisational unit: a fresh install.
    Empty,
    /// A seed started and never finished (killed, or failed): the province is incomplete.
    Interrupted,
    /// A seed ran to its end.
    Seeded,
    /// Data that no seed wrote (a real school's or office's).
    Own,
}

const SEED_KEY: &str = "demo_seed";

/// Whether the database is empty, holds a finished or an interrupted demo province, or data of
/// its own.
pub async fn state(store: &Store) -> StoreResult<SeedState> {
    let marker: Option<(String,)> = store
        .conn()
        .fetch_optional(
            Query::select()
                .column(InstanceMeta::Value)
                .from(InstanceMeta::Table)
                .and_where(Expr::col(InstanceMeta::Key).eq(SEED_KEY)),
        )
        .await?;
    Ok(match marker.as_ref().map(|(v,)| v.as_str()) {
        Some("complete") => SeedState::Seeded,
        Some(_) => SeedState::Interrupted,
        None if is_empty(store).await? => SeedState::Empty,
        None => SeedState::Own,
    })
}

async fn mark_seed(conn: &mut crate::Conn<'_>, value: &str) -> StoreResult<()> {
    conn.execute(
        Query::insert()
            .into_table(InstanceMeta::Table)
            .columns([
                InstanceMeta::Key,
                InstanceMeta::Value,
                InstanceMeta::UpdatedAt,
            ])
            .values_panic([SEED_KEY.into(), value.into(), Utc::now().into()])
            .on_conflict(
                sea_query::OnConflict::column(InstanceMeta::Key)
                    .update_columns([InstanceMeta::Value, InstanceMeta::UpdatedAt])
                    .to_owned(),
            ),
    )
    .await?;
    Ok(())
}

/// Whether the database holds no organisational unit yet (a fresh install).
pub async fn is_empty(store: &Store) -> StoreResult<bool> {
    let n = crate::orgs::count(
        &mut store.conn(),
        &Query::select().from(OrgUnits::Table).to_owned(),
    )
    .await?;
    Ok(n == 0)
}

/// Schools written per transaction: large enough to amortise commits, small enough to keep memory flat.
const SCHOOLS_PER_BATCH: usize = 8;

/// Generates and writes the whole province. `progress` is called with learners written so far.
pub async fn seed(
    store: &Store,
    config: &DemoConfig,
    mut progress: impl FnMut(u64, u64),
) -> StoreResult<SeedReport> {
    let started = Instant::now();
    let plan = std::sync::Arc::new(Plan::new(config));
    let mut report = SeedReport::default();

    let mut tx = store.begin().await?;
    // Written with the first rows: a seed killed after this leaves a marked, incomplete
    // province (see [`state`]), never one that looks finished.
    mark_seed(&mut tx.conn(), "started").await?;
    crate::admin_units::load_reference(&mut tx).await?;
    let year = crate::years::ensure(&mut tx, config.school_year_start, true).await?;
    let org_ids = write_orgs(&mut tx, &plan, year.starts_on).await?;
    tx.commit().await?;
    report.org_units = org_ids.len() as u64;
    report.schools = plan.schools.len() as u64;

    let mut ids = IdAllocator::new(store).await?;
    let first_serial = {
        let mut tx = store.begin().await?;
        let approx = config.learners + config.learners / 10 + 1000;
        let s = crate::learners::reserve_codes(&mut tx, approx).await?;
        tx.commit().await?;
        s
    };
    let mut serial = first_serial;
    let mut samples: HashMap<usize, SchoolSample> = HashMap::new();
    let accounts = plan.accounts();
    let account_orgs: std::collections::HashSet<usize> =
        accounts.iter().map(|a| a.scope_org).collect();
    // Whose saves the history records under an account's username.
    let usernames: HashMap<(usize, usize), &str> = accounts
        .iter()
        .filter_map(|a| Some(((a.school_ordinal?, a.staff?), a.username.as_str())))
        .collect();

    // Generate on blocking threads, a few schools ahead of the writer.
    let (sender, mut receiver) =
        tokio::sync::mpsc::channel::<(usize, SchoolData, SchoolMarks)>(SCHOOLS_PER_BATCH * 2);
    let generator_plan = plan.clone();
    let with_marks = config.marks;
    let generator = tokio::task::spawn_blocking(move || {
        let config = generator_plan.config().clone();
        for ordinal in 0..generator_plan.schools.len() {
            let data = generator_plan.generate_school(ordinal);
            let marks = if with_marks {
                data.marks(config.seed, config.school_year_start, ordinal)
            } else {
                SchoolMarks::default()
            };
            if sender.blocking_send((ordinal, data, marks)).is_err() {
                break;
            }
        }
    });

    let expected = config.learners;
    let mut batch = Vec::with_capacity(SCHOOLS_PER_BATCH);
    loop {
        let next = receiver.recv().await;
        let done = next.is_none();
        if let Some(item) = next {
            batch.push(item);
        }
        if batch.len() >= SCHOOLS_PER_BATCH || (done && !batch.is_empty()) {
            let mut tx = store.begin().await?;
            for (ordinal, data, marks) in batch.drain(..) {
                let school_id = org_ids[plan.schools[ordinal]];
                let sample = write_school(
                    &mut tx,
                    &mut ids,
                    &mut serial,
                    &org_ids,
                    school_id,
                    year.id,
                    year.starts_on,
                    &data,
                    &mut report,
                )
                .await?;
                if config.marks {
                    let actors: Vec<String> = data
                        .staff
                        .iter()
                        .enumerate()
                        .map(|(i, s)| {
                            usernames
                                .get(&(ordinal, i))
                                .map_or_else(|| clean(&s.full_name), |u| u.to_string())
                        })
                        .collect();
                    let written = crate::gradebook::seed_marks::write_school(
                        &mut tx,
                        &crate::gradebook::seed_marks::SchoolIds {
                            school_id,
                            school_year_id: year.id,
                            learner_ids: &sample.learner_ids,
                            class_ids: &sample.class_ids,
                            actors: &actors,
                        },
                        &data,
                        &marks,
                    )
                    .await?;
                    report.grade_rows += written.rows;
                    report.grade_events += written.events;
                }
                if account_orgs.contains(&plan.schools[ordinal]) {
                    samples.insert(plan.schools[ordinal], sample);
                }
            }
            tx.commit().await?;
            progress(report.learners, expected);
        }
        if done {
            break;
        }
    }
    generator
        .await
        .map_err(|e| crate::StoreError::Migration(format!("generator failed: {e}")))?;
    ids.finish(store).await?;

    report.accounts = write_accounts(store, &plan, &accounts, &org_ids, &samples).await?;
    // The year's digital-maturity self-assessments (Decision 4725), reviewed and not.
    let schools: Vec<(usize, i64, String)> = plan
        .schools
        .iter()
        .enumerate()
        .map(|(ordinal, &org)| (ordinal, org_ids[org], plan.orgs[org].code.clone()))
        .collect();
    let with_accounts: std::collections::HashSet<usize> =
        accounts.iter().filter_map(|a| a.school_ordinal).collect();
    crate::dx::seed_demo(store, config.seed, &schools, &with_accounts, year.id).await?;
    // Admission campaigns of the next school year, one in each phase.
    crate::admission::demo::seed_demo(
        store,
        config.seed,
        crate::targets::today(),
        &Default::default(),
    )
    .await?;
    // The demo dashboards open with the planted faults already found.
    crate::quality::scan(store, |_, _| {}).await?;
    // A year of monthly plan-target snapshots: today's measured, the past derived (demo only).
    crate::targets::write_demo_history(store, crate::targets::today(), 12).await?;
    mark_seed(&mut store.conn(), "complete").await?;
    report.elapsed = started.elapsed();
    Ok(report)
}

/// The database ids of a school's staff and learners (by generator index), for demo accounts.
struct SchoolSample {
    staff_ids: Vec<i64>,
    learner_ids: Vec<i64>,
    class_ids: Vec<i64>,
}

async fn write_orgs(tx: &mut Tx, plan: &Plan, since: NaiveDate) -> StoreResult<Vec<i64>> {
    let base = max_id(&mut tx.conn(), "org_units").await? + 1;
    let now = Utc::now();
    let mut paths: Vec<String> = Vec::with_capacity(plan.orgs.len());
    let mut rows = Vec::with_capacity(plan.orgs.len());
    let mut history = Vec::with_capacity(plan.orgs.len());
    for (i, o) in plan.orgs.iter().enumerate() {
        let id = base + i as i64;
        let (parent_id, parent_path, depth) = match o.parent {
            Some(p) => (
                Some(base + p as i64),
                paths[p].as_str(),
                paths[p].matches('/').count() as i32 - 1,
            ),
            None => (None, "/", 0),
        };
        let path = format!("{parent_path}{id}/");
        let name = clean(&o.name);
        rows.push(vec![
            id.into(),
            parent_id.into(),
            o.kind.code().into(),
            o.code.clone().into(),
            name.clone().into(),
            fold(&name).into(),
            path.clone().into(),
            depth.into(),
            o.ward_code.clone().into(),
            o.address.clone().into(),
            o.lat.into(),
            o.lon.into(),
            truongso_domain::org::levels_to_codes(&o.levels).into(),
            o.ownership.map(|w| w.code()).into(),
            now.into(),
            now.into(),
        ]);
        history.push(vec![
            id.into(),
            parent_id.into(),
            since.into(),
            Some("Khởi tạo dữ liệu").into(),
        ]);
        paths.push(path);
    }
    bulk_insert(
        &mut tx.conn(),
        OrgUnits::Table,
        &[
            OrgUnits::Id,
            OrgUnits::ParentId,
            OrgUnits::Kind,
            OrgUnits::Code,
            OrgUnits::Name,
            OrgUnits::NameFold,
            OrgUnits::Path,
            OrgUnits::Depth,
            OrgUnits::WardCode,
            OrgUnits::Address,
            OrgUnits::Lat,
            OrgUnits::Lon,
            OrgUnits::Levels,
            OrgUnits::Ownership,
            OrgUnits::CreatedAt,
            OrgUnits::UpdatedAt,
        ],
        rows,
    )
    .await?;
    bulk_insert(
        &mut tx.conn(),
        OrgUnitParents::Table,
        &[
            OrgUnitParents::OrgUnitId,
            OrgUnitParents::ParentId,
            OrgUnitParents::ValidFrom,
            OrgUnitParents::Reason,
        ],
        history,
    )
    .await?;
    Ok((0..plan.orgs.len()).map(|i| base + i as i64).collect())
}

/// Hands out explicit ids for bulk inserts (so that child rows can reference parents without a
/// round trip), then moves PostgreSQL's sequences past them.
struct IdAllocator {
    next: HashMap<&'static str, i64>,
}

const ALLOCATED: [&str; 5] = [
    "staff",
    "classes",
    "learners",
    "enrolments",
    "enrolment_events",
];

impl IdAllocator {
    async fn new(store: &Store) -> StoreResult<Self> {
        let mut next = HashMap::new();
        for table in ALLOCATED {
            next.insert(table, max_id(&mut store.conn(), table).await? + 1);
        }
        Ok(Self { next })
    }

    fn take(&mut self, table: &'static str) -> i64 {
        let slot = self.next.get_mut(table).expect("allocated table");
        *slot += 1;
        *slot - 1
    }

    async fn finish(&self, store: &Store) -> StoreResult<()> {
        if store.backend() == Backend::Postgres {
            for table in ALLOCATED.iter().chain(["org_units"].iter()) {
                store
                    .conn()
                    .execute_raw(&format!("SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT COALESCE(MAX(id), 0) + 1 FROM {table}), false)"))
                    .await?;
            }
        }
        Ok(())
    }
}

async fn max_id(conn: &mut Conn<'_>, table: &str) -> StoreResult<i64> {
    let (max,): (Option<i64>,) = conn
        .fetch_one(
            Query::select()
                .expr(Expr::col(Alias::new("id")).max())
                .from(Alias::new(table)),
        )
        .await?;
    Ok(max.unwrap_or(0))
}

async fn write_school(
    tx: &mut Tx,
    ids: &mut IdAllocator,
    serial: &mut u64,
    org_ids: &[i64],
    school_id: i64,
    year_id: i64,
    year_start: NaiveDate,
    data: &SchoolData,
    report: &mut SeedReport,
) -> StoreResult<SchoolSample> {
    let now = Utc::now();
    let staff_ids: Vec<i64> = data.staff.iter().map(|_| ids.take("staff")).collect();
    let staff_rows = data
        .staff
        .iter()
        .zip(&staff_ids)
        .map(|(s, id)| {
            let name = clean(&s.full_name);
            vec![
                (*id).into(),
                school_id.into(),
                s.national_id.clone().into(),
                name.clone().into(),
                fold(&name).into(),
                sort_key(&name).into(),
                s.birth_date.into(),
                s.gender.code().into(),
                s.ethnicity_code.clone().into(),
                s.position.code().into(),
                s.qualification.code().into(),
                s.employment_type.code().into(),
                s.subjects.join(",").into(),
                s.phone.clone().into(),
                s.email.clone().into(),
                now.into(),
                now.into(),
            ]
        })
        .collect();
    bulk_insert(
        &mut tx.conn(),
        Staff::Table,
        &[
            Staff::Id,
            Staff::OrgUnitId,
            Staff::NationalId,
            Staff::FullName,
            Staff::NameFold,
            Staff::SortKey,
            Staff::BirthDate,
            Staff::Gender,
            Staff::EthnicityCode,
            Staff::Position,
            Staff::Qualification,
            Staff::EmploymentType,
            Staff::Subjects,
            Staff::Phone,
            Staff::Email,
            Staff::CreatedAt,
            Staff::UpdatedAt,
        ],
        staff_rows,
    )
    .await?;

    let class_ids: Vec<i64> = data.classes.iter().map(|_| ids.take("classes")).collect();
    let class_rows = data
        .classes
        .iter()
        .zip(&class_ids)
        .map(|(c, id)| {
            vec![
                (*id).into(),
                school_id.into(),
                c.site.map(|s| org_ids[s]).into(),
                year_id.into(),
                i32::from(c.grade).into(),
                c.name.clone().into(),
                staff_ids.get(c.homeroom).copied().into(),
                now.into(),
                now.into(),
            ]
        })
        .collect();
    bulk_insert(
        &mut tx.conn(),
        Classes::Table,
        &[
            Classes::Id,
            Classes::OrgUnitId,
            Classes::SiteId,
            Classes::SchoolYearId,
            Classes::Grade,
            Classes::Name,
            Classes::HomeroomStaffId,
            Classes::CreatedAt,
            Classes::UpdatedAt,
        ],
        class_rows,
    )
    .await?;
    let assignment_rows = data
        .teaching_assignments()
        .into_iter()
        .map(|a| {
            vec![
                year_id.into(),
                class_ids[a.class].into(),
                staff_ids[a.staff].into(),
                a.subject.into(),
            ]
        })
        .collect();
    bulk_insert(
        &mut tx.conn(),
        TeachingAssignments::Table,
        &[
            TeachingAssignments::SchoolYearId,
            TeachingAssignments::ClassId,
            TeachingAssignments::StaffId,
            TeachingAssignments::SubjectCode,
        ],
        assignment_rows,
    )
    .await?;

    let mut learner_rows = Vec::with_capacity(data.learners.len());
    let mut guardian_rows = Vec::new();
    let mut enrolment_rows = Vec::with_capacity(data.learners.len());
    let mut event_rows = Vec::with_capacity(data.learners.len());
    let mut fts_rows = Vec::new();
    let mut learner_cols: Vec<Learners> = vec![
        Learners::Id,
        Learners::LearnerCode,
        Learners::SchoolId,
        Learners::CreatedAt,
        Learners::UpdatedAt,
    ];
    let mut learner_ids = Vec::with_capacity(data.learners.len());
    for l in &data.learners {
        let id = ids.take("learners");
        learner_ids.push(id);
        let profile = profile_values(&l.input);
        if learner_rows.is_empty() {
            learner_cols.extend(profile.iter().map(|(c, _)| *c));
        }
        let mut row: Vec<Value> = vec![
            id.into(),
            learner_code(*serial).into(),
            school_id.into(),
            now.into(),
            now.into(),
        ];
        *serial += 1;
        fts_rows.push(vec![id.into(), fold(&l.input.full_name).into()]);
        row.extend(profile.into_iter().map(|(_, v)| v));
        learner_rows.push(row);
        for (i, g) in l.input.guardians.iter().enumerate() {
            guardian_rows.push(guardian_values(id, i, g).to_vec());
        }
        let enrolment_id = ids.take("enrolments");
        enrolment_rows.push(vec![
            enrolment_id.into(),
            id.into(),
            year_id.into(),
            school_id.into(),
            class_ids.get(l.class).copied().into(),
            l.status.code().into(),
            now.into(),
        ]);
        event_rows.push(vec![
            ids.take("enrolment_events").into(),
            enrolment_id.into(),
            EnrolmentStatus::Studying.code().into(),
            year_start.into(),
            Some("Nhập học").into(),
            now.into(),
        ]);
        if l.status != EnrolmentStatus::Studying {
            event_rows.push(vec![
                ids.take("enrolment_events").into(),
                enrolment_id.into(),
                l.status.code().into(),
                // A repeater repeats from the first day; the other changes come during the term.
                if l.status == EnrolmentStatus::Repeating {
                    year_start
                } else {
                    year_start + chrono::Days::new(60)
                }
                .into(),
                Some(l.status.label_vi()).into(),
                now.into(),
            ]);
        }
        report.guardians += l.input.guardians.len() as u64;
        report.planted_faults += u64::from(l.fault.is_some());
    }
    bulk_insert(&mut tx.conn(), Learners::Table, &learner_cols, learner_rows).await?;
    bulk_insert(
        &mut tx.conn(),
        Guardians::Table,
        &GUARDIAN_COLUMNS,
        guardian_rows,
    )
    .await?;
    bulk_insert(
        &mut tx.conn(),
        Enrolments::Table,
        &[
            Enrolments::Id,
            Enrolments::LearnerId,
            Enrolments::SchoolYearId,
            Enrolments::SchoolId,
            Enrolments::ClassId,
            Enrolments::Status,
            Enrolments::UpdatedAt,
        ],
        enrolment_rows,
    )
    .await?;
    bulk_insert(
        &mut tx.conn(),
        EnrolmentEvents::Table,
        &[
            EnrolmentEvents::Id,
            EnrolmentEvents::EnrolmentId,
            EnrolmentEvents::Status,
            EnrolmentEvents::EffectiveOn,
            EnrolmentEvents::Reason,
            EnrolmentEvents::CreatedAt,
        ],
        event_rows,
    )
    .await?;
    if tx.conn().backend() == Backend::Sqlite {
        bulk_insert(
            &mut tx.conn(),
            Alias::new("learner_name_fts"),
            &[Alias::new("rowid"), Alias::new("name_fold")],
            fts_rows,
        )
        .await?;
    }
    report.staff += data.staff.len() as u64;
    report.classes += data.classes.len() as u64;
    report.learners += data.learners.len() as u64;
    Ok(SchoolSample {
        staff_ids,
        learner_ids,
        class_ids,
    })
}

/// Inserts rows in multi-row statements sized under both backends' bound-parameter limits.
pub async fn bulk_insert<T: IntoIden + Clone, C: IntoIden + Clone>(
    conn: &mut Conn<'_>,
    table: T,
    columns: &[C],
    rows: Vec<Vec<Value>>,
) -> StoreResult<u64> {
    if rows.is_empty() {
        return Ok(0);
    }
    let per_statement = (30_000 / columns.len()).max(1);
    let cols: Vec<DynIden> = columns.iter().cloned().map(IntoIden::into_iden).collect();
    let table = table.into_iden();
    let mut written = 0;
    let mut rows = rows.into_iter().peekable();
    while rows.peek().is_some() {
        let mut insert = Query::insert();
        insert.into_table(table.clone()).columns(cols.clone());
        for row in rows.by_ref().take(per_statement) {
            insert.values_panic(row.into_iter().map(SimpleExpr::from));
        }
        written += conn.execute(&insert).await?;
    }
    Ok(written)
}

async fn write_accounts(
    store: &Store,
    plan: &Plan,
    accounts: &[truongso_demo::DemoAccount],
    org_ids: &[i64],
    samples: &HashMap<usize, SchoolSample>,
) -> StoreResult<Vec<SeededAccount>> {
    let mut tx = store.begin().await?;
    let mut out = Vec::new();
    for account in accounts {
        let scope_org_id = org_ids[account.scope_org];
        let sample = samples.get(&account.scope_org);
        let staff_id = account
            .staff
            .and_then(|i| sample.and_then(|s| s.staff_ids.get(i).copied()));
        let learner_ids: Vec<i64> = account
            .learner
            .and_then(|i| sample.and_then(|s| s.learner_ids.get(i).copied()))
            .into_iter()
            .collect();
        crate::users::create(
            &mut tx,
            &crate::users::NewUser {
                username: &account.username,
                password: &account.password,
                display_name: &account.display_name,
                role: &account.role,
                scope_org_id,
                staff_id,
                learner_ids: &learner_ids,
                must_change_password: false,
            },
        )
        .await?;
        out.push(SeededAccount {
            username: account.username.clone(),
            password: account.password.clone(),
            role: account.role.clone(),
            scope_org_id,
            scope: plan.orgs[account.scope_org].name.clone(),
            two_factor_required: account.role.parse().is_ok_and(|r| {
                truongso_domain::access::Policy::builtin()
                    .rule(r)
                    .two_factor
                    == truongso_domain::access::TwoFactor::Required
            }),
        });
    }
    tx.commit().await?;
    Ok(out)
}
