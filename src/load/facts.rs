//! Derived facts: what rules need that CEL cannot compute by itself.
//!
//! CEL has no recursion, so a CRD's nested schema fields, a role's grants
//! spread over lists of groups × resources, and a workload's pod spec behind
//! kind-specific paths are computed here once per package, and bound as
//! `facts` (per object) and `package` (per package) in rule expressions.
//! CRDs are read as the API server serves them: a `v1beta1` CRD's top-level
//! `validation`/`subresources`/`version` count for each of its versions.

use super::schema_walk::{
    MAX_SCHEMA_DEPTH, SchemaVisitor, description_matches, map_values, walk_schema,
};
use crate::diag::Code;
use crate::package::{Package, Resource};
use crate::yaml::{Node, Value};

use serde_json::{Map, Value as Json, json};
use std::collections::{BTreeMap, BTreeSet};

/// Most schema field paths collected per CRD, repeats across versions
/// included (bounds hostile schemas).
const MAX_FIELDS: usize = 100_000;
/// Most grants kept per role, each verb of a grant counted as well: a role
/// of 100 groups × 100 resources × 100,000 verbs would otherwise copy a
/// billion verbs (bounds hostile roles).
const MAX_GRANTS: usize = 200_000;
/// Most grants kept per package, counted the same way.
const MAX_PACKAGE_GRANTS: usize = 1_000_000;

/// Computes every resource's facts and the package facts, merging the
/// loader's own facts (channels, annotations, examples …) into the latter.
pub fn derive(package: &mut Package) {
    // Kubernetes' built-in ClusterRoles a shipped binding names: grants too.
    let built_in = super::rbac::builtin_roles(&package.resources);
    package.resources.extend(built_in);
    let mut object_facts = |r: &mut Resource| {
        r.facts = resource_facts(r);
        if let (Some(super::rbac::BUILT_IN_ORIGIN), Json::Object(m)) =
            (r.origin.embedded.as_deref(), &mut r.facts)
        {
            m.insert("builtIn".into(), Json::Bool(true));
        }
        // A rendered chart object: the profiles that rendered this version.
        if let (false, Json::Object(m)) = (r.profiles.is_empty(), &mut r.facts) {
            m.insert("profiles".into(), json!(r.profiles));
        }
    };
    for r in &mut package.resources {
        object_facts(r);
        r.renderings.iter_mut().for_each(&mut object_facts);
    }
    let mut facts = match std::mem::take(&mut package.facts) {
        Json::Object(map) => map,
        _ => Map::new(),
    };
    // A chart's HPAs: what each scales, as rendered where the HPA is.
    if let (Some(text), Some(from)) = (facts.get("templateText"), facts.get("renderedFrom")) {
        super::scale_target::mark_scale_targets(&mut package.resources, text, from);
    }
    let defaults: [(&str, Json); 12] = [
        ("internalObjects", json!([])),
        ("channels", json!([])),
        ("releaseChannels", json!([])),
        ("defaultChannel", Json::Null),
        ("annotations", json!({})),
        ("files", json!([])),
        ("examples", json!([])),
        ("examplesError", Json::Null),
        ("dependencies", json!([])),
        ("properties", json!([])),
        ("scorecard", Json::Null),
        ("releaseConfig", Json::Null),
    ];
    for (key, value) in defaults {
        facts.entry(key).or_insert(value);
    }
    facts.insert("kind".into(), json!(package.kind.id()));
    facts.insert("layout".into(), json!(package.layout));
    facts.insert("name".into(), json!(package.name));
    facts.insert("version".into(), json!(package.version));
    facts.insert("declaredRaw".into(), json!(package.declared_raw));
    facts.insert("declared".into(), json!(package.declared().map(|p| p.id())));

    let owned: Vec<String> = package
        .own_csv()
        .and_then(|c| c.node.path("spec.customresourcedefinitions.owned"))
        .and_then(Node::as_seq)
        .map(|items| {
            items
                .iter()
                .filter_map(|i| i.get("name").and_then(Node::scalar_text))
                .collect()
        })
        .unwrap_or_default();
    // A CRD's own facts say its name and whether the CSV owns it; `pkg.crds`
    // and `pkg.csv` are bound by the evaluator from the objects' own values
    // (shared, not copied), so they are not repeated here.
    let csv_index = package
        .resources
        .iter()
        .position(|r| r.is_kind("ClusterServiceVersion") && r.origin.embedded.is_none());
    // The CSV's tree is lent out while the CRDs read it (no copy).
    let csv_node = csv_index.map(|i| {
        let empty = Node {
            value: Value::Null,
            pos: Default::default(),
        };
        std::mem::replace(&mut package.resources[i].node, empty)
    });
    let no_examples = Json::Null;
    let examples = facts.get("examples").unwrap_or(&no_examples);
    // Each CRD's schema fields, for telling a descriptor copied from
    // another kind (see `fields_from_csv`).
    let schema_fields: Vec<(String, BTreeSet<String>)> = package
        .resources
        .iter()
        .filter(|r| r.is_kind("CustomResourceDefinition"))
        .map(|r| (r.name.clone(), string_set(&r.facts["fields"])))
        .collect();
    for r in package
        .resources
        .iter_mut()
        .filter(|r| r.is_kind("CustomResourceDefinition"))
    {
        if let Json::Object(m) = &mut r.facts {
            m.insert("name".into(), json!(r.name));
            m.insert("owned".into(), json!(owned.contains(&r.name)));
        }
        let others: BTreeSet<&str> = schema_fields
            .iter()
            .filter(|(name, _)| *name != r.name)
            .flat_map(|(_, f)| f.iter().map(String::as_str))
            .collect();
        fields_from_csv(r, csv_node.as_ref(), examples, &others);
    }
    if let (Some(i), Some(node)) = (csv_index, csv_node) {
        package.resources[i].node = node;
    }
    for r in package
        .resources
        .iter_mut()
        .filter(|r| r.is_kind("CustomResourceDefinition"))
    {
        example_shapes(r, examples);
        let pods = configures_a_pod(&r.facts, false);
        if let Json::Object(m) = &mut r.facts {
            m.insert("configuresPods".into(), Json::Bool(pods));
            let env = example_env_names(m, examples);
            m.insert("exampleEnvNames".into(), json!(env));
        }
    }

    // Well-known kinds by name, others borrowing their name as `Kind.group`.
    let kinds: BTreeSet<String> = package
        .resources
        .iter()
        .map(Resource::qualified_kind)
        .collect();
    facts.insert("kinds".into(), json!(kinds));
    let ships_crds = kinds.contains("CustomResourceDefinition");
    facts.insert("hasWorkloads".into(), json!(has_workloads(package)));
    let holders = super::rbac::attribute(&mut package.resources);
    facts.insert("operatorServiceAccounts".into(), json!(holders));
    super::workloads::mark_operator_workloads(&mut package.resources);
    let monitors = super::workloads::mark_monitors(&mut package.resources);
    super::workloads::mark_metrics_flag_services(&mut package.resources);
    facts.insert(
        "operatorConfig".into(),
        Json::Array(super::operator_config::operator_config(&package.resources)),
    );
    facts.insert("monitors".into(), Json::Array(monitors));
    // Every grant of every role, with the role it comes from and whether the
    // operator's own service accounts hold it, so a package-level rule can
    // weigh RBAC against CRD fields in one expression.
    let mut size = 0;
    let grants: Vec<Json> = package
        .resources
        .iter()
        .filter(|r| r.is_kind("Role") || r.is_kind("ClusterRole"))
        .flat_map(|r| {
            let operator = r.facts["operator"].as_bool().unwrap_or(false);
            let role = json!({"kind": r.kind, "name": r.name, "operator": operator});
            r.facts["grants"]
                .as_array()
                .cloned()
                .unwrap_or_default()
                .into_iter()
                .map(move |mut g| {
                    g["role"] = role.clone();
                    g
                })
        })
        .take_while(|g| {
            size += 1 + g["verbs"].as_array().map_or(0, Vec::len);
            size <= MAX_PACKAGE_GRANTS
        })
        .collect();
    let lines = grants.iter().flat_map(grant_lines).collect();
    facts.insert("grantText".into(), Json::String(lines_text(lines)));
    let operator_grants: Vec<Json> = grants
        .iter()
        .filter(|g| g["role"]["operator"] == Json::Bool(true))
        .cloned()
        .collect();
    let lines = operator_grants.iter().flat_map(grant_lines).collect();
    facts.insert("operatorGrantText".into(), Json::String(lines_text(lines)));
    let runs = runs_operand(
        package,
        facts["operatorGrantText"].as_str().unwrap_or_default(),
    );
    facts.insert("runsOperand".into(), json!(runs));
    let kind = operator_kind(package, runs);
    facts.insert("operatorKind".into(), json!(kind));
    let reconciles = reconciles(
        ships_crds || !owned.is_empty(),
        facts["operatorGrantText"].as_str().unwrap_or_default(),
    );
    facts.insert("reconciles".into(), json!(reconciles));
    facts.insert(
        "deployedImages".into(),
        Json::Array(deployed_images(package)),
    );
    facts.insert(
        "selfWebhooks".into(),
        Json::Array(super::webhooks::self_registered(&package.resources)),
    );
    if package.kind == crate::package::TargetKind::Chart {
        let ships_crds = facts["shipsCrds"].as_bool().unwrap_or(false);
        let (operator, why) = chart_operator(
            package,
            ships_crds,
            facts["hasWorkloads"].as_bool().unwrap_or(true),
            facts["operatorGrantText"].as_str().unwrap_or_default(),
        );
        facts.insert("operator".into(), json!(operator));
        facts.insert("operatorWhy".into(), json!(why));
    }
    let own_monitor = own_metrics_monitor_grant(&operator_grants);
    facts.insert("ownMetricsMonitorGrant".into(), json!(own_monitor));
    facts.insert("operatorGrants".into(), Json::Array(operator_grants));
    facts.insert("grants".into(), Json::Array(grants));
    package.facts = Json::Object(facts);
}

/// Whether the operator holds the operator-sdk v0.x scaffold's grant for
/// its own metrics ServiceMonitor: create on monitoring.coreos.com
/// `servicemonitors` (named, or `*` in that group) beside update on `apps`
/// `deployments/finalizers` limited by `resourceNames` to the operator's
/// own Deployment: the owner-reference grant `metrics.CreateServiceMonitors`
/// needs to make that Deployment own the monitor. With that grant, whatever
/// verbs come with servicemonitors (`get, create` as scaffolded, `*` as the
/// Helm operator's role generator writes them). A grant on the finalizers
/// of any Deployment (no `resourceNames`, or `apps` `*`), which an operator
/// owning its operand's Deployments may hold, counts only with the
/// scaffold's own verbs: nothing that keeps a monitor up to date (update,
/// patch, delete, list, watch).
fn own_metrics_monitor_grant(operator_grants: &[Json]) -> bool {
    let (mut monitor, mut keeps, mut own, mut any_finalizers) = (false, false, false, false);
    for g in operator_grants {
        let text = |key: &str| g[key].as_str().unwrap_or_default();
        let (group, resource) = (text("group"), text("resource"));
        let verbs: Vec<&str> = g["verbs"]
            .as_array()
            .map(|vs| vs.iter().filter_map(Json::as_str).collect())
            .unwrap_or_default();
        let any = |wanted: &[&str]| verbs.iter().any(|v| *v == "*" || wanted.contains(v));
        if group == "monitoring.coreos.com" && matches!(resource, "servicemonitors" | "*") {
            monitor |= any(&["create"]);
        }
        if matches!(group, "monitoring.coreos.com" | "*")
            && matches!(resource, "servicemonitors" | "*")
        {
            keeps |= any(&[
                "update",
                "patch",
                "delete",
                "deletecollection",
                "list",
                "watch",
            ]);
        }
        if !any(&["update"]) {
            continue;
        }
        let finalizers = group == "apps" && resource == "deployments/finalizers";
        own |= finalizers && g.get("resourceNames").is_some();
        any_finalizers |= finalizers || (group == "apps" && resource == "*");
    }
    monitor && (own || any_finalizers && !keeps)
}

/// Whether the operator runs an in-cluster operand: its own grants let it
/// create Deployments, StatefulSets, DaemonSets, Jobs or CronJobs (a `*`
/// covers any name, as `allows()` reads it), or Pods while its API shows a
/// pod: a CRD it ships configures one (`configures_a_pod`) or the CSV's
/// owned CRDs name a workload kind or a pod descriptor
/// (`owned_resources_run_pods`). A CRD's pod-shaped fields count only when
/// the operator may also create a Service, ConfigMap, Secret or claim to
/// give the pods (a watcher that reads pods and writes reports on them, such
/// as an image scanner, may create none).
///
/// Two grants are the operator-sdk scaffolds', given to every project
/// whether it runs an operand or not: Pods (Go), and Deployments,
/// DaemonSets, ReplicaSets and StatefulSets named together (Ansible; a
/// controller that runs workloads does not create ReplicaSets, the
/// Deployment controller does). The Pods grant counts only with an API that
/// shows a pod; the Ansible one (without Jobs or CronJobs beside it) does
/// not count when the API shows no pod, volume, operand version or replica
/// count and configures a server elsewhere (a URL, endpoint or host): a
/// configuration operator for an external service.
fn runs_operand(package: &Package, operator_grant_text: &str) -> bool {
    static PATTERNS: std::sync::OnceLock<Option<[regex::Regex; 5]>> = std::sync::OnceLock::new();
    let Some([groups, workloads, core, pods, create]) = PATTERNS
        .get_or_init(|| {
            let re = |p: &str| regex::Regex::new(p).ok();
            Some([
                re("^(?:|apps|batch)$")?,
                re("^(?:deployments|statefulsets|daemonsets|jobs|cronjobs)$")?,
                re("^$")?,
                re("^pods$")?,
                re("^create$")?,
            ])
        })
        .as_ref()
    else {
        return false;
    };
    let grants = |g: &regex::Regex, r: &regex::Regex| {
        operator_grant_text
            .lines()
            .any(|line| crate::rules::grant_allows(line, g, r, create))
    };
    let workload_grant = grants(groups, workloads);
    if !workload_grant && !grants(core, pods) {
        return false;
    }
    // The Ansible scaffold's grant names ReplicaSets beside Deployments,
    // DaemonSets and StatefulSets; a controller that runs workloads creates
    // those it needs (the Deployment controller makes the ReplicaSets).
    // Named one by one, not through a wildcard.
    let named = |resource: &str| {
        ["create", "*"].iter().any(|verb| {
            operator_grant_text
                .lines()
                .any(|line| line == format!("apps/{resource} {verb}"))
        })
    };
    let scaffold = ["deployments", "daemonsets", "replicasets", "statefulsets"]
        .iter()
        .all(|r| named(r));
    let jobs = regex::Regex::new("^(?:jobs|cronjobs)$").ok();
    let batch = regex::Regex::new("^batch$").ok();
    let other_workloads = match (&batch, &jobs) {
        (Some(b), Some(j)) => grants(b, j),
        _ => false,
    };
    if workload_grant && (!scaffold || other_workloads) {
        return true;
    }
    let crds: Vec<&Resource> = package
        .resources
        .iter()
        .filter(|r| r.is_kind("CustomResourceDefinition"))
        .collect();
    // A pods grant is the Go scaffold's too: it counts with a CRD that
    // configures a pod itself. Behind the Ansible scaffold's workload grant
    // the wider signs of an operand count as well (its volumes, version,
    // replica counts).
    // Behind the pods grant alone, a pod the operator runs also has
    // something to be given: a Service, a ConfigMap, a Secret or a claim
    // it may create. A watcher that only reads pods and writes reports on
    // them (a scanner's `spec.image` names the image it scanned) has none.
    let equips_pods = workload_grant || {
        let core = regex::Regex::new("^$").ok();
        let kit =
            regex::Regex::new("^(?:services|configmaps|secrets|persistentvolumeclaims)$").ok();
        match (&core, &kit) {
            (Some(c), Some(k)) => grants(c, k),
            _ => false,
        }
    };
    if equips_pods
        && crds
            .iter()
            .any(|r| configures_a_pod(&r.facts, workload_grant))
        || owned_resources_run_pods(package)
    {
        return true;
    }
    if !workload_grant {
        return false;
    }
    // The scaffold's grant on an operator whose API configures no pod: it
    // runs none when its API points at a server elsewhere (a URL, an
    // endpoint or a host to reach), which it configures from outside.
    !crds.iter().any(|r| names_a_remote_server(&r.facts))
}

/// Whether a CRD's spec names a server to reach: a string field called
/// `url`, `uri`, `endpoint`, `host` or `address`, alone or with a prefix
/// (`baseUrl`, `serverURL`, `apiEndpoint`).
fn names_a_remote_server(facts: &Json) -> bool {
    static SERVER: std::sync::OnceLock<Option<regex::Regex>> = std::sync::OnceLock::new();
    let Some(server) = crate::lazy_regex::cached(
        &SERVER,
        r"(?m)^spec\.(.+\.)?([a-z][A-Za-z]*)?(url|uri|Url|URL|Uri|URI|endpoint|Endpoint|host|Host|address|Address) string$",
    ) else {
        return false;
    };
    // Read from a schema only: an example's string (`endpoint: "<LockServer
    // IP and Port>"`) is one instance's value, often a dependency the
    // operand is pointed at, not the API's declared type.
    if facts["fieldSource"].as_str() != Some("schema") {
        return false;
    }
    let shapes = facts["shapeText"].as_str().unwrap_or_default();
    server.is_match(&shapes.replace("[]", ""))
}

/// Whether a CRD shows that its operator runs pods: its spec configures a
/// pod or a pod's volumes, or its status counts pods.
/// - a spec field named as a pod's settings are (`image`, `resources`,
///   `replicas`, `nodeSelector`, `template` …) and of the type they have
///   there (`resources` an object, not the list of resources an
///   authorization policy names; `replicas` a number). A pod-shaping name
///   inside a volume claim or a storage section sizes a volume
///   (`volumeClaimTemplate.spec.resources`, `storage.size`), not a pod;
/// - a spec field that gives pods their volumes (`storage`,
///   `volumeClaimTemplate`, `storageClassName`, `persistentVolumeClaim`, a
///   list of `volumes`), or the operand's version (`spec.version`);
/// - a status count of replicas (`readyReplicas`, `availableReplicas` …).
///
/// A field known only from the CSV's examples or descriptors has no type
/// and counts by its name.
fn configures_a_pod(facts: &Json, wider: bool) -> bool {
    // Each name with the schema types it may have (`any`: no type declared,
    // as for int-or-string).
    const POD_SHAPING: [(&str, &[&str]); 13] = [
        ("image", &["string", "object", "any"]),
        ("images", &["object", "array", "any"]),
        ("resources", &["object", "any"]),
        ("replicas", &["integer", "number", "any"]),
        ("replicaCount", &["integer", "number", "any"]),
        ("size", &["integer", "number", "any"]),
        ("affinity", &["object", "any"]),
        ("nodeSelector", &["object", "any"]),
        ("tolerations", &["array", "any"]),
        ("template", &["object", "any"]),
        ("podTemplate", &["object", "any"]),
        ("podSpec", &["object", "any"]),
        ("containers", &["array", "any"]),
    ];
    const POD_VOLUMES: [(&str, &[&str]); 7] = [
        ("storage", &["object", "any"]),
        ("volumeClaimTemplate", &["object", "any"]),
        ("volumeClaimTemplates", &["array", "any"]),
        ("storageClassName", &["string", "any"]),
        ("persistentVolumeClaim", &["object", "any"]),
        ("volumes", &["array", "any"]),
        ("volumeMounts", &["array", "any"]),
    ];
    const POD_COUNTS: [(&str, &[&str]); 6] = [
        ("version", &["string", "any"]),
        ("readyReplicas", &["integer", "number", "any"]),
        ("availableReplicas", &["integer", "number", "any"]),
        ("currentReplicas", &["integer", "number", "any"]),
        ("updatedReplicas", &["integer", "number", "any"]),
        ("replicas", &["integer", "number", "any"]),
    ];
    let named = |list: &'static [(&str, &'static [&'static str])], name: &str| {
        list.iter().find(|(n, _)| *n == name).map(|(_, t)| *t)
    };
    let shaping = |path: &str| -> Option<&'static [&'static str]> {
        let mut segments = path.split('.');
        let root = segments.next()?;
        let name = path.rsplit('.').next()?;
        if root == "status" {
            // The installed operand's version, at the top of the status.
            if name == "version" && path != "status.version" {
                return None;
            }
            return named(&POD_COUNTS, name).filter(|_| wider);
        }
        if root != "spec" {
            return None;
        }
        // The operand's version, at the top of the spec.
        if path == "spec.version" {
            const VERSION: &[&str] = &["string", "any"];
            return Some(VERSION).filter(|_| wider);
        }
        if let Some(types) = named(&POD_VOLUMES, name) {
            return Some(types).filter(|_| wider);
        }
        let types = named(&POD_SHAPING, name)?;
        // A kustomize overlay's `images` and `replicas` override the
        // user's manifests a GitOps or Helm controller applies, not pods
        // of the operator's own.
        let volume = segments.any(|seg| {
            let seg = seg.to_ascii_lowercase();
            ["claim", "volume", "storage", "pvc", "disk", "kustomize"]
                .iter()
                .any(|w| seg.contains(w))
        });
        (!volume).then_some(types)
    };
    let fields: Vec<&str> = facts["fields"]
        .as_array()
        .map(|f| f.iter().filter_map(Json::as_str).collect())
        .unwrap_or_default();
    // A `template` is a pod's when it holds containers (`template.spec.
    // containers`) or declares nothing of its own (kept unknown); an
    // ApplicationSet's `template` of Applications or a MachineSet's of
    // Machines is not.
    let pod_template = |path: &str| {
        let below = format!("{path}.");
        let start = fields.partition_point(|f| *f < below.as_str());
        let mut children = fields[start..]
            .iter()
            .take_while(|f| f.starts_with(below.as_str()))
            .peekable();
        children.peek().is_none()
            || children.any(|f| {
                let rest = &f[below.len()..];
                rest == "containers" || rest == "spec.containers"
            })
    };
    // The declared type of each schema path, list items' `[]` dropped so
    // the path reads as `fields` has it.
    let shape_text = facts["shapeText"].as_str().unwrap_or_default();
    let typed: std::collections::BTreeMap<String, &str> = shape_text
        .lines()
        .filter_map(|line| line.rsplit_once(' '))
        .map(|(path, ty)| (path.replace("[]", ""), ty))
        .collect();
    fields.iter().any(|f| {
        shaping(f).is_some_and(|types| typed.get(*f).is_none_or(|ty| types.contains(ty)))
            && (!f.ends_with(".template") || pod_template(f))
    })
}

/// Whether the CSV's owned CRDs say their operator runs pods: an owned
/// entry's `resources` (the kinds the console shows under an instance)
/// names a Deployment, StatefulSet, DaemonSet, ReplicaSet, Pod, Job or
/// CronJob, or a spec or status descriptor is of a pod's kind (pod count,
/// pod statuses, resource requirements, node or pod affinity).
fn owned_resources_run_pods(package: &Package) -> bool {
    const WORKLOAD_KINDS: [&str; 7] = [
        "Deployment",
        "StatefulSet",
        "DaemonSet",
        "ReplicaSet",
        "Pod",
        "Job",
        "CronJob",
    ];
    const POD_DESCRIPTORS: [&str; 6] = [
        "urn:alm:descriptor:com.tectonic.ui:podCount",
        POD_STATUSES,
        "urn:alm:descriptor:com.tectonic.ui:resourceRequirements",
        "urn:alm:descriptor:com.tectonic.ui:nodeAffinity",
        "urn:alm:descriptor:com.tectonic.ui:podAffinity",
        "urn:alm:descriptor:com.tectonic.ui:podAntiAffinity",
    ];
    let owned: Vec<&Node> = package
        .resources
        .iter()
        .filter(|r| r.is_kind("ClusterServiceVersion") && r.origin.embedded.is_none())
        .filter_map(|c| c.node.path("spec.customresourcedefinitions.owned"))
        .filter_map(Node::as_seq)
        .flatten()
        .collect();
    let lists = |key: &'static str| {
        owned
            .iter()
            .filter_map(move |o| o.get(key).and_then(Node::as_seq))
            .flatten()
    };
    lists("resources")
        .filter_map(|r| r.get("kind").and_then(Node::scalar_text))
        .any(|k| WORKLOAD_KINDS.contains(&k.as_str()))
        || lists("specDescriptors")
            .chain(lists("statusDescriptors"))
            .flat_map(x_descriptors)
            .any(|x| POD_DESCRIPTORS.contains(&x.as_str()))
}

