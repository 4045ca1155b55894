//! Hostile input: each case ends with a diagnostic naming the file (never a
//! panic, a hang or unbounded memory), and the other targets of the same run
//! are still assessed. Inputs are generated here, not committed.

mod common;
use common::copy_dir;

use caplevel::diag::Severity;
use caplevel::report::{Report, TargetReport};
use caplevel::{Options, analyze};
use std::path::PathBuf;

const GOOD: &str = "fixtures/rules/csv-install-deployment/pass";

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A run over two bundles: a good one and one with `file` written into its
/// manifests. Returns the report and the bad target.
fn run_with_bad_file(name: &str, bytes: &[u8]) -> (Report, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(&root().join(GOOD), &dir.path().join("good"));
    copy_dir(&root().join(GOOD), &dir.path().join("bad"));
    std::fs::write(dir.path().join("bad/manifests").join(name), bytes).unwrap();
    let report =
        analyze(&[dir.path().to_path_buf()], &Options::default()).expect("the run completes");
    (report, dir)
}

fn target<'a>(report: &'a Report, suffix: &str) -> &'a TargetReport {
    report
        .targets
        .iter()
        .find(|t| t.path.ends_with(suffix))
        .unwrap()
}

/// The bad bundle has an error diagnostic naming `file`; the good one is
/// assessed normally and the bad one still has findings.
fn assert_contained(report: &Report, file: &str, needle: &str) {
    let bad = target(report, "bad");
    let d = bad
        .diagnostics
        .iter()
        .find(|d| d.file.as_deref().is_some_and(|f| f.ends_with(file)))
        .unwrap_or_else(|| panic!("no diagnostic for {file}: {:?}", bad.diagnostics));
    assert_eq!(d.severity, Severity::Error, "{d}");
    assert!(d.message.to_lowercase().contains(needle), "{d}");
    assert!(
        bad.findings
            .iter()
            .any(|f| f.rule == "csv-install-deployment")
    );
    let good = target(report, "good");
    assert!(good.diagnostics.is_empty(), "{:?}", good.diagnostics);
    assert!(!good.findings.is_empty());
}

#[test]
fn yaml_alias_bomb() {
    let mut text = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
    for i in 1..30 {
        let p = i - 1;
        text.push_str(&format!(
            "a{i}: &a{i} [*a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}]\n"
        ));
    }
    let (report, _dir) = run_with_bad_file("bomb.yaml", text.as_bytes());
    assert_contained(&report, "bomb.yaml", "alias");
}

#[test]
fn very_deep_nesting() {
    let text = format!(
        "kind: ConfigMap\ndata: {}{}\n",
        "[".repeat(100_000),
        "]".repeat(100_000)
    );
    let (report, _dir) = run_with_bad_file("deep.yaml", text.as_bytes());
    assert_contained(&report, "deep.yaml", "");
    let block: String = (0..5_000)
        .map(|i| format!("{}- \n", "  ".repeat(i)))
        .collect();
    let (report, _dir) = run_with_bad_file("deep-block.yaml", block.as_bytes());
    assert_contained(&report, "deep-block.yaml", "");
}

#[test]
fn very_large_file() {
    // Just over the default 16 MiB limit: refused before it is read.
    let line = "# padding padding padding padding padding padding padding padding\n";
    let text = line.repeat(16 * 1024 * 1024 / line.len() + 10);
    let (report, _dir) = run_with_bad_file("huge.yaml", text.as_bytes());
    assert_contained(&report, "huge.yaml", "limit");
}

#[test]
fn invalid_utf8_and_nul_bytes() {
    let (report, _dir) =
        run_with_bad_file("latin1.yaml", b"kind: ConfigMap\ndata:\n  name: caf\xe9\n");
    assert_contained(&report, "latin1.yaml", "utf-8");
    let (report, _dir) = run_with_bad_file("nul.yaml", b"kind: ConfigMap\x00\ndata: {}\n");
    assert_contained(&report, "nul.yaml", "nul");
}

#[test]
fn csv_that_is_a_list() {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(&root().join(GOOD), &dir.path().join("bad"));
    copy_dir(&root().join(GOOD), &dir.path().join("good"));
    std::fs::write(
        dir.path()
            .join("bad/manifests/demo-operator.clusterserviceversion.yaml"),
        "- apiVersion: operators.coreos.com/v1alpha1\n- kind: ClusterServiceVersion\n",
    )
    .unwrap();
    let report = analyze(&[dir.path().to_path_buf()], &Options::default()).unwrap();
    let bad = target(&report, "bad");
    assert!(
        bad.diagnostics
            .iter()
            .any(|d| d.message.contains("not a Kubernetes object")),
        "{:?}",
        bad.diagnostics
    );
    assert!(
        bad.diagnostics.iter().any(
            |d| d.severity == Severity::Error && d.message.contains("no ClusterServiceVersion")
        )
    );
    assert_eq!(bad.declared, None);
    assert!(target(&report, "good").diagnostics.is_empty());
}

