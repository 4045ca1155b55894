//! Tests of the loader as a whole: text in, documents and issues out.

use super::*;

fn parse(text: &str) -> Parsed {
    parse_str(text, &Limits::default())
}

/// The root of the only document, with no issue raised.
fn one(text: &str) -> Node {
    let parsed = parse(text);
    assert!(parsed.issues.is_empty(), "issues: {:?}", parsed.issues);
    assert_eq!(parsed.documents.len(), 1, "{:?}", parsed.documents);
    parsed.documents.into_iter().next().unwrap().root
}

fn errors(parsed: &Parsed) -> Vec<&Issue> {
    parsed
        .issues
        .iter()
        .filter(|i| i.severity == IssueSeverity::Error)
        .collect()
}

fn pos(line: u32, column: u32) -> Pos {
    Pos { line, column }
}

#[test]
fn yaml11_plain_scalars() {
    let root = one(
        "a: yes\nb: off\nc: 0644\nd: 0x1F\ne: 0b101\nf: 1_000\ng: 1.5\nh: .inf\n\
         i: ~\nj:\nk: Null\nl: 1e3\nm: -.inf\nn2: Y\no: 2001-12-14\np: 1:20\nq: '0644'\n",
    );
    assert_eq!(root.get("a").unwrap().as_bool(), Some(true));
    assert_eq!(root.get("b").unwrap().as_bool(), Some(false));
    assert_eq!(root.get("c").unwrap().as_i64(), Some(420));
    assert_eq!(root.get("d").unwrap().as_i64(), Some(31));
    assert_eq!(root.get("e").unwrap().as_i64(), Some(5));
    assert_eq!(root.get("f").unwrap().as_i64(), Some(1000));
    assert_eq!(root.get("g").unwrap().value, Value::Float(1.5));
    assert_eq!(root.get("h").unwrap().value, Value::Float(f64::INFINITY));
    assert!(root.get("i").unwrap().is_null());
    assert!(root.get("j").unwrap().is_null());
    assert!(root.get("k").unwrap().is_null());
    assert_eq!(root.get("l").unwrap().value, Value::Float(1000.0));
    assert_eq!(
        root.get("m").unwrap().value,
        Value::Float(f64::NEG_INFINITY)
    );
    assert_eq!(root.get("n2").unwrap().as_bool(), Some(true));
    assert_eq!(root.get("o").unwrap().as_str(), Some("2001-12-14"));
    assert_eq!(root.get("p").unwrap().as_str(), Some("1:20"));
    assert_eq!(root.get("q").unwrap().as_str(), Some("0644"));
}

#[test]
fn quoted_and_block_scalars_are_strings() {
    let root = one("a: \"yes\"\nb: 'true'\nc: \"0644\"\nd: |\n  42\ne: >\n  null\nf: \"\"\n");
    assert_eq!(root.get("a").unwrap().as_str(), Some("yes"));
    assert_eq!(root.get("b").unwrap().as_str(), Some("true"));
    assert_eq!(root.get("c").unwrap().as_str(), Some("0644"));
    assert_eq!(root.get("d").unwrap().as_str(), Some("42\n"));
    assert_eq!(root.get("e").unwrap().as_str(), Some("null\n"));
    assert_eq!(root.get("f").unwrap().as_str(), Some(""));
}

#[test]
fn equals_sign_is_a_string() {
    // YAML 1.1's `!!value` type must not get in the way (prometheus CRDs).
    let root = one("enum:\n- =\n- '!='\n- =~\n");
    let items: Vec<_> = root
        .get("enum")
        .unwrap()
        .as_seq()
        .unwrap()
        .iter()
        .map(|n| n.as_str().unwrap())
        .collect();
    assert_eq!(items, ["=", "!=", "=~"]);
}

#[test]
fn explicit_tags() {
    let root = one(
        "a: !!str 0644\nb: !!int \"42\"\nc: !!float 1\nd: !!bool \"yes\"\n\
         e: !!null ''\nf: !!binary aGVsbG8=\ng: !!map {x: 1}\nh: !!seq [1]\n\
         i: !foo 12\nj: !<tag:yaml.org,2002:str> 7\nk: !!timestamp 2001-12-14\n",
    );
    assert_eq!(root.get("a").unwrap().as_str(), Some("0644"));
    assert_eq!(root.get("b").unwrap().as_i64(), Some(42));
    assert_eq!(root.get("c").unwrap().value, Value::Float(1.0));
    assert_eq!(root.get("d").unwrap().as_bool(), Some(true));
    assert!(root.get("e").unwrap().is_null());
    // go-yaml decodes !!binary (sigs.k8s.io/yaml then writes it as UTF-8).
    assert_eq!(root.get("f").unwrap().as_str(), Some("hello"));
    assert_eq!(root.path("g.x").unwrap().as_i64(), Some(1));
    assert_eq!(root.path("h[0]").unwrap().as_i64(), Some(1));
    // go-yaml v2 does not resolve scalars under tags it does not know.
    assert_eq!(root.get("i").unwrap().as_str(), Some("12"));
    assert_eq!(root.get("j").unwrap().as_str(), Some("7"));
    assert_eq!(root.get("k").unwrap().as_str(), Some("2001-12-14"));
}

