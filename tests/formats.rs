//! Report formats, gates, baselines, configuration and exemptions, end to end.

mod common;
use common::{copy_dir, finding};

use assert_cmd::Command;
use predicates::prelude::*;
use serde_json::Value;
use std::path::{Path, PathBuf};

const DEMO: &str = "fixtures/examples/demo-operator";

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn caplevel() -> Command {
    let mut cmd = Command::cargo_bin("caplevel").unwrap();
    cmd.current_dir(root());
    cmd
}

fn run_json(args: &[&str]) -> Value {
    let out = caplevel()
        .args(args)
        .args(["--format", "json"])
        .output()
        .unwrap();
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stderr)))
}

fn sarif_schema() -> Option<Value> {
    let path = root().join("../shared/schemas/sarif-2.1.0.json");
    if !path.is_file() {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI=true but {} is missing",
            path.display()
        );
        return None;
    }
    let mut schema: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    // The published schema's `language` patterns end in `]?$`, which the
    // Rust regex engine rejects as a pattern; caplevel never writes those
    // properties, so the patterns are dropped rather than the schema skipped.
    for def in ["run", "toolComponent"] {
        if let Some(language) =
            schema.pointer_mut(&format!("/definitions/{def}/properties/language"))
        {
            language.as_object_mut().unwrap().remove("pattern");
        }
    }
    Some(schema)
}

#[test]
fn sarif_is_valid_and_points_at_real_lines() {
    let out = caplevel()
        .args(["analyze", DEMO, "fixtures/rules", "--format", "sarif"])
        .output()
        .unwrap();
    let sarif: Value = serde_json::from_slice(&out.stdout).unwrap();
    if let Some(schema) = sarif_schema() {
        let validator = jsonschema::validator_for(&schema).unwrap();
        let errors: Vec<String> = validator
            .iter_errors(&sarif)
            .map(|e| format!("{} at {}", e, e.instance_path()))
            .take(5)
            .collect();
        assert!(errors.is_empty(), "SARIF invalid: {errors:#?}");
    }
    let run = &sarif["runs"][0];
    let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
    let listed = caplevel()
        .args(["rules", "--format", "json"])
        .output()
        .unwrap();
    let listed: Value = serde_json::from_slice(&listed.stdout).unwrap();
    assert_eq!(
        rules.len(),
        listed.as_array().unwrap().len(),
        "every rule is in tool.driver.rules"
    );
    for r in rules {
        assert!(r["help"]["text"].as_str().unwrap().contains("How to fix"));
        assert!(r["properties"]["phase"].is_string());
    }
    let results = run["results"].as_array().unwrap();
    assert!(!results.is_empty());
    for res in results {
        assert!(res["ruleId"].is_string());
        let loc = &res["locations"][0]["physicalLocation"];
        let uri = loc["artifactLocation"]["uri"].as_str().unwrap();
        assert!(
            !uri.starts_with('/') && !uri.starts_with("file:"),
            "relative URI: {uri}"
        );
        let line = loc["region"]["startLine"].as_u64().unwrap() as usize;
        let text = std::fs::read_to_string(root().join(uri.replace("%20", " ")))
            .unwrap_or_else(|e| panic!("{uri}: {e}"));
        assert!(
            line >= 1 && line <= text.lines().count(),
            "{uri}:{line} is a real line"
        );
    }
}

#[test]
fn junit_has_a_suite_per_target_and_a_case_per_rule() {
    let out = caplevel()
        .args(["analyze", DEMO, "--format", "junit"])
        .output()
        .unwrap();
    let xml = String::from_utf8(out.stdout).unwrap();
    let doc = roxmltree::Document::parse(&xml).unwrap();
    let suites: Vec<_> = doc
        .descendants()
        .filter(|n| n.has_tag_name("testsuite"))
        .collect();
    assert_eq!(suites.len(), 1);
    let report = run_json(&["analyze", DEMO]);
    let findings = report["targets"][0]["findings"].as_array().unwrap();
    let cases: Vec<_> = suites[0]
        .children()
        .filter(|n| n.has_tag_name("testcase"))
        .collect();
    assert_eq!(cases.len(), findings.len());
    let failed = findings.iter().filter(|f| f["status"] == "fail").count();
    let failures = cases
        .iter()
        .filter(|c| c.children().any(|n| n.has_tag_name("failure")))
        .count();
    assert_eq!(failures, failed);
    assert!(failed > 0);
    assert_eq!(
        suites[0].attribute("failures"),
        Some(failed.to_string().as_str())
    );
}