/// Every image the operator deploys, as far as the files show, each with
/// where it was found (`from`): the containers and init containers of the
/// operator's workloads (a bundle's: those of its CSV), the values of their
/// environment variables that name an image (`RELATED_IMAGE_*`, or a value
/// that reads as one: a registry host, a path and a tag or digest, whatever
/// the variable is called), and the `default` of CRD image fields (an
/// operand image the operator uses when the custom resource names none).
fn deployed_images(package: &Package) -> Vec<Json> {
    let has_csv = package
        .resources
        .iter()
        .any(|r| r.is_kind("ClusterServiceVersion") && r.origin.embedded.is_none());
    let mut out = Vec::new();
    let mut push = |image: &str, from: String| {
        if !image.is_empty() && out.len() < MAX_IMAGES {
            out.push(json!({"image": image, "from": from}));
        }
    };
    for r in &package.resources {
        if r.is_kind("CustomResourceDefinition") {
            for d in r.facts["imageDefaults"].as_array().into_iter().flatten() {
                let (Some(path), Some(image)) = (d["path"].as_str(), d["image"].as_str()) else {
                    continue;
                };
                push(
                    image,
                    format!("default of {path} in CustomResourceDefinition {}", r.name),
                );
            }
            continue;
        }
        // A bundle deploys what its CSV installs (OLM installs no other
        // workload a bundle ships).
        if has_csv && r.origin.embedded.is_none() {
            continue;
        }
        for list in ["initContainers", "containers"] {
            for c in r.facts[list].as_array().into_iter().flatten() {
                let container = c["name"].as_str().unwrap_or_default();
                let workload = format!("{} {}", r.kind, r.name);
                if let Some(image) = c["image"].as_str() {
                    push(image, format!("container {container} of {workload}"));
                }
                for e in c["env"].as_array().into_iter().flatten() {
                    let name = e["name"].as_str().unwrap_or_default();
                    let Some(value) = e["value"].as_str() else {
                        continue;
                    };
                    if names_an_image(name, value) {
                        push(
                            value,
                            format!("env {name} of container {container} ({workload})"),
                        );
                    }
                }
            }
        }
    }
    out
}

/// Most images collected per package (bounds hostile CSVs).
const MAX_IMAGES: usize = 10_000;

/// Whether an environment variable's value is an image reference: any
/// value of a `RELATED_IMAGE_*` variable; a `host/path` of a variable whose
/// name ends in `IMAGE`; and, whatever the name, a value with a registry
/// host (a dot, a port or `localhost`), a path, and a tag or a digest
/// (`quay.io/org/app:1.2`, `KEEPALIVED_OPERATOR_IMAGE_NAME`'s value).
fn names_an_image(name: &str, value: &str) -> bool {
    static PATTERNS: std::sync::OnceLock<Option<[regex::Regex; 2]>> = std::sync::OnceLock::new();
    let Some([path, full]) = PATTERNS
        .get_or_init(|| {
            let re = |p: &str| regex::Regex::new(p).ok();
            Some([
                re(r"^[a-z0-9.-]+(:[0-9]+)?/[^ ]+$")?,
                re(r"^([a-z0-9-]+(\.[a-z0-9-]+)+(:[0-9]+)?|localhost(:[0-9]+)?)(/[a-z0-9._-]+)+(:[A-Za-z0-9_][A-Za-z0-9._-]{0,127})?(@sha256:[0-9a-f]{64})?$")?,
            ])
        })
        .as_ref()
    else {
        return false;
    };
    if value.is_empty() || value.contains("://") {
        return false;
    }
    if name.starts_with("RELATED_IMAGE_") {
        return true;
    }
    if name.ends_with("IMAGE") && path.is_match(value) {
        return true;
    }
    let tagged = value.contains("@sha256:")
        || value
            .rsplit('/')
            .next()
            .is_some_and(|last| last.contains(':'));
    tagged && full.is_match(value)
}

/// `path image` of every string `default` of an image field (`image`,
/// `<x>Image`) in a CRD schema. An image default without a tag or digest
/// whose tag is a field of its own beside it (`image` with `image_version`
/// or `imageTag`, or a bare `tag`/`version` beside `image`) is completed
/// with that field's default, as the operator joins them
/// (`quay.io/pulp/pulp-minimal` and `stable`: `quay.io/pulp/pulp-minimal:stable`).
#[derive(Default)]
struct ImageDefaults {
    images: Vec<(String, String, String)>,
    /// String defaults of fields named like a tag or version, by path.
    tags: BTreeMap<String, String>,
}

impl SchemaVisitor for ImageDefaults {
    fn full(&self) -> bool {
        self.images.len() >= MAX_IMAGES || self.tags.len() >= MAX_IMAGES
    }
    fn property(&mut self, path: &str, name: &str, schema: &Node) {
        let default = schema
            .get("default")
            .filter(|d| matches!(d.value, Value::String(_)))
            .and_then(Node::scalar_text)
            .filter(|d| !d.is_empty());
        let Some(default) = default else {
            return;
        };
        if name == "image" || name.ends_with("Image") {
            self.images
                .push((path.to_string(), name.to_string(), default));
        } else {
            let lower = name.to_ascii_lowercase();
            if lower.contains("version") || lower.contains("tag") {
                self.tags.insert(path.to_string(), default);
            }
        }
    }
}

impl ImageDefaults {
    /// `{path, image}` each, an untagged image completed with its tag field.
    fn into_json(self) -> Vec<Json> {
        self.images
            .into_iter()
            .map(|(path, name, image)| {
                let last = image.rsplit('/').next().unwrap_or(&image);
                let untagged = !last.contains(':') && !image.contains('@');
                let parent = path.strip_suffix(name.as_str()).unwrap_or("");
                let mut candidates = Vec::new();
                for suffix in ["_version", "Version", "_tag", "Tag", "-version", "-tag"] {
                    candidates.push(format!("{parent}{name}{suffix}"));
                }
                if name == "image" {
                    candidates.push(format!("{parent}tag"));
                    candidates.push(format!("{parent}version"));
                }
                let tag = untagged
                    .then(|| candidates.iter().find_map(|c| self.tags.get(c)))
                    .flatten();
                let image = match tag {
                    Some(tag) if tag.starts_with("sha256:") => format!("{image}@{tag}"),
                    Some(tag) => format!("{image}:{tag}"),
                    None => image,
                };
                json!({"path": path, "image": image})
            })
            .collect()
    }
}

/// The kinds whose objects run pods.
const POD_KINDS: [&str; 8] = [
    "Deployment",
    "StatefulSet",
    "DaemonSet",
    "ReplicaSet",
    "ReplicationController",
    "Job",
    "CronJob",
    "Pod",
];

/// `pkg.hasWorkloads`: whether the package runs pods of its own — an
/// object of a pod-running kind in its own API group, the stand-in of a
/// chart template that failed to render one included (its fields are
/// unknown, but it would create a workload), a Helm hook not: a test Pod or
/// a Job that runs at install time runs beside the release, not as part of
/// it. A chart without any (CRDs alone, custom resources for a controller
/// installed apart, a workload its default values leave off) has no pods
/// whose probes, metrics or shutdown a rule could judge. When the render is
/// incomplete — a declared dependency is not vendored, or a template failed
/// under values the chart accepts (its kind may be templated, as Bitnami's
/// `kind: {{ .Values.master.kind }}`, so no stand-in says what it was) —
/// absence proves nothing, and the package counts as having workloads.
fn has_workloads(package: &Package) -> bool {
    let runs_pods = package
        .resources
        .iter()
        .any(|r| POD_KINDS.contains(&r.kind.as_str()) && r.in_own_group() && !r.is_helm_hook());
    let incomplete = package.diagnostics.iter().any(|d| {
        d.code == Code::DependencyMissing
            || (d.code == Code::TemplateError
                && d.profiles.iter().any(|p| p != crate::helm::FEATURES_ON))
    });
    runs_pods || incomplete
}

/// Whether a chart is an operator chart (`pkg.operator`), and why in words
/// (`pkg.operatorWhy`, the reason the operator rules give when they do not
/// apply). Its own workloads' RBAC decides (`chart_controls`: creating
/// workloads or writing custom resources); CRDs shipped decide too, unless
/// the roles its workloads hold grant only reading those CRDs' API: an
/// agent that consumes a CRD of its own (Alloy selecting pods by its
/// `PodLogs`, with get/list/watch) ships an API it is a client of, and no
/// controller of the chart reconciles it. Writing the API (create, update,
/// patch, delete, on the kinds or their status) is a controller's. No
/// grant on the API at all shows nothing either way (the RBAC of a feature
/// left off, a controller whose RBAC a template failed to render): the
/// CRDs decide. A chart that renders no workload at all (`pkg.hasWorkloads`)
/// is none, whatever it ships.
fn chart_operator(
    package: &Package,
    ships_crds: bool,
    has_workloads: bool,
    operator_grant_text: &str,
) -> (bool, String) {
    // No pod of its own, whatever it ships: a chart of CRDs alone, or of
    // custom resources for a controller installed apart (Argo CD
    // Applications), installs an API or its objects, not what serves them.
    if !has_workloads {
        return (
            false,
            "not an operator chart: it renders no workload (no Deployment, StatefulSet, DaemonSet, Job, CronJob or Pod other than a Helm hook, nor a template that failed to render one), so what serves its API is installed apart".into(),
        );
    }
    if chart_controls(operator_grant_text) {
        return (
            true,
            "its own workloads hold RBAC to create workloads or write custom resources".into(),
        );
    }
    if !ships_crds {
        return (
            false,
            "not an operator chart: it ships no CustomResourceDefinition and its workloads hold no RBAC to create workloads or write custom resources".into(),
        );
    }
    let mut groups: Vec<&str> = package
        .resources
        .iter()
        .filter(|r| r.is_kind("CustomResourceDefinition"))
        .filter_map(|r| r.facts["group"].as_str())
        .filter(|g| !g.is_empty())
        .collect();
    groups.sort_unstable();
    groups.dedup();
    // The grant lines on the shipped API (`group/resource verb`; a
    // subresource, `widgets/status`, is the kind's too).
    let on_api: Vec<(&str, &str)> = operator_grant_text
        .lines()
        .filter_map(|line| {
            let (group, rest) = line.split_once('/')?;
            let (resource, verb) = rest.rsplit_once(' ')?;
            (group == "*" || groups.contains(&group)).then_some((resource, verb))
        })
        .collect();
    const WRITE: [&str; 6] = [
        "*",
        "create",
        "update",
        "patch",
        "delete",
        "deletecollection",
    ];
    if on_api.iter().any(|(_, verb)| WRITE.contains(verb)) {
        return (
            true,
            "its own workloads may write the custom resources it ships".into(),
        );
    }
    // No grant on the API at all says nothing of who uses it: a chart of
    // CRDs alone, the RBAC of a feature left off, a template that failed.
    if on_api.is_empty() {
        return (true, "it ships CustomResourceDefinitions".into());
    }
    let what = if groups.is_empty() {
        "its CustomResourceDefinitions".to_string()
    } else {
        format!("the CustomResourceDefinitions of {}", groups.join(", "))
    };
    let mut verbs: Vec<&str> = on_api.iter().map(|(_, v)| *v).collect();
    verbs.sort_unstable();
    verbs.dedup();
    let read = format!("may only read them ({})", verbs.join(", "));
    (
        false,
        format!(
            "not an operator chart: it ships {what}, but its workloads {read} and hold no RBAC to create workloads or write custom resources: a client of that API, not its controller"
        ),
    )
}

/// Whether a chart's own workloads hold RBAC that only a controller needs:
/// creating workloads (Deployments, StatefulSets, DaemonSets, Jobs,
/// CronJobs), or writing (create, update, patch) resources of an API group
/// Kubernetes does not serve itself (a custom resource; `*` included, as
/// `allows()` reads it). With shipped CRDs, this is what makes a chart an
/// operator (`pkg.operator`); its `artifacthub.io/operator` annotation or its
/// name are only claims. Creating Pods is not enough: CI runners and job
/// schedulers start pods without being operators.
fn chart_controls(operator_grant_text: &str) -> bool {
    const WORKLOADS: [&str; 5] = [
        "deployments",
        "statefulsets",
        "daemonsets",
        "jobs",
        "cronjobs",
    ];
    const BUILT_IN: [&str; 6] = ["", "apps", "batch", "policy", "autoscaling", "extensions"];
    operator_grant_text.lines().any(|line| {
        let Some((group, rest)) = line.split_once('/') else {
            return false;
        };
        let Some((resource, verb)) = rest.rsplit_once(' ') else {
            return false;
        };
        let workload = (group == "*" || ["", "apps", "batch"].contains(&group))
            && (resource == "*" || WORKLOADS.contains(&resource))
            && (verb == "*" || verb == "create");
        // A subresource (`/status`, `/scale`, `/finalizers`) is written by
        // whoever runs the parent: a helper subchart scaling another
        // project's resource is not the chart's own controller.
        let custom = (group == "*" || !(BUILT_IN.contains(&group) || group.ends_with(".k8s.io")))
            && !resource.contains('/')
            && ["*", "create", "update", "patch"].contains(&verb);
        workload || custom
    })
}

/// Whether the operator's Deployment runs a reconcile loop: it has an API
/// to reconcile (`has_api`: the package ships or its CSV owns a CRD), or the operator's
/// own grants let it list or watch something (`list`, `watch` or `*` on
/// any resource: a controller's informers, whether it is driven by
/// ConfigMaps, annotations or other projects' objects). A Deployment with
/// neither reconciles nothing: a stateless server such as an OpenShift
/// console plugin, whose only grants register its own ConsolePlugin at
/// start. Rules about a reconcile loop (leader election, an HA operator
/// judged by it) do not apply to it.
fn reconciles(has_api: bool, operator_grant_text: &str) -> bool {
    has_api
        || operator_grant_text.lines().any(|line| {
            line.rsplit_once(' ')
                .is_some_and(|(_, verb)| matches!(verb, "list" | "watch" | "*"))
        })
}

/// What the operator manages, for rules and scoring that only make sense
/// for one kind:
/// - `cloud-resources`: every CRD it ships is in a cloud provider's API
///   group (AWS Controllers for Kubernetes `*.services.k8s.aws`, Azure
///   Service Operator `*.azure.com`, Config Connector
///   `*.cnrm.cloud.google.com`, Crossplane-style providers
///   `*.<cloud>.upbound.io` / `*.<cloud>.crossplane.io`, IBM and Oracle
///   cloud operators), and it runs no operand: it provisions services
///   outside the cluster, so operand rules (backup, scaling, placement,
///   storage, members) cannot apply;
/// - `workload`: it runs an operand in the cluster (`runs_operand`);
/// - `other`: neither (no CRDs, or only in-cluster configuration).
fn operator_kind(package: &Package, runs_operand: bool) -> &'static str {
    let mut crds = package
        .resources
        .iter()
        .filter(|r| r.is_kind("CustomResourceDefinition"))
        .peekable();
    let all_cloud = crds.peek().is_some() && crds.all(|r| r.facts["cloudApi"] == Json::Bool(true));
    if runs_operand {
        "workload"
    } else if all_cloud {
        "cloud-resources"
    } else {
        "other"
    }
}

/// Whether a CRD's API group is a cloud provider's (AWS Controllers for
/// Kubernetes `*.services.k8s.aws`, Azure Service Operator `*.azure.com`
/// (v1: `azure.microsoft.com`),
/// Config Connector `*.cnrm.cloud.google.com`, Crossplane-style providers,
/// IBM and Oracle cloud operators): its objects are services outside the
/// cluster, whose backup, failover or scaling is the cloud's. The CRD fact
/// `cloudApi`.
fn is_cloud_group(group: &str) -> bool {
    static CLOUD: std::sync::OnceLock<Option<regex::Regex>> = std::sync::OnceLock::new();
    crate::lazy_regex::cached(
        &CLOUD,
        r"(^|\.)(services\.k8s\.aws|azure\.com|azure\.microsoft\.com|cnrm\.cloud\.google\.com|(aws|gcp|azure|alibaba|ibm|oci|digitalocean|equinix)\.(upbound\.io|crossplane\.io)|ibmcloud\.ibm\.com|oci\.oracle\.com)$",
    )
    .is_some_and(|re| re.is_match(group))
}

fn resource_facts(r: &Resource) -> Json {
    let mut facts = kind_facts(r);
    // Every object: whether Kubernetes still serves its apiVersion.
    if let Json::Object(m) = &mut facts {
        let removed = super::removed_apis::removal(&r.api_version, &r.kind).map_or(
            Json::Null,
            |rm| json!({"removedIn": rm.removed_in, "replacement": rm.replacement}),
        );
        m.insert("removedApi".into(), removed);
    }
    facts
}

/// The facts of an object's kind.
fn kind_facts(r: &Resource) -> Json {
    // A custom resource whose kind borrows a well-known name (an ACK `Role`)
    // is not read as that kind.
    if !r.in_own_group() {
        return json!({});
    }
    match r.kind.as_str() {
        "CustomResourceDefinition" => crd_facts(&r.node),
        "Role" | "ClusterRole" => role_facts(&r.node),
        "Deployment" | "StatefulSet" | "DaemonSet" | "ReplicaSet" | "Job" => {
            pod_facts(r.node.path("spec.template.spec"))
        }
        "CronJob" => pod_facts(r.node.path("spec.jobTemplate.spec.template.spec")),
        "Pod" => pod_facts(r.node.get("spec")),
        "ClusterServiceVersion" => csv_facts(&r.node),
        _ => json!({}),
    }
}

/// A CSV's facts: where its first image not pinned by digest is, for
/// evidence (`locate: spec.relatedImages{unpinnedRelatedImage}`):
/// `unpinnedDeployment`, the index of the first install deployment with a
/// container or init container image, or an image named in an environment
/// variable, that has no `@sha256:` digest; `unpinnedRelatedImage`, the
/// index of the first such `spec.relatedImages` entry. Absent when none is.
fn csv_facts(csv: &Node) -> Json {
    let unpinned = |image: &str| !image.is_empty() && !image.contains("@sha256:");
    let mut facts = Map::new();
    let deployments = csv
        .path("spec.install.spec.deployments")
        .and_then(Node::as_seq)
        .unwrap_or_default();
    let deployment = deployments.iter().position(|d| {
        [
            "spec.template.spec.containers",
            "spec.template.spec.initContainers",
        ]
        .iter()
        .filter_map(|p| d.path(p).and_then(Node::as_seq))
        .flatten()
        .any(|c| {
            c.get("image")
                .and_then(Node::scalar_text)
                .is_some_and(|i| unpinned(&i))
                || c.get("env")
                    .and_then(Node::as_seq)
                    .unwrap_or_default()
                    .iter()
                    .any(|e| {
                        let name = e
                            .get("name")
                            .and_then(Node::scalar_text)
                            .unwrap_or_default();
                        e.get("value")
                            .and_then(Node::scalar_text)
                            .is_some_and(|v| names_an_image(&name, &v) && unpinned(&v))
                    })
        })
    });
    if let Some(i) = deployment {
        facts.insert("unpinnedDeployment".into(), json!(i));
    }
    let related = csv
        .path("spec.relatedImages")
        .and_then(Node::as_seq)
        .unwrap_or_default()
        .iter()
        .position(|r| {
            r.get("image")
                .and_then(Node::scalar_text)
                .is_some_and(|i| unpinned(&i))
        });
    if let Some(i) = related {
        facts.insert("unpinnedRelatedImage".into(), json!(i));
    }
    Json::Object(facts)
}

fn pod_facts(spec: Option<&Node>) -> Json {
    let list = |key: &str| {
        spec.and_then(|s| s.get(key))
            .map(Node::to_json)
            .filter(Json::is_array)
            .unwrap_or_else(|| json!([]))
    };
    let mut facts = json!({
        "podSpec": spec.map(Node::to_json).unwrap_or_else(|| json!({})),
        "containers": list("containers"),
        "initContainers": list("initContainers"),
        "configMounts": config_mounts(spec),
    });
    // The first container (and init container) that does not request both
    // cpu and memory, for evidence to point at (`containers{containerWithoutRequests}`).
    for (key, fact) in [
        ("containers", "containerWithoutRequests"),
        ("initContainers", "initContainerWithoutRequests"),
    ] {
        let first = facts[key].as_array().and_then(|cs| {
            cs.iter().position(|c| {
                let requests = &c["resources"]["requests"];
                requests.get("cpu").is_none_or(Json::is_null)
                    || requests.get("memory").is_none_or(Json::is_null)
            })
        });
        if let Some(i) = first {
            facts[fact] = Json::from(i);
        }
    }
    facts
}

/// The ConfigMaps a pod's containers read as files: `{container,
/// mountPath, configMap}` for each volume mount of a `configMap` volume (or
/// a `projected` volume's configMap source), init containers included. A
/// file a variable or flag names under `mountPath` is then the ConfigMap's
/// (a log4j or logback configuration the package may ship).
fn config_mounts(spec: Option<&Node>) -> Json {
    let Some(spec) = spec else {
        return json!([]);
    };
    let text = |n: Option<&Node>| n.and_then(Node::scalar_text).unwrap_or_default();
    // Volume name → the ConfigMaps it projects.
    let mut volumes: Vec<(String, Vec<String>)> = Vec::new();
    for v in spec
        .get("volumes")
        .and_then(Node::as_seq)
        .unwrap_or_default()
    {
        let mut maps = Vec::new();
        if let Some(cm) = v.get("configMap") {
            maps.push(text(cm.get("name")));
        }
        let sources = v.path("projected.sources").and_then(Node::as_seq);
        for src in sources.unwrap_or_default() {
            if let Some(cm) = src.get("configMap") {
                maps.push(text(cm.get("name")));
            }
        }
        maps.retain(|m| !m.is_empty());
        if !maps.is_empty() {
            volumes.push((text(v.get("name")), maps));
        }
    }
    let mut out = Vec::new();
    for list in ["initContainers", "containers"] {
        for c in spec.get(list).and_then(Node::as_seq).unwrap_or_default() {
            let container = text(c.get("name"));
            for m in c
                .get("volumeMounts")
                .and_then(Node::as_seq)
                .unwrap_or_default()
            {
                let volume = text(m.get("name"));
                let mount_path = text(m.get("mountPath"));
                for (_, maps) in volumes.iter().filter(|(name, _)| *name == volume) {
                    for map in maps {
                        out.push(json!({
                            "container": container,
                            "mountPath": mount_path,
                            "configMap": map,
                        }));
                    }
                }
            }
        }
    }
    Json::Array(out)
}

/// Whether a CRD's spec points at another object to act on: a reference
/// object directly under spec (`target`, `targetRef`, `scaleTargetRef`,
/// `workloadRef`) holding a `kind` and a `name` (a DatadogPodAutoscaler's
/// `targetRef`, a scaling policy's `target` with apiVersion, kind, name and
/// namespace), and not shaping pods itself (a component section named
/// `target` with an `image` or `replicas` is the operand's); or a string
/// `spec.targetKind` (the target named like the object itself, KubeFed's
/// ReplicaSchedulingPreference). Names are read in camelCase (`target_ref`
/// is `targetRef`); `shapes` are the camelCase `path type` lines.
fn targets_object(fields: &[String], shapes: &[String]) -> bool {
    let near: BTreeSet<String> = fields
        .iter()
        .filter(|f| f.starts_with("spec.") && f.split('.').count() <= 3)
        .map(|f| camel_path(f).into_owned())
        .collect();
    let has = |path: &str| near.contains(path);
    let reference = ["target", "targetRef", "scaleTargetRef", "workloadRef"]
        .iter()
        .any(|r| {
            let at = |leaf: &str| has(&format!("spec.{r}.{leaf}"));
            at("kind")
                && at("name")
                && !["image", "replicas", "resources", "containers", "template"]
                    .iter()
                    .any(|pod| at(pod))
        });
    let target_kind = has("spec.targetKind")
        && shapes.iter().all(|l| {
            l.strip_prefix("spec.targetKind ")
                .is_none_or(|shape| shape == "string")
        });
    reference || target_kind
}

/// A role's grants, as a list and as `grantText` lines, and the API groups
/// it grants whole (`wholeGroups`).
fn role_facts(role: &Node) -> Json {
    let grants = grants(role);
    let text = lines_text(grant_lines(&grants));
    // The grants on any object of their resources (no `resourceNames`):
    // what least privilege weighs as open-ended.
    let open: Vec<String> = grants
        .as_array()
        .map(Vec::as_slice)
        .unwrap_or_default()
        .iter()
        .filter(|g| g.get("resourceNames").is_none())
        .flat_map(grant_lines)
        .collect();
    let whole = whole_groups(&grants);
    json!({
        "grants": grants, "grantText": text, "openGrantText": lines_text(open),
        "wholeGroups": whole,
    })
}

/// Every resource of the API groups a least-privilege reviewer weighs as a
/// whole: granting all of them is granting the group, whether the role
/// writes `*` or lists them by name. Subresources aside.
const GROUP_RESOURCES: [(&str, &[&str]); 2] = [
    (
        "rbac.authorization.k8s.io",
        &[
            "clusterrolebindings",
            "clusterroles",
            "rolebindings",
            "roles",
        ],
    ),
    (
        "",
        &[
            "bindings",
            "componentstatuses",
            "configmaps",
            "endpoints",
            "events",
            "limitranges",
            "namespaces",
            "nodes",
            "persistentvolumeclaims",
            "persistentvolumes",
            "pods",
            "podtemplates",
            "replicationcontrollers",
            "resourcequotas",
            "secrets",
            "serviceaccounts",
            "services",
        ],
    ),
];

/// The verbs that make a grant on a whole group "every verb": the object
/// verbs, and for RBAC objects `bind` and `escalate`, which lift the API
/// server's guard against granting more than the granter holds.
fn every_verb(group: &str) -> Vec<&'static str> {
    let mut verbs = vec![
        "create",
        "delete",
        "deletecollection",
        "get",
        "list",
        "patch",
        "update",
        "watch",
    ];
    if group == "rbac.authorization.k8s.io" {
        verbs.extend(["bind", "escalate"]);
    }
    verbs
}

