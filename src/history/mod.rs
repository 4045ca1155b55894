//! Histories: every version found of one OLM package, assessed as a unit.
//!
//! Discovery sorts targets by path, so the versions of one package (the
//! bundle folders `operators/<name>/<version>/`, the version folders of a
//! package-manifest package) sit side by side under one folder. A run loads
//! such a group together, splits it by package name, orders each history by
//! semver and reads its upgrade graph ([`graph`]). Each bundle is compared
//! with the versions that upgrade to it (its graph predecessors; the
//! previous version when it declares no edge at all) by the CRD upgrade
//! safety checks. What was found becomes the `history` fact of each
//! package, which rules read (`package.history`, see docs/upgrades.md), and
//! a [`HistoryReport`] per history in the report: the latest version's
//! verdict first, the level per version, regressions flagged.

pub mod graph;

use crate::discover::{Layout, Target};
use crate::package::Package;
use crate::phase::Phase;
use crate::report::TargetReport;
use crate::score::Verdict;
use crate::upgrade::{Change, Location, diff};
use crate::yaml::{self, Node};
use graph::{Channel, GraphIssue, Node_};
use schemars::JsonSchema;
use semver::Version;
use serde::Serialize;
use serde_json::{Value as Json, json};
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// Most versions assessed together as one history; a longer run of one
/// package is split (pairs across the split are not compared), so memory
/// stays bounded.
pub const MAX_VERSIONS: usize = 512;

/// What makes targets versions of one history: the folder holding them and
/// the package they name (a bundle's `metadata/annotations.yaml`; a
/// package-manifest version's package file).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct HistoryKey {
    folder: std::path::PathBuf,
    package: String,
}

/// The history key of each target (`None` for charts and manifests).
pub fn keys(targets: &[Target]) -> Vec<Option<HistoryKey>> {
    use rayon::prelude::*;
    targets
        .par_iter()
        .map(|t| {
            let folder = t.path.parent()?.to_path_buf();
            let package = match &t.layout {
                Layout::Bundle => bundle_package(&t.path),
                // The folder already tells packages apart; the file's name
                // keeps the key free of how the path was typed.
                Layout::PackageManifest { package_file } => package_file
                    .file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_default(),
                _ => return None,
            };
            Some(HistoryKey { folder, package })
        })
        .collect()
}

/// The shard (1 to `count`) a target belongs to: a hash of its history's
/// folder and package when it has one (all versions of a package are
/// assessed together, since histories compare them), else of its own path;
/// paths relative to the given root, so the split does not depend on how
/// the root was typed or where the checkout is.
pub fn shard_of(
    target: &Target,
    key: Option<&HistoryKey>,
    roots: &crate::report::Roots,
    count: usize,
) -> usize {
    let text = match key {
        Some(k) => format!("history\n{}\n{}", roots.relative(&k.folder), k.package),
        None => format!("target\n{}", roots.relative(&target.path)),
    };
    // FNV-1a: stable across platforms, releases and runs (std's hasher is not).
    let hash = text.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
    });
    (hash % count.max(1) as u64) as usize + 1
}

/// The package a bundle folder names in `metadata/annotations.yaml` (empty
/// when it names none: then the folder alone groups).
fn bundle_package(dir: &Path) -> String {
    let Ok(bytes) = std::fs::read(dir.join("metadata/annotations.yaml")) else {
        return String::new();
    };
    yaml::parse_bytes(&bytes, &yaml::Limits::default())
        .documents
        .first()
        .and_then(|d| d.root.path("annotations"))
        .and_then(|a| a.get("operators.operatorframework.io.bundle.package.v1"))
        .and_then(Node::scalar_text)
        .unwrap_or_default()
}

/// Splits targets (sorted by path) into index ranges of about `size`
/// targets that never cut a history in two (up to [`MAX_VERSIONS`]).
pub fn chunks(keys: &[Option<HistoryKey>], size: usize) -> Vec<std::ops::Range<usize>> {
    let mut out = Vec::new();
    let mut start = 0;
    let mut i = 0;
    while i < keys.len() {
        // The end of the history that starts at i.
        let mut end = i + 1;
        if let Some(k) = &keys[i] {
            while end < keys.len() && end - i < MAX_VERSIONS && keys[end].as_ref() == Some(k) {
                end += 1;
            }
        }
        if end - start > size && i > start {
            out.push(start..i);
            start = i;
        }
        i = end;
    }
    if start < keys.len() {
        out.push(start..keys.len());
    }
    out
}

