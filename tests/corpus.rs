//! The shared corpus of real bundles, read in place: every bundle is assessed
//! without a crash, its declared level is read as INDEX.tsv records it, and
//! the known odd files behave as documented.

use caplevel::diag::Severity;
use caplevel::finding::Status;
use caplevel::report::{Report, TargetReport};
use caplevel::{Options, analyze};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

fn corpus() -> Option<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus");
    if dir.is_dir() {
        return Some(dir);
    }
    // In CI the corpus must be there; elsewhere (a clone without shared/) skip.
    assert!(
        std::env::var_os("CI").is_none(),
        "CI=true but {} is missing",
        dir.display()
    );
    eprintln!("skipping: {} not found", dir.display());
    None
}

fn bundles_report() -> Option<&'static Report> {
    static REPORT: OnceLock<Option<Report>> = OnceLock::new();
    REPORT
        .get_or_init(|| {
            let dir = corpus()?.join("bundles");
            Some(analyze(&[dir], &Options::default()).expect("the corpus analyzes"))
        })
        .as_ref()
}

fn target<'a>(report: &'a Report, corpus_dir: &str) -> &'a TargetReport {
    let needle = format!("bundles/{corpus_dir}");
    report
        .targets
        .iter()
        .find(|t| t.path.ends_with(&needle) || t.path.contains(&format!("{needle}/")))
        .unwrap_or_else(|| panic!("no target for {corpus_dir}"))
}

#[test]
fn every_indexed_bundle_is_assessed_with_its_declared_level() {
    let Some(report) = bundles_report() else {
        return;
    };
    let index = std::fs::read_to_string(corpus().unwrap().join("bundles/INDEX.tsv")).unwrap();
    let mut rows = 0;
    for line in index.lines().skip(1).filter(|l| !l.trim().is_empty()) {
        let cols: Vec<&str> = line.split('\t').collect();
        let (declared, corpus_dir) = (cols[2], cols[7]);
        let t = target(report, corpus_dir);
        let want = (declared != "MISSING").then(|| declared.to_string());
        assert_eq!(t.declared_raw, want, "{corpus_dir}: declared level");
        assert!(
            t.declared.is_some() == want.is_some(),
            "{corpus_dir}: declared phase"
        );
        assert!(!t.findings.is_empty(), "{corpus_dir}: no findings");
        rows += 1;
    }
    assert_eq!(rows, 46);
    assert_eq!(report.targets.len(), 46, "one target per indexed bundle");
}

#[test]
fn no_rule_errors_on_real_bundles() {
    let Some(report) = bundles_report() else {
        return;
    };
    let errors: Vec<String> = report
        .targets
        .iter()
        .flat_map(|t| {
            t.findings
                .iter()
                .filter(|f| f.status == Status::Error)
                .map(move |f| format!("{}: {}: {}", t.path, f.rule, f.message))
        })
        .collect();
    assert!(errors.is_empty(), "{}", errors.join("\n"));
}

#[test]
fn malformed_dependencies_file_is_located_and_the_bundle_still_assessed() {
    let Some(report) = bundles_report() else {
        return;
    };
    let t = target(report, "eventing-kogito-1.2.0");
    let d = t
        .diagnostics
        .iter()
        .find(|d| d.severity == Severity::Error)
        .expect("an error diagnostic");
    assert!(
        d.file
            .as_deref()
            .unwrap()
            .ends_with("metadata/dependencies.yaml"),
        "{d}"
    );
    assert_eq!(d.line, Some(22), "{d}");
    assert!(t.findings.iter().any(|f| f.status == Status::Pass));
    assert_eq!(t.name, "eventing-kogito");
}

#[test]
fn yaml_1_1_value_scalar_parses() {
    let Some(report) = bundles_report() else {
        return;
    };
    let t = target(report, "prometheus-0.56.3");
    assert!(
        t.diagnostics.iter().all(|d| d.severity != Severity::Error),
        "{:?}",
        t.diagnostics
    );
}

#[test]
fn duplicate_key_is_a_warning_with_both_lines() {
    let Some(report) = bundles_report() else {
        return;
    };
    let t = target(report, "nlp-server-0.8.6");
    let d = t
        .diagnostics
        .iter()
        .find(|d| d.message.contains("duplicate key"))
        .expect("a duplicate-key warning");
    assert_eq!(d.severity, Severity::Warning);
    assert!(
        d.file
            .as_deref()
            .unwrap()
            .ends_with("nlp-server-role-binding.yaml")
    );
}

#[test]
fn package_manifest_layout_reads_channels_from_the_package_file() {
    let Some(report) = bundles_report() else {
        return;
    };
    let t = target(report, "kong-0.8.0");
    assert_eq!(t.layout, "package-manifest");
    assert_eq!(t.name, "kong");
    assert_eq!(t.version.as_deref(), Some("0.8.0"));
}

#[test]
fn nested_bundle_copy_is_not_a_second_target() {
    let Some(report) = bundles_report() else {
        return;
    };
    let n = report
        .targets
        .iter()
        .filter(|t| t.path.contains("grafana-operator-5.24.0"))
        .count();
    assert_eq!(n, 1);
}

