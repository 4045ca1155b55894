//! One walk over an OpenAPI schema's property tree.
//!
//! Several CRD facts read the same tree — every field path, every field with
//! its type, the images a field defaults to, the version fields a
//! description calls the operator's own — and must agree on what a path is:
//! properties joined with `.`, a map's values (`additionalProperties` with a
//! schema) as a `*` segment, `allOf`/`anyOf`/`oneOf` branches merged into
//! their parent, and the same depth bound. The walk lives here once; each fact
//! is a [`SchemaVisitor`] that says what it keeps.

use crate::yaml::{Node, Value};

use std::borrow::Cow;

/// Deepest schema nesting followed (bounds hostile schemas).
pub(super) const MAX_SCHEMA_DEPTH: usize = 48;

/// The path segment of a map's values: a schema's `additionalProperties`
/// (druid's `spec.nodes`, keyed by node-group name) is walked as a `*`
/// segment, `spec.nodes.*.replicas`, so fields nested in map values are seen
/// like any other.
pub(super) const MAP_VALUES: &str = ".*";

/// What one walk keeps. The walk calls [`property`](Self::property) for
/// every property (path already extended by its segment) and
/// [`map_values`](Self::map_values) for every map's values, parents before
/// children, and stops as soon as [`full`](Self::full) says so.
pub(super) trait SchemaVisitor {
    /// Whether the visitor holds all it may keep: its bound against hostile
    /// schemas. Checked before each property, so no walk overshoots it.
    fn full(&self) -> bool;

    /// The path segment a property's name becomes (the name as written, by
    /// default).
    fn segment<'a>(&self, name: &'a str) -> Cow<'a, str> {
        Cow::Borrowed(name)
    }

    /// What a list's items add to the path: nothing by default (a list is
    /// transparent, `spec.containers.name`), or a marker such as `[]`.
    fn items_segment(&self) -> &'static str {
        ""
    }

    /// One property at `path`, named `name` in the schema.
    fn property(&mut self, path: &str, name: &str, schema: &Node);

    /// A map's values at `path` (ending in [`MAP_VALUES`]).
    fn map_values(&mut self, _path: &str, _schema: &Node) {}
}

/// Walks `schema` from the root (an empty path), calling `visitor`.
pub(super) fn walk_schema<V: SchemaVisitor>(schema: &Node, visitor: &mut V) {
    let mut path = String::new();
    walk_at(schema, &mut path, 0, visitor);
}

/// The schema of a map's values, when `additionalProperties` is one (not
/// `true`/`false`).
pub(super) fn map_values(additional: &Node) -> Option<&Node> {
    additional.as_map().map(|_| additional)
}

/// Whether a property's description opens by declaring it a development
/// or test option (`FOR DEVELOPMENT ONLY.`, `DEVELOPMENT OPTION, DO NOT USE
/// IN PRODUCTION`), or says anywhere that it is to be used only for
/// development or tests ("This setting should only be used for dev/testing
/// purposes.", "for testing purposes only"): a switch its authors keep out
/// of production is no capability of the API, so no fact reads it or what
/// lies under it. Only use is read: a value "should only be enabled for
/// debugging purposes" is a caveat on a setting, not a test switch.
fn development_only(schema: &Node) -> bool {
    static MARK: std::sync::OnceLock<Option<regex::Regex>> = std::sync::OnceLock::new();
    description_matches(
        schema,
        crate::lazy_regex::cached(
            &MARK,
            concat!(
                r"(?i)^\W*(for (development|testing|test)( purposes)? only|(development|dev|debug|testing|test)[ -](option|only)\b|do not use in production)",
                r"|\b(should|must|is|are|to)\s+(only\s+be\s+used|be\s+used\s+only)\s+(for|in)\s+(dev|development|testing|tests?)",
                r"(\s*(/|,|and|or)\s*(dev|development|testing|tests?))*(\s+(purposes|environments?|clusters?))?\b",
                r"|\bfor\s+(dev|development|testing|tests?)(\s*(/|,|and|or)\s*(dev|development|testing|tests?))*\s+purposes\s+only\b",
            ),
        ),
    )
}

/// Whether a property's description matches `re` (never when it has no
/// description, or `re` did not compile).
pub(super) fn description_matches(schema: &Node, re: Option<&regex::Regex>) -> bool {
    re.is_some_and(|re| {
        schema
            .get("description")
            .and_then(Node::scalar_text)
            .is_some_and(|d| re.is_match(&d))
    })
}

