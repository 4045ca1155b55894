//! The executor: Go's `text/template/exec.go` over [`Value`]s.

use std::collections::HashMap;
use std::rc::Rc;
use std::sync::Arc;

use super::fmt::{sprint, sprintf, sprintln};
use super::parse::{self, Arg, Branch, Command, List, Node, ParseError, Pipe, Tree, Trees};
use super::sig::{self, Nil, Sig};
use super::value::{GoKind, IntKind, Map, Value};

/// A template function. It gets the running execution (for functions that
/// execute templates, like Helm's `include` and `tpl`) and its evaluated
/// arguments; an `Err` is reported as Go does, `error calling NAME: …`.
pub type Func = Rc<dyn Fn(&mut Exec<'_>, &[Value]) -> Result<Value, String>>;

/// Methods of the host's objects (Helm's `.Files.Get`,
/// `.Capabilities.APIVersions.Has`): given the receiver, the method name and
/// the arguments, `Some` result when the receiver has such a method.
pub type Methods = Rc<dyn Fn(&Value, &str, &[Value]) -> Option<Result<Value, String>>>;

/// The signatures of the host's methods: given the receiver and the method
/// name, `Some` when the receiver has such a method (its arguments are then
/// checked as Go checks them, see [`Sig`]).
pub type MethodSigs = Rc<dyn Fn(&Value, &str) -> Option<Sig>>;

/// Bounds on one execution.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Deepest nesting of `template` calls and host calls into the
    /// executor (Go stops at 100000).
    pub max_depth: usize,
    /// Most `range` iterations in one execution.
    pub max_range_iters: u64,
    /// Most bytes one execution may write.
    pub max_output: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_depth: 100_000,
            max_range_iters: 1_000_000,
            max_output: 32 * 1024 * 1024,
        }
    }
}

/// An execution error, printed as Go prints it:
/// `template: NAME:LINE:COL: executing "NAME" at <CONTEXT>: MESSAGE`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error {
    /// The template being executed.
    pub template: String,
    /// The file of the node, and its line and 0-based column.
    pub location: Option<(String, u32, usize)>,
    /// The node's text.
    pub context: String,
    /// What went wrong.
    pub message: String,
}

impl std::fmt::Display for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.location {
            Some((file, line, col)) => write!(
                f,
                "template: {file}:{line}:{col}: executing {:?} at <{}>: {}",
                self.template, self.context, self.message
            ),
            None => write!(f, "template: {}: {}", self.template, self.message),
        }
    }
}

impl std::error::Error for Error {}

/// A position mark in the output of a file's own tree: the output offset
/// where a node's output starts, the node's template line, and whether
/// the node is an action (whose output may span lines).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Mark {
    /// Byte offset in the output.
    pub offset: usize,
    /// 1-based template line.
    pub line: u32,
    /// Whether the node is an action rather than literal text.
    pub action: bool,
}

/// A set of templates and the functions they may call (Go's associated
/// templates plus their `FuncMap`).
#[derive(Default)]
pub struct Set {
    funcs: HashMap<String, Func>,
    trees: Trees,
    methods: Option<Methods>,
    /// Go signatures of functions, checked before a call (see [`Sig`]).
    sigs: HashMap<String, Sig>,
    method_sigs: Option<MethodSigs>,
    /// Bounds for executions.
    pub limits: Limits,
}

impl Set {
    /// An empty set with Go's builtin functions.
    pub fn new() -> Set {
        Set::default()
    }

    /// Adds (or replaces) a function.
    pub fn add_func(&mut self, name: &str, f: Func) {
        self.funcs.insert(name.to_owned(), f);
    }

    /// Adds a function that needs no access to the execution.
    pub fn add_plain(
        &mut self,
        name: &str,
        f: impl Fn(&[Value]) -> Result<Value, String> + 'static,
    ) {
        self.add_func(name, Rc::new(move |_: &mut Exec<'_>, a: &[Value]| f(a)));
    }

    /// Sets the host's methods.
    pub fn set_methods(&mut self, m: Methods) {
        self.methods = Some(m);
    }

    /// Declares a function's Go signature: its calls are then checked as
    /// Go's `evalCall` checks them (argument count and types) before it runs.
    pub fn add_sig(&mut self, name: &str, sig: Sig) {
        self.sigs.insert(name.to_owned(), sig);
    }

    /// Sets the signatures of the host's methods (see [`MethodSigs`]).
    pub fn set_method_sigs(&mut self, m: MethodSigs) {
        self.method_sigs = Some(m);
    }

    /// Whether a function of that name exists (user or builtin).
    pub fn has_func(&self, name: &str) -> bool {
        self.funcs.contains_key(name) || BUILTINS.contains(&name)
    }

    /// Parses `text` as template `name` (Go's `t.New(name).Parse(text)`):
    /// the file's tree and its definitions join the set; a definition that
    /// is only white space does not replace an existing one.
    pub fn parse(&mut self, name: &str, text: &str) -> Result<(), ParseError> {
        let trees = parse::parse(name, text, &|f| self.has_func(f))?;
        for t in trees {
            self.associate(t);
        }
        Ok(())
    }

    /// Adds one parsed tree under its name, with Go's rule for empty ones.
    pub fn associate(&mut self, t: Tree) {
        if t.is_empty()
            && let Some(old) = self.trees.get(&t.name)
            && !old.root.nodes.is_empty()
        {
            return;
        }
        self.trees.insert(t.name.clone(), Rc::new(t));
    }

    /// The template of that name.
    pub fn lookup(&self, name: &str) -> Option<&Rc<Tree>> {
        self.trees.get(name)
    }

    /// Executes template `name` with `data` as dot; with `marks`, records
    /// where each node of that template's own tree starts in the output.
    pub fn execute(
        &self,
        name: &str,
        data: &Value,
        marks: Option<&mut Vec<Mark>>,
    ) -> Result<String, Error> {
        let mut exec = Exec {
            set: self,
            overlays: Vec::new(),
            depth: 0,
            range_iters: 0,
            addr: false,
            iface: false,
        };
        let Some(tree) = self.trees.get(name).cloned() else {
            return Err(Error {
                template: name.to_owned(),
                location: None,
                context: String::new(),
                message: format!("no template {name:?} associated with template set"),
            });
        };
        let mut out = Out {
            text: String::new(),
            marks,
            max: self.limits.max_output,
        };
        exec.run(&tree, data, &mut out)?;
        Ok(out.text)
    }
}

/// The names Go's `text/template` predefines.
const BUILTINS: &[&str] = &[
    "and", "call", "html", "index", "slice", "js", "len", "not", "or", "print", "printf",
    "println", "urlquery", "eq", "ge", "gt", "le", "lt", "ne",
];

/// A running execution.
pub struct Exec<'a> {
    set: &'a Set,
    /// Definitions added by `tpl`-like calls, searched before the set.
    overlays: Vec<Rc<Trees>>,
    depth: usize,
    range_iters: u64,
    /// Whether the value the operand or command evaluated last is
    /// addressable, in Go's `reflect` sense: a struct field read through a
    /// pointer (or through an addressable struct), kept by variables, dot
    /// and `and`/`or`, lost by every other function call and by map and
    /// `interface {}` elements. Only printing reads it (see
    /// [`super::value::GoType::addr_stringer`]).
    addr: bool,
    /// Whether the operand evaluated last has static type `interface {}`
    /// (a map or range element): a nil one is then a nil interface, which
    /// Go's `validateType` names `interface {}`, rather than no value.
    iface: bool,
}

struct Out<'m> {
    text: String,
    marks: Option<&'m mut Vec<Mark>>,
    max: usize,
}

