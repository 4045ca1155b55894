//! `--shard I/N` and `caplevel merge`: shards split the targets without
//! cutting a history, and their merged report is the whole run's.

use assert_cmd::Command;
use serde_json::Value;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// Bundles with histories, charts that fail, a plain example.
const TARGETS: [&str; 3] = ["fixtures/examples", "fixtures/charts", "fixtures/upgrade"];

fn caplevel() -> Command {
    let mut cmd = Command::cargo_bin("caplevel").unwrap();
    cmd.current_dir(PathBuf::from(env!("CARGO_MANIFEST_DIR")));
    cmd
}

/// Runs `analyze` into `file` and returns it.
fn analyze(format: &str, extra: &[&str], file: &Path) -> PathBuf {
    caplevel()
        .args(["analyze", "--quiet", "--format", format])
        .args(TARGETS)
        .args(extra)
        .arg("-o")
        .arg(format!("{format}={}", file.display()))
        .output()
        .unwrap();
    file.to_path_buf()
}

/// The report as JSON values: JSON as one, JSON Lines as one per line;
/// `run` removed (the one part that may differ).
fn values(format: &str, file: &Path) -> Vec<Value> {
    let text = std::fs::read_to_string(file).unwrap();
    let mut values: Vec<Value> = if format == "json" {
        vec![serde_json::from_str(&text).unwrap()]
    } else {
        text.lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect()
    };
    for v in &mut values {
        if let Some(map) = v.as_object_mut() {
            map.remove("run");
        }
    }
    values
}

fn targets(format: &str, file: &Path) -> Vec<Value> {
    let values = values(format, file);
    if format == "json" {
        values[0]["targets"].as_array().unwrap().clone()
    } else {
        values
            .into_iter()
            .filter(|v| v["type"] == "target")
            .collect()
    }
}

#[test]
fn merged_shards_equal_the_whole_run() {
    let dir = tempfile::tempdir().unwrap();
    for format in ["json", "jsonl"] {
        let whole = analyze(format, &[], &dir.path().join(format!("whole.{format}")));
        let whole_ids: Vec<String> = targets(format, &whole)
            .iter()
            .map(|t| t["id"].as_str().unwrap().to_string())
            .collect();
        assert!(whole_ids.len() > 20, "{whole_ids:?}");
        for n in [2, 3] {
            let shards: Vec<PathBuf> = (1..=n)
                .map(|i| {
                    let file = dir.path().join(format!("s{i}of{n}.{format}"));
                    analyze(format, &["--shard", &format!("{i}/{n}")], &file)
                })
                .collect();
            // Every target in exactly one shard.
            let mut seen = BTreeSet::new();
            for s in &shards {
                for t in targets(format, s) {
                    assert!(seen.insert(t["id"].as_str().unwrap().to_string()));
                }
            }
            assert_eq!(seen.len(), whole_ids.len(), "{n} shards of {format}");
            // Merged, in any order of the files: the whole run.
            let merged = dir.path().join(format!("merged{n}.{format}"));
            let mut reversed = shards.clone();
            reversed.reverse();
            let out = caplevel()
                .arg("merge")
                .args(&reversed)
                .arg("-o")
                .arg(&merged)
                .output()
                .unwrap();
            // The fixtures hold charts helm rejects: the merged run fails as the whole does.
            assert_eq!(
                out.status.code(),
                Some(1),
                "{}",
                String::from_utf8_lossy(&out.stderr)
            );
            assert_eq!(
                values(format, &merged),
                values(format, &whole),
                "{n} shards of {format}"
            );
        }
    }
}

