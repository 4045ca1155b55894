//! Values as Helm computes them: chart defaults, user files and `--set`,
//! subchart scoping with `global`, dependency conditions and tags, and
//! `import-values`.
//!
//! Values are held as `gotmpl::Value` because that is what templates see.
//! Numbers read from YAML become floats, as Helm's `sigs.k8s.io/yaml` reads
//! them (`kindOf .Values.replicas` is `float64` in real Helm); `--set`
//! numbers are integers, as Helm's `strvals` parses them.

use std::collections::BTreeMap;
use std::sync::Arc;

use gotmpl::Value;

use super::chart::{Chart, Dependency, ImportValue};
use super::{HelmDiagnostic, Severity};
use crate::yaml;

/// A values mapping.
pub(crate) type VMap = BTreeMap<Arc<str>, Value>;

/// A YAML node as template data (numbers as floats, as Helm reads YAML).
pub(crate) fn node_to_value(node: &yaml::Node) -> Value {
    match &node.value {
        yaml::Value::Null => Value::Nil,
        yaml::Value::Bool(b) => Value::Bool(*b),
        #[allow(clippy::cast_precision_loss)]
        yaml::Value::Int(i) => Value::Float(*i as f64),
        yaml::Value::Float(f) => Value::Float(*f),
        yaml::Value::String(s) => Value::String(Arc::from(s.as_str())),
        yaml::Value::Seq(items) => {
            Value::List(items.iter().map(node_to_value).collect::<Vec<_>>().into())
        }
        yaml::Value::Map(m) => Value::Map(Arc::new(
            m.iter()
                .map(|(k, v)| (Arc::from(k), node_to_value(v)))
                .collect(),
        )),
    }
}

/// The mapping inside a value, or an empty one.
pub(crate) fn as_map(v: &Value) -> Option<&VMap> {
    match v {
        Value::Map(m) => Some(m),
        _ => None,
    }
}

/// Helm's `mergeMaps` for user value files: maps merge deeply, anything else
/// in `b` replaces what `a` has.
pub(crate) fn merge_user(a: &mut VMap, b: &VMap) {
    for (k, v) in b {
        if let (Value::Map(bv), Some(Value::Map(av))) = (v, a.get_mut(k)) {
            merge_user(Arc::make_mut(av), bv);
            continue;
        }
        a.insert(k.clone(), v.clone());
    }
}

/// Coalesces `src` (chart defaults, lower precedence) under `dst`: keys
/// only in `src` are added (their nulls dropped, as Helm drops null
/// defaults), tables merge recursively, `dst` wins otherwise. A null in `dst`
/// deletes the key when `src` has it (how a user deletes a default), and
/// stays null otherwise. `keep_nulls` names keys whose default tables keep
/// their nulls: subchart scopes, whose nulls must still delete the
/// subchart's own defaults.
fn coalesce_tables_with(dst: &mut VMap, src: &VMap, keep_nulls: &[String]) {
    for (k, sv) in src {
        match dst.get_mut(k) {
            None => {
                if matches!(sv, Value::Nil) {
                    continue;
                }
                let mut v = sv.clone();
                if !keep_nulls.iter().any(|n| n.as_str() == &**k)
                    && let Value::Map(m) = &mut v
                {
                    strip_nulls(Arc::make_mut(m));
                }
                dst.insert(k.clone(), v);
            }
            Some(Value::Nil) => {
                dst.remove(k);
            }
            Some(Value::Map(dv)) => {
                if let Value::Map(sm) = sv {
                    coalesce_tables_with(Arc::make_mut(dv), sm, &[]);
                }
            }
            Some(_) => {}
        }
    }
}

fn coalesce_tables(dst: &mut VMap, src: &VMap) {
    coalesce_tables_with(dst, src, &[]);
}

/// Removes null-valued keys from mappings, recursively (not inside lists).
pub(crate) fn strip_nulls(m: &mut VMap) {
    m.retain(|_, v| !matches!(v, Value::Nil));
    for v in m.values_mut() {
        if let Value::Map(inner) = v {
            strip_nulls(Arc::make_mut(inner));
        }
    }
}

