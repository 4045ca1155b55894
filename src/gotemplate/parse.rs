//! The parser: Go's `text/template/parse/parse.go`, grammar for grammar.
//!
//! A source file parses into its own tree plus one tree per `define` /
//! `block`. Every node keeps its byte offset in the source, from which
//! errors and rendered documents get their line (never from marker text).

use std::collections::HashMap;
use std::rc::Rc;
use std::sync::Arc;

use super::lex::{Item, Kind, lex};
use super::value::Value;

/// A parsed template: its name, source and root list.
#[derive(Debug)]
pub struct Tree {
    /// The template's name (a file's name, or a `define`'s).
    pub name: String,
    /// The name of the file it was parsed from (for error positions).
    pub parse_name: Arc<str>,
    /// The source text positions refer to.
    pub source: Arc<str>,
    /// Byte offsets where each line of `source` starts.
    line_starts: Arc<[usize]>,
    /// The body.
    pub root: List,
}

impl Tree {
    /// 1-based line and 0-based byte column of a byte offset, as Go's
    /// `ErrorContext` gives them.
    pub fn line_col(&self, pos: usize) -> (u32, usize) {
        let i = self.line_starts.partition_point(|&s| s <= pos).max(1) - 1;
        (
            u32::try_from(i + 1).unwrap_or(u32::MAX),
            pos - self.line_starts[i],
        )
    }

    /// Whether the body is only white space (Go's `IsEmptyTree`): such a
    /// tree does not replace a template of the same name.
    pub fn is_empty(&self) -> bool {
        fn empty(l: &List) -> bool {
            l.nodes.iter().all(|n| match n {
                Node::Text { text, .. } => text.trim().is_empty(),
                _ => false,
            })
        }
        empty(&self.root)
    }
}

/// A sequence of nodes.
#[derive(Debug, Default)]
pub struct List {
    /// The nodes, in order.
    pub nodes: Vec<Node>,
}

/// One node of a template body.
#[derive(Debug)]
pub enum Node {
    /// Literal text (already trimmed by markers).
    Text {
        /// Offset of its first byte.
        pos: usize,
        /// The text.
        text: Arc<str>,
    },
    /// `{{ pipeline }}`.
    Action {
        /// Offset of the pipeline.
        pos: usize,
        /// What it computes.
        pipe: Pipe,
    },
    /// `{{ if }}`.
    If(Branch),
    /// `{{ range }}`.
    Range(Branch),
    /// `{{ with }}`.
    With(Branch),
    /// `{{ template "name" pipeline }}` (and `block`).
    Template {
        /// Offset of the name.
        pos: usize,
        /// The template called.
        name: String,
        /// Its data, `nil` when absent.
        pipe: Option<Pipe>,
    },
    /// `{{ break }}`.
    Break {
        /// Offset.
        pos: usize,
    },
    /// `{{ continue }}`.
    Continue {
        /// Offset.
        pos: usize,
    },
}

/// The parts of `if`, `range` and `with`.
#[derive(Debug)]
pub struct Branch {
    /// Offset of the pipeline.
    pub pos: usize,
    /// The condition / collection.
    pub pipe: Pipe,
    /// The body.
    pub list: List,
    /// The `else` body (an `else if` chain is an `if` inside it).
    pub else_list: Option<List>,
}

/// A pipeline, with its variable declarations.
#[derive(Debug)]
pub struct Pipe {
    /// Offset.
    pub pos: usize,
    /// `$x = …` rather than `$x := …`.
    pub is_assign: bool,
    /// Variables declared or assigned (`$x`, or `$i, $v` in a range).
    pub decl: Vec<String>,
    /// The commands, separated by `|`.
    pub cmds: Vec<Command>,
}

/// One command of a pipeline: an operand and its arguments.
#[derive(Debug)]
pub struct Command {
    /// Offset.
    pub pos: usize,
    /// Its source text, for error messages.
    pub text: Arc<str>,
    /// Operands.
    pub args: Vec<Arg>,
}

/// An operand.
#[derive(Debug)]
pub enum Arg {
    /// `.a.b`.
    Field(usize, Vec<Arc<str>>),
    /// `$x.a.b`: the variable name and the fields.
    Variable(usize, String, Vec<Arc<str>>),
    /// `.`.
    Dot(usize),
    /// `nil`.
    Nil(usize),
    /// A constant (bool, number, string, char).
    Const(usize, Value),
    /// A function name.
    Identifier(usize, String),
    /// `(pipeline).a.b` and friends: a term followed by fields.
    Chain(usize, Box<Arg>, Vec<Arc<str>>),
    /// `(pipeline)`.
    Pipe(usize, Box<Pipe>),
}

