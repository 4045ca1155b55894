//! `scaleTarget`: what a chart's autoscaler (a HorizontalPodAutoscaler, a
//! VerticalPodAutoscaler, a KEDA ScaledObject) acts on, read as rendered
//! where the autoscaler is, so a rule asks one fact instead of looking the
//! workload up among the objects and their renderings itself.

use crate::package::Resource;
use serde_json::{Value as Json, json};
use std::collections::BTreeSet;

/// Sets the `scaleTarget` fact of every autoscaler (and each of its
/// renderings) that names a target: a HorizontalPodAutoscaler's or a KEDA
/// ScaledObject's `spec.scaleTargetRef` (a ScaledObject's kind is a
/// Deployment when it names none), a VerticalPodAutoscaler's
/// `spec.targetRef`: `{kind, name, rendered, matches, setsReplicas,
/// replicasAt}`.
/// - `rendered`: some rendering of the target shares a values profile with
///   the autoscaler (which usually renders only with autoscaling switched
///   on, the workload in every profile);
/// - `matches`: false only when the chart surely creates no object of that
///   kind and name, so the autoscaler acts on nothing (a VPA aimed at a
///   Deployment of the name of the chart's only workload, a StatefulSet):
///   no profile renders one, no template of that kind failed to render
///   (leaving a placeholder of the kind), and no template that may create
///   one with other values rendered none (one writing `kind:` that kind at
///   the start of a line and rendering no object of it, or one computing
///   its kind, `kind: {{ … }}`, and rendering nothing);
/// - `namedAlike`: where it does not match, the workloads (`Kind name`)
///   of that name the chart renders, for a message to show what was meant
///   (a StatefulSet where a Deployment is named, a `StatefulSet` where a
///   `statefulset` is: kinds are case-sensitive);
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
        .filter(|(_, _, a)| AUTOSCALERS.iter().any(|(kind, _)| a.kind == *kind))
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

/// The autoscaler kinds and where each names its target.
const AUTOSCALERS: [(&str, &str); 3] = [
    ("HorizontalPodAutoscaler", "spec.scaleTargetRef"),
    ("VerticalPodAutoscaler", "spec.targetRef"),
    ("ScaledObject", "spec.scaleTargetRef"),
];

/// The kinds whose pods an autoscaler's target may run.
const POD_KINDS: [&str; 7] = [
    "Deployment",
    "StatefulSet",
    "DaemonSet",
    "ReplicaSet",
    "Job",
    "CronJob",
    "Rollout",
];

fn scale_target(
    hpa: &Resource,
    resources: &[Resource],
    template_text: &Json,
    rendered_from: &Json,
) -> Option<Json> {
    let (_, at) = AUTOSCALERS.iter().find(|(kind, _)| hpa.kind == *kind)?;
    let target = hpa.node.path(at)?;
    let name = target
        .get("name")
        .and_then(|n| n.as_str())
        .filter(|n| !n.is_empty())?;
    let kind = target
        .get("kind")
        .and_then(|k| k.as_str())
        .filter(|k| !k.is_empty())
        .unwrap_or(if hpa.kind == "ScaledObject" {
            "Deployment"
        } else {
            ""
        });
    let shares_profile = |r: &Resource| r.profiles.iter().any(|p| hpa.profiles.contains(p));
    // Every rendering of every object of that kind and name, in a profile
    // the HPA renders in.
    let renderings: Vec<&Resource> = resources
        .iter()
        .filter(|r| r.kind == kind && r.name == name)
        .flat_map(|r| std::iter::once(r).chain(r.renderings.iter()))
        .filter(|r| shares_profile(r))
        .collect();
    let matches =
        !renderings.is_empty() || may_create(kind, name, resources, template_text, rendered_from);
    // Where it matches nothing, the workloads of that name the chart does
    // render (a StatefulSet where a Deployment is named, a `statefulset`
    // for a `StatefulSet`: kinds are case-sensitive).
    let named_alike: BTreeSet<String> = if matches {
        BTreeSet::new()
    } else {
        resources
            .iter()
            .flat_map(|r| std::iter::once(r).chain(&r.renderings))
            .filter(|r| r.name == name && !r.placeholder && POD_KINDS.contains(&r.kind.as_str()))
            .map(|r| format!("{} {}", r.kind, r.name))
            .collect()
    };
    let setting = renderings
        .iter()
        .find(|r| r.node.path("spec.replicas").is_some_and(|n| !n.is_null()));
    let replicas_at = setting.map(|r| {
        let line = replicas_line(r, template_text, rendered_from).unwrap_or(r.origin.line);
        let note = format!(
            "spec.replicas of the {} {} {} scales",
            r.kind, hpa.kind, hpa.name
        );
        json!({"file": r.origin.file, "line": line, "kind": r.kind, "name": r.name, "note": note})
    });
    Some(json!({
        "kind": kind,
        "name": name,
        "rendered": !renderings.is_empty(),
        "matches": matches,
        "namedAlike": named_alike,
        "setsReplicas": setting.is_some(),
        "replicasAt": replicas_at,
    }))
}

