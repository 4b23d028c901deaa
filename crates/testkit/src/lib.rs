//! Runs each store test against both real databases: a fresh SQLite file and a fresh
//! PostgreSQL database. With `CI` set, an unreachable PostgreSQL fails the test instead of
//! skipping it.

#![allow(dead_code)]

use std::future::Future;
use std::sync::atomic::{AtomicU32, Ordering};

use truongso_store::Store;

static COUNTER: AtomicU32 = AtomicU32::new(0);

fn unique(prefix: &str) -> String {
    format!(
        "{prefix}_{}_{}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::SeqCst)
    )
}

/// The PostgreSQL server used by tests (its `postgres` database is used to create test databases).
pub fn pg_admin_url() -> String {
    std::env::var("TRUONGSO_TEST_PG")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".to_string())
}

pub async fn sqlite() -> Store {
    let path = std::env::temp_dir().join(format!("{}.sqlite", unique("truongso_test")));
    let store = Store::connect(&format!("sqlite://{}", path.display()))
        .await
        .expect("open sqlite");
    truongso_store::migrate::run(&store)
        .await
        .expect("migrate sqlite");
    store
}

/// A fresh PostgreSQL database, or `None` when the server is unreachable outside CI.
pub async fn postgres() -> Option<(Store, String)> {
    let admin = match Store::connect(&pg_admin_url()).await {
        Ok(s) => s,
        Err(e) if std::env::var_os("CI").is_none() => {
            eprintln!("PostgreSQL unreachable ({e}); skipping the PostgreSQL half of this test");
            return None;
        }
        Err(e) => panic!(
            "CI is set and PostgreSQL is unreachable at {}: {e}",
            pg_admin_url()
        ),
    };
    let name = unique("truongso_test");
    admin
        .conn()
        .execute_raw(&format!("CREATE DATABASE {name}"))
        .await
        .expect("create test database");
    admin.close().await;
    let base = pg_admin_url();
    let url = format!(
        "{}/{name}",
        base.rsplit_once('/').expect("url has a database").0
    );
    let store = Store::connect(&url).await.expect("connect test database");
    truongso_store::migrate::run(&store)
        .await
        .expect("migrate postgres");
    Some((store, name))
}

/// Drops a database made by [`postgres`].
pub async fn drop_pg(name: &str) {
    if let Ok(admin) = Store::connect(&pg_admin_url()).await {
        let _ = admin
            .conn()
            .execute_raw(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
            .await;
        admin.close().await;
    }
}

/// A demo province seeded once per test process and backend, and copied for every test that
/// asks for the same configuration: seeding 1,500 learners costs seconds, a copy milliseconds.
struct Template {
    sqlite_file: std::path::PathBuf,
    /// The PostgreSQL template database, when the server is reachable.
    pg_name: Option<String>,
    report: truongso_store::seed::SeedReport,
}

type Templates =
    std::sync::Mutex<std::collections::HashMap<String, &'static tokio::sync::OnceCell<Template>>>;

fn templates() -> &'static Templates {
    static TEMPLATES: std::sync::OnceLock<Templates> = std::sync::OnceLock::new();
    TEMPLATES.get_or_init(Default::default)
}

/// Seeds the template of `config` (once; tests asking meanwhile wait for it). Each test runs on
/// its own runtime, so no pool outlives the seeding: the copies are opened afresh.
async fn template(config: &truongso_demo::DemoConfig) -> &'static Template {
    let cell = {
        let mut map = templates().lock().unwrap_or_else(|e| e.into_inner());
        // One per configuration, for the life of the test process.
        *map.entry(format!("{config:?}"))
            .or_insert_with(|| Box::leak(Box::default()))
    };
    cell.get_or_init(|| async {
        let sqlite_file =
            std::env::temp_dir().join(format!("{}.sqlite", unique("truongso_template")));
        let store = Store::connect(&format!("sqlite://{}", sqlite_file.display()))
            .await
            .expect("open sqlite template");
        truongso_store::migrate::run(&store).await.expect("migrate");
        let report = truongso_store::seed::seed(&store, config, |_, _| {})
            .await
            .expect("seed the sqlite template");
        // Closing the last connection checkpoints the WAL into the file.
        store.close().await;
        let pg_name = match postgres().await {
            Some((pg, name)) => {
                truongso_store::seed::seed(&pg, config, |_, _| {})
                    .await
                    .expect("seed the postgres template");
                pg.close().await;
                let template = unique("truongso_tpl");
                let admin = Store::connect(&pg_admin_url()).await.expect("admin");
                drop_stale_databases(&admin).await;
                admin
                    .conn()
                    .execute_raw(&format!("ALTER DATABASE {name} RENAME TO {template}"))
                    .await
                    .expect("name the template");
                admin.close().await;
                Some(template)
            }
            None => None,
        };
        Template {
            sqlite_file,
            pg_name,
            report,
        }
    })
    .await
}

