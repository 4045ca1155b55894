//! The API versions Kubernetes has removed, per kind, from the deprecation
//! guide (<https://kubernetes.io/docs/reference/using-api/deprecation-guide/>):
//! one table that every rule about removed APIs reads (as the `removedApi`
//! fact of each object), so a bundle rule and a chart rule cannot disagree
//! about which versions are gone.

/// A removed API version: the Kubernetes release that stopped serving it and
/// the version to use instead.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Removal {
    /// The first Kubernetes minor release that no longer serves it (`1.22`).
    pub removed_in: &'static str,
    /// The apiVersion that replaces it.
    pub replacement: &'static str,
}

/// `(apiVersion, kinds, removed in, replacement)`; empty kinds: every kind
/// of that apiVersion (the whole group version was removed).
const REMOVED: &[(&str, &[&str], &str, &str)] = &[
    // 1.16
    (
        "extensions/v1beta1",
        &["DaemonSet", "Deployment", "ReplicaSet"],
        "1.16",
        "apps/v1",
    ),
    (
        "extensions/v1beta1",
        &["NetworkPolicy"],
        "1.16",
        "networking.k8s.io/v1",
    ),
    (
        "extensions/v1beta1",
        &["PodSecurityPolicy"],
        "1.16",
        "policy/v1beta1 (itself removed in 1.25)",
    ),
    (
        "extensions/v1beta1",
        &["Ingress"],
        "1.22",
        "networking.k8s.io/v1",
    ),
    ("extensions/v1beta1", &[], "1.22", "the kind's GA group"),
    ("apps/v1beta1", &[], "1.16", "apps/v1"),
    ("apps/v1beta2", &[], "1.16", "apps/v1"),
    // 1.21 (alpha)
    ("batch/v2alpha1", &[], "1.21", "batch/v1"),
    // 1.22
    (
        "admissionregistration.k8s.io/v1beta1",
        &[],
        "1.22",
        "admissionregistration.k8s.io/v1",
    ),
    (
        "apiextensions.k8s.io/v1beta1",
        &[],
        "1.22",
        "apiextensions.k8s.io/v1",
    ),
    (
        "apiregistration.k8s.io/v1beta1",
        &[],
        "1.22",
        "apiregistration.k8s.io/v1",
    ),
    (
        "authentication.k8s.io/v1beta1",
        &[],
        "1.22",
        "authentication.k8s.io/v1",
    ),
    (
        "authorization.k8s.io/v1beta1",
        &[],
        "1.22",
        "authorization.k8s.io/v1",
    ),
    (
        "certificates.k8s.io/v1beta1",
        &[],
        "1.22",
        "certificates.k8s.io/v1",
    ),
    (
        "coordination.k8s.io/v1beta1",
        &[],
        "1.22",
        "coordination.k8s.io/v1",
    ),
    (
        "networking.k8s.io/v1beta1",
        &["Ingress", "IngressClass"],
        "1.22",
        "networking.k8s.io/v1",
    ),
    (
        "rbac.authorization.k8s.io/v1beta1",
        &[],
        "1.22",
        "rbac.authorization.k8s.io/v1",
    ),
    (
        "rbac.authorization.k8s.io/v1alpha1",
        &[],
        "1.22",
        "rbac.authorization.k8s.io/v1",
    ),
    (
        "scheduling.k8s.io/v1beta1",
        &[],
        "1.22",
        "scheduling.k8s.io/v1",
    ),
    (
        "scheduling.k8s.io/v1alpha1",
        &[],
        "1.22",
        "scheduling.k8s.io/v1",
    ),
    (
        "storage.k8s.io/v1beta1",
        &["CSIDriver", "CSINode", "StorageClass", "VolumeAttachment"],
        "1.22",
        "storage.k8s.io/v1",
    ),
    // 1.25
    ("batch/v1beta1", &[], "1.25", "batch/v1"),
    (
        "discovery.k8s.io/v1beta1",
        &[],
        "1.25",
        "discovery.k8s.io/v1",
    ),
    ("events.k8s.io/v1beta1", &[], "1.25", "events.k8s.io/v1"),
    ("autoscaling/v2beta1", &[], "1.25", "autoscaling/v2"),
    (
        "policy/v1beta1",
        &["PodDisruptionBudget"],
        "1.25",
        "policy/v1",
    ),
    (
        "policy/v1beta1",
        &["PodSecurityPolicy"],
        "1.25",
        "Pod Security admission (no replacement kind)",
    ),
    ("node.k8s.io/v1beta1", &[], "1.25", "node.k8s.io/v1"),
    // 1.26
    ("autoscaling/v2beta2", &[], "1.26", "autoscaling/v2"),
    (
        "flowcontrol.apiserver.k8s.io/v1beta1",
        &[],
        "1.26",
        "flowcontrol.apiserver.k8s.io/v1",
    ),
    // 1.27
    (
        "storage.k8s.io/v1beta1",
        &["CSIStorageCapacity"],
        "1.27",
        "storage.k8s.io/v1",
    ),
    // 1.29
    (
        "flowcontrol.apiserver.k8s.io/v1beta2",
        &[],
        "1.29",
        "flowcontrol.apiserver.k8s.io/v1",
    ),
    // 1.32
    (
        "flowcontrol.apiserver.k8s.io/v1beta3",
        &[],
        "1.32",
        "flowcontrol.apiserver.k8s.io/v1",
    ),
];

/// Whether Kubernetes has removed `api_version` for `kind`, and when.
/// Kinds a removed group version never served are not flagged (storage
/// `v1beta1` still serves VolumeAttributesClass), and custom resources
/// of other groups never are.
pub fn removal(api_version: &str, kind: &str) -> Option<Removal> {
    // A row for the kind itself wins over its group version's catch-all.
    let rows = REMOVED.iter().filter(|(v, _, _, _)| *v == api_version);
    let mut catch_all = None;
    for (_, kinds, removed_in, replacement) in rows {
        let removal = Removal {
            removed_in,
            replacement,
        };
        if kinds.contains(&kind) {
            return Some(removal);
        }
        if kinds.is_empty() {
            catch_all = Some(removal);
        }
    }
    catch_all
}

#[cfg(test)]
mod tests {
    use super::removal;

    #[test]
    fn removed_versions_are_known_per_kind() {
        let crd = removal("apiextensions.k8s.io/v1beta1", "CustomResourceDefinition").unwrap();
        assert_eq!(
            (crd.removed_in, crd.replacement),
            ("1.22", "apiextensions.k8s.io/v1")
        );
        assert_eq!(
            removal("policy/v1beta1", "PodDisruptionBudget")
                .unwrap()
                .removed_in,
            "1.25"
        );
        assert_eq!(
            removal("extensions/v1beta1", "Ingress").unwrap().removed_in,
            "1.22"
        );
        assert_eq!(
            removal("extensions/v1beta1", "Deployment")
                .unwrap()
                .removed_in,
            "1.16"
        );
        assert_eq!(
            removal("autoscaling/v2beta2", "HorizontalPodAutoscaler")
                .unwrap()
                .removed_in,
            "1.26"
        );
        // Still served: storage v1beta1 VolumeAttributesClass, policy v1.
        assert_eq!(
            removal("storage.k8s.io/v1beta1", "VolumeAttributesClass"),
            None
        );
        assert_eq!(removal("policy/v1", "PodDisruptionBudget"), None);
        assert_eq!(
            removal("apiextensions.k8s.io/v1", "CustomResourceDefinition"),
            None
        );
        assert_eq!(removal("example.com/v1beta1", "Widget"), None);
    }
}
