#!/usr/bin/env python3
"""Differential test of caplevel's template engine against real `helm template`.

usage: scripts/helm-diff.py CAPLEVEL [HELM] [--class C]... [--grep S] [--list] [-v] [--jobs N]

Writes small throwaway charts (in a temp dir) whose templates each exercise one construct of Go's
text/template or one Sprig/Helm function, renders them with both tools (same release name,
namespace and Kubernetes version) and prints every case whose output, or error-ness, differs.
Cases are generated as combinations (value kinds x constructs): every case is one template that
defines its body and prints it base64-encoded (`x: {{ include "cN" . | b64enc }}`), so whatever it
prints stays one valid YAML document; `raw` cases are written as the whole file (trim markers at
file level, CRLF). Many cases share one chart: a chart whose render fails in either tool is split
in halves until each failing case stands alone. Divergences are classed:
  output      both render, the case's text differs
  cap-fails   helm renders, caplevel fails
  helm-fails  helm fails (the chart would be rejected), caplevel renders
Python 3 stdlib only; needs real helm (HELM defaults to .tools/bin/helm), so CI never runs it.
Time- and random-valued functions are only checked for not failing (their cases print a fixed
text derived from the result's length or nothing)."""
import base64
import os
import re
import shutil
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
KUBE = "1.31.0"

VALUES = """\
int: 3
zero: 0
float: 1.5
neg: -2.5
mil: 1000000
big: 12345678901234567890
large: 1234567890123
exp: 1e3
str: hello World
numstr: "42"
fstr: "3.7"
empty: ""
t: true
f: false
nul: null
map: {b: 2, a: 1, c: {d: x}}
emptymap: {}
list: [1, two, 3.5, null]
strlist: [b, a, c, a]
emptylist: []
nested: {m: {k: v, n: null}, l: [{a: 1}, {a: 2}]}
multi: "line1\\nline2\\n"
special: "a<b>&'\\"c\\u00e9"
spaces: "  padded  "
url: "https://user:pw@example.com:8080/p/a th?q=1&r=x y#frag"
ver: "1.2.3-alpha.1+build.5"
yamlstr: "a: 1\\nb: [x, y]\\n"
jsonstr: '{"b": 1, "a": [true, null, 1.5]}'
"""

FILES = {
    "files/a.txt": "alpha\nbeta\n",
    "files/b.conf": "key=value",
    "files/sub/c.json": '{"x": 1}\n',
    "files/crlf.txt": "one\r\ntwo\r\n",
    "files/empty.txt": "",
    "config/app.yaml": "a: 1\n",
}

# Value expressions by kind: every construct is tried on each.
V = {
    "int": ".Values.int", "zero": ".Values.zero", "float": ".Values.float", "neg": ".Values.neg",
    "mil": ".Values.mil", "big": ".Values.big", "large": ".Values.large", "exp": ".Values.exp",
    "str": ".Values.str", "numstr": ".Values.numstr", "fstr": ".Values.fstr", "empty": ".Values.empty",
    "t": ".Values.t", "f": ".Values.f", "null": ".Values.nul", "missing": ".Values.missing",
    "map": ".Values.map", "emptymap": ".Values.emptymap", "list": ".Values.list",
    "strlist": ".Values.strlist", "emptylist": ".Values.emptylist", "nested": ".Values.nested",
    "multi": ".Values.multi", "special": ".Values.special",
    "lint": "3", "lneg": "-4", "lfloat": "2.0", "lfrac": "0.25", "lstr": '"abc"', "ltrue": "true",
    "nil": "nil", "lhex": "0x1F", "lchar": "'a'",
    "fint": "(int 5)", "fint64": "(int64 7)", "ffloat": "(float64 2)", "fbigf": "(float64 1e21)",
    "flist": '(list 1 "a" nil)', "fdict": '(dict "b" 2 "a" 1)', "fslist": '(list "x" "y")',
    "fnil": "(index .Values.map \"zz\")", "fstrint": "(toString 12)",
}
# The kinds Sprig's date functions read as a time (Go ints as Unix seconds); any other value
# makes `date`/`htmlDate` format time.Now(), which only the clock decides.
GO_INTS = {"lint", "lneg", "lhex", "lchar", "fint", "fint64"}
CLOCK_FNS = {"htmlDate", "date \"2006\""}

# A smaller set for two-argument combinations.
V2 = ["int", "zero", "float", "str", "numstr", "empty", "t", "f", "null", "missing", "map",
      "list", "emptylist", "lint", "lfloat", "lstr", "nil", "fint", "fint64", "ffloat"]


class Case:
    def __init__(self, cls, body, defs="", raw=False, stable=True):
        self.cls, self.body, self.defs, self.raw, self.stable = cls, body, defs, raw, stable
        self.id = None
        # A case that may change shared maps (`.Values`) renders in a chart of its own: in a
        # shared chart its effect would depend on which other cases failed before it.
        self.alone = any(w in body + defs for w in ("set ", "unset ", "merge"))
        # Sprig's keys/values follow Go's random map order.
        if re.search(r"\b(keys|values) ", body):
            self.stable = False

    def file_text(self):
        if self.raw:
            return self.body
        defs = self.defs.replace("@", f"c{self.id}-")
        body = self.body.replace("@", f"c{self.id}-")
        return f'{defs}{{{{ define "c{self.id}" }}}}{body}{{{{ end }}}}x: {{{{ include "c{self.id}" . | b64enc }}}}\n'


CASES = []


def case(cls, body, **kw):
    CASES.append(Case(cls, body, **kw))


