//! A process killed in the middle of an import leaves the database as it was; running the
//! import again then completes it, and a third run changes nothing. On SQLite and PostgreSQL.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

use chrono::NaiveDate;
use sea_query::ExprTrait;
use truongso_domain::tabular::{Cell, TableWriter};
use truongso_store::learners::LearnerFilter;
use truongso_store::{PageRequest, Scope, Store};

const ROWS: usize = 30_000;

fn truongso(args: &[&str]) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_truongso"));
    c.args(args).env("RUST_LOG", "warn");
    c
}

/// 30,000 distinct valid learners (20 family names × 10 middle × 20 given × 7.5 birth dates).
fn big_file() -> Vec<u8> {
    let family = [
        "Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi", "Đỗ",
        "Hồ", "Ngô", "Dương", "Lý", "Đinh", "Lương", "Mai", "Trịnh",
    ];
    let middle = [
        "Văn", "Thị", "Minh", "Ngọc", "Thanh", "Quốc", "Gia", "Hữu", "Đức", "Bảo",
    ];
    let given = [
        "An", "Bình", "Châu", "Dũng", "Giang", "Hà", "Hải", "Hạnh", "Hiếu", "Hòa", "Khánh", "Lan",
        "Linh", "Long", "My", "Nam", "Ngân", "Phúc", "Quân", "Yến",
    ];
    let mut w = TableWriter::xlsx("Học sinh");
    w.header(&[
        "Họ và tên",
        "Ngày sinh",
        "Giới tính",
        "Dân tộc",
        "Họ tên mẹ",
        "Điện thoại mẹ",
    ])
    .unwrap();
    let start = NaiveDate::from_ymd_opt(2012, 1, 1).unwrap();
    for n in 0..ROWS {
        let name = format!(
            "{} {} {}",
            family[n % 20],
            middle[(n / 20) % 10],
            given[(n / 200) % 20]
        );
        let dob = start + chrono::Days::new((n / 4000) as u64 * 37);
        w.row(&[
            Cell::Text(name),
            Cell::Date(dob),
            Cell::Text(if n % 2 == 0 { "Nam" } else { "Nữ" }.into()),
            Cell::Text("Kinh".into()),
            Cell::Text("Trần Thị Mẹ".into()),
            Cell::Text(format!("09{:08}", n)),
        ])
        .unwrap();
    }
    w.finish().unwrap()
}

async fn learners(store: &Store) -> u64 {
    truongso_store::learners::list(
        &mut store.conn(),
        &Scope::All,
        &LearnerFilter::default(),
        &PageRequest::new(1, 1),
    )
    .await
    .unwrap()
    .total
}

async fn first_school(store: &Store) -> String {
    let (code,): (String,) = store
        .conn()
        .fetch_one(
            sea_query::Query::select()
                .column(truongso_store::schema::OrgUnits::Code)
                .from(truongso_store::schema::OrgUnits::Table)
                .and_where(
                    sea_query::Expr::col(truongso_store::schema::OrgUnits::Kind).eq("school"),
                )
                .limit(1),
        )
        .await
        .unwrap();
    code
}

async fn killed_then_completed(url: &str, dir: &std::path::Path) {
    let seeded = truongso(&["seed", "--database", url, "--learners", "600"])
        .output()
        .unwrap();
    assert!(
        seeded.status.success(),
        "{}",
        String::from_utf8_lossy(&seeded.stderr)
    );
    let store = Store::connect(url).await.unwrap();
    let school = first_school(&store).await;
    let before = learners(&store).await;
    let file = dir.join("hoc-sinh.xlsx");
    std::fs::write(&file, big_file()).unwrap();
    let file = file.to_str().unwrap();
    let args = [
        "import",
        "--database",
        url,
        "--kind",
        "learners",
        file,
        "--school",
        &school,
    ];

    // Killed once it reports rows written (inside its transaction).
    let mut child = truongso(&args)
        .stderr(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    let stderr = BufReader::new(child.stderr.take().unwrap());
    let mut saw_progress = false;
    for line in stderr.lines() {
        let line = line.unwrap();
        if line.contains("đã ghi") && !line.contains(" 0 /") {
            saw_progress = true;
            break;
        }
    }
    child.kill().unwrap();
    child.wait().unwrap();
    assert!(saw_progress, "the import never reported progress");
    assert_eq!(
        learners(&store).await,
        before,
        "a killed import wrote nothing"
    );

    let done = truongso(&args).output().unwrap();
    assert!(
        done.status.success(),
        "{}",
        String::from_utf8_lossy(&done.stderr)
    );
    assert_eq!(learners(&store).await, before + ROWS as u64);
    let again = truongso(&args).output().unwrap();
    let out = String::from_utf8_lossy(&again.stdout);
    assert!(
        out.contains(&format!("0 thêm mới, 0 cập nhật, {ROWS} không đổi")),
        "{out}"
    );
    store.close().await;
}

#[tokio::test]
async fn a_killed_import_leaves_the_database_unchanged() {
    let dir = std::env::temp_dir().join(format!("truongso-kill-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let sqlite = format!("sqlite://{}", dir.join("k.sqlite").display());
    killed_then_completed(&sqlite, &dir).await;
    if let Some((pg, name)) = truongso_testkit::postgres().await {
        pg.close().await;
        let base = truongso_testkit::pg_admin_url();
        let url = format!("{}/{name}", base.rsplit_once('/').unwrap().0);
        killed_then_completed(&url, &dir).await;
        truongso_testkit::drop_pg(&name).await;
    }
}
