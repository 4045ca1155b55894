//! The ClusterServiceVersion: the declared level, the embedded objects it
//! carries (deployments, permissions) and its `alm-examples`.
//!
//! A CSV embeds the operator's Deployments and RBAC instead of shipping them
//! as objects. They are synthesized into ordinary [`Resource`]s (with their
//! line in the CSV), so one rule about Deployments or Roles reads bundles,
//! charts and plain manifests alike.

use super::files::{resource, str_at};
use crate::diag::{Diagnostic, Severity};
use crate::package::{Origin, Package, Resource};
use crate::yaml::{Mapping, Node, Pos, Value};
use serde_json::{Map, Value as Json};

/// Finds the package's CSV, records what it declares, synthesizes its
/// embedded objects, and adds CSV facts to `facts`.
pub fn apply(package: &mut Package, facts: &mut Map<String, Json>) {
    facts.insert("ownedWithoutResources".into(), Json::Array(Vec::new()));
    let csvs: Vec<usize> = package
        .resources
        .iter()
        .enumerate()
        .filter(|(_, r)| r.kind == "ClusterServiceVersion" && r.origin.embedded.is_none())
        .map(|(i, _)| i)
        .collect();
    let Some(&first) = csvs.first() else {
        package.diagnostics.push(
            Diagnostic::file(
                Severity::Error,
                package.path.clone(),
                "no ClusterServiceVersion found in the bundle's manifests",
            )
            .with_code(crate::diag::Code::Csv),
        );
        return;
    };
    if csvs.len() > 1 {
        let others: Vec<String> = csvs[1..]
            .iter()
            .map(|&i| {
                format!(
                    "{}:{}",
                    package.resources[i].origin.file, package.resources[i].origin.line
                )
            })
            .collect();
        package.diagnostics.push(
            Diagnostic::file(
                Severity::Warning,
                package.resources[first].origin.file.clone(),
                format!(
                    "more than one ClusterServiceVersion; assessing this one, ignoring {}",
                    others.join(", ")
                ),
            )
            .with_code(crate::diag::Code::Csv),
        );
    }
    // The CSV's tree is lent out while the package is updated, and put back
    // before its embedded objects are added: copying it cost as much as
    // reading it.
    let placeholder = Node {
        value: Value::Null,
        pos: Pos::default(),
    };
    let csv_node = std::mem::replace(&mut package.resources[first].node, placeholder);
    let file = package.resources[first].origin.file.clone();
    package.main_file = Some(file.clone());
    package.version = csv_node
        .path("spec.version")
        .and_then(Node::scalar_text)
        .or(package.version.take());

    if let Some(cap) = csv_node.path("metadata.annotations.capabilities") {
        package.declared_raw = Some(cap.scalar_text().unwrap_or_default());
        package.declared_origin = Some(Origin {
            file: file.clone(),
            line: cap.pos.line,
            embedded: None,
            profile: None,
            rendered: false,
        });
    }

    read_exemptions(package, &csv_node, &file);

    facts.insert("examples".into(), Json::Array(Vec::new()));
    facts.insert("examplesError".into(), Json::Null);
    if let Some(node) = csv_node.path("metadata.annotations[\"alm-examples\"]") {
        let text = node.scalar_text().unwrap_or_default();
        match serde_json::from_str::<Json>(&text) {
            Ok(Json::Array(items)) => {
                facts.insert("examples".into(), Json::Array(items));
            }
            Ok(_) => {
                let msg = "alm-examples is not a JSON list".to_string();
                facts.insert("examplesError".into(), Json::String(msg.clone()));
                package.diagnostics.push(
                    Diagnostic::at(Severity::Warning, file.clone(), node.pos, msg)
                        .with_code(crate::diag::Code::AlmExamples),
                );
            }
            Err(e) => {
                let msg = format!("alm-examples is not valid JSON: {e}");
                facts.insert("examplesError".into(), Json::String(msg.clone()));
                package.diagnostics.push(
                    Diagnostic::at(Severity::Warning, file.clone(), node.pos, msg)
                        .with_code(crate::diag::Code::AlmExamples),
                );
            }
        }
    }

    // The owned APIs the CSV marks internal: the console hides them, so
    // they need no example, form descriptors or listing text.
    let internal: Vec<Json> = csv_node
        .path("metadata.annotations[\"operators.operatorframework.io/internal-objects\"]")
        .and_then(Node::scalar_text)
        .and_then(|text| serde_json::from_str::<Vec<Json>>(&text).ok())
        .unwrap_or_default()
        .into_iter()
        .filter(Json::is_string)
        .collect();
    facts.insert("internalObjects".into(), Json::Array(internal));
    facts.insert(
        "ownedWithoutResources".into(),
        Json::from(owned_without_resources(&csv_node)),
    );

    let mut synthesized = Vec::new();
    if let Some(deps) = csv_node
        .path("spec.install.spec.deployments")
        .and_then(Node::as_seq)
    {
        for (i, dep) in deps.iter().enumerate() {
            let mut meta = Mapping::default();
            put(&mut meta, "name", dep.get("name").cloned(), dep.pos);
            put(&mut meta, "labels", dep.get("label").cloned(), dep.pos);
            let obj = object(
                dep.pos,
                "apps/v1",
                "Deployment",
                meta,
                dep.get("spec").cloned(),
                None,
            );
            synthesized.push(resource(
                obj,
                &file,
                Some(format!("spec.install.spec.deployments[{i}]")),
            ));
        }
    }
    for (field, kind) in [
        ("permissions", "Role"),
        ("clusterPermissions", "ClusterRole"),
    ] {
        let path = format!("spec.install.spec.{field}");
        if let Some(perms) = csv_node.path(&path).and_then(Node::as_seq) {
            for (i, perm) in perms.iter().enumerate() {
                let mut meta = Mapping::default();
                put(
                    &mut meta,
                    "name",
                    perm.get("serviceAccountName").cloned(),
                    perm.pos,
                );
                let obj = object(
                    perm.pos,
                    "rbac.authorization.k8s.io/v1",
                    kind,
                    meta,
                    None,
                    perm.get("rules").cloned(),
                );
                synthesized.push(resource(obj, &file, Some(format!("{path}[{i}]"))));
            }
        }
    }
    package.resources[first].node = csv_node;
    // The embedded objects follow their CSV, so file order is kept.
    let at = first + 1;
    package.resources.splice(at..at, synthesized);
}