impl Arg {
    /// Offset.
    pub fn pos(&self) -> usize {
        match self {
            Arg::Field(p, _)
            | Arg::Variable(p, _, _)
            | Arg::Dot(p)
            | Arg::Nil(p)
            | Arg::Const(p, _)
            | Arg::Identifier(p, _)
            | Arg::Chain(p, _, _)
            | Arg::Pipe(p, _) => *p,
        }
    }
}

/// A parse error, in Go's words (`template: name:line: message`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError {
    /// The file's name.
    pub name: String,
    /// 1-based line.
    pub line: u32,
    /// What is wrong.
    pub message: String,
}

impl std::fmt::Display for ParseError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "template: {}:{}: {}", self.name, self.line, self.message)
    }
}

impl std::error::Error for ParseError {}

/// The trees parsed from one source: the file's own first, then its
/// definitions in source order.
pub type Parsed = Vec<Tree>;

/// Longest pipeline Go accepts.
const MAX_PIPELINE_CMDS: usize = 1000;
/// Deepest nesting of parentheses and blocks accepted (Go's parser has
/// no bound, but a recursive descent on hostile input needs one).
const MAX_NESTING: usize = 10_000;

/// Parses `text` as the template `name`. `has_func` tells which function
/// names exist (Go rejects an unknown function at parse time).
pub fn parse(
    name: &str,
    text: &str,
    has_func: &dyn Fn(&str) -> bool,
) -> Result<Parsed, ParseError> {
    let source: Arc<str> = Arc::from(text);
    let mut line_starts = vec![0];
    line_starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
    let mut p = Parser {
        items: lex(text),
        i: 0,
        source: source.clone(),
        line_starts: line_starts.into(),
        parse_name: Arc::from(name),
        has_func,
        vars: vec!["$".into()],
        range_depth: 0,
        nesting: 0,
        defs: HashMap::new(),
        order: Vec::new(),
    };
    let root = p.parse_top()?;
    let mut out = vec![p.tree(name.to_owned(), root)];
    let mut defs = std::mem::take(&mut p.defs);
    for n in &p.order {
        if let Some(t) = defs.remove(n) {
            out.push(t);
        }
    }
    Ok(out)
}

struct Parser<'a> {
    items: Vec<Item>,
    i: usize,
    source: Arc<str>,
    line_starts: Arc<[usize]>,
    parse_name: Arc<str>,
    has_func: &'a dyn Fn(&str) -> bool,
    vars: Vec<String>,
    range_depth: usize,
    nesting: usize,
    defs: HashMap<String, Tree>,
    order: Vec<String>,
}

/// What ended an item list.
enum Stop {
    End,
    Else(usize),
}

type PResult<T> = Result<T, ParseError>;

