//! The upgrade graph of one history: which bundle upgrades from which
//! (`replaces`, `skips`, `olm.skipRange`), per channel, and what is wrong
//! with it.
//!
//! Edges run from a bundle to the bundles it upgrades from; a bundle that
//! declares no edge at all upgrades from the version before it (catalogs in
//! semver mode derive their graph so). A channel's head
//! is the bundle nothing in the channel upgrades from (for a package-manifest
//! package, the channel's declared `currentCSV`). Checks: every `replaces`
//! target exists (except below the oldest version present: catalogs prune
//! their tails), every `olm.skipRange` parses and covers only older versions,
//! `replaces` has no cycle, a channel has one head and it is its highest
//! version, every bundle of a channel reaches the head, and no version is
//! jumped over by a `replaces` without another edge out of it.

use crate::upgrade::Location;
use crate::upgrade::range::Range;
use crate::yaml::Node;
use schemars::JsonSchema;
use semver::Version;
use serde::Serialize;
use std::cmp::Ordering;
use std::collections::{BTreeMap, BTreeSet};

/// What is wrong with an upgrade graph.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum GraphKind {
    /// `spec.replaces` names a bundle the history does not have (and the
    /// bundle is not the oldest one present).
    ReplacesMissing,
    /// `olm.skipRange` does not parse as OLM reads ranges.
    SkipRangeInvalid,
    /// `olm.skipRange` covers the bundle's own version or a newer one.
    SkipRangeCoversNewer,
    /// Following `replaces` comes back to where it started.
    Cycle,
    /// A channel has several bundles nothing upgrades from.
    SeveralHeads,
    /// A channel's head is not its highest version.
    HeadNotHighest,
    /// A package-manifest channel's `currentCSV` is not in the history.
    HeadMissing,
    /// A bundle from which no upgrade path leads to the channel head.
    Unreachable,
    /// A `replaces` jumps over this version, and nothing upgrades from it.
    VersionSkipped,
}

impl GraphKind {
    /// The kebab-case id.
    pub fn id(self) -> String {
        crate::upgrade::kind_id(self)
    }
}

/// One problem of an upgrade graph, located at a CSV line.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, JsonSchema)]
pub struct GraphIssue {
    /// What is wrong.
    pub kind: GraphKind,
    /// The CSV name of the bundle concerned.
    pub bundle: String,
    /// The channel, when the problem is one of a channel.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub channel: Option<String>,
    /// In words.
    pub message: String,
    /// The CSV line (or the package file's, for a missing head).
    pub at: Location,
}

/// What the graph needs of one bundle.
#[derive(Debug, Clone)]
pub struct Node_ {
    /// CSV `metadata.name`.
    pub name: String,
    /// CSV `spec.version`, parsed.
    pub version: Option<Version>,
    /// `spec.replaces`.
    pub replaces: Option<String>,
    /// `spec.skips`.
    pub skips: Vec<String>,
    /// `olm.skipRange`, as written.
    pub skip_range: Option<String>,
    /// The channels the bundle declares (bundle layout); empty otherwise.
    pub channels: Vec<String>,
    /// The CSV's file.
    pub file: String,
    /// Lines of `metadata.name`, `spec.replaces` and `olm.skipRange`.
    pub lines: (u32, u32, u32),
}

impl Node_ {
    /// Reads a CSV object from `file`.
    pub fn of_csv(csv: &Node, file: &str, channels: Vec<String>) -> Node_ {
        let text = |p: &str| csv.path(p).and_then(Node::as_str).map(str::to_owned);
        let annotation = csv
            .path("metadata.annotations")
            .and_then(|a| a.get("olm.skipRange"));
        let line = |n: Option<&Node>| n.map_or(csv.pos.line, |n| n.pos.line);
        Node_ {
            name: text("metadata.name").unwrap_or_default(),
            version: csv
                .path("spec.version")
                .and_then(Node::scalar_text)
                .and_then(|v| Version::parse(v.trim_start_matches('v')).ok()),
            replaces: text("spec.replaces").filter(|r| !r.is_empty()),
            skips: csv
                .path("spec.skips")
                .and_then(Node::as_seq)
                .into_iter()
                .flatten()
                .filter_map(|s| s.as_str().map(str::to_owned))
                .collect(),
            skip_range: annotation.and_then(Node::as_str).map(str::to_owned),
            channels,
            file: file.to_string(),
            lines: (
                line(csv.path("metadata.name")),
                line(csv.path("spec.replaces")),
                line(annotation),
            ),
        }
    }

