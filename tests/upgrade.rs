//! CRD upgrade safety on fixture pairs: every kind of change OLM v1 refuses
//! has a folder under `fixtures/upgrade/crd/<kind>/` with `old.yaml`, a
//! `safe.yaml` upgrade that must pass and an `unsafe.yaml` one that must be
//! reported as exactly that kind, located in both files.

use caplevel::upgrade::crd::{Side, upgrade};
use caplevel::upgrade::{Change, ChangeKind};
use caplevel::yaml::{Limits, Node, parse_bytes};
use std::path::Path;

fn read(path: &Path) -> Node {
    let bytes = std::fs::read(path).expect("fixture");
    let parsed = parse_bytes(&bytes, &Limits::default());
    assert!(
        parsed.issues.is_empty(),
        "{}: {:?}",
        path.display(),
        parsed.issues
    );
    parsed.documents[0].root.clone()
}

fn changes(dir: &Path, new: &str) -> Vec<Change> {
    let old = read(&dir.join("old.yaml"));
    let newer = read(&dir.join(new));
    upgrade(Side::new(&old, "old.yaml"), Side::new(&newer, new))
}

#[test]
fn every_change_kind_has_a_safe_and_an_unsafe_pair() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/upgrade/crd");
    let mut kinds = Vec::new();
    for entry in std::fs::read_dir(&root).expect("fixtures") {
        let dir = entry.expect("entry").path();
        let name = dir
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default()
            .to_string();
        let safe = changes(&dir, "safe.yaml");
        assert!(
            safe.is_empty(),
            "{name}: the safe upgrade reports {safe:#?}"
        );
        let unsafe_ = changes(&dir, "unsafe.yaml");
        let found: Vec<String> = unsafe_.iter().map(|c| c.kind.id()).collect();
        assert!(
            found.contains(&name),
            "{name}: the unsafe upgrade reports {found:?}"
        );
        for c in unsafe_.iter().filter(|c| c.kind.id() == name) {
            assert!(c.breaking, "{name}");
            assert_eq!(c.subject, "CustomResourceDefinition/widgets.example.com");
            let new = c.new.as_ref().expect("located in the new file");
            assert_eq!(new.file, "unsafe.yaml");
            assert!(new.line > 1, "{name}: {c:?}");
            if c.kind != ChangeKind::ConversionMissing {
                let old = c.old.as_ref().expect("located in the old file");
                assert_eq!(old.file, "old.yaml");
                assert!(old.line > 1, "{name}: {c:?}");
            }
        }
        kinds.push(name);
    }
    kinds.sort();
    // Every CRD change kind is covered (a new kind needs its fixtures).
    assert_eq!(
        kinds,
        [
            "bound-added",
            "conversion-missing",
            "default-added",
            "default-changed",
            "default-removed",
            "enum-added",
            "enum-value-removed",
            "field-removed",
            "maximum-lowered",
            "minimum-raised",
            "required-added",
            "scope-changed",
            "served-version-removed",
            "stored-version-removed",
            "type-changed",
        ]
    );
}

/// Kind, CRD version, path, old line, new line.
type Summary = (String, Option<String>, Option<String>, u32, u32);

#[test]
fn changes_name_the_version_path_and_lines() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/upgrade/crd/minimum-raised");
    let found = changes(&dir, "unsafe.yaml");
    let summary: Vec<Summary> = found
        .iter()
        .map(|c| {
            (
                c.kind.id(),
                c.version.clone(),
                c.path.clone(),
                c.old.as_ref().map_or(0, |l| l.line),
                c.new.as_ref().map_or(0, |l| l.line),
            )
        })
        .collect();
    assert_eq!(
        summary,
        [
            (
                "minimum-raised".into(),
                Some("v1alpha1".into()),
                Some(".spec.size".into()),
                25,
                25
            ),
            (
                "minimum-raised".into(),
                Some("v1".into()),
                Some(".spec.size".into()),
                52,
                52
            ),
        ]
    );
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/upgrade/crd/field-removed");
    let found = changes(&dir, "unsafe.yaml");
    assert_eq!(found[0].path.as_deref(), Some(".spec.tags"));
    assert_eq!(found[0].old.as_ref().map(|l| l.line), Some(35));
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/upgrade/crd/enum-added");
    let found = changes(&dir, "unsafe.yaml");
    assert_eq!(found[0].path.as_deref(), Some(".spec.tags[*]"));
}

/// A history compares CRDs reduced to what the checks read (so it can drop
/// the loaded versions): every fixture pair, both ways, gives the very same
/// changes reduced as whole, and a CRD shipped unchanged gives none.
#[test]
fn reduced_crds_give_the_changes_of_whole_ones() {
    use caplevel::upgrade::crd::{Crd, Interner, upgrade_reduced};
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/upgrade/crd");
    let interner = Interner::default();
    let reduced =
        |node: &Node, file: &str| Crd::new("widgets", Side::new(node, file), 1, &interner);
    let mut compared = 0;
    for entry in std::fs::read_dir(&root).expect("fixtures") {
        let dir = entry.expect("entry").path();
        let old = read(&dir.join("old.yaml"));
        for new in ["safe.yaml", "unsafe.yaml"] {
            let newer = read(&dir.join(new));
            for ((a, af), (b, bf)) in [
                ((&old, "old.yaml"), (&newer, new)),
                ((&newer, new), (&old, "old.yaml")),
            ] {
                let whole = upgrade(Side::new(a, af), Side::new(b, bf));
                assert_eq!(
                    upgrade_reduced(&reduced(a, af), &reduced(b, bf)),
                    whole,
                    "{}: {af} -> {bf}",
                    dir.display()
                );
                compared += usize::from(!whole.is_empty());
            }
        }
        let same = reduced(&old, "old.yaml");
        assert!(upgrade_reduced(&same, &reduced(&old, "again.yaml")).is_empty());
    }
    assert!(compared >= 15, "{compared}");
}
