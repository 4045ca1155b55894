//! Builds [`Node`] trees from `saphyr-parser` events.
//!
//! The tree is built with an explicit stack of open collections rather than by
//! recursion, so hostile nesting is bounded by [`Limits::max_depth`] instead of
//! by the thread's stack. (`saphyr-parser` itself is iterative and refuses flow
//! nesting deeper than 255 with a "recursion limit exceeded" error.)

use std::borrow::Cow;
use std::collections::HashMap;

use indexmap::IndexMap;
use indexmap::map::Entry;
use saphyr_parser::{Event, Marker, Parser, ScalarStyle, Span, Tag};

use super::relax::{self, Relaxed};
use super::scalar::{self, WantedType};
use super::{
    Document, Issue, IssueSeverity, JsonProblem, Limits, Mapping, Node, Parsed, Pos, Value,
};
use crate::diag::Code;

/// The core-schema tag prefix that `!!` expands to.
const CORE_TAG_PREFIX: &str = "tag:yaml.org,2002:";

/// Converts a `saphyr` marker (1-based line, 0-based column in characters) to a
/// [`Pos`] (both 1-based).
pub(super) fn pos_of(mark: Marker) -> Pos {
    Pos {
        line: u32::try_from(mark.line()).unwrap_or(u32::MAX),
        column: u32::try_from(mark.col().saturating_add(1)).unwrap_or(u32::MAX),
    }
}

/// Most parses of one file: the first, plus retries past libyaml leniencies
/// (see [`relax`]), each of which fixes one quoted scalar or one line. Real
/// CSVs need over a hundred (a long description written as one quoted
/// scalar with tab-led lines); the byte budget below is what bounds the cost.
const MAX_ATTEMPTS: usize = 4096;
/// Most bytes parsed in total for one file across all attempts (or the file's
/// size, if larger: the first attempt always runs), so that a hostile file
/// cannot make retries expensive.
const RETRY_BUDGET_BYTES: usize = 64 * 1024 * 1024;

/// Parses already-checked text (no BOM, no NUL, within the size limit).
pub(super) fn parse_text(text: &str, limits: &Limits) -> Parsed {
    let mut current = Cow::Borrowed(text);
    let mut relaxed: Vec<Pos> = Vec::new();
    let mut spent = 0usize;
    let mut attempts = 0usize;
    loop {
        attempts += 1;
        spent = spent.saturating_add(current.len());
        let (mut parsed, scan_error) = parse_once(&current, limits);
        let retry = match scan_error {
            Some((mark, info))
                if attempts < MAX_ATTEMPTS
                    && spent.saturating_add(current.len())
                        <= RETRY_BUDGET_BYTES.max(text.len()) =>
            {
                relax::relax(&current, mark, &info)
            }
            _ => Relaxed::Fail,
        };
        match retry {
            Relaxed::Retry(patched, pos) => {
                relaxed.extend(pos);
                current = Cow::Owned(patched);
            }
            Relaxed::Fail => {
                relaxed.sort_unstable();
                relaxed.dedup();
                for pos in relaxed {
                    parsed.issues.push(Issue {
                        code: Code::YamlLenient,
                        severity: IssueSeverity::Warning,
                        pos: Some(pos),
                        message: "a continuation line of this quoted scalar, or a line \
                                  of this flow collection, is indented with a tab or less \
                                  than its block; Kubernetes (libyaml) accepts it, YAML 1.2 \
                                  parsers do not"
                            .to_owned(),
                    });
                }
                parsed.issues.sort_by_key(|i| i.pos);
                return parsed;
            }
        }
    }
}

