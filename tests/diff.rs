//! `caplevel diff OLD NEW` end to end: a safe and an unsafe upgrade of a
//! bundle and of a chart (folder and `.tgz`), their exit codes and changes.

use assert_cmd::Command;
use serde_json::Value;
use std::collections::BTreeSet;
use std::path::Path;

fn diff(old: &str, new: &str) -> (i32, Value) {
    let out = Command::cargo_bin("caplevel")
        .expect("binary")
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(["diff", old, new, "--format", "json"])
        .output()
        .expect("runs");
    let json = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!("{e}: {}", String::from_utf8_lossy(&out.stderr));
    });
    (out.status.code().unwrap_or(-1), json)
}

fn kinds(report: &Value) -> BTreeSet<String> {
    report["changes"]
        .as_array()
        .expect("changes")
        .iter()
        .map(|c| c["kind"].as_str().unwrap_or_default().to_string())
        .collect()
}

#[test]
fn bundle_upgrades() {
    let (code, safe) = diff(
        "fixtures/upgrade/bundle/old",
        "fixtures/upgrade/bundle/safe",
    );
    assert_eq!((code, safe["breaking"].as_u64()), (0, Some(0)), "{safe:#}");
    let (code, unsafe_) = diff(
        "fixtures/upgrade/bundle/old",
        "fixtures/upgrade/bundle/unsafe",
    );
    assert_eq!(code, 1);
    assert_eq!(
        kinds(&unsafe_),
        [
            "field-removed",
            "minimum-raised",
            "no-upgrade-edge",
            "version-not-increased"
        ]
        .map(String::from)
        .into()
    );
    let removed = &unsafe_["changes"][0];
    assert_eq!(removed["path"], ".spec.image");
    assert_eq!(
        removed["old"]["file"],
        "fixtures/upgrade/bundle/old/manifests/demo.example.com_cacheclusters.yaml"
    );
    assert_eq!(removed["old"]["line"], 47);
}

const CHART_KINDS: [&str; 8] = [
    "chart-crd-changed",
    "enum-added",
    "immutable-field-changed",
    "resource-renamed",
    "selector-changed",
    "values-key-removed",
    "values-key-retyped",
    "volume-claim-templates-changed",
];

#[test]
fn chart_upgrades() {
    let (code, safe) = diff("fixtures/upgrade/chart/old", "fixtures/upgrade/chart/safe");
    assert_eq!((code, safe["breaking"].as_u64()), (0, Some(0)), "{safe:#}");
    let (code, unsafe_) = diff(
        "fixtures/upgrade/chart/old",
        "fixtures/upgrade/chart/unsafe",
    );
    assert_eq!(code, 1);
    assert_eq!(kinds(&unsafe_), CHART_KINDS.map(String::from).into());
    let immutable: BTreeSet<&str> = unsafe_["changes"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|c| c["kind"] == "immutable-field-changed")
        .filter_map(|c| c["subject"].as_str())
        .collect();
    assert_eq!(
        immutable,
        ["Job/release-name-migrate", "Service/release-name-db"].into()
    );
    let retyped = unsafe_["changes"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|c| c["kind"] == "values-key-retyped")
        .expect("retyped");
    assert_eq!(retyped["path"], "replicas");
    assert_eq!(retyped["old"]["line"], 4);
}

#[test]
fn packaged_chart_against_its_folder() {
    let dir = tempfile::tempdir().expect("tempdir");
    let tgz = dir.path().join("demo-2.0.0.tgz");
    let file = std::fs::File::create(&tgz).expect("create");
    let mut archive = tar::Builder::new(flate2::write::GzEncoder::new(
        file,
        flate2::Compression::fast(),
    ));
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/upgrade/chart/unsafe");
    archive.append_dir_all("demo", &root).expect("pack");
    archive.into_inner().expect("tar").finish().expect("gzip");
    let (code, report) = diff("fixtures/upgrade/chart/old", tgz.to_str().expect("utf-8"));
    assert_eq!(code, 1);
    assert_eq!(kinds(&report), CHART_KINDS.map(String::from).into());
}

#[test]
fn mismatched_kinds_are_a_usage_error() {
    let out = Command::cargo_bin("caplevel")
        .expect("binary")
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args([
            "diff",
            "fixtures/upgrade/bundle/old",
            "fixtures/upgrade/chart/old",
        ])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("two bundles or two charts"));
}