/// The API groups a role grants every resource of: `*` in `*` (group `*`),
/// and each group of [`GROUP_RESOURCES`] whose every resource it grants,
/// by `*` or by name (across rules, a `*` group or resource covering any).
/// Each entry: `group`, `listed` (the resources are named rather than
/// `*`), `resources` (as granted), `verbs` (those granted on every one of
/// them) and `allVerbs` (`*`, or every verb of [`every_verb`]).
fn whole_groups(grants: &Json) -> Json {
    let grants = grants.as_array().map(Vec::as_slice).unwrap_or_default();
    let field = |g: &Json, k: &str| g[k].as_str().unwrap_or_default().to_string();
    let verbs_of = |g: &Json| -> BTreeSet<String> {
        g["verbs"]
            .as_array()
            .map(Vec::as_slice)
            .unwrap_or_default()
            .iter()
            .filter_map(Json::as_str)
            .map(str::to_string)
            .collect()
    };
    let verbs_on = |group: &str, resource: &str| -> BTreeSet<String> {
        grants
            .iter()
            .filter(|g| field(g, "group") == "*" || field(g, "group") == group)
            .filter(|g| field(g, "resource") == "*" || field(g, "resource") == resource)
            .flat_map(verbs_of)
            .collect()
    };
    let all_verbs = |group: &str, verbs: &BTreeSet<String>| {
        verbs.contains("*") || every_verb(group).iter().all(|v| verbs.contains(*v))
    };
    let mut out = Vec::new();
    let star: BTreeSet<String> = grants
        .iter()
        .filter(|g| field(g, "group") == "*" && field(g, "resource") == "*")
        .flat_map(verbs_of)
        .collect();
    if grants
        .iter()
        .any(|g| field(g, "group") == "*" && field(g, "resource") == "*")
    {
        out.push(json!({
            "group": "*", "listed": false, "resources": ["*"],
            "verbs": star, "allVerbs": star.contains("*"),
        }));
    }
    for (group, resources) in GROUP_RESOURCES {
        let per: Vec<BTreeSet<String>> = resources.iter().map(|r| verbs_on(group, r)).collect();
        if per.iter().any(BTreeSet::is_empty) {
            continue;
        }
        // A `*` verb on one resource and a list on another: the list.
        let mut common: Option<BTreeSet<String>> = None;
        for verbs in per {
            let verbs = if verbs.contains("*") {
                every_verb(group)
                    .into_iter()
                    .map(str::to_string)
                    .chain(std::iter::once("*".to_string()))
                    .collect()
            } else {
                verbs
            };
            common = Some(match common {
                None => verbs,
                Some(c) => c.intersection(&verbs).cloned().collect(),
            });
        }
        let mut verbs = common.unwrap_or_default();
        if verbs.contains("*") {
            verbs = BTreeSet::from(["*".to_string()]);
        }
        let named: BTreeSet<String> = grants
            .iter()
            .filter(|g| field(g, "group") == group)
            .map(|g| field(g, "resource"))
            .collect();
        // Covered through `*` groups only: nothing is listed by name.
        let listed = !named.is_empty() && !named.contains("*");
        let shown: Vec<String> = if listed {
            named.into_iter().collect()
        } else {
            vec!["*".to_string()]
        };
        let all = all_verbs(group, &verbs);
        out.push(json!({
            "group": group, "listed": listed, "resources": shown,
            "verbs": verbs, "allVerbs": all,
        }));
    }
    Json::Array(out)
}

/// A role's rules flattened to one entry per (API group, resource) with its
/// verbs, so a rule asks "may it create cronjobs in batch" in one `exists`.
fn grants(role: &Node) -> Json {
    let mut out = Vec::new();
    let mut size = 0;
    let texts = |n: Option<&Node>| -> Vec<String> {
        n.and_then(Node::as_seq)
            .map(|s| s.iter().filter_map(Node::scalar_text).collect())
            .unwrap_or_default()
    };
    for rule in role.get("rules").and_then(Node::as_seq).unwrap_or_default() {
        let verbs = texts(rule.get("verbs"));
        let groups = texts(rule.get("apiGroups"));
        let resources = texts(rule.get("resources"));
        // `resourceNames` limits the grant to those objects.
        let names = texts(rule.get("resourceNames"));
        for group in &groups {
            for resource in &resources {
                size += 1 + verbs.len();
                if size > MAX_GRANTS {
                    return Json::Array(out);
                }
                let mut grant = json!({ "group": group, "resource": resource, "verbs": verbs });
                if !names.is_empty() {
                    grant["resourceNames"] = json!(names);
                }
                out.push(grant);
            }
        }
    }
    Json::Array(out)
}

/// A grant (or a list of them) as `grantText` lines: `group/resource verb`,
/// one per verb, the core group empty (`/pods create`). A regex over the
/// lines answers "may it create jobs in batch" in one native scan, where
/// `grants.exists(...)` runs the interpreter once per grant. Whitespace in a
/// name, and a `/` in a group, become `_`: no name can pass for another
/// line, field or group (Kubernetes names have none of them).
fn grant_lines(grant: &Json) -> Vec<String> {
    if let Json::Array(items) = grant {
        return items.iter().flat_map(grant_lines).collect();
    }
    let clean = |text: &str, slash: bool| -> String {
        text.chars()
            .map(|c| {
                if c.is_whitespace() || (slash && c == '/') {
                    '_'
                } else {
                    c
                }
            })
            .collect()
    };
    let text = |key: &str| grant[key].as_str().unwrap_or_default();
    let (group, resource) = (clean(text("group"), true), clean(text("resource"), false));
    grant["verbs"]
        .as_array()
        .map(Vec::as_slice)
        .unwrap_or_default()
        .iter()
        .filter_map(Json::as_str)
        .map(|verb| format!("{group}/{resource} {}", clean(verb, false)))
        .collect()
}

/// Lines sorted, without repeats, each ended by a line break.
fn lines_text(mut lines: Vec<String>) -> String {
    lines.sort_unstable();
    lines.dedup();
    text_of_lines(&lines)
}

/// Lines as one text, each ended by a line break (the shape of the `*Text`
/// facts, which rules search with multi-line regexes).
fn text_of_lines<S: AsRef<str>>(lines: &[S]) -> String {
    let mut text = String::with_capacity(lines.iter().map(|l| l.as_ref().len() + 1).sum());
    for line in lines {
        text.push_str(line.as_ref());
        text.push('\n');
    }
    text
}

/// The `.status…` paths of a CRD's printer columns (v1beta1's top-level
/// `additionalPrinterColumns` with `JSONPath`, and per-version ones), each
/// with its parents: `.status.ceph.health` → status, status.ceph,
/// status.ceph.health; and a `path type` shape line for each column that
/// declares a value type (`integer`, `number`, `boolean`: the API server
/// prints only a value of that type). A `string` column says only how the
/// value is printed (any value prints as a string), and `date` likewise, so
/// they give no shape. `version` names one version's columns; `None` reads
/// the top-level ones and every version's.
fn printer_column_status(spec: Option<&Node>, version: Option<&str>) -> (Vec<String>, Vec<String>) {
    let Some(spec) = spec else {
        return (Vec::new(), Vec::new());
    };
    let per_version = spec
        .get("versions")
        .and_then(Node::as_seq)
        .unwrap_or_default()
        .iter()
        .filter(|v| {
            version.is_none_or(|want| {
                v.get("name").and_then(Node::scalar_text).as_deref() == Some(want)
            })
        })
        .filter_map(|v| v.get("additionalPrinterColumns"));
    let (mut paths, mut shapes) = (Vec::new(), Vec::new());
    for columns in spec
        .get("additionalPrinterColumns")
        .into_iter()
        .chain(per_version)
    {
        for column in columns.as_seq().unwrap_or_default() {
            let Some(json_path) = column
                .get("JSONPath")
                .or_else(|| column.get("jsonPath"))
                .and_then(Node::scalar_text)
            else {
                continue;
            };
            let Some(rest) = json_path.strip_prefix(".status") else {
                continue;
            };
            let mut full = String::from("status");
            paths.push(full.clone());
            // `.status.conditions[?(@.type=="Ready")].status`: keep the plain
            // segments before any filter or index.
            let plain = rest.split(['[', '(']).next().unwrap_or_default();
            let filtered = plain.len() < rest.len();
            for part in plain.split('.').filter(|p| !p.is_empty()) {
                full.push('.');
                full.push_str(part);
                paths.push(full.clone());
            }
            let typed = column
                .get("type")
                .and_then(Node::scalar_text)
                .filter(|t| matches!(t.as_str(), "integer" | "number" | "boolean"));
            if let Some(t) = typed
                && !filtered
                && full != "status"
            {
                shapes.push(format!("{full} {t}"));
            }
        }
    }
    (paths, shapes)
}

fn crd_facts(crd: &Node) -> Json {
    let spec = crd.get("spec");
    let get = |k: &str| spec.and_then(|s| s.get(k));
    let group = get("group").and_then(Node::scalar_text).unwrap_or_default();
    let kind = spec
        .and_then(|s| s.path("names.kind"))
        .and_then(Node::scalar_text)
        .unwrap_or_default();
    let plural = spec
        .and_then(|s| s.path("names.plural"))
        .and_then(Node::scalar_text)
        .unwrap_or_default();
    let top_schema = get("validation").and_then(|v| v.get("openAPIV3Schema"));
    let top_sub = get("subresources");
    // A CRD that does not prune unknown fields (a v1beta1 CRD, which keeps
    // them unless `preserveUnknownFields: false`) still stores a status its
    // schema never declares; the printer columns the CRD shows from
    // `.status` then evidence that status, as `kubectl get` displays it.
    let v1beta1 = crd
        .get("apiVersion")
        .and_then(Node::scalar_text)
        .is_some_and(|a| a.ends_with("/v1beta1"));
    let prunes = !v1beta1 || get("preserveUnknownFields").and_then(Node::as_bool) == Some(false);
    // Whether a version has a status: its schema declares one, or (unknown
    // fields kept) a printer column of it shows one.
    let has_status = |schema: Option<&Node>, version: Option<&str>| {
        schema.is_some_and(|s| s.path("properties.status").is_some())
            || !prunes && !printer_column_status(spec, version).0.is_empty()
    };
    let mut versions = Vec::new();
    let mut schemas: Vec<&Node> = Vec::new();
    match get("versions").and_then(Node::as_seq) {
        Some(list) if !list.is_empty() => {
            // A version the API server does not serve (`served: false`) is
            // not part of the API: no object can be written through it, so
            // its schema gives no field (`fields`, `imageFields`, shapes,
            // described fields). A CRD that serves no version at all (which
            // the API server would reject) is read whole, as written,
            // rather than as a kind with no fields.
            let unserved = |v: &Node| v.get("served").and_then(Node::as_bool) == Some(false);
            let any_served = list.iter().any(|v| !unserved(v));
            for v in list {
                let schema = v.path("schema.openAPIV3Schema").or(top_schema);
                let sub = v.get("subresources").or(top_sub);
                if !any_served || !unserved(v) {
                    schemas.extend(schema);
                }
                let mut facts = version_facts(v, sub, schema);
                let name = v.get("name").and_then(Node::scalar_text);
                facts["hasStatus"] = Json::Bool(has_status(schema, name.as_deref()));
                facts["emptyStatus"] = Json::Bool(prunes && holds_no_field(schema, "status"));
                facts["emptySpec"] = Json::Bool(prunes && holds_no_field(schema, "spec"));
                versions.push(facts);
            }
        }
        _ => {
            // v1beta1 with a single `version`.
            let name = get("version")
                .and_then(Node::scalar_text)
                .unwrap_or_default();
            schemas.extend(top_schema);
            let (spec_properties, described) = spec_documentation(top_schema);
            versions.push(json!({
                "name": name, "served": true, "storage": true, "deprecated": false,
                "hasSchema": top_schema.is_some(),
                "hasStatus": has_status(top_schema, None),
                "emptyStatus": prunes && holds_no_field(top_schema, "status"),
                "emptySpec": prunes && holds_no_field(top_schema, "spec"),
                "hasStatusSubresource": top_sub.and_then(|s| s.get("status")).is_some(),
                "hasScaleSubresource": top_sub.and_then(|s| s.get("scale")).is_some(),
                "specProperties": spec_properties,
                "describedSpecProperties": described,
                "hasSpec": allows_spec(top_schema),
            }));
        }
    }
    mark_older_than_storage(&mut versions);
    let (mut fields, mut shapes, mut image_defaults) = (
        FieldPaths(Vec::new()),
        FieldShapes(Vec::new()),
        ImageDefaults::default(),
    );
    let schemas_for_descriptions = schemas.clone();
    for schema in schemas {
        walk_schema(schema, &mut fields);
        walk_schema(schema, &mut shapes);
        walk_schema(schema, &mut image_defaults);
    }
    let (mut fields, shapes, mut image_defaults) = (fields.0, shapes.0, image_defaults.into_json());
    let key = |d: &Json| (d["path"].to_string(), d["image"].to_string());
    image_defaults.sort_by_key(key);
    image_defaults.dedup();
    // Where the status is known from: the schema, else (unknown fields
    // kept) the printer columns; `derive` says `csv` when only the CSV's
    // examples or status descriptors show one.
    let schema_status = fields.iter().any(|f| f == "status");
    let mut shapes = shapes;
    let mut status_source = schema_status.then_some("schema");
    if !prunes {
        let (paths, typed) = printer_column_status(spec, None);
        if !paths.is_empty() {
            status_source = status_source.or(Some("printer-columns"));
        }
        fields.extend(paths);
        // A column's declared type is the field's shape where the schema
        // gives none.
        let known: BTreeSet<String> = shapes
            .iter()
            .map(|l| l.split(' ').next().unwrap_or(l).replace("[]", ""))
            .collect();
        shapes.extend(
            typed
                .into_iter()
                .filter(|l| !known.contains(l.split(' ').next().unwrap_or(l))),
        );
    }
    // Names in camelCase, as `fields` gives them (`insert_field_facts`).
    let mut shapes: Vec<String> = shapes
        .into_iter()
        .map(|line| match line.split_once(' ') {
            Some((path, shape)) if path.contains(['_', '-']) => {
                format!("{} {shape}", camel_path(path))
            }
            _ => line,
        })
        .collect();
    shapes.sort();
    shapes.dedup();
    // Sorted, as the rules' `fieldText` regexes and `in` searches expect.
    // Schemas list their properties in order, so the paths arrive in long
    // sorted runs that a stable sort merges in near-linear time; repeats
    // (the same schema in several versions, `allOf` branches) are adjacent
    // once sorted.
    fields.sort();
    fields.dedup();
    let has_validation_rules = crd
        .path("spec")
        .is_some_and(|s| contains_key(s, "x-kubernetes-validations", 0));
    // A transition rule compares with `oldSelf`: only it guards how a
    // field may change, where other rules check one state.
    let has_transition_rules = crd.path("spec").is_some_and(|s| has_transition_rule(s, 0));
    // A kind whose spec points at another object to act on is a work item
    // the operand carries out on its users' objects, not a setting of the
    // operand: its bounds, replicas, recommendations and metrics sources are
    // for that target (`targets_object`).
    let targets_object = targets_object(&fields, &shapes);
    let any = |key: &str| versions.iter().any(|v| v[key] == Json::Bool(true));
    let has_status = any("hasStatusSubresource");
    let has_scale = any("hasScaleSubresource");
    // Built by hand rather than with `json!`, which would copy the large
    // field lists once more.
    let mut facts = Map::new();
    facts.insert("cloudApi".into(), Json::Bool(is_cloud_group(&group)));
    facts.insert("group".into(), Json::String(group));
    facts.insert("kind".into(), Json::String(kind));
    facts.insert("plural".into(), Json::String(plural));
    facts.insert(
        "scope".into(),
        get("scope")
            .and_then(Node::scalar_text)
            .map_or(Json::Null, Json::String),
    );
    // A kind without a spec: every served version's schema rules one out
    // and the API server prunes what it does not declare.
    let specless = prunes
        && versions
            .iter()
            .filter(|v| v["served"] != Json::Bool(false))
            .all(|v| v["hasSpec"] == Json::Bool(false))
        && versions.iter().any(|v| v["served"] != Json::Bool(false));
    facts.insert("specless".into(), Json::Bool(specless));
    facts.insert("targetsObject".into(), Json::Bool(targets_object));
    facts.insert("versions".into(), Json::Array(versions));
    facts.insert("hasStatusSubresource".into(), Json::Bool(has_status));
    facts.insert("hasScaleSubresource".into(), Json::Bool(has_scale));
    facts.insert(
        "conversion".into(),
        get("conversion")
            .and_then(|c| c.get("strategy"))
            .and_then(Node::scalar_text)
            .map_or(Json::Null, Json::String),
    );
    // `shapeText` first: `insert_field_facts` reads the fields' types,
    // and `otherVersionFields` the versions that are not the operand's.
    facts.insert("shapeText".into(), Json::String(text_of_lines(&shapes)));
    let log_controls = described_fields(
        &schemas_for_descriptions,
        log_control_description(),
        false,
        |path, _| path.starts_with("spec."),
    );
    facts.insert(
        "logControlFields".into(),
        Json::Array(log_controls.into_iter().map(Json::String).collect()),
    );
    let autoscaling_bounds = described_fields(
        &schemas_for_descriptions,
        autoscaling_description(),
        false,
        |path, name| {
            path.starts_with("spec.")
                && matches!(camel_name(name).as_ref(), "minReplicas" | "maxReplicas")
        },
    );
    facts.insert(
        "autoscalingBoundFields".into(),
        Json::Array(autoscaling_bounds.into_iter().map(Json::String).collect()),
    );
    // Counts of the operand's pods a description names ("Desired number of
    // worker pods"), kept in `podCountFields` where the field may hold a
    // count (`insert_field_facts`).
    let mut pod_counts = PodCountFields(BTreeSet::new());
    for schema in &schemas_for_descriptions {
        walk_schema(schema, &mut pod_counts);
    }
    facts.insert(
        "podCountFields".into(),
        Json::Array(pod_counts.0.into_iter().map(Json::String).collect()),
    );
    let mut other_monitoring = OtherMonitoringFields(BTreeSet::new());
    for schema in &schemas_for_descriptions {
        walk_schema(schema, &mut other_monitoring);
    }
    facts.insert(
        "otherMonitoringFields".into(),
        Json::Array(other_monitoring.0.into_iter().map(Json::String).collect()),
    );
    let mut other_versions = described_fields(
        &schemas_for_descriptions,
        other_version_description(),
        true,
        |_, name| name_words(name).iter().any(|w| w == "version"),
    );
    // A version or image its description calls a build's output, a
    // recommendation or the bookkeeping of another object's revision ("the
    // reference to the built image", "the recommended image for S2I
    // builds", "The observed version of the template for this resource").
    other_versions.extend(described_fields(
        &schemas_for_descriptions,
        produced_version_description(),
        true,
        |_, name| {
            name_words(name)
                .iter()
                .any(|w| w == "version" || w == "image")
        },
    ));
    // A kind that is itself an API, schema or definition object (an API
    // manager's `API`, an `APIDefinition`): its own version, directly under
    // spec or status, is the version of the API it describes, not of
    // software the operator runs.
    if is_definition_kind(facts["kind"].as_str().unwrap_or_default()) {
        other_versions.extend(
            fields
                .iter()
                .filter(|f| {
                    let mut segments = f.split('.');
                    matches!(segments.next(), Some("spec" | "status"))
                        && segments
                            .next()
                            .is_some_and(|leaf| name_words(leaf).iter().any(|w| w == "version"))
                        && segments.next().is_none()
                })
                .map(|f| camel_path(f).into_owned()),
        );
    }
    facts.insert(
        "otherVersionFields".into(),
        Json::Array(other_versions.into_iter().map(Json::String).collect()),
    );
    // An import section its description calls a restore ("Import is the
    // import/restore options", the name of an export to restore from):
    // kept in `backupFields`, which `insert_field_facts` completes from the
    // names and shapes.
    let restore_imports = described_fields(
        &schemas_for_descriptions,
        restore_description(),
        true,
        |path, name| {
            path.starts_with("spec.")
                && name_words(name)
                    .last()
                    .is_some_and(|w| w == "import" || w == "imports")
        },
    );
    facts.insert(
        "backupFields".into(),
        Json::Array(restore_imports.into_iter().map(Json::String).collect()),
    );
    insert_field_facts(&mut facts, fields);
    facts.insert("imageDefaults".into(), Json::Array(image_defaults));
    facts.insert("fieldSource".into(), json!("schema"));
    facts.insert("statusSource".into(), json!(status_source));
    facts.insert("prunesUnknownFields".into(), Json::Bool(prunes));
    facts.insert(
        "hasValidationRules".into(),
        Json::Bool(has_validation_rules),
    );
    facts.insert(
        "hasTransitionRules".into(),
        Json::Bool(has_transition_rules),
    );
    Json::Object(facts)
}

/// A property name in camelCase, the Kubernetes API convention every rule's
/// name pattern is written for: a snake_case or kebab-case name
/// (`node_selector`, `image-robin`, `LOG_LEVEL`) is read as its camelCase
/// form (`nodeSelector`, `imageRobin`, `logLevel`), so one pattern serves
/// APIs of either style. Names with a leading or doubled separator, or
/// characters other than ASCII letters and digits, are kept as written.
fn camel_name(name: &str) -> std::borrow::Cow<'_, str> {
    let parts: Vec<&str> = name.split(['_', '-']).collect();
    if parts.len() < 2
        || parts
            .iter()
            .any(|p| p.is_empty() || !p.bytes().all(|b| b.is_ascii_alphanumeric()))
    {
        return std::borrow::Cow::Borrowed(name);
    }
    // An upper-case name (`LOG_LEVEL`) is a constant's spelling: its words
    // are read lower-cased.
    let shouting = !name.bytes().any(|b| b.is_ascii_lowercase());
    let mut out = String::with_capacity(name.len());
    for (i, part) in parts.iter().enumerate() {
        let part = if shouting {
            part.to_ascii_lowercase()
        } else {
            (*part).to_string()
        };
        let mut chars = part.chars();
        if i > 0
            && let Some(first) = chars.next()
        {
            out.push(first.to_ascii_uppercase());
            out.push_str(chars.as_str());
        } else {
            out.push_str(&part);
        }
    }
    std::borrow::Cow::Owned(out)
}

/// A field path with each property name in camelCase ([`camel_name`]);
/// `*` (map values) and a list's `[]` mark are kept.
fn camel_path(path: &str) -> std::borrow::Cow<'_, str> {
    if !path.contains(['_', '-']) {
        return std::borrow::Cow::Borrowed(path);
    }
    let segments: Vec<String> = path
        .split('.')
        .map(|seg| {
            let (name, list) = seg.strip_suffix("[]").map_or((seg, ""), |n| (n, "[]"));
            format!("{}{list}", camel_name(name))
        })
        .collect();
    std::borrow::Cow::Owned(segments.join("."))
}

/// Words that, right after `image`, make a name a setting about images
/// rather than the image itself (`imagePullPolicy`, `imagePullSecrets`,
/// `imageRegistry`, `imagePrefix`) or a group of them
/// (`imageOverrides`).
const NOT_AN_IMAGE: [&str; 10] = [
    "pull",
    "policy",
    "secret",
    "secrets",
    "credentials",
    "registry",
    "registries",
    "prefix",
    "overrides",
    "list",
];

/// Words that, after `image`, still name the image: `imageName`,
/// `<x>ImageTag`, `imageRepository`.
const IMAGE_PARTS: [&str; 10] = [
    "name",
    "tag",
    "ref",
    "reference",
    "repository",
    "repo",
    "digest",
    "version",
    "uri",
    "url",
];

/// Whether a (camelCase) name is a part of an image object: one of
/// [`IMAGE_PARTS`], or made of them alone (`versionTag`, `repositoryUrl`).
fn image_part(name: &str) -> bool {
    IMAGE_PARTS.contains(&name)
        || name_words(name)
            .iter()
            .all(|w| IMAGE_PARTS.contains(&w.as_str()))
}

/// How a (camelCase) property name names an image the user chooses.
#[derive(Debug, PartialEq, Eq)]
enum ImageName {
    /// `image`, `<x>Image`, `<x>ImageName`, `imageTag`, `imageRepository`.
    Image,
    /// `image<Component>` (`imageRobin`, from `image_robin`): an image only
    /// when it is a string, as `imageController` may be a component named
    /// after its job.
    OfComponent,
    /// Not an image (`imagePullPolicy`, `imageRegistry`,
    /// `disableClusterImageSets`).
    No,
}

fn image_name(name: &str) -> ImageName {
    let words = name_words(name);
    let Some(at) = words.iter().position(|w| w == "image") else {
        return ImageName::No;
    };
    match &words[at + 1..] {
        [] => ImageName::Image,
        [part] if IMAGE_PARTS.contains(&part.as_str()) => ImageName::Image,
        // An object that specifies a component's image
        // (`redisEnterpriseImageSpec` of `repository`, `versionTag`,
        // `imagePullPolicy`): an image object, as `<x>Image` is.
        [spec] if at > 0 && spec == "spec" => ImageName::Image,
        // A pull spec is an image reference, as OpenShift names them
        // (`imagePullSpec`, open-cluster-management's
        // `registrationImagePullSpec`), not a pull setting.
        [pull, spec] if pull == "pull" && spec == "spec" => ImageName::Image,
        // A reference to an object named after images (`imageStreamRef`,
        // `imageSetRef`: an ImageStream, a ClusterImageSet), whose `name`
        // is the object's, not an image.
        [_, .., last] if matches!(last.as_str(), "ref" | "refs" | "reference") => ImageName::No,
        [next, ..] if at == 0 && !NOT_AN_IMAGE.contains(&next.as_str()) => ImageName::OfComponent,
        _ => ImageName::No,
    }
}

