//! RBAC attribution: which roles the operator itself holds.
//!
//! A bundle or chart ships roles for several service accounts: the
//! operator's, and often its operand's (a worker, a Prometheus, a job
//! runner). Only grants the operator's own service accounts hold say what
//! the operator may do. They are:
//! - the CSV's `permissions` / `clusterPermissions` entries whose
//!   `serviceAccountName` an operator deployment runs as (the CSV's
//!   deployments, or in a chart or manifests folder its workloads);
//! - a Role or ClusterRole the package ships that a RoleBinding or
//!   ClusterRoleBinding it ships binds to such a service account;
//! - a ClusterRole that aggregates (`aggregationRule`) into one of those.
//!
//! When no CSV permission entry names a service account any deployment runs
//! as (a CSV without deployments, or deployments without a service account
//! that OLM would still bind), every CSV entry counts: the CSV declares them
//! for the operator and nothing says otherwise.

use super::workloads::{Selector, labels};
use crate::package::Resource;
use crate::yaml::Node;
use serde_json::{Value as Json, json};
use std::collections::{BTreeMap, BTreeSet};

/// The service account a pod spec runs as (`default` when it names none).
fn service_account(pod: Option<&Node>) -> String {
    pod.and_then(|p| {
        p.get("serviceAccountName")
            .or_else(|| p.get("serviceAccount"))
            .and_then(Node::scalar_text)
    })
    .filter(|s| !s.is_empty())
    .unwrap_or_else(|| "default".to_string())
}

/// The operator's service accounts: those its deployments run as. In a
/// bundle, the CSV's deployments; elsewhere every workload the package
/// ships (a chart that is an operator runs its controller as one of them).
fn operator_accounts(resources: &[Resource]) -> BTreeSet<String> {
    let csv_deployments: Vec<&Resource> = resources
        .iter()
        .filter(|r| r.is_kind("Deployment") && r.origin.embedded.is_some())
        .collect();
    let workloads: Vec<&Resource> = if csv_deployments.is_empty() {
        resources
            .iter()
            .filter(|r| {
                ["Deployment", "StatefulSet", "DaemonSet"]
                    .iter()
                    .any(|k| r.is_kind(k))
            })
            .collect()
    } else {
        csv_deployments
    };
    workloads
        .iter()
        .map(|r| service_account(r.node.path("spec.template.spec")))
        .collect()
}

/// The service account a CSV permission entry is for, when `r` is one.
fn csv_entry_account(r: &Resource) -> Option<String> {
    let embedded = r.origin.embedded.as_deref()?;
    embedded
        .starts_with("spec.install.spec.")
        .then(|| r.name.clone())
        .filter(|_| r.is_kind("Role") || r.is_kind("ClusterRole"))
}

