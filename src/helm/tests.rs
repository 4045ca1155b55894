//! Tests: functions (template + values → output), values, loader edge
//! cases with generated archives, the corpus sweep and the golden renders
//! produced by real Helm.

use std::io::Write;
use std::path::{Path, PathBuf};

use super::chart::ChartFile;
use super::*;
use crate::yaml;

/// A chart in memory with one template and a values.yaml.
fn chart_with(template: &str, values: &str) -> Chart {
    let files = vec![
        ("Chart.yaml", "apiVersion: v2\nname: t\nversion: 0.1.0\nappVersion: \"1.0\"\n".as_bytes().to_vec()),
        ("values.yaml", values.as_bytes().to_vec()),
        ("templates/x.yaml", template.as_bytes().to_vec()),
        ("templates/_h.tpl", b"{{- define \"t.name\" -}}{{ .Chart.Name }}-{{ .Values.suffix | default \"x\" }}{{- end -}}".to_vec()),
        ("files/a.txt", b"alpha\nbeta\n".to_vec()),
        ("files/b.json", b"{}".to_vec()),
    ];
    load_archive_bytes(&tgz(&files, "t"), &ChartLimits::default())
}

/// The text of the only rendered document (or the diagnostics).
fn render_one(template: &str, values: &str) -> String {
    let chart = chart_with(template, values);
    assert!(chart.diagnostics.is_empty(), "{:?}", chart.diagnostics);
    let r = render(&chart, &RenderOptions::default());
    if let Some(d) = r.diagnostics.iter().find(|d| d.severity == Severity::Error) {
        return format!("ERR {}", d.message);
    }
    r.docs
        .iter()
        .map(|d| d.text.clone())
        .collect::<Vec<_>>()
        .join("\n---\n")
}

/// A gzipped tar of `files` under the folder `top`.
fn tgz(files: &[(&str, Vec<u8>)], top: &str) -> Vec<u8> {
    let mut builder = tar::Builder::new(flate2::write::GzEncoder::new(
        Vec::new(),
        flate2::Compression::fast(),
    ));
    for (name, data) in files {
        let mut header = tar::Header::new_gnu();
        header.set_size(data.len() as u64);
        header.set_mode(0o644);
        header.set_cksum();
        builder
            .append_data(&mut header, format!("{top}/{name}"), data.as_slice())
            .unwrap();
    }
    builder.into_inner().unwrap().finish().unwrap()
}

/// A gzipped tar with raw entries (name, type, data), names not checked by
/// the tar crate, to build hostile archives.
fn raw_tgz(entries: &[(&str, tar::EntryType, &[u8], &str)]) -> Vec<u8> {
    let mut out = Vec::new();
    for (name, kind, data, link) in entries {
        let mut header = tar::Header::new_old();
        {
            let old = header.as_old_mut();
            old.name[..name.len()].copy_from_slice(name.as_bytes());
            old.linkname[..link.len()].copy_from_slice(link.as_bytes());
        }
        header.set_entry_type(*kind);
        header.set_size(data.len() as u64);
        header.set_mode(0o644);
        header.set_cksum();
        out.extend_from_slice(header.as_bytes());
        out.extend_from_slice(data);
        let pad = (512 - data.len() % 512) % 512;
        out.extend(std::iter::repeat_n(0u8, pad));
    }
    out.extend(std::iter::repeat_n(0u8, 1024));
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    gz.write_all(&out).unwrap();
    gz.finish().unwrap()
}

