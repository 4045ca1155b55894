//! The command line end to end: exit codes, formats, rule files.

mod common;
use common::{copy_dir, finding};

use assert_cmd::Command;
use predicates::prelude::*;
use std::path::Path;

fn caplevel() -> Command {
    let mut cmd = Command::cargo_bin("caplevel").unwrap();
    cmd.current_dir(env!("CARGO_MANIFEST_DIR"));
    cmd
}

const GOOD: &str = "fixtures/rules/csv-install-deployment/pass";

#[test]
fn analyzes_a_bundle_as_a_table() {
    caplevel()
        .args(["analyze", GOOD])
        .assert()
        .success()
        .stdout(predicate::str::contains("csv-install-deployment/pass"))
        .stdout(predicate::str::contains("1 target(s)"));
}

#[test]
fn analyze_is_the_default_command() {
    caplevel()
        .arg(GOOD)
        .assert()
        .success()
        .stdout(predicate::str::contains("target"));
}

#[test]
fn json_report_has_the_documented_shape() {
    let out = caplevel()
        .args(["analyze", GOOD, "--format", "json"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["schema_version"], "4");
    let t = &v["targets"][0];
    for key in [
        "path",
        "kind",
        "name",
        "version",
        "declared",
        "evidenced",
        "verdict",
        "grade",
        "phases",
        "findings",
        "diagnostics",
    ] {
        assert!(t.get(key).is_some(), "missing {key}");
    }
    assert_eq!(t["kind"], "bundle");
    assert_eq!(t["declared"], "basic-install");
    for phase in [
        "basic-install",
        "seamless-upgrades",
        "full-lifecycle",
        "deep-insights",
        "auto-pilot",
    ] {
        assert!(t["phases"][phase]["coverage"].is_number(), "{phase}");
    }
    let f = &t["findings"][0];
    for key in ["rule", "phase", "status", "weight", "message", "evidence"] {
        assert!(f.get(key).is_some(), "finding lacks {key}");
    }
}

#[test]
fn verbose_table_lists_failed_evidence_with_file_and_line() {
    caplevel()
        .args([
            "analyze",
            "fixtures/rules/csv-install-deployment/fail",
            "--verbose",
        ])
        .assert()
        .success()
        .stdout(predicate::str::contains("FAIL"))
        .stdout(predicate::str::contains(
            "demo-operator.clusterserviceversion.yaml:",
        ));
}

#[test]
fn nothing_found_is_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("README.md"), "hello").unwrap();
    caplevel()
        .arg("analyze")
        .arg(dir.path())
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "no bundle, chart or Kubernetes manifest found",
        ));
}

