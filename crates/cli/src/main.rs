//! `truongso`: one binary for a school on SQLite or a province on PostgreSQL.

mod admission;
mod config;
mod gradebook;
mod rules;
mod transfer;

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::{Parser, Subcommand};
use truongso_demo::DemoConfig;
use truongso_store::Store;
use truongso_store::seed::{self, SeedReport, SeedState};

use crate::config::Settings;

#[derive(Parser)]
#[command(
    name = "truongso",
    version,
    about = "Trường số — nền tảng chuyển đổi số giáo dục (the digital school platform)"
)]
struct Cli {
    /// Optional TOML settings file (keys: database, bind, a [grading] table for the rules
    /// grading.md marks uncertain, a [dx] table for those of the Decision 4725 index).
    #[arg(long, global = true, env = "TRUONGSO_CONFIG")]
    config: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Create the demo province if the database is empty, then serve it.
    Demo {
        #[arg(long, env = "TRUONGSO_DATABASE_URL")]
        database: Option<String>,
        #[arg(long, env = "TRUONGSO_BIND")]
        bind: Option<String>,
        /// Learners in the demo province.
        #[arg(long, default_value_t = 150_000)]
        learners: u64,
    },
    /// Generate the synthetic province into a database without serving.
    Seed {
        #[arg(long, env = "TRUONGSO_DATABASE_URL")]
        database: Option<String>,
        #[arg(long, default_value_t = 150_000)]
        learners: u64,
        #[arg(long, default_value_t = 2025)]
        seed: u64,
        /// Write the demo accounts (username, password, role, scope) to this JSON file.
        #[arg(long)]
        accounts_json: Option<PathBuf>,
        /// Leave the gradebook empty: no marks, conduct, results or their history.
        #[arg(long)]
        no_marks: bool,
        /// Also generate a grade-10 admission campaign with this many applicants, run the
        /// assignment and publish it (the province is seeded first when the database is empty).
        #[arg(long)]
        applicants: Option<u64>,
    },
    /// Admission (tuyển sinh): the read-only snapshot of published results.
    Admission {
        #[command(subcommand)]
        action: AdmissionAction,
    },
    /// Serve only the results lookup (page, API, stylesheet, /healthz) from snapshot files,
    /// with no database: run a few behind the load balancer on result day.
    ServeResults {
        /// A snapshot written by `truongso admission snapshot` (repeat for several campaigns).
        #[arg(long, required = true)]
        snapshot: Vec<PathBuf>,
        #[arg(long, env = "TRUONGSO_BIND")]
        bind: Option<String>,
    },
    /// Serve an existing database.
    Serve {
        #[arg(long, env = "TRUONGSO_DATABASE_URL")]
        database: Option<String>,
        #[arg(long, env = "TRUONGSO_BIND")]
        bind: Option<String>,
    },
    /// Apply pending schema migrations.
    Migrate {
        #[arg(long, env = "TRUONGSO_DATABASE_URL")]
        database: Option<String>,
    },
    /// Evaluate golden cases (the format of shared/domain/golden) and print them with "actual".
    Rules {
        file: PathBuf,
        /// Exit with status 1 when any case's expected value differs from the actual one.
        #[arg(long)]
        check: bool,
    },
    /// Import learners (with guardians), staff, classes or enrolments from .xlsx or .csv. All
    /// rows or none, unless --keep-valid; rejected rows go to FILE.loi.xlsx (or .csv).
    Import {
        #[arg(long, env = "TRUONGSO_DATABASE_URL")]
        database: Option<String>,
        #[arg(long, value_parser = transfer::parse_kind)]
        kind: truongso_domain::import::ImportKind,
        file: PathBuf,
        /// Code of the school (or unit, for staff) rows without a unit-code column belong to.
        #[arg(long)]
        school: Option<String>,
        /// Import the valid rows and skip the rejected ones.
        #[arg(long)]
        keep_valid: bool,
    },
    /// Export learners, staff or classes (of one unit with --school) in the import layout.
    Export {
        #[arg(long, env = "TRUONGSO_DATABASE_URL")]
        database: Option<String>,
        #[arg(long, value_parser = transfer::parse_kind)]
        kind: truongso_domain::import::ImportKind,
        /// .xlsx, or .csv (UTF-8 with BOM).
        #[arg(long)]
        out: PathBuf,
        #[arg(long)]
        school: Option<String>,
    },
    /// Print the OpenAPI document of the JSON API.
    Openapi,
    /// Accounts, as the operator of the installation (who holds the database): the first
    /// principal of a school, or a password reset no administrator may do.
    Account {
        #[command(subcommand)]
        action: AccountAction,
    },
    /// API tokens for integrations (acting as an account, with its role and scope).
    Token {
        #[command(subcommand)]
        action: TokenAction,
    },
    /// Data quality: re-check the whole database against the rules in force.
    Quality {
        #[command(subcommand)]
        action: QualityAction,
    },
    /// Check the hash-chained history of marks and that the stored marks match it; exit 1 and
    /// name the first broken entry when anything was altered.
    VerifyLedger {
        #[arg(long, env = "TRUONGSO_DATABASE_URL")]
        database: Option<String>,
    },
    /// The e-gradebook's year-end work.
    Gradebook {
        #[command(subcommand)]
        action: GradebookAction,
    },
    /// Plan targets (chỉ tiêu kế hoạch).
    Targets {
        #[command(subcommand)]
        action: TargetsAction,
    },
}

