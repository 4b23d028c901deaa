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