#[test]
fn missing_path_is_exit_2() {
    caplevel()
        .args(["analyze", "does/not/exist"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("does/not/exist"));
}

#[test]
fn bad_flag_is_exit_2() {
    caplevel()
        .args(["analyze", GOOD, "--format", "xml"])
        .assert()
        .code(2);
}

#[test]
fn malformed_file_is_exit_1_with_a_located_diagnostic() {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(
        Path::new(env!("CARGO_MANIFEST_DIR")).join(GOOD).as_path(),
        dir.path(),
    );
    std::fs::write(
        dir.path().join("manifests/broken.yaml"),
        "kind: ConfigMap\n  bad: [\n",
    )
    .unwrap();
    caplevel()
        .arg("analyze")
        .arg(dir.path())
        .assert()
        .code(1)
        .stderr(predicate::str::contains("broken.yaml:2"));
}

fn write_rule_file(dir: &Path, body: &str) -> std::path::PathBuf {
    let path = dir.join("my-rules.yaml");
    std::fs::write(&path, body).unwrap();
    path
}

#[test]
fn user_rules_are_added_and_evaluated() {
    let dir = tempfile::tempdir().unwrap();
    let rules = write_rule_file(
        dir.path(),
        "rules:\n  - id: team-has-icon\n    phase: basic-install\n    title: The CSV has an icon\n    weight: 1\n    applies-to: [bundle]\n    select: {kind: ClusterServiceVersion}\n    expect: has(object.spec.icon)\n    rationale: r\n    remediation: add one\n",
    );
    let out = caplevel()
        .args(["analyze", GOOD, "--format", "json", "--rules"])
        .arg(&rules)
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let f = finding(&v["targets"][0], "team-has-icon");
    assert_eq!(f["status"], "fail");
}

#[test]
fn named_patterns_evaluate_as_their_text() {
    // Each rule twice: once with the regex written out, once reading a
    // user pattern or a built-in one (`scaffoldDomainUrl`); every pair
    // judges each fixture alike.
    let dir = tempfile::tempdir().unwrap();
    let rule = |id: &str, expect: &str| {
        format!(
            "  - id: {id}\n    phase: basic-install\n    title: t\n    weight: 1\n    applies-to: [bundle]\n    select: {{kind: ClusterServiceVersion}}\n    expect: >-\n      {expect}\n    rationale: r\n    remediation: x\n"
        )
    };
    let links = "object.spec.?links.orValue([]).exists(l, l.url.matches(";
    let body = [
        "patterns:\n  demoLink:\n    pattern: '^https://demo-operator\\.'\n    doc: a link to the demo operator's host\nrules:\n".to_string(),
        rule("mine-literal", &format!("{links}'^https://demo-operator\\\\.'))")),
        rule("mine-named", &format!("{links}patterns.demoLink))")),
        rule(
            "links-literal",
            &format!("{links}'^https?://([^/:]+\\\\.)?domain(:[0-9]+)?(/.*)?$'))"),
        ),
        rule("links-named", &format!("{links}patterns.scaffoldDomainUrl))")),
    ]
    .concat();
    let rules = write_rule_file(dir.path(), &body);
    let mut seen = std::collections::BTreeSet::new();
    for fixture in [
        GOOD,
        "fixtures/rules/csv-listing-contacts/fail-scaffold-link",
    ] {
        let out = caplevel()
            .args(["analyze", fixture, "--format", "json", "--rules"])
            .arg(&rules)
            .output()
            .unwrap();
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        let status = |id: &str| finding(&v["targets"][0], id)["status"].clone();
        for pair in ["mine", "links"] {
            let named = status(&format!("{pair}-named"));
            assert_eq!(
                status(&format!("{pair}-literal")),
                named,
                "{pair} on {fixture}"
            );
            seen.insert((pair, named.as_str().unwrap().to_string()));
        }
    }
    // Both outcomes of each pair were seen: the patterns were read.
    for pair in ["mine", "links"] {
        for status in ["pass", "fail"] {
            assert!(
                seen.contains(&(pair, status.to_string())),
                "{pair} {status}: {seen:?}"
            );
        }
    }
}

#[test]
fn invalid_rule_files_are_exit_2_naming_file_and_line() {
    let dir = tempfile::tempdir().unwrap();
    let cases = [
        // unknown field
        (
            "rules:\n  - id: a-b\n    phase: basic-install\n    title: t\n    weight: 1\n    applies-to: [bundle]\n    expect: 'true'\n    rationale: r\n    remediation: x\n    colour: red\n",
            "colour",
        ),
        // unknown phase
        (
            "rules:\n  - id: a-b\n    phase: level-six\n    title: t\n    weight: 1\n    applies-to: [bundle]\n    expect: 'true'\n    rationale: r\n    remediation: x\n",
            "level-six",
        ),
        // CEL that does not compile
        (
            "rules:\n  - id: a-b\n    phase: basic-install\n    title: t\n    weight: 1\n    applies-to: [bundle]\n    expect: 'object.(('\n    rationale: r\n    remediation: x\n",
            ":7",
        ),
        // unknown variable
        (
            "rules:\n  - id: a-b\n    phase: basic-install\n    title: t\n    weight: 1\n    applies-to: [bundle]\n    select: {kind: Pod}\n    expect: 'objekt.spec.x'\n    rationale: r\n    remediation: x\n",
            "objekt",
        ),
        // unknown function
        (
            "rules:\n  - id: a-b\n    phase: basic-install\n    title: t\n    weight: 1\n    applies-to: [bundle]\n    expect: 'frobnicate(pkg)'\n    rationale: r\n    remediation: x\n",
            "frobnicate",
        ),
        // unknown named pattern, a pattern defined twice, a pattern that is no regex
        (
            "rules:\n  - id: a-b\n    phase: basic-install\n    title: t\n    weight: 1\n    applies-to: [bundle]\n    expect: \"'x'.matches(patterns.nope)\"\n    rationale: r\n    remediation: x\n",
            "my-rules.yaml:7: rule `a-b`: expect: unknown pattern `nope` (defined: ",
        ),
        (
            "patterns:\n  placementKey:\n    pattern: a\n    doc: d\n",
            "my-rules.yaml:2: pattern `placementKey` is already defined at builtin:rules/patterns.yaml:",
        ),
        (
            "patterns:\n  broken:\n    doc: d\n    pattern: '(a'\n",
            "my-rules.yaml:4: pattern `broken`: invalid regex '(a'",
        ),
    ];
    for (body, needle) in cases {
        let rules = write_rule_file(dir.path(), body);
        caplevel()
            .args(["analyze", GOOD, "--rules"])
            .arg(&rules)
            .assert()
            .code(2)
            .stderr(predicate::str::contains("my-rules.yaml:"))
            .stderr(predicate::str::contains(needle));
    }
}

#[test]
fn duplicate_rule_id_is_rejected() {
    let dir = tempfile::tempdir().unwrap();
    let rules = write_rule_file(
        dir.path(),
        "rules:\n  - id: csv-install-deployment\n    phase: basic-install\n    title: t\n    weight: 1\n    applies-to: [bundle]\n    expect: 'true'\n    rationale: r\n    remediation: x\n",
    );
    caplevel()
        .args(["analyze", GOOD, "--rules"])
        .arg(&rules)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("already defined"));
}