#[test]
fn markdown_has_the_summary_table_and_collapsed_failures() {
    caplevel()
        .args(["analyze", DEMO, "--format", "markdown"])
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "| target | declared | evidenced | verdict |",
        ))
        .stdout(predicate::str::contains("<details><summary>"))
        .stdout(predicate::str::contains("*How to fix:*"));
}

#[test]
fn several_formats_in_one_run() {
    let dir = tempfile::tempdir().unwrap();
    let (json, sarif, md) = (
        dir.path().join("r.json"),
        dir.path().join("r.sarif"),
        dir.path().join("r.md"),
    );
    caplevel()
        .args(["analyze", DEMO, "--format", "table"])
        .arg("--output")
        .arg(format!("json={}", json.display()))
        .arg("-o")
        .arg(format!("sarif={}", sarif.display()))
        .arg("-o")
        .arg(format!("markdown={}", md.display()))
        .assert()
        .success()
        .stdout(predicate::str::contains("demo-operator"));
    let j: Value = serde_json::from_str(&std::fs::read_to_string(json).unwrap()).unwrap();
    assert_eq!(j["schema_version"], "4");
    let s: Value = serde_json::from_str(&std::fs::read_to_string(sarif).unwrap()).unwrap();
    assert_eq!(s["version"], "2.1.0");
    assert!(
        std::fs::read_to_string(md)
            .unwrap()
            .starts_with("## caplevel")
    );
    caplevel()
        .args(["analyze", DEMO, "--output", "xml=x"])
        .assert()
        .code(2);
}

