//! The operator's own configuration, as its files ship it.
//!
//! What an operator does is often switched by its own settings rather than
//! by the objects beside it: a variable that has it create its dashboards or
//! its ServiceMonitor, a flag that serves its metrics securely or not at
//! all, a key of its configuration file that switches leader election off.
//! This reads them from the operator's Deployments only (`operatorWorkload`,
//! see `workloads.rs`; every Deployment of a package with no CSV, where
//! nothing tells them apart), every container of each:
//! - environment variables written in `env` (a literal `value`, or one a
//!   `valueFrom.configMapKeyRef` takes from a ConfigMap the package ships),
//!   and those an `envFrom` ConfigMap the package ships gives (its `data`
//!   keys, after the `prefix`);
//! - flags of `args` and `command`: `--name=value`, `--name value` (the next
//!   word when it is no flag), bare `--name`, one dash or two; a word with
//!   spaces that is no flag (a shell's `-c` script) is read word by word,
//!   and a `$(NAME)` of a variable read above is replaced by its value;
//! - the settings of the files of a ConfigMap the package ships that a
//!   container mounts (a `configMap` volume or a `projected` source): each
//!   `key: value`, `key = value` or `key=value` line, nested YAML keys
//!   joined with dots (`leaderElection.leaderElect`), commented lines (`#`,
//!   `//`, `;`, `!`) left out: a commented-out key is no setting.
//!
//! Each is `{kind, name, value, bare, text, deployment, container, source,
//! configMap, key, file, line, where}` (see docs/writing-rules.md). Only what
//! the files say explicitly is here: a flag left at its default is not.

use crate::package::Resource;
use crate::yaml::Node;
use serde_json::{Value as Json, json};
use std::collections::BTreeMap;

/// Most settings kept per package (bounds hostile packages).
const MAX_SETTINGS: usize = 20_000;
/// Most lines read of one ConfigMap file.
const MAX_FILE_LINES: usize = 5_000;

/// One setting read, before it is written as JSON.
struct Setting<'a> {
    kind: &'static str,
    name: String,
    value: String,
    bare: bool,
    text: String,
    container: &'a str,
    source: &'static str,
    config_map: Option<(&'a Resource, String)>,
    line: u32,
}