#[test]
fn functions_table() {
    let values = "name: web\nport: 8080\nbig: 1000000\nratio: 0.5\nlist: [b, a, c]\nmap: {k: v, m: 1}\nempty: \"\"\nflag: false\ntext: \"a\\nb\"\n";
    let cases: &[(&str, &str)] = &[
        ("{{ .Values.name | upper }}", "WEB"),
        (
            "{{ .Values.port }} {{ .Values.big }} {{ .Values.ratio }}",
            "8080 1e+06 0.5",
        ),
        ("{{ toYaml .Values.big }}", "1000000"),
        (
            "{{ .Values.name | quote }} {{ .Values.name | squote }}",
            "\"web\" 'web'",
        ),
        ("{{ include \"t.name\" . }}", "t-x"),
        (
            "{{ tpl \"{{ .Values.name }}-{{ .Release.Namespace }}\" . }}",
            "web-default",
        ),
        (
            "{{ default \"d\" .Values.empty }} {{ default \"d\" .Values.name }}",
            "d web",
        ),
        (
            "{{ empty .Values.flag }} {{ empty .Values.list }}",
            "true false",
        ),
        ("{{ coalesce .Values.empty .Values.missing \"c\" }}", "c"),
        ("{{ ternary \"y\" \"n\" true }}", "y"),
        ("{{ .Values.list | sortAlpha | join \",\" }}", "a,b,c"),
        ("{{ list 1 2 | toJson }}", "[1,2]"),
        (
            "{{ dict \"a\" 1 \"b\" \"x\" | toJson }}",
            "{\"a\":1,\"b\":\"x\"}",
        ),
        (
            "{{ $d := dict \"a\" 1 }}{{ $_ := set $d \"b\" 2 }}{{ toJson $d }}",
            "{\"a\":1,\"b\":2}",
        ),
        (
            "{{ $d := dict \"a\" (dict \"x\" 1) }}{{ $_ := set $d.a \"y\" 2 }}{{ toJson $d }}",
            "{\"a\":{\"x\":1,\"y\":2}}",
        ),
        (
            "{{ $d := dict \"a\" 1 \"b\" 2 }}{{ $_ := unset $d \"a\" }}{{ toJson $d }}",
            "{\"b\":2}",
        ),
        (
            "{{ $d := dict \"a\" 1 }}{{ $_ := merge $d (dict \"a\" 2 \"b\" 3) }}{{ toJson $d }}",
            "{\"a\":1,\"b\":3}",
        ),
        (
            "{{ mergeOverwrite (dict \"a\" 1) (dict \"a\" 2) | toJson }}",
            "{\"a\":2}",
        ),
        (
            "{{ get .Values.map \"k\" }} {{ hasKey .Values.map \"m\" }} {{ keys .Values.map | sortAlpha }}",
            "v true [k m]",
        ),
        (
            "{{ pluck \"k\" .Values.map (dict \"k\" \"w\") | toJson }}",
            "[\"v\",\"w\"]",
        ),
        (
            "{{ omit .Values.map \"k\" | toJson }} {{ pick .Values.map \"k\" | toJson }}",
            "{\"m\":1} {\"k\":\"v\"}",
        ),
        (
            // `.Values` itself is a `common.Values`, which dig's type
            // assertion refuses (as in Helm); a copy through `merge` is plain.
            "{{ dig \"map\" \"k\" \"none\" (merge (dict) .Values) }} {{ dig \"k\" \"none\" .Values.map }} {{ dig \"z\" \"none\" .Values.map }}",
            "v v none",
        ),
        (
            "{{ \"hello world\" | title }} {{ \"HeLLo\" | lower }}",
            "Hello World hello",
        ),
        (
            "{{ trim \"  x  \" }}|{{ trimSuffix \"-\" \"a-\" }}|{{ trimPrefix \"v\" \"v1\" }}|{{ trimAll \"$\" \"$5$\" }}",
            "x|a|1|5",
        ),
        (
            "{{ trunc 3 \"abcdef\" }} {{ trunc -2 \"abcdef\" }}",
            "abc ef",
        ),
        ("x:{{ indent 2 \"a\\nb\" }}", "x:  a\n  b"),
        ("x:{{ nindent 2 \"a\" }}", "x:\n  a"),
        ("{{ replace \"-\" \"_\" \"a-b-c\" }}", "a_b_c"),
        (
            "{{ contains \"b\" \"abc\" }} {{ hasPrefix \"a\" \"abc\" }} {{ hasSuffix \"c\" \"abc\" }}",
            "true true true",
        ),
        (
            "{{ splitList \",\" \"a,b\" | toJson }} {{ (split \",\" \"a,b\")._1 }}",
            "[\"a\",\"b\"] b",
        ),
        (
            "{{ int \"42\" }} {{ int64 3.9 }} {{ float64 \"1.5\" }} {{ atoi \"7\" }} {{ toString 12 }}",
            "42 3 1.5 7 12",
        ),
        (
            "{{ add 1 2 3 }} {{ sub 5 2 }} {{ mul 2 3 }} {{ div 7 2 }} {{ mod 7 2 }} {{ add1 1 }} {{ max 1 5 2 }} {{ min 3 1 }}",
            "6 3 6 3 1 2 5 1",
        ),
        (
            "{{ until 3 | toJson }} {{ untilStep 0 10 4 | toJson }} {{ seq 3 }}",
            "[0,1,2] [0,4,8] 1 2 3",
        ),
        (
            "{{ kindOf .Values.port }} {{ kindIs \"map\" .Values.map }} {{ typeOf .Values.list }} {{ kindOf \"s\" }}",
            "float64 true []interface {} string",
        ),
        (
            "{{ semverCompare \">=1.21-0\" .Capabilities.KubeVersion.Version }} {{ (semver \"1.2.3\").Minor }}",
            "true 2",
        ),
        (
            "{{ .Capabilities.KubeVersion.Major }}.{{ .Capabilities.KubeVersion.Minor }} {{ .Capabilities.APIVersions.Has \"apps/v1\" }}",
            "1.35 true",
        ),
        (
            "{{ b64enc \"hi\" }} {{ b64dec \"aGk=\" }} {{ sha256sum \"\" | trunc 8 }}",
            "aGk= hi e3b0c442",
        ),
        (
            "{{ regexMatch \"^a.c$\" \"abc\" }} {{ regexFind \"[0-9]+\" \"a12b\" }} {{ regexReplaceAll \"(a)(b)\" \"ab\" \"${2}${1}\" }}",
            "true 12 ba",
        ),
        (
            "{{ fromYaml \"a: 1\\nb: [x]\" | toJson }} {{ fromJson \"{\\\"a\\\":2}\" | toJson }}",
            "{\"a\":1,\"b\":[\"x\"]} {\"a\":2}",
        ),
        ("{{ fromYamlArray \"- 1\\n- a\" | toJson }}", "[1,\"a\"]"),
        ("{{ toYaml .Values.map }}", "k: v\nm: 1"),
        ("{{ toPrettyJson (dict \"a\" 1) }}", "{\n  \"a\": 1\n}"),
        (
            "{{ .Values.list | first }} {{ .Values.list | last }} {{ rest .Values.list | toJson }} {{ initial .Values.list | toJson }}",
            "b c [\"a\",\"c\"] [\"b\",\"a\"]",
        ),
        (
            "{{ append .Values.list \"d\" | toJson }} {{ prepend .Values.list \"z\" | first }} {{ concat (list 1) (list 2) | toJson }}",
            "[\"b\",\"a\",\"c\",\"d\"] z [1,2]",
        ),
        (
            "{{ list 1 1 2 | uniq | toJson }} {{ list 1 \"\" 2 | compact | toJson }} {{ without (list 1 2 3) 2 | toJson }} {{ has 2 (list 1 2) }}",
            "[1,2] [1,2] [1,3] true",
        ),
        (
            "{{ lookup \"v1\" \"Secret\" \"ns\" \"name\" | toJson }}",
            "{}",
        ),
        (
            "{{ randAlphaNum 8 | len }} {{ uuidv4 | len }} {{ eq (randAlphaNum 8) (randAlphaNum 8) }}",
            "8 36 false",
        ),
        (
            "{{ (genCA \"x\" 365).Cert | hasPrefix \"-----BEGIN CERTIFICATE-----\" }}",
            "true",
        ),
        (
            "{{ .Files.Get \"files/a.txt\" | trim }} {{ range .Files.Lines \"files/a.txt\" }}[{{ . }}]{{ end }}",
            "alpha\nbeta [alpha][beta]",
        ),
        (
            "{{ range $p, $_ := .Files.Glob \"files/*.json\" }}{{ $p }}{{ end }}",
            "files/b.json",
        ),
        (
            "{{ (.Files.Glob \"files/*.txt\").AsConfig }}",
            "a.txt: |\n  alpha\n  beta",
        ),
        (
            "{{ .Chart.Name }} {{ .Chart.Version }} {{ .Chart.AppVersion }} {{ .Chart.IsRoot }}",
            "t 0.1.0 1.0 true",
        ),
        (
            "{{ .Release.Name }} {{ .Release.Namespace }} {{ .Release.IsInstall }} {{ .Release.Service }} {{ .Release.Revision }}",
            "release-name default true Helm 1",
        ),
        (
            "{{ .Template.Name }} {{ .Template.BasePath }}",
            "t/templates/x.yaml t/templates",
        ),
        (
            "{{ .Values.missing }}|{{ $m := .Values.missing }}{{ $m.deeper }}|",
            "||",
        ),
        ("{{ printf \"%s-%d-%v\" \"a\" 3 .Values.big }}", "a-3-1e+06"),
        ("{{ print \"a\" 1 2 \"b\" }}", "a1 2b"),
        ("{{ required \"need it\" .Values.name }}", "web"),
        (
            "{{ cat \"a\" \"b\" }} {{ repeat 3 \"x\" }} {{ substr 1 3 \"abcd\" }} {{ nospace \"a b\" }}",
            "a b xxx bc ab",
        ),
        (
            "{{ kebabcase \"FooBar\" }} {{ snakecase \"FooBar\" }} {{ camelcase \"foo_bar\" }}",
            "foo-bar foo_bar FooBar",
        ),
        (
            "{{ base \"a/b.txt\" }} {{ dir \"a/b.txt\" }} {{ ext \"a/b.txt\" }}",
            "b.txt a .txt",
        ),
        (
            "{{ $l := \"[{\\\"n\\\":1},{\\\"n\\\":2}]\" | mustFromJson }}{{ range $l }}{{ .n }}{{ end }} {{ fromJson \"[1]\" }}",
            "12 map[Error:json: cannot unmarshal array into Go value of type map[string]interface {}]",
        ),
        (
            "{{ deepEqual (list 1) (list 1) }} {{ eq .Values.name \"web\" }} {{ and true 0 }} {{ or 0 \"x\" }} {{ not true }}",
            "true true 0 x false",
        ),
    ];
    let mut failures = Vec::new();
    for (template, want) in cases {
        let got = render_one(template, values);
        if &got != want {
            failures.push(format!("{template}\n   got: {got:?}\n  want: {want:?}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn failing_templates_are_diagnostics() {
    let cases = [
        ("{{ fail \"boom\" }}", "boom"),
        (
            "{{ required \"need .Values.x\" .Values.x }}",
            "need .Values.x",
        ),
        ("{{ include \"nope\" . }}", "no template \"nope\""),
        ("{{ .Values.x | nosuchfunc }}", "nosuchfunc"),
        ("{{ until 1000000000 }}", "over the limit"),
        // Go: a field of a nil map entry is an error (Helm's famous one).
        (
            "{{ .Values.missing.deeper }}",
            "nil pointer evaluating interface {}.deeper",
        ),
    ];
    for (template, want) in cases {
        let got = render_one(template, "");
        assert!(
            got.starts_with("ERR") && got.contains(want),
            "{template}: {got}"
        );
    }
    // `fail` and `required` errors say where, in Helm's words, even from a partial.
    let chart = chart_with("a: 1\n{{ fail \"boom\" }}", "");
    let r = render(&chart, &RenderOptions::default());
    assert_eq!(r.diagnostics.len(), 1);
    assert_eq!(r.diagnostics[0].file, "templates/x.yaml");
    assert_eq!(r.diagnostics[0].line, Some(2));
    assert_eq!(
        r.diagnostics[0].message,
        "execution error at (t/templates/x.yaml:2:3): boom"
    );
    let chart = chart_with(
        "{{- define \"p\" }}\n{{ required \"x is required\" .Values.x }}{{ end }}{{ include \"p\" . }}",
        "",
    );
    let r = render(&chart, &RenderOptions::default());
    assert_eq!(r.diagnostics[0].line, Some(2), "{:?}", r.diagnostics);
    assert!(r.diagnostics[0].message.ends_with("x is required"));
    // Unbounded recursion stops at the include depth limit.
    let chart = chart_with(
        "{{- define \"loop\" }}{{ include \"loop\" . }}{{ end }}{{ include \"loop\" . }}",
        "",
    );
    let r = render(&chart, &RenderOptions::default());
    assert!(
        r.diagnostics[0].message.contains("nested reference"),
        "{:?}",
        r.diagnostics
    );
    // A parse error names the file and line; other templates still render.
    let files = vec![
        (
            "Chart.yaml",
            b"apiVersion: v2\nname: p\nversion: 1.0.0\n".to_vec(),
        ),
        ("templates/bad.yaml", b"a: 1\n{{ if }}\n".to_vec()),
        (
            "templates/good.yaml",
            b"kind: ConfigMap\nmetadata:\n  name: ok\n".to_vec(),
        ),
    ];
    let chart = load_archive_bytes(&tgz(&files, "p"), &ChartLimits::default());
    let r = render(&chart, &RenderOptions::default());
    assert_eq!(r.docs.len(), 1);
    assert_eq!(r.docs[0].name, "ok");
    assert_eq!(r.diagnostics[0].file, "templates/bad.yaml");
    assert_eq!(r.diagnostics[0].line, Some(2));
}

#[test]
fn functions_helm_4_leaves_out_are_parse_errors() {
    // Sprig's env/expandenv, toBool, toUpper/toLower and mustFromJsonArray
    // are not in Helm 4's function map: helm refuses such a chart.
    for f in [
        "env",
        "expandenv",
        "toBool",
        "toUpper",
        "toLower",
        "mustFromJsonArray",
    ] {
        let chart = chart_with(&format!("a: {{{{ {f} \"x\" }}}}\n"), "");
        let r = render(&chart, &RenderOptions::default());
        assert_eq!(
            r.diagnostics[0].message,
            format!("parse error at (t/templates/x.yaml:1): function {f:?} not defined"),
            "{f}"
        );
    }
}

#[test]
fn document_lines_point_at_template_lines() {
    let template = "# head\n{{- if true }}\n---\napiVersion: v1\nkind: A\nmetadata:\n  name: a\n{{- end }}\n{{- range list \"b\" \"c\" }}\n---\nkind: B\nmetadata:\n  name: {{ . }}\n{{- end }}\n";
    let chart = chart_with(template, "");
    let r = render(&chart, &RenderOptions::default());
    let lines: Vec<(String, u32)> = r.docs.iter().map(|d| (d.name.clone(), d.line)).collect();
    assert_eq!(
        lines,
        vec![
            ("".into(), 1),
            ("a".into(), 4),
            ("b".into(), 11),
            ("c".into(), 11)
        ],
        "{:?}",
        r.docs
    );
    assert!(r.docs.iter().all(|d| d.template == "t/templates/x.yaml"));
}

#[test]
fn values_user_overrides_and_set() {
    let template = "{{ toJson .Values }}";
    let chart = chart_with(template, "a: 1\nb: {c: 2, d: 3}\n");
    let file = yaml::parse_str("b: {c: 20, d: null}\ne: null\n", &yaml::Limits::default())
        .documents[0]
        .root
        .clone();
    let opts = RenderOptions {
        value_files: vec![file],
        set: vec!["a=x,f[1]=y,g.h=true".into()],
        ..RenderOptions::default()
    };
    let r = render(&chart, &opts);
    assert_eq!(
        r.docs[0].text,
        r#"{"a":"x","b":{"c":20},"e":null,"f":[null,"y"],"g":{"h":true}}"#
    );
}

#[test]
fn profiles_cover_defaults_features_and_ci() {
    let files = vec![
        ("Chart.yaml", b"apiVersion: v2\nname: p\nversion: 1.0.0\n".to_vec()),
        ("values.yaml", b"hpa:\n  enabled: false\nsa:\n  create: false\n  name: x\nother: false\n".to_vec()),
        ("ci/small-values.yaml", b"hpa: {enabled: true}\n".to_vec()),
        ("ci/notvalues.yaml", b"x: 1\n".to_vec()),
        (
            "templates/hpa.yaml",
            b"{{ if .Values.hpa.enabled }}kind: HorizontalPodAutoscaler\nmetadata:\n  name: h\n{{ end }}".to_vec(),
        ),
    ];
    let chart = load_archive_bytes(&tgz(&files, "p"), &ChartLimits::default());
    let ps = profiles(&chart);
    let names: Vec<&str> = ps.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(names, ["defaults", "features-on", "ci/small-values.yaml"]);
    let on = &ps[1].overlay;
    assert_eq!(
        on.path("hpa.enabled").and_then(yaml::Node::as_bool),
        Some(true)
    );
    assert_eq!(
        on.path("sa.create").and_then(yaml::Node::as_bool),
        Some(true)
    );
    assert!(on.path("other").is_none());
    let kinds = |p: &Profile| {
        render_profile(&chart, p, &RenderOptions::default())
            .docs
            .iter()
            .map(|d| d.kind.clone())
            .collect::<Vec<_>>()
    };
    assert!(kinds(&ps[0]).is_empty());
    assert_eq!(kinds(&ps[1]), ["HorizontalPodAutoscaler"]);
    assert_eq!(kinds(&ps[2]), ["HorizontalPodAutoscaler"]);
}

#[test]
fn loader_rejects_hostile_archives() {
    let chart_yaml: &[u8] = b"apiVersion: v2\nname: h\nversion: 1.0.0\n";
    let bytes = raw_tgz(&[
        ("h/Chart.yaml", tar::EntryType::Regular, chart_yaml, ""),
        ("h/../../etc/passwd", tar::EntryType::Regular, b"x", ""),
        ("/abs/file", tar::EntryType::Regular, b"x", ""),
        (
            "h/templates/link.yaml",
            tar::EntryType::Symlink,
            b"",
            "/etc/passwd",
        ),
        (
            "h/templates/ok.yaml",
            tar::EntryType::Regular,
            b"kind: A\n",
            "",
        ),
    ]);
    let chart = load_archive_bytes(&bytes, &ChartLimits::default());
    assert_eq!(chart.metadata.name, "h");
    let msgs: Vec<&str> = chart
        .diagnostics
        .iter()
        .map(|d| d.message.as_str())
        .collect();
    assert_eq!(
        msgs.iter()
            .filter(|m| m.contains("escapes the chart folder"))
            .count(),
        2,
        "{msgs:?}"
    );
    assert!(
        msgs.iter().any(|m| m.contains("is a link; not followed")),
        "{msgs:?}"
    );
    assert_eq!(chart.templates.len(), 1);

    // Not gzip at all.
    let chart = load_archive_bytes(b"definitely not a tarball", &ChartLimits::default());
    assert!(
        chart
            .diagnostics
            .iter()
            .any(|d| d.message.contains("cannot read the archive"))
    );
    assert!(
        chart
            .diagnostics
            .iter()
            .any(|d| d.message.contains("Chart.yaml file is missing"))
    );

    // Entry count and size caps.
    let many: Vec<(String, Vec<u8>)> = (0..20)
        .map(|i| (format!("files/{i}"), vec![b'x'; 100]))
        .collect();
    let mut files: Vec<(&str, Vec<u8>)> = vec![("Chart.yaml", chart_yaml.to_vec())];
    files.extend(many.iter().map(|(n, d)| (n.as_str(), d.clone())));
    let limits = ChartLimits {
        max_entries: 5,
        ..ChartLimits::default()
    };
    let chart = load_archive_bytes(&tgz(&files, "h"), &limits);
    assert!(
        chart
            .diagnostics
            .iter()
            .any(|d| d.message.contains("over its limits"))
    );
    assert!(chart.files.len() < 5);
    let limits = ChartLimits {
        max_total_bytes: 500,
        ..ChartLimits::default()
    };
    let chart = load_archive_bytes(&tgz(&files, "h"), &limits);
    assert!(
        chart
            .diagnostics
            .iter()
            .any(|d| d.message.contains("over its limits"))
    );

    // A decompression bomb stops at the cap.
    let zeros = vec![0u8; 4 * 1024 * 1024];
    let bomb = tgz(
        &[("Chart.yaml", chart_yaml.to_vec()), ("files/zeros", zeros)],
        "h",
    );
    let limits = ChartLimits {
        max_total_bytes: 1024 * 1024,
        ..ChartLimits::default()
    };
    let chart = load_archive_bytes(&bomb, &limits);
    assert!(
        chart
            .diagnostics
            .iter()
            .any(|d| d.message.contains("over its limits"))
    );
}

#[test]
fn loader_edge_cases() {
    // Values that are not a mapping, a missing dependency, a nested .tgz subchart.
    let sub = tgz(
        &[
            (
                "Chart.yaml",
                b"apiVersion: v2\nname: inner\nversion: 0.2.0\n".to_vec(),
            ),
            ("values.yaml", b"who: inner\n".to_vec()),
            (
                "templates/cm.yaml",
                b"kind: ConfigMap\nmetadata:\n  name: {{ .Values.who }}\n".to_vec(),
            ),
        ],
        "inner",
    );
    let files = vec![
        (
            "Chart.yaml",
            b"apiVersion: v2\nname: outer\nversion: 1.0.0\ndependencies:\n  - name: inner\n    version: 0.2.0\n  - name: absent\n    version: 1.0.0\n    repository: https://example.com\n".to_vec(),
        ),
        ("values.yaml", b"- not\n- a map\n".to_vec()),
        ("charts/inner-0.2.0.tgz", sub),
    ];
    let chart = load_archive_bytes(&tgz(&files, "outer"), &ChartLimits::default());
    let d = chart.all_diagnostics();
    assert!(
        d.iter().any(|x| x.file == "values.yaml"
            && x.message
                .contains("cannot unmarshal array into Go value of type map")),
        "{d:?}"
    );
    assert!(
        d.iter().any(|x| x.file == "Chart.yaml"
            && x.line == Some(7)
            && x.message.contains("\"absent\"")),
        "{d:?}"
    );
    assert_eq!(chart.subcharts.len(), 1);
    let r = render(&chart, &RenderOptions::default());
    assert_eq!(r.docs.len(), 1);
    assert_eq!(r.docs[0].template, "outer/charts/inner/templates/cm.yaml");
    assert_eq!(r.docs[0].name, "inner");

    // Library charts render nothing themselves.
    let files = vec![
        (
            "Chart.yaml",
            b"apiVersion: v2\nname: lib\nversion: 1.0.0\ntype: library\n".to_vec(),
        ),
        ("templates/cm.yaml", b"kind: ConfigMap\n".to_vec()),
        ("templates/_h.tpl", b"{{ define \"x\" }}x{{ end }}".to_vec()),
    ];
    let chart = load_archive_bytes(&tgz(&files, "lib"), &ChartLimits::default());
    assert!(chart.is_library());
    assert!(render(&chart, &RenderOptions::default()).docs.is_empty());
}

#[test]
fn loader_reads_folders_with_helmignore() {
    let dir = std::env::temp_dir().join(format!("helmwork-test-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("templates")).unwrap();
    std::fs::create_dir_all(dir.join("skipdir")).unwrap();
    std::fs::write(
        dir.join("Chart.yaml"),
        "\u{feff}apiVersion: v1\nname: f\nversion: 1.0.0\n",
    )
    .unwrap();
    std::fs::write(dir.join(".helmignore"), "# comment\n*.bak\nskipdir/\n").unwrap();
    std::fs::write(dir.join("a.bak"), "x").unwrap();
    std::fs::write(dir.join("skipdir/file"), "x").unwrap();
    std::fs::write(dir.join("keep.txt"), "x").unwrap();
    std::fs::write(dir.join("templates/.hidden.yaml"), "x").unwrap();
    std::fs::write(dir.join("templates/cm.yaml"), "kind: ConfigMap\n").unwrap();
    std::fs::write(
        dir.join("requirements.yaml"),
        "dependencies:\n- name: gone\n  version: 1.0.0\n",
    )
    .unwrap();
    #[cfg(unix)]
    std::os::unix::fs::symlink("/etc/passwd", dir.join("link.txt")).unwrap();
    let chart = load_chart(&dir, &ChartLimits::default());
    let names: Vec<&str> = chart.files.iter().map(|f| f.name.as_str()).collect();
    assert!(names.contains(&"keep.txt"), "{names:?}");
    assert!(
        !names
            .iter()
            .any(|n| n.ends_with(".bak") || n.starts_with("skipdir") || n.contains("link")),
        "{names:?}"
    );
    assert_eq!(chart.templates.len(), 1);
    assert_eq!(chart.metadata.api_version, "v1");
    assert_eq!(chart.metadata.dependencies.len(), 1);
    #[cfg(unix)]
    assert!(
        chart
            .diagnostics
            .iter()
            .any(|d| d.message.contains("symbolic link"))
    );
    assert!(
        chart
            .diagnostics
            .iter()
            .any(|d| d.file == "requirements.yaml" && d.message.contains("\"gone\""))
    );
    let _ = std::fs::remove_dir_all(&dir);
}

fn corpus() -> Option<PathBuf> {
    let p = PathBuf::from("/work/shared/corpus/charts");
    p.is_dir().then_some(p)
}

#[test]
fn corpus_sweep_loads_and_renders_every_chart() {
    let Some(root) = corpus() else { return };
    let mut names: Vec<String> = std::fs::read_dir(&root)
        .unwrap()
        .filter_map(Result::ok)
        .filter(|e| e.path().is_dir())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert!(names.len() >= 30);
    for name in &names {
        let chart = load_chart(&root.join(name), &ChartLimits::default());
        for p in profiles(&chart) {
            let _ = render_profile(&chart, &p, &RenderOptions::default());
        }
        let diags = chart.all_diagnostics();
        let r = render(&chart, &RenderOptions::default());
        let expect = |what: &str| {
            assert!(
                diags
                    .iter()
                    .chain(r.diagnostics.iter())
                    .any(|d| d.to_string().contains(what)),
                "{name}: expected {what:?} in {diags:?} {:?}",
                r.diagnostics
            );
        };
        match name.as_str() {
            "helm-testdata-badchartfile" => {
                expect("chart.metadata.name is required");
                expect("\"0.0.0.0\" is invalid");
            }
            "helm-testdata-badvaluesfile" => expect("values.yaml"),
            "helm-testdata-malformed-template" => expect("YAML parse error"),
            "helm-testdata-chart-with-bad-subcharts" => expect("charts/bad-subchart/Chart.yaml"),
            "helm-testdata-lib-chart" => expect("must be application or library"),
            "helm-testdata-frobnitz_with_bom" => {
                assert!(
                    chart.subcharts.iter().any(|s| s.metadata.name == "mariner"),
                    "tgz subchart"
                );
            }
            "bitnami-redis" | "argo-cd" | "prometheus" | "loki-stack" => {
                expect("not present in charts/")
            }
            "hello-world" | "alertmanager" | "cert-manager" | "rollout-operator" => {
                assert!(
                    diags.is_empty() && r.diagnostics.is_empty(),
                    "{name}: {diags:?} {:?}",
                    r.diagnostics
                );
                assert!(!r.docs.is_empty());
            }
            _ => {}
        }
    }
}

fn golden(name: &str, set: Option<&str>, expected: &str) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures/helm-golden")
        .join(name);
    let chart = load_chart(&dir.join("chart"), &ChartLimits::default());
    let mut opts = RenderOptions::default();
    if let Some(s) = set {
        opts.set.push(s.trim().to_owned());
    }
    let r = render(&chart, &opts);
    let want = std::fs::read_to_string(dir.join(expected)).unwrap();
    let print = PrintOptions {
        include_crds: true,
        ..PrintOptions::default()
    };
    let got = write_helm_template(&r, &print).unwrap();
    assert_eq!(
        got, want,
        "{name} {expected}; diagnostics {:?}",
        r.diagnostics
    );
}

#[test]
fn golden_renders_match_real_helm() {
    golden("hello-world", None, "expected.yaml");
    golden("prometheus-to-sd", None, "expected.yaml");
    golden(
        "chart-testing-must-pass-upgrade-install",
        None,
        "expected.yaml",
    );
    golden("scoping", None, "expected.yaml");
    golden(
        "scoping",
        Some(
            "first.replicas=5,global.region=ap,list[0]=z,nested.deleteMe=null,second.enabled=false",
        ),
        "expected-set.yaml",
    );
    // Dependency conditions, tags, aliases and imports; null handling.
    // (Every case with its flags runs through the CLI in tests/cli.rs.)
    golden("dependencies", None, "expected.yaml");
    golden("values-nulls", None, "expected.yaml");
    // Go template semantics: trim around comments, trailing pipe, map
    // reference semantics, Go printing, else-with, break/continue, and the
    // bytes of an included partial feeding `sha256sum`.
    golden("engine", None, "expected.yaml");
}

#[test]
fn chart_file_text_drops_bom() {
    let f = ChartFile {
        name: "x".into(),
        data: b"\xEF\xBB\xBFabc".to_vec(),
    };
    assert_eq!(f.text(), "abc");
}

/// The objects recovered from a failed template, as (line, apiVersion, kind).
fn unrendered_of(template: &str) -> (Vec<(u32, String, String)>, Rendered) {
    let chart = chart_with(template, "");
    let r = render(&chart, &RenderOptions::default());
    let objects = r
        .unrendered
        .iter()
        .map(|u| (u.line, u.api_version.clone(), u.kind.clone()))
        .collect();
    (objects, r)
}

#[test]
fn failed_templates_keep_the_kinds_of_their_text() {
    // `fail` after the header: nothing renders, the kind is read from the text.
    let (objects, r) = unrendered_of(
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: x\nspec:\n  replicas: {{ fail \"x\" }}\n",
    );
    assert!(r.docs.is_empty(), "{:?}", r.docs);
    assert_eq!(r.diagnostics.len(), 1, "{:?}", r.diagnostics);
    assert_eq!(objects, vec![(2, "apps/v1".into(), "Deployment".into())]);
    assert!(r.unrendered.iter().all(|u| u.deliberate
        && u.file == "templates/x.yaml"
        && u.template == "t/templates/x.yaml"));

    // Kinds inside branches (both sides of an `if`, a `range`) still count;
    // a nested `kind:` (indented) does not; the apiVersion is the one of
    // the same document.
    let (objects, _) = unrendered_of(concat!(
        "{{- if .Values.autoscaling.enabled -}}\n",
        "apiVersion: autoscaling/v2\n",
        "kind: HorizontalPodAutoscaler\n",
        "spec:\n",
        "  scaleTargetRef:\n",
        "    kind: Deployment\n",
        "{{- else }}\n",
        "apiVersion: v1\n",
        "kind: \"ConfigMap\" # off\n",
        "{{- end }}\n",
        "{{- range list 1 2 }}\n",
        "---\n",
        "kind: Secret\n",
        "apiVersion: v1\n",
        "{{- end }}\n",
        "{{ include \"missing\" . }}\n",
    ));
    assert_eq!(
        objects,
        vec![
            (3, "autoscaling/v2".into(), "HorizontalPodAutoscaler".into()),
            (9, "v1".into(), "ConfigMap".into()),
            (13, "v1".into(), "Secret".into()),
        ]
    );

    // A kind or apiVersion an action computes yields nothing (the kind) or
    // an empty apiVersion; a value that continues into an action is not literal.
    let (objects, r) = unrendered_of(concat!(
        "apiVersion: {{ include \"t.name\" . }}\n",
        "kind: {{ .Values.kind }}\n",
        "---\n",
        "apiVersion: v1\n",
        "kind: Config{{ .Values.suffix }}\n",
        "---\n",
        "apiVersion: {{ .Values.api }}\n",
        "kind: Service\n",
        "{{- /* kind: Comment */}}\n",
        "{{ required \"need x\" .Values.x }}\n",
    ));
    assert_eq!(objects, vec![(8, String::new(), "Service".into())]);
    assert!(r.unrendered.iter().all(|u| u.deliberate));

    // A template that renders fine recovers nothing; a missing partial is a
    // failure the chart did not ask for.
    let (objects, _) = unrendered_of("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n");
    assert!(objects.is_empty());
    let (objects, r) =
        unrendered_of("apiVersion: v1\nkind: ConfigMap\ndata: {{ include \"nope\" . }}\n");
    assert_eq!(objects, vec![(2, "v1".into(), "ConfigMap".into())]);
    assert!(r.unrendered.iter().all(|u| !u.deliberate));
}

#[test]
fn templates_that_do_not_parse_keep_the_kinds_of_their_text() {
    let files = vec![
        (
            "Chart.yaml",
            b"apiVersion: v2\nname: p\nversion: 1.0.0\n".to_vec(),
        ),
        (
            "templates/bad.yaml",
            b"{{- if .Values.on }}\napiVersion: policy/v1\nkind: PodDisruptionBudget\nspec: {{ if }}\n{{- end }}\n"
                .to_vec(),
        ),
        (
            "templates/good.yaml",
            b"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ok\n".to_vec(),
        ),
        ("templates/_helpers.tpl", b"{{ define \"x\" }}\nkind: Nope\n{{ if }}".to_vec()),
    ];
    let chart = load_archive_bytes(&tgz(&files, "p"), &ChartLimits::default());
    let r = render(&chart, &RenderOptions::default());
    assert_eq!(r.docs.len(), 1);
    let objects: Vec<(&str, u32, &str, &str)> = r
        .unrendered
        .iter()
        .map(|u| {
            (
                u.file.as_str(),
                u.line,
                u.api_version.as_str(),
                u.kind.as_str(),
            )
        })
        .collect();
    assert_eq!(
        objects,
        vec![("templates/bad.yaml", 3, "policy/v1", "PodDisruptionBudget")]
    );
}

#[test]
fn random_draws_differ_within_a_render_and_repeat_across_renders() {
    // One generator per render, reseeded when it starts: two draws of one
    // render differ (two objects suffixed `randAlphaNum 5` stay two), and
    // rendering again gives the same bytes.
    let template = "a: {{ randAlphaNum 10 }}\nb: {{ randAlphaNum 10 }}\nc: {{ uuidv4 }}\nd: {{ randInt 0 1000 }}\ne: {{ (genCA \"x\" 1).Cert | sha256sum }}\n";
    let first = render_one(template, "");
    assert_eq!(render_one(template, ""), first);
    let lines: Vec<&str> = first.lines().collect();
    let value = |l: &str| {
        l.split_once(": ")
            .map(|(_, v)| v.to_owned())
            .unwrap_or_default()
    };
    assert_ne!(value(lines[0]), value(lines[1]), "{first}");
}