/// Marks every Role and ClusterRole with `operator` (whether the operator's
/// service accounts hold it) and `serviceAccounts` (the service accounts
/// that hold it, operator's or not), and returns the operator's service
/// accounts.
pub fn attribute(resources: &mut [Resource]) -> Vec<String> {
    let operator = operator_accounts(resources);
    let csv_accounts: BTreeSet<String> = resources.iter().filter_map(csv_entry_account).collect();
    let csv_all = !csv_accounts.iter().any(|a| operator.contains(a));

    // (role kind, role name) → service accounts bound to it.
    let mut bound: BTreeMap<(String, String), BTreeSet<String>> = BTreeMap::new();
    for b in resources
        .iter()
        .filter(|r| r.is_kind("RoleBinding") || r.is_kind("ClusterRoleBinding"))
    {
        let text = |path: &str| b.node.path(path).and_then(Node::scalar_text);
        let (Some(kind), Some(name)) = (text("roleRef.kind"), text("roleRef.name")) else {
            continue;
        };
        let subjects = b.node.get("subjects").and_then(Node::as_seq);
        for s in subjects.unwrap_or_default() {
            let kind_of = s.get("kind").and_then(Node::scalar_text);
            if kind_of.as_deref() != Some("ServiceAccount") {
                continue;
            }
            if let Some(sa) = s.get("name").and_then(Node::scalar_text) {
                bound
                    .entry((kind.clone(), name.clone()))
                    .or_default()
                    .insert(sa);
            }
        }
    }

    let mut holders: Vec<Option<BTreeSet<String>>> = resources
        .iter()
        .map(|r| {
            if !(r.is_kind("Role") || r.is_kind("ClusterRole")) {
                return None;
            }
            let mut sas = bound
                .get(&(r.kind.clone(), r.name.clone()))
                .cloned()
                .unwrap_or_default();
            sas.extend(csv_entry_account(r));
            Some(sas)
        })
        .collect();
    let held = |r: &Resource, sas: &BTreeSet<String>| {
        let from_csv = csv_entry_account(r).is_some();
        (from_csv && csv_all) || sas.iter().any(|sa| operator.contains(sa))
    };
    // Aggregation: a ClusterRole the operator holds gathers the rules of the
    // ClusterRoles its `aggregationRule` selects by label.
    let mut aggregated: Vec<usize> = Vec::new();
    for (i, r) in resources.iter().enumerate() {
        let Some(sas) = &holders[i] else { continue };
        if !held(r, sas) {
            continue;
        }
        // Each selector is a Kubernetes LabelSelector: its `matchLabels` and
        // its set-based `matchExpressions` must all hold, and an empty one
        // selects every ClusterRole (as the aggregation controller reads
        // it). A selector that is no mapping selects nothing.
        let selectors = r.node.seq_at("aggregationRule.clusterRoleSelectors");
        for sel in selectors.iter().filter(|s| s.as_map().is_some()) {
            let selector = Selector::of(Some(sel));
            for (j, other) in resources.iter().enumerate() {
                if j != i
                    && other.is_kind("ClusterRole")
                    && selector.matches(&labels(other.node.path("metadata.labels")))
                {
                    aggregated.push(j);
                }
            }
        }
    }

    for (i, r) in resources.iter_mut().enumerate() {
        let Some(sas) = holders[i].take() else {
            continue;
        };
        let is_operator = held(r, &sas) || aggregated.contains(&i);
        if let Json::Object(m) = &mut r.facts {
            m.insert("operator".into(), Json::Bool(is_operator));
            m.insert("serviceAccounts".into(), json!(sas));
        }
    }
    operator.into_iter().collect()
}

/// Where a role synthesized for a built-in ClusterRole says it came from
/// (`Origin::embedded`): the `roleRef` of the binding that names it.
pub const BUILT_IN_ORIGIN: &str = "roleRef";

const READ: [&str; 3] = ["get", "list", "watch"];
const WRITE: [&str; 5] = ["create", "delete", "deletecollection", "patch", "update"];

