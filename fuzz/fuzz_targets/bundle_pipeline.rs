//! The whole pipeline on an arbitrary bundle: the input is the bundle's one
//! manifest file (any objects: a CSV, CRDs, roles, workloads), beside a
//! fixed metadata/annotations.yaml. Loading, the derived facts (CRD field
//! paths and names, RBAC grants and their text, pod facts) and every
//! built-in rule must finish with a report, never a panic or a hang.
//! `fuzz/bundle-seeds.sh` seeds its corpus from the project's bundle fixtures.
#![no_main]

use caplevel::discover::{Layout, Target};
use caplevel::{Options, assess_target, rules};
use libfuzzer_sys::fuzz_target;
use std::path::PathBuf;
use std::sync::OnceLock;

struct Fixture {
    bundle: PathBuf,
    rules: Vec<rules::Rule>,
}

fn fixture() -> &'static Fixture {
    static FIXTURE: OnceLock<Fixture> = OnceLock::new();
    FIXTURE.get_or_init(|| {
        let bundle = std::env::temp_dir().join(format!("caplevel-fuzz-{}", std::process::id()));
        std::fs::create_dir_all(bundle.join("manifests")).expect("temp dir");
        std::fs::create_dir_all(bundle.join("metadata")).expect("temp dir");
        std::fs::write(
            bundle.join("metadata/annotations.yaml"),
            "annotations:\n  operators.operatorframework.io.bundle.package.v1: fuzz\n  \
             operators.operatorframework.io.bundle.channels.v1: stable\n",
        )
        .expect("annotations");
        let rules = rules::load(&[]).expect("built-in rules load");
        Fixture { bundle, rules }
    })
}

fuzz_target!(|data: &[u8]| {
    let f = fixture();
    if std::fs::write(f.bundle.join("manifests/objects.yaml"), data).is_err() {
        return;
    }
    let target = Target { path: f.bundle.clone(), layout: Layout::Bundle };
    let report = assess_target(&target, &f.rules, &Options::default());
    // Every applicable rule gives one finding, whatever the input.
    assert!(!report.findings.is_empty());
});
