//! `truongso rules FILE.json [--check]`: evaluates golden cases with the platform's own rule
//! functions, so inspectors can verify its calculations offline.

use std::path::Path;
use std::process::ExitCode;

use anyhow::Context;
use serde_json::Value;
use truongso_domain::dx::DxRules;
use truongso_domain::golden::{self, GoldenCase};

/// The rule a case exercises: its `kind`, or for files without kinds, the file's name.
fn rule_of(case: &GoldenCase, file: &Path) -> String {
    case.kind.clone().unwrap_or_else(|| {
        file.file_stem()
            .and_then(|s| s.to_str())
            .unwrap_or_default()
            .to_string()
    })
}

fn evaluate(rule: &str, input: &Value, dx: &DxRules) -> Result<Value, String> {
    match rule {
        "national-id" | "national_id" => golden::evaluate_national_id(input),
        // Decision 4725: one group's level from its score and mandatory conditions.
        "dx-index" | "dx_level" => golden::evaluate_dx_level(input, dx),
        // Grade-10 assignment: each applicant's school under the case's mechanism.
        "admission" => golden::evaluate_admission(input),
        "semester_average"
        | "year_average"
        | "learning_result"
        | "conduct_year"
        | "regular_count"
        | "promotion"
        | "primary_year_result" => golden::evaluate_tt22(rule, input),
        other => Err(format!("loại quy tắc '{other}' chưa được hỗ trợ")),
    }
}

/// `dx` is the `[dx]` settings in force (the golden file assumes the defaults).
pub fn run(file: &Path, check: bool, dx: &DxRules) -> anyhow::Result<ExitCode> {
    let text = std::fs::read_to_string(file)
        .with_context(|| format!("không đọc được {}", file.display()))?;
    let cases = golden::parse_cases(&text).map_err(|e| anyhow::anyhow!(e))?;
    let mut raw: Vec<Value> = serde_json::from_str(&text)?;
    let mut failures = 0;
    for (case, out) in cases.iter().zip(raw.iter_mut()) {
        let obj = out.as_object_mut().expect("parsed as a case object");
        match evaluate(&rule_of(case, file), &case.input, dx) {
            Ok(actual) => {
                if actual != case.expected {
                    failures += 1;
                }
                obj.insert("actual".into(), actual);
            }
            Err(e) => {
                failures += 1;
                obj.insert("actual".into(), Value::Null);
                obj.insert("error".into(), Value::String(e));
            }
        }
    }
    println!("{}", serde_json::to_string_pretty(&raw)?);
    eprintln!(
        "{} trường hợp, {} khác kết quả mong đợi.",
        cases.len(),
        failures
    );
    Ok(if check && failures > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}