#[test]
fn bad_int_tag_is_an_error_and_a_string() {
    let parsed = parse("a: 1\nb: !!int abc\n");
    assert_eq!(parsed.documents.len(), 1);
    let errs = errors(&parsed);
    assert_eq!(errs.len(), 1);
    assert_eq!(errs[0].pos, Some(pos(2, 4)));
    assert!(errs[0].message.contains("!!int"), "{}", errs[0].message);
    let root = &parsed.documents[0].root;
    assert_eq!(root.get("b").unwrap().as_str(), Some("abc"));
}

#[test]
fn multi_document_with_empty_documents() {
    let parsed = parse("---\n# nothing\n---\na: 1\n---\n---\nb: 2\n...\n");
    assert!(parsed.issues.is_empty(), "{:?}", parsed.issues);
    let roots: Vec<_> = parsed.documents.iter().map(|d| &d.root).collect();
    assert_eq!(roots.len(), 4, "{roots:?}");
    assert!(roots[0].is_null());
    assert_eq!(roots[1].get("a").unwrap().as_i64(), Some(1));
    assert!(roots[2].is_null());
    assert_eq!(roots[3].get("b").unwrap().as_i64(), Some(2));
    assert_eq!(roots[3].pos, pos(7, 1));
}

#[test]
fn comment_only_and_empty_files_are_one_null_document() {
    for text in ["", "# just a comment\n", "\n\n"] {
        let parsed = parse(text);
        assert!(parsed.issues.is_empty());
        assert_eq!(parsed.documents.len(), 1, "{text:?}");
        assert!(parsed.documents[0].root.is_null());
    }
}

#[test]
fn positions() {
    let text = "apiVersion: v1\nkind: Pod\nspec:\n  containers:\n  - name: app\n    image: \"nginx\"\n    ports: [80, 443]\n";
    let root = one(text);
    assert_eq!(root.pos, pos(1, 1));
    let spec = root.get("spec").unwrap();
    // A block mapping starts at its first key.
    assert_eq!(spec.pos, pos(4, 3));
    assert_eq!(root.as_map().unwrap().key_pos("spec"), Some(pos(3, 1)));
    let containers = spec.get("containers").unwrap();
    // saphyr gives an indentless block sequence (`-` at the parent key's
    // indentation) no token of its own: it starts at its first item's content.
    assert_eq!(containers.pos, pos(5, 5));
    let first = root.path("spec.containers[0]").unwrap();
    assert_eq!(first.pos, pos(5, 5));
    assert_eq!(first.get("name").unwrap().pos, pos(5, 11));
    assert_eq!(first.get("image").unwrap().pos, pos(6, 12));
    assert_eq!(first.as_map().unwrap().key_pos("image"), Some(pos(6, 5)));
    let ports = first.get("ports").unwrap();
    assert_eq!(ports.pos, pos(7, 12));
    assert_eq!(ports.as_seq().unwrap()[1].pos, pos(7, 17));
    // An indented block sequence starts at its first `-`; an anchored node at
    // its anchor; a block scalar at its first content line.
    let other = one("k:\n  - a\nj: &x\n  - c\nb: |\n  text\n");
    assert_eq!(other.get("k").unwrap().pos, pos(2, 3));
    assert_eq!(other.get("j").unwrap().pos, pos(3, 4));
    assert_eq!(other.get("b").unwrap().pos, pos(6, 3));
}

#[test]
fn crlf_positions_match_lf() {
    let lf = "a: 1\nb:\n  c: \"x\n   y\"\n  d: |\n    l1\n    l2\n  e: [1,\n    2]\n";
    let crlf = lf.replace('\n', "\r\n");
    let (lf, crlf) = (one(lf), one(&crlf));
    assert_eq!(lf, crlf);
    assert_eq!(crlf.path("b.c").unwrap().as_str(), Some("x y"));
    assert_eq!(crlf.path("b.d").unwrap().as_str(), Some("l1\nl2\n"));
    assert_eq!(crlf.path("b.e[1]").unwrap().pos, pos(9, 5));
}

#[test]
fn byte_order_mark() {
    let mut bytes = b"\xEF\xBB\xBFa: 1\nb: x\n".to_vec();
    let parsed = parse_bytes(&bytes, &Limits::default());
    assert!(parsed.issues.is_empty(), "{:?}", parsed.issues);
    let root = &parsed.documents[0].root;
    assert_eq!(root.get("a").unwrap().as_i64(), Some(1));
    assert_eq!(root.get("b").unwrap().pos, pos(2, 4));
    assert_eq!(root.as_map().unwrap().key_pos("a"), Some(pos(1, 1)));
    // The same through parse_str.
    bytes.truncate(bytes.len());
    let text = String::from_utf8(bytes).unwrap();
    assert_eq!(parse_str(&text, &Limits::default()), parsed);
}

