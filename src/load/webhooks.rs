//! Admission webhooks an operator registers itself.
//!
//! OLM registers the webhooks a CSV declares (`spec.webhookdefinitions`);
//! an operator may also register its own at run time (it may write
//! `validatingwebhookconfigurations`/`mutatingwebhookconfigurations` and
//! serves them). Whether such a webhook validates or defaults the
//! operator's *own* custom resources, or other objects (Pods, for an image
//! scanner), the files show only when something ties the serving objects to
//! an owned API: a shipped webhook configuration whose rules list an owned
//! group, or a webhook Service or Deployment whose name, ports, arguments or
//! variables name an owned resource or group (a kubebuilder webhook path
//! `/validate-<group with dashes>-<version>-<kind>` names the group).

use crate::package::Resource;
use crate::yaml::Node;
use serde_json::{Value as Json, json};
use std::collections::BTreeSet;

/// Most text read from one serving object's names, arguments and variables
/// (bounds hostile manifests).
const MAX_TEXT: usize = 64 * 1024;

/// An owned API as the serving objects may name it.
struct Owned {
    group: String,
    plural: String,
}

fn owned_apis(resources: &[Resource]) -> Vec<Owned> {
    resources
        .iter()
        .filter(|r| r.is_kind("CustomResourceDefinition") && r.facts["owned"] == Json::Bool(true))
        .map(|r| {
            let text = |k: &str| r.facts[k].as_str().unwrap_or_default().to_string();
            Owned {
                group: text("group"),
                plural: text("plural"),
            }
        })
        .collect()
}

/// Appends the scalar text of `node`, or of each item when it is a list.
fn texts(node: Option<&Node>, out: &mut String) {
    let Some(node) = node else { return };
    if out.len() > MAX_TEXT {
        return;
    }
    match node.as_seq() {
        Some(items) => items.iter().for_each(|i| texts(Some(i), out)),
        None => {
            if let Some(t) = node.scalar_text() {
                out.push(' ');
                out.push_str(&t);
            }
        }
    }
}

/// What a serving object says about itself: its name, its ports' names and
/// (for a workload) its containers' names, arguments, commands and
/// variables.
fn serving_text(r: &Resource) -> String {
    let mut out = r.name.clone();
    let ports = r.node.seq_at("spec.ports");
    for p in ports {
        texts(p.get("name"), &mut out);
    }
    let containers = r.node.seq_at("spec.template.spec.containers");
    for c in containers {
        texts(c.get("name"), &mut out);
        texts(c.get("args"), &mut out);
        texts(c.get("command"), &mut out);
        for e in c.get("env").and_then(Node::as_seq).unwrap_or_default() {
            texts(e.get("name"), &mut out);
            texts(e.get("value"), &mut out);
        }
    }
    out
}

/// The owned APIs a text names: an owned resource (plural) as a word of it,
/// or an owned group (dotted, or with dashes as in a kubebuilder path). A
/// kind alone is no tie: objects carry the operator's name, which is often
/// its main kind's (`demo-operator-webhook` for kind `Demo`), whatever the
/// webhook admits.
fn named_apis(text: &str, owned: &[Owned]) -> Vec<String> {
    let lower = text.to_ascii_lowercase();
    let words: BTreeSet<&str> = lower
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect();
    let mut out = BTreeSet::new();
    for o in owned {
        if !o.plural.is_empty() && words.contains(o.plural.as_str()) {
            out.insert(format!("resource {}", o.plural));
        }
        let group = o.group.to_ascii_lowercase();
        if group.contains('.')
            && (lower.contains(&group) || lower.contains(&group.replace('.', "-")))
        {
            out.insert(format!("group {}", o.group));
        }
    }
    out.into_iter().collect()
}