impl<'a> Setting<'a> {
    /// An environment variable `name=value` of `container`, read from
    /// `source` (`env`, `envFrom`, `configMapKeyRef`) at `line`.
    fn env(
        name: String,
        value: String,
        container: &'a str,
        source: &'static str,
        line: u32,
        config_map: Option<(&'a Resource, String)>,
    ) -> Self {
        Setting {
            kind: "env",
            text: format!("{name}={value}"),
            name,
            value,
            bare: false,
            container,
            source,
            line,
            config_map,
        }
    }
}

/// The line of `node` in `r`'s file (a rendered object's own line: its
/// positions are in rendered text).
fn line_in(r: &Resource, node: &Node) -> u32 {
    if r.origin.rendered {
        r.origin.line
    } else {
        node.pos.line
    }
}

fn text_of(n: Option<&Node>) -> String {
    n.and_then(Node::scalar_text).unwrap_or_default()
}

/// The operator's configuration settings (see the module documentation).
pub fn operator_config(resources: &[Resource]) -> Vec<Json> {
    let deployments: Vec<&Resource> = resources
        .iter()
        .filter(|r| r.is_kind("Deployment"))
        .collect();
    let marked = deployments
        .iter()
        .any(|r| r.facts.get("operatorWorkload").is_some());
    let config_map = |name: &str| {
        resources
            .iter()
            .find(|r| r.is_kind("ConfigMap") && r.name == name && !name.is_empty())
    };
    let mut out = Vec::new();
    for d in deployments
        .into_iter()
        .filter(|r| !marked || r.facts["operatorWorkload"] == Json::Bool(true))
    {
        let mut settings: Vec<Setting> = Vec::new();
        let spec = d.node.path("spec.template.spec");
        let volumes = spec.map_or(&[][..], |s| s.seq_at("volumes"));
        for c in spec.map_or(&[][..], |s| s.seq_at("containers")) {
            let container = c.get("name").and_then(Node::as_str).unwrap_or_default();
            let first = settings.len();
            env_settings(d, c, container, &config_map, &mut settings);
            // The container's variables as Kubernetes sets them (`env`
            // after `envFrom`, the later winning), for `$(NAME)` in flags.
            let env: BTreeMap<String, String> = settings[first..]
                .iter()
                .map(|s| (s.name.clone(), s.value.clone()))
                .collect();
            for source in ["command", "args"] {
                flag_settings(d, c.seq_at(source), container, source, &env, &mut settings);
            }
            mounted_settings(c, volumes, container, &config_map, &mut settings);
        }
        for s in settings {
            if out.len() >= MAX_SETTINGS {
                return out;
            }
            let (file, config_map, key) = match &s.config_map {
                Some((cm, key)) => (cm.origin.file.as_str(), cm.name.as_str(), key.as_str()),
                None => (d.origin.file.as_str(), "", ""),
            };
            let place = format!("{file}:{}", s.line);
            let by = format!("Deployment {} container {}", d.name, s.container);
            let wherever = match s.source {
                "envFrom" | "configMapKeyRef" => format!(
                    "ConfigMap {config_map} at {place}, read through {} by {by}",
                    s.source
                ),
                "mount" => {
                    format!("file {key} of ConfigMap {config_map} at {place}, mounted by {by}")
                }
                _ => format!("{place}, {by}"),
            };
            out.push(json!({
                "kind": s.kind,
                "name": s.name,
                "value": s.value,
                "bare": s.bare,
                "text": s.text,
                "deployment": d.name,
                "container": s.container,
                "source": s.source,
                "configMap": config_map,
                "key": key,
                "file": file,
                "line": s.line,
                "where": wherever,
            }));
        }
    }
    out
}

/// The `data` entries of a ConfigMap, with their value nodes.
fn data_entries(cm: &Resource) -> Vec<(String, &Node)> {
    cm.node
        .get("data")
        .and_then(Node::as_map)
        .map(|m| m.iter().map(|(k, v)| (k.to_owned(), v)).collect())
        .unwrap_or_default()
}

fn env_settings<'a>(
    d: &'a Resource,
    c: &'a Node,
    container: &'a str,
    config_map: &dyn Fn(&str) -> Option<&'a Resource>,
    out: &mut Vec<Setting<'a>>,
) {
    for from in c.seq_at("envFrom") {
        let Some(cm) = from
            .get("configMapRef")
            .and_then(|r| r.get("name"))
            .and_then(Node::scalar_text)
            .and_then(|n| config_map(&n))
        else {
            continue;
        };
        let prefix = text_of(from.get("prefix"));
        for (key, value) in data_entries(cm) {
            let Some(v) = value.scalar_text() else {
                continue;
            };
            let name = format!("{prefix}{key}");
            let line = line_in(cm, value);
            out.push(Setting::env(
                name,
                v,
                container,
                "envFrom",
                line,
                Some((cm, key)),
            ));
        }
    }
    for e in c.seq_at("env") {
        let name = text_of(e.get("name"));
        if name.is_empty() {
            continue;
        }
        if let Some(v) = e.get("value").filter(|v| !v.is_null()) {
            let value = v.scalar_text().unwrap_or_default();
            out.push(Setting::env(
                name,
                value,
                container,
                "env",
                line_in(d, v),
                None,
            ));
            continue;
        }
        let Some(reference) = e.path("valueFrom.configMapKeyRef") else {
            continue;
        };
        let key = text_of(reference.get("key"));
        let Some(cm) = config_map(&text_of(reference.get("name"))) else {
            continue;
        };
        let Some((key, value)) = data_entries(cm).into_iter().find(|(k, _)| *k == key) else {
            continue;
        };
        let Some(v) = value.scalar_text() else {
            continue;
        };
        let line = line_in(cm, value);
        out.push(Setting::env(
            name,
            v,
            container,
            "configMapKeyRef",
            line,
            Some((cm, key)),
        ));
    }
}