#[test]
fn anchors_and_aliases() {
    let root = one("base: &b\n  x: 1\n  z: [a, b]\ncopy: *b\nname: &n hello\nagain: *n\n");
    assert_eq!(root.get("copy"), root.get("base"));
    assert_eq!(root.path("copy.z[1]").unwrap().as_str(), Some("b"));
    // The clone keeps the anchored node's position.
    assert_eq!(root.get("copy").unwrap().pos, root.get("base").unwrap().pos);
    assert_eq!(root.get("again").unwrap().as_str(), Some("hello"));
}

#[test]
fn unknown_alias_is_an_error() {
    let parsed = parse("a: 1\n---\nb: *nope\n");
    assert_eq!(parsed.documents.len(), 1);
    assert_eq!(errors(&parsed).len(), 1);
    assert_eq!(errors(&parsed)[0].pos.map(|p| p.line), Some(3));
}

#[test]
fn anchors_do_not_cross_documents() {
    // saphyr's iterator would resolve this; go-yaml (Kubernetes) does not.
    let parsed = parse("a: &x 1\n---\nb: *x\n");
    assert_eq!(parsed.documents.len(), 1);
    let errs = errors(&parsed);
    assert_eq!(errs.len(), 1);
    assert_eq!(errs[0].pos, Some(pos(3, 4)));
}

#[test]
fn merge_key_single() {
    let root = one("base: &b {x: 1, w: 2}\nm:\n  <<: *b\n  z: 3\n");
    let m = root.get("m").unwrap();
    assert_eq!(m.get("x").unwrap().as_i64(), Some(1));
    assert_eq!(m.get("w").unwrap().as_i64(), Some(2));
    assert_eq!(m.get("z").unwrap().as_i64(), Some(3));
    assert!(m.get("<<").is_none());
    assert_eq!(m.as_map().unwrap().len(), 3);
}

#[test]
fn merge_keys_apply_in_document_order() {
    // go-yaml v2 (sigs.k8s.io/yaml, so Kubernetes and Helm): a `<<` entry
    // overwrites the keys before it, later keys overwrite it (no
    // duplicate-key warning), and a later merge overwrites an earlier one.
    let root = one("b: &b {x: 1, w: 2}\nm:\n  x: 10\n  <<: *b\n  w: 20\n");
    let m = root.get("m").unwrap();
    assert_eq!(m.get("x").unwrap().as_i64(), Some(1));
    assert_eq!(m.get("w").unwrap().as_i64(), Some(20));
    let parsed = parse("a: &a {p: 80, r: 1}\nb: &b {p: 8080}\nm:\n  <<: *a\n  <<: *b\n");
    assert!(parsed.issues.is_empty(), "{:?}", parsed.issues);
    let m = parsed.documents[0].root.get("m").unwrap();
    assert_eq!(m.get("p").unwrap().as_i64(), Some(8080));
    assert_eq!(m.get("r").unwrap().as_i64(), Some(1));
}

#[test]
fn merge_of_a_scalar_fails_the_document() {
    let parsed = parse("s: &s 1\nm:\n  <<: *s\n");
    assert_eq!(parsed.issues[0].severity, IssueSeverity::Error);
    assert_eq!(
        parsed.issues[0].message,
        "map merge requires map or sequence of maps as the value"
    );
}

#[test]
fn merge_key_list_earlier_wins() {
    let root =
        one("a: &a {x: 1}\nb: &b {x: 2, v: 2}\nc: &c {z: 3}\nm:\n  <<: [*a, *b, *c]\n  w: 0\n");
    let m = root.get("m").unwrap();
    assert_eq!(m.get("x").unwrap().as_i64(), Some(1));
    assert_eq!(m.get("v").unwrap().as_i64(), Some(2));
    assert_eq!(m.get("z").unwrap().as_i64(), Some(3));
    assert_eq!(m.get("w").unwrap().as_i64(), Some(0));
}

#[test]
fn merge_key_inline_map_and_quoted_key() {
    let root = one("m:\n  <<: {x: 1}\n  \"<<\": literal\n");
    let m = root.get("m").unwrap();
    assert_eq!(m.get("x").unwrap().as_i64(), Some(1));
    // A quoted `<<` is an ordinary key.
    assert_eq!(m.get("<<").unwrap().as_str(), Some("literal"));
}

