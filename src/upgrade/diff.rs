//! `caplevel diff OLD NEW`: what breaks the upgrade from one version of a
//! bundle or chart to the next, as a [`DiffReport`] (table or JSON).

use super::chart;
use super::crd::{self, Side};
use super::range::Range;
use super::{Change, ChangeKind, Location};
use crate::discover::{self, Target};
use crate::load::{self, LoadOptions};
use crate::package::{Package, Resource, TargetKind};
use crate::yaml::Node;
use schemars::JsonSchema;
use serde::Serialize;
use std::path::Path;

/// One side of a diff.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct DiffSide {
    /// The target's path as given.
    pub path: String,
    /// Package or chart name.
    pub name: String,
    /// Its version, when it has one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
}

/// What `caplevel diff` found.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct DiffReport {
    /// The kind of both targets.
    pub kind: TargetKind,
    /// The version upgraded from.
    pub old: DiffSide,
    /// The version upgraded to.
    pub new: DiffSide,
    /// How many changes break the upgrade.
    pub breaking: usize,
    /// Every change, breaking first, then by kind and subject.
    pub changes: Vec<Change>,
}

/// Why two targets cannot be compared.
#[derive(Debug, thiserror::Error)]
pub enum DiffError {
    /// A path is unreadable or holds no target.
    #[error(transparent)]
    Discover(#[from] discover::DiscoverError),
    /// A path holds several targets.
    #[error("{path}: holds {count} targets; give one bundle or chart")]
    NotOne {
        /// The path.
        path: String,
        /// How many targets it holds.
        count: usize,
    },
    /// A bundle against a chart, or plain manifests.
    #[error(
        "{old} is a {old_kind} and {new} a {new_kind}: diff compares two bundles or two charts"
    )]
    Kinds {
        /// The old path.
        old: String,
        /// Its kind.
        old_kind: &'static str,
        /// The new path.
        new: String,
        /// Its kind.
        new_kind: &'static str,
    },
}

fn one(path: &Path) -> Result<Target, DiffError> {
    let mut targets = discover::discover(&[path.to_path_buf()])?;
    if targets.len() != 1 {
        return Err(DiffError::NotOne {
            path: discover::display_path(path),
            count: targets.len(),
        });
    }
    Ok(targets.remove(0))
}

/// Compares the target at `old` with the one at `new`.
pub fn diff(old: &Path, new: &Path, options: &LoadOptions) -> Result<DiffReport, DiffError> {
    let (ot, nt) = (one(old)?, one(new)?);
    let kind = ot.kind();
    if kind != nt.kind() || kind == TargetKind::Manifests {
        return Err(DiffError::Kinds {
            old: discover::display_path(old),
            old_kind: ot.kind().id(),
            new: discover::display_path(new),
            new_kind: nt.kind().id(),
        });
    }
    let (op, np) = (load::load(&ot, options), load::load(&nt, options));
    let mut changes = if kind == TargetKind::Chart {
        let limits = crate::helm::ChartLimits {
            yaml: options.limits,
            ..options.chart_limits
        };
        let (oc, nc) = (
            crate::helm::load_chart(&ot.path, &limits),
            crate::helm::load_chart(&nt.path, &limits),
        );
        chart::compare((&op, &oc), (&np, &nc))
    } else {
        bundles(&op, &np)
    };
    sort(&mut changes);
    let side = |p: &Package| DiffSide {
        path: p.path.clone(),
        name: p.name.clone(),
        version: p.version.clone(),
    };
    Ok(DiffReport {
        kind,
        old: side(&op),
        new: side(&np),
        breaking: changes.iter().filter(|c| c.breaking).count(),
        changes,
    })
}

/// Breaking first, then by kind, subject, version and path.
pub fn sort(changes: &mut [Change]) {
    changes.sort_by(|a, b| b.breaking.cmp(&a.breaking).then_with(|| a.cmp(b)));
}

fn objects<'p>(p: &'p Package, kind: &'p str) -> impl Iterator<Item = &'p Resource> + 'p {
    p.resources
        .iter()
        .filter(move |r| r.kind == kind && r.origin.embedded.is_none() && !r.placeholder)
}

fn side(r: &Resource) -> Side<'_> {
    Side {
        node: &r.node,
        file: &r.origin.file,
        rendered_line: r.origin.rendered.then_some(r.origin.line),
    }
}

/// Between two bundles of one operator: [`crds`], and the CSV's upgrade edge.
#[must_use]
pub fn bundles(old: &Package, new: &Package) -> Vec<Change> {
    let mut out = crds(old, new);
    if let (Some(o), Some(n)) = (
        objects(old, "ClusterServiceVersion").next(),
        objects(new, "ClusterServiceVersion").next(),
    ) {
        out.extend(edge(o, n));
    }
    out
}

/// Between two bundles of one operator: every CRD both ship through
/// [`crd::upgrade`], each CRD dropped, and [`crd::conversion`] on CRDs new
/// in `new`.
#[must_use]
pub fn crds(old: &Package, new: &Package) -> Vec<Change> {
    let interner = crd::Interner::default();
    crd_changes(&crds_of(old, &interner), &crds_of(new, &interner))
}

/// The CRDs a bundle ships, reduced to what [`crd_changes`] needs (shared
/// through `interner` with other versions that ship the same).
pub fn crds_of(p: &Package, interner: &crd::Interner) -> Vec<crd::Crd> {
    objects(p, "CustomResourceDefinition")
        .map(|r| crd::Crd::new(&r.name, side(r), r.origin.line, interner))
        .collect()
}