#[test]
fn same_input_same_bytes() {
    let Some(dir) = corpus() else { return };
    let dir = dir.join("bundles");
    let render = || {
        let report = analyze(std::slice::from_ref(&dir), &Options::default()).unwrap();
        let mut out = Vec::new();
        caplevel::report::write_json(&report, &mut out).unwrap();
        out
    };
    assert!(render() == render());
}

fn charts_report() -> Option<&'static Report> {
    static REPORT: OnceLock<Option<Report>> = OnceLock::new();
    REPORT
        .get_or_init(|| {
            let dir = corpus()?.join("charts");
            Some(analyze(&[dir], &Options::default()).expect("the chart corpus analyzes"))
        })
        .as_ref()
}

fn chart<'a>(report: &'a Report, name: &str) -> &'a TargetReport {
    report
        .targets
        .iter()
        .find(|t| t.path.ends_with(&format!("charts/{name}")))
        .unwrap_or_else(|| panic!("no target for chart {name}"))
}

#[test]
fn every_indexed_chart_is_assessed() {
    let Some(report) = charts_report() else {
        return;
    };
    let index = std::fs::read_to_string(corpus().unwrap().join("charts/INDEX.tsv")).unwrap();
    let dirs: Vec<String> = std::fs::read_dir(corpus().unwrap().join("charts"))
        .unwrap()
        .flatten()
        .filter(|e| e.path().is_dir())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(
        index
            .lines()
            .skip(1)
            .filter(|l| !l.trim().is_empty())
            .count(),
        dirs.len()
    );
    for name in &dirs {
        let t = chart(report, name);
        assert_eq!(t.kind, caplevel::package::TargetKind::Chart);
    }
    assert_eq!(
        report.targets.len(),
        dirs.len(),
        "one target per chart (subcharts belong to their parent)"
    );
}

#[test]
fn broken_charts_give_located_diagnostics_and_do_not_affect_the_rest() {
    let Some(report) = charts_report() else {
        return;
    };
    for (name, file) in [
        ("helm-testdata-badchartfile", "Chart.yaml"),
        ("helm-testdata-badvaluesfile", "values.yaml"),
        ("helm-testdata-malformed-template", "templates/bad.yaml"),
    ] {
        let t = chart(report, name);
        let d = t
            .diagnostics
            .iter()
            .find(|d| {
                d.severity == Severity::Error
                    || d.file.as_deref().is_some_and(|f| f.ends_with(file))
            })
            .unwrap_or_else(|| panic!("{name}: no diagnostic: {:?}", t.diagnostics));
        assert!(
            d.file.as_deref().is_some_and(|f| f.contains(name)),
            "{name}: {d}"
        );
    }
    for name in ["hello-world", "prometheus-node-exporter", "cert-manager"] {
        let t = chart(report, name);
        assert!(
            t.diagnostics.iter().all(|d| d.severity != Severity::Error),
            "{name}: {:?}",
            t.diagnostics
        );
    }
}

#[test]
fn library_chart_is_not_applicable_not_an_error() {
    let Some(report) = charts_report() else {
        return;
    };
    let t = chart(report, "bitnami-common");
    assert!(t.findings.iter().all(|f| f.status == Status::NotApplicable));
    assert!(
        t.diagnostics.iter().all(|d| d.severity != Severity::Error),
        "{:?}",
        t.diagnostics
    );
}

#[test]
fn operator_charts_are_also_read_by_operator_rules() {
    let Some(report) = charts_report() else {
        return;
    };
    let applies = |name: &str| {
        chart(report, name)
            .findings
            .iter()
            .find(|f| f.rule == "crd-backup-restore-api")
            .map(|f| f.status != Status::NotApplicable)
    };
    // agent-operator ships CRDs and a controller; hello-world is an application.
    assert_eq!(applies("agent-operator"), Some(true));
    assert_eq!(applies("hello-world"), Some(false));
}

/// The run reads every target's package name and version before loading it
/// (so each report can say whether it is its package's newest version while
/// reports stream): what it reads must be what loading finds, for every
/// bundle and chart of the corpus.
#[test]
fn identities_read_before_loading_match_the_loaded_packages() {
    let (Some(bundles), Some(charts)) = (bundles_report(), charts_report()) else {
        return;
    };
    let dir = corpus().expect("corpus");
    let targets =
        caplevel::discover::discover(&[dir.join("bundles"), dir.join("charts")]).expect("targets");
    let mut checked = 0;
    for target in &targets {
        let shown = caplevel::discover::display_path(&target.path);
        let Some(report) = bundles
            .targets
            .iter()
            .chain(&charts.targets)
            .find(|t| t.path == shown)
        else {
            continue;
        };
        let ids = caplevel::load::identity::of(target, &Default::default());
        let read: Vec<(&str, &str, Option<&str>)> = ids
            .iter()
            .map(|i| (i.layout, i.name.as_str(), i.version.as_deref()))
            .collect();
        assert_eq!(
            read,
            [(
                report.layout.as_str(),
                report.name.as_str(),
                report.version.as_deref()
            )],
            "{shown}"
        );
        checked += 1;
    }
    assert!(checked > 40, "{checked}");
}