#[test]
fn merge_of_a_scalar_is_go_yamls_error() {
    let parsed = parse("m:\n  <<: nope\n  a: 1\n");
    assert_eq!(parsed.documents.len(), 1);
    assert_eq!(parsed.issues.len(), 1);
    assert_eq!(parsed.issues[0].severity, IssueSeverity::Error);
    assert_eq!(parsed.issues[0].message, MAP_MERGE);
    assert_eq!(parsed.issues[0].pos, Some(pos(2, 3)));
    let m = parsed.documents[0].root.get("m").unwrap();
    assert_eq!(m.as_map().unwrap().len(), 1);
}

#[test]
fn duplicate_keys_warn_and_last_wins() {
    let parsed = parse("apiVersion: v1\nkind: A\napiVersion: v2\n");
    assert_eq!(parsed.documents.len(), 1);
    assert_eq!(parsed.issues.len(), 1);
    let issue = &parsed.issues[0];
    assert_eq!(issue.severity, IssueSeverity::Warning);
    assert_eq!(issue.pos, Some(pos(3, 1)));
    assert_eq!(
        issue.message,
        "duplicate key `apiVersion` (first at line 1); the last value wins"
    );
    let root = &parsed.documents[0].root;
    let value = root.get("apiVersion").unwrap();
    assert_eq!(value.as_str(), Some("v2"));
    assert_eq!(value.pos, pos(3, 13));
    // Document order keeps the first place.
    let keys: Vec<_> = root.as_map().unwrap().iter().map(|(k, _)| k).collect();
    assert_eq!(keys, ["apiVersion", "kind"]);
}

#[test]
fn non_string_keys_become_text() {
    let parsed = parse("1: a\ntrue: b\nyes: c\n~: d\n1.5: e\n0x10: f\n");
    // `yes` is the boolean true, so it repeats the key `true`.
    assert_eq!(parsed.issues.len(), 1, "{:?}", parsed.issues);
    assert!(parsed.issues[0].message.contains("`true`"));
    let root = &parsed.documents[0].root;
    let keys: Vec<_> = root.as_map().unwrap().iter().map(|(k, _)| k).collect();
    assert_eq!(keys, ["1", "true", "null", "1.5", "16"]);
    assert_eq!(root.get("true").unwrap().as_str(), Some("c"));
}

#[test]
fn boolean_looking_keys_are_booleans() {
    // The YAML 1.1 gotcha: `y:` and `on:` keys read as "true" in Kubernetes.
    let parsed = parse("y: 1\nn: 2\non: 3\nx: 4\n");
    let root = &parsed.documents[0].root;
    let keys: Vec<_> = root.as_map().unwrap().iter().map(|(k, _)| k).collect();
    assert_eq!(keys, ["true", "false", "x"]);
    assert_eq!(root.get("true").unwrap().as_i64(), Some(3));
    assert_eq!(parsed.issues.len(), 1);
    assert_eq!(parsed.issues[0].pos, Some(pos(3, 1)));
}

#[test]
fn complex_keys_are_skipped_with_a_warning() {
    let parsed = parse("? [a, b]\n: 1\n{x: y}: 2\nok: 3\n");
    assert_eq!(parsed.documents.len(), 1);
    let warnings: Vec<_> = parsed
        .issues
        .iter()
        .filter(|i| i.severity == IssueSeverity::Warning)
        .collect();
    assert_eq!(warnings.len(), 2, "{:?}", parsed.issues);
    let map = parsed.documents[0].root.as_map().unwrap();
    assert_eq!(map.len(), 1);
    assert_eq!(map.get("ok").unwrap().as_i64(), Some(3));
}

#[test]
fn malformed_yaml_after_a_good_document() {
    let parsed = parse("a: 1\n---\nb: [1, 2\nc: 3\n");
    assert_eq!(parsed.documents.len(), 1);
    assert_eq!(parsed.documents[0].root.get("a").unwrap().as_i64(), Some(1));
    let errs = errors(&parsed);
    assert_eq!(errs.len(), 1);
    let p = errs[0].pos.unwrap();
    assert!((3..=5).contains(&p.line), "{p:?}");
    assert!(!errs[0].message.is_empty());
}

#[test]
fn quoted_scalar_continuations_as_libyaml_reads_them() {
    // As in mariadb-operator-app 0.0.4: tabs before escaped continuation
    // lines, CRLF line ends.
    let text =
        "spec:\r\n  description: \"first\\\r\n\t\\ second\\\r\n\t\\ third\"\r\n  next: 1\r\n";
    let parsed = parse(text);
    assert!(errors(&parsed).is_empty(), "{:?}", parsed.issues);
    let root = &parsed.documents[0].root;
    assert_eq!(
        root.path("spec.description").unwrap().as_str(),
        Some("first second third")
    );
    assert_eq!(root.path("spec.next").unwrap().pos, pos(5, 9));
    assert_eq!(parsed.issues.len(), 1);
    assert_eq!(parsed.issues[0].severity, IssueSeverity::Warning);
    assert_eq!(parsed.issues[0].pos, Some(pos(2, 16)));
    // A continuation line indented less than its block.
    let parsed = parse("a:\n  b: 'one\n two'\n  c: 2\n");
    assert!(errors(&parsed).is_empty(), "{:?}", parsed.issues);
    assert_eq!(
        parsed.documents[0].root.path("a.b").unwrap().as_str(),
        Some("one two")
    );
    // An unterminated quote stays an error.
    let parsed = parse("a:\n  b: 'one\nc: 2\n");
    assert_eq!(errors(&parsed).len(), 1);
    assert!(parsed.documents.is_empty());
}