struct Frame<'t> {
    tree: &'t Tree,
    /// Variables: name, value, whether the value's static Go type is
    /// `interface {}` (a range element) rather than the concrete type a
    /// pipeline yields (see [`Exec::eval_chain`]), and whether it is
    /// addressable (see [`Exec::addr`]).
    vars: Vec<(String, Value, bool, bool)>,
    /// Whether dot is a range element (static type `interface {}`).
    dot_iface: bool,
    /// Whether dot is addressable (see [`Exec::addr`]).
    dot_addr: bool,
    /// Whether marks are recorded (the entry tree's own nodes).
    top: bool,
    /// The node being evaluated, for error positions.
    at: usize,
    at_text: Arc<str>,
}

/// Why a walk stopped early.
enum Flow {
    Break,
    Continue,
    Fail(Box<Error>),
}

type R<T> = Result<T, Flow>;

impl<'a> Exec<'a> {
    /// The set being executed.
    pub fn set(&self) -> &'a Set {
        self.set
    }

    /// How deep template calls are nested now.
    pub fn depth(&self) -> usize {
        self.depth
    }

    fn lookup(&self, name: &str) -> Option<Rc<Tree>> {
        for o in self.overlays.iter().rev() {
            if let Some(t) = o.get(name) {
                return Some(t.clone());
            }
        }
        self.set.trees.get(name).cloned()
    }

    /// Whether a template of that name exists (overlays included).
    pub fn has_template(&self, name: &str) -> bool {
        self.lookup(name).is_some()
    }

    /// Executes template `name` with `data` into a string (Go's
    /// `ExecuteTemplate`, as Helm's `include` calls it).
    pub fn execute_template(&mut self, name: &str, data: &Value) -> Result<String, Error> {
        let Some(tree) = self.lookup(name) else {
            return Err(Error {
                template: name.to_owned(),
                location: None,
                context: String::new(),
                message: format!("no template {name:?} associated with template \"gotpl\""),
            });
        };
        let mut out = Out {
            text: String::new(),
            marks: None,
            max: self.set.limits.max_output,
        };
        self.run(&tree, data, &mut out)?;
        Ok(out.text)
    }

    /// Parses `text` as a template named `name` whose definitions are
    /// visible (to it and what it calls) on top of the set, and executes
    /// it with `data` (Helm's `tpl`).
    pub fn execute_text(&mut self, name: &str, text: &str, data: &Value) -> Result<String, String> {
        let set = self.set;
        let trees = parse::parse(name, text, &|f| set.has_func(f)).map_err(|e| e.to_string())?;
        let mut overlay: Trees = HashMap::new();
        let mut iter = trees.into_iter();
        let Some(main) = iter.next() else {
            return Ok(String::new());
        };
        for t in iter {
            overlay.insert(t.name.clone(), Rc::new(t));
        }
        let pushed = !overlay.is_empty();
        if pushed {
            self.overlays.push(Rc::new(overlay));
        }
        let mut out = Out {
            text: String::new(),
            marks: None,
            max: self.set.limits.max_output,
        };
        let r = self.run(&main, data, &mut out);
        if pushed {
            self.overlays.pop();
        }
        r.map_err(|e| e.to_string())?;
        Ok(out.text)
    }

    fn run(&mut self, tree: &Tree, data: &Value, out: &mut Out<'_>) -> Result<(), Error> {
        if self.depth >= self.set.limits.max_depth {
            return Err(Error {
                template: tree.name.clone(),
                location: None,
                context: String::new(),
                message: format!(
                    "exceeded maximum template depth ({})",
                    self.set.limits.max_depth
                ),
            });
        }
        self.depth += 1;
        let mut frame = Frame {
            tree,
            vars: vec![("$".into(), data.clone(), false, false)],
            dot_iface: false,
            dot_addr: false,
            top: out.marks.is_some(),
            at: 0,
            at_text: Arc::from(""),
        };
        let r = self.walk_list(&mut frame, data, &tree.root, out);
        self.depth -= 1;
        match r {
            Ok(()) => Ok(()),
            Err(Flow::Fail(e)) => Err(*e),
            Err(Flow::Break | Flow::Continue) => Ok(()),
        }
    }

    fn fail(&self, f: &Frame<'_>, message: String) -> Flow {
        let (line, col) = f.tree.line_col(f.at);
        Flow::Fail(Box::new(Error {
            template: f.tree.name.clone(),
            location: Some((f.tree.parse_name.to_string(), line, col)),
            context: f.at_text.to_string(),
            message,
        }))
    }

    fn at(f: &mut Frame<'_>, pos: usize, text: &str) {
        f.at = pos;
        if &*f.at_text != text {
            f.at_text = Arc::from(text);
        }
    }

    fn write(&self, f: &Frame<'_>, out: &mut Out<'_>, s: &str) -> R<()> {
        if out.text.len() + s.len() > out.max {
            return Err(self.fail(
                f,
                format!("the output is over the limit of {} bytes", out.max),
            ));
        }
        out.text.push_str(s);
        Ok(())
    }

    fn mark(f: &Frame<'_>, out: &mut Out<'_>, pos: usize, action: bool) {
        if !f.top {
            return;
        }
        let offset = out.text.len();
        if let Some(m) = out.marks.as_deref_mut() {
            m.push(Mark {
                offset,
                line: f.tree.line_col(pos).0,
                action,
            });
        }
    }

    fn walk_list(
        &mut self,
        f: &mut Frame<'_>,
        dot: &Value,
        list: &List,
        out: &mut Out<'_>,
    ) -> R<()> {
        for node in &list.nodes {
            self.walk(f, dot, node, out)?;
        }
        Ok(())
    }

    fn walk(&mut self, f: &mut Frame<'_>, dot: &Value, node: &Node, out: &mut Out<'_>) -> R<()> {
        match node {
            Node::Text { pos, text } => {
                Self::mark(f, out, *pos, false);
                self.write(f, out, text)
            }
            Node::Action { pos, pipe } => {
                Self::mark(f, out, *pos, true);
                let v = self.eval_pipeline(f, dot, pipe)?;
                if pipe.decl.is_empty() {
                    self.write(f, out, &super::value::print_value(&v, self.addr))?;
                }
                Ok(())
            }
            Node::If(b) => self.walk_if_with(f, dot, b, false, out),
            Node::With(b) => self.walk_if_with(f, dot, b, true, out),
            Node::Range(b) => self.walk_range(f, dot, b, out),
            Node::Break { .. } => Err(Flow::Break),
            Node::Continue { .. } => Err(Flow::Continue),
            Node::Template { pos, name, pipe } => {
                Self::mark(f, out, *pos, true);
                Self::at(f, *pos, &format!("{{{{template {name:?}}}}}"));
                let Some(tree) = self.lookup(name) else {
                    return Err(self.fail(f, format!("template {name:?} not defined")));
                };
                let data = match pipe {
                    Some(p) => self.eval_pipeline(f, dot, p)?,
                    None => Value::Nil,
                };
                // Go hands the pipeline's reflect.Value over as it is.
                let addr = pipe.is_some() && self.addr;
                if self.depth >= self.set.limits.max_depth {
                    return Err(self.fail(
                        f,
                        format!(
                            "exceeded maximum template depth ({})",
                            self.set.limits.max_depth
                        ),
                    ));
                }
                self.depth += 1;
                let mut inner = Frame {
                    tree: &tree,
                    vars: vec![("$".into(), data.clone(), false, addr)],
                    dot_iface: false,
                    dot_addr: addr,
                    top: false,
                    at: 0,
                    at_text: Arc::from(""),
                };
                let r = self.walk_list(&mut inner, &data, &tree.root, out);
                self.depth -= 1;
                match r {
                    Err(Flow::Break | Flow::Continue) => Ok(()),
                    other => other,
                }
            }
        }
    }

    fn walk_if_with(
        &mut self,
        f: &mut Frame<'_>,
        dot: &Value,
        b: &Branch,
        with: bool,
        out: &mut Out<'_>,
    ) -> R<()> {
        let mark = f.vars.len();
        let val = self.eval_pipeline(f, dot, &b.pipe)?;
        let r = if val.is_truthy() {
            if with {
                // `with` sets dot to the pipeline's value, of its concrete type.
                let outer = std::mem::replace(&mut f.dot_iface, false);
                let outer_addr = std::mem::replace(&mut f.dot_addr, self.addr);
                let r = self.walk_list(f, &val, &b.list, out);
                f.dot_iface = outer;
                f.dot_addr = outer_addr;
                r
            } else {
                self.walk_list(f, dot, &b.list, out)
            }
        } else if let Some(e) = &b.else_list {
            self.walk_list(f, dot, e, out)
        } else {
            Ok(())
        };
        f.vars.truncate(mark);
        r
    }

    fn walk_range(
        &mut self,
        f: &mut Frame<'_>,
        dot: &Value,
        b: &Branch,
        out: &mut Out<'_>,
    ) -> R<()> {
        let outer = f.vars.len();
        let val = self.eval_pipeline(f, dot, &b.pipe)?;
        let mark = f.vars.len();
        let items: Vec<(Value, Value)> = match &val {
            Value::List(l) => l
                .iter()
                .enumerate()
                .map(|(i, v)| (Value::from_usize(i), v.clone()))
                .collect(),
            // A struct (through its pointer) has nothing to range over.
            Value::Map(m) if m.go_struct().is_some() => {
                let shown = super::value::go_string(&val);
                return Err(self.fail(
                    f,
                    format!(
                        "range can't iterate over {}",
                        shown.strip_prefix('&').unwrap_or(&shown)
                    ),
                ));
            }
            Value::Map(m) => m
                .pairs()
                .into_iter()
                .map(|(k, v)| (Value::String(k), v))
                .collect(),
            Value::Bytes(_) => val
                .slice_items()
                .unwrap_or_default()
                .into_iter()
                .enumerate()
                .map(|(i, v)| (Value::from_usize(i), v))
                .collect(),
            Value::Int(n, kind) => {
                if b.pipe.decl.len() > 1 {
                    return Err(self.fail(
                        f,
                        format!("can't use {n} to iterate over more than one variable"),
                    ));
                }
                let n = (*n).clamp(
                    0,
                    i64::try_from(self.set.limits.max_range_iters)
                        .unwrap_or(i64::MAX)
                        .saturating_add(1),
                );
                // Go's `range` over an integer yields values of its type
                // (an int64 counts in int64s).
                (0..n)
                    .map(|i| (Value::Int(i, *kind), Value::Int(i, *kind)))
                    .collect()
            }
            Value::Nil => Vec::new(),
            other => {
                Self::at(f, b.pos, "range");
                return Err(self.fail(
                    f,
                    format!(
                        "range can't iterate over {}",
                        super::value::go_string(other)
                    ),
                ));
            }
        };
        let mut result = Ok(());
        let ran = !items.is_empty();
        for (index, elem) in items {
            self.range_iters += 1;
            if self.range_iters > self.set.limits.max_range_iters {
                Self::at(f, b.pos, "range");
                result = Err(self.fail(
                    f,
                    format!(
                        "range: over the range iteration budget of {} iterations",
                        self.set.limits.max_range_iters
                    ),
                ));
                break;
            }
            let decl = &b.pipe.decl;
            if !decl.is_empty() {
                if b.pipe.is_assign {
                    let first = if decl.len() > 1 {
                        index.clone()
                    } else {
                        elem.clone()
                    };
                    self.set_var(f, &decl[0], first, true)?;
                    if decl.len() > 1 {
                        self.set_var(f, &decl[1], elem.clone(), true)?;
                    }
                } else {
                    // The element is the last declared variable, the index the one before.
                    let n = f.vars.len();
                    f.vars[n - 1].1 = elem.clone();
                    f.vars[n - 1].2 = true;
                    f.vars[n - 1].3 = false;
                    if decl.len() > 1 {
                        f.vars[n - 2].1 = index.clone();
                    }
                }
            }
            // Elements of an `interface {}` slice or map are copies.
            let outer_iface = std::mem::replace(&mut f.dot_iface, true);
            let outer_addr = std::mem::replace(&mut f.dot_addr, false);
            let r = self.walk_list(f, &elem, &b.list, out);
            f.dot_iface = outer_iface;
            f.dot_addr = outer_addr;
            f.vars.truncate(mark);
            match r {
                Ok(()) | Err(Flow::Continue) => {}
                Err(Flow::Break) => break,
                Err(e) => {
                    result = Err(e);
                    break;
                }
            }
        }
        if result.is_ok()
            && !ran
            && let Some(e) = &b.else_list
        {
            result = self.walk_list(f, dot, e, out);
        }
        f.vars.truncate(outer);
        result
    }

    fn set_var(&self, f: &mut Frame<'_>, name: &str, v: Value, iface: bool) -> R<()> {
        let addr = self.addr && !iface;
        for slot in f.vars.iter_mut().rev() {
            if slot.0 == name {
                slot.1 = v;
                slot.2 = iface;
                slot.3 = addr;
                return Ok(());
            }
        }
        Err(self.fail(f, format!("undefined variable: {name}")))
    }

    /// A variable's value, and whether its static type is `interface {}`;
    /// [`Exec::addr`] says whether it is addressable.
    fn var(&mut self, f: &Frame<'_>, name: &str) -> R<(Value, bool)> {
        for slot in f.vars.iter().rev() {
            if slot.0 == name {
                self.addr = slot.3;
                return Ok((slot.1.clone(), slot.2));
            }
        }
        Err(self.fail(f, format!("undefined variable: {name}")))
    }

    fn eval_pipeline(&mut self, f: &mut Frame<'_>, dot: &Value, pipe: &Pipe) -> R<Value> {
        let mut value: Option<Value> = None;
        self.addr = false;
        for cmd in &pipe.cmds {
            value = Some(self.eval_command(f, dot, cmd, value)?);
        }
        let value = value.unwrap_or_default();
        for name in &pipe.decl {
            if pipe.is_assign {
                self.set_var(f, name, value.clone(), false)?;
            } else {
                f.vars.push((name.clone(), value.clone(), false, self.addr));
            }
        }
        Ok(value)
    }

    fn not_a_function(&self, f: &Frame<'_>, cmd: &Command, fin: &Option<Value>) -> R<()> {
        if cmd.args.len() > 1 || fin.is_some() {
            return Err(self.fail(
                f,
                format!(
                    "can't give argument to non-function {}",
                    arg_string(&cmd.args[0], &f.tree.source)
                ),
            ));
        }
        Ok(())
    }

    fn eval_command(
        &mut self,
        f: &mut Frame<'_>,
        dot: &Value,
        cmd: &Command,
        fin: Option<Value>,
    ) -> R<Value> {
        let first = &cmd.args[0];
        // Go's `s.at(node)`: errors name the node evaluated last, with its
        // position and text as Go's parse tree has them.
        if !matches!(first, Arg::Identifier(..) | Arg::Pipe(..)) {
            Self::at_arg(f, first);
        }
        match first {
            Arg::Field(_, idents) => {
                self.addr = f.dot_addr;
                self.eval_chain(f, dot, dot.clone(), f.dot_iface, idents, &cmd.args, fin)
            }
            Arg::Chain(_, node, idents) => {
                if let Arg::Nil(_) = **node {
                    return Err(self.fail(f, "indirection through explicit nil".into()));
                }
                let recv = self.eval_arg(f, dot, node)?;
                self.eval_chain(f, dot, recv, false, idents, &cmd.args, fin)
            }
            Arg::Identifier(pos, name) => {
                let text = command_string(cmd, &f.tree.source);
                self.eval_function(f, dot, name, *pos, (cmd.pos, &text), &cmd.args, fin)
            }
            Arg::Pipe(_, p) => {
                self.not_a_function(f, cmd, &fin)?;
                self.eval_pipeline(f, dot, p)
            }
            Arg::Variable(_, name, idents) => {
                let (v, iface) = self.var(f, name)?;
                if idents.is_empty() {
                    self.not_a_function(f, cmd, &fin)?;
                    return Ok(v);
                }
                self.eval_chain(f, dot, v, iface, idents, &cmd.args, fin)
            }
            Arg::Const(_, v) => {
                self.not_a_function(f, cmd, &fin)?;
                self.addr = false;
                Ok(v.clone())
            }
            Arg::Dot(_) => {
                self.not_a_function(f, cmd, &fin)?;
                self.addr = f.dot_addr;
                Ok(dot.clone())
            }
            Arg::Nil(_) => Err(self.fail(f, "nil is not a command".into())),
        }
    }

    /// Go's `s.at(arg)`.
    fn at_arg(f: &mut Frame<'_>, arg: &Arg) {
        let pos = go_pos(arg, &f.tree.source);
        let text = arg_string(arg, &f.tree.source);
        Self::at(f, pos, &text);
    }

    /// An operand used as an argument.
    fn eval_arg(&mut self, f: &mut Frame<'_>, dot: &Value, arg: &Arg) -> R<Value> {
        Self::at_arg(f, arg);
        self.addr = matches!(arg, Arg::Dot(_) | Arg::Field(..)) && f.dot_addr;
        self.iface = false;
        match arg {
            Arg::Dot(_) => {
                self.iface = f.dot_iface;
                Ok(dot.clone())
            }
            Arg::Nil(_) => Ok(Value::Nil),
            Arg::Const(_, v) => Ok(v.clone()),
            Arg::Field(_, idents) => {
                self.eval_chain(f, dot, dot.clone(), f.dot_iface, idents, &[], None)
            }
            Arg::Variable(_, name, idents) => {
                let (v, iface) = self.var(f, name)?;
                if idents.is_empty() {
                    self.iface = iface;
                    return Ok(v);
                }
                self.eval_chain(f, dot, v, iface, idents, &[], None)
            }
            Arg::Pipe(_, p) => {
                let v = self.eval_pipeline(f, dot, p);
                // A pipeline's result is unwrapped from its interface.
                self.iface = false;
                v
            }
            Arg::Identifier(pos, name) => {
                let text = name.clone();
                self.eval_function(f, dot, name, *pos, (*pos, &text), &[], None)
            }
            Arg::Chain(_, node, idents) => {
                if let Arg::Nil(_) = **node {
                    return Err(self.fail(f, "indirection through explicit nil".into()));
                }
                let recv = self.eval_arg(f, dot, node)?;
                self.eval_chain(f, dot, recv, false, idents, &[], None)
            }
        }
    }

    /// `recv.a.b.c`, where the last field gets the command's arguments
    /// (`args[0]` is the field operand itself).
    ///
    /// Go tells an *invalid* value (no value at all: what a pipeline that
    /// yields nil gives, so `$x := .missing`, `(index .m "missing")`, the
    /// data of `include "t" nil`) from a nil `interface {}` (a missing map
    /// key under `missingkey=zero`, a null in the values, a range element).
    /// A field of an invalid value is again invalid, silently; a field of
    /// a nil interface is the error `nil pointer evaluating interface {}.x`.
    /// `iface` says whether `recv` has static type `interface {}` (a range
    /// element), which also names the type in Go's messages.
    #[allow(clippy::too_many_arguments)]
    fn eval_chain(
        &mut self,
        f: &mut Frame<'_>,
        dot: &Value,
        mut recv: Value,
        iface: bool,
        idents: &[Arc<str>],
        args: &[Arg],
        fin: Option<Value>,
    ) -> R<Value> {
        if matches!(recv, Value::Nil) && !iface {
            self.addr = false;
            self.iface = false;
            return Ok(Value::Nil);
        }
        let mut ty: &'static str = if iface {
            "interface {}"
        } else {
            recv.type_name()
        };
        let n = idents.len();
        for (i, name) in idents.iter().enumerate() {
            let last = i + 1 == n;
            let (a, fi) = if last {
                (args, fin.clone())
            } else {
                (&[][..], None)
            };
            let from_struct = matches!(&recv, Value::Map(m) if m.go_struct().is_some());
            // A field (not a method result) of a struct is addressable
            // when the struct is reached through a pointer or is itself
            // addressable; a map element never is.
            let addr = match &recv {
                Value::Map(m) => m.go_type().is_some_and(|t| {
                    t.fields.iter().any(|f| f.name == &**name)
                        && (t.kind == GoKind::Ptr || (t.kind == GoKind::Struct && self.addr))
                }),
                _ => false,
            };
            recv = self.eval_field(f, dot, name, a, fi, recv, ty)?;
            self.addr = addr;
            // A struct field has its declared type; a map element is an
            // `interface {}` (Helm's values and objects are all such maps).
            ty = if from_struct {
                recv.type_name()
            } else {
                "interface {}"
            };
        }
        self.iface = ty == "interface {}";
        Ok(recv)
    }

    #[allow(clippy::too_many_arguments)]
    fn eval_field(
        &mut self,
        f: &mut Frame<'_>,
        dot: &Value,
        name: &str,
        args: &[Arg],
        fin: Option<Value>,
        recv: Value,
        ty: &str,
    ) -> R<Value> {
        if let Value::Nil = recv {
            return Err(self.fail(f, format!("nil pointer evaluating {ty}.{name}")));
        }
        // A method with a pointer receiver (`func (kv *KubeVersion)
        // String()`) is not in a struct value's method set: without an
        // address to take, Go looks for a field and finds none.
        if let Value::Map(m) = &recv
            && let Some(t) = m.go_type()
            && t.kind == GoKind::Struct
            && t.addr_stringer == Some(name)
            && !self.addr
        {
            return Err(self.fail(f, format!("can't evaluate field {name} in type {ty}")));
        }
        let has_args = args.len() > 1 || fin.is_some();
        let typed = match &recv {
            Value::Map(m) => m.type_name().is_some(),
            Value::List(_) => true,
            _ => false,
        };
        if typed && let Some(methods) = self.set.methods.clone() {
            let missing_field = match &recv {
                Value::Map(m) => !m.contains_key(name),
                _ => true,
            };
            // Go calls a method before it looks for a field or key.
            let sig = self.set.method_sigs.as_ref().and_then(|s| s(&recv, name));
            if sig.is_some() || missing_field || has_args {
                // A failed call is reported at the field (Go's evalCall
                // goes back to its node), not at the last argument.
                let (at, at_text) = (f.at, f.at_text.clone());
                let argv = self.eval_call_args(f, dot, name, sig, args, fin.clone())?;
                if let Some(r) = methods(&recv, name, &argv) {
                    return r.map_err(|e| {
                        f.at = at;
                        f.at_text = at_text;
                        self.fail(f, format!("error calling {name}: {e}"))
                    });
                }
            }
        }
        match &recv {
            Value::Map(m) => {
                if has_args {
                    return Err(self.fail(f, format!("{name} is not a method but has arguments")));
                }
                match (m.get(name), m.go_struct()) {
                    (Some(v), _) => Ok(v),
                    // A struct has no "missing key": an unknown field is an error.
                    (None, Some(_)) => {
                        Err(self.fail(f, format!("can't evaluate field {name} in type {ty}")))
                    }
                    (None, None) => Ok(m.missing()),
                }
            }
            _ => Err(self.fail(f, format!("can't evaluate field {name} in type {ty}"))),
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn eval_function(
        &mut self,
        f: &mut Frame<'_>,
        dot: &Value,
        name: &str,
        pos: usize,
        (cmd_pos, cmd_text): (usize, &str),
        args: &[Arg],
        fin: Option<Value>,
    ) -> R<Value> {
        Self::at(f, pos, name);
        let user = self.set.funcs.get(name).cloned();
        if user.is_none() && matches!(name, "and" | "or") {
            // Short-circuit: stop at the first false (and) / true (or) value.
            let mut last = Value::Nil;
            let operands = args.iter().skip(1).count() + usize::from(fin.is_some());
            if operands == 0 {
                return Err(self.fail(
                    f,
                    format!("wrong number of args for {name}: want at least 1 got 0"),
                ));
            }
            // Go's `and`/`or` return the operand's reflect.Value itself, so
            // it stays addressable (a piped final value is taken as a copy
            // here, which only `printValue` could tell).
            for a in args.iter().skip(1) {
                last = self.eval_arg(f, dot, a)?;
                if last.is_truthy() == (name == "or") {
                    return Ok(last);
                }
            }
            if let Some(v) = fin {
                self.addr = false;
                last = v;
            }
            return Ok(last);
        }
        let sig = self.set.sigs.get(name).copied();
        let argv = self.eval_call_args(f, dot, name, sig, args, fin)?;
        let r = match user {
            Some(func) => func(self, &argv),
            None => builtin(name, &argv),
        };
        // A function's result is a new value (Go's reflect.Call).
        self.addr = false;
        r.map_err(|e| {
            // A failed call is reported at the whole command (Go's
            // evalCall); a good one leaves the last argument as the node.
            Self::at(f, cmd_pos, cmd_text);
            self.fail(f, format!("error calling {name}: {e}"))
        })
    }
}

impl Exec<'_> {
    /// The arguments of a call (`args[0]` is the function or method
    /// operand itself, `fin` the piped value), checked as Go's `evalCall`
    /// checks them when the callee's signature is known: the count first,
    /// then each argument against its parameter's type as it is evaluated.
    fn eval_call_args(
        &mut self,
        f: &mut Frame<'_>,
        dot: &Value,
        name: &str,
        sig: Option<Sig>,
        args: &[Arg],
        fin: Option<Value>,
    ) -> R<Vec<Value>> {
        let written = args.len().saturating_sub(1);
        if let Some(sig) = sig {
            sig.check_count(name, written, fin.is_some())
                .map_err(|e| self.fail(f, e))?;
        }
        let mut argv = Vec::with_capacity(written + 1);
        for (i, a) in args.iter().skip(1).enumerate() {
            let v = self.eval_arg(f, dot, a)?;
            if let Some(sig) = sig {
                let p = sig.param(i);
                let checked = match a {
                    Arg::Const(pos, c) => sig::check_const(c, const_text(&f.tree.source, *pos), p),
                    Arg::Nil(_) => sig::check_nil(p),
                    _ => {
                        let nil = if self.iface {
                            Nil::Interface
                        } else {
                            Nil::Invalid
                        };
                        sig::check_value(&v, nil, p)
                    }
                };
                checked.map_err(|e| self.fail(f, e))?;
                argv.push(sig::zero_for(v, p));
                continue;
            }
            argv.push(v);
        }
        if let Some(v) = fin {
            if let Some(sig) = sig {
                // A piped value was unwrapped from its interface by the
                // pipeline: a nil one is no value.
                let p = sig.param(written);
                sig::check_value(&v, Nil::Invalid, p).map_err(|e| self.fail(f, e))?;
                argv.push(sig::zero_for(v, p));
            } else {
                argv.push(v);
            }
        }
        Ok(argv)
    }
}