/// One subchart as its parent sees it: the loaded chart, the name it takes
/// (alias or name) and the dependency entry that brought it, if any.
pub(crate) struct SubInstance<'a> {
    pub chart: &'a Chart,
    pub name: String,
    pub dep: Option<&'a Dependency>,
}

/// Helm's `IsCompatibleRange` with the Masterminds syntax approximated:
/// `||` alternatives, space-separated conjunctions, `x` wildcards. A
/// constraint that cannot be parsed is compatible (we would rather render).
fn version_compatible(constraint: &str, version: &str) -> bool {
    let Ok(v) = semver::Version::parse(version.trim_start_matches('v')) else {
        return true;
    };
    let c = constraint.trim();
    if c.is_empty() {
        return true;
    }
    c.split("||").any(|alt| {
        let parts: Vec<String> = alt
            .split([' ', ','])
            .filter(|p| !p.is_empty())
            .map(|p| {
                p.trim_start_matches('v')
                    .replace(".x", ".*")
                    .replace(".X", ".*")
            })
            .collect();
        // A bare version is an exact match in Masterminds.
        let joined = parts
            .iter()
            .map(|p| {
                if p.starts_with(|c: char| c.is_ascii_digit()) && !p.contains('*') {
                    format!("={p}")
                } else {
                    p.clone()
                }
            })
            .collect::<Vec<_>>()
            .join(",");
        semver::VersionReq::parse(&joined).map_or(true, |req| {
            req.matches(&v)
                || (!v.pre.is_empty()
                    && req.matches(&semver::Version::new(v.major, v.minor, v.patch)))
        })
    })
}

/// The subcharts of `chart` as Helm's `processDependencyEnabled` lists
/// them: each loaded subchart once per compatible dependency entry (aliases
/// give copies), and loaded subcharts no entry matches under their own name.
pub(crate) fn sub_instances(chart: &Chart) -> Vec<SubInstance<'_>> {
    let deps = &chart.metadata.dependencies;
    let mut out = Vec::new();
    for sub in &chart.subcharts {
        let matched = deps.iter().any(|d| {
            d.name == sub.metadata.name && version_compatible(&d.version, &sub.metadata.version)
        });
        if !matched {
            out.push(SubInstance {
                chart: sub,
                name: sub.metadata.name.clone(),
                dep: None,
            });
        }
    }
    for d in deps {
        if let Some(sub) = chart.subcharts.iter().find(|s| {
            s.metadata.name == d.name && version_compatible(&d.version, &s.metadata.version)
        }) {
            out.push(SubInstance {
                chart: sub,
                name: d.effective_name().to_owned(),
                dep: Some(d),
            });
        }
    }
    out
}

/// Coalesces user values (already merged) with the chart tree's defaults:
/// the result is the `.Values` of the root chart; each subchart's scope is
/// under its name. `global` flows down, parent globals winning.
pub(crate) fn coalesce(chart: &Chart, user: &VMap, diags: &mut Vec<HelmDiagnostic>) -> VMap {
    let mut dest = user.clone();
    coalesce_into(chart, &mut dest, diags, 0);
    dest
}

fn coalesce_into(chart: &Chart, dest: &mut VMap, diags: &mut Vec<HelmDiagnostic>, depth: usize) {
    if let Value::Map(defaults) = node_to_value(&chart.values) {
        let subs: Vec<String> = sub_instances(chart).into_iter().map(|i| i.name).collect();
        coalesce_tables_with(dest, &defaults, &subs);
    }
    if depth > 32 {
        return;
    }
    for inst in sub_instances(chart) {
        let key: Arc<str> = Arc::from(inst.name.as_str());
        let mut sub = match dest.get(&key) {
            Some(Value::Map(m)) => (**m).clone(),
            None | Some(Value::Nil) => VMap::new(),
            Some(_) => {
                diags.push(HelmDiagnostic {
                    code: crate::diag::Code::Values,
                    severity: Severity::Warning,
                    file: format!("{}values.yaml", chart.prefix),
                    line: None,
                    message: format!(
                        "type mismatch on {}: the value is not a table; subchart values ignored",
                        inst.name
                    ),
                });
                VMap::new()
            }
        };
        coalesce_globals(&mut sub, dest);
        coalesce_into(inst.chart, &mut sub, diags, depth + 1);
        dest.insert(key, Value::Map(Arc::new(sub)));
    }
}