/// One pass of the parser over `text`; also returns the parser error that
/// stopped it, if any, for [`relax`] to look at.
fn parse_once(text: &str, limits: &Limits) -> (Parsed, Option<(Marker, String)>) {
    let mut builder = Builder::new(limits);
    let mut scan_error = None;
    let mut v2 = V2Scanner::new(text);
    // `saphyr-parser` is not supposed to panic, but it is a large hand-written
    // state machine fed with untrusted files; one file that trips it must not
    // take the whole analysis down. The builder's state stays consistent
    // enough (plain vectors) to keep the documents finished before.
    let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        for item in Parser::new_from_str(text) {
            match item {
                Ok((event, span)) => {
                    if let Some((pos, problem)) = v2.refuses(&event, span) {
                        builder.issues.push(Issue {
                            code: Code::YamlSyntax,
                            severity: IssueSeverity::Error,
                            pos: Some(pos),
                            message: problem.to_owned(),
                        });
                        return;
                    }
                    if builder.event(event, span) == Step::Stop {
                        return;
                    }
                }
                Err(err) => {
                    builder.issues.push(Issue {
                        code: Code::YamlSyntax,
                        severity: IssueSeverity::Error,
                        pos: Some(pos_of(*err.marker())),
                        message: format!("YAML syntax error: {}", err.info()),
                    });
                    scan_error = Some((*err.marker(), err.info().to_owned()));
                    return;
                }
            }
        }
    }));
    if outcome.is_err() {
        builder.issues.push(Issue {
            code: Code::YamlSyntax,
            severity: IssueSeverity::Error,
            pos: None,
            message: "the YAML parser failed on this file (internal error); \
                      only the documents before the failure were read"
                .to_owned(),
        });
    }
    (builder.finish(), scan_error)
}

/// What go-yaml v2's scanner (Kubernetes, Helm) refuses that saphyr, a
/// YAML 1.2 parser, reads: an anchor or alias name with a character
/// outside `[0-9A-Za-z_-]` (`&a.b`, `*a/b`), and the `\/` escape in a
/// double-quoted scalar. Only texts holding such a sequence are looked at.
struct V2Scanner<'t> {
    text: &'t str,
    aliases: bool,
    anchors: bool,
    slash_escape: bool,
    /// Byte offset of each line's start, built when first needed.
    lines: Vec<usize>,
}

/// The name after an `&` or `*` at the start of `text` when go-yaml v2
/// refuses it: a character outside `[0-9A-Za-z_-]` that is not one of the
/// characters go-yaml lets end a name.
fn refused_name(text: &str) -> Option<String> {
    let name: String = text
        .chars()
        .skip(1)
        .take_while(|c| !c.is_whitespace() && !matches!(c, ',' | '[' | ']' | '{' | '}'))
        .collect();
    let bad = name
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '_' | '-')))?;
    (!matches!(bad, '?' | ':' | '%' | '@' | '`')).then_some(name)
}

/// go-yaml's scanner errors for the two.
const ANCHOR_NAME: &str = "did not find expected alphabetic or numeric character";
const UNKNOWN_ESCAPE: &str = "found unknown escape character";

impl<'t> V2Scanner<'t> {
    fn new(text: &'t str) -> Self {
        V2Scanner {
            text,
            aliases: text.contains('*') && text.contains('&'),
            anchors: text.contains('&'),
            slash_escape: text.contains("\\/"),
            lines: Vec::new(),
        }
    }

    /// The byte offset of a marker (its line is 1-based, its column counts
    /// characters).
    fn offset(&mut self, m: Marker) -> usize {
        if self.lines.is_empty() {
            self.lines.push(0);
            self.lines
                .extend(self.text.match_indices('\n').map(|(i, _)| i + 1));
        }
        let start = self
            .lines
            .get(m.line().saturating_sub(1))
            .copied()
            .unwrap_or(self.text.len());
        let line = &self.text[start..];
        start
            + line
                .char_indices()
                .nth(m.col())
                .map_or(line.len(), |(i, _)| i)
    }

    fn refuses(&mut self, event: &Event<'_>, span: Span) -> Option<(Pos, &'static str)> {
        match event {
            Event::Alias(_) if self.aliases => {
                let at = self.offset(span.start);
                let name = refused_name(&self.text[at..])?;
                // go-yaml stops at the anchor, which comes first.
                let anchor = self.text.find(&format!("&{name}")).unwrap_or(at);
                Some((super::end_pos(&self.text[..anchor]), ANCHOR_NAME))
            }
            Event::Scalar(_, _, anchor, _)
            | Event::MappingStart(anchor, _)
            | Event::SequenceStart(anchor, _)
                if *anchor > 0 && self.anchors =>
            {
                let at = self.offset(span.start);
                let end = (at + 1).min(self.text.len());
                let amp = self.text.get(..end)?.rfind('&')?;
                refused_name(&self.text[amp..])?;
                Some((super::end_pos(&self.text[..amp]), ANCHOR_NAME))
            }
            Event::Scalar(_, ScalarStyle::DoubleQuoted, _, _) if self.slash_escape => {
                let (from, to) = (self.offset(span.start), self.offset(span.end));
                let raw = self.text.get(from..to)?;
                let mut chars = raw.char_indices();
                while let Some((i, c)) = chars.next() {
                    if c == '\\'
                        && let Some((_, '/')) = chars.next()
                    {
                        return Some((super::end_pos(&self.text[..from + i]), UNKNOWN_ESCAPE));
                    }
                }
                None
            }
            _ => None,
        }
    }
}