/// The spec paths that name an operand image the user chooses: a field
/// named like an image ([`image_name`]; `image<Component>` only as a
/// string, or as a leaf where no schema gives types), a string part of an
/// image object (`spec.imageDetails.name`, `spec.baseImage.repository`), or a
/// string field of an `images` (`<x>Images`) group, keyed by component
/// (`spec.images.server`). A pod volume source's image (`volumes.rbd.image`,
/// a Ceph block image) or a hook's is not one ([`in_operand_image_place`]),
/// nor a reference to an object named after images (`imageStreamRef.name`),
/// nor a picture's link in a list's items
/// (`receivers[].slackConfigs[].imageURL`). `types` are the schema's types by path
/// (`shapeText`); a path it does not type (taken from the CSV's examples)
/// counts as a string when it is a leaf.
fn image_fields(
    fields: &[String],
    types: &BTreeMap<String, String>,
    list_items: &BTreeSet<String>,
) -> Vec<Json> {
    let is_string = |f: &str, i: usize| match types.get(f) {
        Some(t) => t == "string",
        None => fields
            .get(i + 1)
            .is_none_or(|next| !next.starts_with(&format!("{f}."))),
    };
    fields
        .iter()
        .enumerate()
        .filter(|(_, f)| in_operand_image_place(f))
        .filter(|(i, f)| {
            let mut segments = f.rsplit('.');
            let leaf = segments.next().unwrap_or_default();
            let parent = segments.find(|s| *s != "*").unwrap_or_default();
            // A picture's link in a list's items (a Slack receiver's
            // `slackConfigs[].imageURL`, a message attachment's `image_url`)
            // is a web address, not an image the operand runs.
            if picture_link(leaf) && list_items.contains(f.as_str()) {
                return false;
            }
            match image_name(leaf) {
                ImageName::Image => true,
                ImageName::OfComponent => is_string(f, *i),
                // A part of an image object (`imageDetails.name`,
                // `baseImage.repository`), or a component's image in an
                // `images` group.
                ImageName::No => {
                    parent != "spec"
                        && is_string(f, *i)
                        && ((image_part(leaf) && image_name(parent) != ImageName::No)
                            || name_words(parent).last().is_some_and(|w| w == "images"))
                }
            }
        })
        .map(|(_, f)| f.clone())
        .chain(split_images(fields, types))
        .collect::<BTreeSet<String>>()
        .into_iter()
        .map(Json::String)
        .collect()
}

/// An `image<x>` name whose component is a web address (`imageURL`,
/// `image_url`, `imageLink`): in a list's items, a picture a message links.
fn picture_link(name: &str) -> bool {
    matches!(
        name_words(name).as_slice(),
        [image, link] if image == "image" && matches!(link.as_str(), "url" | "link")
    )
}

/// Whether a spec path is where an operand image may be chosen: not under
/// a pod volume source (`volumes.rbd.image`, a Ceph block image) nor under
/// a hook (`hooks`, `postHooks`: the image of a container the user's hook
/// runs, `hooks.resources[].postHooks[].init.initContainers[].image`), the
/// user's own workload, not the operand; nor in the containers a user adds
/// beside the operand's ([`names_users_containers`]:
/// `pods.customContainers[].image`), nor an add-on's (`addons.jaeger.
/// imageAgent`: an optional extra the operator can install, not the
/// software it runs), nor an operator's (`operator.image`, `imageOperator`,
/// `jaegerOperator.image`: the operator's own image or a third-party
/// operator's, as `operatorVersion` is no operand version), nor an OLM
/// catalog source's ([`names_catalog_sources`]: `catalogSources[].image`,
/// the index image of a catalog the operator adds to the cluster).
fn in_operand_image_place(path: &str) -> bool {
    path.starts_with("spec.")
        && !path.split('.').any(|s| {
            s == "volumes"
                || names_hooks(s)
                || names_users_containers(s)
                || names_add_ons(s)
                || names_catalog_sources(s)
                || name_words(s).iter().any(|w| w == "operator")
        })
}

/// Whether a name is an OLM catalog source or a list of them
/// (`catalogSource`, `catalogSources`, `extraCatalogSources`): its `image`
/// is an operator-registry index, the catalog content the operator installs
/// into the cluster (cluster-relocation-operator's
/// `spec.catalogSources[].image`), not an image of the operand it runs.
fn names_catalog_sources(name: &str) -> bool {
    let words = name_words(name).concat();
    words.ends_with("catalogsource") || words.ends_with("catalogsources")
}

/// Whether a name is a list of containers the user adds beside the
/// operand's own (`customContainers`, `customInitContainers`,
/// `extraContainers`, `additionalContainers`, `sidecarContainers`,
/// `sidecars`), or init containers (`initContainers`: full containers the
/// user lists to run before the operand's, appsody's `spec.initContainers`;
/// setup steps, never how the operand's release is chosen): their images
/// are the user's. A pod template's plain `containers` may override the
/// operand's own container by name, and stays.
fn names_users_containers(name: &str) -> bool {
    let words = name_words(name);
    // Any list of sidecars (`extraSidecars`), however its humps fall
    // (coherence's `sideCars`).
    if words.concat().ends_with("sidecars") {
        return true;
    }
    match words.as_slice() {
        [before @ .., last] if last == "containers" => before.iter().any(|w| {
            matches!(
                w.as_str(),
                "custom" | "extra" | "additional" | "user" | "sidecar" | "init"
            )
        }),
        _ => false,
    }
}

/// Whether a name is a section of add-ons (`addons`, `addOns`, `add_ons`).
fn names_add_ons(name: &str) -> bool {
    matches!(name_words(name).concat().as_str(), "addons" | "addon")
}

/// Whether a name is a hook's or a list of hooks (`hooks`, `postHooks`,
/// `MigHook`), not a web hook's (`webHook` is a server the operand runs).
fn names_hooks(name: &str) -> bool {
    let words = name_words(name);
    match words.as_slice() {
        [.., before, last] if last == "hook" || last == "hooks" => before != "web",
        [last] => last == "hook" || last == "hooks",
        _ => false,
    }
}

/// The fields that may hold a count (of replicas, members, nodes): typed
/// `integer` or `number`, untyped (`x-kubernetes-int-or-string`, or a
/// schema that names no type), a list (one entry per member: a Vitess
/// shard's `replicas`, ClickHouse's `layout.replicas`), or a path no schema
/// types (taken from the CSV's examples, where lists are transparent). An
/// object `size` of byte counts (`spec.size.compressedBytes`), a string or
/// a boolean is no count: a rule asking for a replica count reads these
/// paths, not every field.
fn count_fields<'a>(fields: &'a [String], types: &BTreeMap<String, String>) -> Vec<&'a String> {
    fields
        .iter()
        .filter(|f| {
            types
                .get(f.as_str())
                .is_none_or(|t| matches!(t.as_str(), "integer" | "number" | "any" | "array"))
        })
        .collect()
}

/// The components whose image is written as Helm values write one, a
/// `repository` beside a `tag` (`spec.controller.repository`,
/// `spec.controller.tag`) with no field named image: the component's path.
/// A chart reference's `repository` beside a `version` names a chart, not
/// an image, and neither is a typed non-string.
fn split_images(fields: &[String], types: &BTreeMap<String, String>) -> Vec<String> {
    let all: BTreeSet<&str> = fields.iter().map(String::as_str).collect();
    let string = |f: &str| types.get(f).is_none_or(|t| t == "string");
    fields
        .iter()
        .filter(|f| in_operand_image_place(f))
        .filter_map(|f| f.strip_suffix(".repository"))
        .filter(|component| {
            let tag = format!("{component}.tag");
            all.contains(tag.as_str()) && string(&tag) && string(&format!("{component}.repository"))
        })
        .map(str::to_string)
        .collect()
}

/// `fields`, `fieldText`, `specNames`, `statusNames`, `specNameText`,
/// `statusNameText` and `imageFields` from field paths, their names read in
/// camelCase ([`camel_path`]).
fn insert_field_facts(facts: &mut Map<String, Json>, fields: Vec<String>) {
    // Each path read in camelCase that the schema spells otherwise, with
    // its spelling there (`spec.imageVersion`: `spec.image_version`), so a
    // rule's note names a field as a reviewer finds it in the file.
    // Called again once the CSV completes the fields: those known keep theirs.
    let mut written: Map<String, Json> = match facts.remove("writtenFields") {
        Some(Json::Object(m)) => m,
        _ => Map::new(),
    };
    let mut fields: Vec<String> = fields
        .into_iter()
        .map(|f| match camel_path(&f) {
            std::borrow::Cow::Borrowed(_) => f,
            std::borrow::Cow::Owned(camel) => {
                written.entry(camel.clone()).or_insert(Json::String(f));
                camel
            }
        })
        .collect();
    facts.insert("writtenFields".into(), Json::Object(written));
    fields.sort();
    fields.dedup();
    // Leaf names under spec and status, as sorted sets: `'tolerations' in
    // facts.specNames` is one binary search, where a regex over every path
    // of a large CRD costs thousands of matches. The same names one per line
    // (`specNameText`) are a tenth of `fieldText`'s size, so a regex over
    // them is the cheap way to ask "is there a spec field named like this at
    // any depth".
    let names_under = |root: &str| -> (Json, Json) {
        let mut names: Vec<&str> = fields
            .iter()
            .filter_map(|f| f.strip_prefix(root))
            .filter_map(|rest| rest.strip_prefix('.'))
            .map(|rest| rest.rsplit('.').next().unwrap_or(rest))
            // `*` stands for a map's keys: no property is called that.
            .filter(|name| *name != "*")
            .collect();
        names.sort_unstable();
        names.dedup();
        let text = text_of_lines(&names);
        let set = names.into_iter().map(|n| Json::String(n.to_string()));
        (Json::Array(set.collect()), Json::String(text))
    };
    let (spec_names, spec_name_text) = names_under("spec");
    let (status_names, status_name_text) = names_under("status");
    facts.insert("components".into(), Json::Array(components(&fields)));
    // The schema's type of each field (`shapeText`, a list's `[]` marks
    // dropped, as `fields` has none).
    let types: BTreeMap<String, String> = facts
        .get("shapeText")
        .and_then(Json::as_str)
        .unwrap_or_default()
        .lines()
        .filter_map(|l| l.rsplit_once(' '))
        .map(|(p, t)| (p.replace("[]", ""), t.to_string()))
        .collect();
    // The paths inside a list's items (`spec.receivers.slackConfigs.imageURL`
    // under `spec.receivers[].slackConfigs[]`), as `fields` writes them.
    let list_items: BTreeSet<String> = facts
        .get("shapeText")
        .and_then(Json::as_str)
        .unwrap_or_default()
        .lines()
        .filter_map(|l| l.split(' ').next())
        .filter(|p| p.contains("[]."))
        .map(|p| p.replace("[]", ""))
        .collect();
    // A hook kind (`MigHook`, `Hook`) is a container the operator runs for
    // the user at a step of its work: its image is the user's.
    let hook = names_hooks(facts.get("kind").and_then(Json::as_str).unwrap_or_default());
    facts.insert(
        "imageFields".into(),
        Json::Array(if hook {
            Vec::new()
        } else {
            image_fields(&fields, &types, &list_items)
        }),
    );
    // Those a description already showed (an import described as a
    // restore, from `crd_facts`) stay, beside those read from names and
    // shapes; fields completed from the CSV only add paths.
    let mut backup: BTreeSet<String> = string_set(facts.get("backupFields").unwrap_or(&Json::Null));
    backup.extend(super::backup::backup_fields(&fields, &types));
    facts.insert(
        "backupFields".into(),
        Json::Array(backup.into_iter().map(Json::String).collect()),
    );
    let kind = facts.get("kind").and_then(Json::as_str).unwrap_or_default();
    let group = facts
        .get("group")
        .and_then(Json::as_str)
        .unwrap_or_default();
    let backup_kind = super::backup::is_backup_kind(kind, group, &fields);
    facts.insert("backupKind".into(), Json::Bool(backup_kind));
    let counts = count_fields(&fields, &types);
    // The counts of the operand's pods a description names (from
    // `crd_facts` and the CSV's spec descriptors), where the field may hold
    // a count: a string or an object so described is none.
    let described = string_set(facts.get("podCountFields").unwrap_or(&Json::Null));
    facts.insert(
        "podCountFields".into(),
        Json::Array(
            counts
                .iter()
                .filter(|f| described.contains(f.as_str()))
                .map(|f| Json::String(f.to_string()))
                .collect(),
        ),
    );
    facts.insert(
        "countFieldText".into(),
        Json::String(text_of_lines(&counts)),
    );
    // The fields that may be the operand's version or image: not a
    // version of something else (by its name and place, or its
    // description: `otherVersionFields`), not a revision counter, not a
    // field of a list's items (each item's own: a gateway policy's
    // `spec.policies[].version`, an extension's, a plugin's, a
    // dependency's, as image links in list items are no operand image),
    // and not a boolean, which is neither (`useImmutableImage` is a
    // setting about images).
    let other_versions = string_set(facts.get("otherVersionFields").unwrap_or(&Json::Null));
    let counters = revision_counters(&types);
    // A build kind's status (`Build`, `BuildRun`) reports what the build
    // made: its image is an output, not what the operand runs.
    let build_kind = matches!(
        name_words(facts.get("kind").and_then(Json::as_str).unwrap_or_default()).as_slice(),
        [.., last] if last == "build" || last == "builds"
    ) || matches!(
        name_words(facts.get("kind").and_then(Json::as_str).unwrap_or_default()).as_slice(),
        [.., build, run] if build == "build" && run == "run"
    );
    let not_operand = |path: &str, paths: &BTreeSet<&str>| {
        let plain = path.replace("[]", "");
        names_other_than_operand(path, paths)
            || names_build_or_recommendation(&plain)
            || build_kind && plain.starts_with("status.")
            || other_versions.contains(&plain)
            || counters.contains(&plain)
            || list_items.contains(&plain)
            || types.get(&plain).is_some_and(|t| t == "boolean")
    };
    let operand: Vec<&String> = {
        let all: BTreeSet<&str> = fields.iter().map(String::as_str).collect();
        fields.iter().filter(|f| !not_operand(f, &all)).collect()
    };
    facts.insert(
        "operandFieldText".into(),
        Json::String(text_of_lines(&operand)),
    );
    let operand_shapes: Vec<&str> = {
        let text = facts
            .get("shapeText")
            .and_then(Json::as_str)
            .unwrap_or_default();
        let paths: BTreeSet<&str> = text
            .lines()
            .map(|l| l.split(' ').next().unwrap_or(l))
            .collect();
        text.lines()
            .filter(|l| !not_operand(l.split(' ').next().unwrap_or(l), &paths))
            .collect()
    };
    let operand_shapes = text_of_lines(&operand_shapes);
    facts.insert("operandShapeText".into(), Json::String(operand_shapes));
    facts.insert("fieldText".into(), Json::String(text_of_lines(&fields)));
    facts.insert(
        "fields".into(),
        Json::Array(fields.into_iter().map(Json::String).collect()),
    );
    facts.insert("specNames".into(), spec_names);
    facts.insert("statusNames".into(), status_names);
    facts.insert("specNameText".into(), spec_name_text);
    facts.insert("statusNameText".into(), status_name_text);
}

/// The integer-typed versions in a status that count revisions rather than
/// name the release that runs: a proxy configuration's promoted revision
/// (`status.latestProductionVersion`), a metadata format's generation
/// (`status.metadataVersion`), the number of updates applied. The operator
/// reports a release as a string; a number is one only as a major or minor
/// release number (`status.majorVersion`) or as the mirror of the number
/// the spec picks the release by (PostgreSQL's major version:
/// `spec.postgresVersion` reported back as `status.postgresVersion` or
/// `status.postgres.version`, the same words below spec and status).
/// The spec reads the same: an integer version there picks a release only
/// as a major or minor number (`spec.automaticUpdate.minorVersion`) or as
/// the number status reports back (`spec.postgresVersion` beside
/// `status.postgresVersion`); otherwise it counts the object's own
/// revisions (`spec.remoteVersion`, "the version of the .Spec currently
/// stored"), a launch template's versions, or picks a check's or
/// protocol's generation (`spec.features.prometheusScrape.version`: 1 or 2).
/// A version the operand runs is a string (a tag, a semver) or an object
/// holding one.
fn revision_counters(types: &BTreeMap<String, String>) -> BTreeSet<String> {
    // The words of a path below its root, leaves of every segment joined.
    let words_below = |rest: &str| -> Vec<String> {
        rest.split('.')
            .filter(|seg| *seg != "*")
            .flat_map(name_words)
            .collect()
    };
    let is_version = |path: &str| {
        let leaf = path.rsplit('.').next().unwrap_or(path);
        name_words(leaf).iter().any(|w| w == "version")
    };
    let integer_versions = |root: &'static str| {
        types
            .iter()
            .filter(|(_, t)| t.as_str() == "integer")
            .filter_map(move |(p, _)| Some((p, p.strip_prefix(root)?.strip_prefix('.')?)))
            .filter(|(p, _)| is_version(p))
    };
    let release = |p: &str| {
        let leaf = p.rsplit('.').next().unwrap_or(p);
        name_words(leaf)
            .iter()
            .any(|w| w == "major" || w == "minor")
    };
    let picked: BTreeSet<Vec<String>> = integer_versions("spec")
        .map(|(_, rest)| words_below(rest))
        .collect();
    // What status reports, of any type: a spec number mirrored there is
    // the release the operator reports running.
    let reported: BTreeSet<Vec<String>> = types
        .keys()
        .filter(|p| is_version(p))
        .filter_map(|p| p.strip_prefix("status."))
        .map(words_below)
        .collect();
    let status = integer_versions("status")
        .filter(|(p, rest)| !release(p) && !picked.contains(&words_below(rest)));
    let spec = integer_versions("spec")
        .filter(|(p, rest)| !release(p) && !reported.contains(&words_below(rest)));
    status.chain(spec).map(|(p, _)| p.clone()).collect()
}

/// Names of a section's direct children that make it configure pods of its
/// own: the section is a part of the operand the operator deploys (a
/// `remediationOrchestrator` with `resources`, an `autoRecovery` with
/// `replicas` and `pod`), named after what that part does.
const COMPONENT_CHILDREN: [&str; 11] = [
    "image",
    "images",
    "resources",
    "replicas",
    "pod",
    "podSpec",
    "podTemplate",
    "containers",
    "affinity",
    "nodeSelector",
    "tolerations",
];

/// The spec sections (below `spec` itself) that configure a deployed part
/// of the operand: a direct child shapes its pods ([`COMPONENT_CHILDREN`]).
/// A rule reading a capability from a field's name tells a setting
/// (`autoHeal: true`) from a component named after its job with
/// `facts.components` (sorted: `in` is a binary search).
fn components(fields: &[String]) -> Vec<Json> {
    let mut out: Vec<&str> = fields
        .iter()
        .filter_map(|f| {
            let (parent, child) = f.rsplit_once('.')?;
            (parent.starts_with("spec.") && COMPONENT_CHILDREN.contains(&child)).then_some(parent)
        })
        .collect();
    out.sort_unstable();
    out.dedup();
    out.into_iter()
        .map(|p| Json::String(p.to_string()))
        .collect()
}

/// The words of a field name, lowercased: its `_`/`-` separated parts and
/// camelCase humps (`minTLSVersion` → min, tls, version; `k8sVersion` →
/// k8s, version).
pub(super) fn name_words(name: &str) -> Vec<String> {
    let mut out = Vec::new();
    for part in name.split(['_', '-']) {
        let chars: Vec<char> = part.chars().collect();
        let mut word = String::new();
        for (i, &c) in chars.iter().enumerate() {
            let prev = i.checked_sub(1).map(|j| chars[j]);
            let next = chars.get(i + 1).copied();
            // A hump starts at an upper-case letter after a lower-case one
            // or a digit, or at the last capital of a run that a lower-case
            // letter follows (`TLSVersion`: TLS | Version).
            let hump = c.is_ascii_uppercase()
                && (prev.is_some_and(|p| p.is_ascii_lowercase() || p.is_ascii_digit())
                    || (prev.is_some_and(|p| p.is_ascii_uppercase())
                        && next.is_some_and(|n| n.is_ascii_lowercase())));
            if hump && !word.is_empty() {
                out.push(std::mem::take(&mut word).to_ascii_lowercase());
            }
            word.push(c);
        }
        if !word.is_empty() {
            out.push(word.to_ascii_lowercase());
        }
    }
    out
}

/// Whether a field path's leaf names a version that is not the operand's:
/// the platform's, a protocol's or an interface's (`clusterVersion`,
/// `kubeVersion`, `kubernetesVersion`, `minTLSVersion`, `apiVersion`,
/// `cniVersion`, any version under a `tls`/`ssl` object, a bare `version`
/// under a `csi` or `proxyProtocol` one), or the version of an object a reference points to
/// (a `version` beside a `kind`). `paths` are the CRD's paths, in the same
/// form as `path`, to find the sibling `kind`.
fn names_other_than_operand(path: &str, paths: &BTreeSet<&str>) -> bool {
    /// Words that make a `…Version` name the version of something other
    /// than the operand.
    /// A protocol's or a format's (`awsSignatureVersion`, a backup's
    /// `formatVersion`, `ipAddressVersion`) is a version the data or the
    /// wire is written in, and the operator's (`operatorVersion`) is not
    /// the software it runs.
    const NOT_OPERAND: [&str; 23] = [
        "address",
        "api",
        "cluster",
        "cni",
        "crd",
        "cri",
        "csi",
        "format",
        "http",
        "ip",
        "k8s",
        "kube",
        "kubelet",
        "kubernetes",
        "ocp",
        "openshift",
        "operator",
        "platform",
        "protocol",
        "resource",
        "signature",
        "ssl",
        "tls",
    ];
    /// Words that make an object a configuration's: a version under it
    /// (`status.vcl.version`, `status.config.version`) is the revision of
    /// that configuration, not the version of the software that runs.
    /// `vcl` is Varnish's configuration language, as `config` is any's.
    const CONFIGURATION: [&str; 10] = [
        "config",
        "configuration",
        "configs",
        "map",
        "policy",
        "schema",
        "schemas",
        "settings",
        "template",
        "vcl",
    ];
    /// Words that make an object a credential: a version under it
    /// (`spec.keyStore.staticKeys.version`) is the version of a key or
    /// secret.
    const CREDENTIAL: [&str; 12] = [
        "cert",
        "certificate",
        "certificates",
        "certs",
        "credentials",
        "key",
        "keys",
        "password",
        "secret",
        "secrets",
        "token",
        "tokens",
    ];
    /// Words that make an object an interface or a protocol: a bare
    /// `version` under it (`spec.csi.version`, the Container Storage
    /// Interface's spec version a driver speaks; `proxyProtocol.version`)
    /// is the interface's or the protocol's, as `cniVersion` is.
    const INTERFACE: [&str; 8] = ["api", "cni", "cri", "csi", "http", "protocol", "ssl", "tls"];
    let (parent, leaf) = path.rsplit_once('.').unwrap_or(("", path));
    let words = name_words(leaf);
    let Some(at) = words.iter().position(|w| w == "version") else {
        return false;
    };
    if at == 0
        && parent.rsplit('.').next().is_some_and(|seg| {
            name_words(seg.trim_end_matches("[]"))
                .last()
                .is_some_and(|w| INTERFACE.contains(&w.as_str()))
        })
    {
        return true;
    }
    // The word the version is of (`clusterVersion`, `minTLSVersion`), or
    // a TLS name's first (`tlsMinVersion`); `clusterGroupChartVersion` is
    // a chart's version.
    let of = at.checked_sub(1).map(|i| words[i].as_str());
    // A ConfigMap's or a schema's version (`configMapVersion`,
    // `schemaVersion`); a `configVersion` may pick the operand's release
    // (a CSI driver's), so the word alone is not enough.
    if of.is_some_and(|w| NOT_OPERAND.contains(&w) || w == "map" || w == "schema")
        || words.first().is_some_and(|w| w == "tls" || w == "ssl")
    {
        return true;
    }
    // Under a TLS object, a credential (a key store, a secret), a map of
    // labels or annotations (`spec.predictors.labels.version` is a label
    // an example sets, not a field), or under a configuration object: one
    // named by configuration words alone (`status.vcl`, `status.config`,
    // `spec.configMap`), or the status or spec of one (`vclStatus`,
    // `configStatus`); a `schemaRegistry` is a part of the operand.
    let under = parent.split('.').skip(1).any(|seg| {
        let words = name_words(seg.trim_end_matches("[]"));
        let config = |w: &String| CONFIGURATION.contains(&w.as_str());
        words.iter().any(|w| w == "tls" || w == "ssl")
            || words.iter().any(|w| CREDENTIAL.contains(&w.as_str()))
            || words
                .last()
                .is_some_and(|w| matches!(w.as_str(), "labels" | "annotations" | "selector"))
            || words.first().is_some_and(config)
                && words[1..]
                    .iter()
                    .all(|w| config(w) || matches!(w.as_str(), "status" | "spec" | "info"))
    });
    under || (!parent.is_empty() && paths.contains(format!("{parent}.kind").as_str()))
}

/// Whether a path is a build's output or a recommendation, by its names:
/// a status field under a build's section (`status.buildStatus.
/// imageReference`, `status.lastBuild.image`: the image a build produced,
/// not the one the operand runs) or named for what was built
/// (`status.builtImage`), or a recommended or suggested one anywhere
/// (`recommendedImage`, `suggestedVersion`: an offer, not what runs). A
/// spec's build section may pick the release it deploys (a virtual
/// database's `spec.build.source.version`, "Deployed vdb version"), and
/// stays.
fn names_build_or_recommendation(path: &str) -> bool {
    let status = path.starts_with("status.");
    let mut segments = path.split('.').skip(1).peekable();
    while let Some(seg) = segments.next() {
        let words = name_words(seg);
        let last = segments.peek().is_none();
        if status
            && words
                .iter()
                .any(|w| matches!(w.as_str(), "build" | "builds" | "built"))
            && (!last || words.iter().any(|w| w == "built"))
            || last
                && words
                    .first()
                    .is_some_and(|w| matches!(w.as_str(), "recommended" | "suggested"))
        {
            return true;
        }
    }
    false
}