/// The owned APIs that list no resource they create: those none of whose
/// `spec.customresourcedefinitions.owned` entries lists under `resources` a
/// kind other than its own (an entry naming only the owned kind itself, as
/// generators write without a resources marker, says nothing about what an
/// instance creates). By kind, each once, in the entries' order; one entry
/// of a kind that lists covers the kind's other versions. An entry without a
/// kind (not a mapping, or no string `kind`) is named by its place,
/// `owned[2]`.
fn owned_without_resources(csv: &Node) -> Vec<String> {
    let owned = csv.seq_at("spec.customresourcedefinitions.owned");
    fn kind(o: &Node) -> Option<&str> {
        o.get("kind").and_then(Node::as_str)
    }
    let name = |i: usize, o: &Node| kind(o).map_or_else(|| format!("owned[{i}]"), str::to_owned);
    let lists_another = |o: &Node| {
        o.get("resources")
            .and_then(Node::as_seq)
            .unwrap_or_default()
            .iter()
            .filter_map(|r| r.get("kind").and_then(Node::as_str))
            .any(|k| !k.is_empty() && Some(k) != kind(o))
    };
    let listing: std::collections::HashSet<String> = owned
        .iter()
        .enumerate()
        .filter(|(_, o)| lists_another(o))
        .map(|(i, o)| name(i, o))
        .collect();
    let mut without = Vec::new();
    for (i, o) in owned.iter().enumerate() {
        let name = name(i, o);
        if !listing.contains(&name) && !without.contains(&name) {
            without.push(name);
        }
    }
    without
}

fn put(map: &mut Mapping, key: &str, value: Option<Node>, pos: Pos) {
    if let Some(v) = value {
        map.entries.insert(key.to_string(), (pos, v));
    }
}

fn scalar(text: &str, pos: Pos) -> Node {
    Node {
        value: Value::String(text.to_string()),
        pos,
    }
}

