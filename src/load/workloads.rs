//! Which workloads run the operator itself.
//!
//! A bundle's CSV often installs several Deployments: the operator's
//! manager, and beside it webhook servers, download servers, or (in an
//! umbrella bundle such as a hyperconverged one) the operators of its
//! components. A rule about "the operator itself" (does it run highly
//! available?) judges the operator's own Deployment, not whichever of them
//! happens to qualify. The operator's Deployments are, in order of how
//! surely the files name them:
//! 1. the CSV install deployments with a container running the CSV's
//!    `metadata.annotations.containerImage` (the image OLM lists as the
//!    operator's), compared exactly, else by repository (tag or digest
//!    aside); else those whose service account holds a grant the operator's
//!    own roles give to write its owned API groups (they reconcile them);
//!    else every CSV install deployment (nothing tells them apart);
//! 2. of those, the ones a CSV webhook definition does not name as its
//!    `deploymentName`, when any is left: the operator's image often runs
//!    its webhook server as a second Deployment, which admits but
//!    reconciles nothing;
//! 3. and, when the image named the operator, every other install
//!    Deployment that writes the owned API groups under a service account
//!    of its own: an umbrella bundle's component operators are operators
//!    too, each judged (a helper sharing the operator's account is not).
//!
//! Each Deployment of a package with a CSV gets the fact `operatorWorkload`;
//! other packages' workloads get none (the selector then filters nothing).
//! An operator Deployment also gets `operatorContainer`, the index of the
//! container that runs the operator, for evidence to point at.

use crate::package::Resource;
use crate::yaml::Node;
use serde_json::Value as Json;
use std::collections::{BTreeMap, BTreeSet};

/// An image reference without its digest or tag: `registry/path/name`.
fn repository(image: &str) -> &str {
    let image = image.split('@').next().unwrap_or(image);
    match image.rfind(':') {
        // A colon after the last `/` starts a tag; before it, a port.
        Some(colon) if !image[colon..].contains('/') => &image[..colon],
        _ => image,
    }
}

/// The images of a pod template's containers.
fn images(r: &Resource) -> Vec<String> {
    r.node
        .seq_at("spec.template.spec.containers")
        .iter()
        .filter_map(|c| c.get("image").and_then(Node::scalar_text))
        .collect()
}

/// The service account a Deployment's pods run as (`default` when unnamed).
fn service_account(r: &Resource) -> String {
    r.node
        .path("spec.template.spec")
        .and_then(|p| {
            p.get("serviceAccountName")
                .or_else(|| p.get("serviceAccount"))
                .and_then(Node::scalar_text)
        })
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| "default".to_string())
}

/// The Deployments the CSV's webhook definitions name (`deploymentName`).
fn csv_webhook_deployments(csv: &Resource) -> BTreeSet<String> {
    csv.node
        .seq_at("spec.webhookdefinitions")
        .iter()
        .filter_map(|w| w.get("deploymentName").and_then(Node::scalar_text))
        .collect()
}

/// The service accounts holding an operator role that may write one of the
/// owned API groups (`*` included). Reads the roles' `operator`,
/// `serviceAccounts` and `grants` facts, so RBAC attribution runs first.
fn owned_group_writers(resources: &[Resource]) -> BTreeSet<String> {
    let owned: BTreeSet<&str> = resources
        .iter()
        .filter(|r| r.is_kind("CustomResourceDefinition") && r.facts["owned"] == Json::Bool(true))
        .filter_map(|r| r.facts["group"].as_str())
        .collect();
    let writes = |g: &Json| {
        let group = g["group"].as_str().unwrap_or_default();
        (group == "*" || owned.contains(group))
            && g["verbs"].as_array().is_some_and(|vs| {
                vs.iter()
                    .filter_map(Json::as_str)
                    .any(|v| matches!(v, "*" | "create" | "update" | "patch"))
            })
    };
    resources
        .iter()
        .filter(|r| r.facts["operator"] == Json::Bool(true))
        .filter(|r| {
            r.facts["grants"]
                .as_array()
                .is_some_and(|gs| gs.iter().any(writes))
        })
        .flat_map(|r| {
            r.facts["serviceAccounts"]
                .as_array()
                .cloned()
                .unwrap_or_default()
        })
        .filter_map(|sa| sa.as_str().map(str::to_string))
        .collect()
}