def gen():
    # --- printing of every value kind, in every printing context
    for k, e in V.items():
        if k != "nil":
            case("print", f"{{{{ {e} }}}}")
        case("print", f"{{{{ print {e} }}}}|{{{{ print {e} {e} }}}}|{{{{ print \"a\" {e} 1 }}}}")
        case("print", f"{{{{ println {e} }}}}")
        for verb in ["%v", "%s", "%d", "%q", "%T", "%x", "%5v", "%-4s|", "%.2f", "%t", "%+v", "%#v", "%g", "%e", "%03d", "%o"]:
            case("printf", f"{{{{ printf \"{verb}\" {e} }}}}")
        case("printf", f"{{{{ printf \"%s %s\" {e} }}}}")
        for fn in ["html", "js", "urlquery", "len", "not", "quote", "squote", "toString", "toStrings",
                   "toYaml", "toJson", "toPrettyJson", "toRawJson", "mustToJson", "toToml",
                   "typeOf", "kindOf", "empty", "int", "int64", "float64", "atoi", "toDecimal",
                   "b64enc", "b32enc", "upper", "lower", "title", "untitle", "trim", "nospace",
                   "sha1sum", "sha256sum", "adler32sum", "first", "last", "rest", "initial",
                   "uniq", "compact", "reverse", "sortAlpha", "keys", "values", "deepCopy",
                   "toBool", "indent 2", "nindent 2", "snakecase", "camelcase", "kebabcase",
                   "swapcase", "initials", "plural \"one\" \"many\"", "cat", "join \",\"",
                   "default \"D\"", "coalesce", "ternary \"y\" \"n\"", "add1", "add1f",
                   "floor", "ceil", "round", "required \"R\"", "toDate \"2006-01-02\"",
                   "fromYaml", "fromJson", "fromYamlArray", "fromJsonArray", "list", "tuple",
                   "split \"l\"", "splitList \"l\"", "trunc 3", "abbrev 5", "wrap 3", "repeat 2",
                   "contains \"l\"", "hasPrefix \"h\"", "hasSuffix \"d\"", "semver",
                   "regexQuoteMeta", "base", "dir", "ext", "clean", "isAbs", "b64dec", "b32dec",
                   "urlParse", "dict \"k\"", "get (dict \"k\" 1)", "hasKey (dict \"k\" 1)",
                   "index (dict \"3\" 1)", "printf \"%v\"", "print", "kindIs \"string\"",
                   "typeIs \"string\"", "typeIsLike \"int\"", "until", "seq", "int | add 1",
                   "duration", "durationRound", "htmlDate", "date \"2006\"", "unixEpoch",
                   "mustFirst", "mustLast", "mustUniq", "mustReverse", "omit",
                   "pick", "merge (dict)", "concat (list 9)", "append (list 0)", "prepend (list 0)",
                   "without (list 1)", "has 1", "trimAll \"l\"", "trimPrefix \"h\"", "trimSuffix \"d\"",
                   "substr 1 3", "replace \"l\" \"L\"", "splitn \"l\" 2", "chunk 2", "getHostByName",
                   "min 2", "max 2", "biggest 2", "all", "any", "sub 1", "mul 2", "div 1", "mod 2",
                   "addf 1", "subf 1", "mulf 2", "divf 1", "maxf 1", "minf 1", "slice"]:
            stable = not (fn in CLOCK_FNS and k not in GO_INTS)
            case("unary", f"{{{{ {fn} {e} }}}}", stable=stable)
            if k in ("int", "str", "map", "list", "null", "missing", "lint", "fint64"):
                case("pipe", f"{{{{ {e} | {fn} }}}}", stable=stable)
    # --- truthiness and control flow
    for k, e in V.items():
        if k == "nil":
            continue
        case("if", f"{{{{ if {e} }}}}y{{{{ else }}}}n{{{{ end }}}}")
        case("with", f"{{{{ with {e} }}}}[{{{{ . }}}}]{{{{ else }}}}n{{{{ end }}}}")
        case("with", f"{{{{ with {e} }}}}[{{{{ $ | kindOf }}}}]{{{{ else with .Values.str }}}}w{{{{ . }}}}{{{{ end }}}}")
        case("range", f"{{{{ range {e} }}}}[{{{{ . }}}}]{{{{ else }}}}e{{{{ end }}}}")
        case("range", f"{{{{ range $i, $v := {e} }}}}{{{{ $i }}}}={{{{ $v }}}};{{{{ end }}}}")
        case("range", f"{{{{ range $v := {e} }}}}{{{{ $v }}}};{{{{ end }}}}")
        case("range", f"{{{{ range $i, $v := {e} }}}}{{{{ if eq (toString $i) \"1\" }}}}{{{{ continue }}}}{{{{ end }}}}{{{{ $v }}}}{{{{ if eq (toString $i) \"2\" }}}}{{{{ break }}}}{{{{ end }}}};{{{{ end }}}}")
        case("range", f"{{{{ range {e} }}}}{{{{ typeOf . }}}};{{{{ end }}}}")
        case("logic", f"{{{{ not {e} }}}}|{{{{ and {e} 1 }}}}|{{{{ or {e} 2 }}}}|{{{{ and 1 {e} }}}}|{{{{ or 0 {e} }}}}")
        case("logic", f"{{{{ and {e} .Values.map.zz.yy }}}}")
        case("logic", f"{{{{ or {e} (fail \"no\") }}}}")
        case("vars", f"{{{{ $x := {e} }}}}{{{{ $x }}}}|{{{{ $x = 5 }}}}{{{{ $x }}}}")
        case("vars", f"{{{{ $x := 1 }}}}{{{{ if true }}}}{{{{ $x = {e} }}}}{{{{ end }}}}{{{{ $x }}}}")
        case("vars", f"{{{{ $x := 1 }}}}{{{{ range list 1 2 }}}}{{{{ $x = {e} }}}}{{{{ end }}}}{{{{ $x }}}}")
        case("field", f"{{{{ {e}.a }}}}")
        case("field", f"{{{{ ({e}).a }}}}")
        case("field", f"{{{{ $v := {e} }}}}{{{{ $v.a }}}}")
        case("field", f"{{{{ $v := {e} }}}}{{{{ $v.a.b }}}}")
        case("field", f"{{{{ with {e} }}}}{{{{ .a }}}}{{{{ end }}}}")
        case("index", f"{{{{ index {e} 0 }}}}")
        case("index", f"{{{{ index {e} \"a\" }}}}")
        case("index", f"{{{{ index {e} 1 1 }}}}")
        case("index", f"{{{{ index {e} }}}}")
        case("index", f"{{{{ slice {e} 1 }}}}|{{{{ slice {e} 1 2 }}}}")
        case("index", f"{{{{ index {e} 10 }}}}")
        case("index", f"{{{{ index {e} -1 }}}}")
    # --- comparisons on mixed kinds
    for a in V2:
        for b in V2:
            for op in ["eq", "ne", "lt", "le", "gt", "ge"]:
                case("compare", f"{{{{ {op} {V[a]} {V[b]} }}}}")
        case("compare", f"{{{{ eq {V[a]} 1 \"1\" 3 }}}}")
    # --- two-argument math on mixed kinds
    for a in V2:
        for b in V2:
            for op in ["add", "sub", "mul", "div", "mod", "max", "min", "addf", "subf", "mulf", "divf", "maxf", "minf"]:
                case("math", f"{{{{ {op} {V[a]} {V[b]} }}}}")
    for x in ["1", "1.5", "-1.5", "2.5", "-2.5", "0.1", "\"2.7\"", ".Values.float", ".Values.big", "nil", "\"x\""]:
        for f in ["floor", "ceil", "round", "add1", "add1f", "int", "int64", "float64", "toString", "atoi"]:
            case("math", f"{{{{ {f} {x} }}}}")
        case("math", f"{{{{ round {x} 2 }}}}|{{{{ round {x} 0 0.4 }}}}")
        case("math", f"{{{{ add {x} 1 2 }}}}|{{{{ mul {x} 3 }}}}|{{{{ max {x} 1 2 }}}}|{{{{ addf {x} 1 2 }}}}")
    for x in ["10", "-10", "7.9", "\"7\"", ".Values.mil"]:
        for y in ["3", "-3", "0", "2.5", "0.0"]:
            case("math", f"{{{{ div {x} {y} }}}}|{{{{ mod {x} {y} }}}}|{{{{ divf {x} {y} }}}}")
    # --- strings with odd arguments
    for s in ['"hello world"', '""', '"héllo"', ".Values.int", "nil", ".Values.missing", ".Values.list"]:
        for n in ["0", "3", "-3", "20", "-20", ".Values.int"]:
            case("strings", f"{{{{ trunc {n} {s} }}}}")
            case("strings", f"{{{{ abbrev {n} {s} }}}}")
            case("strings", f"{{{{ substr {n} 5 {s} }}}}|{{{{ substr 2 {n} {s} }}}}")
            case("strings", f"{{{{ abbrevboth {n} 5 {s} }}}}")
            case("strings", f"{{{{ indent {n} {s} }}}}|{{{{ nindent {n} {s} }}}}")
            case("strings", f"{{{{ repeat {n} {s} }}}}")
            case("strings", f"{{{{ wrap {n} {s} }}}}|{{{{ wrapWith {n} \"#\" {s} }}}}")
            case("strings", f"{{{{ splitn \" \" {n} {s} }}}}")
            case("strings", f"{{{{ randAlphaNum {n} | len }}}}")
    words = ['"hello_world-foo bar"', '"HelloWorld"', '"helloWorld"', '"HTTPServer"', '"a.b.c"', '"  x  y "',
             '"ÉcoleNormale"', '"snake_case_Here"', '"ID"', '"already-kebab"', '"with123Numbers45"',
             '"resource_detection/env"', '"resourcedetection"', '"Foo  Bar"', '"über straße"', '"a-b_c d"', '""']
    for w in words:
        for f in ["camelcase", "snakecase", "kebabcase", "title", "untitle", "swapcase", "initials",
                  "upper", "lower", "nospace", "trim", "plural \"x\"", "quote", "squote", "shuffle | len",
                  "b64enc", "b32enc", "sha1sum", "adler32sum", "urlquery", "html", "js", "wrap 5",
                  "cat \"z\"", "trimAll \" \"", "regexQuoteMeta", "toStrings", "splitList \"_\"",
                  "split \"_\"", "trimSuffix \"r\"", "trimPrefix \"h\"", "replace \"_\" \".\"",
                  "abbrev 6", "substr 1 4"]:
            case("strings", f"{{{{ {f} {w} }}}}")
    for s in ['"a,b,,c"', '","', '""', '"abc"', ".Values.int", "nil"]:
        case("strings", f"{{{{ split \",\" {s} }}}}|{{{{ splitList \",\" {s} }}}}|{{{{ splitn \",\" 2 {s} }}}}")
        case("strings", f"{{{{ (split \",\" {s})._1 }}}}|{{{{ (splitn \",\" 2 {s})._0 }}}}")
        case("strings", f"{{{{ splitList \"\" {s} }}}}|{{{{ split \"\" {s} }}}}")
        case("strings", f"{{{{ join \"-\" (splitList \",\" {s}) }}}}")
    for lst in ['(list 1 "a" 2.5 nil true)', ".Values.list", ".Values.strlist", '(list)', "nil", '"str"', ".Values.int",
                '(list (list 1) (dict "a" 1))']:
        case("strings", f"{{{{ join \",\" {lst} }}}}|{{{{ toStrings {lst} }}}}|{{{{ sortAlpha {lst} }}}}")
        case("strings", f"{{{{ cat {lst} \"x\" nil 3 }}}}")
        case("strings", f"{{{{ quote {lst} }}}}|{{{{ squote {lst} }}}}|{{{{ quote {lst} 1 nil }}}}")
    case("strings", '{{ quote }}|{{ squote }}|{{ quote nil nil }}|{{ cat }}|{{ print }}')
    for q in ['"a\\"b"', "'x'", '"\\u00e9\\t\\n"', '`raw\\n`', '"\\x01"']:
        case("strings", f"{{{{ quote {q} }}}}|{{{{ squote {q} }}}}|{{{{ printf \"%q\" {q} }}}}|{{{{ js {q} }}}}|{{{{ html {q} }}}}")
    # --- regex (Go RE2 syntax and expansion)
    for pat, s in [('"a(x*)b"', '"-ab-axxb-"'), ('"(?P<n>[0-9]+)"', '"a12b345"'), ('"^$"', '""'),
                   ('"[[:alpha:]]+"', '"ab1cd"'), ('"\\\\d"', '"a1b2"'), ('"("', '"x"'), ('"(?i)AB"', '"xaby"'),
                   ('"a|"', '"bab"'), ('"\\\\bx"', '"x xx"')]:
        case("regex", f"{{{{ regexMatch {pat} {s} }}}}|{{{{ regexFind {pat} {s} }}}}")
        for n in ["-1", "0", "1", "5"]:
            case("regex", f"{{{{ regexFindAll {pat} {s} {n} }}}}|{{{{ regexSplit {pat} {s} {n} }}}}")
        for rep in ['"${1}W"', '"$1W"', '"<$n>"', '"$$"', '"${2}"', '"\\\\1"', '"$"']:
            case("regex", f"{{{{ regexReplaceAll {pat} {s} {rep} }}}}|{{{{ regexReplaceAllLiteral {pat} {s} {rep} }}}}")
    case("regex", '{{ mustRegexMatch "(" "x" }}')
    case("regex", '{{ regexMatch "a" .Values.int }}')
    # --- semver
    vers = ['"1.2.3"', '"v1.31.0"', '"1.31.0-gke.100"', '"1.2"', '"1"', '"1.2.3-alpha.1+b"', '"bad"', '"01.2.3"',
            '"1.2.3.4"', '"v1.20.0-0"', '"1.21.4+k3s1"', ".Capabilities.KubeVersion.Version",
            ".Capabilities.KubeVersion.GitVersion"]
    cons = ['">=1.2.0"', '"^1.2"', '"~1.2.0"', '">=1.20-0"', '">=1.20.0-0"', '"<1.22"', '"1.2.x"', '"*"',
            '"!=1.2.3"', '">1 <2"', '">=1.0, <1.3"', '"1.2.3 || 2.x"', '"=1.2.3"', '"~1"', '"^0.1.2"',
            '">= 1.19-0"', '"<=1.31"', '"1.31"', '"bad"', '">=1.31.0-0"', '"~>1.2"', '"1 - 2"', '"<2.0.0-0"']
    for v in vers:
        for c in cons:
            case("semver", f"{{{{ semverCompare {c} {v} }}}}")
        case("semver", f"{{{{ $v := semver {v} }}}}{{{{ $v.Major }}}}.{{{{ $v.Minor }}}}.{{{{ $v.Patch }}}}|{{{{ $v.Prerelease }}}}|{{{{ $v.Metadata }}}}|{{{{ $v.Original }}}}|{{{{ $v }}}}")
        case("semver", f"{{{{ (semver {v}).Compare (semver \"1.2.3\") }}}}")
    # --- collections
    colls = ['(dict "a" 1 "b" (dict "c" 2))', '(dict)', ".Values.map", ".Values.nested", ".Values.emptymap", "nil",
             ".Values.list", ".Values.str"]
    for d in colls:
        for f in ['keys', 'values', 'deepCopy', 'toYaml', 'toJson', 'len', 'empty', 'kindOf', 'typeOf']:
            case("collections", f"{{{{ {f} {d} }}}}")
        case("collections", f"{{{{ keys {d} (dict \"z\" 1 \"a\" 2) }}}}")
        case("collections", f"{{{{ pluck \"a\" {d} (dict \"a\" 9) }}}}")
        case("collections", f"{{{{ dig \"b\" \"c\" \"dflt\" {d} }}}}|{{{{ dig \"a\" \"dflt\" {d} }}}}|{{{{ dig \"zz\" nil {d} }}}}")
        case("collections", f"{{{{ get {d} \"a\" }}}}|{{{{ get {d} \"zz\" }}}}|{{{{ hasKey {d} \"a\" }}}}")
        case("collections", f"{{{{ pick {d} \"a\" \"zz\" }}}}|{{{{ omit {d} \"a\" }}}}")
        case("collections", f"{{{{ $c := deepCopy {d} }}}}{{{{ $_ := set $c \"new\" 1 }}}}{{{{ {d} }}}}|{{{{ $c }}}}")
        case("collections", f"{{{{ $_ := set {d} \"new\" 1 }}}}{{{{ {d} }}}}")
        case("collections", f"{{{{ $_ := unset {d} \"a\" }}}}{{{{ {d} }}}}")
        case("collections", f"{{{{ merge (dict \"a\" 0 \"x\" (dict \"y\" 1)) {d} }}}}|{{{{ mergeOverwrite (dict \"a\" 0 \"x\" (dict \"y\" 1)) {d} }}}}")
        case("collections", f"{{{{ merge {d} (dict \"a\" 5 \"q\" 1) }}}}|{{{{ {d} }}}}")
        case("collections", f"{{{{ mergeOverwrite {d} (dict \"a\" nil \"q\" 1) }}}}")
        case("collections", f"{{{{ dict \"k\" {d} | toYaml }}}}")
        case("collections", f"{{{{ set (dict) \"k\" {d} | toJson }}}}")
    lists = ['(list 3 1 2 1 nil "a" "")', '(list)', ".Values.list", ".Values.strlist", ".Values.emptylist", "nil",
             ".Values.map", ".Values.str", '(list (dict "a" 1) (dict "a" 1))', '(list 1 1.0 "1")']
    for l in lists:
        for f in ["first", "last", "rest", "initial", "uniq", "compact", "reverse", "sortAlpha", "len",
                  "mustFirst", "mustLast", "mustRest", "mustInitial", "mustUniq", "mustCompact", "mustReverse",
                  "toYaml", "toJson", "empty", "toStrings", "shuffle | len"]:
            case("collections", f"{{{{ {f} {l} }}}}")
        case("collections", f"{{{{ has 1 {l} }}}}|{{{{ has \"a\" {l} }}}}|{{{{ has nil {l} }}}}|{{{{ mustHas 1 {l} }}}}")
        case("collections", f"{{{{ without {l} 1 \"a\" }}}}|{{{{ concat {l} (list 9) }}}}|{{{{ concat (list 9) {l} }}}}")
        case("collections", f"{{{{ append {l} 9 }}}}|{{{{ prepend {l} 9 }}}}|{{{{ mustAppend {l} 9 }}}}|{{{{ push {l} 8 }}}}")
        case("collections", f"{{{{ slice {l} 1 }}}}|{{{{ slice {l} 0 1 }}}}|{{{{ mustSlice {l} 1 }}}}")
        case("collections", f"{{{{ chunk 2 {l} }}}}|{{{{ mustChunk 3 {l} }}}}")
        case("collections", f"{{{{ index {l} 1 }}}}|{{{{ len {l} }}}}")
        case("collections", f"{{{{ tuple {l} 1 }}}}|{{{{ list {l} }}}}")
    for a in ["0", "1", "3", "-2", '"3"', ".Values.int", "(int 4)", "2.5", "nil"]:
        case("collections", f"{{{{ until {a} }}}}|{{{{ untilStep 0 {a} 2 }}}}|{{{{ untilStep {a} 0 -1 }}}}")
        case("collections", f"{{{{ seq {a} }}}}|{{{{ seq 1 {a} }}}}|{{{{ seq {a} -1 0 }}}}|{{{{ seq 1 2 {a} }}}}")
        case("range", f"{{{{ range {a} }}}}{{{{ . }}}};{{{{ end }}}}")
        case("range", f"{{{{ range $i := {a} }}}}{{{{ $i }}}};{{{{ end }}}}")
    case("collections", '{{ dict "a" }}|{{ dict "a" 1 "b" }}|{{ dict 1 2 }}|{{ dict nil 1 }}|{{ dict .Values.int 1 }}')
    case("collections", '{{ $d := dict "a" (dict "b" 1) }}{{ $e := merge (dict) $d }}{{ $_ := set $e.a "c" 2 }}{{ $d }}')
    case("collections", '{{ $d := dict "a" (list 1) }}{{ $e := mergeOverwrite (dict "a" (list 2 3)) $d }}{{ $e }}')
    case("collections", '{{ $l := list 1 2 }}{{ $m := append $l 3 }}{{ $l }}{{ $m }}')
    for sv in ['0', '""', 'false', 'nil', '(list)', '(dict)', '(list 1)', '(dict "y" 1)', '"s"']:
        for dv in ['1', '""', 'nil', '(dict)', '(dict "x" 1)', '(list 2)']:
            case("collections", f'{{{{ mergeOverwrite (dict "a" {dv} "o" 1) (dict "a" {sv}) }}}}|{{{{ merge (dict "a" {dv} "o" 1) (dict "a" {sv}) }}}}')
        case("collections", f'{{{{ merge (dict) (dict "a" {sv}) }}}}|{{{{ mergeOverwrite (dict) (dict "a" {sv}) }}}}')
    case("collections", '{{ $s := dict "n" (dict "x" 1) }}{{ $d := merge (dict) $s }}{{ $_ := set $s.n "y" 2 }}{{ $d }}')
    case("collections", '{{ $s := dict "n" (dict "x" 1) }}{{ $d := merge (dict "n" (dict)) $s }}{{ $_ := set $s.n "y" 2 }}{{ $d }}')
    case("collections", '{{ $d := dict "n" (dict "x" 1) }}{{ $n := $d.n }}{{ $_ := mergeOverwrite $d (dict "n" (dict "y" 2)) }}{{ $n }}|{{ $d }}')
    case("collections", '{{ coalesce 0 "" nil .Values.missing (list) (dict) false "x" }}|{{ coalesce }}|{{ coalesce 0 "" }}')
    case("collections", '{{ all 1 "a" true }}|{{ all 1 0 }}|{{ any 0 "" nil }}|{{ any 0 (list 1) }}|{{ all }}|{{ any }}')
    case("collections", '{{ deepEqual (list 1 2) (list 1 2) }}|{{ deepEqual 1 1.0 }}|{{ deepEqual (dict "a" 1) (dict "a" 1) }}|{{ deepEqual .Values.int 3 }}')
    # --- defaults, ternary, empty
    for k in V2 + ["emptymap", "fdict", "flist", "fbigf"]:
        e = V[k]
        case("default", f"{{{{ default \"D\" {e} }}}}|{{{{ {e} | default 7 }}}}|{{{{ empty {e} }}}}|{{{{ ternary \"y\" \"n\" (not (empty {e})) }}}}")
        case("default", f"{{{{ ternary 1 2 {e} }}}}")
        case("default", f"{{{{ required \"msg\" {e} }}}}")
        case("default", f"{{{{ default {e} }}}}")
        case("default", f"{{{{ coalesce {e} \"c\" }}}}")
    # --- types
    for k, e in V.items():
        for kind in ["string", "int", "int64", "float64", "bool", "map", "slice", "invalid", "[]interface {}", "map[string]interface {}", "<nil>"]:
            case("types", f"{{{{ kindIs \"{kind}\" {e} }}}}|{{{{ typeIs \"{kind}\" {e} }}}}|{{{{ typeIsLike \"{kind}\" {e} }}}}")
    # --- conversions of odd inputs
    for x in ['"12"', '"12.7"', '" 12 "', '"0x1F"', '"1e3"', '"-0"', '"abc"', '""', '"true"', "true", "false",
              '"9223372036854775808"', ".Values.big", ".Values.large", ".Values.exp", "1e21", "nil", "(list 1)",
              '"+5"', '"1_000"', '"017"', '"0b11"', "-1.9", "1.9"]:
        case("convert", f"{{{{ int {x} }}}}|{{{{ int64 {x} }}}}|{{{{ float64 {x} }}}}|{{{{ atoi {x} }}}}|{{{{ toString {x} }}}}")
        case("convert", f"{{{{ toDecimal {x} }}}}|{{{{ toBool {x} }}}}")
        case("convert", f"{{{{ {x} | toYaml }}}}|{{{{ {x} | toJson }}}}")
        case("convert", f"{{{{ typeOf (int {x}) }}}}|{{{{ typeOf (float64 {x}) }}}}")
    # --- YAML/JSON/TOML in and out
    docs = ['"a: 1"', '"a: [1, 2]\\nb: {c: true}"', '"- 1\\n- x"', '"bad: [: x"', '""', '"x"', '"1.0"',
            '"a: 1\\n---\\nb: 2"', '"a: 0777\\nb: 1e3\\nc: yes\\nd: ~\\ne: 2024-01-01"', '.Values.yamlstr',
            '.Values.jsonstr', '"{\\"a\\": 12345678901234567890}"', '"[1, \\"a\\"]"', '"a:\\n  b:\\n    - c"',
            '"k: |\\n  multi\\n  line\\n"', '"n: 1234567890123"']
    for d in docs:
        case("yaml", f"{{{{ fromYaml {d} }}}}|{{{{ fromYaml {d} | toYaml }}}}")
        case("yaml", f"{{{{ fromYamlArray {d} }}}}")
        case("yaml", f"{{{{ fromJson {d} }}}}|{{{{ fromJson {d} | toJson }}}}")
        case("yaml", f"{{{{ fromJsonArray {d} }}}}")
        case("yaml", f"{{{{ mustFromJson {d} }}}}")
        case("yaml", f"{{{{ fromToml {d} }}}}")
        case("yaml", f"{{{{ (fromYaml {d}).a }}}}|{{{{ typeOf (fromYaml {d}).a }}}}|{{{{ (fromYaml {d}).Error }}}}")
    ys = ['(dict "s" "yes" "n" "123" "e" "" "o" "0777" "t" "true" "f" "1.5" "nl" "a\\nb" "sp" " x" "c" "a: b" "h" "#x" "st" "*" "d" "2024-01-01" "null" "null" "ti" "~")',
          '(dict "l" (list) "m" (dict) "z" nil "b" false "i" 1 "f" 1.5 "big" 1e21 "small" 0.000001 "neg" -0.0)',
          '(list (dict "a" (list 1 (list 2 3))) "x")', ".Values", ".Values.nested", '"plain"', '"a\\nb\\n"', '"  lead"',
          '(dict "k" "line1\\nline2\\n" "t" "tab\\there" "u" "ünï" "e" "é\\n")', '(dict "html" "<a>&b" "q" "\\"x\\"")',
          '(list "- x" "? y" ": z" "@a" "`b" "!c" "%d" "&e" "|f" ">g" "\\"h" "\'i" "{j" "[k" "]l" "}m" ",n")',
          '(dict "1" 1 "true" 2 "y" 3 "on" 4 "~" 5 "" 6 "a b" 7 "-" 8)', '(dict "f1" 1.0 "f2" 100000000.0 "f3" 1e6 "f4" 0.1 "f5" 3.14159265358979 "f6" 1e-7 "f7" 123456789.0)']
    for y in ys:
        for f in ["toYaml", "toJson", "toPrettyJson", "toRawJson", "toToml", "mustToYaml", "toYamlPretty", "mustToRawJson", "mustToPrettyJson"]:
            case("yaml", f"{{{{ {f} {y} }}}}")
    # --- encodings and hashes
    for s in ['"hello"', '""', '"héllo wörld"', '"a\\nb"', ".Values.int", "nil", ".Values.special"]:
        case("encoding", f"{{{{ b64enc {s} }}}}|{{{{ b64enc {s} | b64dec }}}}|{{{{ b32enc {s} }}}}|{{{{ b32enc {s} | b32dec }}}}")
        case("encoding", f"{{{{ sha1sum {s} }}}}|{{{{ sha256sum {s} }}}}|{{{{ adler32sum {s} }}}}")
    for s in ['"aGVsbG8="', '"aGVsbG8"', '"!!"', '"NBSWY3DP"', '"NBSWY3D"', '""']:
        case("encoding", f"{{{{ b64dec {s} }}}}|{{{{ b32dec {s} }}}}")
    # --- dates on fixed times
    times = ["0", "1700000000", "(int64 1700000000)", '(toDate "2006-01-02" "2024-02-29")',
             '(toDate "2006-01-02T15:04:05Z07:00" "2024-02-29T13:45:00+02:00")', '"2024-01-01"', ".Values.int",
             '(mustToDate "2006-01-02" "bad")', '(toDate "2006-01-02" "bad")', "1.5", "nil"]
    for t in times:
        # A value that is neither a time nor a Go int is formatted as time.Now().
        now = t in ('"2024-01-01"', ".Values.int", "1.5", "nil")
        for layout in ['"2006-01-02"', '"2006-01-02T15:04:05Z07:00"', '"Mon Jan 2 15:04:05 MST 2006"', '"03:04PM .000 -0700"']:
            case("date", f"{{{{ date {layout} {t} }}}}", stable=not now)
            case("date", f"{{{{ dateInZone {layout} {t} \"UTC\" }}}}|{{{{ dateInZone {layout} {t} \"Asia/Tokyo\" }}}}",
                 stable=not now)
        case("date", f"{{{{ htmlDate {t} }}}}|{{{{ htmlDateInZone {t} \"UTC\" }}}}", stable=not now)
        case("date", f"{{{{ unixEpoch {t} }}}}")
        case("date", f"{{{{ dateModify \"1h30m\" {t} }}}}|{{{{ dateModify \"-24h\" {t} | date \"2006-01-02 15:04\" }}}}")
        case("date", f"{{{{ typeOf {t} }}}}")
    case("date", '{{ dateModify "bad" (toDate "2006-01-02" "2024-01-01") }}')
    case("date", '{{ mustDateModify "bad" (toDate "2006-01-02" "2024-01-01") }}')
    for d in ["0", "90", "3600", "86400", '"90"', '"1h"', "1.5", "-5", "nil", "(int64 100000)"]:
        case("date", f"{{{{ duration {d} }}}}")
    for d in ['"2h10m5s"', '"3d"', '"1h"', '"45s"', '"1m30s"', '"100h"', '"800h"', '"10000h"', "90", "3600000000000",
              '"bad"', "nil", '"-2h10m"', '"1.5s"', '"250ms"']:
        case("date", f"{{{{ durationRound {d} }}}}")
    case("date", '{{ now | typeOf }}|{{ now | date "2006" | len }}|{{ ago (now) | typeOf }}', stable=False)
    # --- paths and urls
    for p in ['"/a/b/c.txt"', '"a/b/"', '""', '"."', '"/"', '"a//b/../c"', '"c.tar.gz"', '"noext"', '".hidden"',
              "nil"]:
        case("paths", f"{{{{ base {p} }}}}|{{{{ dir {p} }}}}|{{{{ ext {p} }}}}|{{{{ clean {p} }}}}|{{{{ isAbs {p} }}}}")
        case("paths", f"{{{{ osBase {p} }}}}|{{{{ osDir {p} }}}}|{{{{ osExt {p} }}}}|{{{{ osClean {p} }}}}|{{{{ osIsAbs {p} }}}}")
    for u in [".Values.url", '"http://x"', '"not a url"', '"mailto:a@b"', '"/rel/path?x=1"', '""']:
        case("paths", f"{{{{ urlParse {u} }}}}|{{{{ urlParse {u} | toJson }}}}")
        case("paths", f"{{{{ urlJoin (urlParse {u}) }}}}")
    case("paths", '{{ urlJoin (dict "scheme" "https" "host" "h:1" "path" "/p q" "query" "a=1" "fragment" "f" "userinfo" "u:p") }}')
    case("paths", '{{ urlJoin (dict "host" "h") }}|{{ urlJoin (dict "path" "x") }}|{{ urlJoin (dict) }}')
    # --- random and crypto: only that they do not fail
    for f in ["randAlphaNum 5", "randAlpha 5", "randNumeric 5", "randAscii 5", "randBytes 5", "randInt 1 5",
              "uuidv4", "genPrivateKey \"rsa\"", "genPrivateKey \"ecdsa\"", "genPrivateKey \"ed25519\"",
              "genPrivateKey \"dsa\"", "genPrivateKey \"bad\"", "genCA \"ca\" 365", "bcrypt \"x\"",
              "htpasswd \"u\" \"p\"", "derivePassword 1 \"long\" \"pw\" \"user\" \"example.com\"",
              "encryptAES \"secretkey\" \"plaintext\"", "shuffle \"abc\"", "randAlphaNum 0", "randAlphaNum -1",
              "genSelfSignedCert \"x\" nil nil 365", "(genCA \"ca\" 365).Cert", "getHostByName \"localhost\"",
              "htpasswd \"u\" \"p\" \"sha\"", "randInt 5 1"]:
        case("random", f"{{{{ {f} | kindOf }}}}", stable=False)
    case("random", '{{ derivePassword 1 "long" "pw" "user" "example.com" }}')
    case("random", '{{ encryptAES "secretkey" "plaintext" | decryptAES "secretkey" }}')
    case("random", '{{ decryptAES "secretkey" "bad" }}')
    # --- whitespace trimming, comments, CRLF (whole files)
    tm = ["{{- /* c */ -}}", "{{- /* c */}}", "{{/* c */ -}}", "{{/* c */}}", "{{- /* multi\nline */ -}}",
          "{{ /* c */ }}", "{{-/* c */-}}", "{{- 3 }}", "{{ 3 -}}", "{{- 3 -}}", "{{-3}}", "{{3 -}}",
          "{{- \"a\" -}}", "{{- if true }}", "{{- end }}", "{{/* a */}}{{/* b */}}", "{{- /**/ -}}",
          "{{- print -}}", "{{ print -}}\n"]
    for t in tm:
        for nl in ["\n", "\r\n"]:
            pre = "a: |\n  x" + nl + "  " if "end" not in t and "if" not in t else ""
            if "if true" in t:
                body = f"a: |{nl}  x{nl}  {t}{nl}  y{nl}  {{{{- end }}}}{nl}  z{nl}"
            elif "end" in t:
                body = f"a: |{nl}  x{nl}  {{{{- if true }}}}{nl}  y{nl}  {t}{nl}  z{nl}"
            else:
                body = f"{pre}{t}{nl}  y {t} w{nl}{nl}  {t}z{nl}"
            case("trim", body, raw=True)
            case("trim", body.replace("a: |", "a: |-").replace("{{-", "{{- "), raw=True)
    case("trim", "a: 1\r\nb: {{ .Values.str }}\r\n", raw=True)
    case("trim", "a: 1\r\nb: |\r\n  {{- .Values.multi | nindent 2 }}\r\n", raw=True)
    case("trim", "\ufeffa: 1\n", raw=True)
    case("trim", "a: 1\n\n\n", raw=True)
    case("trim", "\n\n\na: 1", raw=True)
    case("trim", "a: 1\n---\n{{/* only comment */}}\n---\nb: 2\n", raw=True)
    case("trim", "---\na: 1\n---\n---\nb: 2\n...\n", raw=True)
    case("trim", "# comment\n---\na: {{ \"x\" }}\n", raw=True)
    case("trim", "a: x\t\n\tb: 1\n".replace("\tb", "b"), raw=True)
    for t in ["{{ 1 }}{{- 2 }}", "{{ 1 -}} {{ 2 }}", "{{- `a` -}}", "{{ \"a\" -}}\t\n\r\n x", "{{ 1 }}\n{{- /* x */ -}}\n{{ 2 }}",
              "{{ 1 }}{{/* x */ -}}   \n  {{ 2 }}", "{{ 1 }}  {{- /* x */}}  {{ 2 }}", "{{- 1 -}}{{- 2 -}}"]:
        case("trim", t)
    # --- parser corners
    for t in ["{{ 1 | print | }}", "{{ print 1 | }}", "{{ (print 1) }}", "{{ print (1) }}", "{{ (1) }}", "{{ print ((1)) }}",
              "{{ print 1 2 | printf \"%v-%v\" 3 }}", "{{ $x := 1 }}{{ $x := 2 }}{{ $x }}", "{{ $x, $y := 1 }}",
              "{{ $ }}", "{{ $.Values.int }}", "{{ .Values.map.c.d }}", "{{ .Values.map.c.d.e }}", "{{ .Values.map.a.b }}",
              "{{ print .Values.map.c }}", "{{ .Values.nested.l }}", "{{ (index .Values.nested.l 0).a }}",
              "{{ ( .Values.map ).a }}", "{{ .Values.map | len }}", "{{ \"x\" | printf \"%s-%s\" \"y\" }}",
              "{{ 'a' }}|{{ '\\n' }}|{{ 1.5e3 }}|{{ 0x10 }}|{{ 1_000 }}|{{ 0o17 }}|{{ 0b101 }}|{{ -0 }}|{{ +3 }}|{{ 1e100 }}",
              "{{ 3.0 }}|{{ 1e6 }}|{{ 100000000000000000000 }}", "{{ print 1e6 }}|{{ print 3.0 }}|{{ printf \"%v\" 1e21 }}",
              "{{ `raw\nstr` }}", "{{ \"esc\\t\\u00e9\\x41\\101\" }}", "{{ true }}|{{ false }}", "{{ nil }}",
              "{{ print nil }}", "{{ if nil }}y{{ end }}", "{{ .Values.int.x }}", "{{ .Values.str.x }}", "{{ .Values.list.x }}",
              "{{ .Values.nul.x }}", "{{ .Values.missing.x }}", "{{ .Values.missing.x.y }}", "{{ .Values.map.zz }}",
              "{{ .Values.map.zz.yy }}", "{{ .Values.emptymap.a }}", "{{ $v := .Values.missing }}{{ $v.x }}",
              "{{ $v := .Values.nul }}{{ $v.x }}", "{{ (index .Values.map \"zz\").x }}", "{{ .Nope }}", "{{ .Nope.x }}",
              "{{ $.Nope }}", "{{ .Values.map.a.b.c }}", "{{ .Values.nested.m.n.x }}", "{{ .Values.nested.m.n }}",
              "{{ if and .Values.map .Values.map.c }}{{ .Values.map.c.d }}{{ end }}", "{{ len .Values }}",
              "{{ with $x := .Values.str }}{{ $x }}{{ . }}{{ end }}", "{{ range $k, $v := .Values.map }}{{ $k }}{{ end }}",
              "{{ range $k, $v := .Values.map }}{{ $k }}{{ else }}e{{ end }}", "{{ if 1 }}a{{ else if 0 }}b{{ else }}c{{ end }}",
              "{{ if 0 }}a{{ else if 0 }}b{{ else if 1 }}c{{ end }}", "{{ with 0 }}a{{ else with 1 }}b{{ . }}{{ end }}",
              "{{ with 0 }}a{{ else with 0 }}b{{ else }}c{{ end }}", "{{ range $i, $e := list \"a\" \"b\" }}{{ $i }}{{ $e }}{{ end }}",
              "{{ range .Values.strlist }}{{ if eq . \"a\" }}{{ break }}{{ end }}{{ . }}{{ end }}",
              "{{ range $x := 3 }}{{ $x }}{{ end }}", "{{ range $i, $x := 3 }}{{ $i }}{{ end }}",
              "{{ range \"abc\" }}{{ . }}{{ end }}", "{{ range 2.5 }}{{ . }}{{ end }}", "{{ range true }}{{ . }}{{ end }}",
              "{{ $x := 1 }}{{ range $x = list 5 6 }}{{ . }}{{ end }}{{ $x }}", "{{ $x := 0 }}{{ $x = add $x 1 }}{{ $x }}",
              "{{ $undefined }}", "{{ $x = 1 }}", "{{ define \"a\" }}{{ end }}", "{{ end }}", "{{ else }}", "{{ if }}{{ end }}",
              "{{ break }}", "{{ range 1 }}{{ break 1 }}{{ end }}", "{{ print 1 2 3 | len }}",
              "{{ \"a\" | eq \"a\" }}|{{ 1 | eq 1 2 }}", "{{ (1 | add 2) | mul 3 }}", "{{ .Values.str | upper | lower | quote }}",
              "{{ -.5 }}", "{{ .5 }}", "{{ 1. }}", "{{ 08 }}", "{{ 0x }}", "{{ 1e }}", "{{ 'ab' }}", "{{ \"unterminated }}",
              "{{ .Values.map.a }}{{ .Values.map.b }}", "{{.Values.int}}{{.Values.int -}}  {{- .Values.int}}",
              "{{ print .Values.map.c.d .Values.map.a }}", "{{ .Values.int | printf \"%d\" }}", "{{ .Values.int | printf \"%v\" }}",
              "{{ index . \"Values\" \"int\" }}", "{{ index .Values \"map\" \"c\" \"d\" }}", "{{ index .Values.list 3 }}",
              "{{ index .Values.list 4 }}", "{{ index .Values.list (int 1) }}", "{{ index .Values.list .Values.zero }}",
              "{{ index \"abc\" 1 }}", "{{ slice \"abcdef\" 1 3 }}", "{{ slice .Values.list 1 2 3 }}", "{{ len \"héllo\" }}",
              "{{ and }}", "{{ or 1 }}", "{{ not 1 2 }}", "{{ eq }}", "{{ eq 1 }}", "{{ call .Values.str }}", "{{ call nil }}",
              "{{ html \"<a>\" 1 }}|{{ js \"a'b\" 2 }}|{{ urlquery \"a b\" \"c\" }}",
              "{{ printf \"%s %d %v\" }}", "{{ printf \"%!\" }}", "{{ printf \"%d%%\" 5 }}", "{{ printf \"%[2]v %[1]v\" 1 2 }}",
              "{{ printf \"%*d\" 4 7 }}", "{{ printf \"%6.2f|%-6.1f|%+d\" 3.14159 2.0 5 }}", "{{ printf \"%x %X\" \"hi\" 255 }}",
              "{{ printf \"%v\" (list 1 (dict \"a\" nil)) }}", "{{ printf \"%s\" (list \"a\" 1) }}", "{{ printf \"%d\" (list 1 2) }}",
              "{{ printf \"%v %v\" .Values.mil .Values.big }}", "{{ printf \"%v\" 1e20 }}|{{ printf \"%v\" 1e21 }}|{{ print 123456789.0 }}",
              "{{ print 0.000001 }}|{{ print 0.0000001 }}|{{ print -0.0 }}|{{ print 1.0 }}", "{{ println 1 \"a\" 2 }}",
              "{{ print \"a\" \"b\" 1 2 \"c\" }}", "{{ print 1 2 }}", "{{ print nil nil }}", "{{ print (list) (dict) }}",
              "{{ printf \"%T\" .Values.int }}|{{ printf \"%T\" 3 }}|{{ printf \"%T\" (int 3) }}|{{ printf \"%T\" .Values.list }}",
              "{{ printf \"%v\" .Values }}", "{{ .Values.nested }}", "{{ .Values.list }}", "{{ print .Values.list }}"]:
        case("parse", t)
    # --- define/template/block/include/tpl and the scoping of $
    # (body, partial): the body calls the partial "@a", defined as the given text.
    for body, partial in [
            ('{{ template "@a" . }}', '[{{ .Values.str }}|{{ $.Values.int }}]'),
            ('{{ template "@a" .Values.map }}', '[{{ .a }}|{{ $ }}]'),
            ('{{ template "@a" }}', '[{{ . }}|{{ $ }}]'),
            ('{{ include "@a" .Values.map }}', '[{{ .a }}|{{ $.b }}]'),
            ('{{ include "@a" nil }}|{{ include "@a" .Values.missing }}', '[{{ . }}|{{ .x }}]'),
            ('{{ include "@a" (dict "x" 1 "top" $) }}', '[{{ .x }}|{{ .top.Values.str }}|{{ .top.Template.Name }}]'),
            ('{{ include "@a" . | upper }}|{{ include "@a" . | len }}', '  x '),
            ('{{ include "@a" . }}', '{{ $x := 5 }}{{ $x }}'),
            ('{{ $x := 1 }}{{ include "@a" . }}', '{{ $x }}'),
            ('{{ include "@a" . }}', '{{ .Template.Name }}|{{ .Template.BasePath }}'),
            ('{{ include "@a" . | fromYaml | toJson }}', 'a: 1\nb: [x]\n'),
            ('{{ include "@a" (list 1 2) }}', '{{ range . }}{{ . }}{{ end }}'),
            ('{{ include "@a" . }}', '{{ fail "boom" }}'),
            ('{{ include "@a" }}', 'x'),
            ('{{ include "@a" . 1 }}', 'x'),
            ('{{ template "@a" .Values.list }}', '{{ index . 1 }}'),
            ('{{ $d := dict "a" 1 }}{{ include "@a" $d }}{{ $d }}', '{{ $_ := set . "b" 2 }}'),
    ]:
        case("define", body, defs=f'{{{{ define "@a" }}}}{partial}{{{{ end }}}}')
    case("define", '{{ include "@nope" . }}')
    case("define", '{{ template "@nope" . }}')
    case("define", '{{ block "@b" . }}default {{ .Values.str }}{{ end }}')
    case("define", '{{ include "@r" 3 }}', defs='{{ define "@r" }}{{ if gt . 0 }}{{ . }}{{ include "@r" (sub . 1) }}{{ end }}{{ end }}')
    case("define", '{{ include "@a" . | nindent 2 }}', defs='{{- define "@a" -}}\nx: 1\ny: 2\n{{- end -}}')
    case("define", '{{ include .Values.int . }}')
    case("define", '{{ include nil . }}')
    for t, ctx in [('"{{ .Values.str }}"', "."), ('"{{ $.Values.int }}-{{ .a }}"', ".Values.map"), ('"{{ .Template.Name }}"', "."),
                   ('"{{ .Template.BasePath }}"', "."), ('"{{ define \\"@t\\" }}z{{ end }}{{ include \\"@t\\" . }}"', "."),
                   ('"{{ include \\"@a\\" . }}"', "."), ('"plain"', "nil"), ('"{{ . }}"', "nil"), ('"{{ . }}"', "3"),
                   ('"{{ .Values.nope.x }}"', "."), ('"{{ fail \\"x\\" }}"', "."), ('"{{ bad"', "."), (".Values.int", "."),
                   ('""', "."), ('"{{ tpl \\"{{ 1 }}\\" . }}"', "."), ('"{{ .Release.Name }}"', "(dict)"),
                   ('"{{ $x := 1 }}{{ $x }}"', "."), ('"{{- \\" x \\" -}}"', "."), ('"{{ .Chart.Name }}"', ".")]:
        case("tpl", f"{{{{ tpl {t} {ctx} }}}}", defs='{{ define "@a" }}A{{ .Values.int }}{{ end }}')
    # --- required / fail
    for e in ['"x"', '""', "nil", ".Values.missing", "0", "false", "(list)", "(dict)", ".Values.nul", ".Values.emptymap"]:
        case("required", f"{{{{ required \"need it\" {e} }}}}")
        case("required", f"{{{{ {e} | required \"need it\" }}}}")
    case("required", '{{ fail "boom" }}')
    case("required", '{{ if false }}{{ fail "boom" }}{{ end }}ok')
    case("required", '{{ required 1 "x" }}')
    case("required", '{{ required "m" }}')
    # --- Helm's objects
    objs = [".Files.Get \"files/a.txt\"", ".Files.Get \"nope\"", ".Files.Get \"files/empty.txt\"", ".Files.GetBytes \"files/a.txt\"",
            ".Files.GetBytes \"nope\"", "(.Files.Glob \"files/*\")", "(.Files.Glob \"files/**\")", "(.Files.Glob \"nope/*\")",
            "(.Files.Glob \"files/*\").AsConfig", "(.Files.Glob \"files/*\").AsSecrets", "(.Files.Glob \"files/**.json\").AsConfig",
            "(.Files.Glob \"nope\").AsConfig", "(.Files.Glob \"nope\").AsSecrets", ".Files.Lines \"files/a.txt\"",
            ".Files.Lines \"nope\"", ".Files.Lines \"files/crlf.txt\"", ".Files.Lines \"files/empty.txt\"", ".Files.Get \"files/crlf.txt\"",
            ".Files.Nope", ".Files", ".Files.Get \"Chart.yaml\"", ".Files.Get \"values.yaml\"", ".Files.Get \"templates/c1.yaml\" | len",
            ".Files.Get \"config/app.yaml\"", "(.Files.Glob \"config/*\").AsConfig", ".Files.Get \"files/sub/c.json\" | fromJson",
            ".Capabilities.APIVersions", ".Capabilities.KubeVersion", ".Capabilities.KubeVersion.Version",
            ".Capabilities.KubeVersion.Major", ".Capabilities.KubeVersion.Minor", ".Capabilities.KubeVersion.GitVersion",
            ".Capabilities.APIVersions.Has \"v1\"", ".Capabilities.APIVersions.Has \"apps/v1\"",
            ".Capabilities.APIVersions.Has \"apps/v1/Deployment\"", ".Capabilities.APIVersions.Has \"policy/v1beta1\"",
            ".Capabilities.APIVersions.Has \"autoscaling/v2\"", ".Capabilities.APIVersions.Has \"networking.k8s.io/v1/Ingress\"",
            ".Capabilities.APIVersions.Has \"batch/v1/CronJob\"", ".Capabilities.APIVersions.Has \"monitoring.coreos.com/v1\"",
            ".Capabilities.HelmVersion.Version | len", ".Capabilities", ".Capabilities.Nope",
            ".Release.Name", ".Release.Namespace", ".Release.IsInstall", ".Release.IsUpgrade", ".Release.Revision",
            ".Release.Service", ".Release", ".Release.Nope", ".Chart.Name", ".Chart.Version", ".Chart.AppVersion",
            ".Chart.Description", ".Chart.Keywords", ".Chart.Annotations", ".Chart.Maintainers", ".Chart.Home", ".Chart.Type",
            ".Chart.ApiVersion", ".Chart.APIVersion", ".Chart.Nope", ".Chart.Dependencies", ".Chart.KubeVersion", ".Chart.IsRoot",
            ".Template.Name", ".Template.BasePath", ".Template", ".Template.Nope", ".Subcharts", ".Values.nope",
            "(lookup \"v1\" \"Pod\" \"ns\" \"x\")", "(lookup \"v1\" \"Pod\" \"\" \"\")", "(lookup \"v1\" \"Pod\" \"ns\" \"x\").metadata",
            "(lookup \"v1\" \"Pod\" \"ns\" \"x\").metadata.name"]
    for o in objs:
        case("objects", f"{{{{ {o} }}}}")
        case("objects", f"{{{{ typeOf ({o}) }}}}|{{{{ kindOf ({o}) }}}}")
        case("objects", f"{{{{ ({o}) | toJson }}}}")
        case("objects", f"{{{{ ({o}) | toYaml }}}}")
        case("objects", f"{{{{ print ({o}) }}}}|{{{{ printf \"%v\" ({o}) }}}}")
        case("objects", f"{{{{ empty ({o}) }}}}|{{{{ if ({o}) }}}}t{{{{ end }}}}")
        case("objects", f"{{{{ ({o}) | quote }}}}")
        case("objects", f"{{{{ ({o}) | b64enc }}}}")
        case("objects", f"{{{{ ({o}) | len }}}}")
        case("objects", f"{{{{ range $k, $v := ({o}) }}}}{{{{ $k }}}}={{{{ $v }}}};{{{{ end }}}}")
    case("objects", '{{ range $p, $b := .Files.Glob "files/**" }}{{ $p }}={{ $b }}={{ typeOf $b }};{{ end }}')
    case("objects", '{{ range $p, $b := .Files.Glob "files/**" }}{{ $p }}={{ $.Files.Get $p | quote }};{{ end }}')
    case("objects", '{{ range .Files.Lines "files/a.txt" }}[{{ . }}]{{ end }}')
    case("objects", '{{ (.Files.Glob "files/*").Get "files/a.txt" }}|{{ (.Files.Glob "files/*").Glob "*.conf" }}')
    case("objects", '{{ .Files.AsConfig }}')
    case("objects", '{{ .Files.Get }}')
    case("objects", '{{ .Capabilities.APIVersions.Has }}')
    case("objects", '{{ .Release.Name | upper }}|{{ .Chart.Name | quote }}|{{ printf "%s-%s" .Release.Name .Chart.Name | trunc 63 }}')
    case("objects", '{{ $_ := set .Values "added" 1 }}{{ .Values.added }}')
    case("objects", '{{ $_ := set .Release "X" 1 }}{{ .Release.X }}')
    case("objects", '{{ $_ := set . "Extra" 1 }}{{ .Extra }}')
    case("objects", '{{ $c := set (deepCopy .Values) "a" 1 }}{{ $c.a }}')
    case("objects", '{{ $x := merge (dict) . }}{{ $x.Release.Name }}|{{ typeOf $x.Capabilities }}')
    case("objects", '{{ toYaml .Values.nested | indent 2 }}')
    case("objects", '{{ (dict "files" .Files) | toJson | len }}')