#[derive(Subcommand)]
enum AdmissionAction {
    /// Write a campaign's published results to FILE (JSON lines: a header, then one result
    /// per line) for `truongso serve-results`.
    Snapshot {
        #[arg(long, env = "TRUONGSO_DATABASE_URL")]
        database: Option<String>,
        #[arg(long)]
        campaign: i64,
        #[arg(long)]
        out: PathBuf,
    },
}

#[derive(Subcommand)]
enum TargetsAction {
    /// Measure every school's metrics and store them as today's snapshot (once per day: a
    /// second run the same day keeps the first).
    Snapshot {
        #[arg(long, env = "TRUONGSO_DATABASE_URL")]
        database: Option<String>,
    },
}

#[derive(Subcommand)]
enum GradebookAction {
    /// Compute and store every learner's year results (promotion, awards, re-tests) for the
    /// current school year; each changed result is recorded in the history.
    Compute {
        #[arg(long, env = "TRUONGSO_DATABASE_URL")]
        database: Option<String>,
        /// Only the school with this code.
        #[arg(long)]
        school: Option<String>,
    },
}

#[derive(Subcommand)]
enum QualityAction {
    /// Re-check every learner and class, with progress on stderr.
    Scan {
        #[arg(long, env = "TRUONGSO_DATABASE_URL")]
        database: Option<String>,
    },
}

#[derive(Subcommand)]
enum AccountAction {
    /// Create an account and print its one-time password (to be replaced at the first sign-in).
    Create {
        #[arg(long, env = "TRUONGSO_DATABASE_URL")]
        database: Option<String>,
        /// The unit's code (school code, office or department code).
        #[arg(long)]
        unit: String,
        /// principal, school_admin, teacher, homeroom_teacher, guardian, learner,
        /// office_officer, department_officer, ministry_officer.
        #[arg(long)]
        role: truongso_domain::access::Role,
        #[arg(long)]
        username: String,
        #[arg(long)]
        display_name: String,
        /// Teachers: their staff record.
        #[arg(long)]
        staff_id: Option<i64>,
        /// Guardians and learners: a learner to link (repeatable).
        #[arg(long)]
        learner_id: Vec<i64>,
    },
    /// Set a one-time password, ending the account's sessions and API tokens.
    ResetPassword {
        #[arg(long, env = "TRUONGSO_DATABASE_URL")]
        database: Option<String>,
        #[arg(long)]
        user: String,
    },
}