#[test]
fn gates_set_the_exit_code() {
    // The demo declares Full Lifecycle and evidences less.
    caplevel()
        .args(["analyze", DEMO, "--fail-under", "basic-install"])
        .assert()
        .success();
    caplevel()
        .args(["analyze", DEMO, "--fail-under", "auto-pilot"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("gate failed"));
    caplevel()
        .args(["analyze", DEMO, "--min-score", "0"])
        .assert()
        .success();
    caplevel()
        .args(["analyze", DEMO, "--min-score", "99"])
        .assert()
        .code(1);
    let report = run_json(&["analyze", DEMO]);
    let over = report["targets"][0]["verdict"] == "overclaimed";
    caplevel()
        .args(["analyze", DEMO, "--fail-on-overclaim"])
        .assert()
        .code(if over { 1 } else { 0 });
    caplevel()
        .args(["analyze", DEMO, "--fail-under", "level-six"])
        .assert()
        .code(2);
    caplevel()
        .args(["analyze", DEMO, "--min-score", "101"])
        .assert()
        .code(2);
    let j = run_json(&["analyze", DEMO, "--fail-under", "V"]);
    assert_eq!(j["gate_failures"][0]["gate"], "fail-under");
    // The quality gate reads the quality score only.
    let contacts = "fixtures/rules/csv-listing-contacts/fail";
    let j = run_json(&["analyze", contacts]);
    let quality = j["targets"][0]["quality"]["score"].as_f64().unwrap();
    assert!(quality > 0.0 && quality < 100.0, "{quality}");
    caplevel()
        .args(["analyze", contacts, "--min-quality", &quality.to_string()])
        .assert()
        .success();
    let j = run_json(&["analyze", contacts, "--min-quality", "100"]);
    assert_eq!(j["gate_failures"][0]["gate"], "min-quality");
    caplevel()
        .args(["analyze", DEMO, "--min-quality", "101"])
        .assert()
        .code(2);
}

#[test]
fn baseline_accepts_known_failures_only() {
    let dir = tempfile::tempdir().unwrap();
    let base = dir.path().join("base.json");
    caplevel()
        .args(["analyze", DEMO, "-o"])
        .arg(format!("json={}", base.display()))
        .assert()
        .success();
    caplevel()
        .args(["analyze", DEMO, "--fail-under", "auto-pilot"])
        .assert()
        .code(1);
    caplevel()
        .args([
            "analyze",
            DEMO,
            "--fail-under",
            "auto-pilot",
            "--min-score",
            "99",
            "--baseline",
        ])
        .arg(&base)
        .assert()
        .success();
    // A failure the baseline did not have still fails the gate.
    let mut old: Value = serde_json::from_str(&std::fs::read_to_string(&base).unwrap()).unwrap();
    let findings = old["targets"][0]["findings"].as_array_mut().unwrap();
    let first_fail = findings.iter().position(|f| f["status"] == "fail").unwrap();
    findings[first_fail]["status"] = "pass".into();
    // The baseline recorded a better score: the score got worse, so the
    // gate it already failed fails again.
    old["targets"][0]["score"] = 100.into();
    std::fs::write(&base, old.to_string()).unwrap();
    caplevel()
        .args(["analyze", DEMO, "--min-score", "99", "--baseline"])
        .arg(&base)
        .assert()
        .code(1);
    let j = run_json(&["analyze", DEMO, "--baseline", base.to_str().unwrap()]);
    let baselined = j["targets"][0]["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["baselined"] == true)
        .count();
    assert!(baselined > 0);
    caplevel()
        .args(["analyze", DEMO, "--baseline", "no/such.json"])
        .assert()
        .code(2);
}

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p
}

#[test]
fn config_exemptions_count_as_passed_and_keep_their_reason() {
    let dir = tempfile::tempdir().unwrap();
    let before = run_json(&["analyze", DEMO]);
    let failing: Vec<String> = before["targets"][0]["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["status"] == "fail")
        .map(|f| f["rule"].as_str().unwrap().to_string())
        .collect();
    let rule = &failing[0];
    let cfg = write(
        dir.path(),
        "c.yaml",
        &format!(
            "exemptions:\n  - rule: {rule}\n    target: 'fixtures/examples/*'\n    reason: we ship no such thing on purpose\n"
        ),
    );
    let after = run_json(&["analyze", DEMO, "--config", cfg.to_str().unwrap()]);
    let f = finding(&after["targets"][0], rule).clone();
    assert_eq!(f["status"], "exempt");
    assert_eq!(f["exemption"]["reason"], "we ship no such thing on purpose");
    assert!(
        f["exemption"]["source"]
            .as_str()
            .unwrap()
            .ends_with("c.yaml:2")
    );
    let phase = f["phase"].as_str().unwrap();
    assert!(
        after["targets"][0]["phases"][phase]["coverage"].as_f64()
            > before["targets"][0]["phases"][phase]["coverage"].as_f64()
    );
    // The reason reaches every format.
    for (format, needle) in [
        (
            "sarif",
            "\"justification\": \"we ship no such thing on purpose\"",
        ),
        ("junit", "exempt: we ship no such thing on purpose"),
        ("markdown", "we ship no such thing on purpose"),
        ("table", "we ship no such thing on purpose"),
    ] {
        caplevel()
            .args(["analyze", DEMO, "--format", format, "--config"])
            .arg(&cfg)
            .assert()
            .success()
            .stdout(predicate::str::contains(needle));
    }
}

#[test]
fn config_errors_are_exit_2_with_file_and_line() {
    let dir = tempfile::tempdir().unwrap();
    let no_reason = write(
        dir.path(),
        "a.yaml",
        "threshold: 40\nexemptions:\n  - rule: x\n    target: '*'\n",
    );
    caplevel()
        .args(["analyze", DEMO, "--config"])
        .arg(&no_reason)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("a.yaml:3"))
        .stderr(predicate::str::contains("reason"));
    let unknown = write(dir.path(), "b.yaml", "threshold: 40\nfail-fast: true\n");
    caplevel()
        .args(["analyze", DEMO, "--config"])
        .arg(&unknown)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("b.yaml:2"));
    let weights = write(dir.path(), "c.yaml", "weights: {no-such-rule: 3}\n");
    caplevel()
        .args(["analyze", DEMO, "--config"])
        .arg(&weights)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("no-such-rule"));
    caplevel()
        .args(["analyze", DEMO, "--config", "missing.yaml"])
        .assert()
        .code(2);
}

