//! Which subcharts render: Helm's `processDependencyEnabled`, run on the
//! user's values before anything is coalesced.
//!
//! Helm first lists a chart's subcharts: every vendored chart that no
//! `dependencies` entry matches (by name and version constraint) under its
//! own name, then one copy per matching entry under the entry's alias.
//! It coalesces the values (user values over the defaults of the whole
//! tree), flags each entry enabled by its `tags` (against the top-level
//! `tags` table) and then by the first of its comma-separated `condition`
//! paths that holds a boolean, and removes every listed chart whose *name*
//! is the name (alias) of a disabled entry, which also removes a vendored
//! chart whose version does not satisfy the entry that disabled it. It then
//! recurses into the kept subcharts, their condition paths prefixed by
//! their names. Only then are values coalesced for rendering, so a disabled
//! subchart's defaults never reach `.Values`.

use std::borrow::Cow;

use super::chart::{Chart, Dependency};
use super::values::{self, VMap};

/// Deepest nesting of subcharts walked (the loader bounds it too).
const MAX_DEPTH: usize = 32;

/// The chart tree Helm renders for these user values: disabled
/// dependencies removed, aliased subcharts renamed to their alias (one copy
/// per alias), each kept `dependencies` entry named by its alias. Borrowed
/// when nothing changes.
pub(crate) fn enabled_tree<'a>(chart: &'a Chart, user: &VMap) -> Cow<'a, Chart> {
    match process(chart, user, "", 0) {
        Some(c) => Cow::Owned(c),
        None => Cow::Borrowed(chart),
    }
}

/// One subchart as the parent lists it: which vendored chart, under which name.
struct Listed {
    index: usize,
    name: String,
}

/// Helm's `processDependencyEnabled(c, v, path)`; `None` when the chart
/// (and everything below it) stays as loaded.
fn process(c: &Chart, v: &VMap, path: &str, depth: usize) -> Option<Chart> {
    let deps = &c.metadata.dependencies;
    // Helm stops at a chart that declares no dependencies, vendored or not.
    if deps.is_empty() || depth > MAX_DEPTH {
        return None;
    }
    let listed = list_subcharts(c);
    let cvals = values::coalesce_raw(c, v);
    let disabled: Vec<&str> = deps
        .iter()
        .filter(|d| !values::dependency_enabled(d, &cvals, path))
        .map(Dependency::effective_name)
        .collect();
    let kept: Vec<&Listed> = listed
        .iter()
        .filter(|l| !disabled.contains(&l.name.as_str()))
        .collect();
    let mut changed = !disabled.is_empty()
        || deps.iter().any(|d| !d.alias.is_empty())
        || kept.len() != c.subcharts.len();
    let mut subcharts = Vec::with_capacity(kept.len());
    for l in &kept {
        let original = &c.subcharts[l.index];
        let sub_path = format!("{path}{}.", l.name);
        let sub = match process(original, &cvals, &sub_path, depth + 1) {
            Some(s) => {
                changed = true;
                s
            }
            None => original.clone(),
        };
        subcharts.push((sub, l.name.clone()));
    }
    if !changed {
        return None;
    }
    let mut out = Chart {
        prefix: c.prefix.clone(),
        metadata: c.metadata.clone(),
        chart_yaml: c.chart_yaml.clone(),
        values: c.values.clone(),
        schema: c.schema.clone(),
        templates: c.templates.clone(),
        files: c.files.clone(),
        subcharts: Vec::new(),
        diagnostics: c.diagnostics.clone(),
    };
    out.metadata.dependencies = deps
        .iter()
        .filter(|d| !disabled.contains(&d.effective_name()))
        .map(|d| Dependency {
            name: d.effective_name().to_owned(),
            ..d.clone()
        })
        .collect();
    out.subcharts = subcharts
        .into_iter()
        .map(|(mut s, name)| {
            s.metadata.name = name;
            s
        })
        .collect();
    Some(out)
}

/// The parent's list of subcharts: vendored charts no entry matches, under
/// their own names, then the first compatible vendored chart of each entry,
/// under the entry's alias or name.
fn list_subcharts(c: &Chart) -> Vec<Listed> {
    values::sub_instances(c)
        .into_iter()
        .filter_map(|inst| {
            let index = c
                .subcharts
                .iter()
                .position(|s| std::ptr::eq(s, inst.chart))?;
            Some(Listed {
                index,
                name: inst.name,
            })
        })
        .collect()
}