def chart_dir(root, cases):
    d = tempfile.mkdtemp(dir=root)
    os.makedirs(os.path.join(d, "templates"))
    with open(os.path.join(d, "Chart.yaml"), "w") as f:
        f.write("apiVersion: v2\nname: diff\nversion: 0.1.0\nappVersion: \"1.0\"\ndescription: d\n"
                "keywords: [a, b]\nannotations: {x: y}\n")
    with open(os.path.join(d, "values.yaml"), "w") as f:
        f.write(VALUES)
    for p, text in FILES.items():
        os.makedirs(os.path.dirname(os.path.join(d, p)), exist_ok=True)
        with open(os.path.join(d, p), "w", newline="") as f:
            f.write(text)
    for c in cases:
        with open(os.path.join(d, "templates", f"c{c.id}.yaml"), "w", newline="") as f:
            f.write(c.file_text())
    return d


def render(cmd):
    try:
        p = subprocess.run(cmd, capture_output=True, timeout=120)
    except subprocess.TimeoutExpired:
        return 124, b"", b"timeout"
    return p.returncode, p.stdout, p.stderr


def split_sources(out):
    docs, cur = {}, None
    for line in out.decode("utf-8", "replace").split("\n"):
        m = re.match(r"# Source: diff/templates/c(\d+)\.yaml$", line)
        if m:
            cur = int(m.group(1))
            docs[cur] = []
        elif line == "---":
            continue
        elif cur is not None:
            docs[cur].append(line)
    return {k: "\n".join(v) for k, v in docs.items()}