#[test]
fn config_in_the_working_directory_is_read() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        ".caplevel.yaml",
        "threshold: 1\nexclude: ['rbac-*']\n",
    );
    let out = Command::cargo_bin("caplevel")
        .unwrap()
        .current_dir(dir.path())
        .args([
            "analyze",
            root().join(DEMO).to_str().unwrap(),
            "--format",
            "json",
        ])
        .output()
        .unwrap();
    let j: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(j["threshold"], 1.0);
    assert!(
        j["targets"][0]["findings"]
            .as_array()
            .unwrap()
            .iter()
            .all(|f| !f["rule"].as_str().unwrap().starts_with("rbac-"))
    );
}

#[test]
fn in_package_annotation_exempts_with_its_reason() {
    let dir = tempfile::tempdir().unwrap();
    let bundle = dir.path().join("b");
    copy_dir(&root().join(DEMO), &bundle);
    let before = run_json(&["analyze", bundle.to_str().unwrap()]);
    let rule = before["targets"][0]["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["status"] == "fail")
        .unwrap()["rule"]
        .as_str()
        .unwrap()
        .to_string();
    let csv = bundle.join("manifests/demo-operator.clusterserviceversion.yaml");
    let text = std::fs::read_to_string(&csv).unwrap().replace(
        "    capabilities: Full Lifecycle\n",
        &format!("    capabilities: Full Lifecycle\n    caplevel.io/exempt.{rule}: handled by the platform team\n    caplevel.io/exempt.other-rule: \"\"\n"),
    );
    std::fs::write(&csv, text).unwrap();
    let after = run_json(&["analyze", bundle.to_str().unwrap()]);
    let t = &after["targets"][0];
    let f = finding(t, &rule);
    assert_eq!(f["status"], "exempt");
    assert_eq!(f["exemption"]["reason"], "handled by the platform team");
    // An annotation without a reason is an error diagnostic at its line.
    let d = t["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["message"].as_str().unwrap().contains("no reason"))
        .unwrap();
    assert_eq!(d["severity"], "error");
    assert_eq!(d["line"], 8);
}

#[test]
fn committed_schemas_match_the_generated_ones() {
    for kind in ["report", "jsonl", "rules", "config"] {
        let out = caplevel().args(["schema", kind]).output().unwrap();
        let committed =
            std::fs::read_to_string(root().join(format!("schema/{kind}.schema.json"))).unwrap();
        assert!(
            committed == String::from_utf8(out.stdout).unwrap(),
            "schema/{kind}.schema.json is stale: run `caplevel schema {kind} > schema/{kind}.schema.json`"
        );
    }
}

#[test]
fn json_report_validates_against_its_schema() {
    let schema: Value = serde_json::from_str(
        &std::fs::read_to_string(root().join("schema/report.schema.json")).unwrap(),
    )
    .unwrap();
    let validator = jsonschema::validator_for(&schema).unwrap();
    let report = run_json(&["analyze", DEMO, "fixtures/rules/csv-install-deployment"]);
    let errors: Vec<String> = validator
        .iter_errors(&report)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .take(5)
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");
}

#[test]
fn jsonl_lines_validate_against_their_schema() {
    let schema: Value = serde_json::from_str(
        &std::fs::read_to_string(root().join("schema/jsonl.schema.json")).unwrap(),
    )
    .unwrap();
    let validator = jsonschema::validator_for(&schema).unwrap();
    for findings in ["all", "fail"] {
        let out = caplevel()
            .args([
                "analyze",
                DEMO,
                "fixtures/upgrade/bundle",
                "fixtures/charts",
            ])
            .args(["--format", "jsonl", "--findings", findings])
            .output()
            .unwrap();
        let text = String::from_utf8(out.stdout).unwrap();
        let lines: Vec<Value> = text
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        assert!(lines.len() > 2);
        assert_eq!(lines.last().unwrap()["type"], "summary");
        for line in &lines {
            let errors: Vec<String> = validator
                .iter_errors(line)
                .map(|e| format!("{} at {}", e, e.instance_path()))
                .take(5)
                .collect();
            assert!(errors.is_empty(), "{errors:#?}");
        }
    }
}

#[test]
fn rule_reference_is_current() {
    let out = caplevel()
        .args(["rules", "--format", "markdown"])
        .output()
        .unwrap();
    let committed = std::fs::read_to_string(root().join("docs/rules.md")).unwrap();
    assert!(
        committed == String::from_utf8(out.stdout).unwrap(),
        "docs/rules.md is stale: run `caplevel rules --format markdown > docs/rules.md`"
    );
}

#[test]
fn rule_reference_lists_the_named_patterns() {
    let dir = tempfile::tempdir().unwrap();
    let mine = dir.path().join("mine.yaml");
    std::fs::write(
        &mine,
        "patterns:\n  teamLink:\n    pattern: '^https://team\\.example/'\n    doc: >-\n      A link to the team's pages.\n",
    )
    .unwrap();
    let out = caplevel()
        .args(["rules", "--format", "markdown", "--rules"])
        .arg(&mine)
        .output()
        .unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    let section = &text[text.find("\n## Patterns\n").expect("a Patterns section")..];
    let rules = caplevel::rules::load(&[mine]).unwrap();
    let patterns = caplevel::rules::patterns_of(&rules);
    assert!(patterns.len() > 1);
    for p in patterns {
        let entry = format!(
            "\n### `{}`\n\n{}\n\n```text\n{}\n```\n",
            p.name,
            p.doc.trim(),
            p.pattern
        );
        assert!(section.contains(&entry), "{entry}");
    }
    assert!(section.contains("### `teamLink`\n\nA link to the team's pages."));
    // A rule's check still reads the pattern by name.
    caplevel()
        .args(["explain", "dashboards-provided"])
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "facts.fieldText.matches(patterns.dashboardField)",
        ));
}