/// Whether to keep reading events.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Step {
    Continue,
    Stop,
}

/// An anchored node kept for later aliases.
struct Anchored {
    node: Node,
    /// Number of nodes in `node`, charged to the alias budget on each use.
    size: usize,
    /// Collection levels in `node` (0 for a scalar), to bound the depth an
    /// alias adds where it is used.
    height: usize,
}

/// A sequence or mapping whose end event has not come yet.
struct Frame {
    pos: Pos,
    anchor: usize,
    /// Nodes in this collection so far, itself included.
    size: usize,
    /// Collection levels below and including this one.
    height: usize,
    body: Body,
}

enum Body {
    Seq(Vec<Node>),
    Map(MapFrame),
}

#[derive(Default)]
struct MapFrame {
    entries: IndexMap<String, (Pos, Node)>,
    /// The key read, waiting for its value; `None` means the next node is a key.
    key: Option<Key>,
    /// Keys whose value a `<<` merge wrote (a later key written in the
    /// mapping replaces it without a duplicate-key warning).
    merged: std::collections::HashSet<String>,
}

enum Key {
    /// A key's text and position, and whether it was null (stringified as
    /// `null` here; `sigs.k8s.io/yaml` refuses it).
    Text(String, Pos, bool),
    Merge(Pos),
    /// A complex key (mapping or sequence): its value is read and dropped.
    Skip,
}

struct Builder<'l> {
    limits: &'l Limits,
    documents: Vec<Document>,
    issues: Vec<Issue>,
    json: Vec<JsonProblem>,
    stack: Vec<Frame>,
    /// The finished root of the current document.
    root: Option<Node>,
    /// Where the current document starts (position of an empty document).
    doc_pos: Pos,
    /// Anchors of the current document by `saphyr`'s anchor id; `None` for
    /// an anchor whose copy would have broken the copy budget.
    anchors: HashMap<usize, Option<Anchored>>,
    /// Nodes created by alias expansion in this file so far.
    alias_nodes: usize,
    /// Nodes created in this file so far, by events and by alias expansion.
    nodes_seen: usize,
    /// Nodes copied to keep anchored nodes for later aliases.
    anchor_copies: usize,
}

impl<'l> Builder<'l> {
    fn new(limits: &'l Limits) -> Self {
        Builder {
            limits,
            documents: Vec::new(),
            issues: Vec::new(),
            json: Vec::new(),
            stack: Vec::new(),
            root: None,
            doc_pos: Pos { line: 1, column: 1 },
            anchors: HashMap::new(),
            alias_nodes: 0,
            nodes_seen: 0,
            anchor_copies: 0,
        }
    }

    fn finish(mut self) -> Parsed {
        // A file with nothing but comments yields no document event at all;
        // report it as one empty document, like a bare `---`.
        if self.documents.is_empty()
            && !self
                .issues
                .iter()
                .any(|i| i.severity == IssueSeverity::Error)
        {
            self.documents.push(Document {
                root: Node {
                    value: Value::Null,
                    pos: Pos { line: 1, column: 1 },
                },
            });
        }
        // Merge warnings are raised when their mapping ends; sorting (stably)
        // puts them back in file order.
        self.issues.sort_by_key(|i| i.pos);
        Parsed {
            documents: self.documents,
            issues: self.issues,
            json: self.json,
        }
    }

    fn error(&mut self, pos: Pos, message: String) -> Step {
        self.issues.push(Issue {
            code: Code::Limit,
            severity: IssueSeverity::Error,
            pos: Some(pos),
            message,
        });
        Step::Stop
    }

