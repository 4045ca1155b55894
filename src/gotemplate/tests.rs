//! Case-by-case checks against Go's documented `text/template` behaviour
//! (in the style of Go's `exec_test.go`): template, data, expected output
//! or error.

use std::collections::BTreeMap;
use std::sync::Arc;

use super::*;

fn data() -> Value {
    let mut inner = BTreeMap::new();
    inner.insert(Arc::from("b"), Value::int(1));
    let mut m = BTreeMap::new();
    m.insert(Arc::from("a"), Value::map(inner));
    m.insert(Arc::from("s"), Value::str("str"));
    m.insert(Arc::from("f"), Value::Float(1_000_000.0));
    m.insert(Arc::from("half"), Value::Float(1.5));
    m.insert(Arc::from("n"), Value::Nil);
    m.insert(
        Arc::from("list"),
        Value::list(vec![Value::str("x"), Value::str("y")]),
    );
    m.insert(Arc::from("empty"), Value::list(vec![]));
    let comps = (0..2)
        .map(|i| {
            let mut c = BTreeMap::new();
            c.insert(Arc::from("id"), Value::int(i));
            Value::map(c)
        })
        .collect();
    m.insert(Arc::from("comps"), Value::list(comps));
    Value::map(m)
}

fn set_with_funcs() -> Set {
    let mut s = Set::new();
    s.add_plain("set", |a| {
        if let [Value::Map(m), Value::String(k), v] = a {
            m.insert(k.clone(), v.clone());
            return Ok(a[0].clone());
        }
        Err("bad args".into())
    });
    s.add_plain("nindent", |a| {
        let n = a.first().and_then(Value::as_int).unwrap_or(0);
        let pad = " ".repeat(usize::try_from(n).unwrap_or(0));
        let text = a.get(1).map(go_string).unwrap_or_default();
        Ok(Value::str(&format!(
            "\n{pad}{}",
            text.replace('\n', &format!("\n{pad}"))
        )))
    });
    s.add_plain("fail", |a| {
        Err(a.first().map(go_string).unwrap_or_default())
    });
    s.add_func(
        "include",
        std::rc::Rc::new(|e: &mut Exec<'_>, a: &[Value]| {
            let name = a.first().and_then(Value::as_str).unwrap_or("").to_owned();
            e.execute_template(&name, a.get(1).unwrap_or(&Value::Nil))
                .map(|s| Value::str(&s))
                .map_err(|e| e.to_string())
        }),
    );
    s
}

fn run(src: &str) -> Result<String, String> {
    let mut s = set_with_funcs();
    s.parse("t", src).map_err(|e| e.to_string())?;
    s.execute("t", &data(), None).map_err(|e| e.to_string())
}

