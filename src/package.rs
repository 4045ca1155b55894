//! The model every rule sees: a [`Package`] is a loaded target, its metadata
//! and every Kubernetes object it ships as a [`Resource`] with an [`Origin`].

use crate::diag::Diagnostic;
use crate::phase::Phase;
use crate::yaml::Node;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// What kind of thing a target is; rules say which kinds they apply to.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "kebab-case")]
pub enum TargetKind {
    /// An OLM bundle, in the bundle or the older package-manifest layout.
    Bundle,
    /// A Helm chart (folder or packaged `.tgz`).
    Chart,
    /// A folder of plain Kubernetes manifests.
    Manifests,
}

impl TargetKind {
    /// The kebab-case id.
    pub fn id(self) -> &'static str {
        match self {
            TargetKind::Bundle => "bundle",
            TargetKind::Chart => "chart",
            TargetKind::Manifests => "manifests",
        }
    }
}

/// Where a resource came from.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, JsonSchema)]
pub struct Origin {
    /// The file, as reported (relative to the working directory when below it).
    pub file: String,
    /// 1-based line where the object starts.
    pub line: u32,
    /// For an object synthesized from a field of another one (a CSV's embedded
    /// deployment), the field path it was taken from.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub embedded: Option<String>,
    /// For a rendered chart object, the values profile that first produced it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub profile: Option<String>,
    /// A rendered object: `line` is the template line where its text starts;
    /// positions inside the object are in rendered text, which exists in no file.
    #[serde(skip)]
    pub rendered: bool,
}

/// One Kubernetes object of a package.
#[derive(Debug, Clone)]
pub struct Resource {
    /// `apiVersion`, empty when missing.
    pub api_version: String,
    /// `kind`, empty when missing.
    pub kind: String,
    /// `metadata.name`, empty when missing.
    pub name: String,
    /// The whole object, with positions.
    pub node: Node,
    /// Where it came from.
    pub origin: Origin,
    /// Derived, normalized facts about the object that CEL cannot compute
    /// itself (a CRD's schema field paths, a role's flattened grants, a
    /// workload's containers); bound as `facts` when a rule looks at it.
    pub facts: serde_json::Value,
    /// A stand-in for an object a chart template would create but could not
    /// render: only its `apiVersion`, `kind` and a name are known, read from
    /// the template's text, and `origin` is the template's `kind:` line. It
    /// counts for existence (selection without `expect`, `pkg.kinds`) and is
    /// never judged field by field (rules with `expect` skip it; `objects`
    /// leaves it out).
    pub placeholder: bool,
    /// For a rendered chart object, every profile that rendered this very
    /// version of it (the first is `origin.profile`); a profile that
    /// rendered it differently is in the package's `variants` fact instead.
    /// Empty for objects read from files.
    pub profiles: Vec<String>,
    /// For a rendered chart object, its other renderings: each profile
    /// that rendered it differently (an opt-in toggle adds a probe or an
    /// annotation), as an object of its own with its origin (line, first
    /// profile), `profiles` and facts. Rules judge the first rendering; a
    /// rule that looks for one object with a property also reads these, so
    /// a capability a documented value switches on is seen as opt-in.
    /// Empty for objects read from files.
    pub renderings: Vec<Resource>,
}

impl Resource {
    /// The API group of `apiVersion` (empty for the core group).
    pub fn group(&self) -> &str {
        match self.api_version.split_once('/') {
            Some((group, _)) => group,
            None => "",
        }
    }

    /// Whether this object is of `kind`, the API group considered: a
    /// well-known kind (see [`well_known_groups`]) is only itself in its own
    /// API groups, so a custom resource of kind `Role` in
    /// `iam.services.k8s.aws` is not an RBAC Role. Any other kind matches by
    /// name alone, and so does an object whose `apiVersion` is unknown (a
    /// placeholder for a template that failed to render) or names no group.
    pub fn is_kind(&self, kind: &str) -> bool {
        self.kind == kind && self.in_own_group()
    }

    /// Whether the object is a Helm hook (`helm.sh/hook` annotated): run
    /// by Helm at a release event (a test Pod, an install Job), not kept as
    /// part of the release.
    pub fn is_helm_hook(&self) -> bool {
        self.node
            .path("metadata.annotations")
            .and_then(|a| a.get("helm.sh/hook"))
            .is_some()
    }