#[test]
fn rules_command_lists_json_items() {
    let out = caplevel()
        .args(["rules", "--format", "json", "--phase", "basic-install"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let items = v.as_array().unwrap();
    assert!(!items.is_empty());
    for item in items {
        assert_eq!(item["phase"], "basic-install");
        for key in ["id", "title", "weight", "applies-to"] {
            assert!(item.get(key).is_some(), "{key}");
        }
    }
}

#[test]
fn unknown_phase_is_exit_2() {
    caplevel()
        .args(["rules", "--phase", "level-six"])
        .assert()
        .code(2);
}

#[test]
fn schema_rules_is_json_schema() {
    let out = caplevel().args(["schema", "rules"]).output().unwrap();
    assert!(out.status.success());
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(v["$schema"].as_str().unwrap().contains("json-schema"));
    assert!(v.to_string().contains("applies-to"));
}

#[test]
fn pre_commit_hooks_and_action_use_valid_command_lines() {
    use caplevel::cli::Cli;
    use clap::Parser;
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let hooks = std::fs::read(root.join(".pre-commit-hooks.yaml")).unwrap();
    let parsed = caplevel::yaml::parse_bytes(&hooks, &Default::default());
    assert!(parsed.issues.is_empty(), "{:?}", parsed.issues);
    let list = parsed.documents[0].root.as_seq().unwrap();
    assert!(!list.is_empty());
    for hook in list {
        let entry = hook.get("entry").and_then(|e| e.as_str()).unwrap();
        let mut argv: Vec<String> = entry.split_whitespace().map(str::to_string).collect();
        for a in hook
            .get("args")
            .and_then(|a| a.as_seq())
            .unwrap_or_default()
        {
            argv.push(a.scalar_text().unwrap());
        }
        assert_eq!(argv[0], "caplevel");
        Cli::try_parse_from(&argv).unwrap_or_else(|e| panic!("{argv:?}: {e}"));
    }
    let action = std::fs::read(root.join("action.yml")).unwrap();
    let parsed = caplevel::yaml::parse_bytes(&action, &Default::default());
    assert!(parsed.issues.is_empty(), "{:?}", parsed.issues);
    let steps = parsed.documents[0]
        .root
        .path("runs.steps")
        .and_then(|s| s.as_seq())
        .unwrap();
    let step = |field: &str, value: &str| {
        steps
            .iter()
            .find(|s| s.get(field).and_then(|v| v.as_str()) == Some(value))
            .unwrap_or_else(|| panic!("no step with {field} {value}"))
    };
    let run = step("id", "run")
        .get("run")
        .and_then(|r| r.as_str())
        .unwrap();
    // The build is cached, and made with the lock file when it is not.
    assert_eq!(
        step("id", "cache").get("uses").and_then(|u| u.as_str()),
        Some("actions/cache@v4")
    );
    let build = step("name", "Build caplevel");
    assert!(
        build
            .get("run")
            .and_then(|r| r.as_str())
            .unwrap()
            .contains("cargo install --locked")
    );
    assert!(
        build
            .get("if")
            .and_then(|r| r.as_str())
            .unwrap()
            .contains("cache-hit")
    );
    assert!(run.contains("analyze") && run.contains("--output \"sarif="));
    Cli::try_parse_from([
        "caplevel",
        "analyze",
        ".",
        "--output",
        "sarif=caplevel.sarif",
        "--output",
        "markdown=x.md",
    ])
    .unwrap();
}

/// `cases.txt` flags split as the shell would (whitespace, `'…'` and
/// `"…"` quoting; enough for the cases written there).
fn shell_words(line: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut cur = String::new();
    let mut quote: Option<char> = None;
    let mut in_word = false;
    for c in line.chars() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), c) => cur.push(c),
            (None, '\'' | '"') => {
                quote = Some(c);
                in_word = true;
            }
            (None, c) if c.is_whitespace() => {
                if in_word {
                    words.push(std::mem::take(&mut cur));
                    in_word = false;
                }
            }
            (None, c) => {
                cur.push(c);
                in_word = true;
            }
        }
    }
    if in_word {
        words.push(cur);
    }
    words
}

