//! Exit codes a CI step can trust: 1 only for a gate the user set or an
//! input a cluster or helm would reject, always with the reason on stderr;
//! rule evaluation failures are reported, counted, and fail only `--strict`.

mod common;
use common::{ERRING_RULE, copy_dir};

use assert_cmd::Command;
use predicates::prelude::*;
use std::path::Path;

fn caplevel() -> Command {
    let mut cmd = Command::cargo_bin("caplevel").unwrap();
    cmd.current_dir(env!("CARGO_MANIFEST_DIR"));
    cmd
}

const GOOD: &str = "fixtures/rules/csv-install-deployment/pass";

fn good_copy(dir: &Path) {
    copy_dir(
        Path::new(env!("CARGO_MANIFEST_DIR")).join(GOOD).as_path(),
        dir,
    );
}

#[test]
fn a_rule_that_cannot_be_evaluated_is_counted_and_fails_only_strict() {
    let dir = tempfile::tempdir().unwrap();
    let rules = dir.path().join("r.yaml");
    std::fs::write(&rules, ERRING_RULE).unwrap();
    let out = caplevel()
        .args(["analyze", GOOD, "--format", "json", "--rules"])
        .arg(&rules)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let d = v["targets"][0]["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["code"] == "rule-error")
        .expect("a rule-error diagnostic");
    assert!(
        d["message"]
            .as_str()
            .unwrap()
            .contains("team-divides-by-zero")
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("rule evaluation(s) failed"));
    // The same run under --strict fails, and says why on stderr.
    caplevel()
        .args(["analyze", GOOD, "--format", "json", "--strict", "--rules"])
        .arg(&rules)
        .assert()
        .code(1)
        .stderr(predicate::str::contains("rule-error"))
        .stderr(predicate::str::contains("team-divides-by-zero"));
}

#[test]
fn a_failing_run_says_why_on_stderr_in_every_format() {
    let dir = tempfile::tempdir().unwrap();
    good_copy(dir.path());
    std::fs::write(
        dir.path().join("manifests/broken.yaml"),
        "kind: ConfigMap\n  bad: [\n",
    )
    .unwrap();
    for format in ["json", "sarif", "junit", "markdown", "table"] {
        caplevel()
            .args(["analyze", "--format", format])
            .arg(dir.path())
            .assert()
            .code(1)
            .stderr(predicate::str::contains("error[yaml-syntax]"))
            .stderr(predicate::str::contains("broken.yaml:2"))
            .stderr(predicate::str::contains("caplevel: failed"));
    }
}

#[test]
fn many_lenient_quoted_scalars_are_valid_input() {
    // libyaml (so Kubernetes) accepts a quoted scalar's continuation line
    // indented less than its block; a file with a hundred of them is valid.
    let dir = tempfile::tempdir().unwrap();
    good_copy(dir.path());
    let mut text =
        String::from("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: lenient\ndata:\n");
    for i in 0..100 {
        text.push_str(&format!("  k{i}: \"first\n more\"\n"));
    }
    std::fs::write(dir.path().join("manifests/lenient.yaml"), text).unwrap();
    let out = caplevel()
        .args(["analyze", "--format", "json"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let codes: Vec<&str> = v["targets"][0]["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["code"].as_str().unwrap())
        .collect();
    assert!(!codes.contains(&"yaml-syntax"), "{codes:?}");
    assert!(codes.contains(&"yaml-lenient"), "{codes:?}");
}

/// A chart whose one template renders invalid YAML under every profile.
fn broken_chart(dir: &Path) {
    std::fs::create_dir_all(dir.join("templates")).unwrap();
    std::fs::create_dir_all(dir.join("ci")).unwrap();
    std::fs::write(
        dir.join("Chart.yaml"),
        "apiVersion: v2\nname: broken\nversion: 0.1.0\n",
    )
    .unwrap();
    std::fs::write(dir.join("values.yaml"), "replicas: 1\n").unwrap();
    std::fs::write(dir.join("ci/small-values.yaml"), "replicas: 2\n").unwrap();
    std::fs::write(
        dir.join("templates/cm.yaml"),
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\ndata:\n  a: b: c\n",
    )
    .unwrap();
}

#[test]
fn a_chart_error_is_reported_once_with_its_profiles() {
    let dir = tempfile::tempdir().unwrap();
    broken_chart(dir.path());
    let out = caplevel()
        .args(["analyze", "--format", "json"])
        .arg(dir.path())
        .output()
        .unwrap();
    // helm template rejects the chart too: exit 1, named on stderr, once.
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(stderr.matches("cm.yaml:6").count(), 1, "{stderr}");
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let diags: Vec<&serde_json::Value> = v["targets"][0]["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["code"] == "rendered-yaml")
        .collect();
    assert_eq!(diags.len(), 1, "{diags:?}");
    assert_eq!(
        diags[0]["profiles"],
        serde_json::json!(["defaults", "ci/small-values.yaml"])
    );
}

#[test]
fn quiet_prints_only_what_fails_the_run() {
    let dir = tempfile::tempdir().unwrap();
    good_copy(dir.path());
    // A duplicate key is a warning: not printed with --quiet, run passes.
    std::fs::write(
        dir.path().join("manifests/dup.yaml"),
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n  name: b\n",
    )
    .unwrap();
    caplevel()
        .arg("analyze")
        .arg(dir.path())
        .assert()
        .success()
        .stderr(predicate::str::contains("warning[yaml-duplicate-key]"));
    caplevel()
        .args(["analyze", "--quiet"])
        .arg(dir.path())
        .assert()
        .success()
        .stderr(predicate::str::is_empty());
    // --strict fails on the warning.
    caplevel()
        .args(["analyze", "--quiet", "--strict"])
        .arg(dir.path())
        .assert()
        .code(1)
        .stderr(predicate::str::contains("yaml-duplicate-key"));
}

#[test]
fn plain_manifests_no_rule_applies_to_have_no_grade() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("cm.yaml"),
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n",
    )
    .unwrap();
    let out = caplevel()
        .args([
            "analyze",
            "--format",
            "json",
            "--fail-under",
            "basic-install",
        ])
        .arg(dir.path().join("cm.yaml"))
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let t = &v["targets"][0];
    assert!(
        t["findings"]
            .as_array()
            .unwrap()
            .iter()
            .all(|f| f["status"] == "not-applicable")
    );
    assert_eq!(t["grade"], "n/a");
    assert_eq!(v["summary"]["grades"]["n/a"], 1);
    // A level gate has nothing to judge on it.
    assert_eq!(out.status.code(), Some(0));
}

#[test]
fn a_tgz_that_is_not_a_chart_is_a_diagnostic_not_a_target() {
    let dir = tempfile::tempdir().unwrap();
    good_copy(&dir.path().join("bundle"));
    // A gzipped tar of plain files (no <folder>/Chart.yaml).
    let tgz = dir.path().join("backup.tgz");
    let file = std::fs::File::create(&tgz).unwrap();
    let mut tar = tar::Builder::new(flate2::write::GzEncoder::new(
        file,
        flate2::Compression::fast(),
    ));
    let data = b"hello\n";
    let mut header = tar::Header::new_gnu();
    header.set_size(data.len() as u64);
    header.set_mode(0o644);
    header.set_cksum();
    tar.append_data(&mut header, "notes/readme.txt", &data[..])
        .unwrap();
    tar.into_inner().unwrap().finish().unwrap();
    let out = caplevel()
        .args(["analyze", "--format", "json"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["targets"].as_array().unwrap().len(), 1);
    assert_eq!(v["diagnostics"][0]["code"], "not-a-target");
    assert!(String::from_utf8_lossy(&out.stderr).contains("backup.tgz"));
    // Named alone, it is nothing to assess: exit 2, saying why.
    caplevel()
        .arg("analyze")
        .arg(&tgz)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("not a chart archive"));
}

#[test]
fn sarif_lists_the_input_errors_that_failed_the_run() {
    let dir = tempfile::tempdir().unwrap();
    good_copy(dir.path());
    std::fs::write(
        dir.path().join("manifests/broken.yaml"),
        "kind: ConfigMap\n  bad: [\n",
    )
    .unwrap();
    let out = caplevel()
        .args(["analyze", "--format", "sarif"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let r = v["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["ruleId"] == "input/yaml-syntax")
        .expect("the input error is a result");
    assert_eq!(r["level"], "error");
    assert_eq!(
        r["locations"][0]["physicalLocation"]["region"]["startLine"],
        2
    );
}

#[test]
fn junit_lists_the_input_errors_that_failed_the_run() {
    let dir = tempfile::tempdir().unwrap();
    good_copy(dir.path());
    std::fs::write(
        dir.path().join("manifests/broken.yaml"),
        "kind: ConfigMap\n  bad: [\n",
    )
    .unwrap();
    let out = caplevel()
        .args(["analyze", "--format", "junit"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let xml = String::from_utf8(out.stdout).unwrap();
    let doc = roxmltree::Document::parse(&xml).unwrap();
    let case = doc
        .descendants()
        .find(|n| n.has_tag_name("testcase") && n.attribute("name") == Some("input/yaml-syntax"))
        .unwrap_or_else(|| panic!("the input error is a testcase:\n{xml}"));
    let error = case
        .children()
        .find(|n| n.has_tag_name("error"))
        .expect("in error");
    assert_eq!(error.attribute("type"), Some("yaml-syntax"));
    assert!(error.text().unwrap_or_default().contains("broken.yaml:2"));
    // The totals count it.
    let root = doc.root_element();
    assert!(root.attribute("errors").unwrap().parse::<u32>().unwrap() >= 1);
}
