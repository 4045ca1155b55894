//! `scaleTarget`: what a chart's HorizontalPodAutoscaler scales, read as
//! rendered where the HPA is, so a rule asks one fact instead of looking the
//! workload up among the objects and their renderings itself.

use crate::package::Resource;
use serde_json::{Value as Json, json};

/// Sets the `scaleTarget` fact of every HorizontalPodAutoscaler (and each
/// of its renderings) that names a scale target: `{kind, name, rendered,
/// setsReplicas, replicasAt}`.
/// - `rendered`: some rendering of the target shares a values profile with
///   the HPA (the HPA usually renders only with autoscaling switched on,
///   the workload in every profile);
/// - `setsReplicas`: one of those renderings sets `spec.replicas`;
/// - `replicasAt`: where it does, `{file, line, kind, name, note}`: the template
///   line of its `replicas:` (the first one from where the object's text
///   starts; that line itself when the template writes none, as through a
///   helper), or null.
///
/// `template_text` and `rendered_from` are the chart's `pkg.templateText`
/// and `pkg.renderedFrom`.
pub(super) fn mark_scale_targets(
    resources: &mut [Resource],
    template_text: &Json,
    rendered_from: &Json,
) {
    let facts: Vec<(usize, Option<usize>, Json)> = resources
        .iter()
        .enumerate()
        .flat_map(|(i, r)| {
            std::iter::once((i, None, r)).chain(
                r.renderings
                    .iter()
                    .enumerate()
                    .map(move |(j, alt)| (i, Some(j), alt)),
            )
        })
        .filter(|(_, _, hpa)| hpa.kind == "HorizontalPodAutoscaler")
        .filter_map(|(i, j, hpa)| {
            let target = scale_target(hpa, resources, template_text, rendered_from)?;
            Some((i, j, target))
        })
        .collect();
    for (i, j, target) in facts {
        let r = match j {
            None => &mut resources[i],
            Some(j) => &mut resources[i].renderings[j],
        };
        if let Json::Object(m) = &mut r.facts {
            m.insert("scaleTarget".into(), target);
        }
    }
}

fn scale_target(
    hpa: &Resource,
    resources: &[Resource],
    template_text: &Json,
    rendered_from: &Json,
) -> Option<Json> {
    let target = hpa.node.path("spec.scaleTargetRef")?;
    let name = target
        .get("name")
        .and_then(|n| n.as_str())
        .filter(|n| !n.is_empty())?;
    let kind = target
        .get("kind")
        .and_then(|k| k.as_str())
        .unwrap_or_default();
    let shares_profile = |r: &Resource| r.profiles.iter().any(|p| hpa.profiles.contains(p));
    // Every rendering of every object of that kind and name, in a profile
    // the HPA renders in.
    let renderings: Vec<&Resource> = resources
        .iter()
        .filter(|r| r.kind == kind && r.name == name)
        .flat_map(|r| std::iter::once(r).chain(r.renderings.iter()))
        .filter(|r| shares_profile(r))
        .collect();
    let setting = renderings
        .iter()
        .find(|r| r.node.path("spec.replicas").is_some_and(|n| !n.is_null()));
    let replicas_at = setting.map(|r| {
        let line = replicas_line(r, template_text, rendered_from).unwrap_or(r.origin.line);
        let note = format!(
            "spec.replicas of the {} HorizontalPodAutoscaler {} scales",
            r.kind, hpa.name
        );
        json!({"file": r.origin.file, "line": line, "kind": r.kind, "name": r.name, "note": note})
    });
    Some(json!({
        "kind": kind,
        "name": name,
        "rendered": !renderings.is_empty(),
        "setsReplicas": setting.is_some(),
        "replicasAt": replicas_at,
    }))
}

/// The template line of a rendered workload's `replicas:`: the first line
/// from where its text starts that writes the key, before the template's
/// next document.
fn replicas_line(r: &Resource, template_text: &Json, rendered_from: &Json) -> Option<u32> {
    let template = rendered_from
        .get(format!("{}/{}", r.kind, r.name))
        .and_then(Json::as_str)?;
    let text = template_text.get(template).and_then(Json::as_str)?;
    let start = usize::try_from(r.origin.line).ok()?.max(1);
    // Up to the next document of the template, not into another object.
    text.lines()
        .enumerate()
        .skip(start - 1)
        .take_while(|(i, l)| *i + 1 == start || !l.starts_with("---"))
        .find(|(_, l)| l.trim_start().starts_with("replicas:"))
        .and_then(|(i, _)| u32::try_from(i + 1).ok())
}