/// One version of a history: where its package is in the chunk and what
/// the graph needs of it.
struct Member {
    index: usize,
    version: Version,
    node: Node_,
}

/// The analysis of one history, before its packages are scored.
pub struct Analysis {
    /// Package name.
    package: String,
    /// The folder holding the versions.
    path: String,
    /// Chunk index, version and CSV name of each member, oldest first.
    members: Vec<(usize, String, String)>,
    /// Per member (same order): the versions it upgrades from.
    from: Vec<Vec<String>>,
    /// Breaking changes per member, with the version they come from.
    changes: Vec<Vec<PairChange>>,
    /// The graph's problems.
    graph: Vec<GraphIssue>,
    /// Per member: whether its objects are known (a catalog bundle with only
    /// CSV metadata has no CRDs to compare).
    objects: Vec<bool>,
}

/// A change between two versions of a history.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, JsonSchema)]
pub struct PairChange {
    /// The version upgraded from.
    pub from: String,
    /// The version upgraded to.
    pub to: String,
    /// What changed.
    #[serde(flatten)]
    pub change: Change,
}

impl HistoryKey {
    /// The key of the bundles of `package` in the catalog file `file`.
    pub fn catalog(file: &Path, package: &str) -> HistoryKey {
        HistoryKey {
            folder: file.to_path_buf(),
            package: package.to_string(),
        }
    }
}

/// One loaded package of a chunk, as the grouping into histories sees it.
pub struct Item<'a> {
    /// Its history key, when it can belong to one.
    pub key: Option<HistoryKey>,
    /// The layout of the target it came from.
    pub layout: &'a Layout,
    /// Its node of the upgrade graph when the catalog gives it (FBC
    /// channels); otherwise it is read from the CSV.
    pub node: Option<Node_>,
}

/// What the history analysis needs of one version, taken from its loaded
/// package so that the package can be dropped (and loaded again to be
/// evaluated): the package's name, its node of the upgrade graph, whether
/// its objects are known, and its CRDs reduced to what the upgrade checks
/// read. A history of many versions holds these, not the packages.
pub struct Summary<'a> {
    key: HistoryKey,
    layout: &'a Layout,
    name: String,
    node: Option<Node_>,
    objects: bool,
    crds: Vec<crate::upgrade::crd::Crd>,
}

impl<'a> Summary<'a> {
    /// The summary of `package`, described by `item` (`None` when it has no
    /// history key); CRDs equal to those of other versions are shared
    /// through `interner`.
    pub fn of(
        item: Item<'a>,
        package: &Package,
        interner: &crate::upgrade::crd::Interner,
    ) -> Option<Summary<'a>> {
        let key = item.key?;
        let node = match item.node {
            Some(node) => Some(node),
            None => csv_of(package).map(|csv| {
                let channels = match item.layout {
                    Layout::Bundle => package.facts["channels"]
                        .as_array()
                        .into_iter()
                        .flatten()
                        .filter_map(|c| c.as_str().map(str::to_owned))
                        .collect(),
                    _ => Vec::new(),
                };
                Node_::of_csv(&csv.node, &csv.origin.file, channels)
            }),
        };
        Some(Summary {
            key,
            layout: item.layout,
            name: package.name.clone(),
            objects: package.facts["catalog"]["objects"] != Json::Bool(false),
            crds: node
                .as_ref()
                .map(|_| diff::crds_of(package, interner))
                .unwrap_or_default(),
            node,
        })
    }
}