/// Drops the templates and test databases that test processes no longer running left behind
/// (a panicking test does not drop its database).
async fn drop_stale_databases(admin: &Store) {
    let names: Vec<(String,)> = admin
        .conn()
        .fetch_all_raw(
            "SELECT datname FROM pg_database WHERE datname LIKE 'truongso_tpl_%' OR datname LIKE 'truongso_test_%'",
            &[],
        )
        .await
        .unwrap_or_default();
    for (name,) in names {
        let pid = name.split('_').nth(2).and_then(|p| p.parse::<u32>().ok());
        let alive = pid.is_some_and(|p| std::path::Path::new(&format!("/proc/{p}")).exists());
        if !alive {
            let _ = admin
                .conn()
                .execute_raw(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                .await;
        }
    }
}

/// A copy of the SQLite template of `config`.
pub async fn seeded_sqlite(
    config: &truongso_demo::DemoConfig,
) -> (Store, truongso_store::seed::SeedReport) {
    let t = template(config).await;
    let path = std::env::temp_dir().join(format!("{}.sqlite", unique("truongso_test")));
    std::fs::copy(&t.sqlite_file, &path).expect("copy the sqlite template");
    let store = Store::connect(&format!("sqlite://{}", path.display()))
        .await
        .expect("open the copy");
    (store, t.report.clone())
}

/// A copy of the PostgreSQL template of `config` (`CREATE DATABASE … TEMPLATE`), with its name
/// for [`drop_pg`]; `None` when the server is unreachable outside CI.
pub async fn seeded_postgres(
    config: &truongso_demo::DemoConfig,
) -> Option<(Store, String, truongso_store::seed::SeedReport)> {
    let t = template(config).await;
    let template_name = t.pg_name.as_ref()?;
    let admin = Store::connect(&pg_admin_url())
        .await
        .expect("admin connection");
    let name = unique("truongso_test");
    // Two copies of one template at the same moment may find it busy: try again shortly.
    let mut attempt = 0;
    loop {
        let created = admin
            .conn()
            .execute_raw(&format!("CREATE DATABASE {name} TEMPLATE {template_name}"))
            .await;
        match created {
            Ok(_) => break,
            Err(_) if attempt < 50 => {
                attempt += 1;
                tokio::time::sleep(std::time::Duration::from_millis(100)).await;
            }
            Err(e) => panic!("copy the postgres template: {e}"),
        }
    }
    admin.close().await;
    let base = pg_admin_url();
    let url = format!("{}/{name}", base.rsplit_once('/').expect("url").0);
    let store = Store::connect(&url).await.expect("connect the copy");
    Some((store, name, t.report.clone()))
}

/// Runs `test` on a copy of the seeded province of `config` on SQLite, then on PostgreSQL.
pub async fn on_both_seeded<F, Fut>(config: &truongso_demo::DemoConfig, test: F)
where
    F: Fn(Store, truongso_store::seed::SeedReport) -> Fut,
    Fut: Future<Output = ()>,
{
    let (s, report) = seeded_sqlite(config).await;
    test(s.clone(), report).await;
    s.close().await;
    if let Some((pg, name, report)) = seeded_postgres(config).await {
        test(pg.clone(), report).await;
        pg.close().await;
        drop_pg(&name).await;
    }
}

/// Runs `test` on SQLite, then on PostgreSQL.
pub async fn on_both<F, Fut>(test: F)
where
    F: Fn(Store) -> Fut,
    Fut: Future<Output = ()>,
{
    let s = sqlite().await;
    test(s.clone()).await;
    s.close().await;
    if let Some((pg, name)) = postgres().await {
        test(pg.clone()).await;
        pg.close().await;
        drop_pg(&name).await;
    }
}

/// Gradebook data for tests that need a decided school year (the demo seed has no marks).
pub mod gradebook {
    use truongso_domain::gradebook::compute::GradingRules;
    use truongso_domain::gradebook::{Item, Slot, Term, slots_in_term};
    use truongso_store::audit::AuditActor;
    use truongso_store::classes::Class;
    use truongso_store::gradebook::{self, CellEdit, class_grade, class_items, results};
    use truongso_store::{PageRequest, Scope, Store, classes};

    /// The test's own name in the gradebook history.
    pub fn actor() -> AuditActor {
        AuditActor {
            user_id: None,
            username: Some("test".into()),
            role: None,
            client: None,
        }
    }

    /// The first class of `grade` (or of any secondary grade) with learners.
    pub async fn class_with_learners(store: &Store, grade: Option<i32>) -> Class {
        let all = classes::list(
            &mut store.conn(),
            &Scope::All,
            &classes::ClassFilter::default(),
            &PageRequest::new(1, 100_000),
        )
        .await
        .expect("classes")
        .items;
        all.into_iter()
            .find(|c| {
                c.learner_count > 0 && grade.map_or((6..=9).contains(&c.grade), |g| c.grade == g)
            })
            .expect("a class with learners")
    }

    /// Enters a whole year for one learner of a class — every subject of both semesters at
    /// `score` (comment subjects Đạt; primary HTT, tests 9, qualities Tốt), conduct Tốt,
    /// comments on every row — then computes the school's year results.
    pub async fn decide_year(store: &Store, class: &Class, learner_id: i64, score: &str) {
        let grade = class_grade(class);
        let items = class_items(&mut store.conn(), class).await.expect("items");
        let mut tx = store.begin().await.expect("begin");
        for term in [Term::First, Term::Second] {
            for p in &items {
                let edits: Vec<CellEdit> = slots_in_term(p.item, grade, p.regular, term)
                    .into_iter()
                    .map(|(slot, kind)| {
                        use truongso_domain::gradebook::ValueKind as K;
                        let value = match (slot, kind) {
                            (Slot::Comment, _) => match p.item {
                                Item::Conduct | Item::Absences => {
                                    "Ngoan, lễ phép; tích cực tham gia hoạt động của lớp."
                                }
                                _ => "Chăm chỉ, tiến bộ rõ rệt; cần đọc thêm sách.",
                            },
                            (_, K::Score) => score,
                            (_, K::Comment) => "Đ",
                            (_, K::Rating) => "HTT",
                            (_, K::Test) => "9",
                            (_, K::TraitRating) => "T",
                            (_, K::Conduct) => "T",
                            (_, K::Count) => "1",
                            (_, K::Text) => "",
                        };
                        CellEdit {
                            learner_id,
                            slot: slot.code().into(),
                            base: None,
                            value: value.into(),
                        }
                    })
                    .collect();
                gradebook::save(&mut tx, &actor(), "test", class, p.item, term, &edits)
                    .await
                    .expect("save marks");
            }
        }
        results::compute_school(
            &mut tx,
            &actor(),
            "test",
            class.org_unit_id,
            class.school_year_id,
            &GradingRules::default(),
        )
        .await
        .expect("compute the year");
        tx.commit().await.expect("commit");
    }

    /// Changes one cell (the teacher's correction) and recomputes the school's year results.
    pub async fn correct(
        store: &Store,
        class: &Class,
        learner_id: i64,
        item: Item,
        term: Term,
        slot: Slot,
        from: Option<&str>,
        to: &str,
    ) {
        let mut tx = store.begin().await.expect("begin");
        let report = gradebook::save(
            &mut tx,
            &actor(),
            "test",
            class,
            item,
            term,
            &[CellEdit {
                learner_id,
                slot: slot.code().into(),
                base: from.map(str::to_string),
                value: to.into(),
            }],
        )
        .await
        .expect("save the correction");
        assert_eq!(report.saved, 1, "{report:?}");
        results::compute_school(
            &mut tx,
            &actor(),
            "test",
            class.org_unit_id,
            class.school_year_id,
            &GradingRules::default(),
        )
        .await
        .expect("recompute");
        tx.commit().await.expect("commit");
    }
}