#[test]
fn outputs() {
    let cases: &[(&str, &str)] = &[
        // Text and trim markers.
        ("a {{- 1 -}} b", "a1b"),
        ("a\n  {{- 1 }}\n b", "a1\n b"),
        ("x\n{{- /* c */}}\ny", "x\ny"),
        ("x\n{{- /* c */ -}}\ny", "xy"),
        ("x\n{{/* c */ -}}\n  y", "x\ny"),
        ("{{/* multi\nline */}}z", "z"),
        ("a{{-1}}", "a-1"),
        // Constants and printing.
        (
            "{{ 1 }} {{ 1.5 }} {{ 1e3 }} {{ 0x10 }} {{ 010 }} {{ 'a' }}",
            "1 1.5 1000 16 8 97",
        ),
        ("{{ \"q\\tx\" }}{{ `raw\\n` }}", "q\txraw\\n"),
        ("{{ true }} {{ print nil }}", "true <nil>"),
        ("{{ .f }} {{ .half }}", "1e+06 1.5"),
        ("{{ .a }}", "map[b:1]"),
        ("{{ .list }}", "[x y]"),
        ("{{ .missing }}|{{ .n }}", "<no value>|<no value>"),
        ("{{ print 1 2 \"a\" 3 }}", "1 2a3"),
        ("{{ println 1 \"a\" }}", "1 a\n"),
        (
            "{{ printf \"%s-%d-%v-%q\" \"a\" 3 .half \"b\" }}",
            "a-3-1.5-\"b\"",
        ),
        ("{{ printf \"%s\" .missing }}", "%!s(<nil>)"),
        ("{{ printf \"%d\" .half }}", "%!d(float64=1.5)"),
        (
            "{{ printf \"%5s|%-4d|%05.1f\" \"ab\" 7 .half }}",
            "   ab|7   |001.5",
        ),
        ("{{ printf \"%s\" }}", "%!s(MISSING)"),
        // Go pads each operand (inside `%!verb(…)` too, and every element
        // of a list), `%x` of a float is hex, `%#v` is Go syntax, `[n]`
        // picks an operand, `%+v` has no sign.
        (
            "{{ printf \"%-4s|%.2f|%03d\" .half \"hello\" .half }}",
            "%!s(float64=1.5 )|%!f(string=he)|%!d(float64=1.5)",
        ),
        (
            "{{ printf \"%5v|%d\" .list .list }}",
            "[    x     y]|[%!d(string=x) %!d(string=y)]",
        ),
        (
            "{{ printf \"%x|%#v|%#v\" 3.0 .list 1.0 }}",
            "0x1.8p+01|[]interface {}{\"x\", \"y\"}|1",
        ),
        (
            "{{ printf \"%[2]v %[1]v|%[3]v\" 1 2 }}",
            "2 1|%!v(BADINDEX)",
        ),
        (
            "{{ printf \"%+v|%q|%o|%.3d\" 3 7 -8 4 }}",
            "3|'\\a'|-10|004",
        ),
        // Pipelines, trailing pipe, parentheses, chains.
        ("{{ .s | printf \"%s!\" }}", "str!"),
        ("{{ .s | nindent 2 | }}", "\n  str"),
        ("{{ (.a).b }} {{ (index .comps 1).id }}", "1 1"),
        ("{{ $x := .a }}{{ $x.b }}", "1"),
        // Control structures.
        ("{{ if .empty }}a{{ else if .s }}b{{ else }}c{{ end }}", "b"),
        (
            "{{ with .missing }}a{{ else with .s }}{{ . }}{{ end }}",
            "str",
        ),
        (
            "{{ range $i, $v := .list }}{{ $i }}={{ $v }};{{ end }}",
            "0=x;1=y;",
        ),
        ("{{ range .empty }}a{{ else }}none{{ end }}", "none"),
        ("{{ range $k, $v := .a }}{{ $k }}{{ $v }}{{ end }}", "b1"),
        ("{{ range 3 }}{{ . }}{{ end }}", "012"),
        (
            "{{ range .list }}{{ if eq . \"x\" }}{{ continue }}{{ end }}{{ . }}{{ end }}",
            "y",
        ),
        ("{{ range .list }}{{ . }}{{ break }}{{ end }}", "x"),
        (
            "{{ $v := 1 }}{{ if true }}{{ $v = 2 }}{{ end }}{{ $v }}",
            "2",
        ),
        (
            "{{ $v := 1 }}{{ if true }}{{ $v := 2 }}{{ end }}{{ $v }}",
            "1",
        ),
        // and/or short-circuit and return operands.
        (
            "{{ and 1 0 2 }} {{ or 0 \"\" \"z\" }} {{ and 0 (fail \"no\") | print }}",
            "0 z 0",
        ),
        (
            "{{ not .empty }} {{ len .list }} {{ index .a \"b\" }} {{ index .list 1 }}",
            "true 2 1 y",
        ),
        (
            "{{ eq .s \"str\" }} {{ eq .missing \"x\" }} {{ ne 1 2 }} {{ lt 1 2 }} {{ ge \"b\" \"a\" }}",
            "true false true true true",
        ),
        ("{{ slice \"abcd\" 1 3 }} {{ slice .list 1 }}", "bc [y]"),
        // define / template / block / include.
        (
            "{{ define \"x\" }}[{{ . }}]{{ end }}{{ template \"x\" .s }}",
            "[str]",
        ),
        ("{{ block \"b\" .s }}<{{ . }}>{{ end }}", "<str>"),
        (
            "{{ define \"y\" }}{{ .id }}{{ end }}{{ include \"y\" (index .comps 1) }}",
            "1",
        ),
        // Maps are references: set on a range dot or a variable is seen by all holders.
        (
            "{{ range .comps }}{{ $_ := set . \"x\" \"1\" }}{{ .x }}{{ end }}",
            "11",
        ),
        (
            "{{ range .comps }}{{ $_ := set . \"x\" .id }}{{ end }}{{ range .comps }}{{ .x }}{{ end }}",
            "01",
        ),
        ("{{ $c := .a }}{{ $_ := set $c \"z\" 2 }}{{ .a.z }}", "2"),
        (
            "{{ define \"m\" }}{{ $_ := set . \"w\" 3 }}{{ end }}{{ include \"m\" .a }}{{ .a.w }}",
            "3",
        ),
        (
            "{{ html \"<a&'>\" }} {{ urlquery \"a b&c\" }}",
            "&lt;a&amp;&#39;&gt; a+b%26c",
        ),
        // evalArgs prints nil as `<no value>`; JSEscape writes every
        // control character as `\u00XX`.
        (
            "{{ html .n }} {{ js nil }} {{ urlquery .missing 1 }} {{ js \"a\\n\\t\" }}",
            "&lt;no value&gt; \\u003Cno value\\u003E %3Cno+value%3E1 a\\u000A\\u0009",
        ),
        // Integers keep their Go type; a string's byte is a uint8.
        (
            "{{ printf \"%T %T %#v\" 1 (index \"a\" 0) (index \"a\" 0) }}",
            "int uint8 0x61",
        ),
    ];
    for (src, want) in cases {
        assert_eq!(run(src).as_deref(), Ok(*want), "template {src:?}");
    }
}