    fn at(&self, line: u32) -> Location {
        Location {
            file: self.file.clone(),
            line,
        }
    }
}

/// A channel: its name, declared head (package manifests) and where that
/// is declared.
#[derive(Debug, Clone)]
pub struct Channel {
    /// The channel's name.
    pub name: String,
    /// `currentCSV`, when the package file declares it.
    pub head: Option<String>,
    /// Where the head is declared.
    pub declared_at: Option<Location>,
}

fn cmp(a: &Option<Version>, b: &Option<Version>) -> Ordering {
    match (a, b) {
        (Some(a), Some(b)) => a.cmp_precedence(b),
        (a, b) => a.is_some().cmp(&b.is_some()),
    }
}

/// The bundles (indices into the history) each bundle upgrades from, among
/// `members`: those it `replaces`, `skips` or covers by `olm.skipRange`, or
/// when it declares none of these, the highest version below its own.
pub fn edges(nodes: &[Node_], members: &BTreeSet<usize>) -> Vec<BTreeSet<usize>> {
    let by_name: BTreeMap<&str, usize> = members
        .iter()
        .map(|&i| (nodes[i].name.as_str(), i))
        .collect();
    nodes
        .iter()
        .enumerate()
        .map(|(i, n)| {
            let mut from = BTreeSet::new();
            if !members.contains(&i) {
                return from;
            }
            from.extend(n.replaces.as_deref().and_then(|r| by_name.get(r).copied()));
            from.extend(
                n.skips
                    .iter()
                    .filter_map(|s| by_name.get(s.as_str()).copied()),
            );
            if let Some(range) = n.skip_range.as_deref().and_then(|r| Range::parse(r).ok()) {
                from.extend(members.iter().copied().filter(|&j| {
                    j != i && nodes[j].version.as_ref().is_some_and(|v| range.contains(v))
                }));
            }
            if n.replaces.is_none() && n.skips.is_empty() && n.skip_range.is_none() {
                // Semver mode: a bundle that declares no edge at all
                // upgrades from the version before it in the channel, as
                // catalogs built with `updateGraph: semver-mode` derive.
                from.extend(
                    members
                        .iter()
                        .copied()
                        .filter(|&j| cmp(&nodes[j].version, &n.version) == Ordering::Less)
                        .max_by(|&a, &b| cmp(&nodes[a].version, &nodes[b].version)),
                );
            }
            from.remove(&i);
            from
        })
        .collect()
}

