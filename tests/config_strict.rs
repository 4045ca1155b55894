//! Strict configuration: a rule id or glob that matches no rule is an error
//! with a did-you-mean (config, command line, package annotations); an
//! exemption that exempts nothing is a warning in the report.

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

fn json(out: &std::process::Output) -> serde_json::Value {
    serde_json::from_slice(&out.stdout).unwrap()
}

#[test]
fn a_config_pattern_that_matches_no_rule_is_exit_2_with_a_suggestion() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("c.yaml");
    for (text, place) in [
        ("include: [csv-install-deploymnt]\n", "include"),
        ("exclude: [csv-install-deploymnt]\n", "exclude"),
        (
            "exemptions:\n  - rule: csv-install-deploymnt\n    reason: r\n",
            "c.yaml:2",
        ),
    ] {
        std::fs::write(&config, text).unwrap();
        caplevel()
            .args(["analyze", GOOD, "--config"])
            .arg(&config)
            .assert()
            .code(2)
            .stderr(predicate::str::contains(place))
            .stderr(predicate::str::contains(
                "did you mean `csv-install-deployment`",
            ));
    }
}

#[test]
fn only_and_skip_select_rules_and_reject_typos() {
    let out = caplevel()
        .args(["analyze", GOOD, "--format", "json"])
        .args(["--only", "csv-install-deployment", "--only", "csv-*"])
        .args(["--skip", "csv-listing-*"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let v = json(&out);
    let rules: Vec<&str> = v["targets"][0]["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["rule"].as_str().unwrap())
        .collect();
    assert!(rules.contains(&"csv-install-deployment"));
    assert!(rules.iter().all(|r| r.starts_with("csv-")), "{rules:?}");
    assert!(
        !rules.iter().any(|r| r.starts_with("csv-listing")),
        "{rules:?}"
    );
    caplevel()
        .args(["analyze", GOOD, "--skip", "csv-install-deploymnt"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--skip"))
        .stderr(predicate::str::contains("did you mean"));
}

#[test]
fn an_unused_config_exemption_is_a_warning_in_the_report() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("c.yaml");
    // The rule passes on this bundle: the exemption exempts nothing.
    std::fs::write(
        &config,
        "exemptions:\n  - rule: csv-install-deployment\n    reason: legacy\n",
    )
    .unwrap();
    let out = caplevel()
        .args(["analyze", GOOD, "--format", "json", "--config"])
        .arg(&config)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let v = json(&out);
    let d = &v["diagnostics"][0];
    assert_eq!(d["code"], "unused-exemption", "{v:#}");
    assert_eq!(d["line"], 2);
    assert!(String::from_utf8_lossy(&out.stderr).contains("unused-exemption"));
}

#[test]
fn an_annotation_exempting_an_unknown_rule_is_an_error_with_a_suggestion() {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(
        Path::new(env!("CARGO_MANIFEST_DIR")).join(GOOD).as_path(),
        dir.path(),
    );
    let csv = dir
        .path()
        .join("manifests/demo-operator.clusterserviceversion.yaml");
    let text = std::fs::read_to_string(&csv).unwrap().replacen(
        "    capabilities: Basic Install\n",
        "    capabilities: Basic Install\n    caplevel.io/exempt.csv-install-deploymnt: legacy\n    caplevel.io/exempt.csv-install-deployment: it passes anyway\n",
        1,
    );
    std::fs::write(&csv, text).unwrap();
    let out = caplevel()
        .args(["analyze", "--format", "json"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("did you mean `csv-install-deployment`"),
        "{stderr}"
    );
    let v = json(&out);
    let codes: Vec<&str> = v["targets"][0]["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["code"].as_str().unwrap())
        .collect();
    assert!(codes.contains(&"exemption"), "{codes:?}");
    assert!(codes.contains(&"unused-exemption"), "{codes:?}");
}
