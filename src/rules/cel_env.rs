//! The CEL environment every rule runs in: the standard library, the strings,
//! lists and math extensions, and `matches` with compiled regexes cached.
//!
//! The cel crate compiles the regex of `matches` on every call; a rule that
//! matches a pattern against each of a CRD's thousand schema fields spent
//! nearly all its time there. CEL macros are expanded when an expression is
//! parsed, so `x.matches(re)` and `matches(x, re)` are rewritten into a call
//! of [`RE_MATCHES`], which keeps each thread's compiled patterns.

use cel::common::ast::{CallExpr, Expr};
use cel::common::types::{CelBool, CelString};
use cel::parser::Macro;
use cel::{Env, ExecutionError};
use regex::Regex;
use std::cell::RefCell;
use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::sync::{Arc, OnceLock};

/// The internal name `matches` calls are rewritten to. It starts with `@`, as
/// CEL's own internal functions do, so no expression can spell it.
pub const RE_MATCHES: &str = "@re_matches";

/// `allows(grantText, groups, resources, verbs)`: whether any grant line of
/// a `grantText` fact (`group/resource verb`) allows one of the groups, one
/// of the resources and one of the verbs, each given as a regular
/// expression matching the whole name (`'batch'`, `'cronjobs|jobs'`,
/// `'create|patch'`; the core group is `''`). A `*` in the grant covers
/// everything, as the API server reads it: `*` verbs, `*` resources
/// (subresources included) and `*` API groups grant each name they cover,
/// so every rule reads a wildcard grant the same way.
pub const ALLOWS: &str = "allows";

/// `allowsNamed(grantText, groups, resources, verbs)`: as [`ALLOWS`], but a
/// full wildcard (`*` resources in `*` API groups) does not count. A grant
/// is a grant: what the operator *may* do reads `allows`. A rule that reads
/// a grant as a sign of what the operator *does* (it reads metrics, elects
/// a leader, provides dashboards) asks for a grant that names the group or
/// the resource: cluster-admin allows everything and so shows nothing in
/// particular (it is flagged by `rbac-no-wildcard-grants`). A grant in `*`
/// API groups names a resource the rule asks for only when the rule names
/// resources: with a resource pattern that takes any name (`.*`, asking for
/// whatever a group serves), `*` groups with `configmaps` and `roles` say
/// nothing of the groups asked for, and only a grant naming one counts.
pub const ALLOWS_NAMED: &str = "allowsNamed";

/// A name no API serves (resource names are lowercase DNS labels and `/`):
/// a resource pattern that matches it takes any name, and so names none.
const NO_RESOURCE: &str = "~";

/// Most distinct patterns kept per thread (rules use a few dozen).
const CACHE_LIMIT: usize = 1024;

/// How the cel crate's extension libraries register themselves.
type Extension = fn(&mut Env) -> Result<(), cel::DeclarationError>;

/// The shared environment.
pub fn env() -> Arc<Env> {
    static ENV: OnceLock<Arc<Env>> = OnceLock::new();
    ENV.get_or_init(build).clone()
}

fn build() -> Arc<Env> {
    let mut env = Env::stdlib();
    let extensions: [Extension; 3] = [
        cel::extensions::strings,
        cel::extensions::lists,
        cel::extensions::math,
    ];
    let mut registrations: Vec<Result<(), cel::DeclarationError>> = extensions
        .into_iter()
        .map(|ext| env.add_extension(ext))
        .collect();
    registrations.extend([
            cel::add_overload!(env, fn re_matches: (CelString, CelString) -> Result<CelBool>, name = RE_MATCHES),
            cel::add_overload!(env, fn allows: (CelString, CelString, CelString, CelString) -> Result<CelBool>, name = ALLOWS),
            cel::add_overload!(env, fn allows_named: (CelString, CelString, CelString, CelString) -> Result<CelBool>, name = ALLOWS_NAMED),
            env.add_macro(Macro::receiver("matches", 1, |helper, target, args| {
                let mut all = Vec::with_capacity(2);
                all.extend(target.take());
                all.append(args);
                Ok(Some(helper.next_expr(Expr::Call(CallExpr {
                    func_name: RE_MATCHES.to_string(),
                    target: None,
                    args: all,
                }))))
            })),
            env.add_macro(Macro::global("matches", 2, |helper, _target, args| {
                Ok(Some(helper.next_expr(Expr::Call(CallExpr {
                    func_name: RE_MATCHES.to_string(),
                    target: None,
                    args: std::mem::take(args),
                }))))
            })),
    ]);
    for r in registrations {
        // Only a name clash inside the cel crate itself can fail here; the
        // test suite would show it, and rules then report unknown functions.
        if let Err(e) = r {
            crate::stdio::eprintln(format_args!("caplevel: CEL environment: {e:?}"));
        }
    }
    Arc::new(env)
}

