//! Turning rule specs into rules ready to run: CEL compiled once, names
//! checked, regexes built. CEL has no type checker, so a misspelt variable or
//! function would only fail when evaluated; it is rejected here instead.

use super::cel_env::{ALLOWS, ALLOWS_NAMED, RE_MATCHES, check_pattern, env};
use super::model::{Quantifier, Renderings, RuleSpec, Selector, WhenEmpty};
use super::patterns::{PATTERNS, PatternTable};
use crate::package::TargetKind;
use crate::phase::Phase;
use cel::common::ast::LiteralValue;
use cel::common::ast::operators::{ADD, INDEX};
use cel::common::ast::{EntryExpr, Expr, IdedExpr};
use cel::{Context, Env, Program};
use regex::Regex;
use std::collections::BTreeMap;
use std::sync::Arc;

/// A rule ready to evaluate.
#[derive(Debug)]
pub struct Rule {
    /// The rule as written.
    pub spec: RuleSpec,
    /// The file it came from (`builtin:rules/<phase>.yaml` for built-ins).
    pub source: String,
    /// The line of the rule in its file.
    pub line: u32,
    /// The compiled `applies-when`.
    pub applies_when: Option<Program>,
    /// The compiled `expect`.
    pub expect: Option<Program>,
    /// The compiled `note`: what a met object met `expect` with.
    pub note: Option<Program>,
    /// The compiled `where`: which selected objects are judged.
    pub where_: Option<Program>,
    /// The compiled selector.
    pub selector: Option<CompiledSelector>,
    /// What an empty selection means.
    pub when_empty: WhenEmpty,
    /// The named patterns the rule was compiled against, bound to
    /// `patterns` when it runs (one table shared by the rules loaded together).
    pub patterns: Arc<PatternTable>,
}

impl Rule {
    /// Stable id.
    pub fn id(&self) -> &str {
        &self.spec.id
    }
    /// Phase.
    pub fn phase(&self) -> Phase {
        self.spec.phase
    }
    /// Whether the rule reads this kind of target.
    pub fn applies_to(&self, kind: TargetKind) -> bool {
        self.spec.applies_to.contains(&kind)
    }
}

/// A selector with its name regex built.
#[derive(Debug)]
pub struct CompiledSelector {
    /// Kinds, empty = any.
    pub kinds: Vec<String>,
    /// API versions (`group/version` or `group/*`), empty = any.
    pub api_versions: Vec<String>,
    /// Whole-name regex.
    pub name: Option<Regex>,
    /// Required labels.
    pub labels: BTreeMap<String, String>,
    /// Embedded-only / files-only.
    pub embedded: Option<bool>,
    /// Only roles the operator's service accounts hold (or only others).
    pub held_by_operator: Option<bool>,
    /// Only workloads running the operator itself (or only others).
    pub operator_workload: Option<bool>,
}

/// A problem in a rule, with the line it is on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleProblem {
    /// 1-based line in the rule file.
    pub line: u32,
    /// What is wrong.
    pub message: String,
}