/// [`crds`] over reduced CRDs: the changes of the upgrade from a bundle
/// shipping `old` to one shipping `new`.
#[must_use]
pub fn crd_changes(old: &[crd::Crd], new: &[crd::Crd]) -> Vec<Change> {
    let mut out = Vec::new();
    for o in old {
        match new.iter().find(|n| n.name == o.name) {
            Some(n) => out.extend(crd::upgrade_reduced(o, n)),
            None => out.push(Change {
                kind: ChangeKind::CrdRemoved,
                breaking: true,
                subject: format!("CustomResourceDefinition/{}", o.name),
                version: None,
                path: None,
                message: "the CRD is gone from the new bundle: its objects lose their API".into(),
                old: Some(Location {
                    file: o.file.clone(),
                    line: o.line,
                }),
                new: None,
            }),
        }
    }
    for n in new {
        if !old.iter().any(|o| o.name == n.name) {
            out.extend(n.conversion.clone());
        }
    }
    out
}

fn loc(r: &Resource, path: Option<&str>) -> Location {
    Location {
        file: r.origin.file.clone(),
        line: r.line_of(path),
    }
}

/// A CSV's `spec.version`, parsed.
pub fn csv_version(csv: &Resource) -> Option<semver::Version> {
    csv.node
        .path("spec.version")
        .and_then(Node::scalar_text)
        .and_then(|v| semver::Version::parse(v.trim_start_matches('v')).ok())
}

/// How the new CSV declares an upgrade from the old one: `replaces`, `skips`
/// or `olm.skipRange`; the field path of the edge, `None` when there is none.
pub fn edge_path(
    new: &Resource,
    old_name: &str,
    old_version: Option<&semver::Version>,
) -> Option<String> {
    if new.node.path("spec.replaces").and_then(Node::as_str) == Some(old_name) {
        return Some("spec.replaces".into());
    }
    if let Some(i) = new
        .node
        .path("spec.skips")
        .and_then(Node::as_seq)
        .and_then(|s| s.iter().position(|n| n.as_str() == Some(old_name)))
    {
        return Some(format!("spec.skips[{i}]"));
    }
    let range = new
        .node
        .path("metadata.annotations")
        .and_then(|a| a.get("olm.skipRange"))
        .and_then(Node::as_str)
        .and_then(|r| Range::parse(r).ok())?;
    old_version
        .filter(|v| range.contains(v))
        .map(|_| "metadata.annotations[\"olm.skipRange\"]".into())
}

fn edge(old: &Resource, new: &Resource) -> Vec<Change> {
    let mut out = Vec::new();
    let (ov, nv) = (csv_version(old), csv_version(new));
    if let (Some(a), Some(b)) = (&ov, &nv)
        && b.cmp_precedence(a) != std::cmp::Ordering::Greater
    {
        out.push(Change {
            kind: ChangeKind::VersionNotIncreased,
            breaking: true,
            subject: format!("ClusterServiceVersion/{}", new.name),
            version: None,
            path: Some("spec.version".into()),
            message: format!("the new version {b} is not higher than the old {a}"),
            old: Some(loc(old, Some("spec.version"))),
            new: Some(loc(new, Some("spec.version"))),
        });
    }
    if edge_path(new, &old.name, ov.as_ref()).is_none() {
        out.push(Change {
            kind: ChangeKind::NoUpgradeEdge,
            breaking: true,
            subject: format!("ClusterServiceVersion/{}", new.name),
            version: None,
            path: Some("spec.replaces".into()),
            message: format!(
                "{} neither replaces nor skips {}, and no olm.skipRange covers its version: \
                 OLM never offers this upgrade",
                new.name, old.name
            ),
            old: Some(loc(old, Some("metadata.name"))),
            new: Some(loc(new, Some("spec.replaces"))),
        });
    }
    out
}

/// The table: one row per change, then a summary line.
pub fn write_table(report: &DiffReport, out: &mut dyn std::io::Write) -> std::io::Result<()> {
    use comfy_table::{ContentArrangement, Table, presets::UTF8_FULL_CONDENSED};
    let label = |s: &DiffSide| match &s.version {
        Some(v) => format!("{} {v}", s.name),
        None => s.name.clone(),
    };
    writeln!(out, "{} → {}", label(&report.old), label(&report.new))?;
    if !report.changes.is_empty() {
        let mut table = Table::new();
        table
            .load_style(UTF8_FULL_CONDENSED)
            .set_content_arrangement(ContentArrangement::Disabled)
            .set_header(["", "change", "subject", "where", "what"]);
        let place = |l: &Option<Location>| {
            l.as_ref()
                .map_or_else(String::new, |l| format!("{}:{}", l.file, l.line))
        };
        for c in &report.changes {
            let mut subject = c.subject.clone();
            if let Some(v) = &c.version {
                subject = format!("{subject} {v}");
            }
            if let Some(p) = &c.path {
                subject = format!("{subject} {p}");
            }
            table.add_row([
                if c.breaking { "✗" } else { "·" }.to_string(),
                c.kind.id(),
                subject,
                format!("{}\n{}", place(&c.old), place(&c.new))
                    .trim()
                    .to_string(),
                c.message.clone(),
            ]);
        }
        writeln!(out, "{table}")?;
    }
    writeln!(
        out,
        "{} change(s), {} breaking the upgrade",
        report.changes.len(),
        report.breaking
    )
}

/// The JSON report, pretty-printed with a trailing newline.
pub fn write_json(report: &DiffReport, out: &mut dyn std::io::Write) -> std::io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, report)?;
    writeln!(out)
}