/// Every problem of the history's graph. `channels` lists the declared
/// channels (package manifests); bundles' own `channels` are used otherwise,
/// and with neither, all bundles form one channel.
pub fn check(nodes: &[Node_], declared: &[Channel]) -> Vec<GraphIssue> {
    let mut out = Vec::new();
    let all: BTreeSet<usize> = (0..nodes.len()).collect();
    let names: BTreeSet<&str> = nodes.iter().map(|n| n.name.as_str()).collect();
    let oldest = (0..nodes.len()).min_by(|&a, &b| cmp(&nodes[a].version, &nodes[b].version));
    for (i, n) in nodes.iter().enumerate() {
        if let Some(r) = &n.replaces
            && !names.contains(r.as_str())
            && Some(i) != oldest
        {
            out.push(GraphIssue {
                kind: GraphKind::ReplacesMissing,
                bundle: n.name.clone(),
                channel: None,
                message: format!("{} replaces {r}, which is not in the history", n.name),
                at: n.at(n.lines.1),
            });
        }
        if let Some(text) = &n.skip_range {
            match Range::parse(text) {
                Err(e) => out.push(GraphIssue {
                    kind: GraphKind::SkipRangeInvalid,
                    bundle: n.name.clone(),
                    channel: None,
                    message: format!("olm.skipRange `{text}` does not parse: {e}"),
                    at: n.at(n.lines.2),
                }),
                Ok(range) => {
                    let own = n.version.as_ref();
                    let newer: Vec<String> = nodes
                        .iter()
                        .filter_map(|m| m.version.as_ref())
                        .filter(|v| own.is_some_and(|o| v.cmp_precedence(o) != Ordering::Less))
                        .filter(|v| range.contains(v))
                        .map(ToString::to_string)
                        .collect();
                    if !newer.is_empty() {
                        out.push(GraphIssue {
                            kind: GraphKind::SkipRangeCoversNewer,
                            bundle: n.name.clone(),
                            channel: None,
                            message: format!(
                                "olm.skipRange `{text}` of {} covers its own or newer versions: {}",
                                n.name,
                                newer.join(", ")
                            ),
                            at: n.at(n.lines.2),
                        });
                    }
                }
            }
        }
    }
    cycles(nodes, &mut out);

    // Channels and their members.
    let mut channels: Vec<(Channel, BTreeSet<usize>)> = Vec::new();
    let full = edges(nodes, &all);
    if !declared.is_empty() {
        for ch in declared {
            let head = ch
                .head
                .as_deref()
                .and_then(|h| nodes.iter().position(|n| n.name == h));
            match head {
                Some(h) => {
                    let members = reach(&full, h);
                    channels.push((ch.clone(), members));
                }
                None => out.push(GraphIssue {
                    kind: GraphKind::HeadMissing,
                    bundle: ch.head.clone().unwrap_or_default(),
                    channel: Some(ch.name.clone()),
                    message: format!(
                        "channel {} names {} as its head, which is not in the history",
                        ch.name,
                        ch.head.as_deref().unwrap_or("nothing")
                    ),
                    at: ch.declared_at.clone().unwrap_or_else(|| nodes[0].at(1)),
                }),
            }
        }
        // A bundle in no channel: nothing leads from it to any head.
        let reached: BTreeSet<usize> = channels.iter().flat_map(|(_, m)| m.clone()).collect();
        stranded(nodes, &all, &reached, None, &mut out);
    } else {
        let mut by_channel: BTreeMap<&str, BTreeSet<usize>> = BTreeMap::new();
        for (i, n) in nodes.iter().enumerate() {
            if n.channels.is_empty() {
                by_channel.entry("").or_default().insert(i);
            }
            for c in &n.channels {
                by_channel.entry(c.as_str()).or_default().insert(i);
            }
        }
        for (name, members) in by_channel {
            let channel = (!name.is_empty()).then(|| name.to_string());
            let e = edges(nodes, &members);
            let upgraded: BTreeSet<usize> = e.iter().flatten().copied().collect();
            let mut heads: Vec<usize> = members
                .iter()
                .copied()
                .filter(|i| !upgraded.contains(i))
                .collect();
            heads.sort_by(|&a, &b| cmp(&nodes[b].version, &nodes[a].version));
            let Some(&head) = heads.first() else { continue };
            for &h in &heads[1..] {
                out.push(match jumper(nodes, h) {
                    Some(b) => skipped(nodes, h, b, channel.as_deref()),
                    None => GraphIssue {
                        kind: GraphKind::SeveralHeads,
                        bundle: nodes[h].name.clone(),
                        channel: channel.clone(),
                        message: format!(
                            "nothing in the channel upgrades from {}, so it is a second head beside {}",
                            nodes[h].name, nodes[head].name
                        ),
                        at: nodes[h].at(nodes[h].lines.0),
                    },
                });
            }
            head_highest(nodes, &members, head, channel.as_deref(), &mut out);
            // A second head was reported already; what reaches any head
            // has an upgrade path.
            let reached: BTreeSet<usize> = heads.iter().flat_map(|&h| reach(&e, h)).collect();
            let rest: BTreeSet<usize> = members
                .iter()
                .copied()
                .filter(|i| !heads.contains(i))
                .collect();
            stranded(nodes, &rest, &reached, channel.as_deref(), &mut out);
        }
    }
    for (ch, members) in &channels {
        if let Some(h) = ch
            .head
            .as_deref()
            .and_then(|h| nodes.iter().position(|n| n.name == h))
        {
            head_highest(nodes, members, h, Some(&ch.name), &mut out);
        }
    }
    out.sort();
    out.dedup();
    out
}

