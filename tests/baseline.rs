//! Baselines by fingerprint: the same failures are accepted however the
//! path is typed; anything worse (a raised claim, a new error) still fails.

mod common;
use common::copy_dir;

use assert_cmd::Command;
use predicates::prelude::*;
use std::path::Path;

fn caplevel() -> Command {
    let mut cmd = Command::cargo_bin("caplevel").unwrap();
    cmd.current_dir(env!("CARGO_MANIFEST_DIR"));
    cmd
}

const GOOD: &str = "fixtures/rules/csv-install-deployment/pass";
const CSV: &str = "manifests/demo-operator.clusterserviceversion.yaml";

fn bundle(dir: &Path) {
    copy_dir(&Path::new(env!("CARGO_MANIFEST_DIR")).join(GOOD), dir);
}

fn declare(dir: &Path, level: &str) {
    let csv = dir.join(CSV);
    let text = std::fs::read_to_string(&csv).unwrap();
    let text = text
        .lines()
        .map(|l| {
            if l.trim_start().starts_with("capabilities:") {
                format!("    capabilities: {level}")
            } else {
                l.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join("\n");
    std::fs::write(&csv, text + "\n").unwrap();
}

#[test]
fn a_raised_claim_fails_the_overclaim_gate_despite_the_baseline() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("op");
    bundle(&dir);
    let base = tmp.path().join("base.json");
    caplevel()
        .arg("baseline")
        .arg(&dir)
        .arg("-o")
        .arg(&base)
        .assert()
        .success()
        .stderr(predicate::str::contains("baseline written"));
    // Unchanged: the known overclaim is accepted.
    caplevel()
        .args(["analyze", "--fail-on-overclaim", "--baseline"])
        .arg(&base)
        .arg(&dir)
        .assert()
        .success();
    // Declared level raised from I to V: a worse claim, the gate fails.
    declare(&dir, "Auto Pilot");
    caplevel()
        .args(["analyze", "--fail-on-overclaim", "--baseline"])
        .arg(&base)
        .arg(&dir)
        .assert()
        .code(1)
        .stderr(predicate::str::contains("fail-on-overclaim"));
}

#[test]
fn a_baseline_does_not_excuse_a_target_it_does_not_know() {
    let tmp = tempfile::tempdir().unwrap();
    let base = tmp.path().join("base.json");
    caplevel()
        .args(["baseline", "fixtures/examples/demo-operator", "-o"])
        .arg(&base)
        .assert()
        .success();
    caplevel()
        .args([
            "analyze",
            GOOD,
            "--fail-under",
            "basic-install",
            "--baseline",
        ])
        .arg(&base)
        .assert()
        .code(1)
        .stderr(predicate::str::contains("fail-under"));
}

#[test]
fn fingerprints_do_not_depend_on_how_the_path_was_typed() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("k2");
    bundle(&dir);
    std::fs::write(
        dir.join("manifests/broken.yaml"),
        "kind: ConfigMap\n  bad: [\n",
    )
    .unwrap();
    let base = tmp.path().join("base.json");
    // Written with a relative path and a trailing slash…
    let mut cmd = Command::cargo_bin("caplevel").unwrap();
    cmd.current_dir(tmp.path())
        .args(["baseline", "k2/", "-o", "base.json"])
        .assert()
        .success();
    // …read with an absolute one: the same failures, the same input error.
    let out = caplevel()
        .args(["analyze", "--format", "json", "--baseline"])
        .arg(&base)
        .arg(&dir)
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let failed: Vec<&serde_json::Value> = v["targets"][0]["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["status"] == "fail")
        .collect();
    assert!(!failed.is_empty());
    assert!(failed.iter().all(|f| f["baselined"] == true));
    // A new input error is not in the baseline: it fails.
    std::fs::write(dir.join("manifests/broken2.yaml"), "kind: x\n  y: [\n").unwrap();
    caplevel()
        .args(["analyze", "--baseline"])
        .arg(&base)
        .arg(&dir)
        .assert()
        .code(1)
        .stderr(predicate::str::contains("broken2.yaml"));
}

#[test]
fn sarif_fingerprints_do_not_depend_on_how_the_path_was_typed() {
    let fp = |arg: &str| {
        let out = caplevel()
            .args(["analyze", "--format", "sarif", arg])
            .output()
            .unwrap();
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        v["runs"][0]["results"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| {
                r["partialFingerprints"]["caplevel/v2"]
                    .as_str()
                    .unwrap()
                    .to_string()
            })
            .collect::<Vec<_>>()
    };
    let abs = Path::new(env!("CARGO_MANIFEST_DIR")).join(GOOD);
    let plain = fp(GOOD);
    assert!(!plain.is_empty());
    assert_eq!(plain, fp(&format!("{GOOD}/")));
    assert_eq!(plain, fp(abs.to_str().unwrap()));
}