#[test]
fn alm_examples_not_json_and_capabilities_not_a_level() {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(&root().join(GOOD), &dir.path().join("b"));
    let csv = dir
        .path()
        .join("b/manifests/demo-operator.clusterserviceversion.yaml");
    let text = std::fs::read_to_string(&csv).unwrap().replace(
        "    capabilities: Basic Install\n",
        "    capabilities: Level 9000\n    alm-examples: '[{not json'\n",
    );
    std::fs::write(&csv, text).unwrap();
    let report = analyze(&[dir.path().to_path_buf()], &Options::default()).unwrap();
    let t = &report.targets[0];
    assert_eq!(t.declared, None);
    assert_eq!(t.declared_raw.as_deref(), Some("Level 9000"));
    assert_eq!(t.verdict, caplevel::score::Verdict::Undeclared);
    let cap = t
        .findings
        .iter()
        .find(|f| f.rule == "capabilities-declared")
        .unwrap();
    assert_eq!(cap.status, caplevel::finding::Status::Fail);
    assert!(cap.message.contains("Level 9000"), "{}", cap.message);
    let d = t
        .diagnostics
        .iter()
        .find(|d| d.message.contains("alm-examples"))
        .unwrap();
    assert!(
        d.file
            .as_deref()
            .unwrap()
            .ends_with(".clusterserviceversion.yaml")
    );
    assert_eq!(d.line, Some(7));
}

#[cfg(unix)]
#[test]
fn symlink_loops_are_not_followed() {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(&root().join(GOOD), &dir.path().join("b"));
    std::os::unix::fs::symlink(dir.path(), dir.path().join("b/manifests/loop")).unwrap();
    std::os::unix::fs::symlink(dir.path().join("b"), dir.path().join("again")).unwrap();
    std::os::unix::fs::symlink("/etc", dir.path().join("b/outside")).unwrap();
    let report = analyze(&[dir.path().to_path_buf()], &Options::default()).unwrap();
    assert_eq!(
        report.targets.len(),
        1,
        "{:?}",
        report.targets.iter().map(|t| &t.path).collect::<Vec<_>>()
    );
}

#[test]
fn limits_are_settable() {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(&root().join(GOOD), &dir.path().join("b"));
    let mut options = Options::default();
    options.load.limits.max_file_bytes = 64;
    let report = analyze(&[dir.path().to_path_buf()], &options).unwrap();
    assert!(
        report.targets[0]
            .diagnostics
            .iter()
            .any(|d| d.message.contains("over the limit of 64 bytes"))
    );
}

/// Inputs the fuzzers found once, kept so they stay fixed: each parses
/// without a panic and every position it reports lies inside the input.
#[test]
fn fuzz_regressions() {
    use caplevel::yaml::{Node, Value, parse_bytes};
    fn check(node: &Node, lines: u32) {
        assert!(
            node.pos.line >= 1 && node.pos.line <= lines,
            "line {} of {lines}",
            node.pos.line
        );
        match &node.value {
            Value::Seq(items) => items.iter().for_each(|n| check(n, lines)),
            Value::Map(map) => map.iter().for_each(|(_, n)| check(n, lines)),
            _ => {}
        }
    }
    let dir = root().join("fixtures/fuzz/yaml_loader");
    let mut n = 0;
    for entry in std::fs::read_dir(&dir).unwrap().flatten() {
        let data = std::fs::read(entry.path()).unwrap();
        let breaks = data
            .iter()
            .enumerate()
            .filter(|&(i, &b)| b == b'\n' || (b == b'\r' && data.get(i + 1) != Some(&b'\n')))
            .count();
        let parsed = parse_bytes(&data, &Default::default());
        for doc in &parsed.documents {
            check(&doc.root, breaks as u32 + 1);
        }
        n += 1;
    }
    assert!(n > 0);
    let dir = root().join("fixtures/fuzz/rule_file");
    for entry in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
        let text = String::from_utf8_lossy(&std::fs::read(entry.path()).unwrap()).into_owned();
        let _ = caplevel::rules::parse_rule_file("fuzz.yaml", &text);
    }
}
