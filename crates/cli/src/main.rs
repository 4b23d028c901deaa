//! `truongso`: one binary for a school on SQLite or a province on PostgreSQL.

mod config;
mod rules;

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::{Parser, Subcommand};
use truongso_demo::DemoConfig;
use truongso_store::Store;
use truongso_store::seed::{self, SeedReport};

use crate::config::Settings;

#[derive(Parser)]
#[command(
    name = "truongso",
    version,
    about = "Trường số — nền tảng chuyển đổi số giáo dục (the digital school platform)"
)]
struct Cli {
    /// Optional TOML settings file (keys: database, bind).
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
    /// Print the OpenAPI document of the JSON API.
    Openapi,
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
        Command::Rules { file, check } => rules::run(&file, check),
        Command::Openapi => {
            println!("{}", truongso_web::api::openapi().to_pretty_json()?);
            Ok(ExitCode::SUCCESS)
        }
        Command::Migrate { database } => runtime.block_on(async {
            let store = open(&settings.database(database)).await?;
            let applied = truongso_store::migrate::run(&store).await?;
            println!("Đã áp dụng {} bản di chuyển lược đồ.", applied.len());
            Ok(ExitCode::SUCCESS)
        }),
        Command::Seed { database, learners, seed, accounts_json } => runtime.block_on(async {
            let store = open(&settings.database(database)).await?;
            truongso_store::migrate::run(&store).await?;
            let report = seed_province(&store, learners, seed).await?;
            if let Some(path) = accounts_json {
                std::fs::write(&path, serde_json::to_vec_pretty(&report.accounts)?).with_context(|| format!("ghi {}", path.display()))?;
            }
            Ok(ExitCode::SUCCESS)
        }),
        Command::Serve { database, bind } => runtime.block_on(async {
            let store = open(&settings.database(database)).await?;
            truongso_store::migrate::run(&store).await?;
            let bind = settings.bind(bind);
            println!("Trường số đang chạy tại http://{bind}/");
            truongso_web::serve(store, &bind).await?;
            Ok(ExitCode::SUCCESS)
        }),
        Command::Demo { database, bind, learners } => runtime.block_on(async {
            let url = settings.database(database);
            let store = open(&url).await?;
            truongso_store::migrate::run(&store).await?;
            if seed::is_empty(&store).await? {
                let report = seed_province(&store, learners, 2025).await?;
                print_accounts(&report);
            } else {
                println!("Cơ sở dữ liệu {url} đã có dữ liệu; dùng lại (tài khoản demo như lần tạo đầu, xem README).");
            }
            let bind = settings.bind(bind);
            println!("\nTrường số đang chạy tại http://{bind}/  (Ctrl-C để dừng)");
            truongso_web::serve(store, &bind).await?;
            Ok(ExitCode::SUCCESS)
        }),
    }
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
) -> anyhow::Result<SeedReport> {
    let config = DemoConfig {
        seed: seed_value,
        learners,
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
        "Đã tạo {} đơn vị ({} trường), {} cán bộ, {} lớp, {} học sinh, {} người giám hộ ({} lỗi dữ liệu cài sẵn) trong {:.1} s ({:.0} học sinh/s).",
        report.org_units,
        report.schools,
        report.staff,
        report.classes,
        report.learners,
        report.guardians,
        report.planted_faults,
        report.elapsed.as_secs_f64(),
        report.learners as f64 / report.elapsed.as_secs_f64().max(1e-9),
    );
    Ok(report)
}

fn print_accounts(report: &SeedReport) {
    println!("\nTài khoản demo (đăng nhập có ở bản sau; mật khẩu đã băm argon2id trong CSDL):");
    println!(
        "{:<32} {:<24} {:<20} phạm vi",
        "tên đăng nhập", "mật khẩu", "vai trò"
    );
    for a in &report.accounts {
        println!(
            "{:<32} {:<24} {:<20} {}",
            a.username, a.password, a.role, a.scope
        );
    }
}