/// Compiles one rule spec against the named patterns; `line` is where the
/// rule starts.
pub fn compile(
    spec: RuleSpec,
    source: &str,
    line: u32,
    patterns: &Arc<PatternTable>,
) -> Result<Rule, RuleProblem> {
    let problem = |line: u32, message: String| RuleProblem { line, message };
    let id_ok = Regex::new("^[a-z0-9]+(-[a-z0-9]+)*$")
        .map(|r| r.is_match(&spec.id))
        .unwrap_or(false);
    if !id_ok {
        return Err(problem(
            line,
            format!("rule id `{}` is not kebab-case", spec.id),
        ));
    }
    let ctx = format!("rule `{}`", spec.id);
    if !(1..=10).contains(&spec.weight) {
        return Err(problem(
            line,
            format!("{ctx}: weight must be 1 to 10, not {}", spec.weight),
        ));
    }
    if let Some(bad) = spec.tags.iter().find(|t| {
        !Regex::new("^[a-z0-9]+(-[a-z0-9]+)*$")
            .map(|r| r.is_match(t))
            .unwrap_or(false)
    }) {
        return Err(problem(
            line,
            format!("{ctx}: tag `{bad}` is not kebab-case"),
        ));
    }
    if spec.applies_to.is_empty() {
        return Err(problem(
            line,
            format!("{ctx}: applies-to lists no target kind"),
        ));
    }
    if spec.select.is_none() && spec.expect.is_none() {
        return Err(problem(
            line,
            format!("{ctx}: needs `select`, `expect` or both"),
        ));
    }
    if spec.quantifier == Quantifier::All && spec.expect.is_none() {
        return Err(problem(
            line,
            format!("{ctx}: quantifier `all` needs an `expect`"),
        ));
    }
    if spec.select.is_none() && (spec.quantifier != Quantifier::Exists || spec.when_empty.is_some())
    {
        return Err(problem(
            line,
            format!("{ctx}: `quantifier` and `when-empty` need a `select`"),
        ));
    }
    let has_object = spec.select.is_some();
    let applies_when = match &spec.applies_when {
        Some(src) => Some(compile_cel(&src.value, false, patterns).map_err(|m| {
            problem(
                src.referenced.line() as u32,
                format!("{ctx}: applies-when: {m}"),
            )
        })?),
        None => None,
    };
    let expect =
        match &spec.expect {
            Some(src) => Some(compile_cel(&src.value, has_object, patterns).map_err(|m| {
                problem(src.referenced.line() as u32, format!("{ctx}: expect: {m}"))
            })?),
            None => None,
        };
    if spec.also_locate.is_some() && spec.select.is_none() {
        return Err(problem(
            line,
            format!("{ctx}: `also-locate` needs a `select`"),
        ));
    }
    if spec.note.is_some() && (spec.select.is_none() || spec.expect.is_none()) {
        return Err(problem(
            line,
            format!("{ctx}: `note` needs a `select` and an `expect`"),
        ));
    }
    let note = match &spec.note {
        Some(src) => Some(
            compile_cel(&src.value, has_object, patterns)
                .map_err(|m| problem(src.referenced.line() as u32, format!("{ctx}: note: {m}")))?,
        ),
        None => None,
    };
    if spec.renderings != Renderings::Any && spec.select.is_none() {
        return Err(problem(
            line,
            format!("{ctx}: `renderings` needs a `select`"),
        ));
    }
    if spec.where_.is_some() && spec.select.is_none() {
        return Err(problem(line, format!("{ctx}: `where` needs a `select`")));
    }
    let where_ = match &spec.where_ {
        Some(src) => Some(
            compile_cel(&src.value, has_object, patterns)
                .map_err(|m| problem(src.referenced.line() as u32, format!("{ctx}: where: {m}")))?,
        ),
        None => None,
    };
    let selector = match &spec.select {
        Some(sel) => {
            Some(compile_selector(sel).map_err(|m| problem(line, format!("{ctx}: select: {m}")))?)
        }
        None => None,
    };
    let when_empty = spec.when_empty.unwrap_or(match spec.quantifier {
        Quantifier::Exists => WhenEmpty::Fail,
        Quantifier::None => WhenEmpty::Pass,
        Quantifier::All => WhenEmpty::NotApplicable,
    });
    Ok(Rule {
        spec,
        source: source.to_string(),
        line,
        applies_when,
        expect,
        note,
        where_,
        selector,
        when_empty,
        patterns: patterns.clone(),
    })
}

fn compile_selector(sel: &Selector) -> Result<CompiledSelector, String> {
    let name = match &sel.name {
        Some(pattern) => {
            Some(Regex::new(&format!("^(?:{pattern})$")).map_err(|e| format!("name regex: {e}"))?)
        }
        None => None,
    };
    Ok(CompiledSelector {
        kinds: sel.kind.as_ref().map(|k| k.to_vec()).unwrap_or_default(),
        api_versions: sel
            .api_version
            .as_ref()
            .map(|k| k.to_vec())
            .unwrap_or_default(),
        name,
        labels: sel.labels.clone(),
        embedded: sel.embedded,
        held_by_operator: sel.held_by_operator,
        operator_workload: sel.operator_workload,
    })
}

/// Compiles a CEL expression and checks every name it uses, the named
/// patterns it reads included.
pub fn compile_cel(
    source: &str,
    has_object: bool,
    patterns: &PatternTable,
) -> Result<Program, String> {
    let env = env();
    let program = env
        .compile(source)
        .map_err(|e| format!("CEL does not parse: {e}"))?;
    let mut vars = vec!["pkg", "objects", PATTERNS];
    if has_object {
        vars.extend(["object", "facts"]);
    }
    let mut scope: Vec<String> = vars.iter().map(|s| s.to_string()).collect();
    let names = Names {
        env: &env,
        patterns,
    };
    check_names(program.expression(), &mut scope, &names)?;
    Ok(program)
}

/// What names an expression may use besides its variables.
struct Names<'a> {
    env: &'a Arc<Env>,
    patterns: &'a PatternTable,
}

impl Names<'_> {
    /// `patterns.<name>` (or `patterns['<name>']`) must name a defined
    /// pattern, unless a comprehension variable hides `patterns`.
    fn check_pattern_name(
        &self,
        operand: &IdedExpr,
        name: &str,
        scope: &[String],
    ) -> Result<(), String> {
        let reads_patterns = matches!(&operand.expr, Expr::Ident(v) if v == PATTERNS)
            && scope.iter().filter(|s| *s == PATTERNS).count() == 1;
        if reads_patterns && self.patterns.get(name).is_none() {
            return Err(format!(
                "unknown pattern `{name}` (defined: {})",
                self.patterns.names()
            ));
        }
        Ok(())
    }
}

