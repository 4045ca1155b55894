//! Pinned JSON of two real bundles (one per layout): any change in what
//! caplevel reports about them shows up as a snapshot diff to review
//! (`cargo insta review`, or INSTA_UPDATE=always).

use caplevel::{Options, analyze};
use std::path::Path;

fn snapshot(corpus_dir: &str) -> Option<String> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/corpus/bundles")
        .join(corpus_dir);
    if !dir.is_dir() {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI=true but {} is missing",
            dir.display()
        );
        return None;
    }
    // Paths in reports are relative to the working directory: make them stable.
    let relative = Path::new("../shared/corpus/bundles").join(corpus_dir);
    let _guard = CWD.lock().unwrap();
    std::env::set_current_dir(env!("CARGO_MANIFEST_DIR")).unwrap();
    let report = analyze(&[relative], &Options::default()).unwrap();
    Some(serde_json::to_string_pretty(&report.targets).unwrap())
}

static CWD: std::sync::Mutex<()> = std::sync::Mutex::new(());

#[test]
fn etcd_bundle_layout() {
    if let Some(json) = snapshot("etcd-0.9.4") {
        insta::assert_snapshot!("etcd-0.9.4", json);
    }
}

#[test]
fn kong_package_manifest_layout() {
    if let Some(json) = snapshot("kong-0.8.0") {
        insta::assert_snapshot!("kong-0.8.0", json);
    }
}