/// Marks every Deployment of a package with a CSV with `operatorWorkload`:
/// whether it runs the operator itself (see the module documentation).
pub fn mark_operator_workloads(resources: &mut [Resource]) {
    let Some(csv_index) = resources
        .iter()
        .position(|r| r.is_kind("ClusterServiceVersion") && r.origin.embedded.is_none())
    else {
        return;
    };
    let csv = &resources[csv_index];
    let container_image = csv
        .node
        .path("metadata.annotations.containerImage")
        .and_then(Node::scalar_text)
        .unwrap_or_default();
    let install: Vec<usize> = resources
        .iter()
        .enumerate()
        .filter(|(_, r)| r.is_kind("Deployment") && r.origin.embedded.is_some())
        .map(|(i, _)| i)
        .collect();
    let by_image = |exact: bool| -> Vec<usize> {
        if container_image.is_empty() {
            return Vec::new();
        }
        install
            .iter()
            .copied()
            .filter(|&i| {
                images(&resources[i]).iter().any(|img| {
                    if exact {
                        *img == container_image
                    } else {
                        repository(img) == repository(&container_image)
                    }
                })
            })
            .collect()
    };
    let mut operator = by_image(true);
    if operator.is_empty() {
        operator = by_image(false);
    }
    let by_image_found = !operator.is_empty();
    let writers = owned_group_writers(resources);
    if operator.is_empty() {
        operator = install
            .iter()
            .copied()
            .filter(|&i| writers.contains(&service_account(&resources[i])))
            .collect();
    }
    if operator.is_empty() {
        operator = install.clone();
    }
    // The operator's image often runs its webhook server too (another
    // Deployment, other arguments): the Deployment a CSV webhook names is
    // not the one that reconciles, when another one is.
    let webhook_servers: BTreeSet<String> = csv_webhook_deployments(&resources[csv_index]);
    let reconcilers: Vec<usize> = operator
        .iter()
        .copied()
        .filter(|&i| !webhook_servers.contains(&resources[i].name))
        .collect();
    if !reconcilers.is_empty() {
        operator = reconcilers;
    }
    // Every other Deployment that reconciles the owned APIs under a service
    // account of its own is an operator too: an umbrella bundle's component
    // operators (a hyperconverged bundle's virt-operator and cdi-operator,
    // an observability bundle's Prometheus operator) are judged beside the
    // one the containerImage names. A helper sharing the operator's account
    // (a console plugin, a webhook server) is not one.
    if by_image_found {
        let own: BTreeSet<String> = operator
            .iter()
            .map(|&i| service_account(&resources[i]))
            .collect();
        for &i in &install {
            let sa = service_account(&resources[i]);
            if !operator.contains(&i)
                && !webhook_servers.contains(&resources[i].name)
                && !own.contains(&sa)
                && writers.contains(&sa)
            {
                operator.push(i);
            }
        }
    }
    for (i, r) in resources.iter_mut().enumerate() {
        if !r.is_kind("Deployment") {
            continue;
        }
        let container = operator
            .contains(&i)
            .then(|| operator_container(r, &container_image))
            .flatten();
        if let Json::Object(m) = &mut r.facts {
            m.insert("operatorWorkload".into(), Json::Bool(operator.contains(&i)));
            if let Some(index) = container {
                m.insert("operatorContainer".into(), Json::from(index));
            }
        }
    }
}

/// A mapping of string labels (`metadata.labels`, a selector's
/// `matchLabels`): key and value each, values read as text.
pub(super) fn labels(node: Option<&Node>) -> BTreeMap<String, String> {
    node.and_then(Node::as_map)
        .map(|m| {
            m.iter()
                .map(|(k, v)| (k.to_string(), v.scalar_text().unwrap_or_default()))
                .collect()
        })
        .unwrap_or_default()
}

/// A label selector (`matchLabels` and `matchExpressions`), as a
/// ServiceMonitor's or PodMonitor's `spec.selector` or a ClusterRole's
/// `aggregationRule.clusterRoleSelectors[]` writes it.
pub(super) struct Selector<'n> {
    labels: BTreeMap<String, String>,
    expressions: &'n [Node],
}

/// A set-based requirement's values (`In`, `NotIn`), as text.
fn expression_values(expression: &Node) -> Vec<String> {
    expression
        .seq_at("values")
        .iter()
        .filter_map(Node::scalar_text)
        .collect()
}

impl<'n> Selector<'n> {
    pub(super) fn of(node: Option<&'n Node>) -> Self {
        Selector {
            labels: labels(node.and_then(|n| n.get("matchLabels"))),
            expressions: node.map_or(&[], |n| n.seq_at("matchExpressions")),
        }
    }

    /// A Service's `spec.selector`: labels only.
    fn of_labels(node: Option<&'n Node>) -> Self {
        Selector {
            labels: labels(node),
            expressions: &[],
        }
    }

    /// Whether an object with these labels is selected.
    pub(super) fn matches(&self, have: &BTreeMap<String, String>) -> bool {
        self.labels.iter().all(|(k, v)| have.get(k) == Some(v))
            && self.expressions.iter().all(|e| {
                let key = e.get("key").and_then(Node::scalar_text).unwrap_or_default();
                let values = expression_values(e);
                let value = have.get(&key);
                match e.get("operator").and_then(Node::scalar_text).as_deref() {
                    Some("In") => value.is_some_and(|v| values.contains(v)),
                    Some("NotIn") => !value.is_some_and(|v| values.contains(v)),
                    Some("Exists") => value.is_some(),
                    Some("DoesNotExist") => value.is_none(),
                    _ => false,
                }
            })
    }

    /// The selector as the report says it: `app: x, tier In (a, b)`, or
    /// `{}` (everything) when empty.
    fn text(&self) -> String {
        let mut parts: Vec<String> = self
            .labels
            .iter()
            .map(|(k, v)| format!("{k}: {v}"))
            .collect();
        for e in self.expressions {
            let text = |key: &str| e.get(key).and_then(Node::scalar_text).unwrap_or_default();
            let values = expression_values(e);
            parts.push(if values.is_empty() {
                format!("{} {}", text("key"), text("operator"))
            } else {
                format!(
                    "{} {} ({})",
                    text("key"),
                    text("operator"),
                    values.join(", ")
                )
            });
        }
        if parts.is_empty() {
            "{}".to_string()
        } else {
            parts.join(", ")
        }
    }
}