/// Groups a chunk's versions (`summaries[i]` summarises its package `i`,
/// `None` for one that can belong to no history) into histories (two or
/// more distinct versions of one package) and analyses each.
pub fn analyze(summaries: &[Option<&Summary<'_>>]) -> Vec<Analysis> {
    use rayon::prelude::*;
    let mut groups: BTreeMap<(&HistoryKey, &str), Vec<usize>> = BTreeMap::new();
    for (i, s) in summaries.iter().enumerate() {
        if let Some(s) = s {
            groups.entry((&s.key, s.name.as_str())).or_default().push(i);
        }
    }
    let groups: Vec<_> = groups.into_iter().collect();
    groups
        .par_iter()
        .filter_map(|((key, name), indices)| history(&key.folder, name, indices, summaries))
        .collect()
}

fn csv_of(p: &Package) -> Option<&crate::package::Resource> {
    p.resources
        .iter()
        .find(|r| r.kind == "ClusterServiceVersion" && r.origin.embedded.is_none())
}

fn history(
    folder: &Path,
    name: &str,
    indices: &[usize],
    summaries: &[Option<&Summary<'_>>],
) -> Option<Analysis> {
    let summary = |i: usize| summaries[i];
    let mut members: Vec<Member> = indices
        .iter()
        .filter_map(|&i| {
            let node = summary(i)?.node.clone()?;
            Some(Member {
                index: i,
                version: node.version.clone()?,
                node,
            })
        })
        .collect();
    members.sort_by(|a, b| {
        a.version
            .cmp_precedence(&b.version)
            .then(a.index.cmp(&b.index))
    });
    let distinct: BTreeSet<String> = members.iter().map(|m| m.version.to_string()).collect();
    if distinct.len() < 2 {
        return None;
    }
    let declared = match summary(members[0].index)?.layout {
        Layout::PackageManifest { package_file } => channels_of(package_file),
        _ => Vec::new(),
    };
    let nodes: Vec<Node_> = members.iter().map(|m| m.node.clone()).collect();
    let graph = graph::check(&nodes, &declared);
    let all: BTreeSet<usize> = (0..nodes.len()).collect();
    let edges = graph::edges(&nodes, &all);
    let crds = |k: usize| summary(members[k].index).map_or(&[][..], |s| &s.crds[..]);
    let mut from = Vec::new();
    let mut changes = Vec::new();
    for (k, m) in members.iter().enumerate() {
        let mut preds: Vec<usize> = edges[k].iter().copied().collect();
        // Nearest first, so a change is reported against the version closest to it.
        preds.sort_by(|&a, &b| members[b].version.cmp_precedence(&members[a].version));
        let mut seen = BTreeSet::new();
        let mut found = Vec::new();
        for &p in &preds {
            for change in diff::crd_changes(crds(p), crds(k)) {
                let id = (
                    change.kind,
                    change.subject.clone(),
                    change.version.clone(),
                    change.path.clone(),
                );
                if change.breaking && seen.insert(id) {
                    found.push(PairChange {
                        from: members[p].version.to_string(),
                        to: m.version.to_string(),
                        change,
                    });
                }
            }
        }
        from.push(
            preds
                .iter()
                .map(|&p| members[p].version.to_string())
                .collect(),
        );
        changes.push(found);
    }
    Some(Analysis {
        package: name.to_string(),
        path: crate::discover::display_path(folder),
        members: members
            .iter()
            .map(|m| (m.index, m.version.to_string(), m.node.name.clone()))
            .collect(),
        from,
        changes,
        graph,
        objects: members
            .iter()
            .map(|m| summary(m.index).is_some_and(|s| s.objects))
            .collect(),
    })
}

/// The channels a package file declares, with their heads.
fn channels_of(package_file: &Path) -> Vec<Channel> {
    let Ok(bytes) = std::fs::read(package_file) else {
        return Vec::new();
    };
    let parsed = yaml::parse_bytes(&bytes, &yaml::Limits::default());
    let file = crate::discover::display_path(package_file);
    parsed
        .documents
        .first()
        .and_then(|d| d.root.get("channels"))
        .and_then(Node::as_seq)
        .into_iter()
        .flatten()
        .filter_map(|ch| {
            let head = ch.get("currentCSV");
            Some(Channel {
                name: ch.get("name")?.scalar_text()?,
                head: head.and_then(Node::scalar_text),
                declared_at: Some(Location {
                    file: file.clone(),
                    line: head.map_or(ch.pos.line, |h| h.pos.line),
                }),
            })
        })
        .collect()
}

impl Analysis {
    /// The `history` fact of each member's package: chunk index → fact.
    pub fn facts(&self) -> Vec<(usize, Json)> {
        let versions: Vec<&str> = self.members.iter().map(|m| m.1.as_str()).collect();
        let mut streak = 0usize;
        let mut out = Vec::new();
        for (k, (index, _, csv)) in self.members.iter().enumerate() {
            let mine: Vec<&GraphIssue> = self.graph.iter().filter(|g| &g.bundle == csv).collect();
            let known = self.objects[k];
            let crd_safe = self.changes[k].is_empty();
            let upgrades = !self.from[k].is_empty();
            streak = if upgrades && known && crd_safe && mine.is_empty() {
                streak + 1
            } else {
                0
            };
            out.push((
                *index,
                json!({
                    "package": self.package,
                    "versions": versions,
                    "position": k,
                    "latest": k + 1 == self.members.len(),
                    "upgradesFrom": self.from[k],
                    // Unknown (null) when the bundle's CRDs are not in the catalog.
                    "crdSafe": if known { Json::Bool(crd_safe) } else { Json::Null },
                    "graphValid": mine.is_empty(),
                    "safeUpgradeStreak": streak,
                    "breakingChanges": self.changes[k].iter().map(|c| json!({
                        "kind": c.change.kind.id(),
                        "subject": c.change.subject,
                        "version": c.change.version,
                        "path": c.change.path,
                        "from": c.from,
                    })).collect::<Vec<_>>(),
                    "graphIssues": mine.iter().map(|g| json!({
                        "kind": g.kind.id(),
                        "message": g.message,
                    })).collect::<Vec<_>>(),
                }),
            ));
        }
        out
    }
}

/// One version in a history's report.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct HistoryVersion {
    /// The version.
    pub version: String,
    /// The target's path.
    pub path: String,
    /// The bundle's name in the upgrade graph (its CSV's name), which the
    /// graph problems name.
    pub bundle: String,
    /// The evidenced level.
    pub evidenced: Option<Phase>,
    /// The declared level.
    pub declared: Option<Phase>,
    /// The claim verdict.
    pub verdict: Verdict,
    /// A–F.
    pub grade: String,
    /// 0–100.
    pub score: f64,
    /// The versions that upgrade to this one (graph predecessors).
    pub upgrades_from: Vec<String>,
    /// Breaking CRD changes from those versions.
    pub breaking: usize,
    /// Upgrade-graph problems located at this version.
    pub graph_issues: usize,
    /// It evidences a lower level than the version before it.
    pub regression: bool,
}

/// A history in the report: what a catalog dashboard shows of a package.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct HistoryReport {
    /// The package name.
    pub package: String,
    /// The folder holding its versions.
    pub path: String,
    /// The latest version (its verdict is the history's headline).
    pub latest: HistoryVersion,
    /// Every version, newest first: the level per version is the trend.
    pub versions: Vec<HistoryVersion>,
    /// Versions evidencing a lower level than their predecessor.
    pub regressions: usize,
    /// Upgrade-graph problems.
    pub graph: Vec<GraphIssue>,
    /// Breaking changes between versions.
    pub changes: Vec<PairChange>,
}