#[test]
fn bad_indentation_error_line() {
    let parsed = parse("a:\n  b: 1\n c: 2\n");
    assert!(parsed.documents.is_empty());
    let errs = errors(&parsed);
    assert_eq!(errs.len(), 1);
    assert_eq!(errs[0].pos.map(|p| p.line), Some(3));
}

#[test]
fn billion_laughs_is_bounded() {
    let mut text =
        String::from("ok: 1\n---\na0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
    for i in 1..30 {
        let prev = format!("*a{}", i - 1);
        let items = [prev.as_str(); 10].join(", ");
        text.push_str(&format!("a{i}: &a{i} [{items}]\n"));
    }
    let started = std::time::Instant::now();
    let parsed = parse(&text);
    assert!(started.elapsed() < std::time::Duration::from_secs(5));
    // The first document is kept, the bomb's is dropped.
    assert_eq!(parsed.documents.len(), 1);
    let errs = errors(&parsed);
    assert_eq!(errs.len(), 1);
    assert!(
        errs[0]
            .message
            .contains("alias expansion exceeds 100000 nodes"),
        "{}",
        errs[0].message
    );
}

#[test]
fn alias_budget_counts_every_expanded_node() {
    let limits = Limits {
        max_alias_nodes: 7,
        ..Limits::default()
    };
    // Each `*a` expands to 3 nodes (the sequence and two scalars).
    let ok = parse_str("a: &a [1, 2]\nb: [*a, *a]\n", &limits);
    assert!(ok.issues.is_empty(), "{:?}", ok.issues);
    let over = parse_str("a: &a [1, 2]\nb: [*a, *a, *a]\n", &limits);
    assert!(over.documents.is_empty());
    assert_eq!(errors(&over).len(), 1);
    assert_eq!(errors(&over)[0].pos, Some(pos(2, 13)));
}

#[test]
fn nested_anchors_without_aliases_stay_cheap() {
    // 200 anchors, each wrapping the next, around 20k scalars: copying every
    // anchored node would copy the scalars 200 times.
    let limits = Limits {
        max_alias_nodes: 1000,
        ..Limits::default()
    };
    let mut text = String::new();
    for i in 0..200 {
        text.push_str(&format!("- &a{i}\n{}", "  ".repeat(i + 1)));
    }
    text.push_str(&format!("[{}]\n", vec!["x"; 20_000].join(", ")));
    let started = std::time::Instant::now();
    let parsed = parse_str(&text, &limits);
    assert!(started.elapsed() < std::time::Duration::from_secs(5));
    assert!(parsed.issues.is_empty(), "{:?}", parsed.issues);
    // Only the innermost anchor fits the copy budget; an alias to an outer
    // one is refused with its own message.
    let text2 = format!("{text}- *a0\n");
    let parsed = parse_str(&text2, &limits);
    let errs = errors(&parsed);
    assert_eq!(errs.len(), 1);
    assert!(
        errs[0].message.contains("nested in too many other anchors"),
        "{}",
        errs[0].message
    );
    // Ordinary anchors are unaffected.
    let small = parse_str("- &a [1, 2]\n- *a\n", &limits);
    assert!(small.issues.is_empty());
}

#[test]
fn deep_flow_nesting_is_an_error_not_a_crash() {
    let text = "[".repeat(100_000);
    let parsed = parse(&text);
    assert!(parsed.documents.is_empty());
    assert_eq!(errors(&parsed).len(), 1);
}

#[test]
fn deep_block_nesting_is_an_error_not_a_crash() {
    let text = "- ".repeat(100_000) + "x\n";
    let parsed = parse(&text);
    assert!(parsed.documents.is_empty());
    let errs = errors(&parsed);
    assert_eq!(errs.len(), 1);
    assert!(errs[0].message.contains("256"), "{}", errs[0].message);
    assert_eq!(errs[0].pos, Some(pos(1, 513)));
}

#[test]
fn depth_limit_is_exact_and_mixes_flow_and_block() {
    let limits = Limits {
        max_depth: 4,
        ..Limits::default()
    };
    // Four levels: fine.
    let ok = parse_str("a:\n  b:\n  - [x]\n", &limits);
    assert!(ok.issues.is_empty(), "{:?}", ok.issues);
    // Five: not read.
    let deep = parse_str("first: doc\n---\na:\n  b:\n  - [{x: 1}]\n", &limits);
    assert_eq!(deep.documents.len(), 1);
    assert_eq!(errors(&deep).len(), 1);
    assert_eq!(errors(&deep)[0].pos, Some(pos(5, 6)));
}

#[test]
fn aliases_cannot_exceed_the_depth_limit() {
    let limits = Limits {
        max_depth: 4,
        ..Limits::default()
    };
    let parsed = parse_str("a: &a [[[1]]]\nb: [*a]\n", &limits);
    assert!(parsed.documents.is_empty());
    assert_eq!(errors(&parsed).len(), 1);
}

#[test]
fn invalid_utf8_names_the_line() {
    let bytes = b"a: 1\nb: \xC3\x28\nc: 3\n";
    let parsed = parse_bytes(bytes, &Limits::default());
    assert!(parsed.documents.is_empty());
    assert_eq!(parsed.issues.len(), 1);
    assert_eq!(parsed.issues[0].severity, IssueSeverity::Error);
    assert_eq!(parsed.issues[0].pos, Some(pos(2, 4)));
    let utf16 = parse_bytes(b"\xFF\xFEa\x00", &Limits::default());
    assert!(utf16.issues[0].message.contains("UTF-16"));
}

#[test]
fn nul_byte_is_an_error() {
    let bytes = b"a: 1\nb: x\x00y\n";
    let parsed = parse_bytes(bytes, &Limits::default());
    assert!(parsed.documents.is_empty());
    assert_eq!(parsed.issues.len(), 1);
    assert_eq!(parsed.issues[0].pos, Some(pos(2, 5)));
    // parse_str checks too: the parser would read NUL as the end of input.
    let parsed = parse_str("a: 1\n\0b: 2\n", &Limits::default());
    assert!(parsed.documents.is_empty());
    assert_eq!(parsed.issues[0].pos, Some(pos(2, 1)));
}

#[test]
fn control_characters_are_refused_as_go_yaml_does() {
    // go-yaml's reader: C0 controls but tab/LF/CR, DEL, C1 controls but NEL,
    // U+FFFE/U+FFFF fail the document; NEL, NBSP, a BOM inside, and
    // astral characters are fine.
    for bad in [
        '\u{1}', '\u{b}', '\u{7f}', '\u{80}', '\u{86}', '\u{9f}', '\u{fffe}',
    ] {
        let parsed = parse_str(&format!("a: 1\nb: \"x{bad}\"\n"), &Limits::default());
        assert!(parsed.documents.is_empty(), "{bad:?}");
        assert_eq!(parsed.issues.len(), 1);
        assert_eq!(parsed.issues[0].severity, IssueSeverity::Error);
        assert_eq!(parsed.issues[0].pos, Some(pos(2, 6)), "{bad:?}");
        assert!(parsed.issues[0].message.starts_with(CONTROL_CHARACTERS));
    }
    // (NEL passes too, as a line break: see `nel_is_a_line_break`.)
    for good in ['\t', '\u{a0}', '\u{feff}', '\u{fffd}', '\u{1f600}'] {
        let parsed = parse_str(&format!("a: 1\nb: \"x{good}\"\n"), &Limits::default());
        assert!(parsed.issues.is_empty(), "{good:?}: {:?}", parsed.issues);
    }
}

#[test]
fn nel_is_a_line_break() {
    // go-yaml reads NEL as a line break: it ends a comment and a plain
    // scalar's line, folds to a space in a quoted scalar, is a newline in
    // a block scalar.
    let text = "a: \"x\u{85}y\"\nb: x\u{85}  y\nd: |\n  p\u{85}  q\n# c\u{85}e: 1\n";
    let parsed = parse(text);
    assert!(errors(&parsed).is_empty(), "{:?}", parsed.issues);
    let root = &parsed.documents[0].root;
    let text_of = |k: &str| root.get(k).and_then(Node::as_str).map(str::to_owned);
    assert_eq!(text_of("a").as_deref(), Some("x y"));
    assert_eq!(text_of("b").as_deref(), Some("x y"));
    assert_eq!(text_of("d").as_deref(), Some("p\nq\n"));
    assert!(root.get("e").is_some());
    // Positions stay those of the text: `b` is on line 3 (a NEL is a break).
    assert_eq!(root.get("b").map(|n| n.pos.line), Some(3));
}

#[test]
fn file_over_the_size_limit() {
    let limits = Limits {
        max_file_bytes: 10,
        ..Limits::default()
    };
    let parsed = parse_bytes(b"a: 1\nb: 2\nc: 3\n", &limits);
    assert!(parsed.documents.is_empty());
    assert_eq!(parsed.issues.len(), 1);
    assert_eq!(parsed.issues[0].severity, IssueSeverity::Error);
    assert!(parsed.issues[0].message.contains("15 bytes"));
    assert_eq!(parse_str("a: 1\nb: 2\nc: 3\n", &limits).issues.len(), 1);
    // Exactly at the limit is fine.
    assert!(parse_bytes(b"a: 1\nb: 2\n", &limits).issues.is_empty());
}

#[test]
fn paths() {
    let root = one(
        "metadata:\n  annotations:\n    alm-examples: '[]'\n    a.b/c: dotted\nspec:\n  install:\n    spec:\n      deployments:\n      - name: op\n",
    );
    assert_eq!(
        root.path(r#"metadata.annotations["alm-examples"]"#)
            .unwrap()
            .as_str(),
        Some("[]")
    );
    assert_eq!(
        root.path("metadata.annotations[\"a.b/c\"]")
            .unwrap()
            .as_str(),
        Some("dotted")
    );
    assert_eq!(
        root.path("spec.install.spec.deployments[0].name")
            .unwrap()
            .as_str(),
        Some("op")
    );
    assert!(root.path("spec.install.spec.deployments[1]").is_none());
    assert!(root.path("spec.nope").is_none());
    assert!(root.path("metadata[0]").is_none());
    assert!(root.path("spec..install").is_none());
    assert_eq!(root.path(""), Some(&root));
}

#[test]
fn to_json_conversion() {
    let root =
        one("a: 1\nb: 1.5\nc: .nan\nd: .inf\ne: -.inf\nf: [yes, ~, '1']\ng: {h: 1.0}\ni: 0644\n");
    let json = root.to_json();
    assert_eq!(
        json,
        serde_json::json!({
            "a": 1, "b": 1.5, "c": ".nan", "d": ".inf", "e": "-.inf",
            "f": [true, null, "1"], "g": {"h": 1}, "i": 420
        })
    );
    assert!(json["a"].is_i64());
    assert!(json["g"]["h"].is_i64());
}

#[test]
fn scalar_text_and_accessors() {
    let root = one("a: text\nb: 0644\nc: 1e6\nd: on\ne: ~\nf: [1]\ng: 2.0\n");
    let text = |k: &str| root.get(k).unwrap().scalar_text();
    assert_eq!(text("a").as_deref(), Some("text"));
    assert_eq!(text("b").as_deref(), Some("420"));
    assert_eq!(text("c").as_deref(), Some("1e+06"));
    assert_eq!(text("d").as_deref(), Some("true"));
    assert_eq!(text("e"), None);
    assert_eq!(text("f"), None);
    assert_eq!(root.get("g").unwrap().as_i64(), Some(2));
    assert_eq!(root.get("b").unwrap().as_str(), None);
    assert_eq!(root.get("a").unwrap().as_i64(), None);
    assert!(root.get("f").unwrap().get("x").is_none());
    assert!(!root.as_map().unwrap().is_empty());
}

/// Every YAML file of the shared corpus: no panic, and the known oddities.
#[test]
fn corpus_sweep() {
    let base = std::path::Path::new("/work/shared/corpus");
    if !base.is_dir() {
        return;
    }
    let mut stack = vec![base.to_path_buf()];
    let mut files = Vec::new();
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                // Helm templates are Go templates, not YAML.
                let in_chart_templates = path.file_name().is_some_and(|n| n == "templates")
                    && path.components().any(|c| c.as_os_str() == "charts");
                if !in_chart_templates {
                    stack.push(path);
                }
            } else if path.extension().is_some_and(|e| e == "yaml" || e == "yml") {
                files.push(path);
            }
        }
    }
    files.sort();
    assert!(!files.is_empty());
    let mut results = std::collections::HashMap::new();
    for file in &files {
        let bytes = std::fs::read(file).unwrap();
        let parsed = parse_bytes(&bytes, &Limits::default());
        for issue in &parsed.issues {
            eprintln!("{}: {:?}", file.display(), issue);
        }
        results.insert(file.clone(), parsed);
    }
    eprintln!("{} files", files.len());
    let get = |rel: &str| results.get(&base.join(rel));

    if let Some(p) = get("bundles/eventing-kogito-1.2.0/metadata/dependencies.yaml") {
        let errs = errors(p);
        assert_eq!(errs.len(), 1, "{:?}", p.issues);
        let line = errs[0].pos.unwrap().line;
        assert!((20..=24).contains(&line), "line {line}");
    }
    if let Some(p) = get("bundles/nlp-server-0.8.6/manifests/nlp-server-role-binding.yaml") {
        assert!(
            p.issues
                .iter()
                .any(|i| i.severity == IssueSeverity::Warning
                    && i.message.starts_with("duplicate key")),
            "{:?}",
            p.issues
        );
        assert!(errors(p).is_empty());
    }
    for (path, parsed) in &results {
        let s = path.to_string_lossy();
        if s.contains("prometheus-0.56.3")
            || s.contains("clickhouse-0.27.2")
            || s.contains("mariadb-operator-app-0.0.4")
        {
            assert!(errors(parsed).is_empty(), "{s}: {:?}", parsed.issues);
            assert!(!parsed.documents.is_empty(), "{s}");
        }
    }
}

