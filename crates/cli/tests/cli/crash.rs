//! `kill -9` at any moment loses nothing that was acknowledged, with real processes on SQLite
//! and PostgreSQL: the server killed again and again while four writers save marks over the
//! API (a save whose answer never came may or may not be stored; an answered one must be); a
//! term lock and a transcript signature answered just before the kill; an import killed in
//! the CLI and in the server; `seed` and `gradebook compute` killed midway. After the kills
//! the databases' own checks (`PRAGMA integrity_check`, PostgreSQL `amcheck`) and
//! `verify-ledger` must pass.

use std::collections::HashMap;
use std::io::{BufRead, BufReader};
use std::process::Stdio;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use crate::support::{Server, call, check_database, truongso};
use chrono::NaiveDate;
use sea_query::ExprTrait;
use serde_json::{Value, json};
use truongso_domain::tabular::{Cell, TableWriter};
use truongso_store::learners::LearnerFilter;
use truongso_store::{PageRequest, Scope, Store};

const ROWS: usize = 30_000;

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

async fn school_code(store: &Store, id: i64) -> String {
    let (code,): (String,) = store
        .conn()
        .fetch_one(
            sea_query::Query::select()
                .column(truongso_store::schema::OrgUnits::Code)
                .from(truongso_store::schema::OrgUnits::Table)
                .and_where(sea_query::Expr::col(truongso_store::schema::OrgUnits::Id).eq(id)),
        )
        .await
        .unwrap();
    code
}

/// A CLI import killed once it reports rows written (inside its transaction) leaves the
/// database as it was; running it again completes it, and a third run changes nothing.
async fn killed_then_completed(url: &str, school_id: i64, dir: &std::path::Path) {
    let store = Store::connect(url).await.unwrap();
    let school = school_code(&store, school_id).await;
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

/// Where one writer saves: a class's grid of one subject in one term, its comment column.
struct Grid {
    path: String,
    slot: String,
    learners: Vec<i64>,
}

/// What a writer knows of each cell: the value last acknowledged, and the one sent without an
/// answer (the server died first), which may or may not have been stored.
#[derive(Default)]
struct Ledger {
    acked: HashMap<(usize, i64), Option<String>>,
    in_flight: HashMap<(usize, i64), String>,
    acknowledged_saves: usize,
}

/// A row's values come as an array in slot order.
const SLOTS: [&str; 9] = [
    "r1", "r2", "r3", "r4", "mid", "test_mid", "end", "test_end", "comment",
];

fn grid_values(base: &str, token: &str, grid: &Grid) -> HashMap<i64, Option<String>> {
    let index = SLOTS.iter().position(|s| *s == grid.slot).unwrap();
    let (status, body) = call("GET", &format!("{base}{}", grid.path), Some(token), None).unwrap();
    assert_eq!(status, 200, "{body}");
    body["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            let id = r["learner_id"].as_i64().unwrap();
            (id, r["values"][index].as_str().map(str::to_string))
        })
        .collect()
}

/// Every acknowledged save is stored; a cell whose save had no answer holds either value.
fn check_nothing_acknowledged_was_lost(
    base: &str,
    token: &str,
    grids: &[Grid],
    ledger: &Mutex<Ledger>,
) {
    let mut l = ledger.lock().unwrap();
    for (w, grid) in grids.iter().enumerate() {
        let stored = grid_values(base, token, grid);
        for learner in &grid.learners {
            let key = (w, *learner);
            let now = stored.get(learner).cloned().flatten();
            let acked = l.acked.get(&key).cloned().flatten();
            match l.in_flight.remove(&key) {
                Some(sent) => {
                    assert!(
                        now == acked || now.as_deref() == Some(sent.as_str()),
                        "cell {key:?}: stored {now:?}, acknowledged {acked:?}, unanswered {sent:?}"
                    );
                    // Whichever it is, it is now known.
                    l.acked.insert(key, now);
                }
                None if l.acked.contains_key(&key) => {
                    assert_eq!(now, acked, "cell {key:?}: an acknowledged save was lost");
                }
                None => {
                    l.acked.insert(key, now);
                }
            }
        }
    }
}