/// Most field paths read from one example or descriptor list (bounds
/// hostile alm-examples).
const MAX_EXAMPLE_FIELDS: usize = 10_000;

/// What [`walk_example`] calls for each property: its path, its key, its
/// value, and the output to push onto.
type ExampleEntry<'a> = dyn Fn(&str, &str, &Json, &mut Vec<String>) + 'a;

/// Walks a JSON value (an example's `spec`) as the schema walk reads a
/// schema, letting `entry` push onto `out` what it makes of each
/// property's path, key and value (nothing, one line, or several): a list's
/// items under the list's own path followed by `lists` (`""`, arrays
/// transparent as [`FieldPaths`] gives them; `"[]"`, marked as
/// [`FieldShapes`] does). Stops descending once `out` holds
/// [`MAX_EXAMPLE_FIELDS`] entries.
fn walk_example(
    value: &Json,
    path: &mut String,
    depth: usize,
    lists: &str,
    out: &mut Vec<String>,
    entry: &ExampleEntry,
) {
    if depth > MAX_SCHEMA_DEPTH || out.len() >= MAX_EXAMPLE_FIELDS {
        return;
    }
    match value {
        Json::Object(map) => {
            for (k, v) in map {
                let len = path.len();
                path.push('.');
                path.push_str(k);
                entry(path, k, v, out);
                walk_example(v, path, depth + 1, lists, out, entry);
                path.truncate(len);
            }
        }
        Json::Array(items) => {
            let len = path.len();
            path.push_str(lists);
            for v in items {
                walk_example(v, path, depth + 1, lists, out, entry);
            }
            path.truncate(len);
        }
        _ => {}
    }
}

/// Field paths of a JSON value (an example's `spec`), as [`FieldPaths`]
/// gives them from a schema: arrays transparent.
fn json_paths(value: &Json, path: &mut String, out: &mut Vec<String>) {
    walk_example(value, path, 0, "", out, &|p, _, _, out| {
        out.push(p.to_string())
    });
}

/// The CSV's `spec.customresourcedefinitions.owned` entries for the CRD
/// named `name`.
fn owned_entries<'c>(csv: Option<&'c Node>, name: &'c str) -> impl Iterator<Item = &'c Node> + 'c {
    csv.and_then(|c| c.path("spec.customresourcedefinitions.owned"))
        .and_then(Node::as_seq)
        .unwrap_or_default()
        .iter()
        .filter(move |o| o.get("name").and_then(Node::scalar_text).as_deref() == Some(name))
}

/// OLM's x-descriptor for a status field that maps pod phase to pod names:
/// the console shows the operand's members' statuses from it.
const POD_STATUSES: &str = "urn:alm:descriptor:com.tectonic.ui:podStatuses";

/// A descriptor's `x-descriptors` (`urn:alm:descriptor:…`), as text.
fn x_descriptors(descriptor: &Node) -> impl Iterator<Item = String> + '_ {
    descriptor
        .get("x-descriptors")
        .and_then(Node::as_seq)
        .unwrap_or_default()
        .iter()
        .filter_map(Node::scalar_text)
}

/// An owned-CRD entry's descriptors of one list (`specDescriptors`,
/// `statusDescriptors`).
fn descriptors<'c>(owned: &'c Node, list: &str) -> &'c [Node] {
    owned.get(list).and_then(Node::as_seq).unwrap_or_default()
}

/// The field paths a descriptor path names under `root`, the root and
/// every prefix first, the field itself last: `nodes[0].name` →
/// `spec`, `spec.nodes`, `spec.nodes.name` (arrays transparent).
fn descriptor_field_paths(root: &str, path: &str) -> Vec<String> {
    let mut full = root.to_string();
    let mut parts = vec![full.clone()];
    for part in path.split('.').filter(|p| !p.is_empty()) {
        full.push('.');
        full.push_str(part.split('[').next().unwrap_or(part));
        parts.push(full.clone());
    }
    parts
}

/// The status fields the CSV shows as pod statuses: the paths of the owned
/// entry's status descriptors with the
/// `urn:alm:descriptor:com.tectonic.ui:podStatuses` x-descriptor (a map of
/// pod phase to pod names, OLM's own word for the operand's members'
/// statuses: tempo's `status.components.ingester`), sorted. A path the
/// CRD's schema lacks is left out when the schema is the API (it has spec
/// fields and the API server prunes what it does not declare: the status
/// cannot hold it), or when another owned kind's schema has it (copied
/// from that kind's descriptor list), as `fields_from_csv` leaves it out of
/// the fields.
fn pod_status_fields(
    name: &str,
    csv: Option<&Node>,
    schema: &BTreeSet<String>,
    schema_is_api: bool,
    others: &BTreeSet<&str>,
) -> BTreeSet<String> {
    owned_entries(csv, name)
        .flat_map(|o| descriptors(o, "statusDescriptors"))
        .filter(|d| x_descriptors(d).any(|x| x == POD_STATUSES))
        .filter_map(|d| d.get("path").and_then(Node::scalar_text))
        .filter_map(|path| descriptor_field_paths("status", &path).pop())
        .filter(|full| full != "status")
        .filter(|full| schema.contains(full) || !schema_is_api && !others.contains(full.as_str()))
        .collect()
}

/// A CRD without a structural schema (x-kubernetes-preserve-unknown-fields,
/// a v1beta1 CRD without validation) hides its API: the fields are taken
/// from the CSV instead, from the alm-examples of its kind (their `spec`
/// and `status` keys) and the owned entry's spec and status descriptors
/// (their paths), merged into its field facts. A pruned schema whose spec
/// holds no field (`emptySpec`) or that names none (`specless`) is a
/// structural schema, not a missing one: its fields are its own. A v1beta1 CRD that keeps
/// unknown fields (the default before apiextensions v1) accepts and stores
/// every field its examples show even where its schema is thin, so those are
/// merged too; a descriptor's path unless it belongs to another owned
/// kind's schema and not this one's (a descriptor list copied across kinds). `fieldSource` says so: `schema`; `examples` when the schema
/// has no spec field and the fields came from the CSV; `schema+examples`
/// when a thin schema was completed from it.
fn fields_from_csv(
    crd: &mut Resource,
    csv: Option<&Node>,
    examples: &Json,
    others: &BTreeSet<&str>,
) {
    let Json::Object(facts) = &mut crd.facts else {
        return;
    };
    // A spec field whose descriptor says it switches or sets logging
    // ("Enables debug logging when set to true.") is a log control, whatever
    // its name (`spec.debug`): added to `logControlFields`, which holds
    // those the schema's own descriptions say so of.
    let mut log_controls = string_set(facts.get("logControlFields").unwrap_or(&Json::Null));
    let mut pod_counts: BTreeSet<String> =
        string_set(facts.get("podCountFields").unwrap_or(&Json::Null));
    for d in owned_entries(csv, &crd.name).flat_map(|o| descriptors(o, "specDescriptors")) {
        let (Some(path), Some(text)) = (
            d.get("path").and_then(Node::scalar_text),
            d.get("description").and_then(Node::scalar_text),
        ) else {
            continue;
        };
        if log_control_description().is_some_and(|r| r.is_match(&text)) {
            log_controls.extend(descriptor_field_paths("spec", &path).pop());
        }
        // A count its descriptor calls the number of the operand's pods
        // or nodes ("Number of Redis Nodes" on `nodes`), as a schema's
        // description would (`podCountFields`).
        let name = path.rsplit('.').next().unwrap_or(&path);
        if says_operand_pod_count(&text) && names_pod_count(name.split('[').next().unwrap_or(name))
        {
            pod_counts.extend(
                descriptor_field_paths("spec", &path)
                    .pop()
                    .map(|f| camel_path(&f).into_owned()),
            );
        }
    }
    facts.insert(
        "podCountFields".into(),
        Json::Array(pod_counts.iter().cloned().map(Json::String).collect()),
    );
    facts.insert(
        "logControlFields".into(),
        Json::Array(log_controls.into_iter().map(Json::String).collect()),
    );
    let schema = string_set(&facts["fields"]);
    // A pruned schema that types the spec as holding no field (every
    // served version's `emptySpec`) or names none (`specless`) is structural
    // all the same: the API server drops whatever an example sets there.
    let served = || {
        facts["versions"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|v| v["served"] != Json::Bool(false))
    };
    let holds_nothing = facts["specless"] == Json::Bool(true)
        || served().next().is_some() && served().all(|v| v["emptySpec"] == Json::Bool(true));
    facts.insert("specHoldsNothing".into(), Json::Bool(holds_nothing));
    let spec_typed = holds_nothing || schema.iter().any(|p| p.starts_with("spec."));
    let prunes = facts["prunesUnknownFields"] != Json::Bool(false);
    facts.insert(
        "podStatusFields".into(),
        Json::Array(
            pod_status_fields(&crd.name, csv, &schema, spec_typed && prunes, others)
                .into_iter()
                .map(Json::String)
                .collect(),
        ),
    );
    if spec_typed && prunes {
        // The schema is the API: a described count is one of its count
        // fields (`insert_field_facts` is not run again).
        keep_counted_pods(facts);
        return;
    }
    let mut extra = Vec::new();
    for e in examples_of_crd(facts, examples) {
        for root in ["spec", "status"] {
            if let Some(v) = e.get(root) {
                // An example's empty status (`"status": {}`, as scaffolded
                // samples carry) shows no status: the operator writes it.
                if root == "status" && (v.is_null() || v.as_object().is_some_and(|m| m.is_empty()))
                {
                    continue;
                }
                let mut path = root.to_string();
                extra.push(path.clone());
                json_paths(v, &mut path, &mut extra);
            }
        }
    }
    // A descriptor path the schema lacks while another owned CRD's schema
    // has it was copied from that kind's list (one descriptor list pasted
    // under every kind): it is not this API's field. Examples are instances
    // the operator accepts, so their fields are taken as they are.
    for o in owned_entries(csv, &crd.name) {
        for (list, root) in [("specDescriptors", "spec"), ("statusDescriptors", "status")] {
            for d in descriptors(o, list) {
                let Some(path) = d.get("path").and_then(Node::scalar_text) else {
                    continue;
                };
                let parts = descriptor_field_paths(root, &path);
                let full = parts.last().map(String::as_str).unwrap_or(root);
                if !spec_typed || schema.contains(full) || !others.contains(full) {
                    extra.extend(parts);
                }
            }
        }
    }
    if extra.is_empty() {
        keep_counted_pods(facts);
        return;
    }
    let mut fields: Vec<String> = facts["fields"]
        .as_array()
        .map(|f| {
            f.iter()
                .filter_map(|p| p.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default();
    let before = fields.len();
    fields.extend(extra);
    fields.sort();
    fields.dedup();
    if spec_typed && fields.len() == before {
        keep_counted_pods(facts);
        return;
    }
    insert_field_facts(facts, fields);
    let source = if spec_typed {
        "schema+examples"
    } else {
        "examples"
    };
    facts.insert("fieldSource".into(), json!(source));
}

/// Keeps in `podCountFields` only the paths of `countFieldText`: a count
/// a descriptor names is read where the field may hold a count, when the
/// field facts are not built again.
fn keep_counted_pods(facts: &mut Map<String, Json>) {
    let counts: BTreeSet<&str> = facts["countFieldText"]
        .as_str()
        .unwrap_or_default()
        .lines()
        .collect();
    let kept: Vec<Json> = string_set(facts.get("podCountFields").unwrap_or(&Json::Null))
        .into_iter()
        .filter(|f| counts.contains(f.as_str()))
        .map(Json::String)
        .collect();
    facts.insert("podCountFields".into(), Json::Array(kept));
}

/// The CSV's alm-examples of one CRD: its kind in its API group.
pub(crate) fn examples_of_kind<'a>(
    examples: &'a Json,
    kind: &str,
    group: &str,
) -> impl Iterator<Item = &'a Json> {
    let (kind, group) = (kind.to_string(), group.to_string());
    examples
        .as_array()
        .map(Vec::as_slice)
        .unwrap_or_default()
        .iter()
        .filter(move |e| {
            let api_group = e["apiVersion"]
                .as_str()
                .and_then(|a| a.split_once('/'))
                .map(|(g, _)| g);
            e["kind"].as_str() == Some(kind.as_str()) && api_group == Some(group.as_str())
        })
}

/// [`examples_of_kind`] for the CRD whose facts these are.
fn examples_of_crd<'a>(
    facts: &serde_json::Map<String, Json>,
    examples: &'a Json,
) -> impl Iterator<Item = &'a Json> {
    examples_of_kind(
        examples,
        facts["kind"].as_str().unwrap_or_default(),
        facts["group"].as_str().unwrap_or_default(),
    )
}

/// The names of the environment variables the CSV's alm-examples of this
/// CRD's kind set for the operand: every `name` of an entry of a list
/// under `spec` named as a container's environment is (`env`, `<x>Env`,
/// `<x>_env`, `envVars`, `<x>EnvVars`, `environment`), whose entries are
/// objects with a string `name`, and whose path is one of the kind's fields
/// (a pruned schema drops what it does not declare). An example is an
/// instance the operator accepts: a custom resource that passes
/// `SKYDIVE_LOGGING_LEVEL` to its operand lets users set it.
fn example_env_names(facts: &Map<String, Json>, examples: &Json) -> BTreeSet<String> {
    let fields = string_set(&facts["fields"]);
    let mut names = Vec::new();
    for e in examples_of_crd(facts, examples) {
        if let Some(spec) = e.get("spec") {
            let mut path = "spec".to_string();
            walk_example(spec, &mut path, 0, "", &mut names, &|p, key, v, out| {
                if let Json::Array(items) = v
                    && names_env_list(key)
                    && fields.contains(camel_path(p).as_ref())
                {
                    out.extend(
                        items
                            .iter()
                            .filter_map(|i| i.get("name").and_then(Json::as_str))
                            .filter(|n| !n.is_empty())
                            .map(str::to_string),
                    );
                }
            });
        }
    }
    names.into_iter().collect()
}

/// Whether a key names a list of a container's environment variables:
/// `env`, `extraEnv`, `envVars`, `extraEnvVars`, `environment`,
/// `environmentVariables`, or one for a part (`env_exporter`, read
/// `envExporter`), any case, snake or camel.
fn names_env_list(key: &str) -> bool {
    let camel = camel_name(key);
    let lower = camel.to_ascii_lowercase();
    let stem = lower
        .strip_suffix("variables")
        .or_else(|| lower.strip_suffix("vars"))
        .unwrap_or(&lower);
    stem.ends_with("env")
        || stem.ends_with("environment")
        || camel
            .strip_prefix("env")
            .is_some_and(|rest| rest.starts_with(|c: char| c.is_ascii_uppercase()))
}

/// The strings of a JSON array, as a set (nothing for anything else).
fn string_set(v: &Json) -> BTreeSet<String> {
    v.as_array()
        .map(|a| {
            a.iter()
                .filter_map(|p| p.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

/// The shapes of a CRD's fields taken from the CSV (`fieldSource` other
/// than `schema`): each example value's JSON type (`spec.pxc.size
/// integer`, a list's items marked `[]` as the schema's shapes are) where no
/// schema or printer column types the path, so the rules that ask what a
/// field is (a count, a string) read an example-only API as they read a
/// schema. Also completes `statusSource`: `csv` when only the CSV's
/// examples or status descriptors show a status.
fn example_shapes(crd: &mut Resource, examples: &Json) {
    let Json::Object(facts) = &mut crd.facts else {
        return;
    };
    if facts.get("fieldSource").and_then(Json::as_str) == Some("schema") {
        return;
    }
    let has_status = facts["fields"]
        .as_array()
        .is_some_and(|f| f.iter().any(|p| p.as_str() == Some("status")));
    if has_status && facts.get("statusSource").is_none_or(Json::is_null) {
        facts.insert("statusSource".into(), json!("csv"));
    }
    let mut lines = Vec::new();
    for e in examples_of_crd(facts, examples) {
        for root in ["spec", "status"] {
            if let Some(v) = e.get(root) {
                let mut path = root.to_string();
                json_shapes(v, &mut path, &mut lines);
            }
        }
    }
    let text = facts["shapeText"].as_str().unwrap_or_default();
    let mut known: BTreeSet<String> = text
        .lines()
        .map(|l| l.split(' ').next().unwrap_or(l).replace("[]", ""))
        .collect();
    let mut shapes: Vec<String> = text.lines().map(str::to_string).collect();
    let before = shapes.len();
    for line in lines {
        // Each segment in camelCase, a list's `[]` mark kept.
        let line = match line.split_once(' ') {
            Some((path, shape)) => {
                let segments: Vec<String> = path
                    .split('.')
                    .map(|seg| match seg.strip_suffix("[]") {
                        Some(name) => format!("{}[]", camel_name(name)),
                        None => camel_name(seg).into_owned(),
                    })
                    .collect();
                format!("{} {shape}", segments.join("."))
            }
            None => continue,
        };
        let path = line.split(' ').next().unwrap_or_default().replace("[]", "");
        if known.insert(path) {
            shapes.push(line);
        }
    }
    if shapes.len() == before {
        return;
    }
    shapes.sort();
    let fields: Vec<String> = facts["fields"]
        .as_array()
        .map(|f| {
            f.iter()
                .filter_map(|p| p.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default();
    facts.insert("shapeText".into(), Json::String(text_of_lines(&shapes)));
    // The facts read from the fields' types (counts, images, backups, the
    // operand's fields and shapes) again.
    insert_field_facts(facts, fields);
}

/// `path type` shape lines of a JSON value (an example's `spec`), as
/// [`FieldShapes`] gives them from a schema: a list's item fields after
/// `[]`, a whole number `integer`, a null nothing.
fn json_shapes(value: &Json, path: &mut String, out: &mut Vec<String>) {
    walk_example(value, path, 0, "[]", out, &|p, _, v, out| {
        let shape = match v {
            Json::Object(_) => "object",
            Json::Array(_) => "array",
            Json::String(_) => "string",
            Json::Bool(_) => "boolean",
            Json::Number(n) if n.is_i64() || n.is_u64() => "integer",
            Json::Number(_) => "number",
            Json::Null => return,
        };
        out.push(format!("{p} {shape}"));
    });
}

/// Sets each version's `olderThanStorage`: whether the API server ranks it
/// below the storage version. Only such a version is one clients should
/// migrate off; a served version newer than the storage one is the next
/// step, not an old one.
fn mark_older_than_storage(versions: &mut [Json]) {
    let storage = versions
        .iter()
        .find(|v| v["storage"] == Json::Bool(true))
        .and_then(|v| v["name"].as_str())
        .map(|n| n.to_string());
    for v in versions.iter_mut() {
        let older = match (&storage, v["name"].as_str()) {
            (Some(s), Some(name)) => version_priority(name) < version_priority(s),
            _ => false,
        };
        v["olderThanStorage"] = Json::Bool(older);
    }
}

/// Kubernetes' version priority as a sortable key (higher = preferred):
/// GA before beta before alpha, then by major and minor number
/// (`v2 > v1 > v2beta1 > v1beta2 > v1alpha1`); names that are not
/// Kubernetes-style versions rank below all of those, by their text.
fn version_priority(name: &str) -> (u8, u64, u64, std::cmp::Reverse<&str>) {
    let other = (0, 0, 0, std::cmp::Reverse(name));
    let number = |t: &str| -> Option<u64> {
        (!t.is_empty() && t.bytes().all(|b| b.is_ascii_digit()))
            .then(|| t.parse().ok())
            .flatten()
    };
    let Some(rest) = name.strip_prefix('v') else {
        return other;
    };
    let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
    let (Some(major), tail) = (number(&rest[..digits]), &rest[digits..]) else {
        return other;
    };
    let (stability, minor) = if tail.is_empty() {
        (3, Some(0))
    } else if let Some(n) = tail.strip_prefix("beta") {
        (2, number(n))
    } else if let Some(n) = tail.strip_prefix("alpha") {
        (1, number(n))
    } else {
        (0, None)
    };
    match minor {
        Some(minor) => (stability, major, minor, std::cmp::Reverse("")),
        None => other,
    }
}

/// Whether a version's schema declares a `status` (or `spec`) that holds
/// no field: an object with no property, no map of values and unknown
/// fields not kept (a kubebuilder scaffold's `status: {type: object}`, a
/// lease's or a health report's `spec: {type: object}`). Only where the API
/// server prunes (the caller asks) is it empty: whatever is written there
/// is dropped, so the kind reports no status even through a status
/// subresource, and its spec, structural and typed, has nothing to set. A
/// v1beta1 CRD that keeps unknown fields stores what is written under a
/// thin `status: {type: object}` (a hand-written v1beta1 schema leaves the
/// status its operator writes untyped), as it stores a thin spec's fields.
fn holds_no_field(schema: Option<&Node>, key: &str) -> bool {
    let Some(object) = schema
        .and_then(|s| s.get("properties"))
        .and_then(|p| p.get(key))
    else {
        return false;
    };
    let properties = object
        .get("properties")
        .and_then(Node::as_map)
        .is_some_and(|m| !m.is_empty());
    let map_values = object
        .get("additionalProperties")
        .is_some_and(|a| a.as_bool() != Some(false));
    !properties
        && !map_values
        && object
            .get("x-kubernetes-preserve-unknown-fields")
            .and_then(Node::as_bool)
            != Some(true)
        && object.get("anyOf").is_none()
        && object.get("oneOf").is_none()
        && object.get("allOf").is_none()
        && object.get("$ref").is_none()
}

fn version_facts(v: &Node, sub: Option<&Node>, schema: Option<&Node>) -> Json {
    let flag = |k: &str, default: bool| v.get(k).and_then(Node::as_bool).unwrap_or(default);
    let (spec_properties, described) = spec_documentation(schema);
    json!({
        "name": v.get("name").and_then(Node::scalar_text).unwrap_or_default(),
        "served": flag("served", true),
        "storage": flag("storage", false),
        "deprecated": flag("deprecated", false),
        "hasSchema": schema.is_some(),
        "hasStatusSubresource": sub.and_then(|s| s.get("status")).is_some(),
        "hasScaleSubresource": sub.and_then(|s| s.get("scale")).is_some(),
        "specProperties": spec_properties,
        "describedSpecProperties": described,
        "hasSpec": allows_spec(schema),
    })
}

/// Whether a version's schema lets its objects carry a `spec`: it declares
/// one, or keeps unknown fields at its root, or declares no property at
/// all (nothing typed, so nothing ruled out). No schema: unknown, so yes.
/// A schema whose root types its properties and names no `spec` (a health
/// report the operator writes, with only a `status`) makes a kind without
/// a spec, once the API server prunes what the schema does not declare.
fn allows_spec(schema: Option<&Node>) -> bool {
    let Some(schema) = schema else {
        return true;
    };
    if schema
        .get("x-kubernetes-preserve-unknown-fields")
        .and_then(Node::as_bool)
        == Some(true)
    {
        return true;
    }
    match schema.get("properties").and_then(Node::as_map) {
        Some(props) if !props.is_empty() => schema.path("properties.spec").is_some(),
        _ => true,
    }
}

/// How many properties the schema declares directly under `spec` (null when
/// it has no `spec.properties` map), and how many of them have a
/// `description` that is not the empty string.
fn spec_documentation(schema: Option<&Node>) -> (Option<usize>, usize) {
    let Some(props) = schema
        .and_then(|s| s.path("properties.spec.properties"))
        .and_then(Node::as_map)
    else {
        return (None, 0);
    };
    let described = props
        .iter()
        .filter(|(_, p)| {
            p.get("description")
                .is_some_and(|d| !matches!(&d.value, Value::String(s) if s.is_empty()))
        })
        .count();
    (Some(props.len()), described)
}

/// The type a schema declares, `object` for one with properties or map
/// values and no `type`, else `any`.
fn schema_type(schema: &Node) -> String {
    schema
        .get("type")
        .and_then(Node::scalar_text)
        .unwrap_or_else(|| {
            if schema.get("properties").is_some()
                || schema
                    .get("additionalProperties")
                    .and_then(map_values)
                    .is_some()
            {
                "object".to_string()
            } else {
                "any".to_string()
            }
        })
}

/// Every property path of an OpenAPI schema (`spec.backup.schedule`); arrays
/// are transparent (`spec.containers.name`), a map's values are a `*`
/// segment (`spec.nodes.*.replicas`). Paths are kept as met, repeats
/// included, and the caller sorts and deduplicates them once.
struct FieldPaths(Vec<String>);

impl SchemaVisitor for FieldPaths {
    fn full(&self) -> bool {
        self.0.len() >= MAX_FIELDS
    }
    fn property(&mut self, path: &str, _name: &str, _schema: &Node) {
        self.0.push(path.to_string());
    }
    fn map_values(&mut self, path: &str, _schema: &Node) {
        self.0.push(path.to_string());
    }
}

/// Every property of an OpenAPI schema with its type, one `path type` line
/// each, where a field inside a list's items carries `[]` after the list
/// (`status.resources[].version string`) and a map's values are a `*`
/// segment (`spec.nodes.*.replicas integer`): what a field *is*, not only what
/// it is called, so a rule can tell a member list from a comma-separated
/// string of host names, or a component's version from the API version of
/// each item of a list of managed resources. Bounded like [`FieldPaths`].
struct FieldShapes(Vec<String>);

impl SchemaVisitor for FieldShapes {
    fn full(&self) -> bool {
        self.0.len() >= MAX_FIELDS
    }
    fn items_segment(&self) -> &'static str {
        "[]"
    }
    fn property(&mut self, path: &str, _name: &str, schema: &Node) {
        self.0.push(format!("{path} {}", schema_type(schema)));
    }
    fn map_values(&mut self, path: &str, schema: &Node) {
        self.0.push(format!("{path} {}", schema_type(schema)));
    }
}

/// The (camelCase) paths of fields whose schema description matches
/// `described`, kept by `keep(path, name)`: what a field is, said in its
/// description rather than its name. Three facts read them:
/// - `otherVersionFields`: version fields whose description says they hold
///   the version of something other than the operand: the operator's own
///   ("Operator version", "version of the operator": clickhouse's
///   `status.chop-version` is the version of the ClickHouse operator, not
///   of the ClickHouse it runs), or an API's, a schema's or a definition's
///   ("Version of the API." on an API manager's `spec.version` is the
///   version of the REST API it publishes; "the API version of the target
///   resource"), or one its description says is unused ("DEPRECATED …
///   since not used anymore", "Unused. Retained for compatibility"): no
///   control at all. Only a description's first sentence is read, where it
///   says what the field is.
/// - `logControlFields`: spec fields whose description says they switch or
///   set logging ("Enables debug logging", "the log level"): log controls
///   whatever their names.
/// - `autoscalingBoundFields`: spec `minReplicas`/`maxReplicas` fields whose
///   description names autoscaling ("MaxReplicas sets an upper bound to the
///   autoscaling feature"): an autoscaler's bound even alone.
struct DescribedFields<'r> {
    described: &'r regex::Regex,
    /// Whether only the description's first sentence is read.
    first_sentence_only: bool,
    keep: fn(&str, &str) -> bool,
    paths: BTreeSet<String>,
}

impl SchemaVisitor for DescribedFields<'_> {
    fn full(&self) -> bool {
        self.paths.len() >= MAX_FIELDS
    }
    fn segment<'a>(&self, name: &'a str) -> std::borrow::Cow<'a, str> {
        camel_name(name)
    }
    fn property(&mut self, path: &str, name: &str, schema: &Node) {
        let described = schema
            .get("description")
            .and_then(Node::scalar_text)
            .is_some_and(|d| {
                let text = if self.first_sentence_only {
                    first_sentence(&d)
                } else {
                    &d
                };
                self.described.is_match(text)
            });
        if described && (self.keep)(path, name) {
            self.paths.insert(path.to_string());
        }
    }
}

/// The fields of `schemas` a [`DescribedFields`] walk keeps; none when the
/// pattern failed to build.
fn described_fields(
    schemas: &[&Node],
    described: Option<&regex::Regex>,
    first_sentence_only: bool,
    keep: fn(&str, &str) -> bool,
) -> BTreeSet<String> {
    let Some(described) = described else {
        return BTreeSet::new();
    };
    let mut visitor = DescribedFields {
        described,
        first_sentence_only,
        keep,
        paths: BTreeSet::new(),
    };
    for schema in schemas {
        walk_schema(schema, &mut visitor);
    }
    visitor.paths
}

/// What makes a description say a field restores data ("the import/restore
/// options", "restore from").
fn restore_description() -> Option<&'static regex::Regex> {
    static RESTORE: std::sync::OnceLock<Option<regex::Regex>> = std::sync::OnceLock::new();
    crate::lazy_regex::cached(&RESTORE, r"(?i)\brestor(e|es|ed|ing)\b")
}

/// What makes a description say a field switches or sets logging: debug,
/// verbose or trace logging, or a log level or verbosity.
fn log_control_description() -> Option<&'static regex::Regex> {
    static LOG: std::sync::OnceLock<Option<regex::Regex>> = std::sync::OnceLock::new();
    crate::lazy_regex::cached(
        &LOG,
        r"(?i)\b(debug|verbose|trace)\s+(logging|logs?|log\s+level|output)\b|\blog(ging)?\s+(level|verbosity)\b",
    )
}

