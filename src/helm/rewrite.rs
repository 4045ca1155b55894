//! Parse-tree rewrites that give gotmpl the parts of Go's semantics it lacks.
//!
//! 1. **Method calls.** Go templates call methods on Helm's objects
//!    (`.Capabilities.APIVersions.Has "x"`, `.Files.Get "f"`,
//!    `(.Files.Glob "*").AsConfig`); gotmpl only does field lookups. Such a
//!    command becomes a call of the `__method` function with the method
//!    name, the receiver and the arguments.
//! 2. **Map mutation.** Sprig's `set`, `unset`, `merge`, `mergeOverwrite`
//!    change their first argument in place (Go maps are references), and
//!    charts rely on it (`$_ := set $config.service "k" v`, then use
//!    `$config`). gotmpl values are immutable, so after such an action on a
//!    variable (or a field path under one), an action `$var = __setin $var
//!    "path" (<the same call>)` writes the result back.
//! 3. **Printing.** gotmpl prints floats as Rust does (`1000000`); Go prints
//!    `1e+06`. Each printing action gets a final `__print` command that
//!    formats as Go's `fmt.Sprint`.
//! 4. **Positions.** For the top-level tree of a template file, a marker
//!    text node carrying the source line is inserted before every node, so
//!    that a rendered document can be traced to the template line it comes
//!    from. Markers are removed from the output after rendering.

use gotmpl::parse::{
    ActionNode, CommandNode, Expr, ListNode, Node, PipeNode, Pos, SmolStr, TextNode,
};

/// Methods of Helm's objects that templates call.
const METHODS: [&str; 7] = [
    "Has",
    "Get",
    "GetBytes",
    "Glob",
    "AsConfig",
    "AsSecrets",
    "Lines",
];
/// Methods that take no argument (so they can be called anywhere in an expression).
const NULLARY: [&str; 2] = ["AsConfig", "AsSecrets"];
/// Sprig functions that mutate their first argument.
const MUTATORS: [&str; 7] = [
    "set",
    "unset",
    "merge",
    "mergeOverwrite",
    "mustMerge",
    "mustMergeOverwrite",
    "dig_never",
];

/// Start and end of a position marker in rendered text (private-use characters).
pub(crate) const MARK_START: char = '\u{E000}';
/// End of a position marker.
pub(crate) const MARK_END: char = '\u{E001}';
/// Start of an action marker (the document starts in output of an action).
pub(crate) const MARK_ACTION: char = '\u{E002}';

fn ident(pos: Pos, name: &str) -> Expr {
    Expr::Identifier(pos, SmolStr::new(name))
}

fn string(pos: Pos, s: &str) -> Expr {
    Expr::String(pos, std::sync::Arc::from(s))
}

/// Rewrites a tree in place (1–3 above). In the top scope of a template
/// (outside `with`/`range` bodies) dot is always `$`, so `.X` is read as
/// `$.X` there: a write-back to `$` (`set .Values.x "k" v`) is then seen by
/// the rest of the template.
pub(crate) fn rewrite_list(list: &mut ListNode) {
    rewrite_scope(list, true, &mut Vec::new());
}

/// A variable known to hold a map found inside another variable:
/// `$s := index $config $kind` or `range $k, $v := $config.a` (then `$v` is
/// `$config.a[$k]`). A write-back to the alias is also written to the root,
/// which is what sharing would have done in Go.
#[derive(Clone)]
struct Alias {
    var: SmolStr,
    root: SmolStr,
    /// Path segments: string literals or variables (evaluated where written back).
    path: Vec<Expr>,
}

/// The alias a declaration `$x := <pipe>` makes, if any.
fn alias_of(var: &SmolStr, pipe: &PipeNode) -> Option<Alias> {
    if pipe.commands.len() != 1 {
        return None;
    }
    let args = &pipe.commands[0].args;
    match args.first()? {
        Expr::Variable(pos, root, fields) if args.len() == 1 && !fields.is_empty() => Some(Alias {
            var: var.clone(),
            root: root.clone(),
            path: fields.iter().map(|f| string(*pos, f)).collect(),
        }),
        Expr::Identifier(_, f) if (f == "index" || f == "get") && args.len() >= 3 => {
            let Expr::Variable(pos, root, fields) = &args[1] else {
                return None;
            };
            let mut path: Vec<Expr> = fields.iter().map(|f| string(*pos, f)).collect();
            for k in &args[2..] {
                match k {
                    Expr::String(..) | Expr::Variable(_, _, _) => path.push(k.clone()),
                    _ => return None,
                }
            }
            Some(Alias {
                var: var.clone(),
                root: root.clone(),
                path,
            })
        }
        _ => None,
    }
}