    fn event(&mut self, event: Event<'_>, span: Span) -> Step {
        let pos = pos_of(span.start);
        match event {
            Event::Nothing | Event::StreamStart | Event::StreamEnd => Step::Continue,
            Event::DocumentStart(_) => {
                // Anchors are per document in go-yaml; `saphyr`'s iterator
                // keeps them across documents, so forget them here.
                self.anchors.clear();
                self.stack.clear();
                self.root = None;
                self.doc_pos = pos;
                Step::Continue
            }
            Event::DocumentEnd => {
                let root = self.root.take().unwrap_or(Node {
                    value: Value::Null,
                    pos: self.doc_pos,
                });
                self.documents.push(Document { root });
                Step::Continue
            }
            Event::Scalar(text, style, anchor, tag) => {
                self.scalar(text, style, anchor, tag.as_deref(), pos)
            }
            Event::Alias(id) => self.alias(id, pos),
            Event::SequenceStart(anchor, _) => self.open(Body::Seq(Vec::new()), anchor, pos),
            Event::MappingStart(anchor, _) => {
                self.open(Body::Map(MapFrame::default()), anchor, pos)
            }
            Event::SequenceEnd | Event::MappingEnd => self.close(),
        }
    }

    fn open(&mut self, body: Body, anchor: usize, pos: Pos) -> Step {
        self.nodes_seen = self.nodes_seen.saturating_add(1);
        if self.stack.len() >= self.limits.max_depth {
            return self.error(
                pos,
                format!(
                    "nesting deeper than {} levels; the rest of the file is not read",
                    self.limits.max_depth
                ),
            );
        }
        // Tags on collections (`!!map`, `!!set`, `!!omap`, local tags) change
        // nothing in how Kubernetes reads them, so they are ignored.
        self.stack.push(Frame {
            pos,
            anchor,
            size: 1,
            height: 1,
            body,
        });
        Step::Continue
    }

    fn close(&mut self) -> Step {
        let Some(frame) = self.stack.pop() else {
            // The parser never ends a collection it did not start.
            return Step::Continue;
        };
        let value = match frame.body {
            Body::Seq(items) => Value::Seq(items),
            Body::Map(map) => Value::Map(self.finish_map(map)),
        };
        self.complete(
            Node {
                value,
                pos: frame.pos,
            },
            frame.size,
            frame.height,
            frame.anchor,
        )
    }

    /// A finished mapping (its `<<` merges were applied as they came).
    fn finish_map(&mut self, map: MapFrame) -> Mapping {
        Mapping {
            entries: map.entries,
        }
    }

    fn scalar(
        &mut self,
        text: Cow<'_, str>,
        style: ScalarStyle,
        anchor: usize,
        tag: Option<&Tag>,
        pos: Pos,
    ) -> Step {
        self.nodes_seen = self.nodes_seen.saturating_add(1);
        let core = tag.map(core_tag_name);
        // go-yaml treats a plain `<<` key (or one tagged `!!merge`) as a
        // merge; a quoted "<<" is an ordinary key.
        if text == "<<"
            && ((style == ScalarStyle::Plain && tag.is_none()) || core == Some(Some("merge")))
            && let Some(Frame {
                body: Body::Map(map),
                size,
                ..
            }) = self.stack.last_mut()
            && map.key.is_none()
        {
            map.key = Some(Key::Merge(pos));
            *size = size.saturating_add(1);
            return Step::Continue;
        }
        let value = match core {
            None if style == ScalarStyle::Plain => {
                scalar::resolve_plain(&text).unwrap_or_else(|| Value::String(text.into_owned()))
            }
            None => Value::String(text.into_owned()),
            Some(name) => {
                let wanted = match name {
                    Some("int") => Some(WantedType::Int),
                    Some("float") => Some(WantedType::Float),
                    Some("bool") => Some(WantedType::Bool),
                    Some("null") => Some(WantedType::Null),
                    // `!!str`, `!!binary` (decoded below), `!!timestamp`
                    // (go-yaml gives timestamps to `interface{}` as strings),
                    // and any tag go-yaml does not resolve (local `!foo`,
                    // `!`, other URIs): go-yaml keeps the text as a string.
                    _ => None,
                };
                match wanted {
                    // go-yaml decodes `!!binary` (Go's StdEncoding, line
                    // breaks skipped) to a string of its bytes, which
                    // encoding/json then writes as UTF-8 (U+FFFD for a bad
                    // byte).
                    None if name == Some("binary") => {
                        match crate::helm::digest::b64decode_strict(&text) {
                            Ok(bytes) => {
                                Value::String(String::from_utf8_lossy(&bytes).into_owned())
                            }
                            Err(_) => {
                                self.json.push(JsonProblem {
                                    doc: self.documents.len(),
                                    stage: 0,
                                    pos,
                                    message: "yaml: !!binary value contains invalid base64 data"
                                        .to_owned(),
                                });
                                Value::String(text.into_owned())
                            }
                        }
                    }
                    None => Value::String(text.into_owned()),
                    Some(wanted) => match scalar::resolve_tagged(&text, wanted) {
                        Ok(v) => v,
                        Err(()) => {
                            self.issues.push(Issue {
                                code: Code::YamlTag,
                                severity: IssueSeverity::Error,
                                pos: Some(pos),
                                message: format!(
                                    "cannot read `{}` as !!{}; kept as a string \
                                     (Kubernetes would reject the document)",
                                    text,
                                    name.unwrap_or_default()
                                ),
                            });
                            Value::String(text.into_owned())
                        }
                    },
                }
            }
        };
        self.complete(Node { value, pos }, 1, 0, anchor)
    }