/// `path` is the prefix, extended and restored in place.
fn walk_at<V: SchemaVisitor>(schema: &Node, path: &mut String, depth: usize, visitor: &mut V) {
    if depth > MAX_SCHEMA_DEPTH || visitor.full() {
        return;
    }
    let Some(map) = schema.as_map() else {
        return;
    };
    // One pass over the schema's keys finds the six that matter; they are
    // then followed in a fixed order, so what a bounded visitor keeps does
    // not depend on how the schema orders its keys.
    let (mut properties, mut values, mut items, mut all_of, mut any_of, mut one_of) =
        (None, None, None, None, None, None);
    for (key, value) in map.iter() {
        match key {
            "properties" => properties = Some(value),
            "additionalProperties" => values = map_values(value),
            "items" => items = Some(value),
            "allOf" => all_of = Some(value),
            "anyOf" => any_of = Some(value),
            "oneOf" => one_of = Some(value),
            _ => {}
        }
    }
    if let Some(Value::Map(props)) = properties.map(|p| &p.value) {
        for (name, sub) in props.iter() {
            if visitor.full() {
                return;
            }
            if development_only(sub) {
                continue;
            }
            let len = path.len();
            if len > 0 {
                path.push('.');
            }
            path.push_str(&visitor.segment(name));
            visitor.property(path, name, sub);
            walk_at(sub, path, depth + 1, visitor);
            path.truncate(len);
        }
    }
    if let Some(values) = values {
        let len = path.len();
        path.push_str(MAP_VALUES);
        visitor.map_values(path, values);
        walk_at(values, path, depth + 1, visitor);
        path.truncate(len);
    }
    if let Some(items) = items {
        let len = path.len();
        path.push_str(visitor.items_segment());
        walk_at(items, path, depth + 1, visitor);
        path.truncate(len);
    }
    for list in [all_of, any_of, one_of] {
        for sub in list.and_then(Node::as_seq).unwrap_or_default() {
            walk_at(sub, path, depth + 1, visitor);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Records every call, to show the walk's order and paths.
    struct Trace {
        calls: Vec<String>,
        limit: usize,
        items: &'static str,
    }

    impl SchemaVisitor for Trace {
        fn full(&self) -> bool {
            self.calls.len() >= self.limit
        }
        fn items_segment(&self) -> &'static str {
            self.items
        }
        fn property(&mut self, path: &str, name: &str, _schema: &Node) {
            self.calls.push(format!("{path} ({name})"));
        }
        fn map_values(&mut self, path: &str, _schema: &Node) {
            self.calls.push(format!("{path} (values)"));
        }
    }

    fn trace(schema: &str, limit: usize, items: &'static str) -> Vec<String> {
        let parsed = crate::yaml::parse_str(schema, &crate::yaml::Limits::default());
        let node = &parsed.documents.first().expect("one document").root;
        let mut visitor = Trace {
            calls: Vec::new(),
            limit,
            items,
        };
        walk_schema(node, &mut visitor);
        visitor.calls
    }

    const SCHEMA: &str = "
oneOf:
  - properties: {late: {type: string}}
items: {}
additionalProperties: false
properties:
  spec:
    properties:
      nodes:
        additionalProperties:
          properties:
            replicas: {type: integer}
      containers:
        items:
          properties:
            name: {type: string}
";

    #[test]
    fn paths_join_properties_map_values_and_merged_branches_in_a_fixed_order() {
        assert_eq!(
            trace(SCHEMA, usize::MAX, ""),
            [
                "spec (spec)",
                "spec.nodes (nodes)",
                "spec.nodes.* (values)",
                "spec.nodes.*.replicas (replicas)",
                "spec.containers (containers)",
                "spec.containers.name (name)",
                "late (late)",
            ]
        );
    }

    #[test]
    fn items_may_mark_their_segment() {
        let calls = trace(SCHEMA, usize::MAX, "[]");
        assert!(calls.contains(&"spec.containers[].name (name)".to_string()));
    }

    #[test]
    fn a_full_visitor_stops_the_walk() {
        assert_eq!(trace(SCHEMA, 2, ""), ["spec (spec)", "spec.nodes (nodes)"]);
    }

    #[test]
    fn a_development_only_property_is_not_walked() {
        let schema = r#"
properties:
  spec:
    properties:
      thanosVersion:
        type: string
        description: DEVELOPMENT OPTION, DO NOT USE IN PRODUCTION Thanos version.
      debug:
        description: "FOR DEVELOPMENT ONLY. Settings for tests."
        properties:
          version: {type: string}
      version:
        type: string
        description: The version to run; a development build is not supported.
      image:
        type: string
        description: Image allows overriding the default image. This setting should only be used for dev/testing purposes.
      scope:
        type: string
        description: The API scope. The debug level should only be enabled for debugging purposes.
"#;
        assert_eq!(
            trace(schema, usize::MAX, ""),
            [
                "spec (spec)",
                "spec.version (version)",
                "spec.scope (scope)"
            ]
        );
    }

    #[test]
    fn depth_is_bounded() {
        let mut schema = String::from("{type: string}");
        for _ in 0..MAX_SCHEMA_DEPTH + 5 {
            schema = format!("{{properties: {{a: {schema}}}}}");
        }
        assert_eq!(trace(&schema, usize::MAX, "").len(), MAX_SCHEMA_DEPTH + 1);
    }
}