/// Marks every ServiceMonitor and PodMonitor with what it scrapes: `selects`,
/// its selector as text, and `selectsOperator`, whether it selects the
/// operator. A PodMonitor does when its selector matches the labels of an
/// operator Deployment's pods (`operatorWorkload`); a ServiceMonitor when it
/// matches the labels of a shipped Service selecting those pods (the
/// operator's metrics Service), or, when no such Service is shipped, the
/// pods' labels (which the Service made elsewhere copies). A monitor that
/// selects an operand's exporter (`role: gpu-metrics`, a Service of
/// DaemonSet pods) does not. With no operator Deployment known (no CSV),
/// nothing tells: `selectsOperator` is true. Returns them all, `{kind, name,
/// selects, selectsOperator}` each, for a package-level message to say what
/// each selects.
pub fn mark_monitors(resources: &mut [Resource]) -> Vec<Json> {
    let pods: Vec<BTreeMap<String, String>> = resources
        .iter()
        .filter(|r| r.is_kind("Deployment") && r.facts["operatorWorkload"] == Json::Bool(true))
        .map(|r| labels(r.node.path("spec.template.metadata.labels")))
        .collect();
    let serving = mark_operator_services(resources);
    let services: Vec<BTreeMap<String, String>> = resources
        .iter()
        .zip(&serving)
        .filter(|(_, serves)| **serves == Some(true))
        .map(|(r, _)| labels(r.node.path("metadata.labels")))
        .collect();
    let services_selecting = serving.iter().any(Option::is_some);
    let mut all = Vec::new();
    for r in resources.iter_mut() {
        let pod_monitor = r.kind == "PodMonitor";
        if !(pod_monitor || r.kind == "ServiceMonitor") || !r.group().starts_with("monitoring.") {
            continue;
        }
        let selector = Selector::of(r.node.path("spec.selector"));
        // A ServiceMonitor of the operator's pods scrapes them through a
        // Service that reaches them; one selecting only a Service whose
        // ports reach no port of theirs scrapes nothing of the operator.
        let targets = if pod_monitor || !services_selecting {
            &pods
        } else {
            &services
        };
        let selects_operator = pods.is_empty() || targets.iter().any(|l| selector.matches(l));
        let text = selector.text();
        if let Json::Object(m) = &mut r.facts {
            m.insert("selects".into(), Json::String(text.clone()));
            m.insert("selectsOperator".into(), Json::Bool(selects_operator));
        }
        all.push(serde_json::json!({
            "kind": r.kind,
            "name": r.name,
            "selects": text,
            "selectsOperator": selects_operator,
        }));
    }
    all
}

/// A Service selecting the operator's pods: whether it reaches them, the
/// targets none serves, the targets served at the binary's default, and
/// the targets a metrics proxy serves.
type Judged = (bool, Vec<String>, Vec<String>, Vec<String>);

/// Marks every shipped Service that selects the pods of an operator
/// Deployment (`operatorWorkload`) with `servesOperator`: whether one of its
/// ports reaches a port of those pods, and, when none does, `unservedPorts`,
/// the targets no container serves. A port reaches its `targetPort` (its
/// `port` when it names none): by name, a container port of that name; by
/// number, a container's `containerPort`, or an argument, command word or
/// environment value that binds it (`--metrics-bind-address=:8443`,
/// `--secure-listen-address=0.0.0.0:8443`, `--metrics-port=8443`) on an
/// address other than the loopback one (`127.0.0.1:8080` serves the pod
/// itself, as a kube-rbac-proxy sidecar in front of it does). A scaffold's
/// metrics Service kept after its proxy sidecar was removed targets a port
/// nothing serves. A Service that selects no operator pod is marked
/// `servesOperator: false` with no `unservedPorts`; a package without
/// operator Deployments marks none. `metricsProxyPorts`: the targets a
/// metrics proxy of those pods serves (a kube-rbac-proxy, or a proxy whose
/// `--upstream` is a port another container binds for metrics), the
/// scaffold's secured metrics endpoint whatever its names say. Returns, per resource, whether it
/// reaches the operator's pods when it is a Service selecting them.
fn mark_operator_services(resources: &mut [Resource]) -> Vec<Option<bool>> {
    let operator_pods: Vec<(BTreeMap<String, String>, &Node)> = resources
        .iter()
        .filter(|r| r.is_kind("Deployment") && r.facts["operatorWorkload"] == Json::Bool(true))
        .filter_map(|r| {
            let template = r.node.path("spec.template")?;
            let pod = template.get("spec")?;
            Some((labels(template.path("metadata.labels")), pod))
        })
        .collect();
    // Per resource: a Service selecting the operator's pods, whether it
    // reaches them and the targets none serves; `None` for anything else.
    let judged: Vec<Option<Judged>> = resources
        .iter()
        .map(|r| {
            if !r.is_kind("Service") {
                return None;
            }
            // A Service without a selector selects no pods (its endpoints
            // are set by hand), unlike an empty monitor selector.
            let selector = Selector::of_labels(r.node.path("spec.selector"));
            let selected: Vec<&Node> = operator_pods
                .iter()
                .filter(|(l, _)| !selector.labels.is_empty() && selector.matches(l))
                .map(|(_, pod)| *pod)
                .collect();
            if selected.is_empty() {
                return None;
            }
            let targets: Vec<String> = r
                .node
                .seq_at("spec.ports")
                .iter()
                .filter_map(|p| {
                    p.get("targetPort")
                        .or_else(|| p.get("port"))
                        .and_then(Node::scalar_text)
                })
                .collect();
            let serves = targets
                .iter()
                .any(|t| selected.iter().any(|pod| pod_serves(pod, t)));
            let proxied: Vec<String> = targets
                .iter()
                .filter(|t| selected.iter().any(|pod| proxy_serves_metrics(pod, t)))
                .cloned()
                .collect();
            // A port number that no selected pod's configuration speaks of
            // at all (no argument or variable binds any address or port):
            // the operator serves at its binary's default (controller-
            // runtime's metrics on :8080), which the files do not show.
            // Only an explicit bind elsewhere (the manager's metrics on
            // 127.0.0.1 behind a removed proxy) shows the port unserved.
            let by_default: Vec<String> = if serves {
                Vec::new()
            } else {
                targets
                    .iter()
                    .filter(|t| t.parse::<u32>().is_ok())
                    .filter(|_| selected.iter().all(|pod| !pod_binds_any(pod)))
                    .cloned()
                    .collect()
            };
            if !by_default.is_empty() {
                return Some((true, Vec::new(), by_default, Vec::new()));
            }
            Some((
                serves,
                if serves { Vec::new() } else { targets },
                Vec::new(),
                proxied,
            ))
        })
        .collect();
    let any_operator = !operator_pods.is_empty();
    let mut out = Vec::with_capacity(resources.len());
    for (r, judged) in resources.iter_mut().zip(judged) {
        if !any_operator || !r.is_kind("Service") {
            out.push(None);
            continue;
        }
        let reaches = judged.as_ref().map(|(serves, _, _, _)| *serves);
        let (serves, unserved, by_default, proxied) = judged.unwrap_or_default();
        if let Json::Object(m) = &mut r.facts {
            m.insert("servesOperator".into(), Json::Bool(serves));
            if !unserved.is_empty() {
                m.insert("unservedPorts".into(), serde_json::json!(unserved));
            }
            if !by_default.is_empty() {
                m.insert("defaultPorts".into(), serde_json::json!(by_default));
            }
            if !proxied.is_empty() {
                m.insert("metricsProxyPorts".into(), serde_json::json!(proxied));
            }
        }
        out.push(reaches);
    }
    out
}