impl Parser<'_> {
    fn tree(&self, name: String, root: List) -> Tree {
        Tree {
            name,
            parse_name: self.parse_name.clone(),
            source: self.source.clone(),
            line_starts: self.line_starts.clone(),
            root,
        }
    }

    fn line_of(&self, pos: usize) -> u32 {
        let i = self.line_starts.partition_point(|&s| s <= pos).max(1);
        u32::try_from(i).unwrap_or(u32::MAX)
    }

    fn error(&self, msg: impl Into<String>) -> ParseError {
        // Go reports the line of the token being looked at.
        let at = self
            .i
            .saturating_sub(1)
            .min(self.items.len().saturating_sub(1));
        let pos = self.items.get(at).map_or(0, |t| t.pos);
        ParseError {
            name: self.parse_name.to_string(),
            line: self.line_of(pos),
            message: msg.into(),
        }
    }

    fn next(&mut self) -> PResult<Item> {
        let Some(item) = self.items.get(self.i).cloned() else {
            return Err(self.error("unexpected EOF"));
        };
        self.i += 1;
        if item.kind == Kind::Error {
            return Err(ParseError {
                name: self.parse_name.to_string(),
                line: self.line_of(item.pos),
                message: item.val,
            });
        }
        Ok(item)
    }

    fn backup(&mut self) {
        self.i = self.i.saturating_sub(1);
    }

    fn peek(&mut self) -> PResult<Item> {
        let t = self.next()?;
        self.backup();
        Ok(t)
    }

    fn next_non_space(&mut self) -> PResult<Item> {
        loop {
            let t = self.next()?;
            if t.kind != Kind::Space {
                return Ok(t);
            }
        }
    }

    fn peek_non_space(&mut self) -> PResult<Item> {
        let t = self.next_non_space()?;
        self.backup();
        Ok(t)
    }

    fn expect(&mut self, kind: Kind, context: &str) -> PResult<Item> {
        let t = self.next_non_space()?;
        if t.kind != kind {
            return Err(self.unexpected(&t, context));
        }
        Ok(t)
    }

    fn unexpected(&self, t: &Item, context: &str) -> ParseError {
        if t.kind == Kind::Error {
            return self.error(t.val.clone());
        }
        self.error(format!("unexpected {} in {context}", describe(t)))
    }

    fn enter(&mut self) -> PResult<()> {
        self.nesting += 1;
        if self.nesting > MAX_NESTING {
            return Err(self.error("template nested too deeply"));
        }
        Ok(())
    }

    fn parse_top(&mut self) -> PResult<List> {
        let mut root = List::default();
        while self.peek()?.kind != Kind::Eof {
            if self.peek()?.kind == Kind::LeftDelim {
                let mark = self.i;
                self.next()?;
                if self.next_non_space()?.kind == Kind::Define {
                    self.parse_definition()?;
                    continue;
                }
                self.i = mark;
            }
            match self.text_or_action()? {
                Ok(n) => root.nodes.push(n),
                Err(Stop::End) => return Err(self.error("unexpected {{end}}")),
                Err(Stop::Else(_)) => return Err(self.error("unexpected {{else}}")),
            }
        }
        Ok(root)
    }

    fn parse_definition(&mut self) -> PResult<()> {
        let context = "define clause";
        let t = self.next_non_space()?;
        if !matches!(t.kind, Kind::String | Kind::RawString) {
            return Err(self.unexpected(&t, context));
        }
        let name = unquote(&t.val).map_err(|e| self.error(e))?;
        self.expect(Kind::RightDelim, context)?;
        let saved = std::mem::replace(&mut self.vars, vec!["$".into()]);
        let (list, stop) = self.item_list()?;
        self.vars = saved;
        if let Stop::Else(_) = stop {
            return Err(self.error(format!("unexpected {{{{else}}}} in {context}")));
        }
        self.add_def(name, list)
    }

    fn add_def(&mut self, name: String, list: List) -> PResult<()> {
        let tree = self.tree(name.clone(), list);
        match self.defs.get(&name) {
            Some(old) if !old.is_empty() && !tree.is_empty() => {
                return Err(self.error(format!(
                    "template: multiple definition of template {name:?}"
                )));
            }
            Some(_) if tree.is_empty() => return Ok(()),
            _ => {}
        }
        if !self.order.contains(&name) {
            self.order.push(name.clone());
        }
        self.defs.insert(name, tree);
        Ok(())
    }

    /// A node, or what stopped the list (`end`, `else`).
    fn text_or_action(&mut self) -> PResult<Result<Node, Stop>> {
        let t = self.next_non_space()?;
        match t.kind {
            Kind::Text => Ok(Ok(Node::Text {
                pos: t.pos,
                text: Arc::from(t.val.as_str()),
            })),
            Kind::LeftDelim => self.action(),
            _ => Err(self.unexpected(&t, "input")),
        }
    }

    fn item_list(&mut self) -> PResult<(List, Stop)> {
        self.enter()?;
        let mut list = List::default();
        while self.peek_non_space()?.kind != Kind::Eof {
            match self.text_or_action()? {
                Ok(n) => list.nodes.push(n),
                Err(stop) => {
                    self.nesting -= 1;
                    return Ok((list, stop));
                }
            }
        }
        Err(self.error("unexpected EOF"))
    }

    fn action(&mut self) -> PResult<Result<Node, Stop>> {
        let t = self.next_non_space()?;
        let node = match t.kind {
            Kind::Block => self.block_control()?,
            Kind::Break | Kind::Continue => {
                let n = self.next_non_space()?;
                let what = if t.kind == Kind::Break {
                    "break"
                } else {
                    "continue"
                };
                if n.kind != Kind::RightDelim {
                    return Err(self.unexpected(&n, &format!("{{{{{what}}}}}")));
                }
                if self.range_depth == 0 {
                    return Err(self.error(format!("{{{{{what}}}}} outside {{{{range}}}}")));
                }
                if t.kind == Kind::Break {
                    Node::Break { pos: t.pos }
                } else {
                    Node::Continue { pos: t.pos }
                }
            }
            Kind::Else => {
                let p = self.peek_non_space()?;
                if matches!(p.kind, Kind::If | Kind::With) {
                    return Ok(Err(Stop::Else(p.pos)));
                }
                let d = self.expect(Kind::RightDelim, "else")?;
                return Ok(Err(Stop::Else(d.pos)));
            }
            Kind::End => {
                self.expect(Kind::RightDelim, "end")?;
                return Ok(Err(Stop::End));
            }
            Kind::If => Node::If(self.control("if")?),
            Kind::Range => Node::Range(self.control("range")?),
            Kind::With => Node::With(self.control("with")?),
            Kind::Template => self.template_control()?,
            _ => {
                self.backup();
                let pos = self.peek()?.pos;
                let pipe = self.pipeline("command", Kind::RightDelim)?;
                Node::Action { pos, pipe }
            }
        };
        Ok(Ok(node))
    }

    fn control(&mut self, context: &str) -> PResult<Branch> {
        let vars = self.vars.len();
        let pipe = self.pipeline(context, Kind::RightDelim)?;
        if context == "range" {
            self.range_depth += 1;
        }
        let (list, stop) = self.item_list()?;
        if context == "range" {
            self.range_depth -= 1;
        }
        let mut else_list = None;
        if let Stop::Else(else_pos) = stop {
            let next = self.peek()?.kind;
            if context == "if" && next == Kind::If {
                self.next()?;
                let _ = else_pos;
                else_list = Some(List {
                    nodes: vec![Node::If(self.control("if")?)],
                });
            } else if context == "with" && next == Kind::With {
                self.next()?;
                else_list = Some(List {
                    nodes: vec![Node::With(self.control("with")?)],
                });
            } else {
                let (l, stop) = self.item_list()?;
                if let Stop::Else(_) = stop {
                    return Err(self.error("expected end; found {{else}}"));
                }
                else_list = Some(l);
            }
        }
        self.vars.truncate(vars);
        Ok(Branch {
            pos: pipe.pos,
            pipe,
            list,
            else_list,
        })
    }

    fn template_control(&mut self) -> PResult<Node> {
        let context = "template clause";
        let t = self.next_non_space()?;
        let name = self.template_name(&t, context)?;
        let pipe = if self.next_non_space()?.kind != Kind::RightDelim {
            self.backup();
            Some(self.pipeline(context, Kind::RightDelim)?)
        } else {
            None
        };
        Ok(Node::Template {
            pos: t.pos,
            name,
            pipe,
        })
    }

    fn block_control(&mut self) -> PResult<Node> {
        let context = "block clause";
        let t = self.next_non_space()?;
        let name = self.template_name(&t, context)?;
        let pipe = self.pipeline(context, Kind::RightDelim)?;
        let saved = std::mem::replace(&mut self.vars, vec!["$".into()]);
        let (list, stop) = self.item_list()?;
        self.vars = saved;
        if let Stop::Else(_) = stop {
            return Err(self.error(format!("unexpected {{{{else}}}} in {context}")));
        }
        self.add_def(name.clone(), list)?;
        Ok(Node::Template {
            pos: t.pos,
            name,
            pipe: Some(pipe),
        })
    }

    fn template_name(&self, t: &Item, context: &str) -> PResult<String> {
        match t.kind {
            Kind::String | Kind::RawString => unquote(&t.val).map_err(|e| self.error(e)),
            _ => Err(self.unexpected(t, context)),
        }
    }

    fn pipeline(&mut self, context: &str, end: Kind) -> PResult<Pipe> {
        let first = self.peek_non_space()?;
        let mut pipe = Pipe {
            pos: first.pos,
            is_assign: false,
            decl: Vec::new(),
            cmds: Vec::new(),
        };
        // Declarations or assignments.
        loop {
            let v = self.peek_non_space()?;
            if v.kind != Kind::Variable {
                break;
            }
            let mark = self.i;
            self.next_non_space()?;
            let after = self.peek()?;
            let next = self.peek_non_space()?;
            match next.kind {
                Kind::Assign | Kind::Declare => {
                    pipe.is_assign = next.kind == Kind::Assign;
                    self.next_non_space()?;
                    pipe.decl.push(v.val.clone());
                    self.vars.push(v.val);
                }
                Kind::Char if next.val == "," => {
                    self.next_non_space()?;
                    pipe.decl.push(v.val.clone());
                    self.vars.push(v.val);
                    if context == "range" && pipe.decl.len() < 2 {
                        let p = self.peek_non_space()?;
                        if matches!(p.kind, Kind::Variable | Kind::RightDelim | Kind::RightParen) {
                            continue;
                        }
                        return Err(self.error("range can only initialize variables"));
                    }
                    return Err(self.error(format!("too many declarations in {context}")));
                }
                _ => {
                    let _ = after;
                    self.i = mark;
                }
            }
            break;
        }
        loop {
            let t = self.next_non_space()?;
            if t.kind == end {
                self.check_pipeline(&pipe, context)?;
                return Ok(pipe);
            }
            match t.kind {
                Kind::Bool
                | Kind::CharConstant
                | Kind::Dot
                | Kind::Field
                | Kind::Identifier
                | Kind::Number
                | Kind::Nil
                | Kind::RawString
                | Kind::String
                | Kind::Variable
                | Kind::LeftParen => {
                    self.backup();
                    let cmd = self.command()?;
                    pipe.cmds.push(cmd);
                    if pipe.cmds.len() > MAX_PIPELINE_CMDS {
                        return Err(self.error("pipeline too long"));
                    }
                }
                _ => return Err(self.unexpected(&t, context)),
            }
        }
    }

    fn check_pipeline(&self, pipe: &Pipe, context: &str) -> PResult<()> {
        if pipe.cmds.is_empty() {
            return Err(self.error(format!("missing value for {context}")));
        }
        for (i, c) in pipe.cmds.iter().enumerate().skip(1) {
            if matches!(
                c.args.first(),
                Some(Arg::Const(..) | Arg::Dot(_) | Arg::Nil(_))
            ) {
                return Err(self.error(format!(
                    "non executable command in pipeline stage {}",
                    i + 1
                )));
            }
        }
        Ok(())
    }

    fn command(&mut self) -> PResult<Command> {
        let pos = self.peek_non_space()?.pos;
        let mut args = Vec::new();
        let mut end = pos;
        loop {
            self.peek_non_space()?;
            if let Some(op) = self.operand()? {
                args.push(op);
                end = self
                    .items
                    .get(self.i.saturating_sub(1))
                    .map_or(end, |t| t.pos + t.val.len());
            }
            let t = self.next()?;
            match t.kind {
                Kind::Space => continue,
                Kind::RightDelim | Kind::RightParen => self.backup(),
                Kind::Pipe => {}
                _ => return Err(self.unexpected(&t, "operand")),
            }
            break;
        }
        if args.is_empty() {
            return Err(self.error("empty command"));
        }
        let text = Arc::from(self.source.get(pos..end.max(pos)).unwrap_or("").trim());
        Ok(Command { pos, text, args })
    }

    fn operand(&mut self) -> PResult<Option<Arg>> {
        let Some(node) = self.term()? else {
            return Ok(None);
        };
        if self.peek()?.kind != Kind::Field {
            return Ok(Some(node));
        }
        let chain_pos = self.peek()?.pos;
        let mut fields: Vec<Arc<str>> = Vec::new();
        while self.peek()?.kind == Kind::Field {
            let f = self.next()?;
            fields.push(Arc::from(&f.val[1..]));
        }
        Ok(Some(match node {
            Arg::Field(p, mut idents) => {
                idents.extend(fields);
                Arg::Field(p, idents)
            }
            Arg::Variable(p, name, mut idents) => {
                idents.extend(fields);
                Arg::Variable(p, name, idents)
            }
            Arg::Const(..) | Arg::Nil(_) | Arg::Dot(_) => {
                let src = self
                    .source
                    .get(node.pos()..chain_pos)
                    .unwrap_or("")
                    .trim()
                    .to_owned();
                return Err(self.error(format!("unexpected . after term {src:?}")));
            }
            other => Arg::Chain(chain_pos, Box::new(other), fields),
        }))
    }

    fn term(&mut self) -> PResult<Option<Arg>> {
        let t = self.next_non_space()?;
        Ok(Some(match t.kind {
            Kind::Identifier => {
                if !(self.has_func)(&t.val) {
                    return Err(self.error(format!("function {:?} not defined", t.val)));
                }
                Arg::Identifier(t.pos, t.val)
            }
            Kind::Dot => Arg::Dot(t.pos),
            Kind::Nil => Arg::Nil(t.pos),
            Kind::Variable => {
                let mut parts = t.val.split('.');
                let name = parts.next().unwrap_or("$").to_owned();
                if !self.vars.contains(&name) {
                    return Err(self.error(format!("undefined variable {name:?}")));
                }
                let idents = parts.map(Arc::from).collect();
                Arg::Variable(t.pos, name, idents)
            }
            Kind::Field => Arg::Field(t.pos, t.val[1..].split('.').map(Arc::from).collect()),
            Kind::Bool => Arg::Const(t.pos, Value::Bool(t.val == "true")),
            Kind::CharConstant | Kind::Number => {
                let v = number(&t.val, t.kind == Kind::CharConstant).map_err(|e| self.error(e))?;
                Arg::Const(t.pos, v)
            }
            Kind::LeftParen => {
                self.enter()?;
                let p = self.pipeline("parenthesized pipeline", Kind::RightParen)?;
                self.nesting -= 1;
                Arg::Pipe(t.pos, Box::new(p))
            }
            Kind::String | Kind::RawString => {
                let s = unquote(&t.val).map_err(|e| self.error(e))?;
                Arg::Const(t.pos, Value::String(Arc::from(s.as_str())))
            }
            _ => {
                self.backup();
                return Ok(None);
            }
        }))
    }
}