fn head_highest(
    nodes: &[Node_],
    members: &BTreeSet<usize>,
    head: usize,
    channel: Option<&str>,
    out: &mut Vec<GraphIssue>,
) {
    if let Some(&top) = members
        .iter()
        .max_by(|&&a, &&b| cmp(&nodes[a].version, &nodes[b].version))
        && cmp(&nodes[top].version, &nodes[head].version) == Ordering::Greater
    {
        out.push(GraphIssue {
            kind: GraphKind::HeadNotHighest,
            bundle: nodes[head].name.clone(),
            channel: channel.map(str::to_owned),
            message: format!(
                "the channel head {} is not its highest version: {} is",
                nodes[head].name, nodes[top].name
            ),
            at: nodes[head].at(nodes[head].lines.0),
        });
    }
}

/// Bundles of `members` not in `reached`: each jumped over by a `replaces`
/// (version-skipped) or else unreachable.
fn stranded(
    nodes: &[Node_],
    members: &BTreeSet<usize>,
    reached: &BTreeSet<usize>,
    channel: Option<&str>,
    out: &mut Vec<GraphIssue>,
) {
    for &i in members.iter().filter(|i| !reached.contains(i)) {
        let n = &nodes[i];
        out.push(match jumper(nodes, i) {
            Some(b) => skipped(nodes, i, b, channel),
            None => GraphIssue {
                kind: GraphKind::Unreachable,
                bundle: n.name.clone(),
                channel: channel.map(str::to_owned),
                message: format!("no upgrade path leads from {} to the channel head", n.name),
                at: n.at(n.lines.0),
            },
        });
    }
}

/// A bundle whose `replaces` jumps over bundle `i` (replaces an older one
/// while being newer).
fn jumper(nodes: &[Node_], i: usize) -> Option<&Node_> {
    let n = &nodes[i];
    nodes.iter().find(|b| {
        let Some(target) = b
            .replaces
            .as_deref()
            .and_then(|r| nodes.iter().find(|t| t.name == r))
        else {
            return false;
        };
        cmp(&target.version, &n.version) == Ordering::Less
            && cmp(&n.version, &b.version) == Ordering::Less
    })
}

fn skipped(nodes: &[Node_], i: usize, b: &Node_, channel: Option<&str>) -> GraphIssue {
    let n = &nodes[i];
    GraphIssue {
        kind: GraphKind::VersionSkipped,
        bundle: n.name.clone(),
        channel: channel.map(str::to_owned),
        message: format!(
            "{} replaces {}, jumping over {}, and nothing upgrades from {}",
            b.name,
            b.replaces.as_deref().unwrap_or_default(),
            n.name,
            n.name
        ),
        at: n.at(n.lines.0),
    }
}

/// Everything `start` upgrades from, transitively, and `start` itself.
fn reach(edges: &[BTreeSet<usize>], start: usize) -> BTreeSet<usize> {
    let mut seen = BTreeSet::from([start]);
    let mut todo = vec![start];
    while let Some(i) = todo.pop() {
        for &j in &edges[i] {
            if seen.insert(j) {
                todo.push(j);
            }
        }
    }
    seen
}

