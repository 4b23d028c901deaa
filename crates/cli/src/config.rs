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
    /// The grading rules grading.md marks uncertain ([check]): the year-conduct table, the
    /// re-test threshold, whether failed comment subjects are re-tested, the absence limit.
    /// Unset keys keep grading.md's reading.
    #[serde(default)]
    pub grading: truongso_domain::gradebook::compute::GradingRules,
    /// Statistical reports: the counting dates of the beginning- and end-of-year rounds ("MM-DD")
    /// and the smallest count public views show.
    #[serde(default)]
    pub statistics: truongso_domain::statistics::StatisticsSettings,
    /// The digital-maturity index's open readings (dx-index.md): whether a missing mandatory
    /// condition caps a group at Mức độ 1 ([check]), how the two groups combine into the
    /// school's level ([open], default the lower), and the plan target of the distribution.
    #[serde(default)]
    pub dx: truongso_domain::dx::DxRules,
    #[serde(default)]
    pub admission: truongso_domain::admission::AdmissionSettings,
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

    /// The rules the server applies, as this file sets them.
    pub fn rules(&self) -> truongso_web::Rules {
        truongso_web::Rules {
            grading: self.grading.clone(),
            statistics: self.statistics.clone(),
            dx: self.dx.clone(),
            admission: self.admission.clone(),
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

#[cfg(test)]
mod tests {
    #[test]
    fn the_open_dx_readings_can_be_changed_in_the_settings_file() {
        use truongso_domain::dx::{Combine, DxRules};
        let s: Settings = toml::from_str(
            "[dx]\ncombine = \"mean_score\"\nmandatory_caps_level = false\n[dx.targets]\nlevel2_percent = 40\n",
        )
        .unwrap();
        assert_eq!(s.dx.combine, Combine::MeanScore);
        assert!(!s.dx.mandatory_caps_level);
        assert_eq!(s.dx.targets.level2_percent, 40.0);
        assert_eq!(s.dx.targets.level1_percent, 70.0);
        assert_eq!(Settings::default().dx, DxRules::default());
        assert!(toml::from_str::<Settings>("[dx]\ncombine = \"average\"\n").is_err());
    }

    #[test]
    fn the_open_admission_readings_can_be_changed_in_the_settings_file() {
        use truongso_domain::admission::{Mechanism, StillTied};
        let s: Settings = toml::from_str(
            "[admission.grade10]\nmechanism = \"city_rule\"\nchoice_premiums = [\"0\", \"1\", \"2\"]\n\
             tie_breaks = [{ by = \"priority_group\" }, { by = \"subject\", name = \"Toán\" }]\n\
             still_tied = \"admit_all\"\n[admission.zone]\noverflow = { rule = \"lottery\", seed = \"2027\" }\n\
             out_of_zone = \"refuse\"\n[admission.lookup]\nper_minute = 60\n",
        )
        .unwrap();
        assert_eq!(s.admission.grade10.mechanism, Mechanism::CityRule);
        assert_eq!(s.admission.grade10.still_tied, StillTied::AdmitAll);
        assert_eq!(s.admission.grade10.tie_breaks.len(), 2);
        assert_eq!(s.admission.lookup.per_minute, 60);
        assert_eq!(s.admission.lookup.misses_per_hour, 20);
        assert!(!s.admission.outbox_page);
        assert!(toml::from_str::<Settings>("[admission]\nmechanism = \"x\"\n").is_err());
    }

    use truongso_domain::gradebook::compute::GradingRules;
    use truongso_domain::grading::Level;

    use super::Settings;

    #[test]
    fn the_uncertain_grading_rules_can_be_changed_in_the_settings_file() {
        let s: Settings = toml::from_str(
            "database = \"sqlite://x.sqlite\"\n[grading]\nretest_below_tenths = 40\nmax_absences = 50\n",
        )
        .unwrap();
        assert_eq!(s.grading.retest_below_tenths, 40);
        assert_eq!(s.grading.max_absences, 50);
        assert_eq!(s.grading.conduct_year, GradingRules::default().conduct_year);
        // The Đạt row of the year-conduct table (marked [check]) as a whole table.
        let table = "[grading]\nconduct_year = [[\"tot\",\"tot\",\"kha\",\"kha\"],[\"kha\",\"kha\",\"kha\",\"dat\"],[\"kha\",\"dat\",\"dat\",\"dat\"],[\"chua_dat\",\"chua_dat\",\"chua_dat\",\"chua_dat\"]]\n";
        let s: Settings = toml::from_str(table).unwrap();
        assert_eq!(
            s.grading.conduct_year(Level::Good, Level::Pass),
            Level::Fair
        );
    }
}