/// Where Go's parse tree puts an operand: a field chain `.a.b` or `$x.a`
/// sits at its second element (Go's parser builds it as a chain there), a
/// parenthesized pipeline at its first token.
fn go_pos(arg: &Arg, source: &str) -> usize {
    match arg {
        Arg::Field(p, idents) if idents.len() > 1 => p + 1 + idents[0].len(),
        Arg::Variable(p, name, idents) if !idents.is_empty() => p + name.len(),
        Arg::Pipe(p, _) => {
            let rest = source.get(p + 1..).unwrap_or("");
            p + 1 + (rest.len() - rest.trim_start().len())
        }
        other => other.pos(),
    }
}

/// An operand as Go's `Node.String()` prints it (error contexts).
fn arg_string(arg: &Arg, source: &str) -> String {
    let fields =
        |idents: &[Arc<str>]| -> String { idents.iter().map(|i| format!(".{i}")).collect() };
    match arg {
        Arg::Field(_, idents) => fields(idents),
        Arg::Variable(_, name, idents) => format!("{name}{}", fields(idents)),
        Arg::Dot(_) => ".".into(),
        Arg::Nil(_) => "nil".into(),
        Arg::Identifier(_, name) => name.clone(),
        Arg::Const(p, _) => const_text(source, *p).to_owned(),
        Arg::Chain(_, node, idents) => match &**node {
            Arg::Pipe(_, pipe) => format!("({}){}", pipe_string(pipe, source), fields(idents)),
            other => format!("{}{}", arg_string(other, source), fields(idents)),
        },
        Arg::Pipe(_, pipe) => pipe_string(pipe, source),
    }
}