/// How Go's parser prints an unexpected item.
fn describe(t: &Item) -> String {
    match t.kind {
        Kind::Eof => "EOF".into(),
        Kind::Block
        | Kind::Break
        | Kind::Continue
        | Kind::Define
        | Kind::Else
        | Kind::End
        | Kind::If
        | Kind::Nil
        | Kind::Range
        | Kind::Template
        | Kind::With
        | Kind::Dot => format!("<{}>", t.val),
        Kind::LeftDelim => "\"{{\"".into(),
        Kind::RightDelim => "\"}}\"".into(),
        _ if t.val.chars().count() > 10 => {
            let short: String = t.val.chars().take(10).collect();
            format!("{short:?}...")
        }
        _ => format!("{:?}", t.val),
    }
}

/// A number or character constant as Go's `idealConstant` types it: an
/// `int` unless it is written as a float (`1.0`, `1e3`).
fn number(text: &str, is_char: bool) -> Result<Value, String> {
    if is_char {
        let inner =
            unquote_char(text).ok_or_else(|| format!("malformed character constant: {text}"))?;
        return Ok(Value::int(i64::from(u32::from(inner))));
    }
    if text.ends_with('i') {
        return Err(format!("complex numbers are not supported: {text}"));
    }
    let clean: String = text.chars().filter(|&c| c != '_').collect();
    let (neg, body) = match clean.strip_prefix('-') {
        Some(b) => (true, b.to_owned()),
        None => (false, clean.trim_start_matches('+').to_owned()),
    };
    let lower = body.to_ascii_lowercase();
    let hex = lower.starts_with("0x");
    let int = if hex {
        i64::from_str_radix(&body[2..], 16).ok()
    } else if lower.starts_with("0o") {
        i64::from_str_radix(&body[2..], 8).ok()
    } else if lower.starts_with("0b") {
        i64::from_str_radix(&body[2..], 2).ok()
    } else if body.len() > 1 && body.starts_with('0') && body.bytes().all(|b| b.is_ascii_digit()) {
        i64::from_str_radix(&body[1..], 8).ok()
    } else {
        body.parse::<i64>().ok()
    };
    let float_syntax = if hex {
        body.contains(['p', 'P'])
    } else {
        body.contains(['.', 'e', 'E', 'p', 'P'])
    };
    if float_syntax {
        let f = if hex {
            hex_float(&body[2..])
        } else {
            body.parse().ok()
        }
        .ok_or_else(|| format!("illegal number syntax: {text:?}"))?;
        return Ok(Value::Float(if neg { -f } else { f }));
    }
    match int {
        Some(i) => Ok(Value::int(if neg { -i } else { i })),
        None if body.bytes().all(|b| b.is_ascii_digit()) && !body.is_empty() => {
            Err(format!("integer overflow: {text:?}"))
        }
        None => Err(format!("illegal number syntax: {text:?}")),
    }
}

