//! `truongso verify-ledger` passes on an untouched database and fails, naming what was altered,
//! after a mark is changed directly in the database or an event of the history is deleted.
//! On SQLite and PostgreSQL.

use std::process::Command;

use sea_query::ExprTrait;
use truongso_store::schema::GradeRows;
use truongso_store::{Backend, Store};

fn verify(url: &str) -> (bool, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_truongso"))
        .args(["verify-ledger", "--database", url])
        .env("RUST_LOG", "warn")
        .output()
        .unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.success(), text)
}

async fn tamper_and_verify(url: &str) {
    let seeded = Command::new(env!("CARGO_BIN_EXE_truongso"))
        .args(["seed", "--database", url, "--learners", "600"])
        .output()
        .unwrap();
    assert!(
        seeded.status.success(),
        "{}",
        String::from_utf8_lossy(&seeded.stderr)
    );
    let store = Store::connect(url).await.unwrap();
    // The seeded year of marks (with the saves that produced them) verifies.
    let (ok, text) = verify(url);
    assert!(ok, "{text}");
    assert!(text.contains("Toàn vẹn"), "{text}");
    let (learner,): (i64,) = store
        .conn()
        .fetch_one(
            sea_query::Query::select()
                .expr(sea_query::Expr::col(GradeRows::LearnerId).min())
                .from(GradeRows::Table)
                .and_where(sea_query::Expr::col(GradeRows::Item).eq("toan"))
                .and_where(sea_query::Expr::col(GradeRows::Term).eq(2)),
        )
        .await
        .unwrap();

    // Someone with database access raises the mark.
    let mut conn = store.conn();
    conn.execute_raw(&format!(
        "UPDATE grade_rows SET r1 = '9.9' WHERE learner_id = {learner} AND item = 'toan' AND term = 2"
    ))
    .await
    .unwrap();
    let (ok, text) = verify(url);
    assert!(!ok, "{text}");
    assert!(
        text.contains(&format!("học sinh {learner}, toan")),
        "{text}"
    );

    // …and then deletes the history of it (getting past the append-only trigger first).
    conn.execute_raw(match store.backend() {
        Backend::Sqlite => "DROP TRIGGER grade_events_no_delete",
        Backend::Postgres => "DROP TRIGGER grade_events_no_change ON grade_events",
    })
    .await
    .unwrap();
    conn.execute_raw("DELETE FROM grade_events WHERE id = (SELECT MAX(id) FROM grade_events)")
        .await
        .unwrap();
    let (ok, text) = verify(url);
    assert!(!ok, "{text}");
    assert!(text.contains("chuỗi"), "{text}");
    store.close().await;
}

#[tokio::test]
async fn tampering_makes_verify_ledger_fail() {
    let dir = std::env::temp_dir().join(format!("truongso-ledger-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let sqlite = format!("sqlite://{}", dir.join("l.sqlite").display());
    tamper_and_verify(&sqlite).await;
    if let Some((pg, name)) = truongso_testkit::postgres().await {
        pg.close().await;
        let base = truongso_testkit::pg_admin_url();
        let url = format!("{}/{name}", base.rsplit_once('/').unwrap().0);
        tamper_and_verify(&url).await;
        truongso_testkit::drop_pg(&name).await;
    }
}