/// One rule of a built-in role: (API group, resources, verbs).
type BuiltinRule = (&'static str, Vec<&'static str>, Vec<&'static str>);

/// The rules of Kubernetes' user-facing built-in ClusterRoles, as the API
/// server bootstraps them (plugin/pkg/auth/authorizer/rbac/bootstrappolicy:
/// `view`, `edit` and `admin` aggregate `system:aggregate-to-*`, each
/// including the one before): `(apiGroup, resources, verbs)` each.
/// `cluster-admin` is every verb on every resource of every group (and
/// every non-resource URL).
fn builtin_rules(name: &str) -> Option<Vec<BuiltinRule>> {
    let read = || READ.to_vec();
    let write = || WRITE.to_vec();
    let read_write = || READ.iter().chain(WRITE.iter()).copied().collect::<Vec<_>>();
    let view = vec![
        (
            "",
            vec![
                "pods",
                "replicationcontrollers",
                "replicationcontrollers/scale",
                "serviceaccounts",
                "services",
                "services/status",
                "endpoints",
                "persistentvolumeclaims",
                "persistentvolumeclaims/status",
                "configmaps",
            ],
            read(),
        ),
        (
            "",
            vec![
                "limitranges",
                "resourcequotas",
                "bindings",
                "events",
                "pods/status",
                "resourcequotas/status",
                "namespaces/status",
                "replicationcontrollers/status",
                "pods/log",
                "namespaces",
            ],
            read(),
        ),
        (
            "apps",
            vec![
                "controllerrevisions",
                "statefulsets",
                "statefulsets/status",
                "statefulsets/scale",
                "daemonsets",
                "daemonsets/status",
                "deployments",
                "deployments/status",
                "deployments/scale",
                "replicasets",
                "replicasets/status",
                "replicasets/scale",
            ],
            read(),
        ),
        (
            "autoscaling",
            vec![
                "horizontalpodautoscalers",
                "horizontalpodautoscalers/status",
            ],
            read(),
        ),
        (
            "batch",
            vec!["jobs", "cronjobs", "cronjobs/status", "jobs/status"],
            read(),
        ),
        (
            "extensions",
            vec![
                "daemonsets",
                "daemonsets/status",
                "deployments",
                "deployments/scale",
                "deployments/status",
                "ingresses",
                "ingresses/status",
                "replicasets",
                "replicasets/scale",
                "replicasets/status",
                "replicationcontrollers/scale",
                "networkpolicies",
            ],
            read(),
        ),
        (
            "policy",
            vec!["poddisruptionbudgets", "poddisruptionbudgets/status"],
            read(),
        ),
        (
            "networking.k8s.io",
            vec!["networkpolicies", "ingresses", "ingresses/status"],
            read(),
        ),
    ];
    let edit = vec![
        (
            "",
            vec![
                "pods/attach",
                "pods/proxy",
                "pods/exec",
                "pods/portforward",
                "secrets",
                "services/proxy",
            ],
            read(),
        ),
        ("", vec!["serviceaccounts"], vec!["impersonate"]),
        (
            "",
            vec![
                "pods",
                "pods/attach",
                "pods/proxy",
                "pods/exec",
                "pods/portforward",
            ],
            write(),
        ),
        (
            "",
            vec!["pods/eviction", "serviceaccounts/token"],
            vec!["create"],
        ),
        (
            "",
            vec![
                "replicationcontrollers",
                "replicationcontrollers/scale",
                "serviceaccounts",
                "services",
                "services/proxy",
                "endpoints",
                "persistentvolumeclaims",
                "configmaps",
                "secrets",
            ],
            write(),
        ),
        (
            "apps",
            vec![
                "statefulsets",
                "statefulsets/scale",
                "daemonsets",
                "deployments",
                "deployments/scale",
                "deployments/rollback",
                "replicasets",
                "replicasets/scale",
            ],
            write(),
        ),
        ("autoscaling", vec!["horizontalpodautoscalers"], write()),
        ("batch", vec!["jobs", "cronjobs"], write()),
        (
            "extensions",
            vec![
                "daemonsets",
                "deployments",
                "deployments/scale",
                "deployments/rollback",
                "ingresses",
                "replicasets",
                "replicasets/scale",
                "replicationcontrollers/scale",
                "networkpolicies",
            ],
            write(),
        ),
        ("policy", vec!["poddisruptionbudgets"], write()),
        (
            "networking.k8s.io",
            vec!["networkpolicies", "ingresses"],
            write(),
        ),
    ];
    let admin = vec![
        (
            "authorization.k8s.io",
            vec!["localsubjectaccessreviews"],
            vec!["create"],
        ),
        (
            "rbac.authorization.k8s.io",
            vec!["roles", "rolebindings"],
            read_write(),
        ),
    ];
    Some(match name {
        "cluster-admin" => vec![("*", vec!["*"], vec!["*"])],
        "view" => view,
        "edit" => view.into_iter().chain(edit).collect(),
        "admin" => view.into_iter().chain(edit).chain(admin).collect(),
        _ => return None,
    })
}

/// The ClusterRoles built into Kubernetes (`cluster-admin`, `admin`,
/// `edit`, `view`) that a shipped RoleBinding or ClusterRoleBinding binds
/// while the package ships no ClusterRole of that name: a binding to one is
/// a grant as real as a shipped role's, so each is made a ClusterRole of
/// the package with the rules the API server gives it, located at the
/// (first) binding's `roleRef` (`Origin::embedded` is [`BUILT_IN_ORIGIN`]),
/// for attribution, the grant facts and the rules that read roles.
pub fn builtin_roles(resources: &[Resource]) -> Vec<Resource> {
    let shipped: BTreeSet<&str> = resources
        .iter()
        .filter(|r| r.is_kind("ClusterRole"))
        .map(|r| r.name.as_str())
        .collect();
    let mut made: Vec<Resource> = Vec::new();
    for b in resources
        .iter()
        .filter(|r| !r.placeholder && (r.is_kind("RoleBinding") || r.is_kind("ClusterRoleBinding")))
    {
        let Some(role_ref) = b.node.get("roleRef") else {
            continue;
        };
        let text = |k: &str| role_ref.get(k).and_then(Node::scalar_text);
        let (Some(kind), Some(name)) = (text("kind"), text("name")) else {
            continue;
        };
        if kind != "ClusterRole"
            || shipped.contains(name.as_str())
            || made.iter().any(|r| r.name == name)
        {
            continue;
        }
        let Some(rules) = builtin_rules(&name) else {
            continue;
        };
        let mut rules: Vec<Json> = rules
            .into_iter()
            .map(|(group, resources, verbs)| {
                json!({"apiGroups": [group], "resources": resources, "verbs": verbs})
            })
            .collect();
        if name == "cluster-admin" {
            rules.push(json!({"nonResourceURLs": ["*"], "verbs": ["*"]}));
        }
        let object = json!({
            "apiVersion": "rbac.authorization.k8s.io/v1",
            "kind": "ClusterRole",
            "metadata": {"name": name},
            "rules": rules,
        });
        let mut origin = b.origin.clone();
        origin.embedded = Some(BUILT_IN_ORIGIN.to_string());
        if !origin.rendered {
            origin.line = role_ref.pos.line;
        }
        made.push(Resource {
            api_version: "rbac.authorization.k8s.io/v1".into(),
            kind: "ClusterRole".into(),
            name,
            node: Node::from_json(&object, role_ref.pos),
            origin,
            facts: json!({}),
            placeholder: false,
            profiles: b.profiles.clone(),
            renderings: Vec::new(),
        });
    }
    made
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::load::files::test_objects as objects;

    const ROLE: &str = "rbac.authorization.k8s.io/v1";

    #[test]
    fn only_the_operators_service_accounts_count() {
        let text = format!(
            "kind: Deployment\napiVersion: apps/v1\nmetadata: {{name: op}}\nspec: {{template: {{spec: {{serviceAccountName: op-sa}}}}}}\n---\n\
             kind: Role\napiVersion: {ROLE}\nmetadata: {{name: op-sa}}\n---\n\
             kind: ClusterRole\napiVersion: {ROLE}\nmetadata: {{name: worker-sa}}\n---\n\
             kind: ClusterRole\napiVersion: {ROLE}\nmetadata: {{name: shipped}}\n---\n\
             kind: ClusterRoleBinding\napiVersion: {ROLE}\nmetadata: {{name: b}}\nroleRef: {{kind: ClusterRole, name: shipped}}\nsubjects: [{{kind: ServiceAccount, name: op-sa}}]\n---\n\
             kind: ClusterRole\napiVersion: {ROLE}\nmetadata: {{name: operand}}\n---\n\
             kind: RoleBinding\napiVersion: {ROLE}\nmetadata: {{name: b2}}\nroleRef: {{kind: ClusterRole, name: operand}}\nsubjects: [{{kind: ServiceAccount, name: worker}}]\n---\n\
             kind: Role\napiVersion: iam.services.k8s.aws/v1alpha1\nmetadata: {{name: op-sa}}\n"
        );
        let mut rs = objects(
            &text,
            &[
                Some("spec.install.spec.deployments[0]"),
                Some("spec.install.spec.permissions[0]"),
                Some("spec.install.spec.clusterPermissions[0]"),
                None,
                None,
                None,
                None,
                None,
            ],
        );
        let sas = attribute(&mut rs);
        assert_eq!(sas, ["op-sa"]);
        let op = |i: usize| rs[i].facts["operator"].clone();
        assert_eq!(op(1), json!(true), "CSV permissions of the operator's SA");
        assert_eq!(op(2), json!(false), "CSV permissions of another SA");
        assert_eq!(op(3), json!(true), "bound to the operator's SA");
        assert_eq!(op(5), json!(false), "bound to the operand's SA");
        assert_eq!(rs[5].facts["serviceAccounts"], json!(["worker"]));
        assert_eq!(op(7), Json::Null, "an ACK Role is no RBAC role");
    }

    #[test]
    fn csv_entries_count_when_no_deployment_names_their_account() {
        let text = format!(
            "kind: Deployment\napiVersion: apps/v1\nmetadata: {{name: op}}\nspec: {{template: {{spec: {{}}}}}}\n---\n\
             kind: ClusterRole\napiVersion: {ROLE}\nmetadata: {{name: controller-manager}}\n"
        );
        let mut rs = objects(
            &text,
            &[
                Some("spec.install.spec.deployments[0]"),
                Some("spec.install.spec.clusterPermissions[0]"),
            ],
        );
        assert_eq!(attribute(&mut rs), ["default"]);
        assert_eq!(rs[1].facts["operator"], json!(true));
    }

    #[test]
    fn a_binding_to_a_built_in_cluster_role_is_a_grant_of_it() {
        let text = format!(
            "kind: Deployment\napiVersion: apps/v1\nmetadata: {{name: op}}\nspec: {{template: {{spec: {{serviceAccountName: op}}}}}}\n---\n\
             kind: ClusterRoleBinding\napiVersion: {ROLE}\nmetadata: {{name: b}}\nroleRef: {{kind: ClusterRole, name: cluster-admin}}\nsubjects: [{{kind: ServiceAccount, name: op}}]\n---\n\
             kind: RoleBinding\napiVersion: {ROLE}\nmetadata: {{name: b2}}\nroleRef: {{kind: ClusterRole, name: view}}\nsubjects: [{{kind: ServiceAccount, name: worker}}]\n---\n\
             kind: ClusterRole\napiVersion: {ROLE}\nmetadata: {{name: edit}}\n---\n\
             kind: RoleBinding\napiVersion: {ROLE}\nmetadata: {{name: b3}}\nroleRef: {{kind: ClusterRole, name: edit}}\nsubjects: [{{kind: ServiceAccount, name: op}}]\n---\n\
             kind: ClusterRoleBinding\napiVersion: {ROLE}\nmetadata: {{name: b4}}\nroleRef: {{kind: ClusterRole, name: system:auth-delegator}}\nsubjects: [{{kind: ServiceAccount, name: op}}]\n"
        );
        let mut rs = objects(&text, &[None, None, None, None, None, None]);
        let made = builtin_roles(&rs);
        // cluster-admin and view; `edit` is shipped, so the shipped one is
        // the role; a system role is not modelled.
        let names: Vec<&str> = made.iter().map(|r| r.name.as_str()).collect();
        assert_eq!(names, ["cluster-admin", "view"]);
        assert_eq!(made[0].origin.embedded.as_deref(), Some(BUILT_IN_ORIGIN));
        assert_eq!(
            made[0].node.seq_at("rules")[0].to_json(),
            json!({"apiGroups": ["*"], "resources": ["*"], "verbs": ["*"]})
        );
        rs.extend(made);
        attribute(&mut rs);
        let op = |name: &str| {
            rs.iter()
                .find(|r| r.is_kind("ClusterRole") && r.name == name)
                .map(|r| r.facts["operator"].clone())
        };
        assert_eq!(op("cluster-admin"), Some(json!(true)));
        assert_eq!(op("view"), Some(json!(false)), "bound to another account");
    }

    #[test]
    fn aggregated_cluster_roles_are_held_too() {
        let text = format!(
            "kind: Deployment\napiVersion: apps/v1\nmetadata: {{name: op}}\nspec: {{template: {{spec: {{serviceAccountName: op}}}}}}\n---\n\
             kind: ClusterRole\napiVersion: {ROLE}\nmetadata: {{name: agg}}\naggregationRule: {{clusterRoleSelectors: [{{matchLabels: {{a: b}}}}]}}\n---\n\
             kind: ClusterRoleBinding\napiVersion: {ROLE}\nmetadata: {{name: b}}\nroleRef: {{kind: ClusterRole, name: agg}}\nsubjects: [{{kind: ServiceAccount, name: op}}]\n---\n\
             kind: ClusterRole\napiVersion: {ROLE}\nmetadata: {{name: part, labels: {{a: b}}}}\n"
        );
        let mut rs = objects(&text, &[None, None, None, None]);
        attribute(&mut rs);
        assert_eq!(rs[1].facts["operator"], json!(true));
        assert_eq!(rs[3].facts["operator"], json!(true));
    }

    /// An aggregation selector is a LabelSelector: set-based requirements
    /// (`matchExpressions`) select too, alone or beside `matchLabels`, and
    /// a ClusterRole they rule out is not gathered.
    #[test]
    fn aggregation_reads_match_expressions() {
        let text = format!(
            "kind: Deployment\napiVersion: apps/v1\nmetadata: {{name: op}}\nspec: {{template: {{spec: {{serviceAccountName: op}}}}}}\n---\n\
             kind: ClusterRole\napiVersion: {ROLE}\nmetadata: {{name: agg}}\naggregationRule: {{clusterRoleSelectors: [{{matchExpressions: [{{key: x.io/aggregate-to-op, operator: In, values: ['true']}}]}}, {{matchLabels: {{a: b}}, matchExpressions: [{{key: c, operator: DoesNotExist}}]}}]}}\n---\n\
             kind: ClusterRoleBinding\napiVersion: {ROLE}\nmetadata: {{name: b}}\nroleRef: {{kind: ClusterRole, name: agg}}\nsubjects: [{{kind: ServiceAccount, name: op}}]\n---\n\
             kind: ClusterRole\napiVersion: {ROLE}\nmetadata: {{name: by-expression, labels: {{x.io/aggregate-to-op: 'true'}}}}\n---\n\
             kind: ClusterRole\napiVersion: {ROLE}\nmetadata: {{name: ruled-out, labels: {{a: b, c: d}}}}\n---\n\
             kind: ClusterRole\napiVersion: {ROLE}\nmetadata: {{name: other-value, labels: {{x.io/aggregate-to-op: 'false'}}}}\n"
        );
        let mut rs = objects(&text, &[None, None, None, None, None, None]);
        attribute(&mut rs);
        assert_eq!(rs[1].facts["operator"], json!(true));
        assert_eq!(
            rs[3].facts["operator"],
            json!(true),
            "selected by matchExpressions alone"
        );
        assert_eq!(
            rs[4].facts["operator"],
            json!(false),
            "c exists, so ruled out"
        );
        assert_eq!(
            rs[5].facts["operator"],
            json!(false),
            "value not In the set"
        );
    }
}