/// Every case of every golden folder: `caplevel render chart <flags>` run
/// in the folder prints exactly what `helm template release-name chart
/// <flags>` printed (see fixtures/helm-golden/README.md).
#[test]
fn render_prints_what_real_helm_printed() {
    let golden = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/helm-golden");
    let mut n = 0;
    for entry in std::fs::read_dir(&golden)
        .unwrap()
        .flatten()
        .filter(|e| e.path().is_dir())
    {
        let dir = entry.path();
        let cases = std::fs::read_to_string(dir.join("cases.txt")).unwrap();
        for line in cases.lines() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let mut words = shell_words(line);
            let expected_file = words.remove(0);
            let expected = std::fs::read_to_string(dir.join(&expected_file)).unwrap();
            let out = caplevel()
                .current_dir(&dir)
                .args(["render", "chart"])
                .args(&words)
                .output()
                .unwrap();
            if expected_file.ends_with(".err") {
                // Helm refused the chart: the same Go error, at the same
                // template, line, column and node, is a diagnostic here.
                let want = go_error(&expected);
                let stderr = String::from_utf8_lossy(&out.stderr);
                // A rendered document Helm's manifest sorter refused after
                // go-yaml read it (JSON cannot hold it, a head field of the
                // wrong type): the same message, on the same template.
                let refused = want
                    .strip_prefix("YAML parse error on ")
                    .filter(|_| !want.contains(GO_YAML_ERROR))
                    .and_then(|rest| rest.split_once(": "));
                if let Some((context, message)) = want.split_once(GO_YAML_ERROR).or(refused) {
                    // go-yaml refused a file: caplevel says so, in go-yaml's
                    // words, on the same file (a rendered document is a
                    // warning: the manifests still print, as with helm's
                    // --debug; a values file an error).
                    let file = context
                        .split([' ', ':'])
                        .find(|w| w.ends_with(".yaml"))
                        .expect("the file go-yaml read");
                    let file = file.rsplit('/').next().unwrap_or(file);
                    assert!(
                        stderr
                            .lines()
                            .any(|l| l.contains(file) && l.contains(message)),
                        "{} {expected_file}: want {file} and {message:?} in {stderr}",
                        dir.display()
                    );
                    n += 1;
                    continue;
                }
                assert!(
                    !out.status.success() && stderr.contains(&want),
                    "{} {expected_file}: want {want:?} in {stderr}",
                    dir.display()
                );
                // values.schema.json: each violation helm lists under its
                // chart (`CHART:` then `- at '/path': …`) is reported too.
                let mut chart = "";
                for line in expected.lines() {
                    if let Some(path) = line.strip_prefix("- at '") {
                        let path = &path[..path.find('\'').unwrap_or(path.len())];
                        let want = format!("{chart}: at '{path}'");
                        assert!(
                            stderr.contains(&want),
                            "{expected_file}: {want:?} in {stderr}"
                        );
                    } else if let Some(name) = line.strip_suffix(':') {
                        chart = name;
                    }
                }
                n += 1;
                continue;
            }
            assert_eq!(
                String::from_utf8(out.stdout).unwrap(),
                expected,
                "{} {expected_file}: {}",
                dir.display(),
                String::from_utf8_lossy(&out.stderr)
            );
            n += 1;
        }
    }
    assert!(n >= 8, "{n} cases");
}