/// The spec fields whose schema (their shape, children or description, or
/// their section's) says they are not the operand's monitoring, whatever
/// they are called (`otherMonitoringFields`): a monitoring operand's own
/// function or a source the operand installs, as a ServiceMonitor selector
/// is. Bounded like [`FieldPaths`].
struct OtherMonitoringFields(BTreeSet<String>);

impl SchemaVisitor for OtherMonitoringFields {
    fn full(&self) -> bool {
        self.0.len() >= MAX_FIELDS
    }
    fn segment<'a>(&self, name: &'a str) -> std::borrow::Cow<'a, str> {
        camel_name(name)
    }
    fn property(&mut self, path: &str, name: &str, schema: &Node) {
        if !path.starts_with("spec.") {
            return;
        }
        let kids = child_properties(schema);
        if sources_section(name, schema, &kids) {
            // Each entry of a section of sources (Knative Eventing's
            // `spec.source` beside kafka, github, redis: "The source
            // configuration") installs or reads a source.
            for (kid, _) in &kids {
                self.0.insert(format!("{path}.{kid}"));
            }
        }
        if reference_list(schema, &kids)
            || alertmanagers_only(name, &kids)
            || (name.to_ascii_lowercase().contains("monitor") && polling_settings_only(&kids))
        {
            self.0.insert(path.to_string());
        }
    }
}

/// A property's own children (camelCase names) with their schemas: its
/// `properties`, or those of its list's items.
fn child_properties(schema: &Node) -> Vec<(String, &Node)> {
    schema
        .get("properties")
        .or_else(|| schema.get("items").and_then(|i| i.get("properties")))
        .and_then(Node::as_map)
        .map(|m| {
            m.iter()
                .map(|(k, v)| (camel_name(k).into_owned(), v))
                .collect()
        })
        .unwrap_or_default()
}

/// A section of sources: an object of two or more sections (one per
/// source), named `source`, `sources` or `eventSources` or described as
/// the sources' configuration ("The source configuration for Knative
/// Eventing", beside `kafka`, `github`, `redis`).
fn sources_section(name: &str, schema: &Node, kids: &[(String, &Node)]) -> bool {
    static SOURCES: std::sync::OnceLock<Option<regex::Regex>> = std::sync::OnceLock::new();
    let sections = schema_type(schema) == "object"
        && kids.len() >= 2
        && kids.iter().all(|(_, n)| schema_type(n) == "object");
    if !sections {
        return false;
    }
    if matches!(
        camel_name(name).as_ref(),
        "source" | "sources" | "eventSources"
    ) {
        return true;
    }
    description_matches(
        schema,
        crate::lazy_regex::cached(
            &SOURCES,
            r"(?i)^\W*(the\s+)?(event\s+)?sources?\s+(configuration|config|settings)\b",
        ),
    )
}

/// A list of references to existing objects, every item field a name or a
/// namespace and both present (`prometheusRulesExcludedFromEnforce` of
/// `ruleName`, `ruleNamespace`): it chooses objects as a selector does.
fn reference_list(schema: &Node, kids: &[(String, &Node)]) -> bool {
    let is_list = schema_type(schema) == "array";
    let lower: Vec<String> = kids.iter().map(|(k, _)| k.to_ascii_lowercase()).collect();
    is_list
        && lower.iter().any(|k| k.ends_with("namespace"))
        && lower.iter().any(|k| k.ends_with("name"))
        && lower
            .iter()
            .all(|k| k.ends_with("name") || k.ends_with("namespace"))
}

/// An `alerting` section that only names the Alertmanagers it sends to (a
/// Prometheus's `alerting.alertmanagers`): where a monitoring operand sends
/// its alerts, its function.
fn alertmanagers_only(name: &str, kids: &[(String, &Node)]) -> bool {
    camel_name(name) == "alerting"
        && !kids.is_empty()
        && kids
            .iter()
            .all(|(k, _)| k.to_ascii_lowercase().contains("alertmanager"))
}

/// A section of scalar polling settings alone: an interval or timeout
/// described as reconciling, connecting or health-checking (ClusterPulse's
/// `monitoring` of a target cluster: "Reconciliation interval in seconds",
/// "Connection timeout"), beside no switch, port, path or labels and nothing
/// whose name or description speaks of metrics, scraping or alerts.
fn polling_settings_only(kids: &[(String, &Node)]) -> bool {
    static MONITORING: std::sync::OnceLock<Option<regex::Regex>> = std::sync::OnceLock::new();
    static POLLED: std::sync::OnceLock<Option<regex::Regex>> = std::sync::OnceLock::new();
    let (Some(monitoring), Some(polled)) = (
        crate::lazy_regex::cached(
            &MONITORING,
            r"(?i)metric|prometheus|scrap|monitor|exporter|alert|rule|dashboard|telemetry|observab|trac(e|ing)",
        ),
        crate::lazy_regex::cached(
            &POLLED,
            r"(?i)\breconcil|\bconnection\b|\bhealth[\s-]*checks?\b|\bpoll",
        ),
    ) else {
        return false;
    };
    let timing = |k: &str| {
        let k = k.to_ascii_lowercase();
        k.ends_with("interval") || k.ends_with("timeout") || k.ends_with("period")
    };
    !kids.is_empty()
        && kids.iter().all(|(k, n)| {
            matches!(
                schema_type(n).as_str(),
                "integer" | "number" | "boolean" | "string"
            ) && !k.to_ascii_lowercase().starts_with("enable")
                && !matches!(k.as_str(), "port" | "path" | "labels")
                && !monitoring.is_match(k)
                && !description_matches(n, Some(monitoring))
        })
        && kids
            .iter()
            .any(|(k, n)| timing(k) && description_matches(n, Some(polled)))
}

/// What makes a description say a replica bound is an autoscaler's: it
/// names autoscaling, an autoscaler or a HorizontalPodAutoscaler
/// ("MaxReplicas sets an upper bound to the autoscaling feature. If
/// MaxReplicas is set autoscaling is enabled.").
fn autoscaling_description() -> Option<&'static regex::Regex> {
    static AUTOSCALING: std::sync::OnceLock<Option<regex::Regex>> = std::sync::OnceLock::new();
    crate::lazy_regex::cached(
        &AUTOSCALING,
        r"(?i)\bauto-?scal(e|er|ers|ing)\b|\bhpa\b|\bhorizontal\s*pod\s*auto-?scaler",
    )
}

/// A description's first sentence: up to the first full stop followed by
/// white space (or the whole text).
fn first_sentence(text: &str) -> &str {
    let bytes = text.as_bytes();
    (0..bytes.len())
        .find(|&i| bytes[i] == b'.' && bytes.get(i + 1).is_some_and(u8::is_ascii_whitespace))
        .map_or(text, |i| &text[..i + 1])
}

/// What makes a description name the version of something other than the
/// operand (see [`DescribedFields`]): the operator's, or an API's, schema's or
/// definition's, the noun ending the phrase ("Version of the API.", "the
/// version of the custom policy schema") rather than starting a longer one
/// ("the version of the API gateway" is a gateway's).
fn other_version_description() -> Option<&'static regex::Regex> {
    static OTHER: std::sync::OnceLock<Option<regex::Regex>> = std::sync::OnceLock::new();
    crate::lazy_regex::cached(
        &OTHER,
        concat!(
            r"(?i)^\W*(the\s+)?(\S+\s+)?operator('s)?\s+version\b",
            r"|\bversion\s+of\s+the\s+(\S+\s+)?operator\b",
            r"|\bapi\s+version\b",
            r"|\b(unused|not\s+used\s+any\s*more|no\s+longer\s+used)\b",
            r"|\bversion\s+of\s+(the\s+|this\s+|an?\s+)?(\S+\s+){0,2}(rest\s+)?",
            r"(api|apis|schema|swagger|openapi|definition|specification|resource)",
            r"(\s*$|\s*[^\w\s-]|\s+(that|which|to|being|it|in|exposed|published|definition|document|spec|specification)\b)",
        ),
    )
}

/// What makes a description (its first sentence) call a version or an
/// image something other than what the operand runs: a build's output
/// ("the reference to the built image", "the image name built"),
/// its input ("the base image used for this build", "the container image
/// available for building an application"), a recommendation ("the
/// recommended image for S2I builds"), or the
/// observed revision of another object's part ("The observed version of
/// the template for this resource", a hash of the overrides): bookkeeping
/// of what the operator last applied, not a release.
fn produced_version_description() -> Option<&'static regex::Regex> {
    static PRODUCED: std::sync::OnceLock<Option<regex::Regex>> = std::sync::OnceLock::new();
    crate::lazy_regex::cached(
        &PRODUCED,
        concat!(
            r"(?i)\bbuilt\s+(\S+\s+)?image\b",
            r"|\bimages?(\s+(name|reference|ref))?\s+(that\s+)?(was\s+|were\s+|is\s+|has\s+been\s+)?(built|produced|pushed)\b",
            r"|\b(output|result|produced|pushed)\s+(image\s+)?(of|by)\s+(the\s+|a\s+|this\s+)?build",
            r"|\bused\s+(for|by|in)\s+(the\s+|a\s+|this\s+)?builds?\b|\bfor\s+building\b",
            r"|\b(recommended|suggested)\s+(\S+\s+)?(image|version|release|tag)\b",
            r"|\b(observed|last|applied|recorded)\s+(version|revision|hash|generation)\s+of\s+(the|this|a|an)\s+",
            r"(\S+\s+)?(template|templates|overrides?|manifests?|resource|object|spec|placement)\b",
            r"|\b(hash|checksum)\s+of\s+the\b",
        ),
    )
}

/// The spec fields whose schema description says they are the number of
/// the operand's pods, nodes, instances, replicas or members
/// (`podCountFields`): a count field (a number, or untyped) whose name is
/// no bound, rate or limit, described as [`says_operand_pod_count`] reads
/// ("Desired number of Salsa worker pods" on ndmspc's `spec.workers`).
/// Bounded like [`FieldPaths`].
struct PodCountFields(BTreeSet<String>);

impl SchemaVisitor for PodCountFields {
    fn full(&self) -> bool {
        self.0.len() >= MAX_FIELDS
    }
    fn segment<'a>(&self, name: &'a str) -> std::borrow::Cow<'a, str> {
        camel_name(name)
    }
    fn property(&mut self, path: &str, name: &str, schema: &Node) {
        let counts = matches!(schema_type(schema).as_str(), "integer" | "number" | "any");
        if counts
            && path.starts_with("spec.")
            && names_pod_count(name)
            && schema
                .get("description")
                .and_then(Node::scalar_text)
                .is_some_and(|d| says_operand_pod_count(&d))
        {
            self.0.insert(path.to_string());
        }
    }
}

/// Whether a field's name may be a count of the operand's pods: not a
/// bound (`minReplicas`, `maxWorkers`), a per-unit or a rate setting
/// (`parallelOutboundMigrationsPerNode`, `maxSurge`, `maxSkew`), a count of
/// restarts, retries or slots, a port, a duration, a threshold or a quota.
fn names_pod_count(name: &str) -> bool {
    !name_words(name).iter().any(|w| {
        matches!(
            w.as_str(),
            "min"
                | "max"
                | "minimum"
                | "maximum"
                | "per"
                | "ready"
                | "available"
                | "unavailable"
                | "surge"
                | "skew"
                | "parallel"
                | "concurrent"
                | "concurrency"
                | "restart"
                | "restarts"
                | "retry"
                | "retries"
                | "canary"
                | "idle"
                | "spare"
                | "sync"
                | "port"
                | "timeout"
                | "seconds"
                | "threshold"
                | "limit"
                | "quota"
                | "slot"
                | "slots"
                | "thread"
                | "threads"
                | "partitions"
                | "shards"
                | "days"
                | "history"
                | "revision"
                | "revisions"
                | "budget"
        )
    })
}

/// The opening both count readings share: an optional "<field> is",
/// then articles and verbs of setting ("the desired", "specifies the")
/// before "number of" or "amount of" ([`says_operand_pod_count`],
/// [`says_component_count`]).
macro_rules! count_preamble {
    () => {
        concat!(
            r"(?is)^\W*(?:[\w-]+\s+(?:is|are|sets|specifies|defines|configures)\s+)?",
            r"(?:(?:the|a|an|sets?|specif(?:y|ies)|defines?|configures?|desired|total|expected|requested|wanted|initial)\s+)*",
        )
    };
}

/// Whether a description's first sentence says a field is the (desired)
/// number of the operand's pods, nodes, instances, replicas or members:
/// it opens with "number of" or "amount of" ("Desired number of Salsa worker pods",
/// "Number of Redis Nodes", "Size is the number of broker pods to deploy"),
/// at most three words name whose they are, none a state, a selection or
/// another thing counted (matching, ready, running, virtual, selected, the
/// times, seconds or days of something, or a preposition: "number of
/// retries per node"), and the sentence ends there or goes on only to say
/// they are run or deployed ("to deploy", "desired", "that will be
/// started") or in which of the operand's clusters, deployments or
/// components ("in the RabbitMQ cluster"). Counts of other things are not
/// read: "the number of nodes in the Kubernetes cluster", "pods in the
/// namespace", "pods to resize", "nodes that will be updated", "worker
/// processes", "worker slots".
fn says_operand_pod_count(description: &str) -> bool {
    static COUNT: std::sync::OnceLock<Option<regex::Regex>> = std::sync::OnceLock::new();
    static REST: std::sync::OnceLock<Option<regex::Regex>> = std::sync::OnceLock::new();
    let (Some(count), Some(rest_ok)) = (
        crate::lazy_regex::cached(
            &COUNT,
            concat!(
                count_preamble!(),
                r"(?:number|amount)\s+of\s+((?:[\w-]+\s+){0,3}?)(?:pods|nodes|instances|replicas|members)\b(.*)$",
            ),
        ),
        crate::lazy_regex::cached(
            &REST,
            concat!(
                r"(?is)^(?:$|[.,;:(]",
                r"|to\s+(?:run|deploy|create|start|launch|spawn|provision)\b",
                r"|(?:desired|required|needed|wanted|expected)\b",
                r"|(?:that|which|we|you)\s+(?:[\w-]+\s+){0,2}(?:run|running|deploy|deployed|create|created|start|started|spawn|spawned)\b",
                r"|(?:in|of|for|within)\s+(?:the|this|each|a|an|your)\s+((?:[\w-]+\s+){0,2})",
                r"(?:cluster|deployment|statefulset|subcluster|component|service|set|pool|group|installation|ensemble|database)\b)",
            ),
        ),
    ) else {
        return false;
    };
    let sentence = first_sentence(description);
    if says_component_count(sentence) {
        return true;
    }
    let Some(c) = count.captures(sentence) else {
        return false;
    };
    let rest = c.get(2).map_or("", |m| m.as_str()).trim_start();
    c.get(1).is_some_and(|m| !counts_something_else(m.as_str()))
        && rest_ok
            .captures(rest)
            .is_some_and(|r| r.get(1).is_none_or(|m| !counts_something_else(m.as_str())))
}

/// Whether a description's first sentence says a field is the number of
/// one of the operand's components to install or run ("Number of proxies
/// to install", "Number of controllers to install": traefikee's
/// descriptors), a plural noun beside the pod family
/// [`says_operand_pod_count`] reads, said to be installed, deployed,
/// launched or provisioned. Things created or run are not read: they are
/// as often the operand's data or work ("the number of buckets to create
/// for a bucketed table", "worker threads to run"), nor are counts of what
/// is not a member of the operand ("parallel jobs to deploy").
fn says_component_count(sentence: &str) -> bool {
    static COUNT: std::sync::OnceLock<Option<regex::Regex>> = std::sync::OnceLock::new();
    let Some(count) = crate::lazy_regex::cached(
        &COUNT,
        concat!(
            count_preamble!(),
            r"(?:number|amount)\s+of\s+((?:[\w-]+\s+){0,2}?)([a-z][a-z-]*s)\s+to\s+(?:be\s+)?",
            r"(?:install(?:ed)?|deploy(?:ed)?|launch(?:ed)?|provision(?:ed)?)\b",
        ),
    ) else {
        return false;
    };
    let Some(c) = count.captures(sentence) else {
        return false;
    };
    let noun = c[2].to_ascii_lowercase();
    !counts_something_else(&c[1]) && !NOT_OPERAND_MEMBERS.contains(&noun.as_str())
}

/// Plural nouns a "number of … to run" counts that are not members of the
/// operand: work items, processes, time, data and API objects.
const NOT_OPERAND_MEMBERS: [&str; 38] = [
    "threads",
    "processes",
    "workers",
    "goroutines",
    "slots",
    "connections",
    "jobs",
    "tasks",
    "requests",
    "retries",
    "attempts",
    "times",
    "seconds",
    "minutes",
    "hours",
    "days",
    "bytes",
    "items",
    "messages",
    "events",
    "revisions",
    "backups",
    "snapshots",
    "logs",
    "files",
    "lines",
    "partitions",
    "records",
    "queries",
    "iterations",
    "steps",
    "batches",
    "keys",
    "certificates",
    "secrets",
    "volumes",
    "tests",
    "checks",
];

/// Whether the words before or after a counted noun make it a count of
/// something other than the operand's members: a state or a selection
/// (ready, matching, selected), a bound (min, max), a unit of time or size,
/// the cluster's own (kubernetes, namespace), or a preposition that moves
/// the count elsewhere ("retries per node").
fn counts_something_else(words: &str) -> bool {
    words.split_whitespace().any(|w| {
        matches!(
            w.to_ascii_lowercase().as_str(),
            "matching"
                | "ready"
                | "available"
                | "unavailable"
                | "running"
                | "current"
                | "updated"
                | "virtual"
                | "selected"
                | "failed"
                | "allowed"
                | "concurrent"
                | "parallel"
                | "schedulable"
                | "min"
                | "max"
                | "minimum"
                | "maximum"
                | "additional"
                | "extra"
                | "idle"
                | "spare"
                | "old"
                | "times"
                | "seconds"
                | "minutes"
                | "hours"
                | "days"
                | "retries"
                | "attempts"
                | "bytes"
                | "kubernetes"
                | "openshift"
                | "k8s"
                | "namespace"
                | "of"
                | "per"
                | "in"
                | "on"
                | "for"
                | "to"
                | "with"
                | "that"
                | "which"
                | "each"
                | "every"
        )
    })
}

/// Whether a kind is itself an API, a schema or a definition object (an
/// API manager's `API`, an `OpenAPI`, a `CustomPolicyDefinition`): the
/// version it carries is that API's or definition's own.
fn is_definition_kind(kind: &str) -> bool {
    name_words(kind).last().is_some_and(|w| {
        matches!(
            w.as_str(),
            "api" | "apis" | "schema" | "schemas" | "definition" | "swagger" | "openapi"
        )
    })
}

/// Whether an `x-kubernetes-validations` rule anywhere below a schema
/// node reads `oldSelf` (bounded depth).
fn has_transition_rule(node: &Node, depth: usize) -> bool {
    if depth > MAX_SCHEMA_DEPTH * 2 {
        return false;
    }
    match &node.value {
        Value::Map(map) => map.iter().any(|(k, v)| {
            if k == "x-kubernetes-validations" {
                v.as_seq().unwrap_or_default().iter().any(|rule| {
                    rule.get("rule")
                        .and_then(Node::scalar_text)
                        .is_some_and(|r| r.contains("oldSelf"))
                })
            } else {
                has_transition_rule(v, depth + 1)
            }
        }),
        Value::Seq(items) => items.iter().any(|v| has_transition_rule(v, depth + 1)),
        _ => false,
    }
}

