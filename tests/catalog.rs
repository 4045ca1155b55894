//! File-based catalogs: every `olm.bundle` is a target. A catalog carrying
//! full objects (`olm.bundle.object`) is judged exactly as the bundle
//! folders it was rendered from; one carrying only `olm.csv.metadata` is
//! judged on what is there, never failed for what is not.

use assert_cmd::Command;
use serde_json::Value;
use std::collections::BTreeMap;

fn analyze(path: &str) -> Value {
    let out = Command::cargo_bin("caplevel")
        .expect("binary")
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(["analyze", path, "--format", "json"])
        .output()
        .expect("runs");
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stderr)))
}

/// Per version: what the assessment says (level, verdict, grade, score,
/// per-phase coverage) and each rule's status.
fn verdicts(report: &Value) -> BTreeMap<String, (Value, BTreeMap<String, Value>)> {
    report["targets"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|t| {
            let reached: Vec<&Value> = t["phases"]
                .as_object()
                .into_iter()
                .flatten()
                .map(|(_, p)| &p["reached"])
                .collect();
            let summary = serde_json::json!([
                t["evidenced"],
                t["declared"],
                t["verdict"],
                t["grade"],
                t["score"],
                reached
            ]);
            let findings = t["findings"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|f| {
                    (
                        f["rule"].as_str().unwrap_or_default().to_string(),
                        f["status"].clone(),
                    )
                })
                .collect();
            (
                t["version"].as_str().unwrap_or_default().to_string(),
                (summary, findings),
            )
        })
        .collect()
}

#[test]
fn a_catalog_with_objects_is_judged_as_its_bundle_folders() {
    let catalog = analyze("fixtures/upgrade/catalog/objects");
    let folders = analyze("fixtures/upgrade/history");
    let (c, f) = (verdicts(&catalog), verdicts(&folders));
    assert_eq!(c.len(), 4);
    for (version, (summary, findings)) in &f {
        let (their_summary, theirs) = &c[version];
        assert_eq!(summary, their_summary, "version {version}");
        // Only the rule about the bundle folder's own metadata/annotations.yaml
        // differs: a catalog has no such file.
        let differing: Vec<&String> = findings
            .iter()
            .filter(|(rule, status)| theirs.get(*rule) != Some(status))
            .map(|(rule, _)| rule)
            .collect();
        assert_eq!(
            differing,
            ["bundle-metadata-annotations"],
            "version {version}"
        );
    }
    let targets = catalog["targets"].as_array().expect("targets");
    assert_eq!(
        targets[0]["path"],
        "fixtures/upgrade/catalog/objects/demo-operator/catalog.yaml#demo-operator.v1.4.0"
    );
    assert_eq!(targets[0]["layout"], "catalog");

    // The history comes from the channel's entries.
    let h = &catalog["histories"][0];
    assert_eq!(h["latest"]["version"], "1.6.0");
    assert_eq!(h["graph"][0]["kind"], "version-skipped");
    assert_eq!(
        h["graph"][0]["at"]["file"],
        "fixtures/upgrade/catalog/objects/demo-operator/catalog.yaml"
    );
    assert!(h["graph"][0]["at"]["line"].as_u64() > Some(1));
    assert_eq!(h["changes"][0]["kind"], "field-removed");
    assert_eq!(h["changes"][0]["path"], ".spec.image");
}

#[test]
fn a_metadata_only_catalog_is_never_failed_for_what_it_lacks() {
    let report = analyze("fixtures/upgrade/catalog/metadata");
    let targets = report["targets"].as_array().expect("targets");
    assert_eq!(targets.len(), 4);
    let mut passed = 0;
    for t in targets {
        for f in t["findings"].as_array().into_iter().flatten() {
            assert_ne!(f["status"], "fail", "{}: {}", t["path"], f["rule"]);
            passed += usize::from(f["status"] == "pass");
        }
    }
    assert!(passed > 0, "the CSV metadata is still assessed");
    let unknown: Vec<&Value> = targets[0]["findings"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|f| f["status"] == "unknown")
        .collect();
    assert!(!unknown.is_empty());
    assert!(unknown.iter().all(|f| {
        f["message"]
            .as_str()
            .is_some_and(|m| m.starts_with("unknown:"))
    }));
    // What the catalog cannot show is not assessable, never met or not-met:
    // the level is what the files show, and the verdict says why.
    for t in targets {
        let one = &t["phases"]["basic-install"];
        assert_eq!(one["status"], "unknown", "{}", t["path"]);
        assert!(
            one["decisive"]
                .as_array()
                .into_iter()
                .flatten()
                .any(|r| r["id"] == "operator-deployment" && r["unknown"] == true),
            "{one:#?}"
        );
        assert_eq!(t["evidenced"], Value::Null);
        assert_eq!(t["unassessable"], "basic-install");
        assert_eq!(t["verdict"], "unassessable");
        assert!(
            t["capped"]
                .as_str()
                .is_some_and(|c| c.contains("cannot be assessed"))
        );
    }
    assert_eq!(
        report["histories"][0]["versions"].as_array().map(Vec::len),
        Some(4)
    );
}