    /// Whether the object's API group is one its kind belongs to: always,
    /// unless its kind is a well-known one served by other groups.
    pub fn in_own_group(&self) -> bool {
        // An apiVersion without a group (`v1alpha1` on a CSV, written in
        // real catalogs) can only be a slip: custom resources always have
        // a group, so the object is read as the kind it names.
        self.api_version.is_empty()
            || self.group().is_empty()
            || well_known_groups(&self.kind).is_none_or(|groups| groups.contains(&self.group()))
    }

    /// The kind as rules name it in `pkg.kinds`: the kind itself, or
    /// `Kind.group` (kubectl's spelling) for a well-known kind's name used
    /// in another API group, so that `'Role' in pkg.kinds` means an RBAC
    /// Role.
    pub fn qualified_kind(&self) -> String {
        if self.in_own_group() {
            self.kind.clone()
        } else {
            format!("{}.{}", self.kind, self.group())
        }
    }

    /// The line of a dotted field path inside the object, or the object's own
    /// line when the path is absent. Embedded objects keep positions in their
    /// host file, so this is always a real line of `origin.file`.
    pub fn line_of(&self, path: Option<&str>) -> u32 {
        self.line_of_any(path.as_slice())
    }

    /// The line of the first of `paths` present in the object (a rule names
    /// alternatives where layouts differ: a v1beta1 CRD's schema is under
    /// `spec.validation`, a v1 CRD's under `spec.versions`), or the object's
    /// own line when none is.
    pub fn line_of_any<S: AsRef<str>>(&self, paths: &[S]) -> u32 {
        if self.origin.rendered {
            return self.origin.line;
        }
        paths
            .iter()
            .find_map(|p| self.node.path(p.as_ref()))
            .map(|n| n.pos.line)
            .unwrap_or(self.origin.line)
    }
}

/// The API groups that serve a well-known kind (Kubernetes' own kinds and
/// the ones operators and charts ship most), or `None` for any other kind.
/// Selection by kind and the facts derived per kind use it, so an object is
/// judged as what it is, not as what its kind's name suggests.
pub fn well_known_groups(kind: &str) -> Option<&'static [&'static str]> {
    Some(match kind {
        "Role" | "ClusterRole" | "RoleBinding" | "ClusterRoleBinding" => {
            &["rbac.authorization.k8s.io"]
        }
        "Deployment" | "DaemonSet" | "ReplicaSet" => &["apps", "extensions"],
        "StatefulSet" | "ControllerRevision" => &["apps"],
        "Pod"
        | "Service"
        | "ConfigMap"
        | "Secret"
        | "ServiceAccount"
        | "Namespace"
        | "PersistentVolumeClaim"
        | "PersistentVolume"
        | "Endpoints"
        | "Event"
        | "Node"
        | "LimitRange"
        | "ResourceQuota" => &[""],
        "Job" | "CronJob" => &["batch"],
        "PodDisruptionBudget" => &["policy"],
        "HorizontalPodAutoscaler" => &["autoscaling"],
        "VerticalPodAutoscaler" => &["autoscaling.k8s.io"],
        "CustomResourceDefinition" => &["apiextensions.k8s.io"],
        "ClusterServiceVersion" => &["operators.coreos.com"],
        "ServiceMonitor" | "PodMonitor" | "PrometheusRule" | "Probe" => {
            &["monitoring.coreos.com", "monitoring.rhobs"]
        }
        "ScaledObject" | "ScaledJob" => &["keda.sh"],
        "NetworkPolicy" => &["networking.k8s.io", "extensions"],
        "Ingress" => &["networking.k8s.io", "extensions"],
        "PriorityClass" => &["scheduling.k8s.io"],
        "StorageClass" => &["storage.k8s.io"],
        "Lease" => &["coordination.k8s.io"],
        "ValidatingWebhookConfiguration" | "MutatingWebhookConfiguration" => {
            &["admissionregistration.k8s.io"]
        }
        "APIService" => &["apiregistration.k8s.io"],
        _ => return None,
    })
}

