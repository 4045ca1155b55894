//! Histories end to end: the versions of one operator under
//! `operators/<name>/<version>/` are assessed together; the report's
//! `histories` section carries the trend, the upgrade graph's problems and
//! the breaking CRD changes between versions, and rules read each
//! version's `package.history` fact.

use assert_cmd::Command;
use serde_json::Value;

const HISTORY: &str = "fixtures/upgrade/history";

fn analyze(extra: &[&str]) -> Value {
    let out = Command::cargo_bin("caplevel")
        .expect("binary")
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(["analyze", HISTORY, "--format", "json"])
        .args(extra)
        .output()
        .expect("runs");
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stderr)))
}

#[test]
fn a_history_reports_trend_graph_and_breaking_upgrades() {
    let report = analyze(&[]);
    let histories = report["histories"].as_array().expect("histories");
    assert_eq!(histories.len(), 1);
    let h = &histories[0];
    assert_eq!(h["package"], "demo-operator");
    assert_eq!(h["latest"]["version"], "1.6.0");
    let versions: Vec<&str> = h["versions"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|v| v["version"].as_str())
        .collect();
    assert_eq!(versions, ["1.6.0", "1.5.1", "1.5.0", "1.4.0"]);
    assert_eq!(
        h["versions"][0]["upgrades_from"],
        serde_json::json!(["1.5.0"])
    );

    let graph = h["graph"].as_array().expect("graph");
    assert_eq!(graph.len(), 1, "{graph:#?}");
    assert_eq!(graph[0]["kind"], "version-skipped");
    assert_eq!(graph[0]["bundle"], "demo-operator.v1.5.1");
    assert_eq!(
        graph[0]["at"]["file"],
        "fixtures/upgrade/history/operators/demo-operator/1.5.1/manifests/demo-operator.clusterserviceversion.yaml"
    );
    assert_eq!(graph[0]["at"]["line"], 4);

    let changes = h["changes"].as_array().expect("changes");
    assert_eq!(changes.len(), 1, "{changes:#?}");
    assert_eq!(
        (
            &changes[0]["from"],
            &changes[0]["to"],
            &changes[0]["kind"],
            &changes[0]["path"]
        ),
        (
            &"1.5.0".into(),
            &"1.6.0".into(),
            &"field-removed".into(),
            &".spec.image".into()
        )
    );
    assert_eq!(changes[0]["old"]["line"], 47);
}

#[test]
fn no_history_assesses_each_version_alone() {
    let report = analyze(&["--no-history"]);
    assert!(report.get("histories").is_none());
    assert_eq!(report["targets"].as_array().map(Vec::len), Some(4));
}