/// Whether a key appears anywhere below a node (bounded depth).
fn contains_key(node: &Node, key: &str, depth: usize) -> bool {
    if depth > MAX_SCHEMA_DEPTH * 2 {
        return false;
    }
    match &node.value {
        Value::Map(map) => map
            .iter()
            .any(|(k, v)| k == key || contains_key(v, key, depth + 1)),
        Value::Seq(items) => items.iter().any(|v| contains_key(v, key, depth + 1)),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::yaml::{Limits, parse_str};

    fn crd_facts_of(text: &str) -> Json {
        let parsed = parse_str(text, &Limits::default());
        let doc = parsed.documents.into_iter().next().expect("one document");
        crd_facts(&doc.root)
    }

    /// The facts of a CRD of group example.com and kind `kind` serving one
    /// version, v1, whose schema's properties are `properties` (YAML indented
    /// as under `openAPIV3Schema.properties`, twelve spaces).
    fn v1_crd_facts(kind: &str, properties: &str) -> Json {
        crd_facts_of(&format!(
            "spec:\n  group: example.com\n  names: {{kind: {kind}}}\n  versions:\n    - name: v1\n      schema:\n        openAPIV3Schema:\n          properties:\n{properties}"
        ))
    }

    #[test]
    fn own_metrics_monitor_grant_is_the_scaffold_pair_whatever_its_verbs() {
        let grant = |group: &str, resource: &str, verbs: &[&str]| json!({"group": group, "resource": resource, "verbs": verbs});
        let own = |mut g: Json| {
            g["resourceNames"] = json!(["demo-operator"]);
            g
        };
        let finalizers = own(grant("apps", "deployments/finalizers", &["update"]));
        let scaffold = grant(
            "monitoring.coreos.com",
            "servicemonitors",
            &["get", "create"],
        );
        for monitors in [
            scaffold.clone(),
            grant("monitoring.coreos.com", "servicemonitors", &["*"]),
            grant("monitoring.coreos.com", "*", &["*"]),
        ] {
            assert!(
                own_metrics_monitor_grant(&[monitors.clone(), finalizers.clone()]),
                "{monitors}"
            );
            // Without the owner-reference grant on its own Deployment it is
            // not the scaffold's.
            assert!(
                !own_metrics_monitor_grant(std::slice::from_ref(&monitors)),
                "{monitors}"
            );
        }
        // A grant on any Deployment's finalizers (an operand's owner) counts
        // with the scaffold's verbs only.
        for any in [
            grant("apps", "deployments/finalizers", &["*"]),
            grant("apps", "*", &["*"]),
        ] {
            assert!(
                own_metrics_monitor_grant(&[scaffold.clone(), any.clone()]),
                "{any}"
            );
            let keeps = grant(
                "monitoring.coreos.com",
                "servicemonitors",
                &["create", "update"],
            );
            assert!(!own_metrics_monitor_grant(&[keeps, any.clone()]), "{any}");
        }
        // Get alone creates nothing; a wildcard on every group names none.
        let get = grant("monitoring.coreos.com", "servicemonitors", &["get"]);
        assert!(!own_metrics_monitor_grant(&[get, finalizers]));
        assert!(!own_metrics_monitor_grant(&[grant("*", "*", &["*"])]));
    }

    const CRD: &str = "
spec:
  group: example.com
  versions:
    - name: v1beta1
      schema:
        openAPIV3Schema:
          properties:
            spec:
              properties:
                replicas: {type: integer}
                logging:
                  properties:
                    level: {type: string}
            status:
              properties:
                phase: {type: string}
    - name: v1
      schema:
        openAPIV3Schema:
          properties:
            spec:
              properties:
                replicas: {type: integer}
                backup:
                  allOf:
                    - properties:
                        schedule: {type: string}
                    - properties:
                        schedule: {type: string}
                        enabled: {type: boolean}
            status:
              properties:
                phase: {type: string}
";

    #[test]
    fn a_kind_aimed_at_another_object_targets_it() {
        let target = v1_crd_facts(
            "DemoPodAutoscaler",
            "            spec:
              properties:
                targetRef: {properties: {apiVersion: {type: string}, kind: {type: string}, name: {type: string}}}
                constraints: {properties: {minReplicas: {type: integer}, maxReplicas: {type: integer}}}
",
        );
        assert_eq!(target["targetsObject"], json!(true));
        // A reference deeper down (an HPA template of the operand's own)
        // or one without a kind is not the kind's target.
        let own = v1_crd_facts(
            "Demo",
            "            spec:
              properties:
                server: {properties: {hpa: {properties: {scaleTargetRef: {properties: {kind: {type: string}, name: {type: string}}}}}}}
                targetRef: {properties: {name: {type: string}}}
",
        );
        assert_eq!(own["targetsObject"], json!(false));
        // A scaling policy's `target` (apiVersion, kind, name, namespace), a
        // snake_case `workload_ref`, and a string `targetKind` beside a
        // count (the target named like the object itself) aim at another
        // object too.
        for spec in [
            "                target: {properties: {apiVersion: {type: string}, kind: {type: string}, name: {type: string}, namespace: {type: string}}}
                metricsAdapters: {type: array, items: {properties: {endpoint: {type: string}}}}
",
            "                workload_ref: {properties: {kind: {type: string}, name: {type: string}}}
",
            "                targetKind: {type: string}
                totalReplicas: {type: integer}
",
        ] {
            let facts = v1_crd_facts(
                "DemoPolicy",
                &format!("            spec:\n              properties:\n{spec}"),
            );
            assert_eq!(facts["targetsObject"], json!(true), "{spec}");
        }
        // A component section named `target` that shapes pods is the
        // operand's, even with a `name`; a `targetKind` that is no string
        // (an object of settings) names no target.
        for spec in [
            "                target: {properties: {kind: {type: string}, name: {type: string}, image: {type: string}, replicas: {type: integer}}}
",
            "                target: {properties: {image: {type: string}, resources: {type: object}}}
",
            "                targetKind: {properties: {mode: {type: string}}}
",
        ] {
            let facts = v1_crd_facts(
                "Demo",
                &format!("            spec:\n              properties:\n{spec}"),
            );
            assert_eq!(facts["targetsObject"], json!(false), "{spec}");
        }
    }

    #[test]
    fn unserved_versions_give_no_fields() {
        let crd = |old_served: &str, new_served: &str| {
            crd_facts_of(&format!(
                "
spec:
  group: example.com
  names: {{kind: Demo}}
  versions:
    - name: v1alpha1
      served: {old_served}
      schema:
        openAPIV3Schema:
          properties:
            spec:
              properties:
                components: {{properties: {{db: {{properties: {{image: {{type: string}}}}}}}}}}
    - name: v1
      served: {new_served}
      storage: true
      schema:
        openAPIV3Schema:
          properties:
            spec:
              properties:
                size: {{type: integer}}
"
            ))
        };
        // Served: both versions' fields are the API.
        let both = crd("true", "true");
        assert_eq!(both["imageFields"], json!(["spec.components.db.image"]));
        assert!(
            both["fields"]
                .as_array()
                .unwrap()
                .contains(&json!("spec.size"))
        );
        // Neither served (a CRD the API server would refuse): read as written.
        let none = crd("false", "false");
        assert_eq!(none["imageFields"], json!(["spec.components.db.image"]));
        // Only v1 served: v1alpha1's image field is not part of the API.
        let only_v1 = crd("false", "true");
        assert_eq!(only_v1["imageFields"], json!([]));
        let fields = only_v1["fields"].as_array().unwrap();
        assert!(fields.contains(&json!("spec.size")));
        assert!(
            !fields
                .iter()
                .any(|f| f.as_str().unwrap().contains("components"))
        );
        // The unserved version is still listed among the versions.
        assert_eq!(only_v1["versions"].as_array().unwrap().len(), 2);
    }

    #[test]
    fn versions_rank_as_the_api_server_ranks_them() {
        // Kubernetes' documented example order, most preferred first.
        let order = [
            "v10",
            "v2",
            "v1",
            "v11beta2",
            "v10beta3",
            "v3beta1",
            "v12alpha1",
            "v11alpha2",
            "foo1",
            "foo10",
        ];
        for pair in order.windows(2) {
            assert!(
                version_priority(pair[0]) > version_priority(pair[1]),
                "{} should rank above {}",
                pair[0],
                pair[1]
            );
        }
        let mut versions = vec![
            json!({"name": "v1", "storage": false}),
            json!({"name": "v1beta1", "storage": true}),
            json!({"name": "v1alpha1", "storage": false}),
        ];
        mark_older_than_storage(&mut versions);
        let older: Vec<bool> = versions
            .iter()
            .map(|v| v["olderThanStorage"] == Json::Bool(true))
            .collect();
        assert_eq!(older, [false, false, true]);
    }

    #[test]
    fn field_paths_are_merged_across_versions_sorted_and_unique() {
        let facts = crd_facts_of(CRD);
        let fields: Vec<&str> = facts["fields"]
            .as_array()
            .expect("a list")
            .iter()
            .filter_map(Json::as_str)
            .collect();
        assert_eq!(
            fields,
            [
                "spec",
                "spec.backup",
                "spec.backup.enabled",
                "spec.backup.schedule",
                "spec.logging",
                "spec.logging.level",
                "spec.replicas",
                "status",
                "status.phase",
            ]
        );
        assert_eq!(facts["fieldText"], Json::String(fields.join("\n") + "\n"));
    }

    #[test]
    fn map_values_are_walked_as_a_star_segment() {
        let facts = crd_facts_of(
            "
spec:
  versions:
    - name: v1
      schema:
        openAPIV3Schema:
          properties:
            spec:
              properties:
                labels:
                  additionalProperties: {type: string}
                nodes:
                  additionalProperties:
                    properties:
                      replicas: {type: integer}
                open:
                  additionalProperties: true
",
        );
        assert_eq!(
            facts["fields"],
            json!([
                "spec",
                "spec.labels",
                "spec.labels.*",
                "spec.nodes",
                "spec.nodes.*",
                "spec.nodes.*.replicas",
                "spec.open"
            ])
        );
        // `*` is no property's name.
        assert_eq!(
            facts["specNames"],
            json!(["labels", "nodes", "open", "replicas"])
        );
        assert!(facts["shapeText"].as_str().is_some_and(|t| {
            t.contains("spec.nodes object\nspec.nodes.* object\nspec.nodes.*.replicas integer\n")
        }));
    }

    #[test]
    fn a_status_holding_no_field_is_empty() {
        // A scaffold's `status: {type: object}` holds nothing once pruned;
        // a status that keeps unknown fields, or types a field, holds some.
        let crd = |status: &str| {
            crd_facts_of(&format!(
                "
apiVersion: apiextensions.k8s.io/v1
spec:
  versions:
    - name: v1
      subresources: {{status: {{}}}}
      schema:
        openAPIV3Schema:
          type: object
          properties:
            status: {status}
"
            ))
        };
        let empty = crd("{type: object, description: observed state}");
        assert_eq!(empty["versions"][0]["emptyStatus"], json!(true));
        assert_eq!(empty["versions"][0]["hasStatus"], json!(true));
        let kept = crd("{type: object, x-kubernetes-preserve-unknown-fields: true}");
        assert_eq!(kept["versions"][0]["emptyStatus"], json!(false));
        let typed = crd("{type: object, properties: {phase: {type: string}}}");
        assert_eq!(typed["versions"][0]["emptyStatus"], json!(false));
    }

    #[test]
    fn a_spec_holding_no_field_is_empty_once_pruned() {
        // A lease's `spec: {type: object}` is structural and sets nothing;
        // a CRD that keeps unknown fields (v1beta1 without
        // `preserveUnknownFields: false`) stores whatever is written there.
        let crd = |api: &str, spec: &str| {
            crd_facts_of(&format!(
                "
apiVersion: apiextensions.k8s.io/{api}
spec:
  versions:
    - name: v1
      schema:
        openAPIV3Schema:
          type: object
          properties:
            spec: {spec}
            status: {{type: object}}
"
            ))
        };
        let empty = crd("v1", "{type: object, description: nothing to set}");
        assert_eq!(empty["versions"][0]["emptySpec"], json!(true));
        assert_eq!(empty["specless"], json!(false));
        let kept = crd("v1beta1", "{type: object}");
        assert_eq!(kept["versions"][0]["emptySpec"], json!(false));
        assert_eq!(kept["versions"][0]["emptyStatus"], json!(false));
        let map = crd("v1", "{type: object, additionalProperties: {type: string}}");
        assert_eq!(map["versions"][0]["emptySpec"], json!(false));
        let typed = crd("v1", "{type: object, properties: {size: {type: integer}}}");
        assert_eq!(typed["versions"][0]["emptySpec"], json!(false));
    }

    #[test]
    fn a_printer_column_gives_a_declared_value_type_as_the_fields_shape() {
        let facts = crd_facts_of(
            "
apiVersion: apiextensions.k8s.io/v1beta1
spec:
  version: v1
  additionalPrinterColumns:
    - name: Ready
      type: integer
      JSONPath: .status.db.ready
    - name: State
      type: string
      JSONPath: .status.state
",
        );
        // `integer` is a value type the API server checks; `string` only
        // says how any value is printed.
        assert_eq!(facts["shapeText"], json!("status.db.ready integer\n"));
        assert_eq!(facts["statusSource"], json!("printer-columns"));
        assert_eq!(facts["versions"][0]["hasStatus"], json!(true));
    }

    #[test]
    fn a_v1beta1_crd_keeps_unknown_fields_and_shows_status_through_printer_columns() {
        let v1beta1 = crd_facts_of(
            "
apiVersion: apiextensions.k8s.io/v1beta1
spec:
  version: v1
  additionalPrinterColumns:
    - name: Health
      JSONPath: .status.ceph.health
    - name: Ready
      JSONPath: .status.conditions[?(@.type==\"Ready\")].status
    - name: Size
      JSONPath: .spec.size
  validation:
    openAPIV3Schema:
      properties:
        spec:
          properties:
            size: {type: integer}
",
        );
        assert_eq!(v1beta1["prunesUnknownFields"], json!(false));
        assert_eq!(
            v1beta1["fields"],
            json!([
                "spec",
                "spec.size",
                "status",
                "status.ceph",
                "status.ceph.health",
                "status.conditions"
            ])
        );
        // Pruning on (v1, or v1beta1 with preserveUnknownFields: false): the
        // printer column shows a status the API server would drop.
        let pruned = crd_facts_of(
            "
apiVersion: apiextensions.k8s.io/v1beta1
spec:
  version: v1
  preserveUnknownFields: false
  additionalPrinterColumns:
    - name: Health
      JSONPath: .status.health
  validation:
    openAPIV3Schema:
      properties:
        spec:
          properties:
            size: {type: integer}
",
        );
        assert_eq!(pruned["prunesUnknownFields"], json!(true));
        assert_eq!(pruned["fields"], json!(["spec", "spec.size"]));
    }

    #[test]
    fn leaf_names_come_as_a_set_and_as_text() {
        let facts = crd_facts_of(CRD);
        assert_eq!(
            facts["specNames"],
            json!([
                "backup", "enabled", "level", "logging", "replicas", "schedule"
            ])
        );
        assert_eq!(
            facts["specNameText"],
            json!("backup\nenabled\nlevel\nlogging\nreplicas\nschedule\n")
        );
        assert_eq!(facts["statusNames"], json!(["phase"]));
        assert_eq!(facts["statusNameText"], json!("phase\n"));
    }

    #[test]
    fn sections_with_pod_settings_are_components() {
        let fields: Vec<String> = [
            "spec",
            "spec.replicas",
            "spec.autoRecovery",
            "spec.autoRecovery.replicas",
            "spec.autoRecovery.pod",
            "spec.autoHeal",
            "spec.autoHeal.enabled",
            "spec.storage.size",
            "spec.web.resources",
            "spec.web.resources.limits",
        ]
        .map(String::from)
        .to_vec();
        // `spec` itself is the whole operand, not a part of it; a `size`
        // sizes a volume as often as a pod.
        assert_eq!(
            components(&fields),
            vec![json!("spec.autoRecovery"), json!("spec.web")]
        );
    }
    #[test]
    fn versions_count_their_documented_spec_properties() {
        let facts = crd_facts_of(
            "
spec:
  versions:
    - name: v1
      schema:
        openAPIV3Schema:
          properties:
            spec:
              properties:
                a: {description: the a field}
                b: {description: ''}
                c: {description: null}
                d: {type: string}
                e: true
    - name: v2
      schema:
        openAPIV3Schema:
          properties:
            status: {}
",
        );
        assert_eq!(facts["versions"][0]["specProperties"], json!(5));
        // An empty description does not count; one that is there, even
        // null, does (as `.?description.orValue('') != ''` says in CEL).
        assert_eq!(facts["versions"][0]["describedSpecProperties"], json!(2));
        assert_eq!(facts["versions"][1]["specProperties"], Json::Null);
        assert_eq!(facts["versions"][1]["describedSpecProperties"], json!(0));
    }

    /// A bundle of CRDs, each `(group, spec properties)` (properties as
    /// flow YAML), with their facts derived.
    fn crd_package(crds: &[(&str, &str)]) -> Package {
        use crate::package::TargetKind;
        let resources = crds
            .iter()
            .map(|(group, properties)| {
                let text = format!(
                    "apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata: {{name: x}}\nspec:\n  group: {group}\n  versions:\n  - name: v1\n    schema:\n      openAPIV3Schema:\n        properties:\n          spec:\n            properties: {properties}\n"
                );
                let doc = parse_str(&text, &Limits::default()).documents.remove(0);
                let mut r = crate::load::files::resource(doc.root, "crd.yaml", None);
                r.facts = resource_facts(&r);
                r
            })
            .collect();
        Package::new(TargetKind::Bundle, "bundle", "p".into(), resources, vec![])
    }

    #[test]
    fn a_kind_configures_pods_by_a_pod_setting_of_its_type() {
        let pods = |properties: &str| {
            let package = crd_package(&[("example.com", properties)]);
            configures_a_pod(&package.resources[0].facts, false)
        };
        assert!(pods("{image: {type: string}}"));
        assert!(pods(
            "{template: {type: object, properties: {spec: {type: object, properties: {containers: {type: array}}}}}}"
        ));
        // A template kept unknown may be a pod's.
        assert!(pods("{template: {type: object}}"));
        // An ApplicationSet's template of Applications is no pod template.
        assert!(!pods(
            "{template: {type: object, properties: {spec: {type: object, properties: {syncPolicy: {type: object}}}}}}"
        ));
        // A kustomize overlay's images and replicas are the user's manifests'.
        assert!(!pods(
            "{source: {type: object, properties: {kustomize: {type: object, properties: {images: {type: array, items: {type: string}}}}}}}"
        ));
    }

    #[test]
    fn off_cluster_operators_are_told_apart() {
        let package = |groups: &[&str]| {
            let crds: Vec<(&str, &str)> = groups.iter().map(|g| (*g, "{}")).collect();
            crd_package(&crds)
        };
        let ack = package(&["s3.services.k8s.aws", "iam.services.k8s.aws"]);
        assert_eq!(operator_kind(&ack, false), "cloud-resources");
        assert_eq!(operator_kind(&ack, true), "workload");
        let mixed = package(&["s3.services.k8s.aws", "example.com"]);
        assert_eq!(operator_kind(&mixed, false), "other");
        assert_eq!(operator_kind(&mixed, true), "workload");
    }

    #[test]
    fn an_operand_is_a_workload_grant_or_pods_with_an_api_that_shapes_them() {
        // A bundle with one CRD whose spec has these properties.
        let package = |properties: &str| crd_package(&[("example.com", properties)]);
        let shaped = package("{image: {type: string}}");
        // A pods grant with nothing to give the pods (no Service, ConfigMap,
        // Secret or claim to create) reads pods, as a scanner does.
        assert!(!runs_operand(&shaped, "/pods *\n/events *\n/secrets get\n"));
        assert!(runs_operand(&shaped, "/pods *\n/services *\n"));
        let unshaped = package("{uploadInterval: {type: string}}");
        // An external server's configuration: its address, and the
        // resources of its authorization policies (a list, no pod's).
        let remote =
            package("{baseUrl: {type: string}, resources: {type: array, items: {type: string}}}");
        // Resources of a claim's section size a volume, not a pod.
        let claim = package("{pvc: {type: object, properties: {resources: {type: object}}}}");
        assert!(!runs_operand(&claim, "/pods create\n"));
        // Workload kinds by name, or by a wildcard, whatever the CRDs say.
        for grants in [
            "apps/deployments create\n",
            "batch/jobs create\n",
            "*/* *\n",
            "apps/* create\n",
        ] {
            assert!(runs_operand(&unshaped, grants), "{grants}");
            assert!(runs_operand(&remote, grants), "{grants}");
        }
        // The Ansible scaffold's grant, named one by one: no operand when
        // the API configures a server elsewhere and no pod.
        let scaffold = "apps/daemonsets create\napps/deployments create\napps/replicasets create\napps/statefulsets create\n";
        assert!(!runs_operand(&remote, scaffold));
        assert!(runs_operand(&unshaped, scaffold));
        let remote_with_pods = package("{baseUrl: {type: string}, replicas: {type: integer}}");
        assert!(runs_operand(&remote_with_pods, scaffold));
        let remote_with_volumes =
            package("{url: {type: string}, volumeClaimTemplate: {type: object}}");
        assert!(runs_operand(&remote_with_volumes, scaffold));
        // With Jobs granted beside it, the grant is the operator's own.
        let with_jobs = format!("{scaffold}batch/jobs create\n");
        assert!(runs_operand(&remote, &with_jobs));
        // Pods only with a CRD that configures a pod itself (typed).
        assert!(runs_operand(&shaped, "/pods create\n/configmaps create\n"));
        assert!(!runs_operand(&unshaped, "/pods create\n"));
        assert!(!runs_operand(&remote, "/pods create\n"));
        assert!(!runs_operand(
            &package("{volumeClaimTemplate: {type: object}}"),
            "/pods create\n"
        ));
        assert!(!runs_operand(
            &package("{size: {type: string, enum: [small, large]}}"),
            "/pods create\n"
        ));
        // Reading workloads is not running them.
        assert!(!runs_operand(
            &shaped,
            "apps/deployments get\napps/deployments list\n"
        ));
    }

    #[test]
    fn owned_resources_that_list_a_workload_show_an_operand() {
        let text = "apiVersion: operators.coreos.com/v1alpha1\nkind: ClusterServiceVersion\nmetadata: {name: x.v1}\nspec:\n  customresourcedefinitions:\n    owned:\n    - name: things.example.com\n      kind: Thing\n      version: v1\n      resources:\n      - {kind: StatefulSet, version: v1}\n";
        let doc = parse_str(text, &Limits::default()).documents.remove(0);
        let mut package = crd_package(&[("example.com", "{uploadInterval: {type: string}}")]);
        assert!(!runs_operand(&package, "/pods create\n"));
        package
            .resources
            .push(crate::load::files::resource(doc.root, "csv.yaml", None));
        assert!(runs_operand(&package, "/pods create\n"));
    }

    #[test]
    fn an_env_value_is_an_image_by_its_name_or_its_shape() {
        // RELATED_IMAGE_* always; a name ending in IMAGE with a host/path.
        assert!(names_an_image("RELATED_IMAGE_DB", "db:1"));
        assert!(names_an_image("AGENT_IMAGE", "example.com/agent"));
        // Any other name: a registry host, a path and a tag or digest.
        assert!(names_an_image(
            "KEEPALIVED_IMAGE_NAME",
            "quay.io/org/app:latest"
        ));
        let digest = format!("localhost:5000/side@sha256:{}", "0".repeat(64));
        assert!(names_an_image("SIDECAR", &digest));
        assert!(!names_an_image("DOCS", "example.com/docs/install"));
        assert!(!names_an_image("ENDPOINT", "https://quay.io/org/app:1"));
        assert!(!names_an_image("MODULE", "github.com/org/repo"));
        assert!(!names_an_image("HOST_PORT", "db.local:5432"));
    }

    #[test]
    fn crd_image_defaults_are_collected_in_maps_and_lists() {
        let facts = crd_facts_of(
            "
spec:
  versions:
    - name: v1
      schema:
        openAPIV3Schema:
          properties:
            spec:
              properties:
                image: {type: string, default: quay.io/org/server}
                sidecars:
                  items:
                    properties:
                      agentImage: {type: string, default: 'quay.io/org/agent:1'}
                nodes:
                  additionalProperties:
                    properties:
                      image: {type: string}
                replicas: {type: integer, default: 1}
",
        );
        assert_eq!(
            facts["imageDefaults"],
            json!([
                {"image": "quay.io/org/server", "path": "spec.image"},
                {"image": "quay.io/org/agent:1", "path": "spec.sidecars.agentImage"},
            ])
        );
    }

    fn role_facts_of(text: &str) -> Json {
        let parsed = parse_str(text, &Limits::default());
        let doc = parsed.documents.into_iter().next().expect("one document");
        role_facts(&doc.root)
    }

    #[test]
    fn grant_text_has_a_line_per_verb_sorted_and_unique() {
        let facts = role_facts_of(
            "
rules:
  - apiGroups: ['', apps]
    resources: [pods, deployments/scale]
    verbs: [get, create]
  - apiGroups: ['']
    resources: [pods]
    verbs: [get]
  - apiGroups: ['bad/group']
    resources: ['two words']
    verbs: [\"list\\nx/y z\"]
",
        );
        assert_eq!(
            facts["grantText"],
            json!(
                "/deployments/scale create\n/deployments/scale get\n/pods create\n/pods get\n\
                 apps/deployments/scale create\napps/deployments/scale get\napps/pods create\n\
                 apps/pods get\nbad_group/two_words list_x/y_z\n"
            )
        );
    }

    #[test]
    fn snake_and_kebab_names_are_read_in_camel_case() {
        assert_eq!(camel_name("node_selector"), "nodeSelector");
        assert_eq!(camel_name("robin_node_status"), "robinNodeStatus");
        assert_eq!(camel_name("image-robin"), "imageRobin");
        assert_eq!(camel_name("image_provisioner_v04"), "imageProvisionerV04");
        assert_eq!(camel_name("LOG_LEVEL"), "logLevel");
        for kept in [
            "nodeSelector",
            "_private",
            "a__b",
            "x-",
            "app.kubernetes.io/name",
        ] {
            assert_eq!(camel_name(kept), kept);
        }
        assert_eq!(
            camel_path("spec.storage_disks.*.disk_size"),
            "spec.storageDisks.*.diskSize"
        );
        assert_eq!(
            camel_path("status.pod_status[].host_name"),
            "status.podStatus[].hostName"
        );
    }

    #[test]
    fn snake_case_schemas_give_camel_case_facts() {
        let facts = crd_facts_of(
            "
spec:
  group: example.com
  version: v1
  validation:
    openAPIV3Schema:
      properties:
        spec:
          properties:
            image_robin: {type: string}
            node_selector: {type: object, additionalProperties: {type: string}}
        status:
          properties:
            robin_node_status: {type: array, items: {properties: {host_name: {type: string}}}}
",
        );
        assert_eq!(facts["specNames"], json!(["imageRobin", "nodeSelector"]));
        assert_eq!(facts["statusNames"], json!(["hostName", "robinNodeStatus"]));
        assert!(
            facts["shapeText"]
                .as_str()
                .unwrap()
                .contains("status.robinNodeStatus[].hostName string")
        );
        assert_eq!(facts["imageFields"], json!(["spec.imageRobin"]));
    }

    #[test]
    fn fields_the_schema_shows_are_not_the_operands_monitoring() {
        let facts = v1_crd_facts(
            "Demo",
            "            spec:
              properties:
                alerting:
                  description: Defines the settings related to Alertmanager.
                  properties:
                    alertmanagers: {type: array, items: {properties: {name: {type: string}, port: {type: string}}}}
                prometheusRulesExcludedFromEnforce:
                  type: array
                  items: {properties: {ruleName: {type: string}, ruleNamespace: {type: string}}}
                source:
                  description: The source configuration for Knative Eventing.
                  properties:
                    kafka: {properties: {enabled: {type: boolean}}}
                    prometheus: {properties: {enabled: {type: boolean}}}
                monitoring:
                  properties:
                    interval: {type: integer, description: Reconciliation interval in seconds}
                    timeout: {type: integer, description: Connection timeout in seconds}
                component:
                  properties:
                    monitoring:
                      properties:
                        enabled: {type: boolean}
                        interval: {type: integer, description: How often the ServiceMonitor scrapes.}
                    alerting:
                      properties:
                        enabled: {type: boolean}
                        errorRateThreshold: {type: number}
",
        );
        assert_eq!(
            facts["otherMonitoringFields"],
            json!([
                "spec.alerting",
                "spec.monitoring",
                "spec.prometheusRulesExcludedFromEnforce",
                "spec.source.kafka",
                "spec.source.prometheus"
            ])
        );
    }

    #[test]
    fn a_pictures_link_in_a_lists_items_is_no_operand_image() {
        // A Slack receiver's `imageURL` (prometheus-operator's
        // AlertmanagerConfig) links a picture; `imageURI` and a top-level
        // `imageUrl` may still name the operand's image.
        let facts = v1_crd_facts(
            "Demo",
            "            spec:
              properties:
                imageUrl: {type: string}
                app: {properties: {imageURI: {type: string}}}
                receivers:
                  type: array
                  items:
                    properties:
                      slackConfigs:
                        type: array
                        items:
                          properties:
                            imageURL: {type: string}
                            image_url: {type: string}
",
        );
        assert_eq!(
            facts["imageFields"],
            json!(["spec.app.imageURI", "spec.imageUrl"])
        );
    }

    #[test]
    fn a_description_naming_the_number_of_the_operands_pods_is_read() {
        for pods in [
            "Desired number of Salsa worker pods",
            "Number of Redis Nodes",
            "Size is the number of broker pods to deploy for each deployment.",
            "Replicas is the number of nodes in the RabbitMQ cluster.",
            "Amount of members for this MongoDB Replica Set",
            "The number of pod replicas desired. Default: 1",
            "Specifies the number of instances to run.",
            "Number of pods which will be started for the deployment",
            "Number of proxies to install",
            "The number of controllers to be deployed.",
        ] {
            assert!(says_operand_pod_count(pods), "{pods}");
        }
        for other in [
            "Nodes is the number of nodes in the Kubernetes cluster.",
            "Pods is the maximum number of pods in the namespace.",
            "Number of worker processes",
            "Desired number of Salsa worker slots",
            "The number of nodes that will be updated when CanaryUpgrade is true.",
            "number of pods to resize concurrently",
            "The number of matching pods in the target topology.",
            "Number of virtual nodes to use for the hash ring.",
            "Number of retries per node",
            "Number of days to keep backups of the nodes",
            "Number of shards of data",
            "MaxSkew describes the degree: the number of pods",
            "Number of times the pod populating the volume has restarted",
            "Number of nodes selected for scheduling the pods",
            "The number of worker threads to run",
            "Number of parallel jobs to run",
            "Number of application snapshots to create",
            "The number of buckets to create for a bucketed table.",
            "Number of parallel jobs to deploy",
            "Number of proxies in front of the service",
        ] {
            assert!(!says_operand_pod_count(other), "{other}");
        }
    }

    #[test]
    fn a_count_described_as_the_operands_pods_is_a_pod_count() {
        let facts = v1_crd_facts(
            "Demo",
            "            spec:
              properties:
                workers: {type: integer, description: Desired number of Salsa worker pods}
                webapps: {type: integer, description: Desired number of WebApp pods}
                workerslots: {type: integer, description: Desired number of Salsa worker slots}
                members: {type: string, description: Number of members}
                maxWorkers: {type: integer, description: Number of worker pods}
                cluster: {properties: {nodes: {type: integer, description: Nodes is the number of nodes in the Kubernetes cluster.}}}
                resourceQuotas: {properties: {pods: {type: integer, description: Pods is the maximum number of pods in the namespace.}}}
                api: {properties: {server: {properties: {workers: {type: integer, description: Number of worker processes}}}}}
",
        );
        assert_eq!(
            facts["podCountFields"],
            json!(["spec.webapps", "spec.workers"])
        );
    }

    #[test]
    fn a_version_described_as_an_apis_or_a_definition_kinds_is_not_the_operands() {
        // An API manager's `API` kind: its version is the published API's.
        let facts = v1_crd_facts(
            "Demo",
            "            spec:
              properties:
                version: {type: string, description: Version of the API. The version from the swagger definition will be overridden}
                gateway:
                  properties:
                    version: {type: string, description: The version of the API gateway to run.}
                    target: {properties: {version: {type: string, description: version is the API version of the target resource.}}}
                schemas: {properties: {version: {type: string}}}
                labels: {properties: {version: {type: string}}}
                key_store: {properties: {static_keys: {properties: {version: {type: string}}}}}
                agent: {properties: {version: {type: string, description: '[Deprecated] Use spec.image instead. Docker tag used as the agent image.'}}}
                addon: {properties: {version: {type: string, description: DEPRECATED in release 2.4 and will be removed in the future since not used anymore.}}}
            status:
              properties:
                useImmutableImage: {type: boolean}
                image: {type: string}
",
        );
        let operand = facts["operandFieldText"].as_str().unwrap();
        assert!(!operand.contains("spec.version\n"), "{operand}");
        assert!(operand.contains("spec.gateway.version\n"), "{operand}");
        assert!(
            !operand.contains("spec.gateway.target.version"),
            "{operand}"
        );
        assert!(!operand.contains("spec.schemas.version"), "{operand}");
        assert!(!operand.contains("useImmutableImage"), "{operand}");
        assert!(!operand.contains("spec.labels.version"), "{operand}");
        assert!(
            !operand.contains("spec.keyStore.staticKeys.version"),
            "{operand}"
        );
        // Deprecated is still a version the operand runs at.
        assert!(operand.contains("spec.agent.version\n"), "{operand}");
        // An unused one is no control.
        assert!(!operand.contains("spec.addon.version"), "{operand}");
        assert!(operand.contains("status.image\n"), "{operand}");
        let shapes = facts["operandShapeText"].as_str().unwrap();
        assert!(!shapes.contains("useImmutableImage"), "{shapes}");
        assert_eq!(
            facts["otherVersionFields"],
            json!([
                "spec.addon.version",
                "spec.gateway.target.version",
                "spec.version"
            ])
        );
        // A kind that is itself an API: its own version is the API's.
        let facts = v1_crd_facts(
            "RestAPI",
            "            spec:
              properties:
                version: {type: string}
                backend: {properties: {version: {type: string}}}
",
        );
        let operand = facts["operandFieldText"].as_str().unwrap();
        assert!(!operand.contains("spec.version\n"), "{operand}");
        assert!(operand.contains("spec.backend.version\n"), "{operand}");
    }

    #[test]
    fn a_build_output_a_recommendation_or_a_revision_is_not_the_operands() {
        let facts = v1_crd_facts(
            "Demo",
            "            spec:
              properties:
                build: {properties: {version: {type: string, description: Deployed vdb version.}}}
                recommendedVersion: {type: string}
            status:
              properties:
                imageReference: {type: string, description: The image the application runs.}
                buildStatus:
                  properties:
                    imageReference: {type: string, description: ImageReference is the reference to the built image.}
                builtImage: {type: string}
                baseImage: {type: string, description: the base image used for this build}
                kitImage: {type: string, description: the image name built}
                templateVersion: {type: string, description: The observed version of the template for this resource.}
                version: {type: string, description: The version of the installed release.}
",
        );
        let operand = facts["operandFieldText"].as_str().unwrap();
        for kept in [
            "spec.build.version\n",
            "status.imageReference\n",
            "status.version\n",
        ] {
            assert!(operand.contains(kept), "{kept}: {operand}");
        }
        for left in [
            "spec.recommendedVersion",
            "status.buildStatus.imageReference",
            "status.builtImage",
            "status.baseImage",
            "status.kitImage",
            "status.templateVersion",
        ] {
            assert!(!operand.contains(left), "{left}: {operand}");
        }
        // A build kind's status is the build's output.
        let facts = v1_crd_facts(
            "BuildRun",
            "            status:
              properties:
                image: {type: string}
",
        );
        assert!(
            !facts["operandFieldText"]
                .as_str()
                .unwrap()
                .contains("status.image")
        );
    }

    #[test]
    fn a_version_described_as_the_operators_is_not_the_operands() {
        let facts = crd_facts_of(
            "
spec:
  group: example.com
  versions:
    - name: v1
      schema:
        openAPIV3Schema:
          properties:
            status:
              properties:
                chop-version: {type: string, description: Operator version}
                version: {type: string, description: The version of the running server}
",
        );
        assert_eq!(facts["operandFieldText"], json!("status\nstatus.version\n"));
        assert!(
            !facts["operandShapeText"]
                .as_str()
                .unwrap()
                .contains("chopVersion")
        );
        assert!(
            facts["fieldText"]
                .as_str()
                .unwrap()
                .contains("status.chopVersion")
        );
    }

    #[test]
    fn image_fields_leave_out_users_containers_add_ons_and_operators() {
        let facts = v1_crd_facts(
            "Demo",
            "            spec:
              properties:
                image: {type: string}
                pods:
                  properties:
                    customContainers: {type: array, items: {properties: {image: {type: string}}}}
                    customInitContainers: {type: array, items: {properties: {image: {type: string}}}}
                    containers: {type: array, items: {properties: {image: {type: string}}}}
                sidecars: {type: array, items: {properties: {image: {type: string}}}}
                addons:
                  properties:
                    jaeger:
                      properties:
                        imageAgent: {type: string}
                        imageOperator: {type: string}
                operator: {properties: {image: {type: string}}}
                monitoring: {properties: {operatorImage: {type: string}, exporterImage: {type: string}}}
",
        );
        assert_eq!(
            facts["imageFields"],
            json!([
                "spec.image",
                "spec.monitoring.exporterImage",
                "spec.pods.containers.image"
            ])
        );
        assert!(names_users_containers("extraInitContainers"));
        assert!(names_users_containers("sidecars"));
        assert!(names_users_containers("initContainers"));
        assert!(names_users_containers("sideCars"));
        assert!(!names_users_containers("containers"));
        assert!(names_add_ons("addOns") && names_add_ons("add_ons") && names_add_ons("addons"));
        assert!(!names_add_ons("address"));
    }

    #[test]
    fn a_catalog_sources_image_is_no_operand_image() {
        // cluster-relocation-operator's `spec.catalogSources[].image`: the
        // index image of an OLM catalog it adds to the cluster.
        let facts = v1_crd_facts(
            "Demo",
            "            spec:
              properties:
                catalogSources: {type: array, items: {properties: {image: {type: string}, name: {type: string}}}}
                server: {properties: {image: {type: string}}}
",
        );
        assert_eq!(facts["imageFields"], json!(["spec.server.image"]));
        assert!(names_catalog_sources("catalogSource"));
        assert!(names_catalog_sources("extra_catalog_sources"));
        assert!(!names_catalog_sources("catalog"));
    }

    #[test]
    fn image_fields_are_images_not_settings_about_them() {
        for image in [
            "image",
            "baseImage",
            "edgefsImageName",
            "imageTag",
            "imageRepository",
        ] {
            assert_eq!(image_name(image), ImageName::Image, "{image}");
        }
        assert_eq!(image_name("imageRobin"), ImageName::OfComponent);
        assert_eq!(image_name("imageRef"), ImageName::Image);
        for not in [
            "imagePullPolicy",
            "imagePullSecrets",
            "imageRegistry",
            "imagePrefix",
            "containerImageOverrides",
            "disableUpdateClusterImageSets",
            "images",
            "version",
            "imageStreamRef",
            "imageSetRef",
        ] {
            assert_eq!(image_name(not), ImageName::No, "{not}");
        }
        let fields: Vec<String> = [
            "spec.containerImageOverrides",
            "spec.containerImageOverrides.beegfsCsiDriver",
            "spec.containerImageOverrides.beegfsCsiDriver.image",
            "spec.containerImageOverrides.beegfsCsiDriver.tag",
            "spec.imageController",
            "spec.imageController.replicas",
            "spec.imageDetails",
            "spec.imageDetails.name",
            "spec.imagePullPolicy",
            "spec.imageRobin",
            "spec.images.*",
            "spec.imageSetRef.name",
            "spec.hooks.resources.postHooks.init.initContainers.image",
            "spec.volumes.rbd.image",
            "spec.webHook.image",
            "status.image",
        ]
        .map(String::from)
        .to_vec();
        let found = [
            "spec.containerImageOverrides.beegfsCsiDriver.image",
            "spec.imageDetails.name",
            "spec.imageRobin",
            "spec.images.*",
            "spec.webHook.image",
        ]
        .map(Json::from)
        .to_vec();
        // Without types, `image<Component>` counts as a leaf only.
        assert_eq!(
            image_fields(&fields, &BTreeMap::new(), &BTreeSet::new()),
            found
        );
        let typed = |t: &str| -> BTreeMap<String, String> {
            ["spec.imageDetails.name", "spec.imageRobin", "spec.images.*"]
                .map(|p| (p.to_string(), t.to_string()))
                .into()
        };
        assert_eq!(
            image_fields(&fields, &typed("string"), &BTreeSet::new()),
            found
        );
        assert_eq!(
            image_fields(&fields, &typed("boolean"), &BTreeSet::new()),
            [found[0].clone(), found[4].clone()]
        );
    }

    #[test]
    fn an_image_spec_object_is_an_image() {
        // redis-enterprise 0.0.1's alm-examples (audit s18-Z2).
        assert_eq!(image_name("redisEnterpriseImageSpec"), ImageName::Image);
        assert_eq!(image_name("imageSpec"), ImageName::OfComponent);
        // A pull spec is an image reference (open-cluster-management's
        // klusterlet: `registrationImagePullSpec`, audit s20-A2); a pull
        // policy or pull secret is not an image.
        assert_eq!(image_name("imagePullSpec"), ImageName::Image);
        assert_eq!(image_name("workImagePullSpec"), ImageName::Image);
        assert_eq!(image_name("imagePullPolicy"), ImageName::No);
        assert_eq!(image_name("imagePullSecrets"), ImageName::No);
        let fields: Vec<String> = [
            "spec.redisEnterpriseImageSpec",
            "spec.redisEnterpriseImageSpec.imagePullPolicy",
            "spec.redisEnterpriseImageSpec.repository",
            "spec.redisEnterpriseImageSpec.versionTag",
            "spec.chart.repository",
            "spec.chart.version",
        ]
        .map(String::from)
        .to_vec();
        assert_eq!(
            image_fields(&fields, &BTreeMap::new(), &BTreeSet::new()),
            [
                "spec.redisEnterpriseImageSpec",
                "spec.redisEnterpriseImageSpec.repository",
                "spec.redisEnterpriseImageSpec.versionTag",
            ]
            .map(Json::from)
            .to_vec()
        );
    }

    #[test]
    fn a_hooks_image_is_the_users() {
        let crd = |kind: &str| {
            crd_facts_of(&format!(
                "
apiVersion: apiextensions.k8s.io/v1
spec:
  names: {{kind: {kind}}}
  versions:
    - name: v1
      schema:
        openAPIV3Schema:
          type: object
          properties:
            spec: {{type: object, properties: {{image: {{type: string}}}}}}
"
            ))
        };
        assert_eq!(crd("MigHook")["imageFields"], json!([]));
        assert_eq!(crd("Hook")["imageFields"], json!([]));
        assert_eq!(crd("Webhook")["imageFields"], json!(["spec.image"]));
        assert_eq!(crd("Broker")["imageFields"], json!(["spec.image"]));
    }

    #[test]
    fn an_image_split_into_repository_and_tag_is_the_components() {
        let fields: Vec<String> = [
            "spec.chart.repository",
            "spec.chart.version",
            "spec.controller.repository",
            "spec.controller.tag",
            "spec.node.repository",
            "spec.node.tag",
            "spec.volumes.git.repository",
            "spec.volumes.git.tag",
        ]
        .map(String::from)
        .to_vec();
        let found = ["spec.controller", "spec.node"].map(Json::from).to_vec();
        assert_eq!(
            image_fields(&fields, &BTreeMap::new(), &BTreeSet::new()),
            found
        );
        let numbered: BTreeMap<String, String> =
            [("spec.node.tag".to_string(), "integer".to_string())].into();
        assert_eq!(
            image_fields(&fields, &numbered, &BTreeSet::new()),
            found[..1].to_vec()
        );
    }

    #[test]
    fn field_names_split_into_words() {
        assert_eq!(name_words("minTLSVersion"), ["min", "tls", "version"]);
        assert_eq!(name_words("k8sVersion"), ["k8s", "version"]);
        assert_eq!(name_words("app_version"), ["app", "version"]);
        assert_eq!(name_words("imageTag"), ["image", "tag"]);
    }

    #[test]
    fn platform_protocol_and_reference_versions_are_not_the_operands() {
        let paths: BTreeSet<&str> = ["spec.target.kind", "spec.target.version"].into();
        let other = |p: &str| names_other_than_operand(p, &paths);
        for p in [
            "spec.clusterVersion",
            "spec.kubeVersion",
            "status.kubernetesVersion",
            "spec.minTLSVersion",
            "spec.tls.minVersion",
            "spec.subject.apiVersion",
            "spec.target.version",
            "spec.tlsMinVersion",
            "status.lastResourceVersion",
            "spec.backupStorageConfig.awsSignatureVersion",
            "status.formatVersion",
            "status.operatorVersion",
            "spec.csi.version",
            "spec.plugin.cniVersion",
            "spec.trafficPolicy.proxyProtocol.version",
        ] {
            assert!(other(p), "{p}");
        }
        for p in [
            "spec.version",
            "spec.appVersion",
            "status.currentVersion",
            "spec.cluster.version",
            "spec.image",
            "spec.postgresVersion",
            "spec.multiSourceConfig.clusterGroupChartVersion",
        ] {
            assert!(!other(p), "{p}");
        }
    }

    #[test]
    fn integer_versions_are_revision_counters_unless_a_release_number() {
        let types: BTreeMap<String, String> = [
            ("spec.postgresVersion", "integer"),
            ("spec.serverVersion", "string"),
            ("status.postgres.version", "integer"),
            ("status.postgresVersion", "integer"),
            ("status.majorVersion", "integer"),
            ("status.latestProductionVersion", "integer"),
            ("status.metadataVersion", "integer"),
            ("status.version", "integer"),
            ("status.serverVersion", "string"),
            ("status.observedGeneration", "integer"),
            ("spec.remoteVersion", "integer"),
            ("spec.checks.version", "integer"),
            ("spec.automaticUpdate.minorVersion", "integer"),
            ("spec.engineVersion", "integer"),
            ("status.engine.version", "string"),
        ]
        .into_iter()
        .map(|(p, t)| (p.to_string(), t.to_string()))
        .collect();
        let counters = revision_counters(&types);
        // spec.postgresVersion and spec.engineVersion are mirrored in
        // status, spec.automaticUpdate.minorVersion is a minor release.
        let want: BTreeSet<String> = [
            "spec.checks.version",
            "spec.remoteVersion",
            "status.latestProductionVersion",
            "status.metadataVersion",
            "status.version",
        ]
        .into_iter()
        .map(String::from)
        .collect();
        assert_eq!(counters, want);
    }

    #[test]
    fn a_configuration_objects_version_is_not_the_operands() {
        let paths: BTreeSet<&str> = BTreeSet::new();
        let other = |p: &str| names_other_than_operand(p, &paths);
        for p in [
            "status.vcl.version",
            "status.vcl.configMapVersion",
            "status.config.version",
            "status.configStatus.version",
            "status.schemaVersion",
            "spec.policy.version",
        ] {
            assert!(other(p), "{p}");
        }
        for p in [
            "status.schemaRegistry.version",
            "spec.driver.configVersion",
            "status.server.version",
            "status.version",
        ] {
            assert!(!other(p), "{p}");
        }
    }

    #[test]
    fn a_group_is_granted_whole_by_star_or_by_listing_every_resource() {
        let whole = |rules: &str| role_facts_of(&format!("rules:\n{rules}"))["wholeGroups"].clone();
        let listed = whole(
            "  - apiGroups: [rbac.authorization.k8s.io]\n    resources: [roles, rolebindings, clusterroles]\n    verbs: ['*']\n\
               \x20 - apiGroups: [rbac.authorization.k8s.io]\n    resources: [clusterrolebindings]\n    verbs: [get, list, watch, create, update, patch, delete, deletecollection, bind, escalate]\n",
        );
        assert_eq!(
            listed,
            json!([{"group": "rbac.authorization.k8s.io", "listed": true,
                    "resources": ["clusterrolebindings", "clusterroles", "rolebindings", "roles"],
                    "verbs": ["bind", "create", "delete", "deletecollection", "escalate", "get", "list", "patch", "update", "watch"],
                    "allVerbs": true}])
        );
        // Three of the four RBAC resources are not the group; reading them
        // all is the group, but not every verb.
        assert_eq!(
            whole(
                "  - apiGroups: [rbac.authorization.k8s.io]\n    resources: [roles, rolebindings, clusterroles]\n    verbs: ['*']\n"
            ),
            json!([])
        );
        let read = whole(
            "  - apiGroups: [rbac.authorization.k8s.io]\n    resources: ['*']\n    verbs: [get, list]\n",
        );
        assert_eq!(read[0]["allVerbs"], json!(false));
        assert_eq!(read[0]["resources"], json!(["*"]));
        let star = whole("  - apiGroups: ['*']\n    resources: ['*']\n    verbs: ['*']\n");
        let groups: Vec<&str> = star
            .as_array()
            .unwrap()
            .iter()
            .map(|g| g["group"].as_str().unwrap())
            .collect();
        assert_eq!(groups, ["*", "rbac.authorization.k8s.io", ""]);
    }

    #[test]
    fn a_role_with_endless_verbs_is_cut_short() {
        // 100 groups x 100 resources, each with 100 verbs, would be a
        // million lines: the count of grants and verbs is bounded.
        let list = |prefix: &str| {
            (0..100)
                .map(|i| format!("{prefix}{i}"))
                .collect::<Vec<_>>()
                .join(", ")
        };
        let role = format!(
            "rules:\n  - apiGroups: [{}]\n    resources: [{}]\n    verbs: [{}]\n",
            list("g"),
            list("r"),
            list("v")
        );
        let facts = role_facts_of(&role);
        let grants = facts["grants"].as_array().expect("a list");
        assert!(!grants.is_empty());
        assert!(grants.len() * 101 <= MAX_GRANTS);
        let lines = facts["grantText"].as_str().expect("text").lines().count();
        assert_eq!(lines, grants.len() * 100);
    }
}

#[cfg(test)]
mod example_env_tests {
    use super::{example_env_names, names_env_list};
    use serde_json::json;

    #[test]
    fn env_lists_are_named_as_a_containers_environment_is() {
        for key in [
            "env",
            "extraEnv",
            "env_exporter",
            "envVars",
            "extraEnvVars",
            "environment",
            "environmentVariables",
        ] {
            assert!(names_env_list(key), "{key}");
        }
        for key in ["environments", "envoy", "development", "events", "envelope"] {
            assert!(!names_env_list(key), "{key}");
        }
    }

    #[test]
    fn example_env_names_are_read_where_the_kind_keeps_them() {
        // Session 22 bundle audit: skydive-operator 0.0.12's Skydive example
        // sets SKYDIVE_LOGGING_LEVEL in spec.exporter.env.
        let examples = json!([
            {"apiVersion": "x.example.com/v1", "kind": "Demo", "spec": {"exporter": {
                "env": [{"name": "DEMO_LOGGING_LEVEL", "value": "INFO"}, {"value": "x"}],
                "env_exporter": [{"name": "DEMO_BUFFER", "value": "1"}]}}},
            {"apiVersion": "y.example.com/v1", "kind": "Demo", "spec": {
                "env": [{"name": "OTHER_GROUP", "value": "1"}]}}
        ]);
        let facts = |fields: &[&str]| {
            json!({"kind": "Demo", "group": "x.example.com", "fields": fields})
                .as_object()
                .cloned()
                .unwrap()
        };
        let all = facts(&["spec.exporter.env", "spec.exporter.envExporter"]);
        assert_eq!(
            example_env_names(&all, &examples)
                .into_iter()
                .collect::<Vec<_>>(),
            ["DEMO_BUFFER", "DEMO_LOGGING_LEVEL"]
        );
        // A schema without the env list prunes it: no variable reaches the
        // operand.
        let pruned = facts(&["spec.exporter.envExporter"]);
        assert_eq!(
            example_env_names(&pruned, &examples)
                .into_iter()
                .collect::<Vec<_>>(),
            ["DEMO_BUFFER"]
        );
    }
}

#[cfg(test)]
mod chart_operator_tests {
    use super::chart_controls;

    #[test]
    fn a_controller_writes_custom_resources_or_creates_workloads() {
        assert!(chart_controls("fx.example.com/widgets patch\n"));
        assert!(chart_controls("apps/deployments create\n"));
        assert!(chart_controls("*/* *\n"));
        assert!(chart_controls("batch/* create\n"));
    }

    #[test]
    fn pods_reads_and_built_in_writes_make_no_operator() {
        // A CI runner starts pods; an exporter reads; a status-only grant is
        // not a controller of its own API.
        assert!(!chart_controls("/pods create\n/configmaps update\n"));
        assert!(!chart_controls(
            "apps/deployments get\napps/deployments patch\n"
        ));
        assert!(!chart_controls(
            "fx.example.com/widgets get\nfx.example.com/widgets list\n"
        ));
        assert!(!chart_controls("networking.k8s.io/ingresses create\n"));
        assert!(!chart_controls("fx.example.com/widgets/status update\n"));
        assert!(!chart_controls("fx.example.com/widgets/scale patch\n"));
        assert!(!chart_controls(""));
    }
}
