//! Runs the shared golden cases (`shared/domain/golden/`, beside the repository checkout) against
//! the domain rules. The files are loaded in place, never copied (see the golden README).

use std::path::PathBuf;

use truongso_domain::golden::{
    evaluate_admission, evaluate_national_id, evaluate_tt22, parse_cases,
};

fn golden_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/domain/golden")
}

fn load(file: &str) -> String {
    let path = golden_dir().join(file);
    std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("cannot read golden file {}: {e}", path.display()))
}

#[test]
fn national_id_golden_cases() {
    let cases = parse_cases(&load("national-id.json")).expect("national-id.json parses");
    assert!(!cases.is_empty(), "national-id.json has no cases");
    let failures: Vec<String> = cases
        .iter()
        .enumerate()
        .filter_map(|(i, case)| {
            let fail = |why: String| Some(format!("#{i} {}: {why}", case.name));
            match evaluate_national_id(&case.input) {
                Ok(got) if got == case.expected => None,
                Ok(got) => fail(format!(
                    "input {} → {got}, expected {}",
                    case.input, case.expected
                )),
                Err(e) => fail(format!("input {} not evaluated: {e}", case.input)),
            }
        })
        .collect();
    assert!(
        failures.is_empty(),
        "{} of {} national-id golden cases failed:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
}

/// Circular 22/2021: averages (exact decimal rounding), learning result, year conduct, regular
/// assessment counts, promotion.
#[test]
fn tt22_golden_cases() {
    let cases = parse_cases(&load("tt22.json")).expect("tt22.json parses");
    assert!(!cases.is_empty(), "tt22.json has no cases");
    let failures: Vec<String> = cases
        .iter()
        .filter_map(|case| {
            let kind = case.kind.as_deref().unwrap_or_default();
            match evaluate_tt22(kind, &case.input) {
                Ok(got) if got == case.expected => None,
                Ok(got) => Some(format!(
                    "{}: {kind} {} → {got}, expected {}",
                    case.name, case.input, case.expected
                )),
                Err(e) => Some(format!("{}: not evaluated: {e}", case.name)),
            }
        })
        .collect();
    assert!(
        failures.is_empty(),
        "{} of {} tt22 golden cases failed:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
}

/// Grade-10 assignment (deferred acceptance with choice premiums): each applicant's school.
#[test]
fn admission_golden_cases() {
    let cases = parse_cases(&load("admission.json")).expect("admission.json parses");
    assert!(!cases.is_empty(), "admission.json has no cases");
    let failures: Vec<String> = cases
        .iter()
        .filter_map(|case| match evaluate_admission(&case.input) {
            Ok(got) if got == case.expected => None,
            Ok(got) => Some(format!(
                "{}: → {got}, expected {}",
                case.name, case.expected
            )),
            Err(e) => Some(format!("{}: not evaluated: {e}", case.name)),
        })
        .collect();
    assert!(
        failures.is_empty(),
        "{} of {} admission golden cases failed:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
}