/// Marks every Service (and each of its renderings) with
/// `metricsFlagPorts` when one of its ports forwards to where a container
/// of a pod it selects serves metrics by its own flags (see
/// [`metrics_flag_ports`]): an exporter started with `-metrics-path
/// /metrics -port 9158` behind a port named `http`. Each entry is `{port,
/// workload, container, flags}`: the Service port (its name, else its
/// number), the workload's `Kind/name`, the container and the flags that
/// say it. A Service is read beside the workloads rendered in a profile it
/// is rendered in (every workload when either has no profiles: files).
pub fn mark_metrics_flag_services(resources: &mut [Resource]) {
    let text = |n: &Node, key: &str| n.get(key).and_then(Node::scalar_text).unwrap_or_default();
    // Each workload rendering's profiles, pod labels, `Kind/name` and the
    // containers serving metrics: (container, ports, flags).
    type Served = (String, Vec<(String, String)>, String);
    type Pod = (Vec<String>, BTreeMap<String, String>, String, Vec<Served>);
    let pods: Vec<Pod> = resources
        .iter()
        .flat_map(|r| std::iter::once(r).chain(&r.renderings))
        .filter(|r| {
            ["Deployment", "StatefulSet", "DaemonSet"]
                .iter()
                .any(|k| r.is_kind(k))
                && !r.placeholder
        })
        .filter_map(|r| {
            let template = r.node.path("spec.template")?;
            let served: Vec<Served> = template
                .path("spec.containers")
                .and_then(Node::as_seq)
                .unwrap_or_default()
                .iter()
                .filter_map(|c| {
                    let (ports, flags) = metrics_flag_ports(c)?;
                    Some((text(c, "name"), ports, flags))
                })
                .collect();
            (!served.is_empty()).then(|| {
                (
                    r.profiles.clone(),
                    labels(template.path("metadata.labels")),
                    format!("{}/{}", r.kind, r.name),
                    served,
                )
            })
        })
        .collect();
    if pods.is_empty() {
        return;
    }
    let mark = |r: &mut Resource| {
        if !r.is_kind("Service") {
            return;
        }
        let selector = Selector::of_labels(r.node.path("spec.selector"));
        if selector.labels.is_empty() {
            return;
        }
        let mut found = Vec::new();
        for (profiles, pod_labels, workload, served) in &pods {
            let together = profiles.is_empty()
                || r.profiles.is_empty()
                || profiles.iter().any(|p| r.profiles.contains(p));
            if !together || !selector.matches(pod_labels) {
                continue;
            }
            for p in r.node.seq_at("spec.ports") {
                let Some(target) = p
                    .get("targetPort")
                    .or_else(|| p.get("port"))
                    .and_then(Node::scalar_text)
                else {
                    continue;
                };
                let port = p
                    .get("name")
                    .and_then(Node::scalar_text)
                    .filter(|n| !n.is_empty())
                    .or_else(|| p.get("port").and_then(Node::scalar_text))
                    .unwrap_or_default();
                for (container, ports, flags) in served {
                    if ports.iter().any(|(name, number)| {
                        target == *number || !name.is_empty() && target == *name
                    }) {
                        found.push(serde_json::json!({
                            "port": port, "workload": workload,
                            "container": container, "flags": flags,
                        }));
                    }
                }
            }
        }
        if let (false, Json::Object(m)) = (found.is_empty(), &mut r.facts) {
            m.insert("metricsFlagPorts".into(), Json::Array(found));
        }
    };
    for r in resources.iter_mut() {
        mark(r);
        r.renderings.iter_mut().for_each(mark);
    }
}