/// The flags of a container's `command` or `args` (see the module
/// documentation).
fn flag_settings<'a>(
    d: &Resource,
    items: &[Node],
    container: &'a str,
    source: &'static str,
    env: &BTreeMap<String, String>,
    out: &mut Vec<Setting<'a>>,
) {
    let mut written: Vec<(String, u32)> = Vec::new();
    for item in items {
        let Some(text) = item.scalar_text() else {
            continue;
        };
        let line = line_in(d, item);
        if !text.starts_with('-') && text.contains(char::is_whitespace) {
            written.extend(text.split_whitespace().map(|w| (w.to_string(), line)));
        } else {
            written.push((text, line));
        }
    }
    // Each word as the container sees it: `$(NAME)` replaced by the value
    // of a variable the files give (Kubernetes expands them in `command`
    // and `args`); one they do not give stays as written.
    let words: Vec<(String, u32)> = written
        .iter()
        .map(|(w, line)| (expand(w, env), *line))
        .collect();
    // The setting as written, and as expanded when that differs.
    let shown = |from: usize, to: usize| {
        let join = |ws: &[(String, u32)]| {
            ws.iter()
                .map(|(w, _)| w.as_str())
                .collect::<Vec<_>>()
                .join(" ")
        };
        let (as_written, expanded) = (join(&written[from..to]), join(&words[from..to]));
        if as_written == expanded {
            as_written
        } else {
            format!("{as_written} (that is {expanded})")
        }
    };
    let is_flag = |w: &str| {
        let name = w.trim_start_matches('-');
        w.starts_with('-')
            && w.len() - name.len() <= 2
            && name.starts_with(|ch: char| ch.is_ascii_alphabetic())
    };
    let unquote = |v: &str| v.trim_matches(|ch| ch == '"' || ch == '\'').to_string();
    let mut i = 0;
    while i < words.len() {
        let (word, line) = (&words[i].0, words[i].1);
        i += 1;
        if !is_flag(word) {
            continue;
        }
        let stripped = word.trim_start_matches('-');
        let (name, value, bare, text) = match stripped.split_once('=') {
            Some((name, value)) => (name.to_string(), unquote(value), false, shown(i - 1, i)),
            None => match words.get(i).filter(|(next, _)| !next.starts_with('-')) {
                Some((next, _)) => {
                    i += 1;
                    (stripped.to_string(), unquote(next), false, shown(i - 2, i))
                }
                None => (stripped.to_string(), String::new(), true, shown(i - 1, i)),
            },
        };
        out.push(Setting {
            kind: "flag",
            name,
            value,
            bare,
            text,
            container,
            source,
            line,
            config_map: None,
        });
    }
}

