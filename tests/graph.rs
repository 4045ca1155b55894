//! Upgrade-graph checks on file-based catalogs, one fixture per kind of
//! problem (`fixtures/upgrade/graph/<case>/catalog.yaml`): each problem is
//! reported with its kind, the bundle it concerns and the catalog line of
//! the channel entry that causes it; a valid graph reports none.

use assert_cmd::Command;
use serde_json::Value;

/// The graph problems of the one history in a fixture: (kind, bundle, line).
fn graph(case: &str) -> Vec<(String, String, u64)> {
    let dir = format!("fixtures/upgrade/graph/{case}");
    let out = Command::cargo_bin("caplevel")
        .expect("binary")
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(["analyze", &dir, "--format", "json"])
        .output()
        .expect("runs");
    let report: Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stderr)));
    let histories = report["histories"].as_array().expect("histories");
    assert_eq!(histories.len(), 1, "{case}");
    histories[0]["graph"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|g| {
            assert_eq!(g["at"]["file"], format!("{dir}/catalog.yaml"), "{case}");
            (
                g["kind"].as_str().unwrap_or_default().to_string(),
                g["bundle"].as_str().unwrap_or_default().to_string(),
                g["at"]["line"].as_u64().unwrap_or_default(),
            )
        })
        .collect()
}

fn expect(case: &str, want: &[(&str, &str, u64)]) {
    let want: Vec<(String, String, u64)> = want
        .iter()
        .map(|(k, b, l)| (k.to_string(), b.to_string(), *l))
        .collect();
    assert_eq!(graph(case), want, "{case}");
}

#[test]
fn a_valid_graph_has_no_problem() {
    expect("valid", &[]);
}

#[test]
fn a_second_head_is_reported_at_its_entry() {
    expect("several-heads", &[("several-heads", "demo.v1.1.0", 12)]);
}

#[test]
fn a_replaces_cycle_is_reported_at_the_replaces_line() {
    expect("cycle", &[("cycle", "demo.v1.0.0", 12)]);
}

#[test]
fn a_head_below_the_highest_version_is_reported() {
    expect(
        "head-not-highest",
        &[("head-not-highest", "demo.v1.1.0", 14)],
    );
}

#[test]
fn skip_ranges_must_parse_and_cover_only_older_versions() {
    expect(
        "skip-range-invalid",
        &[("skip-range-invalid", "demo.v1.1.0", 14)],
    );
    expect(
        "skip-range-covers-newer",
        &[("skip-range-covers-newer", "demo.v1.1.0", 14)],
    );
    // A skipRange stopping short of the version before strands it.
    expect(
        "skip-range-short",
        &[("version-skipped", "demo.v1.1.0", 12)],
    );
}

#[test]
fn a_missing_replaces_target_is_reported() {
    expect(
        "replaces-missing",
        &[
            ("replaces-missing", "demo.v1.2.0", 15),
            ("several-heads", "demo.v1.1.0", 12),
        ],
    );
}