/// `$root = __setinx $root (list path…) $var` for each alias up the chain.
fn alias_write_backs(var: &SmolStr, aliases: &[Alias], pos: Pos) -> Vec<Node> {
    let mut out = Vec::new();
    let mut cur = var.clone();
    let mut guard = 0;
    while let Some(a) = aliases.iter().rev().find(|a| a.var == cur) {
        guard += 1;
        if guard > 16 || a.root == a.var {
            break;
        }
        let mut list_args = vec![ident(pos, "list")];
        list_args.extend(a.path.iter().cloned());
        let path = Expr::Pipe(
            pos,
            PipeNode {
                pos,
                decl: Vec::new(),
                commands: vec![CommandNode {
                    pos,
                    args: list_args,
                }],
                is_assign: false,
            },
        );
        out.push(Node::Action(ActionNode {
            pos,
            pipe: PipeNode {
                pos,
                decl: vec![a.root.clone()],
                commands: vec![CommandNode {
                    pos,
                    args: vec![
                        ident(pos, "__setinx"),
                        Expr::Variable(pos, a.root.clone(), Vec::new()),
                        path,
                        Expr::Variable(pos, cur.clone(), Vec::new()),
                    ],
                }],
                is_assign: true,
            },
        }));
        cur = a.root.clone();
    }
    out
}

fn rewrite_scope(list: &mut ListNode, top: bool, aliases: &mut Vec<Alias>) {
    let nodes = std::mem::take(&mut list.nodes);
    let mut out = Vec::with_capacity(nodes.len());
    for mut node in nodes {
        let mut extra: Vec<Node> = Vec::new();
        let mut drop_original = false;
        match &mut node {
            Node::Action(a) => {
                rewrite_pipe(&mut a.pipe, top);
                if let Some((wb, var)) = write_back(&a.pipe) {
                    // When the action only binds `$_`, the write-back alone is enough.
                    drop_original = a.pipe.decl.len() == 1 && a.pipe.decl[0] == "$_";
                    extra.push(wb);
                    extra.extend(alias_write_backs(&var, aliases, a.pipe.pos));
                }
                if a.pipe.decl.len() == 1 && a.pipe.decl[0] != "$_" {
                    let var = a.pipe.decl[0].clone();
                    aliases.retain(|x| x.var != var);
                    if let Some(al) = alias_of(&var, &a.pipe) {
                        aliases.push(al);
                    }
                }
                if a.pipe.decl.is_empty() {
                    let pos = a.pipe.pos;
                    a.pipe.commands.push(CommandNode {
                        pos,
                        args: vec![ident(pos, "__print")],
                    });
                }
            }
            Node::If(b) => {
                rewrite_pipe(&mut b.pipe, top);
                rewrite_scope(&mut b.body, top, &mut aliases.clone());
                if let Some(e) = &mut b.else_body {
                    rewrite_scope(e, top, &mut aliases.clone());
                }
            }
            Node::Range(b) => {
                // The body sees another dot; the else branch keeps this one.
                rewrite_pipe(&mut b.pipe, top);
                let mut inner = aliases.clone();
                if b.pipe.decl.len() == 2
                    && b.pipe.commands.len() == 1
                    && b.pipe.commands[0].args.len() == 1
                    && let Expr::Variable(pos, root, fields) = &b.pipe.commands[0].args[0]
                {
                    let mut path: Vec<Expr> = fields.iter().map(|f| string(*pos, f)).collect();
                    path.push(Expr::Variable(*pos, b.pipe.decl[0].clone(), Vec::new()));
                    inner.push(Alias {
                        var: b.pipe.decl[1].clone(),
                        root: root.clone(),
                        path,
                    });
                }
                rewrite_scope(&mut b.body, false, &mut inner);
                if let Some(e) = &mut b.else_body {
                    rewrite_scope(e, top, &mut aliases.clone());
                }
            }
            Node::With(b) => {
                rewrite_pipe(&mut b.pipe, top);
                rewrite_scope(&mut b.body, false, &mut aliases.clone());
                if let Some(e) = &mut b.else_body {
                    rewrite_scope(e, top, &mut aliases.clone());
                }
            }
            Node::Template(t) => {
                if let Some(p) = &mut t.pipe {
                    rewrite_pipe(p, top);
                }
            }
            Node::Define(d) => rewrite_scope(&mut d.body, true, &mut Vec::new()),
            Node::List(l) => rewrite_scope(l, top, aliases),
            Node::Text(_) | Node::Break(_) | Node::Continue(_) => {}
        }
        if !drop_original {
            out.push(node);
        }
        out.extend(extra);
    }
    list.nodes = out;
}

