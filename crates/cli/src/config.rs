//! Settings: command-line flags, then environment (`TRUONGSO_DATABASE_URL`, `TRUONGSO_BIND`,
//! read by clap), then an optional TOML file, then defaults.

use std::path::Path;

use anyhow::Context;
use serde::Deserialize;

/// The embedded default: an SQLite file in the current directory.
pub const DEFAULT_DATABASE: &str = "sqlite://truongso.sqlite";
pub const DEFAULT_BIND: &str = "127.0.0.1:8080";

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Settings {
    database: Option<String>,
    bind: Option<String>,
}

impl Settings {
    pub fn load(path: Option<&Path>) -> anyhow::Result<Settings> {
        match path {
            None => Ok(Settings::default()),
            Some(p) => {
                let text = std::fs::read_to_string(p)
                    .with_context(|| format!("không đọc được tệp cấu hình {}", p.display()))?;
                toml::from_str(&text)
                    .with_context(|| format!("tệp cấu hình {} không hợp lệ", p.display()))
            }
        }
    }

    pub fn database(&self, flag: Option<String>) -> String {
        flag.or_else(|| self.database.clone())
            .unwrap_or_else(|| DEFAULT_DATABASE.to_string())
    }

    pub fn bind(&self, flag: Option<String>) -> String {
        flag.or_else(|| self.bind.clone())
            .unwrap_or_else(|| DEFAULT_BIND.to_string())
    }
}
