//! The binary's offline commands.

use std::process::Command;

fn golden(name: &str) -> String {
    format!(
        "{}/../../../shared/domain/golden/{name}",
        env!("CARGO_MANIFEST_DIR")
    )
}

#[test]
fn rules_check_passes_the_national_id_golden_file() {
    let out = Command::new(env!("CARGO_BIN_EXE_truongso"))
        .args(["rules", &golden("national-id.json"), "--check"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let cases: Vec<serde_json::Value> = serde_json::from_slice(&out.stdout).unwrap();
    assert!(!cases.is_empty());
    assert!(cases.iter().all(|c| c["actual"] == c["expected"]));
}

#[test]
fn rules_check_fails_on_a_wrong_expectation() {
    let dir = std::env::temp_dir().join(format!("truongso-rules-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("national-id.json");
    std::fs::write(
        &file,
        r#"[{"name":"wrong","input":{"id":"001203012345"},"expected":{"status":"malformed"}}]"#,
    )
    .unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_truongso"))
        .args(["rules", file.to_str().unwrap(), "--check"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
}

#[test]
fn rules_check_passes_the_dx_index_golden_file() {
    let out = Command::new(env!("CARGO_BIN_EXE_truongso"))
        .args(["rules", &golden("dx-index.json"), "--check"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let cases: Vec<serde_json::Value> = serde_json::from_slice(&out.stdout).unwrap();
    assert!(cases.len() >= 9);
    assert!(cases.iter().all(|c| c["actual"] == c["expected"]));
}

#[test]
fn rules_check_passes_the_admission_golden_file() {
    let out = Command::new(env!("CARGO_BIN_EXE_truongso"))
        .args(["rules", &golden("admission.json"), "--check"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let cases: Vec<serde_json::Value> = serde_json::from_slice(&out.stdout).unwrap();
    assert!(!cases.is_empty());
    assert!(cases.iter().all(|c| c["actual"] == c["expected"]));
}
