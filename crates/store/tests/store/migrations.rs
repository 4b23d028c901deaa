//! Shipped migrations never change: each version renders, on each backend, exactly the SQL in
//! `migrations/<backend>.sql` (what databases in the field applied; the files were written from
//! the code of the release that shipped them), and a database written by an earlier version
//! opens and migrates cleanly with today's code.
//!
//! A new migration is added to the golden files with `TRUONGSO_BLESS_MIGRATIONS=1 cargo test
//! -p truongso-store migrations`; the test then refuses any change to a version already there.

use truongso_store::{Backend, Store, migrate};

fn golden_path(backend: Backend) -> std::path::PathBuf {
    let name = match backend {
        Backend::Sqlite => "sqlite.sql",
        Backend::Postgres => "postgres.sql",
    };
    std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/store/migrations")
        .join(name)
}

/// The text of versions as the golden files hold it. The moment a migration runs is written
/// into some rows (`updated_at` of the shipped plan targets): it reads as `<now>`.
fn render(versions: &[(i64, &str, Vec<String>)]) -> String {
    static NOW: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
        regex::Regex::new(r"'\d{4}-\d\d-\d\d[ T]\d\d:\d\d:\d\d(\.\d+)?( ?\+00:00|Z)?'").unwrap()
    });
    let text = versions
        .iter()
        .map(|(v, name, statements)| {
            format!("-- version {v}: {name}\n{};\n", statements.join(";\n"))
        })
        .collect::<Vec<_>>()
        .join("\n");
    NOW.replace_all(&text, "'<now>'").into_owned()
}

/// The golden file's versions: (version, the text of that version).
fn golden_versions(text: &str) -> Vec<(i64, String)> {
    text.split("-- version ")
        .filter(|part| !part.trim().is_empty())
        .map(|part| {
            let version = part.split(':').next().unwrap().trim().parse().unwrap();
            (version, format!("-- version {part}"))
        })
        .collect()
}

#[test]
fn shipped_migrations_render_byte_for_byte_as_before() {
    for backend in [Backend::Sqlite, Backend::Postgres] {
        let now = migrate::rendered(backend);
        let path = golden_path(backend);
        let golden = std::fs::read_to_string(&path).unwrap_or_default();
        let shipped = golden_versions(&golden);
        for (version, text) in &shipped {
            let current = now
                .iter()
                .find(|(v, ..)| v == version)
                .unwrap_or_else(|| panic!("shipped version {version} is gone ({backend:?})"));
            let current = render(std::slice::from_ref(current));
            assert_eq!(
                current.trim(),
                text.trim(),
                "shipped migration {version} changed on {backend:?}: add a new version instead"
            );
        }
        let unrecorded: Vec<_> = now
            .iter()
            .filter(|(v, ..)| !shipped.iter().any(|(s, _)| s == v))
            .cloned()
            .collect();
        if !unrecorded.is_empty() {
            assert!(
                std::env::var_os("TRUONGSO_BLESS_MIGRATIONS").is_some(),
                "migrations {:?} are not in {} yet: run with TRUONGSO_BLESS_MIGRATIONS=1",
                unrecorded.iter().map(|(v, ..)| v).collect::<Vec<_>>(),
                path.display()
            );
            let mut text = golden.clone();
            if !text.is_empty() && !text.ends_with("\n\n") {
                text.push('\n');
            }
            text.push_str(&render(&unrecorded));
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(&path, text).unwrap();
        }
    }
}

/// A database as the release before the account-security migration left it (versions 1–10,
/// which the test above holds to what that release ran), opened with today's code.
async fn earlier_release_migrates(store: &Store) {
    let first = migrate::run_up_to(store, 10).await.unwrap();
    assert_eq!(first, (1..=10).collect::<Vec<_>>());
    let applied = migrate::run(store).await.unwrap();
    assert!(applied.iter().all(|v| *v > 10), "{applied:?}");
    assert!(applied.contains(&11), "{applied:?}");
    assert!(
        migrate::run(store).await.unwrap().is_empty(),
        "a second run applies nothing"
    );
    // And it works: a province seeds into it.
    let config = truongso_demo::DemoConfig {
        learners: 500,
        marks: false,
        ..Default::default()
    };
    truongso_store::seed::seed(store, &config, |_, _| {})
        .await
        .unwrap();
}

#[tokio::test]
async fn a_database_of_an_earlier_release_migrates_cleanly() {
    let dir = std::env::temp_dir().join(format!("truongso-old-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let url = format!("sqlite://{}", dir.join("old.sqlite").display());
    let store = Store::connect(&url).await.unwrap();
    earlier_release_migrates(&store).await;
    store.close().await;
    if let Some((admin, name)) = empty_postgres().await {
        earlier_release_migrates(&admin).await;
        admin.close().await;
        truongso_testkit::drop_pg(&name).await;
    }
    let _ = std::fs::remove_dir_all(&dir);
}

/// A PostgreSQL database with nothing in it (not migrated).
async fn empty_postgres() -> Option<(Store, String)> {
    let (store, name) = truongso_testkit::postgres().await?;
    store.close().await;
    let admin = Store::connect(&truongso_testkit::pg_admin_url())
        .await
        .unwrap();
    let fresh = format!("{name}_old");
    admin
        .conn()
        .execute_raw(&format!("CREATE DATABASE {fresh}"))
        .await
        .unwrap();
    admin.close().await;
    truongso_testkit::drop_pg(&name).await;
    let base = truongso_testkit::pg_admin_url();
    let url = format!("{}/{fresh}", base.rsplit_once('/').unwrap().0);
    Some((Store::connect(&url).await.unwrap(), fresh))
}