/// Where a container serves metrics by its own flags: its arguments or
/// command name a metrics path (a flag ending in `metrics-path` or
/// `telemetry-path`, `--web.telemetry-path=/metrics`, `-metrics-path
/// /metrics`, the value a path) and the port it listens on (a flag named
/// for a port, address or listener whose value is `N`, `:N` or `host:N`
/// off the loopback address: `-port 9158`, `--web.listen-address=:9104`;
/// only those named for metrics or telemetry, or sharing the path flag's
/// prefix, when one is: an application's own `--port` beside its
/// `--metrics-port`, or beside `--web.listen-address=127.0.0.1:9100`, is
/// not where it serves metrics). Returns the
/// ports, each as `(name, number)`: the container's ports of that number
/// (a port no container port declares, with no name), and the flags as
/// text; `None` when the flags do not say both.
fn metrics_flag_ports(c: &Node) -> Option<(Vec<(String, String)>, String)> {
    let words: Vec<String> = ["command", "args"]
        .iter()
        .flat_map(|key| c.seq_at(key))
        .filter_map(Node::scalar_text)
        .flat_map(|a| {
            a.split_whitespace()
                .map(|w| w.trim_matches(['"', '\'']).to_string())
                .collect::<Vec<_>>()
        })
        .collect();
    // Each flag with its value: `--name=value`, or `-name value`.
    let is_flag = |w: &str| {
        w.starts_with('-')
            && w.trim_start_matches('-')
                .starts_with(|ch: char| ch.is_ascii_alphabetic())
    };
    let mut flags: Vec<(&str, &str)> = Vec::new();
    for (i, w) in words.iter().enumerate() {
        if !is_flag(w) {
            continue;
        }
        match w.split_once('=') {
            Some((name, value)) => flags.push((name, value)),
            None => {
                if let Some(next) = words.get(i + 1).filter(|n| !is_flag(n)) {
                    flags.push((w, next));
                }
            }
        }
    }
    let plain = |name: &str| -> String {
        name.trim_start_matches('-')
            .chars()
            .filter(|ch| !matches!(ch, '-' | '.' | '_'))
            .collect::<String>()
            .to_ascii_lowercase()
    };
    let path = flags.iter().find(|(name, value)| {
        let name = plain(name);
        (name.ends_with("metricspath") || name.ends_with("telemetrypath")) && value.starts_with('/')
    })?;
    // The port of `N`, `:N` or `host:N`, and whether it is bound on the
    // loopback address only.
    let port_of = |value: &str| -> Option<(String, bool)> {
        if is_port_number(value) {
            return Some((value.to_string(), false));
        }
        let (host, port) = value.rsplit_once(':')?;
        is_port_number(port).then(|| (port.to_string(), is_loopback(host)))
    };
    let listens: Vec<(&str, &str, String, bool)> = flags
        .iter()
        .filter(|(name, _)| names_port(name))
        .filter_map(|(name, value)| {
            let (port, loopback) = port_of(value)?;
            Some((*name, *value, port, loopback))
        })
        .collect();
    // The listeners of the metrics server, when a flag says which: one
    // named for metrics or telemetry, or sharing the path flag's prefix
    // (`--web.listen-address` beside `--web.telemetry-path`); else every
    // listener. Those on the loopback address serve no scraper.
    let plain_path = plain(path.0);
    let prefix = plain_path
        .strip_suffix("metricspath")
        .or_else(|| plain_path.strip_suffix("telemetrypath"))
        .unwrap_or_default();
    let for_metrics: Vec<&(&str, &str, String, bool)> = listens
        .iter()
        .filter(|(name, _, _, _)| {
            let name = plain(name);
            name.contains("metrics")
                || name.contains("telemetry")
                || !prefix.is_empty() && name.starts_with(prefix)
        })
        .collect();
    let listens: Vec<&(&str, &str, String, bool)> = if for_metrics.is_empty() {
        listens.iter().collect()
    } else {
        for_metrics
    };
    let text = |n: &Node, key: &str| n.get(key).and_then(Node::scalar_text).unwrap_or_default();
    let mut ports = Vec::new();
    let mut said = vec![format!("{} {}", path.0, path.1)];
    for (name, value, number, _) in listens.into_iter().filter(|l| !l.3) {
        said.push(format!("{name} {value}"));
        let declared: Vec<(String, String)> = c
            .seq_at("ports")
            .iter()
            .filter(|p| text(p, "containerPort") == *number)
            .map(|p| (text(p, "name"), number.clone()))
            .collect();
        if declared.is_empty() {
            ports.push((String::new(), number.clone()));
        }
        ports.extend(declared);
    }
    (!ports.is_empty()).then(|| (ports, said.join(" ")))
}

/// Whether a container of the pod `pod` serves the port `target` (a port's
/// name or number), as [`mark_operator_services`] reads it.
fn pod_serves(pod: &Node, target: &str) -> bool {
    pod.seq_at("containers")
        .iter()
        .any(|c| container_serves(c, target))
}

/// Whether the container `c` serves the port `target` (a port's name or
/// number), as [`pod_serves`] reads it for a pod.
fn container_serves(c: &Node, target: &str) -> bool {
    let text = |n: &Node, key: &str| n.get(key).and_then(Node::scalar_text).unwrap_or_default();
    let Ok(number) = target.parse::<u32>() else {
        return c.seq_at("ports").iter().any(|p| text(p, "name") == target);
    };
    let number = number.to_string();
    // `host:N` or `:N` with a host that is not the loopback address.
    let binds = |value: &str| {
        value
            .rsplit_once(':')
            .is_some_and(|(host, port)| port == number && !is_loopback(host))
    };
    c.seq_at("ports")
        .iter()
        .any(|p| text(p, "containerPort") == number)
        || container_sets(c, |name, value| {
            binds(value) || value == number && name.is_some_and(names_port)
        })
}