/// A hexadecimal float's digits after `0x` (`1p60`, `1.8p1`), as Go's
/// `strconv.ParseFloat` reads them.
fn hex_float(s: &str) -> Option<f64> {
    let (mant, exp) = s.split_once(['p', 'P'])?;
    let exp: i32 = exp.parse().ok()?;
    let (int, frac) = mant.split_once('.').unwrap_or((mant, ""));
    let mut v = 0f64;
    for c in int.chars().chain(frac.chars()) {
        v = v * 16.0 + f64::from(c.to_digit(16)?);
    }
    let frac_bits = i32::try_from(frac.len()).ok()?.checked_mul(4)?;
    Some(v * 2f64.powi(exp - frac_bits))
}

fn unquote_char(text: &str) -> Option<char> {
    let inner = text.strip_prefix('\'')?.strip_suffix('\'')?;
    let s = unquote(&format!("\"{}\"", inner.replace('"', "\\\""))).ok()?;
    let mut cs = s.chars();
    let c = cs.next()?;
    // In a rune literal `\xff` is the code point, not a byte.
    let c = if super::value::is_carried_byte(c) {
        char::from_u32(u32::from(*super::value::go_string_bytes(&s).first()?))?
    } else {
        c
    };
    cs.next().is_none().then_some(c)
}