def failing_ids(text):
    """Case ids whose templates an error output names (Go's `template: diff/templates/cN.yaml:…`)."""
    return {int(m) for m in re.findall(r"templates/c(\d+)\.yaml", text)}


def run_group(caplevel, helm, root, cases, results):
    """Renders `cases` as one chart with both tools. caplevel reports every failing template at
    once; helm stops at the first, which its message names: that case is recorded and the rest
    rendered again (bisection only when an error names no case)."""
    d = chart_dir(root, cases)
    cr, co, ce = render([caplevel, "render", d, "--release-name", "release-name", "--namespace", "default",
                         "--kube-version", KUBE])
    cerr_text = ce.decode("utf-8", "replace")
    cfail = {}
    if cr != 0:
        for block in re.split(r"\n(?=error\[)", cerr_text):
            for i in failing_ids(block.split("\n")[0]):
                cfail.setdefault(i, block.strip())
    cdocs = split_sources(co)
    if cr != 0 and not cfail:
        cfail = {c.id: cerr_text.strip() for c in cases}
    live = list(cases)
    hfail, hdocs = {}, {}
    while live:
        hr, ho, he = render([helm, "template", "release-name", d, "--namespace", "default", "--kube-version", KUBE])
        if hr == 0:
            hdocs = split_sources(ho)
            break
        text = he.decode("utf-8", "replace")
        ids = failing_ids(text) & {c.id for c in live}
        if not ids:
            shutil.rmtree(d, ignore_errors=True)
            if len(live) == 1:
                hfail[live[0].id] = text.strip()
                live = []
                break
            mid = len(live) // 2
            sub = {}
            run_group(caplevel, helm, root, live[:mid], sub)
            run_group(caplevel, helm, root, live[mid:], sub)
            for c in live:
                r = sub[c.id]
                if r[0]:
                    hfail[c.id] = r[1]
                else:
                    hdocs[c.id] = r[1]
            live = []
            d = None
            break
        i = min(ids)
        hfail[i] = text.strip()
        os.remove(os.path.join(d, "templates", f"c{i}.yaml"))
        live = [c for c in live if c.id != i]
    if d:
        shutil.rmtree(d, ignore_errors=True)
    for c in cases:
        if c.id in hfail:
            h = (True, hfail[c.id])
        else:
            h = (False, hdocs[c.id] if c.id in hdocs and d is None else show(hdocs.get(c.id, "<absent>"), c))
        if c.id in cfail:
            k = (True, cfail[c.id])
        else:
            k = (False, show(cdocs.get(c.id, "<absent>"), c))
        results[c.id] = (h[0], h[1], k[0], k[1])