/// Helm's `coalesceGlobals`: the parent's `global` is merged into the
/// subchart's, the parent winning.
fn coalesce_globals(sub: &mut VMap, parent: &VMap) {
    let pg = match parent.get("global") {
        Some(Value::Map(m)) => (**m).clone(),
        _ => VMap::new(),
    };
    let mut sg = match sub.get("global") {
        Some(Value::Map(m)) => (**m).clone(),
        Some(Value::Nil) | None => VMap::new(),
        Some(_) => return,
    };
    for (k, v) in pg {
        match (&v, sg.get(&k)) {
            (Value::Map(pv), Some(Value::Map(sv))) => {
                let mut merged = (**pv).clone();
                coalesce_tables(&mut merged, sv);
                sg.insert(k, Value::Map(Arc::new(merged)));
            }
            (_, Some(Value::Map(_))) if !matches!(v, Value::Map(_)) => {}
            _ => {
                sg.insert(k, v);
            }
        }
    }
    sub.insert(Arc::from("global"), Value::Map(Arc::new(sg)));
}

/// The value at a dotted path.
pub(crate) fn path_value<'a>(m: &'a VMap, path: &str) -> Option<&'a Value> {
    let mut parts = path.split('.').filter(|p| !p.is_empty());
    let first = parts.next()?;
    let mut cur = m.get(first)?;
    for p in parts {
        cur = as_map(cur)?.get(p)?;
    }
    Some(cur)
}

/// Whether a dependency renders, by Helm's rules: tags first (any true tag
/// enables, only-false tags disable), then the first condition path that
/// holds a boolean. `top` are the root chart's values (tags live there),
/// `path` the subchart's parent path from the root (`""` or `a.b.`).
pub(crate) fn dependency_enabled(dep: &Dependency, top: &VMap, path: &str) -> bool {
    let mut enabled = true;
    if let Some(Value::Map(tags)) = top.get("tags") {
        let mut has_true = false;
        let mut has_false = false;
        for t in &dep.tags {
            match tags.get(t.as_str()) {
                Some(Value::Bool(true)) => has_true = true,
                Some(Value::Bool(false)) => has_false = true,
                _ => {}
            }
        }
        if !has_true && has_false {
            enabled = false;
        }
    }
    for c in dep.condition.trim().split(',') {
        let c = c.trim();
        if c.is_empty() {
            continue;
        }
        if let Some(Value::Bool(b)) = path_value(top, &format!("{path}{c}")) {
            enabled = *b;
            break;
        }
    }
    enabled
}

/// Applies `import-values` of `chart`'s enabled dependencies onto its
/// values: the child's values (at `child` or `exports.<name>`) are merged
/// under the parent's, the parent winning.
pub(crate) fn apply_imports(chart: &Chart, vals: &mut VMap) {
    for inst in sub_instances(chart) {
        let Some(dep) = inst.dep else { continue };
        for iv in &dep.import_values {
            let Some(Value::Map(child)) = vals.get(inst.name.as_str()).cloned() else {
                continue;
            };
            let (src, parent_path) = match iv {
                ImportValue::Exports(name) => (
                    path_value(&child, &format!("exports.{name}")).cloned(),
                    String::new(),
                ),
                ImportValue::Map {
                    child: cpath,
                    parent,
                } => (path_value(&child, cpath).cloned(), parent.clone()),
            };
            let Some(src) = src else { continue };
            merge_at_path(vals, &parent_path, &src);
        }
    }
}