#[derive(Subcommand)]
enum TokenAction {
    /// Create a token and print it (shown once; only its digest is stored).
    Create {
        #[arg(long, env = "TRUONGSO_DATABASE_URL")]
        database: Option<String>,
        /// The account the token acts as.
        #[arg(long)]
        user: String,
        /// What the token is for ("Đồng bộ LMS").
        #[arg(long)]
        name: String,
        /// Days until it expires.
        #[arg(long, default_value_t = 90)]
        days: i64,
    },
}

fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "info,sqlx=warn".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    let cli = Cli::parse();
    match run(cli) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("Lỗi: {e:#}");
            ExitCode::from(2)
        }
    }
}

fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    let settings = Settings::load(cli.config.as_deref())?;
    let runtime = tokio::runtime::Runtime::new()?;
    match cli.command {
        Command::Rules { file, check } => rules::run(&file, check, &settings.dx),
        Command::Openapi => {
            println!("{}", truongso_web::api::openapi().to_pretty_json()?);
            Ok(ExitCode::SUCCESS)
        }
        Command::Account { action } => runtime.block_on(account(&settings, action)),
        Command::Token {
            action:
                TokenAction::Create {
                    database,
                    user,
                    name,
                    days,
                },
        } => runtime.block_on(async {
            let store = open(&settings.database(database)).await?;
            truongso_store::migrate::run(&store).await?;
            let mut conn = store.conn();
            let Some(account) = truongso_store::users::credentials(&mut conn, &user).await? else {
                anyhow::bail!("không có tài khoản '{user}'");
            };
            let (token, record) =
                truongso_store::tokens::create(&mut conn, account.user.id, &name, days).await?;
            truongso_store::audit::record(
                &mut conn,
                &truongso_store::audit::AuditActor {
                    username: Some("(dòng lệnh)".into()),
                    ..Default::default()
                },
                &truongso_store::audit::NewAuditEntry {
                    action: truongso_store::audit::AuditAction::Create,
                    entity: "api_token",
                    entity_id: Some(record.id),
                    org_id: Some(account.user.scope_org_id),
                    detail: Some(format!("cho tài khoản {user}: {name}")),
                },
            )
            .await?;
            eprintln!(
                "Mã truy cập '{}' của {user}, hết hạn {} (chỉ hiển thị một lần):",
                record.name,
                record.expires_at.format("%d/%m/%Y")
            );
            println!("{token}");
            Ok(ExitCode::SUCCESS)
        }),
        Command::Import {
            database,
            kind,
            file,
            school,
            keep_valid,
        } => runtime.block_on(async {
            let store = open(&settings.database(database)).await?;
            truongso_store::migrate::run(&store).await?;
            transfer::import(&store, kind, &file, school.as_deref(), keep_valid).await
        }),
        Command::Export {
            database,
            kind,
            out,
            school,
        } => runtime.block_on(async {
            let store = open(&settings.database(database)).await?;
            truongso_store::migrate::run(&store).await?;
            transfer::export(&store, kind, &out, school.as_deref()).await
        }),
        Command::Quality {
            action: QualityAction::Scan { database },
        } => runtime.block_on(async {
            let store = open(&settings.database(database)).await?;
            truongso_store::migrate::run(&store).await?;
            quality_scan(&store).await?;
            Ok(ExitCode::SUCCESS)
        }),
        Command::VerifyLedger { database } => runtime.block_on(async {
            let store = open(&settings.database(database)).await?;
            truongso_store::migrate::run(&store).await?;
            gradebook::verify_ledger(&store).await
        }),
        Command::Gradebook {
            action: GradebookAction::Compute { database, school },
        } => runtime.block_on(async {
            let store = open(&settings.database(database)).await?;
            truongso_store::migrate::run(&store).await?;
            gradebook::compute(&store, school.as_deref(), &settings.grading).await?;
            Ok(ExitCode::SUCCESS)
        }),
        Command::Targets {
            action: TargetsAction::Snapshot { database },
        } => runtime.block_on(async {
            let store = open(&settings.database(database)).await?;
            truongso_store::migrate::run(&store).await?;
            let today = truongso_store::targets::today();
            let r = truongso_store::targets::snapshot(&store, today).await?;
            if r.taken {
                eprintln!(
                    "Đã chụp số liệu chỉ tiêu ngày {}: {} trường, {} giá trị.",
                    r.taken_on.format("%d/%m/%Y"),
                    r.schools,
                    r.values
                );
            } else {
                eprintln!(
                    "Ngày {} đã có số liệu chỉ tiêu; giữ nguyên.",
                    r.taken_on.format("%d/%m/%Y")
                );
            }
            Ok(ExitCode::SUCCESS)
        }),
        Command::Migrate { database } => runtime.block_on(async {
            let store = open(&settings.database(database)).await?;
            let applied = truongso_store::migrate::run(&store).await?;
            println!("Đã áp dụng {} bản di chuyển lược đồ.", applied.len());
            Ok(ExitCode::SUCCESS)
        }),
        Command::Seed {
            database,
            learners,
            seed,
            accounts_json,
            no_marks,
            applicants,
        } => runtime.block_on(async {
            let url = settings.database(database);
            let store = open(&url).await?;
            truongso_store::migrate::run(&store).await?;
            let store = restart_interrupted_seed(&url, store).await?;
            let state = seed::state(&store).await?;
            if applicants.is_none() && state != SeedState::Empty {
                anyhow::bail!(
                    "cơ sở dữ liệu {url} đã có dữ liệu: tỉnh mẫu chỉ được tạo trên một cơ sở dữ liệu trống"
                );
            }
            if state == SeedState::Empty {
                let report = seed_province(&store, learners, seed, !no_marks).await?;
                if let Some(path) = accounts_json {
                    std::fs::write(&path, serde_json::to_vec_pretty(&report.accounts)?)
                        .with_context(|| format!("ghi {}", path.display()))?;
                }
            }
            if let Some(n) = applicants {
                admission::seed(&store, n, seed, &settings.admission).await?;
            }
            Ok(ExitCode::SUCCESS)
        }),
        Command::Admission {
            action:
                AdmissionAction::Snapshot {
                    database,
                    campaign,
                    out,
                },
        } => runtime.block_on(async {
            let store = open(&settings.database(database)).await?;
            truongso_store::migrate::run(&store).await?;
            admission::snapshot(&store, campaign, &out).await
        }),
        Command::ServeResults { snapshot, bind } => runtime.block_on(async {
            admission::serve_results(&snapshot, &settings.bind(bind), &settings.admission).await
        }),
        Command::Serve { database, bind } => runtime.block_on(async {
            let store = open(&settings.database(database)).await?;
            truongso_store::migrate::run(&store).await?;
            let bind = settings.bind(bind);
            println!("Trường số đang chạy tại http://{bind}/");
            truongso_web::serve(store, &bind, settings.rules(), printer()).await?;
            Ok(ExitCode::SUCCESS)
        }),
        Command::Demo {
            database,
            bind,
            learners,
        } => runtime.block_on(async {
            let url = settings.database(database);
            let store = open(&url).await?;
            truongso_store::migrate::run(&store).await?;
            let store = restart_interrupted_seed(&url, store).await?;
            if seed::state(&store).await? == SeedState::Empty {
                let report = seed_province(&store, learners, 2025, true).await?;
                print_accounts(&report);
            } else {
                println!("Cơ sở dữ liệu {url} đã có dữ liệu; dùng lại.");
                print_existing_accounts(&store).await?;
            }
            let bind = settings.bind(bind);
            println!("\nTrường số đang chạy tại http://{bind}/  (Ctrl-C để dừng)");
            println!("Thư gửi phụ huynh (mã xác nhận…): http://{bind}/admission/outbox");
            let mut rules = settings.rules();
            // No SMTP server in the demo: guardians read their codes on the outbox page.
            rules.admission.outbox_page = true;
            truongso_web::serve(store, &bind, rules, printer()).await?;
            Ok(ExitCode::SUCCESS)
        }),
    }
}