/// Walks the expression: every identifier must be a bound variable or a
/// comprehension variable in scope; every named function must exist; every
/// named pattern read must be defined.
fn check_names(e: &IdedExpr, scope: &mut Vec<String>, names: &Names) -> Result<(), String> {
    let env = names.env;
    match &e.expr {
        Expr::Ident(name) => {
            if !scope.iter().any(|s| s == name) && !TYPE_NAMES.contains(&name.as_str()) {
                return Err(format!(
                    "unknown variable `{name}` (available: object, facts, objects, pkg, patterns)"
                ));
            }
        }
        Expr::Call(call) => {
            if call.func_name == INDEX
                && let [operand, index] = call.args.as_slice()
                && let Expr::Literal(LiteralValue::String(name)) = &index.expr
            {
                names.check_pattern_name(operand, name.inner(), scope)?;
            }
            if is_named_function(&call.func_name) && !function_exists(env, &call.func_name) {
                return Err(format!("unknown function `{}`", call.func_name));
            }
            // A literal pattern, or one joined from literals and named
            // pattern fragments (`'^(' + patterns.x + ')$'`), is checked
            // whole when the rule loads.
            if call.func_name == RE_MATCHES
                && let Some(p) = call
                    .args
                    .get(1)
                    .and_then(|a| constant_text(a, scope, names))
            {
                check_pattern(&p)?;
            }
            // `allows`' name patterns: a bad one is a rule-file error too.
            if call.func_name == ALLOWS || call.func_name == ALLOWS_NAMED {
                for arg in call.args.iter().skip(1) {
                    if let Expr::Literal(LiteralValue::String(p)) = &arg.expr {
                        check_pattern(&format!("^(?:{})$", p.inner()))?;
                    }
                }
            }
            if let Some(target) = &call.target {
                check_names(target, scope, names)?;
            }
            for a in &call.args {
                check_names(a, scope, names)?;
            }
        }
        Expr::Comprehension(c) => {
            check_names(&c.iter_range, scope, names)?;
            check_names(&c.accu_init, scope, names)?;
            let pushed = 2 + usize::from(c.iter_var2.is_some());
            scope.push(c.iter_var.clone());
            scope.push(c.accu_var.clone());
            if let Some(v2) = &c.iter_var2 {
                scope.push(v2.clone());
            }
            let result = check_names(&c.loop_cond, scope, names)
                .and_then(|_| check_names(&c.loop_step, scope, names))
                .and_then(|_| check_names(&c.result, scope, names));
            scope.truncate(scope.len() - pushed);
            result?;
        }
        Expr::List(l) => {
            for el in &l.elements {
                check_names(el, scope, names)?;
            }
        }
        Expr::Map(m) => {
            for entry in &m.entries {
                match &entry.expr {
                    EntryExpr::MapEntry(me) => {
                        check_names(&me.key, scope, names)?;
                        check_names(&me.value, scope, names)?;
                    }
                    EntryExpr::StructField(sf) => check_names(&sf.value, scope, names)?,
                }
            }
        }
        Expr::Select(s) => {
            if !s.test {
                names.check_pattern_name(&s.operand, &s.field, scope)?;
            }
            check_names(&s.operand, scope, names)?
        }
        Expr::Struct(s) => {
            for entry in &s.entries {
                if let EntryExpr::StructField(sf) = &entry.expr {
                    check_names(&sf.value, scope, names)?;
                }
            }
        }
        Expr::Literal(_) | Expr::Unspecified => {}
    }
    Ok(())
}

/// The text of a string expression known when the rule loads: a literal, a
/// named pattern (`patterns.x`, `patterns['x']`) or a `+` of such; `None`
/// for anything read at run time.
fn constant_text(e: &IdedExpr, scope: &[String], names: &Names) -> Option<String> {
    let pattern = |operand: &IdedExpr, name: &str| {
        let reads_patterns = matches!(&operand.expr, Expr::Ident(v) if v == PATTERNS)
            && scope.iter().filter(|s| *s == PATTERNS).count() == 1;
        reads_patterns
            .then(|| names.patterns.get(name).map(|p| p.pattern.clone()))
            .flatten()
    };
    match &e.expr {
        Expr::Literal(LiteralValue::String(s)) => Some(s.inner().to_string()),
        Expr::Select(s) if !s.test => pattern(&s.operand, &s.field),
        Expr::Call(call) if call.target.is_none() => {
            match (call.func_name.as_str(), call.args.as_slice()) {
                (INDEX, [operand, index]) => match &index.expr {
                    Expr::Literal(LiteralValue::String(name)) => pattern(operand, name.inner()),
                    _ => None,
                },
                (ADD, [left, right]) => {
                    Some(constant_text(left, scope, names)? + &constant_text(right, scope, names)?)
                }
                _ => None,
            }
        }
        _ => None,
    }
}

/// CEL's type identifiers (`type(x) == map`), always in scope.
const TYPE_NAMES: &[&str] = &[
    "bool",
    "bytes",
    "double",
    "dyn",
    "int",
    "list",
    "map",
    "null_type",
    "string",
    "type",
    "uint",
];

/// Operators are calls too (`_&&_`, `@in`, `!_`); only named functions are checked.
fn is_named_function(name: &str) -> bool {
    name.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
}

/// The cel crate does not expose its function table, but refuses to let a
/// context redefine a function its environment declares: that refusal is
/// the test of existence.
fn function_exists(env: &Arc<Env>, name: &str) -> bool {
    let mut ctx = Context::with_env(env.clone());
    ctx.add_function(name, || 0i64).is_err()
}