/// Builds an object node; every synthesized field carries the host position.
fn object(
    pos: Pos,
    api_version: &str,
    kind: &str,
    metadata: Mapping,
    spec: Option<Node>,
    rules: Option<Node>,
) -> Node {
    let mut map = Mapping::default();
    put(&mut map, "apiVersion", Some(scalar(api_version, pos)), pos);
    put(&mut map, "kind", Some(scalar(kind, pos)), pos);
    put(
        &mut map,
        "metadata",
        Some(Node {
            value: Value::Map(metadata),
            pos,
        }),
        pos,
    );
    put(&mut map, "spec", spec, pos);
    put(&mut map, "rules", rules, pos);
    Node {
        value: Value::Map(map),
        pos,
    }
}

/// The package name a CSV implies: `etcdoperator.v0.9.4` → `etcdoperator`.
pub fn package_name_from_csv(resources: &[Resource]) -> Option<String> {
    let csv = resources
        .iter()
        .find(|r| r.kind == "ClusterServiceVersion")?;
    let name = str_at(&csv.node, "metadata.name");
    let base = match name.find(".v") {
        Some(i) => &name[..i],
        None => name.as_str(),
    };
    (!base.is_empty()).then(|| base.to_string())
}

/// The annotation prefix by which a package exempts itself from a rule.
pub const EXEMPT_PREFIX: &str = "caplevel.io/exempt.";

/// Reads `caplevel.io/exempt.<rule-id>: <reason>` annotations. One without a
/// reason is an error diagnostic and is not applied.
fn read_exemptions(package: &mut Package, csv: &Node, file: &str) {
    let Some(annotations) = csv.path("metadata.annotations").and_then(Node::as_map) else {
        return;
    };
    for (key, value) in annotations.iter() {
        let Some(rule) = key.strip_prefix(EXEMPT_PREFIX) else {
            continue;
        };
        let reason = value.scalar_text().unwrap_or_default().trim().to_string();
        if reason.is_empty() {
            package.diagnostics.push(
                Diagnostic::at(
                    Severity::Error,
                    file,
                    value.pos,
                    format!(
                        "exemption `{key}` has no reason: every exemption must say why; not applied"
                    ),
                )
                .with_code(crate::diag::Code::Exemption),
            );
            continue;
        }
        let origin = Origin {
            file: file.to_string(),
            line: value.pos.line,
            embedded: None,
            profile: None,
            rendered: false,
        };
        package
            .exemptions
            .insert(rule.to_string(), (reason, origin));
    }
}

#[cfg(test)]
mod tests {
    use super::owned_without_resources;
    use crate::yaml::{Limits, parse_str};

    fn without(owned: &str) -> Vec<String> {
        let text = format!(
            "kind: ClusterServiceVersion\nspec:\n  customresourcedefinitions:\n    owned:\n{owned}"
        );
        let mut doc = parse_str(&text, &Limits::default())
            .documents
            .into_iter()
            .next()
            .expect("one document");
        doc.root.drop_nulls();
        owned_without_resources(&doc.root)
    }

    #[test]
    fn an_owned_kind_lists_resources_when_an_entry_names_another_kind() {
        let owned = "      - {kind: Db, version: v1, resources: [{kind: StatefulSet, version: v1}]}
      - {kind: Db, version: v1beta1}
      - {kind: Backup, version: v1, resources: [{kind: Backup, version: v1}]}
      - {kind: Restore, version: v1, resources: [{kind: ''}, {version: v1}, ~, Job]}
      - {kind: Restore, version: v2}
      - {kind: Cache, version: v1, resources: {kind: Deployment}}
      - {kind: Proxy, version: v1, resources: [{kind: Deployment}]}
";
        // Db's v1 entry covers v1beta1; Backup lists only itself; Restore's
        // entries name no kind; Cache's resources are no list.
        assert_eq!(without(owned), ["Backup", "Restore", "Cache"]);
    }

    #[test]
    fn an_entry_without_a_kind_is_named_by_its_place() {
        let owned = "      - {kind: Db, resources: [{kind: Pod}]}
      - {name: x.example.com, resources: [{kind: Pod}]}
      - just text
      - {kind: 7}
";
        assert_eq!(without(owned), ["owned[2]", "owned[3]"]);
        assert!(without("      []\n").is_empty());
    }
}
