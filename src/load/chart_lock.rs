//! Whether a chart's lock file still matches its dependencies.
//!
//! `helm dependency build` refuses a `Chart.lock` (`requirements.lock` for
//! `apiVersion: v1` charts) that is out of sync with Chart.yaml: Helm
//! compares a digest of both. The digest is Helm's own serialisation, so
//! what it stands for is checked instead: every dependency locked, nothing
//! locked that is no longer a dependency, the same repository, and a locked
//! version inside the dependency's version constraint.

use crate::helm::Chart;
use crate::yaml::{self, Node};
use semver::{Version, VersionReq};

/// Why the lock file is stale, one line per problem; empty when it matches
/// (or there is no lock file, which another fact says).
pub fn lock_problems(chart: &Chart) -> Vec<String> {
    let Some(file) = chart
        .files
        .iter()
        .find(|f| f.name == "Chart.lock" || f.name == "requirements.lock")
    else {
        return Vec::new();
    };
    let parsed = yaml::parse_bytes(&file.data, &yaml::Limits::default());
    let Some(doc) = parsed.documents.into_iter().next() else {
        return vec![format!("{} is empty", file.name)];
    };
    let text = |n: &Node, k: &str| n.get(k).and_then(Node::scalar_text).unwrap_or_default();
    let locked: Vec<(String, String, String)> = doc
        .root
        .get("dependencies")
        .and_then(Node::as_seq)
        .unwrap_or_default()
        .iter()
        .map(|d| (text(d, "name"), text(d, "repository"), text(d, "version")))
        .collect();
    let deps = &chart.metadata.dependencies;
    let mut out = Vec::new();
    for d in deps {
        match locked.iter().find(|(name, _, _)| *name == d.name) {
            None => out.push(format!("{} does not lock dependency {}", file.name, d.name)),
            Some((_, repo, version)) => {
                if !d.repository.is_empty() && !repo.is_empty() && *repo != d.repository {
                    out.push(format!(
                        "{} locks {} from {repo}, Chart.yaml asks for {}",
                        file.name, d.name, d.repository
                    ));
                }
                if satisfies(&d.version, version) == Some(false) {
                    out.push(format!(
                        "{} locks {} {version}, outside Chart.yaml's `{}`",
                        file.name, d.name, d.version
                    ));
                }
            }
        }
    }
    for (name, _, _) in &locked {
        if !deps.iter().any(|d| d.name == *name) {
            out.push(format!(
                "{} locks {name}, which Chart.yaml no longer lists",
                file.name
            ));
        }
    }
    out
}

/// Whether `version` meets a Helm (Masterminds) version constraint; `None`
/// when either cannot be read, so an unusual constraint is never called
/// stale. Alternatives are split on `||`; comparators separated by spaces
/// or commas all apply; a bare version means exactly that version.
fn satisfies(constraint: &str, version: &str) -> Option<bool> {
    let constraint = constraint.trim();
    if constraint.is_empty() {
        return None;
    }
    let version = Version::parse(version.trim().trim_start_matches('v')).ok()?;
    let mut any = false;
    for alternative in constraint.split("||") {
        let mut comparators = Vec::new();
        let mut pending = String::new();
        for token in alternative
            .split(|c: char| c.is_whitespace() || c == ',')
            .filter(|t| !t.is_empty())
        {
            if token.chars().all(|c| "<>=!~^".contains(c)) {
                pending.push_str(token);
                continue;
            }
            let token = std::mem::take(&mut pending) + token;
            let op_len = token.find(|c: char| !"<>=!~^".contains(c)).unwrap_or(0);
            let (op, rest) = token.split_at(op_len);
            let rest = rest.trim_start_matches('v');
            let wildcard = rest.contains(['x', 'X', '*']);
            // Masterminds reads a bare version as `=`; semver as `^`.
            let op = if op.is_empty() && !wildcard { "=" } else { op };
            comparators.push(format!("{op}{rest}"));
        }
        if comparators.is_empty() {
            return None;
        }
        let req = VersionReq::parse(&comparators.join(", ")).ok()?;
        any |= req.matches(&version);
    }
    Some(any)
}

#[cfg(test)]
mod tests {
    use super::satisfies;

    #[test]
    fn constraints_read_as_helm_reads_them() {
        assert_eq!(satisfies("^12.1.0", "12.5.3"), Some(true));
        assert_eq!(satisfies("^12.1.0", "13.0.0"), Some(false));
        assert_eq!(satisfies("~1.2.0", "1.2.9"), Some(true));
        assert_eq!(satisfies(">= 1.0.0 < 2.0.0", "1.5.0"), Some(true));
        assert_eq!(satisfies(">=1.0.0, <2.0.0", "2.0.0"), Some(false));
        assert_eq!(satisfies("1.2.3", "1.2.4"), Some(false));
        assert_eq!(satisfies("1.2.x", "1.2.4"), Some(true));
        assert_eq!(satisfies("2.x.x", "2.31.0"), Some(true));
        assert_eq!(satisfies("^1.0.0 || ^2.0.0", "2.1.0"), Some(true));
        assert_eq!(satisfies("", "1.0.0"), None);
        assert_eq!(satisfies("^1", "not a version"), None);
    }
}