#[test]
fn what_json_cannot_hold_is_noted() {
    let parsed = parse(
        "a: .inf\nb: [1, .nan]\nc:\n  ~: v\n? [1, 2]\n: x\nd: !!binary aGVsbG8\n.inf: key\n---\nz: -.inf\n",
    );
    let msgs: Vec<(usize, u8, u32, &str)> = parsed
        .json
        .iter()
        .map(|p| (p.doc, p.stage, p.pos.line, p.message.as_str()))
        .collect();
    assert_eq!(
        msgs,
        [
            (0, 2, 1, "json: unsupported value: +Inf"),
            (0, 2, 2, "json: unsupported value: NaN"),
            (
                0,
                1,
                4,
                "unsupported map key of type: %!s(<nil>), key: <nil>, value: \"v\""
            ),
            (0, 0, 5, "yaml: invalid map key: []interface {}{1, 2}"),
            (0, 0, 7, "yaml: !!binary value contains invalid base64 data"),
            (1, 2, 10, "json: unsupported value: -Inf"),
        ]
    );
    assert_eq!(parsed.json_error(0).unwrap().pos.line, 5);
    assert_eq!(parsed.json_error(1).unwrap().pos.line, 10);
}

#[test]
fn bytes_that_are_not_utf8_are_refused_in_go_yamls_words() {
    // Go strings carry such bytes (a template file's); go-yaml's reader
    // names each way UTF-8 breaks, and a control character before wins.
    let go = crate::gotemplate::go_string_from_bytes;
    for (bytes, want) in [
        (&b"a: \xff\xfe"[..], "invalid leading UTF-8 octet"),
        (b"a: \x80", "invalid leading UTF-8 octet"),
        (b"a: \xc3x", "invalid trailing UTF-8 octet"),
        (b"a: x\xe2\x82", "incomplete UTF-8 octet sequence"),
        (b"a: \xc0\xaf", "invalid length of a UTF-8 sequence"),
        (b"a: \xed\xa0\x80", "invalid Unicode character"),
    ] {
        let text = go(bytes);
        let (at, problem) = first_reader_error(&text).expect("refused");
        assert_eq!(problem, ReaderError::Utf8(want), "{bytes:?}");
        assert_eq!(problem.go_message(), want);
        assert!(at >= 3);
        let parsed = parse_str(&text, &Limits::default());
        assert!(parsed.issues[0].message.starts_with(want), "{bytes:?}");
    }
    let text = go(b"a: \x01\xff");
    assert_eq!(
        first_reader_error(&text),
        Some((3, ReaderError::Control('\u{1}')))
    );
    assert_eq!(first_reader_error("a: \u{e9}"), None);
}