fn rewrite_pipe(pipe: &mut PipeNode, top: bool) {
    for cmd in &mut pipe.commands {
        for arg in &mut cmd.args {
            rewrite_expr(arg, top);
        }
        rewrite_command(cmd);
    }
}

fn rewrite_expr(e: &mut Expr, top: bool) {
    match e {
        Expr::Pipe(_, p) => rewrite_pipe(p, top),
        Expr::Chain(_, inner, _) => rewrite_expr(inner, top),
        Expr::Dot(pos) if top => *e = Expr::Variable(*pos, SmolStr::new("$"), Vec::new()),
        Expr::Field(pos, fields) if top => {
            *e = Expr::Variable(*pos, SmolStr::new("$"), fields.clone())
        }
        _ => {}
    }
    // A zero-argument method inside an expression: `(.Files.Glob "x").AsConfig`.
    if let Some((method, receiver)) = split_method(e, true) {
        let pos = expr_pos(e);
        *e = Expr::Pipe(
            pos,
            PipeNode {
                pos,
                decl: Vec::new(),
                commands: vec![CommandNode {
                    pos,
                    args: vec![ident(pos, "__method"), string(pos, &method), receiver],
                }],
                is_assign: false,
            },
        );
    }
}

fn expr_pos(e: &Expr) -> Pos {
    match e {
        Expr::Dot(p)
        | Expr::Field(p, _)
        | Expr::Variable(p, _, _)
        | Expr::Identifier(p, _)
        | Expr::String(p, _)
        | Expr::Number(p, _)
        | Expr::Bool(p, _)
        | Expr::Nil(p)
        | Expr::Pipe(p, _)
        | Expr::Chain(p, _, _) => *p,
    }
}

/// `(method, receiver)` when `e` ends in a method name.
fn split_method(e: &Expr, nullary_only: bool) -> Option<(String, Expr)> {
    let allowed = |m: &str| {
        if nullary_only {
            NULLARY.contains(&m)
        } else {
            METHODS.contains(&m)
        }
    };
    match e {
        Expr::Field(pos, fields) => {
            let last = fields.last()?;
            if !allowed(last) {
                return None;
            }
            let rest = &fields[..fields.len() - 1];
            let receiver = if rest.is_empty() {
                Expr::Dot(*pos)
            } else {
                Expr::Field(*pos, rest.to_vec())
            };
            Some((last.to_string(), receiver))
        }
        Expr::Variable(pos, name, fields) => {
            let last = fields.last()?;
            if !allowed(last) {
                return None;
            }
            Some((
                last.to_string(),
                Expr::Variable(*pos, name.clone(), fields[..fields.len() - 1].to_vec()),
            ))
        }
        Expr::Chain(pos, inner, fields) => {
            let last = fields.last()?;
            if !allowed(last) {
                return None;
            }
            let receiver = if fields.len() == 1 {
                (**inner).clone()
            } else {
                Expr::Chain(*pos, inner.clone(), fields[..fields.len() - 1].to_vec())
            };
            Some((last.to_string(), receiver))
        }
        _ => None,
    }
}

fn rewrite_command(cmd: &mut CommandNode) {
    let Some(first) = cmd.args.first() else {
        return;
    };
    if matches!(first, Expr::Identifier(..)) {
        return;
    }
    if let Some((method, receiver)) = split_method(first, false) {
        let pos = cmd.pos;
        let rest: Vec<Expr> = cmd.args.drain(1..).collect();
        let mut args = vec![ident(pos, "__method"), string(pos, &method), receiver];
        args.extend(rest);
        cmd.args = args;
    }
}

/// For `$_ := set $v.a.b "k" x` (any mutator, target a variable with an
/// optional field path), the action `$v = __setin $v "a.b" (set $v.a.b "k" x)`.
fn write_back(pipe: &PipeNode) -> Option<(Node, SmolStr)> {
    if pipe.commands.len() != 1 {
        return None;
    }
    let cmd = &pipe.commands[0];
    let Some(Expr::Identifier(_, name)) = cmd.args.first() else {
        return None;
    };
    if !MUTATORS.contains(&name.as_str()) {
        return None;
    }
    let Some(Expr::Variable(vpos, var, fields)) = cmd.args.get(1) else {
        return None;
    };
    let pos = pipe.pos;
    let path = fields
        .iter()
        .map(SmolStr::as_str)
        .collect::<Vec<_>>()
        .join("\u{0}");
    let call = Expr::Pipe(
        pos,
        PipeNode {
            pos,
            decl: Vec::new(),
            commands: vec![cmd.clone()],
            is_assign: false,
        },
    );
    let node = Node::Action(ActionNode {
        pos,
        pipe: PipeNode {
            pos,
            decl: vec![var.clone()],
            commands: vec![CommandNode {
                pos,
                args: vec![
                    ident(pos, "__setin"),
                    Expr::Variable(*vpos, var.clone(), Vec::new()),
                    string(pos, &path),
                    call,
                ],
            }],
            is_assign: true,
        },
    });
    Some((node, var.clone()))
}