#[test]
fn explain_prints_a_rule_and_rejects_unknown_ones() {
    caplevel()
        .args(["explain", "csv-install-deployment"])
        .assert()
        .success()
        .stdout(predicate::str::contains("How to fix"))
        .stdout(predicate::str::contains("phase:      I basic-install"));
    caplevel()
        .args(["explain", "no-such-rule"])
        .assert()
        .code(2);
}

#[test]
fn summary_counts_targets() {
    let j = run_json(&["analyze", "fixtures/rules/csv-install-deployment"]);
    assert_eq!(j["summary"]["targets"], 2);
    let verdicts: u64 = j["summary"]["verdicts"]
        .as_object()
        .unwrap()
        .values()
        .map(|v| v.as_u64().unwrap())
        .sum();
    assert_eq!(verdicts, 2);
}

#[test]
fn streamed_json_equals_the_collected_report() {
    // `--format json` alone streams target by target; adding a SARIF output
    // makes the run collect the whole report and serialize it at once.
    let dir = tempfile::tempdir().unwrap();
    let streamed = caplevel()
        .args([
            "analyze",
            DEMO,
            "fixtures/rules/csv-install-deployment",
            "--format",
            "json",
        ])
        .output()
        .unwrap();
    let collected = caplevel()
        .args([
            "analyze",
            DEMO,
            "fixtures/rules/csv-install-deployment",
            "--format",
            "json",
            "-o",
        ])
        .arg(format!("sarif={}", dir.path().join("x.sarif").display()))
        .output()
        .unwrap();
    assert!(!streamed.stdout.is_empty());
    // The same report, but for the arguments it records.
    let without_arguments = |bytes: Vec<u8>| {
        let text = String::from_utf8(bytes).unwrap();
        let mut v: Value = serde_json::from_str(&text).unwrap();
        v["run"]["arguments"] = Value::Null;
        serde_json::to_string_pretty(&v).unwrap()
    };
    assert_eq!(
        without_arguments(streamed.stdout),
        without_arguments(collected.stdout)
    );
}