#[test]
fn only_yaml_1_1_directives_are_read() {
    // go-yaml v2 (Kubernetes, Helm) refuses any other version.
    for text in [
        "%YAML 1.2\n---\na: 1\n",
        "# c\n%YAML 1.2\n---\na: 1\n",
        "a: 1\n...\n%YAML 2.0\n---\nb: 2\n",
    ] {
        let parsed = parse(text);
        assert_eq!(parsed.issues[0].message, INCOMPATIBLE_DOCUMENT, "{text}");
        assert_eq!(parsed.issues[0].severity, IssueSeverity::Error);
    }
    for text in [
        "%YAML 1.1\n---\na: 1\n",
        "a: |\n  %YAML 1.2\n",
        "a: 1\n---\nb: '%YAML 1.2'\n",
    ] {
        let parsed = parse(text);
        assert!(parsed.issues.is_empty(), "{text}: {:?}", parsed.issues);
    }
}

#[test]
fn go_yaml_v2_scanner_refusals() {
    // YAML 1.2 reads these; go-yaml v2 (Kubernetes, Helm) does not.
    let parsed = parse("base: &base.defaults 1\nuse: *base.defaults\n");
    assert_eq!(
        parsed.issues[0].message,
        "did not find expected alphabetic or numeric character"
    );
    assert_eq!(parsed.issues[0].pos.map(|p| p.line), Some(1));
    let parsed = parse("a: 1\npath: \"a\\/b\"\n");
    assert_eq!(parsed.issues[0].message, "found unknown escape character");
    assert_eq!(parsed.issues[0].pos.map(|p| p.line), Some(2));
    let parsed = parse("x: &a.b 1\n");
    assert_eq!(
        parsed.issues[0].message,
        "did not find expected alphabetic or numeric character"
    );
    for ok in [
        "a: &a-1_b 1\nb: *a-1_b\n",
        "a: \"x&y.z\"\nb: &ok\n  k: \"a&b.c\"\n",
        "p: \"a\\\\/b\"\n",
        "p: 'a\\/b'\n",
        "u: \"http://x/y\"\n",
    ] {
        assert!(parse(ok).issues.is_empty(), "{ok}: {:?}", parse(ok).issues);
    }
}
