//! Helpers shared by the integration tests.

use std::path::Path;

/// A rule whose expression fails at run time on every CSV (`rule-error`:
/// counted, noted on stderr, failing only `--strict`).
#[allow(dead_code)] // each test binary uses a different subset of the helpers
pub const ERRING_RULE: &str = "rules:\n  - id: team-divides-by-zero\n    phase: basic-install\n    title: t\n    weight: 1\n    applies-to: [bundle]\n    select: {kind: ClusterServiceVersion}\n    expect: 'size(object.metadata.name) / 0 == 1'\n    rationale: r\n    remediation: x\n";

/// Copies a folder tree (fixtures are small).
pub fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap().flatten() {
        let dest = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &dest);
        } else {
            std::fs::copy(entry.path(), dest).unwrap();
        }
    }
}

/// The finding of `rule` in a JSON report's target, which must be there.
#[allow(dead_code)] // each test binary uses a different subset of the helpers
pub fn finding<'a>(target: &'a serde_json::Value, rule: &str) -> &'a serde_json::Value {
    target["findings"]
        .as_array()
        .expect("findings is a list")
        .iter()
        .find(|f| f["rule"] == rule)
        .unwrap_or_else(|| panic!("no finding for rule {rule}"))
}