/// A target after loading.
#[derive(Debug, Clone)]
pub struct Package {
    /// Bundle, chart or manifests.
    pub kind: TargetKind,
    /// The on-disk layout: `bundle`, `package-manifest`, `chart`, `manifests`.
    pub layout: String,
    /// The target's path as reported.
    pub path: String,
    /// Package name (OLM package, chart name, folder name).
    pub name: String,
    /// Version, when the package has one.
    pub version: Option<String>,
    /// The file that describes the package (the CSV, Chart.yaml).
    pub main_file: Option<String>,
    /// `main_file`'s tree when it is not one of `resources` (a chart's
    /// Chart.yaml), so package-level evidence can point at a `locate` line.
    pub main_node: Option<Node>,
    /// The declared capability level text, exactly as written.
    pub declared_raw: Option<String>,
    /// Where the declaration is written.
    pub declared_origin: Option<Origin>,
    /// Every object, in file order.
    pub resources: Vec<Resource>,
    /// Package-level facts bound as `package` in rule expressions.
    pub facts: serde_json::Value,
    /// Problems met while loading.
    pub diagnostics: Vec<Diagnostic>,
    /// Exemptions the package declares for itself (`caplevel.io/exempt.<rule>`
    /// annotations): rule id → (reason, where written).
    pub exemptions: BTreeMap<String, (String, Origin)>,
    /// The files besides the objects that package facts are read from, by
    /// name (`annotations`, `package`, `chart`, `values`, `readme`, `notes`
    /// …), so a package-level rule's evidence points into the file it
    /// judged (`locate: "@values:image.repository"`) rather than at the CSV.
    pub sources: BTreeMap<String, Source>,
}

/// A file a package's facts are read from, kept for evidence.
#[derive(Debug, Clone)]
pub struct Source {
    /// The file, as reported.
    pub file: String,
    /// Its tree, with positions, when it is YAML; `None` for plain text.
    pub node: Option<Node>,
}

impl Source {
    /// The line of a dotted path in the file (see [`Node::path`]), or the
    /// first line when no path is asked; `None` when the path is absent
    /// (the caller then tries its next location).
    /// A `*` segment stands for any key or item (`*.image` finds
    /// `controller.image`), the first in file order that has the rest.
    pub fn line_of(&self, path: Option<&str>) -> Option<u32> {
        match path {
            None => Some(1),
            Some(p) => self
                .node
                .as_ref()
                .and_then(|n| find_path(n, p, 0))
                .map(|n| n.pos.line.max(1)),
        }
    }
}

/// How many `*` segments one path may hold (bounds the search).
const MAX_WILDCARDS: usize = 3;

/// `Node::path` with `*` segments matching any child.
fn find_path<'n>(node: &'n Node, path: &str, depth: usize) -> Option<&'n Node> {
    let (head, rest) = if path == "*" {
        ("", Some(""))
    } else if let Some(rest) = path.strip_prefix("*.") {
        ("", Some(rest))
    } else if let Some((head, rest)) = path.split_once(".*.") {
        (head, Some(rest))
    } else if let Some(head) = path.strip_suffix(".*") {
        (head, Some(""))
    } else {
        (path, None)
    };
    let base = if head.is_empty() {
        node
    } else {
        node.path(head)?
    };
    let Some(rest) = rest else {
        return Some(base);
    };
    if depth >= MAX_WILDCARDS {
        return None;
    }
    let children: Vec<&Node> = match (base.as_map(), base.as_seq()) {
        (Some(map), _) => map.iter().map(|(_, v)| v).collect(),
        (None, Some(items)) => items.iter().collect(),
        _ => return None,
    };
    children.into_iter().find_map(|child| {
        if rest.is_empty() {
            Some(child)
        } else {
            find_path(child, rest, depth + 1)
        }
    })
}

impl Package {
    /// A package of `kind` laid out as `layout` at `path`, holding the
    /// resources and diagnostics its loader read; everything else is filled
    /// in by the loader afterwards.
    pub fn new(
        kind: TargetKind,
        layout: &str,
        path: String,
        resources: Vec<Resource>,
        diagnostics: Vec<Diagnostic>,
    ) -> Package {
        Package {
            kind,
            layout: layout.to_string(),
            path,
            name: String::new(),
            version: None,
            main_file: None,
            main_node: None,
            declared_raw: None,
            declared_origin: None,
            resources,
            facts: serde_json::Value::Null,
            diagnostics,
            exemptions: BTreeMap::new(),
            sources: BTreeMap::new(),
        }
    }

    /// The declared level, when the declaration is one of the five levels.
    pub fn declared(&self) -> Option<Phase> {
        self.declared_raw.as_deref().and_then(Phase::parse_declared)
    }

    /// Whether the package carries its objects. A catalog bundle with only
    /// its CSV's metadata (`package.catalog.objects == false`) does not: what
    /// its files lack is unknown, not absent.
    pub fn objects_known(&self) -> bool {
        self.facts["catalog"]["objects"] != serde_json::Value::Bool(false)
    }

    /// The package's own ClusterServiceVersion: the first CSV read from a
    /// file of its own, not one embedded in another object.
    pub fn own_csv(&self) -> Option<&Resource> {
        self.resources
            .iter()
            .find(|r| r.is_kind("ClusterServiceVersion") && r.origin.embedded.is_none())
    }
}
