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
        let selectors = r.node.seq_at("aggregationRule.clusterRoleSelectors");
        for sel in selectors {
            let Some(labels) = sel.get("matchLabels").and_then(Node::as_map) else {
                continue;
            };
            for (j, other) in resources.iter().enumerate() {
                let own = other.node.path("metadata.labels");
                let matches = other.is_kind("ClusterRole")
                    && labels.iter().all(|(k, v)| {
                        own.and_then(|l| l.get(k)).and_then(Node::scalar_text) == v.scalar_text()
                    });
                if matches && j != i {
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
}
