//! Real processes for the CLI tests: the `truongso` binary as a command and as a server on a
//! loopback port, a plain HTTP client, and the databases' own consistency checks.

#![allow(dead_code)]

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;
use truongso_store::{Backend, Store};

pub fn truongso(args: &[&str]) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_truongso"));
    c.args(args).env("RUST_LOG", "warn");
    c
}

/// Runs a command to its end, failing the test (with its output) if it fails.
pub fn run(args: &[&str]) -> String {
    let out = truongso(args).output().unwrap();
    assert!(
        out.status.success(),
        "truongso {}: {}{}",
        args.join(" "),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// A demo province of 600 learners with a year of marks; returns the demo accounts.
pub fn seed(url: &str, dir: &std::path::Path) -> Vec<Value> {
    let accounts = dir.join(format!(
        "accounts-{}.json",
        url.len() ^ url.as_ptr() as usize
    ));
    run(&[
        "seed",
        "--database",
        url,
        "--learners",
        "600",
        "--accounts-json",
        accounts.to_str().unwrap(),
    ]);
    serde_json::from_slice::<Vec<Value>>(&std::fs::read(accounts).unwrap()).unwrap()
}

pub fn account<'a>(accounts: &'a [Value], role: &str) -> &'a Value {
    accounts.iter().find(|a| a["role"] == role).unwrap()
}

/// A fresh API token acting as `username` (from the CLI, as an operator makes one).
pub fn token(url: &str, username: &str) -> String {
    run(&[
        "token",
        "create",
        "--database",
        url,
        "--user",
        username,
        "--name",
        "crash",
        "--days",
        "1",
    ])
    .trim()
    .to_string()
}

/// The server process, killed with SIGKILL (never a clean shutdown) and started again.
pub struct Server {
    url: String,
    port: u16,
    child: Option<Child>,
    pub base: String,
}

impl Server {
    pub fn start(url: &str) -> Server {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let mut s = Server {
            url: url.to_string(),
            port,
            child: None,
            base: format!("http://127.0.0.1:{port}"),
        };
        s.restart();
        s
    }

    /// `kill -9`: the process gets no chance to finish anything.
    pub fn kill(&mut self) {
        if let Some(mut c) = self.child.take() {
            c.kill().unwrap();
            c.wait().unwrap();
        }
    }

    pub fn restart(&mut self) {
        self.kill();
        let child = truongso(&[
            "serve",
            "--database",
            &self.url,
            "--bind",
            &format!("127.0.0.1:{}", self.port),
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
        self.child = Some(child);
        let started = Instant::now();
        while started.elapsed() < Duration::from_secs(60) {
            if let Ok((200, _)) = call("GET", &format!("{}/healthz", self.base), None, None) {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        panic!("the server did not start on port {}", self.port);
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.kill();
    }
}

/// One HTTP request: the status and the body as JSON (or as a JSON string when it is not), or
/// `Err` when no answer came (the server was killed).
pub fn call(
    method: &str,
    url: &str,
    token: Option<&str>,
    body: Option<(&str, Vec<u8>)>,
) -> Result<(u16, Value), String> {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(Duration::from_secs(120)))
        .build()
        .into();
    let auth = token.map(|t| format!("Bearer {t}"));
    let result = match (method, body) {
        ("GET", _) => {
            let mut r = agent.get(url);
            if let Some(a) = &auth {
                r = r.header("Authorization", a);
            }
            r.call()
        }
        (_, body) => {
            let mut r = agent.post(url);
            if let Some(a) = &auth {
                r = r.header("Authorization", a);
            }
            match body {
                Some((content_type, bytes)) => r.content_type(content_type).send(&bytes[..]),
                None => r.send_empty(),
            }
        }
    };
    let mut response = result.map_err(|e| e.to_string())?;
    let status = response.status().as_u16();
    let text = response
        .body_mut()
        .with_config()
        .limit(64 * 1024 * 1024)
        .read_to_string()
        .map_err(|e| e.to_string())?;
    Ok((
        status,
        serde_json::from_str(&text).unwrap_or(Value::String(text)),
    ))
}

pub fn json(v: &Value) -> Option<(&'static str, Vec<u8>)> {
    Some(("application/json", v.to_string().into_bytes()))
}

/// The database's own consistency check after the kills: SQLite's `integrity_check`, or
/// PostgreSQL's `amcheck` over every B-tree index of the schema (with the heap check).
pub async fn check_database(url: &str) {
    let store = Store::connect(url).await.unwrap();
    match store.backend() {
        Backend::Sqlite => {
            let rows: Vec<(String,)> = store
                .conn()
                .fetch_all_raw("PRAGMA integrity_check", &[])
                .await
                .unwrap();
            assert_eq!(rows, vec![("ok".to_string(),)], "integrity_check");
        }
        Backend::Postgres => {
            let mut conn = store.conn();
            conn.execute_raw("CREATE EXTENSION IF NOT EXISTS amcheck")
                .await
                .unwrap();
            let (checked,): (i64,) = conn
                .fetch_all_raw::<(i64,)>(
                    "SELECT count(*)::bigint FROM (SELECT bt_index_check(c.oid, true) FROM pg_index i \
                     JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_am a ON a.oid = c.relam \
                     WHERE a.amname = 'btree' AND c.relnamespace = 'public'::regnamespace) checked",
                    &[],
                )
                .await
                .unwrap()[0];
            assert!(checked > 20, "amcheck checked {checked} indexes");
        }
    }
    store.close().await;
}

/// `truongso verify-ledger` passes: the history of marks is intact and matches the marks.
pub fn verify_ledger(url: &str) {
    let out = run(&["verify-ledger", "--database", url]);
    assert!(out.contains("Toàn vẹn"), "{out}");
}

/// A PostgreSQL database for a process test as a URL (with its name, to drop), or `None` when
/// the server is unreachable outside CI.
pub async fn pg_url() -> Option<(String, String)> {
    let (pg, name) = truongso_testkit::postgres().await?;
    pg.close().await;
    let base = truongso_testkit::pg_admin_url();
    Some((format!("{}/{name}", base.rsplit_once('/').unwrap().0), name))
}