/// A pipeline as Go prints it: `$x := a b | c`.
fn pipe_string(pipe: &Pipe, source: &str) -> String {
    let mut out = String::new();
    if !pipe.decl.is_empty() {
        out.push_str(&pipe.decl.join(", "));
        out.push_str(if pipe.is_assign { " = " } else { " := " });
    }
    let cmds: Vec<String> = pipe
        .cmds
        .iter()
        .map(|c| command_string(c, source))
        .collect();
    out.push_str(&cmds.join(" | "));
    out
}

/// A command as Go prints it: operands joined by spaces, a parenthesized
/// pipeline in parentheses.
fn command_string(cmd: &Command, source: &str) -> String {
    cmd.args
        .iter()
        .map(|a| match a {
            Arg::Pipe(_, p) => format!("({})", pipe_string(p, source)),
            other => arg_string(other, source),
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// The source text of the constant starting at `pos` (Go prints constants
/// as written: `"a\tb"`, `0x10`, `'a'`).
fn const_text(source: &str, pos: usize) -> &str {
    let rest = source.get(pos..).unwrap_or("");
    let bytes = rest.as_bytes();
    let end = match bytes.first() {
        Some(b'`') => rest[1..].find('`').map_or(rest.len(), |i| i + 2),
        Some(&q @ (b'"' | b'\'')) => {
            let mut i = 1;
            while i < bytes.len() && bytes[i] != q {
                i += if bytes[i] == b'\\' { 2 } else { 1 };
            }
            (i + 1).min(rest.len())
        }
        _ => rest
            .find(|c: char| c.is_whitespace() || matches!(c, '}' | ')' | '|' | '('))
            .unwrap_or(rest.len()),
    };
    rest.get(..end).unwrap_or(rest)
}

/// Go's builtin functions (those the host did not replace).
fn builtin(name: &str, a: &[Value]) -> Result<Value, String> {
    match name {
        "not" => match a {
            [v] => Ok(Value::Bool(!v.is_truthy())),
            _ => Err(format!(
                "wrong number of args for not: want 1 got {}",
                a.len()
            )),
        },
        "len" => match a.first() {
            Some(Value::String(s)) => Ok(Value::from_usize(super::value::go_string_bytes(s).len())),
            Some(Value::List(l)) => Ok(Value::from_usize(l.len())),
            Some(b @ Value::Bytes(_)) => Ok(Value::from_usize(b.as_bytes().map_or(0, <[u8]>::len))),
            // A struct has no length; `len` names it through its pointer.
            Some(Value::Map(m)) if let Some(t) = m.go_struct() => {
                Err(format!("len of type {}", t.name.trim_start_matches('*')))
            }
            Some(Value::Map(m)) => Ok(Value::from_usize(m.len())),
            Some(Value::Nil) | None => Err("len of nil pointer".into()),
            Some(v) => Err(format!("len of type {}", v.type_name())),
        },
        "index" => index(a),
        "slice" => slice(a),
        "print" => Ok(Value::String(Arc::from(sprint(a).as_str()))),
        "println" => Ok(Value::String(Arc::from(sprintln(a).as_str()))),
        "printf" => {
            let fmt = match a.first() {
                Some(Value::String(s)) => s.to_string(),
                Some(v) => {
                    return Err(format!(
                        "wrong type for value; expected string; got {}",
                        v.type_name()
                    ));
                }
                None => return Err("wrong number of args for printf: want at least 1 got 0".into()),
            };
            Ok(Value::String(Arc::from(sprintf(&fmt, &a[1..]).as_str())))
        }
        "html" => Ok(Value::String(Arc::from(
            html_escape(&sprint_args(a)).as_str(),
        ))),
        "js" => Ok(Value::String(Arc::from(
            js_escape(&sprint_args(a)).as_str(),
        ))),
        "urlquery" => Ok(Value::String(Arc::from(
            query_escape(&sprint_args(a)).as_str(),
        ))),
        "call" => Err("call of non-function".into()),
        "eq" => eq(a),
        "ne" => match a {
            [x, y] => Ok(Value::Bool(!truth(&eq(&[x.clone(), y.clone()])?))),
            _ => Err(format!(
                "wrong number of args for ne: want 2 got {}",
                a.len()
            )),
        },
        "lt" | "le" | "gt" | "ge" => {
            let [x, y] = a else {
                return Err(format!(
                    "wrong number of args for {name}: want 2 got {}",
                    a.len()
                ));
            };
            let less = lt(x, y)?;
            let equal = truth(&eq(&[x.clone(), y.clone()])?);
            Ok(Value::Bool(match name {
                "lt" => less,
                "le" => less || equal,
                "gt" => !less && !equal,
                _ => !less,
            }))
        }
        _ => Err(format!("{name:?} is not a defined function")),
    }
}

fn truth(v: &Value) -> bool {
    matches!(v, Value::Bool(true))
}

/// `fmt.Sprint` of the arguments, as Go's escapers take them (a single
/// string argument as is).
/// text/template's `evalArgs` (what `html`, `js` and `urlquery` escape):
/// one string as it is; otherwise each argument as `printableValue` makes
/// it (nil is the string `<no value>`, as an action prints it), then
/// `fmt.Sprint`.
fn sprint_args(a: &[Value]) -> String {
    match a {
        [Value::String(s)] => s.to_string(),
        _ => {
            let printable: Vec<Value> = a
                .iter()
                .map(|v| match v {
                    Value::Nil => Value::str("<no value>"),
                    other => other.clone(),
                })
                .collect();
            sprint(&printable)
        }
    }
}

#[derive(PartialEq, Eq, Clone, Copy)]
enum Basic {
    Invalid,
    Bool,
    Int,
    Float,
    String,
    Other,
}

fn basic(v: &Value) -> Basic {
    match v {
        Value::Nil => Basic::Invalid,
        Value::Bool(_) => Basic::Bool,
        // Go compares signed and unsigned integers by value.
        Value::Int(..) => Basic::Int,
        Value::Float(_) => Basic::Float,
        Value::String(_) => Basic::String,
        Value::List(_) | Value::Bytes(_) | Value::Map(_) => Basic::Other,
    }
}

/// Go's `eq`: true when the first argument equals any of the others.
fn eq(a: &[Value]) -> Result<Value, String> {
    let Some((x, rest)) = a.split_first() else {
        return Err("wrong number of args for eq: want at least 1 got 0".into());
    };
    if rest.is_empty() {
        return Err("missing argument for comparison".into());
    }
    let k1 = basic(x);
    for y in rest {
        let k2 = basic(y);
        let t = if k1 != k2 {
            if k1 != Basic::Invalid && k2 != Basic::Invalid {
                return Err(format!(
                    "incompatible types for comparison: {} and {}",
                    x.type_name(),
                    y.type_name()
                ));
            }
            false
        } else {
            match (x, y) {
                (Value::Bool(p), Value::Bool(q)) => p == q,
                (Value::Int(p, _), Value::Int(q, _)) => p == q,
                (Value::Float(p), Value::Float(q)) => p == q,
                (Value::String(p), Value::String(q)) => p == q,
                (Value::Nil, Value::Nil) => true,
                _ => {
                    return Err(format!(
                        "non-comparable types {}: {}, {}: {}",
                        super::value::go_string(x),
                        x.type_name(),
                        y.type_name(),
                        super::value::go_string(y)
                    ));
                }
            }
        };
        if t {
            return Ok(Value::Bool(true));
        }
    }
    Ok(Value::Bool(false))
}

fn lt(x: &Value, y: &Value) -> Result<bool, String> {
    match (x, y) {
        (Value::Int(p, _), Value::Int(q, _)) => Ok(p < q),
        (Value::Float(p), Value::Float(q)) => Ok(p < q),
        (Value::String(p), Value::String(q)) => Ok(p < q),
        _ => {
            let (k1, k2) = (basic(x), basic(y));
            if matches!(k1, Basic::Bool | Basic::Other | Basic::Invalid)
                || matches!(k2, Basic::Bool | Basic::Other | Basic::Invalid)
            {
                Err("invalid type for comparison".into())
            } else {
                // Go 1.24+ names both types.
                Err(format!(
                    "incompatible types for comparison: {} and {}",
                    x.type_name(),
                    y.type_name()
                ))
            }
        }
    }
}

fn index(a: &[Value]) -> Result<Value, String> {
    let Some((item, idx)) = a.split_first() else {
        return Err("wrong number of args for index: want at least 1 got 0".into());
    };
    if let Value::Nil = item {
        return Err("index of untyped nil".into());
    }
    let mut cur = item.clone();
    for i in idx {
        cur = match &cur {
            Value::Nil => return Err("index of nil pointer".into()),
            Value::List(l) => {
                let n = index_arg(i, l.len())?;
                l[n].clone()
            }
            Value::Bytes(_) => {
                let b = cur.as_bytes().unwrap_or_default();
                let n = index_arg(i, b.len())?;
                Value::Int(i64::from(b[n]), IntKind::Uint8)
            }
            Value::String(s) => {
                let n = index_arg(i, s.len())?;
                Value::Int(i64::from(s.as_bytes()[n]), IntKind::Uint8)
            }
            Value::Map(m) => match i {
                Value::String(k) => m.get(k).unwrap_or_else(|| m.missing()),
                Value::Nil => return Err("value is nil; should be of type string".into()),
                other => {
                    return Err(format!(
                        "value has type {}; should be string",
                        other.type_name()
                    ));
                }
            },
            other => return Err(format!("can't index item of type {}", other.type_name())),
        };
    }
    Ok(cur)
}

fn index_arg(i: &Value, len: usize) -> Result<usize, String> {
    let Value::Int(x, _) = i else {
        return Err(format!(
            "cannot index slice/array with type {}",
            i.type_name()
        ));
    };
    usize::try_from(*x)
        .ok()
        .filter(|&n| n < len)
        .ok_or_else(|| format!("index out of range: {x}"))
}

fn slice(a: &[Value]) -> Result<Value, String> {
    let Some((item, idx)) = a.split_first() else {
        return Err("wrong number of args for slice: want at least 1 got 0".into());
    };
    let len = match item {
        Value::List(l) => l.len(),
        Value::String(s) => s.len(),
        Value::Bytes(_) => item.as_bytes().map_or(0, <[u8]>::len),
        Value::Nil => return Err("slice of untyped nil".into()),
        other => return Err(format!("can't slice item of type {}", other.type_name())),
    };
    if idx.len() > 3 || (idx.len() == 3 && matches!(item, Value::String(_))) {
        return Err(format!("too many slice indexes: {}", idx.len()));
    }
    let mut bounds = [0, len, len];
    for (k, i) in idx.iter().enumerate() {
        let Value::Int(x, _) = i else {
            return Err(format!(
                "cannot index slice/array with type {}",
                i.type_name()
            ));
        };
        bounds[k] = usize::try_from(*x)
            .ok()
            .filter(|&n| n <= len)
            .ok_or_else(|| format!("index out of range: {x}"))?;
    }
    if idx.len() < 2 {
        bounds[1] = len;
    }
    if bounds[0] > bounds[1] {
        return Err(format!(
            "invalid slice index: {} > {}",
            bounds[0], bounds[1]
        ));
    }
    match item {
        Value::List(l) => Ok(Value::List(
            l[bounds[0]..bounds[1]].iter().cloned().collect(),
        )),
        Value::String(s) => s
            .get(bounds[0]..bounds[1])
            .map(Value::str)
            .ok_or_else(|| "slice splits a character".to_owned()),
        Value::Bytes(_) => Ok(Value::bytes(
            &item.as_bytes().unwrap_or_default()[bounds[0]..bounds[1]],
        )),
        _ => Ok(Value::Nil),
    }
}

fn html_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '"' => out.push_str("&#34;"),
            '\'' => out.push_str("&#39;"),
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '\0' => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
    out
}

/// Go's `template.JSEscapeString`: quotes, backslash and `<>&=` escaped,
/// every other control character (newline and tab too) as `\u00XX`, a
/// non-printable non-ASCII rune as `\uXXXX`.
fn js_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\'' => out.push_str("\\'"),
            '"' => out.push_str("\\\""),
            '<' => out.push_str("\\u003C"),
            '>' => out.push_str("\\u003E"),
            '&' => out.push_str("\\u0026"),
            '=' => out.push_str("\\u003D"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04X}", c as u32)),
            c if !c.is_ascii() && !super::fmt::is_go_print(c) => {
                out.push_str(&format!("\\u{:04X}", c as u32));
            }
            c => out.push(c),
        }
    }
    out
}

fn query_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(b as char)
            }
            b' ' => out.push('+'),
            b => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// A map handle as a value (convenience for hosts).
pub fn map_value(m: &Map) -> Value {
    Value::Map(m.clone())
}