/// Go's `strconv.Unquote` for `"…"` and `` `…` `` literals.
pub(crate) fn unquote(lit: &str) -> Result<String, String> {
    if let Some(raw) = lit.strip_prefix('`').and_then(|s| s.strip_suffix('`')) {
        return Ok(raw.replace('\r', ""));
    }
    let Some(body) = lit.strip_prefix('"').and_then(|s| s.strip_suffix('"')) else {
        return Err("invalid syntax".into());
    };
    // Go's `\xNN` and octal escapes are bytes: the result may not be
    // UTF-8 (carried as `go_string_from_bytes` says).
    let mut bytes: Vec<u8> = Vec::with_capacity(body.len());
    let mut out = String::new();
    let mut chars = body.chars();
    while let Some(c) = chars.next() {
        if !out.is_empty() {
            bytes.extend_from_slice(out.as_bytes());
            out.clear();
        }
        if c != '\\' {
            out.push(c);
            continue;
        }
        let e = chars.next().ok_or("invalid syntax")?;
        match e {
            'a' => out.push('\u{7}'),
            'b' => out.push('\u{8}'),
            'f' => out.push('\u{c}'),
            'n' => out.push('\n'),
            'r' => out.push('\r'),
            't' => out.push('\t'),
            'v' => out.push('\u{b}'),
            '\\' => out.push('\\'),
            '"' => out.push('"'),
            '\'' => out.push('\''),
            'x' | 'u' | 'U' => {
                let n = match e {
                    'x' => 2,
                    'u' => 4,
                    _ => 8,
                };
                let hex: String = chars.by_ref().take(n).collect();
                let v = u32::from_str_radix(&hex, 16).map_err(|_| "invalid syntax")?;
                if hex.len() != n {
                    return Err("invalid syntax".into());
                }
                if e == 'x' {
                    bytes.push(u8::try_from(v).map_err(|_| "invalid syntax")?);
                } else {
                    out.push(char::from_u32(v).ok_or("invalid syntax")?);
                }
            }
            '0'..='7' => {
                let rest: String = chars.by_ref().take(2).collect();
                let v =
                    u32::from_str_radix(&format!("{e}{rest}"), 8).map_err(|_| "invalid syntax")?;
                bytes.push(u8::try_from(v).map_err(|_| "invalid syntax")?);
            }
            _ => return Err("invalid syntax".into()),
        }
    }
    bytes.extend_from_slice(out.as_bytes());
    Ok(super::value::go_string_from_bytes(&bytes))
}

/// The trees of a template set, by name.
pub type Trees = HashMap<String, Rc<Tree>>;
