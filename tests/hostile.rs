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

// ---------------------------------------------------------------------------
// Charts, through the command line: each hostile chart sits beside a good
// chart in one run; the run ends, the bad chart's diagnostic names its file,
// and the good chart is assessed as usual.

const GOOD_CHART: &[(&str, &str)] = &[
    ("Chart.yaml", "apiVersion: v2\nname: good\nversion: 1.0.0\n"),
    ("values.yaml", "replicaCount: 1\n"),
    (
        "templates/cm.yaml",
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}\ndata:\n  a: \"1\"\n",
    ),
];

fn write_chart(dir: &std::path::Path, files: &[(&str, &str)]) {
    for (name, text) in files {
        let path = dir.join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
}

/// A folder with the good chart and a chart `bad` made of `files`.
fn charts_with_bad(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    write_chart(&dir.path().join("good"), GOOD_CHART);
    write_chart(&dir.path().join("bad"), files);
    dir
}

/// A chart named `bad` whose one template is `template`.
fn chart_with_template(template: &str) -> tempfile::TempDir {
    charts_with_bad(&[
        ("Chart.yaml", "apiVersion: v2\nname: bad\nversion: 1.0.0\n"),
        ("templates/t.yaml", template),
    ])
}

/// Runs `caplevel analyze DIR --format json` with `extra` flags and returns
/// the JSON report (the run must end, with exit code 1 for the input errors).
fn analyze_cli(dir: &std::path::Path, extra: &[&str]) -> serde_json::Value {
    let out = assert_cmd::Command::cargo_bin("caplevel")
        .unwrap()
        .arg("analyze")
        .arg(dir)
        .args(["--format", "json"])
        .args(extra)
        .timeout(std::time::Duration::from_secs(120))
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("a JSON report")
}

/// The chart target whose path ends with `name`.
fn chart_target<'a>(report: &'a serde_json::Value, name: &str) -> &'a serde_json::Value {
    report["targets"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["path"].as_str().unwrap().ends_with(name))
        .unwrap_or_else(|| panic!("no target {name}"))
}

/// The chart `bad` has an error naming a file ending with `file` whose message
/// contains `needle`; the good chart has findings and no diagnostics.
fn assert_chart_contained(report: &serde_json::Value, bad: &str, file: &str, needle: &str) {
    let bad = chart_target(report, bad);
    let diags = bad["diagnostics"].as_array().unwrap();
    assert!(
        diags.iter().any(|d| d["severity"] == "error"
            && d["file"].as_str().is_some_and(|f| f.ends_with(file))
            && d["message"].as_str().unwrap().contains(needle)),
        "no error on {file} saying {needle:?}: {diags:#?}"
    );
    assert!(
        diags
            .iter()
            .all(|d| d["message"].as_str().unwrap().len() < 2100)
    );
    let good = chart_target(report, "good");
    assert_eq!(good["diagnostics"].as_array().unwrap().len(), 0, "{good:#}");
    assert!(!good["findings"].as_array().unwrap().is_empty());
    assert_eq!(good["kind"], "chart");
}

#[test]
fn chart_template_recursing_without_end() {
    let dir = chart_with_template(
        "{{- define \"loop\" }}{{ include \"loop\" . }}{{ end }}\nkind: ConfigMap\na: {{ include \"loop\" . }}\n",
    );
    let report = analyze_cli(dir.path(), &[]);
    assert_chart_contained(
        &report,
        "bad",
        "bad/templates/t.yaml",
        "nested reference name: loop",
    );
    // tpl calling itself: stopped at the same depth, message kept short.
    let dir = chart_with_template("{{- $t := \"{{ tpl .t . }}\" }}{{ tpl $t (dict \"t\" $t) }}\n");
    let report = analyze_cli(dir.path(), &["--max-include-depth", "100"]);
    assert_chart_contained(&report, "bad", "bad/templates/t.yaml", "bytes cut");
}

#[test]
fn chart_template_looping_over_huge_ranges() {
    let dir = chart_with_template(
        "{{- range until 100000 }}{{ range until 100000 }}{{ end }}{{ end }}\nkind: ConfigMap\n",
    );
    let report = analyze_cli(dir.path(), &["--max-range-iterations", "50000"]);
    assert_chart_contained(
        &report,
        "bad",
        "bad/templates/t.yaml",
        "range iteration budget",
    );
}

#[test]
fn chart_template_growing_text_without_end() {
    // A string doubled in a loop: stopped at the text limit, not at the
    // machine's memory.
    let dir = chart_with_template(
        "{{- $s := \"xxxxxxxx\" }}{{- range until 60 }}{{ $s = cat $s $s }}{{ end }}\nkind: ConfigMap\n",
    );
    let report = analyze_cli(dir.path(), &[]);
    assert_chart_contained(&report, "bad", "bad/templates/t.yaml", "over the limit of");
    // Output written without end.
    let dir = chart_with_template(
        "{{- $s := repeat 100000 \"xxxxxxxxxxxxxxxx\" }}{{- range until 100000 }}{{ $s }}{{ end }}\n",
    );
    let report = analyze_cli(dir.path(), &[]);
    assert_chart_contained(
        &report,
        "bad",
        "bad/templates/t.yaml",
        "output is over the limit",
    );
}

#[test]
fn chart_template_with_quadratic_work() {
    // append to a growing list: each call copies the list.
    let dir = chart_with_template(
        "{{- $l := list }}{{- range until 100000 }}{{ $l = append $l 1 }}{{ end }}\nkind: ConfigMap\n",
    );
    let report = analyze_cli(dir.path(), &["--max-render-steps", "1000000"]);
    assert_chart_contained(&report, "bad", "bad/templates/t.yaml", "render steps");
}