/// How Helm (`sigs.k8s.io/yaml`) wraps go-yaml's errors.
const GO_YAML_ERROR: &str = "error converting YAML to JSON: yaml: ";

/// The Go error in what `helm template` printed on refusing a chart. Helm
/// splits an execution error over three lines (`Error: LOC` / `executing
/// "T" at <NODE>:` / `MESSAGE`); Go's own text is
/// `template: LOC: executing "T" at <NODE>: MESSAGE`, as caplevel reports it.
fn go_error(helm_stderr: &str) -> String {
    let lines: Vec<&str> = helm_stderr
        .lines()
        .skip_while(|l| !l.starts_with("Error: "))
        .collect();
    let first = lines
        .first()
        .expect("an Error: line")
        .trim_start_matches("Error: ");
    match (lines.get(1), lines.get(2)) {
        (Some(exec), Some(msg)) if exec.trim_start().starts_with("executing ") => {
            format!("template: {first}: {} {}", exec.trim(), msg.trim())
        }
        _ => first.to_owned(),
    }
}

#[test]
fn render_flags_and_errors() {
    let chart = "fixtures/helm-golden/hello-world/chart";
    caplevel()
        .args([
            "render",
            chart,
            "--release-name",
            "demo",
            "--namespace",
            "prod",
            "--kube-version",
            "v1.30.0",
        ])
        .assert()
        .success()
        .stdout(predicate::str::contains("name: demo-hello-world"));
    caplevel()
        .args(["render", chart, "--set", "replicaCount=3"])
        .assert()
        .success()
        .stdout(predicate::str::contains("replicas: 3"));
    caplevel()
        .args(["render", chart, "--profile", "nope"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("no profile"));
    caplevel()
        .args(["render", "no/such/chart"])
        .assert()
        .code(2);
}

#[test]
fn analyze_takes_helm_values() {
    let dir = tempfile::tempdir().unwrap();
    let values = dir.path().join("v.yaml");
    std::fs::write(&values, "replicaCount: 7\n").unwrap();
    // The user's values reach the rendered objects that rules see.
    let rules = dir.path().join("r.yaml");
    std::fs::write(
        &rules,
        "rules:\n  - id: t-seven\n    phase: basic-install\n    title: seven replicas\n    weight: 1\n    applies-to: [chart]\n    select: {kind: Deployment}\n    expect: object.spec.replicas == 7\n    rationale: r\n    remediation: x\n",
    )
    .unwrap();
    let out = caplevel()
        .args([
            "analyze",
            "fixtures/helm-golden/hello-world/chart",
            "--format",
            "json",
            "-f",
        ])
        .arg(&values)
        .arg("--rules")
        .arg(&rules)
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let f = finding(&v["targets"][0], "t-seven");
    assert_eq!(f["status"], "pass");
    assert!(
        f["evidence"][0]["file"]
            .as_str()
            .unwrap()
            .ends_with("templates/deployment.yaml")
    );
}

#[test]
fn a_failed_template_still_shows_the_kinds_of_its_text() {
    // The HPA template fails (`required` with no default); the Deployment renders.
    let dir = tempfile::tempdir().unwrap();
    let rules = dir.path().join("r.yaml");
    std::fs::write(
        &rules,
        "rules:\n  - id: t-objects-hpa\n    phase: basic-install\n    title: an HPA among objects\n    weight: 1\n    applies-to: [chart]\n    expect: objects.exists(o, o.kind == 'HorizontalPodAutoscaler')\n    rationale: r\n    remediation: x\n",
    )
    .unwrap();
    let out = caplevel()
        .args([
            "analyze",
            "fixtures/charts/failing-hpa",
            "--format",
            "json",
            "--rules",
        ])
        .arg(&rules)
        .output()
        .unwrap();
    // The failed template is an error diagnostic (exit 1), located as Helm does.
    assert_eq!(out.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let t = &v["targets"][0];
    let diags = t["diagnostics"].as_array().unwrap();
    assert!(
        diags.iter().any(
            |d| d["file"].as_str().unwrap().ends_with("templates/hpa.yaml")
                && d["line"] == 12
                && d["message"]
                    .as_str()
                    .unwrap()
                    .contains("autoscaling.maxReplicas is required")
        ),
        "{diags:?}"
    );
    // The HPA exists, read from the template's `kind:` line.
    let hpa = finding(t, "chart-hpa");
    assert_eq!(hpa["status"], "pass", "{hpa}");
    let e = &hpa["evidence"][0];
    assert!(e["file"].as_str().unwrap().ends_with("templates/hpa.yaml"));
    assert_eq!(e["line"], 3);
    assert_eq!(e["kind"], "HorizontalPodAutoscaler");
    assert!(
        e["note"].as_str().unwrap().contains("failed to render"),
        "{e}"
    );
    // Its fields are unknown: a rule judging them does not apply, and CEL
    // `objects` does not hold it.
    assert_eq!(finding(t, "chart-hpa-tuned")["status"], "not-applicable");
    assert_eq!(finding(t, "t-objects-hpa")["status"], "fail");
    // The rest renders: the Deployment is judged as usual, from its own text.
    let selector = finding(t, "chart-selector-stable");
    assert_eq!(selector["status"], "pass", "{selector}");
    let e = &selector["evidence"][0];
    assert!(
        e["file"]
            .as_str()
            .unwrap()
            .ends_with("templates/deployment.yaml")
    );
    assert!(e.get("note").is_none_or(|n| n.is_null()), "{e}");
}

/// A chart rule about Chart.yaml points at the key its `locate` names, and
/// at line 1 when the key is missing.
#[test]
fn chart_package_evidence_points_at_the_located_key() {
    let out = caplevel()
        .args([
            "analyze",
            "fixtures/rules/chart-kube-version/pass",
            "--format",
            "json",
        ])
        .output()
        .unwrap();
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let target = &report["targets"][0];
    let text = std::fs::read_to_string("fixtures/rules/chart-kube-version/pass/Chart.yaml")
        .or_else(|_| {
            std::fs::read_to_string(
                Path::new(env!("CARGO_MANIFEST_DIR"))
                    .join("fixtures/rules/chart-kube-version/pass/Chart.yaml"),
            )
        })
        .unwrap();
    let line_of = |key: &str| {
        text.lines()
            .position(|l| l.starts_with(key))
            .map(|i| i as u64 + 1)
            .unwrap()
    };
    let line = |rule: &str| finding(target, rule)["evidence"][0]["line"].as_u64();
    assert_eq!(line("chart-kube-version"), Some(line_of("kubeVersion:")));
    // The rule judges the whole metadata, apiVersion first: its line, not
    // `version:` (a failure about apiVersion pointed at the version line).
    assert_eq!(
        line("chart-metadata-complete"),
        Some(line_of("apiVersion:"))
    );
    // No annotations in this Chart.yaml: the rule that locates them fails at line 1.
    assert_eq!(
        finding(target, "chart-changelog-annotation")["status"],
        "fail"
    );
    assert_eq!(line("chart-changelog-annotation"), Some(1));
}

#[test]
fn a_chart_helm_rejects_is_located_diagnostics_and_the_rest_is_assessed() {
    // Real helm refuses fixtures/charts/helm-rejects for each of: a
    // dependency not vendored, a `required` value missing, rendered text
    // that is not YAML, a template that does not parse, a field of a
    // missing value, values that break values.schema.json. Each is a
    // diagnostic at its file and line; the Deployment is still judged.
    let dir = tempfile::tempdir().unwrap();
    let rules = dir.path().join("r.yaml");
    std::fs::write(
        &rules,
        "rules:\n  - id: t-two-replicas\n    phase: basic-install\n    title: the web Deployment has two replicas\n    weight: 1\n    applies-to: [chart]\n    expect: objects.exists(o, o.kind == 'Deployment' && o.spec.replicas == 2)\n    rationale: r\n    remediation: x\n",
    )
    .unwrap();
    let out = caplevel()
        .args([
            "analyze",
            "fixtures/charts/helm-rejects",
            "--format",
            "json",
            "--rules",
        ])
        .arg(&rules)
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let t = &v["targets"][0];
    let diags = t["diagnostics"].as_array().unwrap();
    let at = |file: &str, line: u64, text: &str| {
        assert!(
            diags
                .iter()
                .any(|d| d["file"].as_str().unwrap().ends_with(file)
                    && d["line"] == line
                    && d["message"].as_str().unwrap().contains(text)),
            "no diagnostic at {file}:{line} with {text:?}: {diags:#?}"
        );
    };
    at("Chart.yaml", 6, "not-vendored");
    at("templates/fails.yaml", 6, "password is required");
    at("templates/unparsable.yaml", 6, "parse error");
    at(
        "templates/nil-field.yaml",
        7,
        "nil-field.yaml:7:18: executing \"helm-rejects/templates/nil-field.yaml\" at <.Values.tls.cert>: nil pointer evaluating interface {}.cert",
    );
    at("values.yaml", 1, "at '/replicas'");
    assert!(
        diags.iter().any(|d| d["file"]
            .as_str()
            .unwrap()
            .ends_with("templates/bad-yaml.yaml")
            && d["line"].as_u64().is_some_and(|l| (6..=7).contains(&l))),
        "{diags:#?}"
    );
    assert_eq!(finding(t, "t-two-replicas")["status"], "pass");
    // `render` prints what did render and names each problem on stderr.
    let out = caplevel()
        .args(["render", "fixtures/charts/helm-rejects"])
        .output()
        .unwrap();
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(stdout.contains("# Source: helm-rejects/templates/deployment.yaml"));
    let stderr = String::from_utf8(out.stderr).unwrap();
    for file in ["fails.yaml:6", "unparsable.yaml:6", "Chart.yaml:6"] {
        assert!(stderr.contains(file), "{file}: {stderr}");
    }
}

/// A rule's `note` is read where `expect` met the object, on its first
/// rendering or on another profile's alike: a note that cannot be evaluated
/// is the object's error there too, never a message text.
#[test]
fn a_note_is_judged_alike_on_every_rendering() {
    let dir = tempfile::tempdir().unwrap();
    let chart = dir.path().join("chart");
    std::fs::create_dir_all(chart.join("templates")).unwrap();
    std::fs::write(
        chart.join("Chart.yaml"),
        "apiVersion: v2\nname: toggled\nversion: 0.1.0\n",
    )
    .unwrap();
    std::fs::write(chart.join("values.yaml"), "scaling:\n  enabled: false\n").unwrap();
    std::fs::write(
        chart.join("templates/deployment.yaml"),
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: toggled\nspec:\n{{- if .Values.scaling.enabled }}\n  replicas: 7\n{{- end }}\n  selector:\n    matchLabels: {app: toggled}\n  template:\n    metadata:\n      labels: {app: toggled}\n    spec:\n      containers:\n        - name: app\n          image: example/app:1.0\n",
    )
    .unwrap();
    let run = |note: &str| {
        let rules = dir.path().join("r.yaml");
        std::fs::write(
            &rules,
            format!("rules:\n  - id: t-seven\n    phase: basic-install\n    title: seven replicas\n    weight: 1\n    applies-to: [chart]\n    select: {{kind: Deployment}}\n    expect: has(object.spec.replicas) && object.spec.replicas == 7\n    note: {note}\n    rationale: r\n    remediation: x\n"),
        )
        .unwrap();
        let out = caplevel()
            .args(["analyze", "--format", "json", "--rules"])
            .arg(&rules)
            .arg(&chart)
            .output()
            .unwrap();
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        finding(&v["targets"][0], "t-seven").clone()
    };
    // Met only with the toggle on: the note names what it met.
    let f = run("\"'seven of them'\"");
    assert_eq!(f["status"], "pass", "{f}");
    assert!(
        f["message"].as_str().unwrap().contains("seven of them"),
        "{f}"
    );
    assert_eq!(f["evidence"][0]["profile"], "features-on", "{f}");
    // A note that is no string is an error of the rule on that object.
    let f = run("object.spec.replicas");
    assert_eq!(f["status"], "error", "{f}");
    assert!(
        f["evidence"][0]["note"]
            .as_str()
            .unwrap()
            .contains("not a string"),
        "{f}"
    );
}