impl HistoryReport {
    /// The evidenced level of every version, oldest first, as roman
    /// numerals (`-` for none) separated by spaces: the trend the table and
    /// Markdown show.
    pub fn trend(&self) -> String {
        let levels: Vec<&str> = self
            .versions
            .iter()
            .rev()
            .map(|v| v.evidenced.map_or("-", Phase::roman))
            .collect();
        levels.join(" ")
    }

    /// The breaking changes of the upgrades into the latest version: what
    /// a user upgrading to the newest release meets.
    pub fn breaking_into_latest(&self) -> Vec<&PairChange> {
        self.changes
            .iter()
            .filter(|c| c.to == self.latest.version)
            .collect()
    }

    /// A one-line account of a version's upgrades that break (CRD changes
    /// and graph problems located at it), `None` when none does.
    pub fn breaks_into(&self, v: &HistoryVersion) -> Option<String> {
        let mut kinds: BTreeSet<String> = self
            .changes
            .iter()
            .filter(|c| c.to == v.version)
            .map(|c| c.change.kind.id())
            .collect();
        if kinds.is_empty() && v.graph_issues == 0 {
            return None;
        }
        let mut parts = Vec::new();
        if !kinds.is_empty() {
            parts.push(format!(
                "{} breaking CRD change(s) from {} ({})",
                v.breaking,
                v.upgrades_from.join(", "),
                std::mem::take(&mut kinds)
                    .into_iter()
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
        }
        if v.graph_issues > 0 {
            parts.push(format!("{} upgrade-graph problem(s)", v.graph_issues));
        }
        Some(parts.join("; "))
    }
}

/// The report of one analysed history, from its members' target reports
/// (chunk index → report).
pub fn report(a: &Analysis, reports: &[TargetReport]) -> HistoryReport {
    let mut list: Vec<HistoryVersion> = Vec::new();
    let mut previous: Option<Option<Phase>> = None;
    for (k, (index, version, csv)) in a.members.iter().enumerate() {
        let t = &reports[*index];
        let mine = a.graph.iter().filter(|g| &g.bundle == csv).count();
        list.push(HistoryVersion {
            version: version.clone(),
            path: t.path.clone(),
            bundle: csv.clone(),
            evidenced: t.evidenced,
            declared: t.declared,
            verdict: t.verdict,
            grade: t.grade.clone(),
            score: t.score,
            upgrades_from: a.from[k].clone(),
            breaking: a.changes[k].len(),
            graph_issues: mine,
            regression: previous.is_some_and(|p| t.evidenced < p),
        });
        previous = Some(t.evidenced);
    }
    list.reverse();
    HistoryReport {
        package: a.package.clone(),
        path: a.path.clone(),
        latest: list[0].clone(),
        regressions: list.iter().filter(|v| v.regression).count(),
        versions: list,
        graph: a.graph.clone(),
        changes: a.changes.iter().flatten().cloned().collect(),
    }
}

/// The histories as a terminal table: per package the latest version's
/// level and verdict, the level per version from oldest to newest (the
/// trend), regressions, breaking upgrades and graph problems.
pub fn table(histories: &[HistoryReport], width: Option<usize>) -> String {
    use crate::report::fit::{self, Column};
    use comfy_table::{ContentArrangement, Table, presets::UTF8_FULL_CONDENSED};
    let header: Vec<String> = [
        "history",
        "where",
        "latest",
        "evidenced",
        "verdict",
        "trend (oldest → newest)",
        "regressions",
        "breaking",
        "graph",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    // On a narrow terminal the path and the trend are cut in the middle,
    // then the counts, the trend and the path are left out.
    let columns = [
        Column::cut(12, 2),
        Column::cut(16, 0).or_drop(4),
        Column::cut(8, 3),
        Column::FIXED,
        Column::FIXED,
        Column::cut(24, 1).or_drop(3),
        Column::FIXED.or_drop(2),
        Column::FIXED.or_drop(1),
        Column::FIXED.or_drop(0),
    ];
    let rows: Vec<Vec<String>> = histories
        .iter()
        .map(|h| {
            vec![
                h.package.clone(),
                h.path.clone(),
                h.latest.version.clone(),
                crate::report::phase_label(h.latest.evidenced),
                crate::report::verdict_id(h.latest.verdict).to_string(),
                h.trend(),
                h.regressions.to_string(),
                h.changes.len().to_string(),
                h.graph.len().to_string(),
            ]
        })
        .collect();
    let (header, rows) = match width {
        Some(w) => {
            let fitted = fit::fit(&header, &rows, &columns, w);
            (fitted.header, fitted.rows)
        }
        None => (header, rows),
    };
    let mut table = Table::new();
    table
        .load_style(UTF8_FULL_CONDENSED)
        .set_content_arrangement(ContentArrangement::Disabled)
        .force_no_tty()
        .set_header(header);
    for row in rows {
        table.add_row(row);
    }
    format!("histories:\n{table}")
}