/// Merges `src` under the value at a dotted path of `vals`, creating maps.
fn merge_at_path(vals: &mut VMap, path: &str, src: &Value) {
    let parts: Vec<&str> = path.split('.').filter(|p| !p.is_empty()).collect();
    let Some((last, init)) = parts.split_last() else {
        if let Value::Map(sm) = src {
            coalesce_tables(vals, sm);
        }
        return;
    };
    let mut target = vals;
    for p in init {
        let entry = target
            .entry(Arc::from(*p))
            .or_insert_with(|| Value::Map(Arc::new(VMap::new())));
        if !matches!(entry, Value::Map(_)) {
            *entry = Value::Map(Arc::new(VMap::new()));
        }
        let Value::Map(m) = entry else { return };
        target = Arc::make_mut(m);
    }
    match (target.get_mut(*last), src) {
        (Some(Value::Map(existing)), Value::Map(sm)) => {
            coalesce_tables(Arc::make_mut(existing), sm)
        }
        (Some(_), _) => {}
        (None, _) => {
            target.insert(Arc::from(*last), src.clone());
        }
    }
}

/// Parses `--set` expressions into `base`, with Helm's `strvals` rules:
/// `a.b=c,d[0]=e,f={x,y}`, `\` escapes `,` `.` `=` `[`, values typed
/// (`true`/`false`/`null`, integers without a leading zero).
pub(crate) fn apply_set(base: &mut VMap, expr: &str) -> Result<(), String> {
    for assignment in split_unescaped(expr, ',', true) {
        if assignment.is_empty() {
            continue;
        }
        let (key, value) = split_key_value(&assignment)
            .ok_or_else(|| format!("key {assignment:?} has no value"))?;
        let path = parse_key(&key)?;
        let value = if value.starts_with('{') && value.ends_with('}') && value.len() >= 2 {
            let inner = &value[1..value.len() - 1];
            Value::List(
                split_unescaped(inner, ',', false)
                    .iter()
                    .map(|s| typed(&unescape(s)))
                    .collect::<Vec<_>>()
                    .into(),
            )
        } else {
            typed(&unescape(&value))
        };
        set_path(base, &path, value)?;
    }
    Ok(())
}

#[derive(Debug)]
enum Seg {
    Key(String),
    Index(usize),
}

fn split_unescaped(s: &str, sep: char, brace_aware: bool) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut level = 0i32;
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                cur.push(c);
                if let Some(n) = chars.next() {
                    cur.push(n);
                }
            }
            '{' if brace_aware => {
                level += 1;
                cur.push(c);
            }
            '}' if brace_aware => {
                level -= 1;
                cur.push(c);
            }
            c if c == sep && level <= 0 => out.push(std::mem::take(&mut cur)),
            c => cur.push(c),
        }
    }
    out.push(cur);
    out
}

fn split_key_value(s: &str) -> Option<(String, String)> {
    let mut escaped = false;
    for (i, c) in s.char_indices() {
        if escaped {
            escaped = false;
            continue;
        }
        if c == '\\' {
            escaped = true;
        } else if c == '=' {
            return Some((s[..i].to_owned(), s[i + 1..].to_owned()));
        }
    }
    None
}

fn unescape(s: &str) -> String {
    let mut out = String::new();
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            if let Some(n) = chars.next() {
                out.push(n);
            }
        } else {
            out.push(c);
        }
    }
    out
}

fn parse_key(key: &str) -> Result<Vec<Seg>, String> {
    let mut segs = Vec::new();
    let mut cur = String::new();
    let mut chars = key.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                if let Some(n) = chars.next() {
                    cur.push(n);
                }
            }
            '.' => {
                if !cur.is_empty() {
                    segs.push(Seg::Key(std::mem::take(&mut cur)));
                }
            }
            '[' => {
                if !cur.is_empty() {
                    segs.push(Seg::Key(std::mem::take(&mut cur)));
                }
                let mut num = String::new();
                for n in chars.by_ref() {
                    if n == ']' {
                        break;
                    }
                    num.push(n);
                }
                let i: usize = num
                    .trim()
                    .parse()
                    .map_err(|_| format!("invalid index {num:?} in key {key:?}"))?;
                if i > 65_536 {
                    return Err(format!(
                        "index of {i} is greater than maximum supported index of 65536"
                    ));
                }
                segs.push(Seg::Index(i));
            }
            c => cur.push(c),
        }
    }
    if !cur.is_empty() {
        segs.push(Seg::Key(cur));
    }
    if segs.is_empty() {
        return Err(format!("key {key:?} is empty"));
    }
    Ok(segs)
}