/// The operator's account commands: outside the administrators' rights rule (the operator
/// holds the database), audited as the command line.
async fn account(settings: &Settings, action: AccountAction) -> anyhow::Result<ExitCode> {
    let operator = truongso_store::audit::AuditActor {
        username: Some("(dòng lệnh)".into()),
        ..Default::default()
    };
    let database = match &action {
        AccountAction::Create { database, .. } | AccountAction::ResetPassword { database, .. } => {
            database.clone()
        }
    };
    let store = open(&settings.database(database)).await?;
    truongso_store::migrate::run(&store).await?;
    let done = match action {
        AccountAction::Create {
            unit,
            role,
            username,
            display_name,
            staff_id,
            learner_id,
            ..
        } => {
            let Some(unit) = truongso_store::orgs::get_by_code(&mut store.conn(), &unit).await?
            else {
                anyhow::bail!("không có đơn vị mã '{unit}'");
            };
            let input = truongso_web::api::users::NewAccount {
                username,
                display_name,
                role,
                scope_org_id: unit.id,
                staff_id,
                learner_ids: learner_id,
            };
            truongso_web::api::users::create_in_scope(
                &store,
                &truongso_store::Scope::All,
                &operator,
                &input,
            )
            .await
        }
        AccountAction::ResetPassword { user, .. } => {
            let Some(account) =
                truongso_store::users::credentials(&mut store.conn(), &user).await?
            else {
                anyhow::bail!("không có tài khoản '{user}'");
            };
            truongso_web::api::users::reset_account(&store, &operator, account.user.id).await
        }
    };
    let done = done.map_err(|e| anyhow::anyhow!("{}", e.full_message()))?;
    eprintln!(
        "Mật khẩu dùng một lần của {} (chỉ hiển thị một lần; phải đổi ở lần đăng nhập đầu):",
        done.username
    );
    println!("{}", done.temporary_password);
    Ok(ExitCode::SUCCESS)
}