/// Whether the chart may create an object of kind `kind` named `name`
/// somewhere (see `matches` in [`mark_scale_targets`]): one renders in any
/// profile; a template of that kind failed to render (its placeholder);
/// or a template writes that kind, or computes its kind, at the start of a
/// line and rendered none of it.
fn may_create(
    kind: &str,
    name: &str,
    resources: &[Resource],
    template_text: &Json,
    rendered_from: &Json,
) -> bool {
    let every = || {
        resources
            .iter()
            .flat_map(|r| std::iter::once(r).chain(&r.renderings))
    };
    if every().any(|r| r.kind == kind && (r.name == name || r.placeholder)) {
        return true;
    }
    // The templates that rendered an object of the kind, and those that
    // rendered anything.
    let from = |wanted: Option<&str>| -> BTreeSet<&str> {
        rendered_from
            .as_object()
            .into_iter()
            .flatten()
            .filter(|(k, _)| wanted.is_none_or(|w| k.split_once('/').is_some_and(|(k, _)| k == w)))
            .filter_map(|(_, t)| t.as_str())
            .collect()
    };
    let of_kind = from(Some(kind));
    let rendering = from(None);
    template_text
        .as_object()
        .into_iter()
        .flatten()
        .filter(|(t, _)| !of_kind.contains(t.as_str()))
        .filter_map(|(t, text)| Some((t, text.as_str()?)))
        .any(|(t, text)| {
            text.lines().any(|l| {
                let Some(k) = l.strip_prefix("kind:").map(str::trim) else {
                    return false;
                };
                // A computed kind may be this one with other values,
                // unless the template rendered something else with
                // every profile's values (a Role or a ClusterRole).
                k == kind || k.contains("{{") && !rendering.contains(t.as_str())
            })
        })
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::load::files::test_objects as objects;

    /// The `scaleTarget` fact of a VPA (rendered with features-on) aimed at
    /// Deployment `app`, beside `workload` (rendered with `profile`) and
    /// the templates `text`.
    fn vpa_target(workload: &str, profile: &str, text: Json) -> Json {
        let doc = format!(
            "apiVersion: autoscaling.k8s.io/v1\nkind: VerticalPodAutoscaler\nmetadata: {{name: app}}\n\
             spec: {{targetRef: {{apiVersion: apps/v1, kind: Deployment, name: app}}}}\n---\n\
             apiVersion: apps/v1\nkind: {workload}\nmetadata: {{name: app}}\nspec: {{}}\n"
        );
        let mut rs = objects(&doc, &[None, None]);
        rs[0].profiles = vec!["features-on".into()];
        rs[1].profiles = vec![profile.into()];
        let mut from = json!({"VerticalPodAutoscaler/app": "templates/vpa.yaml"});
        from[format!("{workload}/app")] = json!("templates/workload.yaml");
        mark_scale_targets(&mut rs, &text, &from);
        rs[0].facts["scaleTarget"].clone()
    }

    #[test]
    fn an_autoscaler_matches_nothing_only_when_no_profile_or_template_may_create_its_target() {
        let templates = json!({"templates/vpa.yaml": "kind: VerticalPodAutoscaler\n",
            "templates/workload.yaml": "kind: StatefulSet\n"});
        // Session 22 chart audit (bitnami neo4j): the only workload of the
        // name is a StatefulSet.
        let t = vpa_target("StatefulSet", "features-on", templates.clone());
        assert_eq!(t["matches"], json!(false));
        assert_eq!(t["namedAlike"], json!(["StatefulSet app"]));
        // Rendered with other values than the VPA's: still its target.
        let t = vpa_target("Deployment", "defaults", templates.clone());
        assert_eq!(
            (t["rendered"].clone(), t["matches"].clone()),
            (json!(false), json!(true))
        );
        // A template writing the kind that rendered none of it (switched
        // off, or failed where the VPA renders) may create it.
        let mut more = templates.clone();
        more["templates/deployment.yaml"] =
            json!("{{- if .Values.web }}\nkind: Deployment\n{{- end }}\n");
        assert_eq!(
            vpa_target("StatefulSet", "features-on", more)["matches"],
            json!(true)
        );
        // As may one computing its kind that rendered nothing at all, not
        // one that rendered something else with every profile's values.
        let mut computed = templates.clone();
        computed["templates/workload.yaml"] = json!("kind: {{ .Values.kind }}\n");
        assert_eq!(
            vpa_target("StatefulSet", "features-on", computed.clone())["matches"],
            json!(false)
        );
        computed["templates/other.yaml"] = json!("kind: {{ .Values.kind }}\n");
        assert_eq!(
            vpa_target("StatefulSet", "features-on", computed)["matches"],
            json!(true)
        );
    }
}