/// `word` with each `$(NAME)` of a variable in `env` replaced by its value.
fn expand(word: &str, env: &BTreeMap<String, String>) -> String {
    let mut out = String::new();
    let mut rest = word;
    while let Some(start) = rest.find("$(") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        match after
            .find(')')
            .and_then(|end| Some((end, env.get(&after[..end])?)))
        {
            Some((end, value)) => {
                out.push_str(value);
                rest = &after[end + 1..];
            }
            None => {
                out.push_str("$(");
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// The settings of the files of every ConfigMap the container mounts.
fn mounted_settings<'a>(
    c: &'a Node,
    volumes: &'a [Node],
    container: &'a str,
    config_map: &dyn Fn(&str) -> Option<&'a Resource>,
    out: &mut Vec<Setting<'a>>,
) {
    for mount in c.seq_at("volumeMounts") {
        let volume = text_of(mount.get("name"));
        let mut maps: Vec<String> = Vec::new();
        for v in volumes.iter().filter(|v| text_of(v.get("name")) == volume) {
            if let Some(cm) = v.get("configMap") {
                maps.push(text_of(cm.get("name")));
            }
            for src in v.seq_at("projected.sources") {
                if let Some(cm) = src.get("configMap") {
                    maps.push(text_of(cm.get("name")));
                }
            }
        }
        // A mount of one file of the volume (`subPath`) reads that key only.
        let sub_path = text_of(mount.get("subPath"));
        for cm in maps.iter().filter_map(|m| config_map(m)) {
            for (key, value) in data_entries(cm) {
                if !sub_path.is_empty() && key != sub_path {
                    continue;
                }
                let Some(text) = value.as_str() else {
                    continue;
                };
                let first = line_in(cm, value);
                let multi_line = !cm.origin.rendered;
                for (name, setting_value, text, offset) in file_settings(text) {
                    out.push(Setting {
                        kind: "file",
                        name,
                        value: setting_value,
                        bare: false,
                        text,
                        container,
                        source: "mount",
                        line: if multi_line { first + offset } else { first },
                        config_map: Some((cm, key.clone())),
                    });
                }
            }
        }
    }
}

/// The settings of a configuration file's text: `(name, value, text,
/// line offset)` for each `key: value`, `key = value` or `key=value` line
/// that is not commented out, nested YAML (or JSON) keys joined with dots;
/// the text as written, or with its parents' keys when nested.
fn file_settings(text: &str) -> Vec<(String, String, String, u32)> {
    let mut parents: Vec<(usize, String)> = Vec::new();
    let mut out = Vec::new();
    for (offset, raw) in text.lines().take(MAX_FILE_LINES).enumerate() {
        let line = raw.trim_start();
        let indent = raw.len() - line.len();
        let line = line.trim_end();
        if line.is_empty() || ["#", "//", ";", "!"].iter().any(|c| line.starts_with(c)) {
            continue;
        }
        // The key ends at the first `=` or the first `:` that ends the line
        // or is followed by a space (a URL's `://` is a value's).
        let colon = line
            .char_indices()
            .find(|&(i, ch)| {
                ch == ':' && line[i + 1..].chars().next().is_none_or(char::is_whitespace)
            })
            .map(|(i, _)| i);
        let equals = line.find('=');
        let sep = match (colon, equals) {
            (Some(a), Some(b)) => a.min(b),
            (Some(a), None) => a,
            (None, Some(b)) => b,
            (None, None) => continue,
        };
        let key = line[..sep]
            .trim()
            .trim_matches(|ch| ch == '"' || ch == '\'');
        if key.is_empty()
            || !key
                .chars()
                .all(|ch| ch.is_ascii_alphanumeric() || "_.-/".contains(ch))
        {
            continue;
        }
        while parents.last().is_some_and(|(i, _)| *i >= indent) {
            parents.pop();
        }
        let mut value = line[sep + 1..].trim();
        if let Some(i) = value.find(" #") {
            value = value[..i].trim_end();
        }
        let value = value
            .trim_end_matches(',')
            .trim_matches(|ch| ch == '"' || ch == '\'');
        if value.is_empty() || value == "{" {
            parents.push((indent, key.to_string()));
            continue;
        }
        if value.starts_with('|') || value.starts_with('>') {
            continue;
        }
        let name = parents
            .iter()
            .map(|(_, k)| k.as_str())
            .chain([key])
            .collect::<Vec<_>>()
            .join(".");
        // As written, or with its parents' keys when nested
        // (`leaderElection.leaderElect: false`, not `leaderElect: false`).
        let text = if parents.is_empty() {
            line.to_string()
        } else {
            format!("{name}: {value}")
        };
        out.push((
            name,
            value.to_string(),
            text,
            u32::try_from(offset).unwrap_or(u32::MAX),
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::load::files::test_objects as objects;

    #[test]
    fn nested_file_settings_say_their_parents_keys() {
        let texts: Vec<String> = file_settings("a:\n  b: false\nc = 1\n")
            .into_iter()
            .map(|(_, _, text, _)| text)
            .collect();
        assert_eq!(texts, ["a.b: false", "c = 1"]);
    }

    #[test]
    fn file_settings_skip_comments_and_join_nested_keys() {
        let text = "# kubernetes.operator.leader-election.enabled: false\n\
                    kubernetes.operator.reconcile.interval: 60 s\n\
                    leaderElection:\n  leaderElect: false # off\n  resourceName: x\n\
                    metrics:\n  bindAddress: \"0\"\n\
                    log4j.rootLogger = INFO, console\n\
                    url: http://a:80/b\n";
        let got: Vec<(String, String, u32)> = file_settings(text)
            .into_iter()
            .map(|(n, v, _, o)| (n, v, o))
            .collect();
        let want = [
            ("kubernetes.operator.reconcile.interval", "60 s", 1),
            ("leaderElection.leaderElect", "false", 3),
            ("leaderElection.resourceName", "x", 4),
            ("metrics.bindAddress", "0", 6),
            ("log4j.rootLogger", "INFO, console", 7),
            ("url", "http://a:80/b", 8),
        ]
        .map(|(n, v, o)| (n.to_string(), v.to_string(), o));
        assert_eq!(got, want);
    }

    #[test]
    fn the_operator_s_env_flags_and_mounted_files_are_read_with_their_place() {
        let text = "\
kind: ClusterServiceVersion
apiVersion: operators.coreos.com/v1alpha1
metadata: {name: x}
---
kind: Deployment
apiVersion: apps/v1
metadata: {name: op}
spec:
  template:
    spec:
      volumes:
        - {name: conf, configMap: {name: op-files}}
      containers:
        - name: manager
          command: [/bin/sh, -c, 'exec /manager --metrics-bind-address :8443']
          args: [--leader-elect=false, --zap-devel, --v, '2', '--metrics-secure=$(MODE)', '--x=$(UNKNOWN)']
          envFrom:
            - {prefix: OP_, configMapRef: {name: op-env}}
          env:
            - {name: CREATE_DASHBOARD, value: 'true'}
            - name: MODE
              valueFrom: {configMapKeyRef: {name: op-env, key: MODE}}
            - name: POD_NAME
              valueFrom: {fieldRef: {fieldPath: metadata.name}}
          volumeMounts:
            - {name: conf, mountPath: /conf}
---
kind: Deployment
apiVersion: apps/v1
metadata: {name: operand}
spec: {template: {spec: {containers: [{name: x, env: [{name: CREATE_DASHBOARD, value: 'true'}]}]}}}
---
kind: ConfigMap
apiVersion: v1
metadata: {name: op-env}
data:
  MODE: Disable
---
kind: ConfigMap
apiVersion: v1
metadata: {name: op-files}
data:
  conf.yaml: |
    # a.enabled: true
    a.enabled: false
";
        let mut rs = objects(
            text,
            &[
                None,
                Some("spec.install.spec.deployments[0]"),
                None,
                None,
                None,
            ],
        );
        rs[1].facts = json!({"operatorWorkload": true});
        rs[2].facts = json!({"operatorWorkload": false});
        let got: Vec<String> = operator_config(&rs)
            .iter()
            .map(|s| {
                format!(
                    "{} {}={} {} {}:{}",
                    s["kind"].as_str().unwrap(),
                    s["name"].as_str().unwrap(),
                    s["value"].as_str().unwrap(),
                    s["source"].as_str().unwrap(),
                    s["configMap"].as_str().unwrap(),
                    s["line"]
                )
            })
            .collect();
        assert_eq!(
            got,
            [
                "env OP_MODE=Disable envFrom op-env:37",
                "env CREATE_DASHBOARD=true env :20",
                "env MODE=Disable configMapKeyRef op-env:37",
                "flag c=exec command :15",
                "flag metrics-bind-address=:8443 command :15",
                "flag leader-elect=false args :16",
                "flag zap-devel= args :16",
                "flag v=2 args :16",
                "flag metrics-secure=Disable args :16",
                "flag x=$(UNKNOWN) args :16",
                "file a.enabled=false mount op-files:45",
            ]
        );
        let bare = &operator_config(&rs)[6];
        assert_eq!(bare["bare"], json!(true));
        assert_eq!(
            operator_config(&rs)[8]["text"],
            json!("--metrics-secure=$(MODE) (that is --metrics-secure=Disable)")
        );
        assert_eq!(
            operator_config(&rs)[10]["where"],
            json!(
                "file conf.yaml of ConfigMap op-files at f.yaml:45, mounted by Deployment op container manager"
            )
        );
    }
}