#[test]
fn chart_rendering_invalid_yaml() {
    let dir = chart_with_template("kind: ConfigMap\ndata: [unclosed\n  b: {{ \"x\" }}\n");
    let report = analyze_cli(dir.path(), &[]);
    assert_chart_contained(&report, "bad", "bad/templates/t.yaml", "not valid YAML");
}

#[test]
fn chart_values_that_are_not_a_map() {
    let dir = charts_with_bad(&[
        ("Chart.yaml", "apiVersion: v2\nname: bad\nversion: 1.0.0\n"),
        ("values.yaml", "- a\n- b\n"),
        (
            "templates/cm.yaml",
            "kind: ConfigMap\nmetadata:\n  name: x\n",
        ),
    ]);
    let out = assert_cmd::Command::cargo_bin("caplevel")
        .unwrap()
        .arg("analyze")
        .arg(dir.path())
        .args(["--format", "json"])
        .output()
        .unwrap();
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let bad = chart_target(&report, "bad");
    assert!(
        bad["diagnostics"]
            .as_array()
            .unwrap()
            .iter()
            .any(|d| d["file"].as_str().unwrap().ends_with("bad/values.yaml")
                && d["message"]
                    .as_str()
                    .unwrap()
                    .contains("cannot unmarshal array into Go value of type map")),
        "{bad:#}"
    );
    // The chart still rendered: its ConfigMap was read.
    assert!(!bad["findings"].as_array().unwrap().is_empty());
    assert!(
        chart_target(&report, "good")["diagnostics"]
            .as_array()
            .unwrap()
            .is_empty()
    );
}

/// A gzipped tar of raw entries (name, data), names written as given, so
/// that hostile names (`../`, absolute) can be built.
fn raw_tgz(entries: &[(&str, &[u8])]) -> Vec<u8> {
    use std::io::Write;
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    for (name, data) in entries {
        let mut header = tar::Header::new_old();
        header.as_old_mut().name[..name.len()].copy_from_slice(name.as_bytes());
        header.set_entry_type(tar::EntryType::Regular);
        header.set_size(data.len() as u64);
        header.set_mode(0o644);
        header.set_cksum();
        gz.write_all(header.as_bytes()).unwrap();
        gz.write_all(data).unwrap();
        gz.write_all(&vec![0u8; (512 - data.len() % 512) % 512])
            .unwrap();
    }
    gz.write_all(&[0u8; 1024]).unwrap();
    gz.finish().unwrap()
}

/// A folder with the good chart and `bad.tgz` holding `entries`.
fn archive_beside_good(entries: &[(&str, &[u8])]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    write_chart(&dir.path().join("good"), GOOD_CHART);
    std::fs::write(dir.path().join("bad.tgz"), raw_tgz(entries)).unwrap();
    dir
}

const BAD_CHART_YAML: &[u8] = b"apiVersion: v2\nname: bad\nversion: 1.0.0\n";

#[test]
fn chart_archive_entries_escaping_the_target() {
    let dir = archive_beside_good(&[
        ("bad/Chart.yaml", BAD_CHART_YAML),
        ("bad/../../escaped.yaml", b"kind: ConfigMap\n"),
        ("/tmp/absolute.yaml", b"kind: ConfigMap\n"),
        (
            "bad/templates/cm.yaml",
            b"kind: ConfigMap\nmetadata:\n  name: x\n",
        ),
    ]);
    let report = analyze_cli(dir.path(), &[]);
    assert_chart_contained(&report, "bad.tgz", "bad.tgz", "escapes the chart folder");
    let bad = chart_target(&report, "bad.tgz");
    let escapes = bad["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["message"].as_str().unwrap().contains("escapes"))
        .count();
    assert_eq!(escapes, 2, "{bad:#}");
    // Nothing was written anywhere: the loader reads archives in memory.
    assert!(!dir.path().join("escaped.yaml").exists());
    assert!(!dir.path().parent().unwrap().join("escaped.yaml").exists());
}

#[test]
fn chart_archive_decompression_bomb() {
    // 8 MiB of zeros (a few kilobytes compressed) against a 1 MiB limit.
    let zeros = vec![0u8; 8 * 1024 * 1024];
    let dir = archive_beside_good(&[
        ("bad/Chart.yaml", BAD_CHART_YAML),
        ("bad/files/zeros.bin", &zeros),
    ]);
    assert!(std::fs::metadata(dir.path().join("bad.tgz")).unwrap().len() < 100_000);
    let report = analyze_cli(dir.path(), &["--max-chart-size", "1048576"]);
    assert_chart_contained(&report, "bad.tgz", "bad.tgz", "over its limits");
}

#[test]
fn chart_archive_with_too_many_entries() {
    // One entry over the default limit of 10,000 files.
    let names: Vec<String> = (0..10_001).map(|i| format!("bad/files/{i}.txt")).collect();
    let mut entries: Vec<(&str, &[u8])> = vec![("bad/Chart.yaml", BAD_CHART_YAML)];
    entries.extend(names.iter().map(|n| (n.as_str(), b"x".as_slice())));
    let dir = archive_beside_good(&entries);
    let report = analyze_cli(dir.path(), &[]);
    assert_chart_contained(&report, "bad.tgz", "bad.tgz", "over its limits");
}