/// A demo seed that was killed (or failed) midway leaves an incomplete province, marked as
/// such: a SQLite file is started afresh; a PostgreSQL database is left to the operator.
async fn restart_interrupted_seed(url: &str, store: Store) -> anyhow::Result<Store> {
    if seed::state(&store).await? != SeedState::Interrupted {
        return Ok(store);
    }
    let Some(path) = sqlite_file(url) else {
        anyhow::bail!(
            "lần tạo tỉnh mẫu trước trên {url} bị ngắt giữa chừng nên dữ liệu không đầy đủ: hãy xoá và tạo lại cơ sở dữ liệu (dropdb, createdb) rồi chạy lại"
        );
    };
    eprintln!(
        "Lần tạo tỉnh mẫu trước bị ngắt giữa chừng: tạo lại {} từ đầu.",
        path.display()
    );
    store.close().await;
    for suffix in ["", "-wal", "-shm"] {
        let mut file = path.clone().into_os_string();
        file.push(suffix);
        match std::fs::remove_file(&file) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                return Err(e).with_context(|| format!("xoá {}", path.display()));
            }
            _ => {}
        }
    }
    let store = open(url).await?;
    truongso_store::migrate::run(&store).await?;
    Ok(store)
}

/// The file of a `sqlite://path?options` address.
fn sqlite_file(url: &str) -> Option<PathBuf> {
    let rest = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))?;
    let path = rest.split('?').next().unwrap_or_default();
    (!path.is_empty() && path != ":memory:").then(|| PathBuf::from(path))
}