/// Whether a container of the pod `pod` that serves the port `target` is a
/// metrics proxy: a kube-rbac-proxy (by its name or image), or a proxy
/// whose `--upstream` URL's port is one another container of the pod binds
/// with a flag or variable named for metrics (`--upstream=http://127.0.0.1:8080/`
/// in front of `--metrics-bind-address=127.0.0.1:8080`). The scaffold's
/// secured metrics endpoint: the proxy authenticates and authorizes each
/// scrape, whatever the Service and its port are called (`https`).
fn proxy_serves_metrics(pod: &Node, target: &str) -> bool {
    let containers = pod.seq_at("containers");
    let text = |n: &Node, key: &str| n.get(key).and_then(Node::scalar_text).unwrap_or_default();
    // The port of a URL or address: `http://127.0.0.1:8080/` gives `8080`.
    let port_of = |value: &str| -> Option<String> {
        let rest = value.split_once("://").map_or(value, |(_, r)| r);
        let authority = rest.split('/').next().unwrap_or_default();
        let (_, port) = authority.rsplit_once(':')?;
        is_port_number(port).then(|| port.to_string())
    };
    let metrics_ports: Vec<String> = containers
        .iter()
        .flat_map(|c| {
            let mut found = Vec::new();
            container_sets(c, |name, value| {
                if name.is_some_and(|n| n.to_ascii_lowercase().contains("metrics")) {
                    found.extend(port_of(value));
                }
                false
            });
            found
        })
        .collect();
    containers.iter().any(|c| {
        let rbac_proxy = ["name", "image"]
            .iter()
            .any(|key| text(c, key).contains("kube-rbac-proxy"));
        let fronts_metrics = || {
            let mut upstream = Vec::new();
            container_sets(c, |name, value| {
                if name.is_some_and(|n| n.trim_start_matches('-') == "upstream") {
                    upstream.extend(port_of(value));
                }
                false
            });
            upstream.iter().any(|p| metrics_ports.contains(p))
        };
        container_serves(c, target) && (rbac_proxy || fronts_metrics())
    })
}

/// Whether a container's arguments, command words or environment set what
/// `sets` looks for: each value with the name of the flag or variable that
/// sets it (`--metrics-port=8443`: `Some("--metrics-port")`, `8443`), or
/// with none for a bare word.
fn container_sets(c: &Node, mut sets: impl FnMut(Option<&str>, &str) -> bool) -> bool {
    let text = |n: &Node, key: &str| n.get(key).and_then(Node::scalar_text).unwrap_or_default();
    ["args", "command"]
        .iter()
        .flat_map(|key| c.seq_at(key))
        .filter_map(Node::scalar_text)
        .flat_map(|a| a.split_whitespace().map(str::to_string).collect::<Vec<_>>())
        .any(|word| {
            let word = word.trim_matches(['"', '\'']);
            match word.split_once('=') {
                Some((name, value)) => sets(Some(name), value),
                None => sets(None, word),
            }
        })
        || c.seq_at("env")
            .iter()
            .any(|e| sets(Some(&text(e, "name")), &text(e, "value")))
}

/// Whether a flag or variable is named for a port, an address or a
/// listener (`--metrics-port`, `METRICS_ADDR`, `--listen`).
fn names_port(name: &str) -> bool {
    let name = name.to_ascii_lowercase();
    ["port", "addr", "listen"].iter().any(|w| name.contains(w))
}

/// Whether a container of the pod `pod` binds any address or port
/// explicitly: an argument, command word or environment value `host:N` or
/// `:N`, or a number given to a flag or variable named for a port, address
/// or listener (`--metrics-port=8443`). A pod that binds none serves at its
/// binary's defaults, which the files do not show.
fn pod_binds_any(pod: &Node) -> bool {
    let address = |value: &str| {
        value
            .rsplit_once(':')
            .is_some_and(|(_, port)| is_port_number(port))
    };
    pod.seq_at("containers").iter().any(|c| {
        container_sets(c, |name, value| {
            address(value) || is_port_number(value) && name.is_some_and(names_port)
        })
    })
}

/// Whether a text is a port number as flags and addresses give it: one or
/// more ASCII digits.
fn is_port_number(text: &str) -> bool {
    !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit())
}

/// Whether an address's host is the loopback address (`127.x`, `localhost`,
/// `::1` bracketed or not): what binds there serves nothing outside the pod.
fn is_loopback(host: &str) -> bool {
    host.starts_with("127.")
        || host.eq_ignore_ascii_case("localhost")
        || host.trim_matches(['[', ']']) == "::1"
}