fn typed(s: &str) -> Value {
    if s.eq_ignore_ascii_case("true") {
        return Value::Bool(true);
    }
    if s.eq_ignore_ascii_case("false") {
        return Value::Bool(false);
    }
    if s.eq_ignore_ascii_case("null") {
        return Value::Nil;
    }
    if s == "0" {
        return Value::Int(0);
    }
    if !s.starts_with('0')
        && let Ok(i) = s.parse::<i64>()
    {
        return Value::Int(i);
    }
    Value::String(Arc::from(s))
}

fn set_path(m: &mut VMap, path: &[Seg], value: Value) -> Result<(), String> {
    let Some((Seg::Key(first), rest)) = path.split_first() else {
        return Err("a --set key must start with a name".into());
    };
    let slot = m.entry(Arc::from(first.as_str())).or_insert(Value::Nil);
    set_in(slot, rest, value);
    Ok(())
}

fn set_in(slot: &mut Value, path: &[Seg], value: Value) {
    let Some((seg, rest)) = path.split_first() else {
        *slot = value;
        return;
    };
    match seg {
        Seg::Key(k) => {
            if !matches!(slot, Value::Map(_)) {
                *slot = Value::Map(Arc::new(VMap::new()));
            }
            if let Value::Map(m) = slot {
                let inner = Arc::make_mut(m)
                    .entry(Arc::from(k.as_str()))
                    .or_insert(Value::Nil);
                set_in(inner, rest, value);
            }
        }
        Seg::Index(i) => {
            let mut list: Vec<Value> = match slot {
                Value::List(l) => l.to_vec(),
                _ => Vec::new(),
            };
            if list.len() <= *i {
                list.resize(*i + 1, Value::Nil);
            }
            set_in(&mut list[*i], rest, value);
            *slot = Value::List(list.into());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn show(v: &Value) -> String {
        match v {
            Value::Map(m) => format!(
                "{{{}}}",
                m.iter()
                    .map(|(k, v)| format!("{k}:{}", show(v)))
                    .collect::<Vec<_>>()
                    .join(",")
            ),
            Value::List(l) => format!("[{}]", l.iter().map(show).collect::<Vec<_>>().join(",")),
            Value::String(s) => format!("{s:?}"),
            Value::Nil => "nil".into(),
            other => other.to_string(),
        }
    }

    #[test]
    fn set_parsing() {
        let cases = [
            ("a=b", r#"{a:"b"}"#),
            ("a.b=1,c=true", r#"{a:{b:1},c:true}"#),
            ("a=0123", r#"{a:"0123"}"#),
            ("a=null", "{a:nil}"),
            ("l[1]=x", r#"{l:[nil,"x"]}"#),
            ("l[0].n=x", r#"{l:[{n:"x"}]}"#),
            ("a={x,y}", r#"{a:["x","y"]}"#),
            (r"a\.b=c\,d", r#"{a.b:"c,d"}"#),
            ("name=a=b", r#"{name:"a=b"}"#),
        ];
        for (expr, want) in cases {
            let mut m = VMap::new();
            apply_set(&mut m, expr).unwrap();
            assert_eq!(show(&Value::Map(Arc::new(m))), want, "{expr}");
        }
        assert!(apply_set(&mut VMap::new(), "novalue").is_err());
    }

    #[test]
    fn compatibility() {
        assert!(version_compatible("0.0.1", "0.0.1"));
        assert!(!version_compatible("0.0.2", "0.0.1"));
        assert!(version_compatible(">=1.0.0 <2.0.0", "1.5.0"));
        assert!(version_compatible("1.x.x", "1.5.0"));
        assert!(version_compatible("~1.2 || ^3", "3.1.0"));
        assert!(version_compatible("", "3.1.0"));
    }
}