#[test]
fn rules_read_the_history_fact() {
    let dir = tempfile::tempdir().expect("tempdir");
    let rules = dir.path().join("history.yaml");
    std::fs::write(
        &rules,
        r#"rules:
  - id: history-crd-safe
    phase: seamless-upgrades
    title: Upgrades to this version keep its CRDs compatible
    weight: 1
    applies-to: [bundle]
    applies-when: pkg.history != null && size(pkg.history.upgradesFrom) > 0
    select:
      kind: [ClusterServiceVersion]
    expect: pkg.history.crdSafe && pkg.history.graphValid
    rationale: OLM v1 refuses unsafe CRD upgrades.
    remediation: Keep CRD changes additive.
"#,
    )
    .expect("write");
    let report = analyze(&["--rules", rules.to_str().expect("utf-8")]);
    let status: Vec<(String, String)> = report["targets"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|t| {
            let f = t["findings"]
                .as_array()
                .into_iter()
                .flatten()
                .find(|f| f["rule"] == "history-crd-safe")
                .expect("finding");
            (
                t["version"].as_str().unwrap_or_default().to_string(),
                f["status"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect();
    assert_eq!(
        status,
        [
            ("1.4.0", "not-applicable"),
            ("1.5.0", "pass"),
            ("1.5.1", "fail"),
            ("1.6.0", "fail"),
        ]
        .map(|(a, b)| (a.to_string(), b.to_string()))
    );
}

/// The built-in version-pair rule: its status per version, oldest first.
fn upgrade_safety(report: &Value) -> Vec<(String, String)> {
    report["targets"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|t| {
            let f = t["findings"]
                .as_array()
                .into_iter()
                .flatten()
                .find(|f| f["rule"] == "upgrades-into-version-safe")
                .expect("finding");
            (
                t["version"].as_str().unwrap_or_default().to_string(),
                f["status"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect()
}

#[test]
fn a_breaking_upgrade_holds_phase_two_at_partial_and_shows_as_a_regression() {
    let report = analyze(&[]);
    assert_eq!(
        upgrade_safety(&report),
        [
            ("1.4.0", "not-applicable"),
            ("1.5.0", "pass"),
            ("1.5.1", "fail"),
            ("1.6.0", "fail"),
        ]
        .map(|(a, b)| (a.to_string(), b.to_string()))
    );
    let targets = report["targets"].as_array().expect("targets");
    // 1.6.0 removes a CRD field: the failure points at the CRD's file and
    // names the change; phase II is held at partial by it.
    let latest = &targets[3];
    let f = latest["findings"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|f| f["rule"] == "upgrades-into-version-safe")
        .expect("finding");
    assert!(
        f["evidence"][0]["file"]
            .as_str()
            .is_some_and(|p| p.ends_with("1.6.0/manifests/demo.example.com_cacheclusters.yaml")),
        "{f:#?}"
    );
    assert!(
        f["message"]
            .as_str()
            .is_some_and(|m| m.contains("field-removed")),
        "{f:#?}"
    );
    let two = &latest["phases"]["seamless-upgrades"];
    assert_eq!(two["status"], "partial");
    assert_eq!(
        two["against"],
        serde_json::json!(["upgrades-into-version-safe"])
    );
    // 1.5.0's safe upgrade supports phase II.
    let safe = &targets[1]["phases"]["seamless-upgrades"];
    assert_eq!(safe["status"], "met");
    assert!(
        safe["supporting"]
            .as_array()
            .is_some_and(|s| s.contains(&"upgrades-into-version-safe".into())),
        "{safe:#?}"
    );
    // The history's trend: the first breaking version is a regression.
    let h = &report["histories"][0];
    let regressions: Vec<(&str, bool)> = h["versions"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|v| (v["version"].as_str().unwrap_or(""), v["regression"] == true))
        .collect();
    assert_eq!(
        regressions,
        [
            ("1.6.0", false),
            ("1.5.1", true),
            ("1.5.0", false),
            ("1.4.0", false)
        ]
    );
    assert_eq!(h["regressions"], 1);
    assert_eq!(h["latest"]["evidenced"], "basic-install");
    assert_eq!(targets[0]["evidenced"], "deep-insights");
}

#[test]
fn a_version_assessed_alone_has_no_version_pair_evidence() {
    let report = analyze(&["--no-history"]);
    assert!(
        upgrade_safety(&report)
            .iter()
            .all(|(_, status)| status == "not-applicable")
    );
}

fn run(extra: &[&str]) -> (i32, String) {
    let out = Command::cargo_bin("caplevel")
        .expect("binary")
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(["analyze", HISTORY])
        .args(extra)
        .output()
        .expect("runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
    )
}

#[test]
fn a_breaking_upgrade_into_the_latest_version_fails_the_gate() {
    let (code, _) = run(&["--format", "json"]);
    assert_eq!(code, 0);
    let (code, out) = run(&["--format", "json", "--fail-on-breaking"]);
    assert_eq!(code, 1);
    let report: Value = serde_json::from_str(&out).expect("json");
    let failures = report["gate_failures"].as_array().expect("gate failures");
    assert_eq!(failures.len(), 1, "{failures:#?}");
    assert_eq!(failures[0]["gate"], "fail-on-breaking");
    assert!(
        failures[0]["target"]
            .as_str()
            .is_some_and(|t| t.ends_with("demo-operator/1.6.0"))
    );
    assert!(
        failures[0]["message"]
            .as_str()
            .is_some_and(|m| m.contains("field-removed"))
    );
    // Without histories there is nothing to gate on.
    let (code, _) = run(&["--format", "json", "--fail-on-breaking", "--no-history"]);
    assert_eq!(code, 0);
}

#[test]
fn histories_appear_in_sarif_junit_and_markdown() {
    let (_, sarif) = run(&["--format", "sarif"]);
    let sarif: Value = serde_json::from_str(&sarif).expect("sarif");
    let results = sarif["runs"][0]["results"].as_array().expect("results");
    let upgrade: Vec<(&str, &str, u64)> = results
        .iter()
        .filter(|r| {
            r["ruleId"]
                .as_str()
                .is_some_and(|id| id.starts_with("upgrade/") || id.starts_with("upgrade-graph/"))
        })
        .map(|r| {
            (
                r["ruleId"].as_str().unwrap_or(""),
                r["level"].as_str().unwrap_or(""),
                r["locations"][0]["physicalLocation"]["region"]["startLine"]
                    .as_u64()
                    .unwrap_or(0),
            )
        })
        .collect();
    assert_eq!(
        upgrade,
        [
            ("upgrade/field-removed", "error", 38),
            ("upgrade-graph/version-skipped", "warning", 4)
        ]
    );

    let (_, junit) = run(&["--format", "junit"]);
    let suite = junit
        .split("<testsuite ")
        .find(|s| s.starts_with("name=\"history demo-operator"))
        .expect("a history testsuite");
    assert!(suite.contains("tests=\"3\""), "{suite}");
    assert!(suite.contains("failures=\"2\""), "{suite}");
    assert!(
        suite.contains("type=\"breaking-upgrade\">fixtures/upgrade/history/operators/demo-operator/1.6.0/manifests/demo.example.com_cacheclusters.yaml:38 field-removed"),
        "{suite}"
    );

    let (_, markdown) = run(&["--format", "markdown"]);
    assert!(markdown.contains("### Histories"), "{markdown}");
    assert!(markdown.contains("| 1.6.0 | I basic-install | overclaimed | IV IV I I | 1 | 1 | 1 |"));
    assert!(
        markdown.contains(
            "- `demo-operator` 1.6.0: 1 breaking CRD change(s) from 1.5.0 (field-removed)"
        )
    );
}