#[test]
fn errors() {
    let cases: &[(&str, &str)] = &[
        ("{{ .missing.x }}", "nil pointer evaluating interface {}.x"),
        ("{{ .s.x }}", "can't evaluate field x in type interface {}"),
        ("{{ index .missing 1 }}", "index of untyped nil"),
        ("{{ index .list 5 }}", "index out of range: 5"),
        ("{{ eq 1 .half }}", "incompatible types for comparison"),
        (
            "{{ fail \"boom\" }}",
            "template: t:1:3: executing \"t\" at <fail \"boom\">: error calling fail: boom",
        ),
        ("{{ range .half }}{{ end }}", "range can't iterate over 1.5"),
        ("{{ template \"nope\" }}", "template \"nope\" not defined"),
        ("{{ .s 1 }}", "s is not a method but has arguments"),
    ];
    for (src, want) in cases {
        let got = run(src).expect_err(src);
        assert!(got.contains(want), "template {src:?}: {got}");
    }
}

#[test]
fn parse_errors() {
    let cases: &[(&str, &str)] = &[
        ("{{ nofunc 1 }}", "function \"nofunc\" not defined"),
        ("{{ $x }}", "undefined variable \"$x\""),
        ("{{ | print }}", "unexpected \"|\" in command"),
        ("{{ 1 | 2 }}", "non executable command in pipeline stage 2"),
        ("{{ if 1 }}", "unexpected EOF"),
        ("{{ end }}", "unexpected {{end}}"),
        ("{{ break }}", "{{break}} outside {{range}}"),
        ("{{ /* c */ }}", "unexpected \"/\" in command"),
        ("{{/* c */ x }}", "comment ends before closing delimiter"),
        ("{{ .a.b. }}", "unexpected"),
        ("{{ \"a }}", "unterminated quoted string"),
        (
            "{{ define \"d\" }}1{{ end }}{{ define \"d\" }}2{{ end }}",
            "multiple definition of template \"d\"",
        ),
    ];
    for (src, want) in cases {
        let got = run(src).expect_err(src);
        assert!(got.contains(want), "template {src:?}: {got}");
    }
}

#[test]
fn marks_come_from_the_tree() {
    let mut s = set_with_funcs();
    s.parse("t", "a: 1\n{{- if true }}\nb: {{ .s }}\n{{- end }}\n")
        .unwrap();
    let mut marks = Vec::new();
    let out = s.execute("t", &data(), Some(&mut marks)).unwrap();
    assert_eq!(out, "a: 1\nb: str\n");
    // The text "\nb: " starts at output offset 4, at the end of line 2;
    // the action printing `.s` at offset 8, on line 3.
    let text = marks.iter().find(|m| m.offset == 4 && !m.action).unwrap();
    assert_eq!(text.line, 2);
    let action = marks.iter().find(|m| m.offset == 8 && m.action).unwrap();
    assert_eq!(action.line, 3);
}