def err_line(text):
    """The line of an error output that says what failed."""
    lines = [l for l in text.splitlines() if l.strip()]
    for i, l in enumerate(lines):
        if l.startswith("Error:") or l.startswith("error["):
            # Helm 4 splits an execution error over indented lines (location, context, message).
            more = []
            for m in lines[i + 1:]:
                if not m.startswith(" "):
                    break
                more.append(m.strip())
            return " ".join([l] + more) if l.startswith("Error:") else l
    return lines[0] if lines else ""


def show(doc, c):
    """The case's own text: the decoded include (or the whole document for a raw case)."""
    if c.raw:
        return doc
    m = re.match(r"x: ?(\S*)\s*$", doc)
    if not m:
        return "<bad wrapper: " + doc + ">"
    try:
        return base64.b64decode(m.group(1)).decode("utf-8", "replace")
    except Exception:
        return "<bad base64: " + m.group(1) + ">"


def main():
    args = sys.argv[1:]
    classes, grep, verbose, jobs, listing, pos = [], None, False, 2, False, []
    i = 0
    while i < len(args):
        a = args[i]
        if a == "--class":
            classes.append(args[i + 1]); i += 1
        elif a == "--grep":
            grep = args[i + 1]; i += 1
        elif a == "--jobs":
            jobs = int(args[i + 1]); i += 1
        elif a == "-v":
            verbose = True
        elif a == "--list":
            listing = True
        else:
            pos.append(a)
        i += 1
    if not pos:
        print(__doc__)
        sys.exit(2)
    caplevel = os.path.abspath(pos[0])
    helm = pos[1] if len(pos) > 1 else os.path.join(ROOT, ".tools/bin/helm")
    if not os.access(helm, os.X_OK):
        helm = "/work/main/.tools/bin/helm"
    gen()
    for n, c in enumerate(CASES):
        c.id = n
    sel = [c for c in CASES if (not classes or c.cls in classes) and (not grep or grep in c.body + c.defs)]
    if listing:
        for c in sel:
            print(c.id, c.cls, c.body.replace("\n", "\\n"))
        return
    root = tempfile.mkdtemp(prefix="helm-diff-")
    results = {}
    groups, size = [], 150
    by_cls = {}
    for c in sel:
        by_cls.setdefault(c.cls, []).append(c)
    for cl in by_cls.values():
        shared = [c for c in cl if not c.alone]
        groups.extend([c] for c in cl if c.alone)
        for k in range(0, len(shared), size):
            groups.append(shared[k:k + size])
    try:
        with ThreadPoolExecutor(jobs) as ex:
            list(ex.map(lambda g: run_group(caplevel, helm, root, g, results), groups))
    finally:
        shutil.rmtree(root, ignore_errors=True)
    per = {}
    for c in sel:
        herr, hout, cerr, cout = results[c.id]
        kind = None
        if herr and not cerr:
            kind = "helm-fails"
        elif cerr and not herr:
            kind = "cap-fails"
        elif not herr and hout != cout and c.stable:
            kind = "output"
        t = per.setdefault(c.cls, {"cases": 0, "output": 0, "cap-fails": 0, "helm-fails": 0})
        t["cases"] += 1
        if kind:
            t[kind] += 1
            print(f"== [{c.cls}/{kind}] #{c.id}: {c.body if not c.raw else repr(c.body)}" + (f"   defs: {c.defs}" if c.defs else ""))
            print(f"   helm: {hout if not herr else 'ERROR ' + err_line(hout)}"[:600])
            print(f"   capl: {cout if not cerr else 'ERROR ' + err_line(cout)}"[:600])
        elif verbose and herr and cerr:
            print(f"-- [{c.cls}/both-fail] #{c.id}: {c.body}\n   helm: {err_line(hout)[:400]}\n   capl: {err_line(cout)[:400]}")
    print("\nclass          cases  output  cap-fails  helm-fails")
    tot = [0, 0, 0, 0]
    for cl, t in sorted(per.items()):
        print(f"{cl:<14}{t['cases']:>6}{t['output']:>8}{t['cap-fails']:>11}{t['helm-fails']:>12}")
        for j, k in enumerate(["cases", "output", "cap-fails", "helm-fails"]):
            tot[j] += t[k]
    print(f"{'total':<14}{tot[0]:>6}{tot[1]:>8}{tot[2]:>11}{tot[3]:>12}")


if __name__ == "__main__":
    main()