/// Four writers save comments over the API while the server is killed `kills` times.
fn marks_survive_kills(url: &str, accounts: &[Value], kills: usize) {
    let principal = crate::support::account(accounts, "principal");
    let school = principal["scope_org_id"].as_i64().unwrap();
    let token = crate::support::token(url, principal["username"].as_str().unwrap());
    let mut server = Server::start(url);
    let base = server.base.clone();
    let (_, classes) = call(
        "GET",
        &format!("{base}/api/v1/classes?org_unit_id={school}&per_page=50"),
        Some(&token),
        None,
    )
    .unwrap();
    let class_ids: Vec<i64> = classes["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_i64().unwrap())
        .collect();
    assert!(class_ids.len() >= 4, "{classes}");
    let mut grids = vec![];
    for class in class_ids.iter().take(4) {
        let (_, summary) = call(
            "GET",
            &format!("{base}/api/v1/gradebook/classes/{class}/summary"),
            Some(&token),
            None,
        )
        .unwrap();
        let subject = summary["subjects"][0][0].as_str().unwrap().to_string();
        let path = format!("/api/v1/gradebook/classes/{class}/items/{subject}/terms/hk2");
        let (status, grid) = call("GET", &format!("{base}{path}"), Some(&token), None).unwrap();
        assert_eq!(status, 200, "{grid}");
        if grid["locked"] == true {
            let unlock = json!({"action": "unlock", "reason": "Kiểm thử ghi điểm khi máy chủ bị tắt", "school_year_id": grid["school_year_id"]});
            let (status, body) = call(
                "POST",
                &format!("{base}/api/v1/gradebook/schools/{school}/terms/hk2"),
                Some(&token),
                crate::support::json(&unlock),
            )
            .unwrap();
            assert_eq!(status, 200, "{body}");
        }
        let slot = grid["columns"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c[1] == "text")
            .map(|c| c[0].as_str().unwrap().to_string())
            .unwrap_or_else(|| panic!("no comment column: {grid}"));
        let learners = grid["rows"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["learner_id"].as_i64().unwrap())
            .collect();
        grids.push(Grid {
            path,
            slot,
            learners,
        });
    }
    let grids = Arc::new(grids);
    let ledger = Arc::new(Mutex::new(Ledger::default()));
    check_nothing_acknowledged_was_lost(&base, &token, &grids, &ledger);

    let stop = Arc::new(AtomicBool::new(false));
    let down = Arc::new(AtomicUsize::new(0));
    let writers: Vec<_> = (0..grids.len())
        .map(|w| {
            let (grids, ledger, stop, down, base, token) =
                (grids.clone(), ledger.clone(), stop.clone(), down.clone(), base.clone(), token.clone());
            std::thread::spawn(move || {
                let grid = &grids[w];
                let mut n = 0usize;
                while !stop.load(Ordering::SeqCst) {
                    if down.load(Ordering::SeqCst) > 0 {
                        std::thread::sleep(Duration::from_millis(20));
                        continue;
                    }
                    let learner = grid.learners[n % grid.learners.len()];
                    let value = format!("Nhận xét {w}-{n}: chăm chỉ, tiến bộ");
                    n += 1;
                    let key = (w, learner);
                    let cell_base = {
                        let mut l = ledger.lock().unwrap();
                        if l.in_flight.contains_key(&key) {
                            continue; // not known until the check after the restart
                        }
                        l.in_flight.insert(key, value.clone());
                        l.acked.get(&key).cloned().flatten()
                    };
                    let body = json!({"cells": [{"learner_id": learner, "slot": grid.slot, "base": cell_base, "value": value}]});
                    match call("POST", &format!("{base}{}", grid.path), Some(&token), crate::support::json(&body)) {
                        Ok((200, report)) => {
                            assert_eq!(report["saved"], 1, "sent {body}: {report}");
                            let mut l = ledger.lock().unwrap();
                            l.in_flight.remove(&key);
                            l.acked.insert(key, Some(value));
                            l.acknowledged_saves += 1;
                        }
                        Ok((status, body)) => panic!("save refused: {status} {body}"),
                        // No answer: the server is gone; the value stays in flight.
                        Err(_) => std::thread::sleep(Duration::from_millis(20)),
                    }
                }
            })
        })
        .collect();
    for _ in 0..kills {
        let target = ledger.lock().unwrap().acknowledged_saves + 40 + rand_below(80);
        while ledger.lock().unwrap().acknowledged_saves < target {
            std::thread::sleep(Duration::from_millis(5));
        }
        down.fetch_add(1, Ordering::SeqCst);
        server.kill();
        server.restart();
        // Writers still in a request get no answer; give them a moment to notice.
        std::thread::sleep(Duration::from_millis(100));
        check_nothing_acknowledged_was_lost(&base, &token, &grids, &ledger);
        down.fetch_sub(1, Ordering::SeqCst);
    }
    stop.store(true, Ordering::SeqCst);
    for w in writers {
        w.join().unwrap();
    }
    check_nothing_acknowledged_was_lost(&base, &token, &grids, &ledger);
    let saves = ledger.lock().unwrap().acknowledged_saves;
    eprintln!("{kills} kills, {saves} acknowledged saves, none lost");
    assert!(saves > kills * 40);

    // A term lock answered just before the kill is in force after it; so is the unlock.
    let grid = &grids[0];
    let (_, g) = call("GET", &format!("{base}{}", grid.path), Some(&token), None).unwrap();
    let year = g["school_year_id"].clone();
    for (action, locked) in [("lock", true), ("unlock", false)] {
        let change =
            json!({"action": action, "reason": "Mở lại để kiểm thử", "school_year_id": year});
        let (status, body) = call(
            "POST",
            &format!("{base}/api/v1/gradebook/schools/{school}/terms/hk2"),
            Some(&token),
            crate::support::json(&change),
        )
        .unwrap();
        assert_eq!(status, 200, "{body}");
        server.kill();
        server.restart();
        let (_, g) = call("GET", &format!("{base}{}", grid.path), Some(&token), None).unwrap();
        assert_eq!(g["locked"], locked, "after {action} and a kill: {g}");
    }

    // A transcript signature answered just before the kill is there after it.
    let (_, years) = call(
        "GET",
        &format!("{base}/api/v1/school-years"),
        Some(&token),
        None,
    )
    .unwrap();
    let year_code = years
        .as_array()
        .and_then(|ys| ys.iter().find(|y| y["id"] == year))
        .map(|y| y["code"].as_str().unwrap().to_string())
        .unwrap_or_else(|| panic!("{years}"));
    let mut signed = false;
    for learner in grids.iter().flat_map(|g| g.learners.iter()).take(40) {
        let path = format!("{base}/api/v1/learners/{learner}/transcripts/{year_code}");
        let (_, status) = call("GET", &path, Some(&token), None).unwrap();
        if status["may_sign"].is_null() {
            continue;
        }
        let (code, body) = call("POST", &format!("{path}/signatures"), Some(&token), None).unwrap();
        if code != 201 {
            continue; // not signable yet (results pending): try another learner
        }
        let before = body["issued"]["signatures"]
            .as_array()
            .map(Vec::len)
            .unwrap_or(0);
        assert!(before >= 1, "{body}");
        server.kill();
        server.restart();
        let (_, after) = call("GET", &path, Some(&token), None).unwrap();
        assert_eq!(
            after["issued"]["signatures"].as_array().map(Vec::len),
            Some(before),
            "{after}"
        );
        signed = true;
        break;
    }
    assert!(signed, "no transcript could be signed");
    drop(server);
}

/// A small pseudo-random number (the kill moments differ from run to run).
fn rand_below(n: usize) -> usize {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .subsec_nanos() as usize;
    nanos % n
}

/// An import sent to the server, killed while it writes: nothing or everything is stored.
async fn web_import_survives_a_kill(url: &str, principal: &Value, dir: &std::path::Path) {
    let school = principal["scope_org_id"].as_i64().unwrap();
    let token = crate::support::token(url, principal["username"].as_str().unwrap());
    let store = Store::connect(url).await.unwrap();
    let before = learners(&store).await;
    let mut server = Server::start(url);
    let file = big_file();
    std::fs::write(dir.join("web.xlsx"), &file).unwrap();
    let target = format!("{}/api/v1/imports/learners?school_id={school}", server.base);
    let sender = std::thread::spawn(move || {
        call(
            "POST",
            &target,
            Some(&token),
            Some((
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                file,
            )),
        )
    });
    std::thread::sleep(Duration::from_millis(1500 + rand_below(1500) as u64));
    server.kill();
    let answer = sender.join().unwrap();
    let after = learners(&store).await;
    match answer {
        Ok((200 | 201, _)) => assert_eq!(after, before + ROWS as u64, "acknowledged import lost"),
        _ => assert!(
            after == before || after == before + ROWS as u64,
            "half an import: {before} → {after}"
        ),
    }
    server.restart();
    drop(server);
    store.close().await;
}

/// `gradebook compute` killed midway: the history stays intact and a second run completes.
fn compute_survives_a_kill(url: &str) {
    let mut child = truongso(&["gradebook", "compute", "--database", url])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_millis(300 + rand_below(700) as u64));
    child.kill().unwrap();
    child.wait().unwrap();
    crate::support::verify_ledger(url);
    let out = crate::support::run(&["gradebook", "compute", "--database", url]);
    assert!(out.contains("Đã tổng kết"), "{out}");
    crate::support::verify_ledger(url);
}