/// Which container of an operator Deployment runs the operator: the one
/// running the CSV's `containerImage` (exactly, else by repository), else
/// the first that is not a kube-rbac-proxy sidecar (which operator-sdk's
/// scaffolds list first). Evidence about the operator's own container
/// (its probes, its leader-election flags) points there. Of several
/// containers running that image, the one given the operator's own
/// environment (`WATCH_NAMESPACE`, `OPERATOR_NAME`): operator-sdk v0.x
/// Ansible and Helm operators run their log tailer (`ao-logs`, a container
/// named `ansible`) from the operator's image, listed first.
fn operator_container(r: &Resource, container_image: &str) -> Option<usize> {
    let containers = r.node.seq_at("spec.template.spec.containers");
    let text = |c: &Node, key: &str| c.get(key).and_then(Node::scalar_text).unwrap_or_default();
    let operator_env = |c: &Node| {
        c.seq_at("env").iter().any(|e| {
            matches!(
                text(e, "name").as_str(),
                "WATCH_NAMESPACE" | "OPERATOR_NAME"
            )
        })
    };
    let by_image = |exact: bool| {
        if container_image.is_empty() {
            return None;
        }
        let running: Vec<usize> = containers
            .iter()
            .enumerate()
            .filter(|(_, c)| {
                let image = text(c, "image");
                if exact {
                    image == container_image
                } else {
                    repository(&image) == repository(container_image)
                }
            })
            .map(|(i, _)| i)
            .collect();
        running
            .iter()
            .copied()
            .find(|&i| operator_env(&containers[i]))
            .or_else(|| running.first().copied())
    };
    by_image(true).or_else(|| by_image(false)).or_else(|| {
        containers.iter().position(|c| {
            !text(c, "name").contains("kube-rbac-proxy")
                && !text(c, "image").contains("kube-rbac-proxy")
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::load::files::test_objects as objects;
    use serde_json::json;

    fn deployment(name: &str, image: &str, sa: &str) -> String {
        format!(
            "kind: Deployment\napiVersion: apps/v1\nmetadata: {{name: {name}}}\n\
             spec: {{template: {{spec: {{serviceAccountName: {sa}, containers: [{{name: c, image: '{image}'}}]}}}}}}\n"
        )
    }

    fn marks(rs: &[Resource]) -> Vec<Json> {
        rs.iter()
            .filter(|r| r.kind == "Deployment")
            .map(|r| r.facts["operatorWorkload"].clone())
            .collect()
    }

    const DEP: Option<&str> = Some("spec.install.spec.deployments[0]");

    #[test]
    fn the_deployment_running_the_container_image_is_the_operator() {
        let text = format!(
            "kind: ClusterServiceVersion\napiVersion: operators.coreos.com/v1alpha1\n\
             metadata: {{name: x, annotations: {{containerImage: 'q.io/o/hco:1.0'}}}}\n---\n{}---\n{}---\n{}",
            deployment("hco", "q.io/o/hco@sha256:abc", "hco"),
            deployment("virt-operator", "q.io/o/virt:1.0", "virt"),
            deployment("webhook", "q.io/o/hco-webhook:1.0", "hco"),
        );
        let mut rs = objects(&text, &[None, DEP, DEP, DEP]);
        mark_operator_workloads(&mut rs);
        // By repository: the annotation has a tag, the deployment a digest.
        assert_eq!(marks(&rs), [json!(true), json!(false), json!(false)]);
    }

    #[test]
    fn the_webhook_server_running_the_operator_image_is_not_the_reconciler() {
        let text = format!(
            "kind: ClusterServiceVersion\napiVersion: operators.coreos.com/v1alpha1\n\
             metadata: {{name: x, annotations: {{containerImage: 'q.io/o/op:1'}}}}\n\
             spec: {{webhookdefinitions: [{{type: ValidatingAdmissionWebhook, deploymentName: op-webhook}}]}}\n---\n{}---\n{}",
            deployment("op", "q.io/o/op:1", "op"),
            deployment("op-webhook", "q.io/o/op:1", "webhook"),
        );
        let mut rs = objects(&text, &[None, DEP, DEP]);
        mark_operator_workloads(&mut rs);
        assert_eq!(marks(&rs), [json!(true), json!(false)]);
    }

    #[test]
    fn the_deployment_writing_the_owned_apis_is_the_operator_when_no_image_matches() {
        let text = format!(
            "kind: ClusterServiceVersion\napiVersion: operators.coreos.com/v1alpha1\nmetadata: {{name: x}}\n---\n{}---\n{}---\n\
             kind: CustomResourceDefinition\napiVersion: apiextensions.k8s.io/v1\nmetadata: {{name: demos.demo.io}}\n---\n\
             kind: ClusterRole\napiVersion: rbac.authorization.k8s.io/v1\nmetadata: {{name: mgr}}\n",
            deployment("mgr", "q.io/mgr:1", "mgr"),
            deployment("helper", "q.io/helper:1", "helper"),
        );
        let mut rs = objects(
            &text,
            &[
                None,
                DEP,
                DEP,
                None,
                Some("spec.install.spec.clusterPermissions[0]"),
            ],
        );
        rs[3].facts = json!({"owned": true, "group": "demo.io"});
        rs[4].facts = json!({"operator": true, "serviceAccounts": ["mgr"],
            "grants": [{"group": "demo.io", "resource": "demos/status", "verbs": ["update"]}]});
        mark_operator_workloads(&mut rs);
        assert_eq!(marks(&rs), [json!(true), json!(false)]);
    }

    #[test]
    fn component_operators_that_write_the_owned_apis_are_operators_too() {
        let text = format!(
            "kind: ClusterServiceVersion\napiVersion: operators.coreos.com/v1alpha1\n\
             metadata: {{name: x, annotations: {{containerImage: 'q.io/o/hco:1.0'}}}}\n---\n{}---\n{}---\n{}---\n\
             kind: CustomResourceDefinition\napiVersion: apiextensions.k8s.io/v1\nmetadata: {{name: kubevirts.kubevirt.io}}\n---\n\
             kind: ClusterRole\napiVersion: rbac.authorization.k8s.io/v1\nmetadata: {{name: virt}}\n",
            deployment("hco", "q.io/o/hco:1.0", "hco"),
            deployment("virt-operator", "q.io/o/virt:1.0", "virt"),
            deployment("cli-download", "q.io/o/cli:1.0", "cli"),
        );
        let mut rs = objects(
            &text,
            &[
                None,
                DEP,
                DEP,
                DEP,
                None,
                Some("spec.install.spec.clusterPermissions[0]"),
            ],
        );
        rs[4].facts = json!({"owned": true, "group": "kubevirt.io"});
        rs[5].facts = json!({"operator": true, "serviceAccounts": ["virt"],
            "grants": [{"group": "kubevirt.io", "resource": "kubevirts", "verbs": ["update"]}]});
        mark_operator_workloads(&mut rs);
        // The containerImage's, and the component operator reconciling an
        // owned API; not a download server.
        assert_eq!(marks(&rs), [json!(true), json!(true), json!(false)]);
    }

    #[test]
    fn without_a_matching_image_every_install_deployment_counts() {
        let text = format!(
            "kind: ClusterServiceVersion\napiVersion: operators.coreos.com/v1alpha1\nmetadata: {{name: x}}\n---\n{}---\n{}",
            deployment("a", "q.io/a:1", "a"),
            deployment("b", "q.io/b:1", "b"),
        );
        let mut rs = objects(&text, &[None, DEP, DEP]);
        mark_operator_workloads(&mut rs);
        assert_eq!(marks(&rs), [json!(true), json!(true)]);
    }

    #[test]
    fn a_package_without_a_csv_marks_nothing() {
        let mut rs = objects(&deployment("a", "q.io/a:1", "a"), &[None]);
        mark_operator_workloads(&mut rs);
        assert_eq!(marks(&rs), [Json::Null]);
    }

    #[test]
    fn a_metrics_path_flag_with_its_listener_names_the_metrics_port() {
        let container = |spec: &str| -> Option<(Vec<(String, String)>, String)> {
            let text = format!(
                "apiVersion: apps/v1\nkind: Deployment\nmetadata: {{name: d}}\nspec:\n  template:\n    spec:\n      containers:\n        - {spec}\n"
            );
            let resources = objects(&text, &[None]);
            let c = resources[0].node.seq_at("spec.template.spec.containers")[0].clone();
            metrics_flag_ports(&c)
        };
        // prometheus-pingdom-exporter (session 22 chart audit): flag and
        // value as separate arguments, the port named http.
        assert_eq!(
            container(
                "{name: x, args: ['-metrics-path', '/metrics', '-port', '9158'], ports: [{name: http, containerPort: 9158}]}"
            ),
            Some((
                vec![("http".to_string(), "9158".to_string())],
                "-metrics-path /metrics -port 9158".to_string()
            ))
        );
        // `--flag=value`, a port no container port declares.
        assert_eq!(
            container(
                "{name: x, args: ['--web.telemetry-path=/metrics', '--web.listen-address=:9104']}"
            )
            .map(|(ports, _)| ports),
            Some(vec![(String::new(), "9104".to_string())])
        );
        // The metrics server's own listener on the loopback address: the
        // application's --port is not where it serves metrics.
        assert_eq!(
            container(
                "{name: x, args: ['--web.telemetry-path=/metrics', '--web.listen-address=127.0.0.1:9100', '--port=8080'], ports: [{name: http, containerPort: 8080}]}"
            ),
            None
        );
        // A --metrics-port beside the application's --port.
        assert_eq!(
            container(
                "{name: x, command: ['app --metrics-path /metrics --port 8080 --metrics-port 9090']}"
            )
            .map(|(ports, _)| ports),
            Some(vec![(String::new(), "9090".to_string())])
        );
        // A listener without a metrics path, or a path without a listener.
        assert_eq!(container("{name: x, args: ['--port=8080']}"), None);
        assert_eq!(
            container("{name: x, args: ['--metrics-path=/metrics']}"),
            None
        );
    }

    #[test]
    fn repositories_drop_tags_and_digests_but_keep_ports() {
        assert_eq!(repository("q.io:5000/o/x:1.0"), "q.io:5000/o/x");
        assert_eq!(repository("q.io/o/x@sha256:ab"), "q.io/o/x");
        assert_eq!(repository("q.io:5000/o/x"), "q.io:5000/o/x");
    }
    #[test]
    fn the_operator_container_is_the_image_s_else_the_first_that_is_no_proxy() {
        let text = |containers: &str| {
            format!(
                "apiVersion: apps/v1\nkind: Deployment\nmetadata: {{name: d}}\nspec:\n  template:\n    spec:\n      containers:\n{containers}"
            )
        };
        let proxy_first = text(
            "        - {name: kube-rbac-proxy, image: quay.io/brancz/kube-rbac-proxy:v0.15.0}\n        - {name: manager, image: example.com/op:1}\n        - {name: helper, image: example.com/helper:1}\n",
        );
        let resources = objects(&proxy_first, &[None]);
        let d = &resources[0];
        assert_eq!(operator_container(d, "example.com/helper:1"), Some(2));
        assert_eq!(operator_container(d, "example.com/helper:2"), Some(2));
        assert_eq!(operator_container(d, ""), Some(1));
        let only_proxy =
            text("        - {name: proxy, image: quay.io/brancz/kube-rbac-proxy:v0.15.0}\n");
        let resources = objects(&only_proxy, &[None]);
        assert_eq!(operator_container(&resources[0], ""), None);
        // operator-sdk v0.x Ansible scaffold: the log tailer runs the
        // operator's image first; the operator is the one with its env
        // (traefikee-operator 2.1.1, audit s20-A1).
        let ansible = text(
            "        - {name: ansible, image: example.com/op:1, command: [/usr/local/bin/ao-logs, /tmp/ansible-operator/runner, stdout]}\n        - {name: operator, image: example.com/op:1, env: [{name: WATCH_NAMESPACE, value: ''}, {name: OPERATOR_NAME, value: op}]}\n",
        );
        let resources = objects(&ansible, &[None]);
        assert_eq!(
            operator_container(&resources[0], "example.com/op:1"),
            Some(1)
        );
        assert_eq!(
            operator_container(&resources[0], "example.com/op:2"),
            Some(1)
        );
    }
}