    fn alias(&mut self, id: usize, pos: Pos) -> Step {
        let anchored = match self.anchors.get(&id) {
            Some(Some(anchored)) => anchored,
            Some(None) => {
                return self.error(
                    pos,
                    "alias to an anchor nested in too many other anchors to keep a copy of; \
                     the rest of the file is not read"
                        .to_owned(),
                );
            }
            // `saphyr` resolves names across documents; go-yaml does not.
            None => {
                return self.error(
                    pos,
                    "alias to an anchor not defined earlier in this document".to_owned(),
                );
            }
        };
        let (size, height) = (anchored.size, anchored.height);
        if self.stack.len().saturating_add(height) > self.limits.max_depth {
            return self.error(
                pos,
                format!(
                    "alias expansion nests deeper than {} levels; the rest of the file is not read",
                    self.limits.max_depth
                ),
            );
        }
        let total = self.alias_nodes.saturating_add(size);
        if total > self.limits.max_alias_nodes {
            return self.error(
                pos,
                format!(
                    "alias expansion exceeds {} nodes (an alias bomb?); \
                     the rest of the file is not read",
                    self.limits.max_alias_nodes
                ),
            );
        }
        self.alias_nodes = total;
        self.nodes_seen = self.nodes_seen.saturating_add(size);
        // Checked before cloning, so a bomb never allocates past the budget.
        let node = anchored.node.clone();
        self.complete(node, size, height, 0)
    }

    /// Hands a finished node to its parent (or makes it the document root).
    fn complete(&mut self, node: Node, size: usize, height: usize, anchor: usize) -> Step {
        if anchor != 0 {
            // Every anchored node is copied when it ends, since the tree owns
            // its nodes. Anchors nested in anchors copy the inner nodes again
            // at each level, so a file of nested anchors could cost its size
            // times its depth without a single alias: copies are capped at
            // the nodes of the file plus the alias budget, which ordinary
            // files never approach.
            let copies = self.anchor_copies.saturating_add(size);
            let budget = self.nodes_seen.saturating_add(self.limits.max_alias_nodes);
            let kept = (copies <= budget).then(|| {
                self.anchor_copies = copies;
                Anchored {
                    node: node.clone(),
                    size,
                    height,
                }
            });
            self.anchors.insert(anchor, kept);
        }
        let is_value = !matches!(
            self.stack.last().map(|f| &f.body),
            Some(Body::Map(map)) if map.key.is_none()
        );
        if is_value
            && let Value::Float(f) = node.value
            && !f.is_finite()
        {
            // encoding/json's words for what JSON cannot hold.
            let what = if f.is_nan() {
                "NaN"
            } else if f > 0.0 {
                "+Inf"
            } else {
                "-Inf"
            };
            self.json.push(JsonProblem {
                doc: self.documents.len(),
                stage: 2,
                pos: node.pos,
                message: format!("json: unsupported value: {what}"),
            });
        }
        let Some(frame) = self.stack.last_mut() else {
            self.root = Some(node);
            return Step::Continue;
        };
        frame.size = frame.size.saturating_add(size);
        frame.height = frame.height.max(height.saturating_add(1));
        match &mut frame.body {
            Body::Seq(items) => items.push(node),
            Body::Map(map) => match map.key.take() {
                None => {
                    let key = key_of(node, &mut self.issues, &mut self.json, self.documents.len());
                    map.key = Some(key);
                }
                Some(Key::Text(key, key_pos, null)) => {
                    if null {
                        self.json.push(JsonProblem {
                            doc: self.documents.len(),
                            stage: 1,
                            pos: key_pos,
                            message: format!(
                                "unsupported map key of type: %!s(<nil>), key: <nil>, value: {}",
                                if node.is_null() {
                                    "<nil>".to_owned()
                                } else {
                                    super::go_repr(&node.value)
                                }
                            ),
                        });
                    }
                    if map.merged.remove(&key) {
                        // A key written after a merge replaces its value.
                        map.entries.insert(key, (key_pos, node));
                        return Step::Continue;
                    }
                    match map.entries.entry(key) {
                        Entry::Occupied(mut slot) => {
                            let first = slot.get().0;
                            self.issues.push(Issue {
                                code: Code::YamlDuplicateKey,
                                severity: IssueSeverity::Warning,
                                pos: Some(key_pos),
                                message: format!(
                                    "duplicate key `{}` (first at line {}); the last value wins",
                                    slot.key(),
                                    first.line
                                ),
                            });
                            // Keep the first key position (so later duplicates
                            // still name the first line); the value is the last.
                            slot.get_mut().1 = node;
                        }
                        Entry::Vacant(slot) => {
                            slot.insert((key_pos, node));
                        }
                    }
                }
                // go-yaml v2 (sigs.k8s.io/yaml): a `<<` entry is applied
                // where it stands, over the keys before it.
                Some(Key::Merge(key_pos)) => {
                    if let Some(problem) = merge_into(map, node) {
                        self.issues.push(Issue {
                            code: Code::YamlSyntax,
                            severity: IssueSeverity::Error,
                            pos: Some(key_pos),
                            message: problem.to_owned(),
                        });
                    }
                }
                Some(Key::Skip) => {}
            },
        }
        Step::Continue
    }
}

