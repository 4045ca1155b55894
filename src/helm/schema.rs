//! `values.schema.json`: Helm validates the values a chart is rendered
//! with (the root chart's against its schema, each enabled subchart's
//! scoped values against the subchart's schema) and refuses to render when
//! they violate it. We report each violation as a located diagnostic
//! (`values-schema`) and still render, so the rest of the chart is
//! assessed.
//!
//! Validation uses the `jsonschema` crate built without its network
//! features: a `$ref` to a remote schema is not fetched (it is reported as
//! an invalid schema, where Helm 4 would fetch it).

use super::chart::Chart;
use super::data::Data;
use super::values::{self, VMap};
use super::{HelmDiagnostic, Severity};
use crate::diag::Code;

/// Most violations reported per chart (a wholly wrong values file would
/// otherwise flood the report).
const MAX_ERRORS: usize = 20;

/// Checks `vals` (the coalesced values of `chart`) against its schema and,
/// recursively, each enabled subchart's values against the subchart's.
pub(crate) fn validate(chart: &Chart, vals: &VMap, diags: &mut Vec<HelmDiagnostic>) {
    validate_at(chart, vals, diags, 0);
}

fn validate_at(chart: &Chart, vals: &VMap, diags: &mut Vec<HelmDiagnostic>, depth: usize) {
    if depth > 32 {
        return;
    }
    if let Some(schema) = &chart.schema {
        check(
            chart,
            schema,
            &to_json(&Data::Map(vals.clone().into())),
            diags,
        );
    }
    for sub in values::sub_instances(chart) {
        let empty = VMap::new();
        let sub_vals = vals
            .get(sub.name.as_str())
            .and_then(values::as_map)
            .unwrap_or(&empty);
        validate_at(sub.chart, sub_vals, diags, depth + 1);
    }
}

fn check(
    chart: &Chart,
    schema: &serde_json::Value,
    instance: &serde_json::Value,
    diags: &mut Vec<HelmDiagnostic>,
) {
    let schema_file = format!("{}values.schema.json", chart.prefix);
    let validator = match jsonschema::validator_for(schema) {
        Ok(v) => v,
        Err(e) => {
            diags.push(HelmDiagnostic {
                severity: Severity::Error,
                file: schema_file,
                line: None,
                message: format!("values.schema.json is not a valid JSON Schema: {e}"),
                code: Code::ValuesSchema,
            });
            return;
        }
    };
    for e in validator.iter_errors(instance).take(MAX_ERRORS) {
        let path = e.instance_path().to_string();
        // Point at the default in values.yaml when the value is there;
        // otherwise (a user value, a missing property) at the schema.
        let line = yaml_line(&chart.values, &path);
        let (file, line) = match line {
            Some(l) => (format!("{}values.yaml", chart.prefix), Some(l)),
            None => (schema_file.clone(), None),
        };
        diags.push(HelmDiagnostic {
            severity: Severity::Error,
            file,
            line,
            // Helm's words, then its `CHART:` / `- at 'PATH': …` lines in
            // one (the violation itself in the `jsonschema` crate's words).
            message: format!(
                "values don't meet the specifications of the schema(s) in the following chart(s): {}: at '{path}': {e}",
                chart.name()
            ),
            code: Code::ValuesSchema,
        });
    }
}

/// The line of the node at a JSON pointer (`/a/b/0`) in a YAML tree.
fn yaml_line(root: &crate::yaml::Node, pointer: &str) -> Option<u32> {
    let mut node = root;
    for raw in pointer.split('/').skip(1) {
        let key = raw.replace("~1", "/").replace("~0", "~");
        node = match &node.value {
            crate::yaml::Value::Map(_) => node.get(&key)?,
            crate::yaml::Value::Seq(items) => items.get(key.parse::<usize>().ok()?)?,
            _ => return None,
        };
    }
    (!pointer.is_empty()).then_some(node.pos.line)
}

/// Values as the JSON Helm validates (integral numbers as integers, so
/// `type: integer` accepts `3` read from YAML as a float).
fn to_json(v: &Data) -> serde_json::Value {
    use serde_json::Value as J;
    match v {
        Data::Bool(b) => J::Bool(*b),
        Data::Int(i) => J::from(*i),
        Data::Float(f) => {
            if f.is_finite() && f.fract() == 0.0 && f.abs() < 9.0e15 {
                #[allow(clippy::cast_possible_truncation)]
                J::from(*f as i64)
            } else {
                serde_json::Number::from_f64(*f).map_or(J::Null, J::Number)
            }
        }
        Data::String(s) => J::String(s.to_string()),
        Data::List(l) => J::Array(l.iter().map(to_json).collect()),
        Data::Map(m) => J::Object(m.iter().map(|(k, v)| (k.to_string(), to_json(v))).collect()),
        Data::Nil => J::Null,
    }
}