/// The compiled patterns of one thread.
type Patterns = HashMap<String, Result<Regex, String>, BuildHasherDefault<PatternHasher>>;

thread_local! {
    static PATTERNS: RefCell<Patterns> = RefCell::new(Patterns::default());
}

/// A multiply-rotate hash for the pattern cache. Every `matches` call looks
/// its pattern up, and SipHash over patterns of a few hundred bytes cost
/// more than many of the matches themselves; keys are still compared in
/// full, so a collision only costs a comparison.
#[derive(Default)]
struct PatternHasher(u64);

impl Hasher for PatternHasher {
    fn write(&mut self, bytes: &[u8]) {
        for chunk in bytes.chunks(8) {
            let mut word = [0u8; 8];
            word[..chunk.len()].copy_from_slice(chunk);
            self.0 = (self.0.rotate_left(5) ^ u64::from_le_bytes(word))
                .wrapping_mul(0x517c_c1b7_2722_0a95);
        }
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

fn allows(
    text: &CelString<'_>,
    groups: &CelString<'_>,
    resources: &CelString<'_>,
    verbs: &CelString<'_>,
) -> Result<CelBool, ExecutionError> {
    allows_lines(text, groups, resources, verbs, true)
}

fn allows_named(
    text: &CelString<'_>,
    groups: &CelString<'_>,
    resources: &CelString<'_>,
    verbs: &CelString<'_>,
) -> Result<CelBool, ExecutionError> {
    allows_lines(text, groups, resources, verbs, false)
}

/// Whether a line of `text` allows a name of each pattern; `full_wildcard`
/// says whether a `*/*` line (every resource of every group) counts.
fn allows_lines(
    text: &CelString<'_>,
    groups: &CelString<'_>,
    resources: &CelString<'_>,
    verbs: &CelString<'_>,
    full_wildcard: bool,
) -> Result<CelBool, ExecutionError> {
    let whole = |p: &str| format!("^(?:{p})$");
    let (g, r, v) = (
        whole(groups.inner()),
        whole(resources.inner()),
        whole(verbs.inner()),
    );
    with_pattern(&g, |g| {
        with_pattern(&r, |r| {
            with_pattern(&v, |v| {
                // Named only: no `*/*` line, and a `*` group's line only
                // when the pattern names the resources it asks for.
                let any_resource = r.is_match(NO_RESOURCE);
                let allowed = text.inner().lines().any(|line| {
                    (full_wildcard
                        || !(line.starts_with("*/* ") || any_resource && line.starts_with("*/")))
                        && grant_allows(line, g, r, v)
                });
                Ok(CelBool::from(allowed))
            })
        })
    })
}

/// Whether one `grantText` line allows a name of each pattern; `*` in the
/// grant covers any name.
pub(crate) fn grant_allows(line: &str, groups: &Regex, resources: &Regex, verbs: &Regex) -> bool {
    let Some((group, rest)) = line.split_once('/') else {
        return false;
    };
    let Some((resource, verb)) = rest.rsplit_once(' ') else {
        return false;
    };
    (group == "*" || groups.is_match(group))
        && (resource == "*" || resources.is_match(resource))
        && (verb == "*" || verbs.is_match(verb))
}

/// Runs `f` with the compiled `pattern`, compiling it once per thread.
fn with_pattern<T>(
    pattern: &str,
    f: impl FnOnce(&Regex) -> Result<T, ExecutionError>,
) -> Result<T, ExecutionError> {
    let compiled = PATTERNS.with(|cache| {
        let mut cache = cache.borrow_mut();
        if !cache.contains_key(pattern) {
            if cache.len() >= CACHE_LIMIT {
                cache.clear();
            }
            let compiled = Regex::new(pattern).map_err(|e| e.to_string());
            cache.insert(pattern.to_string(), compiled);
        }
        cache.get(pattern).cloned()
    });
    match compiled {
        Some(Ok(re)) => f(&re),
        Some(Err(e)) => Err(ExecutionError::function_error(
            "allows",
            format!("'{pattern}' is not a valid regex: {e}"),
        )),
        None => Err(ExecutionError::function_error("allows", "regex cache")),
    }
}

fn re_matches(text: &CelString<'_>, pattern: &CelString<'_>) -> Result<CelBool, ExecutionError> {
    PATTERNS.with(|cache| {
        let mut cache = cache.borrow_mut();
        if !cache.contains_key(pattern.inner()) {
            if cache.len() >= CACHE_LIMIT {
                cache.clear();
            }
            let compiled = Regex::new(pattern.inner()).map_err(|e| e.to_string());
            cache.insert(pattern.inner().to_string(), compiled);
        }
        match cache.get(pattern.inner()) {
            Some(Ok(re)) => Ok(CelBool::from(re.is_match(text.inner()))),
            Some(Err(e)) => Err(ExecutionError::function_error(
                "matches",
                format!("'{}' is not a valid regex: {e}", pattern.inner()),
            )),
            None => Err(ExecutionError::function_error("matches", "regex cache")),
        }
    })
}

/// Checks a literal pattern when the rule loads, so a bad regex is a rule-file
/// error rather than an error finding on every package.
pub fn check_pattern(pattern: &str) -> Result<(), String> {
    Regex::new(pattern)
        .map(|_| ())
        .map_err(|e| format!("invalid regex '{pattern}': {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use cel::{Context, Value};

    fn eval(src: &str) -> Result<Value, ExecutionError> {
        let env = env();
        let program = env.compile(src).expect("compiles");
        program.execute(&Context::with_env(env))
    }

    #[test]
    fn matches_is_rewritten_and_cached() {
        assert_eq!(
            eval("'spec.backup'.matches('^spec\\\\.backup$')"),
            Ok(Value::Bool(true))
        );
        assert_eq!(eval("matches('abc', 'x')"), Ok(Value::Bool(false)));
        assert_eq!(
            eval("['a', 'b'].exists(s, s.matches('b'))"),
            Ok(Value::Bool(true))
        );
        assert!(eval("'a'.matches('(')").is_err());
    }

    #[test]
    fn allows_reads_wildcards_as_grants_of_everything_they_cover() {
        let text = "batch/jobs get";
        let call = |t: &str, g: &str, r: &str, v: &str| {
            eval(&format!("allows('{t}', '{g}', '{r}', '{v}')"))
        };
        assert_eq!(
            call(text, "batch", "cronjobs|jobs", "get"),
            Ok(Value::Bool(true))
        );
        assert_eq!(
            call(text, "batch", "cronjobs", "get"),
            Ok(Value::Bool(false))
        );
        assert_eq!(
            call(text, "batch", "jobs", "create"),
            Ok(Value::Bool(false))
        );
        // `*` everywhere: cluster-admin grants everything.
        let admin = "*/* *";
        assert_eq!(
            call(admin, "batch", "cronjobs", "create"),
            Ok(Value::Bool(true))
        );
        assert_eq!(
            call("*/cronjobs create", "batch", "cronjobs", "create"),
            Ok(Value::Bool(true))
        );
        assert_eq!(
            call("/* create", "", "pods", "create"),
            Ok(Value::Bool(true))
        );
        assert_eq!(
            call("/* create", "batch", "jobs", "create"),
            Ok(Value::Bool(false))
        );
        // Patterns match whole names: `jobs` is not `cronjobs`.
        assert_eq!(
            call("batch/cronjobs create", "batch", "jobs", "create"),
            Ok(Value::Bool(false))
        );
        assert!(call(text, "(", "jobs", "get").is_err());
    }

    #[test]
    fn allows_named_leaves_out_only_the_full_wildcard() {
        let call = |t: &str| {
            eval(&format!(
                "allowsNamed('{t}', 'metrics\\\\.k8s\\\\.io', 'pods', 'get')"
            ))
        };
        assert_eq!(call("*/* *"), Ok(Value::Bool(false)));
        assert_eq!(call("*/* get"), Ok(Value::Bool(false)));
        assert_eq!(call("metrics.k8s.io/* *"), Ok(Value::Bool(true)));
        assert_eq!(call("*/pods get"), Ok(Value::Bool(true)));
        assert_eq!(call("metrics.k8s.io/pods get"), Ok(Value::Bool(true)));
        // A `*` group names nothing a pattern of any resource asks for:
        // `configmaps` in every group is no grant of a metrics API's.
        let any = |t: &str, g: &str| eval(&format!("allowsNamed('{t}', '{g}', '.*', 'get')"));
        let external = "external\\\\.metrics\\\\.k8s\\\\.io";
        assert_eq!(any("*/configmaps get", external), Ok(Value::Bool(false)));
        assert_eq!(any("*/pods get", external), Ok(Value::Bool(false)));
        assert_eq!(
            any("external.metrics.k8s.io/* get", external),
            Ok(Value::Bool(true))
        );
        assert_eq!(
            any("external.metrics.k8s.io/queue_depth get", external),
            Ok(Value::Bool(true))
        );
        // `allows` still reads the grant as the API server does.
        assert_eq!(
            eval(&format!(
                "allows('*/configmaps get', '{external}', '.*', 'get')"
            )),
            Ok(Value::Bool(true))
        );
        assert_eq!(
            eval("allows('*/* *', 'metrics\\\\.k8s\\\\.io', 'pods', 'get')"),
            Ok(Value::Bool(true))
        );
    }

    #[test]
    fn extensions_are_present() {
        assert_eq!(eval("'ABC'.lowerAscii()"), Ok(Value::from("abc")));
    }
}