/// `seed` killed midway leaves a province marked incomplete: on SQLite the next seed starts
/// the file afresh; on PostgreSQL it refuses, saying why, instead of building on half a
/// province.
fn seed_survives_a_kill(url: &str, sqlite: bool) {
    let mut child = truongso(&[
        "seed",
        "--database",
        url,
        "--learners",
        "20000",
        "--no-marks",
    ])
    .stdout(Stdio::null())
    .stderr(Stdio::piped())
    .spawn()
    .unwrap();
    let stderr = BufReader::new(child.stderr.take().unwrap());
    for line in stderr.lines() {
        if line.unwrap().contains(" / ~") {
            break; // learners are being written
        }
    }
    child.kill().unwrap();
    child.wait().unwrap();
    let again = truongso(&["seed", "--database", url, "--learners", "600", "--no-marks"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&again.stderr).to_string();
    if sqlite {
        assert!(again.status.success(), "{text}");
        assert!(text.contains("bị ngắt giữa chừng"), "{text}");
    } else {
        assert!(!again.status.success(), "{text}");
        assert!(text.contains("bị ngắt giữa chừng"), "{text}");
    }
}

#[tokio::test]
async fn kill_9_loses_nothing_acknowledged() {
    let dir = std::env::temp_dir().join(format!("truongso-kill-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let mut urls = vec![(format!("sqlite://{}", dir.join("k.sqlite").display()), None)];
    if let Some((url, name)) = crate::support::pg_url().await {
        urls.push((url, Some(name)));
    }
    for (url, pg) in &urls {
        let accounts = crate::support::seed(url, &dir);
        marks_survive_kills(url, &accounts, 4);
        compute_survives_a_kill(url);
        // Two schools, so that one import does not find the other's learners.
        let principals: Vec<&Value> = accounts
            .iter()
            .filter(|a| a["role"] == "principal")
            .collect();
        web_import_survives_a_kill(url, principals[1], &dir).await;
        killed_then_completed(url, principals[0]["scope_org_id"].as_i64().unwrap(), &dir).await;
        check_database(url).await;
        crate::support::verify_ledger(url);
        if let Some(name) = pg {
            truongso_testkit::drop_pg(name).await;
        }
    }
    // Seeding from scratch, killed.
    let fresh = format!("sqlite://{}", dir.join("seed.sqlite").display());
    seed_survives_a_kill(&fresh, true);
    check_database(&fresh).await;
    if let Some((url, name)) = crate::support::pg_url().await {
        seed_survives_a_kill(&url, false);
        check_database(&url).await;
        truongso_testkit::drop_pg(&name).await;
    }
    let _ = std::fs::remove_dir_all(&dir);
}

/// The operator makes the first principal of a school (no administrator may) and resets a
/// password: each prints a one-time password that signs in and must then be replaced.
#[tokio::test]
async fn the_operator_creates_accounts_administrators_may_not() {
    let dir = std::env::temp_dir().join(format!("truongso-operator-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let url = format!("sqlite://{}", dir.join("o.sqlite").display());
    crate::support::run(&[
        "seed",
        "--database",
        &url,
        "--learners",
        "300",
        "--no-marks",
    ]);
    let store = Store::connect(&url).await.unwrap();
    let code = {
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
    };
    let password = crate::support::run(&[
        "account",
        "create",
        "--database",
        &url,
        "--unit",
        &code,
        "--role",
        "principal",
        "--username",
        "hieutruong.moi",
        "--display-name",
        "Nguyễn Thị Hiệu Trưởng",
    ]);
    let password = password.trim();
    assert_eq!(password.len(), 12, "{password}");
    let creds = truongso_store::users::credentials(&mut store.conn(), "hieutruong.moi")
        .await
        .unwrap()
        .unwrap();
    assert!(truongso_store::users::verify_password(
        password,
        &creds.password_hash
    ));
    assert!(creds.user.must_change_password);
    assert_eq!(creds.user.role, "principal");
    // A bad role or unit is refused with a message, nothing written.
    let out = truongso(&[
        "account",
        "create",
        "--database",
        &url,
        "--unit",
        "khong-co",
        "--role",
        "principal",
        "--username",
        "x.y.z",
        "--display-name",
        "A",
    ])
    .output()
    .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("không có đơn vị"));
    let reset = crate::support::run(&[
        "account",
        "reset-password",
        "--database",
        &url,
        "--user",
        "hieutruong.moi",
    ]);
    let creds = truongso_store::users::credentials(&mut store.conn(), "hieutruong.moi")
        .await
        .unwrap()
        .unwrap();
    assert!(truongso_store::users::verify_password(
        reset.trim(),
        &creds.password_hash
    ));
    assert!(!truongso_store::users::verify_password(
        password,
        &creds.password_hash
    ));
    store.close().await;
    let _ = std::fs::remove_dir_all(&dir);
}