/// Inserts position markers before every node of a template's top-level
/// tree (recursively into `if`/`range`/`with` bodies, not into defines).
/// `src` is the template's source: gotmpl's node lines are where a token
/// ends, so lines are computed from byte offsets instead.
pub(crate) fn add_markers(list: &mut ListNode, src: &str) {
    let line_at = |offset: usize| {
        let upto = src.get(..offset.min(src.len())).unwrap_or(src);
        upto.matches('\n').count() + 1
    };
    let nodes = std::mem::take(&mut list.nodes);
    let mut out = Vec::with_capacity(nodes.len() * 2);
    for mut node in nodes {
        match &mut node {
            Node::Text(t) => {
                // The node's text as trimmed, found from its offset on.
                let start = src
                    .get(t.pos.offset..)
                    .and_then(|rest| rest.find(&*t.text))
                    .map_or(t.pos.offset, |i| t.pos.offset + i);
                out.push(marker(t.pos, line_at(start), MARK_START));
            }
            Node::Action(a) if a.pipe.decl.is_empty() => {
                out.push(marker(a.pos, line_at(a.pos.offset), MARK_ACTION));
            }
            Node::Template(t) => {
                out.push(marker(t.pos, line_at(t.pos.offset), MARK_ACTION));
            }
            Node::If(b) | Node::Range(b) | Node::With(b) => {
                add_markers(&mut b.body, src);
                if let Some(e) = &mut b.else_body {
                    add_markers(e, src);
                }
            }
            Node::List(l) => add_markers(l, src),
            _ => {}
        }
        out.push(node);
    }
    list.nodes = out;
}

fn marker(pos: Pos, line: usize, kind: char) -> Node {
    Node::Text(TextNode {
        pos,
        text: std::sync::Arc::from(format!("{kind}{line}{MARK_END}").as_str()),
    })
}

/// Gives `fail` and `required` their source position: each call becomes
/// `__fail "name:line:col" …` / `__required "name:line:col" …`, so the error
/// reads as Helm's `execution error at (name:line:col): message` (gotmpl's
/// own errors carry no position).
pub(crate) fn locate_failures(list: &mut ListNode, name: &str, src: &str) {
    for node in &mut list.nodes {
        match node {
            Node::Action(a) => locate_pipe(&mut a.pipe, name, src),
            Node::If(b) | Node::Range(b) | Node::With(b) => {
                locate_pipe(&mut b.pipe, name, src);
                locate_failures(&mut b.body, name, src);
                if let Some(e) = &mut b.else_body {
                    locate_failures(e, name, src);
                }
            }
            Node::Template(t) => {
                if let Some(p) = &mut t.pipe {
                    locate_pipe(p, name, src);
                }
            }
            Node::Define(d) => locate_failures(&mut d.body, name, src),
            Node::List(l) => locate_failures(l, name, src),
            Node::Text(_) | Node::Break(_) | Node::Continue(_) => {}
        }
    }
}

fn locate_pipe(pipe: &mut PipeNode, name: &str, src: &str) {
    for cmd in &mut pipe.commands {
        for arg in &mut cmd.args {
            if let Expr::Pipe(_, p) = arg {
                locate_pipe(p, name, src);
            }
        }
        let Some(Expr::Identifier(pos, f)) = cmd.args.first() else {
            continue;
        };
        let target = match f.as_str() {
            "fail" => "__fail",
            "required" => "__required",
            _ => continue,
        };
        let pos = *pos;
        let before = src.get(..pos.offset.min(src.len())).unwrap_or("");
        let line = before.matches('\n').count() + 1;
        // Go's ErrorContext counts the column from 0.
        let col = before.len() - before.rfind('\n').map_or(0, |i| i + 1);
        cmd.args[0] = ident(pos, target);
        cmd.args
            .insert(1, string(pos, &format!("{name}:{line}:{col}")));
    }
}
