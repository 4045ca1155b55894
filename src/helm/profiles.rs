//! Value profiles a chart is assessed under: its defaults, `features-on`
//! (every boolean `enabled`/`create` switched on), each `ci/*-values.yaml`,
//! and the user's own values.

use super::chart::Chart;
use super::render::{RenderOptions, Rendered, render};
use crate::yaml;

/// A named values overlay.
#[derive(Debug, Clone, PartialEq)]
pub struct Profile {
    /// `defaults`, `features-on`, `ci/<file>`, or `user`.
    pub name: String,
    /// Values laid over the chart's defaults (an empty mapping for `defaults`).
    pub overlay: yaml::Node,
}

fn empty_map() -> yaml::Node {
    yaml::Node {
        value: yaml::Value::Map(yaml::Mapping::default()),
        pos: yaml::Pos::default(),
    }
}

/// The chart's built-in profiles: `defaults`, `features-on` (when it
/// switches anything), and one per `ci/*-values.yaml` (`ci/*.yaml` files
/// The name of the profile that switches every `enabled`/`create` toggle on.
pub const FEATURES_ON: &str = "features-on";

/// that parse to a mapping).
pub fn profiles(chart: &Chart) -> Vec<Profile> {
    let mut out = vec![Profile {
        name: "defaults".into(),
        overlay: empty_map(),
    }];
    let mut switched = 0;
    let overlay = features_on(&chart.values, &mut switched, 0);
    if switched > 0
        && let Some(o) = overlay
    {
        out.push(Profile {
            name: FEATURES_ON.into(),
            overlay: o,
        });
    }
    for f in &chart.files {
        let Some(rest) = f.name.strip_prefix("ci/") else {
            continue;
        };
        if rest.contains('/') || !(rest.ends_with("-values.yaml") || rest.ends_with("-values.yml"))
        {
            continue;
        }
        let parsed = yaml::parse_bytes(&f.data, &yaml::Limits::default());
        if let Some(doc) = parsed.documents.into_iter().next()
            && doc.root.as_map().is_some()
        {
            out.push(Profile {
                name: f.name.clone(),
                overlay: doc.root,
            });
        }
    }
    out
}

/// The overlay switching every `enabled`/`create: false` to true, keeping
/// positions of the keys it switches (they point at values.yaml).
fn features_on(node: &yaml::Node, switched: &mut usize, depth: usize) -> Option<yaml::Node> {
    let map = node.as_map()?;
    if depth > 64 {
        return None;
    }
    let mut out = yaml::Mapping::default();
    for (k, v) in map.iter() {
        let pos = map.key_pos(k).unwrap_or_default();
        if (k == "enabled" || k == "create") && v.as_bool() == Some(false) {
            *switched += 1;
            out.entries.insert(
                k.to_owned(),
                (
                    pos,
                    yaml::Node {
                        value: yaml::Value::Bool(true),
                        pos: v.pos,
                    },
                ),
            );
        } else if let Some(sub) = features_on(v, switched, depth + 1)
            && sub.as_map().is_some_and(|m| !m.is_empty())
        {
            out.entries.insert(k.to_owned(), (pos, sub));
        }
    }
    Some(yaml::Node {
        value: yaml::Value::Map(out),
        pos: node.pos,
    })
}

/// Renders a chart under a profile: the profile's overlay goes before the
/// user's own `-f` files (which still win), `--set` last.
pub fn render_profile(chart: &Chart, profile: &Profile, options: &RenderOptions) -> Rendered {
    let mut opts = options.clone();
    opts.value_files.insert(0, profile.overlay.clone());
    render(chart, &opts)
}