#[test]
fn a_history_stays_in_one_shard_however_the_root_is_typed() {
    let dir = tempfile::tempdir().unwrap();
    let shard_of = |root: &str| -> Vec<(String, usize)> {
        let mut out = Vec::new();
        for i in 1..=4 {
            let file = dir.path().join(format!("h{i}.jsonl"));
            caplevel()
                .args(["analyze", "--quiet", "--format", "jsonl", root, "--shard"])
                .arg(format!("{i}/4"))
                .arg("-o")
                .arg(format!("jsonl={}", file.display()))
                .output()
                .unwrap();
            for t in targets("jsonl", &file) {
                out.push((t["id"].as_str().unwrap().to_string(), i));
            }
        }
        out.sort();
        out
    };
    let typed = shard_of("fixtures/upgrade");
    let absolute = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fixtures/upgrade/");
    assert_eq!(typed, shard_of(absolute.to_str().unwrap()));
    // The versions of one OLM package (same name, same folder) share a
    // shard (charts form no history).
    let mut by_package = std::collections::BTreeMap::new();
    for (id, shard) in typed.iter().filter(|(id, _)| id.starts_with("bundle:")) {
        // id = layout:name@version:path; the folder is the path's parent.
        let (head, path) = id.rsplit_once(':').unwrap();
        let name = head.split_once(':').unwrap().1.split('@').next().unwrap();
        let folder = Path::new(path).parent().unwrap().to_path_buf();
        by_package
            .entry((name.to_string(), folder))
            .or_insert_with(BTreeSet::new)
            .insert(*shard);
    }
    assert!(by_package.values().all(|s| s.len() == 1), "{by_package:?}");
    assert!(by_package.keys().any(|(name, _)| name == "demo-operator"));
}

#[test]
fn merge_refuses_what_is_not_one_whole_run() {
    let dir = tempfile::tempdir().unwrap();
    let one = analyze("jsonl", &["--shard", "1/2"], &dir.path().join("a.jsonl"));
    let out = caplevel().arg("merge").arg(&one).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("missing shard(s): 2/2"));
    let json = analyze("json", &["--shard", "2/2"], &dir.path().join("b.json"));
    let out = caplevel()
        .arg("merge")
        .arg(&one)
        .arg(&json)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("cannot merge JSON with JSON Lines"));
    caplevel()
        .args(["analyze", "fixtures/upgrade", "--shard", "3/2"])
        .assert()
        .code(2);
}

/// `latest` is a fact of the whole run: a shard marks its own newest
/// version of a package, and merging marks them again over every shard's
/// targets, in JSON and JSON Lines alike.
#[test]
fn merge_marks_the_newest_version_over_all_shards() {
    let dir = tempfile::tempdir().unwrap();
    let latest_of = |ts: &[Value], path: &str| -> Option<Value> {
        ts.iter()
            .find(|t| t["path"] == path)
            .map(|t| t["latest"].clone())
    };
    // 1.5.0 beside 1.4.0 in one folder; 1.6.0 of the same package in another.
    let safe = "fixtures/upgrade/bundle/safe";
    for format in ["json", "jsonl"] {
        let run = |extra: &[&str], name: &str| {
            let file = dir.path().join(format!("{name}.{format}"));
            caplevel()
                .args(["analyze", "--quiet", "--format", format, "fixtures/upgrade"])
                .args(extra)
                .arg("-o")
                .arg(format!("{format}={}", file.display()))
                .output()
                .unwrap();
            file
        };
        let whole = targets(format, &run(&[], "whole"));
        assert_eq!(latest_of(&whole, safe), Some(Value::Bool(false)));
        assert_eq!(
            latest_of(
                &whole,
                "fixtures/upgrade/history/operators/demo-operator/1.6.0"
            ),
            Some(Value::Bool(true))
        );
        // Plain manifests have no version, so no `latest`.
        assert_eq!(
            latest_of(&whole, "fixtures/upgrade/crd/enum-added"),
            Some(Value::Null)
        );
        let shards: Vec<PathBuf> = (1..=3)
            .map(|i| run(&["--shard", &format!("{i}/3")], &format!("s{i}")))
            .collect();
        let local: Vec<Value> = shards
            .iter()
            .filter_map(|s| latest_of(&targets(format, s), safe))
            .collect();
        // Its shard does not hold 1.6.0: there, 1.5.0 is the newest.
        assert_eq!(local, [Value::Bool(true)]);
        let merged = dir.path().join(format!("merged.{format}"));
        caplevel()
            .arg("merge")
            .args(&shards)
            .arg("-o")
            .arg(&merged)
            .output()
            .unwrap();
        assert_eq!(targets(format, &merged), whole, "{format}");
    }
}