/// Whether a Service or a workload serves an admission webhook: a Service
/// named like one or with a port named like one; a workload with a
/// container port named like one or on 9443 (controller-runtime's webhook
/// port), or a webhook serving-certificate mount.
fn serves_webhook(r: &Resource) -> bool {
    let webhook = |n: Option<&Node>| {
        n.and_then(Node::scalar_text)
            .is_some_and(|t| t.to_ascii_lowercase().contains("webhook"))
    };
    if r.is_kind("Service") {
        return r.name.to_ascii_lowercase().contains("webhook")
            || r.node
                .seq_at("spec.ports")
                .iter()
                .any(|p| webhook(p.get("name")));
    }
    if !["Deployment", "StatefulSet", "DaemonSet"]
        .iter()
        .any(|k| r.is_kind(k))
    {
        return false;
    }
    r.node
        .seq_at("spec.template.spec.containers")
        .iter()
        .any(|c| {
            let ports = c.get("ports").and_then(Node::as_seq).unwrap_or_default();
            let mounts = c
                .get("volumeMounts")
                .and_then(Node::as_seq)
                .unwrap_or_default();
            ports.iter().any(|p| {
                webhook(p.get("name"))
                    || p.get("containerPort")
                        .and_then(Node::scalar_text)
                        .as_deref()
                        == Some("9443")
            }) || mounts.iter().any(|m| {
                m.get("mountPath")
                    .and_then(Node::scalar_text)
                    .is_some_and(|p| {
                        let p = p.to_ascii_lowercase();
                        p.contains("webhook") || p.contains("serving-cert")
                    })
            })
        })
}

/// The groups and resources a shipped webhook configuration's rules list.
fn configuration_targets(r: &Resource, owned: &[Owned]) -> Vec<String> {
    let mut out = BTreeSet::new();
    for w in r
        .node
        .get("webhooks")
        .and_then(Node::as_seq)
        .unwrap_or_default()
    {
        for rule in w.get("rules").and_then(Node::as_seq).unwrap_or_default() {
            let list = |k: &str| -> Vec<String> {
                rule.get(k)
                    .and_then(Node::as_seq)
                    .unwrap_or_default()
                    .iter()
                    .filter_map(Node::scalar_text)
                    .collect()
            };
            let (groups, resources) = (list("apiGroups"), list("resources"));
            for o in owned {
                let group = groups.iter().any(|g| g == "*" || *g == o.group);
                let resource = resources.iter().any(|x| {
                    x == "*" || *x == o.plural || x.starts_with(&format!("{}/", o.plural))
                });
                if group && resource {
                    out.insert(format!("group {} resource {}", o.group, o.plural));
                }
            }
        }
    }
    out.into_iter().collect()
}

/// The objects that serve or configure an admission webhook the package
/// registers itself, `{kind, name, targets}` each, `targets` naming the
/// owned APIs that tie it to the operator's own resources (empty when
/// nothing does).
pub fn self_registered(resources: &[Resource]) -> Vec<Json> {
    let owned = owned_apis(resources);
    resources
        .iter()
        .filter_map(|r| {
            let targets = if r.is_kind("ValidatingWebhookConfiguration")
                || r.is_kind("MutatingWebhookConfiguration")
            {
                configuration_targets(r, &owned)
            } else if serves_webhook(r) {
                named_apis(&serving_text(r), &owned)
            } else {
                return None;
            };
            Some(json!({"kind": r.kind, "name": r.name, "targets": targets}))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn owned() -> Vec<Owned> {
        vec![Owned {
            group: "demo.example.com".into(),
            plural: "demos".into(),
        }]
    }

    #[test]
    fn a_serving_object_ties_to_an_owned_group_or_resource_not_to_a_kind() {
        let o = owned();
        assert_eq!(
            named_apis("mgr --webhook-path=/validate-demo-example-com-v1-demo", &o),
            ["group demo.example.com"]
        );
        assert_eq!(named_apis("demos-webhook", &o), ["resource demos"]);
        // The operator's name (= its kind's) says nothing of the target.
        assert!(named_apis("demo-image-validator webhook", &o).is_empty());
    }
}