/// The PDF printer the server lays documents out with (Typst, linked here only).
fn printer() -> std::sync::Arc<dyn truongso_domain::print::Printer> {
    std::sync::Arc::new(truongso_print::Typst)
}

async fn open(url: &str) -> anyhow::Result<Store> {
    Store::connect(url)
        .await
        .with_context(|| format!("không kết nối được cơ sở dữ liệu {url}"))
}

async fn seed_province(
    store: &Store,
    learners: u64,
    seed_value: u64,
    marks: bool,
) -> anyhow::Result<SeedReport> {
    let config = DemoConfig {
        seed: seed_value,
        learners,
        marks,
        ..DemoConfig::default()
    };
    eprintln!("Đang tạo tỉnh mẫu với khoảng {learners} học sinh…");
    let mut last_tenth = 0;
    let report = seed::seed(store, &config, |done, total| {
        let tenth = done * 10 / total.max(1);
        if tenth > last_tenth {
            last_tenth = tenth;
            eprintln!("  {done} / ~{total} học sinh");
        }
    })
    .await?;
    eprintln!(
        "Đã tạo {} đơn vị ({} trường), {} cán bộ, {} lớp, {} học sinh, {} người giám hộ ({} lỗi dữ liệu cài sẵn), sổ điểm cả năm học ({} dòng điểm, {} sự kiện lịch sử) trong {:.1} s ({:.0} học sinh/s).",
        report.org_units,
        report.schools,
        report.staff,
        report.classes,
        report.learners,
        report.guardians,
        report.planted_faults,
        report.grade_rows,
        report.grade_events,
        report.elapsed.as_secs_f64(),
        report.learners as f64 / report.elapsed.as_secs_f64().max(1e-9),
    );
    Ok(report)
}

async fn quality_scan(store: &Store) -> anyhow::Result<()> {
    eprintln!("Đang kiểm tra chất lượng dữ liệu…");
    let mut last_tenth = 0;
    let report = truongso_store::quality::scan(store, |done, total| {
        let tenth = done * 10 / total.max(1);
        if tenth > last_tenth {
            last_tenth = tenth;
            eprintln!("  {done} / {total} học sinh");
        }
    })
    .await?;
    eprintln!(
        "Đã kiểm tra {} học sinh của {} trường: {} vấn đề, {} trường hợp trùng chưa xử lý, trong {:.1} s ({:.0} học sinh/s).",
        report.learners,
        report.schools,
        report.issues,
        report.open_duplicates,
        report.elapsed.as_secs_f64(),
        report.learners as f64 / report.elapsed.as_secs_f64().max(1e-9),
    );
    Ok(())
}

fn print_accounts(report: &SeedReport) {
    println!(
        "\nTài khoản demo (mật khẩu chỉ lưu dạng băm argon2id; * = cần xác thực 2 lớp, quét mã QR ở lần đăng nhập đầu):"
    );
    println!(
        "{:<34} {:<36} {:<20} phạm vi",
        "tên đăng nhập", "mật khẩu", "vai trò"
    );
    for a in &report.accounts {
        let star = if a.two_factor_required { "*" } else { "" };
        println!(
            "{:<34} {:<36} {:<20} {}",
            format!("{}{star}", a.username),
            a.password,
            a.role,
            a.scope
        );
    }
}

/// On a reused demo database: the accounts it holds (demo passwords are "demo-<username>"
/// unless changed since).
async fn print_existing_accounts(store: &Store) -> anyhow::Result<()> {
    let accounts = truongso_store::users::list_in_scope(
        &mut store.conn(),
        &truongso_store::Scope::All,
        &truongso_store::PageRequest::new(1, 100),
    )
    .await?;
    println!("\nTài khoản (mật khẩu demo: demo-<tên đăng nhập>, nếu chưa đổi):");
    for u in accounts.items {
        println!("  {:<34} {:<20} {}", u.username, u.role, u.scope_org_name);
    }
    Ok(())
}