/// Turns a key node into its text the way `sigs.k8s.io/yaml` stringifies
/// non-string keys; complex keys are skipped with a warning.
fn key_of(node: Node, issues: &mut Vec<Issue>, json: &mut Vec<JsonProblem>, doc: usize) -> Key {
    let text = match node.value {
        Value::String(s) => s,
        Value::Null => return Key::Text("null".to_owned(), node.pos, true),
        Value::Bool(b) => b.to_string(),
        Value::Int(i) => i.to_string(),
        Value::Float(f) => scalar::format_float(f),
        Value::Seq(_) | Value::Map(_) => {
            json.push(JsonProblem {
                doc,
                stage: 0,
                pos: node.pos,
                message: format!("yaml: invalid map key: {}", super::go_repr(&node.value)),
            });
            issues.push(Issue {
                code: Code::YamlOddity,
                severity: IssueSeverity::Warning,
                pos: Some(node.pos),
                message: "a mapping or sequence used as a mapping key; \
                          the entry is skipped (Kubernetes cannot read it)"
                    .to_owned(),
            });
            return Key::Skip;
        }
    };
    Key::Text(text, node.pos, false)
}

/// go-yaml v2's `merge` of a `<<` value into the mapping being read: a
/// mapping's entries overwrite the keys before them; a sequence of mappings
/// is applied from its last item to its first, so earlier items win among
/// themselves. Anything else is go-yaml's error, which fails the document.
fn merge_into(map: &mut MapFrame, source: Node) -> Option<&'static str> {
    const WANT_MAP: &str = super::MAP_MERGE;
    let sources = match source.value {
        Value::Map(m) => vec![m],
        Value::Seq(items) => {
            let mut maps = Vec::with_capacity(items.len());
            for item in items.into_iter().rev() {
                match item.value {
                    Value::Map(m) => maps.push(m),
                    _ => return Some(WANT_MAP),
                }
            }
            maps
        }
        _ => return Some(WANT_MAP),
    };
    for m in sources {
        for (key, entry) in m.entries {
            map.merged.insert(key.clone());
            map.entries.insert(key, entry);
        }
    }
    None
}

/// `Some(name)` for a core-schema tag (`!!int` -> `int`), `None` for any other
/// tag (local `!foo`, the non-specific `!`, other URIs).
fn core_tag_name(tag: &Tag) -> Option<&str> {
    if tag.handle == CORE_TAG_PREFIX {
        return Some(tag.suffix.as_str());
    }
    // A verbatim `!<tag:yaml.org,2002:str>` keeps the whole URI in the suffix.
    if tag.handle.is_empty() {
        return tag.suffix.strip_prefix(CORE_TAG_PREFIX);
    }
    None
}