/// Cycles of `replaces`, each reported once at its first bundle by name.
fn cycles(nodes: &[Node_], out: &mut Vec<GraphIssue>) {
    let by_name: BTreeMap<&str, usize> = nodes
        .iter()
        .enumerate()
        .map(|(i, n)| (n.name.as_str(), i))
        .collect();
    let next = |i: usize| {
        nodes[i]
            .replaces
            .as_deref()
            .and_then(|r| by_name.get(r).copied())
    };
    let mut reported = BTreeSet::new();
    for start in 0..nodes.len() {
        let mut path = vec![start];
        let mut i = start;
        while let Some(j) = next(i) {
            if let Some(pos) = path.iter().position(|&p| p == j) {
                let ring: BTreeSet<usize> = path[pos..].iter().copied().collect();
                let first = ring
                    .iter()
                    .copied()
                    .min_by(|&a, &b| nodes[a].name.cmp(&nodes[b].name))
                    .unwrap_or(j);
                if reported.insert(first) {
                    let names: Vec<&str> = path[pos..]
                        .iter()
                        .map(|&k| nodes[k].name.as_str())
                        .collect();
                    out.push(GraphIssue {
                        kind: GraphKind::Cycle,
                        bundle: nodes[first].name.clone(),
                        channel: None,
                        message: format!("replaces forms a cycle: {} → back", names.join(" → ")),
                        at: nodes[first].at(nodes[first].lines.1),
                    });
                }
                break;
            }
            if path.len() > nodes.len() {
                break;
            }
            path.push(j);
            i = j;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn node(name: &str, version: &str, replaces: Option<&str>) -> Node_ {
        Node_ {
            name: name.into(),
            version: Version::parse(version).ok(),
            replaces: replaces.map(str::to_owned),
            skips: Vec::new(),
            skip_range: None,
            channels: Vec::new(),
            file: format!("{name}.yaml"),
            lines: (4, 20, 6),
        }
    }

    fn kinds(issues: &[GraphIssue]) -> Vec<(GraphKind, &str)> {
        issues.iter().map(|i| (i.kind, i.bundle.as_str())).collect()
    }

    #[test]
    fn a_straight_chain_is_valid() {
        let nodes = [
            node("op.v1.0.0", "1.0.0", Some("op.v0.9.0")),
            node("op.v1.1.0", "1.1.0", Some("op.v1.0.0")),
            node("op.v1.2.0", "1.2.0", Some("op.v1.1.0")),
        ];
        assert_eq!(check(&nodes, &[]), []);
        // Semver mode: no bundle declares an edge.
        let nodes = [
            node("op.v1.0.0", "1.0.0", None),
            node("op.v1.1.0", "1.1.0", None),
            node("op.v1.2.0", "1.2.0", None),
        ];
        assert_eq!(check(&nodes, &[]), []);
        let all = (0..3).collect();
        assert_eq!(edges(&nodes, &all)[2], BTreeSet::from([1]));
    }

    #[test]
    fn broken_graphs_are_located() {
        let mut skipped = node("op.v1.2.0", "1.2.0", Some("op.v1.0.0"));
        skipped.skip_range = Some(">=1.0.0 <1.3.0".into());
        let nodes = [
            node("op.v1.0.0", "1.0.0", None),
            node("op.v1.1.0", "1.1.0", Some("op.v1.0.0")),
            skipped,
            node("op.v1.3.0", "1.3.0", Some("op.v1.0.5")),
        ];
        let issues = check(&nodes, &[]);
        assert_eq!(
            kinds(&issues),
            [
                (GraphKind::ReplacesMissing, "op.v1.3.0"),
                (GraphKind::SkipRangeCoversNewer, "op.v1.2.0"),
                (GraphKind::SeveralHeads, "op.v1.2.0"),
            ]
        );
        assert_eq!(issues[0].at.line, 20);

        let nodes = [
            node("op.v1.0.0", "1.0.0", None),
            node("op.v1.1.0", "1.1.0", Some("op.v1.0.0")),
            node("op.v1.2.0", "1.2.0", Some("op.v1.0.0")),
        ];
        assert_eq!(
            kinds(&check(&nodes, &[])),
            [(GraphKind::VersionSkipped, "op.v1.1.0")]
        );
        let nodes = [
            node("op.v1.0.0", "1.0.0", Some("op.v1.1.0")),
            node("op.v1.1.0", "1.1.0", Some("op.v1.0.0")),
        ];
        assert!(kinds(&check(&nodes, &[])).contains(&(GraphKind::Cycle, "op.v1.0.0")));
    }

    #[test]
    fn declared_channels_find_stranded_versions() {
        let nodes = [
            node("op.v1.0.0", "1.0.0", None),
            node("op.v1.1.0", "1.1.0", Some("op.v1.0.0")),
            node("op.v1.2.0", "1.2.0", Some("op.v1.0.0")),
            node("op.v1.3.0", "1.3.0", Some("op.v1.2.0")),
        ];
        let stable = Channel {
            name: "stable".into(),
            head: Some("op.v1.2.0".into()),
            declared_at: None,
        };
        assert_eq!(
            kinds(&check(&nodes, &[stable])),
            [
                (GraphKind::Unreachable, "op.v1.3.0"),
                (GraphKind::VersionSkipped, "op.v1.1.0"),
            ]
        );
        let gone = Channel {
            name: "fast".into(),
            head: Some("op.v9.0.0".into()),
            declared_at: None,
        };
        assert!(kinds(&check(&nodes, &[gone])).contains(&(GraphKind::HeadMissing, "op.v9.0.0")));
    }
}