#[test]
fn empty_define_does_not_replace() {
    let mut s = set_with_funcs();
    s.parse("a", "{{ define \"d\" }}full{{ end }}").unwrap();
    s.parse("b", "{{ define \"d\" }} {{ end }}").unwrap();
    s.parse("t", "{{ template \"d\" }}").unwrap();
    assert_eq!(s.execute("t", &Value::Nil, None).unwrap(), "full");
}

#[test]
fn limits_stop_runaway_templates() {
    let mut s = set_with_funcs();
    s.limits.max_depth = 50;
    s.parse(
        "t",
        "{{ define \"r\" }}{{ template \"r\" }}{{ end }}{{ template \"r\" }}",
    )
    .unwrap();
    let e = s.execute("t", &Value::Nil, None).unwrap_err();
    assert!(e.message.contains("maximum template depth"), "{e}");
    let mut s = set_with_funcs();
    s.limits.max_range_iters = 10;
    s.parse("t", "{{ range 100 }}{{ end }}").unwrap();
    assert!(s.execute("t", &Value::Nil, None).is_err());
}

/// A host value standing for a Go struct (a pointer to one at the top):
/// printed as Go prints structs, its type named, unknown fields an error.
#[test]
fn go_structs() {
    static INNER: GoType = GoType {
        name: "pkg.Inner",
        kind: GoKind::Struct,
        elem_zero: ElemZero::Nil,
        stringer: None,
        addr_stringer: None,
        fields: &[
            GoField {
                name: "A",
                json: Some("a"),
                omit_empty: false,
            },
            GoField {
                name: "hidden",
                json: None,
                omit_empty: false,
            },
        ],
    };
    static OUTER: GoType = GoType {
        name: "*pkg.Outer",
        kind: GoKind::Ptr,
        elem_zero: ElemZero::Nil,
        stringer: None,
        addr_stringer: None,
        fields: &[GoField {
            name: "In",
            json: Some("In"),
            omit_empty: true,
        }],
    };
    let mut e = Entries::new();
    e.insert(Arc::from("A"), Value::str("x"));
    e.insert(Arc::from("hidden"), Value::str("h"));
    e.insert(Arc::from("Method"), Value::str("m"));
    let inner = Value::Map(Map::typed(&INNER, e));
    let mut o = Entries::new();
    o.insert(Arc::from("In"), inner.clone());
    let outer = Value::Map(Map::typed(&OUTER, o));
    let mut top = Entries::new();
    top.insert(Arc::from("o"), outer);
    let data = Value::map(top);
    let run = |src: &str| {
        let mut s = Set::new();
        s.parse("t", src).map_err(|e| e.to_string())?;
        s.execute("t", &data, None).map_err(|e| e.to_string())
    };
    // An action goes through the pointer; fmt does not.
    assert_eq!(run("{{ .o }}|{{ print .o }}").unwrap(), "{{x h}}|&{{x h}}");
    assert_eq!(
        run("{{ printf \"%s %T %T\" .o.In .o .o.In }}").unwrap(),
        "{x h} *pkg.Outer pkg.Inner"
    );
    // Method results read like fields but are not printed.
    assert_eq!(run("{{ .o.In.Method }}").unwrap(), "m");
    let err = run("{{ .o.In.Nope }}").unwrap_err();
    assert!(
        err.ends_with("can't evaluate field Nope in type pkg.Inner"),
        "{err}"
    );
    // Marshalling: exported fields under their JSON names, in order.
    let Value::Map(m) = &inner else { panic!() };
    let keys: Vec<String> = m
        .marshal_pairs()
        .iter()
        .map(|(k, _)| k.to_string())
        .collect();
    assert_eq!(keys, ["a"]);
    // A deep copy loses the unexported field.
    assert_eq!(go_string(&inner.deep_copy()), "{x }");
}
